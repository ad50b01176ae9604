"""Training and evaluation: metrics, ranking metrics, the cross-validation runner."""
from rnagraph.train.compare import compare_models, results_table
from rnagraph.train.cross_validate import CVResult, cross_validate
from rnagraph.train.metrics import METRICS, binary_metrics, choose_threshold
from rnagraph.train.ranking import fold_ranking_metrics, ranking_metrics

__all__ = [
    "cross_validate",
    "CVResult",
    "compare_models",
    "results_table",
    "binary_metrics",
    "choose_threshold",
    "METRICS",
    "ranking_metrics",
    "fold_ranking_metrics",
]
