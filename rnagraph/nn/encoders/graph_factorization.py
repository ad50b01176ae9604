"""Graph factorisation (Ahmed et al., WWW 2013): adjacency reconstruction in torch."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from rnagraph.nn.encoders.base import GraphEncoder


class GraphFactorization(GraphEncoder):
    r"""Graph factorisation from `"Distributed Large-scale Natural Graph Factorization"
    <https://doi.org/10.1145/2488388.2488393>`_ (Ahmed et al., WWW 2013).

    Node vectors :math:`\mathbf{z}_i` reconstruct the adjacency matrix by inner products,

    .. math::
        \min_{\mathbf{Z}} \frac{1}{|\mathcal{S}|}\sum_{(i,j) \in \mathcal{S}}
        \left(A_{ij} - \mathbf{z}_i^\top\mathbf{z}_j\right)^2
        + \frac{\lambda}{2}\,\frac{1}{|\mathcal{S}|}\sum_{(i,j) \in \mathcal{S}}
        \left(\|\mathbf{z}_i\|^2 + \|\mathbf{z}_j\|^2\right),

    where :math:`\mathcal{S}` holds the edges (both directions) and, per epoch, ``negative``
    uniformly drawn node pairs per edge with target :math:`A_{ij}` (0 unless the pair is an
    edge). Optimised with mini-batch Adam.

    **Deviation from the paper.** The paper sums over observed entries only; on an unweighted
    graph every observed target is 1, whose optimum collapses all vectors onto a common
    direction. Sampled pairs (``negative > 0``) restore the zeros of the adjacency;
    ``negative=0`` gives the paper's objective.

    Args:
        dim (int, optional): embedding size. (default: :obj:`128`)
        epochs (int, optional): passes over the edges. (default: :obj:`50`)
        batch_size (int, optional): sampled entries per step. (default: :obj:`4096`)
        negative (int, optional): random pairs per edge. (default: :obj:`1`)
        weight_decay (float, optional): :math:`\lambda`. (default: :obj:`1e-4`)
        learning_rate (float, optional): Adam learning rate. (default: :obj:`0.01`)
        cold_start (str, optional): ``"zeros"`` or ``"mean"``. (default: :obj:`"zeros"`)
        seed (int, optional): seed of initialisation and sampling. (default: :obj:`0`)

    Shapes:
        - **input:** ``edge_index`` :math:`(2, |\mathcal{E}|)`
        - **output:** :math:`(|\mathcal{V}|, \text{dim})`
    """

    def __init__(self, dim: int = 128, epochs: int = 50, batch_size: int = 4096,
                 negative: int = 1, weight_decay: float = 1e-4, learning_rate: float = 0.01,
                 cold_start: str = "zeros", seed: int = 0):
        self.dim = dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.negative = negative
        self.weight_decay = weight_decay
        self.learning_rate = learning_rate
        self.cold_start = cold_start
        self.seed = seed

    def _fit(self, adj: sp.csr_matrix) -> np.ndarray:
        if self.negative < 0:
            raise ValueError(f"GraphFactorization: negative must be >= 0, got {self.negative}")
        gen = torch.Generator().manual_seed(int(self.seed))
        n = adj.shape[0]
        coo = adj.tocoo()
        src = torch.from_numpy(coo.row.astype(np.int64))
        dst = torch.from_numpy(coo.col.astype(np.int64))
        z = torch.nn.Parameter(torch.randn(n, self.dim, generator=gen) / self.dim ** 0.5)
        opt = torch.optim.Adam([z], lr=self.learning_rate)
        m = src.numel()
        edge_keys = torch.from_numpy(coo.row.astype(np.int64) * n + coo.col)  # sorted (CSR)
        for _ in range(self.epochs):
            ns = m * self.negative
            pairs_i = torch.cat([src, torch.randint(n, (ns,), generator=gen)])
            pairs_j = torch.cat([dst, torch.randint(n, (ns,), generator=gen)])
            # targets: A_ij of every pair (sampled pairs may hit edges)
            keys = pairs_i * n + pairs_j
            pos = torch.searchsorted(edge_keys, keys).clamp_max(m - 1)
            target = (edge_keys[pos] == keys).float()
            perm = torch.randperm(pairs_i.numel(), generator=gen)
            for start in range(0, perm.numel(), self.batch_size):
                idx = perm[start:start + self.batch_size]
                zi, zj = z[pairs_i[idx]], z[pairs_j[idx]]
                rec = ((target[idx] - (zi * zj).sum(-1)) ** 2).mean()
                reg = 0.5 * self.weight_decay * (zi.pow(2).sum(-1) + zj.pow(2).sum(-1)).mean()
                opt.zero_grad()
                (rec + reg).backward()
                opt.step()
        return z.detach().numpy()
