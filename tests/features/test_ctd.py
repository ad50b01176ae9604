import numpy as np

from rnagraph.features import CTD


def test_names_and_dims():
    names = CTD().get_feature_names_out()
    assert len(names) == 30 and CTD.num_features == 30
    assert names[4:10] == ["T_AC", "T_AG", "T_AU", "T_CG", "T_CU", "T_GU"]
    assert names[10:15] == ["D_A_0", "D_A_25", "D_A_50", "D_A_75", "D_A_100"]
    assert repr(CTD()) == "CTD()"


def test_exact_values_hand_computed():
    # s = A A C G U A G A  (L = 8)
    x = CTD().transform(["AACGUAGA"])[0]
    comp = [4 / 8, 1 / 8, 2 / 8, 1 / 8]
    # adjacent pairs: AA AC CG GU UA AG GA -> AC 1, AG 2 (AG, GA), AU 1 (UA), CG 1, CU 0, GU 1
    trans = np.array([1, 2, 1, 1, 0, 1]) / 7
    # A at 1,2,6,8 (n=4): ranks 1, floor(1)=1, 2, 3, 4 -> positions 1,1,2,6,8
    dist_a = np.array([1, 1, 2, 6, 8]) / 8
    dist_c = np.array([3, 3, 3, 3, 3]) / 8            # C at 3 only
    # G at 4,7 (n=2): ranks 1, max(1,0)=1, 1, max(1,floor(1.5))=1, 2 -> 4,4,4,4,7
    dist_g = np.array([4, 4, 4, 4, 7]) / 8
    dist_u = np.array([5, 5, 5, 5, 5]) / 8
    expected = np.concatenate([comp, trans, dist_a, dist_c, dist_g, dist_u])
    np.testing.assert_allclose(x, expected, rtol=1e-6)


def test_absent_nucleotide_and_n():
    # A N A: L = 3, no C/G/U; transitions touching N not counted
    x = CTD().transform(["ANA"])[0]
    np.testing.assert_allclose(x[:4], [2 / 3, 0, 0, 0], rtol=1e-6)
    assert not x[4:10].any()
    np.testing.assert_allclose(x[10:15], np.array([1, 1, 1, 1, 3]) / 3, rtol=1e-6)
    assert not x[15:].any()


def test_missing_empty_and_single():
    x, mask = CTD().transform([None, "", "G"], return_mask=True)
    assert mask.tolist() == [False, True, True]
    assert not x[0].any() and not x[1].any()
    assert x[2, 2] == 1.0 and not x[2, 4:10].any() and (x[2, 20:25] == 1.0).all()
