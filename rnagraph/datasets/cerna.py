r"""The joint ceRNA graph: circRNA -> miRNA <- ... -> mRNA in one :class:`HeteroData`.

A circRNA acts by sponging miRNAs away from their mRNA targets (the competing-endogenous-RNA
hypothesis), so the two interaction types share their miRNA nodes. :func:`join_cerna` joins a
circRNA-miRNA graph and a miRNA-mRNA graph on their miRNAs, matched by normalised miRBase name
(:func:`~rnagraph.datasets.mirna_names.match_mirna_names`); :func:`load_cerna` (also
``rnagraph.datasets.load("cerna")``) joins ``cmi-20208`` and ``mtis-9214``.
"""
from __future__ import annotations

import os
import warnings

import torch
from torch_geometric.data import HeteroData

from rnagraph.datasets.mirna_names import match_mirna_names
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA, MIRNA_MRNA, MRNA, reverse_edge_type

#: the two datasets ``load("cerna")`` joins
CERNA_PARTS = ("cmi-20208", "mtis-9214")


def _forward_edges(graph: HeteroData, edge_type) -> torch.Tensor:
    """The ``edge_type`` edges of ``graph``, read from the reverse type if only that exists."""
    if edge_type in graph.edge_types and "edge_index" in graph[edge_type]:
        return graph[edge_type].edge_index
    rev = reverse_edge_type(edge_type)
    if rev in graph.edge_types and "edge_index" in graph[rev]:
        return graph[rev].edge_index.flip(0)
    raise ValueError(f"join_cerna: the graph has no {edge_type} edges (edge types: "
                     f"{graph.edge_types})")


def _node_attr(graph: HeteroData, nt: str, key: str, default) -> list:
    n = int(graph[nt].num_nodes)
    v = getattr(graph[nt], key, None)
    return list(v) if v is not None else [default] * n


