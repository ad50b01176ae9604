"""``rnagraph models``, ``rnagraph datasets`` and ``rnagraph datasets download``.

None of them needs a model: they read the registries (plain data) and never import torch or
PyG, so they answer at once.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from rnagraph.cli._common import console

_WHERE = {"root": "--root", "env": "$RNAGRAPH_DATA", "default": "the default"}


def list_models() -> None:
    """List the model names (and presets) the other commands accept.

    Example: rnagraph models
    """
    from rnagraph.models import registry

    for name, (_, desc, needs_seq) in registry.MODELS.items():
        print(f"{name:12s} {desc}" + ("  [needs sequences on both sides]" if needs_seq else ""))
    presets = getattr(registry, "PRESETS", {})
    if presets:
        print("\npresets (a model with options; `--model NAME` accepts them too):")
        for name, (base, _, desc) in presets.items():
            print(f"{name:34s} {base}: {desc}")


datasets_app = typer.Typer(invoke_without_command=True, no_args_is_help=False,
                           add_completion=False)


@datasets_app.callback()
def datasets(ctx: typer.Context,
             root: Optional[Path] = typer.Option(None, help="data root (default: "
                                                 "$RNAGRAPH_DATA, else "
                                                 "~/.local/share/rnagraph/data)")) -> None:
    """List the known datasets, whether each is present under the data root, with pair and
    node counts; `rnagraph datasets download NAME|all` fetches them.

    Example: rnagraph datasets --root ../shared/data
    """
    ctx.obj = {"root": root}  # `datasets --root DIR download NAME` fills DIR too
    if ctx.invoked_subcommand is not None:
        return
    from rnagraph.datasets._root import locate_data_root
    from rnagraph.datasets.registry import REGISTRY, available

    base, how = locate_data_root(root)
    table = available(root)
    print(table)
    n_present = sum(bool(r["present"]) for r in table)
    if how == "default" and not base.is_dir():
        console.print(f"no data root: --root not given, $RNAGRAPH_DATA not set, and the default "
                      f"{base} does not exist. Fetch the data with `rnagraph datasets download "
                      f"all` (into {base}; --root DIR for another folder), or set "
                      f"RNAGRAPH_DATA to a folder that holds the dataset folders.",
                      markup=False, highlight=False, soft_wrap=True)
        return
    console.print(f"data root: {base} (from {_WHERE[how]}); {n_present} of {len(REGISTRY)} "
                  "datasets present"
                  + ("" if n_present == len(REGISTRY) else
                     "; `rnagraph datasets download NAME|all"
                     + (f" --root {base}" if how == "root" else "")
                     + "` fetches the others (sources and licences: docs/datasets.md)"),
                  markup=False, highlight=False, soft_wrap=True)


@datasets_app.command("download")
def download(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="a dataset name (see `rnagraph datasets`) or 'all'"),
    root: Optional[Path] = typer.Option(None, help="the data root to fill (default: "
                                        "$RNAGRAPH_DATA, else ~/.local/share/rnagraph/data)"),
    mirror: Optional[str] = typer.Option(None, help="base URL of a copy of the data root "
                                         "(default: $RNAGRAPH_MIRROR, else the upstream "
                                         "repositories)"),
    force: bool = typer.Option(False, help="replace a present file whose sha256 differs"),
    retries: int = typer.Option(3, min=0, help="resume an interrupted transfer this often"),
) -> None:
    """Fetch a dataset's files, verify their sha256 and put them under the data root.

    The files come from the upstream repositories at pinned commits (or --mirror); each is
    written atomically once its sha256 matches, an interrupted transfer is resumed, and files
    already there are checked, not fetched again. Offline, it prints the URL and how to fetch
    the file by hand.

    Example: rnagraph datasets download cmi-9589 --root data/
    """
    from rnagraph.datasets._root import locate_data_root
    from rnagraph.datasets.download import download as fetch
    from rnagraph.datasets.download import sources_of

    if root is None:
        root = (ctx.obj or {}).get("root")
    base, how = locate_data_root(root)
    files = sources_of(name)
    console.print(f"{len(files)} file(s) for {name} into {base} (from {_WHERE[how]})",
                  markup=False, highlight=False, soft_wrap=True)
    done = fetch(name, root, mirror=mirror, force=force, retries=retries)
    for f in done:
        extra = f" (resumed {f.resumed}x)" if f.resumed else ""
        console.print(f"{f.status:10s} {f.path}{extra}", markup=False, highlight=False,
                      soft_wrap=True)
    got = sum(f.status == "downloaded" for f in done)
    console.print(f"{got} downloaded, {len(done) - got} already present; all sha256 verified",
                  markup=False, highlight=False, soft_wrap=True)
