"""Site-level miRNA-target pairs from miTAR (DeepMirTar, miRAW and their combination)."""
from __future__ import annotations

import os
import warnings

from rnagraph.datasets._root import data_root, dataset_file
from rnagraph.datasets.registry import MITAR_HEADER_FILES, get_info
from rnagraph.datasets.site_pairs import SitePairs
from rnagraph.io import InputError, normalize_sequence
from rnagraph.io._text import open_text


def load_site_pairs(name: str, root: str | os.PathLike | None = None, *,
                    duplicates: str = "keep") -> SitePairs:
    """Load a miTAR site-pair file as :class:`SitePairs`.

    Names: ``deepmirtar`` (7,758 rows), ``deepmirtar-indtest`` (828), ``deepmirtar-test`` (48,
    positives only), ``miraw`` (41,863), ``miraw-indtest`` (2,000), ``miraw-indtest-unique``
    (1,819) and ``deepmirtar-miraw`` (alias ``combined``; 27,720).

    The files store the miRNA **3'->5'**: it is reversed here, so ``mirna_seq`` reads 5'->3'
    like miRBase. Target sites are 5'->3' and mix ``T`` and ``U``: both become ``U``. Header
    rows (two files have one) are skipped.

    Args:
        name (str): dataset name.
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``.
        duplicates (str): rows repeating an earlier ``(mirna_seq, target_seq)`` pair:
            ``"keep"`` (default: row counts match the published files; splits keep the copies
            together), ``"warn"`` (keep and warn with the count) or ``"drop"`` (keep the
            first row of each pair).

    Raises:
        InputError: a row without 5 tab-separated fields, a bad sequence or a label not 0/1.
    """
    if duplicates not in ("keep", "warn", "drop"):
        raise ValueError(f"load_site_pairs: duplicates must be 'keep', 'warn' or 'drop', got "
                         f"{duplicates!r}")
    info = get_info(name, kind="site-pairs")
    file = info.files[0]
    path = dataset_file(data_root(root), info.folder, file, info.name)
    cols: tuple[list[str], ...] = ([], [], [], [], [])
    with open_text(path) as fh:
        skip_header = file in MITAR_HEADER_FILES
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            f = [x.strip() for x in line.rstrip("\n").split("\t")]
            if skip_header:
                skip_header = False
                if f[-1].lower() == "label":
                    continue
            if len(f) != 5:
                raise InputError(f"expected 5 tab-separated fields, found {len(f)}", path, lineno)
            if f[4] not in ("0", "1"):
                raise InputError(f"label must be 0 or 1, got {f[4]!r}", path, lineno)
            cols[0].append(f[0])
            cols[1].append(normalize_sequence(f[1], path=path, line=lineno)[::-1])
            cols[2].append(f[2])
            cols[3].append(normalize_sequence(f[3], path=path, line=lineno))
            cols[4].append(int(f[4]))
    if not cols[0]:
        raise InputError("empty file (no rows)", path)
    pairs = SitePairs(*cols, name=info.name)
    if pairs.num_duplicates and duplicates == "warn":
        warnings.warn(f"{info.name}: {pairs.num_duplicates} of {len(pairs)} rows repeat an "
                      f"earlier (miRNA, target site) pair ({pairs.num_conflicts} with "
                      f"conflicting labels)", stacklevel=2)
    if duplicates == "drop":
        pairs = pairs.deduplicate()
    return pairs
