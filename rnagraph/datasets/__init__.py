"""Public datasets (one loader per folder under the data root) and the synthetic generator.

Graph datasets load as :class:`~torch_geometric.data.HeteroData` through :func:`load` (or the
:class:`RNAGraphDataset` ``InMemoryDataset``); miTAR's site-level pairs load as
:class:`SitePairs` through :func:`load_site_pairs`. :func:`available` lists them all.

The registry, the data root and the name helpers import without torch; the loaders (and with
them torch and PyG) are imported on first use (see :mod:`rnagraph._lazy`).
"""
from typing import TYPE_CHECKING

from rnagraph._lazy import lazy_exports
from rnagraph.datasets._root import cache_root, data_root
from rnagraph.datasets.mirna_names import match_mirna_names, normalize_mirna_name
from rnagraph.datasets.registry import (
    REGISTRY,
    DatasetInfo,
    SourceFile,
    Upstream,
    available,
    get_info,
)

if TYPE_CHECKING:
    from rnagraph.datasets.attach import attach_sequences
    from rnagraph.datasets.cerna import join_cerna, load_cerna
    from rnagraph.datasets.cmi import load_cmi
    from rnagraph.datasets.in_memory import RNAGraphDataset
    from rnagraph.datasets.loader import load
    from rnagraph.datasets.mirbase import (
        DEFAULT_MIRNA_SOURCES,
        load_mirbase_mature,
        mirna_sequences_by_name,
    )
    from rnagraph.datasets.mitar import load_site_pairs
    from rnagraph.datasets.mtis import load_mtis, mtis_author_negatives, mtis_author_split
    from rnagraph.datasets.site_pairs import SitePairs
    from rnagraph.datasets.synthetic import synthetic
    from rnagraph.datasets.twins import twin_report

lazy_exports(__name__, {
    "attach_sequences": ("attach", "attach_sequences"),
    "join_cerna": ("cerna", "join_cerna"),
    "load_cerna": ("cerna", "load_cerna"),
    "load_cmi": ("cmi", "load_cmi"),
    "RNAGraphDataset": ("in_memory", "RNAGraphDataset"),
    "load": ("loader", "load"),
    "DEFAULT_MIRNA_SOURCES": ("mirbase", "DEFAULT_MIRNA_SOURCES"),
    "load_mirbase_mature": ("mirbase", "load_mirbase_mature"),
    "mirna_sequences_by_name": ("mirbase", "mirna_sequences_by_name"),
    "load_site_pairs": ("mitar", "load_site_pairs"),
    "load_mtis": ("mtis", "load_mtis"),
    "mtis_author_negatives": ("mtis", "mtis_author_negatives"),
    "mtis_author_split": ("mtis", "mtis_author_split"),
    "SitePairs": ("site_pairs", "SitePairs"),
    "synthetic": ("synthetic", "synthetic"),
    "twin_report": ("twins", "twin_report"),
})

__all__ = [
    "load",
    "available",
    "get_info",
    "REGISTRY",
    "DatasetInfo",
    "SourceFile",
    "Upstream",
    "RNAGraphDataset",
    "load_cmi",
    "load_mtis",
    "mtis_author_split",
    "mtis_author_negatives",
    "load_mirbase_mature",
    "mirna_sequences_by_name",
    "DEFAULT_MIRNA_SOURCES",
    "attach_sequences",
    "load_site_pairs",
    "SitePairs",
    "data_root",
    "cache_root",
    "synthetic",
    "twin_report",
    "join_cerna",
    "load_cerna",
    "normalize_mirna_name",
    "match_mirna_names",
]
