"""Cost of rnagraph's sequence featurizers: time and peak memory on real sequence sets and on
synthetic sets of growing size; Levenshtein through rnagraph (blocked, progress bar) against one
direct rapidfuzz call in the same run, and the disk-cache hit time.

    python benchmarks/features.py            # full run (~10 min on 2 cores)
    python benchmarks/features.py --quick    # small sizes, ~1 min

Real data (read directly with pandas; the dataset loaders are separate): the cmi-20208 miRNAs
(and its interaction pairs, for the GIP kernel) and the miTAR DeepMirTar+miRAW site pairs
(miRNAs stored 3'->5' are reversed; target sites mix T/U, read as U).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _log import BenchmarkLog, peak_rss_mib, timer  # noqa: E402

from rnagraph.features import (  # noqa: E402
    CTD,
    Doc2VecEmbedding,
    InteractionProfileSimilarity,
    KmerEmbedding,
    KmerFrequency,
    LevenshteinSimilarity,
    similarity_graph,
)


# ----------------------------------------------------------------------------- measuring
def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1])
    raise OSError(field)


def measure(fn):
    """Run ``fn()``; return (result, seconds, peak MiB above the RSS at the start).

    The peak is Linux's VmHWM after resetting it (``/proc/self/clear_refs``); where that is
    unavailable, the process-wide peak RSS is reported instead (marked with ``*``)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        base = _rss_kib("VmRSS:")
        with timer() as t:
            out = fn()
        return out, t["s"], f"{(_rss_kib('VmHWM:') - base) / 1024:.0f}"
    except OSError:
        with timer() as t:
            out = fn()
        return out, t["s"], f"{peak_rss_mib():.0f}*"


