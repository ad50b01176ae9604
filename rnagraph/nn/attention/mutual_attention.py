"""GRMMI's sequence branch: token embedding -> CNN -> BiLSTM -> miRNA/target mutual attention,
composed of the blocks in :mod:`rnagraph.nn.sequence` and :mod:`rnagraph.nn.attention`."""
from __future__ import annotations

import math

import torch
from torch import Tensor

from rnagraph.nn.attention._masking import masked_max
from rnagraph.nn.attention.match_map import MatchMap
from rnagraph.nn.attention.match_scores import MatchScores
from rnagraph.nn.attention.mutual import SIDES, MutualAttention
from rnagraph.nn.sequence import KmerConv, PaddedLSTM, TokenEmbedding

#: fewest sequences per length group of :meth:`MutualAttentionEncoder.encode`, most groups
MIN_GROUP, MAX_GROUPS = 16, 4


#: the position axis of each prepared tensor (:meth:`MutualAttentionEncoder.prepare`)
POSITION_DIM = {"mask": 1, "bias": 1, "q": 2, "v": 2, "k": 3}


def _length_groups(lengths: Tensor, keep_empty: bool = False) -> list[Tensor] | None:
    """Indices of the rows (those with a valid token, or all with ``keep_empty``), sorted by
    length and cut into up to :data:`MAX_GROUPS` groups of equal count (at least
    :data:`MIN_GROUP` each); ``None`` where one group would do (few rows, or all of about
    one length)."""
    groups = min(MAX_GROUPS, lengths.numel() // MIN_GROUP)
    if groups < 2 or int(lengths.min()) * 5 >= int(lengths.max()) * 4:
        return None
    order = torch.argsort(lengths, stable=True)
    if not keep_empty:
        order = order[lengths[order] > 0]
    return [g for g in torch.tensor_split(order, groups) if g.numel()]


class MutualAttentionEncoder(torch.nn.Module):
    r"""The sequence branch of GRMMI (`"GRMMI: miRNA-mRNA interaction prediction with graph
    representation and mutual attention" <https://doi.org/10.3389/fgene.2025.1563553>`_,
    Frontiers 2025) as a composition of blocks: token embeddings
    (:class:`~rnagraph.nn.sequence.TokenEmbedding`), per sequence a 1-D CNN with max-pooling
    (:class:`~rnagraph.nn.sequence.KmerConv`) and a BiLSTM
    (:class:`~rnagraph.nn.sequence.PaddedLSTM`), then multi-head **mutual attention**
    between the miRNA and the target (:class:`~rnagraph.nn.attention.MutualAttention`),
    pooled to one vector per pair. A stage passed as ``None`` is left out (GRMMI's ablations:
    no CNN, no LSTM = GRMMI-nolstm, a unidirectional LSTM = GRMMI-lstm, no attention =
    GRMMI-noatt).

    For a sequence of tokens :math:`w_1, \dots, w_T` (overlapping k-mers from
    :class:`~rnagraph.features.KmerTokenizer`),

    .. math::
        \mathbf{E} = \mathrm{Emb}(w), \quad
        \mathbf{C} = \mathrm{MaxPool}_p\big(\mathrm{ReLU}(\mathrm{Conv1d}(\mathbf{E}))\big),
        \quad \mathbf{H} = \mathrm{BiLSTM}(\mathbf{C}) \in \mathbb{R}^{T' \times d},

    computed separately for the miRNA (:math:`\mathbf{H}^{mi}`) and the target
    (:math:`\mathbf{H}^{m}`), dropout on :math:`\mathbf{H}`. The pair vector is the masked
    max over positions of each sequence, then the mutual attention's pooled outputs,

    .. math::
        \mathbf{z} = \big[\max_t \mathbf{H}^{mi}_t \,\|\, \max_t \mathbf{H}^{m}_t \,\|\,
        \max_t \mathbf{A}^{mi}_t \,\|\, \max_t \mathbf{A}^{m}_t\big] \in \mathbb{R}^{4d}

    (:math:`2d` without attention), then the readers of the attention's logit maps where
    given: :class:`~rnagraph.nn.attention.MatchScores` (``+ 2 heads``) and
    :class:`~rnagraph.nn.attention.MatchMap` (``+ c``), both rnagraph's extensions.

    **Padding** is masked everywhere: padded tokens embed to zero, are never attended to and
    never pooled, and each LSTM direction reads a sequence's padding only after its valid
    positions, so extra padding does not change the output. A pair with a missing sequence
    (length 0) gets zeros for its pooled vector and for both attention parts.

    **Long sequences.** With ``window`` set, a sequence longer than ``window`` tokens is cut
    into windows of ``window`` tokens overlapping by ``overlap`` tokens; the CNN and LSTM run
    on each window separately (cost linear in length, LSTM depth bounded by the window) and
    the attention runs over the positions of all windows at once, so its softmax and the max
    pooling cover the whole sequence. Every sequence, however short, is laid out in windows
    when ``window`` is set (a position's index never depends on the padding), and the
    positions past the batch's longest sequence are dropped, so a short sequence (a miRNA)
    gives the attention its own few positions, not a whole window of masked ones.

    **Orientation.** The encoder is orientation-agnostic; GRMMI feeds the target reversed
    (3'->5'), so that a canonical site pairs position by position with the miRNA read 5'->3'.

    **Per sequence, per pair.** :meth:`encode` and :meth:`prepare` are per sequence (CNN,
    LSTM, pooling and the attention's projections), :meth:`pair` is per pair (two batched
    products and a softmax per direction): a caller scoring many pairs prepares each
    distinct sequence once and gathers the prepared rows per pair (GRMMI keeps them in its
    scoring cache, :meth:`~rnagraph.models.GRMMINet.encoding_cache`); :meth:`forward` does
    all of it for one batch of token ids.

    Args:
        embedding (TokenEmbedding): the token table.
        conv (KmerConv, optional): the CNN stage. (default: ``None``)
        lstm (PaddedLSTM, optional): the LSTM stage. (default: ``None``)
        attention (MutualAttention, optional): the mutual attention. (default: ``None``)
        match_scores (MatchScores, optional): the best logits (needs ``attention``).
            (default: ``None``)
        match_map (MatchMap, optional): the logit-map convolution (needs ``attention``,
            ``in_channels = 2 heads``). (default: ``None``)
        dropout (float): dropout on the per-position features. (default: ``0.1``)
        window (int, optional): tokens per window for long sequences. (default: ``None``)
        overlap (int): tokens shared by consecutive windows. (default: ``16``)

    Shapes:
        - **input:** ``mi_ids`` ``[B, T_mi]``, ``mi_len`` ``[B]``, ``m_ids`` ``[B, T_m]``,
          ``m_len`` ``[B]`` (long)
        - **output:** ``[B, out_channels]``; with ``return_attention=True`` also a dict with
          ``"mirna"`` ``[B, heads, T'_mi, T'_m]`` (miRNA queries over target positions) and
          ``"mrna"`` ``[B, heads, T'_m, T'_mi]``.
    """

    def __init__(self, embedding: TokenEmbedding, conv: KmerConv | None = None,
                 lstm: PaddedLSTM | None = None, attention: MutualAttention | None = None,
                 match_scores: MatchScores | None = None, match_map: MatchMap | None = None,
                 dropout: float = 0.1, window: int | None = None, overlap: int = 16) -> None:
        super().__init__()
        name = type(self).__name__
        if window is not None and not 0 <= overlap < window:
            raise ValueError(f"{name}: need 0 <= overlap < window, got overlap={overlap}, "
                             f"window={window}")
        if (match_scores is not None or match_map is not None) and attention is None:
            raise ValueError(f"{name}: match_scores and match_map read the attention's "
                             "logits; they need attention")
        c = embedding.embedding_dim
        for stage in (conv, lstm, attention):
            if stage is None:
                continue
            want = stage.in_channels if hasattr(stage, "in_channels") else stage.channels
            if want != c:
                raise ValueError(f"{name}: {type(stage).__name__} reads {want} features, "
                                 f"the stage before gives {c}")
            c = stage.out_channels if not isinstance(stage, MutualAttention) else c
        if match_map is not None and match_map.in_channels != 2 * attention.heads:
            raise ValueError(f"{name}: match_map reads {match_map.in_channels} maps, the "
                             f"attention gives 2 heads = {2 * attention.heads}")
        self.embedding, self.conv, self.lstm = embedding, conv, lstm
        self.attention, self.match_scores, self.match_map = attention, match_scores, match_map
        self.channels = c
        self.dropout_p, self.window, self.overlap = dropout, window, overlap
        self.drop = torch.nn.Dropout(dropout)
        self.reset_parameters()

    @property
    def padding_idx(self) -> int:
        return self.embedding.padding_idx

    @property
    def heads(self) -> int:
        """Attention heads (0 without attention)."""
        return self.attention.heads if self.attention is not None else 0

    @property
    def out_channels(self) -> int:
        """Size of the pair vector: ``4 d`` with attention (plus the map readers'), ``2 d``
        without."""
        extra = ((2 * self.heads if self.match_scores is not None else 0)
                 + (self.match_map.out_channels if self.match_map is not None else 0))
        return self.channels * (4 if self.attention is not None else 2) + extra

    @property
    def stride(self) -> int:
        """Tokens per encoded position (the pooling width, 1 without CNN)."""
        return self.conv.pool_size if self.conv is not None else 1

    def reset_parameters(self) -> None:
        """Re-initialise every block (the embedding from its initial table if it has one)."""
        for block in (self.embedding, self.conv, self.lstm, self.attention,
                      self.match_scores, self.match_map):
            if block is not None:
                block.reset_parameters()

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
        full = max(n * step + self.overlap, w)
        pad = ids.new_full((b, full - t), self.padding_idx)
        chunks = torch.cat([ids, pad], 1).unfold(1, w, step)[:, :n]   # [B, n, w]
        starts = torch.arange(n, device=ids.device) * step
        lens = (lengths.unsqueeze(1) - starts).clamp(0, w)            # [B, n]
        # a window adds nothing when the previous one already reaches the sequence's end
        lens[(starts > 0) & (lengths.unsqueeze(1) <= starts + self.overlap)] = 0
        return chunks.reshape(b * n, w), lens.reshape(-1), n

    def token_starts(self, num_tokens: int) -> Tensor:
        """``[T']`` the first token of each encoded position of a sequence of ``num_tokens``
        tokens (windows included), to map attention back onto the sequence; ``T'`` is the
        width :meth:`encode` gives a batch whose longest sequence has ``num_tokens`` tokens
        (at least one position)."""
        s = self.stride
        if self.window is None:
            return torch.arange(0, max(num_tokens, 1), s)
        w, step = self.window, self.window - self.overlap
        per = torch.arange(0, w, s)
        n = self._num_windows(num_tokens)
        starts = (torch.arange(n).unsqueeze(1) * step + per).reshape(-1)
        # the last window holds the sequence's last min(L - start, w) tokens: positions past
        # them are padding in every sequence of at most num_tokens tokens, so none is kept
        last = min(max(num_tokens - (n - 1) * step, 1), w)
        return starts[:(n - 1) * per.numel() + -(-last // s)]

    def _stages(self, ids: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Embedding, CNN and LSTM of token ids ``[N, T]``: features ``[N, T', c]``
        (meaningless at padding) and their lengths ``[N]``."""
        # no mask here: KmerConv masks its input, an LSTM direction reads padding only after
        # a sequence's positions, and encode masks what comes out
        x = self.embedding(ids)                                       # [N, T, E]
        if self.conv is not None:
            x, lengths = self.conv(x, lengths)
        if self.lstm is not None:
            x = self.lstm(x, lengths)
        return x, lengths

    def _stages_by_length(self, ids: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """:meth:`_stages` run on groups of sequences of similar length, each trimmed to
        its longest, then put back in place (zero past each group's width). A position's
        numbers never depend on the padding after it (masked CNN, each LSTM direction
        reading padding last), so this gives the same numbers as one padded batch, without
        the convolution and LSTM steps over padding: on targets of 400-1200 nt (GRMMI on
        the synthetic set) a third of a padded batch. Sequences without a valid token are
        left out (their rows are masked)."""
        n = ids.size(0)
        groups = _length_groups(lengths)
        if groups is None:
            return self._stages(ids, lengths)
        out = out_len = None
        for index in groups:
            top = int(lengths[index[-1]])                   # groups ascend in length
            y, y_len = self._stages(ids[index, :top], lengths[index])
            if out is None:
                width = -(-ids.size(1) // self.stride)
                out = y.new_zeros(n, width, y.size(-1))
                out_len = lengths.new_zeros(n)
            out[index, :y.size(1)] = y
            out_len[index] = y_len
        if out is None:                                      # no sequence has a token
            return self._stages(ids, lengths)
        return out, out_len

    def encode(self, ids: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Per-sequence features ``[N, T', d]`` and their mask ``[N, T']`` of token ids
        ``[N, T]`` with ``lengths`` ``[N]``."""
        ids, lengths = ids.long(), lengths.long().to(ids.device)
        n_seq = ids.size(0)
        if ids.size(1) == 0:
            ids = ids.new_full((n_seq, 1), self.padding_idx)
        n_win, longest = 1, lengths.max() if n_seq else 0
        if self.window is not None:               # always, so padding never changes the layout
            ids, lengths, n_win = self._windows(ids, lengths)
        x, lengths = self._stages_by_length(ids, lengths)
        mask = torch.arange(x.size(1), device=ids.device).unsqueeze(0) < lengths.unsqueeze(1)
        # dropout over the whole padded batch, as one draw: the same mask as without groups
        x = self.drop(x) * mask.unsqueeze(-1)
        if self.window is not None:
            # windows side by side; positions past the longest sequence's last valid one
            # (the rest of its last window, and windows only padding fills) are left out,
            # so a sequence shorter than a window (a miRNA) costs the attention only its own
            # positions
            t = x.size(1)
            width = self.token_starts(int(longest)).numel()
            x = x.reshape(n_seq, n_win * t, -1)[:, :width]
            mask = mask.reshape(n_seq, n_win * t)[:, :width]
        return x, mask

    def prepare(self, h: Tensor, mask: Tensor, side: str, width: int | None = None
                ) -> dict[str, Tensor]:
        """The per-sequence inputs of :meth:`pair` for encodings ``h`` ``[N, T', d]`` with
        ``mask`` ``[N, T']`` (from :meth:`encode`) of ``side`` (``"mi"`` or ``"m"``):
        ``mask``, ``pool`` (the masked max ``[N, d]``) and, with attention, the projections
        of :meth:`MutualAttention.project`. ``width`` pads the positions to that many
        (padded positions are masked, so they add exactly zero weight), for a cache of
        fixed width."""
        if side not in SIDES:
            raise ValueError(f"MutualAttentionEncoder.prepare: side must be 'mi' or 'm', got "
                             f"{side!r}")
        if width is not None and width > h.size(1):
            h = torch.nn.functional.pad(h, (0, 0, 0, width - h.size(1)))
            mask = torch.nn.functional.pad(mask, (0, width - mask.size(1)))
        out = {"mask": mask, "pool": masked_max(h, mask)}
        if self.attention is not None:
            out.update(self.attention.project(h, mask, side,
                                              zero_padding=self.match_map is not None))
        return out

    # ------------------------------------------------------------------ per pair
    def pair(self, mi: dict[str, Tensor], m: dict[str, Tensor],
             return_attention: bool = False):
        """Pair vectors ``[B, out_channels]`` of the prepared miRNA and target rows of ``B``
        pairs (:meth:`prepare`, gathered per pair)."""
        parts = [mi["pool"], m["pool"]]
        att = None
        if self.attention is not None:
            maps = self.match_scores is not None or self.match_map is not None
            a, att, stack = self.attention(mi, m, return_logits=maps)
            parts.append(a)
            for reader in (self.match_scores, self.match_map):
                if reader is not None:
                    parts.append(reader(stack, mi["mask"], m["mask"]))
        z = torch.cat(parts, dim=-1)
        return (z, att) if return_attention else z

    def pair_by_length(self, mi: dict[str, Tensor], m: dict[str, Tensor],
                       index_mi: Tensor, index_m: Tensor) -> Tensor:
        """:meth:`pair` of the rows ``index_mi``, ``index_m`` ``[B]`` of prepared miRNA and
        target rows (:meth:`prepare`, one row per sequence), computed per group of pairs
        of similar target length, each on target positions trimmed to its longest. Trimmed
        positions are padding: masked out of the softmax (weight exactly 0) and of the
        pooling, so the pair vectors are :meth:`pair`'s up to float rounding, without the
        per-pair attention over the padding of the batch's longest target (a third of it
        on targets of 400-1200 nt). Without groups to form (few pairs, lengths alike, or
        a ``match_map``, whose convolution reads the whole map) it is :meth:`pair` of the
        gathered rows."""
        def gather(rows: dict[str, Tensor], index: Tensor, width: int | None = None):
            out = {}
            for key, t in rows.items():
                if width is not None and key in POSITION_DIM:
                    t = t.narrow(POSITION_DIM[key], 0, width)
                out[key] = t.index_select(0, index)
            return out

        lengths = m["mask"].sum(1).index_select(0, index_m)
        groups = (_length_groups(lengths, keep_empty=True)
                  if self.attention is not None and self.match_map is None else None)
        if groups is None:
            return self.pair(gather(mi, index_mi), gather(m, index_m))
        parts = [self.pair(gather(mi, index_mi[g]),
                           gather(m, index_m[g], max(int(lengths[g[-1]]), 1)))
                 for g in groups]
        order = torch.cat(groups)
        return torch.cat(parts).index_select(0, torch.argsort(order))

    def forward(self, mi_ids: Tensor, mi_len: Tensor, m_ids: Tensor, m_len: Tensor,
                return_attention: bool = False):
        mi = self.prepare(*self.encode(mi_ids, mi_len), "mi")
        m = self.prepare(*self.encode(m_ids, m_len), "m")
        return self.pair(mi, m, return_attention)

    def __repr__(self) -> str:
        blocks = [repr(self.embedding)]
        blocks += [f"{k}={b!r}" for k, b in (("conv", self.conv), ("lstm", self.lstm),
                                              ("attention", self.attention),
                                              ("match_scores", self.match_scores),
                                              ("match_map", self.match_map)) if b is not None]
        if self.window is not None:
            blocks.append(f"window={self.window}, overlap={self.overlap}")
        return f"{type(self).__name__}({', '.join(blocks)})"
