"""How to measure: cross-validation, all-candidate ranking, the run store, tables and plots.

Sits above :mod:`rnagraph.models` (it fits and scores models); :mod:`rnagraph.train` below holds
the training loop, calibration and metrics that models use.
"""
from rnagraph.evaluate.compare import compare_models
from rnagraph.evaluate.cross_validate import cross_validate
from rnagraph.evaluate.parallel import peak_rss_mib
from rnagraph.evaluate.ranking import fold_ranking_metrics, ranking_metrics
from rnagraph.evaluate.results import CVResult, format_mean_std, markdown_table, results_table
from rnagraph.evaluate.store import fold_fingerprint, model_config, write_json

__all__ = [
    "cross_validate",
    "CVResult",
    "compare_models",
    "results_table",
    "format_mean_std",
    "markdown_table",
    "ranking_metrics",
    "fold_ranking_metrics",
    "fold_fingerprint",
    "model_config",
    "write_json",
    "peak_rss_mib",
]
