import pytest
import torch

from rnagraph.evaluate.ranking import ranking_metrics

# scores of 2 sources x 4 destinations
SC = torch.tensor([[0.9, 0.8, 0.8, 0.1],
                   [0.2, 0.5, 0.7, 0.7]])


def scorer(p):
    return SC[p[0], p[1]]


def test_hand_example_pessimistic_ties_and_exclusion():
    test_pos = torch.tensor([[0, 0, 1], [2, 3, 3]])
    exclude = torch.tensor([[0], [0]])  # (0, 0) is a training positive: not a candidate
    m = ranking_metrics(scorer, test_pos, 2, 4, exclude=exclude, ks=(1, 2), chunk_size=1)
    # src 0: candidates d1 .8, d2 .8 (rel), d3 .1 (rel) -> relevant at ranks 2, 3 (tie: d1 first)
    # src 1: d2 .7, d3 .7 (rel), d1 .5, d0 .2 -> relevant at rank 2
    assert m["hits@1"] == 0.0 and m["precision@1"] == 0.0
    assert m["hits@2"] == 1.0
    assert m["precision@2"] == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert m["recall@2"] == pytest.approx((1 / 2 + 1) / 2)
    assert m["mrr"] == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert m["num_queries"] == 2


def test_by_dst_and_perfect_scorer():
    test_pos = torch.tensor([[0, 1], [0, 2]])
    m = ranking_metrics(scorer, test_pos, 2, 4, ks=(1,), by="dst")
    # dst 0: src0 .9 (rel) vs src1 .2 -> rank 1; dst 2: src1 .7 (rel) vs src0 .8 -> rank 2
    assert m["hits@1"] == pytest.approx(0.5)
    assert m["mrr"] == pytest.approx((1 + 1 / 2) / 2)
    m = ranking_metrics(lambda p: torch.zeros(p.size(1)), test_pos, 2, 4, ks=(1,))
    assert m["hits@1"] == 0.0  # a constant scorer gets no credit from ties


# ----------------------------------------------------------------- per positive and global


def test_per_positive_ranks_hand_example():
    from rnagraph.evaluate.ranking import ranking_metrics as rm
    test_pos = torch.tensor([[0, 0, 1], [2, 3, 3]])
    exclude = torch.tensor([[0], [0]])
    # each positive against its source's negatives (not excluded, not a test positive):
    # (0,2) .8 vs d1 .8           -> greater 0, tie 1: pessimistic 2, mean 1.5
    # (0,3) .1 vs d1 .8           -> greater 1, tie 0: 2 either way
    # (1,3) .7 vs d0 .2 d1 .5 d2 .7 -> greater 0, tie 1: pessimistic 2, mean 1.5
    p = rm(scorer, test_pos, 2, 4, exclude=exclude, ks=(1, 2), per="positive", chunk_size=1)
    assert p == {"hits@1": 0.0, "hits@2": 1.0, "mrr": pytest.approx(0.5), "num_positives": 3}
    m = rm(scorer, test_pos, 2, 4, exclude=exclude, ks=(1, 2), per="positive", ties="mean")
    assert m["mrr"] == pytest.approx((1 / 1.5 + 1 / 2 + 1 / 1.5) / 3)
    assert m["hits@1"] == 0.0 and m["hits@2"] == 1.0
    # by destination: (0,2) .8 vs src1 .7 -> rank 1; (0,3) .1 vs nothing else (src 1 is a
    # test positive) -> rank 1; (1,3) .7 vs nothing -> rank 1
    d = rm(scorer, test_pos, 2, 4, exclude=exclude, ks=(1,), by="dst", per="positive")
    assert d["mrr"] == 1.0 and d["hits@1"] == 1.0
    with pytest.raises(ValueError, match="ties"):
        rm(scorer, test_pos, 2, 4, per="query", ties="mean")
    with pytest.raises(ValueError, match="per"):
        rm(scorer, test_pos, 2, 4, per="pair")


