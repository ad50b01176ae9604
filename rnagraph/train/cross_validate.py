"""Cross-validate any ``fit(fold)`` / ``score(graph, pairs)`` link predictor over folds."""
from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import textwrap
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.data.leakage import check_no_leakage
from rnagraph.train.metrics import METRICS, binary_metrics, choose_threshold
from rnagraph.train.ranking import fold_ranking_metrics
from rnagraph.typing import EdgeType

_SIMPLE = (int, float, str, bool, type(None))


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
        """``"mean ± std"`` of one metric."""
        return f"{self.mean[metric]:.{digits}f} ± {self.std[metric]:.{digits}f}"

    @property
    def label(self) -> str:
        tag = " [PAPER PROTOCOL: leaky]" if self.protocol == "paper" else ""
        return f"{self.model} · {self.edge_type[0]}-{self.edge_type[2]} · {self.mode}{tag}"

    def table(self, metrics: Sequence[str] = METRICS, digits: int = 4) -> str:
        """A Markdown table: one row per fold, then mean ± std."""
        cols = ["fold", *metrics]
        lines = [f"**{self.label}**", "", "| " + " | ".join(cols) + " |",
                 "|" + "|".join("---" for _ in cols) + "|"]
        for f in self.folds:
            lines.append("| " + " | ".join([str(f["fold"])]
                                            + [f"{f[m]:.{digits}f}" for m in metrics]) + " |")
        lines.append("| mean ± std | " + " | ".join(self.summary(m, digits) for m in metrics)
                     + " |")
        return "\n".join(lines)

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


def model_config(model: object) -> dict:
    """Class name and simple public hyper-parameters of ``model`` (stable across runs)."""
    if hasattr(model, "get_params"):
        params = model.get_params()
    else:
        params = {k: v for k, v in vars(model).items()
                  if not k.startswith("_") and not k.endswith("_")}
    params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()
              if isinstance(v, _SIMPLE) or (isinstance(v, (list, tuple))
                                            and all(isinstance(x, _SIMPLE) for x in v))}
    params.pop("training", None)
    return {"class": f"{type(model).__module__}.{type(model).__qualname__}", "params": params}


def _model_name(model: object) -> str:
    r = repr(model)
    return type(model).__name__ if " at 0x" in r else r


def _digest(*tensors: Tensor) -> str:
    h = hashlib.sha1()
    for t in tensors:
        h.update(np.ascontiguousarray(t.detach().cpu().numpy()).tobytes())
    return h.hexdigest()


def fold_fingerprint(model: object, fold: Fold, threshold: float | str,
                     ranking_ks: Sequence[int] | None) -> dict:
    """What must match for a stored fold result to be reused on resume."""
    return {"model": model_config(model), "edge_type": list(fold.edge_type),
            "fold": fold.index, "mode": fold.mode, "protocol": fold.protocol,
            "threshold": threshold, "ranking_ks": list(ranking_ks) if ranking_ks else None,
            "meta": {k: v for k, v in fold.meta.items() if isinstance(v, _SIMPLE)},
            "train": _digest(fold.train.edge_label_index, fold.train.edge_label),
            "val": _digest(fold.val.edge_label_index, fold.val.edge_label),
            "test": _digest(fold.test.edge_label_index, fold.test.edge_label)}


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _json_default(x: object) -> object:
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x)}")


