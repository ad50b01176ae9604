"""Graph encoders: rnagraph's GraRep and Role2Vec vs karateclub's, time and peak memory.

Every (method, graph) pair runs in a fresh child process so that its peak RSS is its own; a
child that exceeds ``--timeout`` seconds is killed and reported as such. karateclub (GPL-3,
installed with ``--no-deps``) is only run up to ``--karate-max-nodes`` nodes: beyond that its
dense / Python-loop paths need far more than the budget.

    python benchmarks/encoders.py --quick      # 3k random graph + cmi-9589
    python benchmarks/encoders.py              # 3k, 30k, 100k random + real graphs
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._log import BenchmarkLog, peak_rss_mib, timer  # noqa: E402


def random_graph(n: int, m: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, (2, m))


def real_graph(root: Path, name: str) -> tuple[np.ndarray, int] | None:
    """Bipartite miRNA-circRNA pairs (no header, miRNA,circRNA) stacked onto one node set."""
    files = {"cmi-9589": "9589pair.csv", "cmi-20208": "20208.csv"}
    path = root / name / files[name]
    if not path.exists():
        return None
    import pandas as pd
    df = pd.read_csv(path, header=None, names=["mirna", "circ"]).drop_duplicates()
    mi = {k: i for i, k in enumerate(sorted(df.mirna.unique()))}
    ci = {k: i + len(mi) for i, k in enumerate(sorted(df.circ.unique()))}
    ei = np.stack([df.mirna.map(mi).to_numpy(), df.circ.map(ci).to_numpy()])
    return ei, len(mi) + len(ci)


def _child(method: str, ei: np.ndarray, n: int, params: dict, queue) -> None:
    """Imports and input conversion (karateclub needs a networkx graph) happen before the
    timer; the timer covers ``fit`` and reading the embedding."""
    warnings.filterwarnings("ignore")
    if method.startswith("rnagraph"):
        from rnagraph.nn.encoders import GraRep, Role2Vec
        model = (GraRep if "GraRep" in method else Role2Vec)(**params)
        fit = lambda: model.fit(ei, n).transform().numpy()  # noqa: E731
    else:
        import karateclub as kc
        import networkx as nx
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_edges_from(ei.T.tolist())
        model = kc.GraRep(**params) if "GraRep" in method else kc.Role2Vec(**params)
        fit = lambda: (model.fit(g), np.asarray(model.get_embedding()))[1]  # noqa: E731
    with timer() as t:
        z = fit()
    queue.put((t["s"], peak_rss_mib(), z.shape))


def run(method: str, ei: np.ndarray, n: int, params: dict, timeout: float):
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(method, ei, n, params, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return None, None, f"killed after {timeout:.0f} s"
    if proc.exitcode != 0 or queue.empty():
        return None, None, f"failed (exit {proc.exitcode})"
    secs, rss, shape = queue.get()
    return secs, rss, f"{shape[0]}x{shape[1]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3k random graph and cmi-9589 only")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds per run")
    ap.add_argument("--karate-max-nodes", type=int, default=3500)
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("RNAGRAPH_DATA",
                                                                     "../shared/data")))
    ap.add_argument("--out", type=Path, default=None, help="Markdown file whose section to replace")
    args = ap.parse_args()

    graphs = [("random 3k / 30k edges", random_graph(3000, 30000, args.seed), 3000)]
    if not args.quick:
        graphs += [("random 30k / 150k edges", random_graph(30000, 150000, args.seed), 30000),
                   ("random 100k / 500k edges", random_graph(100000, 500000, args.seed), 100000)]
    for name in (["cmi-9589"] if args.quick else ["cmi-9589", "cmi-20208"]):
        g = real_graph(args.data, name)
        if g is not None:
            graphs.append((f"{name} (bipartite)", g[0], g[1]))

    grarep = dict(dim=32, order=4)
    role = dict(dim=128, walk_number=10, walk_length=40, window_size=2, epochs=1, workers=1)
    k_grarep = dict(dimensions=32, order=4)
    k_role = dict(dimensions=128, walk_number=10, walk_length=40, window_size=2, epochs=1,
                  workers=1)
    log = BenchmarkLog("encoders: GraRep and Role2Vec vs karateclub",
                       ["graph", "method", "settings", "fit time (s)", "peak RSS (MiB)", "output"])
    for gname, ei, n in graphs:
        big = n > 5000
        runs = [("rnagraph GraRep", {**grarep, **({"max_nnz_per_row": 64} if big else {})},
                 "exact" if not big else "max_nnz_per_row=64")]
        if n <= 30000:
            runs.append(("rnagraph Role2Vec", role, "10 walks x 40, WL"))
        if n <= args.karate_max_nodes:
            runs += [("karateclub GraRep", k_grarep, "default"),
                     ("karateclub Role2Vec", k_role, "10 walks x 40, WL")]
        for method, params, note in runs:
            secs, rss, out = run(method, ei, n, params, args.timeout)
            log.add(gname, method, note, secs if secs is not None else "-",
                    rss if rss is not None else "-", out)
            print(f"{gname:28s} {method:22s} {out} {secs}", flush=True)
    log.note("Both sides: dim 32 x order 4 (GraRep), dim 128, 10 walks of 40 nodes, window 2, "
             "1 epoch, gensim workers=1 (Role2Vec); every run in its own process; fit time "
             "excludes imports and building karateclub's networkx graph; peak RSS includes "
             "the imports (~250-450 MiB). karateclub is skipped above "
             f"{args.karate_max_nodes} nodes, and rnagraph Role2Vec above 30k nodes (gensim "
             "training time is linear in the walk tokens). The machine is shared with other "
             "jobs, so times are upper bounds.")
    if args.out is not None:
        log.path = args.out
    log.write()


if __name__ == "__main__":
    main()
