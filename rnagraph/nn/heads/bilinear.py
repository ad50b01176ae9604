"""DistMult-style bilinear link-prediction head."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.nn.heads._utils import check_pairs, pair_dot


class BilinearHead(torch.nn.Module):
    r"""Scores a pair with a diagonal bilinear form (DistMult,
    `Yang et al., 2015 <https://arxiv.org/abs/1412.6575>`_):

    .. math::
        s_{ij} = \sum_{f} x_{i,f}\, r_f\, x_{j,f} = \mathbf{x}_i^{\top}
        \operatorname{diag}(\mathbf{r})\, \mathbf{x}_j

    with a learnable relation vector :math:`\mathbf{r} \in \mathbb{R}^F`, initialised to ones
    (so an untrained head equals :class:`InnerProductHead`).

    Args:
        channels (int): width :math:`F` of both representations.

    Shapes:
        - **input:** ``x_src`` :math:`(N_s, F)`, ``x_dst`` :math:`(N_d, F)`,
          ``edge_label_index`` :math:`(2, N)`
        - **output:** logits :math:`(N)`
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.channels = channels
        self.rel = torch.nn.Parameter(torch.empty(channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set the relation vector back to ones."""
        torch.nn.init.ones_(self.rel)

    def forward(self, x_src: Tensor, x_dst: Tensor, edge_label_index: Tensor) -> Tensor:
        check_pairs(type(self).__name__, x_src, x_dst, edge_label_index)
        if x_src.size(1) != self.channels or x_dst.size(1) != self.channels:
            raise ValueError(f"BilinearHead: expected width {self.channels}, got "
                             f"{x_src.size(1)} and {x_dst.size(1)}")
        return pair_dot(x_src * self.rel, x_dst, edge_label_index)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.channels})"
