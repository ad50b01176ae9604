"""Atomic file writes: the one helper every writer in the library uses.

A file is written to a temporary name in the same folder and moved into place with
:func:`os.replace`, so a reader (or a killed run) sees either the old file or the complete new
one, never a half-written one. The finished file gets the mode a plain ``open(path, "w")``
would give it (``0o666`` less the user's umask), not the ``0o600`` of a temporary file.

Temporary files are named ``.<name>.rnagraph-<pid>-<random>.tmp``. An error removes its own;
a run killed outright (SIGKILL, power loss) cannot, so the next write to the same path removes
every such file whose process is no longer running.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: the part of a temporary file's name that marks it as ours
TMP_TAG = "rnagraph-"


def current_umask() -> int:
    """The process's umask (read without changing it where ``/proc`` allows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True   # someone else's process: leave its file alone
    return True


def clean_stale(path: str | Path) -> list[Path]:
    """Remove the temporary files left beside ``path`` by runs that were killed (their process
    is gone); returns the removed paths. Files of running processes are left alone."""
    path = Path(path)
    removed = []
    try:
        candidates = list(path.parent.glob(f".{_glob_escape(path.name)}.{TMP_TAG}*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        rest = tmp.name[len(path.name) + len(TMP_TAG) + 2:]
        pid = rest.split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` (with the mode
    the umask gives new files), on error it is removed and ``path`` is left as it was. Stale
    temporary files of killed runs beside ``path`` are removed first (:func:`clean_stale`).

    Example::

        with atomic_path("model.rg") as tmp:
            torch.save(obj, tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{TMP_TAG}{os.getpid()}-",
                               suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
    return Path(path)


__all__ = ["atomic_path", "atomic_write", "clean_stale", "current_umask"]
