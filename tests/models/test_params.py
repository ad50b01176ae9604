"""Parameters are checked in fit, as scikit-learn checks them: construction and set_params store
any value, the next fit refuses a bad one naming the class, the parameter and the value."""
import pytest
from sklearn.base import clone

from rnagraph.data import kfold_link_split
from rnagraph.models import (
    DegreeProduct,
    JointLink,
    NodePrior,
    SAGELink,
    StructLink,
    TruncatedKatz,
    TruncatedSVDLink,
)

CM = ("circrna", "binds", "mirna")

BAD = [
    (DegreeProduct, "smoothing", -1.0),
    (NodePrior, "smoothing", 0.0),
    (TruncatedSVDLink, "dim", 0),
    (TruncatedKatz, "beta", float("nan")),
    (SAGELink, "negatives", "fresh"),
    (SAGELink, "hidden_channels", 0),
    (JointLink, "num_layers", 0),
    (StructLink, "degree_share", -0.5),
    (StructLink, "corrupt_share", 0.9),          # degree_share 0.34 + 0.9 > 1
    (StructLink, "neg_ratio", -1.0),
    (StructLink, "mlp_channels", 0),
    (StructLink, "disjoint_train_ratio", 1.0),
    (StructLink, "rank_k", 0),
    (StructLink, "rank_degree_share", 1.5),
]


@pytest.fixture
def fold(planted_cm):
    return kfold_link_split(planted_cm(n=2, nc=6, nm=5), CM, k=3, seed=0)[0]


@pytest.mark.parametrize("cls,name,value", BAD,
                         ids=[f"{c.__name__}-{n}" for c, n, _ in BAD])
def test_bad_value_is_stored_then_refused_by_fit(cls, name, value, fold):
    m = cls(**{name: value})                       # __init__ stores only
    assert m.get_params()[name] is value
    clone(m)                                       # and clone works with it
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: {name}="):
        m.fit(fold)
    good = cls().set_params(**{name: value})       # set_params is accepted too ...
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: {name}="):
        good.fit(fold)                             # ... and refused at the next fit


def test_power_is_checked_by_the_featurizer_it_belongs_to(fold):
    with pytest.raises(ValueError, match="power"):
        StructLink(power=0).fit(fold)
