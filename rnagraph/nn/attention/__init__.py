"""Attention modules: MFERL's dual-convolution attention (MCAM) and its two halves; GRMMI's
miRNA-mRNA mutual attention encoder."""
from rnagraph.nn.attention.channel_attention import ChannelAttention
from rnagraph.nn.attention.mcam import MCAM
from rnagraph.nn.attention.mutual_attention import MutualAttentionEncoder
from rnagraph.nn.attention.spatial_attention import SpatialAttention

__all__ = ["MCAM", "ChannelAttention", "SpatialAttention", "MutualAttentionEncoder"]
