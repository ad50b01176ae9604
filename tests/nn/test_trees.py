"""TreeEnsemble: scikit-learn's boosted trees scored in torch, from tensors alone."""
import numpy as np
import pytest
import torch
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from rnagraph.nn import TreeEnsemble


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.random((600, 6))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0.8).astype(int)
    x[rng.random(x.shape) < 0.05] = np.nan                 # missing values take their branch
    return x, y


def test_it_agrees_with_the_fitted_classifier_and_its_stages(data):
    x, y = data
    gbm = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(x, y)
    xt = torch.from_numpy(x)
    # the same trees and thresholds: equal up to the order of summing the leaf values
    np.testing.assert_allclose(TreeEnsemble.from_sklearn(gbm)(xt).numpy(),
                               gbm.decision_function(x), rtol=0, atol=1e-10)
    stage = list(gbm.staged_decision_function(x))[9]
    ten = TreeEnsemble.from_sklearn(gbm, 10)
    assert ten.num_trees == 10
    np.testing.assert_allclose(ten(xt).numpy(), stage, rtol=0, atol=1e-10)


def test_a_regressor_and_no_trees(data):
    x, _ = data
    y = np.nan_to_num(x[:, 0]) * 2.0
    gbm = HistGradientBoostingRegressor(max_iter=15, random_state=0).fit(x, y)
    np.testing.assert_allclose(TreeEnsemble.from_sklearn(gbm)(torch.from_numpy(x)).numpy(),
                               gbm.predict(x), rtol=0, atol=1e-10)
    none = TreeEnsemble.from_sklearn(gbm, 0)                # only the baseline: the mean of y
    np.testing.assert_allclose(none(torch.from_numpy(x[:3])).numpy(), [y.mean()] * 3,
                               rtol=1e-12)


def test_state_round_trip_and_repr(data):
    x, y = data
    ens = TreeEnsemble.from_sklearn(HistGradientBoostingClassifier(max_iter=5).fit(x, y))
    copy = TreeEnsemble(**ens.state_dict(), baseline=ens.baseline, depth=ens.depth)
    xt = torch.from_numpy(x[:50]).float()                  # float32 input is read as float64
    assert torch.equal(copy(xt), ens(xt))
    assert repr(ens) == f"TreeEnsemble(trees=5, depth={ens.depth})"
    assert all(t.dtype in (torch.long, torch.bool, torch.float64) for t in ens.buffers())


def test_multiclass_is_refused():
    rng = np.random.default_rng(1)
    x, y = rng.random((90, 3)), np.repeat([0, 1, 2], 30)
    with pytest.raises(ValueError, match="binary"):
        TreeEnsemble.from_sklearn(HistGradientBoostingClassifier(max_iter=2).fit(x, y))
