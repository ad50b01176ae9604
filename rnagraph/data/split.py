r"""K-fold and hold-out link splits: warm, cold-start, and the papers' (leaky) protocol.

Leakage-free folds (the default) hold a ``train_graph`` whose interaction edges are the
training positives only; validation and test positives never appear in it. Negatives are drawn
uniformly from pairs that are not positives of the **full** graph, with train / val / test
negatives disjoint. ``protocol="paper"`` reproduces how MFERL / GRMMI were evaluated and is
labelled as such (see ``docs/protocol.md``).
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold, LinkSet
from rnagraph.data.negatives import codes_to_index, pair_codes, sample_codes
from rnagraph.typing import EdgeType, reverse_edge_type

MODES = ("warm", "cold-src", "cold-dst", "cold-both")
PROTOCOLS = ("leakage-free", "paper")
#: protocol label of :func:`full_fold` (fit on every known pair; there is no test set)
FULL = "full"


def _check_args(data: HeteroData, edge_type: EdgeType, mode: str, protocol: str,
                neg_ratio: float, val_ratio: float) -> None:
    if edge_type not in data.edge_types:
        raise ValueError(f"split: edge type {edge_type} not in the graph (has {data.edge_types})")
    if mode not in MODES:
        raise ValueError(f"split: unknown mode {mode!r}; expected one of {MODES}")
    if protocol not in PROTOCOLS:
        raise ValueError(f"split: unknown protocol {protocol!r}; expected one of {PROTOCOLS}")
    if protocol == "paper" and mode != "warm":
        raise ValueError("split: protocol='paper' only exists for mode='warm' (the papers ran "
                         "a plain KFold over pairs)")
    if not 0 < neg_ratio < float("inf"):  # also refuses NaN
        raise ValueError(f"split: neg_ratio must be a positive finite number, got {neg_ratio}")
    if not 0 <= val_ratio < 1:
        raise ValueError(f"split: val_ratio must be in [0, 1), got {val_ratio}")


def _positives(data: HeteroData, edge_type: EdgeType) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Unique positive codes and, per unique code, one column of the original edge_index."""
    n_src = int(data[edge_type[0]].num_nodes)
    n_dst = int(data[edge_type[2]].num_nodes)
    codes = pair_codes(data[edge_type].edge_index, n_dst)
    uniq, first = np.unique(codes, return_index=True)
    if uniq.size != codes.size:
        warnings.warn(f"split: {codes.size - uniq.size} duplicate {edge_type} edge(s) ignored",
                      stacklevel=3)
    order = np.sort(first)  # keep the graph's edge order
    return codes[order], order, n_src, n_dst


def train_graph_from(data: HeteroData, edge_type: EdgeType, keep_codes: np.ndarray) -> HeteroData:
    """A shallow copy of ``data`` whose ``edge_type`` edges (and reverse) are ``keep_codes`` only.

    Per-edge attributes of the two stores are subset consistently; other edge types, node stores
    and their tensors are shared with ``data`` (never modified).
    """
    out = copy.copy(data)
    n_dst = int(data[edge_type[2]].num_nodes)
    keep_codes = np.asarray(keep_codes, dtype=np.int64)
    for et, flip in ((edge_type, False), (reverse_edge_type(edge_type), True)):
        if et not in data.edge_types:
            continue
        src = data[et]
        ei = src.edge_index.flip(0) if flip else src.edge_index
        mask = torch.from_numpy(np.isin(pair_codes(ei, n_dst), keep_codes))
        store = out[et]
        for key, value in list(src.items()):
            if isinstance(value, Tensor) and src.is_edge_attr(key):
                store[key] = value[..., mask] if key == "edge_index" else value[mask]
    return out


