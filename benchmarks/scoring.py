"""Scoring cost: every unobserved circRNA x miRNA pair of cmi-9905 through ``decision_function``.

Each model is fitted on every known pair (``Fold.full``: 90 % train, 10 % validation for early
stopping and calibration) and then scores all ~2.25M pairs that are not known interactions in
one ``decision_function`` call (which scores them in blocks). Each model runs in its own
process, so its memory figures are its own: RSS once fitted, and the peak RSS while scoring
above that (Linux: the peak is reset after the fit through ``/proc/self/clear_refs``). Nothing
is asserted; the issue's target is at most 1.5 GB above the fitted model for any model.

    python benchmarks/scoring.py                        # every graph-only model on the contract
    python benchmarks/scoring.py --models svd sage --epochs 100
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _log import BenchmarkLog, timer  # noqa: E402

from rnagraph.models import MODELS, LinkModel, get_model  # noqa: E402

DATASET = "cmi-9905"
CM = ("circrna", "binds", "mirna")
#: graph-only models (cmi-9905 has no circRNA sequences)
DEFAULT_MODELS = ("degree", "degree+1", "svd", "sage", "mferl")


def memory_mib() -> dict[str, float]:
    """``VmRSS`` and ``VmHWM`` (peak RSS) of this process, MiB (Linux ``/proc``)."""
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(line.split()[1]) / 1024
    return out


def settled_rss_mib() -> float:
    """RSS after garbage collection and after returning freed heap pages to the kernel
    (``malloc_trim``, glibc), so that later allocations show up in the peak."""
    gc.collect()
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    return memory_mib()["VmRSS"]


def reset_peak() -> bool:
    """Reset this process's peak RSS (``VmHWM``) to its current RSS; ``False`` if the kernel
    does not allow it (the peak then covers the fit too)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def model_kwargs(name: str, args: argparse.Namespace) -> dict:
    if name == "sage":
        return {"epochs": args.epochs, "seed": args.seed}
    if name.startswith("mferl"):
        return {"epochs": args.epochs, "seed": args.seed}
    if name == "svd":
        return {"dim": 64, "seed": args.seed}
    return {}


def worker(name: str, args: argparse.Namespace) -> dict:
    """Fit ``name`` on cmi-9905 (``Fold.full``) and score every unobserved pair."""
    import torch

    from rnagraph.data import Fold
    from rnagraph.datasets import load
    torch.set_num_threads(args.threads)
    try:
        model = get_model(name, **model_kwargs(name, args))
    except Exception as exc:  # an optional model that cannot be built here: say why
        return {"skip": f"cannot build: {type(exc).__name__}: {exc}"}
    if not isinstance(model, LinkModel):
        return {"skip": f"{type(model).__name__} is not on the LinkModel contract"}
    g = load(DATASET, root=args.root)
    n_s, n_d = int(g[CM[0]].num_nodes), int(g[CM[2]].num_nodes)
    codes = torch.arange(n_s * n_d)
    known = g[CM].edge_index[0] * n_d + g[CM].edge_index[1]
    codes = codes[~torch.isin(codes, known)]
    pairs = torch.stack([codes // n_d, codes % n_d])
    del codes
    fold = Fold.full(g, CM, seed=args.seed)
    with timer() as t_fit:
        model.fit(fold)
    before = settled_rss_mib()
    exact = reset_peak()
    with timer() as t_score:
        raw = model.decision_function(None, pairs)
    peak = memory_mib()["VmHWM"]
    n = raw.numel()
    return {"model": repr(model), "pairs": n, "fit_s": t_fit["s"], "score_s": t_score["s"],
            "pairs_per_s": n / t_score["s"], "fitted_rss_mib": before,
            "pairs_mib": pairs.numel() * pairs.element_size() / 2**20,
            "peak_above_mib": peak - before, "peak_reset": exact,
            "finite": bool(torch.isfinite(raw).all()),
            "distinct_top1000": int(torch.unique(raw.topk(min(1000, n)).values).numel())}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="*", default=list(DEFAULT_MODELS),
                    help=f"registry names (default: {' '.join(DEFAULT_MODELS)})")
    ap.add_argument("--epochs", type=int, default=300, help="max epochs of trained models")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--root", default=None, help="data root (default $RNAGRAPH_DATA)")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args)))
        return
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for name in args.models:
        if name not in MODELS:
            ap.error(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    cols = ["model", "pairs", "fit s", "score s", "pairs/s", "fitted RSS MiB",
            "scoring peak MiB", "top-1000 distinct"]
    log = BenchmarkLog(f"scoring: every unobserved pair of {DATASET} through decision_function",
                       cols, section="scoring")
    skipped, approx, pairs_mib = [], [], 0.0
    base = [sys.executable, str(Path(__file__).resolve()), "--epochs", str(args.epochs),
            "--seed", str(args.seed), "--threads", str(args.threads)]
    if args.root:
        base += ["--root", args.root]
    for name in args.models:
        proc = subprocess.run([*base, "--worker", name], capture_output=True, text=True)
        if proc.returncode != 0:
            skipped.append(f"{name} (failed: {proc.stderr.strip().splitlines()[-1:]})")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        if "skip" in r:
            skipped.append(f"{name} ({r['skip']})")
            continue
        pairs_mib = r["pairs_mib"]
        if not r["peak_reset"]:
            approx.append(name)
        log.add(r["model"], r["pairs"], r["fit_s"], r["score_s"], f"{r['pairs_per_s']:,.0f}",
                f"{r['fitted_rss_mib']:.0f}", f"{r['peak_above_mib']:.0f}",
                r["distinct_top1000"])
        print(f"{name}: {r['pairs']} pairs in {r['score_s']:.2f} s, peak +"
              f"{r['peak_above_mib']:.0f} MiB", flush=True)
    log.note(f"Fold.full on {DATASET} (seed {args.seed}, val 10 %), then one "
             "decision_function(None, pairs) call over every circRNA x miRNA pair that is not a "
             "known interaction (blocks of 65,536 inside); score s and pairs/s are that call, "
             "including the model's (cached) node encoding. Scoring peak = peak RSS during the "
             "call minus RSS just before it (the fitted model plus the pair index, "
             f"{pairs_mib:.0f} MiB, after gc and malloc_trim), in a fresh process per model; "
             "fitted RSS is that RSS (the process, the data and the model). The scoring peak "
             "includes the float64 scores (8 bytes a pair). "
             "Target: <= 1.5 GB above the fitted model. "
             f"Trained models: max {args.epochs} epochs; {args.threads} torch thread(s).")
    log.note(f"Load average {load1:.1f} on {os.cpu_count()} cores when the run started "
             "(timings on a shared machine are upper bounds).")
    if approx:
        log.note("Peak not reset after the fit (no /proc/self/clear_refs): " + ", ".join(approx)
                 + " — their peak covers the fit too.")
    if skipped:
        log.note("Not run: " + "; ".join(skipped) + ".")
    log.write()


if __name__ == "__main__":
    main()
