"""Models made of parts: full and short parameter names, and the plain form of parts in model
files and run records (only rnagraph estimators are ever rebuilt)."""
import pytest
from sklearn.base import clone

from rnagraph.features._estimator import Estimator
from rnagraph.models.base import LinkModel
from rnagraph.models.params import (
    part_from_plain,
    part_to_plain,
    resolve_params,
    takes_param,
)
from rnagraph.train.config import TrainerConfig


class Head(Estimator):
    """A toy part: two parameters, one (``dropout``) that no other part has and ``seed``."""

    def __init__(self, dropout: float = 0.1, seed: int = 0):
        self.dropout = dropout
        self.seed = seed


class Toy(LinkModel):
    """A toy trained model: a head part and the trainer part, ``patience`` on both sides."""

    default_trainer = {"epochs": 5, "lr": 0.1}

    def __init__(self, head: Head | None = None, trainer: TrainerConfig | None = None,
                 patience: int = 2, calibrate: bool = True):
        self.head = head
        self.trainer = self._trainer_part(trainer)
        self.patience = patience
        self.calibrate = calibrate


def test_default_trainer_is_fresh_per_model_and_has_the_models_defaults():
    a, b = Toy(), Toy()
    assert (a.trainer.epochs, a.trainer.lr) == (5, 0.1)
    a.set_params(trainer__lr=0.5)
    assert b.trainer.lr == 0.1 and Toy().trainer.lr == 0.1


def test_clone_keeps_the_parts_values_in_new_objects():
    m = Toy(head=Head(dropout=0.3), trainer=TrainerConfig(epochs=9))
    c = clone(m)
    assert c.get_params(deep=True).keys() == m.get_params(deep=True).keys()
    assert c.trainer is not m.trainer and c.trainer.epochs == 9 and c.head.dropout == 0.3


def test_short_names_resolve_to_the_one_part_that_has_them():
    m = Toy(head=Head())
    assert resolve_params(m, {"epochs": 3, "dropout": 0.2, "trainer.lr": 0.01}) == \
        {"trainer__epochs": 3, "head__dropout": 0.2, "trainer__lr": 0.01}
    # the model's own parameter wins over a part's of the same name
    assert resolve_params(m, {"patience": 4}) == {"patience": 4}
    # seed reaches every part that has one
    assert resolve_params(m, {"seed": 7}) == {"head__seed": 7, "trainer__seed": 7}
    assert takes_param(m, "ema_decay") and not takes_param(m, "nonsense")


def test_unknown_and_ambiguous_names_are_refused_naming_the_choices():
    m = Toy(head=Head())
    with pytest.raises(ValueError, match="Toy has no parameter 'nonsense'"):
        resolve_params(m, {"nonsense": 1})

    class Two(Estimator):
        def __init__(self, a: Estimator | None = None, b: Estimator | None = None):
            self.a, self.b = a, b

    with pytest.raises(ValueError, match="a__dropout, b__dropout"):
        resolve_params(Two(Head(), Head()), {"dropout": 0.5})


def test_a_name_the_trainer_shares_with_another_part_is_the_trainers():
    class Enc(Estimator):
        def __init__(self, epochs: int = 5):
            self.epochs = epochs

    class WithEncoder(Toy):
        def __init__(self, head: Estimator | None = None, trainer: TrainerConfig | None = None,
                     patience: int = 2, calibrate: bool = True):
            super().__init__(head, trainer, patience, calibrate)

    m = WithEncoder(head=Enc())
    assert resolve_params(m, {"epochs": 3}) == {"trainer__epochs": 3}
    assert resolve_params(m, {"head.epochs": 3}) == {"head__epochs": 3}


def test_plain_form_round_trips_nested_parts():
    part = Toy(head=Head(dropout=0.4, seed=3)).head
    plain = part_to_plain(part)
    assert plain["part"].endswith(".Head") and plain["params"] == {"dropout": 0.4, "seed": 3}
    cfg = TrainerConfig(epochs=4, lr=0.003)
    again = part_from_plain(part_to_plain(cfg))
    assert isinstance(again, TrainerConfig) and again.get_params() == cfg.get_params()


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "subprocess.Popen",
                                  "rnagraph.io.atomic.atomic_path",
                                  "rnagraph.models.base.LinkModel.__init__", "rnagraph..x.Y"])
def test_only_rnagraph_estimators_are_rebuilt(name):
    with pytest.raises(ValueError, match="not an rnagraph estimator"):
        part_from_plain({"part": name, "params": {}})


def test_edited_part_parameters_are_refused_by_type():
    plain = part_to_plain(TrainerConfig())
    plain["params"]["epochs"] = "many"
    with pytest.raises(ValueError, match="epochs takes an integer"):
        part_from_plain(plain)
    plain["params"] = {"unknown": 1}
    with pytest.raises(ValueError, match="no parameter 'unknown'"):
        part_from_plain(plain)


def test_run_records_tell_trainer_configurations_apart():
    from rnagraph.evaluate.store import model_config
    a = model_config(Toy(trainer=TrainerConfig(lr=0.01)))
    b = model_config(Toy(trainer=TrainerConfig(lr=0.02)))
    assert a["params"]["trainer"]["params"]["lr"] == 0.01 and a != b


def test_a_tuple_parameter_reads_back_as_a_tuple():
    from rnagraph.features.kmer import KmerFrequency
    part = KmerFrequency(k=(2, 3))
    again = part_from_plain(part_to_plain(part))
    assert again.k == (2, 3) and isinstance(again.k, tuple)