# ----------------------------------------------------------------------------- data
def synthetic(n: int, mean_len: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    lens = rng.integers(mean_len // 3 * 2, mean_len // 3 * 4 + 1, size=n)
    return ["".join(rng.choice(list("ACGU"), size=int(L))) for L in lens]


def real_sets(root: Path, quick: bool) -> dict:
    import pandas as pd
    sets: dict = {}
    mir = root / "cmi-20208" / "miRNA.csv"
    if mir.exists():
        df = pd.read_csv(mir, header=None, names=["id", "seq"])
        sets["cmi-20208 miRNAs"] = df["seq"].str.upper().tolist()
    mitar = root / "mitar-mirna-mrna" / "data_DeepMirTar_miRAW_noRepeats_3folds.txt"
    if mitar.exists():
        cols = ["mir", "mir_seq", "gene", "site", "y"]
        df = pd.read_csv(mitar, sep="\t", header=None, names=cols)
        mirs = df["mir_seq"].str.upper().str[::-1].drop_duplicates().tolist()  # 3'->5' -> 5'->3'
        sites = df["site"].str.upper().str.replace("T", "U").drop_duplicates().tolist()
        sets["miTAR miRNAs"] = mirs
        sets["miTAR target sites"] = sites
    if quick:
        sets = {k: v[:300] for k, v in sets.items()}
    return sets


# ----------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (~1 min)")
    ap.add_argument("--sizes", type=int, nargs="+", help="synthetic set sizes "
                    "(default 250 500 1000; quick: 50 100)")
    ap.add_argument("--mean-len", type=int, default=None, help="synthetic mean length "
                    "(default 1500; quick: 300)")
    ap.add_argument("--gensim-max-n", type=int, default=None,
                    help="largest synthetic n for Doc2Vec / KmerEmbedding (default 500)")
    ap.add_argument("--lev-max-n", type=int, default=5000,
                    help="cap on a real set's size for the n x n Levenshtein matrix")
    ap.add_argument("--reps", type=int, default=3, help="interleaved repeats of the overhead test")
    ap.add_argument("--data", default=os.environ.get("RNAGRAPH_DATA",
                                                     str(Path(__file__).resolve().parents[2]
                                                         / "shared" / "data")))
    ap.add_argument("--only", choices=["all", "cost", "overhead"], default="all",
                    help="run only the cost tables or only the Levenshtein overhead/cache test")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="Markdown file whose section to replace "
                    "(default docs/benchmarks.md)")
    args = ap.parse_args()
    sizes = args.sizes or ([50, 100] if args.quick else [250, 500, 1000])
    mean_len = args.mean_len or (300 if args.quick else 1500)
    gensim_max = args.gensim_max_n or (100 if args.quick else 500)
    cache_root = Path(tempfile.mkdtemp(prefix="rnagraph-bench-cache-"))
    load0 = os.getloadavg()[0]

    log = BenchmarkLog("features: featurizer cost",
                       ["set", "n", "mean len", "featurizer", "out dims", "time (s)",
                        "peak MiB"], path=args.out)

    def run_all(name, seqs, per_seq=True, gensim_ok=True, lev_ok=True):
        n, mlen = len(seqs), f"{np.mean([len(s) for s in seqs]):.0f}"
        cases = []
        if per_seq:
            cases += [("KmerFrequency(1-4)", lambda: KmerFrequency().fit_transform(seqs)),
                      ("CTD", lambda: CTD().fit_transform(seqs))]
        if gensim_ok:
            cases += [("Doc2VecEmbedding(k=3, dim=128)",
                       lambda: Doc2VecEmbedding(seed=args.seed).fit_transform(seqs)),
                      ("KmerEmbedding(fasttext, k=6, dim=64)",
                       lambda: KmerEmbedding(seed=args.seed).fit(seqs).get_embedding())]
        for label, fn in cases:
            out, s, mib = measure(fn)
            log.add(name, n, mlen, label, out.shape[1], s, mib)
        if lev_ok:
            lev = LevenshteinSimilarity(cache=False, progress=False)
            sim, s, mib = measure(lambda: lev.fit_transform(seqs))
            log.add(name, n, mlen, "LevenshteinSimilarity", sim.shape[1], s, mib)
            (ei, _), s, mib = measure(lambda: similarity_graph(sim, knn=10,
                                                               metric="precomputed"))
            log.add(name, n, mlen, f"similarity_graph(knn=10): {ei.shape[1]} edges", "-", s,
                    mib)
        print(f"done: {name} n={n}", flush=True)

    if args.only == "overhead":
        sets, sizes_cost = {}, []
    else:
        sets, sizes_cost = None, sizes
    # real sequence sets: per-sequence featurizers on all of a set; gensim where the set's
    # total length is <= 400k nt (else on the Levenshtein subset); the n x n matrix on at most
    # --lev-max-n sequences (25,718 target sites would need a 2.6 GB matrix)
    root = Path(args.data)
    if sets is None:
        sets = real_sets(root, args.quick) if root.is_dir() else {}
    if not sets and args.only != "overhead":
        log.note(f"Real data not found under {root}: real rows skipped.")
    for name, seqs in sets.items():
        small = sum(map(len, seqs)) <= 400_000
        fits = len(seqs) <= args.lev_max_n
        run_all(name, seqs, gensim_ok=small, lev_ok=fits)
        if not fits:
            run_all(f"{name} (first {args.lev_max_n})", seqs[:args.lev_max_n], per_seq=False,
                    gensim_ok=not small)

    # GIP on the real cmi-20208 interaction graph
    pairs = root / "cmi-20208" / "20208.csv"
    if pairs.exists() and args.only != "overhead":
        import pandas as pd
        df = pd.read_csv(pairs, header=None, names=["mir", "circ"])
        ci, ce = np.unique(df["circ"], return_inverse=True)
        mi, me = np.unique(df["mir"], return_inverse=True)
        ei = np.stack([ce, me])
        for side, label in (("src", "circRNAs"), ("dst", "miRNAs")):
            gip = InteractionProfileSimilarity(side=side)
            K, s, mib = measure(lambda g=gip: g.fit_transform((ei, len(ci), len(mi))))
            log.add(f"cmi-20208 pairs ({label})", K.shape[0], "-",
                    "InteractionProfileSimilarity", K.shape[1], s, mib)

    # synthetic sets of growing size
    for n in sizes_cost:
        seqs = synthetic(n, mean_len, args.seed + n)
        run_all("synthetic", seqs, gensim_ok=n <= gensim_max, lev_ok=True)

    if args.only == "cost":
        log.write()
        return
    # Levenshtein: rnagraph (blocked + progress bar) vs one direct rapidfuzz call, interleaved
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist
    n_ov = sizes[1] if len(sizes) > 1 else sizes[0]
    seqs = synthetic(n_ov, mean_len, args.seed + 10_000)
    direct_t, ours_t = [], []
    for _ in range(args.reps):
        with timer() as t:
            ref = cdist(seqs, seqs, scorer=Levenshtein.normalized_similarity, workers=-1,
                        dtype=np.float32)
        direct_t.append(t["s"])
        lev = LevenshteinSimilarity(cache=False, progress=True)
        with timer() as t:
            ours = lev.fit_transform(seqs)
        ours_t.append(t["s"])
        if not np.array_equal(ours, ref):
            raise RuntimeError("rnagraph Levenshtein differs from the direct rapidfuzz call")
    ratio_min = min(ours_t) / min(direct_t)
    ratio_med = statistics.median(ours_t) / statistics.median(direct_t)
    ov = BenchmarkLog("features: Levenshtein overhead and cache",
                      ["n", "mean len", "what", "time (s)", "ratio vs direct"], path=args.out)
    ov.add(n_ov, mean_len, f"direct rapidfuzz cdist (min of {args.reps})", min(direct_t), "1")
    ov.add(n_ov, mean_len, f"LevenshteinSimilarity, blocked + bar (min of {args.reps})",
           min(ours_t), f"{ratio_min:.3f} (median {ratio_med:.3f})")
    lev = LevenshteinSimilarity(cache=True, cache_dir=cache_root, progress=False)
    with timer() as t:
        lev.fit_transform(seqs)
    ov.add(n_ov, mean_len, "cache miss (compute + atomic write)", t["s"], "-")
    lev = LevenshteinSimilarity(cache=True, cache_dir=cache_root, progress=False)
    with timer() as t:
        hit = lev.fit_transform(seqs)
    assert lev.from_cache_ and np.array_equal(hit, ref)
    ov.add(n_ov, mean_len, "cache hit (hash + load)", t["s"], "-")
    ov.note(f"Overhead: interleaved repeats; block size max(32, ceil(n/16)); identical output "
            f"checked. Load average at start {load0:.1f}, at end {os.getloadavg()[0]:.1f} "
            "(other jobs shared the 2 cores: absolute times are inflated, ratios less so).")

    log.note("peak MiB = rise of the resident set above its level before the call "
             "(VmHWM reset via /proc/self/clear_refs). Doc2Vec/KmerEmbedding use workers=1 "
             "and default hyper-parameters (20 / 5 epochs); their cost is linear in total "
             f"sequence length, run on synthetic n <= {gensim_max} and real sets up to 400k nt. "
             f"Load average at start {load0:.1f} on 2 cores (shared with other jobs).")
    if args.only == "all":
        log.write()
    ov.write()
    import shutil
    shutil.rmtree(cache_root, ignore_errors=True)


if __name__ == "__main__":
    main()
