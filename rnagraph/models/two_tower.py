"""TwoTower: a sequence tower for one side, learned partner vectors for the other (inductive)."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import node_sequences
from rnagraph.data.fold import Fold, LinkSet
from rnagraph.features._estimator import is_int
from rnagraph.models.base import LinkModel, nonzero_std
from rnagraph.train.config import TrainerConfig

_CODE = {"A": 0, "C": 1, "G": 2, "U": 3, "T": 3}


def sequence_features(seqs: list[str | None], positions: int = 24,
                      kmers: tuple[int, ...] = (1, 2, 3)) -> np.ndarray:
    r"""Raw tower inputs ``[N, 4 * positions + \sum_k 4^k]`` (float32): the one-hot
    nucleotides of the first ``positions`` nt (5' end: a miRNA's seed is nt 2-8) and the
    ``kmers``-mer frequencies (:class:`~rnagraph.features.KmerFrequency`); a missing sequence
    is a row of zeros."""
    from rnagraph.features import KmerFrequency
    pos = np.zeros((len(seqs), positions, 4), dtype=np.float32)
    for i, s in enumerate(seqs):
        for j, c in enumerate((s or "")[:positions].upper()):
            if c in _CODE:
                pos[i, j, _CODE[c]] = 1.0
    parts = [pos.reshape(len(seqs), -1)]
    if kmers:
        parts.append(np.asarray(KmerFrequency(tuple(kmers)).transform(seqs), dtype=np.float32))
    return np.concatenate(parts, 1)


class _TwoTowerNet(torch.nn.Module):
    r"""The sequence tower and the partner table of :class:`TwoTower`.

    .. math::
        \mathbf{h}_r = \mathbf{W}_2\, \mathrm{drop}\big(\mathrm{ReLU}(\mathbf{W}_1\,
        \mathrm{drop}_{0.1}(\mathbf{x}_r) + \mathbf{b}_1)\big) + \mathbf{b}_2
        = [\mathbf{u}_r \Vert a_r], \qquad
        s_{rt} = \mathbf{u}_r^\top \mathbf{e}_t + a_r + c_t

    Shapes:
        - **input:** features ``[N_r, F]``, pairs ``(r [B], t [B])``
        - **output:** logits ``[B]``
    """

    def __init__(self, in_channels: int, num_partners: int, hidden_channels: int = 256,
                 dim: int = 64, dropout: float = 0.3) -> None:
        super().__init__()
        self.in_channels, self.num_partners = in_channels, num_partners
        self.hidden_channels, self.dim, self.dropout = hidden_channels, dim, dropout
        self.lin1 = torch.nn.Linear(in_channels, hidden_channels)
        self.lin2 = torch.nn.Linear(hidden_channels, dim + 1)
        self.emb = torch.nn.Embedding(num_partners, dim)
        self.bias = torch.nn.Embedding(num_partners, 1)
        self.vote_weight = torch.nn.Parameter(torch.empty(()))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.lin1.reset_parameters()
        self.lin2.reset_parameters()
        torch.nn.init.normal_(self.emb.weight, std=0.1)
        torch.nn.init.zeros_(self.bias.weight)
        torch.nn.init.ones_(self.vote_weight)

    def tower(self, x: Tensor) -> Tensor:
        """``[N, dim + 1]``: :math:`[\\mathbf{u} \\Vert a]` of features ``x`` ``[N, F]``."""
        h = torch.nn.functional.dropout(x, p=0.1, training=self.training)
        h = torch.relu(self.lin1(h))
        h = torch.nn.functional.dropout(h, p=self.dropout, training=self.training)
        return self.lin2(h)

    def score(self, z: Tensor, r: Tensor, t: Tensor, vote: Tensor | None = None) -> Tensor:
        """Logits ``[B]`` of pairs ``(r, t)`` from tower outputs ``z`` ``[N_r, dim + 1]``
        (``vote``: the pairs' vote terms ``[B]``, weighted by ``vote_weight``)."""
        zr = z[r]
        out = (zr[:, :-1] * self.emb(t)).sum(-1) + zr[:, -1] + self.bias(t).squeeze(-1)
        return out if vote is None else out + self.vote_weight * vote

    def forward(self, x: Tensor, r: Tensor, t: Tensor, votes: Tensor | None = None) -> Tensor:
        v = None if votes is None else votes[r, t]
        return self.score(self.tower(x[r]), torch.arange(r.numel(), device=r.device), t, v)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.in_channels}, num_partners={self.num_partners}, "
                f"hidden_channels={self.hidden_channels}, dim={self.dim})")


