"""Sequence similarity between two lists of RNAs: the one implementation behind the
sequence-neighbour vote and the models' sequence-neighbour transfer."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: the similarity kinds :func:`sequence_similarity` computes
SIMILARITY_KINDS = ("levenshtein", "kmer")


def sequence_similarity(queries: Sequence[str | None], known: Sequence[str],
                        kind: str = "kmer", max_len: int | None = None) -> np.ndarray:
    r"""Similarities :math:`S \in [0, 1]` ``[Q, K]`` (float64) of every query sequence with
    every known sequence.

    * ``"levenshtein"``: :math:`1 - d(s, s') / \max(|s|, |s'|)` with :math:`d` the edit
      distance (:class:`~rnagraph.features.LevenshteinSimilarity`; quadratic in the length,
      ``max_len`` truncates both to their first ``max_len`` nucleotides);
    * ``"kmer"``: the cosine of the two 1-4-mer frequency profiles
      (:class:`~rnagraph.features.KmerFrequency`), clipped to :math:`[0, 1]`; linear in the
      length, the choice for long RNAs.

    A query without a sequence (``None`` or empty) has a row of zeros.

    Args:
        queries (list[str | None]): ``Q`` sequences (or ``None``).
        known (list[str]): ``K`` sequences.
        kind (str): ``"levenshtein"`` or ``"kmer"``. (default: ``"kmer"``)
        max_len (int, optional): truncation for ``"levenshtein"``. (default: ``None``)
    """
    if kind not in SIMILARITY_KINDS:
        raise ValueError(f"sequence_similarity: kind must be one of {SIMILARITY_KINDS}, "
                         f"got {kind!r}")
    queries = list(queries)
    if not known or not queries:
        return np.zeros((len(queries), len(known)))
    if kind == "levenshtein":
        from rnagraph.features.levenshtein import LevenshteinSimilarity
        lev = LevenshteinSimilarity(max_len=max_len).fit(list(known))
        return lev.transform(queries).astype(np.float64)
    from rnagraph.features.kmer import KmerFrequency
    kf = KmerFrequency()
    q, k = (kf.transform(list(s)).astype(np.float64) for s in (queries, known))
    for x in (q, k):
        norm = np.linalg.norm(x, axis=1, keepdims=True)
        np.divide(x, norm, out=x, where=norm > 0)
    return np.clip(q @ k.T, 0.0, 1.0)


__all__ = ["sequence_similarity", "SIMILARITY_KINDS"]
