"""DuplexFeatures: the best ungapped duplex of a miRNA and its target, checked by hand."""
import math

import numpy as np
import pytest
import torch

import rnagraph.features.duplex as duplex
from rnagraph.data import build_graph
from rnagraph.features import DuplexFeatures
from rnagraph.features.seed_sites import complement
from rnagraph.typing import MIRNA_MRNA

MIR = "UAGCUUAUCAGACUGAUGUUGA"     # miR-21: seed (nt 2-8) AGCUUAU
SITE = complement(MIR[1:8])[::-1] + "A"  # its 8mer site, 5'->3': AUAAGCUA


def row(mirna: str, target: str, **kw) -> dict[str, float]:
    f = DuplexFeatures(**kw)
    return dict(zip(f.get_feature_names_out(), f.transform([(mirna, target)])[0].tolist()))


def test_an_8mer_site_alone_pairs_positions_1_to_8_and_nothing_else():
    r = row(MIR, SITE)
    # position 1 (U) faces the site's last nucleotide (A): Watson-Crick, as are 2-8; 9-22 face
    # nothing (the target ends)
    assert [r[f"p{i}"] for i in range(1, 23)] == [1.0] * 8 + [0.0] * 14
    assert (r["seed_wc"], r["seed_gu"], r["supplementary_wc"]) == (7, 0, 0)
    assert (r["pairing"], r["longest_wc_run"], r["a1"]) == (8, 8, 1)
    assert r["target_au"] == pytest.approx(6 / 8)          # AUAAGCUA: A,U,A,A,U,A
    assert r["site_position"] == pytest.approx(7 / 8)      # position 1 faces index 7 of 8
    assert r["8mer"] == pytest.approx(math.log(2)) and r["6mer"] == 0.0


def test_a_wobble_in_the_seed_counts_half():
    # miRNA position 5 is U: its Watson-Crick partner A (site index 7 - 4 = 3) becomes G
    site = SITE[:3] + "G" + SITE[4:]
    r = row(MIR, site)
    assert r["p5"] == 0.5 and (r["seed_wc"], r["seed_gu"]) == (6, 1)
    assert (r["pairing"], r["longest_wc_run"]) == (7.5, 4)     # runs 1-4 and 6-8
    assert r["8mer"] == 0.0                                    # no longer a canonical site


def test_3prime_supplementary_pairing_is_read_at_positions_13_to_16():
    # the target continues 5' of the site with the complement of miRNA positions 9-16, so
    # positions 1-16 all pair
    target = complement(MIR[8:16])[::-1] + SITE
    r = row(MIR, target)
    assert r["supplementary_wc"] == 4 and r["longest_wc_run"] == 16 and r["pairing"] == 16
    assert [r[f"p{i}"] for i in range(17, 23)] == [0.0] * 6


def test_the_best_seed_wins_over_a_longer_duplex_without_one():
    # a 12-nt perfect match to positions 10-21 scores more pairs than the 8mer, but its seed
    # does not pair: the seed-first order keeps the 8mer
    other = complement(MIR[9:21])[::-1]
    r = row(MIR, other + "CCCCCC" + SITE)
    assert r["seed_wc"] == 7 and r["p1"] == 1.0


def test_dna_letters_and_lower_case_read_as_rna():
    a = DuplexFeatures().transform([(MIR, "GG" + SITE + "CC")])
    b = DuplexFeatures().transform([(MIR.lower(), ("gg" + SITE + "cc").replace("U", "T"))])
    np.testing.assert_array_equal(a, b)


def test_missing_sequences_give_zero_rows_and_a_mask():
    x, mask = DuplexFeatures().transform([(MIR, SITE), (None, SITE), (MIR, None)],
                                         return_mask=True)
    assert mask.tolist() == [True, False, False]
    assert x.shape == (3, 22 + 12) and (x[1:] == 0).all() and x[0].sum() > 0


def test_blocks_do_not_change_the_features(monkeypatch):
    gen = np.random.default_rng(0)
    rand = lambda n: "".join(gen.choice(list("ACGU"), n))  # noqa: E731
    pairs = [(rand(22), rand(int(n))) for n in gen.integers(5, 90, 40)]
    whole = DuplexFeatures().transform(pairs)
    monkeypatch.setattr(duplex, "_BLOCK", 1)               # one pair per block
    np.testing.assert_allclose(DuplexFeatures().transform(pairs), whole, rtol=1e-6)


def test_mirna_length_sets_the_positions_read_and_is_checked():
    assert DuplexFeatures(mirna_length=10).transform([(MIR, SITE)]).shape == (1, 10 + 12)
    with pytest.raises(ValueError, match="mirna_length=7"):
        DuplexFeatures(mirna_length=7).fit()


