"""Where the public datasets live (read-only) and where processed caches go."""
from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the data root (the folder holding ``cmi-9905/``, ``mtis-9214/``...).
DATA_ENV = "RNAGRAPH_DATA"
#: Environment variable naming the cache root (default ``~/.cache/rnagraph``).
CACHE_ENV = "RNAGRAPH_CACHE"


def data_root(root: str | os.PathLike | None = None) -> Path:
    """Resolve the data root: ``root`` if given, else ``$RNAGRAPH_DATA``.

    Raises:
        FileNotFoundError: neither is set, or the folder does not exist; the message names the
            path that was tried and how to set it.
    """
    if root is None:
        env = os.environ.get(DATA_ENV)
        if not env:
            raise FileNotFoundError(
                f"no data root: pass root=... or set ${DATA_ENV} to the folder that holds the "
                f"dataset folders (e.g. {DATA_ENV}=../shared/data)")
        root, how = env, f"${DATA_ENV}"
    else:
        how = "root="
    path = Path(root).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(f"data root {str(path)!r} (from {how}) is not a folder")
    return path


def dataset_file(root: Path, folder: str, file: str, dataset: str) -> Path:
    """``root/folder/file``, or a :class:`FileNotFoundError` naming the expected path."""
    d = root / folder
    if not d.is_dir():
        raise FileNotFoundError(
            f"dataset {dataset!r}: folder {str(d)!r} not found under the data root {str(root)!r} "
            f"(set ${DATA_ENV} or root= to the folder that holds {folder}/)")
    path = d / file
    if not path.is_file():
        raise FileNotFoundError(f"dataset {dataset!r}: expected file {str(path)!r} is missing")
    return path


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """Resolve the cache root: ``cache_dir`` if given, else ``$RNAGRAPH_CACHE``, else
    ``~/.cache/rnagraph``. The folder is not created here."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "rnagraph"


def check_not_inside(cache: Path, root: Path) -> None:
    """Refuse a cache folder inside the (read-only) data root."""
    c, r = cache.resolve(), root.resolve()
    if c == r or r in c.parents:
        raise ValueError(f"cache folder {str(cache)!r} lies inside the data root {str(root)!r}; "
                         f"rnagraph never writes into the data root: choose another cache_dir")
