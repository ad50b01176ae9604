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
    return d


class Env:
    """Per-test paths: ``base`` (valid files), ``tmp`` (bad files), ``out`` (an empty folder
    where outputs would go)."""

    def __init__(self, base: Path, tmp: Path):
        self.base, self.tmp = base, tmp
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
]


@pytest.mark.parametrize("name, setup", CASES, ids=[c[0] for c in CASES])
def test_bad_input_one_line(base, tmp_path, name, setup):
    env = Env(base, tmp_path)
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
