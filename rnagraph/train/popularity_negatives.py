"""PopularityNegatives: a fixed pool of popularity, corruption and uniform negatives."""
from __future__ import annotations

import numpy as np

from rnagraph.features._estimator import Estimator


def popularity_negatives(pos: np.ndarray, n_src: int, n_dst: int, n: int, degree_share: float,
                         rng: np.random.Generator, corrupt_share: float = 0.0) -> np.ndarray:
    """``[2, <=n]`` pairs that are not in ``pos [2, P]``: a ``degree_share`` keep one end of a
    random positive and draw the other in proportion to its degree in ``pos``, a
    ``corrupt_share`` keep one end and draw the other uniformly (each side half of the time),
    the rest are uniform pairs; every draw is among the nodes with positives."""
    ks, kd = np.bincount(pos[0], minlength=n_src), np.bincount(pos[1], minlength=n_dst)
    n_deg, n_cor = int(round(n * degree_share)), int(round(n * corrupt_share))
    n_uni = max(n - n_deg - n_cor, 0)
    s, d = [], []
    for m, ws, wd in ((n_deg, ks, kd), (n_cor, ks > 0, kd > 0)):
        e, half = rng.integers(pos.shape[1], size=m), m // 2
        s += [pos[0, e[:half]], rng.choice(n_src, size=m - half, p=ws / ws.sum())]
        d += [rng.choice(n_dst, size=half, p=wd / wd.sum()), pos[1, e[half:]]]
    us, ud = np.flatnonzero(ks), np.flatnonzero(kd)
    s, d = (np.concatenate([us[rng.integers(us.size, size=n_uni)], *s]),
            np.concatenate([ud[rng.integers(ud.size, size=n_uni)], *d]))
    keep = ~np.isin(s * n_dst + d, pos[0].astype(np.int64) * n_dst + pos[1])
    return np.stack([s[keep], d[keep]])


class PopularityNegatives(Estimator):
    r"""The negatives a model trains on beside a fold's labelled pairs: a pool of
    ``pool_ratio`` x :math:`P` pairs (:math:`P` training positives) drawn **once per fit**,
    from which each epoch draws ``neg_ratio`` x (the step's positives) at random.

    The pool mixes three kinds of pair (shares of the pool; every draw is among the nodes that
    have training positives, and training positives are rejected):

    * ``degree_share``: keep one end of a random training positive and draw the other in
      proportion to its training degree :math:`k_v / \sum_u k_u` (word2vec-style popularity
      negatives, so that degree alone cannot separate them from the positives);
    * ``corrupt_share``: keep one end and draw the other uniformly (the candidates of
      all-candidate ranking);
    * the rest: uniform pairs.

    Used by :class:`~rnagraph.models.StructLink` (its ``negatives=`` part); a part of
    parameters only (nothing is learned), checked when the model is fitted.

    Args:
        degree_share (float): share of popularity negatives, ``>= 0``. (default: ``0.34``)
        corrupt_share (float): share of uniform one-end corruptions, ``>= 0``; the two shares
            sum to at most 1. (default: ``0.33``)
        neg_ratio (float): negatives per positive and epoch, ``>= 0``. (default: ``2``)
        pool_ratio (float): pool size per training positive, ``>= 0``. (default: ``20``)
    """

    def __init__(self, degree_share: float = 0.34, corrupt_share: float = 0.33,
                 neg_ratio: float = 2.0, pool_ratio: float = 20.0) -> None:
        self.degree_share = degree_share
        self.corrupt_share = corrupt_share
        self.neg_ratio = neg_ratio
        self.pool_ratio = pool_ratio

    def _validate_params(self) -> None:
        c = self._check_param
        c("degree_share", 0.0 <= self.degree_share, "must be >= 0")
        c("corrupt_share", 0.0 <= self.corrupt_share
          and self.degree_share + self.corrupt_share <= 1.0, "must be >= 0, with degree_share "
          "+ corrupt_share <= 1")
        for name in ("neg_ratio", "pool_ratio"):
            c(name, getattr(self, name) >= 0, "must be >= 0")

    def pool(self, pos: np.ndarray, n_src: int, n_dst: int,
             rng: np.random.Generator) -> np.ndarray:
        """The fit's pool ``[2, <= round(pool_ratio * P)]`` for training positives
        ``pos [2, P]`` of an ``n_src`` x ``n_dst`` edge type, drawn from ``rng``."""
        self._validate_params()
        return popularity_negatives(pos, n_src, n_dst, int(round(self.pool_ratio * pos.shape[1])),
                                    self.degree_share, rng, self.corrupt_share)


__all__ = ["PopularityNegatives", "popularity_negatives"]
