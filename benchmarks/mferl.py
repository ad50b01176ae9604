"""MFERL experiments: main CV, the paper's protocol, negative ratios, ablations, cold starts.

Every (dataset, experiment, setting, model) is one :func:`~rnagraph.evaluate.cross_validate` run
with its own ``out_dir`` under ``--out`` (default ``runs/mferl``), so a killed run resumes fold by
fold. Baselines (DegreeProduct, TruncatedSVDLink-64, SAGELink, SeedMatch where both sides have
sequences; in cold splits also DegreeProduct+1, the known node's popularity) run on the same
folds in the same protocol beside MFERL. Per fold it prints epochs, seconds per epoch, feature
seconds and peak RSS; at the end (and after each experiment) it rebuilds the ``mferl`` section
of ``docs/results.md`` from every finished ``metrics.json`` under ``--out`` and writes a timing
table as its section of ``docs/benchmarks.md`` (replacing the previous one).

    python benchmarks/mferl.py                                   # everything (hours)
    python benchmarks/mferl.py --datasets cmi-9589 --experiments main paper
    python benchmarks/mferl.py --datasets cmi-9589 --experiments ablations --max-folds 3
    python benchmarks/mferl.py --quick                           # 2 folds of 5, 40 epochs
    python benchmarks/mferl.py --report-only                     # rebuild docs/results.md
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _log import ROOT, BenchmarkLog, peak_rss_mib, timer, write_section  # noqa: E402

from rnagraph.data import kfold_link_split  # noqa: E402
from rnagraph.evaluate import (  # noqa: E402
    cross_validate,
    format_mean_std,
    model_config,
    write_json,
)
from rnagraph.models import MFERL, DegreeProduct, SAGELink, SeedMatch, TruncatedSVDLink  # noqa: E402
from rnagraph.train.metrics import METRICS  # noqa: E402
from rnagraph.typing import CIRC_MIRNA  # noqa: E402

DATASETS = ("cmi-9589", "cmi-9905", "cmi-20208", "synthetic")
EXPERIMENTS = ("main", "paper", "ratios", "ablations", "cold")
#: the paper's Dataset1 .. Dataset3 (MFERL paper, Table 4)
PAPER_NAME = {"cmi-9589": "Dataset1 (circBank, 9,589 pairs)", "cmi-9905": "Dataset2 (CMI-9905)",
              "cmi-20208": "Dataset3 (BGF-CMA, 20,208 pairs)"}
#: MFERL's 5-fold CV numbers quoted in the paper's text (Table 1 is an image; only Dataset1's
#: row is given in the text)
PAPER_MAIN = {"cmi-9589": {"auc": 0.9669, "aupr": 0.9629, "f1": 0.9177, "acc": 0.9170,
                           "recall": 0.9262, "precision": 0.9094}}
EXPERIMENT_TITLE = {
    "main": "Main: warm split, 1:1 negatives, leakage-free",
    "paper": "Paper protocol (PAPER, leaky): negatives drawn once, KFold over all pairs, graph "
             "features from the full graph",
    "ratios": "Negative ratios (warm, leakage-free; 1:1 is the main table)",
    "ablations": "Ablations (warm, 1:1, leakage-free; full MFERL is the main table)",
    "cold": "Cold-start splits (1:1, leakage-free)",
}
METRIC_LABEL = {"acc": "ACC", "precision": "Precision", "recall": "Recall",
                "specificity": "Specificity", "f1": "F1", "mcc": "MCC", "auc": "AUC",
                "aupr": "AUPR"}

class Timed:
    """Wraps a link predictor for :func:`cross_validate`: prints and records fit seconds, epochs,
    seconds per epoch, views used and the process's peak RSS of every fold as ``fit_info_``,
    which ``cross_validate`` stores in the fold's file (this also works in the worker processes
    of ``--jobs``). MFERL's epochs are printed every ``epoch_every`` epochs by a
    :class:`~rnagraph.train.Trainer` callback. ``get_params`` / ``repr`` are the wrapped
    model's, so run fingerprints name the model."""

    def __init__(self, model: object, tag: str, epoch_every: int = 0) -> None:
        self.model = model
        self.tag = tag
        self.epoch_every = epoch_every

    def get_params(self) -> dict:
        cfg = model_config(self.model)
        return {"wrapped": cfg["class"], **cfg["params"]}

    def fit(self, fold):
        t0 = time.perf_counter()
        if isinstance(self.model, MFERL) and self.epoch_every:
            self.model.fit(fold, callbacks=[EpochPrinter(fold.index, self.epoch_every)])
        else:
            self.model.fit(fold)
        rec = {"tag": self.tag, "fold": fold.index, "fit_s": time.perf_counter() - t0,
               "peak_rss_mib": peak_rss_mib(), **getattr(self.model, "fit_info_", {})}
        self.fit_info_ = rec
        extra = ""
        if "epochs" in rec:
            feats = (f"features {rec['features_s']:.1f} s, " if "features_s" in rec else "")
            extra = (f"{rec['epochs']} epochs (best {rec['best_epoch']}), "
                     f"{rec['epoch_s']:.3f} s/epoch, {feats}")
        print(f"    fold {fold.index}: {extra}fit {rec['fit_s']:.1f} s, "
              f"peak RSS {rec['peak_rss_mib']:.0f} MiB", flush=True)
        return self

    def score(self, graph, edge_label_index):
        return self.model.score(graph, edge_label_index)

    def __repr__(self) -> str:
        return repr(self.model)


