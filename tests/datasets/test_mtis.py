import pytest
import torch

from rnagraph.data import add_reverse_edges
from rnagraph.datasets import load_mtis, mtis_author_negatives, mtis_author_split
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA, reverse_edge_type


def test_mtis_graph_by_hand(fake_root):
    data = load_mtis(fake_root)
    assert data[MIRNA].ids == ["hsa-mir-x", "hsa-mir-y", "hsa-mir-z", "hsa-mir-w"]
    assert data[MRNA].ids == ["GENE1", "GENE2", "GENE3"]  # ", GENE" stripped
    assert data[MRNA].id_kind == "hgnc-symbol"
    assert data[MIRNA_MRNA].edge_index.tolist() == [[0, 1, 2, 3], [0, 1, 2, 0]]
    # cmi tables first (newer names); mature.fa only for what they lack
    assert data[MIRNA].seq == ["AAAACCCC", "UUUU", "GGCC", None]
    assert data[MIRNA].has_seq.tolist() == [True, True, True, False]
    assert data[MIRNA].seq_source == ["cmi-20208", "cmi-20208", "mirbase-mature", None]
    rep = data[MIRNA].seq_report
    assert (rep["covered"], rep["total"], rep["disagreements"]) == (3, 4, 1)
    assert not data[MRNA].has_seq.any()


def test_mtis_without_sequence_sources(fake_root):
    data = load_mtis(fake_root, mirna_sources=None)
    assert not data[MIRNA].has_seq.any()


def test_mtis_author_split_by_hand(fake_root):
    data = load_mtis(fake_root)
    fold = mtis_author_split(add_reverse_edges(data), fake_root)
    assert fold.edge_type == MIRNA_MRNA and fold.mode == "author"
    assert fold.train.edge_label_index.tolist() == [[0, 1, 0, 1], [0, 1, 1, 2]]
    assert fold.train.edge_label.tolist() == [1, 1, 0, 0]
    assert fold.val.edge_label_index.tolist() == [[2, 2], [2, 0]]
    assert fold.test.edge_label_index.tolist() == [[3, 3], [0, 1]]
    g = fold.train_graph
    assert g[MIRNA_MRNA].edge_index.tolist() == [[0, 1], [0, 1]]  # training positives only
    assert torch.equal(g[reverse_edge_type(MIRNA_MRNA)].edge_index,
                       g[MIRNA_MRNA].edge_index.flip(0))
    assert data[MIRNA_MRNA].edge_index.size(1) == 4  # caller's graph untouched
    assert mtis_author_negatives(data, fake_root).tolist() == [[0, 1, 2, 3], [1, 2, 0, 1]]


def test_mtis_missing_split_file(fake_root):
    (fake_root / "mtis-9214" / "NegativeSample_Test.csv").unlink()
    with pytest.raises(FileNotFoundError, match="NegativeSample_Test.csv"):
        mtis_author_split(root=fake_root)


@pytest.fixture
def real_mtis(real_root):
    return load_mtis(real_root)


@pytest.mark.realdata
def test_mtis_real_counts_and_coverage(real_mtis):
    data = real_mtis
    assert data[MIRNA_MRNA].edge_index.size(1) == 9214
    assert (data[MIRNA].num_nodes, data[MRNA].num_nodes) == (861, 3069)
    assert int(data[MIRNA].has_seq.sum()) == 793  # SOURCES.md: 793 of 861
    rep = data[MIRNA].seq_report
    assert rep["in_source"]["mirbase-mature"] == 725  # SOURCES.md: 725 by mature.fa alone
    assert rep["missing_sources"] == []
    assert rep["disagreements"] == 8  # measured; the cmi (newer) spelling is kept


@pytest.mark.realdata
def test_mtis_real_author_split(real_mtis, real_root):
    fold = mtis_author_split(real_mtis, real_root)
    sizes = [(int(s.edge_label.sum()), len(s) - int(s.edge_label.sum()))
             for s in (fold.train, fold.val, fold.test)]
    assert sizes == [(6449, 6449), (922, 922), (1843, 1843)]
    pos = {tuple(p) for s in (fold.train, fold.val, fold.test) for p in s.pos_index.t().tolist()}
    assert pos == {tuple(p) for p in real_mtis[MIRNA_MRNA].edge_index.t().tolist()}
    neg = {tuple(p) for p in mtis_author_negatives(real_mtis, real_root).t().tolist()}
    assert len(neg) == 9214 and not neg & pos
    assert fold.train_graph[MIRNA_MRNA].edge_index.size(1) == 6449
