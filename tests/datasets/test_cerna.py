import pytest
import torch

from rnagraph.data import add_reverse_edges, build_graph
from rnagraph.datasets import join_cerna, load
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA, MIRNA_MRNA, MRNA, reverse_edge_type


def _parts():
    circ = build_graph({MIRNA: {"hsa-miR-1-3p": "UGGAAUGUAAAGAAGUAUGUAU", "hsa-miR-2": "ACGU"}},
                       {CIRC_MIRNA: [("c0", "hsa-miR-1-3p"), ("c1", "hsa-miR-2"),
                                     ("c1", "hsa-miR-1-3p")]})
    target = build_graph({MIRNA: {"HSA-MIR-2": None, "hsa-miR-3": "GGGG"}},
                         {MIRNA_MRNA: [("hsa-miR-3", "m0"), ("HSA-MIR-2", "m1"),
                                       ("HSA-MIR-2", "m0")]})
    return circ, target


def test_join_by_hand():
    circ, target = _parts()
    before = target[MIRNA_MRNA].edge_index.clone()
    d = join_cerna(circ, target)
    # miRNAs: the circ graph's two, then the unmatched target one
    assert d[MIRNA].ids == ["hsa-miR-1-3p", "hsa-miR-2", "hsa-miR-3"]
    assert d[MIRNA].target_ids == [None, "HSA-MIR-2", "hsa-miR-3"]
    assert d[MIRNA].in_circ.tolist() == [True, True, False]
    assert d[MIRNA].in_target.tolist() == [False, True, True]
    assert d[MIRNA].seq == ["UGGAAUGUAAAGAAGUAUGUAU", "ACGU", "GGGG"]
    assert d[MIRNA].has_seq.tolist() == [True, True, True]
    assert d[CIRCRNA].ids == ["c0", "c1"] and d[MRNA].ids == ["m0", "m1"]
    assert d[CIRC_MIRNA].edge_index.tolist() == [[0, 1, 1], [0, 1, 0]]
    # target edges re-indexed into the joint miRNA order: miR-3 -> 2, HSA-MIR-2 -> 1
    assert d[MIRNA_MRNA].edge_index.tolist() == [[2, 1, 1], [0, 1, 0]]
    # one direction by default, as every loader; reverses on request, as ToUndirected names them
    assert all(not et[1].startswith("rev_") for et in d.edge_types)
    r = join_cerna(circ, target, add_reverse=True)
    for et in (CIRC_MIRNA, MIRNA_MRNA):
        assert torch.equal(r[reverse_edge_type(et)].edge_index, r[et].edge_index.flip(0))
    assert d.mirna_match["counts"]["matched"] == 1
    assert d.mirna_match["counts"]["normalised"] == 1
    assert torch.equal(target[MIRNA_MRNA].edge_index, before)       # input untouched


def test_join_reads_reverse_only_graphs_and_can_skip_reverses():
    circ, target = _parts()
    circ = add_reverse_edges(circ)
    del circ[CIRC_MIRNA]                  # a loader that keeps only the reverse direction
    d = join_cerna(circ, target, add_reverse=False)
    assert d[CIRC_MIRNA].edge_index.tolist() == [[0, 1, 1], [0, 1, 0]]
    assert reverse_edge_type(CIRC_MIRNA) not in d.edge_types


def test_join_errors():
    circ, target = _parts()
    with pytest.raises(ValueError, match="target graph has no 'mrna'"):
        join_cerna(circ, circ)
    t = build_graph({}, {MIRNA_MRNA: [("x", "m0")]})
    with pytest.warns(UserWarning, match="no miRNA name is shared"):
        join_cerna(circ, t)


@pytest.mark.realdata
def test_cerna_real_counts(real_root):
    d = load("cerna", real_root)
    c = d.mirna_match["counts"]
    assert (c["exact"], c["matched"], c["left_only"], c["right_only"]) == (365, 365, 787, 496)
    assert [a["right"] for a in d.mirna_match["ambiguous"]] == [["hsa-miR-3180-5p"]]
    assert (d[MIRNA].num_nodes, d[CIRCRNA].num_nodes, d[MRNA].num_nodes) == (1648, 3569, 3069)
    assert d[CIRC_MIRNA].edge_index.size(1) == 20208
    assert d[MIRNA_MRNA].edge_index.size(1) == 9214
    assert int(d[MIRNA].has_seq.sum()) == 1580
    assert int((d[MIRNA].in_circ & d[MIRNA].in_target).sum()) == 365
