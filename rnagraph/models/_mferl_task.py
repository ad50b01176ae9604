"""MFERL's training step for :class:`~rnagraph.train.Trainer` (private helper of MFERL)."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.features.seed_sites import SeedSiteFeatures
from rnagraph.features.structural import STRUCTURAL_FEATURES, StructuralPairFeatures
from rnagraph.models.seed_match import seed_term_init


def pair_init(model) -> list[float]:
    r"""Initial weights of MFERL's pair term: seed-site counts in SeedMatch's order (one site
    is :math:`\log 2`, so one 8mer moves the logit by about 2) with ``pair_features``, then 0
    for each structural feature with ``structural_features``; ``[]``: no pair term."""
    seed = seed_term_init() if model.pair_features else []
    return seed + [0.0] * (len(STRUCTURAL_FEATURES) if model.structural_features else 0)


def pair_x(model, pairs: Tensor) -> Tensor | None:
    """MFERL's pair features ``[B, len(pair_init(model))]`` of ``pairs [2, B]``: seed-site
    counts, then the own-edge-free structural features of the fitted (training) graph (the
    featurizer is fitted once and kept as ``model.struct_``); ``None`` without a pair term."""
    px = ([SeedSiteFeatures().graph_transform(model.graph_, model.edge_type_, pairs.cpu())]
          if model.pair_features else [])
    if model.structural_features:
        if "struct_" not in model.__dict__:
            model.struct_ = StructuralPairFeatures().fit(model.graph_, model.edge_type_)
        px.append(model.struct_.transform(pairs.cpu()))
    return torch.cat(px, dim=1) if px else None


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
