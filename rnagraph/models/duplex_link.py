"""DuplexLink: an MLP on the best miRNA-target duplex of each pair, read from sequence."""
from __future__ import annotations

from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold, LinkSet
from rnagraph.features._estimator import is_int
from rnagraph.features.duplex import DuplexFeatures
from rnagraph.models.base import LinkModel, PairTable, nonzero_std
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import MIRNA


class FeatureMLP(torch.nn.Module):
    r"""An MLP on standardised pair features (:class:`DuplexLink`'s duplex features,
    :class:`~rnagraph.models.SequencePrior`'s miRNA sequence features),
    :math:`x = \mathrm{MLP}((\phi - \mu) / \sigma)`: one hidden ReLU layer of
    ``hidden_channels`` with dropout before the output.

    Args:
        in_channels (int): features per pair :math:`F`.
        hidden_channels (int): hidden width :math:`H`.
        dropout (float): dropout after the hidden layer.

    Shapes:
        - **input:** ``phi [B, F]``; :math:`\mu`, :math:`\sigma` are ``[F]`` buffers set by the
          caller (the training pairs' mean and standard deviation)
        - **output:** logits ``[B]``
    """

    def __init__(self, in_channels: int, hidden_channels: int, dropout: float) -> None:
        super().__init__()
        self.in_channels, self.hidden_channels, self.dropout = in_channels, hidden_channels, \
            dropout
        self.lin1 = torch.nn.Linear(in_channels, hidden_channels)
        self.lin2 = torch.nn.Linear(hidden_channels, 1)
        self.register_buffer("mean", torch.zeros(in_channels))
        self.register_buffer("std", torch.ones(in_channels))

    def reset_parameters(self) -> None:
        self.lin1.reset_parameters()
        self.lin2.reset_parameters()

    def forward(self, phi: Tensor) -> Tensor:
        h = F.relu(self.lin1((phi - self.mean) / self.std))
        return self.lin2(F.dropout(h, self.dropout, self.training)).squeeze(-1)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.in_channels}, {self.hidden_channels}, "
                f"dropout={self.dropout})")


class _Task:
    """BCE of the network on the labelled training pairs; validation pairs read from their
    own graph (a new RNA of an inductive fold is in the validation graph only)."""

    def __init__(self, net: FeatureMLP, train: PairTable, val: PairTable | None,
                 device: torch.device) -> None:
        self.module, self.train, self.val, self.device = net, train, val, device

    @staticmethod
    def _rows(table: PairTable, pairs: Tensor) -> Tensor:
        rows = table.get(pairs)
        if rows is None:
            raise KeyError("a pair outside the fold's training / validation pairs")
        return rows

    def loss(self, pairs: Tensor, labels: Tensor) -> Tensor:
        logits = self.module(self._rows(self.train, pairs).to(self.device))
        return F.binary_cross_entropy_with_logits(logits, labels)

    def logits(self, pairs: Tensor) -> Tensor:
        return self.module(self._rows(self.val, pairs).to(self.device))


def check_pair_fold(model: LinkModel, fold: Fold) -> None:
    """What a model trained on labelled pairs needs of its fold: a miRNA side to its edge type
    (``model.edge_type_``) and training pairs of both classes; one line of error otherwise."""
    name = type(model).__name__
    if MIRNA not in (model.edge_type_[0], model.edge_type_[2]):
        raise ValueError(f"{name}: edge type {model.edge_type_} has no miRNA side")
    if fold.train.edge_label.unique().numel() < 2:
        raise ValueError(f"{name}: fold.train must hold labelled pairs of both classes "
                         "(positives and negatives)")


