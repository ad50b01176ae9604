"""GRMMI's miRNA-gene benchmark ``mtis-9214``: graph, attached miRNA sequences, the authors'
negatives and 70/10/20 split."""
from __future__ import annotations

import logging
import os

import torch
from torch_geometric.data import HeteroData

from rnagraph.data import Fold, LinkSet, NodeColumn, build_graph, ids_to_index
from rnagraph.datasets._root import data_root, dataset_file
from rnagraph.datasets.mirbase import DEFAULT_MIRNA_SOURCES, mirna_sequences_by_name
from rnagraph.datasets.registry import get_info
from rnagraph.io import read_id_list, read_pairs
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA, reverse_edge_type

log = logging.getLogger("rnagraph.datasets")
_NAME = "mtis-9214"


def load_mtis(root: str | os.PathLike | None = None, *,
              mirna_sources: tuple[str, ...] | None = DEFAULT_MIRNA_SOURCES) -> HeteroData:
    """Build the ``mtis-9214`` graph: 861 miRNAs, 3,069 target **genes** and 9,214 positive
    ``("mirna", "targets", "mrna")`` edges.

    The targets are HGNC gene symbols (including non-coding ones such as ``SNORD12C``), not
    transcripts; they live in node type ``"mrna"`` so every miRNA-target model applies, and
    ``data["mrna"].id_kind == "hgnc-symbol"`` records it. Node order follows the authors' node
    lists (``all_mi.csv``, ``all_M.csv``). No sequences ship with the set: miRNA sequences are
    attached by name from ``mirna_sources`` (first source wins; see
    :func:`~rnagraph.datasets.mirna_sequences_by_name`); genes have none.

    Sets ``data["mirna"].seq_source`` (source per node) and ``data["mirna"].seq_report``
    (coverage, per-source counts, disagreements between sources).

    Args:
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``.
        mirna_sources (tuple[str, ...], optional): sequence sources; ``None`` attaches nothing.
    """
    info = get_info(_NAME)
    root = data_root(root)
    path = {f: dataset_file(root, info.folder, f, _NAME) for f in info.files[:3]}
    mi = read_id_list(path["all_mi.csv"])
    genes = read_id_list(path["all_M.csv"])
    pairs = read_pairs(path["output1.csv"], src_known=set(mi), dst_known=set(genes))
    seqs, origin, report = ({}, {}, None)
    if mirna_sources:
        seqs, origin, report = mirna_sequences_by_name(mi, root, mirna_sources)
    data = build_graph({MIRNA: {m: seqs.get(m) for m in mi}, MRNA: {g: None for g in genes}},
                       {MIRNA_MRNA: pairs})
    data[MIRNA].seq_source = NodeColumn(origin.get(m) for m in mi)
    data[MRNA].seq_source = NodeColumn([None] * len(genes))
    data[MRNA].id_kind = "hgnc-symbol"
    if report is not None:
        data[MIRNA].seq_report = report
        log.info("mtis-9214: miRNA sequences for %d of %d miRNAs (%s); %d names disagree "
                 "between sources (kept the preferred one)", report["covered"],
                 report["total"], ", ".join(f"{k}={v}" for k, v in report["by_source"].items()),
                 report["disagreements"])
    data.name = _NAME
    return data


def mtis_author_negatives(data: HeteroData | None = None,
                          root: str | os.PathLike | None = None) -> torch.Tensor:
    """The authors' 9,214 negative pairs (``NegativeSample.csv``) as ``[2, 9214]`` indices into
    ``data``'s ``mirna`` / ``mrna`` nodes (``data`` defaults to :func:`load_mtis`)."""
    root = data_root(root)
    data = load_mtis(root) if data is None else data
    return _index(data, _read(root, "NegativeSample.csv"))


def mtis_author_split(data: HeteroData | None = None,
                      root: str | os.PathLike | None = None) -> Fold:
    """The authors' fixed 70/10/20 split of ``mtis-9214`` as one leakage-free :class:`Fold`.

    ``train`` / ``val`` / ``test`` hold 6,449 / 922 / 1,843 positives and as many of the
    authors' negatives; ``train_graph`` is a copy of ``data`` whose interaction edges are the
    6,449 training positives only. ``mode == "author"``.

    Args:
        data (HeteroData, optional): the graph from :func:`load_mtis` (loaded if omitted); the
            split is expressed in its node indices.
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``.
    """
    root = data_root(root)
    data = load_mtis(root) if data is None else data
    sets = {}
    for part, stem in (("train", "Train"), ("val", "Validation"), ("test", "Test")):
        pos = _index(data, _read(root, f"PositiveSample_{stem}.csv"))
        neg = _index(data, _read(root, f"NegativeSample_{stem}.csv"))
        sets[part] = LinkSet.from_pos_neg(pos, neg)
    train_graph = data.clone()
    train_graph[MIRNA_MRNA].edge_index = sets["train"].pos_index.clone()
    rev = reverse_edge_type(MIRNA_MRNA)
    if rev in data.edge_types:
        train_graph[rev].edge_index = sets["train"].pos_index.flip(0)
    return Fold(index=0, edge_type=MIRNA_MRNA, train_graph=train_graph, train=sets["train"],
                val=sets["val"], test=sets["test"], mode="author", protocol="leakage-free",
                meta={"dataset": _NAME, "split": "authors' 70/10/20", "neg_ratio": 1})


def _read(root, file: str) -> list[tuple[str, str]]:
    return read_pairs(dataset_file(root, get_info(_NAME).folder, file, _NAME))


def _index(data: HeteroData, pairs: list[tuple[str, str]]) -> torch.Tensor:
    src = ids_to_index(data, MIRNA, [a for a, _ in pairs])
    dst = ids_to_index(data, MRNA, [b for _, b in pairs])
    return torch.stack([src, dst])
