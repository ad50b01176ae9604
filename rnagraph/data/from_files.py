"""A graph from a user's own files: a pair table and FASTA / ``id,sequence`` files."""
from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence

from torch_geometric.data import HeteroData

from rnagraph.data.build import build_graph
from rnagraph.io import InputError, open_text, read_fasta, read_sequence_table
from rnagraph.io.pairs import PairTable, read_pair_table
from rnagraph.typing import EdgeType, NodeType

Path = str | os.PathLike


def read_sequences(path: Path) -> dict[str, str]:
    """A FASTA file (a line among the first thousand starts with ``>``) or an
    ``id,sequence`` table."""
    with open_text(path) as fh:
        head = [ln for _, ln in zip(range(1000), fh) if ln.strip()]
    fasta = any(ln.lstrip().startswith(">") for ln in head)
    return read_fasta(path) if fasta else read_sequence_table(path)


def _side_of(path: Path, ids: set[str], src_ids: set[str], dst_ids: set[str],
             edge_type: EdgeType, pairs: Path) -> int:
    n_src, n_dst = len(ids & src_ids), len(ids & dst_ids)
    if n_src == n_dst == 0:
        raise InputError(f"none of its {len(ids)} ids appears in {pairs}; give the sequence file "
                         "of one side of the pairs (or name its type: TYPE=FILE)", path)
    if n_src and n_dst:
        raise InputError(f"its ids appear in both columns of {pairs} ({n_src} and {n_dst}); "
                         f"name its type: {edge_type[0]}=FILE or {edge_type[2]}=FILE", path)
    return 0 if n_src else 1


#: miRNA names (``hsa-miR-21-5p``, ``miR-21``, ``mmu-mir-155``, ``let-7a``, ``hsa-let-7a-5p``,
#: ``lin-4``): what a circRNA or mRNA column must not hold
MIRNA_NAME = re.compile(r"^(?:[a-z]{2,4}-)?(?:mir|let|lin|bantam)-\d", re.IGNORECASE)


def looks_like_mirna(rid: str) -> bool:
    """Whether ``rid`` reads like a miRNA name (``hsa-miR-21-5p``, ``miR-21``, ``let-7a``)."""
    return bool(MIRNA_NAME.match(rid))


def check_not_swapped(table: PairTable, edge_type: EdgeType, columns: tuple[int, int],
                      path: Path) -> None:
    """Refuse a pair table whose rows hold a miRNA name in the non-miRNA column (and a
    non-miRNA name in the miRNA column): the columns are the wrong way round, in the whole file
    or in some rows. The message gives the ``--columns`` that reverses them."""
    src_t, _, dst_t = edge_type
    if "mirna" not in (src_t, dst_t) or src_t == dst_t:
        return
    mir_first = src_t == "mirna"
    other = dst_t if mir_first else src_t
    rows = list(table.positives) + list(table.negatives)
    bad = [(table.lines[p], p) for p in rows
           if looks_like_mirna(p[1] if mir_first else p[0])
           and not looks_like_mirna(p[0] if mir_first else p[1])]
    if not bad:
        return
    bad.sort()
    line, pair = bad[0]
    rid = pair[1] if mir_first else pair[0]
    col = columns[1] if mir_first else columns[0]
    hint = f"--columns {columns[1] + 1},{columns[0] + 1}"
    if len(bad) == len(rows):
        raise InputError(f"the pair columns look swapped: column {col + 1} should hold {other} "
                         f"ids but holds miRNA names ({rid!r} on line {line}); pass {hint}",
                         path, line)
    raise InputError(f"the pair columns look swapped in {len(bad)} of {len(rows)} rows: column "
                     f"{col + 1} should hold {other} ids but holds the miRNA name {rid!r} on "
                     f"line {line}; swap those rows (or pass {hint} if most rows are the other "
                     "way round)", path, line)


def read_graph(pairs: Path, edge_type: EdgeType,
               sequences: Sequence[Path] | Mapping[NodeType, Path] = (), *,
               columns: tuple[int, int] = (0, 1)) -> HeteroData:
    """Build a graph from a pair table and sequence files.

    Args:
        pairs: interacting pairs, one per row (CSV/TSV, optionally gzipped; a header row is
            recognised by its column names); ``columns`` say which columns hold the
            ``edge_type``'s source and destination ids. A label column (a third column, or one
            the header names ``label``) marks known non-interactions (0): they are kept out of
            the edges and stored as ``graph[edge_type].known_negatives``
            (:func:`~rnagraph.data.build.known_negatives`).
        edge_type (EdgeType): e.g. ``("circrna", "binds", "mirna")``.
        sequences: sequence files (FASTA or ``id,sequence``). A mapping names each file's node
            type; in a plain list each file is matched to the pair column its ids appear in.
        columns (tuple[int, int]): source and destination columns. (default: ``(0, 1)``)

    Raises:
        InputError: a malformed file; a sequence file matching neither column; or pair columns
            in the other order (miRNA names in the non-miRNA column, in all rows or a few, or
            the source column's ids are the destination type's sequences: the message says
            to swap ``columns``).
    """
    ptable = read_pair_table(pairs, columns=columns)
    check_not_swapped(ptable, edge_type, columns, pairs)
    plist, negatives = ptable.positives, ptable.negatives
    if not plist:
        raise InputError(f"no interacting pair: all {len(negatives)} rows are labelled 0 "
                         "(known non-interactions)", pairs)
    src_ids = {a for a, _ in plist} | {a for a, _ in negatives}
    dst_ids = {b for _, b in plist} | {b for _, b in negatives}
    types = (edge_type[0], edge_type[2])
    seqs: dict[NodeType, dict[str, str | None]] = {}
    where: dict[NodeType, Path] = {}
    items = (list(sequences.items()) if isinstance(sequences, Mapping)
             else [(None, p) for p in sequences])
    for nt, path in items:
        table = read_sequences(path)
        ids = set(table)
        if nt is None:
            nt = types[_side_of(path, ids, src_ids, dst_ids, edge_type, pairs)]
        elif nt not in types:
            raise InputError(f"node type {nt!r} is not a side of {edge_type}; use "
                             f"{types[0]}=FILE or {types[1]}=FILE", path)
        if nt in seqs:
            raise InputError(f"a second sequence file for {nt} (the first was {where[nt]}); "
                             "merge them into one", path)
        own, other = (src_ids, dst_ids) if nt == types[0] else (dst_ids, src_ids)
        n_own, n_other = len(ids & own), len(ids & other)
        if n_other > n_own:
            col = columns[1] if nt == types[0] else columns[0]
            raise InputError(f"the pair columns look swapped: {n_other} ids of the {nt} sequences "
                             f"in {path} are in column {col + 1}, which should hold "
                             f"{types[1] if nt == types[0] else types[0]} ids; reverse the "
                             f"column order (columns {columns[1] + 1},{columns[0] + 1})",
                             pairs)
        seqs[nt] = dict(table)
        where[nt] = path
    for nt, table in seqs.items():
        used = src_ids if nt == types[0] else dst_ids
        missing = len(used - set(table))
        if missing:
            warnings.warn(f"{pairs}: {missing} of {len(used)} {nt} ids have no sequence in "
                          f"{where[nt]} (kept as nodes without a sequence)", stacklevel=2)
    negs = {tuple(edge_type): negatives} if negatives else None
    return build_graph(seqs, {tuple(edge_type): plist}, negatives=negs)


__all__ = ["read_graph", "read_sequences", "looks_like_mirna", "check_not_swapped"]
