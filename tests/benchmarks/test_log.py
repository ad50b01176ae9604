"""``benchmarks/_log.py``: every benchmark replaces its own section of docs/benchmarks.md."""
import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "benchmarks_log", Path(__file__).resolve().parents[2] / "benchmarks" / "_log.py")
_log = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_log)


def sections(text):
    return [line.split(": ", 1)[1][:-4] for line in text.splitlines()
            if line.startswith("<!-- section: ")]


def test_write_replaces_its_own_section(tmp_path):
    md = tmp_path / "benchmarks.md"
    a = _log.BenchmarkLog("features: featurizer cost", ["n", "time (s)"], path=md)
    a.add(10, 0.123456)
    a.note("first run")
    a.write()
    b = _log.BenchmarkLog("encoders: GraRep", ["graph", "s"], path=md)
    b.add("g", 2.0)
    b.write()
    text = md.read_text()
    assert text.startswith(_log.BENCHMARKS_HEADER)
    assert sections(text) == ["features-featurizer-cost", "encoders-grarep"]
    assert "| 10 | 0.1235 |" in text  # cells through the one float formatter (4 significant)

    again = _log.BenchmarkLog("features: featurizer cost", ["n", "time (s)"], path=md)
    again.add(20, 0.5)
    again.write()
    text = md.read_text()
    # still one section per benchmark, in place, with only the new figures
    assert sections(text) == ["features-featurizer-cost", "encoders-grarep"]
    assert text.count("## features: featurizer cost") == 1
    assert "| 20 | 0.5 |" in text and "| 10 | 0.1235 |" not in text and "first run" not in text
    assert "| g | 2 |" in text  # the other benchmark's section is untouched
    assert text.startswith(_log.BENCHMARKS_HEADER)
    assert not list(tmp_path.glob(".*tmp"))  # written atomically, no temporary left


def test_explicit_section_and_bad_rows(tmp_path):
    md = tmp_path / "b.md"
    for k in (3, 5):  # titles that vary between runs of one benchmark share a section name
        log = _log.BenchmarkLog(f"baselines: {k}-fold", ["k"], path=md, section="baselines")
        log.add(k)
        log.write()
    text = md.read_text()
    assert sections(text) == ["baselines"] and "## baselines: 5-fold" in text
    assert "3-fold" not in text
    with pytest.raises(ValueError, match="2 values for 1 columns"):
        log.add(1, 2)


def test_write_section_keeps_text_around_it(tmp_path):
    md = tmp_path / "r.md"
    md.write_text("# Results\n\nintro\n\n<!-- section: x -->\nold\n<!-- /section: x -->\n\ntail\n")
    _log.write_section(md, "x", "new\n")
    assert md.read_text() == ("# Results\n\nintro\n\n<!-- section: x -->\nnew\n"
                              "<!-- /section: x -->\n\ntail\n")
    _log.write_section(md, "y", "more")
    assert md.read_text().endswith("tail\n\n<!-- section: y -->\nmore\n<!-- /section: y -->\n")
