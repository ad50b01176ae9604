"""Per-epoch progress of Trainer fits: on a terminal (or when asked) a bar with the epoch,
loss and validation metric; silent otherwise and under cross_validate(progress=False)."""
import io
import sys

import numpy as np
import pytest
import torch

from rnagraph.data import LinkSet, build_graph, kfold_link_split
from rnagraph.evaluate import cross_validate
from rnagraph.models.sage_link import SAGELink
from rnagraph.train.trainer import Trainer, epoch_progress, progress_postfix, show_progress


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


class Line(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(()))

    def reset_parameters(self):
        torch.nn.init.zeros_(self.w)


class Task:
    """loss = (w - 1)^2; logits w * [0, 1, 2, 3] (val AUC 1 once w > 0, 0.5 at w = 0)."""

    def __init__(self):
        self.module = Line()

    def loss(self, pairs, labels):
        return (self.module.w - 1) ** 2

    def logits(self, pairs):
        return pairs[0].float() * self.module.w


PAIRS = LinkSet(torch.stack([torch.arange(4), torch.arange(4)]), torch.tensor([0., 0., 1., 1.]))


def fit_on(stream, monkeypatch, **kw):
    monkeypatch.setattr(sys, "stderr", stream)
    return Trainer(epochs=3, lr=0.5, **kw).fit(Task(), PAIRS, PAIRS)


def test_postfix_by_hand():
    rec = {"epoch": 2, "loss": 0.25, "val_auc": 0.875}
    assert progress_postfix(rec, "auc", 0.9) == "loss=0.2500, val_auc=0.8750, best=0.9000"
    assert progress_postfix({"loss": 1.0, "val_auc": None}) == "loss=1.0000"
    assert progress_postfix({"loss": 1.0, "val_grouped_auc": 0.5}, "grouped_auc",
                            -float("inf")) == "loss=1.0000, val_grouped_auc=0.5000"


def test_terminal_shows_epoch_loss_and_validation(monkeypatch):
    tty = FakeTTY()
    tr = fit_on(tty, monkeypatch)
    text = tty.getvalue()
    lines = [ln for ln in text.split("\r") if "3/3" in ln]
    assert lines, text
    h = tr.history_[-1]                       # the last epoch's own numbers are on its line
    assert f"loss={h['loss']:.4f}" in lines[-1] and f"val_auc={h['val_auc']:.4f}" in lines[-1]
    assert "fit Line" in text and "1/3" in text and "2/3" in text
    assert len(tr.history_) == 3


def test_silent_off_a_terminal_and_when_told(monkeypatch):
    plain = io.StringIO()                          # not a terminal: nothing
    a = fit_on(plain, monkeypatch)
    assert plain.getvalue() == ""
    tty = FakeTTY()
    b = fit_on(tty, monkeypatch, progress=False)   # a terminal, told not to
    assert tty.getvalue() == ""
    with epoch_progress(False):                    # a terminal, silenced by the caller
        fit_on(tty, monkeypatch)
    assert tty.getvalue() == ""
    with epoch_progress(True):                     # asked for, off a terminal
        fit_on(plain, monkeypatch)
    assert "loss=" in plain.getvalue()
    plain2 = io.StringIO()
    c = fit_on(plain2, monkeypatch, progress=True)
    assert "val_auc=" in plain2.getvalue()
    # the bar changes nothing about the fit
    assert [h["loss"] for h in a.history_] == [h["loss"] for h in b.history_] \
        == [h["loss"] for h in c.history_]
    assert show_progress(None) is False            # pytest's stderr is no terminal


def _graph():
    rng = np.random.default_rng(0)
    pairs = sorted({(f"c{rng.integers(20)}", f"m{rng.integers(12)}") for _ in range(90)})
    return build_graph({}, {("circrna", "binds", "mirna"): pairs})


@pytest.mark.parametrize("progress", [False, True])
def test_cross_validate_silences_or_nests_epoch_bars(monkeypatch, progress):
    g = _graph()
    et = ("circrna", "binds", "mirna")
    folds = kfold_link_split(g, et, k=2, seed=0)
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    model = SAGELink(hidden_channels=4).set_params(trainer__epochs=3, trainer__eval_every=1)
    cross_validate(model, g, et, folds, progress=progress, curves=False)
    text = tty.getvalue()
    if progress:
        assert "fit SAGENet" in text and "CV SAGELink" in text
    else:
        assert "fit " not in text and "loss=" not in text
