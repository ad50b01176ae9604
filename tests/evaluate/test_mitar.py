"""miTAR's protocol and the AUC loss by kind of miRNA read back from its fold records."""
from types import SimpleNamespace

import pytest
import torch

from rnagraph.data.fold import EXTRA_TESTS, LinkSet
from rnagraph.evaluate.mitar import (
    INDEPENDENT,
    _model_seed,
    loss_by_mirna_kind,
    mitar_splits,
    seed_table,
    within_table,
)
from rnagraph.evaluate.store import _digest
from rnagraph.evaluate.summaries import read_runs


def test_loss_by_mirna_kind_takes_kinds_from_the_records_split():
    # training pairs: miRNA 0 both classes (B), 1 positives only (P), 2 negatives only (N);
    # miRNA 3 unseen (U). Test positives B 0.9, P 0.2, U 0.6 against negatives B 0.5, N 0.1,
    # U 0.7: misordered P<B, P<U, U<U, each 1 of 9 comparisons (111.11 per mille)
    train = LinkSet(torch.tensor([[0, 0, 1, 2], [0, 1, 2, 3]]), torch.tensor([1.0, 0, 1, 0]))
    calls = []

    def splits(n, seed, by):
        calls.append((n, seed, by))
        return [SimpleNamespace(train=train)]
    fp = {"fold": 0, "meta": {"seed": 7}, "train": _digest(train.edge_label_index,
                                                          train.edge_label)}
    rec = {"src": [0, 1, 3, 0, 2, 3], "label": [1, 1, 1, 0, 0, 0],
           "score": [0.9, 0.2, 0.6, 0.5, 0.1, 0.7], "fingerprint": fp}
    (loss,) = loss_by_mirna_kind([rec], splits=splits)
    assert calls == [(1, 7, "pair")]
    assert {k: round(v, 2) for k, v in loss.items() if v} == {
        ("P", "B"): 111.11, ("P", "U"): 111.11, ("U", "U"): 111.11}
    # a record of another split (its training pairs differ) is left out
    other = {**rec, "fingerprint": {**fp, "train": "x"}}
    assert loss_by_mirna_kind([other], splits=splits) == []
    # a miRNA-disjoint record's split is rebuilt as one
    disjoint = {**rec, "fingerprint": {**fp, "meta": {"seed": 7, "by": "mirna"}}}
    assert len(loss_by_mirna_kind([disjoint], splits=splits)) == 1
    assert calls[-1] == (1, 7, "mirna")


@pytest.mark.realdata
def test_mitar_splits_hold_out_the_independent_rows_that_repeat_training_pairs(real_root):
    full, (f0, f1) = mitar_splits(2, seed=3, root=str(real_root))
    assert [f.meta["seed"] for f in (f0, f1)] == [3, 4]
    n = len(f0.train) + len(f0.val) + len(f0.test)
    assert abs(len(f0.test) / n - 0.20) < 0.01 and abs(len(f0.train) / n - 0.64) < 0.01
    train = set(map(tuple, f0.train.edge_label_index.t().tolist()))
    for name in INDEPENDENT:
        kept = f0.meta[EXTRA_TESTS][name].edge_label_index
        assert not train & set(map(tuple, kept.t().tolist()))       # no repeated pair
        assert f0.meta[f"{name}:exact"] + f0.meta[f"{name}:near"] >= 0
    # the training graph holds the split's training positives only (duplicate rows once)
    pos = f0.train.edge_label_index[:, f0.train.edge_label == 1]
    edges = f0.train_graph[full.edge_types[0]].edge_index
    assert set(map(tuple, edges.t().tolist())) == set(map(tuple, pos.t().tolist()))


