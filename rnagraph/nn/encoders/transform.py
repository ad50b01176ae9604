"""A PyG transform that writes a graph-encoder embedding into every node store."""
from __future__ import annotations

import copy
from typing import Sequence

from torch_geometric.data import HeteroData
from torch_geometric.transforms import BaseTransform

from rnagraph.nn.encoders.base import GraphEncoder, ridge_fill
from rnagraph.nn.encoders.hetero import HomogeneousGraph
from rnagraph.typing import EdgeType


class EncoderTransform(BaseTransform):
    r"""Fits a graph encoder on the interaction edges of a :class:`HeteroData` and stores the
    embedding as ``data[node_type].x_<name>`` (``[num_nodes, dim]``) for every node type the
    edges touch.

    The node types are stacked with :class:`HomogeneousGraph`; a fresh clone of ``encoder``
    is fitted on every call (the given encoder stays unfitted), so applying the transform to
    each fold's ``train_graph`` embeds with training edges only. The input is never modified:
    the transform works on a copy, as PyG's transforms do.

    Cold-start rows follow the encoder's ``cold_start``; with ``fallback="x"`` (any node
    attribute), the rows of isolated nodes are instead predicted, per node type, by a ridge
    regression from that attribute fitted on the type's non-isolated nodes.

    Args:
        encoder (GraphEncoder): e.g. ``GraRep(dim=32, order=4)``.
        edge_types (EdgeType or list, optional): see :meth:`HomogeneousGraph.from_hetero`.
        name (str, optional): attribute suffix. (default: lower-case encoder class name)
        fallback (str, optional): node attribute used for cold-start rows. (default: :obj:`None`)

    Example::

        t = EncoderTransform(GraRep(dim=32), [CIRC_MIRNA], name="grarep")
        g = t(fold.train_graph)       # g["mirna"].x_grarep, g["circrna"].x_grarep
    """

    def __init__(self, encoder: GraphEncoder, edge_types: EdgeType | Sequence[EdgeType] |
                 None = None, name: str | None = None, fallback: str | None = None):
        if not isinstance(encoder, GraphEncoder):
            raise ValueError(f"EncoderTransform: encoder must be a GraphEncoder, got "
                             f"{type(encoder).__name__}")
        self.encoder = encoder
        self.edge_types = edge_types
        self.name = name or type(encoder).__name__.lower()
        self.fallback = fallback

    def forward(self, data: HeteroData) -> HeteroData:
        if not isinstance(data, HeteroData):
            raise ValueError(f"EncoderTransform: expected a HeteroData, got {type(data).__name__}")
        hg = HomogeneousGraph.from_hetero(data, self.edge_types)
        enc = self.encoder.clone().fit(hg.edge_index, hg.num_nodes)
        emb = hg.split(enc.transform())
        cold = hg.split(enc.cold_mask_)
        out = copy.copy(data)
        for nt, z in emb.items():
            z = z.clone()
            if self.fallback is not None and bool(cold[nt].any()) and not bool(cold[nt].all()):
                x = data[nt].get(self.fallback)
                if x is None:
                    raise ValueError(f"EncoderTransform: node type {nt!r} has no attribute "
                                     f"{self.fallback!r} for the cold-start fallback")
                x = x.float()
                c = cold[nt]
                z[c] = ridge_fill(x[~c], z[~c], x[c])
            out[nt][f"x_{self.name}"] = z
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.encoder!r}, name={self.name!r})"
