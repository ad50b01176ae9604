import warnings

import numpy as np
import pytest
import torch

import rnagraph.data.negatives as negmod
from rnagraph.data import build_graph, sample_negatives
from rnagraph.data.isolated import IsolatedNodesWarning
from rnagraph.data.negatives import pair_codes

CM = ("circrna", "binds", "mirna")


def graph(n_circ=40, n_mir=25, n_edges=150, seed=0):
    rng = np.random.default_rng(seed)
    pairs = {(f"c{rng.integers(n_circ)}", f"m{rng.integers(n_mir)}") for _ in range(n_edges)}
    return build_graph({}, {CM: sorted(pairs)},
                       node_ids={"circrna": [f"c{i}" for i in range(n_circ)],
                                 "mirna": [f"m{i}" for i in range(n_mir)]})


def codes(ei, g):
    return set(pair_codes(ei, g["mirna"].num_nodes).tolist())


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("ratio", [1, 2, 5])
def test_ratio_counts_no_positive_distinct(ratio, exact, monkeypatch):
    if not exact:
        monkeypatch.setattr(negmod, "EXACT_MAX", 0)  # force rejection sampling
    g = graph()
    e = g[CM].edge_index.size(1)
    neg = sample_negatives(g, CM, ratio=ratio, seed=1)
    assert neg.shape == (2, ratio * e)
    assert neg.dtype == torch.long
    c = pair_codes(neg, 25)
    assert len(set(c.tolist())) == c.size  # without replacement
    assert not codes(neg, g) & codes(g[CM].edge_index, g)
    assert neg[0].max() < 40 and neg[1].max() < 25 and neg.min() >= 0


def test_ratio_ten_on_sparse_graph():
    g = graph(n_circ=200, n_mir=100, n_edges=300)
    e = g[CM].edge_index.size(1)
    neg = sample_negatives(g, CM, ratio=10, seed=0)
    assert neg.size(1) == 10 * e
    assert not codes(neg, g) & codes(g[CM].edge_index, g)


def test_exclude_and_box():
    g = graph()
    first = sample_negatives(g, CM, 100, seed=0)
    second = sample_negatives(g, CM, 100, exclude=first, seed=0)
    assert not codes(first, g) & codes(second, g)
    box = sample_negatives(g, CM, 30, src_nodes=torch.tensor([0, 1, 2]), seed=0)
    assert set(box[0].tolist()) <= {0, 1, 2}


def test_seeded():
    g = graph()
    a = sample_negatives(g, CM, 50, seed=3)
    assert torch.equal(a, sample_negatives(g, CM, 50, seed=3))
    assert not torch.equal(a, sample_negatives(g, CM, 50, seed=4))


def test_uniform_over_free_pairs():
    # 2 x 3 box, 2 positives -> 4 free pairs; drawing 1 many times hits each ~equally. miRNA
    # "z" (index 2) has no pair: isolated, drawn only with isolated_negatives=True
    g = build_graph({}, {CM: [("a", "x"), ("b", "y")]}, node_ids={"mirna": ["z"]})
    for iso, free in ((True, {0 * 3 + 1, 0 * 3 + 2, 1 * 3 + 0, 1 * 3 + 2}),
                      (False, {0 * 3 + 1, 1 * 3 + 0})):
        hits = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore" if not iso else "error")  # no note when asked
            for s in range(400):
                ei = sample_negatives(g, CM, 1, seed=s, isolated_negatives=iso)
                c = int(pair_codes(ei, 3)[0])
                hits[c] = hits.get(c, 0) + 1
        assert set(hits) == free
        assert min(hits.values()) > 400 / len(free) * 0.6
    with pytest.warns(IsolatedNodesWarning, match="1 mirna node"):
        sample_negatives(g, CM, 1, seed=0)


