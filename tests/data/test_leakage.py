import copy
import warnings

import pytest
import torch

from rnagraph.data import (
    Fold,
    LeakageError,
    LinkSet,
    PaperProtocolWarning,
    build_graph,
    check_no_leakage,
    kfold_link_split,
)

CM = ("circrna", "binds", "mirna")
REV = ("mirna", "rev_binds", "circrna")


def graph():
    pairs = sorted({(f"c{(7 * i) % 30}", f"m{(3 * i + i // 5) % 20}") for i in range(150)})
    return build_graph({}, {CM: pairs}, add_reverse=True)


def folds(mode="warm", protocol="leakage-free"):
    return kfold_link_split(graph(), CM, k=5, mode=mode, seed=0, protocol=protocol)


def with_edges(f, edge_type, pairs):
    """A copy of fold ``f`` whose train_graph also stores ``pairs`` ([2, n], oriented as
    ``edge_type``) under ``edge_type`` (created when absent); ``f`` itself is untouched."""
    f = copy.copy(f)
    g = copy.copy(f.train_graph)
    old = g[edge_type].edge_index if edge_type in g.edge_types else torch.empty(2, 0).long()
    g[edge_type].edge_index = torch.cat([old, pairs.long()], 1)
    f.train_graph = g
    return f


def test_clean_fold_passes():
    check_no_leakage(folds()[0])


def test_test_positive_in_train_graph_raises():
    f = copy.copy(folds()[0])
    g = copy.copy(f.train_graph)
    g[CM].edge_index = torch.cat([g[CM].edge_index, f.test.pos_index[:, :1]], 1)
    f.train_graph = g
    with pytest.raises(LeakageError, match="edges of train_graph"):
        check_no_leakage(f)


def test_test_positive_in_reverse_edges_raises():
    f = copy.copy(folds()[0])
    g = copy.copy(f.train_graph)
    g[REV].edge_index = torch.cat([g[REV].edge_index, f.test.pos_index[:, :1].flip(0)], 1)
    f.train_graph = g
    with pytest.raises(LeakageError, match="train_graph"):
        check_no_leakage(f)


def test_test_pair_in_train_pairs_raises():
    f = copy.copy(folds()[0])
    f.train = LinkSet.from_pos_neg(f.train.pos_index,
                                   torch.cat([f.train.neg_index, f.test.neg_index[:, :1]], 1))
    with pytest.raises(LeakageError, match="test pair"):
        check_no_leakage(f)
    f = copy.copy(folds()[0])
    f.train = LinkSet.from_pos_neg(torch.cat([f.train.pos_index, f.test.pos_index[:, :2]], 1),
                                   f.train.neg_index)
    with pytest.raises(LeakageError):
        check_no_leakage(f)


def test_cold_node_in_training_raises():
    f = copy.copy(folds("cold-src")[0])
    held = f.test.edge_label_index[0, 0]
    extra = torch.tensor([[held], [f.train.neg_index[1, 0]]])
    # a training negative that touches a held-out source node (not a test pair itself)
    extra[1, 0] = next(d for d in range(20)
                       if not ((f.test.edge_label_index[0] == held)
                               & (f.test.edge_label_index[1] == d)).any()
                       and not ((f.train_graph[CM].edge_index[0] == held)).any())
    f.train = LinkSet.from_pos_neg(f.train.pos_index, torch.cat([f.train.neg_index, extra], 1))
    with pytest.raises(LeakageError, match="held-out source"):
        check_no_leakage(f)


def test_paper_fold_warns_not_silent():
    f = folds(protocol="paper")[0]
    with pytest.warns(PaperProtocolWarning, match="paper"):
        check_no_leakage(f)
    assert issubclass(LeakageError, ValueError)


def test_clean_folds_pass_with_full_graph():
    g = graph()
    for mode in ("warm", "cold-src", "cold-dst", "cold-both"):
        for f in kfold_link_split(g, CM, k=3, mode=mode, seed=1):
            check_no_leakage(f, full_graph=g)
    for f in kfold_link_split(g, CM, k=3, seed=1, protocol="paper"):
        with pytest.warns(PaperProtocolWarning):
            check_no_leakage(f, full_graph=g)


def test_full_fold_passes():
    g = graph()
    f = Fold.full(g, CM, seed=3)
    assert f.protocol == "full" and len(f.test) == 0 and len(f.val) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no PaperProtocolWarning either
        check_no_leakage(f, full_graph=g)


@pytest.mark.parametrize("edge_type,flip", [
    (("mirna", "rev_rev_binds", "circrna"), True),    # a second reverse copy, mirna -> circrna
    (("circrna", "sponges", "mirna"), False),          # a second relation name, circrna -> mirna
    (("mirna", "sponged_by", "circrna"), True),        # a second relation name, reversed
])
@pytest.mark.parametrize("which", ["val", "test"])
def test_positive_under_any_edge_type_between_the_node_types_raises(edge_type, flip, which):
    f = folds()[0]
    pos = getattr(f, which).pos_index[:, :1]
    leaky = with_edges(f, edge_type, pos.flip(0) if flip else pos)
    with pytest.raises(LeakageError, match=f"1 {which} positive.*{edge_type[1]}"):
        check_no_leakage(leaky)
    check_no_leakage(f)  # the caller's fold is unchanged and clean


