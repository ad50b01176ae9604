"""Regenerate every generated section of README.md and docs/ from the run records.

    python benchmarks/report.py            # rewrite each section in place from benchmarks/store
    python benchmarks/report.py --check    # exit 1 naming each section that differs

A section is ``<!-- section: NAME -->`` ... ``<!-- /section: NAME -->`` in the Markdown file its
record names (``"doc"``); text outside the sections is left alone. A section in a doc without a
record, or a record whose section is missing from its doc, is an error: every generated figure
has one source.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _log import ROOT, STORE  # noqa: E402

from rnagraph.evaluate.records import load_store, render, replace_section, sections  # noqa: E402
from rnagraph.io.atomic import atomic_write  # noqa: E402

#: the pages whose sections are generated (every page that shows a table of figures)
PAGES = ("README.md", "docs/results.md", "docs/benchmarks.md")


def generate(store: dict[str, dict], root: Path = ROOT,
             pages: tuple[str, ...] = PAGES) -> dict[str, tuple[str, str]]:
    """``{page: (current text, text regenerated from store)}`` for every page.

    Raises:
        ValueError: a page has a section that no record gives, or a record's section is
            missing from its page.
    """
    out = {}
    for page in pages:
        old = (root / page).read_text(encoding="utf-8")
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 if any section differs from the store")
    ap.add_argument("--store", type=Path, default=STORE)
    args = ap.parse_args(argv)
    bad = 0
    for page, (old, new) in generate(load_store(args.store)).items():
        if old == new:
            continue
        if args.check:
            bad += 1
            print(f"{page}: differs from the store in {', '.join(differing(old, new))}")
        else:
            atomic_write(ROOT / page, new)
            print(f"{page}: regenerated {', '.join(differing(old, new))}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
