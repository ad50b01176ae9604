import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from rnagraph.data import kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.models import DegreeProduct, SeedMatch, StackedLink, load
from rnagraph.typing import MIRNA_MRNA


@pytest.fixture(scope="module")
def fold():
    return kfold_link_split(synthetic(seed=0), MIRNA_MRNA, k=5, seed=0)[0]


def test_weights_are_a_logistic_regression_on_validation_scores(fold):
    m = StackedLink(["degree+1", "seedmatch"], C=0.5).fit(fold)
    parts = [DegreeProduct(smoothing=1, calibrate=False).fit(fold),
             SeedMatch(calibrate=False).fit(fold)]

    def raw(pairs):
        return np.stack([p.decision_function(None, pairs).numpy() for p in parts], 1)

    xv = raw(fold.val.edge_label_index)
    mu, sd = xv.mean(0), xv.std(0)
    ref = LogisticRegression(C=0.5).fit((xv - mu) / sd, fold.val.edge_label.numpy())
    assert np.allclose(m.coef_, ref.coef_[0]) and m.intercept_ == pytest.approx(ref.intercept_[0])
    test = fold.test.edge_label_index
    assert np.allclose(m.decision_function(None, test).numpy(),
                       ref.decision_function((raw(test) - mu) / sd))
    assert (m.coef_ > 0).all()          # both parts carry signal on the synthetic default


def test_save_load_keeps_every_part(fold, tmp_path):
    m = StackedLink().fit(fold)         # node-prior (fitted state: rates) + seedmatch
    pairs = fold.test.edge_label_index
    back = load(m.save(tmp_path / "s.rg"))
    assert torch.equal(back.score(None, pairs), m.score(None, pairs))
    assert [type(p).__name__ for p in back.models_] == ["NodePrior", "SeedMatch"]


def test_parameters(fold):
    assert StackedLink().requires_sequences
    assert not StackedLink(["degree", "svd"]).requires_sequences
    with pytest.raises(ValueError, match="registry names, got \\['nope'\\]"):
        StackedLink(["degree", "nope"]).fit(fold)     # checked in fit, as scikit-learn does
    with pytest.raises(ValueError, match="C=0 must be > 0"):
        StackedLink(C=0).fit(fold)


def test_a_seed_reaches_every_fused_model_that_takes_one(fold):
    seeded = StackedLink(["svd", "degree"], seed=3).fit(fold)
    assert seeded.models_[0].seed == 3                 # SVD's random projections
    assert "seed" not in seeded.models_[1].get_params()  # the degree product has none
    plain = StackedLink(["svd", "degree"]).fit(fold)
    assert plain.models_[0].seed == 0                  # None: the model's own default
    pairs = fold.test.edge_label_index
    # seed 0 given is each model's default: the same fusion, score for score
    zero = StackedLink(["svd", "degree"], seed=0).fit(fold)
    assert torch.equal(zero.decision_function(None, pairs), plain.decision_function(None, pairs))
    with pytest.raises(ValueError, match="seed=1.5 must be an integer or None"):
        StackedLink(["svd", "degree"], seed=1.5).fit(fold)
