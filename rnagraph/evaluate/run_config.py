"""Resolved run configurations: what a command was run with, written beside its outputs, and
read back to replay the run (``rnagraph <command> --config FILE``).

A configuration is a JSON object::

    {"rnagraph_run": 1, "command": "cv", "args": {...every option...}, "seed": 0,
     "dataset_hash": "sha1 of the graph", "versions": {"rnagraph": ..., "torch": ...}}

Replaying takes every option from ``args`` unless it is given again on the command line; the
dataset hash is checked so a replay on different data is refused rather than silently differing.
"""
from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

import numpy as np
from torch_geometric.data import HeteroData

from rnagraph.io.atomic import atomic_write
from rnagraph.io.errors import InputError

#: the layout version of configuration files
CONFIG_VERSION = 1


def graph_hash(data: HeteroData) -> str:
    """SHA-1 of a graph's content: node types, ids, sequences and every ``edge_index`` (in a
    fixed order), so two loads of the same data agree and any edited id, sequence or pair
    changes it."""
    h = hashlib.sha1()
    for nt in sorted(data.node_types):
        store = data[nt]
        h.update(f"node:{nt}:{int(store.num_nodes)}".encode())
        for key in ("ids", "seq"):
            vals = getattr(store, key, None)
            if vals is not None:
                h.update(("\x1f".join("" if v is None else str(v) for v in vals)).encode())
    for et in sorted(data.edge_types):
        if "edge_index" in data[et]:
            h.update(f"edge:{'/'.join(et)}".encode())
            h.update(np.ascontiguousarray(data[et].edge_index.cpu().numpy()).tobytes())
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Versions of rnagraph and the libraries that decide its numbers."""
    import sklearn
    import torch
    import torch_geometric

    from rnagraph import __version__
    return {"rnagraph": __version__, "torch": torch.__version__,
            "torch_geometric": torch_geometric.__version__, "numpy": np.__version__,
            "scikit-learn": sklearn.__version__, "python": platform.python_version()}


def _plain(v: object) -> object:
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def resolve_config(command: str, args: dict, *, seed: int | None = None,
                   dataset_hash: str | None = None) -> dict:
    """The configuration of one run: ``command``, its options ``args`` (paths as strings),
    the seed, the dataset hash and :func:`versions`."""
    return {"rnagraph_run": CONFIG_VERSION, "command": command, "args": _plain(args),
            "seed": seed, "dataset_hash": dataset_hash, "versions": versions()}


def write_config(path: str | Path, config: dict) -> Path:
    """Write ``config`` as indented JSON, atomically."""
    return atomic_write(path, json.dumps(config, indent=1, sort_keys=True) + "\n")


def read_config(path: str | Path, command: str) -> dict:
    """Read a configuration written by :func:`write_config` for ``command``.

    Raises:
        InputError: not a JSON file, not a run configuration, or one of another command.
    """
    from rnagraph.io import open_text
    with open_text(path) as fh:
        text = fh.read()
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}); pass a config.json written by an "
                         "rnagraph run", path, exc.lineno) from None
    if not isinstance(cfg, dict) or "rnagraph_run" not in cfg or not isinstance(
            cfg.get("args"), dict):
        raise InputError("not an rnagraph run configuration (no 'rnagraph_run' / 'args')", path)
    if cfg["rnagraph_run"] != CONFIG_VERSION:
        raise InputError(f"configuration version {cfg['rnagraph_run']}, this rnagraph reads "
                         f"{CONFIG_VERSION}", path)
    if cfg.get("command") != command:
        raise InputError(f"a configuration of `rnagraph {cfg.get('command')}`, not of "
                         f"`rnagraph {command}`", path)
    return cfg


__all__ = ["graph_hash", "versions", "resolve_config", "write_config", "read_config",
           "CONFIG_VERSION"]
