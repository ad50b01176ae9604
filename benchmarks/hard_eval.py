"""Harder evaluation: degree-matched and hard negatives, all-candidate ranking, path baselines.

Leakage-free warm k-fold CV with three kinds of validation / test negatives
(``kfold_link_split(negatives=...)``: uniform, degree-matched, HeaRT-style hard), the binary
metrics, the ranking panel of ``cross_validate(ranking_ks=...)`` and the share of test positives
answered by a training twin. One table per dataset: the ``hard-eval-<dataset>`` section (or
``--section``) of ``docs/results.md``. Runs are stored under
``--out``/<dataset>/<negatives>/<model> (default ``runs/hard_eval``), resumable.

    python benchmarks/hard_eval.py --datasets cmi-9589 cmi-20208
    python benchmarks/hard_eval.py --models ra3 sage struct mferl mferl-struct \
        --negatives uniform degree --section hard-eval-cmi-9589-mferl
    python benchmarks/hard_eval.py --datasets synthetic --folds 3 --docs none
"""
from __future__ import annotations

import _harness as h
import numpy as np
from _log import ROOT, timer

from rnagraph.data import kfold_link_split
from rnagraph.evaluate import format_mean_std
from rnagraph.models import get_model

MODELS = ("degree", "svd", "l3", "ra3", "katz", "sage", "struct")
SEEDED = ("svd", "sage", "struct", "mferl", "mferl-struct")
KS = (10, 50, 100)
COLS = ["negatives", "model", "AUC", "AUPR", "MRR src", "Hits@50 src", "MRR dst", "Hits@50 dst",
        "global AUPR", "s/fold"]
RANKED = ("mrr_src", "hits@50_src", "mrr_dst", "hits@50_dst", "global_aupr")


def evaluate(name: str, g, args) -> None:
    et = h.edge_types(g)[0]
    k = args.folds
    log = h.log(args, f"Harder evaluation ({name}, {k}-fold warm)", COLS, results=True,
                section=args.section or f"hard-eval-{name}", cli=" ".join(
                    f"`rnagraph cv {name} --edge-type {h.cli_edge(et)} --model "
                    f"{','.join(args.models)} --folds {k} --seed "
                    f"{args.seed} --negatives {neg}" + " --ranking" * (i == 0) + "`"
                    for i, neg in enumerate(args.negatives)))
    twins, best, labels = [], {}, []
    for n_kind, neg in enumerate(args.negatives):
        folds = kfold_link_split(g, et, k=k, neg_ratio=1, mode="warm", seed=args.seed,
                                 negatives=neg)[:args.max_folds]
        twins = [f.meta["twins"]["share"] for f in folds]
        for key in args.models:
            model = get_model(key, **({"seed": args.seed} if key in SEEDED else {}))
            label = type(model).__name__ + (" (structural)" if key == "mferl-struct" else "")
            labels += [label] if n_kind == 0 else []
            with timer() as t:
                # the kinds share positives and training graphs: ranking once, on the first
                res = h.cv(model, g, et, folds, args, name, neg, key,
                           ranking_ks=KS if n_kind == 0 else None)
            f = res.folds
            cells = [format_mean_std([x[m] for x in f], 3) if m in f[0] else "same"
                     for m in ("auc", "aupr", *RANKED)]
            log.add(neg, label, *cells, f"{t['s'] / len(f):.1f}")
            for m in ("auc", "mrr_src", "mrr_dst", "hits@50_src", "hits@50_dst"):
                if m in f[0]:
                    col = m if m != "auc" else f"AUC {neg}"
                    best.setdefault(col, []).append((np.mean([x[m] for x in f]), label))
            print(f"{neg:8s} {label:18s} AUC {res.summary('auc', 3)} ({t['s']:.1f} s)",
                  flush=True)
    log.note(f"Warm split, seed {args.seed}, {k} folds, 1 negative per positive; mean ± std "
             "(population) over folds. Negatives (validation and test; the folds' training "
             "negatives are uniform, StructLink adds its own popularity negatives from the "
             "training graph): uniform over unobserved pairs; degree = keep one end of each "
             "positive and draw the other in proportion to its training degree; hard = keep "
             "one end and take the top-L3 corruption on the training graph (HeaRT-style; "
             "L3-based models are blind on these by construction).")
    log.note(f"Ranking (filtered: training and validation positives removed; raw "
             f"decision_function scores; ties = mean of optimistic and pessimistic rank, as "
             f"OGB): MRR / Hits@50 src = each test positive ranked against every unobserved "
             f"pair of its {et[0]}, dst = of its {et[2]}; global AUPR = average precision of "
             f"the test positives among all unobserved pairs. The negative kinds share positives, "
             f"training graphs and training negatives (only validation / test negatives "
             f"differ), so ranking is computed once, for the models fitted on the "
             f"{args.negatives[0]} folds (\"same\" in the other rows; learned models "
             f"early-stop and calibrate on their kind's validation pairs).")
    top = {c: max(v) for c, v in best.items()}
    log.note("Reading: best AUC " + "; ".join(
        f"{c[4:]} {v[1]} {v[0]:.3f}" for c, v in top.items() if c.startswith("AUC")) + ".")
    log.note("Reading: best ranking " + "; ".join(
        f"{c} {v[1]} {v[0]:.3f}" for c, v in top.items() if not c.startswith("AUC")) + ".")
    log.note(f"Test positives answered by a training twin (a {et[0]} or {et[2]} with the same "
             f"≥2 partners in the full graph whose pair with the same partner is a training "
             f"positive): {np.mean(twins):.1%} (per fold "
             f"{', '.join(f'{x:.1%}' for x in twins)}).")
    if args.max_folds:
        log.note(f"Only the first {args.max_folds} of the {k} folds evaluated (--max-folds).")
    if args.section:                     # a run over some models: they are in the title
        log.title = log.title[:-1] + f"; {', '.join(labels)})"
    h.publish(args, log)


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, datasets=["cmi-9589"], models=MODELS, folds=5,
                  out=str(ROOT / "runs" / "hard_eval"), jobs=1)
    ap.add_argument("--negatives", nargs="*", default=["uniform", "degree", "hard"])
    ap.add_argument("--max-folds", type=int, default=None, help="only the first N folds")
    ap.add_argument("--section", default=None, help="docs/results.md section (default "
                    "hard-eval-<dataset>; another name for a run over a subset of the models)")
    args = h.parse(ap, argv)
    for name, g in h.graphs(args.datasets, args.root):
        evaluate(name, g, args)


if __name__ == "__main__":
    main()