def _node_groups(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Random assignment of ``n`` nodes to ``k`` near-equal groups."""
    group = np.empty(n, dtype=np.int64)
    for i, part in enumerate(np.array_split(rng.permutation(n), k)):
        group[part] = i
    return group


def _subsample(idx: np.ndarray, frac: float, rng: np.random.Generator) -> np.ndarray:
    n = int(round(frac * idx.size))
    return np.sort(rng.choice(idx, size=n, replace=False)) if n else idx[:0]


def _leakage_free_fold(data: HeteroData, edge_type: EdgeType, pos: np.ndarray, n_src: int,
                       n_dst: int, test_sel: np.ndarray, mode: str, val_ratio: float,
                       neg_ratio: float, rng: np.random.Generator, index: int,
                       exclude_test: np.ndarray, meta: dict) -> tuple[Fold, np.ndarray]:
    """Build one fold given the held-out selection.

    ``test_sel`` is, for ``warm``, the indices of ``pos`` held out; for cold modes a boolean
    node mask over the cold side(s) (``[n_src]`` / ``[n_dst]`` or a tuple for ``cold-both``).
    """
    s, d = pos // n_dst, pos % n_dst
    all_src, all_dst = np.arange(n_src), np.arange(n_dst)
    if mode == "warm":
        test_mask = np.zeros(pos.size, dtype=bool)
        test_mask[test_sel] = True
        rest = np.flatnonzero(~test_mask)
        val_idx = _subsample(rest, val_ratio, rng)
        val_mask = np.zeros(pos.size, dtype=bool)
        val_mask[val_idx] = True
        train_mask = ~test_mask & ~val_mask
        boxes = {"test": (all_src, all_dst), "val": (all_src, all_dst),
                 "train": (all_src, all_dst)}
    else:
        cold_src = mode in ("cold-src", "cold-both")
        cold_dst = mode in ("cold-dst", "cold-both")
        t_src, t_dst = test_sel
        v_src = np.zeros(n_src, dtype=bool)
        v_dst = np.zeros(n_dst, dtype=bool)
        if cold_src:
            v_src[_subsample(np.flatnonzero(~t_src), val_ratio, rng)] = True
        if cold_dst:
            v_dst[_subsample(np.flatnonzero(~t_dst), val_ratio, rng)] = True
        r_src, r_dst = ~t_src & ~v_src, ~t_dst & ~v_dst
        if not cold_src:
            t_src = v_src = r_src = np.ones(n_src, dtype=bool)
        if not cold_dst:
            t_dst = v_dst = r_dst = np.ones(n_dst, dtype=bool)
        test_mask = t_src[s] & t_dst[d]
        val_mask = v_src[s] & v_dst[d]
        train_mask = r_src[s] & r_dst[d]
        # cold modes: a node may belong to several boxes only on the warm side, so the three
        # masks are disjoint on the cold side(s); pairs that straddle boxes are dropped.
        boxes = {"test": (np.flatnonzero(t_src), np.flatnonzero(t_dst)),
                 "val": (np.flatnonzero(v_src), np.flatnonzero(v_dst)),
                 "train": (np.flatnonzero(r_src), np.flatnonzero(r_dst))}
    sets: dict[str, LinkSet] = {}
    taken = [exclude_test]
    for name, mask in (("test", test_mask), ("val", val_mask), ("train", train_mask)):
        p = pos[mask]
        n_neg = int(round(neg_ratio * p.size))
        neg = sample_codes(*boxes[name], n_dst, n_neg, np.concatenate([pos, *taken]), rng)
        taken.append(neg)
        sets[name] = LinkSet.from_pos_neg(codes_to_index(p, n_dst), codes_to_index(neg, n_dst))
        if name == "test":
            test_neg = neg
    fold = Fold(index=index, edge_type=edge_type,
                train_graph=train_graph_from(data, edge_type, pos[train_mask]),
                train=sets["train"], val=sets["val"], test=sets["test"], mode=mode,
                protocol="leakage-free",
                meta={**meta, "dropped_positives": int(pos.size - test_mask.sum() - val_mask.sum()
                                                       - train_mask.sum())})
    if not len(fold.test.pos_index[0]):
        warnings.warn(f"split: fold {index} ({mode}) has no test positives", stacklevel=3)
    return fold, test_neg


def kfold_link_split(data: HeteroData, edge_type: EdgeType, k: int = 5, neg_ratio: float = 1,
                     mode: str = "warm", val_ratio: float = 0.1, seed: int = 0,
                     protocol: str = "leakage-free") -> list[Fold]:
    r"""Split the ``edge_type`` pairs of ``data`` into ``k`` folds.

    Modes (``protocol="leakage-free"``):

    * ``"warm"``: positives are assigned to folds at random; every positive is a test positive in
      exactly one fold. Validation positives are a ``val_ratio`` share of the rest.
    * ``"cold-src"`` / ``"cold-dst"``: the source / destination **nodes** are split into ``k``
      groups; fold :math:`i` tests the pairs of group :math:`i`, whose nodes have no training
      (or validation) pair, positive or negative. Validation holds out a further ``val_ratio`` of
      the remaining nodes, so early stopping sees cold nodes as the test does.
    * ``"cold-both"``: both sides are grouped; fold :math:`i` tests pairs whose source is in
      source group :math:`i` **and** destination in destination group :math:`i`; pairs with only
      one held-out end are dropped from that fold (``meta["dropped_positives"]``).

    Negatives are ``neg_ratio`` per positive in each set, uniform over pairs that are not
    positives of the full graph, drawn from the same node box as the set's positives (so cold
    test negatives involve cold nodes too), disjoint across train / val / test and across the
    test sets of different folds.

    ``protocol="paper"`` (warm only) reproduces the MFERL / GRMMI evaluation: ``neg_ratio`` x
    :math:`E` negatives drawn **once** from all unobserved pairs, a shuffled KFold over the
    combined pair list, and ``train_graph`` = the **full** graph (test positives included, so
    graph features leak). Such folds carry ``protocol="paper"`` and
    :func:`~rnagraph.data.check_no_leakage` warns on them.

    Args:
        data (HeteroData): the full graph.
        edge_type (EdgeType): the interaction type to predict.
        k (int): number of folds. (default: ``5``)
        neg_ratio (float): negatives per positive. (default: ``1``)
        mode (str): ``"warm"``, ``"cold-src"``, ``"cold-dst"`` or ``"cold-both"``.
        val_ratio (float): share of the non-test positives (warm) or nodes (cold) held out
            for validation. (default: ``0.1``)
        seed (int): seed for every random choice. (default: ``0``)
        protocol (str): ``"leakage-free"`` or ``"paper"``.

    Returns:
        list[Fold]: ``k`` folds.
    """
    _check_args(data, edge_type, mode, protocol, neg_ratio, val_ratio)
    if not isinstance(k, int) or k < 2:
        raise ValueError(f"kfold_link_split: k must be an int >= 2, got {k!r}")
    rng = np.random.default_rng(seed)
    pos, _, n_src, n_dst = _positives(data, edge_type)
    meta = {"k": k, "neg_ratio": neg_ratio, "val_ratio": val_ratio, "seed": seed}
    if protocol == "paper":
        return _paper_folds(data, edge_type, pos, n_src, n_dst, k, neg_ratio, val_ratio, rng,
                            meta)
    if mode == "warm" and pos.size < k:
        raise ValueError(f"kfold_link_split: {pos.size} positives for k={k}")
    folds: list[Fold] = []
    tested_neg = np.empty(0, dtype=np.int64)
    if mode == "warm":
        parts = np.array_split(rng.permutation(pos.size), k)
        sels = list(parts)
    else:
        gs = _node_groups(n_src, k, rng) if mode in ("cold-src", "cold-both") else None
        gd = _node_groups(n_dst, k, rng) if mode in ("cold-dst", "cold-both") else None
        sels = [((gs == i) if gs is not None else np.ones(n_src, dtype=bool),
                 (gd == i) if gd is not None else np.ones(n_dst, dtype=bool)) for i in range(k)]
    for i, sel in enumerate(sels):
        fold, test_neg = _leakage_free_fold(data, edge_type, pos, n_src, n_dst, sel, mode,
                                            val_ratio, neg_ratio, rng, i, tested_neg, meta)
        tested_neg = np.concatenate([tested_neg, test_neg])
        folds.append(fold)
    return folds


def full_fold(data: HeteroData, edge_type: EdgeType, *, val_ratio: float = 0.1,
              neg_ratio: float = 1, seed: int = 0) -> Fold:
    r"""A fold to fit on **every known pair** (for a model you will use, not evaluate).

    The ``edge_type`` positives are shuffled; a ``val_ratio`` share becomes ``val`` (for early
    stopping and calibration) and the rest ``train``; ``train_graph`` holds the training
    positives only, so validation pairs are scored as unseen pairs are. Each set gets
    ``neg_ratio`` uniform negatives per positive among pairs that are not positives, disjoint
    between the sets. ``test`` is empty. The fold is labelled ``protocol="full"``: it measures
    nothing (there is no held-out test set) and is not a leakage-free evaluation.

    Args:
        data (HeteroData): the graph of every known interaction.
        edge_type (EdgeType): the interaction type to predict.
        val_ratio (float): share of positives held out for validation. (default: ``0.1``)
        neg_ratio (float): negatives per positive. (default: ``1``)
        seed (int): seed of every random choice. (default: ``0``)
    """
    _check_args(data, edge_type, "warm", "leakage-free", neg_ratio, val_ratio)
    rng = np.random.default_rng(seed)
    pos, _, n_src, n_dst = _positives(data, edge_type)
    if pos.size < 2:
        raise ValueError(f"full_fold: {pos.size} positive(s) of {edge_type}; need at least 2")
    order = rng.permutation(pos.size)
    n_val = int(round(val_ratio * pos.size)) if val_ratio > 0 else 0
    n_val = min(max(n_val, 1 if val_ratio > 0 else 0), pos.size - 1)
    parts = {"val": pos[np.sort(order[:n_val])], "train": pos[np.sort(order[n_val:])]}
    all_src, all_dst = np.arange(n_src), np.arange(n_dst)
    sets: dict[str, LinkSet] = {}
    taken = [pos]
    for name in ("val", "train"):
        p = parts[name]
        neg = sample_codes(all_src, all_dst, n_dst, int(round(neg_ratio * p.size)),
                           np.concatenate(taken), rng)
        taken.append(neg)
        sets[name] = LinkSet.from_pos_neg(codes_to_index(p, n_dst), codes_to_index(neg, n_dst))
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    return Fold(index=0, edge_type=edge_type,
                train_graph=train_graph_from(data, edge_type, parts["train"]),
                train=sets["train"], val=sets["val"], test=empty, mode="warm", protocol=FULL,
                meta={"neg_ratio": neg_ratio, "val_ratio": val_ratio, "seed": seed})


def holdout_split(data: HeteroData, edge_type: EdgeType, test_ratio: float = 0.2,
                  val_ratio: float = 0.1, neg_ratio: float = 1, mode: str = "warm",
                  seed: int = 0, protocol: str = "leakage-free") -> Fold:
    """A single train / val / test split (one :class:`Fold` with ``index=0``).

    ``test_ratio`` is the share of positives (warm, paper) or of the cold side's nodes (cold
    modes) held out for testing; everything else is as in :func:`kfold_link_split`.
    """
    _check_args(data, edge_type, mode, protocol, neg_ratio, val_ratio)
    if not 0 < test_ratio < 1:
        raise ValueError(f"holdout_split: test_ratio must be in (0, 1), got {test_ratio}")
    rng = np.random.default_rng(seed)
    pos, _, n_src, n_dst = _positives(data, edge_type)
    meta = {"k": 1, "test_ratio": test_ratio, "neg_ratio": neg_ratio, "val_ratio": val_ratio,
            "seed": seed}
    if protocol == "paper":
        return _paper_folds(data, edge_type, pos, n_src, n_dst, None, neg_ratio, val_ratio, rng,
                            meta, test_ratio=test_ratio)[0]
    if mode == "warm":
        sel = rng.permutation(pos.size)[: int(round(test_ratio * pos.size))]
    else:
        def pick(n: int, cold: bool) -> np.ndarray:
            m = np.ones(n, dtype=bool)
            if cold:
                m[:] = False
                m[rng.permutation(n)[: int(round(test_ratio * n))]] = True
            return m
        sel = (pick(n_src, mode in ("cold-src", "cold-both")),
               pick(n_dst, mode in ("cold-dst", "cold-both")))
    fold, _ = _leakage_free_fold(data, edge_type, pos, n_src, n_dst, sel, mode, val_ratio,
                                 neg_ratio, rng, 0, np.empty(0, dtype=np.int64), meta)
    return fold


def _paper_folds(data: HeteroData, edge_type: EdgeType, pos: np.ndarray, n_src: int,
                 n_dst: int, k: int | None, neg_ratio: float, val_ratio: float,
                 rng: np.random.Generator, meta: dict,
                 test_ratio: float | None = None) -> list[Fold]:
    neg = sample_codes(np.arange(n_src), np.arange(n_dst), n_dst,
                       int(round(neg_ratio * pos.size)), pos, rng)
    codes = np.concatenate([pos, neg])
    labels = np.concatenate([np.ones(pos.size), np.zeros(neg.size)]).astype(np.float32)
    perm = rng.permutation(codes.size)
    if k is None:
        parts = [perm[: int(round(test_ratio * codes.size))]]
    else:
        parts = np.array_split(perm, k)
    meta = {**meta, "note": "paper protocol: negatives drawn once, KFold over all pairs, "
                            "train_graph = full graph (test edges visible; leaky by design)"}

    def linkset(idx: np.ndarray) -> LinkSet:
        return LinkSet(codes_to_index(codes[idx], n_dst), torch.from_numpy(labels[idx]))

    folds = []
    for i, test in enumerate(parts):
        rest = np.setdiff1d(perm, test)
        val = _subsample(rest, val_ratio, rng)
        train = np.setdiff1d(rest, val)
        folds.append(Fold(index=i, edge_type=edge_type, train_graph=copy.copy(data),
                          train=linkset(train), val=linkset(val), test=linkset(test),
                          mode="warm", protocol="paper", meta=dict(meta)))
    return folds


__all__ = ["kfold_link_split", "holdout_split", "train_graph_from", "MODES", "PROTOCOLS"]
