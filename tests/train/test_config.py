"""TrainerConfig: the one trainer= part; checked when built, equal to the Trainer it builds."""
import pytest
from sklearn.base import clone

from rnagraph.train.config import FIELDS, TrainerConfig
from rnagraph.train.trainer import Trainer


def test_build_gives_a_trainer_with_every_option_and_the_task_over_them():
    cfg = TrainerConfig(epochs=7, lr=0.05, batch_size=64, patience=3, ema_decay=0.9, seed=11,
                        lr_factor=0.5, monitor="grouped_auc")
    t = cfg.build(group_row=1, batch_size=None)
    assert isinstance(t, Trainer)
    assert (t.epochs, t.lr, t.patience, t.ema_decay, t.seed, t.lr_factor) == \
        (7, 0.05, 3, 0.9, 11, 0.5)
    assert t.batch_size is None and t.group_row == 1 and t.monitor == "grouped_auc"
    assert cfg.batch_size == 64                     # the task's override did not change the part


def test_fields_are_the_parameters_and_trainer_options():
    import inspect
    params = list(TrainerConfig().get_params(deep=False))
    assert sorted(params) == sorted(FIELDS)
    trainer_opts = set(inspect.signature(Trainer.__init__).parameters)
    assert set(FIELDS) <= trainer_opts


@pytest.mark.parametrize("name, value", [("epochs", 0), ("lr", -1.0), ("batch_size", 0),
                                         ("patience", 0), ("lr_factor", 1.5),
                                         ("ema_decay", 1.0), ("monitor", "loss"),
                                         ("seed", 1.5), ("grad_clip", 0.0)])
def test_a_bad_value_is_stored_then_refused_when_built(name, value):
    cfg = TrainerConfig().set_params(**{name: value})
    assert getattr(clone(cfg), name) == value       # stored as is, cloned as is
    with pytest.raises(ValueError, match=rf"TrainerConfig: {name}="):
        cfg.build()


def test_clone_and_repr_round_trip():
    cfg = TrainerConfig(epochs=3, lr=0.002, device="cpu")
    again = eval(repr(cfg), {"TrainerConfig": TrainerConfig})
    assert again.get_params() == cfg.get_params() == clone(cfg).get_params()
