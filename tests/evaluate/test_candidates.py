import math

import numpy as np
import pytest
import torch

from rnagraph.data import Fold, build_graph
from rnagraph.evaluate import count_candidates, seed_evidence, top_candidates, top_per_rna
from rnagraph.models import DegreeProduct, TruncatedSVDLink
from rnagraph.models.base import LinkModel, block_close, block_tolerance

CM = ("circrna", "binds", "mirna")


@pytest.fixture
def fitted():
    # an irregular 9 x 7 graph (21 edges): its rank-2 scores of the candidates are well apart
    # (a block-patterned graph scores every candidate 0 up to rounding, and the order tested
    # below would be float noise that differs from one CPU to another)
    a = np.random.default_rng(3).random((9, 7)) < 1 / 3
    pairs = [(f"c{i}", f"m{j}") for i in range(9) for j in range(7) if a[i, j]]
    g = build_graph({}, {CM: pairs}, node_ids={"circrna": [f"c{i}" for i in range(9)],
                                               "mirna": [f"m{j}" for j in range(7)]})
    return TruncatedSVDLink(dim=2).fit(Fold.full(g, CM, seed=0))


def _reference(m, src=None, dst=None):
    """Every candidate scored in one call and fully sorted (fine for a small graph)."""
    known = set(map(tuple, m.known_pairs_.t().tolist()))
    n_s, n_d = m.graph_["circrna"].num_nodes, m.graph_["mirna"].num_nodes
    cand = [(s, d) for s in range(n_s) for d in range(n_d) if (s, d) not in known
            and (src is None and dst is None or (src and s in src) or (dst and d in dst))]
    raw = m.decision_function(None, torch.tensor(cand).t())
    # ranked in the direction of the calibrated probability (a calibration fitted on a few
    # validation pairs of a tiny graph may turn the raw score round)
    sign = -1.0 if m.calibrator_ is not None and m.calibrator_.coef_ < 0 else 1.0
    order = sorted(range(len(cand)), key=lambda j: (-sign * float(raw[j]), cand[j]))
    return [cand[j] for j in order], raw[order]


@pytest.mark.parametrize("batch_size", [1, 5, 7, 10_000])
def test_top_k_equals_a_full_sort_whatever_the_block(fitted, batch_size):
    ref, raw = _reference(fitted)
    # the order below is the scores', not rounding's: neighbours are further apart than the
    # contract lets either move with the block it is scored in
    tol = block_tolerance(raw[:13], fitted.block_rtol)
    assert (raw[:13].diff().abs() > tol[1:] + tol[:-1]).all()
    got = top_candidates(fitted, 12, batch_size=batch_size)
    assert list(zip(got.src.tolist(), got.dst.tolist())) == ref[:12]
    assert got.num_scored == len(ref) == 63 - 21
    assert torch.equal(got.score, fitted.probability(got.raw))


def test_known_pairs_include_validation_positives(fitted):
    got = top_candidates(fitted, 100)
    known = set(map(tuple, fitted.known_pairs_.t().tolist()))
    assert len(known) == 21  # every positive of the graph, validation ones included
    assert not known & set(zip(got.src.tolist(), got.dst.tolist()))
    assert len(got) == 63 - 21  # k above the number of candidates: all of them


def test_restricted_to_some_rnas(fitted):
    ref, _ = _reference(fitted, src={2}, dst={5})
    got = top_candidates(fitted, 50, src=[2], dst=[5], batch_size=3)
    assert list(zip(got.src.tolist(), got.dst.tolist())) == ref
    assert count_candidates(9, 7, torch.tensor([2]), torch.tensor([5])) == 7 + 8


def test_ties_broken_by_index_and_bad_k():
    pairs = [(f"c{i}", f"m{j}") for i in range(6) for j in range(5) if (i + j) % 2 == 0]
    g = build_graph({}, {CM: pairs})
    m = DegreeProduct(calibrate=False).fit(Fold.full(g, CM, seed=0))
    ref, raw = _reference(m)
    assert len(set(raw.tolist())) < raw.numel()  # degree products tie
    got = top_candidates(m, 10, batch_size=4)
    assert list(zip(got.src.tolist(), got.dst.tolist())) == ref[:10]
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        top_candidates(m, 0)


LET7 = "UGAGGUAGUAGGUUGUAUAGUU"  # seed (nt 2-7) GAGGUA pairs with UACCUC; nt 8 G with C


