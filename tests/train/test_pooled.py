"""Pooled pair scores (the sequence-neighbour transfer) and the trainer's validation on them."""
import math

import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.train.pooled import PooledLinkSet, pool_scores
from rnagraph.train.trainer import Trainer


def test_pool_scores_by_hand():
    raw = torch.tensor([1.0, 3.0, 10.0, -2.0])
    owner = torch.tensor([0, 0, 2, 2])
    w = torch.tensor([0.25, 0.75, 0.5, 0.5], dtype=torch.float64)
    out = pool_scores(raw, owner, w, 4)
    assert out[0].item() == pytest.approx(0.25 * 1 + 0.75 * 3)
    assert out[2].item() == pytest.approx(4.0)
    assert math.isnan(out[1]) and math.isnan(out[3])     # pairs that own nothing


class _Task:
    """A fixed scorer: the raw score of pair (s, d) is s + 10 d."""
    module = torch.nn.Linear(1, 1)

    def logits(self, pairs):
        return (pairs[0] + 10 * pairs[1]).float()


def test_trainer_validates_on_the_pooled_scores():
    # three labelled pairs of new RNAs; pair 0 pools (0, 0) and (1, 0), pair 1 pools (2, 1),
    # pair 2 cannot be placed (owns nothing) and is left out of the AUC
    val = PooledLinkSet(torch.tensor([[5, 6, 7], [0, 1, 2]]), torch.tensor([0.0, 1.0, 1.0]),
                        pool_index=torch.tensor([[0, 1, 2], [0, 0, 1]]),
                        pool_owner=torch.tensor([0, 0, 1]),
                        pool_weight=torch.tensor([0.5, 0.5, 1.0], dtype=torch.float64))
    got = Trainer(epochs=1).validation_auc(_Task(), val)
    # pooled scores: pair 0 -> 0.5 * 0 + 0.5 * 1 = 0.5, pair 1 -> 2 + 10 = 12: ordered right
    assert got == roc_auc_score([0, 1], [0.5, 12.0]) == 1.0
    # the same pairs unpooled would be scored as s + 10 d of the new RNAs' own indices
    flipped = PooledLinkSet(val.edge_label_index, torch.tensor([1.0, 0.0, 1.0]),
                            val.pool_index, val.pool_owner, val.pool_weight)
    assert Trainer(epochs=1).validation_auc(_Task(), flipped) == 0.0


def test_pooled_link_set_checks_shapes():
    with pytest.raises(ValueError, match="do not match"):
        PooledLinkSet(torch.zeros(2, 1, dtype=torch.long), torch.ones(1),
                      torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, dtype=torch.long),
                      torch.ones(3))
