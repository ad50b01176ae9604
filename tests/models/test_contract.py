"""The model contract (``rnagraph.models.base.LinkModel``), checked on every registry model.

Each model is built small (``FAST``) and fitted once per module on one fold of the synthetic
default graph (sequences on both sides, so sequence models run too).
"""
from __future__ import annotations

import dataclasses

import pytest
import torch
from sklearn.base import clone

from rnagraph.data import Fold, LinkSet, kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.models import MODELS, LinkModel, ModelFileError, NotFittedError, get_model, load
from rnagraph.models.base import BLOCK_RTOL, block_close, block_tolerance, grid_pairs
from rnagraph.models.degree_product import DegreeProduct
from rnagraph.models.node_prior import NodePrior
from rnagraph.models.params import is_part, part_to_plain
from rnagraph.models.sage_link import SAGELink
from rnagraph.models.sequence_prior import SequencePrior
from rnagraph.models.truncated_katz import TruncatedKatz
from rnagraph.train.calibration import PlattCalibrator
from rnagraph.train.config import TrainerConfig

CM = ("circrna", "binds", "mirna")

#: small, fast settings per registry name (anything not listed is built with defaults)
FAST: dict[str, dict] = {
    "svd": {"dim": 8},
    "sage": {"hidden_channels": 8, "epochs": 30},
    "struct": {"mlp_channels": 8, "epochs": 30},
    "mferl": {"hidden_channels": 8, "epochs": 3, "role2vec_dim": 8, "disk_cache": False},
    "mferl-pair": {"hidden_channels": 8, "epochs": 3, "role2vec_dim": 8, "disk_cache": False},
    "mferl-struct": {"hidden_channels": 8, "epochs": 3, "role2vec_dim": 8, "disk_cache": False},
    "joint": {"hidden_channels": 16, "epochs": 60},
    "joint-single": {"hidden_channels": 16, "epochs": 60},
    "grmmi": {"embedding_dim": 8, "embedding_epochs": 1, "conv_channels": 8,
              "hidden_channels": 8, "heads": 2, "graph_encoder__dim": 2, "mlp_channels": 8,
              "epochs": 2, "max_tokens": 64},
    "mitar": {"filters": 8, "hidden_channels": 4, "dense": 4, "epochs": 2, "max_len": 80},
    "duplex": {"hidden_channels": 8, "epochs": 5},
    "duplex-boost": {"max_trees": 30},
    "seq-prior": {"hidden_channels": 8, "epochs": 5},
}

NAMES = list(MODELS)


def plain_params(model: LinkModel) -> dict:
    """``model``'s parameters with every part in its plain form (class and parameters), so two
    models compare equal when their parts hold equal values (parts have no ``__eq__``)."""
    return {k: part_to_plain(v) if is_part(v) else v
            for k, v in model.get_params(deep=False).items()}


def make(name: str) -> LinkModel:
    model = get_model(name, **FAST.get(name, {}))
    assert isinstance(model, LinkModel), f"registry model {name!r} is not a LinkModel"
    return model


@pytest.fixture(scope="module")
def fold() -> Fold:
    return kfold_link_split(synthetic(seed=0), CM, k=5, seed=0)[0]


_FITTED: dict[str, LinkModel] = {}


@pytest.fixture
def fitted(request, fold) -> LinkModel:
    """The registry model ``request.param``, fitted on ``fold`` (once per test module)."""
    name = request.param
    model = make(name)
    if name not in _FITTED:
        _FITTED[name] = model.fit(fold)
    return _FITTED[name]


