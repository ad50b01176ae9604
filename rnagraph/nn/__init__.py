"""PyG layers for RNA interaction graphs: graph encoders, convolutions, attention, link heads and
losses. Each layer is usable on its own inside a user's PyG model (see ``docs/layers.md``)."""
from rnagraph.nn.attention import (
    MCAM,
    ChannelAttention,
    CrossAttention,
    MatchMap,
    MatchScores,
    MutualAttention,
    MutualAttentionEncoder,
    SpatialAttention,
)
from rnagraph.nn.conv import BilinearInteraction, HomoGCN
from rnagraph.nn.encoders import (
    HOPE,
    LINE,
    DeepWalk,
    EncoderTransform,
    GraphEncoder,
    GraphFactorization,
    GraRep,
    HomogeneousGraph,
    LaplacianEigenmaps,
    Role2Vec,
)
from rnagraph.nn.heads import (
    BilinearHead,
    CNNProductHead,
    ConcatMLPHead,
    HadamardHead,
    InnerProductHead,
)
from rnagraph.nn.losses import InfoNCE, within_group_ranking
from rnagraph.nn.pairing import DiagonalPairing, PairingMapCNN
from rnagraph.nn.sequence import KmerConv, PaddedLSTM, TokenEmbedding
from rnagraph.nn.trees import TreeEnsemble

__all__ = [
    # encoders
    "GraphEncoder", "GraRep", "Role2Vec", "DeepWalk", "LINE", "HOPE", "LaplacianEigenmaps",
    "GraphFactorization", "HomogeneousGraph", "EncoderTransform",
    # layers
    "HomoGCN", "BilinearInteraction", "MCAM", "ChannelAttention", "SpatialAttention",
    "MutualAttentionEncoder", "PairingMapCNN", "DiagonalPairing",
    # GRMMI's blocks
    "TokenEmbedding", "KmerConv", "PaddedLSTM", "CrossAttention", "MutualAttention",
    "MatchScores", "MatchMap",
    # heads
    "InnerProductHead", "ConcatMLPHead", "BilinearHead", "HadamardHead", "CNNProductHead",
    # losses
    "InfoNCE",
    "within_group_ranking",
    # fitted trees
    "TreeEnsemble",
]
