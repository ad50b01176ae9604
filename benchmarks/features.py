"""Cost of rnagraph's sequence featurizers: time and peak memory on real sequence sets (the
cmi-20208 miRNAs and pairs, miTAR's miRNAs and sites) and synthetic sets of growing size;
rnagraph's Levenshtein against one direct rapidfuzz call, and the disk-cache hit time.

    python benchmarks/features.py --sizes 50 100 --mean-len 300 --max-real 300   # ~1 min
"""
from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

import _harness as h
import numpy as np

from rnagraph.datasets.synthetic import random_sequences as synthetic
from rnagraph.evaluate.cost import interleaved
from rnagraph.features import (
    CTD,
    Doc2VecEmbedding,
    InteractionProfileSimilarity,
    KmerEmbedding,
    KmerFrequency,
    LevenshteinSimilarity,
    similarity_graph,
)


def real_sets(root: Path, cap: int | None) -> dict[str, list[str]]:
    import pandas as pd
    sets: dict = {}
    if (mir := root / "cmi-20208" / "miRNA.csv").exists():
        sets["cmi-20208 miRNAs"] = pd.read_csv(mir, header=None)[1].str.upper().tolist()
    if (mt := root / "mitar-mirna-mrna" / "data_DeepMirTar_miRAW_noRepeats_3folds.txt").exists():
        df = pd.read_csv(mt, sep="\t", header=None)
        sets["miTAR miRNAs"] = df[1].str.upper().str[::-1].drop_duplicates().tolist()
        sets["miTAR target sites"] = (df[3].str.upper().str.replace("T", "U")
                                      .drop_duplicates().tolist())
    return {k: v[:cap] for k, v in sets.items()}


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000],
                    help="synthetic set sizes")
    ap.add_argument("--mean-len", type=int, default=1500, help="synthetic mean length")
    ap.add_argument("--gensim-max-n", type=int, default=500,
                    help="largest synthetic n for Doc2Vec / KmerEmbedding")
    ap.add_argument("--lev-max-n", type=int, default=5000,
                    help="cap on a real set's size for the n x n Levenshtein matrix")
    ap.add_argument("--max-real", type=int, default=None, help="cap on every real set's size")
    ap.add_argument("--reps", type=int, default=3, help="interleaved repeats of the overhead test")
    ap.add_argument("--only", choices=["all", "cost", "overhead"], default="all")
    args = h.parse(ap, argv)
    load0 = os.getloadavg()[0]
    log = h.log(args, "features: featurizer cost",
                ["set", "n", "mean len", "featurizer", "out dims", "time (s)", "peak MiB"])

    def run_all(name, seqs, per_seq=True, gensim_ok=True, lev_ok=True):
        n, mlen, seed = len(seqs), f"{np.mean([len(s) for s in seqs]):.0f}", args.seed
        cases = [("KmerFrequency(1-4)", lambda: KmerFrequency().fit_transform(seqs)),
                 ("CTD", lambda: CTD().fit_transform(seqs))] if per_seq else []
        cases += [("Doc2VecEmbedding(k=3, dim=128)",
                   lambda: Doc2VecEmbedding(seed=seed).fit_transform(seqs)),
                  ("KmerEmbedding(fasttext, k=6, dim=64)",
                   lambda: KmerEmbedding(seed=seed).fit(seqs).get_embedding())] if gensim_ok else []
        for label, fn in cases:
            out, s, mib = h.measure(fn)
            log.add(name, n, mlen, label, out.shape[1], s, mib)
        if lev_ok:
            lev = LevenshteinSimilarity(cache=False, progress=False)
            sim, s, mib = h.measure(lambda: lev.fit_transform(seqs))
            log.add(name, n, mlen, "LevenshteinSimilarity", sim.shape[1], s, mib)
            (ei, _), s, mib = h.measure(lambda: similarity_graph(sim, knn=10,
                                                                 metric="precomputed"))
            log.add(name, n, mlen, f"similarity_graph(knn=10): {ei.shape[1]} edges", "-", s, mib)
        print(f"done: {name} n={n}", flush=True)

    root = Path(args.root or os.environ.get("RNAGRAPH_DATA", "."))
    if args.only != "overhead":
        # gensim up to 400k nt, else on the subset; the n x n matrix on <= --lev-max-n seqs
        sets = real_sets(root, args.max_real)
        if not sets:
            log.note(f"Real data not found under {root}: real rows skipped.")
        for name, seqs in sets.items():
            small, fits = sum(map(len, seqs)) <= 400_000, len(seqs) <= args.lev_max_n
            run_all(name, seqs, gensim_ok=small, lev_ok=fits)
            if not fits:
                run_all(f"{name} (first {args.lev_max_n})", seqs[:args.lev_max_n],
                        per_seq=False, gensim_ok=not small)
        if (pairs := root / "cmi-20208" / "20208.csv").exists():     # GIP on the real pairs
            import pandas as pd
            df = pd.read_csv(pairs, header=None, names=["mir", "circ"])
            (ci, ce), (mi, me) = (np.unique(df[c], return_inverse=True) for c in ("circ", "mir"))
            for side, label in (("src", "circRNAs"), ("dst", "miRNAs")):
                gip = InteractionProfileSimilarity(side=side)
                K, s, mib = h.measure(lambda g=gip: g.fit_transform((np.stack([ce, me]),
                                                                     len(ci), len(mi))))
                log.add(f"cmi-20208 pairs ({label})", K.shape[0], "-",
                        "InteractionProfileSimilarity", K.shape[1], s, mib)
        for n in args.sizes:
            run_all("synthetic", synthetic(n, args.mean_len, args.seed + n),
                    gensim_ok=n <= args.gensim_max_n)
        log.note("peak MiB: rise of the resident set above its level before the call. "
                 "Doc2Vec / KmerEmbedding: workers=1, default epochs, on synthetic n <= "
                 f"{args.gensim_max_n} and real sets up to 400k nt. Load average at start "
                 f"{load0:.1f} on {os.cpu_count()} cores.")
        h.publish(args, log)
    if args.only != "cost":
        overhead(args, load0)


