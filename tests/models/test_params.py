"""Parameters are checked in fit, as scikit-learn checks them: construction and set_params store
any value, the next fit refuses a bad one naming the class, the parameter and the value."""
import pytest
from sklearn.base import clone

from rnagraph.data import kfold_link_split
from rnagraph.models import (
    MFERL,
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
    (StructLink, "mlp_channels", 0),
    (StructLink, "disjoint_train_ratio", 1.0),
    (StructLink, "negatives", "popularity"),
    (StructLink, "ranking", 2.0),
    (SAGELink, "trainer", {"epochs": 3}),
]

#: bad values of a part's parameter (full name): refused by fit naming the part's class
BAD_PART = [
    (StructLink, "negatives__degree_share", -0.5, "PopularityNegatives"),
    (StructLink, "negatives__corrupt_share", 0.9, "PopularityNegatives"),  # 0.34 + 0.9 > 1
    (StructLink, "negatives__neg_ratio", -1.0, "PopularityNegatives"),
    (StructLink, "ranking__rank_k", 0, "RankingLoss"),
    (StructLink, "ranking__rank_degree_share", 1.5, "RankingLoss"),
    (SAGELink, "trainer__epochs", 0, "TrainerConfig"),
    (StructLink, "trainer__lr", -0.1, "TrainerConfig"),
    (JointLink, "trainer__patience", 0, "TrainerConfig"),
    (MFERL, "inputs__views", ["similarity", "tfidf"], "MFERLViews"),
    (MFERL, "inputs__threshold", "high", "MFERLViews"),
    (MFERL, "inputs__role2vec_dim", 0, "MFERLViews"),
    (MFERL, "inputs__min_seq_frac", 1.5, "MFERLViews"),
    (MFERL, "encoder__blocks", [], "MFERLEncoder"),
    (MFERL, "encoder__channel_pool", "mean", "MFERLEncoder"),
    (MFERL, "encoder__heads", 0, "MFERLEncoder"),
    (MFERL, "contrast__cl_weight", -0.1, "MFERLContrast"),
    (MFERL, "contrast__src_cl_weight", -1.0, "MFERLContrast"),
    (MFERL, "trainer__lr", 0.0, "TrainerConfig"),
    (MFERL, "trainer__patience", 0, "TrainerConfig"),
]


@pytest.fixture
def fold(planted_cm):
    return kfold_link_split(planted_cm(n=2, nc=6, nm=5), CM, k=3, seed=0)[0]


@pytest.mark.parametrize("cls,name,value", BAD,
                         ids=[f"{c.__name__}-{n}" for c, n, _ in BAD])
def test_bad_value_is_stored_then_refused_by_fit(cls, name, value, fold):
    m = cls(**{name: value})                       # __init__ stores only
    assert m.get_params()[name] is value
    if name != "trainer":                          # (a trainer must be a part to clone)
        clone(m)                                   # and clone works with it
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: {name}="):
        m.fit(fold)
    good = cls().set_params(**{name: value})       # set_params is accepted too ...
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: {name}="):
        good.fit(fold)                             # ... and refused at the next fit


def test_power_is_checked_by_the_featurizer_it_belongs_to(fold):
    with pytest.raises(ValueError, match="power"):
        StructLink(power=0).fit(fold)


@pytest.mark.parametrize("cls,name,value,part", BAD_PART,
                         ids=[f"{c.__name__}-{n}" for c, n, _, _ in BAD_PART])
def test_bad_part_value_is_stored_then_refused_by_fit_naming_the_part(cls, name, value, part,
                                                                       fold):
    m = cls().set_params(**{name: value})          # a part's set_params stores only
    assert m.get_params(deep=True)[name] == value
    twin = clone(m)                                # clone keeps it, in a new part
    assert twin.get_params(deep=True)[name] == value
    assert twin.get_params(deep=False)[name.split("__")[0]] is not \
        m.get_params(deep=False)[name.split("__")[0]]
    leaf = name.split("__")[1]
    for model in (m, twin):
        with pytest.raises(ValueError, match=rf"^{part}: {leaf}="):
            model.fit(fold)
