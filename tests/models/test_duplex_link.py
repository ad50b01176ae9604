"""DuplexLink: learns site pairs from the duplex alone and scores miRNAs it never saw."""
import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.data import Fold, LinkSet
from rnagraph.models import DuplexLink, get_model
from rnagraph.typing import MIRNA_MRNA
from tests.models._site_pairs import site_pairs


@pytest.fixture(scope="module")
def split():
    """A miRNA-disjoint fold: miRNAs 0-39 train, 40-49 validation, 50-59 test."""
    g, pairs, y, mir = site_pairs()
    part = [np.flatnonzero(mask) for mask in (mir < 40, (mir >= 40) & (mir < 50), mir >= 50)]
    sets = [LinkSet(pairs[:, torch.from_numpy(p)], y[torch.from_numpy(p)]) for p in part]
    return Fold(0, MIRNA_MRNA, g, *sets)


def test_it_learns_site_pairs_of_unseen_mirnas(split):
    model = get_model("duplex", hidden_channels=16, epochs=60).fit(split)
    score = model.decision_function(None, split.test.edge_label_index).numpy()
    # a planted 8mer / 7mer-m8 against random 40-nt windows: far from chance on test miRNAs
    # that no training pair holds (measured 1.00; the margin allows other seeds and kernels)
    assert roc_auc_score(split.test.edge_label.numpy(), score) > 0.9


def test_a_new_mirna_is_scored_from_its_sequence_as_a_fitted_copy(split):
    model = get_model("duplex", hidden_channels=8, epochs=5).fit(split)
    g = model.graph_
    ext = model.extended_graph({"mirna": {"copy": g["mirna"].seq[55], "none": None}})
    n = g["mirna"].num_nodes
    pairs = torch.tensor([[55, 55, n, n, n + 1], [3, 900, 3, 900, 3]])
    raw = model.decision_function(ext, pairs)
    torch.testing.assert_close(raw[2:4], raw[:2])       # the same two sequences, same score
    assert torch.isnan(raw[4])
    status = model.scoring_status(ext, pairs)
    assert status[2:4] == ["sequence", "sequence"] and status[4].startswith("not scored:")


def test_it_refuses_training_pairs_of_one_class(split):
    pos = split.train.edge_label == 1
    only = LinkSet(split.train.edge_label_index[:, pos], split.train.edge_label[pos])
    fold = Fold(0, MIRNA_MRNA, split.train_graph, only, split.val, split.test)
    with pytest.raises(ValueError, match="both classes"):
        DuplexLink(trainer=DuplexLink.trainer_config(epochs=2)).fit(fold)


def test_bad_parameters_are_refused_at_fit(split):
    with pytest.raises(ValueError, match="dropout=1.0"):
        DuplexLink(dropout=1.0).fit(split)
    with pytest.raises(ValueError, match="hidden_channels=0"):
        DuplexLink(hidden_channels=0).fit(split)
    with pytest.raises(ValueError, match="hidden_channels=True"):
        DuplexLink(hidden_channels=True).fit(split)
    # a NumPy integer (from a search, an array of settings) is an integer
    DuplexLink(hidden_channels=np.int64(4))._validate_params()


def test_grmmi_reads_the_duplex_in_its_pair_term_and_keeps_it_in_its_file(split, tmp_path):
    from rnagraph.features import DuplexFeatures
    from rnagraph.models import load
    from rnagraph.models.grmmi_parts import PairTerms
    n = len(DuplexFeatures().get_feature_names_out())
    # the four seed-site weights start at SeedMatch's, each duplex weight at 0, the count last
    init = PairTerms(pair_features=True, duplex=True, mirna_count=True).init()
    assert len(init) == 4 + n + 1 and init[4:] == [0.0] * (n + 1)
    m = get_model("grmmi-seq-tuned-site-duplex-head", k=3, init="random", embedding_dim=8,
                  conv_channels=8, hidden_channels=4, heads=2, mlp_channels=8, epochs=1,
                  map_channels=2).fit(split)
    # standardised over the training pairs: mean 0 there, the new miRNAs' pairs off it
    x = m._pair_x(split.train_graph, m._mi_first(split.train).edge_label_index)
    assert x.shape[1] == 4 + n
    torch.testing.assert_close(x[:, 4:].mean(0), torch.zeros(n), atol=1e-4, rtol=0)
    back = load(m.save(tmp_path / "g.rg"))
    p = split.test.edge_label_index
    torch.testing.assert_close(back.decision_function(None, p), m.decision_function(None, p),
                               rtol=1e-5, atol=1e-6)