class _Task:
    """The trainer's step: the training positives, each batch joined by ``neg_ratio`` fresh
    uniform negatives (a known sequence-side RNA, any partner) per positive."""

    def __init__(self, net: _TwoTowerNet, x: Tensor, x_val: Tensor, side: int,
                 known: Tensor, neg_ratio: int, votes: tuple[Tensor, Tensor] | None) -> None:
        self.module, self.x, self.x_val, self.side = net, x, x_val, side
        self.known, self.neg_ratio = known, neg_ratio
        self.votes, self.votes_val = votes if votes is not None else (None, None)

    def loss(self, pairs: Tensor, labels: Tensor) -> Tensor:
        r, t = pairs[self.side], pairs[1 - self.side]
        n, dev = r.numel() * self.neg_ratio, labels.device
        nr = self.known[torch.randint(self.known.numel(), (n,))].to(dev)   # drawn on the CPU
        nt = torch.randint(self.module.num_partners, (n,)).to(dev)
        logits = self.module(self.x, torch.cat([r, nr]), torch.cat([t, nt]), self.votes)
        y = torch.cat([labels, torch.zeros(n, device=dev)])
        w = torch.cat([torch.full_like(labels, float(self.neg_ratio)),
                       torch.ones(n, device=dev)])
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, y, weight=w)

    def logits(self, pairs: Tensor) -> Tensor:
        return self.module(self.x_val, pairs[self.side], pairs[1 - self.side], self.votes_val)


