"""Map the interaction edges of a HeteroData onto one homogeneous node set, and back."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.typing import EdgeType, NodeType


@dataclass
class HomogeneousGraph:
    r"""A bipartite / heterogeneous interaction graph stacked onto one node set.

    Node type :math:`t` occupies the index range ``[offsets[t], offsets[t] + sizes[t])``;
    node types are stacked in the order they appear in ``data.node_types``. An edge
    :math:`(i, j)` of type ``(s, rel, d)`` becomes :math:`(i + o_s, j + o_d)`.
    Unlike :meth:`torch_geometric.data.HeteroData.to_homogeneous`, only the node types
    touched by the chosen edge types are included, and :meth:`split` maps an embedding back.

    Example::

        hg = HomogeneousGraph.from_hetero(fold.train_graph, [CIRC_MIRNA])
        z = GraRep().fit_transform(hg.edge_index, hg.num_nodes)
        z_dict = hg.split(z)          # {"circrna": [N_c, d], "mirna": [N_m, d]}

    Attributes:
        edge_index (LongTensor): ``[2, E]`` edges in stacked indices (as stored; encoders
            symmetrise them).
        num_nodes (int): total number of stacked nodes.
        offsets (dict[str, int]): first stacked index of each node type.
        sizes (dict[str, int]): number of nodes of each node type.
    """

    edge_index: Tensor
    num_nodes: int
    offsets: dict[NodeType, int]
    sizes: dict[NodeType, int]

    @classmethod
    def from_hetero(cls, data: HeteroData,
                    edge_types: EdgeType | Sequence[EdgeType] | None = None) -> HomogeneousGraph:
        """Stack the node types touched by ``edge_types`` and collect their edges.

        Args:
            data (HeteroData): the (training) graph.
            edge_types (EdgeType or list, optional): interaction types to use. Reverse types
                (``rev_*``) may be listed but add nothing, as encoders symmetrise edges.
                (default: every edge type whose relation does not start with ``"rev_"``)
        """
        if edge_types is None:
            edge_types = [et for et in data.edge_types if not et[1].startswith("rev_")]
        elif isinstance(edge_types, tuple) and len(edge_types) == 3 and \
                all(isinstance(s, str) for s in edge_types):
            edge_types = [edge_types]
        edge_types = [tuple(et) for et in edge_types]
        if not edge_types:
            raise ValueError("HomogeneousGraph: no edge types given and none found in data")
        for et in edge_types:
            if et not in data.edge_types:
                raise ValueError(f"HomogeneousGraph: edge type {et} is not in the graph; "
                                 f"available: {data.edge_types}")
        used = {t for et in edge_types for t in (et[0], et[2])}
        offsets, sizes, total = {}, {}, 0
        for nt in data.node_types:
            if nt in used:
                size = data[nt].num_nodes
                if size is None:
                    raise ValueError(f"HomogeneousGraph: node type {nt!r} has no num_nodes")
                offsets[nt], sizes[nt] = total, int(size)
                total += int(size)
        parts = []
        for src, rel, dst in edge_types:
            ei = data[src, rel, dst].edge_index.long()
            parts.append(torch.stack([ei[0] + offsets[src], ei[1] + offsets[dst]]))
        return cls(torch.cat(parts, dim=1), total, offsets, sizes)

    def split(self, embedding: Tensor) -> dict[NodeType, Tensor]:
        """Split a ``[num_nodes, d]`` embedding into ``{node_type: [sizes[t], d]}``."""
        if embedding.size(0) != self.num_nodes:
            raise ValueError(f"HomogeneousGraph.split: embedding has {embedding.size(0)} rows, "
                             f"expected {self.num_nodes}")
        return {nt: embedding[o:o + self.sizes[nt]] for nt, o in self.offsets.items()}

    def stack(self, per_type: dict[NodeType, Tensor]) -> Tensor:
        """Inverse of :meth:`split`: stack per-type tensors in offset order."""
        missing = set(self.offsets) - set(per_type)
        if missing:
            raise ValueError(f"HomogeneousGraph.stack: missing node types {sorted(missing)}")
        return torch.cat([per_type[nt] for nt in self.offsets], dim=0)
