"""One fold of a joint split over several interaction types that share a node type."""
from __future__ import annotations

from dataclasses import dataclass, field

from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.typing import EdgeType


@dataclass
class JointFold:
    """A fold of :func:`~rnagraph.data.joint_kfold_split`: one :class:`Fold` per edge type, all
    sharing one training graph.

    ``train_graph`` holds, for **every** edge type of the split, that type's training positives
    only (and their reverses): no validation or test edge of either type reaches it. Each
    ``folds[edge_type]`` is an ordinary :class:`Fold` whose ``train_graph`` is this joint graph,
    so any single-task model fits on it unchanged and
    :func:`~rnagraph.data.check_no_leakage` checks it; in cold mode its ``mode`` is
    ``"cold-src"`` or ``"cold-dst"`` (the side of the shared node type).

    Attributes:
        index (int): fold number (0-based).
        folds (dict[EdgeType, Fold]): the per-edge-type folds.
        train_graph (HeteroData): the joint training graph.
        mode (str): ``"warm"``, ``"cold-<shared node type>"`` (e.g. ``"cold-mirna"``) or
            ``"cold-one-<shared node type>"`` (each type's fold has its own training graph).
        meta (dict): ``shared`` (the shared node type), ``held_out`` (cold mode: the held-out
            node indices), ``share_both`` (share of shared nodes with training edges of every
            type among those with any), and per edge type ``test_share_both`` (share of test
            positives whose shared node has edges of the other type(s) in the full graph).
    """

    index: int
    folds: dict[EdgeType, Fold]
    train_graph: HeteroData
    mode: str = "warm"
    meta: dict = field(default_factory=dict)

    @property
    def edge_types(self) -> list[EdgeType]:
        return list(self.folds)

    def __getitem__(self, edge_type: EdgeType) -> Fold:
        try:
            return self.folds[tuple(edge_type)]
        except KeyError:
            raise KeyError(f"JointFold: no fold for {edge_type}; edge types: "
                           f"{self.edge_types}") from None

    def __repr__(self) -> str:
        parts = ", ".join(f"{et[1]}: train={f.train}, test={f.test}"
                          for et, f in self.folds.items())
        return f"JointFold(index={self.index}, mode={self.mode!r}, {parts})"


__all__ = ["JointFold"]
