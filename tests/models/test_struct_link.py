import dataclasses

import numpy as np
import pytest
import torch

from rnagraph.data import LinkSet, kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.features import StructuralPairFeatures
from rnagraph.models import DegreeProduct, StructLink, get_model, load
from rnagraph.models.base import block_close
from rnagraph.train import binary_metrics
from rnagraph.train.config import TrainerConfig
from rnagraph.train.popularity_negatives import PopularityNegatives
from rnagraph.train.ranking_loss import RankingLoss

CM = ("circrna", "binds", "mirna")
KW = {"mlp_channels": 16, "epochs": 60}


def struct(**kw) -> StructLink:
    """A StructLink of its defaults with ``kw`` over them (parts' parameters by short name)."""
    return get_model("struct", **kw)


@pytest.fixture(scope="module")
def folds(train_seed):
    g = synthetic(seed=train_seed)
    return {neg: kfold_link_split(g, CM, k=5, seed=train_seed, negatives=neg)[0]
            for neg in ("uniform", "degree")}


def test_learns_on_a_synthetic_graph_and_beats_degree(folds, train_seed, margin):
    for neg, f in folds.items():
        m = struct(seed=train_seed, **KW).fit(f)
        auc = binary_metrics(f.test.edge_label, m.score(None, f.test.edge_label_index))["auc"]
        deg = DegreeProduct().fit(f)
        base = binary_metrics(f.test.edge_label,
                              deg.score(None, f.test.edge_label_index))["auc"]
        # min 0.103 (uniform), 0.287 (degree) over 3 kernel sets x seeds 0-2 (tools/margins.md)
        margin.above(f"auc - degree auc ({neg} negatives)", auc - base, 0.05)
        # min 0.792 (uniform), 0.797 (degree) over 3 kernel sets x seeds 0-2 (tools/margins.md)
        margin.above(f"auc ({neg} negatives)", auc, 0.75)
        # seeded: a second fit gives the same scores; the global torch RNG is untouched
        state = torch.random.get_rng_state()
        m2 = struct(seed=train_seed, **KW).fit(f)
        assert torch.equal(state, torch.random.get_rng_state())
        assert torch.equal(m.decision_function(None, f.test.edge_label_index),
                           m2.decision_function(None, f.test.edge_label_index))


@pytest.mark.parametrize("use_sage,rank_weight", [(False, 2.0), (True, 2.0), (False, 0.0)])
def test_fit_ignores_a_poisoned_test_set_and_round_trips(folds, use_sage, rank_weight,
                                                         tmp_path):
    f = folds["degree"]
    gen = torch.Generator().manual_seed(1)
    n_s, n_d = (int(f.train_graph[nt].num_nodes) for nt in (CM[0], CM[2]))
    rand = torch.stack([torch.randint(n_s, (100,), generator=gen),
                        torch.randint(n_d, (100,), generator=gen)])
    bad = LinkSet(torch.cat([f.test.edge_label_index, rand], 1),
                  torch.cat([1 - f.test.edge_label, torch.ones(100)]))
    kw = {**KW, "epochs": 20, "use_sage": use_sage, "hidden_channels": 8,
          "rank_weight": rank_weight}
    a = struct(**kw).fit(f)
    b = struct(**kw).fit(dataclasses.replace(f, test=bad))
    pairs = torch.cat([f.test.edge_label_index, f.val.edge_label_index, rand], 1)
    assert torch.equal(a.decision_function(None, pairs), b.decision_function(None, pairs))
    assert torch.equal(a.score(None, pairs), b.score(None, pairs))
    back = load(a.save(tmp_path / "struct.pt"))
    assert type(back) is StructLink
    assert repr(back.get_params(deep=True)) == repr(a.get_params(deep=True))
    assert torch.equal(back.decision_function(None, pairs), a.decision_function(None, pairs))
    assert torch.equal(back.score(None, pairs), a.score(None, pairs))
    assert (back.net_.sage is not None) == use_sage


def test_the_logit_uses_own_edge_free_features_of_the_scoring_graph(folds):
    f = folds["uniform"]
    m = struct(**{**KW, "epochs": 5}).fit(f)
    pos = f.train.pos_index[:, :50]
    phi = StructuralPairFeatures(m.power).fit(f.train_graph, CM).transform(pos)
    with torch.no_grad():
        want = m.net_.decode(None, pos, phi).double()
    assert torch.allclose(m.decision_function(None, pos), want)


