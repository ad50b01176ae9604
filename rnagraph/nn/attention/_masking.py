"""Masked pooling helpers shared by the mutual-attention blocks."""
from __future__ import annotations

import torch
from torch import Tensor


def tracks_grad(x: Tensor) -> bool:
    """Whether autograd records ops on ``x``: the training path, where nothing is done in
    place (scoring, without gradients, reuses its temporaries)."""
    return torch.is_grad_enabled() and x.requires_grad


def masked_max(x: Tensor, mask: Tensor, inplace: bool = False) -> Tensor:
    """Max over dim 1 of ``x`` ``[B, T, D]`` at ``mask`` ``[B, T]``; 0 where no position is
    valid. ``inplace`` overwrites ``x``'s masked rows (for a temporary)."""
    fill = x.masked_fill_ if inplace else x.masked_fill
    out = fill(~mask.unsqueeze(-1), float("-inf")).amax(dim=1)
    return torch.where(mask.any(dim=1, keepdim=True), out, torch.zeros_like(out))


def additive_mask(mask: Tensor, dtype: torch.dtype) -> Tensor:
    """``[B, T]`` boolean validity -> 0 where valid, ``-inf`` elsewhere."""
    return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill_(
        ~mask, float("-inf"))
