"""Models: short compositions of :mod:`rnagraph.nn` parts, and the baselines every table carries.

Every model follows the contract of :class:`~rnagraph.models.base.LinkModel`: ``fit(fold)``
learns from the fold's training graph and pairs only (early stopping and calibration on
``fold.val``), ``decision_function(graph, pairs)`` gives raw scores, ``score(graph, pairs)``
calibrated probabilities, and ``save(path)`` / :func:`load` keep a fitted model in one file.

The registry (:data:`MODELS`: names, one-line descriptions, factories) imports without torch;
the model classes are imported on first use (see :mod:`rnagraph._lazy`).
"""
from typing import TYPE_CHECKING

from rnagraph._lazy import lazy_exports
from rnagraph.models.registry import MODELS, get_model, needs_sequences

if TYPE_CHECKING:
    from rnagraph.models._file import ModelFileError, load_model
    from rnagraph.models.base import LinkModel, NotFittedError
    from rnagraph.models.degree_product import DegreeProduct
    from rnagraph.models.duplex_boost import DuplexBoost
    from rnagraph.models.duplex_link import DuplexLink
    from rnagraph.models.grmmi import GRMMI
    from rnagraph.models.joint_link import JointLink
    from rnagraph.models.mferl import MFERL
    from rnagraph.models.mitar_net import MiTAR
    from rnagraph.models.node_prior import NodePrior
    from rnagraph.models.path_l3 import PathL3
    from rnagraph.models.path_ra3 import PathRA3
    from rnagraph.models.sage_link import SAGELink
    from rnagraph.models.seed_match import SeedMatch
    from rnagraph.models.seed_vote import SeedVote
    from rnagraph.models.sequence_prior import SequencePrior
    from rnagraph.models.sequence_vote import SequenceVote
    from rnagraph.models.stacked_link import StackedLink
    from rnagraph.models.struct_link import StructLink
    from rnagraph.models.svd_link import TruncatedSVDLink
    from rnagraph.models.truncated_katz import TruncatedKatz

    #: read a model file written by ``model.save(path)``
    load = load_model

lazy_exports(__name__, {
    "ModelFileError": ("_file", "ModelFileError"),
    "load_model": ("_file", "load_model"),
    "load": ("_file", "load_model"),
    "LinkModel": ("base", "LinkModel"),
    "NotFittedError": ("base", "NotFittedError"),
    "DegreeProduct": ("degree_product", "DegreeProduct"),
    "DuplexBoost": ("duplex_boost", "DuplexBoost"),
    "DuplexLink": ("duplex_link", "DuplexLink"),
    "GRMMI": ("grmmi", "GRMMI"),
    "JointLink": ("joint_link", "JointLink"),
    "MFERL": ("mferl", "MFERL"),
    "MiTAR": ("mitar_net", "MiTAR"),
    "NodePrior": ("node_prior", "NodePrior"),
    "PathL3": ("path_l3", "PathL3"),
    "PathRA3": ("path_ra3", "PathRA3"),
    "SAGELink": ("sage_link", "SAGELink"),
    "SeedMatch": ("seed_match", "SeedMatch"),
    "SeedVote": ("seed_vote", "SeedVote"),
    "SequenceVote": ("sequence_vote", "SequenceVote"),
    "SequencePrior": ("sequence_prior", "SequencePrior"),
    "StackedLink": ("stacked_link", "StackedLink"),
    "StructLink": ("struct_link", "StructLink"),
    "TruncatedSVDLink": ("svd_link", "TruncatedSVDLink"),
    "TruncatedKatz": ("truncated_katz", "TruncatedKatz"),
})

__all__ = [
    "LinkModel",
    "NotFittedError",
    "load",
    "ModelFileError",
    "MFERL",
    "GRMMI",
    "MiTAR",
    "SeedMatch",
    "DuplexLink",
    "DuplexBoost",
    "SequencePrior",
    "SeedVote",
    "SequenceVote",
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
