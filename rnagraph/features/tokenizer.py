"""Sequence -> k-mer id tokenizer matching KmerEmbedding's table."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from rnagraph.features._estimator import Estimator, is_int
from rnagraph.features._kmers import encode, kmer_ids, kmer_vocabulary
from rnagraph.features._missing import normalize_sequence, normalize_sequences


class KmerTokenizer(Estimator):
    r"""Splits RNA sequences into overlapping k-mers and maps each to its index
    :math:`\sum_{j=0}^{k-1} c(w_j)\,4^{k-1-j}` with ``A=0, C=1, G=2, U=3`` (lexicographic
    order: the row order of :meth:`KmerEmbedding.get_embedding`), as GRMMI's 6-mer inputs.

    Windows start at ``0, stride, 2*stride, ...``; a sequence of length :math:`L \ge k` gives
    :math:`\lfloor (L-k)/\text{stride} \rfloor + 1` tokens, a shorter one none. ``T`` reads
    as ``U``. The id :math:`4^k` (:attr:`pad_id`) pads batches and also stands for k-mers
    containing ``N`` (they carry no nucleotide identity), so
    ``torch.nn.Embedding(tokenizer.vocab_size, dim, padding_idx=tokenizer.pad_id)`` embeds
    both as zeros. A missing sequence (``None``) is all padding with length 0.

    Args:
        k (int, optional): k-mer length, ``1..12``. (default: ``6``)
        stride (int, optional): step between windows. (default: ``1``)
        max_tokens (int, optional): keep at most this many tokens per sequence (the 5' ones).
            (default: :obj:`None`)

    Shapes:
        - **input:** list of ``B`` sequences (``str`` or ``None``)
        - **output:** ``ids`` ``int64 [B, T]`` (``T`` = longest, or :obj:`max_tokens`) and
          ``lengths`` ``int64 [B]``
    """

    def __init__(self, k: int = 6, stride: int = 1, max_tokens: int | None = None):
        self.k = k
        self.stride = stride
        self.max_tokens = max_tokens

    def _validate_params(self) -> None:
        self._check_param("k", is_int(self.k) and 1 <= self.k <= 12, "must be an int in 1..12")
        self._check_param("stride", is_int(self.stride) and self.stride >= 1,
                    "must be a positive int")
        self._check_param("max_tokens", self.max_tokens is None or (is_int(self.max_tokens)
                                                              and self.max_tokens >= 1),
                    "must be a positive int or None")

    def fit(self, seqs: Sequence[str | None] | None = None, y: None = None) -> KmerTokenizer:
        """Nothing to learn: checks the parameters and returns ``self`` (tokenizing works
        without it and checks them too)."""
        self._validate_params()
        return self

    @property
    def pad_id(self) -> int:
        return 4**self.k

    @property
    def vocab_size(self) -> int:
        """``4**k + 1`` (the k-mers, then the padding id)."""
        return 4**self.k + 1

    def vocabulary(self) -> tuple[str, ...]:
        """The ``4**k`` k-mers in id order."""
        return kmer_vocabulary(self.k)

    def encode(self, seq: str) -> np.ndarray:
        """``int64 [T]`` ids of one sequence."""
        self._validate_params()
        ids, valid = kmer_ids(encode(normalize_sequence(seq, "KmerTokenizer")), self.k,
                              self.stride)
        ids = np.where(valid, ids, self.pad_id)
        return ids if self.max_tokens is None else ids[:self.max_tokens]

    def decode(self, ids: Sequence[int]) -> list[str]:
        """k-mers of ``ids`` (``"<pad>"`` for :attr:`pad_id`)."""
        vocab = self.vocabulary()
        return [vocab[i] if i < self.pad_id else "<pad>" for i in map(int, ids)]

    def __call__(self, seqs: Sequence[str | None]):
        """Padded batch: ``(ids LongTensor [B, T], lengths LongTensor [B])``."""
        import torch
        self._validate_params()
        clean = normalize_sequences(seqs, "KmerTokenizer")
        rows = [self.encode(s) if s is not None else np.zeros(0, np.int64) for s in clean]
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        T = int(lengths.max()) if len(rows) else 0
        ids = np.full((len(rows), T), self.pad_id, dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = r
        return torch.from_numpy(ids), torch.from_numpy(lengths)
