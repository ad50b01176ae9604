"""SequenceVote: a pair scored by the known partners of sequence-similar RNAs (inductive)."""
from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import node_sequences
from rnagraph.data.fold import Fold
from rnagraph.features._estimator import is_int
from rnagraph.models.base import LinkModel
from rnagraph.train.calibration import calibration_pairs
from rnagraph.train.pooled import PooledLinkSet

SIMILARITIES = ("levenshtein", "kmer")
#: the exponents :math:`p` tried on the validation pairs
DEFAULT_POWERS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
#: query rows of the vote matrix computed per matrix product (bounds the temporary memory)
_ROWS = 1024


class SequenceVote(LinkModel):
    r"""The sequence-neighbour vote: RNAs with similar sequences have similar partners.

    With :math:`r` the ``node_type`` end of a pair :math:`(r, t)`, :math:`\mathcal{K}` the
    **known** RNAs of that type (those with a training pair and a sequence),
    :math:`A` the training adjacency (``fold.train_graph``: training positives only) and
    :math:`S(r, r') \in [0, 1]` a sequence similarity,

    .. math::
        v_{rt} = \sum_{r' \in \mathcal{K},\, r' \ne r} S(r, r')^{p} \, A_{r't}, \qquad
        x_{rt} = \log(1 + v_{rt}),

    the partners of the RNAs most like :math:`r` weighted by how alike they are; :math:`x`
    is :meth:`decision_function` (the log changes no ranking; it conditions the calibration).
    An RNA does not vote for itself, so a known RNA is scored from its neighbours exactly as a
    new one is. The exponent :math:`p` is the one of ``powers`` with the best AUC on the
    fold's validation pairs (:func:`~rnagraph.train.calibration.calibration_pairs`; ties to
    the smallest); :math:`p \to \infty` keeps the nearest neighbour, :math:`p = 0` is the
    partner's training degree.

    **Inductive.** Nothing is learned per RNA: an RNA without training pairs (held out by a
    cold-start split, or added to the graph) is scored from its sequence alone, which makes
    this the baseline of the inductive cold-start protocol. RNAs appended to the scoring graph
    after the fitted ones (:meth:`~rnagraph.models.base.LinkModel.extended_graph`) vote from
    their sequences on the ``node_type`` side (:meth:`inductive_mode` ``"sequence"``); a new
    partner RNA is scored by the contract's sequence-neighbour transfer (``"neighbours"``). In
    an inductive fold :math:`p` is chosen on the validation RNAs of ``fold.graph_for("val")``.
    :math:`S` is :class:`~rnagraph.features.LevenshteinSimilarity` (``similarity="levenshtein"``:
    :math:`1 - d/\max(|s|, |s'|)`) or the cosine of
    :class:`~rnagraph.features.KmerFrequency` profiles (``"kmer"``, 1-4-mers; fast on long
    sequences). An RNA of ``graph`` without a sequence cannot be compared: its pairs score
    the **expected** vote :math:`\bar{w}\, k_t` (:math:`\bar{w}` the mean of
    :math:`S^p` over pairs of distinct known RNAs, :math:`k_t` the partner's training degree:
    the partner's popularity on the votes' scale), with a warning that counts them;
    :meth:`pair_reasons` says which.

    Scores are read from the vote matrix of every RNA of ``graph``'s ``node_type`` against
    every partner, computed once per graph (memory :math:`O(N_r N_t)`, float64), so a pair's
    score does not depend on the block it is scored in (``block_rtol = 0``).

    Args:
        node_type (str): the end whose sequences vote; one side of the fitted edge type.
            (default: ``"mirna"``)
        similarity (str): ``"levenshtein"`` or ``"kmer"``. (default: ``"levenshtein"``)
        powers (list[float]): exponents :math:`p \ge 0` tried on validation pairs.
            (default: ``[1, 2, 4, 8, 16, 32]``)
        max_len (int, optional): truncate sequences to their first ``max_len`` nucleotides
            for the Levenshtein similarity (quadratic in the length). (default: ``None``)
        calibrate (bool): Platt-scale :math:`x` on ``fold.val``. (default: ``True``)

    Shapes:
        - **input:** pairs ``[2, N]`` (source type first)
        - **output:** :meth:`decision_function` ``[N]`` float64
    """

    requires_sequences: ClassVar[bool] = True   # on its node_type side (the other needs none)
    block_rtol: ClassVar[float] = 0.0           # read from a matrix computed once per graph

    def __init__(self, node_type: str = "mirna", similarity: str = "levenshtein",
                 powers: list[float] | None = None, max_len: int | None = None,
                 calibrate: bool = True):
        self.node_type = node_type
        self.similarity = similarity
        self.powers = powers
        self.max_len = max_len
        self.calibrate = calibrate

    def _validate_params(self) -> None:
        self._check_param("node_type", isinstance(self.node_type, str),
                          "must be a node type name (one side of the fitted edge type)")
        self._check_param("similarity", self.similarity in SIMILARITIES,
                          f"must be one of {SIMILARITIES}")
        ps = self.powers
        ok = ps is None or (isinstance(ps, (list, tuple)) and len(ps) > 0 and all(
            isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p < float("inf")
            for p in ps))
        self._check_param("powers", ok, "must be None or a non-empty list of finite numbers "
                          ">= 0")
        self._check_param("max_len", self.max_len is None or (is_int(self.max_len)
                                                              and self.max_len >= 1),
                          "must be an integer >= 1 or None")
        self._check_param("calibrate", isinstance(self.calibrate, bool), "must be a bool")

    # ----------------------------------------------------------------- pieces
    def inductive_mode(self, node_type: str) -> str | None:
        """``"sequence"`` on the voting side (a new RNA votes from its sequence), the
        sequence-neighbour transfer on the partner side."""
        return "sequence" if node_type == self.node_type else "neighbours"

    def _side(self) -> int:
        return self._row_of(self.node_type)

    def _known(self) -> tuple[np.ndarray, list[str], Tensor]:
        """The known RNAs (training pair and sequence) of the fitted graph, their sequences
        and their training adjacency rows ``[K, N_t]`` (float64)."""
        g, side = self.graph_, self._side()
        other = self.edge_type_[2 - 2 * side]
        ei = g[self.edge_type_].edge_index
        n_r, n_t = int(g[self.node_type].num_nodes), int(g[other].num_nodes)
        a = torch.zeros(n_r, n_t, dtype=torch.float64)
        a[ei[side], ei[1 - side]] = 1.0
        seqs = node_sequences(g, self.node_type)
        has = np.array([s is not None for s in seqs], dtype=bool)
        known = np.flatnonzero((a.sum(1).numpy() > 0) & has)
        return known, [seqs[i] for i in known], a[torch.from_numpy(known)]

    def _similarity(self, queries: list[str | None], known: list[str]) -> np.ndarray:
        """``S`` ``[len(queries), K]`` (float64; zero rows where a query has no sequence)."""
        from rnagraph.features import sequence_similarity
        return sequence_similarity(queries, known, self.similarity, self.max_len)

    @staticmethod
    def _weights(sim: np.ndarray, nodes: np.ndarray, known: np.ndarray, p: float) -> Tensor:
        """:math:`S^p` (float64) of the rows of ``sim`` (graph nodes ``nodes``) with each
        RNA's own column (a known RNA compared with itself) set to 0."""
        w = torch.from_numpy(sim) ** p
        j = np.searchsorted(known, nodes)
        own = (j < known.size) & (known[np.minimum(j, known.size - 1)] == nodes)
        w[torch.from_numpy(np.flatnonzero(own)), torch.from_numpy(j[own])] = 0.0
        return w

    def _votes(self, sim: np.ndarray, nodes: np.ndarray, has: np.ndarray, known: np.ndarray,
               a_known: Tensor, p: float, mean_weight: float) -> Tensor:
        """The vote matrix :math:`v` ``[R, N_t]`` of the rows of ``sim`` (graph nodes
        ``nodes``, sorted; ``has``: which have a sequence), computed in fixed blocks of rows;
        rows without a sequence get the expected vote ``mean_weight`` x training degree."""
        out = torch.empty(nodes.size, a_known.size(1), dtype=torch.float64)
        for i in range(0, nodes.size, _ROWS):
            blk = slice(i, i + _ROWS)
            out[blk] = self._weights(sim[blk], nodes[blk], known, p) @ a_known
        if not has.all():
            out[torch.from_numpy(~has)] = mean_weight * a_known.sum(0)
        return out

    @staticmethod
    def _mean_weights(sim_kk: np.ndarray, powers: list[float]) -> dict[float, float]:
        """Per exponent, the mean of :math:`S^p` over pairs of distinct known RNAs."""
        k = sim_kk.shape[0]
        off = ~np.eye(k, dtype=bool)
        return {p: float((sim_kk[off] ** p).mean()) if k > 1 else 0.0 for p in powers}

    # ----------------------------------------------------------------- contract hooks
    def _fit(self, fold: Fold) -> None:
        """Choose :math:`p` on the validation pairs (training adjacency only)."""
        from sklearn.metrics import roc_auc_score
        side = self._side()
        seqs = node_sequences(fold.train_graph, self.node_type)
        if not any(s is not None for s in seqs):
            raise ValueError(f"SequenceVote: node type {self.node_type!r} has no sequences; "
                             f"attach a FASTA or use a graph-only model")
        known, kseq, a_known = self._known()
        if known.size == 0:
            raise ValueError(f"SequenceVote: no {self.node_type} with both a sequence and a "
                             "training pair; nothing can vote")
        powers = [float(p) for p in (DEFAULT_POWERS if self.powers is None else self.powers)]
        mean_w = self._mean_weights(self._similarity(kseq, kseq), powers)
        cal = calibration_pairs(fold)
        # inductive folds: validation RNAs are new nodes of the validation graph, and pairs
        # whose partner is new come pooled over the partner's sequence neighbours
        if cal is fold.val:
            seqs = node_sequences(fold.graph_for("val"), self.node_type)
        pooled = isinstance(cal, PooledLinkSet)
        idx = cal.pool_index if pooled else cal.edge_label_index
        r, t = idx[side].numpy(), idx[1 - side].numpy()
        rows, inv = np.unique(r, return_inverse=True)
        qseq = [seqs[i] for i in rows]
        has = np.array([q is not None for q in qseq], dtype=bool)
        sim = self._similarity(qseq, kseq)
        y = cal.edge_label.numpy()
        self.val_auc_: dict[str, float] = {}
        for p in powers:
            x = self._votes(sim, rows, has, known, a_known, p, mean_w[p])[inv, t]
            x = cal.pool(x) if pooled else x
            ok = torch.isfinite(x).numpy()
            self.val_auc_[str(p)] = float(roc_auc_score(y[ok], x.numpy()[ok]))
        best = max(self.val_auc_.values())
        self.power_: float = min(p for p in powers if self.val_auc_[str(p)] == best)
        self.mean_weight_: float = mean_w[self.power_]

    def _encode(self, graph: HeteroData) -> dict:
        """The raw scores of every (``node_type`` RNA of ``graph``, partner) pair."""
        known, kseq, a_known = self._known()
        seqs = node_sequences(graph, self.node_type)
        has = np.array([s is not None for s in seqs], dtype=bool)
        sim = self._similarity(seqs, kseq)
        v = self._votes(sim, np.arange(len(seqs)), has, known, a_known, self.power_,
                        self.mean_weight_)
        n_t = int(graph[self.edge_type_[2 - 2 * self._side()]].num_nodes)
        if n_t > v.size(1):                            # partners without a known pair: 0
            v = torch.cat([v, v.new_zeros(v.size(0), n_t - v.size(1))], 1)
        return {"raw": torch.log1p(v), "has_seq": torch.from_numpy(has)}

    def _split(self, pairs: Tensor) -> tuple[Tensor, Tensor]:
        side = self._side()
        return pairs[side], pairs[1 - side]

    def _decision(self, encoded: dict, pairs: Tensor) -> Tensor:
        r, t = self._split(pairs)
        missing = int((~encoded["has_seq"][r]).sum())
        if missing:
            warnings.warn(f"SequenceVote: {missing} of {r.numel()} pairs have a "
                          f"{self.node_type} without a sequence; they score the expected vote "
                          "(the partner's training degree times the mean similarity)",
                          stacklevel=4)
        return encoded["raw"][r, t]

    def _decision_grid(self, encoded: dict, src: Tensor, dst: Tensor) -> Tensor:
        raw = encoded["raw"]
        return raw[src][:, dst] if self._side() == 0 else raw[dst][:, src].T.contiguous()

    def _link(self, raw: Tensor) -> Tensor:
        return -torch.expm1(-raw)         # 1 - 1 / (1 + v)

    def pair_reasons(self, graph: HeteroData | None, pairs: Tensor) -> list[str | None]:
        """Per pair, ``None`` where it was scored by the vote, else why not and how it was
        scored instead."""
        self._check_fitted()
        pairs = self._pairs(pairs)
        has = self.encoded(graph)["has_seq"]
        r, _ = self._split(pairs)
        return [None if has[i] else f"{self.node_type} without a sequence: scored by the "
                "expected vote (partner's training degree)" for i in r.tolist()]

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        return {}, {"power": self.power_, "mean_weight": self.mean_weight_,
                    "val_auc": self.val_auc_}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        self.power_ = float(extra["power"])
        self.mean_weight_ = float(extra["mean_weight"])
        self.val_auc_ = {str(k): float(v) for k, v in extra["val_auc"].items()}


__all__ = ["SequenceVote"]
