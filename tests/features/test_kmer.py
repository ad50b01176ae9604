import numpy as np
import pytest

from rnagraph.features import KmerFrequency


def test_default_dims_and_names():
    f = KmerFrequency()
    assert f.num_features == 340
    names = f.get_feature_names_out()
    assert names[:5] == ["A", "C", "G", "U", "AA"]
    assert names[4 + 16] == "AAA" and names[-1] == "UUUU"
    assert f.transform(["ACGU"]).dtype == np.float32
    assert repr(f) == "KmerFrequency(k=(1, 2, 3, 4))"


def test_exact_values_hand_computed():
    # ACGUA: 1-mers A,C,G,U,A -> A 2/5, C G U 1/5; 2-mers AC CG GU UA, 1/4 each
    x = KmerFrequency(k=(1, 2)).transform(["ACGUA"])[0]
    expected = np.zeros(20)
    expected[:4] = [0.4, 0.2, 0.2, 0.2]
    for kmer_index in (1, 6, 11, 12):  # AC=0*4+1, CG=1*4+2, GU=2*4+3, UA=3*4+0
        expected[4 + kmer_index] = 0.25
    np.testing.assert_allclose(x, expected, rtol=1e-6)


def test_n_windows_excluded_and_t_is_u():
    # AANC: 1-mers A A C (N skipped) -> A 2/3, C 1/3; 2-mers AA only (AN, NC dropped)
    x = KmerFrequency(k=(1, 2)).transform(["AANC"])[0]
    np.testing.assert_allclose(x[:4], [2 / 3, 1 / 3, 0, 0], rtol=1e-6)
    assert x[4] == pytest.approx(1.0) and x[5:].sum() == 0
    np.testing.assert_array_equal(KmerFrequency(k=2).transform(["ACGT"]),
                                  KmerFrequency(k=2).transform(["ACGU"]))


def test_blocks_sum_to_one_and_short_sequence_zero_block():
    x = KmerFrequency().transform(["ACGUUGCA", "AC"])
    np.testing.assert_allclose([x[0, :4].sum(), x[0, 4:20].sum(), x[0, 20:84].sum(),
                                x[0, 84:].sum()], 1.0, rtol=1e-6)
    assert x[1, 20:].sum() == 0  # "AC" has no 3- or 4-mer
    assert x[1, 4 + 1] == 1.0


def test_missing_gives_zero_row_and_mask():
    x, mask = KmerFrequency().fit_transform([None, "ACGU"], return_mask=True)
    assert mask.tolist() == [False, True]
    assert not x[0].any() and x[1].any()


def test_bad_k():
    with pytest.raises(ValueError, match="k=0"):
        KmerFrequency(k=0).transform(["ACGU"])
