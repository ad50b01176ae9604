"""RA3: resource allocation along length-3 paths."""
from __future__ import annotations

from rnagraph.models._path3 import _Path3Link


class PathRA3(_Path3Link):
    r"""Scores a pair by resource allocation along its length-3 paths in the training graph.

    Resource allocation (Zhou et al., Eur. Phys. J. B 2009) sends a unit of resource from a
    node to its neighbours in equal shares. A bipartite pair :math:`(s, d)` has no common
    neighbour, so the resource travels along the paths :math:`s - d' - s' - d`, split at each
    intermediate node by its degree (the RA-L3 of Cannistraci and Kovács' comparisons):

    .. math::
        x_{sd} = \sum_{d', s'} \frac{a_{sd'}\, a_{s'd'}\, a_{s'd}}{k_{d'}\, k_{s'}}
        = (A D_d^{-1} A^\top D_s^{-1} A)_{sd}, \qquad p_{sd} = \sigma(a\, x_{sd} + b).

    Compared with :class:`~rnagraph.models.PathL3` (:math:`1/\sqrt{k_{d'} k_{s'}}`) hubs in
    the middle of a path count less. Everything else (sparse factors, blocked scoring, a
    training pair's walk through its own edge, calibration on ``fold.val``) is as in
    :class:`~rnagraph.models.PathL3`.

    Args:
        calibrate (bool): Platt-scale the score; otherwise :math:`p = \sigma(x)`.
            (default: ``True``)
    """

    weight = "ra"

    def __init__(self, calibrate: bool = True):
        self.calibrate = calibrate
