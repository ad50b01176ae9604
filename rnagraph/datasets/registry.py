"""The metadata table of the public datasets rnagraph knows how to load."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from rnagraph.datasets._root import data_root
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA, EdgeType


@dataclass(frozen=True)
class DatasetInfo:
    """One row of the registry.

    Attributes:
        name (str): the name passed to :func:`~rnagraph.datasets.load` or
            :func:`~rnagraph.datasets.load_site_pairs`.
        kind (str): ``"graph"`` (an interaction graph -> ``HeteroData``), ``"site-pairs"``
            (labelled miRNA / target-site sequence pairs -> :class:`SitePairs`) or
            ``"sequences"`` (a sequence table used to attach sequences by name).
        folder (str): the folder under the data root.
        files (tuple[str, ...]): the files the loader reads (all required).
        edge_type (EdgeType, optional): the interaction type of a graph dataset.
        counts (dict): the counts measured in the folder's ``SOURCES.md``; the real-data tests
            check that loading reproduces them.
        description (str): one line.
    """

    name: str
    kind: str
    folder: str
    files: tuple[str, ...]
    edge_type: EdgeType | None
    counts: dict = field(default_factory=dict)
    description: str = ""


_M = "mitar-mirna-mrna"
_INFOS = [
    DatasetInfo("cmi-9905", "graph", "cmi-9905", ("9905pairs.csv", "miRNA.csv"), CIRC_MIRNA,
                {"pairs": 9905, "circrna": 2346, "mirna": 962, "mirna_seq": 962, "circrna_seq": 0},
                "circRNA-miRNA pairs (BGF-CMAP CMI-9905); miRNA sequences, no circRNA sequences"),
    DatasetInfo("cmi-9589", "graph", "cmi-9589", ("9589pair.csv", "miRNA.csv"), CIRC_MIRNA,
                {"pairs": 9589, "circrna": 2115, "mirna": 821, "mirna_seq": 821, "circrna_seq": 0},
                "circRNA-miRNA pairs (CMI-9589, MFERL's 821x2115 set); a subset of cmi-9905"),
    DatasetInfo("cmi-20208", "graph", "cmi-20208", ("20208.csv", "miRNA.csv"), CIRC_MIRNA,
                {"pairs": 20208, "circrna": 3569, "mirna": 1152, "mirna_seq": 1152,
                 "circrna_seq": 0},
                "circRNA-miRNA pairs (BGF-CMAP CMI-20208); miRNA sequences only"),
    DatasetInfo("cmi-9589-gcncmi", "graph", "cmi-9589",
                ("gcncmi/ass.txt",), CIRC_MIRNA,
                {"pairs": 9589, "circrna": 2115, "mirna": 821, "mirna_seq": 0, "circrna_seq": 0},
                "GCNCMI's anonymous 821x2115 graph (index ids only: its id files do not match)"),
    DatasetInfo("mtis-9214", "graph", "mtis-9214",
                ("output1.csv", "all_mi.csv", "all_M.csv", "NegativeSample.csv",
                 "PositiveSample_Train.csv", "PositiveSample_Validation.csv",
                 "PositiveSample_Test.csv", "NegativeSample_Train.csv",
                 "NegativeSample_Validation.csv", "NegativeSample_Test.csv"), MIRNA_MRNA,
                {"pairs": 9214, "mirna": 861, "mrna": 3069, "mirna_seq": 793, "mrna_seq": 0,
                 "negatives": 9214, "train": 6449, "val": 922, "test": 1843},
                "miRNA-gene pairs (GRMMI's MTIS-9214; genes are HGNC symbols in node type "
                "'mrna'); authors' negatives and 70/10/20 split"),
    DatasetInfo("cerna", "graph", ".",
                ("cmi-20208/20208.csv", "cmi-20208/miRNA.csv", "mtis-9214/output1.csv",
                 "mtis-9214/all_mi.csv", "mtis-9214/all_M.csv"), CIRC_MIRNA,
                {"pairs": 20208, "target_pairs": 9214, "circrna": 3569, "mirna": 1648,
                 "mrna": 3069, "mirna_matched": 365, "mirna_seq": 1580},
                "joint ceRNA graph: cmi-20208 + mtis-9214 joined on 365 miRNA names "
                "(circRNA-miRNA and miRNA-gene edges; rnagraph.datasets.join_cerna)"),
    DatasetInfo("mirbase-mature", "sequences", "mirbase-mature", ("mature.fa",), None,
                {"records": 21643, "hsa": 1921},
                "miRBase mature.fa (2012-era release): miRNA sequences by name"),
    DatasetInfo("deepmirtar", "site-pairs", _M,
                ("data_DeepMirTar_removeMisMissing_remained_seed1122.txt",), None,
                {"rows": 7758, "pos": 3908, "neg": 3850}, "DeepMirTar training set (site level)"),
    DatasetInfo("deepmirtar-indtest", "site-pairs", _M,
                ("data_DeepMirTar_IndTest_noRepeats_3folds.txt",), None,
                {"rows": 828, "pos": 443, "neg": 385}, "DeepMirTar independent test"),
    DatasetInfo("deepmirtar-test", "site-pairs", _M, ("data_DeepMirTar_test.txt",), None,
                {"rows": 48, "pos": 48, "neg": 0}, "small DeepMirTar positive-only test"),
    DatasetInfo("miraw", "site-pairs", _M, ("data_miRaw_IndTest_noRepeats_3folds.txt",), None,
                {"rows": 41863, "pos": 21265, "neg": 20598}, "miRAW data set (40-nt sites)"),
    DatasetInfo("miraw-indtest", "site-pairs", _M,
                ("data_miRaw_noL_noMisMissing_indTest_seed1122.txt",), None,
                {"rows": 2000, "pos": 1000, "neg": 1000}, "miRAW independent test"),
    DatasetInfo("miraw-indtest-unique", "site-pairs", _M,
                ("data_miRaw_noL_noMisMissing_indTest_seed1122_Unique.txt",), None,
                {"rows": 1819, "pos": 929, "neg": 890},
                "miRAW independent test, upstream de-duplicated version"),
    DatasetInfo("deepmirtar-miraw", "site-pairs", _M,
                ("data_DeepMirTar_miRAW_noRepeats_3folds.txt",), None,
                {"rows": 27720, "pos": 13860, "neg": 13860},
                "DeepMirTar + miRAW combined (miTAR's training set)"),
]

#: name -> :class:`DatasetInfo`.
REGISTRY: dict[str, DatasetInfo] = {i.name: i for i in _INFOS}
#: other accepted spellings.
ALIASES: dict[str, str] = {"combined": "deepmirtar-miraw", "mitar-combined": "deepmirtar-miraw",
                           "mtis": "mtis-9214", "mirbase": "mirbase-mature"}

#: files that ``mitar`` loaders read with a header row.
MITAR_HEADER_FILES = frozenset({"data_DeepMirTar_removeMisMissing_remained_seed1122.txt",
                                "data_DeepMirTar_test.txt"})


def get_info(name: str, kind: str | None = None) -> DatasetInfo:
    """Look up a dataset by name (case-insensitive; aliases accepted).

    Raises:
        KeyError: unknown name, listing the known ones.
        ValueError: the dataset is not of the requested ``kind``, naming the right loader.
    """
    key = str(name).strip().lower()
    key = ALIASES.get(key, key)
    if key not in REGISTRY:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(REGISTRY)}")
    info = REGISTRY[key]
    if kind is not None and info.kind != kind:
        hint = {"graph": "rnagraph.datasets.load", "site-pairs":
                "rnagraph.datasets.load_site_pairs", "sequences":
                "rnagraph.datasets.load_mirbase_mature"}[info.kind]
        raise ValueError(f"dataset {info.name!r} is of kind {info.kind!r}, not {kind!r}: "
                         f"load it with {hint}({info.name!r})")
    return info


class DatasetTable(list):
    """A list of dicts (one per dataset) that prints as an aligned table."""

    columns = ("name", "kind", "present", "pairs", "nodes", "description")

    def __str__(self) -> str:
        rows = [[str(r.get(c, "")) for c in self.columns] for r in self]
        width = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
                 for i, c in enumerate(self.columns)]
        line = "  ".join(c.ljust(w) for c, w in zip(self.columns, width))
        out = [line, "  ".join("-" * w for w in width)]
        out += ["  ".join(v.ljust(w) for v, w in zip(r, width)).rstrip() for r in rows]
        return "\n".join(out)

    def to_frame(self):
        """The table as a :class:`pandas.DataFrame`."""
        import pandas as pd

        return pd.DataFrame(list(self))


def available(root: str | os.PathLike | None = None) -> DatasetTable:
    """List the known datasets with their pair and node counts (from ``SOURCES.md``, verified by
    the real-data tests) and whether their files are present under the data root.

    Args:
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``. When neither is set every
            dataset is listed with ``present=False``.

    Returns:
        DatasetTable: a list of dicts with keys ``name``, ``kind``, ``present``, ``edge_type``,
        ``pairs`` (interaction pairs, or labelled rows for site-pair sets, or records),
        ``nodes`` (e.g. ``"circrna=2346 mirna=962"``), ``counts`` and ``description``;
        ``print()`` it for a table, or call ``.to_frame()``.
    """
    try:
        base = data_root(root)
    except FileNotFoundError:
        if root is not None:
            raise
        base = None
    table = DatasetTable()
    for info in REGISTRY.values():
        present = base is not None and all((base / info.folder / f).is_file()
                                           for f in info.files)
        c = info.counts
        if info.kind == "graph":
            pairs = c["pairs"]
            nodes = " ".join(f"{nt}={c[nt]}" for nt in (info.edge_type[0], info.edge_type[2]))
        elif info.kind == "site-pairs":
            pairs, nodes = c["rows"], f"pos={c['pos']} neg={c['neg']}"
        else:
            pairs, nodes = c["records"], f"hsa={c['hsa']}"
        table.append({"name": info.name, "kind": info.kind, "present": present,
                      "edge_type": info.edge_type, "pairs": pairs, "nodes": nodes,
                      "counts": dict(c), "description": info.description})
    return table
