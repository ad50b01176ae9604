"""A 2-D CNN over the nucleotide pairing map of a miRNA and its target."""
from __future__ import annotations

import torch
from torch import Tensor

#: nucleotide code of padding and ``N`` (``KmerTokenizer(k=1)``'s pad id: A0 C1 G2 U3, N4)
PAD = 4


def _one_hot(codes: Tensor, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
    """Nucleotide codes ``[B, L]`` -> their one-hot rows ``[B, L, 4]`` (all zero at padding
    and ``N``) and the 0/1 validity ``[B, L]``, both in ``dtype``."""
    ok = (codes < PAD).to(dtype)
    return torch.nn.functional.one_hot(codes.clamp(max=3), 4).to(dtype) * ok[..., None], ok


def _windows(x: Tensor) -> Tensor:
    """``[B, L, d]`` -> ``[B, L, 3, d]``: rows ``l - 1, l, l + 1`` of each position (zeros
    beyond the ends), the 3-wide window of a 3x3 convolution with zero padding."""
    return torch.nn.functional.pad(x, (0, 0, 1, 1)).unfold(1, 3, 1).transpose(2, 3)


def _neg_inf_outside(ok: Tensor) -> Tensor:
    """``[B, L]`` 0/1 validity -> ``[B, ceil(L / 2)]`` additive mask of the 2-pooled
    positions: 0 where either of the two is valid, -inf elsewhere."""
    pooled = torch.nn.functional.max_pool1d(ok.unsqueeze(1), 2, ceil_mode=True).squeeze(1)
    return torch.where(pooled > 0, 0.0, float("-inf")).to(ok.dtype)


class PairingMapCNN(torch.nn.Module):
    r"""Pair features from the **pairing map** of a miRNA and a target: every miRNA
    nucleotide against every target nucleotide, read by a small 2-D CNN (rnagraph's
    extension of GRMMI's sequence branch, not in the paper).

    The k-mer tokens and the pooled, learned positions of
    :class:`~rnagraph.nn.MutualAttentionEncoder` blur single nucleotides; this layer keeps
    them. With nucleotide codes :math:`a_i` of the miRNA (``A0 C1 G2 U3``, 5'->3') and
    :math:`b_j` of the target (as the model reads it, e.g. 3'->5', where a site pairs with
    the miRNA along a diagonal), cell :math:`(i, j)` holds a learned vector of the
    nucleotide pair plus one of the miRNA position,

    .. math::
        \mathbf{X}_{ij} = \mathbf{E}[4 a_i + b_j] + \mathbf{R}[\min(i, P - 1)]
        \in \mathbb{R}^{e},

    so Watson-Crick pairs, G:U wobbles and mismatches, and whether they fall in the seed
    (miRNA nt 2-8) or beyond, are learned rather than fixed. Then

    .. math::
        \mathbf{H} = \mathrm{MaxPool}_{2\times 2}\big(\mathrm{ReLU}(\mathrm{Conv}_{3\times 3}
        (\mathbf{X}))\big), \qquad
        \mathbf{z} = \max_{(i, j)\ \text{valid}} \mathrm{ReLU}(\mathrm{Conv}_{3\times 3}
        (\mathbf{H}))_{ij} \in \mathbb{R}^{c},

    a receptive field of 8 x 8 nucleotides: enough for a seed's diagonal run of 7-8 pairs
    with a bulge or a wobble in it.

    **Padding** and ``N`` (code 4) are masked: such cells are zero before each convolution
    (the convolutions' own zero padding), pooled cells are valid if any of their cells is,
    and the final max runs over valid cells only, so extra padding does not change the
    output. A pair with no valid cell (a missing sequence) gets zeros.

    **Cost** is per pair and grows with :math:`L_{mi} \times L_m`: about
    :math:`L_{mi} L_m (13 h + 9 h c / 4)` multiply-adds (1.3 M for a 23-nt miRNA and a
    40-nt site with the defaults: the map itself is never built, the first convolution
    is computed as a bilinear form of 3-nt miRNA and target windows, see ``forward``),
    so cap long targets beforehand (in
    :class:`~rnagraph.models.GRMMI`, ``max_tokens`` caps these nucleotides too; its
    ``window`` does not, the map always covers the whole target).

    Args:
        channels (int): output features :math:`c`. (default: ``32``)
        embedding_dim (int): cell features :math:`e`. (default: ``8``)
        hidden_channels (int): filters :math:`h` of the first convolution. (default: ``16``)
        max_positions (int): miRNA positions with their own embedding :math:`P`; later
            positions share the last. (default: ``32``)

    Shapes:
        - **input:** ``mi`` ``[B, L_mi]``, ``m`` ``[B, L_m]`` nucleotide codes (long,
          0-3, 4 = padding / N)
        - **output:** ``[B, channels]``
    """

    def __init__(self, channels: int = 32, embedding_dim: int = 8, hidden_channels: int = 16,
                 max_positions: int = 32) -> None:
        super().__init__()
        for name, v in (("channels", channels), ("embedding_dim", embedding_dim),
                        ("hidden_channels", hidden_channels), ("max_positions", max_positions)):
            if v < 1:
                raise ValueError(f"PairingMapCNN: {name} must be >= 1, got {v}")
        self.channels, self.embedding_dim = channels, embedding_dim
        self.hidden_channels, self.max_positions = hidden_channels, max_positions
        self.pair_emb = torch.nn.Embedding(17, embedding_dim, padding_idx=16)
        self.pos_emb = torch.nn.Embedding(max_positions, embedding_dim)
        self.conv1 = torch.nn.Conv2d(embedding_dim, hidden_channels, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(hidden_channels, channels, 3, padding=1)
        self.reset_parameters()

    @property
    def out_channels(self) -> int:
        return self.channels

    def reset_parameters(self) -> None:
        for m in (self.pair_emb, self.pos_emb, self.conv1, self.conv2):
            m.reset_parameters()
        with torch.no_grad():
            self.pair_emb.weight[16].zero_()

    def forward(self, mi: Tensor, m: Tensor) -> Tensor:
        mi, m = mi.long(), m.long()
        b, l_mi, l_m = mi.size(0), mi.size(1), m.size(1)
        if l_mi == 0 or l_m == 0:
            return mi.new_zeros(b, self.channels, dtype=self.conv2.weight.dtype)
        # The map is never built: its cell is a sum over (miRNA nt p, target nt q) of
        # onehot(a_i)_p onehot(b_j)_q (E[4p + q] + R[i]), so the first convolution is
        # bilinear in a 3-nt miRNA window and a 3-nt target window:
        #   conv1(X)_{c,i,j} = U[i, c, :] . V[j, :]
        # with V[j] = (onehot(b_{j-1}), onehot(b_j), onehot(b_{j+1}), 1) (13 numbers) and
        # U[i, c] holding, per kernel column and target nt, the weights the miRNA window
        # selects (plus the bias). One bmm of [h L_mi, 13] x [13, L_m] per pair replaces the
        # map's embedding lookup, masking and 8-channel convolution: the layer takes about
        # 1.5x less time per training step and 1.7x less for scoring than when it built the
        # map (throwaway measurement, B 256, 26 x 53 nt, 2 threads); same outputs up to
        # float rounding.
        w, dtype = self.conv1.weight, self.conv1.weight.dtype
        h, e = w.size(0), w.size(1)
        (one_mi, ok_mi), (one_m, ok_m) = _one_hot(mi, dtype), _one_hot(m, dtype)
        rng = torch.arange(3, device=mi.device)
        # miRNA side: window rows x = 0..2 read nt i + x - 1 (zero outside the sequence)
        win_mi = _windows(one_mi).reshape(b, l_mi, 12)                       # (x, p)
        w_pair = torch.einsum("cexy,pqe->xpcyq", w, self.pair_emb.weight[:16].view(4, 4, e))
        u = (win_mi @ w_pair.reshape(12, h * 12)).view(b, l_mi, h, 3, 4)
        # the position term R[i + x - 1] reaches every target nt of a valid cell alike
        pos = torch.arange(-1, l_mi + 1, device=mi.device).clamp(0, self.max_positions - 1)
        w_pos = torch.einsum("cexy,re->rxcy", w, self.pos_emb(pos))        # [L_mi + 2, 3, h, 3]
        w_pos = w_pos[torch.arange(l_mi, device=mi.device)[:, None] + rng, rng]
        u = u + torch.einsum("bix,ixcy->bicy", _windows(ok_mi[..., None])[..., 0],
                             w_pos).unsqueeze(-1)
        u = torch.cat([u.reshape(b, l_mi, h, 12),
                       self.conv1.bias.view(h, 1).expand(b, l_mi, h, 1)], -1)
        # invalid rows and columns get all-zero U / V, so their cells are exactly 0; so do
        # the rows and columns that pad the grid to even sizes for the 2x2 pool (ReLU comes
        # after the pool and relu(max(x, 0)) = relu(max(x)): the same as a ceil-mode pool)
        u = torch.nn.functional.pad(u * ok_mi[:, :, None, None], (0, 0, 0, 0, 0, l_mi % 2))
        v = torch.cat([_windows(one_m).reshape(b, l_m, 12), ok_m[..., None]], -1)
        v = torch.nn.functional.pad(v * ok_m[..., None], (0, 0, 0, l_m % 2))
        x = torch.bmm(u.transpose(1, 2).reshape(b, -1, 13), v.transpose(1, 2))
        x = x.view(b, h, u.size(1), v.size(1))
        if x.requires_grad:   # training: oneDNN's channels-last pool has the fast backward
            x = torch.nn.functional.max_pool2d(x.contiguous(memory_format=torch.channels_last), 2)
        else:                 # scoring: maxima of strided halves, no layout copy, 2x faster
            x = torch.maximum(x[:, :, 0::2], x[:, :, 1::2])
            x = torch.maximum(x[..., 0::2], x[..., 1::2])
        x = self.conv2(torch.relu(x))
        # max over valid pooled cells (a pooled row / column is valid if one of its is),
        # then ReLU: a pair with no valid cell gets relu(-inf) = 0
        x = x + _neg_inf_outside(ok_mi)[:, None, :, None] + _neg_inf_outside(ok_m)[:, None, None, :]
        return torch.relu(x.amax((2, 3)))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(channels={self.channels}, "
                f"embedding_dim={self.embedding_dim}, hidden_channels={self.hidden_channels}, "
                f"max_positions={self.max_positions})")


class DiagonalPairing(torch.nn.Module):
    r"""Pair features from every **alignment** of a miRNA against a target: each diagonal
    of the pairing map scored as one duplex, with weights per miRNA position and nucleotide
    pair (rnagraph's extension of GRMMI's sequence branch, not in the paper; a cheap
    alternative to :class:`PairingMapCNN`).

    With nucleotide codes :math:`a_i` of the miRNA (``A0 C1 G2 U3``, 5'->3') and
    :math:`b_j` of the target as the model reads it (3'->5', where a site pairs with the
    miRNA along a diagonal), shift :math:`s` aligns miRNA nt :math:`i` with target nt
    :math:`i + s`. Each shift with at least one valid cell gets

    .. math::
        \mathbf{z}_s = \mathbf{b} + \sum_{i\,:\ (i,\, i + s)\ \text{valid}}
        \mathbf{W}\big[\min(i, P - 1),\, 4 a_i + b_{i + s}\big] \in \mathbb{R}^{h},
        \qquad
        \mathbf{y}_s = \mathbf{W}_2\, \mathrm{ReLU}(\mathbf{z}_s) + \mathbf{b}_2,

    and the pair gets :math:`\mathrm{ReLU}(\max_s \mathbf{y}_s) \in \mathbb{R}^{c}`. A
    hidden unit is a learned position-specific duplex score with a threshold: it can fire
    only when, say, all of miRNA nt 2-8 pair with the same stretch of target (a seed site),
    and weigh G:U wobbles, mismatches and 3' supplementary pairing of the **same**
    alignment, which a small 2-D receptive field cannot see together. Bulges are out of
    its reach: a bulge moves the rest of the duplex to another diagonal.

    **Padding** and ``N`` (code 4) contribute nothing; shifts without a valid cell are left
    out of the max, so extra padding does not change the output, and a pair with no valid
    cell (a missing sequence) gets zeros.

    **Cost** is per pair, :math:`(L_{mi} + L_m - 1)(L_{mi} h + h c)` additions and
    multiply-adds (0.11 M for a 23-nt miRNA and a 40-nt site with the defaults, about a
    tenth of :class:`PairingMapCNN`'s). It runs as one dense product per pair (one-hot
    target windows times the rows the miRNA selects; 4x those multiply-adds, but dense)
    and one linear map; ``benchmarks/grmmi_speed.py`` times it inside GRMMI.

    Args:
        channels (int): output features :math:`c`. (default: ``32``)
        hidden_channels (int): duplex scores per shift :math:`h`. (default: ``32``)
        max_positions (int): miRNA positions with their own weights :math:`P`; later
            positions share the last. (default: ``32``)

    Shapes:
        - **input:** ``mi`` ``[B, L_mi]``, ``m`` ``[B, L_m]`` nucleotide codes (long,
          0-3, 4 = padding / N)
        - **output:** ``[B, channels]``
    """

    def __init__(self, channels: int = 32, hidden_channels: int = 32,
                 max_positions: int = 32) -> None:
        super().__init__()
        for name, v in (("channels", channels), ("hidden_channels", hidden_channels),
                        ("max_positions", max_positions)):
            if v < 1:
                raise ValueError(f"DiagonalPairing: {name} must be >= 1, got {v}")
        self.channels, self.hidden_channels = channels, hidden_channels
        self.max_positions = max_positions
        # rows: 16 nucleotide pairs (4 a + b) per miRNA position
        self.cells = torch.nn.Embedding(16 * max_positions, hidden_channels)
        self.bias = torch.nn.Parameter(torch.empty(hidden_channels))
        self.lin = torch.nn.Linear(hidden_channels, channels)
        self.reset_parameters()

    @property
    def out_channels(self) -> int:
        return self.channels

    def reset_parameters(self) -> None:
        # a duplex sums ~20 cells: N(0, 1/20) per cell keeps z_s near unit scale
        torch.nn.init.normal_(self.cells.weight, std=20 ** -0.5)
        torch.nn.init.zeros_(self.bias)
        self.lin.reset_parameters()

    def forward(self, mi: Tensor, m: Tensor) -> Tensor:
        mi, m = mi.long(), m.long()
        b, l_mi, l_m = mi.size(0), mi.size(1), m.size(1)
        if l_mi == 0 or l_m == 0:
            return mi.new_zeros(b, self.channels, dtype=self.lin.weight.dtype)
        # window a of the padded target holds target nt a - (L_mi - 1) + i against miRNA nt
        # i: shift s = a - (L_mi - 1), from -(L_mi - 1) to L_m - 1. The sum over a shift's
        # cells is one dense product: the target window's one-hot codes [S, L_mi 4] times
        # the rows [L_mi 4, h] the miRNA's nucleotides select (zero at invalid positions),
        # 4x the arithmetic of gathering one row per cell but 2-3x faster than an
        # EmbeddingBag sum, which is bound by memory (throwaway measurement, 2 threads)
        dtype = self.lin.weight.dtype
        ok_mi = (mi < PAD).to(dtype)
        one_m, ok_m = _one_hot(m, dtype)
        win = torch.nn.functional.pad(one_m, (0, 0, l_mi - 1, l_mi - 1)).unfold(1, l_mi, 1)
        s = win.size(1)
        win = win.transpose(2, 3).reshape(b, s, l_mi * 4)                  # [B, S, (i, q)]
        pos = 16 * torch.arange(l_mi, device=mi.device).clamp(max=self.max_positions - 1)
        rows = (pos + 4 * mi.clamp(max=3)).unsqueeze(-1) + torch.arange(4, device=mi.device)
        rows = self.cells(rows) * ok_mi[:, :, None, None]                 # [B, L_mi, 4, h]
        z = torch.bmm(win, rows.view(b, l_mi * 4, -1)) + self.bias         # [B, S, h]
        y = self.lin(torch.relu(z))
        ok_win = torch.nn.functional.pad(ok_m, (l_mi - 1, l_mi - 1)).unfold(1, l_mi, 1)
        any_valid = (ok_win * ok_mi.unsqueeze(1)).amax(-1) > 0             # [B, S]
        skip = torch.where(any_valid, 0.0, float("-inf")).to(dtype)
        return torch.relu((y + skip.unsqueeze(-1)).amax(dim=1))   # no valid shift: 0

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(channels={self.channels}, "
                f"hidden_channels={self.hidden_channels}, "
                f"max_positions={self.max_positions})")