def test_seed_table_averages_seeds_pair_by_pair(tmp_path):
    # two seeds of one model in the same split: each seed's AUC, their mean, and the AUC of
    # the pairwise-averaged scores, by hand; a single-seed model gets no row; a split only
    # one seed finished is left out
    import json
    labels = [1, 1, 0, 0]
    scores = {0: [0.9, 0.2, 0.5, 0.1], 1: [0.3, 0.8, 0.4, 0.1]}   # AUC 0.75 and 0.75
    for root, seed in (("a", 0), ("b", 1)):
        for model in ("M",) if root == "b" else ("M", "Lonely"):
            run = tmp_path / root / "mitar" / model
            run.mkdir(parents=True)
            run.joinpath("run.json").write_text(json.dumps(
                {"experiment": "mitar", "dataset": "d", "model": model, "epochs": 9,
                 "command": f"python benchmarks/grmmi.py --model-seed {seed}"}))
            lines = ["fold,src_id,dst_id,score,label,protocol"]
            lines += [f"0,mi{i},t{i},{s},{y},x" for i, (s, y) in
                      enumerate(zip(scores[seed], labels))]
            if seed == 0:
                lines.append("1,mi9,t9,0.5,1,x")
            run.joinpath("predictions.csv").write_text("\n".join(lines) + "\n")
    n, n_ens, rows = seed_table(read_runs([tmp_path / "a", tmp_path / "b"], "mitar/**/run.json"))
    # averaged: 0.6, 0.5 against 0.45, 0.1: every positive above every negative, AUC 1
    assert n == 1 and n_ens == 2 and len(rows) == 1
    assert rows[0] == ["M (max 9 epochs)", "0, 1", "1", "0.7500 / 0.7500", "0.7500", "1.0000",
                       "0.7500"]
    assert _model_seed({"model_seed": 4, "command": "--seed 2"}) == 4
    assert _model_seed({"command": "x --seed 2"}) == 2


def test_seed_table_ensembles_have_equal_size(tmp_path):
    # model M has three seeds, model N two: both ensembles average the first two seeds
    import json
    labels = [1, 1, 0, 0]
    runs = {("M", 0): [0.9, 0.2, 0.5, 0.1], ("M", 1): [0.3, 0.8, 0.4, 0.1],
            ("M", 2): [0.1, 0.1, 0.9, 0.9],            # would pull M's ensemble down
            ("N", 0): [0.9, 0.2, 0.5, 0.1], ("N", 1): [0.3, 0.8, 0.4, 0.1]}
    for (model, seed), scores in runs.items():
        run = tmp_path / f"s{seed}" / "mitar" / model
        run.mkdir(parents=True)
        run.joinpath("run.json").write_text(json.dumps(
            {"experiment": "mitar", "dataset": "d", "model": model, "epochs": 9,
             "model_seed": seed}))
        run.joinpath("predictions.csv").write_text("fold,src_id,dst_id,score,label\n" + "".join(
            f"0,mi{i},t{i},{s},{y}\n" for i, (s, y) in enumerate(zip(scores, labels))))
    _, n_ens, rows = seed_table(read_runs([tmp_path / f"s{k}" for k in range(3)],
                                          "mitar/**/run.json"))
    assert n_ens == 2
    assert [r[5] for r in rows] == ["1.0000", "1.0000"]
    assert rows[0][3] == "0.7500 / 0.7500 / 0.0000"


def test_within_table_compares_pairs_of_the_same_mirna(tmp_path):
    # split 0: miRNA 0 has 2 positives / 1 negative, miRNA 1 one of each, miRNA 2 negatives
    # only. Scores: miRNA 0 positives 0.9, 0.2 vs negative 0.5 -> 1 of 2; miRNA 1 positive
    # 0.3 vs negative 0.1 -> 1 of 1: within AUC 2 / 3 over 2 miRNAs, 3 comparisons; the
    # pairs of those miRNAs are 5 of 6
    import json
    run = tmp_path / "mitar" / "M"
    run.mkdir(parents=True)
    run.joinpath("run.json").write_text(json.dumps(
        {"experiment": "mitar", "dataset": "d", "model": "M", "epochs": 9}))
    rec = {"src": [0, 0, 0, 1, 1, 2], "label": [1, 1, 0, 1, 0, 0],
           "score": [0.9, 0.2, 0.5, 0.3, 0.1, 0.0]}
    # an independent file whose miRNAs each hold one class: nothing to compare within
    ind = {"src": [0, 1], "label": [1, 0], "score": [0.9, 0.1]}
    run.joinpath("fold_0.json").write_text(json.dumps(
        {**rec, "metrics": {}, "extra_tests": {"deepmirtar-indtest": ind}}))
    rows = within_table(read_runs([tmp_path], "mitar/**/run.json"))
    from sklearn.metrics import roc_auc_score
    auc = roc_auc_score(rec["label"], rec["score"])
    assert rows == [["test split", "M", "1", f"{auc:.4f}", "0.6667", "2", "3", "83.3%"],
                    ["deepmirtar-indtest", "M", "1", "1.0000", "–", "0", "0", "0.0%"]]


