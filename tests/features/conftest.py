"""Sequence helpers for the features tests, as fixtures (the disk cache is isolated by
tests/conftest.py)."""
from types import SimpleNamespace

import numpy as np
import pytest


def random_seqs(n: int, length: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGU"), size=length)) for _ in range(n)]


def mutate(seq: str, rate: float, rng: np.random.Generator) -> str:
    s = list(seq)
    for i in np.flatnonzero(rng.random(len(s)) < rate):
        s[i] = rng.choice([c for c in "ACGU" if c != s[i]])
    return "".join(s)


def shuffle(seq: str, rng: np.random.Generator) -> str:
    return "".join(rng.permutation(list(seq)))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture
def seqtools():
    """``random_seqs``, ``mutate``, ``shuffle``, ``cosine`` as attributes."""
    return SimpleNamespace(random_seqs=random_seqs, mutate=mutate, shuffle=shuffle, cosine=cosine)
