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
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.train.calibration import PlattCalibrator, calibration_pairs
from rnagraph.typing import EdgeType

#: pairs scored per block by :meth:`LinkModel.decision_function`
DEFAULT_BLOCK = 65536

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


class LinkModel(BaseEstimator):
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
    """

    #: the model needs sequences on both node types of the edge type
    requires_sequences: ClassVar[bool] = False
    #: block invariance: raw scores of one pair in any two blocks agree within
    #: :func:`block_tolerance` with this ``rtol`` (``0``: exactly)
    block_rtol: ClassVar[float] = BLOCK_RTOL

    # ----------------------------------------------------------------- subclass hooks
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
        ``fold.val``); returns ``self``."""
        self._clear()
        self.edge_type_: EdgeType = tuple(fold.edge_type)
        self.graph_: HeteroData = fold.train_graph
        self._fit(fold)
        # every positive the model was shown (training graph + validation positives): what
        # ranking all candidates must skip as already known
        et = self.edge_type_
        seen = [fold.train_graph[et].edge_index] if et in fold.train_graph.edge_types else []
        self.known_pairs_: Tensor = torch.cat(seen + [fold.val.pos_index], 1).long()
        self.calibrator_: PlattCalibrator | None = None
        if getattr(self, "calibrate", False):
            cal = calibration_pairs(fold)
            raw = self.decision_function(None, cal.edge_label_index)
            self.calibrator_ = PlattCalibrator().fit(raw, cal.edge_label)
        return self

    def _clear(self) -> None:
        """Forget everything learned (fitted attributes end in ``_``) and cached."""
        for k in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, k)
        self.__dict__.pop("_encoded", None)

    def _check_fitted(self) -> None:
        if not hasattr(self, "edge_type_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(fold) first "
                                 "or load a saved model with rnagraph.models.load(path)")

    def _check_graph(self, graph: HeteroData) -> None:
        for nt in (self.edge_type_[0], self.edge_type_[2]):
            if nt not in graph.node_types:
                raise ValueError(f"{type(self).__name__}: graph has no {nt!r} nodes")
            n, n_fit = int(graph[nt].num_nodes), int(self.graph_[nt].num_nodes)
            if n != n_fit:
                raise ValueError(f"{type(self).__name__}: graph has {n} {nt!r} nodes, the model "
                                 f"was fitted on {n_fit}")

    def encoded(self, graph: HeteroData | None = None) -> Any:
        """The cached per-node state for ``graph`` (``None``: the fitted graph)."""
        self._check_fitted()
        g = self.graph_ if graph is None else graph
        cache = self.__dict__.get("_encoded")
        sig = tuple((et, int(g[et].edge_index.size(1))) for et in g.edge_types
                    if "edge_index" in g[et])
        if cache is not None and cache[0] is g and cache[1] == sig:
            return cache[2]
        self._check_graph(g)
        enc = self._encode(g)
        self._encoded = (g, sig, enc)
        return enc

    def _pairs(self, pairs: Tensor) -> Tensor:
        pairs = torch.as_tensor(pairs)
        if pairs.dim() != 2 or pairs.size(0) != 2:
            raise ValueError(f"{type(self).__name__}: pairs must have shape [2, N], got "
                             f"{tuple(pairs.shape)}")
        if pairs.is_floating_point():
            raise ValueError(f"{type(self).__name__}: pairs must hold integer node indices")
        pairs = pairs.long()
        if pairs.numel():
            for row, nt in ((0, self.edge_type_[0]), (1, self.edge_type_[2])):
                n = int(self.graph_[nt].num_nodes)
                lo, hi = int(pairs[row].min()), int(pairs[row].max())
                if lo < 0 or hi >= n:
                    raise ValueError(f"{type(self).__name__}: {nt} index {hi if hi >= n else lo} "
                                     f"out of range for {n} nodes")
        return pairs

    @torch.no_grad()
    def decision_function(self, graph: HeteroData | None, pairs: Tensor,
                          batch_size: int = DEFAULT_BLOCK) -> Tensor:
        """Raw scores ``[N]`` (float64, unsaturated) of ``pairs`` ``[2, N]`` (source type
        first), scored in blocks of ``batch_size``."""
        self._check_fitted()
        pairs = self._pairs(pairs)
        enc = self.encoded(graph)
        n = pairs.size(1)
        out = torch.empty(n, dtype=torch.float64)
        for i in range(0, n, batch_size):
            out[i:i + batch_size] = self._decision(enc, pairs[:, i:i + batch_size]).double().cpu()
        return out

    @torch.no_grad()
    def decision_grid(self, graph: HeteroData | None, src: Tensor, dst: Tensor) -> Tensor:
        """Raw scores ``[R, C]`` (float64) of every pair of source nodes ``src`` ``[R]`` and
        destination nodes ``dst`` ``[C]``: what ranking all candidates scores block by block.
        Equal to :meth:`decision_function` of the same pairs (``src`` major)."""
        self._check_fitted()
        src, dst = torch.as_tensor(src).long(), torch.as_tensor(dst).long()
        for t, nt in ((src, self.edge_type_[0]), (dst, self.edge_type_[2])):
            n = int(self.graph_[nt].num_nodes)
            if t.numel() and (int(t.min()) < 0 or int(t.max()) >= n):
                raise ValueError(f"{type(self).__name__}: {nt} index out of range for {n} nodes")
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
        return state


__all__ = ["LinkModel", "NotFittedError", "DEFAULT_BLOCK", "BLOCK_RTOL", "block_close",
           "block_tolerance", "grid_pairs"]
