import pytest

from rnagraph.datasets import load_site_pairs
from rnagraph.io import InputError

_FILE = "data_DeepMirTar_removeMisMissing_remained_seed1122.txt"


def test_site_pairs_by_hand(fake_root):
    sp = load_site_pairs("deepmirtar", fake_root)
    assert len(sp) == 5  # header skipped, repeated row kept
    assert sp.mirna_seq == ["UGCA", "AAGG", "UGCA", "AACC", "AAUU"]  # 3'->5' reversed
    assert sp.target_seq[0] == "AACCUUGG"  # T -> U
    assert sp.label.tolist() == [1, 0, 1, 0, 1]
    assert sp.groups.tolist() == [0, 1, 0, 2, 3]
    assert (sp.num_duplicates, sp.num_conflicts) == (1, 0)
    assert sp[1] == {"mirna_id": "MIMAT2", "mirna_seq": "AAGG", "target_id": "NM_2",
                     "target_seq": "CCCCUUUU", "label": 0}


def test_site_pairs_duplicate_policies(fake_root):
    with pytest.warns(UserWarning, match="1 of 5 rows repeat"):
        assert len(load_site_pairs("deepmirtar", fake_root, duplicates="warn")) == 5
    dropped = load_site_pairs("deepmirtar", fake_root, duplicates="drop")
    assert dropped.mirna_ids == ["MIMAT1", "MIMAT2", "MIMAT3", "MIMAT4"]
    with pytest.raises(ValueError, match="duplicates must be"):
        load_site_pairs("deepmirtar", fake_root, duplicates="nope")


def test_site_pairs_bad_rows(fake_root):
    path = fake_root / "mitar-mirna-mrna" / _FILE
    with open(path, "a") as fh:
        fh.write("MIMAT5\tACGU\tNM_5\tACGU\t2\n")
    with pytest.raises(InputError, match=rf"{_FILE}, line 7: label must be 0 or 1"):
        load_site_pairs("deepmirtar", fake_root)
    path.write_text("MIMAT5\tACGU\tNM_5\n")
    with pytest.raises(InputError, match="line 1: expected 5"):
        load_site_pairs("deepmirtar", fake_root)


def test_site_pairs_missing_file_and_graph_names(fake_root):
    with pytest.raises(FileNotFoundError, match="data_miRaw_IndTest_noRepeats_3folds.txt"):
        load_site_pairs("miraw", fake_root)
    with pytest.raises(ValueError, match="rnagraph.datasets.load"):
        load_site_pairs("cmi-9905", fake_root)


_REAL = {  # SOURCES.md: rows, positives, negatives; repeated (miRNA, site) pairs measured here
    "deepmirtar": (7758, 3908, 3850, 86),
    "deepmirtar-indtest": (828, 443, 385, 2),
    "deepmirtar-test": (48, 48, 0, 0),
    "miraw": (41863, 21265, 20598, 1249),
    "miraw-indtest": (2000, 1000, 1000, 4),
    "miraw-indtest-unique": (1819, 929, 890, 4),
    "deepmirtar-miraw": (27720, 13860, 13860, 396),
}


@pytest.mark.realdata
@pytest.mark.parametrize("name", list(_REAL))
def test_site_pairs_real_counts(real_root, name):
    rows, pos, neg, dups = _REAL[name]
    sp = load_site_pairs(name, real_root)
    assert (len(sp), int(sp.label.sum()), int((sp.label == 0).sum())) == (rows, pos, neg)
    assert (sp.num_duplicates, sp.num_conflicts) == (dups, 0)
    assert set("".join(sp.target_seq)) <= set("ACGU")
    assert 17 <= min(map(len, sp.mirna_seq)) and max(map(len, sp.mirna_seq)) <= 26


@pytest.mark.realdata
def test_mirna_orientation_real(real_root):
    # reversed miRNAs read 5'->3': hsa-miR-96-5p is UUUGGCACUAGCACAUUUUUGCU in miRBase
    sp = load_site_pairs("combined", real_root)
    assert sp[0]["mirna_id"] == "hsa-miR-96-5p"
    assert sp[0]["mirna_seq"] == "UUUGGCACUAGCACAUUUUUGCU"


@pytest.mark.realdata
def test_deepmirtar_indtest_overlaps_training_file(real_root):
    train = load_site_pairs("deepmirtar", real_root)
    test = load_site_pairs("deepmirtar-indtest", real_root)
    shared = set(zip(train.mirna_seq, train.target_seq)) & set(zip(test.mirna_seq, test.target_seq))
    assert len(shared) == 826  # of the test file's 826 distinct pairs: all of them
    assert test.num_groups == 826
    assert len(train) - len(train.exclude(test)) == 848  # training rows holding them



@pytest.mark.realdata
def test_labels_sit_on_mirnas_real(real_root):
    # the shortcut NodePrior measures: most miRNA sequences occur in one class only
    # (DeepMirTar's negatives use mock miRNAs), and DeepMirTar's independent test file
    # holds no miRNA with both classes at all
    mix = load_site_pairs("combined", real_root).mirna_label_mix()
    assert mix == {"negative only": (3486, 4910), "positive only": (326, 7847),
                   "both": (96, 14963)}
    assert load_site_pairs("deepmirtar-indtest", real_root).mirna_label_mix()["both"] == (0, 0)
    assert load_site_pairs("miraw-indtest", real_root).mirna_label_mix()["both"][0] == 57
