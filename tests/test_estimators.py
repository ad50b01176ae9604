"""scikit-learn conventions over every featurizer, graph encoder and registry model.

The estimators are discovered from ``rnagraph.features.__all__`` and
``rnagraph.nn.encoders.__all__`` (every exported concrete class with a ``fit``), so a new one is
covered automatically; it must then say how to break and fit it in ``BAD`` / ``FIT`` below, or
``test_every_estimator_is_in_the_tables`` fails.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, clone
from torch_geometric.data import HeteroData

import rnagraph.features as features
import rnagraph.nn.encoders as encoders
from rnagraph.typing import CIRC_MIRNA

SEQS = ["ACGUACGUAGGCUAGCUAGG", "UUAGCUAGCGGAUCGAUCGA", None, "GGCAUCGAUCGAUGCAUGCA"]
PAIRS = [("UGAGGUAGUAGGUUGUAUAGUU", "AACUAUACAACCUACUACCUCA"), (None, "ACGU")]
RING = torch.tensor([[0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 0]])   # an 8-cycle


def _bipartite() -> HeteroData:
    g = HeteroData()
    g["circrna"].num_nodes = 4
    g["mirna"].num_nodes = 3
    g[CIRC_MIRNA].edge_index = torch.tensor([[0, 0, 1, 2, 3, 3], [0, 1, 1, 2, 0, 2]])
    return g


#: constructor arguments: the required ones, and small settings so that fitting is quick
INIT = {
    "EncoderTransform": dict(encoder=encoders.GraRep(dim=2, order=2), edge_types=CIRC_MIRNA),
    "Doc2VecEmbedding": dict(dim=8, epochs=2),
    "KmerEmbedding": dict(k=3, dim=8, epochs=1, bucket=1024),
    "GraRep": dict(dim=2, order=2),
    "Role2Vec": dict(dim=4, walk_number=2, walk_length=6, min_count=1),
    "DeepWalk": dict(dim=4, walk_number=2, walk_length=6),
    "LINE": dict(dim=4, epochs=1, batch_size=8),
    "HOPE": dict(dim=4),
    "LaplacianEigenmaps": dict(dim=2),
    "GraphFactorization": dict(dim=4, epochs=1, batch_size=8),
}

#: the arguments of ``fit``
FIT = {
    "InteractionProfileSimilarity": lambda: (np.eye(3),),
    "SeedSiteFeatures": lambda: (PAIRS,),
    "StructuralPairFeatures": lambda: (_bipartite(), CIRC_MIRNA),
    "EncoderTransform": lambda: (_bipartite(),),
}

#: one bad value per estimator: accepted by ``set_params``, refused by ``fit``
BAD = {
    "KmerFrequency": ("k", 0),
    "LevenshteinSimilarity": ("max_len", 0),
    "Doc2VecEmbedding": ("mode", "pv"),
    "KmerEmbedding": ("model", "glove"),
    "KmerTokenizer": ("k", 13),
    "InteractionProfileSimilarity": ("gamma", -1.0),
    "SeedSiteFeatures": ("log", "yes"),
    "StructuralPairFeatures": ("power", 0.0),
    "EncoderTransform": ("encoder", "grarep"),
    **{name: ("cold_start", "warm") for name in
       ("GraRep", "Role2Vec", "DeepWalk", "LINE", "HOPE", "LaplacianEigenmaps",
        "GraphFactorization")},
}
NO_PARAMS = {"CTD"}


def _discover() -> list[type]:
    out = []
    for mod in (features, encoders):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isclass(obj) and hasattr(obj, "fit") and not inspect.isabstract(obj):
                out.append(obj)
    return out


ESTIMATORS = _discover()


def _make(cls: type) -> BaseEstimator:
    return cls(**INIT.get(cls.__name__, {}))


def _fit_args(cls: type) -> tuple:
    if cls.__name__ in FIT:
        return FIT[cls.__name__]()
    if issubclass(cls, encoders.GraphEncoder):
        return RING, 9                              # node 8 is isolated
    return (SEQS,)


def _params(est: BaseEstimator) -> dict[str, str]:
    """Deep parameters, compared by ``repr`` (nested estimators have no ``__eq__``)."""
    return {k: repr(v) for k, v in est.get_params(deep=True).items()}


def test_discovery_finds_featurizers_and_encoders():
    names = {c.__name__ for c in ESTIMATORS}
    assert {"KmerFrequency", "LevenshteinSimilarity", "SeedSiteFeatures",
            "StructuralPairFeatures", "GraRep", "EncoderTransform"} <= names
    # not estimators: a data structure, a container, the abstract base
    assert not names & {"SeedSiteIndex", "HomogeneousGraph", "GraphEncoder"}


def test_every_estimator_is_in_the_tables():
    missing = [c.__name__ for c in ESTIMATORS
               if c.__name__ not in BAD and c.__name__ not in NO_PARAMS]
    assert not missing, f"add a bad value for {missing} to BAD (and fit arguments to FIT)"
    for cls in ESTIMATORS:
        if cls.__name__ in NO_PARAMS:
            assert _make(cls).get_params() == {}


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_clone_keeps_params_and_repr_round_trips(cls):
    est = _make(cls)
    assert isinstance(est, BaseEstimator)
    twin = clone(est)
    assert twin is not est and type(twin) is cls
    assert _params(twin) == _params(est)
    namespace = {**vars(features), **vars(encoders)}
    rebuilt = eval(repr(est), namespace)               # noqa: S307 - our own repr
    assert type(rebuilt) is cls and _params(rebuilt) == _params(est)
    # every parameter shows in the repr, in signature order
    params = est.get_params(deep=False)
    shown = [p for p in inspect.signature(cls.__init__).parameters if p in params]
    assert len(shown) == len(params)                   # every parameter is an __init__ one
    assert repr(est) == f"{cls.__name__}({', '.join(f'{k}={params[k]!r}' for k in shown)})"


@pytest.mark.parametrize("cls", [c for c in ESTIMATORS if c.__name__ in BAD],
                         ids=lambda c: c.__name__)
def test_bad_param_is_accepted_by_set_params_and_refused_by_fit(cls):
    est = _make(cls)
    clone(est).fit(*_fit_args(cls))                   # the valid settings fit
    name, bad = BAD[cls.__name__]
    assert est.set_params(**{name: bad}) is est       # accepted at set time, as stored
    assert est.get_params(deep=False)[name] == bad
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: {name}="):
        est.fit(*_fit_args(cls))
    assert clone(est).get_params(deep=False)[name] == bad   # and clone keeps it


def _registry_names() -> list[str]:
    from rnagraph.models import registry
    return [*registry.MODELS, *getattr(registry, "PRESETS", {})]


@pytest.mark.parametrize("name", _registry_names())
def test_registry_models_clone_with_equal_params(name):
    from rnagraph.models.registry import get_model
    model = get_model(name)
    twin = clone(model)
    assert twin is not model and type(twin) is type(model)
    assert _params(twin) == _params(model)
