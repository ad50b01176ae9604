"""Check that a :class:`~rnagraph.data.Fold` cannot leak test information into training."""
from __future__ import annotations

import warnings

import numpy as np

from rnagraph.data.fold import Fold
from rnagraph.data.negatives import pair_codes
from rnagraph.typing import reverse_edge_type


class LeakageError(ValueError):
    """A fold lets validation / test information reach training."""


class PaperProtocolWarning(UserWarning):
    """A fold follows the papers' leaky protocol (``protocol="paper"``)."""


def _overlap(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.isin(a, b).sum())


def check_no_leakage(fold: Fold) -> None:
    r"""Raise :class:`LeakageError` if ``fold`` leaks validation / test pairs into training.

    Checked, for ``protocol="leakage-free"`` folds:

    1. no val / test positive is an edge of ``fold.train_graph`` (either direction);
    2. no val / test positive is a training pair;
    3. train, val and test pairs are pairwise disjoint (whatever their labels), so no
       test negative is a training pair either;
    4. no val / test negative is a ``train_graph`` edge (a mislabelled known positive);
    5. cold modes: the held-out node(s) of every test pair have no training pair and no
       ``train_graph`` edge.

    For ``protocol="paper"`` folds, ``train_graph`` holds every positive by design (that is the
    papers' protocol): check 1 and 4 cannot hold, so a :class:`PaperProtocolWarning` is issued
    instead; checks 2 and 3 still raise, since even the papers never trained on test pairs.

    Raises:
        LeakageError: naming the check, the fold and how many pairs leak.
    """
    et = fold.edge_type
    g = fold.train_graph
    n_dst = int(g[et[2]].num_nodes)
    where = f"check_no_leakage: fold {fold.index} ({fold.mode}, {fold.protocol})"
    sets = {name: getattr(fold, name) for name in ("train", "val", "test")}
    codes = {name: pair_codes(ls.edge_label_index, n_dst) for name, ls in sets.items()}
    pos = {name: pair_codes(ls.pos_index, n_dst) for name, ls in sets.items()}
    neg = {name: pair_codes(ls.neg_index, n_dst) for name, ls in sets.items()}

    for a, b in (("val", "train"), ("test", "train"), ("test", "val")):
        n = _overlap(codes[a], codes[b])
        if n:
            raise LeakageError(f"{where}: {n} {a} pair(s) are also {b} pairs")

    if fold.protocol == "paper":
        warnings.warn(f"{where}: protocol='paper' — train_graph holds every known positive, "
                      "test edges included, so graph-derived features see the test set. Results "
                      "are comparable to the papers, not an honest estimate.",
                      PaperProtocolWarning, stacklevel=2)
        return

    graph_codes = [pair_codes(g[et].edge_index, n_dst)] if et in g.edge_types else []
    rev = reverse_edge_type(et)
    if rev in g.edge_types:
        graph_codes.append(pair_codes(g[rev].edge_index.flip(0), n_dst))
    gc = np.concatenate(graph_codes) if graph_codes else np.empty(0, dtype=np.int64)
    for name in ("val", "test"):
        n = _overlap(pos[name], gc)
        if n:
            raise LeakageError(f"{where}: {n} {name} positive(s) are edges of train_graph "
                               f"({et} or {rev}); train_graph must hold training positives only")
        n = _overlap(neg[name], gc)
        if n:
            raise LeakageError(f"{where}: {n} {name} negative(s) are edges of train_graph, i.e. "
                               "known positives labelled 0")

    if fold.mode in ("cold-src", "cold-dst", "cold-both"):
        tr = fold.train.edge_label_index.numpy()
        ge = (np.stack([gc // n_dst, gc % n_dst]) if gc.size
              else np.empty((2, 0), dtype=np.int64))
        test = fold.test.edge_label_index.numpy()
        sides = {"cold-src": (0,), "cold-dst": (1,), "cold-both": (0, 1)}[fold.mode]
        for side in sides:
            held = np.unique(test[side])
            n = _overlap(held, np.concatenate([tr[side], ge[side]]))
            if n:
                label = "source" if side == 0 else "destination"
                raise LeakageError(f"{where}: {n} held-out {label} node(s) of the test set have "
                                   "training pairs or train_graph edges")


__all__ = ["check_no_leakage", "LeakageError", "PaperProtocolWarning"]
