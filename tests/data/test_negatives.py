import numpy as np
import pytest
import torch

import rnagraph.data.negatives as negmod
from rnagraph.data import build_graph, sample_negatives
from rnagraph.data.negatives import pair_codes

CM = ("circrna", "binds", "mirna")


def graph(n_circ=40, n_mir=25, n_edges=150, seed=0):
    rng = np.random.default_rng(seed)
    pairs = {(f"c{rng.integers(n_circ)}", f"m{rng.integers(n_mir)}") for _ in range(n_edges)}
    return build_graph({}, {CM: sorted(pairs)},
                       node_ids={"circrna": [f"c{i}" for i in range(n_circ)],
                                 "mirna": [f"m{i}" for i in range(n_mir)]})


def codes(ei, g):
    return set(pair_codes(ei, g["mirna"].num_nodes).tolist())


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("ratio", [1, 2, 5])
def test_ratio_counts_no_positive_distinct(ratio, exact, monkeypatch):
    if not exact:
        monkeypatch.setattr(negmod, "EXACT_MAX", 0)  # force rejection sampling
    g = graph()
    e = g[CM].edge_index.size(1)
    neg = sample_negatives(g, CM, ratio=ratio, seed=1)
    assert neg.shape == (2, ratio * e)
    assert neg.dtype == torch.long
    c = pair_codes(neg, 25)
    assert len(set(c.tolist())) == c.size  # without replacement
    assert not codes(neg, g) & codes(g[CM].edge_index, g)
    assert neg[0].max() < 40 and neg[1].max() < 25 and neg.min() >= 0


def test_ratio_ten_on_sparse_graph():
    g = graph(n_circ=200, n_mir=100, n_edges=300)
    e = g[CM].edge_index.size(1)
    neg = sample_negatives(g, CM, ratio=10, seed=0)
    assert neg.size(1) == 10 * e
    assert not codes(neg, g) & codes(g[CM].edge_index, g)


def test_exclude_and_box():
    g = graph()
    first = sample_negatives(g, CM, 100, seed=0)
    second = sample_negatives(g, CM, 100, exclude=first, seed=0)
    assert not codes(first, g) & codes(second, g)
    box = sample_negatives(g, CM, 30, src_nodes=torch.tensor([0, 1, 2]), seed=0)
    assert set(box[0].tolist()) <= {0, 1, 2}


def test_seeded():
    g = graph()
    a = sample_negatives(g, CM, 50, seed=3)
    assert torch.equal(a, sample_negatives(g, CM, 50, seed=3))
    assert not torch.equal(a, sample_negatives(g, CM, 50, seed=4))


def test_uniform_over_free_pairs():
    # 2 x 3 box, 2 positives -> 4 free pairs; drawing 1 many times hits each ~equally
    g = build_graph({}, {CM: [("a", "x"), ("b", "y")]}, node_ids={"mirna": ["z"]})
    hits = {}
    for s in range(400):
        c = int(pair_codes(sample_negatives(g, CM, 1, seed=s), 3)[0])
        hits[c] = hits.get(c, 0) + 1
    free = {0 * 3 + 1, 0 * 3 + 2, 1 * 3 + 0, 1 * 3 + 2}
    assert set(hits) == free
    assert min(hits.values()) > 60


def test_too_many_raises():
    g = build_graph({}, {CM: [("a", "x"), ("b", "y")]})
    assert sample_negatives(g, CM, 2, seed=0).size(1) == 2
    with pytest.raises(ValueError, match="only 2 unobserved"):
        sample_negatives(g, CM, 3)
