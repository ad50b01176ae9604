"""miTAR's evaluation protocol on its site pairs, and the tables its runs are reported with.

:func:`mitar_splits` builds the protocol's folds (repeated random 64/16/20 splits of the
combined DeepMirTar + miRAW set, with the independent test files scored by every split's model
after removing what overlaps its training pairs). The tables read runs of a run store
(:func:`~rnagraph.evaluate.summaries.read_runs`) and return rows of cells: the independent
files (:func:`independent_table`), the within-miRNA AUC (:func:`within_table`), where the AUC
is lost by kind of miRNA (:func:`loss_table`) and seed ensembles (:func:`seed_table`); means
over splits carry 95 % CIs (:func:`~rnagraph.evaluate.results.format_mean_ci`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from rnagraph.data import build_graph
from rnagraph.data.fold import EXTRA_TESTS, Fold, LinkSet
from rnagraph.evaluate.results import format_mean_ci
from rnagraph.evaluate.store import _digest
from rnagraph.evaluate.summaries import (
    KINDS,
    auc_within_groups,
    loss_by_kind,
    mean_losses,
    node_kinds,
    read_runs,
    seed_ensemble,
    training_row,
)
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA

#: miTAR's independent test files
INDEPENDENT = ("deepmirtar-indtest", "miraw-indtest", "miraw-indtest-unique")
#: :func:`mitar_splits`' ``by`` -> (the runs' dataset label, their sub-folder of a run store)
SPLITS = {"pair": ("mitar (combined)", ""),
          "mirna": ("mitar (combined, miRNA-disjoint)", "mirna-disjoint")}


def mitar_splits(n_splits: int, seed: int = 0, root: str | None = None, near: float = 0.9,
                 by: str = "pair"):
    """miTAR's protocol: ``n_splits`` random 64/16/20 splits (seeds ``seed``, ``seed + 1``,
    ...; duplicate rows kept together) of the combined set; ``by="mirna"``: the
    **miRNA-disjoint** protocol, whole miRNAs held out (:meth:`SitePairs.random_split
    <rnagraph.datasets.SitePairs.random_split>`, about 64/16/20 of the pairs), so every test
    miRNA is unseen.

    The graph's miRNA nodes are the distinct miRNA sequences and its mRNA nodes the distinct
    target sites, of the combined set and the independent files (whose nodes carry no training
    edge). Each fold's ``meta["extra_tests"]`` holds each independent file minus the rows that
    repeat (count in ``meta["<file>:exact"]``) or nearly repeat (same miRNA, site at normalised
    Levenshtein similarity >= ``near``: ``meta["<file>:near"]``) a training pair of the split;
    with ``by="mirna"`` each file is also restricted to **unseen miRNAs**: its rows whose miRNA
    has a training or validation pair of the split are removed (count in
    ``meta["<file>:seen"]``, which includes the exact and near repeats), and ``meta["by"]`` is
    ``"mirna"``.

    Returns:
        tuple: the full graph and the list of :class:`~rnagraph.data.Fold`.
    """
    sp, inds, ids, seqs, full = _site_graph(root)
    nodes = {t: list(s) for t, s in seqs.items()}
    rows = [(ids[0][a], ids[1][b]) for a, b in zip(sp.mirna_seq, sp.target_seq)]
    label = sp.label.numpy()
    index = [{s: i for i, s in enumerate(full[t].ids)} for t in (MIRNA, MRNA)]

    def pairs_of(d) -> torch.Tensor:
        return torch.tensor([[index[0][ids[0][a]] for a in d.mirna_seq],
                             [index[1][ids[1][b]] for b in d.target_seq]]).view(2, -1)

    pairs, y = pairs_of(sp), torch.from_numpy(label).float()
    ind_pairs = {n: pairs_of(d) for n, d in inds.items()}
    folds = []
    for s in range(n_splits):
        tr, va, te = sp.random_split((0.64, 0.16, 0.20), seed=seed + s, by=by)
        tg = build_graph(seqs, {MIRNA_MRNA: [rows[i] for i in tr if label[i] == 1]},
                         node_ids=nodes)
        ls = [LinkSet(pairs[:, torch.from_numpy(ix)], y[torch.from_numpy(ix)])
              for ix in (tr, va, te)]
        seen = [(sp.mirna_seq[i], sp.target_seq[i]) for i in tr]
        meta: dict = {"seed": seed + s, "split": "64/16/20", EXTRA_TESTS: {}}
        known = {sp.mirna_seq[i] for i in (*tr, *va)} if by == "mirna" else set()
        meta |= {"split": "64/16/20 miRNA-disjoint", "by": "mirna"} if by == "mirna" else {}
        for n, d in inds.items():
            code = d.overlap(seen, near=near)
            old = np.array([m in known for m in d.mirna_seq], dtype=bool)
            keep = torch.from_numpy(np.nonzero((code == 0) & ~old)[0])
            meta[EXTRA_TESTS][n] = LinkSet(ind_pairs[n][:, keep], d.label[keep].float())
            meta[f"{n}:exact"], meta[f"{n}:near"] = int((code == 2).sum()), int((code == 1).sum())
            meta |= {f"{n}:seen": int(old.sum())} if by == "mirna" else {}
        folds.append(Fold(s, MIRNA_MRNA, tg, *ls, meta=meta))
    return full, folds


def _site_graph(root: str | None):
    """The combined set, the independent files, the node ids of the distinct miRNA and target
    sequences (``[{mirna_seq: "mi<i>"}, {target_seq: "t<i>"}]``), the sequence of each id by
    node type and the full graph (edges: the combined set's positives) of
    :func:`mitar_splits`."""
    from rnagraph.datasets.mitar import load_site_pairs
    sp = load_site_pairs("combined", root)
    inds = {n: load_site_pairs(n, root) for n in INDEPENDENT}
    ids = [{s: f"{p}{i}" for i, s in enumerate(dict.fromkeys(
        x for d in (sp, *inds.values()) for x in getattr(d, a)))}
        for p, a in (("mi", "mirna_seq"), ("t", "target_seq"))]
    seqs = {MIRNA: {v: k for k, v in ids[0].items()}, MRNA: {v: k for k, v in ids[1].items()}}
    rows = [(ids[0][a], ids[1][b]) for a, b, y in zip(sp.mirna_seq, sp.target_seq,
                                                       sp.label.tolist()) if y == 1]
    full = build_graph(seqs, {MIRNA_MRNA: rows}, node_ids={t: list(s) for t, s in seqs.items()})
    return sp, inds, ids, seqs, full


def target_sources(root: str | None = None) -> np.ndarray:
    """The source of each target node of :func:`mitar_splits`' graph: ``"DeepMirTar"`` or
    ``"miRAW"`` for the combined set's sites (told apart by their target ids: RefSeq ``NM_``
    in DeepMirTar, Ensembl in miRAW), ``""`` for a site of the independent files only."""
    sp, _, _, _, full = _site_graph(root)
    src = {t: "DeepMirTar" if i.startswith("NM_") else "miRAW"
           for t, i in zip(sp.target_seq, sp.target_ids)}
    return np.array([src.get(s, "") for s in full[MRNA].seq])


def source_table(runs: list[dict], root: str | None = None,
                 sources: np.ndarray | None = None) -> list[list[str]]:
    """Per miTAR run: splits, the test AUC of the pairs from each source of the combined set
    (``sources`` by target node, else :func:`target_sources`; ``–`` unless every split has
    both classes there) and the DeepMirTar share of the test pairs, mean (95% CI) over splits.
    DeepMirTar's negatives are sites of mock miRNAs and miRAW's are sites of real miRNAs, so
    the two parts ask different questions of a model."""
    from sklearn.metrics import roc_auc_score
    found = [r for r in runs if r["records"] and "dst" in r["records"][0]]
    if not found:
        return []
    source = target_sources(root) if sources is None else np.asarray(sources)
    out = []
    for r in found:
        cells: dict[str, list[float]] = {"DeepMirTar": [], "miRAW": []}
        share = []
        for x in r["records"]:
            y, s = np.asarray(x["label"]), np.asarray(x["score"], dtype=float)
            part = source[np.asarray(x["dst"], dtype=int)]
            share.append(float(np.mean(part == "DeepMirTar")))
            for k, v in cells.items():
                m = part == k
                if 0 < y[m].sum() < m.sum():
                    v.append(float(roc_auc_score(y[m], s[m])))
        out.append([r["label"], str(len(r["records"])),
                    *(format_mean_ci(v) if len(v) == len(r["records"]) else "–"
                      for v in cells.values()), f"{np.mean(share):.1%}"])
    return out


def loss_by_mirna_kind(records: list[dict], root: str | None = None, splits=None) -> list[dict]:
    """Per fold record of a miTAR run (``cross_validate``'s ``fold_<i>.json``: ``src``,
    ``label``, ``score``, ``fingerprint``), :func:`~rnagraph.evaluate.summaries.loss_by_kind`
    with each miRNA's kind taken from that split's training pairs. The splits are rebuilt with
    :func:`mitar_splits` (``by`` from the record's split, or taken from ``splits(n, seed, by)
    -> folds``) and a record whose training pairs differ from the rebuilt split's (its
    fingerprint) is left out."""
    splits = splits or (lambda n, seed, by: mitar_splits(n, seed, root, by=by)[1])
    n = max((int(r["fingerprint"]["fold"]) for r in records), default=-1) + 1
    built: dict[tuple[int, str], list[Fold]] = {}
    out = []
    for r in records:
        fp = r["fingerprint"]
        key = (int(fp["meta"]["seed"]) - int(fp["fold"]), fp["meta"].get("by", "pair"))
        if key not in built:
            built[key] = splits(n, *key)
        f = built[key][int(fp["fold"])]
        if _digest(f.train.edge_label_index, f.train.edge_label) == fp["train"]:
            kinds = node_kinds(f.train.edge_label_index[0], f.train.edge_label, r["src"])
            out.append(loss_by_kind(r["label"], r["score"], kinds))
    return out


def independent_table(runs: list[dict]) -> list[list[str]]:
    """Per run and independent file: splits, pairs scored, rows removed (exact / near
    repeats of the split's training pairs), rows of miRNAs seen in the split's training or
    validation pairs removed (miRNA-disjoint splits; ``–`` otherwise), AUC, AUPR, ACC, MCC."""
    out = []
    for r in runs:
        for n in INDEPENDENT:
            if got := [x for x in r["records"] if f"{n}/auc" in x["metrics"]]:
                m, fm = [x["metrics"] for x in got], [x["fingerprint"]["meta"] for x in got]
                out.append([n, r["label"], str(len(got)),
                            f"{np.mean([x[f'{n}/n'] for x in m]):,.0f}",
                            f"{np.mean([x.get(f'{n}:exact', 0) for x in fm]):.0f} / "
                            f"{np.mean([x.get(f'{n}:near', 0) for x in fm]):.0f}",
                            f"{np.mean([x[f'{n}:seen'] for x in fm]):,.0f}"
                            if all(f"{n}:seen" in x for x in fm) else "–",
                            *(format_mean_ci([x[f"{n}/{k}"] for x in m])
                              for k in ("auc", "aupr", "acc", "mcc"))])
    return out


def within_table(runs: list[dict]) -> list[list[str]]:
    """Per pair set (the test splits, each independent file) and run: splits, AUC, the
    within-miRNA AUC (:func:`~rnagraph.evaluate.summaries.auc_within_groups`, ``–`` when a
    split has no miRNA with both classes), miRNAs compared, comparisons, share of the pairs."""
    out: dict[str, list[list[str]]] = {}
    for r in runs:
        recs = r["records"]
        sets = {"test split": recs, **{n: [x[EXTRA_TESTS][n] for x in recs
                                          if n in x.get(EXTRA_TESTS, {})] for n in INDEPENDENT}}
        for name, parts in sets.items():
            if parts and "src" in parts[0]:
                c = np.array([auc_within_groups(x["label"], x["score"], x["src"]) for x in parts])
                out.setdefault(name, []).append(
                    [name, r["label"], str(len(parts)), format_mean_ci(c[:, 0]),
                     format_mean_ci(c[:, 1]) if c[:, 3].all() else "–", f"{c[:, 2].mean():.0f}",
                     f"{c[:, 3].mean():,.0f}", f"{c[:, 4].mean():.1%}"])
    return [row for rows in out.values() for row in rows]


def loss_table(runs: list[dict], root: str | None = None, top: int = 6, splits=None
               ) -> tuple[list[str], list[list[str]]]:
    """Per run: splits, 1000 (1 - AUC) and its :func:`loss_by_mirna_kind` cells (mean over
    splits; the ``top`` cells with the largest median over the runs, the rest summed as the
    last cell). Returns the shown cells' names (``"pos P / neg B"``) and the rows."""
    found = [r for r in runs if r["records"] and "src" in r["records"][0]]
    n = max((int(x["fingerprint"]["fold"]) + 1 for r in found for x in r["records"]), default=0)
    cache: dict[tuple, list] = {}
    splits = splits or (lambda _, seed, by: cache.setdefault(
        (seed, by), mitar_splits(n, seed, root, by=by)[1]))
    losses = {r["label"]: got for r in found
              if (got := loss_by_mirna_kind(r["records"], splits=splits))}
    shown, rows = mean_losses(losses, top) if losses else ([], {})
    return ([f"pos {a} / neg {b}" for a, b in shown],
            [[lab, str(r[0]), *(f"{x:.2f}" for x in r[1:])] for lab, r in rows.items()])


def _model_seed(meta: dict) -> int:
    """A run's models' seed (``model_seed``; older runs: from their command's
    ``--model-seed``, else ``--seed``, else 0)."""
    if "model_seed" in meta:
        return int(meta["model_seed"])
    cmd = meta.get("command", "").split()
    return next((int(cmd[cmd.index(f) + 1]) for f in ("--model-seed", "--seed") if f in cmd), 0)


def seed_table(runs: list[dict]) -> tuple[int, int, list[list[str]]]:
    """Models (``meta["model"]`` and its epoch cap) run with several seeds in the same
    splits: seeds, splits every seed finished, AUC per seed, their mean, the ensemble of the
    first ``n`` seeds (:func:`~rnagraph.evaluate.summaries.seed_ensemble`; ``n`` the fewest
    seeds of any model: more members score higher) and each split's seed mean. Returns the
    number of split columns, ``n`` and the rows."""
    import pandas as pd
    groups: dict[tuple, dict] = {}
    for r in runs:
        if (r["dir"] / "predictions.csv").exists():
            groups.setdefault((r["meta"]["model"], r["meta"]["epochs"]), {})[
                _model_seed(r["meta"])] = r["dir"] / "predictions.csv"
    groups = {k: v for k, v in groups.items() if len(v) >= 2}
    n_ens = min((len(v) for v in groups.values()), default=0)
    ens = {k: seed_ensemble({s: pd.read_csv(p) for s, p in v.items()}, n_ens)
           for k, v in groups.items()}
    n_splits = max((max(e["folds"]) + 1 for e in ens.values() if e["folds"]), default=0)
    out = []
    for (model, epochs), e in ens.items():
        by_split = dict(zip(e["folds"], e["per_seed"].mean(0)))
        out.append([f"{model} (max {epochs} epochs)", ", ".join(map(str, e["seeds"])),
                    str(len(e["folds"])), " / ".join(f"{a:.4f}" for a in e["per_seed"].mean(1)),
                    f"{e['per_seed'].mean():.4f}", format_mean_ci(e["ensemble"]),
                    *(f"{by_split[k]:.4f}" if k in by_split else "–" for k in range(n_splits))])
    return n_splits, n_ens, out


__all__ = ["INDEPENDENT", "SPLITS", "mitar_splits", "loss_by_mirna_kind", "independent_table",
           "within_table", "loss_table", "seed_table"]


# ------------------------------------------------------------------ the grmmi section
EXPERIMENTS = ("mitar", "mtis", "synthetic")
METRICS = ("auc", "aupr", "acc", "f1", "mcc")
PAPER = ("GRMMI paper (MTIS-9214, their negatives and folds): ACC 86.65, F1 86.27, AUC 0.9347, "
         "AUPR 0.9412, MCC 73.46; graph-encoder ablation AUC LINE 0.8496, DeepWalk 0.7253, "
         "GF 0.7777, HOPE 0.8742, LAP 0.9149; peers AEmiGAP 0.9164, miGAP 0.9056, miTAR 0.9027, "
         "miRanda 0.6286, PITA 0.6565.")
TITLES = {"mitar": "Sequence branch on miTAR's combined set (repeated 64/16/20 splits: random, "
                   "or whole miRNAs held out where the dataset says miRNA-disjoint; mean (95% "
                   "CI) over splits)",
          "mtis": "mtis-9214, 5-fold warm 1:1, leakage-free unless the dataset says PAPER (same "
                  "folds as the baselines; mean (95% CI) over folds)",
          "synthetic": "Synthetic (1:1, leakage-free; warm, and cold splits where named): "
                       "complete model and ablations"}


def mirna_label_mix(root: str | None) -> str:
    """One sentence on how miTAR's combined set's labels sit on its miRNAs."""
    from rnagraph.datasets.mitar import load_site_pairs
    sp = load_site_pairs("combined", root)
    mix = sp.mirna_label_mix()
    return ("miTAR's combined set: " + ", ".join(
        f"{n:,} miRNAs in {'both classes' if k == 'both' else k.replace(' only', 's only')} "
        f"({r:,} pairs)" for k, (n, r) in mix.items())
        + f", of {sum(n for n, _ in mix.values()):,} miRNAs and {len(sp):,} pairs.")


def _disjoint(run: dict) -> bool:
    """Whether a miTAR run's splits are miRNA-disjoint (its fold records say ``by="mirna"``)."""
    return any(x.get("fingerprint", {}).get("meta", {}).get("by") == "mirna"
               for x in run["records"])


def _mitar_parts(mitar: list[dict], mix: str, root: str | None) -> list[str]:
    """The miTAR-only tables of the section: independent files, within-miRNA AUC, where the
    AUC is lost, seed replicates (each only where its runs have the data)."""
    from rnagraph.evaluate.results import markdown_table
    parts = []
    if ind := independent_table(mitar):
        parts += ["### miTAR's independent test files, scored by each split's model (mean (95% "
                  "CI) over splits)", markdown_table(
                      ["test file", "model", "splits", "pairs scored", "removed: exact / "
                       "near-duplicate of the split's training pairs", "removed: miRNA seen "
                       "in training or validation", "AUC", "AUPR", "ACC", "MCC"], ind),
                  "Near-duplicate: the same miRNA with a target site at normalised Levenshtein "
                  "similarity >= 0.9 to a training pair's (`SitePairs.overlap`). In "
                  "miRNA-disjoint splits each file keeps only its unseen miRNAs' rows (the "
                  "seen-miRNA column counts what went, repeats included)."]
    if within := within_table(mitar):
        parts += ["### The miRNA-identity shortcut: test AUC beside the within-miRNA AUC "
                  "(mean (95% CI) over splits)", markdown_table(
                      ["pairs", "model", "splits", "AUC", "within-miRNA AUC", "miRNAs compared",
                       "comparisons", "pairs of those miRNAs"], within),
                  (mix + " " if mix else "") + "Within-miRNA AUC: see docs/protocol.md "
                  "(Metrics); a score of the miRNA alone (NodePrior) gets 0.5."]
    if by_source := source_table([r for r in mitar if _disjoint(r)], root):
        parts += ["### Unseen miRNAs by source of the test pairs: DeepMirTar (mock-miRNA "
                  "negatives) and miRAW (real-miRNA negatives) (mean (95% CI) over splits)",
                  markdown_table(["model", "splits", "AUC, DeepMirTar's pairs",
                                  "AUC, miRAW's pairs", "DeepMirTar's share of the test pairs"],
                                 by_source),
                  "Sources told apart by the target ids (`rnagraph.evaluate.mitar."
                  "target_sources`). The AUC over all test pairs also compares pairs across "
                  "the two sources, so it is not an average of these two."]
    # in miRNA-disjoint splits every test miRNA is unseen: one cell, nothing to tell
    head, lost = loss_table([r for r in mitar if not _disjoint(r)], root)
    if lost:
        parts += ["### Where the test AUC is lost, by the kind of miRNA (per mille of all "
                  "positive-negative comparisons, mean over splits)",
                  markdown_table(["model", "splits", "1 - AUC", *head, "other"], lost),
                  "A cell `pos a / neg b`: misordered comparisons of a positive of miRNA kind a "
                  "with a negative of kind b; the cells sum to 1 - AUC (docs/protocol.md, "
                  "Metrics). Kinds: " + ", ".join(f"{k} {v}" for k, v in KINDS.items()) + "."]
    n_splits, n_ens, seeds = seed_table(mitar)
    if seeds:
        parts += ["### Seed replicates in the same miTAR splits (test AUC over the splits every "
                  "seed finished)", markdown_table(
                      ["model", "seeds", "splits", "AUC per seed", "seed mean",
                       f"ensemble of the first {n_ens} seeds (mean (95% CI) over splits)",
                       *(f"split {k}" for k in range(n_splits))], seeds),
                  "Ensemble: each test pair's scores averaged over the seeds "
                  "(`rnagraph.evaluate.seed_ensemble`). split k: the seeds' mean AUC."]
    return parts


def grmmi_section(roots: list[Path], note: str = "", heading: str = "## GRMMI", mix: str = "",
                  root: str | None = None, machine: str = "") -> str:
    """The grmmi section's Markdown from the finished runs (``run.json`` with ``experiment``,
    ``dataset``, ``model``, ``command``) under the run roots; ``root``: the data root for the
    table that rebuilds miTAR's splits; ``machine``: a description for the first line."""
    from rnagraph.evaluate.results import markdown_table
    runs = read_runs(roots, "*/**/run.json")
    rows: dict[str, list[list[str]]] = {e: [] for e in EXPERIMENTS}
    commands = dict.fromkeys(r["meta"].get("command", "python benchmarks/grmmi.py")
                             for r in runs)
    for r in (r for r in runs if not r["partial"]):
        rows[r["meta"]["experiment"]].append([r["meta"]["dataset"], r["label"],
                                              *training_row(r, METRICS)])
    parts = [heading, f"Machine: {machine}. Commands: "
             + "; ".join(f"`{c}`" for c in commands) + " (options per run in run.json)."]
    for e in EXPERIMENTS:
        if rows[e]:
            parts += [f"### {TITLES[e]}", markdown_table(
                ["dataset", "model", "splits", "val AUC", "val within", "AUC", "AUPR", "ACC",
                 "F1", "MCC", "epochs run / max", "s/epoch", "test pairs/s", "peak RSS MiB"],
                rows[e])]
        if e == "mitar":
            parts += _mitar_parts([r for r in runs if r["meta"]["experiment"] == "mitar"],
                                  mix, root)
    parts += [note] if note else []
    parts += [PAPER] if rows["mtis"] else []
    parts.append("Threshold 0.5 on calibrated scores (docs/protocol.md). val AUC / val within: "
                 "of the kept state, mean over splits (– without training). Pairs/s include "
                 "encoding the test pairs. Fewer splits or a lower epoch cap than the protocol: "
                 "a REDUCED run.")
    return "\n\n".join(parts)