def overhead(args, load0: float) -> None:
    """rnagraph's Levenshtein (blocked + progress bar) vs one direct rapidfuzz call,
    interleaved, and the disk cache."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist
    n_ov = args.sizes[1] if len(args.sizes) > 1 else args.sizes[0]
    seqs = synthetic(n_ov, args.mean_len, args.seed + 10_000)
    times, out = interleaved({"direct": lambda: cdist(
        seqs, seqs, scorer=Levenshtein.normalized_similarity, workers=-1, dtype=np.float32),
        "ours": lambda: LevenshteinSimilarity(cache=False, progress=True).fit_transform(seqs)},
        args.reps)
    (direct_t, ours_t), (ref, ours) = times.values(), out.values()
    if not np.array_equal(ours, ref):
        raise RuntimeError("rnagraph Levenshtein differs from the direct rapidfuzz call")
    ov = h.log(args, "features: Levenshtein overhead and cache",
               ["n", "mean len", "what", "time (s)", "ratio vs direct"])
    ov.add(n_ov, args.mean_len, f"direct rapidfuzz cdist (min of {args.reps})", min(direct_t), "1")
    ov.add(n_ov, args.mean_len, f"LevenshteinSimilarity, blocked + bar (min of {args.reps})",
           min(ours_t), f"{min(ours_t) / min(direct_t):.3f} (median "
           f"{statistics.median(ours_t) / statistics.median(direct_t):.3f})")
    with tempfile.TemporaryDirectory(prefix="rnagraph-bench-cache-") as cache:
        for what in ("cache miss (compute + atomic write)", "cache hit (hash + load)"):
            lev = LevenshteinSimilarity(cache=True, cache_dir=cache, progress=False)
            with h.timer() as t:
                hit = lev.fit_transform(seqs)
            ov.add(n_ov, args.mean_len, what, t["s"], "-")
    assert lev.from_cache_ and np.array_equal(hit, ref)
    ov.note(f"Interleaved repeats; identical output checked. Load average {load0:.1f} at the "
            f"start, {os.getloadavg()[0]:.1f} at the end (shared machine: ratios hold better "
            "than times).")
    h.publish(args, ov)


if __name__ == "__main__":
    main()
