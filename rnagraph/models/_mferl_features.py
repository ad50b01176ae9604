"""The five MFERL input views per node type, computed for one fold (private helper of MFERL).

Sequence views (Levenshtein similarity, CTD, 1-4-mer, Doc2Vec) depend only on the sequences and
are cached in memory across folds and on disk across runs (key: a hash of the sequences and the
featurizer options). The graph views (Role2Vec, interaction-profile similarity) are computed
from each fold's **training graph only**; the Role2Vec embedding (the one costly step, ~14 s on
cmi-9589) is also kept on disk, keyed by a hash of the training edges, the node counts and the
encoder options, so rerunning the same fold (resume, ablations, models sharing folds) reuses it.
Role2Vec runs with one gensim worker and is deterministic given its seed, so a cached embedding
equals a recomputed one. The disk cache lives under ``$RNAGRAPH_CACHE`` (default
``~/.cache/rnagraph``) in ``mferl/``; files are written atomically.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.typing import EdgeType, NodeType

#: The paper's five views, in the channel order MCAM sees them.
VIEWS: tuple[str, ...] = ("similarity", "ctd", "kmer", "doc2vec", "role2vec")
SEQUENCE_VIEWS: tuple[str, ...] = ("ctd", "kmer", "doc2vec")


@dataclass
class MFERLInputs:
    """Tensor inputs of :class:`~rnagraph.models.MFERL` for one graph.

    Attributes:
        x (dict): ``{node_type: {view: Tensor [N_t, F_v]}}``; a view ``"embedding"`` has no
            tensor (the model learns it) and is absent here.
        homo_edge_index (dict): ``{node_type: LongTensor [2, E_t]}`` thresholded similarity graph.
        edge_index (Tensor): ``[2, E]`` training edges of the predicted type.
        views (dict): ``{node_type: [view names]}`` in channel order (``"embedding"`` included).
        sources (dict): ``{node_type: {view: how it was computed}}``, for reports.
        num_nodes (dict): ``{node_type: N_t}``.
    """

    x: dict[NodeType, dict[str, Tensor]]
    homo_edge_index: dict[NodeType, Tensor]
    edge_index: Tensor
    views: dict[NodeType, list[str]]
    sources: dict[NodeType, dict[str, str]] = field(default_factory=dict)
    num_nodes: dict[NodeType, int] = field(default_factory=dict)

    def in_channels(self) -> dict[NodeType, dict[str, int]]:
        """``{node_type: {view: input width}}``; the learnable ``"embedding"`` view maps to the
        number of nodes (the rows of its table)."""
        return {t: {v: (self.x[t][v].size(1) if v in self.x[t] else self.num_nodes[t])
                    for v in vs} for t, vs in self.views.items()}

    def describe(self) -> str:
        """One line per node type naming the views used and their source."""
        return "; ".join(f"{t}: " + ", ".join(f"{v} ({self.sources[t][v]})" for v in vs)
                         for t, vs in self.views.items())


#: bump when a featurizer's output changes, so stale disk-cache entries are not read
_CACHE_VERSION = 1

_VIEW_SOURCES = {"similarity": "Levenshtein similarity", "ctd": "CTD",
                 "kmer": "1-4-mer frequencies", "doc2vec": "Doc2Vec"}


def _seq_key(t: NodeType, seqs: list[str | None], view: str, params: tuple) -> str:
    h = hashlib.sha256()
    for s in seqs:
        h.update((s or "").encode())
        h.update(b"\0" if s is None else b"\1")
    return f"{t}|{view}|{params}|{h.hexdigest()}"


def _cache_dir(disk_cache: bool | str | Path) -> Path | None:
    if disk_cache is False or disk_cache is None:
        return None
    if disk_cache is True:
        from rnagraph.features._cache import default_cache_dir
        return default_cache_dir() / "mferl"
    return Path(disk_cache).expanduser()


def _disk_path(folder: Path, kind: str, key: str) -> Path:
    digest = hashlib.sha256(f"v{_CACHE_VERSION}|{key}".encode()).hexdigest()
    return folder / f"{kind}-{digest}.npy"


def _disk_cached(folder: Path | None, kind: str, key: str, shape0: int, compute):
    """``compute()`` (a float array with ``shape0`` rows), read from / written to ``folder``."""
    if folder is None:
        return compute()
    from rnagraph.features import _cache
    path = _disk_path(folder, kind, key)
    if path.exists():
        try:
            arr = np.load(path, allow_pickle=False)
            if arr.ndim == 2 and arr.shape[0] == shape0:
                return arr
        except (OSError, ValueError):
            pass  # unreadable entry: recompute and overwrite
    arr = np.ascontiguousarray(np.asarray(compute(), dtype=np.float32))
    try:
        _cache.save_atomic(path, arr)
    except OSError:  # read-only or full cache folder: go on without caching
        pass
    return arr


def _gip_similarity(adj: np.ndarray) -> np.ndarray:
    r"""Gaussian interaction-profile kernel (van Laarhoven et al., 2011):
    :math:`K_{ij} = \exp(-\gamma \lVert a_i - a_j \rVert^2)`,
    :math:`\gamma = 1 / \mathrm{mean}_i \lVert a_i \rVert^2`; rows of isolated nodes are 0
    (their diagonal included) so they get no similarity edges."""
    a = adj.astype(np.float64)
    sq = (a * a).sum(1)
    mean_sq = sq[sq > 0].mean() if (sq > 0).any() else 1.0
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * a @ a.T, 0.0)
    k = np.exp(-d2 / mean_sq)
    k[sq == 0, :] = 0.0
    k[:, sq == 0] = 0.0
    return k.astype(np.float32)


def _interaction_similarity(adj: np.ndarray) -> tuple[np.ndarray, str]:
    # The shared featurizer; the local GIP fallback only covers a checkout without it.
    try:
        from rnagraph.features.gip import InteractionProfileSimilarity
    except ImportError:
        return _gip_similarity(adj), "GIP kernel of training interactions"
    sim = InteractionProfileSimilarity().fit(adj).transform()
    return (np.asarray(sim, dtype=np.float32),
            "InteractionProfileSimilarity, GIP kernel (train graph)")


def _graph_embedding(edge_index: Tensor, n_src: int, n_dst: int, dim: int,
                     seed: int, cache_dir: Path | None = None) -> tuple[Tensor, Tensor, str]:
    """Role2Vec on the training bipartite graph (both types in one node set); with
    ``cache_dir`` the embedding is read from / written to disk, keyed by a hash of
    ``edge_index`` (the training edges), the node counts and the encoder options."""
    ei = torch.stack([edge_index[0], edge_index[1] + n_src])
    try:
        from rnagraph.nn.encoders.role2vec import Role2Vec
        enc, name = Role2Vec(dim=dim, seed=seed), "Role2Vec (train graph)"
    except ImportError:
        from rnagraph.nn.encoders.grarep import GraRep
        enc = GraRep(dim=max(1, dim // 4), order=4, seed=seed)   # 4 orders x dim/4 = dim
        name = "GraRep (train graph; Role2Vec unavailable)"
    h = hashlib.sha256(np.ascontiguousarray(ei.numpy().astype(np.int64)).tobytes())
    opts = {k: v for k, v in sorted(vars(enc).items()) if isinstance(v, (int, float, str, bool))}
    key = f"{type(enc).__name__}|{n_src}|{n_dst}|{opts}|{h.hexdigest()}"
    emb = _disk_cached(cache_dir, "graphemb", key, n_src + n_dst,
                       lambda: enc.fit(ei, num_nodes=n_src + n_dst).transform())
    emb = torch.as_tensor(np.asarray(emb), dtype=torch.float32)
    return emb[:n_src], emb[n_src:], name


def _sequence_view(view: str, seqs: list[str | None], cfg: dict) -> tuple[np.ndarray, str]:
    if view == "similarity":
        from rnagraph.features.levenshtein import LevenshteinSimilarity
        return (LevenshteinSimilarity(max_len=cfg.get("max_len"), progress=False)
                .fit_transform(seqs), "Levenshtein similarity")
    if view == "ctd":
        from rnagraph.features.ctd import CTD
        return CTD().fit_transform(seqs), "CTD"
    if view == "kmer":
        from rnagraph.features.kmer import KmerFrequency
        return KmerFrequency((1, 2, 3, 4)).fit_transform(seqs), "1-4-mer frequencies"
    if view == "doc2vec":
        from rnagraph.features.doc2vec import Doc2VecEmbedding
        return (Doc2VecEmbedding(dim=cfg.get("doc2vec_dim", 128), seed=cfg.get("seed", 0))
                .fit_transform(seqs), "Doc2Vec")
    raise ValueError(f"MFERL: unknown view {view!r}; expected one of {VIEWS}")


def similarity_edges(sim: Tensor, threshold: float = 0.5,
                     max_neighbors: int | None = None) -> Tensor:
    r"""Edges :math:`(i, j)`, :math:`i \neq j`, with :math:`s_{ij} > \text{threshold}`; with
    ``max_neighbors`` only each node's ``max_neighbors`` most similar such nodes are kept (and
    the result symmetrised). ``[2, E]`` LongTensor."""
    mask = sim > threshold
    mask.fill_diagonal_(False)
    if max_neighbors is not None and sim.size(0) > max_neighbors:
        scores = sim.masked_fill(~mask, float("-inf"))
        top = scores.topk(max_neighbors, dim=1).indices
        keep = torch.zeros_like(mask)
        keep.scatter_(1, top, True)
        keep &= mask
        mask = keep | keep.t()
    return mask.nonzero().t().contiguous()


def _standardize(x: Tensor) -> Tensor:
    """Column z-scores over the nodes of one type (constant columns become 0)."""
    std = x.std(dim=0, unbiased=False)
    return (x - x.mean(dim=0)) / torch.where(std > 0, std, torch.ones_like(std))


def compute_inputs(graph: HeteroData, edge_type: EdgeType, views: tuple[str, ...] = VIEWS, *,
                   threshold: float = 0.5, max_neighbors: int | None = 32,
                   role2vec_dim: int = 128, min_seq_frac: float = 0.5, standardize: bool = True,
                   seed: int = 0, cache: dict | None = None,
                   disk_cache: bool | str | Path = True, **cfg) -> MFERLInputs:
    """Compute MFERL's input views for ``graph`` (a fold's training graph).

    A node type whose share of nodes with a sequence is below ``min_seq_frac`` gets, instead of
    the sequence views: interaction-profile similarity for ``similarity`` (also defining its
    homogeneous graph) and one learnable ``embedding`` view in place of CTD / k-mer / Doc2Vec.
    Nodes without a sequence in a type that has enough of them get zero rows (as the
    featurizers return) and no similarity edges. With ``standardize`` every view is turned into
    column z-scores over the nodes of its type (the views differ in scale by orders of
    magnitude: k-mer frequencies vary by ~0.03, CTD by ~0.3); the similarity graphs use the raw
    similarities.

    ``cache`` is an in-memory dict shared across calls; ``disk_cache`` (``True``: under
    ``$RNAGRAPH_CACHE`` or ``~/.cache/rnagraph``; a path; ``False``: off) also keeps the
    sequence views and the Role2Vec embedding on disk (see the module docstring).
    """
    src_t, _, dst_t = edge_type
    cache = {} if cache is None else cache
    folder = _cache_dir(disk_cache)
    edge_index = graph[edge_type].edge_index.long()
    n = {src_t: int(graph[src_t].num_nodes), dst_t: int(graph[dst_t].num_nodes)}
    adj = np.zeros((n[src_t], n[dst_t]), dtype=np.float32)
    adj[edge_index[0].numpy(), edge_index[1].numpy()] = 1.0
    profiles = {src_t: adj, dst_t: adj.T}
    emb_src, emb_dst, emb_name = (None, None, "")
    if "role2vec" in views:
        emb_src, emb_dst, emb_name = _graph_embedding(edge_index, n[src_t], n[dst_t],
                                                      role2vec_dim, seed, folder)
    x: dict[NodeType, dict[str, Tensor]] = {}
    homo: dict[NodeType, Tensor] = {}
    used: dict[NodeType, list[str]] = {}
    sources: dict[NodeType, dict[str, str]] = {}
    for t in (src_t, dst_t):
        store = graph[t]
        seqs = list(getattr(store, "seq", None) or [None] * n[t])
        frac = sum(s is not None for s in seqs) / max(1, n[t])
        with_seq = frac >= min_seq_frac
        x[t], used[t], sources[t] = {}, [], {}
        for v in views:
            if v == "role2vec":
                x[t][v] = emb_src if t == src_t else emb_dst
                src = emb_name
            elif v == "similarity" and not with_seq:
                sim, src = _interaction_similarity(profiles[t])
                x[t][v] = torch.from_numpy(sim)
            elif v in SEQUENCE_VIEWS and not with_seq:
                if "embedding" not in used[t]:
                    used[t].append("embedding")
                    replaced = "/".join(w for w in views if w in SEQUENCE_VIEWS)
                    sources[t]["embedding"] = (f"learnable (replaces {replaced}; "
                                               f"{frac:.0%} of nodes have a sequence)")
                continue
            else:
                key = _seq_key(t, seqs, v, (cfg.get("max_len"), cfg.get("doc2vec_dim"), seed))
                if key not in cache:
                    arr = _disk_cached(folder, f"seqview-{v}", key, n[t], lambda v=v, seqs=seqs: (
                        _sequence_view(v, seqs, {**cfg, "seed": seed})[0]))
                    cache[key] = (arr, _VIEW_SOURCES[v])
                arr, src = cache[key]
                x[t][v] = torch.as_tensor(np.asarray(arr), dtype=torch.float32)
            used[t].append(v)
            sources[t][v] = src
        if "similarity" in x[t]:
            homo[t] = similarity_edges(x[t]["similarity"], threshold, max_neighbors)
        else:
            homo[t] = torch.empty(2, 0, dtype=torch.long)
        if standardize:
            x[t] = {v: _standardize(val) for v, val in x[t].items()}
    return MFERLInputs(x=x, homo_edge_index=homo, edge_index=edge_index, views=used,
                       sources=sources, num_nodes=n)
