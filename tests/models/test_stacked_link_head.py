"""StackedLink's head (issue 34): the pairs the unconstrained fusion ranks highest come
first, ordered by it, and the anchored fusion ranks the rest; the cascade by hand, the size
chosen on validation pairs only within ``tol`` of the anchor, saved with the model."""
import dataclasses

import numpy as np
import pytest
import torch

from rnagraph.data.fold import LinkSet
from rnagraph.models import StackedLink, load
from rnagraph.models.base import block_close
from rnagraph.models.stacked_link import _cascade, _Panel

CM = ("circrna", "binds", "mirna")
PARTS = ["degree", "ra3", "svd"]
HEAD = {"objective": "global-aupr", "anchor": "svd", "keep": ["auc"]}


@pytest.fixture(scope="module")
def fold(fusion_fold):
    return fusion_fold


def _grid(m, fold):
    n_s, n_d = (int(fold.train_graph[t].num_nodes) for t in (CM[0], CM[2]))
    return m.decision_grid(None, torch.arange(n_s), torch.arange(n_d)).numpy(), n_d


def test_cascade_by_hand():
    # two parts; anchored s = z0 + 1, unconstrained f = z1, threshold 2, top 10
    z = np.array([[0.0, 3.0], [5.0, 1.0], [1.0, 2.0], [2.0, 0.5]])
    got = _cascade(np.array([1.0, 0.0]), 1.0, np.array([0.0, 1.0]), 2.0, 10.0)(z)
    # rows 0 and 2 have f >= 2: 10 + (3 - 2), 10 + 0; the others s = z0 + 1
    assert got.tolist() == [11.0, 6.0, 10.0, 3.0]


def test_head_pairs_come_first_in_the_unconstrained_order(fold):
    m = StackedLink(PARTS, head=30, **HEAD).fit(fold)
    assert m.head_ == 30 and m.fit_info_["head"] == 30
    grid, n_d = _grid(m, fold)
    raw = torch.stack([p.decision_grid(None, torch.arange(grid.shape[0]), torch.arange(n_d))
                       for p in m.models_], -1).double().numpy()
    z = (raw - m.mean_) / m.std_
    f, lin = z @ m.free_, z @ m.coef_ + m.intercept_
    head = f >= m.tau_
    # the 30 pairs were counted among the validation panel's candidates (no training edge)
    g = fold.train_graph[CM].edge_index.numpy()
    cand = np.ones(grid.shape, dtype=bool)
    cand[g[0], g[1]] = False
    assert (head & cand).sum() == 30
    assert grid[head & cand].min() > lin[cand].max() - 1e-9     # above every other candidate
    assert np.allclose(grid[head], m.top_ + f[head] - m.tau_)    # ordered by f
    assert np.allclose(grid[~head], lin[~head])                 # the rest: anchored fusion


def test_auto_head_keeps_the_anchor_within_tol_and_lifts_validation_ap(fold):
    strict = StackedLink(PARTS, head="auto", tol=0.0, **HEAD).fit(fold)
    loose = StackedLink(PARTS, head="auto", tol=1.0, **HEAD).fit(fold)
    plain = StackedLink(PARTS, **HEAD).fit(fold)
    for m in (strict, loose):
        assert m.val_global_aupr_ >= plain.val_global_aupr_ - 1e-12
        assert m.val_fused_["auc"] >= m.val_anchor_["auc"] - m.tol - 1e-12
    # with every size allowed, the choice is the best validation AP among the tried sizes
    tried = loose.fit_info_["val_heads"]
    if loose.head_:
        assert tried[loose.head_] == max(tried.values())
        assert loose.val_global_aupr_ > plain.val_global_aupr_


def test_head_is_fitted_on_validation_pairs_only(fold):
    m = StackedLink(PARTS, head=30, **HEAD).fit(fold)
    idx = torch.cat([fold.val.edge_label_index, fold.train.edge_label_index], 1)
    y = torch.cat([1 - fold.val.edge_label, torch.zeros(len(fold.train))])
    p = StackedLink(PARTS, head=30, **HEAD).fit(dataclasses.replace(fold, test=LinkSet(idx, y)))
    assert (p.tau_, p.top_) == (m.tau_, m.top_) and np.array_equal(p.free_, m.free_)
    vp = fold.val.pos_index           # moving validation positives moves it (could fail)
    half = LinkSet.from_pos_neg(vp[:, : vp.size(1) // 2], fold.val.neg_index)
    v = StackedLink(PARTS, head=30, **HEAD).fit(dataclasses.replace(fold, val=half))
    assert (v.tau_, v.top_) != (m.tau_, m.top_)


def test_save_load_keeps_the_head(fold, tmp_path):
    m = StackedLink(PARTS, head=30, **HEAD).fit(fold)
    back = load(m.save(tmp_path / "h.rg"))
    assert back.head_ == 30
    pairs = fold.test.edge_label_index
    assert block_close(back.decision_function(None, pairs), m.decision_function(None, pairs),
                       m.block_rtol)


def test_panel_scores_a_callable_as_its_weights():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 5, 2))
    panel = _Panel(z, np.array([0, 7, 13]), np.zeros(20, dtype=bool),
                   (np.ones(4), np.ones(5)), True)
    w = np.array([0.3, 0.7])
    assert panel.ap(lambda x: x @ w) == panel.ap(w)
    assert np.array_equal(panel.guards(lambda x: x @ w, ["auc", "degree-auc", "mrr"]),
                          panel.guards(w, ["auc", "degree-auc", "mrr"]))


def test_head_parameters(fold):
    with pytest.raises(ValueError, match="head=0 must be a positive integer or 'auto'"):
        StackedLink(PARTS, head=0, **HEAD).fit(fold)
    with pytest.raises(ValueError, match="head='auto' needs an anchor"):
        StackedLink(PARTS, objective="global-aupr", head="auto").fit(fold)
    with pytest.raises(ValueError, match="tol=-0.1 must be >= 0"):
        StackedLink(PARTS, head="auto", tol=-0.1, **HEAD).fit(fold)
