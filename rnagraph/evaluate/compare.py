"""Cross-validate several models on the same folds and tabulate them side by side."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.evaluate.cross_validate import cross_validate
from rnagraph.evaluate.results import CVResult
from rnagraph.evaluate.store import write_json
from rnagraph.io.atomic import atomic_write
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


def pool_over_seeds(per_seed: Mapping[int, Mapping[str, CVResult]],
                    out_dir: str | Path | None = None) -> dict[str, CVResult]:
    """Pool the runs of several seeds: per model, one :class:`CVResult` holding the folds of
    every seed, so ``mean`` / ``std`` / tables give mean ± std over **all folds of all seeds**
    (not over the seeds' means).

    Each seed is a whole run (its own split and model seed), e.g. ``{seed: compare_models(...)}``.
    The pooled ``folds`` are those of the first seed, then of the second, ..., numbered
    ``0 .. n - 1`` in that order (``"fold"``), so every pooled fold has its own number.

    Args:
        per_seed: ``{seed: {name: CVResult}}``; every seed must hold the same models, edge type,
            protocol and split mode.
        out_dir (str | Path, optional): if given, each model's pooled ``metrics.json`` (the
            usual fields plus ``"seeds"`` and ``"folds_per_seed"``) and ``predictions.csv``
            (the seeds' files with a ``seed`` column in front and the pooled fold numbers) are
            written to ``out_dir/<name>`` (where ``rnagraph report`` reads them); the seeds'
            own runs stay where they were written.

    Returns:
        dict[str, CVResult]: in the order of the first seed's models.
    """
    if not per_seed:
        raise ValueError("pool_over_seeds: no seeds")
    seeds = list(per_seed)
    first = per_seed[seeds[0]]
    for s in seeds[1:]:
        if list(per_seed[s]) != list(first):
            raise ValueError(f"pool_over_seeds: seed {s} has models {list(per_seed[s])}, seed "
                             f"{seeds[0]} {list(first)}; pool runs of the same models")
    out: dict[str, CVResult] = {}
    for name, r0 in first.items():
        runs = [per_seed[s][name] for s in seeds]
        for s, r in zip(seeds, runs):
            if (tuple(r.edge_type), r.protocol, r.mode) != (tuple(r0.edge_type), r0.protocol,
                                                            r0.mode):
                raise ValueError(f"pool_over_seeds: {name} of seed {s} is a {r.protocol} / "
                                 f"{r.mode} run of {r.edge_type}, that of seed {seeds[0]} a "
                                 f"{r0.protocol} / {r0.mode} run of {r0.edge_type}")
        folds = [f for r in runs for f in r.folds]
        pooled = CVResult(model=r0.model, edge_type=tuple(r0.edge_type), protocol=r0.protocol,
                          mode=r0.mode, folds=[{**f, "fold": n} for n, f in enumerate(folds)],
                          fit_info=[i for r in runs for i in r.fit_info])
        if out_dir is not None:
            pooled.out_dir = Path(out_dir) / name
            _write_pooled(pooled.out_dir, pooled, seeds, runs)
        out[name] = pooled
    return out


def _write_pooled(out: Path, pooled: CVResult, seeds: list[int], runs: list[CVResult]) -> None:
    import csv
    import io
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "metrics.json", {**pooled.to_dict(), "seeds": seeds,
                                      "folds_per_seed": [len(r.folds) for r in runs]})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    n = 0
    for i, (s, r) in enumerate(zip(seeds, runs)):
        pred = None if r.out_dir is None else Path(r.out_dir) / "predictions.csv"
        if pred is None or not pred.is_file():
            return  # a seed without stored predictions: no pooled file
        number = {int(f["fold"]): n + j for j, f in enumerate(r.folds)}
        n += len(r.folds)
        with open(pred, encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            head = next(rows)
            if i == 0:
                w.writerow(["seed", *head])
            at = head.index("fold")
            for row in rows:  # the seed's fold numbers -> the pooled ones
                row[at] = str(number[int(row[at])])
                w.writerow([s, *row])
    atomic_write(out / "predictions.csv", buf.getvalue())


__all__ = ["compare_models", "pool_over_seeds"]
