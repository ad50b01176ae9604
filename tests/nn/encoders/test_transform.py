import pytest
import torch

from rnagraph.nn.encoders import EncoderTransform, GraRep, HomogeneousGraph
from rnagraph.typing import CIRC_MIRNA

from .test_hetero import make_graph


def test_writes_embedding_without_mutating_input():
    g = make_graph()
    enc = GraRep(dim=2, order=2)
    t = EncoderTransform(enc, CIRC_MIRNA, name="gr")
    out = t.fit_transform(g)
    hg = HomogeneousGraph.from_hetero(g, CIRC_MIRNA)
    ref = hg.split(GraRep(dim=2, order=2).fit_transform(hg.edge_index, hg.num_nodes))
    assert torch.equal(out["mirna"].x_gr, ref["mirna"])
    assert torch.equal(out["circrna"].x_gr, ref["circrna"])
    assert "x_gr" not in g["mirna"] and "x_gr" not in g["circrna"]
    assert "x_gr" not in out["mrna"]  # not touched by the chosen edge type
    assert not hasattr(enc, "embedding_")  # the given encoder stays unfitted
    assert repr(t) == "EncoderTransform(encoder=GraRep(dim=2, order=2, n_iter=5, " \
        "max_nnz_per_row=None, prune_threshold=0.0, block_rows=8192, cold_start='zeros', " \
        "seed=0), edge_types=('circrna', 'binds', 'mirna'), name='gr', fallback=None)"


def test_feature_fallback_for_cold_nodes():
    g = make_graph()  # circrna 2 and mirna 1 have no circ-mirna edge
    g["circrna"].x = torch.tensor([[0.0], [1.0], [5.0], [2.0]])
    g["mirna"].x = torch.tensor([[1.0], [3.0], [2.0]])
    plain = EncoderTransform(GraRep(dim=2, order=1), CIRC_MIRNA).fit_transform(g)
    assert torch.all(plain["circrna"].x_grarep[2] == 0)
    filled = EncoderTransform(GraRep(dim=2, order=1), CIRC_MIRNA, fallback="x").fit_transform(g)
    assert filled["circrna"].x_grarep[2].abs().sum() > 0
    assert torch.equal(filled["circrna"].x_grarep[[0, 1, 3]], plain["circrna"].x_grarep[[0, 1, 3]])
    with pytest.raises(ValueError, match="no attribute"):
        EncoderTransform(GraRep(dim=2, order=1), CIRC_MIRNA, fallback="seqfeat").fit(g)
    bad = EncoderTransform("grarep")                  # accepted at construction (scikit-learn)
    with pytest.raises(ValueError, match="EncoderTransform: encoder='grarep' must be a Graph"):
        bad.fit(g)


def _split_synthetic():
    import torch_geometric.transforms as T

    from rnagraph.datasets import synthetic
    from rnagraph.typing import reverse_edge_type
    data = synthetic(num_mirna=20, num_mrna=30, num_circrna=40, seed=3)
    split = T.Compose([T.ToUndirected(), T.RandomLinkSplit(
        num_val=0.1, num_test=0.2, edge_types=[CIRC_MIRNA],
        rev_edge_types=[reverse_edge_type(CIRC_MIRNA)], add_negative_train_samples=False)])
    torch.manual_seed(0)
    return split(data)


def test_fit_once_gives_bit_identical_rows_on_train_val_test():
    train, val, test = _split_synthetic()
    # the test graph's message edges include the validation edges: a refit would differ
    assert test[CIRC_MIRNA].edge_index.size(1) > train[CIRC_MIRNA].edge_index.size(1)
    t = EncoderTransform(GraRep(dim=2, order=2), CIRC_MIRNA, name="gr").fit(train)
    out = [t(g) for g in (train, val, test)]
    hg = HomogeneousGraph.from_hetero(train, CIRC_MIRNA)
    ref = hg.split(GraRep(dim=2, order=2).fit_transform(hg.edge_index, hg.num_nodes))
    for nt in ("mirna", "circrna"):
        assert torch.equal(out[0][nt].x_gr, ref[nt])
        assert torch.equal(out[1][nt].x_gr, ref[nt]) and torch.equal(out[2][nt].x_gr, ref[nt])
    # the check can fail: an encoder fitted on the test graph has other rows
    refit = EncoderTransform(GraRep(dim=2, order=2), CIRC_MIRNA, name="gr").fit(test)(test)
    assert not torch.allclose(refit["circrna"].x_gr, ref["circrna"])


