"""Shared benchmark logging: print a table and write it, dated and with the machine and the
command, as the benchmark's own section of a Markdown file (``docs/benchmarks.md`` by default),
replacing that section's previous figures. One class serves every benchmark script.

Tables and ``mean ± std`` cells come from :mod:`rnagraph.evaluate.results`
(:func:`~rnagraph.evaluate.markdown_table`, :func:`~rnagraph.evaluate.format_mean_std`), files
are written with :func:`rnagraph.io.atomic_write`, and cross-validation results are stored by
:func:`~rnagraph.evaluate.cross_validate`'s run store: this module adds only the machine line,
the one :func:`timer` and the section markers.
"""
from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from rnagraph.evaluate import peak_rss_mib  # noqa: F401  (re-exported)
from rnagraph.evaluate.results import markdown_table
from rnagraph.io.atomic import atomic_write

ROOT = Path(__file__).resolve().parents[1]

#: The head of ``docs/benchmarks.md`` when a benchmark creates it.
BENCHMARKS_HEADER = (
    "# Benchmarks\n\n"
    "Speed, memory and quality figures measured by the scripts in `benchmarks/`. Each script "
    "replaces its own section of this file (between `<!-- section: NAME -->` and "
    "`<!-- /section: NAME -->`) every time it runs, so a section holds the latest figures of "
    "its benchmark, with the date, the machine and the command that produced them; sections "
    "of different benchmarks may come from different days and machines. The results tables "
    "that compare the methods are in `docs/results.md`.")


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


def section_name(title: str) -> str:
    """The default section name of a table titled ``title``: its words, lower case, joined by
    ``-`` (``"features: featurizer cost"`` -> ``"features-featurizer-cost"``)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class BenchmarkLog:
    """Collects rows of one benchmark, prints them as a table, and writes them as the
    benchmark's own section of a Markdown file (replacing the section's previous content).

    Args:
        title (str): section heading, e.g. ``"features: featurizer cost"``.
        columns (list[str]): column names.
        path (str | Path, optional): Markdown file (default ``docs/benchmarks.md``).
        section (str, optional): the section this table replaces (default: derived from
            ``title`` by :func:`section_name`); give one when the title varies between runs
            that measure the same thing.
    """

    def __init__(self, title: str, columns: Sequence[str], path: str | Path | None = None,
                 section: str | None = None):
        self.title = title
        self.columns = list(columns)
        self.path = Path(path) if path else ROOT / "docs" / "benchmarks.md"
        self.section = section or section_name(title)
        self.rows: list[list[str]] = []
        self.notes: list[str] = []

    def add(self, *values: object) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"BenchmarkLog: {len(values)} values for {len(self.columns)} columns")
        self.rows.append([v if isinstance(v, str) else _fmt(v) for v in values])

    def note(self, text: str) -> None:
        self.notes.append(text)

    def markdown(self) -> str:
        stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        cmd = "python " + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
        lines = [f"## {self.title}", "", f"{stamp} · {machine()}", "", f"Command: `{cmd}`", "",
                 markdown_table(self.columns, self.rows)]
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
        """Print the table and make it the section :attr:`section` of :attr:`path`, replacing
        that section's previous content (other sections are kept); atomic."""
        self.print()
        return write_section(self.path, self.section, self.markdown(),
                             title=BENCHMARKS_HEADER)


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def write_section(path: str | Path, name: str, markdown: str,
                  title: str = "# Results") -> Path:
    """Replace (or append) the section ``name`` of the Markdown file ``path``, atomically.

    A section is delimited by ``<!-- section: NAME -->`` and ``<!-- /section: NAME -->``
    comments, so several benchmark scripts can share one file (``docs/benchmarks.md``,
    ``docs/results.md``) and each rerun replaces only its own part. A missing file is created
    with ``title`` (its first lines).
    """
    path = Path(path)
    begin, end = f"<!-- section: {name} -->", f"<!-- /section: {name} -->"
    block = f"{begin}\n{markdown.strip()}\n{end}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    i, j = old.find(begin), old.find(end)
    if i >= 0 and j > i:
        rest = old[j + len(end):].lstrip("\n")
        new = old[:i] + block + ("\n" + rest if rest else "")
    else:
        new = old.rstrip("\n") + "\n\n" + block
    return atomic_write(path, new)
