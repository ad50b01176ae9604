r"""Results of a cross-validation run: per-fold metrics, mean ± std, Markdown tables.

:func:`format_mean_std`, :func:`format_mean_ci` and :func:`markdown_table` are the formatters
and the one table builder of the project: results tables here, and every table that
``benchmarks/`` and ``benchmarks/report.py`` write into the docs.

**The two spreads are written differently everywhere**, so a reader never mistakes one for the
other: a standard deviation over folds is ``0.950 ± 0.004`` (:data:`STD`, the population std,
:math:`\frac{1}{n}`, as :attr:`CVResult.std`); a 95 % confidence interval of the mean over
splits or seeds is ``0.950 (95% CI ± 0.006)`` (:data:`CI95`, Student's t on the sample std).
:func:`spread_note` is the line under a table that says which one its cells hold.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from rnagraph.train.metrics import METRICS
from rnagraph.typing import EdgeType


def format_mean_std(values: Sequence[float], digits: int = 4) -> str:
    r"""``"mean ± std"`` of ``values`` over folds, NaNs ignored, with ``digits`` decimals.

    The standard deviation is the population one (``numpy.nanstd``, :math:`\frac{1}{n}`), as
    in every table of the project: ``format_mean_std([0.8, 0.9], 3) == "0.850 ± 0.050"``.
    """
    a = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    if a.size == 0 or np.isnan(a).all():
        return "n/a"
    return format_spread(float(np.nanmean(a)), float(np.nanstd(a)), STD, digits)


#: the statistic behind ``±``: population std over folds, or the 95 % CI half-width of the mean
STD, CI95 = "std", "ci95"


def format_spread(mean: float | str, spread: float | str, stat: str = STD,
                  digits: int | None = None) -> str:
    """One cell: ``"0.950 ± 0.004"`` for a std, ``"0.950 (95% CI ± 0.006)"`` for a 95 % CI.

    ``mean`` and ``spread`` are numbers (printed with ``digits`` decimals, default 4) or
    strings already printed (kept as they are, e.g. figures migrated from older docs).

    Raises:
        ValueError: ``stat`` is neither :data:`STD` nor :data:`CI95`.
    """
    if stat not in (STD, CI95):
        raise ValueError(f"format_spread: unknown statistic {stat!r} (use 'std' or 'ci95')")
    d = 4 if digits is None else digits
    m, h = ((x if isinstance(x, str) else f"{x:.{d}f}") for x in (mean, spread))
    return f"{m} ± {h}" if stat == STD else f"{m} (95% CI ± {h})"


def format_mean_ci(values: Sequence[float], digits: int = 4, level: float = 0.95) -> str:
    r"""``"mean (95% CI ± h)"`` of ``values`` (splits or seeds), NaNs ignored, where
    :math:`h = t_{(1+\text{level})/2,\,n-1}\, s / \sqrt{n}` is the half-width of the
    Student-t interval of the mean (``s`` the sample std, :math:`\frac{1}{n-1}`); one value is
    printed alone: ``format_mean_ci([0.8, 0.9], 3) == "0.850 (95% CI ± 0.635)"``."""
    from scipy.stats import t
    a = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    a = a[~np.isnan(a)]
    if a.size == 0:
        return "n/a"
    if a.size < 2:
        return f"{a.mean():.{digits}f}"
    h = t.ppf(0.5 + level / 2, a.size - 1) * a.std(ddof=1) / np.sqrt(a.size)
    text = format_spread(float(a.mean()), float(h), CI95, digits)
    return text if level == 0.95 else text.replace("95%", f"{100 * level:g}%")


def spread_note(stat: str, n: int | str, over: str = "folds") -> str:
    """The line under a table naming its spread: ``"mean ± std: population standard deviation
    over 5 folds."`` or ``"mean (95% CI ± h): 95 % confidence interval of the mean over 5
    splits (Student's t)."``"""
    count = f"{n} " if n != "" else ""      # rows over different counts: their own column
    if stat == STD:
        return f"mean ± std: population standard deviation over {count}{over}."
    if stat == CI95:
        return (f"mean (95% CI ± h): 95 % confidence interval of the mean over {count}{over} "
                "(Student's t).")
    raise ValueError(f"spread_note: unknown statistic {stat!r} (use 'std' or 'ci95')")


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table: a header of ``columns``, then one line per row (cells with ``str``).

    Raises:
        ValueError: a row has more or fewer cells than there are columns.
    """
    for i, r in enumerate(rows):
        if len(r) != len(columns):
            raise ValueError(f"markdown_table: row {i} has {len(r)} cells for "
                             f"{len(columns)} columns")
    lines = ["| " + " | ".join(map(str, columns)) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(map(str, r)) + " |" for r in rows]
    return "\n".join(lines)


@dataclass
class CVResult:
    """Per-fold metrics of a cross-validation run and their mean ± std over folds.

    Attributes:
        model (str): the model's name and hyper-parameters.
        edge_type (EdgeType): the predicted interaction type.
        protocol (str): ``"leakage-free"`` or ``"paper"`` (the papers' leaky protocol).
        mode (str): split mode.
        folds (list[dict]): one dict per fold: the metrics of
            :func:`~rnagraph.train.metrics.binary_metrics` plus ``threshold``, ``fit_s``,
            ``score_s``, ``n_test``, and ranking metrics when requested.
        out_dir (Path | None): where the files were written.
        fit_info (list[dict]): per fold, what the fitted model reports about its fit (its
            ``fit_info_`` attribute when it has one: epochs, seconds per epoch, views, ...)
            plus the peak RSS of the process that ran the fold (``peak_rss_mib``).
        fitted (list[int]): indices of the folds fitted by this call (the others were
            resumed from ``out_dir``).
    """

    model: str
    edge_type: EdgeType
    protocol: str
    mode: str
    folds: list[dict] = field(default_factory=list)
    out_dir: Path | None = None
    fit_info: list[dict] = field(default_factory=list)
    fitted: list[int] = field(default_factory=list)

    @property
    def metric_names(self) -> list[str]:
        keys = [k for k in self.folds[0] if isinstance(self.folds[0][k], (int, float))]
        return [k for k in keys if k not in ("fold", "n_test", "n_test_pos")]

    @property
    def mean(self) -> dict[str, float]:
        return {k: float(np.nanmean([f[k] for f in self.folds])) for k in self.metric_names}

    @property
    def std(self) -> dict[str, float]:
        """Population standard deviation over folds (``numpy.std``)."""
        return {k: float(np.nanstd([f[k] for f in self.folds])) for k in self.metric_names}

    def summary(self, metric: str, digits: int = 4) -> str:
        """``"mean ± std"`` of one metric over folds (:func:`format_mean_std`)."""
        return format_mean_std([f[metric] for f in self.folds], digits)

    @property
    def label(self) -> str:
        tag = " [PAPER PROTOCOL: leaky]" if self.protocol == "paper" else ""
        return f"{self.model} · {self.edge_type[0]}-{self.edge_type[2]} · {self.mode}{tag}"

    def table(self, metrics: Sequence[str] = METRICS, digits: int = 4) -> str:
        """A Markdown table: one row per fold, then mean ± std."""
        rows = [[f["fold"], *(f"{f[m]:.{digits}f}" for m in metrics)] for f in self.folds]
        rows.append(["mean ± std", *(self.summary(m, digits) for m in metrics)])
        return f"**{self.label}**\n\n" + markdown_table(["fold", *metrics], rows)

    def to_dict(self) -> dict:
        return {"model": self.model, "edge_type": list(self.edge_type),
                "protocol": self.protocol, "mode": self.mode, "folds": self.folds,
                "mean": self.mean, "std": self.std}

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        auc = self.summary("auc") if self.folds else "n/a"
        return (f"CVResult(model={self.model!r}, protocol={self.protocol!r}, mode={self.mode!r}, "
                f"folds={len(self.folds)}, auc={auc})")


def results_table(results: Mapping[str, CVResult], metrics: Sequence[str] = METRICS,
                  digits: int = 3) -> str:
    """A Markdown table: one row per model, ``mean ± std`` over folds for each metric, and the
    protocol and split mode in the caption line (so a leaky table is never mistaken)."""
    if not results:
        raise ValueError("results_table: no results")
    first = next(iter(results.values()))
    protocols = {r.protocol for r in results.values()}
    tag = ("PAPER PROTOCOL (leaky: graph features see test edges)" if protocols == {"paper"}
           else "leakage-free" if protocols == {"leakage-free"} else "MIXED protocols")
    n = len(first.folds)
    head = (f"{first.edge_type[0]}–{first.edge_type[2]} · {first.mode} · {tag} · "
            f"{n} folds · mean ± std")
    rows = [[name, *(r.summary(m, digits) for m in metrics)] for name, r in results.items()]
    return f"{head}\n\n" + markdown_table(["model", *metrics], rows)


__all__ = ["CVResult", "results_table", "format_mean_std", "format_mean_ci", "format_spread",
           "spread_note", "markdown_table", "STD", "CI95"]
