import dataclasses
import json
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from rnagraph.data import LinkSet, build_graph, kfold_link_split
from rnagraph.models import get_model, load
from rnagraph.models._mferl_inputs import mferl_inputs
from rnagraph.models._mferl_net import MFERLNet
from rnagraph.models.base import block_close
from rnagraph.models.mferl import MFERL, MFERLContrast, MFERLEncoder, MFERLPairTerm, MFERLViews
from rnagraph.models.params import part_to_plain
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA

sys.path.insert(0, str(Path(__file__).parent))
from _planted import planted_graph  # noqa: E402

NC, NM = 7, 5
IN = {CIRCRNA: {"similarity": NC, "kmer": 6, "role2vec": 4},
      MIRNA: {"similarity": NM, "ctd": 3, "embedding": NM}}


def _tensors(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = {CIRCRNA: {"similarity": torch.rand(NC, NC, generator=g),
                   "kmer": torch.randn(NC, 6, generator=g),
                   "role2vec": torch.randn(NC, 4, generator=g)},
         MIRNA: {"similarity": torch.rand(NM, NM, generator=g),
                 "ctd": torch.randn(NM, 3, generator=g)}}
    homo = {CIRCRNA: torch.tensor([[0, 1, 2, 3], [1, 0, 3, 2]]),
            MIRNA: torch.tensor([[0, 4], [4, 0]])}
    edge_index = torch.tensor([[0, 1, 2, 3, 5, 6, 6], [0, 0, 1, 2, 3, 4, 1]])
    eli = torch.tensor([[0, 4, 6, 2, 1], [1, 3, 4, 0, 2]])
    return x, homo, edge_index, eli


# ---------------------------------------------------------------------- the network
def test_net_forward_shape_repr_and_errors():
    net = MFERLNet(IN, hidden_channels=8)
    x, homo, ei, eli = _tensors()
    assert net(x, homo, ei, eli).shape == (5,)
    z, cl = net.encode(x, homo, ei)
    assert z[CIRCRNA].shape == (NC, 24) and z[MIRNA].shape == (NM, 24) and cl > 0
    assert repr(net) == ("MFERLNet(views={'circrna': ['similarity', 'kmer', 'role2vec'], "
                         "'mirna': ['similarity', 'ctd', 'embedding']}, hidden_channels=8, "
                         "heads=2, k=3)")
    del x[CIRCRNA]["kmer"]
    with pytest.raises(ValueError, match="missing view 'kmer'"):
        net(x, homo, ei, eli)
    with pytest.raises(ValueError, match="at least one"):
        MFERLNet(IN, use_homo=False, use_mcam=False, use_heter=False)
    with pytest.raises(ValueError, match="exactly two node types"):
        MFERLNet({CIRCRNA: IN[CIRCRNA]})
    with pytest.raises(ValueError, match="needs pair_x"):
        MFERLNet(IN, hidden_channels=8, pair_channels=4)(*_tensors()[:3], eli)


def test_net_gradients_reach_every_parameter():
    # seeded: with an unlucky init MCAM's one-unit ReLU bottleneck can start dead (zero grad)
    torch.manual_seed(0)
    net = MFERLNet(IN, hidden_channels=8, cl_weight=0.1, pair_channels=4)
    x, homo, ei, eli = _tensors()
    loss, extras = net.loss(x, homo, ei, eli, torch.tensor([1., 0, 1, 0, 1]), torch.rand(5, 4))
    loss.backward()
    assert loss.item() == pytest.approx(extras["bce"] + 0.1 * extras["cl"], rel=1e-5)
    for name, p in net.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_net_reset_parameters_restores_output_and_pair_init():
    net = MFERLNet(IN, hidden_channels=8, pair_channels=2, pair_init=(3.0, -1.0)).eval()
    x, homo, ei, eli = _tensors()
    px = torch.rand(5, 2)
    torch.manual_seed(4)
    net.reset_parameters()
    before = net(x, homo, ei, eli, px).detach()
    assert net.pair_lin.weight.tolist() == [[3.0, -1.0]] and net.pair_lin.bias.item() == 0.0
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.1)
    assert not torch.allclose(net(x, homo, ei, eli, px), before)
    torch.manual_seed(4)
    net.reset_parameters()
    assert torch.allclose(net(x, homo, ei, eli, px), before)


