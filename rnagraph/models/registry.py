"""Models by name, for the CLI and benchmark scripts."""
from __future__ import annotations

from typing import Any, Callable


def _seedmatch(**kw: Any):
    from rnagraph.models.seed_match import SeedMatch
    return SeedMatch(**kw)


def _degree(**kw: Any):
    from rnagraph.models.degree_product import DegreeProduct
    return DegreeProduct(**kw)


def _degree_add1(**kw: Any):
    from rnagraph.models.degree_product import DegreeProduct
    return DegreeProduct(smoothing=1, **kw)


def _node_prior(**kw: Any):
    from rnagraph.models.node_prior import NodePrior
    return NodePrior(**kw)


def _stacked(**kw: Any):
    from rnagraph.models.stacked_link import StackedLink
    return StackedLink(**kw)


def _svd(**kw: Any):
    from rnagraph.models.svd_link import TruncatedSVDLink
    return TruncatedSVDLink(**kw)


def _l3(**kw: Any):
    from rnagraph.models.path_l3 import PathL3
    return PathL3(**kw)


def _ra3(**kw: Any):
    from rnagraph.models.path_ra3 import PathRA3
    return PathRA3(**kw)


def _katz(**kw: Any):
    from rnagraph.models.truncated_katz import TruncatedKatz
    return TruncatedKatz(**kw)


def _sage(**kw: Any):
    from rnagraph.models.sage_link import SAGELink
    return SAGELink(**kw)


def _struct(**kw: Any):
    from rnagraph.models.struct_link import StructLink
    return StructLink(**kw)


def _mferl(**kw: Any):
    from rnagraph.models.mferl import MFERL
    return MFERL(**kw)


def _mferl_pair(**kw: Any):
    from rnagraph.models.mferl import MFERL
    return MFERL(pair_features=True, **kw)


def _mferl_struct(**kw: Any):
    from rnagraph.models.mferl import MFERL
    return MFERL(structural_features=True, **kw)


def _joint(**kw: Any):
    from rnagraph.models.joint_link import JointLink
    return JointLink(**kw)


def _joint_single(**kw: Any):
    from rnagraph.models.joint_link import JointLink
    return JointLink(joint=False, **kw)


def _grmmi(**kw: Any):
    from rnagraph.models.grmmi import GRMMI
    return GRMMI(**kw)


def _mitar(**kw: Any):
    from rnagraph.models.mitar_net import MiTAR
    return MiTAR(**kw)


#: name -> (factory, one-line description, needs sequences on both sides)
MODELS: dict[str, tuple[Callable[..., Any], str, bool]] = {
    "seedmatch": (_seedmatch, "canonical seed-site counting, no training", True),
    "degree": (_degree, "degree product of the training graph (calibrated)", False),
    "degree+1": (_degree_add1, "degree product with add-one degrees: in cold-start splits it "
                 "ranks by the known side's degree", False),
    "node-prior": (_node_prior, "the miRNA's positive rate among the training pairs: the "
                   "identity shortcut, blind to the pair", False),
    "prior+seed": (_stacked, "logistic regression on node-prior and seedmatch scores, "
                   "fitted on validation pairs (StackedLink)", True),
    "svd": (_svd, "truncated SVD of the training adjacency (calibrated)", False),
    "l3": (_l3, "L3: degree-normalised length-3 paths of the training graph (calibrated)",
           False),
    "ra3": (_ra3, "resource allocation along length-3 paths of the training graph", False),
    "katz": (_katz, "Katz index truncated to paths of length 1 and 3 (beta=0.1)", False),
    "sage": (_sage, "learnable embeddings -> 2-layer GraphSAGE -> dot product", False),
    "struct": (_struct, "MLP on own-edge-free structural pair features (paths, twins, "
               "degrees) trained on popularity negatives", False),
    "mferl": (_mferl, "MFERL (five views, HomoGCN, MCAM, bilinear attention, InfoNCE)", False),
    "mferl-pair": (_mferl_pair, "MFERL + learned seed-site pair term (our extension)", False),
    "mferl-struct": (_mferl_struct, "MFERL + learned own-edge-free structural pair term",
                     False),
    "joint": (_joint, "JointLink: HeteroConv over every relation of the graph, one head per "
              "relation, losses of all relations (ceRNA graph)", False),
    "joint-single": (_joint_single, "JointLink trained on the predicted relation's loss only",
                     False),
    "grmmi": (_grmmi, "GRMMI (6-mer CNN-BiLSTM mutual attention + GraRep, BP fusion)", False),
    "mitar": (_mitar, "miTAR architecture (CNN + BiLSTM on miRNA + target site)", True),
}


def get_model(name: str, **kwargs: Any):
    """A new model by its registry name (a key of :data:`MODELS`: ``rnagraph models`` lists
    them with one line each), constructed with ``kwargs``."""
    key = name.lower()
    if key not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    return MODELS[key][0](**kwargs)


def needs_sequences(name: str) -> bool:
    """Whether the model needs sequences on both node types of the edge type.

    Raises:
        KeyError: for an unknown model name.
    """
    return MODELS[name.lower()][2]
