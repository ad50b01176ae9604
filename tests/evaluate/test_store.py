import numpy as np
import pytest

import rnagraph
from rnagraph.data import build_graph, kfold_link_split
from rnagraph.evaluate import cross_validate, fold_fingerprint, model_config
from rnagraph.evaluate.store import fingerprint_mismatch
from rnagraph.models.degree_product import DegreeProduct

CM = ("circrna", "binds", "mirna")


class Featured(DegreeProduct):
    """A LinkModel with a dict-valued hyper-parameter (nested values in the fingerprint)."""

    def __init__(self, feature_kwargs: dict | None = None, calibrate: bool = True):
        super().__init__(calibrate=calibrate)
        self.feature_kwargs = feature_kwargs


def graph():
    rng = np.random.default_rng(0)
    pairs = {(f"c{i}", f"m{j}") for i in range(20) for j in range(12)
             if rng.random() < 0.15 + 0.5 * (i % 4 == j % 4)}
    return build_graph({}, {CM: sorted(pairs)})


@pytest.fixture(scope="module")
def folds():
    return kfold_link_split(graph(), CM, k=3, seed=0)


def fp(model, fold):
    return fold_fingerprint(model, fold, 0.5, None)


def test_dict_valued_params_are_in_the_fingerprint(folds):
    f = folds[0]
    cfg = model_config(Featured(feature_kwargs={"max_len": 10, "view": {"k": [1, 2]}}))
    assert cfg["params"]["feature_kwargs"] == {"max_len": 10, "view": {"k": [1, 2]}}
    a = fp(Featured(feature_kwargs={"max_len": 10}), f)
    assert a != fp(Featured(feature_kwargs={"max_len": 20}), f)
    assert a != fp(Featured(feature_kwargs=None), f)
    assert a != fp(Featured(feature_kwargs={"max_len": 10, "k": 3}), f)
    # nested values count too
    assert (fp(Featured(feature_kwargs={"view": {"k": 3}}), f)
            != fp(Featured(feature_kwargs={"view": {"k": 4}}), f))
    # key order does not: the same configuration gives the same fingerprint
    assert (fp(Featured(feature_kwargs={"a": 1, "b": 2}), f)
            == fp(Featured(feature_kwargs={"b": 2, "a": 1}), f))


def test_a_part_of_a_model_is_in_the_fingerprint_by_class_and_parameters(folds):
    # MFERL's parts: a part's parameter, or the part's presence, is a different configuration
    from rnagraph.models.mferl import MFERL, MFERLPairTerm, MFERLViews
    f = folds[0]
    cfg = model_config(MFERL(inputs=MFERLViews(max_len=10)))["params"]
    assert cfg["inputs"] == {"part": "rnagraph.models._mferl_views.MFERLViews",
                             "params": {**cfg["inputs"]["params"], "max_len": 10}}
    assert cfg["pair"] is None and cfg["trainer"]["params"]["epochs"] == 300
    a = fp(MFERL(inputs=MFERLViews(max_len=10)), f)
    assert a == fp(MFERL(inputs=MFERLViews(max_len=10)), f)      # equal parts, equal prints
    assert fingerprint_mismatch(a, fp(MFERL(inputs=MFERLViews(max_len=20)), f)) == \
        "model parameter(s) inputs"
    assert fingerprint_mismatch(a, fp(MFERL(inputs=MFERLViews(max_len=10),
                                            pair=MFERLPairTerm()), f)) == "model parameter(s) pair"
    assert fingerprint_mismatch(a, fp(MFERL(inputs=MFERLViews(max_len=10)).set_params(
        trainer__lr=0.1), f)) == "model parameter(s) trainer"


def test_library_version_is_in_the_fingerprint(folds, monkeypatch):
    f = folds[0]
    m = DegreeProduct()
    assert model_config(m)["version"] == rnagraph.__version__
    before = fp(m, f)
    assert before["model"]["version"] == rnagraph.__version__
    monkeypatch.setattr(rnagraph, "__version__", "0.0.0-other")
    after = fp(m, f)
    assert after != before
    assert fingerprint_mismatch(before, after) == (
        f"library version {before['model']['version']} (stored) vs 0.0.0-other (now)")


def test_mismatch_names_params_pairs_and_options(folds):
    a = fp(Featured(feature_kwargs={"max_len": 10}), folds[0])
    b = fold_fingerprint(Featured(feature_kwargs={"max_len": 20}, calibrate=False), folds[1],
                         "val", None)
    assert fingerprint_mismatch(a, b) == ("model parameter(s) calibrate, feature_kwargs; the "
                                          "fold's train/val/test pairs; option(s) fold, "
                                          "threshold")
    msg = fingerprint_mismatch(a, fp(DegreeProduct(), folds[0]))
    assert msg.startswith("model ") and msg.endswith(
        ".Featured (stored) vs rnagraph.models.degree_product.DegreeProduct (now)")

def test_stored_fold_of_another_version_is_refused_on_resume(folds, tmp_path, monkeypatch):
    g = graph()
    cross_validate(DegreeProduct(), g, CM, folds, out_dir=tmp_path, progress=False,
                   curves=False)
    stored = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    # the same run resumes (every fold loaded, none refitted)
    res = cross_validate(DegreeProduct(), g, CM, folds, out_dir=tmp_path, progress=False,
                         curves=False)
    assert res.fitted == []
    monkeypatch.setattr(rnagraph, "__version__", "99.0.0")
    with pytest.raises(ValueError, match=r"fold_0\.json holds a different run \(library "
                                         r"version .* \(stored\) vs 99\.0\.0 \(now\)\)"):
        cross_validate(DegreeProduct(), g, CM, folds, out_dir=tmp_path, progress=False,
                       curves=False)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == stored  # nothing touched


def test_changed_dict_param_is_refused_on_resume(folds, tmp_path):
    g = graph()
    cross_validate(Featured(feature_kwargs={"max_len": 10}), g, CM, folds, out_dir=tmp_path,
                   progress=False, curves=False)
    with pytest.raises(ValueError, match=r"model parameter\(s\) feature_kwargs"):
        cross_validate(Featured(feature_kwargs={"max_len": 20}), g, CM, folds,
                       out_dir=tmp_path, progress=False, curves=False)


def test_a_parameter_added_at_its_default_still_resumes(folds, tmp_path):
    # a record written before Featured had `feature_kwargs` (absent from its fingerprint) is
    # the same run as Featured() at the default; with another value it is refused
    import json
    g = graph()
    cross_validate(Featured(), g, CM, folds, out_dir=tmp_path, progress=False, curves=False)
    for p in tmp_path.glob("fold_*.json"):
        rec = json.loads(p.read_text())
        del rec["fingerprint"]["model"]["params"]["feature_kwargs"]
        p.write_text(json.dumps(rec))
    res = cross_validate(Featured(), g, CM, folds, out_dir=tmp_path, progress=False,
                         curves=False)
    assert res.fitted == []
    with pytest.raises(ValueError, match=r"model parameter\(s\) feature_kwargs"):
        cross_validate(Featured(feature_kwargs={"max_len": 5}), g, CM, folds,
                       out_dir=tmp_path, progress=False, curves=False)
