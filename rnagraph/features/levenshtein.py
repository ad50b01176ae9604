"""Normalised Levenshtein similarity matrices (MFERL's sequence-similarity feature)."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np

from rnagraph.features import _cache
from rnagraph.features._estimator import Estimator, is_int
from rnagraph.features._missing import normalize_sequences

_SCORER_TAG = "rapidfuzz.Levenshtein.normalized_similarity|float32"


class LevenshteinSimilarity(Estimator):
    r"""Pairwise normalised Levenshtein similarity of RNA sequences, MFERL's sequence-similarity
    feature (Levenshtein, 1966):

    .. math::
        S_{ij} = 1 - \frac{d(s_i, s_j)}{\max(|s_i|, |s_j|)}

    with :math:`d` the edit distance (unit-cost insertions, deletions, substitutions), so
    :math:`S_{ij} \in [0, 1]`, :math:`S_{ii} = 1` and :math:`S` is symmetric (two empty strings
    have similarity 1; an empty and a non-empty one 0). Computed with
    ``rapidfuzz.process.cdist(..., scorer=Levenshtein.normalized_similarity, dtype=float32)``;
    the fitted set against itself passes the same list as queries and choices, so rapidfuzz
    computes each unordered pair once.

    ``fit(seqs)`` stores the reference set; ``transform()`` (or ``fit_transform(seqs)``) returns
    its :math:`n \times n` matrix, ``transform(queries)`` the :math:`m \times n` cross-set matrix
    of new sequences against the reference set (e.g. to score RNAs unseen at fit time).

    **Missing sequences:** rows and columns of ``None`` entries are all zero, the diagonal
    included; ``has_seq_`` (``bool [n]``) marks the reference columns that have a sequence and
    ``return_mask=True`` also returns the query mask.

    **Cost:** :math:`O(n^2 L^2 / w)` with :math:`w` = 64-bit words (Hyyrö's bit-parallel
    algorithm): quadratic in the number *and* the length of sequences; about 2 minutes for
    2,000 sequences of mean length 1,500 on 2 cores. Use :obj:`max_len` to truncate long
    sequences (to their first ``max_len`` nucleotides, the 5' end) when that is too slow.

    **Cache:** results are stored as ``.npy`` files named ``levenshtein-<sha256>.npy`` in
    :obj:`cache_dir`, keyed by a hash of the (normalised, truncated) sequences, the mode
    (symmetric/cross) and the scorer; a hit loads the matrix without recomputing
    (``from_cache_`` says which happened). Files are written atomically (temp file +
    ``os.replace``); an unreadable file is ignored with a warning and recomputed.

    **Progress:** a ``tqdm`` bar counting pairs. rapidfuzz has no callback, so a shown bar means
    computing in row blocks of :obj:`block_size` rows (diagonal block symmetric, the rest
    rectangular: each pair is still computed once). With the bar off and no
    :obj:`block_size`, one direct ``cdist`` call is made.

    Args:
        max_len (int, optional): truncate sequences to this many nucleotides first.
            (default: :obj:`None`, no truncation)
        cache (bool, optional): read/write the disk cache. (default: :obj:`True`)
        cache_dir (str or Path, optional): cache folder. (default: ``$RNAGRAPH_CACHE``, else
            ``~/.cache/rnagraph``)
        block_size (int, optional): rows per ``cdist`` call when blocking.
            (default: :obj:`None` = ``max(32, ceil(n / 16))``, i.e. at most 16 blocks, measured
            at <= 5 % overhead against a single call in ``benchmarks/features.py``)
        progress (bool, optional): show the progress bar; :obj:`None` = only when stderr is a
            terminal (tqdm's rule). (default: :obj:`None`)
        workers (int, optional): threads for rapidfuzz; ``-1`` = all cores. (default: ``-1``)

    Shapes:
        - **input:** list of ``n`` (reference) or ``m`` (query) sequences, ``str`` or ``None``
        - **output:** ``float32 [n, n]`` or ``[m, n]``
    """

    def __init__(self, max_len: int | None = None, cache: bool = True,
                 cache_dir: str | Path | None = None, block_size: int | None = None,
                 progress: bool | None = None, workers: int = -1):
        self.max_len = max_len
        self.cache = cache
        self.cache_dir = cache_dir
        self.block_size = block_size
        self.progress = progress
        self.workers = workers

    # ------------------------------------------------------------------ sklearn-style API
    def fit(self, seqs: Sequence[str | None], y: None = None) -> "LevenshteinSimilarity":
        """Check the parameters and store the reference sequences; ``y`` is ignored
        (scikit-learn's signature). Returns ``self``."""
        self._validate_params()
        self.seqs_ = normalize_sequences(seqs, "LevenshteinSimilarity", self.max_len)
        self.has_seq_ = np.fromiter((s is not None for s in self.seqs_), bool, len(self.seqs_))
        self.n_features_out_ = len(self.seqs_)
        return self

    def transform(self, seqs: Sequence[str | None] | None = None, return_mask: bool = False):
        """Similarity of ``seqs`` (default: the fitted set) to the fitted set.

        Returns:
            ``float32 [m, n]``; with ``return_mask=True`` also the ``bool [m]`` query mask
            (``True`` where a sequence exists).
        """
        if not hasattr(self, "seqs_"):
            raise ValueError("LevenshteinSimilarity is not fitted yet: call fit(seqs) first")
        ref = self.seqs_
        queries = ref if seqs is None else normalize_sequences(
            seqs, "LevenshteinSimilarity", self.max_len)
        qmask = np.fromiter((s is not None for s in queries), bool, len(queries))
        q_present = [s for s in queries if s is not None]
        r_present = [s for s in ref if s is not None]
        out = np.zeros((len(queries), len(ref)), dtype=np.float32)
        self.from_cache_ = False
        if q_present and r_present:
            sym = queries == ref
            block = self._matrix(q_present, None if sym else r_present)
            out[np.ix_(qmask, self.has_seq_)] = block
        return (out, qmask) if return_mask else out

    def fit_transform(self, seqs: Sequence[str | None], y: None = None, *,
                      return_mask: bool = False):
        """:meth:`fit` then the ``[n, n]`` matrix of ``seqs`` (see :meth:`transform`)."""
        return self.fit(seqs).transform(None, return_mask=return_mask)

    def to_tensor(self, seqs: Sequence[str | None] | None = None):
        """:meth:`transform` as a ``torch.float32`` tensor."""
        import torch
        return torch.from_numpy(self.transform(seqs))

    # ------------------------------------------------------------------ computation
    def _matrix(self, queries: list[str], choices: list[str] | None) -> np.ndarray:
        """``choices=None``: symmetric matrix of ``queries``; else ``[len(q), len(c)]``."""
        shape = (len(queries), len(queries) if choices is None else len(choices))
        path = None
        if self.cache:
            mode = "sym" if choices is None else "cross"
            lists = (queries,) if choices is None else (queries, choices)
            key = _cache.hash_key(f"{_SCORER_TAG}|{mode}", *lists)
            root = Path(self.cache_dir).expanduser() if self.cache_dir else \
                _cache.default_cache_dir()
            path = root / f"levenshtein-{key}.npy"
            self.cache_file_ = path
            hit = _cache.load(path, shape)
            if hit is not None:
                self.from_cache_ = True
                return hit
        out = self._compute(queries, choices)
        if path is not None:
            _cache.save_atomic(path, out)
        return out

    def _compute(self, queries: list[str], choices: list[str] | None) -> np.ndarray:
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import cdist
        from tqdm.auto import tqdm

        def run(q, c):
            return cdist(q, c, scorer=Levenshtein.normalized_similarity, processor=None,
                         workers=self.workers, dtype=np.float32)

        sym = choices is None
        m = len(queries)
        n = m if sym else len(choices)
        disable = None if self.progress is None else not self.progress
        bar = tqdm(total=m * (m + 1) // 2 if sym else m * n, unit="pair", unit_scale=True,
                   desc="Levenshtein", disable=disable, leave=False)
        if bar.disable and self.block_size is None:  # no bar wanted: one direct call
            bar.close()
            return run(queries, queries if sym else choices)
        b = self.block_size or max(32, math.ceil(m / 16))
        out = np.empty((m, n), dtype=np.float32)
        with bar:
            for i in range(0, m, b):
                blk = queries[i:i + b]
                j = i + len(blk)
                if sym:
                    out[i:j, i:j] = run(blk, blk)  # same object: rapidfuzz does half
                    if j < m:
                        rest = run(blk, queries[j:])
                        out[i:j, j:] = rest
                        out[j:, i:j] = rest.T
                    bar.update(len(blk) * (len(blk) + 1) // 2 + len(blk) * (m - j))
                else:
                    out[i:j] = run(blk, choices)
                    bar.update(len(blk) * n)
        return out

    def _validate_params(self) -> None:
        self._check_param("max_len", self.max_len is None or (is_int(self.max_len)
                                                        and self.max_len >= 1),
                    "must be a positive int or None")
        self._check_param("block_size", self.block_size is None or (is_int(self.block_size)
                                                              and self.block_size >= 1),
                    "must be a positive int or None")
        self._check_param("cache", isinstance(self.cache, bool), "must be True or False")
        self._check_param("progress", self.progress is None or isinstance(self.progress, bool),
                    "must be True, False or None")
        self._check_param("workers", is_int(self.workers) and (self.workers >= 1
                                                         or self.workers == -1),
                    "must be a positive int or -1 (all cores)")
