"""Summaries that decide reported numbers: seed ensembles, AUC within groups, where the AUC
is lost by kind of node, paired differences between models (confidence intervals over splits:
:func:`~rnagraph.evaluate.results.format_mean_ci`).

The benchmark scripts (``benchmarks/grmmi.py``, ``benchmarks/cerna.py``) build their tables
from these; each works on plain arrays or the run store's per-fold records, so it is tested
on hand-computed values.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from rnagraph.train.metrics import auc_loss_by_category, grouped_auc

#: a node's kind by its pairs in a split's training set (:func:`node_kinds`)
KINDS = {"P": "positives only", "B": "both classes", "N": "negatives only", "U": "unseen"}


def read_runs(roots: Sequence[str | Path], pattern: str = "**/run.json") -> list[dict]:
    """Every run of a run store: a folder under one of ``roots`` matching ``pattern`` (its
    ``run.json``, written by the script that started the run) with ``cross_validate``'s
    files. Per run: ``dir``, ``meta`` (``run.json``), ``label`` (``meta["model"]``, with the
    root's name for the roots after the first, e.g. a seed replicate), ``records`` (the
    ``fold_<i>.json`` in fold order), ``folds`` (per-fold metrics: ``metrics.json``'s, else
    the records' for a run that stopped) and ``partial`` (no ``metrics.json``)."""
    out = []
    for i, root in enumerate(map(Path, roots)):
        for run in sorted(root.glob(pattern)):
            meta, d = json.loads(run.read_text()), run.parent
            recs = [json.loads(p.read_text()) for p in sorted(
                d.glob("fold_*.json"), key=lambda p: int(p.stem.split("_")[1]))]
            done = (d / "metrics.json").exists()
            out.append({"dir": d, "meta": meta, "records": recs, "partial": not done,
                        "label": meta.get("model", d.name) + (f" ({root.name})" if i else ""),
                        "folds": json.loads((d / "metrics.json").read_text())["folds"] if done
                        else [r["metrics"] for r in recs]})
    return out


def seed_ensemble(predictions: Mapping[int, object], members: int) -> dict:
    """Test AUC of each seed and of the **seed ensemble** (scores averaged pair by pair over
    the first ``members`` seeds, no other fitting), per split that every seed finished.

    Args:
        predictions: ``{seed: DataFrame}`` of a run store's ``predictions.csv`` (columns
            ``fold, src_id, dst_id, score, label``), one per seed of the same model in the
            same splits.
        members: seeds averaged (give every model of a table the same number: more members
            score higher).

    Returns:
        dict: ``seeds`` (sorted), ``folds`` (the common splits), ``per_seed`` (``[seeds,
        folds]`` AUCs) and ``ensemble`` (one AUC per common split).
    """
    from sklearn.metrics import roc_auc_score
    seeds = sorted(predictions)
    if not 1 <= members <= len(seeds):
        raise ValueError(f"seed_ensemble: {members} members of {len(seeds)} seeds")
    frames = [predictions[k].set_index(["fold", "src_id", "dst_id"]) for k in seeds]
    common = sorted(set.intersection(*(set(f.index.get_level_values(0)) for f in frames)))
    per_seed, ens = np.zeros((len(seeds), len(common))), []
    for j, fold in enumerate(common):
        parts = [f.loc[fold] for f in frames]
        y = parts[0]["label"]
        scores = [p["score"].reindex(y.index) for p in parts]
        per_seed[:, j] = [roc_auc_score(y, s) for s in scores]
        ens.append(float(roc_auc_score(y, sum(scores[:members]) / members)))
    return {"seeds": seeds, "folds": common, "per_seed": per_seed, "ensemble": ens}


def auc_within_groups(y_true, y_score, groups) -> tuple[float, float, int, int, float]:
    """The AUC beside the within-group AUC (:func:`~rnagraph.train.metrics.grouped_auc`) of
    one split: ``(auc, within, groups compared, comparisons, share of the pairs in those
    groups)``. A score that depends on the group alone scores 0.5 within."""
    from sklearn.metrics import roc_auc_score
    y, s = np.asarray(y_true, dtype=float), np.asarray(y_score, dtype=float)
    within, used, rows, comparisons = grouped_auc(y, s, np.asarray(groups))
    return float(roc_auc_score(y, s)), within, used, comparisons, rows / y.size


def node_kinds(train_nodes, train_labels, nodes) -> list[str]:
    """Each of ``nodes`` by its pairs among the training pairs (``train_nodes[i]`` of label
    ``train_labels[i]``): ``"B"`` both classes, ``"P"`` positives only, ``"N"`` negatives
    only, ``"U"`` unseen (:data:`KINDS`)."""
    tn, ty = np.asarray(train_nodes), np.asarray(train_labels)
    pos, neg = set(tn[ty == 1].tolist()), set(tn[ty == 0].tolist())
    return ["B" if m in pos and m in neg else "P" if m in pos else "N" if m in neg else "U"
            for m in np.asarray(nodes).tolist()]


def loss_by_kind(y_true, y_score, kinds) -> dict[tuple, float]:
    """Per mille of all positive-negative comparisons that are misordered, by the kinds of
    the positive's and the negative's node (:func:`node_kinds`); sums to ``1000 (1 - AUC)``
    (:func:`~rnagraph.train.metrics.auc_loss_by_category`)."""
    return {k: 1e3 * v for k, v in auc_loss_by_category(y_true, y_score, kinds).items()}


def mean_losses(losses: Mapping[str, Sequence[dict]], top: int = 6
                ) -> tuple[list[tuple], dict[str, list[float]]]:
    """Mean over splits of each model's :func:`loss_by_kind` cells; the ``top`` cells with the
    largest median over the models are shown, the rest summed. Returns the shown cells and,
    per model, ``[splits, total, *shown cells, other]``."""
    mean = {lab: {k: float(np.mean([d.get(k, 0.0) for d in ds])) for k in set().union(*ds)}
            for lab, ds in losses.items()}
    cells = sorted(set().union(*mean.values()) if mean else set(),
                   key=lambda k: (-np.median([m.get(k, 0.0) for m in mean.values()]), k))
    shown = cells[:top]
    return shown, {lab: [len(losses[lab]), sum(m.values()), *(m.get(k, 0.0) for k in shown),
                         sum(v for k, v in m.items() if k not in shown)]
                   for lab, m in mean.items()}


def paired_differences(a: Mapping[int, dict], b: Mapping[int, dict], keys: Sequence[str]
                       ) -> tuple[int, dict[str, list[float]]]:
    """``a`` − ``b`` per metric over the folds both hold (``{fold: record}``), leaving out a
    fold where either value is ``None``; returns the number of common folds and the
    differences per key (format them with :func:`~rnagraph.evaluate.format_mean_std`)."""
    common = sorted(set(a) & set(b))
    return len(common), {k: [a[f][k] - b[f][k] for f in common
                             if a[f][k] is not None and b[f][k] is not None] for k in keys}


def training_row(run: dict, metrics: Sequence[str]) -> list[str]:
    """The cells of a finished training run (:func:`read_runs`) after its dataset and label:
    splits, mean validation AUC and within-group AUC of the kept state (``–`` unless every
    split records it), each metric as mean (95% CI) over splits, mean epochs run / the epoch
    cap, mean seconds per epoch, mean test pairs per second and the largest peak RSS (MiB)."""
    from rnagraph.evaluate.results import format_mean_ci
    info, folds = [x.get("fit_info", {}) for x in run["records"]], run["folds"]

    def mean(key: str, fmt: str) -> str:
        v = [i[key] for i in info if i.get(key) is not None]
        return format(np.mean(v), fmt) if v else "–"
    pps = [f["n_test"] / f["score_s"] for f in folds if f.get("score_s")]
    val_in = sum(i.get("best_val_grouped_auc") is not None for i in info) == len(folds)
    return [str(len(folds)), mean("best_val_auc", ".4f"),
            mean("best_val_grouped_auc", ".4f") if val_in else "–",
            *(format_mean_ci([f[m] for f in folds]) for m in metrics),
            f"{np.mean([i.get('epochs', 0) for i in info] or [0]):.1f} / {run['meta']['epochs']}",
            f"{np.mean([i.get('epoch_s', 0) for i in info] or [0]):.1f}",
            f"{np.mean(pps) if pps else 0:,.0f}",
            f"{max((i.get('peak_rss_mib', 0) for i in info), default=0):,.0f}"]


def _auc(y: np.ndarray, s: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, s)) if 0 < y.sum() < y.size else None


