"""The contract's new-RNA scoring: scoring graphs with appended RNAs, the sequence-neighbour
transfer worked out by hand, statuses and reasons."""
import math

import pytest
import torch

from rnagraph.data import Fold, LinkSet, append_nodes, build_graph
from rnagraph.models import DegreeProduct
from rnagraph.models.base import NeighbourTransfer
from rnagraph.typing import MIRNA_MRNA

M0 = "ACGU" * 5 + "AC"            # 22 nt, 5 G, 5 U
Q = "GGGU" + "ACGU" * 4 + "AC"    # M0 with its first two letters changed to G: 7 G, 5 U


def _fold() -> Fold:
    seqs = {"mirna": {"m0": M0, "m1": "G" * 22, "m2": "U" * 22},
            "mrna": {f"t{i}": "ACGUUGCA" * (i + 2) for i in range(4)}}
    pairs = [("m0", "t0"), ("m0", "t1"), ("m0", "t3"), ("m1", "t1"), ("m1", "t2"),
             ("m2", "t3")]
    g = build_graph(seqs, {MIRNA_MRNA: pairs})
    pos = g[MIRNA_MRNA].edge_index
    empty = LinkSet(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0))
    train = LinkSet.from_pos_neg(pos, torch.tensor([[2, 2], [0, 1]]))
    return Fold(0, MIRNA_MRNA, g, train, empty, empty)


@pytest.fixture
def model() -> DegreeProduct:
    m = DegreeProduct(calibrate=False).fit(_fold())
    m.transfer = NeighbourTransfer(k=2, similarity="levenshtein", power=2.0)
    return m


def test_neighbours_and_weights_by_hand(model):
    g = model.extended_graph({"mirna": {"q": Q, "m0": "ignored: already fitted"}})
    assert g["mirna"].num_nodes == 4 and g["mirna"].ids[3] == "q"
    nb, w = model.sequence_neighbours(g, "mirna")
    # edit distances: q-m0 2 (two substitutions), q-G22 22-7 = 15, q-U22 22-5 = 17, so the
    # similarities 1 - d/22 are 20/22, 7/22, 5/22 and the two nearest are m0 and m1
    assert nb.tolist() == [[0, 1]]
    want = torch.tensor([20.0 ** 2, 7.0 ** 2], dtype=torch.float64) / (20.0 ** 2 + 7.0 ** 2)
    assert torch.allclose(w[0], want, rtol=1e-6)


def test_transferred_score_is_the_weighted_mean_by_hand(model):
    g = model.extended_graph({"mirna": {"q": Q}})
    # degrees: m0 3, m1 2; t0 1, t2 1: x = log(1 + k_s k_d)
    raw = model.decision_function(g, torch.tensor([[3, 3, 0], [0, 2, 0]]))
    assert raw[0].item() == pytest.approx((400 * math.log(4) + 49 * math.log(3)) / 449)
    assert raw[1].item() == pytest.approx((400 * math.log(4) + 49 * math.log(3)) / 449)
    assert raw[2].item() == pytest.approx(math.log(4))          # a fitted pair as before
    assert model.scoring_status(g, torch.tensor([[3, 0], [0, 0]])) == ["neighbours", "fitted"]
    # the grid scores the same pairs the same way (row-major)
    grid = model.decision_grid(g, torch.tensor([0, 3]), torch.tensor([0, 2]))
    flat = model.decision_function(g, torch.tensor([[0, 0, 3, 3], [0, 2, 0, 2]]))
    assert torch.equal(grid.flatten(), flat)   # degree products are exact (block_rtol 0)


