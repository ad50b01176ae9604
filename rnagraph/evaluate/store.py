"""The run store: fingerprints of a fold's run, and the JSON files a run writes (atomically).

A stored fold result is reused on resume only when its fingerprint matches: the model's class and
every hyper-parameter (nested dicts included), the library version, the fold's pairs and the
evaluation options.
"""
from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Sequence

import numpy as np
from torch import Tensor

from rnagraph.data.fold import EXTRA_TESTS, Fold
from rnagraph.io.atomic import atomic_write

_SIMPLE = (int, float, str, bool, type(None))


def _plain(v: object) -> tuple[bool, object]:
    """``(True, JSON-ready value)`` for simple values and (nested) lists, tuples and dicts of
    them; ``(False, None)`` for anything else (modules, callables, arrays)."""
    if isinstance(v, _SIMPLE):
        return True, v
    if isinstance(v, (list, tuple)):
        items = [_plain(x) for x in v]
        return all(ok for ok, _ in items), [x for _, x in items]
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):
        items = {k: _plain(x) for k, x in sorted(v.items())}
        return all(ok for ok, _ in items.values()), {k: x for k, (_, x) in items.items()}
    return False, None


def model_config(model: object) -> dict:
    """Class name, library version and every plain hyper-parameter of ``model`` (simple values,
    and lists / tuples / dicts of them, nested), stable across runs."""
    from rnagraph import __version__
    if hasattr(model, "get_params"):
        params = model.get_params(deep=False) if _takes_deep(model) else model.get_params()
    else:
        params = {k: v for k, v in vars(model).items()
                  if not k.startswith("_") and not k.endswith("_")}
    from rnagraph.models.params import is_part, part_to_plain
    out = {}
    for k, v in params.items():
        if is_part(v):
            v = part_to_plain(v)
        ok, plain = _plain(v)
        if ok:
            out[k] = plain
    out.pop("training", None)
    return {"class": f"{type(model).__module__}.{type(model).__qualname__}", "params": out,
            "version": __version__}


def _takes_deep(model: object) -> bool:
    import inspect
    try:
        return "deep" in inspect.signature(model.get_params).parameters
    except (TypeError, ValueError):
        return False


def _digest(*tensors: Tensor) -> str:
    h = hashlib.sha1()
    for t in tensors:
        h.update(np.ascontiguousarray(t.detach().cpu().numpy()).tobytes())
    return h.hexdigest()


def fold_fingerprint(model: object, fold: Fold, threshold: float | str,
                     ranking_ks: Sequence[int] | None) -> dict:
    """What must match for a stored fold result to be reused on resume."""
    return {"model": model_config(model), "edge_type": list(fold.edge_type),
            "fold": fold.index, "mode": fold.mode, "protocol": fold.protocol,
            "threshold": threshold, "ranking_ks": list(ranking_ks) if ranking_ks else None,
            "meta": {k: v for k, v in fold.meta.items() if isinstance(v, _SIMPLE)},
            "train": _digest(fold.train.edge_label_index, fold.train.edge_label),
            "val": _digest(fold.val.edge_label_index, fold.val.edge_label),
            "test": _digest(fold.test.edge_label_index, fold.test.edge_label),
            **({EXTRA_TESTS: {k: _digest(v.edge_label_index, v.edge_label)
                              for k, v in sorted(fold.meta[EXTRA_TESTS].items())}}
               if fold.meta.get(EXTRA_TESTS) else {})}


def fingerprints_match(stored: dict, current: dict, model: object) -> bool:
    """Whether a stored fold record may be reused for ``model`` with fingerprint ``current``:
    the fingerprints are equal, or equal once the hyper-parameters that ``model``'s class
    gained after the record was written (absent from it) are filled in, each of them set to
    its default in ``model`` (an option added at its default leaves the model as it was)."""
    if stored == current:
        return True
    sm, cm = stored.get("model") or {}, current.get("model") or {}
    sp, cp = sm.get("params"), cm.get("params")
    if not isinstance(sp, dict) or not isinstance(cp, dict):
        return False
    import inspect
    try:
        sig = inspect.signature(type(model).__init__).parameters
    except (TypeError, ValueError):
        return False
    new = set(cp) - set(sp)
    for k in new:
        default = sig[k].default if k in sig else inspect.Parameter.empty
        if default is inspect.Parameter.empty or getattr(model, k, default) != default:
            return False
    filled = {**sm, "params": {**sp, **{k: cp[k] for k in new}}}
    return bool(new) and {**stored, "model": filled} == current


def fingerprint_mismatch(stored: dict, current: dict) -> str:
    """Say what differs between two :func:`fold_fingerprint` s, for the resume error: the
    library version, the model class, the names of changed hyper-parameters, the fold's pairs
    or the evaluation options."""
    diffs = []
    sm, cm = stored.get("model") or {}, current.get("model") or {}
    if sm.get("version") != cm.get("version"):
        diffs.append(f"library version {sm.get('version') or 'unrecorded'} (stored) vs "
                     f"{cm.get('version')} (now)")
    if sm.get("class") != cm.get("class"):
        diffs.append(f"model {sm.get('class')} (stored) vs {cm.get('class')} (now)")
    else:
        sp, cp = sm.get("params") or {}, cm.get("params") or {}
        changed = sorted(k for k in set(sp) | set(cp) if sp.get(k) != cp.get(k))
        if changed:
            diffs.append("model parameter(s) " + ", ".join(changed))
    pairs = [k for k in ("train", "val", "test") if stored.get(k) != current.get(k)]
    if pairs:
        diffs.append("the fold's " + "/".join(pairs) + " pairs")
    other = sorted(k for k in set(stored) | set(current)
                   if k not in ("model", "train", "val", "test")
                   and stored.get(k) != current.get(k))
    if other:
        diffs.append("option(s) " + ", ".join(other))
    return "; ".join(diffs) or "the stored fingerprint cannot be compared"


def _json_default(x: object) -> object:
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x)}")


def dump_json(obj: object) -> str:
    def clean(v: object) -> object:  # NaN is not JSON: store null
        if isinstance(v, float) and math.isnan(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v
    return json.dumps(clean(obj), indent=1, default=_json_default)


def load_fold_record(path: Path) -> dict:
    rec = json.loads(path.read_text())
    rec["metrics"] = {k: (math.nan if v is None else v) for k, v in rec["metrics"].items()}
    return rec


def write_json(path: Path, obj: object) -> None:
    """:func:`dump_json` ``obj`` to ``path`` atomically."""
    atomic_write(path, dump_json(obj))


__all__ = ["model_config", "fold_fingerprint", "fingerprint_mismatch", "dump_json", "write_json",
           "load_fold_record"]
