"""``rnagraph rank``: --per-rna (the best K partners of each RNA) and --fasta (new RNAs join the
candidates)."""
from __future__ import annotations

import csv

import pytest
import torch
from typer.testing import CliRunner

from rnagraph.cli import app
from rnagraph.data import Fold
from rnagraph.datasets import synthetic
from rnagraph.models import DegreeProduct, load
from rnagraph.typing import CIRC_MIRNA

runner = CliRunner()


def _run(args):
    return runner.invoke(app, [str(a) for a in args])


def _ok(args):
    res = _run(args)
    assert res.exit_code == 0, res.output
    return res


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _own_best(m, k, circ=None, mir=None, graph=None):
    """One RNA's unobserved pairs scored at once and fully sorted (best first, ties to the
    smaller partner index): the reference for --per-rna."""
    g = m.graph_ if graph is None else graph
    n_s, n_d = g["circrna"].num_nodes, g["mirna"].num_nodes
    known = set(map(tuple, m.known_pairs_.t().tolist()))
    cand = ([(circ, d) for d in range(n_d)] if circ is not None
            else [(s, mir) for s in range(n_s)])
    cand = [p for p in cand if p not in known]
    raw = m.decision_function(graph, torch.tensor(cand).t())
    order = sorted(range(len(cand)), key=lambda j: (-float(raw[j]), cand[j]))[:k]
    return [cand[j] for j in order]


def test_per_rna_gives_each_rna_its_own_best(degree, tmp_path):
    """--rna A --rna B --top 4 used to return only pairs of the more popular RNA; --per-rna 4
    returns the best 4 of each, grouped in the order given."""
    m = load(degree)
    assert m.calibrator_.coef_ > 0          # ranking by raw score = ranking by probability
    deg = torch.bincount(m.graph_[CIRC_MIRNA].edge_index[0], minlength=30)
    hub, rare = int(deg.argmax()), int(deg.argmin())
    sid, did = m.graph_["circrna"].ids, m.graph_["mirna"].ids
    mir = 5
    out = tmp_path / "r.csv"
    res = _ok(["rank", "--model", degree, "--rna", sid[rare], "--rna", did[mir], "--rna",
               sid[hub], "--per-rna", 4, "--out", out])
    rows = _rows(out)
    assert [r["rna"] for r in rows] == [sid[rare]] * 4 + [did[mir]] * 4 + [sid[hub]] * 4
    assert [int(r["rank"]) for r in rows] == [1, 2, 3, 4] * 3
    for part, ref in ((rows[:4], _own_best(m, 4, circ=rare)),
                      (rows[4:8], _own_best(m, 4, mir=mir)),
                      (rows[8:], _own_best(m, 4, circ=hub))):
        assert [(r["circrna_id"], r["mirna_id"]) for r in part] == [(sid[a], did[b])
                                                                    for a, b in ref]
        assert all(r["status"] == "fitted" for r in part)
    assert "wrote the best 4 of each (12 rows)" in res.output
    # --top over the same RNAs: one list, so the hub crowds the rare RNA out
    _ok(["rank", "--model", degree, "--rna", sid[rare], "--rna", sid[hub], "--top", 4,
         "--out", tmp_path / "t.csv"])
    assert {r["circrna_id"] for r in _rows(tmp_path / "t.csv")} == {sid[hub]}


@pytest.mark.parametrize("args, msg", [
    (["--rna", "X", "--per-rna", 3, "--top", 5], "--top and --per-rna cannot be combined"),
    (["--per-rna", 3], "--per-rna needs the RNAs to rank"),
    (["--rna", "X", "--per-rna", 0], "--per-rna 0: must be >= 1"),
    (["--rna", "nope", "--per-rna", 2], "a new RNA needs its sequence: --fasta circrna=FILE"),
])
def test_per_rna_bad_input_is_one_line(degree, tmp_path, args, msg):
    if args[:2] == ["--rna", "X"]:
        args = ["--rna", load(degree).graph_["circrna"].ids[0]] + args[2:]
    res = _run(["rank", "--model", degree, *args, "--out", tmp_path / "r.csv"])
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert msg in res.output
    assert not (tmp_path / "r.csv").exists()


def test_fasta_new_rna_joins_the_candidates(degree, tmp_path):
    """A new circRNA given with --fasta is ranked (here by the sequence-neighbour transfer of
    a graph-only model: status 'neighbours') and may be named with --rna; its rows are its
    own best on the model's extended graph."""
    m = load(degree)
    new_seq = m.graph_["circrna"].seq[2][:-4] + "GGAU"
    fa = tmp_path / "new.fa"
    fa.write_text(f">new-circ\n{new_seq}\n")
    out = tmp_path / "r.csv"
    _ok(["rank", "--model", degree, "--fasta", f"circrna={fa}", "--rna", "new-circ",
         "--per-rna", 3, "--out", out])
    rows = _rows(out)
    ext = m.extended_graph({"circrna": {"new-circ": new_seq}})
    new = ext["circrna"].ids.index("new-circ")
    ref = _own_best(m, 3, circ=new, graph=ext)
    assert [(r["circrna_id"], r["mirna_id"]) for r in rows] == [
        ("new-circ", ext["mirna"].ids[b]) for _, b in ref]
    assert {r["status"] for r in rows} == {"neighbours"}
    # ranking all pairs: the new circRNA's pairs are candidates too
    _ok(["rank", "--model", degree, "--fasta", f"circrna={fa}", "--top", 1000, "--out",
         tmp_path / "all.csv"])
    every = _rows(tmp_path / "all.csv")
    mine = [r for r in every if r["circrna_id"] == "new-circ"]
    assert len(mine) == 12 and {r["status"] for r in mine} == {"neighbours"}
    assert len(every) == 31 * 12 - m.known_pairs_.size(1)


