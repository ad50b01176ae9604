"""MFERLViews: the input part of MFERL, its five feature views per RNA and similarity graphs."""
from __future__ import annotations

from collections.abc import Sequence

from torch_geometric.data import HeteroData

from rnagraph.features._estimator import Estimator, is_int
from rnagraph.models._mferl_inputs import VIEWS, MFERLInputs, mferl_inputs
from rnagraph.typing import EdgeType


class MFERLViews(Estimator):
    r"""The inputs of :class:`~rnagraph.models.MFERL`: per node type of the predicted edge
    type, the feature views (`Peng et al., 2025 <https://doi.org/10.1186/s12915-025-02227-6>`_)
    and the homogeneous similarity graph, computed from a fold's **training graph** only
    (:func:`~rnagraph.models._mferl_inputs.mferl_inputs`, which says how each view is made).

    Views, in the channel order MCAM sees them: ``"similarity"`` (Levenshtein similarity row,
    :math:`[N_t, N_t]`), ``"ctd"`` (:math:`[N_t, 30]`), ``"kmer"`` (1-4-mer frequencies,
    :math:`[N_t, 340]`), ``"doc2vec"`` (:math:`[N_t, \mathrm{doc2vec\_dim}]`), ``"role2vec"``
    (on the training edges, :math:`[N_t, \mathrm{role2vec\_dim}]`). A node type whose share
    of nodes with a sequence is below ``min_seq_frac`` gets interaction-profile (GIP)
    similarity instead of Levenshtein and one learnable embedding in place of its sequence
    views. Every view is z-scored per column over the nodes of its type. The similarity graph
    :math:`G_t` keeps, per node, its ``max_neighbors`` most similar nodes with raw similarity
    strictly above ``threshold``, symmetrised. Doc2Vec and Role2Vec are seeded with the
    model's ``trainer.seed`` (:meth:`build`'s ``seed``).

    A part of parameters only: :meth:`build` computes the views (disk-cached, see
    ``disk_cache``), deterministic given the seed, so a cached value equals a recomputed one.

    Args:
        views (Sequence[str], optional): the views to use, a subset of
            ``("similarity", "ctd", "kmer", "doc2vec", "role2vec")``; ``None``: all five.
            (default: ``None``)
        threshold (float): raw similarity an edge of :math:`G_t` must exceed.
            (default: ``0.5``)
        max_neighbors (int, optional): at most this many neighbours per node in :math:`G_t`;
            ``None``: every node above ``threshold``. (default: ``32``)
        role2vec_dim (int): width of the Role2Vec view. (default: ``128``)
        doc2vec_dim (int): width of the Doc2Vec view. (default: ``128``)
        max_len (int, optional): Levenshtein similarity on each sequence's first ``max_len``
            nucleotides (faster on long circRNAs); ``None``: whole sequences.
            (default: ``None``)
        min_seq_frac (float): the smallest share of a type's nodes with a sequence for its
            sequence views to be computed (else graph views, above). (default: ``0.5``)
        disk_cache (bool or str): ``True``: the one feature cache (``$RNAGRAPH_CACHE``), a
            folder: there, ``False``: no cache. (default: ``True``)
    """

    def __init__(self, views: Sequence[str] | None = None, threshold: float = 0.5,
                 max_neighbors: int | None = 32, role2vec_dim: int = 128,
                 doc2vec_dim: int = 128, max_len: int | None = None,
                 min_seq_frac: float = 0.5, disk_cache: bool | str = True) -> None:
        self.views = views
        self.threshold = threshold
        self.max_neighbors = max_neighbors
        self.role2vec_dim = role2vec_dim
        self.doc2vec_dim = doc2vec_dim
        self.max_len = max_len
        self.min_seq_frac = min_seq_frac
        self.disk_cache = disk_cache

    def _validate_params(self) -> None:
        v = self.views
        ok = v is None or (not isinstance(v, str) and isinstance(v, Sequence) and len(v) > 0
                           and set(v) <= set(VIEWS) and len(set(v)) == len(v))
        self._check_param("views", ok, f"must be None or distinct views of {VIEWS}")
        self._check_param("threshold", isinstance(self.threshold, (int, float))
                          and not isinstance(self.threshold, bool), "must be a number")
        self._check_param("max_neighbors", self.max_neighbors is None
                          or (is_int(self.max_neighbors) and self.max_neighbors >= 1),
                          "must be >= 1 or None")
        for name in ("role2vec_dim", "doc2vec_dim"):
            value = getattr(self, name)
            self._check_param(name, is_int(value) and value >= 1, "must be an integer >= 1")
        self._check_param("max_len", self.max_len is None
                          or (is_int(self.max_len) and self.max_len >= 1), "must be >= 1 or None")
        self._check_param("min_seq_frac", isinstance(self.min_seq_frac, (int, float))
                          and 0.0 <= self.min_seq_frac <= 1.0, "must be in [0, 1]")
        self._check_param("disk_cache", isinstance(self.disk_cache, (bool, str)),
                          "must be true, false or a folder")

    def build(self, graph: HeteroData, edge_type: EdgeType, seed: int = 0) -> MFERLInputs:
        """The views and similarity graphs of ``graph`` (a fold's training graph; never
        mutated) for ``edge_type`` (source type first), parameters checked first."""
        self._validate_params()
        cfg = {"max_len": self.max_len, "doc2vec_dim": self.doc2vec_dim}
        return mferl_inputs(graph, edge_type, tuple(self.views or VIEWS),
                            threshold=self.threshold, max_neighbors=self.max_neighbors,
                            role2vec_dim=self.role2vec_dim, min_seq_frac=self.min_seq_frac,
                            seed=seed, cache=self.disk_cache, **cfg)


__all__ = ["MFERLViews"]
