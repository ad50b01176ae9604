"""The sequence-neighbour transfer: how a model that learned nothing from sequences scores an
RNA it was not fitted with (see "New RNAs" in :mod:`rnagraph.models.base`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import node_sequences
from rnagraph.typing import EdgeType, NodeType

#: median length (nt) up to which ``similarity="auto"`` compares sequences by edit distance
AUTO_LEVENSHTEIN_MAX = 200


@dataclass(frozen=True)
class NeighbourTransfer:
    r"""Settings of the sequence-neighbour transfer.

    A new RNA :math:`r` of a node type borrows from its ``k`` most sequence-similar **known**
    RNAs :math:`r'_1..r'_k` of that type (fitted nodes with a sequence and at least one
    training pair), with weights :math:`w_j = S(r, r'_j)^{p} / \sum_l S(r, r'_l)^{p}`
    (:func:`~rnagraph.features.sequence_similarity`). A model in ``"neighbours"`` mode scores
    the pair :math:`(r, t)` as :math:`\sum_j w_j\, x(r'_j, t)` (its own raw scores of the
    neighbours' pairs); a model in ``"sequence"`` mode may use the same neighbours to place
    :math:`r` in fitted graph structures. An RNA without a sequence, or with no known RNA of
    positive similarity, has no neighbours and is not scored.

    Args:
        k (int): neighbours per new RNA. (default: ``5``)
        similarity (str): ``"levenshtein"``, ``"kmer"`` or ``"auto"`` (edit distance when the
            known sequences' median length is at most 200 nt, k-mer cosine otherwise).
            (default: ``"auto"``)
        power (float): the exponent :math:`p \ge 0`; larger trusts the closest neighbours
            more (similarities of unrelated RNAs are far from 0). (default: ``4.0``)
        max_len (int, optional): truncation of sequences for the edit distance.
            (default: ``None``)
    """

    k: int = 5
    similarity: str = "auto"
    power: float = 4.0
    max_len: int | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.k, int) and self.k >= 1):
            raise ValueError(f"NeighbourTransfer: k must be an int >= 1, got {self.k!r}")
        if self.similarity not in ("levenshtein", "kmer", "auto"):
            raise ValueError("NeighbourTransfer: similarity must be 'levenshtein', 'kmer' or "
                             f"'auto', got {self.similarity!r}")
        if not self.power >= 0:
            raise ValueError(f"NeighbourTransfer: power must be >= 0, got {self.power!r}")

    def kind(self, known: list[str]) -> str:
        """The similarity used for the known sequences ``known``."""
        if self.similarity != "auto":
            return self.similarity
        med = float(np.median([len(s) for s in known])) if known else 0.0
        return "levenshtein" if med <= AUTO_LEVENSHTEIN_MAX else "kmer"


def known_nodes(fitted: HeteroData, edge_type: EdgeType, node_type: NodeType) -> np.ndarray:
    """Fitted ``node_type`` nodes with a sequence and a training pair of ``edge_type``."""
    seqs = node_sequences(fitted, node_type)
    deg = np.zeros(len(seqs), dtype=np.int64)
    if edge_type in fitted.edge_types:
        ei = fitted[edge_type].edge_index
        for row, nt in ((0, edge_type[0]), (1, edge_type[2])):
            if nt == node_type:
                deg += np.bincount(ei[row].numpy(), minlength=len(seqs))
    return np.flatnonzero((deg > 0) & np.array([bool(s) for s in seqs], dtype=bool))


def neighbours(fitted: HeteroData, graph: HeteroData, edge_type: EdgeType,
               node_type: NodeType, transfer: NeighbourTransfer) -> tuple[Tensor, Tensor]:
    """The neighbours of the new ``node_type`` nodes of ``graph`` (those after the fitted
    ones): fitted indices ``[n_new, k]`` (long) and weights ``[n_new, k]`` (float64, rows
    summing to 1, or all zero where the new RNA cannot be placed)."""
    from rnagraph.features import sequence_similarity
    n_fit, n = int(fitted[node_type].num_nodes), int(graph[node_type].num_nodes)
    queries = node_sequences(graph, node_type)[n_fit:n]
    known = known_nodes(fitted, edge_type, node_type)
    k = min(transfer.k, known.size)
    if k == 0 or not queries:
        return (torch.zeros(len(queries), k, dtype=torch.long),
                torch.zeros(len(queries), k, dtype=torch.float64))
    fseqs = node_sequences(fitted, node_type)
    kseqs = [fseqs[i] for i in known]
    sim = sequence_similarity(queries, kseqs, transfer.kind(kseqs), transfer.max_len)
    # the k largest, ties to the lower node index (stable sort of the negated similarity)
    top = np.argsort(-sim, axis=1, kind="stable")[:, :k]
    s = np.take_along_axis(sim, top, axis=1)
    w = np.where(s > 0, s ** transfer.power, 0.0)
    tot = w.sum(1, keepdims=True)
    w = np.divide(w, tot, out=np.zeros_like(w), where=tot > 0)
    return torch.from_numpy(known[top]).long(), torch.from_numpy(w)


def fitted_part(graph: HeteroData, counts: dict[NodeType, int]) -> HeteroData:
    """``graph`` restricted to the first ``counts[nt]`` nodes of each type in ``counts`` (the
    fitted nodes), edges among them kept."""
    if all(int(graph[nt].num_nodes) == c for nt, c in counts.items()):
        return graph
    return graph.subgraph({nt: torch.arange(c) for nt, c in counts.items()})


__all__ = ["NeighbourTransfer", "neighbours", "known_nodes", "fitted_part"]
