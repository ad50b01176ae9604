"""A 1-D convolution and max-pooling stage over padded token sequences."""
from __future__ import annotations

import torch
from torch import Tensor


class KmerConv(torch.nn.Module):
    r"""GRMMI's CNN stage (`Frontiers 2025 <https://doi.org/10.3389/fgene.2025.1563553>`_):
    a 1-D convolution over the positions of each sequence, ReLU and max-pooling,

    .. math::
        \mathbf{C} = \mathrm{MaxPool}_p\big(\mathrm{ReLU}(\mathrm{Conv1d}_k(\mathbf{X}))\big)
        \in \mathbb{R}^{\lceil T / p \rceil \times c},

    with "same" padding, so position :math:`t` reads tokens :math:`t - \lfloor k/2 \rfloor
    \ldots`. **Padding is masked:** inputs past a sequence's length are zeroed before the
    convolution and its outputs there after the ReLU (so they never win a max), and a pooled
    position is valid where any of its :math:`p` inputs is: the new length is
    :math:`\lceil L / p \rceil`. Extra padding therefore leaves the valid outputs unchanged.

    Args:
        in_channels (int): input features (e.g. the token embedding's size).
        out_channels (int): filters :math:`c`.
        kernel_size (int): kernel width :math:`k` in positions. (default: ``5``)
        pool_size (int): pooling width and stride :math:`p`. (default: ``2``)

    Shapes:
        - **input:** ``x`` ``[N, T, in_channels]``, ``lengths`` ``[N]`` (long)
        - **output:** ``[N, ceil(T / p), out_channels]`` (zero at padding) and the pooled
          lengths ``[N]``
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 5,
                 pool_size: int = 2) -> None:
        super().__init__()
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels),
                        ("kernel_size", kernel_size), ("pool_size", pool_size)):
            if v < 1:
                raise ValueError(f"KmerConv: {name} must be >= 1, got {v}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.pool_size = kernel_size, pool_size
        self.conv = torch.nn.Conv1d(in_channels, out_channels, kernel_size, padding="same")
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()

    def forward(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        mask = torch.arange(x.size(1), device=x.device).unsqueeze(0) < lengths.unsqueeze(1)
        x = torch.relu(self.conv((x * mask.unsqueeze(-1)).transpose(1, 2)))    # [N, C, T]
        x = x * mask.unsqueeze(1)                                   # relu >= 0: pads -> 0
        p = self.pool_size
        x = torch.nn.functional.max_pool1d(x, p, p, ceil_mode=True).transpose(1, 2)
        return x, torch.div(lengths + p - 1, p, rounding_mode="floor")

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"kernel_size={self.kernel_size}, pool_size={self.pool_size})")
