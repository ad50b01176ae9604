"""k-mer frequency featurizer (MFERL's 1-4-mer feature)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from rnagraph.features._base import SequenceFeaturizer
from rnagraph.features._kmers import encode, kmer_ids, kmer_vocabulary


class KmerFrequency(SequenceFeaturizer):
    r"""Concatenated, per-:math:`k` normalised k-mer frequencies of RNA sequences, as used by
    MFERL for its "1-4-mer" feature.

    For each :math:`k` in :obj:`k` and each k-mer :math:`w` (index order ``A < C < G < U``,
    i.e. ``AA, AC, AG, AU, CA, ...``)

    .. math::
        f_k(w) = \frac{\#\{\text{windows of length } k \text{ equal to } w\}}
        {\#\{\text{windows of length } k \text{ without N}\}},

    so each :math:`k`-block sums to 1. Windows containing ``N`` (or an IUPAC ambiguity code)
    are left out of both counts; a sequence shorter than :math:`k` (or all of whose windows
    contain ``N``) gets an all-zero block. ``T`` is read as ``U``. ``None`` (no sequence) gives
    an all-zero row; see ``transform(..., return_mask=True)``.

    Output dims: :math:`\sum_k 4^k` (340 for the default ``k=(1, 2, 3, 4)``), ``float32``.
    Cost: :math:`O(|k| \cdot L)` per sequence; nothing is learned (``fit`` is optional).

    Args:
        k (int or tuple[int, ...], optional): the k-mer lengths, each in ``1..8``.
            (default: ``(1, 2, 3, 4)``)

    Shapes:
        - **input:** list of ``n`` sequences (``str`` or ``None``)
        - **output:** ``[n, sum(4**k)]``
    """

    def __init__(self, k: int | Sequence[int] = (1, 2, 3, 4)):
        self.k = k

    @property
    def ks(self) -> tuple[int, ...]:
        ks = (self.k,) if isinstance(self.k, (int, np.integer)) else tuple(self.k)
        if not ks or any(not isinstance(x, (int, np.integer)) or not 1 <= x <= 8 for x in ks):
            raise ValueError(f"KmerFrequency: k={self.k!r} must be an int or a non-empty tuple of "
                             "ints in 1..8 (4**8 = 65536 dims per k)")
        return ks

    def _validate_params(self) -> None:
        self.ks  # noqa: B018 - raises for a bad k

    @property
    def num_features(self) -> int:
        return sum(4**k for k in self.ks)

    def get_feature_names_out(self) -> list[str]:
        """The k-mer of each output column."""
        return [w for k in self.ks for w in kmer_vocabulary(k)]

    def _featurize(self, seqs: list[str]) -> np.ndarray:
        ks = self.ks
        out = np.zeros((len(seqs), self.num_features), dtype=np.float64)
        for i, s in enumerate(seqs):
            codes = encode(s)
            off = 0
            for k in ks:
                ids, valid = kmer_ids(codes, k)
                ids = ids[valid]
                if len(ids):
                    out[i, off:off + 4**k] = np.bincount(ids, minlength=4**k) / len(ids)
                off += 4**k
        return out.astype(np.float32)
