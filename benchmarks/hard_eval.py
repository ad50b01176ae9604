"""Harder evaluation: degree-matched and hard negatives, all-candidate ranking, path baselines.

Leakage-free warm k-fold CV of the baselines with three kinds of validation / test negatives
(``kfold_link_split(negatives=...)``: uniform, degree-matched, HeaRT-style hard), the binary
metrics and the ranking panel of ``cross_validate(ranking_ks=...)`` (per-positive MRR / hits@k
against every unobserved pair of the same RNA, global AUPR over all unobserved pairs), and the
share of test positives answered by a training twin (``fold.meta["twins"]``). Prints a table,
appends it to ``docs/benchmarks.md`` and replaces the ``hard-eval-<dataset>`` section of
``docs/results.md`` (one section per dataset). Every (negatives, model) run is stored under
``--out`` (default ``runs/hard_eval/<dataset>``) by ``cross_validate``'s run store, so a killed
run resumes fold by fold.

    python benchmarks/hard_eval.py                       # cmi-9589, 5 folds, all but MFERL
    python benchmarks/hard_eval.py --dataset cmi-20208   # another dataset
    python benchmarks/hard_eval.py --mferl               # + MFERL and MFERL(structural)
    python benchmarks/hard_eval.py --models degree l3 sage struct --negatives uniform degree
    python benchmarks/hard_eval.py --quick               # 3 folds, synthetic graph
    python benchmarks/hard_eval.py --models ra3 sage struct --mferl --negatives uniform degree \
        --section hard-eval-cmi-9589-mferl                # MFERL's structural term, own section
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _log import ROOT, BenchmarkLog, timer, write_section  # noqa: E402

from rnagraph.data import kfold_link_split  # noqa: E402
from rnagraph.evaluate import cross_validate  # noqa: E402
from rnagraph.evaluate.results import format_mean_std  # noqa: E402
from rnagraph.models import get_model  # noqa: E402

MODELS = ("degree", "svd", "l3", "ra3", "katz", "sage", "struct")
SEEDED = ("svd", "sage", "struct", "mferl", "mferl-struct")
KS = (10, 50, 100)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 folds on the synthetic graph")
    ap.add_argument("--folds", type=int, default=None, help="k (default 5, quick 3)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dataset", default=None, help="dataset name (default cmi-9589)")
    ap.add_argument("--root", default=None, help="data root (default $RNAGRAPH_DATA)")
    ap.add_argument("--negatives", nargs="*", default=["uniform", "degree", "hard"])
    ap.add_argument("--models", nargs="*", default=list(MODELS), help="registry names")
    ap.add_argument("--mferl", action="store_true", help="also MFERL and MFERL(structural)")
    ap.add_argument("--max-folds", type=int, default=None,
                    help="evaluate only the first N folds of the k-fold split")
    ap.add_argument("--out", default=None, help="run store (default runs/hard_eval/<dataset>)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--no-results", action="store_true", help="do not touch docs/results.md")
    ap.add_argument("--no-log", action="store_true", help="do not append to docs/benchmarks.md")
    ap.add_argument("--section", default=None,
                    help="docs/results.md section to replace (default hard-eval-<dataset>; "
                         "give another name for a run over a subset of the models)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    k = args.folds or (3 if args.quick else 5)
    from rnagraph.datasets import load, synthetic
    name = args.dataset or ("synthetic" if args.quick else "cmi-9589")
    g = synthetic(seed=0) if name == "synthetic" else load(name, root=args.root)
    et = next(e for e in g.edge_types if not e[1].startswith("rev_"))
    models = [(m, True) for m in args.models] + (
        [("mferl", True), ("mferl-struct", True)] if args.mferl else [])
    out = Path(args.out) if args.out else ROOT / "runs" / "hard_eval" / name

    cols = ["negatives", "model", "AUC", "AUPR", "MRR src", "Hits@50 src", "MRR dst",
            "Hits@50 dst", "global AUPR", "s/fold"]
    log = BenchmarkLog(f"hard-eval: {name} {et[0]}-{et[2]} warm 1:1 {k}-fold, "
                       f"{' / '.join(args.negatives)} negatives", cols)
    twins, best, labels = None, {}, []
    for n_kind, neg in enumerate(args.negatives):
        folds = kfold_link_split(g, et, k=k, neg_ratio=1, mode="warm", seed=args.seed,
                                 negatives=neg)[:args.max_folds]
        twins = [f.meta["twins"]["share"] for f in folds]
        for key, rank in models:
            model = get_model(key, **({"seed": args.seed} if key in SEEDED else {}))
            label = type(model).__name__ + (" (structural)" if key == "mferl-struct" else "")
            if n_kind == 0:
                labels.append(label)
            with timer() as t:
                # ranking ignores the negatives (and the kinds share positives and training
                # graphs), so it is computed with the first kind only
                res = cross_validate(model, g, et, folds, progress=False, curves=False,
                                     ranking_ks=KS if rank and n_kind == 0 else None,
                                     out_dir=out / neg / key)
            f = res.folds

            def ms(metric: str, f=f, rank=rank) -> str:
                if metric in f[0]:
                    return format_mean_std([x[metric] for x in f], 3)
                return "same" if rank and metric != "auc" else "–"
            log.add(neg, label, ms("auc"), ms("aupr"), ms("mrr_src"),
                    ms("hits@50_src"), ms("mrr_dst"), ms("hits@50_dst"), ms("global_aupr"),
                    f"{t['s'] / len(f):.1f}")
            for metric in ("auc", "mrr_src", "mrr_dst", "hits@50_src", "hits@50_dst"):
                if metric in f[0]:
                    col = metric if metric != "auc" else f"AUC {neg}"
                    best.setdefault(col, []).append((np.mean([x[metric] for x in f]), label))
            print(f"{neg:8s} {label:18s} AUC {res.summary('auc', 3)} "
                  f"({t['s']:.1f} s)", flush=True)
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
    if best:
        top = {c: max(v) for c, v in best.items()}
        log.note("Reading: best AUC " + "; ".join(
            f"{c[4:]} {v[1]} {v[0]:.3f}" for c, v in top.items() if c.startswith("AUC")) + ".")
        log.note("Reading: best ranking " + "; ".join(
            f"{c} {v[1]} {v[0]:.3f}" for c, v in top.items() if not c.startswith("AUC"))
                 + ".")
    if twins is not None:
        log.note(f"Test positives answered by a training twin (a {et[0]} or {et[2]} with "
                 f"the same ≥2 partners in the full graph whose pair with the same partner "
                 f"is a training positive): {np.mean(twins):.1%} (per fold "
                 f"{', '.join(f'{x:.1%}' for x in twins)}).")
    if args.max_folds:
        log.note(f"Only the first {len(folds)} of the {k} folds evaluated (--max-folds).")
    if args.quick:
        log.note("QUICK run: synthetic graph, 3 folds.")
    if args.no_log:
        print(log.markdown())
    else:
        log.write()
    if not args.no_results:
        section = args.section or f"hard-eval-{name}"
        heading = f"## Harder evaluation ({name}, {k}-fold warm)"
        if args.section:
            heading = heading[:-1] + f"; {', '.join(labels)})"
        md = log.markdown().replace(f"## {log.title}", heading, 1)
        write_section(ROOT / "docs" / "results.md", section, md)


if __name__ == "__main__":
    main()
