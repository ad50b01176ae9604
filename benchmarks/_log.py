"""The benchmarks' logger: a table printed, stored as a run record and written as its section.

:meth:`BenchmarkLog.write` (or :func:`write_section`) stores ``benchmarks/store/<section>.json``
and regenerates ``<!-- section: NAME -->`` of its page from it
(:mod:`rnagraph.evaluate.records`), so the scripts and ``benchmarks/report.py`` never disagree.
"""
from __future__ import annotations

import datetime as _dt
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from rnagraph.evaluate import peak_rss_mib  # noqa: F401  (re-exported)
from rnagraph.evaluate.records import (  # noqa: F401  (machine: re-exported)
    machine,
    parse_record,
    render,
    table_block,
    values_cell,
    write_page,
)
from rnagraph.evaluate.results import STD

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


@contextmanager
def timer() -> Iterator[dict]:
    """``with timer() as t: ...`` then ``t['s']`` holds the elapsed wall-clock seconds."""
    out: dict = {}
    t0 = time.perf_counter()
    try:
        yield out
    finally:
        out["s"] = time.perf_counter() - t0


def _now() -> str:
    return _dt.datetime.now().strftime("%Y-%m-%d %H:%M")


class BenchmarkLog:
    """Rows of one benchmark: printed as a table, stored as a run record, written as the
    section ``section`` (default: the words of ``title`` joined by ``-``) of ``path`` (default
    ``docs/benchmarks.md``). ``stat``: what ``±`` means in :meth:`add_result` cells (``"std"``
    over folds, ``"ci95"`` over splits); ``store``: record folder (default
    ``benchmarks/store``, or ``store/`` beside a ``path`` outside the repository); ``cli``: the
    ``rnagraph cv`` command(s) that reproduce the table, in backticks."""

    def __init__(self, title: str, columns: Sequence[str], path: str | Path | None = None,
                 section: str | None = None, stat: str = STD, store: str | Path | None = None,
                 cli: str | None = None):
        self.title, self.columns = title, list(columns)
        self.path = Path(path) if path else ROOT / "docs" / "benchmarks.md"
        self.section = section or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        self.stat, self.store, self.cli = stat, store, cli
        self.rows: list[list] = []
        self.notes: list[str] = []

    def add(self, *values: object) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"BenchmarkLog: {len(values)} values for {len(self.columns)} columns")
        self.rows.append([f"{v:.4g}" if isinstance(v, float) else
                          v if isinstance(v, (str, dict)) else str(v) for v in values])

    def add_result(self, *labels: object, result, metrics: Sequence[str], digits: int = 3) -> None:
        """``labels`` then, per metric, the folds' values of ``result`` (a ``CVResult``)."""
        self.add(*labels, *(values_cell([f[m] for f in result.folds], digits) for m in metrics))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def record(self) -> dict:
        """The run record: what produced it and the table (cells, statistic, n)."""
        command = " ".join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])
        return {"section": self.section, "doc": _rel(self.path), "title": self.title,
                "date": _now(), "machine": machine(), "command": command,
                **({"cli": self.cli} if self.cli else {}),
                "blocks": [table_block(self.columns, self.rows, self.stat),
                           *({"text": n} for n in self.notes)]}

    def markdown(self) -> str:
        return render(self.record())

    def print(self) -> None:
        print(self.markdown())

    def write(self) -> Path:
        """Print the table, store its record and regenerate its section of :attr:`path`."""
        self.print()
        return write_page(self.path, self.record(), self.store or _store_for(self.path),
                          BENCHMARKS_HEADER)


def _rel(path: Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _store_for(path: Path) -> Path:
    return STORE if Path(path).resolve().is_relative_to(ROOT) else Path(path).parent / "store"


def write_section(path: str | Path, name: str, markdown: str, title: str = "# Results",
                  store: str | Path | None = None, cli: str | None = None) -> Path:
    """Store ``markdown`` as the record ``name`` (tables parsed into cells) and make its
    rendering the section ``name`` of ``path``; a missing file starts with ``title``."""
    rec = parse_record(name, _rel(Path(path)), markdown) | ({"cli": cli} if cli else {})
    rec.setdefault("date", _now())
    return write_page(path, rec, store or _store_for(Path(path)), title)
