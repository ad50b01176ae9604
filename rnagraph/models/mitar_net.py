"""The miTAR architecture (Gu et al., 2021) as a link model: a baseline for GRMMI."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.features._estimator import is_int
from rnagraph.models.base import BLOCK_BYTES, LinkModel, budget_block
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import MIRNA

#: nucleotide codes of miTAR's input (``N`` and padding are 0)
_CODE = {"A": 1, "U": 2, "C": 3, "G": 4}
#: miTAR pads miRNAs (stored 3'->5') to 26 nt before appending the target site
MIRNA_SLOT = 26


def _codes(seq: str | None, length: int) -> np.ndarray:
    out = np.zeros(length, dtype=np.int64)
    if seq:
        v = [_CODE.get(c, 0) for c in seq[:length]]
        out[:len(v)] = v
    return out


class _MiTARNet(torch.nn.Module):
    r"""miTAR's network (`Gu et al., BMC Bioinformatics 2021
    <https://doi.org/10.1186/s12859-021-04026-6>`_): nucleotide embedding (5 x 5),
    Conv1D(320 filters, kernel 12, ReLU, no padding), dropout, max-pool 2, dropout, BiLSTM(32)
    (last states), dropout, Dense(16, ReLU), dropout, one logit.

    Differences from the Keras original: the LSTM uses PyTorch's tanh cell (miTAR set
    ``activation='relu'`` with Keras 2's hard-sigmoid gates); the output is a logit (the
    sigmoid is the loss's / the model's link).

    Shapes:
        - **input:** ``[B, L]`` nucleotide codes (0 = N / padding)
        - **output:** ``[B]`` logits
    """

    def __init__(self, length: int, filters: int = 320, kernel_size: int = 12,
                 hidden_channels: int = 32, dense: int = 16, dropout: float = 0.2) -> None:
        super().__init__()
        if length < kernel_size + 1:
            raise ValueError(f"_MiTARNet: input length {length} is shorter than kernel_size + 1 "
                             f"({kernel_size + 1})")
        self.length, self.filters, self.kernel_size = length, filters, kernel_size
        self.emb = torch.nn.Embedding(5, 5)
        self.conv = torch.nn.Conv1d(5, filters, kernel_size)
        self.rnn = torch.nn.LSTM(filters, hidden_channels, batch_first=True,
                                 bidirectional=True)
        self.fc = torch.nn.Linear(2 * hidden_channels, dense)
        self.out = torch.nn.Linear(dense, 1)
        self.drop = torch.nn.Dropout(dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for m in (self.emb, self.conv, self.rnn, self.fc, self.out):
            m.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        h = self.drop(torch.relu(self.conv(self.emb(x).transpose(1, 2))))
        h = self.drop(torch.nn.functional.max_pool1d(h, 2).transpose(1, 2))
        _, (hn, _) = self.rnn(h)
        h = self.drop(torch.cat([hn[0], hn[1]], -1))
        return self.out(self.drop(torch.relu(self.fc(h)))).squeeze(-1)

    def pair_bytes(self) -> int:
        r"""Upper estimate of the bytes one pair takes while a block is scored, from the
        shapes: its codes (int64), the embedding and its transpose (:math:`2 \cdot 5 L`
        floats), the convolution and its ReLU (:math:`2 F L_1`, :math:`L_1 = L - k + 1`),
        the pooled map and the LSTM's copy of it (:math:`2 F L_2`, :math:`L_2 = \lfloor L_1
        / 2 \rfloor`), both LSTM directions' input gates and outputs (:math:`12 h L_2`);
        a quarter more for the allocator. A block of ``B`` pairs takes about ``B`` times
        this, whatever the number of pairs scored."""
        l1 = self.length - self.kernel_size + 1
        l2 = l1 // 2
        floats = 2 * self.length + 10 * self.length + 2 * self.filters * (l1 + l2)
        floats += 12 * self.rnn.hidden_size * l2
        return int(1.25 * 4 * floats)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(length={self.length}, filters={self.filters}, "
                f"kernel_size={self.kernel_size})")


class MiTAR(LinkModel):
    r"""A miTAR-architecture baseline (network: ``_MiTARNet``) for site-level miRNA-target
    pairs.

    Each pair's input is miTAR's: the miRNA read **3'->5'** padded with ``N`` to 26 nt,
    followed by the target site 5'->3', padded with ``N`` to the longest input (``max_len``
    nt; longer targets are cut at their 3' end). Trained with
    :class:`~rnagraph.train.Trainer` (Adam, binary cross-entropy, early stopping on
    ``fold.val``'s AUC). Defaults are miTAR's published model (batch 100, dropout 0.2) with
    Adam's learning rate 0.001: miTAR's code builds ``Adam(lr)`` but compiles the string
    ``'adam'``, so 0.001 is what it trained with.

    **New RNAs** (``inductive = "sequence"``): the network reads nothing but the two
    sequences, so RNAs appended to the scoring graph after the fitted ones are encoded exactly
    as fitted ones; a pair whose RNA has no sequence is not scored (NaN, ``scoring_status``).
    In an inductive fold the validation pairs (early stopping) are read on
    ``fold.graph_for("val")``, which appends the validation RNAs.

    Args:
        filters (int): convolution filters. (default: ``320``)
        kernel_size (int): convolution width. (default: ``12``)
        hidden_channels (int): LSTM units per direction. (default: ``32``)
        dense (int): hidden dense units. (default: ``16``)
        dropout (float): dropout rate. (default: ``0.2``)
        max_len (int, optional): input length; ``None``: 26 + the longest target.
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)
        trainer (TrainerConfig, optional): epochs, learning rate, batch size, early stopping,
            device and seed (:class:`~rnagraph.train.config.TrainerConfig`); ``None``:
            :attr:`default_trainer`, miTAR's (100 epochs, ``lr=1e-3``, batches of 100,
            ``patience=10``).
            ``MiTAR.trainer_config(epochs=50)`` changes one option and keeps the
            others. (default: ``None``)
    """

    requires_sequences = True
    #: a new miRNA or target is encoded from its sequence like a fitted one
    inductive: ClassVar[str | None] = "sequence"
    #: the :class:`~rnagraph.train.config.TrainerConfig` of ``trainer=None``: miTAR's
    default_trainer: ClassVar[dict[str, Any]] = {"epochs": 100, "lr": 1e-3, "batch_size": 100,
                                                 "patience": 10}
    #: bytes of a scoring block's temporaries: pairs are scored in blocks of
    #: ``budget_block(net_.pair_bytes(), scoring_bytes)``, fewer the longer the input, so
    #: scoring memory does not grow with the targets' length or the number of pairs
    scoring_bytes: ClassVar[int] = BLOCK_BYTES

    def __init__(self, filters: int = 320, kernel_size: int = 12, hidden_channels: int = 32,
                 dense: int = 16, dropout: float = 0.2, max_len: int | None = None,
                 calibrate: bool = True, trainer: TrainerConfig | None = None):
        self.filters = filters
        self.kernel_size = kernel_size
        self.hidden_channels = hidden_channels
        self.dense = dense
        self.dropout = dropout
        self.max_len = max_len
        self.calibrate = calibrate
        self.trainer = self._trainer_part(trainer)

    def _validate_params(self) -> None:
        for name in ("filters", "kernel_size", "hidden_channels", "dense"):
            self._check_param(name, is_int(getattr(self, name)) and getattr(self, name) >= 1,
                              "must be an integer >= 1")
        self._check_param("dropout", 0.0 <= self.dropout < 1.0, "must be in [0, 1)")
        self._check_param("max_len", self.max_len is None or (
            is_int(self.max_len) and self.max_len > MIRNA_SLOT), f"must be None or > {MIRNA_SLOT}")

    def _mirna_row(self, edge_type) -> int:
        if MIRNA not in (edge_type[0], edge_type[2]):
            raise ValueError(f"MiTAR: edge type {edge_type} has no {MIRNA!r} side")
        return 0 if edge_type[0] == MIRNA else 1

    def _inputs(self, graph: HeteroData) -> tuple[Tensor, Tensor]:
        et = self.edge_type_
        row = self._mirna_row(et)
        mi_t, t_t = (et[0], et[2]) if row == 0 else (et[2], et[0])
        mi = torch.from_numpy(np.stack([_codes(s[::-1] if s else None, MIRNA_SLOT)
                                        for s in graph[mi_t].seq]))
        tl = self.len_ - MIRNA_SLOT
        tg = torch.from_numpy(np.stack([_codes(s, tl) for s in graph[t_t].seq]))
        return mi, tg

    def _fit(self, fold: Fold) -> None:
        g = fold.train_graph
        row = self._mirna_row(fold.edge_type)
        t_t = fold.edge_type[2] if row == 0 else fold.edge_type[0]
        longest = max((len(s) for s in g[t_t].seq if s), default=0)
        self.len_ = int(self.max_len or MIRNA_SLOT + longest)
        # the validation graph: the fitted RNAs first, then (inductive folds) validation RNAs
        mi, tg = self._inputs(fold.graph_for("val"))
        net = _MiTARNet(self.len_, self.filters, self.kernel_size, self.hidden_channels,
                       self.dense, self.dropout)
        task = _MiTARTask(net, mi, tg, row)
        trainer = self.trainer.build()
        trainer.fit(task, fold.train, fold.val if len(fold.val) else None)
        self.net_ = net.cpu().eval()
        self.history_ = trainer.history_
        self.fit_info_ = trainer.fit_info()

    def _encode(self, graph: HeteroData) -> tuple[Tensor, Tensor]:
        return self._inputs(graph)

    @torch.no_grad()
    def _decision(self, encoded: tuple[Tensor, Tensor], pairs: Tensor) -> Tensor:
        # each block's inputs are gathered in the block (never [N, L] for all the pairs)
        row = self._mirna_row(self.edge_type_)
        device = self.trainer.device
        net = self.net_.to(device).eval()
        step = budget_block(net.pair_bytes(), self.scoring_bytes)
        return torch.cat([net(torch.cat([encoded[0][p[row]], encoded[1][p[1 - row]]], 1)
                              .to(device)).cpu() for p in pairs.cpu().split(step, 1)]
                         ) if pairs.size(1) else torch.empty(0)

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        return ({f"net.{k}": v for k, v in self.net_.state_dict().items()},
                {"len": self.len_, "fit_info": self.fit_info_})

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        self.len_ = int(extra["len"])
        net = _MiTARNet(self.len_, self.filters, self.kernel_size, self.hidden_channels,
                       self.dense, self.dropout)
        net.load_state_dict({k[4:]: v for k, v in tensors.items()})
        self.net_ = net.eval()
        self.fit_info_ = extra.get("fit_info", {})


class _MiTARTask:
    def __init__(self, net: _MiTARNet, mi: Tensor, tg: Tensor, row: int) -> None:
        self.module, self.mi, self.tg, self.row = net, mi, tg, row

    def _x(self, pairs: Tensor) -> Tensor:
        p = pairs.cpu()
        x = torch.cat([self.mi[p[self.row]], self.tg[p[1 - self.row]]], 1)
        return x.to(pairs.device)

    def loss(self, pairs: Tensor, labels: Tensor) -> Tensor:
        return torch.nn.functional.binary_cross_entropy_with_logits(
            self.module(self._x(pairs)), labels)

    def logits(self, pairs: Tensor) -> Tensor:
        step = budget_block(self.module.pair_bytes(), MiTAR.scoring_bytes)
        return torch.cat([self.module(self._x(p)) for p in pairs.split(step, 1)])


__all__ = ["MiTAR"]
