"""``rnagraph predict``: one row per input row, known pairs marked, new RNAs scored from their
sequence (--fasta)."""
from __future__ import annotations

import csv

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from rnagraph.cli import app
from rnagraph.data import Fold
from rnagraph.datasets import synthetic
from rnagraph.features.seed_sites import complement, find_sites
from rnagraph.models import DegreeProduct, SeedMatch, load
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA

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


@pytest.fixture(scope="module")
def mirna_mrna(tmp_path_factory):
    """SeedMatch and a degree-product model of one small synthetic miRNA-mRNA graph."""
    g = synthetic(num_mirna=12, num_mrna=40, num_circrna=0, seed=2)
    d = tmp_path_factory.mktemp("mm")
    fold = Fold.full(g, MIRNA_MRNA, seed=0)
    return (SeedMatch().fit(fold).save(d / "seed.rg"),
            DegreeProduct().fit(fold).save(d / "deg.rg"), g)


def test_one_row_per_input_row_in_order_with_known_pairs_marked(degree, tmp_path):
    m = load(degree)
    sid, did = m.graph_["circrna"].ids, m.graph_["mirna"].ids
    train = m.graph_[CIRC_MIRNA].edge_index
    known = set(map(tuple, m.known_pairs_.t().tolist()))
    val_pos = next(p for p in known if p not in set(map(tuple, train.t().tolist())))
    edge = tuple(train[:, 0].tolist())
    new = next((s, d) for s in range(len(sid)) for d in range(len(did)) if (s, d) not in known)
    names = [(sid[s], did[d]) for s, d in (edge, val_pos, new)]
    rows_in = [names[0], names[2], ("circ-unknown", did[0]), names[1], names[2], names[0],
               (did[1], sid[1])]          # repeats, an unknown id, a swapped row
    pairs = tmp_path / "p.csv"
    pairs.write_text("".join(f"{a},{b}\n" for a, b in rows_in))
    res = _ok(["predict", "--model", degree, "--pairs", pairs, "--out", tmp_path / "o.csv"])
    rows = _rows(tmp_path / "o.csv")
    assert [(r["circrna_id"], r["mirna_id"]) for r in rows] == rows_in
    st = [r["status"] for r in rows]
    assert st[:2] == ["known pair", "fitted"] and st[3:6] == ["known pair", "fitted", "known pair"]
    assert st[2] == ("not scored: circrna 'circ-unknown' is not in the model and has no sequence "
                     "(give it with --fasta circrna=FILE)")
    assert st[6].startswith("not scored: swapped:") and "--columns 2,1" in st[6]
    # known pairs are still scored; every scored row carries the model's own score
    idx = torch.tensor([edge, new, val_pos, new, edge]).t()
    want = m.score(None, idx).tolist()
    got = [float(rows[i]["score"]) for i in (0, 1, 3, 4, 5)]
    assert got == pytest.approx(want, rel=1e-5)
    assert rows[0]["score"] == rows[5]["score"] and rows[1]["raw_score"] == rows[4]["raw_score"]
    assert rows[2]["score"] == rows[6]["score"] == rows[2]["raw_score"] == ""
    assert "scored 5 of 7 pairs, 3 of them known pairs" in res.output
    assert "2 of 7 pairs cannot be scored" in res.output