def test_net_circrna_permutation_permutes_nothing_but_indices():
    net = MFERLNet(IN, hidden_channels=8).eval()
    x, homo, ei, eli = _tensors()
    perm = torch.tensor([3, 6, 0, 5, 1, 4, 2])      # new row r holds old node perm[r]
    inv = torch.argsort(perm)
    xp = {CIRCRNA: {v: t[perm] for v, t in x[CIRCRNA].items()}, MIRNA: x[MIRNA]}
    homo_p = {CIRCRNA: inv[homo[CIRCRNA]], MIRNA: homo[MIRNA]}
    ei_p = torch.stack([inv[ei[0]], ei[1]])
    eli_p = torch.stack([inv[eli[0]], eli[1]])
    assert torch.allclose(net(xp, homo_p, ei_p, eli_p), net(x, homo, ei, eli), atol=1e-5)


def test_net_ablations_change_width():
    x, homo, ei, _ = _tensors()
    z, _ = MFERLNet(IN, hidden_channels=8, use_heter=False).encode(x, homo, ei)
    assert z[MIRNA].shape == (NM, 16)
    net = MFERLNet(IN, hidden_channels=8, use_mcam=False, use_cl=False)
    z, cl = net.encode(x, homo, ei)
    assert z[CIRCRNA].shape == (NC, 16) and cl.item() == 0.0
    assert "without=['mcam', 'cl']" in repr(net)


def test_net_disjoint_ratio_holds_supervision_positives_out(monkeypatch):
    net = MFERLNet(IN, hidden_channels=8, disjoint_train_ratio=0.5)
    x, homo, ei, _ = _tensors()
    seen = []
    orig = MFERLNet.encode
    monkeypatch.setattr(MFERLNet, "encode", lambda self, *a, **k: (seen.append(a[2]),
                                                                   orig(self, *a, **k))[1])
    y = torch.ones(ei.size(1))
    torch.manual_seed(0)
    net.loss(x, homo, ei, ei, y)       # every message edge is also a positive training pair
    kept = {tuple(e) for e in seen[0].t().tolist()}
    assert 0 < len(kept) < ei.size(1)  # the drawn supervision positives left the messages
    net.eval()
    net.loss(x, homo, ei, ei, y)       # no draw in eval mode
    assert torch.equal(seen[1], ei)


# ---------------------------------------------------------------------- the model
@pytest.fixture(scope="module")
def planted_fold(train_seed):
    # p_in 0.9: few unobserved within-group pairs, which no model can tell from positives (at
    # p_in 0.6 they capped the AUC near 0.94 and one seed in five fell below 0.9)
    data = planted_graph(p_in=0.9, p_out=0.0, seed=train_seed)
    return kfold_link_split(data, CIRC_MIRNA, k=5, seed=train_seed)[0]


def _model(seed: int = 0, **kw):
    return get_model("mferl", hidden_channels=32, epochs=60, patience=20, seed=seed, **kw)


@pytest.fixture(scope="module")
def fitted(planted_fold, tmp_path_factory, train_seed):
    return _model(train_seed, disk_cache=str(tmp_path_factory.mktemp("cache"))).fit(planted_fold)


def test_learns_planted_graph_and_records_fit_info(planted_fold, fitted, margin):
    fold, a = planted_fold, fitted
    pa = a.score(fold.train_graph, fold.test.edge_label_index)
    assert pa.dtype == torch.float64 and a.calibrator_ is not None
    # min 0.982 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("auc", roc_auc_score(fold.test.edge_label.numpy(), pa.numpy()), 0.9)
    assert a.views_[CIRCRNA] == ["similarity", "ctd", "kmer", "doc2vec", "role2vec"]
    # the JSON-ready summary cross_validate stores with each fold
    info = json.loads(json.dumps(a.fit_info_))
    assert info["epochs"] == len(a.history_) <= 60 and info["best_epoch"] == a.best_epoch_
    assert info["best_epoch"] + 20 >= info["epochs"] or info["epochs"] == 60
    assert info["epoch_s"] > 0 and info["features_s"] > 0 and info["views"] == a.view_sources_
    with pytest.raises(ValueError, match="fitted on"):     # fewer nodes than the fitted graph
        a.score(planted_graph(circ_per_group=3), torch.tensor([[0], [0]]))


