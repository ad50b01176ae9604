"""Fold's inductive fields by hand: graph_for, new_nodes, to_split_index / to_fold_index."""
import pytest
import torch

from rnagraph.data import Fold, LinkSet, build_graph

CM = ("circrna", "binds", "mirna")


def _graph(mirnas):
    return build_graph({"mirna": {m: "ACGUACGUACGUACGUACGUAC" for m in mirnas}},
                       {CM: [("c0", mirnas[0]), ("c1", mirnas[0])]})


def _fold():
    """4 miRNAs of the split graph m0..m3: m2 kept, m0 validation, m3 and m1 test, so the
    fold's order is [m2, m0, m1, m3] (groups keep their original order) -> node_order
    [2, 0, 1, 3]."""
    train = _graph(["m2"])
    val = _graph(["m2", "m0"])
    score = _graph(["m2", "m0", "m1", "m3"])
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    test = LinkSet(torch.tensor([[0, 1], [2, 3]]), torch.tensor([1.0, 0.0]))
    return Fold(index=0, edge_type=CM, train_graph=train, train=empty, val=empty, test=test,
                mode="cold-dst", score_graph=score, val_graph=val,
                node_order={"mirna": torch.tensor([2, 0, 1, 3])})


def test_graphs_and_new_nodes():
    f = _fold()
    assert f.inductive and "inductive" in repr(f)
    assert f.graph_for("train") is f.train_graph
    assert f.graph_for("val") is f.val_graph and f.graph_for("test") is f.score_graph
    assert f.new_nodes("val", "mirna").tolist() == [1]
    assert f.new_nodes("test", "mirna").tolist() == [2, 3]
    assert f.new_nodes("test", "circrna").numel() == 0
    with pytest.raises(ValueError, match="part must be"):
        f.graph_for("all")
    with pytest.raises(ValueError, match="part must be"):
        f.new_nodes("train", "mirna")


def test_index_maps_by_hand():
    f = _fold()
    # fold miRNA 2 is m1 (split index 1), fold miRNA 3 is m3; circRNAs keep their index
    assert f.to_split_index(f.test.edge_label_index).tolist() == [[0, 1], [1, 3]]
    assert f.to_fold_index(torch.tensor([[1, 0], [2, 0]])).tolist() == [[1, 0], [0, 1]]
    pairs = torch.tensor([[0, 1, 1], [0, 1, 3]])
    assert torch.equal(f.to_fold_index(f.to_split_index(pairs)), pairs)


def test_transductive_fold_has_no_new_nodes():
    f = _fold()
    t = Fold(index=0, edge_type=CM, train_graph=f.score_graph, train=f.train, val=f.val,
             test=f.test, mode="cold-dst")
    assert not t.inductive and t.graph_for("test") is t.train_graph is t.graph_for("val")
    assert t.new_nodes("test", "mirna").numel() == 0
    assert torch.equal(t.to_split_index(t.test.edge_label_index), t.test.edge_label_index)
