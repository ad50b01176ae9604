"""The one training loop of every gradient-trained link model."""
from __future__ import annotations

import contextlib
import contextvars
import copy
import math
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np
import torch
from torch import Tensor

from rnagraph.data.fold import LinkSet
from rnagraph.train.calibration import has_both_classes

#: called after every epoch with that epoch's history record; returning ``True`` stops training
Callback = Callable[[dict], Any]

#: what :func:`epoch_progress` set for the fits in its block (``None``: the terminal decides)
_PROGRESS: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "rnagraph_epoch_progress", default=None)


@contextlib.contextmanager
def epoch_progress(enabled: bool | None) -> Iterator[None]:
    """Show (``True``) or hide (``False``) the per-epoch progress bar of every
    :class:`Trainer` fit in this block whose ``progress`` is ``None`` (models build their
    trainers themselves, so this is how a caller such as
    :func:`~rnagraph.evaluate.cross_validate` silences them); ``None`` restores the rule of
    :class:`Trainer` (a bar only when stderr is a terminal)."""
    token = _PROGRESS.set(enabled)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def show_progress(progress: bool | None = None) -> bool:
    """Whether a fit shows its per-epoch bar: ``progress`` when given, else what
    :func:`epoch_progress` set, else only when stderr is a terminal and this is not a worker
    process (spawned fold workers share the terminal: their bars would overwrite each
    other)."""
    if progress is not None:
        return bool(progress)
    ctx = _PROGRESS.get()
    if ctx is not None:
        return ctx
    if multiprocessing.parent_process() is not None:
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty is not None and isatty())


def progress_postfix(rec: dict, monitor: str = "auc", best: float | None = None) -> str:
    """The text an epoch's record adds to the progress bar: its loss, the monitored
    validation metric where evaluated, and the best so far, e.g.
    ``loss=0.4123, val_auc=0.8710, best=0.8744``."""
    out = [f"loss={rec['loss']:.4f}"]
    val = rec.get("val_" + monitor)
    if val is not None:
        out.append(f"val_{monitor}={val:.4f}")
    if best is not None and math.isfinite(best):
        out.append(f"best={best:.4f}")
    return ", ".join(out)


class LinkTask(Protocol):
    """What a model hands the :class:`Trainer`: its network and how to compute a loss.

    * ``module`` -- the :class:`torch.nn.Module` whose parameters are trained (a plain PyG-style
      network; the trainer moves it to the device, seeds and re-initialises it with
      ``reset_parameters()``, switches train / eval mode and restores the best state).
    * ``loss(pairs, labels)`` -- the training loss of one batch of labelled pairs
      (``[2, B]`` long, ``[B]`` float, on the device), a scalar tensor, or ``(loss, extras)``
      with ``extras`` a dict of floats recorded in the history (e.g. the contrastive term).
    * ``logits(pairs)`` -- raw scores ``[N]`` of pairs, called in eval mode without gradients
      for validation.
    * ``param_groups()`` (optional) -- optimiser parameter groups, e.g. to exempt some weights
      from weight decay; default: every parameter of ``module``.
    """

    module: torch.nn.Module

    def loss(self, pairs: Tensor, labels: Tensor) -> Tensor | tuple[Tensor, dict]: ...

    def logits(self, pairs: Tensor) -> Tensor: ...


