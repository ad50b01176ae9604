"""Shared benchmark logging and the run-record store behind every figure in the docs.

A benchmark prints its table and calls :meth:`BenchmarkLog.write` (or :func:`write_section`):
that **stores a record** ``benchmarks/store/<section>.json`` (what produced it: date, machine,
command; the data: blocks of text and tables, each table's cells and the statistic its ``±``
means) and **regenerates the section** ``<!-- section: NAME -->`` ... ``<!-- /section: NAME -->``
of its Markdown file from that record, so the scripts and ``python benchmarks/report.py`` (which
rewrites every section of README.md and docs/ from the store) never disagree.

A table cell is a string or number (printed as is), ``[mean, spread]`` (figures as published,
strings), ``{"values": [...], "digits": d}`` (per-fold values: mean and spread computed here),
or, in README views, ``{"ref": [section, {column: value, ...}, column], "mean": true}`` (a cell
of another record). Text may quote a cell as ``[[section|column=value;...|column]]`` (``|mean``
at the end for the mean alone). Spreads are written by :func:`rnagraph.evaluate.format_spread`:
``0.950 ± 0.004`` is a population std over folds, ``0.950 (95% CI ± 0.006)`` a 95 % CI.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from rnagraph.evaluate import peak_rss_mib  # noqa: F401  (re-exported)
from rnagraph.evaluate.results import (
    CI95,
    STD,
    format_mean_ci,
    format_spread,
    markdown_table,
    spread_note,
)
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
    """

    def __init__(self, title: str, columns: Sequence[str], path: str | Path | None = None,
                 section: str | None = None, stat: str = STD, store: str | Path | None = None):
        self.title = title
        self.columns = list(columns)
        self.path = Path(path) if path else ROOT / "docs" / "benchmarks.md"
        self.section = section or section_name(title)
        self.stat, self.store = stat, store
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
                "command": _command(),
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
                t.add_row(*(_cell(c, self.stat, {}) for c in r))
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


# --- records: save, load, render -----------------------------------------------------------

def save_record(record: dict, store: str | Path = STORE) -> Path:
    """Write ``record`` as ``<store>/<section>.json``: one key per line, one table row per
    line (small diffs when a figure changes); atomic."""
    lines = []
    for k, v in record.items():
        if k == "blocks":
            v = "[\n" + ",\n".join(_dump_block(b) for b in v) + "\n ]"
        else:
            v = json.dumps(v, ensure_ascii=False)
        lines.append(f' "{k}": {v}')
    return atomic_write(Path(store) / f"{record['section']}.json",
                        "{\n" + ",\n".join(lines) + "\n}\n")


def _dump_block(b: dict) -> str:
    if "rows" not in b:
        return "  " + json.dumps(b, ensure_ascii=False)
    head = json.dumps({k: v for k, v in b.items() if k != "rows"}, ensure_ascii=False)[:-1]
    rows = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in b["rows"])
    return f'  {head}, "rows": [\n{rows}]}}'


def load_store(store: str | Path = STORE) -> dict[str, dict]:
    """Every record of ``store``, by section name."""
    recs = {}
    for f in sorted(Path(store).glob("*.json")):
        try:
            rec = json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ValueError(f"{f}: not a run record ({e})") from e
        recs[rec["section"]] = rec
    return recs


def render(record: dict, store: dict[str, dict] | None = None) -> str:
    """The Markdown of one record (its section's content, without the markers); ``store``
    resolves the cells and figures a record quotes from others (README views)."""
    out = [f"## {record['title']}"] if record.get("title") else []
    stamp = " · ".join(record[k] for k in ("date", "machine") if record.get(k))
    out += [stamp] if stamp else []
    out += [f"Command: `{record['command']}`"] if record.get("command") else []
    out += [f"Reproduce with the CLI: {record['cli']}"] if record.get("cli") else []
    if record.get("migrated"):
        out.append(f"Figures as published in {record['migrated']} (the per-fold records of "
                   "that run are gone).")
    for b in record["blocks"]:
        if "rows" in b:
            stat = b.get("stat", STD)
            rows = [[_cell(c, stat, store) for c in r] for r in b["rows"]]
            out.append(markdown_table(b["columns"], rows))
            if b.get("stat"):
                out.append(spread_note(b["stat"], b.get("n", ""), b.get("over", "folds"))
                           .replace("over  ", "over "))
        else:
            out.append(_quote(b["text"], store))
    return "\n\n".join(out) + "\n"


