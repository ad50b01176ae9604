"""SeedMatch: a training-free baseline that counts miRNA seed-complementary sites."""
from __future__ import annotations

import math
import warnings

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.typing import MIRNA, EdgeType

_COMP = str.maketrans("ACGUN", "UGCAN")

#: Default weight of each canonical site type (TargetScan's order of efficacy).
DEFAULT_WEIGHTS = {"8mer": 1.0, "7mer-m8": 0.75, "7mer-A1": 0.5, "6mer": 0.25}


class SeedMatch:
    r"""Scores a miRNA–target pair by the canonical seed sites in the target sequence.

    Each occurrence in the target of the 6-nt core complementary to miRNA nucleotides 2-7 is
    typed by its flanks: a match to position 8 upstream (``m8``) and/or an ``A`` opposite
    position 1 downstream (``A1``) make it a 8mer (both), 7mer-m8, 7mer-A1 or 6mer (neither).
    With weights :math:`w` per type and :math:`n_t` sites of type :math:`t`,

    .. math::
        s = \sum_t w_t \, n_t, \qquad p = 1 - e^{-s},

    so one 7mer-m8 or 8mer site already gives :math:`p > 0.5` and a lone 6mer does not. No
    training: :meth:`fit` only records the edge type. It needs sequences on both node types;
    pairs with a missing sequence score 0 (with a warning that counts them).

    Args:
        weights (dict[str, float], optional): weight per site type
            (default: 8mer 1.0, 7mer-m8 0.75, 7mer-A1 0.5, 6mer 0.25).
        edge_type (EdgeType, optional): the interaction type; set by :meth:`fit` if omitted.
    """

    def __init__(self, weights: dict[str, float] | None = None,
                 edge_type: EdgeType | None = None):
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        unknown = set(self.weights) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise ValueError(f"SeedMatch: unknown site types {sorted(unknown)}; expected "
                             f"{sorted(DEFAULT_WEIGHTS)}")
        self.edge_type = edge_type

    def fit(self, fold: Fold) -> SeedMatch:
        """Record ``fold.edge_type`` (nothing is learned)."""
        self.edge_type = fold.edge_type
        return self

    def count_sites(self, mirna: str, target: str) -> dict[str, int]:
        """Count the canonical sites of ``mirna``'s seed in ``target`` (both 5'->3', RNA)."""
        counts = dict.fromkeys(DEFAULT_WEIGHTS, 0)
        core = mirna[1:7].translate(_COMP)[::-1]  # pairs with miRNA nt 2-7
        m8 = mirna[7:8].translate(_COMP)  # target nt opposite miRNA nt 8 (5' of the core)
        i = target.find(core)
        while i >= 0:
            has_m8 = i > 0 and m8 != "" and target[i - 1] == m8
            has_a1 = i + 6 < len(target) and target[i + 6] == "A"
            kind = ("8mer" if has_m8 and has_a1 else "7mer-m8" if has_m8
                    else "7mer-A1" if has_a1 else "6mer")
            counts[kind] += 1
            i = target.find(core, i + 1)
        return counts

    def raw_score(self, mirna: str, target: str) -> float:
        """The weighted site count :math:`s` for one pair."""
        c = self.count_sites(mirna, target)
        return sum(self.weights.get(k, 0.0) * v for k, v in c.items())

    def _pair_sequences(self, graph: HeteroData, edge_label_index: Tensor
                        ) -> tuple[str, list[tuple[str, str] | None]]:
        """The target node type and, per pair, ``(miRNA sequence, target sequence)``, or
        ``None`` where either sequence is missing."""
        if self.edge_type is None:
            raise ValueError("SeedMatch: call fit(fold) or pass edge_type= first")
        src_t, _, dst_t = self.edge_type
        if MIRNA not in (src_t, dst_t):
            raise ValueError(f"SeedMatch: edge type {self.edge_type} has no miRNA side")
        mir_row = 0 if src_t == MIRNA else 1
        tgt_t = dst_t if mir_row == 0 else src_t
        mir_seq, tgt_seq = graph[MIRNA].seq, graph[tgt_t].seq
        out: list[tuple[str, str] | None] = []
        for a, b in edge_label_index.t().tolist():
            m, t = (a, b) if mir_row == 0 else (b, a)
            ok = mir_seq[m] is not None and tgt_seq[t] is not None
            out.append((mir_seq[m], tgt_seq[t]) if ok else None)
        return tgt_t, out

    def site_features(self, graph: HeteroData, edge_label_index: Tensor) -> Tensor:
        r"""``[N, 4]`` features of each pair: :math:`\log(1 + n_t)` for the site types
        8mer, 7mer-m8, 7mer-A1, 6mer; zeros where a sequence is missing. Used as pair-level
        input by learned models (e.g. ``MFERL(pair_features=True)``)."""
        _, pairs = self._pair_sequences(graph, edge_label_index)
        out = torch.zeros(len(pairs), len(DEFAULT_WEIGHTS))
        for j, pair in enumerate(pairs):
            if pair is not None:
                c = self.count_sites(*pair)
                out[j] = torch.tensor([float(c[k]) for k in DEFAULT_WEIGHTS])
        return torch.log1p(out)

    def score(self, graph: HeteroData, edge_label_index: Tensor) -> Tensor:
        """Probabilities ``[N]`` for the pairs ``edge_label_index`` ``[2, N]`` of the edge type."""
        tgt_t, pairs = self._pair_sequences(graph, edge_label_index)
        if all(s is None for s in graph[tgt_t].seq):
            raise ValueError(f"SeedMatch: node type {tgt_t!r} has no sequences; attach a FASTA "
                             f"(e.g. datasets.load(..., sequences={{{tgt_t!r}: 'file.fa'}}))")
        out = torch.zeros(len(pairs))
        cache: dict[tuple[str, str], float] = {}
        for j, pair in enumerate(pairs):
            if pair is None:
                continue
            if pair not in cache:
                cache[pair] = 1.0 - math.exp(-self.raw_score(*pair))
            out[j] = cache[pair]
        missing = sum(p is None for p in pairs)
        if missing:
            warnings.warn(f"SeedMatch: {missing} of {out.numel()} pairs lack a sequence and "
                          f"score 0", stacklevel=2)
        return out

    def __repr__(self) -> str:
        w = ", ".join(f"{k}={v:g}" for k, v in self.weights.items())
        return f"SeedMatch({w})"
