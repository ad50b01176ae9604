"""Binary classification metrics for link prediction and validation-only threshold choice."""
from __future__ import annotations

import math
import warnings

import numpy as np
from torch import Tensor

#: The keys of :func:`binary_metrics`, in table order.
METRICS = ("acc", "precision", "recall", "specificity", "f1", "mcc", "auc", "aupr")


def _np(x: Tensor | np.ndarray | list) -> np.ndarray:
    if isinstance(x, Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=float).ravel()


def binary_metrics(y_true: Tensor | np.ndarray, y_score: Tensor | np.ndarray,
                   threshold: float = 0.5) -> dict[str, float]:
    r"""Threshold and ranking metrics of scores against 0/1 labels.

    A pair is predicted positive when :math:`\text{score} \ge \text{threshold}`. From the
    confusion matrix (TP, FP, TN, FN):

    .. math::
        \text{acc} = \frac{TP + TN}{N},\quad
        \text{precision} = \frac{TP}{TP + FP},\quad
        \text{recall} = \frac{TP}{TP + FN},\quad
        \text{specificity} = \frac{TN}{TN + FP},

    :math:`F_1` the harmonic mean of precision and recall, and
    :math:`\text{MCC} = \frac{TP\,TN - FP\,FN}{\sqrt{(TP+FP)(TP+FN)(TN+FP)(TN+FN)}}`; a zero
    denominator gives 0 (scikit-learn's convention). ``auc`` is the ROC AUC and ``aupr`` the
    average precision (threshold-free; NaN when only one class is present).

    Args:
        y_true: ``[N]`` 0/1 labels.
        y_score: ``[N]`` scores (probabilities).
        threshold (float): decision threshold; pick one on validation pairs with
            :func:`choose_threshold`, never on test. (default: ``0.5``)

    Returns:
        dict[str, float]: keys ``acc, precision, recall, specificity, f1, mcc, auc, aupr``.
    """
    from sklearn.metrics import (
        average_precision_score,
        confusion_matrix,
        f1_score,
        matthews_corrcoef,
        precision_score,
        recall_score,
        roc_auc_score,
    )
    y = _np(y_true)
    s = _np(y_score)
    if y.size != s.size:
        raise ValueError(f"binary_metrics: {y.size} labels for {s.size} scores")
    if y.size == 0:
        raise ValueError("binary_metrics: no pairs")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("binary_metrics: labels must be 0 or 1")
    if np.isnan(s).any():
        raise ValueError("binary_metrics: scores contain NaN")
    yi = y.astype(int)
    pred = (s >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(yi, pred, labels=[0, 1]).ravel()
    out = {
        "acc": (tp + tn) / y.size,
        "precision": precision_score(yi, pred, zero_division=0),
        "recall": recall_score(yi, pred, zero_division=0),
        "specificity": tn / (tn + fp) if tn + fp else 0.0,
        "f1": f1_score(yi, pred, zero_division=0),
        "mcc": matthews_corrcoef(yi, pred),
    }
    if 0 < yi.sum() < y.size:
        out["auc"] = roc_auc_score(yi, s)
        out["aupr"] = average_precision_score(yi, s)
    else:
        warnings.warn("binary_metrics: only one class present; auc/aupr are NaN", stacklevel=2)
        out["auc"] = out["aupr"] = math.nan
    return {k: float(out[k]) for k in METRICS}


def choose_threshold(y_true: Tensor | np.ndarray, y_score: Tensor | np.ndarray,
                     criterion: str = "f1") -> float:
    r"""The threshold that maximises ``criterion`` (``"f1"`` or ``"mcc"``) on these pairs.

    Meant for **validation** pairs only. Every distinct score is a candidate threshold (rule
    :math:`\text{score} \ge t`); the confusion counts of all candidates come from one sort and
    cumulative sums. Ties in the criterion go to the highest threshold. With no pairs, returns
    0.5.
    """
    if criterion not in ("f1", "mcc"):
        raise ValueError(f"choose_threshold: criterion must be 'f1' or 'mcc', got {criterion!r}")
    y = _np(y_true)
    s = _np(y_score)
    if y.size != s.size:
        raise ValueError(f"choose_threshold: {y.size} labels for {s.size} scores")
    if y.size == 0:
        return 0.5
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]  # last index of each distinct score
    tp = np.cumsum(y)[last]
    fp = (last + 1) - tp
    p = y.sum()
    fn = p - tp
    tn = (y.size - p) - fp
    with np.errstate(divide="ignore", invalid="ignore"):
        if criterion == "f1":
            val = np.where(tp > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        else:
            den = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
            val = np.where(den > 0, (tp * tn - fp * fn) / den, 0.0)
    return float(s[last][int(np.argmax(val))])


def grouped_auc(y_true: Tensor | np.ndarray, y_score: Tensor | np.ndarray,
                groups: Tensor | np.ndarray) -> tuple[float, int, int, int]:
    r"""ROC AUC over the positive-negative comparisons **within** groups (e.g. per miRNA).

    With :math:`P_g`, :math:`N_g` the positive and negative pairs of group :math:`g`,

    .. math::
        \text{AUC}_{\text{within}} = \frac{\sum_g \sum_{i \in P_g} \sum_{j \in N_g}
        \big(\mathbb{1}[s_i > s_j] + \tfrac12 \mathbb{1}[s_i = s_j]\big)}
        {\sum_g |P_g|\,|N_g|},

    the per-group Mann-Whitney AUCs averaged with weights :math:`|P_g||N_g|`. A positive is
    only compared with negatives of its own group, so a score that depends on the group
    alone (a miRNA's base rate, its degree) scores exactly 0.5: the metric measures what a
    model knows about the *pair*. Groups with one class only take no part.

    Args:
        y_true: ``[N]`` 0/1 labels.
        y_score: ``[N]`` scores.
        groups: ``[N]`` group ids (any integers, e.g. the miRNA of each pair).

    Returns:
        tuple: ``(auc, groups used, their rows, comparisons)``; ``auc`` is NaN when no group
        holds both classes.
    """
    from scipy.stats import rankdata
    y, s, g = _np(y_true), _np(y_score), np.asarray(groups).ravel()
    if not y.size == s.size == g.size:
        raise ValueError(f"grouped_auc: {y.size} labels, {s.size} scores, {g.size} groups")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("grouped_auc: labels must be 0 or 1")
    if np.isnan(s).any():
        raise ValueError("grouped_auc: scores contain NaN")
    _, inv = np.unique(g, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    bounds = np.flatnonzero(np.diff(inv[order])) + 1
    wins = comparisons = used = rows = 0
    for idx in np.split(order, bounds):
        pos = y[idx] == 1
        n_pos = int(pos.sum())
        n_neg = idx.size - n_pos
        if n_pos == 0 or n_neg == 0:
            continue
        ranks = rankdata(s[idx])            # average ranks: a tie counts one half
        wins += ranks[pos].sum() - n_pos * (n_pos + 1) / 2
        comparisons += n_pos * n_neg
        used += 1
        rows += idx.size
    return ((float(wins / comparisons) if comparisons else math.nan), used, rows,
            int(comparisons))


def auc_loss_by_category(y_true: Tensor | np.ndarray, y_score: Tensor | np.ndarray,
                         category: Tensor | np.ndarray | list) -> dict[tuple, float]:
    r"""Where the AUC is lost: the share of all positive-negative comparisons that are
    misordered, split by the categories of the positive and of the negative.

    With :math:`P_a` the positives of category :math:`a` and :math:`N_b` the negatives of
    category :math:`b`,

    .. math::
        L_{ab} = \frac{\sum_{i \in P_a} \sum_{j \in N_b} \big(\mathbb{1}[s_i < s_j]
        + \tfrac12 \mathbb{1}[s_i = s_j]\big)}{|P|\,|N|},
        \qquad \sum_{a, b} L_{ab} = 1 - \text{AUC},

    e.g. with each pair's miRNA put in a category by its training pairs (seen with
    positives only, with both classes, with negatives only, unseen), :math:`L_{ab}` says
    whether a model loses its AUC on pairs of the same kind of miRNA or by ranking one kind
    above another.

    Args:
        y_true: ``[N]`` 0/1 labels.
        y_score: ``[N]`` scores.
        category: ``[N]`` hashable category of each pair.

    Returns:
        dict: ``{(positive's category, negative's category): share}`` over the category
        pairs that occur (shares of 0 included).
    """
    y, s = _np(y_true), _np(y_score)
    c = np.asarray(category, dtype=object).ravel()
    if not y.size == s.size == c.size:
        raise ValueError(f"auc_loss_by_category: {y.size} labels, {s.size} scores, "
                         f"{c.size} categories")
    if not np.isin(y, (0.0, 1.0)).all() or np.isnan(s).any():
        raise ValueError("auc_loss_by_category: labels must be 0 or 1 and scores not NaN")
    pos, neg = y == 1, y == 0
    total = int(pos.sum()) * int(neg.sum())
    if total == 0:
        raise ValueError("auc_loss_by_category: needs positives and negatives")
    out = {}
    for b in dict.fromkeys(c[neg]):
        nb = np.sort(s[neg & (c == b)])
        for a in dict.fromkeys(c[pos]):
            pa = s[pos & (c == a)]
            lo, hi = np.searchsorted(nb, pa, "left"), np.searchsorted(nb, pa, "right")
            out[(a, b)] = float(((nb.size - hi) + 0.5 * (hi - lo)).sum() / total)
    return out


__all__ = ["binary_metrics", "choose_threshold", "grouped_auc", "auc_loss_by_category",
           "METRICS"]
