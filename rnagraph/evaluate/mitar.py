"""miTAR's evaluation protocol on its site pairs, and where a model loses AUC there.

:func:`mitar_splits` builds the protocol's folds (repeated random 64/16/20 splits of the
combined DeepMirTar + miRAW set, with the independent test files scored by every split's model
after removing what overlaps its training pairs); :func:`loss_by_mirna_kind` reads a run's
per-fold records back against those splits (``benchmarks/grmmi.py`` reports both).
"""
from __future__ import annotations

import numpy as np
import torch

from rnagraph.data import build_graph
from rnagraph.data.fold import EXTRA_TESTS, Fold, LinkSet
from rnagraph.evaluate.store import _digest
from rnagraph.evaluate.summaries import loss_by_kind, node_kinds
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA

#: miTAR's independent test files
INDEPENDENT = ("deepmirtar-indtest", "miraw-indtest", "miraw-indtest-unique")


def mitar_splits(n_splits: int, seed: int = 0, root: str | None = None, near: float = 0.9):
    """miTAR's protocol: ``n_splits`` random 64/16/20 splits (seeds ``seed``, ``seed + 1``,
    ...; duplicate rows kept together) of the combined set.

    The graph's miRNA nodes are the distinct miRNA sequences and its mRNA nodes the distinct
    target sites, of the combined set and the independent files (whose nodes carry no training
    edge). Each fold's ``meta["extra_tests"]`` holds each independent file minus the rows that
    repeat (count in ``meta["<file>:exact"]``) or nearly repeat (same miRNA, site at normalised
    Levenshtein similarity >= ``near``: ``meta["<file>:near"]``) a training pair of the split.

    Returns:
        tuple: the full graph and the list of :class:`~rnagraph.data.Fold`.
    """
    from rnagraph.datasets.mitar import load_site_pairs
    sp = load_site_pairs("combined", root)
    inds = {n: load_site_pairs(n, root) for n in INDEPENDENT}
    ids = [{s: f"{p}{i}" for i, s in enumerate(dict.fromkeys(
        x for d in (sp, *inds.values()) for x in getattr(d, a)))}
        for p, a in (("mi", "mirna_seq"), ("t", "target_seq"))]
    seqs = {MIRNA: {v: k for k, v in ids[0].items()}, MRNA: {v: k for k, v in ids[1].items()}}
    nodes = {t: list(s) for t, s in seqs.items()}
    rows = [(ids[0][a], ids[1][b]) for a, b in zip(sp.mirna_seq, sp.target_seq)]
    label = sp.label.numpy()
    full = build_graph(seqs, {MIRNA_MRNA: [r for r, y in zip(rows, label) if y == 1]},
                       node_ids=nodes)
    index = [{s: i for i, s in enumerate(full[t].ids)} for t in (MIRNA, MRNA)]

    def pairs_of(d) -> torch.Tensor:
        return torch.tensor([[index[0][ids[0][a]] for a in d.mirna_seq],
                             [index[1][ids[1][b]] for b in d.target_seq]]).view(2, -1)

    pairs, y = pairs_of(sp), torch.from_numpy(label).float()
    ind_pairs = {n: pairs_of(d) for n, d in inds.items()}
    folds = []
    for s in range(n_splits):
        tr, va, te = sp.random_split((0.64, 0.16, 0.20), seed=seed + s)
        tg = build_graph(seqs, {MIRNA_MRNA: [rows[i] for i in tr if label[i] == 1]},
                         node_ids=nodes)
        ls = [LinkSet(pairs[:, torch.from_numpy(ix)], y[torch.from_numpy(ix)])
              for ix in (tr, va, te)]
        seen = [(sp.mirna_seq[i], sp.target_seq[i]) for i in tr]
        meta: dict = {"seed": seed + s, "split": "64/16/20", EXTRA_TESTS: {}}
        for n, d in inds.items():
            code = d.overlap(seen, near=near)
            keep = torch.from_numpy(np.nonzero(code == 0)[0])
            meta[EXTRA_TESTS][n] = LinkSet(ind_pairs[n][:, keep], d.label[keep].float())
            meta[f"{n}:exact"], meta[f"{n}:near"] = int((code == 2).sum()), int((code == 1).sum())
        folds.append(Fold(s, MIRNA_MRNA, tg, *ls, meta=meta))
    return full, folds


def loss_by_mirna_kind(records: list[dict], root: str | None = None, splits=None) -> list[dict]:
    """Per fold record of a miTAR run (``cross_validate``'s ``fold_<i>.json``: ``src``,
    ``label``, ``score``, ``fingerprint``), :func:`~rnagraph.evaluate.summaries.loss_by_kind`
    with each miRNA's kind taken from that split's training pairs. The splits are rebuilt with
    :func:`mitar_splits` (or taken from ``splits(n, seed) -> folds``) and a record whose
    training pairs differ from the rebuilt split's (its fingerprint) is left out."""
    splits = splits or (lambda n, seed: mitar_splits(n, seed, root)[1])
    n = max((int(r["fingerprint"]["fold"]) for r in records), default=-1) + 1
    built: dict[int, list[Fold]] = {}
    out = []
    for r in records:
        fp = r["fingerprint"]
        base = int(fp["meta"]["seed"]) - int(fp["fold"])
        if base not in built:
            built[base] = splits(n, base)
        f = built[base][int(fp["fold"])]
        if _digest(f.train.edge_label_index, f.train.edge_label) == fp["train"]:
            kinds = node_kinds(f.train.edge_label_index[0], f.train.edge_label, r["src"])
            out.append(loss_by_kind(r["label"], r["score"], kinds))
    return out


__all__ = ["INDEPENDENT", "mitar_splits", "loss_by_mirna_kind"]
