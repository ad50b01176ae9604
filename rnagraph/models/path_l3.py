"""L3: the degree-normalised length-3 path score (Kovács et al., Nat. Commun. 2019)."""
from __future__ import annotations

from rnagraph.models._path3 import _Path3Link


class PathL3(_Path3Link):
    r"""Scores a pair by its degree-normalised paths of length 3 in the training graph.

    From Kovács et al., `"Network-based prediction of protein interactions"
    <https://doi.org/10.1038/s41467-019-09177-y>`_ (Nat. Commun. 2019): two nodes are likely
    to interact when one is linked to nodes that resemble the other's partners. In the
    bipartite graph of the fold's **training** positives, with adjacency :math:`A`
    ``[N_s, N_d]`` and degrees :math:`k`, a pair :math:`(s, d)` scores the sum over paths
    :math:`s - d' - s' - d`

    .. math::
        x_{sd} = \sum_{d', s'} \frac{a_{sd'}\, a_{s'd'}\, a_{s'd}}{\sqrt{k_{d'} k_{s'}}}
        = (A D_d^{-1/2} A^\top D_s^{-1/2} A)_{sd}, \qquad p_{sd} = \sigma(a\, x_{sd} + b),

    with :math:`(a, b)` the calibration stage (:class:`~rnagraph.train.PlattCalibrator` on
    ``fold.val``). In a bipartite graph :math:`s` and :math:`d` have no common neighbour (they
    are of different types), so length 3 is the shortest path that says anything about an
    unobserved pair.

    Nothing is learned: the score is read from the graph passed to :meth:`score` (by default
    the fitted ``fold.train_graph``), kept as two sparse factors
    (:func:`~rnagraph.data.paths.path3_factors`, the square middle product on the smaller
    side, cost :math:`O(\text{nnz})` per sparse product) and evaluated pair by pair in blocks
    (no dense :math:`N_s \times N_d` matrix). The sum runs over walks, so a **training**
    positive :math:`(s, d)` also counts the walk :math:`s - d - s - d` through its own edge:
    its score is inflated, which is harmless for a baseline that scores unseen pairs (test and
    validation pairs are never edges of ``fold.train_graph``) but means training pairs are
    not scored as held-out ones.

    Args:
        calibrate (bool): Platt-scale the score; otherwise :math:`p = \sigma(x)`.
            (default: ``True``)
    """

    weight = "l3"

    def __init__(self, calibrate: bool = True):
        self.calibrate = calibrate