def _dump(obj: object) -> str:
    def clean(v: object) -> object:  # NaN is not JSON: store null
        if isinstance(v, float) and math.isnan(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v
    return json.dumps(clean(obj), indent=1, default=_json_default)


def _load_fold(path: Path) -> dict:
    rec = json.loads(path.read_text())
    rec["metrics"] = {k: (math.nan if v is None else v) for k, v in rec["metrics"].items()}
    return rec


def _check_scores(scores: Tensor, n: int, name: str) -> np.ndarray:
    s = torch.as_tensor(scores).detach().cpu().double().reshape(-1).numpy()
    if s.size != n:
        raise ValueError(f"cross_validate: {name}.score returned {s.size} scores for {n} pairs")
    if np.isnan(s).any():
        raise ValueError(f"cross_validate: {name}.score returned NaN")
    if (s < -1e-6).any() or (s > 1 + 1e-6).any():
        raise ValueError(f"cross_validate: {name}.score must return probabilities in [0, 1] "
                         f"(got range [{s.min():.3g}, {s.max():.3g}]); calibrate unbounded "
                         "scores (see docs/protocol.md)")
    return s


def cross_validate(model: object, data: HeteroData, edge_type: EdgeType, folds: Sequence[Fold],
                   out_dir: str | Path | None = None, threshold: float | str = 0.5,
                   resume: bool = True, progress: bool = True, curves: bool = True,
                   ranking_ks: Sequence[int] | None = None, n_jobs: int = 1) -> CVResult:
    r"""Fit and evaluate ``model`` on every fold; return per-fold metrics and mean ± std.

    For each fold: :func:`~rnagraph.data.check_no_leakage` (raises on a leaky leakage-free fold,
    warns on a ``protocol="paper"`` fold); a fresh :func:`copy.deepcopy` of the **unfitted**
    ``model`` (folds never share state; ``model`` itself is never fitted);
    ``fit(fold)``; ``score(fold.train_graph, fold.test.edge_label_index)``; the threshold
    (``0.5``, a number, or chosen on ``fold.val`` with ``"val"`` / ``"val-f1"`` /
    ``"val-mcc"``, never on test); :func:`~rnagraph.train.metrics.binary_metrics`.

    With ``out_dir`` the run is persistent: each finished fold is saved as ``fold_<i>.json``
    (metrics, predictions and a fingerprint of model, fold pairs and options); a rerun with
    ``resume=True`` reuses finished folds whose fingerprint matches and refuses (``ValueError``)
    a directory holding a different run. At the end ``metrics.json``, ``predictions.csv``
    (``fold, src_id, dst_id, score, label, protocol``), ``roc.png`` and ``pr.png`` are written.
    Every file is written atomically (temporary file, then :func:`os.replace`).

    With ``n_jobs > 1`` folds are fitted in that many worker processes (``spawn``), each with
    ``torch.get_num_threads() // n_jobs`` torch threads (at least one): on a small machine
    whole folds in parallel use the cores better than one fold with several threads. The model
    and folds must be picklable; results equal a sequential run's.

    Args:
        model: an object with ``fit(fold) -> model`` and ``score(graph, edge_label_index)``.
        data (HeteroData): the full graph (used for node ids in ``predictions.csv``).
        edge_type (EdgeType): the predicted interaction type; every fold must match.
        folds (Sequence[Fold]): from :func:`~rnagraph.data.kfold_link_split`.
        out_dir (str | Path, optional): results directory.
        threshold (float | str): decision threshold or how to choose it on validation pairs.
        resume (bool): reuse matching finished folds in ``out_dir``; with ``False`` an
            ``out_dir`` that already holds results is an error (nothing is overwritten).
        progress (bool): show a progress bar. (default: ``True``)
        curves (bool): write ROC / PR curve PNGs. (default: ``True``)
        ranking_ks (Sequence[int], optional): also compute all-candidate ranking metrics
            (:func:`~rnagraph.train.ranking.fold_ranking_metrics`) at these cut-offs.
        n_jobs (int): worker processes, one fold each. (default: ``1``, in this process)
    """
    if not folds:
        raise ValueError("cross_validate: no folds")
    if isinstance(threshold, str) and threshold not in ("val", "val-f1", "val-mcc"):
        raise ValueError(f"cross_validate: threshold must be a number or 'val', 'val-f1', "
                         f"'val-mcc', got {threshold!r}")
    for f in folds:
        if tuple(f.edge_type) != tuple(edge_type):
            raise ValueError(f"cross_validate: fold {f.index} predicts {f.edge_type}, "
                             f"not {edge_type}")
    protocols = {f.protocol for f in folds}
    modes = {f.mode for f in folds}
    if len(protocols) > 1 or len(modes) > 1:
        raise ValueError(f"cross_validate: folds mix protocols {protocols} / modes {modes}")
    name = _model_name(model)
    result = CVResult(model=name, edge_type=tuple(edge_type), protocol=folds[0].protocol,
                      mode=folds[0].mode)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        existing = sorted(out.glob("fold_*.json")) + [p for p in (out / "metrics.json",)
                                                      if p.exists()]
        if existing and not resume:
            raise FileExistsError(f"cross_validate: {out} already holds results "
                                  f"({existing[0].name}); choose another out_dir or "
                                  "resume=True")
    if n_jobs < 1:
        raise ValueError(f"cross_validate: n_jobs must be >= 1, got {n_jobs}")
    records: dict[int, dict] = {}
    todo: list[tuple[Fold, dict, Path | None]] = []
    for fold in folds:
        fp = fold_fingerprint(model, fold, threshold, ranking_ks)
        path = out / f"fold_{fold.index}.json" if out is not None else None
        if path is not None and path.exists():
            rec = _load_fold(path)
            if rec["fingerprint"] != fp:
                raise ValueError(f"cross_validate: {path} holds a different run (model, "
                                 "folds or options differ); use another out_dir")
            records[fold.index] = rec
        else:
            todo.append((fold, fp, path))
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(folds), initial=len(records), desc=f"CV {type(model).__name__}",
                   unit="fold")

    def done(fold: Fold, rec: dict, path: Path | None) -> None:
        if path is not None:
            _atomic_write(path, _dump(rec))
        records[fold.index] = rec
        result.fitted.append(fold.index)
        if bar is not None:
            bar.set_postfix(auc=f"{rec['metrics']['auc']:.4f}")
            bar.update(1)

    try:
        if n_jobs == 1 or len(todo) <= 1:
            for fold, fp, path in todo:
                done(fold, _run_fold(model, data, fold, threshold, ranking_ks, fp), path)
        else:
            _run_parallel(model, data, todo, threshold, ranking_ks, n_jobs, done)
    finally:
        if bar is not None:
            bar.close()
    records = [records[f.index] for f in folds]
    result.folds = [r["metrics"] for r in records]
    result.fit_info = [r.get("fit_info", {}) for r in records]
    result.out_dir = out
    if out is not None:
        _write_outputs(out, result, records, data, edge_type, curves)
    return result


