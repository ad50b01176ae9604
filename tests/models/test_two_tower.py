"""TwoTower: a miRNA tower read from sequence only, learned partner vectors."""
import numpy as np
import pytest
import torch

from rnagraph.data import kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.models import get_model, load
from rnagraph.models.base import block_close
from rnagraph.models.sequence_vote import SequenceVote
from rnagraph.models.two_tower import TwoTower, sequence_features
from rnagraph.train.config import TrainerConfig

CM = ("circrna", "binds", "mirna")


def test_sequence_features_by_hand():
    x = sequence_features(["ACGU", None], positions=3, kmers=(1,))
    # one-hot of A, C, G (positions 1-3; U is 4th) then 1-mer frequencies (A, C, G, U order)
    assert x.shape == (2, 3 * 4 + 4) and x.dtype == np.float32
    assert x[0, :12].tolist() == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
    assert x[0, 12:].tolist() == pytest.approx([0.25] * 4)
    assert not x[1].any()                                      # no sequence: zeros


@pytest.fixture(scope="module")
def fitted():
    fold = kfold_link_split(synthetic(seed=0), CM, k=5, mode="cold-dst", seed=0,
                            inductive=True)[0]
    return get_model("two-tower", epochs=20, hidden_channels=32, dim=8).fit(fold), fold


def test_score_is_the_tower_dot_the_partner_plus_biases(fitted):
    model, fold = fitted
    sg = fold.graph_for("test")
    pairs = fold.test.edge_label_index[:, :50]
    raw = model.decision_function(sg, pairs)
    net = model.net_
    with torch.no_grad():
        z = net.tower(model._features(sg))                    # [miRNAs, dim + 1]
        u, a = z[pairs[1], :-1], z[pairs[1], -1]
        want = (u * net.emb.weight[pairs[0]]).sum(-1) + a + net.bias.weight[pairs[0], 0]
    assert block_close(raw, want.double(), model.block_rtol)
    assert model.scoring_status(sg, pairs) == ["sequence"] * 50
    grid = model.decision_grid(None, torch.arange(5), torch.arange(4))
    flat = model.decision_function(None, torch.stack([torch.arange(5).repeat_interleave(4),
                                                      torch.arange(4).repeat(5)]))
    assert block_close(grid.flatten(), flat, model.block_rtol)


def test_a_new_copy_of_a_fitted_mirna_scores_as_it_and_save_load(fitted, tmp_path):
    model, fold = fitted
    g = model.graph_
    ext = model.extended_graph({"mirna": {"copy": g["mirna"].seq[3]}})
    n_c, n_m = int(g["circrna"].num_nodes), int(g["mirna"].num_nodes)
    c = torch.arange(n_c)
    old = model.decision_function(ext, torch.stack([c, torch.full_like(c, 3)]))
    new = model.decision_function(ext, torch.stack([c, torch.full_like(c, n_m)]))
    assert block_close(new, old, model.block_rtol)
    back = load(model.save(tmp_path / "tt.rg"))
    assert block_close(back.decision_function(ext, torch.stack([c, torch.full_like(c, n_m)])),
                       new, model.block_rtol)


def test_errors():
    fold = kfold_link_split(synthetic(seed=0), CM, k=5, seed=0)[0]
    with pytest.raises(ValueError, match="not one side"):
        TwoTower(node_type="mrna", trainer=TrainerConfig(epochs=1)).fit(fold)
    with pytest.raises(ValueError, match=r"^TwoTower: dropout=1.0 must be in \[0, 1\)"):
        TwoTower(dropout=1.0).fit(fold)
    with pytest.raises(ValueError, match="^TwoTower: dim=0 must be an integer >= 1"):
        TwoTower(dim=0).fit(fold)
    with pytest.raises(ValueError, match="^TrainerConfig: batch_size=0"):
        TwoTower().set_params(trainer__batch_size=0).fit(fold)


def test_vote_term_is_the_sequence_neighbour_vote():
    fold = kfold_link_split(synthetic(seed=0), CM, k=5, mode="cold-dst", seed=0,
                            inductive=True)[0]
    sg = fold.graph_for("test")
    model = get_model("two-tower", vote_power=2.0, epochs=2, hidden_channels=8, dim=4)
    model.fit(fold)
    ref = SequenceVote(similarity="levenshtein", powers=[2.0], calibrate=False).fit(fold)
    # SequenceVote's raw score log(1 + sum_r' S^2 A) over the known miRNAs, none voting for
    # itself, for the fitted and the new (held-out) miRNAs alike: [miRNAs, circRNAs]
    want = ref.encoded(sg)["raw"]
    got = model._votes(sg)
    assert got.shape == want.shape
    assert torch.allclose(got.double(), want, atol=1e-5)
    pairs = fold.test.edge_label_index[:, :20]
    with torch.no_grad():
        z = model.net_.tower(model._features(sg))
        base = (z[pairs[1], :-1] * model.net_.emb.weight[pairs[0]]).sum(-1) + \
            z[pairs[1], -1] + model.net_.bias.weight[pairs[0], 0]
        full = base + model.net_.vote_weight * got[pairs[1], pairs[0]]
    assert block_close(model.decision_function(sg, pairs), full.double(), model.block_rtol)
