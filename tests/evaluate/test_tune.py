"""rnagraph.evaluate.tune: an Optuna search on validation pairs that never reads test pairs."""
from __future__ import annotations

import dataclasses
import importlib.util
import sys
import warnings

import numpy as np
import pytest
import torch

from rnagraph.data import Fold, kfold_link_split
from rnagraph.datasets import synthetic
from rnagraph.evaluate.tune import (
    INSTALL_HINT,
    StudyMismatchError,
    import_optuna,
    plot_search,
    tune,
)
from rnagraph.models import MODELS, get_model
from rnagraph.models.params import resolve_params
from rnagraph.models.registry import PRESETS
from rnagraph.models.search_spaces import SEARCH_SPACES, Param, search_space

CM = ("circrna", "binds", "mirna")


def test_without_optuna_the_message_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # `import optuna` now raises ImportError
    with pytest.raises(ImportError) as exc:
        import_optuna()
    assert str(exc.value) == INSTALL_HINT and "pip install 'rnagraph[tune]'" in INSTALL_HINT


@pytest.fixture(scope="module")
def graph():
    """The synthetic graph; skips the test (every search needs Optuna) without Optuna."""
    if importlib.util.find_spec("optuna") is None:
        pytest.skip(INSTALL_HINT)
    return synthetic(seed=0)


