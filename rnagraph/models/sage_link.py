"""A plain PyG link predictor: learnable embeddings -> 2-layer GraphSAGE -> dot product."""
from __future__ import annotations

from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.nn import MessagePassing, SAGEConv, to_hetero

from rnagraph.data.build import message_edges
from rnagraph.data.fold import Fold
from rnagraph.models.base import LinkModel
from rnagraph.nn.heads._utils import pair_dot
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import EdgeType, NodeType

#: the values of ``SAGELink(negatives=...)``
NEGATIVES = ("resample", "fold")


class _SAGE(torch.nn.Module):
    def __init__(self, channels: int, dropout: float):
        super().__init__()
        self.conv1 = SAGEConv((channels, channels), channels)
        self.conv2 = SAGEConv((channels, channels), channels)
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        x = self.dropout(self.conv1(x, edge_index).relu())
        return self.conv2(x, edge_index)


class _SAGENet(torch.nn.Module):
    """Free node embeddings ``{t: [N_t, C]}`` -> heterogeneous 2-layer GraphSAGE.

    ``forward(edge_index_dict)`` returns the final embeddings ``{t: [N_t, C]}``; the edge types
    must be those of ``metadata`` (missing ones are passed as empty).
    """

    def __init__(self, num_nodes: dict[NodeType, int], edge_types: list[EdgeType],
                 channels: int, dropout: float):
        super().__init__()
        self.num_nodes = dict(num_nodes)
        self.edge_types = [tuple(et) for et in edge_types]
        self.channels = channels
        self.emb = torch.nn.ModuleDict({nt: torch.nn.Embedding(n, channels)
                                        for nt, n in self.num_nodes.items()})
        self.gnn = to_hetero(_SAGE(channels, dropout), (list(self.num_nodes), self.edge_types),
                             aggr="sum")
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for e in self.emb.values():
            torch.nn.init.normal_(e.weight, std=0.1)
        for m in self.gnn.modules():
            if isinstance(m, MessagePassing):
                m.reset_parameters()

    def forward(self, edge_index_dict: dict[EdgeType, Tensor]) -> dict[NodeType, Tensor]:
        return self.gnn({nt: e.weight for nt, e in self.emb.items()}, edge_index_dict)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(channels={self.channels}, "
                f"num_nodes={self.num_nodes}, edge_types={len(self.edge_types)})")


class _SAGETask:
    """What :class:`~rnagraph.train.Trainer` trains: BCE on the batch's labelled pairs plus,
    with ``negatives="resample"``, ``neg_ratio`` fresh negatives per batch positive drawn from
    the torch global generator (which the trainer has seeded under ``fork_rng``)."""

    def __init__(self, net: _SAGENet, edges: dict[EdgeType, Tensor], edge_type: EdgeType,
                 fold: Fold, negatives: str, neg_ratio: float, device: torch.device):
        self.module = net
        self.edges = {et: e.to(device) for et, e in edges.items()}
        self.src_t, self.dst_t = edge_type[0], edge_type[2]
        self.resample = negatives == "resample"
        self.neg_ratio = neg_ratio
        self.device = device
        tr = fold.train.edge_label_index
        pos = fold.train.pos_index
        self.n_dst = int(fold.train_graph[self.dst_t].num_nodes)
        self.src_pool, self.dst_pool = torch.unique(tr[0]), torch.unique(tr[1])
        self.pos_codes = pos[0] * self.n_dst + pos[1]

    def _fresh_negatives(self, n_pos: int) -> Tensor:
        n = max(1, int(round(self.neg_ratio * n_pos)))
        s = self.src_pool[torch.randint(self.src_pool.numel(), (n,))]
        d = self.dst_pool[torch.randint(self.dst_pool.numel(), (n,))]
        keep = ~torch.isin(s * self.n_dst + d, self.pos_codes)
        return torch.stack([s[keep], d[keep]]).to(self.device)

    def _scores(self, z: dict[NodeType, Tensor], pairs: Tensor) -> Tensor:
        return pair_dot(z[self.src_t], z[self.dst_t], pairs)

    def loss(self, pairs: Tensor, labels: Tensor) -> Tensor:
        z = self.module(self.edges)
        if self.resample and self.neg_ratio > 0:
            neg = self._fresh_negatives(int((labels > 0.5).sum()))
            pairs = torch.cat([pairs, neg], dim=1)
            labels = torch.cat([labels, labels.new_zeros(neg.size(1))])
        return F.binary_cross_entropy_with_logits(self._scores(z, pairs), labels)

    def logits(self, pairs: Tensor) -> Tensor:
        return self._scores(self.module(self.edges), pairs)


