"""k-mer indexing shared by KmerFrequency, KmerEmbedding and KmerTokenizer.

A k-mer's index is its value in base 4 with ``A=0, C=1, G=2, U=3`` (most significant first),
so index order is lexicographic: ``AA..A`` = 0, ``UU..U`` = ``4**k - 1``.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import product

import numpy as np

ALPHABET = "ACGU"
_CODE = np.full(256, 4, dtype=np.uint8)  # every byte that is not A/C/G/U -> 4 ("N")
for _i, _c in enumerate(ALPHABET):
    _CODE[ord(_c)] = _i


@lru_cache(maxsize=None)
def kmer_vocabulary(k: int) -> tuple[str, ...]:
    """All ``4**k`` k-mers in index order."""
    return tuple("".join(p) for p in product(ALPHABET, repeat=k))


def encode(seq: str) -> np.ndarray:
    """Normalised sequence -> ``uint8`` codes (A0 C1 G2 U3, N4)."""
    return _CODE[np.frombuffer(seq.encode("ascii"), dtype=np.uint8)]


def kmer_ids(codes: np.ndarray, k: int, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Index of every k-mer window starting at ``0, stride, 2*stride, ...``.

    Returns:
        ``(ids, valid)``: ``int64 [W]`` indices and ``bool [W]`` (``False`` where the window
        contains an N; its id is then meaningless).
    """
    n_win = len(codes) - k + 1
    if n_win <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    c = codes.astype(np.int64)
    ids = np.zeros(n_win, dtype=np.int64)
    bad = np.zeros(n_win, dtype=bool)
    for j in range(k):
        col = c[j:j + n_win]
        ids = ids * 4 + np.minimum(col, 3)
        bad |= col == 4
    return ids[::stride], ~bad[::stride]
