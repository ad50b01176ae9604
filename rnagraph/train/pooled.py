"""Pair scores pooled from other pairs' scores: how the sequence-neighbour transfer scores a new
RNA's pair, and how the trainer validates on such pairs."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from rnagraph.data.fold import LinkSet


def pool_scores(raw: Tensor, owner: Tensor, weight: Tensor, n: int) -> Tensor:
    r"""Weighted sums :math:`y_i = \sum_{m:\,o_m = i} w_m\, x_m` ``[n]`` (float64) of raw scores
    ``raw`` ``[M]`` of pooled pairs, ``owner`` ``[M]`` the pair ``i`` each belongs to and
    ``weight`` ``[M]`` its weight; a pair that owns none is NaN. Each pair's terms are summed in
    their order in ``owner``, so its score does not depend on the other pairs."""
    out = torch.zeros(n, dtype=torch.float64)
    out.index_add_(0, owner, weight.double() * raw.double().cpu())
    scored = torch.zeros(n, dtype=torch.bool)
    scored[owner] = True
    return out.masked_fill(~scored, float("nan"))


@dataclass
class PooledLinkSet(LinkSet):
    """Labelled pairs ``edge_label_index`` ``[2, N]`` whose scores are pooled from the scores
    of other pairs: ``pool_index`` ``[2, M]`` (what the model scores), ``pool_owner`` ``[M]``
    and ``pool_weight`` ``[M]`` (:func:`pool_scores`). The validation pairs of an inductive
    fold on RNAs a model scores through the sequence-neighbour transfer are such a set:
    :class:`~rnagraph.train.Trainer` validates on :meth:`pool` of its scores of
    ``pool_index``, so early stopping sees the same scores the model will give new RNAs."""

    pool_index: Tensor = None
    pool_owner: Tensor = None
    pool_weight: Tensor = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.pool_index is None or self.pool_owner is None or self.pool_weight is None:
            raise ValueError("PooledLinkSet: pool_index, pool_owner and pool_weight are needed")
        m = self.pool_owner.numel()
        if self.pool_index.shape != (2, m) or self.pool_weight.numel() != m:
            raise ValueError(f"PooledLinkSet: pool_index {tuple(self.pool_index.shape)}, "
                             f"pool_owner [{m}] and pool_weight [{self.pool_weight.numel()}] "
                             "do not match")

    def pool(self, raw: Tensor) -> Tensor:
        """The scores ``[N]`` of ``edge_label_index`` from the scores ``raw`` ``[M]`` of
        ``pool_index`` (NaN where a pair cannot be scored)."""
        return pool_scores(raw, self.pool_owner, self.pool_weight, len(self))


__all__ = ["PooledLinkSet", "pool_scores"]
