"""``rnagraph cv`` / ``rnagraph rank --engine ray``: the same results as ``--engine local``, and
one line saying how to install Ray where it is missing."""
from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from rnagraph.cli import app

runner = CliRunner()
CV = ["cv", "synthetic", "--model", "degree,svd", "--folds", "3", "--edge-type", "circ-mirna"]


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


@pytest.mark.parametrize("cmd", [[*CV], ["rank", "--model", "m.rg", "--out", "x.csv"]])
def test_engine_ray_without_ray_says_how_to_install_it(monkeypatch, tmp_path, cmd):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, [*cmd, "--engine", "ray"])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert lines == ['error: --engine ray needs Ray, an optional extra: '
                     'pip install "rnagraph[ray]"']
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("extra, says", [
    (["--engine", "spark"], "--engine 'spark': choose one of local, ray"),
    (["--address", "auto"], "--address auto: goes with --engine ray"),
])
def test_bad_engine_options_are_one_line(extra, says):
    res = runner.invoke(app, [*CV, *extra])
    assert res.exit_code == 1 and res.output.strip() == f"error: {says}"