class Trainer:
    r"""Mini-batch training over labelled pairs with early stopping on validation AUC.

    Each epoch the training pairs are cut into batches of ``batch_size`` (shuffled with the
    trainer's seed; ``None`` or a size at least the number of pairs is one full batch in the
    given order, so full-batch and "one batch holding every pair" are the same computation), and
    for each batch ``task.loss`` is minimised with Adam. Every ``eval_every`` epochs the
    validation AUC of ``task.logits`` is computed; the state with the best AUC is kept and
    restored at the end, and training stops once ``patience`` **epochs** have passed without
    improvement; with ``min_delta`` > 0 only a gain of more than ``min_delta`` over the AUC of
    the last such gain counts as improvement for stopping (the restored state is still the
    best AUC seen), so a slow creep of validation AUC does not keep training alive. Without
    validation pairs of both classes the model trains for ``epochs`` epochs and keeps its last
    state (there is nothing honest to stop on).

    Seeding: the whole fit runs under :func:`torch.random.fork_rng` seeded with ``seed``
    (initialisation, dropout, the task's own draws and the batch order), so the same seed gives
    the same model and the caller's global random state is left untouched.

    Weight averaging: with ``ema_decay`` :math:`= d` the trainer keeps an exponential moving
    average of the parameters, :math:`\bar\theta \leftarrow d\,\bar\theta + (1 - d)\,\theta`
    after every optimiser step (:class:`torch.optim.swa_utils.AveragedModel`; the first step
    copies :math:`\theta`). Validation, the kept best state and the returned module use the
    averaged parameters; training itself follows the raw ones, so the optimisation path is
    the one without averaging. Buffers are the module's own (the networks here have no
    running statistics).

    Progress: with ``progress`` (``None``: only when stderr is a terminal, see
    :func:`show_progress` and :func:`epoch_progress`) a ``tqdm`` bar on stderr counts epochs
    and shows each one's loss, validation metric and the best so far, with the time left
    until ``epochs`` (an upper bound when early stopping ends the fit sooner); it is
    cleared when the fit ends, so it nests under a cross-validation bar.

    History (``history_``): one dict per epoch with ``epoch`` (1-based), ``loss`` (mean over
    batches, weighted by batch size), ``val_auc`` (``None`` where not evaluated), ``lr`` (the
    learning rate the epoch trained with), ``seconds``
    and the mean of each ``extras`` value the task returned.

    Args:
        epochs (int): maximum epochs. (default: ``100``)
        lr (float): Adam learning rate. (default: ``0.01``)
        weight_decay (float): L2 penalty of groups that do not set their own. (default: ``0``)
        batch_size (int, optional): pairs per step; ``None`` = full batch. (default: ``None``)
        patience (int): epochs without a better validation AUC before stopping.
            (default: ``30``)
        min_delta (float): the smallest validation-AUC gain that resets ``patience``.
            (default: ``0``)
        eval_every (int): epochs between validation evaluations. (default: ``1``)
        grad_clip (float, optional): clip the global gradient norm to this value.
        lr_factor (float, optional): multiply the learning rate by this factor whenever the
            validation AUC has not improved (by more than ``min_delta``) for more than
            ``lr_patience`` evaluations (:class:`torch.optim.lr_scheduler.ReduceLROnPlateau`);
            ``None`` keeps it constant. Needs validation pairs. (default: ``None``)
        lr_patience (int): evaluations without improvement tolerated before a reduction.
            (default: ``1``)
        ema_decay (float, optional): decay :math:`d \in (0, 1)` of the parameters' moving
            average; ``None``: no averaging. (default: ``None``)
        group_row (int, optional): ``0`` or ``1``: also compute the validation pairs'
            **within-group AUC** (:func:`~rnagraph.train.metrics.grouped_auc`), grouping the
            pairs by their node in that row of ``edge_label_index`` (e.g. the miRNA), recorded
            as ``val_grouped_auc``. (default: ``None``)
        monitor (str): what early stopping, the kept state and the plateau cut follow:
            ``"auc"`` or ``"grouped_auc"`` (needs ``group_row``). (default: ``"auc"``)
        device (str | torch.device): where the module and pairs live. (default: ``"cpu"``)
        seed (int): seed of everything random in the fit. (default: ``0``)
        callbacks (Sequence[Callback]): called with each epoch's record; a callback that
            returns ``True`` stops training.
        progress (bool, optional): show the per-epoch bar; ``None``: when stderr is a
            terminal, unless :func:`epoch_progress` says otherwise. (default: ``None``)
    """

    def __init__(self, *, epochs: int = 100, lr: float = 0.01, weight_decay: float = 0.0,
                 batch_size: int | None = None, patience: int = 30, eval_every: int = 1,
                 min_delta: float = 0.0, grad_clip: float | None = None,
                 lr_factor: float | None = None, lr_patience: int = 1,
                 ema_decay: float | None = None, group_row: int | None = None,
                 monitor: str = "auc", device: str | torch.device = "cpu", seed: int = 0,
                 callbacks: Sequence[Callback] = (), progress: bool | None = None) -> None:
        if epochs < 1:
            raise ValueError(f"Trainer: epochs must be >= 1, got {epochs}")
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"Trainer: batch_size must be >= 1 or None, got {batch_size}")
        if patience < 1 or eval_every < 1:
            raise ValueError(f"Trainer: patience and eval_every must be >= 1, got {patience} "
                             f"and {eval_every}")
        if not min_delta >= 0:
            raise ValueError(f"Trainer: min_delta must be >= 0, got {min_delta}")
        if grad_clip is not None and not grad_clip > 0:
            raise ValueError(f"Trainer: grad_clip must be > 0 or None, got {grad_clip}")
        if lr_factor is not None and not 0 < lr_factor < 1:
            raise ValueError(f"Trainer: lr_factor must be in (0, 1) or None, got {lr_factor}")
        if lr_patience < 0:
            raise ValueError(f"Trainer: lr_patience must be >= 0, got {lr_patience}")
        if ema_decay is not None and not 0 < ema_decay < 1:
            raise ValueError(f"Trainer: ema_decay must be in (0, 1) or None, got {ema_decay}")
        if group_row not in (None, 0, 1):
            raise ValueError(f"Trainer: group_row must be 0, 1 or None, got {group_row!r}")
        if monitor not in ("auc", "grouped_auc") or (monitor == "grouped_auc"
                                                      and group_row is None):
            raise ValueError(f"Trainer: monitor must be 'auc' or 'grouped_auc' (the latter "
                             f"with group_row set), got {monitor!r} with group_row={group_row}")
        self.group_row, self.monitor = group_row, monitor
        self.ema_decay = ema_decay
        self.lr_factor, self.lr_patience = lr_factor, lr_patience
        self.epochs, self.lr, self.weight_decay = epochs, lr, weight_decay
        self.batch_size, self.patience, self.eval_every = batch_size, patience, eval_every
        self.min_delta = min_delta
        self.grad_clip, self.device, self.seed = grad_clip, torch.device(device), seed
        self.callbacks = list(callbacks)
        self.progress = progress

    def _bar(self, name: str) -> contextlib.AbstractContextManager:
        """The per-epoch tqdm bar on stderr as a context (``None`` inside when not shown)."""
        if not show_progress(self.progress):
            return contextlib.nullcontext()
        from tqdm.auto import tqdm
        # redrawn after every epoch (mininterval=0): an epoch is seldom shorter than a write
        return tqdm(total=self.epochs, desc=f"fit {name.lstrip('_')}", unit="epoch", leave=False,
                    file=sys.stderr, dynamic_ncols=True, mininterval=0, miniters=1)

    def _batches(self, n: int, gen: torch.Generator) -> Iterable[Tensor | None]:
        if self.batch_size is None or self.batch_size >= n:
            return [None]                                   # one batch, pairs in given order
        return torch.randperm(n, generator=gen).split(self.batch_size)

    @torch.no_grad()
    def validation_auc(self, task: LinkTask, val: LinkSet) -> float:
        """AUC of ``task.logits`` on ``val`` (module in eval mode)."""
        return self._validate(task, val)["val_auc"]

    @torch.no_grad()
    def _validate(self, task: LinkTask, val: LinkSet) -> dict[str, float]:
        """``val_auc`` (and ``val_grouped_auc`` with ``group_row``) of ``task.logits``."""
        from sklearn.metrics import roc_auc_score

        from rnagraph.train.metrics import grouped_auc
        from rnagraph.train.pooled import PooledLinkSet
        task.module.eval()
        keep = slice(None)
        if isinstance(val, PooledLinkSet):     # pairs of new RNAs, pooled from other pairs
            inner = task.logits(val.pool_index.to(self.device)).double().cpu()
            if not torch.isfinite(inner).all():
                raise ValueError("Trainer: the model returned non-finite validation scores")
            s = val.pool(inner).numpy()
            keep = np.isfinite(s)              # pairs the transfer cannot place: not scored
        else:
            s = task.logits(val.edge_label_index.to(self.device)).double().cpu().numpy()
            if not np.isfinite(s).all():
                raise ValueError("Trainer: the model returned non-finite validation scores")
        y = val.edge_label.numpy()[keep]
        s = s[keep]
        out = {"val_auc": float(roc_auc_score(y, s))}
        if self.group_row is not None:
            out["val_grouped_auc"] = grouped_auc(
                y, s, val.edge_label_index[self.group_row].numpy()[keep])[0]
        return out

    def fit(self, task: LinkTask, train: LinkSet, val: LinkSet | None = None) -> Trainer:
        """Train ``task.module`` on ``train``, early-stopping on ``val``; returns ``self`` with
        ``history_``, ``best_epoch_``, ``best_val_auc_`` (the best value of the monitored
        metric: the AUC, or the within-group AUC with ``monitor="grouped_auc"``) and
        ``stopped_early_`` set."""
        if len(train) == 0:
            raise ValueError("Trainer: no training pairs")
        module = task.module
        dev = self.device
        use_val = val is not None and has_both_classes(val)
        pairs, labels = train.edge_label_index.to(dev), train.edge_label.to(dev)
        n = labels.numel()
        self.history_: list[dict] = []
        self.best_epoch_, self.best_val_auc_, self.stopped_early_ = 0, -math.inf, False
        if use_val and self.monitor == "grouped_auc":
            from rnagraph.train.metrics import grouped_auc
            g = grouped_auc(val.edge_label.numpy(), np.zeros(len(val)),
                            val.edge_label_index[self.group_row].numpy())
            if g[1] == 0:
                raise ValueError("Trainer: monitor='grouped_auc' needs a validation group "
                                 "holding both classes; none does")
        cuda = [dev.index or 0] if dev.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda), self._bar(type(module).__name__) as bar:
            torch.manual_seed(self.seed)
            gen = torch.Generator().manual_seed(self.seed)
            module.to(dev)
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
            groups = (task.param_groups() if hasattr(task, "param_groups")
                      else [{"params": [p for p in module.parameters() if p.requires_grad]}])
            opt = torch.optim.Adam(groups, lr=self.lr, weight_decay=self.weight_decay)
            plateau = (torch.optim.lr_scheduler.ReduceLROnPlateau(
                opt, mode="max", factor=self.lr_factor, patience=self.lr_patience,
                threshold=self.min_delta, threshold_mode="abs")
                if self.lr_factor is not None and use_val else None)
            ema = (torch.optim.swa_utils.AveragedModel(
                module, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(self.ema_decay))
                if self.ema_decay is not None else None)
            best_state, gain_auc, gain_epoch = None, -math.inf, 0
            for epoch in range(1, self.epochs + 1):
                t0 = time.perf_counter()
                module.train()
                tot, extras = 0.0, {}
                for b in self._batches(n, gen):
                    bp, by = (pairs, labels) if b is None else (pairs[:, b.to(dev)],
                                                                 labels[b.to(dev)])
                    opt.zero_grad(set_to_none=True)
                    out = task.loss(bp, by)
                    loss, ext = out if isinstance(out, tuple) else (out, {})
                    if not torch.isfinite(loss):
                        raise ValueError(f"Trainer: non-finite loss at epoch {epoch}")
                    loss.backward()
                    if self.grad_clip is not None:
                        torch.nn.utils.clip_grad_norm_(module.parameters(), self.grad_clip)
                    opt.step()
                    if ema is not None:
                        ema.update_parameters(module)
                    w = by.numel() / n
                    tot += float(loss.detach()) * w
                    for k, v in ext.items():
                        extras[k] = extras.get(k, 0.0) + float(v) * w
                rec = {"epoch": epoch, "loss": tot, "val_auc": None,
                       "lr": opt.param_groups[0]["lr"], **extras}
                if use_val and (epoch % self.eval_every == 0 or epoch == self.epochs):
                    live = _swap_in(module, ema)
                    got = self._validate(task, val)
                    rec.update(got)
                    auc = got["val_" + self.monitor]
                    if auc > self.best_val_auc_:
                        self.best_val_auc_, self.best_epoch_ = auc, epoch
                        best_state = copy.deepcopy(module.state_dict())
                    _swap_out(module, live)
                    if auc > gain_auc + self.min_delta:
                        gain_auc, gain_epoch = auc, epoch
                    if plateau is not None:
                        plateau.step(auc)
                rec["seconds"] = time.perf_counter() - t0
                self.history_.append(rec)
                if bar is not None:
                    bar.set_postfix_str(progress_postfix(
                        rec, self.monitor, self.best_val_auc_ if use_val else None),
                        refresh=False)
                    bar.update(1)
                # every callback sees every record, even after one asked to stop
                stop = any([cb(rec) is True for cb in self.callbacks])
                if use_val and epoch - gain_epoch >= self.patience:
                    self.stopped_early_ = True
                    stop = True
                if stop:
                    break
            if best_state is not None:
                module.load_state_dict(best_state)
            else:
                _swap_in(module, ema)      # no validation: the final (averaged) parameters
                if not use_val:
                    self.best_epoch_ = len(self.history_)
        module.eval()
        return self

    def fit_info(self) -> dict:
        """A JSON-ready summary: epochs run, best epoch, the validation AUC of the kept state
        (``best_val_auc``; with ``group_row`` also ``best_val_grouped_auc``), seconds per
        epoch and in all."""
        secs = [h["seconds"] for h in self.history_]
        best = next((h for h in self.history_ if h["epoch"] == self.best_epoch_
                     and h.get("val_auc") is not None), {})
        out = {"epochs": len(secs), "best_epoch": int(self.best_epoch_),
               "best_val_auc": best.get("val_auc"),
               "epoch_s": float(np.mean(secs)) if secs else 0.0, "train_s": float(sum(secs))}
        if self.group_row is not None:
            out["best_val_grouped_auc"] = best.get("val_grouped_auc")
        return out

    def __repr__(self) -> str:
        bs = "full" if self.batch_size is None else self.batch_size
        return (f"Trainer(epochs={self.epochs}, lr={self.lr}, batch_size={bs}, "
                f"patience={self.patience}, device={str(self.device)!r})")


def _swap_in(module: torch.nn.Module, ema) -> list[Tensor] | None:
    """Load ``ema``'s averaged parameters into ``module``; returns the raw ones (``None``
    and nothing done without ``ema``)."""
    if ema is None:
        return None
    params = list(module.parameters())
    live = [p.detach().clone() for p in params]
    with torch.no_grad():
        for p, q in zip(params, ema.module.parameters()):
            p.copy_(q)
    return live


def _swap_out(module: torch.nn.Module, live: list[Tensor] | None) -> None:
    """Put the raw parameters ``live`` (from :func:`_swap_in`) back."""
    if live is not None:
        with torch.no_grad():
            for p, q in zip(module.parameters(), live):
                p.copy_(q)


__all__ = ["Trainer", "LinkTask", "Callback", "epoch_progress", "show_progress",
           "progress_postfix"]
