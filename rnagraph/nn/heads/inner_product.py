"""Inner-product link-prediction head."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.nn.heads._utils import check_pairs, pair_dot


class InnerProductHead(torch.nn.Module):
    r"""Scores a pair by the inner product of its node representations (as in graph
    auto-encoders, `Kipf and Welling, 2016 <https://arxiv.org/abs/1611.07308>`_):

    .. math::
        s_{ij} = \mathbf{x}_i^{\top} \mathbf{x}_j

    The head has no parameters; source and destination representations must have the same width.

    Shapes:
        - **input:** ``x_src`` :math:`(N_s, F)`, ``x_dst`` :math:`(N_d, F)`,
          ``edge_label_index`` :math:`(2, N)`
        - **output:** logits :math:`(N)`
    """

    def reset_parameters(self) -> None:
        """No parameters; present so every head has the same interface."""

    def forward(self, x_src: Tensor, x_dst: Tensor, edge_label_index: Tensor) -> Tensor:
        check_pairs(type(self).__name__, x_src, x_dst, edge_label_index)
        if x_src.size(1) != x_dst.size(1):
            raise ValueError(f"InnerProductHead: source width {x_src.size(1)} != destination "
                             f"width {x_dst.size(1)}")
        return pair_dot(x_src, x_dst, edge_label_index)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
