import pytest
import torch

from rnagraph.data import build_graph
from rnagraph.evaluate.cerna import rank_cerna, shift_prior, top_regulation_pairs
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA


class _Table:
    """A fixed probability table standing in for a fitted model."""

    def __init__(self, table):
        self.table = torch.tensor(table, dtype=torch.float64)

    def score(self, graph, pairs):
        return self.table[pairs[0], pairs[1]]


def _graph(mrna_seq=None):
    # c0 -binds- m0 (known); m0 -targets- t0 (known); m1 has no known edge
    return build_graph({"mirna": {"m0": "UGAGGUAGUAGGUUGUAUAGUU", "m1": None},
                        "mrna": {"t0": mrna_seq, "t1": None}},
                       {CIRC_MIRNA: [("c0", "m0")], MIRNA_MRNA: [("m0", "t0")]},
                       node_ids={"circrna": ["c0", "c1"]})


def test_triplet_scores_by_hand():
    g = _graph(mrna_seq="AAAACUACCUCAAAA")      # holds the 8mer site of let-7's seed
    # model probabilities: rows circRNA (c0, c1) x miRNA (m0, m1); miRNA x mRNA (t0, t1)
    circ = _Table([[0.9, 0.5], [0.2, 0.4]])
    target = _Table([[0.7, 0.1], [0.6, 0.3]])
    # known="score": R = P Q
    #   R[c0,t0] = 0.9*0.7 + 0.5*0.6 = 0.93    R[c0,t1] = 0.9*0.1 + 0.5*0.3 = 0.24
    #   R[c1,t0] = 0.2*0.7 + 0.4*0.6 = 0.38    R[c1,t1] = 0.2*0.1 + 0.4*0.3 = 0.14
    r = rank_cerna(g, circ, target, top_k=4, paths_per_pair=2, known="score", prior=None)
    assert r.num_pairs == 4
    got = [(a, b, round(s, 10)) for a, b, s in zip(r.pairs.circrna, r.pairs.mrna, r.pairs.score)]
    assert got == [("c0", "t0", 0.93), ("c1", "t0", 0.38), ("c0", "t1", 0.24),
                   ("c1", "t1", 0.14)]
    # known="one": the known edges c0-m0 and m0-t0 count as probability 1
    #   R[c0,t0] = 1*1 + 0.5*0.6 = 1.3    R[c1,t0] = 0.2*1 + 0.4*0.6 = 0.44
    r1 = rank_cerna(g, circ, target, top_k=2, paths_per_pair=2, prior=None)
    assert r1.pairs.score.round(10).tolist() == [1.3, 0.44]
    best = r1.paths.iloc[0]
    assert (best.circrna, best.mirna, best.mrna) == ("c0", "m0", "t0")
    assert best.path_score == pytest.approx(1.0)
    assert (best.circ_evidence, best.target_evidence) == ("known", "known")
    assert best.seed_site == "8mer"
    second = r1.paths.iloc[1]
    assert (second.mirna, second.path_score) == ("m1", pytest.approx(0.3))
    assert (second.circ_evidence, second.target_evidence) == ("predicted", "predicted")
    assert second.seed_site == ""           # m1 has no sequence


def test_prior_shift_by_hand():
    # odds 1 at prevalence 1/2 -> odds 1/4 at prevalence 1/5: p = 0.2; p=0.8 (odds 4) -> 0.5
    p = shift_prior(torch.tensor([0.5, 0.8], dtype=torch.float64), 0.2)
    assert torch.allclose(p, torch.tensor([0.2, 0.5], dtype=torch.float64))
    # prior="density" on the three-node example: circRNA density 1/4, target density 1/4;
    # known edges stay 1: R[c0,t0] = 1*1 + s(0.5)*s(0.6) with s(x) = x/3 / (x/3 + 1 - x)
    g = _graph()
    circ = _Table([[0.9, 0.5], [0.2, 0.4]])
    target = _Table([[0.7, 0.1], [0.6, 0.3]])
    s = lambda x: (x / 3) / (x / 3 + 1 - x)  # noqa: E731
    r = rank_cerna(g, circ, target, top_k=1)
    assert r.pairs.score[0] == pytest.approx(1 + s(0.5) * s(0.6))


def test_blocked_top_k_equals_the_dense_ranking():
    gen = torch.Generator().manual_seed(0)
    p = torch.rand(37, 11, generator=gen, dtype=torch.float64)
    q = torch.rand(11, 23, generator=gen, dtype=torch.float64)
    dense = (p @ q).flatten()
    want = torch.sort(dense, descending=True).values[:15]
    for block in (1, 5, 37, 100):
        s, c, t = top_regulation_pairs(p, q, top_k=15, block=block)
        assert torch.allclose(s, want)
        assert torch.allclose((p[c] * q[:, t].T).sum(1), s)


def test_rank_cerna_errors():
    g = _graph()
    t = _Table([[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="known must be one of"):
        rank_cerna(g, t, t, known="zero")
    with pytest.raises(ValueError, match="need P"):
        top_regulation_pairs(torch.rand(2, 3), torch.rand(2, 3))
