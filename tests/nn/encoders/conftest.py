"""Small graphs and a link-prediction scorer shared by the encoder tests."""
from __future__ import annotations

import numpy as np
import pytest
import torch


def planted_partition(blocks: int = 4, size: int = 30, p_in: float = 0.3, p_out: float = 0.01,
                      seed: int = 0) -> tuple[np.ndarray, int]:
    """Undirected planted-partition graph: ``[2, E]`` edges (i < j) and the node count."""
    rng = np.random.default_rng(seed)
    n = blocks * size
    label = np.repeat(np.arange(blocks), size)
    i, j = np.triu_indices(n, k=1)
    p = np.where(label[i] == label[j], p_in, p_out)
    keep = rng.random(i.size) < p
    return np.stack([i[keep], j[keep]]), n


def holdout_split(edges: np.ndarray, n: int, frac: float = 0.15, seed: int = 1):
    """Hold out ``frac`` of the edges; sample as many non-edges. Returns
    (train_edges, pos_pairs, neg_pairs)."""
    rng = np.random.default_rng(seed)
    m = edges.shape[1]
    perm = rng.permutation(m)
    n_test = int(frac * m)
    test, train = edges[:, perm[:n_test]], edges[:, perm[n_test:]]
    existing = set(map(tuple, edges.T.tolist())) | set(map(tuple, edges[::-1].T.tolist()))
    neg = []
    while len(neg) < n_test:
        a, b = rng.integers(n, size=2)
        if a != b and (a, b) not in existing:
            neg.append((a, b))
            existing.add((a, b))
            existing.add((b, a))
    return train, test, np.array(neg).T


def link_auc(z: torch.Tensor, pos: np.ndarray, neg: np.ndarray, cosine: bool = True) -> float:
    from sklearn.metrics import roc_auc_score

    z = torch.as_tensor(z, dtype=torch.float64)
    if cosine:
        z = torch.nn.functional.normalize(z, dim=1)
    pairs = np.concatenate([pos, neg], axis=1)
    score = (z[pairs[0]] * z[pairs[1]]).sum(1).numpy()
    label = np.r_[np.ones(pos.shape[1]), np.zeros(neg.shape[1])]
    return float(roc_auc_score(label, score))


@pytest.fixture(scope="session")
def planted(train_seed):
    edges, n = planted_partition(seed=train_seed)
    train, pos, neg = holdout_split(edges, n, seed=train_seed + 1)
    return train, n, pos, neg
