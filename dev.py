#!/usr/bin/env python3
"""Set up a local ``.venv`` and run the project's jobs.

Usage::

    python3 dev.py demo [ARGS...]   # set up, then run `rnagraph demo` on the synthetic default
    python3 dev.py test [ARGS...]   # set up (with test extras), then run the test suite
    python3 dev.py setup            # set up only

Needs only Python >= 3.10 (stdlib). Idempotent: the install is skipped when a stamp
file in ``.venv`` matches the hash of ``pyproject.toml`` and ``constraints.txt``.

PyTorch is installed first and pinned (``torch==2.13.0``): on our machines that is a
CPU wheel on local disk, while an unpinned ``torch`` pulls a multi-GB CUDA build.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
TORCH = "torch==2.13.0"
KARATE = "karateclub==1.3.3"


def _stamp(extras: str) -> str:
    h = hashlib.sha256(extras.encode())
    for name in ("pyproject.toml", "constraints.txt"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def _pip(*args: str) -> None:
    cmd = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q", *args]
    print("+", " ".join(cmd[2:]), flush=True)
    subprocess.check_call(cmd, cwd=ROOT)


def setup(test: bool) -> None:
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    extras = "test,karate" if test else ""
    stamp_file = VENV / f".rnagraph-setup-{'test' if test else 'run'}"
    stamp = _stamp(extras)
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return
    _pip("-c", "constraints.txt", TORCH)  # CPU build first, so pip keeps it
    _pip("-c", "constraints.txt", "-e", f".[{extras}]" if extras else ".")
    if test:
        # karateclub is a test-only reference; its metadata pins numpy<1.23, so --no-deps.
        try:
            _pip("--no-deps", KARATE)
        except subprocess.CalledProcessError:
            print("warning: karateclub could not be installed; karate tests will skip",
                  flush=True)
    stamp_file.write_text(stamp)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    job, rest = argv[0], argv[1:]
    setup(test=job in {"test", "setup"})
    if job == "setup":
        return 0
    if job == "demo":
        return subprocess.call([str(BIN / "rnagraph"), "demo", *rest], cwd=ROOT)
    # pytest exits 5 when no test was collected: that is a failure here.
    args = rest or ["-n", "2", "--dist", "loadfile", "-q"]
    return subprocess.call([str(PY), "-m", "pytest", *args], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
