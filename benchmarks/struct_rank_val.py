"""StructLink settings on validation pairs only: AUC and all-candidate ranking of ``fold.val``.

Each setting is fitted on a fold whose test set is emptied (as ``cross_validate`` does); its
validation positives are then ranked, as ``cross_validate(ranking_ks=...)`` ranks test positives
(:func:`~rnagraph.evaluate.ranking.ranking_metrics`, ``per="positive"``, ties ``"mean"``),
against every pair that is not a training positive, and the validation AUC is computed. This is
how the ``rank_*`` defaults of :class:`~rnagraph.models.StructLink` were chosen (the table in
its docstring); test pairs are never read. Prints one line per fold and a mean per setting.

    python benchmarks/struct_rank_val.py --folds 0 1 --settings '{"rank_weight": 0}' '{}'
    python benchmarks/struct_rank_val.py --settings '{"model": "ra3"}'   # a baseline
"""
from __future__ import annotations

import argparse
import dataclasses
import json

import numpy as np
import torch

from rnagraph.data import LinkSet, kfold_link_split
from rnagraph.evaluate.ranking import ranking_metrics
from rnagraph.models import get_model
from rnagraph.train import binary_metrics


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", default="cmi-9589")
    ap.add_argument("--root", default=None, help="data root (default $RNAGRAPH_DATA)")
    ap.add_argument("--folds", type=int, nargs="*", default=[0, 1], help="fold indices")
    ap.add_argument("--negatives", default="uniform", help="validation negatives")
    ap.add_argument("--settings", nargs="*", default=["{}"],
                    help="JSON keyword dicts of StructLink (or {'model': name, ...})")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    from rnagraph.datasets import load
    g = load(args.dataset, root=args.root)
    et = next(e for e in g.edge_types if not e[1].startswith("rev_"))
    n_s, n_d = int(g[et[0]].num_nodes), int(g[et[2]].num_nodes)
    folds = kfold_link_split(g, et, k=5, neg_ratio=1, mode="warm", seed=0,
                             negatives=args.negatives)
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    for text in args.settings:
        kw = json.loads(text)
        key = kw.pop("model", "struct")
        rows = []
        for i in args.folds:
            f = folds[i]
            m = get_model(key, **({"seed": 0} if key == "struct" else {}), **kw)
            m.fit(dataclasses.replace(f, test=empty))
            row = {"auc": binary_metrics(f.val.edge_label,
                                         m.score(None, f.val.edge_label_index))["auc"]}
            for by in ("src", "dst"):
                r = ranking_metrics(lambda p, m=m, f=f: m.decision_function(f.train_graph, p),
                                    f.val.pos_index, n_s, n_d, exclude=f.train.pos_index,
                                    ks=(50,), by=by, per="positive", ties="mean")
                row[f"mrr_{by}"], row[f"hits@50_{by}"] = r["mrr"], r["hits@50"]
            rows.append(row)
            print(key, kw, f"fold {i}", {k: round(v, 4) for k, v in row.items()}, flush=True)
        print("MEAN", key, kw, {k: round(float(np.mean([r[k] for r in rows])), 4)
                                for k in rows[0]}, flush=True)


if __name__ == "__main__":
    main()
