"""Opening text files (plain or gzip) and normalising RNA sequences."""
from __future__ import annotations

import gzip
import io
import os
from typing import IO

from rnagraph.io.errors import InputError

#: IUPAC ambiguity codes for nucleotides (besides N). By default they are read as ``N``
#: (an unknown base), because no featurizer can use them otherwise; ``iupac="error"`` rejects them.
IUPAC_AMBIGUOUS = frozenset("RYKMSWBDHV")
#: The letters a normalised sequence may contain.
RNA_ALPHABET = frozenset("ACGUN")


def open_text(path: str | os.PathLike) -> IO[str]:
    """Open ``path`` for reading text, transparently gunzipping (detected by magic bytes, not by
    the file name). Universal newlines, so CRLF files read like LF ones."""
    if not os.path.exists(path):
        raise InputError("file not found", path)
    if os.path.isdir(path):
        raise InputError("is a directory, expected a file", path)
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline=None)
    return open(path, encoding="utf-8", newline=None)


def normalize_sequence(seq: str, *, path: str | os.PathLike | None = None,
                       line: int | None = None, iupac: str = "n") -> str:
    """Uppercase, strip whitespace, T -> U; validate the alphabet.

    Args:
        seq (str): the raw sequence.
        path, line: where it came from, for error messages.
        iupac (str): ``"n"`` (default) maps IUPAC ambiguity codes (R, Y, K, M, S, W, B, D, H, V)
            to ``N``; ``"error"`` rejects them. Any other letter is always an error.

    Raises:
        InputError: on letters outside ACGTUN (and IUPAC codes when ``iupac="error"``).
    """
    if iupac not in ("n", "error"):
        raise ValueError(f"iupac must be 'n' or 'error', got {iupac!r}")
    s = "".join(seq.split()).upper().replace("T", "U")
    bad = set(s) - RNA_ALPHABET
    if bad:
        amb = bad & IUPAC_AMBIGUOUS
        if iupac == "n" and amb == bad:
            return "".join("N" if c in IUPAC_AMBIGUOUS else c for c in s)
        shown = ", ".join(repr(c) for c in sorted(bad))
        hint = ("; IUPAC ambiguity codes are read as N unless iupac='error'"
                if not amb or iupac == "error" else "")
        raise InputError(f"letters outside ACGU/T/N in sequence: {shown}{hint}", path, line)
    return s
