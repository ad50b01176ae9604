import csv
import dataclasses
import json
import warnings

import numpy as np
import pytest
import torch

from rnagraph.data import (
    LeakageError,
    LinkSet,
    PaperProtocolWarning,
    build_graph,
    check_no_leakage,
    kfold_link_split,
)
from rnagraph.evaluate import cross_validate
from rnagraph.models.degree_product import DegreeProduct
from rnagraph.train import choose_threshold

CM = ("circrna", "binds", "mirna")
FITS: list[int] = []


def planted(seed=0, n=4, nc=15, nm=10, p_in=0.4, p_out=0.02):
    """Communities plus node popularity (so both degree and structure carry signal)."""
    rng = np.random.default_rng(seed)
    wc, wm = rng.uniform(0.1, 1.9, (n, nc)), rng.uniform(0.1, 1.9, (n, nm))
    pairs = [(f"c{g}_{i}", f"m{h}_{j}") for g in range(n) for i in range(nc) for h in range(n)
             for j in range(nm)
             if rng.random() < (p_in if g == h else p_out) * wc[g, i] * wm[h, j]]
    return build_graph({}, {CM: pairs})


class Counting(DegreeProduct):
    """DegreeProduct that records its fits and fails on one fold (private attrs: not config)."""
    _fail_on: int | None = None

    def fit(self, fold):
        if fold.index == Counting._fail_on:
            raise RuntimeError("simulated crash")
        FITS.append(fold.index)
        return super().fit(fold)


def test_end_to_end_files(tmp_path):
    g = planted()
    folds = kfold_link_split(g, CM, k=3, seed=0)
    res = cross_validate(DegreeProduct(), g, CM, folds, out_dir=tmp_path, progress=False,
                         ranking_ks=(5,))
    assert len(res.folds) == 3
    assert 0.5 < res.mean["auc"] <= 1
    assert res.std["auc"] >= 0
    assert "mean ± std" in res.table()
    for name in ("metrics.json", "predictions.csv", "roc.png", "pr.png", "fold_0.json"):
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "roc.png").read_bytes()[:4] == b"\x89PNG"
    meta = json.loads((tmp_path / "metrics.json").read_text())
    assert meta["protocol"] == "leakage-free"
    assert meta["mean"]["auc"] == pytest.approx(res.mean["auc"])
    rows = list(csv.DictReader((tmp_path / "predictions.csv").open()))
    assert len(rows) == sum(len(f.test) for f in folds)
    assert rows[0]["src_id"] in g["circrna"].ids and rows[0]["dst_id"] in g["mirna"].ids
    assert {r["label"] for r in rows} == {"0", "1"}
    assert "hits@5" in res.folds[0]
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*tmp"))


def test_resume_after_crash_does_not_refit(tmp_path):
    g = planted()
    folds = kfold_link_split(g, CM, k=4, seed=0)
    FITS.clear()
    Counting._fail_on = 2
    with pytest.raises(RuntimeError, match="simulated"):
        cross_validate(Counting(), g, CM, folds, out_dir=tmp_path, progress=False)
    assert FITS == [0, 1]
    assert sorted(p.name for p in tmp_path.glob("fold_*.json")) == ["fold_0.json", "fold_1.json"]
    assert not (tmp_path / "metrics.json").exists()
    Counting._fail_on = None
    res = cross_validate(Counting(), g, CM, folds, out_dir=tmp_path, progress=False)
    assert FITS == [0, 1, 2, 3]  # folds 0-1 were loaded, not refit
    assert len(res.folds) == 4 and (tmp_path / "metrics.json").exists()
    # a different run into the same directory is refused, nothing is overwritten
    with pytest.raises(ValueError, match="different run"):
        cross_validate(DegreeProduct(calibrate=False), g, CM, folds, out_dir=tmp_path,
                       progress=False)
    with pytest.raises(FileExistsError):
        cross_validate(Counting(), g, CM, folds, out_dir=tmp_path, resume=False,
                       progress=False)


def test_threshold_chosen_on_validation_only():
    g = planted()
    folds = kfold_link_split(g, CM, k=3, seed=0)
    res = cross_validate(DegreeProduct(), g, CM, folds, threshold="val", progress=False)
    m = DegreeProduct().fit(folds[0])
    expect = choose_threshold(folds[0].val.edge_label, m.score(folds[0].train_graph,
                                                               folds[0].val.edge_label_index))
    assert res.folds[0]["threshold"] == pytest.approx(expect)


