"""How to measure: cross-validation, all-candidate ranking, hyper-parameter search (``tune``,
on validation pairs), the run store, tables and plots.

Sits above :mod:`rnagraph.models` (it fits and scores models); :mod:`rnagraph.train` below holds
the training loop, calibration and metrics that models use.
"""
from rnagraph.evaluate.candidates import (
    Candidates,
    count_candidates,
    score_id_pairs,
    top_candidates,
    top_per_rna,
)
from rnagraph.evaluate.cerna import CernaRanking, rank_cerna
from rnagraph.evaluate.compare import compare_models
from rnagraph.evaluate.cross_validate import cross_validate
from rnagraph.evaluate.evidence import seed_evidence
from rnagraph.evaluate.parallel import peak_rss_mib
from rnagraph.evaluate.ranking import (
    fold_link_ranking,
    fold_ranking_metrics,
    global_ranking_metrics,
    ranking_metrics,
)
from rnagraph.evaluate.report import write_report
from rnagraph.evaluate.results import CVResult, format_mean_std, markdown_table, results_table
from rnagraph.evaluate.run_config import graph_hash, read_config, resolve_config, write_config
from rnagraph.evaluate.store import fold_fingerprint, model_config, write_json
from rnagraph.evaluate.summaries import (
    auc_within_groups,
    paired_differences,
    seed_ensemble,
)
from rnagraph.evaluate.tune import TuneResult, plot_search, tune

__all__ = [
    "cross_validate",
    "CVResult",
    "compare_models",
    "results_table",
    "format_mean_std",
    "markdown_table",
    "ranking_metrics",
    "fold_ranking_metrics",
    "global_ranking_metrics",
    "fold_link_ranking",
    "fold_fingerprint",
    "model_config",
    "write_json",
    "peak_rss_mib",
    "Candidates",
    "top_candidates",
    "top_per_rna",
    "score_id_pairs",
    "count_candidates",
    "seed_evidence",
    "write_report",
    "graph_hash",
    "resolve_config",
    "read_config",
    "write_config",
    "rank_cerna",
    "CernaRanking",
    "seed_ensemble",
    "auc_within_groups",
    "paired_differences",
    "tune",
    "TuneResult",
    "plot_search",
]
