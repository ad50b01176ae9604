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
FORMAT_VERSION = 2


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
    from rnagraph.models.params import is_part, part_to_plain
    params = model.get_params(deep=False)
    out = {}
    for k, v in params.items():
        if is_part(v):
            v = part_to_plain(v)
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
        if not bad:
            from rnagraph.models.params import is_plain_part, part_from_plain
            meta["params"] = {k: part_from_plain(v) if is_plain_part(v) else v
                              for k, v in meta["params"].items()}
        if bad:
            raise ValueError(f"edited hyper-parameters: {'; '.join(bad)}")
        cal = meta["calibrator"]
        if cal is not None and not all(isinstance(v, (int, float)) and math.isfinite(v)
                                       for v in cal.values()):
            raise ValueError(f"the calibrator holds a value that is not a finite number ({cal})")
        model = cls(**meta["params"])
        if not isinstance(meta["edge_type"], list):
            raise ValueError(f"edge type {meta['edge_type']!r} is not [source, relation, "
                             "destination]")
        model.edge_type_ = tuple(meta["edge_type"])
        model.graph_ = graph_from_state(obj["graph"], meta["graph"])
        model._set_state(obj["state"], meta["extra"])
        if "known_pairs" in obj:
            model.known_pairs_ = obj["known_pairs"]
        model.calibrator_ = (PlattCalibrator().load_state_dict(meta["calibrator"])
                             if meta["calibrator"] is not None else None)
        _check_consistent(model)
    except Exception as exc:  # edited or damaged metadata of any kind: one message naming it
        msg = " ".join(str(exc).split())[:300]
        raise ModelFileError(f"{path}: damaged or edited model file ({type(exc).__name__}: "
                             f"{msg}); refit the model with `rnagraph train`") from None
    return model


def _check_consistent(model: LinkModel) -> None:
    """Raise ``ValueError`` when the parts of a loaded model do not fit together: the edge type
    must be a relation of its graph, every id / sequence list and node tensor must have one
    entry per node, and every index tensor (edges, known negatives, known pairs) must be a
    ``[2, K]`` integer tensor within the node counts."""
    g = model.graph_
    et = model.edge_type_
    if len(et) != 3 or not all(isinstance(t, str) for t in et):
        raise ValueError(f"edge type {list(et)!r} is not [source, relation, destination]")
    for nt in (et[0], et[2]):
        if nt not in g.node_types:
            raise ValueError(f"edge type {list(et)} names node type {nt!r}, which the graph "
                             f"lacks (it has {', '.join(g.node_types)})")
    counts = {nt: int(g[nt].num_nodes) for nt in g.node_types}
    for nt in g.node_types:
        for key in ("ids", "seq", "seq_source", "has_seq"):   # the per-node columns
            value = g[nt].get(key)
            if value is None:
                continue
            n = value.size(0) if isinstance(value, torch.Tensor) and value.dim() else len(value)
            if n != counts[nt]:
                raise ValueError(f"{nt}.{key} has {n} entries for {counts[nt]} nodes")

    def index(name: str, t: object, src: str, dst: str) -> None:
        if not (isinstance(t, torch.Tensor) and t.dim() == 2 and t.size(0) == 2
                and not t.is_floating_point()):
            raise ValueError(f"{name} is not a [2, K] integer tensor")
        if t.numel() and (int(t.min()) < 0 or int(t[0].max()) >= counts[src]
                          or int(t[1].max()) >= counts[dst]):
            raise ValueError(f"{name} holds a node index outside the graph")

    for e in g.edge_types:
        for key in ("edge_index", "known_negatives"):
            if key in g[e]:
                index(f"{'/'.join(e)} {key}", g[e][key], e[0], e[2])
    if et not in g.edge_types and (et[2], f"rev_{et[1]}", et[0]) not in g.edge_types:
        raise ValueError(f"the graph has no {list(et)} edges")
    known = getattr(model, "known_pairs_", None)
    if known is not None:
        index("known_pairs", known, et[0], et[2])


def param_type_errors(cls: type, params: object) -> list[str]:
    """What is wrong with the types of ``params`` for ``cls`` (a :class:`LinkModel`
    subclass), read from the type hints of its ``__init__`` (``int``, ``float``, ``bool``,
    ``str``, ``list`` / ``tuple`` / ``Sequence``, ``dict``, ``None`` and unions of them; a
    parameter with another hint is not checked). Unknown names are reported too. Empty when all
    is well."""
    if not isinstance(params, dict):
        return [f"parameters are {type(params).__name__}, not a mapping"]
    import inspect
    sig = inspect.signature(cls.__init__).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in sig):
        return []
    hints = {p.name: p for p in sig if p.name != "self"
             and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    out = []
    for k, v in params.items():
        if k not in hints:
            out.append(f"{cls.__name__} has no parameter {k!r}")
            continue
        p = hints[k]
        want = expected_type(p.annotation, v)
        if want:
            default = "" if p.default is p.empty else f" (default {p.default!r})"
            out.append(f"{k} takes {want}{default}, got {v!r}")
    return out


def param_hint(cls: type, name: str) -> object:
    """The type hint of parameter ``name`` of ``cls.__init__`` (``None`` when it has none)."""
    import inspect
    p = inspect.signature(cls.__init__).parameters.get(name)
    return None if p is None or p.annotation is p.empty else p.annotation


#: type-hint names -> (what the value must be, its description)
_HINTS = {
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "float": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
              and math.isfinite(v), "a finite number"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "str": (lambda v: isinstance(v, str), "a string"),
    "Path": (lambda v: isinstance(v, str), "a path"),
    "None": (lambda v: v is None, "null"),
    "list": (lambda v: isinstance(v, (list, tuple)), "a list"),
    "tuple": (lambda v: isinstance(v, (list, tuple)), "a list"),
    "Sequence": (lambda v: isinstance(v, (list, tuple)), "a list"),
    "dict": (lambda v: isinstance(v, dict), "a mapping"),
    "Mapping": (lambda v: isinstance(v, dict), "a mapping"),
}


def expected_type(hint: object, value: object) -> str | None:
    """The type ``value`` should have under the type hint ``hint`` (a string, as written under
    ``from __future__ import annotations``, or a type), or ``None`` when it fits or the hint is
    not one this check reads."""
    if isinstance(hint, type):
        hint = hint.__name__
    if not isinstance(hint, str) or not hint:
        return None
    parts = []
    for part in hint.split("|"):
        name = part.strip().split("[", 1)[0].rsplit(".", 1)[-1]
        if name.startswith("Optional"):
            return None
        if name not in _HINTS:
            return None   # a hint this check does not read: trust the value
        parts.append(_HINTS[name])
    if any(ok(value) for ok, _ in parts):
        return None
    names = list(dict.fromkeys(desc for _, desc in parts))
    return " or ".join(names)


__all__ = ["save_model", "load_model", "ModelFileError", "FORMAT_VERSION", "param_type_errors",
           "expected_type", "param_hint"]
