"""A plain PyG link predictor: learnable embeddings -> 2-layer GraphSAGE -> dot product."""
from __future__ import annotations

import copy

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.nn import SAGEConv, to_hetero

from rnagraph.data.fold import Fold
from rnagraph.models._calibrate import Platt1D, calibration_pairs
from rnagraph.typing import EdgeType, NodeType, reverse_edge_type


class _SAGE(torch.nn.Module):
    def __init__(self, channels: int, dropout: float):
        super().__init__()
        self.conv1 = SAGEConv((channels, channels), channels)
        self.conv2 = SAGEConv((channels, channels), channels)
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        x = self.dropout(self.conv1(x, edge_index).relu())
        return self.conv2(x, edge_index)


class _Net(torch.nn.Module):
    def __init__(self, num_nodes: dict[NodeType, int], metadata: tuple, channels: int,
                 dropout: float):
        super().__init__()
        self.emb = torch.nn.ModuleDict({nt: torch.nn.Embedding(n, channels)
                                        for nt, n in num_nodes.items()})
        self.gnn = to_hetero(_SAGE(channels, dropout), metadata, aggr="sum")
        for e in self.emb.values():
            torch.nn.init.normal_(e.weight, std=0.1)

    def forward(self, edge_index_dict: dict[EdgeType, Tensor]) -> dict[NodeType, Tensor]:
        return self.gnn({nt: e.weight for nt, e in self.emb.items()}, edge_index_dict)


def _message_edges(graph: HeteroData) -> dict[EdgeType, Tensor]:
    """Every edge type of ``graph``, with the reverse added where it is missing."""
    out: dict[EdgeType, Tensor] = {}
    for et in graph.edge_types:
        ei = graph[et].get("edge_index")
        if ei is None:
            continue
        out[et] = ei
    for et in list(out):
        rev = reverse_edge_type(et)
        if rev not in out and et[0] != et[2]:
            out[rev] = out[et].flip(0)
    return out