def poisoned(fold: Fold, seed: int = 1) -> Fold:
    """``fold`` with its test set replaced: its pairs with flipped labels plus random pairs with
    random labels."""
    gen = torch.Generator().manual_seed(seed)
    t = fold.test
    n_s, n_d = (int(fold.train_graph[nt].num_nodes) for nt in (CM[0], CM[2]))
    rand = torch.stack([torch.randint(n_s, (200,), generator=gen),
                        torch.randint(n_d, (200,), generator=gen)])
    pairs = torch.cat([t.edge_label_index, rand], dim=1)
    labels = torch.cat([1 - t.edge_label, torch.randint(2, (200,), generator=gen).float()])
    return dataclasses.replace(fold, test=LinkSet(pairs, labels))


def blind_to_test(model: LinkModel, fold: Fold) -> bool:
    """Whether fitting ``model`` on ``fold`` and on :func:`poisoned` ``fold`` gives bit-identical
    ``decision_function`` and ``score`` on the test and validation pairs."""
    pairs = torch.cat([fold.test.edge_label_index, fold.val.edge_label_index], dim=1)
    a = clone(model).fit(fold)
    b = clone(model).fit(poisoned(fold))
    return (torch.equal(a.decision_function(None, pairs), b.decision_function(None, pairs))
            and torch.equal(a.score(None, pairs), b.score(None, pairs)))


# ----------------------------------------------------------------------------- (a) test-blind
@pytest.mark.parametrize("name", NAMES)
def test_fit_never_reads_fold_test(name, fold):
    assert blind_to_test(make(name), fold)


class _CalibratesOnTest(DegreeProduct):
    """Cheats: recalibrates on ``fold.test`` when it is there."""

    def fit(self, fold: Fold) -> _CalibratesOnTest:
        super().fit(fold)
        if len(fold.test):
            raw = self.decision_function(None, fold.test.edge_label_index)
            self.calibrator_ = PlattCalibrator().fit(raw, fold.test.edge_label)
        return self


class _EarlyStopsOnTest(SAGELink):
    """Cheats: early-stops on ``fold.test`` instead of ``fold.val``."""

    def _fit(self, fold: Fold) -> None:
        super()._fit(dataclasses.replace(fold, val=fold.test) if len(fold.test) else fold)


@pytest.mark.parametrize("cheat", [_CalibratesOnTest(),
                                   _EarlyStopsOnTest(hidden_channels=8, trainer=TrainerConfig(
                                       epochs=40, eval_every=1, patience=5, lr=0.05))])
def test_the_poisoning_check_catches_a_cheat(cheat, fold):
    assert not blind_to_test(cheat, fold)
    honest = type(cheat).__mro__[1](**cheat.get_params(deep=False))
    assert blind_to_test(honest, fold)


# ----------------------------------------------------------------------------- (b), (c) files
@pytest.mark.parametrize("fitted", NAMES, indirect=True)
def test_save_load_round_trip(fitted, fold, tmp_path):
    pairs = torch.cat([fold.test.edge_label_index, fold.val.edge_label_index], dim=1)
    back = load(fitted.save(tmp_path / "m.pt"))
    assert type(back) is type(fitted) and plain_params(back) == plain_params(fitted)
    # a loaded model may encode its sequences in other chunks than the fitted one did: the
    # same scores within the model's block tolerance (exact for counting models)
    rtol = type(fitted).block_rtol
    assert block_close(back.decision_function(None, pairs), fitted.decision_function(None, pairs),
                       rtol)
    assert block_close(back.score(None, pairs), fitted.score(None, pairs), rtol)


@pytest.mark.parametrize("fitted", NAMES, indirect=True)
def test_damaged_files_raise_model_file_error(fitted, tmp_path):
    path = fitted.save(tmp_path / "m.pt")
    data = path.read_bytes()
    cut = tmp_path / "cut.pt"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="cut.pt: not a readable rnagraph model file "
                                             r"\(truncated or corrupted"):
        load(cut)
    obj = torch.load(path, weights_only=True)
    obj["format_version"] = 99
    old = tmp_path / "old.pt"
    torch.save(obj, old)
    with pytest.raises(ModelFileError, match="old.pt: model file format version 99 .*refit"):
        load(old)


