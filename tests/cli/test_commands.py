"""End to end on synthetic data: train -> predict / rank, cv -> report, --config replay."""
from __future__ import annotations

import csv
import json

import pytest
import torch
from typer.testing import CliRunner

from rnagraph.cli import app
from rnagraph.models import load

runner = CliRunner()
CM = ["--edge-type", "circ-mirna"]


def _ok(args):
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("train")
    _ok(["train", "--model", "svd", "--dataset", "synthetic", *CM, "--set", "dim=8",
         "--save", d / "svd.rg"])
    return d


def test_train_writes_model_config_and_validation(trained):
    assert {p.name for p in trained.iterdir()} >= {"svd.rg", "svd.config.json", "svd.val.json"}
    cfg = json.loads((trained / "svd.config.json").read_text())
    assert cfg["command"] == "train" and cfg["seed"] == 0
    assert cfg["args"]["model"] == "svd" and cfg["args"]["set"] == ["dim=8"]
    assert len(cfg["dataset_hash"]) == 40 and cfg["versions"]["rnagraph"]
    m = load(trained / "svd.rg")
    assert m.dim == 8 and m.known_pairs_.size(0) == 2
    val = json.loads((trained / "svd.val.json").read_text())
    assert 0.5 < val["metrics"]["auc"] <= 1.0


def test_train_predict_round_trip_identical_scores(trained, tmp_path):
    """The model file reproduces the in-memory model's validation scores exactly, and predict
    writes those scores for the same pairs."""
    val = json.loads((trained / "svd.val.json").read_text())
    m = load(trained / "svd.rg")
    src = {s: i for i, s in enumerate(m.graph_["circrna"].ids)}
    dst = {s: i for i, s in enumerate(m.graph_["mirna"].ids)}
    idx = torch.tensor([[src[a] for a in val["src_id"]], [dst[b] for b in val["dst_id"]]])
    assert m.score(None, idx).tolist() == val["score"]  # bit-identical
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("".join(f"{a},{b}\n" for a, b in zip(val["src_id"], val["dst_id"])))
    _ok(["predict", "--model", trained / "svd.rg", "--pairs", pairs, "--out", tmp_path / "s.csv"])
    rows = _rows(tmp_path / "s.csv")
    # validation positives are known pairs of the model (still scored), negatives are not
    assert [r["status"] for r in rows] == ["known pair" if y else "fitted" for y in val["label"]]
    got = [float(r["score"]) for r in rows]
    assert got == pytest.approx(val["score"], rel=1e-5)  # written with 6 significant digits
    assert (tmp_path / "s.config.json").is_file()


def test_predict_reports_unscorable_pairs(trained, tmp_path):
    m = load(trained / "svd.rg")
    a, b = m.graph_["circrna"].ids[0], m.graph_["mirna"].ids[0]
    pairs = tmp_path / "p.csv"
    pairs.write_text(f"{a},{b}\nnew-circ,{b}\n")
    res = _ok(["predict", "--model", trained / "svd.rg", "--pairs", pairs, "--out",
               tmp_path / "s.csv"])
    assert "1 of 2 pairs cannot be scored" in res.output
    rows = _rows(tmp_path / "s.csv")
    assert rows[0]["status"] in ("fitted", "known pair") and rows[1]["score"] == ""
    assert "circrna 'new-circ' is not in the model and has no sequence" in rows[1]["status"]


def _brute_force(m, k, src=None):
    """Every unobserved pair scored at once, sorted: the reference for rank."""
    n_s, n_d = m.graph_["circrna"].num_nodes, m.graph_["mirna"].num_nodes
    s, d = torch.meshgrid(torch.arange(n_s), torch.arange(n_d), indexing="ij")
    pairs = torch.stack([s.reshape(-1), d.reshape(-1)])
    known = set(map(tuple, m.known_pairs_.t().tolist()))
    keep = torch.tensor([tuple(p) not in known and (src is None or p[0] in src)
                         for p in pairs.t().tolist()])
    pairs = pairs[:, keep]
    raw = m.decision_function(None, pairs)
    order = sorted(range(raw.numel()), key=lambda j: (-float(raw[j]), j))[:k]
    return [(int(pairs[0, j]), int(pairs[1, j])) for j in order], pairs.size(1)


