"""circRNA-miRNA interaction graphs: ``cmi-9905``, ``cmi-9589``, ``cmi-20208`` and GCNCMI's
anonymous ``cmi-9589-gcncmi``."""
from __future__ import annotations

import os

from torch_geometric.data import HeteroData

from rnagraph.data import NodeColumn, build_graph
from rnagraph.datasets._root import data_root, dataset_file
from rnagraph.datasets.registry import get_info
from rnagraph.io import InputError, read_pairs, read_sequence_table
from rnagraph.io._text import open_text
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA


def load_cmi(name: str, root: str | os.PathLike | None = None) -> HeteroData:
    """Build the circRNA-miRNA graph of a ``cmi-*`` dataset.

    The pair file lists the miRNA first (``miRNA_id,circRNA_id``, CRLF, no header); it is read as
    the canonical edge type ``("circrna", "binds", "mirna")``. miRNA nodes come in the order of
    ``miRNA.csv`` and carry its sequences; circRNA nodes (circBase ids, no sequence offline) come in
    order of first appearance, with ``seq=None`` and ``has_seq=False``; attach a FASTA with
    :func:`~rnagraph.datasets.attach_sequences`.

    ``cmi-9589-gcncmi`` is GCNCMI's ``ass.txt`` (821 x 2,115 index pairs): its id files do not
    index it consistently, so nodes get the ids ``"m<i>"`` / ``"c<j>"`` and no sequences.
    """
    info = get_info(name, kind="graph")
    if info.edge_type != CIRC_MIRNA:
        raise ValueError(f"load_cmi: {info.name!r} is not a circRNA-miRNA dataset")
    root = data_root(root)
    if info.name == "cmi-9589-gcncmi":
        return _load_gcncmi(dataset_file(root, info.folder, info.files[0], info.name))
    pair_path = dataset_file(root, info.folder, info.files[0], info.name)
    seq_path = dataset_file(root, info.folder, info.files[1], info.name)
    mirna = read_sequence_table(seq_path)
    pairs = read_pairs(pair_path, columns=(1, 0), dst_known=mirna)
    data = build_graph({MIRNA: mirna}, {CIRC_MIRNA: pairs})
    for nt in (MIRNA, CIRCRNA):
        data[nt].seq_source = NodeColumn(info.name if s is not None else None
                                         for s in data[nt].seq)
    data.name = info.name
    return data


def _load_gcncmi(path) -> HeteroData:
    pairs = []
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            f = line.split()
            if len(f) != 3 or not f[0].isdigit() or not f[1].isdigit() or f[2] != "1":
                raise InputError(f"expected 'int<TAB>int<TAB>1', got {line.strip()!r}", path,
                                 lineno)
            pairs.append((f"c{int(f[1])}", f"m{int(f[0])}"))
    n_mir = 1 + max(int(m[1:]) for _, m in pairs)
    n_circ = 1 + max(int(c[1:]) for c, _ in pairs)
    data = build_graph({MIRNA: {f"m{i}": None for i in range(n_mir)},
                        CIRCRNA: {f"c{j}": None for j in range(n_circ)}}, {CIRC_MIRNA: pairs})
    for nt in (MIRNA, CIRCRNA):
        data[nt].seq_source = NodeColumn([None] * data[nt].num_nodes)
    data.name = "cmi-9589-gcncmi"
    return data
