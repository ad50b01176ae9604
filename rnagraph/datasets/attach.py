"""Attach sequences (a user's FASTA, a dict) to the nodes of a loaded graph."""
from __future__ import annotations

import copy
import logging
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import torch
from torch_geometric.data import HeteroData

from rnagraph.data import NodeColumn, node_sequences
from rnagraph.io import normalize_sequence, read_fasta
from rnagraph.typing import NodeType

log = logging.getLogger("rnagraph.datasets")

SequenceSource = str | os.PathLike | Mapping[str, str]


def attach_sequences(data: HeteroData, sequences: Mapping[NodeType, SequenceSource], *,
                     overwrite: bool = False) -> HeteroData:
    """Return a copy of ``data`` with sequences attached to nodes by id.

    For each node type, ``sequences[node_type]`` is a FASTA path or a ``{id: sequence}`` dict.
    A FASTA id is the first word of its header; a pipe-separated header such as circBase's
    ``>hsa_circ_0000001|chr1:...`` also matches the id before the first ``|`` (pass a dict to
    rename ids otherwise). Sequences are normalised
    (uppercase, T -> U). Nodes left without one keep ``seq=None`` and ``has_seq=False``; ids in
    the source that are not nodes are ignored and counted.

    Sets per node type: ``seq``, ``has_seq`` and ``seq_source``
    (:class:`~rnagraph.data.NodeColumn` of ``str | None``, where each sequence came from) and
    ``seq_report`` (``{"covered", "total", "attached", "unused", "sources"}``). The caller's
    ``data`` is not modified.

    Args:
        data (HeteroData): a graph from :func:`~rnagraph.datasets.load` or
            :func:`~rnagraph.data.build_graph`.
        sequences: ``{node_type: path or {id: sequence}}``.
        overwrite (bool): replace sequences the node already has. (default: ``False``)

    Raises:
        ValueError: unknown node type.
        InputError: a malformed FASTA or sequence.
    """
    out = copy.copy(data)  # new stores sharing tensors; we only replace attributes
    for nt, src in sequences.items():
        if nt not in out.node_types:
            raise ValueError(f"attach_sequences: node type {nt!r} is not in the graph; it has "
                             f"{out.node_types}")
        if isinstance(src, Mapping):
            table = {str(k): normalize_sequence(v) for k, v in src.items()}
            label = "user:dict"
        else:
            table = read_fasta(src)
            label = f"user:{Path(src).name}"
        records = list(table)
        # circBase-style headers ">hsa_circ_0000001|chr1:...|...": the part before "|" is the id
        for key in records:
            if "|" in key:
                table.setdefault(key.split("|", 1)[0], table[key])
        store = out[nt]
        ids = list(store.ids)
        seq = node_sequences(out, nt)
        origin = list(getattr(store, "seq_source", [None if s is None else "dataset"
                                                    for s in seq]))
        attached = matched = 0
        for i, rid in enumerate(ids):
            s = table.get(rid)
            matched += s is not None
            if s is None or (seq[i] is not None and not overwrite):
                continue
            seq[i], origin[i] = s, label
            attached += 1
        idset = set(ids)
        unused = sum(1 for k in records if k not in idset and k.split("|", 1)[0] not in idset)
        if matched == 0:
            warnings.warn(f"attach_sequences: no {nt!r} id matched the {len(records)} ids of "
                          f"{label} (first graph id {ids[0]!r}, first source id "
                          f"{next(iter(records), None)!r})", stacklevel=2)
        store.seq = NodeColumn(seq)
        store.seq_source = NodeColumn(origin)
        store.has_seq = torch.tensor([s is not None for s in seq], dtype=torch.bool)
        covered = int(store.has_seq.sum())
        sources: dict[str, int] = {}
        for o in origin:
            if o is not None:
                sources[o] = sources.get(o, 0) + 1
        store.seq_report = {"covered": covered, "total": len(ids), "attached": attached,
                            "unused": unused, "sources": sources}
        log.info("%s: %d of %d nodes have a sequence (%d attached from %s; %d source ids "
                 "are not nodes)", nt, covered, len(ids), attached, label, unused)
    return out
