"""MCAM: MFERL's dual-convolution (channel + spatial) attention over feature views."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.nn.attention.channel_attention import ChannelAttention
from rnagraph.nn.attention.spatial_attention import SpatialAttention


class MCAM(torch.nn.Module):
    r"""The multi-feature dual-convolution attention module of MFERL (`Peng et al., BMC Biology
    2025 <https://doi.org/10.1186/s12915-025-02227-6>`_, Eqs. 3-6): channel attention re-weights
    the :math:`C` feature views, spatial attention re-weights positions along the feature axis,
    and the result is fused into one vector per node:

    .. math::
        \mathbf{X}' &= \boldsymbol{\alpha}_c(\mathbf{X}) \otimes \mathbf{X}, \qquad
        \mathbf{X}'' = \boldsymbol{\alpha}_s(\mathbf{X}') \otimes \mathbf{X}'

        \mathbf{x}^{\mathrm{mcam}}_n &= \mathbf{W}\,\mathrm{vec}(\mathbf{X}''[n]) + \mathbf{b}

    with :math:`\otimes` broadcast element-wise multiplication,
    :math:`\boldsymbol{\alpha}_c` from :class:`ChannelAttention` and
    :math:`\boldsymbol{\alpha}_s` from :class:`SpatialAttention` (a convolution along each
    node's features, never across node order). The paper leaves the fusion unspecified; we
    flatten the :math:`C \times D` map and project it linearly (``fusion='linear'``), or average
    the channels (``fusion='mean'``, no parameters, output width :math:`D`). MFERL uses one
    MCAM per node type.

    Args:
        channels (int): number of feature views :math:`C`.
        in_channels (int): width :math:`D` of each view.
        out_channels (int, optional): output width. (default: ``in_channels``)
        hidden_channels (int, optional): channel-attention bottleneck width.
            (default: ``max(1, C // 2)``)
        kernel_size (int, optional): spatial convolution width. (default: ``3``)
        pool (str, optional): channel pooling, ``'graph'`` (paper) or ``'node'``.
            (default: ``'graph'``)
        fusion (str, optional): ``'linear'`` or ``'mean'``. (default: ``'linear'``)

    Shapes:
        - **input:** :math:`(N, C, D)`
        - **output:** :math:`(N, F_{out})`; with ``return_attention=True`` also the channel
          attention :math:`(1 \text{ or } N, C, 1)` and the spatial attention :math:`(N, 1, D)`
    """

    def __init__(self, channels: int, in_channels: int, out_channels: int | None = None,
                 hidden_channels: int | None = None, kernel_size: int = 3,
                 pool: str = "graph", fusion: str = "linear") -> None:
        super().__init__()
        if fusion not in ("linear", "mean"):
            raise ValueError(f"MCAM: fusion must be 'linear' or 'mean', got {fusion!r}")
        out_channels = in_channels if out_channels is None else out_channels
        if fusion == "mean" and out_channels != in_channels:
            raise ValueError("MCAM: fusion='mean' keeps the width; out_channels must equal "
                             "in_channels")
        self.channels = channels
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.fusion = fusion
        self.channel_att = ChannelAttention(channels, hidden_channels, pool=pool)
        self.spatial_att = SpatialAttention(kernel_size)
        self.lin = (torch.nn.Linear(channels * in_channels, out_channels)
                    if fusion == "linear" else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise both attentions and the fusion layer."""
        self.channel_att.reset_parameters()
        self.spatial_att.reset_parameters()
        if self.lin is not None:
            self.lin.reset_parameters()

    def forward(self, x: Tensor, return_attention: bool = False,
                ) -> Tensor | tuple[Tensor, tuple[Tensor, Tensor]]:
        if x.dim() != 3 or x.size(1) != self.channels or x.size(2) != self.in_channels:
            raise ValueError(f"MCAM: input must be [N, {self.channels}, {self.in_channels}], "
                             f"got {tuple(x.shape)}")
        a_c = self.channel_att(x)
        x = a_c * x
        a_s = self.spatial_att(x)
        x = a_s * x
        out = self.lin(x.flatten(1)) if self.lin is not None else x.mean(dim=1)
        if return_attention:
            return out, (a_c, a_s)
        return out

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(channels={self.channels}, "
                f"in_channels={self.in_channels}, out_channels={self.out_channels}, "
                f"pool={self.channel_att.pool!r})")