def _cell(c, stat: str, store) -> str:
    if isinstance(c, list):
        return format_spread(c[0], c[1], stat)
    if isinstance(c, dict) and "values" in c:
        a = np.asarray([np.nan if v is None else v for v in c["values"]], dtype=float)
        if stat == CI95:
            return format_mean_ci(a, c.get("digits", 4))
        return format_spread(float(np.nanmean(a)), float(np.nanstd(a)), STD, c.get("digits", 4))
    if isinstance(c, dict) and "ref" in c:
        return lookup(store, *c["ref"], mean_only=c.get("mean", False))
    return str(c)


def lookup(store: dict | None, section: str, where: dict, column: str,
           mean_only: bool = False) -> str:
    """The cell ``column`` of the one row of ``section`` whose cells match ``where`` (the key
    ``"§"`` matches a part of the headings above the row's table)."""
    if not store or section not in store:
        raise KeyError(f"no record {section!r} in the store")
    hits, heads = [], {}
    for b in store[section]["blocks"]:
        if b.get("text", "").startswith("#"):  # "§": a word of the headings above the table
            level = len(b["text"]) - len(b["text"].lstrip("#"))
            heads = {k: t for k, t in heads.items() if k < level} | {level: b["text"]}
        if column in b.get("columns", ()) and where.get("§", "") in " ".join(heads.values()):
            hits += [(b, r) for r in b["rows"] if all(
                _plain(r[b["columns"].index(k)]) == v if k in b["columns"] else k == "§"
                for k, v in where.items())]
    if len(hits) != 1:
        raise KeyError(f"{section}: {len(hits)} rows match {where} with a column {column!r}")
    b, r = hits[0]
    c = r[b["columns"].index(column)]
    text = _cell(c, b.get("stat", STD), store)
    return text.split(" ")[0] if mean_only else text


def _plain(c) -> str:
    return c if isinstance(c, str) else str(c)


def _quote(text: str, store) -> str:
    def one(m):
        parts = m.group(1).split("|")
        where = dict(kv.split("=", 1) for kv in parts[1].split(";") if kv)
        return lookup(store, parts[0], where, parts[2], mean_only=parts[3:] == ["mean"])
    return re.sub(r"\[\[([^\]]+)\]\]", one, text)


# --- sections --------------------------------------------------------------------------------

def parse_blocks(markdown: str) -> list[dict]:
    """Markdown -> record blocks: tables (cells ``a ± b`` and ``a (95% CI ± b)`` become
    ``[a, b]``; the statistic read from the cells or from the text and columns before the
    table) and paragraphs. The inverse of :func:`render` for the blocks it writes."""
    blocks: list[dict] = []
    paras = re.split(r"\n\s*\n", markdown.strip("\n"))
    context = last = ""
    for p in paras:
        lines = p.strip("\n").split("\n")
        if lines[0].startswith("|") and len(lines) > 1 and set(lines[1]) <= set("|-: "):
            cols = _split_row(lines[0])
            rows = [[_parse_cell(c) for c in _split_row(ln)] for ln in lines[2:]]
            table: dict = {"columns": cols}
            if any(isinstance(c, list) for r in rows for c in r):
                ci = "(95% CI" in p or "95% CI" in last + " ".join(cols)
                table["stat"] = CI95 if ci else STD
                table["n"], table["over"] = _n_over(cols, rows, context + markdown, table["stat"])
            blocks.append(table | {"rows": rows})
        elif blocks and "rows" in blocks[-1] and (m := re.match(
                r"mean (?:± std|\(95% CI ± h\)): .*? over (\d*) ?(\w+)", p)):
            n = int(m.group(1)) if m.group(1) else ""  # the spread note render() writes
            blocks[-1] = {**blocks[-1], "n": n, "over": m.group(2), "rows": blocks[-1]["rows"]}
        else:
            blocks.append({"text": p.strip("\n")})
            context, last = context + p + "\n", p
    return blocks