def test_paper_protocol_is_labelled_and_warns(tmp_path):
    g = planted()
    folds = kfold_link_split(g, CM, k=3, seed=0, protocol="paper")
    with pytest.warns(PaperProtocolWarning):
        res = cross_validate(DegreeProduct(), g, CM, folds, out_dir=tmp_path, progress=False,
                             curves=False)
    assert "PAPER" in res.label and "PAPER" in res.table()
    assert json.loads((tmp_path / "metrics.json").read_text())["protocol"] == "paper"
    rows = list(csv.DictReader((tmp_path / "predictions.csv").open()))
    assert {r["protocol"] for r in rows} == {"paper"}


def test_leaky_fold_is_refused():
    g = planted()
    folds = kfold_link_split(g, CM, k=3, seed=0)
    f = folds[0]
    tg = f.train_graph
    tg[CM].edge_index = torch.cat([tg[CM].edge_index, f.test.pos_index], 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="train_graph"):
            cross_validate(DegreeProduct(), g, CM, folds, progress=False)


def test_known_positive_labelled_negative_is_refused():
    # the fold alone cannot show it (the pair is in no train_graph); cross_validate checks
    # every fold against the graph it is given
    g = planted()
    folds = kfold_link_split(g, CM, k=3, seed=0)
    t = folds[1].test
    label = t.edge_label.clone()
    label[int(torch.nonzero(label > 0.5)[0])] = 0
    folds[1] = dataclasses.replace(folds[1], test=LinkSet(t.edge_label_index, label))
    check_no_leakage(folds[1])
    with pytest.raises(LeakageError, match="fold 1 .*known positive"):
        cross_validate(DegreeProduct(), g, CM, folds, progress=False)


def test_seed_match_on_synthetic(tmp_path):
    from rnagraph.datasets import synthetic
    from rnagraph.models.seed_match import SeedMatch
    data = synthetic(num_mirna=30, num_mrna=60, num_circrna=20, seed=0)
    et = ("mirna", "targets", "mrna")
    folds = kfold_link_split(data, et, k=3, seed=0)
    res = cross_validate(SeedMatch(), data, et, folds, out_dir=tmp_path, progress=False)
    assert res.mean["auc"] > 0.6  # planted seed sites carry signal
    assert (tmp_path / "predictions.csv").exists() and (tmp_path / "pr.png").exists()


def test_parallel_folds_equal_sequential_and_resume(tmp_path):
    g = planted()
    folds = kfold_link_split(g, CM, k=3, seed=0)
    seq = cross_validate(DegreeProduct(), g, CM, folds, progress=False)
    assert seq.fitted == [0, 1, 2]
    # fold 1 finished earlier: the two worker processes fit folds 0 and 2 only
    cross_validate(DegreeProduct(), g, CM, folds[1:2], out_dir=tmp_path, progress=False)
    par = cross_validate(DegreeProduct(), g, CM, folds, out_dir=tmp_path, progress=False,
                         n_jobs=2)
    assert sorted(par.fitted) == [0, 2]
    assert [f["fold"] for f in par.folds] == [0, 1, 2]
    for a, b in zip(seq.folds, par.folds):
        assert a["auc"] == b["auc"] and a["mcc"] == b["mcc"]
    assert all(fi["peak_rss_mib"] > 0 for fi in par.fit_info)
    assert json.loads((tmp_path / "fold_2.json").read_text())["fit_info"]["peak_rss_mib"] > 0
    with pytest.raises(ValueError, match="n_jobs"):
        cross_validate(DegreeProduct(), g, CM, folds, n_jobs=0, progress=False)


def test_parallel_workers_relay_warnings_under_the_callers_filters(capfd):
    g = planted()
    folds = kfold_link_split(g, CM, k=3, seed=0, protocol="paper")
    # the workers' warnings reach the caller, who sees them as in a sequential run ...
    with pytest.warns(PaperProtocolWarning) as rec:
        cross_validate(DegreeProduct(), g, CM, folds, progress=False, n_jobs=2)
    assert len(rec) >= 1 and all(r.category is PaperProtocolWarning for r in rec)
    capfd.readouterr()
    # ... and a warning the caller silenced is not printed by a worker either
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PaperProtocolWarning)
        cross_validate(DegreeProduct(), g, CM, folds, progress=False, n_jobs=2)
    assert "PaperProtocolWarning" not in capfd.readouterr().err


class _Peeking(DegreeProduct):
    """Fails if fit can read the extra test sets."""

    def fit(self, fold):
        assert "extra_tests" not in fold.meta and len(fold.test) == 0
        return super().fit(fold)


