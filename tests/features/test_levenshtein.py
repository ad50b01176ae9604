import numpy as np
import pytest

from rnagraph.features import LevenshteinSimilarity, levenshtein


def lev(a: str, b: str) -> int:
    """Textbook dynamic-programming edit distance (reference)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_known_pairs(tmp_path):
    seqs = ["ACGU", "ACGU", "AAAA", "CCCC", "", "ACG", "GACGU"]
    S = LevenshteinSimilarity(cache_dir=tmp_path).fit_transform(seqs)
    assert S.dtype == np.float32 and S.shape == (7, 7)
    assert S[0, 1] == 1.0                     # equal strings
    assert S[2, 3] == 0.0                     # disjoint alphabets, same length
    assert S[4, 0] == 0.0 and S[4, 4] == 1.0  # empty vs non-empty / empty vs empty
    assert S[0, 5] == pytest.approx(0.75)     # one deletion out of max length 4
    assert S[0, 6] == pytest.approx(0.8)      # one insertion out of max length 5


def test_matches_reference_symmetric_unit_diagonal(tmp_path, seqtools):
    seqs = seqtools.random_seqs(12, 30, seed=1) + ["ACGUAC", "A"]
    S = LevenshteinSimilarity(cache_dir=tmp_path).fit_transform(seqs)
    ref = np.array([[1 - lev(a, b) / max(len(a), len(b)) for b in seqs] for a in seqs])
    np.testing.assert_allclose(S, ref, atol=1e-6)
    np.testing.assert_array_equal(S, S.T)
    np.testing.assert_array_equal(np.diag(S), 1.0)


def test_blocked_equals_direct(tmp_path, seqtools):
    seqs = seqtools.random_seqs(37, 40, seed=2)
    direct = LevenshteinSimilarity(cache=False, progress=False).fit_transform(seqs)
    blocked = LevenshteinSimilarity(cache=False, progress=False, block_size=5)
    np.testing.assert_array_equal(blocked.fit_transform(seqs), direct)
    new = seqtools.random_seqs(7, 40, seed=3)
    cross = blocked.transform(new)
    ref = LevenshteinSimilarity(cache=False).fit(seqs).transform(new)
    np.testing.assert_array_equal(cross, ref)


def test_cross_set_equals_block_of_full(tmp_path, seqtools):
    seqs = seqtools.random_seqs(10, 25, seed=4)
    full = LevenshteinSimilarity(cache_dir=tmp_path).fit_transform(seqs)
    m = LevenshteinSimilarity(cache_dir=tmp_path).fit(seqs[:6])
    cross = m.transform(seqs[6:])
    assert cross.shape == (4, 6)
    np.testing.assert_array_equal(cross, full[6:, :6])


def test_missing_rows_and_columns_zero(tmp_path):
    seqs = ["ACGU", None, "ACGA"]
    m = LevenshteinSimilarity(cache_dir=tmp_path)
    S, mask = m.fit_transform(seqs, return_mask=True)
    assert mask.tolist() == [True, False, True] and m.has_seq_.tolist() == mask.tolist()
    assert not S[1].any() and not S[:, 1].any()
    assert S[0, 2] == pytest.approx(0.75) and S[0, 0] == 1.0
    cross, qmask = m.transform([None, "ACGU"], return_mask=True)
    assert qmask.tolist() == [False, True]
    np.testing.assert_array_equal(cross[1], S[0])


def test_cache_hit_skips_computation(tmp_path, monkeypatch, seqtools):
    seqs = seqtools.random_seqs(8, 20, seed=5)
    first = LevenshteinSimilarity(cache_dir=tmp_path)
    S = first.fit_transform(seqs)
    assert first.from_cache_ is False
    files = list(tmp_path.glob("levenshtein-*.npy"))
    assert len(files) == 1 and not list(tmp_path.glob("*.tmp"))

    def boom(*args, **kwargs):
        raise AssertionError("recomputed despite a cache hit")

    monkeypatch.setattr(levenshtein.LevenshteinSimilarity, "_compute", boom)
    second = LevenshteinSimilarity(cache_dir=tmp_path)
    np.testing.assert_array_equal(second.fit_transform(seqs), S)
    assert second.from_cache_ is True
    # different sequences: a different key, so it must compute (and hits the patched method)
    with pytest.raises(AssertionError, match="recomputed"):
        LevenshteinSimilarity(cache_dir=tmp_path).fit_transform(seqs[:-1] + ["ACGU"])


def test_default_cache_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("RNAGRAPH_CACHE", str(tmp_path / "env-cache"))
    m = LevenshteinSimilarity()
    m.fit_transform(["ACGU", "ACGG"])
    assert m.cache_file_.parent == tmp_path / "env-cache"
    assert m.cache_file_.exists()


def test_corrupt_cache_file_recomputed(tmp_path):
    seqs = ["ACGU", "AGGU", "UUUU"]
    m = LevenshteinSimilarity(cache_dir=tmp_path)
    S = m.fit_transform(seqs)
    m.cache_file_.write_bytes(b"not a npy file")
    with pytest.warns(UserWarning, match="unreadable"):
        again = LevenshteinSimilarity(cache_dir=tmp_path).fit_transform(seqs)
    np.testing.assert_array_equal(again, S)


def test_max_len_truncates(tmp_path):
    m = LevenshteinSimilarity(max_len=4, cache_dir=tmp_path)
    S = m.fit_transform(["ACGUAAAA", "ACGUCCCC"])
    assert S[0, 1] == 1.0  # identical first 4 nt
    with pytest.raises(ValueError, match="max_len=0"):
        LevenshteinSimilarity(max_len=0).fit(["A"])


def test_unfitted_and_repr():
    with pytest.raises(ValueError, match="not fitted"):
        LevenshteinSimilarity().transform(["A"])
    assert repr(LevenshteinSimilarity(max_len=100)) == \
        "LevenshteinSimilarity(max_len=100, cache=True, cache_dir=None, block_size=None, " \
        "progress=None, workers=-1)"
