"""Multi-head scaled dot-product attention of one sequence's positions over another's."""
from __future__ import annotations

import math

import torch
from torch import Tensor

from rnagraph.nn.attention._masking import tracks_grad


class CrossAttention(torch.nn.Module):
    r"""Multi-head scaled dot-product attention of the positions of one sequence (queries)
    over those of another (keys and values), with padding masks on both
    (the paper's Eq. 17-21 for one direction; :class:`torch.nn.MultiheadAttention` with
    separate projections gives the same numbers at the valid positions). Per head :math:`h`,
    with :math:`d_k = d / \text{heads}`,

    .. math::
        \boldsymbol{\alpha}^{h} = \mathrm{softmax}\Big(\frac{\mathbf{X}\mathbf{W}_Q^h
        (\mathbf{Y}\mathbf{W}_K^h)^\top}{\sqrt{d_k}} + \mathbf{M}\Big), \qquad
        \mathbf{A} = \big[\boldsymbol{\alpha}^{1}\mathbf{Y}\mathbf{W}_V^1 \,\|\, \cdots
        \big]\mathbf{W}_O,

    with :math:`\mathbf{M}` 0 at valid keys and :math:`-\infty` at padded ones. Padded
    queries, and every query of a pair whose key side has no valid position, get zero
    weights (so zero attention before :math:`\mathbf{W}_O`'s bias).

    The work splits in a per-sequence part (:meth:`queries`, :meth:`keys`: the projections,
    laid out head-major) and a per-pair part (:meth:`attend`: two batched products and a
    softmax), so a caller scoring many pairs can project each sequence once and gather the
    projections per pair; :meth:`forward` does both.

    Args:
        channels (int): features :math:`d` of both sequences.
        heads (int): attention heads; must divide ``channels``. (default: ``4``)

    Shapes:
        - **input:** ``x`` ``[B, T_q, d]``, ``x_mask`` ``[B, T_q]``, ``y`` ``[B, T_k, d]``,
          ``y_mask`` ``[B, T_k]`` (bool)
        - **output:** ``[B, T_q, d]`` and the weights ``[B, heads, T_q, T_k]``
    """

    def __init__(self, channels: int, heads: int = 4) -> None:
        super().__init__()
        if channels < 1 or heads < 1 or channels % heads:
            raise ValueError(f"CrossAttention: heads={heads} must divide the feature size "
                             f"{channels} (both >= 1)")
        self.channels, self.heads = channels, heads
        self.q = torch.nn.Linear(channels, channels)
        self.k = torch.nn.Linear(channels, channels)
        self.v = torch.nn.Linear(channels, channels)
        self.out = torch.nn.Linear(channels, channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for lin in (self.q, self.k, self.v, self.out):
            lin.reset_parameters()

    def _heads(self, x: Tensor) -> Tensor:
        """``[N, T, d]`` -> ``[N, heads, T, d / heads]`` (contiguous)."""
        n, t, c = x.shape
        return x.view(n, t, self.heads, c // self.heads).transpose(1, 2).contiguous()

    def queries(self, x: Tensor) -> Tensor:
        """Scaled query projections ``[N, heads, T, d_k]`` of ``x`` ``[N, T, d]``."""
        return self._heads(self.q(x) / math.sqrt(self.channels // self.heads))

    def keys(self, y: Tensor, y_mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Transposed keys ``[N, heads, d_k, T]``, values ``[N, heads, T, d_k]`` and the
        additive key mask ``[N, T]`` (0 or -inf; all 0 for a sequence without a valid
        position, so its softmax stays finite) of ``y`` ``[N, T, d]``."""
        k = self._heads(self.k(y)).transpose(2, 3).contiguous()
        safe = y_mask | ~y_mask.any(dim=1, keepdim=True)
        bias = torch.zeros(y_mask.shape, dtype=y.dtype, device=y.device)
        return k, self._heads(self.v(y)), bias.masked_fill_(~safe, float("-inf"))

    def attend(self, q: Tensor, x_mask: Tensor, k: Tensor, v: Tensor, bias: Tensor,
               y_has: Tensor, out_bias: bool = True, return_logits: bool = False,
               logits_out: Tensor | None = None):
        """Per pair: outputs ``[B, T_q, d]`` and weights ``[B, heads, T_q, T_k]`` of queries
        ``q`` (:meth:`queries`) with mask ``x_mask`` ``[B, T_q]`` over keys ``k, v, bias``
        (:meth:`keys`); ``y_has`` ``[B]``: the key side has a valid position.
        ``out_bias=False`` leaves the output projection's bias out (a caller that pools
        over positions adds it once per pair). ``return_logits=True`` also returns the
        scaled logits ``[B, heads, T_q, T_k]`` (before the key mask and the softmax;
        meaningless at padded positions). ``logits_out`` (scoring only, no gradient): a
        ``[B, heads, T_q, T_k]`` tensor (a view may be strided) that receives the logits in
        place of a fresh copy; it is what is returned as the logits."""
        b, h, tq, dk = q.shape
        tk = k.size(-1)
        # batched products over (pair, head): each pair's numbers are computed alone, so
        # they do not depend on the other pairs of the block
        a = torch.bmm(q.reshape(b * h, tq, dk), k.reshape(b * h, dk, tk)).view(b, h, tq, tk)
        valid = (x_mask & y_has.unsqueeze(1))[:, None, :, None]
        logits = None
        if return_logits:
            if tracks_grad(a):
                logits = a
            elif logits_out is not None:
                logits = logits_out.copy_(a)
            else:
                logits = a.clone()
        if tracks_grad(a):
            a = a + bias[:, None, None, :]
            a = (a - a.amax(dim=-1, keepdim=True).detach()).exp()
            a = a / a.sum(dim=-1, keepdim=True) * valid
        else:   # the same arithmetic in place: no temporaries when scoring
            a.add_(bias[:, None, None, :])
            a.sub_(a.amax(dim=-1, keepdim=True)).exp_()
            a.div_(a.sum(dim=-1, keepdim=True)).mul_(valid)
        out = torch.bmm(a.view(b * h, tq, tk), v.reshape(b * h, tk, dk))
        out = out.view(b, h, tq, dk).transpose(1, 2).reshape(b, tq, h * dk)
        out = torch.nn.functional.linear(out, self.out.weight,
                                         self.out.bias if out_bias else None)
        return (out, a, logits) if return_logits else (out, a)

    def forward(self, x: Tensor, x_mask: Tensor, y: Tensor, y_mask: Tensor
                ) -> tuple[Tensor, Tensor]:
        return self.attend(self.queries(x), x_mask, *self.keys(y, y_mask), y_mask.any(dim=1))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.channels}, heads={self.heads})"