def group_split_row(rec: dict, node_key: str, in_group: np.ndarray) -> dict:
    """AUC / AUPR, fold and fit seconds of a fold record, and its AUC split by whether the test
    pair's node ``rec[node_key]`` is in the group (``in_group``, a mask by node index):
    ``auc_both`` inside, ``auc_one`` outside (``None`` where a part has one class)."""
    y, s = np.asarray(rec["label"]), np.asarray(rec["score"], dtype=float)
    sel = in_group[np.asarray(rec[node_key], dtype=int)]
    m = rec["metrics"]
    return {"auc": m["auc"], "aupr": m["aupr"], "fold": m["fold"], "fit_s": m["fit_s"],
            "auc_both": _auc(y[sel], s[sel]), "auc_one": _auc(y[~sel], s[~sel])}


def _ms(vals: list) -> str:
    from rnagraph.evaluate.results import format_mean_std
    vals = [v for v in vals if v is not None]
    return format_mean_std(vals, 3) if vals else "—"


def _by_fold(rs, name, mode=None) -> dict:
    return {r["fold"]: r for r in rs if r["model"] == name and mode in (None, r["mode"])}


def joint_tables(records: list[dict], n_folds: int, labels: Mapping[str, str],
                 modes: Mapping[str, str], edges: Mapping[tuple, str]) -> str:
    """The ceRNA tables (``benchmarks/cerna.py``) of :func:`group_split_row` records (with
    ``mode``, ``edge_type``, ``model``): per mode and edge type, one row per model of
    ``labels`` (mean ± std over folds; a row over fewer than ``n_folds`` folds names its
    folds), the paired ``joint`` − ``joint-single`` difference, and under ``cold-one`` each
    model's paired cold-one − cold difference (the same test pairs)."""
    keys, out = ("auc", "aupr", "auc_both", "auc_one"), []
    for mode, title in modes.items():
        recs = [r for r in records if r["mode"] == mode]
        out += [f"### {title}", ""] if recs else []
        for et, edge in edges.items():
            rs = [r for r in recs if tuple(r["edge_type"]) == et]
            if not rs:
                continue
            out += [f"**{edge}**", "", "| model | folds | AUC | AUPR | AUC, miRNA has both "
                    "types | AUC, miRNA has one type | fit s |", "|---|---|---|---|---|---|---|"]
            for name in labels:
                mr = sorted(_by_fold(rs, name).values(), key=lambda r: r["fold"])
                if mr:
                    n = str(len(mr)) if len(mr) == n_folds else \
                        f"{len(mr)} (fold {', '.join(str(r['fold']) for r in mr)})"
                    out.append(f"| {labels[name]} | {n} | " + " | ".join(
                        _ms([r[k] for r in mr]) for k in keys)
                        + f" | {np.mean([r['fit_s'] for r in mr]):.0f} |")
            n, d = paired_differences(_by_fold(rs, "joint"), _by_fold(rs, "joint-single"), keys)
            if n:
                out.append(f"| Δ joint − single-task (paired) | {n} | "
                           + " | ".join(_ms(v) for v in d.values()) + " | |")
            out += ["", *cold_one_gain(records, et, labels)] if mode == "cold-one" else []
            out.append("")
    return "\n".join(out)


