"""Tasks in spawned worker processes (the pool of ``cross_validate(n_jobs>1)``), one call in a
child process (:func:`in_child`), and the peak memory they report."""
from __future__ import annotations

import warnings
from typing import Any, Callable

import torch


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


def call_recording(fn: Callable[..., Any], *args: Any
                   ) -> tuple[Any, list[tuple[str, type[Warning]]]]:
    """``fn(*args)`` (one fold of :func:`~rnagraph.evaluate.cross_validate`, one ranking shard)
    in a worker, with its warnings recorded instead of printed.

    A worker does not inherit the caller's warning filters, so it would print
    warnings the caller silenced (or print each once per worker). The parent re-issues the
    recorded ones under its own filters instead, as a sequential run would.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = fn(*args)
    seen: dict[tuple[str, type[Warning]], None] = {}
    for w in caught:
        cat = w.category
        # a class from the worker's __main__ cannot be unpickled in the parent
        if cat.__module__ in ("__main__", "__mp_main__"):
            cat = UserWarning
        seen.setdefault((str(w.message), cat))
    return rec, list(seen)


def make_pool(n_jobs: int, workers: int | None = None):
    """A :class:`~concurrent.futures.ProcessPoolExecutor` of ``workers`` (default ``n_jobs``)
    spawned processes, each with ``torch.get_num_threads() // n_jobs`` torch threads (at
    least one)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    threads = max(1, torch.get_num_threads() // n_jobs)
    return ProcessPoolExecutor(max_workers=workers or n_jobs, initializer=_init_worker,
                               mp_context=multiprocessing.get_context("spawn"),
                               initargs=(threads,))


def run_pool(fn: Callable[..., Any], tasks: list[tuple], n_jobs: int,
             done: Callable[[int, Any], None], pool=None) -> None:
    """``fn(*task)`` (a module-level function, so it pickles) for every task in ``n_jobs``
    spawned processes (:func:`make_pool`), or in ``pool``, an open one that stays open;
    ``done(i, result)`` saves the result of ``tasks[i]`` as it arrives (so an interrupted run
    keeps every finished task). The pool of :class:`~rnagraph.evaluate.engine.LocalEngine`."""
    from concurrent.futures import as_completed
    if pool is None:
        with make_pool(n_jobs, min(n_jobs, len(tasks))) as own:
            return run_pool(fn, tasks, n_jobs, done, own)
    futures = {pool.submit(call_recording, fn, *task): i for i, task in enumerate(tasks)}
    try:
        for fut in as_completed(futures):
            rec, caught = fut.result()
            for message, category in caught:
                warnings.warn(message, category, stacklevel=2)
            done(futures[fut], rec)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def _put(queue, fn: Callable[..., Any], *args: Any) -> None:
    queue.put(fn(*args))


def in_child(fn: Callable[..., Any], *args: Any, timeout: float | None = None,
             start: str = "fork") -> Any:
    """``fn(*args)`` in one child process (its own peak memory; ``start``: the
    multiprocessing start method, ``"spawn"`` for a fresh interpreter), killed after
    ``timeout`` seconds: its return value, or a string saying why there is none
    (``"killed after 240 s"``, ``"failed (exit 1)"``)."""
    import multiprocessing
    ctx = multiprocessing.get_context(start)
    queue = ctx.Queue()
    proc = ctx.Process(target=_put, args=(queue, fn, *args))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return f"killed after {timeout:.0f} s"
    if proc.exitcode != 0 or queue.empty():
        return f"failed (exit {proc.exitcode})"
    return queue.get()


__all__ = ["run_pool", "make_pool", "call_recording", "in_child", "peak_rss_mib"]
