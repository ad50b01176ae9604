"""``rnagraph tune``: the search, its run folder, resuming, and replaying the best config."""
from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from typer.testing import CliRunner

from rnagraph.cli import app
from rnagraph.evaluate.tune import INSTALL_HINT

runner = CliRunner()
needs_optuna = pytest.mark.skipif(importlib.util.find_spec("optuna") is None,
                                  reason=INSTALL_HINT)
BASE = ["tune", "--model", "svd", "--dataset", "synthetic", "--edge-type", "circ-mirna",
        "--folds", "2", "--seed", "1"]


def _run(args):
    return runner.invoke(app, [str(a) for a in args])


def _ok(args):
    res = _run(args)
    assert res.exit_code == 0, res.output
    return res


def _one_line_error(res, text):
    assert res.exit_code != 0
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and text in lines[0], res.output
    assert "Traceback" not in res.output


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tune") / "run"
    if importlib.util.find_spec("optuna") is None:
        pytest.skip(INSTALL_HINT)
    res = _ok([*BASE, "--trials", "2", "--out", out])
    return out, res


@needs_optuna
def test_tune_writes_the_run_folder(run):
    out, res = run
    for name in ("study.journal", "tune.json", "search.png", "best.train.json", "best.cv.json"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "search.png").read_bytes()[:4] == b"\x89PNG"
    summary = json.loads((out / "tune.json").read_text())
    values = [t["value"] for t in summary["trials"]]
    assert len(values) == 2 and summary["best_value"] == max(values)
    assert all(len(t["fold_values"]) == 2 for t in summary["trials"])
    best = summary["best_params"]
    assert set(best) == {"dim"} and summary["set"] == [f"dim={best['dim']}"]
    assert f"--set dim={best['dim']}" in res.stdout and "2 trials (2 new)" in res.stdout


@needs_optuna
def test_best_config_replays_with_train(run, tmp_path):
    from rnagraph.models import load
    out, _ = run
    best = json.loads((out / "tune.json").read_text())["best_params"]
    _ok(["train", "--config", out / "best.train.json", "--save", tmp_path / "m.rg"])
    model = load(tmp_path / "m.rg")
    assert type(model).__name__ == "TruncatedSVDLink" and model.dim == best["dim"]
    assert model.seed == 1   # the run's seed reached the model too


@needs_optuna
def test_best_config_replays_with_cv_on_the_tuned_folds(run, tmp_path):
    out, _ = run
    _ok(["cv", "--config", out / "best.cv.json", "--out", tmp_path / "cv"])
    cfg = json.loads((tmp_path / "cv" / "config.json").read_text())["args"]
    assert (cfg["dataset"], cfg["model"], cfg["folds"], cfg["seed"], cfg["edge_type"]) == (
        "synthetic", "svd", 2, 1, "circ-mirna")   # the folds the search scored (their test)
    assert len(json.loads(next((tmp_path / "cv").rglob("metrics.json")).read_text())[
        "folds"]) == 2


@needs_optuna
def test_cv_replay_fits_the_tuned_parameters(run, tmp_path):
    out, _ = run
    best = json.loads((out / "tune.json").read_text())["best_params"]
    _ok(["cv", "--config", out / "best.cv.json", "--out", tmp_path / "cv"])
    label = json.loads(next((tmp_path / "cv").rglob("metrics.json")).read_text())["model"]
    assert f"dim={best['dim']}" in label


@needs_optuna
def test_rerun_continues_and_another_study_is_refused(tmp_path):
    out = tmp_path / "run"
    _ok([*BASE, "--trials", "1", "--out", out])
    first = json.loads((out / "tune.json").read_text())["trials"]
    res = _ok([*BASE, "--trials", "2", "--out", out])
    assert "2 trials (1 new)" in res.stdout
    again = json.loads((out / "tune.json").read_text())["trials"]
    assert again[0] == first[0] and len(again) == 2
    journal = (out / "study.journal").read_bytes()
    res = _run([*BASE, "--trials", "2", "--metric", "aupr", "--out", out])
    _one_line_error(res, "holds another study (its metric differs)")
    assert "--force" in res.stderr and (out / "study.journal").read_bytes() == journal
    res = _ok([*BASE, "--trials", "1", "--metric", "aupr", "--out", out, "--force"])
    summary = json.loads((out / "tune.json").read_text())
    assert summary["metric"] == "aupr" and len(summary["trials"]) == 1


@needs_optuna
def test_a_pair_file_is_tuned_and_replayed_with_train(tmp_path):
    from rnagraph.datasets import synthetic
    g = synthetic(seed=0)
    et = ("circrna", "binds", "mirna")
    ei = g[et].edge_index
    rows = [f"{g['circrna'].ids[a]},{g['mirna'].ids[b]}" for a, b in ei.T.tolist()]
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    res = _ok(["tune", "--model", "degree", "--pairs", pairs, "--edge-type", "circ-mirna",
               "--folds", "2", "--trials", "2", "--out", out])
    assert "no best.cv.json" in res.stderr and not (out / "best.cv.json").exists()
    cfg = json.loads((out / "best.train.json").read_text())["args"]
    assert cfg["pairs"] == str(pairs) and cfg["dataset"] is None
    smoothing = json.loads((out / "tune.json").read_text())["best_params"]["smoothing"]
    _ok(["train", "--config", out / "best.train.json", "--save", tmp_path / "m.rg"])
    from rnagraph.models import load
    assert load(tmp_path / "m.rg").smoothing == pytest.approx(smoothing)


@pytest.mark.parametrize("args, text", [
    (["--metric", "f1"], "--metric 'f1': choose one of auc, aupr, global-aupr, mrr"),
    (["--model", "ra3"], "model 'ra3' has no search space"),
    (["--model", "nope"], "unknown model 'nope'"),
    (["--trials", "0"], "--trials"),
    (["--mode", "cold"], "--mode 'cold'"),
])
def test_bad_inputs_end_in_one_line(args, text, tmp_path):
    res = _run([*BASE, "--trials", "1", "--out", tmp_path / "run", *args])
    _one_line_error(res, text)
    assert not (tmp_path / "run" / "study.journal").exists()


def test_without_optuna_one_line_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "optuna", None)   # find_spec("optuna") is now None
    res = _run([*BASE, "--trials", "1", "--out", tmp_path / "run"])
    _one_line_error(res, INSTALL_HINT)
