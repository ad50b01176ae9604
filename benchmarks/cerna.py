"""The joint ceRNA graph: does learning miRNA-mRNA targeting help circRNA-miRNA sponging (and
the reverse)? Joint vs single-task JointLink, each relation's published model and the
single-task baselines in the same joint k-fold splits of ``load("cerna")``, warm and
cold-miRNA (``--modes cold-one``: held-out miRNAs lose this relation's edges only). Runs are
stored under ``--out`` (resumable, ``--report-only``); the ``cerna`` section of
``docs/results.md``; ``--timing``: JointLink on the whole graph and ``rank_cerna``.

    python benchmarks/cerna.py --folds 5 [--max-folds 3 --models mferl]
"""
from __future__ import annotations

import sys

import _harness as h
import numpy as np

from rnagraph.data import joint_kfold_split
from rnagraph.evaluate.summaries import cerna_intro, group_split_row, joint_tables, read_runs
from rnagraph.typing import CIRC_MIRNA, MIRNA, MIRNA_MRNA

LABEL = {"degree+1": "DegreeProduct (+1)", "svd": "TruncatedSVD (64)", "l3": "PathL3",
         "ra3": "PathRA3", "sage": "SAGELink", "mferl": "MFERL", "grmmi": "GRMMI",
         "joint-single": "JointLink single-task", "joint": "JointLink joint"}
EDGE = {CIRC_MIRNA: "circRNA–miRNA", MIRNA_MRNA: "miRNA–mRNA"}
TITLES = {"warm": "warm", "cold": "cold-miRNA (held-out miRNAs lose both types)",
          "cold-one": "cold-one-relation (held-out miRNAs lose this relation's edges only and "
                      "keep the other's: the same test pairs as cold-miRNA)"}
ONLY = {"mferl": CIRC_MIRNA, "grmmi": MIRNA_MRNA}     # the published model of one relation


def make(name: str, args):
    kw = {"svd": {"dim": 64}, "sage": {"epochs": args.epochs}}.get(name, {})
    if name.startswith("joint"):
        kw = {"epochs": args.epochs, "hidden_channels": args.hidden}
    return h.model(name, args.seed, **kw)


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, models=LABEL, folds=5, out=str(h.ROOT / "runs" / "cerna"), jobs=1,
                  epochs=300, max_folds=None, report_only=False)
    ap.add_argument("--hidden", type=int, default=64, help="JointLink hidden_channels")
    ap.add_argument("--modes", nargs="*", default=["warm", "cold"], choices=list(TITLES))
    ap.add_argument("--load", default="4-6", help="the machine's load average, for the text")
    ap.add_argument("--timing", action="store_true",
                    help="also time JointLink on the whole graph and the 11M-pair ranking")
    args = h.parse(ap, argv)
    data = h.graph("cerna", args.root)
    both = np.zeros(data[MIRNA].num_nodes, dtype=bool)          # miRNAs with both edge types
    both[np.intersect1d(data[CIRC_MIRNA].edge_index[1], data[MIRNA_MRNA].edge_index[0])] = True
    n_run = args.max_folds or args.folds
    splits = {mode: joint_kfold_split(data, k=args.folds, mode=mode, seed=args.seed)[:n_run]
              for mode in args.modes}
    for mode in [] if args.report_only else args.modes:
        for et in (CIRC_MIRNA, MIRNA_MRNA):
            for name in (m for m in args.models if ONLY.get(m, et) == et):
                meta = {"mode": mode, "edge_type": list(et), "model": name, "epochs": args.epochs}
                res, _ = h.cv(make(name, args), data, et, [jf[et] for jf in splits[mode]], args,
                              mode, et[1], name, meta=meta)
                print(f"{mode} {et[1]:8s} {name:13s} AUC {res.summary('auc', 4)}", flush=True)
    records = [{**group_split_row(x, "dst" if tuple(r["meta"]["edge_type"]) == CIRC_MIRNA
                                  else "src", both), **r["meta"]}
               for r in read_runs([args.out], "*/*/*/run.json") if r["meta"]["mode"] in args.modes
               for x in r["records"] if x["metrics"]["fold"] < n_run]
    command = "Command: `python benchmarks/cerna.py " + " ".join(
        a for a in (argv or sys.argv[1:]) if a != "--report-only") + "`" + (
        " (table rebuilt from its stored per-fold records)" if args.report_only else "")
    md = cerna_intro(n_run, args.folds, h.machine(), command, args.load, args.threads,
                     {mode: [f.meta["share_both"] for f in fs] for mode, fs in splits.items()})
    md += ["", joint_tables(records, n_run, LABEL, TITLES, EDGE)]
    md += ["", timing(data, args)] if args.timing else []
    h.write_results(args, "cerna", "\n".join(md))


def timing(data, args) -> str:
    """Fit JointLink on every known pair of each type and rank all circRNA-mRNA pairs."""
    from rnagraph.data import Fold
    from rnagraph.evaluate import peak_rss_mib, rank_cerna
    models, lines = {}, []
    for et in (CIRC_MIRNA, MIRNA_MRNA):
        with h.timer() as t:
            models[et] = make("joint", args).fit(Fold.full(data, et, seed=args.seed))
        lines.append(f"JointLink fit on the whole graph ({EDGE[et]} head, protocol full): "
                     f"{t['s']:.0f} s, {len(models[et].history_)} epochs")
    with h.timer() as t:
        r = rank_cerna(data, models[CIRC_MIRNA], models[MIRNA_MRNA], top_k=100)
    lines.append(f"rank_cerna over {r.num_pairs:,} circRNA–mRNA pairs (top 100 with paths): "
                 f"{t['s']:.0f} s; peak RSS {peak_rss_mib():.0f} MiB")
    return "\n".join(f"- {x}" for x in lines)


if __name__ == "__main__":
    main()