def _folds(graph, k=3, seed=0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # isolated nodes left out of negatives: expected
        return kfold_link_split(graph, CM, k=k, seed=seed)


class SealedFold(Fold):
    """A fold whose test pairs raise when anything reads them."""

    def __getattribute__(self, name):
        if name == "test":
            raise AssertionError("fold.test was read")
        return super().__getattribute__(name)


def _sealed(folds):
    return [SealedFold(index=f.index, edge_type=f.edge_type, train_graph=f.train_graph,
                       train=f.train, val=f.val, test=f.test, mode=f.mode,
                       protocol=f.protocol, meta=dict(f.meta)) for f in folds]


@pytest.mark.parametrize("metric", ["auc", "aupr", "global-aupr", "mrr"])
def test_no_trial_reads_test_pairs(graph, metric):
    folds = _sealed(_folds(graph, k=2))
    with pytest.raises(AssertionError, match="fold.test was read"):
        folds[0].test  # noqa: B018  (the seal works)
    res = tune("degree", graph, CM, folds, 2, metric, None, 0)
    assert len(res.values) == 2 and all(np.isfinite(res.values))
    assert all(len(fv) == 2 for fv in res.fold_values)   # both folds scored in every trial


def test_fits_and_scores_see_no_test_pair(graph, monkeypatch):
    """Every fit gets a fold with an empty test set, and every scored pair set is a fold's
    validation set (auc): no test pair is ever scored."""
    from rnagraph.models.svd_link import TruncatedSVDLink
    folds = _folds(graph, k=2)
    fit_tests, scored = [], []
    fit, score = TruncatedSVDLink.fit, TruncatedSVDLink.score

    def spy_fit(self, fold):
        fit_tests.append(len(fold.test))
        return fit(self, fold)

    def spy_score(self, g, pairs):
        scored.append(pairs.clone())
        return score(self, g, pairs)

    monkeypatch.setattr(TruncatedSVDLink, "fit", spy_fit)
    monkeypatch.setattr(TruncatedSVDLink, "score", spy_score)
    tune("svd", graph, CM, folds, 2, "auc", None, 0)
    assert fit_tests == [0, 0, 0, 0]          # 2 trials x 2 folds, test sets empty
    assert len(scored) == 4
    val_sets = [f.val.edge_label_index for f in folds]
    tests = [{tuple(p) for p in f.test.edge_label_index.T.tolist()} for f in folds]
    for i, s in enumerate(scored):
        assert torch.equal(s, val_sets[i % 2])
        assert not tests[i % 2] & {tuple(p) for p in s.T.tolist()}   # the fold's own test


def test_choice_follows_validation_not_test(graph):
    """Where validation and test disagree, the tuner picks validation's best, not test's: the
    same search on the same folds with validation and test swapped scores test pairs, and
    picks the other configuration. (The first seed whose draws disagree by more than 0.005
    AUC both ways is used, so the test does not hang on one split's numbers.)"""
    folds = _folds(graph, k=3)
    swapped = [Fold(index=f.index, edge_type=f.edge_type, train_graph=f.train_graph,
                    train=f.train, val=f.test, test=f.val) for f in folds]
    for seed in range(8):
        a = tune("svd", graph, CM, folds, 3, "auc", None, seed)
        b = tune("svd", graph, CM, swapped, 3, "auc", None, seed)
        assert a.params == b.params                        # same draws (same seed)
        ia, ib = int(np.argmax(a.values)), int(np.argmax(b.values))
        if (a.values[ia] - a.values[ib] > 0.005 and b.values[ib] - b.values[ia] > 0.005):
            break
    else:
        pytest.fail("no seed gave draws on which validation and test disagree")
    assert a.best_params == a.params[ia] != b.params[ib] == b.best_params


def test_resume_continues_and_equals_an_uninterrupted_search(graph, tmp_path):
    folds = _folds(graph, k=2)
    path = tmp_path / "study.journal"
    first = tune("svd", graph, CM, folds, 2, "auc", path, 1)
    assert first.n_new == 2 and path.stat().st_size > 0
    again = tune("svd", graph, CM, folds, 2, "auc", path, 1)
    assert again.n_new == 0 and again.values == first.values     # nothing rerun
    more = tune("svd", graph, CM, folds, 4, "auc", path, 1)
    assert more.n_new == 2 and more.numbers == [0, 1, 2, 3]
    assert more.params[:2] == first.params                        # stored trials kept
    fresh = tune("svd", graph, CM, folds, 4, "auc", None, 1)
    assert more.params == fresh.params and more.values == pytest.approx(fresh.values)
    assert len({p["dim"] for p in fresh.params}) > 1                # not one draw repeated
    assert more.best_params == fresh.best_params


@pytest.mark.parametrize("change", [dict(metric="aupr"), dict(seed=5), dict(model="degree"),
                                    dict(k=3)])
def test_a_different_study_in_the_same_storage_is_refused(graph, tmp_path, change):
    path = tmp_path / "study.journal"
    tune("svd", graph, CM, _folds(graph, k=2), 1, "auc", path, 0)
    before = path.read_bytes()
    args = dict(model="svd", metric="auc", seed=0, k=2) | change
    with pytest.raises(StudyMismatchError, match="holds another study"):
        tune(args["model"], graph, CM, _folds(graph, k=args["k"]), 2, args["metric"], path,
             args["seed"])
    assert path.read_bytes() == before


def test_result_and_plot(graph, tmp_path):
    res = tune("svd", graph, CM, _folds(graph, k=2), 3, "aupr", None, 2)
    assert len(res.values) == len(res.params) == len(res.best_so_far) == 3
    assert res.best_so_far == list(np.maximum.accumulate(res.values))
    assert res.best_value == max(res.values) == res.best_so_far[-1]
    assert res.values == pytest.approx([np.mean(fv) for fv in res.fold_values])
    png = plot_search(res, tmp_path / "search.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    assert not list(tmp_path.glob(".*.tmp"))    # written atomically: no temporary left


def test_importances_with_two_parameters(graph, tmp_path, monkeypatch):
    """Importances are shares (sum 1) over the declared parameters, drawn beside the trials;
    one parameter (svd's dim) gives none."""
    assert tune("svd", graph, CM, _folds(graph, k=2), 4, "auc", None, 1).importances is None
    monkeypatch.setitem(SEARCH_SPACES, "svd", {"dim": Param("int", 2, 14),
                                               "calibrate": Param("categorical",
                                                                  choices=(True, False))})
    res = tune("svd", graph, CM, _folds(graph, k=2), 4, "auc", None, 1)
    assert set(res.importances) == {"dim", "calibrate"}
    assert sum(res.importances.values()) == pytest.approx(1.0)
    assert {p["calibrate"] for p in res.params} <= {True, False}
    one = plot_search(dataclasses.replace(res, importances=None), tmp_path / "one.png")
    two = plot_search(res, tmp_path / "two.png")
    from matplotlib.image import imread
    assert imread(two).shape[1] > imread(one).shape[1]     # the importance panel widens it


@pytest.mark.parametrize("kw, match", [
    (dict(metric="f1"), "unknown metric 'f1'"),
    (dict(model="l3"), "has no search space"),
    (dict(model="nope"), "unknown model 'nope'"),
    (dict(n_trials=0), "n_trials must be an integer >= 1"),
])
def test_bad_inputs(graph, kw, match):
    args = dict(model="degree", metric="auc", n_trials=1) | kw
    with pytest.raises(ValueError, match=match):
        tune(args["model"], graph, CM, _folds(graph, k=2), args["n_trials"], args["metric"])


def test_folds_without_validation_pairs_are_refused(graph):
    from rnagraph.data import LinkSet
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    folds = [Fold(index=f.index, edge_type=f.edge_type, train_graph=f.train_graph,
                  train=f.train, val=empty, test=f.test) for f in _folds(graph, k=2)]
    with pytest.raises(ValueError, match="no validation positives and negatives"):
        tune("degree", graph, CM, folds, 1)


# ----------------------------------------------------------------- search spaces
@pytest.mark.parametrize("name", sorted(SEARCH_SPACES))
def test_every_space_names_parameters_the_model_takes(name):
    assert name in MODELS
    model = get_model(name)
    known = model.get_params(deep=True)              # part__name too
    # a space may name a part's parameter by its own name where one part has it
    full = {k: next(iter(resolve_params(model, {k: None}))) for k in SEARCH_SPACES[name]}
    assert not {v.rsplit("__", 1)[-1] for v in full.values()} & {"seed", "device"}
    for key, p in SEARCH_SPACES[name].items():   # the default fits the declared type
        default = known[full[key]]
        if p.kind == "int":
            assert isinstance(default, int)
        elif p.kind == "float":
            assert isinstance(default, (int, float)) and not isinstance(default, bool)


@pytest.mark.parametrize("name", sorted(SEARCH_SPACES))
def test_every_corner_of_a_space_builds_its_model(name):
    """The lowest and highest value of every parameter (every choice), together, make a model
    that the constructor accepts and stores (mixed combinations: e.g. shares summing to 1)."""
    space = SEARCH_SPACES[name]
    for pick in (0, -1):
        kw = {k: (p.choices[pick] if p.kind == "categorical" else
                  (int if p.kind == "int" else float)(p.low if pick == 0 else p.high))
              for k, p in space.items()}
        model = get_model(name, **kw)
        params = model.get_params(deep=True)
        assert all(params[k] == v for k, v in resolve_params(model, kw).items())


def test_spaces_cover_the_brief_and_presets_use_their_base():
    for name in ("degree", "svd", "sage", "struct", "mferl", "grmmi"):
        assert search_space(name)
    assert search_space("grmmi-seq-tuned") == search_space("grmmi")
    assert set(PRESETS) and all(search_space(p) for p in PRESETS)
    with pytest.raises(ValueError, match="no search space.*tunable: degree"):
        search_space("ra3")


@pytest.mark.parametrize("kw", [dict(kind="int", low=0, high=0), dict(kind="float", low=0,
                                                                        high=1, log=True),
                                dict(kind="categorical"), dict(kind="int", low=1.5, high=3),
                                dict(kind="ordinal", low=0, high=1)])
def test_param_refuses_a_bad_declaration(kw):
    with pytest.raises(ValueError, match="Param"):
        Param(**kw)


def test_param_describe():
    assert Param("int", 2, 256, log=True).describe() == "int in [2, 256], log"
    assert Param("categorical", choices=(32, 64)).describe() == "one of 32, 64"


def test_blind_and_validation_views_of_an_inductive_fold_hold_no_test_rna():
    from rnagraph.evaluate.tune import blind_fold, validation_view
    from rnagraph.models import get_model
    from rnagraph.typing import MIRNA_MRNA
    f = kfold_link_split(synthetic(seed=0), MIRNA_MRNA, k=5, mode="cold-src", inductive=True,
                         seed=0)[0]
    n_val = int(f.graph_for("val")["mirna"].num_nodes)
    assert n_val < int(f.graph_for("test")["mirna"].num_nodes)
    b, v = blind_fold(f), validation_view(f)
    for view in (b, v):
        for part in ("train", "val", "test"):
            assert int(view.graph_for(part)["mirna"].num_nodes) <= n_val
    assert len(b.test) == 0 and torch.equal(v.test.edge_label_index, f.val.edge_label_index)
    m = get_model("degree+1").fit(b)
    raw = m.decision_function(v.graph_for("test"), v.test.edge_label_index)
    assert bool(torch.isfinite(raw).all())          # validation RNAs scored as new RNAs
