"""Graph convolution layers: homogeneous per-view GCN and heterogeneous bilinear interaction."""
from rnagraph.nn.conv.bilinear_interaction import BilinearInteraction
from rnagraph.nn.conv.homo_gcn import HomoGCN

__all__ = ["HomoGCN", "BilinearInteraction"]
