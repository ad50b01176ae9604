"""What every command shares: one-line errors, output safety, config replay, input loading."""
from __future__ import annotations

import re
import sys
import tempfile
import traceback
import warnings
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperGroup

#: progress bars and notes go to stderr, so stdout stays a clean table / result
console = Console(stderr=True)

EDGE_TYPES = {"circ-mirna": ("circrna", "binds", "mirna"),
              "mirna-mrna": ("mirna", "targets", "mrna")}


class CLIError(ValueError):
    """An error the command line reports as one line (``error: <message>``)."""


def _one_line(exc: BaseException) -> str:
    """The message of ``exc`` as the one line the user sees."""
    from rnagraph.io import InputError
    if isinstance(exc, InputError):
        return exc.one_line()
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror.lower()}"
    if isinstance(exc, KeyError) and exc.args:
        msg = str(exc.args[0])
    else:
        msg = str(exc)
    from rnagraph._extras import MissingExtra
    if not isinstance(exc, (ValueError, KeyError, OSError, LookupError, MissingExtra)):
        msg = (f"internal error ({type(exc).__name__}: {msg}); rerun with --debug for the "
               "traceback and please report it")
    return " ".join(msg.split())


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    console.print(f"warning: {' '.join(str(message).split())}", markup=False, highlight=False,
                  soft_wrap=True)


