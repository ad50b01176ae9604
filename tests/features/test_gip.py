import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from torch_geometric.data import HeteroData

from rnagraph.features import InteractionProfileSimilarity
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA

A = np.array([[1, 0, 1],
              [1, 0, 0],
              [0, 0, 0]])  # row norms^2 = 2, 1, 0 -> mean 1 -> gamma = 1


def test_exact_kernel_with_empty_row_zeroed():
    m = InteractionProfileSimilarity()
    K = m.fit_transform(A)
    assert m.gamma_ == pytest.approx(1.0) and m.empty_.tolist() == [False, False, True]
    e = math.exp
    expected = np.array([[1, e(-1), 0],
                         [e(-1), 1, 0],
                         [0, 0, 1]])
    np.testing.assert_allclose(K, expected, rtol=1e-6)
    assert K.dtype == np.float32


def test_plain_kernel_option_and_gamma_prime():
    K = InteractionProfileSimilarity(empty="kernel").fit_transform(A)
    np.testing.assert_allclose(K[:, 2], [math.exp(-2), math.exp(-1), 1], rtol=1e-6)
    m = InteractionProfileSimilarity(gamma=0.5)
    K = m.fit_transform(A)
    assert m.gamma_ == pytest.approx(0.5) and K[0, 1] == pytest.approx(math.exp(-0.5))


def test_inputs_agree_and_caller_matrix_untouched():
    weighted = sp.csr_matrix(A * 3)
    K_sparse = InteractionProfileSimilarity().fit_transform(weighted)
    assert weighted.data.tolist() == [3, 3, 3]
    ei = torch.tensor([[0, 0, 1], [0, 2, 0]])
    K_ei = InteractionProfileSimilarity().fit_transform((ei, 3, 3))
    K_dense = InteractionProfileSimilarity().fit_transform(torch.tensor(A))
    np.testing.assert_array_equal(K_sparse, K_ei)
    np.testing.assert_array_equal(K_sparse, K_dense)
    # dst side = columns: profiles [1,1,0], [0,0,0], [1,0,0] -> K(0,2) = exp(-1)
    K_dst = InteractionProfileSimilarity(side="dst").fit_transform((ei, 3, 3))
    assert K_dst[0, 2] == pytest.approx(math.exp(-1)) and K_dst[1, 1] == 1 and K_dst[1, 0] == 0


def test_cross_rows_use_fitted_gamma():
    m = InteractionProfileSimilarity().fit(A)
    K = m.transform(np.array([[1, 0, 1], [0, 0, 0]]))
    np.testing.assert_allclose(K, [[1, math.exp(-1), 0], [0, 0, 0]], rtol=1e-6)
    with pytest.raises(ValueError, match="2 columns"):
        m.transform(np.ones((1, 2)))


def test_fit_graph_on_train_graph():
    g = HeteroData()
    g[CIRCRNA].num_nodes = 3
    g[MIRNA].num_nodes = 3
    g[CIRC_MIRNA].edge_index = torch.tensor([[0, 0, 1], [0, 2, 0]])
    K_circ = InteractionProfileSimilarity().fit_graph(g, CIRC_MIRNA, CIRCRNA).transform()
    np.testing.assert_array_equal(K_circ, InteractionProfileSimilarity().fit_transform(A))
    K_mir = InteractionProfileSimilarity().fit_graph(g, CIRC_MIRNA, MIRNA).transform()
    np.testing.assert_array_equal(K_mir, InteractionProfileSimilarity().fit_transform(A.T))
    with pytest.raises(ValueError, match="neither end"):
        InteractionProfileSimilarity().fit_graph(g, CIRC_MIRNA, "mrna")


def test_errors_and_repr():
    with pytest.raises(ValueError, match="no interactions"):
        InteractionProfileSimilarity().fit(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="out of range"):
        InteractionProfileSimilarity().fit((torch.tensor([[0], [5]]), 2, 2))
    with pytest.raises(ValueError, match="gamma=0"):
        InteractionProfileSimilarity(gamma=0).fit(A)
    assert repr(InteractionProfileSimilarity()) == \
        "InteractionProfileSimilarity(gamma=1.0, side='src', empty='zero')"
