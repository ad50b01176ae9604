"""``rnagraph report``: a Markdown and HTML report of a run directory."""
from __future__ import annotations

from pathlib import Path

import typer


def report(
    run_dir: Path = typer.Argument(..., help="the --out folder of `rnagraph cv`, or the folder "
                                   "of model files written by `rnagraph train`"),
    force: bool = typer.Option(False, help="replace an existing report"),
) -> None:
    """Write a Markdown and HTML report of a cv or train run.

    report.md and report.html go into RUN_DIR: the metrics table, ROC and PR curves with every
    model on one plot, the per-fold table and the resolved configuration.

    Example: rnagraph report runs/cmi9589
    """
    from rnagraph.evaluate.report import write_report
    md, html = write_report(run_dir, force=force)
    print(f"wrote {md} and {html}")
