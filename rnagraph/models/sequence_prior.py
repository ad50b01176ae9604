"""SequencePrior: what a miRNA's sequence alone predicts, the sequence form of the identity
shortcut."""
from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import node_sequences
from rnagraph.features._estimator import is_int
from rnagraph.models.duplex_link import FeatureMLPLink
from rnagraph.models.two_tower import sequence_features
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import MIRNA


class SequencePrior(FeatureMLPLink):
    r"""Scores a pair by what its **miRNA's sequence alone** predicts, and never reads the
    partner: the identity shortcut that survives a miRNA-disjoint split.

    :class:`~rnagraph.models.NodePrior` measures how far a miRNA's identity goes; on a split
    that holds whole miRNAs out it scores every test pair alike. But a site-level set whose
    negatives come from mock miRNAs (miTAR's DeepMirTar part) lets a model tell a real miRNA
    from a mock one by its sequence, and that carries to unseen miRNAs. This model measures
    it: with :math:`\mathbf{x}_v` the miRNA's sequence features
    (:func:`~rnagraph.models.two_tower.sequence_features`: one-hot nucleotides of its first
    ``positions`` nt and its 1- to ``kmers``-mer frequencies),

    .. math::
        x_{vt} = \mathrm{MLP}\big((\mathbf{x}_v - \mu) / \sigma\big)

    (:class:`~rnagraph.models.duplex_link.FeatureMLP`, one hidden ReLU layer; :math:`\mu`,
    :math:`\sigma` over the training pairs), trained with BCE on ``fold.train``'s labelled
    pairs (both classes needed) and early-stopped on ``fold.val``. Within one miRNA every pair
    ties, so its within-miRNA AUC (:func:`~rnagraph.train.metrics.grouped_auc`) is 0.5 by
    construction; its plain AUC on unseen miRNAs is the share of a model's AUC that needs no
    reading of the pair. A new miRNA is scored from its sequence; a new partner is never
    read, so it scores as any other (both sides ``"sequence"``).

    Args:
        positions (int): 5' nucleotides one-hot encoded. (default: ``24``)
        kmers (int): the longest k-mer of the frequency features (1- to ``kmers``-mers; 0:
            none). (default: ``3``)
        hidden_channels (int): hidden width of the MLP. (default: ``64``)
        dropout (float): dropout after the hidden layer, in ``[0, 1)``. (default: ``0.1``)
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)
        trainer (TrainerConfig, optional): epochs, learning rate, batch size, early stopping,
            device and seed (:class:`~rnagraph.train.config.TrainerConfig`); ``None``:
            :attr:`default_trainer` (100 epochs, ``lr=0.003``, weight decay ``1e-4``, batches
            of 256 pairs, ``patience=10``). (default: ``None``)
    """

    #: only the miRNA side needs sequences (checked at fit)
    requires_sequences: ClassVar[bool] = False

    def __init__(self, positions: int = 24, kmers: int = 3,
                 hidden_channels: int = 64, dropout: float = 0.1, calibrate: bool = True,
                 trainer: TrainerConfig | None = None):
        self.positions = positions
        self.kmers = kmers
        self.hidden_channels = hidden_channels
        self.dropout = dropout
        self.calibrate = calibrate
        self.trainer = self._trainer_part(trainer)

    def _validate_params(self) -> None:
        super()._validate_params()
        p = self.positions
        self._check_param("positions", is_int(p) and p >= 1, "must be an integer >= 1")
        k = self.kmers
        self._check_param("kmers", is_int(k) and 0 <= k <= 6, "must be an integer in [0, 6]")

    def _fit(self, fold) -> None:
        if not any(s is not None for s in node_sequences(fold.train_graph, MIRNA)):
            raise ValueError("SequencePrior: the miRNAs have no sequences; attach a FASTA")
        super()._fit(fold)

    def _phi(self, graph: HeteroData, pairs: Tensor) -> Tensor:
        row = 0 if self.edge_type_[0] == MIRNA else 1
        ids, inv = torch.unique(torch.as_tensor(pairs)[row], return_inverse=True)
        seqs = node_sequences(graph, MIRNA)
        x = sequence_features([seqs[i] for i in ids.tolist()], self.positions,
                              tuple(range(1, self.kmers + 1)))
        return torch.from_numpy(np.ascontiguousarray(x))[inv]


__all__ = ["SequencePrior"]
