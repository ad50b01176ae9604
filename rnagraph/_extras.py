"""The error of a missing optional dependency (an extra of ``pyproject.toml``)."""
from __future__ import annotations


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message says what needs it and how to
    install it. The command line shows it as the user's one line, not as an internal error."""


__all__ = ["MissingExtra"]
