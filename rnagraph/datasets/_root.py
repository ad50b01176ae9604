"""Where the public datasets live (read-only) and where processed caches go."""
from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the data root (the folder holding ``cmi-9905/``, ``mtis-9214/``...).
DATA_ENV = "RNAGRAPH_DATA"
#: Environment variable naming the cache root (default ``~/.cache/rnagraph``).
CACHE_ENV = "RNAGRAPH_CACHE"


def default_data_root() -> Path:
    """The data root used when none is named, and where ``rnagraph datasets download`` puts the
    data by default: ``$XDG_DATA_HOME/rnagraph/data``, else ``~/.local/share/rnagraph/data``."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "rnagraph" / "data"


def locate_data_root(root: str | os.PathLike | None = None) -> tuple[Path, str]:
    """The data root that :func:`data_root` would use and where it comes from: ``"root"``
    (the argument), ``"env"`` (``$RNAGRAPH_DATA``) or ``"default"`` (:func:`default_data_root`).
    The folder is not checked."""
    if root is not None:
        return Path(root).expanduser(), "root"
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser(), "env"
    return default_data_root(), "default"


def data_root(root: str | os.PathLike | None = None) -> Path:
    """Resolve the data root: ``root`` if given, else ``$RNAGRAPH_DATA``, else the default
    folder (:func:`default_data_root`) when it exists.

    Raises:
        FileNotFoundError: none of them names an existing folder; the message names the path
            that was tried and how to set or fill it.
    """
    path, how = locate_data_root(root)
    if how == "default" and not path.is_dir():
        raise FileNotFoundError(
            f"no data root: pass root=... (--root) or set ${DATA_ENV} to the folder that holds the "
            f"dataset folders (e.g. {DATA_ENV}=../shared/data), or fetch the data into "
            f"{str(path)!r} with `rnagraph datasets download all`")
    if not path.is_dir():
        src = "root= / --root" if how == "root" else f"${DATA_ENV}"
        raise FileNotFoundError(f"data root {str(path)!r} (from {src}) is not a folder")
    return path


def dataset_file(root: Path, folder: str, file: str, dataset: str) -> Path:
    """``root/folder/file``, or a :class:`FileNotFoundError` naming the expected path."""
    d = root / folder
    fetch = f"`rnagraph datasets download {dataset} --root {root}` fetches it"
    if not d.is_dir():
        raise FileNotFoundError(
            f"dataset {dataset!r}: folder {str(d)!r} not found under the data root {str(root)!r} "
            f"(set ${DATA_ENV} or root= to the folder that holds {folder}/, or {fetch})")
    path = d / file
    if not path.is_file():
        raise FileNotFoundError(f"dataset {dataset!r}: expected file {str(path)!r} is missing; "
                                f"{fetch}")
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
