import numpy as np
import pytest

from rnagraph.features import normalize_sequence, sequence_mask


def test_sequence_mask_marks_present():
    assert sequence_mask(["ACGU", None, ""]).tolist() == [True, False, True]
    assert sequence_mask([]).shape == (0,)


def test_normalize_sequence():
    assert normalize_sequence("acgtn") == "ACGUN"
    assert normalize_sequence("ARYU") == "ANNU"


def test_invalid_character_names_position():
    with pytest.raises(ValueError, match=r"'X' at position 2"):
        normalize_sequence("ACXG")


def test_single_string_rejected():
    with pytest.raises(TypeError, match="single string"):
        sequence_mask("ACGU")


def test_non_string_rejected():
    with pytest.raises(TypeError, match="sequence 1 is int"):
        from rnagraph.features import CTD
        CTD().transform(["ACGU", 5])


def test_caller_list_not_mutated():
    from rnagraph.features import KmerFrequency
    seqs = ["acgt", None]
    KmerFrequency(k=1).transform(seqs)
    assert seqs == ["acgt", None]
    assert np.dtype(bool) == sequence_mask(seqs).dtype
