"""Shared benchmark logging: print a table and append it, dated and with the machine, to a
Markdown file (``docs/benchmarks.md`` by default). One class serves every benchmark script."""
from __future__ import annotations

import datetime as _dt
import os
import platform
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from rnagraph.evaluate import peak_rss_mib  # noqa: F401  (re-exported)

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    """One line describing this machine (CPU, cores, memory, Python, torch)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    try:
        import torch
        tv = f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:  # pragma: no cover
        tv = ""
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}{tv}"


@contextmanager
def timer() -> Iterator[dict]:
    """``with timer() as t: ...`` then ``t['s']`` holds the elapsed wall-clock seconds."""
    out: dict = {}
    t0 = time.perf_counter()
    try:
        yield out
    finally:
        out["s"] = time.perf_counter() - t0


def fmt_mean_std(values: Sequence[float], digits: int = 4) -> str:
    """``mean ± std`` (population std over folds) of a sequence of floats."""
    import numpy as np
    a = np.asarray(values, dtype=float)
    return f"{a.mean():.{digits}f} ± {a.std():.{digits}f}"


class BenchmarkLog:
    """Collects rows of one benchmark, prints them as a table, appends them to a Markdown file.

    Args:
        title (str): section heading, e.g. ``"features: featurizer cost"``.
        columns (list[str]): column names.
        path (str | Path, optional): Markdown file to append to
            (default ``docs/benchmarks.md``).
    """

    def __init__(self, title: str, columns: Sequence[str], path: str | Path | None = None):
        self.title = title
        self.columns = list(columns)
        self.path = Path(path) if path else ROOT / "docs" / "benchmarks.md"
        self.rows: list[list[str]] = []
        self.notes: list[str] = []

    def add(self, *values: object) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"BenchmarkLog: {len(values)} values for {len(self.columns)} columns")
        self.rows.append([v if isinstance(v, str) else _fmt(v) for v in values])

    def note(self, text: str) -> None:
        self.notes.append(text)

    def markdown(self) -> str:
        head = "| " + " | ".join(self.columns) + " |"
        sep = "|" + "|".join("---" for _ in self.columns) + "|"
        body = ["| " + " | ".join(r) + " |" for r in self.rows]
        stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        cmd = "python " + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
        lines = [f"## {self.title}", "", f"{stamp} · {machine()}", "", f"Command: `{cmd}`", "",
                 head, sep, *body]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines) + "\n"

    def print(self) -> None:
        try:
            from rich.console import Console
            from rich.table import Table
            t = Table(title=self.title)
            for c in self.columns:
                t.add_column(c)
            for r in self.rows:
                t.add_row(*r)
            Console().print(t)
        except ImportError:  # pragma: no cover
            print(self.markdown())
        for n in self.notes:
            print(n)

    def write(self) -> Path:
        """Print the table and append it to :attr:`path` (atomic: write temp, then replace)."""
        self.print()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        old = self.path.read_text() if self.path.exists() else "# Benchmarks\n"
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(old.rstrip("\n") + "\n\n" + self.markdown())
        os.replace(tmp, self.path)
        return self.path


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def write_section(path: str | Path, name: str, markdown: str,
                  title: str = "# Results") -> Path:
    """Replace (or append) the section ``name`` of the Markdown file ``path``, atomically.

    A section is delimited by ``<!-- section: NAME -->`` and ``<!-- /section: NAME -->``
    comments, so several benchmark scripts can share one file (e.g. ``docs/results.md``) and each
    rerun replaces only its own part. A missing file is created with ``title``.
    """
    path = Path(path)
    begin, end = f"<!-- section: {name} -->", f"<!-- /section: {name} -->"
    block = f"{begin}\n{markdown.strip()}\n{end}\n"
    old = path.read_text() if path.exists() else f"{title}\n"
    i, j = old.find(begin), old.find(end)
    if i >= 0 and j > i:
        rest = old[j + len(end):].lstrip("\n")
        new = old[:i] + block + ("\n" + rest if rest else "")
    else:
        new = old.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(new)
    os.replace(tmp, path)
    return path
