import numpy as np
import pytest
import torch

from rnagraph.data import Fold, LinkSet, build_graph, kfold_link_split
from rnagraph.evaluate import cross_validate
from rnagraph.models.degree_product import DegreeProduct

CM = ("circrna", "binds", "mirna")


def fold():
    g = build_graph({}, {CM: [("a", "x"), ("a", "y"), ("b", "x"), ("c", "z")]},
                    node_ids={"circrna": ["d"]})
    train = LinkSet.from_pos_neg(g[CM].edge_index, torch.tensor([[1, 2, 3, 3], [1, 0, 0, 2]]))
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    return Fold(0, CM, g, train, empty, empty)


def test_hand_computed_scores():
    f = fold()
    # degrees: circ a=2 b=1 c=1 d=0; mirna x=2 y=1 z=1
    m = DegreeProduct(calibrate=False).fit(f)
    pairs = torch.tensor([[0, 0, 3, 1], [0, 2, 0, 1]])
    expect = torch.tensor([1 - 1 / 5, 1 - 1 / 3, 0.0, 1 - 1 / 2])
    assert torch.allclose(m.score(f.train_graph, pairs), expect.double())
    assert torch.allclose(m.decision_function(f.train_graph, pairs), torch.log1p(torch.tensor(
        [4.0, 2.0, 0.0, 1.0], dtype=torch.float64)))
    mc = DegreeProduct().fit(f)
    p = mc.score(f.train_graph, pairs)
    assert ((p > 0) & (p < 1)).all()
    assert mc.calibrator_.coef_ > 0  # larger products are more likely here
    assert torch.equal(p.argsort(), expect.argsort())  # calibration is monotone
    assert repr(mc) == "DegreeProduct()"


def test_unfitted_raises():
    with pytest.raises(ValueError, match="fit"):
        DegreeProduct().score(fold().train_graph, torch.zeros(2, 1, dtype=torch.long))


@pytest.mark.realdata
def test_cmi9589_warm_auc(real_root):
    from rnagraph.datasets import load
    g = load("cmi-9589", root=real_root)
    folds = kfold_link_split(g, CM, k=5, seed=0)
    res = cross_validate(DegreeProduct(), g, CM, folds, progress=False, curves=False)
    assert 0.78 <= res.mean["auc"] <= 0.84, res.summary("auc")


def test_smoothing_ranks_unseen_pairs_by_the_known_side():
    f = fold()
    # degrees: circ a=2 b=1 c=1 d=0; mirna x=2 y=1 z=1; circRNA d is unseen
    m = DegreeProduct(calibrate=False, smoothing=1).fit(f)
    pairs = torch.tensor([[3, 3, 0, 1], [0, 1, 0, 1]])  # (d,x) (d,y) (a,x) (b,y)
    raw = m.decision_function(f.train_graph, pairs)
    assert torch.allclose(raw, torch.log1p(torch.tensor([3.0, 2.0, 9.0, 4.0],
                                                         dtype=torch.float64)))
    assert raw[0] > raw[1]  # without smoothing (d,x) and (d,y) both score 0 and tie
    plain = DegreeProduct(calibrate=False).fit(f).decision_function(f.train_graph, pairs)
    assert plain[0] == plain[1] == 0
    assert repr(m) == "DegreeProduct(calibrate=False, smoothing=1)"
    assert DegreeProduct().get_params() == {"calibrate": True, "smoothing": 0.0}
    assert m.get_params() == {"calibrate": False, "smoothing": 1}
    for bad in (-1, float("nan")):
        with pytest.raises(ValueError, match="smoothing"):
            DegreeProduct(smoothing=bad).fit(f)


def test_smoothing_beats_chance_in_cold_start():
    # pair probability proportional to both endpoints' popularity
    rng = np.random.default_rng(0)
    wc, wm = rng.uniform(0.05, 1, 60), rng.uniform(0.05, 1, 40)
    g = build_graph({}, {CM: [(f"c{i}", f"m{j}") for i in range(60) for j in range(40)
                              if rng.random() < 0.5 * wc[i] * wm[j]]})
    folds = kfold_link_split(g, CM, k=3, seed=0, mode="cold-dst")
    plain = cross_validate(DegreeProduct(), g, CM, folds, progress=False)
    smooth = cross_validate(DegreeProduct(smoothing=1), g, CM, folds, progress=False)
    assert plain.mean["auc"] == pytest.approx(0.5)  # every test pair has an unseen miRNA
    assert smooth.mean["auc"] > 0.6  # planted circRNA popularity carries signal
