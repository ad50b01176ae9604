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
    error half-way: a binary file, a NUL byte anywhere (with its line), UTF-16 text, bytes that
    are not UTF-8 or a truncated gzip stream raise :class:`InputError` naming the file (and the
    line of the first bad byte). A UTF-8
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
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or _utf16_without_bom(raw):
        raise InputError("UTF-16 text; save the file as UTF-8 (plain text, e.g. `iconv -f "
                         "UTF-16 -t UTF-8`)", path)
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        if nul < 65536:
            raise InputError("binary file (NUL bytes), expected text (FASTA, CSV or TSV)", path,
                             line)
        raise InputError("a NUL byte (binary data) in the text; remove it or fix the file",
                         path, line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"byte 0x{raw[exc.start]:02x} is not UTF-8 text; save the file as "
                         "UTF-8", path, line) from None
    return io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"))


def _utf16_without_bom(raw: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL after (or before) every
    character, so one of the two byte positions is almost all NUL."""
    head = raw[:4096]
    if len(head) < 8:
        return False
    even, odd = head[0::2], head[1::2]
    return max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.9 \
        and min(even.count(0), odd.count(0)) == 0


#: spellings of a missing value that must not be read as a sequence (``NA`` and ``nan`` are
#: made of valid letters)
MISSING_VALUES = frozenset({"nan", "na", "n/a", "none", "null", "nil", "-", "?"})


def normalize_sequence(seq: str, *, path: str | os.PathLike | None = None,
                       line: int | None = None, iupac: str = "n",
                       check_missing: bool = True) -> str:
    """Uppercase, strip whitespace, T -> U; validate the alphabet.

    Args:
        seq (str): the raw sequence.
        path, line: where it came from, for error messages.
        iupac (str): ``"n"`` (default) maps IUPAC ambiguity codes (R, Y, K, M, S, W, B, D, H, V)
            to ``N``; ``"error"`` rejects them. Any other letter is always an error.
        check_missing (bool): refuse missing-value spellings (``nan``, ``NA``, ``None``);
            ``False`` for one line of a longer FASTA record. (default: ``True``)

    Raises:
        InputError: on letters outside ACGTUN (and IUPAC codes when ``iupac="error"``), and on
            a missing value such as ``nan``, ``NA`` or ``None`` (:data:`MISSING_VALUES`).
    """
    if iupac not in ("n", "error"):
        raise ValueError(f"iupac must be 'n' or 'error', got {iupac!r}")
    if check_missing and seq.strip().lower() in MISSING_VALUES:
        raise InputError(f"sequence {seq.strip()!r} is a missing value, not a sequence; remove "
                         "the record (RNAs without a sequence are kept as nodes from the pair "
                         "file)", path, line)
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
