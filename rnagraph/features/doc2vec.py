"""Doc2Vec (paragraph vector) embeddings of RNA sequences (MFERL's distributed feature)."""
from __future__ import annotations

import numpy as np

from rnagraph.features._base import SequenceFeaturizer
from rnagraph.features._estimator import is_int
from rnagraph.features._gensim import kmer_sentence, stable_hash
from rnagraph.features._missing import normalize_sequences


class Doc2VecEmbedding(SequenceFeaturizer):
    r"""Paragraph-vector embeddings of RNA sequences (Le & Mikolov, 2014; gensim's
    ``Doc2Vec``), MFERL's "pre-trained distributed feature". Each sequence is a document whose
    words are its overlapping k-mers (windows containing ``N`` are dropped).

    ``mode="dbow"`` (PV-DBOW) learns a vector :math:`\mathbf{d}` per sequence that predicts the
    sequence's k-mers, :math:`\max \sum_{w \in s} \log \sigma(\mathbf{d}^\top \mathbf{u}_w) +
    \sum_{w' \sim P_n} \log \sigma(-\mathbf{d}^\top \mathbf{u}_{w'})` (negative sampling);
    ``mode="dm"`` (PV-DM) predicts each k-mer from the document vector averaged with its
    context k-mers.

    ``fit`` trains on the distinct sequences given; ``transform`` returns the trained vector of
    a sequence seen in ``fit`` and *infers* one for any other sequence (gensim's
    ``infer_vector`` procedure: the word and output weights frozen, :obj:`epochs` passes with the
    learning rate decaying from ``alpha`` to ``min_alpha``). Hence ``fit(X).transform(X)`` equals
    ``fit_transform(X)``, identical sequences get identical vectors, and :meth:`infer_vector`
    forces inference for a training sequence too.

    **Determinism:** training uses ``workers=1`` and ``seed`` (gensim's training draws from
    ``numpy.random`` generators seeded with it; the Python ``hash`` it would use for inference
    is replaced by a blake2b hash, and the inference RNG is re-seeded per sequence from
    ``(seed, sequence)``), so results do not depend on ``PYTHONHASHSEED``, on the process, or on
    the order in which sequences are inferred.

    **Missing sequences:** ``None`` gives an all-zero row (``return_mask=True`` returns the
    mask); a sequence with no valid k-mer (shorter than :obj:`k`, or all ``N``) is inferred
    from zero words, i.e. keeps its small random initial vector.

    Output: :obj:`dim` ``float32`` dims. Cost: :math:`O(\text{epochs} \cdot \sum_i L_i \cdot
    \text{negative} \cdot \text{dim})` single-threaded (linear in total sequence length).

    Args:
        k (int, optional): k-mer length of the words. (default: ``3``)
        dim (int, optional): vector size. (default: ``128``)
        mode (str, optional): ``"dbow"`` or ``"dm"``. (default: ``"dbow"``)
        window (int, optional): context window (``dm``). (default: ``5``)
        epochs (int, optional): training (and inference) epochs. (default: ``20``)
        negative (int, optional): negative samples per word. (default: ``5``)
        stride (int, optional): step between k-mer windows. (default: ``1``)
        sample (float, optional): gensim's frequent-word down-sampling threshold; ``0`` keeps
            every k-mer (all k-mers of a 4-letter alphabet are "frequent"). (default: ``0.0``)
        seed (int, optional): random seed. (default: ``0``)

    Shapes:
        - **input:** list of ``n`` sequences (``str`` or ``None``)
        - **output:** ``[n, dim]``
    """

    _stateless = False

    def __init__(self, k: int = 3, dim: int = 128, mode: str = "dbow", window: int = 5,
                 epochs: int = 20, negative: int = 5, stride: int = 1, sample: float = 0.0,
                 seed: int = 0):
        self.k = k
        self.dim = dim
        self.mode = mode
        self.window = window
        self.epochs = epochs
        self.negative = negative
        self.stride = stride
        self.sample = sample
        self.seed = seed

    def _validate_params(self) -> None:
        self._check_param("mode", self.mode in ("dbow", "dm"), "must be 'dbow' or 'dm'")
        self._check_param("k", is_int(self.k) and 1 <= self.k <= 12, "must be an int in 1..12")
        for name in ("dim", "window", "epochs", "stride"):
            self._check_param(name, is_int(getattr(self, name)) and getattr(self, name) >= 1,
                        "must be a positive int")
        self._check_param("negative", is_int(self.negative) and self.negative >= 0,
                    "must be an int >= 0")
        self._check_param("sample", isinstance(self.sample, (int, float)) and self.sample >= 0,
                    "must be a number >= 0")
        self._check_param("seed", is_int(self.seed), "must be an int")

    @property
    def num_features(self) -> int:
        return self.dim

    def _fit(self, seqs: list[str]) -> None:
        from gensim.models.doc2vec import Doc2Vec, TaggedDocument
        if not seqs:
            raise ValueError("Doc2VecEmbedding.fit: no sequences to train on (all None?)")
        docs = list(dict.fromkeys(seqs))  # distinct, in first-seen order
        corpus = [TaggedDocument(kmer_sentence(s, self.k, self.stride), [i])
                  for i, s in enumerate(docs)]
        if not any(d.words for d in corpus):
            raise ValueError(f"Doc2VecEmbedding.fit: no sequence has a valid {self.k}-mer")
        self.model_ = Doc2Vec(
            corpus, vector_size=self.dim, dm=int(self.mode == "dm"), window=self.window,
            min_count=1, sample=self.sample, negative=self.negative, epochs=self.epochs,
            seed=self.seed, workers=1, hashfxn=stable_hash)
        self.doc_index_ = {s: i for i, s in enumerate(docs)}
        self.vectors_ = np.asarray(self.model_.dv.vectors, dtype=np.float32).copy()
        self.n_features_out_ = self.dim

    def _featurize(self, seqs: list[str]) -> np.ndarray:
        out = np.empty((len(seqs), self.dim), dtype=np.float32)
        for i, s in enumerate(seqs):
            j = self.doc_index_.get(s)
            out[i] = self.vectors_[j] if j is not None else self._infer(s)
        return out

    def infer_vector(self, seq: str) -> np.ndarray:
        """Inferred ``float32 [dim]`` vector of one sequence (also for a training sequence)."""
        self._check_fitted()
        (s,) = normalize_sequences([seq], "Doc2VecEmbedding")
        if s is None:
            return np.zeros(self.dim, dtype=np.float32)
        return self._infer(s)

    def _infer(self, seq: str) -> np.ndarray:
        # Mirrors gensim's Doc2Vec.infer_vector, which seeds its start vector with Python's
        # salted hash() and draws from the model's shared RNG (so results would depend on the
        # process and on call order); here both are seeded from (seed, sequence).
        from gensim.models.doc2vec_inner import train_document_dbow, train_document_dm
        model = self.model_
        words = kmer_sentence(seq, self.k, self.stride)
        h = stable_hash(seq)
        rng = np.random.default_rng([self.seed, h])
        vec = ((rng.random(self.dim) - 0.5) / self.dim).astype(np.float32).reshape(1, -1)
        lockf = np.ones(1, dtype=np.float32)
        work = np.zeros(model.layer1_size, dtype=np.float32)
        neu1 = np.zeros(model.layer1_size, dtype=np.float32)
        saved = model.random
        model.random = np.random.RandomState((self.seed * 1_000_003 + h) % 2**32)
        try:
            alpha, min_alpha, epochs = model.alpha, model.min_alpha, model.epochs
            delta = (alpha - min_alpha) / max(epochs - 1, 1)
            for _ in range(epochs):
                if model.sg:
                    train_document_dbow(model, words, [0], alpha, work, learn_words=False,
                                        learn_hidden=False, doctag_vectors=vec,
                                        doctags_lockf=lockf)
                else:
                    train_document_dm(model, words, [0], alpha, work, neu1, learn_words=False,
                                      learn_hidden=False, doctag_vectors=vec,
                                      doctags_lockf=lockf)
                alpha -= delta
        finally:
            model.random = saved
        return vec[0]
