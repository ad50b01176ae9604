import numpy as np
import pytest

from rnagraph.data import build_graph, check_no_leakage, holdout_split, kfold_link_split
from rnagraph.data.negatives import pair_codes
from rnagraph.data.twins import twin_answered, twin_groups, twin_summary

CM = ("circrna", "binds", "mirna")


def hand_graph():
    # circRNA a: {x, y}, b: {x, y}, c: {x}, d: {x}, e: {y, z}
    pairs = [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x"), ("d", "x"),
             ("e", "y"), ("e", "z")]
    seqs = {"circrna": {"a": "ACGU", "b": None, "c": "acgu", "d": "GG", "e": None}}
    return build_graph(seqs, {CM: pairs})


def same(labels, ids, names):
    idx = [ids.index(n) for n in names]
    return len({int(labels[i]) for i in idx}) == 1


def test_twin_groups_by_neighbours_sequence_both():
    g = hand_graph()
    ids = list(g["circrna"].ids)
    lab = twin_groups(g, CM, "src")
    assert same(lab, ids, "ab")
    assert not same(lab, ids, "cd")  # a single shared partner is not a twin (min_degree=2)
    assert len(set(lab.tolist())) == 4  # {a, b}, c, d, e
    lab1 = twin_groups(g, CM, "src", min_degree=1)
    assert same(lab1, ids, "ab") and same(lab1, ids, "cd") and not same(lab1, ids, "ac")
    seq = twin_groups(g, CM, "src", by="sequence")  # ACGU == acgu after normalisation
    assert same(seq, ids, "ac") and not same(seq, ids, "be")  # no sequence: alone
    both = twin_groups(g, CM, "src", by="both")  # a~b by partners, a~c by sequence
    assert same(both, ids, "abc") and not same(both, ids, "ad") and not same(both, ids, "de")
    dst = twin_groups(g, CM, "dst")  # x {a,b,c,d}, y {a,b,e}, z {e}: all different
    assert len(set(dst.tolist())) == 3
    assert twin_summary(lab) == {"twin_nodes": 2, "twin_groups": 1, "largest_group": 2}
    assert twin_summary(both) == {"twin_nodes": 3, "twin_groups": 1, "largest_group": 3}
    with pytest.raises(ValueError, match="by"):
        twin_groups(g, CM, by="name")
    with pytest.raises(ValueError, match="side"):
        twin_groups(g, CM, side="mirna")


def test_twin_answered_hand_example():
    g = hand_graph()
    ids, mids = list(g["circrna"].ids), list(g["mirna"].ids)
    n_d = len(mids)

    def code(c, m):
        return ids.index(c) * n_d + mids.index(m)
    src = twin_groups(g, CM, "src")
    dst = twin_groups(g, CM, "dst")
    train = np.array([code("a", "x"), code("a", "y"), code("b", "y"), code("c", "x")])
    # (b, x): twin a has the training pair (a, x) -> answered; (e, z): e has no twin -> not;
    # (d, x): d is no twin of c (one partner) -> not
    test = np.array([code("b", "x"), code("e", "z"), code("d", "x")])
    r = twin_answered(src, dst, train, test, n_d)
    assert r["share_src"] == pytest.approx(1 / 3)
    assert r["share_dst"] == 0.0 and r["share"] == pytest.approx(1 / 3) and r["n_test"] == 3


def planted_twins(seed=0):
    """20 groups of 3 circRNA twins (each group shares 3 random miRNAs) + 30 loners."""
    rng = np.random.default_rng(seed)
    pairs = []
    for grp in range(20):
        ms = rng.choice(25, size=3, replace=False)
        pairs += [(f"t{grp}_{i}", f"m{m}") for i in range(3) for m in ms]
    for i in range(30):
        pairs += [(f"l{i}", f"m{m}") for m in rng.choice(25, size=4, replace=False)]
    return build_graph({}, {CM: pairs})


