"""FASTA and two-column sequence tables."""
from __future__ import annotations

import csv
import os

from rnagraph.io._text import normalize_sequence, open_text
from rnagraph.io.errors import InputError


def read_fasta(path: str | os.PathLike, *, iupac: str = "n") -> dict[str, str]:
    """Read a (optionally gzipped) FASTA file into ``{id: sequence}``.

    The id is the first whitespace-separated word of the header (so miRBase's
    ``>hsa-let-7a-5p MIMAT0000062 Homo sapiens let-7a-5p`` gives ``hsa-let-7a-5p``). Sequences may
    span several lines; they are uppercased and DNA is read as RNA (T -> U). IUPAC ambiguity codes
    become ``N`` unless ``iupac="error"``.

    Raises:
        InputError: empty file, sequence before any header, empty header, empty record,
            duplicate id, or letters outside ACGTUN; the message names the file and line.
    """
    records: dict[str, str] = {}
    header_line: dict[str, int] = {}
    cur_id: str | None = None
    cur_line = 0
    chunks: list[str] = []

    def close() -> None:
        if cur_id is None:
            return
        seq = "".join(chunks)
        if not seq:
            raise InputError(f"empty record {cur_id!r} (header with no sequence)", path, cur_line)
        records[cur_id] = seq

    saw_content = False
    with open_text(path) as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.strip()
            if not line or line.startswith(";"):
                continue
            saw_content = True
            if line.startswith(">"):
                close()
                words = line[1:].split()
                if not words:
                    raise InputError("empty header (no id after '>')", path, lineno)
                cur_id, cur_line, chunks = words[0], lineno, []
                if cur_id in header_line:
                    raise InputError(f"duplicate id {cur_id!r} (first seen on line "
                                     f"{header_line[cur_id]})", path, lineno)
                header_line[cur_id] = lineno
            else:
                if cur_id is None:
                    raise InputError("sequence before any '>' header", path, lineno)
                # a record's first line spelled nan / NA / None: a missing value (a later
                # short line is the end of a wrapped sequence)
                chunks.append(normalize_sequence(line, path=path, line=lineno, iupac=iupac,
                                                 check_missing=not chunks))
    if not saw_content:
        raise InputError("empty file (no FASTA records)", path)
    close()
    return records


def read_sequence_table(path: str | os.PathLike, *, id_col: int = 0, seq_col: int = 1,
                        sep: str | None = None, header: bool | None = None,
                        iupac: str = "n") -> dict[str, str]:
    """Read ``id,sequence`` rows (CSV/TSV, optionally gzipped) into ``{id: sequence}``.

    Args:
        sep (str, optional): field separator; by default a tab if the first line has one, else
            a comma.
        header (bool, optional): skip the first non-empty line; ``None`` (default) skips it
            (with a warning) when it reads like column names (``id,sequence``).

    Raises:
        InputError: empty file, missing columns, empty sequence, duplicate id, bad letters.
    """
    out: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    need = max(id_col, seq_col) + 1
    for lineno, row in _rows(path, sep, header):
        if len(row) < need:
            raise InputError(f"expected at least {need} columns, found {len(row)}{_sep_hint(row)}",
                             path, lineno)
        rid, seq = row[id_col].strip(), row[seq_col].strip()
        if not rid:
            raise InputError("empty id", path, lineno)
        if not seq:
            raise InputError(f"empty sequence for {rid!r}", path, lineno)
        if rid in first_seen:
            raise InputError(f"duplicate id {rid!r} (first seen on line {first_seen[rid]})",
                             path, lineno)
        first_seen[rid] = lineno
        out[rid] = normalize_sequence(seq, path=path, line=lineno, iupac=iupac)
    if not out:
        raise InputError("empty file (no rows)", path)
    return out


_HEADER_WORDS = frozenset({
    "mirna", "mir", "mi", "microrna", "circrna", "circ", "circular", "mrna", "lncrna", "lnc",
    "rna", "rnas", "gene", "genes", "target", "targets", "source", "src", "dst", "destination",
    "query", "partner", "id", "ids", "name", "names", "label", "labels", "y", "class",
    "interaction", "interacts", "symbol", "sequence", "seq", "transcript", "accession", "score",
    "type", "mature", "host", "entrez", "ensembl", "refseq", "circbase"})


def looks_like_header(fields: list[str]) -> bool:
    """Whether a row reads like column names (``miRNA,circRNA``, ``gene_id\tsequence``): one of
    its fields is made of words such as ``mirna``, ``gene``, ``id``, ``sequence`` only."""
    import re
    for f in fields:
        words = [w for w in re.split(r"[^a-z0-9]+", f.lower()) if w]
        if words and all(w in _HEADER_WORDS for w in words):
            return True
    return False


def _rows(path: str | os.PathLike, sep: str | None, header: bool | None, *,
          with_header: bool = False):
    """Yield ``(line_number, fields)`` for non-empty lines of a delimited file (lines starting
    with ``#`` are comments and skipped; or
    ``(line_number, fields, is_header)`` with ``with_header``, the header row included). With
    ``header=None`` a first row that :func:`looks_like_header` is skipped with a warning.

    The separator is a tab when the first line holds one before its trailing whitespace (a
    stray trailing tab does not turn a CSV into a TSV), else a comma; trailing whitespace of a
    comma-separated line is dropped."""
    with open_text(path) as fh:
        lines = [(i, ln.rstrip("\n")) for i, ln in enumerate(fh, start=1)
                 if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise InputError("empty file (no rows)", path)
    if sep is None:
        sep = "\t" if "\t" in lines[0][1].strip() else ","
    if sep != "\t":
        lines = [(i, ln.rstrip()) for i, ln in lines]
    first = _split(lines[0][1], sep, path, lines[0][0])
    if header is None:
        header = looks_like_header(first)
        if header:
            import warnings
            warnings.warn(f"{path}: line {lines[0][0]} read as a header row "
                          f"({lines[0][1][:60]!r})", stacklevel=3)
    if header:
        if with_header:
            yield lines[0][0], first, True
        lines = lines[1:]
    for lineno, ln in lines:
        row = _split(ln, sep, path, lineno)
        yield (lineno, row, False) if with_header else (lineno, row)


def _split(line: str, sep: str, path: str | os.PathLike, lineno: int) -> list[str]:
    try:
        row = next(csv.reader([line], delimiter=sep))
    except csv.Error as exc:
        raise InputError(f"not a delimited row ({exc}); one record per line, columns "
                         "separated by a tab or a comma", path, lineno) from None
    return [f.strip() for f in row]


def _sep_hint(row: list[str]) -> str:
    """A hint when a row did not split: fields are separated by a tab or a comma."""
    text = "".join(row)
    for c, name in ((";", "semicolons"), ("|", "bars"), (" ", "spaces")):
        if c in text.strip():
            return f" (the line holds {name}: separate the columns by a tab or a comma)"
    return " (separate the columns by a tab or a comma)"