def test_fit_is_blind_to_test_and_deterministic(planted_fold, fitted):
    """Refitting on the fold with its test pairs replaced by random pairs with flipped labels
    gives bit-identical scores: fit never reads fold.test (and is seeded)."""
    fold = planted_fold
    g = torch.Generator().manual_seed(1)
    n = len(fold.test)
    fake = LinkSet(torch.stack([torch.randint(fold.train_graph[CIRCRNA].num_nodes, (n,),
                                              generator=g),
                                torch.randint(fold.train_graph[MIRNA].num_nodes, (n,),
                                              generator=g)]),
                   1.0 - fold.test.edge_label)
    b = clone(fitted).fit(dataclasses.replace(fold, test=fake))
    eli = fold.test.edge_label_index
    assert torch.equal(b.decision_function(None, eli), fitted.decision_function(None, eli))
    assert torch.equal(b.score(None, eli), fitted.score(None, eli))


def test_save_load_same_decision_function(planted_fold, fitted, tmp_path):
    path = fitted.save(tmp_path / "mferl.pt")
    m = load(path)
    # the parameters as a JSON file holds them (tuples read back as lists)
    assert type(m) is MFERL and part_to_plain(m) == json.loads(json.dumps(part_to_plain(fitted)))
    eli = planted_fold.test.edge_label_index
    assert torch.equal(m.decision_function(None, eli), fitted.decision_function(None, eli))
    assert torch.equal(m.score(None, eli), fitted.score(None, eli))
    assert m.views_ == fitted.views_ and m.fit_info_ == json.loads(json.dumps(fitted.fit_info_))


def test_node_representations_computed_once(planted_fold, fitted, monkeypatch):
    m = clone(fitted)
    m.__dict__.update({k: v for k, v in vars(fitted).items() if k.endswith("_")})
    calls = []
    orig = MFERLNet.encode
    monkeypatch.setattr(MFERLNet, "encode", lambda self, *a, **k: (calls.append(1),
                                                                   orig(self, *a, **k))[1])
    eli = planted_fold.test.edge_label_index
    s1 = m.score(planted_fold.train_graph, eli[:, :10])
    s2 = m.score(planted_fold.train_graph, eli)
    assert len(calls) == 1
    # the same pairs in a block of 10 and in the whole set: equal up to float rounding (the
    # head's kernels may order a sum differently for another batch size; seen in a full run)
    torch.testing.assert_close(s1, s2[:10], rtol=0, atol=1e-12)


def test_composition_names_and_defaults():
    """MFERL is seven arguments: four parts, the disjoint ratio, the trainer and calibrate.
    Short names reach the one part that has them, and the defaults are MFERL's own."""
    import inspect
    assert list(inspect.signature(MFERL).parameters) == [
        "inputs", "encoder", "contrast", "pair", "disjoint_train_ratio", "trainer", "calibrate"]
    m = MFERL(encoder=MFERLEncoder(hidden_channels=16), pair=MFERLPairTerm(),
              disjoint_train_ratio=0.3)
    assert part_to_plain(get_model("mferl-pair", hidden_channels=16, disjoint_train_ratio=0.3)
                         ) == part_to_plain(m)
    assert part_to_plain(clone(m)) == part_to_plain(m)
    p = m.get_params()
    assert (p["encoder__hidden_channels"], p["trainer__epochs"], p["trainer__weight_decay"],
            p["trainer__min_delta"], p["trainer__device"], p["contrast__cl_nodes"]) == (
        16, 300, 1e-4, 0.002, "cpu", 1024)
    assert "num_threads" not in p
    # no two parts share a parameter name, so every short name reaches exactly one part
    leaves = [k.split("__")[1] for k in p if "__" in k]
    assert len(leaves) == len(set(leaves)) == 4 + 6 + 8 + 2 + 14
    # each model holds its own default parts: changing one changes no other model
    a, b = MFERL(), MFERL()
    a.set_params(encoder__heads=4, trainer__lr=0.1)
    assert (b.encoder.heads, b.trainer.lr) == (2, 0.01)
    assert get_model("mferl-struct").pair.get_params() == {"seed_sites": False,
                                                           "structural": True}


