"""Vectorised uniform random walks on a CSR graph (shared by DeepWalk and Role2Vec).

Written by hand rather than taken from ``torch_cluster.random_walk`` because torch-cluster has
no wheel for the supported torch builds; this NumPy version advances all walkers of a round
together (one vectorised step per walk position), so its cost is
``O(num_walks * num_nodes * walk_length)`` array operations with no Python loop per walker.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def random_walks(adj: sp.csr_matrix, walk_length: int, num_walks: int,
                 rng: np.random.Generator) -> np.ndarray:
    r"""Uniform first-order random walks, ``num_walks`` rounds from every node.

    Each round starts one walk from every node, in a fresh random order (as in DeepWalk), and
    each step moves to a neighbour chosen uniformly. A walker on a node without neighbours
    stays there.

    Args:
        adj (scipy.sparse.csr_matrix): ``[N, N]`` adjacency with sorted indices.
        walk_length (int): nodes per walk (including the start).
        num_walks (int): walks per node.
        rng (numpy.random.Generator): source of randomness.

    Returns:
        ndarray: ``[num_walks * N, walk_length]`` int64 node indices.
    """
    if walk_length < 1 or num_walks < 1:
        raise ValueError(f"random_walks: walk_length ({walk_length}) and num_walks "
                         f"({num_walks}) must be >= 1")
    n = adj.shape[0]
    indptr = adj.indptr.astype(np.int64)
    indices = adj.indices.astype(np.int64)
    deg = np.diff(indptr)
    starts = np.concatenate([rng.permutation(n) for _ in range(num_walks)])
    walks = np.empty((starts.size, walk_length), dtype=np.int64)
    walks[:, 0] = starts
    cur = starts
    for step in range(1, walk_length):
        d = deg[cur]
        offset = np.floor(rng.random(cur.size) * d).astype(np.int64)
        nxt = cur.copy()
        has = d > 0
        nxt[has] = indices[indptr[cur[has]] + offset[has]]
        walks[:, step] = nxt
        cur = nxt
    return walks


def stable_hash(key: object) -> int:
    """Process-independent hash for gensim's ``hashfxn`` (Python's ``hash`` of a str depends
    on ``PYTHONHASHSEED``)."""
    import zlib
    return zlib.crc32(str(key).encode())