class SAGELink:
    r"""Learnable node embeddings, a 2-layer GraphSAGE (``to_hetero``), a dot-product decoder.

    Every node :math:`v` of type :math:`t` gets a free embedding :math:`x_v \in \mathbb{R}^C`;
    two GraphSAGE layers (Hamilton et al., 2017) made heterogeneous with
    :func:`torch_geometric.nn.to_hetero` (sum over edge types) pass messages over **the training
    graph's edges only** (``fold.train_graph``: training positives of the predicted type plus
    any other edge type, each with its reverse):

    .. math::
        h_v^{(l+1)} = \sum_{r} \Big( W_1^{r} h_v^{(l)} + W_2^{r}
        \operatorname{mean}_{u \in \mathcal{N}_r(v)} h_u^{(l)} \Big),\qquad
        p_{sd} = \sigma\big(\langle h_s^{(2)}, h_d^{(2)} \rangle\big).

    Full-batch training with binary cross-entropy on ``fold.train``'s positives and, each epoch,
    ``neg_ratio`` fresh uniform negatives per positive drawn among the nodes that have training
    pairs (so cold test nodes are never touched), with Adam. Early stopping on the validation
    AUC (``fold.val``) restores the best epoch. Seeded with a forked RNG: the global torch
    random state is left as it was.

    Args:
        hidden_channels (int): embedding and layer width :math:`C`. (default: ``64``)
        epochs (int): maximum epochs. (default: ``300``)
        lr (float): Adam learning rate. (default: ``0.01``)
        weight_decay (float): Adam weight decay. (default: ``0``)
        dropout (float): dropout between the layers. (default: ``0``)
        neg_ratio (float): fresh negatives per positive each epoch. (default: ``1``)
        patience (int): evaluations without validation improvement before stopping.
            (default: ``10``)
        eval_every (int): epochs between validation evaluations. (default: ``5``)
        calibrate (bool): Platt-scale the logits on ``fold.val`` after training (as the other
            graph baselines do). Training positives are message-passing edges, so their logits
            sit above those of unseen positives and a plain sigmoid puts the 0.5 threshold too
            high for test pairs; calibration is monotone and changes no ranking metric.
            (default: ``True``)
        seed (int): seed. (default: ``0``)
    """

    def __init__(self, hidden_channels: int = 64, epochs: int = 300, lr: float = 0.01,
                 weight_decay: float = 0.0, dropout: float = 0.0, neg_ratio: float = 1.0,
                 patience: int = 10, eval_every: int = 5, calibrate: bool = True,
                 seed: int = 0):
        self.hidden_channels = hidden_channels
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.neg_ratio = neg_ratio
        self.patience = patience
        self.eval_every = eval_every
        self.calibrate = calibrate
        self.seed = seed

    def reset_parameters(self) -> None:
        for k in ("edge_type_", "net_", "best_epoch_", "history_", "_cache", "calibrator_"):
            self.__dict__.pop(k, None)

    def _logits(self, z: dict[NodeType, Tensor], pairs: Tensor) -> Tensor:
        src_t, _, dst_t = self.edge_type_
        return (z[src_t][pairs[0]] * z[dst_t][pairs[1]]).sum(-1)

    def fit(self, fold: Fold) -> SAGELink:
        """Train on ``fold.train_graph`` / ``fold.train``, early-stop on ``fold.val``."""
        from sklearn.metrics import roc_auc_score
        self.reset_parameters()
        self.edge_type_ = fold.edge_type
        g = fold.train_graph
        src_t, _, dst_t = fold.edge_type
        edges = _message_edges(g)
        num_nodes = {nt: int(g[nt].num_nodes) for nt in g.node_types}
        metadata = (list(num_nodes), list(edges))
        pos = fold.train.pos_index
        if pos.size(1) == 0:
            raise ValueError("SAGELink: fold has no training positives")
        tr = fold.train.edge_label_index
        src_pool, dst_pool = torch.unique(tr[0]), torch.unique(tr[1])
        n_dst = num_nodes[dst_t]
        pos_codes = pos[0] * n_dst + pos[1]
        n_neg = max(1, int(round(self.neg_ratio * pos.size(1))))
        val = fold.val
        use_val = len(val) > 0 and 0 < float(val.edge_label.sum()) < len(val)
        history: list[tuple[int, float]] = []
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            gen = torch.Generator().manual_seed(self.seed)
            net = _Net(num_nodes, metadata, self.hidden_channels, self.dropout)
            opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
            best, best_state, best_epoch, bad = -1.0, None, self.epochs, 0
            lossf = torch.nn.BCEWithLogitsLoss()
            for epoch in range(1, self.epochs + 1):
                net.train()
                opt.zero_grad()
                s = src_pool[torch.randint(src_pool.numel(), (n_neg,), generator=gen)]
                d = dst_pool[torch.randint(dst_pool.numel(), (n_neg,), generator=gen)]
                keep = ~torch.isin(s * n_dst + d, pos_codes)
                neg = torch.stack([s[keep], d[keep]])
                z = net(edges)
                logits = torch.cat([self._logits(z, pos), self._logits(z, neg)])
                y = torch.cat([torch.ones(pos.size(1)), torch.zeros(neg.size(1))])
                loss = lossf(logits, y)
                loss.backward()
                opt.step()
                if use_val and (epoch % self.eval_every == 0 or epoch == self.epochs):
                    net.eval()
                    with torch.no_grad():
                        v = self._logits(net(edges), val.edge_label_index)
                    auc = float(roc_auc_score(val.edge_label.numpy(), v.numpy()))
                    history.append((epoch, auc))
                    if auc > best:
                        best, best_epoch, bad = auc, epoch, 0
                        best_state = copy.deepcopy(net.state_dict())
                    else:
                        bad += 1
                        if bad >= self.patience:
                            break
            if best_state is not None:
                net.load_state_dict(best_state)
        net.eval()
        self.net_ = net
        self.best_epoch_ = best_epoch
        self.history_ = history
        if self.calibrate:
            cal = calibration_pairs(fold)
            x = self._logits(self.embed(fold.train_graph), cal.edge_label_index)
            self.calibrator_ = Platt1D().fit(x.numpy(), cal.edge_label.numpy())
        return self

    @torch.no_grad()
    def embed(self, graph: HeteroData) -> dict[NodeType, Tensor]:
        """Final node embeddings ``{node_type: [N_t, C]}`` with ``graph``'s edges as messages."""
        if not hasattr(self, "net_"):
            raise ValueError("SAGELink: call fit(fold) before score()")
        key = (id(graph), tuple((et, int(e.size(1))) for et, e in _message_edges(graph).items()))
        cache = self.__dict__.get("_cache")
        if cache is not None and cache[0] == key:
            return cache[1]
        for nt, e in self.net_.emb.items():
            if int(graph[nt].num_nodes) != e.num_embeddings:
                raise ValueError(f"SAGELink: graph has {graph[nt].num_nodes} {nt!r} nodes, the "
                                 f"model was fitted on {e.num_embeddings}")
        z = self.net_(_message_edges(graph))
        self._cache = (key, z)
        return z

    def score(self, graph: HeteroData, edge_label_index: Tensor) -> Tensor:
        """Probabilities ``[N]`` for the pairs ``edge_label_index`` ``[2, N]``."""
        x = self._logits(self.embed(graph), edge_label_index.long())
        if self.calibrate:
            return self.calibrator_(x)
        return torch.sigmoid(x)

    def __repr__(self) -> str:
        return (f"SAGELink(hidden_channels={self.hidden_channels}, epochs={self.epochs}, "
                f"lr={self.lr}, calibrate={self.calibrate})")


