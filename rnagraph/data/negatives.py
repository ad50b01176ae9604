"""Uniform negative sampling over the unobserved pairs of one edge type."""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

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
                     seed: int | np.random.Generator | None = 0) -> Tensor:
    r"""Sample negative pairs uniformly from the **unobserved** pairs of ``edge_type``.

    A candidate :math:`(s, d)` is any source node :math:`s` (of ``src_nodes``, default all) and
    destination :math:`d` (of ``dst_nodes``, default all) such that :math:`(s, d)` is neither a
    known positive nor in ``exclude``. Known positives default to **every** ``edge_type`` edge of
    ``data``: pass the full graph (not a training graph), or test positives could come back as
    negatives. Use ``exclude`` to keep train / val / test negatives disjoint.

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
    codes = sample_codes(src, dst, n_dst, int(num_samples), forbidden, _as_rng(seed))
    return codes_to_index(codes, n_dst)


__all__ = ["sample_negatives", "sample_codes", "pair_codes", "codes_to_index"]
