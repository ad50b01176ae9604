import numpy as np
import pytest
import torch

from rnagraph.features import similarity_graph

S = np.array([[1.0, 0.9, 0.2, 0.6],
              [0.9, 1.0, 0.5, 0.1],
              [0.2, 0.5, 1.0, 0.4],
              [0.6, 0.1, 0.4, 1.0]])


def edges(ei, ew):
    return [(int(a), int(b), round(float(w), 6)) for (a, b), w in zip(ei.t(), ew)]


def test_threshold_exact():
    ei, ew = similarity_graph(S, threshold=0.5, metric="precomputed")
    assert ei.dtype == torch.long and ew.dtype == torch.float32
    assert edges(ei, ew) == [(0, 1, 0.9), (0, 3, 0.6), (1, 0, 0.9), (1, 2, 0.5), (2, 1, 0.5),
                             (3, 0, 0.6)]
    # default threshold is 0.5
    assert edges(*similarity_graph(S, metric="precomputed")) == edges(ei, ew)


def test_knn_exact():
    directed = similarity_graph(S, knn=1, metric="precomputed", symmetric=False)
    assert edges(*directed) == [(0, 1, 0.9), (1, 0, 0.9), (2, 1, 0.5), (3, 0, 0.6)]
    sym = similarity_graph(S, knn=1, metric="precomputed")
    assert edges(*sym) == [(0, 1, 0.9), (0, 3, 0.6), (1, 0, 0.9), (1, 2, 0.5), (2, 1, 0.5),
                           (3, 0, 0.6)]
    two = similarity_graph(S, knn=2, metric="precomputed", symmetric=False)
    assert edges(*two)[:2] == [(0, 1, 0.9), (0, 3, 0.6)] and two[0].shape[1] == 8


def test_self_loops_and_mask():
    ei, ew = similarity_graph(S, threshold=0.95, metric="precomputed", self_loops=True)
    assert edges(ei, ew) == [(i, i, 1.0) for i in range(4)]
    masked = similarity_graph(S, threshold=0.5, metric="precomputed",
                              mask=torch.tensor([True, True, False, True]))
    assert edges(*masked) == [(0, 1, 0.9), (0, 3, 0.6), (1, 0, 0.9), (3, 0, 0.6)]
    knn_masked = similarity_graph(S, knn=3, metric="precomputed", symmetric=False,
                                  mask=[True, True, False, True])
    assert all(2 not in e[:2] for e in edges(*knn_masked))
    assert knn_masked[0].shape[1] == 6  # 3 valid nodes x 2 valid neighbours


def test_cosine_from_features_zero_row_isolated():
    x = torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    ei, ew = similarity_graph(x, threshold=0.5)
    assert edges(ei, ew) == [(0, 1, 1.0), (1, 0, 1.0)]


def test_threshold_capped_by_knn():
    # threshold 0.55 alone keeps 0->3; knn=1 alone keeps 2->1 (0.5); both: neither
    ei, ew = similarity_graph(S, threshold=0.55, knn=1, metric="precomputed", symmetric=False)
    assert edges(ei, ew) == [(0, 1, 0.9), (1, 0, 0.9), (3, 0, 0.6)]
    sym = similarity_graph(S, threshold=0.55, knn=1, metric="precomputed")
    assert edges(*sym) == [(0, 1, 0.9), (0, 3, 0.6), (1, 0, 0.9), (3, 0, 0.6)]


def test_errors():
    with pytest.raises(ValueError, match="square"):
        similarity_graph(S[:3], metric="precomputed")
    with pytest.raises(ValueError, match="metric='l2'"):
        similarity_graph(S, metric="l2")
    with pytest.raises(ValueError, match="NaN"):
        similarity_graph(np.full((2, 2), np.nan), metric="precomputed")
