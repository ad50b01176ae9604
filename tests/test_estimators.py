"""scikit-learn conventions over every featurizer, graph encoder, model part and registry model.

The estimators are discovered from ``rnagraph.features.__all__`` and
``rnagraph.nn.encoders.__all__`` (every exported concrete class with a ``fit``), so a new one is
covered automatically; it must then say how to break and fit it in ``BAD`` / ``FIT`` below, or
``test_every_estimator_is_in_the_tables`` fails. The parts models are composed of (every
concrete rnagraph estimator that is not a model, found by importing the whole package) and every
registry model and preset must clone and round-trip ``set_params`` (issue 34).
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
    "DuplexFeatures": lambda: (PAIRS,),
    "FoldingFeatures": lambda: (PAIRS,),
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
    "DuplexFeatures": ("mirna_length", 7),
    "FoldingFeatures": ("span", 0),
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


# ------------------------------------------------------------ clone over everything (issue 34)
def _rnagraph_modules() -> list[str]:
    """Every module of the package (imported, so that every part class is defined)."""
    import importlib
    import pkgutil

    import rnagraph
    names = []
    for info in pkgutil.walk_packages(rnagraph.__path__, "rnagraph."):
        try:
            importlib.import_module(info.name)
        except ImportError as exc:             # an optional dependency (ray, optuna, ...)
            if not getattr(exc, "name", None) or exc.name.startswith("rnagraph"):
                raise
            continue
        names.append(info.name)
    return names


def _part_classes() -> list[type]:
    """Every concrete rnagraph estimator that is not a model: featurizers, encoders and the
    parts models are composed of (``TrainerConfig``, ``RankingLoss``, ...)."""
    from rnagraph.features._estimator import Estimator
    from rnagraph.models.base import LinkModel
    _rnagraph_modules()
    seen, todo = set(), [Estimator]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted((c for c in seen if c.__module__.startswith("rnagraph.")
                   and not issubclass(c, LinkModel) and not inspect.isabstract(c)),
                  key=lambda c: f"{c.__module__}.{c.__qualname__}")


PARTS = _part_classes()


def _deep(est: BaseEstimator) -> dict[str, str]:
    return {k: repr(v) for k, v in est.get_params(deep=True).items()}


def _check_clone_and_set_params(est: BaseEstimator) -> None:
    """``clone`` gives a new estimator of equal deep parameters whose parts are new objects,
    and ``set_params`` of the deep parameters round-trips: all of them at once (scikit-learn's
    own order: a part, then its parameters) and the leaves alone on a clone."""
    from rnagraph.models.params import is_part
    twin = clone(est)
    assert twin is not est and type(twin) is type(est)
    assert _deep(twin) == _deep(est)
    for name, value in est.get_params(deep=False).items():
        if is_part(value):                         # a part is copied, never shared
            assert twin.get_params(deep=False)[name] is not value
    deep = est.get_params(deep=True)
    assert _deep(clone(est).set_params(**deep)) == _deep(est)
    leaves = {k: v for k, v in deep.items() if not is_part(v)}
    again = clone(est).set_params(**leaves)
    assert _deep(again) == _deep(est)


def test_part_discovery_finds_the_parts_of_the_models():
    names = {c.__name__ for c in PARTS}
    assert {"TrainerConfig", "PopularityNegatives", "RankingLoss", "KmerFrequency",
            "GraRep", "EncoderTransform"} <= names
    assert not names & {"SAGELink", "StructLink", "LinkModel", "GraphEncoder", "Estimator"}
    # one estimator base: every featurizer and encoder is an rnagraph estimator
    assert set(ESTIMATORS) <= set(PARTS)


@pytest.mark.parametrize("cls", PARTS, ids=lambda c: c.__name__)
def test_every_part_clones_and_set_params_round_trips(cls):
    est = _make(cls)
    _check_clone_and_set_params(est)
    # the docstring lists every parameter (``name (type): ...``)
    doc = inspect.getdoc(cls) or ""
    missing = [p for p in est.get_params(deep=False) if f"{p} (" not in doc]
    assert not missing, f"{cls.__name__}'s docstring does not list {missing}"


@pytest.mark.parametrize("name", _registry_names())
def test_every_registry_model_clones_and_set_params_round_trips(name):
    from rnagraph.models.registry import get_model
    _check_clone_and_set_params(get_model(name))


def test_a_changed_part_parameter_survives_clone_and_is_not_shared():
    from rnagraph.models.registry import get_model
    model = get_model("struct", lr=0.5, rank_k=8, degree_share=0.1)
    twin = clone(model)
    assert (twin.trainer.lr, twin.ranking.rank_k, twin.negatives.degree_share) == (0.5, 8, 0.1)
    twin.set_params(trainer__lr=0.25)
    assert model.trainer.lr == 0.5                 # the original's trainer is its own


@pytest.mark.parametrize("name", _registry_names())
def test_every_registry_model_takes_at_most_15_arguments(name):
    from rnagraph.models.registry import get_model
    cls = type(get_model(name))
    params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert len(params) <= 15, f"{cls.__name__} takes {len(params)} arguments: {params}"
    # a trained model holds its training options in trainer=, never beside it
    from rnagraph.train.config import FIELDS
    if "trainer" in params:
        assert not set(params) & (set(FIELDS) - {"seed", "device"}), params


@pytest.mark.parametrize("name", _registry_names())
def test_every_registry_models_docstring_lists_its_parameters(name):
    from rnagraph.models.registry import get_model
    cls = type(get_model(name))
    doc = inspect.getdoc(cls) or ""
    params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    missing = [p for p in params if f"{p} (" not in doc]
    assert not missing, f"{cls.__name__}'s docstring does not list {missing} under Args"
