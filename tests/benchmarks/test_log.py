"""``benchmarks/_log.py`` and ``benchmarks/report.py``: every benchmark stores a run record and
its section of the docs is rendered from that record, by the script and by the generator alike."""
import importlib.util
import json
from pathlib import Path

import pytest

from rnagraph.evaluate import CVResult, records
from rnagraph.evaluate.results import format_spread

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
_spec = importlib.util.spec_from_file_location("benchmarks_log", BENCH / "_log.py")
_log = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_log)
_rspec = importlib.util.spec_from_file_location("benchmarks_report", BENCH / "report.py")
report = importlib.util.module_from_spec(_rspec)
_rspec.loader.exec_module(report)


def sections(text):
    return [line.split(": ", 1)[1][:-4] for line in text.splitlines()
            if line.startswith("<!-- section: ")]


def test_write_replaces_its_own_section_and_stores_its_record(tmp_path):
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
    rec = json.loads((tmp_path / "store" / "features-featurizer-cost.json").read_text())
    assert rec["blocks"][0]["rows"] == [["10", "0.1235"]] and rec["blocks"][1] == {
        "text": "first run"}
    assert rec["command"].startswith("python benchmarks/") and rec["machine"] and rec["date"]
    # the section is exactly the record's rendering
    assert records.sections(text)["features-featurizer-cost"] == records.render(rec).strip("\n")

    again = _log.BenchmarkLog("features: featurizer cost", ["n", "time (s)"], path=md)
    again.add(20, 0.5)
    again.write()
    text = md.read_text()
    assert sections(text) == ["features-featurizer-cost", "encoders-grarep"]
    assert text.count("## features: featurizer cost") == 1
    assert "| 20 | 0.5 |" in text and "| 10 | 0.1235 |" not in text and "first run" not in text
    assert "| g | 2 |" in text  # the other benchmark's section is untouched
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


def test_add_result_keeps_the_folds_and_labels_the_spread(tmp_path):
    res = CVResult("m", ("circrna", "x", "mirna"), "leakage-free", "warm",
                   folds=[{"fold": 0, "auc": 0.8}, {"fold": 1, "auc": 0.9}])
    log = _log.BenchmarkLog("t", ["model", "AUC"], path=tmp_path / "r.md")
    log.add_result("m", result=res, metrics=["auc"])
    rec = log.record()
    assert rec["blocks"][0]["rows"] == [["m", {"values": [0.8, 0.9], "digits": 3}]]
    assert rec["blocks"][0]["stat"] == "std" and rec["blocks"][0]["n"] == 2
    # population std: mean 0.85, sqrt(((0.05)^2 + (0.05)^2) / 2) = 0.05
    md = log.markdown()
    assert "| m | 0.850 ± 0.050 |" in md
    assert "mean ± std: population standard deviation over 2 folds." in md
    ci = _log.BenchmarkLog("t", ["model", "AUC"], path=tmp_path / "r.md", stat="ci95")
    ci.add_result("m", result=res, metrics=["auc"])
    # 95 % CI: t(0.975, 1) = 12.706 x sample std 0.0707 / sqrt(2) = 0.635
    assert "| m | 0.850 (95% CI ± 0.635) |" in ci.markdown()
    assert "95 % confidence interval of the mean over 2 splits" in ci.markdown()
    assert format_spread("0.9", "0.1", "ci95") == "0.9 (95% CI ± 0.1)"
    assert format_spread(0.9, 0.1) == "0.9000 ± 0.1000"
    with pytest.raises(ValueError, match="unknown statistic 'sem'"):
        format_spread(0.9, 0.1, "sem")


RECORD = {
    "section": "demo", "doc": "docs/results.md", "title": "Demo", "date": "2026-12-01",
    "machine": "CPU", "command": "python benchmarks/baselines.py",
    "cli": "`rnagraph cv synthetic --model degree --folds 5`",
    "migrated": "docs/results.md of 2026-12-01",
    "blocks": [{"text": "### Warm"},
               {"columns": ["model", "AUC"], "stat": "std", "n": 5, "over": "folds",
                "rows": [["degree", ["0.719", "0.018"]]]},
               {"columns": ["model", "AUC"], "stat": "ci95", "n": 5, "over": "splits",
                "rows": [["GRMMI", ["0.9931", "0.0012"]]]},
               {"text": "Degree reaches [[demo|model=degree|AUC|mean]]."}]}

