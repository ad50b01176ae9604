"""MFERL's five input views per node type for one graph (private input assembly of MFERL).

Built only from the library's transforms and featurizers, fitted on the graph given (a fold's
**training graph**): :class:`~rnagraph.features.LevenshteinSimilarity`, :class:`CTD`,
:class:`KmerFrequency` (1-4), :class:`Doc2VecEmbedding`, ``EncoderTransform(Role2Vec(...))``
on the training edges, :class:`~rnagraph.features.InteractionProfileSimilarity` for node types
without enough sequences, and :func:`~rnagraph.features.similarity_graph` for the homogeneous
graphs. Sequence views and the Role2Vec embedding (the one costly step, ~14 s on cmi-9589) go
through the one disk cache, :func:`rnagraph.features._cache.cached_array`, keyed by the
sequences or the training edges and every option; all are deterministic given ``seed``, so a
cached value equals a recomputed one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import node_sequences
from rnagraph.features import _cache
from rnagraph.typing import EdgeType, NodeType

#: The paper's five views, in the channel order MCAM sees them.
VIEWS: tuple[str, ...] = ("similarity", "ctd", "kmer", "doc2vec", "role2vec")
SEQUENCE_VIEWS: tuple[str, ...] = ("ctd", "kmer", "doc2vec")
#: bump when a view's computation changes, so stale cache entries are not read
_VERSION = 2


@dataclass
class MFERLInputs:
    """Tensor inputs of :class:`~rnagraph.models._mferl_net.MFERLNet` for one graph.

    Attributes:
        x (dict): ``{node_type: {view: Tensor [N_t, F_v]}}``; the learnable ``"embedding"``
            view has no tensor.
        homo_edge_index (dict): ``{node_type: LongTensor [2, E_t]}`` similarity graph.
        edge_index (Tensor): ``[2, E]`` training edges of the predicted type.
        views (dict): ``{node_type: [view names]}`` in channel order (``"embedding"`` included).
        sources (dict): ``{node_type: {view: how it was computed}}``, for reports.
        num_nodes (dict): ``{node_type: N_t}``.
        stats (dict): ``{node_type: {view: (mean [F_v], std [F_v])}}``, the column statistics
            of the raw views over the fitted nodes (what :func:`extend_inputs` standardises a
            new RNA's views with); empty for model files written before they were kept.
    """

    x: dict[NodeType, dict[str, Tensor]]
    homo_edge_index: dict[NodeType, Tensor]
    edge_index: Tensor
    views: dict[NodeType, list[str]]
    sources: dict[NodeType, dict[str, str]] = field(default_factory=dict)
    num_nodes: dict[NodeType, int] = field(default_factory=dict)
    stats: dict[NodeType, dict[str, tuple[Tensor, Tensor]]] = field(default_factory=dict)

    def in_channels(self) -> dict[NodeType, dict[str, int]]:
        """``{node_type: {view: input width}}`` (``"embedding"``: the number of nodes)."""
        return {t: {v: (self.x[t][v].size(1) if v in self.x[t] else self.num_nodes[t])
                    for v in vs} for t, vs in self.views.items()}

    def to(self, device: torch.device | str) -> MFERLInputs:
        """A copy with every tensor on ``device``."""
        x = {t: {v: a.to(device) for v, a in xs.items()} for t, xs in self.x.items()}
        return MFERLInputs(x,
                           {t: e.to(device) for t, e in self.homo_edge_index.items()},
                           self.edge_index.to(device), self.views, self.sources, self.num_nodes,
                           self.stats)

    def state(self) -> tuple[dict[str, Tensor], dict]:
        """Flat tensors and a JSON-ready dict, for model files (:meth:`from_state`)."""
        tensors = {f"x.{t}.{v}": a for t, xs in self.x.items() for v, a in xs.items()}
        tensors.update({f"homo.{t}": e for t, e in self.homo_edge_index.items()})
        tensors["edge_index"] = self.edge_index
        for t, st in self.stats.items():
            for v, (mean, std) in st.items():
                tensors[f"stat.{t}.{v}.mean"], tensors[f"stat.{t}.{v}.std"] = mean, std
        return tensors, {"views": self.views, "sources": self.sources,
                         "num_nodes": self.num_nodes}

    @classmethod
    def from_state(cls, tensors: dict[str, Tensor], meta: dict) -> MFERLInputs:
        x = {t: {v: tensors[f"x.{t}.{v}"] for v in vs if f"x.{t}.{v}" in tensors}
             for t, vs in meta["views"].items()}
        stats = {t: {v: (tensors[f"stat.{t}.{v}.mean"], tensors[f"stat.{t}.{v}.std"])
                     for v in vs if f"stat.{t}.{v}.mean" in tensors}
                 for t, vs in meta["views"].items()}
        return cls(x, {t: tensors[f"homo.{t}"] for t in meta["views"]}, tensors["edge_index"],
                   meta["views"], meta["sources"], meta["num_nodes"],
                   {t: st for t, st in stats.items() if st})


def _sequence_view(view: str, seqs: list[str | None], seed: int, cache: bool | str,
                   cfg: dict) -> np.ndarray:
    """One sequence view ``[N, F]`` of ``seqs`` (zero rows where a sequence is missing)."""
    from rnagraph.features import CTD, Doc2VecEmbedding, KmerFrequency, LevenshteinSimilarity
    if view == "similarity":   # the featurizer keeps its matrices in the same disk cache
        return LevenshteinSimilarity(max_len=cfg.get("max_len"), progress=False,
                                     cache=cache is not False,
                                     cache_dir=None if isinstance(cache, bool) else cache
                                     ).fit_transform(seqs)
    feat = {"ctd": CTD, "kmer": lambda: KmerFrequency((1, 2, 3, 4)),
            "doc2vec": lambda: Doc2VecEmbedding(dim=cfg.get("doc2vec_dim", 128), seed=seed)
            }[view]()
    key = _cache.hash_key(f"v{_VERSION}|{type(feat).__name__}|{vars(feat)}",
                          [s if s is not None else "\x00" for s in seqs])
    return _cache.cached_array(f"mferl-{view}", key, (len(seqs), feat.num_features),
                               lambda: feat.fit_transform(seqs), cache)


def _role2vec(graph: HeteroData, edge_type: EdgeType, dim: int, seed: int,
              cache: bool | str) -> dict[NodeType, Tensor]:
    """``EncoderTransform(Role2Vec)`` on ``edge_type``'s edges of ``graph``, cached on disk."""
    from rnagraph.nn.encoders import EncoderTransform, Role2Vec
    src_t, _, dst_t = edge_type
    n_src, n_dst = int(graph[src_t].num_nodes), int(graph[dst_t].num_nodes)
    ei = graph[edge_type].edge_index.long()
    enc = Role2Vec(dim=dim, seed=seed)
    key = _cache.hash_key(f"v{_VERSION}|Role2Vec|{enc.get_params()}|{n_src}|{n_dst}",
                          [ei.numpy().astype(np.int64).tobytes().hex()])

    def compute() -> np.ndarray:
        g = EncoderTransform(enc, [edge_type], name="role2vec").fit_transform(graph)
        return torch.cat([g[src_t].x_role2vec, g[dst_t].x_role2vec]).numpy()

    emb = torch.from_numpy(_cache.cached_array("role2vec", key, (n_src + n_dst, dim), compute,
                                               cache))
    return {src_t: emb[:n_src], dst_t: emb[n_src:]}


def _column_stats(x: Tensor) -> tuple[Tensor, Tensor]:
    """Column means and standard deviations over the nodes of one type (a constant column's
    deviation reads 1, so it standardises to 0)."""
    std = x.std(dim=0, unbiased=False)
    return x.mean(dim=0), torch.where(std > 0, std, torch.ones_like(std))


def _standardize(x: Tensor, stats: tuple[Tensor, Tensor] | None = None) -> Tensor:
    """Column z-scores with ``stats`` (default: those of ``x`` itself)."""
    mean, std = _column_stats(x) if stats is None else stats
    return (x - mean) / std


def mferl_inputs(graph: HeteroData, edge_type: EdgeType, views: tuple[str, ...] = VIEWS, *,
                 threshold: float = 0.5, max_neighbors: int | None = 32,
                 role2vec_dim: int = 128, min_seq_frac: float = 0.5, seed: int = 0,
                 cache: bool | str = True, **cfg) -> MFERLInputs:
    """MFERL's inputs for ``graph`` (a fold's training graph; never mutated).

    A node type whose share of nodes with a sequence is below ``min_seq_frac`` gets, instead of
    the sequence views, interaction-profile similarity for ``similarity`` and one learnable
    ``embedding`` view in place of CTD / k-mer / Doc2Vec. Every view becomes column z-scores
    over the nodes of its type (k-mer frequencies vary by ~0.03, CTD by ~0.3); the similarity
    graph keeps, per node, its ``max_neighbors`` most similar nodes with raw similarity strictly
    above ``threshold``, symmetrised. ``cfg``: ``max_len`` (Levenshtein), ``doc2vec_dim``.
    """
    from rnagraph.features import InteractionProfileSimilarity, similarity_graph
    unknown = set(views) - set(VIEWS)
    if unknown:
        raise ValueError(f"MFERL: unknown views {sorted(unknown)}; choose from {VIEWS}")
    src_t, _, dst_t = edge_type
    n = {t: int(graph[t].num_nodes) for t in (src_t, dst_t)}
    emb = _role2vec(graph, edge_type, role2vec_dim, seed, cache) if "role2vec" in views else {}
    x, homo, used, sources, stats = {}, {}, {}, {}, {}
    for t in (src_t, dst_t):
        seqs = node_sequences(graph, t)
        frac = sum(s is not None for s in seqs) / max(1, n[t])
        x[t], used[t], sources[t] = {}, [], {}
        for v in views:
            if v == "role2vec":
                x[t][v], src = emb[t], "Role2Vec (train graph)"
            elif v == "similarity" and frac < min_seq_frac:
                sim = InteractionProfileSimilarity().fit_graph(graph, edge_type, t).transform()
                x[t][v] = torch.as_tensor(sim, dtype=torch.float32)
                src = "InteractionProfileSimilarity, GIP kernel (train graph)"
            elif frac < min_seq_frac:
                if "embedding" not in used[t]:
                    used[t].append("embedding")
                    replaced = "/".join(w for w in views if w in SEQUENCE_VIEWS)
                    sources[t]["embedding"] = (f"learnable (replaces {replaced}; "
                                               f"{frac:.0%} of nodes have a sequence)")
                continue
            else:
                x[t][v] = torch.from_numpy(np.asarray(_sequence_view(v, seqs, seed, cache, cfg),
                                                      dtype=np.float32))
                src = {"similarity": "Levenshtein similarity", "ctd": "CTD",
                       "kmer": "1-4-mer frequencies", "doc2vec": "Doc2Vec"}[v]
            used[t].append(v)
            sources[t][v] = src
        if "similarity" in x[t]:
            above = float(np.nextafter(np.float32(threshold), np.float32(np.inf)))
            homo[t] = similarity_graph(x[t]["similarity"], threshold=above, knn=max_neighbors,
                                       metric="precomputed")[0]
        else:
            homo[t] = torch.empty(2, 0, dtype=torch.long)
        stats[t] = {v: _column_stats(val) for v, val in x[t].items()}
        x[t] = {v: _standardize(val, stats[t][v]) for v, val in x[t].items()}
    return MFERLInputs(x=x, homo_edge_index=homo,
                       edge_index=graph[edge_type].edge_index.long().clone(), views=used,
                       sources=sources, num_nodes=n, stats=stats)


#: views of a new RNA computed from its own sequence by :func:`extend_inputs` (the others are
#: borrowed from its sequence neighbours)
OWN_VIEWS: tuple[str, ...] = ("similarity", "ctd", "kmer")


def inductive_views(inp: MFERLInputs, node_type: NodeType) -> str | None:
    """Why a new ``node_type`` RNA cannot be placed in MFERL's inputs, or ``None`` when it
    can (its type has the sequence views and their statistics)."""
    views, src = inp.views.get(node_type, []), inp.sources.get(node_type, {})
    if "embedding" in views or "GIP" in src.get("similarity", ""):
        return (f"its {node_type} views were learned per node (too few {node_type} sequences "
                "when it was fitted)")
    if node_type not in inp.stats:
        return "the model file predates MFERL's inductive scoring (no view statistics)"
    return None


def extend_inputs(inp: MFERLInputs, fitted: HeteroData, graph: HeteroData,
                  neighbours: dict[NodeType, tuple[Tensor, Tensor]],
                  max_len: int | None = None) -> MFERLInputs:
    """``inp`` with the new RNAs of ``graph`` (nodes after the ``fitted`` ones) appended.

    Per new RNA of a type in ``neighbours`` (fitted indices ``[n_new, k]`` and weights
    ``[n_new, k]`` from :meth:`~rnagraph.models.base.LinkModel.sequence_neighbours`):

    * its own views (:data:`OWN_VIEWS`): the Levenshtein similarity to every fitted RNA of
      its type, CTD and 1-4-mer frequencies of its sequence, standardised with the fitted
      nodes' column statistics (``inp.stats``);
    * the views fitted on the training corpus or graph (Doc2Vec, Role2Vec): the weighted mean
      of its neighbours' rows;
    * one similarity-graph edge from each neighbour of positive weight **to** it: it reads its
      neighbours in the homogeneous GCN, no fitted node reads it (their in-degrees, and so
      their normalised messages, are unchanged).

    No heterogeneous (interaction) edge is added. Only fitted nodes and training edges are
    read, so the inputs stay fold-safe.
    """
    from rnagraph.features import CTD, KmerFrequency, sequence_similarity
    x = {t: dict(xs) for t, xs in inp.x.items()}
    homo, num = dict(inp.homo_edge_index), dict(inp.num_nodes)
    for t, (nb, w) in neighbours.items():
        n_fit, n = inp.num_nodes[t], int(graph[t].num_nodes)
        if n == n_fit:
            continue
        seqs = node_sequences(graph, t)[n_fit:n]
        for v, val in inp.x[t].items():
            if v == "similarity":
                raw = sequence_similarity(seqs, node_sequences(fitted, t), "levenshtein",
                                          max_len)
            elif v == "ctd":
                raw = CTD().transform(seqs)
            elif v == "kmer":
                raw = KmerFrequency((1, 2, 3, 4)).transform(seqs)
            else:                  # corpus- or graph-fitted: the neighbours' weighted mean
                new = (w.unsqueeze(-1).to(val.dtype) * val[nb]).sum(1)
                x[t][v] = torch.cat([val, new.to(val.device)])
                continue
            new = _standardize(torch.as_tensor(np.asarray(raw, dtype=np.float32)),
                               inp.stats[t][v])
            x[t][v] = torch.cat([val, new.to(val.device)])
        keep = w > 0
        rows = torch.arange(n_fit, n).unsqueeze(1).expand_as(nb)
        link = torch.stack([nb[keep], rows[keep]]).to(homo[t].device)
        homo[t] = torch.cat([homo[t], link], 1)
        num[t] = n
    return MFERLInputs(x, homo, inp.edge_index, inp.views, inp.sources, num, inp.stats)