def test_per_positive_matches_brute_force():
    import numpy as np

    from rnagraph.evaluate.ranking import ranking_metrics as rm
    rng = np.random.default_rng(0)
    sc = torch.from_numpy(rng.integers(0, 6, size=(9, 11)).astype(float))  # many ties
    pairs = torch.cartesian_prod(torch.arange(9), torch.arange(11)).t()
    perm = torch.from_numpy(rng.permutation(99))
    test_pos, exclude = pairs[:, perm[:12]], pairs[:, perm[12:30]]
    tp = {tuple(x) for x in test_pos.t().tolist()}
    ex = {tuple(x) for x in exclude.t().tolist()}
    for ties in ("pessimistic", "mean"):
        ranks = []
        for a, b in tp:
            negs = [sc[a, j] for j in range(11) if (a, j) not in tp and (a, j) not in ex]
            g = sum(float(x) > float(sc[a, b]) for x in negs)
            t = sum(float(x) == float(sc[a, b]) for x in negs)
            ranks.append(1 + g + (t if ties == "pessimistic" else t / 2))
        ranks = np.array(ranks)
        out = rm(lambda p: sc[p[0], p[1]], test_pos, 9, 11, exclude=exclude, ks=(1, 3),
                 per="positive", ties=ties, chunk_size=4)
        assert out["mrr"] == pytest.approx(np.mean(1 / ranks))
        assert out["hits@3"] == pytest.approx(np.mean(ranks <= 3))


def test_global_metrics_hand_example():
    from rnagraph.evaluate.ranking import global_ranking_metrics
    test_pos = torch.tensor([[0, 0, 1], [2, 3, 3]])
    exclude = torch.tensor([[0], [0]])
    g = global_ranking_metrics(scorer, test_pos, 2, 4, exclude=exclude, ks=(2, 4),
                               block_size=4)
    # candidates by score, a negative before a positive on ties:
    # .8 N (0,1), .8 P (0,2), .7 N (1,2), .7 P (1,3), .5 N, .2 N, .1 P (0,3)
    assert g["precision@2"] == pytest.approx(1 / 2) and g["precision@4"] == pytest.approx(2 / 4)
    # AP over thresholds .8 (P 1/2, R 1/3), .7 (2/4, 2/3), .1 (3/7, 1)
    assert g["aupr"] == pytest.approx((1 / 2 + 2 / 4 + 3 / 7) / 3)
    # AUC: positives .8 (3 below + 1 tie), .7 (2 below + 1 tie), .1 (0) over 4 negatives
    assert g["auc"] == pytest.approx((3.5 + 2.5 + 0) / 12)
    assert g["num_positives"] == 3 and g["num_candidates"] == 7


@pytest.mark.parametrize("block_size", [1, 7, 1 << 20])
def test_global_metrics_match_sklearn(block_size):
    import numpy as np
    from sklearn.metrics import average_precision_score, roc_auc_score

    from rnagraph.evaluate.ranking import global_ranking_metrics
    rng = np.random.default_rng(3)
    sc = torch.from_numpy(rng.integers(0, 8, size=(13, 10)).astype(float))
    pairs = torch.cartesian_prod(torch.arange(13), torch.arange(10)).t()
    perm = torch.from_numpy(rng.permutation(130))
    test_pos, exclude = pairs[:, perm[:15]], pairs[:, perm[15:40]]
    g = global_ranking_metrics(lambda p: sc[p[0], p[1]], test_pos, 13, 10, exclude=exclude,
                               ks=(5, 20, 500), block_size=block_size)
    keep = torch.cat([perm[:15], perm[40:]])  # every candidate: all pairs but the excluded
    y = np.r_[np.ones(15), np.zeros(90)]
    s = sc[pairs[0, keep], pairs[1, keep]].numpy()
    assert g["aupr"] == pytest.approx(average_precision_score(y, s))
    assert g["auc"] == pytest.approx(roc_auc_score(y, s))
    # precision@K: sort by score, negatives first on ties
    order = np.lexsort((y, -s))
    for k in (5, 20):
        assert g[f"precision@{k}"] == pytest.approx(y[order][:k].sum() / k)
    assert g["precision@500"] == pytest.approx(15 / 500)  # K beyond the candidates


