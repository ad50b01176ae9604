"""Type aliases and the canonical node-type names used across rnagraph."""
from __future__ import annotations

from typing import Tuple

NodeType = str
EdgeType = Tuple[str, str, str]

MIRNA: NodeType = "mirna"
MRNA: NodeType = "mrna"
CIRCRNA: NodeType = "circrna"
NODE_TYPES: tuple[NodeType, ...] = (MIRNA, MRNA, CIRCRNA)

#: The two interaction types rnagraph models, in their canonical direction.
CIRC_MIRNA: EdgeType = (CIRCRNA, "binds", MIRNA)
MIRNA_MRNA: EdgeType = (MIRNA, "targets", MRNA)


def reverse_edge_type(edge_type: EdgeType) -> EdgeType:
    """The reverse edge type under PyG's ``ToUndirected`` naming: ``(dst, 'rev_rel', src)``."""
    src, rel, dst = edge_type
    return (dst, rel[4:] if rel.startswith("rev_") else f"rev_{rel}", src)


__all__ = [
    "NodeType", "EdgeType", "MIRNA", "MRNA", "CIRCRNA", "NODE_TYPES", "CIRC_MIRNA", "MIRNA_MRNA",
    "reverse_edge_type",
]
