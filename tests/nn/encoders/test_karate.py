"""Cross-checks against karateclub (GPL-3; used here only as a reference, never by rnagraph).

The definitions differ in documented ways (karateclub adds self-loops, its GraRep starts at
A^2 without clipping, its Role2Vec window pairs nodes with themselves, ...), so the check is on
what the embeddings are for: link prediction on a planted-partition graph, ours at least as
good as karateclub's minus 0.05 AUC (two seeded random embeddings: the difference ranged from
-0.018 to +0.036 over seeds 0-2, tools/margins.md); where the definitions nearly agree
(Laplacian eigenmaps), the two embeddings span the same subspace."""
import warnings

import numpy as np
import pytest

from rnagraph.nn.encoders import HOPE, DeepWalk, GraRep, LaplacianEigenmaps, Role2Vec

from .conftest import holdout_split, link_auc, planted_partition

pytestmark = pytest.mark.karate


@pytest.fixture(scope="module")
def graph(train_seed):
    edges, n = planted_partition(blocks=4, size=40, p_in=0.25, p_out=0.01, seed=train_seed)
    train, pos, neg = holdout_split(edges, n, seed=train_seed + 1)
    return train, n, pos, neg


def _karate_graph(train, n):
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(train.T.tolist())
    return g


def _pairs():
    kc = pytest.importorskip("karateclub", reason="karateclub not installed "
                             "(pip install --no-deps karateclub==1.3.3)")
    return {
        "GraRep": (GraRep(dim=8, order=3), kc.GraRep(dimensions=8, order=3)),
        "DeepWalk": (DeepWalk(dim=16, walk_number=10, walk_length=40),
                     kc.DeepWalk(dimensions=16, walk_number=10, walk_length=40, workers=1)),
        "Role2Vec": (Role2Vec(dim=16, walk_number=10, walk_length=40, min_count=1, epochs=5),
                     kc.Role2Vec(dimensions=16, walk_number=10, walk_length=40, min_count=1,
                                 epochs=5, workers=1)),
        "HOPE": (HOPE(dim=16, proximity="common_neighbors"), kc.HOPE(dimensions=16)),
        "LaplacianEigenmaps": (LaplacianEigenmaps(dim=3), kc.LaplacianEigenmaps(dimensions=4)),
    }


@pytest.mark.parametrize("name", ["GraRep", "DeepWalk", "Role2Vec", "HOPE",
                                  "LaplacianEigenmaps"])
def test_link_prediction_matches_karateclub(name, graph, train_seed, margin):
    train, n, pos, neg = graph
    ours, theirs = _pairs()[name]
    ours.set_params(seed=train_seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.fit(_karate_graph(train, n))
    ours_auc = link_auc(ours.fit_transform(train, n), pos, neg)
    their_auc = link_auc(theirs.get_embedding(), pos, neg)
    # min 0.694 (Role2Vec) over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("karateclub's link auc", their_auc, 0.6)  # the reference works on this graph
    # min -0.018 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("ours - karateclub's link auc", ours_auc - their_auc, -0.05)


def test_laplacian_eigenmaps_same_subspace(graph):
    from sklearn.linear_model import LinearRegression

    train, n, _, _ = graph
    ours, theirs = _pairs()["LaplacianEigenmaps"]
    theirs.fit(_karate_graph(train, n))
    zk = np.asarray(theirs.get_embedding())
    z = ours.fit_transform(train, n).numpy()
    assert LinearRegression().fit(zk, z).score(zk, z) >= 0.9
