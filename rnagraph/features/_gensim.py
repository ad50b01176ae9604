"""Helpers shared by the gensim-backed featurizers (private)."""
from __future__ import annotations

import hashlib

from rnagraph.features._kmers import encode, kmer_ids, kmer_vocabulary


def stable_hash(text: str) -> int:
    """A process-independent replacement for :func:`hash` (gensim's default ``hashfxn``, which
    depends on ``PYTHONHASHSEED``): the first 8 bytes of blake2b, as an int."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def kmer_sentence(seq: str, k: int, stride: int = 1) -> list[str]:
    """The k-mer "words" of a normalised sequence (windows containing N are dropped)."""
    ids, valid = kmer_ids(encode(seq), k, stride)
    vocab = kmer_vocabulary(k)
    return [vocab[i] for i in ids[valid]]
