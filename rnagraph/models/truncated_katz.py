"""Katz index truncated to paths of length 1 and 3 (the odd lengths of a bipartite graph)."""
from __future__ import annotations

from rnagraph.models._path3 import _Path3Link


class TruncatedKatz(_Path3Link):
    r"""The Katz index of the training graph, truncated after paths of length 3.

    Katz (Psychometrika 1953) sums the walks between two nodes, damped by :math:`\beta` per
    step: :math:`\sum_{\ell \ge 1} \beta^\ell (\mathcal{A}^\ell)_{sd}` with :math:`\mathcal{A}`
    the adjacency of the whole (here bipartite) graph. Between a source and a destination only
    odd lengths exist; keeping lengths 1 and 3 costs one sparse product:

    .. math::
        x_{sd} = \beta\, a_{sd} + \beta^3 (A A^\top A)_{sd}, \qquad
        p_{sd} = \sigma(a\, x_{sd} + b).

    For a pair that is not a training edge (every validation and test pair) the first term is
    0, so these pairs are ranked by their raw number of length-3 paths; :math:`\beta` only sets
    how far above them the training edges sit. The truncation needs no convergence condition
    (:math:`\beta < 1 / \lambda_{max}` for the full series). Sparse factors, blocked scoring
    and calibration on ``fold.val`` are as in :class:`~rnagraph.models.PathL3`.

    Args:
        beta (float): damping :math:`\beta > 0`. (default: ``0.1``)
        calibrate (bool): Platt-scale the score; otherwise :math:`p = \sigma(x)`.
            (default: ``True``)
    """

    weight = "count"

    def __init__(self, beta: float = 0.1, calibrate: bool = True):
        self.beta = beta
        self.calibrate = calibrate

    def _validate_params(self) -> None:
        self._check_param("beta", self.beta > 0, "must be > 0")  # refuses NaN

    def _terms(self) -> tuple[float, float]:
        b = float(self.beta)
        return b, b ** 3
