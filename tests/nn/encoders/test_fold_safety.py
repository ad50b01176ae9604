"""An encoder fitted on a fold's training graph must not see that fold's test edges: its
embedding is the same whether the test edges are in the full graph, absent from it, or joined
by more test edges, and it changes as soon as one test edge leaks into the training graph."""
import numpy as np
import pytest
import torch
from torch_geometric.data import HeteroData

from rnagraph.nn.encoders import HOPE, LINE, DeepWalk, EncoderTransform, GraRep, Role2Vec
from rnagraph.typing import CIRC_MIRNA, reverse_edge_type

N_CIRC, N_MIRNA = 8, 5
# hand-made bipartite circRNA-miRNA interactions (circ, mirna)
FULL = [(0, 0), (0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 3), (4, 0),
        (5, 4), (5, 1), (6, 2), (6, 0), (7, 3), (7, 4), (1, 4), (2, 0)]
TEST = [(1, 2), (4, 0), (7, 4)]
EXTRA_TEST = [(0, 3), (5, 2), (6, 4)]  # new interactions that are also test positives


def train_graph(full: list, test: list) -> HeteroData:
    """The fold's training graph: every full-graph edge that is not a test edge."""
    held = set(test)
    kept = [e for e in full if e not in held]
    g = HeteroData()
    g["circrna"].num_nodes = N_CIRC
    g["mirna"].num_nodes = N_MIRNA
    ei = torch.tensor(kept, dtype=torch.long).T
    g[CIRC_MIRNA].edge_index = ei
    g[reverse_edge_type(CIRC_MIRNA)].edge_index = ei.flip(0)
    return g


ENCODERS = [
    GraRep(dim=2, order=3),
    Role2Vec(dim=8, walk_number=4, walk_length=10, min_count=1),
    DeepWalk(dim=8, walk_number=4, walk_length=10),
    LINE(dim=8, epochs=3, batch_size=8),
    HOPE(dim=4),
]


def embed(enc, g: HeteroData) -> torch.Tensor:
    out = EncoderTransform(enc, CIRC_MIRNA, name="z").fit_transform(g)
    return torch.cat([out["mirna"].x_z, out["circrna"].x_z])


@pytest.mark.parametrize("enc", ENCODERS, ids=lambda e: type(e).__name__)
def test_embedding_ignores_test_edges(enc):
    base = embed(enc, train_graph(FULL, TEST))
    # more test edges in the full graph (at the front, so the edge order shifts too)
    grown = embed(enc, train_graph(EXTRA_TEST + FULL, TEST + EXTRA_TEST))
    assert torch.equal(base, grown)
    # test edges removed from the full graph altogether
    held = set(TEST)
    absent = embed(enc, train_graph([e for e in FULL if e not in held], TEST))
    assert torch.equal(base, absent)
    # the check can fail: one test edge leaking into the training graph changes the result
    leaked = embed(enc, train_graph(FULL, TEST[1:]))
    assert not torch.allclose(base, leaked, atol=1e-6)


def test_fold_split_is_genuine():
    g = train_graph(EXTRA_TEST + FULL, TEST + EXTRA_TEST)
    pairs = set(map(tuple, g[CIRC_MIRNA].edge_index.T.tolist()))
    assert not pairs & set(TEST + EXTRA_TEST)
    assert len(pairs) == len(FULL) - len(TEST)
    assert np.all(np.isin([p[0] for p in pairs], np.arange(N_CIRC)))
