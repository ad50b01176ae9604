"""Containers for one cross-validation fold of a link-prediction task."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.typing import EdgeType


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
        return (f"Fold(index={self.index}, edge_type={self.edge_type}, mode={self.mode!r}, "
                f"protocol={self.protocol!r}, train={self.train}, val={self.val}, "
                f"test={self.test})")