class EpochPrinter:
    """A :class:`~rnagraph.train.Trainer` callback printing every ``every``-th epoch record
    (loss, validation AUC, seconds) of fold ``fold``."""

    def __init__(self, fold: int, every: int) -> None:
        self.fold, self.every = fold, every

    def __call__(self, rec: dict) -> None:
        if rec["epoch"] % self.every == 0:
            auc = "-" if rec["val_auc"] is None else f"{rec['val_auc']:.4f}"
            print(f"      fold {self.fold} epoch {rec['epoch']:3d}: loss {rec['loss']:.4f}, "
                  f"val AUC {auc}, {rec['seconds']:.2f} s", flush=True)


def _update_meta(path: Path, meta: dict, new: list[dict]) -> None:
    """Merge ``meta`` and per-fold stats ``new`` into ``path`` (``run.json``), atomically."""
    old = json.loads(path.read_text()) if path.exists() else {}
    stats = {**old.get("fold_stats", {}), **{str(r["fold"]): r for r in new}}
    write_json(path, {**old, **meta, "fold_stats": stats})


@dataclass
class Setting:
    experiment: str
    name: str           # e.g. "warm-1:1", "ratio 1:5", "w/o cl", "cold-src"
    mode: str = "warm"
    neg_ratio: float = 1
    protocol: str = "leakage-free"


def settings(experiment: str) -> list[Setting]:
    if experiment == "main":
        return [Setting("main", "warm 1:1")]
    if experiment == "paper":
        return [Setting("paper", "warm 1:1 PAPER", protocol="paper")]
    if experiment == "ratios":
        return [Setting("ratios", f"1:{r}", neg_ratio=r) for r in (2, 5, 10)]
    if experiment == "ablations":
        return [Setting("ablations", a) for a in ("w/o cl", "w/o homo", "w/o mcam", "w/o heter")]
    if experiment == "cold":
        return [Setting("cold", m, mode=m) for m in ("cold-src", "cold-dst", "cold-both")]
    raise ValueError(f"unknown experiment {experiment!r}; choose from {EXPERIMENTS}")


def has_all_seqs(g) -> bool:
    return all(bool(g[t].has_seq.all()) for t in (CIRC_MIRNA[0], CIRC_MIRNA[2]))


