import copy
import warnings

import numpy as np
import pytest
import torch

from rnagraph.data import Fold, build_graph, check_no_leakage, holdout_split, kfold_link_split
from rnagraph.data.negatives import pair_codes

CM = ("circrna", "binds", "mirna")
MM = ("mirna", "targets", "mrna")
REV = ("mirna", "rev_binds", "circrna")


def graph(seed=0):
    rng = np.random.default_rng(seed)
    cm = sorted({(f"c{rng.integers(60)}", f"m{rng.integers(40)}") for _ in range(300)})
    mm = sorted({(f"m{rng.integers(40)}", f"t{rng.integers(30)}") for _ in range(80)})
    g = build_graph({}, {CM: cm, MM: mm}, add_reverse=True)
    g[CM].weight = torch.arange(g[CM].edge_index.size(1), dtype=torch.float)
    return g


def S(ei, n=40):
    return set(pair_codes(ei, n).tolist())


def test_warm_folds_partition_positives_and_graph_holds_train_only():
    g = graph()
    before = copy.deepcopy(g)
    folds = kfold_link_split(g, CM, k=5, seed=0)
    allpos = S(g[CM].edge_index)
    tests = [S(f.test.pos_index) for f in folds]
    for i in range(5):
        for j in range(i + 1, 5):
            assert not tests[i] & tests[j]
    assert set().union(*tests) == allpos
    for f in folds:
        check_no_leakage(f)
        tg = f.train_graph
        assert S(tg[CM].edge_index) == S(f.train.pos_index)
        assert S(tg[REV].edge_index.flip(0)) == S(f.train.pos_index)
        assert torch.equal(tg[MM].edge_index, g[MM].edge_index)  # other types untouched
        # per-edge attributes follow their edges
        keep = np.isin(pair_codes(g[CM].edge_index, 40), pair_codes(tg[CM].edge_index, 40))
        assert torch.equal(tg[CM].weight, g[CM].weight[torch.from_numpy(keep)])
        assert S(f.train.pos_index) | S(f.val.pos_index) | S(f.test.pos_index) == allpos
        n = [S(x.neg_index) for x in (f.train, f.val, f.test)]
        assert not (n[0] & n[1]) and not (n[0] & n[2]) and not (n[1] & n[2])
        assert not set().union(*n) & allpos
    # test negatives of different folds are disjoint too
    tn = [S(f.test.neg_index) for f in folds]
    assert sum(map(len, tn)) == len(set().union(*tn))
    # caller's graph untouched
    assert torch.equal(g[CM].edge_index, before[CM].edge_index)
    assert torch.equal(g[REV].edge_index, before[REV].edge_index)


@pytest.mark.parametrize("ratio", [1, 2, 5, 10])
def test_ratio_counts(ratio):
    rng = np.random.default_rng(0)
    g = build_graph({}, {CM: sorted({(f"c{rng.integers(200)}", f"m{rng.integers(100)}")
                                     for _ in range(300)})})
    f = kfold_link_split(g, CM, k=5, neg_ratio=ratio, seed=1)[0]
    for ls in (f.train, f.val, f.test):
        p = int(ls.edge_label.sum())
        assert len(ls) - p == ratio * p


def test_deterministic():
    g = graph()
    a = kfold_link_split(g, CM, seed=7)
    b = kfold_link_split(g, CM, seed=7)
    c = kfold_link_split(g, CM, seed=8)
    for fa, fb in zip(a, b):
        assert torch.equal(fa.test.edge_label_index, fb.test.edge_label_index)
        assert torch.equal(fa.train.edge_label_index, fb.train.edge_label_index)
    assert not torch.equal(a[0].test.edge_label_index, c[0].test.edge_label_index)


@pytest.mark.parametrize("mode,sides", [("cold-src", (0,)), ("cold-dst", (1,)),
                                        ("cold-both", (0, 1))])
def test_cold_start_test_nodes_have_no_training_pairs(mode, sides):
    g = graph()
    folds = kfold_link_split(g, CM, k=4, mode=mode, seed=0)
    held_all = {s: set() for s in sides}
    for f in folds:
        check_no_leakage(f)
        test = f.test.edge_label_index
        assert f.test.pos_index.size(1) > 0
        for side in sides:
            held = set(test[side].tolist())
            assert not held & set(f.train.edge_label_index[side].tolist())
            assert not held & set(f.val.edge_label_index[side].tolist())
            assert not held & set(f.train_graph[CM].edge_index[side].tolist())
            assert not held & set(f.train_graph[REV].edge_index[1 - side].tolist())
            assert not held_all[side] & held  # node groups are disjoint across folds
            held_all[side] |= held
    if mode != "cold-both":  # every positive is tested once
        assert sum(f.test.pos_index.size(1) for f in folds) == g[CM].edge_index.size(1)
    else:
        assert all(f.meta["dropped_positives"] > 0 for f in folds)


def test_paper_protocol():
    g = graph()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        folds = kfold_link_split(g, CM, k=5, protocol="paper", seed=0,
                                 isolated_negatives=True)  # graph() has an isolated miRNA
    e = g[CM].edge_index.size(1)
    labels = torch.cat([f.test.edge_label for f in folds])
    assert labels.numel() == 2 * e and int(labels.sum()) == e  # KFold over pos + neg, 1:1
    for f in folds:
        assert f.protocol == "paper"
        assert torch.equal(f.train_graph[CM].edge_index, g[CM].edge_index)  # full graph
        assert not S(f.train.edge_label_index) & S(f.test.edge_label_index)
    with pytest.raises(ValueError, match="warm"):
        kfold_link_split(g, CM, protocol="paper", mode="cold-src")


