"""StructLink's ranking settings on validation pairs only (how its ``rank_*`` defaults were
chosen; test pairs are never read): per fold, the validation AUC and the filtered ranking of
the validation positives (``per="positive"``, ties ``"mean"``); one line per fold and a mean.

    python benchmarks/struct_rank_val.py --fold-ids 0 1 --settings '{"rank_weight": 0}' '{}'
    python benchmarks/struct_rank_val.py --settings '{"model": "ra3"}'   # a baseline
"""
from __future__ import annotations

import json

import _harness as h
import numpy as np

from rnagraph.data import kfold_link_split
from rnagraph.evaluate.ranking import fold_link_ranking
from rnagraph.evaluate.tune import blind_fold, validation_view
from rnagraph.train import binary_metrics


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, datasets=["cmi-9589"], folds=5)
    ap.add_argument("--fold-ids", type=int, nargs="*", default=[0, 1], help="folds evaluated")
    ap.add_argument("--negatives", default="uniform", help="validation negatives")
    ap.add_argument("--settings", nargs="*", default=["{}"],
                    help="JSON keyword dicts of StructLink (or {'model': name, ...})")
    args = h.parse(ap, argv)
    for name, g in h.graphs(args.datasets, args.root):
        et = h.edge_types(g)[0]
        folds = kfold_link_split(g, et, k=args.folds, neg_ratio=1, mode="warm", seed=args.seed,
                                 negatives=args.negatives)
        for text in args.settings:
            kw = json.loads(text)
            key = kw.pop("model", "struct")
            rows = []
            for i in args.fold_ids:
                f = blind_fold(folds[i])
                m = h.model(key, args.seed, **kw)
                m.fit(f)
                row = {"auc": binary_metrics(f.val.edge_label,
                                             m.score(None, f.val.edge_label_index))["auc"]}
                r = fold_link_ranking(m, validation_view(f), ks=(50,))
                row |= {k: r[k] for k in ("mrr_src", "hits@50_src", "mrr_dst", "hits@50_dst")}
                rows.append(row)
                print(name, key, kw, f"fold {i}", {k: round(v, 4) for k, v in row.items()},
                      flush=True)
            print("MEAN", name, key, kw, {k: round(float(np.mean([r[k] for r in rows])), 4)
                                          for k in rows[0]}, flush=True)


if __name__ == "__main__":
    main()
