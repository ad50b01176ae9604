"""Unsupervised graph encoders (fit on a training graph's ``edge_index``, one row per node)."""
from rnagraph.nn.encoders.base import GraphEncoder
from rnagraph.nn.encoders.deepwalk import DeepWalk
from rnagraph.nn.encoders.graph_factorization import GraphFactorization
from rnagraph.nn.encoders.grarep import GraRep
from rnagraph.nn.encoders.hetero import HomogeneousGraph
from rnagraph.nn.encoders.hope import HOPE
from rnagraph.nn.encoders.laplacian_eigenmaps import LaplacianEigenmaps
from rnagraph.nn.encoders.line import LINE
from rnagraph.nn.encoders.role2vec import Role2Vec
from rnagraph.nn.encoders.transform import EncoderTransform

__all__ = [
    "GraphEncoder",
    "GraRep",
    "Role2Vec",
    "DeepWalk",
    "LINE",
    "HOPE",
    "LaplacianEigenmaps",
    "GraphFactorization",
    "HomogeneousGraph",
    "EncoderTransform",
]
