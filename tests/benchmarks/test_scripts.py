"""Every benchmark script imports and parses ``--help`` (a renamed helper in ``_log`` or the
library must not leave a script that fails at its first line)."""
import runpy
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_imports_and_prints_help(script, monkeypatch, capsys):
    import torch
    threads = torch.get_num_threads()      # some scripts set it before parsing arguments
    monkeypatch.setattr(sys, "argv", [str(script), "--help"])
    monkeypatch.syspath_prepend(str(BENCH))
    try:
        with pytest.raises(SystemExit) as stop:
            runpy.run_path(str(script), run_name="__main__")
    finally:
        torch.set_num_threads(threads)
    assert stop.value.code == 0
    assert "usage:" in capsys.readouterr().out
