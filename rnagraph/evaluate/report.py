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
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"unreadable run file ({type(exc).__name__}); rerun the command that "
                         "wrote it", path) from None


def _cv_run(run: Path) -> tuple[dict, dict[str, CVResult], dict[str, tuple]]:
    results, curves = {}, {}
    for sub in sorted(p for p in run.iterdir() if (p / "metrics.json").is_file()):
        m = _json(sub / "metrics.json")
        r = CVResult(model=m["model"], edge_type=tuple(m["edge_type"]), protocol=m["protocol"],
                     mode=m["mode"], folds=[{k: (np.nan if v is None else v) for k, v in f.items()}
                                            for f in m["folds"]])
        results[sub.name] = r
        y, s = [], []
        pred = sub / "predictions.csv"
        if pred.is_file():
            with open(pred, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    y.append(int(row["label"]))
                    s.append(float(row["score"]))
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
        name = f"{cfg['args'].get('model')} ({stem})"
        results[name] = CVResult(model=v["model"], edge_type=tuple(v["edge_type"]),
                                 protocol="full", mode="warm", folds=[{"fold": 0, **v["metrics"]}])
        curves[name] = (np.array(v["label"]), np.array(v["score"]))
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
