"""rnagraph.evaluate.cost (time and memory of a call) and parallel.in_child, as the benchmark
scripts use them."""
from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest
import torch

from rnagraph.evaluate.cost import (
    interleaved,
    measure,
    median_ms,
    memory_mib,
    reset_peak,
    speedup,
)
from rnagraph.evaluate.parallel import in_child

linux = pytest.mark.skipif(not os.path.exists("/proc/self/status"),
                           reason="reads Linux's /proc/self/status")
MIB = 2**20


@linux
def test_memory_reads_the_resident_set_and_its_peak():
    m = memory_mib()
    assert set(m) == {"VmRSS", "VmHWM"} and 0 < m["VmRSS"] <= m["VmHWM"]
    block = np.ones(200 * MIB, dtype=np.uint8)       # 200 MiB touched: resident
    after = memory_mib()
    assert after["VmRSS"] - m["VmRSS"] > 150 and after["VmHWM"] >= after["VmRSS"]
    del block


@linux
def test_measure_reports_the_rise_of_the_peak_above_the_level_before():
    """A call that touches 300 MiB and frees it: its peak rises by about 300 MiB (not the
    process's whole peak), and the result and a positive time come back."""
    def touch():
        block = np.ones(300 * MIB, dtype=np.uint8)
        return int(block[::MIB].sum())

    out, seconds, peak = measure(touch)
    assert out == 300 and seconds > 0
    if peak.endswith("*"):          # this kernel does not let the peak be reset
        pytest.skip("no /proc/self/clear_refs: measure reports the process peak")
    assert 250 <= float(peak) < 600, peak
    small = measure(lambda: 1)[2]
    assert float(small) < 50       # the earlier 300 MiB no longer count: the peak was reset


@linux
def test_reset_peak_brings_the_peak_down_to_the_current_level():
    block = np.ones(200 * MIB, dtype=np.uint8)
    block[0] = 1
    del block
    rss = reset_peak()
    if rss is None:
        pytest.skip("no /proc/self/clear_refs on this kernel")
    m = memory_mib()
    assert m["VmHWM"] - rss < 50 and m["VmHWM"] >= m["VmRSS"]


def test_median_ms_runs_a_warm_up_plus_repeats_with_fresh_gradients():
    x = torch.ones(3, requires_grad=True)
    seen = []

    def step():
        seen.append(x.grad)                 # cleared before every run
        return x * 2

    ms = median_ms(step, [x], repeats=4)
    assert len(seen) == 5 and all(g is None for g in seen) and ms > 0
    assert torch.equal(x.grad, torch.full((3,), 2.0))     # one run's gradient, not five
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        median_ms(step, [x], repeats=0)


def _boom():
    sys.exit(3)


@pytest.mark.skipif(sys.platform == "win32", reason="fork start method")
def test_in_child_returns_the_value_or_says_why_not():
    assert in_child(pow, 2, 10) == 1024
    assert in_child(os.getpid) != os.getpid()                 # another process
    assert in_child(_boom) == "failed (exit 3)"
    assert in_child(time.sleep, 60, timeout=1) == "killed after 1 s"


def test_speedup_checks_agreement_before_timing_either_step():
    x = torch.arange(4.0, requires_grad=True)
    calls = {"old": 0, "new": 0}

    def step(name, scale):
        def run():
            calls[name] += 1
            return x * scale
        return run

    t_old, t_new, diff = speedup(step("old", 2.0), step("new", 2.001), [x], 3, atol=0.01)
    assert t_old > 0 and t_new > 0 and diff == pytest.approx(0.003, rel=1e-3)   # 3 x 0.001
    assert calls == {"old": 5, "new": 5}       # the check, a warm-up and 3 timed runs each
    assert speedup(step("old", 2.0), step("new", 5.0), [x], 1)[2] is None   # no atol: no check
    calls.update(old=0, new=0)
    with pytest.raises(ValueError, match="differ by 9 > atol=0.001"):
        speedup(step("old", 2.0), step("new", 5.0), [x], 3, atol=1e-3)
    assert calls == {"old": 1, "new": 1}       # nothing timed


def test_interleaved_takes_turns_and_keeps_each_last_output():
    order = []

    def call(name):
        def run():
            order.append(name)
            return len(order)
        return run

    times, out = interleaved({"a": call("a"), "b": call("b")}, 3)
    assert order == ["a", "b"] * 3                       # turns, not a-a-a then b-b-b
    assert {k: len(v) for k, v in times.items()} == {"a": 3, "b": 3}
    assert all(s >= 0 for v in times.values() for s in v)
    assert out == {"a": 5, "b": 6}                       # the outputs of the last round
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        interleaved({"a": call("a")}, 0)
