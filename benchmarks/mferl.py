"""MFERL experiments: main CV, the paper's protocol, negative ratios, ablations, cold starts.

Each (dataset, experiment, setting, model) is one resumable ``cross_validate`` run under
``--out``, with the baselines on the same folds. The ``mferl`` section of ``docs/results.md`` is
rebuilt from every run under ``--out``; a timing table from the fold records goes to
``docs/benchmarks.md``.

    python benchmarks/mferl.py --datasets cmi-9589 --experiments main paper --jobs 2
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import _harness as h

from rnagraph.data import kfold_link_split
from rnagraph.evaluate import write_json
from rnagraph.evaluate.summaries import mferl_runs, mferl_section, timing_cells
from rnagraph.typing import CIRC_MIRNA

DATASETS = ("cmi-9589", "cmi-9905", "cmi-20208", "synthetic")
#: experiment -> (title, its settings: name -> kfold_link_split arguments)
EXPERIMENTS = {
    "main": ("Main: warm split, 1:1 negatives, leakage-free", {"warm 1:1": {}}),
    "paper": ("Paper protocol (PAPER, leaky): negatives drawn once, KFold over all pairs, graph "
              "features from the full graph", {"warm 1:1 PAPER": {"protocol": "paper"}}),
    "ratios": ("Negative ratios (warm, leakage-free; 1:1 is the main table)",
               {f"1:{r}": {"neg_ratio": r} for r in (2, 5, 10)}),
    "ablations": ("Ablations (warm, 1:1, leakage-free; full MFERL is the main table)",
                  {f"w/o {a}": {} for a in ("cl", "homo", "mcam", "heter")}),
    "cold": ("Cold-start splits (1:1, leakage-free)",
             {m: {"mode": m} for m in ("cold-src", "cold-dst", "cold-both")}),
}
TIMING = ["dataset", "experiment", "setting", "model", "folds", "epochs/fold", "s/epoch",
          "features s/fold", "fit s/fold", "peak RSS MiB"]


def models_for(exp: str, setting: str, g, args) -> list[tuple[str, object]]:
    """``(tag, model)`` of a setting: MFERL (or its ablation) and the baselines."""
    def mk(name: str, **kw):
        return h.model(name, args.seed, args.epochs, **kw)
    if exp == "ablations":                  # w/o cl: no InfoNCE term; w/o a block: the rest
        part = setting[4:]
        off = {"cl_weight": 0.0} if part == "cl" else {
            "blocks": [b for b in ("homo", "mcam", "heter") if b != part]}
        return [(f"MFERL {setting}", mk("mferl", **off))]
    seqs = all(bool(g[t].has_seq.all()) for t in CIRC_MIRNA[::2])
    out = [("MFERL", mk("mferl"))] + ([("MFERL+pair", mk("mferl-pair"))]
                                      if seqs and exp != "paper" else [])
    out += [("DegreeProduct", mk("degree")), ("TruncatedSVDLink-64", mk("svd", dim=64))]
    out += [("DegreeProduct+1", mk("degree+1"))] if exp == "cold" else []
    if exp != "paper":
        out += [("SAGELink", mk("sage"))] + ([("SeedMatch", mk("seedmatch"))] if seqs else [])
    return out


def run(args, log) -> None:
    for exp in args.experiments:
        for name, g in h.graphs(args.datasets, args.root):
            for setting, split in EXPERIMENTS[exp][1].items():
                try:
                    folds = kfold_link_split(g, CIRC_MIRNA, k=args.folds, seed=args.seed,
                                             **split)[:args.max_folds]
                except ValueError as exc:        # e.g. too few unobserved pairs for 1:10
                    print(f"   infeasible: {exc}", flush=True)
                    f = Path(args.out) / name / exp / "infeasible.json"
                    write_json(f, {**(json.loads(f.read_text()) if f.exists() else {}),
                                   setting: str(exc)})
                    continue
                for tag, model in models_for(exp, setting, g, args):
                    if args.models and not any(a.lower() in tag.lower() for a in args.models):
                        continue
                    meta = {"dataset": name, "experiment": exp, "setting": setting,
                            "model": tag, "k": args.folds, "seed": args.seed}
                    res, s = h.cv(model, g, CIRC_MIRNA, folds, args, name, exp, setting, tag,
                                  meta=meta, curves=True)
                    print(f"{name} · {exp} · {setting} · {tag}: AUC {res.summary('auc')} "
                          f"({len(res.folds)} folds, {s:.1f} s)", flush=True)
                    if stats := [{**fi, "fit_s": f["fit_s"]} for f, fi in
                                 zip(res.folds, res.fit_info) if f["fold"] in res.fitted]:
                        log.add(name, exp, setting, tag, *timing_cells(stats))
            section(args)


def section(args) -> None:
    """Rebuild the ``mferl`` section of results.md from every run under ``--out``."""
    h.write_results(args, "mferl", mferl_section(Path(args.out), args.datasets, EXPERIMENTS,
                                                 time.strftime("%Y-%m-%d %H:%M")))


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, datasets=DATASETS, models=[], folds=5,
                  out=str(h.ROOT / "runs" / "mferl"), jobs=1, max_folds=None, epochs=300,
                  report_only=False)
    ap.add_argument("--experiments", nargs="*", default=list(EXPERIMENTS),
                    choices=list(EXPERIMENTS))
    ap.add_argument("--timings", action="store_true",
                    help="accepted for old commands: --report-only always rebuilds the timings")
    args = h.parse(ap, argv)
    log = h.log(args, "mferl: time per epoch / fold and peak RSS (1 torch thread)"
                + (", from stored fold stats" if args.report_only else ""), TIMING)
    if args.report_only:
        for r in mferl_runs(Path(args.out)):
            stats = [{**i, "fit_s": f.get("fit_s", 0)} for f, i in zip(r["folds"], r["info"]) if i]
            if r["model"].startswith("MFERL") and stats:
                log.add(r["dataset"], r["experiment"], r["setting"], r["model"],
                        *timing_cells(stats))
        section(args)
    else:
        run(args, log)
    if log.rows:
        log.note("Means over the folds fitted in this invocation (with --report-only: every "
                 "stored fold); features s: sequence views and Role2Vec (disk-cached).")
        h.publish(args, log)


if __name__ == "__main__":
    main()
