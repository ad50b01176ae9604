"""Fixtures for the reader tests."""
import pytest


@pytest.fixture
def write(tmp_path):
    """``write(name, text)`` -> path of a new file under ``tmp_path`` holding ``text``."""
    def _write(name, text):
        p = tmp_path / name
        p.write_text(text)
        return p
    return _write
