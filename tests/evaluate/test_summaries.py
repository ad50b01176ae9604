"""Summaries behind reported numbers, against hand-computed values."""
import numpy as np
import pandas as pd
import pytest

from rnagraph.evaluate.summaries import (
    auc_within_groups,
    cerna_intro,
    cold_one_gain,
    group_split_row,
    joint_tables,
    loss_by_kind,
    mean_losses,
    node_kinds,
    paired_differences,
    read_runs,
    seed_ensemble,
    timing_cells,
    training_row,
)


def _preds(scores, labels, extra=()):
    rows = [(0, f"mi{i}", f"t{i}", s, y) for i, (s, y) in enumerate(zip(scores, labels))]
    return pd.DataFrame([*rows, *extra], columns=["fold", "src_id", "dst_id", "score", "label"])


def test_seed_ensemble_averages_pairs_over_the_splits_every_seed_has():
    labels = [1, 1, 0, 0]
    # each seed misorders one comparison of four (AUC 0.75); averaged: 0.6, 0.5 vs 0.45, 0.1
    a = _preds([0.9, 0.2, 0.5, 0.1], labels, extra=[(1, "mi9", "t9", 0.5, 1)])   # split 1: a only
    b = _preds([0.3, 0.8, 0.4, 0.1], labels)
    r = seed_ensemble({1: b, 0: a}, members=2)
    assert r["seeds"] == [0, 1] and r["folds"] == [0]
    assert r["per_seed"].tolist() == [[0.75], [0.75]]
    assert r["ensemble"] == [1.0]
    # one member: the first seed's AUC
    assert seed_ensemble({0: a, 1: b}, members=1)["ensemble"] == [0.75]
    with pytest.raises(ValueError):
        seed_ensemble({0: a}, members=2)


def test_auc_within_groups_compares_pairs_of_the_same_group_only():
    # group 0: positives 0.9, 0.2 vs negative 0.5 -> 1 of 2; group 1: 0.3 vs 0.1 -> 1 of 1;
    # group 2 negatives only. Within: 2/3 over 2 groups, 3 comparisons, 5 of 6 pairs.
    # Plain AUC: positives 0.9, 0.2, 0.3 vs negatives 0.5, 0.1, 0.0 -> 7 of 9
    auc, within, used, comparisons, share = auc_within_groups(
        [1, 1, 0, 1, 0, 0], [0.9, 0.2, 0.5, 0.3, 0.1, 0.0], [0, 0, 0, 1, 1, 2])
    assert auc == pytest.approx(7 / 9) and within == pytest.approx(2 / 3)
    assert (used, comparisons, share) == (2, 3, pytest.approx(5 / 6))


def test_loss_by_kind_splits_one_minus_auc_by_the_nodes_kinds():
    # training: node 0 both classes (B), 1 positives only (P), 2 negatives only (N), 3 unseen.
    kinds = node_kinds([0, 0, 1, 2], [1, 0, 1, 0], [0, 1, 3, 0, 2, 3])
    assert kinds == ["B", "P", "U", "B", "N", "U"]
    # positives B 0.9, P 0.2, U 0.6 vs negatives B 0.5, N 0.1, U 0.7: misordered P<B, P<U,
    # U<U, each 1 of 9 comparisons
    loss = loss_by_kind([1, 1, 1, 0, 0, 0], [0.9, 0.2, 0.6, 0.5, 0.1, 0.7], kinds)
    for cell in (("P", "B"), ("P", "U"), ("U", "U")):
        assert loss[cell] == pytest.approx(1000 / 9)
    assert loss[("B", "B")] == 0.0
    assert sum(loss.values()) == pytest.approx(1000 / 3)      # 1000 (1 - AUC), AUC 6/9


def test_mean_losses_averages_splits_and_shows_the_largest_cells():
    losses = {"M": [{("P", "B"): 2.0, ("U", "U"): 1.0}, {("P", "B"): 4.0}],
              "N": [{("P", "B"): 1.0, ("U", "U"): 3.0, ("B", "N"): 0.5}]}
    shown, rows = mean_losses(losses, top=1)
    # medians: (P,B) over M 3.0 and N 1.0 -> 2.0; (U,U) 0.5 and 3.0 -> 1.75; (B,N) 0.25
    assert shown == [("P", "B")]
    assert rows["M"] == [2, 3.5, 3.0, 0.5]
    assert rows["N"] == [1, 4.5, 1.0, 3.5]


def test_paired_differences_use_common_folds_and_skip_missing_values():
    a = {0: {"auc": 0.66, "x": None}, 1: {"auc": 0.70, "x": 0.5}, 2: {"auc": 0.99, "x": 0.1}}
    b = {0: {"auc": 0.70, "x": 0.2}, 1: {"auc": 0.72, "x": 0.4}}
    n, d = paired_differences(a, b, ("auc", "x"))
    assert n == 2
    assert np.allclose(d["auc"], [-0.04, -0.02]) and np.allclose(d["x"], [0.1])


def test_read_runs_labels_later_roots_and_marks_stopped_runs(tmp_path):
    import json
    for root, model, done in (("a", "M", True), ("b", "M", False)):
        d = tmp_path / root / "x" / model
        d.mkdir(parents=True)
        (d / "run.json").write_text(json.dumps({"model": model}))
        for i in (10, 2):                                   # fold order, not name order
            (d / f"fold_{i}.json").write_text(json.dumps({"metrics": {"fold": i, "auc": i}}))
        if done:
            (d / "metrics.json").write_text(json.dumps({"folds": [{"auc": 0.5}]}))
    a, b = read_runs([tmp_path / "a", tmp_path / "b"], "x/*/run.json")
    assert (a["label"], a["partial"], a["folds"]) == ("M", False, [{"auc": 0.5}])
    assert (b["label"], b["partial"]) == ("M (b)", True)
    assert [f["fold"] for f in b["folds"]] == [2, 10]
    assert [r["metrics"]["fold"] for r in a["records"]] == [2, 10]