def test_rank_matches_brute_force_top_k(trained, tmp_path):
    m = load(trained / "svd.rg")
    assert m.calibrator_.coef_ > 0  # ranking by raw score = ranking by probability
    ref, n = _brute_force(m, 25)
    res = _ok(["rank", "--model", trained / "svd.rg", "--top", "25", "--out", tmp_path / "r.csv"])
    assert f"scored {n} unobserved pairs" in res.output
    rows = _rows(tmp_path / "r.csv")
    sid, did = m.graph_["circrna"].ids, m.graph_["mirna"].ids
    assert [(r["circrna_id"], r["mirna_id"]) for r in rows] == [(sid[a], did[b]) for a, b in ref]
    assert [int(r["rank"]) for r in rows] == list(range(1, 26))
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_rank_one_rna_with_evidence(trained, tmp_path):
    from rnagraph.features import count_sites
    m = load(trained / "svd.rg")
    circ = m.graph_["circrna"].ids[3]
    ref, _ = _brute_force(m, 10, src={3})
    _ok(["rank", "--model", trained / "svd.rg", "--rna", circ, "--top", "10", "--evidence",
         "--out", tmp_path / "r.csv"])
    rows = _rows(tmp_path / "r.csv")
    assert {r["circrna_id"] for r in rows} == {circ}
    assert [r["mirna_id"] for r in rows] == [m.graph_["mirna"].ids[b] for _, b in ref]
    g = m.graph_
    for r in rows:
        mi = g["mirna"].seq[g["mirna"].ids.index(r["mirna_id"])]
        counts = count_sites(mi, g["circrna"].seq[3])
        assert (r["seed_site"] == "none") == (sum(counts.values()) == 0)
        if r["seed_site"] != "none":
            assert counts[r["seed_site"]] > 0 and int(r["site_position"]) >= 1


@pytest.fixture(scope="module")
def cv_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("cv") / "run"
    res = _ok(["cv", "synthetic", "--model", "degree,svd", "--folds", "3", *CM, "--out", d])
    return d, res


