"""How to fit: metrics (named floats) and, for the models above, the shared training loop and
the calibration stage. Cross-validation and ranking live in :mod:`rnagraph.evaluate`."""
from rnagraph.train.metrics import (
    METRICS,
    auc_loss_by_category,
    binary_metrics,
    choose_threshold,
    grouped_auc,
)

__all__ = [
    "auc_loss_by_category",
    "binary_metrics",
    "choose_threshold",
    "grouped_auc",
    "METRICS",
]
