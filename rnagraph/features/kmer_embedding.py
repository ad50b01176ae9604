"""FastText / Word2Vec skip-gram embeddings of k-mers (GRMMI's 6-mer embeddings)."""
from __future__ import annotations

import numpy as np

from rnagraph.features._base import SequenceFeaturizer
from rnagraph.features._estimator import is_int
from rnagraph.features._gensim import kmer_sentence, stable_hash
from rnagraph.features._kmers import encode, kmer_ids, kmer_vocabulary


class KmerEmbedding(SequenceFeaturizer):
    r"""Skip-gram k-mer embeddings trained on RNA sequences read as "sentences" of overlapping
    k-mers, as GRMMI pre-trains its 6-mer table with FastText (Bojanowski et al., 2017).

    Skip-gram maximises :math:`\sum_{g} \sum_{c \in \text{ctx}(g)} \log \sigma(\mathbf{z}_g^\top
    \mathbf{v}_c) + \sum_{c' \sim P_n} \log \sigma(-\mathbf{z}_g^\top \mathbf{v}_{c'})`; with
    ``model="fasttext"`` :math:`\mathbf{z}_g` is the sum of the vectors of the k-mer and its
    character n-grams (``min_n..max_n``), so k-mers never seen in training still get a vector;
    with ``model="word2vec"`` unseen k-mers get a zero row.

    :meth:`get_embedding` returns the ``float32 [4**k, dim]`` table in k-mer index order
    (``A < C < G < U``, the ids of :class:`KmerTokenizer`); :meth:`to_embedding` wraps it in a
    ``torch.nn.Embedding`` with an extra zero padding row. ``seen_`` marks the k-mers that
    occurred in training. :meth:`transform` gives a per-sequence feature: the mean of its
    k-mer vectors (zeros for ``None`` or for a sequence without a valid k-mer).

    Determinism: ``workers=1`` and ``seed`` (gensim draws its initial vectors and training
    randomness from numpy generators seeded with it; n-gram buckets use gensim's fixed FNV
    hash; ``hashfxn`` is set to a blake2b hash instead of Python's salted ``hash``), so the
    table does not depend on ``PYTHONHASHSEED`` or the process.

    Cost: :math:`O(\text{epochs} \cdot \sum_i L_i \cdot \text{window} \cdot \text{negative}
    \cdot \text{dim})`, single-threaded; FastText's n-gram table holds :obj:`bucket` rows.

    Args:
        k (int, optional): k-mer length. (default: ``6``)
        dim (int, optional): embedding size. (default: ``64``)
        model (str, optional): ``"fasttext"`` or ``"word2vec"``. (default: ``"fasttext"``)
        window (int, optional): context window in k-mers. (default: ``5``)
        epochs (int, optional): training epochs. (default: ``5``)
        negative (int, optional): negative samples. (default: ``5``)
        stride (int, optional): step between k-mer windows. (default: ``1``)
        min_n (int, optional): FastText's shortest character n-gram. (default: ``3``)
        max_n (int, optional): FastText's longest character n-gram. (default: ``k``)
        bucket (int, optional): FastText's n-gram hash buckets (gensim's default of 2e6 would
            take 0.5 GB at ``dim=64``; n-grams of ACGU words are far fewer). (default: ``65536``)
        seed (int, optional): random seed. (default: ``0``)

    Shapes:
        - **input:** list of ``n`` sequences (``str`` or ``None``)
        - **output:** :meth:`transform` ``[n, dim]``; :meth:`get_embedding` ``[4**k, dim]``
    """

    _stateless = False

    def __init__(self, k: int = 6, dim: int = 64, model: str = "fasttext", window: int = 5,
                 epochs: int = 5, negative: int = 5, stride: int = 1, min_n: int = 3,
                 max_n: int | None = None, bucket: int = 65536, seed: int = 0):
        self.k = k
        self.dim = dim
        self.model = model
        self.window = window
        self.epochs = epochs
        self.negative = negative
        self.stride = stride
        self.min_n = min_n
        self.max_n = max_n
        self.bucket = bucket
        self.seed = seed

    def _validate_params(self) -> None:
        self._check_param("model", self.model in ("fasttext", "word2vec"),
                    "must be 'fasttext' or 'word2vec'")
        self._check_param("k", is_int(self.k) and 1 <= self.k <= 12, "must be an int in 1..12")
        for name in ("dim", "window", "epochs", "stride", "bucket"):
            self._check_param(name, is_int(getattr(self, name)) and getattr(self, name) >= 1,
                        "must be a positive int")
        for name in ("negative", "min_n"):
            self._check_param(name, is_int(getattr(self, name)) and getattr(self, name) >= 0,
                        "must be an int >= 0")
        self._check_param("max_n", self.max_n is None or (is_int(self.max_n) and self.max_n >= 0),
                    "must be None or an int >= 0 (below min_n: no character n-grams)")
        self._check_param("seed", is_int(self.seed), "must be an int")

    @property
    def num_features(self) -> int:
        return self.dim

    def _fit(self, seqs: list[str]) -> None:
        sentences = [w for w in (kmer_sentence(s, self.k, self.stride) for s in seqs) if w]
        if not sentences:
            raise ValueError(f"KmerEmbedding.fit: no sequence has a valid {self.k}-mer")
        common = dict(sentences=sentences, vector_size=self.dim, window=self.window, min_count=1,
                      sg=1, negative=self.negative, epochs=self.epochs, seed=self.seed,
                      workers=1, hashfxn=stable_hash)
        vocab = kmer_vocabulary(self.k)
        if self.model == "fasttext":
            from gensim.models import FastText
            max_n = self.k if self.max_n is None else self.max_n
            self.model_ = FastText(min_n=self.min_n, max_n=max_n, bucket=self.bucket, **common)
        else:
            from gensim.models import Word2Vec
            self.model_ = Word2Vec(**common)
        wv = self.model_.wv
        self.seen_ = np.array([w in wv.key_to_index for w in vocab], dtype=bool)
        table = np.zeros((len(vocab), self.dim), dtype=np.float32)
        if self.model == "fasttext":
            for i, w in enumerate(vocab):
                table[i] = wv.get_vector(w)
        else:
            idx = np.flatnonzero(self.seen_)
            table[idx] = wv.vectors[[wv.key_to_index[vocab[i]] for i in idx]]
        self.table_ = table
        self.n_features_out_ = self.dim

    def get_embedding(self) -> np.ndarray:
        """The ``float32 [4**k, dim]`` k-mer table in k-mer index order."""
        self._check_fitted()
        return self.table_

    def to_embedding(self, freeze: bool = False, padding: bool = True):
        """A ``torch.nn.Embedding`` initialised from the table; with ``padding=True`` it has
        ``4**k + 1`` rows, the last a zero row at ``padding_idx = 4**k`` (:class:`KmerTokenizer`'s
        ``pad_id``)."""
        import torch
        weight = torch.from_numpy(self.get_embedding().copy())
        if padding:
            weight = torch.cat([weight, weight.new_zeros(1, self.dim)])
        return torch.nn.Embedding.from_pretrained(
            weight, freeze=freeze, padding_idx=len(weight) - 1 if padding else None)

    def _featurize(self, seqs: list[str]) -> np.ndarray:
        out = np.zeros((len(seqs), self.dim), dtype=np.float32)
        for i, s in enumerate(seqs):
            ids, valid = kmer_ids(encode(s), self.k, self.stride)
            if valid.any():
                out[i] = self.table_[ids[valid]].mean(axis=0)
        return out
