"""Interaction pair tables, optionally labelled (1 = interaction, 0 = known non-interaction)."""
from __future__ import annotations

import os
import warnings
from collections.abc import Collection
from dataclasses import dataclass, field

from rnagraph.io.errors import InputError
from rnagraph.io.fasta import _rows, _sep_hint

#: column names that mark a pair file's label column in its header
LABEL_NAMES = frozenset({"label", "labels", "y", "class", "interaction", "interacts"})
_POS, _NEG = frozenset({"1", "1.0"}), frozenset({"0", "0.0"})


@dataclass
class PairTable:
    """A pair file as read: its positive pairs (unlabelled rows, or rows labelled 1), its known
    negatives (rows labelled 0), the first line of each pair and the label column (``None``
    when the file has none)."""
    positives: list[tuple[str, str]] = field(default_factory=list)
    negatives: list[tuple[str, str]] = field(default_factory=list)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)
    label_col: int | None = None


def read_pair_table(path: str | os.PathLike, *, columns: tuple[int, int] = (0, 1),
                    sep: str | None = None, header: bool | None = None,
                    src_known: Collection[str] | None = None,
                    dst_known: Collection[str] | None = None,
                    label_col: int | str | None = "auto",
                    keep_duplicates: bool = False) -> PairTable:
    """Read a table of pairs (CSV/TSV, optionally gzipped), with an optional 0/1 label column.

    Args:
        path: the file.
        columns (tuple[int, int]): the 0-based columns of the source and the destination id.
        sep (str, optional): separator; by default a tab if the first line (its trailing
            whitespace aside) has one, else a comma. Fields are stripped.
        header (bool, optional): the first non-empty line is a header; ``None`` (default)
            recognises one by its column names (``miRNA,circRNA``, ``circ_id,mir_id``,
            ``mirna\\tgene\\tlabel``) and skips it with a warning.
        src_known, dst_known (Collection[str], optional): ids that are known (have a
            sequence); a pair naming any other id is an error listing the first few.
        label_col (int | str | None): the label column; ``"auto"`` (default) takes the column
            the header names ``label`` (or ``y``, ``class``, ``interaction``) and, without a
            header, the third column of a three-column file read with ``columns=(0, 1)`` or
            ``(1, 0)``; ``None`` reads no labels.
        keep_duplicates (bool): keep a repeated pair as often as it occurs, in file order,
            without a warning (``rnagraph predict`` writes one row per input row); by default
            it is dropped with a warning that counts them.

    Labels are ``1`` (an interaction: a positive) or ``0`` (a known non-interaction: kept out of
    the positives, returned as a negative); ``1.0`` / ``0.0`` are read too.

    Raises:
        InputError: empty file, a row whose column count differs from the first row's, too few
            columns, an empty id, a self-pair (one id in both columns), a label other than 0 / 1
            (naming file and line), a pair labelled both 1 and 0 (naming both lines), or
            unknown ids.
    """
    out = PairTable()
    label: dict[tuple[str, str], tuple[int, int]] = {}   # pair -> (label, first line)
    dups = 0
    ncols: int | None = None
    unknown: list[tuple[int, str]] = []
    head: list[str] | None = None
    for lineno, row, is_header in _rows(path, sep, header, with_header=True):
        if is_header:
            head = [f.lower() for f in row]
            continue
        if ncols is None:
            ncols = len(row)
            label_col = _label_column(label_col, head, ncols, columns, path)
            need = max(*columns, label_col if label_col is not None else 0) + 1
            if ncols < need:
                raise InputError(f"expected at least {need} columns, found {ncols}"
                                 f"{_sep_hint(row)}", path, lineno)
            out.label_col = label_col
        elif len(row) != ncols:
            raise InputError(f"wrong column count: {len(row)} columns where the first row has "
                             f"{ncols}", path, lineno)
        src, dst = row[columns[0]], row[columns[1]]
        if not src or not dst:
            raise InputError("empty id in pair", path, lineno)
        if src == dst:
            raise InputError(f"self-pair: {src!r} in both columns; a pair joins two different "
                             "RNAs (remove the row)", path, lineno)
        lab = 1
        if label_col is not None:
            value = row[label_col]
            if value in _POS:
                lab = 1
            elif value in _NEG:
                lab = 0
            else:
                raise InputError(f"label {value!r} in column {label_col + 1} is not 0 or 1 "
                                 "(1 = interaction, 0 = known non-interaction)", path, lineno)
        if src_known is not None and src not in src_known:
            unknown.append((lineno, src))
        if dst_known is not None and dst not in dst_known:
            unknown.append((lineno, dst))
        pair = (src, dst)
        if pair in label:
            first_lab, first_line = label[pair]
            if first_lab != lab:
                raise InputError(f"pair ({src!r}, {dst!r}) is labelled {first_lab} on line "
                                 f"{first_line} and {lab} on line {lineno}; keep one of the "
                                 "two rows", path, lineno)
            if keep_duplicates:
                (out.positives if lab else out.negatives).append(pair)
                continue
            dups += 1
            continue
        label[pair] = (lab, lineno)
        out.lines[pair] = lineno
        (out.positives if lab else out.negatives).append(pair)
    if ncols is None:   # a header and nothing else
        raise InputError("no pairs: the file holds only a header row", path)
    if unknown:
        shown = ", ".join(f"{i!r} (line {ln})" for ln, i in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise InputError(f"{len(unknown)} pair ids have no sequence: {shown}{more}", path,
                         unknown[0][0])
    if dups:
        warnings.warn(f"{path}: dropped {dups} duplicate pair(s)", stacklevel=3)
    return out


def _label_column(label_col: int | str | None, head: list[str] | None, ncols: int,
                  columns: tuple[int, int], path) -> int | None:
    if label_col != "auto":
        return label_col   # type: ignore[return-value]
    if head is not None:
        named = [i for i, h in enumerate(head) if h.strip() in LABEL_NAMES]
        if len(named) > 1:
            raise InputError(f"the header names {len(named)} label columns ("
                             f"{', '.join(head[i] for i in named)}); keep one", path)
        if named:
            if named[0] in columns:
                raise InputError(f"column {named[0] + 1} is named {head[named[0]]!r} but is read "
                                 "as an id column; check --columns", path)
            return named[0]
        return None
    if ncols == 3 and set(columns) == {0, 1}:
        return 2
    return None


def read_pairs(path: str | os.PathLike, *, columns: tuple[int, int] = (0, 1),
               sep: str | None = None, header: bool | None = None,
               src_known: Collection[str] | None = None,
               dst_known: Collection[str] | None = None,
               label_col: int | str | None = "auto",
               keep_duplicates: bool = False) -> list[tuple[str, str]]:
    """The positive pairs of a pair table: every row of an unlabelled file, the rows labelled 1
    of a labelled one (see :func:`read_pair_table` for the arguments and the errors; the known
    negatives it also returns are dropped here).

    Returns:
        list[tuple[str, str]]: unique ``(src_id, dst_id)`` pairs in file order. Duplicate pairs
        are dropped with a warning that counts them (kept, in file order, with
        ``keep_duplicates``).
    """
    return read_pair_table(path, columns=columns, sep=sep, header=header, src_known=src_known,
                           dst_known=dst_known, label_col=label_col,
                           keep_duplicates=keep_duplicates).positives


__all__ = ["read_pairs", "read_pair_table", "PairTable", "LABEL_NAMES"]