def test_extra_test_sets_scored_like_the_test_set_and_hidden_from_fit(tmp_path):
    from rnagraph.train import binary_metrics
    g = planted()
    folds = kfold_link_split(g, CM, k=3, seed=0)
    extra = LinkSet(torch.tensor([[0, 1, 2, 3], [0, 1, 2, 4]]), torch.tensor([1.0, 0, 1, 0]))
    with_extra = [dataclasses.replace(f, meta={**f.meta, "extra_tests": {"ind": extra}})
                  for f in folds]
    res = cross_validate(_Peeking(), g, CM, with_extra, out_dir=tmp_path, progress=False)
    m = DegreeProduct().fit(folds[1])
    expect = binary_metrics(extra.edge_label.numpy(),
                            m.score(folds[1].train_graph, extra.edge_label_index), 0.5)
    assert res.folds[1]["ind/auc"] == pytest.approx(expect["auc"]) and res.folds[1]["ind/n"] == 4
    # the fold record keeps the extra set's pairs and scores, for metrics computed later
    rec = json.loads((tmp_path / "fold_1.json").read_text())["extra_tests"]["ind"]
    assert rec["src"] == [0, 1, 2, 3] and rec["label"] == [1.0, 0.0, 1.0, 0.0]
    assert rec["score"] == pytest.approx(
        m.score(folds[1].train_graph, extra.edge_label_index).tolist())
    assert res.folds[1]["auc"] == cross_validate(DegreeProduct(), g, CM, folds,
                                                 progress=False).folds[1]["auc"]
    # another extra set is another run: resuming refuses it
    other = [dataclasses.replace(f, meta={**f.meta, "extra_tests": {"ind": LinkSet(
        extra.edge_label_index, 1 - extra.edge_label)}}) for f in folds]
    with pytest.raises(ValueError, match="extra_tests"):
        cross_validate(_Peeking(), g, CM, other, out_dir=tmp_path, progress=False)


def test_pool_over_seeds_pools_every_fold_by_hand(tmp_path):
    from rnagraph.evaluate.compare import pool_over_seeds
    from rnagraph.evaluate.results import CVResult

    def res(aucs, mode="warm", out=None):
        return CVResult(model="M", edge_type=CM, protocol="leakage-free", mode=mode,
                        folds=[{"fold": i, "auc": a} for i, a in enumerate(aucs)], out_dir=out)

    for s, rows in ((0, "0,c0,m0,0.9,1,leakage-free\n1,c2,m0,0.4,0,leakage-free\n"),
                    (1, "1,c1,m1,0.2,0,leakage-free\n")):
        d = tmp_path / f"seed_{s}" / "m"
        d.mkdir(parents=True)
        (d / "predictions.csv").write_text("fold,src_id,dst_id,score,label,protocol\n" + rows)
    per_seed = {0: {"m": res([0.6, 0.8], out=tmp_path / "seed_0" / "m")},
                1: {"m": res([0.7, 0.9], out=tmp_path / "seed_1" / "m")}}
    p = pool_over_seeds(per_seed, out_dir=tmp_path)["m"]
    # all four folds: mean 0.75; population std sqrt((0.0225 + 0.0025) * 2 / 4) = 0.111803
    # (the seeds' means 0.7 / 0.8 would give 0.05)
    assert [f["auc"] for f in p.folds] == [0.6, 0.8, 0.7, 0.9]
    assert [f["fold"] for f in p.folds] == [0, 1, 2, 3]  # one number per pooled fold
    assert p.mean["auc"] == pytest.approx(0.75)
    assert p.std["auc"] == pytest.approx(0.111803, abs=1e-6)
    stored = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert stored["seeds"] == [0, 1] and stored["folds_per_seed"] == [2, 2]
    assert stored["std"]["auc"] == pytest.approx(0.111803, abs=1e-6)
    lines = (tmp_path / "m" / "predictions.csv").read_text().splitlines()
    assert lines == ["seed,fold,src_id,dst_id,score,label,protocol",
                     "0,0,c0,m0,0.9,1,leakage-free", "0,1,c2,m0,0.4,0,leakage-free",
                     "1,3,c1,m1,0.2,0,leakage-free"]
    with pytest.raises(ValueError, match="pool runs of the same models"):
        pool_over_seeds({0: {"m": res([0.6])}, 1: {"n": res([0.6])}})
    with pytest.raises(ValueError, match="cold-src"):
        pool_over_seeds({0: {"m": res([0.6])}, 1: {"m": res([0.6], mode="cold-src")}})
    with pytest.raises(ValueError, match="no seeds"):
        pool_over_seeds({})
