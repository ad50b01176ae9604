"""GRMMI experiments: the sequence branch on miTAR's site pairs, the graph branch on mtis-9214,
the complete model with ablations on synthetic data. Each (experiment, dataset, model) is one
resumable ``cross_validate`` run under ``--out``; the ``grmmi`` section (or ``--section``) of
``docs/results.md`` is rebuilt from every finished run under ``--out`` and ``--also`` (seed
replicates: ``--model-seed`` in their own ``--out``). ``--models``: the tags below or any
registry name or preset (``rnagraph.models.registry.PRESETS``).

    python benchmarks/grmmi.py --experiments mtis [--modes paper]
    python benchmarks/grmmi.py --experiments mitar --splits 5 --epochs 40
    python benchmarks/grmmi.py --experiments mitar --splits 5 --model-seed 1 \
        --out runs/grmmi-seed1 --docs none                       # a seed replicate
    python benchmarks/grmmi.py --experiments synthetic --modes warm cold-dst \
        --out runs/grmmi-syn --section grmmi-synthetic
    python benchmarks/grmmi.py --report-only --also runs/grmmi-seed1
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import _harness as h
from _log import ROOT, machine

from rnagraph.data import kfold_link_split
from rnagraph.evaluate.mitar import (
    independent_table,
    loss_table,
    mitar_splits,
    seed_table,
    within_table,
)
from rnagraph.evaluate.results import markdown_table
from rnagraph.evaluate.summaries import KINDS, read_runs, training_row
from rnagraph.models import get_model
from rnagraph.models.registry import MODELS, PRESETS
from rnagraph.typing import MIRNA_MRNA

EXPERIMENTS = ("mitar", "mtis", "synthetic")
METRICS = ("auc", "aupr", "acc", "f1", "mcc")
PAPER = ("GRMMI paper (MTIS-9214, their negatives and folds): ACC 86.65, F1 86.27, AUC 0.9347, "
         "AUPR 0.9412, MCC 73.46; graph-encoder ablation AUC LINE 0.8496, DeepWalk 0.7253, "
         "GF 0.7777, HOPE 0.8742, LAP 0.9149; peers AEmiGAP 0.9164, miGAP 0.9056, miTAR 0.9027, "
         "miRanda 0.6286, PITA 0.6565.")
#: miTAR: tag -> registry name or preset ("GRMMI-seq tuned+pair" -> grmmi-seq-tuned-pair)
MITAR = {t: t.lower().replace(" ", "-").replace("+", "-") for t in (
    "SeedMatch", "GRMMI-seq", "GRMMI-seq+map", "GRMMI-seq tuned", "GRMMI-seq tuned+pair",
    "GRMMI-seq tuned+pair+rank", "GRMMI-seq tuned+pair+site", "GRMMI-seq tuned+site",
    "GRMMI-seq tuned+pair+site+count", "GRMMI-seq tuned+site+count",
    "GRMMI-seq tuned+site+count+head", "GRMMI-seq tuned+site+head", "GRMMI-seq tuned+diag",
    "MiTAR")} | {"NodePrior (miRNA)": "node-prior", "NodePrior+SeedMatch (stacked)": "prior+seed"}
UNSEEDED = ("seedmatch", "node-prior", "prior+seed", "degree", "degree+1", "l3", "ra3", "katz")
#: mtis-9214 (graph branch; no gene sequences) and synthetic: tag -> GRMMI ablation arguments
MTIS = {"GRMMI": {}, "GRMMI graph only": {"sequence": False},
        "GRMMI-LAP": {"graph_encoder": "lap"}, "GRMMI-HOPE": {"graph_encoder": "hope"},
        **{f"GRMMI graph only {e.upper()}": {"sequence": False, "graph_encoder": e}
           for e in ("lap", "hope", "line", "deepwalk", "gf")}}
SYNTHETIC = {"GRMMI": {}, "GRMMI-noatt": {"attention": False}, "GRMMI-lstm": {"lstm": "uni"},
             "GRMMI-nolstm": {"lstm": None}, "GRMMI word2vec": {"init": "word2vec"},
             "GRMMI add": {"fusion": "add"}, "GRMMI average": {"fusion": "average"},
             "GRMMI dnn": {"fusion": "dnn"}, "GRMMI no-BP": {"bp": False},
             "GRMMI graph only": {"sequence": False},
             "GRMMI sequence only": {"graph_encoder": None}}


def mirna_label_mix(root: str | None) -> str:
    """One sentence on how the combined set's labels sit on its miRNAs."""
    from rnagraph.datasets.mitar import load_site_pairs
    sp = load_site_pairs("combined", root)
    mix = sp.mirna_label_mix()
    return ("miTAR's combined set: " + ", ".join(
        f"{n:,} miRNAs in {'both classes' if k == 'both' else k.replace(' only', 's only')} "
        f"({r:,} pairs)" for k, (n, r) in mix.items())
        + f", of {sum(n for n, _ in mix.values()):,} miRNAs and {len(sp):,} pairs.")


