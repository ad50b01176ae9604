"""A PyG transform that writes a graph-encoder embedding into every node store."""
from __future__ import annotations

import copy
from typing import Sequence

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.transforms import BaseTransform

from rnagraph.features._estimator import Estimator
from rnagraph.nn.encoders.base import GraphEncoder, ridge_fill
from rnagraph.nn.encoders.hetero import HomogeneousGraph
from rnagraph.typing import EdgeType, NodeType


class EncoderTransform(BaseTransform, Estimator):
    r"""Embeds the nodes of a :class:`HeteroData` with a graph encoder fitted **once**, on the
    training graph, and stores the embedding as ``data[node_type].x_<name>``
    (``[num_nodes, dim]``) for every node type the interaction edges touch.

    It follows scikit-learn's ``fit`` / ``transform`` split inside PyG's transform protocol:

    * :meth:`fit` (``transform.fit(train_graph)``) stacks the node types with
      :class:`HomogeneousGraph`, fits a clone of ``encoder`` on the edges of ``edge_types``
      (the given encoder stays unfitted) and stores the per-type embedding (``embeddings_``);
    * calling the transform (``transform(graph)``) writes the **stored** rows into a copy of
      ``graph``; :meth:`fit_transform` does both on the training graph.

    **It never fits itself.** Calling a transform that is not fitted raises ``ValueError``.
    A transform that fitted itself on the first graph it was given would leak without a word
    when placed before the split, ``T.Compose([EncoderTransform(...), T.RandomLinkSplit(...)])``:
    it would see the full graph, test edges included, and every split would carry rows
    learned from them. No rule on the graph itself can tell that case apart from a training
    graph (both are graphs of known edges without labels), so the fit is always explicit.
    The split-aware pattern: split first, fit on the training graph, transform the others::

        train, val, test = T.RandomLinkSplit(...)(data)
        t = EncoderTransform(GraRep(dim=32), [CIRC_MIRNA], name="grarep").fit(train)
        train, val, test = t(train), t(val), t(test)

    RandomLinkSplit's training graph carries ``edge_label`` / ``edge_label_index`` too (its
    supervision pairs); :meth:`fit` reads only ``edge_index`` (the message-passing edges),
    which for every split of ``RandomLinkSplit`` excludes that split's held-out pairs.

    The validation and test graphs of a split therefore get exactly the training graph's rows
    (the embedding columns of an encoder are defined only up to a basis, so refitting would
    misalign them), and their extra edges are never seen. Node ``i`` of a type is row ``i`` of
    the stored embedding, or row ``n_id[i]`` when the store has PyG's ``n_id`` (subgraphs of
    :class:`~torch_geometric.loader.LinkNeighborLoader` / ``NeighborLoader``). Nodes the
    training graph did not have (index beyond its ``num_nodes``) get the encoder's cold-start
    row: zeros for ``cold_start="zeros"``, the mean warm row for ``"mean"``, or with
    ``fallback`` the ridge prediction from their own attribute, fitted on the training
    graph's warm nodes -- the same rule as for training nodes without edges.

    A fitted transform is a fitted estimator: for k-fold CV create one per fold (or call
    :meth:`fit` on each fold's training graph). The input is never modified: the transform
    works on a copy, as PyG's transforms do.

    Args:
        encoder (GraphEncoder): e.g. ``GraRep(dim=32, order=4)``; checked by :meth:`fit`.
        edge_types (EdgeType or list[EdgeType], optional): the interaction edges to embed, see
            :meth:`HomogeneousGraph.from_hetero`. (default: :obj:`None`, every edge type)
        name (str, optional): attribute suffix. (default: :obj:`None`, the lower-case encoder
            class name)
        fallback (str, optional): node attribute used for cold-start rows. (default: :obj:`None`)

    The parameters follow scikit-learn (``get_params`` / ``set_params`` /
    :func:`sklearn.base.clone`, nested ``encoder__dim``).

    Attributes (set by :meth:`fit`):
        encoder_ (GraphEncoder): the fitted clone.
        embeddings_ (dict[str, Tensor]): ``{node_type: [N_t, dim]}`` rows of the training graph,
            cold rows filled.

    Example::

        t = EncoderTransform(GraRep(dim=32), [CIRC_MIRNA], name="grarep").fit(train_graph)
        train, val = t(train_graph), t(val_graph)   # the same rows on both
    """

    def __init__(self, encoder: GraphEncoder, edge_types: EdgeType | Sequence[EdgeType] |
                 None = None, name: str | None = None, fallback: str | None = None):
        self.encoder = encoder
        self.edge_types = edge_types
        self.name = name
        self.fallback = fallback

    def _validate_params(self) -> None:
        self._check_param("encoder", isinstance(self.encoder, GraphEncoder),
                    "must be a GraphEncoder, e.g. GraRep(dim=32)")
        self._check_param("name", self.name is None or (isinstance(self.name, str)
                                                  and self.name.isidentifier()),
                    "must be None or an identifier (the suffix of x_<name>)")
        self._check_param("fallback", self.fallback is None or isinstance(self.fallback, str),
                    "must be None or the name of a node attribute")

    @property
    def attr_name(self) -> str:
        """The attribute written on each node store: ``x_<name>``."""
        return f"x_{self.name or type(self.encoder).__name__.lower()}"

    def fit(self, data: HeteroData) -> EncoderTransform:
        """Fit a clone of the encoder on the interaction edges (``edge_index``) of ``data``,
        the **training** graph, and store the embedding of its nodes; returns ``self``."""
        self._validate_params()
        if not isinstance(data, HeteroData):
            raise ValueError(f"EncoderTransform: expected a HeteroData, got {type(data).__name__}")
        hg = HomogeneousGraph.from_hetero(data, self.edge_types)
        enc = self.encoder.clone().fit(hg.edge_index, hg.num_nodes)
        emb = hg.split(enc.transform())
        cold = hg.split(enc.cold_mask_)
        self.encoder_ = enc
        self.embeddings_: dict[NodeType, Tensor] = {}
        self._ridge: dict[NodeType, tuple[Tensor, Tensor]] = {}
        self._cold: dict[NodeType, Tensor] = dict(cold)
        for nt, z in emb.items():
            z, c = z.clone(), cold[nt]
            if self.fallback is not None and bool((~c).any()):
                x = self._attr(data, nt).float()
                self._ridge[nt] = (x[~c], z[~c])
                if bool(c.any()):
                    z[c] = ridge_fill(x[~c], z[~c], x[c])
            self.embeddings_[nt] = z
        return self

    def _attr(self, data: HeteroData, nt: NodeType) -> Tensor:
        x = data[nt].get(self.fallback)
        if x is None:
            raise ValueError(f"EncoderTransform: node type {nt!r} has no attribute "
                             f"{self.fallback!r} for the cold-start fallback")
        return x

    def _unseen_rows(self, data: HeteroData, nt: NodeType, new: Tensor) -> Tensor:
        """Cold-start rows for nodes the training graph did not have."""
        z = self.embeddings_[nt]
        if nt in self._ridge:
            x_fit, z_fit = self._ridge[nt]
            return ridge_fill(x_fit, z_fit, self._attr(data, nt)[new].float())
        cold = self._cold[nt]
        if self.encoder_.cold_start == "mean" and bool((~cold).any()):
            # the encoder's own "mean" rule: the mean over every warm node of the fit
            warm = ~self.encoder_.cold_mask_
            mean = self.encoder_.embedding_[warm].mean(0, keepdim=True)
            return mean.expand(int(new.sum()), -1).clone()
        return z.new_zeros(int(new.sum()), z.size(1))

    def fit_transform(self, data: HeteroData) -> HeteroData:
        """:meth:`fit` on the training graph ``data``, then write its rows into a copy of it."""
        return self.fit(data)(data)

    def forward(self, data: HeteroData) -> HeteroData:
        if not isinstance(data, HeteroData):
            raise ValueError(f"EncoderTransform: expected a HeteroData, got {type(data).__name__}")
        if not hasattr(self, "embeddings_"):
            raise ValueError(
                f"EncoderTransform({self.encoder!r}) is not fitted: call .fit(train_graph) or "
                ".fit_transform(train_graph) on the training graph first, then apply it to the "
                "other graphs. It does not fit itself on the first graph it is given: placed "
                "before RandomLinkSplit (T.Compose([EncoderTransform(...), "
                "T.RandomLinkSplit(...)])) that would be the full graph, test edges included.")
        name = self.attr_name
        out = copy.copy(data)
        for nt, z in self.embeddings_.items():
            if nt not in data.node_types:
                continue
            store = data[nt]
            n_id = store.get("n_id")
            idx = n_id if n_id is not None else torch.arange(store.num_nodes)
            new = idx >= z.size(0)
            rows = z.new_empty(idx.numel(), z.size(1))
            rows[~new] = z[idx[~new]]
            if bool(new.any()):
                rows[new] = self._unseen_rows(data, nt, new)
            out[nt][name] = rows
        return out

    __repr__ = Estimator.__repr__
