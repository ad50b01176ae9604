"""A per-node column of Python values (ids, sequences, their sources) that PyG leaves alone."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor


class NodeColumn(Sequence):
    r"""An immutable sequence of per-node Python values, e.g. ``graph["mirna"].ids`` or
    ``graph["mirna"].seq``, stored on a node store as a **side table**.

    PyG treats a ``list`` of length ``num_nodes`` as a node attribute and tries to index it
    with tensors -- :meth:`HeteroData.subgraph` fails on ``list[Tensor]``, and the loaders'
    filter path (``LinkNeighborLoader``, ``NeighborLoader``) accepts tensors and arrays only.
    A :class:`NodeColumn` is not a ``list``, so PyG's transforms, ``subgraph``,
    ``to_homogeneous`` and the loaders carry it over unchanged, like any graph-level
    attribute, while rnagraph reads it as a sequence: ``len(col)``, ``col[i]``, iteration,
    ``col.index(v)``, ``v in col`` and ``col == [...]`` work as on a tuple.

    The column always describes the nodes of the graph it was built for, in their original
    order. On a sampled or induced subgraph, translate local indices first: loaders store the
    original indices as ``batch[node_type].n_id``, and ``col[n_id]`` (a tensor, array or list
    of indices, or a boolean mask) returns the values of those nodes as a list.

    Args:
        values (Iterable): the per-node values, in node-index order.

    Example::

        ids = graph["mirna"].ids               # NodeColumn of str
        ids[0], len(ids), list(ids[:3])
        batch["mirna"].ids[batch["mirna"].n_id]   # ids of a loader batch's nodes
    """

    __slots__ = ("_values",)

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self._values = tuple(values)

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (int, np.integer)):
            return self._values[index]
        if isinstance(index, slice):
            return list(self._values[index])
        if isinstance(index, Tensor) and index.dim() == 0:
            return self._values[int(index)]
        idx = index.detach().cpu().numpy() if isinstance(index, Tensor) else np.asarray(index)
        if idx.dtype == np.bool_:
            if idx.shape != (len(self),):
                raise IndexError(f"NodeColumn: boolean mask of shape {idx.shape} for "
                                 f"{len(self)} values")
            idx = np.flatnonzero(idx)
        if idx.ndim != 1:
            raise IndexError(f"NodeColumn: index must be an int, a slice or a 1-D index/mask, "
                             f"got shape {idx.shape}")
        return [self._values[int(i)] for i in idx]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NodeColumn):
            return self._values == other._values
        if isinstance(other, (list, tuple)):
            return self._values == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):
        return (NodeColumn, (list(self._values),))

    def tolist(self) -> list[Any]:
        """The values as a new list."""
        return list(self._values)

    def __repr__(self) -> str:
        return f"NodeColumn([{len(self)}])"


def as_column(values: Iterable[Any] | NodeColumn) -> NodeColumn:
    """``values`` as a :class:`NodeColumn` (returned as is if it already is one)."""
    return values if isinstance(values, NodeColumn) else NodeColumn(values)


# processed datasets are read back with torch.load(weights_only=True): allow this class
torch.serialization.add_safe_globals([NodeColumn])

__all__ = ["NodeColumn", "as_column"]
