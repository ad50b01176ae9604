"""GRMMI's sequence branch: k-mer embedding -> CNN -> BiLSTM -> miRNA/mRNA mutual attention."""
from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

_LSTM = ("bi", "uni", None)


def _masked_max(x: Tensor, mask: Tensor) -> Tensor:
    """Max over dim 1 of ``x`` ``[B, T, D]`` at ``mask`` ``[B, T]``; 0 where no position is
    valid."""
    out = x.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(dim=1)
    return torch.where(mask.any(dim=1, keepdim=True), out, torch.zeros_like(out))


class _CrossAttention(torch.nn.Module):
    """Multi-head scaled dot-product attention of queries over keys with padding masks;
    padded queries and rows without a valid key get zero weights."""

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

    def forward(self, x: Tensor, x_mask: Tensor, y: Tensor, y_mask: Tensor,
                need_weights: bool = True) -> tuple[Tensor, Tensor | None]:
        b, tq, c = x.shape
        tk, h = y.size(1), self.heads
        q = self.q(x).view(b, tq, h, c // h).transpose(1, 2)        # [B, h, Tq, dk]
        k = self.k(y).view(b, tk, h, c // h).transpose(1, 2)        # [B, h, Tk, dk]
        v = self.v(y).view(b, tk, h, c // h).transpose(1, 2)
        has = y_mask.any(dim=1)                                      # [B]
        safe = y_mask | ~has.unsqueeze(1)                            # no NaN rows
        valid = (x_mask & has.unsqueeze(1))[:, None, :, None]        # [B, 1, Tq, 1]
        if not need_weights:     # the fused kernel, without the [B, h, Tq, Tk] weights
            out = torch.nn.functional.scaled_dot_product_attention(
                q, k, v, attn_mask=safe[:, None, None, :]) * valid.to(q.dtype)
            return self.out(out.transpose(1, 2).reshape(b, tq, c)), None
        a = q @ k.transpose(-1, -2) / math.sqrt(c // h)             # [B, h, Tq, Tk]
        a = a.masked_fill(~safe[:, None, None, :], float("-inf"))
        alpha = torch.softmax(a, dim=-1) * valid.to(a.dtype)
        out = (alpha @ v).transpose(1, 2).reshape(b, tq, c)
        return self.out(out), alpha


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

    (:math:`2d` without attention, GRMMI-noatt).

    **Padding** is masked everywhere: padded tokens embed to zero, are never attended to and
    never pooled, and the LSTM runs on packed sequences, so extra padding does not change the
    output. A pair with a missing sequence (length 0) gets zeros for its pooled vector and for
    both attention parts.

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

    **Caching.** :meth:`encode` is per sequence and :meth:`interact` per pair: encode every
    distinct sequence once, gather rows per pair and call :meth:`interact` (what
    :meth:`forward` does for one batch).

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

    Shapes:
        - **input:** ``mi_ids`` ``[B, T_mi]``, ``mi_len`` ``[B]``, ``m_ids`` ``[B, T_m]``,
          ``m_len`` ``[B]`` (long)
        - **output:** ``[B, out_channels]`` (``4d`` or ``2d``, :math:`d` = ``2 *
          hidden_channels`` for a BiLSTM); with ``return_attention=True`` also a dict with
          ``"mirna"`` ``[B, heads, T'_mi, T'_m]`` (miRNA queries over mRNA positions) and
          ``"mrna"`` ``[B, heads, T'_m, T'_mi]``.
    """

    def __init__(self, vocab_size: int = 4097, embedding_dim: int = 64, conv_channels: int = 64,
                 kernel_size: int = 5, pool_size: int = 2, hidden_channels: int = 32,
                 heads: int = 4, cnn: bool = True, lstm: str | None = "bi",
                 attention: bool = True, dropout: float = 0.1, window: int | None = None,
                 overlap: int = 16, padding_idx: int | None = None,
                 embedding_init: Tensor | None = None, freeze_embedding: bool = False) -> None:
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
        self.drop = torch.nn.Dropout(dropout)
        self.reset_parameters()

    @property
    def out_channels(self) -> int:
        """Size of the pair vector: ``4 d`` with attention, ``2 d`` without."""
        return self.channels * (4 if self.attention else 2)

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
            packed = pack_padded_sequence(x, lengths.clamp(min=1).cpu(), batch_first=True,
                                          enforce_sorted=False)
            x, _ = pad_packed_sequence(self.rnn(packed)[0], batch_first=True, total_length=t)
        x = self.drop(x) * mask.unsqueeze(-1)
        if self.window is not None:
            x = x.reshape(n_seq, n_win * t, -1)
            mask = mask.reshape(n_seq, n_win * t)
        return x, mask

    # ------------------------------------------------------------------ per pair
    def interact(self, h_mi: Tensor, mask_mi: Tensor, h_m: Tensor, mask_m: Tensor,
                 return_attention: bool = False):
        """Pair vectors ``[B, out_channels]`` of per-pair gathered encodings (from
        :meth:`encode`): ``h_mi`` ``[B, T'_mi, d]``, ``h_m`` ``[B, T'_m, d]`` and masks."""
        parts = [_masked_max(h_mi, mask_mi), _masked_max(h_m, mask_m)]
        att = None
        if self.attention:
            w = return_attention
            a_mi, al_mi = self.att_mi(h_mi, mask_mi, h_m, mask_m, w)          # miRNA queries
            a_m, al_m = self.att_m(h_m, mask_m, h_mi, mask_mi, w)             # mRNA queries
            both = (mask_mi.any(1) & mask_m.any(1)).unsqueeze(1)
            parts += [_masked_max(a_mi, mask_mi & both), _masked_max(a_m, mask_m & both)]
            att = {"mirna": al_mi, "mrna": al_m}
        z = torch.cat(parts, dim=-1)
        return (z, att) if return_attention else z

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
        if self.window is not None:
            parts.append(f"window={self.window}, overlap={self.overlap}")
        return f"{type(self).__name__}({', '.join(parts)})"