@pytest.mark.parametrize("target, expected", [
    ("GGCUACCUCAGG", ("8mer", 3)),      # C (m8) + UACCUC + A (A1): the site starts at nt 3
    ("GGCUACCUCGG", ("7mer-m8", 3)),
    ("GGGUACCUCAGG", ("7mer-A1", 4)),
    ("GGUACCUCGG", ("6mer", 3)),
    ("GGUACCUCGGCUACCUCA", ("8mer", 11)),  # the strongest site wins over the first one
    ("AAAAAAAA", ("none", None)),
    (None, ("no sequence", None)),
])
def test_seed_evidence_by_hand(target, expected):
    assert seed_evidence(LET7, target) == expected


class _PairsOnly(DegreeProduct):
    """A model without a grid shortcut: decision_grid falls back to scoring pairs."""

    def _decision_grid(self, encoded, src, dst):
        return None


@pytest.mark.parametrize("make", [lambda: DegreeProduct(smoothing=0.5),
                                  lambda: TruncatedSVDLink(dim=3), _PairsOnly])
def test_decision_grid_equals_decision_function(make):
    pairs = [(f"c{i}", f"m{j}") for i in range(9) for j in range(7) if (i + 2 * j) % 3 == 0]
    m = make().fit(Fold.full(build_graph({}, {CM: pairs}), CM, seed=0))
    src, dst = torch.tensor([4, 0, 8]), torch.tensor([6, 1, 2, 0])
    grid = m.decision_grid(None, src, dst)
    flat = m.decision_function(None, torch.stack([src.repeat_interleave(4), dst.repeat(3)]))
    assert grid.shape == (3, 4) and grid.dtype == torch.float64
    assert block_close(grid.reshape(-1), flat, m.block_rtol)
    with pytest.raises(ValueError, match="out of range"):
        m.decision_grid(None, torch.tensor([9]), dst)


@pytest.mark.parametrize("batch_size", [1, 6, 10_000])
def test_top_per_rna_is_each_rnas_own_best(fitted, batch_size):
    """Each RNA's list equals its own reference ranking, whatever the block: source RNAs 4 and
    0 against every miRNA, miRNA 2 against every circRNA (so (4, 2) and (0, 2) may be in two
    lists)."""
    got = top_per_rna(fitted, 3, src=[4, 0], dst=[2], batch_size=batch_size)
    assert len(got) == 3
    for cand, (src, dst) in zip(got, [({4}, None), ({0}, None), (None, {2})]):
        ref, raw = _reference(fitted, src=src, dst=dst)
        tol = block_tolerance(raw[:4], fitted.block_rtol)
        assert (raw[:4].diff().abs() > tol[1:] + tol[:-1]).all()  # an order, not rounding
        assert list(zip(cand.src.tolist(), cand.dst.tolist())) == ref[:3]
        assert cand.num_scored == len(ref) and cand.num_unscored == 0
        assert torch.equal(cand.score, fitted.probability(cand.raw))
    assert set(got[0].src.tolist()) == {4} and set(got[2].dst.tolist()) == {2}


class _Table(LinkModel):
    """Raw scores read from a fixed matrix (rows: circRNAs, columns: miRNAs)."""

    block_rtol = 0.0

    def __init__(self, table=None, calibrate: bool = False):
        self.table = table
        self.calibrate = calibrate

    def _fit(self, fold):
        pass

    def _decision(self, encoded, pairs):
        return torch.tensor(self.table, dtype=torch.float64)[pairs[0], pairs[1]]


@pytest.mark.filterwarnings("ignore:full_fold")
def test_top_per_rna_by_hand():
    """Known pairs c0-m0, c0-m1, c0-m2, c1-m0, c2-m3 (all of them, validation ones too), and
    these scores. c1's unobserved partners: m3 (5), m1 and m2 tied (2): the smaller index
    first, so m3, m1. c3 has no known pair: all four miRNAs are candidates, m1 and m2 (3)
    first. m3's: c1 (5), c0 (1), c3 (0); c2-m3 is known. c0 has one unobserved partner (m3),
    so a larger k returns just it."""
    table = [[9, 8, 7, 1],
             [9, 2, 2, 5],
             [4, 4, 6, 9],
             [1, 3, 3, 0]]
    pairs = [("c0", "m0"), ("c0", "m1"), ("c0", "m2"), ("c1", "m0"), ("c2", "m3")]
    g = build_graph({}, {CM: pairs}, node_ids={"circrna": ["c0", "c1", "c2", "c3"],
                                               "mirna": ["m0", "m1", "m2", "m3"]})
    m = _Table(table).fit(Fold.full(g, CM, seed=0))
    for bs in (1, 5, 100):
        c1, c3, m3 = top_per_rna(m, 2, src=[1, 3], dst=[3], batch_size=bs)
        assert c1.dst.tolist() == [3, 1] and c1.src.tolist() == [1, 1] and c1.num_scored == 3
        assert c3.dst.tolist() == [1, 2] and c3.num_scored == 4
        assert m3.src.tolist() == [1, 0] and m3.dst.tolist() == [3, 3] and m3.num_scored == 3
        assert m3.raw.tolist() == [5.0, 1.0]
    (c0,) = top_per_rna(m, 10, src=[0])
    assert c0.dst.tolist() == [3] and c0.num_scored == 1
    # a candidate scored -inf still ranks (below every finite score; the known m0 stays out)
    m.table = [[9, 8, 7, 1], [9, -math.inf, -math.inf, 5], [4, 4, 6, 9], [1, 3, 3, 0]]
    for bs in (1, 100):
        (c1,) = top_per_rna(m, 2, src=[1], batch_size=bs)
        assert c1.dst.tolist() == [3, 1] and c1.raw.tolist() == [5.0, -math.inf]
    with pytest.raises(ValueError, match="given twice"):
        top_per_rna(m, 2, src=[1, 1])
    with pytest.raises(ValueError, match="out of range"):
        top_per_rna(m, 2, dst=[4])
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        top_per_rna(m, 0, src=[1])