def join_cerna(circ: HeteroData, target: HeteroData, *, add_reverse: bool = False,
               name: str = "cerna") -> HeteroData:
    r"""Join a circRNA-miRNA graph and a miRNA-mRNA graph on their shared miRNAs.

    miRNA names are matched by :func:`~rnagraph.datasets.mirna_names.match_mirna_names`
    (exact, then normalised name, then -- only when both sequences are known and equal -- an
    arm-less / star name to an arm-suffixed one). Node order: ``circrna`` and ``mrna`` as in
    their graphs; ``mirna`` = the miRNAs of ``circ`` in their order (their spelling is kept),
    then the unmatched miRNAs of ``target`` in theirs. Sequences, ``has_seq`` and
    ``seq_source`` are carried over; a matched miRNA takes ``circ``'s sequence, else
    ``target``'s.

    The result holds ``("circrna", "binds", "mirna")`` and ``("mirna", "targets", "mrna")``
    edges (plus their reverses with ``add_reverse``), and:

    * ``data["mirna"].in_circ`` / ``in_target`` -- BoolTensor ``[N_mirna]``: the miRNA is a node
      of that source graph (whether or not it has an edge there);
    * ``data["mirna"].target_ids`` -- the name each miRNA has in ``target`` (``None`` if absent);
    * ``data.mirna_match`` -- the matcher's report: ``counts`` (matched / unmatched) and
      ``ambiguous`` (names left unmatched, with the reason).

    Neither input is modified.

    Args:
        circ (HeteroData): a graph with ``circrna`` and ``mirna`` nodes and
            ``("circrna", "binds", "mirna")`` edges (or only their reverse).
        target (HeteroData): a graph with ``mirna`` and ``mrna`` nodes and
            ``("mirna", "targets", "mrna")`` edges (or only their reverse).
        add_reverse (bool): add the reverse edge types, PyG's ``rev_`` naming.
            (default: ``False``, as every loader)
        name (str): ``data.name``. (default: ``"cerna"``)

    Raises:
        ValueError: a graph lacks the node or edge types above.
    """
    for g, nts, label in ((circ, (CIRCRNA, MIRNA), "circ"), (target, (MIRNA, MRNA), "target")):
        for nt in nts:
            if nt not in g.node_types:
                raise ValueError(f"join_cerna: the {label} graph has no {nt!r} nodes "
                                 f"(node types: {g.node_types})")
    ei_c = _forward_edges(circ, CIRC_MIRNA)
    ei_t = _forward_edges(target, MIRNA_MRNA)
    c_ids, t_ids = list(circ[MIRNA].ids), list(target[MIRNA].ids)
    c_seq, t_seq = _node_attr(circ, MIRNA, "seq", None), _node_attr(target, MIRNA, "seq", None)
    seqs = {**{n: s for n, s in zip(t_ids, t_seq) if s}, **{n: s for n, s in zip(c_ids, c_seq)
                                                             if s}}
    match = match_mirna_names(c_ids, t_ids, sequences=seqs)
    mapping = match["mapping"]
    ids = list(c_ids)
    seq = list(c_seq)
    src = _node_attr(circ, MIRNA, "seq_source", None)
    t_src = _node_attr(target, MIRNA, "seq_source", None)
    pos = {n: i for i, n in enumerate(ids)}
    target_ids: list[str | None] = [None] * len(ids)
    t_index = torch.empty(len(t_ids), dtype=torch.long)
    for j, n in enumerate(t_ids):
        if n in mapping:
            i = pos[mapping[n]]
            if seq[i] is None and t_seq[j] is not None:
                seq[i], src[i] = t_seq[j], t_src[j]
        else:
            i = len(ids)
            ids.append(n)
            seq.append(t_seq[j])
            src.append(t_src[j])
            target_ids.append(None)
        target_ids[i] = n
        t_index[j] = i
    data = HeteroData()
    for nt, g in ((CIRCRNA, circ), (MRNA, target)):
        st = g[nt]
        data[nt].ids = list(st.ids)
        data[nt].seq = _node_attr(g, nt, "seq", None)
        data[nt].has_seq = torch.tensor([s is not None for s in data[nt].seq], dtype=torch.bool)
        data[nt].seq_source = _node_attr(g, nt, "seq_source", None)
        data[nt].num_nodes = int(st.num_nodes)
        if getattr(st, "id_kind", None) is not None:
            data[nt].id_kind = st.id_kind
    data[MIRNA].ids = ids
    data[MIRNA].seq = seq
    data[MIRNA].has_seq = torch.tensor([s is not None for s in seq], dtype=torch.bool)
    data[MIRNA].seq_source = src
    data[MIRNA].num_nodes = len(ids)
    data[MIRNA].in_circ = torch.arange(len(ids)) < len(c_ids)
    data[MIRNA].in_target = torch.tensor([t is not None for t in target_ids], dtype=torch.bool)
    data[MIRNA].target_ids = target_ids
    data[CIRC_MIRNA].edge_index = ei_c.clone()
    data[MIRNA_MRNA].edge_index = torch.stack([t_index[ei_t[0]], ei_t[1]])
    if add_reverse:
        for et in (CIRC_MIRNA, MIRNA_MRNA):
            data[reverse_edge_type(et)].edge_index = data[et].edge_index.flip(0)
    data.mirna_match = {"counts": match["counts"], "ambiguous": match["ambiguous"]}
    data.name = name
    if match["counts"]["matched"] == 0:
        warnings.warn("join_cerna: no miRNA name is shared by the two graphs; the joint graph "
                      "is two disconnected parts (check the naming of both datasets)",
                      stacklevel=2)
    data.validate(raise_on_error=True)
    return data


def load_cerna(root: str | os.PathLike | None = None, *, add_reverse: bool = False) -> HeteroData:
    """The joint ceRNA graph of ``cmi-20208`` (circRNA-miRNA) and ``mtis-9214`` (miRNA-gene):
    1,648 miRNAs (365 matched by name), 3,569 circRNAs, 3,069 genes (node type ``mrna``),
    20,208 + 9,214 edges; see :func:`join_cerna` and ``docs/datasets.md``.

    Args:
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``.
        add_reverse (bool): add the reverse edge types. (default: ``False``, as every loader)
    """
    from rnagraph.datasets.cmi import load_cmi
    from rnagraph.datasets.mtis import load_mtis
    return join_cerna(load_cmi(CERNA_PARTS[0], root), load_mtis(root), add_reverse=add_reverse)


__all__ = ["join_cerna", "load_cerna", "CERNA_PARTS"]
