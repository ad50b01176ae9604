"""Models: short compositions of :mod:`rnagraph.nn` parts, and the baselines every table carries.

Every model follows the contract of :class:`~rnagraph.models.base.LinkModel`: ``fit(fold)``
learns from the fold's training graph and pairs only (early stopping and calibration on
``fold.val``), ``decision_function(graph, pairs)`` gives raw scores, ``score(graph, pairs)``
calibrated probabilities, and ``save(path)`` / :func:`load` keep a fitted model in one file.
"""
from rnagraph.models._file import ModelFileError, load_model
from rnagraph.models.base import LinkModel, NotFittedError
from rnagraph.models.degree_product import DegreeProduct
from rnagraph.models.grmmi import GRMMI
from rnagraph.models.joint_link import JointLink
from rnagraph.models.mferl import MFERL
from rnagraph.models.mitar_net import MiTAR
from rnagraph.models.node_prior import NodePrior
from rnagraph.models.path_l3 import PathL3
from rnagraph.models.path_ra3 import PathRA3
from rnagraph.models.registry import MODELS, get_model, needs_sequences
from rnagraph.models.sage_link import SAGELink
from rnagraph.models.seed_match import SeedMatch
from rnagraph.models.stacked_link import StackedLink
from rnagraph.models.struct_link import StructLink
from rnagraph.models.svd_link import TruncatedSVDLink
from rnagraph.models.truncated_katz import TruncatedKatz

#: read a model file written by ``model.save(path)``
load = load_model

__all__ = [
    "LinkModel",
    "NotFittedError",
    "load",
    "ModelFileError",
    "MFERL",
    "GRMMI",
    "MiTAR",
    "SeedMatch",
    "DegreeProduct",
    "NodePrior",
    "StackedLink",
    "TruncatedSVDLink",
    "SAGELink",
    "StructLink",
    "PathL3",
    "PathRA3",
    "TruncatedKatz",
    "MODELS",
    "get_model",
    "needs_sequences",
    "JointLink",
]
