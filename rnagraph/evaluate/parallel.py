"""Folds fitted in spawned worker processes (``cross_validate(n_jobs>1)``)."""
from __future__ import annotations

import warnings
from typing import Callable, Sequence

import torch
from torch_geometric.data import HeteroData


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB; the benchmarks report it too.

    On Linux this is ``VmHWM`` of ``/proc/self/status``, the high-water mark of this process
    image. ``ru_maxrss`` is not used there: a child started by fork + exec (a spawned worker, a
    subprocess) inherits in it the parent's resident size at the fork, so a worker started by a
    large parent would report the parent's memory as its own. Elsewhere ``ru_maxrss`` (KiB on
    Linux, bytes on macOS)."""
    import resource
    import sys
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


def _init_worker(threads: int) -> None:
    torch.set_num_threads(threads)


def _run_fold_recording(run_fold: Callable[..., dict], *args
                        ) -> tuple[dict, list[tuple[str, type[Warning]]]]:
    """``run_fold(*args)`` (one fold of :func:`~rnagraph.evaluate.cross_validate`) in a
    worker, with its warnings recorded instead of printed.

    A spawned worker does not inherit the caller's warning filters, so it would print
    warnings the caller silenced (or print each once per worker). The parent re-issues the
    recorded ones under its own filters instead, as a sequential run would.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = run_fold(*args)
    seen: dict[tuple[str, type[Warning]], None] = {}
    for w in caught:
        cat = w.category
        # a class from the worker's __main__ cannot be unpickled in the parent
        if cat.__module__ in ("__main__", "__mp_main__"):
            cat = UserWarning
        seen.setdefault((str(w.message), cat))
    return rec, list(seen)


def run_parallel(run_fold: Callable[..., dict], model: object, data: HeteroData, todo: list,
                 threshold: float | str, ranking_ks: Sequence[int] | None, n_jobs: int,
                 done: Callable) -> None:
    """Fit the folds of ``todo`` with ``run_fold`` (a module-level function, so it pickles) in
    ``n_jobs`` spawned processes; ``done`` saves each result
    as it arrives (so an interrupted run keeps every finished fold)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    threads = max(1, torch.get_num_threads() // n_jobs)
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(todo)),
                             mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(threads,)) as pool:
        futures = {pool.submit(_run_fold_recording, run_fold, model, data, fold, threshold,
                               ranking_ks, fp): (fold, path) for fold, fp, path in todo}
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


__all__ = ["run_parallel", "peak_rss_mib"]
