"""cross_validate on inductive folds: held-out RNAs are scored on the fold's scoring graphs,
records name the right RNAs, and ranking covers all pairs of the held-out RNAs only."""
import csv
import zlib

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from rnagraph.data import build_graph, kfold_link_split
from rnagraph.evaluate import cross_validate
from rnagraph.evaluate.ranking import fold_link_ranking

CM = ("circrna", "binds", "mirna")
SEEN: list[int] = []   # miRNA counts of the graphs ById scored on (cross_validate fits copies)


def graph(seed=0):
    rng = np.random.default_rng(seed)
    cm = sorted({(f"c{rng.integers(30)}", f"m{rng.integers(20)}") for _ in range(150)})
    seqs = {"mirna": {f"m{i}": "ACGU" * 5 for i in range(20)},
            "circrna": {f"c{i}": "ACGU" * 10 for i in range(30)}}
    return build_graph(seqs, {CM: cm})


def pair_value(c: str, m: str) -> float:
    """A fixed score in (0, 1) per pair of ids, with no ties (in practice)."""
    return (zlib.crc32(f"{c}|{m}".encode()) % 1_000_003 + 0.5) / 1_000_003


class ById:
    """A stand-in model that scores a pair from the two RNAs' ids in the graph it is given
    (as a sequence model would from their sequences) and records each graph's node counts.
    It fails on pairs beyond the graph it is handed: scoring on the wrong graph is an error."""

    def __init__(self):
        self.seen = []

    def fit(self, fold):
        self.n_fit_ = int(fold.train_graph["mirna"].num_nodes)
        return self

    def decision_function(self, graph, pairs):
        self.seen.append(int(graph["mirna"].num_nodes))
        SEEN.append(int(graph["mirna"].num_nodes))
        ci, mi = list(graph["circrna"].ids), list(graph["mirna"].ids)
        return torch.tensor([pair_value(ci[a], mi[b]) for a, b in pairs.t().tolist()],
                            dtype=torch.float64)

    score = decision_function


def test_inductive_folds_are_scored_on_their_scoring_graphs(tmp_path):
    g = graph()
    folds = kfold_link_split(g, CM, k=4, mode="cold-dst", seed=0, inductive=True)
    SEEN.clear()
    res = cross_validate(ById(), g, CM, folds, out_dir=tmp_path, progress=False, curves=False,
                         threshold="val")
    assert res.mode == "cold-dst (inductive)"
    # test pairs on score_graph (all 20 miRNAs), validation pairs on val_graph (no test RNA)
    assert sorted(set(SEEN)) == sorted({20} | {f.val_graph["mirna"].num_nodes for f in folds})
    assert all(f.val_graph["mirna"].num_nodes < 20 for f in folds)
    ci, mi = list(g["circrna"].ids), list(g["mirna"].ids)
    rows = list(csv.DictReader(open(tmp_path / "predictions.csv")))
    assert len(rows) == sum(len(f.test) for f in folds)
    for r in rows:   # the ids written are the RNAs whose score was computed
        assert float(r["score"]) == pytest.approx(pair_value(r["src_id"], r["dst_id"]),
                                                  rel=1e-5)
    for f in folds:  # each test pair is named as in the graph the folds were split from
        want = {(ci[a], mi[b]) for a, b in f.to_split_index(f.test.edge_label_index).t().tolist()}
        got = {(r["src_id"], r["dst_id"]) for r in rows if int(r["fold"]) == f.index}
        assert got == want
    # test pairs' AUC is that of the fixed scores
    f0 = res.folds[0]
    t = folds[0].to_split_index(folds[0].test.edge_label_index).t().tolist()
    want_auc = roc_auc_score(folds[0].test.edge_label.numpy(),
                             [pair_value(ci[a], mi[b]) for a, b in t])
    assert f0["auc"] == pytest.approx(want_auc)


def test_scoring_graph_sizes_and_ranking_over_held_out_pairs():
    g = graph(1)
    f = kfold_link_split(g, CM, k=4, mode="cold-dst", seed=1, inductive=True)[2]
    m = ById().fit(f)
    out = fold_link_ranking(m, f, ks=(5, 20))
    assert set(m.seen) == {20}            # scored on score_graph (every miRNA), never smaller
    # by hand: every (circRNA, test miRNA) pair is a candidate; the test positives relevant
    ci = list(f.score_graph["circrna"].ids)
    mi = list(f.score_graph["mirna"].ids)
    test_m = f.new_nodes("test", "mirna").tolist()
    pos = set(map(tuple, f.test.pos_index.t().tolist()))
    cand = [(c, j) for c in range(30) for j in test_m]
    y = np.array([(c, j) in pos for c, j in cand])
    s = np.array([pair_value(ci[c], mi[j]) for c, j in cand])
    assert out["global_aupr"] == pytest.approx(average_precision_score(y, s))
    assert out["global_auc"] == pytest.approx(roc_auc_score(y, s))
    top = y[np.argsort(-s)][:20]
    assert out["global_precision@20"] == pytest.approx(top.mean())


class Refuses(ById):
    """Cannot score new miRNAs: NaN there, and says why (as the contract's scoring_status)."""

    def decision_function(self, graph, pairs):
        s = super().decision_function(graph, pairs)
        return s.masked_fill(pairs[1] >= self.n_fit_, float("nan"))

    score = decision_function

    def scoring_status(self, graph, pairs):
        return ["fitted" if int(b) < self.n_fit_ else "not scored: Refuses scores no new RNA"
                for b in pairs[1]]


def test_a_model_that_cannot_score_new_rnas_is_refused_with_its_reason():
    g = graph()
    folds = kfold_link_split(g, CM, k=4, mode="cold-dst", seed=0, inductive=True)[:1]
    n = len(folds[0].test)
    with pytest.raises(ValueError, match=f"NaN for {n} of {n} pairs, e.g. 'not scored: "
                                         "Refuses scores no new RNA'"):
        cross_validate(Refuses(), g, CM, folds, progress=False, curves=False)
