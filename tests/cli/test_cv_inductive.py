"""``rnagraph cv --inductive``: the inductive cold-start protocol from the command line."""
from __future__ import annotations

import csv
import json
import warnings

import pytest
from typer.testing import CliRunner

from rnagraph.cli import app
from rnagraph.data import kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.evaluate import cross_validate
from rnagraph.models import get_model

runner = CliRunner()
CM = ("circrna", "binds", "mirna")
KS = (10, 50, 100)


def _ok(args):
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_inductive_cv_equals_the_library_and_scores_the_same_pairs_differently(tmp_path):
    base = ["cv", "synthetic", "--model", "degree", "--folds", "3", "--edge-type",
            "circ-mirna", "--mode", "cold-dst"]
    res = _ok([*base, "--inductive", "--ranking", "--out", tmp_path / "ind"])
    _ok([*base, "--out", tmp_path / "trans"])
    assert "inductive" in res.output
    cfg = json.loads((tmp_path / "ind" / "config.json").read_text())["args"]
    assert cfg["inductive"] is True
    met = json.loads((tmp_path / "ind" / "degree" / "metrics.json").read_text())
    assert met["mode"] == "cold-dst (inductive)"
    # fold by fold the library's numbers
    g = synthetic(seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folds = kfold_link_split(g, CM, k=3, mode="cold-dst", seed=0, inductive=True)
    lib = cross_validate(get_model("degree"), g, CM, folds, progress=False, curves=False,
                         ranking_ks=KS)
    for a, b in zip(met["folds"], lib.folds):
        for key in ("auc", "aupr", "global_aupr", "global_precision@100", "mrr_dst"):
            assert a[key] == pytest.approx(b[key], rel=1e-12), key
    # the same test pairs (by id) as the transductive run, scored another way: a held-out
    # miRNA is no node of the fitted graph, so degree+1 reaches it through its neighbours
    ind = _rows(tmp_path / "ind" / "degree" / "predictions.csv")
    trans = _rows(tmp_path / "trans" / "degree" / "predictions.csv")
    key = lambda r: (r["fold"], r["src_id"], r["dst_id"], r["label"])  # noqa: E731
    assert sorted(map(key, ind)) == sorted(map(key, trans))
    s_ind = {key(r): float(r["score"]) for r in ind}
    assert sum(abs(s_ind[key(r)] - float(r["score"])) > 1e-9 for r in trans) > len(trans) // 2


@pytest.mark.parametrize("extra", [["--mode", "warm"],
                                   ["--protocol", "paper"]])
def test_inductive_needs_a_cold_leakage_free_split(extra, tmp_path):
    res = runner.invoke(app, ["cv", "synthetic", "--model", "degree", "--folds", "2",
                              "--edge-type", "circ-mirna", "--inductive", "--out",
                              str(tmp_path / "r"), *extra])
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert res.exit_code == 1
    assert len(lines) == 1 and "--inductive removes held-out RNAs" in lines[0], lines
    assert not (tmp_path / "r").exists()