ET = ("circrna", "binds", "mirna")


def _rec(mode, fold, auc, both, one, model="joint"):
    return {"mode": mode, "fold": fold, "model": model, "edge_type": list(ET), "auc": auc,
            "aupr": auc, "auc_both": both, "auc_one": one, "fit_s": 2.0}


def test_cold_one_gain_pairs_folds_by_hand():
    # cold-one − cold per model over the folds both modes have, by miRNA group; population
    # std as in the rest of the table: diffs -0.04, -0.02 -> -0.030 ± 0.010
    records = [_rec("cold", 0, 0.70, 0.60, 0.80), _rec("cold-one", 0, 0.66, 0.50, 0.80),
               _rec("cold", 1, 0.72, 0.70, 0.74), _rec("cold-one", 1, 0.70, 0.66, 0.74),
               _rec("cold-one", 2, 0.99, 0.99, 0.99)]          # no cold twin: left out
    lines = cold_one_gain(records, ET, {"joint": "JointLink joint"})
    assert lines[2] == "| JointLink joint | 2 | -0.030 ± 0.010 | -0.070 ± 0.030 | 0.000 ± 0.000 |"
    assert len(lines) == 3


def test_joint_tables_rows_name_missing_folds_and_pair_joint_with_single_task():
    recs = [_rec("warm", 0, 0.80, 0.9, None), _rec("warm", 1, 0.90, 0.7, 0.6),
            _rec("warm", 0, 0.70, 0.8, 0.5, "joint-single")]
    md = joint_tables(recs, 2, {"joint-single": "single", "joint": "joint"},
                      {"warm": "warm"}, {ET: "circRNA–miRNA"})
    # a row over fewer folds than the table names its folds; None (one class) is left out
    assert "| single | 1 (fold 0) | 0.700 ± 0.000 | 0.700 ± 0.000 | 0.800 ± 0.000 | " in md
    assert "| joint | 2 | 0.850 ± 0.050 | 0.850 ± 0.050 | 0.800 ± 0.100 | 0.600 ± 0.000 | 2 |" in md
    # paired over fold 0 only: 0.80 - 0.70; auc_one of joint fold 0 is None -> no difference
    assert "| Δ joint − single-task (paired) | 1 | 0.100 ± 0.000 | 0.100 ± 0.000 | " \
           "0.100 ± 0.000 | — | |" in md


def test_group_split_row_splits_the_auc_by_the_node_group():
    rec = {"label": [1, 0, 1, 0, 1], "score": [0.9, 0.1, 0.2, 0.8, 0.7], "dst": [0, 0, 1, 1, 2],
           "metrics": {"auc": 0.5, "aupr": 0.6, "fold": 3, "fit_s": 1.0}}
    row = group_split_row(rec, "dst", np.array([True, False, False]))
    # node 0 (in the group): 0.9 > 0.1 -> 1.0; nodes 1, 2: 0.2 and 0.7 against 0.8 -> 0.0
    assert row["auc_both"] == 1.0 and row["auc_one"] == 0.0 and row["fold"] == 3
    assert group_split_row(rec, "dst", np.array([False, True, True]))["auc_both"] == 0.0


def test_training_row_means_over_splits_and_marks_missing_records():
    run = {"meta": {"epochs": 40}, "folds": [
        {"auc": 0.8, "n_test": 100, "score_s": 0.5}, {"auc": 0.9, "n_test": 100, "score_s": 1.0}],
        "records": [{"fit_info": {"best_val_auc": 0.7, "epochs": 10, "epoch_s": 2.0,
                                  "peak_rss_mib": 900, "best_val_grouped_auc": 0.6}},
                    {"fit_info": {"best_val_auc": 0.8, "epochs": 20, "epoch_s": 4.0,
                                  "peak_rss_mib": 1200}}]}
    row = training_row(run, ["auc"])
    # within-group AUC recorded on one split of two -> "–"; pairs/s mean of 200 and 100
    assert row[:3] == ["2", "0.7500", "–"] and row[3].startswith("0.8500 (95% CI ± ")
    assert row[4:] == ["15.0 / 40", "3.0", "150", "1,200"]


def test_timing_cells_average_only_the_folds_that_record_a_key():
    # epoch_s is recorded by one fold of two: its mean is that fold's, not halved
    stats = [{"epochs": 10, "epoch_s": 0.5, "fit_s": 6.0, "peak_rss_mib": 300},
             {"epochs": 20, "fit_s": 2.0, "peak_rss_mib": 500}]
    assert timing_cells(stats) == [2, "15", "0.500", "-", "4.0", "500"]


def test_cerna_intro_lists_each_modes_share_per_fold():
    lines = cerna_intro(2, 5, "m", "Command: `x`", "4-6", 1, {"warm": [0.5, 0.25], "cold": [1 / 3]})
    assert lines[0] == "## ceRNA graph: joint vs single-task (2 of 5 folds, 1:1)"
    assert lines[-2:] == [
        "Share of miRNAs (with any training edge) that carry training edges of both types, "
        "warm, per fold: 0.500, 0.250.",
        "Share of miRNAs (with any training edge) that carry training edges of both types, "
        "cold, per fold: 0.333."]
