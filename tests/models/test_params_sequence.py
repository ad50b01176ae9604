"""Parameters of the sequence models (SeedMatch, SeedVote, SequenceVote, MFERL's parts) are
checked in fit, as scikit-learn checks them: construction and set_params store any value,
clone keeps it, and the next fit refuses it naming the class, the parameter and the value.
(The pattern of tests/models/test_params.py, for the models of brief M.)"""
import math

import pytest
from sklearn.base import clone

from rnagraph.data import kfold_link_split
from rnagraph.models import MFERL, SeedMatch, SeedVote, SequenceVote

CM = ("circrna", "binds", "mirna")

BAD = [
    (SeedMatch, "weights", {"9mer": 1.0}),
    (SeedMatch, "weights", {"8mer": float("nan")}),
    (SeedMatch, "weights", [1.0, 0.5]),
    (SeedMatch, "calibrate", "yes"),
    (SeedVote, "smoothing", 0),
    (SeedVote, "smoothing", float("nan")),
    (SeedVote, "smoothing", math.inf),
    (SequenceVote, "similarity", "blast"),
    (SequenceVote, "powers", []),
    (SequenceVote, "powers", [1.0, -1.0]),
    (SequenceVote, "powers", [float("inf")]),
    (SequenceVote, "max_len", 0),
    (SequenceVote, "node_type", 3),
    (MFERL, "disjoint_train_ratio", 1.0),
    (MFERL, "pair", True),
    (MFERL, "encoder", {"hidden_channels": 8}),
]

#: bad values of a part's parameter (full name): refused by fit naming the part's class
@pytest.fixture
def fold(planted_cm):
    # sequence-free: every refusal must come before the data is read
    return kfold_link_split(planted_cm(n=2, nc=6, nm=5), CM, k=3, seed=0)[0]


@pytest.mark.parametrize("cls,name,value", BAD,
                         ids=[f"{c.__name__}-{n}-{v!r}" for c, n, v in BAD])
def test_bad_value_is_stored_then_refused_by_fit(cls, name, value, fold):
    m = cls(**{name: value})                       # __init__ stores only
    assert m.get_params(deep=False)[name] is value
    twin = clone(m)                                # clone works with it and keeps it
    assert repr(twin.get_params(deep=False)[name]) == repr(value)   # (NaN != NaN)
    for model in (m, twin, cls().set_params(**{name: value})):   # set_params stores too
        with pytest.raises(ValueError, match=rf"^{cls.__name__}: {name}="):
            model.fit(fold)
        assert not hasattr(model, "edge_type_")    # nothing was fitted


@pytest.mark.parametrize("cls", [SeedMatch, SeedVote, SequenceVote, MFERL])
def test_defaults_pass_the_checks(cls):
    m = cls()
    m._validate_parts()
    m._validate_params()                           # no error: the defaults are valid
