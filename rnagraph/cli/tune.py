"""``rnagraph tune``: an Optuna search of a model's hyper-parameters on validation pairs.

A thin wrapper: the folds are those ``rnagraph cv`` makes with the same options
(:func:`~rnagraph.data.kfold_link_split`), :func:`~rnagraph.evaluate.tune.tune` runs the
search (test pairs never read), :func:`~rnagraph.evaluate.tune.plot_search` draws it. The
run folder holds the study (``study.journal``, resumable), ``tune.json`` (every trial),
``search.png`` and the best configuration as ``best.train.json`` / ``best.cv.json``, which
``rnagraph train --config`` and ``rnagraph cv --config`` replay. torch and Optuna are
imported inside the function, so ``rnagraph --help`` stays fast.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from rnagraph.cli._common import (
    CLIError,
    check_seed,
    console,
    load_data,
    parse_float,
)

#: the files of a tune run folder (``--force`` removes them)
RUN_FILES = ("study.journal", "tune.json", "search.png", "best.train.json", "best.cv.json")
#: the metrics ``--metric`` takes (as :data:`rnagraph.evaluate.tune.METRICS`, without torch)
METRICS = ("auc", "aupr", "global-aupr", "mrr")


def _set_args(params: dict) -> list[str]:
    """``{"dim": 8}`` -> ``["dim=8"]``: values as JSON, which ``--set`` reads back."""
    return [f"{k}={json.dumps(v)}" for k, v in sorted(params.items())]


def tune(
    model: str = typer.Option(..., help="model name with a search space (see "
                              "docs/models.md, `rnagraph models`)"),
    dataset: Optional[str] = typer.Option(None, help="dataset name (see `rnagraph datasets`) "
                                          "or 'synthetic'"),
    pairs: Optional[Path] = typer.Option(None, help="your pair file (CSV/TSV, .gz ok)"),
    fasta: list[str] = typer.Option([], help="sequence file, repeatable; TYPE=FILE names its "
                                    "node type"),
    columns: str = typer.Option("1,2", help="the pair file's source and destination columns"),
    edge_type: Optional[str] = typer.Option(None, help="circ-mirna or mirna-mrna"),
    trials: int = typer.Option(20, min=1, help="completed trials the study should hold (a "
                               "rerun with more continues it)"),
    metric: str = typer.Option("auc", help="validation objective: auc, aupr, global-aupr "
                               "or mrr"),
    folds: int = typer.Option(5, min=2, help="folds (as rnagraph cv); trials score their "
                              "validation pairs"),
    ratio: float = typer.Option(1.0, help="negatives per positive"),
    mode: str = typer.Option("warm", help="warm, cold-src, cold-dst, cold-both"),
    negatives: str = typer.Option("uniform", help="validation / test negatives: uniform, "
                                  "degree or hard"),
    seed: int = typer.Option(0, help="seed of the split, the sampler and the model (and of "
                             "the synthetic graph)"),
    root: Optional[Path] = typer.Option(None, help="data root (default: $RNAGRAPH_DATA)"),
    out: Path = typer.Option(..., help="run folder: the study (resumable), tune.json, "
                             "search.png, best.train.json, best.cv.json"),
    force: bool = typer.Option(False, help="replace a different study in --out"),
    jobs: int = typer.Option(1, min=1, help="trials drawn and evaluated at a time (their "
                             "folds in parallel processes; torch threads are divided among "
                             "them); the same --jobs gives the same trials on every engine"),
    engine: str = typer.Option("local", help="local (this process / --jobs processes) or ray "
                               "(each trial x fold a Ray task; pip install \"rnagraph[ray]\"; "
                               "see docs/cluster.md)"),
    address: Optional[str] = typer.Option(None, help="with --engine ray: the Ray cluster, e.g. "
                                          "auto or ray://head:10001 (default: a local runtime "
                                          "of --jobs CPUs)"),
) -> None:
    """Search a model's hyper-parameters with Optuna (TPE) on validation pairs, never test.

    Each trial fits the model on every fold's training pairs and scores the fold's validation
    pairs; the objective is the mean over folds. --jobs trials are drawn at a time and their
    folds run on --engine (this machine's processes, or Ray tasks); the same --jobs and seed
    give the same trials on either engine. The study is kept in OUT/study.journal: a
    rerun with the same options and a larger --trials continues it; other options are
    refused (or replaced with --force). The best configuration is written as
    OUT/best.train.json and OUT/best.cv.json.

    Example: rnagraph tune --model svd --dataset cmi-9589 --trials 30 --metric aupr --out runs/t

    Then: rnagraph train --config runs/t/best.train.json --save svd.rg
    """
    import importlib.util
    if metric not in METRICS:
        raise CLIError(f"--metric {metric!r}: choose one of {', '.join(METRICS)}")
    from rnagraph.models.search_spaces import search_space
    try:
        space = search_space(model)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if importlib.util.find_spec("optuna") is None:
        from rnagraph.evaluate.tune import INSTALL_HINT
        raise CLIError(INSTALL_HINT)
    check_seed(seed)
    parse_float("ratio", float(ratio), 0.0, 1000.0, lo_open=True)
    from rnagraph.cli.cv import check_engine, check_protocol
    check_protocol(mode, "leakage-free", negatives, False)
    check_engine(engine, address)
    _prepare(out)

    import optuna

    from rnagraph.cli.train import check_contract, check_sequences
    from rnagraph.data import kfold_link_split
    from rnagraph.evaluate.run_config import graph_hash, resolve_config, write_config
    from rnagraph.evaluate.tune import StudyMismatchError, plot_search
    from rnagraph.evaluate.tune import tune as run_tune
    from rnagraph.io.atomic import atomic_write
    from rnagraph.models import get_model

    data, et = load_data(dataset, pairs, list(fasta), edge_type, columns, root, seed)
    m = get_model(model)
    check_sequences(m, model, data, et)
    check_contract(m, model)
    fold_list = kfold_link_split(data, et, k=folds, neg_ratio=ratio, mode=mode, seed=seed,
                                 negatives=negatives)
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # our bar and summary instead
    console.print(f"tuning {model} ({', '.join(space)}) on the validation pairs of {folds} "
                  f"folds, {metric}", highlight=False, soft_wrap=True)
    spec = {"dataset": dataset, "pairs": str(pairs) if pairs else None, "folds": folds,
            "ratio": ratio, "mode": mode, "negatives": negatives}
    kw = {"spec": spec, "progress": True, "n_jobs": jobs, "engine": engine,
          "address": address}
    try:
        result = run_tune(model, data, et, fold_list, trials, metric, out / "study.journal",
                          seed, **kw)
    except StudyMismatchError as exc:
        if not force:
            raise CLIError(f"{exc}; or pass --force to replace it") from None
        for name in RUN_FILES:
            (out / name).unlink(missing_ok=True)
        console.print(f"--force: removed the other study in {out}", highlight=False)
        result = run_tune(model, data, et, fold_list, trials, metric, out / "study.journal",
                          seed, **kw)
    h = graph_hash(data)
    sets = _set_args(result.best_params)
    et_name = {("circrna", "binds", "mirna"): "circ-mirna",
               ("mirna", "targets", "mrna"): "mirna-mrna"}[tuple(et)]
    train_cfg = resolve_config("train", {
        "model": model, "dataset": dataset, "pairs": pairs, "fasta": list(fasta),
        "edge_type": et_name, "columns": columns, "root": root, "val_ratio": 0.1,
        "ratio": ratio, "seed": seed, "set": sets, "save": str(out / "best.rg")},
        seed=seed, dataset_hash=h)
    written = [write_config(out / "best.train.json", train_cfg)]
    circ = [f.split("=", 1)[1] for f in fasta if f.startswith("circrna=")]
    if dataset is not None and len(circ) == len(fasta):
        cv_cfg = resolve_config("cv", {
            "dataset": dataset, "model": model, "edge_type": et_name, "folds": folds,
            "ratio": ratio, "mode": mode, "protocol": "leakage-free", "negatives": negatives,
            "ranking": metric in ("global-aupr", "mrr"), "twins": False, "threshold": "0.5",
            "seed": seed, "seeds": None, "root": root,
            "circrna_fasta": circ[0] if circ else None, "out": None, "jobs": 1, "set": sets},
            seed=seed, dataset_hash=h)
        written.append(write_config(out / "best.cv.json", cv_cfg))
    else:
        (out / "best.cv.json").unlink(missing_ok=True)
        console.print("note: rnagraph cv reads named datasets only (sequences: circRNA): no "
                      "best.cv.json for --pairs / other --fasta", highlight=False,
                      soft_wrap=True)
    summary = {"model": model, "metric": metric, "best_value": result.best_value,
               "best_trial": result.best_trial, "best_params": result.best_params,
               "set": sets, "trials": [
                   {"number": n, "value": v, "params": p, "fold_values": fv}
                   for n, v, p, fv in zip(result.numbers, result.values, result.params,
                                          result.fold_values)],
               "importances": result.importances, "spec": result.spec}
    written.append(atomic_write(out / "tune.json", json.dumps(summary, indent=1) + "\n"))
    written.append(plot_search(result, out / "search.png",
                               title=f"rnagraph tune {model} · {dataset or pairs} · {metric}"))
    print(f"{len(result.values)} trials ({result.n_new} new); best validation {metric} "
          f"{result.best_value:.4f} (trial {result.best_trial}): "
          + (" ".join(f"--set {s}" for s in sets) or "(no parameters)"))
    print(f"wrote {', '.join(p.name for p in written)} in {out}")


def _prepare(out: Path) -> None:
    """Refuse a file or another command's run as --out."""
    if out.exists() and not out.is_dir():
        raise CLIError(f"{out}: is a file; --out needs a folder")
    if out.is_dir() and (out / "config.json").exists():
        raise CLIError(f"{out}: holds an rnagraph cv run (config.json); choose another --out")
    out.mkdir(parents=True, exist_ok=True)
