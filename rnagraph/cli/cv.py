"""``rnagraph cv``: cross-validate models with any protocol the benchmarks use.

A thin wrapper: :func:`~rnagraph.data.kfold_link_split` makes the folds (mode, protocol,
negatives, twin grouping), :func:`~rnagraph.evaluate.compare_models` fits and scores them
(with the ranking panel of ``cross_validate(ranking_ks=...)``), and
:func:`~rnagraph.evaluate.compare.pool_over_seeds` pools the folds of several seeds. torch and
PyG are imported inside the functions, so ``rnagraph --help`` stays fast.
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Optional, Sequence

import typer

from rnagraph.cli._common import (
    CLIError,
    check_replay_data,
    console,
    edge_type_of,
    parse_float,
    parse_threshold,
    plain_args,
    replay,
)

#: files of a cv run (besides the per-model and per-seed folders) that --force may replace
_RUN_FILES = ("config.json", "report.md", "report.html", "report_roc.png", "report_pr.png")
#: cut-offs of ``--ranking`` (those of ``benchmarks/hard_eval.py``)
RANKING_KS = (10, 50, 100)
#: columns of the ranking table ``--ranking`` prints (every metric is in metrics.json)
RANKING_COLUMNS = ("mrr_src", "hits@10_src", "hits@50_src", "mrr_dst", "hits@10_dst",
                   "hits@50_dst", "global_aupr", "global_precision@100")
#: options added to ``cv`` after its first config.json layout, with the value a run written
#: before them had (so such a run still resumes and replays)
NEW_OPTION_DEFAULTS = {"negatives": "uniform", "ranking": False, "twins": False, "seeds": None,
                       "isolated_negatives": False, "set": [], "inductive": False}


def parse_seeds(value: str | None) -> list[int] | None:
    """``"0,1,2"`` -> ``[0, 1, 2]`` (distinct integers >= 0); ``None`` stays ``None``."""
    if value is None or str(value).strip() == "":
        return None
    try:
        seeds = [int(x) for x in str(value).split(",") if x.strip()]
    except ValueError:
        raise CLIError(f"--seeds {value!r}: give comma-separated integers, e.g. 0,1,2") from None
    if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
        raise CLIError(f"--seeds {value!r}: give distinct integers >= 0, e.g. 0,1,2")
    return seeds


def check_protocol(mode: str, protocol: str, negatives: str, twins: bool,
                   inductive: bool = False) -> None:
    """One clear line for an option value or combination the split does not offer."""
    from rnagraph.data.split import MODES, NEGATIVES, PROTOCOLS
    for name, value, allowed in (("mode", mode, MODES), ("protocol", protocol, PROTOCOLS),
                                 ("negatives", negatives, NEGATIVES)):
        if value not in allowed:
            raise CLIError(f"--{name} {value!r}: choose one of {', '.join(allowed)}")
    if protocol == "paper" and (mode != "warm" or negatives != "uniform" or twins):
        raise CLIError("--protocol paper is the papers' warm split with uniform negatives "
                       "drawn once: drop --mode / --negatives / --twins or use leakage-free")
    if twins and mode == "warm":
        raise CLIError("--twins keeps twin groups of held-out nodes in one fold: use it with "
                       "a cold --mode (warm folds report the twin share anyway)")
    if inductive and (mode == "warm" or protocol != "leakage-free"):
        raise CLIError("--inductive removes held-out RNAs from the fitted graph: use it with "
                       "a cold --mode (cold-src, cold-dst, cold-both) and --protocol "
                       "leakage-free")


def _run(data, edge_type, model_names: list[str], folds: int, ratio: float, mode: str,
         protocol: str, seed: int, threshold: str, out: Optional[Path], jobs: int = 1,
         cfg: dict | None = None, *, negatives: str = "uniform", ranking: bool = False,
         twins: bool = False, seeds: list[int] | None = None,
         isolated_negatives: bool = False, engine: str = "local",
         address: str | None = None, params: Sequence[str] = (),
         inductive: bool = False) -> None:
    """Split, fit and print the tables (``seeds``: repeat over these split / model seeds;
    ``engine="ray"``: the models x folds of every seed as Ray tasks of one runtime;
    ``params``: ``--set KEY=VALUE`` hyper-parameters of every model; ``inductive``: held-out
    RNAs absent from the fitted graph, scored as new RNAs)."""
    import numpy as np

    from rnagraph.cli.train import make_model
    from rnagraph.data import kfold_link_split
    from rnagraph.evaluate import compare_models, results_table
    from rnagraph.evaluate.compare import pool_over_seeds
    from rnagraph.models import needs_sequences

    for name in model_names:
        try:
            needs_sequences(name)
        except KeyError:
            raise CLIError(f"unknown model {name!r}; see `rnagraph models`") from None
    check_protocol(mode, protocol, negatives, twins, inductive)
    names = []
    for name in model_names:
        if needs_sequences(name) and not all(
                bool(data[t].has_seq.any()) for t in (edge_type[0], edge_type[2])):
            console.print(f"[yellow]skipping {name}: it needs sequences on both sides[/]")
            continue
        names.append(name)
    if not names:
        raise CLIError(f"no model can run on these data ({', '.join(model_names)} need "
                       "sequences on both sides): attach them or choose degree, svd, sage")
    thr = parse_threshold(threshold)
    for name in names:          # a bad --set ends the run before any fold is fitted
        make_model(name, list(params), seed)
    t0 = time.perf_counter()
    if out is not None and cfg is not None:
        from rnagraph.evaluate.run_config import write_config
        write_config(out / "config.json", cfg)
    seed_list = seeds if seeds is not None else [seed]
    per_seed, twin_share, seen = {}, [], set()
    with _engine_runtime(engine, address, jobs):
        for s in seed_list:
            with warnings.catch_warnings(record=True) as caught:  # each note once, not per seed
                warnings.simplefilter("always")
                fold_list = kfold_link_split(data, edge_type, k=folds, neg_ratio=ratio, mode=mode,
                                             seed=s, protocol=protocol, negatives=negatives,
                                             group_twins=twins,
                                             isolated_negatives=isolated_negatives,
                                             inductive=inductive)
            for w in caught:
                if str(w.message) not in seen:
                    seen.add(str(w.message))
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            twin_share += [f.meta["twins"]["share"] for f in fold_list if "twins" in f.meta]
            # the model's own seed follows the split's, as the benchmarks do
            models = {name: make_model(name, list(params), s) for name in names}
            sub = out if out is None or seeds is None else out / f"seed_{s}"
            per_seed[s] = compare_models(models, data, edge_type, fold_list, out_dir=sub,
                                         threshold=thr, n_jobs=jobs,
                                         ranking_ks=RANKING_KS if ranking else None,
                                         engine=engine, address=address)
    results = (per_seed[seed_list[0]] if seeds is None
               else pool_over_seeds(per_seed, out_dir=out))
    print(results_table(results))  # plain Markdown: readable, greppable, pasteable
    if ranking:
        print("\nranking (filtered: training and validation positives are not candidates; "
              "raw scores; per-positive MRR / hits@k against every unobserved pair of the same "
              "source (src) or destination (dst) RNA, ties as OGB; global = all unobserved "
              "pairs)\n")
        print(results_table(results, metrics=RANKING_COLUMNS).split("\n", 2)[2])
    if inductive:
        print("\ninductive: the held-out RNAs were absent from the fitted graph and scored as "
              "new RNAs (from their sequence, or through their most sequence-similar known "
              "RNAs); ranking counts all pairs of the held-out RNAs")
    if seeds is not None:
        print(f"\nmean ± std (population) over all {len(seed_list) * folds} folds of seeds "
              f"{', '.join(map(str, seed_list))} ({folds} folds each), not over seed means")
    if twin_share and not np.isnan(twin_share).all():
        console.print(f"test positives answered by a training twin: "
                      f"{np.nanmean(twin_share):.1%} (mean over folds)"
                      + ("; twin groups kept in one fold" if twins else ""))
    console.print(f"{len(names)} models × {folds} folds"
                  + (f" × {len(seed_list)} seeds" if seeds is not None else "")
                  + f" in {time.perf_counter() - t0:.1f} s" + (f"; files in {out}" if out else ""))


def check_engine(engine: str, address: str | None) -> None:
    """``--engine`` / ``--address``: one line for an unknown engine, an address without Ray, or
    Ray missing (saying how to install it)."""
    from rnagraph.evaluate.engine import ENGINES, RAY_INSTALL
    if engine not in ENGINES:
        raise CLIError(f"--engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if address is not None and engine != "ray":
        raise CLIError(f"--address {address}: goes with --engine ray")
    if engine == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise CLIError(f"--engine ray needs Ray, an optional extra: {RAY_INSTALL}") from None


def _engine_runtime(engine: str, address: str | None, jobs: int):
    """With ``--engine ray`` one Ray runtime for the whole command (a local one of ``--jobs``
    CPUs, shut down at the end, or the cluster at ``--address``); else nothing."""
    import contextlib
    if engine != "ray":
        return contextlib.nullcontext()
    from rnagraph.evaluate.engine import ray_runtime
    return ray_runtime(address, None if address is not None else jobs)


def cv(
    ctx: typer.Context,
    dataset: Optional[str] = typer.Argument(None, help="dataset name (see `rnagraph "
                                            "datasets`) or 'synthetic'"),
    model: str = typer.Option("sage", help="comma-separated model names (see `rnagraph "
                              "models`)"),
    edge_type: Optional[str] = typer.Option(None, help="circ-mirna or mirna-mrna"),
    folds: int = typer.Option(5, min=2),
    ratio: float = typer.Option(1.0, help="negatives per positive"),
    mode: str = typer.Option("warm", help="warm, cold-src, cold-dst, cold-both"),
    protocol: str = typer.Option("leakage-free", help="leakage-free or paper (leaky, labelled)"),
    negatives: str = typer.Option("uniform", help="validation / test negatives: uniform, "
                                  "degree (degree-matched) or hard (top-L3 corruptions)"),
    ranking: bool = typer.Option(False, help="add the ranking metrics: per-positive MRR and "
                                 "hits@10/50/100 on both sides, global AUPR and P@K"),
    twins: bool = typer.Option(False, help="cold modes: keep each twin group (same partners) "
                               "of the held-out side in one fold"),
    isolated_negatives: bool = typer.Option(False, help="also draw negatives among RNAs "
                                            "without any known pair (left out by default; "
                                            "runs before that rule drew them)"),
    inductive: bool = typer.Option(False, help="cold modes: remove the held-out RNAs from the "
                                   "fitted graph and score them as new RNAs from their "
                                   "sequence (docs/protocol.md, inductive cold start)"),
    threshold: str = typer.Option("0.5", help="a probability, or 'val' to choose it on "
                                  "validation"),
    seed: int = typer.Option(0, help="seed of the split and models (and of the synthetic "
                             "graph)"),
    seeds: Optional[str] = typer.Option(None, help="repeat the whole CV over these split and "
                                        "model seeds, e.g. 0,1,2; mean ± std over all folds "
                                        "of all seeds"),
    root: Optional[Path] = typer.Option(None, help="data root (default: $RNAGRAPH_DATA)"),
    circrna_fasta: Optional[Path] = typer.Option(None, help="attach circRNA sequences"),
    out: Optional[Path] = typer.Option(None, help="results directory (resumable); the "
                                       "resolved config is written there as config.json"),
    jobs: int = typer.Option(1, min=1, help="folds fitted in parallel processes (e.g. the "
                             "number of cores; torch threads are divided among them); with "
                             "--engine ray and no --address: the CPUs of the Ray runtime"),
    engine: str = typer.Option("local", help="local (this process / --jobs processes) or ray "
                               "(each model x fold a Ray task; pip install \"rnagraph[ray]\"; "
                               "see docs/cluster.md)"),
    address: Optional[str] = typer.Option(None, help="with --engine ray: the Ray cluster, e.g. "
                                          "auto or ray://head:10001 (default: a local runtime)"),
    set_: list[str] = typer.Option([], "--set", help="model hyper-parameter KEY=VALUE for "
                                   "every model of --model (repeatable), e.g. --set dim=32"),
    force: bool = typer.Option(False, help="replace a different run in --out"),
    config: Optional[Path] = typer.Option(None, help="replay a config.json of an earlier run "
                                          "(options given here override it)"),
) -> None:
    """Cross-validate models on a dataset and print mean ± std over folds.

    Example: rnagraph cv cmi-9589 --model degree,svd --folds 5 --out runs/cmi9589

    Example: rnagraph cv cmi-9589 --model degree,sage --negatives hard --ranking --seeds 0,1,2

    Example: rnagraph cv cmi-9589 --model degree,seq-vote --mode cold-dst --inductive --ranking
    """
    from rnagraph.datasets import load, synthetic
    from rnagraph.evaluate.run_config import graph_hash, resolve_config

    v = replay(ctx, config, "cv", dict(
        dataset=dataset, model=model, edge_type=edge_type, folds=folds, ratio=ratio, mode=mode,
        protocol=protocol, negatives=negatives, ranking=ranking, twins=twins,
        isolated_negatives=isolated_negatives, inductive=inductive, threshold=threshold,
        seed=seed, seeds=seeds,
        root=root, circrna_fasta=circrna_fasta, out=out, jobs=jobs, engine=engine,
        address=address, set=list(set_)))
    if v["dataset"] is None:
        raise CLIError("give a dataset name (see `rnagraph datasets`) or --config FILE")
    parse_float("ratio", float(v["ratio"]), 0.0, 1000.0, lo_open=True)
    parse_threshold(str(v["threshold"]))
    seed_list = parse_seeds(v["seeds"])
    check_engine(str(v["engine"]), v["address"])
    check_protocol(v["mode"], v["protocol"], v["negatives"], bool(v["twins"]),
                   bool(v.get("inductive")))
    out_p = Path(v["out"]) if v["out"] else None
    seed_v = int(v["seed"])
    if v["dataset"] == "synthetic":
        data = synthetic(seed=seed_v)
    else:
        seqs = {"circrna": str(v["circrna_fasta"])} if v["circrna_fasta"] else None
        data = load(v["dataset"], root=v["root"], sequences=seqs)
    h = graph_hash(data)
    check_replay_data(v, h)
    args = plain_args(v)
    if seed_list is not None:
        args["seeds"] = ",".join(map(str, seed_list))
    cfg = resolve_config("cv", args, seed=seed_v, dataset_hash=h)
    if out_p is not None:
        _prepare_run_dir(out_p, cfg, force)
    et = edge_type_of(v["edge_type"], data)
    _run(data, et, [m.strip() for m in str(v["model"]).split(",") if m.strip()],
         int(v["folds"]), float(v["ratio"]), v["mode"], v["protocol"], seed_v,
         str(v["threshold"]), out_p, int(v["jobs"]), cfg, negatives=v["negatives"],
         ranking=bool(v["ranking"]), twins=bool(v["twins"]), seeds=seed_list,
         isolated_negatives=bool(v["isolated_negatives"]), engine=str(v["engine"]),
         address=v["address"], params=list(v["set"] or []),
         inductive=bool(v.get("inductive")))


def _same_run(a: dict, b: dict) -> bool:
    """Two cv configs describe the same run (worker processes and engine aside; an option
    added later counts as its default in a config written before it)."""
    def key(c: dict) -> dict:
        args = {**NEW_OPTION_DEFAULTS, **c["args"]}
        return {k: v for k, v in args.items() if k not in ("jobs", "out", "engine", "address")}
    return key(a) == key(b) and a.get("dataset_hash") == b.get("dataset_hash")


def _prepare_run_dir(out: Path, cfg: dict, force: bool) -> None:
    """Refuse an --out holding another run (unless --force, which removes that run's files)."""
    import json
    import shutil
    if out.exists() and not out.is_dir():
        raise CLIError(f"{out}: is a file; --out needs a folder")
    old = out / "config.json"
    if old.is_file():
        try:
            prev = json.loads(old.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            prev = {"args": {}}
        if not isinstance(prev, dict) or not isinstance(prev.get("args"), dict):
            prev = {"args": {}}
        if not _same_run(prev, cfg):
            if not force:
                raise CLIError(f"{out}: holds another run (its config.json differs); choose "
                               "another --out or pass --force to replace it")
            for name in _RUN_FILES:
                (out / name).unlink(missing_ok=True)
            for sub in out.iterdir():
                if sub.is_dir() and (any(sub.glob("fold_*.json"))
                                     or (sub / "metrics.json").exists()
                                     or (sub.name.startswith("seed_")
                                         and any(sub.glob("*/fold_*.json")))):
                    shutil.rmtree(sub)
    elif out.is_dir() and (any(out.glob("*/fold_*.json")) or any(out.glob("seed_*/*/fold_*.json"))
                           ) and not force:
        raise CLIError(f"{out}: holds results of a run without config.json; choose another "
                       "--out or pass --force")
