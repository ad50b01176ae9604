"""Isolated nodes (no known pair of the predicted type) are never drawn as negatives unless
asked; cold-split held-out nodes are not isolated; graphs without isolated nodes keep their
folds bit for bit."""
import warnings

import numpy as np
import pytest
import torch

from rnagraph.data import (
    Fold,
    IsolatedNodesWarning,
    build_graph,
    holdout_split,
    interactions_complete,
    isolated_nodes,
    kfold_link_split,
    sample_negatives,
)
from rnagraph.datasets import synthetic

CM = ("circrna", "binds", "mirna")
MM = ("mirna", "targets", "mrna")
MODES = ("warm", "cold-src", "cold-dst", "cold-both")


def graph(seed=0, n_circ=60, n_mir=40, extra=True):
    """Random CM pairs among c0..c59 / m0..m39; with ``extra`` three circRNAs (c60..c62) and
    two miRNAs (m40, m41) without any CM pair, m40 with an MM pair (isolated for CM all the
    same)."""
    rng = np.random.default_rng(seed)
    cm = sorted({(f"c{i}", f"m{rng.integers(n_mir)}") for i in range(n_circ)}
                | {(f"c{rng.integers(n_circ)}", f"m{j}") for j in range(n_mir)}
                | {(f"c{rng.integers(n_circ)}", f"m{rng.integers(n_mir)}") for _ in range(60)})
    mm = [("m0", "t0"), ("m40", "t1")] if extra else [("m0", "t0")]
    ids = ({"circrna": [f"c{i}" for i in range(n_circ + 3)],
            "mirna": [f"m{j}" for j in range(n_mir + 2)]} if extra else {})
    return build_graph({}, {CM: cm, MM: mm}, node_ids=ids)


def iso_of(g):
    iso = isolated_nodes(g, CM)
    return set(iso["circrna"].tolist()), set(iso["mirna"].tolist())


def touches(ei, iso):
    s, d = iso
    return sum(int(a) in s or int(b) in d for a, b in ei.t().tolist())


def test_isolated_nodes_by_hand():
    g = graph()
    ids_c, ids_m = list(g["circrna"].ids), list(g["mirna"].ids)
    s, d = iso_of(g)
    assert {ids_c[i] for i in s} == {"c60", "c61", "c62"}
    assert {ids_m[i] for i in d} == {"m40", "m41"}            # m40's MM pair does not count
    assert isolated_nodes(g, MM)["mrna"].numel() == 0
    assert isolated_nodes(graph(extra=False), CM)["circrna"].numel() == 0
    with pytest.raises(ValueError, match="not in the graph"):
        isolated_nodes(g, ("circrna", "nope", "mirna"))


@pytest.mark.parametrize("negatives", ["uniform", "degree", "hard"])
def test_never_negatives_in_any_split(negatives):
    g = graph()
    iso = iso_of(g)
    for seed in range(6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IsolatedNodesWarning)
            for mode in MODES if negatives != "degree" else MODES[:3]:  # too few for cold-both
                sets = [ls for f in kfold_link_split(g, CM, k=3, mode=mode, seed=seed,
                                                     negatives=negatives)
                        for ls in (f.train, f.val, f.test)]
                f = holdout_split(g, CM, mode=mode, seed=seed, negatives=negatives)
                sets += [f.train, f.val, f.test]
                for ls in sets:
                    assert touches(ls.neg_index, iso) == 0, (mode, seed)
            for f in kfold_link_split(g, CM, k=3, seed=seed, protocol="paper"):
                assert touches(f.train.neg_index, iso) == 0
                assert touches(f.test.neg_index, iso) == 0
            f = Fold.full(g, CM, seed=seed)
            assert touches(f.train.neg_index, iso) == touches(f.val.neg_index, iso) == 0
            assert f.meta["isolated_excluded"] == 5
            assert touches(sample_negatives(g, CM, ratio=3, seed=seed), iso) == 0


