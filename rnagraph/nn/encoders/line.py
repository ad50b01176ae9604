"""LINE (Tang et al., WWW 2015): first- and second-order proximity, trained in torch."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F

from rnagraph.nn.encoders.base import GraphEncoder

_ORDERS = ("all", "first", "second")


class LINE(GraphEncoder):
    r"""LINE node embeddings from `"LINE: Large-scale Information Network Embedding"
    <https://arxiv.org/abs/1503.03578>`_ (Tang et al., WWW 2015).

    First-order proximity fits :math:`p_1(i, j) = \sigma(\mathbf{u}_i^\top\mathbf{u}_j)` to the
    edges; second-order proximity models the neighbourhood with separate context vectors,
    :math:`p_2(j \mid i) \propto \exp(\mathbf{c}_j^\top\mathbf{u}'_i)`. Both use negative
    sampling with ``negative`` noise nodes drawn from :math:`P_n(v) \propto \deg(v)^{3/4}`:

    .. math::
        \mathcal{L}_1 &= -\log\sigma(\mathbf{u}_i^\top\mathbf{u}_j)
            - \sum_{n=1}^{K}\log\sigma(-\mathbf{u}_i^\top\mathbf{u}_{v_n}), \\
        \mathcal{L}_2 &= -\log\sigma(\mathbf{c}_j^\top\mathbf{u}'_i)
            - \sum_{n=1}^{K}\log\sigma(-\mathbf{c}_{v_n}^\top\mathbf{u}'_i),

    averaged over mini-batches of edges :math:`(i, j)` (both directions of every undirected
    edge, reshuffled each epoch). As in the paper, ``order="all"`` trains the two halves
    separately and concatenates the L2-normalised :math:`\mathbf{u}` and :math:`\mathbf{u}'`.
    Optimised with sparse Adam (``torch.optim.SparseAdam``) rather than the paper's
    asynchronous SGD with edge sampling.

    Args:
        dim (int, optional): embedding size (``order="all"``: half per order).
            (default: :obj:`128`)
        order (str, optional): ``"all"``, ``"first"`` or ``"second"``. (default: :obj:`"all"`)
        epochs (int, optional): passes over the edges. (default: :obj:`20`)
        batch_size (int, optional): edges per step. (default: :obj:`1024`)
        negative (int, optional): noise nodes per edge :math:`K`. (default: :obj:`5`)
        learning_rate (float, optional): Adam learning rate. (default: :obj:`0.01`)
        cold_start (str, optional): ``"zeros"`` or ``"mean"``. (default: :obj:`"zeros"`)
        seed (int, optional): seed of initialisation and sampling. (default: :obj:`0`)

    Shapes:
        - **input:** ``edge_index`` :math:`(2, |\mathcal{E}|)`
        - **output:** :math:`(|\mathcal{V}|, \text{dim})`
    """

    def __init__(self, dim: int = 128, order: str = "all", epochs: int = 20,
                 batch_size: int = 1024, negative: int = 5, learning_rate: float = 0.01,
                 cold_start: str = "zeros", seed: int = 0):
        self.dim = dim
        self.order = order
        self.epochs = epochs
        self.batch_size = batch_size
        self.negative = negative
        self.learning_rate = learning_rate
        self.cold_start = cold_start
        self.seed = seed

    def _fit(self, adj: sp.csr_matrix) -> np.ndarray:
        if self.order not in _ORDERS:
            raise ValueError(f"LINE: order={self.order!r} is not one of {_ORDERS}")
        if self.order == "all" and (self.dim < 2 or self.dim % 2):
            raise ValueError(f"LINE: order='all' needs an even dim >= 2, got {self.dim}")
        gen = torch.Generator().manual_seed(int(self.seed))
        coo = adj.tocoo()
        src = torch.from_numpy(coo.row.astype(np.int64))
        dst = torch.from_numpy(coo.col.astype(np.int64))
        noise = torch.from_numpy(np.diff(adj.indptr).astype(np.float64)) ** 0.75
        n = adj.shape[0]
        parts = []
        if self.order in ("all", "first"):
            d = self.dim // 2 if self.order == "all" else self.dim
            parts.append(self._train(n, d, src, dst, noise, gen, second=False))
        if self.order in ("all", "second"):
            d = self.dim // 2 if self.order == "all" else self.dim
            parts.append(self._train(n, d, src, dst, noise, gen, second=True))
        return torch.cat([F.normalize(p, dim=1) for p in parts], dim=1).numpy()

    def _train(self, n: int, d: int, src, dst, noise, gen, second: bool) -> torch.Tensor:
        emb = torch.nn.Embedding(n, d, sparse=True)
        ctx = torch.nn.Embedding(n, d, sparse=True) if second else emb
        with torch.no_grad():
            emb.weight.uniform_(-0.5 / d, 0.5 / d, generator=gen)
            if second:
                ctx.weight.zero_()
        params = list(emb.parameters()) + (list(ctx.parameters()) if second else [])
        opt = torch.optim.SparseAdam(params, lr=self.learning_rate)
        m = src.numel()
        for _ in range(self.epochs):
            perm = torch.randperm(m, generator=gen)
            for start in range(0, m, self.batch_size):
                idx = perm[start:start + self.batch_size]
                i, j = src[idx], dst[idx]
                neg = torch.multinomial(noise, i.numel() * self.negative, replacement=True,
                                        generator=gen).view(-1, self.negative)
                zi = emb(i)
                pos = (zi * ctx(j)).sum(-1)
                negs = torch.einsum("bd,bkd->bk", zi, ctx(neg))
                loss = -(F.logsigmoid(pos).mean() + F.logsigmoid(-negs).sum(-1).mean())
                opt.zero_grad()
                loss.backward()
                opt.step()
        return emb.weight.detach()
