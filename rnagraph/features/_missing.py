"""Sequence clean-up and the missing-sequence mask shared by every featurizer.

Convention (the same as the ``has_seq`` field of rnagraph's graphs): ``None`` in a list of
sequences means *no sequence*; featurizers return an all-zero row for it, and the mask
``True`` = "this row has a sequence". Get it with :func:`sequence_mask` or with
``transform(seqs, return_mask=True)``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from rnagraph.io import IUPAC_AMBIGUOUS, RNA_ALPHABET

#: IUPAC ambiguity codes are folded to ``N`` (they carry no single nucleotide); the alphabet is
#: the one :mod:`rnagraph.io` reads.
_FOLD = str.maketrans({c: "N" for c in IUPAC_AMBIGUOUS} | {"T": "U"})
_VALID = str.maketrans("", "", "".join(RNA_ALPHABET))


def sequence_mask(seqs: Sequence[str | None]) -> np.ndarray:
    """Boolean mask of shape ``[n]``: ``True`` where ``seqs[i]`` is a sequence, ``False`` where
    it is ``None`` (an empty string counts as a sequence of length 0)."""
    _check_list(seqs, "sequence_mask")
    return np.fromiter((s is not None for s in seqs), dtype=bool, count=len(seqs))


def normalize_sequence(seq: str, owner: str = "normalize_sequence", index: int = 0) -> str:
    """Upper-case, ``T -> U``, IUPAC ambiguity codes ``-> N``; raise on anything else.

    Raises:
        TypeError: ``seq`` is not a string.
        ValueError: a character outside ``ACGTUN`` and the IUPAC codes (named, with its position).
    """
    if not isinstance(seq, str):
        raise TypeError(f"{owner}: sequence {index} is {type(seq).__name__} ({seq!r}), expected "
                        "str, or None for a missing sequence (convert pandas NaN with "
                        "series.where(series.notna(), None))")
    out = seq.upper().translate(_FOLD)
    bad = out.translate(_VALID)
    if bad:
        pos = next(i for i, c in enumerate(out) if c not in "ACGUN")
        raise ValueError(
            f"{owner}: sequence {index} has invalid character {seq[pos]!r} at position {pos}; "
            "expected RNA/DNA letters (ACGU/T, N or IUPAC codes)")
    return out


def normalize_sequences(seqs: Sequence[str | None], owner: str,
                        max_len: int | None = None) -> list[str | None]:
    """:func:`normalize_sequence` over a list, keeping ``None``; optionally truncate each
    sequence to its first ``max_len`` nucleotides (5' end). Never mutates ``seqs``."""
    _check_list(seqs, owner)
    out: list[str | None] = []
    for i, s in enumerate(seqs):
        if s is None:
            out.append(None)
            continue
        s = normalize_sequence(s, owner, i)
        out.append(s if max_len is None else s[:max_len])
    return out


def _check_list(seqs: object, owner: str) -> None:
    if isinstance(seqs, (str, bytes)):
        raise TypeError(f"{owner}: expected a list of sequences, got a single string; "
                        "wrap it in a list: [seq]")
    if not hasattr(seqs, "__len__") or not hasattr(seqs, "__getitem__"):
        raise TypeError(f"{owner}: expected a sequence (list/tuple) of str | None, "
                        f"got {type(seqs).__name__}")
