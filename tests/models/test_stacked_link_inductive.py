"""StackedLink on an inductive fold (issue 32): objective="global-aupr" ranks every pair of
the validation RNAs (new nodes of ``fold.graph_for("val")``) with every partner; the weights
come from validation pairs only, the fused validation AP is at least each part's, and a new
RNA is scored by each part's own inductive path."""
import dataclasses

import numpy as np
import pytest
import torch

from rnagraph.data import kfold_link_split
from rnagraph.data.fold import LinkSet
from rnagraph.datasets import synthetic
from rnagraph.models import StackedLink, get_model
from rnagraph.models.stacked_link import global_ap

CM = ("circrna", "binds", "mirna")
PARTS = ["seq-vote", "seed-vote", "degree+1"]


@pytest.fixture(scope="module")
def fold():
    return kfold_link_split(synthetic(seed=0), CM, k=5, mode="cold-dst", seed=0,
                            inductive=True)[0]


def _val_ap(grid_of, fold):
    """AP of the validation positives among every pair of the validation miRNAs (rows: all
    circRNAs), from ``grid_of(graph, src, dst)``, by hand."""
    g = fold.graph_for("val")
    src = torch.arange(int(g["circrna"].num_nodes))
    dst = fold.new_nodes("val", "mirna")
    grid = grid_of(g, src, dst).numpy()
    y = np.zeros(grid.shape, dtype=bool)
    vp = fold.val.pos_index
    y[vp[0].numpy(), vp[1].numpy() - int(dst[0])] = True
    return global_ap(grid[y], grid[~y])


def test_inductive_global_aupr_beats_each_part_on_validation(fold):
    assert fold.inductive and fold.new_nodes("val", "mirna").numel() > 0
    m = StackedLink(PARTS, objective="global-aupr").fit(fold)
    fused = _val_ap(m.decision_grid, fold)
    assert fused == pytest.approx(m.val_global_aupr_, abs=1e-9)
    for name in PARTS:
        part = get_model(name, calibrate=False).fit(fold)
        assert fused >= _val_ap(part.decision_grid, fold) - 1e-12, name
    # a test miRNA (never in the fitted graph) scores as the combination of its parts' own
    # scores on the scoring graph
    sg, test = fold.graph_for("test"), fold.test.edge_label_index[:, :40]
    assert int(test[1].min()) >= int(fold.graph_for("val")["mirna"].num_nodes)
    raw = torch.stack([p.decision_function(sg, test) for p in m.models_], 1).numpy()
    want = ((raw - m.mean_) / m.std_) @ m.coef_ + m.intercept_
    assert np.allclose(m.decision_function(sg, test).numpy(), want)
    assert set(m.scoring_status(sg, test)) == {"sequence"}


def test_inductive_weights_come_from_validation_pairs_only(fold):
    m = StackedLink(PARTS, objective="global-aupr").fit(fold)
    # poisoned test pairs: validation positives as test negatives and the reverse
    idx = fold.val.edge_label_index
    p = StackedLink(PARTS, objective="global-aupr").fit(
        dataclasses.replace(fold, test=LinkSet(idx, 1 - fold.val.edge_label)))
    assert np.array_equal(p.coef_, m.coef_) and p.intercept_ == m.intercept_
    # validation labels move them (so the check above could fail)
    v = StackedLink(PARTS, objective="global-aupr").fit(
        dataclasses.replace(fold, val=LinkSet(idx, 1 - fold.val.edge_label)))
    assert not np.allclose(v.coef_, m.coef_)
