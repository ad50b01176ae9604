"""Atomic writes: the finished file follows the umask; killed runs' temporaries are cleaned."""
import os
import subprocess
import sys

import pytest

from rnagraph.io.atomic import atomic_path, atomic_write, clean_stale, current_umask


@pytest.fixture
def umask():
    def set_(mask):
        os.umask(mask)
    old = os.umask(0o022)
    os.umask(old)
    yield set_
    os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_the_file_follows_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    assert current_umask() == mask
    p = atomic_write(tmp_path / "out.csv", "a,b\n")
    assert p.stat().st_mode & 0o777 == mode
    assert p.read_text() == "a,b\n"


def test_an_error_leaves_the_old_file_and_no_temporary(tmp_path):
    p = atomic_write(tmp_path / "out.csv", "old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(p) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert p.read_text() == "old\n"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["out.csv"]


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_temporaries_of_killed_runs_are_removed_on_the_next_write(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".out.csv.rnagraph-{dead}-abc123.tmp"
    live = tmp_path / f".out.csv.rnagraph-{os.getppid()}-def456.tmp"   # a running process
    foreign = tmp_path / ".out.csv.someone-else.tmp"                    # not ours
    other = tmp_path / f".other.csv.rnagraph-{dead}-x.tmp"              # beside another file
    for f in (stale, live, foreign, other):
        f.write_bytes(b"x" * 100)
    atomic_write(tmp_path / "out.csv", "new\n")
    left = sorted(f.name for f in tmp_path.iterdir())
    assert left == sorted(["out.csv", live.name, foreign.name, other.name])
    assert clean_stale(tmp_path / "other.csv") == [other]


def test_sigkill_mid_write_then_the_next_run_cleans_up(tmp_path):
    """A writer killed between creating its temporary and the rename leaves it behind; the next
    write of the same path removes it and writes the whole file."""
    code = ("import os, signal, sys\n"
            "from rnagraph.io.atomic import atomic_path\n"
            "with atomic_path(sys.argv[1]) as tmp:\n"
            "    tmp.write_bytes(b'x' * 1000)\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    target = tmp_path / "ranked.csv"
    proc = subprocess.run([sys.executable, "-c", code, str(target)])
    assert proc.returncode == -9
    assert not target.exists() and len(list(tmp_path.glob(".ranked.csv.rnagraph-*.tmp"))) == 1
    atomic_write(target, "rank\n")
    assert [f.name for f in tmp_path.iterdir()] == ["ranked.csv"]
