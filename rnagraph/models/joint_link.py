r"""A multi-relation link predictor for the joint ceRNA graph (circRNA-miRNA + miRNA-mRNA)."""
from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import message_edges, node_sequences
from rnagraph.data.fold import Fold
from rnagraph.features.seed_sites import seed_family_features
from rnagraph.models._joint_net import JointNet, JointTask
from rnagraph.models.base import LinkModel
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import MIRNA, EdgeType, NodeType, reverse_edge_type


def interaction_types(graph: HeteroData) -> list[EdgeType]:
    """The forward interaction types of ``graph`` (edge types that are not ``rev_`` of another
    present type, and not self-loops of a node type)."""
    out = []
    for et in graph.edge_types:
        if "edge_index" not in graph[et] or et[0] == et[2]:
            continue
        if et[1].startswith("rev_") and reverse_edge_type(et) in graph.edge_types:
            continue
        out.append(tuple(et))
    return out


class JointLink(LinkModel):
    r"""Learns several interaction types of one graph together: a shared representation of
    every node, heterogeneous GraphSAGE over **all** relations, one head per relation, a
    weighted sum of per-relation losses.

    The network (:class:`~rnagraph.models._joint_net.JointNet`) gives every node a free
    embedding plus, for miRNAs, a linear map of the 1-3-mer frequencies of its sequence (so a
    cold miRNA still has a representation), runs ``num_layers``
    :class:`~torch_geometric.nn.HeteroConv` layers with one
    :class:`~torch_geometric.nn.SAGEConv` per edge type of the training graph (each relation and
    its reverse; a miRNA thus aggregates its circRNAs **and** its targets), and scores relation
    :math:`r` with its own :class:`~rnagraph.nn.heads.HadamardHead`. The loss is

    .. math::
        \mathcal{L} = \sum_r \lambda_r\, \mathrm{BCE}_r,

    with :math:`r` = the fold's edge type (the predicted relation: ``fold.train``'s labelled
    pairs plus ``neg_ratio`` fresh negatives per positive each epoch) and, when ``joint``, every
    other interaction type of ``fold.train_graph`` (its training edges as positives, as many
    fresh negatives). :math:`\lambda_r` = ``loss_weights.get(relation name, 1)``.

    **One model per predicted edge type.** ``fit(fold)`` learns every relation but early-stops,
    calibrates and scores on ``fold.edge_type``; to predict both types, fit one model on each
    type's fold of a :func:`~rnagraph.data.joint_kfold_split` (the folds share one training
    graph, so the auxiliary relation never sees held-out edges of either type).
    ``joint=False`` is the **single-task** model: the same architecture, messages over the same
    graph, the predicted relation's loss only -- so joint and single-task differ only in the
    second relation's supervision.

    Args:
        hidden_channels (int): width :math:`C`. (default: ``64``)
        num_layers (int): GraphSAGE layers. (default: ``2``)
        dropout (float): dropout between layers. (default: ``0``)
        joint (bool): add the other relations' losses. (default: ``True``)
        loss_weights (dict[str, float], optional): :math:`\lambda` per relation name (the middle
            of the edge type, e.g. ``{"binds": 1, "targets": 0.5}``); missing names weigh 1.
        mirna_features (bool): feed miRNA 1-3-mer frequencies (84 dims; zeros where no
            sequence is known). (default: ``True``)
        seed_features (bool): also feed the miRNA seed code of
            :func:`~rnagraph.features.seed_sites.seed_family_features` (nt 1-8 one-hot +
            shared seed hexamers/heptamers, over the graph's miRNA sequences: inputs, not
            labels), so a miRNA without
            edges shares the representation of its seed family. (default: ``False``)
        mirna_embedding (bool): give miRNAs a free embedding besides their features;
            ``False`` represents a miRNA by its sequence features alone (needs
            ``mirna_features`` or ``seed_features``). (default: ``True``)
        neg_ratio (float): fresh negatives per positive each epoch. (default: ``1``)
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)
        trainer (TrainerConfig, optional): epochs, learning rate, early stopping, device and
            seed of the fit (:class:`~rnagraph.train.config.TrainerConfig`; the seed also
            initialises the network); ``None``: :attr:`default_trainer` (300 epochs,
            ``lr=0.01``, no weight decay, full batch, ``patience=50`` epochs,
            ``eval_every=5``).
            ``JointLink.trainer_config(epochs=50)`` changes one option and keeps the
            others. (default: ``None``)
    """

    #: the :class:`~rnagraph.train.config.TrainerConfig` of ``trainer=None``
    default_trainer: ClassVar[dict[str, Any]] = {"epochs": 300, "lr": 0.01,
                                                 "weight_decay": 0.0, "patience": 50,
                                                 "eval_every": 5}

    def __init__(self, hidden_channels: int = 64, num_layers: int = 2, dropout: float = 0.0,
                 joint: bool = True, loss_weights: dict | None = None,
                 mirna_features: bool = True, seed_features: bool = False,
                 mirna_embedding: bool = True, neg_ratio: float = 1.0,
                 calibrate: bool = True, trainer: TrainerConfig | None = None):
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.dropout = dropout
        self.joint = joint
        self.loss_weights = loss_weights
        self.mirna_features = mirna_features
        self.seed_features = seed_features
        self.mirna_embedding = mirna_embedding
        self.neg_ratio = neg_ratio
        self.calibrate = calibrate
        self.trainer = self._trainer_part(trainer)

    def _validate_params(self) -> None:
        self._check_param("hidden_channels", self.hidden_channels >= 1, "must be >= 1")
        self._check_param("num_layers", self.num_layers >= 1, "must be >= 1")
        lw = self.loss_weights
        self._check_param("loss_weights", lw is None or all(float(w) >= 0 for w in lw.values()),
                          "must be >= 0")

    # ----------------------------------------------------------------- inputs
    def _features(self, graph: HeteroData) -> dict[NodeType, Tensor]:
        if not (self.mirna_features or self.seed_features) or MIRNA not in graph.node_types:
            return {}
        from rnagraph.features.kmer import KmerFrequency
        seq = node_sequences(graph, MIRNA)
        parts = []
        if self.mirna_features:
            parts.append(np.asarray(KmerFrequency(k=(1, 2, 3)).fit_transform(seq)))
        if self.seed_features:
            parts.append(seed_family_features(seq))
        x = np.concatenate(parts, axis=1)
        return {MIRNA: torch.as_tensor(x, dtype=torch.float32)}

    def _build(self, graph: HeteroData) -> JointNet:
        num_nodes = {nt: int(graph[nt].num_nodes) for nt in graph.node_types}
        msg = list(message_edges(graph, self.relations_))
        with torch.random.fork_rng(devices=[]):   # construction initialises: keep it local
            torch.manual_seed(self.trainer.seed)
            return JointNet(num_nodes, msg, self.relations_, self.hidden_channels,
                            self.num_layers, self.dropout,
                            {nt: int(x.size(1)) for nt, x in self.x_.items()},
                            () if self.mirna_embedding else (MIRNA,))

    # ----------------------------------------------------------------- contract hooks
    def _fit(self, fold: Fold) -> None:
        g = fold.train_graph
        target = tuple(fold.edge_type)
        rels = [target] + [et for et in interaction_types(g) if et != target
                           and reverse_edge_type(et) != target]
        if self.joint and len(rels) == 1:
            warnings.warn(f"JointLink: the training graph has no interaction type besides "
                          f"{target}; training single-task", stacklevel=3)
        self.relations_: list[EdgeType] = rels
        self.x_ = self._features(g)
        net = self._build(g)
        dev = torch.device(self.trainer.device)
        edges = {et: ei.to(dev) for et, ei in message_edges(g, rels).items()}
        w = self.loss_weights or {}
        weights = {r: float(w.get(r[1], 1.0)) for r in rels}
        aux = {r: edges[r] for r in rels[1:]} if self.joint else {}
        pos = fold.train.pos_index.to(dev)
        task = JointTask(net, {nt: x.to(dev) for nt, x in self.x_.items()}, edges, target, pos,
                         weights, aux, {nt: int(g[nt].num_nodes) for nt in g.node_types},
                         self.neg_ratio)
        trainer = self.trainer.build(device=dev)
        trainer.fit(task, fold.train, fold.val)
        self.net_ = net.cpu().eval()
        self.history_ = trainer.history_
        self.fit_info_ = trainer.fit_info()

    @torch.no_grad()
    def _encode(self, graph: HeteroData) -> dict[NodeType, Tensor]:
        return self.net_(self.x_, message_edges(graph, self.relations_))

    def _decision(self, encoded: dict[NodeType, Tensor], pairs: Tensor) -> Tensor:
        return self.net_.score(encoded, self.edge_type_, pairs)

    def relation_decision(self, graph: HeteroData | None, relation: EdgeType,
                          pairs: Tensor) -> Tensor:
        """Raw scores ``[N]`` (float64) from the head of another learned ``relation`` (not
        calibrated: calibration is fitted on the predicted relation only)."""
        self._check_fitted()
        if tuple(relation) not in self.relations_:
            raise ValueError(f"JointLink: no head for {relation}; learned {self.relations_}")
        with torch.no_grad():
            return self.net_.score(self.encoded(graph), tuple(relation),
                                   torch.as_tensor(pairs).long()).double()

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        tensors = {f"net.{k}": v for k, v in self.net_.state_dict().items()}
        tensors.update({f"x.{nt}": x for nt, x in self.x_.items()})
        return tensors, {"relations": [list(r) for r in self.relations_],
                         "fit_info": self.fit_info_}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        self.relations_ = [tuple(r) for r in extra["relations"]]
        self.x_ = {k[2:]: v for k, v in tensors.items() if k.startswith("x.")}
        self.fit_info_ = extra.get("fit_info", {})
        net = self._build(self.graph_)
        net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
        self.net_ = net.eval()


__all__ = ["JointLink", "interaction_types"]
