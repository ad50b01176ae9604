"""MFERL's training step for :class:`~rnagraph.train.Trainer` (private helper of MFERL)."""
from __future__ import annotations

from torch import Tensor


class MFERLTask:
    """MFERL's step for the :class:`Trainer`: full-batch loss, validation logits, and L2 on
    all but the pair term (whose features are computed once per pair tensor)."""

    def __init__(self, model) -> None:
        self.model, self.module, self.i, self._memo = model, model.net_, model.inputs_, {}

    def _px(self, pairs: Tensor) -> Tensor | None:
        hit = self._memo.get(id(pairs))
        if hit is None or hit[0] is not pairs:
            px = self.model._pair_x(pairs)
            keep = list(self._memo.items())[-2:]      # train pairs and the latest val pairs
            self._memo = dict(keep + [(id(pairs), (pairs, px if px is None
                                                   else px.to(pairs.device)))])
            hit = self._memo[id(pairs)]
        return hit[1]

    def loss(self, pairs: Tensor, labels: Tensor) -> tuple[Tensor, dict]:
        i = self.i
        return self.module.loss(i.x, i.homo_edge_index, i.edge_index, pairs, labels,
                                self._px(pairs))

    def logits(self, pairs: Tensor) -> Tensor:
        i = self.i
        return self.module(i.x, i.homo_edge_index, i.edge_index, pairs, self._px(pairs))

    def param_groups(self) -> list[dict]:
        pair = list(self.module.pair_lin.parameters()) if self.module.pair_lin else []
        rest = [p for p in self.module.parameters() if all(p is not q for q in pair)]
        return [{"params": rest, "weight_decay": self.model.weight_decay}] + (
            [{"params": pair, "weight_decay": 0.0}] if pair else [])