def test_other_edge_types_between_the_node_types_are_fine_when_they_hold_training_pairs():
    f = folds()[0]
    g = f.train_graph
    # the same training positives under a second name, and a mirna-mirna graph holding
    # (mirna index) pairs that coincide numerically with a test positive: neither leaks
    ok = with_edges(f, ("mirna", "rev_rev_binds", "circrna"), g[CM].edge_index.flip(0))
    mm = f.test.pos_index[:, :1].clone()
    mm[0] = mm[0] % 20
    ok = with_edges(ok, ("mirna", "similar", "mirna"), mm)
    check_no_leakage(ok)


def test_same_pair_labelled_one_and_zero_in_one_set_raises():
    for name in ("train", "val", "test"):
        f = copy.copy(folds()[0])
        ls = getattr(f, name)
        setattr(f, name, LinkSet.from_pos_neg(ls.pos_index,
                                              torch.cat([ls.neg_index, ls.pos_index[:, :2]], 1)))
        with pytest.raises(LeakageError, match=f"2 {name} pair.*both 1 and 0"):
            check_no_leakage(f)
    # a duplicate with the same label is not a contradiction
    f = copy.copy(folds()[0])
    f.train = LinkSet.from_pos_neg(torch.cat([f.train.pos_index, f.train.pos_index[:, :1]], 1),
                                   f.train.neg_index)
    check_no_leakage(f)


@pytest.mark.parametrize("name", ["train", "val", "test"])
def test_known_positive_used_as_negative_raises_given_full_graph(name):
    g = graph()
    f = copy.copy(folds()[0])
    ls = getattr(f, name)
    # relabel one positive of the set as a negative: it is still a known positive of g
    flipped = LinkSet(ls.edge_label_index, ls.edge_label.clone())
    flipped.edge_label[int(torch.nonzero(ls.edge_label > 0.5)[0])] = 0
    setattr(f, name, flipped)
    if name == "train":
        check_no_leakage(f)  # without the full graph nothing shows it (it is a train edge)
    with pytest.raises(LeakageError, match=f"1 {name} negative.*known positive"):
        check_no_leakage(f, full_graph=g)


def test_known_positive_as_negative_in_paper_fold_raises():
    g = graph()
    f = copy.copy(folds(protocol="paper")[0])
    t = LinkSet(f.test.edge_label_index, f.test.edge_label.clone())
    t.edge_label[int(torch.nonzero(t.edge_label > 0.5)[0])] = 0
    f.test = t
    with pytest.raises(LeakageError, match="known positive"):
        check_no_leakage(f, full_graph=g)


def test_full_graph_of_another_size_is_refused():
    f = folds()[0]
    other = build_graph({}, {CM: [("c0", "m0"), ("c1", "m1")]})
    with pytest.raises(ValueError, match="the graph the fold was split from"):
        check_no_leakage(f, full_graph=other)


@pytest.mark.parametrize("which", ["val", "test"])
@pytest.mark.parametrize("edge_type,flip", [(CM, False), (REV, True)])
def test_negative_stored_as_training_edge_raises(which, edge_type, flip):
    # only the negative check sees this: the pair is no positive of any set, and no full graph
    # is given; disabling that check makes this test fail
    f = folds()[0]
    neg = getattr(f, which).neg_index[:, :3]
    leaky = with_edges(f, edge_type, neg.flip(0) if flip else neg)
    with pytest.raises(LeakageError, match=f"3 {which} negative.*edges of train_graph"):
        check_no_leakage(leaky)


@pytest.mark.parametrize("name", ["train", "val", "test"])
def test_negative_that_is_a_positive_stored_only_under_the_reverse_type_raises(name):
    # the full graph knows one pair only as a miRNA -> circRNA edge (rev_binds), never as a
    # binds edge: a negative on that pair is a known positive all the same
    f = folds()[0]
    neg = getattr(f, name).neg_index[:, :1]
    full = copy.copy(graph())
    assert not (full[CM].edge_index == neg).all(0).any()  # not a binds edge
    check_no_leakage(f, full_graph=full)  # clean before
    full[REV].edge_index = torch.cat([full[REV].edge_index, neg.flip(0)], 1)
    with pytest.raises(LeakageError, match=f"1 {name} negative.*known positive"):
        check_no_leakage(f, full_graph=full)


@pytest.mark.parametrize("mode,side", [("cold-src", 0), ("cold-dst", 1), ("cold-both", 0),
                                       ("cold-both", 1)])
@pytest.mark.parametrize("edge_type,flip", [(CM, False), (REV, True)])
def test_held_out_node_keeping_a_train_graph_edge_raises(mode, side, edge_type, flip):
    # a held-out node keeps one train_graph edge to a partner it has no val / test pair with:
    # no set's positive or negative is that edge, so only the cold-node check can see it
    f = folds(mode)[0]
    check_no_leakage(f)
    held = int(f.test.pos_index[side, 0])
    pairs = torch.cat([f.val.edge_label_index, f.test.edge_label_index], 1)
    n_other = int(f.train_graph[CM[2 - 2 * side]].num_nodes)
    other = next(o for o in range(n_other)
                 if not ((pairs[side] == held) & (pairs[1 - side] == o)).any())
    edge = torch.tensor([[held], [other]] if side == 0 else [[other], [held]])
    leaky = with_edges(f, edge_type, edge.flip(0) if flip else edge)
    label = "source" if side == 0 else "destination"
    with pytest.raises(LeakageError, match=f"1 held-out {label} node"):
        check_no_leakage(leaky)