def test_no_pair_scorable_is_one_line_error(degree, tmp_path):
    pairs = tmp_path / "p.csv"
    pairs.write_text("a-new-circ,another\n")
    res = _run(["predict", "--model", degree, "--pairs", pairs, "--out", tmp_path / "o.csv"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "none of the 1 pairs can be scored" in res.output
    assert not (tmp_path / "o.csv").exists()


def _background(mirnas, n=120, seed=0):
    """A random target with no canonical site of any of ``mirnas``."""
    rng = np.random.default_rng(seed)
    while True:
        seq = "".join(rng.choice(list("ACGU"), n))
        if not any(find_sites(mi, seq) for mi in mirnas):
            return seq


def test_fasta_new_mrna_with_a_planted_8mer_scores_above_one_without(mirna_mrna, tmp_path):
    """SeedMatch scores a new mRNA from its sequence: one planted 8mer of miRNA 0 gives the
    weighted site count 1.0 (SeedMatch's 8mer weight), the same background without it 0."""
    seed_rg, _, g = mirna_mrna
    mir = g["mirna"].ids[0]
    mseq = g["mirna"].seq[0]
    bg = _background(list(g["mirna"].seq))
    site = complement(mseq[1:8])[::-1] + "A"      # pairs with miRNA nt 2-8, A opposite nt 1
    with_site = bg[:60] + site + bg[60:]
    assert [k for k, _ in find_sites(mseq, with_site)] == ["8mer"]
    fa = tmp_path / "new.fa"
    fa.write_text(f">new-site\n{with_site}\n>new-none\n{bg}\n")
    pairs = tmp_path / "p.csv"
    pairs.write_text(f"{mir},new-site\n{mir},new-none\n{mir},{g['mrna'].ids[0]}\n")
    # a plain FASTA is matched to the pair column that holds its ids
    res = _ok(["predict", "--model", seed_rg, "--pairs", pairs, "--fasta", fa, "--out",
               tmp_path / "o.csv"])
    rows = _rows(tmp_path / "o.csv")
    assert [r["status"] for r in rows[:2]] == ["sequence", "sequence"]
    assert rows[2]["status"] in ("fitted", "known pair")
    assert float(rows[0]["raw_score"]) == 1.0 and float(rows[1]["raw_score"]) == 0.0
    assert float(rows[0]["score"]) > float(rows[1]["score"])
    assert "2 of new RNAs" in res.output


def test_graph_only_model_scores_a_new_rna_through_its_neighbours(mirna_mrna, tmp_path):
    """A degree product knows nothing of sequences: a new mRNA is scored by the
    sequence-neighbour transfer (status 'neighbours'), the score the library gives the same
    pair on the model's extended graph; one without a sequence is not scored, with why."""
    _, deg_rg, g = mirna_mrna
    mir = g["mirna"].ids[3]
    new_seq = g["mrna"].seq[5][:-3] + "ACG"       # close to a known mRNA
    fa = tmp_path / "new.csv"
    fa.write_text(f"id,sequence\nnew-m,{new_seq}\n")
    pairs = tmp_path / "p.csv"
    pairs.write_text(f"{mir},new-m\n{mir},no-seq\n")
    _ok(["predict", "--model", deg_rg, "--pairs", pairs, "--fasta", f"mrna={fa}", "--out",
         tmp_path / "o.csv"])
    rows = _rows(tmp_path / "o.csv")
    assert rows[0]["status"] == "neighbours"
    m = load(deg_rg)
    ext = m.extended_graph({"mrna": {"new-m": new_seq}})
    want = m.score(ext, torch.tensor([[3], [ext["mrna"].ids.index("new-m")]]))
    assert float(rows[0]["score"]) == pytest.approx(float(want[0]), rel=1e-5)
    assert rows[1]["status"].startswith("not scored: mrna 'no-seq' is not in the model and has "
                                        "no sequence") and rows[1]["score"] == ""


def test_fasta_of_a_type_the_model_does_not_score(mirna_mrna, tmp_path):
    seed_rg, _, g = mirna_mrna
    fa = tmp_path / "c.fa"
    fa.write_text(">c1\nACGUACGUAC\n")
    pairs = tmp_path / "p.csv"
    pairs.write_text(f"{g['mirna'].ids[0]},{g['mrna'].ids[0]}\n")
    res = _run(["predict", "--model", seed_rg, "--pairs", pairs, "--fasta", f"circrna={fa}",
                "--out", tmp_path / "o.csv"])
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "the model scores mirna-mrna pairs" in res.output


def test_fasta_sequence_of_a_fitted_rna_is_not_used(degree, tmp_path):
    """An RNA the model was fitted with keeps its fitted sequence (and score); a different
    sequence given for it is named in a warning."""
    m = load(degree)
    circ, mir = m.graph_["circrna"].ids[1], m.graph_["mirna"].ids[0]
    fa = tmp_path / "c.fa"
    fa.write_text(f">{circ}\nACGUACGUACGUACGU\n")
    pairs = tmp_path / "p.csv"
    pairs.write_text(f"{circ},{mir}\n")
    res = _ok(["predict", "--model", degree, "--pairs", pairs, "--fasta", f"circrna={fa}",
               "--out", tmp_path / "o.csv"])
    assert f"1 circrna RNA(s) the model was fitted with have another sequence there (e.g. " \
           f"'{circ}')" in res.output
    row = _rows(tmp_path / "o.csv")[0]
    assert row["status"] in ("fitted", "known pair")
    want = m.score(None, torch.tensor([[1], [0]]))
    assert float(row["score"]) == pytest.approx(float(want[0]), rel=1e-5)
