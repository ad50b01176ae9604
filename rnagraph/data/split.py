r"""K-fold and hold-out link splits: warm, cold-start, and the papers' (leaky) protocol.

Leakage-free folds (the default) hold a ``train_graph`` whose interaction edges are the
training positives only; validation and test positives never appear in it. Negatives are drawn
uniformly from pairs that are not positives of the **full** graph, with train / val / test
negatives disjoint (``negatives="degree"`` / ``"hard"`` replace the validation and test ones by
degree-matched or heuristic-hard negatives). RNAs without any known pair of the predicted type
(:func:`~rnagraph.data.isolated.isolated_nodes`) are never drawn as negatives unless
``isolated_negatives=True``. Folds report how many test positives a training
twin answers (:mod:`rnagraph.data.twins`); cold splits can keep twins in one fold.
``protocol="paper"`` reproduces how MFERL / GRMMI were evaluated and is labelled as such (see
``docs/protocol.md``).
"""
from __future__ import annotations

import copy
import dataclasses
import warnings

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold, LinkSet
from rnagraph.data.inductive import make_inductive
from rnagraph.data.isolated import negative_boxes
from rnagraph.data.negatives import (
    codes_to_index,
    degree_matched_codes,
    hard_codes,
    pair_codes,
    sample_codes,
)
from rnagraph.data.paths import bipartite_adjacency, path3_factors, path3_rows
from rnagraph.data.twins import TWIN_KEYS, twin_answered, twin_groups
from rnagraph.typing import EdgeType, reverse_edge_type

MODES = ("warm", "cold-src", "cold-dst", "cold-both")
PROTOCOLS = ("leakage-free", "paper")
#: how validation and test negatives are drawn (training negatives are always uniform)
NEGATIVES = ("uniform", "degree", "hard")
#: protocol label of :func:`full_fold` (fit on every known pair; there is no test set)
FULL = "full"


def _check_args(data: HeteroData, edge_type: EdgeType, mode: str, protocol: str,
                neg_ratio: float, val_ratio: float, negatives: str = "uniform",
                group_twins: bool | str = False, inductive: bool = False) -> str | None:
    """Validate the arguments; returns the twin key (``None``: no grouping)."""
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
    if negatives not in NEGATIVES:
        raise ValueError(f"split: unknown negatives {negatives!r}; expected one of {NEGATIVES}")
    if protocol == "paper" and negatives != "uniform":
        raise ValueError("split: protocol='paper' draws uniform negatives once; "
                         "negatives='degree' / 'hard' need protocol='leakage-free'")
    if inductive and (mode == "warm" or protocol != "leakage-free"):
        raise ValueError(f"split: inductive=True holds out whole RNAs: it needs a cold mode "
                         f"and protocol='leakage-free', got mode={mode!r}, protocol={protocol!r}")
    key = "neighbours" if group_twins is True else (group_twins or None)
    if key is not None:
        if key not in TWIN_KEYS:
            raise ValueError(f"split: group_twins must be a bool or one of {TWIN_KEYS}, got "
                             f"{group_twins!r}")
        if mode == "warm":
            raise ValueError("split: group_twins applies to cold modes (they hold out nodes); "
                             "a warm split holds out pairs and reports the share of test "
                             "positives answered by a training twin in fold.meta['twins']")
    return key


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