def test_graph_transform_reads_the_pairs_of_either_orientation():
    g = build_graph({"mirna": {"m": MIR}, "mrna": {"a": SITE, "b": "CCCCCCCC"}},
                    {MIRNA_MRNA: [("m", "a"), ("m", "b")]})
    x = DuplexFeatures().graph_transform(g, MIRNA_MRNA, torch.tensor([[0, 0], [0, 1]]))
    assert x.dtype == torch.float32
    np.testing.assert_array_equal(x.numpy(), DuplexFeatures().transform(
        [(MIR, SITE), (MIR, "CCCCCCCC")]))


def test_context_reads_the_faced_nucleotides_gc_pairs_and_flanking_au_by_hand():
    # 5' flank AAAGG, the 8mer, 3' flank CCCCGGG; context 5 reads AAAGG and CCCCG
    r = row(MIR, "AAAGG" + SITE + "CCCCGGG", context=5)
    # the target nucleotide facing positions 1-8 is the site read 3'->5', one-hot
    faced = "".join(b for i in range(1, 9) for b in "ACGU" if r[f"t{i}_{b}"])
    assert faced == SITE[::-1]
    # position 9 (C) faces the last G of AAAGG and pairs it; 10-13 face GAAA, unpaired
    assert [b for b in "ACGU" if r[f"t9_{b}"]] == ["G"] and r["p9"] == 1.0
    # G:C pairs: the seed's G and C (AGCUUAU), and position 9's C
    assert (r["seed_gc"], r["duplex_gc"]) == (2, 3)
    # position 22 faces index 12 - 21 = -9: all of AAAGG lies under the duplex, nothing 5' of
    # it is read; 3' of the duplex: CCCCG, no A/U
    assert (r["up_au"], r["up_read"]) == (0.0, 0.0)
    assert (r["down_au"], r["down_read"]) == (0.0, 1.0)
    assert r["seed_offsets"] == 1


def test_context_flanks_and_a_second_seed_site():
    # 12 nt 5' of the site (faced by positions 9-20 or read as flank), a second 8mer 3' of it
    up = "UUUUUUUUUUUUUUUUUUUUAAGG"              # 24 nt: positions 9-22 face its last 14
    r = row(MIR, up + SITE + "GGCC" + SITE, context=6)
    assert r["seed_offsets"] == 2 and r["8mer"] == pytest.approx(math.log(3))
    # the kept duplex is the first site (smallest offset); 5' of position 22's partner lie
    # 24 - 14 = 10 nt, the last 6 of them read: UUUUUU
    assert (r["up_au"], r["up_read"]) == (1.0, 1.0)
    # 3' of the first site: GGCC + AU (the second site starts AUAAG...): 2 A/U of 6
    assert (r["down_au"], r["down_read"]) == (pytest.approx(2 / 6), 1.0)


def test_context_keeps_the_other_columns_and_its_shape():
    pairs = [(MIR, "AAAGG" + SITE + "CCCCGGG"), (MIR, SITE), (MIR[:20], "GG" + SITE)]
    plain, ctx = DuplexFeatures().transform(pairs), DuplexFeatures(context=15).transform(pairs)
    assert ctx.shape == (3, 5 * 22 + 19)
    assert len(DuplexFeatures(context=15).get_feature_names_out()) == ctx.shape[1]
    np.testing.assert_array_equal(ctx[:, :plain.shape[1]], plain)
    # one pair alone or among others: the same row
    np.testing.assert_array_equal(DuplexFeatures(context=15).transform(pairs[1:2])[0], ctx[1])
    with pytest.raises(ValueError, match="context=-1"):
        DuplexFeatures(context=-1).fit()


def test_stacking_energies_of_the_seed_by_hand():
    # positions 1-8 of miR-21 (UAGCUUAU) on their 8mer: seven Watson-Crick stacks, Turner 2004
    # UA/AU -1.33, AG/UC -2.08, GC/CG -3.42, CU/GA -2.08, UU/AA -0.93, UA/AU -1.33, AU/UA -1.10
    seed = -1.33 - 2.08 - 3.42 - 2.08 - 0.93 - 1.33 - 1.10
    r = row(MIR, SITE, stacking=True)
    assert r["seed_stack"] == pytest.approx(seed) and r["duplex_stack"] == pytest.approx(seed)
    assert r["supplementary_stack"] == 0.0 and r["best_stack"] == pytest.approx(seed)
    # a G:U wobble at position 5 turns its two stacks (CU/GA, UU/AA) into -0.5 each
    wobble = row(MIR, SITE[:3] + "G" + SITE[4:], stacking=True)
    assert wobble["seed_stack"] == pytest.approx(seed + 2.08 + 0.93 - 1.0)
    # the whole miRNA on its complement: every stack pairs, and no offset does better
    full = row(MIR, complement(MIR)[::-1], stacking=True)
    assert full["duplex_stack"] == pytest.approx(full["best_stack"])
    assert full["duplex_stack"] < seed - 20


