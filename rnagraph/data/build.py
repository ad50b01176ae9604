"""Build a heterogeneous RNA interaction graph from sequences and id pairs."""
from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable, Mapping, Sequence

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.node_column import NodeColumn
from rnagraph.io import normalize_sequence
from rnagraph.typing import NODE_TYPES, EdgeType, NodeType, reverse_edge_type


def build_graph(sequences: Mapping[NodeType, Mapping[str, str | None]],
                pairs: Mapping[EdgeType, Iterable[tuple[str, str]]], *,
                node_ids: Mapping[NodeType, Iterable[str]] | None = None,
                add_reverse: bool = False, strict_types: bool = True,
                negatives: Mapping[EdgeType, Iterable[tuple[str, str]]] | None = None
                ) -> HeteroData:
    """Build a :class:`~torch_geometric.data.HeteroData` graph of RNAs and their interactions.

    Node order per type (deterministic): ids of ``sequences[node_type]`` in their mapping order,
    then ids that appear only in ``pairs`` in order of first appearance, then any remaining
    ``node_ids``. Nodes without a sequence are kept (``seq`` is ``None``, ``has_seq`` is False).

    Every node store holds ``ids`` (str, index order) and ``seq`` (str or ``None``) as
    :class:`~rnagraph.data.NodeColumn` columns (sequences to rnagraph, node-level attributes
    to PyG), ``has_seq`` (BoolTensor ``[N]``) and ``num_nodes``. Every edge store holds
    ``edge_index`` (LongTensor ``[2, E]``) in the direction given, **once**: apply PyG's
    :class:`~torch_geometric.transforms.ToUndirected` for message passing in both directions.
    ``add_reverse=True`` adds the reverse types now, exactly as ``ToUndirected`` would (see
    :func:`add_reverse_edges`); do not apply ``ToUndirected`` on top of that, as it would
    reverse the reverse types too (``rev_rev_<rel>``, which holds every edge again).

    Args:
        sequences: ``{node_type: {id: sequence or None}}``; sequences are normalised (uppercase,
            T -> U) and validated.
        pairs: ``{(src_type, relation, dst_type): [(src_id, dst_id), ...]}``.
        node_ids: extra ids per node type to include even without pairs (e.g. a node list file).
        add_reverse (bool): add reverse edge types. (default: ``False``)
        strict_types (bool): require node types among ``mirna``, ``mrna``, ``circrna``.
        negatives: ``{edge_type: [(src_id, dst_id), ...]}`` known non-interactions (pairs
            labelled 0 in a pair file). They are never edges; they are stored as
            ``data[edge_type].known_negatives`` (LongTensor ``[2, M]``, read it with
            :func:`known_negatives`) and their RNAs become nodes. A pair both known and
            negative is an error.

    Raises:
        ValueError: unknown node type, malformed edge type, or an empty pair list.
    """
    for nt in list(sequences) + [t for et in pairs for t in (et[0], et[2])]:
        if strict_types and nt not in NODE_TYPES:
            raise ValueError(f"build_graph: unknown node type {nt!r}; expected one of "
                             f"{NODE_TYPES} (pass strict_types=False to allow others)")
    order: dict[NodeType, dict[str, None]] = {}
    seqs: dict[NodeType, dict[str, str | None]] = {}
    for nt, table in sequences.items():
        order.setdefault(nt, {})
        seqs[nt] = {}
        for rid, s in table.items():
            _check_id(rid, nt)
            if s is not None and not str(s).strip():
                raise ValueError(f"build_graph: empty sequence for {nt} {rid!r}; pass None for "
                                 "a node without a sequence")
            order[nt][rid] = None
            seqs[nt][rid] = None if s is None else normalize_sequence(s)
    clean_pairs: dict[EdgeType, list[tuple[str, str]]] = {}
    for et, plist in pairs.items():
        if len(et) != 3:
            raise ValueError(f"build_graph: edge type must be (src, relation, dst), got {et!r}")
        src_t, _, dst_t = et
        plist = list(plist)
        for a, b in plist:
            _check_id(a, src_t)
            _check_id(b, dst_t)
        uniq = list(dict.fromkeys(plist))
        if len(plist) != len(uniq):
            warnings.warn(f"build_graph: dropped {len(plist) - len(uniq)} duplicate pair(s) of "
                          f"{et}", stacklevel=2)
        if not uniq:
            raise ValueError(f"build_graph: no pairs for edge type {et}")
        for a, b in uniq:
            order.setdefault(src_t, {}).setdefault(a, None)
            order.setdefault(dst_t, {}).setdefault(b, None)
        clean_pairs[tuple(et)] = uniq
    clean_negs: dict[EdgeType, list[tuple[str, str]]] = {}
    for et, plist in (negatives or {}).items():
        et = tuple(et)
        plist = list(dict.fromkeys(plist))
        for a, b in plist:
            _check_id(a, et[0])
            _check_id(b, et[2])
        both = set(plist) & set(clean_pairs.get(et, ()))
        if both:
            raise ValueError(f"build_graph: {len(both)} pair(s) of {et} are both interactions "
                             f"and known negatives, e.g. {sorted(both)[0]}")
        for a, b in plist:
            order.setdefault(et[0], {}).setdefault(a, None)
            order.setdefault(et[2], {}).setdefault(b, None)
        clean_negs[et] = plist
    for nt, extra in (node_ids or {}).items():
        for rid in extra:
            _check_id(rid, nt)
            order.setdefault(nt, {}).setdefault(str(rid), None)

    data = HeteroData()
    pos: dict[NodeType, dict[str, int]] = {}
    for nt, ids_d in order.items():
        ids = list(ids_d)
        pos[nt] = {s: i for i, s in enumerate(ids)}
        table = seqs.get(nt, {})
        seq = [table.get(s) for s in ids]
        data[nt].ids = NodeColumn(ids)
        data[nt].seq = NodeColumn(seq)
        data[nt].has_seq = torch.tensor([s is not None for s in seq], dtype=torch.bool)
        data[nt].num_nodes = len(ids)
    for et, plist in clean_pairs.items():
        src_t, _, dst_t = et
        ei = torch.tensor([[pos[src_t][a] for a, _ in plist], [pos[dst_t][b] for _, b in plist]],
                          dtype=torch.long)
        data[et].edge_index = ei
    for et, plist in clean_negs.items():
        src_t, _, dst_t = et
        data[et].known_negatives = torch.tensor(
            [[pos[src_t][a] for a, _ in plist], [pos[dst_t][b] for _, b in plist]],
            dtype=torch.long).reshape(2, -1)
    if add_reverse:
        data = add_reverse_edges(data)
    data.validate(raise_on_error=True)
    return data


