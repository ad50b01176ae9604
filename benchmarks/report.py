"""Regenerate every generated section of README.md and docs/ from the run records
(``<!-- section: NAME -->`` ... ``<!-- /section: NAME -->`` in the page its record names; text
outside the sections is kept; a section without a record, or a record without its section, is
an error: :func:`rnagraph.evaluate.records.generate`).

    python benchmarks/report.py            # rewrite each section in place from benchmarks/store
    python benchmarks/report.py --check    # exit 1 naming each section that differs
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnagraph.evaluate import records
from rnagraph.evaluate.records import REPO as ROOT
from rnagraph.evaluate.records import STORE
from rnagraph.io.atomic import atomic_write

#: the pages whose sections are generated (every page that shows a table of figures)
PAGES = ("README.md", "docs/results.md", "docs/benchmarks.md")
differing, load_store = records.differing, records.load_store


def generate(store: dict[str, dict], root: Path = ROOT,
             pages: tuple[str, ...] = PAGES) -> dict[str, tuple[str, str]]:
    """``{page: (current text, regenerated text)}`` (:func:`records.generate`)."""
    return records.generate(store, root, pages)


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
        changed = ", ".join(differing(old, new))
        if args.check:
            bad += 1
            print(f"{page}: differs from the store in {changed}")
        else:
            atomic_write(ROOT / page, new)
            print(f"{page}: regenerated {changed}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
