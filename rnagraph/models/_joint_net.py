r"""The network and training task of :class:`~rnagraph.models.JointLink` (tensors in, tensors
out; no optimiser: :class:`~rnagraph.train.Trainer` runs the loop)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import HeteroConv, SAGEConv

from rnagraph.nn.heads.hadamard import HadamardHead
from rnagraph.typing import EdgeType, NodeType


def relation_key(edge_type: EdgeType) -> str:
    """A ``ModuleDict`` key of an edge type: ``"circrna__binds__mirna"``."""
    return "__".join(edge_type)


class JointNet(torch.nn.Module):
    r"""Multi-relation link predictor: node inputs, :math:`L` heterogeneous GraphSAGE layers
    (:class:`~torch_geometric.nn.HeteroConv`, one :class:`~torch_geometric.nn.SAGEConv` per
    message edge type, summed), one :class:`~rnagraph.nn.heads.HadamardHead` per predicted
    relation.

    .. math::
        h_v^{(0)} = e_v + W_{t} x_v,\qquad
        h_v^{(l+1)} = \sum_{r \ni v} \mathrm{SAGE}_r^{(l)}\big(h^{(l)}\big)_v,\qquad
        s^{r}_{ij} = \mathbf{w}_r^\top\big(h_i^{(L)} \odot h_j^{(L)}\big) + b_r,

    with :math:`e_v` a free embedding (zero-initialised for node types with input features
    :math:`x_v`, so a node that never receives a gradient -- a cold node -- is represented by
    its features alone) and ReLU + dropout between layers. Every node type has **one**
    representation, shared by all relations it takes part in (the miRNAs of the ceRNA graph).

    Args:
        num_nodes (dict[NodeType, int]): nodes per type.
        message_types (list[EdgeType]): edge types messages flow along (with reverses).
        relations (list[EdgeType]): relations with a head.
        channels (int): width :math:`C`.
        num_layers (int): :math:`L`.
        dropout (float): dropout between layers.
        feature_dims (dict[NodeType, int]): input feature width per node type (may be empty).
        no_embedding (tuple[NodeType, ...]): feature node types **without** a free embedding
            (:math:`h_v^{(0)} = W_t x_v`: their representation generalises from the features
            only). (default: ``()``)

    Shapes:
        - **input:** ``x_dict`` ``{nt: [N_nt, F_nt]}`` for the types in ``feature_dims``,
          ``edge_index_dict`` ``{et: [2, E]}``
        - **output:** ``{nt: [N_nt, C]}``; :meth:`score` gives ``[B]`` logits.
    """

    def __init__(self, num_nodes: dict[NodeType, int], message_types: list[EdgeType],
                 relations: list[EdgeType], channels: int, num_layers: int, dropout: float,
                 feature_dims: dict[NodeType, int],
                 no_embedding: tuple[NodeType, ...] = ()) -> None:
        super().__init__()
        self.num_nodes, self.channels, self.dropout = dict(num_nodes), channels, dropout
        self.feature_dims = dict(feature_dims)
        bad = [nt for nt in no_embedding if nt not in feature_dims]
        if bad:
            raise ValueError(f"JointNet: node types {bad} in no_embedding have no features; "
                             f"a node type needs an embedding or features")
        self.emb = torch.nn.ModuleDict({nt: torch.nn.Embedding(n, channels)
                                        for nt, n in num_nodes.items()
                                        if nt not in no_embedding})
        self.lin = torch.nn.ModuleDict({nt: torch.nn.Linear(d, channels)
                                        for nt, d in feature_dims.items()})
        self.convs = torch.nn.ModuleList([
            HeteroConv({et: SAGEConv((channels, channels), channels) for et in message_types},
                       aggr="sum") for _ in range(num_layers)])
        self.heads = torch.nn.ModuleDict({relation_key(r): HadamardHead(channels)
                                          for r in relations})
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for nt, e in self.emb.items():
            if nt in self.lin:
                torch.nn.init.zeros_(e.weight)
            else:
                torch.nn.init.normal_(e.weight, std=0.1)
        for m in (*self.lin.values(), *self.convs, *self.heads.values()):
            m.reset_parameters()

    def forward(self, x_dict: dict[NodeType, Tensor],
                edge_index_dict: dict[EdgeType, Tensor]) -> dict[NodeType, Tensor]:
        h = {nt: (self.emb[nt].weight if nt in self.emb else 0.0)
             + (self.lin[nt](x_dict[nt]) if nt in self.lin else 0.0) for nt in self.num_nodes}
        for i, conv in enumerate(self.convs):
            out = conv(h, edge_index_dict)
            h = {nt: out.get(nt, torch.zeros_like(v)) for nt, v in h.items()}
            if i < len(self.convs) - 1:
                h = {nt: F.dropout(v.relu(), self.dropout, self.training) for nt, v in h.items()}
        return h

    def score(self, z: dict[NodeType, Tensor], relation: EdgeType, pairs: Tensor) -> Tensor:
        """Logits ``[B]`` of ``pairs`` ``[2, B]`` of ``relation``."""
        return self.heads[relation_key(relation)](z[relation[0]], z[relation[2]], pairs)

    def __repr__(self) -> str:
        rel = ", ".join(k.split("__")[1] for k in self.heads)
        return (f"JointNet(channels={self.channels}, num_layers={len(self.convs)}, "
                f"relations=[{rel}])")


def _fresh_negatives(pos: Tensor, src_pool: Tensor, dst_pool: Tensor, n_dst: int,
                     num: int) -> Tensor:
    """``[2, <=num]`` uniform pairs from ``src_pool x dst_pool`` that are not in ``pos``
    (drawn from the global torch RNG, which the trainer forks and seeds)."""
    s = src_pool[torch.randint(src_pool.numel(), (num,), device=src_pool.device)]
    d = dst_pool[torch.randint(dst_pool.numel(), (num,), device=dst_pool.device)]
    keep = ~torch.isin(s * n_dst + d, pos[0] * n_dst + pos[1])
    return torch.stack([s[keep], d[keep]])


class JointTask:
    """The :class:`~rnagraph.train.trainer.LinkTask` of :class:`JointLink`: the weighted sum of
    one binary cross-entropy per relation.

    The predicted relation's loss is on the trainer's batch of labelled pairs plus
    ``neg_ratio`` fresh negatives per batch positive; every other relation in ``aux`` adds the
    loss of its training positives (the edges of the training graph) against as many fresh
    negatives, drawn among the nodes that have such edges (so cold nodes are never touched).
    Validation logits are the predicted relation's.
    """

    def __init__(self, net: JointNet, x: dict[NodeType, Tensor], edges: dict[EdgeType, Tensor],
                 target: EdgeType, target_pos: Tensor, weights: dict[EdgeType, float],
                 aux: dict[EdgeType, Tensor], num_nodes: dict[NodeType, int],
                 neg_ratio: float) -> None:
        self.module, self.x, self.edges, self.target = net, x, edges, target
        self.weights, self.aux, self.num_nodes, self.neg_ratio = weights, aux, num_nodes, neg_ratio
        self.target_pos = target_pos
        self.pools = {r: (torch.unique(p[0]), torch.unique(p[1]))
                      for r, p in {target: target_pos, **aux}.items() if p.numel()}

    def _bce_with_negatives(self, z, rel: EdgeType, pairs: Tensor, labels: Tensor,
                            known: Tensor) -> Tensor:
        n_pos = int((labels > 0.5).sum())
        num = int(round(self.neg_ratio * n_pos))
        if num > 0 and rel in self.pools:
            neg = _fresh_negatives(known, *self.pools[rel], self.num_nodes[rel[2]], num)
            pairs = torch.cat([pairs, neg], 1)
            labels = torch.cat([labels, labels.new_zeros(neg.size(1))])
        return F.binary_cross_entropy_with_logits(self.module.score(z, rel, pairs), labels)

    def loss(self, pairs: Tensor, labels: Tensor) -> tuple[Tensor, dict]:
        z = self.module(self.x, self.edges)
        lt = self._bce_with_negatives(z, self.target, pairs, labels, self.target_pos)
        total = self.weights.get(self.target, 1.0) * lt
        extras = {f"loss_{self.target[1]}": float(lt.detach())}
        for rel, pos in self.aux.items():
            if pos.numel() == 0 or self.weights.get(rel, 0.0) == 0:
                continue
            ones = labels.new_ones(pos.size(1))
            la = self._bce_with_negatives(z, rel, pos, ones, pos)
            total = total + self.weights[rel] * la
            extras[f"loss_{rel[1]}"] = float(la.detach())
        return total, extras

    def logits(self, pairs: Tensor) -> Tensor:
        return self.module.score(self.module(self.x, self.edges), self.target, pairs)
