"""``rnagraph cv``: every protocol of the benchmarks from one command, equal to the library."""
from __future__ import annotations

import csv
import json
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

from rnagraph.cli import app
from rnagraph.data import kfold_link_split
from rnagraph.data.twins import twin_groups
from rnagraph.datasets import synthetic
from rnagraph.evaluate import cross_validate, format_mean_std
from rnagraph.models import get_model

runner = CliRunner()
CM = ("circrna", "binds", "mirna")
MM = ("mirna", "targets", "mrna")
#: the cut-offs of benchmarks/hard_eval.py
KS = (10, 50, 100)


def _ok(args):
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res


def _metrics(path):
    return json.loads(path.read_text())


def _strip(folds):
    """Fold metrics without timings (``fit_s``, ``score_s``)."""
    return [{k: v for k, v in f.items() if not k.endswith("_s")} for f in folds]


def _same_folds(a, b):
    """Two lists of fold metrics agree, key by key (timings aside; NaN equals NaN)."""
    a, b = _strip(a), _strip(b)
    assert len(a) == len(b) and all(x.keys() == y.keys() for x, y in zip(a, b))
    for x, y in zip(a, b):
        assert x == pytest.approx(y, rel=1e-12, nan_ok=True)


def _library(model_name, edge_type, seed=0, k=3, ranking=True, graph=None, **split):
    """What benchmarks/hard_eval.py does for one (negatives, model): the split with its
    options, the model with the split's seed where it takes one, ranking at KS."""
    g = synthetic(seed=0) if graph is None else graph
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folds = kfold_link_split(g, edge_type, k=k, neg_ratio=1, mode=split.pop("mode", "warm"),
                                 seed=seed, **split)
    m = get_model(model_name)
    if "seed" in m.get_params():
        m = get_model(model_name, seed=seed)
    return cross_validate(m, g, edge_type, folds, progress=False, curves=False,
                          ranking_ks=KS if ranking else None)


def test_negatives_and_ranking_equal_the_library_call(tmp_path):
    """--negatives degree --ranking gives, fold by fold, the numbers of kfold_link_split(
    negatives='degree') + cross_validate(ranking_ks=(10, 50, 100)), as hard_eval.py runs it."""
    run = tmp_path / "run"
    res = _ok(["cv", "synthetic", "--model", "l3,svd", "--folds", "3", "--edge-type",
               "mirna-mrna", "--negatives", "degree", "--ranking", "--out", run])
    for name in ("l3", "svd"):
        lib = _library(name, MM, negatives="degree")
        cli = _metrics(run / name / "metrics.json")["folds"]
        _same_folds(cli, lib.folds)
        for key in ("mrr_src", "hits@50_dst", "global_aupr", "global_precision@100"):
            assert key in cli[0]
        # the printed ranking row is the library's mean ± std
        row = [ln for ln in res.output.splitlines() if ln.startswith(f"| {name} |")][-1]
        assert row.split("|")[2].strip() == lib.summary("mrr_src", 3)
        assert row.split("|")[8].strip() == lib.summary("global_aupr", 3)
    cfg = _metrics(run / "config.json")["args"]
    assert cfg["negatives"] == "degree" and cfg["ranking"] is True and cfg["twins"] is False


def test_degree_negatives_change_the_test_set_but_not_the_fits(tmp_path):
    """The options reach the split: degree negatives are another test set (other AUC) on the
    same positives."""
    out = {}
    for neg in ("uniform", "degree"):
        _ok(["cv", "synthetic", "--model", "degree", "--folds", "2", "--edge-type",
             "circ-mirna", "--negatives", neg, "--out", tmp_path / neg])
        with open(tmp_path / neg / "degree" / "predictions.csv", newline="") as fh:
            out[neg] = list(csv.DictReader(fh))
    pos = {n: sorted((r["src_id"], r["dst_id"]) for r in rows if r["label"] == "1")
           for n, rows in out.items()}
    neg = {n: {(r["src_id"], r["dst_id"]) for r in rows if r["label"] == "0"}
           for n, rows in out.items()}
    assert pos["uniform"] == pos["degree"]
    assert neg["uniform"] != neg["degree"]


