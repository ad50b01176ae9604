"""GRMMI's sequence branch against the miTAR port, side by side on one miTAR split: seconds
per training epoch, pairs per second at inference, peak memory.

Issue 13's speed targets, against miTAR's own Keras code on 2 CPU cores (15 s per epoch over
the training split, 4,200 pairs/s at inference): one epoch no slower than 15 s, inference
>= 20k pairs/s with per-sequence encodings cached and the attention per pair.

One seed-``--seed`` 64/16/20 split of miTAR's combined set (``benchmarks/grmmi.py``'s
``mitar_folds``). Each model is fitted for ``--epochs`` epochs (no early stop before), then:

* **s/epoch**: mean wall seconds of one epoch (training pass + the validation pass of early
  stopping), from the trainer's record;
* **test pairs/s, new sequences**: ``decision_function`` on the split's test pairs by a model
  just loaded from its file, so every sequence of those pairs is encoded first (the test
  targets are nearly all distinct: one encoding per pair);
* **test pairs/s, cached**: the same call again; GRMMI's encodings are cached per sequence,
  only the attention runs per pair (miTAR reads each pair's concatenated sequence, so it has
  nothing to cache);
* **peak RSS**: the process's peak resident memory after the model's fit and scoring (MiB).

Rows are printed and written as this benchmark's section of ``docs/benchmarks.md``.

    python benchmarks/grmmi_speed.py [--epochs 2] [--threads 2] [--models GRMMI-seq MiTAR]

``GRMMI-seq+map`` is ``benchmarks/grmmi.py``'s first validation pick (``MAP``): the same
branch with a convolution over the attention's logit maps (per-pair work) and learning-rate
cuts; ``GRMMI-seq tuned`` is the second pick (``TUNED``): the map variant with the k-mer table
frozen and the parameters' moving average; ``GRMMI-seq tuned+pair`` is the third (``CHOSEN``):
tuned plus the nucleotide pairing map (``PairingMapCNN``, per-pair work too), and
``GRMMI-seq tuned+diag`` reads that map along its diagonals instead (``DIAG``,
``DiagonalPairing``); ``+site`` adds the seed-site pair term (``pair_features=True``:
``SeedSiteFeatures`` counted per scored pair) to the tuned branch or to tuned+pair, and
``+count`` the miRNA's count of training pairs to that term (``mirna_count=True``, a lookup),
``+head`` those features to the head's input as well (``pair_head=True``).
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _log import BenchmarkLog  # noqa: E402
from grmmi import (  # noqa: E402
    CHOSEN,
    DIAG,
    MAP,
    SEARCH,
    SITE,
    TUNED,
    TUNED_SITE,
    TUNED_SITE_COUNT,
    TUNED_SITE_COUNT_HEAD,
    grmmi_seq,
    mitar_folds,
)

from rnagraph.data.fold import EXTRA_TESTS  # noqa: E402
from rnagraph.evaluate.parallel import peak_rss_mib  # noqa: E402
from rnagraph.models import MiTAR, load  # noqa: E402


def _rate(model, data, pairs) -> float:
    """Pairs per second of one ``decision_function`` call over ``pairs``."""
    t0 = time.perf_counter()
    model.decision_function(data, pairs)
    return pairs.size(1) / (time.perf_counter() - t0)


#: the timed models: name -> (epochs, seed) -> unfitted model
MODELS = {"GRMMI-seq": lambda e, s: grmmi_seq(e, s),
          "GRMMI-seq+map": lambda e, s: grmmi_seq(e, s, **SEARCH[MAP]),
          "GRMMI-seq tuned": lambda e, s: grmmi_seq(e, s, **SEARCH[TUNED]),
          "GRMMI-seq tuned+pair": lambda e, s: grmmi_seq(e, s, **SEARCH[CHOSEN]),
          "GRMMI-seq tuned+diag": lambda e, s: grmmi_seq(e, s, **SEARCH[DIAG]),
          "GRMMI-seq tuned+site": lambda e, s: grmmi_seq(e, s, **SEARCH[TUNED_SITE]),
          "GRMMI-seq tuned+pair+site": lambda e, s: grmmi_seq(e, s, **SEARCH[SITE]),
          "GRMMI-seq tuned+site+count": lambda e, s: grmmi_seq(e, s,
                                                               **SEARCH[TUNED_SITE_COUNT]),
          "GRMMI-seq tuned+site+count+head": lambda e, s: grmmi_seq(
              e, s, **SEARCH[TUNED_SITE_COUNT_HEAD]),
          "MiTAR": lambda e, s: MiTAR(epochs=e, seed=s)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=2, help="training epochs per model")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    ap.add_argument("--seed", type=int, default=0, help="the split's seed")
    ap.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    ap.add_argument("--root", default=None, help="data root (default $RNAGRAPH_DATA)")
    ap.add_argument("--no-log", action="store_true", help="do not write docs/benchmarks.md")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    data, (fold,) = mitar_folds(1, args.seed, args.root)
    fold = dataclasses.replace(fold, meta={k: v for k, v in fold.meta.items()
                                           if k != EXTRA_TESTS})
    pairs = fold.test.edge_label_index
    log = BenchmarkLog("grmmi-speed: GRMMI sequence branch vs the miTAR port, one miTAR split",
                       ["model", "train pairs", "epochs", "s/epoch", "test pairs",
                        "distinct test targets", "pairs/s, new sequences", "pairs/s, cached",
                        "peak RSS MiB"])
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            model = MODELS[name](args.epochs, args.seed)
            model.patience = args.epochs          # time every epoch: no early stop
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(fold)
            info = model.fit_info_
            path = Path(tmp) / f"{name}.rg"
            model.save(path)
            fresh = load(path)
            new = _rate(fresh, data, pairs)
            cached = _rate(fresh, data, pairs)
            log.add(name, len(fold.train), info["epochs"], f"{info['epoch_s']:.1f}",
                    pairs.size(1), int(pairs[1].unique().numel()), f"{new:,.0f}",
                    f"{cached:,.0f}", f"{peak_rss_mib():,.0f}")
            print(f"{name}: {info['epoch_s']:.1f} s/epoch, {new:,.0f} / {cached:,.0f} pairs/s",
                  flush=True)
    log.note(f"{args.threads} torch thread(s); miTAR's combined set, split seed {args.seed} "
             "(64/16/20); the models' defaults of `benchmarks/grmmi.py` (GRMMI-seq: "
             "`GRMMI(graph_encoder=None, batch_size=256, lr=2e-3)`; GRMMI-seq+map: that plus "
             "`map_channels=16` and the plateau learning-rate cut; GRMMI-seq tuned: that with "
             "`freeze_embedding=True` and `ema_decay=0.99`; GRMMI-seq tuned+pair: that plus "
             "`pairing_channels=32` (`PairingMapCNN`); GRMMI-seq tuned+diag: that plus "
             "`pairing_channels=32, pairing='diagonal'` (`DiagonalPairing`); +site: "
             "`pair_features=True`, the seed-site pair term (site counts per pair at "
             "scoring, no cache); +count: `mirna_count=True`; +head: `pair_head=True`; "
             "MiTAR: the miTAR "
             "architecture) for a fixed number of epochs. Reference, miTAR's own Keras code "
             "on 2 CPU cores: 15 s/epoch, 4,200 pairs/s. Peak RSS is the process's, so a "
             "row includes an earlier model's peak where that was higher.")
    if args.no_log:
        log.print()
    else:
        log.write()


if __name__ == "__main__":
    main()
