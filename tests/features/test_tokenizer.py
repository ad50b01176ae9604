import numpy as np
import pytest

from rnagraph.features import KmerTokenizer


def test_ids_hand_computed():
    t = KmerTokenizer(k=2)
    # AC = 0*4+1, CG = 1*4+2, GU = 2*4+3, UN -> pad (16)
    np.testing.assert_array_equal(t.encode("ACGUN"), [1, 6, 11, 16])
    assert t.pad_id == 16 and t.vocab_size == 17
    assert t.decode([1, 16]) == ["AC", "<pad>"]
    assert t.vocabulary()[6] == "CG"
    assert KmerTokenizer(k=6).encode("UUUUUU").tolist() == [4**6 - 1]


def test_stride_max_tokens_and_t():
    t = KmerTokenizer(k=3, stride=2, max_tokens=2)
    # windows at 0, 2, 4 of ACGTAC(G): ACG, GUA, ACG -> first two kept
    assert t.decode(t.encode("ACGTACG")) == ["ACG", "GUA"]


def test_batch_padding_and_missing():
    t = KmerTokenizer(k=3)
    ids, lengths = t(["ACGUA", None, "AC"])
    assert ids.shape == (3, 3) and ids.dtype.is_floating_point is False
    assert lengths.tolist() == [3, 0, 0]
    assert (ids[1:] == t.pad_id).all()
    assert repr(t) == "KmerTokenizer(k=3, stride=1, max_tokens=None)"


def test_bad_args():
    with pytest.raises(ValueError, match="KmerTokenizer: k=0"):
        KmerTokenizer(k=0).fit()
    with pytest.raises(ValueError, match="stride=0"):
        KmerTokenizer(stride=0)(["ACGU"])         # tokenizing checks them without fit too
    with pytest.raises(ValueError, match="max_tokens=0"):
        KmerTokenizer(max_tokens=0).encode("ACGU")
