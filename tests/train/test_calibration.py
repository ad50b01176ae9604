import math
import warnings

import numpy as np
import pytest
import torch

from rnagraph.data import Fold, LinkSet, build_graph
from rnagraph.train.calibration import PlattCalibrator, calibration_pairs

CM = ("circrna", "binds", "mirna")


def test_hand_computed_binary_feature():
    # one binary score: the unregularised MLE matches each group's positive rate exactly,
    # sigma(b) = 1/4 at x = 0 and sigma(a + b) = 3/4 at x = 1, so b = -ln 3 and a = 2 ln 3
    x = torch.tensor([0.0] * 4 + [1.0] * 4)
    y = torch.tensor([1, 0, 0, 0, 1, 1, 1, 0])
    cal = PlattCalibrator().fit(x, y)
    assert cal.intercept_ == pytest.approx(-math.log(3), rel=1e-3)
    assert cal.coef_ == pytest.approx(2 * math.log(3), rel=1e-3)
    p = cal(torch.tensor([0.0, 1.0]))
    assert p.dtype == torch.float64
    assert torch.allclose(p, torch.tensor([0.25, 0.75], dtype=torch.float64), atol=1e-3)
    # the scale of the raw score does not matter (it is standardised before the fit)
    big = PlattCalibrator().fit(1000 * x + 5, y)
    assert big.coef_ * 1000 == pytest.approx(cal.coef_, rel=1e-3)
    assert torch.allclose(big(1000 * torch.tensor([0.0, 1.0]) + 5), p, atol=1e-6)


def test_separable_scores_are_symmetric_and_confident():
    x = torch.tensor([-2.0, -1.0, 1.0, 2.0])
    cal = PlattCalibrator().fit(x, torch.tensor([0, 0, 1, 1]))
    p = cal(x)
    assert cal.coef_ > 5 and cal.intercept_ == pytest.approx(0, abs=1e-6)  # symmetric data
    assert (p[:2] < 0.01).all() and (p[2:] > 0.99).all()
    assert cal(torch.zeros(1)).item() == pytest.approx(0.5, abs=1e-6)


def test_monotone_float64_and_unsaturated():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    x = torch.from_numpy(y + rng.normal(0, 1, 300)).float()
    cal = PlattCalibrator().fit(x, y)
    assert cal.coef_ > 0
    grid = (torch.linspace(-30, 30, 601, dtype=torch.float64) - cal.intercept_) / cal.coef_
    p = cal(grid)  # calibrated logits in [-30, 30]: strictly increasing in float64
    assert p.dtype == torch.float64 and (p.diff() > 0).all()
    assert torch.unique(p.float()).numel() < 500  # float32 merges ~150 of them of them
    # float64: a calibrated logit of 30 is still below 1 (a float32 sigmoid rounds it to 1)
    x30 = (30 - cal.intercept_) / cal.coef_
    assert cal(torch.tensor([x30])).item() < 1
    assert torch.sigmoid(cal.logit(torch.tensor([x30])).float()).item() == 1.0
    assert torch.equal(cal.logit(grid), cal.coef_ * grid.double() + cal.intercept_)


def test_identity_before_fit_state_and_repr():
    cal = PlattCalibrator()
    x = torch.tensor([-1.0, 0.0, 2.0])
    assert torch.equal(cal(x), torch.sigmoid(x.double()))
    fitted = PlattCalibrator().fit(torch.tensor([0.0, 1.0, 2.0, 3.0]), torch.tensor([0, 1, 0, 1]))
    back = PlattCalibrator().load_state_dict(fitted.state_dict())
    assert torch.equal(back(x), fitted(x))
    assert repr(PlattCalibrator()) == "PlattCalibrator(a=1, b=0)"


@pytest.mark.parametrize("x, y, msg", [
    ([1.0, 2.0], [1, 1], "both classes"),
    ([], [], "both classes"),
    ([1.0, float("inf")], [0, 1], "finite"),
    ([1.0, 2.0, 3.0], [0, 1], "3 scores for 2 labels"),
])
def test_fit_errors(x, y, msg):
    with pytest.raises(ValueError, match=f"PlattCalibrator: .*{msg}"):
        PlattCalibrator().fit(torch.tensor(x), torch.tensor(y))


def _fold(val_labels, train_labels):
    g = build_graph({}, {CM: [("a", "x"), ("b", "y")]})

    def ls(labels):
        n = len(labels)
        return LinkSet(torch.zeros(2, n, dtype=torch.long), torch.tensor(labels, dtype=torch.float))
    return Fold(3, CM, g, ls(train_labels), ls(val_labels), ls([1.0, 0.0]))


def test_calibration_pairs_prefer_validation():
    f = _fold([1.0, 0.0], [1.0, 0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert calibration_pairs(f) is f.val


@pytest.mark.parametrize("val", [[1.0, 1.0], []])
def test_calibration_pairs_fall_back_to_training_with_a_warning(val):
    f = _fold(val, [1.0, 0.0, 0.0])
    with pytest.warns(UserWarning, match="fold 3 has no validation pairs of both classes"):
        assert calibration_pairs(f) is f.train


def test_calibration_pairs_error_without_both_classes():
    f = _fold([0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="fold 3 has no labelled pairs of both classes"):
        calibration_pairs(f)


def test_equal_scores_get_bit_equal_probabilities():
    # tied raw scores (e.g. SeedMatch's weighted site counts) must stay tied after calibration:
    # torch's vectorised sigmoid may differ in the last bit between positions
    g = torch.Generator().manual_seed(0)
    levels = torch.tensor([0, .25, .5, .75, 1, 1.25, 2.0], dtype=torch.float64)
    x = levels[torch.randint(7, (10_001,), generator=g)]
    cal = PlattCalibrator()
    cal.coef_, cal.intercept_ = 2.432, -2.013
    p = cal(x)
    assert p.shape == x.shape and p.dtype == torch.float64
    for v in levels:
        assert p[x == v].unique().numel() == 1
    assert torch.equal(p[x == 0.5][:1], torch.sigmoid(torch.tensor([2.432 * 0.5 - 2.013],
                                                                   dtype=torch.float64)))
