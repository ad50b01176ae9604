"""HOPE (Ou et al., KDD 2016): high-order proximity preserved embedding."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from rnagraph.nn.encoders.base import GraphEncoder

_PROXIMITY = ("katz", "common_neighbors")


class HOPE(GraphEncoder):
    r"""HOPE node embeddings from `"Asymmetric Transitivity Preserving Graph Embedding"
    <https://doi.org/10.1145/2939672.2939751>`_ (Ou et al., KDD 2016).

    HOPE factorises a proximity matrix written as
    :math:`\mathbf{S} = \mathbf{M}_g^{-1}\mathbf{M}_l`; for Katz proximity
    :math:`\mathbf{M}_g = \mathbf{I} - \beta\mathbf{A}`, :math:`\mathbf{M}_l = \beta\mathbf{A}`,
    i.e. :math:`\mathbf{S} = \sum_{k \ge 1} \beta^k \mathbf{A}^k`. With the rank-:math:`d/2`
    SVD :math:`\mathbf{S} \approx \mathbf{U}\boldsymbol{\Sigma}\mathbf{V}^\top` the source and
    target embeddings are :math:`\mathbf{U}\boldsymbol{\Sigma}^{1/2}` and
    :math:`\mathbf{V}\boldsymbol{\Sigma}^{1/2}`; the output concatenates them, so
    :math:`\langle \mathbf{u}_i, \mathbf{v}_j \rangle \approx \mathbf{S}_{ij}`.

    :math:`\mathbf{S}` is never formed: its products with vectors use one sparse LU
    factorisation of :math:`\mathbf{M}_g` (``scipy.sparse.linalg.splu``) and ARPACK's
    ``svds`` on the resulting linear operator — the generalised SVD the paper computes with
    JDGSVD, here exact up to ARPACK tolerance. ``proximity="common_neighbors"`` uses
    :math:`\mathbf{S} = \mathbf{A}^2` (karateclub's choice).

    ``beta`` must be below :math:`1/\rho(\mathbf{A})` for the Katz series to converge; by default
    it is :math:`0.5/\rho(\mathbf{A})`.

    Args:
        dim (int, optional): embedding size (even; half source, half target).
            (default: :obj:`128`)
        proximity (str, optional): ``"katz"`` or ``"common_neighbors"``. (default: :obj:`"katz"`)
        beta (float, optional): Katz decay. (default: :obj:`None`, :math:`0.5/\rho(\mathbf{A})`)
        cold_start (str, optional): ``"zeros"`` or ``"mean"``. (default: :obj:`"zeros"`)
        seed (int, optional): seed of ARPACK's start vector. (default: :obj:`0`)

    Shapes:
        - **input:** ``edge_index`` :math:`(2, |\mathcal{E}|)`
        - **output:** :math:`(|\mathcal{V}|, \text{dim})`
    """

    def __init__(self, dim: int = 128, proximity: str = "katz", beta: float | None = None,
                 cold_start: str = "zeros", seed: int = 0):
        self.dim = dim
        self.proximity = proximity
        self.beta = beta
        self.cold_start = cold_start
        self.seed = seed

    def _fit(self, adj: sp.csr_matrix) -> np.ndarray:
        if self.dim < 2 or self.dim % 2:
            raise ValueError(f"HOPE: dim must be an even number >= 2, got {self.dim}")
        if self.proximity not in _PROXIMITY:
            raise ValueError(f"HOPE: proximity={self.proximity!r} is not one of {_PROXIMITY}")
        n = adj.shape[0]
        a = adj.astype(np.float64).tocsc()
        rng = np.random.default_rng(self.seed)
        if self.proximity == "katz":
            beta = self.beta if self.beta is not None else 0.5 / _spectral_radius(a, rng)
            lu = spla.splu((sp.identity(n, format="csc") - beta * a).tocsc())
            op = spla.LinearOperator(
                (n, n), dtype=np.float64,
                matvec=lambda x: lu.solve(beta * (a @ x)),
                rmatvec=lambda x: beta * (a.T @ lu.solve(x, trans="T")),
                matmat=lambda x: lu.solve(beta * (a @ x)),
                rmatmat=lambda x: beta * (a.T @ lu.solve(x, trans="T")))
        else:
            op = (a @ a).tocsr()
        k = self.dim // 2
        kk = min(k, n - 1)
        if kk < 1 or n <= 2 * k + 1:
            dense = op @ np.eye(n) if isinstance(op, spla.LinearOperator) else op.toarray()
            u, s, vt = np.linalg.svd(dense, full_matrices=False)
            u, s, vt = u[:, :kk], s[:kk], vt[:kk]
        else:
            u, s, vt = spla.svds(op, k=kk, v0=rng.standard_normal(n), random_state=self.seed)
            desc = np.argsort(-s)
            u, s, vt = u[:, desc], s[desc], vt[desc]
        # deterministic signs: the largest-|.| entry of every column of U is positive
        sign = np.sign(u[np.abs(u).argmax(axis=0), np.arange(u.shape[1])])
        sign[sign == 0] = 1.0
        u, vt = u * sign, vt * sign[:, None]
        root = np.sqrt(np.clip(s, 0, None))
        src = np.zeros((n, k))
        dst = np.zeros((n, k))
        src[:, :kk] = u * root
        dst[:, :kk] = vt.T * root
        return np.concatenate([src, dst], axis=1)


def _spectral_radius(a: sp.spmatrix, rng: np.random.Generator) -> float:
    """Largest |eigenvalue| of a symmetric non-negative matrix (Perron root)."""
    n = a.shape[0]
    if n <= 2:
        return float(np.abs(np.linalg.eigvalsh(a.toarray())).max())
    val = spla.eigsh(a, k=1, which="LA", v0=rng.standard_normal(n) + 1.0,
                     return_eigenvectors=False)
    return float(val[0])
