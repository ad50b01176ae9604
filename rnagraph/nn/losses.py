"""Contrastive and ranking losses."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


class InfoNCE(torch.nn.Module):
    r"""The InfoNCE contrastive loss between two views of the same nodes, as used by MFERL
    (`Peng et al., BMC Biology 2025 <https://doi.org/10.1186/s12915-025-02227-6>`_, Eq. 8):
    row :math:`n` of :math:`\mathbf{X}` and row :math:`n` of :math:`\mathbf{Y}` are a positive
    pair, every other row of :math:`\mathbf{Y}` is a negative:

    .. math::
        \mathcal{L}(\mathbf{X}, \mathbf{Y}) = \frac{1}{N} \sum_{n=1}^{N}
        -\log \frac{\exp(\mathbf{x}_n^{\top} \mathbf{y}_n / \tau)}
        {\sum_{i=1}^{N} \exp(\mathbf{x}_n^{\top} \mathbf{y}_i / \tau)}

    With ``normalize=True`` (default) the rows are first scaled to unit length, i.e. the
    similarity is the cosine. The paper writes a plain dot product; at :math:`\tau = 0.1` raw dot
    products of 128-d embeddings make the softmax saturate, so we follow the usual practice of
    graph contrastive learning (GRACE, SGL) and normalise. ``normalize=False`` gives the paper's
    formula literally. ``reduction='sum'`` sums over nodes as Eq. 8 does; the default averages so
    the loss weight does not depend on the graph size.

    The :math:`N \times N` similarity matrix is computed in blocks of ``chunk_size`` rows, so
    memory is :math:`O(\text{chunk\_size} \cdot N)`. With ``max_nodes`` = :math:`M < N` each
    call draws :math:`M` nodes uniformly without replacement (torch's global RNG) and the loss
    runs over them only -- anchors and negatives alike, the mini-batch InfoNCE of SimCLR /
    GRACE. Time falls from :math:`O(N^2 F)` to :math:`O(M^2 F)`; the objective is a stochastic
    version of the full one with :math:`M - 1` instead of :math:`N - 1` negatives per anchor.

    Args:
        temperature (float, optional): :math:`\tau > 0`. (default: ``0.1``)
        normalize (bool, optional): cosine instead of dot-product similarity.
            (default: ``True``)
        reduction (str, optional): ``'mean'`` or ``'sum'`` over nodes. (default: ``'mean'``)
        chunk_size (int, optional): rows per block. (default: ``4096``)
        max_nodes (int, optional): sample this many nodes per call when there are more.
            (default: ``None``, all nodes)

    Shapes:
        - **input:** ``x`` :math:`(N, F)`, ``y`` :math:`(N, F)`
        - **output:** scalar
    """

    def __init__(self, temperature: float = 0.1, normalize: bool = True,
                 reduction: str = "mean", chunk_size: int = 4096,
                 max_nodes: int | None = None) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f"InfoNCE: temperature must be > 0, got {temperature}")
        if reduction not in ("mean", "sum"):
            raise ValueError(f"InfoNCE: reduction must be 'mean' or 'sum', got {reduction!r}")
        if chunk_size < 1:
            raise ValueError(f"InfoNCE: chunk_size must be >= 1, got {chunk_size}")
        if max_nodes is not None and max_nodes < 2:
            raise ValueError(f"InfoNCE: max_nodes must be >= 2 (one positive, one negative), "
                             f"got {max_nodes}")
        self.max_nodes = max_nodes
        self.temperature = temperature
        self.normalize = normalize
        self.reduction = reduction
        self.chunk_size = chunk_size

    def reset_parameters(self) -> None:
        """No parameters; present for a uniform layer interface."""

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape != y.shape:
            raise ValueError(f"InfoNCE: x and y must be 2-D with equal shapes, got "
                             f"{tuple(x.shape)} and {tuple(y.shape)}")
        if x.size(0) == 0:
            raise ValueError("InfoNCE: got zero nodes")
        if self.max_nodes is not None and x.size(0) > self.max_nodes:
            idx = torch.randperm(x.size(0), device=x.device)[:self.max_nodes]
            x, y = x.index_select(0, idx), y.index_select(0, idx)
        if self.normalize:
            x, y = F.normalize(x, dim=-1), F.normalize(y, dim=-1)
        total = x.new_zeros(())
        for start in range(0, x.size(0), self.chunk_size):
            xb = x[start:start + self.chunk_size]
            logits = xb @ y.t() / self.temperature                       # [B, N]
            target = torch.arange(start, start + xb.size(0), device=x.device)
            total = total + F.cross_entropy(logits, target, reduction="sum")
        return total / x.size(0) if self.reduction == "mean" else total

    def __repr__(self) -> str:
        extra = f", max_nodes={self.max_nodes}" if self.max_nodes is not None else ""
        return (f"{type(self).__name__}(temperature={self.temperature}, "
                f"normalize={self.normalize}, reduction={self.reduction!r}{extra})")


def within_group_ranking(logits: Tensor, labels: Tensor, groups: Tensor) -> Tensor:
    r"""Pairwise logistic (RankNet / BPR) loss over the positive-negative comparisons
    **within** groups, e.g. a miRNA's targets against its non-targets:

    .. math::
        \mathcal{L} = \frac{1}{|C|} \sum_{(i, j) \in C} \log\big(1 + e^{s_j - s_i}\big),
        \qquad C = \{(i, j) : y_i = 1,\ y_j = 0,\ g_i = g_j\},

    the smooth surrogate of one minus :func:`~rnagraph.train.metrics.grouped_auc`. A score
    shared by a whole group (a miRNA's base rate) cancels in :math:`s_j - s_i`, so the loss
    only rewards what a model knows about the pair. Returns a zero that keeps the graph
    (``0 * logits.sum()``) when no group of the batch holds both classes.

    The comparisons are one :math:`B \times B` mask: memory :math:`O(B^2)` for a batch of
    :math:`B` pairs (a few hundred in a training batch).

    Args:
        logits: ``[B]`` scores.
        labels: ``[B]`` 0/1 labels.
        groups: ``[B]`` integer group ids.

    Returns:
        a scalar tensor.
    """
    if not logits.shape == labels.shape == groups.shape or logits.dim() != 1:
        raise ValueError(f"within_group_ranking: logits {tuple(logits.shape)}, labels "
                         f"{tuple(labels.shape)} and groups {tuple(groups.shape)} must be the "
                         "same 1-D shape")
    pos, neg = labels > 0.5, labels <= 0.5
    pi, ni = pos.nonzero(as_tuple=True)[0], neg.nonzero(as_tuple=True)[0]
    same = groups[pi].unsqueeze(1) == groups[ni].unsqueeze(0)           # [P, N]
    if not bool(same.any()):
        return logits.sum() * 0.0
    diff = logits[ni].unsqueeze(0) - logits[pi].unsqueeze(1)
    return F.softplus(diff[same]).mean()