def cold_one_gain(records: list[dict], et: tuple, labels: Mapping[str, str]) -> list[str]:
    """Per model, cold-one − cold AUC over the folds both modes have (identical test pairs):
    what a held-out miRNA's edges of the other relation are worth."""
    rs = [r for r in records if tuple(r["edge_type"]) == et]
    lines = ["| model | folds | Δ AUC, cold-one − cold (same test pairs) | Δ, miRNA has both "
             "types | Δ, miRNA has one type |", "|---|---|---|---|---|"]
    for name in labels:
        n, d = paired_differences(_by_fold(rs, name, "cold-one"), _by_fold(rs, name, "cold"),
                                  ("auc", "auc_both", "auc_one"))
        if n:
            lines.append(f"| {labels[name]} | {n} | " + " | ".join(_ms(v) for v in d.values())
                         + " |")
    return lines


def cerna_intro(n_run: int, k: int, machine: str, command: str, load: str, threads: int,
                shares: Mapping[str, Sequence[float]]) -> list[str]:
    """The cerna section's lines above its tables (:func:`joint_tables`): heading, machine,
    command, what the tables compare and, per split mode, the share of miRNAs with training
    edges of both types in each fold (``shares``)."""
    return [f"## ceRNA graph: joint vs single-task ({n_run} of {k} folds, 1:1)", "",
            f"Machine: {machine}.", command, "",
            "Graph `load(\"cerna\")`: cmi-20208 + mtis-9214; joint leakage-free splits, 1:1. "
            "JointLink single-task and joint differ only in the second relation's loss. AUC by "
            "miRNA group: the test pair's miRNA has edges of both types in the full graph, or of "
            "one. MFERL and GRMMI at their defaults (GRMMI: graph branch and miRNA side); "
            "PathL3 / PathRA3 score every cold-miRNA pair 0 (AUC 0.500). `fit s`: mean seconds "
            f"per fit (load average {load}), {threads} torch thread(s).", "",
            *(f"Share of miRNAs (with any training edge) that carry training edges of both "
              f"types, {mode}, per fold: " + ", ".join(f"{x:.3f}" for x in fs) + "."
              for mode, fs in shares.items())]