def models_for(s: Setting, g, args) -> list[tuple[str, object]]:
    def mferl(**kw):
        return MFERL(seed=args.seed, epochs=args.epochs, **kw)
    if s.experiment == "ablations":
        flag = {"w/o cl": "use_cl", "w/o homo": "use_homo", "w/o mcam": "use_mcam",
                "w/o heter": "use_heter"}[s.name]
        return [(f"MFERL {s.name}", mferl(**{flag: False}))]
    seqs = has_all_seqs(g)
    out = [("MFERL", mferl())]
    if seqs and s.experiment != "paper":
        out.append(("MFERL+pair", mferl(pair_features=True)))
    out += [("DegreeProduct", DegreeProduct()),
            ("TruncatedSVDLink-64", TruncatedSVDLink(dim=64, seed=args.seed))]
    if s.mode != "warm":  # the plain product ties every pair with an unseen node
        out.append(("DegreeProduct+1", DegreeProduct(smoothing=1)))
    if s.experiment != "paper":
        out.append(("SAGELink", SAGELink(epochs=args.epochs, seed=args.seed)))
        if seqs:
            out.append(("SeedMatch", SeedMatch()))
    return out


def slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text.replace(":", "to"))


def load_graph(name: str, root: str | None):
    from rnagraph.datasets import load, synthetic
    return synthetic(seed=0) if name == "synthetic" else load(name, root=root)


def _infeasible_file(out_root: Path, ds: str, exp: str) -> Path:
    return Path(out_root) / ds / exp / "infeasible.json"


def _record_infeasible(out_root: Path, ds: str, exp: str, setting: str, reason: str) -> None:
    """Remember a setting that cannot be split (reported instead of 'not run')."""
    f = _infeasible_file(out_root, ds, exp)
    old = json.loads(f.read_text()) if f.exists() else {}
    write_json(f, {**old, setting: reason})


def run_setting(name: str, g, s: Setting, args, out_root: Path, log: BenchmarkLog,
                allowed: set[str] | None) -> None:
    folds = kfold_link_split(g, CIRC_MIRNA, k=args.folds, neg_ratio=s.neg_ratio, mode=s.mode,
                             seed=args.seed, protocol=s.protocol)
    folds = folds[:args.max_folds] if args.max_folds else folds
    for tag, model in models_for(s, g, args):
        if allowed and not any(a.lower() in tag.lower() for a in allowed):
            continue
        out = out_root / name / s.experiment / slug(s.name) / slug(tag)
        print(f"  {name} · {s.experiment} · {s.name} · {tag} -> {out}", flush=True)
        meta_path = out / "run.json"
        meta = {"dataset": name, "experiment": s.experiment, "setting": s.name,
                "model": tag, "mode": s.mode, "neg_ratio": s.neg_ratio, "protocol": s.protocol,
                "k": args.folds, "seed": args.seed, "epochs": args.epochs}
        _update_meta(meta_path, meta, [])
        with warnings.catch_warnings(), timer() as t:
            warnings.simplefilter("ignore")  # paper-protocol leakage warnings: labelled below
            res = cross_validate(Timed(model, tag, args.epoch_every), g, CIRC_MIRNA, folds,
                                 out_dir=out, progress=False, curves=True, n_jobs=args.jobs)
        new = [{**fi, "fold": f["fold"]} for f, fi in zip(res.folds, res.fit_info)
               if f["fold"] in res.fitted]
        _update_meta(meta_path, {"cv_wall_s": round(t["s"], 1), "jobs": args.jobs} if new
                     else {}, new)
        print(f"    => AUC {res.summary('auc')} AUPR {res.summary('aupr')} "
              f"F1 {res.summary('f1')} ({len(res.folds)} folds, {t['s']:.1f} s)", flush=True)
        if new:
            timing_row(log, name, s.experiment, s.name, tag, new, f"{t['s']:.0f}")


