"""GRMMI experiments: the sequence branch on miTAR's site pairs, the graph branch on mtis-9214,
the complete model with ablations on synthetic data.

Every (experiment, dataset, model) is one :func:`~rnagraph.evaluate.cross_validate` run with its
own ``out_dir`` under ``--out`` (default ``runs/grmmi``), so a killed run resumes split by split.
At the end it rebuilds the ``grmmi`` section (or ``--section``) of ``docs/results.md`` from
every finished ``metrics.json`` under ``--out`` (with seconds per epoch, pairs per second at
inference and peak RSS from the per-fold records).

On miTAR's site pairs the tables also carry two shortcut baselines, ``NodePrior (miRNA)`` (a
pair scored by its miRNA's training positive rate alone) and ``NodePrior+SeedMatch (stacked)``
(that and the seed-site count, weighed on validation pairs), and a table of the
**within-miRNA AUC** (a positive compared only with negatives of its own miRNA) on the test
splits and the independent files: most of the combined set's miRNAs occur in one class only,
so the plain AUC rewards recognising a miRNA as much as reading the pair.

    python benchmarks/grmmi.py --experiments mtis                 # graph branch, 5 folds
    python benchmarks/grmmi.py --experiments mtis --modes paper   # the papers' leaky protocol
    python benchmarks/grmmi.py --experiments mitar --splits 10    # miTAR protocol
    python benchmarks/grmmi.py --experiments mitar --splits 2 --epochs 5   # reduced
    python benchmarks/grmmi.py --experiments mitar --splits 5 --only-splits 4 3  # 2nd process
    python benchmarks/grmmi.py --experiments mitar --splits 1 --models "GRMMI-seq k3"  # search
    python benchmarks/grmmi.py --experiments synthetic --modes warm cold-dst
    python benchmarks/grmmi.py --experiments synthetic --out runs/grmmi-syn \
        --section grmmi-synthetic                                  # its own section
    python benchmarks/grmmi.py --report-only
    python benchmarks/grmmi.py --report-only --also runs/grmmi-long   # + longer-capped runs
    python benchmarks/grmmi.py --experiments mitar --splits 5 --model-seed 1 \
        --out runs/grmmi-seed1 --no-results                        # a seed replicate
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _log import ROOT, machine, write_section  # noqa: E402

from rnagraph.data import build_graph, kfold_link_split  # noqa: E402
from rnagraph.data.fold import EXTRA_TESTS, Fold, LinkSet  # noqa: E402
from rnagraph.evaluate import cross_validate  # noqa: E402
from rnagraph.models import (  # noqa: E402
    GRMMI,
    DegreeProduct,
    MiTAR,
    NodePrior,
    SAGELink,
    SeedMatch,
    StackedLink,
    TruncatedSVDLink,
)
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA  # noqa: E402

EXPERIMENTS = ("mitar", "mtis", "synthetic")
METRICS = ("auc", "aupr", "acc", "f1", "mcc")
#: GRMMI paper, Table 5 / Table 4 / Table 6 (5-fold CV on MTIS-9214, their protocol)
PAPER = ("GRMMI paper (MTIS-9214, their negatives and folds): ACC 86.65, F1 86.27, AUC 0.9347, "
         "AUPR 0.9412, MCC 73.46; graph-encoder ablation AUC LINE 0.8496, DeepWalk 0.7253, "
         "GF 0.7777, HOPE 0.8742, LAP 0.9149; peers AEmiGAP 0.9164, miGAP 0.9056, miTAR 0.9027, "
         "miRanda 0.6286, PITA 0.6565.")


# ---------------------------------------------------------------------------- data
#: miTAR's independent test files, scored by every split's model after removing what
#: overlaps that split's training pairs (exactly or as a near-duplicate site)
INDEPENDENT = ("deepmirtar-indtest", "miraw-indtest", "miraw-indtest-unique")


def mitar_folds(n_splits: int, seed: int, root: str | None, near: float = 0.9):
    """miTAR's protocol on the combined DeepMirTar + miRAW set: repeated random 64/16/20
    splits (duplicate rows kept together). Each split is a :class:`Fold` over a graph whose
    miRNA nodes are distinct miRNA sequences and mRNA nodes distinct target sites (of the
    combined set and the independent test files, whose nodes carry no training edge). Each
    fold's ``meta["extra_tests"]`` holds the independent test files minus the rows that repeat
    (``meta["<file>:exact"]``) or nearly repeat (same miRNA, target site at normalised
    Levenshtein similarity >= ``near``: ``meta["<file>:near"]``) one of its training pairs."""
    from rnagraph.datasets.mitar import load_site_pairs
    sp = load_site_pairs("combined", root)
    inds = {n: load_site_pairs(n, root) for n in INDEPENDENT}
    every = [sp, *inds.values()]
    mi_ids = {s: f"mi{i}" for i, s in enumerate(dict.fromkeys(
        x for d in every for x in d.mirna_seq))}
    t_ids = {s: f"t{i}" for i, s in enumerate(dict.fromkeys(
        x for d in every for x in d.target_seq))}
    seqs = {MIRNA: {v: k for k, v in mi_ids.items()}, MRNA: {v: k for k, v in t_ids.items()}}
    rows = [(mi_ids[a], t_ids[b]) for a, b in zip(sp.mirna_seq, sp.target_seq)]
    label = sp.label.numpy()
    nodes = {MIRNA: list(seqs[MIRNA]), MRNA: list(seqs[MRNA])}
    full = build_graph(seqs, {MIRNA_MRNA: [r for r, y in zip(rows, label) if y == 1]},
                       node_ids=nodes)
    mi_index = {s: i for i, s in enumerate(full[MIRNA].ids)}
    t_index = {s: i for i, s in enumerate(full[MRNA].ids)}

    def index_pairs(d) -> torch.Tensor:
        return torch.tensor([[mi_index[mi_ids[a]] for a in d.mirna_seq],
                             [t_index[t_ids[b]] for b in d.target_seq]]).view(2, -1)

    pairs = index_pairs(sp)
    ind_pairs = {n: index_pairs(d) for n, d in inds.items()}
    y = torch.from_numpy(label).float()
    folds = []
    for s in range(n_splits):
        tr, va, te = sp.random_split((0.64, 0.16, 0.20), seed=seed + s)
        pos = [rows[i] for i in tr if label[i] == 1]
        tg = build_graph(seqs, {MIRNA_MRNA: pos}, node_ids=nodes)
        ls = [LinkSet(pairs[:, torch.from_numpy(ix)], y[torch.from_numpy(ix)])
              for ix in (tr, va, te)]
        seen = [(sp.mirna_seq[i], sp.target_seq[i]) for i in tr]
        meta: dict = {"seed": seed + s, "split": "64/16/20", EXTRA_TESTS: {}}
        for n, d in inds.items():
            code = d.overlap(seen, near=near)
            keep = torch.from_numpy(np.nonzero(code == 0)[0])
            meta[EXTRA_TESTS][n] = LinkSet(ind_pairs[n][:, keep], d.label[keep].float())
            meta[f"{n}:exact"], meta[f"{n}:near"] = int((code == 2).sum()), int((code == 1).sum())
        folds.append(Fold(s, MIRNA_MRNA, tg, *ls, meta=meta))
    return full, folds


def load_graph(name: str, root: str | None):
    from rnagraph.datasets import load, synthetic
    if name == "synthetic":
        return synthetic(num_mirna=60, num_mrna=200, num_circrna=0, seed=0)
    return load(name, root=root)


def mirna_label_mix(root: str | None) -> str:
    """One sentence on how the combined set's labels sit on its miRNAs
    (:meth:`SitePairs.mirna_label_mix`)."""
    from rnagraph.datasets.mitar import load_site_pairs
    sp = load_site_pairs("combined", root)
    mix = sp.mirna_label_mix()
    says = {"negative only": "in negatives only", "positive only": "in positives only",
            "both": "in both classes"}
    return ("miTAR's combined set: " + ", ".join(
        f"{n:,} miRNAs {says[k]} ({r:,} pairs)" for k, (n, r) in mix.items())
        + f", of {sum(n for n, _ in mix.values()):,} miRNAs and {len(sp):,} pairs.")


# ---------------------------------------------------------------------------- runs
def grmmi_seq(epochs: int, seed: int, **kw) -> GRMMI:
    return GRMMI(**{"graph_encoder": None, "epochs": epochs, "batch_size": 256, "lr": 2e-3,
                    "patience": 5, "seed": seed, **kw})


#: the trainer's learning-rate cut on a validation plateau, and the antisense target reading,
#: as the search tried them
_PLATEAU = {"lr_factor": 0.3, "lr_patience": 1, "patience": 6}
_RC = {"mrna_orientation": "reverse_complement"}
_FROZEN_EMA = {"freeze_embedding": True, "ema_decay": 0.99}
_NT = {"k": 1, "init": "random", "embedding_dim": 16, "conv_channels": 128, "kernel_size": 12}
#: GRMMI-seq variants for a validation search on miTAR's split 0 (run only when named:
#: ``--experiments mitar --splits 1 --models ...``); a variant is chosen by its validation
#: AUC (the "val AUC" column), never by test
SEARCH = {"GRMMI-seq lr1e-3": {"lr": 1e-3, "patience": 8},
          "GRMMI-seq wd1e-4": {"weight_decay": 1e-4},
          "GRMMI-seq dropout0.4": {"dropout": 0.4},
          "GRMMI-seq k3": {"k": 3},
          "GRMMI-seq rc": _RC,
          "GRMMI-seq match": {"match_scores": True},
          "GRMMI-seq rc match": {**_RC, "match_scores": True},
          "GRMMI-seq plateau": _PLATEAU,
          "GRMMI-seq rc match plateau": {**_RC, "match_scores": True, **_PLATEAU},
          "GRMMI-seq plateau conv256": {**_PLATEAU, "conv_channels": 256},
          "GRMMI-seq plateau hidden64": {**_PLATEAU, "hidden_channels": 64},
          "GRMMI-seq plateau map16": {**_PLATEAU, "map_channels": 16},
          "GRMMI-seq plateau map32": {**_PLATEAU, "map_channels": 32},
          "GRMMI-seq plateau map16 match": {**_PLATEAU, "map_channels": 16,
                                            "match_scores": True},
          "GRMMI-seq rc plateau map16": {**_PLATEAU, "map_channels": 16, **_RC},
          "GRMMI-seq plateau pair32": {**_PLATEAU, "pairing_channels": 32},
          "GRMMI-seq plateau map16 pair32": {**_PLATEAU, "map_channels": 16,
                                             "pairing_channels": 32},
          # nucleotide tokens with a miTAR-like front end (12-nt filters)
          "GRMMI-seq plateau map16 nt": {**_PLATEAU, "map_channels": 16, **_NT},
          "GRMMI-seq plateau map16 frozen": {**_PLATEAU, "map_channels": 16,
                                             "freeze_embedding": True},
          "GRMMI-seq plateau map16 ema": {**_PLATEAU, "map_channels": 16, "ema_decay": 0.99},
          "GRMMI-seq plateau map16 frozen ema": {**_PLATEAU, "map_channels": 16, **_FROZEN_EMA},
          "GRMMI-seq plateau frozen ema": {**_PLATEAU, **_FROZEN_EMA},
          "GRMMI-seq plateau map16 frozen ema rc": {**_PLATEAU, "map_channels": 16,
                                                    **_FROZEN_EMA, **_RC},
          "GRMMI-seq plateau map16 frozen ema pair32": {**_PLATEAU, "map_channels": 16,
                                                        **_FROZEN_EMA, "pairing_channels": 32},
          # the pairing map read by DiagonalPairing (every alignment scored as one duplex)
          "GRMMI-seq plateau map16 frozen ema diag32": {**_PLATEAU, "map_channels": 16,
                                                        **_FROZEN_EMA, "pairing_channels": 32,
                                                        "pairing": "diagonal"},
          # the pick with the within-miRNA ranking term (pair reading, not miRNA recognition)
          "GRMMI-seq plateau map16 frozen ema pair32 rank1": {
              **_PLATEAU, "map_channels": 16, **_FROZEN_EMA, "pairing_channels": 32,
              "rank_weight": 1.0},
          # ... and early stopping on the validation within-miRNA AUC
          "GRMMI-seq plateau map16 frozen ema pair32 rank1 within": {
              **_PLATEAU, "map_channels": 16, **_FROZEN_EMA, "pairing_channels": 32,
              "rank_weight": 1.0, "monitor": "grouped_auc"},
          # the seed-site pair term (pair_features: SeedMatch's counts, weights learned)
          "GRMMI-seq plateau map16 frozen ema pair32 site": {
              **_PLATEAU, "map_channels": 16, **_FROZEN_EMA, "pairing_channels": 32,
              "pair_features": True},
          "GRMMI-seq plateau map16 frozen ema site": {
              **_PLATEAU, "map_channels": 16, **_FROZEN_EMA, "pair_features": True},
          # ... and the miRNA's count of training pairs in that term (mirna_count: miRNA
          # recognition made explicit, the shortcut the miTAR port learns from sequence)
          "GRMMI-seq plateau map16 frozen ema pair32 site count": {
              **_PLATEAU, "map_channels": 16, **_FROZEN_EMA, "pairing_channels": 32,
              "pair_features": True, "mirna_count": True},
          "GRMMI-seq plateau map16 frozen ema site count": {
              **_PLATEAU, "map_channels": 16, **_FROZEN_EMA, "pair_features": True,
              "mirna_count": True},
          # ... with those features in the head's input too (pair_head: the count can mean
          # one thing for DeepMirTar's sites and another for miRAW's)
          "GRMMI-seq plateau map16 frozen ema site count head": {
              **_PLATEAU, "map_channels": 16, **_FROZEN_EMA, "pair_features": True,
              "mirna_count": True, "pair_head": True},
          # ... the ablation without the count: the site counts alone in the head's input
          "GRMMI-seq plateau map16 frozen ema site head": {
              **_PLATEAU, "map_channels": 16, **_FROZEN_EMA, "pair_features": True,
              "pair_head": True}}


#: the search's pick by validation AUC on split 0, run on every split beside the paper's
#: architecture as "GRMMI-seq tuned+pair": a convolution over the attention's logit maps,
#: learning-rate cuts on plateau, the skip-gram k-mer table frozen, the parameters' moving
#: average and the nucleotide pairing map (0.9882 against the plain branch's 0.9834)
CHOSEN = "GRMMI-seq plateau map16 frozen ema pair32"
#: the second search's pick (0.9872), run on every split as "GRMMI-seq tuned"
TUNED = "GRMMI-seq plateau map16 frozen ema"
#: the first search's pick (0.9854), run on every split as "GRMMI-seq+map"
MAP = "GRMMI-seq plateau map16"
#: the pick with the within-miRNA ranking term (``rank_weight=1``): on split 0 it raised the
#: validation within-miRNA AUC (0.867 -> 0.915) at a small cost in validation AUC, so it is
#: run on every split as "GRMMI-seq tuned+pair+rank", the candidate for pair reading
RANK = "GRMMI-seq plateau map16 frozen ema pair32 rank1"
#: the pick and the tuned branch with the seed-site pair term (``pair_features=True``)
SITE, TUNED_SITE = ("GRMMI-seq plateau map16 frozen ema pair32 site",
                    "GRMMI-seq plateau map16 frozen ema site")
#: those two with the miRNA's count of training pairs (``mirna_count=True``)
SITE_COUNT, TUNED_SITE_COUNT = ("GRMMI-seq plateau map16 frozen ema pair32 site count",
                                "GRMMI-seq plateau map16 frozen ema site count")
#: the tuned branch with both in the head's input as well (``pair_head=True``): the
#: validation pick among the variants run on all 5 splits (val 0.9926 against tuned+pair+site's
#: 0.9895), run as "GRMMI-seq tuned+site+count+head"
TUNED_SITE_COUNT_HEAD = "GRMMI-seq plateau map16 frozen ema site count head"
#: ... and the same without the count (its ablation)
TUNED_SITE_HEAD = "GRMMI-seq plateau map16 frozen ema site head"
#: the tuned pick with the pairing map read along its diagonals (``DiagonalPairing``) in
#: place of the map CNN
DIAG = "GRMMI-seq plateau map16 frozen ema diag32"


def runs(exp: str, epochs: int, seed: int) -> list[tuple[str, object]]:
    if exp == "mitar":
        return [("SeedMatch", SeedMatch()),
                ("GRMMI-seq", grmmi_seq(epochs, seed)),
                ("GRMMI-seq+map", grmmi_seq(epochs, seed, **SEARCH[MAP])),
                ("GRMMI-seq tuned", grmmi_seq(epochs, seed, **SEARCH[TUNED])),
                ("GRMMI-seq tuned+pair", grmmi_seq(epochs, seed, **SEARCH[CHOSEN])),
                ("GRMMI-seq tuned+pair+rank", grmmi_seq(epochs, seed, **SEARCH[RANK])),
                ("GRMMI-seq tuned+pair+site", grmmi_seq(epochs, seed, **SEARCH[SITE])),
                ("GRMMI-seq tuned+site", grmmi_seq(epochs, seed, **SEARCH[TUNED_SITE])),
                ("GRMMI-seq tuned+pair+site+count",
                 grmmi_seq(epochs, seed, **SEARCH[SITE_COUNT])),
                ("GRMMI-seq tuned+site+count",
                 grmmi_seq(epochs, seed, **SEARCH[TUNED_SITE_COUNT])),
                ("GRMMI-seq tuned+site+count+head",
                 grmmi_seq(epochs, seed, **SEARCH[TUNED_SITE_COUNT_HEAD])),
                ("GRMMI-seq tuned+site+head", grmmi_seq(epochs, seed, **SEARCH[TUNED_SITE_HEAD])),
                # not a validation pick (val 0.9864): the fast pairing reader, for its speed
                ("GRMMI-seq tuned+diag", grmmi_seq(epochs, seed, **SEARCH[DIAG])),
                ("MiTAR", MiTAR(epochs=epochs, seed=seed, patience=10)),
                # the miRNA's positive rate in training, blind to the pair (the shortcut)
                ("NodePrior (miRNA)", NodePrior()),
                # that and SeedMatch's site count, weighed on validation pairs
                ("NodePrior+SeedMatch (stacked)", StackedLink()),
                *[(tag, grmmi_seq(epochs, seed, **kw)) for tag, kw in SEARCH.items()]]
    if exp == "mtis":
        base = dict(epochs=epochs, batch_size=256, lr=2e-3, patience=10, seed=seed)
        return [("GRMMI", GRMMI(**base)),
                ("GRMMI graph only", GRMMI(sequence=False, **base)),
                ("GRMMI-LAP", GRMMI(graph_encoder="lap", **base)),
                ("GRMMI-HOPE", GRMMI(graph_encoder="hope", **base)),
                # graph-encoder ablation on the graph branch alone (mtis has no gene
                # sequences, and the miRNA sequences do not move the full model's AUC)
                *[(f"GRMMI graph only {e.upper()}", GRMMI(sequence=False, graph_encoder=e,
                                                          **base))
                  for e in ("lap", "hope", "line", "deepwalk", "gf")],
                ("DegreeProduct", DegreeProduct()),
                ("TruncatedSVDLink-64", TruncatedSVDLink(dim=64, seed=seed)),
                ("SAGELink", SAGELink(seed=seed))]
    # synthetic: the complete model and its ablations (targets cut to 300 tokens)
    base = dict(epochs=epochs, batch_size=256, lr=2e-3, patience=5, seed=seed,
                max_tokens=300)
    return [("GRMMI", GRMMI(**base)),
            ("GRMMI-noatt", GRMMI(attention=False, **base)),
            ("GRMMI-lstm", GRMMI(lstm="uni", **base)),
            ("GRMMI-nolstm", GRMMI(lstm=None, **base)),
            ("GRMMI word2vec", GRMMI(init="word2vec", **base)),
            ("GRMMI add", GRMMI(fusion="add", **base)),
            ("GRMMI average", GRMMI(fusion="average", **base)),
            ("GRMMI dnn", GRMMI(fusion="dnn", **base)),
            ("GRMMI no-BP", GRMMI(bp=False, **base)),
            ("GRMMI graph only", GRMMI(sequence=False, **base)),
            ("GRMMI sequence only", GRMMI(graph_encoder=None, **base)),
            ("SeedMatch", SeedMatch()),
            ("DegreeProduct", DegreeProduct()),
            ("SAGELink", SAGELink(seed=seed))]


def run_experiment(exp: str, args) -> None:
    if exp == "mitar":
        data, folds = mitar_folds(args.splits, args.seed, args.root)
        if args.only_splits is not None:
            folds = [folds[i] for i in args.only_splits]
        sets = [("mitar (combined)", "", data, folds)]
    else:
        name = "mtis-9214" if exp == "mtis" else "synthetic"
        g = load_graph(name, args.root)
        sets = []
        for mode in args.modes:
            label, split = f"{name} ({mode})", {"mode": mode, "protocol": "leakage-free"}
            if mode == "warm":
                label = name
            elif mode == "paper":   # the papers' leaky protocol, labelled, beside their tables
                label, split = f"{name} (PAPER protocol, leaky)", {"mode": "warm",
                                                                    "protocol": "paper"}
            folds = kfold_link_split(g, MIRNA_MRNA, k=5, neg_ratio=1, seed=args.seed, **split)
            sets.append((label, "" if mode == "warm" else mode, g, folds[:args.max_folds]))
    model_seed = args.seed if args.model_seed is None else args.model_seed
    for dname, sub, data, folds in sets:
        for tag, model in runs(exp, args.epochs, model_seed):
            if (tag not in args.models) if args.models else tag in SEARCH:
                continue
            out = Path(args.out) / exp / sub / tag.replace(" ", "_")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = cross_validate(model, data, MIRNA_MRNA, folds, out_dir=out,
                                     progress=False, curves=False)
            (out / "run.json").write_text(json.dumps({
                "experiment": exp, "dataset": dname, "model": tag, "epochs": args.epochs,
                "model_seed": model_seed,
                "command": " ".join(["python benchmarks/grmmi.py", *sys.argv[1:]])}))
            print(f"{exp:9s} {dname:18s} {tag:22s} AUC {res.summary('auc', 4)}  "
                  f"ACC {res.summary('acc', 4)}", flush=True)


# ---------------------------------------------------------------------------- report
def _ci(v: list[float]) -> str:
    from scipy.stats import t
    a = np.asarray(v, dtype=float)
    if a.size < 2:
        return f"{a.mean():.4f}"
    h = t.ppf(0.975, a.size - 1) * a.std(ddof=1) / np.sqrt(a.size)
    return f"{a.mean():.4f} ± {h:.4f}"


def _runs(roots: list[Path], pattern: str) -> list[tuple[Path, dict, str]]:
    """``(run.json path, its meta, the model's label)`` of every run under ``roots``; runs
    of a root after the first are labelled with that root's name (e.g. a longer epoch cap)."""
    out = []
    for i, root in enumerate(roots):
        for run in sorted(root.glob(pattern)):
            meta = json.loads(run.read_text())
            out.append((run, meta, meta["model"] + (f" ({root.name})" if i else "")))
    return out


def independent_rows(roots: list[Path]) -> list[str]:
    """Table rows of the independent test files from the mitar runs' fold records."""
    out = []
    for run, meta, label in _runs(roots, "mitar/**/run.json"):
        if meta["model"] in SEARCH:
            continue
        recs = [json.loads(p.read_text()) for p in sorted(run.parent.glob("fold_*.json"))]
        for n in INDEPENDENT:
            got = [r for r in recs if f"{n}/auc" in r["metrics"]]
            if not got:
                continue
            m = [r["metrics"] for r in got]
            fm = [r["fingerprint"]["meta"] for r in got]
            out.append(f"| {n} | {label} | {len(got)} | "
                       f"{np.mean([x[f'{n}/n'] for x in m]):,.0f} | "
                       f"{np.mean([x.get(f'{n}:exact', 0) for x in fm]):.0f} / "
                       f"{np.mean([x.get(f'{n}:near', 0) for x in fm]):.0f} | "
                       + " | ".join(_ci([x[f"{n}/{k}"] for x in m])
                                    for k in ("auc", "aupr", "acc", "mcc")) + " |")
    return out


def _model_seed(meta: dict) -> int:
    """The models' seed of a run (recorded since ``model_seed`` exists; older runs: parsed
    from their command, whose ``--model-seed`` defaults to ``--seed``, default 0)."""
    if "model_seed" in meta:
        return int(meta["model_seed"])
    cmd = meta.get("command", "").split()
    for flag in ("--model-seed", "--seed"):
        if flag in cmd:
            return int(cmd[cmd.index(flag) + 1])
    return 0


def seed_rows(roots: list[Path]) -> tuple[int, int, list[str]]:
    """Rows of the models run with several seeds in the same miTAR splits: each seed's AUC,
    their mean, and the **seed ensemble** (the seeds' test scores averaged pair by pair) of
    the first ``n`` seeds, ``n`` the fewest seeds any row has (ensembles of equal size:
    more members score higher), over the splits every seed finished; then each split's
    seed-mean AUC, so models can be compared split by split. A model is its tag and epoch
    cap (a capped and a converged run of the same architecture are different rows).
    Returns the number of split columns, ``n`` and the rows."""
    import pandas as pd
    from sklearn.metrics import roc_auc_score
    groups: dict[tuple, dict[int, Path]] = {}
    for run, meta, _ in _runs(roots, "mitar/**/run.json"):
        pred = run.parent / "predictions.csv"
        if meta["model"] in SEARCH or not pred.exists():
            continue
        groups.setdefault((meta["model"], meta["epochs"]), {})[_model_seed(meta)] = pred
    groups = {k: v for k, v in groups.items() if len(v) >= 2}
    n_ens = min((len(v) for v in groups.values()), default=0)
    rows = []
    for (model, epochs), by_seed in groups.items():
        seeds = sorted(by_seed)
        frames = [pd.read_csv(by_seed[k]).set_index(["fold", "src_id", "dst_id"]) for k in seeds]
        common = sorted(set.intersection(*(set(f.index.get_level_values(0)) for f in frames)))
        per_seed, ens = np.zeros((len(seeds), len(common))), []
        for j, fold in enumerate(common):
            parts = [f.loc[fold] for f in frames]
            y = parts[0]["label"]
            scores = [part["score"].reindex(y.index) for part in parts]
            per_seed[:, j] = [roc_auc_score(y, sc) for sc in scores]
            ens.append(roc_auc_score(y, sum(scores[:n_ens]) / n_ens))
        rows.append((f"{model} (max {epochs} epochs)", seeds, common, per_seed, ens))
    n_splits = max((max(r[2]) + 1 for r in rows if r[2]), default=0)
    out = []
    for label, seeds, common, per_seed, ens in rows:
        by_split = dict(zip(common, per_seed.mean(0)))
        out.append(f"| {label} | {', '.join(map(str, seeds))} | {len(common)} | "
                   + " / ".join(f"{a:.4f}" for a in per_seed.mean(1))
                   + f" | {per_seed.mean():.4f} | {_ci(ens)} | "
                   + " | ".join(f"{by_split[k]:.4f}" if k in by_split else "–"
                                for k in range(n_splits)) + " |")
    return n_splits, n_ens, out


def within_rows(roots: list[Path]) -> list[str]:
    """Rows of AUC beside the **within-miRNA AUC**
    (:func:`~rnagraph.train.metrics.grouped_auc`, pairs grouped by miRNA) on each split's
    test pairs and on the independent test files, from the per-fold records: a positive is
    compared only with negatives of its own miRNA, so what a model knows about the miRNA
    alone (is it real, how often is it positive) counts for nothing. Mean ± 95% CI over
    splits, with the miRNAs and comparisons that take part."""
    from sklearn.metrics import roc_auc_score

    from rnagraph.train.metrics import grouped_auc
    out: dict[str, list[str]] = {}
    for run, meta, label in _runs(roots, "mitar/**/run.json"):
        recs = [json.loads(p.read_text()) for p in sorted(run.parent.glob("fold_*.json"))]
        if meta["model"] in SEARCH or not recs or "src" not in recs[0]:
            continue
        sets: dict[str, list[dict]] = {"test split": recs}
        for n in INDEPENDENT:
            sets[n] = [r[EXTRA_TESTS][n] for r in recs if n in r.get(EXTRA_TESTS, {})]
        for name, parts in sets.items():
            if not parts:
                continue
            cols = np.zeros((len(parts), 5))
            for i, r in enumerate(parts):
                y, sc, mi = np.asarray(r["label"]), np.asarray(r["score"]), np.asarray(r["src"])
                w, g, rows, c = grouped_auc(y, sc, mi)
                cols[i] = roc_auc_score(y, sc), w, g, c, rows / y.size
            within = _ci(cols[:, 1]) if cols[:, 3].all() else "–"
            out.setdefault(name, []).append(
                f"| {name} | {label} | {len(parts)} | {_ci(cols[:, 0])} | {within} | "
                f"{cols[:, 2].mean():.0f} | {cols[:, 3].mean():,.0f} | {cols[:, 4].mean():.1%} |")
    return [row for rows in out.values() for row in rows]


#: a miRNA's kind by its pairs in a split's training set
KINDS = {"P": "positives only", "B": "both classes", "N": "negatives only", "U": "unseen"}


def loss_rows(roots: list[Path], root: str | None, top: int = 6) -> tuple[list[str], list[str]]:
    """Where each model loses its test AUC (:func:`~rnagraph.train.metrics.auc_loss_by_category`):
    the per-mille share of misordered positive-negative comparisons on each split's test pairs,
    by the kind of the positive's miRNA and of the negative's (:data:`KINDS`, from that split's
    training pairs, rebuilt with :func:`mitar_folds` and checked against the record's
    fingerprint). Mean over splits; the ``top`` cells with the largest median loss over the
    models, the rest summed. Returns the header cells and the rows."""
    from rnagraph.evaluate.store import _digest
    from rnagraph.train.metrics import auc_loss_by_category
    found = []
    for run, meta, label in _runs(roots, "mitar/**/run.json"):
        recs = [json.loads(p.read_text()) for p in sorted(run.parent.glob("fold_*.json"))]
        if meta["model"] not in SEARCH and recs and "src" in recs[0]:
            found.append((label, recs))
    folds: dict[int, dict[int, object]] = {}      # split seed base -> fold index -> fold
    losses: dict[str, list[dict]] = {}
    for label, recs in found:
        for r in recs:
            fp = r["fingerprint"]
            base = int(fp["meta"]["seed"]) - int(fp["fold"])
            if base not in folds or fp["fold"] not in folds[base]:
                n = max(int(q["fingerprint"]["fold"]) for _, rs in found for q in rs) + 1
                folds[base] = dict(enumerate(mitar_folds(n, base, root)[1]))
            f = folds[base][fp["fold"]]
            if _digest(f.train.edge_label_index, f.train.edge_label) != fp["train"]:
                continue                                  # not this split: skip the record
            mi, y = f.train.edge_label_index[0].numpy(), f.train.edge_label.numpy()
            pos, neg = set(mi[y == 1].tolist()), set(mi[y == 0].tolist())
            kind = ["B" if m in pos and m in neg else "P" if m in pos else "N" if m in neg
                    else "U" for m in r["src"]]
            losses.setdefault(label, []).append(auc_loss_by_category(r["label"], r["score"],
                                                                     kind))
    if not losses:
        return [], []
    mean = {lab: {k: 1e3 * np.mean([d.get(k, 0.0) for d in ds])
                  for k in set().union(*ds)} for lab, ds in losses.items()}
    cells = sorted(set().union(*mean.values()),
                   key=lambda k: (-np.median([m.get(k, 0.0) for m in mean.values()]), k))
    shown = cells[:top]
    head = [f"pos {a} / neg {b}" for a, b in shown]
    rows = [f"| {lab} | {len(losses[lab])} | {sum(m.values()):.2f} | "
            + " | ".join(f"{m.get(k, 0.0):.2f}" for k in shown)
            + f" | {sum(v for k, v in m.items() if k not in shown):.2f} |"
            for lab, m in mean.items()]
    return head, rows


#: how to read the within-miRNA table
WITHIN = ("Within-miRNA AUC: the chance that a positive pair outscores a negative pair *of the "
          "same miRNA*, over every such comparison in the split's test pairs "
          "(`rnagraph.train.metrics.grouped_auc`); miRNAs with one class in the test split take "
          "no part. A score that depends on the miRNA alone scores 0.5 here by construction "
          "(NodePrior), however high its AUC, so this column measures what a model reads from "
          "the pair.")


def report(out_root: Path | list[Path], note: str = "", heading: str = "## GRMMI",
           mix: str = "", root: str | None = None) -> str:
    """The section's markdown from the finished runs under ``out_root``; ``root``: the data
    root for the table that rebuilds miTAR's splits (``None``: ``$RNAGRAPH_DATA``)."""
    roots = [out_root] if isinstance(out_root, Path) else list(out_root)
    rows: dict[str, list[str]] = {e: [] for e in (*EXPERIMENTS, "search")}
    commands: dict[str, None] = {}
    for run, meta, label in _runs(roots, "*/**/run.json"):
        commands[meta.get("command", "python benchmarks/grmmi.py")] = None
        mpath = run.parent / "metrics.json"
        if not mpath.exists():
            continue
        folds = json.loads(mpath.read_text())["folds"]
        recs = [json.loads(p.read_text()) for p in sorted(run.parent.glob("fold_*.json"))]
        info = [r.get("fit_info", {}) for r in recs]
        ep = [i["epoch_s"] for i in info if "epoch_s" in i]
        epochs = [i["epochs"] for i in info if "epochs" in i]
        pps = [f["n_test"] / f["score_s"] for f in folds if f.get("score_s")]
        rss = max((i.get("peak_rss_mib", 0) for i in info), default=0)
        cells = [_ci([f[m] for f in folds]) for m in METRICS]
        val = [i["best_val_auc"] for i in info if "best_val_auc" in i]
        val_in = [i["best_val_grouped_auc"] for i in info
                  if i.get("best_val_grouped_auc") is not None]
        rows["search" if meta["model"] in SEARCH else meta["experiment"]].append(
            f"| {meta['dataset']} | {label} | {len(folds)} | "
            + (f"{np.mean(val):.4f}" if val else "–") + " | "
            + (f"{np.mean(val_in):.4f}" if len(val_in) == len(folds) else "–") + " | "
            + " | ".join(cells)
            + f" | {np.mean(epochs) if epochs else 0:.1f} / {meta['epochs']} | "
            f"{np.mean(ep) if ep else 0:.1f} | {np.mean(pps) if pps else 0:,.0f} | "
            f"{rss:,.0f} |")
    ind_rows = independent_rows(roots)
    head = ("| dataset | model | splits | val AUC | val within | AUC | AUPR | ACC | F1 | MCC | "
            "epochs run / max | s/epoch | test pairs/s | peak RSS MiB |\n" + "|---" * 14 + "|")
    titles = {"mitar": "Sequence branch on miTAR's combined set (repeated random 64/16/20 "
                       "splits; mean ± 95% CI over splits)",
              "mtis": "mtis-9214, 5-fold warm 1:1, leakage-free unless the dataset says "
                      "PAPER (same folds as the baselines; mean ± 95% CI over folds)",
              "synthetic": "Synthetic (1:1, leakage-free; warm, and cold splits where named): "
                           "complete model and ablations"}
    parts = [heading, f"Machine: {machine()}. Commands: "
             + "; ".join(f"`{c}`" for c in commands) + " (options per run in run.json)."]
    for e in EXPERIMENTS:
        if rows[e]:
            parts += [f"### {titles[e]}", "\n".join([head, *rows[e]])]
        if e == "mitar" and rows["search"]:
            parts += ["### GRMMI-seq validation search (miTAR split 0; a variant would be "
                      "chosen by val AUC, never by test; the plain GRMMI-seq row above is its "
                      "baseline)", "\n".join([head, *rows["search"]])]
        if e == "mitar" and ind_rows:
            parts += ["### miTAR's independent test files, scored by each split's model "
                      "(mean ± 95% CI over splits)",
                      "\n".join(["| test file | model | splits | pairs scored | removed: exact "
                                 "/ near-duplicate of the split's training pairs | AUC | AUPR | "
                                 "ACC | MCC |", "|---" * 9 + "|", *ind_rows]),
                      "Near-duplicate: the same miRNA sequence with a target site at normalised "
                      "Levenshtein similarity >= 0.9 to a training pair's "
                      "(`SitePairs.overlap`); such rows and exact repeats are dropped per split "
                      "before scoring."]
        within = within_rows(roots) if e == "mitar" else []
        if within:
            parts += ["### The miRNA-identity shortcut: test AUC beside the within-miRNA AUC "
                      "(mean ± 95% CI over splits)",
                      "\n".join(["| pairs | model | splits | AUC | within-miRNA AUC | miRNAs "
                                 "compared | comparisons | pairs of those miRNAs |",
                                 "|---" * 8 + "|", *within]),
                      (mix + " " if mix else "") + WITHIN]
        head_l, lost = loss_rows(roots, root) if e == "mitar" else ([], [])
        if lost:
            parts += ["### Where the test AUC is lost, by the kind of miRNA (per mille of all "
                      "positive-negative comparisons, mean over splits)",
                      "\n".join(["| model | splits | 1 - AUC | " + " | ".join(head_l)
                                 + " | other |", "|---" * (4 + len(head_l)) + "|", *lost]),
                      "A cell `pos a / neg b`: misordered comparisons of a positive whose "
                      "miRNA is of kind a with a negative whose miRNA is of kind b "
                      "(`rnagraph.train.metrics.auc_loss_by_category`); the cells sum to "
                      "1 - AUC. Kinds, by the miRNA's pairs in the split's training set: "
                      + ", ".join(f"{k} {v}" for k, v in KINDS.items()) + "."]
        n_splits, n_ens, seeds = seed_rows(roots) if e == "mitar" else (0, 0, [])
        if seeds:
            parts += ["### Seed replicates in the same miTAR splits (test AUC over the splits "
                      "every seed finished)",
                      "\n".join([f"| model | seeds | splits | AUC per seed | seed mean | "
                                 f"ensemble of the first {n_ens} seeds (mean ± 95% CI over "
                                 "splits) | " + " | ".join(f"split {k}" for k in range(n_splits))
                                 + " |", "|---" * (6 + n_splits) + "|", *seeds]),
                      "Ensemble: each test pair's scores from those seeds averaged, no other "
                      "fitting; every row averages the same number of seeds (more members "
                      "score higher). split k: all the seeds' mean AUC on split k, to compare "
                      "models split by split in the same test pairs."]
    if note:
        parts.append(note)
    if rows["mtis"]:
        parts.append(PAPER)
    parts.append("Threshold 0.5 on Platt-calibrated scores (calibration on the split's "
                 "validation pairs). val AUC: the validation AUC of the kept state (by the "
                 "early-stopping criterion), mean over splits; – for models without "
                 "training. val within: the within-miRNA validation AUC of the kept state, "
                 "where the run recorded it (GRMMI since `Trainer(group_row=...)`). "
                 "Pairs/s include encoding the test pairs' sequences (each "
                 "once, the first time a pair needs it). Runs with "
                 "fewer splits or a low epoch cap than the protocol asks are REDUCED runs "
                 "(see the splits and epochs columns); their numbers are not the protocol's.")
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--experiments", nargs="*", default=list(EXPERIMENTS), choices=EXPERIMENTS)
    ap.add_argument("--models", nargs="*", default=None, help="only these model tags")
    ap.add_argument("--splits", type=int, default=10, help="miTAR random splits")
    ap.add_argument("--only-splits", type=int, nargs="*", default=None,
                    help="run only these split indices, in this order (lets two processes "
                         "share a run; a later run over every split resumes from the records)")
    ap.add_argument("--max-folds", type=int, default=5)
    ap.add_argument("--modes", nargs="*", default=["warm"],
                    choices=["warm", "cold-src", "cold-dst", "cold-both", "paper"],
                    help="split modes of the mtis / synthetic experiments (cold-dst: held-out "
                         "targets, cold-src: held-out miRNAs, paper: the papers' leaky warm "
                         "protocol, labelled PAPER)")
    ap.add_argument("--section", default="grmmi", help="docs/results.md section to replace")
    ap.add_argument("--heading", default=None, help="the section's heading (default: from "
                    "--section, --experiments and --modes)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0, help="seed of the splits (and, unless "
                    "--model-seed is given, of the models)")
    ap.add_argument("--model-seed", type=int, default=None,
                    help="the models' seed alone, the splits unchanged (a seed replicate: "
                         "write it to its own --out and report it with --also)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--root", default=None, help="data root (default $RNAGRAPH_DATA)")
    ap.add_argument("--out", default=str(ROOT / "runs" / "grmmi"))
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--no-results", action="store_true", help="do not touch docs/results.md")
    ap.add_argument("--note", default="", help="a line for the report (e.g. machine load)")
    ap.add_argument("--also", nargs="*", default=[],
                    help="more run roots for the report (their rows carry the root's name)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if not args.report_only:
        for exp in args.experiments:
            run_experiment(exp, args)
    heading = args.heading or ("## GRMMI" if args.section == "grmmi" else
                               f"## GRMMI ({', '.join(args.experiments)}; "
                               f"{', '.join(args.modes)})")
    mix = mirna_label_mix(args.root) if "mitar" in args.experiments else ""
    md = report([Path(args.out), *map(Path, args.also)], args.note, heading, mix, args.root)
    print(md)
    if not args.no_results:
        write_section(ROOT / "docs" / "results.md", args.section, md)


if __name__ == "__main__":
    main()
