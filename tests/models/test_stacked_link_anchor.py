"""StackedLink's anchored global-AUPR fusion (issue 34): maximise the validation AP of the
fused ranking subject to the anchor's validation AUC, degree-matched AUC and MRR; the kept
metrics by hand; weights from validation pairs only."""
import dataclasses

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from rnagraph.data.fold import LinkSet
from rnagraph.models import StackedLink, get_model
from rnagraph.models.stacked_link import _anchored_search, _Panel, _search, global_ap

CM = ("circrna", "binds", "mirna")
PARTS = ["degree", "ra3", "svd"]


@pytest.fixture(scope="module")
def fold(fusion_fold):
    return fusion_fold


def test_kept_metrics_by_hand():
    # scores of a 2 x 4 box; (0, 2) is a training positive; validation positives (0, 0) = 3
    # and (1, 1) = 5; candidates (0, 1) = 4, (0, 3) = 3, (1, 0) = 0, (1, 2) = 1, (1, 3) = 6
    z = np.array([[3.0, 4, 2, 3], [0, 5, 1, 6]])[:, :, None]
    known = np.zeros(8, dtype=bool)
    known[2] = True
    panel = _Panel(z, np.array([0, 5]), known, (np.array([2.0, 1]), np.array([1.0, 1, 1, 3])),
                   True)
    w = np.ones(1)
    # AP: 5 has 1 of 2 pairs >= it positive, 3 has 2 of 5 -> (1/2 + 2/5) / 2
    assert panel.ap(w) == pytest.approx(0.45)
    # uniform AUC: 3 beats 0, 1 and ties 3 -> 2.5 / 5; 5 beats 4, 3, 0, 1 -> 4 / 5
    # degree AUC: (0, 0) in its row (0, 1) w 1 above, (0, 3) w 3 tied -> 1.5 / 4; in its
    # column (1, 0) below -> 1; (1, 1) in its row: (1, 0), (1, 2) w 1 below, (1, 3) w 3
    # above -> 2 / 5; column (0, 1) below -> 1: ((0.375 + 1) / 2 + (0.4 + 1) / 2) / 2
    # MRR src: ranks 1 + 1 + 1/2 (4 above, 3 tied) and 1 + 1 (6 above) -> (0.4 + 0.5) / 2;
    # MRR dst: both first -> 1
    got = panel.guards(w, ["auc", "degree-auc", "mrr"])
    assert panel.guard_names(["auc", "degree-auc", "mrr"]) == ["auc", "degree-auc", "mrr-src",
                                                               "mrr-dst"]
    assert got == pytest.approx([0.65, 0.69375, 0.45, 1.0])
    assert panel.guards(w, ["mrr"]) == pytest.approx([0.45, 1.0])


def test_the_anchor_keeps_its_auc_where_the_free_optimum_drops_it():
    # part a ranks every positive a little higher (AUC ~0.79); part b puts 8 of the 30
    # positives on top but is noisy elsewhere: raising b for the top costs AUC
    rng = np.random.default_rng(0)
    n_s, n_d = 10, 30
    pos = np.sort(rng.choice(n_s * n_d, 30, replace=False))
    y = np.zeros(n_s * n_d, dtype=bool)
    y[pos] = True
    a = rng.normal(0, 1, y.size)
    a[pos] += 1.5
    b = rng.normal(0, 2, y.size)
    b[pos[:8]] = 5.0
    x = np.stack([a, b], -1)
    panel = _Panel(x.reshape(n_s, n_d, 2), pos, np.zeros(y.size, dtype=bool),
                   (np.ones(n_s), np.ones(n_d)), True)

    def auc(w):
        return roc_auc_score(y, x @ w)

    def ap(w):
        return average_precision_score(y, x @ w)

    alone = np.array([1.0, 0.0])
    free = _search(panel, np.array([0.5, 0.5]))
    assert auc(free) < auc(alone) - 0.02          # the premise: the free search drops AUC
    kept = _anchored_search(panel, 2, 0, ["auc"])
    assert kept[0] == 1.0 and kept[1] > 0
    assert auc(kept) >= auc(alone) - 1e-12        # no candidate pair is labelled: same AUC
    assert ap(kept) > ap(alone) + 0.05            # and still a better top
    assert panel.ap(kept) == pytest.approx(ap(kept))


def test_anchored_fit_keeps_every_metric_of_the_anchor_on_validation(fold):
    m = StackedLink(PARTS, objective="global-aupr", anchor="svd").fit(fold)
    assert m.coef_[2] > 0 and (m.coef_ >= 0).all()
    assert set(m.val_fused_) == {"auc", "degree-auc", "mrr-src", "mrr-dst"}
    for k, v in m.val_anchor_.items():
        assert m.val_fused_[k] >= v - 1e-12, k
    # the anchor's own numbers, by hand from its grid: AP and AUC of the validation
    # positives among the pairs that are neither training nor validation positives
    svd = get_model("svd", calibrate=False).fit(fold)
    n_s, n_d = (int(fold.train_graph[t].num_nodes) for t in (CM[0], CM[2]))
    grid = svd.decision_grid(None, torch.arange(n_s), torch.arange(n_d)).numpy().ravel()
    g = fold.train_graph[CM].edge_index
    vp = fold.val.pos_index
    pos = np.unique(vp[0].numpy() * n_d + vp[1].numpy())
    neg = np.setdiff1d(np.arange(grid.size), np.concatenate([g[0].numpy() * n_d +
                                                              g[1].numpy(), pos]))
    y = np.r_[np.ones(pos.size), np.zeros(neg.size)]
    assert m.val_anchor_["auc"] == pytest.approx(roc_auc_score(y, np.r_[grid[pos],
                                                                        grid[neg]]))
    assert m.val_global_aupr_ >= global_ap(grid[pos], grid[neg]) - 1e-12
    assert m.fit_info_["weights"]["svd"] > 0 and "val_fused" in m.fit_info_


def test_anchored_weights_come_from_validation_pairs_only(fold):
    kw = {"objective": "global-aupr", "anchor": "ra3"}
    m = StackedLink(PARTS, **kw).fit(fold)
    idx = torch.cat([fold.val.edge_label_index, fold.train.edge_label_index], 1)
    y = torch.cat([1 - fold.val.edge_label, torch.zeros(len(fold.train))])
    p = StackedLink(PARTS, **kw).fit(dataclasses.replace(fold, test=LinkSet(idx, y)))
    assert np.array_equal(p.coef_, m.coef_) and p.intercept_ == m.intercept_
    assert p.val_fused_ == m.val_fused_
    # moving validation positives moves the fit (so the check above could fail)
    vp = fold.val.pos_index
    half = LinkSet.from_pos_neg(vp[:, : vp.size(1) // 2], fold.val.neg_index)
    v = StackedLink(PARTS, **kw).fit(dataclasses.replace(fold, val=half))
    assert v.val_anchor_ != m.val_anchor_


def test_anchor_parameters(fold):
    with pytest.raises(ValueError, match="anchor='struct' must be one of models"):
        StackedLink(PARTS, objective="global-aupr", anchor="struct").fit(fold)
    with pytest.raises(ValueError, match="anchor='svd' needs objective='global-aupr'"):
        StackedLink(PARTS, anchor="svd").fit(fold)
    with pytest.raises(ValueError, match="keep=\\['top'\\] must name some of auc"):
        StackedLink(PARTS, objective="global-aupr", anchor="svd", keep=["top"]).fit(fold)
