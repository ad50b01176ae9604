"""Channel attention over stacked feature views (the first half of MCAM)."""
from __future__ import annotations

import warnings

import torch
from torch import Tensor


def resolve_num_views(owner: str, num_views: int | None, channels: int | None) -> int:
    """``num_views``, or the deprecated ``channels`` alias (one release), as an int."""
    if channels is not None:
        warnings.warn(f"{owner}: 'channels' is deprecated (in PyG it means a feature width); "
                      f"pass num_views={channels} instead", DeprecationWarning, stacklevel=3)
        if num_views is not None and num_views != channels:
            raise ValueError(f"{owner}: got num_views={num_views} and channels={channels}; "
                             f"pass num_views only")
        num_views = channels
    if num_views is None or num_views < 1:
        raise ValueError(f"{owner}: num_views (the number of stacked feature views) must be "
                         f">= 1, got {num_views}")
    return int(num_views)


class ChannelAttention(torch.nn.Module):
    r"""Channel attention of CBAM (`Woo et al., 2018 <https://arxiv.org/abs/1807.06521>`_) over
    :math:`C` stacked feature views of each node, as in MFERL's dual-convolution attention
    (`Peng et al., BMC Biology 2025 <https://doi.org/10.1186/s12915-025-02227-6>`_, Eq. 5).

    For an input :math:`\mathbf{X} \in \mathbb{R}^{N \times C \times D}` the channel descriptors
    are max- and average-pooled, passed through a shared bottleneck (two :math:`1 \times 1`
    convolutions, i.e. linear maps over channels, without bias) and added:

    .. math::
        \boldsymbol{\alpha}_c = \sigma\big(f(\mathrm{MaxPool}(\mathbf{X})) +
        f(\mathrm{AvgPool}(\mathbf{X}))\big), \qquad
        f(\mathbf{z}) = \mathbf{W}_2\, \mathrm{ReLU}(\mathbf{W}_1 \mathbf{z})

    With ``pool='graph'`` (the paper: :math:`\boldsymbol{\alpha}_c \in \mathbb{R}^{C \times 1
    \times 1}`) the pooling runs over all nodes and features, giving one weight per channel for
    the whole node set; with ``pool='node'`` it runs over the features of each node only,
    giving per-RNA channel weights. Both are invariant to the order of the nodes. With
    ``'graph'`` the weights depend on which nodes are in the input, so for mini-batches or
    sampled subgraphs (e.g. from :class:`~torch_geometric.loader.LinkNeighborLoader`) use
    ``'node'``: a node's output then does not depend on the batch it came in. An empty input
    (:math:`N = 0`) gets the weights of all-zero descriptors, :math:`\sigma(0) = 0.5`.

    Args:
        num_views (int): number of stacked feature views :math:`C` (called ``channels``
            before; that keyword still works for one release, with a
            :class:`DeprecationWarning`).
        hidden_channels (int, optional): bottleneck width. (default: ``max(1, C // 2)``)
        pool (str, optional): ``'graph'`` or ``'node'``. (default: ``'graph'``)

    Shapes:
        - **input:** :math:`(N, C, D)`
        - **output:** attention :math:`(1, C, 1)` for ``'graph'`` or :math:`(N, C, 1)` for
          ``'node'``, to be broadcast-multiplied with the input
    """

    def __init__(self, num_views: int | None = None, hidden_channels: int | None = None,
                 pool: str = "graph", *, channels: int | None = None) -> None:
        super().__init__()
        num_views = resolve_num_views("ChannelAttention", num_views, channels)
        if pool not in ("graph", "node"):
            raise ValueError(f"ChannelAttention: pool must be 'graph' or 'node', got {pool!r}")
        self.num_views = num_views
        self.hidden_channels = hidden_channels or max(1, num_views // 2)
        self.pool = pool
        self.lin1 = torch.nn.Linear(num_views, self.hidden_channels, bias=False)
        self.lin2 = torch.nn.Linear(self.hidden_channels, num_views, bias=False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise the bottleneck."""
        self.lin1.reset_parameters()
        self.lin2.reset_parameters()

    @property
    def channels(self) -> int:
        """Deprecated alias of :attr:`num_views`."""
        return self.num_views

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.size(1) != self.num_views:
            raise ValueError(f"ChannelAttention: input must be [N, {self.num_views}, D], got "
                             f"{tuple(x.shape)}")
        if self.pool == "graph" and x.size(0) == 0:   # no nodes: zero descriptors
            x_max = x_avg = x.new_zeros(1, self.num_views)
        elif self.pool == "graph":
            x_max = x.amax(dim=(0, 2)).unsqueeze(0)     # [1, C]
            x_avg = x.mean(dim=(0, 2)).unsqueeze(0)
        else:
            x_max, x_avg = x.amax(dim=2), x.mean(dim=2)  # [N, C]

        def f(z: Tensor) -> Tensor:
            return self.lin2(torch.relu(self.lin1(z)))

        return torch.sigmoid(f(x_max) + f(x_avg)).unsqueeze(-1)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.num_views}, hidden_channels="
                f"{self.hidden_channels}, pool={self.pool!r})")
