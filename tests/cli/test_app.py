import os
import re
import subprocess
import sys

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


def test_models_lists_presets_with_their_base_model():
    from rnagraph.models.registry import PRESETS

    res = runner.invoke(app, ["models"])
    name, (base, _, _) = next(iter(PRESETS.items()))
    row = next(ln for ln in res.stdout.splitlines() if ln.startswith(name + " "))
    assert row.split()[1] == f"{base}:"


@pytest.mark.realdata
def test_datasets_lists_counts(real_root):
    res = runner.invoke(app, ["datasets", "--root", str(real_root)])
    assert res.exit_code == 0
    assert "cmi-9589" in res.output and "9589" in res.output
    assert f"data root: {real_root} (from --root); 14 of 14 datasets present" in res.stderr


def _no_data_env(monkeypatch, tmp_path):
    monkeypatch.delenv("RNAGRAPH_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # no default data root


def test_datasets_without_a_data_root_says_so_and_how_to_fill_it(monkeypatch, tmp_path):
    _no_data_env(monkeypatch, tmp_path)
    res = runner.invoke(app, ["datasets"])
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0].split()[:3] == ["name", "kind", "present"]
    default = tmp_path / "xdg" / "rnagraph" / "data"
    assert res.stderr.startswith("no data root: --root not given, $RNAGRAPH_DATA not set")
    assert f"{default} does not exist" in res.stderr
    assert "rnagraph datasets download all" in res.stderr


def test_datasets_names_where_the_root_came_from(monkeypatch, tmp_path):
    _no_data_env(monkeypatch, tmp_path)
    (tmp_path / "mine").mkdir()
    monkeypatch.setenv("RNAGRAPH_DATA", str(tmp_path / "mine"))
    res = runner.invoke(app, ["datasets"])
    assert f"data root: {tmp_path / 'mine'} (from $RNAGRAPH_DATA); 0 of " in res.stderr
    assert "datasets download NAME|all" in res.stderr
    default = tmp_path / "xdg" / "rnagraph" / "data"
    default.mkdir(parents=True)
    monkeypatch.delenv("RNAGRAPH_DATA")
    res = runner.invoke(app, ["datasets"])
    assert f"data root: {default} (from the default)" in res.stderr


def test_datasets_with_a_missing_env_root_is_an_error(monkeypatch, tmp_path):
    _no_data_env(monkeypatch, tmp_path)
    monkeypatch.setenv("RNAGRAPH_DATA", str(tmp_path / "absent"))
    res = runner.invoke(app, ["datasets"])
    assert res.exit_code == 1
    assert res.stderr.strip() == (f"error: data root {str(tmp_path / 'absent')!r} (from "
                                  "$RNAGRAPH_DATA) is not a folder")


# Runs the console script's main() with the given arguments in a fresh interpreter, then
# reports which heavy modules it imported (on stderr, after the command's own output).
_IMPORTS = """
import sys
from rnagraph.cli import main
sys.argv = ["rnagraph", *sys.argv[1:]]
try:
    main()
except SystemExit as e:
    code = e.code
heavy = [m for m in ("torch", "torch_geometric", "optuna", "ray") if m in sys.modules]
print("imported:", ",".join(heavy) or "none", file=sys.stderr)
sys.exit(code)
"""


def _run_fresh(code: str, args: list[str], tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RNAGRAPH_DATA"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.parametrize("args", [["--help"], ["models"], ["datasets"],
                                  ["datasets", "download", "--help"], ["tune", "--help"]])
def test_commands_that_need_no_model_do_not_import_torch(args, tmp_path):
    res = _run_fresh(_IMPORTS, args, tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines()[-1] == "imported: none"
    assert res.stdout.strip()  # the command did print its answer


def test_registries_import_without_torch_and_models_load_on_use(tmp_path):
    code = """
import sys
from rnagraph.datasets import REGISTRY, available, get_info
from rnagraph.models import MODELS, needs_sequences
assert "cmi-9589" in REGISTRY and "sage" in MODELS
print("torch" in sys.modules)
from rnagraph.models import DegreeProduct  # a model class: now torch loads
import rnagraph.datasets.synthetic  # the submodule import keeps the function exported
from rnagraph.datasets import synthetic
print("torch" in sys.modules, DegreeProduct.__name__, callable(synthetic))
"""
    res = _run_fresh(code, [], tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", "True", "DegreeProduct", "True"]


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
    # circRNA popularity alone ranks them (0.727 with seed 0: synthetic declares its
    # interactions complete, so its unpaired circRNAs are negatives); degree counts, no kernel
    # dependence
    assert auc["degree+1"] > 0.65