def test_still_negatives_when_asked():
    g = graph()
    iso = iso_of(g)
    n = {"train": 0, "test": 0, "full": 0, "sample": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # asked for: no note
        for seed in range(4):
            for mode in MODES:
                for f in kfold_link_split(g, CM, k=3, mode=mode, seed=seed,
                                          isolated_negatives=True):
                    n["train"] += touches(f.train.neg_index, iso)
                    n["test"] += touches(f.test.neg_index, iso)
            n["full"] += touches(Fold.full(g, CM, seed=seed, isolated_negatives=True)
                                 .train.neg_index, iso)
            n["sample"] += touches(sample_negatives(g, CM, ratio=3, seed=seed,
                                                    isolated_negatives=True), iso)
    assert all(v > 0 for v in n.values()), n


def test_note_says_how_many_and_how_treated():
    g = graph()
    with pytest.warns(IsolatedNodesWarning) as rec:
        folds = kfold_link_split(g, CM, k=3, seed=0)
    msg = str(rec[0].message)
    assert "3 circrna" in msg and "2 mirna" in msg and "isolated_negatives=True" in msg
    assert rec[0].filename == __file__                       # points at the caller
    assert folds[0].meta["isolated_excluded"] == 5
    with pytest.warns(IsolatedNodesWarning, match="full_fold: 3 circrna"):
        Fold.full(g, CM)


def test_cold_held_out_nodes_are_not_isolated():
    # a held-out circRNA has no training pair but known pairs: its test negatives stay, and
    # the test negatives involve exactly the held-out circRNAs as before
    g = graph()
    iso = iso_of(g)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsolatedNodesWarning)
        new = kfold_link_split(g, CM, k=3, mode="cold-src", seed=2)
    old = kfold_link_split(g, CM, k=3, mode="cold-src", seed=2, isolated_negatives=True)
    for f, o in zip(new, old):
        held = set(f.test.pos_index[0].tolist())
        assert held and not held & iso[0]
        train_nodes = set(f.train_graph[CM].edge_index[0].tolist())
        assert not held & train_nodes                          # edgeless in the fitted graph
        neg_src = set(f.test.neg_index[0].tolist())
        assert neg_src <= held and len(neg_src) > len(held) // 2   # the held-out ones, as before
        assert set(o.test.neg_index[0].tolist()) <= held | iso[0]
        assert len(f.test) == len(o.test)                      # same 1:1 ratio
        assert torch.equal(f.test.pos_index, o.test.pos_index)


def test_without_isolated_nodes_folds_are_bit_identical():
    g = graph(extra=False)
    assert iso_of(g) == (set(), set())
    with warnings.catch_warnings():
        warnings.simplefilter("error")                          # no note either
        for mode in MODES:
            for negatives in ("uniform", "hard"):
                a = kfold_link_split(g, CM, k=3, mode=mode, seed=7, negatives=negatives)
                b = kfold_link_split(g, CM, k=3, mode=mode, seed=7, negatives=negatives,
                                     isolated_negatives=True)
                for x, y in zip(a, b):
                    for name in ("train", "val", "test"):
                        assert torch.equal(getattr(x, name).edge_label_index,
                                           getattr(y, name).edge_label_index)
                    assert x.meta == y.meta and "isolated_excluded" not in x.meta
        assert torch.equal(Fold.full(g, CM, seed=1).train.edge_label_index,
                           Fold.full(g, CM, seed=1, isolated_negatives=True)
                           .train.edge_label_index)
        assert torch.equal(sample_negatives(g, CM, seed=3),
                           sample_negatives(g, CM, seed=3, isolated_negatives=True))


def test_untargeted_mrnas_are_not_negatives():
    # synthetic(seed=0) has mRNAs that no miRNA targets; without its declaration that every
    # interaction is known, they are unobserved RNAs: not negatives of a cold-dst split
    g = synthetic(seed=0)
    del g.interactions_complete
    iso = isolated_nodes(g, MM)
    assert iso["mrna"].numel() > 0 and iso["mirna"].numel() == 0
    with pytest.warns(IsolatedNodesWarning, match=f"{iso['mrna'].numel()} mrna"):
        folds = kfold_link_split(g, MM, k=5, mode="cold-dst", seed=0)
    bad = set(iso["mrna"].tolist())
    for f in folds:
        for ls in (f.train, f.val, f.test):
            assert not set(ls.neg_index[1].tolist()) & bad


def test_a_graph_with_complete_interactions_draws_its_unpaired_rnas():
    # the synthetic generator plants every interaction: an unpaired RNA truly binds nothing,
    # so its folds are those of isolated_negatives=True, without a warning
    g = synthetic(seed=0)
    assert interactions_complete(g) and isolated_nodes(g, CM)["circrna"].numel() > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", IsolatedNodesWarning)
        plain = kfold_link_split(g, CM, k=3, seed=0)
    asked = kfold_link_split(g, CM, k=3, seed=0, isolated_negatives=True)
    for a, b in zip(plain, asked):
        assert torch.equal(a.test.edge_label_index, b.test.edge_label_index)
        assert torch.equal(a.train.edge_label_index, b.train.edge_label_index)
    bad = set(isolated_nodes(g, CM)["circrna"].tolist())
    assert any(set(f.test.neg_index[0].tolist()) & bad for f in plain)


def test_rnagraph_train_says_how_many_and_how_treated(tmp_path):
    from typer.testing import CliRunner

    from rnagraph.cli.app import app
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("".join(f"c{i},m{(i + j) % 6}\n" for i in range(8) for j in range(2)))
    fasta = tmp_path / "circ.fa"          # c8 has a sequence and no known pair
    fasta.write_text("".join(f">c{i}\nACGUACGUAAGGCCUU\n" for i in range(9)))
    res = CliRunner().invoke(app, ["train", "--model", "degree", "--pairs", str(pairs),
                                   "--fasta", f"circrna={fasta}", "--edge-type", "circ-mirna",
                                   "--save", str(tmp_path / "m.rg")])
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.output.splitlines() if ln.startswith("warning: full_fold"))
    assert "1 circrna node(s) have no known 'binds' pair" in line
    assert "not drawn as negatives" in line
