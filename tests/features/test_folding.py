"""FoldingFeatures: ViennaRNA's duplex energy and the cost of opening the target there."""
import sys

import numpy as np
import pytest

from rnagraph.features import FOLDING, DuplexFeatures, FoldingFeatures
from rnagraph.features.folding import INSTALL_HINT
from rnagraph.features.seed_sites import complement

pytest.importorskip("RNA")

LET7 = "UGAGGUAGUAGGUUGUAUAGUU"
SITE = complement(LET7)[::-1]                      # pairs with all 22 nucleotides
COL = {name: i for i, name in enumerate(FOLDING)}
RT = 0.0019872 * 310.15


def row(mirna: str, target: str, **kw) -> dict[str, float]:
    return dict(zip(FOLDING, FoldingFeatures(**kw).transform([(mirna, target)])[0].tolist()))


def test_a_gc_duplex_costs_its_stacks_and_the_initiation():
    # 7 GG/CC stacks of Turner 2004 (-3.26, ViennaRNA's table -3.3) and the duplex
    # initiation (+4.09, table +4.1); no dangling end, no terminal A-U
    r = row("GGGGGGGG", "CCCCCCCC")
    assert r["duplex_energy"] == pytest.approx(7 * -3.3 + 4.1, abs=1e-4)
    assert (r["duplex_pairs"], r["duplex_seed_pairs"], r["duplex_start"]) == (8, 7, 1)
    # 8 nucleotides fold no hairpin: the site is open, opening is free
    assert r["open_unpaired"] == 1.0 and r["open_energy"] == pytest.approx(0.0, abs=1e-6)


def test_a_site_inside_a_hairpin_costs_its_opening():
    open_site = "A" * 12 + SITE + "A" * 12
    hairpin = "A" * 12 + SITE + "GAAA" + LET7 + "A" * 12   # the site pairs with LET7's copy
    free, shut = row(LET7, open_site), row(LET7, hairpin)
    # the same perfect 22-nt duplex on both (the flanks differ by one dangling nucleotide)
    assert free["duplex_pairs"] == shut["duplex_pairs"] == 22
    assert abs(free["duplex_energy"] - shut["duplex_energy"]) < 1.0
    # A-rich flanks leave the site open; a 22-bp stem all but shuts it
    assert free["open_unpaired"] > 0.9 and free["open_energy"] < 0.1
    assert shut["open_unpaired"] < 1e-15 and shut["open_energy"] > 20
    for r in (free, shut):
        assert r["open_energy"] == pytest.approx(-RT * np.log(r["open_unpaired"]), rel=1e-4)
        assert r["duplex_total"] == pytest.approx(r["duplex_energy"] + r["open_energy"],
                                                  abs=1e-4)
    assert shut["duplex_total"] > free["duplex_total"] + 20


def test_local_folding_cannot_form_pairs_longer_than_the_span():
    hairpin = "A" * 12 + SITE + "GAAA" + LET7 + "A" * 12
    # the stem's outer pairs lie 47 nucleotides apart, its innermost 5: with span 4 no pair of
    # the stem forms, and the site is as open as in free flanks
    assert row(LET7, hairpin, window=10, span=4)["open_unpaired"] > 0.9


def test_a_seed_match_alone_pairs_the_seed():
    seed_site = "A" * 15 + complement(LET7[1:8])[::-1] + "A" * 15
    r = row(LET7, seed_site)
    assert r["duplex_seed_pairs"] == 7 and r["duplex_pairs"] < 22
    assert r["duplex_energy"] > row(LET7, "A" * 12 + SITE + "A" * 12)["duplex_energy"]


def test_no_duplex_no_sequence_and_short_targets_give_zeros():
    pairs = [(LET7, "AAAA"), (None, SITE), (LET7, None), (LET7, "ACG"), (LET7, "")]
    x, mask = FoldingFeatures().transform(pairs, return_mask=True)
    assert mask.tolist() == [True, False, False, True, True]
    assert x.dtype == np.float32 and x.shape == (5, 7) and not x.any()
    # a 4-nt target that does pair: too short to fold, so open
    r = row("ACGU", "ACGU")
    assert r["duplex_pairs"] == 4 and r["open_unpaired"] == 1.0


def test_rows_are_the_same_alone_or_in_a_block_and_in_either_alphabet():
    rng = np.random.default_rng(0)
    pairs = [("".join(rng.choice(list("ACGU"), 22)), "".join(rng.choice(list("ACGU"), n)))
             for n in (40, 53, 40, 120)]
    pairs.append((pairs[0][0], pairs[0][1]))        # a repeated target: folded once
    block = FoldingFeatures().transform(pairs)
    alone = np.vstack([FoldingFeatures().transform([p]) for p in pairs])
    np.testing.assert_allclose(block, alone, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(block[0], block[-1])
    dna = [(m.replace("U", "T"), t.replace("U", "T").lower()) for m, t in pairs]
    np.testing.assert_allclose(FoldingFeatures().transform(dna), block, rtol=1e-6, atol=1e-6)


def test_duplex_features_append_the_folding_columns():
    pairs = [(LET7, "A" * 12 + SITE + "A" * 12), (LET7, "A" * 15 + SITE[12:20] + "A" * 15)]
    plain = DuplexFeatures(context=15, stacking=True)
    folded = DuplexFeatures(context=15, stacking=True, folding=True)
    names = folded.get_feature_names_out()
    assert names == plain.get_feature_names_out() + list(FOLDING)
    x = folded.transform(pairs)
    np.testing.assert_array_equal(x[:, :-7], plain.transform(pairs))
    np.testing.assert_array_equal(x[:, -7:], FoldingFeatures().transform(pairs))
    assert "folding=True" in repr(folded)


def test_bad_parameters_and_a_missing_vienna_are_refused(monkeypatch):
    with pytest.raises(ValueError, match="window=1"):
        FoldingFeatures(window=1).fit()
    with pytest.raises(ValueError, match=r"span=90 must be an integer in \[1, window=80\]"):
        FoldingFeatures(span=90).fit()
    with pytest.raises(ValueError, match="folding='yes' must be a bool"):
        DuplexFeatures(folding="yes").fit()
    with pytest.raises(ValueError, match="FoldingFeatures: sequence 0 has invalid character"):
        FoldingFeatures().transform([(LET7, "ACGX")])
    monkeypatch.setitem(sys.modules, "RNA", None)   # import RNA now raises ImportError
    with pytest.raises(ImportError, match=r"rnagraph\[fold\]") as err:
        FoldingFeatures().transform([(LET7, SITE)])
    assert str(err.value) == INSTALL_HINT
    # nothing to fold, nothing imported
    assert not FoldingFeatures().transform([(None, SITE)]).any()