_FILES = {"combined": "data_DeepMirTar_miRAW_noRepeats_3folds.txt",
          "deepmirtar-indtest": "data_DeepMirTar_IndTest_noRepeats_3folds.txt",
          "miraw-indtest": "data_miRaw_noL_noMisMissing_indTest_seed1122.txt",
          "miraw-indtest-unique": "data_miRaw_noL_noMisMissing_indTest_seed1122_Unique.txt"}


def _site_root(tmp_path):
    """A data root with miTAR's four files in miniature: the combined set has 20 miRNAs of 10
    rows (5 positive, 5 negative; every site distinct); each independent file has one row per
    miRNA of the combined set (the site not in it) and 3 rows of miRNAs found nowhere else."""
    import itertools
    seqs = ["".join(p) for p in itertools.product("ACGU", repeat=4)]
    mirnas = ["UU" + s for s in seqs[:23]]                    # 20 known, 3 new
    sites = iter("".join(p) for p in itertools.product("ACGU", repeat=8))
    folder = tmp_path / "mitar-mirna-mrna"
    folder.mkdir(parents=True)
    for name, file in _FILES.items():
        rows = ([(m, next(sites), int(k < 5)) for m in mirnas[:20] for k in range(10)]
                if name == "combined" else [(m, next(sites), i % 2)
                                             for i, m in enumerate(mirnas)])
        folder.joinpath(file).write_text("".join(
            f"mi{mirnas.index(m)}\t{m[::-1]}\tt\t{t}\t{y}\n" for m, t, y in rows))
    return tmp_path


def test_mitar_splits_by_mirna_score_the_independent_files_on_unseen_mirnas(tmp_path):
    # 20 miRNAs of 10 rows, one stratum (both classes): 64/16/20 of the rows are whole
    # miRNAs, the midpoints 5, 15, ... of 200 rows cut at 128 and 160: 13 / 3 / 4 miRNAs
    root = str(_site_root(tmp_path))
    full, folds = mitar_splits(2, seed=5, root=root, by="mirna")
    again = mitar_splits(2, seed=5, root=root, by="mirna")[1]
    for f, g in zip(folds, again):                           # deterministic for a seed
        assert torch.equal(f.test.edge_label_index, g.test.edge_label_index)
    assert not torch.equal(folds[0].test.edge_label_index, folds[1].test.edge_label_index)
    for f in folds:
        src = [set(s.edge_label_index[0].tolist()) for s in (f.train, f.val, f.test)]
        assert [len(x) for x in src] == [13, 3, 4]
        assert not (src[2] & (src[0] | src[1]))              # no test miRNA in train / val
        assert f.meta["by"] == "mirna" and f.meta["split"] == "64/16/20 miRNA-disjoint"
        for name in INDEPENDENT:
            kept = f.meta[EXTRA_TESTS][name]
            # 23 rows: 16 of seen miRNAs go; 4 of test miRNAs and 3 of new ones stay
            assert f.meta[f"{name}:seen"] == 16 and len(kept) == 7
            assert set(kept.edge_label_index[0].tolist()) - src[2] == {
                full["mirna"].ids.index(f"mi{k}") for k in (20, 21, 22)}
            assert not set(kept.edge_label_index[0].tolist()) & (src[0] | src[1])
    # the random split keeps every independent row whose pair is new
    rand = mitar_splits(1, seed=5, root=root)[1][0]
    assert "by" not in rand.meta and len(rand.meta[EXTRA_TESTS]["miraw-indtest"]) == 23


@pytest.mark.realdata
def test_mitar_splits_by_mirna_on_the_real_set(real_root):
    full, folds = mitar_splits(2, seed=0, root=str(real_root), by="mirna")
    for f in folds:
        n = len(f.train) + len(f.val) + len(f.test)
        assert abs(len(f.train) / n - 0.64) < 0.02 and abs(len(f.test) / n - 0.20) < 0.02
        src = [set(s.edge_label_index[0].tolist()) for s in (f.train, f.val, f.test)]
        assert not (src[2] & (src[0] | src[1])) and not (src[1] & src[0])
        for name in INDEPENDENT:
            kept = set(f.meta[EXTRA_TESTS][name].edge_label_index[0].tolist())
            assert kept and not kept & (src[0] | src[1])


