"""Gaussian interaction-profile (GIP) kernel similarity, the sequence-free fallback."""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from rnagraph.features._estimator import Estimator
from rnagraph.typing import EdgeType, NodeType


class InteractionProfileSimilarity(Estimator):
    r"""Gaussian interaction-profile (GIP) kernel similarity (van Laarhoven et al.,
    Bioinformatics 2011), the usual stand-in for sequence similarity when sequences are missing
    (e.g. circRNAs in our public datasets).

    With :math:`\mathbf{a}_i` the row of RNA :math:`i` in the binary interaction matrix
    :math:`\mathbf{A} \in \{0,1\}^{n \times m}` (its *interaction profile*),

    .. math::
        K_{ij} = \exp\!\left(-\gamma \,\lVert \mathbf{a}_i - \mathbf{a}_j \rVert^2\right),
        \qquad \gamma = \gamma' \Big/ \Big(\tfrac{1}{n}\sum_{i=1}^{n} \lVert \mathbf{a}_i
        \rVert^2\Big),

    (the mean over all :math:`n` rows, empty ones included; :math:`\gamma'` = :obj:`gamma`).

    **Leakage:** the profiles are interactions, i.e. labels. Fit it on a fold's *training*
    graph only (``fit_graph(fold.train_graph, edge_type, node_type)``), never on all pairs.

    **Rows without interactions** (e.g. cold-start RNAs, whose edges are all held out): the
    plain formula would make every such RNA identical to every other (:math:`K = 1`) and
    similar to all low-degree RNAs, from no evidence. With ``empty="zero"`` (default) such a row
    and column is 0 except :math:`K_{ii} = 1`; ``empty="kernel"`` keeps the plain formula.
    ``empty_`` marks these rows of the fitted matrix.

    ``fit(A)`` stores the profiles and :math:`\gamma`; ``transform()`` returns the
    :math:`n \times n` kernel; ``transform(B)`` the :math:`m \times n` kernel between the rows of
    ``B`` (same columns as ``A``) and the fitted rows, with the fitted :math:`\gamma`.
    Interactions may be given as a dense array / tensor, a ``scipy.sparse`` matrix (rows = the
    RNAs to compare) or a tuple ``(edge_index, num_src, num_dst)``; non-zero entries count as 1.

    Args:
        gamma (float, optional): :math:`\gamma'`, the bandwidth relative to the mean profile
            norm. (default: ``1.0``)
        side (str, optional): for ``(edge_index, ...)`` input, compare the ``"src"`` or the
            ``"dst"`` nodes; ignored for matrices (rows are compared). (default: ``"src"``)
        empty (str, optional): ``"zero"`` or ``"kernel"``, see above. (default: ``"zero"``)

    Shapes:
        - **input:** ``[n, m]`` interactions (or ``edge_index [2, E]``)
        - **output:** ``float32 [n, n]`` (or ``[q, n]`` for new rows)
    """

    def __init__(self, gamma: float = 1.0, side: str = "src", empty: str = "zero"):
        self.gamma = gamma
        self.side = side
        self.empty = empty

    def _validate_params(self) -> None:
        self._check_param("gamma", isinstance(self.gamma, (int, float, np.number))
                    and not isinstance(self.gamma, bool) and self.gamma > 0, "must be > 0")
        self._check_param("side", self.side in ("src", "dst"), "must be 'src' or 'dst'")
        self._check_param("empty", self.empty in ("zero", "kernel"), "must be 'zero' or 'kernel'")

    def fit(self, interactions: Any) -> "InteractionProfileSimilarity":
        """Check the parameters and store the interaction profiles of ``interactions`` (an
        ``[n, m]`` matrix, dense or sparse, or ``(edge_index, num_src, num_dst)``); returns
        ``self``."""
        self._validate_params()
        A = self._as_matrix(interactions)
        sq = np.asarray(A.sum(axis=1)).ravel()  # binary rows: ||a_i||^2 = row sum
        if sq.sum() == 0:
            raise ValueError("InteractionProfileSimilarity.fit: the interaction matrix has no "
                             "interactions; GIP similarity is undefined")
        self.profiles_ = A
        self.sq_norms_ = sq
        self.gamma_ = float(self.gamma / sq.mean())
        self.empty_ = sq == 0
        return self

    def fit_graph(self, graph: Any, edge_type: EdgeType,
                  node_type: NodeType) -> "InteractionProfileSimilarity":
        """Fit on the ``edge_type`` edges of a ``HeteroData`` (a fold's ``train_graph``),
        comparing the nodes of ``node_type`` (the source or destination type of ``edge_type``)."""
        src, _, dst = edge_type
        if node_type not in (src, dst):
            raise ValueError(f"InteractionProfileSimilarity.fit_graph: node_type={node_type!r} "
                             f"is neither end of edge_type {edge_type}")
        ei = graph[edge_type].edge_index
        A = self._from_edge_index(ei, graph[src].num_nodes, graph[dst].num_nodes)
        return self.fit(A if node_type == src else A.T.tocsr())

    def transform(self, interactions: Any = None) -> np.ndarray:
        """Kernel of the fitted rows (default) or of new rows against the fitted ones."""
        if not hasattr(self, "profiles_"):
            raise ValueError("InteractionProfileSimilarity is not fitted yet: call fit first")
        P = self.profiles_
        if interactions is None:
            Q, q_sq = P, self.sq_norms_
        else:
            Q = self._as_matrix(interactions)
            if Q.shape[1] != P.shape[1]:
                raise ValueError(f"InteractionProfileSimilarity.transform: {Q.shape[1]} columns, "
                                 f"the fitted matrix has {P.shape[1]}")
            q_sq = np.asarray(Q.sum(axis=1)).ravel()
        # ||q - p||^2 = ||q||^2 + ||p||^2 - 2 q.p, built in place in one [m, n] buffer
        K = np.asarray((Q @ P.T).todense(), dtype=np.float64)
        K *= -2.0
        K += q_sq[:, None]
        K += self.sq_norms_[None, :]
        np.maximum(K, 0.0, out=K)
        K *= -self.gamma_
        np.exp(K, out=K)
        if self.empty == "zero":
            K[:, self.empty_] = 0.0
            K[q_sq == 0, :] = 0.0
            if interactions is None:
                np.fill_diagonal(K, 1.0)
        return K.astype(np.float32)

    def fit_transform(self, interactions: Any) -> np.ndarray:
        return self.fit(interactions).transform()

    # ------------------------------------------------------------------ input handling
    def _as_matrix(self, x: Any) -> sp.csr_matrix:
        if isinstance(x, tuple):
            if len(x) != 3:
                raise ValueError("InteractionProfileSimilarity: tuple input must be "
                                 "(edge_index, num_src, num_dst)")
            A = self._from_edge_index(*x)
            return A if self.side == "src" else A.T.tocsr()
        if sp.issparse(x):
            A = sp.csr_matrix(x, dtype=np.float64, copy=True)
        else:
            if hasattr(x, "detach"):  # torch tensor
                x = x.detach().cpu().numpy()
            A = sp.csr_matrix(np.asarray(x, dtype=np.float64))
        if A.ndim != 2:
            raise ValueError("InteractionProfileSimilarity: expected a 2-D interaction matrix")
        A.eliminate_zeros()
        A.data[:] = 1.0  # binarise without touching the caller's matrix (copied above)
        return A

    @staticmethod
    def _from_edge_index(edge_index: Any, num_src: int, num_dst: int) -> sp.csr_matrix:
        ei = edge_index.detach().cpu().numpy() if hasattr(edge_index, "detach") else \
            np.asarray(edge_index)
        if ei.ndim != 2 or ei.shape[0] != 2:
            raise ValueError(f"InteractionProfileSimilarity: edge_index must have shape [2, E], "
                             f"got {list(ei.shape)}")
        if ei.size and (ei.min() < 0 or ei[0].max() >= num_src or ei[1].max() >= num_dst):
            raise ValueError("InteractionProfileSimilarity: edge_index out of range for "
                             f"num_src={num_src}, num_dst={num_dst}")
        A = sp.csr_matrix((np.ones(ei.shape[1]), (ei[0], ei[1])), shape=(num_src, num_dst))
        A.sum_duplicates()
        A.data[:] = 1.0
        return A
