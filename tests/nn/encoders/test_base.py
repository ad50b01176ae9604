import numpy as np
import pytest
import torch

from rnagraph.nn.encoders import HOPE, GraRep
from rnagraph.nn.encoders.base import ridge_fill, to_adjacency


def test_adjacency_symmetrises_dedups_and_drops_self_loops():
    adj = to_adjacency(torch.tensor([[0, 1, 1, 2, 2], [1, 0, 1, 0, 0]]), 4).toarray()
    expected = np.array([[0, 1, 1, 0], [1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
    assert np.array_equal(adj, expected)


@pytest.mark.parametrize("bad,match", [
    (np.zeros((3, 2), dtype=int), "shape"),
    (np.array([[0, -1], [1, 2]]), "negative"),
    (np.array([[0.0, 1.0], [1.0, 2.0]]), "integers"),
])
def test_adjacency_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        to_adjacency(bad)


def test_num_nodes_too_small():
    with pytest.raises(ValueError, match="num_nodes=2"):
        GraRep().fit(np.array([[0], [4]]), 2)


def test_edge_order_and_direction_do_not_matter():
    rng = np.random.default_rng(0)
    ei = rng.integers(0, 30, (2, 80))
    shuffled = ei[:, rng.permutation(80)][::-1]  # reversed direction, new order
    doubled = np.concatenate([ei, ei], 1)
    z = HOPE(dim=6).fit_transform(ei, 30)
    assert torch.equal(z, HOPE(dim=6).fit_transform(shuffled.copy(), 30))
    assert torch.equal(z, HOPE(dim=6).fit_transform(doubled, 30))


def test_cold_start_modes():
    ei = np.array([[0, 1, 2, 3], [1, 2, 3, 0]])
    zeros = GraRep(dim=2, order=1).fit_transform(ei, 6)
    assert torch.all(zeros[4:] == 0) and zeros[:4].abs().sum() > 0
    enc = GraRep(dim=2, order=1, cold_start="mean").fit(ei, 6)
    z = enc.transform()
    assert torch.allclose(z[4], zeros[:4].mean(0)) and torch.allclose(z[5], z[4])
    assert enc.cold_mask_.tolist() == [False] * 4 + [True] * 2
    # feature fallback: embedding is an exact linear function of x on the warm nodes
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
    w = torch.randn(3, 2, generator=torch.Generator().manual_seed(1))
    enc.embedding_ = torch.cat([x[:4] @ w, torch.zeros(2, 2)])
    pred = enc.transform(x=x, alpha=1e-9)
    assert torch.allclose(pred[4:], x[4:] @ w, atol=1e-3)
    assert torch.all(enc.embedding_[4:] == 0)  # transform does not alter the fitted state
    with pytest.raises(ValueError, match="x must have shape"):
        enc.transform(x=torch.zeros(5, 3))
    with pytest.raises(ValueError, match="cold_start"):
        GraRep(cold_start="random").fit(ei, 6)


def test_ridge_fill_intercept():
    x = torch.tensor([[0.0], [1.0], [2.0]])
    y = 3 * x + 1
    assert torch.allclose(ridge_fill(x, y, torch.tensor([[4.0]]), alpha=1e-9),
                          torch.tensor([[13.0]]), atol=1e-4)


def test_params_clone_and_unfitted_error():
    enc = GraRep(dim=4, order=2)
    assert enc.get_params()["dim"] == 4
    twin = enc.set_params(order=3).clone()
    assert twin.order == 3 and twin is not enc and not hasattr(twin, "embedding_")
    with pytest.raises(ValueError, match="Invalid parameter 'dims'"):
        enc.set_params(dims=3)
    with pytest.raises(RuntimeError, match="not fitted"):
        enc.transform()