def _run_fold(model: object, data: HeteroData, fold: Fold, threshold: float | str,
              ranking_ks: Sequence[int] | None, fp: dict) -> dict:
    check_no_leakage(fold)
    m = copy.deepcopy(model)
    name = type(model).__name__
    t0 = time.perf_counter()
    fitted = m.fit(fold)
    m = fitted if fitted is not None else m
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    test = fold.test
    s = _check_scores(m.score(fold.train_graph, test.edge_label_index), len(test), name)
    score_s = time.perf_counter() - t0
    if isinstance(threshold, str):
        if len(fold.val) == 0:
            raise ValueError("cross_validate: threshold='val' needs validation pairs "
                             "(val_ratio > 0)")
        vs = _check_scores(m.score(fold.train_graph, fold.val.edge_label_index),
                           len(fold.val), name)
        thr = choose_threshold(fold.val.edge_label, vs,
                               "mcc" if threshold == "val-mcc" else "f1")
    else:
        thr = float(threshold)
    y = test.edge_label.numpy()
    metrics = {"fold": fold.index, **binary_metrics(y, s, thr), "threshold": thr,
               "fit_s": fit_s, "score_s": score_s, "n_test": int(y.size),
               "n_test_pos": int(y.sum())}
    if ranking_ks:
        metrics.update(fold_ranking_metrics(m, fold, ks=ranking_ks))
        metrics.pop("num_queries", None)
    ei = test.edge_label_index
    info = dict(getattr(m, "fit_info_", None) or {})
    info["peak_rss_mib"] = peak_rss_mib()
    return {"fingerprint": fp, "metrics": metrics, "fit_info": info, "src": ei[0].tolist(),
            "dst": ei[1].tolist(), "score": s.tolist(), "label": y.tolist()}


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux ``ru_maxrss`` is in KiB, macOS
    in bytes); the benchmarks report it too."""
    import resource
    import sys
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


def _init_worker(threads: int) -> None:
    torch.set_num_threads(threads)


def _run_fold_recording(*args) -> tuple[dict, list[tuple[str, type[Warning]]]]:
    """:func:`_run_fold` in a worker, with its warnings recorded instead of printed.

    A spawned worker does not inherit the caller's warning filters, so it would print
    warnings the caller silenced (or print each once per worker). The parent re-issues the
    recorded ones under its own filters instead, as a sequential run would.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = _run_fold(*args)
    seen: dict[tuple[str, type[Warning]], None] = {}
    for w in caught:
        cat = w.category
        # a class from the worker's __main__ cannot be unpickled in the parent
        if cat.__module__ in ("__main__", "__mp_main__"):
            cat = UserWarning
        seen.setdefault((str(w.message), cat))
    return rec, list(seen)


def _run_parallel(model: object, data: HeteroData, todo: list, threshold: float | str,
                  ranking_ks: Sequence[int] | None, n_jobs: int, done) -> None:
    """Fit the folds of ``todo`` in ``n_jobs`` spawned processes; ``done`` saves each result
    as it arrives (so an interrupted run keeps every finished fold)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    threads = max(1, torch.get_num_threads() // n_jobs)
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(todo)),
                             mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(threads,)) as pool:
        futures = {pool.submit(_run_fold_recording, model, data, fold, threshold, ranking_ks,
                               fp): (fold, path) for fold, fp, path in todo}
        try:
            for fut in as_completed(futures):
                fold, path = futures[fut]
                rec, caught = fut.result()
                for message, category in caught:
                    warnings.warn(message, category, stacklevel=2)
                done(fold, rec, path)
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def _write_outputs(out: Path, result: CVResult, records: list[dict], data: HeteroData,
                   edge_type: EdgeType, curves: bool) -> None:
    import csv
    import io
    src_ids = getattr(data[edge_type[0]], "ids", None)
    dst_ids = getattr(data[edge_type[2]], "ids", None)
    _atomic_write(out / "metrics.json", _dump({
        **result.to_dict(), "protocol_note": (
            "paper protocol: train_graph = full graph, test edges visible (leaky)"
            if result.protocol == "paper" else "leakage-free: graph features from train folds")}))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["fold", "src_id", "dst_id", "score", "label", "protocol"])
    for r in records:
        fi = r["metrics"]["fold"]
        for a, b, sc, lb in zip(r["src"], r["dst"], r["score"], r["label"]):
            w.writerow([fi, src_ids[a] if src_ids is not None else a,
                        dst_ids[b] if dst_ids is not None else b, f"{sc:.6g}", int(lb),
                        result.protocol])
    _atomic_write(out / "predictions.csv", buf.getvalue())
    if curves:
        _plot_curves(out, result, records)


def _plot_curves(out: Path, result: CVResult, records: list[dict]) -> None:
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
        tmp = out / f".{kind}.{os.getpid()}.tmp"
        fig.savefig(tmp, format="png", dpi=100)
        os.replace(tmp, out / f"{kind}.png")


__all__ = ["cross_validate", "CVResult", "model_config", "fold_fingerprint", "peak_rss_mib"]