class _Unscorable(DegreeProduct):
    """Degree products that cannot score destination 2 (NaN), as a model says of a new RNA
    without a sequence."""

    def _decision_grid(self, encoded, src, dst):
        out = super()._decision_grid(encoded, src, dst).clone()
        out[:, dst == 2] = float("nan")
        return out


@pytest.mark.filterwarnings("ignore:full_fold")
def test_unscorable_pairs_are_skipped_and_counted():
    pairs = [("c0", "m0"), ("c1", "m1")]
    g = build_graph({}, {CM: pairs}, node_ids={"circrna": ["c0", "c1", "c2"],
                                               "mirna": ["m0", "m1", "m2"]})
    m = _Unscorable(calibrate=False).fit(Fold.full(g, CM, seed=0))
    top = top_candidates(m, 100, batch_size=2)
    assert 2 not in top.dst.tolist()
    assert top.num_unscored == 3 and top.num_scored == len(top) == 9 - 2 - 3
    (c2,) = top_per_rna(m, 5, src=[2])
    assert sorted(c2.dst.tolist()) == [0, 1] and (c2.num_scored, c2.num_unscored) == (2, 1)


class _GridLog(DegreeProduct):
    """Degree products that record the blocks scored through the grid path."""

    def _decision_grid(self, encoded, src, dst):
        self.__dict__.setdefault("grid_pairs", []).append(src.numel() * dst.numel())
        return super()._decision_grid(encoded, src, dst)


@pytest.mark.filterwarnings("ignore:full_fold")
@pytest.mark.parametrize("batch_size", [7, 50, 10_000])
def test_new_rnas_ranked_with_the_fitted_ones(batch_size):
    """On a graph with a new circRNA and a new miRNA appended (scored by the neighbour
    transfer), both rankings equal a full sort of every unobserved pair of the extended graph;
    fitted and new RNAs never share a block, so every fitted pair still goes through the
    model's grid path (and only those)."""
    from rnagraph.datasets import synthetic
    g = synthetic(num_mirna=8, num_mrna=0, num_circrna=20, seed=3)
    m = _GridLog().fit(Fold.full(g, CM, seed=0))
    ext = m.extended_graph({"circrna": {"new-c": g["circrna"].seq[4][:-3] + "GGA"},
                            "mirna": {"new-m": g["mirna"].seq[2][:-2] + "CA"}})
    nc, nm = 20, 8
    known = set(map(tuple, m.known_pairs_.t().tolist()))
    cand = [(s, d) for s in range(21) for d in range(9) if (s, d) not in known]
    raw = m.decision_function(ext, torch.tensor(cand).t())
    assert not torch.isnan(raw).any()
    sign = -1.0 if m.calibrator_.coef_ < 0 else 1.0
    order = sorted(range(len(cand)), key=lambda j: (-sign * float(raw[j]), cand[j]))
    ref = [cand[j] for j in order]
    m.grid_pairs = []
    got = top_candidates(m, 40, graph=ext, batch_size=batch_size)
    assert list(zip(got.src.tolist(), got.dst.tolist())) == ref[:40]
    assert got.num_scored == len(cand)
    assert sum(m.grid_pairs) == 20 * 8        # the fitted block(s), nothing with a new RNA
    per = top_per_rna(m, 4, src=[nc, 0], dst=[nm], graph=ext, batch_size=batch_size)
    assert [list(zip(c.src.tolist(), c.dst.tolist())) for c in per] == [
        [p for p in ref if p[0] == nc][:4], [p for p in ref if p[0] == 0][:4],
        [p for p in ref if p[1] == nm][:4]]
