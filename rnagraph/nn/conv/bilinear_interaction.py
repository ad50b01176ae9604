"""Low-rank bilinear attention between two node types (MFERL's heterogeneous interaction)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn.utils.parametrizations import weight_norm
from torch_geometric.utils import scatter, softmax


class BilinearInteraction(torch.nn.Module):
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
    its own :math:`\mathbf{W}_r, \mathbf{b}`). Used inside
    :class:`~torch_geometric.nn.conv.HeteroConv` the default ``target='dst'`` behaves like any
    bipartite PyG layer.

    Only the scored edges are formed, so time and memory are :math:`O(E\,kF)`: the all-pairs
    :math:`N_s \times N_d \times kF` tensor of the reference implementation is never built.
    BAN's unnormalised maps would scale with node degree, hence the softmax (``softmax=False``
    restores BAN's raw maps). The root term :math:`\mathbf{W}_r \mathbf{x}_j`
    (``root_weight=True``) keeps nodes without training edges representable.

    Args:
        in_channels (int or tuple[int, int]): widths of source and destination inputs.
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
        - **input:** ``x`` :math:`((N_s, F_s), (N_d, F_d))`, ``edge_index`` :math:`(2, E)`
        - **output:** :math:`(N_d, F)` for ``target='dst'``, :math:`(N_s, F)` for
          ``target='src'``, both as a tuple ``(src, dst)`` for ``target='both'`` (one pass
          over the edges for the two sides); with ``return_attention_weights=True`` also
          ``(edge_index, alpha)`` with ``alpha`` :math:`(E, H)`
    """

    def __init__(self, in_channels: int | tuple[int, int], out_channels: int, heads: int = 2,
                 k: int = 3, dropout: float = 0.0, softmax: bool = True,
                 root_weight: bool = True, bias: bool = True) -> None:
        super().__init__()
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
        self.lin_src = torch.nn.Linear(in_channels[0], k * out_channels)
        self.lin_dst = torch.nn.Linear(in_channels[1], k * out_channels)
        self.att = weight_norm(torch.nn.Linear(k * out_channels, heads), dim=None)
        self.lin_out = torch.nn.Linear(out_channels, out_channels, bias=False)
        if root_weight:
            self.lin_root_src = torch.nn.Linear(in_channels[0], out_channels, bias=False)
            self.lin_root_dst = torch.nn.Linear(in_channels[1], out_channels, bias=False)
        if bias:
            self.bias_src = torch.nn.Parameter(torch.empty(out_channels))
            self.bias_dst = torch.nn.Parameter(torch.empty(out_channels))
        else:
            self.register_parameter("bias_src", None)
            self.register_parameter("bias_dst", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise every projection, the attention map and the biases."""
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

    def forward(self, x: Tensor | tuple[Tensor, Tensor], edge_index: Tensor,
                target: str = "dst", return_attention_weights: bool = False,
                ) -> Tensor | tuple[Tensor, Tensor] | tuple:
        x_src, x_dst = (x, x) if isinstance(x, Tensor) else x
        if target not in ("src", "dst", "both"):
            raise ValueError(f"BilinearInteraction: target must be 'src', 'dst' or 'both', "
                             f"got {target!r}")
        if edge_index.dim() != 2 or edge_index.size(0) != 2:
            raise ValueError(f"BilinearInteraction: edge_index must be [2, E], got "
                             f"{tuple(edge_index.shape)}")
        src, dst = edge_index
        u = torch.relu(self.lin_src(x_src))                    # [N_s, kF]
        v = torch.relu(self.lin_dst(x_dst))                    # [N_d, kF]
        z = u[src] * v[dst]                                    # [E, kF]
        a = self.att(F.dropout(z, p=self.dropout, training=self.training))   # [E, H]
        m = z.view(-1, self.k, self.out_channels).sum(dim=1)   # [E, F]
        sides = ("src", "dst") if target == "both" else (target,)
        outs, alphas = [], []
        for side in sides:   # 'both' shares u, v, z and a between the two sides
            out, alpha = self._aggregate(side, a, m, edge_index, x_src, x_dst)
            outs.append(out)
            alphas.append(alpha)
        if target != "both":
            return (outs[0], (edge_index, alphas[0])) if return_attention_weights else outs[0]
        if return_attention_weights:
            return tuple(outs), (edge_index, tuple(alphas))
        return tuple(outs)

    def _aggregate(self, side: str, a: Tensor, m: Tensor, edge_index: Tensor, x_src: Tensor,
                   x_dst: Tensor) -> tuple[Tensor, Tensor]:
        index, x_t = (edge_index[1], x_dst) if side == "dst" else (edge_index[0], x_src)
        n = x_t.size(0)
        alpha = softmax(a, index, num_nodes=n) if self.softmax else a
        msg = alpha.sum(dim=-1, keepdim=True) * m              # sum over heads, as in BAN
        out = self.lin_out(scatter(msg, index, dim=0, dim_size=n, reduce="sum"))
        if self.root_weight:
            root = self.lin_root_dst if side == "dst" else self.lin_root_src
            out = out + root(x_t)
        b = self.bias_dst if side == "dst" else self.bias_src
        if b is not None:
            out = out + b
        return out, alpha

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"heads={self.heads}, k={self.k})")