# ------------------------------------------------------------------ the mferl section
#: the datasets' names in the MFERL paper
PAPER_NAME = {"cmi-9589": "Dataset1 (circBank, 9,589 pairs)", "cmi-9905": "Dataset2 (CMI-9905)",
              "cmi-20208": "Dataset3 (BGF-CMA, 20,208 pairs)"}
#: MFERL's 5-fold CV on Dataset1 as quoted in the paper's text (Table 1 is an image)
PAPER_MAIN = {"acc": 0.9170, "precision": 0.9094, "recall": 0.9262, "f1": 0.9177, "auc": 0.9669,
              "aupr": 0.9629}
MFERL_NOTES = {
    "main": "Published row: the authors' protocol (leaky; compare it with the PAPER table).",
    "ratios": "Paper (Table 2, Dataset1, an image; its text says): AUC changes little across "
              "1:1 … 1:10, accuracy stays above 0.91 and AUPR above 0.87.",
    "cold": "DegreeProduct and TruncatedSVDLink-64 score every cold pair alike (AUC 0.5); "
            "DegreeProduct+1 is the one-sided popularity bar (docs/protocol.md, Baselines).",
    "ablations": "Paper (Fig. 4D–F, a figure): removing MCAM hurts most; 'change_homo' "
                 "(fuse-then-aggregate) is not reimplemented.",
}
MFERL_TAGS = ["MFERL", "MFERL+pair", "DegreeProduct", "DegreeProduct+1", "TruncatedSVDLink-64",
              "SAGELink", "SeedMatch"]


def mferl_runs(out_root: Path) -> list[dict]:
    """Every run with records under ``out_root/<dataset>/<experiment>/<setting>/<model>``
    (:func:`read_runs`), its ``run.json`` fields at the top and the folds' fit infos under
    ``info``."""
    return [{**r["meta"], **r, "info": [x.get("fit_info") or {} for x in r["records"]]}
            for r in read_runs([out_root], "*/*/*/*/run.json") if r["records"]]