RENDERED = """## Demo

2026-12-01 · CPU

Command: `python benchmarks/baselines.py`

Reproduce with the CLI: `rnagraph cv synthetic --model degree --folds 5`

Figures as published in docs/results.md of 2026-12-01 (the raw records of that run are gone).

### Warm

| model | AUC |
|---|---|
| degree | 0.719 ± 0.018 |

mean ± std: population standard deviation over 5 folds.

| model | AUC |
|---|---|
| GRMMI | 0.9931 (95% CI ± 0.0012) |

mean (95% CI ± h): 95 % confidence interval of the mean over 5 splits (Student's t).

Degree reaches 0.719.
"""


def test_a_hand_made_record_renders_to_the_hand_written_markdown():
    assert records.render(RECORD, {"demo": RECORD}) == RENDERED
    # and parsing the Markdown back gives the record (the quote aside, it is rendered text)
    back = records.parse_record("demo", "docs/results.md", RENDERED)
    assert back["blocks"][:3] == RECORD["blocks"][:3]
    assert {k: back[k] for k in ("title", "date", "machine", "command", "cli", "migrated")} == {
        k: RECORD[k] for k in ("title", "date", "machine", "command", "cli", "migrated")}


def test_views_quote_other_records_and_fail_loudly():
    view = {"section": "v", "doc": "README.md", "blocks": [
        {"columns": ["data", "degree AUC"],
         "rows": [["synthetic", {"ref": ["demo", {"model": "degree"}, "AUC"]}]]}]}
    assert "| synthetic | 0.719 ± 0.018 |" in records.render(view, {"demo": RECORD})
    with pytest.raises(KeyError, match="no record 'gone'"):
        records.lookup({"demo": RECORD}, "gone", {}, "AUC")
    with pytest.raises(KeyError, match="0 rows match"):
        records.lookup({"demo": RECORD}, "demo", {"model": "SAGE"}, "AUC")


def test_the_generator_rewrites_sections_and_rejects_what_the_store_lacks(tmp_path):
    store = tmp_path / "store"
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "results.md"
    page.write_text("# Results\n\nintro\n\n<!-- section: demo -->\nold 0.5\n"
                    "<!-- /section: demo -->\n\ntail\n")
    records.save_record(RECORD, store)
    out = report.generate(records.load_store(store), tmp_path, pages=("docs/results.md",))
    old, new = out["docs/results.md"]
    assert new == ("# Results\n\nintro\n\n<!-- section: demo -->\n" + RENDERED
                   + "<!-- /section: demo -->\n\ntail\n")
    assert report.differing(old, new) == ["demo"] and report.differing(new, new) == []
    page.write_text(new + "\n<!-- section: stray -->\nx\n<!-- /section: stray -->\n")
    with pytest.raises(ValueError, match="stray have no record"):
        report.generate(records.load_store(store), tmp_path, pages=("docs/results.md",))
    page.write_text("# Results\n")
    with pytest.raises(ValueError, match="no section for record"):
        report.generate(records.load_store(store), tmp_path, pages=("docs/results.md",))


def test_write_section_stores_and_keeps_text_around_it(tmp_path):
    md = tmp_path / "r.md"
    md.write_text("# Results\n\nintro\n\n<!-- section: x -->\nold\n<!-- /section: x -->\n\ntail\n")
    _log.write_section(md, "x", "## X\n\n| a | b |\n|---|---|\n| 1 | 0.5 ± 0.1 |\n",
                       cli="`rnagraph cv synthetic`")
    rec = json.loads((tmp_path / "store" / "x.json").read_text())
    assert rec["title"] == "X" and rec["blocks"][0]["rows"] == [["1", ["0.5", "0.1"]]]
    assert rec["cli"] == "`rnagraph cv synthetic`"
    text = md.read_text()
    assert "Reproduce with the CLI: `rnagraph cv synthetic`" in text
    assert text.startswith("# Results\n\nintro\n\n<!-- section: x -->\n## X\n\n")
    assert text.endswith("mean ± std: population standard deviation over folds.\n"
                         "<!-- /section: x -->\n\ntail\n")
    _log.write_section(md, "y", "more")
    assert records.sections(md.read_text())["y"].endswith("more")


def test_a_table_over_different_split_counts_names_no_single_count():
    # rows over 5 and 1 splits: the note must not borrow a count from elsewhere in the
    # text (it once said "over 20 splits" from a sentence above the table)
    md = ("Twenty years ago 20 splits were run.\n\n| model | splits | AUC |\n|---|---|---|\n"
          "| a | 5 | 0.9000 (95% CI ± 0.0100) |\n| b | 1 | 0.8000 |\n")
    table = records.parse_blocks(md)[1]
    assert (table["n"], table["over"]) == ("", "splits")
    note = records.render({"section": "s", "title": "T", "blocks": [table]}, {})
    assert "confidence interval of the mean over splits (Student's t)." in note
    same = md.replace("| b | 1 |", "| b | 5 |")
    assert records.parse_blocks(same)[1]["n"] == 5
