"""Hyper-parameters of models made of parts: names, owners, and their plain (JSON) form.

A model is a short composition of parts (its ``trainer=``, encoders, heads), each a
scikit-learn estimator of its own parameters, so a parameter has a full name in
scikit-learn's ``part__name`` form (``trainer__lr``). For people typing names
(``rnagraph train --set``, presets, search spaces, :func:`~rnagraph.models.get_model`) a
part's parameter may also be named by its own name when only one part has it
(``epochs`` for ``trainer__epochs``; the trainer's where other parts have it too), or with a
dot (``trainer.lr``). ``seed`` and ``device`` given that way reach every part that has them.
"""
from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Mapping
from typing import Any

#: short names that set every part's parameter of that name at once
BROADCAST = ("seed", "device")
#: how a part is written in a model file or a run configuration
PART_KEYS = frozenset({"part", "params"})
_MODULE = re.compile(r"^rnagraph(\.[a-z_][a-z0-9_]*)+$")


def resolve_params(model: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with every name made full (``epochs`` -> ``trainer__epochs``).

    A name is kept when ``model.get_params(deep=True)`` has it (``trainer.lr`` is read as
    ``trainer__lr``); otherwise it names the one part parameter that ends in ``__name``
    (all of them for :data:`BROADCAST` names). Where several parts have it and one is the
    model's ``trainer``, it is the trainer's (``epochs`` is the model's training epochs, not
    a graph encoder's: name ``graph_encoder__epochs`` for that).

    Raises:
        ValueError: for a name no part has, or one that several parts have (naming them).
    """
    deep = model.get_params(deep=True)
    cls = type(model).__name__
    out: dict[str, Any] = {}
    for key, value in params.items():
        name = key.replace(".", "__")
        if name in deep:
            out[name] = value
            continue
        matches = [k for k in deep if k.endswith("__" + name)]
        if len(matches) > 1 and name not in BROADCAST and f"trainer__{name}" in matches:
            matches = [f"trainer__{name}"]       # the model's own training loop comes first
        if not matches:
            top = sorted(k for k in deep if "__" not in k)
            raise ValueError(f"{cls} has no parameter {key!r}; it has {', '.join(top)} "
                             "(a part's parameter as part__name, e.g. trainer__lr)")
        if len(matches) > 1 and name not in BROADCAST:
            raise ValueError(f"{cls}: {key!r} is a parameter of several parts; name one of "
                             f"{', '.join(sorted(matches))}")
        out.update(dict.fromkeys(matches, value))
    return out


def takes_param(model: Any, name: str) -> bool:
    """Whether :func:`resolve_params` can place ``name`` on ``model``."""
    try:
        resolve_params(model, {name: None})
    except ValueError:
        return False
    return True


def param_owner(model: Any, full_name: str) -> tuple[Any, str]:
    """The part that holds the parameter ``full_name`` (``trainer__lr`` -> the model's
    trainer) and the parameter's own name there (``lr``)."""
    *path, leaf = full_name.split("__")
    owner = model
    for step in path:
        owner = owner.get_params(deep=False)[step]
    return owner, leaf


def is_part(value: Any) -> bool:
    """Whether ``value`` is a part: an rnagraph :class:`~rnagraph.features._estimator.Estimator`."""
    from rnagraph.features._estimator import Estimator
    return isinstance(value, Estimator)


def part_to_plain(value: Any) -> dict[str, Any]:
    """A part as ``{"part": "module.Class", "params": {...}}``, parts inside it too."""
    params = {k: part_to_plain(v) if is_part(v) else v
              for k, v in value.get_params(deep=False).items()}
    return {"part": f"{type(value).__module__}.{type(value).__qualname__}", "params": params}


def is_plain_part(value: Any) -> bool:
    """Whether ``value`` has the shape :func:`part_to_plain` writes."""
    return isinstance(value, dict) and set(value) == PART_KEYS


def part_from_plain(value: Mapping[str, Any]) -> Any:
    """The part :func:`part_to_plain` wrote. Only rnagraph's own estimator classes are
    built (the class is looked up by name in an ``rnagraph`` module, never executed from
    the file), and their parameters are type-checked against their signatures.

    Raises:
        ValueError: for a class that is not an rnagraph part or parameters it does not take.
    """
    from rnagraph.features._estimator import Estimator
    from rnagraph.models._file import param_type_errors
    name = value.get("part")
    module, _, qual = name.rpartition(".") if isinstance(name, str) else ("", "", "")
    cls = None
    if _MODULE.match(module) and qual.isidentifier():
        try:
            cls = getattr(importlib.import_module(module), qual, None)
        except ImportError:
            cls = None
    if not (isinstance(cls, type) and issubclass(cls, Estimator)):
        raise ValueError(f"unknown part {name!r} (not an rnagraph estimator)")
    params = value.get("params")
    if not isinstance(params, dict):
        raise ValueError(f"part {name!r}: parameters are not a mapping")
    params = {k: part_from_plain(v) if is_plain_part(v) else v for k, v in params.items()}
    bad = param_type_errors(cls, {k: v for k, v in params.items() if not is_part(v)})
    if bad:
        raise ValueError(f"part {qual}: {'; '.join(bad)}")
    # JSON has no tuples: a list read back where the signature's default is a tuple is one
    sig = inspect.signature(cls.__init__).parameters
    params = {k: tuple(v) if isinstance(v, list) and isinstance(sig[k].default, tuple) else v
              for k, v in params.items()}
    return cls(**params)


__all__ = ["resolve_params", "takes_param", "param_owner", "is_part", "part_to_plain",
           "part_from_plain", "is_plain_part", "BROADCAST"]
