"""Hyper-parameter search spaces of the registry models, as data (``rnagraph tune`` reads them).

Each tunable registry name maps its constructor parameters (the names ``rnagraph train --set``
takes) to a :class:`Param`: a type, a range or a list of choices, and whether the range is
searched on a log scale. The tuner (:func:`rnagraph.evaluate.tune.tune`) holds no per-model
code: adding or narrowing a space is an edit of :data:`SEARCH_SPACES` alone. Presets
(:data:`~rnagraph.models.registry.PRESETS`) are searched in their base model's space, the
preset's other settings kept.

Parameters that only change how long training runs (``epochs``, ``patience``: early stopping
decides) or where (``device``) are not searched; neither is ``seed``, which follows the run's.

Imports without torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: the kinds of parameter a space can hold
KINDS = ("int", "float", "categorical")


@dataclass(frozen=True)
class Param:
    """One searched parameter.

    Args:
        kind (str): ``"int"``, ``"float"`` or ``"categorical"``.
        low, high (float, optional): the closed range of an ``int`` / ``float`` parameter.
        log (bool): search the range on a log scale (``low`` must be > 0). (default: ``False``)
        choices (tuple, optional): the values of a ``categorical`` parameter (JSON scalars).
    """

    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Param: kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.kind == "categorical":
            if not self.choices or self.low is not None or self.high is not None or self.log:
                raise ValueError("Param: a categorical parameter takes choices only, e.g. "
                                 "Param('categorical', choices=(32, 64))")
            if not all(isinstance(c, (bool, int, float, str)) or c is None for c in self.choices):
                raise ValueError(f"Param: choices must be JSON scalars, got {self.choices!r}")
            return
        if self.choices is not None or self.low is None or self.high is None:
            raise ValueError(f"Param: an {self.kind} parameter takes low and high, no choices")
        if not self.low < self.high or (self.log and self.low <= 0):
            raise ValueError(f"Param: need low < high (and low > 0 on a log scale), got "
                             f"[{self.low}, {self.high}], log={self.log}")
        if self.kind == "int" and (int(self.low) != self.low or int(self.high) != self.high):
            raise ValueError(f"Param: an int range needs integer bounds, got "
                             f"[{self.low}, {self.high}]")

    def describe(self) -> str:
        """``int in [2, 256], log`` / ``one of 32, 64, 128`` (for docs and messages)."""
        if self.kind == "categorical":
            return "one of " + ", ".join(map(str, self.choices or ()))
        return f"{self.kind} in [{self.low:g}, {self.high:g}]" + (", log" if self.log else "")


def _f(low: float, high: float, log: bool = False) -> Param:
    return Param("float", low, high, log)


def _i(low: int, high: int, log: bool = False) -> Param:
    return Param("int", low, high, log)


def _c(*choices: Any) -> Param:
    return Param("categorical", choices=choices)


_SAGE = {"hidden_channels": _c(32, 64, 128), "lr": _f(1e-3, 3e-2, log=True),
         "dropout": _f(0.0, 0.5), "weight_decay": _f(1e-7, 1e-3, log=True)}
_MFERL = {"hidden_channels": _c(64, 128, 256), "lr": _f(1e-3, 3e-2, log=True),
          "dropout": _f(0.1, 0.6), "weight_decay": _f(1e-6, 1e-3, log=True),
          "cl_weight": _f(1e-3, 1e-1, log=True), "temperature": _f(0.05, 0.5, log=True),
          "heads": _c(1, 2, 4)}

#: registry name -> {constructor parameter: :class:`Param`}
SEARCH_SPACES: dict[str, dict[str, Param]] = {
    "degree": {"smoothing": _f(0.0, 5.0)},
    "node-prior": {"smoothing": _f(0.1, 10.0, log=True)},
    "prior+seed": {"C": _f(1e-3, 1e3, log=True), "objective": _c("logistic", "global-aupr")},
    "svd": {"dim": _i(2, 256, log=True)},
    "katz": {"beta": _f(1e-3, 0.5, log=True)},
    "seed-vote": {"smoothing": _f(0.1, 10.0, log=True)},
    "sage": _SAGE,
    "struct": {"hidden_channels": _c(32, 64, 128), "mlp_channels": _c(32, 64, 128),
               "lr": _f(3e-3, 1e-1, log=True), "dropout": _f(0.0, 0.5),
               "power": _f(1.0, 3.0), "degree_share": _f(0.0, 0.5),
               "corrupt_share": _f(0.0, 0.5), "rank_weight": _f(0.0, 4.0)},
    "mferl": _MFERL,
    "mferl-pair": _MFERL,
    "mferl-struct": _MFERL,
    "joint": {**_SAGE, "num_layers": _i(1, 3)},
    "joint-single": {**_SAGE, "num_layers": _i(1, 3)},
    "grmmi": {"trainer__lr": _f(3e-4, 3e-3, log=True),
              "sequence_encoder__dropout": _f(0.0, 0.5), "head__dropout": _f(0.0, 0.5),
              "sequence_encoder__conv_channels": _c(32, 64, 128),
              "sequence_encoder__hidden_channels": _c(16, 32, 64),
              "sequence_encoder__heads": _c(2, 4),
              "trainer__weight_decay": _f(1e-7, 1e-3, log=True),
              "trainer__batch_size": _c(64, 128, 256)},
    "duplex": {"hidden_channels": _c(32, 64, 128), "dropout": _f(0.0, 0.5),
               "trainer__lr": _f(3e-4, 1e-2, log=True),
               "trainer__weight_decay": _f(1e-6, 1e-2, log=True)},
    "duplex-boost": {"learning_rate": _f(0.02, 0.2, log=True),
                     "max_leaf_nodes": _c(15, 31, 63), "min_samples_leaf": _c(10, 20, 50),
                     "l2_regularization": _f(1e-3, 10.0, log=True)},
    "mitar": {"lr": _f(3e-4, 3e-3, log=True), "dropout": _f(0.0, 0.5),
              "hidden_channels": _c(16, 32, 64), "dense": _c(8, 16, 32)},
}


def search_space(name: str) -> dict[str, Param]:
    """The search space of registry model (or preset) ``name``.

    Raises:
        ValueError: an unknown model, or one without a space (the message lists those with
            one).
    """
    from rnagraph.models.registry import MODELS, PRESETS
    key = name.lower()
    base = PRESETS[key][0] if key in PRESETS else key
    if base not in MODELS:
        raise ValueError(f"unknown model {name!r}; see `rnagraph models`")
    if base not in SEARCH_SPACES:
        raise ValueError(f"model {name!r} has no search space (nothing to tune, or none "
                         f"declared in rnagraph/models/search_spaces.py); tunable: "
                         f"{', '.join(SEARCH_SPACES)}")
    return dict(SEARCH_SPACES[base])


__all__ = ["Param", "SEARCH_SPACES", "search_space", "KINDS"]
