import numpy as np
import pytest
import torch

from rnagraph.datasets import SitePairs


def _pairs(n_groups=60, seed=0):
    """Groups of 1-3 identical rows; label = group parity; 60 groups -> 30 per label."""
    rng = np.random.default_rng(seed)
    mir, tgt, lab = [], [], []
    for g in range(n_groups):
        for _ in range(int(rng.integers(1, 4))):
            mir.append(f"M{g}")
            tgt.append(f"T{g}")
            lab.append(g % 2)
    return SitePairs(mir, mir, tgt, tgt, lab, name="toy")


def test_constructor_checks_and_repr():
    with pytest.raises(ValueError, match="target_seq has 1 entries, label has 2"):
        SitePairs(["a", "b"], ["A", "C"], ["t", "u"], ["G"], [0, 1])
    with pytest.raises(ValueError, match="0 or 1"):
        SitePairs(["a"], ["A"], ["t"], ["G"], [2])
    sp = SitePairs(["a", "b", "c"], ["A", "C", "A"], ["t", "u", "v"], ["G", "G", "G"], [1, 0, 0])
    assert sp.groups.tolist() == [0, 1, 0]
    assert sp.num_conflicts == 1  # rows 0 and 2: same pair, labels 1 and 0
    assert repr(sp) == "SitePairs(name='site-pairs', rows=3, pos=1, neg=2, duplicates=1)"
    assert sp.deduplicate().mirna_ids == ["a", "b"]
    other = SitePairs(["x"], ["C"], ["y"], ["G"], [1])
    assert sp.exclude(other).mirna_ids == ["a", "c"]


def test_caller_label_not_shared():
    lab = torch.tensor([0, 1])
    sp = SitePairs(["a", "b"], ["A", "C"], ["t", "u"], ["G", "G"], lab)
    sp.label[0] = 1
    assert lab.tolist() == [0, 1]


@pytest.mark.parametrize("stratify", [True, False])
def test_kfold_partitions_rows_and_keeps_groups_whole(stratify):
    sp = _pairs()
    folds = sp.kfold(5, seed=3, stratify=stratify)
    tests = np.concatenate([te for _, te in folds])
    assert sorted(tests.tolist()) == list(range(len(sp)))  # disjoint, union = all rows
    for tr, te in folds:
        assert not set(tr) & set(te) and len(tr) + len(te) == len(sp)
        assert not set(sp.groups[tr].tolist()) & set(sp.groups[te].tolist())
        if stratify:  # 30 groups per label, 5 folds -> exactly 6 groups of each label
            g = sp.groups[te].unique()
            glab = torch.zeros(sp.num_groups, dtype=torch.long).scatter_(0, sp.groups, sp.label)
            assert int(glab[g].sum()) == 6 and len(g) == 12


def test_kfold_is_seeded():
    sp = _pairs()
    a, b, c = sp.kfold(3, seed=1), sp.kfold(3, seed=1), sp.kfold(3, seed=2)
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b))
    assert not all(np.array_equal(x[1], y[1]) for x, y in zip(a, c))
    with pytest.raises(ValueError, match="k must be"):
        sp.kfold(1)


def test_random_split_fractions_and_groups():
    sp = _pairs(n_groups=100)
    parts = sp.random_split((0.8, 0.1, 0.1), seed=0)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(sp)))
    ng = [len(sp.groups[p].unique()) for p in parts]
    assert ng == [80, 10, 10]  # 50 groups per label: 40/5/5 each
    assert [int(sp.label[p].sum() > 0) for p in parts] == [1, 1, 1]
    gs = [set(sp.groups[p].tolist()) for p in parts]
    assert not (gs[0] & gs[1] or gs[0] & gs[2] or gs[1] & gs[2])
    with pytest.raises(ValueError, match="sum to 1"):
        sp.random_split((0.5, 0.4))


def test_subset_and_frame():
    sp = _pairs(n_groups=4)
    sub = sp.subset([2, 0])
    assert sub.mirna_ids == [sp.mirna_ids[2], sp.mirna_ids[0]]
    assert sub.label.tolist() == [int(sp.label[2]), int(sp.label[0])]
    df = sp.to_frame()
    assert list(df.columns) == ["mirna_id", "mirna_seq", "target_id", "target_seq", "label"]
    assert df["label"].sum() == int(sp.label.sum())


