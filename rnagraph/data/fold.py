"""Containers for one cross-validation fold of a link-prediction task."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.typing import EdgeType, NodeType


@dataclass
class LinkSet:
    """A labelled set of (source, destination) pairs of one edge type.

    Attributes:
        edge_label_index (LongTensor): ``[2, N]`` source / destination node indices.
        edge_label (Tensor): ``[N]`` float labels, 1 for a positive pair and 0 for a negative.
    """

    edge_label_index: Tensor
    edge_label: Tensor

    def __post_init__(self) -> None:
        if self.edge_label_index.dim() != 2 or self.edge_label_index.size(0) != 2:
            raise ValueError(
                f"LinkSet: edge_label_index must have shape [2, N], got "
                f"{tuple(self.edge_label_index.shape)}")
        if self.edge_label.numel() != self.edge_label_index.size(1):
            raise ValueError(
                f"LinkSet: {self.edge_label.numel()} labels for "
                f"{self.edge_label_index.size(1)} pairs")
        self.edge_label_index = self.edge_label_index.long()
        self.edge_label = self.edge_label.float()

    def __len__(self) -> int:
        return self.edge_label.numel()

    @property
    def pos_index(self) -> Tensor:
        """``[2, P]`` the positive pairs."""
        return self.edge_label_index[:, self.edge_label > 0.5]

    @property
    def neg_index(self) -> Tensor:
        """``[2, Q]`` the negative pairs."""
        return self.edge_label_index[:, self.edge_label <= 0.5]

    @classmethod
    def from_pos_neg(cls, pos: Tensor, neg: Tensor) -> LinkSet:
        """Concatenate ``[2, P]`` positives and ``[2, Q]`` negatives with labels 1 / 0."""
        index = torch.cat([pos.long(), neg.long()], dim=1)
        label = torch.cat([torch.ones(pos.size(1)), torch.zeros(neg.size(1))])
        return cls(index, label)

    def __repr__(self) -> str:
        n_pos = int((self.edge_label > 0.5).sum())
        return f"LinkSet(pos={n_pos}, neg={len(self) - n_pos})"


#: ``Fold.meta`` key of extra labelled pair sets ``{name: LinkSet}`` (e.g. independent test
#: files) scored like the test set after the fit, never shown to it
EXTRA_TESTS = "extra_tests"


@dataclass
class Fold:
    """One fold of a link-prediction split.

    Attributes:
        index (int): fold number (0-based).
        edge_type (EdgeType): the interaction type being predicted, e.g.
            ``("circrna", "binds", "mirna")``.
        train_graph (HeteroData): the graph whose ``edge_type`` edges (and its reverse) are the
            **training positives only**. Message passing, graph encoders and any
            association-derived similarity must be computed from this graph alone.
        train, val, test (LinkSet): labelled pairs.
        mode (str): the split mode (``"warm"``, ``"cold-src"``, ``"cold-dst"``, ``"cold-both"``).
        protocol (str): ``"leakage-free"``, ``"paper"`` (the papers' leakier protocol,
            in which ``train_graph`` holds every known positive) or ``"full"`` (a fold to fit a
            model on every known pair, :meth:`Fold.full`: no test set).
        meta (dict): anything else worth recording (ratio, seed, ...); under
            :data:`EXTRA_TESTS` extra labelled pair sets ``{name: LinkSet}`` that
            :func:`~rnagraph.evaluate.cross_validate` scores like the test set.
        score_graph (HeteroData, optional): the graph test pairs (and extra tests) are scored
            on; ``None``: ``train_graph``. An **inductive** fold
            (:func:`~rnagraph.data.kfold_link_split` with ``inductive=True``) holds out whole
            RNAs: ``train_graph`` has only the kept RNAs, and ``score_graph`` is
            ``train_graph`` plus the held-out RNAs (validation ones, then test ones) appended
            as **new nodes** with their sequences and no edges.
        val_graph (HeteroData, optional): the graph validation pairs are scored on (early
            stopping, calibration, a threshold chosen on validation); ``None``:
            ``train_graph``. In an inductive fold it is ``train_graph`` plus the validation
            RNAs only (a prefix of ``score_graph``): validation never sees a test RNA.
        node_order (dict, optional): inductive folds only: per held-out node type, the
            ``[n]`` LongTensor mapping the fold's node index to the node's index in the graph
            the fold was split from (kept RNAs, then validation, then test ones; each group in
            its original order). Every pair of the fold (``train``, ``val``, ``test``) and
            every graph it holds use the fold's indices; :meth:`to_split_index` maps back.
    """

    index: int
    edge_type: EdgeType
    train_graph: HeteroData
    train: LinkSet
    val: LinkSet
    test: LinkSet
    mode: str = "warm"
    protocol: str = "leakage-free"
    meta: dict = field(default_factory=dict)
    score_graph: HeteroData | None = None
    val_graph: HeteroData | None = None
    node_order: dict[NodeType, Tensor] | None = None

    @property
    def inductive(self) -> bool:
        """Whether held-out RNAs are absent from ``train_graph`` (scored as new RNAs)."""
        return self.node_order is not None

    def graph_for(self, part: str) -> HeteroData:
        """The graph to score ``part``'s pairs on: ``"train"`` -> ``train_graph``, ``"val"``
        -> ``val_graph``, ``"test"`` (and extra tests) -> ``score_graph`` (each ``None``
        meaning ``train_graph``)."""
        if part not in ("train", "val", "test"):
            raise ValueError(f"Fold.graph_for: part must be 'train', 'val' or 'test', got "
                             f"{part!r}")
        g = {"train": None, "val": self.val_graph, "test": self.score_graph}[part]
        return self.train_graph if g is None else g

    def new_nodes(self, part: str, node_type: NodeType) -> Tensor:
        """``[m]`` fold indices of the RNAs of ``node_type`` that ``part`` (``"val"`` or
        ``"test"``) adds to ``train_graph`` (empty for a transductive fold or a kept type)."""
        if part not in ("val", "test"):
            raise ValueError(f"Fold.new_nodes: part must be 'val' or 'test', got {part!r}")
        if not self.inductive or node_type not in self.node_order:
            return torch.empty(0, dtype=torch.long)
        n_fit = int(self.train_graph[node_type].num_nodes)
        n_val = int(self.graph_for("val")[node_type].num_nodes)
        n_all = int(self.graph_for("test")[node_type].num_nodes)
        lo, hi = (n_fit, n_val) if part == "val" else (n_val, n_all)
        return torch.arange(lo, hi)

    def to_split_index(self, pairs: Tensor) -> Tensor:
        """``[2, N]`` (source, destination) pairs of this fold in the node indices of the graph
        the fold was split from (unchanged for a transductive fold)."""
        return _reindex(pairs, self.edge_type, self.node_order, inverse=False)

    def to_fold_index(self, pairs: Tensor) -> Tensor:
        """Inverse of :meth:`to_split_index`: pairs of the split graph in this fold's
        indices."""
        return _reindex(pairs, self.edge_type, self.node_order, inverse=True)

    @classmethod
    def full(cls, graph: HeteroData, edge_type: EdgeType, *, val_ratio: float = 0.1,
             neg_ratio: float = 1, seed: int = 0, isolated_negatives: bool = False) -> Fold:
        """A fold that fits on every known pair, validation carved from them, no test set
        (``protocol="full"``; RNAs without any known pair are not negatives unless
        ``isolated_negatives``); see :func:`~rnagraph.data.split.full_fold`."""
        from rnagraph.data.split import full_fold  # split builds on this module
        return full_fold(graph, edge_type, val_ratio=val_ratio, neg_ratio=neg_ratio, seed=seed,
                         isolated_negatives=isolated_negatives)

    def __repr__(self) -> str:
        ind = ", inductive" if self.inductive else ""
        return (f"Fold(index={self.index}, edge_type={self.edge_type}, mode={self.mode!r}"
                f"{ind}, protocol={self.protocol!r}, train={self.train}, val={self.val}, "
                f"test={self.test})")


def _reindex(pairs: Tensor, edge_type: EdgeType, order: dict[NodeType, Tensor] | None,
             inverse: bool) -> Tensor:
    """Map the rows of ``[2, N]`` pairs through ``order`` (fold -> split index), or its
    inverse; rows of node types without an order are copied."""
    out = torch.as_tensor(pairs).long().clone()
    if order is None:
        return out
    for row, nt in ((0, edge_type[0]), (1, edge_type[2])):
        perm = order.get(nt)
        if perm is None or out.numel() == 0:
            continue
        if inverse:
            inv = torch.empty_like(perm)
            inv[perm] = torch.arange(perm.numel())
            perm = inv
        out[row] = perm[out[row]]
    return out
