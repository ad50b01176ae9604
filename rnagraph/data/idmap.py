"""String id <-> integer index maps per node type."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.typing import NodeType


class IdMap:
    """A bijection between string ids and indices ``0..n-1`` (in the order given).

    Args:
        ids (Sequence[str]): unique ids in index order.

    Example:
        >>> m = IdMap(["a", "b"])
        >>> m.index(["b", "a"]).tolist()
        [1, 0]
        >>> m.ids([0, 1])
        ['a', 'b']
    """

    def __init__(self, ids: Sequence[str]):
        self._ids = list(ids)
        self._pos = {s: i for i, s in enumerate(self._ids)}
        if len(self._pos) != len(self._ids):
            seen: set[str] = set()
            dup = next(s for s in self._ids if s in seen or seen.add(s))
            raise ValueError(f"IdMap: duplicate id {dup!r}")

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: str) -> bool:
        return key in self._pos

    def index(self, ids: Iterable[str]) -> Tensor:
        """Map ids to a LongTensor of indices; unknown ids raise ``KeyError`` listing a few."""
        ids = list(ids)
        missing = [s for s in ids if s not in self._pos]
        if missing:
            shown = ", ".join(repr(s) for s in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise KeyError(f"IdMap: unknown id(s) {shown}{more}")
        return torch.tensor([self._pos[s] for s in ids], dtype=torch.long)

    def ids(self, index: Iterable[int] | Tensor) -> list[str]:
        """Map indices back to ids."""
        if isinstance(index, Tensor):
            index = index.tolist()
        n = len(self._ids)
        out = []
        for i in index:
            if not 0 <= int(i) < n:
                raise IndexError(f"IdMap: index {i} out of range for {n} ids")
            out.append(self._ids[int(i)])
        return out

    def __repr__(self) -> str:
        return f"IdMap(num_ids={len(self)})"


def ids_to_index(data: HeteroData, node_type: NodeType, ids: Iterable[str]) -> Tensor:
    """Indices of ``ids`` among ``data[node_type].ids`` (one call; unknown ids raise KeyError)."""
    return IdMap(data[node_type].ids).index(ids)


def index_to_ids(data: HeteroData, node_type: NodeType,
                 index: Iterable[int] | Tensor) -> list[str]:
    """Ids of the nodes at ``index`` in ``data[node_type]`` (inverse of :func:`ids_to_index`)."""
    return IdMap(data[node_type].ids).ids(index)