def test_a_non_default_trainer_round_trips_through_a_file(fold, tmp_path):
    model = SAGELink(hidden_channels=8, trainer=TrainerConfig(epochs=2, lr=0.05, seed=3))
    model.fit(fold)
    back = load(model.save(tmp_path / "sage.rg"))
    assert isinstance(back.trainer, TrainerConfig) and back.trainer is not model.trainer
    assert (back.trainer.epochs, back.trainer.lr, back.trainer.seed) == (2, 0.05, 3)
    # every parameter, the trainer's included, and the scores come back
    assert back.get_params(deep=True).keys() == model.get_params(deep=True).keys()
    assert all(v == model.get_params(deep=True)[k]
               for k, v in back.get_params(deep=True).items() if not is_part(v))
    pairs = torch.cat([fold.test.edge_label_index, fold.val.edge_label_index], dim=1)
    assert torch.equal(back.score(None, pairs), model.score(None, pairs))
    assert len(back.history_) == 2                  # fitted with the 2 epochs it was given


def test_a_file_whose_part_names_another_class_is_refused(fold, tmp_path):
    import json
    path = SAGELink(hidden_channels=8, trainer=TrainerConfig(epochs=1)).fit(fold).save(
        tmp_path / "sage.rg")
    obj = torch.load(path, weights_only=True)
    meta = json.loads(obj["json"])
    assert meta["params"]["trainer"]["part"] == "rnagraph.train.config.TrainerConfig"
    for name in ("os.system", "subprocess.Popen", "rnagraph.models.sage_link.SAGELink.fit"):
        meta["params"]["trainer"]["part"] = name
        obj["json"] = json.dumps(meta)
        edited = tmp_path / "edited.rg"
        torch.save(obj, edited)
        with pytest.raises(ModelFileError, match=rf"edited.rg: .*unknown part '{name}' "
                                                 r"\(not an rnagraph estimator\)"):
            load(edited)


# ----------------------------------------------------------------------------- (d), (e) scores
def _planted(seed: int = 0, n: int = 4, nc: int = 30, nm: int = 20):
    """Four dense communities (p_in 0.9, no cross edges): a model that learns them gets large
    calibrated logits, where a float32 sigmoid rounds many probabilities to the same value."""
    import numpy as np

    from rnagraph.data import build_graph
    rng = np.random.default_rng(seed)
    pairs = [(f"c{g}_{i}", f"m{g}_{j}") for g in range(n) for i in range(nc) for j in range(nm)
             if rng.random() < 0.9]
    return build_graph({}, {CM: pairs})


def _exact_degree_products(model: DegreeProduct, fold: Fold, pairs: torch.Tensor) -> torch.Tensor:
    ei = fold.train_graph[CM].edge_index
    a = int(model.smoothing)
    ds = torch.bincount(ei[0], minlength=int(fold.train_graph[CM[0]].num_nodes)) + a
    dd = torch.bincount(ei[1], minlength=int(fold.train_graph[CM[2]].num_nodes)) + a
    return ds[pairs[0]] * dd[pairs[1]]  # integers: their ties are the model's own


def _exact_katz_walks(fold: Fold, pairs: torch.Tensor) -> torch.Tensor:
    """``(a_sd, (A A^T A)_sd)`` as integers per pair: truncated Katz ties exactly where both
    walk counts tie (its score is beta * a + beta^3 * walks3)."""
    ei = fold.train_graph[CM].edge_index
    n_s, n_d = (int(fold.train_graph[nt].num_nodes) for nt in (CM[0], CM[2]))
    a = torch.zeros(n_s, n_d, dtype=torch.long)
    a[ei[0], ei[1]] = 1
    w3 = a @ a.t() @ a
    return torch.stack([a[pairs[0], pairs[1]], w3[pairs[0], pairs[1]]], 1)


