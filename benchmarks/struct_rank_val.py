"""StructLink's ranking settings on validation pairs only (how its ``rank_*`` defaults were
chosen; test pairs are never read): per fold, the validation AUC and the filtered ranking of
the validation positives (``per="positive"``, ties ``"mean"``); one line per fold and a mean.

    python benchmarks/struct_rank_val.py --fold-ids 0 1 --settings '{"rank_weight": 0}' '{}'
    python benchmarks/struct_rank_val.py --settings '{"model": "ra3"}'   # a baseline
"""
from __future__ import annotations

import dataclasses
import json

import _harness as h
import numpy as np
import torch

from rnagraph.data import LinkSet, kfold_link_split
from rnagraph.evaluate.ranking import ranking_metrics
from rnagraph.models import get_model
from rnagraph.train import binary_metrics


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, datasets=["cmi-9589"], folds=5)
    ap.add_argument("--fold-ids", type=int, nargs="*", default=[0, 1], help="folds evaluated")
    ap.add_argument("--negatives", default="uniform", help="validation negatives")
    ap.add_argument("--settings", nargs="*", default=["{}"],
                    help="JSON keyword dicts of StructLink (or {'model': name, ...})")
    args = h.parse(ap, argv)
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    for name, g in h.graphs(args.datasets, args.root):
        et = h.edge_types(g)[0]
        n_s, n_d = int(g[et[0]].num_nodes), int(g[et[2]].num_nodes)
        folds = kfold_link_split(g, et, k=args.folds, neg_ratio=1, mode="warm", seed=args.seed,
                                 negatives=args.negatives)
        for text in args.settings:
            kw = json.loads(text)
            key = kw.pop("model", "struct")
            rows = []
            for i in args.fold_ids:
                f = folds[i]
                m = get_model(key, **({"seed": args.seed} if key == "struct" else {}), **kw)
                m.fit(dataclasses.replace(f, test=empty))
                row = {"auc": binary_metrics(f.val.edge_label,
                                             m.score(None, f.val.edge_label_index))["auc"]}
                for by in ("src", "dst"):
                    r = ranking_metrics(lambda p, m=m, f=f: m.decision_function(f.train_graph, p),
                                        f.val.pos_index, n_s, n_d, exclude=f.train.pos_index,
                                        ks=(50,), by=by, per="positive", ties="mean")
                    row[f"mrr_{by}"], row[f"hits@50_{by}"] = r["mrr"], r["hits@50"]
                rows.append(row)
                print(name, key, kw, f"fold {i}", {k: round(v, 4) for k, v in row.items()},
                      flush=True)
            print("MEAN", name, key, kw, {k: round(float(np.mean([r[k] for r in rows])), 4)
                                          for k in rows[0]}, flush=True)


if __name__ == "__main__":
    main()