def test_options_are_checked_and_registered():
    assert type(get_model("struct")) is StructLink
    # bad values are refused by fit: tests/models/test_params.py
    assert repr(StructLink(power=3.0)) == (
        "StructLink(negatives=PopularityNegatives(), power=3.0, ranking=RankingLoss(),\n"
        "           trainer=TrainerConfig(epochs=300, eval_every=5, lr=0.03, patience=50))")
    # 10 arguments: the negative pool, the ranking term and the trainer are parts, and a
    # part's parameter keeps its old name (one part has it) in get_model and --set
    m = get_model("struct", degree_share=0.5, rank_k=8, lr=0.01, seed=3)
    assert (m.negatives.degree_share, m.ranking.rank_k, m.trainer.lr, m.trainer.seed) == \
        (0.5, 8, 0.01, 3)
    assert m.get_params()["negatives__degree_share"] == 0.5
    parts = StructLink(negatives=PopularityNegatives(degree_share=0.5),
                       ranking=RankingLoss(rank_k=8), trainer=TrainerConfig(lr=0.01, seed=3,
                       epochs=300, eval_every=5, patience=50))
    assert repr(parts.get_params(deep=True)) == repr(m.get_params(deep=True))


@pytest.mark.parametrize("use_sage", [False, True])
def test_decision_grid_equals_decision_function(folds, use_sage):
    f = folds["uniform"]
    m = struct(**{**KW, "epochs": 5, "use_sage": use_sage, "hidden_channels": 8}).fit(f)
    src, dst = torch.tensor([7, 0, 3]), torch.tensor([2, 0, 5, 9])
    flat = m.decision_function(None, torch.stack([src.repeat_interleave(4), dst.repeat(3)]))
    grid = m.decision_grid(None, src, dst)
    assert grid.shape == (3, 4) and grid.dtype == torch.float64
    assert block_close(grid.reshape(-1), flat, m.block_rtol)


def test_rank_loss_is_a_softmax_of_each_positive_against_its_corruptions(folds):
    f = folds["uniform"]
    m = struct(**{**KW, "rank_weight": 2.0, "rank_k": 6, "rank_pool": 10, "rank_batch": 0})
    m.edge_type_ = CM
    task = m._task(f)
    pairs, labels = f.train.edge_label_index, f.train.edge_label
    out = task.module.mlp[2]
    with torch.no_grad():                      # equal logits: each side gives log(1 + #valid)
        out.weight.zero_()
        out.bias.fill_(0.3)
    pos = pairs[:, labels > 0.5]
    n_neg = int(round(m.negatives.neg_ratio * pos.size(1)))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        loss, parts = task.loss(pairs, labels)
        torch.manual_seed(0)                   # the same draws: the pool's, then the ranking's
        torch.randint(task.pool.size(1), (n_neg,))
        *_, vd, vs = task._corruptions(pos)
    assert vd.shape == vs.shape == (pos.size(1), 6) and 0 < vd.float().mean() < 1
    want = 0.5 * (torch.log1p(vd.sum(1).double()).mean()
                  + torch.log1p(vs.sum(1).double()).mean())
    assert parts["rank"] == pytest.approx(float(want), rel=1e-5)
    share = float(labels.sum()) / (labels.numel() + n_neg)
    bce = float(np.log1p(np.exp(-0.3)) * share + np.log1p(np.exp(0.3)) * (1 - share))
    assert parts["bce"] == pytest.approx(bce, rel=1e-5)
    assert float(loss.detach()) == pytest.approx(parts["bce"] + 2.0 * parts["rank"], rel=1e-5)
    # training on it: the rank term falls well below its equal-logit value
    fitted = struct(**{**KW, "rank_k": 6, "rank_pool": 10, "rank_batch": 0}).fit(f)
    best = fitted.history_[fitted.best_epoch_ - 1]
    assert best["rank"] < 0.8 * float(want) and "bce" in best
    assert "rank" not in struct(**{**KW, "epochs": 2, "rank_weight": 0}).fit(f).history_[0]