def runs(exp: str, tags: list[str] | None, epochs: int, seed: int) -> list[tuple[str, object]]:
    """``(tag, model)`` of an experiment: its table, or the tags / registry names given."""
    if exp == "mitar":
        table = {t: (name, {}) for t, name in MITAR.items()}
        table["MiTAR"] = ("mitar", {"patience": 10})
    else:
        extra = {"patience": 10} if exp == "mtis" else {"patience": 5, "max_tokens": 300}
        table = {t: ("grmmi", {"batch_size": 256, "lr": 2e-3, **extra, **kw})
                 for t, kw in (MTIS if exp == "mtis" else SYNTHETIC).items()}
        table |= {"SeedMatch": ("seedmatch", {})} if exp == "synthetic" else {}
        table["DegreeProduct"] = ("degree", {})
        table |= {"TruncatedSVDLink-64": ("svd", {"dim": 64})} if exp == "mtis" else {}
        table["SAGELink"] = ("sage", {})
    out = []
    for tag in tags or table:
        name, kw = table.get(tag, (tag, {}))
        if name not in MODELS and name not in PRESETS:
            raise SystemExit(f"unknown model {tag!r}: a tag of {exp} or a registry name")
        own = {"epochs": epochs} if name in ("grmmi", "mitar", *PRESETS) else {}
        own |= {} if name in UNSEEDED else {"seed": seed}
        out.append((tag, get_model(name, **own, **kw)))
    return out


def run_experiment(exp: str, args) -> None:
    if exp == "mitar":
        data, folds = mitar_splits(args.splits, args.seed, args.root)
        folds = folds if args.only_splits is None else [folds[i] for i in args.only_splits]
        sets = [("mitar (combined)", "", data, folds)]
    else:
        name = "mtis-9214" if exp == "mtis" else "synthetic"
        g = h.graph(name, args.root, num_mirna=60, num_mrna=200, num_circrna=0)
        sets = []
        for mode in args.modes:
            label = {"warm": name, "paper": f"{name} (PAPER protocol, leaky)"}.get(
                mode, f"{name} ({mode})")
            folds = kfold_link_split(g, MIRNA_MRNA, k=args.folds, neg_ratio=1, seed=args.seed,
                                     mode="warm" if mode == "paper" else mode,
                                     protocol="paper" if mode == "paper" else "leakage-free")
            sets.append((label, "" if mode == "warm" else mode, g, folds[:args.max_folds]))
    model_seed = args.seed if args.model_seed is None else args.model_seed
    for dname, sub, data, folds in sets:
        for tag, model in runs(exp, args.models, args.epochs, model_seed):
            out = Path(args.out) / exp / sub / tag.replace(" ", "_")
            res = h.cv(model, data, MIRNA_MRNA, folds, args, out_dir=out)
            (out / "run.json").write_text(json.dumps({
                "experiment": exp, "dataset": dname, "model": tag, "epochs": args.epochs,
                "model_seed": model_seed,
                "command": " ".join(["python benchmarks/grmmi.py", *sys.argv[1:]])}))
            print(f"{exp:9s} {dname:18s} {tag:22s} AUC {res.summary('auc', 4)}  "
                  f"ACC {res.summary('acc', 4)}", flush=True)


# ---------------------------------------------------------------------------- report
def _table(head: str, rows: list) -> str:
    return markdown_table(head.split(" | "), rows)


