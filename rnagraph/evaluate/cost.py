"""What a call costs: wall-clock time and resident memory, as the benchmark scripts report it.

:func:`measure` times one call and the rise of the peak resident set (RSS) above the level
before it; :func:`median_ms` times a training step (forward + backward) over repeats, and
:func:`speedup` two implementations of one step once their outputs agree; :func:`interleaved`
calls timed in turns. Memory is
read from Linux's ``/proc/self/status`` (``VmRSS``, ``VmHWM``); the peak is reset through
``/proc/self/clear_refs`` where the kernel allows it. :func:`~rnagraph.evaluate.parallel.
peak_rss_mib` is the portable peak of the whole process.
"""
from __future__ import annotations

import statistics
from typing import Any, Callable, Mapping, Sequence

from rnagraph.evaluate.parallel import peak_rss_mib
from rnagraph.evaluate.records import timer


def memory_mib() -> dict[str, float]:
    """``{"VmRSS": ..., "VmHWM": ...}``: the resident set of this process now and its peak
    (high-water mark), MiB (Linux ``/proc``)."""
    with open("/proc/self/status") as fh:
        return {k: int(v.split()[0]) / 1024 for k, v in (ln.split(":", 1) for ln in fh)
                if k in ("VmRSS", "VmHWM")}


def reset_peak() -> float | None:
    """Collect garbage, return freed heap to the system (``malloc_trim``) and reset the peak
    RSS to the current RSS (writing ``5`` to ``/proc/self/clear_refs``); returns that RSS
    (MiB), or ``None`` where the C library or the kernel does not allow the reset."""
    import ctypes
    import gc
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except (OSError, AttributeError):
        return None
    return memory_mib()["VmRSS"]


def measure(fn: Callable[[], Any]) -> tuple[Any, float, str]:
    """``(fn(), seconds, peak MiB)``: the peak is the rise of the peak RSS above the RSS before
    the call (``"512"``), or, where the peak cannot be reset (:func:`reset_peak`), the
    process's peak so far, marked ``*`` (``"1830*"``)."""
    base = reset_peak()
    with timer() as t:
        out = fn()
    peak = f"{memory_mib()['VmHWM'] - base:.0f}" if base is not None else f"{peak_rss_mib():.0f}*"
    return out, t["s"], peak


def median_ms(step: Callable[[], Any], leaves: Sequence[Any], repeats: int) -> float:
    """Median wall-clock milliseconds of ``step().sum().backward()`` over ``repeats`` runs after
    one untimed warm-up run; the gradients of ``leaves`` (tensors or parameters) are cleared,
    outside the clock, before every run, so no run accumulates into another's."""
    if repeats < 1:
        raise ValueError(f"median_ms: repeats must be >= 1, got {repeats}")
    times = []
    for i in range(repeats + 1):
        for t in leaves:
            t.grad = None
        with timer() as clock:
            step().sum().backward()
        if i:
            times.append(clock["s"])
    return 1000 * statistics.median(times)


def interleaved(calls: Mapping[str, Callable[[], Any]], repeats: int
                ) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Time every call of ``calls`` ``repeats`` times, taking turns (a, b, a, b, ...: a change
    in the machine's load touches every call alike): ``({name: [seconds of each run]},
    {name: output of its last run}``)."""
    if repeats < 1:
        raise ValueError(f"interleaved: repeats must be >= 1, got {repeats}")
    times: dict[str, list[float]] = {name: [] for name in calls}
    out: dict[str, Any] = {}
    for _ in range(repeats):
        for name, fn in calls.items():
            with timer() as t:
                out[name] = fn()
            times[name].append(t["s"])
    return times, out


def speedup(old: Callable[[], Any], new: Callable[[], Any], leaves: Sequence[Any], repeats: int,
            atol: float | None = None) -> tuple[float, float, float | None]:
    """``(old ms, new ms, max |diff|)``: :func:`median_ms` of two implementations of one step
    (the code a faster one replaced, and the faster one) and, given ``atol``, the largest
    absolute difference of their outputs, measured first without gradients (``None`` without
    ``atol``, e.g. where the new step differs by design).

    Raises:
        ValueError: the outputs differ by more than ``atol`` (nothing is timed).
    """
    diff = None
    if atol is not None:
        import torch
        with torch.no_grad():
            diff = float((old() - new()).abs().max())
        if not diff <= atol:
            raise ValueError(f"speedup: old and new outputs differ by {diff:.3g} > atol={atol}")
    return median_ms(old, leaves, repeats), median_ms(new, leaves, repeats), diff


__all__ = ["memory_mib", "reset_peak", "measure", "median_ms", "interleaved", "speedup"]
