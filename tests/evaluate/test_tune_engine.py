"""``tune(..., n_jobs=, engine=)``: batches of trials as engine tasks; the same trials on every
engine for the same seed and ``n_jobs``, resumable batch by batch, test pairs never read.

The Ray tests use one local runtime of 2 CPUs (``ray.init(num_cpus=2)``) and skip without the
ray extra; every search needs Optuna and skips without it."""
from __future__ import annotations

import importlib
import importlib.util
import warnings

import numpy as np
import pytest

from rnagraph.data import kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.evaluate.engine import LocalEngine
from rnagraph.evaluate.tune import INSTALL_HINT, tune

CM = ("circrna", "binds", "mirna")
tune_module = importlib.import_module("rnagraph.evaluate.tune")   # not the function


@pytest.fixture(scope="module")
def graph():
    if importlib.util.find_spec("optuna") is None:
        pytest.skip(INSTALL_HINT)
    return synthetic(seed=0)


@pytest.fixture(scope="module")
def folds(graph):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # isolated nodes left out of negatives: expected
        return kfold_link_split(graph, CM, k=2, seed=0)


@pytest.fixture(scope="module")
def runtime():
    ray = pytest.importorskip("ray", reason="the Ray engine needs the ray extra")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def _same(a, b):
    assert a.numbers == b.numbers and a.params == b.params
    assert a.values == b.values and a.fold_values == b.fold_values  # exact arithmetic
    assert (a.best_params, a.best_trial, a.best_value) == (b.best_params, b.best_trial,
                                                           b.best_value)


def test_local_pool_and_in_process_give_the_same_trials(graph, folds):
    """The local engine of 2 processes runs the same tasks as this process does."""
    pool = tune("degree", graph, CM, folds, 4, "aupr", None, 3, n_jobs=2)
    here = tune("degree", graph, CM, folds, 4, "aupr", None, 3, engine=LocalEngine(1),
                n_jobs=2)
    _same(pool, here)
    assert len(set(pool.values)) > 1               # the trials differ: a real comparison
    assert pool.values == pytest.approx([np.mean(fv) for fv in pool.fold_values])


def test_ray_gives_the_local_engines_trials_and_best_config(runtime, graph, folds):
    local = tune("degree", graph, CM, folds, 4, "aupr", None, 3, engine=LocalEngine(1),
                 n_jobs=2)
    remote = tune("degree", graph, CM, folds, 4, "aupr", None, 3, engine="ray", n_jobs=2)
    _same(local, remote)
    assert len(set(remote.values)) > 1
    assert runtime.is_initialized()          # the caller's runtime is left running


class SealedFold:
    """A fold whose test pairs raise when anything reads them (every other field passes)."""

    def __init__(self, fold):
        self._fold = fold

    def __getattr__(self, name):
        if name == "test":
            raise AssertionError("fold.test was read")
        return getattr(self._fold, name)


def test_no_ray_trial_reads_test_pairs(runtime, graph, folds):
    sealed = [SealedFold(f) for f in folds]
    res = tune("degree", graph, CM, sealed, 2, "mrr", None, 0, engine="ray", n_jobs=2)
    assert len(res.values) == 2 and all(np.isfinite(res.values))
    assert all(len(fv) == 2 for fv in res.fold_values)


def test_ray_search_resumes_and_equals_an_uninterrupted_one(runtime, graph, folds, tmp_path):
    path = tmp_path / "study.journal"
    first = tune("svd", graph, CM, folds, 2, "auc", path, 1, engine="ray", n_jobs=2)
    assert first.n_new == 2
    more = tune("svd", graph, CM, folds, 4, "auc", path, 1, engine="ray", n_jobs=2)
    assert more.n_new == 2 and more.params[:2] == first.params
    fresh = tune("svd", graph, CM, folds, 4, "auc", None, 1, engine=LocalEngine(1), n_jobs=2)
    _same(more, fresh)


def test_an_interrupted_batch_is_dropped_whole_and_rerun(graph, folds, tmp_path, monkeypatch):
    """Ctrl-C in the second batch (after one of its four tasks finished): the storage keeps
    the first batch, none of the second; the rerun completes the search as if uninterrupted."""
    path = tmp_path / "study.journal"
    calls = []
    task = tune_module._fold_value

    def interrupted(*args):
        calls.append(1)
        if len(calls) == 6:              # batch 2 (tasks 5-8): its second task
            raise KeyboardInterrupt
        return task(*args)

    monkeypatch.setattr(tune_module, "_fold_value", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tune("svd", graph, CM, folds, 4, "auc", path, 4, engine=LocalEngine(1), n_jobs=2)
    monkeypatch.setattr(tune_module, "_fold_value", task)
    import optuna
    study = optuna.load_study(study_name=tune_module.STUDY_NAME,
                              storage=tune_module._storage(optuna, path))
    states = [t.state.name for t in study.trials]
    assert states == ["COMPLETE", "COMPLETE", "FAIL", "FAIL"]
    resumed = tune("svd", graph, CM, folds, 4, "auc", path, 4, engine=LocalEngine(1), n_jobs=2)
    assert resumed.n_new == 2 and resumed.numbers == [0, 1, 4, 5]
    fresh = tune("svd", graph, CM, folds, 4, "auc", None, 4, engine=LocalEngine(1), n_jobs=2)
    assert resumed.params == fresh.params and resumed.values == fresh.values
    assert resumed.best_params == fresh.best_params


@pytest.mark.parametrize("kw, match", [(dict(n_jobs=0), "n_jobs must be >= 1"),
                                       (dict(engine="dask"), "engine must be one of"),
                                       (dict(address="auto"), "needs engine='ray'")])
def test_bad_engine_arguments(graph, folds, kw, match):
    with pytest.raises(ValueError, match=match):
        tune("degree", graph, CM, folds, 1, **kw)


def test_a_local_session_keeps_its_processes_between_calls():
    """In ``session()`` successive maps run in the same worker processes (a search's batches
    start the pool once), which close with the block."""
    import os
    engine = LocalEngine(2)

    def pids():
        got: dict[int, int] = {}
        engine.map(os.getpid, [()] * 6, got.__setitem__)
        return set(got.values())

    with engine.session():
        first, second = pids(), pids()
    assert first and second <= first and os.getpid() not in first
    assert engine._pool is None                      # closed with the block