def report(out_root: Path | list[Path], note: str = "", heading: str = "## GRMMI",
           mix: str = "", root: str | None = None) -> str:
    """The section's Markdown from the finished runs under the roots; ``root``: the data root
    for the table that rebuilds miTAR's splits."""
    roots = [out_root] if isinstance(out_root, Path) else list(out_root)
    runs = read_runs(roots, "*/**/run.json")
    mitar = [r for r in runs if r["meta"]["experiment"] == "mitar"]
    rows: dict[str, list[str]] = {e: [] for e in EXPERIMENTS}
    commands = dict.fromkeys(r["meta"].get("command", "python benchmarks/grmmi.py")
                             for r in runs)
    for r in (r for r in runs if not r["partial"]):
        rows[r["meta"]["experiment"]].append([r["meta"]["dataset"], r["label"],
                                              *training_row(r, METRICS)])
    titles = {"mitar": "Sequence branch on miTAR's combined set (repeated random 64/16/20 "
                       "splits; mean (95% CI) over splits)",
              "mtis": "mtis-9214, 5-fold warm 1:1, leakage-free unless the dataset says "
                      "PAPER (same folds as the baselines; mean (95% CI) over folds)",
              "synthetic": "Synthetic (1:1, leakage-free; warm, and cold splits where named): "
                           "complete model and ablations"}
    parts = [heading, f"Machine: {machine()}. Commands: "
             + "; ".join(f"`{c}`" for c in commands) + " (options per run in run.json)."]
    for e in EXPERIMENTS:
        if rows[e]:
            parts += [f"### {titles[e]}", _table(
                "dataset | model | splits | val AUC | val within | AUC | AUPR | ACC | F1 | MCC | "
                "epochs run / max | s/epoch | test pairs/s | peak RSS MiB", rows[e])]
        if e != "mitar":
            continue
        if ind := independent_table(mitar):
            parts += ["### miTAR's independent test files, scored by each split's model "
                      "(mean (95% CI) over splits)", _table(
                          "test file | model | splits | pairs scored | removed: exact / "
                          "near-duplicate of the split's training pairs | AUC | AUPR | ACC | MCC",
                          ind),
                      "Near-duplicate: the same miRNA with a target site at normalised "
                      "Levenshtein similarity >= 0.9 to a training pair's (`SitePairs.overlap`)."]
        if within := within_table(mitar):
            parts += ["### The miRNA-identity shortcut: test AUC beside the within-miRNA AUC "
                      "(mean (95% CI) over splits)", _table(
                          "pairs | model | splits | AUC | within-miRNA AUC | miRNAs compared | "
                          "comparisons | pairs of those miRNAs", within),
                      (mix + " " if mix else "") + "Within-miRNA AUC: see docs/protocol.md "
                      "(Metrics); a score of the miRNA alone (NodePrior) gets 0.5."]
        head_l, lost = loss_table(mitar, root)
        if lost:
            parts += ["### Where the test AUC is lost, by the kind of miRNA (per mille of all "
                      "positive-negative comparisons, mean over splits)",
                      _table("model | splits | 1 - AUC | " + " | ".join(head_l) + " | other",
                             lost),
                      "A cell `pos a / neg b`: misordered comparisons of a positive of miRNA "
                      "kind a with a negative of kind b; the cells sum to 1 - AUC "
                      "(docs/protocol.md, Metrics). Kinds: "
                      + ", ".join(f"{k} {v}" for k, v in KINDS.items()) + "."]
        n_splits, n_ens, seeds = seed_table(mitar)
        if seeds:
            parts += ["### Seed replicates in the same miTAR splits (test AUC over the splits "
                      "every seed finished)", _table(
                          f"model | seeds | splits | AUC per seed | seed mean | ensemble of the "
                          f"first {n_ens} seeds (mean (95% CI) over splits) | "
                          + " | ".join(f"split {k}" for k in range(n_splits)), seeds),
                      "Ensemble: each test pair's scores averaged over the seeds "
                      "(`rnagraph.evaluate.seed_ensemble`). split k: the seeds' mean AUC."]
    parts += [note] if note else []
    parts += [PAPER] if rows["mtis"] else []
    parts.append("Threshold 0.5 on calibrated scores (docs/protocol.md). val AUC / val "
                 "within: of the kept state, mean over splits (– without training). Pairs/s "
                 "include encoding the test pairs. Fewer splits or a lower epoch cap than the "
                 "protocol: a REDUCED run.")
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, threads=2, folds=5, out=str(ROOT / "runs" / "grmmi"), jobs=1)
    ap.add_argument("--models", nargs="*", default=None,
                    help="tags or registry names (default: the experiment's table)")
    ap.add_argument("--experiments", nargs="*", default=list(EXPERIMENTS), choices=EXPERIMENTS)
    ap.add_argument("--splits", type=int, default=10, help="miTAR random splits")
    ap.add_argument("--only-splits", type=int, nargs="*", default=None,
                    help="run only these split indices (two processes can share a run)")
    ap.add_argument("--max-folds", type=int, default=None)
    ap.add_argument("--modes", nargs="*", default=["warm"],
                    choices=["warm", "cold-src", "cold-dst", "cold-both", "paper"])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--model-seed", type=int, default=None,
                    help="the models' seed alone, the splits unchanged (a seed replicate)")
    ap.add_argument("--section", default="grmmi", help="docs/results.md section")
    ap.add_argument("--heading", default=None, help="the section's heading")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--note", default="", help="a line for the report")
    ap.add_argument("--also", nargs="*", default=[], help="more run roots for the report")
    args = h.parse(ap, argv)
    if not args.report_only:
        for exp in args.experiments:
            run_experiment(exp, args)
    heading = args.heading or ("## GRMMI" if args.section == "grmmi" else
                               f"## GRMMI ({', '.join(args.experiments)}; "
                               f"{', '.join(args.modes)})")
    mix = mirna_label_mix(args.root) if "mitar" in args.experiments else ""
    h.write_results(args, args.section, report([Path(args.out), *map(Path, args.also)],
                                               args.note, heading, mix, args.root))


if __name__ == "__main__":
    main()
