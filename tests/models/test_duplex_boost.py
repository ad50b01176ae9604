"""DuplexBoost: boosted trees on the duplex learn site pairs of miRNAs they never saw."""
import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.data import Fold, LinkSet
from rnagraph.features import DuplexFeatures
from rnagraph.models import DuplexBoost, get_model, load
from rnagraph.typing import MIRNA_MRNA
from tests.models._site_pairs import site_pairs


def disjoint_fold(seed: int) -> Fold:
    """miRNAs 0-39 train, 40-49 validation, 50-59 test (no test miRNA in a training pair)."""
    g, pairs, y, mir = site_pairs(seed=seed)
    part = [np.flatnonzero(m) for m in (mir < 40, (mir >= 40) & (mir < 50), mir >= 50)]
    sets = [LinkSet(pairs[:, torch.from_numpy(p)], y[torch.from_numpy(p)]) for p in part]
    return Fold(0, MIRNA_MRNA, g, *sets)


@pytest.fixture(scope="module")
def fold(train_seed):
    return disjoint_fold(train_seed)


@pytest.fixture(scope="module")
def fitted(fold, train_seed):
    return DuplexBoost(max_trees=60, seed=train_seed).fit(fold)


def test_it_learns_site_pairs_of_unseen_mirnas(fitted, fold, margin):
    score = fitted.decision_function(None, fold.test.edge_label_index).numpy()
    # planted 8mer / 7mer-m8 sites against random 40-nt windows, on test miRNAs no training
    # pair holds (measured 1.00 at seed 0)
    margin.above("test AUC", roc_auc_score(fold.test.edge_label.numpy(), score), 0.9)


def test_validation_picks_the_number_of_trees(fitted):
    curve = [h["val_auc"] for h in fitted.history_]
    assert len(curve) == 60 and fitted.fit_info_["max_trees"] == 60
    k = fitted.fit_info_["trees"]
    assert fitted.net_.num_trees == k and curve[k - 1] == max(curve)
    assert curve.index(max(curve)) == k - 1                # the first of equal maxima
    assert fitted.fit_info_["best_val_auc"] == max(curve)


def test_test_pairs_are_never_read(fold, fitted):
    flipped = Fold(0, MIRNA_MRNA, fold.train_graph, fold.train, fold.val,
                   LinkSet(fold.test.edge_label_index, 1 - fold.test.edge_label))
    again = DuplexBoost(max_trees=60, seed=fitted.seed).fit(flipped)
    pairs = fold.test.edge_label_index
    assert torch.equal(again.decision_function(None, pairs),
                       fitted.decision_function(None, pairs))


def test_scores_are_the_trees_on_the_features_and_survive_a_model_file(fitted, fold, tmp_path):
    pairs = fold.test.edge_label_index[:, :40]
    phi = DuplexFeatures(context=15, stacking=True, alignment=True).graph_transform(
        fold.train_graph, MIRNA_MRNA, pairs)
    raw = fitted.decision_function(None, pairs)
    assert torch.equal(raw, fitted.net_(phi))
    back = load(fitted.save(tmp_path / "m.rg"))
    assert torch.equal(back.decision_function(None, pairs), raw)
    assert back.fit_info_["trees"] == fitted.fit_info_["trees"]
    torch.testing.assert_close(back.predict_proba(None, pairs),
                               fitted.predict_proba(None, pairs))


def test_a_new_mirna_is_scored_from_its_sequence(fitted):
    g = fitted.graph_
    ext = fitted.extended_graph({"mirna": {"copy": g["mirna"].seq[55]}})
    n = g["mirna"].num_nodes
    raw = fitted.decision_function(ext, torch.tensor([[55, 55, n, n], [3, 900, 3, 900]]))
    assert torch.equal(raw[2:], raw[:2])
    assert fitted.scoring_status(ext, torch.tensor([[n], [3]])) == ["sequence"]


def test_one_class_and_bad_parameters_are_refused(fold):
    pos = fold.train.edge_label == 1
    only = Fold(0, MIRNA_MRNA, fold.train_graph,
                LinkSet(fold.train.edge_label_index[:, pos], fold.train.edge_label[pos]),
                fold.val, fold.test)
    with pytest.raises(ValueError, match="both classes"):
        DuplexBoost(max_trees=2).fit(only)
    for bad, match in (({"max_trees": 0}, "max_trees=0"), ({"learning_rate": 0}, "learning_rate"),
                       ({"max_leaf_nodes": 1}, "max_leaf_nodes"),
                       ({"l2_regularization": -1}, "l2_regularization"),
                       ({"features": "duplex"}, "DuplexFeatures")):
        with pytest.raises(ValueError, match=match):
            DuplexBoost(**bad).fit(fold)
    assert isinstance(get_model("duplex-boost"), DuplexBoost)


def test_scoring_holds_the_trees_temporaries_within_the_budget(fitted, fold, monkeypatch):
    from rnagraph.models.base import budget_block
    pairs = fold.test.edge_label_index                      # 160 pairs
    whole = fitted.decision_function(None, pairs)
    seen = []
    forward = type(fitted.net_).forward

    def spy(net, x):
        seen.append(x.size(0))
        return forward(net, x)
    monkeypatch.setattr(type(fitted.net_), "forward", spy)
    monkeypatch.setattr(fitted, "scoring_bytes", 7 * fitted.net_.row_bytes())
    raw = fitted.decision_function(None, pairs)
    assert budget_block(fitted.net_.row_bytes(), fitted.scoring_bytes) == 7
    assert max(seen) == 7 and sum(seen) == 160 and len(seen) == 23     # 22 x 7 + 6
    torch.testing.assert_close(raw, whole, rtol=0, atol=1e-12)


def test_the_folding_preset_reads_the_folding_columns_and_keeps_them_in_its_file(fold,
                                                                                  tmp_path):
    pytest.importorskip("RNA")
    model = get_model("duplex-boost-fold", max_trees=20).fit(fold)
    assert model.features.folding and len(model.features.get_feature_names_out()) == 143
    pairs = fold.test.edge_label_index[:, :30]
    phi = DuplexFeatures(context=15, stacking=True, alignment=True, folding=True
                         ).graph_transform(fold.train_graph, MIRNA_MRNA, pairs)
    raw = model.decision_function(None, pairs)
    assert torch.equal(raw, model.net_(phi))
    back = load(model.save(tmp_path / "fold.rg"))
    assert back.features.folding and torch.equal(back.decision_function(None, pairs), raw)
