"""GraRep (Cao et al., CIKM 2015) with sparse matrix powers and truncated SVD."""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from rnagraph.nn.encoders._svd import truncated_svd
from rnagraph.nn.encoders.base import GraphEncoder

#: exact mode switches A^k to a dense array once this fraction of its entries is non-zero
_DENSE_FRACTION = 0.1


class GraRep(GraphEncoder):
    r"""GraRep node embeddings from `"GraRep: Learning Graph Representations with Global
    Structural Information" <https://doi.org/10.1145/2806416.2806512>`_ (Cao et al., CIKM 2015).

    With adjacency :math:`\mathbf{S}` and degree matrix :math:`\mathbf{D}`, the transition
    matrix is :math:`\mathbf{A} = \mathbf{D}^{-1}\mathbf{S}`. For every step
    :math:`k = 1, \dots, K` (``order``) GraRep forms the positive log-probability matrix

    .. math::
        \mathbf{Y}^{k}_{ij} = \max\left(0,\;
        \log \frac{\mathbf{A}^{k}_{ij}}{\Gamma^{k}_{j}} - \log \beta\right),
        \qquad \Gamma^{k}_{j} = \sum_{p} \mathbf{A}^{k}_{pj}, \quad \beta = \frac{1}{N},

    (entries with :math:`\mathbf{A}^k_{ij} = 0` are 0), takes its rank-:math:`d` truncated SVD
    :math:`\mathbf{Y}^k \approx \mathbf{U}_d \boldsymbol{\Sigma}_d \mathbf{V}_d^\top` and sets
    :math:`\mathbf{W}^k = \mathbf{U}_d \boldsymbol{\Sigma}_d^{1/2}`. The embedding is
    :math:`[\mathbf{W}^1 \,\|\, \cdots \,\|\, \mathbf{W}^K]`.

    Everything is sparse: :math:`\mathbf{A}^k = \mathbf{A}^{k-1}\mathbf{A}` is a sparse product
    (computed in row blocks), :math:`\Gamma^k = \Gamma^{k-1}\mathbf{A}` is a vector product and
    the SVD is randomized (:func:`sklearn.utils.extmath.randomized_svd`).

    **Memory.** :math:`\mathbf{A}^k` holds about :math:`N \bar{d}^{\,k}` non-zeros for mean
    degree :math:`\bar{d}` until rows fill up (at most :math:`N^2`): e.g. 3k nodes / 30k edges
    (:math:`\bar{d}=20`) has ~1.2M non-zeros at :math:`k=2` and a dense :math:`\mathbf{A}^3`.
    The bounded-memory mode prunes each :math:`\mathbf{A}^k` before it is stored and
    propagated: ``max_nnz_per_row`` keeps the largest ``m`` transition probabilities of every
    row (memory :math:`O(N m)`), and ``prune_threshold`` drops probabilities below
    :math:`\varepsilon` (at most :math:`1/\varepsilon` per row, as rows sum to at most 1).
    :math:`\Gamma^k` is always exact. Pruning makes orders :math:`k \ge 2` approximate.

    **Differences from karateclub's GraRep.** karateclub starts at :math:`\mathbf{A}^2`
    (its first "order" is two steps), never clips negative log-probabilities (it keeps
    :math:`\log \mathbf{A}^k_{ij} - \log N`, all negative, and omits :math:`\Gamma`), returns
    :math:`\mathbf{U}\boldsymbol{\Sigma}` instead of :math:`\mathbf{U}\boldsymbol{\Sigma}^{1/2}`
    and adds a self-loop to every node. This class follows the paper.

    Args:
        dim (int, optional): dimensions per order :math:`d`. (default: :obj:`32`)
        order (int, optional): number of transition steps :math:`K`; the output has
            ``dim * order`` columns. (default: :obj:`4`)
        n_iter (int, optional): power iterations of the randomized SVD. (default: :obj:`5`)
        max_nnz_per_row (int, optional): keep at most this many entries per row of every
            :math:`\mathbf{A}^k` (bounded-memory mode). (default: :obj:`None`, exact)
        prune_threshold (float, optional): drop entries of :math:`\mathbf{A}^k` below this.
            (default: :obj:`0.0`, exact)
        block_rows (int, optional): rows per block of the sparse products. (default: :obj:`8192`)
        cold_start (str, optional): rows of isolated nodes, ``"zeros"`` or ``"mean"``.
            (default: :obj:`"zeros"`)
        seed (int, optional): seed of the randomized SVD. (default: :obj:`0`)

    Shapes:
        - **input:** ``edge_index`` :math:`(2, |\mathcal{E}|)`
        - **output:** :math:`(|\mathcal{V}|, \text{dim} \cdot \text{order})`
    """

    def __init__(self, dim: int = 32, order: int = 4, n_iter: int = 5,
                 max_nnz_per_row: int | None = None, prune_threshold: float = 0.0,
                 block_rows: int = 8192, cold_start: str = "zeros", seed: int = 0):
        self.dim = dim
        self.order = order
        self.n_iter = n_iter
        self.max_nnz_per_row = max_nnz_per_row
        self.prune_threshold = prune_threshold
        self.block_rows = block_rows
        self.cold_start = cold_start
        self.seed = seed

    @property
    def out_dim(self) -> int:
        return int(self.dim) * int(self.order)

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.dim < 1 or self.order < 1:
            raise ValueError(f"GraRep: dim ({self.dim}) and order ({self.order}) must be >= 1")
        if self.max_nnz_per_row is not None and self.max_nnz_per_row < 1:
            raise ValueError(f"GraRep: max_nnz_per_row must be >= 1 or None, got "
                             f"{self.max_nnz_per_row}")
        if not 0.0 <= self.prune_threshold < 1.0:
            raise ValueError(f"GraRep: prune_threshold must be in [0, 1), got "
                             f"{self.prune_threshold}")

    def _fit(self, adj: sp.csr_matrix) -> np.ndarray:
        n = adj.shape[0]
        deg = np.asarray(adj.sum(axis=1)).ravel()
        trans = sp.diags(1.0 / deg).dot(adj).tocsr().astype(np.float32)  # A = D^-1 S
        trans.sort_indices()
        gamma = np.ones(n, dtype=np.float64)
        ak = None
        blocks = []
        for k in range(1, self.order + 1):
            if k == 1:
                ak = trans.copy()
            elif isinstance(ak, np.ndarray):
                ak = np.asarray(trans.T.dot(ak.T).T)  # dense A^{k-1} times sparse A
            elif not self._bounded and ak.nnz * trans.nnz / n > _DENSE_FRACTION * n * n:
                # the product will be nearly full: a dense array beats sparse bookkeeping
                ak = np.asarray(trans.T.dot(ak.toarray().T).T)
            else:
                ak = self._power_step(ak, trans)
            gamma = trans.T.dot(gamma)  # Gamma^k = Gamma^{k-1} A (column sums of A^k)
            y = self._log_probability(ak, gamma, n)
            u, s, _ = truncated_svd(y, self.dim, self.n_iter, self.seed)
            blocks.append(u * np.sqrt(s)[None, :])
            del y
        return np.concatenate(blocks, axis=1)

    @property
    def _bounded(self) -> bool:
        return self.max_nnz_per_row is not None or self.prune_threshold > 0

    def _power_step(self, ak: sp.csr_matrix, trans: sp.csr_matrix) -> sp.csr_matrix:
        """A^{k} = prune(A^{k-1} A), computed in row blocks so that only one unpruned block
        exists at a time."""
        n = ak.shape[0]
        step = n if not self._bounded else max(1, int(self.block_rows))
        parts = []
        for start in range(0, n, step):
            blk = ak[start:start + step].dot(trans).tocsr()
            parts.append(self._prune(blk))
        return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")

    def _prune(self, blk: sp.csr_matrix) -> sp.csr_matrix:
        if self.prune_threshold > 0:
            blk.data[blk.data < self.prune_threshold] = 0.0
            blk.eliminate_zeros()
        m = self.max_nnz_per_row
        if m is not None:
            counts = np.diff(blk.indptr)
            big = counts > m
            if big.any():
                rows = np.repeat(np.arange(blk.shape[0], dtype=np.int64), counts)
                over = big[rows]
                pos = np.flatnonzero(over)
                # one integer sort: row in the high 32 bits, then descending probability (the
                # IEEE bits of a positive float32 are monotone in its value); stable for ties
                bits = blk.data[pos].astype(np.float32, copy=False).view(np.int32)
                key = (rows[pos] << 32) | (0x7FFFFFFF - bits.astype(np.int64))
                order = pos[np.argsort(key, kind="stable")]
                big_counts = np.where(big, counts, 0)
                starts = np.cumsum(big_counts) - big_counts  # row's first slot in `order`
                rank = np.arange(order.size) - starts[rows[order]]
                keep = ~over
                keep[order[rank < m]] = True
                kept = np.where(big, m, counts)
                indptr = np.zeros(blk.shape[0] + 1, dtype=np.int64)
                np.cumsum(kept, out=indptr[1:])
                blk = sp.csr_matrix((blk.data[keep], blk.indices[keep], indptr), shape=blk.shape)
        return blk

    @staticmethod
    def _log_probability(ak, gamma: np.ndarray, n: int):
        """Y = max(0, log(A^k_ij / Gamma_j) - log(1/N)) on the non-zeros of A^k."""
        if isinstance(ak, np.ndarray):
            with np.errstate(divide="ignore"):
                y = np.log(ak) - np.log(gamma / n).astype(np.float32)[None, :]
            np.maximum(y, 0.0, out=y)
            return sp.csr_matrix(y) if np.count_nonzero(y) < _DENSE_FRACTION * y.size else y
        coo = ak.tocoo()
        with np.errstate(divide="ignore"):
            val = np.log(coo.data.astype(np.float64)) - np.log(gamma[coo.col]) + math.log(n)
        keep = val > 0
        y = sp.csr_matrix((val[keep].astype(np.float32), (coo.row[keep], coo.col[keep])),
                          shape=ak.shape)
        return y
