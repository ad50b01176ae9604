"""Models: short compositions of :mod:`rnagraph.nn` parts, and the baselines every table carries.

Every model follows the contract of :func:`rnagraph.train.cross_validate`: ``fit(fold)`` trains on
the fold's training graph and pairs only, and ``score(graph, edge_label_index)`` returns
probabilities in ``[0, 1]``.
"""
from rnagraph.models.degree_product import DegreeProduct
from rnagraph.models.mferl import MFERL
from rnagraph.models.registry import MODELS, get_model, needs_sequences
from rnagraph.models.sage_link import SAGELink
from rnagraph.models.seed_match import SeedMatch
from rnagraph.models.svd_link import TruncatedSVDLink

__all__ = [
    "MFERL",
    "SeedMatch",
    "DegreeProduct",
    "TruncatedSVDLink",
    "SAGELink",
    "MODELS",
    "get_model",
    "needs_sequences",
]
