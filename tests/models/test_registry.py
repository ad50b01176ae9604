"""Registry presets: the configurations the docs report are built by name."""
import pytest

from rnagraph.models import GRMMI, get_model, needs_sequences
from rnagraph.models.params import is_part, is_plain_part, part_to_plain, resolve_params
from rnagraph.models.registry import MODELS, PRESETS


def _plain(value):
    return part_to_plain(value) if is_part(value) else value


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_its_base_model_with_its_arguments(name):
    base, kwargs, line = PRESETS[name]
    assert base in MODELS and line
    model = get_model(name)
    assert type(model) is type(get_model(base))
    params = model.get_params(deep=True)
    for key, value in resolve_params(model, kwargs).items():   # full names (part__name)
        if is_plain_part(value):                                # a part given as data
            assert part_to_plain(params[key]) == {
                "part": value["part"], "params": {**part_to_plain(type(params[key])())["params"],
                                                  **value["params"]}}, key
        else:
            assert _plain(params[key]) == _plain(value), key


def test_the_mitar_pick_is_the_configuration_the_search_chose():
    # benchmarks/grmmi.py's "GRMMI-seq tuned+site+count+head", spelled out by hand
    m = get_model("GRMMI-seq-tuned-site-count-head", epochs=3, seed=2)
    assert isinstance(m, GRMMI) and m.graph_encoder is None
    t = m.trainer
    assert (t.batch_size, t.lr, t.patience, t.lr_factor, t.lr_patience) == (256, 2e-3, 6, 0.3, 1)
    assert (m.sequence_encoder.map_channels, m.kmers.freeze_embedding, t.ema_decay) == \
        (16, True, 0.99)
    p = m.pair_terms
    assert (p.pair_features, p.mirna_count, p.pair_head) == (True, True, True)
    assert (t.epochs, t.seed, m.kmers.seed) == (3, 2, 2)   # call arguments are kept
    # the classmethod is the preset; the paper's configuration is the defaults
    assert part_to_plain(GRMMI.recommended(epochs=3, seed=2)) == part_to_plain(m)
    assert part_to_plain(GRMMI.paper()) == part_to_plain(GRMMI())


def test_preset_parts_are_built_anew_for_each_model():
    a, b = get_model("grmmi-seq-tuned-pair"), get_model("grmmi-seq-tuned-pair", channels=8)
    assert a.pairing is not b.pairing and a.trainer is not b.trainer
    assert (a.pairing.channels, b.pairing.channels) == (32, 8)
    assert get_model("grmmi-seq-tuned-pair").pairing.channels == 32


def test_call_arguments_override_a_preset_and_unknown_names_are_refused():
    assert get_model("grmmi-seq", patience=9).trainer.patience == 9
    assert get_model("grmmi-seq").trainer.patience == 5
    # a short name reaches only the parts the preset keeps (grmmi-seq has no graph encoder)
    assert get_model("grmmi-seq", seed=3).kmers.seed == 3
    assert needs_sequences("grmmi-seq") is needs_sequences("grmmi")
    with pytest.raises(ValueError, match="grmmi-seq-tuned"):
        get_model("grmmi-seq-tuned-nothing")


def test_a_presets_lists_are_not_shared_between_models():
    from rnagraph.models import get_model
    from rnagraph.models.registry import PRESETS
    a = get_model("tower+votes+struct")
    a.models.append("svd")
    assert "svd" not in get_model("tower+votes+struct").models
    assert "svd" not in PRESETS["tower+votes+struct"][1]["models"]


def test_preset_name_finds_the_preset_a_base_model_and_its_settings_make():
    from rnagraph.models.registry import PRESETS, preset_name
    base, kw, _ = PRESETS["tower+votes+struct"]
    assert preset_name(base, dict(kw)) == "tower+votes+struct"
    assert preset_name(base, {**kw, "C": 2.0}) == base        # no preset has these settings
    assert preset_name("struct", {}) == "struct"
