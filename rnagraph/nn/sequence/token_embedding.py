"""A token embedding that can start from a given table (e.g. skip-gram k-mer vectors)."""
from __future__ import annotations

import torch
from torch import Tensor


class TokenEmbedding(torch.nn.Embedding):
    r"""Embeds token ids (e.g. the overlapping k-mers of
    :class:`~rnagraph.features.KmerTokenizer`) as rows of a table,
    :math:`\mathbf{e}_t = \mathbf{E}[w_t]`, with a padding id whose row is always zero and
    never trained (:class:`torch.nn.Embedding` with ``padding_idx``).

    The table may start from ``init`` (e.g. :meth:`~rnagraph.features.KmerEmbedding.get_embedding`
    plus a padding row), kept as the buffer ``initial``, so :meth:`reset_parameters` restores
    it (the random draw of :class:`torch.nn.Embedding` otherwise); ``freeze=True`` keeps the
    table fixed (the vectors as features).

    Args:
        num_embeddings (int): vocabulary size, the padding id included.
        embedding_dim (int): vector size :math:`e`.
        padding_idx (int, optional): the padding id. (default: ``num_embeddings - 1``)
        init (Tensor, optional): ``[num_embeddings, embedding_dim]`` initial table.
            (default: ``None``: random)
        freeze (bool): no gradient for the table. (default: ``False``)

    Shapes:
        - **input:** token ids ``[*]`` (long)
        - **output:** ``[*, embedding_dim]``
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 init: Tensor | None = None, freeze: bool = False) -> None:
        for name, v in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if v < 1:
                raise ValueError(f"TokenEmbedding: {name} must be >= 1, got {v}")
        pad = num_embeddings - 1 if padding_idx is None else padding_idx
        super().__init__(num_embeddings, embedding_dim, padding_idx=pad)
        if init is not None:
            if tuple(init.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"TokenEmbedding: init has shape {tuple(init.shape)}, "
                                 f"expected ({num_embeddings}, {embedding_dim})")
            init = init.detach().float().clone()
        self.register_buffer("initial", init)
        self.freeze = freeze
        self.weight.requires_grad_(not freeze)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The table from ``init`` if given, else :class:`torch.nn.Embedding`'s normal draw;
        the padding row zero."""
        with torch.no_grad():
            initial = getattr(self, "initial", None)     # None inside Embedding's __init__
            if initial is not None:
                self.weight.copy_(initial)
            else:
                super().reset_parameters()
            self.weight[self.padding_idx].zero_()

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.num_embeddings}, {self.embedding_dim}, "
                f"padding_idx={self.padding_idx}, init={self.initial is not None}, "
                f"freeze={self.freeze})")