def parse_record(name: str, doc: str, markdown: str) -> dict:
    """A record from a section's Markdown: the title (``## ...``), stamp (``date · machine``),
    ``Command:`` and migration lines that :func:`render` writes first, then the blocks."""
    rec: dict = {"section": name, "doc": doc}
    blocks = parse_blocks(markdown)
    heads = [("title", r"## (.+)"), ("stamp", r"(\d{4}-\d\d-\d\d(?: \d\d:\d\d)?)(?: · (.+))?"),
             ("command", r"Command: `(.+)`"),
             ("cli", r"Reproduce with the CLI: (.+)"),
             ("migrated", r"Figures as published in (.+) \(the per-fold records of that run "
                          r"are gone\)\.")]
    for key, pattern in heads:
        m = re.fullmatch(pattern, blocks[0].get("text", "")) if blocks else None
        if m:
            blocks.pop(0)
            if key == "stamp":
                rec["date"] = m.group(1)
                rec |= {"machine": m.group(2)} if m.group(2) else {}
            else:
                rec[key] = m.group(1)
    return rec | {"blocks": blocks}


def _split_row(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split(" | ")]


def _parse_cell(c: str):
    m = re.fullmatch(r"(-?[\d.,]+|n/a) (?:± ([\d.,]+)|\(95% CI ± ([\d.,]+)\))", c)
    return [m.group(1), m.group(2) or m.group(3)] if m else c


def _n_over(cols, rows, context, stat):
    over = "splits" if stat == CI95 else "folds"
    for name in ("folds", "splits", "folds run"):
        if name in cols:
            vals = {r[cols.index(name)] for r in rows if r[cols.index(name)].isdigit()}
            if len(vals) == 1:
                return int(vals.pop()), ("splits" if name == "splits" else "folds")
    m = re.search(r"(\d+)[- ](fold|split)", context)
    return (int(m.group(1)), m.group(2) + "s") if m else ("", over)


def write_section(path: str | Path, name: str, markdown: str, title: str = "# Results",
                  store: str | Path | None = None) -> Path:
    """Store ``markdown`` as the record ``name`` (its tables parsed into cells) and replace
    (or append) the section ``name`` of the Markdown file ``path`` with the record's
    rendering, atomically. A missing file is created with ``title`` (its first lines)."""
    rec = parse_record(name, _rel(Path(path)), markdown)
    rec.setdefault("date", _dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
    save_record(rec, store or _store_for(Path(path)))
    return _write(path, name, render(rec), title)


def _write(path: str | Path, name: str, markdown: str, title: str) -> Path:
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    return atomic_write(path, replace_section(old, name, markdown))


def replace_section(text: str, name: str, markdown: str) -> str:
    """``text`` with the section ``name`` replaced by ``markdown`` (appended if absent)."""
    begin, end = f"<!-- section: {name} -->", f"<!-- /section: {name} -->"
    block = f"{begin}\n{markdown.strip()}\n{end}\n"
    i, j = text.find(begin), text.find(end)
    if i >= 0 and j > i:
        rest = text[j + len(end):].lstrip("\n")
        return text[:i] + block + ("\n" + rest if rest else "")
    return text.rstrip("\n") + "\n\n" + block


def sections(text: str) -> dict[str, str]:
    """The sections of a Markdown text: ``{name: content between the markers}``."""
    return {m[1]: m[2].strip("\n") for m in re.finditer(
        r"<!-- section: (\S+) -->\n(.*?)<!-- /section: \1 -->", text, re.S)}
