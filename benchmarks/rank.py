"""All-pair ranking speed: ``rnagraph rank`` over every candidate pair, for every model.

Each model is fitted on every known pair (``Fold.full``, seed 0) of its dataset and saved:

* graph models (degree, degree+1, svd, l3, ra3, katz, sage, mferl, mferl-pair): cmi-20208,
  every circRNA x miRNA pair (3,569 x 1,152 = 4.11M);
* grmmi: mtis-9214, every miRNA x mRNA pair (861 x 3,069 = 2.64M; no mRNA sequences offline,
  so its graph branch and miRNA features score them);
* joint, joint-single: the joint ceRNA graph (``load("cerna")``), every circRNA x miRNA pair
  (3,569 x 1,648 = 5.88M);
* seedmatch (target sequences needed, which no offline all-pair dataset has): a synthetic
  graph of cmi-20208's size (``synthetic(num_mirna=1152, num_circrna=3569)``, circRNAs of
  ~950 nt);
* mitar: miTAR's combined set as a graph (distinct miRNAs x distinct 40-nt target sites),
  timed on the pairs of its first sources only (one CNN + BiLSTM pass per pair).

Then, each in a fresh process so memory is measured alone:

* **scoring**: :func:`rnagraph.evaluate.top_candidates` over all pairs minus the known ones
  (blocks of 262,144 pairs, bounded top-K, K = ``--top``): pairs/s;
* **memory**: peak resident memory of that process minus its resident memory once the model
  is loaded and its node representations computed (MiB);
* **end to end**: wall-clock seconds of the ``rnagraph rank --model M --top K --out F``
  command line (interpreter start, imports, model load, scoring, CSV).

Goal (issue 14): >= 2M pairs/s on 2 CPU cores and <= 1 GB above the loaded model.
``--models-dir`` keeps the fitted model files, so fitting (not timed) and timing can run
apart: a model file already there is reused.

    python benchmarks/rank.py [--models degree svd sage ...] [--top 100] [--threads 2]
    python benchmarks/rank.py --models-dir /tmp/rank-models --fit-only   # fit, no timing
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _log import ROOT, BenchmarkLog, timer  # noqa: E402

DATASET = "cmi-20208"
CM = ("circrna", "binds", "mirna")


def _rss_mib() -> float:
    """Current resident memory of this process, MiB (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def worker(model_path: str, top: int, threads: int, rows: int = 0) -> None:
    """Load the model, time the blocked top-K scoring of every pair (``rows`` > 0: of the
    first ``rows`` source nodes only), print JSON."""
    import torch

    from rnagraph.evaluate import peak_rss_mib, top_candidates
    from rnagraph.models import load
    torch.set_num_threads(threads)
    m = load(model_path)
    m.encoded(None)  # node representations once (part of loading a model, not of scoring)
    loaded = _rss_mib()
    base_peak = peak_rss_mib()
    with timer() as t:
        cand = top_candidates(m, top, src=list(range(rows)) if rows else None)
    print(json.dumps({"scored": cand.num_scored, "seconds": t["s"], "loaded_mib": loaded,
                      "peak_mib": peak_rss_mib(), "peak_before_mib": base_peak}))


#: where each model is ranked (default: cmi-20208's circRNA-miRNA pairs)
DATA = {"grmmi": ("mtis-9214", ("mirna", "targets", "mrna")),
        "joint": ("cerna", CM), "joint-single": ("cerna", CM),
        "seedmatch": ("synthetic-20208", CM), "mitar": ("mitar-sites", ("mirna", "targets",
                                                                         "mrna"))}
#: fit options that only shorten fitting (ranking cost does not depend on training)
FIT_KW = {"mitar": {"epochs": 1}}
#: per-pair sequence models too slow to rank every pair here: timed on this many source rows
#: (x every destination) and the rate reported
SAMPLE_ROWS = {"mitar": 4}
ALL = ("degree", "degree+1", "svd", "l3", "ra3", "katz", "sage", "struct", "mferl", "mferl-pair",
       "grmmi", "joint", "joint-single", "seedmatch", "mitar")


def dataset_of(name: str) -> tuple[str, tuple[str, str, str]]:
    return DATA.get(name, (DATASET, CM))


def load_data(key: str):
    from rnagraph.datasets import load, synthetic
    if key == "synthetic-20208":   # cmi-20208's node counts, sequences on both sides
        return synthetic(num_mirna=1152, num_mrna=0, num_circrna=3569, seed=0)
    if key == "mitar-sites":       # miTAR's combined set: miRNAs x 40-nt target sites
        from rnagraph.data import build_graph
        from rnagraph.datasets.mitar import load_site_pairs
        sp = load_site_pairs("combined")
        mi = {s: f"mi{i}" for i, s in enumerate(dict.fromkeys(sp.mirna_seq))}
        tg = {s: f"t{i}" for i, s in enumerate(dict.fromkeys(sp.target_seq))}
        pos = [(mi[a], tg[b]) for a, b, y in zip(sp.mirna_seq, sp.target_seq, sp.label) if y]
        return build_graph({"mirna": {v: k for k, v in mi.items()},
                            "mrna": {v: k for k, v in tg.items()}},
                           {("mirna", "targets", "mrna"): pos})
    return load(key)


def fit_and_save(name: str, out: Path, seed: int) -> str | None:
    """Fit ``name`` on all known pairs of its dataset and save it (an existing file is
    reused); None if the model cannot be saved in this version."""
    from rnagraph.data import Fold
    from rnagraph.models import LinkModel, get_model
    if out.exists():
        return str(out)
    m = get_model(name, **FIT_KW.get(name, {}))
    if not isinstance(m, LinkModel):
        return None
    key, et = dataset_of(name)
    m.fit(Fold.full(load_data(key), et, seed=seed))
    m.save(out)
    return str(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="*", default=list(ALL))
    ap.add_argument("--top", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2, help="torch threads of the scoring")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--models-dir", default=None,
                    help="keep (and reuse) the fitted model files here (default: a temporary "
                         "folder)")
    ap.add_argument("--fit-only", action="store_true", help="fit and save, time nothing")
    ap.add_argument("--no-docs", action="store_true", help="do not touch docs/benchmarks.md")
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], *map(int, args.worker[1:]))
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    log = BenchmarkLog("rank: all-pair ranking, every model",
                       ["model", "dataset", "pairs scored", "scoring s", "pairs/s",
                        "end-to-end s", "MiB above loaded model", "goal met"], section="rank")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.models_dir or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in args.models:
            with timer() as tf:
                path = fit_and_save(name, folder / f"{name}.rg", args.seed)
            print(f"{name}: model ready in {tf['s']:.0f} s", flush=True)
            if path is None:
                log.note(f"{name}: skipped (not on the model contract in this version: no "
                         "model file)")
                continue
            if args.fit_only:
                continue
            rows = SAMPLE_ROWS.get(name, 0)
            res = subprocess.run([sys.executable, __file__, "--worker", path, str(args.top),
                                  str(args.threads), str(rows)], env=env, check=True,
                                 capture_output=True, text=True)
            w = json.loads(res.stdout.strip().splitlines()[-1])
            end_to_end = "–"
            if not rows:
                cmd = [sys.executable, "-c", "from rnagraph.cli import main; main()", "rank",
                       "--model", path, "--top", str(args.top), "--out", f"{tmp}/{name}.csv"]
                with timer() as t:
                    subprocess.run(cmd, env={**env, "OMP_NUM_THREADS": str(args.threads)},
                                   check=True, capture_output=True)
                end_to_end = f"{t['s']:.1f}"
            rate = w["scored"] / w["seconds"]
            extra = max(w["peak_mib"] - w["loaded_mib"], 0.0)
            ok = rate >= 2e6 and extra <= 1024
            scored = f"{w['scored']:,}" + (f" (first {rows} sources)" if rows else "")
            log.add(name, dataset_of(name)[0], scored, f"{w['seconds']:.2f}",
                    f"{rate / 1e6:.3f}M" if rate < 1e5 else f"{rate / 1e6:.2f}M", end_to_end,
                    f"{extra:.0f}", "yes" if ok else "no")
            print(log.rows[-1], flush=True)
    if args.fit_only:
        return
    load1 = os.getloadavg()[0]
    log.note(f"Load average {load1:.1f} at the end of the run on {os.cpu_count()} cores (other "
             "jobs share the machine: a load far above the core count slows every figure).")
    log.note(f"Top-{args.top} kept with a bounded selection per block (no dense matrix, no "
             f"full sort); {args.threads} torch threads; end to end includes Python start-up and "
             "imports. Memory: peak RSS of the scoring process minus its RSS once the model is "
             "loaded and its node representations computed. Datasets: cmi-20208 = every "
             "circRNA x miRNA pair (4.11M); mtis-9214 = every miRNA x mRNA pair (2.64M, no mRNA "
             "sequences offline: GRMMI scores with its graph branch and miRNA features); cerna = "
             "every circRNA x miRNA pair of the joint graph (5.88M); synthetic-20208 = a "
             "synthetic graph with cmi-20208's node counts and sequences on both sides (~950-nt "
             "circRNAs), for SeedMatch; mitar-sites = miTAR's combined set as a graph of distinct "
             "miRNAs x distinct 40-nt target sites (the pairs miTAR is built to score). miTAR "
             "scores each pair with a CNN + BiLSTM over the concatenated pair sequence (no "
             "per-node part to reuse): it is fitted for one epoch (ranking cost does not depend "
             "on training) and timed on the pairs of its first sources only.")
    if args.no_docs:
        log.print()
    else:
        log.write()   # prints, then replaces the "rank" section of docs/benchmarks.md


if __name__ == "__main__":
    main()
