r"""Negative sampling over the unobserved pairs of one edge type.

Three samplers, all returning int64 pair codes :math:`s \cdot N_{dst} + d` that are never in
the ``forbidden`` codes (every positive of the full graph, and whatever was drawn before):

* :func:`sample_codes` -- uniform over a box of candidate pairs;
* :func:`degree_matched_codes` -- per positive, keep one end and draw the other in proportion
  to its **training** degree (so the negatives' endpoints are as popular as the positives');
* :func:`hard_codes` -- per positive, keep one end and take the corruption that a cheap
  heuristic on the **training** graph ranks highest (HeaRT, Li et al., NeurIPS 2023).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.isolated import negative_boxes
from rnagraph.typing import EdgeType

#: Candidate boxes at most this large are enumerated exactly instead of rejection-sampled.
EXACT_MAX = 1_000_000


def pair_codes(edge_index: Tensor | np.ndarray, num_dst: int) -> np.ndarray:
    r"""Encode ``[2, N]`` (src, dst) pairs as int64 codes :math:`s \cdot N_{dst} + d`."""
    ei = edge_index.numpy() if isinstance(edge_index, Tensor) else np.asarray(edge_index)
    ei = ei.astype(np.int64, copy=False).reshape(2, -1)
    return ei[0] * np.int64(num_dst) + ei[1]


def codes_to_index(codes: np.ndarray, num_dst: int) -> Tensor:
    """Inverse of :func:`pair_codes`: int64 codes -> ``[2, N]`` LongTensor."""
    codes = np.asarray(codes, dtype=np.int64)
    return torch.from_numpy(np.stack([codes // num_dst, codes % num_dst])).long()


def _as_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def sample_codes(src_nodes: np.ndarray, dst_nodes: np.ndarray, num_dst: int, num: int,
                 forbidden: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    r"""Draw ``num`` distinct pair codes uniformly from ``src_nodes x dst_nodes`` minus
    ``forbidden`` (int64 codes, any order).

    Rejection sampling on int64 codes (vectorised batches, duplicates dropped keeping the first
    draw, so the result is a uniform sample without replacement); exact enumeration of the
    candidate box when it is small (:data:`EXACT_MAX`) or when more than half of the free pairs
    are requested, where rejection would be slow.

    Raises:
        ValueError: fewer than ``num`` free pairs exist in the box.
    """
    src_nodes = np.unique(np.asarray(src_nodes, dtype=np.int64))
    dst_nodes = np.unique(np.asarray(dst_nodes, dtype=np.int64))
    space = int(src_nodes.size) * int(dst_nodes.size)
    if num <= 0:
        return np.empty(0, dtype=np.int64)
    forbidden = np.unique(np.asarray(forbidden, dtype=np.int64))
    in_box = (np.isin(forbidden // num_dst, src_nodes)
              & np.isin(forbidden % num_dst, dst_nodes))
    forbidden = forbidden[in_box]
    free = space - forbidden.size
    if num > free:
        raise ValueError(f"sample_negatives: asked for {num} negatives but only {free} "
                         f"unobserved pairs exist among {src_nodes.size} x {dst_nodes.size} "
                         f"candidates; lower the ratio")
    if space <= EXACT_MAX or 2 * num > free:
        local = np.arange(space, dtype=np.int64)
        codes = src_nodes[local // dst_nodes.size] * num_dst + dst_nodes[local % dst_nodes.size]
        codes = codes[~np.isin(codes, forbidden, assume_unique=True)]
        return rng.choice(codes, size=num, replace=False)
    out = np.empty(0, dtype=np.int64)
    while out.size < num:
        need = num - out.size
        m = int(math.ceil(need * space / free * 1.2)) + 64
        local = rng.integers(0, space, size=m, dtype=np.int64)
        codes = src_nodes[local // dst_nodes.size] * num_dst + dst_nodes[local % dst_nodes.size]
        codes = codes[~np.isin(codes, forbidden)]
        out = np.concatenate([out, codes])
        _, first = np.unique(out, return_index=True)
        out = out[np.sort(first)]  # dedupe, keep draw order
    return out[:num]


def sample_negatives(data: HeteroData, edge_type: EdgeType, num_samples: int | None = None, *,
                     ratio: float = 1.0, exclude: Tensor | None = None,
                     known: Tensor | None = None, src_nodes: Tensor | None = None,
                     dst_nodes: Tensor | None = None,
                     seed: int | np.random.Generator | None = 0,
                     isolated_negatives: bool = False) -> Tensor:
    r"""Sample negative pairs uniformly from the **unobserved** pairs of ``edge_type``.

    A candidate :math:`(s, d)` is any source node :math:`s` (of ``src_nodes``, default all) and
    destination :math:`d` (of ``dst_nodes``, default all) such that :math:`(s, d)` is neither a
    known positive nor in ``exclude``. Known positives default to **every** ``edge_type`` edge of
    ``data``: pass the full graph (not a training graph), or test positives could come back as
    negatives. Use ``exclude`` to keep train / val / test negatives disjoint.

    Isolated nodes of ``data`` (no ``edge_type`` edge at all:
    :func:`~rnagraph.data.isolated.isolated_nodes`) are left out of the candidates, with an
    :class:`~rnagraph.data.isolated.IsolatedNodesWarning`, unless ``isolated_negatives``: an RNA
    without known pairs is not a known non-partner.

    Args:
        data (HeteroData): the full graph.
        edge_type (EdgeType): e.g. ``("circrna", "binds", "mirna")``.
        num_samples (int, optional): how many negatives; default ``round(ratio * E)`` with
            :math:`E` the number of known positives.
        ratio (float): negatives per positive when ``num_samples`` is not given. (default: ``1``)
        exclude (LongTensor, optional): ``[2, M]`` pairs that must not be drawn.
        known (LongTensor, optional): ``[2, E]`` known positives (default:
            ``data[edge_type].edge_index``).
        src_nodes, dst_nodes (LongTensor, optional): restrict the candidates to these nodes
            (cold-start splits).
        seed (int or numpy Generator): randomness. (default: ``0``)
        isolated_negatives (bool): also draw pairs of isolated nodes. (default: ``False``)

    Returns:
        LongTensor ``[2, num_samples]``: distinct negative pairs, in random order.
    """
    if edge_type not in data.edge_types:
        raise ValueError(f"sample_negatives: edge type {edge_type} not in the graph "
                         f"(has {data.edge_types})")
    src_t, _, dst_t = edge_type
    n_src, n_dst = int(data[src_t].num_nodes), int(data[dst_t].num_nodes)
    if known is None:
        known = data[edge_type].edge_index
    if num_samples is None:
        if ratio < 0:
            raise ValueError(f"sample_negatives: ratio must be >= 0, got {ratio}")
        num_samples = int(round(ratio * known.size(1)))
    forbidden = pair_codes(known, n_dst)
    if exclude is not None and exclude.numel():
        forbidden = np.concatenate([forbidden, pair_codes(exclude, n_dst)])
    src = np.arange(n_src) if src_nodes is None else np.asarray(src_nodes)
    dst = np.arange(n_dst) if dst_nodes is None else np.asarray(dst_nodes)
    allowed = negative_boxes(data, edge_type, isolated_negatives, "sample_negatives")
    if allowed is not None:
        src, dst = np.intersect1d(src, allowed[0]), np.intersect1d(dst, allowed[1])
    codes = sample_codes(src, dst, n_dst, int(num_samples), forbidden, _as_rng(seed))
    return codes_to_index(codes, n_dst)


def _sides(n: int, rng: np.random.Generator, allowed: tuple[bool, bool]) -> np.ndarray:
    """Per draw, which end is **replaced**: 1 = destination (keep the source), 0 = source.
    A fair coin, or the one side allowed."""
    if allowed == (True, True):
        return rng.integers(0, 2, size=n).astype(bool)
    if not any(allowed):
        raise ValueError("degree/hard negatives: neither side may be replaced")
    return np.full(n, allowed[1])


def _weights(nodes: np.ndarray, train_deg: np.ndarray, set_deg: np.ndarray) -> np.ndarray:
    """Training degrees of ``nodes``; the set's own degrees where the box has no training
    edge at all (the held-out side of a cold split)."""
    w = train_deg[nodes].astype(np.float64)
    if w.sum() == 0:
        w = set_deg[nodes].astype(np.float64)
    return w


def degree_matched_codes(pos: np.ndarray, src_nodes: np.ndarray, dst_nodes: np.ndarray,
                         num_dst: int, num: int, forbidden: np.ndarray,
                         train_deg: tuple[np.ndarray, np.ndarray],
                         rng: np.random.Generator, max_rounds: int = 100) -> np.ndarray:
    r"""Degree-matched negatives: ``num`` distinct pair codes, each made from a positive.

    Draw :math:`j` takes the positive ``pos[j mod P]`` (positives in a random order),
    :math:`(s, d)`, flips a fair coin for which end to replace, and replaces it by a node of
    the same type from the candidate box (``src_nodes`` / ``dst_nodes``) drawn with probability
    proportional to its degree in the **training** graph (``train_deg``); nodes without
    training edges are never drawn. Where the box side has no training edge at all (the
    held-out side of a cold split) the degree among ``pos`` is used instead. A draw that hits
    a ``forbidden`` code or one already drawn is redrawn; after ``max_rounds`` rounds the
    remaining draws replace the other end, then raise.

    Compared with uniform negatives, whose endpoints are mostly rare nodes, the endpoints of
    these negatives are as popular as those of the positives, so popularity alone no longer
    separates the classes.

    Args:
        pos (np.ndarray): ``[P]`` positive codes the negatives are matched to.
        src_nodes, dst_nodes (np.ndarray): the candidate box.
        num_dst (int): destination node count (code base).
        num (int): negatives to draw.
        forbidden (np.ndarray): codes that must not be drawn (all known positives, ...).
        train_deg (tuple[np.ndarray, np.ndarray]): ``([N_src], [N_dst])`` training degrees.
        rng (np.random.Generator): randomness.

    Raises:
        ValueError: no free pair could be found for some draws.
    """
    return _matched(pos, src_nodes, dst_nodes, num_dst, num, forbidden, train_deg, rng,
                    max_rounds, None)


def hard_codes(pos: np.ndarray, src_nodes: np.ndarray, dst_nodes: np.ndarray, num_dst: int,
               num: int, forbidden: np.ndarray, scores: object, rng: np.random.Generator,
               train_deg: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    r"""Hard negatives in the manner of HeaRT (Li et al., NeurIPS 2023): per positive, the
    corruption that a heuristic computed on the **training** graph ranks highest.

    Draw :math:`j` takes the positive ``pos[j mod P]`` (random order) and a fair coin for the
    end to replace, as :func:`degree_matched_codes` does; the replacement is the box node
    :math:`v` maximising ``scores(kept, v)`` among pairs not ``forbidden`` and not drawn
    before (ties broken at random); a draw whose kept node has no free partner replaces the
    other end instead. ``scores(rows, by_src)`` returns the dense heuristic block
    ``[len(rows), N_other]`` for kept nodes ``rows`` (sources when ``by_src``). Cost: one
    heuristic row and one sort of the box per draw, in blocks of 256 draws.

    Raises:
        ValueError: a positive has no free corruption on either side.
    """
    return _matched(pos, src_nodes, dst_nodes, num_dst, num, forbidden, train_deg, rng, 0,
                    scores)


def _matched(pos: np.ndarray, src_nodes: np.ndarray, dst_nodes: np.ndarray, num_dst: int,
             num: int, forbidden: np.ndarray, train_deg: tuple[np.ndarray, np.ndarray],
             rng: np.random.Generator, max_rounds: int, scores: object) -> np.ndarray:
    if num <= 0:
        return np.empty(0, dtype=np.int64)
    pos = np.asarray(pos, dtype=np.int64)
    if pos.size == 0:
        raise ValueError("degree/hard negatives: no positives to match")
    src_nodes = np.unique(np.asarray(src_nodes, dtype=np.int64))
    dst_nodes = np.unique(np.asarray(dst_nodes, dtype=np.int64))
    n_src = int(train_deg[0].size)
    set_deg = (np.bincount(pos // num_dst, minlength=n_src), np.bincount(pos % num_dst,
                                                                         minlength=num_dst))
    boxes = (src_nodes, dst_nodes)
    w = [_weights(boxes[i], train_deg[i], set_deg[i]) for i in (0, 1)]
    anchor = rng.permutation(pos)[np.arange(num) % pos.size]
    side = _sides(num, rng, (w[0].sum() > 0 or scores is not None,
                             w[1].sum() > 0 or scores is not None))
    taken = set(np.asarray(forbidden, dtype=np.int64).tolist())
    if scores is not None:
        return _hard(anchor, side, boxes, num_dst, taken, scores, rng)
    out = np.full(num, -1, dtype=np.int64)
    todo = np.arange(num)
    for rnd in range(2 * max_rounds):
        if rnd == max_rounds:  # stuck draws: replace the other end
            side[todo] = ~side[todo]
        for b in (0, 1):  # b: which end is replaced
            idx = todo[side[todo] == bool(b)]
            if idx.size == 0:
                continue
            if w[b].sum() == 0:
                continue
            new = rng.choice(boxes[b], size=idx.size, p=w[b] / w[b].sum())
            s, d = anchor[idx] // num_dst, anchor[idx] % num_dst
            codes = (s * num_dst + new) if b else (new * num_dst + d)
            for i, c in zip(idx.tolist(), codes.tolist()):
                if c not in taken:
                    taken.add(c)
                    out[i] = c
        todo = np.flatnonzero(out < 0)
        if todo.size == 0:
            return out
    raise ValueError(f"degree-matched negatives: no free pair found for {todo.size} of {num} "
                     "draws (the positives' nodes are linked to almost every popular node); "
                     "lower neg_ratio or use negatives='uniform'")


def _hard(anchor: np.ndarray, side: np.ndarray, boxes: tuple[np.ndarray, np.ndarray],
          num_dst: int, taken: set, scores: object, rng: np.random.Generator,
          block: int = 256) -> np.ndarray:
    out = np.full(anchor.size, -1, dtype=np.int64)
    for _attempt in range(2):  # second attempt: the other end of the draws left without one
        for b in (0, 1):  # b = 1: keep the source, replace the destination
            idx = np.flatnonzero((side == bool(b)) & (out < 0))
            kept = (anchor[idx] // num_dst) if b else (anchor[idx] % num_dst)
            box = boxes[b]
            for start in range(0, idx.size, block):
                i_blk, k_blk = idx[start:start + block], kept[start:start + block]
                # rank by score, ties at random: a random column order, then a stable sort
                perm = rng.permutation(box.size)
                sc = np.asarray(scores(k_blk, bool(b)))[:, box[perm]]
                order = perm[np.argsort(-sc, axis=1, kind="stable")]
                for r, (i, k) in enumerate(zip(i_blk.tolist(), k_blk.tolist())):
                    c = _first_free(box[order[r]], k, b, num_dst, taken)
                    if c >= 0:
                        taken.add(c)
                        out[i] = c
        if (out >= 0).all():
            return out
        side = np.where(out < 0, ~side, side)
    bad = anchor[out < 0][0]
    raise ValueError(f"hard negatives: positive ({bad // num_dst}, {bad % num_dst}) has no "
                     "free corruption on either side; lower neg_ratio or use "
                     "negatives='uniform'")


def _first_free(ranked: np.ndarray, k: int, keep_src: int, num_dst: int, taken: set) -> int:
    """The first code of ``k`` paired with ``ranked`` nodes that is not ``taken`` (else -1);
    looks at the head of the ranking first, which almost always suffices."""
    for part in (ranked[:64], ranked[64:]):
        codes = (k * num_dst + part) if keep_src else (part * num_dst + k)
        for c in codes.tolist():
            if c not in taken:
                return c
    return -1


__all__ = ["sample_negatives", "sample_codes", "pair_codes", "codes_to_index",
           "degree_matched_codes", "hard_codes"]
