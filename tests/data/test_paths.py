import numpy as np
import pytest
import scipy.sparse as sp

from rnagraph.data import build_graph
from rnagraph.data.paths import bipartite_adjacency, path3_factors, path3_pairs, path3_rows

CM = ("circrna", "binds", "mirna")


def dense_path3(a, weight):
    """Reference: the path-3 score matrix with dense numpy."""
    power = {"count": 0.0, "l3": 0.5, "ra": 1.0}[weight]
    ks, kd = a.sum(1), a.sum(0)
    with np.errstate(divide="ignore"):
        ns = np.where(ks > 0, ks.astype(float) ** -power, 0.0)
        nd = np.where(kd > 0, kd.astype(float) ** -power, 0.0)
    return a @ np.diag(nd) @ a.T @ np.diag(ns) @ a


@pytest.mark.parametrize("shape", [(6, 9), (9, 6)])  # middle product on either side
@pytest.mark.parametrize("weight", ["count", "l3", "ra"])
def test_factors_rows_and_pairs_match_dense(shape, weight):
    rng = np.random.default_rng(1)
    a = (rng.random(shape) < 0.35).astype(float)
    a[0] = 0  # a node without edges scores 0 everywhere
    ref = dense_path3(a, weight)
    x, y = path3_factors(sp.csr_matrix(a), weight)
    assert x.shape[1] == y.shape[1] == min(shape)
    np.testing.assert_allclose((x @ y.T).toarray(), ref, atol=1e-12)
    np.testing.assert_allclose(path3_rows(x, y, [2, 0, 4]), ref[[2, 0, 4]], atol=1e-12)
    np.testing.assert_allclose(path3_rows(x, y, [1, 3], by_src=False), ref[:, [1, 3]].T,
                               atol=1e-12)
    s = rng.integers(0, shape[0], 40)
    d = rng.integers(0, shape[1], 40)
    # the gathered sub-block and the row-wise branch agree with the reference
    np.testing.assert_allclose(path3_pairs(x, y, s, d), ref[s, d], atol=1e-12)
    np.testing.assert_allclose(path3_pairs(x, y, s, d, max_block=0), ref[s, d], atol=1e-12)
    assert (ref[0] == 0).all()


def test_hand_computed_l3():
    # c0-m0, c1-m0, c1-m1: L3(c0, m1) = path c0-m0-c1-m1 / sqrt(k_m0 k_c1) = 1 / sqrt(2 * 2)
    g = build_graph({}, {CM: [("c0", "m0"), ("c1", "m0"), ("c1", "m1")]})
    a = bipartite_adjacency(g, CM)
    assert a.toarray().tolist() == [[1, 0], [1, 1]]
    x, y = path3_factors(a, "l3")
    assert path3_pairs(x, y, [0], [1])[0] == pytest.approx(0.5)
    # RA divides by the degrees themselves: 1 / (2 * 2)
    x, y = path3_factors(a, "ra")
    assert path3_pairs(x, y, [0], [1])[0] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="weight"):
        path3_factors(a, "katz")
