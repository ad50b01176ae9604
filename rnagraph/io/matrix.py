"""0/1 interaction matrices with row and column id lists."""
from __future__ import annotations

import os

from rnagraph.io._text import open_text
from rnagraph.io.errors import InputError
from rnagraph.io.fasta import _rows


def read_id_list(path: str | os.PathLike, *, column: int = 0,
                 sep: str | None = None) -> list[str]:
    """Read one id per line (or the ``column``-th field of each row). Duplicates are an error."""
    ids: list[str] = []
    first: dict[str, int] = {}
    for lineno, row in _rows(path, sep, header=False):
        if len(row) <= column:
            raise InputError(f"expected at least {column + 1} columns, found {len(row)}", path,
                             lineno)
        rid = row[column]
        if not rid:
            raise InputError("empty id", path, lineno)
        if rid in first:
            raise InputError(f"duplicate id {rid!r} (first seen on line {first[rid]})", path,
                             lineno)
        first[rid] = lineno
        ids.append(rid)
    return ids


def read_interaction_matrix(matrix_path: str | os.PathLike, row_ids: str | os.PathLike | list,
                            col_ids: str | os.PathLike | list, *, sep: str | None = None
                            ) -> list[tuple[str, str]]:
    """Read a dense 0/1 matrix (rows = ``row_ids``, columns = ``col_ids``) into id pairs.

    Separators: whitespace, comma or tab (auto-detected per file unless ``sep`` is given).
    Id lists are files (one id per line, or ``index,id`` rows: the last column is used) or lists.

    Returns:
        list[tuple[str, str]]: ``(row_id, col_id)`` for every entry equal to 1, row-major.

    Raises:
        InputError: empty file, a row of the wrong length, a value other than 0/1, or a row count
            that does not match ``row_ids``.
    """
    rows = _ids(row_ids)
    cols = _ids(col_ids)
    pairs: list[tuple[str, str]] = []
    n = 0
    with open_text(matrix_path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            if sep is None:
                fields = line.replace(",", " ").replace("\t", " ").split()
            else:
                fields = [f.strip() for f in line.rstrip("\n").split(sep)]
            if len(fields) != len(cols):
                raise InputError(f"wrong column count: {len(fields)} values, expected "
                                 f"{len(cols)} (one per column id)", matrix_path, lineno)
            if n >= len(rows):
                raise InputError(f"more matrix rows than the {len(rows)} row ids", matrix_path,
                                 lineno)
            for j, v in enumerate(fields):
                if v in ("1", "1.0"):
                    pairs.append((rows[n], cols[j]))
                elif v not in ("0", "0.0"):
                    raise InputError(f"value {v!r} in column {j + 1} is not 0 or 1", matrix_path,
                                     lineno)
            n += 1
    if n == 0:
        raise InputError("empty file (no matrix rows)", matrix_path)
    if n != len(rows):
        raise InputError(f"{n} matrix rows but {len(rows)} row ids", matrix_path)
    return pairs


def _ids(src: str | os.PathLike | list) -> list[str]:
    if isinstance(src, (list, tuple)):
        return [str(s) for s in src]
    # `index,id` rows (e.g. id2miRNA.csv) or one id per line: take the last column.
    with open_text(src) as fh:
        first = next((ln for ln in fh if ln.strip()), "")
    ncol = len(first.replace("\t", ",").split(","))
    return read_id_list(src, column=max(ncol - 1, 0))
