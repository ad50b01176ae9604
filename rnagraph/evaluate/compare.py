"""Cross-validate several models on the same folds and tabulate them side by side."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.evaluate.cross_validate import _finish, _plan, cross_validate, run_plans
from rnagraph.evaluate.engine import Engine, LocalEngine, make_engine
from rnagraph.evaluate.results import CVResult
from rnagraph.evaluate.store import write_json
from rnagraph.io.atomic import atomic_write
from rnagraph.typing import EdgeType


def compare_models(models: Mapping[str, object], data: HeteroData, edge_type: EdgeType,
                   folds: Sequence[Fold], out_dir: str | Path | None = None,
                   engine: str | Engine = "local", address: str | None = None,
                   **cv_kwargs) -> dict[str, CVResult]:
    """Run :func:`~rnagraph.evaluate.cross_validate` for each named model on the **same** folds.

    With the local engine the models run one after the other (each with ``n_jobs`` worker
    processes); with ``engine="ray"`` every (model, fold) pair is one Ray task of a single
    batch, so a cluster works on all of them at once. The results are the same.

    Args:
        models: ``{name: model}``; each model follows the ``fit`` / ``score`` contract.
        out_dir: if given, each model writes into ``out_dir/<name>``.
        engine (str | Engine): ``"local"``, ``"ray"`` or an engine object, as for
            :func:`~rnagraph.evaluate.cross_validate`. (default: ``"local"``)
        address (str, optional): with ``engine="ray"``, the Ray cluster to run on.
        **cv_kwargs: passed to :func:`~rnagraph.evaluate.cross_validate`.

    Returns:
        dict[str, CVResult]: in the order of ``models``.
    """
    eng = make_engine(engine, cv_kwargs.get("n_jobs", 1), address)
    subs = {name: None if out_dir is None else Path(out_dir) / name for name in models}
    if isinstance(eng, LocalEngine):
        return {name: cross_validate(model, data, edge_type, folds, out_dir=subs[name],
                                     engine=eng, **cv_kwargs)
                for name, model in models.items()}
    unknown = set(cv_kwargs) - {"threshold", "resume", "progress", "curves", "ranking_ks",
                                "n_jobs"}
    if unknown:
        raise TypeError(f"compare_models: unexpected arguments {sorted(unknown)}")
    kw = {"threshold": 0.5, "resume": True, "progress": True, "curves": True,
          "ranking_ks": None, **cv_kwargs}
    kw.pop("n_jobs", None)
    plans = {name: _plan(model, data, edge_type, folds, subs[name], kw["threshold"],
                         kw["resume"], kw["ranking_ks"]) for name, model in models.items()}
    run_plans(list(plans.values()), data, kw["threshold"], kw["ranking_ks"], eng,
              kw["progress"], f"CV {len(plans)} models")
    return {name: _finish(p, data, edge_type, folds, kw["curves"]) for name, p in plans.items()}


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