def add_reverse_edges(data: HeteroData) -> HeteroData:
    """A copy of ``data`` with the reverse ``(dst, "rev_<rel>", src)`` of every bipartite edge
    type, named and filled as :class:`~torch_geometric.transforms.ToUndirected` does (the flipped
    ``edge_index`` and every per-edge tensor attribute). Types that are themselves reverses
    (``rev_*``) or already have their reverse are left alone, so calling it twice adds nothing.
    The input is not modified."""
    out = copy.copy(data)
    for et in data.edge_types:
        src, rel, dst = et
        store = data[et]
        if src == dst or rel.startswith("rev_") or "edge_index" not in store:
            continue
        rev = reverse_edge_type(et)
        if rev in data.edge_types:
            continue
        nnz = store.edge_index.size(1)
        out[rev].edge_index = store.edge_index.flip(0)
        for key, value in store.items():
            if key == "known_negatives":
                out[rev][key] = value.flip(0)
            elif key != "edge_index" and isinstance(value, Tensor) and value.size(0) == nnz:
                out[rev][key] = value
    return out


def message_edges(graph: HeteroData, relations: Sequence[EdgeType] | None = None,
                  ) -> dict[EdgeType, Tensor]:
    """The ``edge_index`` of each edge type a message-passing model runs over, with reverses.

    Without ``relations``: every edge type of ``graph`` that has an ``edge_index``, plus the
    flipped edges of each bipartite type whose reverse is missing (the input of a
    :class:`~torch_geometric.nn.HeteroConv` on a graph that was not made undirected). With
    ``relations``: exactly those relations (read from their reverse, flipped, where only that
    is stored) and each one's reverse as its flipped edges. Nothing is copied or modified."""
    out: dict[EdgeType, Tensor] = {}
    if relations is None:
        for et in graph.edge_types:
            ei = graph[et].get("edge_index")
            if ei is not None:
                out[et] = ei
        for et in list(out):
            rev = reverse_edge_type(et)
            if rev not in out and et[0] != et[2]:
                out[rev] = out[et].flip(0)
        return out
    for et in relations:
        et = tuple(et)
        if et in graph.edge_types and "edge_index" in graph[et]:
            ei = graph[et].edge_index
        else:
            ei = graph[reverse_edge_type(et)].edge_index.flip(0)
        out[et] = ei
        out[reverse_edge_type(et)] = ei.flip(0)
    return out


def known_negatives(graph: HeteroData, edge_type: EdgeType) -> Tensor:
    """The known non-interactions of ``edge_type`` (pairs labelled 0 in the pair file) as a
    LongTensor ``[2, M]`` of (source, destination) node indices; empty when there are none.
    They are true negatives: use them as evaluation or training negatives, never as edges."""
    et = tuple(edge_type)
    if et in graph.edge_types and "known_negatives" in graph[et]:
        return graph[et].known_negatives
    rev = reverse_edge_type(et)
    if rev in graph.edge_types and "known_negatives" in graph[rev]:
        return graph[rev].known_negatives.flip(0)
    return torch.empty(2, 0, dtype=torch.long)


def node_sequences(graph: HeteroData, node_type: NodeType) -> list[str | None]:
    """The sequences of ``graph[node_type]`` as a list, ``None`` where a node has none (every
    node when the type carries no ``seq`` at all)."""
    seq = getattr(graph[node_type], "seq", None)
    return list(seq) if seq is not None else [None] * int(graph[node_type].num_nodes)


def _check_id(rid: object, node_type: NodeType) -> None:
    """Node ids are non-empty strings (``None`` or ``''`` would silently become a node)."""
    if not isinstance(rid, str) or not rid.strip():
        raise ValueError(f"build_graph: {node_type} id {rid!r} is not a non-empty string; "
                         "every node needs an id")
