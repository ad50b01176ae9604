"""StackedLink's fusion for the top of the ranking (objective="global-aupr", the
struct+ra3+svd preset): weights from validation pairs only, the fused score a hand-computed
combination of its parts, clone."""
import dataclasses

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import average_precision_score

from rnagraph.data.fold import LinkSet
from rnagraph.models import StackedLink, get_model, load
from rnagraph.models.base import block_close
from rnagraph.models.stacked_link import global_ap

CM = ("circrna", "binds", "mirna")
PARTS = ["degree", "ra3", "svd"]


@pytest.fixture(scope="module")
def fold(fusion_fold):
    return fusion_fold


def _val_ap(raw, fold, n_d):
    """global_ap of the validation positives among every non-training pair, by hand."""
    g = fold.train_graph[CM].edge_index
    train = g[0].numpy() * n_d + g[1].numpy()
    vp = fold.val.pos_index
    pos = vp[0].numpy() * n_d + vp[1].numpy()
    neg = np.setdiff1d(np.arange(raw.size), np.concatenate([train, pos]))
    return global_ap(raw.ravel()[pos], raw.ravel()[neg])


def test_global_ap_by_hand():
    # ranking 3+ 2- 1+ 1- 0-: the positive at 3 has precision 1/1; at 1 (tied with a
    # negative, one threshold) 2 positives of 4 pairs >= 1: AP = (1 + 1/2) / 2 = 0.75
    pos, neg = np.array([3.0, 1.0]), np.array([2.0, 0.0, 1.0])
    assert global_ap(pos, neg) == pytest.approx(0.75)
    y = np.r_[np.ones(2), np.zeros(3)]
    assert global_ap(pos, neg) == pytest.approx(average_precision_score(y, np.r_[pos, neg]))


def test_fused_score_is_the_hand_computed_combination(fold):
    m = StackedLink(PARTS, objective="global-aupr").fit(fold)
    parts = [get_model(p, calibrate=False).fit(fold) for p in PARTS]

    def raw(pairs):
        return np.stack([p.decision_function(None, pairs).numpy() for p in parts], 1)

    xv = raw(fold.val.edge_label_index)
    assert np.allclose(m.mean_, xv.mean(0)) and np.allclose(m.std_, xv.std(0))
    test = fold.test.edge_label_index
    want = ((raw(test) - xv.mean(0)) / xv.std(0)) @ m.coef_ + m.intercept_
    assert np.allclose(m.decision_function(None, test).numpy(), want)
    assert (m.coef_ >= 0).all() and m.coef_.sum() > 0
    # the search starts from each part alone, so on validation the fusion is never worse
    n_s, n_d = (int(fold.train_graph[t].num_nodes) for t in (CM[0], CM[2]))
    src, dst = torch.arange(n_s), torch.arange(n_d)
    fused = m.decision_grid(None, src, dst)
    assert block_close(fused.reshape(-1), m.decision_function(
        None, torch.cartesian_prod(src, dst).T), m.block_rtol)
    got = _val_ap(fused.numpy(), fold, n_d)
    assert got == pytest.approx(m.val_global_aupr_, abs=1e-9)
    for p in parts:
        assert got >= _val_ap(p.decision_grid(None, src, dst).numpy(), fold, n_d) - 1e-12


def test_weights_come_from_validation_pairs_only(fold):
    m = StackedLink(PARTS, objective="global-aupr").fit(fold)
    # poison the test pairs: the validation positives and the training positives as test
    # negatives, the validation negatives as test positives
    idx = torch.cat([fold.val.edge_label_index, fold.train.edge_label_index], 1)
    y = torch.cat([1 - fold.val.edge_label, torch.zeros(len(fold.train))])
    poisoned = dataclasses.replace(fold, test=LinkSet(idx, y))
    p = StackedLink(PARTS, objective="global-aupr").fit(poisoned)
    for k in ("coef_", "mean_", "std_"):
        assert np.array_equal(getattr(p, k), getattr(m, k))
    assert p.intercept_ == m.intercept_
    # whereas validation labels move them (so the check above could fail)
    flipped = dataclasses.replace(fold, val=LinkSet(fold.val.edge_label_index,
                                                    1 - fold.val.edge_label))
    v = StackedLink(PARTS, objective="global-aupr").fit(flipped)
    assert not np.allclose(v.coef_, m.coef_)


def test_save_load_keeps_the_fusion(fold, tmp_path):
    m = StackedLink(PARTS, objective="global-aupr").fit(fold)
    back = load(m.save(tmp_path / "f.rg"))
    pairs = fold.test.edge_label_index
    assert back.objective == "global-aupr"
    assert block_close(back.decision_function(None, pairs), m.decision_function(None, pairs),
                       m.block_rtol)


def test_preset_clones_and_refuses_a_bad_objective(fold):
    preset = get_model("struct+ra3+svd")
    assert isinstance(preset, StackedLink)
    assert preset.models == ["struct", "ra3", "svd"] and preset.objective == "global-aupr"
    twin = clone(preset)
    assert twin is not preset and twin.get_params() == preset.get_params()
    fitted = StackedLink(PARTS, objective="global-aupr").fit(fold)
    fresh = clone(fitted)
    assert fresh.get_params() == fitted.get_params() and not hasattr(fresh, "coef_")
    with pytest.raises(ValueError, match="objective='top' must be one of logistic, global-aupr"):
        StackedLink(PARTS, objective="top").fit(fold)
