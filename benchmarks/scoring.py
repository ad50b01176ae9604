"""Scoring cost: each model fitted on every known pair of cmi-9905 (``Fold.full``) scores all
~2.25M unobserved circRNA x miRNA pairs in one ``decision_function`` call, in its own process
(RSS once fitted; peak RSS while scoring above that). Target: <= 1.5 GB above the fitted model.

    python benchmarks/scoring.py [--models svd sage --epochs 100]
"""
from __future__ import annotations

import os

import _harness as h

from rnagraph.models import MODELS, LinkModel
from rnagraph.typing import CIRC_MIRNA as CM


def worker(name: str, args) -> dict:
    """Fit ``name`` on the dataset (``Fold.full``) and score every unobserved pair."""
    import torch

    from rnagraph.data import Fold
    torch.set_num_threads(args.threads)
    epochs = args.epochs if name == "sage" or name.startswith("mferl") else None
    model = h.model(name, args.seed, epochs, **({"dim": 64} if name == "svd" else {}))
    if not isinstance(model, LinkModel):
        return {"skip": f"{type(model).__name__} is not on the LinkModel contract"}
    g = h.graph(args.datasets[0], args.root)
    n_s, n_d = int(g[CM[0]].num_nodes), int(g[CM[2]].num_nodes)
    codes = torch.arange(n_s * n_d)
    codes = codes[~torch.isin(codes, g[CM].edge_index[0] * n_d + g[CM].edge_index[1])]
    pairs = torch.stack([codes // n_d, codes % n_d])
    del codes
    with h.timer() as t_fit:
        model.fit(Fold.full(g, CM, seed=args.seed))
    before = h.reset_peak()
    with h.timer() as t_score:
        raw = model.decision_function(None, pairs)
    peak = h.memory_mib()["VmHWM"]
    return {"model": repr(model), "pairs": raw.numel(), "fit_s": t_fit["s"],
            "score_s": t_score["s"], "fitted_rss_mib": before or h.memory_mib()["VmRSS"],
            "pairs_mib": pairs.numel() * pairs.element_size() / 2**20,
            "peak_above_mib": peak - (before or 0), "peak_reset": before is not None,
            "distinct_top1000": int(torch.unique(raw.topk(min(1000, raw.numel())).values).numel())}


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, datasets=["cmi-9905"],
                  models=["degree", "degree+1", "svd", "sage", "mferl"], epochs=300)
    args = h.parse(ap, argv)
    if bad := [name for name in args.models if name not in MODELS]:
        ap.error(f"unknown model(s) {', '.join(bad)}; choose from {', '.join(MODELS)}")
    ds = args.datasets[0]
    log = h.log(args, f"scoring: every unobserved pair of {ds} through decision_function",
                ["model", "pairs", "fit s", "score s", "pairs/s", "fitted RSS MiB",
                 "scoring peak MiB", "top-1000 distinct"], section="scoring")
    skipped, approx, pairs_mib, load1 = [], [], 0.0, os.getloadavg()[0]
    for name in args.models:
        r = h.in_child(worker, name, args, start="spawn")     # a fresh process per model
        if isinstance(r, str) or "skip" in r:
            skipped.append(f"{name} ({r if isinstance(r, str) else r['skip']})")
            continue
        pairs_mib = r["pairs_mib"]
        approx += [] if r["peak_reset"] else [name]
        log.add(r["model"], r["pairs"], r["fit_s"], r["score_s"],
                f"{r['pairs'] / r['score_s']:,.0f}", f"{r['fitted_rss_mib']:.0f}",
                f"{r['peak_above_mib']:.0f}", r["distinct_top1000"])
        print(f"{name}: {r['pairs']} pairs in {r['score_s']:.2f} s, peak +"
              f"{r['peak_above_mib']:.0f} MiB", flush=True)
    log.note(f"Fold.full on {ds} (seed {args.seed}); score s: one decision_function call "
             "over every unobserved pair, node encoding included. Scoring peak: peak RSS during "
             "the call minus RSS before it (fitted model plus the pair index, "
             f"{pairs_mib:.0f} MiB), float64 scores included. Max {args.epochs} epochs; "
             f"{args.threads} torch thread(s); load average {load1:.1f} on {os.cpu_count()} "
             "cores at the start (shared machine: times are upper bounds).")
    if approx:
        log.note("Peak not reset after the fit (no /proc/self/clear_refs): " + ", ".join(approx)
                 + " — their peak covers the fit too.")
    if skipped:
        log.note("Not run: " + "; ".join(skipped) + ".")
    h.publish(args, log)


if __name__ == "__main__":
    main()
