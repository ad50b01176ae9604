"""Cross-validate any link predictor that follows the model contract over folds."""
from __future__ import annotations

import copy
import dataclasses
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import EXTRA_TESTS, Fold, LinkSet
from rnagraph.data.leakage import check_no_leakage
from rnagraph.evaluate.engine import Engine, make_engine
from rnagraph.evaluate.parallel import peak_rss_mib
from rnagraph.evaluate.plots import plot_curves
from rnagraph.evaluate.ranking import fold_link_ranking, fold_ranking_metrics
from rnagraph.evaluate.results import CVResult
from rnagraph.evaluate.store import (
    fingerprint_mismatch,
    fingerprints_match,
    fold_fingerprint,
    load_fold_record,
    write_json,
)
from rnagraph.io.atomic import atomic_write
from rnagraph.train.metrics import binary_metrics, choose_threshold
from rnagraph.train.trainer import epoch_progress
from rnagraph.typing import EdgeType


def _model_name(model: object) -> str:
    r = repr(model)
    return type(model).__name__ if " at 0x" in r else r


def _check_scores(scores: Tensor, n: int, name: str, model: object = None,
                  graph: HeteroData | None = None, pairs: Tensor | None = None) -> np.ndarray:
    s = torch.as_tensor(scores).detach().cpu().double().reshape(-1).numpy()
    if s.size != n:
        raise ValueError(f"cross_validate: {name}.score returned {s.size} scores for {n} pairs")
    if np.isnan(s).any():
        why = ""
        status = getattr(model, "scoring_status", None)
        if status is not None and pairs is not None:   # the contract says why, per pair
            bad = [r for r in status(graph, pairs) if r.startswith("not scored")]
            if bad:
                why = (f" for {int(np.isnan(s).sum())} of {n} pairs, e.g. {bad[0]!r} (a model "
                       "that cannot score new RNAs cannot be evaluated inductively)")
        raise ValueError(f"cross_validate: {name}.score returned NaN{why}")
    if (s < -1e-6).any() or (s > 1 + 1e-6).any():
        raise ValueError(f"cross_validate: {name}.score must return probabilities in [0, 1] "
                         f"(got range [{s.min():.3g}, {s.max():.3g}]); calibrate unbounded "
                         "scores (see docs/protocol.md)")
    return s


