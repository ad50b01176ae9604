"""Model files: a fitted :class:`~rnagraph.models.base.LinkModel` as tensors and JSON.

The file is a :func:`torch.save` archive of a dict holding only tensors, strings and numbers;
it is read with ``torch.load(weights_only=True)``, so loading never unpickles arbitrary objects.
It stores the format and library versions, the model class (looked up among the imported
``LinkModel`` subclasses, never imported from the file), its hyper-parameters, the fitted state,
the calibrator and the graph the model was fitted on (node ids, sequences, known interactions).
"""
from __future__ import annotations

import json
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
    import rnagraph.models  # noqa: F401  (registers the library's own models)
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
    cls = classes.get(obj.get("class"))
    if cls is None:
        raise ModelFileError(f"{path}: unknown model class {obj.get('class')!r}")
    try:
        meta = json.loads(obj["json"])
        model = cls(**meta["params"])
        model.edge_type_ = tuple(meta["edge_type"])
        model.graph_ = graph_from_state(obj["graph"], meta["graph"])
        model._set_state(obj["state"], meta["extra"])
        if "known_pairs" in obj:
            model.known_pairs_ = obj["known_pairs"]
        model.calibrator_ = (PlattCalibrator().load_state_dict(meta["calibrator"])
                             if meta["calibrator"] is not None else None)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise ModelFileError(f"{path}: damaged model file ({type(exc).__name__}: {exc})") \
            from None
    return model


__all__ = ["save_model", "load_model", "ModelFileError", "FORMAT_VERSION"]
