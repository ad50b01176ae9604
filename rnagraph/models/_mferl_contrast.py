"""MFERLContrast: the contrastive (InfoNCE) term of MFERL's loss."""
from __future__ import annotations

from typing import Any

from rnagraph.features._estimator import Estimator, is_int


class MFERLContrast(Estimator):
    r"""The contrastive term of :class:`~rnagraph.models.MFERL`'s loss (`Peng et al., 2025
    <https://doi.org/10.1186/s12915-025-02227-6>`_, Eqs. 8-14): every encoder block's output
    :math:`\mathbf{X}^b_t` is pulled towards the node's initial embedding
    :math:`\mathbf{E}_t` (the projected views, concatenated and projected to :math:`d`) and
    away from other nodes',

    .. math::
        \mathcal{L} = \mathrm{BCE} + \lambda \sum_t w_t \sum_b
        \mathrm{InfoNCE}_\tau(\mathbf{X}^b_t, \mathbf{E}_t),
        \qquad w_{\mathrm{dst}} = 1,\; w_{\mathrm{src}} = \alpha,

    with :class:`~rnagraph.nn.losses.InfoNCE` over ``cl_nodes`` random nodes per step and
    type (:math:`O(M^2 d)` instead of the paper's :math:`O(N^2 d)`). ``cl_weight=0`` leaves
    the term out (the paper's "w/o CL" ablation; nothing is computed or drawn).

    Args:
        temperature (float): :math:`\tau > 0`. (default: ``0.1``, the paper's)
        cl_weight (float): :math:`\lambda \ge 0`; the paper gives no value, ``0.01`` was the
            best of 0.01 / 0.03 / 0.1 on a planted graph. (default: ``0.01``)
        src_cl_weight (float): :math:`\alpha \ge 0`, the source (circRNA) type's share.
            (default: ``1.0``)
        cl_nodes (int, optional): nodes per InfoNCE call (at least 2); ``None``: all of a
            type's nodes, the paper's form. (default: ``1024``)
    """

    def __init__(self, temperature: float = 0.1, cl_weight: float = 0.01,
                 src_cl_weight: float = 1.0, cl_nodes: int | None = 1024) -> None:
        self.temperature = temperature
        self.cl_weight = cl_weight
        self.src_cl_weight = src_cl_weight
        self.cl_nodes = cl_nodes

    def _validate_params(self) -> None:
        def num(v: object) -> bool:
            return isinstance(v, (int, float)) and not isinstance(v, bool)
        self._check_param("temperature", num(self.temperature) and self.temperature > 0,
                          "must be > 0")
        self._check_param("cl_weight", num(self.cl_weight) and self.cl_weight >= 0,
                          "must be >= 0 (0: no contrastive term)")
        self._check_param("src_cl_weight", num(self.src_cl_weight) and self.src_cl_weight >= 0,
                          "must be >= 0")
        self._check_param("cl_nodes", self.cl_nodes is None
                          or (is_int(self.cl_nodes) and self.cl_nodes >= 2),
                          "must be >= 2 or None")

    def net_kwargs(self) -> dict[str, Any]:
        """The keywords of :class:`~rnagraph.models._mferl_net.MFERLNet` this part sets
        (parameters checked first)."""
        self._validate_params()
        return {"temperature": self.temperature, "cl_weight": self.cl_weight,
                "src_cl_weight": self.src_cl_weight, "cl_nodes": self.cl_nodes,
                "use_cl": self.cl_weight > 0}


__all__ = ["MFERLContrast"]
