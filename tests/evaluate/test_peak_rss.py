import subprocess
import sys

import pytest

from rnagraph.evaluate import peak_rss_mib


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        import os
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_child_process_reports_its_own_peak_not_its_parents():
    # ru_maxrss of a fork + exec child starts at the parent's resident size; the benchmark
    # workers (spawned folds, rank.py's scoring subprocess) must not report that as their own
    big = bytearray(400 * 2**20)
    big[::4096] = b"\x01" * len(big[::4096])               # touch every page
    parent = _rss_mib()
    assert peak_rss_mib() >= parent - 1                     # own peak >= current size
    code = ("import resource; from rnagraph.evaluate import peak_rss_mib; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, peak_rss_mib())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    maxrss, child = float(out[0]), float(out[1])
    assert maxrss >= parent - 1                  # the inherited figure this avoids
    assert child < parent - 300                  # the child never held the 400 MiB
    del big
