"""Every benchmark script imports and parses ``--help`` (a renamed helper in ``_log`` or the
library must not leave a script that fails at its first line)."""
import runpy
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_"))


def _module(name, monkeypatch):
    """The globals of ``benchmarks/<name>`` run as a module (not ``__main__``), with torch's
    thread count restored (some scripts set it at import)."""
    import torch
    monkeypatch.syspath_prepend(str(BENCH))
    threads = torch.get_num_threads()
    try:
        return runpy.run_path(str(BENCH / name))
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_imports_and_prints_help(script, monkeypatch, capsys):
    import torch
    threads = torch.get_num_threads()      # some scripts set it before parsing arguments
    monkeypatch.setattr(sys, "argv", [str(script), "--help"])
    monkeypatch.syspath_prepend(str(BENCH))
    try:
        with pytest.raises(SystemExit) as stop:
            runpy.run_path(str(script), run_name="__main__")
    finally:
        torch.set_num_threads(threads)
    assert stop.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_harness_skips_absent_data_with_one_line_and_names_run_dirs(monkeypatch, capsys,
                                                                    tmp_path):
    mod = _module("_harness.py", monkeypatch)
    args = mod["parse"](mod["parser"]("doc", datasets=["synthetic"], out=str(tmp_path), jobs=1),
                        ["--root", str(tmp_path / "nowhere"), "--datasets", "cmi-9589",
                         "synthetic"])
    got = [name for name, _ in mod["graphs"](args.datasets, args.root)]
    assert got == ["synthetic"]
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("skip cmi-9589: ")
    assert mod["run_dir"](args, "cmi-9589", "warm 1:1", "w/o cl") == \
        tmp_path / "cmi-9589" / "warm_1to1" / "w_o_cl"
    # only the common options a script names are added
    assert not hasattr(args, "folds") and not hasattr(args, "models") and args.jobs == 1


def test_grmmi_report_labels_rows_of_further_run_roots(monkeypatch, tmp_path):
    # `grmmi.py --also runs/grmmi-long`: a second root's runs (e.g. a longer epoch cap) are
    # rows of their own, named after the root, beside the first root's run of that model
    import json

    from rnagraph.evaluate.mitar import METRICS, grmmi_section
    for root, aucs in (("grmmi", [0.98, 0.99]), ("grmmi-long", [0.995])):
        run = tmp_path / root / "mitar" / "MiTAR"
        run.mkdir(parents=True)
        run.joinpath("run.json").write_text(json.dumps(
            {"experiment": "mitar", "dataset": "mitar (combined)", "model": "MiTAR",
             "epochs": 25 if root == "grmmi" else 80, "command": f"cmd {root}"}))
        folds = [{"n_test": 10, "score_s": 1.0, **{m: a for m in METRICS}}
                 for a in aucs]
        run.joinpath("metrics.json").write_text(json.dumps({"folds": folds}))
        for i, _ in enumerate(aucs):
            run.joinpath(f"fold_{i}.json").write_text(json.dumps(
                {"metrics": {}, "fit_info": {"best_val_auc": 0.9, "epochs": 7, "epoch_s": 2.0,
                                             **({"best_val_grouped_auc": 0.8}
                                                if root == "grmmi-long" else {})},
                 "fingerprint": {"meta": {}}}))
    md = grmmi_section([tmp_path / "grmmi", tmp_path / "grmmi-long"])
    rows = [r for r in md.splitlines() if r.startswith("| mitar (combined) | MiTAR")]
    assert rows[0].startswith("| mitar (combined) | MiTAR | 2 | 0.9000 | – | 0.9850 (95% CI ± ")
    assert rows[1].startswith("| mitar (combined) | MiTAR (grmmi-long) | 1 | 0.9000 | 0.8000 | "
                              "0.9950 |")
    assert "7.0 / 80" in rows[1] and "`cmd grmmi`; `cmd grmmi-long`" in md


def test_grmmi_model_seed_changes_the_models_not_the_splits(monkeypatch, tmp_path):
    # `--model-seed`: a seed replicate trains in the same folds (same pair hashes in the
    # fold records' fingerprints) with the models' seed alone changed
    import json
    mod = _module("grmmi.py", monkeypatch)
    common = ["--experiments", "synthetic", "--models", "GRMMI graph only", "--epochs", "1",
              "--max-folds", "1", "--seed", "1", "--docs", "none"]
    for out, extra in (("a", []), ("b", ["--model-seed", "3"])):
        mod["main"]([*common, "--out", str(tmp_path / out), *extra])
    recs = [json.loads(next((tmp_path / out).glob("synthetic/**/fold_0.json")).read_text())
            for out in ("a", "b")]
    fp = [r["fingerprint"] for r in recs]
    assert [f["model"]["params"]["trainer"]["params"]["seed"] for f in fp] == [1, 3]
    assert fp[0]["train"] == fp[1]["train"] and fp[0]["test"] == fp[1]["test"]


def test_ray_benchmark_stores_its_section_with_equal_results(monkeypatch, tmp_path):
    # the smallest end-to-end run: one fold of DegreeProduct on each engine, a 30k-pair
    # ranking here and on Ray; the section and its run record land under --docs
    pytest.importorskip("ray", reason="benchmarks/ray.py needs the ray extra")
    import json
    mod = _module("ray.py", monkeypatch)
    mod["main"](["--datasets", "synthetic", "--models", "degree", "--folds", "2",
                 "--max-folds", "1", "--rank-size", "300", "100", "--top", "20",
                 "--docs", str(tmp_path)])
    rec = json.loads((tmp_path / "store" / "ray.json").read_text())
    assert rec["section"] == "ray" and rec["doc"].endswith("benchmarks.md")
    rows = rec["blocks"][0]["rows"]
    assert [r[:2] for r in rows] == [["cv grid", "synthetic degree 1 of 2 folds"],
                                     ["rank", "svd 300 x 100 (0.0M pairs)"]]
    assert all(r[-1] == "yes" for r in rows)              # both engines, the same results
    assert "<!-- section: ray -->" in (tmp_path / "benchmarks.md").read_text()