def cross_validate(model: object, data: HeteroData, edge_type: EdgeType, folds: Sequence[Fold],
                   out_dir: str | Path | None = None, threshold: float | str = 0.5,
                   resume: bool = True, progress: bool = True, curves: bool = True,
                   ranking_ks: Sequence[int] | None = None, n_jobs: int = 1,
                   engine: str | Engine = "local", address: str | None = None) -> CVResult:
    r"""Fit and evaluate ``model`` on every fold; return per-fold metrics and mean ± std.

    For each fold: :func:`~rnagraph.data.check_no_leakage` against ``data`` (raises on a leaky
    leakage-free fold or a known positive labelled 0, warns on a ``protocol="paper"`` fold); a
    fresh :func:`copy.deepcopy` of the **unfitted** ``model`` (folds never share state;
    ``model`` itself is never fitted);
    ``fit(fold)``; ``score(fold.graph_for("test"), fold.test.edge_label_index)`` (the fold's
    ``score_graph``, i.e. ``train_graph`` unless the fold is inductive, where it adds the
    held-out RNAs as new nodes; validation pairs are scored on ``fold.graph_for("val")``); the
    threshold
    (``0.5``, a number, or chosen on ``fold.val`` with ``"val"`` / ``"val-f1"`` /
    ``"val-mcc"``, never on test); :func:`~rnagraph.train.metrics.binary_metrics`. Extra labelled
    pair sets in ``fold.meta["extra_tests"]`` (``{name: LinkSet}``, e.g. independent test files
    with what overlaps the fold's training pairs removed) are scored the same way after the fit
    (metrics ``"<name>/auc"``, ..., ``"<name>/n"``; their pairs and scores in the fold record
    under ``"extra_tests"``); ``fit`` sees neither them nor the test set.

    With ``out_dir`` the run is persistent: each finished fold is saved as ``fold_<i>.json``
    (metrics, predictions and a fingerprint: :func:`~rnagraph.evaluate.store.fold_fingerprint`
    of the model's class and hyper-parameters, nested dicts included, the library version, the
    fold's pairs and the options); a rerun with ``resume=True`` reuses finished folds whose
    fingerprint matches and refuses (``ValueError`` saying what differs) a directory holding a
    different run, e.g. one stored by another library version. At the end ``metrics.json``,
    ``predictions.csv`` (``fold, src_id, dst_id, score, label, protocol``; stored pairs use
    the node indices of ``data``, also for inductive folds), ``roc.png`` and
    ``pr.png`` are written.
    Every file is written atomically (temporary file, then :func:`os.replace`).

    With ``n_jobs > 1`` folds are fitted in that many worker processes (``spawn``), each with
    ``torch.get_num_threads() // n_jobs`` torch threads (at least one): on a small machine
    whole folds in parallel use the cores better than one fold with several threads. The model
    and folds must be picklable; results equal a sequential run's. ``engine="ray"`` runs the
    folds as Ray tasks instead (``pip install "rnagraph[ray]"``; see ``docs/cluster.md``).

    Args:
        model: an object with ``fit(fold) -> model`` and ``score(graph, edge_label_index)``.
        data (HeteroData): the full graph the folds were split from (its known positives are
            checked against every fold's negatives; node ids for ``predictions.csv``).
        edge_type (EdgeType): the predicted interaction type; every fold must match.
        folds (Sequence[Fold]): from :func:`~rnagraph.data.kfold_link_split`.
        out_dir (str | Path, optional): results directory.
        threshold (float | str): decision threshold or how to choose it on validation pairs.
        resume (bool): reuse matching finished folds in ``out_dir``; with ``False`` an
            ``out_dir`` that already holds results is an error (nothing is overwritten).
        progress (bool): show a progress bar of folds, and under it (on a terminal) the
            per-epoch bar of each fit (:func:`~rnagraph.train.trainer.epoch_progress`);
            ``False`` hides both. (default: ``True``)
        curves (bool): write ROC / PR curve PNGs. (default: ``True``)
        ranking_ks (Sequence[int], optional): also compute all-candidate ranking metrics at
            these cut-offs: per query source RNA
            (:func:`~rnagraph.evaluate.ranking.fold_ranking_metrics`: ``precision@k``,
            ``recall@k``, ``hits@k``, ``mrr``) and the per-positive and global panel
            (:func:`~rnagraph.evaluate.ranking.fold_link_ranking`: ``mrr_src``,
            ``hits@k_src``, ``mrr_dst``, ``hits@k_dst``, ``global_precision@k``,
            ``global_aupr``, ``global_auc``).
        n_jobs (int): worker processes, one fold each (with ``engine="ray"`` and no
            ``address``: the CPUs of the local Ray runtime). (default: ``1``, in this process)
        engine (str | Engine): ``"local"`` (this process or the pool of ``n_jobs``),
            ``"ray"`` (each fold a Ray task: :class:`~rnagraph.evaluate.engine.RayEngine`,
            a worker that dies is retried, finished folds are saved here as they arrive) or an
            engine object such as ``RayEngine(address="auto", threads_per_task=4)``. Every
            engine runs the same per-fold function: results are equal. (default: ``"local"``)
        address (str, optional): with ``engine="ray"``, the Ray cluster to run on
            (``ray start --head`` prints it; ``"auto"`` finds a local one); else a local Ray
            runtime of ``n_jobs`` CPUs is started for the call and shut down after it.
    """
    if n_jobs < 1:
        raise ValueError(f"cross_validate: n_jobs must be >= 1, got {n_jobs}")
    eng = make_engine(engine, n_jobs, address)
    plan = _plan(model, data, edge_type, folds, out_dir, threshold, resume, ranking_ks)
    run_plans([plan], data, threshold, ranking_ks, eng, progress,
              f"CV {type(model).__name__}")
    return _finish(plan, data, edge_type, folds, curves)


@dataclasses.dataclass
class _Plan:
    """One model's run: its finished fold records and the folds still to fit."""

    model: object
    result: CVResult
    out: Path | None
    records: dict[int, dict]
    todo: list[tuple[Fold, dict, Path | None]]


