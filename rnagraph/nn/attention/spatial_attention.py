"""Spatial attention along the feature axis of each node (the second half of MCAM)."""
from __future__ import annotations

import torch
from torch import Tensor


class SpatialAttention(torch.nn.Module):
    r"""Spatial attention of CBAM (`Woo et al., 2018 <https://arxiv.org/abs/1807.06521>`_) as
    used in MFERL's dual-convolution attention (`Peng et al., BMC Biology 2025
    <https://doi.org/10.1186/s12915-025-02227-6>`_, Eq. 6), with the convolution running along
    the **feature axis of each node only**:

    .. math::
        \boldsymbol{\alpha}_s[n] = \sigma\Big(\mathrm{Conv1d}_{2 \to 1}\big(
        [\mathrm{Avg}_c(\mathbf{X}[n]) \,;\, \mathrm{Max}_c(\mathbf{X}[n])]\big)\Big)
        \in \mathbb{R}^{1 \times D}

    where :math:`\mathrm{Avg}_c, \mathrm{Max}_c` pool over the :math:`C` channels of node
    :math:`n` and the convolution has width ``kernel_size`` with ``'same'`` zero padding and no
    bias. The reference implementation applies a :math:`3 \times 3` convolution to the
    :math:`N \times D` map, mixing neighbouring node ids whose order is arbitrary; here a node's
    attention depends on its own features only, so permuting nodes permutes the output.

    Args:
        kernel_size (int, optional): odd convolution width. (default: ``3``)

    Shapes:
        - **input:** :math:`(N, C, D)`
        - **output:** attention :math:`(N, 1, D)`, to be broadcast over channels
    """

    def __init__(self, kernel_size: int = 3) -> None:
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 != 1:
            raise ValueError(f"SpatialAttention: kernel_size must be odd and >= 1, "
                             f"got {kernel_size}")
        self.kernel_size = kernel_size
        self.conv = torch.nn.Conv1d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise the convolution."""
        self.conv.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3:
            raise ValueError(f"SpatialAttention: input must be [N, C, D], got {tuple(x.shape)}")
        pooled = torch.stack([x.mean(dim=1), x.amax(dim=1)], dim=1)   # [N, 2, D]
        return torch.sigmoid(self.conv(pooled))                        # [N, 1, D]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kernel_size={self.kernel_size})"
