"""The graph datasets as PyG :class:`~torch_geometric.data.InMemoryDataset` objects."""
from __future__ import annotations

import hashlib
import os
import os.path as osp
import warnings
from collections.abc import Callable

import torch
from torch_geometric.data import HeteroData, InMemoryDataset
from torch_geometric.data.dataset import _repr

from rnagraph.datasets._build import build_dataset, input_files
from rnagraph.datasets._root import cache_root, check_not_inside, data_root, dataset_file
from rnagraph.datasets.registry import get_info
from rnagraph.io.atomic import atomic_path

#: Bump when the processed format changes, so old caches are rebuilt.
FORMAT_VERSION = 2   # 2: one direction per interaction, NodeColumn side tables


class RNAGraphDataset(InMemoryDataset):
    r"""A public RNA interaction graph (``cmi-9905``, ``cmi-9589``, ``cmi-20208``,
    ``cmi-9589-gcncmi``, ``mtis-9214``) as a one-graph PyG dataset, following
    :class:`torch_geometric.datasets.MovieLens`.

    Raw files are read from ``<data root>/<folder>/`` and never written to; the processed graph is
    saved under ``<cache>/<name>/processed/``, in a file whose name hashes the raw files' paths,
    sizes and modification times (so edited data is re-processed). Nothing under the cache is
    ever unpickled: every file there is read with ``torch.load(weights_only=True)`` (PyG's own
    ``Dataset._process`` and ``InMemoryDataset.load`` may fall back to full unpickling, so both are
    replaced here), and a file that does not read that way (tampered, foreign, truncated) is
    ignored and rebuilt from the raw files with a warning. ``dataset[0]`` is the
    :class:`~torch_geometric.data.HeteroData` that :func:`~rnagraph.datasets.load` returns.

    Args:
        name (str): the dataset name (see :func:`~rnagraph.datasets.available`).
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``.
        cache_dir (str, optional): the cache root; else ``$RNAGRAPH_CACHE``, else
            ``~/.cache/rnagraph``. Must not lie inside the data root.
        transform (callable, optional): applied on every access.
        pre_transform (callable, optional): applied once before saving.
        force_reload (bool): re-process even if a cache exists. (default: ``False``)
        log (bool): print PyG's "Processing..." messages. (default: ``False``)

    Raises:
        FileNotFoundError: the data root, the dataset folder or a file is missing (the message
            names the expected path).
    """

    def __init__(self, name: str, root: str | os.PathLike | None = None,
                 cache_dir: str | os.PathLike | None = None,
                 transform: Callable | None = None, pre_transform: Callable | None = None,
                 force_reload: bool = False, log: bool = False):
        self.info = get_info(name, kind="graph")
        self.name = self.info.name
        self.data_root = data_root(root)
        self.cache_dir = cache_root(cache_dir)
        check_not_inside(self.cache_dir, self.data_root)
        super().__init__(str(self.cache_dir / self.name), transform, pre_transform,
                         force_reload=force_reload, log=log)
        self.load(self.processed_paths[0], data_cls=HeteroData)

    def load(self, path: str, data_cls: type = HeteroData) -> None:
        """Read the processed graph at ``path`` without unpickling: a file that does not read
        with ``weights_only=True`` as the ``(dict, slices[, HeteroData])`` that :meth:`save`
        writes is rebuilt from the raw files, with a warning."""
        try:
            self.data, self.slices = _read_processed(path)
        except Exception as exc:  # tampered, foreign or truncated: never unpickle, rebuild
            _warn_rebuild(path, exc)
            self._rebuild()
            self.data, self.slices = _read_processed(path)

    def _process(self) -> None:
        # PyG reads ``pre_transform.pt`` / ``pre_filter.pt`` with ``weights_only=False``; here
        # they are read as plain strings and a mismatch or an unreadable file means a rebuild.
        stale = self.force_reload
        for name, want in (("pre_transform.pt", _repr(self.pre_transform)),
                           ("pre_filter.pt", _repr(self.pre_filter))):
            f = osp.join(self.processed_dir, name)
            if stale or not osp.exists(f):
                continue
            try:
                got = torch.load(f, map_location="cpu", weights_only=True)
            except Exception as exc:
                _warn_rebuild(f, exc)
                stale = True
                continue
            if got != want:
                stale = True
        if not stale and all(osp.exists(p) for p in self.processed_paths):
            return
        self._rebuild()

    def _rebuild(self) -> None:
        os.makedirs(self.processed_dir, exist_ok=True)
        self.process()
        for name, value in (("pre_transform.pt", _repr(self.pre_transform)),
                            ("pre_filter.pt", _repr(self.pre_filter))):
            with atomic_path(osp.join(self.processed_dir, name)) as tmp:
                torch.save(value, tmp)

    @property
    def raw_dir(self) -> str:
        return str(self.data_root / self.info.folder)

    @property
    def raw_file_names(self) -> list[str]:
        return list(self.info.files)

    @property
    def processed_dir(self) -> str:
        return osp.join(self.root, "processed")

    @property
    def processed_file_names(self) -> str:
        h = hashlib.sha1(f"v{FORMAT_VERSION}".encode())
        for p in input_files(self.name, self.data_root):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
        return f"data_{h.hexdigest()[:16]}.pt"

    def _download(self) -> None:
        # Never create folders in the data root (PyG's default makes raw_dir): just check.
        for f in self.info.files:
            dataset_file(self.data_root, self.info.folder, f, self.name)

    def download(self) -> None:  # pragma: no cover - _download raises first
        raise FileNotFoundError(f"dataset {self.name!r}: raw files missing under {self.raw_dir}")

    def process(self) -> None:
        data = build_dataset(self.name, self.data_root)
        if self.pre_transform is not None:
            data = self.pre_transform(data)
        data_, slices = self.collate([data])
        with atomic_path(self.processed_paths[0]) as tmp:
            torch.save((data_.to_dict(), slices, HeteroData), tmp)

    def __repr__(self) -> str:
        return f"RNAGraphDataset(name={self.name!r})"


def _read_processed(path: str) -> tuple[HeteroData, dict | None]:
    """``(graph, slices)`` of a processed file, read with ``weights_only=True`` only."""
    out = torch.load(path, map_location="cpu", weights_only=True)
    if not (isinstance(out, tuple) and len(out) in (2, 3) and isinstance(out[0], dict)
            and (out[1] is None or isinstance(out[1], dict))
            and (len(out) == 2 or out[2] is HeteroData)):
        raise ValueError("not a processed rnagraph graph")
    return HeteroData.from_dict(out[0]), out[1]


def _warn_rebuild(path: str, exc: BaseException) -> None:
    warnings.warn(f"the processed cache is unreadable or was not written by rnagraph: ignoring "
                  f"{path} ({type(exc).__name__}) and rebuilding it from the raw files",
                  stacklevel=3)