def test_seeds_pool_every_fold_of_every_seed(tmp_path):
    """--seeds 0,1: two whole CVs (split and model seed 0, then 1); the table is mean ± std
    (population) over the 2 x 2 folds, and says so."""
    run = tmp_path / "run"
    res = _ok(["cv", "synthetic", "--model", "svd", "--folds", "2", "--edge-type",
               "circ-mirna", "--seeds", "0,1", "--out", run])
    lib = [_library("svd", CM, seed=s, k=2, ranking=False) for s in (0, 1)]
    folds = [{**f, "fold": n} for n, f in enumerate(f for r in lib for f in r.folds)]
    pooled = _metrics(run / "svd" / "metrics.json")
    assert pooled["seeds"] == [0, 1] and len(pooled["folds"]) == 4
    _same_folds(pooled["folds"], folds)
    aucs = [f["auc"] for f in folds]
    assert pooled["mean"]["auc"] == pytest.approx(np.mean(aucs))
    assert pooled["std"]["auc"] == pytest.approx(np.std(aucs))  # population, over 4 folds
    assert np.std(aucs) != pytest.approx(np.std(aucs, ddof=1))
    row = next(ln for ln in res.output.splitlines() if ln.startswith("| svd |"))
    assert row.split("|")[8].strip() == format_mean_std(aucs, 3)
    assert "over all 4 folds of seeds 0, 1" in res.output
    for s in (0, 1):  # each seed's run is stored whole (and resumable)
        assert len(list((run / f"seed_{s}" / "svd").glob("fold_*.json"))) == 2
    with open(run / "svd" / "predictions.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["seed"] for r in rows} == {"0", "1"}
    assert len(rows) == sum(f["n_test"] for f in folds)
    _ok(["report", run])  # the pooled run reads like any other


def test_twins_keep_each_twin_group_in_one_cold_fold(tmp_path):
    """--mode cold-src --twins: every circRNA twin group is held out in one fold, as
    kfold_link_split(group_twins=True) makes it (without --twins, some group is split)."""
    g = synthetic(seed=0)
    labels = twin_groups(g, CM, "src")
    ids = list(g["circrna"].ids)

    def folds_of_groups(run):
        with open(run / "degree" / "predictions.csv", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["label"] == "1"]
        by_group: dict[int, set] = {}
        for r in rows:
            by_group.setdefault(int(labels[ids.index(r["src_id"])]), set()).add(r["fold"])
        sizes = np.bincount(labels)
        return [len(f) for lab, f in by_group.items() if sizes[lab] > 1]

    _ok(["cv", "synthetic", "--model", "degree", "--folds", "3", "--edge-type", "circ-mirna",
         "--mode", "cold-src", "--twins", "--out", tmp_path / "twins"])
    _ok(["cv", "synthetic", "--model", "degree", "--folds", "3", "--edge-type", "circ-mirna",
         "--mode", "cold-src", "--out", tmp_path / "plain"])
    grouped = folds_of_groups(tmp_path / "twins")
    assert grouped and max(grouped) == 1
    assert max(folds_of_groups(tmp_path / "plain")) > 1  # the check could fail
    lib = _library("degree", CM, mode="cold-src", ranking=False, group_twins=True)
    cli = _metrics(tmp_path / "twins" / "degree" / "metrics.json")["folds"]
    assert [f["auc"] for f in cli] == pytest.approx([f["auc"] for f in lib.folds], rel=1e-12)


def test_new_options_replay_and_resume(tmp_path):
    """config.json records --negatives / --ranking / --seeds; --config replays the numbers;
    the same command resumes without refitting; a config written before these options
    existed still counts as the same run."""
    run = tmp_path / "run"
    args = ["cv", "synthetic", "--model", "degree", "--folds", "2", "--edge-type",
            "circ-mirna", "--negatives", "hard", "--ranking", "--seeds", "0,2", "--out", run]
    _ok(args)
    cfg = _metrics(run / "config.json")["args"]
    assert (cfg["negatives"], cfg["ranking"], cfg["seeds"]) == ("hard", True, "0,2")
    fold = run / "seed_2" / "degree" / "fold_1.json"
    before = fold.read_bytes()
    _ok(args)  # resumes: the stored fold (timings included) is not rewritten
    assert fold.read_bytes() == before
    _ok(["cv", "--config", run / "config.json", "--out", tmp_path / "replay"])
    a = _metrics(run / "degree" / "metrics.json")["folds"]
    b = _metrics(tmp_path / "replay" / "degree" / "metrics.json")["folds"]
    assert _strip(a) == _strip(b) and len(a) == 4
    # another run in the folder: refused, then --force replaces every seed's files
    other = [*args[:-2], "--seeds", "1", "--out", run]
    res = runner.invoke(app, [str(x) for x in other])
    assert res.exit_code == 1 and "holds another run" in res.output
    _ok([*other, "--force"])
    assert sorted(p.name for p in run.iterdir() if p.is_dir()) == ["degree", "seed_1"]

    old = tmp_path / "old"
    plain = ["cv", "synthetic", "--model", "degree", "--folds", "2", "--edge-type",
             "circ-mirna", "--out", old]
    _ok(plain)
    c = _metrics(old / "config.json")
    for k in ("negatives", "ranking", "twins", "seeds", "isolated_negatives"):
        del c["args"][k]
    (old / "config.json").write_text(json.dumps(c))
    _ok(plain)  # the same run: resumed, not "holds another run"
    res = runner.invoke(app, [str(a) for a in plain + ["--negatives", "degree"]])
    assert res.exit_code == 1 and "holds another run" in res.output


@pytest.mark.parametrize("extra, says", [
    (["--negatives", "foo"], "--negatives 'foo': choose one of uniform, degree, hard"),
    (["--seeds", "a"], "--seeds 'a': give comma-separated integers"),
    (["--seeds", "1,1"], "--seeds '1,1': give distinct integers >= 0"),
    (["--seeds", "-1"], "--seeds '-1': give distinct integers >= 0"),
    (["--mode", "sideways"], "--mode 'sideways': choose one of warm"),
    (["--twins"], "--twins keeps twin groups of held-out nodes in one fold"),
    (["--protocol", "paper", "--negatives", "hard"], "--protocol paper is the papers'"),
])
def test_bad_options_get_one_clear_line(extra, says, tmp_path):
    res = runner.invoke(app, ["cv", "synthetic", "--model", "degree", "--folds", "2",
                              "--edge-type", "circ-mirna", "--out", str(tmp_path / "r"),
                              *extra])
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert res.exit_code == 1
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], lines
    assert not (tmp_path / "r").exists()  # refused before any work


