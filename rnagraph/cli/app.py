"""The ``rnagraph`` command line: thin typer wrappers around library calls."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

app = typer.Typer(help="RNA-RNA interaction prediction on PyTorch Geometric.",
                  no_args_is_help=True, add_completion=False)
console = Console()

_EDGE_TYPES = {"circ-mirna": ("circrna", "binds", "mirna"),
               "mirna-mrna": ("mirna", "targets", "mrna")}


def _edge_type(name: str | None, data) -> tuple[str, str, str]:
    if name is not None:
        if name not in _EDGE_TYPES:
            raise typer.BadParameter(f"choose one of {', '.join(_EDGE_TYPES)}")
        et = _EDGE_TYPES[name]
        if et not in data.edge_types:
            raise typer.BadParameter(f"the dataset has no {name} pairs")
        return et
    found = [et for et in _EDGE_TYPES.values() if et in data.edge_types]
    if len(found) != 1:
        raise typer.BadParameter("the dataset has several interaction types: pass --edge-type")
    return found[0]


def _run(data, edge_type, model_names: list[str], folds: int, ratio: float, mode: str,
         protocol: str, seed: int, threshold: str, out: Optional[Path], jobs: int = 1) -> None:
    from rnagraph.data import kfold_link_split
    from rnagraph.evaluate import compare_models, results_table
    from rnagraph.models import get_model, needs_sequences

    for name in model_names:
        try:
            needs_sequences(name)
        except KeyError:
            raise typer.BadParameter(f"unknown model {name!r}; see `rnagraph models`") from None
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
    thr: float | str = float(threshold) if threshold.replace(".", "", 1).isdigit() else threshold
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
    """Cross-validate the models and baselines on the synthetic default (leakage-free, warm, 1:1)
    and print a metrics table."""
    from rnagraph.datasets import synthetic

    data = synthetic(seed=seed)
    console.print(f"synthetic graph (seed {seed}): "
                  + ", ".join(f"{t} {data[t].num_nodes}" for t in data.node_types))
    _run(data, _edge_type(edge_type, data), [m.strip() for m in models.split(",") if m.strip()],
         folds, 1, "warm", "leakage-free", seed, "0.5", out)


@app.command()
def cv(
    dataset: str = typer.Argument(..., help="dataset name (see `rnagraph datasets`) or "
                                  "'synthetic'"),
    model: str = typer.Option("sage", help="comma-separated model names (see `rnagraph "
                              "models`)"),
    edge_type: Optional[str] = typer.Option(None, help="circ-mirna or mirna-mrna"),
    folds: int = typer.Option(5, min=2),
    ratio: float = typer.Option(1.0, help="negatives per positive"),
    mode: str = typer.Option("warm", help="warm, cold-src, cold-dst, cold-both"),
    protocol: str = typer.Option("leakage-free", help="leakage-free or paper (leaky, labelled)"),
    threshold: str = typer.Option("0.5", help="a number, or 'val' to choose it on validation"),
    seed: int = typer.Option(0),
    root: Optional[Path] = typer.Option(None, help="data root (default: $RNAGRAPH_DATA)"),
    circrna_fasta: Optional[Path] = typer.Option(None, help="attach circRNA sequences"),
    out: Optional[Path] = typer.Option(None, help="results directory (resumable)"),
    jobs: int = typer.Option(1, min=1, help="folds fitted in parallel processes (e.g. the "
                             "number of cores; torch threads are divided among them)"),
) -> None:
    """Cross-validate models on a dataset and print mean ± std over folds."""
    from rnagraph.datasets import load, synthetic

    if dataset == "synthetic":
        data = synthetic(seed=seed)
    else:
        seqs = {"circrna": str(circrna_fasta)} if circrna_fasta else None
        data = load(dataset, root=root, sequences=seqs)
    _run(data, _edge_type(edge_type, data), [m.strip() for m in model.split(",") if m.strip()],
         folds, ratio, mode, protocol, seed, threshold, out, jobs)


@app.command("models")
def list_models() -> None:
    """List the model names the other commands accept."""
    from rnagraph.models import MODELS

    for name, (_, desc, needs_seq) in MODELS.items():
        print(f"{name:12s} {desc}" + ("  [needs sequences on both sides]" if needs_seq else ""))


@app.command()
def datasets(root: Optional[Path] = typer.Option(None, help="data root (default: "
                                                 "$RNAGRAPH_DATA)")) -> None:
    """List the datasets found under the data root with pair and node counts."""
    from rnagraph.datasets import available

    print(available(root))


def main() -> None:
    app()
