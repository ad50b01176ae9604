import math

import numpy as np
import pytest
import torch

from rnagraph.data import build_graph
from rnagraph.features import SITE_TYPES, SeedSiteFeatures, count_sites, find_sites

MIR = "UGAGGUAGUAGGUUGUAUAGUU"  # let-7a: seed (nt 2-7) GAGGUA, nt 8 G
# core site = reverse complement of GAGGUA = UACCUC; m8 flank (opposite nt 8 = G) = C upstream;
# A1 flank = A just downstream of the core
SITE_8MER, SITE_7M8, SITE_7A1, SITE_6 = "CUACCUCA", "CUACCUCG", "GUACCUCA", "GUACCUCG"


def test_count_sites_hand_made():
    target = "GG" + SITE_8MER + "GG" + SITE_7M8 + "GG" + SITE_7A1 + "GG" + SITE_6 + "G"
    assert count_sites(MIR, target) == {"8mer": 1, "7mer-m8": 1, "7mer-A1": 1, "6mer": 1}
    assert count_sites(MIR, "AAAAAAAAAA") == dict.fromkeys(SITE_TYPES, 0)
    # a site at the very start / end reads no flank out of range: a plain 6mer
    assert count_sites(MIR, "UACCUC") == {"8mer": 0, "7mer-m8": 0, "7mer-A1": 0, "6mer": 1}
    # two 8mers and a 7mer-A1 (no C before the core)
    assert count_sites(MIR, SITE_8MER + SITE_8MER + "UACCUCA") == \
        {"8mer": 2, "7mer-m8": 0, "7mer-A1": 1, "6mer": 0}
    # too short a miRNA has no seed
    assert count_sites("UGAG", "UACCUCA") == dict.fromkeys(SITE_TYPES, 0)


def test_find_sites_types_and_positions():
    target = "GG" + SITE_8MER + "GG" + SITE_7M8 + "GG" + SITE_7A1 + "GG" + SITE_6 + "G"
    sites = find_sites(MIR, target)
    assert [k for k, _ in sites] == ["8mer", "7mer-m8", "7mer-A1", "6mer"]
    # a site starts at its m8 nucleotide when it has one (8mer, 7mer-m8: the first letter of
    # the planted segment), else at the 6-nt core (one letter into the segment)
    seg = [2, 2 + 10, 2 + 20, 2 + 30]                  # each planted segment: 8 nt + "GG"
    assert [p for _, p in sites] == [seg[0], seg[1], seg[2] + 1, seg[3] + 1]
    assert all(target[p:p + 6] in ("CUACCU", "UACCUC") for _, p in sites)


def test_seed_evidence_takes_the_strongest_site():
    from rnagraph.evaluate.evidence import seed_evidence
    target = "GG" + SITE_6 + "GG" + SITE_7A1 + "GG" + SITE_8MER
    # 1-based position of the 8mer's first nucleotide (its m8 flank)
    assert seed_evidence(MIR, target) == ("8mer", len("GG" + SITE_6 + "GG" + SITE_7A1 + "GG") + 1)
    assert seed_evidence(MIR, "AAAAAAAAAA") == ("none", None)
    assert seed_evidence(None, target) == ("no sequence", None)


def test_transform_log_counts_mask_and_raw():
    t = "GG" + SITE_8MER + "GG" + SITE_8MER + "GG" + SITE_6 + "G"     # 2 x 8mer, 1 x 6mer
    pairs = [(MIR, t), (MIR, None), (None, t), (MIR, "AAAA")]
    x, mask = SeedSiteFeatures().fit(pairs).transform(pairs, return_mask=True)
    assert x.dtype == np.float32 and x.shape == (4, 4)
    assert x[0].tolist() == pytest.approx([math.log(3), 0.0, 0.0, math.log(2)])
    assert x[1:].tolist() == [[0.0] * 4] * 3          # missing sequence or no site: zeros
    assert mask.tolist() == [True, False, False, True]
    raw = SeedSiteFeatures(log=False).fit_transform(pairs)
    assert raw[0].tolist() == [2.0, 0.0, 0.0, 1.0]
    assert SeedSiteFeatures().get_feature_names_out() == list(SITE_TYPES)
    assert repr(SeedSiteFeatures(log=False)) == "SeedSiteFeatures(log=False)"


def test_graph_transform_both_orientations():
    g = build_graph({"mirna": {"let7": MIR}, "mrna": {"t": "GG" + SITE_7M8 + "G"},
                     "circrna": {"c": SITE_7A1 + SITE_7A1}},
                    {("mirna", "targets", "mrna"): [("let7", "t")],
                     ("circrna", "binds", "mirna"): [("c", "let7"), ("d", "let7")]})
    f = SeedSiteFeatures(log=False)
    x = f.graph_transform(g, ("mirna", "targets", "mrna"), torch.tensor([[0], [0]]))
    assert isinstance(x, torch.Tensor) and x.tolist() == [[0.0, 1.0, 0.0, 0.0]]
    # circRNA is the source type: rows of edge_label_index are (circRNA, miRNA)
    x = f.graph_transform(g, ("circrna", "binds", "mirna"), torch.tensor([[0, 1], [0, 0]]))
    assert x.tolist() == [[0.0, 0.0, 2.0, 0.0], [0.0] * 4]      # 'd' has no sequence
    with pytest.raises(ValueError, match="no miRNA side"):
        f.graph_transform(g, ("circrna", "x", "mrna"), torch.tensor([[0], [0]]))


