"""How much signal the synthetic default carries on each side: training-free SeedMatch (sequence)
vs degree product and truncated SVD (graph), k-fold warm 1:1 leakage-free, per edge type.

    python benchmarks/synthetic_signal.py [--seeds 0 1 2] [--folds 5]
"""
from __future__ import annotations

import warnings

import _harness as h

from rnagraph.data import kfold_link_split
from rnagraph.evaluate import compare_models
from rnagraph.models import DegreeProduct, SeedMatch, TruncatedSVDLink
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, folds=5, jobs=1)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0], help="data (and split) seeds")
    args = h.parse(ap, argv)
    warnings.filterwarnings("ignore")
    log = h.log(args, "synthetic signal: test AUC, warm 1:1 leakage-free",
                ["data seed", "edge type", "SeedMatch", "degree product", "SVD-16"], results=True)
    for seed in args.seeds:
        data = h.graph("synthetic", None, seed=seed)
        for et in (CIRC_MIRNA, MIRNA_MRNA):
            folds = kfold_link_split(data, et, k=args.folds, seed=seed)
            res = compare_models({"seed": SeedMatch(), "deg": DegreeProduct(),
                                  "svd": TruncatedSVDLink(dim=16)}, data, et, folds,
                                 progress=False, curves=False, n_jobs=args.jobs)
            log.add(seed, f"{et[0]}-{et[2]}", *(r.summary("auc", 3) for r in res.values()))
    h.publish(args, log)


if __name__ == "__main__":
    main()
