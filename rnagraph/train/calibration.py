"""Calibration: one stage, the same for every model, fitted on a fold's validation pairs."""
from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import Tensor

from rnagraph.data.fold import Fold, LinkSet


class PlattCalibrator:
    r"""Platt scaling (Platt, 1999) of a raw link score :math:`x`:

    .. math::
        p = \sigma(a x + b),

    with :math:`(a, b)` fitted by (almost unregularised) logistic regression on labelled pairs.
    It is monotone whenever :math:`a > 0`, so AUC, AUPR and every ranking metric are those of the
    raw score; it only gives the 0.5 threshold a meaning. The arithmetic is float64 and the
    output is float64, so probabilities saturate to exactly 0 or 1 only for
    :math:`|a x + b| > 37` (float32 saturates at 17).

    A calibrator that was never fitted is the identity on logits (:math:`a = 1, b = 0`).

    Example::

        cal = PlattCalibrator().fit(raw_val, y_val)
        p = cal(raw_test)                       # float64 probabilities
    """

    def __init__(self) -> None:
        self.coef_: float = 1.0
        self.intercept_: float = 0.0

    def fit(self, x: Tensor | np.ndarray, y: Tensor | np.ndarray) -> PlattCalibrator:
        """Fit :math:`(a, b)` on raw scores ``x`` ``[N]`` and 0/1 labels ``y`` ``[N]``.

        Raises:
            ValueError: if the pairs do not hold both classes or a score is not finite.
        """
        from sklearn.linear_model import LogisticRegression
        x = np.asarray(torch.as_tensor(x).detach().cpu().double()).reshape(-1, 1)
        y = np.asarray(torch.as_tensor(y).detach().cpu().double()).ravel()
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"PlattCalibrator: {x.shape[0]} scores for {y.shape[0]} labels")
        if x.shape[0] == 0 or y.min() == y.max():
            raise ValueError("PlattCalibrator: calibration needs labelled pairs of both classes")
        if not np.isfinite(x).all():
            raise ValueError("PlattCalibrator: raw scores must be finite")
        # centre and scale first so that C=1e4 means "almost no regularisation" whatever the
        # scale of the raw score (degree logs ~5, SVD entries ~0.1, logits ~10)
        mu, sd = float(x.mean()), float(x.std()) or 1.0
        lr = LogisticRegression(C=1e4).fit((x - mu) / sd, y)
        a = float(lr.coef_[0, 0]) / sd
        self.coef_, self.intercept_ = a, float(lr.intercept_[0]) - a * mu
        return self

    def logit(self, x: Tensor) -> Tensor:
        """Calibrated log-odds :math:`a x + b` (float64)."""
        return self.coef_ * torch.as_tensor(x).double() + self.intercept_

    def __call__(self, x: Tensor) -> Tensor:
        """Calibrated probabilities :math:`\\sigma(a x + b)`, float64, same shape as ``x``.
        Equal scores get bit-equal probabilities (torch's vectorised sigmoid can differ in the
        last bit between positions, which would break ties such as SeedMatch's site counts)."""
        u, inv = torch.unique(torch.as_tensor(x).double(), return_inverse=True)
        return torch.sigmoid(self.logit(u))[inv]

    def state_dict(self) -> dict[str, float]:
        return {"coef": self.coef_, "intercept": self.intercept_}

    def load_state_dict(self, state: dict[str, float]) -> PlattCalibrator:
        self.coef_, self.intercept_ = float(state["coef"]), float(state["intercept"])
        return self

    def __repr__(self) -> str:
        return f"PlattCalibrator(a={self.coef_:.4g}, b={self.intercept_:.4g})"


def has_both_classes(links: LinkSet) -> bool:
    """Whether ``links`` holds at least one positive and one negative pair (what calibration
    and early stopping on AUC need)."""
    return len(links) > 0 and 0 < float(links.edge_label.sum()) < len(links)


def calibration_pairs(fold: Fold) -> LinkSet:
    """The labelled pairs every model calibrates on: ``fold.val`` when it holds both classes.

    Validation pairs, never test pairs and, where possible, not training pairs: a training
    positive is an edge of ``train_graph``, so its graph-derived score is inflated relative to an
    unseen positive, and a calibration fitted on training pairs puts the 0.5 threshold too high
    for test pairs (recall 0.56 for SVD-64 on cmi-9589). Without usable validation pairs
    (``val_ratio=0`` or one class only) this falls back to ``fold.train`` with a warning.

    Raises:
        ValueError: if neither set holds both classes.
    """
    if has_both_classes(fold.val):
        return fold.val
    if has_both_classes(fold.train):
        warnings.warn(f"calibration: fold {fold.index} has no validation pairs of both classes; "
                      "calibrating on training pairs (thresholds will be biased; split with "
                      "val_ratio > 0)", stacklevel=3)
        return fold.train
    raise ValueError(f"calibration: fold {fold.index} has no labelled pairs of both classes")


__all__ = ["PlattCalibrator", "calibration_pairs"]