@pytest.mark.parametrize("mode", ["cold-src", "cold-both"])
def test_group_twins_keeps_groups_in_one_fold(mode):
    g = planted_twins()
    labels = twin_groups(g, CM, "src")
    plain = kfold_link_split(g, CM, k=4, mode=mode, seed=0)
    folds = kfold_link_split(g, CM, k=4, mode=mode, seed=0, group_twins=True)
    for f in folds:
        check_no_leakage(f)
        assert f.meta["group_twins"] == "neighbours"
        test_src = np.unique(f.test.pos_index[0].numpy())
        train_src = np.unique(f.train_graph[CM].edge_index[0].numpy())
        # no twin group is split between the test and the training graph
        assert not set(labels[test_src].tolist()) & set(labels[train_src].tolist())
        assert f.meta["twins"]["share_src"] == 0.0
    # without grouping, twins answer some cold-src test positives (in cold-both the twin's
    # pair with a held-out miRNA is never a training pair, so the share is 0 anyway)
    shares = [f.meta["twins"]["share_src"] for f in plain]
    assert max(shares) > 0.2 if mode == "cold-src" else max(shares) == 0.0


def test_twin_meta_in_warm_folds_and_errors():
    g = planted_twins()
    folds = kfold_link_split(g, CM, k=3, seed=0)
    n_d = int(g["mirna"].num_nodes)
    src, dst = twin_groups(g, CM, "src"), twin_groups(g, CM, "dst")
    for f in folds:
        tw = f.meta["twins"]
        ref = twin_answered(src, dst, pair_codes(f.train_graph[CM].edge_index, n_d),
                            pair_codes(f.test.pos_index, n_d), n_d)
        assert tw == ref and tw["n_test"] == f.test.pos_index.size(1)
        assert 0 < tw["share_src"] < 1  # twins of 3 sharing 3 miRNAs answer many test pairs
    with pytest.raises(ValueError, match="cold"):
        kfold_link_split(g, CM, k=3, group_twins=True)
    with pytest.raises(ValueError, match="group_twins"):
        kfold_link_split(g, CM, k=3, mode="cold-src", group_twins="names")
    f = holdout_split(g, CM, mode="cold-src", group_twins=True, test_ratio=0.3, seed=1)
    check_no_leakage(f)
    assert f.meta["twins"]["share_src"] == 0.0


def _split_groups(labels, f):
    """Twin labels (groups of 2 or more) with circRNAs both in validation and in training."""
    sizes = np.bincount(labels)
    val = np.unique(f.val.edge_label_index[0].numpy())
    train = np.unique(np.concatenate([f.train.edge_label_index[0].numpy(),
                                      f.train_graph[CM].edge_index[0].numpy()]))
    assert val.size and train.size
    return {int(x) for x in labels[val] if sizes[x] > 1} & {int(x) for x in labels[train]}


@pytest.mark.parametrize("mode", ["cold-src", "cold-both"])
def test_group_twins_keeps_groups_whole_between_validation_and_training(mode):
    """Early stopping must not see a twin of a training node as a cold node either: the
    validation hold-out takes whole twin groups (without grouping, some group is split)."""
    g = planted_twins()
    labels = twin_groups(g, CM, "src")
    split_plain = 0
    for seed in range(3):
        for f in kfold_link_split(g, CM, k=4, mode=mode, seed=seed, val_ratio=0.3,
                                  group_twins=True):
            check_no_leakage(f)
            assert not _split_groups(labels, f)
        split_plain += sum(len(_split_groups(labels, f)) for f in
                           kfold_link_split(g, CM, k=4, mode=mode, seed=seed, val_ratio=0.3))
        f = holdout_split(g, CM, mode=mode, seed=seed, val_ratio=0.3, test_ratio=0.3,
                          group_twins=True)
        assert not _split_groups(labels, f)
    assert split_plain > 0  # the check could fail