def test_grmmi_section_of_mirna_disjoint_runs(tmp_path):
    # a miRNA-disjoint run: its independent-file row counts the rows of seen miRNAs removed
    # (mean over the 2 splits: (10 + 14) / 2 = 12), and the loss-by-kind table, whose every
    # test miRNA would be unseen, is left out (it would rebuild the splits from data)
    import json

    from rnagraph.evaluate.mitar import grmmi_section, independent_table
    run = tmp_path / "mitar" / "mirna-disjoint" / "M"
    run.mkdir(parents=True)
    run.joinpath("run.json").write_text(json.dumps(
        {"experiment": "mitar", "dataset": "mitar (combined, miRNA-disjoint)", "model": "M",
         "epochs": 1, "command": "cmd"}))
    n = "miraw-indtest"
    for i, seen in enumerate((10, 14)):
        run.joinpath(f"fold_{i}.json").write_text(json.dumps(
            {"src": [0, 0, 1, 1], "label": [1, 0, 1, 0], "score": [0.9, 0.1, 0.8, 0.2],
             "metrics": {f"{n}/{k}": 1.0 for k in ("auc", "aupr", "acc", "mcc")} | {
                 f"{n}/n": 4},
             "fingerprint": {"fold": i, "meta": {"seed": i, "by": "mirna", f"{n}:exact": 1,
                                                 f"{n}:near": 2, f"{n}:seen": seen}}}))
    runs = read_runs([tmp_path], "mitar/**/run.json")
    (row,) = independent_table(runs)
    assert row[:6] == [n, "M", "2", "4", "1 / 2", "12"]
    md = grmmi_section([tmp_path])
    assert "removed: miRNA seen in training or validation" in md
    assert "Where the test AUC is lost" not in md and "| test split | M | 2 |" in md


def test_target_sources_tell_deepmirtar_from_miraw_by_the_target_ids(tmp_path):
    from rnagraph.evaluate.mitar import target_sources
    root = _site_root(tmp_path)
    path = root / "mitar-mirna-mrna" / _FILES["combined"]
    lines = path.read_text().splitlines()
    # the first 30 rows (miRNAs 0-2) become DeepMirTar's: a RefSeq target id
    path.write_text("".join(
        (ln.replace("\tt\t", "\tNM_000001\t") if i < 30 else ln) + "\n"
        for i, ln in enumerate(lines)))
    full, _ = mitar_splits(1, root=str(root))
    src = target_sources(str(root))
    assert src.shape == (full["mrna"].num_nodes,)
    site = [ln.split("\t")[3] for ln in lines]
    seq = list(full["mrna"].seq)
    assert {src[seq.index(t)] for t in site[:30]} == {"DeepMirTar"}
    assert {src[seq.index(t)] for t in site[30:]} == {"miRAW"}
    # 4 files x 23 independent rows, every site new: no source in the combined set
    assert (src == "").sum() == 3 * 23 and (src == "DeepMirTar").sum() == 30


def test_source_table_scores_each_source_apart(tmp_path):
    import json

    from sklearn.metrics import roc_auc_score

    from rnagraph.evaluate.mitar import source_table
    run = tmp_path / "mitar" / "mirna-disjoint" / "M"
    run.mkdir(parents=True)
    run.joinpath("run.json").write_text(json.dumps(
        {"experiment": "mitar", "dataset": "d", "model": "M", "epochs": 1, "command": "c"}))
    sources = ["DeepMirTar", "DeepMirTar", "DeepMirTar", "miRAW", "miRAW", "miRAW"]
    rec = {"src": [0] * 6, "dst": [0, 1, 2, 3, 4, 5], "label": [1, 0, 0, 1, 1, 0],
           "score": [0.5, 0.6, 0.1, 0.9, 0.2, 0.3]}
    run.joinpath("fold_0.json").write_text(json.dumps({**rec, "metrics": {}}))
    (row,) = source_table(read_runs([tmp_path], "mitar/**/run.json"), sources=sources)
    # DeepMirTar: the positive (0.5) above one of its two negatives: 1/2; miRAW: 0.9 and 0.2
    # against 0.3: 1/2 as well, but pooled over all six pairs the AUC is 6/9
    assert roc_auc_score(rec["label"], rec["score"]) == pytest.approx(6 / 9)
    assert row == ["M", "1", "0.5000", "0.5000", "50.0%"]
