"""The ``rnagraph`` command line: thin typer wrappers around library calls."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from rnagraph.cli._common import (
    EDGE_TYPES,
    CLIError,
    OneLineErrors,
    check_replay_data,
    console,
    edge_type_of,
    parse_float,
    parse_threshold,
    plain_args,
    replay,
)
from rnagraph.cli.predict import predict
from rnagraph.cli.rank import rank
from rnagraph.cli.report import report
from rnagraph.cli.train import train

app = typer.Typer(cls=OneLineErrors, help="RNA-RNA interaction prediction on PyTorch Geometric. "
                  "Errors print one line; add --debug to see the traceback.",
                  no_args_is_help=True, add_completion=False)
app.command()(train)
app.command()(predict)
app.command()(rank)
app.command()(report)

_EDGE_TYPES = EDGE_TYPES
_edge_type = edge_type_of

#: files of a cv run (besides the per-model folders) that --force may replace
_RUN_FILES = ("config.json", "report.md", "report.html", "report_roc.png", "report_pr.png")


def _run(data, edge_type, model_names: list[str], folds: int, ratio: float, mode: str,
         protocol: str, seed: int, threshold: str, out: Optional[Path], jobs: int = 1,
         cfg: dict | None = None) -> None:
    from rnagraph.data import kfold_link_split
    from rnagraph.evaluate import compare_models, results_table
    from rnagraph.models import get_model, needs_sequences

    for name in model_names:
        try:
            needs_sequences(name)
        except KeyError:
            raise CLIError(f"unknown model {name!r}; see `rnagraph models`") from None
    t0 = time.perf_counter()
    fold_list = kfold_link_split(data, edge_type, k=folds, neg_ratio=ratio, mode=mode, seed=seed,
                                 protocol=protocol)
    models = {}
    for name in model_names:
        if needs_sequences(name) and not all(
                bool(data[t].has_seq.any()) for t in (edge_type[0], edge_type[2])):
            console.print(f"[yellow]skipping {name}: it needs sequences on both sides[/]")
            continue
        models[name] = get_model(name)
    if not models:
        raise CLIError(f"no model can run on these data ({', '.join(model_names)} need "
                       "sequences on both sides): attach them or choose degree, svd, sage")
    thr = parse_threshold(threshold)
    if out is not None and cfg is not None:
        from rnagraph.evaluate.run_config import write_config
        write_config(out / "config.json", cfg)
    results = compare_models(models, data, edge_type, fold_list, out_dir=out, threshold=thr,
                             n_jobs=jobs)
    print(results_table(results))  # plain Markdown: readable, greppable, pasteable
    console.print(f"{len(models)} models × {folds} folds in {time.perf_counter() - t0:.1f} s"
                  + (f"; files in {out}" if out else ""))


@app.command()
def demo(
    edge_type: str = typer.Option("circ-mirna", help="circ-mirna or mirna-mrna"),
    models: str = typer.Option("seedmatch,degree,svd,sage,mferl,mferl-pair",
                               help="comma-separated model names (see `rnagraph models`)"),
    folds: int = typer.Option(5, min=2),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, help="write metrics, predictions and curves here"),
) -> None:
    """Cross-validate models and baselines on the synthetic default and print a table.

    The split is leakage-free, warm, one negative per positive.

    Example: rnagraph demo --models degree,svd --folds 3
    """
    from rnagraph.datasets import synthetic

    data = synthetic(seed=seed)
    console.print(f"synthetic graph (seed {seed}): "
                  + ", ".join(f"{t} {data[t].num_nodes}" for t in data.node_types))
    _run(data, _edge_type(edge_type, data), [m.strip() for m in models.split(",") if m.strip()],
         folds, 1, "warm", "leakage-free", seed, "0.5", out)


@app.command()
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
    threshold: str = typer.Option("0.5", help="a probability, or 'val' to choose it on "
                                  "validation"),
    seed: int = typer.Option(0),
    root: Optional[Path] = typer.Option(None, help="data root (default: $RNAGRAPH_DATA)"),
    circrna_fasta: Optional[Path] = typer.Option(None, help="attach circRNA sequences"),
    out: Optional[Path] = typer.Option(None, help="results directory (resumable); the "
                                       "resolved config is written there as config.json"),
    jobs: int = typer.Option(1, min=1, help="folds fitted in parallel processes (e.g. the "
                             "number of cores; torch threads are divided among them)"),
    force: bool = typer.Option(False, help="replace a different run in --out"),
    config: Optional[Path] = typer.Option(None, help="replay a config.json of an earlier run "
                                          "(options given here override it)"),
) -> None:
    """Cross-validate models on a dataset and print mean ± std over folds.

    Example: rnagraph cv cmi-9589 --model degree,svd --folds 5 --out runs/cmi9589
    """
    from rnagraph.datasets import load, synthetic
    from rnagraph.evaluate.run_config import graph_hash, resolve_config

    v = replay(ctx, config, "cv", dict(
        dataset=dataset, model=model, edge_type=edge_type, folds=folds, ratio=ratio, mode=mode,
        protocol=protocol, threshold=threshold, seed=seed, root=root,
        circrna_fasta=circrna_fasta, out=out, jobs=jobs))
    if v["dataset"] is None:
        raise CLIError("give a dataset name (see `rnagraph datasets`) or --config FILE")
    parse_float("ratio", float(v["ratio"]), 0.0, 1000.0, lo_open=True)
    parse_threshold(str(v["threshold"]))
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
    cfg = resolve_config("cv", args, seed=seed_v, dataset_hash=h)
    if out_p is not None:
        _prepare_run_dir(out_p, cfg, force)
    et = edge_type_of(v["edge_type"], data)
    _run(data, et, [m.strip() for m in str(v["model"]).split(",") if m.strip()],
         int(v["folds"]), float(v["ratio"]), v["mode"], v["protocol"], seed_v,
         str(v["threshold"]), out_p, int(v["jobs"]), cfg)


def _same_run(a: dict, b: dict) -> bool:
    """Two cv configs describe the same run (the number of worker processes aside)."""
    def key(c: dict) -> dict:
        return {k: v for k, v in c["args"].items() if k not in ("jobs", "out")}
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
        if not _same_run(prev, cfg):
            if not force:
                raise CLIError(f"{out}: holds another run (its config.json differs); choose "
                               "another --out or pass --force to replace it")
            for name in _RUN_FILES:
                (out / name).unlink(missing_ok=True)
            for sub in out.iterdir():
                if sub.is_dir() and (any(sub.glob("fold_*.json"))
                                     or (sub / "metrics.json").exists()):
                    shutil.rmtree(sub)
    elif out.is_dir() and any(out.glob("*/fold_*.json")) and not force:
        raise CLIError(f"{out}: holds results of a run without config.json; choose another "
                       "--out or pass --force")


@app.command("models")
def list_models() -> None:
    """List the model names the other commands accept.

    Example: rnagraph models
    """
    from rnagraph.models import MODELS

    for name, (_, desc, needs_seq) in MODELS.items():
        print(f"{name:12s} {desc}" + ("  [needs sequences on both sides]" if needs_seq else ""))


@app.command()
def datasets(root: Optional[Path] = typer.Option(None, help="data root (default: "
                                                 "$RNAGRAPH_DATA)")) -> None:
    """List the datasets found under the data root with pair and node counts.

    Example: rnagraph datasets --root ../shared/data
    """
    from rnagraph.datasets import available

    print(available(root))


def main() -> None:
    app()
