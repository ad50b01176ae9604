"""Model files: a fitted :class:`~rnagraph.models.base.LinkModel` as tensors and JSON.

The file is a :func:`torch.save` archive of a dict holding only tensors, strings and numbers;
it is read with ``torch.load(weights_only=True)``, so loading never unpickles arbitrary objects.
It stores the format and library versions, the model class (looked up among the imported
``LinkModel`` subclasses, never imported from the file), its hyper-parameters, the fitted state,
the calibrator and the graph the model was fitted on (node ids, sequences, known interactions).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import torch

from rnagraph.data.serialize import graph_from_state, graph_to_state
from rnagraph.io.atomic import atomic_path
from rnagraph.models.base import LinkModel
from rnagraph.train.calibration import PlattCalibrator

FORMAT = "rnagraph-model"
#: bump when the layout of the file changes; older files then fail with a clear message
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A model file cannot be read: missing, truncated, corrupted, or of another version."""


def _classes() -> dict[str, type[LinkModel]]:
    import rnagraph.models
    for name in rnagraph.models.__all__:  # the exports load lazily: import them all, which
        getattr(rnagraph.models, name)    # registers the library's own models
    out: dict[str, type[LinkModel]] = {}
    todo = list(LinkModel.__subclasses__())
    while todo:
        c = todo.pop()
        out[f"{c.__module__}.{c.__qualname__}"] = c
        todo.extend(c.__subclasses__())
    return out


def save_model(model: LinkModel, path: str | Path) -> Path:
    """Write ``model`` (fitted) to ``path`` atomically; returns ``path``."""
    from rnagraph import __version__
    model._check_fitted()
    path = Path(path)
    tensors, extra = model._get_state()
    g_tensors, g_meta = graph_to_state(model.graph_)
    cfg = _params(model)
    cal = model.calibrator_.state_dict() if model.calibrator_ is not None else None
    obj = {"format": FORMAT, "format_version": FORMAT_VERSION, "library_version": __version__,
           "class": f"{type(model).__module__}.{type(model).__qualname__}",
           "json": json.dumps({"params": cfg, "edge_type": list(model.edge_type_),
                               "extra": extra, "calibrator": cal, "graph": g_meta}),
           "state": {k: v.detach().cpu() for k, v in tensors.items()},
           "graph": g_tensors}
    known = getattr(model, "known_pairs_", None)
    if known is not None:
        obj["known_pairs"] = known.detach().cpu()
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)
    return path


def _params(model: LinkModel) -> dict:
    params = model.get_params(deep=False)
    out = {}
    for k, v in params.items():
        try:
            json.dumps(v)
        except TypeError as exc:
            raise ValueError(f"{type(model).__name__}.save: parameter {k}={v!r} cannot be stored "
                             "in a model file (only numbers, strings, lists and dicts)") from exc
        out[k] = v
    return out


def load_model(path: str | Path) -> LinkModel:
    """Read a model written by :meth:`LinkModel.save`.

    Raises:
        ModelFileError: one clear message for a missing, truncated, corrupted or foreign file,
            or one written by another format version.
    """
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory, not a model file; give the file written "
                             "by `rnagraph train --save` (e.g. model.rg)")
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # zip / unpickling errors of every kind: one message
        raise ModelFileError(f"{path}: not a readable rnagraph model file (truncated or "
                             f"corrupted: {type(exc).__name__})") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an rnagraph model file")
    version = obj.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(f"{path}: model file format version {version} (written by rnagraph "
                             f"{obj.get('library_version')}); this rnagraph reads version "
                             f"{FORMAT_VERSION}: refit the model with `rnagraph train`")
    classes = _classes()
    name = obj.get("class")
    cls = classes.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ModelFileError(f"{path}: unknown model class {name!r}")
    try:
        meta = json.loads(obj["json"])
        bad = param_type_errors(cls, meta["params"])
        if bad:
            raise ValueError(f"edited hyper-parameters: {'; '.join(bad)}")
        cal = meta["calibrator"]
        if cal is not None and not all(isinstance(v, (int, float)) and math.isfinite(v)
                                       for v in cal.values()):
            raise ValueError(f"the calibrator holds a value that is not a finite number ({cal})")
        model = cls(**meta["params"])
        model.edge_type_ = tuple(meta["edge_type"])
        model.graph_ = graph_from_state(obj["graph"], meta["graph"])
        model._set_state(obj["state"], meta["extra"])
        if "known_pairs" in obj:
            model.known_pairs_ = obj["known_pairs"]
        model.calibrator_ = (PlattCalibrator().load_state_dict(meta["calibrator"])
                             if meta["calibrator"] is not None else None)
    except Exception as exc:  # edited or damaged metadata of any kind: one message naming it
        msg = " ".join(str(exc).split())[:300]
        raise ModelFileError(f"{path}: damaged or edited model file ({type(exc).__name__}: "
                             f"{msg}); refit the model with `rnagraph train`") from None
    return model


def param_type_errors(cls: type, params: object) -> list[str]:
    """What is wrong with the types of ``params`` for ``cls`` (a :class:`LinkModel`
    subclass): each value must have the type of the parameter's default (an integer where the
    default is an integer, a number where it is a float, ``true``/``false`` for a flag, a
    string for a string, a list for a list; a ``None`` default takes anything). Unknown names
    are reported too. Empty when all is well."""
    if not isinstance(params, dict):
        return [f"parameters are {type(params).__name__}, not a mapping"]
    import inspect
    sig = inspect.signature(cls.__init__).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in sig):
        return []
    defaults = {p.name: None if p.default is p.empty else p.default for p in sig
                if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    out = []
    for k, v in params.items():
        if k not in defaults:
            out.append(f"{cls.__name__} has no parameter {k!r}")
            continue
        want = expected_type(defaults[k], v)
        if want:
            out.append(f"{k} takes {want} (default {defaults[k]!r}), got {v!r}")
    return out


def expected_type(default: object, value: object) -> str | None:
    """The type ``value`` should have, or ``None`` when it fits ``default``'s."""
    if default is None:
        return None
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "true or false"
    if isinstance(default, int):
        return None if isinstance(value, int) and not isinstance(value, bool) else "an integer"
    if isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok and math.isfinite(value) else "a finite number"
    if isinstance(default, str):
        return None if isinstance(value, str) else "a string"
    if isinstance(default, (list, tuple)):
        return None if isinstance(value, (list, tuple)) else "a list"
    return None


__all__ = ["save_model", "load_model", "ModelFileError", "FORMAT_VERSION", "param_type_errors",
           "expected_type"]