def _plan(model: object, data: HeteroData, edge_type: EdgeType, folds: Sequence[Fold],
          out_dir: str | Path | None, threshold: float | str, resume: bool,
          ranking_ks: Sequence[int] | None) -> _Plan:
    """Check the inputs, reuse the finished folds of ``out_dir``, list the folds to fit."""
    if not folds:
        raise ValueError("cross_validate: no folds")
    if isinstance(threshold, str) and threshold not in ("val", "val-f1", "val-mcc"):
        raise ValueError(f"cross_validate: threshold must be a number or 'val', 'val-f1', "
                         f"'val-mcc', got {threshold!r}")
    if not isinstance(threshold, str) and not 0.0 <= float(threshold) <= 1.0:  # NaN too
        raise ValueError(f"cross_validate: threshold must be a probability in [0, 1] (or "
                         f"'val'), got {threshold!r}")
    for f in folds:
        _check_graph_matches(data, f)
        if tuple(f.edge_type) != tuple(edge_type):
            raise ValueError(f"cross_validate: fold {f.index} predicts {f.edge_type}, "
                             f"not {edge_type}")
    protocols = {f.protocol for f in folds}
    modes = {_mode_label(f) for f in folds}
    if len(protocols) > 1 or len(modes) > 1:
        raise ValueError(f"cross_validate: folds mix protocols {protocols} / modes {modes}")
    name = _model_name(model)
    result = CVResult(model=name, edge_type=tuple(edge_type), protocol=folds[0].protocol,
                      mode=_mode_label(folds[0]))
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        existing = sorted(out.glob("fold_*.json")) + [p for p in (out / "metrics.json",)
                                                      if p.exists()]
        if existing and not resume:
            raise FileExistsError(f"cross_validate: {out} already holds results "
                                  f"({existing[0].name}); choose another out_dir or "
                                  "resume=True")
    records: dict[int, dict] = {}
    todo: list[tuple[Fold, dict, Path | None]] = []
    for fold in folds:
        fp = fold_fingerprint(model, fold, threshold, ranking_ks)
        path = out / f"fold_{fold.index}.json" if out is not None else None
        if path is not None and path.exists():
            rec = load_fold_record(path)
            if not fingerprints_match(rec["fingerprint"], fp, model):
                raise ValueError(f"cross_validate: {path} holds a different run "
                                 f"({fingerprint_mismatch(rec['fingerprint'], fp)}); nothing "
                                 "was overwritten: use another out_dir, or remove that "
                                 "directory to rerun")
            records[fold.index] = rec
        else:
            todo.append((fold, fp, path))
    return _Plan(model, result, out, records, todo)


def run_plans(plans: list[_Plan], data: HeteroData, threshold: float | str,
              ranking_ks: Sequence[int] | None, engine: Engine, progress: bool,
              desc: str) -> None:
    """Fit the folds still to fit of every plan (models x folds) as one batch of ``engine``
    tasks, each :func:`_run_fold`; each finished fold is saved here as it arrives."""
    jobs = [(p, fold, fp, path) for p in plans for fold, fp, path in p.todo]
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=sum(len(p.records) + len(p.todo) for p in plans),
                   initial=sum(len(p.records) for p in plans), desc=desc, unit="fold")

    def done(i: int, rec: dict) -> None:
        plan, fold, _, path = jobs[i]
        if path is not None:
            write_json(path, rec)
        plan.records[fold.index] = rec
        plan.result.fitted.append(fold.index)
        if bar is not None:
            bar.set_postfix(auc=f"{rec['metrics']['auc']:.4f}")
            bar.update(1)

    # without our bar the models' per-epoch bars are off too; with it they nest under it
    # (workers never show theirs: train.trainer.show_progress)
    try:
        with epoch_progress(None if progress else False):
            engine.map(_run_fold, [(p.model, data, fold, threshold, ranking_ks, fp)
                                   for p, fold, fp, _ in jobs], done)
    finally:
        if bar is not None:
            bar.close()


def _finish(plan: _Plan, data: HeteroData, edge_type: EdgeType, folds: Sequence[Fold],
            curves: bool) -> CVResult:
    result = plan.result
    records = [plan.records[f.index] for f in folds]
    result.folds = [r["metrics"] for r in records]
    result.fit_info = [r.get("fit_info", {}) for r in records]
    result.out_dir = plan.out
    if plan.out is not None:
        _write_outputs(plan.out, result, records, data, edge_type, curves)
    return result


def _mode_label(fold: Fold) -> str:
    """The fold's mode, ``"cold-dst (inductive)"`` for an inductive one."""
    return f"{fold.mode} (inductive)" if fold.inductive else fold.mode


def _check_graph_matches(data: HeteroData, fold: Fold) -> None:
    """``data`` names the nodes of ``predictions.csv``: it must be the graph the folds were
    split from (same node types, counts and ids), or the ids written would be wrong."""
    g = fold.graph_for("test")   # every node (inductive folds append the held-out ones)
    order = fold.node_order or {}
    for nt in (fold.edge_type[0], fold.edge_type[2]):
        if nt not in data.node_types or int(data[nt].num_nodes) != int(g[nt].num_nodes):
            n = int(data[nt].num_nodes) if nt in data.node_types else 0
            raise ValueError(f"cross_validate: data has {n} {nt!r} nodes but fold {fold.index} "
                             f"was split from a graph with {int(g[nt].num_nodes)}; pass the graph "
                             "the folds were made from")
        ids, fids = getattr(data[nt], "ids", None), getattr(g[nt], "ids", None)
        if ids is not None and nt in order:
            ids = [ids[i] for i in order[nt].tolist()]
        if ids is not None and fids is not None and list(ids) != list(fids):
            raise ValueError(f"cross_validate: the {nt!r} ids of data differ from those of fold "
                             f"{fold.index}; pass the graph the folds were made from")


