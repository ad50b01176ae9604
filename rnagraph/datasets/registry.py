"""The metadata table of the public datasets rnagraph knows how to load."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from rnagraph.datasets._root import data_root, locate_data_root
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA, EdgeType


@dataclass(frozen=True)
class Upstream:
    """A public repository that data files are fetched from, pinned to one commit.

    Attributes:
        repo (str): ``owner/name`` on GitHub.
        commit (str): the full commit hash every URL is pinned to.
        licence (str): the licence the repository states (or that it states none).
    """

    repo: str
    commit: str
    licence: str

    @property
    def page(self) -> str:
        """The repository's web page at the pinned commit."""
        return f"https://github.com/{self.repo}/tree/{self.commit}"

    def url(self, path: str) -> str:
        """The raw download URL of ``path`` (a path in the repository) at the pinned commit."""
        return f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/{path}"


@dataclass(frozen=True)
class SourceFile:
    """One file of a dataset as it is published.

    Attributes:
        path (str): where it goes, relative to the data root (``"cmi-9905/9905pairs.csv"``).
        upstream (Upstream): the repository and commit it comes from.
        upstream_path (str): its path in that repository.
        sha256 (str): the checksum of the file as it must be under the data root.
        size (int): its size in bytes.
        derived (str): empty for a verbatim copy of the upstream file (every file today);
            otherwise how the file is built from the upstream one (a manual step the download
            cannot do).
    """

    path: str
    upstream: Upstream
    upstream_path: str
    sha256: str
    size: int
    derived: str = ""

    @property
    def url(self) -> str:
        """The upstream download URL, pinned to the commit."""
        return self.upstream.url(self.upstream_path)


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
        sources (tuple[SourceFile, ...]): the published files (``rnagraph datasets download``
            fetches and verifies them); they cover ``files``.
    """

    name: str
    kind: str
    folder: str
    files: tuple[str, ...]
    edge_type: EdgeType | None
    counts: dict = field(default_factory=dict)
    description: str = ""
    sources: tuple[SourceFile, ...] = ()

    @property
    def licences(self) -> tuple[str, ...]:
        """The licences of the repositories the files come from (each once)."""
        return tuple(dict.fromkeys(s.upstream.licence for s in self.sources))


_NO_LICENCE = "none stated (no LICENSE file in the repository)"
_BGF = Upstream("look0012/BGF-CMAP", "d3775479c698bf11bf91c8c46a59ea2504bcc90a", _NO_LICENCE)
_GCNCMI = Upstream("csuhjhjhj/GCNCMI", "2005d67a5f8e189afa0d03d09484af2fe65a163b",
                   "MIT (Copyright (c) 2022 jieHeEternity)")
_HYBRMI = Upstream("look0012/HybRMI", "51ead75478139f076f7abc742340e8831c6aff59", _NO_LICENCE)
_MIRSNP = Upstream("riverlee/miRNA-SNP", "07ef5a5d5baa2687861038f685bf13116498fa86",
                   _NO_LICENCE + "; the file is miRBase's mature.fa")
_MITAR = Upstream("tjgu/miTAR", "548e0d0242282846876e4bb1939694f8c1835cc1",
                  _NO_LICENCE + "; data derived from DeepMirTar and miRAW")


def _files(folder: str, upstream: Upstream, prefix: str,
           rows: list[tuple[str, str, int]]) -> tuple[SourceFile, ...]:
    """``(file, sha256, size)`` rows of files at ``prefix + file`` upstream -> ``folder/file``."""
    return tuple(SourceFile(f"{folder}/{f}", upstream, prefix + f, sha, size)
                 for f, sha, size in rows)


# sha256 and sizes of the files in the shared data root, byte-identical to the upstream blobs
# at the pinned commits (each folder's SOURCES.md)
_CMI_9905 = _files("cmi-9905", _BGF, "Dataset/CMI-9905/", [
    ("9905pairs.csv", "7129a6d9597147d18e3d8c499b229b4e5b28db8de82874232461b7fd3300cd72", 325837),
    ("miRNA.csv", "dfa0ef8102af86804e1f01cc268bc02217bdb80fcf43d404a4d9ccd1c3f44076", 37295)])
_CMI_9589 = _files("cmi-9589", _BGF, "Dataset/CMI-9859/", [  # the folder is misnamed upstream
    ("9589pair.csv", "eceae7a22167e20718e16fb295ac911880a942bb3a4f89fa4616371b8e5ba0c9", 315653),
    ("miRNA.csv", "3a0f02dc74ed1594228fe0e586453ed44b60c6f7d4621d02568e6d6dfcd5a62a", 31903)])
_CMI_20208 = _files("cmi-20208", _BGF, "Dataset/CMI-20208/", [
    ("20208.csv", "97b0b0066cda0553c5aa3798717e51940daa980af48aade18de5f17dd148002c", 666113),
    ("miRNA.csv", "d2977d6686bec21aae200edd98904a21dadf20d11dfa6013ba3f2caaca2aadc1", 44651)])
_GCN = (SourceFile("cmi-9589/gcncmi/ass.txt", _GCNCMI, "dataset/ass.txt",
                   "ab05ee73f8f946e17ff539e565c43c524cd330fd9d880d7a74c7ba764c7d889a", 99018),)
_MTIS = (_files("mtis-9214", _HYBRMI, "2/node/", [
    ("output1.csv", "28e5a6f070124a9e15e8275c5e97d109d4bae4e1de8d3b7125305643864f2bc8", 209145),
    ("all_mi.csv", "27814019e0f88b8834c71ff2801f8b6d412cb12e4a259dc1be24fdaff1f5849d", 13507),
    ("all_M.csv", "7025049e0f17c5fffa85e70d0b4c8ce41713c13bd3f5a06ce2b84092ef974a80", 21660)])
    + _files("mtis-9214", _HYBRMI, "1/", [
        ("NegativeSample.csv",
         "5a94ac7700e7c6f96cbe530fc050c8cc488299a171a724d59a0c1765ba0e327d", 200396),
        ("PositiveSample_Train.csv",
         "88b9f90c6b73279b6da809b2d73268bfdadd35c2ae3a3753b41bd5dae55ece9c", 139906),
        ("PositiveSample_Validation.csv",
         "988d9b39c33f6428d0dba58f4957de3e91380a7ce1794a4fde2e2ddf8da16d2e", 19986),
        ("PositiveSample_Test.csv",
         "4112cad6148d356eadd09642d50a4d5893660e84665c2f172f31ef661280c8c9", 40039),
        ("NegativeSample_Train.csv",
         "192bf4ee9d3022fa7448eb6b2140d4e37c017bc803e6a289e71d0e34c5f7f11c", 140329),
        ("NegativeSample_Validation.csv",
         "d3f934ef1d61c165831b313f43f610590c18ab377061c2ed26cdd04606ccecc9", 19978),
        ("NegativeSample_Test.csv",
         "57605bf7b0c4969765b7f73f34109b2fb6c1a929d6c61feb094c1b85e173a0dc", 40089)]))
_MATURE = _files("mirbase-mature", _MIRSNP, "", [
    ("mature.fa", "a9d6685feb4686e3422d261128377855a991f7d8826d09b8a4aa079e88295a3f", 1652281)])


def _mitar(file: str, sha256: str, size: int) -> tuple[SourceFile, ...]:
    return _files("mitar-mirna-mrna", _MITAR, "scripts_data_models/data/", [(file, sha256, size)])


_M = "mitar-mirna-mrna"
_INFOS = [
    DatasetInfo("cmi-9905", "graph", "cmi-9905", ("9905pairs.csv", "miRNA.csv"), CIRC_MIRNA,
                {"pairs": 9905, "circrna": 2346, "mirna": 962, "mirna_seq": 962, "circrna_seq": 0},
                "circRNA-miRNA pairs (BGF-CMAP CMI-9905); miRNA sequences, no circRNA sequences",
                _CMI_9905),
    DatasetInfo("cmi-9589", "graph", "cmi-9589", ("9589pair.csv", "miRNA.csv"), CIRC_MIRNA,
                {"pairs": 9589, "circrna": 2115, "mirna": 821, "mirna_seq": 821, "circrna_seq": 0},
                "circRNA-miRNA pairs (CMI-9589, MFERL's 821x2115 set); a subset of cmi-9905",
                _CMI_9589),
    DatasetInfo("cmi-20208", "graph", "cmi-20208", ("20208.csv", "miRNA.csv"), CIRC_MIRNA,
                {"pairs": 20208, "circrna": 3569, "mirna": 1152, "mirna_seq": 1152,
                 "circrna_seq": 0},
                "circRNA-miRNA pairs (BGF-CMAP CMI-20208); miRNA sequences only", _CMI_20208),
    DatasetInfo("cmi-9589-gcncmi", "graph", "cmi-9589",
                ("gcncmi/ass.txt",), CIRC_MIRNA,
                {"pairs": 9589, "circrna": 2115, "mirna": 821, "mirna_seq": 0, "circrna_seq": 0},
                "GCNCMI's anonymous 821x2115 graph (index ids only: its id files do not match)",
                _GCN),
    DatasetInfo("mtis-9214", "graph", "mtis-9214",
                ("output1.csv", "all_mi.csv", "all_M.csv", "NegativeSample.csv",
                 "PositiveSample_Train.csv", "PositiveSample_Validation.csv",
                 "PositiveSample_Test.csv", "NegativeSample_Train.csv",
                 "NegativeSample_Validation.csv", "NegativeSample_Test.csv"), MIRNA_MRNA,
                {"pairs": 9214, "mirna": 861, "mrna": 3069, "mirna_seq": 793, "mrna_seq": 0,
                 "negatives": 9214, "train": 6449, "val": 922, "test": 1843},
                "miRNA-gene pairs (GRMMI's MTIS-9214; genes are HGNC symbols in node type "
                "'mrna'); authors' negatives and 70/10/20 split", _MTIS),
    DatasetInfo("cerna", "graph", ".",
                ("cmi-20208/20208.csv", "cmi-20208/miRNA.csv", "mtis-9214/output1.csv",
                 "mtis-9214/all_mi.csv", "mtis-9214/all_M.csv"), CIRC_MIRNA,
                {"pairs": 20208, "target_pairs": 9214, "circrna": 3569, "mirna": 1648,
                 "mrna": 3069, "mirna_matched": 365, "mirna_seq": 1580},
                "joint ceRNA graph: cmi-20208 + mtis-9214 joined on 365 miRNA names "
                "(circRNA-miRNA and miRNA-gene edges; rnagraph.datasets.join_cerna)",
                _CMI_20208 + _MTIS[:3]),
    DatasetInfo("mirbase-mature", "sequences", "mirbase-mature", ("mature.fa",), None,
                {"records": 21643, "hsa": 1921},
                "miRBase mature.fa (2012-era release): miRNA sequences by name", _MATURE),
    DatasetInfo("deepmirtar", "site-pairs", _M,
                ("data_DeepMirTar_removeMisMissing_remained_seed1122.txt",), None,
                {"rows": 7758, "pos": 3908, "neg": 3850}, "DeepMirTar training set (site level)",
                _mitar("data_DeepMirTar_removeMisMissing_remained_seed1122.txt",
                       "e119be730fad64a2f7055ea38143791fc7f79cb85a36b69cab72d52193e53712",
                       567327)),
    DatasetInfo("deepmirtar-indtest", "site-pairs", _M,
                ("data_DeepMirTar_IndTest_noRepeats_3folds.txt",), None,
                {"rows": 828, "pos": 443, "neg": 385}, "DeepMirTar independent test",
                _mitar("data_DeepMirTar_IndTest_noRepeats_3folds.txt",
                       "f5ea1381f90fe468c90061186a70a0b2577954bdfe7933e3a2ac6942d7ac2f26", 60437)),
    DatasetInfo("deepmirtar-test", "site-pairs", _M, ("data_DeepMirTar_test.txt",), None,
                {"rows": 48, "pos": 48, "neg": 0}, "small DeepMirTar positive-only test",
                _mitar("data_DeepMirTar_test.txt",
                       "288a8f8ec6dda4dd2b869f649336ad028f5c24fa6998bc359091bd046696617e", 3624)),
    DatasetInfo("miraw", "site-pairs", _M, ("data_miRaw_IndTest_noRepeats_3folds.txt",), None,
                {"rows": 41863, "pos": 21265, "neg": 20598}, "miRAW data set (40-nt sites)",
                _mitar("data_miRaw_IndTest_noRepeats_3folds.txt",
                       "af2649ee354c2fc0a99c22f91717684f34c4b6b80be29db7dba7e808151b0cfc",
                       4047883)),
    DatasetInfo("miraw-indtest", "site-pairs", _M,
                ("data_miRaw_noL_noMisMissing_indTest_seed1122.txt",), None,
                {"rows": 2000, "pos": 1000, "neg": 1000}, "miRAW independent test",
                _mitar("data_miRaw_noL_noMisMissing_indTest_seed1122.txt",
                       "ccd5077dd7dbbe11bd08b73d379d0bf6dbb6b8acaf71c19a9a616a1d8debd8d9",
                       193366)),
    DatasetInfo("miraw-indtest-unique", "site-pairs", _M,
                ("data_miRaw_noL_noMisMissing_indTest_seed1122_Unique.txt",), None,
                {"rows": 1819, "pos": 929, "neg": 890},
                "miRAW independent test, upstream de-duplicated version",
                _mitar("data_miRaw_noL_noMisMissing_indTest_seed1122_Unique.txt",
                       "aae2a84ac7fc064f9f57364aa24b43f77494cd2353b4f3d17805bc2ed8630bf2",
                       175890)),
    DatasetInfo("deepmirtar-miraw", "site-pairs", _M,
                ("data_DeepMirTar_miRAW_noRepeats_3folds.txt",), None,
                {"rows": 27720, "pos": 13860, "neg": 13860},
                "DeepMirTar + miRAW combined (miTAR's training set)",
                _mitar("data_DeepMirTar_miRAW_noRepeats_3folds.txt",
                       "0240d58e4d82a37a525702ad157fb64422a31bef9d09d548e0aa01681ba50d39",
                       2516446)),
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
        out = [line.rstrip(), "  ".join("-" * w for w in width)]
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
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``, else the default folder
            (:func:`~rnagraph.datasets._root.default_data_root`). When none is set and the
            default does not exist, every dataset is listed with ``present=False``.

    Raises:
        FileNotFoundError: ``root`` or ``$RNAGRAPH_DATA`` names no folder.

    Returns:
        DatasetTable: a list of dicts with keys ``name``, ``kind``, ``present``, ``edge_type``,
        ``pairs`` (interaction pairs, or labelled rows for site-pair sets, or records),
        ``nodes`` (e.g. ``"circrna=2346 mirna=962"``), ``counts`` and ``description``;
        ``print()`` it for a table, or call ``.to_frame()``.
    """
    path, how = locate_data_root(root)
    # no root named and no default folder: list everything as absent; a named root (argument
    # or $RNAGRAPH_DATA) that is not a folder is an error
    base = None if how == "default" and not path.is_dir() else data_root(root)
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
