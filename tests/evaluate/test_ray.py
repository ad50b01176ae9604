"""The Ray engine against the local one: same metrics, same ranking, resume, worker retries.

Tests with the ``runtime`` fixture skip when Ray is absent; the others check what a user without
it sees."""
import os
import sys
from pathlib import Path

import pytest
import torch

from rnagraph.data import kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.evaluate import compare_models, cross_validate, top_candidates
from rnagraph.evaluate.engine import RayEngine
from rnagraph.models.degree_product import DegreeProduct
from rnagraph.models.registry import get_model

CM = ("circrna", "binds", "mirna")


@pytest.fixture(scope="module")
def runtime():
    ray = pytest.importorskip("ray", reason="the Ray engine needs the ray extra")
    # the test module's classes (the crashing model) travel to the workers by value
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
    ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def data():
    return synthetic(seed=0)


@pytest.fixture(scope="module")
def folds(data):
    return kfold_link_split(data, CM, k=3, seed=0)


def _models():
    return {"degree": get_model("degree"), "svd": get_model("svd"),
            "sage": get_model("sage", epochs=6, eval_every=2, seed=0)}


def test_ray_metrics_equal_the_local_engine(runtime, data, folds):
    local = compare_models(_models(), data, CM, folds, progress=False, curves=False)
    remote = compare_models(_models(), data, CM, folds, progress=False, curves=False,
                            engine="ray")
    assert list(remote) == ["degree", "svd", "sage"]
    for name in local:
        assert sorted(remote[name].fitted) == [0, 1, 2]
        for a, b in zip(local[name].folds, remote[name].folds):
            assert a["fold"] == b["fold"]
            for k in ("auc", "aupr", "mcc", "f1", "acc"):
                # degree and svd are exact; the trained model within float noise of a
                # different torch thread count (1 per Ray task)
                assert b[k] == pytest.approx(a[k], abs=1e-6 if name == "sage" else 0), (name, k)
    # the runtime was the caller's: still running after the calls
    assert runtime.is_initialized()


def test_ray_resumes_a_run_and_skips_finished_folds(runtime, data, folds, tmp_path):
    cross_validate(DegreeProduct(), data, CM, folds[1:2], out_dir=tmp_path, progress=False)
    before = (tmp_path / "fold_1.json").stat().st_mtime_ns
    res = cross_validate(DegreeProduct(), data, CM, folds, out_dir=tmp_path, progress=False,
                         engine="ray")
    assert sorted(res.fitted) == [0, 2]
    assert (tmp_path / "fold_1.json").stat().st_mtime_ns == before
    again = cross_validate(DegreeProduct(), data, CM, folds, out_dir=tmp_path, progress=False,
                           engine="ray")
    assert again.fitted == [] and [f["auc"] for f in again.folds] == [f["auc"] for f in res.folds]


class CrashOnce(DegreeProduct):
    """Counts its fits per fold in ``log_dir``; its worker process dies in the first fit of
    fold 1 (a marker file says it happened)."""

    def __init__(self, log_dir: str = "") -> None:
        super().__init__()
        self.log_dir = log_dir

    def fit(self, fold):
        log = Path(self.log_dir)
        with open(log / f"fits_{fold.index}", "a") as fh:
            fh.write("x")
        marker = log / "crashed"
        if fold.index == 1 and not marker.exists():
            marker.touch()
            os._exit(1)  # the worker dies mid-fold, as if killed
        return super().fit(fold)


def test_a_dead_worker_is_retried_and_finished_folds_are_kept(runtime, data, folds, tmp_path):
    log, out = tmp_path / "log", tmp_path / "run"
    log.mkdir()
    model = CrashOnce(str(log))
    res = cross_validate(model, data, CM, folds, out_dir=out, progress=False,
                         engine=RayEngine(max_retries=2))
    assert (log / "crashed").exists()
    assert sorted(res.fitted) == [0, 1, 2]
    assert sorted(p.name for p in out.glob("fold_*.json")) == [
        "fold_0.json", "fold_1.json", "fold_2.json"]
    # fold 1 fitted twice (its first worker died), every other fold once
    assert {i: len((log / f"fits_{i}").read_text()) for i in range(3)} == {0: 1, 1: 2, 2: 1}
    local = cross_validate(DegreeProduct(), data, CM, folds, progress=False)
    assert [f["auc"] for f in res.folds] == [f["auc"] for f in local.folds]
    # the rerun reuses every fold: nothing is fitted again
    again = cross_validate(model, data, CM, folds, out_dir=out, progress=False, engine="ray")
    assert again.fitted == [] and len((log / "fits_0").read_text()) == 1


