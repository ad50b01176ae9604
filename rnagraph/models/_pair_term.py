"""The linear pair term that MFERL's and GRMMI's networks add to their logits."""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


class PairTerm(torch.nn.Linear):
    r"""A linear term :math:`\mathbf{w}^\top\boldsymbol{\phi}_{ij} + b` of given pair
    features :math:`\boldsymbol{\phi}` (seed-site counts,
    :class:`~rnagraph.features.SeedSiteFeatures`; structural pair features), added to a
    network's logits (rnagraph's extension of MFERL and GRMMI).

    :meth:`reset_parameters` starts :math:`\mathbf{w}` at ``init`` (:math:`b = 0`) when
    given, after :class:`torch.nn.Linear`'s own draw (so the random stream is the same with
    or without ``init``).

    Args:
        channels (int): pair features :math:`P`.
        init (Sequence[float], optional): initial :math:`\mathbf{w}`. (default: ``None``)

    Shapes:
        - **input:** ``pair_x [B, P]`` (moved to the weight's device and dtype)
        - **output:** ``[B]`` (``logits`` ``[B]`` optional)
    """

    def __init__(self, channels: int, init: Sequence[float] | None = None) -> None:
        self.init = None if init is None else tuple(init)    # read by Linear's reset
        super().__init__(channels, 1)

    def reset_parameters(self) -> None:
        super().reset_parameters()
        if self.init is not None:
            with torch.no_grad():
                self.weight.copy_(torch.tensor(self.init).unsqueeze(0))
                self.bias.zero_()

    def forward(self, pair_x: Tensor, logits: Tensor | None = None) -> Tensor:
        """The term ``[B]``; with ``logits`` ``[B]``, the logits plus the term."""
        s = super().forward(pair_x.to(self.weight)).squeeze(-1)
        return s if logits is None else logits + s
