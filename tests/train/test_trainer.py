import pytest
import torch
import torch.nn.functional as F

from rnagraph.data import LinkSet
from rnagraph.train.trainer import Trainer


class Scalar(torch.nn.Module):
    """One parameter ``w``, reset to 0."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(()))

    def reset_parameters(self):
        torch.nn.init.zeros_(self.w)


class ScriptedTask:
    """``loss = -w`` (Adam then moves ``w`` by ~``lr`` per epoch); the validation scores follow
    ``script``, one entry per evaluation, whatever ``w`` is."""

    def __init__(self, script):
        self.module = Scalar()
        self.script = list(script)
        self.calls = 0

    def loss(self, pairs, labels):
        return -self.module.w

    def logits(self, pairs):
        s = self.script[self.calls]
        self.calls += 1
        return torch.tensor(s, dtype=torch.float)


def pairs_of(n, pos):
    return LinkSet(torch.stack([torch.arange(n), torch.arange(n)]),
                   torch.tensor([1.0] * pos + [0.0] * (n - pos)))


# val = 2 positives then 2 negatives; each script entry gives AUC 0.5, 0.75, 1, 0.75, ...
AUC_05, AUC_075, AUC_1 = [1, 0, 1, 0], [3, 1, 2, 0], [3, 2, 1, 0]


def test_early_stopping_restores_the_best_epoch():
    task = ScriptedTask([AUC_05, AUC_075, AUC_1, AUC_075, AUC_05, AUC_05, AUC_05, AUC_05])
    w_after = []
    tr = Trainer(epochs=20, lr=1.0, patience=3, callbacks=[lambda r: w_after.append(
        task.module.w.item())])
    tr.fit(task, pairs_of(4, 2), pairs_of(4, 2))
    assert [h["val_auc"] for h in tr.history_] == [0.5, 0.75, 1.0, 0.75, 0.5, 0.5]
    assert tr.best_epoch_ == 3 and tr.best_val_auc_ == 1.0
    assert len(tr.history_) == tr.best_epoch_ + 3 and tr.stopped_early_  # patience in epochs
    assert w_after[-1] == pytest.approx(6, rel=1e-6)           # Adam, lr 1: ~1 per epoch
    assert task.module.w.item() == w_after[2]                  # the best epoch's parameters
    assert tr.fit_info()["best_epoch"] == 3 and tr.fit_info()["epochs"] == 6


def test_learning_rate_drops_on_a_validation_plateau():
    # AUC 0.5, 0.75, then flat: lr_patience=1 tolerates one flat evaluation, the second
    # flat one cuts the rate for the next epoch; the count restarts after each cut
    task = ScriptedTask([AUC_05, AUC_075] + [AUC_075] * 6)
    w_after = []
    tr = Trainer(epochs=8, lr=1.0, patience=10, lr_factor=0.5, lr_patience=1,
                 callbacks=[lambda r: w_after.append(task.module.w.item())])
    tr.fit(task, pairs_of(4, 2), pairs_of(4, 2))
    assert [h["lr"] for h in tr.history_] == [1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25]
    # Adam moves w by ~lr per epoch: the cuts are in the parameters, not only the record
    assert w_after[-1] == pytest.approx(4 + 2 * 0.5 + 2 * 0.25, rel=1e-5)
    assert task.module.w.item() == w_after[1]                  # the best epoch is restored


def test_weight_averaging_validates_and_keeps_the_averaged_parameters():
    # one step per epoch; the raw w follows Adam exactly as without averaging, and the kept
    # parameters are the moving average at the best epoch: ema_1 = w_1,
    # ema_k = d ema_(k-1) + (1 - d) w_k
    d = 0.5
    runs = {}
    for decay in (None, d):
        task = ScriptedTask([AUC_05, AUC_075, AUC_1, AUC_05, AUC_05])
        raw = []
        tr = Trainer(epochs=20, lr=1.0, patience=2, ema_decay=decay,
                     callbacks=[lambda r, raw=raw, task=task: raw.append(task.module.w.item())])
        tr.fit(task, pairs_of(4, 2), pairs_of(4, 2))
        runs[decay] = (raw, task.module.w.item(), tr.best_epoch_)
    (raw, _, _), (raw_ema, kept, best) = runs[None], runs[d]
    assert raw_ema == raw and best == 3                       # the same optimisation path
    ema = raw[0]
    for w in raw[1:best]:
        ema = d * ema + (1 - d) * w
    assert kept == pytest.approx(ema, rel=1e-6) and kept < raw[best - 1] - 0.5
    # without validation: the final average
    task = ScriptedTask([])
    raw = []
    Trainer(epochs=4, lr=1.0, ema_decay=d, callbacks=[lambda r: raw.append(
        task.module.w.item())]).fit(task, pairs_of(4, 2))
    ema = raw[0]
    for w in raw[1:]:
        ema = d * ema + (1 - d) * w
    assert task.module.w.item() == pytest.approx(ema, rel=1e-6)
    with pytest.raises(ValueError, match="ema_decay must be in"):
        Trainer(ema_decay=1.0)


def test_learning_rate_stays_without_lr_factor_and_rejects_bad_values():
    task = ScriptedTask([AUC_05] * 5)
    tr = Trainer(epochs=5, lr=0.1, patience=10).fit(task, pairs_of(4, 2), pairs_of(4, 2))
    assert {h["lr"] for h in tr.history_} == {0.1}
    with pytest.raises(ValueError, match="lr_factor"):
        Trainer(lr_factor=1.5)
    with pytest.raises(ValueError, match="lr_patience"):
        Trainer(lr_factor=0.5, lr_patience=-1)


def test_eval_every_and_patience_in_epochs():
    # evaluated at epochs 2, 4, 6, ...: best at 4, stopped at 4 + 5 = 9 (not after 5 evaluations)
    task = ScriptedTask([AUC_075, AUC_1] + [AUC_05] * 10)
    tr = Trainer(epochs=50, lr=1.0, patience=5, eval_every=2).fit(task, pairs_of(4, 2),
                                                                   pairs_of(4, 2))
    assert [h["val_auc"] for h in tr.history_] == [None, 0.75, None, 1.0, None, 0.5, None,
                                                   0.5, None]
    assert tr.best_epoch_ == 4 and len(tr.history_) == 9


def test_min_delta_stops_on_a_creep_but_restores_the_best_state():
    script = [AUC_05, AUC_075] + [AUC_05] * 10
    plain = Trainer(epochs=50, lr=1.0, patience=3).fit(ScriptedTask(script), pairs_of(4, 2),
                                                        pairs_of(4, 2))
    assert plain.best_epoch_ == 2 and len(plain.history_) == 5
    # +0.25 is not more than min_delta 0.3: patience counts from epoch 1, yet epoch 2's state
    # (the best AUC seen) is the one kept
    task = ScriptedTask(script)
    w_after = []
    tr = Trainer(epochs=50, lr=1.0, patience=3, min_delta=0.3,
                 callbacks=[lambda r: w_after.append(task.module.w.item())])
    tr.fit(task, pairs_of(4, 2), pairs_of(4, 2))
    assert len(tr.history_) == 4 and tr.stopped_early_
    assert tr.best_epoch_ == 2 and tr.best_val_auc_ == 0.75
    assert task.module.w.item() == w_after[1]
    with pytest.raises(ValueError, match="min_delta"):
        Trainer(min_delta=-0.1)


def test_without_usable_validation_it_trains_every_epoch():
    task = ScriptedTask([])
    tr = Trainer(epochs=7, lr=1.0, patience=1).fit(task, pairs_of(4, 2), pairs_of(4, 4))
    assert len(tr.history_) == 7 and tr.best_epoch_ == 7 and not tr.stopped_early_
    assert all(h["val_auc"] is None for h in tr.history_) and task.calls == 0


class DotTask:
    """Free embeddings of 6 sources and 5 destinations, dot-product logits, BCE."""

    def __init__(self):
        self.module = torch.nn.ModuleDict({"s": torch.nn.Embedding(6, 3),
                                           "d": torch.nn.Embedding(5, 3)})
        self.seen = []

    def logits(self, pairs):
        return (self.module["s"](pairs[0]) * self.module["d"](pairs[1])).sum(-1)

    def loss(self, pairs, labels):
        self.seen.append((pairs.device, labels.device,
                          next(self.module.parameters()).device))
        return F.binary_cross_entropy_with_logits(self.logits(pairs), labels), {
            "n": float(pairs.size(1))}


def dot_data():
    g = torch.Generator().manual_seed(0)
    idx = torch.stack([torch.randint(6, (24,), generator=g), torch.randint(5, (24,), generator=g)])
    y = (idx[0] % 2 == idx[1] % 2).float()
    return LinkSet(idx, y), LinkSet(idx[:, :8], y[:8])


def fit_dot(**kw):
    train, val = dot_data()
    task = DotTask()
    for e in task.module.values():  # ModuleDict has no reset_parameters: start identical
        with torch.no_grad():
            e.weight.copy_(torch.linspace(-1, 1, e.weight.numel()).view_as(e.weight))
    state = torch.random.get_rng_state()
    tr = Trainer(**{"epochs": 15, "lr": 0.05, "seed": 0, **kw}).fit(task, train, val)
    assert torch.equal(state, torch.random.get_rng_state())  # global RNG untouched
    return tr, task


def test_full_batch_equals_one_batch_holding_every_pair():
    _, full = fit_dot(batch_size=None)
    _, one = fit_dot(batch_size=24)
    _, big = fit_dot(batch_size=1000)
    _, mini = fit_dot(batch_size=8)
    for other in (one, big):
        for k, v in full.module.state_dict().items():
            assert torch.equal(v, other.module.state_dict()[k])
    assert not torch.equal(full.module["s"].weight, mini.module["s"].weight)


def test_batch_loss_is_weighted_by_batch_size():
    tr, _ = fit_dot(batch_size=10, epochs=1)  # batches of 10, 10, 4
    assert tr.history_[0]["n"] == pytest.approx((10 * 10 + 10 * 10 + 4 * 4) / 24)


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu"), pytest.param(
    "cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device"))])
def test_device_is_honoured(device):
    tr, task = fit_dot(device=device)
    want = torch.device(device)
    for got in task.seen:
        assert all(d.type == want.type for d in got)
    assert tr.device == want and repr(tr).endswith(f"device={str(want)!r})")


def test_same_seed_same_history():
    a, _ = fit_dot(batch_size=5, seed=3)
    b, _ = fit_dot(batch_size=5, seed=3)
    c, _ = fit_dot(batch_size=5, seed=4)

    def strip(h):
        return [{k: v for k, v in r.items() if k != "seconds"} for r in h]
    assert strip(a.history_) == strip(b.history_)
    assert strip(a.history_) != strip(c.history_)  # the seed sets the batch order
    assert set(a.history_[0]) == {"epoch", "loss", "val_auc", "lr", "seconds", "n"}


def test_callbacks_see_every_record_and_can_stop():
    seen = []

    def cb(rec):
        seen.append(rec)
        return rec["epoch"] == 4
    tr, _ = fit_dot(callbacks=[cb, seen.append], epochs=10)
    assert len(tr.history_) == 4 and not tr.stopped_early_
    assert seen[0::2] == tr.history_ and seen[1::2] == tr.history_


@pytest.mark.parametrize("clip, step", [(None, 1.0), (1e-8, 0.5)])
def test_gradient_clipping_bounds_the_update(clip, step):
    # loss = 1000 w: gradient 1000. Adam's first step is lr * g / (|g| + eps) with eps = 1e-8:
    # unclipped ~lr; clipped to norm 1e-8 it is lr * 1e-8 / (1e-8 + 1e-8) = lr / 2.
    class Steep(ScriptedTask):
        def loss(self, pairs, labels):
            return 1000 * self.module.w
    task = Steep([])
    Trainer(epochs=1, lr=0.1, grad_clip=clip).fit(task, pairs_of(2, 1))
    assert task.module.w.item() == pytest.approx(-0.1 * step, rel=1e-5)


def test_bad_arguments():
    for kw, word in [({"epochs": 0}, "epochs"), ({"batch_size": 0}, "batch_size"),
                     ({"patience": 0}, "patience"), ({"grad_clip": 0.0}, "grad_clip")]:
        with pytest.raises(ValueError, match=f"Trainer: {word}"):
            Trainer(**kw)
    with pytest.raises(ValueError, match="no training pairs"):
        Trainer().fit(DotTask(), LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0)))


# two groups (node 0: pairs 0-1, node 1: pairs 2-3 in row 0), a positive and a negative each
GROUPED_VAL = LinkSet(torch.tensor([[0, 0, 1, 1], [0, 1, 2, 3]]),
                      torch.tensor([1.0, 0.0, 1.0, 0.0]))
# (overall AUC, within-group AUC): S_WITHIN (0.75, 1.0), S_ACROSS (0.75, 0.5)
S_WITHIN, S_ACROSS = [1, 0, 3, 2], [2, 3, 4, 1]


@pytest.mark.parametrize("monitor, best", [("auc", 1), ("grouped_auc", 2)])
def test_group_row_records_the_within_group_auc_and_monitor_follows_it(monitor, best):
    task = ScriptedTask([S_ACROSS, S_WITHIN] + [S_ACROSS] * 6)
    tr = Trainer(epochs=20, lr=1.0, patience=3, group_row=0, monitor=monitor)
    tr.fit(task, pairs_of(4, 2), GROUPED_VAL)
    assert [h["val_auc"] for h in tr.history_][:3] == [0.75, 0.75, 0.75]
    assert [h["val_grouped_auc"] for h in tr.history_][:3] == [0.5, 1.0, 0.5]
    info = tr.fit_info()
    assert tr.best_epoch_ == info["best_epoch"] == best
    assert info["best_val_auc"] == 0.75
    assert info["best_val_grouped_auc"] == [0.5, 1.0][best - 1]


def test_grouped_monitor_needs_a_group_with_both_classes():
    with pytest.raises(ValueError, match="group_row"):
        Trainer(monitor="grouped_auc")
    with pytest.raises(ValueError, match="group_row"):
        Trainer(group_row=2)
    with pytest.raises(ValueError, match="no.*holding both classes|holding both classes"):
        Trainer(group_row=0, monitor="grouped_auc").fit(ScriptedTask([S_WITHIN]),
                                                        pairs_of(4, 2), pairs_of(4, 2))
    assert "val_grouped_auc" not in Trainer(epochs=1).fit(
        ScriptedTask([S_WITHIN]), pairs_of(4, 2), GROUPED_VAL).history_[0]
