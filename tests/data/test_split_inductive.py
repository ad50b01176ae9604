"""The inductive cold-start split: held-out RNAs are absent from the fitted graph."""
import dataclasses

import numpy as np
import pytest
import torch

from rnagraph.data import build_graph, check_no_leakage, holdout_split, kfold_link_split
from rnagraph.data.leakage import LeakageError
from rnagraph.data.negatives import pair_codes

CM = ("circrna", "binds", "mirna")
MM = ("mirna", "targets", "mrna")
REV = ("mirna", "rev_binds", "circrna")
BASES = "ACGU"


def graph(seed=0, no_seq=()):
    """60 circRNAs x 40 miRNAs (random pairs), 40 miRNA -> 30 mRNA pairs; every RNA has a
    sequence except the miRNAs named in ``no_seq``."""
    rng = np.random.default_rng(seed)
    cm = sorted({(f"c{rng.integers(60)}", f"m{rng.integers(40)}") for _ in range(300)})
    mm = sorted({(f"m{rng.integers(40)}", f"t{rng.integers(30)}") for _ in range(80)})

    def seq(n):
        return "".join(BASES[i] for i in rng.integers(4, size=n))
    seqs = {"mirna": {f"m{i}": (None if f"m{i}" in no_seq else seq(22)) for i in range(40)},
            "circrna": {f"c{i}": seq(60) for i in range(60)},
            "mrna": {f"t{i}": seq(80) for i in range(30)}}
    return build_graph(seqs, {CM: cm, MM: mm}, add_reverse=True)


def ids(g, nt):
    return list(g[nt].ids)


def test_held_out_rnas_leave_the_fitted_graph_and_come_back_as_new_nodes():
    g = graph()
    trans = kfold_link_split(g, CM, k=4, mode="cold-dst", seed=3)
    ind = kfold_link_split(g, CM, k=4, mode="cold-dst", seed=3, inductive=True)
    test_mirnas = set()
    for a, f in zip(trans, ind):
        check_no_leakage(f, full_graph=g)
        assert f.inductive and not a.inductive and f.meta["inductive"] is True
        n_fit = f.train_graph["mirna"].num_nodes
        n_val = f.val_graph["mirna"].num_nodes
        assert f.score_graph["mirna"].num_nodes == 40
        # the same pairs as the transductive split, renumbered
        for name in ("train", "val", "test"):
            x, y = getattr(a, name), getattr(f, name)
            assert torch.equal(f.to_split_index(y.edge_label_index), x.edge_label_index)
            assert torch.equal(f.to_fold_index(x.edge_label_index), y.edge_label_index)
            assert torch.equal(x.edge_label, y.edge_label)
        held_test = {ids(g, "mirna")[i] for i in a.test.edge_label_index[1].tolist()}
        held_val = {ids(g, "mirna")[i] for i in a.val.edge_label_index[1].tolist()}
        test_mirnas |= held_test
        fitted = set(ids(f.train_graph, "mirna"))
        assert not fitted & (held_test | held_val)       # neither is a node of the fitted graph
        assert len(fitted) == n_fit == 40 - f.meta["held_out"]["mirna"][0] - \
            f.meta["held_out"]["mirna"][1]
        # kept, then validation, then test RNAs; each group in the original order
        order = f.node_order["mirna"].tolist()
        assert order[:n_fit] == sorted(order[:n_fit])
        assert {ids(g, "mirna")[i] for i in order[n_val:]} >= held_test
        assert ids(f.score_graph, "mirna") == [ids(g, "mirna")[i] for i in order]
        assert ids(f.val_graph, "mirna") == ids(f.score_graph, "mirna")[:n_val]
        assert list(f.score_graph["mirna"].seq) == [g["mirna"].seq[i] for i in order]
        # training negatives never involve a held-out RNA; val pairs never a test RNA
        assert int(f.train.edge_label_index[1].max()) < n_fit
        assert int(f.val.edge_label_index[1].min()) >= n_fit
        assert int(f.val.edge_label_index[1].max()) < n_val
        assert int(f.test.edge_label_index[1].min()) >= n_val
        assert torch.equal(f.new_nodes("test", "mirna"), torch.arange(n_val, 40))
        assert f.new_nodes("test", "circrna").numel() == 0
        assert f.graph_for("test") is f.score_graph and f.graph_for("val") is f.val_graph
        # circRNAs (the warm side) keep their indices and all stay fitted
        assert ids(f.train_graph, "circrna") == ids(g, "circrna")
    assert len(test_mirnas) == 40 - sum(1 for i in range(40)
                                        if not (g[CM].edge_index[1] == i).any())


