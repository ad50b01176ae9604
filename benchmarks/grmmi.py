"""GRMMI experiments: the sequence branch on miTAR's site pairs, the graph branch on mtis-9214,
the complete model with ablations on synthetic data. Each (experiment, dataset, model) is one
resumable ``cross_validate`` run under ``--out``; the ``grmmi`` section (or ``--section``) of
``docs/results.md`` is rebuilt from every finished run under ``--out`` and ``--also`` (seed
replicates: ``--model-seed`` in their own ``--out``). ``--models``: the tags below or any
registry name or preset (``rnagraph.models.registry.PRESETS``).

    python benchmarks/grmmi.py --experiments mitar --splits 5 --epochs 40 [--split-by mirna]
    python benchmarks/grmmi.py --experiments mitar --splits 5 --model-seed 1 \
        --out runs/grmmi-seed1 --docs none                       # a seed replicate
"""
from __future__ import annotations

import sys
from pathlib import Path

import _harness as h
from _log import ROOT, machine

from rnagraph.data import kfold_link_split
from rnagraph.evaluate import mitar as mt
from rnagraph.models.registry import MODELS, PRESETS
from rnagraph.typing import MIRNA_MRNA

#: miTAR: tag -> registry name or preset ("GRMMI-seq tuned+pair" -> grmmi-seq-tuned-pair)
MITAR = {t: t.lower().replace(" ", "-").replace("+", "-") for t in (
    "SeedMatch", "GRMMI-seq", "GRMMI-seq+map", "GRMMI-seq tuned", "GRMMI-seq tuned+pair",
    "GRMMI-seq tuned+pair+rank", "GRMMI-seq tuned+pair+site", "GRMMI-seq tuned+site",
    "GRMMI-seq tuned+pair+site+count", "GRMMI-seq tuned+site+count",
    "GRMMI-seq tuned+site+count+head", "GRMMI-seq tuned+site+head", "GRMMI-seq tuned+diag",
    "MiTAR")} | {"NodePrior (miRNA)": "node-prior", "NodePrior+SeedMatch (stacked)": "prior+seed"}
#: the graph encoders of the paper's comparison, 64 dimensions each (GraRep: 4 orders of 16)
ENCODERS = {"lap": "LaplacianEigenmaps", "hope": "HOPE", "line": "LINE", "deepwalk": "DeepWalk",
            "gf": "GraphFactorization"}


def _encoder(name: str) -> dict:
    """A graph encoder as data (built anew per model by ``get_model``)."""
    return {"part": f"rnagraph.nn.encoders.{ENCODERS[name]}", "params": {"dim": 64}}


#: mtis-9214 (graph branch; no gene sequences) and synthetic: tag -> GRMMI ablation arguments
#: (parameter names of GRMMI's parts, short where one part has the name)
MTIS = {"GRMMI": {}, "GRMMI graph only": {"sequence_encoder": None},
        "GRMMI-LAP": {"graph_encoder": _encoder("lap")},
        "GRMMI-HOPE": {"graph_encoder": _encoder("hope")},
        **{f"GRMMI graph only {e.upper()}": {"sequence_encoder": None,
                                              "graph_encoder": _encoder(e)}
           for e in ENCODERS}}
SYNTHETIC = {"GRMMI": {}, "GRMMI-noatt": {"attention": False}, "GRMMI-lstm": {"lstm": "uni"},
             "GRMMI-nolstm": {"lstm": None}, "GRMMI word2vec": {"init": "word2vec"},
             "GRMMI add": {"fusion": "add"}, "GRMMI average": {"fusion": "average"},
             "GRMMI dnn": {"fusion": "dnn"}, "GRMMI no-BP": {"bp": False},
             "GRMMI graph only": {"sequence_encoder": None},
             "GRMMI sequence only": {"graph_encoder": None}}


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
        out.append((tag, h.model(name, seed, **own, **kw)))
    return out


def run_experiment(exp: str, args) -> None:
    if exp == "mitar":
        data, folds = mt.mitar_splits(args.splits, args.seed, args.root, by=args.split_by)
        folds = folds if args.only_splits is None else [folds[i] for i in args.only_splits]
        sets = [(*mt.SPLITS[args.split_by], data, folds)]
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
            meta = {"experiment": exp, "dataset": dname, "model": tag, "epochs": args.epochs,
                    "model_seed": model_seed,
                    "command": " ".join(["python benchmarks/grmmi.py", *sys.argv[1:]])}
            res, _ = h.cv(model, data, MIRNA_MRNA, folds, args, meta=meta,
                          out_dir=Path(args.out) / exp / sub / tag.replace(" ", "_"))
            print(f"{exp:9s} {dname:18s} {tag:22s} AUC {res.summary('auc', 4)}  "
                  f"ACC {res.summary('acc', 4)}", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, threads=2, folds=5, out=str(ROOT / "runs" / "grmmi"), jobs=1,
                  max_folds=None, epochs=30, report_only=False)
    ap.add_argument("--models", nargs="*", default=None,
                    help="tags or registry names (default: the experiment's table)")
    ap.add_argument("--experiments", nargs="*", default=[*mt.EXPERIMENTS], choices=mt.EXPERIMENTS)
    ap.add_argument("--splits", type=int, default=10, help="miTAR splits")
    ap.add_argument("--split-by", default="pair", choices=list(mt.SPLITS),
                    help="miTAR: random pairs, or whole miRNAs held out (miRNA-disjoint)")
    ap.add_argument("--only-splits", type=int, nargs="*", default=None,
                    help="run only these split indices (two processes can share a run)")
    ap.add_argument("--modes", nargs="*", default=["warm"],
                    choices=["warm", "cold-src", "cold-dst", "cold-both", "paper"])
    ap.add_argument("--model-seed", type=int, default=None,
                    help="the models' seed alone, the splits unchanged (a seed replicate)")
    ap.add_argument("--section", default="grmmi", help="docs/results.md section")
    ap.add_argument("--heading", default=None, help="the section's heading")
    ap.add_argument("--note", default="", help="a line for the report")
    ap.add_argument("--also", nargs="*", default=[], help="more run roots for the report")
    args = h.parse(ap, argv)
    if not args.report_only:
        for exp in args.experiments:
            run_experiment(exp, args)
    heading = args.heading or ("## GRMMI" if args.section == "grmmi" else f"## GRMMI ("
                               f"{', '.join(args.experiments)}; {', '.join(args.modes)})")
    mix = mt.mirna_label_mix(args.root) if "mitar" in args.experiments else ""
    h.write_results(args, args.section, mt.grmmi_section(
        [Path(args.out), *map(Path, args.also)], args.note, heading, mix, args.root, machine()))


if __name__ == "__main__":
    main()
