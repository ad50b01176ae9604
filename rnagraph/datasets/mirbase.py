"""miRNA sequences by name: miRBase ``mature.fa`` and the cmi ``miRNA.csv`` tables."""
from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence

from rnagraph.datasets._root import data_root, dataset_file
from rnagraph.datasets.registry import get_info
from rnagraph.io import read_fasta, read_sequence_table

log = logging.getLogger("rnagraph.datasets")

#: Default name -> sequence sources, in order of preference. The cmi tables come first: they
#: follow a newer miRBase release (the one whose names the datasets use, e.g. ``hsa-let-7c-5p``),
#: and agree with each other on every shared name; ``mature.fa`` is an older (2012) release.
DEFAULT_MIRNA_SOURCES: tuple[str, ...] = ("cmi-20208", "cmi-9905", "cmi-9589", "mirbase-mature")


def load_mirbase_mature(root: str | os.PathLike | None = None,
                        species: str | None = "hsa") -> dict[str, str]:
    """Read miRBase's ``mature.fa`` (``mirbase-mature``) into ``{name: sequence}``.

    The name is the first word of the header (``>hsa-let-7a-5p MIMAT0000062 ...``).

    Args:
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``.
        species (str, optional): keep names starting with ``"<species>-"`` (default ``"hsa"``,
            1,921 records); ``None`` keeps all 21,643.
    """
    info = get_info("mirbase-mature")
    path = dataset_file(data_root(root), info.folder, info.files[0], info.name)
    seqs = read_fasta(path)
    if species is None:
        return seqs
    prefix = f"{species}-"
    return {k: v for k, v in seqs.items() if k.startswith(prefix)}


def _source_table(name: str, root) -> dict[str, str]:
    if name == "mirbase-mature":
        return load_mirbase_mature(root, species=None)
    info = get_info(name)
    if "miRNA.csv" not in info.files:
        raise ValueError(f"dataset {name!r} has no miRNA sequence table")
    return read_sequence_table(dataset_file(data_root(root), info.folder, "miRNA.csv", name))


def mirna_sequences_by_name(names: Iterable[str], root: str | os.PathLike | None = None,
                            sources: Sequence[str] = DEFAULT_MIRNA_SOURCES
                            ) -> tuple[dict[str, str], dict[str, str], dict]:
    """Look miRNA names up in several sequence sources, the first source that has a name wins.

    A source whose file is missing under the data root is skipped with a logged warning (so an
    id-only dataset still loads without them); its absence shows in the report.

    Args:
        names: the miRNA names to look up.
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``.
        sources: dataset names to search, in order of preference (default
            :obj:`DEFAULT_MIRNA_SOURCES`).

    Returns:
        ``(sequences, source, report)``: ``{name: sequence}`` and ``{name: source}`` for the names
        found; ``report`` holds ``covered``, ``total``, ``by_source`` (names taken from each
        source), ``in_source`` (names each source has, alone), ``disagreements`` (names that
        two sources spell differently; the preferred source is kept), ``disagreeing`` (those
        names), ``missing_sources`` and ``missing`` (names found nowhere).
    """
    names = list(dict.fromkeys(names))
    tables: dict[str, dict[str, str]] = {}
    missing_sources: list[str] = []
    for src in sources:
        try:
            tables[src] = _source_table(src, root)
        except FileNotFoundError as e:
            missing_sources.append(src)
            log.warning("miRNA sequence source %s skipped: %s", src, e)
    seqs: dict[str, str] = {}
    origin: dict[str, str] = {}
    disagreeing: list[str] = []
    for n in names:
        found = [(src, t[n]) for src, t in tables.items() if n in t]
        if not found:
            continue
        origin[n], seqs[n] = found[0]
        if any(s != seqs[n] for _, s in found[1:]):
            disagreeing.append(n)
    by_source = {src: sum(1 for v in origin.values() if v == src) for src in tables}
    in_source = {src: sum(1 for n in names if n in t) for src, t in tables.items()}
    report = {"covered": len(seqs), "total": len(names), "sources": list(tables),
              "by_source": by_source, "in_source": in_source,
              "disagreements": len(disagreeing), "disagreeing": disagreeing,
              "missing_sources": missing_sources,
              "missing": [n for n in names if n not in seqs]}
    return seqs, origin, report
