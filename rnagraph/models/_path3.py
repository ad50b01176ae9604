"""Shared scoring of the length-3 path baselines (:class:`PathL3`, :class:`PathRA3`,
:class:`TruncatedKatz`)."""
from __future__ import annotations

from typing import ClassVar

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.data.paths import bipartite_adjacency, path3_block, path3_factors, path3_pairs
from rnagraph.models.base import LinkModel


class _Path3Link(LinkModel):
    """A link model scoring ``direct * a_sd + path3(weight)_sd`` on the scoring graph."""

    #: path weighting passed to :func:`~rnagraph.data.paths.path3_factors`
    weight: ClassVar[str] = "l3"
    #: scipy's sparse products sum each pair's paths in index order, whatever the block
    block_rtol: ClassVar[float] = 0.0

    def _fit(self, fold: Fold) -> None:
        """Nothing to learn: paths are read from the scoring graph (``fold.train_graph`` by
        default)."""

    def _terms(self) -> tuple[float, float]:
        """(weight of the direct edge, weight of the path-3 term)."""
        return 0.0, 1.0

    def _encode(self, graph: HeteroData) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
        a = bipartite_adjacency(graph, self.edge_type_)
        x, y = path3_factors(a, self.weight)
        return a, x, y

    def _decision(self, encoded: tuple, pairs: Tensor) -> Tensor:
        a, x, y = encoded
        s, d = pairs[0].cpu().numpy().copy(), pairs[1].cpu().numpy().copy()
        direct, path = self._terms()
        out = path * path3_pairs(x, y, s, d)
        if direct:
            out = out + direct * np.asarray(a[s, d], dtype=np.float64).ravel()
        return torch.from_numpy(out)

    def _decision_grid(self, encoded: tuple, src: Tensor, dst: Tensor) -> Tensor:
        a, x, y = encoded
        s, d = src.cpu().numpy(), dst.cpu().numpy()
        direct, path = self._terms()
        out = path * path3_block(x, y, s, d)        # one sparse product per block
        if direct:
            out = out + direct * a[s][:, d].toarray()
        return torch.from_numpy(np.asarray(out, dtype=np.float64))
