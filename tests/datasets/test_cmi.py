import pytest

from rnagraph.datasets import load_cmi
from rnagraph.io import InputError
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA, reverse_edge_type


def test_cmi_graph_by_hand(fake_root):
    data = load_cmi("cmi-9905", fake_root)
    assert data[MIRNA].ids == ["hsa-mir-b", "hsa-mir-a", "hsa-mir-c"]  # miRNA.csv order
    assert data[MIRNA].seq == ["UGAGGUAG", "ACGUACGU", "GGGG"]  # normalised, T -> U
    assert data[MIRNA].has_seq.tolist() == [True, True, True]
    assert data[CIRCRNA].ids == ["hsa_circ_1", "hsa_circ_2"]  # CRLF stripped
    assert data[CIRCRNA].seq == [None, None]
    assert data[CIRCRNA].has_seq.tolist() == [False, False]  # kept, masked
    assert data[CIRC_MIRNA].edge_index.tolist() == [[0, 0, 1], [1, 0, 1]]
    assert reverse_edge_type(CIRC_MIRNA) not in data.edge_types   # one direction (ToUndirected)
    assert data[MIRNA].seq_source == ["cmi-9905"] * 3
    assert data.name == "cmi-9905"


def test_cmi_missing_file_names_the_path(fake_root):
    (fake_root / "cmi-9905" / "miRNA.csv").unlink()
    with pytest.raises(FileNotFoundError) as err:
        load_cmi("cmi-9905", fake_root)
    assert str(fake_root / "cmi-9905" / "miRNA.csv") in str(err.value)


def test_cmi_missing_folder_names_the_path(fake_root):
    with pytest.raises(FileNotFoundError, match="cmi-9589.*not found"):
        load_cmi("cmi-9589", fake_root)


def test_cmi_pair_with_unknown_mirna_is_an_input_error(fake_root):
    with open(fake_root / "cmi-9905" / "9905pairs.csv", "a") as fh:
        fh.write("hsa-mir-q,hsa_circ_3\r\n")
    with pytest.raises(InputError, match=r"9905pairs.csv, line 4.*hsa-mir-q"):
        load_cmi("cmi-9905", fake_root)


def test_gcncmi_index_graph(tmp_path):
    d = tmp_path / "cmi-9589" / "gcncmi"
    d.mkdir(parents=True)
    (d / "ass.txt").write_text("0\t2\t1\n1\t0\t1\n0\t0\t1")  # no trailing newline
    data = load_cmi("cmi-9589-gcncmi", tmp_path)
    assert data[MIRNA].ids == ["m0", "m1"]
    assert data[CIRCRNA].ids == ["c0", "c1", "c2"]  # node c1 has no edge but is kept
    assert data[CIRC_MIRNA].edge_index.tolist() == [[2, 0, 0], [0, 1, 0]]
    (d / "ass.txt").write_text("0\t2\t1\nx\t0\t1\n")
    with pytest.raises(InputError, match="ass.txt, line 2"):
        load_cmi("cmi-9589-gcncmi", tmp_path)


_REAL = {  # SOURCES.md: pairs, circRNAs, miRNAs (all miRNAs have a sequence)
    "cmi-9905": (9905, 2346, 962),
    "cmi-9589": (9589, 2115, 821),
    "cmi-20208": (20208, 3569, 1152),
}


@pytest.mark.realdata
@pytest.mark.parametrize("name", list(_REAL))
def test_cmi_real_counts(real_root, name):
    pairs, n_circ, n_mir = _REAL[name]
    data = load_cmi(name, real_root)
    assert data[CIRC_MIRNA].edge_index.size(1) == pairs
    assert data[CIRC_MIRNA].edge_index.unique(dim=1).size(1) == pairs
    assert data[CIRCRNA].num_nodes == n_circ
    assert data[MIRNA].num_nodes == n_mir
    assert int(data[MIRNA].has_seq.sum()) == n_mir
    assert int(data[CIRCRNA].has_seq.sum()) == 0
    assert all(i.startswith("hsa_circ_") for i in data[CIRCRNA].ids)


@pytest.mark.realdata
def test_cmi_9589_is_subset_of_9905(real_root):
    def named(d):
        c, m = d[CIRCRNA].ids, d[MIRNA].ids
        return {(c[i], m[j]) for i, j in d[CIRC_MIRNA].edge_index.t().tolist()}

    assert named(load_cmi("cmi-9589", real_root)) <= named(load_cmi("cmi-9905", real_root))


@pytest.mark.realdata
def test_gcncmi_real_counts(real_root):
    data = load_cmi("cmi-9589-gcncmi", real_root)
    assert data[CIRC_MIRNA].edge_index.size(1) == 9589
    assert (data[MIRNA].num_nodes, data[CIRCRNA].num_nodes) == (821, 2115)
