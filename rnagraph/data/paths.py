r"""Length-3 path scores on a bipartite interaction graph, as two sparse factors.

For a bipartite adjacency :math:`A \in \{0, 1\}^{N_s \times N_d}` (sources x destinations)
with degrees :math:`k`, the three scores of a pair :math:`(s, d)` sum over the paths
:math:`s - d' - s' - d` (walks, strictly: :math:`d' = d` or :math:`s' = s` are included):

.. math::
    \text{count}_{sd} = (A A^\top A)_{sd}, \qquad
    \text{L3}_{sd} = \sum_{d', s'} \frac{a_{sd'} a_{s'd'} a_{s'd}}{\sqrt{k_{d'} k_{s'}}}
    = (A D_d^{-1/2} A^\top D_s^{-1/2} A)_{sd}, \qquad
    \text{RA3}_{sd} = (A D_d^{-1} A^\top D_s^{-1} A)_{sd}.

L3 is Kovács et al. (Nat. Commun. 2019); RA3 is resource allocation along the same paths
(each intermediate node splits its resource among its neighbours). The product is kept as two
sparse factors :math:`X` ``[N_s, K]`` and :math:`Y` ``[N_d, K]`` with score
:math:`= X_s \cdot Y_d`, where the inner dimension :math:`K = \min(N_s, N_d)` puts the square
middle product on the smaller side; no dense :math:`N_s \times N_d` matrix is formed unless a
caller asks for rows of it (:func:`path3_rows`).

Used by the ``"hard"`` negatives of :func:`~rnagraph.data.kfold_link_split` and by the path
baselines of :mod:`rnagraph.models`.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.typing import EdgeType

WEIGHTS = ("count", "l3", "ra")


def bipartite_adjacency(graph: HeteroData, edge_type: EdgeType,
                        codes: np.ndarray | None = None) -> sp.csr_matrix:
    """The binary ``[N_src, N_dst]`` CSR adjacency of ``edge_type`` in ``graph`` (or of the
    int64 pair ``codes`` :math:`s N_{dst} + d` when given); duplicate edges count once."""
    n_s, n_d = int(graph[edge_type[0]].num_nodes), int(graph[edge_type[2]].num_nodes)
    if codes is not None:
        codes = np.asarray(codes, dtype=np.int64)
        row, col = codes // n_d, codes % n_d
    elif edge_type in graph.edge_types and "edge_index" in graph[edge_type]:
        ei = graph[edge_type].edge_index
        ei = ei.numpy() if isinstance(ei, Tensor) else np.asarray(ei)
        row, col = ei[0], ei[1]
    else:
        row = col = np.empty(0, dtype=np.int64)
    a = sp.csr_matrix((np.ones(len(row)), (row, col)), shape=(n_s, n_d))
    a.data[:] = 1.0
    return a


def _inv(deg: np.ndarray, power: float) -> sp.dia_matrix:
    with np.errstate(divide="ignore"):
        inv = np.where(deg > 0, deg.astype(np.float64) ** -power, 0.0)
    return sp.diags(inv)


def path3_factors(a: sp.spmatrix, weight: str = "l3") -> tuple[sp.csr_matrix, sp.csr_matrix]:
    r"""Factors :math:`(X, Y)` with :math:`X Y^\top` = the ``weight`` path-3 score matrix.

    Args:
        a (scipy.sparse matrix): ``[N_s, N_d]`` binary adjacency.
        weight (str): ``"count"``, ``"l3"`` (:math:`1/\sqrt{k_{d'} k_{s'}}`) or ``"ra"``
            (:math:`1/(k_{d'} k_{s'})`). (default: ``"l3"``)

    Returns:
        tuple: CSR ``X [N_s, K]`` and ``Y [N_d, K]``, :math:`K = \min(N_s, N_d)`.
    """
    if weight not in WEIGHTS:
        raise ValueError(f"path3_factors: unknown weight {weight!r}; expected one of {WEIGHTS}")
    a = sp.csr_matrix(a, dtype=np.float64)
    power = {"count": 0.0, "l3": 0.5, "ra": 1.0}[weight]
    ns = _inv(np.asarray(a.sum(1)).ravel(), power)
    nd = _inv(np.asarray(a.sum(0)).ravel(), power)
    if a.shape[0] <= a.shape[1]:   # X = A Nd A^T Ns  [N_s, N_s],  Y = A^T  [N_d, N_s]
        x = a @ nd @ a.T @ ns
        y = a.T
    else:                          # X = A  [N_s, N_d],  Y = (Nd A^T Ns A)^T  [N_d, N_d]
        x = a
        y = (nd @ a.T @ ns @ a).T
    return sp.csr_matrix(x), sp.csr_matrix(y)


def path3_block(x: sp.csr_matrix, y: sp.csr_matrix, src: np.ndarray, dst: np.ndarray
                ) -> np.ndarray:
    """Dense scores ``float64 [len(src), len(dst)]`` of every pair of sources ``src`` and
    destinations ``dst``: one sparse product :math:`X_{[src]} Y_{[dst]}^\top`."""
    return np.asarray((x[src] @ y[dst].T).toarray(), dtype=np.float64)


def path3_pairs(x: sp.csr_matrix, y: sp.csr_matrix, src: np.ndarray, dst: np.ndarray,
                max_block: int = 1 << 22) -> np.ndarray:
    """Scores ``[B]`` of the pairs ``(src[i], dst[i])``.

    When the distinct sources and destinations of the batch span at most ``max_block``
    entries (a block of all-pair scoring, or a few thousand test pairs), that sub-block
    ``X[src] Y[dst]^T`` is one sparse product and the pairs are gathered from it; otherwise
    the pairs are row-wise dot products of the factor rows. Neither forms the full
    :math:`N_s \times N_d` matrix.
    """
    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    us, si = np.unique(src, return_inverse=True)
    ud, di = np.unique(dst, return_inverse=True)
    if us.size * ud.size <= max(max_block, 4 * src.size):
        return path3_block(x, y, us, ud)[si, di]
    return np.asarray(x[src].multiply(y[dst]).sum(1), dtype=np.float64).ravel()


def path3_rows(x: sp.csr_matrix, y: sp.csr_matrix, rows: np.ndarray,
               by_src: bool = True) -> np.ndarray:
    """Dense score rows: ``[len(rows), N_d]`` for source ``rows`` (``by_src``), else
    ``[len(rows), N_s]`` for destination ``rows``."""
    rows = np.asarray(rows, dtype=np.int64)
    out = x[rows] @ y.T if by_src else y[rows] @ x.T
    return np.asarray(out.todense() if sp.issparse(out) else out, dtype=np.float64)


__all__ = ["bipartite_adjacency", "path3_factors", "path3_block", "path3_pairs", "path3_rows",
           "WEIGHTS"]
