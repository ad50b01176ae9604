"""TrainerConfig: the one training configuration every gradient-trained model takes."""
from __future__ import annotations

from typing import Any

from rnagraph.features._estimator import Estimator, is_int

#: the :class:`~rnagraph.train.trainer.Trainer` options a model's ``trainer=`` holds; the
#: others (``group_row``, ``callbacks``, ``progress``) belong to the task or the caller
FIELDS = ("epochs", "lr", "weight_decay", "batch_size", "patience", "eval_every", "min_delta",
          "grad_clip", "lr_factor", "lr_patience", "ema_decay", "monitor", "device", "seed")


class TrainerConfig(Estimator):
    r"""How a model is trained: the options of the one training loop
    (:class:`~rnagraph.train.trainer.Trainer`), held by every trained model as its
    ``trainer=`` part, so epochs, learning rate, early stopping, weight averaging, device and
    seed are set in one place and mean the same thing for every model.

    It is a scikit-learn estimator of parameters only (nothing is learned): a model's
    ``get_params()`` lists them as ``trainer__epochs``, ``trainer__lr``, ...,
    ``model.set_params(trainer__lr=1e-3)`` changes one, :func:`sklearn.base.clone` copies it,
    and the search spaces of ``rnagraph tune`` name them the same way. Each model states its
    own defaults (:attr:`rnagraph.models.base.LinkModel.default_trainer`): a model built with
    ``trainer=None`` holds a fresh ``TrainerConfig`` of those, never one shared with another
    model. Values are checked by :meth:`build` (that is, at ``fit``), as scikit-learn checks
    parameters.

    Args:
        epochs (int): maximum epochs. (default: ``100``)
        lr (float): Adam learning rate. (default: ``0.01``)
        weight_decay (float): L2 penalty of parameter groups that set none. (default: ``0``)
        batch_size (int, optional): pairs per step; ``None``: full batch. (default: ``None``)
        patience (int): epochs without a better validation metric before stopping.
            (default: ``30``)
        eval_every (int): epochs between validation evaluations. (default: ``1``)
        min_delta (float): the smallest validation gain that resets ``patience``.
            (default: ``0``)
        grad_clip (float, optional): clip the global gradient norm to this. (default: ``None``)
        lr_factor (float, optional): multiply the learning rate by this on a validation
            plateau; ``None`` keeps it constant. (default: ``None``)
        lr_patience (int): evaluations without improvement before a cut. (default: ``1``)
        ema_decay (float, optional): decay of the parameters' moving average used for
            validation and the returned model; ``None``: none. (default: ``None``)
        monitor (str): what early stopping follows, ``"auc"`` or ``"grouped_auc"`` (the
            within-group AUC; the model says which node groups the pairs).
            (default: ``"auc"``)
        device (str): where the network and pairs live, e.g. ``"cpu"`` or ``"cuda"``.
            (default: ``"cpu"``)
        seed (int): seed of everything random in the fit. (default: ``0``)
    """

    def __init__(self, epochs: int = 100, lr: float = 0.01, weight_decay: float = 0.0,
                 batch_size: int | None = None, patience: int = 30, eval_every: int = 1,
                 min_delta: float = 0.0, grad_clip: float | None = None,
                 lr_factor: float | None = None, lr_patience: int = 1,
                 ema_decay: float | None = None, monitor: str = "auc", device: str = "cpu",
                 seed: int = 0) -> None:
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.patience = patience
        self.eval_every = eval_every
        self.min_delta = min_delta
        self.grad_clip = grad_clip
        self.lr_factor = lr_factor
        self.lr_patience = lr_patience
        self.ema_decay = ema_decay
        self.monitor = monitor
        self.device = device
        self.seed = seed

    def _validate_params(self) -> None:
        self._check_param("epochs", is_int(self.epochs) and self.epochs >= 1, "must be >= 1")
        self._check_param("lr", isinstance(self.lr, (int, float)) and self.lr > 0,
                          "must be > 0")
        self._check_param("weight_decay", self.weight_decay >= 0, "must be >= 0")
        self._check_param("batch_size", self.batch_size is None
                          or (is_int(self.batch_size) and self.batch_size >= 1),
                          "must be >= 1 or None")
        self._check_param("patience", is_int(self.patience) and self.patience >= 1,
                          "must be >= 1")
        self._check_param("eval_every", is_int(self.eval_every) and self.eval_every >= 1,
                          "must be >= 1")
        self._check_param("min_delta", self.min_delta >= 0, "must be >= 0")
        self._check_param("grad_clip", self.grad_clip is None or self.grad_clip > 0,
                          "must be > 0 or None")
        self._check_param("lr_factor", self.lr_factor is None or 0 < self.lr_factor < 1,
                          "must be in (0, 1) or None")
        self._check_param("lr_patience", is_int(self.lr_patience) and self.lr_patience >= 0,
                          "must be >= 0")
        self._check_param("ema_decay", self.ema_decay is None or 0 < self.ema_decay < 1,
                          "must be in (0, 1) or None")
        self._check_param("monitor", self.monitor in ("auc", "grouped_auc"),
                          "must be 'auc' or 'grouped_auc'")
        self._check_param("seed", is_int(self.seed), "must be an integer")

    def build(self, **task: Any):
        """The :class:`~rnagraph.train.trainer.Trainer` of this configuration (parameters
        checked first), with the task's own options (``group_row``, ``callbacks``,
        ``progress``) and any option the model must fix for its task (e.g.
        ``batch_size=None`` for a full-graph model) given as keywords over these."""
        from rnagraph.train.trainer import Trainer
        self._validate_params()
        return Trainer(**{**self.get_params(deep=False), **task})


__all__ = ["TrainerConfig", "FIELDS"]
