"""Opening text files (plain or gzip) and normalising RNA sequences."""
from __future__ import annotations

import gzip
import io
import os
import zlib
from typing import IO

from rnagraph.io.errors import InputError

#: IUPAC ambiguity codes for nucleotides (besides N). By default they are read as ``N``
#: (an unknown base), because no featurizer can use them otherwise; ``iupac="error"`` rejects them.
IUPAC_AMBIGUOUS = frozenset("RYKMSWBDHV")
#: The letters a normalised sequence may contain.
RNA_ALPHABET = frozenset("ACGUN")


def open_text(path: str | os.PathLike) -> IO[str]:
    """Open ``path`` for reading text, transparently gunzipping (detected by magic bytes, not by
    the file name). The whole file is read and checked first, so a reader never meets a decoding
    error half-way: a binary file, bytes that are not UTF-8 or a truncated gzip stream raise
    :class:`InputError` naming the file (and the line of the first bad byte). A UTF-8
    byte-order mark is dropped; CRLF and CR line ends read as LF.
    """
    if not os.path.exists(path):
        raise InputError("file not found", path)
    if os.path.isdir(path):
        raise InputError("is a directory, expected a file", path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path) from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise InputError(f"truncated or corrupt gzip file ({exc}); download or compress it "
                             "again", path) from None
    if b"\x00" in raw[:65536]:
        raise InputError("binary file (NUL bytes), expected text (FASTA, CSV or TSV)", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"byte 0x{raw[exc.start]:02x} is not UTF-8 text; save the file as "
                         "UTF-8", path, line) from None
    return io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"))


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
        wrong = bad if iupac == "error" else bad - IUPAC_AMBIGUOUS
        shown = ", ".join(repr(c) for c in sorted(wrong))
        col = min(s.index(c) for c in wrong) + 1
        hint = (" (IUPAC ambiguity codes are rejected because iupac='error')"
                if iupac == "error" and amb else "")
        raise InputError(f"letters outside ACGU/T/N in sequence: {shown} (first at position "
                         f"{col}){hint}; fix or remove the sequence", path, line)
    return s
