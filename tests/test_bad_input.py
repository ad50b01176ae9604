"""Malformed input through the command line: every case ends in ONE line
``error: FILE[:LINE]: ...`` naming the file, a non-zero exit, no traceback, and no output left
behind (not even a temporary file)."""
from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from rnagraph.cli import app
from rnagraph.io import InputError, read_interaction_matrix

runner = CliRunner()
CM = ["--edge-type", "circ-mirna"]


def _seq(rng, n):
    return "".join(rng.choice(list("ACGU"), n))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Valid files: 5 miRNAs, 8 circRNAs, 16 pairs (circRNA first), and a model trained on them."""
    d = tmp_path_factory.mktemp("base")
    rng = np.random.default_rng(0)
    mir = {f"miR-{i}": _seq(rng, 22) for i in range(5)}
    circ = {f"circ_{i}": _seq(rng, 120) for i in range(8)}
    (d / "mir.fa").write_text("".join(f">{k}\n{v}\n" for k, v in mir.items()))
    (d / "circ.fa").write_text("".join(f">{k}\n{v}\n" for k, v in circ.items()))
    pairs = sorted({(f"circ_{(i * 3) % 8}", f"miR-{(i * 7) % 5}") for i in range(16)})
    (d / "pairs.csv").write_text("".join(f"{a},{b}\n" for a, b in pairs))
    res = runner.invoke(app, ["train", "--model", "degree", "--pairs", str(d / "pairs.csv"),
                              "--fasta", str(d / "mir.fa"), "--fasta", str(d / "circ.fa"),
                              *CM, "--save", str(d / "model.rg")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["train", "--model", "svd", "--set", "dim=4", "--pairs",
                              str(d / "pairs.csv"), *CM, "--save", str(d / "svd.rg")])
    assert res.exit_code == 0, res.output
    return d


class Env:
    """Per-test paths: ``base`` (valid files), ``tmp`` (bad files), ``out`` (an empty folder
    where outputs would go), ``cv_run`` (a finished cv run to copy)."""

    def __init__(self, base: Path, tmp: Path, cv_run: Path | None = None):
        self.base, self.tmp, self.cv_run = base, tmp, cv_run
        self.out = tmp / "out"
        self.out.mkdir()

    def write(self, name: str, data: str | bytes) -> Path:
        p = self.tmp / name
        (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
        return p

    def train(self, pairs=None, fasta=None, *extra, model="degree"):
        pairs = pairs or self.base / "pairs.csv"
        fasta = fasta if fasta is not None else [self.base / "mir.fa", self.base / "circ.fa"]
        return ["train", "--model", model, "--pairs", str(pairs),
                *[a for f in fasta for a in ("--fasta", str(f))], *CM,
                "--save", str(self.out / "m.rg"), *extra]

    def predict(self, model=None, pairs=None, *extra):
        return ["predict", "--model", str(model or self.base / "model.rg"), "--pairs",
                str(pairs or self.base / "pairs.csv"), "--out", str(self.out / "s.csv"), *extra]

    def rank(self, *extra, model=None):
        return ["rank", "--model", str(model or self.base / "model.rg"),
                "--out", str(self.out / "r.csv"), *extra]

    def cv(self, *extra):
        return ["cv", "synthetic", "--model", "degree", "--folds", "2", *CM, *extra]


def _gz_truncated(text: str) -> bytes:
    return gzip.compress(text.encode())[:-12]


def _model_file(env: Env, **changes) -> Path:
    obj = torch.load(env.base / "model.rg", weights_only=True)
    obj.update(changes)
    p = env.tmp / "other.rg"
    torch.save(obj, p)
    return p


def _another_run(env: Env):
    """A finished cv run in out/run, then the same command with another seed."""
    res = runner.invoke(app, env.cv("--out", str(env.out / "run")))
    assert res.exit_code == 0, res.output
    return env.cv("--out", str(env.out / "run"), "--seed", "3"), ["holds another run", "--force"]


def _edited_tensors(env: Env, edit, name: str = "model.rg") -> Path:
    """The base model file ``name`` with its tensors changed by ``edit(obj)``."""
    obj = torch.load(env.base / name, weights_only=True)
    edit(obj)
    p = env.tmp / "edited.rg"
    torch.save(obj, p)
    return p


def _edited_model(env: Env, edit) -> Path:
    """The base model file with its JSON metadata changed by ``edit(meta)``."""
    obj = torch.load(env.base / "model.rg", weights_only=True)
    meta = json.loads(obj["json"])
    edit(meta)
    obj["json"] = json.dumps(meta)
    p = env.tmp / "edited.rg"
    torch.save(obj, p)
    return p


@pytest.fixture(scope="module")
def cv_run(tmp_path_factory):
    """A finished ``cv --out`` run (degree, 2 folds) to copy and damage."""
    d = tmp_path_factory.mktemp("cvrun") / "run"
    res = runner.invoke(app, ["cv", "synthetic", "--model", "degree", "--folds", "2", *CM,
                              "--out", str(d)])
    assert res.exit_code == 0, res.output
    return d


def _run_copy(env: Env, edit) -> list[str]:
    """``report`` on a copy of the cv run whose files ``edit(run_dir)`` damaged."""
    import shutil
    run = env.tmp / "run"
    shutil.copytree(env.cv_run, run)
    edit(run)
    return ["report", str(run)]


def _train_copy(env: Env, edit) -> list[str]:
    """``report`` on a copy of the base train run (model, config, val.json) after ``edit``."""
    import shutil
    run = env.tmp / "trun"
    run.mkdir()
    for name in ("model.rg", "model.config.json", "model.val.json"):
        shutil.copy(env.base / name, run / name)
    edit(run)
    return ["report", str(run)]


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


def _drop_last_rows(path: Path, n: int) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-n]))


def _set_json(path: Path, fn) -> None:
    obj = json.loads(path.read_text())
    path.write_text(json.dumps(fn(obj)))


def _mir(i):
    return f"miR-{i}"


def _swapped_rows(e: Env, rows: tuple[int, ...]) -> Path:
    """The base pairs with the rows ``rows`` (0-based) written miRNA first."""
    lines = (e.base / "pairs.csv").read_text().splitlines()
    out = [",".join(reversed(ln.split(","))) if i in rows else ln for i, ln in enumerate(lines)]
    return e.write("p.csv", "\n".join(out) + "\n")


def _big_pairs_with_nul(e: Env) -> Path:
    rows = "".join(f"circ_{i % 8},miR-{i % 5}\n" for i in range(6000))
    return e.write("p.csv", rows.encode() + b"circ_\x000,miR-1\n")


# (id, setup(env) -> (args, [strings the error line must hold]))
CASES = [
    # ---- pair files
    ("pairs-empty", lambda e: (e.train(e.write("p.csv", "")), ["p.csv", "empty file"])),
    ("pairs-blank-lines", lambda e: (e.train(e.write("p.csv", "\n \n")), ["p.csv", "empty"])),
    ("pairs-missing", lambda e: (e.train(e.tmp / "nope.csv"), ["nope.csv", "file not found"])),
    ("pairs-directory", lambda e: (e.train(e.tmp), [str(e.tmp), "is a directory"])),
    ("pairs-binary", lambda e: (e.train(e.write("p.csv", b"\x00\x01\x02PK\x03")),
                                ["p.csv", "binary file"])),
    ("pairs-not-utf8", lambda e: (e.train(e.write("p.csv", b"circ_0,miR-0\ncirc_1,miR-1\n"
                                                           b"circ_\xe9,miR-2\n")),
                                  ["p.csv:3:", "not UTF-8"])),
    ("pairs-truncated-gzip", lambda e: (e.train(e.write("p.csv.gz", _gz_truncated(
        "circ_0,miR-0\n" * 50))), ["p.csv.gz", "truncated or corrupt gzip"])),
    ("pairs-semicolons", lambda e: (e.train(e.write("p.csv", "circ_0;miR-0\ncirc_1;miR-1\n")),
                                    ["p.csv:1:", "expected at least 2 columns", "semicolons"])),
    ("pairs-extra-column", lambda e: (e.train(e.write("p.csv", "circ_0,miR-0\ncirc_1,miR-1\n"
                                                                "circ_2,miR-2,x\n")),
                                      ["p.csv:3:", "wrong column count"])),
    ("pairs-one-column", lambda e: (e.train(e.write("p.csv", "circ_0\ncirc_1\n")),
                                    ["p.csv:1:", "expected at least 2 columns"])),
    ("pairs-empty-id", lambda e: (e.train(e.write("p.csv", "circ_0,miR-0\n,miR-1\n")),
                                  ["p.csv:2:", "empty id"])),
    ("pairs-swapped", lambda e: (e.train(e.write("p.csv", "miR-0,circ_0\nmiR-1,circ_1\n"),
                                         [f"mirna={e.base / 'mir.fa'}",
                                          f"circrna={e.base / 'circ.fa'}"]),
                                 ["p.csv", "look swapped", "columns 2,1"])),
    ("pairs-10MB-line", lambda e: (e.train(e.write("p.csv", "A" * 10_000_000 + "\n")),
                                   ["p.csv:1:", "field larger than field limit"])),
    # ---- sequence files
    ("fasta-empty", lambda e: (e.train(None, [e.write("s.fa", "")]), ["s.fa", "empty file"])),
    ("fasta-missing", lambda e: (e.train(None, [e.tmp / "no.fa"]), ["no.fa", "not found"])),
    ("fasta-duplicate-id", lambda e: (e.train(None, [e.write("s.fa", ">miR-0\nACGU\n>miR-0\n"
                                                                     "ACGU\n")]),
                                      ["s.fa:3:", "duplicate id 'miR-0'"])),
    ("fasta-bad-letter", lambda e: (e.train(None, [e.write("s.fa", ">miR-0\nACXGU\n")]),
                                    ["s.fa:2:", "'X'", "position 3"])),
    ("fasta-ACRZ", lambda e: (e.train(None, [e.write("s.fa", ">miR-0\nACRZ\n")]),
                              ["s.fa:2:", "'Z'", "position 4"])),
    ("fasta-seq-before-header", lambda e: (e.train(None, [e.write("s.fa", "ACGU\n>a\nAC\n")]),
                                           ["s.fa:1:", "before any '>' header"])),
    ("fasta-empty-record", lambda e: (e.train(None, [e.write("s.fa", ">miR-0\n>miR-1\nAC\n")]),
                                      ["s.fa:1:", "empty record"])),
    ("fasta-binary", lambda e: (e.train(None, [e.write("s.fa", b">a\nAC\x00\x00GT\n")]),
                                ["s.fa", "binary file"])),
    ("fasta-not-utf8", lambda e: (e.train(None, [e.write("s.fa", b">miR-0\nACGU\n>\xff\nAC\n")]),
                                  ["s.fa:3:", "not UTF-8"])),
    ("fasta-truncated-gzip", lambda e: (e.train(None, [e.write("s.fa.gz", _gz_truncated(
        ">miR-0\nACGUACGU\n" * 40))]), ["s.fa.gz", "truncated or corrupt gzip"])),
    ("fasta-ids-match-nothing", lambda e: (e.train(None, [e.write("s.fa", ">zz\nACGU\n")]),
                                           ["s.fa", "none of its 1 ids"])),
    ("fasta-wrong-type", lambda e: (e.train(None, ["mrna=" + str(e.write("s.fa", ">a\nAC\n"))]),
                                    ["s.fa", "not a side"])),
    ("fasta-10MB-line", lambda e: (e.train(None, [e.write("s.fa", ">miR-0\n" + "A" * 10_000_000
                                                          + "Z\n")]),
                                   ["s.fa:2:", "'Z'", "position 10000001"])),
    ("seqtable-one-column", lambda e: (e.train(None, [e.write("s.csv", "miR-0\nmiR-1\n")]),
                                       ["s.csv:1:", "expected at least 2 columns"])),
    ("seqtable-empty-sequence", lambda e: (e.train(None, [e.write("s.csv", "miR-0,ACGU\n"
                                                                            "miR-1,\n")]),
                                           ["s.csv:2:", "empty sequence"])),
    # ---- options
    ("cv-threshold-5", lambda e: (e.cv("--threshold", "5"), ["--threshold 5", "[0, 1]"])),
    ("cv-threshold-word", lambda e: (e.cv("--threshold", "high"), ["--threshold 'high'"])),
    ("cv-ratio-nan", lambda e: (e.cv("--ratio", "nan"), ["--ratio nan", "finite"])),
    ("cv-ratio-inf", lambda e: (e.cv("--ratio", "inf"), ["--ratio inf", "finite"])),
    ("cv-folds-1", lambda e: (e.cv("--folds", "1"), ["--folds", "rnagraph cv --help"])),
    ("train-val-ratio-0", lambda e: (e.train(None, None, "--val-ratio", "0"), ["--val-ratio"])),
    ("train-unknown-model", lambda e: (e.train(model="nope"), ["unknown model 'nope'"])),
    ("cv-unknown-model", lambda e: (["cv", "synthetic", "--model", "nope", *CM],
                                    ["unknown model 'nope'"])),
    ("train-unknown-dataset", lambda e: (["train", "--dataset", "nope", "--save",
                                          str(e.out / "m.rg")], ["unknown dataset 'nope'"])),
    ("train-unknown-edge-type", lambda e: (e.train(None, None, "--edge-type", "x"),
                                           ["--edge-type 'x'"])),
    ("train-bad-columns", lambda e: (e.train(None, None, "--columns", "1"), ["--columns '1'"])),
    ("train-set-unknown-param", lambda e: (e.train(None, None, "--set", "bogus=1"),
                                           ["no parameter 'bogus'"])),
    ("train-seedmatch-no-circ-sequences", lambda e: (
        e.train(None, [e.base / "mir.fa"], model="seedmatch"),
        ["'seedmatch' needs circrna sequences"])),
    ("rank-top-0", lambda e: (e.rank("--top", "0"), ["--top 0"])),
    ("rank-unknown-rna", lambda e: (e.rank("--rna", "miR-99"), ["'miR-99'", "not in the model"])),
    # ---- model files
    ("model-missing", lambda e: (e.predict(e.tmp / "no.rg"), ["no.rg", "no such model file"])),
    ("model-truncated", lambda e: (e.predict(e.write("t.rg", (e.base / "model.rg").read_bytes()
                                                     [:300])),
                                   ["t.rg", "truncated or corrupted"])),
    ("model-not-a-model", lambda e: (e.predict(e.base / "pairs.csv"),
                                     ["pairs.csv", "not a readable rnagraph model file"])),
    ("model-other-version", lambda e: (e.predict(_model_file(e, format_version=99)),
                                       ["other.rg", "format version 99"])),
    ("model-other-class", lambda e: (e.predict(_model_file(e, **{"class": "x.Other"})),
                                     ["other.rg", "unknown model class"])),
    ("model-of-another-model", lambda e: (e.predict(_model_file(
        e, **{"class": "rnagraph.models.svd_link.TruncatedSVDLink"})),
        ["other.rg", "damaged or edited model file", "no parameter 'smoothing'"])),
    ("predict-unknown-ids", lambda e: (e.predict(None, e.write("p.csv", "circ_x,miR-0\n"
                                                                        "circ_0,miR-x\n")),
                                       ["p.csv", "none of the 2 pairs can be scored",
                                        "'circ_x'"])),
    ("predict-swapped", lambda e: (e.predict(None, e.write("p.csv", "miR-0,circ_0\n")),
                                   ["p.csv", "look swapped", "--columns 2,1"])),
    # ---- outputs
    ("out-exists", lambda e: (e.train(None, None, "--save", str(e.base / "model.rg")),
                              ["model.rg", "exists; pass --force"])),
    ("out-is-directory", lambda e: (e.train(None, None, "--save", str(e.out)),
                                    [str(e.out), "is a directory"])),
    ("out-under-a-file", lambda e: (e.train(None, None, "--save", str(e.base / "pairs.csv" / "m")),
                                    ["pairs.csv", "not a folder"])),
    ("out-unwritable", lambda e: (e.train(None, None, "--save", "/proc/rnagraph-test/m.rg"),
                                  ["/proc/rnagraph-test/m.rg", "not writable"])),
    ("cv-out-holds-another-run", lambda e: _another_run(e)),
    ("cv-out-is-file", lambda e: (e.cv("--out", str(e.base / "pairs.csv")),
                                  ["pairs.csv", "is a file"])),
    # ---- configs
    ("config-not-json", lambda e: (e.cv("--config", str(e.write("c.json", "{oops"))),
                                   ["c.json:1:", "not valid JSON"])),
    ("config-other-command", lambda e: (e.rank("--config", e.base / "model.config.json"),
                                        ["model.config.json", "`rnagraph train`"])),
    # ---- issue 33: labelled pair files
    *[(f"label-{name}", (lambda v: lambda e: (
        e.train(e.write("p.csv", f"circ_0,miR-0,1\ncirc_1,miR-1,{v}\n")),
        [f"p.csv:2: label {v!r} in column 3 is not 0 or 1 (1 = interaction, 0 = known "
         "non-interaction)"]))(value))
      for name, value in (("2", "2"), ("minus-1", "-1"), ("yes", "yes"), ("NaN", "NaN"),
                          ("empty", ""), ("true", "true"))],
    ("label-conflict", lambda e: (e.train(e.write("p.csv", "circ_0,miR-0,1\ncirc_1,miR-1,1\n"
                                                         "circ_0,miR-0,0\n")),
                                  ["p.csv:3: pair ('circ_0', 'miR-0') is labelled 1 on line 1 "
                                   "and 0 on line 3; keep one of the two rows"])),
    ("label-header-bad-value", lambda e: (
        e.train(e.write("p.csv", "circRNA,miRNA,label\ncirc_0,miR-0,1\ncirc_1,miR-1,0.5\n")),
        ["p.csv:3: label '0.5' in column 3 is not 0 or 1"])),
    ("label-all-zero", lambda e: (e.train(e.write("p.csv", "circ_0,miR-0,0\ncirc_1,miR-1,0\n")),
                                  ["p.csv: no interacting pair: all 2 rows are labelled 0"])),
    ("label-header-on-id-column", lambda e: (
        e.train(e.write("p.csv", "label,miRNA\ncirc_0,miR-0\n")),
        ["p.csv: column 1 is named 'label' but is read as an id column; check --columns"])),
    # ---- swaps (from the ids) and headers
    ("swapped-plain-fasta", lambda e: (e.train(_swapped_rows(e, tuple(range(16)))),
                                       ["p.csv:1: the pair columns look swapped: column 1 should "
                                        "hold circrna ids but holds miRNA names", "pass --columns "
                                        "2,1"])),
    ("swapped-no-fasta", lambda e: (e.train(_swapped_rows(e, tuple(range(16))), []),
                                    ["p.csv:1: the pair columns look swapped", "--columns 2,1"])),
    ("swapped-few-rows", lambda e: (e.train(_swapped_rows(e, (4, 9)), []),
                                    ["p.csv:5: the pair columns look swapped in 2 of ",
                                     "the miRNA name", "on line 5; swap those rows (or pass "
                                     "--columns 2,1 if most rows are the other way round)"])),
    ("swapped-with-columns-given", lambda e: (
        e.train(None, [], "--columns", "2,1"),
        ["pairs.csv:1: the pair columns look swapped", "pass --columns 1,2"])),
    ("swapped-mirna-mrna", lambda e: (
        ["train", "--pairs", str(e.write("p.csv", "ENSG1,hsa-miR-21-5p\nENSG2,hsa-let-7a\n")),
         "--edge-type", "mirna-mrna", "--save", str(e.out / "m.rg")],
        ["p.csv:1: the pair columns look swapped: column 2 should hold mrna ids but holds miRNA "
         "names ('hsa-miR-21-5p' on line 1); pass --columns 2,1"])),
    ("self-pair", lambda e: (e.train(e.write("p.csv", "circ_0,miR-0\nmiR-1,miR-1\n")),
                             ["p.csv:2: self-pair: 'miR-1' in both columns"])),
    # ---- the other silent cases
    ("pairs-nul-past-64KB", lambda e: (e.train(_big_pairs_with_nul(e)),
                                       ["p.csv:6001: a NUL byte (binary data) in the text"])),
    ("fasta-seq-nan", lambda e: (e.train(None, [e.write("s.fa", ">miR-0\nACGU\n>miR-1\nnan\n"),
                                                e.base / "circ.fa"]),
                                 ["s.fa:4: sequence 'nan' is a missing value, not a sequence"])),
    ("fasta-seq-NA", lambda e: (e.train(None, [e.write("s.fa", ">miR-0\nNA\n"),
                                               e.base / "circ.fa"]),
                                ["s.fa:2: sequence 'NA' is a missing value"])),
    ("seqtable-seq-None", lambda e: (e.train(None, [e.write("s.csv", "miR-0,ACGU\nmiR-1,None\n"),
                                                    e.base / "circ.fa"]),
                                     ["s.csv:2: sequence 'None' is a missing value"])),
    ("model-nan-calibrator", lambda e: (
        e.predict(_edited_model(e, lambda m: m.update(calibrator={"coef": math.nan,
                                                                  "intercept": 0.0}))),
        ["edited.rg: damaged or edited model file", "calibrator holds a value that is not a "
         "finite number"])),
    ("predict-out-trailing-slash", lambda e: (
        ["predict", "--model", str(e.base / "model.rg"), "--pairs", str(e.base / "pairs.csv"),
         "--out", str(e.out / "res") + "/"],
        [f"{e.out / 'res'}/: ends with '/', so it names a folder; give a file name for the "
         f"output, e.g. {e.out / 'res'}/out.csv"])),
    ("train-save-trailing-slash", lambda e: (e.train(None, None, "--save", str(e.out / "m") + "/"),
                                             ["ends with '/'", "m/model.rg"])),
    ("rank-out-trailing-slash", lambda e: (["rank", "--model", str(e.base / "model.rg"), "--out",
                                            str(e.out / "r") + "/"], ["ends with '/'"])),
    ("report-truncated-predictions", lambda e: (
        _run_copy(e, lambda r: _truncate(r / "degree" / "predictions.csv", 0.5)),
        ["predictions.csv:", "truncated: the last line is incomplete"])),
    ("report-predictions-missing-rows", lambda e: (
        _run_copy(e, lambda r: _drop_last_rows(r / "degree" / "predictions.csv", 3)),
        ["predictions.csv: truncated or edited: fold 1 has", "metrics.json counts"])),
    ("report-predictions-bad-label", lambda e: (
        _run_copy(e, lambda r: (r / "degree" / "predictions.csv").write_text(
            (r / "degree" / "predictions.csv").read_text().replace(",1,leakage", ",7,leakage",
                                                                    1))),
        ["predictions.csv:2: malformed predictions: label '7'"])),
    ("report-config-is-a-list", lambda e: (
        _run_copy(e, lambda r: (r / "config.json").write_text("[1, 2]\n")),
        ["config.json: malformed run file (a JSON list, expected an object"])),
    ("report-metrics-invalid-json", lambda e: (
        _run_copy(e, lambda r: (r / "degree" / "metrics.json").write_text('{\n"model": \n')),
        ["metrics.json:3: malformed run file (invalid JSON"])),
    ("report-metrics-missing-key", lambda e: (
        _run_copy(e, lambda r: _set_json(r / "degree" / "metrics.json",
                                         lambda m: {k: v for k, v in m.items() if k != "folds"})),
        ["metrics.json: malformed run file: no 'folds' entry"])),
    ("report-metrics-bad-value", lambda e: (
        _run_copy(e, lambda r: _set_json(r / "degree" / "metrics.json", lambda m: {
            **m, "folds": [{**f, "auc": "high"} for f in m["folds"]]})),
        ["metrics.json: malformed run file (ValueError"])),
    ("report-train-val-malformed", lambda e: (
        _train_copy(e, lambda r: _set_json(r / "model.val.json",
                                           lambda v: {**v, "score": "none"})),
        ["model.val.json: malformed run file"])),
    ("config-is-a-list", lambda e: (e.cv("--config", str(e.write("c.json", "[]"))),
                                    ["c.json: not an rnagraph run configuration"])),
    # ---- messages that name what is wrong
    ("train-seed-negative", lambda e: (e.train(None, None, "--seed", "-1"),
                                       ["--seed -1: must be an integer from 0 to 4294967295"])),
    ("train-seed-too-big", lambda e: (e.train(None, None, "--seed", str(2**32)),
                                      ["--seed 4294967296: must be an integer from 0"])),
    ("cv-seed-negative", lambda e: (e.cv("--seed", "-1"), ["--seed -1: must be an integer"])),
    ("cv-set-unknown-key", lambda e: (e.cv("--set", "nope=1"),
                                      ["--set nope: DegreeProduct has no parameter 'nope'"])),
    ("cv-set-wrong-type", lambda e: (e.cv("--set", "smoothing=lots"),
                                     ["--set smoothing=lots: DegreeProduct.smoothing takes a "
                                      "finite number"])),
    ("demo-seed-negative", lambda e: (["demo", "--seed", "-1", "--models", "degree"],
                                      ["--seed -1: must be an integer"])),
    ("train-set-wrong-type", lambda e: (e.train(None, None, "--set", "dim=abc", model="svd"),
                                        ["--set dim=abc: TruncatedSVDLink.dim takes an integer "
                                         "(default 64)"])),
    ("train-set-float-for-int", lambda e: (e.train(None, None, "--set", "dim=3.5", model="svd"),
                                           ["--set dim=3.5: TruncatedSVDLink.dim takes an "
                                            "integer"])),
    ("train-set-string-for-float", lambda e: (e.train(None, None, "--set", "smoothing=lots"),
                                              ["--set smoothing=lots: DegreeProduct.smoothing "
                                               "takes a finite number (default 0.0)"])),
    ("model-edited-param-type", lambda e: (
        e.predict(_edited_model(e, lambda m: m["params"].update(smoothing="x"))),
        ["edited.rg: damaged or edited model file", "smoothing takes a finite number"])),
    ("model-edited-class-is-a-list", lambda e: (e.predict(_model_file(e, **{"class": ["x"]})),
                                                ["other.rg: unknown model class ['x']"])),
    ("model-edited-json-syntax", lambda e: (e.predict(_model_file(e, json="{not json")),
                                            ["other.rg: damaged or edited model file "
                                             "(JSONDecodeError"])),
    ("model-edited-graph-meta", lambda e: (
        e.predict(_edited_model(e, lambda m: m.update(graph=[1, 2]))),
        ["edited.rg: damaged or edited model file", "refit the model"])),
    ("model-edited-edge-type", lambda e: (
        e.predict(_edited_model(e, lambda m: m.update(edge_type=["circrna", "binds", "mrna"]))),
        ["edited.rg: damaged or edited model file", "names node type 'mrna', which the graph "
         "lacks"])),
    ("model-edited-ids", lambda e: (
        e.rank(model=_edited_model(e, lambda m: m["graph"]["nodes"]["circrna"]["lists"].update(
            ids=["circ_0"]))), ["edited.rg: damaged or edited model file", "circrna.ids has 1 "
                                "entries for 8 nodes"])),
    ("model-edited-known-pairs", lambda e: (
        e.rank(model=_edited_tensors(e, lambda o: o.update(known_pairs=torch.tensor([[99],
                                                                                     [0]])))),
        ["edited.rg: damaged or edited model file", "known_pairs holds a node index outside "
         "the graph"])),
    ("model-edited-edge-index", lambda e: (
        e.predict(_edited_tensors(e, lambda o: o["graph"].update({
            k: v[:1] for k, v in o["graph"].items() if k.endswith("/edge_index")}))),
        ["edited.rg: damaged or edited model file", "edge_index is not a [2, K] integer "
         "tensor"])),
    ("model-state-nan", lambda e: (
        e.predict(_edited_tensors(e, lambda o: [v.fill_(math.nan) for v in o["state"].values()
                                                if v.is_floating_point()], "svd.rg")),
        ["edited.rg: damaged or edited model file (it scores a pair as NaN or infinite)"])),
    ("model-state-truncated", lambda e: (
        e.rank(model=_edited_tensors(e, lambda o: o.update(state={
            k: v[:1] for k, v in o["state"].items()}), "svd.rg")),
        ["edited.rg: damaged or edited model file (scoring a pair failed: IndexError"])),
    ("model-is-a-directory", lambda e: (e.predict(e.out), [f"{e.out}: is a directory, not a "
                                                           "model file"])),
    ("fasta-type-wrong-case", lambda e: (e.train(None, [f"miRNA={e.base / 'mir.fa'}"]),
                                         [f"--fasta miRNA={e.base / 'mir.fa'}: node types are "
                                          f"written in lower case: --fasta mirna="])),
    ("fasta-type-unknown", lambda e: (e.train(None, [f"rna={e.base / 'mir.fa'}"]),
                                      ["--fasta rna=", "unknown node type 'rna'"])),
    ("pairs-utf16", lambda e: (e.train(e.write("p.csv", "circ_0,miR-0\n".encode("utf-16"))),
                               ["p.csv: UTF-16 text; save the file as UTF-8"])),
    ("fasta-utf16-le", lambda e: (e.train(None, [e.write("s.fa", ">miR-0\nACGU\n".encode(
        "utf-16-le"))]), ["s.fa: UTF-16 text"])),
]


@pytest.mark.parametrize("name, setup", CASES, ids=[c[0] for c in CASES])
def test_bad_input_one_line(base, cv_run, tmp_path, name, setup):
    env = Env(base, tmp_path, cv_run)
    args, wanted = setup(env)
    before = {p: p.stat().st_mtime_ns for p in base.iterdir()}
    out_before = set(env.out.rglob("*"))
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code != 0, res.output
    assert "Traceback" not in res.output and "raise " not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error: ")]
    assert len(errors) == 1, res.output
    assert all(ln.startswith(("error: ", "warning: ")) for ln in lines), res.output
    for w in wanted:
        assert w in errors[0], f"{w!r} not in {errors[0]!r}"
    # nothing written: no new output, no temporary file, the inputs untouched
    assert set(env.out.rglob("*")) == out_before
    assert not list(tmp_path.rglob(".*.tmp"))
    assert {p: p.stat().st_mtime_ns for p in base.iterdir()} == before


def test_at_least_forty_cases():
    assert len(CASES) >= 40


def test_debug_shows_the_traceback(base, tmp_path):
    res = runner.invoke(app, ["--debug", "predict", "--model", str(tmp_path / "no.rg"),
                              "--pairs", str(base / "pairs.csv"), "--out",
                              str(tmp_path / "s.csv")])
    assert res.exit_code == 1
    assert "Traceback" in res.output and "ModelFileError" in res.output


# ---- accepted with a fix-up (not errors), and library-level cases --------------------------
def test_bom_is_dropped_and_header_detected(base, tmp_path):
    p = tmp_path / "p.csv"
    body = (base / "pairs.csv").read_text()
    p.write_bytes(b"\xef\xbb\xbf" + f"circRNA,miRNA\n{body}".encode())
    res = runner.invoke(app, ["train", "--pairs", str(p), "--fasta", str(base / "mir.fa"),
                              "--fasta", str(base / "circ.fa"), *CM, "--save",
                              str(tmp_path / "m.rg")])
    assert res.exit_code == 0, res.output
    assert "read as a header row" in res.output
    from rnagraph.models import load
    g = load(tmp_path / "m.rg").graph_
    assert "circRNA" not in g["circrna"].ids and not any(i.startswith("\ufeff")
                                                         for i in g["circrna"].ids)
    assert sorted(g["circrna"].ids) == sorted(f"circ_{i}" for i in range(8))


def test_nan_in_a_matrix(tmp_path):
    m = tmp_path / "m.txt"
    m.write_text("1 0\n0 nan\n")
    with pytest.raises(InputError) as exc:
        read_interaction_matrix(m, ["a", "b"], ["x", "y"])
    assert exc.value.one_line() == (f"{m}:2: value 'nan' in column 2 is not 0 or 1")


def test_build_graph_refuses_empty_and_none_ids():
    from rnagraph.data import build_graph
    et = ("circrna", "binds", "mirna")
    for bad in ("", None, "  "):
        with pytest.raises(ValueError, match="not a non-empty string"):
            build_graph({}, {et: [(bad, "m")]})
    with pytest.raises(ValueError, match="empty sequence"):
        build_graph({"mirna": {"m": ""}}, {et: [("c", "m")]})


def test_cross_validate_refuses_a_graph_that_does_not_match_its_folds():
    from rnagraph.data import build_graph, kfold_link_split
    from rnagraph.evaluate import cross_validate
    from rnagraph.models import DegreeProduct
    et = ("circrna", "binds", "mirna")
    pairs = [(f"c{i}", f"m{j}") for i in range(10) for j in range(6) if (i + j) % 3 == 0]
    g = build_graph({}, {et: pairs})
    other = build_graph({}, {et: [(a + "x", b) for a, b in pairs]})  # same counts, other ids
    folds = kfold_link_split(g, et, k=2, seed=0)
    with pytest.raises(ValueError, match="ids of data differ"):
        cross_validate(DegreeProduct(), other, et, folds, progress=False)
    with pytest.raises(ValueError, match=r"threshold must be a probability"):
        cross_validate(DegreeProduct(), g, et, folds, threshold=math.nan, progress=False)


def test_corrupt_dataset_cache_is_rebuilt_with_a_warning(tmp_path, monkeypatch):
    root = tmp_path / "data"
    (root / "cmi-9589").mkdir(parents=True)
    (root / "cmi-9589" / "9589pair.csv").write_text(
        "".join(f"miR-{j},circ_{i}\n" for i in range(6) for j in range(4) if (i + j) % 2))
    (root / "cmi-9589" / "miRNA.csv").write_text(
        "".join(f"miR-{j},ACGUACGUACGUACGUACGUAC\n" for j in range(4)))
    cache = tmp_path / "cache"
    monkeypatch.setenv("RNAGRAPH_CACHE", str(cache))
    args = ["train", "--dataset", "cmi-9589", "--root", str(root), "--model", "degree"]
    res = runner.invoke(app, [*args, "--save", str(tmp_path / "a.rg")])
    assert res.exit_code == 0, res.output
    [processed] = list(cache.rglob("data_*.pt"))
    processed.write_bytes(b"not a torch file")
    res = runner.invoke(app, [*args, "--save", str(tmp_path / "b.rg")])
    assert res.exit_code == 0, res.output
    assert "processed cache is unreadable" in res.output and "rebuilding" in res.output
    assert "weights_only" not in res.output
    a = json.loads((tmp_path / "a.val.json").read_text())
    b = json.loads((tmp_path / "b.val.json").read_text())
    assert a["score"] == b["score"]  # the rebuilt cache holds the same graph


def test_case_count_grew_by_forty():
    """Issue 33 added at least 40 one-line cases to the 59 of issue 14."""
    assert len(CASES) >= 59 + 40


# ---- issue 33: caches never run code ---------------------------------------------------------
class _Payload:
    """Unpickling this creates the folder ``target`` (a stand-in for running any code)."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        import os
        return (os.mkdir, (self.target,))


