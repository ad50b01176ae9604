"""Cross-validate several models on the same folds and tabulate them side by side."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.train.cross_validate import CVResult, cross_validate
from rnagraph.train.metrics import METRICS
from rnagraph.typing import EdgeType


def compare_models(models: Mapping[str, object], data: HeteroData, edge_type: EdgeType,
                   folds: Sequence[Fold], out_dir: str | Path | None = None,
                   **cv_kwargs) -> dict[str, CVResult]:
    """Run :func:`~rnagraph.train.cross_validate` for each named model on the **same** folds.

    Args:
        models: ``{name: model}``; each model follows the ``fit`` / ``score`` contract.
        out_dir: if given, each model writes into ``out_dir/<name>``.
        **cv_kwargs: passed to :func:`~rnagraph.train.cross_validate`.

    Returns:
        dict[str, CVResult]: in the order of ``models``.
    """
    out: dict[str, CVResult] = {}
    for name, model in models.items():
        sub = None if out_dir is None else Path(out_dir) / name
        out[name] = cross_validate(model, data, edge_type, folds, out_dir=sub, **cv_kwargs)
    return out


def results_table(results: Mapping[str, CVResult], metrics: Sequence[str] = METRICS,
                  digits: int = 3) -> str:
    """A Markdown table: one row per model, ``mean ± std`` over folds for each metric, and the
    protocol and split mode in the caption line (so a leaky table is never mistaken)."""
    if not results:
        raise ValueError("results_table: no results")
    first = next(iter(results.values()))
    protocols = {r.protocol for r in results.values()}
    tag = ("PAPER PROTOCOL (leaky: graph features see test edges)" if protocols == {"paper"}
           else "leakage-free" if protocols == {"leakage-free"} else "MIXED protocols")
    n = len(first.folds)
    head = (f"{first.edge_type[0]}–{first.edge_type[2]} · {first.mode} · {tag} · "
            f"{n} folds · mean ± std")
    cols = ["model", *metrics]
    lines = [head, "", "| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for name, r in results.items():
        lines.append("| " + " | ".join([name] + [r.summary(m, digits) for m in metrics]) + " |")
    return "\n".join(lines)
