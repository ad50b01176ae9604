"""Check that a :class:`~rnagraph.data.Fold` cannot leak test information into training."""
from __future__ import annotations

import warnings

import numpy as np
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.data.negatives import pair_codes
from rnagraph.typing import EdgeType, reverse_edge_type


class LeakageError(ValueError):
    """A fold lets validation / test information reach training."""


class PaperProtocolWarning(UserWarning):
    """A fold follows the papers' leaky protocol (``protocol="paper"``)."""


def _overlap(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.isin(a, b).sum())


def _codes_between(g: HeteroData, et: EdgeType, n_dst: int,
                   types: list[EdgeType] | None = None) -> tuple[np.ndarray, list[EdgeType]]:
    """Pair codes (oriented as ``et``: source type first) of the edges of ``g`` stored under
    ``types``, or, by default, under **every** edge type between ``et``'s two node types, in
    either direction; and the edge types that hold any."""
    src, dst = et[0], et[2]
    if types is None:
        types = [t for t in g.edge_types if {t[0], t[2]} == {src, dst}]
    parts, found = [], []
    for t in types:
        if t not in g.edge_types or (t[0], t[2]) not in ((src, dst), (dst, src)):
            continue
        ei = g[t].edge_index
        if ei.numel() == 0:
            continue
        found.append(t)
        if t[0] == src:
            parts.append(pair_codes(ei, n_dst))
        if t[0] == dst:  # stored destination -> source (also both ways when src == dst)
            parts.append(pair_codes(ei.flip(0), n_dst))
    codes = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return codes, found


