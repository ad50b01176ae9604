"""The one exception type for malformed input files."""
from __future__ import annotations

import os


class InputError(ValueError):
    """Malformed input. The message names the file, the line (1-based) and what is wrong.

    Attributes:
        path (str | None): the offending file.
        line (int | None): 1-based line number, where one applies.
        reason (str): the message without the file and line.
    """

    def __init__(self, message: str, path: str | os.PathLike | None = None,
                 line: int | None = None):
        self.path = None if path is None else str(path)
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)

    def one_line(self) -> str:
        """``FILE:LINE: reason`` (or ``FILE: reason``), the form the command line prints."""
        where = "" if self.path is None else (
            f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: ")
        return where + " ".join(self.reason.split())