def _exact_label_counts(fold: Fold, pairs: torch.Tensor) -> torch.Tensor:
    """``(positives, labelled pairs)`` of each pair's miRNA in ``fold.train``."""
    side = 0 if CM[0] == "mirna" else 1
    n = int(fold.train_graph["mirna"].num_nodes)
    ids = fold.train.edge_label_index[side]
    k = torch.bincount(ids, weights=fold.train.edge_label.double(), minlength=n).long()
    c = torch.bincount(ids, minlength=n)
    return torch.stack([k[pairs[side]], c[pairs[side]]], 1)


@pytest.mark.parametrize("name", NAMES)
def test_no_ties_at_the_top(name):
    model = make(name)
    if model.requires_sequences or name == "seq-prior":
        pytest.skip("the planted graph has no sequences")
    f = kfold_link_split(_planted(), CM, k=5, seed=0)[0]
    model.fit(f)
    n_s, n_d = (int(f.train_graph[nt].num_nodes) for nt in (CM[0], CM[2]))
    pairs = torch.cartesian_prod(torch.arange(n_s), torch.arange(n_d)).t()
    raw = model.decision_function(None, pairs)
    top = raw.argsort(descending=True)[:100]
    if isinstance(model, DegreeProduct):
        # ties only where the exact integer products tie
        want = int(torch.unique(_exact_degree_products(model, f, pairs[:, top])).numel())
    elif isinstance(model, TruncatedKatz):
        want = int(torch.unique(_exact_katz_walks(f, pairs[:, top]), dim=0).size(0))
    elif isinstance(model, NodePrior):
        # a pair is its miRNA: ties only where the miRNAs' integer counts (k_v, n_v) tie
        want = int(torch.unique(_exact_label_counts(f, pairs[:, top]), dim=0).size(0))
    else:
        want = 100
    assert torch.unique(raw[top]).numel() == want
    # float64 probabilities keep every distinction of the raw score at the top
    assert torch.unique(model.score(None, pairs[:, top])).numel() == want


def test_the_planted_graph_saturates_float32():
    # the premise of test_no_ties_at_the_top: on this graph float32 probabilities (what score()
    # returned before the contract) tie at the top where the float64 ones do not
    f = kfold_link_split(_planted(), CM, k=5, seed=0)[0]
    model = make("svd").fit(f)
    n_s, n_d = (int(f.train_graph[nt].num_nodes) for nt in (CM[0], CM[2]))
    pairs = torch.cartesian_prod(torch.arange(n_s), torch.arange(n_d)).t()
    top = model.decision_function(None, pairs).argsort(descending=True)[:100]
    p = model.score(None, pairs[:, top])
    assert torch.unique(p).numel() == 100
    assert torch.unique(p.float()).numel() < 80


@pytest.mark.parametrize("fitted", NAMES, indirect=True)
def test_score_is_calibrated_float64_and_monotone(fitted, fold):
    pairs = torch.cat([fold.test.edge_label_index, fold.val.edge_label_index], dim=1)
    raw = fitted.decision_function(None, pairs)
    p = fitted.score(None, pairs)
    assert raw.dtype == p.dtype == torch.float64 and p.shape == raw.shape == (pairs.size(1),)
    assert ((p >= 0) & (p <= 1)).all() and torch.isfinite(raw).all()
    assert torch.equal(fitted.predict_proba(None, pairs), p)
    assert fitted.calibrator_ is not None
    if isinstance(fitted, (NodePrior, SequencePrior)):
        # the splits hold out a miRNA's pairs at random, so on this fold a miRNA's training
        # rate (or what its sequence says of it) carries no signal (its held-out share runs
        # against it): Platt may turn it down
        sign = 1.0 if fitted.calibrator_.coef_ > 0 else -1.0
    else:
        assert fitted.calibrator_.coef_ > 0
        sign = 1.0
    order = raw.argsort()
    assert (sign * p[order].diff() >= 0).all()  # monotone in the raw score


