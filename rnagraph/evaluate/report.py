"""A Markdown and HTML report of a ``cv`` or ``train`` run directory.

A ``cv`` run (``rnagraph cv ... --out RUN``) holds ``config.json`` and one folder per model with
``metrics.json`` and ``predictions.csv``; a ``train`` run holds, per trained model, the model
file, ``<name>.config.json`` and ``<name>.val.json`` (validation metrics and predictions). The
report has the metrics table (one row per model, mean ± std over folds), ROC and PR curves with
every model on one plot, the per-fold table of each model and the resolved configuration.
"""
from __future__ import annotations

import csv
import html
import json
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rnagraph.evaluate.plots import plot_models
from rnagraph.evaluate.results import CVResult, results_table
from rnagraph.io.atomic import atomic_write
from rnagraph.io.errors import InputError
from rnagraph.train.metrics import METRICS

#: the files :func:`write_report` writes into the run directory
REPORT_FILES = ("report.md", "report.html", "report_roc.png", "report_pr.png")


def _json(path: Path) -> dict:
    """A run file's JSON object; anything else is an :class:`InputError` naming the file (and
    the line of a syntax error)."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed run file (invalid JSON: {exc.msg}); rerun the command that "
                         "wrote it", path, exc.lineno) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"unreadable run file ({type(exc).__name__}); rerun the command that "
                         "wrote it", path) from None
    if not isinstance(obj, dict):
        raise InputError(f"malformed run file (a JSON {type(obj).__name__}, expected an object "
                         "written by rnagraph); rerun the command that wrote it", path)
    return obj


@contextmanager
def _malformed(path: Path):
    """A missing key or a value of the wrong type inside the block is reported against
    ``path`` as a malformed run file."""
    try:
        yield
    except KeyError as exc:
        raise InputError(f"malformed run file: no {exc.args[0]!r} entry; rerun the command that "
                         "wrote it", path) from None
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"malformed run file ({type(exc).__name__}: {exc}); rerun the command "
                         "that wrote it", path) from None


def _predictions(pred: Path, n_test: dict[int, int]) -> tuple[list[int], list[float]]:
    """Labels and scores of a ``predictions.csv``, checked row by row: a truncated or edited
    file is an :class:`InputError` naming the file and line; ``n_test`` (fold -> test pairs,
    from ``metrics.json``) must match the rows of each fold."""
    import math
    raw = pred.read_bytes()
    if raw and not raw.endswith(b"\n"):
        raise InputError("truncated: the last line is incomplete; rerun `rnagraph cv --out` "
                         "to rewrite it", pred, raw.count(b"\n") + 1)
    y, s = [], []
    counts: dict[int, int] = {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("unreadable predictions (not UTF-8 text)", pred) from None
    rows = csv.reader(text.splitlines())
    head = next(rows, None)
    need = ("fold", "label", "score")
    if head is None or any(c not in head for c in need):
        raise InputError(f"malformed predictions: the header must name {', '.join(need)}", pred,
                         1)
    col = {c: head.index(c) for c in need}
    for lineno, row in enumerate(rows, start=2):
        if len(row) != len(head):
            raise InputError(f"malformed predictions: {len(row)} fields where the header has "
                             f"{len(head)}", pred, lineno)
        lab, score, fold = row[col["label"]], row[col["score"]], row[col["fold"]]
        try:
            val = float(score)
            k = int(fold)
        except ValueError:
            val, k = math.nan, -1
        if lab not in ("0", "1") or not (0.0 <= val <= 1.0) or k < 0:
            raise InputError(f"malformed predictions: label {lab!r}, score {score!r}, fold "
                             f"{fold!r} (expected 0/1, a probability, a fold number)", pred,
                             lineno)
        y.append(int(lab))
        s.append(val)
        counts[k] = counts.get(k, 0) + 1
    for k, n in n_test.items():
        if counts.get(k, 0) != n:
            raise InputError(f"truncated or edited: fold {k} has {counts.get(k, 0)} rows but "
                             f"metrics.json counts {n} test pairs; rerun `rnagraph cv --out`",
                             pred)
    return y, s


def _cv_run(run: Path) -> tuple[dict, dict[str, CVResult], dict[str, tuple]]:
    results, curves = {}, {}
    for sub in sorted(p for p in run.iterdir() if (p / "metrics.json").is_file()):
        path = sub / "metrics.json"
        m = _json(path)
        with _malformed(path):
            r = CVResult(model=m["model"], edge_type=tuple(m["edge_type"]),
                         protocol=m["protocol"], mode=m["mode"],
                         folds=[{k: (np.nan if v is None else v) for k, v in f.items()}
                                for f in m["folds"]])
            for f in r.folds:
                int(f["fold"])
                for k in METRICS:
                    float(f[k])
            n_test = {int(f["fold"]): int(f["n_test"]) for f in r.folds if "n_test" in f}
        results[sub.name] = r
        y, s = [], []
        pred = sub / "predictions.csv"
        if pred.is_file():
            y, s = _predictions(pred, n_test)
        curves[sub.name] = (np.array(y), np.array(s))
    return results, curves


def _train_run(run: Path, configs: list[tuple[Path, dict]]
               ) -> tuple[dict[str, CVResult], dict[str, tuple]]:
    results, curves = {}, {}
    for path, cfg in configs:
        stem = path.name[:-len(".config.json")]
        val = run / f"{stem}.val.json"
        if not val.is_file():
            raise InputError(f"no {val.name} beside it: the train run did not finish; rerun "
                             "`rnagraph train`", path)
        v = _json(val)
        with _malformed(path):
            name = f"{cfg['args'].get('model')} ({stem})"
        with _malformed(val):
            results[name] = CVResult(model=v["model"], edge_type=tuple(v["edge_type"]),
                                     protocol="full", mode="warm",
                                     folds=[{"fold": 0, **v["metrics"]}])
            for k in METRICS:
                float(results[name].folds[0][k])
            curves[name] = (np.array(v["label"], dtype=int), np.array(v["score"], dtype=float))
        if curves[name][0].shape != curves[name][1].shape:
            raise InputError("malformed run file: 'label' and 'score' differ in length", val)
    return results, curves


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
                     + ["| " + " | ".join(r) + " |" for r in rows])


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                  for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def write_report(run_dir: str | Path, *, force: bool = False) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` (and the two curve PNGs) into ``run_dir``.

    Args:
        run_dir: a ``cv`` or ``train`` run directory.
        force (bool): replace an existing report. (default: ``False``)

    Returns:
        tuple[Path, Path]: the Markdown and HTML files.

    Raises:
        InputError: not a run directory, an unfinished or unreadable run.
        FileExistsError: a report exists and ``force`` is not set.
    """
    run = Path(run_dir)
    if not run.is_dir():
        raise InputError("not a directory; pass the --out folder of `rnagraph cv` or the "
                         "folder of a model written by `rnagraph train`", run)
    cv_cfg = run / "config.json"
    train_cfgs = [(p, _json(p)) for p in sorted(run.glob("*.config.json"))]
    train_cfgs = [(p, c) for p, c in train_cfgs if c.get("command") == "train"]
    if cv_cfg.is_file():
        config = _json(cv_cfg)
        results, curves = _cv_run(run)
        kind = "cv"
        configs = [("config.json", config)]
        if not results:
            raise InputError("the cv run has no finished model (no <model>/metrics.json); "
                             "rerun `rnagraph cv --out` to finish it", run)
    elif train_cfgs:
        results, curves = _train_run(run, train_cfgs)
        kind = "train"
        configs = [(p.name, c) for p, c in train_cfgs]
    else:
        raise InputError("not an rnagraph run directory (no config.json of `rnagraph cv --out` "
                         "and no <model>.config.json of `rnagraph train`)", run)
    if not force:
        for name in REPORT_FILES:
            if (run / name).exists():
                raise FileExistsError(f"{run / name} exists; pass --force to replace the report")
    first = next(iter(results.values()))
    title = (f"rnagraph {kind} report: {first.edge_type[0]}–{first.edge_type[2]}, "
             f"{first.mode}, protocol {first.protocol}")
    plot_models(run, curves, title=title)
    blocks: list[tuple] = [("h1", title)]
    if kind == "train":
        blocks.append(("p", "Metrics are on the validation pairs carved from the known pairs "
                            "(protocol 'full'): they were used for early stopping and "
                            "calibration, so they are optimistic. Use `rnagraph cv` to measure."))
    cap = results_table(results).split("\n", 1)[0] if kind == "cv" else "validation pairs"
    head = ["model", *METRICS]
    blocks += [("h2", "Metrics"), ("p", cap),
               ("table", head, [[n, *(r.summary(m, 3) for m in METRICS)]
                                for n, r in results.items()]),
               ("h2", "ROC and precision-recall curves"),
               ("img", "report_roc.png", "ROC curves"), ("img", "report_pr.png", "PR curves")]
    if kind == "cv":
        blocks.append(("h2", "Per fold"))
        for n, r in results.items():
            blocks += [("h3", n), ("table", ["fold", *METRICS],
                                   [[str(f["fold"]), *(f"{f[m]:.4f}" for m in METRICS)]
                                    for f in r.folds])]
    blocks.append(("h2", "Resolved configuration"))
    for name, cfg in configs:
        blocks += [("p", name), ("pre", json.dumps(cfg, indent=1, sort_keys=True))]
    md, body = [], []
    for b in blocks:
        if b[0] in ("h1", "h2", "h3"):
            md.append("#" * int(b[0][1]) + " " + b[1])
            body.append(f"<{b[0]}>{html.escape(b[1])}</{b[0]}>")
        elif b[0] == "p":
            md.append(b[1])
            body.append(f"<p>{html.escape(b[1])}</p>")
        elif b[0] == "table":
            md.append(_md_table(b[1], b[2]))
            body.append(_html_table(b[1], b[2]))
        elif b[0] == "img":
            md.append(f"![{b[2]}]({b[1]})")
            body.append(f'<img src="{b[1]}" alt="{b[2]}" width="420">')
        else:
            md.append("```json\n" + b[1] + "\n```")
            body.append(f"<pre>{html.escape(b[1])}</pre>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:"
             "collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}")
    page = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            f"</title><style>{style}</style></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")
    md_path = atomic_write(run / "report.md", "\n\n".join(md) + "\n")
    html_path = atomic_write(run / "report.html", page)
    return md_path, html_path


__all__ = ["write_report", "REPORT_FILES"]