def test_cv_writes_config_and_report(cv_run):
    run, _ = cv_run
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["command"] == "cv" and cfg["args"]["folds"] == 3 and cfg["seed"] == 0
    res = _ok(["report", run])
    assert "report.md" in res.output
    md = (run / "report.md").read_text()
    for name in ("degree", "svd"):
        mean = json.loads((run / name / "metrics.json").read_text())["mean"]
        row = next(ln for ln in md.splitlines() if ln.startswith(f"| {name} |"))
        assert f"{mean['auc']:.3f} ±" in row  # the metrics table holds the run's AUC
    assert "### degree" in md and "| 2 |" in md  # per-fold tables
    assert '"command": "cv"' in md  # the resolved config
    for png in ("report_roc.png", "report_pr.png"):
        assert (run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (run / "report.html").read_text()
    assert "<table>" in html and 'src="report_roc.png"' in html
    res = runner.invoke(app, ["report", str(run)])
    assert res.exit_code == 1 and "pass --force" in res.output  # not overwritten
    _ok(["report", run, "--force"])


def test_cv_config_replay_reproduces_metrics(cv_run, tmp_path):
    run, _ = cv_run
    _ok(["cv", "--config", run / "config.json", "--out", tmp_path / "replay"])
    for name in ("degree", "svd"):
        a = json.loads((run / name / "metrics.json").read_text())
        b = json.loads((tmp_path / "replay" / name / "metrics.json").read_text())
        strip = [{k: v for k, v in f.items() if not k.endswith("_s")} for f in a["folds"]]
        assert strip == [{k: v for k, v in f.items() if not k.endswith("_s")}
                         for f in b["folds"]]
    # the replayed run's config equals the original but for --out
    a = json.loads((run / "config.json").read_text())["args"]
    b = json.loads((tmp_path / "replay" / "config.json").read_text())["args"]
    assert {**a, "out": None} == {**b, "out": None}


def test_train_config_replay_gives_the_same_model(trained, tmp_path):
    _ok(["train", "--config", trained / "svd.config.json", "--save", tmp_path / "again.rg"])
    a, b = load(trained / "svd.rg"), load(tmp_path / "again.rg")
    assert torch.equal(a.src_emb_, b.src_emb_) and torch.equal(a.dst_emb_, b.dst_emb_)
    assert a.calibrator_.state_dict() == b.calibrator_.state_dict()


def test_train_report(trained, tmp_path):
    _ok(["report", trained])
    md = (trained / "report.md").read_text()
    auc = json.loads((trained / "svd.val.json").read_text())["metrics"]["auc"]
    assert f"{auc:.3f}" in md and "optimistic" in md
    assert (trained / "report_roc.png").is_file()


def test_train_from_files_with_miRNA_first_columns(tmp_path):
    """cmi-style pair file (miRNA first): --columns 2,1 reads it for circrna -> mirna."""
    (tmp_path / "mir.fa").write_text(">m1\nUGAGGUAGUAGGUUGUAUAGUU\n>m2\nUAGCUUAUCAGACUGAUGUUGA\n"
                                     ">m3\nUAAGGCACGCGGUGAAUGCC\n")
    (tmp_path / "p.csv").write_text("m1,c1\nm1,c2\nm2,c2\nm2,c3\nm1,c4\nm2,c5\nm3,c6\nm3,c1\n")
    _ok(["train", "--pairs", tmp_path / "p.csv", "--fasta", tmp_path / "mir.fa", *CM,
         "--columns", "2,1", "--save", tmp_path / "m.rg"])
    g = load(tmp_path / "m.rg").graph_
    assert g["circrna"].ids[:2] == ["c1", "c2"] and sorted(g["mirna"].ids) == ["m1", "m2", "m3"]
    assert all(s is not None for s in g["mirna"].seq)


def test_help_has_an_example_per_command():
    for cmd in ("train", "predict", "rank", "report", "cv", "demo", "models", "datasets"):
        res = runner.invoke(app, [cmd, "--help"])
        assert res.exit_code == 0 and "Example: rnagraph" in res.output, cmd


def test_rank_cerna_writes_the_paths_rank_cerna_finds(tmp_path):
    import pandas as pd

    from rnagraph.data import Fold
    from rnagraph.datasets.synthetic_cerna import synthetic_cerna
    from rnagraph.evaluate import rank_cerna
    from rnagraph.models import load
    from rnagraph.models.joint_link import JointLink
    from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA

    g = synthetic_cerna(num_circrna=40, num_mirna=20, num_mrna=40, seed=0)
    files = {}
    for name, et in (("circ", CIRC_MIRNA), ("target", MIRNA_MRNA)):
        m = JointLink(hidden_channels=8).set_params(trainer__epochs=10)
        m.fit(Fold.full(g, et, seed=0))
        files[name] = m.save(tmp_path / f"{name}.rg")
    out = tmp_path / "paths.tsv"
    _ok(["rank", "--model", files["circ"], "--cerna", files["target"], "--top", 5, "--out", out])
    got = pd.read_csv(out, sep="\t")
    circ, target = load(files["circ"]), load(files["target"])
    want = rank_cerna(circ.graph_, circ, target, top_k=5)
    assert list(got["circrna"].unique()) == list(want.pairs["circrna"].unique())
    assert got["score"].max() == pytest.approx(float(want.pairs["score"].iloc[0]), rel=1e-6)
    # the pair of models must be (circRNA-miRNA, miRNA-mRNA): swapped, it is a one-line error
    res = runner.invoke(app, ["rank", "--model", str(files["target"]), "--cerna",
                              str(files["circ"]), "--out", str(tmp_path / "x.tsv")])
    assert res.exit_code != 0 and "--cerna needs" in res.output
    assert not (tmp_path / "x.tsv").exists()


def test_rank_writes_grmmi_top_attended_window(tmp_path):
    from rnagraph.data import Fold
    from rnagraph.datasets import synthetic
    from rnagraph.models import get_model
    from rnagraph.typing import CIRC_MIRNA

    g = synthetic(seed=0)
    m = get_model("grmmi", embedding_dim=8, embedding_epochs=1, conv_channels=8,
                  hidden_channels=8, heads=2, graph_encoder__dim=2, mlp_channels=8, epochs=1,
                  max_tokens=64)
    path = m.fit(Fold.full(g, CIRC_MIRNA, seed=0)).save(tmp_path / "grmmi.rg")
    out = tmp_path / "r.csv"
    _ok(["rank", "--model", path, "--rna", g["circrna"].ids[0], "--top", 5, "--out", out])
    rows = _rows(out)
    assert len(rows) == 5 and {"seed_site", "top_window", "window_attention"} <= set(rows[0])
    m = load(path)
    mi = torch.tensor([m.graph_["mirna"].ids.index(r["mirna_id"]) for r in rows])
    want = m.explain(None, torch.stack([torch.zeros_like(mi), mi]), top=1)
    for r, w in zip(rows, want):
        assert r["top_window"] == f"{w[0]['start'] + 1}-{w[0]['end']}"
        assert float(r["window_attention"]) == pytest.approx(float(w[0]["weight"]), rel=1e-3)


def test_the_folding_preset_without_vienna_is_one_line(monkeypatch, tmp_path):
    import sys
    monkeypatch.setitem(sys.modules, "RNA", None)       # import RNA -> ImportError
    out = tmp_path / "m.rg"
    res = runner.invoke(app, ["train", "--model", "duplex-boost-fold", "--dataset", "synthetic",
                              "--edge-type", "mirna-mrna", "--save", str(out)])
    assert res.exit_code == 1
    assert res.output.strip().splitlines()[-1] == (
        "error: FoldingFeatures (folding=True) needs ViennaRNA: pip install 'rnagraph[fold]' "
        "(or pip install ViennaRNA)")
    assert "Traceback" not in res.output and not out.exists()
