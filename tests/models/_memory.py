"""What a block of scoring allocates, for the tests of bounded scoring memory (GRMMI, MiTAR):
asserted on the tensors the operators return, never on RSS or time."""
from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode


class LargestTensor(TorchDispatchMode):
    """Records the bytes of the largest tensor any operator returns inside the block; an
    in-place operator (``index_put_``, ``copy_``) returns a tensor it was given, which it did
    not allocate, so it is not counted."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func._schema.is_mutable:
            return out
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                self.largest = max(self.largest, t.numel() * t.element_size())
        return out
