"""Hyper-parameter search on validation pairs (Optuna, TPE), resumable from a storage file.

:func:`tune` searches a registry model's space (:mod:`rnagraph.models.search_spaces`) with
Optuna's TPE sampler. A trial fits the model on every fold with the fold's **test pairs
removed** (the model and the tuner see a copy of the fold whose test set is empty, as
:func:`~rnagraph.evaluate.cross_validate` hands folds to ``fit``) and scores the fold's
validation pairs; the objective is the mean over folds. Test pairs are never read, so a
cross-validation of the chosen configuration on the same folds stays an honest estimate.
Optuna is an optional dependency (``pip install 'rnagraph[tune]'``).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch_geometric.data import HeteroData

from rnagraph._extras import MissingExtra
from rnagraph.data.fold import EXTRA_TESTS, Fold, LinkSet
from rnagraph.evaluate.engine import Engine, make_engine
from rnagraph.evaluate.engine import session as engine_session
from rnagraph.typing import EdgeType

#: the objectives :func:`tune` maximises, all on validation pairs
METRICS = ("auc", "aupr", "global-aupr", "mrr")
#: the study's name inside its storage
STUDY_NAME = "rnagraph-tune"
#: completed trials below which parameter importances are not estimated
MIN_IMPORTANCE_TRIALS = 4
#: the one line that says how to get Optuna
INSTALL_HINT = "rnagraph tune needs Optuna: pip install 'rnagraph[tune]' (or pip install optuna)"


def import_optuna():
    """Optuna, or an :class:`ImportError` whose message is :data:`INSTALL_HINT`."""
    try:
        import optuna
    except ImportError:
        raise MissingExtra(INSTALL_HINT) from None
    return optuna


class StudyMismatchError(ValueError):
    """The storage holds a study of another search (model, metric, space, data, folds...)."""


@dataclass
class TuneResult:
    """What a search found: the best parameters and the completed trials in order.

    Attributes:
        model (str), metric (str): what was tuned, and on which validation metric.
        best_params (dict): the parameters of the best trial (the model's other parameters
            keep their defaults; ``seed`` follows the run's).
        best_value (float): its objective (mean over folds).
        best_trial (int): its number in the study.
        numbers (list[int]), values (list[float]), params (list[dict]): every completed trial.
        fold_values (list[list[float]]): each completed trial's metric per fold.
        best_so_far (list[float]): running maximum of ``values``.
        n_new (int): trials run by this call (the rest were read from the storage).
        importances (dict, optional): each parameter's share of the objective's variance
            (Optuna's fANOVA evaluator, seeded); ``None`` with one parameter, fewer than
            :data:`MIN_IMPORTANCE_TRIALS` trials or a constant objective.
    """

    model: str
    metric: str
    best_params: dict
    best_value: float
    best_trial: int
    numbers: list[int]
    values: list[float]
    params: list[dict]
    fold_values: list[list[float]]
    best_so_far: list[float]
    n_new: int = 0
    importances: dict[str, float] | None = None
    spec: dict = field(default_factory=dict, repr=False)


def blind_fold(fold: Fold) -> Fold:
    """``fold`` without its test pairs and extra test sets (built field by field, so the
    original's ``test`` is never read)."""
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    # an inductive fold keeps its validation RNAs; the test RNAs' scoring graph is not carried
    return Fold(index=fold.index, edge_type=fold.edge_type, train_graph=fold.train_graph,
                train=fold.train, val=fold.val, test=empty, mode=fold.mode,
                protocol=fold.protocol,
                meta={k: v for k, v in fold.meta.items() if k != EXTRA_TESTS},
                score_graph=fold.val_graph, val_graph=fold.val_graph,
                node_order=fold.node_order)


def validation_view(fold: Fold) -> Fold:
    """``fold`` with its validation pairs in the place of its test pairs and no validation
    pairs, so that :func:`~rnagraph.evaluate.ranking.fold_link_ranking` ranks the validation
    positives (the training positives excluded from the candidates); ``fold.test`` unread."""
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    return Fold(index=fold.index, edge_type=fold.edge_type, train_graph=fold.train_graph,
                train=fold.train, val=empty, test=fold.val, mode=fold.mode,
                protocol=fold.protocol, score_graph=fold.val_graph,
                node_order=fold.node_order)


def _fold_hash(folds: Sequence[Fold]) -> str:
    """SHA-1 of the folds' training and validation pairs (what a trial sees)."""
    h = hashlib.sha1()
    for f in folds:
        for ls in (f.train, f.val):
            h.update(ls.edge_label_index.numpy().tobytes())
            h.update(ls.edge_label.numpy().tobytes())
    return h.hexdigest()


def _validate(model_name: str, edge_type: EdgeType, folds: Sequence[Fold], n_trials: int,
              metric: str):
    from rnagraph.models import get_model
    from rnagraph.models.search_spaces import search_space
    if metric not in METRICS:
        raise ValueError(f"tune: unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise ValueError(f"tune: n_trials must be an integer >= 1, got {n_trials!r}")
    space = search_space(model_name)
    from rnagraph.models.params import takes_param
    model = get_model(model_name)
    stale = sorted(name for name in space if not takes_param(model, name))
    if stale:
        raise ValueError(f"tune: the search space of {model_name!r} names {', '.join(stale)}, "
                         f"which the model does not take; fix rnagraph/models/search_spaces.py")
    if not folds:
        raise ValueError("tune: no folds")
    for f in folds:
        if tuple(f.edge_type) != tuple(edge_type):
            raise ValueError(f"tune: fold {f.index} predicts {f.edge_type}, not {edge_type}")
        y = f.val.edge_label
        if len(f.val) == 0 or bool((y > 0.5).all()) or bool((y <= 0.5).all()):
            raise ValueError(f"tune: fold {f.index} has no validation positives and negatives "
                             "to score; split with val_ratio > 0")
    return space, takes_param(model, "seed")


def _suggest(trial, space: dict) -> dict:
    out = {}
    for name, p in space.items():
        if p.kind == "categorical":
            out[name] = trial.suggest_categorical(name, list(p.choices))
        elif p.kind == "int":
            out[name] = trial.suggest_int(name, int(p.low), int(p.high), log=p.log)
        else:
            out[name] = trial.suggest_float(name, float(p.low), float(p.high), log=p.log)
    return out


def validation_score(model, fold: Fold, metric: str) -> float:
    """``metric`` of a fitted ``model`` on ``fold``'s validation pairs (``fold.test`` unread).

    ``auc`` / ``aupr``: :func:`~rnagraph.train.metrics.binary_metrics` of ``model.score`` on
    ``fold.val``. ``global-aupr`` / ``mrr``: :func:`~rnagraph.evaluate.ranking.fold_link_ranking`
    with the validation positives in the place of the test positives (training positives
    excluded from the candidates; every other pair, the fold's unseen test pairs included, is
    a candidate negative); ``mrr`` is the mean of ``mrr_src`` and ``mrr_dst``.
    """
    from rnagraph.evaluate.ranking import fold_link_ranking
    from rnagraph.train.metrics import binary_metrics
    val = fold.val
    if metric in ("auc", "aupr"):
        s = torch.as_tensor(model.score(fold.train_graph, val.edge_label_index))
        return float(binary_metrics(val.edge_label.numpy(),
                                    s.detach().double().reshape(-1).numpy(), 0.5)[metric])
    r = fold_link_ranking(model, validation_view(fold), ks=(10,))
    return float(r["global_aupr"] if metric == "global-aupr"
                 else (r["mrr_src"] + r["mrr_dst"]) / 2)


def _storage(optuna, storage):
    if storage is None or not isinstance(storage, (str, Path)):
        return storage                          # None (in memory) or an Optuna storage
    if "://" in str(storage):
        return str(storage)                     # an RDB URL, e.g. sqlite:///tune.db
    from optuna.storages import JournalStorage
    try:
        from optuna.storages.journal import JournalFileBackend
    except ImportError:  # Optuna < 4.0
        from optuna.storages import JournalFileStorage as JournalFileBackend
    path = Path(storage)
    if path.is_dir():
        raise ValueError(f"tune: storage {path} is a folder; give a file, e.g. "
                         f"{path / 'study.journal'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return JournalStorage(JournalFileBackend(str(path)))


def _fold_value(model_name: str, params: dict, fold: Fold, metric: str) -> float:
    """One task of a trial: ``get_model(model_name, **params)`` fitted on ``fold`` (a
    :func:`blind_fold`) and its :func:`validation_score`."""
    from rnagraph.models import get_model
    m = get_model(model_name, **params)
    fitted = m.fit(fold)
    return validation_score(fitted if fitted is not None else m, fold, metric)


def _trial_seed(seed: int, i: int) -> int:
    """The sampler's seed for the ``i``-th completed trial: a resumed search draws what an
    uninterrupted one would have drawn."""
    return int(np.random.SeedSequence([int(seed), int(i)]).generate_state(1)[0])


def tune(model_name: str, data: HeteroData, edge_type: EdgeType, folds: Sequence[Fold],
         n_trials: int, metric: str = "auc", storage: str | Path | Any | None = None,
         seed: int = 0, *, spec: dict | None = None, progress: bool = False, n_jobs: int = 1,
         engine: str | Engine = "local", address: str | None = None) -> TuneResult:
    r"""Search ``model_name``'s hyper-parameters on the validation pairs of ``folds``.

    Each trial draws parameters from the model's space
    (:func:`~rnagraph.models.search_spaces.search_space`) with Optuna's TPE sampler, builds
    ``get_model(model_name, **params)`` (``seed=seed`` where the model takes one), fits it on
    :func:`blind_fold` of every fold (no test pairs: neither the model nor the tuner reads
    ``fold.test``), and scores :func:`validation_score`; the objective is the mean over folds.
    No trial is pruned.

    Trials are drawn ``n_jobs`` at a time: a batch of ``n_jobs`` trials is asked (each drawn
    from the trials completed before the batch), its trials x folds run as tasks of
    ``engine`` (:mod:`~rnagraph.evaluate.engine`: this process, a pool of ``n_jobs``
    processes, or Ray tasks with a thread budget each), and the trials are told in their
    order. Every engine runs the same task, so for the same seed and ``n_jobs`` the trials,
    their values and the best configuration are the same on every engine (``n_jobs`` itself
    changes what the sampler has seen when it draws, hence the draws).

    The study lives in ``storage``: a file path (an Optuna journal file, appended to as trials
    finish), an RDB URL (``sqlite:///...``) or ``None`` (memory). ``n_trials`` is the number
    of **completed** trials the study should hold: a call on a storage that already holds
    some runs only the missing ones (failed or interrupted trials do not count), and the
    sampler is seeded per trial from ``(seed, trial count)``, so a resumed search equals an
    uninterrupted one with the same ``n_jobs`` (a batch is stored whole or, interrupted,
    not at all; a storage holding more completed trials reports its first ``n_trials``). A
    storage holding a different study (another model, metric, space, edge type, seed, data
    or folds, or ``spec``) is refused.

    Args:
        model_name (str): a registry model or preset with a search space.
        data (HeteroData): the graph the folds were split from (checked against every fold's
            training and validation pairs by :func:`~rnagraph.data.check_no_leakage`).
        edge_type (EdgeType): the predicted interaction type.
        folds (Sequence[Fold]): from :func:`~rnagraph.data.kfold_link_split` (with
            validation pairs).
        n_trials (int): completed trials wanted in the study, >= 1.
        metric (str): ``"auc"``, ``"aupr"``, ``"global-aupr"`` or ``"mrr"``. (default:
            ``"auc"``)
        storage: where the study is kept. (default: ``None``)
        seed (int): seed of the sampler and of the model. (default: ``0``)
        spec (dict, optional): anything else that identifies the search (e.g. the split's
            options), stored with the study and compared on resume.
        progress (bool): a progress bar of trials. (default: ``False``)
        n_jobs (int): trials per batch; with ``engine="local"`` the worker processes (one
            trial x fold each, ``torch.get_num_threads() // n_jobs`` threads), with
            ``engine="ray"`` and no ``address`` the CPUs of the local Ray runtime started for
            the search. (default: ``1``, in this process)
        engine (str | Engine): ``"local"``, ``"ray"`` or an engine object such as
            ``RayEngine(address="auto", threads_per_task=4)``. (default: ``"local"``)
        address (str, optional): with ``engine="ray"``, the Ray cluster to run on.

    Returns:
        TuneResult: the best parameters and every completed trial.

    Raises:
        ValueError: an unknown metric, a model without a search space, ``n_trials < 1``,
            ``n_jobs < 1``, an unknown engine, folds without validation pairs.
        StudyMismatchError: ``storage`` holds another study (a :class:`ValueError`).
        ImportError: Optuna is not installed (the message says how to install it).
    """
    from rnagraph.data.leakage import check_no_leakage
    from rnagraph.evaluate.run_config import graph_hash

    space, takes_seed = _validate(model_name, edge_type, folds, n_trials, metric)
    eng = make_engine(engine, n_jobs, address)
    optuna = import_optuna()
    blind = [blind_fold(f) for f in folds]
    for f in blind:
        check_no_leakage(f, full_graph=data)
    study_spec = {"model": model_name, "metric": metric, "edge_type": list(edge_type),
                  "seed": int(seed), "space": {k: p.describe() for k, p in space.items()},
                  "dataset_hash": graph_hash(data), "folds": _fold_hash(blind),
                  **json.loads(json.dumps(spec or {}, default=str))}
    store = _storage(optuna, storage)
    try:  # read first: a study of another search must leave the storage untouched
        study = optuna.load_study(study_name=STUDY_NAME, storage=store,
                                  pruner=optuna.pruners.NopPruner())
    except KeyError:
        study = optuna.create_study(storage=store, study_name=STUDY_NAME,
                                    direction="maximize", pruner=optuna.pruners.NopPruner())
    stored = study.user_attrs.get("rnagraph_spec")
    if stored is None:
        study.set_user_attr("rnagraph_spec", study_spec)
    elif stored != study_spec:
        diff = sorted(k for k in set(stored) | set(study_spec)
                      if stored.get(k) != study_spec.get(k))
        raise StudyMismatchError(f"tune: {storage} holds another study (its {', '.join(diff)} "
                         f"differ{'s' if len(diff) == 1 else ''}); nothing was changed: choose "
                         "another storage (out folder) or remove it")

    def completed():
        return [t for t in study.get_trials(deepcopy=False)
                if t.state == optuna.trial.TrialState.COMPLETE]

    def run_batch(first: int, last: int) -> None:
        """Ask trials ``first .. last - 1``, evaluate their folds on the engine, tell them in
        order; an interrupted or failed batch is told failed as a whole."""
        batch = []
        for i in range(first, last):
            study.sampler = optuna.samplers.TPESampler(seed=_trial_seed(seed, i))
            trial = study.ask()
            batch.append((trial, {**_suggest(trial, space),
                                  **({"seed": int(seed)} if takes_seed else {})}))
        values: dict[int, float] = {}
        told = 0
        try:
            eng.map(_fold_value, [(model_name, params, f, metric) for _, params in batch
                                  for f in blind], values.__setitem__)
            per_trial = [[values[b * len(blind) + j] for j in range(len(blind))]
                         for b in range(len(batch))]
            for (trial, _), per_fold in zip(batch, per_trial):
                if not math.isfinite(value := float(np.mean(per_fold))):
                    raise ValueError(f"tune: trial {trial.number} scored {value} on "
                                     "validation pairs")
            for (trial, _), per_fold in zip(batch, per_trial):
                trial.set_user_attr("fold_values", per_fold)
                study.tell(trial, float(np.mean(per_fold)))
                told += 1
        finally:
            for trial, _ in batch[told:]:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)

    n_done = len(completed())
    todo = max(0, n_trials - n_done)
    bar = None
    if progress and todo:
        from tqdm.auto import tqdm
        bar = tqdm(total=n_trials, initial=n_done, desc=f"tune {model_name}", unit="trial")
    try:
        # one pool of processes (one Ray runtime) for every batch
        with engine_session(eng) if todo else contextlib.nullcontext():
            for first in range(n_done, n_trials, n_jobs):
                last = min(first + n_jobs, n_trials)
                run_batch(first, last)
                if bar is not None:
                    bar.update(last - first)
                    bar.set_postfix(best=f"{study.best_value:.4f}")
    finally:
        if bar is not None:
            bar.close()
    trials = sorted(completed(), key=lambda t: t.number)[:n_trials]
    values = [float(t.value) for t in trials]
    best = max(range(len(trials)), key=lambda j: (values[j], -trials[j].number))
    importances = None
    if len(space) > 1 and len(trials) >= MIN_IMPORTANCE_TRIALS and len(set(values)) > 1:
        evaluator = optuna.importance.FanovaImportanceEvaluator(seed=int(seed))
        importances = {k: float(v) for k, v in optuna.importance.get_param_importances(
            study, evaluator=evaluator, params=list(space)).items()}
    return TuneResult(model=model_name, metric=metric, best_params=dict(trials[best].params),
                      best_value=values[best], best_trial=trials[best].number,
                      numbers=[t.number for t in trials], values=values,
                      params=[dict(t.params) for t in trials],
                      fold_values=[list(t.user_attrs.get("fold_values", [])) for t in trials],
                      best_so_far=np.maximum.accumulate(values).tolist(), n_new=todo,
                      importances=importances, spec=study_spec)


def plot_search(result: TuneResult, path: str | Path, *, title: str = "") -> Path:
    """A PNG of the search: the validation metric of every completed trial (points) and the
    best so far (a step line), the best trial marked, and beside it the parameter importances
    when the result has them; written atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from rnagraph.io.atomic import atomic_path
    imp = result.importances
    fig = Figure(figsize=(10, 4) if imp else (6, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 2 if imp else 1, 1)
    x = list(result.numbers)        # Optuna's trial numbers (as in tune.json and the legend)
    ax.plot(x, result.values, "o", ms=4, color="tab:blue", label="trial")
    ax.step(x, result.best_so_far, where="post", color="tab:orange", label="best so far")
    j = result.numbers.index(result.best_trial)
    ax.plot([x[j]], [result.values[j]], "*", ms=12, color="tab:red",
            label=f"best: {result.best_value:.4f} (trial {result.best_trial})")
    ax.set(xlabel="trial", ylabel=f"validation {result.metric} (mean over folds)",
           title=title or f"rnagraph tune {result.model}")
    ax.legend(loc="lower right", fontsize=7)
    if imp:
        names = sorted(imp, key=imp.get)
        ax2 = fig.add_subplot(1, 2, 2)
        ax2.barh(names, [imp[n] for n in names], color="tab:blue")
        ax2.set(xlabel="importance (fANOVA share of variance)", title="parameter importances")
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    return path


__all__ = ["tune", "TuneResult", "StudyMismatchError", "plot_search", "validation_score",
           "blind_fold", "validation_view", "METRICS", "INSTALL_HINT", "import_optuna"]