def test_a_worker_dying_every_time_fails_after_its_retries(runtime, data, folds, tmp_path):
    log = tmp_path / "log"
    log.mkdir()

    class CrashAlways(CrashOnce):
        def fit(self, fold):
            (Path(self.log_dir) / "crashed").unlink(missing_ok=True)
            return super().fit(fold)

    with pytest.raises(RuntimeError, match="lost its worker 2 times"):
        cross_validate(CrashAlways(str(log)), data, CM, folds, out_dir=tmp_path / "run",
                       progress=False, engine=RayEngine(max_retries=1))
    assert len((log / "fits_1").read_text()) == 2  # the first try and one retry


def test_a_fold_error_reaches_the_caller_unchanged(runtime, data):
    no_val = kfold_link_split(data, CM, k=3, seed=0, val_ratio=0.0)
    # the fit warns (no validation pairs to calibrate on), then the fold raises
    with pytest.raises(ValueError) as local, pytest.warns(UserWarning, match="calibrat"):
        cross_validate(DegreeProduct(), data, CM, no_val[:1], threshold="val", progress=False)
    with pytest.raises(ValueError) as remote:
        cross_validate(DegreeProduct(), data, CM, no_val[:1], threshold="val", progress=False,
                       engine="ray")
    assert "needs validation pairs" in str(local.value)
    assert type(remote.value) is ValueError and str(remote.value) == str(local.value)


def test_ray_relays_the_folds_warnings(runtime, data):
    from rnagraph.data import PaperProtocolWarning
    paper = kfold_link_split(data, CM, k=2, seed=0, protocol="paper")
    with pytest.warns(PaperProtocolWarning) as rec:  # raised in the workers, shown here
        cross_validate(DegreeProduct(), data, CM, paper, progress=False, engine="ray")
    assert all(r.category is PaperProtocolWarning for r in rec)


@pytest.mark.parametrize("kw", [{}, {"src": [0, 3, 7], "dst": [2, 5]}])
def test_ray_ranking_equals_the_local_ranking(runtime, data, folds, kw):
    m = get_model("svd").fit(folds[0])
    # a coarse score grid has many exact ties: the merge must break them as the local path
    m.decision_grid = _rounded(m.decision_grid)
    local = top_candidates(m, 150, batch_size=997, **kw)
    remote = top_candidates(m, 150, batch_size=997, engine="ray", shards=7, **kw)
    assert torch.equal(local.src, remote.src) and torch.equal(local.dst, remote.dst)
    assert torch.equal(local.raw, remote.raw)
    assert local.num_scored == remote.num_scored
    assert len(remote.worker_peak_rss_mib) >= 1
    assert all(v > 0 for v in remote.worker_peak_rss_mib.values())


class _rounded:
    """A decision grid rounded to one decimal (picklable, unlike a closure)."""

    def __init__(self, grid):
        self.grid = grid

    def __call__(self, graph, rows, cols):
        return torch.round(self.grid(graph, rows, cols) * 10) / 10


def test_engine_arguments_are_checked(data, folds):
    with pytest.raises(ValueError, match="engine must be one of local, ray"):
        cross_validate(DegreeProduct(), data, CM, folds, engine="dask", progress=False)
    with pytest.raises(ValueError, match="needs engine='ray'"):
        cross_validate(DegreeProduct(), data, CM, folds, address="auto", progress=False)
    with pytest.raises(ValueError, match="max_retries"):
        RayEngine(max_retries=-1)


def test_ray_missing_says_how_to_install_it(monkeypatch, data, folds):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(ImportError, match=r'pip install "rnagraph\[ray\]"'):
        cross_validate(DegreeProduct(), data, CM, folds, engine="ray", progress=False)
    with pytest.raises(ImportError, match=r'pip install "rnagraph\[ray\]"'):
        top_candidates(get_model("degree").fit(folds[0]), 5, engine="ray")
