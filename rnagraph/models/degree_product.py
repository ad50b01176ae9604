"""Degree-product (preferential attachment) link-prediction baseline."""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.models._calibrate import Platt1D, calibration_pairs
from rnagraph.typing import EdgeType


def _degrees(graph: HeteroData, edge_type: EdgeType) -> tuple[Tensor, Tensor]:
    src_t, _, dst_t = edge_type
    n_src, n_dst = int(graph[src_t].num_nodes), int(graph[dst_t].num_nodes)
    if edge_type not in graph.edge_types:
        return torch.zeros(n_src), torch.zeros(n_dst)
    ei = graph[edge_type].edge_index
    return (torch.bincount(ei[0], minlength=n_src).double(),
            torch.bincount(ei[1], minlength=n_dst).double())


class DegreeProduct:
    r"""Preferential attachment: a pair is as likely as the product of its endpoints' degrees.

    With :math:`k_s`, :math:`k_d` the degrees in the ``edge_type`` edges of ``graph``
    (the training graph of the fold) and :math:`\alpha` = ``smoothing``,

    .. math::
        x_{sd} = \log\bigl(1 + (k_s + \alpha)(k_d + \alpha)\bigr), \qquad
        p_{sd} = \sigma(a\, x_{sd} + b),

    where :math:`(a, b)` is a 1-D logistic regression fitted on ``fold.val`` pairs
    (``fold.train`` if val lacks a class; see
    :func:`~rnagraph.models._calibrate.calibration_pairs`).
    The log is monotone, so it changes no ranking metric; it only makes the calibration
    well-conditioned.
    Degrees are read from the graph passed to :meth:`score`, which the CV runner sets to
    ``fold.train_graph``.

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

    def __init__(self, calibrate: bool = True, smoothing: float = 0.0):
        if not smoothing >= 0:  # also refuses NaN
            raise ValueError(f"DegreeProduct: smoothing must be >= 0, got {smoothing}")
        self.calibrate = calibrate
        self.smoothing = float(smoothing)

    def get_params(self) -> dict:
        """Hyper-parameters (for run fingerprints); ``smoothing`` only when set, so results
        stored before the option existed still resume."""
        return {"calibrate": self.calibrate, **({"smoothing": self.smoothing}
                                                 if self.smoothing else {})}

    def reset_parameters(self) -> None:
        for k in ("edge_type_", "calibrator_"):
            self.__dict__.pop(k, None)

    def raw_score(self, graph: HeteroData, edge_label_index: Tensor) -> Tensor:
        """``[N]`` :math:`\\log(1 + (k_s + \\alpha)(k_d + \\alpha))` for the pairs ``[2, N]``."""
        ds, dd = _degrees(graph, self.edge_type_)
        a = self.smoothing
        return torch.log1p((ds[edge_label_index[0]] + a) * (dd[edge_label_index[1]] + a))

    def fit(self, fold: Fold) -> DegreeProduct:
        """Record the edge type and calibrate on ``fold.val`` with ``fold.train_graph``."""
        self.edge_type_ = fold.edge_type
        if self.calibrate:
            cal = calibration_pairs(fold)
            x = self.raw_score(fold.train_graph, cal.edge_label_index)
            self.calibrator_ = Platt1D().fit(x.numpy(), cal.edge_label.numpy())
        return self

    def score(self, graph: HeteroData, edge_label_index: Tensor) -> Tensor:
        """Probabilities ``[N]`` for the pairs ``edge_label_index`` ``[2, N]``."""
        if not hasattr(self, "edge_type_"):
            raise ValueError("DegreeProduct: call fit(fold) before score()")
        x = self.raw_score(graph, edge_label_index.long())
        if self.calibrate:
            return self.calibrator_(x)
        return (1.0 - torch.exp(-x)).float()  # = 1 - 1 / (1 + (k_s + a)(k_d + a))

    def __repr__(self) -> str:
        extra = f", smoothing={self.smoothing:g}" if self.smoothing else ""
        return f"DegreeProduct(calibrate={self.calibrate}{extra})"
