"""RankingLoss: the corruption pool and the sampled softmax, by hand."""
import math

import numpy as np
import pytest
import torch

from rnagraph.train.ranking_loss import RankingLoss, rank_corruptions


def testrank_corruptions():
    rng = np.random.default_rng(0)
    pos = np.array([[2, 0, 0, 1], [1, 0, 2, 0]])            # codes 7, 0, 2, 3 with n_dst 3
    codes, keep_dst, keep_src = rank_corruptions(pos, 3, 3, 50, rng)
    assert codes.tolist() == [0, 2, 3, 7] and keep_dst.shape == keep_src.shape == (4, 50)
    src, dst = codes // 3, codes % 3
    for row in range(4):
        for new in keep_dst[row].tolist():       # new circRNA for the same miRNA
            assert new == -1 or (new * 3 + dst[row]) not in codes
        # the masked draws are exactly the positives: circRNA 0 and 1 of miRNA 0
        if dst[row] == 0:
            got = set(keep_dst[row].tolist())
            assert got <= {-1, 2} and -1 in got and 2 in got
        for new in keep_src[row].tolist():       # new miRNA for the same circRNA
            assert new == -1 or (src[row] * 3 + new) not in codes
    assert set(keep_src[2].tolist()) <= {-1, 1, 2}   # circRNA 1 has miRNA 0
    assert (keep_src[1] == -1).sum() > 0              # circRNA 0 has miRNA 0 and 2


def test_softmax_by_hand():
    lp = torch.tensor([0.0, 1.0])
    # side 1: positive 0 against logits (0, ln 2), all valid: log(1 + 1 + 2) - 0 = ln 4;
    #         positive 1 against (1, 5) with 5 masked: log(e + e) - 1 = ln 2
    c1 = torch.tensor([[0.0, math.log(2.0)], [1.0, 5.0]])
    v1 = torch.tensor([[True, True], [True, False]])
    # side 2: every corruption masked: log(e^x) - x = 0 for both
    c2 = torch.zeros(2, 2)
    v2 = torch.zeros(2, 2, dtype=torch.bool)
    got = RankingLoss.softmax(lp, [(c1, v1), (c2, v2)])
    want = ((math.log(4.0) + math.log(2.0)) / 2 + 0.0) / 2     # mean over pairs, then sides
    assert float(got) == pytest.approx(want, rel=1e-6)


def test_candidates_follow_rank_pool_and_no_draw_without_weight():
    pos = np.array([[2, 0, 0, 1], [1, 0, 2, 0]])
    rng = np.random.default_rng(0)
    assert RankingLoss(rank_weight=0.0).candidates(pos, 3, 3, rng) is None
    # nothing was drawn from rng: the next draw is the fresh generator's first
    assert rng.integers(1000) == np.random.default_rng(0).integers(1000)
    codes, keep_dst, keep_src = RankingLoss(rank_pool=7).candidates(pos, 3, 3, rng)
    assert keep_dst.shape == keep_src.shape == (4, 7)
    with pytest.raises(ValueError, match=r"^RankingLoss: rank_k=0 must be >= 1"):
        RankingLoss(rank_k=0).candidates(pos, 3, 3, rng)