def check_no_leakage(fold: Fold, full_graph: HeteroData | None = None) -> None:
    r"""Raise :class:`LeakageError` if ``fold`` leaks validation / test pairs into training.

    Checked for every fold:

    1. train, val and test pairs are pairwise disjoint (whatever their labels), so no test pair
       (positive or negative) is a training pair;
    2. no pair is labelled both 1 and 0 inside one set (train, val or test);
    3. with ``full_graph`` (the graph the fold was split from): no pair labelled 0 in any set is
       a known positive, i.e. an ``edge_type`` edge (or its reverse) of ``full_graph``.

    Checked, in addition, for ``protocol="leakage-free"`` and ``"full"`` folds, where
    ``train_graph`` must hold training positives only:

    4. no val / test positive is an edge of ``fold.train_graph`` stored under **any** edge type
       between the two node types of ``edge_type``, in either direction (not only
       ``edge_type`` and its ``rev_`` reverse: a second relation name or a
       ``rev_rev_`` copy leaks just as well);
    5. no val / test negative is such an edge (a mislabelled known positive);
    6. cold modes: the held-out node(s) of every test pair have no training pair and no
       ``train_graph`` edge.
    7. inductive folds (``fold.node_order``): no validation or test RNA of a held-out type is a
       node of ``train_graph`` (its index lies beyond the fitted nodes, and its id is not one
       of theirs), no validation pair involves a test RNA, the fitted nodes lead
       ``val_graph`` and ``score_graph`` in the same order, and no edge of any of the three
       graphs touches a held-out RNA.

    For ``protocol="paper"`` folds, ``train_graph`` holds every positive by design (that is the
    papers' protocol): checks 4 and 5 cannot hold, so a :class:`PaperProtocolWarning` is issued
    instead; checks 1 - 3 still raise, since even the papers never trained on test pairs.
    ``protocol="full"`` folds (:meth:`Fold.full`) have an empty test set and pass.

    Args:
        fold (Fold): the fold to check.
        full_graph (HeteroData, optional): the graph the fold was split from, holding every
            known positive; enables check 3. (default: ``None``)

    Raises:
        LeakageError: naming the check, the fold and how many pairs leak.
    """
    et = fold.edge_type
    g = fold.train_graph
    n_dst = int(fold.graph_for("test")[et[2]].num_nodes)   # new RNAs included (inductive)
    where = f"check_no_leakage: fold {fold.index} ({fold.mode}, {fold.protocol})"
    sets = {name: getattr(fold, name) for name in ("train", "val", "test")}
    codes = {name: pair_codes(ls.edge_label_index, n_dst) for name, ls in sets.items()}
    pos = {name: pair_codes(ls.pos_index, n_dst) for name, ls in sets.items()}
    neg = {name: pair_codes(ls.neg_index, n_dst) for name, ls in sets.items()}

    for a, b in (("val", "train"), ("test", "train"), ("test", "val")):
        n = _overlap(codes[a], codes[b])
        if n:
            raise LeakageError(f"{where}: {n} {a} pair(s) are also {b} pairs")
    for name in ("train", "val", "test"):
        n = _overlap(np.unique(pos[name]), neg[name])
        if n:
            raise LeakageError(f"{where}: {n} {name} pair(s) are labelled both 1 and 0; each "
                               "pair of a set must have one label")
    if full_graph is not None:
        if int(full_graph[et[2]].num_nodes) != n_dst:
            raise ValueError(f"{where}: full_graph has {full_graph[et[2]].num_nodes} "
                             f"{et[2]!r} nodes, the fold's graphs {n_dst}; pass the graph "
                             "the fold was split from")
        known, _ = _codes_between(full_graph, et, n_dst, [et, reverse_edge_type(et)])
        if fold.inductive:   # the full graph's pairs in the fold's node indices
            known = pair_codes(fold.to_fold_index(
                np.stack([known // n_dst, known % n_dst])), n_dst)
        for name in ("train", "val", "test"):
            n = _overlap(neg[name], known)
            if n:
                raise LeakageError(f"{where}: {n} {name} negative(s) are known positives "
                                   f"({et} edges of full_graph); negatives must be drawn from "
                                   "unobserved pairs")

    if fold.protocol == "paper":
        warnings.warn(f"{where}: protocol='paper' — train_graph holds every known positive, "
                      "test edges included, so graph-derived features see the test set. Results "
                      "are comparable to the papers, not an honest estimate.",
                      PaperProtocolWarning, stacklevel=2)
        return

    gc, types = _codes_between(g, et, n_dst)
    for name in ("val", "test"):
        n = _overlap(pos[name], gc)
        if n:
            raise LeakageError(f"{where}: {n} {name} positive(s) are edges of train_graph "
                               f"(edge types {types} between {et[0]!r} and {et[2]!r}); "
                               "train_graph must hold training positives only")
        n = _overlap(neg[name], gc)
        if n:
            raise LeakageError(f"{where}: {n} {name} negative(s) are edges of train_graph "
                               f"(edge types {types}), i.e. known positives labelled 0")

    if fold.mode in ("cold-src", "cold-dst", "cold-both"):
        tr = fold.train.edge_label_index.numpy()
        ge = (np.stack([gc // n_dst, gc % n_dst]) if gc.size
              else np.empty((2, 0), dtype=np.int64))
        test = fold.test.edge_label_index.numpy()
        sides = {"cold-src": (0,), "cold-dst": (1,), "cold-both": (0, 1)}[fold.mode]
        for side in sides:
            held = np.unique(test[side])
            n = _overlap(held, np.concatenate([tr[side], ge[side]]))
            if n:
                label = "source" if side == 0 else "destination"
                raise LeakageError(f"{where}: {n} held-out {label} node(s) of the test set have "
                                   "training pairs or train_graph edges")
    if fold.inductive:
        _check_inductive(fold, where)


def _check_inductive(fold: Fold, where: str) -> None:
    """Check 7: the held-out RNAs of an inductive fold are absent from its fitted graph."""
    et = fold.edge_type
    graphs = {"train_graph": fold.train_graph, "val_graph": fold.graph_for("val"),
              "score_graph": fold.graph_for("test")}
    for row, nt in ((0, et[0]), (1, et[2])):
        if nt not in fold.node_order:
            continue
        n_fit = int(fold.train_graph[nt].num_nodes)
        n_val = int(graphs["val_graph"][nt].num_nodes)
        n_all = int(graphs["score_graph"][nt].num_nodes)
        if not n_fit <= n_val <= n_all == int(fold.node_order[nt].numel()):
            raise LeakageError(f"{where}: {nt} node counts {n_fit} (train_graph) <= {n_val} "
                               f"(val_graph) <= {n_all} (score_graph) = node_order do not hold")
        for name, ls, lo, hi in (("train", fold.train, 0, n_fit),
                                 ("val", fold.val, n_fit, n_val),
                                 ("test", fold.test, n_val, n_all)):
            idx = ls.edge_label_index[row]
            n = int(((idx < lo) | (idx >= hi)).sum())
            if n:
                raise LeakageError(f"{where}: {n} {name} pair(s) have a {nt} index outside "
                                   f"[{lo}, {hi}), the {name} RNAs of this inductive fold "
                                   "(a test RNA in the fitted graph or in validation)")
        ids = {k: getattr(g[nt], "ids", None) for k, g in graphs.items()}
        if ids["train_graph"] is not None:
            fitted = list(ids["train_graph"])
            for k in ("val_graph", "score_graph"):
                if ids[k] is not None and list(ids[k])[:n_fit] != fitted:
                    raise LeakageError(f"{where}: the first {n_fit} {nt} ids of {k} are not "
                                       "train_graph's (fitted nodes must come first, in order)")
            if ids["score_graph"] is not None:
                n = len(set(list(ids["score_graph"])[n_fit:]) & set(fitted))
                if n:
                    raise LeakageError(f"{where}: {n} held-out {nt} RNA id(s) are nodes of "
                                       "train_graph")
    for k, g in graphs.items():
        for t in g.edge_types:
            if "edge_index" not in g[t]:
                continue
            ei = g[t].edge_index
            for r, nt in ((0, t[0]), (1, t[2])):
                if nt in fold.node_order and ei.numel():
                    n = int((ei[r] >= int(fold.train_graph[nt].num_nodes)).sum())
                    if n:
                        raise LeakageError(f"{where}: {n} {t} edge(s) of {k} touch a held-out "
                                           f"{nt} RNA; new RNAs come without edges")


__all__ = ["check_no_leakage", "LeakageError", "PaperProtocolWarning"]
