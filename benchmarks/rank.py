"""All-pair ranking speed: each model fitted on every known pair of its dataset (:data:`DATA`)
and saved, then, in a fresh process: top-K scoring of all unknown pairs (pairs/s), peak RSS
above the loaded model, and ``rnagraph rank`` end to end. Goal (issue 14): >= 2M pairs/s on 2
cores and <= 1 GB above the loaded model.

    python benchmarks/rank.py [--models degree svd sage ...] [--top 100] [--threads 2]
    python benchmarks/rank.py --out /tmp/rank-models --fit-only   # keep the fitted models
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import _harness as h
from _log import ROOT, timer

CM, MM = ("circrna", "binds", "mirna"), ("mirna", "targets", "mrna")
#: where each model is ranked (default: cmi-20208's circRNA-miRNA pairs)
DATA = {"grmmi": ("mtis-9214", MM), "joint": ("cerna", CM), "joint-single": ("cerna", CM),
        "seedmatch": ("synthetic-20208", CM), "mitar": ("mitar-sites", MM),
        "grmmi@synthetic": ("synthetic", MM), "grmmi-seq-tuned-pair@synthetic": ("synthetic", MM),
        "mitar@synthetic": ("synthetic", MM)}   # NAME@DATA: registry model NAME on DATA
#: models with sequences on both sides (scoring memory per pair): the synthetic rows put them on
#: 400-1200 nt targets; ranking cost does not depend on training
FIT_KW = {"mitar": {"epochs": 1}, "mitar@synthetic": {"epochs": 1},
          "grmmi@synthetic": {"epochs": 3, "embedding_epochs": 1},
          "grmmi-seq-tuned-pair@synthetic": {"epochs": 1, "embedding_epochs": 1}}
SAMPLE_ROWS = {"mitar": 4, "mitar@synthetic": 4}  # too slow for every pair: these sources only
SEQ_PAIRS = ("grmmi@synthetic", "grmmi-seq-tuned-pair@synthetic", "seedmatch", "mitar",
             "mitar@synthetic")
ALL = ("degree", "degree+1", "svd", "l3", "ra3", "katz", "sage", "struct", "mferl", "mferl-pair",
       "grmmi", "joint", "joint-single", *SEQ_PAIRS)


def worker(model_path: str, top: int, threads: int, rows: int = 0) -> dict:
    """Load the model, time the top-K scoring of every pair (``rows`` > 0: of the first
    ``rows`` source nodes)."""
    import torch

    from rnagraph.evaluate import top_candidates
    from rnagraph.models import load
    torch.set_num_threads(threads)
    m = load(model_path)
    m.encoded(None)  # node representations once (part of loading a model, not of scoring)
    loaded = h.memory_mib()["VmRSS"]
    with timer() as t:
        cand = top_candidates(m, top, src=list(range(rows)) if rows else None)
    return {"scored": cand.num_scored, "seconds": t["s"], "loaded_mib": loaded,
            "peak_mib": h.memory_mib()["VmHWM"]}


def load_data(key: str, root: str | None):
    if key == "synthetic-20208":
        return h.graph("synthetic", root, num_mirna=1152, num_mrna=0, num_circrna=3569)
    if key == "mitar-sites":       # miTAR's combined set: miRNAs x 40-nt target sites
        from rnagraph.data import build_graph
        from rnagraph.datasets.mitar import load_site_pairs
        sp = load_site_pairs("combined", root)
        mi, tg = ({s: f"{p}{i}" for i, s in enumerate(dict.fromkeys(seqs))}
                  for p, seqs in (("mi", sp.mirna_seq), ("t", sp.target_seq)))
        return build_graph({"mirna": {v: k for k, v in mi.items()},
                            "mrna": {v: k for k, v in tg.items()}},
                           {MM: [(mi[a], tg[b]) for a, b, y in
                                 zip(sp.mirna_seq, sp.target_seq, sp.label) if y]})
    return h.graph(key, root)


def fit_and_save(name: str, out: Path, args) -> str | None:
    """Fit ``name`` on all known pairs of its dataset and save it (an existing file is
    reused); ``None`` for a model that cannot be saved."""
    from rnagraph.data import Fold
    from rnagraph.models import LinkModel, get_model
    if not out.exists():
        m = get_model(name.split("@")[0], **FIT_KW.get(name, {}))
        if not isinstance(m, LinkModel):
            return None
        key, et = DATA.get(name, ("cmi-20208", CM))
        m.fit(Fold.full(load_data(key, args.root), et, seed=args.seed)).save(out)
    return str(out)


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, threads=2, models=ALL)
    ap.add_argument("--out", "--models-dir", default=None,
                    help="keep (and reuse) the fitted model files here")
    ap.add_argument("--top", type=int, default=100)
    ap.add_argument("--fit-only", action="store_true", help="fit and save, time nothing")
    args = h.parse(ap, argv)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    log = h.log(args, "rank: all-pair ranking, every model",
                ["model", "dataset", "pairs scored", "scoring s", "pairs/s", "end-to-end s",
                 "MiB above loaded model", "goal met"], section="rank")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.out or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in args.models:
            with timer() as tf:
                path = fit_and_save(name, folder / f"{name}.rg", args)
            print(f"{name}: model ready in {tf['s']:.0f} s", flush=True)
            if path is None:
                log.note(f"{name}: skipped (not on the model contract: no model file)")
            if path is None or args.fit_only:
                continue
            rows = SAMPLE_ROWS.get(name, 0)
            w = h.in_child(worker, path, args.top, args.threads, rows, start="spawn")
            if isinstance(w, str):
                raise RuntimeError(f"{name}: ranking {w}")
            end_to_end = "–"
            if not rows:
                with timer() as t:
                    subprocess.run([sys.executable, "-c", "from rnagraph.cli import main; main()",
                                    "rank", "--model", path, "--top", str(args.top), "--out",
                                    f"{tmp}/{name}.csv"], check=True, capture_output=True,
                                   env={**env, "OMP_NUM_THREADS": str(args.threads)})
                end_to_end = f"{t['s']:.1f}"
            rate, extra = w["scored"] / w["seconds"], max(w["peak_mib"] - w["loaded_mib"], 0.0)
            log.add(name, DATA.get(name, ("cmi-20208",))[0],
                    f"{w['scored']:,}" + (f" (first {rows} sources)" if rows else ""),
                    f"{w['seconds']:.2f}", f"{rate / 1e6:.{3 if rate < 1e5 else 2}f}M",
                    end_to_end, f"{extra:.0f}", "yes" if rate >= 2e6 and extra <= 1024 else "no")
            print(log.rows[-1], flush=True)
    if args.fit_only:
        return
    log.note(f"Load average {os.getloadavg()[0]:.1f} at the end on {os.cpu_count()} cores "
             f"(shared machine); bounded top-{args.top} per block; {args.threads} torch threads; "
             "end to end includes Python start-up. Pairs: cmi-20208 circRNA x miRNA (4.11M); "
             "mtis-9214 miRNA x mRNA (2.64M; GRMMI's graph branch); cerna circRNA x miRNA "
             "(5.88M); synthetic: miRNA x mRNA (18k; GRMMI, its pairing-map preset and MiTAR with "
             "sequences on both sides, 400-1200 nt targets); synthetic-20208: cmi-20208's sizes "
             "with sequences (SeedMatch); "
             "mitar-sites: miTAR's miRNAs x 40-nt sites (one epoch, first sources only).")
    h.publish(args, log)


if __name__ == "__main__":
    main()
