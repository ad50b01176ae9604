r"""Run records: the stored source of every table and figure in the docs.

A **record** is one generated section of a Markdown page (``README.md``, ``docs/*.md``): what
produced it (``date``, ``machine``, ``command``, the ``cli`` command that reproduces it, and
``migrated`` where the figures were copied from older docs whose raw records are gone) and
its ``blocks``: paragraphs (``{"text": ...}``) and tables (``{"columns", "rows", "stat", "n",
"over"}``). A table cell is a string or number (printed as is), ``[mean, spread]`` (figures as
published, strings), ``{"values": [...], "digits": d}`` (per-fold values; mean and spread are
computed), or ``{"ref": [section, {column: value, ...}, column], "mean": bool}`` (a cell of
another record, for summary views). Text may quote a cell as ``[[section|column=value;...|column]]``
(``|mean`` at the end for the mean alone; the key ``§`` matches a part of the headings above).

``stat`` says what ``±`` means: ``"std"`` (population std over folds, written ``0.950 ± 0.004``)
or ``"ci95"`` (95 % CI of the mean over splits, written ``0.950 (95% CI ± 0.006)``), and
:func:`render` writes the line under the table that names it
(:func:`~rnagraph.evaluate.results.spread_note`).
:func:`parse_record` reads a rendered section back into its record.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from rnagraph.evaluate.results import (
    CI95,
    STD,
    format_mean_ci,
    format_spread,
    markdown_table,
    spread_note,
)
from rnagraph.io.atomic import atomic_write


def machine() -> str:
    """One line describing this machine (CPU, cores, memory, Python, torch), for a record."""
    import os
    import platform

    import torch
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh
                        if ln.startswith("model name")), cpu)
        mem = f", {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        mem = ""
    return (f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, "
            f"torch {torch.__version__} ({torch.get_num_threads()} threads)")


def save_record(record: dict, store: str | Path) -> Path:
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


def load_store(store: str | Path) -> dict[str, dict]:
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
        out.append(f"Figures as published in {record['migrated']} (the raw records of "
                   "that run are gone).")
    for b in record["blocks"]:
        if "rows" in b:
            stat = b.get("stat", STD)
            rows = [[render_cell(c, stat, store) for c in r] for r in b["rows"]]
            out.append(markdown_table(b["columns"], rows))
            if b.get("stat"):
                out.append(spread_note(b["stat"], b.get("n", ""), b.get("over", "folds"))
                           .replace("over  ", "over "))
        else:
            out.append(_quote(b["text"], store))
    return "\n\n".join(out) + "\n"


def render_cell(c, stat: str = STD, store: dict | None = None) -> str:
    """One table cell as printed (see the module docstring for the kinds of cells)."""
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
    text = render_cell(c, b.get("stat", STD), store)
    return text.split(" ")[0] if mean_only else text


def _plain(c) -> str:
    return c if isinstance(c, str) else str(c)


def _quote(text: str, store) -> str:
    def one(m):
        parts = m.group(1).split("|")
        where = dict(kv.split("=", 1) for kv in parts[1].split(";") if kv)
        return lookup(store, parts[0], where, parts[2], mean_only=parts[3:] == ["mean"])
    return re.sub(r"\[\[([^\]]+)\]\]", one, text)


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
             ("migrated", r"Figures as published in (.+) \(the raw records of that run "
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
            if vals:       # rows over different counts say theirs: no one count for the note
                return (int(vals.pop()) if len(vals) == 1 else "",
                        "splits" if name == "splits" else "folds")
    m = re.search(r"(\d+)[- ](fold|split)", context)
    return (int(m.group(1)), m.group(2) + "s") if m else ("", over)



def values_cell(values, digits: int = 3) -> dict:
    """A cell of per-fold (or per-split) values; ``None`` and NaN are kept as ``None``."""
    return {"values": [None if v is None or v != v else float(v) for v in values],
            "digits": digits}


def table_block(columns, rows, stat: str = STD) -> dict:
    """A table block; with :func:`values_cell` cells it names ``stat``, ``n`` (the number of
    values per cell, ``""`` where cells differ) and what they are ``over``."""
    table = {"columns": list(columns), "rows": rows}
    ns = {len(c["values"]) for r in rows for c in r if isinstance(c, dict) and "values" in c}
    if ns:
        table |= {"stat": stat, "n": ns.pop() if len(ns) == 1 else "",
                  "over": "folds" if stat == STD else "splits"}
    return table


def write_page(path: str | Path, record: dict, store: str | Path, title: str) -> Path:
    """Save ``record`` to ``store`` and replace (or append) its section of the Markdown file
    ``path`` with its rendering, atomically; a missing file starts with ``title``."""
    save_record(record, store)
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    return atomic_write(path, replace_section(old, record["section"], render(record)))


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


def generate(store: dict[str, dict], root: Path, pages: tuple[str, ...]
             ) -> dict[str, tuple[str, str]]:
    """``{page: (current text, text regenerated from store)}`` for the pages under ``root``.

    Raises:
        ValueError: a page has a section that no record gives, a record's section is missing
            from its page, or a record names a page outside ``pages``.
    """
    out = {}
    for page in pages:
        old = (Path(root) / page).read_text(encoding="utf-8")
        recs = {k: r for k, r in store.items() if r["doc"] == page}
        have = sections(old)
        if extra := sorted(set(have) - set(recs)):
            raise ValueError(f"{page}: section(s) {', '.join(extra)} have no record in the "
                             "store (benchmarks/store/<section>.json)")
        if missing := sorted(set(recs) - set(have)):
            raise ValueError(f"{page}: no section for record(s) {', '.join(missing)}; add "
                             "the markers where the section belongs")
        new = old
        for name, rec in recs.items():
            new = replace_section(new, name, render(rec, store))
        out[page] = (old, new)
    if orphans := sorted(k for k, r in store.items() if r["doc"] not in pages):
        raise ValueError(f"record(s) {', '.join(orphans)} name a page outside {pages}")
    return out


def differing(old: str, new: str) -> list[str]:
    """Names of the sections whose content differs between two versions of a page."""
    a, b = sections(old), sections(new)
    return [k for k in b if a.get(k) != b[k]]


# The benchmark scripts' logger (``benchmarks/_log.py`` re-exports it).
#: The source checkout whose ``docs/`` and ``benchmarks/store/`` the benchmark scripts write.
REPO = Path(__file__).resolve().parents[2]
STORE = REPO / "benchmarks" / "store"

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
        self.path = Path(path) if path else REPO / "docs" / "benchmarks.md"
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
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def _store_for(path: Path) -> Path:
    return STORE if Path(path).resolve().is_relative_to(REPO) else Path(path).parent / "store"


def write_section(path: str | Path, name: str, markdown: str, title: str = "# Results",
                  store: str | Path | None = None, cli: str | None = None) -> Path:
    """Store ``markdown`` as the record ``name`` (tables parsed into cells) and make its
    rendering the section ``name`` of ``path``; a missing file starts with ``title``."""
    rec = parse_record(name, _rel(Path(path)), markdown) | ({"cli": cli} if cli else {})
    rec.setdefault("date", _now())
    return write_page(path, rec, store or _store_for(Path(path)), title)


__all__ = ["BenchmarkLog", "timer", "write_section", "machine", "save_record", "load_store",
           "render", "render_cell", "lookup", "parse_blocks", "parse_record", "replace_section",
           "sections", "values_cell", "table_block", "write_page", "generate", "differing"]
