"""Fixtures shared by the model tests."""
from __future__ import annotations

import numpy as np
import pytest

from rnagraph.data import build_graph

CM = ("circrna", "binds", "mirna")


def _planted_cm(seed=0, n=4, nc=20, nm=12, p_in=0.5, p_out=0.01):
    """A sequence-free circRNA-miRNA graph of ``n`` planted communities (``nc`` circRNAs and
    ``nm`` miRNAs each); pairs interact with ``p_in`` inside a community, ``p_out`` across."""
    rng = np.random.default_rng(seed)
    pairs = [(f"c{g}_{i}", f"m{h}_{j}") for g in range(n) for i in range(nc) for h in range(n)
             for j in range(nm) if rng.random() < (p_in if g == h else p_out)]
    return build_graph({}, {CM: pairs})


@pytest.fixture
def planted_cm():
    """The factory :func:`_planted_cm` (call it with the community sizes a test needs)."""
    return _planted_cm


@pytest.fixture(scope="module")
def fusion_fold():
    """Fold 0 of a 5-fold split of a small planted circRNA-miRNA graph with two clear groups:
    the fold the StackedLink fusion tests fit their parts on."""
    from rnagraph.data import kfold_link_split
    return kfold_link_split(_planted_cm(seed=1, n=4, nc=12, nm=8, p_in=0.45, p_out=0.04),
                            ("circrna", "binds", "mirna"), k=5, seed=0)[0]
