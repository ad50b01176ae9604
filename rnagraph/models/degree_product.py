"""Degree-product (preferential attachment) link-prediction baseline."""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.models.base import LinkModel
from rnagraph.typing import EdgeType


def _degrees(graph: HeteroData, edge_type: EdgeType) -> tuple[Tensor, Tensor]:
    src_t, _, dst_t = edge_type
    n_src, n_dst = int(graph[src_t].num_nodes), int(graph[dst_t].num_nodes)
    if edge_type not in graph.edge_types:
        return torch.zeros(n_src), torch.zeros(n_dst)
    ei = graph[edge_type].edge_index
    return (torch.bincount(ei[0], minlength=n_src).double(),
            torch.bincount(ei[1], minlength=n_dst).double())


class DegreeProduct(LinkModel):
    r"""Preferential attachment: a pair is as likely as the product of its endpoints' degrees.

    With :math:`k_s`, :math:`k_d` the degrees in the ``edge_type`` edges of ``graph``
    (the training graph of the fold) and :math:`\alpha` = ``smoothing``,

    .. math::
        x_{sd} = \log\bigl(1 + (k_s + \alpha)(k_d + \alpha)\bigr), \qquad
        p_{sd} = \sigma(a\, x_{sd} + b),

    where :math:`(a, b)` is the calibration stage
    (:class:`~rnagraph.train.calibration.PlattCalibrator` on ``fold.val``); :math:`x_{sd}` is
    :meth:`decision_function`.
    The log is monotone, so it changes no ranking metric; it only makes the calibration
    well-conditioned.
    Degrees are read from the graph passed to :meth:`score` (by default the fitted
    ``fold.train_graph``).

    With :math:`\alpha = 0` (preferential attachment proper) a pair with an unseen endpoint
    (:math:`k = 0`, as every test pair in a cold-start split) scores 0, so all such pairs tie
    and the AUC is 0.5. With :math:`\alpha > 0` (add-:math:`\alpha` degrees) such pairs are
    ranked by the popularity of their known endpoint: the one-sided popularity baseline that a
    cold-start model has to beat.

    Args:
        calibrate (bool): fit :math:`(a, b)`; otherwise :math:`p = 1 - 1/(1 + (k_s + \alpha)
            (k_d + \alpha))`. (default: ``True``)
        smoothing (float): :math:`\alpha \ge 0`, added to every degree. (default: ``0``)
    """

    block_rtol = 0.0    # integer degrees: block-invariant exactly

    def __init__(self, calibrate: bool = True, smoothing: float = 0.0):
        self.calibrate = calibrate
        self.smoothing = smoothing

    def _validate_params(self) -> None:
        self._check_param("smoothing", self.smoothing >= 0, "must be >= 0")  # refuses NaN

    def _fit(self, fold: Fold) -> None:
        """Nothing to learn: degrees are read from the scoring graph."""

    def _encode(self, graph: HeteroData) -> tuple[Tensor, Tensor]:
        ds, dd = _degrees(graph, self.edge_type_)
        a = float(self.smoothing)
        return ds + a, dd + a

    def _decision(self, encoded: tuple[Tensor, Tensor], pairs: Tensor) -> Tensor:
        ds, dd = encoded
        return torch.log1p(ds[pairs[0]] * dd[pairs[1]])

    def _decision_grid(self, encoded: tuple[Tensor, Tensor], src: Tensor, dst: Tensor) -> Tensor:
        ds, dd = encoded
        return torch.log1p(ds[src, None] * dd[None, dst])

    def _link(self, raw: Tensor) -> Tensor:
        return 1.0 - torch.exp(-raw)  # = 1 - 1 / (1 + (k_s + a)(k_d + a))
