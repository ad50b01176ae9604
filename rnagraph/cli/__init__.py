"""The ``rnagraph`` console script (typer)."""
from rnagraph.cli.app import app, main

__all__ = ["app", "main"]
