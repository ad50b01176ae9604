import numpy as np
import pytest
import torch

from rnagraph.data import build_graph, check_no_leakage, joint_kfold_split
from rnagraph.data.negatives import pair_codes
from rnagraph.typing import CIRC_MIRNA, MIRNA, MIRNA_MRNA, reverse_edge_type


def _graph(seed=0, n_c=30, n_m=20, n_t=25, e=120):
    rng = np.random.default_rng(seed)
    cm = {(f"c{rng.integers(n_c)}", f"mi{rng.integers(n_m)}") for _ in range(e)}
    mt = {(f"mi{rng.integers(n_m)}", f"t{rng.integers(n_t)}") for _ in range(e)}
    return build_graph({}, {CIRC_MIRNA: sorted(cm), MIRNA_MRNA: sorted(mt)}, add_reverse=True)


def _codes(g, et):
    return pair_codes(g[et].edge_index, int(g[et[2]].num_nodes))


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_joint_split_is_leakage_free_for_both_types(mode):
    data = _graph()
    folds = joint_kfold_split(data, k=4, mode=mode, seed=3)
    assert len(folds) == 4
    for jf in folds:
        g = jf.train_graph
        for et in (CIRC_MIRNA, MIRNA_MRNA):
            f = jf[et]
            assert f.train_graph is g
            check_no_leakage(f)
            n_dst = int(g[et[2]].num_nodes)
            held = np.concatenate([pair_codes(f.test.pos_index, n_dst),
                                   pair_codes(f.val.pos_index, n_dst)])
            # neither direction of the joint graph holds a held-out edge of this type
            assert not np.isin(held, _codes(g, et)).any()
            rev = g[reverse_edge_type(et)].edge_index.flip(0)
            assert not np.isin(held, pair_codes(rev, n_dst)).any()
            # negatives only involve nodes that take part in this relation in the full graph
            full = data[et].edge_index
            for ls in (f.train, f.val, f.test):
                assert torch.isin(ls.neg_index[0], full[0]).all()
                assert torch.isin(ls.neg_index[1], full[1]).all()
            # and the training graph holds exactly the training positives
            assert set(_codes(g, et)) == set(pair_codes(f.train.pos_index, n_dst))
    # warm: every positive of each type is tested exactly once
    if mode == "warm":
        for et in (CIRC_MIRNA, MIRNA_MRNA):
            n_dst = int(data[et[2]].num_nodes)
            tested = np.concatenate([pair_codes(jf[et].test.pos_index, n_dst) for jf in folds])
            assert sorted(tested) == sorted(_codes(data, et))


def test_cold_mirna_has_no_training_edge_of_either_type():
    data = _graph(seed=1)
    folds = joint_kfold_split(data, k=3, mode="cold", seed=0)
    seen = []
    for jf in folds:
        assert jf.mode == "cold-mirna"
        held = jf.meta["held_out"]
        seen.append(held)
        g = jf.train_graph
        for et, side in ((CIRC_MIRNA, 1), (MIRNA_MRNA, 0)):
            f = jf[et]
            assert f.mode == ("cold-dst" if side == 1 else "cold-src")
            assert not torch.isin(g[et].edge_index[side], held).any()
            assert not torch.isin(f.train.edge_label_index[side], held).any()
            assert not torch.isin(f.val.edge_label_index[side], held).any()
            # every test pair (positive or negative) involves a held-out miRNA
            assert torch.isin(f.test.edge_label_index[side], held).all()
            # and every positive of a held-out miRNA is a test positive
            full = data[et].edge_index
            n_test_pos = int(torch.isin(full[side], held).sum())
            assert f.test.pos_index.size(1) == n_test_pos
    # the held-out groups partition the miRNAs
    allheld = torch.cat(seen)
    assert sorted(allheld.tolist()) == list(range(data[MIRNA].num_nodes))


def test_cold_one_holds_a_mirna_out_of_one_relation_only():
    # same seed: the same test pairs as "cold"; each type's fold graph has the held-out
    # miRNAs' edges of the *other* type back, and none of its own type
    data = _graph(seed=1)
    cold = joint_kfold_split(data, k=3, mode="cold", seed=0)
    one = joint_kfold_split(data, k=3, mode="cold-one", seed=0)
    back = 0
    for jc, jo in zip(cold, one):
        assert jo.mode == "cold-one-mirna" and torch.equal(jo.meta["held_out"],
                                                           jc.meta["held_out"])
        held = jo.meta["held_out"]
        for et, side, other, o_side in ((CIRC_MIRNA, 1, MIRNA_MRNA, 0),
                                        (MIRNA_MRNA, 0, CIRC_MIRNA, 1)):
            f, fc = jo[et], jc[et]
            for name in ("train", "val", "test"):
                assert torch.equal(getattr(f, name).edge_label_index,
                                   getattr(fc, name).edge_label_index)
            check_no_leakage(f)
            g = f.train_graph
            assert not torch.isin(g[et].edge_index[side], held).any()
            assert torch.equal(g[et].edge_index, jc.train_graph[et].edge_index)
            # the other relation is whole: held-out miRNAs' edges included
            assert set(_codes(g, other)) == set(_codes(data, other))
            back += int(torch.isin(g[other].edge_index[o_side], held).sum())
    assert back > 0


def test_joint_split_meta_shares_by_hand():
    # mi0 has both types; mi1 only circ; mi2 only target
    data = build_graph({}, {CIRC_MIRNA: [("c0", "mi0"), ("c1", "mi0"), ("c2", "mi1"),
                                         ("c3", "mi1")],
                            MIRNA_MRNA: [("mi0", "t0"), ("mi0", "t1"), ("mi2", "t2"),
                                         ("mi2", "t3")]})
    jf = joint_kfold_split(data, k=2, mode="warm", val_ratio=0, neg_ratio=0.5, seed=0)[0]
    # in the full graph: circ test positives on mi0 count as "both", those on mi1 not
    f = jf[CIRC_MIRNA]
    mi = f.test.pos_index[1]
    expect = float((mi == 0).float().mean())
    assert jf.meta["test_share_both"][CIRC_MIRNA] == pytest.approx(expect)


def test_joint_split_errors():
    data = _graph()
    with pytest.raises(ValueError, match="unknown mode"):
        joint_kfold_split(data, mode="cold-src")
    with pytest.raises(ValueError, match="at least two edge types"):
        joint_kfold_split(data, edge_types=(CIRC_MIRNA,))
    with pytest.raises(ValueError, match="share exactly one"):
        joint_kfold_split(data, edge_types=(CIRC_MIRNA, reverse_edge_type(CIRC_MIRNA)))
