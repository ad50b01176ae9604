"""``dev.py test``: which pytest runs it makes, under which kernel set, and what it returns."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def dev(monkeypatch):
    """``dev.py`` as a module, with its pytest runs recorded instead of run; each run returns
    the next code of ``dev.codes`` (default 0)."""
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.calls, mod.codes = [], []
    monkeypatch.setattr(mod, "run_pytest", lambda args, kernels=None: (
        mod.calls.append((args, kernels)), mod.codes.pop(0) if mod.codes else 0)[1])
    return mod


def test_no_arguments_runs_the_forced_subset_then_the_whole_suite(dev):
    assert dev.test([]) == 0
    assert dev.calls == [([*dev.PYTEST, *dev.KERNEL_TESTS], "avx2"), (dev.PYTEST, None)]
    assert all((ROOT / t).exists() for t in dev.KERNEL_TESTS)


@pytest.mark.parametrize("codes, want, runs", [([1], 1, 1), ([5], 5, 1), ([0, 5], 5, 2),
                                               ([0, 1], 1, 2)])
def test_a_failed_run_fails_and_the_last_run_decides(dev, codes, want, runs):
    # 5 (nothing collected) is a failure too; after a failed forced run nothing else runs,
    # so the last summary line printed is the failing one
    dev.codes = list(codes)
    assert dev.test([]) == want and len(dev.calls) == runs


def test_kernels_option_and_plain_arguments(dev):
    assert dev.test(["--kernels", "sse"]) == 0
    assert dev.test(["--kernels=avx2", "tests/nn", "-x"]) == 0
    assert dev.test(["tests/io", "-q"]) == 0
    assert dev.calls == [([*dev.PYTEST, *dev.KERNEL_TESTS], "sse"), (["tests/nn", "-x"], "avx2"),
                         (["tests/io", "-q"], None)]
    assert dev.test(["--kernels", "avx512"]) == 2 and dev.test(["--kernels"]) == 2
    assert len(dev.calls) == 3


def _capability(env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", "import torch; "
                           "print(torch.backends.cpu.get_cpu_capability())"],
                          env=env, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("name, want", [("sse", "DEFAULT"), ("avx2", "AVX2")])
def test_a_forced_kernel_set_reaches_torch(dev, name, want):
    native = {k: v for k, v in os.environ.items() if k not in dev.KERNELS[name]}
    if name == "avx2" and _capability(native) not in {"AVX2", "AVX512"}:
        pytest.skip("this CPU has no AVX2")
    assert _capability({**native, **dev.KERNELS[name]}) == want
