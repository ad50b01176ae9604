"""Shared input checks and pair scoring for the link-prediction heads."""
from __future__ import annotations

import torch
import torch_geometric
from torch import Tensor
from torch.autograd.function import once_differentiable


def check_pairs(name: str, x_src: Tensor, x_dst: Tensor, edge_label_index: Tensor,
                check_range: bool | None = None) -> None:
    """Raise a clear :class:`ValueError` for malformed head inputs.

    The shape checks read only tensor metadata and run on every call (they cost nothing and
    trace cleanly under :func:`torch.compile`). The index-range check reads the index maxima
    back to the host (a device sync, and a graph break under ``torch.compile``), so it runs
    only when ``check_range=True`` or, by default, inside PyG's debug mode
    (``with torch_geometric.debug(): ...``). Outside it an out-of-range index still fails, in
    the gather, with PyTorch's own ``index out of range`` (or ``out of bounds``) error.
    """
    if x_src.dim() != 2 or x_dst.dim() != 2:
        raise ValueError(f"{name}: x_src and x_dst must be 2-D [num_nodes, channels], got "
                         f"{tuple(x_src.shape)} and {tuple(x_dst.shape)}")
    if edge_label_index.dim() != 2 or edge_label_index.size(0) != 2:
        raise ValueError(f"{name}: edge_label_index must have shape [2, N], got "
                         f"{tuple(edge_label_index.shape)}")
    if check_range is None:
        check_range = torch_geometric.is_debug_enabled()
    if check_range and edge_label_index.numel() > 0:
        if int(edge_label_index[0].max()) >= x_src.size(0) or int(edge_label_index.min()) < 0:
            raise ValueError(f"{name}: source index out of range for {x_src.size(0)} nodes")
        if int(edge_label_index[1].max()) >= x_dst.size(0):
            raise ValueError(f"{name}: destination index out of range for {x_dst.size(0)} nodes")


def _dot_blocks(x_src: Tensor, x_dst: Tensor, src: Tensor, dst: Tensor,
                chunk_size: int) -> Tensor:
    if src.numel() <= chunk_size:
        return (x_src.index_select(0, src) * x_dst.index_select(0, dst)).sum(-1)
    return torch.cat([(x_src.index_select(0, s) * x_dst.index_select(0, d)).sum(-1)
                      for s, d in zip(src.split(chunk_size), dst.split(chunk_size))])


class _PairDot(torch.autograd.Function):
    """:func:`pair_dot` with a sparse backward. Autograd of the gathers would build two
    ``[N, F]`` gradient blocks and scatter them back (``index_add``); the same gradients are
    the sparse-dense products :math:`G X_d` and :math:`G^\top X_s`, with :math:`G` the
    :math:`N_s \times N_d` sparse matrix of the pair gradients, which never hold an
    ``[N, F]`` block (faster on CPU at MFERL's sizes: 29k training pairs x 768 features)."""

    @staticmethod
    def forward(ctx, x_src: Tensor, x_dst: Tensor, src: Tensor, dst: Tensor,
                chunk_size: int) -> Tensor:
        ctx.save_for_backward(x_src, x_dst, src, dst)
        return _dot_blocks(x_src, x_dst, src, dst, chunk_size)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad: Tensor) -> tuple:
        x_src, x_dst, src, dst = ctx.saved_tensors
        g_src = g_dst = None
        if ctx.needs_input_grad[0]:
            g = torch.sparse_coo_tensor(torch.stack([src, dst]), grad.to(x_dst.dtype),
                                        (x_src.size(0), x_dst.size(0)), check_invariants=False)
            g_src = torch.sparse.mm(g, x_dst)
        if ctx.needs_input_grad[1]:
            g = torch.sparse_coo_tensor(torch.stack([dst, src]), grad.to(x_src.dtype),
                                        (x_dst.size(0), x_src.size(0)), check_invariants=False)
            g_dst = torch.sparse.mm(g, x_src)
        return g_src, g_dst, None, None, None


def pair_dot(x_src: Tensor, x_dst: Tensor, edge_label_index: Tensor,
             chunk_size: int = 4096) -> Tensor:
    r"""Row-wise dot products :math:`s_n = \langle \mathbf{x}^{s}_{i_n}, \mathbf{x}^{d}_{j_n}
    \rangle` of the pairs ``edge_label_index`` ``[2, N]``, shape ``[N]``.

    Equal to ``(x_src[i] * x_dst[j]).sum(-1)`` but gathered in blocks of ``chunk_size`` pairs:
    the per-block ``[chunk_size, F]`` products stay in cache, which on CPU makes the forward
    pass about 3x faster than gathering all ``[N, F]`` rows at once (see
    ``benchmarks/mferl_speed.py``), and peak memory is :math:`O(\text{chunk\_size} \cdot F)`
    instead of :math:`O(NF)`. A pair's value does not depend on the block it falls in. The
    backward pass is two sparse-dense products (no ``[N, F]`` gradient block); second
    derivatives are not supported (under :func:`torch.compile` autograd's own backward of
    the gathers is used).
    """
    src, dst = edge_label_index[0], edge_label_index[1]
    if (torch.is_grad_enabled() and (x_src.requires_grad or x_dst.requires_grad)
            and not torch.compiler.is_compiling()):    # Dynamo cannot trace sparse COO
        return _PairDot.apply(x_src, x_dst, src, dst, chunk_size)
    return _dot_blocks(x_src, x_dst, src, dst, chunk_size)
