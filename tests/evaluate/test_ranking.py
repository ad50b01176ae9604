import pytest
import torch

from rnagraph.evaluate.ranking import ranking_metrics

# scores of 2 sources x 4 destinations
SC = torch.tensor([[0.9, 0.8, 0.8, 0.1],
                   [0.2, 0.5, 0.7, 0.7]])


def scorer(p):
    return SC[p[0], p[1]]


def test_hand_example_pessimistic_ties_and_exclusion():
    test_pos = torch.tensor([[0, 0, 1], [2, 3, 3]])
    exclude = torch.tensor([[0], [0]])  # (0, 0) is a training positive: not a candidate
    m = ranking_metrics(scorer, test_pos, 2, 4, exclude=exclude, ks=(1, 2), chunk_size=1)
    # src 0: candidates d1 .8, d2 .8 (rel), d3 .1 (rel) -> relevant at ranks 2, 3 (tie: d1 first)
    # src 1: d2 .7, d3 .7 (rel), d1 .5, d0 .2 -> relevant at rank 2
    assert m["hits@1"] == 0.0 and m["precision@1"] == 0.0
    assert m["hits@2"] == 1.0
    assert m["precision@2"] == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert m["recall@2"] == pytest.approx((1 / 2 + 1) / 2)
    assert m["mrr"] == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert m["num_queries"] == 2


def test_by_dst_and_perfect_scorer():
    test_pos = torch.tensor([[0, 1], [0, 2]])
    m = ranking_metrics(scorer, test_pos, 2, 4, ks=(1,), by="dst")
    # dst 0: src0 .9 (rel) vs src1 .2 -> rank 1; dst 2: src1 .7 (rel) vs src0 .8 -> rank 2
    assert m["hits@1"] == pytest.approx(0.5)
    assert m["mrr"] == pytest.approx((1 + 1 / 2) / 2)
    m = ranking_metrics(lambda p: torch.zeros(p.size(1)), test_pos, 2, 4, ks=(1,))
    assert m["hits@1"] == 0.0  # a constant scorer gets no credit from ties
