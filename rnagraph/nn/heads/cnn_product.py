"""MFERL's 1-D CNN + element-wise product + linear head."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.nn.heads._utils import check_pairs, pair_dot


class CNNProductHead(torch.nn.Module):
    r"""The prediction head of MFERL (`Peng et al., BMC Biology 2025
    <https://doi.org/10.1186/s12915-025-02227-6>`_, Eqs. 10-12): each node representation goes
    through a 1-D CNN along its feature axis, the two node vectors are multiplied element-wise and
    a single linear layer gives the logit (apply a sigmoid for the paper's probability):

    .. math::
        \mathbf{m}_i = \mathrm{CNN}_s(\mathbf{x}_i), \qquad
        \mathbf{c}_j = \mathrm{CNN}_d(\mathbf{x}_j), \qquad
        s_{ij} = \mathbf{w}^{\top} (\mathbf{m}_i \odot \mathbf{c}_j) + b

    where :math:`\mathrm{CNN}(\mathbf{x}) = \mathrm{flatten}\big(\mathrm{MaxPool}_p(\mathrm{ReLU}(
    \mathrm{Conv1d}_{1 \to K}(\mathbf{x})))\big)` treats the :math:`F` features of one RNA as a
    length-:math:`F` signal with one input channel (it never convolves across nodes), with
    :math:`K` filters of width ``kernel_size`` and ``'same'`` padding, giving
    :math:`K \lfloor F / p \rfloor` features per node.

    Args:
        channels (int): width :math:`F` of both representations.
        num_filters (int, optional): number of convolution filters :math:`K`. (default: ``4``)
        kernel_size (int, optional): filter width (odd). (default: ``3``)
        pool (int, optional): max-pooling width :math:`p`. (default: ``2``)
        shared (bool, optional): one CNN for both node types instead of one each.
            (default: ``False``)

    Shapes:
        - **input:** ``x_src`` :math:`(N_s, F)`, ``x_dst`` :math:`(N_d, F)`,
          ``edge_label_index`` :math:`(2, N)`
        - **output:** logits :math:`(N)`
    """

    def __init__(self, channels: int, num_filters: int = 4, kernel_size: int = 3,
                 pool: int = 2, shared: bool = False) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"CNNProductHead: kernel_size must be odd, got {kernel_size}")
        if channels // pool < 1:
            raise ValueError(f"CNNProductHead: pool={pool} is wider than channels={channels}")
        self.channels = channels
        self.num_filters = num_filters
        self.kernel_size = kernel_size
        self.pool = pool
        self.shared = shared
        self.conv_src = torch.nn.Conv1d(1, num_filters, kernel_size, padding=kernel_size // 2)
        self.conv_dst = (self.conv_src if shared else
                         torch.nn.Conv1d(1, num_filters, kernel_size, padding=kernel_size // 2))
        self.out_channels = num_filters * (channels // pool)
        self.lin = torch.nn.Linear(self.out_channels, 1)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise the convolutions and the output layer."""
        self.conv_src.reset_parameters()
        self.conv_dst.reset_parameters()
        self.lin.reset_parameters()

    def _cnn(self, conv: torch.nn.Conv1d, x: Tensor) -> Tensor:
        # Conv1d(1 -> K) written as unfold + matmul: the same values, faster on CPU than
        # mkldnn's one-input-channel convolution; with the blocked pair product the whole head
        # runs 1.7x faster forward + backward at MFERL's sizes (benchmarks/mferl_speed.py)
        p, ks = self.pool, self.kernel_size
        windows = torch.nn.functional.pad(x, (ks // 2, ks // 2)).unfold(1, ks, 1)  # [N, F, ks]
        h = torch.relu(windows @ conv.weight.view(self.num_filters, ks).t() + conv.bias)
        h = torch.nn.functional.max_pool1d(h.transpose(1, 2), p)   # [N, K, F // p]
        return h.flatten(1)                                  # [N, K * (F // p)], filter-major

    def embed(self, x_src: Tensor, x_dst: Tensor) -> tuple[Tensor, Tensor]:
        r"""The per-node CNN outputs :math:`(\mathbf{M}, \mathbf{C})`, shapes
        :math:`(N_s, K\lfloor F/p \rfloor)` and :math:`(N_d, K\lfloor F/p \rfloor)`."""
        for name, x in (("x_src", x_src), ("x_dst", x_dst)):
            if x.dim() != 2 or x.size(1) != self.channels:
                raise ValueError(f"CNNProductHead: {name} must be [N, {self.channels}], got "
                                 f"{tuple(x.shape)}")
        return self._cnn(self.conv_src, x_src), self._cnn(self.conv_dst, x_dst)

    def forward(self, x_src: Tensor, x_dst: Tensor, edge_label_index: Tensor) -> Tensor:
        check_pairs(type(self).__name__, x_src, x_dst, edge_label_index)
        m, c = self.embed(x_src, x_dst)
        # w^T (m_i * c_j) + b as a blocked row-wise dot product (no [N, K F / p] pair tensor)
        return pair_dot(m * self.lin.weight.view(-1), c, edge_label_index) + self.lin.bias

    def grid(self, x_src: Tensor, x_dst: Tensor) -> Tensor:
        r"""Logits :math:`(N_s, N_d)` of every pair of ``x_src`` :math:`(N_s, F)` and ``x_dst``
        :math:`(N_d, F)`: :math:`(\mathbf{M} \operatorname{diag}(\mathbf{w})) \mathbf{C}^\top
        + b`, one matrix product (what ranking every candidate pair needs; equal to
        :meth:`forward` of the same pairs up to float rounding)."""
        m, c = self.embed(x_src, x_dst)
        return torch.addmm(self.lin.bias, m * self.lin.weight.view(-1), c.t())

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.channels}, num_filters={self.num_filters}, "
                f"kernel_size={self.kernel_size}, pool={self.pool})")
