"""``rnagraph cv`` / ``rnagraph rank`` / ``rnagraph tune --engine ray``: the same results as
``--engine local``, and one line saying how to install Ray where it is missing."""
from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from rnagraph.cli import app

runner = CliRunner()
CV = ["cv", "synthetic", "--model", "degree,svd", "--folds", "3", "--edge-type", "circ-mirna"]
TUNE = ["tune", "--model", "degree", "--dataset", "synthetic", "--edge-type", "circ-mirna",
        "--folds", "2", "--metric", "aupr", "--seed", "3"]


def _ok(args):
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res


def _folds(path):
    """Fold metrics without timings and memory."""
    return [{k: v for k, v in f.items() if not k.endswith("_s")}
            for f in json.loads(path.read_text())["folds"]]


def test_cv_engine_ray_equals_local_and_shuts_its_runtime_down(tmp_path):
    ray = pytest.importorskip("ray", reason="the Ray engine needs the ray extra")
    assert not ray.is_initialized()
    local = _ok([*CV, "--out", tmp_path / "local"])
    remote = _ok([*CV, "--engine", "ray", "--jobs", "2", "--out", tmp_path / "ray"])
    assert not ray.is_initialized()  # the runtime the command started is gone
    for name in ("degree", "svd"):
        assert _folds(tmp_path / "ray" / name / "metrics.json") == _folds(
            tmp_path / "local" / name / "metrics.json")
        assert (tmp_path / "ray" / name / "predictions.csv").read_text() == (
            tmp_path / "local" / name / "predictions.csv").read_text()
    table = [ln for ln in remote.stdout.splitlines() if ln.startswith("|")]
    assert table and table == [ln for ln in local.stdout.splitlines() if ln.startswith("|")]
    # another engine is the same run: it resumes rather than "holds another run"
    _ok([*CV, "--out", tmp_path / "ray"])


def test_rank_engine_ray_writes_the_local_ranking(tmp_path):
    pytest.importorskip("ray", reason="the Ray engine needs the ray extra")
    _ok(["train", "--model", "svd", "--dataset", "synthetic", "--edge-type", "circ-mirna",
         "--set", "dim=8", "--save", tmp_path / "svd.rg"])
    base = ["rank", "--model", tmp_path / "svd.rg", "--top", "40"]
    _ok([*base, "--out", tmp_path / "local.csv"])
    _ok([*base, "--engine", "ray", "--out", tmp_path / "ray.csv"])
    local = (tmp_path / "local.csv").read_text()
    assert local.count("\n") == 41 and (tmp_path / "ray.csv").read_text() == local


def test_tune_engine_ray_equals_local_with_the_same_jobs(tmp_path):
    ray = pytest.importorskip("ray", reason="the Ray engine needs the ray extra")
    pytest.importorskip("optuna", reason="rnagraph tune needs Optuna")
    base = [*TUNE, "--trials", "4", "--jobs", "2"]
    _ok([*base, "--out", tmp_path / "local"])
    res = _ok([*base, "--engine", "ray", "--out", tmp_path / "ray"])
    assert not ray.is_initialized()  # the runtime the command started is gone
    local, remote = (json.loads((tmp_path / d / "tune.json").read_text())
                     for d in ("local", "ray"))
    assert remote["trials"] == local["trials"] and len(local["trials"]) == 4
    assert len({t["value"] for t in local["trials"]}) > 1        # trials that differ
    assert remote["best_params"] == local["best_params"] and "4 trials (4 new)" in res.stdout
    # the engine is not part of the study: the local engine resumes the Ray run
    more = _ok([*TUNE, "--trials", "6", "--jobs", "2", "--out", tmp_path / "ray"])
    assert "6 trials (2 new)" in more.stdout


@pytest.mark.parametrize("cmd", [[*CV], ["rank", "--model", "m.rg", "--out", "x.csv"],
                                 [*TUNE, "--out", "t"]])
def test_engine_ray_without_ray_says_how_to_install_it(monkeypatch, tmp_path, cmd):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, [*cmd, "--engine", "ray"])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert lines == ['error: --engine ray needs Ray, an optional extra: '
                     'pip install "rnagraph[ray]"']
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "t").exists()


@pytest.mark.parametrize("cmd", [CV, [*TUNE, "--out", "t"]], ids=["cv", "tune"])
@pytest.mark.parametrize("extra, says", [
    (["--engine", "spark"], "--engine 'spark': choose one of local, ray"),
    (["--address", "auto"], "--address auto: goes with --engine ray"),
])
def test_bad_engine_options_are_one_line(extra, says, cmd, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, [*cmd, *extra])
    assert res.exit_code == 1 and res.output.strip() == f"error: {says}"
