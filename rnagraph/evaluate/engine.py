"""Where independent tasks run (folds of :func:`~rnagraph.evaluate.cross_validate`, trial x fold
pairs of :func:`~rnagraph.evaluate.tune`, shards of :func:`~rnagraph.evaluate.top_candidates`):
this process or a local process pool (:class:`LocalEngine`), or Ray tasks on a local runtime
or a cluster (:class:`RayEngine`).

Both engines call the **same** task function with the same arguments, so their results are
equal; an engine only decides where it runs. ``map(fn, tasks, done)`` calls ``fn(*task)`` for
every task and hands each result to ``done(i, result)`` in the calling process as soon as it
arrives (the caller saves it there, so an interrupted run keeps every finished task). Ray is
imported only inside :class:`RayEngine`.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Protocol, Sequence

from rnagraph._extras import MissingExtra
from rnagraph.evaluate.parallel import call_recording, make_pool, run_pool

#: the engines ``engine=`` names
ENGINES = ("local", "ray")
#: how to get Ray, as every "Ray is missing" message says it
RAY_INSTALL = 'pip install "rnagraph[ray]"'

Done = Callable[[int, Any], None]


class Engine(Protocol):
    """Runs ``fn(*task)`` for every task; ``done(i, result)`` receives each result in the
    calling process as it arrives. An engine may also have ``session()``, a context manager
    in which successive ``map`` calls share their workers (:func:`session`)."""

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple], done: Done) -> None: ...


class LocalEngine:
    """This process (``n_jobs=1``, or a single task), else ``n_jobs`` spawned processes, each
    with ``torch.get_num_threads() // n_jobs`` torch threads
    (:func:`~rnagraph.evaluate.parallel.run_pool`).

    Args:
        n_jobs (int): worker processes. (default: ``1``)
    """

    def __init__(self, n_jobs: int = 1) -> None:
        if n_jobs < 1:
            raise ValueError(f"LocalEngine: n_jobs must be >= 1, got {n_jobs}")
        self.n_jobs = n_jobs
        self._pool = None  # the open pool of a session()

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple], done: Done) -> None:
        if self.n_jobs == 1 or len(tasks) <= 1:
            for i, task in enumerate(tasks):
                done(i, fn(*task))
        else:
            run_pool(fn, list(tasks), self.n_jobs, done, self._pool)

    @contextmanager
    def session(self) -> Iterator[LocalEngine]:
        """Within the block, every :meth:`map` of ``n_jobs > 1`` uses one pool (its processes
        start once, not per call), closed when the block ends."""
        if self.n_jobs == 1 or self._pool is not None:
            yield self
            return
        with make_pool(self.n_jobs) as self._pool:
            try:
                yield self
            finally:
                self._pool = None

    def __repr__(self) -> str:
        return f"LocalEngine(n_jobs={self.n_jobs})"


class RayEngine:
    """Each task a Ray task with a thread budget: ``num_cpus=threads_per_task`` reserved and
    ``torch.set_num_threads(threads_per_task)`` inside it.

    An argument object shared by several tasks (the graph, a model, a fitted model) is put in
    the object store once. A task whose worker process dies (killed, out of memory, a crash) is
    retried up to ``max_retries`` times; an exception raised by the task itself is not retried
    (it would fail again) and reaches the caller as in a local run. Tasks finished before a
    failure have already been handed to ``done``.

    With ``address`` (``"auto"``, ``"ray://host:10001"``, ``"host:6379"``) the engine connects
    to that cluster and stays connected afterwards; without it, it starts a local runtime of
    ``num_cpus`` CPUs for the call and shuts it down at the end. A runtime the caller started
    (:func:`ray.init` before the call) is used as it is and left running.

    Args:
        address (str, optional): a running Ray cluster. (default: a local runtime)
        num_cpus (int, optional): CPUs of the local runtime. (default: all)
        threads_per_task (int): CPUs reserved and torch threads per task. (default: ``1``)
        max_retries (int): retries of a task whose worker died. (default: ``2``)
    """

    def __init__(self, address: str | None = None, num_cpus: int | None = None,
                 threads_per_task: int = 1, max_retries: int = 2) -> None:
        if threads_per_task < 1:
            raise ValueError(f"RayEngine: threads_per_task must be >= 1, got {threads_per_task}")
        if max_retries < 0:
            raise ValueError(f"RayEngine: max_retries must be >= 0, got {max_retries}")
        if num_cpus is not None and num_cpus < 1:
            raise ValueError(f"RayEngine: num_cpus must be >= 1, got {num_cpus}")
        require_ray()
        self.address = address
        self.num_cpus = num_cpus
        self.threads_per_task = threads_per_task
        self.max_retries = max_retries

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple], done: Done) -> None:
        if not tasks:
            return
        with ray_runtime(self.address, self.num_cpus) as ray:
            remote = ray.remote(_ray_task).options(num_cpus=self.threads_per_task,
                                                   max_retries=self.max_retries,
                                                   retry_exceptions=False)
            tasks = _share(ray, tasks)
            index = {remote.remote(fn, self.threads_per_task, *t): i
                     for i, t in enumerate(tasks)}
            pending = list(index)
            try:
                while pending:
                    ready, pending = ray.wait(pending, num_returns=1)
                    for ref in ready:
                        try:
                            result, caught = ray.get(ref)
                        except ray.exceptions.RayTaskError as e:  # the task's own exception
                            raise _cause(e) from None
                        except ray.exceptions.RayError as e:  # worker died, out of memory
                            raise RuntimeError(
                                f"RayEngine: task {index[ref]} lost its worker "
                                f"{self.max_retries + 1} times ({type(e).__name__}); finished "
                                "tasks were kept: rerun to resume, or raise max_retries"
                            ) from e
                        for message, category in caught:
                            warnings.warn(message, category, stacklevel=2)
                        done(index[ref], result)
            except BaseException:
                for ref in pending:
                    ray.cancel(ref, force=True)
                raise

    @contextmanager
    def session(self) -> Iterator[RayEngine]:
        """Within the block, every :meth:`map` uses one Ray runtime (:func:`ray_runtime` of
        this engine's address and CPUs: a local one is started once and shut down at the
        end)."""
        with ray_runtime(self.address, self.num_cpus):
            yield self

    def __repr__(self) -> str:
        return (f"RayEngine(address={self.address!r}, num_cpus={self.num_cpus}, "
                f"threads_per_task={self.threads_per_task}, max_retries={self.max_retries})")


def make_engine(engine: str | Engine = "local", n_jobs: int = 1,
                address: str | None = None) -> Engine:
    """The engine ``engine=`` names: ``"local"`` (:class:`LocalEngine` of ``n_jobs``),
    ``"ray"`` (:class:`RayEngine` at ``address``, else a local runtime of ``n_jobs`` CPUs), or
    an engine object, returned as it is."""
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be >= 1, got {n_jobs}")
    if not isinstance(engine, str):
        if not callable(getattr(engine, "map", None)):
            raise ValueError(f"engine must be 'local', 'ray' or an engine object, got {engine!r}")
        if address is not None:
            raise ValueError("address goes with engine='ray'; set it on the engine object")
        return engine
    if engine == "local":
        if address is not None:
            raise ValueError(f"address={address!r} needs engine='ray'")
        return LocalEngine(n_jobs)
    if engine == "ray":
        return RayEngine(address=address, num_cpus=None if address is not None else n_jobs)
    raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")


def session(engine: Engine):
    """``engine.session()`` where the engine has one (successive calls share their workers:
    the local pool's processes, one Ray runtime), else a block that does nothing."""
    import contextlib
    return engine.session() if hasattr(engine, "session") else contextlib.nullcontext(engine)


def require_ray():
    """The ``ray`` module, or an ``ImportError`` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise MissingExtra(f"engine='ray' needs Ray, an optional extra: {RAY_INSTALL}") from None
    return ray


@contextmanager
def ray_runtime(address: str | None = None, num_cpus: int | None = None) -> Iterator[Any]:
    """Ray, initialised: a runtime already started in this process is used as it is; else
    ``ray.init(address=address)`` (left connected), else a local runtime of ``num_cpus`` CPUs,
    shut down when the block ends (also on an error)."""
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    if address is not None:
        ray.init(address=address, log_to_driver=False)
        yield ray
        return
    ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def _share(ray, tasks: Sequence[tuple]) -> list[tuple]:
    """Put each argument object used by several tasks in the object store once; Ray hands a
    task the object behind a top-level reference."""
    plain = (int, float, str, bool, type(None))
    seen: dict[int, int] = {}
    for t in tasks:
        for a in t:
            if not isinstance(a, plain):
                seen[id(a)] = seen.get(id(a), 0) + 1
    refs: dict[int, Any] = {}
    out = []
    for t in tasks:
        args = []
        for a in t:
            if seen.get(id(a), 0) > 1:
                if id(a) not in refs:
                    refs[id(a)] = ray.put(a)
                a = refs[id(a)]
            args.append(a)
        out.append(tuple(args))
    return out


def _cause(err: Exception) -> BaseException:
    """The exception a Ray task raised, as the task raised it (its message unchanged, the
    worker's traceback as a note), so the caller sees what the local engine shows."""
    cause = getattr(err, "cause", None)
    if not isinstance(cause, Exception):
        return err.as_instanceof_cause()
    if hasattr(cause, "add_note"):  # Python >= 3.11
        cause.add_note(f"raised in a Ray worker:\n{getattr(err, 'traceback_str', '')}".rstrip())
    return cause


def _ray_task(fn: Callable[..., Any], threads: int, *args: Any) -> tuple[Any, list]:
    """One task inside a Ray worker: its thread budget, no per-epoch bars, warnings recorded
    for the caller (:func:`~rnagraph.evaluate.parallel.call_recording`)."""
    import torch

    from rnagraph.train.trainer import epoch_progress
    torch.set_num_threads(threads)
    with epoch_progress(False):
        return call_recording(fn, *args)


__all__ = ["Engine", "LocalEngine", "RayEngine", "make_engine", "ray_runtime", "require_ray",
           "session", "ENGINES", "RAY_INSTALL"]
