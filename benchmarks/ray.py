"""Ray engine vs the local pool on the same CPUs: the k-fold CV grid of each dataset x model
(wall-clock ratio; every fold's metrics equal?) and the top ``--top`` pairs of SVD on a synthetic
graph of ``--rank-size`` circRNAs x miRNAs (default 40M pairs) with
:func:`~rnagraph.evaluate.top_candidates` here and sharded on Ray (pairs/s, each process's peak
RSS; rankings equal?).

    python benchmarks/ray.py                       # cmi-20208, struct + mferl, 5 folds, 2 CPUs
"""
from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import warnings
from contextlib import nullcontext
from pathlib import Path
from unittest import mock

import torch

try:
    import _harness as h
except ModuleNotFoundError:    # a spawned worker of the local pool: this folder is off its path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _harness as h

from rnagraph.data import Fold, kfold_link_split
from rnagraph.evaluate import compare_models, top_candidates
from rnagraph.evaluate.engine import ray_runtime
from rnagraph.typing import CIRC_MIRNA as CM

# this script is named ray.py: its folder off the path, so that `import ray` finds Ray
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]


def grid(args, log) -> None:
    kw = {"progress": False, "curves": False, "n_jobs": args.jobs}
    for name, g in h.graphs(args.datasets, args.root):
        folds = kfold_link_split(g, CM, k=args.folds, seed=args.seed)[:args.max_folds]
        for key in args.models:
            runs = {}
            for engine in ("local", "ray"):
                # a fresh feature cache each: Ray must not read what the local run cached
                with tempfile.TemporaryDirectory() as cache, \
                        mock.patch.dict(os.environ, {"RNAGRAPH_CACHE": cache}), \
                        ray_runtime(None, args.jobs) if engine == "ray" else nullcontext(), \
                        h.timer() as t, warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = compare_models({key: h.model(key, args.seed, args.epochs)}, g, CM,
                                         folds, engine=engine, **kw)[key]
                runs[engine] = (t["s"], res)
            (tl, rl), (tr, rr) = runs["local"], runs["ray"]
            same = all(a["auc"] == b["auc"] and a["mcc"] == b["mcc"]
                       for a, b in zip(rl.folds, rr.folds))
            k = f"{len(folds)} of {args.folds}" if len(folds) < args.folds else args.folds
            log.add("cv grid", f"{name} {key} {k} folds", f"{tl:.1f}", f"{tr:.1f}",
                    f"{tr / tl:.2f}", "–", "–", "yes" if same else "no (float noise?)")
            print(log.rows[-1], flush=True)


def rank(args, log) -> None:
    n_circ, n_mir = args.rank_size
    g = h.graph("synthetic", None, num_circrna=n_circ, num_mirna=n_mir, num_mrna=0)
    m = h.model(args.rank_model, args.seed).fit(Fold.full(g, CM, seed=args.seed))
    with h.timer() as tl:  # --threads torch threads (2 threads on a loaded machine can be slower)
        local = top_candidates(m, args.top)
    with ray_runtime(None, args.jobs):
        with h.timer() as tc:  # the first call starts every worker (imports torch, rnagraph)
            top_candidates(m, args.top, engine="ray")
        with h.timer() as tr:
            ray = top_candidates(m, args.top, engine="ray")
    same = torch.equal(local.src, ray.src) and torch.equal(local.dst, ray.dst)
    log.add("rank", f"{args.rank_model} {n_circ:,} x {n_mir:,} "
            f"({local.num_scored / 1e6:.1f}M pairs)",
            f"{tl['s']:.1f}", f"{tr['s']:.1f}", f"{tr['s'] / tl['s']:.2f}",
            f"{local.num_scored / tl['s'] / 1e6:.2f}M / {ray.num_scored / tr['s'] / 1e6:.2f}M",
            f"{max(local.worker_peak_rss_mib.values()):.0f} / "
            + ", ".join(f"{p:.0f}" for p in sorted(ray.worker_peak_rss_mib.values())),
            "yes" if same else "no")
    print(log.rows[-1], flush=True)
    log.note(f"Ranking: local is this process with {args.threads} torch thread(s), Ray 4 shards "
             f"per CPU merged by the caller, timed once its workers run (a first ranking, "
             f"starting them, took {tc['s']:.1f} s; the model is put in the object store within "
             "the clock).")


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, threads=1, datasets=["cmi-20208"], models=["struct", "mferl"],
                  folds=5, jobs=2, max_folds=None, epochs=None)
    ap.add_argument("--rank-size", type=int, nargs=2, default=[20000, 2000],
                    metavar=("CIRCRNAS", "MIRNAS"), help="synthetic graph ranked (0 0: skip)")
    ap.add_argument("--top", type=int, default=100)
    ap.add_argument("--rank-model", default="svd", help="the model ranked (default svd)")
    args = h.parse(ap, argv)
    if importlib.util.find_spec("ray") is None:
        sys.exit('benchmarks/ray.py needs Ray: pip install "rnagraph[ray]"')
    log = h.log(args, "ray: Ray engine vs the local pool",
                ["task", "setting", "local s", "Ray s", "Ray / local", "pairs/s (local / Ray)",
                 "peak MiB (local / each Ray worker)", "same results"], section="ray")
    if args.models and args.datasets:
        grid(args, log)
    if min(args.rank_size) > 0:
        rank(args, log)
    log.note(f"{args.jobs} CPUs for both engines (the local pool: {args.jobs} spawned processes "
             f"of {max(1, args.threads // args.jobs)} torch thread(s); Ray: a local runtime of "
             f"{args.jobs} CPUs, one thread per task, started before the clock), each with an "
             "empty feature cache (MFERL's views computed in the run). Load average "
             f"{os.getloadavg()[0]:.1f} at the end on {os.cpu_count()} cores (shared machine).")
    if any(getattr(args, k) != ap.get_default(k) for k in ("datasets", "models", "folds",
                                                           "max_folds", "epochs", "rank_size")):
        log.note("Reduced setting: the full one is `python benchmarks/ray.py`.")
    h.publish(args, log)


if __name__ == "__main__":
    main()
