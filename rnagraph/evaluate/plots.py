"""ROC and precision-recall curves of a cross-validation run (PNG, written atomically)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from rnagraph.evaluate.results import CVResult
from rnagraph.io.atomic import atomic_path


def plot_curves(out: Path, result: CVResult, records: list[dict]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.metrics import precision_recall_curve, roc_curve
    for kind in ("roc", "pr"):
        fig = Figure(figsize=(5, 5))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for r in records:
            y, s = np.asarray(r["label"]), np.asarray(r["score"])
            if y.min() == y.max():
                continue
            fi = r["metrics"]["fold"]
            if kind == "roc":
                x, yy, _ = roc_curve(y, s)
                ax.plot(x, yy, lw=1, label=f"fold {fi} (AUC {r['metrics']['auc']:.3f})")
            else:
                p, rc, _ = precision_recall_curve(y, s)
                ax.plot(rc, p, lw=1, label=f"fold {fi} (AP {r['metrics']['aupr']:.3f})")
        if kind == "roc":
            ax.plot([0, 1], [0, 1], "k--", lw=0.8)
            ax.set(xlabel="false positive rate", ylabel="true positive rate",
                   title=f"ROC · AUC {result.summary('auc', 3)}")
        else:
            ax.set(xlabel="recall", ylabel="precision",
                   title=f"PR · AUPR {result.summary('aupr', 3)}")
        ax.legend(loc="lower right" if kind == "roc" else "lower left", fontsize=7)
        # long model reprs: wrap to the figure width instead of running off both edges
        fig.suptitle(textwrap.fill(result.label, width=80), fontsize=7)
        fig.tight_layout()
        with atomic_path(out / f"{kind}.png") as tmp:
            fig.savefig(tmp, format="png", dpi=100)


def plot_models(out: Path, curves: dict[str, tuple[np.ndarray, np.ndarray]], *,
                title: str = "", prefix: str = "report_") -> list[Path]:
    """ROC and PR curves of several models on one plot each (``<prefix>roc.png``,
    ``<prefix>pr.png``); ``curves`` maps a model name to ``(labels, scores)`` (pooled over
    folds). Returns the two paths."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.metrics import auc, precision_recall_curve, roc_curve
    paths = []
    for kind in ("roc", "pr"):
        fig = Figure(figsize=(5, 5))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for name, (y, s) in curves.items():
            y, s = np.asarray(y), np.asarray(s)
            if y.size == 0 or y.min() == y.max():
                continue
            if kind == "roc":
                x, yy, _ = roc_curve(y, s)
                ax.plot(x, yy, lw=1.2, label=f"{name} (AUC {auc(x, yy):.3f})")
            else:
                p, rc, _ = precision_recall_curve(y, s)
                ax.plot(rc, p, lw=1.2, label=f"{name} (AUPR {auc(rc, p):.3f})")
        if kind == "roc":
            ax.plot([0, 1], [0, 1], "k--", lw=0.8)
            ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
        else:
            ax.set(xlabel="recall", ylabel="precision", title="precision-recall")
        ax.legend(loc="lower right" if kind == "roc" else "lower left", fontsize=7)
        if title:
            fig.suptitle(textwrap.fill(title, width=80), fontsize=7)
        fig.tight_layout()
        path = out / f"{prefix}{kind}.png"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=100)
        paths.append(path)
    return paths


__all__ = ["plot_curves", "plot_models"]
