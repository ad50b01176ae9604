"""Link-prediction heads: ``forward(x_src, x_dst, edge_label_index) -> logits [N]``.

Every head works with any encoder that gives one representation per node of each type.
"""
from rnagraph.nn.heads.bilinear import BilinearHead
from rnagraph.nn.heads.cnn_product import CNNProductHead
from rnagraph.nn.heads.concat_mlp import ConcatMLPHead
from rnagraph.nn.heads.hadamard import HadamardHead
from rnagraph.nn.heads.inner_product import InnerProductHead

__all__ = [
    "InnerProductHead", "ConcatMLPHead", "BilinearHead", "HadamardHead", "CNNProductHead",
]