def test_fold_link_ranking_uses_raw_scores_and_filters():
    from rnagraph.data import Fold, LinkSet, build_graph
    from rnagraph.evaluate.ranking import fold_link_ranking

    class Fixed:
        """Scores from a table; score() would saturate every pair to 1."""

        def decision_function(self, graph, p):
            return SC.double()[p[0], p[1]]

        def score(self, graph, p):
            return torch.ones(p.size(1), dtype=torch.float64)

    CM = ("circrna", "binds", "mirna")
    g = build_graph({}, {CM: [("a", "w"), ("b", "z")]},
                    node_ids={"mirna": ["w", "x", "y", "z"]})
    train = LinkSet.from_pos_neg(torch.tensor([[0], [0]]), torch.tensor([[1], [1]]))
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    test = LinkSet.from_pos_neg(torch.tensor([[0, 0, 1], [2, 3, 3]]), torch.tensor([[1], [0]]))
    f = Fold(0, CM, g, train, empty, test)
    r = fold_link_ranking(Fixed(), f, ks=(1, 2), ties="pessimistic")
    assert r["mrr_src"] == pytest.approx(0.5) and r["hits@2_src"] == 1.0
    assert r["global_aupr"] == pytest.approx((1 / 2 + 2 / 4 + 3 / 7) / 3)
    assert set(r) == {"hits@1_src", "hits@2_src", "mrr_src", "hits@1_dst", "hits@2_dst",
                      "mrr_dst", "global_precision@1", "global_precision@2", "global_aupr",
                      "global_auc"}


def test_fold_ranking_excludes_training_and_validation_positives():
    """Known pairs of the fold (training and validation positives) are not candidates: a
    scorer that puts them above the test positives still ranks every test positive first."""
    import numpy as np

    from rnagraph.data import build_graph, kfold_link_split
    from rnagraph.evaluate.ranking import fold_link_ranking, fold_ranking_metrics

    CM = ("circrna", "binds", "mirna")
    rng = np.random.default_rng(0)
    pairs = sorted({(f"c{rng.integers(20)}", f"m{rng.integers(25)}") for _ in range(100)})
    fold = kfold_link_split(build_graph({}, {CM: pairs}), CM, k=4, val_ratio=0.3, seed=0)[0]
    n_s, n_d = (int(fold.train_graph[t].num_nodes) for t in ("circrna", "mirna"))
    table = torch.zeros(n_s, n_d, dtype=torch.float64)
    table[fold.val.pos_index[0], fold.val.pos_index[1]] = 2.0
    table[fold.test.pos_index[0], fold.test.pos_index[1]] = 1.0
    t_src, v_src = set(fold.test.pos_index[0].tolist()), set(fold.val.pos_index[0].tolist())
    t_dst, v_dst = set(fold.test.pos_index[1].tolist()), set(fold.val.pos_index[1].tolist())
    assert t_src & v_src and t_dst & v_dst  # with validation pairs as candidates, ranks drop

    class Table:
        def decision_function(self, graph, p):
            return table[p[0], p[1]]

    for known in ("val", "train"):
        if known == "train":  # training positives above the test positives too
            table[fold.train.pos_index[0], fold.train.pos_index[1]] = 3.0
        r = fold_ranking_metrics(Table(), fold, ks=(1,))
        assert r["mrr"] == 1.0 and r["hits@1"] == 1.0
        r = fold_link_ranking(Table(), fold, ks=(1,), global_ks=(len(t_src),))
        assert r["mrr_src"] == r["mrr_dst"] == 1.0
        assert r["global_aupr"] == 1.0 and r["global_auc"] == 1.0
