"""Concatenation + MLP link-prediction head."""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import MLP

from rnagraph.nn.heads._utils import check_pairs


class ConcatMLPHead(torch.nn.Module):
    r"""Scores a pair with a multi-layer perceptron on the concatenated representations:

    .. math::
        s_{ij} = \mathrm{MLP}\left([\mathbf{x}_i \,\Vert\, \mathbf{x}_j]\right)

    Args:
        src_channels (int): width :math:`F_s` of the source representations.
        dst_channels (int): width :math:`F_d` of the destination representations.
        hidden_channels (int, optional): hidden width. (default: ``64``)
        num_layers (int, optional): number of linear layers (``>= 1``). (default: ``2``)
        dropout (float, optional): dropout between layers. (default: ``0.0``)

    Shapes:
        - **input:** ``x_src`` :math:`(N_s, F_s)`, ``x_dst`` :math:`(N_d, F_d)`,
          ``edge_label_index`` :math:`(2, N)`
        - **output:** logits :math:`(N)`
    """

    def __init__(self, src_channels: int, dst_channels: int, hidden_channels: int = 64,
                 num_layers: int = 2, dropout: float = 0.0) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"ConcatMLPHead: num_layers must be >= 1, got {num_layers}")
        self.src_channels = src_channels
        self.dst_channels = dst_channels
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.dropout = dropout
        if num_layers == 1:
            self.mlp = torch.nn.Linear(src_channels + dst_channels, 1)
        else:
            self.mlp = MLP(in_channels=src_channels + dst_channels,
                           hidden_channels=hidden_channels, out_channels=1,
                           num_layers=num_layers, dropout=dropout, norm=None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise the MLP."""
        self.mlp.reset_parameters()

    def forward(self, x_src: Tensor, x_dst: Tensor, edge_label_index: Tensor) -> Tensor:
        check_pairs(type(self).__name__, x_src, x_dst, edge_label_index)
        z = torch.cat([x_src[edge_label_index[0]], x_dst[edge_label_index[1]]], dim=-1)
        return self.mlp(z).view(-1)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.src_channels}, {self.dst_channels}, "
                f"hidden_channels={self.hidden_channels}, num_layers={self.num_layers})")