def test_seed_site_index_hand_made_and_equal_to_count_sites():
    from rnagraph.features.seed_sites import SeedSiteIndex
    hand = "GG" + SITE_8MER + "GG" + SITE_7M8 + "GG" + SITE_7A1 + "GG" + SITE_6 + "G"
    idx = SeedSiteIndex([hand, None, "UACCUC", SITE_8MER + SITE_8MER + "UACCUCA"])
    got = idx.counts([MIR, None, "UGAG"])
    assert got[0].tolist() == [[1, 1, 1, 1], [0] * 4, [0, 0, 0, 1], [2, 0, 1, 0]]
    assert not got[1:].any()                      # no miRNA sequence / no seed: no sites
    assert idx.counts([MIR], targets=[3, 0]).tolist() == [[[2, 0, 1, 0], [1, 1, 1, 1]]]
    # random sequences with planted sites, N letters, a 7-nt miRNA (no nt 8), a seed with N
    # (the count_sites fallback), m8 = N, empty and short targets
    rng = np.random.default_rng(0)

    def rs(n: int) -> str:
        return "".join(rng.choice(list("ACGU"), n))
    mirnas = [rs(int(rng.integers(7, 24))) for _ in range(40)]
    mirnas += ["ANGUACGUA", "ACGUACGN", "ACGUACG"]
    comp = str.maketrans("ACGU", "UGCA")
    targets = [rs(int(rng.integers(0, 200))) for _ in range(50)] + ["", "NNACGUN", "CGUAC"]
    for i, m in enumerate(mirnas[:40]):
        t = int(rng.integers(0, 50))
        site = ("NU"[i % 2]) + m[1:7].translate(comp)[::-1] + "AG"[i % 2 == 0]
        targets[t] = targets[t][:3] + site + targets[t][3:]
    ref = np.array([[[count_sites(m, t)[s] for s in SITE_TYPES] for t in targets]
                    for m in mirnas])
    index = SeedSiteIndex(targets)
    got = index.counts(mirnas)
    assert ref.sum() >= 40 and (ref[:, :, 0] + ref[:, :, 1]).sum() >= 1
    np.testing.assert_array_equal(got, ref)
    # scattered pairs: every (miRNA, target) combination once, in a shuffled order, plus
    # pairs of a missing miRNA
    mi, ti = np.meshgrid(np.arange(len(mirnas)), np.arange(len(targets)), indexing="ij")
    order = rng.permutation(mi.size)
    mi, ti = mi.ravel()[order], ti.ravel()[order]
    np.testing.assert_array_equal(index.pair_counts(mirnas, mi, ti), ref[mi, ti])
    assert not index.pair_counts([None], np.zeros(3, int), np.arange(3)).any()
    assert index.pair_counts(mirnas, np.zeros(0, int), np.zeros(0, int)).shape == (0, 4)


def test_graph_transform_of_many_scattered_pairs_equals_pair_by_pair():
    from rnagraph.datasets import synthetic
    g = synthetic(num_mirna=100, num_mrna=300, num_circrna=0, seed=2)
    et = ("mirna", "targets", "mrna")
    rng = np.random.default_rng(0)
    # 4,200 pairs over a 100 x 300 grid: too sparse for the grid, read pair by pair
    pairs = torch.stack([torch.from_numpy(rng.integers(0, 100, 4200)),
                         torch.from_numpy(rng.integers(0, 300, 4200))])
    f = SeedSiteFeatures()
    fast = f.graph_transform(g, et, pairs)
    slow = torch.from_numpy(f.transform(f.pair_sequences(g, et, pairs)))
    assert (fast > 0).sum() >= 50
    torch.testing.assert_close(fast, slow, rtol=0, atol=1e-6)


@pytest.mark.parametrize("log", [True, False])
def test_graph_transform_of_a_large_block_equals_pair_by_pair(log):
    from rnagraph.datasets import synthetic
    g = synthetic(num_mirna=40, num_mrna=0, num_circrna=120, seed=1)
    g["circrna"].seq = [None if i == 3 else x for i, x in enumerate(g["circrna"].seq)]
    et = ("circrna", "binds", "mirna")
    pairs = torch.cartesian_prod(torch.arange(120), torch.arange(40)).t()  # 4,800: fast path
    f = SeedSiteFeatures(log=log)
    fast = f.graph_transform(g, et, pairs)
    slow = torch.from_numpy(f.transform(f.pair_sequences(g, et, pairs)))
    assert fast.dtype == torch.float32 and (fast > 0).sum() >= 50
    torch.testing.assert_close(fast, slow, rtol=0, atol=1e-6)
