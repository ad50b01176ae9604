import pytest
import torch

from rnagraph.data import kfold_link_split
from rnagraph.models.sage_link import SAGELink
from rnagraph.train import binary_metrics

CM = ("circrna", "binds", "mirna")


def test_learns_planted_structure_and_is_seeded(planted_cm):
    g = planted_cm()
    f = kfold_link_split(g, CM, k=5, seed=0)[0]
    state = torch.random.get_rng_state()
    m = SAGELink(hidden_channels=32, epochs=100, seed=0).fit(f)
    assert torch.equal(state, torch.random.get_rng_state())  # global RNG untouched
    p = m.score(f.train_graph, f.test.edge_label_index)
    assert ((p >= 0) & (p <= 1)).all() and p.shape == (len(f.test),)
    assert binary_metrics(f.test.edge_label, p)["auc"] > 0.8
    m2 = SAGELink(hidden_channels=32, epochs=100, seed=0).fit(f)
    assert torch.allclose(p, m2.score(f.train_graph, f.test.edge_label_index))
    assert m.best_epoch_ <= 100 and m.history_
    assert repr(m) == "SAGELink(hidden_channels=32, epochs=100, lr=0.01, calibrate=True)"
    # validation calibration is monotone: same ranking as the plain sigmoid, positive slope
    raw = SAGELink(hidden_channels=32, epochs=100, seed=0, calibrate=False).fit(f)
    p_raw = raw.score(f.train_graph, f.test.edge_label_index)
    assert m.calibrator_.coef_ > 0
    assert binary_metrics(f.test.edge_label, p)["auc"] == pytest.approx(
        binary_metrics(f.test.edge_label, p_raw)["auc"])


def test_unfitted_and_wrong_graph(planted_cm):
    g = planted_cm()
    f = kfold_link_split(g, CM, k=5, seed=0)[0]
    with pytest.raises(ValueError, match="fit"):
        SAGELink().score(g, f.test.edge_label_index)
    m = SAGELink(hidden_channels=8, epochs=5).fit(f)
    with pytest.raises(ValueError, match="nodes"):
        m.score(planted_cm(seed=1, nc=5), f.test.edge_label_index[:, :1])