def test_paper_preset():
    paper, ours = MFERL.paper(), MFERL()
    assert paper.contrast.cl_nodes is None and paper.inputs.max_neighbors is None
    # everything else is the default configuration
    pp, po = paper.get_params(), ours.get_params()
    diff = {k for k in po if "__" in k and pp[k] != po[k]}
    assert diff == {"contrast__cl_nodes", "inputs__max_neighbors"}
    assert MFERL.paper(hidden_channels=64, seed=3).get_params()["encoder__hidden_channels"] == 64
    assert part_to_plain(MFERL.paper()) == part_to_plain(get_model("mferl-paper"))


@pytest.mark.parametrize(("params", "match"), [
    ({"disjoint_train_ratio": 1.0}, "MFERL: disjoint_train_ratio=1.0 must be in"),
    ({"encoder__blocks": ()}, "MFERLEncoder: blocks=()"),
    ({"encoder__blocks": ("homo", "gat")}, "MFERLEncoder: blocks="),
    ({"encoder__dropout": 1.0}, "MFERLEncoder: dropout=1.0"),
    ({"inputs__views": ("similarity", "tfidf")}, "MFERLViews: views="),
    ({"inputs__max_neighbors": 0}, "MFERLViews: max_neighbors=0"),
    ({"contrast__temperature": 0.0}, "MFERLContrast: temperature=0.0"),
    ({"contrast__cl_nodes": 1}, "MFERLContrast: cl_nodes=1"),
    ({"pair": MFERLPairTerm(seed_sites=False)}, "MFERLPairTerm: seed_sites=False"),
    ({"pair": True}, "MFERL: pair=True must be an MFERLPairTerm"),
    ({"encoder": {"hidden_channels": 8}}, "MFERL: encoder=.* must be a MFERLEncoder"),
    ({"trainer__batch_size": 64}, "full batch"),
    ({"trainer__epochs": 0}, "TrainerConfig: epochs=0"),
])
def test_bad_params_are_stored_and_refused_by_fit(planted_fold, params, match):
    m = MFERL().set_params(**params)      # __init__ and set_params only store
    c = clone(m)
    with pytest.raises(ValueError, match=match):
        c.fit(planted_fold)
    assert not hasattr(c, "net_")


def test_parts_validate_their_own_defaults():
    for part in (MFERLViews(), MFERLEncoder(), MFERLContrast(), MFERLPairTerm(),
                 TrainerConfig(**MFERL.default_trainer)):
        part._validate_params()             # no error: the defaults are valid
    assert MFERLEncoder(blocks=["homo"]).net_kwargs() == {
        "hidden_channels": 128, "heads": 2, "k": 3, "channel_pool": "graph", "dropout": 0.5,
        "use_homo": True, "use_mcam": False, "use_heter": False}
    assert MFERLContrast(cl_weight=0.0).net_kwargs()["use_cl"] is False


def test_cached_inputs_equal_recomputed(planted_fold, tmp_path):
    g = planted_fold.train_graph
    kw = dict(role2vec_dim=16, doc2vec_dim=16)
    first = mferl_inputs(g, CIRC_MIRNA, cache=str(tmp_path), **kw)
    files = sorted(p.name.split("-")[0] for p in tmp_path.glob("*.npy"))
    assert {"levenshtein", "mferl", "role2vec"} <= set(files)
    cached = mferl_inputs(g, CIRC_MIRNA, cache=str(tmp_path), **kw)
    fresh = mferl_inputs(g, CIRC_MIRNA, cache=False, **kw)
    for t in (CIRCRNA, MIRNA):
        assert first.views[t] == fresh.views[t] == ["similarity", "ctd", "kmer", "doc2vec",
                                                    "role2vec"]
        for v in fresh.x[t]:
            assert torch.equal(cached.x[t][v], fresh.x[t][v]), (t, v)
            assert torch.equal(first.x[t][v], fresh.x[t][v]), (t, v)
        assert torch.equal(cached.homo_edge_index[t], fresh.homo_edge_index[t])
    # the training graph is not modified, and only its edges feed the graph views
    assert not hasattr(g[CIRCRNA], "x_role2vec")
    assert torch.equal(fresh.edge_index, g[CIRC_MIRNA].edge_index)


