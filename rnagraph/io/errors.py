"""The one exception type for malformed input files."""
from __future__ import annotations

import os


class InputError(ValueError):
    """Malformed input. The message names the file, the line (1-based) and what is wrong.

    Attributes:
        path (str | None): the offending file.
        line (int | None): 1-based line number, where one applies.
    """

    def __init__(self, message: str, path: str | os.PathLike | None = None,
                 line: int | None = None):
        self.path = None if path is None else str(path)
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)
