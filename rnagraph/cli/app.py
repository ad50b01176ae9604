"""The ``rnagraph`` command line: thin typer wrappers around library calls."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from rnagraph.cli._common import (
    EDGE_TYPES,
    OneLineErrors,
    check_seed,
    console,
    edge_type_of,
)
from rnagraph.cli.cv import _run, cv
from rnagraph.cli.datasets import datasets_app, list_models
from rnagraph.cli.predict import predict
from rnagraph.cli.rank import rank
from rnagraph.cli.report import report
from rnagraph.cli.train import train
from rnagraph.cli.tune import tune

app = typer.Typer(cls=OneLineErrors, help="RNA-RNA interaction prediction on PyTorch Geometric. "
                  "Errors print one line; add --debug to see the traceback.",
                  no_args_is_help=True, add_completion=False)
app.command()(train)
app.command()(cv)
app.command()(predict)
app.command()(rank)
app.command()(report)
app.command()(tune)
app.command("models")(list_models)
app.add_typer(datasets_app, name="datasets")

_EDGE_TYPES = EDGE_TYPES
_edge_type = edge_type_of


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

    check_seed(seed)
    data = synthetic(seed=seed)
    console.print(f"synthetic graph (seed {seed}): "
                  + ", ".join(f"{t} {data[t].num_nodes}" for t in data.node_types))
    _run(data, _edge_type(edge_type, data), [m.strip() for m in models.split(",") if m.strip()],
         folds, 1, "warm", "leakage-free", seed, "0.5", out)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # Ctrl-C while the commands are being built, before any runs
        import sys

        from rnagraph.cli._common import _error
        _error("interrupted")
        sys.exit(130)
