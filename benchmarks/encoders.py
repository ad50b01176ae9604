"""Graph encoders: rnagraph's GraRep and Role2Vec vs karateclub's, time and peak memory. Each
run is a fresh child process (its own peak RSS), killed after ``--timeout`` s; karateclub only
up to ``--karate-max-nodes`` nodes.

    python benchmarks/encoders.py --random 3000 --datasets cmi-9589      # quick
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import _harness as h
import numpy as np

#: random graphs: nodes -> edges
RANDOM = {3000: 30000, 30000: 150000, 100000: 500000}
FILES = {"cmi-9589": "9589pair.csv", "cmi-20208": "20208.csv"}


def real_graph(root: Path, name: str) -> tuple[np.ndarray, int] | None:
    """Bipartite miRNA-circRNA pairs (no header, miRNA,circRNA) stacked onto one node set."""
    if not (path := root / name / FILES[name]).exists():
        return None
    import pandas as pd
    df = pd.read_csv(path, header=None, names=["mirna", "circ"]).drop_duplicates()
    (mi, m), (ci, c) = (np.unique(df[k], return_inverse=True) for k in ("mirna", "circ"))
    return np.stack([m, c + len(mi)]), len(mi) + len(ci)


def _child(method: str, ei: np.ndarray, n: int, params: dict):
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
    with h.timer() as t:
        z = fit()
    return t["s"], h.peak_rss_mib(), f"{z.shape[0]}x{z.shape[1]}"


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, datasets=list(FILES))
    ap.add_argument("--random", type=int, nargs="*", default=list(RANDOM), choices=list(RANDOM),
                    help="random graphs by node count")
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds per run")
    ap.add_argument("--karate-max-nodes", type=int, default=3500)
    args = h.parse(ap, argv)
    graphs = [(f"random {n // 1000}k / {m // 1000}k edges",
               np.random.default_rng(args.seed).integers(0, n, (2, m)), n)
              for n, m in RANDOM.items() if n in args.random]
    root = Path(args.root or os.environ.get("RNAGRAPH_DATA", "."))
    graphs += [(f"{name} (bipartite)", *g) for name in args.datasets
               if (g := real_graph(root, name)) is not None]
    walks = dict(walk_number=10, walk_length=40, window_size=2, epochs=1, workers=1)
    log = h.log(args, "encoders: GraRep and Role2Vec vs karateclub",
                ["graph", "method", "settings", "fit time (s)", "peak RSS (MiB)", "output"])
    for gname, ei, n in graphs:
        sparse = {"max_nnz_per_row": 64} if n > 5000 else {}
        runs = [("rnagraph GraRep", dict(dim=32, order=4, **sparse),
                 "max_nnz_per_row=64" if sparse else "exact")]
        runs += [("rnagraph Role2Vec", dict(dim=128, **walks), "10 walks x 40, WL")] \
            if n <= 30000 else []
        if n <= args.karate_max_nodes:
            runs += [("karateclub GraRep", dict(dimensions=32, order=4), "default"),
                     ("karateclub Role2Vec", dict(dimensions=128, **walks), "10 walks x 40, WL")]
        for method, params, note in runs:
            r = h.in_child(_child, method, ei, n, params, timeout=args.timeout)
            secs, rss, out = ("-", "-", r) if isinstance(r, str) else r
            log.add(gname, method, note, secs, rss, out)
            print(f"{gname:28s} {method:22s} {out} {secs}", flush=True)
    log.note("Same settings on both sides; fit time excludes imports and building "
             "karateclub's networkx graph; peak RSS includes the imports (~250-450 MiB). "
             f"karateclub skipped above {args.karate_max_nodes} nodes, rnagraph Role2Vec above "
             "30k. Shared machine: times are upper bounds.")
    h.publish(args, log)


if __name__ == "__main__":
    main()
