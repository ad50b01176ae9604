r"""The model contract: what every link predictor in :mod:`rnagraph.models` is.

PyG's own models have no ``fit``: a network is a plain :class:`torch.nn.Module` and the loop
lives elsewhere. We keep that split and add one thin, scikit-learn-style layer on top:

* ``fit(fold) -> self`` learns from ``fold.train_graph`` and ``fold.train`` only, early-stops on
  ``fold.val`` (gradient models, through :class:`~rnagraph.train.Trainer`) and then fits the
  **calibration stage** (:class:`~rnagraph.train.PlattCalibrator`) on ``fold.val``. ``fold.test``
  is never read.
* ``decision_function(graph, pairs)`` -- raw, unsaturated float64 scores (a logit, a degree
  log, a reconstruction entry: each model's own scale; larger = more likely).
* ``score(graph, pairs)`` / ``predict_proba`` -- calibrated probabilities (float64).
* ``save(path)`` / :func:`rnagraph.models.load` -- one model file (tensors + JSON, atomic).

**The meaning of ``graph``.** It is the graph of known interactions (and sequences) the model may
use at inference; ``None`` means the graph it was fitted on (``fold.train_graph``), which is
what evaluation must pass. Models that read structure at inference (degrees, message passing)
take it from ``graph``; models whose graph inputs were learned at fit time (factorisations,
graph-encoder views) use those and only check that ``graph`` has the same node counts.

Node representations are computed once per (fitted model, graph) and reused across scoring
calls; refitting clears them. Pairs are scored in blocks of ``batch_size`` so memory stays
bounded for millions of pairs.

**Block invariance.** A pair's raw score does not depend on the block it is scored in
(``batch_size``, :meth:`~LinkModel.decision_grid` or :meth:`~LinkModel.decision_function`,
the other pairs of the block) within the model's ``block_rtol``: scores ``a`` and ``b`` of one
pair agree when :math:`|a - b| \le \text{rtol} \cdot \max(1, |a|)`
(:func:`block_tolerance`).

* ``block_rtol = 0`` (exact) where the arithmetic is exact: counts and indexing (SeedMatch,
  degree products, a node's label counts, path counts).
* ``block_rtol = BLOCK_RTOL`` (``1e-4``, the default) for everything that sums floats:
  networks, factorisations, stacked scores. A float32 sum of :math:`K` terms taken in another
  order (another block shape picks another kernel or another reduction tree) moves by at
  most about :math:`2Ku` times the sum of the terms' magnitudes (:math:`u = 2^{-24}
  \approx 6 \cdot 10^{-8}`, Higham's :math:`\gamma_K`); for the widest reductions of these
  networks (:math:`K \lesssim 800`) and terms no larger than :math:`\max(1, |a|)` that is
  below ``1e-4``. Typical differences are a few :math:`u`.

Orders of raw scores are therefore only meaningful where their gaps exceed the tolerance;
ties and near-ties may fall either way from one CPU (or one block size) to another.

**New RNAs (inductive scoring).** A scoring ``graph`` may hold more nodes of a type than the
fitted graph: nodes ``0 .. n_fit - 1`` are the fitted ones, in the same order (checked on
``ids``), and nodes ``n_fit ..`` are RNAs the model was not fitted with, carrying their
sequence in ``graph[node_type].seq`` (:meth:`LinkModel.extended_graph` builds one from
sequences, :func:`rnagraph.data.append_nodes` from any graph). Pairs may index them. How a model
scores a new RNA of a type is :meth:`LinkModel.inductive_mode` (the class's ``inductive``):

* ``"sequence"`` -- from its sequence, by the model itself: its ``_encode(graph)`` and
  ``_decision`` read the new nodes (SeedMatch, miTAR, GRMMI, MFERL, the votes' own side).
* ``"neighbours"`` (the default) -- the **sequence-neighbour transfer**
  (:class:`~rnagraph.models._transfer.NeighbourTransfer`, the ``transfer`` attribute): the
  pair :math:`(r, t)` of a new RNA :math:`r` scores
  :math:`\sum_j w_j\, x(r'_j, t)`, the weighted mean of the model's raw scores of its ``k``
  most sequence-similar known RNAs :math:`r'_j` (fitted, with a sequence and a training pair)
  with the same partner, :math:`w_j \propto S(r, r'_j)^p`. The model itself only sees fitted
  nodes (the graph it encodes is cut to them). Graph-only models score new RNAs this way.
* ``None`` -- it cannot: such pairs score NaN.

A new RNA without a sequence, or without a similar known RNA, scores NaN.
:meth:`LinkModel.scoring_status` says per pair how it was scored (``fitted``, ``sequence``,
``neighbours``) or why not; :meth:`LinkModel.sequence_neighbours` gives the neighbours and
weights (models in ``"sequence"`` mode use them to place a new RNA in fitted graph
structures). Transferred scores are float64 weighted means computed per pair in a fixed
order, so they keep the model's block invariance.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.features._estimator import Estimator
from rnagraph.models._transfer import NeighbourTransfer, fitted_part, neighbours
from rnagraph.train.calibration import PlattCalibrator, calibration_pairs
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import EdgeType, NodeType

#: pairs scored per block by :meth:`LinkModel.decision_function`
DEFAULT_BLOCK = 65536

#: default bytes of one scoring block's temporaries, for models that size their blocks from a
#: memory budget (GRMMI, MiTAR): peak scoring memory then does not grow with the graph
BLOCK_BYTES = 256 << 20


def nonzero_std(x: Tensor) -> Tensor:
    """Column standard deviations of ``x [N, F]``, 1 where a column is constant (to within
    ``1e-6``), so a feature that never varied in training is centred, not blown up by a
    near-zero divisor when a new pair has it (a one-hot position no training miRNA had)."""
    std = x.std(0, unbiased=False)
    return torch.where(std > 1e-6, std, torch.ones_like(std))


class PairTable:
    """Rows computed once for a fixed set of pairs (a model's features of its training or
    validation pairs), looked up by pair through the codes ``src * n_dst + dst``, so a
    training loop reads a batch's rows instead of computing them again every epoch.

    Args:
        pairs (Tensor): ``[2, N]`` the pairs (repeats allowed: the first row of each is kept).
        rows (Tensor): ``[N, F]`` their rows, on the device :meth:`get` returns them on.
        n_dst (int): destination nodes of the pairs' graph (the code's radix).
    """

    def __init__(self, pairs: Tensor, rows: Tensor, n_dst: int) -> None:
        codes = pairs[0].cpu().numpy().astype(np.int64) * n_dst + pairs[1].cpu().numpy()
        self.codes, first = np.unique(codes, return_index=True)
        self.rows, self.n_dst = rows[torch.from_numpy(first).to(rows.device)], n_dst

    def get(self, pairs: Tensor) -> Tensor | None:
        """The rows ``[B, F]`` of ``pairs [2, B]``, or ``None`` when one of them is not in
        the table."""
        p = pairs.cpu().numpy().astype(np.int64)
        c = p[0] * self.n_dst + p[1]
        i = np.minimum(np.searchsorted(self.codes, c), len(self.codes) - 1)
        if not (self.codes[i] == c).all():
            return None
        return self.rows[torch.from_numpy(i).to(self.rows.device)]


def budget_block(item_bytes: int, budget: int = BLOCK_BYTES) -> int:
    """Items (pairs, or nodes to encode) per block whose estimated temporaries,
    ``item_bytes`` each (an upper estimate from the shapes), stay within ``budget`` bytes; at
    least one."""
    return max(1, budget // max(item_bytes, 1))


#: relative tolerance of block invariance for models whose scores sum floats (see the module
#: docstring): ``|a - b| <= BLOCK_RTOL * max(1, |a|)``
BLOCK_RTOL = 1e-4


def block_tolerance(raw: Tensor, rtol: float = BLOCK_RTOL) -> Tensor:
    r"""The contract's bound :math:`\text{rtol} \cdot \max(1, |a|)` ``[N]`` on how far each raw
    score ``raw`` ``[N]`` may move with the block it is scored in (``rtol``: the model's
    ``block_rtol``). Two scores are ordered the same under any blocking when their gap
    exceeds the sum of their bounds."""
    return rtol * raw.abs().clamp(min=1.0)


def block_close(got: Tensor, want: Tensor, rtol: float = BLOCK_RTOL) -> bool:
    """Whether raw scores ``got`` agree with ``want`` (same shape) within
    :func:`block_tolerance` of ``want`` (``rtol=0``: equal)."""
    if got.shape != want.shape:
        raise ValueError(f"block_close: shapes differ, {tuple(got.shape)} and "
                         f"{tuple(want.shape)}")
    return bool(((got - want).abs() <= block_tolerance(want, rtol)).all())


def grid_pairs(src: Tensor, dst: Tensor) -> Tensor:
    """Every pair of ``src`` ``[R]`` x ``dst`` ``[C]`` as ``[2, R * C]``, source-major (the
    row order of :meth:`LinkModel.decision_grid`)."""
    return torch.stack([src.repeat_interleave(dst.numel()), dst.repeat(src.numel())])


class LinkModel(Estimator):
    """Base class of every link predictor (see the module docstring for the contract).

    Subclasses store their hyper-parameters in ``__init__`` under the same names (so
    ``get_params`` / ``set_params`` / :func:`sklearn.base.clone` / ``repr`` work) and implement:

    * ``_fit(fold)`` -- learn; may use ``self.edge_type_`` and ``self.graph_``.
    * ``_encode(graph)`` -- whatever per-node state scoring needs for ``graph`` (cached).
    * ``_decision(encoded, pairs)`` -- raw scores ``[B]`` of a block of pairs ``[2, B]``.
    * ``_get_state()`` / ``_set_state(tensors, extra)`` -- the fitted state as a dict of tensors
      and a JSON-ready dict, for model files.
    * optionally ``_link(raw)`` -- probabilities without calibration (default: sigmoid).

    Every subclass has a ``calibrate`` parameter (default ``True``).

    Parameters are checked in ``fit``, as scikit-learn checks them
    (:class:`~rnagraph.features._estimator.Estimator`, the base of featurizers and encoders
    too): ``__init__`` only stores them, a subclass's ``_validate_params()`` raises for a bad
    value with :meth:`_check_param`, so ``set_params`` of a bad value fails at the next
    ``fit``. The ``repr`` is scikit-learn's (the parameters that differ from the defaults).
    """

    __repr__ = BaseEstimator.__repr__

    #: the model needs sequences on both node types of the edge type
    requires_sequences: ClassVar[bool] = False
    #: block invariance: raw scores of one pair in any two blocks agree within
    #: :func:`block_tolerance` with this ``rtol`` (``0``: exactly)
    block_rtol: ClassVar[float] = BLOCK_RTOL
    #: how a new RNA (a node of the scoring graph after the fitted ones) is scored:
    #: ``"sequence"``, ``"neighbours"`` or ``None`` (see :meth:`inductive_mode`)
    inductive: ClassVar[str | None] = "neighbours"
    #: settings of the sequence-neighbour transfer (assign a new one on an instance to change)
    transfer: ClassVar[NeighbourTransfer] = NeighbourTransfer()
    #: a trained model's own defaults of its ``trainer=`` part (:class:`TrainerConfig`
    #: keywords), used when it is built with ``trainer=None``
    default_trainer: ClassVar[dict[str, Any]] = {}

    @classmethod
    def _trainer_part(cls, trainer: TrainerConfig | None) -> TrainerConfig:
        """What a trained model's ``__init__`` stores as ``self.trainer``: ``trainer`` as
        given, or (for ``None``) a fresh :class:`TrainerConfig` of :attr:`default_trainer`, so
        ``set_params(trainer__lr=...)`` works on any model and never changes another model's
        configuration. (The one departure from "``__init__`` only stores": a default part is
        built here, as scikit-learn's own meta-estimators cannot; :func:`sklearn.base.clone`
        passes the cloned part back in and keeps it.)"""
        return cls.trainer_config() if trainer is None else trainer

    @classmethod
    def trainer_config(cls, **overrides: Any) -> TrainerConfig:
        """A :class:`TrainerConfig` of this model's own defaults (:attr:`default_trainer`)
        with ``overrides``: ``SAGELink(trainer=SAGELink.trainer_config(epochs=50))`` changes
        the epochs and keeps SAGELink's other training defaults, where a bare
        ``TrainerConfig(epochs=50)`` would take the loop's own defaults for the rest."""
        return TrainerConfig(**{**cls.default_trainer, **overrides})

    def _validate_parts(self) -> None:
        """Check the model's parts (called by ``fit`` before :meth:`_validate_params`): a
        ``trainer`` must be a :class:`TrainerConfig`, and every part that is an
        :class:`~rnagraph.features._estimator.Estimator` checks its own parameters."""
        params = self.get_params(deep=False)
        if "trainer" in params and not isinstance(params["trainer"], TrainerConfig):
            raise ValueError(f"{type(self).__name__}: trainer={params['trainer']!r} must be a "
                             "TrainerConfig, e.g. trainer=TrainerConfig(epochs=50)")
        for value in params.values():
            check = getattr(value, "_validate_params", None)
            if isinstance(value, Estimator) and check is not None:
                check()

    # ----------------------------------------------------------------- subclass hooks
    def _validate_params(self) -> None:
        """Check the parameters (called by ``fit``); raise with :meth:`_check_param`."""

    def _fit(self, fold: Fold) -> None:
        raise NotImplementedError

    def _encode(self, graph: HeteroData) -> Any:
        return None

    def _decision(self, encoded: Any, pairs: Tensor) -> Tensor:
        raise NotImplementedError

    def _decision_grid(self, encoded: Any, src: Tensor, dst: Tensor) -> Tensor | None:
        """Optional: raw scores ``[R, C]`` of every pair of ``src`` ``[R]`` x ``dst`` ``[C]``
        at once (one matrix product for dot-product models); ``None``: score them as pairs."""
        return None

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        return {}, {}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        pass

    def _link(self, raw: Tensor) -> Tensor:
        return torch.sigmoid(raw)

    # ----------------------------------------------------------------- the contract
    def fit(self, fold: Fold) -> LinkModel:
        """Learn from ``fold.train_graph`` / ``fold.train`` (early stopping and calibration on
        ``fold.val``); returns ``self``.

        In an inductive fold the validation pairs are on RNAs the fitted graph does not hold
        (``fold.graph_for("val")`` appends them): calibration scores them through the new-RNA
        path, and where a side of the pair is scored by the sequence-neighbour transfer, the
        model's ``_fit`` receives ``fold.val`` as a
        :class:`~rnagraph.train.pooled.PooledLinkSet` (the trainer validates on the pooled
        scores). A model whose own ``_fit`` reads validation pairs of new RNAs scored from
        their sequence reads them on ``fold.graph_for("val")``."""
        if not isinstance(fold, Fold):
            raise TypeError(f"{type(self).__name__}.fit: expected a rnagraph.data.Fold (e.g. "
                            f"from kfold_link_split), got {type(fold).__name__}")
        self._validate_parts()
        self._validate_params()
        self._clear()
        self.edge_type_: EdgeType = tuple(fold.edge_type)
        self.graph_: HeteroData = fold.train_graph
        val_graph = fold.graph_for("val")
        self._fit(self._fit_view(fold, val_graph))
        # every positive the model was shown (training graph + validation positives on fitted
        # RNAs): what ranking all candidates must skip as already known
        et, counts = self.edge_type_, self._fit_counts()
        seen = [fold.train_graph[et].edge_index] if et in fold.train_graph.edge_types else []
        vpos = fold.val.pos_index
        vpos = vpos[:, (vpos[0] < counts[et[0]]) & (vpos[1] < counts[et[2]])]
        self.known_pairs_: Tensor = torch.cat(seen + [vpos], 1).long()
        self.calibrator_: PlattCalibrator | None = None
        if getattr(self, "calibrate", False):
            cal = calibration_pairs(fold)
            raw = self.decision_function(val_graph if cal is fold.val else None,
                                         cal.edge_label_index)
            ok = torch.isfinite(raw)
            self.calibrator_ = PlattCalibrator().fit(raw[ok], cal.edge_label[ok])
        return self

    def _fit_view(self, fold: Fold, val_graph: HeteroData) -> Fold:
        """``fold`` as ``_fit`` sees it: validation pairs on RNAs the transfer scores become a
        :class:`~rnagraph.train.pooled.PooledLinkSet` over fitted pairs."""
        from dataclasses import replace

        from rnagraph.train.pooled import PooledLinkSet
        val = fold.val
        if val_graph is fold.train_graph or not len(val) or \
                not self._has_new(val.edge_label_index):
            return fold
        counts = self._fit_counts()
        idx = val.edge_label_index
        if not any(self.inductive_mode(nt) == "neighbours" and bool((idx[r] >= counts[nt]).any())
                   for r, nt in ((0, self.edge_type_[0]), (1, self.edge_type_[2]))):
            return fold
        inner, owner, wt, _ = self._plan(val_graph, idx)
        return replace(fold, val=PooledLinkSet(idx, val.edge_label, inner, owner, wt))

    def _clear(self) -> None:
        """Forget everything learned (fitted attributes end in ``_``) and cached."""
        for k in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, k)
        self.__dict__.pop("_encoded", None)
        self.__dict__.pop("_neighbours", None)

    def _check_fitted(self) -> None:
        if not hasattr(self, "edge_type_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(fold) first "
                                 "or load a saved model with rnagraph.models.load(path)")

    def _check_graph(self, graph: HeteroData) -> None:
        for nt in (self.edge_type_[0], self.edge_type_[2]):
            if nt not in graph.node_types:
                raise ValueError(f"{type(self).__name__}: graph has no {nt!r} nodes")
            n, n_fit = int(graph[nt].num_nodes), int(self.graph_[nt].num_nodes)
            if n < n_fit:
                raise ValueError(f"{type(self).__name__}: graph has {n} {nt!r} nodes, the model "
                                 f"was fitted on {n_fit}")
            if n > n_fit and graph is not self.graph_:
                fit_ids = getattr(self.graph_[nt], "ids", None)
                ids = getattr(graph[nt], "ids", None)
                if fit_ids is not None and ids is not None and \
                        tuple(ids[:n_fit]) != tuple(fit_ids):
                    raise ValueError(f"{type(self).__name__}: the first {n_fit} {nt!r} nodes of "
                                     "graph are not the fitted ones in the fitted order (new "
                                     "RNAs go after them: LinkModel.extended_graph)")

    # ----------------------------------------------------------------- new RNAs
    def inductive_mode(self, node_type: NodeType) -> str | None:
        """How a new ``node_type`` RNA is scored: ``"sequence"`` (by the model, from its
        sequence), ``"neighbours"`` (the sequence-neighbour transfer) or ``None`` (not at
        all). Default: the class's ``inductive``."""
        return self.inductive

    def _row_of(self, node_type: NodeType) -> int:
        """The row of ``node_type`` in the fitted edge type's pairs (0: source, 1:
        destination), for models that read one side of a pair."""
        src_t, _, dst_t = self.edge_type_
        if node_type not in (src_t, dst_t) or src_t == dst_t:
            raise ValueError(f"{type(self).__name__}: node_type {node_type!r} is not one side of "
                             f"edge type {self.edge_type_}")
        return 0 if node_type == src_t else 1

    def _fit_counts(self) -> dict[NodeType, int]:
        return {nt: int(self.graph_[nt].num_nodes) for nt in (self.edge_type_[0],
                                                              self.edge_type_[2])}

    def _model_graph(self, graph: HeteroData) -> HeteroData:
        """What the model encodes for ``graph``: new RNAs of types it does not score from
        their sequence are cut off (the transfer maps their pairs onto fitted nodes)."""
        cut = {nt: n for nt, n in self._fit_counts().items()
               if self.inductive_mode(nt) != "sequence"}
        return fitted_part(graph, cut)

    def extended_graph(self, sequences: dict[NodeType, dict[str, str | None]]) -> HeteroData:
        """The fitted graph with the RNAs of ``sequences`` (``{node_type: {id: sequence}}``)
        appended as new nodes; ids the fitted graph already holds are skipped (they are
        scored as fitted). Pass it as ``graph`` to score pairs of the new RNAs."""
        from rnagraph.data.extend import append_nodes
        self._check_fitted()
        g = self.graph_
        for nt, seqs in sequences.items():
            if nt not in g.node_types:
                raise ValueError(f"{type(self).__name__}: the fitted graph has no {nt!r} nodes "
                                 f"(node types: {', '.join(g.node_types)})")
            have = set(g[nt].ids) if "ids" in g[nt] else set()
            new = [(i, q) for i, q in seqs.items() if i not in have]
            if new:
                g = append_nodes(g, nt, [i for i, _ in new], [q for _, q in new])
        return g

    def sequence_neighbours(self, graph: HeteroData | None,
                            node_type: NodeType) -> tuple[Tensor, Tensor]:
        """The sequence neighbours of the new ``node_type`` RNAs of ``graph``: fitted node
        indices ``[n_new, k]`` (long) and weights ``[n_new, k]`` (float64; a row sums to 1, or
        is all zero where the RNA has no sequence or no similar known RNA). See
        :class:`~rnagraph.models._transfer.NeighbourTransfer`; cached per graph."""
        self._check_fitted()
        g = self.graph_ if graph is None else graph
        cache = self.__dict__.setdefault("_neighbours", {})
        hit = cache.get(node_type)
        if hit is not None and hit[0] is g and hit[1] == self.transfer:
            return hit[2]
        out = neighbours(self.graph_, g, self.edge_type_, node_type, self.transfer)
        cache[node_type] = (g, self.transfer, out)
        return out

    def _plan(self, graph: HeteroData, pairs: Tensor) -> tuple[Tensor, Tensor, Tensor, list]:
        """How each pair of ``pairs`` (which index new RNAs) is scored: the pairs the model
        scores ``[2, M]``, the pair each belongs to ``[M]``, its weight ``[M]`` (float64), and
        per pair a status (``None``: scored)."""
        counts, n = self._fit_counts(), pairs.size(1)
        nodes, weights, status = [], [], [None] * n
        transferred = torch.zeros(n, dtype=torch.bool)
        for row, nt in ((0, self.edge_type_[0]), (1, self.edge_type_[2])):
            idx, n_fit, mode = pairs[row], counts[nt], self.inductive_mode(nt)
            new = idx >= n_fit
            k = self.transfer.k if mode == "neighbours" else 1
            nd = idx.unsqueeze(1).repeat(1, k)
            w = torch.zeros(n, k, dtype=torch.float64)
            w[:, 0] = 1.0
            if bool(new.any()):
                seqs = getattr(graph[nt], "seq", None)
                ids = getattr(graph[nt], "ids", None)
                pos = torch.nonzero(new).flatten()
                if mode == "neighbours":
                    nb, nw = self.sequence_neighbours(graph, nt)
                    kk = nb.size(1)
                    w[pos] = 0.0
                    nd[pos, :kk] = nb[idx[pos] - n_fit]
                    w[pos, :kk] = nw[idx[pos] - n_fit]
                    transferred[pos] = True
                order = pos[torch.argsort(idx[pos], stable=True)]
                uniq, sizes = torch.unique_consecutive(idx[order], return_counts=True)
                for i, at in zip(uniq.tolist(), torch.split(order, sizes.tolist())):
                    # one reason per new RNA, for all of its pairs ``at``
                    name = f"{nt} {ids[i]!r}" if ids is not None else f"{nt} node {i}"
                    if mode is None:
                        why = (f"{type(self).__name__} scores only the {nt} RNAs it was fitted "
                               "with")
                    elif seqs is None or not seqs[i]:
                        why = f"{name} is not in the model and has no sequence"
                    elif float(w[at[0]].sum()) == 0.0:
                        why = f"{name} has no known {nt} with a similar sequence"
                    else:
                        continue
                    w[at] = 0.0
                    for p in at.tolist():
                        status[p] = status[p] or "not scored: " + why
            nodes.append(nd)
            weights.append(w)
        ks, kd = nodes[0].size(1), nodes[1].size(1)
        src = nodes[0].unsqueeze(2).expand(n, ks, kd)
        dst = nodes[1].unsqueeze(1).expand(n, ks, kd)
        wt = weights[0].unsqueeze(2) * weights[1].unsqueeze(1)
        owner = torch.arange(n).view(n, 1, 1).expand(n, ks, kd)
        keep = wt > 0
        c = (pairs[0] >= counts[self.edge_type_[0]]) | (pairs[1] >= counts[self.edge_type_[2]])
        for p in torch.nonzero(c).flatten().tolist():
            if status[p] is None:
                status[p] = "neighbours" if transferred[p] else "sequence"
        return torch.stack([src[keep], dst[keep]]), owner[keep], wt[keep], status

    def scoring_status(self, graph: HeteroData | None, pairs: Tensor) -> list[str]:
        """Per pair of ``pairs`` ``[2, N]``: ``"fitted"`` (both RNAs fitted), ``"sequence"``
        (a new RNA scored from its sequence), ``"neighbours"`` (a new RNA scored by the
        sequence-neighbour transfer) or ``"not scored: <why>"`` (its score is NaN)."""
        self._check_fitted()
        g = self.graph_ if graph is None else graph
        pairs = self._pairs(pairs, g)
        if not self._has_new(pairs):
            return ["fitted"] * pairs.size(1)
        return [st or "fitted" for st in self._plan(g, pairs)[3]]

    def _has_new(self, pairs: Tensor) -> bool:
        return self._touches_new(pairs[0], pairs[1])

    def _touches_new(self, src: Tensor, dst: Tensor) -> bool:
        """Whether source indices ``src`` or destination indices ``dst`` name a new RNA."""
        c = self._fit_counts()
        return bool((src.numel() and int(src.max()) >= c[self.edge_type_[0]])
                    or (dst.numel() and int(dst.max()) >= c[self.edge_type_[2]]))

    # ----------------------------------------------------------------- scoring
    def encoded(self, graph: HeteroData | None = None) -> Any:
        """The cached per-node state for ``graph`` (``None``: the fitted graph; a graph with
        new RNAs: what the model encodes of it, see :meth:`inductive_mode`)."""
        self._check_fitted()
        g = self.graph_ if graph is None else graph
        cache = self.__dict__.get("_encoded")
        sig = tuple((et, int(g[et].edge_index.size(1))) for et in g.edge_types
                    if "edge_index" in g[et])
        if cache is not None and cache[0] is g and cache[1] == sig:
            return cache[2]
        self._check_graph(g)
        enc = self._encode(self._model_graph(g))
        self._encoded = (g, sig, enc)
        return enc

    def _pairs(self, pairs: Tensor, graph: HeteroData | None = None) -> Tensor:
        pairs = torch.as_tensor(pairs)
        if pairs.dim() != 2 or pairs.size(0) != 2:
            raise ValueError(f"{type(self).__name__}: pairs must have shape [2, N], got "
                             f"{tuple(pairs.shape)}")
        if pairs.is_floating_point():
            raise ValueError(f"{type(self).__name__}: pairs must hold integer node indices")
        pairs = pairs.long()
        g = self.graph_ if graph is None else graph
        if pairs.numel():
            for row, nt in ((0, self.edge_type_[0]), (1, self.edge_type_[2])):
                n = int(g[nt].num_nodes)
                lo, hi = int(pairs[row].min()), int(pairs[row].max())
                if lo < 0 or hi >= n:
                    raise ValueError(f"{type(self).__name__}: {nt} index {hi if hi >= n else lo} "
                                     f"out of range for {n} nodes")
        return pairs

    def _decision_blocks(self, enc: Any, pairs: Tensor, batch_size: int) -> Tensor:
        n = pairs.size(1)
        out = torch.empty(n, dtype=torch.float64)
        for i in range(0, n, batch_size):
            out[i:i + batch_size] = self._decision(enc, pairs[:, i:i + batch_size]).double().cpu()
        return out

    @torch.no_grad()
    def decision_function(self, graph: HeteroData | None, pairs: Tensor,
                          batch_size: int = DEFAULT_BLOCK) -> Tensor:
        """Raw scores ``[N]`` (float64, unsaturated) of ``pairs`` ``[2, N]`` (source type
        first), scored in blocks of ``batch_size``. Pairs of new RNAs (``graph`` holds more
        nodes than the fitted graph) are scored as :meth:`inductive_mode` says; those that
        cannot be scored are NaN (:meth:`scoring_status` says why)."""
        self._check_fitted()
        g = self.graph_ if graph is None else graph
        pairs = self._pairs(pairs, g)
        enc = self.encoded(graph)
        if not self._has_new(pairs):
            return self._decision_blocks(enc, pairs, batch_size)
        from rnagraph.train.pooled import pool_scores
        inner, owner, wt, _ = self._plan(g, pairs)
        return pool_scores(self._decision_blocks(enc, inner, batch_size), owner, wt,
                           pairs.size(1))

    @torch.no_grad()
    def decision_grid(self, graph: HeteroData | None, src: Tensor, dst: Tensor) -> Tensor:
        """Raw scores ``[R, C]`` (float64) of every pair of source nodes ``src`` ``[R]`` and
        destination nodes ``dst`` ``[C]``: what ranking all candidates scores block by block.
        Equal to :meth:`decision_function` of the same pairs (``src`` major)."""
        self._check_fitted()
        g = self.graph_ if graph is None else graph
        src, dst = torch.as_tensor(src).long(), torch.as_tensor(dst).long()
        for t, nt in ((src, self.edge_type_[0]), (dst, self.edge_type_[2])):
            n = int(g[nt].num_nodes)
            if t.numel() and (int(t.min()) < 0 or int(t.max()) >= n):
                raise ValueError(f"{type(self).__name__}: {nt} index out of range for {n} nodes")
        if self._touches_new(src, dst):
            # new RNAs: pair by pair, so a pair scores the same here as in decision_function
            return self.decision_function(graph, grid_pairs(src, dst)).reshape(src.numel(),
                                                                               dst.numel())
        enc = self.encoded(graph)
        out = self._decision_grid(enc, src, dst)
        if out is None:
            pairs = grid_pairs(src, dst)
            out = self._decision(enc, pairs).reshape(src.numel(), dst.numel())
        return out.double()

    def score(self, graph: HeteroData | None, pairs: Tensor,
              batch_size: int = DEFAULT_BLOCK) -> Tensor:
        """Calibrated interaction probabilities ``[N]`` (float64) of ``pairs`` ``[2, N]``."""
        return self.probability(self.decision_function(graph, pairs, batch_size))

    def probability(self, raw: Tensor) -> Tensor:
        """The calibrated probabilities (float64) of raw scores from :meth:`decision_function`
        (so a caller holding raw scores need not score twice)."""
        self._check_fitted()
        cal = getattr(self, "calibrator_", None)
        return cal(raw) if cal is not None else self._link(raw).double()

    def predict_proba(self, graph: HeteroData | None, pairs: Tensor,
                      batch_size: int = DEFAULT_BLOCK) -> Tensor:
        """Same as :meth:`score`."""
        return self.score(graph, pairs, batch_size)

    # ----------------------------------------------------------------- files
    def save(self, path: str | Path) -> Path:
        """Write the fitted model to one file (atomically); read it back with
        :func:`rnagraph.models.load`."""
        from rnagraph.models._file import save_model
        return save_model(self, path)

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())
        state.pop("_encoded", None)           # caches do not travel to worker processes
        state.pop("_neighbours", None)
        return state


__all__ = ["LinkModel", "NotFittedError", "NeighbourTransfer", "DEFAULT_BLOCK", "BLOCK_RTOL",
           "BLOCK_BYTES", "budget_block", "block_close", "block_tolerance", "grid_pairs",
           "nonzero_std", "PairTable"]
