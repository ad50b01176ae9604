import numpy as np
import pytest
import torch
from torch_geometric.data import HeteroData

from rnagraph.features import STRUCTURAL_FEATURES, StructuralPairFeatures

ET = ("circrna", "binds", "mirna")


def _graph(a: np.ndarray) -> HeteroData:
    g = HeteroData()
    g["circrna"].num_nodes, g["mirna"].num_nodes = a.shape
    g[ET].edge_index = torch.from_numpy(np.stack(np.nonzero(a)).astype(np.int64))
    return g


def _dense(a: np.ndarray, s: int, d: int, power: float) -> list[float]:
    """The seven features of (s, d) from the dense definition, on ``a`` without edge (s, d)."""
    a = a.astype(float).copy()
    a[s, d] = 0.0
    ks, kd = a.sum(1), a.sum(0)
    out = [np.log1p(ks[s]), np.log1p(kd[d])]
    for q in (0.0, 0.5, 1.0):
        x = sum(a[s, d2] * a[s2, d2] * a[s2, d] / (kd[d2] * ks[s2]) ** q
                for d2 in range(a.shape[1]) for s2 in range(a.shape[0])
                if a[s, d2] * a[s2, d2] * a[s2, d] > 0)
        out.append(np.log1p(x))
    def cos(m, i, j):
        k = m.sum(1)
        return 0.0 if k[i] * k[j] == 0 else (m[i] @ m[j]) / np.sqrt(k[i] * k[j])
    out.append(np.log1p(sum(cos(a, s, s2) ** power * a[s2, d]
                            for s2 in range(a.shape[0]) if s2 != s)))
    out.append(np.log1p(sum(cos(a.T, d, d2) ** power * a[s, d2]
                            for d2 in range(a.shape[1]) if d2 != d)))
    return out


@pytest.fixture
def adj() -> np.ndarray:
    rng = np.random.default_rng(3)
    a = (rng.random((9, 7)) < 0.4).astype(int)
    a[0, :3] = 1
    a[1, :3] = 1          # 0 and 1 are twins on columns 0-2
    a[0, 3:] = a[1, 3:] = 0
    return a


@pytest.mark.parametrize("power", [1.0, 2.5])
def test_every_pair_matches_the_dense_reference_without_its_own_edge(adj, power):
    f = StructuralPairFeatures(power=power).fit(_graph(adj), ET)
    s, d = np.meshgrid(np.arange(9), np.arange(7), indexing="ij")
    pairs = torch.from_numpy(np.stack([s.ravel(), d.ravel()]))
    got = f.transform(pairs).numpy()
    want = np.array([_dense(adj, i, j, power) for i, j in zip(s.ravel(), d.ravel())])
    assert got.shape == (63, len(STRUCTURAL_FEATURES))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_grid_block_matches_the_dense_reference_and_transform(adj):
    f = StructuralPairFeatures(power=2.0).fit(_graph(adj), ET)
    src, dst = np.array([5, 0, 8, 1]), np.array([2, 6, 0, 4, 1])    # unsorted, own edges inside
    got = f.transform_grid(torch.from_numpy(src), dst).numpy()
    want = np.array([_dense(adj, i, j, 2.0) for i in src for j in dst])
    assert got.dtype == np.float64 and got.shape == (20, len(STRUCTURAL_FEATURES))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    pairs = torch.from_numpy(np.stack([np.repeat(src, 5), np.tile(dst, 4)]))
    np.testing.assert_allclose(got, f.transform(pairs).numpy(), rtol=1e-6, atol=1e-7)
    assert f.transform_grid(src[:0], dst).shape == (0, len(STRUCTURAL_FEATURES))


def test_a_training_positive_ignores_its_own_edge_hand_computed():
    # circRNAs 0, 1 both bind miRNAs 0 and 1; circRNA 2 binds miRNA 1 only.
    a = np.array([[1, 1], [1, 1], [0, 1]])
    f = StructuralPairFeatures(power=1.0).fit(_graph(a), ET)
    x = f.transform(torch.tensor([[0], [0]])).numpy()[0]
    # without edge (0, 0): circRNA 0 binds {1}; miRNA 0 binds {1}
    assert x[0] == pytest.approx(np.log1p(1)) and x[1] == pytest.approx(np.log1p(1))
    # walks 0 - m1 - c' - m0: c' = 1 only (c 2 misses m0): count 1, l3 1/sqrt(3*2), ra 1/6
    assert x[2] == pytest.approx(np.log1p(1.0))
    assert x[3] == pytest.approx(np.log1p(1 / np.sqrt(6)), rel=1e-6)
    assert x[4] == pytest.approx(np.log1p(1 / 6), rel=1e-6)
    # cf_src: c' = 1 binds m0; cos(0, 1) = |{m1}| / sqrt(1 * 2)
    assert x[5] == pytest.approx(np.log1p(1 / np.sqrt(2)), rel=1e-6)
    # cf_dst: m' = 1 is bound by c 0; cos(m0, m1) = |{c1}| / sqrt(1 * 3)
    assert x[6] == pytest.approx(np.log1p(1 / np.sqrt(3)), rel=1e-6)
    # with its edge in place, the unobserved pair (2, 0) is scored on the full graph
    y = f.transform(torch.tensor([[2], [0]])).numpy()[0]
    assert y[0] == pytest.approx(np.log1p(1)) and y[1] == pytest.approx(np.log1p(2))


def test_bad_power_and_unfitted_raise():
    bad = StructuralPairFeatures(power=0)          # accepted until fit (scikit-learn)
    with pytest.raises(ValueError, match="StructuralPairFeatures: power=0 must be > 0"):
        bad.fit(_graph(np.ones((2, 2))), ET)
    with pytest.raises(ValueError, match="fit"):
        StructuralPairFeatures().transform(torch.zeros(2, 1, dtype=torch.long))
    assert repr(StructuralPairFeatures(3.0)) == "StructuralPairFeatures(power=3.0)"
