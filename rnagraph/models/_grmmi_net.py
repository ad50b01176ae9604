"""GRMMI's network: sequence branch (mutual attention) + graph branch (fixed node embeddings) +
fusion head. Tensors in, tensors out; the loop is :class:`~rnagraph.train.Trainer`'s."""
from __future__ import annotations

import copy

import torch
from torch import Tensor

from rnagraph.models._pair_term import PairTerm
from rnagraph.models.base import BLOCK_BYTES, budget_block
from rnagraph.nn.attention.mutual_attention import MutualAttentionEncoder
from rnagraph.nn.pairing import PAD

FUSIONS = ("concat", "add", "average", "dnn")
#: default bytes of the scoring cache of prepared node encodings (:meth:`GRMMINet.encoding_cache`)
CACHE_BYTES = 256 << 20
#: BLOCK_BYTES (models.base): default bytes of one scoring block's temporaries, per pair
#: (:meth:`GRMMINet.pair_block`) or per node encoded into the cache (:meth:`GRMMINet.fill`)


def _gather(prepared: dict[str, Tensor], index: Tensor) -> dict[str, Tensor]:
    """The rows ``index`` ``[B]`` of every tensor of prepared per-sequence rows."""
    return {key: t.index_select(0, index) for key, t in prepared.items()}


def _mlp(sizes: list[int], dropout: float) -> torch.nn.Sequential:
    layers: list[torch.nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU(), torch.nn.Dropout(dropout)]
    return torch.nn.Sequential(*layers)


