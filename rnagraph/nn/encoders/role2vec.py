"""Role2Vec (Ahmed et al., 2018): attributed random walks over structural node types."""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from rnagraph.nn.encoders._walks import random_walks, stable_hash
from rnagraph.nn.encoders.base import GraphEncoder

_FEATURES = ("wl", "degree")


class Role2Vec(GraphEncoder):
    r"""Role2Vec node embeddings from `"Learning Role-based Graph Embeddings"
    <https://arxiv.org/abs/1802.02896>`_ (Ahmed et al., IJCAI StarAI 2018).

    A type function :math:`\Phi` maps every node to structural types:

    * ``features="degree"``: the log-binned degree :math:`\lfloor \log_b \deg(v) \rfloor`
      (base ``log_base``), one token per node;
    * ``features="wl"``: the degree and ``wl_iterations`` rounds of Weisfeiler–Lehman
      relabelling, :math:`\ell^{t}(v) = h\big(\ell^{t-1}(v), \{\!\{\ell^{t-1}(u) : u \in
      \mathcal{N}(v)\}\!\}\big)`, one token per round.

    Uniform random walks are turned into *attributed* walks by replacing every node with its
    types. For each node :math:`v`, the types of the nodes that co-occur with it within
    ``window_size`` steps of any walk (both directions), together with :math:`v`'s own types,
    form a document; PV-DBOW (gensim ``Doc2Vec``, ``dm=0``) learns one vector per document,
    i.e. per node, that predicts the structural types of its walk context:

    .. math::
        \max_{\mathbf{z}} \sum_{v} \sum_{u \in \mathcal{C}(v)} \sum_{\tau \in \Phi(u)}
        \log \Pr(\tau \mid \mathbf{z}_v).

    Nodes with the same role in similar neighbourhoods get similar vectors even when far
    apart, while walk co-occurrence keeps nearby nodes close.

    **Determinism.** With ``workers=1`` the result depends on ``seed`` only; the WL hash
    uses fixed 64-bit random codes (no Python ``hash``), so it is stable across processes.

    **Differences from karateclub's Role2Vec.** karateclub adds a self-loop to every node
    (which changes every degree and WL label), hashes WL labels with MD5 of strings, and its
    document window pairs each node with itself and the next ``window_size - 1`` nodes; this
    class uses the graph as given, offsets ``1..window_size`` in both directions plus the
    node's own types once, and vectorised walks and document assembly.

    Args:
        dim (int, optional): embedding size. (default: :obj:`128`)
        walk_number (int, optional): walks per node. (default: :obj:`10`)
        walk_length (int, optional): nodes per walk. (default: :obj:`80`)
        window_size (int, optional): co-occurrence window. (default: :obj:`2`)
        features (str, optional): ``"wl"`` or ``"degree"``. (default: :obj:`"wl"`)
        wl_iterations (int, optional): WL rounds for ``features="wl"``. (default: :obj:`2`)
        log_base (float, optional): bin base for ``features="degree"``. (default: :obj:`2.0`)
        epochs (int, optional): Doc2Vec epochs. (default: :obj:`1`)
        learning_rate (float, optional): initial learning rate. (default: :obj:`0.05`)
        down_sampling (float, optional): gensim ``sample`` (frequent-token down-sampling).
            (default: :obj:`1e-4`)
        min_count (int, optional): drop types seen fewer times. (default: :obj:`10`)
        workers (int, optional): gensim threads. (default: :obj:`1`)
        cold_start (str, optional): ``"zeros"`` or ``"mean"``. (default: :obj:`"zeros"`)
        seed (int, optional): seed of walks and Doc2Vec. (default: :obj:`0`)

    Shapes:
        - **input:** ``edge_index`` :math:`(2, |\mathcal{E}|)`
        - **output:** :math:`(|\mathcal{V}|, \text{dim})`
    """

    def __init__(self, dim: int = 128, walk_number: int = 10, walk_length: int = 80,
                 window_size: int = 2, features: str = "wl", wl_iterations: int = 2,
                 log_base: float = 2.0, epochs: int = 1, learning_rate: float = 0.05,
                 down_sampling: float = 1e-4, min_count: int = 10, workers: int = 1,
                 cold_start: str = "zeros", seed: int = 0):
        self.dim = dim
        self.walk_number = walk_number
        self.walk_length = walk_length
        self.window_size = window_size
        self.features = features
        self.wl_iterations = wl_iterations
        self.log_base = log_base
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.down_sampling = down_sampling
        self.min_count = min_count
        self.workers = workers
        self.cold_start = cold_start
        self.seed = seed

    def node_types(self, adj: sp.csr_matrix) -> np.ndarray:
        """``[N, F]`` string tokens of the structural types of every node of ``adj``."""
        deg = np.diff(adj.indptr)
        if self.features == "degree":
            if self.log_base <= 1:
                raise ValueError(f"Role2Vec: log_base must be > 1, got {self.log_base}")
            bins = np.floor(np.log(np.maximum(deg, 1)) / math.log(self.log_base) + 1e-9)
            return np.char.add("d", bins.astype(np.int64).astype(str))[:, None]
        if self.features != "wl":
            raise ValueError(f"Role2Vec: features={self.features!r} is not one of {_FEATURES}")
        cols = [np.char.add("d", deg.astype(str))]
        labels = np.unique(deg, return_inverse=True)[1].astype(np.int64)
        codes = np.random.default_rng(0x5EED).integers(0, 2**63 - 1, size=(2, adj.shape[0] + 1),
                                                       dtype=np.int64).astype(np.uint64)
        for it in range(1, self.wl_iterations + 1):
            neigh = codes[0][labels[adj.indices]]
            with np.errstate(over="ignore"):
                msum = np.add.reduceat(neigh, adj.indptr[:-1]) if neigh.size else \
                    np.zeros(adj.shape[0], np.uint64)
                msum[np.diff(adj.indptr) == 0] = 0
                h = (msum * np.uint64(0x9E3779B97F4A7C15)) ^ codes[1][labels]
            labels = np.unique(h, return_inverse=True)[1].astype(np.int64)
            cols.append(np.char.add(f"wl{it}_", labels.astype(str)))
        return np.stack(cols, axis=1)

    def _fit(self, adj: sp.csr_matrix) -> np.ndarray:
        from gensim.models.doc2vec import Doc2Vec

        if self.window_size < 1:
            raise ValueError(f"Role2Vec: window_size must be >= 1, got {self.window_size}")
        rng = np.random.default_rng(self.seed)
        types = self.node_types(adj)
        walks = random_walks(adj, self.walk_length, self.walk_number, rng)
        src, dst = [], []
        for o in range(1, min(self.window_size, self.walk_length - 1) + 1):
            a, b = walks[:, :-o].ravel(), walks[:, o:].ravel()
            src += [a, b]
            dst += [b, a]
        n = adj.shape[0]
        src = np.concatenate(src + [np.arange(n)])
        dst = np.concatenate(dst + [np.arange(n)])
        order = np.argsort(src, kind="stable")
        vocab, tok = np.unique(types, return_inverse=True)
        corpus = _Documents(vocab.astype(object), tok.reshape(types.shape), dst[order],
                            np.bincount(src, minlength=n))
        model = Doc2Vec(corpus, vector_size=self.dim, dm=0, window=0, min_count=self.min_count,
                        sample=self.down_sampling, alpha=self.learning_rate,
                        epochs=self.epochs, workers=self.workers, hashfxn=stable_hash,
                        seed=int(rng.integers(2**31 - 1)))
        return np.asarray(model.dv.vectors[:n])


class _Documents:
    """Re-iterable corpus: node ``v``'s document is the type tokens of its walk context.
    Built lazily per node so the token lists never all exist at once; documents longer than
    gensim's 10,000-token limit are split into several documents with the same tag (gensim
    would otherwise silently truncate them)."""

    max_len = 10_000

    def __init__(self, vocab: np.ndarray, tokens: np.ndarray, context: np.ndarray,
                 counts: np.ndarray):
        self.vocab = vocab
        self.tokens = tokens
        self.context = context
        self.bounds = np.concatenate([[0], np.cumsum(counts)])

    def __iter__(self):
        from gensim.models.doc2vec import TaggedDocument

        for v in range(self.bounds.size - 1):
            ctx = self.context[self.bounds[v]:self.bounds[v + 1]]
            words = self.vocab[self.tokens[ctx].ravel()].tolist()
            for start in range(0, len(words), self.max_len):
                yield TaggedDocument(words[start:start + self.max_len], [v])
