import re

import pytest
from typer.testing import CliRunner

from rnagraph.cli import app

runner = CliRunner()


def test_help_lists_commands():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for cmd in ("demo", "cv", "datasets", "models"):
        assert cmd in res.output


def test_demo_prints_auc_table(tmp_path):
    res = runner.invoke(app, ["demo", "--models", "seedmatch,degree", "--folds", "2",
                              "--out", str(tmp_path / "run")])
    assert res.exit_code == 0, res.output
    assert "leakage-free" in res.output and "auc" in res.output
    # SeedMatch on the synthetic default is well above chance
    row = next(ln for ln in res.output.splitlines() if ln.startswith("| seedmatch |"))
    nums = [float(x) for x in re.findall(r"(\d\.\d{3}) ±", row)]
    assert len(nums) == 8 and nums[6] > 0.8  # the 7th column is AUC
    assert (tmp_path / "run" / "seedmatch" / "metrics.json").exists()
    assert (tmp_path / "run" / "degree" / "predictions.csv").exists()


def test_cv_rejects_unknown_model_and_edge_type():
    res = runner.invoke(app, ["cv", "synthetic", "--model", "nope", "--folds", "2",
                              "--edge-type", "circ-mirna"])
    assert res.exit_code == 1
    assert res.output.startswith("error: unknown model 'nope'") and "Traceback" not in res.output
    res = runner.invoke(app, ["cv", "synthetic", "--model", "degree", "--folds", "2"])
    assert res.exit_code != 0 and "--edge-type" in res.output


def test_models_lists_registry():
    res = runner.invoke(app, ["models"])
    assert res.exit_code == 0
    assert "mferl-pair" in res.output and "needs sequences" in res.output
    assert "degree+1" in res.output


@pytest.mark.realdata
def test_datasets_lists_counts(real_root):
    res = runner.invoke(app, ["datasets", "--root", str(real_root)])
    assert res.exit_code == 0
    assert "cmi-9589" in res.output and "9589" in res.output


def test_cv_jobs_fits_folds_in_parallel_with_the_same_numbers(tmp_path):
    args = ["cv", "synthetic", "--model", "degree", "--folds", "3", "--edge-type", "circ-mirna"]
    one = runner.invoke(app, args)
    two = runner.invoke(app, [*args, "--jobs", "2", "--out", str(tmp_path / "run")])
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    row = [next(ln for ln in r.output.splitlines() if ln.startswith("| degree |"))
           for r in (one, two)]
    assert row[0] == row[1]
    assert len(list((tmp_path / "run" / "degree").glob("fold_*.json"))) == 3


def test_cv_cold_start_popularity_baseline():
    res = runner.invoke(app, ["cv", "synthetic", "--model", "degree,degree+1", "--folds", "3",
                              "--edge-type", "circ-mirna", "--mode", "cold-dst"])
    assert res.exit_code == 0, res.output
    auc = {ln.split("|")[1].strip(): float(ln.split("|")[8].split("±")[0])
           for ln in res.output.splitlines() if ln.startswith("| degree")}
    assert auc["degree"] == 0.5  # every test pair has an unseen miRNA: all tie
    assert auc["degree+1"] > 0.65  # circRNA popularity alone ranks them