def _twin_node_groups(labels: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Assign nodes to ``k`` groups keeping each twin group (same label) together: twin
    groups in random order, largest first, each to the currently smallest group."""
    n_lab = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=n_lab)
    perm = rng.permutation(n_lab)
    order = perm[np.argsort(-sizes[perm], kind="stable")]
    fill = np.zeros(k, dtype=np.int64)
    of_label = np.empty(n_lab, dtype=np.int64)
    for lab in order.tolist():
        j = int(np.argmin(fill))
        of_label[lab] = j
        fill[j] += sizes[lab]
    return of_label[labels]


def _subsample(idx: np.ndarray, frac: float, rng: np.random.Generator,
               labels: np.ndarray | None = None) -> np.ndarray:
    n = int(round(frac * idx.size))
    if labels is None or not n:
        return np.sort(rng.choice(idx, size=n, replace=False)) if n else idx[:0]
    # whole twin groups, in random order, until n nodes are taken
    labs = np.unique(labels[idx])
    labs = labs[rng.permutation(labs.size)]
    sizes = np.bincount(labels[idx])[labs]
    take = labs[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    return np.sort(idx[np.isin(labels[idx], take)])


def _hard_scores(train_codes: np.ndarray, data: HeteroData, edge_type: EdgeType):
    """The L3 rows of the training graph (:mod:`rnagraph.data.paths`), for hard negatives."""
    x, y = path3_factors(bipartite_adjacency(data, edge_type, train_codes), "l3")
    return lambda rows, by_src: path3_rows(x, y, rows, by_src)


def _eval_negatives(kind: str, p: np.ndarray, box: tuple, n_dst: int, n_neg: int,
                    forbidden: np.ndarray, train_codes: np.ndarray, data: HeteroData,
                    edge_type: EdgeType, rng: np.random.Generator) -> np.ndarray:
    """Validation / test negatives of ``kind`` matched to the positive codes ``p``."""
    n_src = int(data[edge_type[0]].num_nodes)
    deg = (np.bincount(train_codes // n_dst, minlength=n_src),
           np.bincount(train_codes % n_dst, minlength=n_dst))
    if kind == "degree":
        return degree_matched_codes(p, *box, n_dst, n_neg, forbidden, deg, rng)
    return hard_codes(p, *box, n_dst, n_neg, forbidden, _hard_scores(train_codes, data,
                                                                     edge_type), rng, deg)


def _leakage_free_fold(data: HeteroData, edge_type: EdgeType, pos: np.ndarray, n_src: int,
                       n_dst: int, test_sel: np.ndarray, mode: str, val_ratio: float,
                       neg_ratio: float, rng: np.random.Generator, index: int,
                       exclude_test: np.ndarray, meta: dict, twins: tuple | None = None,
                       twin_key: str | None = None,
                       allowed: tuple[np.ndarray, np.ndarray] | None = None,
                       splittable: tuple[np.ndarray, np.ndarray] | None = None
                       ) -> tuple[Fold, np.ndarray, dict]:
    """Build one fold given the held-out selection.

    ``test_sel`` is, for ``warm``, the indices of ``pos`` held out; for cold modes a boolean
    node mask over the cold side(s) (``[n_src]`` / ``[n_dst]`` or a tuple for ``cold-both``).
    ``twins``: (source, destination) twin labels on the full graph, for ``meta["twins"]``
    and, with ``twin_key``, to keep twin groups together in the validation hold-out.
    ``allowed``: the (source, destination) nodes negatives may involve (``None``: all).
    ``splittable``: (source, destination) masks of the nodes a validation hold-out may take
    (``None``: all). The returned boxes hold, under ``"held"``, the (validation, test) node
    masks of each cold node type.
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
        grp = twins if twin_key is not None else (None, None)
        sp = splittable if splittable is not None else (np.ones(n_src, dtype=bool),
                                                        np.ones(n_dst, dtype=bool))
        held = {}
        if cold_src:
            v_src[_subsample(np.flatnonzero(~t_src & sp[0]), val_ratio, rng, grp[0])] = True
            held[edge_type[0]] = (v_src.copy(), t_src.copy())
        if cold_dst:
            v_dst[_subsample(np.flatnonzero(~t_dst & sp[1]), val_ratio, rng, grp[1])] = True
            held[edge_type[2]] = (v_dst.copy(), t_dst.copy())
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
    boxes = _restrict(boxes, allowed)
    if mode != "warm":
        boxes["held"] = held
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
    meta = dict(meta)
    if twins is not None:  # a dict: reported, not part of a run's fingerprint
        meta["twins"] = twin_answered(twins[0], twins[1], pos[train_mask], pos[test_mask],
                                      n_dst)
    fold = Fold(index=index, edge_type=edge_type,
                train_graph=train_graph_from(data, edge_type, pos[train_mask]),
                train=sets["train"], val=sets["val"], test=sets["test"], mode=mode,
                protocol="leakage-free",
                meta={**meta, "dropped_positives": int(pos.size - test_mask.sum() - val_mask.sum()
                                                       - train_mask.sum())})
    if not len(fold.test.pos_index[0]):
        warnings.warn(f"split: fold {index} ({mode}) has no test positives", stacklevel=3)
    return fold, test_neg, boxes


def _restrict(boxes: dict, allowed: tuple[np.ndarray, np.ndarray] | None) -> dict:
    """The negative boxes without the nodes outside ``allowed`` (isolated nodes);
    unchanged when ``allowed`` is ``None``."""
    if allowed is None:
        return boxes
    return {k: (np.intersect1d(b[0], allowed[0]), np.intersect1d(b[1], allowed[1]))
            for k, b in boxes.items()}


def _isolated(data: HeteroData, edge_type: EdgeType, isolated_negatives: bool, meta: dict,
              owner: str) -> tuple[tuple[np.ndarray, np.ndarray] | None, dict]:
    """The nodes negatives may involve (``None``: all) and ``meta`` with the number of
    isolated nodes left out (recorded only when there are some, so folds of graphs without
    isolated nodes carry the meta of earlier versions)."""
    allowed = negative_boxes(data, edge_type, isolated_negatives, owner, stacklevel=4)
    if allowed is not None:
        n_all = int(data[edge_type[0]].num_nodes) + int(data[edge_type[2]].num_nodes)
        meta = {**meta, "isolated_excluded": n_all - allowed[0].size - allowed[1].size}
    return allowed, meta


def _harder(folds: list[Fold], boxes: list[dict], kind: str, pos: np.ndarray, data: HeteroData,
            edge_type: EdgeType, seed: int) -> list[Fold]:
    """Replace the validation and test negatives of uniform ``folds`` by ``kind`` negatives.

    Everything else (positives, training negatives, training graphs) stays as in the uniform
    folds, so results under different negatives compare the same fits. The new negatives come
    from their own random stream (``seed``, 1), avoid every positive, the fold's training
    negatives and each other, and the test negatives of different folds are disjoint.
    """
    rng = np.random.default_rng([seed, 1])
    n_dst = int(data[edge_type[2]].num_nodes)
    tested: list[np.ndarray] = []
    out = []
    for fold, box in zip(folds, boxes):
        train_codes = pair_codes(fold.train.pos_index, n_dst)
        taken = [pos, pair_codes(fold.train.neg_index, n_dst), *tested]
        sets = {}
        for name in ("test", "val"):
            p = pair_codes(getattr(fold, name).pos_index, n_dst)
            n_neg = len(getattr(fold, name)) - p.size
            neg = (_eval_negatives(kind, p, box[name], n_dst, n_neg, np.concatenate(taken),
                                   train_codes, data, edge_type, rng)
                   if n_neg else np.empty(0, dtype=np.int64))
            taken.append(neg)
            sets[name] = LinkSet.from_pos_neg(codes_to_index(p, n_dst),
                                              codes_to_index(neg, n_dst))
            if name == "test":
                tested.append(neg)
        out.append(dataclasses.replace(fold, test=sets["test"], val=sets["val"]))
    return out


def kfold_link_split(data: HeteroData, edge_type: EdgeType, k: int = 5, neg_ratio: float = 1,
                     mode: str = "warm", val_ratio: float = 0.1, seed: int = 0,
                     protocol: str = "leakage-free", negatives: str = "uniform",
                     group_twins: bool | str = False,
                     isolated_negatives: bool = False, inductive: bool = False) -> list[Fold]:
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

    ``negatives`` sets how **validation and test** negatives are drawn. Everything else --
    positives, training negatives (uniform), training graphs -- is exactly the folds of
    ``negatives="uniform"`` with the same seed, so the same fits are measured on a harder task;
    the new negatives come from a random stream of their own (seeded by ``seed``):

    * ``"uniform"`` (default): as above; folds are identical to those of earlier versions.
    * ``"degree"``: degree-matched. Each positive :math:`(s, d)` of the set gets
      ``neg_ratio`` negatives that keep one end (a fair coin per negative) and replace the
      other by a node drawn with probability proportional to its degree in the fold's
      **training** graph (:func:`~rnagraph.data.negatives.degree_matched_codes`). Uniform
      negatives mostly pair rare nodes, so popularity alone separates them from positives;
      these do not.
    * ``"hard"``: as HeaRT (Li et al., NeurIPS 2023): each positive's negatives keep one end
      and take the replacement that the L3 path score of the training graph
      (:mod:`rnagraph.data.paths`) ranks highest, ties at random
      (:func:`~rnagraph.data.negatives.hard_codes`). Path heuristics are blind on these by
      construction; they measure what a model knows beyond them.

    In every case negatives are never positives of the full graph and stay disjoint across
    train / val / test and across the folds' test sets.

    Isolated nodes (:func:`~rnagraph.data.isolated.isolated_nodes`: RNAs of ``data`` without
    any ``edge_type`` pair, e.g. sequences added without known partners) are left out of every
    negative (training, validation and test, every mode and protocol), with an
    :class:`~rnagraph.data.isolated.IsolatedNodesWarning` giving their number and
    ``meta["isolated_excluded"]``; nothing says they bind nothing. ``isolated_negatives=True``
    draws them as before. Isolation is read on ``data``, not on a fold: the held-out RNAs of a
    cold split have known pairs and are negatives' partners as usual. A graph without isolated
    nodes gives the same folds either way.

    Twins (:mod:`rnagraph.data.twins`): nodes with exactly the same partners in the full graph.
    Every leakage-free fold reports in ``meta["twins"]`` the share of test positives answered
    by a training twin (``share_src``, ``share_dst``, ``share``). ``group_twins`` (cold modes
    only) puts each twin group of the held-out side(s) in one fold (and one side of the
    validation hold-out): ``True`` / ``"neighbours"`` groups identical neighbourhoods,
    ``"sequence"`` identical sequences, ``"both"`` either.

    ``inductive=True`` (cold modes, leakage-free) removes the held-out RNAs from the fitted
    graph entirely, as a user's new RNA is absent from it
    (:func:`~rnagraph.data.inductive.make_inductive`): per held-out node type the nodes are
    renumbered kept / validation / test, ``train_graph`` holds the kept ones only,
    ``fold.val_graph`` appends the validation RNAs and ``fold.score_graph`` the validation and
    test RNAs as new nodes (ids and sequences, no edges; edges of other types that touch a
    held-out RNA are gone from all three graphs), and ``fold.node_order`` maps back. Only RNAs
    with a sequence are held out (test or validation) -- nothing could score a new RNA
    without one; the others stay fitted in every fold (``meta["kept_without_sequence"]``).
    When every RNA of the held-out type has a sequence, the pairs (positives, negatives, which
    RNA is held out where) are exactly those of the transductive split with the same seed,
    renumbered (:meth:`~rnagraph.data.Fold.to_split_index`), so the two protocols compare.

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
        negatives (str): ``"uniform"``, ``"degree"`` or ``"hard"`` validation / test
            negatives. (default: ``"uniform"``)
        group_twins (bool | str): keep twin groups in one fold (cold modes). (default:
            ``False``)
        isolated_negatives (bool): also draw negatives among isolated nodes. (default:
            ``False``)
        inductive (bool): held-out RNAs absent from the fitted graph (cold modes). (default:
            ``False``)

    Returns:
        list[Fold]: ``k`` folds.
    """
    twin_key = _check_args(data, edge_type, mode, protocol, neg_ratio, val_ratio, negatives,
                           group_twins, inductive)
    if not isinstance(k, int) or k < 2:
        raise ValueError(f"kfold_link_split: k must be an int >= 2, got {k!r}")
    rng = np.random.default_rng(seed)
    pos, _, n_src, n_dst = _positives(data, edge_type)
    meta = _meta({"k": k, "neg_ratio": neg_ratio, "val_ratio": val_ratio, "seed": seed},
                 negatives, twin_key)
    allowed, meta = _isolated(data, edge_type, isolated_negatives, meta, "kfold_link_split")
    splittable, meta = _splittable(data, edge_type, mode, inductive, meta)
    if protocol == "paper":
        return _paper_folds(data, edge_type, pos, n_src, n_dst, k, neg_ratio, val_ratio, rng,
                            meta, allowed=allowed)
    twins = _twins(data, edge_type, twin_key)
    if mode == "warm" and pos.size < k:
        raise ValueError(f"kfold_link_split: {pos.size} positives for k={k}")
    folds: list[Fold] = []
    boxes: list[dict] = []
    tested_neg = np.empty(0, dtype=np.int64)
    if mode == "warm":
        parts = np.array_split(rng.permutation(pos.size), k)
        sels = list(parts)
    else:
        def groups(ok: np.ndarray, labels: np.ndarray) -> np.ndarray:
            idx = np.flatnonzero(ok)   # the nodes that may be held out (all, transductive)
            g = np.full(ok.size, -1, dtype=np.int64)
            g[idx] = (_node_groups(idx.size, k, rng) if twin_key is None
                      else _twin_node_groups(np.unique(labels[idx], return_inverse=True)[1],
                                             k, rng))
            return g
        gs = groups(splittable[0], twins[0]) if mode in ("cold-src", "cold-both") else None
        gd = groups(splittable[1], twins[1]) if mode in ("cold-dst", "cold-both") else None
        sels = [((gs == i) if gs is not None else np.ones(n_src, dtype=bool),
                 (gd == i) if gd is not None else np.ones(n_dst, dtype=bool)) for i in range(k)]
    for i, sel in enumerate(sels):
        fold, test_neg, box = _leakage_free_fold(data, edge_type, pos, n_src, n_dst, sel, mode,
                                                 val_ratio, neg_ratio, rng, i, tested_neg, meta,
                                                 twins, twin_key, allowed, splittable)
        tested_neg = np.concatenate([tested_neg, test_neg])
        folds.append(fold)
        boxes.append(box)
    if negatives != "uniform":
        folds = _harder(folds, boxes, negatives, pos, data, edge_type, seed)
    if inductive:
        folds = [make_inductive(f, b["held"]) for f, b in zip(folds, boxes)]
    return folds


def _splittable(data: HeteroData, edge_type: EdgeType, mode: str, inductive: bool,
                meta: dict) -> tuple[tuple[np.ndarray, np.ndarray], dict]:
    """(source, destination) masks of the nodes a cold split may hold out: all of them, or,
    inductive, those with a sequence (``meta["kept_without_sequence"]`` counts the others)."""
    masks = []
    kept = 0
    for side, nt in ((0, edge_type[0]), (1, edge_type[2])):
        n = int(data[nt].num_nodes)
        ok = np.ones(n, dtype=bool)
        cold = mode in (("cold-src", "cold-both") if side == 0 else ("cold-dst", "cold-both"))
        if inductive and cold:
            has = getattr(data[nt], "has_seq", None)
            if has is None or not bool(torch.as_tensor(has).any()):
                raise ValueError(f"split: inductive=True holds out {nt} RNAs, which are then "
                                 f"scored from their sequence, but no {nt} node has one; "
                                 "attach sequences or use a transductive split")
            ok = torch.as_tensor(has).bool().numpy().copy()
            kept += int((~ok).sum())
        masks.append(ok)
    if kept:
        meta = {**meta, "kept_without_sequence": kept}
    return (masks[0], masks[1]), meta


def _meta(meta: dict, negatives: str, twin_key: str | None) -> dict:
    """Record non-default options (defaults leave ``meta`` as earlier versions wrote it)."""
    if negatives != "uniform":
        meta["negatives"] = negatives
    if twin_key is not None:
        meta["group_twins"] = twin_key
    return meta


def _twins(data: HeteroData, edge_type: EdgeType,
           twin_key: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Source and destination twin labels on the full graph (``twin_key`` or neighbours)."""
    by = twin_key or "neighbours"
    return twin_groups(data, edge_type, "src", by), twin_groups(data, edge_type, "dst", by)


def full_fold(data: HeteroData, edge_type: EdgeType, *, val_ratio: float = 0.1,
              neg_ratio: float = 1, seed: int = 0, isolated_negatives: bool = False) -> Fold:
    r"""A fold to fit on **every known pair** (for a model you will use, not evaluate).

    The ``edge_type`` positives are shuffled; a ``val_ratio`` share becomes ``val`` (for early
    stopping and calibration) and the rest ``train``; ``train_graph`` holds the training
    positives only, so validation pairs are scored as unseen pairs are. Each set gets
    ``neg_ratio`` uniform negatives per positive among pairs that are not positives, disjoint
    between the sets. ``test`` is empty. The fold is labelled ``protocol="full"``: it measures
    nothing (there is no held-out test set) and is not a leakage-free evaluation. Isolated
    nodes are not drawn as negatives unless ``isolated_negatives`` (as in
    :func:`kfold_link_split`, with the same warning and ``meta["isolated_excluded"]``).
    Known negatives of the graph (pairs labelled 0 in a pair file,
    :func:`~rnagraph.data.build.known_negatives`) are used first: shuffled, shared between
    ``val`` and ``train`` in the share of the positives, and topped up with uniform draws (or
    cut to ``neg_ratio`` per positive); ``meta["known_negatives"]`` counts them. A graph
    without them gives exactly the fold it gave before.

    Args:
        data (HeteroData): the graph of every known interaction.
        edge_type (EdgeType): the interaction type to predict.
        val_ratio (float): share of positives held out for validation. (default: ``0.1``)
        neg_ratio (float): negatives per positive. (default: ``1``)
        seed (int): seed of every random choice. (default: ``0``)
        isolated_negatives (bool): also draw negatives among isolated nodes. (default:
            ``False``)
    """
    _check_args(data, edge_type, "warm", "leakage-free", neg_ratio, val_ratio)
    allowed, meta = _isolated(data, edge_type, isolated_negatives,
                              {"neg_ratio": neg_ratio, "val_ratio": val_ratio, "seed": seed},
                              "full_fold")
    rng = np.random.default_rng(seed)
    pos, _, n_src, n_dst = _positives(data, edge_type)
    if pos.size < 2:
        raise ValueError(f"full_fold: {pos.size} positive(s) of {edge_type}; need at least 2")
    order = rng.permutation(pos.size)
    n_val = int(round(val_ratio * pos.size)) if val_ratio > 0 else 0
    n_val = min(max(n_val, 1 if val_ratio > 0 else 0), pos.size - 1)
    parts = {"val": pos[np.sort(order[:n_val])], "train": pos[np.sort(order[n_val:])]}
    all_src, all_dst = (np.arange(n_src), np.arange(n_dst)) if allowed is None else allowed
    sets: dict[str, LinkSet] = {}
    taken = [pos]
    known = _known_negative_codes(data, edge_type, n_dst, rng)
    if known.size:   # labelled non-interactions first, shared as the positives are
        meta = {**meta, "known_negatives": int(known.size)}
        n_kval = min(int(round(n_val / pos.size * known.size)), known.size)
        own = {"val": known[:n_kval], "train": known[n_kval:]}
        taken.append(known)
    for name in ("val", "train"):
        p = parts[name]
        want = int(round(neg_ratio * p.size))
        mine = own[name][:want] if known.size else np.empty(0, dtype=np.int64)
        neg = sample_codes(all_src, all_dst, n_dst, want - mine.size, np.concatenate(taken),
                           rng)
        if mine.size:
            neg = np.concatenate([mine, neg])
        taken.append(neg)
        sets[name] = LinkSet.from_pos_neg(codes_to_index(p, n_dst), codes_to_index(neg, n_dst))
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    return Fold(index=0, edge_type=edge_type,
                train_graph=train_graph_from(data, edge_type, parts["train"]),
                train=sets["train"], val=sets["val"], test=empty, mode="warm", protocol=FULL,
                meta=meta)


def _known_negative_codes(data: HeteroData, edge_type: EdgeType, n_dst: int,
                          rng: np.random.Generator) -> np.ndarray:
    """The pair codes of the graph's known negatives (pairs labelled 0 in its pair file,
    :func:`~rnagraph.data.build.known_negatives`) in a random order; empty (and ``rng`` left
    untouched) when there are none."""
    from rnagraph.data.build import known_negatives
    kn = known_negatives(data, edge_type)
    if kn.numel() == 0:
        return np.empty(0, dtype=np.int64)
    codes = pair_codes(kn, n_dst)
    return codes[rng.permutation(codes.size)]


def holdout_split(data: HeteroData, edge_type: EdgeType, test_ratio: float = 0.2,
                  val_ratio: float = 0.1, neg_ratio: float = 1, mode: str = "warm",
                  seed: int = 0, protocol: str = "leakage-free", negatives: str = "uniform",
                  group_twins: bool | str = False, isolated_negatives: bool = False,
                  inductive: bool = False) -> Fold:
    """A single train / val / test split (one :class:`Fold` with ``index=0``).

    ``test_ratio`` is the share of positives (warm, paper) or of the cold side's nodes (cold
    modes) held out for testing (whole twin groups with ``group_twins``, until the share is
    reached); everything else (isolated nodes and ``inductive`` included) is as in
    :func:`kfold_link_split`.
    """
    twin_key = _check_args(data, edge_type, mode, protocol, neg_ratio, val_ratio, negatives,
                           group_twins, inductive)
    if not 0 < test_ratio < 1:
        raise ValueError(f"holdout_split: test_ratio must be in (0, 1), got {test_ratio}")
    rng = np.random.default_rng(seed)
    pos, _, n_src, n_dst = _positives(data, edge_type)
    meta = _meta({"k": 1, "test_ratio": test_ratio, "neg_ratio": neg_ratio,
                  "val_ratio": val_ratio, "seed": seed}, negatives, twin_key)
    allowed, meta = _isolated(data, edge_type, isolated_negatives, meta, "holdout_split")
    splittable, meta = _splittable(data, edge_type, mode, inductive, meta)
    if protocol == "paper":
        return _paper_folds(data, edge_type, pos, n_src, n_dst, None, neg_ratio, val_ratio, rng,
                            meta, test_ratio=test_ratio, allowed=allowed)[0]
    twins = _twins(data, edge_type, twin_key)
    if mode == "warm":
        sel = rng.permutation(pos.size)[: int(round(test_ratio * pos.size))]
    else:
        def pick(ok: np.ndarray, cold: bool, labels: np.ndarray) -> np.ndarray:
            m = np.ones(ok.size, dtype=bool)
            if cold:
                m[:] = False
                idx = np.flatnonzero(ok)
                if twin_key is None:
                    m[idx[rng.permutation(idx.size)[: int(round(test_ratio * idx.size))]]] = True
                else:
                    m[_subsample(idx, test_ratio, rng, labels)] = True
            return m
        sel = (pick(splittable[0], mode in ("cold-src", "cold-both"), twins[0]),
               pick(splittable[1], mode in ("cold-dst", "cold-both"), twins[1]))
    fold, _, box = _leakage_free_fold(data, edge_type, pos, n_src, n_dst, sel, mode, val_ratio,
                                      neg_ratio, rng, 0, np.empty(0, dtype=np.int64), meta,
                                      twins, twin_key, allowed, splittable)
    if negatives != "uniform":
        fold = _harder([fold], [box], negatives, pos, data, edge_type, seed)[0]
    return make_inductive(fold, box["held"]) if inductive else fold


def _paper_folds(data: HeteroData, edge_type: EdgeType, pos: np.ndarray, n_src: int,
                 n_dst: int, k: int | None, neg_ratio: float, val_ratio: float,
                 rng: np.random.Generator, meta: dict, test_ratio: float | None = None,
                 allowed: tuple[np.ndarray, np.ndarray] | None = None) -> list[Fold]:
    box = (np.arange(n_src), np.arange(n_dst)) if allowed is None else allowed
    neg = sample_codes(*box, n_dst, int(round(neg_ratio * pos.size)), pos, rng)
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


__all__ = ["kfold_link_split", "holdout_split", "train_graph_from", "MODES", "PROTOCOLS",
           "NEGATIVES"]
