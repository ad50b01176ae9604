"""PopularityNegatives: the pool's three kinds of negatives, its size, its checks."""
import numpy as np
import pytest

from rnagraph.train.popularity_negatives import PopularityNegatives, popularity_negatives


def testpopularity_negatives():
    rng = np.random.default_rng(0)
    pos = np.array([[0, 0, 0, 1, 2, 3], [0, 1, 2, 0, 0, 0]])
    neg = popularity_negatives(pos, 6, 5, 4000, 1.0, rng)
    codes = set((pos[0] * 5 + pos[1]).tolist())
    assert not codes & set((neg[0] * 5 + neg[1]).tolist())        # no training positive
    assert 0 < neg.shape[1] <= 4000
    # all popularity draws: miRNA 0 (degree 4 of 6) is drawn far more often than miRNA 4
    # (degree 0, never drawn); circRNA 4 and 5 have no positive and never appear
    assert (neg[1] == 4).sum() == 0 and not np.isin(neg[0], [4, 5]).any()
    # uniform one-end corruptions: every pair keeps a positive's circRNA or miRNA
    cor = popularity_negatives(pos, 6, 5, 400, 0.0, rng, corrupt_share=1.0)
    ends = [set(pos[0].tolist()), set(pos[1].tolist())]
    assert all(s in ends[0] and d in ends[1] for s, d in cor.T)
    assert set(cor[1].tolist()) == {1, 2}   # miRNA 0 pairs with every circRNA: all rejected
    uni = popularity_negatives(pos, 6, 5, 4000, 0.0, rng)
    assert set(np.unique(uni[0])) <= {0, 1, 2, 3} and set(np.unique(uni[1])) <= {0, 1, 2}


def test_the_part_draws_pool_ratio_times_the_positives_and_checks_itself():
    pos = np.array([[0, 0, 0, 1, 2, 3], [0, 1, 2, 0, 0, 0]])
    part = PopularityNegatives(degree_share=0.5, corrupt_share=0.25, pool_ratio=10.0)
    pool = part.pool(pos, 6, 5, np.random.default_rng(0))
    # round(10 x 6) = 60 draws, the training positives among them rejected
    assert pool.shape[0] == 2 and 0 < pool.shape[1] <= 60
    want = popularity_negatives(pos, 6, 5, 60, 0.5, np.random.default_rng(0), 0.25)
    assert np.array_equal(pool, want)
    with pytest.raises(ValueError, match=r"^PopularityNegatives: corrupt_share=0.75 must be"):
        PopularityNegatives(degree_share=0.5, corrupt_share=0.75).pool(
            pos, 6, 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^PopularityNegatives: pool_ratio=-1"):
        PopularityNegatives(pool_ratio=-1).pool(pos, 6, 5, np.random.default_rng(0))