def test_too_many_raises():
    g = build_graph({}, {CM: [("a", "x"), ("b", "y")]})
    assert sample_negatives(g, CM, 2, seed=0).size(1) == 2
    with pytest.raises(ValueError, match="only 2 unobserved"):
        sample_negatives(g, CM, 3)


# ----------------------------------------------------------------- degree-matched and hard


def test_degree_matched_follows_training_degree():
    from scipy.stats import chisquare
    # 400 sources x 50 destinations; destination j has training degree j + 1 (j = 0..49)
    rng = np.random.default_rng(0)
    n_s, n_d = 400, 50
    train = np.unique(np.concatenate([rng.choice(n_s, j + 1, replace=False) * n_d + j
                                      for j in range(n_d)]))
    deg = (np.bincount(train // n_d, minlength=n_s), np.bincount(train % n_d, minlength=n_d))
    pos = rng.choice(np.setdiff1d(np.arange(n_s * n_d), train), 3000, replace=False)
    forbidden = np.concatenate([train, pos])
    neg = negmod.degree_matched_codes(pos, np.arange(n_s), np.arange(n_d), n_d, 3000,
                                      forbidden, deg, np.random.default_rng(1))
    assert neg.size == 3000 and np.unique(neg).size == 3000
    assert not np.isin(neg, forbidden).any()  # never a positive, never a training pair
    # every negative keeps the source or the destination of a positive
    ps, pd = set((pos // n_d).tolist()), set((pos % n_d).tolist())
    assert all(c // n_d in ps or c % n_d in pd for c in neg.tolist())
    # destinations per degree bin of 10 follow the expected mixture (chi-square), where
    # uniform draws are far off
    d_counts = np.bincount(neg % n_d, minlength=n_d).reshape(5, 10).sum(1)
    share = deg[1].reshape(5, 10).sum(1) / deg[1].sum()
    # destinations of source-replaced draws come from the positives (uniform here), so
    # compare against the mixture: half degree-proportional, half the positives' destinations
    pos_share = np.bincount(pos % n_d, minlength=n_d).reshape(5, 10).sum(1) / pos.size
    expected = neg.size * (0.5 * share + 0.5 * pos_share)
    assert chisquare(d_counts, expected).pvalue > 0.01
    uniform = negmod.sample_codes(np.arange(n_s), np.arange(n_d), n_d, 3000, forbidden,
                                  np.random.default_rng(1))
    u_counts = np.bincount(uniform % n_d, minlength=n_d).reshape(5, 10).sum(1)
    assert chisquare(u_counts, expected).pvalue < 1e-6


def test_degree_matched_never_draws_untrained_nodes():
    n_s, n_d = 30, 20
    train = np.array([s * n_d + d for s in range(10) for d in range(5)])  # src 0-9, dst 0-4
    deg = (np.bincount(train // n_d, minlength=n_s), np.bincount(train % n_d, minlength=n_d))
    pos = np.array([s * n_d + d for s in range(10, 30) for d in range(5, 20)])
    neg = negmod.degree_matched_codes(pos, np.arange(n_s), np.arange(n_d), n_d, 100,
                                      np.concatenate([train, pos]), deg,
                                      np.random.default_rng(0))
    s, d = neg // n_d, neg % n_d
    # the replaced end is a trained node (src < 10 or dst < 5), the kept end from a positive
    assert ((s < 10) ^ (d < 5)).all()


def test_hard_negative_is_the_top_l3_corruption():
    # training graph c0-m0, c1-m0, c1-m1, c2-m1, c2-m2 (+ unseen m3); the positive (c0, m2):
    # keep c0 -> L3(c0, m1) = 1/sqrt(2*2) beats m2 (positive) and m3 (0), m0 is a training pair;
    # keep m2 -> L3(c1, m2) = 1/sqrt(2*2) via c1-m1-c2-m2 beats c0 (positive), c2 is training
    from rnagraph.data.paths import bipartite_adjacency, path3_factors, path3_rows
    g = build_graph({}, {CM: [("c0", "m0"), ("c1", "m0"), ("c1", "m1"), ("c2", "m1"),
                              ("c2", "m2")]}, node_ids={"mirna": ["m0", "m1", "m2", "m3"]})
    n_d = 4
    train = pair_codes(g[CM].edge_index, n_d)
    x, y = path3_factors(bipartite_adjacency(g, CM), "l3")
    deg = (np.bincount(train // n_d, minlength=3), np.bincount(train % n_d, minlength=n_d))
    pos = np.array([0 * n_d + 2])
    seen = set()
    for seed in range(8):
        neg = negmod.hard_codes(pos, np.arange(3), np.arange(n_d), n_d, 1,
                                np.concatenate([train, pos]),
                                lambda r, b: path3_rows(x, y, r, b),
                                np.random.default_rng(seed), deg)
        seen.add(int(neg[0]))
    assert seen == {0 * n_d + 1, 1 * n_d + 2}  # (c0, m1) and (c1, m2), each side once


def _mean_l3(fold, pairs):
    from rnagraph.data.paths import bipartite_adjacency, path3_factors, path3_pairs
    x, y = path3_factors(bipartite_adjacency(fold.train_graph, CM), "l3")
    return path3_pairs(x, y, pairs[0].numpy(), pairs[1].numpy()).mean()


def test_split_negatives_degree_and_hard():
    from rnagraph.data import check_no_leakage, kfold_link_split
    # popular nodes: pair probability grows with both endpoints' weights
    rng = np.random.default_rng(0)
    wc, wm = rng.pareto(1.5, 120) + 0.1, rng.pareto(1.5, 60) + 0.1
    p = np.minimum(1, 0.02 * np.outer(wc, wm))
    g = build_graph({}, {CM: [(f"c{i}", f"m{j}") for i in range(120) for j in range(60)
                              if rng.random() < p[i, j]]})
    n_d = int(g["mirna"].num_nodes)
    full = set(pair_codes(g[CM].edge_index, n_d).tolist())
    out: dict = {}
    for kind in ("uniform", "degree", "hard"):
        folds = kfold_link_split(g, CM, k=3, seed=0, negatives=kind)
        tested = []
        for f in folds:
            check_no_leakage(f)
            for ls in (f.val, f.test):
                assert not codes(ls.neg_index, g) & full  # never a positive anywhere
                assert ls.neg_index.size(1) == ls.pos_index.size(1)
            tested.append(codes(f.test.neg_index, g))
        assert sum(map(len, tested)) == len(set().union(*tested))  # disjoint across folds
        f = folds[0]
        ei = f.train_graph[CM].edge_index
        dm = torch.bincount(ei[1], minlength=n_d).double()
        out[kind] = (dm[f.test.neg_index[1]].mean() / dm[f.test.pos_index[1]].mean(),
                     _mean_l3(f, f.test.neg_index))
        assert ("negatives" in f.meta) == (kind != "uniform")
        # only validation / test negatives change: the same fits are measured
        for f, u in zip(folds, out.get("folds", folds)):
            assert torch.equal(f.train.edge_label_index, u.train.edge_label_index)
            assert torch.equal(f.test.pos_index, u.test.pos_index)
            assert torch.equal(f.val.pos_index, u.val.pos_index)
            assert torch.equal(f.train_graph[CM].edge_index, u.train_graph[CM].edge_index)
        out.setdefault("folds", folds)
    assert out["uniform"][0] < 0.6  # uniform negatives pair rare miRNAs ...
    assert 0.75 < out["degree"][0] < 1.3  # ... degree-matched ones popular ones
    assert out["hard"][1] > 1.5 * out["degree"][1] > 0  # hard negatives have more L3 paths
    # same seed, same folds
    a = kfold_link_split(g, CM, k=3, seed=4, negatives="hard")[1].test.edge_label_index
    b = kfold_link_split(g, CM, k=3, seed=4, negatives="hard")[1].test.edge_label_index
    assert torch.equal(a, b)
