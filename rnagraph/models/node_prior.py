"""NodePrior: scores a pair by one endpoint's label rate in training, the shortcut baseline."""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.models.base import LinkModel


class NodePrior(LinkModel):
    r"""A pair scores its ``node_type`` endpoint's smoothed positive rate among the training
    pairs, and nothing about the pair itself: the **identity shortcut** a model has to beat.

    Site-level miRNA-target sets label pairs, not nodes, yet their negatives are often
    built per miRNA (mock or shuffled miRNAs that never occur in a positive), so a model can
    score well by recognising which miRNAs are real. This baseline measures how far that
    goes. With :math:`n_v` the labelled training pairs (``fold.train``) of node :math:`v`,
    :math:`k_v` the positives among them, :math:`\pi` the training positive rate and
    :math:`\alpha` = ``smoothing``,

    .. math::
        r_v = \frac{k_v + \alpha \pi}{n_v + \alpha}, \qquad
        x_{sd} = \log \frac{r_v}{1 - r_v} \quad (v \text{ the } \texttt{node\_type}
        \text{ endpoint}),

    so a node never seen in training scores :math:`\operatorname{logit}\pi`. :math:`x` is
    :meth:`decision_function`; :math:`p = r_v` without calibration. Within one node's pairs
    every score is equal, so its within-node AUC
    (:func:`~rnagraph.train.metrics.grouped_auc`) is 0.5 by construction.

    Args:
        node_type (str): the endpoint whose rate scores the pair; must be one side of the
            fitted edge type. (default: ``"mirna"``)
        smoothing (float): :math:`\alpha > 0`, pseudo-pairs at the training rate.
            (default: ``1.0``)
        calibrate (bool): Platt-scale :math:`x` on ``fold.val``. (default: ``True``)
    """

    block_rtol = 0.0    # a lookup of each node's rate: block-invariant exactly

    def __init__(self, node_type: str = "mirna", smoothing: float = 1.0, calibrate: bool = True):
        self.node_type = node_type
        self.smoothing = smoothing
        self.calibrate = calibrate

    def _validate_params(self) -> None:
        self._check_param("smoothing", self.smoothing > 0, "must be > 0")  # refuses NaN

    def _side(self) -> int:
        return self._row_of(self.node_type)

    def _fit(self, fold: Fold) -> None:
        """Count each node's labelled training pairs and positives (``fold.train`` only)."""
        side = self._side()
        n = int(fold.train_graph[self.node_type].num_nodes)
        y = fold.train.edge_label.double()
        if y.numel() == 0:
            raise ValueError("NodePrior: fold.train holds no labelled pairs")
        ids = fold.train.edge_label_index[side]
        pos = torch.bincount(ids, weights=y, minlength=n)
        cnt = torch.bincount(ids, minlength=n).double()
        pi = float(y.mean())
        a = float(self.smoothing)
        # clamped so a class-pure training fold (pi 0 or 1) keeps finite log-odds
        self.rate_: Tensor = ((pos + a * pi) / (cnt + a)).clamp(1e-6, 1 - 1e-6)

    def _encode(self, graph: HeteroData) -> Tensor:
        """Each node's log-odds :math:`x_v` (the rates do not depend on ``graph``)."""
        return torch.log(self.rate_) - torch.log1p(-self.rate_)

    def _decision(self, encoded: Tensor, pairs: Tensor) -> Tensor:
        return encoded[pairs[self._side()]]

    def _decision_grid(self, encoded: Tensor, src: Tensor, dst: Tensor) -> Tensor:
        return (encoded[src, None].expand(-1, dst.numel()) if self._side() == 0
                else encoded[None, dst].expand(src.numel(), -1)).clone()

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        return {"rate": self.rate_}, {}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        self.rate_ = tensors["rate"]
