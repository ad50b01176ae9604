"""Hadamard-product + linear link-prediction head."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.nn.heads._utils import check_pairs


class HadamardHead(torch.nn.Module):
    r"""Scores a pair with a linear layer on the element-wise product of its representations:

    .. math::
        s_{ij} = \mathbf{w}^{\top} (\mathbf{x}_i \odot \mathbf{x}_j) + b

    Args:
        channels (int): width :math:`F` of both representations.
        bias (bool, optional): learn the offset :math:`b`. (default: ``True``)

    Shapes:
        - **input:** ``x_src`` :math:`(N_s, F)`, ``x_dst`` :math:`(N_d, F)`,
          ``edge_label_index`` :math:`(2, N)`
        - **output:** logits :math:`(N)`
    """

    def __init__(self, channels: int, bias: bool = True) -> None:
        super().__init__()
        self.channels = channels
        self.lin = torch.nn.Linear(channels, 1, bias=bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise the linear layer."""
        self.lin.reset_parameters()

    def forward(self, x_src: Tensor, x_dst: Tensor, edge_label_index: Tensor) -> Tensor:
        check_pairs(type(self).__name__, x_src, x_dst, edge_label_index)
        return self.lin(x_src[edge_label_index[0]] * x_dst[edge_label_index[1]]).view(-1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.channels})"
