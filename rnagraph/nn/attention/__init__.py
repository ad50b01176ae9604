"""Attention modules: MFERL's dual-convolution attention (MCAM) and its two halves; GRMMI's
miRNA-mRNA mutual attention (its blocks and the encoder composed of them)."""
from rnagraph.nn.attention.channel_attention import ChannelAttention
from rnagraph.nn.attention.cross_attention import CrossAttention
from rnagraph.nn.attention.match_map import MatchMap
from rnagraph.nn.attention.match_scores import MatchScores
from rnagraph.nn.attention.mcam import MCAM
from rnagraph.nn.attention.mutual import MutualAttention
from rnagraph.nn.attention.mutual_attention import MutualAttentionEncoder
from rnagraph.nn.attention.spatial_attention import SpatialAttention

__all__ = ["MCAM", "ChannelAttention", "SpatialAttention", "CrossAttention", "MutualAttention",
           "MatchScores", "MatchMap", "MutualAttentionEncoder"]