class TwoTower(LinkModel):
    r"""A two-tower link model: the ``node_type`` RNAs are read **only from their sequence**,
    their partners are learned vectors; inductive on the sequence side by construction.

    A small MLP (the tower) maps an RNA's sequence features :math:`\mathbf{x}_r`
    (:func:`sequence_features`: one-hot nucleotides of its first ``positions`` nt, where a
    miRNA's seed lies, and its 1-3-mer frequencies, each column standardised over the fitted
    RNAs) to a vector :math:`\mathbf{u}_r` and a bias :math:`a_r`; each partner :math:`t` has a
    learned vector :math:`\mathbf{e}_t` and bias :math:`c_t`; the raw score (a logit) is

    .. math::
        s_{rt} = \mathbf{u}_r^\top \mathbf{e}_t + a_r + c_t

    (:class:`_TwoTowerNet`). It is trained with :class:`~rnagraph.train.Trainer` on the
    training positives of ``fold.train``, each batch joined by ``neg_ratio`` fresh uniform
    negatives per positive (an RNA of ``node_type`` with a training pair, any partner; weighted
    so both classes weigh alike), with early stopping on ``fold.val``'s AUC. No RNA has a vector
    of its own on the tower side, so a sequence-similar RNA, a seed-family member, or an RNA
    the model never saw all go through the same function: the model learns which sequence
    traits make a miRNA bind a partner (its seed, and composition shared with popular
    partners' sites) instead of memorising the fitted miRNAs.

    With ``vote_power`` :math:`= p` the logit also holds the sequence-neighbour vote,
    :math:`+\,\beta \log(1 + \sum_{r'} S(r, r')^p A_{r't})` (:meth:`_votes`; :math:`\beta`
    learned, started at 1; :math:`S` the contract's similarity of ``transfer.kind``, known
    RNAs only, no RNA voting for itself, so a training pair is scored from the other RNAs'
    pairs as a new RNA's is): the tower learns what the nearest relatives miss.

    **New RNAs.** ``inductive_mode(node_type)`` is ``"sequence"``: RNAs appended to the scoring
    graph (:meth:`~rnagraph.models.base.LinkModel.extended_graph`, an inductive fold's
    ``score_graph``) are encoded by the tower like fitted ones, and in an inductive fold early
    stopping and calibration read the validation RNAs on ``fold.graph_for("val")``. A new
    partner has no learned vector: it is scored by the contract's sequence-neighbour transfer
    (``"neighbours"``). A fitted RNA without a sequence is read as an all-zero sequence.

    Args:
        node_type (str): the side read from sequences (one side of the fitted edge type).
            (default: ``"mirna"``)
        positions (int): 5' nucleotides one-hot encoded. (default: ``24``)
        max_k (int): k-mer frequencies for :math:`k = 1 .. \text{max\_k}` (``0``: none).
            (default: ``3``)
        hidden_channels (int): the tower's hidden width. (default: ``256``)
        dim (int): the dimension of :math:`\mathbf{u}` and :math:`\mathbf{e}`. (default:
            ``64``)
        dropout (float): dropout of the tower's hidden layer. (default: ``0.3``)
        neg_ratio (int): fresh negatives per training positive. (default: ``1``)
        vote_power (float, optional): add the vote term with this exponent :math:`p`.
            (default: ``None``)
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)
        trainer (TrainerConfig, optional): epochs, learning rate, weight decay, batch size,
            early stopping, device and seed (:class:`~rnagraph.train.config.TrainerConfig`);
            ``None``: :attr:`default_trainer` (150 epochs, ``lr=3e-3``,
            ``weight_decay=1e-4``, batches of 2048, ``patience=15``).
            ``TwoTower.trainer_config(epochs=50)`` changes one option and keeps the
            others. (default: ``None``)

    Shapes:
        - **input:** pairs ``[2, N]`` (source type first)
        - **output:** :meth:`decision_function` ``[N]`` float64
    """

    requires_sequences: ClassVar[bool] = True   # on its node_type side (the other needs none)
    #: the :class:`~rnagraph.train.config.TrainerConfig` of ``trainer=None``
    default_trainer: ClassVar[dict[str, Any]] = {"epochs": 150, "lr": 3e-3,
                                                 "weight_decay": 1e-4, "batch_size": 2048,
                                                 "patience": 15}

    def __init__(self, node_type: str = "mirna", positions: int = 24, max_k: int = 3,
                 hidden_channels: int = 256, dim: int = 64, dropout: float = 0.3,
                 neg_ratio: int = 1, vote_power: float | None = None, calibrate: bool = True,
                 trainer: TrainerConfig | None = None):
        self.node_type = node_type
        self.positions = positions
        self.max_k = max_k
        self.hidden_channels = hidden_channels
        self.dim = dim
        self.dropout = dropout
        self.neg_ratio = neg_ratio
        self.vote_power = vote_power
        self.calibrate = calibrate
        self.trainer = self._trainer_part(trainer)

    def _validate_params(self) -> None:
        c = self._check_param
        c("max_k", is_int(self.max_k) and self.max_k >= 0, "must be an integer >= 0")
        for name in ("positions", "hidden_channels", "dim", "neg_ratio"):
            c(name, is_int(getattr(self, name)) and getattr(self, name) >= 1,
              "must be an integer >= 1")
        c("vote_power", self.vote_power is None or self.vote_power >= 0, "must be None or >= 0")
        c("dropout", 0 <= self.dropout < 1, "must be in [0, 1)")

    def _ks(self) -> tuple[int, ...]:
        return tuple(range(1, self.max_k + 1))

    def inductive_mode(self, node_type: str) -> str | None:
        """``"sequence"`` on the tower side, the sequence-neighbour transfer on the other."""
        return "sequence" if node_type == self.node_type else "neighbours"

    def _side(self) -> int:
        return self._row_of(self.node_type)

    def _features(self, graph: HeteroData) -> Tensor:
        """Standardised tower inputs ``[N_r, F]`` of ``graph``'s ``node_type`` RNAs."""
        raw = sequence_features(node_sequences(graph, self.node_type), self.positions,
                                self._ks())
        return (torch.from_numpy(raw) - self.mean_) / self.std_

    def _votes(self, graph: HeteroData) -> Tensor | None:
        r"""The vote terms :math:`\log(1 + \sum_{r'} S(r, r')^p A_{r't})` ``[N_r, N_t]`` of
        ``graph``'s ``node_type`` RNAs (``None`` without ``vote_power``): the
        sequence-neighbour vote (:class:`~rnagraph.models.SequenceVote`) over the known RNAs
        of the fitted graph (training pairs only), an RNA never voting for itself."""
        if self.vote_power is None:
            return None
        from rnagraph.features import sequence_similarity
        from rnagraph.models._transfer import known_nodes
        side, g, nt = self._side(), self.graph_, self.node_type
        ei = g[self.edge_type_].edge_index
        known = known_nodes(g, self.edge_type_, nt)
        fseq = node_sequences(g, nt)
        kseq = [fseq[i] for i in known]
        a = torch.zeros(len(fseq), int(g[self.edge_type_[2 - 2 * side]].num_nodes))
        a[ei[side], ei[1 - side]] = 1.0
        q = node_sequences(graph, nt)
        w = torch.from_numpy(sequence_similarity(q, kseq, self.transfer.kind(kseq)))
        w = w.pow(float(self.vote_power))
        own = torch.from_numpy(known).long()
        w[own, torch.arange(own.numel())] = 0.0          # a known RNA never votes for itself
        return torch.log1p(w.float() @ a[own])

    def _fit(self, fold: Fold) -> None:
        side = self._side()
        g = fold.train_graph
        seqs = node_sequences(g, self.node_type)
        if not any(seqs):
            raise ValueError(f"TwoTower: node type {self.node_type!r} has no sequences; attach "
                             "a FASTA or use a graph-only model")
        raw = torch.from_numpy(sequence_features(seqs, self.positions, self._ks()))
        have = torch.tensor([bool(s) for s in seqs])
        self.mean_ = raw[have].mean(0)
        self.std_ = nonzero_std(raw[have])
        x = self._features(g)
        vg = fold.graph_for("val")
        x_val = x if vg is g else self._features(vg)
        pos = fold.train.pos_index
        known = torch.unique(pos[side])
        n_t = int(g[self.edge_type_[2 - 2 * side]].num_nodes)
        net = _TwoTowerNet(x.size(1), n_t, self.hidden_channels, self.dim, self.dropout)
        trainer = self.trainer.build()
        dev = trainer.device
        votes = self._votes(g)
        votes = None if votes is None else (votes.to(dev), (votes if vg is g
                                                           else self._votes(vg)).to(dev))
        trainer.fit(_Task(net, x.to(dev), x_val.to(dev), side, known, self.neg_ratio, votes),
                    LinkSet(pos, torch.ones(pos.size(1))), fold.val if len(fold.val) else None)
        self.net_ = net.cpu().eval()
        self.history_ = trainer.history_
        self.fit_info_ = trainer.fit_info()

    @torch.no_grad()
    def _encode(self, graph: HeteroData) -> tuple[Tensor, Tensor | None]:
        self.net_.eval()
        return self.net_.tower(self._features(graph)), self._votes(graph)

    @torch.no_grad()
    def _decision(self, enc: tuple[Tensor, Tensor | None], pairs: Tensor) -> Tensor:
        (z, votes), side = enc, self._side()
        r, t = pairs[side], pairs[1 - side]
        return self.net_.score(z, r, t, None if votes is None else votes[r, t])

    @torch.no_grad()
    def _decision_grid(self, enc: tuple[Tensor, Tensor | None], src: Tensor,
                       dst: Tensor) -> Tensor:
        z, votes = enc
        r, t = (src, dst) if self._side() == 0 else (dst, src)
        zr = z[r]
        out = zr[:, :-1] @ self.net_.emb.weight[t].T + zr[:, -1:] + \
            self.net_.bias.weight[t].T
        if votes is not None:
            out = out + self.net_.vote_weight * votes[r][:, t]
        return out if self._side() == 0 else out.T

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        tensors = {f"net.{k}": v for k, v in self.net_.state_dict().items()}
        tensors.update({"mean": self.mean_, "std": self.std_})
        return tensors, {"fit_info": self.fit_info_, "in_channels": self.net_.in_channels,
                         "num_partners": self.net_.num_partners}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        self.mean_, self.std_ = tensors["mean"], tensors["std"]
        net = _TwoTowerNet(int(extra["in_channels"]), int(extra["num_partners"]),
                           self.hidden_channels, self.dim, self.dropout)
        net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
        self.net_ = net.eval()
        self.fit_info_ = extra.get("fit_info", {})


__all__ = ["TwoTower", "sequence_features"]
