"""MCAM: MFERL's dual-convolution (channel + spatial) attention over feature views."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.nn.attention.channel_attention import ChannelAttention, resolve_num_views
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

    ``pool='graph'`` (the paper) pools the channel descriptors over every node of the input, so
    a node's output depends on which other nodes share its input; that is right for full-graph
    training, but for mini-batches and sampled subgraphs (e.g.
    :class:`~torch_geometric.loader.LinkNeighborLoader`) use ``pool='node'``, whose output for a
    node depends on that node only. Zero nodes give a :math:`(0, F_{out})` output.

    Args:
        num_views (int): number of feature views :math:`C` (called ``channels`` before; that
            keyword still works for one release, with a :class:`DeprecationWarning`).
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

    def __init__(self, num_views: int | None = None, in_channels: int | None = None,
                 out_channels: int | None = None, hidden_channels: int | None = None,
                 kernel_size: int = 3, pool: str = "graph", fusion: str = "linear", *,
                 channels: int | None = None) -> None:
        super().__init__()
        num_views = resolve_num_views("MCAM", num_views, channels)
        if in_channels is None or in_channels < 1:
            raise ValueError(f"MCAM: in_channels (the width of each view) must be >= 1, got "
                             f"{in_channels}")
        if fusion not in ("linear", "mean"):
            raise ValueError(f"MCAM: fusion must be 'linear' or 'mean', got {fusion!r}")
        out_channels = in_channels if out_channels is None else out_channels
        if fusion == "mean" and out_channels != in_channels:
            raise ValueError("MCAM: fusion='mean' keeps the width; out_channels must equal "
                             "in_channels")
        self.num_views = num_views
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.fusion = fusion
        self.channel_att = ChannelAttention(num_views, hidden_channels, pool=pool)
        self.spatial_att = SpatialAttention(kernel_size)
        self.lin = (torch.nn.Linear(num_views * in_channels, out_channels)
                    if fusion == "linear" else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise both attentions and the fusion layer."""
        self.channel_att.reset_parameters()
        self.spatial_att.reset_parameters()
        if self.lin is not None:
            self.lin.reset_parameters()

    @property
    def channels(self) -> int:
        """Deprecated alias of :attr:`num_views`."""
        return self.num_views

    def forward(self, x: Tensor, return_attention: bool = False,
                ) -> Tensor | tuple[Tensor, tuple[Tensor, Tensor]]:
        if x.dim() != 3 or x.size(1) != self.num_views or x.size(2) != self.in_channels:
            raise ValueError(f"MCAM: input must be [N, {self.num_views}, {self.in_channels}], "
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
        return (f"{type(self).__name__}(num_views={self.num_views}, "
                f"in_channels={self.in_channels}, out_channels={self.out_channels}, "
                f"pool={self.channel_att.pool!r})")
