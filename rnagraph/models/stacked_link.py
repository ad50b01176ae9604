"""StackedLink: several models' raw scores fused by weights fitted on validation pairs
(stacking)."""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.models.base import LinkModel
from rnagraph.train.calibration import calibration_pairs

#: how the fusion weights are fitted (see :class:`StackedLink`)
OBJECTIVES = ("logistic", "global-aupr")
#: source rows of the all-candidate grid scored per block when fitting ``"global-aupr"``
_ROWS = 256


class StackedLink(LinkModel):
    r"""Several models' raw scores fused by weights fitted on validation pairs (stacking).

    Each model named in ``models`` (registry names, :data:`~rnagraph.models.MODELS`) is fitted
    on the fold as it would be alone (uncalibrated, on ``fold.train_graph``); then, with
    :math:`x_k` the :meth:`decision_function` of model :math:`k` standardised by its mean and
    standard deviation over the validation pairs,

    .. math::
        s = \sum_k w_k\, x_k + b

    is :meth:`decision_function`. The weights come from the fold's validation pairs
    (:func:`~rnagraph.train.calibration.calibration_pairs`), never its test pairs, in one of
    two ways (``objective``):

    * ``"logistic"``: :math:`(w, b)` is an L2-regularised logistic regression (scikit-learn,
      inverse strength ``C``) on the validation pairs and their labels.
    * ``"global-aupr"``: the weights maximise the average precision of the validation
      positives :math:`V` among **every** pair that is not a training positive (the
      all-candidate ranking of :func:`~rnagraph.evaluate.ranking.global_ranking_metrics`,
      with :math:`V` in the place of the test positives, as ``rnagraph tune --metric
      global-aupr`` scores a model):

      .. math::
          w^\star = \arg\max_{w \ge 0} \frac{1}{|V|} \sum_{p \in V}
          \frac{|\{p' \in V: s_{p'} \ge s_p\}|}{|\{c \in \mathcal{C}: s_c \ge s_p\}|},

      with :math:`\mathcal{C}` the candidates (every pair of the training graph's nodes
      except its edges; the validation positives among them). Only the ranking of
      :math:`s` matters, so the search (Nelder--Mead from the best of the logistic
      regression's weights clipped at 0 and each model alone, so the fusion is never worse
      on validation than its best part) fixes only the direction of :math:`w`; a
      logistic regression of the validation labels on :math:`w^{\star\top} x` then sets its
      scale and :math:`b`, so :math:`s` is a log-odds like the ``"logistic"`` one. The
      fold's test pairs are unread: its held-out positives are among the candidates, as
      unlabelled pairs, exactly as at ranking time. Warm folds only.

    ``"logistic"`` weighs the pairs a uniform validation set holds (mostly easy negatives);
    ``"global-aupr"`` weighs the top of the ranking of all unobserved pairs, where a
    heuristic such as :class:`~rnagraph.models.PathRA3` is precise and a learned model
    trained on sampled negatives is less so: its registry preset ``struct+ra3+svd`` fuses
    :class:`~rnagraph.models.StructLink`, :class:`~rnagraph.models.PathRA3` and
    :class:`~rnagraph.models.TruncatedSVDLink` this way.

    With ``["node-prior", "seedmatch"]`` (the default) it is a **baseline made of
    baselines**: what a miRNA's identity says plus what its canonical seed sites say, two
    numbers a deep sequence model has to beat together. Fitting on validation pairs matters:
    on training pairs a model's own scores are in-sample (a node's training rate includes
    the pair being fitted) and the weights would trust it too much.

    Args:
        models (list[str], optional): registry names of the fused models, each fitted with
            its defaults. (default: ``None``: ``["node-prior", "seedmatch"]``)
        C (float): inverse L2 strength of the logistic regression. (default: ``1.0``)
        objective (str): ``"logistic"`` or ``"global-aupr"`` (above).
            (default: ``"logistic"``)
        calibrate (bool): Platt-scale :math:`s` on ``fold.val``. (default: ``True``)
    """

    def __init__(self, models: list[str] | None = None, C: float = 1.0,
                 objective: str = "logistic", calibrate: bool = True):
        self.models = models
        self.C = C
        self.objective = objective
        self.calibrate = calibrate

    def _validate_params(self) -> None:
        from rnagraph.models.registry import MODELS
        names = _names(self.models)
        unknown = [m for m in names if m.lower() not in MODELS]
        if not names or unknown:
            raise ValueError(f"StackedLink: models must be registry names, got {unknown or '[]'}"
                             f"; choose from {', '.join(MODELS)}")
        self._check_param("C", self.C > 0, "must be > 0")
        self._check_param("objective", self.objective in OBJECTIVES,
                          f"must be one of {', '.join(OBJECTIVES)}")

    @property
    def requires_sequences(self) -> bool:  # type: ignore[override]
        from rnagraph.models.registry import needs_sequences
        return any(needs_sequences(m) for m in _names(self.models))

    def _fit(self, fold: Fold) -> None:
        from sklearn.linear_model import LogisticRegression

        from rnagraph.models.registry import get_model
        val_graph = fold.graph_for("val") if hasattr(fold, "graph_for") else fold.train_graph
        if self.objective == "global-aupr" and val_graph is not fold.train_graph:
            raise ValueError("StackedLink: objective='global-aupr' ranks every pair of the "
                             "training graph's nodes, so it needs a transductive (warm) fold; "
                             "use objective='logistic' on inductive folds")
        self.models_ = [get_model(m, calibrate=False).fit(fold) for m in _names(self.models)]
        cal = calibration_pairs(fold)
        graph = val_graph if cal is fold.val else None
        x = self._raw(graph, cal.edge_label_index).numpy()
        y = cal.edge_label.numpy()
        self.mean_, self.std_ = x.mean(0), x.std(0)
        self.std_[self.std_ == 0] = 1.0
        z = (x - self.mean_) / self.std_
        lr = LogisticRegression(C=self.C).fit(z, y)
        coef, intercept = lr.coef_[0].astype(float), float(lr.intercept_[0])
        if self.objective == "global-aupr":
            w = self._top_weights(fold, coef)
            lr = LogisticRegression(C=self.C).fit((z @ w)[:, None], y)
            a = float(lr.coef_[0, 0])
            if a > 0:           # a scale that would flip the ranking is refused, not used
                w, intercept = a * w, float(lr.intercept_[0])
            else:
                intercept = 0.0
            coef = w
        self.coef_, self.intercept_ = coef, intercept

    def _top_weights(self, fold: Fold, start: np.ndarray) -> np.ndarray:
        """The unit-sum weights :math:`w \\ge 0` that maximise :func:`global_ap` of the
        validation positives among every pair that is not a training positive."""
        from scipy.optimize import minimize
        et = self.edge_type_
        n_s, n_d = int(self.graph_[et[0]].num_nodes), int(self.graph_[et[2]].num_nodes)
        known = self.graph_[et].edge_index if et in self.graph_.edge_types else \
            torch.empty(2, 0, dtype=torch.long)
        vpos = fold.val.pos_index
        pos = np.unique(vpos[0].numpy().astype(np.int64) * n_d + vpos[1].numpy())
        pos = pos[~np.isin(pos, known[0].numpy().astype(np.int64) * n_d + known[1].numpy())]
        if not pos.size:
            raise ValueError(f"StackedLink: fold {fold.index} has no validation positives to "
                             "fit objective='global-aupr' on")
        grid = np.empty((n_s * n_d, len(self.models_)))
        for r in range(0, n_s, _ROWS):
            rows = torch.arange(r, min(r + _ROWS, n_s))
            grid[r * n_d:(r + rows.numel()) * n_d] = self._raw_grid(
                None, rows, torch.arange(n_d)).reshape(-1, len(self.models_)).numpy()
        grid = (grid - self.mean_) / self.std_
        neg = np.ones(n_s * n_d, dtype=bool)
        neg[known[0].numpy().astype(np.int64) * n_d + known[1].numpy()] = False
        neg[pos] = False
        xp, xn = grid[pos], grid[neg]

        def ap(w: np.ndarray) -> float:
            w = np.clip(w, 0, None)
            return global_ap(xp @ w, xn @ w) if w.any() else 0.0

        k = len(self.models_)
        starts = [np.clip(start, 0, None)] + list(np.eye(k))
        best = max(starts, key=ap)
        if k > 1:
            res = minimize(lambda w: -ap(w), best, method="Nelder-Mead",
                           options={"maxfev": 40 * (k - 1), "xatol": 1e-2, "fatol": 1e-5})
            if -res.fun > ap(best):
                best = res.x
        w = np.clip(best, 0, None)
        self.val_global_aupr_ = ap(w)
        return w / w.sum()

    def _raw(self, graph: HeteroData | None, pairs: Tensor) -> Tensor:
        return torch.stack([m.decision_function(graph, pairs) for m in self.models_], 1)

    def _raw_grid(self, graph: HeteroData | None, src: Tensor, dst: Tensor) -> Tensor:
        return torch.stack([m.decision_grid(graph, src, dst) for m in self.models_], -1)

    def _encode(self, graph: HeteroData) -> HeteroData:
        return graph

    def _decision(self, encoded: HeteroData, pairs: Tensor) -> Tensor:
        return self._fuse(self._raw(encoded, pairs))

    def _decision_grid(self, encoded: HeteroData, src: Tensor, dst: Tensor) -> Tensor:
        return self._fuse(self._raw_grid(encoded, src, dst))

    def _fuse(self, x: Tensor) -> Tensor:
        """:math:`s` of raw scores ``[..., K]`` -> ``[...]`` (float64)."""
        z = (x.double().numpy() - self.mean_) / self.std_
        return torch.from_numpy(z @ self.coef_ + self.intercept_)

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        tensors = {"coef": torch.from_numpy(self.coef_), "mean": torch.from_numpy(self.mean_),
                   "std": torch.from_numpy(self.std_),
                   "intercept": torch.tensor(self.intercept_, dtype=torch.float64)}
        extra = []
        for i, m in enumerate(self.models_):
            t, e = m._get_state()
            tensors.update({f"m{i}.{k}": v for k, v in t.items()})
            extra.append(e)
        return tensors, {"models": extra}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        from rnagraph.models.registry import get_model
        self.coef_, self.mean_, self.std_ = (tensors[k].numpy().astype(float)
                                             for k in ("coef", "mean", "std"))
        self.intercept_ = float(tensors["intercept"])
        self.models_ = []
        for i, (name, e) in enumerate(zip(_names(self.models), extra["models"], strict=True)):
            m = get_model(name, calibrate=False)
            m.edge_type_, m.graph_, m.calibrator_ = self.edge_type_, self.graph_, None
            pre = f"m{i}."
            m._set_state({k[len(pre):]: v for k, v in tensors.items() if k.startswith(pre)}, e)
            self.models_.append(m)


def global_ap(pos: np.ndarray, neg: np.ndarray) -> float:
    r"""Average precision of the scores ``pos`` ``[P]`` of the positives among ``neg``
    ``[Q]`` of the negatives, ties grouped into one threshold (scikit-learn's
    ``average_precision_score``; the ``aupr`` of
    :func:`~rnagraph.evaluate.ranking.global_ranking_metrics`):
    :math:`\frac{1}{P}\sum_p \frac{P_p}{P_p + N_p}` with :math:`P_p` / :math:`N_p` the
    positives / negatives scoring :math:`\ge` ``pos[p]``."""
    neg = np.sort(neg)
    n_geq = neg.size - np.searchsorted(neg, pos, side="left")
    p_geq = pos.size - np.searchsorted(np.sort(pos), pos, side="left")
    return float(np.mean(p_geq / (p_geq + n_geq)))


def _names(models: list[str] | None) -> list[str]:
    return list(models) if models is not None else ["node-prior", "seedmatch"]


__all__ = ["StackedLink", "OBJECTIVES", "global_ap"]