def test_circrna_without_sequences_uses_graph_views(planted_fold):
    g = planted_fold.train_graph
    seqs = {CIRCRNA: dict.fromkeys(g[CIRCRNA].ids), MIRNA: dict(zip(g[MIRNA].ids, g[MIRNA].seq))}
    ei = g[CIRC_MIRNA].edge_index
    pairs = [(g[CIRCRNA].ids[i], g[MIRNA].ids[j]) for i, j in ei.t().tolist()]
    train_graph = build_graph(seqs, {CIRC_MIRNA: pairs}, node_ids={CIRCRNA: g[CIRCRNA].ids})
    fold = dataclasses.replace(planted_fold, train_graph=train_graph)
    model = get_model("mferl", hidden_channels=16, epochs=5, disk_cache=False,
                      views=("similarity", "ctd", "kmer", "role2vec")).fit(fold)
    assert model.views_[CIRCRNA] == ["similarity", "embedding", "role2vec"]
    assert model.views_[MIRNA] == ["similarity", "ctd", "kmer", "role2vec"]
    assert "GIP" in model.view_sources_[CIRCRNA]["similarity"]
    p = model.score(None, fold.test.edge_label_index)
    assert p.shape == (len(fold.test),) and bool(((p > 0) & (p < 1)).all())


def test_without_validation_trains_all_epochs(planted_fold):
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    fold = dataclasses.replace(planted_fold, val=empty)
    with pytest.warns(UserWarning, match="calibrating on training pairs"):
        m = get_model("mferl", hidden_channels=8, epochs=4, patience=1,
                      views=("ctd", "role2vec"), role2vec_dim=8).fit(fold)
    assert m.fit_info_["epochs"] == 4 and m.best_epoch_ == 4


def test_pair_features_learn_synthetic_and_match_seedmatch(train_seed, margin):
    """On the synthetic default, MFERL with the pair (seed-site) term learns the planted sites:
    a high AUC on a held-out fold, within 0.06 of the training-free SeedMatch on the same pairs,
    and the canonical order of the site weights. (It does not beat SeedMatch on every seed:
    over seeds 0-4 the gap ran from -0.032 to +0.023, so 'beats' is not asserted.)"""
    from rnagraph.datasets import synthetic
    from rnagraph.models.seed_match import SeedMatch

    data = synthetic(seed=train_seed)
    fold = kfold_link_split(data, CIRC_MIRNA, k=5, seed=train_seed)[0]
    y = fold.test.edge_label.numpy()
    model = get_model("mferl-pair", epochs=40, patience=10, seed=train_seed,
                      views=("similarity", "ctd", "kmer", "role2vec"))
    s = model.fit(fold).score(fold.train_graph, fold.test.edge_label_index)
    auc = roc_auc_score(y, s.numpy())
    seed_auc = roc_auc_score(y, SeedMatch().fit(fold).score(fold.train_graph,
                                                            fold.test.edge_label_index).numpy())
    # min 0.881 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("auc", auc, 0.85)
    # min -0.032 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("auc - SeedMatch auc", auc - seed_auc, -0.06)
    # the learned pair weights keep the canonical order 8mer > 7mer-m8 > 7mer-A1 > 6mer
    w = model.net_.pair_lin.weight.detach().flatten().tolist()
    assert w[0] > w[1] > w[2] > w[3]


def test_disjoint_train_ratio_learns_and_holds_supervision_edges_out(planted_fold, monkeypatch,
                                                                    train_seed, margin):
    fold = planted_fold
    seen = []
    orig = MFERLNet.encode

    def spy(self, x_dict, homo, edge_index, compute_cl=True):
        if self.training:
            seen.append(edge_index)
        return orig(self, x_dict, homo, edge_index, compute_cl)

    monkeypatch.setattr(MFERLNet, "encode", spy)
    m = _model(train_seed, disjoint_train_ratio=0.3).fit(fold)
    auc = roc_auc_score(fold.test.edge_label.numpy(),
                        m.score(fold.train_graph, fold.test.edge_label_index).numpy())
    # min 0.986 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("auc", auc, 0.9)
    full = fold.train_graph[CIRC_MIRNA].edge_index
    n_pos = int(fold.train.edge_label.sum())
    # every training step passes messages over a strict subset of the training edges (about
    # 70 % of them), and different subsets on different steps
    assert all(0.55 * n_pos < e.size(1) < 0.85 * n_pos for e in seen)
    assert all(e.size(1) < full.size(1) for e in seen)
    assert not torch.equal(seen[0], seen[1])