def timing_row(log: BenchmarkLog, name: str, exp: str, setting: str, tag: str,
               stats: list[dict], wall: str) -> None:
    ep = [r["epoch_s"] for r in stats if "epoch_s" in r]
    fe = [r["features_s"] for r in stats if "features_s" in r]
    log.add(name, exp, setting, tag, len(stats),
            f"{np.mean([r['epochs'] for r in stats if 'epochs' in r]):.0f}" if ep else "-",
            f"{np.mean(ep):.3f}" if ep else "-", f"{np.mean(fe):.1f}" if fe else "-",
            f"{np.mean([r['fit_s'] for r in stats]):.1f}", wall,
            f"{max(r['peak_rss_mib'] for r in stats):.0f}")


# ---------------------------------------------------------------------- report
def _views_line(views: dict) -> str:
    return "; ".join(f"**{t}**: " + ", ".join(f"{v} ({src})" for v, src in vs.items())
                     for t, vs in views.items())


def _known_tags() -> list[str]:
    """Every model tag, in the order the tables list them."""
    return ["MFERL", "MFERL+pair", *(f"MFERL {s.name}" for s in settings("ablations")),
            "DegreeProduct", "DegreeProduct+1", "TruncatedSVDLink-64", "SAGELink", "SeedMatch"]


def collect(out_root: Path) -> list[dict]:
    """Every run under ``out_root``: finished ones from ``metrics.json`` + ``run.json``,
    interrupted ones (some ``fold_*.json``, no ``metrics.json``) marked ``partial``."""
    runs = []
    for d in sorted({p.parent for p in out_root.glob("**/fold_*.json")}):
        rpath, mpath = d / "run.json", d / "metrics.json"
        rel = d.relative_to(out_root).parts
        if len(rel) != 4:
            continue
        ds, exp, set_slug, tag_slug = rel
        setting = next((x for x in settings(exp) if slug(x.name) == set_slug), None) \
            if exp in EXPERIMENTS else None
        tag = next((t for t in _known_tags() if slug(t) == tag_slug), tag_slug)
        if setting is None:
            continue
        meta = json.loads(rpath.read_text()) if rpath.exists() else {
            "dataset": ds, "experiment": exp, "setting": setting.name, "model": tag,
            "protocol": setting.protocol, "fold_stats": {}}
        fold_recs = [json.loads(f.read_text()) for f in sorted(d.glob("fold_*.json"))]
        folds = [r["metrics"] for r in fold_recs]
        stats = meta.setdefault("fold_stats", {})
        for r in fold_recs:  # stats of folds whose run was killed before run.json was updated
            if r.get("fit_info"):
                stats.setdefault(str(r["metrics"]["fold"]), r["fit_info"])
        partial = not mpath.exists()
        if not partial:
            folds = json.loads(mpath.read_text())["folds"]
        runs.append({**meta, "partial": partial, "metrics": {"folds": folds}})
    return runs


def _views_from_cache(ds: str, root: str | None, seed: int) -> dict | None:
    """Views MFERL uses on ``ds`` (fold 0 of the main split; Role2Vec from the disk cache)."""
    from rnagraph.models._mferl_inputs import mferl_inputs
    try:
        g = load_graph(ds, root)
        fold = kfold_link_split(g, CIRC_MIRNA, k=5, seed=seed)[0]
        return mferl_inputs(fold.train_graph, CIRC_MIRNA, seed=seed).sources
    except Exception:  # no data: the table simply goes without the views line
        return None


def _cell(folds: list[dict], metric: str) -> str:
    return format_mean_std([f.get(metric) for f in folds], 4)


def _model_order(tag: str) -> tuple:
    order = _known_tags()
    return (order.index(tag) if tag in order else len(order), tag)