def test_fasta_needs_a_node_type(degree, tmp_path):
    fa = tmp_path / "new.fa"
    fa.write_text(">new-circ\nACGUACGUAGGA\n")
    res = _run(["rank", "--model", degree, "--fasta", fa, "--out", tmp_path / "r.csv"])
    assert res.exit_code != 0 and "name the node type of each file" in res.output


def test_a_model_that_cannot_score_new_rnas_says_so(degree, tmp_path, monkeypatch):
    """A model without an inductive path (inductive_mode None): rank names the new RNA in a
    warning, skips and counts its pairs, and ranks the rest; --per-rna gives it no rows."""
    monkeypatch.setattr(DegreeProduct, "inductive_mode", lambda self, nt: None)
    m = load(degree)
    fa = tmp_path / "new.fa"
    fa.write_text(f">new-circ\n{m.graph_['circrna'].seq[2]}\n")
    res = _ok(["rank", "--model", degree, "--fasta", f"circrna={fa}", "--top", 1000, "--out",
               tmp_path / "all.csv"])
    assert "DegreeProduct scores only the circrna RNAs it was fitted with" in res.output
    assert "(12 could not be scored)" in res.output
    rows = _rows(tmp_path / "all.csv")
    assert len(rows) == 30 * 12 - m.known_pairs_.size(1)
    assert {r["status"] for r in rows} == {"fitted"}
    res = _ok(["rank", "--model", degree, "--fasta", f"circrna={fa}", "--rna", "new-circ",
               "--rna", m.graph_["circrna"].ids[0], "--per-rna", 2, "--out", tmp_path / "p.csv"])
    assert [r["rna"] for r in _rows(tmp_path / "p.csv")] == [m.graph_["circrna"].ids[0]] * 2
    assert "wrote the best 2 of each (2 rows)" in res.output


def test_fasta_new_mrna_ranked_from_its_sequence_with_evidence(tmp_path):
    """SeedMatch ranks a new mRNA from its sequence (status 'sequence'): for the miRNA whose
    8mer is planted in it, the new mRNA scores the 8mer weight (1.0) and its evidence names the
    site at the position it was planted (1-based)."""
    from rnagraph.features.seed_sites import complement, find_sites
    from rnagraph.models import SeedMatch
    from rnagraph.typing import MIRNA_MRNA
    g = synthetic(num_mirna=12, num_mrna=40, num_circrna=0, seed=2)
    path = SeedMatch().fit(Fold.full(g, MIRNA_MRNA, seed=0)).save(tmp_path / "seed.rg")
    mseq = g["mirna"].seq[0]
    bg = "".join(["ACGU"[(7 * i + i // 5) % 4] for i in range(90)])
    assert not any(find_sites(mi, bg) for mi in g["mirna"].seq)
    site = complement(mseq[1:8])[::-1] + "A"
    fa = tmp_path / "new.fa"
    fa.write_text(f">new-m\n{bg[:30]}{site}{bg[30:]}\n")
    out = tmp_path / "r.csv"
    _ok(["rank", "--model", path, "--fasta", f"mrna={fa}", "--rna", "new-m", "--per-rna", 3,
         "--out", out])
    rows = _rows(out)
    assert {r["status"] for r in rows} == {"sequence"} and len(rows) == 3
    top = rows[0]
    assert top["mirna_id"] == g["mirna"].ids[0] and float(top["raw_score"]) == 1.0
    assert (top["seed_site"], top["site_position"]) == ("8mer", "31")


def test_replayed_run_switches_between_top_and_per_rna(degree, tmp_path):
    """--config replays a run; --per-rna or --top on the command line wins over the other one
    stored in the config (no 'cannot be combined' error)."""
    circ = load(degree).graph_["circrna"].ids[0]
    _ok(["rank", "--model", degree, "--rna", circ, "--top", 5, "--out", tmp_path / "a.csv"])
    _ok(["rank", "--model", degree, "--config", tmp_path / "a.config.json", "--per-rna", 2,
         "--out", tmp_path / "b.csv"])
    assert [r["rna"] for r in _rows(tmp_path / "b.csv")] == [circ, circ]
    _ok(["rank", "--model", degree, "--config", tmp_path / "b.config.json", "--top", 3,
         "--out", tmp_path / "c.csv"])
    rows = _rows(tmp_path / "c.csv")
    assert len(rows) == 3 and "rna" not in rows[0]
