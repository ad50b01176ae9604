import dataclasses

import numpy as np
import pytest
import torch

from rnagraph.data import Fold, LinkSet, build_graph, kfold_link_split
from rnagraph.evaluate import cross_validate
from rnagraph.models import DegreeProduct, PathL3, PathRA3, TruncatedKatz, get_model, load

CM = ("circrna", "binds", "mirna")


def random_fold(n_s, n_d, p=0.3, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.random((n_s, n_d)) < p
    a[1] = False  # a circRNA without training edges
    pairs = [(f"c{i}", f"m{j}") for i, j in zip(*np.nonzero(a))]
    g = build_graph({}, {CM: pairs}, node_ids={"circrna": [f"c{i}" for i in range(n_s)],
                                               "mirna": [f"m{j}" for j in range(n_d)]})
    dense = np.zeros((n_s, n_d))
    dense[g[CM].edge_index[0].numpy(), g[CM].edge_index[1].numpy()] = 1
    neg = torch.from_numpy(np.stack(np.nonzero(dense == 0)))[:, :10]
    ls = LinkSet.from_pos_neg(g[CM].edge_index, neg)
    return Fold(0, CM, g, ls, ls, ls), dense


def reference(a, model):
    """Dense numpy reference of the three path scores."""
    ks, kd = a.sum(1), a.sum(0)
    with np.errstate(divide="ignore"):
        if isinstance(model, PathL3):
            ns, nd = np.where(ks > 0, ks ** -0.5, 0), np.where(kd > 0, kd ** -0.5, 0)
        else:
            ns, nd = np.where(ks > 0, 1 / ks, 0), np.where(kd > 0, 1 / kd, 0)
    if isinstance(model, TruncatedKatz):
        b = model.beta
        return b * a + b ** 3 * a @ a.T @ a
    return a @ np.diag(nd) @ a.T @ np.diag(ns) @ a


@pytest.mark.parametrize("shape", [(8, 5), (5, 8)])
@pytest.mark.parametrize("model", [PathL3(calibrate=False), PathRA3(calibrate=False),
                                   TruncatedKatz(beta=0.3, calibrate=False)])
def test_scores_match_dense_reference(model, shape):
    f, a = random_fold(*shape)
    m = model.fit(f)
    pairs = torch.cartesian_prod(torch.arange(shape[0]), torch.arange(shape[1])).t()
    raw = m.decision_function(None, pairs, batch_size=7)  # several blocks
    assert raw.dtype == torch.float64
    np.testing.assert_allclose(raw.numpy().reshape(shape), reference(a, model), atol=1e-12)
    lonely = a.sum(1) == 0  # the circRNA without training edges: no path
    assert lonely.sum() >= 1 and (raw.reshape(shape)[torch.from_numpy(lonely)] == 0).all()
    src, dst = torch.tensor([shape[0] - 1, 0, 2]), torch.tensor([1, shape[1] - 1, 0])
    grid = m.decision_grid(None, src, dst)    # the block product ranking uses
    np.testing.assert_allclose(grid.numpy(), reference(a, model)[np.ix_(src, dst)], atol=1e-12)


def test_hand_computed_l3_ra_katz():
    # c0-m0, c1-m0, c1-m1: one path c0-m0-c1-m1, degrees k_m0 = 2, k_c1 = 2
    g = build_graph({}, {CM: [("c0", "m0"), ("c1", "m0"), ("c1", "m1")]})
    ls = LinkSet.from_pos_neg(g[CM].edge_index, torch.tensor([[0], [1]]))
    f = Fold(0, CM, g, ls, ls, ls)
    pair = torch.tensor([[0], [1]])
    assert PathL3(calibrate=False).fit(f).decision_function(None, pair).item() == \
        pytest.approx(1 / np.sqrt(2 * 2))
    assert PathRA3(calibrate=False).fit(f).decision_function(None, pair).item() == \
        pytest.approx(1 / (2 * 2))
    # Katz: beta * 0 (not an edge) + beta^3 * 1 path
    assert TruncatedKatz(beta=0.5, calibrate=False).fit(f).decision_function(
        None, pair).item() == pytest.approx(0.125)
    # a training edge (c1, m1): Katz adds beta for the edge itself; its walks
    # c1-m0-c1-m1 and c1-m1-c1-m1 give (A A^T A)[1, 1] = 2
    assert TruncatedKatz(beta=0.5, calibrate=False).fit(f).decision_function(
        None, torch.tensor([[1], [1]])).item() == pytest.approx(0.5 + 0.125 * 2)


def test_fit_ignores_poisoned_test_set():
    f, _ = random_fold(12, 9, seed=2)
    rng = np.random.default_rng(0)
    bad = LinkSet(torch.from_numpy(np.stack([rng.integers(0, 12, 30), rng.integers(0, 9, 30)])),
                  1 - f.test.edge_label[:30] if len(f.test) >= 30 else torch.ones(30))
    pairs = torch.cartesian_prod(torch.arange(12), torch.arange(9)).t()
    for cls in (PathL3, PathRA3, TruncatedKatz):
        a = cls().fit(f)
        b = cls().fit(dataclasses.replace(f, test=bad))
        assert torch.equal(a.decision_function(None, pairs), b.decision_function(None, pairs))
        assert torch.equal(a.score(None, pairs), b.score(None, pairs))


def test_registry_repr_params_and_model_file(tmp_path):
    assert type(get_model("l3")) is PathL3
    assert type(get_model("ra3")) is PathRA3
    assert type(get_model("katz", beta=0.2)) is TruncatedKatz
    assert repr(PathL3()) == "PathL3()"
    assert repr(TruncatedKatz(beta=0.2)) == "TruncatedKatz(beta=0.2)"
    assert TruncatedKatz().get_params() == {"beta": 0.1, "calibrate": True}
    f, _ = random_fold(10, 7, seed=3)
    for bad in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="beta"):
            TruncatedKatz(beta=bad).fit(f)
    m = PathRA3().fit(f)
    back = load(m.save(tmp_path / "ra3.pt"))
    pairs = torch.cartesian_prod(torch.arange(10), torch.arange(7)).t()
    assert type(back) is PathRA3
    assert torch.equal(back.score(None, pairs), m.score(None, pairs))


def test_l3_learns_planted_communities(planted_cm):
    g = planted_cm(n=4, nc=20, nm=12, p_in=0.4)
    folds = kfold_link_split(g, CM, k=3, seed=0)
    res = cross_validate(PathL3(), g, CM, folds, progress=False, curves=False)
    deg = cross_validate(DegreeProduct(), g, CM, folds, progress=False, curves=False)
    # paths of length 3 stay inside the communities (unobserved within-community pairs are
    # drawn as negatives too, which caps the AUC near 0.85); popularity carries no signal
    assert res.mean["auc"] > 0.72 and res.mean["auc"] > deg.mean["auc"] + 0.15
    s = cross_validate(PathL3(), g, CM, folds, progress=False, curves=False,
                       ranking_ks=(5,)).folds[0]
    assert 0 < s["mrr_src"] <= 1 and 0 < s["global_aupr"] <= 1
