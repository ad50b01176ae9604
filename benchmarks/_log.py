"""The benchmarks' logger: a table printed, stored as a run record and written as its section.

:class:`~rnagraph.evaluate.records.BenchmarkLog` (or ``write_section``) stores
``benchmarks/store/<section>.json`` and regenerates ``<!-- section: NAME -->`` of its page from
it, so the scripts and ``benchmarks/report.py`` never disagree; this module re-exports it for
the scripts with ``timer``, ``machine`` and ``peak_rss_mib``.
"""
from __future__ import annotations

from rnagraph.evaluate import peak_rss_mib  # noqa: F401  (re-exported)
from rnagraph.evaluate.records import (  # noqa: F401  (re-exported)
    BENCHMARKS_HEADER,
    STORE,
    BenchmarkLog,
    machine,
    timer,
    write_section,
)
from rnagraph.evaluate.records import REPO as ROOT  # noqa: F401  (re-exported)