def test_shifted_3prime_pairing_is_found_past_a_bulge():
    # positions 12-17 (ACUGAU) pair a stretch two nucleotides further 5' on the target than
    # the seed's offset places them (5 A between it and the site, where 3 would align)
    three = complement(MIR[11:17])[::-1]
    r = row(MIR, three + "AAAAA" + SITE, stacking=True)
    assert r["seed_wc"] == 7 and r["supplementary_shifted"] == 6
    assert r["supplementary_wc"] < 4                      # at the kept offset they do not pair
    plain = DuplexFeatures(context=3).get_feature_names_out()
    both = DuplexFeatures(context=3, stacking=True).get_feature_names_out()
    assert both[:len(plain)] == plain and both[len(plain):] == list(duplex.STACKING)
    with pytest.raises(ValueError, match="stacking=1"):
        DuplexFeatures(stacking=1).fit()


def test_local_alignment_scores_a_bulge_the_ungapped_duplex_misses_by_hand():
    # the whole miRNA on its complement: 22 Watson-Crick pairs of +5, the seed's 7 doubled
    full = row(MIR, complement(MIR)[::-1], alignment=True)
    assert (full["align_score"], full["align_3p"]) == (22 * 5 + 7 * 5, 11 * 5)
    # the 8mer alone: position 1 (+5) and the doubled seed (7 x 10)
    assert row(MIR, SITE, alignment=True)["align_score"] == 75
    # positions 9-16 pair past a 2-nt bulge (CC) on the target: 75 - 2 x 4 + 8 x 5, where
    # the ungapped duplex keeps the seed and loses positions 9-16
    bulge = row(MIR, complement(MIR[8:16])[::-1] + "CC" + SITE, alignment=True)
    assert bulge["align_score"] == 75 - 8 + 40 and bulge["pairing"] < 10
    names = DuplexFeatures(stacking=True, alignment=True).get_feature_names_out()
    assert names[-2:] == list(duplex.ALIGNMENT) and names[-7:-2] == list(duplex.STACKING)
    with pytest.raises(ValueError, match="alignment=1"):
        DuplexFeatures(alignment=1).fit()


def test_local_alignment_equals_the_textbook_recurrence():
    score = {("A", "U"): 5, ("U", "A"): 5, ("C", "G"): 5, ("G", "C"): 5, ("G", "U"): 2,
             ("U", "G"): 2}

    def smith_waterman(m: str, t: str, lo: int, seed: float) -> float:
        t = t[::-1]                                        # target read 3'->5'
        h = [[0.0] * (len(t) + 1) for _ in range(len(m) + 1)]
        best = 0.0
        for i in range(lo, len(m)):
            w = seed if 1 <= i <= 7 else 1.0
            for j in range(1, len(t) + 1):
                s = score.get((m[i], t[j - 1]), -3) * w
                h[i + 1][j] = max(0.0, h[i][j - 1] + s, h[i][j] - 4, h[i + 1][j - 1] - 4)
                best = max(best, h[i + 1][j])
        return best

    rng = np.random.default_rng(3)
    pairs = [("".join(rng.choice(list("ACGU"), 22)),
              "".join(rng.choice(list("ACGU"), int(rng.integers(5, 45))))) for _ in range(25)]
    got = DuplexFeatures(alignment=True).transform(pairs)[:, -2:]
    want = [[smith_waterman(m, t, 0, 2.0), smith_waterman(m, t, 11, 1.0)] for m, t in pairs]
    np.testing.assert_array_equal(got, np.array(want, dtype=np.float32))


def test_letters_are_normalised_and_a_bad_letter_is_named():
    f = DuplexFeatures(context=5, stacking=True, alignment=True)
    rna = [("UAGCUUAUCAGACUGAUGUUGA", "GGAUAAGCUAGGAUAAGCUAGG")]
    dna = [(m.replace("U", "T").lower(), t.replace("U", "T")) for m, t in rna]
    np.testing.assert_array_equal(f.transform(dna), f.transform(rna))
    with pytest.raises(ValueError, match="DuplexFeatures: sequence 1 has invalid character 'X'"):
        f.transform(rna + [("UAGCUUAUCAGACUGAUGUUGA", "GGAXAAG")])