class FeatureMLPLink(LinkModel):
    """The shared fit of a :class:`FeatureMLP` on per-pair features (``_phi``): trained by the
    shared trainer with BCE on ``fold.train``'s labelled pairs (both classes needed),
    early-stopping on ``fold.val`` read on its own graph; the network is the model file's
    state. Subclasses set ``_phi(graph, pairs) -> float32 [B, F]`` and their parameters
    (``hidden_channels``, ``dropout``, ``calibrate``, ``trainer`` at least)."""

    requires_sequences: ClassVar[bool] = True
    inductive: ClassVar[str | None] = "sequence"
    #: the :class:`~rnagraph.train.config.TrainerConfig` of ``trainer=None``
    default_trainer: ClassVar[dict[str, Any]] = {"epochs": 100, "lr": 0.003,
                                                 "weight_decay": 1e-4, "batch_size": 256,
                                                 "patience": 10}

    def _validate_params(self) -> None:
        h = self.hidden_channels
        self._check_param("hidden_channels", is_int(h) and h >= 1, "must be an integer >= 1")
        self._check_param("dropout", isinstance(self.dropout, (int, float))
                          and 0 <= self.dropout < 1, "must be in [0, 1)")
        self._check_param("calibrate", isinstance(self.calibrate, bool), "must be a bool")

    def _phi(self, graph: HeteroData, pairs: Tensor) -> Tensor:
        raise NotImplementedError

    def _fit(self, fold: Fold) -> None:
        """Features of ``fold.train``'s pairs on ``fold.train_graph`` (and of ``fold.val``'s on
        its own graph); train the MLP."""
        check_pair_fold(self, fold)
        dst_t = self.edge_type_[2]
        train = fold.train
        g = fold.train_graph
        phi = self._phi(g, train.edge_label_index)
        n_dst = int(g[dst_t].num_nodes)
        net = FeatureMLP(phi.size(1), self.hidden_channels, float(self.dropout))
        net.mean.copy_(phi.mean(0))
        net.std.copy_(nonzero_std(phi))
        val = fold.val if len(fold.val) else None
        val_table = None
        if val is not None:
            vg = fold.graph_for("val")
            val_table = PairTable(val.edge_label_index,
                                   self._phi(vg, val.edge_label_index),
                                   int(vg[dst_t].num_nodes))
        trainer = self.trainer.build()
        trainer.fit(_Task(net, PairTable(train.edge_label_index, phi, n_dst), val_table,
                          trainer.device),
                    LinkSet(train.edge_label_index, train.edge_label.float()), val)
        self.net_ = net.cpu().eval()
        self.history_, self.fit_info_ = trainer.history_, trainer.fit_info()

    def _encode(self, graph: HeteroData) -> HeteroData:
        return graph

    @torch.no_grad()
    def _decision(self, graph: HeteroData, pairs: Tensor) -> Tensor:
        self.net_.eval()
        return self.net_(self._phi(graph, pairs)).double()

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        return dict(self.net_.state_dict()), {"in_channels": self.net_.in_channels,
                                              "fit_info": self.fit_info_}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        net = FeatureMLP(int(extra["in_channels"]), self.hidden_channels, float(self.dropout))
        net.load_state_dict(tensors)
        self.net_ = net.eval()
        self.fit_info_ = extra.get("fit_info", {})


class DuplexLink(FeatureMLPLink):
    r"""Scores a miRNA-target pair from the **duplex** its two sequences can form: an MLP on
    :class:`~rnagraph.features.DuplexFeatures` (site-level scoring; inductive on both sides).

    With :math:`\phi_{mt}` the duplex features of miRNA :math:`m` and target :math:`t` (the
    per-position pairing of the best ungapped seed-anchored duplex, its seed, 3'
    supplementary and total pairing, t1A, the target's A/U share, the site's position and
    the canonical seed-site counts), the raw score is

    .. math::
        x_{mt} = \mathbf{w}_2^\top \operatorname{ReLU}\big(\mathbf{W}_1
        (\phi_{mt} - \mu) / \sigma + \mathbf{b}_1\big) + b_2, \qquad
        p_{mt} = \sigma(a\, x_{mt} + b)

    (:class:`FeatureMLP`; :math:`\mu`, :math:`\sigma` over the training pairs). It is trained
    with :class:`~rnagraph.train.Trainer` (BCE) on ``fold.train``'s labelled pairs, which must
    hold both classes (site-level sets such as miTAR's label their negatives; a graph fold's
    training negatives are the split's sampled pairs), early-stopping on ``fold.val``'s AUC;
    ``fold.test`` is never read.

    No feature reads an RNA's identity, its degree or the interaction graph, only the pair's
    two sequences, so an unseen miRNA or target is scored exactly as a fitted one
    (``inductive = "sequence"`` on both sides) and the miRNA-identity shortcut of site-level
    sets (:class:`~rnagraph.models.NodePrior`) is out of its reach. That is what it is for:
    scoring site pairs of miRNAs the model has never seen. On long targets (whole mRNAs) the
    duplex describes one site; the site counts describe the rest.

    Args:
        hidden_channels (int): hidden width of the MLP. (default: ``64``)
        dropout (float): dropout after the hidden layer, in ``[0, 1)``. (default: ``0.1``)
        features (DuplexFeatures, optional): the featurizer; ``None``: ``DuplexFeatures()``
            (22 miRNA positions). (default: ``None``)
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)
        trainer (TrainerConfig, optional): epochs, learning rate, batch size, early stopping,
            device and seed (:class:`~rnagraph.train.config.TrainerConfig`); ``None``:
            :attr:`default_trainer` (100 epochs, ``lr=0.003``, weight decay ``1e-4``, batches
            of 256 pairs, ``patience=10``). (default: ``None``)
    """

    def __init__(self, hidden_channels: int = 64, dropout: float = 0.1,
                 features: DuplexFeatures | None = None, calibrate: bool = True,
                 trainer: TrainerConfig | None = None):
        self.hidden_channels = hidden_channels
        self.dropout = dropout
        self.features = DuplexFeatures() if features is None else features
        self.calibrate = calibrate
        self.trainer = self._trainer_part(trainer)

    def _validate_params(self) -> None:
        super()._validate_params()
        self._check_param("features", isinstance(self.features, DuplexFeatures),
                          "must be a DuplexFeatures")

    def _phi(self, graph: HeteroData, pairs: Tensor) -> Tensor:
        return self.features.graph_transform(graph, self.edge_type_, pairs)


__all__ = ["DuplexLink", "FeatureMLP", "FeatureMLPLink", "check_pair_fold"]
