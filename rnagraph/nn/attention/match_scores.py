"""The best attention logit per head and direction: how strongly a pair's best positions match."""
from __future__ import annotations

import torch
from torch import Tensor


class MatchScores(torch.nn.Module):
    r"""Per channel of a pair's stacked attention logit maps (e.g. both directions of
    :class:`MutualAttention`, ``return_logits=True``), the largest logit over the valid
    (miRNA, target) cells,

    .. math::
        s^{c} = \max_{i \in \text{valid}_{mi},\, j \in \text{valid}_{m}} \mathbf{S}^{c}_{ij},

    zero for a pair where either side has no valid position (rnagraph's extension of GRMMI:
    the attention's outputs are convex combinations of values, so how *well* the best
    positions match is normalised away by the softmax; these scores keep it). No parameters.

    Shapes:
        - **input:** ``maps`` ``[B, C, T_mi, T_m]``, ``mask_mi`` ``[B, T_mi]``,
          ``mask_m`` ``[B, T_m]`` (bool)
        - **output:** ``[B, C]``
    """

    def reset_parameters(self) -> None:
        """Nothing to reset (no parameters)."""

    def forward(self, maps: Tensor, mask_mi: Tensor, mask_m: Tensor) -> Tensor:
        valid = (mask_mi.unsqueeze(2) & mask_m.unsqueeze(1)).unsqueeze(1)
        best = maps.masked_fill(~valid, float("-inf")).amax(dim=(2, 3))
        both = (mask_mi.any(1) & mask_m.any(1)).unsqueeze(1)
        return torch.where(both, best, torch.zeros_like(best))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
