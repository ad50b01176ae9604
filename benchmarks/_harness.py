"""The one harness of the benchmark scripts: common options (``--datasets --models --folds
--out --jobs`` where a script uses them; always ``--seed --threads --root --docs``), data
loading, cross-validation into the run store, where tables go; time and memory from
:mod:`rnagraph.evaluate.cost`, child processes from :mod:`rnagraph.evaluate.parallel`."""
from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Iterator

import torch
from _log import ROOT, BenchmarkLog, machine, peak_rss_mib, timer, write_section  # noqa: F401

from rnagraph.evaluate.cost import measure, memory_mib, reset_peak  # noqa: F401  (the scripts')
from rnagraph.evaluate.parallel import in_child  # noqa: F401  (the scripts')

REAL = ("cmi-9589", "cmi-9905", "cmi-20208", "mtis-9214")
_HELP = {"datasets": "dataset names (synthetic, " + ", ".join(REAL) + ", ...)",
         "models": "registry names or the script's tags", "folds": "k of the k-fold split",
         "out": "run store root (resumable)", "jobs": "folds fitted in parallel processes",
         "max_folds": "only the first N folds", "epochs": "epochs of the trained models (at "
         "most, where they stop early)", "report_only": "rebuild the report; fit nothing"}


def parser(doc: str, threads: int = 1, **defaults) -> argparse.ArgumentParser:
    """A parser with the common options named in ``defaults`` (with those defaults) and
    ``--seed``, ``--threads``, ``--root``, ``--docs``."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    for name, default in defaults.items():
        flag = "--" + name.replace("_", "-")
        if name in ("datasets", "models"):
            ap.add_argument(flag, nargs="*", default=list(default), help=_HELP[name])
        elif name == "report_only":
            ap.add_argument(flag, action="store_true", help=_HELP[name])
        else:
            ap.add_argument(flag, type=int if name in ("folds", "jobs", "max_folds", "epochs")
                            else str, default=default, help=f"{_HELP[name]} (default {default})")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=threads,
                    help=f"torch threads (default {threads})")
    ap.add_argument("--root", default=None, help="data root (default $RNAGRAPH_DATA)")
    ap.add_argument("--docs", default=str(ROOT / "docs"),
                    help="folder whose benchmarks.md / results.md sections are replaced "
                         "(default docs/; 'none': print only)")
    return ap


def parse(ap: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    """Parse ``argv`` and set torch's thread count."""
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    return args


def graph(name: str, root: str | None, **synthetic_kw):
    """``synthetic(seed=0, **synthetic_kw)`` or ``load(name, root)``."""
    from rnagraph.datasets import load, synthetic
    return synthetic(**{"seed": 0, **synthetic_kw}) if name == "synthetic" else load(name, root)


def graphs(names: list[str], root: str | None, **synthetic_kw) -> Iterator[tuple[str, object]]:
    """``(name, graph)`` of each dataset; an absent one is skipped with one line."""
    for name in names:
        try:
            yield name, graph(name, root, **synthetic_kw)
        except FileNotFoundError as exc:
            print(f"skip {name}: {exc}", flush=True)


def model(name: str, seed: int, epochs: int | None = None, **kw):
    """The registry model ``name`` (``kw``), with ``seed`` where it takes one (as ``rnagraph
    cv`` does) and, given ``epochs``, at most that many where it trains."""
    from rnagraph.models import get_model
    from rnagraph.models.params import takes_param
    m = get_model(name)
    kw = {**({"seed": seed} if takes_param(m, "seed") else {}), **kw,
          **({"epochs": epochs} if epochs and takes_param(m, "epochs") else {})}
    return get_model(name, **kw)


def edge_types(g) -> list[tuple[str, str, str]]:
    """The graph's interaction types (not the ``rev_`` ones)."""
    return [et for et in g.edge_types if not et[1].startswith("rev_")]


def cli_edge(et: tuple[str, str, str]) -> str:
    """``rnagraph cv --edge-type`` of an edge type (``circ-mirna`` or ``mirna-mrna``)."""
    return f"{et[0].replace('circrna', 'circ')}-{et[2]}"


def slug(text: object) -> str:
    """A file name for a run part (``"warm 1:1"`` -> ``warm_1to1``)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(text).replace(":", "to"))


def run_dir(args: argparse.Namespace, *parts: object) -> Path | None:
    """``--out``/parts (slugged), or ``None`` without ``--out``."""
    return Path(args.out, *map(slug, parts)) if getattr(args, "out", None) else None


def cv(model, g, et, folds, args: argparse.Namespace, *parts: object, meta: dict | None = None,
       **kw):
    """The one fit step of the scripts: ``cross_validate`` stored under :func:`run_dir`
    ``(args, *parts)`` (or ``out_dir``), ``meta`` first written to its ``run.json``, ``--jobs``
    folds in parallel (``kw`` overrides these), warnings (the PAPER protocol's, labelled)
    silenced; returns ``(result, wall-clock seconds)``."""
    from rnagraph.evaluate import cross_validate, write_json
    kw = {"progress": False, "curves": False, "n_jobs": getattr(args, "jobs", 1),
          "out_dir": run_dir(args, *parts), **kw}
    if meta is not None:
        write_json(kw["out_dir"] / "run.json", meta)
    with timer() as t, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cross_validate(model, g, et, folds, **kw)
    return res, t["s"]


def log(args: argparse.Namespace, title: str, columns: list[str], results: bool = False,
        **kw) -> BenchmarkLog:
    """A :class:`BenchmarkLog` for ``--docs``/benchmarks.md, or results.md with ``results``."""
    page = "results.md" if results else "benchmarks.md"
    return BenchmarkLog(title, columns, path=None if args.docs == "none" else
                        Path(args.docs) / page, **kw)


def publish(args: argparse.Namespace, table: BenchmarkLog) -> None:
    """Print ``table`` and, unless ``--docs none``, write its section."""
    if args.docs == "none":
        table.print()
        print(*(["Reproduce with the CLI: " + table.cli] if table.cli else []))
    else:
        table.write()


def write_results(args: argparse.Namespace, section: str, markdown: str) -> None:
    """Print ``markdown`` and make it the section ``section`` of ``--docs``/results.md."""
    print(markdown)
    if args.docs != "none":
        write_section(Path(args.docs) / "results.md", section, markdown)
