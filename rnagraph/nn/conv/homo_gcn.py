"""Per-view GCN over a homogeneous similarity graph (MFERL's homogeneous aggregation)."""
from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
from torch import Tensor
from torch_geometric.nn import GCNConv
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.typing import OptTensor
from torch_geometric.utils import to_torch_csr_tensor


class HomoGCN(torch.nn.Module):
    r"""Homogeneous neighbourhood aggregation of several feature views, from MFERL
    (`Peng et al., BMC Biology 2025 <https://doi.org/10.1186/s12915-025-02227-6>`_, Eqs. 1-2).

    Each of the :math:`V` views is propagated by its own GCN layer
    (:class:`~torch_geometric.nn.conv.GCNConv`, `Kipf and Welling, 2017
    <https://arxiv.org/abs/1609.02907>`_) over the same similarity graph of one node type, and
    the results are concatenated and projected:

    .. math::
        \mathbf{X}_v' = \sigma\left(\tilde{\mathbf{D}}^{-1/2} \tilde{\mathbf{A}}
        \tilde{\mathbf{D}}^{-1/2} \mathbf{X}_v \mathbf{W}_v\right), \qquad
        \mathbf{X}^{\mathrm{homo}} = \left[\mathbf{X}_1' \,\Vert\, \cdots \,\Vert\,
        \mathbf{X}_V'\right] \mathbf{W}_o + \mathbf{b}_o

    with :math:`\tilde{\mathbf{A}} = \mathbf{A} + \mathbf{I}`. In MFERL :math:`\mathbf{A}`
    thresholds a sequence-similarity matrix (:math:`s_{ij} > 0.5`, see
    :meth:`graph_from_similarity`) and the similarity view itself is not propagated.

    Args:
        in_channels (int or Sequence[int]): input width of every view, or one width per view.
        out_channels (int): output width.
        num_views (int, optional): number of views :math:`V`; required when ``in_channels`` is
            an int. (default: ``None``)
        hidden_channels (int, optional): width of each view after its GCN.
            (default: ``out_channels``)
        act (str, optional): activation :math:`\sigma` (``'relu'``, ``'tanh'``, ``'identity'``).
            (default: ``'relu'``)
        dropout (float, optional): dropout on the concatenated views. (default: ``0.0``)

    Shapes:
        - **input:** ``xs``: a list of :math:`V` tensors :math:`(N, F_v)` or one tensor
          :math:`(N, V, F)`; ``edge_index`` :math:`(2, E)`; ``edge_weight`` :math:`(E)`, optional
        - **output:** :math:`(N, F_{out})`
    """

    _ACTS = {"relu": torch.relu, "tanh": torch.tanh, "identity": lambda x: x}

    def __init__(self, in_channels: int | Sequence[int], out_channels: int,
                 num_views: int | None = None, hidden_channels: int | None = None,
                 act: str = "relu", dropout: float = 0.0) -> None:
        super().__init__()
        if isinstance(in_channels, int):
            if num_views is None:
                raise ValueError("HomoGCN: pass num_views when in_channels is an int")
            in_channels = [in_channels] * num_views
        in_channels = list(in_channels)
        if num_views is not None and num_views != len(in_channels):
            raise ValueError(f"HomoGCN: num_views={num_views} but {len(in_channels)} widths")
        if not in_channels:
            raise ValueError("HomoGCN: needs at least one view")
        if act not in self._ACTS:
            raise ValueError(f"HomoGCN: act must be one of {sorted(self._ACTS)}, got {act!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_views = len(in_channels)
        self.hidden_channels = hidden_channels or out_channels
        self.act = act
        self.dropout = dropout
        # every view shares one graph: normalise it once per forward (not once per view) and
        # propagate with a sparse CSR matmul, ~7x faster forward + backward than PyG's scatter
        # message passing at 3.6k nodes / 88k edges on CPU
        self.convs = torch.nn.ModuleList(
            [GCNConv(c, self.hidden_channels, normalize=False) for c in in_channels])
        self.lin = torch.nn.Linear(self.num_views * self.hidden_channels, out_channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise every per-view GCN and the output projection."""
        for conv in self.convs:
            conv.reset_parameters()
        self.lin.reset_parameters()

    @staticmethod
    def graph_from_similarity(sim: Tensor, threshold: float = 0.5) -> Tensor:
        r"""Edges :math:`(i, j)`, :math:`i \neq j`, with :math:`s_{ij} > \text{threshold}` of a
        square similarity matrix :math:`(N, N)`, as a ``[2, E]`` LongTensor (self-loops are
        added by the GCN)."""
        if sim.dim() != 2 or sim.size(0) != sim.size(1):
            raise ValueError(f"HomoGCN.graph_from_similarity: need a square matrix, got "
                             f"{tuple(sim.shape)}")
        mask = sim > threshold
        mask.fill_diagonal_(False)
        return mask.nonzero().t().contiguous()

    @staticmethod
    def normalized_adjacency(edge_index: Tensor, num_nodes: int,
                             edge_weight: OptTensor = None) -> Tensor:
        r""":math:`\tilde{\mathbf{D}}^{-1/2} \tilde{\mathbf{A}} \tilde{\mathbf{D}}^{-1/2}` as a
        sparse CSR tensor :math:`(N, N)` in PyG's ``adj_t`` layout (row = target node), the
        propagation matrix of :class:`~torch_geometric.nn.conv.GCNConv`."""
        if edge_index.dim() != 2 or edge_index.size(0) != 2:
            raise ValueError(f"HomoGCN: edge_index must be [2, E], got "
                             f"{tuple(edge_index.shape)}")
        ei, w = gcn_norm(edge_index, edge_weight, num_nodes, add_self_loops=True)
        with warnings.catch_warnings():   # torch flags sparse CSR as beta on every build
            warnings.simplefilter("ignore", UserWarning)
            return to_torch_csr_tensor(ei.flip(0), w, size=(num_nodes, num_nodes))

    def forward(self, xs: Sequence[Tensor] | Tensor, edge_index: Tensor,
                edge_weight: OptTensor = None) -> Tensor:
        if isinstance(xs, Tensor):
            if xs.dim() != 3:
                raise ValueError(f"HomoGCN: a tensor input must be [N, V, F], got "
                                 f"{tuple(xs.shape)}")
            xs = list(xs.unbind(dim=1))
        if len(xs) != self.num_views:
            raise ValueError(f"HomoGCN: expected {self.num_views} views, got {len(xs)}")
        act = self._ACTS[self.act]
        adj_t = self.normalized_adjacency(edge_index, xs[0].size(0), edge_weight)
        outs = [act(conv(x, adj_t)) for conv, x in zip(self.convs, xs)]
        h = torch.cat(outs, dim=-1)
        h = torch.nn.functional.dropout(h, p=self.dropout, training=self.training)
        return self.lin(h)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"num_views={self.num_views})")