def test_holdout_split():
    g = graph()
    f = holdout_split(g, CM, test_ratio=0.2, val_ratio=0.1, seed=0)
    check_no_leakage(f)
    e = g[CM].edge_index.size(1)
    assert f.test.pos_index.size(1) == round(0.2 * e)
    assert f.val.pos_index.size(1) == round(0.1 * (e - round(0.2 * e)))
    fc = holdout_split(g, CM, mode="cold-src", seed=0)
    check_no_leakage(fc)


def test_bad_arguments():
    g = graph()
    with pytest.raises(ValueError, match="mode"):
        kfold_link_split(g, CM, mode="cold")
    with pytest.raises(ValueError, match="not in the graph"):
        kfold_link_split(g, ("mrna", "x", "circrna"))
    with pytest.raises(ValueError, match="k must"):
        kfold_link_split(g, CM, k=1)


@pytest.mark.parametrize("neg_ratio", [1, 3])
def test_full_fold(neg_ratio):
    g = graph()
    before = copy.deepcopy(g)
    f = Fold.full(g, CM, val_ratio=0.2, neg_ratio=neg_ratio, seed=0)
    allpos = S(g[CM].edge_index)
    tr, va = S(f.train.pos_index), S(f.val.pos_index)
    assert f.protocol == "full" and f.mode == "warm" and f.index == 0
    assert len(f.test) == 0 and f.test.edge_label_index.shape == (2, 0)
    # every positive is used exactly once, in train or in val
    assert not tr & va and tr | va == allpos
    assert f.train.pos_index.size(1) == len(tr) and f.val.pos_index.size(1) == len(va)
    assert len(va) == round(0.2 * len(allpos))
    # the graph holds the training positives only: validation pairs are scored as unseen pairs
    assert S(f.train_graph[CM].edge_index) == tr and not S(f.train_graph[CM].edge_index) & va
    assert S(f.train_graph[REV].edge_index.flip(0)) == tr
    assert torch.equal(f.train_graph[MM].edge_index, g[MM].edge_index)
    # negatives: never a known positive, disjoint between the sets, at the stated ratio
    ntr, nva = S(f.train.neg_index), S(f.val.neg_index)
    assert not (ntr | nva) & allpos and not ntr & nva
    assert len(ntr) == f.train.neg_index.size(1) == neg_ratio * len(tr)
    assert len(nva) == f.val.neg_index.size(1) == neg_ratio * len(va)
    # seeded, and the caller's graph is untouched
    again = Fold.full(g, CM, val_ratio=0.2, neg_ratio=neg_ratio, seed=0)
    assert torch.equal(again.val.edge_label_index, f.val.edge_label_index)
    assert not torch.equal(Fold.full(g, CM, val_ratio=0.2, neg_ratio=neg_ratio,
                                     seed=1).val.edge_label_index, f.val.edge_label_index)
    assert torch.equal(g[CM].edge_index, before[CM].edge_index)
    # graph() has one miRNA with no CM pair (isolated): left out of the negatives
    assert f.meta == {"neg_ratio": neg_ratio, "val_ratio": 0.2, "seed": 0,
                      "isolated_excluded": 1}


def test_full_fold_without_validation_and_errors():
    g = graph()
    f = Fold.full(g, CM, val_ratio=0, seed=0)
    assert len(f.val) == 0 and S(f.train.pos_index) == S(g[CM].edge_index)
    tiny = build_graph({}, {CM: [("a", "x")]})
    with pytest.raises(ValueError, match="full_fold: 1 positive"):
        Fold.full(tiny, CM)


def test_default_folds_unchanged_by_the_negatives_option():
    # digest of the default folds as the library wrote them before negatives= / group_twins=
    # existed (computed with that version); a change here silently changes every stored run.
    # graph() has an isolated miRNA, which those versions drew as negatives: the same folds
    # with isolated_negatives=True (tests/data/test_isolated.py: without isolated nodes the
    # default folds are these too)
    import hashlib
    h = hashlib.sha1()
    g = graph()
    old = {"isolated_negatives": True}
    for mode in ("warm", "cold-src", "cold-dst", "cold-both"):
        for f in kfold_link_split(g, CM, k=3, mode=mode, seed=5, **old):
            for ls in (f.train, f.val, f.test):
                h.update(ls.edge_label_index.numpy().tobytes())
        h.update(holdout_split(g, CM, mode=mode, seed=5, **old).test.edge_label_index.numpy()
                 .tobytes())
    assert h.hexdigest()[:16] == "79a288abf4ff53c8"
    a = kfold_link_split(g, CM, k=3, seed=5)
    b = kfold_link_split(g, CM, k=3, seed=5, negatives="uniform", group_twins=False)
    assert all(torch.equal(x.test.edge_label_index, y.test.edge_label_index)
               for x, y in zip(a, b))
    assert "negatives" not in a[0].meta and "group_twins" not in a[0].meta


def test_negatives_argument_errors():
    g = graph()
    with pytest.raises(ValueError, match="negatives"):
        kfold_link_split(g, CM, negatives="popular")
    with pytest.raises(ValueError, match="paper"):
        kfold_link_split(g, CM, negatives="degree", protocol="paper")
    f = holdout_split(g, CM, negatives="degree", seed=0)
    check_no_leakage(f)
    assert f.meta["negatives"] == "degree"
