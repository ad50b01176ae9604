r"""Triplet ranking on the joint ceRNA graph: circRNA -> miRNA -> mRNA sponge-to-target paths.

A circRNA :math:`c` regulates an mRNA :math:`t` (competing-endogenous-RNA hypothesis) when it
sponges a miRNA :math:`m` that targets :math:`t`. With :math:`P_{cm}` the probability of the
circRNA-miRNA interaction and :math:`Q_{mt}` that of the miRNA-mRNA one,

.. math::
    \mathrm{path}(c, m, t) = P_{cm}\, Q_{mt}, \qquad
    R_{ct} = \sum_m P_{cm}\, Q_{mt} = (P Q)_{ct},

the path score treating the two edges as independent and :math:`R_{ct}` the expected number of
miRNAs through which :math:`c` reaches :math:`t`. Every :math:`(c, t)` pair is scored (3,569 x
3,069 = 11M on the ``cerna`` graph), in blocks of circRNAs: only a ``[block, N_t]`` slab of
:math:`R` exists at a time and a running top-``k`` is kept, so memory is
:math:`O(N_c N_m + N_m N_t + \text{block}\cdot N_t)` whatever the number of pairs.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data import node_sequences
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA, MIRNA_MRNA, MRNA, reverse_edge_type

#: how known interactions enter the path probabilities
KNOWN_MODES = ("one", "score")


@dataclass
class CernaRanking:
    """The result of :func:`rank_cerna`.

    Attributes:
        pairs (pandas.DataFrame): the top circRNA-mRNA pairs, best first: ``circrna``,
            ``mrna`` (ids), ``score`` (:math:`R_{ct}`), ``best_mirna``, ``best_path``.
        paths (pandas.DataFrame): the top paths of each listed pair: ``circrna``, ``mirna``,
            ``mrna``, ``path_score``, ``circ_evidence`` / ``target_evidence`` (``"known"`` or
            ``"predicted"``), ``circ_prob`` / ``target_prob`` (the probabilities used),
            ``seed_site`` (best canonical site of the miRNA seed in the target sequence:
            ``8mer`` ... ``6mer``, ``"none"``, or empty where a sequence is missing).
        num_pairs (int): circRNA-mRNA pairs scored.
    """

    pairs: pd.DataFrame
    paths: pd.DataFrame
    num_pairs: int

    def to_tsv(self, path: str | os.PathLike) -> None:
        """Write :attr:`paths` (with each pair's score) as a tab-separated file."""
        from rnagraph.io.atomic import atomic_path
        df = self.paths.merge(self.pairs[["circrna", "mrna", "score"]], on=["circrna", "mrna"])
        with atomic_path(path) as tmp:
            df.to_csv(tmp, sep="\t", index=False)

    def __repr__(self) -> str:
        return f"CernaRanking(pairs={len(self.pairs)}, paths={len(self.paths)}, " \
               f"scored={self.num_pairs})"


def top_regulation_pairs(p_circ: Tensor, p_target: Tensor, top_k: int = 100,
                         block: int = 256) -> tuple[Tensor, Tensor, Tensor]:
    r"""The ``top_k`` entries of :math:`R = P Q`, computed in row blocks.

    Args:
        p_circ (Tensor): :math:`P` ``[N_c, N_m]``.
        p_target (Tensor): :math:`Q` ``[N_m, N_t]``.
        top_k (int): pairs to keep. (default: ``100``)
        block (int): rows of :math:`R` computed at a time. (default: ``256``)

    Returns:
        ``(scores [K], circ [K], target [K])`` sorted by decreasing score (ties: lower index
        first), :math:`K = \min(\text{top\_k}, N_c N_t)`.
    """
    if p_circ.dim() != 2 or p_target.dim() != 2 or p_circ.size(1) != p_target.size(0):
        raise ValueError(f"top_regulation_pairs: need P [N_c, N_m] and Q [N_m, N_t], got "
                         f"{tuple(p_circ.shape)} and {tuple(p_target.shape)}")
    if top_k < 1 or block < 1:
        raise ValueError(f"top_regulation_pairs: top_k and block must be >= 1, got {top_k} and "
                         f"{block}")
    n_c, n_t = p_circ.size(0), p_target.size(1)
    best_s = p_circ.new_empty(0)
    best_i = torch.empty(0, dtype=torch.long)
    for c0 in range(0, n_c, block):
        r = (p_circ[c0:c0 + block] @ p_target).flatten()
        k = min(top_k, r.numel())
        s, i = torch.topk(r, k, sorted=False)
        best_s = torch.cat([best_s, s])
        best_i = torch.cat([best_i, i + c0 * n_t])
        if best_s.numel() > top_k:
            s, j = torch.topk(best_s, top_k, sorted=False)
            best_s, best_i = s, best_i[j]
    # sort by score descending, then by flat index for a deterministic order of ties
    order = sorted(range(best_s.numel()), key=lambda j: (-float(best_s[j]), int(best_i[j])))
    idx = torch.tensor(order, dtype=torch.long)
    best_s, best_i = best_s[idx], best_i[idx]
    return best_s, best_i // n_t, best_i % n_t


def shift_prior(p: Tensor, prior: float, base: float = 0.5) -> Tensor:
    r"""Move probabilities calibrated at prevalence ``base`` to prevalence ``prior`` (Bayes:
    :math:`\operatorname{logit} p' = \operatorname{logit} p + \operatorname{logit}\pi -
    \operatorname{logit}\pi_0`)."""
    if not (0 < prior < 1 and 0 < base < 1):
        raise ValueError(f"shift_prior: prior and base must be in (0, 1), got {prior}, {base}")
    shift = torch.logit(torch.tensor(prior, dtype=torch.float64)) - torch.logit(
        torch.tensor(base, dtype=torch.float64))
    return torch.sigmoid(torch.logit(p.double().clamp(1e-300, 1 - 1e-16)) + shift)


def _dense_probs(graph: HeteroData, model, edge_type, known: str,
                 prior: str | float | None) -> tuple[Tensor, Tensor]:
    """``[N_src, N_dst]`` probabilities of every pair and the mask of known edges."""
    n_s, n_d = int(graph[edge_type[0]].num_nodes), int(graph[edge_type[2]].num_nodes)
    src = torch.arange(n_s).repeat_interleave(n_d)
    dst = torch.arange(n_d).repeat(n_s)
    p = torch.as_tensor(model.score(graph, torch.stack([src, dst]))).double().view(n_s, n_d)
    mask = torch.zeros(n_s, n_d, dtype=torch.bool)
    if edge_type in graph.edge_types and "edge_index" in graph[edge_type]:
        ei = graph[edge_type].edge_index
    elif reverse_edge_type(edge_type) in graph.edge_types:
        ei = graph[reverse_edge_type(edge_type)].edge_index.flip(0)
    else:
        ei = torch.empty(2, 0, dtype=torch.long)
    mask[ei[0], ei[1]] = True
    if prior is not None:
        pi = float(mask.sum()) / mask.numel() if prior == "density" else float(prior)
        p = shift_prior(p, pi)
    if known == "one":
        p = p.masked_fill(mask, 1.0)
    return p, mask


def _site(mirna: str | None, target: str | None) -> str:
    """The strongest seed site of the path's miRNA in its target (empty without sequences)."""
    from rnagraph.evaluate.evidence import seed_evidence
    kind, _ = seed_evidence(mirna, target)
    return "" if kind == "no sequence" else kind


def rank_cerna(graph: HeteroData, circ_model, target_model, *, top_k: int = 100,
               paths_per_pair: int = 3, known: str = "one", block: int = 256,
               prior: str | float | None = "density") -> CernaRanking:
    r"""Rank every circRNA-mRNA pair of the joint graph by its sponge-to-target paths.

    :math:`P` comes from ``circ_model.score(graph, pairs)`` on every circRNA-miRNA pair and
    :math:`Q` from ``target_model.score(graph, pairs)`` on every miRNA-mRNA pair (both
    calibrated probabilities for :class:`~rnagraph.models.LinkModel` s; any object with that
    ``score`` works). Known edges of ``graph``:

    * ``known="one"`` (default): probability 1 -- an interaction in the database is taken as
      established, so a path through two known edges scores 1;
    * ``known="score"``: keep the model's calibrated probability for them as for any pair.

    The evidence columns say, per edge of a path, whether it is known or predicted.

    **Prevalence.** Models are calibrated on balanced validation pairs (1:1), so their
    probabilities answer "positive or sampled negative?", not "how likely among all pairs?": on
    ``cerna`` thousands of weak predictions at ~0.5 would swamp :math:`R`. With
    ``prior="density"`` (default) each relation's probabilities are moved (:func:`shift_prior`)
    from prevalence 1/2 to that relation's edge density in ``graph`` (0.34% circRNA-miRNA,
    0.18% miRNA-mRNA), so :math:`R_{ct}` is an expected number of paths; a float sets the
    prevalence; ``None`` uses the probabilities as they are.

    Args:
        graph (HeteroData): the joint graph (e.g. ``load("cerna")``); its edges are the known
            ones and, for message-passing models, the graph they read.
        circ_model: a fitted model of ``("circrna", "binds", "mirna")``.
        target_model: a fitted model of ``("mirna", "targets", "mrna")``.
        top_k (int): circRNA-mRNA pairs to return. (default: ``100``)
        paths_per_pair (int): best miRNAs listed per pair. (default: ``3``)
        known (str): ``"one"`` or ``"score"``. (default: ``"one"``)
        block (int): circRNAs per block of :math:`R`. (default: ``256``)
        prior (str | float, optional): ``"density"``, a prevalence in (0, 1), or ``None``.
            (default: ``"density"``)
    """
    if known not in KNOWN_MODES:
        raise ValueError(f"rank_cerna: known must be one of {KNOWN_MODES}, got {known!r}")
    if paths_per_pair < 1:
        raise ValueError(f"rank_cerna: paths_per_pair must be >= 1, got {paths_per_pair}")
    for nt in (CIRCRNA, MIRNA, MRNA):
        if nt not in graph.node_types:
            raise ValueError(f"rank_cerna: the graph has no {nt!r} nodes; pass the joint "
                             "ceRNA graph (rnagraph.datasets.load('cerna'))")
    p, p_known = _dense_probs(graph, circ_model, CIRC_MIRNA, known, prior)
    q, q_known = _dense_probs(graph, target_model, MIRNA_MRNA, known, prior)
    scores, cs, ts = top_regulation_pairs(p, q, top_k, block)
    ids = {nt: list(graph[nt].ids) for nt in (CIRCRNA, MIRNA, MRNA)}
    mseq, tseq = node_sequences(graph, MIRNA), node_sequences(graph, MRNA)
    pair_rows, path_rows = [], []
    for s, c, t in zip(scores.tolist(), cs.tolist(), ts.tolist()):
        contrib = p[c] * q[:, t]
        k = min(paths_per_pair, contrib.numel())
        top_v, top_m = torch.topk(contrib, k)
        for v, m in zip(top_v.tolist(), top_m.tolist()):
            path_rows.append({
                "circrna": ids[CIRCRNA][c], "mirna": ids[MIRNA][m], "mrna": ids[MRNA][t],
                "path_score": v,
                "circ_evidence": "known" if bool(p_known[c, m]) else "predicted",
                "circ_prob": float(p[c, m]),
                "target_evidence": "known" if bool(q_known[m, t]) else "predicted",
                "target_prob": float(q[m, t]),
                "seed_site": _site(mseq[m], tseq[t])})
        pair_rows.append({"circrna": ids[CIRCRNA][c], "mrna": ids[MRNA][t], "score": s,
                          "best_mirna": ids[MIRNA][int(top_m[0])],
                          "best_path": float(top_v[0])})
    return CernaRanking(pd.DataFrame(pair_rows), pd.DataFrame(path_rows),
                        num_pairs=p.size(0) * q.size(1))


__all__ = ["rank_cerna", "top_regulation_pairs", "shift_prior", "CernaRanking", "KNOWN_MODES"]
