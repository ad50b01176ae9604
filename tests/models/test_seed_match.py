import math

import pytest
import torch

from rnagraph.data import build_graph
from rnagraph.models.seed_match import SeedMatch

MIR = "UGAGGUAGUAGGUUGUAUAGUU"  # let-7a


def test_count_sites_hand_made():
    sm = SeedMatch()
    # 8mer: CUACCUCA; 7mer-m8: CUACCUC + G; 7mer-A1: G + UACCUCA; 6mer: G + UACCUC + G
    target = "GG" + "CUACCUCA" + "GG" + "CUACCUCG" + "GG" + "GUACCUCA" + "GG" + "GUACCUCG" + "G"
    assert sm.count_sites(MIR, target) == {"8mer": 1, "7mer-m8": 1, "7mer-A1": 1, "6mer": 1}
    assert sm.count_sites(MIR, "AAAAAAAAAA") == {"8mer": 0, "7mer-m8": 0, "7mer-A1": 0,
                                                  "6mer": 0}
    assert sm.raw_score(MIR, target) == pytest.approx(1 + 0.75 + 0.5 + 0.25)
    # site at the very start / end: no flank is read out of range
    assert sm.count_sites(MIR, "UACCUC") == {"8mer": 0, "7mer-m8": 0, "7mer-A1": 0, "6mer": 1}


def test_score_both_orientations_and_missing():
    g = build_graph({"mirna": {"let7": MIR}, "mrna": {"t": "GGCUACCUCAGG", "u": "AAAA"},
                     "circrna": {"c": "CUACCUCAGGCUACCUCA"}},
                    {("mirna", "targets", "mrna"): [("let7", "t"), ("let7", "u")],
                     ("circrna", "binds", "mirna"): [("c", "let7"), ("d", "let7")]})
    sm = SeedMatch(edge_type=("mirna", "targets", "mrna"))
    s = sm.score(g, torch.tensor([[0, 0], [0, 1]]))
    assert s.tolist() == pytest.approx([1 - math.exp(-1.0), 0.0])
    sc = SeedMatch(edge_type=("circrna", "binds", "mirna"))
    with pytest.warns(UserWarning, match="1 of 2 pairs lack a sequence"):
        s2 = sc.score(g, torch.tensor([[0, 1], [0, 0]]))
    assert s2.tolist() == pytest.approx([1 - math.exp(-2.0), 0.0])


def test_errors_and_repr():
    with pytest.raises(ValueError, match="unknown site types"):
        SeedMatch(weights={"9mer": 1.0})
    g = build_graph({"mirna": {"m": MIR}}, {("circrna", "binds", "mirna"): [("c", "m")]})
    with pytest.raises(ValueError, match="call fit"):
        SeedMatch().score(g, torch.tensor([[0], [0]]))
    with pytest.raises(ValueError, match="'circrna' has no sequences"):
        SeedMatch(edge_type=("circrna", "binds", "mirna")).score(g, torch.tensor([[0], [0]]))
    assert repr(SeedMatch()) == "SeedMatch(8mer=1, 7mer-m8=0.75, 7mer-A1=0.5, 6mer=0.25)"


def test_site_features_log_counts():
    target = "GG" + "CUACCUCA" + "GG" + "CUACCUCA" + "GG" + "GUACCUCG" + "G"
    g = build_graph({"mirna": {"let7": MIR}, "mrna": {"t": target}},
                    {("mirna", "targets", "mrna"): [("let7", "t"), ("let7", "u")]})
    sm = SeedMatch(edge_type=("mirna", "targets", "mrna"))
    x = sm.site_features(g, torch.tensor([[0, 0], [0, 1]]))
    assert x.shape == (2, 4)
    assert x[0].tolist() == pytest.approx([math.log(3), 0.0, 0.0, math.log(2)])
    assert x[1].tolist() == [0.0, 0.0, 0.0, 0.0]  # 'u' has no sequence
