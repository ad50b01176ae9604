"""A 2-D CNN over the nucleotide pairing map of a miRNA and its target."""
from __future__ import annotations

import torch
from torch import Tensor

#: nucleotide code of padding and ``N`` (``KmerTokenizer(k=1)``'s pad id: A0 C1 G2 U3, N4)
PAD = 4


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
    :math:`L_{mi} L_m (9 e h + 9 h c / 4)` multiply-adds (2.1 M for a 23-nt miRNA and a
    40-nt site with the defaults), so cap long targets beforehand (in
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
        if mi.size(1) == 0 or m.size(1) == 0:
            return mi.new_zeros(mi.size(0), self.channels, dtype=self.conv2.weight.dtype)
        ok_mi, ok_m = mi < PAD, m < PAD
        valid = ok_mi.unsqueeze(2) & ok_m.unsqueeze(1)                    # [B, Lmi, Lm]
        code = torch.where(valid, 4 * mi.unsqueeze(2) + m.unsqueeze(1), 16)
        pos = torch.arange(mi.size(1), device=mi.device).clamp(max=self.max_positions - 1)
        x = self.pair_emb(code) + self.pos_emb(pos)[None, :, None, :]    # [B, Lmi, Lm, e]
        keep = valid.unsqueeze(1).to(x.dtype)                             # [B, 1, Lmi, Lm]
        x = x.permute(0, 3, 1, 2) * keep
        h = torch.relu(self.conv1(x)) * keep
        h = torch.nn.functional.max_pool2d(h, 2, ceil_mode=True)
        keep = torch.nn.functional.max_pool2d(keep, 2, ceil_mode=True)
        h = torch.relu(self.conv2(h)) * keep
        return h.amax(dim=(2, 3))                         # relu >= 0: invalid cells add 0

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(channels={self.channels}, "
                f"embedding_dim={self.embedding_dim}, hidden_channels={self.hidden_channels}, "
                f"max_positions={self.max_positions})")
