"""How much signal the synthetic default carries on each side: training-free SeedMatch (sequence)
vs degree product and truncated SVD (graph), 5-fold warm 1:1 leakage-free, per edge type.

    python benchmarks/synthetic_signal.py [--seeds 0 1 2] [--folds 5]
"""
from __future__ import annotations

import argparse
import warnings

from _log import BenchmarkLog

from rnagraph.data import kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.evaluate import compare_models
from rnagraph.models import DegreeProduct, SeedMatch, TruncatedSVDLink
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    log = BenchmarkLog("synthetic signal: test AUC, warm 1:1 leakage-free",
                       ["data seed", "edge type", "SeedMatch", "degree product", "SVD-16"])
    for seed in args.seeds:
        data = synthetic(seed=seed)
        for et in (CIRC_MIRNA, MIRNA_MRNA):
            folds = kfold_link_split(data, et, k=args.folds, seed=seed)
            res = compare_models({"seed": SeedMatch(), "deg": DegreeProduct(),
                                  "svd": TruncatedSVDLink(dim=16)}, data, et, folds,
                                 progress=False, curves=False)
            log.add(seed, f"{et[0]}-{et[2]}", *(r.summary("auc", 3) for r in res.values()))
    log.write()


if __name__ == "__main__":
    main()
