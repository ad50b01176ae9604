"""DeepWalk (Perozzi et al., KDD 2014): uniform random walks + skip-gram (gensim)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rnagraph.nn.encoders._walks import random_walks, stable_hash
from rnagraph.nn.encoders.base import GraphEncoder


class DeepWalk(GraphEncoder):
    r"""DeepWalk node embeddings from `"DeepWalk: Online Learning of Social Representations"
    <https://arxiv.org/abs/1403.6652>`_ (Perozzi et al., KDD 2014).

    ``walk_number`` rounds of uniform random walks of ``walk_length`` nodes start from every
    node; the walks are sentences for a skip-gram model (gensim ``Word2Vec``, ``sg=1``) with
    window ``window_size`` that maximises

    .. math::
        \sum_{\text{walks}} \sum_{t} \sum_{0 < |c| \le w} \log \Pr(v_{t+c} \mid
        \mathbf{z}_{v_t}),

    with hierarchical softmax as in the paper (``hs=True``) or negative sampling.
    The walks are generated for all walkers at once (see ``_walks.random_walks``).

    **Determinism.** With ``workers=1`` the result is a function of ``seed`` only (gensim
    initialises vectors from ``numpy.random.default_rng(seed)``; a process-independent
    ``hashfxn`` is passed as well). ``workers > 1`` is faster but not reproducible.

    **Differences from karateclub's DeepWalk.** karateclub adds a self-loop to every node,
    draws walks with Python's global ``random`` and uses ``workers=4``; this class walks the
    graph as given, with ``numpy.random.default_rng(seed)``, shuffled start order per round.

    Args:
        dim (int, optional): embedding size. (default: :obj:`128`)
        walk_number (int, optional): walks per node. (default: :obj:`10`)
        walk_length (int, optional): nodes per walk. (default: :obj:`80`)
        window_size (int, optional): skip-gram window. (default: :obj:`5`)
        epochs (int, optional): passes over the walks. (default: :obj:`1`)
        learning_rate (float, optional): initial learning rate. (default: :obj:`0.025`)
        hs (bool, optional): hierarchical softmax (else 5 negative samples).
            (default: :obj:`True`)
        workers (int, optional): gensim threads. (default: :obj:`1`)
        cold_start (str, optional): ``"zeros"`` or ``"mean"``. (default: :obj:`"zeros"`)
        seed (int, optional): seed of walks and skip-gram. (default: :obj:`0`)

    Shapes:
        - **input:** ``edge_index`` :math:`(2, |\mathcal{E}|)`
        - **output:** :math:`(|\mathcal{V}|, \text{dim})`
    """

    def __init__(self, dim: int = 128, walk_number: int = 10, walk_length: int = 80,
                 window_size: int = 5, epochs: int = 1, learning_rate: float = 0.025,
                 hs: bool = True, workers: int = 1, cold_start: str = "zeros", seed: int = 0):
        self.dim = dim
        self.walk_number = walk_number
        self.walk_length = walk_length
        self.window_size = window_size
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.hs = hs
        self.workers = workers
        self.cold_start = cold_start
        self.seed = seed

    def _fit(self, adj: sp.csr_matrix) -> np.ndarray:
        from gensim.models import Word2Vec

        rng = np.random.default_rng(self.seed)
        walks = random_walks(adj, self.walk_length, self.walk_number, rng)
        sentences = walks.astype(str).tolist()
        model = Word2Vec(sentences, vector_size=self.dim, window=self.window_size, min_count=1,
                         sg=1, hs=int(self.hs), negative=0 if self.hs else 5,
                         alpha=self.learning_rate, epochs=self.epochs, workers=self.workers,
                         seed=int(rng.integers(2**31 - 1)), hashfxn=stable_hash,
                         sample=0.0)
        keys = np.arange(adj.shape[0]).astype(str)
        return model.wv[keys]