class GRMMINet(torch.nn.Module):
    r"""Scores miRNA-target pairs from token buffers and fixed graph embeddings.

    Buffers (moved with the module): ``mi_ids [N_mi, T_mi]``, ``mi_len [N_mi]``,
    ``m_ids [N_m, T_m]``, ``m_len [N_m]`` (k-mer token ids of every node; length 0 = no
    sequence), ``mi_nt [N_mi, L_mi]``, ``m_nt [N_m, L_m]`` (nucleotide codes for the
    ``pairing`` layer, 4 = padding; ``None`` without it) and ``x_mi [N_mi, D_g]``,
    ``x_m [N_m, D_g]`` (graph embeddings, ``D_g = 0`` without a graph branch). Pairs are
    ``[2, B]`` with the miRNA index in row 0.

    With :math:`\mathbf{s}` the encoder's pair vector (followed by the
    features of the pair's nucleotide pairing map with ``pairing``, a
    :class:`~rnagraph.nn.PairingMapCNN` or :class:`~rnagraph.nn.DiagonalPairing`) and
    :math:`\mathbf{g} = [\mathbf{x}^{mi} \| \mathbf{x}^{m}]`: ``concat``
    :math:`\mathbf{h} = [\mathbf{s} \| \mathbf{g}]`; ``add`` / ``average``
    :math:`\mathbf{h} = \mathbf{W}_s\mathbf{s} + \mathbf{W}_g\mathbf{g}` (halved);
    ``dnn`` like ``concat`` with three hidden layers. The "BP" head is one hidden ReLU layer,
    then a linear logit; ``bp=False`` is the linear logit alone (the paper's No-BP).

    With ``pair_channels`` :math:`P > 0` a linear **pair term**
    :math:`\mathbf{w}^\top\boldsymbol{\phi}_{ij} + b` of given pair features ``pair_x
    [B, P]`` (seed-site counts, :class:`~rnagraph.features.SeedSiteFeatures`; rnagraph's
    extension, MFERL's :class:`PairTerm`) is added to the logit, started at ``pair_init``
    (:math:`b = 0`). With ``pair_head`` the same features also join the head's input,
    :math:`[\mathbf{h} \| \boldsymbol{\phi}_{ij}]`, so its hidden layer can weigh them
    against what the branches read (e.g. a miRNA's training count against the kind of
    target).
    """

    def __init__(self, encoder: MutualAttentionEncoder | None, graph_channels: int,
                 num_nodes: tuple[int, int], max_tokens: tuple[int, int],
                 fusion: str = "concat", bp: bool = True, hidden_channels: int = 64,
                 dropout: float = 0.2, pairing: torch.nn.Module | None = None,
                 max_nucleotides: tuple[int, int] = (0, 0), pair_channels: int = 0,
                 pair_init: tuple[float, ...] | None = None, pair_head: bool = False) -> None:
        super().__init__()
        if fusion not in FUSIONS:
            raise ValueError(f"GRMMINet: fusion must be one of {FUSIONS}, got {fusion!r}")
        if encoder is None and graph_channels == 0:
            raise ValueError("GRMMINet: needs a sequence branch or a graph branch")
        if pair_head and not pair_channels:
            raise ValueError("GRMMINet: pair_head needs pair features (pair_channels > 0)")
        if pairing is not None and encoder is None:
            raise ValueError("GRMMINet: the pairing map is part of the sequence branch; it "
                             "needs an encoder")
        self.encoder, self.fusion, self.bp, self.pairing = encoder, fusion, bp, pairing
        (n_mi, n_m), (t_mi, t_m) = num_nodes, max_tokens
        self.register_buffer("mi_ids", torch.zeros(n_mi, t_mi, dtype=torch.long))
        self.register_buffer("mi_len", torch.zeros(n_mi, dtype=torch.long))
        self.register_buffer("m_ids", torch.zeros(n_m, t_m, dtype=torch.long))
        self.register_buffer("m_len", torch.zeros(n_m, dtype=torch.long))
        self.register_buffer("x_mi", torch.zeros(n_mi, graph_channels))
        self.register_buffer("x_m", torch.zeros(n_m, graph_channels))
        # None without a pairing map: model files written before it still load
        nt_mi, nt_m = max_nucleotides
        self.register_buffer("mi_nt", None if pairing is None else
                             torch.full((n_mi, nt_mi), PAD, dtype=torch.long))
        self.register_buffer("m_nt", None if pairing is None else
                             torch.full((n_m, nt_m), PAD, dtype=torch.long))
        s_dim = self.sequence_channels
        g_dim = 2 * graph_channels
        self.proj_s = self.proj_g = None
        if fusion in ("add", "average") and s_dim and g_dim:
            self.proj_s = torch.nn.Linear(s_dim, hidden_channels)
            self.proj_g = torch.nn.Linear(g_dim, hidden_channels)
            h = hidden_channels
        else:
            h = s_dim + g_dim
        self.pair_head = pair_head
        sizes = [h + (pair_channels if pair_head else 0)]
        if bp:
            sizes += ([hidden_channels] if fusion != "dnn"
                      else [2 * hidden_channels, hidden_channels, hidden_channels // 2])
        self.hidden = _mlp(sizes, dropout)
        self.out_channels = sizes[-1]
        self.lin = torch.nn.Linear(sizes[-1], 1)
        self.pair_lin = PairTerm(pair_channels, pair_init) if pair_channels else None
        self.reset_parameters()

    @property
    def sequence_channels(self) -> int:
        """Size of the sequence branch's pair vector (encoder, then pairing map)."""
        return ((self.encoder.out_channels if self.encoder is not None else 0)
                + (self.pairing.out_channels if self.pairing is not None else 0))

    def reset_parameters(self) -> None:
        if self.encoder is not None:
            self.encoder.reset_parameters()
        if self.pairing is not None:
            self.pairing.reset_parameters()
        for m in [self.proj_s, self.proj_g, *self.hidden, self.lin, self.pair_lin]:
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()

    # ------------------------------------------------------------------ new nodes
    def with_nodes(self, rows: dict[str, dict[str, Tensor]]) -> GRMMINet:
        """A copy that shares every parameter and layer of this network, with per-node rows
        appended after its own for scoring new RNAs: ``rows[side]`` (``side`` ``"mi"`` or
        ``"m"``) holds ``"ids"`` ``[n, T]`` and ``"len"`` ``[n]`` (k-mer tokens), ``"x"``
        ``[n, D_g]`` (graph embeddings) and, with a pairing layer, ``"nt"`` ``[n, L]``
        (nucleotide codes). Token and nucleotide buffers are widened with padding where new
        rows are longer (padding is masked, so the fitted rows' scores do not change beyond
        the block tolerance). This network is not changed."""
        out = copy.copy(self)
        out._buffers = dict(self._buffers)
        pad_id = self.encoder.padding_idx if self.encoder is not None else 0
        for side, r in rows.items():
            for key, name, pad in (("ids", f"{side}_ids", pad_id), ("len", f"{side}_len", None),
                                   ("x", f"x_{side}", None), ("nt", f"{side}_nt", PAD)):
                old = self._buffers[name]
                if old is None or key not in r:
                    continue
                new = r[key].to(old.device, old.dtype)
                if pad is not None:
                    w = max(old.size(1), new.size(1))
                    old = torch.nn.functional.pad(old, (0, w - old.size(1)), value=pad)
                    new = torch.nn.functional.pad(new, (0, w - new.size(1)), value=pad)
                out._buffers[name] = torch.cat([old, new])
        return out

    # ------------------------------------------------------------------ sequence branch
    @staticmethod
    def _trim(ids: Tensor, lengths: Tensor) -> Tensor:
        return ids[:, :max(int(lengths.max()), 1)] if lengths.numel() else ids

    def encode_nodes(self, side: str, index: Tensor) -> tuple[Tensor, Tensor]:
        """Encodings ``[n, T', d]`` and masks of the nodes ``index`` of ``side`` (``"mi"`` or
        ``"m"``)."""
        ids, lengths = getattr(self, f"{side}_ids")[index], getattr(self, f"{side}_len")[index]
        return self.encoder.encode(self._trim(ids, lengths), lengths)

    def sequence_vector(self, pairs: Tensor, cache: dict | None = None,
                        return_attention: bool = False):
        """The encoder's pair vectors ``[B, out]``; ``cache`` holds prepared node encodings
        (:meth:`encoding_cache`, filled here as needed)."""
        enc = self.encoder
        if cache is None:   # each distinct sequence of the batch encoded and projected once
            u_mi, inv_mi = torch.unique(pairs[0], return_inverse=True)
            u_m, inv_m = torch.unique(pairs[1], return_inverse=True)
            p_mi = enc.prepare(*self.encode_nodes("mi", u_mi), "mi")
            p_m = enc.prepare(*self.encode_nodes("m", u_m), "m")
            if torch.is_grad_enabled() and not return_attention:
                # training: pairs grouped by target length (the same numbers up to
                # rounding); scoring keeps one width, so a score never depends on its block
                return enc.pair_by_length(p_mi, p_m, inv_mi, inv_m)
        else:
            # cached rows keep the cache's full width: a pair's numbers never depend on the
            # longest sequence of its block, so scores do not change with the block size
            cap_mi, cap_m = self.capacity(cache, "mi"), self.capacity(cache, "m")
            if (torch.unique(pairs[0]).numel() > cap_mi
                    or torch.unique(pairs[1]).numel() > cap_m):
                return self._split(pairs, cache, min(cap_mi, cap_m), return_attention)
            inv_mi = self.fill(cache, "mi", pairs[0])
            inv_m = self.fill(cache, "m", pairs[1])
            p_mi, p_m = cache["mi"], cache["m"]
        return enc.pair(_gather(p_mi, inv_mi), _gather(p_m, inv_m), return_attention)

    def _split(self, pairs: Tensor, cache: dict, cap: int, return_attention: bool):
        """:meth:`sequence_vector` of a block with more distinct nodes than the cache holds:
        in target order, in pieces of at most ``cap`` pairs (each touches at most ``cap``
        nodes per side)."""
        order = torch.argsort(pairs[1] * self.mi_len.numel() + pairs[0], stable=True)
        parts = [self.sequence_vector(pairs[:, order[i:i + cap]], cache, return_attention)
                 for i in range(0, order.numel(), cap)]
        back = torch.argsort(order)
        if not return_attention:
            return torch.cat(parts)[back]
        att = {key: torch.cat([p[1][key] for p in parts])[back] for key in parts[0][1]}
        return torch.cat([p[0] for p in parts])[back], att

    # ------------------------------------------------------------------ memory plan
    def _width(self, side: str) -> int:
        """Encoded positions of the cache rows of ``side`` (its longest sequence, windows
        included)."""
        lengths = getattr(self, f"{side}_len")
        return self.encoder.token_starts(int(lengths.max()) if lengths.numel() else 0).numel()

    def node_bytes(self, side: str) -> int:
        """Bytes of one cached node of ``side`` (:meth:`MutualAttentionEncoder.prepare` at
        the cache's width ``T'``): mask, pool and, with attention, query, key and value
        projections and the key mask, about ``(3 d + 2) T' + d`` floats."""
        if self.encoder is None:
            return 0
        t, d = self._width(side), self.encoder.channels
        floats = d + (((3 * d + 1) * t) if self.encoder.attention is not None else 0)
        return 4 * floats + t                                      # + the boolean mask

    def pair_bytes(self) -> int:
        """Upper estimate of the bytes one pair takes while a block is scored: its gathered
        cache rows (both sides), both directions' attention weights ``heads T'_mi T'_m`` and
        outputs, the logit maps and their convolution (``match_scores`` / ``map_channels``),
        the pairing map's layers and the head; computed from the shapes, with a margin of a
        quarter for the allocator. A block of ``B`` pairs takes about ``B`` times this."""
        floats = 2 * self.hidden[0].in_features if len(self.hidden) else 0
        floats += 2 * self.x_mi.size(1) + 256
        enc = self.encoder
        if enc is not None:
            t_mi, t_m, d, h = self._width("mi"), self._width("m"), enc.channels, enc.heads
            floats += (3 * d + 2) * (t_mi + t_m) + 2 * d               # gathered rows
            if enc.attention is not None:
                grid = t_mi * t_m
                floats += 2 * h * grid + 3 * d * (t_mi + t_m)          # weights, outputs
                scores = enc.match_scores is not None
                map_channels = enc.match_map.out_channels if enc.match_map is not None else 0
                if scores or map_channels:
                    floats += 2 * h * grid * (2 + scores)              # maps, copies, mask
                    floats += map_channels * grid
        if self.pairing is not None:
            l_mi, l_m = self.mi_nt.size(1), self.m_nt.size(1)
            width = getattr(self.pairing, "hidden_channels", 8)
            floats += (3 * width + self.pairing.out_channels + 4) * l_mi * l_m
        return int(1.25 * 4 * floats)

    def pair_block(self, budget: int = BLOCK_BYTES) -> int:
        """Pairs per scoring block whose estimated temporaries (:meth:`pair_bytes`) stay
        within ``budget`` bytes (at least one pair)."""
        return budget_block(self.pair_bytes(), budget)

    def encode_bytes(self, side: str) -> int:
        """Upper estimate of the bytes one node of ``side`` takes while it is encoded into
        the cache (:meth:`fill`): a few ``[tokens, max(E, C)]`` maps at once (embedding, its
        masked copy, the convolution and its ReLU, windows' padding included), the LSTM's
        reversed input, gates and outputs per direction and the encoder's output at the
        cache's width ``T'``, then its prepared rows (:meth:`node_bytes`); a quarter more
        for the allocator. ``n`` nodes encoded at once take about ``n`` times this."""
        enc = self.encoder
        if enc is None:
            return 0
        lengths = getattr(self, f"{side}_len")
        tokens = max(int(lengths.max()) if lengths.numel() else 0, 1)
        if enc.window is not None:
            tokens = enc._num_windows(tokens) * enc.window
        t, d, c = self._width(side), enc.channels, enc.embedding.embedding_dim
        wide = max(c, enc.conv.out_channels if enc.conv is not None else 0)
        floats = 4 * wide * tokens + 2 * d * t
        if enc.lstm is not None:
            h, dirs = enc.lstm.hidden_channels, 2 if enc.lstm.bidirectional else 1
            floats += (enc.lstm.in_channels + 7 * h * dirs) * t
        return int(1.25 * (4 * floats + self.node_bytes(side)))

    # ------------------------------------------------------------------ encoding cache
    @torch.no_grad()
    def encoding_cache(self, budget: int = CACHE_BYTES, block: int = BLOCK_BYTES) -> dict:
        """An empty, **bounded** cache of prepared node encodings
        (:meth:`MutualAttentionEncoder.prepare` padded to the longest sequence of each side),
        filled on demand by :meth:`fill`: per side ``"mi"`` / ``"m"`` a store of ``S`` slots
        (``"mask"``, ``"pool"`` and the attention projections), which node each slot holds
        and when it was last used; ``"mi_done"`` / ``"m_done"`` say which nodes are held now.

        The slots of both sides take at most ``budget`` bytes (:meth:`node_bytes` each; a
        side that fits whole is held whole, the other gets the rest, at least one slot), so
        the cache does not grow with the graph: past that, the least recently used nodes
        are dropped and encoded again when next needed. The slots are allocated
        uninitialised, so pages of slots never filled stay unmapped. :meth:`fill` encodes
        ``"mi_chunk"`` / ``"m_chunk"`` nodes at a time, as many as :meth:`encode_bytes` lets
        into ``block`` bytes, so encoding does not grow with the graph either."""
        out, enc = {}, self.encoder
        sides = ("mi", "m")
        n = {s: getattr(self, f"{s}_len").numel() for s in sides}
        need = {s: n[s] * self.node_bytes(s) for s in sides}
        if need["mi"] + need["m"] <= budget:
            room = need
        else:
            small, big = sorted(sides, key=need.get)
            room = {small: min(need[small], budget // 2)}
            room[big] = budget - room[small]
        for side in sides:
            t, dev = self._width(side), getattr(self, f"{side}_len").device
            slots = min(n[side], max(1, room[side] // max(self.node_bytes(side), 1)))
            row = enc.prepare(torch.zeros(1, t, enc.channels, device=dev),
                              torch.zeros(1, t, dtype=torch.bool, device=dev), side)
            out[side] = {key: v.new_empty((slots, *v.shape[1:])) for key, v in row.items()}
            out[f"{side}_done"] = torch.zeros(n[side], dtype=torch.bool, device=dev)
            out[f"{side}_slot"] = torch.full((n[side],), -1, dtype=torch.long, device=dev)
            out[f"{side}_owner"] = torch.full((slots,), -1, dtype=torch.long, device=dev)
            out[f"{side}_used"] = torch.zeros(slots, dtype=torch.long, device=dev)
            out[f"{side}_chunk"] = budget_block(self.encode_bytes(side), block)
        out["tick"] = 0
        return out

    @staticmethod
    def capacity(cache: dict, side: str) -> int:
        """Nodes of ``side`` that ``cache`` holds at once."""
        return cache[f"{side}_owner"].numel()

    @torch.no_grad()
    def fill(self, cache: dict, side: str, index: Tensor, chunk: int | None = None) -> Tensor:
        """Encode and prepare the nodes of ``side`` in ``index`` that ``cache`` lacks (in
        chunks of similar length, so little padding is encoded: ``chunk`` nodes, ``None``: the
        cache's ``"<side>_chunk"``, from its block budget), dropping the least recently
        used other nodes when the slots are full; returns the slots of ``index``. At most
        :meth:`capacity` distinct nodes per call."""
        todo = torch.unique(index)
        owner, used, slot_of = (cache[f"{side}_owner"], cache[f"{side}_used"],
                                cache[f"{side}_slot"])
        if todo.numel() > owner.numel():
            raise ValueError(f"GRMMINet.fill: {todo.numel()} distinct {side} nodes, the cache "
                             f"holds {owner.numel()}; split the block")
        todo = todo[~cache[f"{side}_done"][todo]]
        chunk = chunk or cache.get(f"{side}_chunk", 1024)
        cache["tick"] += 1
        if todo.numel():
            free = (owner < 0).nonzero().squeeze(1)
            if free.numel() < todo.numel():       # drop the least recently used others
                keep = torch.zeros(owner.numel(), dtype=torch.bool, device=owner.device)
                held = slot_of[torch.unique(index)]
                keep[held[held >= 0]] = True
                cand = (~keep & (owner >= 0)).nonzero().squeeze(1)
                drop = cand[torch.argsort(used[cand], stable=True)][:todo.numel() - free.numel()]
                cache[f"{side}_done"][owner[drop]] = False
                slot_of[owner[drop]] = -1
                owner[drop] = -1
                free = torch.cat([free, drop])
            todo = todo[torch.argsort(getattr(self, f"{side}_len")[todo], stable=True)]
            dest = free[:todo.numel()]
            rows = cache[side]
            width = rows["mask"].size(1)
            for i in range(0, todo.numel(), chunk):
                ix, sl = todo[i:i + chunk], dest[i:i + chunk]
                for key, v in self.encoder.prepare(*self.encode_nodes(side, ix), side,
                                                   width).items():
                    rows[key][sl] = v
            owner[dest], slot_of[todo] = todo, dest
            cache[f"{side}_done"][todo] = True
        slots = slot_of[index]
        used[slots] = cache["tick"]
        return slots

    @torch.no_grad()
    def encode_all(self, chunk: int = 1024) -> dict:
        """:meth:`encoding_cache` with every node encoded (large enough to hold them all:
        for small graphs and tests)."""
        sides = ("mi", "m")
        cache = self.encoding_cache(sum(getattr(self, f"{s}_len").numel() * self.node_bytes(s)
                                        for s in sides))
        for side in sides:
            self.fill(cache, side, torch.arange(getattr(self, f"{side}_len").numel(),
                                                device=self.mi_len.device), chunk)
        return cache

    # ------------------------------------------------------------------ fusion
    def fused(self, pairs: Tensor, cache: dict | None = None,
              pair_x: Tensor | None = None) -> Tensor:
        """The fused pair features ``[B, out_channels]`` (input of the final logit;
        ``pair_x`` ``[B, pair_channels]`` is needed with ``pair_head``)."""
        parts = []
        s = self.sequence_vector(pairs, cache) if self.encoder is not None else None
        if self.pairing is not None:   # full buffer widths: scores do not depend on the block
            s = torch.cat([s, self.pairing(self.mi_nt[pairs[0]], self.m_nt[pairs[1]])], -1)
        g = (torch.cat([self.x_mi[pairs[0]], self.x_m[pairs[1]]], -1)
             if self.x_mi.size(1) else None)
        if self.proj_s is not None:
            h = self.proj_s(s) + self.proj_g(g)
            h = h / 2 if self.fusion == "average" else h
        else:
            parts = [p for p in (s, g) if p is not None]
            h = torch.cat(parts, -1)
        if self.pair_head:
            h = torch.cat([h, self._need_pair_x(pair_x).to(h)], -1)
        return self.hidden(h)

    def _need_pair_x(self, pair_x: Tensor | None) -> Tensor:
        if pair_x is None:
            raise ValueError("GRMMINet: pair_channels > 0 needs pair_x [B, pair_channels] "
                             "(rnagraph.features.SeedSiteFeatures)")
        return pair_x

    def forward(self, pairs: Tensor, cache: dict | None = None,
                pair_x: Tensor | None = None) -> Tensor:
        out = self.lin(self.fused(pairs, cache, pair_x)).squeeze(-1)
        if self.pair_lin is None:
            return out
        return self.pair_lin(self._need_pair_x(pair_x), out)

    def forward_grid(self, mi: Tensor, m: Tensor, cache: dict | None,
                     budget: int = BLOCK_BYTES) -> Tensor | None:
        r"""Logits ``[R, C]`` of every pair of miRNAs ``mi`` ``[R]`` and targets ``m`` ``[C]``
        (``cache`` from :meth:`encoding_cache`), equal to :meth:`forward` of those pairs; ``None``
        where the fusion does not split (``add`` / ``average`` / ``dnn``).

        A pair whose miRNA or target has no sequence gets the encoder vector
        :math:`[\max_t \mathbf{h}^{mi}_t \| \max_t \mathbf{h}^{m}_t \| 0 \| 0]` (no
        attention, and zeros for the pairing map), so the first layer splits into a miRNA
        term and a target term, :math:`\mathbf{W}\mathbf{h}_{ij} = \mathbf{a}_i +
        \mathbf{b}_j`, and a block costs one broadcast sum instead of one attention per
        pair. Pairs with both sequences (and attention or the pairing map on) are scored
        pair by pair, in blocks of :meth:`pair_block` pairs (``budget`` bytes of
        temporaries); the grid is walked in rectangles of as many miRNAs and targets as the
        cache holds (:meth:`capacity`), so memory does not grow with ``R`` or ``C``."""
        if (self.fusion != "concat" or (self.bp and len(self.hidden) != 3)
                or self.pair_lin is not None):    # the pair term: scored pair by pair
            return None
        if self.encoder is None:
            return self._grid_block(mi, m, None, budget)
        out = torch.empty(mi.numel(), m.numel(), device=mi.device)
        rows, cols = self.capacity(cache, "mi"), self.capacity(cache, "m")
        for i in range(0, mi.numel(), rows):
            for j in range(0, m.numel(), cols):
                out[i:i + rows, j:j + cols] = self._grid_block(mi[i:i + rows], m[j:j + cols],
                                                               cache, budget)
        return out

    def _grid_block(self, mi: Tensor, m: Tensor, cache: dict | None, budget: int) -> Tensor:
        """:meth:`forward_grid` of miRNAs and targets that the cache holds at once."""
        first = self.hidden[0] if self.bp else self.lin
        w, bias = first.weight, first.bias                                 # [H, h], [H]
        a, b, off = bias.expand(mi.numel(), -1), 0.0, 0
        has_mi = has_m = None
        if self.encoder is not None:
            s_mi, s_m = self.fill(cache, "mi", mi), self.fill(cache, "m", m)
            p_mi, p_m = cache["mi"]["pool"][s_mi], cache["m"]["pool"][s_m]
            d = p_mi.size(1)
            a, b = a + p_mi @ w[:, :d].T, b + p_m @ w[:, d:2 * d].T
            off = self.sequence_channels
            has_mi, has_m = cache["mi"]["mask"][s_mi].any(1), cache["m"]["mask"][s_m].any(1)
        g = self.x_mi.size(1)
        if g:
            a = a + self.x_mi[mi] @ w[:, off:off + g].T
            b = b + self.x_m[m] @ w[:, off + g:off + 2 * g].T
        if self.bp:   # a few rows at a time: the [rows, C, H] sum stays in cache
            step = max(1, 16384 // max(m.numel(), 1))
            out = torch.cat([(a[i:i + step].unsqueeze(1) + b.unsqueeze(0)).relu_()
                             @ self.lin.weight[0] for i in range(0, mi.numel(), step)]
                            ) + self.lin.bias if mi.numel() else a.new_empty(0, m.numel())
        else:
            out = a[:, :1] + b[:, 0].unsqueeze(0)
        if has_mi is not None and (self.encoder.attention is not None
                                   or self.pairing is not None):
            ii, jj = (has_mi.unsqueeze(1) & has_m.unsqueeze(0)).nonzero(as_tuple=True)
            step = self.pair_block(budget)
            for i in range(0, ii.numel(), step):
                r, c = ii[i:i + step], jj[i:i + step]
                out[r, c] = self.forward(torch.stack([mi[r], m[c]]), cache)
        return out
