"""Similarity matrix / features -> weighted homogeneous graph (for MFERL's per-feature GCN)."""
from __future__ import annotations

from typing import Any

import numpy as np


def similarity_graph(x: Any, *, threshold: float | None = None, knn: int | None = None,
                     metric: str = "cosine", self_loops: bool = False,
                     mask: Any = None, symmetric: bool = True):
    r"""Build a weighted homogeneous graph from a similarity matrix or a feature matrix, as
    MFERL builds one graph per feature for its homogeneous GCN.

    The similarity :math:`\mathbf{S}` is ``x`` itself for ``metric="precomputed"`` (square
    ``[n, n]``, e.g. :class:`LevenshteinSimilarity` or :class:`InteractionProfileSimilarity`
    output) or, for ``metric="cosine"``,
    :math:`S_{ij} = \mathbf{x}_i^\top \mathbf{x}_j / (\lVert\mathbf{x}_i\rVert
    \lVert\mathbf{x}_j\rVert)` (0 when either row is all zeros, e.g. a missing sequence).
    Then, over pairs :math:`i \ne j`:

    - ``threshold=t``: edge :math:`i \to j` iff :math:`S_{ij} \ge t`;
    - ``knn=k``: edge :math:`i \to j` for the :math:`k` largest :math:`S_{ij}` of row :math:`i`
      (ties broken by the smaller :math:`j`); with ``symmetric=True`` the union
      :math:`i \to j` or :math:`j \to i` is kept in both directions;
    - both: the :math:`k` largest of row :math:`i` among those with :math:`S_{ij} \ge t`
      (a threshold graph capped at :math:`k` neighbours per node, as MFERL uses).

    With neither ``threshold`` nor ``knn``, ``threshold=0.5``.
    Each edge :math:`i \to j` has weight :math:`S_{ij}`. Nodes with ``mask[i] == False``
    (no sequence) get no edges. ``self_loops=True`` adds :math:`i \to i` with weight 1 for
    every node (GCN layers usually add their own: leave it off for them). Edges are sorted by
    ``(source, target)``.

    Args:
        x (array or tensor): ``[n, n]`` similarities or ``[n, d]`` features.
        threshold (float, optional): minimum similarity of an edge.
        knn (int, optional): neighbours per node.
        metric (str, optional): ``"cosine"`` or ``"precomputed"``. (default: ``"cosine"``)
        self_loops (bool, optional): add weight-1 self-loops. (default: :obj:`False`)
        mask (bool array or tensor, optional): ``[n]``, ``False`` = node gets no edges.
        symmetric (bool, optional): symmetrise the kNN graph. (default: :obj:`True`)

    Returns:
        ``(edge_index, edge_weight)``: ``torch.long [2, E]`` and ``torch.float [E]``.
    """
    import torch

    if threshold is None and knn is None:
        threshold = 0.5
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"similarity_graph: x must be 2-D, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("similarity_graph: x contains NaN or inf")
    if metric == "precomputed":
        if x.shape[0] != x.shape[1]:
            raise ValueError(f"similarity_graph: metric='precomputed' needs a square matrix, "
                             f"got {x.shape}")
        S = x.copy()
    elif metric == "cosine":
        norm = np.linalg.norm(x, axis=1)
        safe = np.where(norm > 0, norm, 1.0)
        xn = x / safe[:, None]
        S = xn @ xn.T
    else:
        raise ValueError(f"similarity_graph: metric={metric!r}; use 'cosine' or 'precomputed'")
    n = S.shape[0]
    valid = np.ones(n, dtype=bool)
    if mask is not None:
        valid = np.asarray(mask.detach().cpu().numpy() if hasattr(mask, "detach") else mask,
                           dtype=bool)
        if valid.shape != (n,):
            raise ValueError(f"similarity_graph: mask has shape {valid.shape}, expected ({n},)")

    allowed = valid[:, None] & valid[None, :]
    np.fill_diagonal(allowed, False)
    if threshold is not None:
        allowed &= S >= threshold
    if knn is None:
        adj = allowed
    else:
        if not isinstance(knn, (int, np.integer)) or knn < 1:
            raise ValueError(f"similarity_graph: knn={knn!r} must be a positive int")
        score = np.where(allowed, S, -np.inf)
        order = np.argsort(-score, axis=1, kind="stable")[:, :knn]
        adj = np.zeros((n, n), dtype=bool)
        rows = np.repeat(np.arange(n), order.shape[1])
        adj[rows, order.ravel()] = True
        adj &= allowed  # rows with fewer than k candidates picked -inf entries
        if symmetric:
            adj |= adj.T
    if self_loops:
        np.fill_diagonal(adj, True)
        np.fill_diagonal(S, 1.0)
    src, dst = np.nonzero(adj)  # row-major: sorted by (source, target)
    edge_index = torch.from_numpy(np.stack([src, dst]).astype(np.int64))
    edge_weight = torch.from_numpy(S[src, dst].astype(np.float32))
    return edge_index, edge_weight
