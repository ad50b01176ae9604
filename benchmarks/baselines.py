"""Baselines every results table carries, cross-validated on every graph dataset: leakage-free
warm 1:1 k-fold CV of DegreeProduct, TruncatedSVDLink (64), SAGELink and SeedMatch (where both
sides have sequences), plus the papers' protocol for DegreeProduct and SVD to show the leak; the
``baselines`` section of ``docs/results.md``.

    python benchmarks/baselines.py --datasets synthetic --folds 2 --epochs 20 --docs none
"""
from __future__ import annotations

import _harness as h

from rnagraph.data import kfold_link_split
from rnagraph.models import DegreeProduct, SAGELink, SeedMatch, TruncatedSVDLink

NOTES = [
    "PAPER rows: the papers' leaky protocol (docs/protocol.md), only to set beside their numbers.",
    "SeedMatch runs only where both sides have sequences (synthetic).",
    "TruncatedSVDLink-64: the rank is capped at a quarter of the smaller side (15 on synthetic).",
    "mtis-9214: our own negatives and folds, not the authors' 70/10/20 split.",
]


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, datasets=["synthetic", *h.REAL], folds=5, out=None, jobs=1, epochs=300)
    args = h.parse(ap, argv)
    k, seed = args.folds, args.seed
    log = h.log(args, f"Baselines ({k}-fold, warm 1:1)",
                ["dataset", "edge type", "protocol", "model", "AUC", "AUPR", "ACC", "F1", "MCC",
                 "fit s/fold"], results=True, section="baselines")
    cli = []
    for name, g in h.graphs(args.datasets, args.root):
        for et in h.edge_types(g):
            sage = SAGELink().set_params(trainer__epochs=args.epochs, trainer__seed=seed)
            runs = [("leakage-free", m) for m in (DegreeProduct(), TruncatedSVDLink(64, seed=seed),
                                                  sage)]
            if "mirna" in (et[0], et[2]) and all(bool(g[t].has_seq.all()) for t in et[::2]):
                runs.append(("leakage-free", SeedMatch()))
            runs += [("paper", DegreeProduct()), ("paper", TruncatedSVDLink(64, seed=seed))]
            cmd = f"`rnagraph cv {name} --edge-type {h.cli_edge(et)} --folds {k} --seed {seed}"
            cli += [cmd + " --model " + ",".join(("degree", "svd", "sage", "seedmatch")[
                :len(runs) - 2]) + "`", cmd + " --model degree,svd --protocol paper`"]
            folds = {p: kfold_link_split(g, et, k=k, neg_ratio=1, mode="warm", seed=seed,
                                         protocol=p) for p in ("leakage-free", "paper")}
            for protocol, model in runs:
                label = type(model).__name__ + ("-64" if isinstance(model, TruncatedSVDLink)
                                                else "")
                res, s = h.cv(model, g, et, folds[protocol], args, name, f"{et[0]}-{et[2]}",
                              protocol, type(model).__name__, curves=args.out is not None)
                fit = sum(x["fit_s"] for x in res.folds) / len(res.folds)
                log.add(name, f"{et[0]}-{et[2]}", protocol.upper() if protocol == "paper"
                        else protocol, label,
                        *(res.summary(m, 3) for m in ("auc", "aupr", "acc", "f1", "mcc")),
                        f"{fit:.2f}")
                print(f"{name} {et[1]} {protocol:12s} {res.model:45s} AUC "
                      f"{res.summary('auc', 3)} ({s:.1f} s)", flush=True)
    log.note(f"Warm 1:1, uniform negatives, seed {seed}, threshold 0.5, {k} folds "
             f"(docs/protocol.md); SAGELink: max {args.epochs} epochs.")
    log.notes += NOTES
    log.cli = " ".join(cli)
    h.publish(args, log)


if __name__ == "__main__":
    main()
