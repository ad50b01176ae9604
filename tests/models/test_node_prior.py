import math

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.data import Fold, LinkSet, build_graph, ids_to_index
from rnagraph.models import NodePrior, load
from rnagraph.train.metrics import grouped_auc

CM = ("circrna", "binds", "mirna")


def fold():
    """Training pairs: x 2 positives + 1 negative, y 1 + 1, z 0 + 2, w none (pi = 3 / 7)."""
    g = build_graph({}, {CM: [("a", "x"), ("b", "x"), ("c", "y")]}, node_ids={"mirna": ["z", "w"]})
    a, b, c = ids_to_index(g, "circrna", ["a", "b", "c"]).tolist()
    x, y, z, w = ids_to_index(g, "mirna", ["x", "y", "z", "w"]).tolist()
    neg = torch.tensor([[c, a, a, b], [x, y, z, z]])
    train = LinkSet.from_pos_neg(g[CM].edge_index, neg)
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    return Fold(0, CM, g, train, empty, empty), (a, b, c), (x, y, z, w)


def test_hand_computed_rates_and_unseen_node():
    f, (a, b, c), (x, y, z, w) = fold()
    m = NodePrior(smoothing=1.0, calibrate=False).fit(f)
    pi = 3 / 7
    pairs = torch.tensor([[a, b, c, a], [x, y, z, w]])
    want = torch.tensor([(2 + pi) / 4, (1 + pi) / 3, pi / 3, pi], dtype=torch.float64)
    assert torch.allclose(m.score(None, pairs), want)
    raw = m.decision_function(None, pairs)
    assert raw[3].item() == pytest.approx(math.log(pi / (1 - pi)))   # unseen: logit(pi)
    # the score ignores the circRNA: every pair of a miRNA ties
    grid = m.decision_grid(None, torch.tensor([a, b, c]), pairs[1])
    assert torch.equal(grid, raw.expand(3, -1))


def test_save_load_and_the_other_side(tmp_path):
    f, (a, b, c), (x, y, z, w) = fold()
    m = NodePrior(calibrate=False).fit(f)
    pairs = torch.tensor([[a, b, c], [x, x, w]])
    assert torch.equal(load(m.save(tmp_path / "p.rg")).score(None, pairs), m.score(None, pairs))
    # by circRNA: a has 1 positive + 2 negatives, b 1 + 1, c 1 + 1
    s = NodePrior(node_type="circrna", calibrate=False).fit(f).score(None, pairs)
    pi = 3 / 7
    assert s.tolist() == pytest.approx([(1 + pi) / 4, (1 + pi) / 3, (1 + pi) / 3])


def test_bad_parameters():
    f, _, _ = fold()
    with pytest.raises(ValueError, match="not one side"):
        NodePrior(node_type="mrna").fit(f)
    with pytest.raises(ValueError, match="smoothing=0 must be > 0"):
        NodePrior(smoothing=0).fit(f)


def test_the_shortcut_it_measures():
    # negatives made of "mock" miRNAs that never occur in a positive (as DeepMirTar's are):
    # the prior separates the classes without reading a pair, and within miRNAs nothing is
    # left to compare
    real, mock = [f"mir{i}" for i in range(20)], [f"mock{i}" for i in range(20)]
    targets = [f"t{i}" for i in range(200)]
    g = build_graph({}, {CM: [(t, real[i % 20]) for i, t in enumerate(targets[:100])]},
                    node_ids={"circrna": targets, "mirna": mock})
    t_neg = ids_to_index(g, "circrna", targets[100:])
    m_neg = ids_to_index(g, "mirna", [mock[i % 20] for i in range(100)])
    every = LinkSet.from_pos_neg(g[CM].edge_index, torch.stack([t_neg, m_neg]))
    order = torch.from_numpy(np.random.default_rng(0).permutation(200))
    tr, te = order[:140], order[140:]
    train = LinkSet(every.edge_label_index[:, tr], every.edge_label[tr])
    test = LinkSet(every.edge_label_index[:, te], every.edge_label[te])
    m = NodePrior().fit(Fold(0, CM, g, train, test, test))
    s = m.decision_function(None, test.edge_label_index)
    assert roc_auc_score(test.edge_label, s) == 1.0
    assert grouped_auc(test.edge_label, s, test.edge_label_index[1])[1:] == (0, 0, 0)