def test_subgraph_rows_follow_n_id_and_unseen_nodes_get_cold_start_rows():
    g = make_graph()
    t = EncoderTransform(GraRep(dim=2, order=1, cold_start="mean"), CIRC_MIRNA, name="gr").fit(g)
    full = t(g)
    sub = g.clone()
    sub["circrna"].num_nodes = 3
    sub["circrna"].n_id = torch.tensor([3, 0, 9])        # node 9 was not in the training graph
    sub["mirna"].n_id = torch.arange(3)
    out = t(sub)
    assert torch.equal(out["circrna"].x_gr[:2], full["circrna"].x_gr[[3, 0]])
    # cold_start="mean": the mean row of the nodes that had edges in the training graph
    warm = torch.cat([full["mirna"].x_gr[[0, 2]], full["circrna"].x_gr[[0, 1, 3]]])
    assert torch.allclose(out["circrna"].x_gr[2], warm.mean(0))


def test_unfitted_transform_refuses_the_leaky_compose_order():
    import torch_geometric.transforms as T

    from rnagraph.datasets import synthetic
    from rnagraph.typing import reverse_edge_type
    data = synthetic(num_mirna=20, num_mrna=30, num_circrna=40, seed=3)
    leaky = T.Compose([T.ToUndirected(),
                       EncoderTransform(GraRep(dim=2, order=2), CIRC_MIRNA, name="gr"),
                       T.RandomLinkSplit(num_val=0.1, num_test=0.2, edge_types=[CIRC_MIRNA],
                                         rev_edge_types=[reverse_edge_type(CIRC_MIRNA)])])
    with pytest.raises(ValueError, match=r"not fitted: call \.fit\(train_graph\)"):
        leaky(data)
    assert "x_gr" not in data["mirna"]


def test_split_first_pattern_never_sees_held_out_edges():
    # the tutorial's pattern: split, fit on the training graph, transform every split
    train, val, test = _split_synthetic()
    # the training graph carries split labels too, and is accepted
    assert "edge_label_index" in train[CIRC_MIRNA]
    t = EncoderTransform(GraRep(dim=2, order=2), CIRC_MIRNA, name="gr").fit(train)
    train, val, test = t(train), t(val), t(test)
    # what it fitted on: the training message edges only, none of the held-out positives
    fitted = t.encoder_.num_nodes_
    hg = HomogeneousGraph.from_hetero(train, CIRC_MIRNA)
    assert fitted == hg.num_nodes
    seen = {tuple(e) for e in train[CIRC_MIRNA].edge_index.T.tolist()}
    for g in (val, test):
        eli, lab = g[CIRC_MIRNA].edge_label_index, g[CIRC_MIRNA].edge_label
        held = {tuple(e) for e in eli[:, lab == 1].T.tolist()}
        assert held and not held & seen
        assert torch.equal(g["circrna"].x_gr, train["circrna"].x_gr)
    # the check can fail: fitting on the full graph (held-out edges included) gives other rows
    full = T_undirected(_full_synthetic())
    leaky = EncoderTransform(GraRep(dim=2, order=2), CIRC_MIRNA, name="gr").fit_transform(full)
    assert not torch.allclose(leaky["circrna"].x_gr, train["circrna"].x_gr)


def _full_synthetic():
    from rnagraph.datasets import synthetic
    return synthetic(num_mirna=20, num_mrna=30, num_circrna=40, seed=3)


def T_undirected(g):
    import torch_geometric.transforms as T
    return T.ToUndirected()(g)


def test_is_a_scikit_learn_estimator_with_nested_params():
    from sklearn.base import clone
    t = EncoderTransform(GraRep(dim=2, order=2), CIRC_MIRNA, name="gr")
    assert t.get_params()["encoder__dim"] == 2
    c = clone(t.set_params(encoder__order=3))
    assert c.encoder is not t.encoder and c.encoder.order == 3 and c.name == "gr"
    assert EncoderTransform(GraRep()).attr_name == "x_grarep"
