"""All-pair ranking speed and scoring memory of the models (issues 14 and 32).
Goals: >= 2M pairs/s on 2 cores; <= 1 GB above the loaded model whatever the graph size. Each
model is fitted on every known pair of its dataset and saved; a fresh process keeps the top K of
all unknown pairs; ``rnagraph rank`` runs end to end. ``--memory``: models with sequences on both
sides, two graph sizes. ``python benchmarks/rank.py [--models ... NAME@DATA] [--memory]``"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import _harness as h
from _log import ROOT, timer

CM, MM = ("circrna", "binds", "mirna"), ("mirna", "targets", "mrna")
#: where a model ranks (else cmi-20208's circRNA x miRNA); NAME@DATA: on DATA's miRNA x mRNA
DATA = {"grmmi": ("mtis-9214", MM), "joint": ("cerna", CM), "joint-single": ("cerna", CM),
        "seedmatch": ("synthetic-20208", CM), "mitar": ("mitar-sites", MM)}
SYNTHETIC = {"synthetic": {}, "synthetic-x4": {"num_mrna": 1200}}  # x4: 4x the miRNA-mRNA pairs
SYNTHETIC_20208 = {"num_mirna": 1152, "num_mrna": 0, "num_circrna": 3569}  # cmi-20208's sizes
#: the fewest epochs that give a real model (scoring cost does not depend on training)
FIT_KW = {"mitar": {"epochs": 1}, **dict.fromkeys(("grmmi", "grmmi-seq-tuned-site-count-head"),
                                                   {"epochs": 1, "embedding_epochs": 1})}
SAMPLE_ROWS = {"mitar": 4}  # too slow for every pair: the first sources only
CAP_MIB = 4096  # scoring may grow the address space this much (a shared machine), no more
ALL = ("degree", "degree+1", "svd", "l3", "ra3", "katz", "sage", "struct", "mferl", "mferl-pair",
       "grmmi", "joint", "joint-single", "seedmatch", "mitar")
#: the models reading sequences on both sides (GRMMI: both branches; the README's pick)
MEMORY = [f"{m}@{d}" for m in ("seedmatch", "prior+seed", "duplex", "duplex-boost", "mitar",
                               "grmmi", "grmmi-seq-tuned-site-count-head") for d in SYNTHETIC]


def worker(model_path: str, top: int, threads: int, rows: int = 0) -> dict:
    """Top-K of the loaded model (``rows``: first sources): pairs (None: over CAP_MIB), s, MiB."""
    import torch

    from rnagraph.evaluate import top_candidates
    from rnagraph.models import load
    torch.set_num_threads(threads)
    m = load(model_path)
    m.encoded(None)  # node representations once (part of loading a model, not of scoring)
    vm = next(int(ln.split()[1]) for ln in Path("/proc/self/status").read_text().splitlines()
              if ln.startswith("VmSize:")) * 1024 + CAP_MIB * 2**20
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]   # RLIM_INFINITY: -1
    resource.setrlimit(resource.RLIMIT_AS, (vm if hard < 0 else min(vm, hard), hard))
    try:
        cand, seconds, above = h.measure(
            lambda: top_candidates(m, top, src=list(range(rows)) if rows else None))
    except (MemoryError, RuntimeError) as exc:   # torch: "... can't allocate memory ..."
        if not isinstance(exc, MemoryError) and "allocate" not in str(exc):
            raise
        return {"scored": None, "seconds": 0.0, "above": f"> {CAP_MIB} (cap)"}
    return {"scored": cand.num_scored, "seconds": seconds, "above": above}


def where(name: str) -> tuple[str, tuple[str, str, str]]:
    return (name.split("@")[1], MM) if "@" in name else DATA.get(name, ("cmi-20208", CM))


def load_data(key: str, root: str | None):
    if key != "mitar-sites":
        kw = SYNTHETIC_20208 if key == "synthetic-20208" else SYNTHETIC.get(key, {})
        return h.graph("synthetic" if key.startswith("synthetic") else key, root, **kw)
    from rnagraph.data import build_graph  # miTAR's combined set: miRNAs x 40-nt sites
    from rnagraph.datasets.mitar import load_site_pairs
    sp = load_site_pairs("combined", root)
    mi, tg = ({s: f"{p}{i}" for i, s in enumerate(dict.fromkeys(seqs))}
              for p, seqs in (("mi", sp.mirna_seq), ("t", sp.target_seq)))
    return build_graph({"mirna": {v: k for k, v in mi.items()}, "mrna": {v: k for k, v in
                        tg.items()}}, {MM: [(mi[a], tg[b]) for a, b, y in zip(
                            sp.mirna_seq, sp.target_seq, sp.label) if y]})


def fit_and_save(name: str, out: Path, args) -> str | None:
    """``name`` fitted on all known pairs of its dataset, saved (a file there is reused)."""
    from rnagraph.data import Fold
    from rnagraph.models import LinkModel, get_model
    if not out.exists():
        m = get_model(name.split("@")[0], **FIT_KW.get(name.split("@")[0], {}))
        if not isinstance(m, LinkModel):
            return None
        key, et = where(name)
        m.fit(Fold.full(load_data(key, args.root), et, seed=args.seed)).save(out)
    return str(out)


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, threads=2, models=ALL)
    ap.add_argument("--out", "--models-dir", default=None, help="keep (reuse) the model files")
    ap.add_argument("--top", type=int, default=100)
    ap.add_argument("--fit-only", action="store_true", help="fit and save, time nothing")
    ap.add_argument("--memory", action="store_true", help="scoring memory (default: MEMORY)")
    args = h.parse(ap, argv)
    args.models = MEMORY if args.memory and args.models == list(ALL) else args.models
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    log = h.log(args, "rank: " + ("scoring memory, sequences on both sides" if args.memory else
                                  "all-pair ranking, every model"),
                ["model", "dataset", "pairs scored", "scoring s", "pairs/s", ">= 2M pairs/s",
                 "end-to-end s", "MiB above loaded model", "<= 1024 MiB above model"],
                section="rank-memory" if args.memory else "rank")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.out or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in args.models:
            with timer() as tf:
                path = fit_and_save(name, folder / f"{name}.rg", args)
            print(f"{name}: model ready in {tf['s']:.0f} s", flush=True)
            if path is None or args.fit_only:
                log.notes += [] if path else [f"{name}: skipped (no model file)"]
                continue
            rows = SAMPLE_ROWS.get(name.split("@")[0], 0)
            w = h.in_child(worker, path, args.top, args.threads, rows, start="spawn")
            if isinstance(w, str):
                raise RuntimeError(f"{name}: ranking {w}")
            with timer() as t:
                if not (rows or args.memory):
                    subprocess.run([sys.executable, "-c", "from rnagraph.cli import main; main()",
                                    "rank", "--model", path, "--top", str(args.top), "--out",
                                    f"{tmp}/{name}.csv"], check=True, capture_output=True,
                                   env={**env, "OMP_NUM_THREADS": str(args.threads)})
            n, above = w["scored"], w["above"]
            rate = n / w["seconds"] if n else 0.0
            log.add(name.split("@")[0], where(name)[0], ("–" if n is None else f"{n:,}") + (
                f" (first {rows} sources)" if rows else ""), f"{w['seconds']:.2f}" if n else "–",
                f"{rate:,.0f}" if n else "–", "yes" if rate >= 2e6 else "no",
                "–" if rows or args.memory else f"{t['s']:.1f}", above,
                "yes" if n is not None and float(above.rstrip("*")) <= 1024 else "no")
            print(log.rows[-1], flush=True)
    log.note(f"Load average {os.getloadavg()[0]:.1f} at the end, {os.cpu_count()} cores; "
             f"top-{args.top} kept per block; {args.threads} torch threads; end to end includes "
             "Python start-up. Memory: peak RSS while scoring minus the RSS of the loaded model "
             "and its node representations (* = the process's peak: no reset). Pairs: " + (
                 "synthetic miRNA x mRNA (60 x 300, 400-1200-nt targets); synthetic-x4: 1,200 "
                 "mRNAs (4x the pairs)" if args.memory else "cmi-20208, cerna: circRNA x miRNA; "
                 "mtis-9214: miRNA x mRNA (GRMMI's graph branch); synthetic-20208: cmi-20208's "
                 "sizes with sequences; mitar-sites: miRNAs x miTAR's 40-nt sites") + "; MiTAR "
             "one epoch, first sources only (GRMMI also one epoch in --memory).")
    if not args.fit_only:
        h.publish(args, log)


if __name__ == "__main__":
    main()
