"""GRMMI's mutual attention: miRNA positions over target positions and the reverse."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.nn.attention._masking import masked_max, tracks_grad
from rnagraph.nn.attention.cross_attention import CrossAttention

#: the two sides of a pair
SIDES = ("mi", "m")


class MutualAttention(torch.nn.Module):
    r"""Multi-head **mutual attention** between a miRNA and a target (`GRMMI, Frontiers 2025
    <https://doi.org/10.3389/fgene.2025.1563553>`_, Eq. 17-21): the miRNA positions query
    the target positions (:math:`\mathbf{A}^{mi}`, a :class:`CrossAttention`) and, with
    separate weights, the target positions query the miRNA positions
    (:math:`\mathbf{A}^{m}`); each is max-pooled over its valid query positions,

    .. math::
        \mathbf{a} = \big[\max_t \mathbf{A}^{mi}_t \,\|\, \max_t \mathbf{A}^{m}_t\big]
        \in \mathbb{R}^{2d},

    zero for a pair where either sequence has no valid position.

    The work splits in a per-sequence part, :meth:`project` (a sequence's query projections
    for its own direction and key / value projections for the other's), and the per-pair
    :meth:`forward` over projected rows gathered per pair: a caller that scores many pairs
    keeps the projected rows of each sequence (GRMMI's scoring cache) and pays only the two
    batched products and softmaxes per pair.

    Args:
        channels (int): features :math:`d` of both sequences' positions.
        heads (int): attention heads; must divide ``channels``. (default: ``4``)

    Shapes:
        - **input:** per side a dict of :meth:`project` (``"mask"`` ``[B, T]`` and the
          projections), gathered per pair
        - **output:** ``[B, 2 d]``, the weights ``{"mirna": [B, heads, T_mi, T_m], "mrna":
          [B, heads, T_m, T_mi]}`` and, with ``return_logits``, both directions' scaled
          logits stacked ``[B, 2 heads, T_mi, T_m]`` (the target queries' maps transposed;
          else ``None``)
    """

    def __init__(self, channels: int, heads: int = 4) -> None:
        super().__init__()
        self.channels, self.heads = channels, heads
        self.att_mi = CrossAttention(channels, heads)      # miRNA queries
        self.att_m = CrossAttention(channels, heads)       # target queries
        self.reset_parameters()

    @property
    def out_channels(self) -> int:
        return 2 * self.channels

    def reset_parameters(self) -> None:
        self.att_mi.reset_parameters()
        self.att_m.reset_parameters()

    def project(self, h: Tensor, mask: Tensor, side: str,
                zero_padding: bool = False) -> dict[str, Tensor]:
        """The per-sequence rows of ``h`` ``[N, T, d]`` with ``mask`` ``[N, T]`` on ``side``
        (``"mi"`` or ``"m"``): ``mask``, its queries ``q`` ``[N, heads, T, d_k]`` and the
        keys ``k`` ``[N, heads, d_k, T]``, values ``v`` ``[N, heads, T, d_k]`` and additive
        key mask ``bias`` ``[N, T]`` that the other side attends over. ``zero_padding``
        zeroes queries and keys at padded positions (the attention masks them anyway), so
        the logit maps are exactly zero outside the valid cells, as :class:`MatchMap`
        reads them."""
        if side not in SIDES:
            raise ValueError(f"MutualAttention.project: side must be 'mi' or 'm', got "
                             f"{side!r}")
        own, other = (self.att_mi, self.att_m) if side == "mi" else (self.att_m, self.att_mi)
        out = {"mask": mask, "q": own.queries(h)}
        out["k"], out["v"], out["bias"] = other.keys(h, mask)
        if zero_padding:
            out["q"] = out["q"].masked_fill(~mask[:, None, :, None], 0.0)
            out["k"] = out["k"].masked_fill(~mask[:, None, None, :], 0.0)
        return out

    def forward(self, mi: dict[str, Tensor], m: dict[str, Tensor], return_logits: bool = False
                ) -> tuple[Tensor, dict[str, Tensor], Tensor | None]:
        has_mi, has_m = mi["mask"].any(1), m["mask"].any(1)
        buf = out_mi = out_m = None
        if return_logits and not tracks_grad(mi["q"]) and not tracks_grad(m["q"]):
            # scoring: both directions' logits land in one [B, 2 heads, T_mi, T_m] stack (the
            # target queries' maps transposed on the way), one copy each, laid out
            # channels-last: oneDNN's 3x3 convolution over few channels runs several times
            # faster on that layout than on the default one (measured on CPU)
            h, t_mi, t_m = self.heads, mi["q"].size(2), m["q"].size(2)
            buf = mi["q"].new_empty(mi["q"].size(0), t_mi, t_m, 2 * h).permute(0, 3, 1, 2)
            out_mi, out_m = buf[:, :h], buf[:, h:].transpose(2, 3)
        # the output projections' biases are added after the max over positions (the same
        # numbers: rounding is monotonic), sparing a [B, T, d] pass each
        r_mi = self.att_mi.attend(mi["q"], mi["mask"], m["k"], m["v"], m["bias"], has_m,
                                  out_bias=False, return_logits=return_logits,
                                  logits_out=out_mi)
        r_m = self.att_m.attend(m["q"], m["mask"], mi["k"], mi["v"], mi["bias"], has_mi,
                                out_bias=False, return_logits=return_logits,
                                logits_out=out_m)
        both = (has_mi & has_m).unsqueeze(1)
        inplace = not tracks_grad(r_mi[0])
        parts = []
        for r, mask, att in ((r_mi, mi["mask"], self.att_mi), (r_m, m["mask"], self.att_m)):
            pooled = masked_max(r[0], mask & both, inplace)
            parts.append(torch.where(both, pooled + att.out.bias, pooled))
        stack = None
        if return_logits:
            stack = (buf if buf is not None
                     else torch.cat([r_mi[2], r_m[2].transpose(2, 3)], dim=1))
        return torch.cat(parts, -1), {"mirna": r_mi[1], "mrna": r_m[1]}, stack

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.channels}, heads={self.heads})"
