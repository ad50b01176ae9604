"""Cross-validate several models on the same folds and tabulate them side by side."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.evaluate.cross_validate import cross_validate
from rnagraph.evaluate.results import CVResult
from rnagraph.typing import EdgeType


def compare_models(models: Mapping[str, object], data: HeteroData, edge_type: EdgeType,
                   folds: Sequence[Fold], out_dir: str | Path | None = None,
                   **cv_kwargs) -> dict[str, CVResult]:
    """Run :func:`~rnagraph.evaluate.cross_validate` for each named model on the **same** folds.

    Args:
        models: ``{name: model}``; each model follows the ``fit`` / ``score`` contract.
        out_dir: if given, each model writes into ``out_dir/<name>``.
        **cv_kwargs: passed to :func:`~rnagraph.evaluate.cross_validate`.

    Returns:
        dict[str, CVResult]: in the order of ``models``.
    """
    out: dict[str, CVResult] = {}
    for name, model in models.items():
        sub = None if out_dir is None else Path(out_dir) / name
        out[name] = cross_validate(model, data, edge_type, folds, out_dir=sub, **cv_kwargs)
    return out


__all__ = ["compare_models"]
