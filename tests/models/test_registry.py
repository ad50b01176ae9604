"""Registry presets: the configurations the docs report are built by name."""
import pytest

from rnagraph.models import GRMMI, get_model, needs_sequences
from rnagraph.models.registry import MODELS, PRESETS


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_its_base_model_with_its_arguments(name):
    base, kwargs, line = PRESETS[name]
    assert base in MODELS and line
    model = get_model(name)
    assert type(model) is type(get_model(base))
    for key, value in kwargs.items():
        assert getattr(model, key) == value, key


def test_the_mitar_pick_is_the_configuration_the_search_chose():
    # benchmarks/grmmi.py's "GRMMI-seq tuned+site+count+head", spelled out by hand
    m = get_model("GRMMI-seq-tuned-site-count-head", epochs=3, seed=2)
    assert isinstance(m, GRMMI) and m.graph_encoder is None
    assert (m.batch_size, m.lr, m.patience, m.lr_factor, m.lr_patience) == (256, 2e-3, 6, 0.3, 1)
    assert (m.map_channels, m.freeze_embedding, m.ema_decay) == (16, True, 0.99)
    assert (m.pair_features, m.mirna_count, m.pair_head) == (True, True, True)
    assert (m.epochs, m.seed) == (3, 2)                 # call arguments are kept


def test_call_arguments_override_a_preset_and_unknown_names_are_refused():
    assert get_model("grmmi-seq", patience=9).patience == 9
    assert get_model("grmmi-seq").patience == 5
    assert needs_sequences("grmmi-seq") is needs_sequences("grmmi")
    with pytest.raises(ValueError, match="grmmi-seq-tuned"):
        get_model("grmmi-seq-tuned-nothing")