def _run_fold(model: object, data: HeteroData, fold: Fold, threshold: float | str,
              ranking_ks: Sequence[int] | None, fp: dict) -> dict:
    check_no_leakage(fold, full_graph=data)
    m = copy.deepcopy(model)
    name = type(model).__name__
    t0 = time.perf_counter()
    # the model is handed the fold without its test pairs: it cannot read them, by construction
    blind = dataclasses.replace(fold, test=LinkSet(torch.empty(2, 0, dtype=torch.long),
                                                   torch.empty(0)),
                                meta={k: v for k, v in fold.meta.items() if k != EXTRA_TESTS})
    fitted = m.fit(blind)
    m = fitted if fitted is not None else m
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    test, tg, vg = fold.test, fold.graph_for("test"), fold.graph_for("val")
    s = _check_scores(m.score(tg, test.edge_label_index), len(test), name, m, tg,
                      test.edge_label_index)
    score_s = time.perf_counter() - t0
    if isinstance(threshold, str):
        if len(fold.val) == 0:
            raise ValueError("cross_validate: threshold='val' needs validation pairs "
                             "(val_ratio > 0)")
        vs = _check_scores(m.score(vg, fold.val.edge_label_index), len(fold.val), name, m,
                           vg, fold.val.edge_label_index)
        thr = choose_threshold(fold.val.edge_label, vs,
                               "mcc" if threshold == "val-mcc" else "f1")
    else:
        thr = float(threshold)
    y = test.edge_label.numpy()
    metrics = {"fold": fold.index, **binary_metrics(y, s, thr), "threshold": thr,
               "fit_s": fit_s, "score_s": score_s, "n_test": int(y.size),
               "n_test_pos": int(y.sum())}
    extra = {}
    for tname, ls in fold.meta.get(EXTRA_TESTS, {}).items():   # e.g. independent test files
        if len(ls):
            xs = _check_scores(m.score(tg, ls.edge_label_index), len(ls), name, m, tg,
                               ls.edge_label_index)
            xm = binary_metrics(ls.edge_label.numpy(), xs, thr)
            metrics.update({f"{tname}/{k}": v for k, v in xm.items()})
            xi = fold.to_split_index(ls.edge_label_index)
            extra[tname] = {"src": xi[0].tolist(), "dst": xi[1].tolist(), "score": xs.tolist(),
                            "label": ls.edge_label.tolist()}
        metrics[f"{tname}/n"] = len(ls)
    if ranking_ks:
        metrics.update(fold_ranking_metrics(m, fold, ks=ranking_ks))
        metrics.pop("num_queries", None)
        metrics.update(fold_link_ranking(m, fold, ks=ranking_ks))
    ei = fold.to_split_index(test.edge_label_index)   # data's node indices
    info = dict(getattr(m, "fit_info_", None) or {})
    info["peak_rss_mib"] = peak_rss_mib()
    return {"fingerprint": fp, "metrics": metrics, "fit_info": info, "src": ei[0].tolist(),
            "dst": ei[1].tolist(), "score": s.tolist(), "label": y.tolist(),
            **({EXTRA_TESTS: extra} if extra else {})}


def _write_outputs(out: Path, result: CVResult, records: list[dict], data: HeteroData,
                   edge_type: EdgeType, curves: bool) -> None:
    import csv
    import io
    src_ids = getattr(data[edge_type[0]], "ids", None)
    dst_ids = getattr(data[edge_type[2]], "ids", None)
    write_json(out / "metrics.json", {
        **result.to_dict(), "protocol_note": (
            "paper protocol: train_graph = full graph, test edges visible (leaky)"
            if result.protocol == "paper" else "leakage-free: graph features from train folds")})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["fold", "src_id", "dst_id", "score", "label", "protocol"])
    for r in records:
        fi = r["metrics"]["fold"]
        for a, b, sc, lb in zip(r["src"], r["dst"], r["score"], r["label"]):
            w.writerow([fi, src_ids[a] if src_ids is not None else a,
                        dst_ids[b] if dst_ids is not None else b, f"{sc:.6g}", int(lb),
                        result.protocol])
    atomic_write(out / "predictions.csv", buf.getvalue())
    if curves:
        plot_curves(out, result, records)


__all__ = ["cross_validate"]
