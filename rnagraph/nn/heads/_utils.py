"""Shared input checks for the link-prediction heads."""
from __future__ import annotations

from torch import Tensor


def check_pairs(name: str, x_src: Tensor, x_dst: Tensor, edge_label_index: Tensor) -> None:
    """Raise a clear :class:`ValueError` for malformed head inputs."""
    if x_src.dim() != 2 or x_dst.dim() != 2:
        raise ValueError(f"{name}: x_src and x_dst must be 2-D [num_nodes, channels], got "
                         f"{tuple(x_src.shape)} and {tuple(x_dst.shape)}")
    if edge_label_index.dim() != 2 or edge_label_index.size(0) != 2:
        raise ValueError(f"{name}: edge_label_index must have shape [2, N], got "
                         f"{tuple(edge_label_index.shape)}")
    if edge_label_index.numel() > 0:
        if int(edge_label_index[0].max()) >= x_src.size(0) or int(edge_label_index.min()) < 0:
            raise ValueError(f"{name}: source index out of range for {x_src.size(0)} nodes")
        if int(edge_label_index[1].max()) >= x_dst.size(0):
            raise ValueError(f"{name}: destination index out of range for {x_dst.size(0)} nodes")
