import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.data import Fold
from rnagraph.datasets.synthetic import SITE_TYPES, seed_site, synthetic
from rnagraph.models.seed_match import SeedMatch
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA


def test_seed_site_hand_computed():
    m = "UGAGGUAGUAGGUUGUAUAGUU"  # let-7a; seed (nt 2-8) = GAGGUAG
    assert seed_site(m, "7mer-m8") == "CUACCUC"
    assert seed_site(m, "8mer") == "CUACCUCA"
    assert seed_site(m, "6mer") == "UACCUC"
    assert seed_site(m, "7mer-A1") == "UACCUCA"
    with pytest.raises(ValueError, match="unknown site kind"):
        seed_site(m, "9mer")


def test_deterministic_under_seed():
    a, b, c = synthetic(seed=3), synthetic(seed=3), synthetic(seed=4)
    for nt in ("mirna", "mrna", "circrna"):
        assert a[nt].seq == b[nt].seq
    for et in (CIRC_MIRNA, MIRNA_MRNA):
        assert torch.equal(a[et].edge_index, b[et].edge_index)
    assert a["mrna"].seq != c["mrna"].seq


def test_shapes_and_families():
    g = synthetic(num_mirna=30, num_mrna=80, num_circrna=40, seed=1)
    assert g["mirna"].num_nodes == 30 and g["mrna"].num_nodes == 80
    assert all(20 <= len(s) <= 24 for s in g["mirna"].seq)
    assert all(set(s) <= set("ACGU") for s in g["mrna"].seq)
    fam = g["mirna"].family
    seeds = [s[1:8] for s in g["mirna"].seq]
    for f in fam.unique().tolist():
        members = (fam == f).nonzero().flatten().tolist()
        assert len({seeds[i] for i in members}) == 1  # families share the seed
    assert g.validate()
    st = g[MIRNA_MRNA].site_type
    assert st.numel() == g[MIRNA_MRNA].edge_index.size(1) and int(st.max()) < len(SITE_TYPES)
    # most (not all) true pairs carry a planted site
    assert 0.6 < float((st > 0).float().mean()) < 0.9
    no_circ = synthetic(num_mirna=10, num_mrna=20, num_circrna=0)
    assert CIRC_MIRNA not in no_circ.edge_types


@pytest.mark.parametrize("et", [MIRNA_MRNA, CIRC_MIRNA])
def test_seed_match_signal_band(et):
    """SeedMatch is clearly better than random but far from perfect on synthetic pairs."""
    g = synthetic(seed=0)
    pos = g[et].edge_index
    ns, nd = g[et[0]].num_nodes, g[et[2]].num_nodes
    known = set(map(tuple, pos.t().tolist()))
    rng = np.random.default_rng(0)
    neg = []
    while len(neg) < pos.size(1):
        p = (int(rng.integers(ns)), int(rng.integers(nd)))
        if p not in known:
            neg.append(p)
    idx = torch.cat([pos, torch.tensor(neg).t()], dim=1)
    y = np.r_[np.ones(pos.size(1)), np.zeros(len(neg))]
    s = SeedMatch(calibrate=False).fit(Fold.full(g, et)).decision_function(g, idx).numpy()
    assert 0.75 <= roc_auc_score(y, s) <= 0.95


def test_random_sequences_lengths_alphabet_and_seed():
    from rnagraph.datasets.synthetic import random_sequences
    seqs = random_sequences(200, 30, seed=3)
    assert len(seqs) == 200 and set("".join(seqs)) == set("ACGU")
    assert min(map(len, seqs)) >= 20 and max(map(len, seqs)) <= 40   # 2 * 10 .. 4 * 10
    assert random_sequences(200, 30, seed=3) == seqs != random_sequences(200, 30, seed=4)