def test_overlap_exact_near_and_none():
    train = SitePairs(["a", "b"], ["UGAGGUAG", "CCCCCCCC"], ["t1", "t2"],
                      ["ACGUACGUACGUACGUACGU", "GGGGGGGGGGGGGGGGGGGG"], [1, 0])
    test = SitePairs(["a", "a", "a", "b", "c"],
                     ["UGAGGUAG", "UGAGGUAG", "UGAGGUAG", "CCCCCCCC", "AAAAAAAA"],
                     ["x"] * 5,
                     ["ACGUACGUACGUACGUACGU",      # the same pair: exact
                      "ACGUACGUACGUACGUACGA",      # one substitution in 20 nt: 0.95 >= 0.9
                      "UUUUACGUACGUACGUUUUU",      # 8 substitutions: 0.6
                      "GGGGGGGGGGGGGGGGGGGG",      # exact, whatever the label
                      "ACGUACGUACGUACGUACGU"],     # same site, another miRNA: no overlap
                     [1, 1, 0, 1, 0])
    assert test.overlap(train).tolist() == [2, 1, 0, 2, 0]
    assert test.overlap(train, near=0.96).tolist() == [2, 0, 0, 2, 0]
    pairs = list(zip(train.mirna_seq, train.target_seq))
    assert test.overlap(pairs).tolist() == [2, 1, 0, 2, 0]


def test_mirna_label_mix_by_hand():
    # miRNA A: 1 positive + 1 negative, B: 2 negatives, C: 1 positive
    sp = SitePairs(["a", "a", "b", "b", "c"], ["AAA", "AAA", "CCC", "CCC", "GGG"],
                   ["t1", "t2", "t3", "t4", "t5"], ["UU", "UG", "UC", "UA", "GG"],
                   torch.tensor([1, 0, 0, 0, 1]))
    assert sp.mirna_label_mix() == {"negative only": (1, 2), "positive only": (1, 1),
                                    "both": (1, 2)}


def _mirna_pairs():
    """20 miRNAs of 10 rows: M0-M9 both classes (5 + 5), P0-P4 positives only, N0-N4
    negatives only; each row its own site."""
    mir, lab = [], []
    for name, pos in [*((f"M{i}", 5) for i in range(10)), *((f"P{i}", 10) for i in range(5)),
                      *((f"N{i}", 0) for i in range(5))]:
        mir += [name] * 10
        lab += [1] * pos + [0] * (10 - pos)
    tgt = [f"T{i}" for i in range(len(mir))]
    return SitePairs(mir, mir, tgt, tgt, lab, name="toy")


def test_random_split_by_mirna_holds_out_whole_mirnas_by_hand():
    # every miRNA has 10 rows: in a stratum of n miRNAs the midpoints of their rows are 5, 15,
    # ..., so fractions 0.6 / 0.2 / 0.2 give exactly 0.6 n / 0.2 n / 0.2 n miRNAs per part
    # (M: 6/2/2; P and N: 3/1/1) in every draw: 120 / 40 / 40 rows, labels 60/20/20 each
    sp = _mirna_pairs()
    parts = sp.random_split((0.6, 0.2, 0.2), seed=4, by="mirna")
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(sp)))
    mirnas = [{sp.mirna_seq[i] for i in p} for p in parts]
    assert not (mirnas[0] & mirnas[1] or mirnas[0] & mirnas[2] or mirnas[1] & mirnas[2])
    assert [len(p) for p in parts] == [120, 40, 40]
    assert [int(sp.label[p].sum()) for p in parts] == [60, 20, 20]
    for prefix, counts in (("M", [6, 2, 2]), ("P", [3, 1, 1]), ("N", [3, 1, 1])):
        assert [sum(m.startswith(prefix) for m in ms) for ms in mirnas] == counts
    with pytest.raises(ValueError, match="by must be 'pair' or 'mirna'"):
        sp.random_split((0.6, 0.2, 0.2), by="target")


def test_random_split_by_mirna_is_seeded_and_near_the_fractions():
    # miRNAs of 1-40 rows and mixed labels: whole miRNAs per part, each part within 5 points
    # of its fraction of each label's rows; the same seed gives the same parts, another seed
    # other parts
    rng = np.random.default_rng(0)
    mir, lab = [], []
    for m in range(150):
        n = int(rng.integers(1, 41))
        mir += [f"m{m}"] * n
        lab += rng.integers(0, 2, n).tolist() if m % 3 else [m % 2] * n
    tgt = [f"t{i}" for i in range(len(mir))]
    sp = SitePairs(mir, mir, tgt, tgt, lab)
    a = sp.random_split((0.64, 0.16, 0.2), seed=1, by="mirna")
    b = sp.random_split((0.64, 0.16, 0.2), seed=1, by="mirna")
    c = sp.random_split((0.64, 0.16, 0.2), seed=2, by="mirna")
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    y = sp.label.numpy()
    for parts in (a, c):
        owner = {}
        for p, rows in enumerate(parts):
            for i in rows:
                assert owner.setdefault(sp.mirna_seq[i], p) == p
        for cls in (0, 1):
            share = [np.sum(y[rows] == cls) / np.sum(y == cls) for rows in parts]
            assert np.abs(np.array(share) - [0.64, 0.16, 0.2]).max() < 0.05