def timing_cells(stats: list[dict]) -> list[str]:
    """Folds, then means over the folds' fit infos (with ``fit_s``) of epochs, s/epoch,
    features s and fit s, and the largest peak RSS (MiB); ``-`` where no fold has the key."""
    def mean(k, fmt):
        v = [i[k] for i in stats if k in i]
        return format(sum(v) / len(v), fmt) if v else "-"
    return [len(stats), mean("epochs", ".0f"), mean("epoch_s", ".3f"), mean("features_s", ".1f"),
            mean("fit_s", ".1f"), f"{max(i.get('peak_rss_mib', 0) for i in stats):.0f}"]


def mferl_section(out_root: Path, datasets: Sequence[str],
                  experiments: Mapping[str, tuple[str, Sequence[str]]], when: str) -> str:
    """The mferl section's Markdown from the runs under ``out_root``: per dataset, a table per
    experiment (``experiments``: name -> (title, its settings in order)), with the paper's
    published row beside cmi-9589's main and paper tables; ``when``: the generation time."""
    from rnagraph.evaluate.results import format_mean_std, markdown_table
    from rnagraph.train.metrics import METRICS
    runs, tags = mferl_runs(out_root), MFERL_TAGS
    label = {"precision": "Precision", "recall": "Recall", "specificity": "Specificity"}
    cols = ["setting", "model", "folds", *(label.get(m, m.upper()) for m in METRICS)]
    lines = ["## MFERL (circRNA–miRNA)", "",
             f"Generated by `python benchmarks/mferl.py` from the runs under `{out_root.name}` "
             f"({when}). Mean ± std (population) over folds; "
             "threshold 0.5; uniform negatives, seed 0; every model of a table on the same "
             "folds (docs/protocol.md). 'folds' < 5: only the first folds were run.", ""]
    for ds in datasets:
        rs_ds = [r for r in runs if r["dataset"] == ds]
        lines += [f"### {ds}" + (f" — the paper's {PAPER_NAME[ds]}" if ds in PAPER_NAME else ""),
                  ""]
        for exp, (title, settings) in experiments.items():
            settings = list(settings)
            rs = sorted((r for r in rs_ds if r["experiment"] == exp), key=lambda r: (
                settings.index(r["setting"]) if r["setting"] in settings else 99,
                tags.index(r["model"]) if r["model"] in tags else 9, r["model"]))
            if not rs:
                continue
            rows = [[r["setting"], r["model"], f"{len(r['folds'])}" + (
                " (partial: run stopped)" if r["partial"] else ""), *(
                format_mean_std([f.get(m) for f in r["folds"]], 4) for m in METRICS)] for r in rs]
            if exp in ("main", "paper") and ds == "cmi-9589":
                rows.append(["paper, 5-fold", "MFERL as published", "5", *(
                    f"{PAPER_MAIN[m]:.4f}" if m in PAPER_MAIN else "—" for m in METRICS)])
            lines += [f"#### {title}", "", markdown_table(cols, rows), ""]
            lines += [MFERL_NOTES[exp], ""] if exp in MFERL_NOTES else []
            f_inf = out_root / ds / exp / "infeasible.json"
            for s, why in (json.loads(f_inf.read_text()) if f_inf.exists() else {}).items():
                lines += [f"Setting {s} is infeasible here: {why}.", ""]
    lines += ["Notes: MFERL at its defaults (`rnagraph.models.MFERL`). The real datasets "
              "have miRNA sequences only, so the circRNA side uses GIP similarity of the "
              "training fold, a learnable embedding and Role2Vec. MFERL+pair (seed-site pair "
              "term) is our extension, not the paper's model."]
    return "\n".join(lines)


__all__ = ["KINDS", "read_runs", "seed_ensemble", "auc_within_groups", "node_kinds",
           "loss_by_kind", "mean_losses", "paired_differences", "training_row", "group_split_row",
           "joint_tables", "cold_one_gain", "cerna_intro", "mferl_runs", "timing_cells",
           "mferl_section"]