def _unflagged(seed=0):
    """The synthetic graph without its declaration that every interaction is known: its
    circRNAs without a pair are then unobserved RNAs, as in a user's pair file."""
    g = synthetic(seed=seed)
    del g.interactions_complete
    return g


def test_isolated_negatives_reproduces_runs_made_before_the_isolated_node_rule(tmp_path,
                                                                               monkeypatch):
    """--isolated-negatives passes kfold_link_split(isolated_negatives=True): circRNAs without
    a known pair are drawn as negatives again, as before the rule."""
    import rnagraph.datasets
    monkeypatch.setattr(rnagraph.datasets, "synthetic", _unflagged)
    args = ["cv", "synthetic", "--model", "degree+1", "--folds", "3", "--edge-type",
            "circ-mirna", "--mode", "cold-dst"]
    _ok([*args, "--isolated-negatives", "--out", tmp_path / "iso"])
    _ok([*args, "--out", tmp_path / "default"])
    for name, iso in (("iso", True), ("default", False)):
        lib = _library("degree+1", CM, mode="cold-dst", ranking=False, graph=_unflagged(),
                       isolated_negatives=iso)
        _same_folds(_metrics(tmp_path / name / "degree+1" / "metrics.json")["folds"],
                    lib.folds)
    a, b = (_metrics(tmp_path / n / "degree+1" / "metrics.json")["mean"]["auc"]
            for n in ("iso", "default"))
    assert a != b
    assert _metrics(tmp_path / "iso" / "config.json")["args"]["isolated_negatives"] is True
