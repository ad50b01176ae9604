import pytest

from rnagraph.datasets.mirna_names import match_mirna_names, normalize_mirna_name


@pytest.mark.parametrize("raw, norm", [
    ("hsa-miR-21-5p", "hsa-miR-21-5p"),          # already canonical
    (" HSA-MIR-106A-5P ", "hsa-miR-106a-5p"),     # case and white space
    ("hsa-mir-155", "hsa-miR-155"),              # precursor spelling -> mature
    ("Hsa-Let-7A-3P", "hsa-let-7a-3p"),          # let family keeps lower case
    ("hsa-miR-17*", "hsa-miR-17*"),              # old star name kept as such
    ("miR-9", "miR-9"),                          # no species prefix
])
def test_normalize_by_hand(raw, norm):
    assert normalize_mirna_name(raw) == norm


def test_normalize_rejects_empty():
    with pytest.raises(ValueError, match="empty miRNA name"):
        normalize_mirna_name("  ")


def test_match_hand_made_table():
    left = ["hsa-miR-21-5p", "hsa-miR-155", "hsa-let-7a-5p", "hsa-miR-3180", "hsa-miR-17-5p",
            "hsa-miR-17-3p", "hsa-miR-92a-3p", "hsa-miR-1-3p"]
    right = ["hsa-miR-21-5p",        # exact
             "HSA-MIR-155",          # normalised (case + mir)
             "hsa-Let-7a-5p",        # normalised (case)
             "hsa-miR-3180-5p",      # arm vs no arm: ambiguous, left unmatched
             "hsa-miR-17*",          # star: ambiguous, left unmatched
             "hsa-miR-92a-5p",       # the other arm: a different miRNA, not ambiguous
             "hsa-miR-999"]          # absent
    r = match_mirna_names(left, right)
    assert r["mapping"] == {"hsa-miR-21-5p": "hsa-miR-21-5p", "HSA-MIR-155": "hsa-miR-155",
                            "hsa-Let-7a-5p": "hsa-let-7a-5p"}
    assert r["how"] == {"hsa-miR-21-5p": "exact", "HSA-MIR-155": "normalised",
                        "hsa-Let-7a-5p": "normalised"}
    assert r["counts"] == {"left": 8, "right": 7, "exact": 1, "normalised": 2, "sequence": 0,
                           "matched": 3, "left_only": 5, "right_only": 4}
    kinds = {(a["kind"], tuple(a["left"]), tuple(a["right"])) for a in r["ambiguous"]}
    assert kinds == {("arm", ("hsa-miR-3180",), ("hsa-miR-3180-5p",)),
                     ("star", ("hsa-miR-17-5p", "hsa-miR-17-3p"), ("hsa-miR-17*",))}


def test_match_sequences_resolve_an_ambiguity():
    left = ["hsa-miR-17-5p", "hsa-miR-17-3p"]
    right = ["hsa-miR-17*"]
    seqs = {"hsa-miR-17-5p": "CAAAGUGCUUACAGUGCAGGUAG", "hsa-miR-17-3p": "ACUGCAGUGAAGGCACUUGUAG",
            "hsa-miR-17*": "ACTGCAGTGAAGGCACTTGTAG"}     # DNA letters: read as RNA
    r = match_mirna_names(left, right, sequences=seqs)
    assert r["mapping"] == {"hsa-miR-17*": "hsa-miR-17-3p"}
    assert r["how"] == {"hsa-miR-17*": "sequence"}
    assert r["ambiguous"] == []


def test_match_reports_left_collisions():
    r = match_mirna_names(["hsa-miR-9-5p", "HSA-MIR-9-5P"], ["hsa-mir-9-5p"])
    assert r["ambiguous"] == [{"kind": "collision", "left": ["hsa-miR-9-5p", "HSA-MIR-9-5P"],
                               "right": []}]
    assert r["mapping"] == {"hsa-mir-9-5p": "hsa-miR-9-5p"}
