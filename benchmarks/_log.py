"""Shared benchmark logging: print a table, store it as a run record, write its section.

A benchmark prints its table and calls :meth:`BenchmarkLog.write` (or :func:`write_section`):
that **stores a record** ``benchmarks/store/<section>.json`` (what produced it: date, machine,
command; the data: text and tables, each table's cells and the statistic its ``±`` means; see
:mod:`rnagraph.evaluate.records`) and **regenerates the section** ``<!-- section: NAME -->`` ...
``<!-- /section: NAME -->`` of its Markdown file from that record, so the scripts and
``python benchmarks/report.py`` (which rewrites every section of README.md and docs/ from the
store) never disagree.
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
from rnagraph.evaluate.records import (  # noqa: F401  (re-exported for report.py)
    load_store,
    lookup,
    parse_blocks,
    parse_record,
    render,
    render_cell,
    replace_section,
    save_record,
    sections,
)
from rnagraph.evaluate.results import STD
from rnagraph.io.atomic import atomic_write

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "benchmarks" / "store"

#: The head of ``docs/benchmarks.md`` when a benchmark creates it.
BENCHMARKS_HEADER = (
    "# Benchmarks\n\n"
    "Speed and memory figures measured by the scripts in `benchmarks/`. Each section is "
    "generated from its run record in `benchmarks/store/` (`python benchmarks/report.py`), "
    "with the date, the machine and the command that produced it; sections of different "
    "benchmarks may come from different days and machines. Quality tables are in "
    "`docs/results.md`.")


def machine() -> str:
    """One line describing this machine (CPU, cores, memory, Python, torch)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh
                        if ln.startswith("model name")), cpu)
    except OSError:
        pass
    mem = ""
    try:
        mem = f", {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB RAM"
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


def _command() -> str:
    return "python " + " ".join([f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])


class BenchmarkLog:
    """Collects rows of one benchmark, prints them as a table, stores them as a run record and
    writes the benchmark's own section of a Markdown file from it.

    Args:
        title (str): section heading, e.g. ``"features: featurizer cost"``.
        columns (list[str]): column names.
        path (str | Path, optional): Markdown file (default ``docs/benchmarks.md``).
        section (str, optional): the section this table replaces (default: derived from
            ``title`` by :func:`section_name`).
        stat (str): what ``±`` means in cells of :meth:`add_result` rows: ``"std"`` over
            folds (default) or ``"ci95"`` over splits.
        store (str | Path, optional): record folder (default ``benchmarks/store`` for files
            under the repository, else ``store/`` beside ``path``).
        cli (str, optional): the ``rnagraph cv`` command(s) that reproduce a cross-validation
            table, in backticks (printed as "Reproduce with the CLI: ...").
    """

    def __init__(self, title: str, columns: Sequence[str], path: str | Path | None = None,
                 section: str | None = None, stat: str = STD, store: str | Path | None = None,
                 cli: str | None = None):
        self.title = title
        self.columns = list(columns)
        self.path = Path(path) if path else ROOT / "docs" / "benchmarks.md"
        self.section = section or section_name(title)
        self.stat, self.store, self.cli = stat, store, cli
        self.rows: list[list] = []
        self.notes: list[str] = []

    def add(self, *values: object) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"BenchmarkLog: {len(values)} values for {len(self.columns)} columns")
        self.rows.append([v if isinstance(v, (str, _Values)) else _fmt(v) for v in values])

    def add_result(self, *labels: object, result, metrics: Sequence[str], digits: int = 3) -> None:
        """A row of ``labels`` then, per metric, the per-fold values of ``result`` (a
        :class:`~rnagraph.evaluate.CVResult`): the record keeps the folds, the cell shows
        mean ± spread (:attr:`stat`)."""
        self.add(*labels, *(_Values([f[m] for f in result.folds], digits) for m in metrics))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def record(self) -> dict:
        """The run record: what produced it and the table (cells, statistic, n)."""
        rows = [[c.cell if isinstance(c, _Values) else c for c in r] for r in self.rows]
        ns = {len(c.values) for r in self.rows for c in r if isinstance(c, _Values)}
        table = {"columns": self.columns, "rows": rows}
        if ns:
            table |= {"stat": self.stat, "n": ns.pop() if len(ns) == 1 else "",
                      "over": "folds" if self.stat == STD else "splits"}
        return {"section": self.section, "doc": _rel(self.path), "title": self.title,
                "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine(),
                "command": _command(), **({"cli": self.cli} if self.cli else {}),
                "blocks": [table, *({"text": n} for n in self.notes)]}

    def markdown(self) -> str:
        return render(self.record())

    def print(self) -> None:
        try:
            from rich.console import Console
            from rich.table import Table
            t = Table(title=self.title)
            for c in self.columns:
                t.add_column(c)
            for r in self.record()["blocks"][0]["rows"]:
                t.add_row(*(render_cell(c, self.stat, {}) for c in r))
            Console().print(t)
        except ImportError:  # pragma: no cover
            print(self.markdown())
        for n in self.notes:
            print(n)

    def write(self) -> Path:
        """Print the table, store its record and regenerate the section :attr:`section` of
        :attr:`path` from it (other sections are kept); atomic."""
        self.print()
        rec = self.record()
        save_record(rec, self.store or _store_for(self.path))
        return _write(self.path, rec["section"], render(rec), BENCHMARKS_HEADER)


class _Values:
    def __init__(self, values, digits):
        self.values = [None if v is None or v != v else float(v) for v in values]
        self.cell = {"values": self.values, "digits": digits}


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _rel(path: Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _store_for(path: Path) -> Path:
    return STORE if Path(path).resolve().is_relative_to(ROOT) else Path(path).parent / "store"


def write_section(path: str | Path, name: str, markdown: str, title: str = "# Results",
                  store: str | Path | None = None, cli: str | None = None) -> Path:
    """Store ``markdown`` as the record ``name`` (its tables parsed into cells) and replace
    (or append) the section ``name`` of the Markdown file ``path`` with the record's
    rendering, atomically. A missing file is created with ``title`` (its first lines); ``cli``
    as in :class:`BenchmarkLog`."""
    rec = parse_record(name, _rel(Path(path)), markdown) | ({"cli": cli} if cli else {})
    rec.setdefault("date", _dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
    save_record(rec, store or _store_for(Path(path)))
    return _write(path, name, render(rec), title)


def _write(path: str | Path, name: str, markdown: str, title: str) -> Path:
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    return atomic_write(path, replace_section(old, name, markdown))