def test_trainer_callbacks_see_every_epoch(planted_fold):
    recs = []
    m = get_model("mferl", hidden_channels=8, epochs=3, views=("ctd", "role2vec"),
                  role2vec_dim=8)
    m.fit(planted_fold, callbacks=[recs.append])
    assert [r["epoch"] for r in recs] == [1, 2, 3]
    assert all({"loss", "val_auc", "bce", "cl", "seconds"} <= set(r) for r in recs)
    assert not hasattr(m, "_callbacks")


def test_loss_matches_bce_plus_weighted_cl():
    # the loss the trainer minimises is the BCE of the head's logits plus cl_weight x InfoNCE
    net = MFERLNet(IN, hidden_channels=8, cl_weight=0.5, dropout=0.0)
    x, homo, ei, eli = _tensors()
    y = torch.tensor([1., 0, 1, 0, 1])
    torch.manual_seed(0)
    loss, extras = net.loss(x, homo, ei, eli, y)
    torch.manual_seed(0)
    z, cl = net.encode(x, homo, ei)
    bce = F.binary_cross_entropy_with_logits(net.decode(z, eli), y)
    assert loss.item() == pytest.approx((bce + 0.5 * cl).item(), rel=1e-6)


def test_decision_grid_is_the_matrix_of_decision_function(planted_fold, fitted):
    n_s, n_d = (planted_fold.train_graph[t].num_nodes for t in ("circrna", "mirna"))
    src, dst = torch.tensor([n_s - 1, 0, 3]), torch.tensor([n_d - 1, 1, 2, 0])
    grid = fitted.decision_grid(None, src, dst)   # one matrix product (CNNProductHead.grid)
    flat = fitted.decision_function(None, torch.stack([src.repeat_interleave(4), dst.repeat(3)]))
    assert grid.shape == (3, 4) and grid.dtype == torch.float64
    assert block_close(grid.reshape(-1), flat, fitted.block_rtol)
    assert fitted._decision_grid(fitted.encoded(), src, dst) is not None


def test_structural_features_term(planted_fold, tmp_path):
    """A structural pair term: seven more pair channels (started at 0) holding the
    own-edge-free features of the training graph; fit is blind to test; save -> load keeps
    the decision function."""
    from rnagraph.features import STRUCTURAL_FEATURES, StructuralPairFeatures
    fold = planted_fold
    m = get_model("mferl", hidden_channels=16, epochs=20, patience=10, seed=0,
                  disk_cache=False, pair=MFERLPairTerm(structural=True)).fit(fold)
    assert m.net_.pair_lin.in_features == 4 + len(STRUCTURAL_FEATURES)
    assert m.net_.pair_lin.init[4:] == (0.0,) * len(STRUCTURAL_FEATURES)
    pos = fold.train.pos_index
    want = StructuralPairFeatures().fit(fold.train_graph, CIRC_MIRNA).transform(pos)
    assert torch.equal(m._pair_x(pos)[:, 4:], want)
    fake = LinkSet(fold.test.edge_label_index.flip(0) % 5, 1.0 - fold.test.edge_label)
    b = clone(m).fit(dataclasses.replace(fold, test=fake))
    eli = fold.test.edge_label_index
    assert torch.equal(b.decision_function(None, eli), m.decision_function(None, eli))
    back = load(m.save(tmp_path / "mferl-struct.pt"))
    assert torch.equal(back.decision_function(None, eli), m.decision_function(None, eli))


def test_decision_grid_with_the_pair_term(planted_fold):
    m = get_model("mferl", hidden_channels=16, epochs=3, seed=0, disk_cache=False,
                  pair=MFERLPairTerm(structural=True)).fit(planted_fold)
    src, dst = torch.tensor([4, 0, 2]), torch.tensor([3, 1, 0, 5])
    flat = m.decision_function(None, torch.stack([src.repeat_interleave(4), dst.repeat(3)]))
    assert block_close(m.decision_grid(None, src, dst).reshape(-1), flat, m.block_rtol)
