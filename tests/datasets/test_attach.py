import pytest

from rnagraph.datasets import attach_sequences, load_cmi
from rnagraph.typing import CIRCRNA, MIRNA


def test_attach_user_fasta_to_circrna(fake_root, tmp_path):
    data = load_cmi("cmi-9905", fake_root)
    fa = tmp_path / "circ.fa"
    fa.write_text(">hsa_circ_2|chr1:1-9 circBase\nacgt\nACGT\n>hsa_circ_99\nGGG\n")
    out = attach_sequences(data, {CIRCRNA: fa})
    assert out[CIRCRNA].seq == [None, "ACGUACGU"]
    assert out[CIRCRNA].has_seq.tolist() == [False, True]
    assert out[CIRCRNA].seq_source == [None, "user:circ.fa"]
    assert out[CIRCRNA].seq_report == {"covered": 1, "total": 2, "attached": 1, "unused": 1,
                                       "sources": {"user:circ.fa": 1}}
    # the caller's graph is untouched
    assert data[CIRCRNA].seq == [None, None]
    assert data[CIRCRNA].has_seq.tolist() == [False, False]


def test_attach_dict_respects_overwrite(fake_root):
    data = load_cmi("cmi-9905", fake_root)
    out = attach_sequences(data, {MIRNA: {"hsa-mir-a": "CCCC"}})
    assert out[MIRNA].seq[1] == "ACGUACGU"  # kept: it already had one
    out = attach_sequences(data, {MIRNA: {"hsa-mir-a": "cccc"}}, overwrite=True)
    assert out[MIRNA].seq[1] == "CCCC"
    assert out[MIRNA].seq_source == ["cmi-9905", "user:dict", "cmi-9905"]


def test_attach_warns_when_nothing_matches_and_rejects_unknown_type(fake_root):
    data = load_cmi("cmi-9905", fake_root)
    with pytest.warns(UserWarning, match="no 'circrna' id matched"):
        out = attach_sequences(data, {CIRCRNA: {"circ1": "ACGU"}})
    assert not out[CIRCRNA].has_seq.any()
    with pytest.raises(ValueError, match="'mrna' is not in the graph"):
        attach_sequences(data, {"mrna": {}})
