"""Shared fixtures and marker handling."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA_ROOT = os.environ.get("RNAGRAPH_DATA")


def data_root() -> Path | None:
    """The real-data root from ``$RNAGRAPH_DATA`` if it exists, else ``None``."""
    if DATA_ROOT and Path(DATA_ROOT).is_dir():
        return Path(DATA_ROOT)
    return None


def forced_kernels() -> str | None:
    """``"ATEN_CPU_CAPABILITY=<value>"`` when that variable forces PyTorch's CPU kernel set
    (``python3 dev.py test --kernels avx2|sse`` sets it, with MKL's and oneDNN's), else
    ``None``."""
    value = os.environ.get("ATEN_CPU_CAPABILITY")
    return f"ATEN_CPU_CAPABILITY={value}" if value else None


def pytest_configure(config):
    # One intra-op thread per test process: the suite runs on 2 cores with 2 xdist workers, and
    # oversubscribed torch threads made small training steps 30-50x slower on this machine.
    import torch
    torch.set_num_threads(1)
    config.addinivalue_line("markers", "inductor: compiles with torch.compile's default "
                            "(inductor) backend; skipped under a forced ATEN_CPU_CAPABILITY")
    config.addinivalue_line("markers", "learns: trains and asserts a quality bound (uses the "
                            "`margin` fixture; tools/margins.py measures these)")


def pytest_collection_modifyitems(config, items):
    forced = forced_kernels()
    if forced:
        # inductor's generated C++ does not follow a forced ATEN_CPU_CAPABILITY: with `default`
        # it does not compile ("'at::vec' has not been declared"), with `avx2` it compiled but
        # BilinearInteraction's output left the eager one's 1e-5; eager code and the
        # aot_eager backend are unaffected
        reason = f"{forced}: torch.compile's inductor does not follow a forced kernel set"
        for item in items:
            if "inductor" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))
    if data_root() is None:
        reason = ("real data absent: set RNAGRAPH_DATA to the shared data root "
                  f"(got {DATA_ROOT!r})")
        for item in items:
            if "realdata" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def real_root() -> Path:
    root = data_root()
    if root is None:
        pytest.skip("real data absent: RNAGRAPH_DATA unset or missing")
    return root


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never let a test write into the user's ~/.cache."""
    monkeypatch.setenv("RNAGRAPH_CACHE", str(tmp_path_factory.mktemp("rnagraph-cache")))


# ------------------------------------------------------------------ learning tests and margins
def pytest_itemcollected(item):
    # every test that records a quality bound through `margin` is a learning test
    if "margin" in getattr(item, "fixturenames", ()):
        item.add_marker("learns")


@pytest.fixture(scope="session")
def train_seed() -> int:
    """The seed of the learning tests' data and models: ``$RNAGRAPH_TEST_SEED``, default 0, so
    ``tools/margins.py`` runs the same tests under other seeds without edits."""
    return int(os.environ.get("RNAGRAPH_TEST_SEED", "0"))


class Margin:
    """Asserts a learning test's quality bounds. When ``$RNAGRAPH_MARGINS_OUT`` names a file
    (``tools/margins.py`` sets it), each bound first appends ``{test, seed, kernels, metric,
    value, bound, side}`` to it as one JSON line, and a crossed bound fails the test only at its
    end, so that the later bounds of the same test are measured too."""

    def __init__(self, test: str, seed: int):
        self.test, self.seed = test, seed
        self.out = os.environ.get("RNAGRAPH_MARGINS_OUT")
        self.failed: list[str] = []

    def _check(self, metric: str, value: float, bound: float, side: str) -> None:
        ok = value > bound if side == "above" else value < bound
        msg = f"{metric} = {value:.4f}, not {side} {bound}"
        if not self.out:
            assert ok, msg
            return
        import json
        rec = {"test": self.test, "seed": self.seed, "metric": metric,
               "kernels": os.environ.get("ATEN_CPU_CAPABILITY", "native"),
               "value": float(value), "bound": float(bound), "side": side}
        with open(self.out, "a") as fh:
            fh.write(json.dumps(rec) + "\n")
        if not ok:
            self.failed.append(msg)

    def above(self, metric: str, value: float, bound: float) -> None:
        """Assert ``value > bound`` (recorded as ``metric``)."""
        self._check(metric, float(value), bound, "above")

    def below(self, metric: str, value: float, bound: float) -> None:
        """Assert ``value < bound`` (recorded as ``metric``)."""
        self._check(metric, float(value), bound, "below")


@pytest.fixture
def margin(request, train_seed):
    """A learning test's bound checker (see :class:`Margin`); marks the test ``learns``."""
    m = Margin(request.node.nodeid, train_seed)
    yield m
    if m.failed:
        pytest.fail("; ".join(m.failed))
