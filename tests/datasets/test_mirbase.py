import pytest

from rnagraph.datasets import load_mirbase_mature, mirna_sequences_by_name


def test_mature_species_filter(fake_root):
    assert load_mirbase_mature(fake_root) == {"hsa-mir-y": "UUUUG", "hsa-mir-z": "GGCC"}
    assert len(load_mirbase_mature(fake_root, species=None)) == 3
    assert load_mirbase_mature(fake_root, species="mmu") == {"mmu-mir-z": "GGCA"}


def test_by_name_first_source_wins_and_disagreements_are_counted(fake_root):
    names = ["hsa-mir-x", "hsa-mir-y", "hsa-mir-z", "hsa-mir-w", "hsa-mir-x"]
    seqs, origin, rep = mirna_sequences_by_name(names, fake_root)
    assert seqs == {"hsa-mir-x": "AAAACCCC", "hsa-mir-y": "UUUU", "hsa-mir-z": "GGCC"}
    assert origin == {"hsa-mir-x": "cmi-20208", "hsa-mir-y": "cmi-20208",
                      "hsa-mir-z": "mirbase-mature"}
    assert (rep["covered"], rep["total"]) == (3, 4)  # the repeated name counts once
    assert rep["disagreements"] == 1 and rep["disagreeing"] == ["hsa-mir-y"]
    assert rep["missing"] == ["hsa-mir-w"]
    assert rep["missing_sources"] == ["cmi-9589"]  # absent from the fake root: skipped
    assert rep["by_source"] == {"cmi-20208": 2, "cmi-9905": 0, "mirbase-mature": 1}
    assert rep["in_source"]["mirbase-mature"] == 2


def test_by_name_source_order_is_respected(fake_root):
    seqs, origin, rep = mirna_sequences_by_name(["hsa-mir-y"], fake_root,
                                                sources=("mirbase-mature", "cmi-20208"))
    assert seqs == {"hsa-mir-y": "UUUUG"} and rep["disagreements"] == 1


@pytest.mark.realdata
def test_mature_real_counts(real_root):
    assert len(load_mirbase_mature(real_root, species=None)) == 21643
    hsa = load_mirbase_mature(real_root)
    assert len(hsa) == 1921
    assert hsa["hsa-let-7a-5p"] == "UGAGGUAGUAGGUUGUAUAGUU"