def report(out_root: Path, datasets: tuple[str, ...], quick: bool, root: str | None = None,
           seed: int = 0) -> str:
    runs = collect(out_root)
    cols = ["setting", "model", "folds", *(METRIC_LABEL[m] for m in METRICS)]
    head = "| " + " | ".join(cols) + " |\n|" + "|".join("---" for _ in cols) + "|"
    lines = ["## MFERL (circRNA–miRNA)", "",
             f"Generated by `python benchmarks/mferl.py` from every finished run under "
             f"`{out_root.relative_to(ROOT) if out_root.is_relative_to(ROOT) else out_root}`"
             f" ({time.strftime('%Y-%m-%d %H:%M')}). Mean ± std (population) over folds; "
             "threshold 0.5; negatives drawn uniformly from unobserved pairs with seed 0; "
             "every model of a table ran on the same folds. 'folds' < 5 means only the first "
             "folds of the 5-fold split were run (`--max-folds`, or the run was stopped; "
             "rerunning the same command resumes it).", ""]
    if quick:
        lines += ["**QUICK run** (`--quick`: 2 of 5 folds, 40 epochs): not comparable with "
                  "full runs.", ""]
    missing = []
    for ds in datasets:
        ds_runs = [r for r in runs if r["dataset"] == ds]
        lines += [f"### {ds}" + (f" — the paper's {PAPER_NAME[ds]}" if ds in PAPER_NAME else ""),
                  ""]
        views = next((st["views"] for r in ds_runs if r["model"] == "MFERL"
                      for st in r["fold_stats"].values() if "views" in st), None)
        if views is None and ds_runs and any(r["model"].startswith("MFERL") for r in ds_runs):
            views = _views_from_cache(ds, root, seed)
        if views:
            lines += [f"Views MFERL used: {_views_line(views)}.", ""]
        for exp in EXPERIMENTS:
            rs = [r for r in ds_runs if r["experiment"] == exp]
            ran = {(r["setting"], r["model"]) for r in rs}
            want = {s.name for s in settings(exp)}
            not_run = sorted(want - {s for s, _ in ran})
            if not rs:
                missing.append((ds, exp, "all settings"))
                continue
            proto = ("PAPER protocol (leaky)" if exp == "paper" else
                     "leakage-free (graph views, similarities and message-passing edges from "
                     "the training fold only)")
            lines += [f"#### {EXPERIMENT_TITLE[exp]}", "", f"Protocol: {proto}.", "", head]
            order = [s.name for s in settings(exp)]
            rs.sort(key=lambda r: (order.index(r["setting"]) if r["setting"] in order else 99,
                                   _model_order(r["model"])))
            for r in rs:
                f = r["metrics"]["folds"]
                nf = f"{len(f)} (partial: run stopped)" if r.get("partial") else str(len(f))
                lines.append("| " + " | ".join([r["setting"], r["model"], nf,
                                               *(_cell(f, m) for m in METRICS)]) + " |")
            if exp in ("main", "paper") and ds in PAPER_MAIN:
                p = PAPER_MAIN[ds]
                lines.append("| " + " | ".join(
                    ["paper, 5-fold", "MFERL as published", "5",
                     *(f"{p[m]:.4f}" if m in p else "—" for m in METRICS)]) + " |")
            lines.append("")
            if exp in ("main", "paper") and ds in PAPER_MAIN:
                lines += ["The published row used the authors' protocol (negatives drawn once, "
                          "5-fold over all pairs, features from the whole graph, circRNA "
                          "sequences available to them); compare it with the PAPER-protocol "
                          "table, not the leakage-free one.", ""]
            if exp == "ratios" and ds == "cmi-9589":
                lines += ["Paper (Table 2, Dataset1, numbers only in an image; its text says): "
                          "AUC changes little across 1:1 … 1:10, accuracy stays above 0.91 and "
                          "AUPR above 0.87.", ""]
            if exp == "cold":
                lines += ["In a cold split every test pair has a node without training edges, "
                          "so DegreeProduct and TruncatedSVDLink-64 score all of them alike "
                          "(AUC 0.5). DegreeProduct+1 adds one to every degree, which ranks the "
                          "pairs by the degree of their known node: the one-sided popularity "
                          "that a cold-start model has to beat (in cold-both both nodes are new "
                          "and it ties too).", ""]
            if exp == "ablations":
                lines += ["Paper (Fig. 4D–F, numbers only in a figure): removing MCAM hurts "
                          "most; 'change_homo' (fuse-then-aggregate) is not reimplemented.", ""]
            f_inf = _infeasible_file(out_root, ds, exp)
            infeasible = json.loads(f_inf.read_text()) if f_inf.exists() else {}
            for s, why in sorted(infeasible.items()):
                lines += [f"Setting {s} is infeasible here: {why}.", ""]
            for s in not_run:
                if s not in infeasible:
                    missing.append((ds, exp, s))
            for st in sorted({x for x, _ in ran}):
                if not any(m.startswith("MFERL") for x, m in ran if x == st):
                    missing.append((ds, exp, f"{st} · MFERL"))
            for r in rs:
                if r.get("partial"):
                    missing.append((ds, exp, f"{r['setting']} · {r['model']} (partial: "
                                             "rerun to resume the remaining folds)"))
    if missing:
        lines += ["### Not run", "", "These experiments have no finished run yet (command to "
                  "run each; add `--max-folds 3` for a shorter partial run):", ""]
        for ds, exp, s in missing:
            lines.append(f"- {ds} · {exp} · {s}: `python benchmarks/mferl.py --datasets {ds} "
                         f"--experiments {exp}`")
        lines.append("")
    lines += ["Notes: MFERL runs with its defaults (d = 128, Adam lr 0.01, at most 300 epochs, "
              "early stopping on validation AUC with patience 30, InfoNCE over 1,024 nodes per "
              "type drawn each step, `disjoint_train_ratio=0`). The real datasets have miRNA "
              "sequences only, so MFERL's circRNA side uses "
              "interaction-profile (GIP) similarity of the training fold, a learnable embedding "
              "in place of CTD / k-mer / Doc2Vec, and Role2Vec of the training graph; miRNAs use "
              "all five views. Synthetic data has all sequences (full model). MFERL+pair is our "
              "extension (seed-site pair term), not the paper's model. SAGELink's ACC/F1 at "
              "threshold 0.5 lag its AUC (see the baselines section)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", nargs="*", default=None, choices=DATASETS,
                    help=f"default: {' '.join(DATASETS)} (quick: synthetic cmi-9589)")
    ap.add_argument("--experiments", nargs="*", default=None, choices=EXPERIMENTS,
                    help=f"default: {' '.join(EXPERIMENTS)} (quick: main)")
    ap.add_argument("--models", nargs="*", default=None,
                    help="only models whose name contains one of these (e.g. MFERL SAGE)")
    ap.add_argument("--settings", nargs="*", default=None,
                    help="only settings whose name contains one of these (e.g. cold-dst)")
    ap.add_argument("--folds", type=int, default=5, help="k of the k-fold split (default 5)")
    ap.add_argument("--max-folds", type=int, default=None,
                    help="run only the first N folds of the k-fold split (resumable later)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1,
                    help="folds fitted in parallel worker processes, 1 torch thread each "
                         "(2 on a 2-core machine; default 1)")
    ap.add_argument("--epochs", type=int, default=None,
                    help="max epochs of MFERL / SAGELink (default 300; quick 40)")
    ap.add_argument("--out", default=None, help="run folder (default runs/mferl; "
                    "quick: runs/mferl-quick)")
    ap.add_argument("--root", default=None, help="data root (default $RNAGRAPH_DATA)")
    ap.add_argument("--quick", action="store_true",
                    help="synthetic + cmi-9589 main only, 2 of 5 folds, 40 epochs")
    ap.add_argument("--report-only", action="store_true",
                    help="only rebuild the mferl section of docs/results.md")
    ap.add_argument("--timings", action="store_true",
                    help="with --report-only: write a timing table built from stored fold "
                         "stats as its section of docs/benchmarks.md")
    ap.add_argument("--note", default=None,
                    help="with --report-only --timings: a note added under the timing table")
    ap.add_argument("--no-docs", action="store_true",
                    help="write nothing under docs/ (for trying the script out)")
    ap.add_argument("--epoch-every", type=int, default=25,
                    help="print every N-th MFERL epoch (0: none)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)  # 2 threads on a busy 2-core machine are 10-50x slower
    if args.datasets is None:
        args.datasets = ["synthetic", "cmi-9589"] if args.quick else list(DATASETS)
    if args.experiments is None:
        args.experiments = ["main"] if args.quick else list(EXPERIMENTS)
    if args.quick:
        args.max_folds = args.max_folds or 2
        args.epochs = args.epochs or 40
    args.epochs = args.epochs or 300
    out_root = Path(args.out or ("runs/mferl-quick" if args.quick else "runs/mferl"))
    out_root = (out_root if out_root.is_absolute() else ROOT / out_root).resolve()
    results_md = ROOT / "docs" / "results.md"

    def write_report() -> None:
        if args.no_docs:
            return
        write_section(results_md, "mferl", report(
            out_root, tuple(args.datasets) if args.quick else DATASETS, args.quick,
            args.root, args.seed))

    cols = ["dataset", "experiment", "setting", "model", "folds run", "epochs/fold",
            "s/epoch", "features s/fold", "fit s/fold", "CV wall s", "peak RSS MiB"]
    if args.report_only:
        write_report()
        print(f"rebuilt the mferl section of {results_md}")
        if args.timings:
            log = BenchmarkLog("mferl: time per epoch / fold and peak RSS (1 torch thread), "
                               "from stored fold stats", cols)
            for r in collect(out_root):
                st = list(r.get("fold_stats", {}).values())
                if st and r["model"].startswith("MFERL"):
                    timing_row(log, r["dataset"], r["experiment"], r["setting"], r["model"],
                               st, f"{r['cv_wall_s']:.0f} ({r.get('jobs', 1)} jobs)"
                               if "cv_wall_s" in r else "-")
            log.note("Rebuilt from the per-fold stats stored with each run (fits of earlier "
                     "invocations); 'CV wall s' where the run stored it, else '-'.")
            if args.note:
                log.note(args.note)
            if log.rows and not args.no_docs:
                log.write()
            else:
                log.print()
        return
    log = BenchmarkLog("mferl: time per epoch / fold and peak RSS (1 torch thread)", cols)
    allowed = set(args.models) if args.models else None
    try:
        for exp in args.experiments:
            for name in args.datasets:
                try:
                    g = load_graph(name, args.root)
                except Exception as exc:  # missing data root: report and go on
                    print(f"skip {name}: {exc}")
                    continue
                for s in settings(exp):
                    if args.settings and not any(a in s.name for a in args.settings):
                        continue
                    print(f"== {name} · {exp} · {s.name}", flush=True)
                    try:
                        run_setting(name, g, s, args, out_root, log, allowed)
                    except ValueError as exc:  # e.g. too few unobserved pairs for 1:10
                        print(f"   infeasible: {exc}", flush=True)
                        _record_infeasible(out_root, name, exp, s.name, str(exc))
            write_report()
    finally:
        if log.rows:
            log.note("Per (dataset, setting, model): folds fitted in this invocation (resumed "
                     "folds are not timed), mean epochs and seconds per epoch (full batch: all "
                     "node representations once per step), seconds of feature computation per "
                     "fold (sequence views and Role2Vec come from the disk cache when present), "
                     "fit seconds per fold, wall seconds of the CV call, process peak RSS.")
            if args.quick:
                log.note("QUICK run: 2 of 5 folds, 40 epochs.")
            if args.no_docs:
                log.print()
            else:
                log.write()
        write_report()


if __name__ == "__main__":
    main()
