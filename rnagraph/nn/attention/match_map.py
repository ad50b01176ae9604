"""A convolution over a pair's attention logit maps: runs of strong matches, i.e. pairing."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.nn.attention._masking import additive_mask, tracks_grad


class MatchMap(torch.nn.Module):
    r"""Features of a pair's stacked attention logit maps (e.g. both directions of
    :class:`MutualAttention`, ``return_logits=True``: :math:`C = 2\,\text{heads}` channels
    over the :math:`T_{mi} \times T_m` grid of positions): a 3x3 convolution with :math:`c`
    filters, max over the valid cells, ReLU,

    .. math::
        \mathbf{z} = \mathrm{ReLU}\Big(\max_{(i, j)\ \text{valid}}
        \mathrm{Conv}_{3\times 3}(\mathbf{S})_{ij}\Big) \in \mathbb{R}^{c},

    so a filter can respond to a diagonal run of strong matches, a contiguous stretch of
    pairing (rnagraph's extension of GRMMI). ``maps`` must be **zero outside the valid
    cells** (what the convolution reads at the border of a sequence; e.g.
    :meth:`MutualAttention.project` with ``zero_padding=True``); then extra padding does not
    change the output. Zero for a pair where either side has no valid position.

    Args:
        in_channels (int): map channels :math:`C`.
        out_channels (int): filters :math:`c`.

    Shapes:
        - **input:** ``maps`` ``[B, C, T_mi, T_m]``, ``mask_mi`` ``[B, T_mi]``,
          ``mask_m`` ``[B, T_m]`` (bool)
        - **output:** ``[B, c]``
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        if in_channels < 1 or out_channels < 1:
            raise ValueError(f"MatchMap: in_channels={in_channels} and out_channels="
                             f"{out_channels} must be >= 1")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.conv = torch.nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()

    def forward(self, maps: Tensor, mask_mi: Tensor, mask_m: Tensor) -> Tensor:
        y = self.conv(maps)
        # -inf outside the valid cells, by an additive mask; the max over positions by
        # max-pooling (on the channels-last maps of scoring, both run several times faster
        # than a boolean masked_fill and amax); ReLU after the max (the same numbers: ReLU
        # is monotonic), one pass less over the maps
        bias = (additive_mask(mask_mi, y.dtype)[:, None, :, None]
                + additive_mask(mask_m, y.dtype)[:, None, None, :])
        y = y.add_(bias) if not tracks_grad(y) else y + bias
        pooled = torch.nn.functional.adaptive_max_pool2d(y, 1).flatten(1)
        both = (mask_mi.any(1) & mask_m.any(1)).unsqueeze(1)
        return torch.relu(pooled) * both

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels})"
