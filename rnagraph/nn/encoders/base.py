"""Shared fit / transform machinery of the unsupervised graph encoders."""
from __future__ import annotations

from abc import ABCMeta, abstractmethod

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from rnagraph.features._estimator import Estimator, is_int

_COLD_START = ("zeros", "mean")


class GraphEncoder(Estimator, metaclass=ABCMeta):
    r"""Base class of the node encoders in :mod:`rnagraph.nn.encoders`.

    An encoder is fitted on one graph given as ``edge_index`` and returns one row per node.
    The graph is treated as **undirected and unweighted**: ``edge_index`` is symmetrised,
    duplicate edges are merged and self-loops are dropped, so the result does not depend on
    the order or multiplicity of the input edges.

    **Cold start.** Nodes without any edge (isolated in the training graph, e.g. RNAs whose
    every interaction is held out) are *excluded* from the fit: the method runs on the
    subgraph induced by the non-isolated nodes, so adding isolated nodes never changes the
    other rows. Their rows are then filled according to ``cold_start``:

    * ``"zeros"`` (default): a zero vector (a neutral input for a downstream MLP).
    * ``"mean"``: the mean embedding of the non-isolated nodes.

    A fallback from node features (e.g. sequence features) is available through
    :meth:`transform`'s ``x`` argument: a ridge regression from ``x`` to the embedding is
    fitted on the non-isolated nodes and predicts the rows of the isolated ones.

    Encoders are scikit-learn estimators (:class:`sklearn.base.BaseEstimator`): ``__init__``
    stores the hyper-parameters under the same names and nothing else, :meth:`fit` checks them
    (so ``set_params`` of a bad value is refused by the next ``fit``, with a ``ValueError``
    naming the class and the parameter), and ``get_params`` / ``set_params`` /
    :func:`sklearn.base.clone` work. Subclasses implement :meth:`_fit`, which receives the
    symmetric binary adjacency matrix (``scipy.sparse.csr_matrix``, no isolated nodes) and returns a
    ``[num_nodes, dim]`` NumPy array.

    Learned attributes (set by :meth:`fit`):
        embedding_ (Tensor): ``[num_nodes, dim]`` float32 embedding (cold rows are zeros).
        cold_mask_ (BoolTensor): ``[num_nodes]``, ``True`` for nodes without an edge.
        num_nodes_ (int): number of nodes of the fitted graph.
    """

    cold_start: str = "zeros"

    def clone(self) -> GraphEncoder:
        """An unfitted copy with the same parameters (:func:`sklearn.base.clone`)."""
        from sklearn.base import clone
        return clone(self)

    def _validate_params(self) -> None:
        """Check the parameters shared by every encoder (``dim``, ``cold_start``, ``seed``);
        subclasses check their own in :meth:`_fit` or by extending this method."""
        self._check_param("cold_start", self.cold_start in _COLD_START,
                          f"is not one of {_COLD_START}")
        if "dim" in self.get_params(deep=False):
            self._check_param("dim", is_int(self.dim) and self.dim >= 1, "must be a positive int")
        if "seed" in self.get_params(deep=False):
            self._check_param("seed", self.seed is None or is_int(self.seed), "must be an int")

    # ----------------------------------------------------------------------- fit/transform
    @abstractmethod
    def _fit(self, adj: sp.csr_matrix) -> np.ndarray:  # pragma: no cover - abstract
        """``[num_nodes, dim]`` embedding of the symmetric binary adjacency ``adj``."""

    def fit(self, edge_index: Tensor | np.ndarray, num_nodes: int | None = None) -> GraphEncoder:
        r"""Fit the encoder on one graph.

        Args:
            edge_index (LongTensor or ndarray): ``[2, E]`` edges (either direction; they are
                symmetrised).
            num_nodes (int, optional): number of nodes; defaults to ``edge_index.max() + 1``.
                Pass it whenever trailing nodes may be isolated.

        Returns:
            self
        """
        self._validate_params()
        adj = to_adjacency(edge_index, num_nodes, name=type(self).__name__)
        n = adj.shape[0]
        warm = np.diff(adj.indptr) > 0
        emb = np.zeros((n, self.out_dim), dtype=np.float32)
        if warm.any():
            idx = np.flatnonzero(warm)
            sub = adj[idx][:, idx].tocsr()
            sub.sort_indices()
            out = np.asarray(self._fit(sub), dtype=np.float32)
            if out.shape != (idx.size, self.out_dim):
                raise RuntimeError(f"{type(self).__name__}._fit returned shape {out.shape}, "
                                   f"expected {(idx.size, self.out_dim)}")
            emb[idx] = out
        self.embedding_ = torch.from_numpy(emb)
        self.cold_mask_ = torch.from_numpy(~warm)
        self.num_nodes_ = n
        return self

    @property
    def out_dim(self) -> int:
        """Number of columns of the embedding."""
        return int(self.dim)

    def transform(self, x: Tensor | np.ndarray | None = None, alpha: float = 1.0) -> Tensor:
        r"""The fitted embedding with the cold-start rows filled in.

        Args:
            x (Tensor, optional): ``[num_nodes, F]`` node features (e.g. sequence features).
                When given, the rows of isolated nodes are predicted from ``x`` by a ridge
                regression (penalty ``alpha``, with intercept) fitted on the other nodes;
                ``cold_start`` is then ignored.
            alpha (float, optional): ridge penalty. (default: :obj:`1.0`)

        Returns:
            Tensor: ``[num_nodes, dim]`` float32 (a new tensor; the fitted state is untouched).
        """
        if not hasattr(self, "embedding_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call fit() first")
        emb = self.embedding_.clone()
        cold = self.cold_mask_
        if not bool(cold.any()) or bool(cold.all()):
            return emb
        if x is not None:
            x = torch.as_tensor(x, dtype=torch.float32)
            if x.dim() != 2 or x.size(0) != self.num_nodes_:
                raise ValueError(f"{type(self).__name__}.transform: x must have shape "
                                 f"[{self.num_nodes_}, F], got {tuple(x.shape)}")
            emb[cold] = ridge_fill(x[~cold], emb[~cold], x[cold], alpha)
        elif self.cold_start == "mean":
            emb[cold] = emb[~cold].mean(dim=0)
        return emb

    def fit_transform(self, edge_index: Tensor | np.ndarray, num_nodes: int | None = None,
                      x: Tensor | np.ndarray | None = None) -> Tensor:
        """:meth:`fit` then :meth:`transform`."""
        return self.fit(edge_index, num_nodes).transform(x)

    def get_embedding(self) -> Tensor:
        """The embedding as a ``[num_nodes, dim]`` tensor (``transform()`` without features)."""
        return self.transform()


