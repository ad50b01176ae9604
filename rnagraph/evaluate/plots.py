"""ROC and precision-recall curves of a cross-validation run (PNG, written atomically)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from rnagraph.evaluate.results import CVResult
from rnagraph.io.atomic import atomic_path

#: curve label -> (labels, scores)
Curves = dict[str, tuple[np.ndarray, np.ndarray]]


def _plot(path: Path, kind: str, curves: Curves, title: str, suptitle: str = "",
          lw: float = 1.0) -> None:
    """One ROC (``kind="roc"``) or precision-recall (``"pr"``) figure with a curve per entry of
    ``curves`` (entries with one class only are left out), written to ``path`` atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.metrics import precision_recall_curve, roc_curve
    fig = Figure(figsize=(5, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for label, (y, s) in curves.items():
        y, s = np.asarray(y), np.asarray(s)
        if y.size == 0 or y.min() == y.max():
            continue
        if kind == "roc":
            x, yy, _ = roc_curve(y, s)
            ax.plot(x, yy, lw=lw, label=label)
        else:
            p, rc, _ = precision_recall_curve(y, s)
            ax.plot(rc, p, lw=lw, label=label)
    if kind == "roc":
        ax.plot([0, 1], [0, 1], "k--", lw=0.8)
        ax.set(xlabel="false positive rate", ylabel="true positive rate", title=title)
    else:
        ax.set(xlabel="recall", ylabel="precision", title=title)
    ax.legend(loc="lower right" if kind == "roc" else "lower left", fontsize=7)
    if suptitle:
        # long model reprs: wrap to the figure width instead of running off both edges
        fig.suptitle(textwrap.fill(suptitle, width=80), fontsize=7)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)


def plot_curves(out: Path, result: CVResult, records: list[dict]) -> None:
    """``roc.png`` and ``pr.png`` of a cross-validation run: one curve per fold."""
    for kind, metric, short in (("roc", "auc", "AUC"), ("pr", "aupr", "AP")):
        curves = {f"fold {r['metrics']['fold']} ({short} {r['metrics'][metric]:.3f})":
                  (r["label"], r["score"]) for r in records}
        title = (f"ROC · AUC {result.summary('auc', 3)}" if kind == "roc"
                 else f"PR · AUPR {result.summary('aupr', 3)}")
        _plot(out / f"{kind}.png", kind, curves, title, suptitle=result.label)


def plot_models(out: Path, curves: Curves, *, title: str = "",
                prefix: str = "report_") -> list[Path]:
    """ROC and PR curves of several models on one plot each (``<prefix>roc.png``,
    ``<prefix>pr.png``); ``curves`` maps a model name to ``(labels, scores)`` (pooled over
    folds). Returns the two paths."""
    from sklearn.metrics import auc, precision_recall_curve, roc_auc_score
    labelled = {}
    for name, (y, s) in curves.items():
        y, s = np.asarray(y), np.asarray(s)
        ok = y.size > 0 and y.min() != y.max()
        labelled[name] = (y, s, roc_auc_score(y, s) if ok else float("nan"),
                          auc(*precision_recall_curve(y, s)[1::-1]) if ok else float("nan"))
    paths = []
    for kind, plot_title in (("roc", "ROC"), ("pr", "precision-recall")):
        named = {f"{n} ({'AUC' if kind == 'roc' else 'AUPR'} "
                 f"{(a if kind == 'roc' else ap):.3f})": (y, s)
                 for n, (y, s, a, ap) in labelled.items()}
        path = out / f"{prefix}{kind}.png"
        _plot(path, kind, named, plot_title, suptitle=title, lw=1.2)
        paths.append(path)
    return paths


__all__ = ["plot_curves", "plot_models"]
