"""Lazy package exports (PEP 562, the pattern of scientific Python's SPEC 1).

A package that calls :func:`lazy_exports` lists its public names with the submodule that defines
each; a name's submodule is imported the first time the name is read. ``import rnagraph.models``
or ``from rnagraph.datasets.registry import REGISTRY`` then loads no torch, so commands that
need no model (``rnagraph models``, ``rnagraph datasets``) start in a fraction of a second, while
``from rnagraph.models import MFERL`` works exactly as an eager import would.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types


class _LazyPackage(types.ModuleType):
    """A package module whose exports (``_lazy_exports``: name -> (submodule, attribute)) load
    on first access."""

    def __getattr__(self, name: str):  # called only for names not yet in the module
        exports = self.__dict__.get("_lazy_exports", {})
        if name in exports:
            sub, attr = exports[name]
            value = getattr(importlib.import_module(f"{self.__name__}.{sub}"), attr)
            self.__dict__[name] = value
            return value
        if not name.startswith("__") and importlib.util.find_spec(f"{self.__name__}.{name}"):
            return importlib.import_module(f"{self.__name__}.{name}")
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __setattr__(self, name: str, value) -> None:
        # Importing a submodule binds it on its package under its own name. Where an export
        # has that name (``rnagraph.datasets.synthetic``, the function, in synthetic.py), keep
        # the export, as the eager ``from .synthetic import synthetic`` did.
        exports = self.__dict__.get("_lazy_exports", {})
        if isinstance(value, types.ModuleType) and exports.get(name, ("",))[0] == name:
            value = getattr(value, exports[name][1])
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.__dict__.get("_lazy_exports", {})))


def lazy_exports(package: str, exports: dict[str, tuple[str, str]]) -> None:
    """Make the names in ``exports`` (``{name: (submodule, attribute)}``) load lazily from the
    package ``package`` (call it as ``lazy_exports(__name__, {...})`` in its ``__init__``)."""
    module = sys.modules[package]
    module.__class__ = _LazyPackage
    module.__dict__["_lazy_exports"] = dict(exports)
