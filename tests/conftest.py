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


def pytest_configure(config):
    # One intra-op thread per test process: the suite runs on 2 cores with 2 xdist workers, and
    # oversubscribed torch threads made small training steps 30-50x slower on this machine.
    import torch
    torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
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
