"""MFERLEncoder: the node encoder part of MFERL, which blocks it stacks and their sizes."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rnagraph.features._estimator import Estimator, is_int

#: MFERL's encoder blocks, in the order their outputs are concatenated
BLOCKS: tuple[str, ...] = ("homo", "mcam", "heter")


class MFERLEncoder(Estimator):
    r"""The node encoder of :class:`~rnagraph.models.MFERL` (`Peng et al., 2025
    <https://doi.org/10.1186/s12915-025-02227-6>`_): each view :math:`v` of node type
    :math:`t` is projected to :math:`d` (``hidden_channels``) with dropout,
    :math:`\mathbf{X}_{t,v} = \mathrm{dropout}(\mathbf{x}_{t,v}\mathbf{W}_{t,v})
    \in \mathbb{R}^{N_t \times d}`, and the blocks read the stack
    :math:`[\mathbf{X}_{t,1}; \dots; \mathbf{X}_{t,V}] \in \mathbb{R}^{N_t \times V \times d}`:

    * ``"homo"``: :class:`~rnagraph.nn.conv.HomoGCN`, one GCN per non-similarity view over
      the similarity graph :math:`G_t`, fused to :math:`[N_t, d]`;
    * ``"mcam"``: :class:`~rnagraph.nn.attention.MCAM`, channel then spatial attention
      over the :math:`V` views (channel pooling ``channel_pool``), :math:`[N_t, d]`;
    * ``"heter"``: :class:`~rnagraph.nn.conv.BilinearInteraction` over the training
      interaction edges (``heads`` heads of rank :math:`k d`), :math:`[N_t, d]` per side.

    The node representation is :math:`\mathbf{Z}_t = \mathrm{BN}([\mathbf{X}^{b_1}_t \Vert
    \cdots])` of width :math:`|\mathrm{blocks}|\, d` (the equations are in
    :class:`~rnagraph.models._mferl_net.MFERLNet`). Leaving a block out of ``blocks`` is the
    paper's ablation of that module (``blocks=("mcam", "heter")``: "w/o homo").

    Args:
        hidden_channels (int): :math:`d`. (default: ``128``)
        blocks (Sequence[str], optional): the blocks, a non-empty subset of
            ``("homo", "mcam", "heter")``; ``None``: all three. (default: ``None``)
        heads (int): bilinear attention heads. (default: ``2``)
        k (int): the bilinear attention's rank multiplier. (default: ``3``)
        channel_pool (str): MCAM's channel pooling, ``"graph"`` (the paper: over all nodes)
            or ``"node"``. (default: ``"graph"``)
        dropout (float): dropout on the projected views, in :math:`[0, 1)`.
            (default: ``0.5``)
    """

    def __init__(self, hidden_channels: int = 128, blocks: Sequence[str] | None = None,
                 heads: int = 2, k: int = 3, channel_pool: str = "graph",
                 dropout: float = 0.5) -> None:
        self.hidden_channels = hidden_channels
        self.blocks = blocks
        self.heads = heads
        self.k = k
        self.channel_pool = channel_pool
        self.dropout = dropout

    def _validate_params(self) -> None:
        for name in ("hidden_channels", "heads", "k"):
            value = getattr(self, name)
            self._check_param(name, is_int(value) and value >= 1, "must be an integer >= 1")
        b = self.blocks
        ok = b is None or (not isinstance(b, str) and isinstance(b, Sequence) and len(b) > 0
                           and set(b) <= set(BLOCKS) and len(set(b)) == len(b))
        self._check_param("blocks", ok, f"must be None or distinct blocks of {BLOCKS}, at "
                          "least one")
        self._check_param("channel_pool", self.channel_pool in ("graph", "node"),
                          "must be 'graph' or 'node'")
        self._check_param("dropout", isinstance(self.dropout, (int, float))
                          and 0.0 <= self.dropout < 1.0, "must be in [0, 1)")

    def net_kwargs(self) -> dict[str, Any]:
        """The keywords of :class:`~rnagraph.models._mferl_net.MFERLNet` this part sets
        (parameters checked first)."""
        self._validate_params()
        return {"hidden_channels": self.hidden_channels, "heads": self.heads, "k": self.k,
                "channel_pool": self.channel_pool, "dropout": self.dropout,
                **{f"use_{b}": b in (self.blocks or BLOCKS) for b in BLOCKS}}


__all__ = ["MFERLEncoder", "BLOCKS"]
