"""Low-rank bilinear attention between two node types (MFERL's heterogeneous interaction)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn.utils.parametrizations import weight_norm
from torch_geometric.nn import MessagePassing
from torch_geometric.nn.dense.linear import Linear
from torch_geometric.typing import OptTensor, PairOptTensor, PairTensor, Size
from torch_geometric.utils import softmax


class BilinearInteraction(MessagePassing):
    r"""Bilinear attention interaction between the two endpoint types of a bipartite graph, as
    MFERL uses it for circRNA-miRNA pairs (`Peng et al., BMC Biology 2025
    <https://doi.org/10.1186/s12915-025-02227-6>`_, Eq. 7), built on the low-rank bilinear
    attention of BAN (`Kim et al., 2018 <https://arxiv.org/abs/1805.07932>`_; `Bai et al., 2023
    <https://doi.org/10.1038/s42256-022-00605-1>`_).

    For an edge :math:`(i, j)` from a source node :math:`i` to a destination node :math:`j`:

    .. math::
        \mathbf{u}_i &= \mathrm{ReLU}(\mathbf{U}^{\top}\mathbf{x}_i), \quad
        \mathbf{v}_j = \mathrm{ReLU}(\mathbf{V}^{\top}\mathbf{x}_j) \in \mathbb{R}^{kF}, \quad
        \mathbf{z}_{ij} = \mathbf{u}_i \odot \mathbf{v}_j

        a_{ij}^{(h)} &= \big(\mathrm{norm}(\mathbf{W}_1)\, \mathbf{z}_{ij} + \mathbf{b}_1
        \big)_h, \qquad h = 1, \dots, H

        \mathbf{m}_{ij} &= \textstyle\sum_{r=1}^{k} \mathbf{z}_{ij}[(r-1)F : rF]
        \in \mathbb{R}^{F} \quad \text{(BAN's sum pooling over the rank } k\text{)}

    where :math:`\mathrm{norm}` is weight normalisation. For the destination side
    (``target='dst'``) the attention is normalised over the neighbours of each node,
    :math:`\alpha_{ij}^{(h)} = \mathrm{softmax}_{i \in \mathcal{N}(j)} a_{ij}^{(h)}`, and

    .. math::
        \mathbf{x}_j' = \mathbf{W}_o \sum_{h=1}^{H} \sum_{i \in \mathcal{N}(j)}
        \alpha_{ij}^{(h)} \mathbf{m}_{ij} + \mathbf{W}_r \mathbf{x}_j + \mathbf{b}

    ``target='src'`` gives the source side with the same :math:`a_{ij}` normalised over
    :math:`j \in \mathcal{N}(i)` (one shared bilinear map, as in the paper; the source side has
    its own :math:`\mathbf{W}_r, \mathbf{b}`).

    The layer is a :class:`~torch_geometric.nn.conv.MessagePassing` layer: the default
    ``target='dst'`` behaves like any bipartite PyG convolution, so inside
    :class:`~torch_geometric.nn.conv.HeteroConv` and under
    :func:`~torch_geometric.nn.to_hetero` it returns one output per destination **node** type.
    :math:`\mathbf{z}_{ij}` is formed in :meth:`edge_update` (PyG's ``edge_updater``) and the
    messages :math:`\alpha_{ij}\mathbf{m}_{ij}` are aggregated by ``propagate``. An optional
    ``edge_weight`` :math:`w_{ij}` scales each message after the softmax
    (:math:`w_{ij} \alpha_{ij} \mathbf{m}_{ij}`). ``x=(x_src, None)`` is accepted: without
    destination features :math:`\mathbf{v}_j = \mathbf{1}`, so
    :math:`\mathbf{z}_{ij} = \mathbf{u}_i`, and the destination root term is dropped (pass
    ``size`` to fix the number of destination nodes). Input widths of ``-1`` are inferred on
    the first call (lazy initialisation, as in PyG).

    Only the scored edges are formed, so time and memory are :math:`O(E\,kF)`: the all-pairs
    :math:`N_s \times N_d \times kF` tensor of the reference implementation is never built.
    BAN's unnormalised maps would scale with node degree, hence the softmax (``softmax=False``
    restores BAN's raw maps). The root term :math:`\mathbf{W}_r \mathbf{x}_j`
    (``root_weight=True``) keeps nodes without training edges representable.

    Args:
        in_channels (int or tuple[int, int]): widths of source and destination inputs, ``-1``
            for lazy initialisation.
        out_channels (int): width :math:`F` of the joint space and of the output.
        heads (int, optional): number of attention maps :math:`H`. (default: ``2``)
        k (int, optional): rank multiplier :math:`k` of the low-rank bilinear map.
            (default: ``3``)
        dropout (float, optional): dropout on :math:`\mathbf{z}_{ij}` before the attention
            logits. (default: ``0.0``)
        softmax (bool, optional): normalise attention over each node's neighbours.
            (default: ``True``)
        root_weight (bool, optional): add the node's own transformed input. (default: ``True``)
        bias (bool, optional): learn the output offsets :math:`\mathbf{b}`. (default: ``True``)

    Shapes:
        - **input:** ``x`` :math:`((N_s, F_s), (N_d, F_d))` (or one tensor for a graph of one
          type, or :math:`((N_s, F_s), \text{None})`), ``edge_index`` :math:`(2, E)`,
          ``edge_weight`` :math:`(E)` (optional), ``size`` :math:`(N_s, N_d)` (optional)
        - **output:** :math:`(N_d, F)` for ``target='dst'``, :math:`(N_s, F)` for
          ``target='src'``, both as a tuple ``(src, dst)`` for ``target='both'`` (one pass
          over the edges for the two sides); with ``return_attention_weights=True`` also
          ``(edge_index, alpha)`` with ``alpha`` :math:`(E, H)`
    """

    def __init__(self, in_channels: int | tuple[int, int], out_channels: int, heads: int = 2,
                 k: int = 3, dropout: float = 0.0, softmax: bool = True,
                 root_weight: bool = True, bias: bool = True, **kwargs) -> None:
        kwargs.setdefault("aggr", "add")
        super().__init__(node_dim=0, **kwargs)
        if isinstance(in_channels, int):
            in_channels = (in_channels, in_channels)
        if heads < 1 or k < 1:
            raise ValueError(f"BilinearInteraction: heads and k must be >= 1, got "
                             f"heads={heads}, k={k}")
        self.in_channels = tuple(in_channels)
        self.out_channels = out_channels
        self.heads = heads
        self.k = k
        self.dropout = dropout
        self.softmax = softmax
        self.root_weight = root_weight
        self.lin_src = Linear(in_channels[0], k * out_channels)
        self.lin_dst = Linear(in_channels[1], k * out_channels)
        self.att = weight_norm(torch.nn.Linear(k * out_channels, heads), dim=None)
        self.lin_out = torch.nn.Linear(out_channels, out_channels, bias=False)
        if root_weight:
            self.lin_root_src = Linear(in_channels[0], out_channels, bias=False)
            self.lin_root_dst = Linear(in_channels[1], out_channels, bias=False)
        if bias:
            self.bias_src = torch.nn.Parameter(torch.empty(out_channels))
            self.bias_dst = torch.nn.Parameter(torch.empty(out_channels))
        else:
            self.register_parameter("bias_src", None)
            self.register_parameter("bias_dst", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise every projection, the attention map and the biases."""
        super().reset_parameters()
        self.lin_src.reset_parameters()
        self.lin_dst.reset_parameters()
        # Re-derive the weight-norm parametrisation (g, v) from a fresh weight.
        fresh = torch.nn.Linear(self.att.in_features, self.att.out_features)
        with torch.no_grad():
            self.att.weight = fresh.weight.detach().clone()
            self.att.bias.copy_(fresh.bias)
        self.lin_out.reset_parameters()
        if self.root_weight:
            self.lin_root_src.reset_parameters()
            self.lin_root_dst.reset_parameters()
        if self.bias_src is not None:
            torch.nn.init.zeros_(self.bias_src)
            torch.nn.init.zeros_(self.bias_dst)

    def forward(self, x: Tensor | PairTensor | PairOptTensor, edge_index: Tensor,
                edge_weight: OptTensor = None, size: Size = None, target: str = "dst",
                return_attention_weights: bool = False,
                ) -> Tensor | tuple[Tensor, Tensor] | tuple:
        x_src, x_dst = (x, x) if isinstance(x, Tensor) else x
        if target not in ("src", "dst", "both"):
            raise ValueError(f"BilinearInteraction: target must be 'src', 'dst' or 'both', "
                             f"got {target!r}")
        if edge_index.dim() != 2 or edge_index.size(0) != 2:
            raise ValueError(f"BilinearInteraction: edge_index must be [2, E], got "
                             f"{tuple(edge_index.shape)}")
        n_src = x_src.size(0)
        n_dst = x_dst.size(0) if x_dst is not None else (size[1] if size is not None else None)
        u = torch.relu(self.lin_src(x_src))                               # [N_s, kF]
        v = torch.relu(self.lin_dst(x_dst)) if x_dst is not None else None  # [N_d, kF]
        z = self.edge_updater(edge_index, u=u, v=v, size=(n_src, n_dst))   # [E, kF]
        a = self.att(F.dropout(z, p=self.dropout, training=self.training))   # [E, H]
        m = z.view(-1, self.k, self.out_channels).sum(dim=1)             # [E, F]
        outs, alphas = [], []
        if target in ("src", "both"):   # 'both' shares u, v, z and a between the two sides
            out, alpha = self._side(edge_index.flip([0]), a, m, edge_weight, (n_dst, n_src),
                                    x_src, self.lin_root_src if self.root_weight else None,
                                    self.bias_src)
            outs.append(out)
            alphas.append(alpha)
        if target in ("dst", "both"):
            out, alpha = self._side(edge_index, a, m, edge_weight, (n_src, n_dst), x_dst,
                                    self.lin_root_dst if self.root_weight else None,
                                    self.bias_dst)
            outs.append(out)
            alphas.append(alpha)
        if target != "both":
            return (outs[0], (edge_index, alphas[0])) if return_attention_weights else outs[0]
        if return_attention_weights:
            return tuple(outs), (edge_index, tuple(alphas))
        return tuple(outs)

    def _side(self, edge_index: Tensor, a: Tensor, m: Tensor, edge_weight: OptTensor,
              size: tuple[int | None, int | None], x_t: OptTensor,
              root: torch.nn.Module | None, bias: OptTensor) -> tuple[Tensor, Tensor]:
        """Aggregate the messages at ``edge_index[1]`` (the side being updated)."""
        alpha = softmax(a, edge_index[1], num_nodes=size[1]) if self.softmax else a
        out = self.lin_out(self.propagate(edge_index, m=m, alpha=alpha,
                                          edge_weight=edge_weight, size=size))
        if root is not None and x_t is not None:
            out = out + root(x_t)
        if bias is not None:
            out = out + bias
        return out, alpha

    def edge_update(self, u_j: Tensor, v_i: OptTensor) -> Tensor:
        r""":math:`\mathbf{z}_{ij} = \mathbf{u}_i \odot \mathbf{v}_j` per edge (PyG's ``_j`` is
        the source side, ``_i`` the destination)."""
        return u_j if v_i is None else u_j * v_i

    def message(self, m: Tensor, alpha: Tensor, edge_weight: OptTensor) -> Tensor:
        msg = alpha.sum(dim=-1, keepdim=True) * m              # sum over heads, as in BAN
        return msg if edge_weight is None else msg * edge_weight.view(-1, 1)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"heads={self.heads}, k={self.k})")
