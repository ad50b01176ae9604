"""Interaction pair tables."""
from __future__ import annotations

import os
import warnings
from collections.abc import Collection

from rnagraph.io.errors import InputError
from rnagraph.io.fasta import _rows, _sep_hint


def read_pairs(path: str | os.PathLike, *, columns: tuple[int, int] = (0, 1),
               sep: str | None = None, header: bool | None = None,
               src_known: Collection[str] | None = None,
               dst_known: Collection[str] | None = None,
               label_col: int | None = None) -> list[tuple[str, str]]:
    """Read a table of interacting pairs (CSV/TSV, optionally gzipped).

    Args:
        path: the file.
        columns (tuple[int, int]): which 0-based columns hold the source and the destination id,
            e.g. ``(1, 0)`` for a file with the miRNA first when the edge type is
            ``("circrna", "binds", "mirna")``. (default: ``(0, 1)``)
        sep (str, optional): separator; by default a tab if the first line has one, else a comma.
            Fields are stripped, so ``"a, b"`` reads as ``("a", "b")``.
        header (bool, optional): the first non-empty line is a header; ``None`` (default)
            detects one that reads like column names (``miRNA,circRNA``) and skips it with a
            warning.
        src_known, dst_known (Collection[str], optional): ids that have a sequence (or are
            otherwise known); a pair naming any other id is an error listing the first few.
        label_col (int, optional): a 0/1 label column; only rows labelled 1 are returned.

    Returns:
        list[tuple[str, str]]: unique ``(src_id, dst_id)`` pairs in file order. Duplicate pairs
        are dropped with a warning that counts them.

    Raises:
        InputError: empty file, a row whose column count differs from the first row's, too few
            columns, an empty id, a bad label, or unknown ids.
    """
    pairs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    dups = 0
    ncols: int | None = None
    need = max(*columns, label_col if label_col is not None else 0) + 1
    unknown: list[tuple[int, str]] = []
    for lineno, row in _rows(path, sep, header):
        if ncols is None:
            ncols = len(row)
            if ncols < need:
                raise InputError(f"expected at least {need} columns, found {ncols}"
                                 f"{_sep_hint(row)}", path, lineno)
        elif len(row) != ncols:
            raise InputError(f"wrong column count: {len(row)} columns where the first row has "
                             f"{ncols}", path, lineno)
        src, dst = row[columns[0]], row[columns[1]]
        if not src or not dst:
            raise InputError("empty id in pair", path, lineno)
        if label_col is not None:
            lab = row[label_col]
            if lab not in ("0", "1", "0.0", "1.0"):
                raise InputError(f"label must be 0 or 1, got {lab!r}", path, lineno)
            if float(lab) != 1.0:
                continue
        if src_known is not None and src not in src_known:
            unknown.append((lineno, src))
        if dst_known is not None and dst not in dst_known:
            unknown.append((lineno, dst))
        pair = (src, dst)
        if pair in seen:
            dups += 1
            continue
        seen.add(pair)
        pairs.append(pair)
    if unknown:
        shown = ", ".join(f"{i!r} (line {ln})" for ln, i in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise InputError(f"{len(unknown)} pair ids have no sequence: {shown}{more}", path,
                         unknown[0][0])
    if dups:
        warnings.warn(f"{path}: dropped {dups} duplicate pair(s)", stacklevel=2)
    return pairs
