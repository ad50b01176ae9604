r"""Isolated nodes: RNAs of the graph without any known pair of the predicted edge type.

A node that no ``edge_type`` edge touches (an RNA added from a FASTA, a transcript without a
recorded partner) is not a known non-partner: nothing about it was observed. Drawing its
pairs as negatives teaches a model that such RNAs bind nothing, which is exactly wrong for a
new RNA a user wants scored. The splits (:func:`~rnagraph.data.kfold_link_split`,
:func:`~rnagraph.data.holdout_split`, :func:`~rnagraph.data.full_fold`) and
:func:`~rnagraph.data.sample_negatives` therefore leave them out of every negative draw
unless asked (``isolated_negatives=True``).

"Isolated" is a property of the **input** graph, not of a fold: a circRNA held out by a
cold-start split has no training pair by construction, yet it has known pairs and stays a
regular node (its test pairs are positives and negatives as before).

A graph whose interactions are known to be complete says so with a graph-level attribute
``data.interactions_complete = True`` (the synthetic generator does: it plants every
interaction, so an RNA without a partner truly binds nothing). Its unpaired RNAs are known
non-partners, and negatives may involve them.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.typing import EdgeType, NodeType


class IsolatedNodesWarning(UserWarning):
    """Nodes without any known pair of the predicted edge type were found and left out of the
    negatives (a note on how they are treated, not a fault)."""


def isolated_nodes(data: HeteroData, edge_type: EdgeType) -> dict[NodeType, Tensor]:
    """The nodes of each end type of ``edge_type`` that no ``edge_type`` edge of ``data``
    touches.

    Args:
        data (HeteroData): the input graph (pass the full graph, not a fold's training graph:
            in a training graph every held-out node would look isolated).
        edge_type (EdgeType): the predicted interaction type, e.g.
            ``("circrna", "binds", "mirna")``.

    Returns:
        dict[str, LongTensor]: ``{source type: [I_s], destination type: [I_d]}`` sorted node
        indices (one entry when both ends have the same type, isolated on both sides).
    """
    if edge_type not in data.edge_types:
        raise ValueError(f"isolated_nodes: edge type {edge_type} not in the graph (has "
                         f"{data.edge_types})")
    src_t, _, dst_t = edge_type
    ei = data[edge_type].edge_index
    touched: dict[NodeType, Tensor] = {}
    for row, nt in ((0, src_t), (1, dst_t)):
        t = touched.setdefault(nt, torch.zeros(int(data[nt].num_nodes), dtype=torch.bool))
        t[ei[row]] = True
    return {nt: torch.nonzero(~t).view(-1) for nt, t in touched.items()}


def interactions_complete(data: HeteroData) -> bool:
    """Whether ``data`` declares every interaction known (``data.interactions_complete``, a
    graph-level attribute; ``False`` when absent), so an RNA without a pair binds nothing."""
    return bool(getattr(data, "interactions_complete", False))


def negative_boxes(data: HeteroData, edge_type: EdgeType, isolated_negatives: bool,
                   owner: str = "split", stacklevel: int = 3
                   ) -> tuple[np.ndarray, np.ndarray] | None:
    """The source and destination nodes a negative may involve (``int64`` arrays), or
    ``None`` when every node may (``isolated_negatives=True``, or no isolated node: the draws
    are then exactly those of earlier versions). Warns once with the counts when isolated
    nodes are left out, so a user sees how they are treated (``stacklevel`` as in
    :func:`warnings.warn`, counted from this function). A graph that declares its interactions
    complete (``data.interactions_complete``) has no unobserved RNA: every node may be drawn."""
    if isolated_negatives or interactions_complete(data):
        return None
    iso = isolated_nodes(data, edge_type)
    src_t, _, dst_t = edge_type
    n_iso = {nt: int(t.numel()) for nt, t in iso.items()}
    if not any(n_iso.values()):
        return None
    said = ", ".join(f"{n} {nt}" for nt, n in n_iso.items() if n)
    warnings.warn(f"{owner}: {said} node(s) have no known {edge_type[1]!r} pair; they are not "
                  f"drawn as negatives (an RNA without known pairs is not a known non-partner); "
                  f"pass isolated_negatives=True to draw them", IsolatedNodesWarning,
                  stacklevel=stacklevel)
    keep = []
    for nt in (src_t, dst_t):
        mask = np.ones(int(data[nt].num_nodes), dtype=bool)
        mask[iso[nt].numpy()] = False
        keep.append(np.flatnonzero(mask).astype(np.int64))
    return keep[0], keep[1]


__all__ = ["isolated_nodes", "interactions_complete", "negative_boxes", "IsolatedNodesWarning"]
