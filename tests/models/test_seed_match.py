import math

import pytest
import torch
from sklearn.base import clone

from rnagraph.data import Fold, LinkSet, build_graph
from rnagraph.models import load
from rnagraph.models.seed_match import SeedMatch

MIR = "UGAGGUAGUAGGUUGUAUAGUU"  # let-7a
MT = ("mirna", "targets", "mrna")
CM = ("circrna", "binds", "mirna")
EMPTY = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))


def _graph():
    return build_graph({"mirna": {"let7": MIR}, "mrna": {"t": "GGCUACCUCAGG", "u": "AAAA"},
                        "circrna": {"c": "CUACCUCAGGCUACCUCA"}},
                       {MT: [("let7", "t"), ("let7", "u")],
                        CM: [("c", "let7"), ("d", "let7")]})


def _fold(g, et):
    ei = g[et].edge_index
    return Fold(0, et, g, LinkSet(ei, torch.ones(ei.size(1))), EMPTY, EMPTY)


def test_raw_scores_and_link_both_orientations():
    g = _graph()
    sm = SeedMatch(calibrate=False).fit(_fold(g, MT))
    # one 8mer in 't', nothing in 'u': s = 1 and 0, p = 1 - e^{-s}
    pairs = torch.tensor([[0, 0], [0, 1]])
    assert sm.decision_function(None, pairs).tolist() == [1.0, 0.0]
    assert sm.score(None, pairs).tolist() == pytest.approx([1 - math.exp(-1.0), 0.0])
    assert sm.decision_function(None, pairs).dtype == torch.float64
    sc = SeedMatch(calibrate=False).fit(_fold(g, CM))
    with pytest.warns(UserWarning, match="1 of 2 pairs lack a sequence"):
        s2 = sc.score(None, torch.tensor([[0, 1], [0, 0]]))
    assert s2.tolist() == pytest.approx([1 - math.exp(-2.0), 0.0])    # two 8mers in 'c'
    assert sm.raw_score(MIR, "CUACCUCG") == 0.75                       # a 7mer-m8
    w = SeedMatch(weights={"8mer": 2.0}, calibrate=False).fit(_fold(g, MT))
    assert w.decision_function(None, pairs).tolist() == [2.0, 0.0]     # unlisted types weigh 0


def test_calibrated_by_default_and_round_trips(tmp_path):
    g = _graph()
    et = MT
    # validation pairs: 't' (a site) positive, 'u' (none) negative
    val = LinkSet(torch.tensor([[0, 0], [0, 1]]), torch.tensor([1.0, 0.0]))
    fold = Fold(0, et, g, LinkSet(torch.tensor([[0], [0]]), torch.tensor([1.0])), val, EMPTY)
    sm = SeedMatch().fit(fold)
    assert sm.calibrate and sm.calibrator_ is not None
    p = sm.score(None, val.edge_label_index)
    assert p[0] > 0.5 > p[1]                       # calibration keeps the order
    m2 = load(sm.save(tmp_path / "seed.pt"))
    assert torch.equal(m2.score(None, val.edge_label_index), p)
    assert clone(sm).get_params() == {"weights": None, "calibrate": True}
    assert repr(SeedMatch(calibrate=False)) == "SeedMatch(calibrate=False)"


def test_errors():
    g = build_graph({"mirna": {"m": MIR}}, {CM: [("c", "m")]})
    bad = SeedMatch(weights={"9mer": 1.0})          # stored; refused by fit, before the data
    with pytest.raises(ValueError, match=r"SeedMatch: weights=.* unknown site types \['9mer'\]"):
        bad.fit(_fold(g, CM))
    with pytest.raises(ValueError, match="'circrna' has no sequences"):
        SeedMatch().fit(_fold(g, CM))
    g2 = build_graph({"circrna": {"c": "ACGU"}, "mrna": {"t": "ACGU"}},
                     {("circrna", "x", "mrna"): [("c", "t")]})
    with pytest.raises(ValueError, match="no miRNA side"):
        SeedMatch().fit(_fold(g2, ("circrna", "x", "mrna")))
    assert SeedMatch.requires_sequences


@pytest.mark.parametrize("et", [MT, CM])
def test_decision_grid_is_the_matrix_of_decision_function(et):
    from rnagraph.datasets import synthetic
    g = synthetic(num_mirna=12, num_mrna=30, num_circrna=25, seed=3)
    sm = SeedMatch(calibrate=False).fit(_fold(g, et))
    n_s, n_d = g[et[0]].num_nodes, g[et[2]].num_nodes
    src, dst = torch.arange(n_s).flip(0)[:9], torch.arange(n_d)[::2]
    grid = sm.decision_grid(None, src, dst)     # SeedSiteIndex: one gather per block
    flat = sm.decision_function(None, torch.stack([src.repeat_interleave(dst.numel()),
                                                   dst.repeat(src.numel())]))
    assert grid.shape == (9, dst.numel()) and (grid > 0).sum() >= 5
    assert torch.equal(grid.reshape(-1), flat)
