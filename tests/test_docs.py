"""Every ```python block of README.md and docs/*.md runs.

The blocks of one page run in order in one namespace (a page reads like a notebook), in a
temporary working directory, on the synthetic default. Markers, each an HTML comment on the line
right before a block's opening fence (invisible on the rendered page):

* ``<!-- docs-test: realdata -->``: the block needs the public datasets; it runs under the
  ``realdata`` (and ``slow``) markers. A block that calls ``load(...)``, ``load_site_pairs(...)``
  or ``mtis_author_split(...)`` is treated as real-data without the comment.
* ``<!-- docs-test: skip -->``: the block is not code to run (e.g. an output listing); the only
  way to opt out, and only for such blocks.

Example input files that a page names (``mature.fa``, ``pairs.csv``, ``circbase.fa``) are written
into the working directory first (``EXAMPLE_FILES``).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?:<!--\s*docs-test:\s*(?P<marker>[\w-]+)\s*-->\n)?```python\n(?P<code>.*?)"
                   r"^```\s*$", re.S | re.M)
REAL_DATA_CALL = re.compile(r"\b(load|load_site_pairs|mtis_author_split)\(")

EXAMPLE_FILES = {
    "mature.fa": ">hsa-let-7a-5p\nUGAGGUAGUAGGUUGUAUAGUU\n>hsa-miR-21-5p\nUAGCUUAUCAGACUGAUGUUGA\n",
    "pairs.csv": "hsa-let-7a-5p,hsa_circ_0000001\nhsa-miR-21-5p,hsa_circ_0000002\n",
    "circbase.fa": ">hsa_circ_0002172|chr1:1-100\nACGUACGUACGUACGUACGU\n",   # a cmi-9589 id
}


def blocks(page: Path) -> list[tuple[str | None, str]]:
    """``(marker, code)`` for every python block of ``page``."""
    return [(m["marker"], m["code"]) for m in FENCE.finditer(page.read_text())]


def _kind(marker: str | None, code: str) -> str:
    if marker not in (None, "realdata", "skip"):
        raise ValueError(f"unknown docs-test marker {marker!r}")
    if marker == "skip":
        return "skip"
    return "realdata" if marker == "realdata" or REAL_DATA_CALL.search(code) else "synthetic"


def _cases():
    for page in PAGES:
        kinds = {_kind(m, c) for m, c in blocks(page)} - {"skip"}
        name = page.relative_to(ROOT).as_posix()
        if "synthetic" in kinds:
            yield pytest.param(page, "synthetic", id=f"{name}-synthetic")
        if "realdata" in kinds:
            yield pytest.param(page, "realdata", id=f"{name}-realdata",
                               marks=[pytest.mark.realdata, pytest.mark.slow])


def test_the_extractor_finds_blocks_and_markers():
    text = ("intro\n```python\nx = 1\n```\n<!-- docs-test: skip -->\n```python\n>>> out\n```\n"
            "```bash\nls\n```\n<!-- docs-test: realdata -->\n```python\ny = 2\n```\n")
    found = [(m["marker"], m["code"]) for m in FENCE.finditer(text)]
    assert found == [(None, "x = 1\n"), ("skip", ">>> out\n"), ("realdata", "y = 2\n")]
    assert _kind(None, 'data = load("cmi-9589")') == "realdata"
    assert _kind(None, "data = synthetic(seed=0)") == "synthetic"
    with pytest.raises(ValueError, match="unknown"):
        _kind("maybe", "")
    # every page of the docs that has code is collected
    assert any(p.name == "tutorial.md" for p in PAGES)


@pytest.mark.parametrize(("page", "kind"), list(_cases()))
def test_doc_blocks_run(page, kind, tmp_path, monkeypatch, request):
    if kind == "realdata":
        request.getfixturevalue("real_root")          # skips with a reason without the data
    monkeypatch.chdir(tmp_path)
    for name, text in EXAMPLE_FILES.items():
        (tmp_path / name).write_text(text)
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    ran = 0
    for i, (marker, code) in enumerate(blocks(page)):
        if _kind(marker, code) != kind:
            continue
        try:
            exec(compile(code, f"{page.name}[block {i}]", "exec"), namespace)
        except Exception as e:               # name the page and block in the failure
            raise AssertionError(f"{page.relative_to(ROOT)} python block {i} failed: "
                                 f"{type(e).__name__}: {e}") from e
        ran += 1
    assert ran > 0


def test_every_generated_section_is_what_the_store_gives():
    """README.md, docs/results.md and docs/benchmarks.md hold, between their section markers,
    exactly the rendering of the run records in ``benchmarks/store`` (regenerate with
    ``python benchmarks/report.py``); a section without a record fails too."""
    import importlib.util
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("benchmarks_report", ROOT / "benchmarks"
                                                  / "report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    store = report.load_store(ROOT / "benchmarks" / "store")
    assert len(store) >= 20
    for page, (old, new) in report.generate(store).items():
        assert old == new, (f"{page}: sections {report.differing(old, new)} differ from the "
                            "store; run `python benchmarks/report.py`")
