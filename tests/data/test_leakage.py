import copy

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

CM = ("circrna", "binds", "mirna")
REV = ("mirna", "rev_binds", "circrna")


def folds(mode="warm", protocol="leakage-free"):
    pairs = sorted({(f"c{(7 * i) % 30}", f"m{(3 * i + i // 5) % 20}") for i in range(150)})
    g = build_graph({}, {CM: pairs}, add_reverse=True)
    return kfold_link_split(g, CM, k=5, mode=mode, seed=0, protocol=protocol)


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