def _cmi_root(tmp_path) -> Path:
    root = tmp_path / "data"
    (root / "cmi-9589").mkdir(parents=True)
    (root / "cmi-9589" / "9589pair.csv").write_text(
        "".join(f"miR-{j},circ_{i}\n" for i in range(12) for j in range(6)
                if (i + 2 * j) % 3 == 0))
    (root / "cmi-9589" / "miRNA.csv").write_text(
        "".join(f"miR-{j},ACGUACGUACGUACGUACGUAC\n" for j in range(6)))
    return root


@pytest.mark.parametrize("victim, command", [
    ("pre_transform.pt", ["cv", "cmi-9589", "--model", "degree", "--folds", "2"]),
    ("pre_filter.pt", ["train", "--dataset", "cmi-9589", "--model", "degree"]),
    ("data", ["train", "--dataset", "cmi-9589", "--model", "degree"])])
def test_a_payload_in_the_dataset_cache_never_runs(tmp_path, monkeypatch, victim, command):
    root = _cmi_root(tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.setenv("RNAGRAPH_CACHE", str(cache))
    args = ["train", "--dataset", "cmi-9589", "--root", str(root), "--model", "degree"]
    res = runner.invoke(app, [*args, "--save", str(tmp_path / "a.rg")])
    assert res.exit_code == 0, res.output
    processed = cache / "cmi-9589" / "processed"
    path = next(processed.glob("data_*.pt")) if victim == "data" else processed / victim
    assert path.is_file()
    target = tmp_path / "pwned"
    torch.save(_Payload(target), path)
    extra = ["--save", str(tmp_path / "b.rg")] if command[0] == "train" else []
    res = runner.invoke(app, [*command, "--root", str(root), *extra])
    assert res.exit_code == 0, res.output
    assert not target.exists()
    assert "the processed cache is unreadable or was not written by rnagraph: ignoring" \
        in res.output and "rebuilding it from the raw files" in res.output
    assert torch.load(path, weights_only=True) is not None   # rebuilt, plain data again


# ---- labelled pair files, headers, swaps: the right graph -----------------------------------
def test_labelled_zero_is_a_known_negative_not_an_edge(base, tmp_path):
    from rnagraph.data import read_graph
    from rnagraph.data.build import known_negatives
    p = tmp_path / "p.csv"
    p.write_text("circ_0,miR-0,1\ncirc_1,miR-1,0\ncirc_2,miR-0,1.0\ncirc_1,miR-2,0.0\n")
    et = ("circrna", "binds", "mirna")
    g = read_graph(p, et, [base / "mir.fa", base / "circ.fa"])
    c, m = list(g["circrna"].ids), list(g["mirna"].ids)
    edges = {(c[a], m[b]) for a, b in g[et].edge_index.t().tolist()}
    negs = {(c[a], m[b]) for a, b in known_negatives(g, et).t().tolist()}
    assert edges == {("circ_0", "miR-0"), ("circ_2", "miR-0")}
    assert negs == {("circ_1", "miR-1"), ("circ_1", "miR-2")}
    rev = known_negatives(g, ("mirna", "rev_binds", "circrna"))
    assert torch.equal(rev, known_negatives(g, et).flip(0))


def test_labelled_file_through_train_keeps_zeros_out_of_the_model(base, tmp_path):
    from rnagraph.models import load
    lines = (base / "pairs.csv").read_text().splitlines()
    p = tmp_path / "p.tsv"
    p.write_text("circRNA\tmiRNA\tlabel\n" + "".join(f"{ln.replace(',', chr(9))}\t1\n"
                                                   for ln in lines)
                 + "circ_7\tmiR-4\t0\n")
    assert "circ_7,miR-4" not in lines
    res = runner.invoke(app, ["train", "--pairs", str(p), "--fasta", str(base / "mir.fa"),
                              "--fasta", str(base / "circ.fa"), *CM, "--save",
                              str(tmp_path / "m.rg")])
    assert res.exit_code == 0, res.output
    g = load(tmp_path / "m.rg").graph_      # the training graph (validation pairs held out)
    c, m = list(g["circrna"].ids), list(g["mirna"].ids)
    store = g[("circrna", "binds", "mirna")]
    edges = {(c[a], m[b]) for a, b in store.edge_index.t().tolist()}
    assert ("circ_7", "miR-4") not in edges and edges <= {tuple(ln.split(",")) for ln in lines}
    assert [(c[a], m[b]) for a, b in store.known_negatives.t().tolist()] == [("circ_7", "miR-4")]


def test_header_named_by_its_columns_is_not_a_node(base, tmp_path):
    from rnagraph.data import read_graph
    p = tmp_path / "p.csv"
    p.write_text("circ_id,mir_id\n" + (base / "pairs.csv").read_text())
    with pytest.warns(UserWarning, match="read as a header row"):
        g = read_graph(p, ("circrna", "binds", "mirna"), [base / "mir.fa", base / "circ.fa"])
    assert "circ_id" not in g["circrna"].ids and "mir_id" not in g["mirna"].ids


def test_a_single_trailing_tab_keeps_the_csv(base, tmp_path):
    from rnagraph.data import read_graph
    p = tmp_path / "p.csv"
    lines = (base / "pairs.csv").read_text().splitlines()
    p.write_text(lines[0] + "\t\n" + "\n".join(lines[1:]) + "\n")
    g = read_graph(p, ("circrna", "binds", "mirna"), [base / "mir.fa", base / "circ.fa"])
    assert sorted(g["circrna"].ids) == sorted(f"circ_{i}" for i in range(8))
    assert g[("circrna", "binds", "mirna")].edge_index.size(1) == len(lines)


# ---- predict: each row its own score ----------------------------------------------------------
def _scores(path: Path) -> list[dict]:
    import csv
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_predict_an_unscorable_row_first_leaves_the_other_scores_in_place(base, tmp_path):
    """Issue 31: an unscorable row before scorable ones; every row keeps its own score."""
    good = (base / "pairs.csv").read_text().splitlines()[:4]
    alone, mixed = tmp_path / "alone.csv", tmp_path / "mixed.csv"
    alone.write_text("\n".join(good) + "\n")
    mixed.write_text("circ_x,miR-0\n" + "\n".join(good[:2]) + "\nmiR-1,circ_3\n"
                     + "\n".join(good[2:]) + "\n")
    for src, out in ((alone, "a.csv"), (mixed, "b.csv")):
        res = runner.invoke(app, ["predict", "--model", str(base / "model.rg"), "--pairs",
                                  str(src), "--out", str(tmp_path / out)])
        assert res.exit_code == 0, res.output
    a, b = _scores(tmp_path / "a.csv"), _scores(tmp_path / "b.csv")
    assert [r["status"] for r in b][0].startswith("not scored: circrna 'circ_x' is not in the "
                                                  "model and has no sequence")
    assert b[3]["status"].startswith("not scored: swapped: 'miR-1' is a mirna and 'circ_3' a "
                                     "circrna")
    assert "pass --columns 2,1" in b[3]["status"] and b[3]["score"] == ""
    scored = [r for r in b if not r["status"].startswith("not scored")]
    assert [(r["circrna_id"], r["mirna_id"], r["score"]) for r in scored] == \
        [(r["circrna_id"], r["mirna_id"], r["score"]) for r in a]


# ---- outputs: umask, stale temporaries, signals ----------------------------------------------
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_follow_the_umask(base, tmp_path, mask, mode):
    import os
    old = os.umask(mask)
    try:
        res = runner.invoke(app, ["predict", "--model", str(base / "model.rg"), "--pairs",
                                  str(base / "pairs.csv"), "--out", str(tmp_path / "s.csv")])
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    for name in ("s.csv", "s.config.json"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode


def test_a_killed_runs_temporary_is_removed_by_the_next_run(base, tmp_path):
    import subprocess
    import sys
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout)
    stale = tmp_path / f".r.csv.rnagraph-{dead}-k1ll3d.tmp"
    stale.write_bytes(b"x" * 14_000)
    (tmp_path / "r.csv").write_text("old\n")
    res = runner.invoke(app, ["rank", "--model", str(base / "model.rg"), "--top", "3",
                              "--out", str(tmp_path / "r.csv"), "--force"])
    assert res.exit_code == 0, res.output
    assert not stale.exists()
    assert not list(tmp_path.glob(".*.tmp"))
    assert (tmp_path / "r.csv").read_text().startswith("rank,")


def _callers_handler(signum, frame):
    raise AssertionError("the caller's own handler ran while the command held the signal")


@pytest.fixture(params=["fresh process", "caller's own"])
def start_handlers(request):
    """SIGINT and SIGTERM as the command finds them, set here and put back after the test:
    a fresh process's (``default_int_handler``, ``SIG_DFL``) or a handler of the caller's own.
    Pinned because the process is shared: ``ray.init`` (tests/evaluate/test_ray.py, in the same
    pytest-xdist worker under ``--dist loadfile``) leaves its SIGTERM handler installed after
    ``ray.shutdown``, and the check "handlers restored" must not depend on what ran before."""
    import signal
    sigs = (signal.SIGINT, signal.SIGTERM)
    before = {s: signal.getsignal(s) for s in sigs}
    start = ({signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
             if request.param == "fresh process" else dict.fromkeys(sigs, _callers_handler))
    for s, h in start.items():
        signal.signal(s, h)
    try:
        yield start
    finally:
        for s, h in before.items():
            signal.signal(s, h)


@pytest.mark.parametrize("how, line, code", [("SIGINT", "error: interrupted", 130),
                                             ("SIGTERM", "error: terminated", 143),
                                             ("raise", "error: interrupted", 130)])
def test_a_signal_while_writing_ends_in_one_line_and_no_temporary(base, tmp_path, monkeypatch,
                                                                  start_handlers, how, line,
                                                                  code):
    import os
    import signal

    import rnagraph.models._file as model_file
    real_save = torch.save

    def save_then_stop(obj, f, *a, **k):
        real_save(obj, f, *a, **k)        # the temporary is complete, the rename not done
        if how == "raise":
            raise KeyboardInterrupt
        # sent to this (the main) thread: its handler runs as os.kill returns, before the rename
        os.kill(os.getpid(), getattr(signal, how))

    monkeypatch.setattr(model_file.torch, "save", save_then_stop)
    env = Env(base, tmp_path)
    res = runner.invoke(app, env.train())
    assert res.exit_code == code, res.output
    assert [ln for ln in res.output.splitlines() if ln.startswith("error:")] == [line]
    assert "Traceback" not in res.output
    assert list(env.out.iterdir()) == []           # no model file, no temporary
    for sig, handler in start_handlers.items():    # the handlers it found, restored
        assert signal.getsignal(sig) is handler, signal.Signals(sig).name


@pytest.mark.parametrize("content", ["payload", "int-array", "garbage"])
def test_the_feature_cache_never_unpickles(tmp_path, content):
    from rnagraph.features import _cache
    target = tmp_path / "pwned"
    calls = []

    def compute():
        calls.append(1)
        return np.ones((2, 3))

    key = "k"
    path = tmp_path / f"view-{__import__('hashlib').sha256(key.encode()).hexdigest()}.npy"
    if content == "payload":
        np.save(path, np.array([_Payload(target)], dtype=object), allow_pickle=True)
    elif content == "int-array":
        np.save(path, np.zeros((2, 3), dtype=np.int64))
    else:
        path.write_bytes(b"\x93NUMPY garbage")
    with pytest.warns(UserWarning, match=r"rnagraph cache: .*recomputing"):
        arr = _cache.cached_array("view", key, (2, 3), compute, cache=tmp_path)
    assert not target.exists() and calls == [1]
    assert arr.dtype == np.float32 and arr.tolist() == [[1.0] * 3] * 2
    assert np.load(path, allow_pickle=False).tolist() == arr.tolist()   # rewritten, plain


def test_fold_full_uses_the_known_negatives_first():
    """``train`` fits on Fold.full: the pairs labelled 0 are its first negatives (targeted
    support in data/split.py:full_fold); a graph without them gives the fold it always gave."""
    from rnagraph.data import Fold, build_graph
    from rnagraph.data.build import known_negatives
    et = ("circrna", "binds", "mirna")
    pairs = [(f"c{i}", f"m{j}") for i in range(12) for j in range(6) if (i + 2 * j) % 3 == 0]
    negs = [(f"c{i}", f"m{j}") for i in range(12) for j in range(6) if (i + 2 * j) % 3 == 1][:7]
    plain = build_graph({}, {et: pairs})
    labelled = build_graph({}, {et: pairs}, negatives={et: negs})
    assert torch.equal(plain[et].edge_index, labelled[et].edge_index)
    kn = known_negatives(labelled, et)
    codes = set((kn[0] * 6 + kn[1]).tolist())
    assert len(codes) == 7
    a = Fold.full(plain, et, val_ratio=0.25, seed=3)
    b = Fold.full(labelled, et, val_ratio=0.25, seed=3)
    assert torch.equal(a.val.pos_index, b.val.pos_index)
    assert torch.equal(a.train.pos_index, b.train.pos_index)
    got = {name: set((s.neg_index[0] * 6 + s.neg_index[1]).tolist())
           for name, s in (("val", b.val), ("train", b.train))}
    assert got["val"] | got["train"] >= codes and not got["val"] & got["train"]
    assert len(got["val"] & codes) == round(b.val.pos_index.size(1) / len(pairs) * 7)
    assert b.meta["known_negatives"] == 7 and "known_negatives" not in a.meta
    assert a.train.neg_index.size(1) == b.train.neg_index.size(1)