def ridge_fill(x_fit: Tensor, y_fit: Tensor, x_new: Tensor, alpha: float = 1.0) -> Tensor:
    r"""Ridge regression with intercept, :math:`\min_W \|X W + b - Y\|^2 + \alpha\|W\|^2`,
    fitted on ``(x_fit, y_fit)`` and evaluated on ``x_new``. Used for feature-based cold-start
    embeddings."""
    x64, y64 = x_fit.double(), y_fit.double()
    mx, my = x64.mean(0), y64.mean(0)
    xc = x64 - mx
    gram = xc.T @ xc + alpha * torch.eye(xc.size(1), dtype=torch.float64)
    w = torch.linalg.solve(gram, xc.T @ (y64 - my))
    return ((x_new.double() - mx) @ w + my).float()


def to_adjacency(edge_index: Tensor | np.ndarray, num_nodes: int | None = None,
                 name: str = "GraphEncoder") -> sp.csr_matrix:
    """Symmetric binary CSR adjacency (float32, sorted indices, no self-loops) of
    ``edge_index``."""
    ei = edge_index.detach().cpu().numpy() if isinstance(edge_index, Tensor) else \
        np.asarray(edge_index)
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise ValueError(f"{name}: edge_index must have shape [2, E], got {ei.shape}")
    if ei.size and not np.issubdtype(ei.dtype, np.integer):
        raise ValueError(f"{name}: edge_index must hold integers, got dtype {ei.dtype}")
    ei = ei.astype(np.int64, copy=False)
    if ei.size and ei.min() < 0:
        raise ValueError(f"{name}: edge_index has a negative node index ({ei.min()})")
    n_min = int(ei.max()) + 1 if ei.size else 0
    n = n_min if num_nodes is None else int(num_nodes)
    if n < n_min:
        raise ValueError(f"{name}: num_nodes={n} but edge_index refers to node {n_min - 1}")
    row = np.concatenate([ei[0], ei[1]])
    col = np.concatenate([ei[1], ei[0]])
    keep = row != col
    row, col = row[keep], col[keep]
    adj = sp.csr_matrix((np.ones(row.size, dtype=np.float32), (row, col)), shape=(n, n))
    adj.sum_duplicates()
    adj.data[:] = 1.0
    adj.sort_indices()
    return adj


__all__ = ["GraphEncoder", "ridge_fill", "to_adjacency"]