def test_no_edge_touches_a_held_out_rna_and_kept_edges_survive():
    g = graph()
    f = kfold_link_split(g, CM, k=4, mode="cold-dst", seed=0, inductive=True)[1]
    order = f.node_order["mirna"]
    n_fit = f.train_graph["mirna"].num_nodes
    kept = set(order[:n_fit].tolist())
    mir = ids(g, "mirna")
    # miRNA -> mRNA edges: exactly those of kept miRNAs, in every graph
    want = {(mir[m], t) for m, t in g[MM].edge_index.t().tolist() if m in kept}
    for gr in (f.train_graph, f.val_graph, f.score_graph):
        got = {(ids(gr, "mirna")[m], t) for m, t in gr[MM].edge_index.t().tolist()}
        assert got == want
        # circRNA - miRNA edges: the training positives, both directions
        assert pair_codes(gr[CM].edge_index, 40).tolist() == \
            pair_codes(f.train.pos_index, 40).tolist()
        assert sorted(pair_codes(gr[REV].edge_index.flip(0), 40).tolist()) == \
            sorted(pair_codes(f.train.pos_index, 40).tolist())


def test_rnas_without_a_sequence_are_never_held_out():
    no_seq = {f"m{i}" for i in range(0, 40, 5)}
    g = graph(no_seq=no_seq)
    folds = kfold_link_split(g, CM, k=3, mode="cold-dst", seed=1, inductive=True)
    for f in folds:
        check_no_leakage(f, full_graph=g)
        assert f.meta["kept_without_sequence"] == 8
        assert no_seq <= set(ids(f.train_graph, "mirna"))
        new = ids(f.score_graph, "mirna")[f.train_graph["mirna"].num_nodes:]
        assert new and not set(new) & no_seq


def test_cold_both_and_holdout():
    g = graph()
    for f in kfold_link_split(g, CM, k=3, mode="cold-both", seed=0, inductive=True):
        check_no_leakage(f, full_graph=g)
        assert set(f.node_order) == {"circrna", "mirna"}
        for row, nt in ((0, "circrna"), (1, "mirna")):
            assert int(f.test.edge_label_index[row].min()) >= f.val_graph[nt].num_nodes
    h = holdout_split(g, CM, test_ratio=0.25, mode="cold-src", seed=2, inductive=True)
    t = holdout_split(g, CM, test_ratio=0.25, mode="cold-src", seed=2)
    check_no_leakage(h, full_graph=g)
    assert torch.equal(h.to_split_index(h.test.edge_label_index), t.test.edge_label_index)
    assert h.train_graph["circrna"].num_nodes == 60 - sum(h.meta["held_out"]["circrna"])
    assert h.meta["held_out"]["circrna"][1] == 15            # 25 % of 60 circRNAs


def test_leakage_check_catches_a_held_out_rna_in_the_fitted_graph():
    g = graph()
    f = kfold_link_split(g, CM, k=4, mode="cold-dst", seed=0, inductive=True)[0]
    with pytest.raises(LeakageError, match="node counts"):   # test RNAs fitted
        check_no_leakage(dataclasses.replace(f, train_graph=f.score_graph), full_graph=g)
    # an edge to a new RNA in the scoring graph
    sg = f.score_graph.clone()
    sg[MM].edge_index = torch.cat([sg[MM].edge_index, torch.tensor([[39], [0]])], 1)
    with pytest.raises(LeakageError, match="touch a held-out"):
        check_no_leakage(dataclasses.replace(f, score_graph=sg), full_graph=g)
    # a validation pair on a test RNA
    val = dataclasses.replace(f.val, edge_label_index=f.val.edge_label_index.clone())
    val.edge_label_index[1, 0] = 39
    with pytest.raises(LeakageError):
        check_no_leakage(dataclasses.replace(f, val=val), full_graph=g)


def test_bad_inductive_arguments():
    g = graph()
    with pytest.raises(ValueError, match="cold mode"):
        kfold_link_split(g, CM, k=3, mode="warm", inductive=True)
    with pytest.raises(ValueError, match="cold mode"):
        holdout_split(g, CM, protocol="paper", inductive=True)
    bare = build_graph({}, {CM: [("c0", "m0"), ("c1", "m1"), ("c2", "m2")]})
    with pytest.raises(ValueError, match="no mirna node has one"):
        kfold_link_split(bare, CM, k=3, mode="cold-dst", inductive=True)


@pytest.mark.parametrize("opts", [{"negatives": "degree"}, {"negatives": "hard"},
                                  {"group_twins": True}, {"isolated_negatives": True}])
def test_every_split_option_keeps_working_inductively(opts):
    """Hard / degree-matched negatives, twin grouping, isolated negatives: the inductive folds
    hold the transductive folds' pairs, renumbered, and pass the leakage check."""
    g = graph()
    trans = kfold_link_split(g, CM, k=3, mode="cold-src", seed=5, **opts)
    ind = kfold_link_split(g, CM, k=3, mode="cold-src", seed=5, inductive=True, **opts)
    for a, f in zip(trans, ind):
        check_no_leakage(f, full_graph=g)
        for name in ("train", "val", "test"):
            assert torch.equal(f.to_split_index(getattr(f, name).edge_label_index),
                               getattr(a, name).edge_label_index)
        assert f.meta["inductive"] and {k: v for k, v in f.meta.items()
                                        if k not in ("inductive", "held_out")} == a.meta
