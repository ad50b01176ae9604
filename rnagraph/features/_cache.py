"""On-disk cache of computed arrays (private): key = sha256 of the inputs and options."""
from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from rnagraph.io.atomic import atomic_path


def default_cache_dir() -> Path:
    """``$RNAGRAPH_CACHE`` if set, else ``~/.cache/rnagraph``."""
    env = os.environ.get("RNAGRAPH_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "rnagraph"


def hash_key(options: str, *seq_lists: Iterable[str]) -> str:
    """sha256 over an options string and one or more lists of sequences (order matters)."""
    h = hashlib.sha256(options.encode())
    for seqs in seq_lists:
        h.update(b"\x1d")  # group separator between lists
        for s in seqs:
            h.update(s.encode("ascii"))
            h.update(b"\x1e")  # record separator: "AB","C" != "A","BC"
    return h.hexdigest()


def load(path: Path, shape: tuple[int, ...]) -> np.ndarray | None:
    """The cached array, or ``None`` if absent, unreadable, not a plain ``float32`` array or of
    the wrong shape (warns). Never unpickles: an object array (a pickle inside a ``.npy``, which
    could run code) is refused by ``allow_pickle=False`` and recomputed."""
    if not path.exists():
        return None
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as exc:  # truncated, foreign, a pickle payload: never trusted
        warnings.warn(f"rnagraph cache: ignoring unreadable {path} ({type(exc).__name__}: "
                      f"{exc}); recomputing", stacklevel=3)
        return None
    if not isinstance(arr, np.ndarray) or arr.dtype != np.float32:
        warnings.warn(f"rnagraph cache: {path} is not a float32 array written by rnagraph; "
                      "recomputing", stacklevel=3)
        return None
    if arr.shape != shape:
        warnings.warn(f"rnagraph cache: {path} has shape {arr.shape}, expected {shape}; "
                      "recomputing", stacklevel=3)
        return None
    return arr


def save_atomic(path: Path, arr: np.ndarray) -> None:
    """Write ``arr`` as ``.npy`` atomically (:func:`rnagraph.io.atomic_path`)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.save(fh, arr, allow_pickle=False)


def cached_array(name: str, key: str, shape: tuple[int, ...], compute: Callable[[], Any],
                 cache: bool | str | Path = True) -> np.ndarray:
    """``compute()`` as a ``float32`` array of ``shape``, kept as ``<folder>/<name>-<h>.npy``
    with ``h`` the sha256 of ``key`` (which must name every input and option of the value).

    ``cache``: ``True`` = :func:`default_cache_dir`, a folder, or ``False`` (always compute).
    A hit of the right shape is returned as read; a missing, unreadable or misshapen entry is
    recomputed and rewritten (atomically); a cache folder that cannot be written is skipped
    with a warning. The array read back equals the array written, so a cached value equals a
    recomputed one whenever ``compute`` is deterministic.
    """
    if cache is False or cache is None:
        return np.ascontiguousarray(np.asarray(compute(), dtype=np.float32))
    folder = default_cache_dir() if cache is True else Path(cache).expanduser()
    path = folder / f"{name}-{hashlib.sha256(key.encode()).hexdigest()}.npy"
    hit = load(path, tuple(shape))
    if hit is not None:
        return hit
    arr = np.ascontiguousarray(np.asarray(compute(), dtype=np.float32))
    if arr.shape != tuple(shape):
        raise ValueError(f"rnagraph cache: {name} computed shape {arr.shape}, expected {shape}")
    try:
        save_atomic(path, arr)
    except OSError as exc:
        warnings.warn(f"rnagraph cache: cannot write {path} ({exc}); going on without caching",
                      stacklevel=2)
    return arr
