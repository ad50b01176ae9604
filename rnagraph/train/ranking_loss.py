"""RankingLoss: a sampled softmax of each positive against its one-end corruptions."""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from rnagraph.features._estimator import Estimator, is_int


def rank_corruptions(pos: np.ndarray, n_src: int, n_dst: int, r: int,
                     rng: np.random.Generator,
                     degree_share: float = 0.0) -> tuple[np.ndarray, Tensor, Tensor]:
    """The ranking pool of the positives ``pos [2, P]``: their sorted codes
    (``src * n_dst + dst``) and, row by row in that order, ``[P, r]`` uniform source ids that
    corrupt the pair while keeping its destination and ``[P, r]`` destination ids keeping its
    source (the candidates of all-candidate ranking); ``-1`` marks a draw that is itself a
    positive; the first ``round(degree_share * r)`` columns draw in proportion to the
    training degree instead (the popular competitors that top a ranking)."""
    codes = np.unique(pos[0].astype(np.int64) * n_dst + pos[1])
    s, d = codes // n_dst, codes % n_dst
    cs = rng.integers(n_src, size=(codes.size, r))
    cd = rng.integers(n_dst, size=(codes.size, r))
    h = int(round(degree_share * r))
    if h:
        for c, n, side in ((cs, n_src, 0), (cd, n_dst, 1)):
            w = np.bincount(pos[side], minlength=n).astype(np.float64)
            c[:, :h] = rng.choice(n, size=(codes.size, h), p=w / w.sum())
    cs[np.isin(cs * n_dst + d[:, None], codes)] = -1
    cd[np.isin(s[:, None] * n_dst + cd, codes)] = -1
    return codes, torch.from_numpy(cs), torch.from_numpy(cd)


class RankingLoss(Estimator):
    r"""A listwise ranking term added to a link model's binary cross-entropy, aimed at
    all-candidate ranking (MRR, Hits@k), which ranks a held-out pair against every unobserved
    pair of the same RNA.

    With weight :math:`\lambda` = ``rank_weight`` the loss is

    .. math::
        \mathcal{L} = \mathrm{BCE} + \frac{\lambda}{2} \sum_{\text{side}}
        \frac{1}{|B|} \sum_{(s, d) \in B}
        \Big[\log\Big(e^{x_{sd}} + \sum_{j=1}^{K} e^{x_{c_j}}\Big) - x_{sd}\Big],

    a sampled softmax (listwise cross-entropy) of each positive in :math:`B` (``rank_batch``
    random training positives per step; all when ``0``) against :math:`K` = ``rank_k``
    corruptions :math:`c_j` that keep its destination (a new source) and, as the second side,
    :math:`K` that keep its source. The corruptions are drawn each step from a pool fixed at
    fit (:meth:`candidates`: ``rank_pool`` uniform draws per positive and side; draws that are
    training positives are masked out; a ``rank_degree_share`` of them may instead be drawn
    in proportion to the training degree). ``rank_weight=0`` trains on BCE alone.

    Used by :class:`~rnagraph.models.StructLink` (its ``ranking=`` part); a part of
    parameters only (nothing is learned), checked when the model is fitted.

    Args:
        rank_weight (float): :math:`\lambda`, ``>= 0``; ``0``: no ranking term.
            (default: ``2``)
        rank_k (int): corruptions :math:`K` per positive, side and step, ``>= 1``.
            (default: ``64``)
        rank_pool (int): fixed corruptions per positive and side to draw them from, ``>= 1``.
            (default: ``128``)
        rank_batch (int): training positives in the term per step (a random subset; ``0``:
            all). (default: ``512``)
        rank_degree_share (float): share of the pool drawn in proportion to the training
            degree instead of uniformly, in ``[0, 1]``. (default: ``0``)

    Shapes:
        - :meth:`softmax` **input:** positive logits ``[P]``, per side corruption logits
          ``[P, K]`` and their validity ``[P, K]`` (bool)
        - **output:** the mean term over both sides, a scalar
    """

    def __init__(self, rank_weight: float = 2.0, rank_k: int = 64, rank_pool: int = 128,
                 rank_batch: int = 512, rank_degree_share: float = 0.0) -> None:
        self.rank_weight = rank_weight
        self.rank_k = rank_k
        self.rank_pool = rank_pool
        self.rank_batch = rank_batch
        self.rank_degree_share = rank_degree_share

    def _validate_params(self) -> None:
        c = self._check_param
        c("rank_weight", self.rank_weight >= 0, "must be >= 0")
        c("rank_batch", is_int(self.rank_batch) and self.rank_batch >= 0, "must be >= 0")
        for name in ("rank_k", "rank_pool"):
            c(name, is_int(getattr(self, name)) and getattr(self, name) >= 1, "must be >= 1")
        c("rank_degree_share", 0.0 <= self.rank_degree_share <= 1.0, "must be in [0, 1]")

    def candidates(self, pos: np.ndarray, n_src: int, n_dst: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, Tensor, Tensor] | None:
        """The fit's corruption pool of training positives ``pos [2, P]``
        (:func:`rank_corruptions` with ``rank_pool`` draws per side), ``None`` when
        ``rank_weight`` is 0 (no draw from ``rng`` then)."""
        self._validate_params()
        if self.rank_weight <= 0:
            return None
        return rank_corruptions(pos, n_src, n_dst, self.rank_pool, rng, self.rank_degree_share)

    @staticmethod
    def softmax(lp: Tensor, sides: list[tuple[Tensor, Tensor]]) -> Tensor:
        """The sampled-softmax term (without :math:`\\lambda`) of positive logits ``lp [P]``
        against each side's corruption logits ``[P, K]``, invalid ones (``False`` in the
        side's mask ``[P, K]``) left out, averaged over the sides."""
        lp = lp[:, None]
        out = lp.new_zeros(())
        for lc, valid in sides:
            lc = lc.masked_fill(~valid, float("-inf"))
            out = out + (torch.logsumexp(torch.cat([lp, lc], 1), 1) - lp[:, 0]).mean() / len(sides)
        return out


__all__ = ["RankingLoss", "rank_corruptions"]
