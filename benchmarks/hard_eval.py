"""Harder evaluation: uniform, degree-matched and hard negatives, all-candidate ranking, path
baselines (leakage-free warm k-fold CV; docs/protocol.md, "Harder evaluation"). One table per
dataset: the ``hard-eval-<dataset>`` section (or ``--section``) of ``docs/results.md``; runs
under ``--out``/<dataset>/<negatives>/<model>, resumable.

    python benchmarks/hard_eval.py --models ra3 sage struct mferl mferl-struct \
        --negatives uniform degree --section hard-eval-cmi-9589-mferl
"""
from __future__ import annotations

import json
import re

import _harness as h
import numpy as np
from _log import ROOT

from rnagraph.data import kfold_link_split
from rnagraph.evaluate import format_mean_std
from rnagraph.models.registry import PRESETS, preset_name

MODELS = ("degree", "svd", "l3", "ra3", "katz", "sage", "struct")
KS = (10, 50, 100)
TAGS = {"mferl-struct": " (structural)", "degree+1": "+1"}     # presets: their name
COLS = ["negatives", "model", "AUC", "AUPR", "MRR src", "Hits@50 src", "MRR dst", "Hits@50 dst",
        "global AUPR", "global P@100", "s/fold"]
RANKED = ("mrr_src", "hits@50_src", "mrr_dst", "hits@50_dst", "global_aupr",
          "global_precision@100")


def evaluate(name: str, g, args) -> None:
    et, k, sd = h.edge_types(g)[0], args.folds, f", seed {args.seed}" * (args.seed != 0)
    split = args.mode + " inductive" * args.inductive
    flags = f" --mode {args.mode}" * (args.mode != "warm") + " --inductive" * args.inductive
    cli_models = ",".join(preset_name(m, args.set.get(m, {})) for m in args.models)
    log = h.log(args, f"Harder evaluation ({name}, {k}-fold {split}{sd})", COLS, results=True,
                section=args.section or f"hard-eval-{name}", cli=" ".join(
                    f"`rnagraph cv {name} --edge-type {h.cli_edge(et)} --model {cli_models} --folds"
                    f" {k} --seed {args.seed} --negatives {neg}{flags}" + " --ranking" * (i == 0)
                    + "`"
                    for i, neg in enumerate(args.negatives)))
    twins, best, labels = [], {}, []
    for n_kind, neg in enumerate(args.negatives):
        folds = kfold_link_split(g, et, k=k, neg_ratio=1, mode=args.mode, seed=args.seed,
                                 negatives=neg, inductive=args.inductive)[:args.max_folds]
        twins = [f.meta["twins"]["share"] for f in folds]
        for key in args.models:
            model = h.model(key, args.seed, **args.set.get(key, {}))
            label = type(model).__name__ + TAGS.get(key, f" ({key})" * (key in PRESETS))
            labels += [label] if n_kind == 0 else []
            # the kinds share positives and training graphs: ranking once, on the first
            res, s = h.cv(model, g, et, folds, args, name, neg, key,
                          ranking_ks=KS if n_kind == 0 else None)
            f = res.folds
            cells = [format_mean_std([x[m] for x in f], 3) if m in f[0] else "same"
                     for m in ("auc", "aupr", *RANKED)]
            log.add(neg, label, *cells, f"{np.mean([x['fit_s'] + x['score_s'] for x in f]):.1f}")
            for m in ("auc", "mrr_src", "mrr_dst", "hits@50_src", "hits@50_dst"):
                if m in f[0]:
                    col = m if m != "auc" else f"AUC {neg}"
                    best.setdefault(col, []).append((np.mean([x[m] for x in f]), label))
            print(f"{neg:8s} {label:18s} AUC {res.summary('auc', 3)} ({s:.1f} s)", flush=True)
    log.note(f"{split.capitalize()} split, seed {args.seed}, {k} folds, 1:1; negatives, twins "
             "and the filtered ranking panel as in docs/protocol.md (Harder evaluation"
             + "; Inductive cold start" * args.inductive + "). The negative "
             "kinds share positives and training graphs, so ranking is computed once, for the "
             f"models fitted on the {args.negatives[0]} folds (\"same\" in the other rows); "
             "s/fold: fit + scoring, from the stored folds (a reused fold keeps its time).")
    top = {c: max(v) for c, v in best.items()}
    log.note("Reading: best AUC " + "; ".join(
        f"{c[4:]} {v[1]} {v[0]:.3f}" for c, v in top.items() if c.startswith("AUC")) + ".")
    log.note("Reading: best ranking " + "; ".join(
        f"{c} {v[1]} {v[0]:.3f}" for c, v in top.items() if not c.startswith("AUC")) + ".")
    log.note(f"Test positives answered by a training twin: {np.mean(twins):.1%} (per fold "
             f"{', '.join(f'{x:.1%}' for x in twins)}).")
    if args.max_folds:
        log.note(f"Only the first {args.max_folds} of the {k} folds evaluated (--max-folds).")
    if args.section:                     # a run over some models: they are in the title
        log.title = log.title[:-1] + f"; {', '.join(labels)})"
    h.publish(args, log)


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, datasets=["cmi-9589"], models=MODELS, folds=5,
                  out=str(ROOT / "runs" / "hard_eval"), jobs=1, max_folds=None)
    ap.add_argument("--negatives", nargs="*", default=["uniform", "degree", "hard"])
    ap.add_argument("--section", default=None, help="docs/results.md section (default "
                    "hard-eval-<dataset>; another name for a run over a subset of the models)")
    ap.add_argument("--mferl", action="store_true", help="also MFERL and MFERL (structural)")
    ap.add_argument("--mode", default="warm", help="warm, cold-src, cold-dst or cold-both")
    ap.add_argument("--inductive", action="store_true", help="cold modes: held-out RNAs "
                    "absent from the fitted graph (docs/protocol.md)")
    ap.add_argument("--set", nargs="*", default=[], metavar="MODEL:KEY=VALUE", help="a keyword "
                    "of one model (JSON, else a string), e.g. struct+ra3+svd:anchor=struct")
    args = h.parse(ap, argv)
    sets = [re.fullmatch(r"([^:]+):([^=]+)=(.*)", i).groups() for i in args.set]
    args.set = {m: {k: json.loads(v) if re.match(r'[\[{"\d-]|true$|false$|null$', v) else v
                    for n, k, v in sets if n == m} for m, _, _ in sets}
    args.models += ["mferl", "mferl-struct"] if args.mferl else []
    for name, g in h.graphs(args.datasets, args.root):
        evaluate(name, g, args)


if __name__ == "__main__":
    main()
