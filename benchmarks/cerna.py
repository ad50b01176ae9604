"""The joint ceRNA graph: does learning miRNA-mRNA targeting help circRNA-miRNA sponging (and
the reverse)? Joint vs single-task JointLink and the single-task baselines, in the same folds.

Joint k-fold splits of ``load("cerna")`` (cmi-20208 + mtis-9214; leakage-free for both types),
warm and cold-miRNA (held-out miRNAs lose their edges of both types; ``--modes cold-one``: of
the predicted relation only, the same test pairs); for each fold and edge
type: DegreeProduct (add-one degrees), TruncatedSVDLink (64), the length-3 path scores PathL3
and PathRA3, SAGELink, JointLink single-task (``joint=False``: same network, same message
graph, the predicted relation's loss only) and JointLink joint, plus each relation's published
single-task model at its own defaults: MFERL (circRNA-miRNA) and GRMMI (miRNA-mRNA; no gene
sequences in mtis-9214, so its graph branch and the miRNA side of its sequence branch). AUC /
AUPR mean ± std over folds, AUC split by whether the test pair's miRNA carries both edge types
in the full graph, and the share of miRNAs that carry both types in each fold's training
graph. Optionally (``--timing``) the fit of JointLink on the whole graph and the ranking of
every circRNA-mRNA pair. Replaces the ``cerna`` section of ``docs/results.md``. Per-fold
records are appended to ``--runs`` (JSON lines) and reused, so an interrupted run resumes and
models can be run in separate invocations (``--models``) and reported together
(``--report-only``).

    python benchmarks/cerna.py --folds 5
    python benchmarks/cerna.py --folds 5 --only-folds 3 --models mferl   # first 3 folds
    python benchmarks/cerna.py --folds 3 --modes warm --epochs 150     # shorter
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
from _log import ROOT, machine, timer, write_section  # noqa: E402

from rnagraph.data import joint_kfold_split  # noqa: E402
from rnagraph.evaluate.results import format_mean_std  # noqa: E402
from rnagraph.models import (  # noqa: E402
    DegreeProduct,
    JointLink,
    SAGELink,
    TruncatedSVDLink,
    get_model,
)
from rnagraph.train.metrics import binary_metrics  # noqa: E402
from rnagraph.typing import CIRC_MIRNA, MIRNA, MIRNA_MRNA  # noqa: E402

MODELS = ("degree+1", "svd", "l3", "ra3", "sage", "mferl", "grmmi", "joint-single", "joint")
LABEL = {"degree+1": "DegreeProduct (+1)", "svd": "TruncatedSVD (64)", "l3": "PathL3",
         "ra3": "PathRA3", "sage": "SAGELink", "mferl": "MFERL", "grmmi": "GRMMI",
         "joint-single": "JointLink single-task", "joint": "JointLink joint"}
EDGE = {CIRC_MIRNA: "circRNA–miRNA", MIRNA_MRNA: "miRNA–mRNA"}
TITLES = {"warm": "warm",
          "cold": "cold-miRNA (held-out miRNAs lose both types)",
          "cold-one": "cold-one-relation (held-out miRNAs lose this relation's edges only and "
                      "keep the other's: the same test pairs as cold-miRNA)"}
#: single-task models of one edge type only (the published model of that relation)
ONLY = {"mferl": CIRC_MIRNA, "grmmi": MIRNA_MRNA}


def make(name: str, epochs: int, seed: int, hidden: int = 64):
    if name == "degree+1":
        return DegreeProduct(smoothing=1)
    if name == "svd":
        return TruncatedSVDLink(64, seed=seed)
    if name == "sage":
        return SAGELink(epochs=epochs, seed=seed)
    if name in ("l3", "ra3"):
        return get_model(name)
    if name in ("mferl", "grmmi"):          # their own defaults (epochs, patience, sizes)
        return get_model(name, seed=seed)
    return JointLink(joint=name == "joint", epochs=epochs, seed=seed, hidden_channels=hidden)


def carries_both(data) -> torch.Tensor:
    """miRNAs with at least one edge of each type in the full graph."""
    n = int(data[MIRNA].num_nodes)
    a, b = torch.zeros(n, dtype=torch.bool), torch.zeros(n, dtype=torch.bool)
    a[data[CIRC_MIRNA].edge_index[1]] = True
    b[data[MIRNA_MRNA].edge_index[0]] = True
    return a & b


def _auc(y: np.ndarray, s: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, s)) if 0 < y.sum() < y.size else None


def run_one(name: str, fold, both: torch.Tensor, epochs: int, seed: int, hidden: int) -> dict:
    model = make(name, epochs, seed, hidden)
    with timer() as t, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(fold)
    pairs = fold.test.edge_label_index
    s = model.score(fold.train_graph, pairs)
    s = np.asarray(torch.as_tensor(s).double())
    y = fold.test.edge_label.numpy()
    m = binary_metrics(y, s)
    side = 1 if fold.edge_type == CIRC_MIRNA else 0
    sel = both[pairs[side]].numpy()
    return {"auc": m["auc"], "aupr": m["aupr"], "auc_both": _auc(y[sel], s[sel]),
            "auc_one": _auc(y[~sel], s[~sel]), "n_both": int(sel.sum()), "fit_s": t["s"]}


def _ms(vals: list) -> str:
    vals = [v for v in vals if v is not None]
    return format_mean_std(vals, 3) if vals else "—"


def table(records: list[dict], n_folds: int) -> str:
    """The Markdown tables; a row over fewer than ``n_folds`` folds names its folds."""
    out = []
    for mode in ("warm", "cold", "cold-one"):
        recs = [r for r in records if r["mode"] == mode]
        if not recs:
            continue
        out += [f"### {TITLES[mode]}", ""]
        for et in (CIRC_MIRNA, MIRNA_MRNA):
            rs = [r for r in recs if tuple(r["edge_type"]) == et]
            if not rs:
                continue
            out += [f"**{EDGE[et]}**", "",
                    "| model | folds | AUC | AUPR | AUC, miRNA has both types | AUC, miRNA has "
                    "one type | fit s |", "|---|---|---|---|---|---|---|"]
            for name in MODELS:
                mr = sorted((r for r in rs if r["model"] == name), key=lambda r: r["fold"])
                if not mr:
                    continue
                n = str(len(mr)) if len(mr) == n_folds else \
                    f"{len(mr)} (fold {', '.join(str(r['fold']) for r in mr)})"
                out.append(f"| {LABEL[name]} | {n} | {_ms([r['auc'] for r in mr])} | "
                           f"{_ms([r['aupr'] for r in mr])} | "
                           f"{_ms([r['auc_both'] for r in mr])} | "
                           f"{_ms([r['auc_one'] for r in mr])} | "
                           f"{np.mean([r['fit_s'] for r in mr]):.0f} |")
            js = {r["fold"]: r for r in rs if r["model"] == "joint"}
            ss = {r["fold"]: r for r in rs if r["model"] == "joint-single"}
            n, d = _paired(js, ss, ("auc", "aupr", "auc_both", "auc_one"))
            if n:
                out.append(f"| Δ joint − single-task (paired) | {n} | {d['auc']} | "
                           f"{d['aupr']} | {d['auc_both']} | {d['auc_one']} | |")
            if mode == "cold-one":
                out += ["", *_cold_one_gain(records, et)]
            out.append("")
    return "\n".join(out)


def _paired(a: dict, b: dict, keys) -> tuple[int, dict[str, str]]:
    """``a`` − ``b`` per metric over the folds both hold (fold -> record), as mean ± std
    over the folds where both values exist; returns the number of common folds too."""
    common = sorted(set(a) & set(b))
    return len(common), {k: _ms([a[f][k] - b[f][k] for f in common
                                 if a[f][k] is not None and b[f][k] is not None])
                         for k in keys}


def _cold_one_gain(records: list[dict], et) -> list[str]:
    """Per model, cold-one − cold AUC over the same folds (identical test pairs): what a
    held-out miRNA's edges of the other relation are worth."""
    rs = [r for r in records if tuple(r["edge_type"]) == et]
    lines = ["| model | folds | Δ AUC, cold-one − cold (same test pairs) | Δ, miRNA has both "
             "types | Δ, miRNA has one type |", "|---|---|---|---|---|"]
    for name in MODELS:
        one, cold = ({r["fold"]: r for r in rs if r["model"] == name and r["mode"] == mode}
                     for mode in ("cold-one", "cold"))
        n, d = _paired(one, cold, ("auc", "auc_both", "auc_one"))
        if n:
            lines.append(f"| {LABEL[name]} | {n} | {d['auc']} | {d['auc_both']} | "
                         f"{d['auc_one']} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=300, help="max epochs of the GNN models")
    ap.add_argument("--hidden", type=int, default=64, help="JointLink hidden_channels")
    ap.add_argument("--modes", nargs="*", default=["warm", "cold"],
                    choices=["warm", "cold", "cold-one"],
                    help="cold-one: held-out miRNAs keep their edges of the other relation")
    ap.add_argument("--models", nargs="*", default=list(MODELS))
    ap.add_argument("--only-folds", type=int, default=None,
                    help="run only the first N of the k folds (labelled in the table)")
    ap.add_argument("--root", default=None, help="data root (default $RNAGRAPH_DATA)")
    ap.add_argument("--runs", default=str(ROOT / "runs" / "cerna_runs.jsonl"))
    ap.add_argument("--out", default=str(ROOT / "docs" / "results.md"))
    ap.add_argument("--load", default="4-6",
                    help="the machine's load average during the run, for the text")
    ap.add_argument("--report-only", action="store_true",
                    help="fit nothing: write the table from the records already in --runs")
    ap.add_argument("--timing", action="store_true",
                    help="also time JointLink on the whole graph and the 11M-pair ranking")
    args = ap.parse_args(argv)
    from rnagraph.datasets import load
    data = load("cerna", root=args.root)
    both = carries_both(data)
    runs = Path(args.runs)
    runs.parent.mkdir(parents=True, exist_ok=True)
    done = {}
    if runs.exists():
        for line in runs.read_text().splitlines():
            r = json.loads(line)
            done[(r["mode"], r["fold"], tuple(r["edge_type"]), r["model"], r["k"], r["seed"],
                  r["epochs"], r.get("hidden", 64))] = r
    n_run = args.only_folds or args.folds
    splits = {mode: joint_kfold_split(data, k=args.folds, mode=mode, seed=args.seed)[:n_run]
              for mode in args.modes}
    shares = {mode: [f.meta["share_both"] for f in fs] for mode, fs in splits.items()}
    for i in range(n_run):                      # fold-major: every finished fold covers all modes
        for mode in args.modes:
            jf = splits[mode][i]
            for et in (CIRC_MIRNA, MIRNA_MRNA):
                for name in args.models:
                    if ONLY.get(name, et) != et:
                        continue
                    key = (mode, jf.index, et, name, args.folds, args.seed, args.epochs,
                           args.hidden)
                    if key in done or args.report_only:
                        continue
                    rec = run_one(name, jf[et], both, args.epochs, args.seed, args.hidden)
                    rec.update({"mode": mode, "fold": jf.index, "edge_type": list(et),
                                "model": name, "k": args.folds, "seed": args.seed,
                                "epochs": args.epochs, "hidden": args.hidden})
                    done[key] = rec
                    with runs.open("a") as fh:
                        fh.write(json.dumps(rec) + "\n")
                    print(f"{mode} fold {jf.index} {et[1]:8s} {name:13s} AUC {rec['auc']:.4f} "
                          f"({rec['fit_s']:.0f} s)", flush=True)
    records = [r for k, r in done.items()
               if k[4:] == (args.folds, args.seed, args.epochs, args.hidden)
               and k[0] in args.modes and k[1] < n_run]
    md = [f"## ceRNA graph: joint vs single-task ({n_run} of {args.folds} folds, 1:1)", "",
          f"Machine: {machine()}.",
          "Command: `python benchmarks/cerna.py "
          + " ".join(a for a in (argv or sys.argv[1:]) if a != "--report-only") + "`"
          + (" (table rebuilt from its stored per-fold records)" if args.report_only else ""),
          "",
          "Graph `load(\"cerna\")`: cmi-20208 + mtis-9214, 1,648 miRNAs (365 in both sets), "
          "3,569 circRNAs, 3,069 genes; joint leakage-free splits "
          "(`joint_kfold_split`: test edges of either type absent from the training graph). "
          "JointLink single-task and joint share network, message graph (both relations), "
          "folds and seed; they differ only in the second relation's loss. "
          "AUC by miRNA group: test pairs whose miRNA has edges of both types in the full "
          "graph vs of one type only. Negatives: 1 per positive, among each relation's "
          "candidate nodes. MFERL and GRMMI run at their own defaults (MFERL: 128 channels, "
          "≤ 300 epochs, patience 30; GRMMI: ≤ 30 epochs, patience 5; mtis-9214 has no gene "
          "sequences, so GRMMI's graph branch and the miRNA side of its sequence branch "
          "carry it); `--epochs`/`--hidden` set SAGELink and JointLink. PathL3 / PathRA3 "
          "score every cold-miRNA pair 0 (no path reaches a miRNA without edges), hence AUC "
          "0.500 there. `fit s`: mean seconds per fit on a shared 2-core machine "
          f"(load average {args.load} during the run), one torch thread.", ""]
    for mode, sh in shares.items():
        md.append(f"Share of miRNAs (with any training edge) that carry training edges of both "
                  f"types, {mode}, per fold: " + ", ".join(f"{s:.3f}" for s in sh) + ".")
    md += ["", table(records, n_run)]
    if args.timing:
        md += ["", timing(data, args.epochs, args.seed, args.hidden)]
    write_section(args.out, "cerna", "\n".join(md))
    print("\n".join(md))


def timing(data, epochs: int, seed: int, hidden: int) -> str:
    """Fit JointLink on every known pair of each type and rank all circRNA-mRNA pairs."""
    from rnagraph.data import Fold
    from rnagraph.evaluate import peak_rss_mib, rank_cerna
    models, lines = {}, []
    for et in (CIRC_MIRNA, MIRNA_MRNA):
        with timer() as t, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = JointLink(epochs=epochs, seed=seed, hidden_channels=hidden)
            models[et] = model.fit(Fold.full(data, et, seed=seed))
        lines.append(f"JointLink fit on the whole graph ({EDGE[et]} head, protocol full): "
                     f"{t['s']:.0f} s, {len(models[et].history_)} epochs")
    with timer() as t:
        r = rank_cerna(data, models[CIRC_MIRNA], models[MIRNA_MRNA], top_k=100)
    lines.append(f"rank_cerna over {r.num_pairs:,} circRNA–mRNA pairs (top 100 with paths): "
                 f"{t['s']:.0f} s; peak RSS {peak_rss_mib():.0f} MiB")
    return "\n".join(f"- {x}" for x in lines)


if __name__ == "__main__":
    torch.set_num_threads(1)   # oversubscribed threads are 30-50x slower on a shared 2-core box
    main()