#: models whose arithmetic is exact (counts, indexing): blocks change nothing at all
EXACT = {"seedmatch", "degree", "degree+1", "node-prior", "l3", "ra3", "katz", "seed-vote",
         "seq-vote"}


@pytest.mark.parametrize("fitted", NAMES, indirect=True)
def test_blocks_change_scores_within_the_stated_tolerance(fitted, fold):
    pairs = torch.cat([fold.test.edge_label_index, fold.val.edge_label_index], dim=1)
    raw = fitted.decision_function(None, pairs)
    rtol = fitted.block_rtol
    assert rtol == (0.0 if fitted.__class__ in {type(make(n)) for n in EXACT} else BLOCK_RTOL)
    for batch_size in (1, 7, 1000):
        assert block_close(fitted.decision_function(None, pairs, batch_size=batch_size), raw,
                           rtol)
    # a block of every pair of some sources and destinations, as ranking scores it
    src, dst = pairs[0, :6].unique(), pairs[1, :40].unique()
    grid = fitted.decision_grid(None, src, dst)
    assert grid.shape == (src.numel(), dst.numel()) and grid.dtype == torch.float64
    assert block_close(grid.reshape(-1), fitted.decision_function(None, grid_pairs(src, dst)),
                       rtol)


def test_block_tolerance_by_hand():
    raw = torch.tensor([0.5, -3.0, 200.0], dtype=torch.float64)
    # rtol * max(1, |a|): 1e-4 * [1, 3, 200]
    assert torch.allclose(block_tolerance(raw), torch.tensor([1e-4, 3e-4, 2e-2],
                                                             dtype=torch.float64))
    assert block_close(raw + torch.tensor([9e-5, -2.9e-4, 1.9e-2], dtype=torch.float64), raw)
    assert not block_close(raw + torch.tensor([0.0, 3.1e-4, 0.0], dtype=torch.float64), raw)
    assert block_close(raw.clone(), raw, 0.0)
    assert not block_close(raw + torch.tensor([0.0, 0.0, 2.9e-14], dtype=torch.float64), raw,
                           0.0)
    with pytest.raises(ValueError, match="block_close: shapes differ"):
        block_close(raw, raw[:2])


# ----------------------------------------------------------------------------- (f) not fitted
@pytest.mark.parametrize("name", NAMES)
def test_not_fitted_error_names_the_class(name, fold, tmp_path):
    model = make(name)
    cls = type(model).__name__
    pairs = fold.test.edge_label_index
    for call in (lambda: model.decision_function(None, pairs),
                 lambda: model.score(fold.train_graph, pairs),
                 lambda: model.save(tmp_path / "m.pt")):
        with pytest.raises(NotFittedError, match=f"^{cls} is not fitted"):
            call()
    assert not (tmp_path / "m.pt").exists()


def test_pair_table_reads_the_rows_of_its_pairs_and_nothing_else():
    from rnagraph.models.base import PairTable
    pairs = torch.tensor([[0, 2, 1, 2], [3, 1, 3, 1]])          # (2, 1) twice: first row kept
    rows = torch.tensor([[0.0], [1.0], [2.0], [9.0]])
    table = PairTable(pairs, rows, n_dst=4)
    assert table.get(torch.tensor([[1, 2, 0], [3, 1, 3]])).flatten().tolist() == [2.0, 1.0, 0.0]
    assert table.get(torch.tensor([[1], [1]])) is None           # (1, 1) is not in the table
    assert table.get(torch.tensor([[3], [3]])) is None           # past the largest code


@pytest.mark.parametrize("name", NAMES)
def test_fit_takes_a_fold_and_says_so_otherwise(name):
    fold = {"train_graph": None, "train": None, "val": None, "test": None}
    with pytest.raises(TypeError, match=r"\.fit: expected a rnagraph\.data\.Fold .*got dict"):
        make(name).fit(fold)
