"""MFERL's training step for :class:`~rnagraph.train.Trainer` (private helper of MFERL)."""
from __future__ import annotations

import torch
from torch import Tensor

from rnagraph.features.seed_sites import SeedSiteFeatures
from rnagraph.features.structural import StructuralPairFeatures


def pair_init(model) -> list[float]:
    """Initial weights of MFERL's pair term (:meth:`MFERLPairTerm.init
    <rnagraph.models._mferl_pair.MFERLPairTerm.init>`); ``[]``: no pair term (``pair=None``)."""
    return [] if model.pair is None else model.pair.init()


def pair_x(model, pairs: Tensor, graph=None) -> Tensor | None:
    """MFERL's pair features ``[B, len(pair_init(model))]`` of ``pairs [2, B]``: seed-site
    counts (sequences of ``graph``, default the fitted graph; a scoring graph may append new
    RNAs), then the own-edge-free structural features of the fitted (training) graph (the
    featurizer is fitted once and kept as ``model.struct_``); ``None`` without a pair term."""
    if model.pair is None:
        return None
    g = model.graph_ if graph is None else graph
    px = ([SeedSiteFeatures().graph_transform(g, model.edge_type_, pairs.cpu())]
          if model.pair.seed_sites else [])
    if model.pair.structural:
        if "struct_" not in model.__dict__:
            model.struct_ = StructuralPairFeatures().fit(model.graph_, model.edge_type_)
        px.append(model.struct_.transform(pairs.cpu()))
    return torch.cat(px, dim=1) if px else None


class MFERLTask:
    """MFERL's step for the :class:`Trainer`: full-batch loss, validation logits, and L2 on
    all but the pair term (whose features are computed once per pair tensor)."""

    def __init__(self, model, val_graph=None) -> None:
        self.model, self.module, self.i, self._memo = model, model.net_, model.inputs_, {}
        # inductive folds: validation pairs of new RNAs are read on the validation graph
        self.graph = model.graph_ if val_graph is None else val_graph

    def _px(self, pairs: Tensor) -> Tensor | None:
        hit = self._memo.get(id(pairs))
        if hit is None or hit[0] is not pairs:
            px = self.model._pair_x(pairs, self.graph)
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
        if self.graph is not self.model.graph_ and self.model._has_new(pairs.cpu()):
            z = self.model._represent(self.graph)     # new validation RNAs, as at scoring
            return self.module.decode(z, pairs, self._px(pairs))
        return self.module(i.x, i.homo_edge_index, i.edge_index, pairs, self._px(pairs))

    def param_groups(self) -> list[dict]:
        pair = list(self.module.pair_lin.parameters()) if self.module.pair_lin else []
        rest = [p for p in self.module.parameters() if all(p is not q for q in pair)]
        return [{"params": rest, "weight_decay": self.model.trainer.weight_decay}] + (
            [{"params": pair, "weight_decay": 0.0}] if pair else [])
