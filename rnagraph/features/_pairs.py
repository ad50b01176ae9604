"""The shared part of the pair featurizers (seed sites, duplex, folding): nothing learned, pairs
``(mirna_seq, target_seq)`` in, ``float32`` rows out, and the same rows read from a graph."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rnagraph.features._estimator import Estimator
from rnagraph.typing import MIRNA, EdgeType

if TYPE_CHECKING:  # torch is imported where it is used: importing features stays light
    from torch import Tensor
    from torch_geometric.data import HeteroData


class PairFeaturizer(Estimator):
    """Base of the featurizers of miRNA-target pairs. A subclass sets ``_validate_params``,
    ``get_feature_names_out`` and ``transform(pairs, return_mask=False)`` (``float32 [N, F]``,
    a row of zeros and ``mask`` ``False`` where a sequence is missing); it gets ``fit`` (checks
    the parameters: nothing is learned), ``fit_transform``, :meth:`pair_sequences` and
    :meth:`graph_transform`."""

    def fit(self, pairs: Sequence | None = None, y: None = None):
        """Nothing to learn: checks the parameters and returns ``self`` (``transform`` works
        without it)."""
        self._validate_params()
        return self

    def fit_transform(self, pairs: Sequence[tuple[str | None, str | None]],
                      return_mask: bool = False):
        return self.fit(pairs).transform(pairs, return_mask=return_mask)

    @staticmethod
    def pair_sequences(graph: HeteroData, edge_type: EdgeType, edge_label_index: Tensor
                       ) -> list[tuple[str | None, str | None]]:
        """``(mirna_seq, target_seq)`` of each pair ``edge_label_index [2, N]`` of
        ``edge_type`` (miRNA on either side), from the graph's ``seq`` lists."""
        src_t, _, dst_t = edge_type
        if MIRNA not in (src_t, dst_t):
            raise ValueError(f"pair features: edge type {tuple(edge_type)} has no miRNA side; "
                             "seed sites and duplexes pair a miRNA with a target")
        mir_row = 0 if src_t == MIRNA else 1
        tgt_t = dst_t if mir_row == 0 else src_t
        import torch

        from rnagraph.data import node_sequences
        mir_seq, tgt_seq = node_sequences(graph, MIRNA), node_sequences(graph, tgt_t)
        eli = torch.as_tensor(edge_label_index)
        rows = eli[mir_row].tolist(), eli[1 - mir_row].tolist()
        return [(mir_seq[m], tgt_seq[t]) for m, t in zip(*rows)]

    def graph_transform(self, graph: HeteroData, edge_type: EdgeType,
                        edge_label_index: Tensor) -> Tensor:
        """:meth:`transform` of the pairs ``edge_label_index [2, N]`` of ``edge_type`` in
        ``graph`` (miRNA on either side), as a ``torch.float32 [N, F]`` tensor."""
        import torch
        return torch.from_numpy(self.transform(
            self.pair_sequences(graph, edge_type, edge_label_index)))


__all__ = ["PairFeaturizer"]
