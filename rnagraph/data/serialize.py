"""A :class:`HeteroData` as plain tensors and JSON (for model files; nothing is pickled)."""
from __future__ import annotations

from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.node_column import NodeColumn


def _plain_list(v: object) -> bool:
    return isinstance(v, (list, tuple, NodeColumn)) and all(
        x is None or isinstance(x, (str, int, float, bool)) for x in v)


def graph_to_state(graph: HeteroData) -> tuple[dict[str, Tensor], dict]:
    """Split ``graph`` into ``(tensors, meta)``: every tensor attribute of every node and edge
    store under a ``"node/<type>/<key>"`` or ``"edge/<src>/<rel>/<dst>/<key>"`` name, and a
    JSON-ready ``meta`` with node counts and list attributes (ids, sequences, their sources).
    Other attributes are dropped. Inverse: :func:`graph_from_state`."""
    tensors: dict[str, Tensor] = {}
    meta: dict = {"nodes": {}, "edges": []}
    for nt in graph.node_types:
        store = graph[nt]
        lists = {}
        for key, v in store.items():
            if _plain_list(v):                 # first: a NodeColumn is also a Tensor
                lists[key] = list(v)
            elif isinstance(v, Tensor):
                tensors[f"node/{nt}/{key}"] = v.detach().cpu()
        meta["nodes"][nt] = {"num_nodes": int(store.num_nodes), "lists": lists}
    for et in graph.edge_types:
        meta["edges"].append(list(et))
        for key, v in graph[et].items():
            if isinstance(v, Tensor):
                tensors["edge/" + "/".join(et) + f"/{key}"] = v.detach().cpu()
    return tensors, meta


def graph_from_state(tensors: dict[str, Tensor], meta: dict) -> HeteroData:
    """The :class:`HeteroData` that :func:`graph_to_state` took apart."""
    g = HeteroData()
    for nt, info in meta["nodes"].items():
        g[nt].num_nodes = int(info["num_nodes"])
        for key, v in info["lists"].items():
            g[nt][key] = NodeColumn(v)
    for et in meta["edges"]:
        g[tuple(et)].edge_index = tensors.get("edge/" + "/".join(et) + "/edge_index")
    for name, t in tensors.items():
        kind, rest = name.split("/", 1)
        if kind == "node":
            nt, key = rest.rsplit("/", 1)
            g[nt][key] = t
        else:
            parts = rest.split("/")
            g[tuple(parts[:3])]["/".join(parts[3:])] = t
    return g


__all__ = ["graph_to_state", "graph_from_state"]