class SAGELink(LinkModel):
    r"""Learnable node embeddings, a 2-layer GraphSAGE (``to_hetero``), a dot-product decoder.

    Every node :math:`v` of type :math:`t` gets a free embedding :math:`x_v \in \mathbb{R}^C`;
    two GraphSAGE layers (Hamilton et al., 2017) made heterogeneous with
    :func:`torch_geometric.nn.to_hetero` (sum over edge types) pass messages over the edges of
    the graph (in :meth:`fit`, **the training graph's edges only**, ``fold.train_graph``:
    training positives of the predicted type plus any other edge type, each with its reverse):

    .. math::
        h_v^{(l+1)} = \sum_{r} \Big( W_1^{r} h_v^{(l)} + W_2^{r}
        \operatorname{mean}_{u \in \mathcal{N}_r(v)} h_u^{(l)} \Big),\qquad
        x_{sd} = \langle h_s^{(2)}, h_d^{(2)} \rangle,\qquad p_{sd} = \sigma(a\, x_{sd} + b),

    with :math:`x_{sd}` the :meth:`decision_function` (the logit) and :math:`(a, b)` the
    calibration stage on ``fold.val``.

    Training is binary cross-entropy with Adam through :class:`~rnagraph.train.Trainer`, full
    batch by default (early stopping on the validation AUC of ``fold.val``, evaluated every
    ``trainer.eval_every`` epochs, best epoch restored; seeded under a forked RNG, so the global
    torch random state is left as it was). Which negatives it sees is the ``negatives`` option:

    * ``"resample"`` (default): ``fold.train``'s labelled pairs **plus**, every epoch,
      ``neg_ratio`` fresh uniform negatives per training positive, drawn among the nodes that
      have training pairs (so cold test nodes are never touched) and rejecting training
      positives. Many more distinct negatives over a run; the fold's own negative ratio is not
      the one trained on.
    * ``"fold"``: ``fold.train``'s labelled pairs only (the fold's fixed negatives and ratio,
      as every other model of the protocol sees them).

    Node embeddings are computed once per (fitted model, graph) with that graph's edges as
    messages (default: the fitted graph) and reused across :meth:`decision_function` calls;
    pairs are scored in blocks (:func:`~rnagraph.nn.heads._utils.pair_dot`, float64).

    Args:
        hidden_channels (int): embedding and layer width :math:`C`. (default: ``64``)
        dropout (float): dropout between the layers. (default: ``0``)
        negatives (str): ``"resample"`` or ``"fold"`` (above). (default: ``"resample"``)
        neg_ratio (float): fresh negatives per positive each epoch with
            ``negatives="resample"``. (default: ``1``)
        calibrate (bool): Platt-scale the logits on ``fold.val`` after training (as the other
            graph baselines do). Training positives are message-passing edges, so their logits
            sit above those of unseen positives and a plain sigmoid puts the 0.5 threshold too
            high for test pairs; calibration is monotone and changes no ranking metric.
            (default: ``True``)
        trainer (TrainerConfig, optional): epochs, learning rate, early stopping, device and
            seed of the fit (:class:`~rnagraph.train.config.TrainerConfig`); ``None``: this
            model's defaults, :attr:`default_trainer` (300 epochs, ``lr=0.01``, no weight
            decay, full batch, ``patience=50`` **epochs**, i.e. 10 evaluations at
            ``eval_every=5``).
            ``SAGELink.trainer_config(epochs=50)`` changes one option and keeps the
            others. (default: ``None``)
    """

    #: the :class:`~rnagraph.train.config.TrainerConfig` of ``trainer=None``
    default_trainer: ClassVar[dict[str, Any]] = {"epochs": 300, "lr": 0.01,
                                                 "weight_decay": 0.0, "patience": 50,
                                                 "eval_every": 5}

    def __init__(self, hidden_channels: int = 64, dropout: float = 0.0,
                 negatives: str = "resample", neg_ratio: float = 1.0, calibrate: bool = True,
                 trainer: TrainerConfig | None = None):
        self.hidden_channels = hidden_channels
        self.dropout = dropout
        self.negatives = negatives
        self.neg_ratio = neg_ratio
        self.calibrate = calibrate
        self.trainer = self._trainer_part(trainer)

    def _validate_params(self) -> None:
        self._check_param("negatives", self.negatives in NEGATIVES, f"must be one of {NEGATIVES}")
        self._check_param("neg_ratio", self.neg_ratio >= 0, "must be >= 0")
        self._check_param("hidden_channels", self.hidden_channels >= 1, "must be >= 1")

    def _build(self, num_nodes: dict[NodeType, int], edge_types: list[EdgeType]) -> _SAGENet:
        with torch.random.fork_rng(devices=[]):       # construction draws; Trainer reseeds
            return _SAGENet(num_nodes, edge_types, self.hidden_channels, self.dropout)

    def _fit(self, fold: Fold) -> None:
        """Train the network on ``fold.train`` (messages over ``fold.train_graph``)."""
        if fold.train.pos_index.size(1) == 0:
            raise ValueError("SAGELink: fold has no training positives")
        g = fold.train_graph
        edges = message_edges(g)
        net = self._build({nt: int(g[nt].num_nodes) for nt in g.node_types}, list(edges))
        device = torch.device(self.trainer.device)
        task = _SAGETask(net, edges, self.edge_type_, fold, self.negatives, self.neg_ratio,
                         device)
        trainer = self.trainer.build(device=device)
        trainer.fit(task, fold.train, fold.val)
        self.net_ = net
        self.history_ = trainer.history_
        self.best_epoch_ = trainer.best_epoch_
        self.fit_info_ = trainer.fit_info()

    def _encode(self, graph: HeteroData) -> tuple[Tensor, Tensor]:
        """Final embeddings ``([N_s, C], [N_d, C])`` (float64) of the edge type's two node types,
        with ``graph``'s edges as messages (edge types the network was not built with are
        ignored; missing ones send no messages)."""
        net = self.net_
        dev = next(net.parameters()).device
        got = message_edges(graph)
        empty = torch.empty(2, 0, dtype=torch.long)
        edges = {et: got.get(et, empty).to(dev) for et in net.edge_types}
        net.eval()
        with torch.no_grad():
            z = net(edges)
        return z[self.edge_type_[0]].double(), z[self.edge_type_[2]].double()

    def _decision(self, encoded: tuple[Tensor, Tensor], pairs: Tensor) -> Tensor:
        z_src, z_dst = encoded
        return pair_dot(z_src, z_dst, pairs.to(z_src.device))

    def _decision_grid(self, encoded: tuple[Tensor, Tensor], src: Tensor, dst: Tensor) -> Tensor:
        z_src, z_dst = encoded
        return z_src[src.to(z_src.device)] @ z_dst[dst.to(z_dst.device)].T  # one product

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        net = self.net_
        extra = {"num_nodes": net.num_nodes, "edge_types": [list(et) for et in net.edge_types],
                 "best_epoch": int(self.best_epoch_), "fit_info": self.fit_info_,
                 "history": self.history_}
        return dict(net.state_dict()), extra

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        net = self._build({k: int(v) for k, v in extra["num_nodes"].items()},
                          [tuple(et) for et in extra["edge_types"]])
        net.load_state_dict(tensors)
        net.eval()
        self.net_ = net
        self.best_epoch_ = int(extra["best_epoch"])
        self.fit_info_ = extra["fit_info"]
        self.history_ = extra["history"]