class OneLineErrors(TyperGroup):
    """The ``rnagraph`` group: any error ends the command with one line
    ``error: FILE:LINE: what is wrong and how to fix it`` on stderr and a non-zero exit
    (2 for a usage error, 1 otherwise); ``--debug`` anywhere on the line shows the traceback.
    Warnings print as one ``warning: ...`` line."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra: Any):
        from typer._click.exceptions import ClickException
        from typer.exceptions import Abort, Exit
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args
        args = [a for a in args if a != "--debug"]
        old = warnings.showwarning
        signals = _Signals()
        try:
            with warnings.catch_warnings(), signals:
                warnings.showwarning = _show_warning
                rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                  standalone_mode=False, **extra)
        except Exit as e:
            if signals.caught or isinstance(e.__cause__, KeyboardInterrupt):
                _error(signals.message())
                sys.exit(signals.exit_code())
            sys.exit(e.exit_code)
        except ClickException as e:
            if debug:
                raise
            ctx = getattr(e, "ctx", None)
            sub = " ".join(ctx.command_path.split()[1:]) if ctx is not None else ""
            hint = f" (see `rnagraph {sub} --help`)".replace("  ", " ") if ctx else ""
            _error(" ".join(e.format_message().split()) + hint)
            sys.exit(e.exit_code)
        except (Abort, KeyboardInterrupt):
            _error(signals.message())
            sys.exit(signals.exit_code())
        except Exception as e:  # every library error: one line, no traceback
            if debug:
                traceback.print_exc()
            _error(_one_line(e))
            sys.exit(1)
        finally:
            warnings.showwarning = old
        if signals.caught or rv == 130:  # typer returns 130 for a KeyboardInterrupt it caught
            _error(signals.message())
            sys.exit(signals.exit_code())
        if isinstance(rv, int) and rv:  # help / exit codes in non-standalone mode
            sys.exit(rv)
        sys.exit(0)


class _Signals:
    """While a command runs, SIGINT (Ctrl-C) and SIGTERM raise :class:`KeyboardInterrupt`, so
    every ``finally`` runs (an atomic write removes its temporary file) and the command ends
    with ``error: interrupted`` (exit 130) or ``error: terminated`` (exit 143). A signal the
    parent set to be ignored stays ignored; outside the main thread nothing is changed."""

    def __init__(self):
        self.caught: list[int] = []
        self._old: dict[int, Any] = {}

    def _handler(self, signum, frame):
        self.caught.append(signum)
        raise KeyboardInterrupt

    def __enter__(self):
        import signal
        import threading
        if threading.current_thread() is not threading.main_thread():
            return self
        for sig in (signal.SIGINT, signal.SIGTERM):
            cur = signal.getsignal(sig)
            if cur is signal.SIG_IGN:
                continue
            self._old[sig] = cur
            signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc):
        import signal
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        return False

    def message(self) -> str:
        import signal
        return "terminated" if self.caught and self.caught[-1] == signal.SIGTERM else "interrupted"

    def exit_code(self) -> int:
        return 143 if self.message() == "terminated" else 130


def _error(msg: str) -> None:
    console.print(f"error: {msg}", markup=False, highlight=False, soft_wrap=True)


# ----------------------------------------------------------------- outputs
def check_output(path: Path | str, force: bool, what: str = "output") -> Path:
    """Refuse to overwrite ``path`` without ``--force`` and fail early (before any work) when it
    cannot be written: its nearest existing folder must be a writable folder. A name ending in
    ``/`` (pass the option as a string to keep it) names a folder, not a file."""
    import os
    if isinstance(path, str) and path.endswith(("/", os.sep)):
        raise CLIError(f"{path}: ends with '/', so it names a folder; give a file name for the "
                       f"{what}, e.g. {path}{'model.rg' if what == 'model file' else 'out.csv'}")
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"{path}: is a directory; give a file name for the {what}")
    if path.exists() and not force:
        raise CLIError(f"{path}: exists; pass --force to overwrite it or choose another {what}")
    parent = path.parent
    while not parent.exists():
        if parent == parent.parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        raise CLIError(f"{path}: cannot write the {what}: {parent} is not a folder")
    try:  # a real probe: permissions, read-only file systems, root
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise CLIError(f"{path}: cannot write the {what}: folder {parent} is not writable "
                       f"({exc.strerror or exc})") from None
    return path


def sidecar(path: Path, suffix: str) -> Path:
    """``model.rg`` -> ``model<suffix>`` (the files a run writes beside its output)."""
    path = Path(path)
    return path.with_name((path.stem if path.suffix else path.name) + suffix)


# ----------------------------------------------------------------- config replay
def replay(ctx: typer.Context, config: Path | None, command: str, values: dict) -> dict:
    """Options of a run: with ``--config FILE`` every option not given on the command line is
    taken from the file (a configuration written by an earlier run of ``command``)."""
    from typer._click.core import ParameterSource

    from rnagraph.evaluate.run_config import read_config
    if config is None:
        check_seed(values.get("seed"))
        return dict(values)
    stored = read_config(config, command)["args"]
    out = dict(values)
    for k, v in stored.items():
        if k in ("config", "force") or k not in out:
            continue
        src = ctx.get_parameter_source(k) or ctx.get_parameter_source(k + "_")
        if src in (ParameterSource.DEFAULT, None):
            out[k] = v
    out["_replayed"] = read_config(config, command)
    check_seed(out.get("seed"), config)
    return out


#: the largest seed numpy's and torch's generators both take
MAX_SEED = 2**32 - 1


def check_seed(seed: object, config: Path | None = None) -> None:
    """``--seed`` must be an integer from 0 to 2**32 - 1 (numpy's generators refuse others with
    a message that does not name the option)."""
    if seed is None:
        return
    ok = isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= MAX_SEED
    if not ok:
        where = f" (from {config})" if config is not None else ""
        raise CLIError(f"--seed {seed!r}{where}: must be an integer from 0 to {MAX_SEED}")


def check_replay_data(values: dict, data_hash: str) -> None:
    cfg = values.get("_replayed")
    if cfg and cfg.get("dataset_hash") and cfg["dataset_hash"] != data_hash:
        raise CLIError(f"the data differ from those of the replayed run (hash {data_hash[:12]} "
                       f"vs {cfg['dataset_hash'][:12]} in the config): the numbers would differ")


def plain_args(values: dict) -> dict:
    return {k: v for k, v in values.items() if not k.startswith("_") and k not in ("force",
                                                                                 "config")}


# ----------------------------------------------------------------- inputs
def parse_float(name: str, value: float, lo: float, hi: float, *, lo_open: bool = False) -> float:
    import math
    ok = math.isfinite(value) and (value > lo if lo_open else value >= lo) and value <= hi
    if not ok:
        rng = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]"
        raise CLIError(f"--{name} {value}: must be a finite number in {rng}")
    return value


def parse_threshold(value: str) -> float | str:
    if value in ("val", "val-f1", "val-mcc"):
        return value
    try:
        thr = float(value)
    except ValueError:
        raise CLIError(f"--threshold {value!r}: give a probability in [0, 1] or 'val', "
                       "'val-f1', 'val-mcc'") from None
    return parse_float("threshold", thr, 0.0, 1.0)


def parse_columns(value: str) -> tuple[int, int]:
    try:
        a, b = (int(x) for x in value.split(","))
    except ValueError:
        raise CLIError(f"--columns {value!r}: give two 1-based column numbers, e.g. 1,2 or "
                       "2,1") from None
    if a < 1 or b < 1 or a == b:
        raise CLIError(f"--columns {value!r}: two different column numbers >= 1")
    return a - 1, b - 1


def edge_type_of(name: str | None, data) -> tuple[str, str, str]:
    if name is not None:
        if name not in EDGE_TYPES:
            raise CLIError(f"--edge-type {name!r}: choose one of {', '.join(EDGE_TYPES)}")
        et = EDGE_TYPES[name]
        if data is not None and et not in data.edge_types:
            raise CLIError(f"--edge-type {name}: the data have no {name} pairs")
        return et
    found = [et for et in EDGE_TYPES.values() if et in data.edge_types]
    if len(found) != 1:
        raise CLIError("the data have several interaction types: pass --edge-type")
    return found[0]


def sequence_specs(fasta: list[str]) -> list | dict:
    """``--fasta FILE`` (matched to a pair column by its ids) or ``--fasta TYPE=FILE``."""
    import os
    types = ("mirna", "mrna", "circrna")
    typed = {}
    plain = []
    for spec in fasta:
        nt, _, path = spec.partition("=")
        if path and nt in types:
            typed[nt] = path
        elif path and nt.lower() in types:
            raise CLIError(f"--fasta {spec}: node types are written in lower case: "
                           f"--fasta {nt.lower()}={path}")
        elif path and not os.path.exists(spec) and re.fullmatch(r"[A-Za-z_]+", nt):
            raise CLIError(f"--fasta {spec}: unknown node type {nt!r}; use "
                           f"{', '.join(t + '=FILE' for t in types)}, or a plain FILE")
        else:
            plain.append(spec)
    if typed and plain:
        raise CLIError("--fasta: name the type of every file (TYPE=FILE) or of none")
    return typed or plain


def load_data(dataset: str | None, pairs: Path | None, fasta: list[str], edge_type: str | None,
              columns: str, root: Path | None, seed: int):
    """The graph of a run: a named dataset (or ``synthetic``), or the user's pair file and
    sequence files. Returns ``(graph, edge_type)``."""
    if (dataset is None) == (pairs is None):
        raise CLIError("give either --dataset NAME or --pairs FILE (with --fasta FILE ...)")
    if dataset is not None:
        if dataset == "synthetic":
            from rnagraph.datasets import synthetic
            data = synthetic(seed=seed)
        else:
            from rnagraph.datasets import load
            seqs = sequence_specs(fasta) if fasta else None
            if isinstance(seqs, list):
                raise CLIError("--fasta with --dataset: name the node type, e.g. "
                               "--fasta circrna=circ.fa")
            data = load(dataset, root=root, sequences=seqs)
        return data, edge_type_of(edge_type, data)
    if edge_type is None:
        raise CLIError(f"--pairs needs --edge-type ({' or '.join(EDGE_TYPES)}) to say which "
                       "column holds which RNA")
    from rnagraph.data import read_graph
    et = edge_type_of(edge_type, None)
    data = read_graph(pairs, et, sequence_specs(fasta), columns=parse_columns(columns))
    return data, et


def progress():
    """A rich progress bar (stderr) with elapsed time."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)