def test_an_rna_that_cannot_be_placed_scores_nan_and_says_why(model):
    g = model.extended_graph({"mirna": {"nothing": None}, "mrna": {"tnew": "ACGUUGCAACGU"}})
    pairs = torch.tensor([[3, 0], [0, 4]])
    raw = model.decision_function(g, pairs)
    st = model.scoring_status(g, pairs)
    assert math.isnan(raw[0]) and st[0] == ("not scored: mirna 'nothing' is not in the model "
                                            "and has no sequence")
    assert not math.isnan(raw[1]) and st[1] == "neighbours"
    # a known RNA of zero similarity is no neighbour: with only such RNAs, no score
    model.transfer = NeighbourTransfer(k=2, similarity="levenshtein")
    g2 = model.extended_graph({"mirna": {"c22": "C" * 22}})
    model.graph_["mirna"].seq = type(g2["mirna"].seq)(["G" * 22, "G" * 22, "U" * 22])
    g2["mirna"].seq = type(g2["mirna"].seq)(["G" * 22, "G" * 22, "U" * 22, "C" * 22])
    assert math.isnan(model.decision_function(g2, torch.tensor([[3], [0]]))[0])
    assert model.scoring_status(g2, torch.tensor([[3], [0]])) == [
        "not scored: mirna 'c22' has no known mirna with a similar sequence"]


def test_a_model_without_new_rna_scoring_says_so(model, monkeypatch):
    monkeypatch.setattr(DegreeProduct, "inductive", None)
    g = model.extended_graph({"mirna": {"q": Q}})
    raw = model.decision_function(g, torch.tensor([[3], [0]]))
    assert math.isnan(raw[0])
    assert model.scoring_status(g, torch.tensor([[3], [0]])) == [
        "not scored: DegreeProduct scores only the mirna RNAs it was fitted with"]


def test_scoring_graph_must_extend_the_fitted_one(model):
    g = append_nodes(model.graph_, "mirna", ["q"], [Q])
    bad = g.clone()
    bad["mirna"].ids = type(g["mirna"].ids)(["m1", "m0", "m2", "q"])
    with pytest.raises(ValueError, match="not the fitted ones"):
        model.decision_function(bad, torch.tensor([[3], [0]]))
    with pytest.raises(ValueError, match="already in the graph"):
        append_nodes(model.graph_, "mirna", ["m0"], [Q])


def test_append_nodes_copies_and_extends_every_column():
    g = _fold().train_graph
    h = append_nodes(g, "mrna", ["new1", "new2"], ["ACGU", None])
    assert int(g["mrna"].num_nodes) == 4 and len(g["mrna"].ids) == 4     # input untouched
    assert int(h["mrna"].num_nodes) == 6
    assert list(h["mrna"].ids)[4:] == ["new1", "new2"]
    assert list(h["mrna"].seq)[4:] == ["ACGU", None]
    assert h["mrna"].has_seq.tolist()[3:] == [True, True, False]
    assert torch.equal(h[MIRNA_MRNA].edge_index, g[MIRNA_MRNA].edge_index)


def test_fit_on_an_inductive_fold_scores_held_out_mirnas_by_transfer(train_seed):
    """SVD knows nothing of sequences: held-out miRNAs (never in its fitted graph) are scored
    from their seed-family neighbours' pairs. Measured AUC 0.82-0.88 over seeds 0-2."""
    from sklearn.metrics import roc_auc_score

    from rnagraph.data import kfold_link_split
    from rnagraph.datasets import synthetic
    from rnagraph.models import TruncatedSVDLink
    g = synthetic(seed=train_seed)
    fold = kfold_link_split(g, MIRNA_MRNA, k=5, mode="cold-src", inductive=True,
                            seed=train_seed)[0]
    m = TruncatedSVDLink().fit(fold)
    n_fit = int(fold.train_graph["mirna"].num_nodes)
    assert int(m.graph_["mirna"].num_nodes) == n_fit < int(g["mirna"].num_nodes)
    assert int(m.known_pairs_[0].max()) < n_fit            # held-out miRNAs are not "known"
    test_g = fold.graph_for("test")
    pairs = fold.test.edge_label_index
    assert int(pairs[0].min()) >= n_fit                   # every test pair is of a new miRNA
    assert set(m.scoring_status(test_g, pairs)) == {"neighbours"}
    prob = m.score(test_g, pairs)
    assert bool(torch.isfinite(prob).all())                # calibrated on validation RNAs
    assert roc_auc_score(fold.test.edge_label, prob) > 0.75
