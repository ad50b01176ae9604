r"""Inductive cold-start folds: held-out RNAs leave the fitted graph and come back as new nodes.

A transductive cold fold (:func:`~rnagraph.data.kfold_link_split` with a cold ``mode``) keeps
the held-out RNAs as nodes of ``train_graph``, without pairs: a model that learns one vector
per node has seen them (as untrained rows), and a graph encoder may place them. A user's new
RNA is not in the graph at all. :func:`make_inductive` turns such a fold into the user's case:

* per held-out node type the nodes are reordered as kept :math:`R`, validation :math:`V`, test
  :math:`T` (each group in its original order); ``fold.node_order[nt]`` maps the fold's index
  to the split graph's;
* ``train_graph`` holds :math:`R` only (and every node of the other types), with the training
  positives and, of the other edge types, only the edges among kept nodes;
* ``val_graph`` = ``train_graph`` + :math:`V` and ``score_graph`` = ``train_graph`` +
  :math:`V` + :math:`T` as **new nodes**: appended after the fitted ones, with their ids and
  sequences and no edge at all (a user who scores a new RNA knows none of its pairs);
* every pair is renumbered; pairs, negatives and the random draws are those of the
  transductive fold, so the two protocols are measured on the same pairs.

Validation RNAs are removed like the test ones, so early stopping, calibration and a
threshold chosen on validation see the inductive case; they never involve a test RNA.
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold, LinkSet
from rnagraph.typing import NodeType


def _within(ei: Tensor, et: tuple, limit: dict[NodeType, int]) -> Tensor:
    """``[E]`` mask of the pairs ``ei`` whose ends are below ``limit`` of their node type."""
    keep = torch.ones(ei.size(1), dtype=torch.bool)
    for row, nt in ((0, et[0]), (1, et[2])):
        if nt in limit:
            keep &= ei[row] < limit[nt]
    return keep


def _drop_edges_beyond(graph: HeteroData, limit: dict[NodeType, int]) -> HeteroData:
    """A shallow copy of ``graph`` without the edges (of any type) that touch a node of type
    ``nt`` with index ``>= limit[nt]``; per-edge attributes and ``known_negatives`` are subset
    alike."""
    out = copy.copy(graph)
    for et in graph.edge_types:
        store = graph[et]
        if "edge_index" not in store:
            continue
        keep = _within(store.edge_index, et, limit)
        if not bool(keep.all()):
            for key, value in list(store.items()):
                if isinstance(value, Tensor) and store.is_edge_attr(key):
                    out[et][key] = value[..., keep] if key == "edge_index" else value[keep]
        kn = getattr(store, "known_negatives", None)
        if kn is not None:
            out[et].known_negatives = kn[:, _within(kn, et, limit)]
    return out


def _renumber_known_negatives(graph: HeteroData, inv: dict[NodeType, Tensor]) -> HeteroData:
    """``subgraph`` renumbers edges but not the ``known_negatives`` pairs (``[2, M]`` node
    indices stored on an edge type, :func:`~rnagraph.data.build.known_negatives`): renumber
    them in place of the copy, keeping only those among kept RNAs (a new RNA has no labels)."""
    for et in graph.edge_types:
        kn = getattr(graph[et], "known_negatives", None)
        if kn is None:
            continue
        kn = kn.clone()
        for row, nt in ((0, et[0]), (1, et[2])):
            if nt in inv and kn.numel():
                kn[row] = inv[nt][kn[row]]
        graph[et].known_negatives = kn
    return graph


def _relabel(ls: LinkSet, fold: Fold, inv: dict[NodeType, Tensor]) -> LinkSet:
    ei = ls.edge_label_index.clone()
    for row, nt in ((0, fold.edge_type[0]), (1, fold.edge_type[2])):
        if nt in inv and ei.numel():
            ei[row] = inv[nt][ei[row]]
    return LinkSet(ei, ls.edge_label.clone())


def make_inductive(fold: Fold, held: dict[NodeType, tuple[np.ndarray, np.ndarray]]) -> Fold:
    """The inductive version of a transductive cold ``fold``.

    Args:
        fold (Fold): a leakage-free cold fold whose ``train_graph`` holds every node.
        held (dict): per held-out node type, boolean masks ``(val, test)`` over its nodes (the
            validation and test RNAs of the fold; disjoint).

    Returns:
        Fold: the same pairs renumbered, ``train_graph`` without the held-out RNAs,
        ``val_graph`` and ``score_graph`` with them appended as new nodes, ``node_order``,
        and ``meta["inductive"] = True``.
    """
    if fold.protocol != "leakage-free" or fold.mode == "warm" or fold.inductive:
        raise ValueError("make_inductive: needs a transductive leakage-free cold fold, got "
                         f"{fold!r}")
    et = fold.edge_type
    if et[0] == et[2]:
        raise ValueError(f"make_inductive: {et} joins one node type to itself; holding out "
                         "its nodes on one side only is not defined")
    order: dict[NodeType, Tensor] = {}
    inv: dict[NodeType, Tensor] = {}
    n_fit: dict[NodeType, int] = {}
    n_val: dict[NodeType, int] = {}
    for nt, (val, test) in held.items():
        val, test = np.asarray(val, dtype=bool), np.asarray(test, dtype=bool)
        if (val & test).any():
            raise ValueError(f"make_inductive: {int((val & test).sum())} {nt} node(s) are both "
                             "validation and test RNAs")
        keep = ~val & ~test
        perm = torch.from_numpy(np.concatenate([np.flatnonzero(keep), np.flatnonzero(val),
                                                np.flatnonzero(test)]).astype(np.int64))
        order[nt] = perm
        inv[nt] = torch.empty_like(perm)
        inv[nt][perm] = torch.arange(perm.numel())
        n_fit[nt] = int(keep.sum())
        n_val[nt] = n_fit[nt] + int(val.sum())
    # train_graph of the transductive fold: training positives only for edge_type, every
    # other edge type whole; permute, then drop every edge that touches a held-out RNA
    score = _drop_edges_beyond(_renumber_known_negatives(fold.train_graph.subgraph(order), inv),
                               n_fit)
    train = score.subgraph({nt: torch.arange(n) for nt, n in n_fit.items()})
    val_g = score.subgraph({nt: torch.arange(n) for nt, n in n_val.items()})
    sets = {name: _relabel(getattr(fold, name), fold, inv) for name in ("train", "val", "test")}
    return dataclasses.replace(
        fold, train_graph=train, val_graph=val_g, score_graph=score, node_order=order,
        meta={**fold.meta, "inductive": True,
              "held_out": {nt: [n_val[nt] - n_fit[nt], int(order[nt].numel()) - n_val[nt]]
                           for nt in order}}, **sets)


__all__ = ["make_inductive"]
