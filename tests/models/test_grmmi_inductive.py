"""GRMMI's inductive path (issue 32): RNAs absent from the fitted graph are scored from their
sequence (sequence branch) and placed in the graph branch by the weighted mean of their
sequence neighbours' embeddings."""
import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.data import kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.models import get_model
from rnagraph.models.base import block_close
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA

#: a small complete GRMMI (random k-mer table: no skip-gram fit), targets cut to 64 tokens
SMALL = dict(k=4, init="random", embedding_dim=16, conv_channels=16, hidden_channels=8,
             heads=2, graph_encoder__dim=4, mlp_channels=16, sequence_encoder__dropout=0.1,
             head__dropout=0.1, batch_size=64, max_tokens=64, lr=0.01)


@pytest.fixture(scope="module")
def cold_mirna(train_seed):
    """An inductive cold-miRNA fold of the synthetic miRNA-mRNA graph (held-out miRNAs are not
    in ``train_graph``; validation and test ones come back as new nodes) and a GRMMI fitted
    on it."""
    g = synthetic(num_mirna=60, num_mrna=120, num_circrna=0, seed=train_seed)
    fold = kfold_link_split(g, MIRNA_MRNA, k=5, mode="cold-src", seed=train_seed,
                            inductive=True)[0]
    torch.set_num_threads(1)
    return fold, get_model("grmmi", epochs=6, patience=6, seed=train_seed, **SMALL).fit(fold)


def test_held_out_mirnas_are_scored_from_their_sequence_above_chance(cold_mirna, margin):
    fold, m = cold_mirna
    test_graph = fold.graph_for("test")
    n_fit = m.graph_[MIRNA].num_nodes
    new = fold.new_nodes("test", MIRNA)
    # the fitted graph and the network never held a test miRNA
    assert new.numel() > 0 and int(new.min()) >= n_fit
    assert not set(test_graph[MIRNA].ids[i] for i in new.tolist()) & set(m.graph_[MIRNA].ids)
    assert m.net_.mi_len.numel() == n_fit
    pairs = fold.test.edge_label_index
    assert bool((pairs[0] >= n_fit).all())
    s = m.score(test_graph, pairs)
    assert torch.isfinite(s).all()
    assert set(m.scoring_status(test_graph, pairs)) == {"sequence"}
    # 0.710, 0.716, 0.628 at seeds 0, 1, 2 (native kernels)
    margin.above("auc", roc_auc_score(fold.test.edge_label.numpy(), s.numpy()), 0.58)


def test_a_new_rnas_graph_embedding_is_the_weighted_mean_of_its_neighbours(cold_mirna):
    fold, m = cold_mirna
    g = fold.graph_for("test")
    n_fit = m.graph_[MIRNA].num_nodes
    net = m.encoded(g)["net"]
    nb, w = m.sequence_neighbours(g, MIRNA)
    assert nb.shape == (g[MIRNA].num_nodes - n_fit, m.transfer.k)
    assert torch.allclose(w.sum(1), torch.ones(w.size(0), dtype=torch.float64))
    # row by row: sum_j w_j x[neighbour_j] of the fitted embeddings
    want = torch.stack([sum(float(w[r, j]) * m.net_.x_mi[int(nb[r, j])]
                            for j in range(nb.size(1))) for r in range(nb.size(0))])
    torch.testing.assert_close(net.x_mi[n_fit:], want, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(net.x_mi[:n_fit], m.net_.x_mi)
    # the sequence branch reads the new miRNAs' own tokens; the fitted network is unchanged
    ids, lengths = m._tokens(list(g[MIRNA].seq[n_fit:]))
    assert torch.equal(net.mi_len[n_fit:], lengths)
    assert torch.equal(net.mi_ids[n_fit:, :ids.size(1)], ids)
    assert net.encoder is m.net_.encoder and net is not m.net_


def test_fitted_pairs_score_the_same_on_the_extended_graph(cold_mirna):
    fold, m = cold_mirna
    x = fold.train.edge_label_index[:, :50]
    before = m.decision_function(None, x)
    after = m.decision_function(fold.graph_for("test"), x)
    assert block_close(after, before, m.block_rtol)


def test_a_new_rna_without_sequence_is_not_scored_and_says_why(cold_mirna):
    _, m = cold_mirna
    ext = m.extended_graph({MRNA: {"t-new": "ACGU" * 60, "t-noseq": None}})
    n = m.graph_[MRNA].num_nodes
    pairs = torch.tensor([[0, 0], [n, n + 1]])
    raw = m.decision_function(ext, pairs)
    assert torch.isfinite(raw[0]) and torch.isnan(raw[1])
    status = m.scoring_status(ext, pairs)
    assert status[0] == "sequence"
    assert status[1].startswith("not scored:") and "'t-noseq'" in status[1]
    assert m.inductive_mode(MIRNA) == m.inductive_mode(MRNA) == "sequence"
