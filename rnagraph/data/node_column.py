"""A per-node column of Python values (ids, sequences, their sources) that PyG handles as a
node-level attribute."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import torch
from torch import Tensor

# Operations matched by name (libraries wrap some torch functions, e.g. PyG's index_select).
# Keep every row (device moves, copies, dtype casts): the result is the same column, its
# positions on the result's device (a dtype cast never touches the positions).
_SAME_ROWS = frozenset({
    "to", "cpu", "cuda", "clone", "contiguous", "detach", "pin_memory", "share_memory_",
    "float", "double", "half", "bfloat16", "int", "long", "type", "requires_grad_",
})
# Select rows: the result is a column of the selected rows.
_SELECT_ROWS = frozenset({"__getitem__", "index_select", "narrow", "repeat_interleave"})
_CAT = frozenset({"cat", "concat", "concatenate"})


class NodeColumn(Tensor):
    r"""An immutable column of per-node Python values, e.g. ``graph["mirna"].ids`` or
    ``graph["mirna"].seq``, that PyG treats as a **node-level attribute**.

    It reads as a tuple -- ``len(col)``, ``col[i]`` (the value of node ``i``), iteration,
    ``col.index(v)``, ``col.count(v)``, ``v in col``, ``col == [...]``, ``col.tolist()`` --
    and it is a ``[num_nodes]`` :class:`torch.Tensor` of row positions into the values, which
    is what makes PyG carry it along like ``x``:

    * ``HeteroData.subgraph``, ``T.RemoveIsolatedNodes`` and the loaders
      (``NeighborLoader``, ``LinkNeighborLoader``) index node-level attributes with a node
      index or mask tensor: ``col[index]`` / ``torch.index_select(col, 0, index)`` return the
      :class:`NodeColumn` of the selected nodes, in the order of ``index``, so a subgraph's or
      a loader batch's ``ids`` are its own nodes' ids;
    * ``.to(device)``, ``.cpu()``, ``.cuda()``, ``.clone()``, ``.contiguous()``,
      ``T.ToDevice`` and dtype casts (``HeteroData.apply``) return the same column (only the
      positions move to the device; a cast never changes them);
    * ``to_homogeneous`` and batching (``torch.cat``) concatenate columns.

    Other tensor arithmetic on it is meaningless and gives plain position tensors. Plain
    ``list`` / ``tuple`` attributes would not do: ``HeteroData.apply`` turns them into new
    lists (``.to()`` maps over their items) and the loaders refuse them.

    Stored values are read-only (the column shares them between subgraphs); pickling and
    ``torch.save`` store the values of its rows as a list (``torch.load(weights_only=True)``
    reads it back: the class is registered as a safe global).

    Args:
        values (Iterable): the per-node values (``str``, ``int``, ``float``, ``bool`` or
            ``None``), in node-index order. (default: ``()``)

    Example::

        ids = graph["mirna"].ids                      # NodeColumn of str
        ids[0], len(ids), list(ids[:3])
        sub = graph.subgraph({"mirna": torch.arange(10)})
        sub["mirna"].ids == list(ids)[:10]            # True
    """

    _values: tuple

    @staticmethod
    def __new__(cls, values: Iterable[Any] = (), _positions: Tensor | None = None
                ) -> NodeColumn:
        vals = tuple(values)
        pos = torch.arange(len(vals)) if _positions is None else _positions
        out = Tensor._make_subclass(cls, pos, False)
        out._values = vals
        if _positions is None:
            out.__dict__["_resolved_values"] = vals
        return out

    def __init__(self, values: Iterable[Any] = (), _positions: Tensor | None = None) -> None:
        pass

    @classmethod
    def _wrap(cls, values: tuple, positions: Tensor) -> NodeColumn:
        return cls.__new__(cls, values, positions)

    def _positions(self) -> Tensor:
        """The row positions as a plain ``int64`` tensor."""
        return self.as_subclass(Tensor)

    def _rows(self) -> list[int]:
        with torch._C.DisableTorchFunctionSubclass():
            return Tensor.tolist(self)

    def _resolved(self) -> tuple:
        """The values of this column's rows, in order (computed once: positions never change
        in place)."""
        cached = self.__dict__.get("_resolved_values")
        if cached is None:
            vals = self._values
            cached = tuple(vals[i] for i in self._rows())
            self.__dict__["_resolved_values"] = cached
        return cached

    # ------------------------------------------------------------------ torch protocol
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", None)
        if name in _CAT:
            tensors = args[0] if args else kwargs.get("tensors", kwargs.get("tensor"))
            if tensors and all(isinstance(t, NodeColumn) for t in tensors):
                values = tuple(v for t in tensors for v in t)
                return cls(values).to(tensors[0].device)
        src = next((a for a in args if isinstance(a, NodeColumn)), None)
        with torch._C.DisableTorchFunctionSubclass():
            ret = func(*args, **kwargs)
        if src is None or not isinstance(ret, Tensor):
            return ret
        if name in _SAME_ROWS:
            if isinstance(ret, NodeColumn):
                return ret
            return cls._wrap(src._values, src._positions().to(ret.device))
        if name in _SELECT_ROWS and ret.dtype == torch.long and ret.dim() == 1:
            return cls._wrap(src._values, ret)
        return ret.as_subclass(Tensor) if isinstance(ret, NodeColumn) else ret

    # ------------------------------------------------------------------ sequence protocol
    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (int, np.integer)) or (isinstance(index, Tensor)
                                                    and index.dim() == 0
                                                    and not index.dtype == torch.bool):
            return self._resolved()[int(index)]
        if isinstance(index, slice):
            return self._wrap(self._values, self._positions()[index])
        if not isinstance(index, Tensor):
            arr = np.asarray(index)
            if arr.dtype == object or (arr.size and not (np.issubdtype(arr.dtype, np.integer)
                                                         or arr.dtype == np.bool_)):
                raise IndexError(f"NodeColumn: index must be an int, a slice or a 1-D index/mask, "
                                 f"got {index!r}")
            index = torch.from_numpy(arr.astype(np.int64 if arr.dtype != np.bool_ else bool,
                                                copy=False))
        if index.dim() != 1:
            raise IndexError(f"NodeColumn: index must be an int, a slice or a 1-D index/mask, "
                             f"got shape {tuple(index.shape)}")
        if index.dtype == torch.bool and index.numel() != len(self):
            raise IndexError(f"NodeColumn: boolean mask of shape {tuple(index.shape)} for "
                             f"{len(self)} values")
        pos = self._positions()
        return self._wrap(self._values, pos[index.to(pos.device)])

    def __len__(self) -> int:
        return len(self._resolved())

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError("NodeColumn is immutable: build a new one, NodeColumn(values)")

    def __iter__(self) -> Iterator[Any]:
        return iter(self._resolved())

    def __reversed__(self) -> Iterator[Any]:
        return reversed(self.tolist())

    def __contains__(self, value: object) -> bool:
        return value in self._resolved()

    def __bool__(self) -> bool:
        return len(self._resolved()) > 0

    def index(self, value: Any) -> int:
        """The first node whose value is ``value`` (``ValueError`` if none)."""
        return self._resolved().index(value)

    def count(self, value: Any) -> int:
        """How many nodes have ``value``."""
        return self._resolved().count(value)

    def tolist(self) -> list[Any]:
        """The values as a new list."""
        return list(self._resolved())

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        if isinstance(other, NodeColumn | list | tuple):
            return self.tolist() == list(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = Tensor.__hash__

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.empty(len(self), dtype=object)
        out[:] = self.tolist()
        return out

    def __reduce_ex__(self, protocol: int):
        return (NodeColumn, (self.tolist(),))

    def __deepcopy__(self, memo: dict) -> NodeColumn:
        return self._wrap(self._values, self._positions().clone())

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        return f"NodeColumn([{len(self)}])"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(repr(self), spec)


def as_column(values: Iterable[Any] | NodeColumn) -> NodeColumn:
    """``values`` as a :class:`NodeColumn` (returned as is if it already is one)."""
    return values if isinstance(values, NodeColumn) else NodeColumn(values)


# processed datasets are read back with torch.load(weights_only=True): allow this class
torch.serialization.add_safe_globals([NodeColumn])

__all__ = ["NodeColumn", "as_column"]
