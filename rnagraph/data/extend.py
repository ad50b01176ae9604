"""New RNAs appended to a graph: the scoring graph of inductive scoring."""
from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.node_column import NodeColumn
from rnagraph.typing import NodeType


def append_nodes(graph: HeteroData, node_type: NodeType, ids: Sequence[str],
                 seqs: Sequence[str | None], seq_source: str = "given") -> HeteroData:
    """A copy of ``graph`` with ``len(ids)`` new ``node_type`` nodes appended after the
    existing ones (node ``n + i`` is ``ids[i]``, sequence ``seqs[i]``), and no new edges.

    This is how a model scores RNAs it was not fitted with
    (:meth:`~rnagraph.models.base.LinkModel.extended_graph`): the fitted nodes keep their
    indices, the new ones follow them. Node-level columns are extended: ``ids``, ``seq``
    (``None`` where no sequence is given), ``has_seq``, ``seq_source`` (``seq_source`` for
    the new nodes), and any other node-level tensor with a neutral fill (``-1`` for
    integers, ``0`` for floats, ``False`` for booleans) -- the new nodes' values are unknown.

    Args:
        graph (HeteroData): the graph (not modified).
        node_type (str): the type of the new nodes (must exist in ``graph``).
        ids (list[str]): their ids, none of them already in ``graph[node_type].ids``.
        seqs (list[str | None]): their sequences, one per id.
        seq_source (str): the ``seq_source`` of the new nodes. (default: ``"given"``)
    """
    if node_type not in graph.node_types:
        raise ValueError(f"append_nodes: the graph has no {node_type!r} nodes "
                         f"(node types: {', '.join(graph.node_types)})")
    ids, seqs = list(ids), [s if s else None for s in seqs]
    if len(ids) != len(seqs):
        raise ValueError(f"append_nodes: {len(ids)} ids but {len(seqs)} sequences")
    store = graph[node_type]
    n = int(store.num_nodes)
    if "ids" not in store and ids:
        raise ValueError(f"append_nodes: the graph's {node_type} nodes carry no ids")
    old = set(store.ids) if "ids" in store else set()
    clash = [i for i in ids if i in old]
    if clash or len(set(ids)) != len(ids):
        what = clash[:3] or [i for i in ids if ids.count(i) > 1][:3]
        raise ValueError(f"append_nodes: {node_type} ids {what} are already in the graph or "
                         "repeated; new nodes need new ids")
    out = copy.copy(graph)                    # PyG copies each store (not the tensors)
    src, dst = graph[node_type], out[node_type]
    dst.num_nodes = n + len(ids)
    extra = {"ids": ids, "seq": seqs, "seq_source": [seq_source] * len(ids)}
    for key, value in src.items():
        if key == "num_nodes":
            continue
        if isinstance(value, NodeColumn):
            fill = extra.get(key, [None] * len(ids))
            dst[key] = NodeColumn(list(value) + list(fill))
        elif key == "has_seq":
            new = torch.tensor([s is not None for s in seqs], dtype=torch.bool)
            dst[key] = torch.cat([value, new])
        elif isinstance(value, Tensor) and value.dim() >= 1 and value.size(0) == n:
            fill = False if value.dtype == torch.bool else (
                0 if value.is_floating_point() else -1)
            pad = torch.full((len(ids), *value.shape[1:]), fill, dtype=value.dtype,
                             device=value.device)
            dst[key] = torch.cat([value, pad])
    if "seq" not in src:
        dst["seq"] = NodeColumn([None] * n + seqs)
        dst["has_seq"] = torch.tensor([False] * n + [s is not None for s in seqs])
    return out


__all__ = ["append_nodes"]
