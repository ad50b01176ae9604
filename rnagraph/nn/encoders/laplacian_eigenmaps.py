"""Laplacian eigenmaps (Belkin & Niyogi, NIPS 2001)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from rnagraph.nn.encoders.base import GraphEncoder


class LaplacianEigenmaps(GraphEncoder):
    r"""Laplacian eigenmaps from `"Laplacian Eigenmaps and Spectral Techniques for Embedding
    and Clustering" <https://papers.nips.cc/paper/1961>`_ (Belkin & Niyogi, NIPS 2001).

    The embedding solves the generalised eigenproblem
    :math:`\mathbf{L}\mathbf{y} = \lambda \mathbf{D}\mathbf{y}` with
    :math:`\mathbf{L} = \mathbf{D} - \mathbf{A}` for the ``dim`` smallest eigenvalues after the
    trivial one (:math:`\lambda_0 = 0`, :math:`\mathbf{y}_0 = \mathbf{1}`), minimising
    :math:`\sum_{ij} A_{ij}\|\mathbf{y}_i - \mathbf{y}_j\|^2` subject to
    :math:`\mathbf{Y}^\top\mathbf{D}\mathbf{Y} = \mathbf{I}`. Equivalently
    :math:`\mathbf{y} = \mathbf{D}^{-1/2}\mathbf{v}` for the *largest* eigenvectors
    :math:`\mathbf{v}` of :math:`\mathbf{D}^{-1/2}\mathbf{A}\mathbf{D}^{-1/2}`, which is what is
    computed (ARPACK ``eigsh(which="LA")`` converges far faster than ``which="SM"`` on
    :math:`\mathbf{L}`). On a disconnected graph the other eigenvalue-0 vectors are component
    indicators and are kept.

    **Differences from karateclub's LaplacianEigenmaps.** karateclub adds self-loops, keeps the
    trivial eigenvector and returns :math:`\mathbf{v}` (eigenvectors of the normalised
    Laplacian) instead of :math:`\mathbf{D}^{-1/2}\mathbf{v}`.

    Args:
        dim (int, optional): embedding size. (default: :obj:`128`)
        cold_start (str, optional): ``"zeros"`` or ``"mean"``. (default: :obj:`"zeros"`)
        seed (int, optional): seed of ARPACK's start vector. (default: :obj:`0`)

    Shapes:
        - **input:** ``edge_index`` :math:`(2, |\mathcal{E}|)`
        - **output:** :math:`(|\mathcal{V}|, \text{dim})`
    """

    def __init__(self, dim: int = 128, cold_start: str = "zeros", seed: int = 0):
        self.dim = dim
        self.cold_start = cold_start
        self.seed = seed

    def _fit(self, adj: sp.csr_matrix) -> np.ndarray:
        if self.dim < 1:
            raise ValueError(f"LaplacianEigenmaps: dim must be >= 1, got {self.dim}")
        n = adj.shape[0]
        d_is = 1.0 / np.sqrt(np.asarray(adj.sum(axis=1)).ravel())
        norm = (sp.diags(d_is) @ adj.astype(np.float64) @ sp.diags(d_is)).tocsr()
        k = min(self.dim + 1, n)
        if k >= n - 1:
            vals, vecs = np.linalg.eigh(norm.toarray())
        else:
            rng = np.random.default_rng(self.seed)
            vals, vecs = spla.eigsh(norm, k=k, which="LA", v0=rng.standard_normal(n),
                                    tol=1e-8)
        order = np.argsort(-vals, kind="stable")[1:k]  # drop the trivial top eigenvector
        y = vecs[:, order] * d_is[:, None]
        sign = np.sign(y[np.abs(y).argmax(axis=0), np.arange(y.shape[1])])
        sign[sign == 0] = 1.0
        out = np.zeros((n, self.dim))
        out[:, :y.shape[1]] = y * sign
        return out
