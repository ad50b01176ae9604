import numpy as np
import pytest
import scipy.sparse as sp
import torch

from rnagraph.nn.encoders import GraRep
from rnagraph.nn.encoders.base import to_adjacency

from .conftest import link_auc


def grarep_dense(adj: np.ndarray, order: int, dim: int) -> np.ndarray:
    """GraRep straight from the paper's equations, dense NumPy."""
    n = adj.shape[0]
    a = adj / adj.sum(1, keepdims=True)  # A = D^-1 S
    ak = np.eye(n)
    blocks = []
    for _ in range(order):
        ak = ak @ a
        gamma = ak.sum(0)
        with np.errstate(divide="ignore"):
            y = np.log(ak / gamma[None, :]) - np.log(1.0 / n)
        y[~np.isfinite(y)] = 0.0
        y = np.maximum(y, 0.0)
        u, s, _ = np.linalg.svd(y)
        blocks.append(u[:, :dim] * np.sqrt(s[:dim]))
    return np.concatenate(blocks, 1)


def align_signs(z: np.ndarray, ref: np.ndarray) -> np.ndarray:
    sign = np.sign((z * ref).sum(0))
    sign[sign == 0] = 1
    return z * sign


def random_graph(n=16, m=40, seed=3):
    rng = np.random.default_rng(seed)
    ei = rng.integers(0, n, (2, m))
    ei = np.concatenate([ei, np.stack([np.arange(n - 1), np.arange(1, n)])], 1)  # connected
    return ei, n


def test_grarep_equals_dense_reference():
    ei, n = random_graph()
    adj = to_adjacency(ei, n).toarray().astype(np.float64)
    ref = grarep_dense(adj, order=3, dim=3)
    z = GraRep(dim=3, order=3).fit_transform(ei, n).double().numpy()
    assert z.shape == (n, 9)
    np.testing.assert_allclose(align_signs(z, ref), ref, atol=2e-4)


def test_dense_switch_and_sparse_path_agree():
    # a dense-ish graph triggers the dense A^k path; bounded mode with huge limits stays sparse
    ei, n = random_graph(n=40, m=300, seed=5)
    exact = GraRep(dim=4, order=3).fit_transform(ei, n)
    sparse = GraRep(dim=4, order=3, max_nnz_per_row=10**6, block_rows=7).fit_transform(ei, n)
    np.testing.assert_allclose(sparse.numpy(), exact.numpy(), atol=1e-4)


def test_bounded_mode_keeps_top_entries_per_row():
    ei, n = random_graph(n=60, m=240, seed=7)
    adj = to_adjacency(ei, n)
    a = sp.diags(1.0 / np.asarray(adj.sum(1)).ravel()) @ adj
    a = a.tocsr().astype(np.float32)
    enc = GraRep(max_nnz_per_row=5, block_rows=16)
    a2 = enc._power_step(a, a)
    exact = (a @ a).toarray()
    assert np.diff(a2.indptr).max() <= 5
    for r in range(n):
        row = a2.getrow(r)
        kept = np.sort(row.data)[::-1]
        np.testing.assert_allclose(kept, np.sort(exact[r][exact[r] > 0])[::-1][:kept.size],
                                   rtol=1e-6)
        np.testing.assert_allclose(row.data, exact[r, row.indices], rtol=1e-6)
    thr = GraRep(prune_threshold=0.05)._power_step(a, a)
    assert thr.data.min() >= 0.05
    assert thr.nnz == int((exact >= 0.05).sum())


def test_pruned_grarep_keeps_link_signal(planted, margin):
    train, n, pos, neg = planted
    z = GraRep(dim=8, order=3, max_nnz_per_row=20).fit_transform(train, n)
    # min 0.836 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("link auc", link_auc(z, pos, neg), 0.75)


def test_link_prediction_planted_partition(planted, margin):
    train, n, pos, neg = planted
    # min 0.837 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("link auc", link_auc(GraRep(dim=8, order=3).fit_transform(train, n), pos, neg),
                 0.8)


def test_determinism_and_seed():
    ei, n = random_graph(n=80, m=300, seed=1)
    a = GraRep(dim=4, order=2, seed=3).fit_transform(ei, n)
    b = GraRep(dim=4, order=2, seed=3).fit_transform(ei, n)
    assert torch.equal(a, b)


def test_isolated_nodes_and_repr():
    ei, n = random_graph()
    z = GraRep(dim=2, order=2).fit_transform(ei, n + 3)
    assert z.shape == (n + 3, 4)
    assert torch.all(z[n:] == 0)
    z0 = GraRep(dim=2, order=2).fit_transform(ei, n)
    assert torch.allclose(z[:n], z0)
    assert repr(GraRep(dim=2, order=3)).startswith("GraRep(dim=2, order=3, n_iter=5")


def test_bad_arguments():
    ei, n = random_graph()
    with pytest.raises(ValueError, match="max_nnz_per_row"):
        GraRep(max_nnz_per_row=0).fit(ei, n)
    with pytest.raises(ValueError, match="order"):
        GraRep(order=0).fit(ei, n)
