"""StackedLink: a logistic regression on the raw scores of several models (stacking)."""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.models.base import LinkModel
from rnagraph.train.calibration import calibration_pairs


class StackedLink(LinkModel):
    r"""Several models' raw scores combined by a logistic regression fitted on validation pairs.

    Each model named in ``models`` (registry names, :data:`~rnagraph.models.MODELS`) is fitted
    on the fold as it would be alone (uncalibrated); then, with :math:`x_k` the standardised
    :meth:`decision_function` of model :math:`k`,

    .. math::
        s = \sum_k w_k\, x_k + b,

    where :math:`(w, b)` is an L2-regularised logistic regression (scikit-learn, inverse
    strength ``C``) on :func:`~rnagraph.train.calibration.calibration_pairs` (the fold's
    validation pairs; never its test pairs). :math:`s` is :meth:`decision_function`.

    Its use here is a **baseline made of baselines**: ``StackedLink(["node-prior",
    "seedmatch"])`` adds what a miRNA's identity says to what its canonical seed sites say,
    two numbers a deep sequence model has to beat together, not one at a time. Fitting on
    validation pairs matters: on training pairs a model's own scores are in-sample (a
    node's training rate includes the pair being fitted) and the weights would trust it too
    much.

    Args:
        models (list[str], optional): registry names of the stacked models, each fitted with
            its defaults. (default: ``None``: ``["node-prior", "seedmatch"]``)
        C (float): inverse L2 strength of the logistic regression. (default: ``1.0``)
        calibrate (bool): Platt-scale :math:`s` on ``fold.val``. (default: ``True``)
    """

    def __init__(self, models: list[str] | None = None, C: float = 1.0, calibrate: bool = True):
        from rnagraph.models.registry import MODELS
        names = _names(models)
        unknown = [m for m in names if m.lower() not in MODELS]
        if not names or unknown:
            raise ValueError(f"StackedLink: models must be registry names, got {unknown or '[]'}"
                             f"; choose from {', '.join(MODELS)}")
        if not C > 0:
            raise ValueError(f"StackedLink: C must be > 0, got {C}")
        self.models = models
        self.C = C
        self.calibrate = calibrate

    @property
    def requires_sequences(self) -> bool:  # type: ignore[override]
        from rnagraph.models.registry import needs_sequences
        return any(needs_sequences(m) for m in _names(self.models))

    def _fit(self, fold: Fold) -> None:
        from sklearn.linear_model import LogisticRegression

        from rnagraph.models.registry import get_model
        self.models_ = [get_model(m, calibrate=False).fit(fold) for m in _names(self.models)]
        cal = calibration_pairs(fold)
        x = self._raw(None, cal.edge_label_index).numpy()
        self.mean_, self.std_ = x.mean(0), x.std(0)
        self.std_[self.std_ == 0] = 1.0
        lr = LogisticRegression(C=self.C).fit((x - self.mean_) / self.std_,
                                              cal.edge_label.numpy())
        self.coef_, self.intercept_ = lr.coef_[0].astype(float), float(lr.intercept_[0])

    def _raw(self, graph: HeteroData | None, pairs: Tensor) -> Tensor:
        return torch.stack([m.decision_function(graph, pairs) for m in self.models_], 1)

    def _encode(self, graph: HeteroData) -> HeteroData:
        return graph

    def _decision(self, encoded: HeteroData, pairs: Tensor) -> Tensor:
        x = (self._raw(encoded, pairs).numpy() - self.mean_) / self.std_
        return torch.from_numpy(x @ self.coef_ + self.intercept_)

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


def _names(models: list[str] | None) -> list[str]:
    return list(models) if models is not None else ["node-prior", "seedmatch"]


__all__ = ["StackedLink"]
