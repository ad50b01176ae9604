"""GRMMI's sequence branch: k-mer embedding -> CNN -> BiLSTM -> miRNA/mRNA mutual attention."""
from __future__ import annotations

import math

import torch
from torch import Tensor

_LSTM = ("bi", "uni", None)


def _tracks_grad(x: Tensor) -> bool:
    """Whether autograd records ops on ``x``: the training path, where nothing is done in
    place (scoring, without gradients, reuses its temporaries)."""
    return torch.is_grad_enabled() and x.requires_grad


def _masked_max(x: Tensor, mask: Tensor, inplace: bool = False) -> Tensor:
    """Max over dim 1 of ``x`` ``[B, T, D]`` at ``mask`` ``[B, T]``; 0 where no position is
    valid. ``inplace`` overwrites ``x``'s masked rows (for a temporary)."""
    fill = x.masked_fill_ if inplace else x.masked_fill
    out = fill(~mask.unsqueeze(-1), float("-inf")).amax(dim=1)
    return torch.where(mask.any(dim=1, keepdim=True), out, torch.zeros_like(out))


class _CrossAttention(torch.nn.Module):
    """Multi-head scaled dot-product attention of queries over keys with padding masks;
    padded queries and rows without a valid key get zero weights.

    Split in a per-sequence part (:meth:`queries`, :meth:`keys`: the linear projections,
    laid out head-major) and a per-pair part (:meth:`attend`: two batched products and a
    softmax), so projections can be computed once per sequence and gathered per pair."""

    def __init__(self, channels: int, heads: int) -> None:
        super().__init__()
        self.channels, self.heads = channels, heads
        self.q = torch.nn.Linear(channels, channels)
        self.k = torch.nn.Linear(channels, channels)
        self.v = torch.nn.Linear(channels, channels)
        self.out = torch.nn.Linear(channels, channels)

    def reset_parameters(self) -> None:
        for lin in (self.q, self.k, self.v, self.out):
            lin.reset_parameters()

    def _heads(self, x: Tensor) -> Tensor:
        """``[N, T, d]`` -> ``[N, heads, T, d / heads]`` (contiguous)."""
        n, t, c = x.shape
        return x.view(n, t, self.heads, c // self.heads).transpose(1, 2).contiguous()

    def queries(self, x: Tensor) -> Tensor:
        """Scaled query projections ``[N, heads, T, d_k]`` of ``x`` ``[N, T, d]``."""
        return self._heads(self.q(x) / math.sqrt(self.channels // self.heads))

    def keys(self, y: Tensor, y_mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Transposed keys ``[N, heads, d_k, T]``, values ``[N, heads, T, d_k]`` and the
        additive key mask ``[N, T]`` (0 or -inf; all 0 for a sequence without a valid
        position, so its softmax stays finite) of ``y`` ``[N, T, d]``."""
        k = self._heads(self.k(y)).transpose(2, 3).contiguous()
        safe = y_mask | ~y_mask.any(dim=1, keepdim=True)
        bias = torch.zeros(y_mask.shape, dtype=y.dtype, device=y.device)
        return k, self._heads(self.v(y)), bias.masked_fill_(~safe, float("-inf"))

    def attend(self, q: Tensor, x_mask: Tensor, k: Tensor, v: Tensor, bias: Tensor,
               y_has: Tensor, out_bias: bool = True, return_logits: bool = False,
               logits_out: Tensor | None = None):
        """Per pair: outputs ``[B, T_q, d]`` and weights ``[B, heads, T_q, T_k]`` of queries
        ``q`` (:meth:`queries`) with mask ``x_mask`` ``[B, T_q]`` over keys ``k, v, bias``
        (:meth:`keys`); ``y_has`` ``[B]``: the key side has a valid position.
        ``out_bias=False`` leaves the output projection's bias out (a caller that pools
        over positions adds it once per pair). ``return_logits=True`` also returns the
        scaled logits ``[B, heads, T_q, T_k]`` (before the key mask and the softmax;
        meaningless at padded positions): the strength of the matches that the softmax
        normalises away. ``logits_out`` (scoring only, no gradient): a ``[B, heads, T_q,
        T_k]`` tensor (a view may be strided) that receives the logits in place of a fresh
        copy; it is what is returned as the logits."""
        b, h, tq, dk = q.shape
        tk = k.size(-1)
        # batched products over (pair, head): each pair's numbers are computed alone, so
        # they do not depend on the other pairs of the block
        a = torch.bmm(q.reshape(b * h, tq, dk), k.reshape(b * h, dk, tk)).view(b, h, tq, tk)
        valid = (x_mask & y_has.unsqueeze(1))[:, None, :, None]
        logits = None
        if return_logits:
            if _tracks_grad(a):
                logits = a
            elif logits_out is not None:
                logits = logits_out.copy_(a)
            else:
                logits = a.clone()
        if _tracks_grad(a):
            a = a + bias[:, None, None, :]
            a = (a - a.amax(dim=-1, keepdim=True).detach()).exp()
            a = a / a.sum(dim=-1, keepdim=True) * valid
        else:   # the same arithmetic in place: no temporaries when scoring
            a.add_(bias[:, None, None, :])
            a.sub_(a.amax(dim=-1, keepdim=True)).exp_()
            a.div_(a.sum(dim=-1, keepdim=True)).mul_(valid)
        out = torch.bmm(a.view(b * h, tq, tk), v.reshape(b * h, tk, dk))
        out = out.view(b, h, tq, dk).transpose(1, 2).reshape(b, tq, h * dk)
        out = torch.nn.functional.linear(out, self.out.weight,
                                         self.out.bias if out_bias else None)
        return (out, a, logits) if return_logits else (out, a)

    def forward(self, x: Tensor, x_mask: Tensor, y: Tensor, y_mask: Tensor
                ) -> tuple[Tensor, Tensor]:
        """Outputs ``[B, T_q, d]`` and weights ``[B, heads, T_q, T_k]`` of ``x`` ``[B, T_q,
        d]`` attending over ``y`` ``[B, T_k, d]``."""
        return self.attend(self.queries(x), x_mask, *self.keys(y, y_mask), y_mask.any(dim=1))


class MutualAttentionEncoder(torch.nn.Module):
    r"""The sequence branch of GRMMI (`"GRMMI: miRNA-mRNA interaction prediction with graph
    representation and mutual attention" <https://doi.org/10.3389/fgene.2025.1563553>`_,
    Frontiers 2025): k-mer token embeddings, per sequence a 1-D CNN, max-pooling and a BiLSTM,
    then multi-head **mutual attention** between the miRNA and the mRNA, pooled to one vector
    per pair.

    For a sequence of tokens :math:`w_1, \dots, w_T` (overlapping k-mers from
    :class:`~rnagraph.features.KmerTokenizer`),

    .. math::
        \mathbf{E} = \mathrm{Emb}(w), \quad
        \mathbf{C} = \mathrm{MaxPool}_p\big(\mathrm{ReLU}(\mathrm{Conv1d}(\mathbf{E}))\big),
        \quad \mathbf{H} = \mathrm{BiLSTM}(\mathbf{C}) \in \mathbb{R}^{T' \times d},

    computed separately for the miRNA (:math:`\mathbf{H}^{mi}`) and the mRNA
    (:math:`\mathbf{H}^{m}`). The miRNA positions then query the mRNA positions (the paper's
    Eq. 17-21, per head :math:`h` with :math:`d_k = d / \text{heads}`)

    .. math::
        \boldsymbol{\alpha}^{h} = \mathrm{softmax}\Big(\frac{\mathbf{H}^{mi}\mathbf{W}_Q^h
        (\mathbf{H}^{m}\mathbf{W}_K^h)^\top}{\sqrt{d_k}}\Big), \qquad
        \mathbf{A}^{mi} = \big[\boldsymbol{\alpha}^{1}\mathbf{H}^{m}\mathbf{W}_V^1 \,\|\,
        \cdots\big]\mathbf{W}_O,

    and, with separate weights, the mRNA positions query the miRNA positions
    (:math:`\mathbf{A}^{m}`). The pair vector is the masked max over positions of each part,

    .. math::
        \mathbf{z} = \big[\max_t \mathbf{H}^{mi}_t \,\|\, \max_t \mathbf{H}^{m}_t \,\|\,
        \max_t \mathbf{A}^{mi}_t \,\|\, \max_t \mathbf{A}^{m}_t\big] \in \mathbb{R}^{4d}

    (:math:`2d` without attention, GRMMI-noatt). The attention outputs are convex
    combinations of values, so how *well* the best positions match is normalised away; with
    ``match_scores=True`` the pair vector also carries, per head and direction, the largest
    scaled logit over valid query and key positions,
    :math:`s^{h} = \max_{i, j} \mathbf{H}^{mi}_i\mathbf{W}_Q^h (\mathbf{H}^{m}_j
    \mathbf{W}_K^h)^\top / \sqrt{d_k}` (and the same for the mRNA queries), adding
    :math:`2 \cdot \text{heads}` entries; with ``map_channels`` :math:`= c > 0` the logit
    maps of both directions, stacked as :math:`2 \cdot \text{heads}` channels over the
    :math:`T'_{mi} \times T'_m` grid (zero outside valid positions), pass a 3x3 ``Conv2d``
    with :math:`c` filters and ReLU and are max-pooled over valid positions, adding :math:`c`
    entries: a filter can respond to a diagonal run of strong matches, i.e. a contiguous
    stretch of pairing (both rnagraph's extensions, not in the paper).

    **Padding** is masked everywhere: padded tokens embed to zero, are never attended to and
    never pooled, and each LSTM direction reads a sequence's padding only after its valid
    positions (the reverse one reads it reversed within its length), so extra padding does not
    change the output. A pair with a missing sequence (length 0) gets zeros for its pooled
    vector and for both attention parts.

    **Long sequences.** With ``window`` set, a sequence longer than ``window`` tokens is cut
    into windows of ``window`` tokens overlapping by ``overlap`` tokens; the CNN and LSTM run
    on each window separately (cost linear in length, LSTM depth bounded by the window) and
    the attention runs over the positions of all windows at once, so its softmax and the max
    pooling cover the whole sequence. Sites shorter than ``overlap`` tokens are never cut.
    Every sequence, however short, is laid out in windows when ``window`` is set.
    Without ``window`` the whole sequence is one window (cap lengths beforehand with
    :class:`~rnagraph.features.KmerTokenizer`'s ``max_tokens`` if needed).

    **Orientation.** The encoder is orientation-agnostic; GRMMI feeds the mRNA reversed
    (3'->5'), so that a canonical site pairs position by position with the miRNA read 5'->3'
    (see :class:`~rnagraph.models.GRMMI`).

    **Caching.** The work splits in three: :meth:`encode` and :meth:`prepare` are per
    sequence (CNN, LSTM, pooling, and the attention's query, key and value projections),
    :meth:`pair` is per pair (two batched products and a softmax per direction). Encode and
    prepare every distinct sequence once, gather the prepared rows per pair
    (:meth:`gather`) and call :meth:`pair`; :meth:`interact` does this for encodings
    already gathered per pair, and :meth:`forward` for one batch of token ids.

    Args:
        vocab_size (int): token vocabulary including the padding id. (default: ``4097``, 6-mers)
        embedding_dim (int): token embedding size. (default: ``64``)
        conv_channels (int): CNN filters. (default: ``64``)
        kernel_size (int): CNN kernel in tokens. (default: ``5``)
        pool_size (int): max-pooling width and stride after the CNN. (default: ``2``)
        hidden_channels (int): LSTM hidden size per direction. (default: ``32``)
        heads (int): attention heads; must divide :math:`d`. (default: ``4``)
        cnn (bool): use the CNN and pooling (``False``: the LSTM-only variant).
            (default: ``True``)
        lstm (str, optional): ``"bi"``, ``"uni"`` (the paper's GRMMI-lstm) or ``None``
            (GRMMI-nolstm). (default: ``"bi"``)
        attention (bool): use the mutual attention (``False``: GRMMI-noatt). (default: ``True``)
        dropout (float): dropout on the per-position features. (default: ``0.1``)
        window (int, optional): tokens per window for long sequences. (default: ``None``)
        overlap (int): tokens shared by consecutive windows. (default: ``16``)
        padding_idx (int, optional): the padding token id. (default: ``vocab_size - 1``)
        embedding_init (Tensor, optional): ``[vocab_size, embedding_dim]`` initial table (e.g.
            :meth:`~rnagraph.features.KmerEmbedding.get_embedding` plus a padding row); kept as
            a buffer, so :meth:`reset_parameters` restores it. (default: ``None``: random)
        freeze_embedding (bool): keep the embedding table fixed. (default: ``False``)
        match_scores (bool): append the per-head best logits to the pair vector (needs
            ``attention``). (default: ``False``)
        map_channels (int): filters of the convolution over the logit maps; ``0`` for none
            (needs ``attention``). (default: ``0``)

    Shapes:
        - **input:** ``mi_ids`` ``[B, T_mi]``, ``mi_len`` ``[B]``, ``m_ids`` ``[B, T_m]``,
          ``m_len`` ``[B]`` (long)
        - **output:** ``[B, out_channels]`` (``4d``, plus ``2 heads`` and ``map_channels``
          if set, or ``2d``; :math:`d` = ``2 * hidden_channels`` for a BiLSTM); with
          ``return_attention=True`` also a dict with
          ``"mirna"`` ``[B, heads, T'_mi, T'_m]`` (miRNA queries over mRNA positions) and
          ``"mrna"`` ``[B, heads, T'_m, T'_mi]``.
    """

    def __init__(self, vocab_size: int = 4097, embedding_dim: int = 64, conv_channels: int = 64,
                 kernel_size: int = 5, pool_size: int = 2, hidden_channels: int = 32,
                 heads: int = 4, cnn: bool = True, lstm: str | None = "bi",
                 attention: bool = True, dropout: float = 0.1, window: int | None = None,
                 overlap: int = 16, padding_idx: int | None = None,
                 embedding_init: Tensor | None = None, freeze_embedding: bool = False,
                 match_scores: bool = False, map_channels: int = 0) -> None:
        super().__init__()
        if lstm not in _LSTM:
            raise ValueError(f"MutualAttentionEncoder: lstm must be 'bi', 'uni' or None, got "
                             f"{lstm!r}")
        if window is not None and not 0 <= overlap < window:
            raise ValueError(f"MutualAttentionEncoder: need 0 <= overlap < window, got "
                             f"overlap={overlap}, window={window}")
        for name, v in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                        ("kernel_size", kernel_size), ("pool_size", pool_size),
                        ("hidden_channels", hidden_channels), ("heads", heads)):
            if v < 1:
                raise ValueError(f"MutualAttentionEncoder: {name} must be >= 1, got {v}")
        self.vocab_size, self.embedding_dim = vocab_size, embedding_dim
        self.conv_channels, self.kernel_size, self.pool_size = conv_channels, kernel_size, pool_size
        self.hidden_channels, self.heads = hidden_channels, heads
        self.cnn, self.lstm, self.attention = cnn, lstm, attention
        self.dropout_p, self.window, self.overlap = dropout, window, overlap
        self.padding_idx = vocab_size - 1 if padding_idx is None else padding_idx
        self.freeze_embedding = freeze_embedding
        if (match_scores or map_channels) and not attention:
            raise ValueError("MutualAttentionEncoder: match_scores and map_channels read the "
                             "attention's logits; they need attention=True")
        if map_channels < 0:
            raise ValueError(f"MutualAttentionEncoder: map_channels must be >= 0, got "
                             f"{map_channels}")
        self.match_scores, self.map_channels = match_scores, map_channels
        if embedding_init is not None:
            if tuple(embedding_init.shape) != (vocab_size, embedding_dim):
                raise ValueError(f"MutualAttentionEncoder: embedding_init has shape "
                                 f"{tuple(embedding_init.shape)}, expected "
                                 f"({vocab_size}, {embedding_dim})")
            self.register_buffer("embedding_init", embedding_init.detach().float().clone())
        else:
            self.embedding_init = None
        self.embedding = torch.nn.Embedding(vocab_size, embedding_dim,
                                            padding_idx=self.padding_idx)
        self.embedding.weight.requires_grad_(not freeze_embedding)
        c = embedding_dim
        self.conv = None
        if cnn:
            self.conv = torch.nn.Conv1d(c, conv_channels, kernel_size, padding="same")
            c = conv_channels
        self.rnn = None
        if lstm is not None:
            self.rnn = torch.nn.LSTM(c, hidden_channels, batch_first=True,
                                     bidirectional=lstm == "bi")
            c = hidden_channels * (2 if lstm == "bi" else 1)
        self.channels = c
        if attention and c % heads:
            raise ValueError(f"MutualAttentionEncoder: heads={heads} must divide the feature "
                             f"size {c}")
        self.att_mi = _CrossAttention(c, heads) if attention else None
        self.att_m = _CrossAttention(c, heads) if attention else None
        self.map_conv = (torch.nn.Conv2d(2 * heads, self.map_channels, 3, padding=1)
                         if self.map_channels else None)
        self.drop = torch.nn.Dropout(dropout)
        self.reset_parameters()

    @property
    def out_channels(self) -> int:
        """Size of the pair vector: ``4 d`` with attention (plus ``2 heads`` with
        ``match_scores`` and ``map_channels``), ``2 d`` without."""
        extra = (2 * self.heads if self.match_scores else 0) + self.map_channels
        return self.channels * (4 if self.attention else 2) + extra

    @property
    def stride(self) -> int:
        """Tokens per encoded position (the pooling width, 1 without CNN)."""
        return self.pool_size if self.cnn else 1

    def reset_parameters(self) -> None:
        """Re-initialise every layer; the embedding from ``embedding_init`` if given."""
        with torch.no_grad():
            if self.embedding_init is not None:
                self.embedding.weight.copy_(self.embedding_init)
            else:
                self.embedding.reset_parameters()
            self.embedding.weight[self.padding_idx].zero_()
        if self.conv is not None:
            self.conv.reset_parameters()
        if self.rnn is not None:
            self.rnn.reset_parameters()
        for att in (self.att_mi, self.att_m):
            if att is not None:
                att.reset_parameters()
        if self.map_conv is not None:
            self.map_conv.reset_parameters()

    # ------------------------------------------------------------------ per sequence
    def _num_windows(self, num_tokens: int) -> int:
        """Windows that cover ``num_tokens`` tokens (at least one)."""
        return max(1, math.ceil(max(num_tokens - self.window, 0)
                                / (self.window - self.overlap)) + 1)

    def _windows(self, ids: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor, int]:
        """Cut ``[B, T]`` into ``[B * W, window]`` with lengths; returns the window count W."""
        b, t = ids.shape
        w, step = self.window, self.window - self.overlap
        n = self._num_windows(t)
        full = n * step + self.overlap
        if full < w:
            full = w
        pad = ids.new_full((b, full - t), self.padding_idx)
        chunks = torch.cat([ids, pad], 1).unfold(1, w, step)[:, :n]   # [B, n, w]
        starts = torch.arange(n, device=ids.device) * step
        lens = (lengths.unsqueeze(1) - starts).clamp(0, w)            # [B, n]
        # a window adds nothing when the previous one already reaches the sequence's end
        lens[(starts > 0) & (lengths.unsqueeze(1) <= starts + self.overlap)] = 0
        return chunks.reshape(b * n, w), lens.reshape(-1), n

    def token_starts(self, num_tokens: int) -> Tensor:
        """``[T']`` the first token of each encoded position for inputs of ``num_tokens``
        tokens (windows included), to map attention back onto the sequence."""
        s = self.stride
        if self.window is None:
            return torch.arange(0, max(num_tokens, 1), s)
        w, step = self.window, self.window - self.overlap
        per = torch.arange(0, w, s)
        return (torch.arange(self._num_windows(num_tokens)).unsqueeze(1) * step
                + per).reshape(-1)

    def encode(self, ids: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Per-sequence features ``[N, T', d]`` and their mask ``[N, T']`` of token ids
        ``[N, T]`` with ``lengths`` ``[N]``."""
        ids, lengths = ids.long(), lengths.long().to(ids.device)
        n_seq = ids.size(0)
        if ids.size(1) == 0:
            ids = ids.new_full((n_seq, 1), self.padding_idx)
        n_win = 1
        if self.window is not None:               # always, so padding never changes the layout
            ids, lengths, n_win = self._windows(ids, lengths)
        t = ids.size(1)
        mask = torch.arange(t, device=ids.device).unsqueeze(0) < lengths.unsqueeze(1)
        x = self.embedding(ids) * mask.unsqueeze(-1)                  # [N, T, E]
        if self.conv is not None:
            x = torch.relu(self.conv(x.transpose(1, 2)))              # [N, C, T]
            x = x * mask.unsqueeze(1)                                 # relu >= 0: pads -> 0
            x = torch.nn.functional.max_pool1d(x, self.pool_size, self.pool_size,
                                               ceil_mode=True).transpose(1, 2)
            lengths = torch.div(lengths + self.pool_size - 1, self.pool_size,
                                rounding_mode="floor")
            t = x.size(1)
            mask = torch.arange(t, device=ids.device).unsqueeze(0) < lengths.unsqueeze(1)
        if self.rnn is not None:
            x = self._lstm(x, lengths)
        x = self.drop(x) * mask.unsqueeze(-1)
        if self.window is not None:
            x = x.reshape(n_seq, n_win * t, -1)
            mask = mask.reshape(n_seq, n_win * t)
        return x, mask

    def _lstm(self, x: Tensor, lengths: Tensor) -> Tensor:
        """The (Bi)LSTM over padded ``x`` ``[N, T, C]`` with ``lengths`` ``[N]``: outputs
        ``[N, T, d]``, equal at the valid positions to the LSTM over each sequence alone.

        Each direction runs as a unidirectional LSTM over the padded batch: the forward
        direction reads padding only after a sequence's end, and the reverse direction reads
        each sequence reversed *within its length* (padding again last), its outputs put back
        in place. A packed sequence would give the same numbers, but its backward pass on CPU
        writes a gradient as large as the whole packed input at every time step (quadratic in
        the length: the main cost of a fit on long targets); over padded steps it is
        linear."""
        rnn, (n, t, c) = self.rnn, x.shape
        h0 = x.new_zeros(1, n, rnn.hidden_size)
        pos = torch.arange(t, device=x.device)
        lengths = lengths.to(x.device).unsqueeze(1)
        rev = torch.where(pos < lengths, lengths - 1 - pos, pos).unsqueeze(-1)     # [N, T, 1]
        out = []
        for sfx in ("", "_reverse") if rnn.bidirectional else ("",):
            w = [getattr(rnn, f"{name}_l0{sfx}")
                 for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            inp = x if not sfx else x.gather(1, rev.expand(-1, -1, c))
            # nn.LSTM's own call, one direction at a time (its parameters, its kernels)
            y = torch._VF.lstm(inp, (h0, h0), w, True, 1, 0.0, rnn.training, False, True)[0]
            out.append(y if not sfx else y.gather(1, rev.expand(-1, -1, y.size(-1))))
        return torch.cat(out, -1) if len(out) > 1 else out[0]

    # ------------------------------------------------------------------ per pair
    def prepare(self, h: Tensor, mask: Tensor, side: str, width: int | None = None
                ) -> dict[str, Tensor]:
        """The per-sequence inputs of :meth:`pair` for encodings ``h`` ``[N, T', d]`` with
        ``mask`` ``[N, T']`` (from :meth:`encode`) of ``side`` (``"mi"`` or ``"m"``):
        ``mask``, ``pool`` (the masked max ``[N, d]``) and, with attention, the side's
        query projections ``q`` ``[N, heads, T', d_k]`` for its own direction and its key
        and value projections ``k`` ``[N, heads, d_k, T']``, ``v`` ``[N, heads, T', d_k]``
        and key mask ``bias`` ``[N, T']`` for the other direction. ``width`` pads the
        positions to that many (padded positions are masked, so they add exactly zero
        weight), for a cache of fixed width."""
        if side not in ("mi", "m"):
            raise ValueError(f"MutualAttentionEncoder.prepare: side must be 'mi' or 'm', got "
                             f"{side!r}")
        if width is not None and width > h.size(1):
            h = torch.nn.functional.pad(h, (0, 0, 0, width - h.size(1)))
            mask = torch.nn.functional.pad(mask, (0, width - mask.size(1)))
        out = {"mask": mask, "pool": _masked_max(h, mask)}
        if self.attention:
            own, other = (self.att_mi, self.att_m) if side == "mi" else (self.att_m, self.att_mi)
            out["q"] = own.queries(h)
            out["k"], out["v"], out["bias"] = other.keys(h, mask)
            if self.map_conv is not None:
                # zero queries and keys at padded positions, once per sequence: the logit
                # maps are then exactly zero outside the valid cells, as the map convolution
                # reads them, with no per-pair masking (the attention masks these positions
                # anyway, so its outputs do not change)
                out["q"] = out["q"].masked_fill(~mask[:, None, :, None], 0.0)
                out["k"] = out["k"].masked_fill(~mask[:, None, None, :], 0.0)
        return out

    @staticmethod
    def gather(prepared: dict[str, Tensor], index: Tensor) -> dict[str, Tensor]:
        """The rows ``index`` ``[B]`` of every tensor of :meth:`prepare`'s output."""
        return {key: t.index_select(0, index) for key, t in prepared.items()}

    def pair(self, mi: dict[str, Tensor], m: dict[str, Tensor],
             return_attention: bool = False):
        """Pair vectors ``[B, out_channels]`` of the prepared miRNA and mRNA rows of ``B``
        pairs (:meth:`prepare`, gathered per pair)."""
        parts = [mi["pool"], m["pool"]]
        att = None
        if self.attention:
            has_mi, has_m = mi["mask"].any(1), m["mask"].any(1)
            # the output projections' biases are added after the max over positions (the
            # same numbers: rounding is monotonic), sparing a [B, T', d] pass each
            maps = self.match_scores or self.map_conv is not None
            buf = out_mi = out_m = None
            if maps and not _tracks_grad(mi["q"]) and not _tracks_grad(m["q"]):
                # scoring: both directions' logits land in one [B, 2 heads, T'_mi, T'_m]
                # stack (the mRNA queries' maps transposed on the way), one copy each, laid
                # out channels-last: oneDNN's 3x3 convolution over few channels runs several
                # times faster on that layout than on the default one (measured on CPU)
                h, t_mi, t_m = self.heads, mi["q"].size(2), m["q"].size(2)
                buf = mi["q"].new_empty(mi["q"].size(0), t_mi, t_m, 2 * h).permute(0, 3, 1, 2)
                out_mi, out_m = buf[:, :h], buf[:, h:].transpose(2, 3)
            r_mi = self.att_mi.attend(mi["q"], mi["mask"], m["k"], m["v"], m["bias"], has_m,
                                      out_bias=False, return_logits=maps,
                                      logits_out=out_mi)                   # miRNA queries
            r_m = self.att_m.attend(m["q"], m["mask"], mi["k"], mi["v"], mi["bias"], has_mi,
                                    out_bias=False, return_logits=maps,
                                    logits_out=out_m)                      # mRNA queries
            both = (has_mi & has_m).unsqueeze(1)
            inplace = not _tracks_grad(r_mi[0])
            for r, mask, att in ((r_mi, mi["mask"], self.att_mi), (r_m, m["mask"], self.att_m)):
                pooled = _masked_max(r[0], mask & both, inplace)
                parts.append(torch.where(both, pooled + att.out.bias, pooled))
            if maps:
                stack = (buf if buf is not None
                         else torch.cat([r_mi[2], r_m[2].transpose(2, 3)], dim=1))
                parts += self._map_features(stack, mi, m, both)
            att = {"mirna": r_mi[1], "mrna": r_m[1]}
        z = torch.cat(parts, dim=-1)
        return (z, att) if return_attention else z

    def _map_features(self, maps: Tensor, mi: dict[str, Tensor], m: dict[str, Tensor],
                      both: Tensor) -> list[Tensor]:
        """From the logit maps of both directions, stacked as ``maps`` ``[B, 2 heads, T'_mi,
        T'_m]`` (the mRNA queries' maps transposed) over the valid (miRNA, mRNA) positions
        of the prepared rows ``mi`` and ``m``: with ``match_scores`` each channel's max
        ``[B, 2 heads]``; with ``map_channels`` a 3x3 convolution of the maps (zero outside
        the valid positions: :meth:`prepare` zeroes queries and keys there), ReLU and max
        over the valid positions ``[B, map_channels]``. Zeros for a pair without both
        sequences."""
        out = []
        if self.match_scores:
            valid = (mi["mask"].unsqueeze(2) & m["mask"].unsqueeze(1)).unsqueeze(1)
            best = maps.masked_fill(~valid, float("-inf")).amax(dim=(2, 3))
            out.append(torch.where(both, best, torch.zeros_like(best)))
        if self.map_conv is not None:
            y = self.map_conv(maps)
            # -inf outside the valid cells: the sum of both sides' additive key masks
            # (:meth:`prepare`'s ``bias``, 0 or -inf per position; all 0 for a sequence
            # without a valid position, a pair that ``both`` zeroes below); the max over
            # positions by max-pooling (on the channels-last maps of scoring, both run
            # several times faster than a boolean masked_fill and amax); ReLU after the max
            # (the same numbers: ReLU is monotonic), one pass less over the maps
            bias = mi["bias"][:, None, :, None] + m["bias"][:, None, None, :]
            y = y.add_(bias) if not _tracks_grad(y) else y + bias
            pooled = torch.nn.functional.adaptive_max_pool2d(y, 1).flatten(1)
            out.append(torch.relu(pooled) * both)
        return out

    def interact(self, h_mi: Tensor, mask_mi: Tensor, h_m: Tensor, mask_m: Tensor,
                 return_attention: bool = False):
        """Pair vectors ``[B, out_channels]`` of per-pair gathered encodings (from
        :meth:`encode`): ``h_mi`` ``[B, T'_mi, d]``, ``h_m`` ``[B, T'_m, d]`` and masks."""
        return self.pair(self.prepare(h_mi, mask_mi, "mi"), self.prepare(h_m, mask_m, "m"),
                         return_attention)

    def forward(self, mi_ids: Tensor, mi_len: Tensor, m_ids: Tensor, m_len: Tensor,
                return_attention: bool = False):
        h_mi, k_mi = self.encode(mi_ids, mi_len)
        h_m, k_m = self.encode(m_ids, m_len)
        return self.interact(h_mi, k_mi, h_m, k_m, return_attention)

    def __repr__(self) -> str:
        parts = [f"{self.vocab_size}", f"embedding_dim={self.embedding_dim}"]
        if self.cnn:
            parts.append(f"conv_channels={self.conv_channels}, kernel_size={self.kernel_size}, "
                         f"pool_size={self.pool_size}")
        parts.append(f"lstm={self.lstm!r}, hidden_channels={self.hidden_channels}")
        parts.append(f"heads={self.heads}" if self.attention else "attention=False")
        if self.match_scores:
            parts.append("match_scores=True")
        if self.map_channels:
            parts.append(f"map_channels={self.map_channels}")
        if self.window is not None:
            parts.append(f"window={self.window}, overlap={self.overlap}")
        return f"{type(self).__name__}({', '.join(parts)})"
