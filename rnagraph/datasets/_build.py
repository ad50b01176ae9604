"""Dispatch a graph dataset name to its builder (no caching)."""
from __future__ import annotations

import os
from pathlib import Path

from torch_geometric.data import HeteroData

from rnagraph.datasets.cmi import load_cmi
from rnagraph.datasets.mirbase import DEFAULT_MIRNA_SOURCES
from rnagraph.datasets.mtis import load_mtis
from rnagraph.datasets.registry import get_info


def build_dataset(name: str, root: str | os.PathLike | None = None) -> HeteroData:
    """Parse a graph dataset from the raw files (no cache)."""
    info = get_info(name, kind="graph")
    if info.name == "cerna":
        from rnagraph.datasets.cerna import load_cerna
        return load_cerna(root)
    if info.name == "mtis-9214":
        return load_mtis(root)
    return load_cmi(info.name, root)


def input_files(name: str, root: Path) -> list[Path]:
    """Every file the processed graph depends on (required and optional), for cache keys."""
    info = get_info(name, kind="graph")
    files = [root / info.folder / f for f in info.files]
    if info.name == "cerna":
        files += input_files("mtis-9214", root)[len(get_info("mtis-9214").files):]
    if info.name == "mtis-9214":
        for src in DEFAULT_MIRNA_SOURCES:
            s = get_info(src)
            files.append(root / s.folder / ("mature.fa" if s.kind == "sequences" else "miRNA.csv"))
    return files
