import math

import numpy as np
import pytest
import torch

from rnagraph.train.metrics import (
    METRICS,
    auc_loss_by_category,
    binary_metrics,
    choose_threshold,
    grouped_auc,
)

# 4 positives, 6 negatives. At threshold 0.5 the predicted positives are 0.9, 0.8, 0.6 (true)
# and 0.7, 0.55 (false):  TP=3, FN=1 (0.4), FP=2, TN=4.
Y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
S = [0.9, 0.8, 0.4, 0.6, 0.7, 0.2, 0.1, 0.3, 0.55, 0.05]


def test_binary_metrics_hand_computed():
    m = binary_metrics(torch.tensor(Y), torch.tensor(S))
    assert list(m) == list(METRICS)
    assert m["acc"] == pytest.approx(7 / 10)
    assert m["precision"] == pytest.approx(3 / 5)
    assert m["recall"] == pytest.approx(3 / 4)
    assert m["specificity"] == pytest.approx(4 / 6)
    assert m["f1"] == pytest.approx(2 * 3 / (2 * 3 + 2 + 1))
    assert m["mcc"] == pytest.approx((3 * 4 - 2 * 1) / math.sqrt(5 * 4 * 6 * 5))
    # AUC: pos 0.9 > 6 neg, 0.8 > 6, 0.6 > 5, 0.4 > 4  -> 21 / 24
    assert m["auc"] == pytest.approx(21 / 24)
    # AP: positives at ranks 1, 2, 4, 6 -> (1/1 + 2/2 + 3/4 + 4/6) / 4
    assert m["aupr"] == pytest.approx((1 + 1 + 3 / 4 + 4 / 6) / 4)


def test_threshold_is_inclusive_and_moves_counts():
    m = binary_metrics(np.array(Y), np.array(S), threshold=0.4)  # TP=4 FP=2 TN=4 FN=0
    assert m["recall"] == 1.0 and m["specificity"] == pytest.approx(4 / 6)
    assert m["mcc"] == pytest.approx(16 / 24)


def test_choose_threshold():
    # F1 per threshold: .9 .4, .8 .667, .7 .571, .6 .75, .55 .667, .4 .8 (best), .3 .727 ...
    assert choose_threshold(Y, S, "f1") == pytest.approx(0.4)
    # MCC: .4 -> 16/24 = .667 beats .6 (.583) and .8 (.612)
    assert choose_threshold(Y, S, "mcc") == pytest.approx(0.4)
    with pytest.raises(ValueError, match="criterion"):
        choose_threshold(Y, S, "acc")


def test_bad_input():
    with pytest.raises(ValueError, match="labels"):
        binary_metrics([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="NaN"):
        binary_metrics([0, 1], [0.1, float("nan")])
    with pytest.warns(UserWarning, match="one class"):
        assert math.isnan(binary_metrics([1, 1], [0.2, 0.9])["auc"])


def test_grouped_auc_hand_computed():
    # group 0: positives 0.9, 0.4 / negatives 0.5, 0.4 -> wins 1 + 1 + 0 + 0.5 = 2.5 of 4
    # group 1: positive 0.1 / negative 0.2 -> 0 of 1; group 2: positives only -> left out
    y = [1, 1, 0, 0, 1, 0, 1]
    s = [0.9, 0.4, 0.5, 0.4, 0.1, 0.2, 0.3]
    g = [0, 0, 0, 0, 7, 7, 3]
    auc, used, rows, comparisons = grouped_auc(y, s, g)
    assert (used, rows, comparisons) == (2, 6, 5)
    assert auc == pytest.approx(2.5 / 5)


def test_grouped_auc_ignores_group_level_scores_and_matches_sklearn_in_one_group():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    g = rng.integers(0, 30, 2000)
    y = (rng.random(2000) < 0.2 + 0.6 * (g % 2)).astype(float)    # base rate set by group
    pair = rng.normal(size=2000) + y                                # a real pair signal
    prior = (g % 2).astype(float)                                   # the group's base rate
    assert roc_auc_score(y, prior) > 0.75                           # the shortcut scores...
    assert grouped_auc(y, prior, g)[0] == pytest.approx(0.5)        # ...nothing within groups
    # adding a group-level offset leaves the within-group AUC exactly where it was
    assert grouped_auc(y, pair + 5 * prior, g)[0] == pytest.approx(grouped_auc(y, pair, g)[0])
    one = np.zeros(2000, dtype=int)
    assert grouped_auc(y, pair, one)[0] == pytest.approx(roc_auc_score(y, pair))


def test_grouped_auc_no_mixed_group_and_bad_input():
    auc, used, rows, comparisons = grouped_auc([1, 0], [0.3, 0.2], [0, 1])
    assert math.isnan(auc) and (used, rows, comparisons) == (0, 0, 0)
    with pytest.raises(ValueError, match="2 labels, 2 scores, 3 groups"):
        grouped_auc([1, 0], [0.3, 0.2], [0, 1, 2])
    with pytest.raises(ValueError, match="NaN"):
        grouped_auc([1, 0], [float("nan"), 0.2], [0, 0])


def test_auc_loss_by_category_hand_computed_and_sums_to_one_minus_auc():
    from sklearn.metrics import roc_auc_score
    y, s = [1, 1, 0, 0, 0], [0.9, 0.3, 0.5, 0.3, 0.1]
    got = auc_loss_by_category(y, s, ["a", "b", "a", "b", "b"])
    # 6 comparisons; the b positive (0.3) loses to the a negative (0.5), ties the b one (0.3)
    assert got == {("a", "a"): 0.0, ("b", "a"): pytest.approx(1 / 6), ("a", "b"): 0.0,
                   ("b", "b"): pytest.approx(0.5 / 6)}
    rng = np.random.default_rng(0)
    y, s = rng.integers(0, 2, 300), rng.integers(0, 20, 300).astype(float)   # with ties
    got = auc_loss_by_category(y, s, rng.choice(list("PBNU"), 300))
    assert sum(got.values()) == pytest.approx(1 - roc_auc_score(y, s))
    with pytest.raises(ValueError, match="auc_loss_by_category"):
        auc_loss_by_category([1, 1], [0.1, 0.2], ["a", "b"])
    with pytest.raises(ValueError, match="auc_loss_by_category"):
        auc_loss_by_category([1, 0], [0.1, 0.2], ["a"])
