"""GRMMI's sequence branch against the miTAR port on one seed-``--seed`` miTAR split: seconds
per epoch (fixed ``--epochs``, no early stop), pairs/s at inference by a model just loaded (new
sequences) and again (cached encodings), peak RSS. Issue 13's targets against miTAR's Keras
code on 2 cores (15 s/epoch, 4,200 pairs/s): <= 15 s per epoch, >= 20k pairs/s cached.

    python benchmarks/grmmi_speed.py [--epochs 2] [--threads 2] [--models GRMMI-seq MiTAR]
"""
from __future__ import annotations

import dataclasses
import tempfile
import warnings
from pathlib import Path

import _harness as h
from grmmi import runs

from rnagraph.data.fold import EXTRA_TESTS
from rnagraph.evaluate.mitar import mitar_splits
from rnagraph.models import load

TIMED = ["GRMMI-seq", "GRMMI-seq+map", "GRMMI-seq tuned", "GRMMI-seq tuned+pair",
         "GRMMI-seq tuned+diag", "GRMMI-seq tuned+site", "GRMMI-seq tuned+pair+site",
         "GRMMI-seq tuned+site+count", "GRMMI-seq tuned+site+count+head", "MiTAR"]


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__, threads=2, models=TIMED, epochs=2)
    args = h.parse(ap, argv)
    data, (fold,) = mitar_splits(1, args.seed, args.root)
    fold = dataclasses.replace(fold, meta={k: v for k, v in fold.meta.items()
                                           if k != EXTRA_TESTS})
    pairs = fold.test.edge_label_index
    log = h.log(args, "grmmi-speed: GRMMI sequence branch vs the miTAR port, one miTAR split",
                ["model", "train pairs", "epochs", "s/epoch", "test pairs",
                 "distinct test targets", "pairs/s, new sequences", "pairs/s, cached",
                 "peak RSS MiB"])
    with tempfile.TemporaryDirectory() as tmp:
        for name, model in runs("mitar", args.models, args.epochs, args.seed):
            model.trainer.patience = args.epochs  # time every epoch: no early stop
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(fold)
            info = model.fit_info_
            model.save(Path(tmp) / "m.rg")
            fresh = load(Path(tmp) / "m.rg")
            rates = []
            for _ in range(2):            # new sequences, then their cached encodings
                with h.timer() as t:
                    fresh.decision_function(data, pairs)
                rates.append(pairs.size(1) / t["s"])
            new, cached = rates
            log.add(name, len(fold.train), info["epochs"], f"{info['epoch_s']:.1f}",
                    pairs.size(1), int(pairs[1].unique().numel()), f"{new:,.0f}",
                    f"{cached:,.0f}", f"{h.peak_rss_mib():,.0f}")
            print(f"{name}: {info['epoch_s']:.1f} s/epoch, {new:,.0f} / {cached:,.0f} pairs/s",
                  flush=True)
    log.note(f"{args.threads} torch thread(s); split seed {args.seed} (64/16/20); tags as in "
             "`benchmarks/grmmi.py` (registry presets). Reference, miTAR's Keras code on 2 "
             "cores: 15 s/epoch, 4,200 pairs/s. Peak RSS is the process's (may be an earlier "
             "model's).")
    h.publish(args, log)


if __name__ == "__main__":
    main()
