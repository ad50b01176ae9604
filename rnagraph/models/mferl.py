"""MFERL: multi-feature embedding representation learning for circRNA-miRNA interactions."""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import ClassVar

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.models._mferl_inputs import (
    VIEWS,
    MFERLInputs,
    extend_inputs,
    inductive_views,
    mferl_inputs,
)
from rnagraph.models._mferl_net import MFERLNet
from rnagraph.models._mferl_task import MFERLTask, pair_init, pair_x
from rnagraph.models.base import LinkModel, grid_pairs
from rnagraph.train.trainer import Callback, Trainer

_NET_ARGS = ("hidden_channels", "heads", "k", "temperature", "cl_weight", "src_cl_weight",
             "cl_nodes", "channel_pool", "dropout", "disjoint_train_ratio", "use_homo",
             "use_mcam", "use_heter", "use_cl")


class MFERL(LinkModel):
    r"""MFERL (`Peng et al., BMC Biology 2025 <https://doi.org/10.1186/s12915-025-02227-6>`_):
    circRNA-miRNA interactions from five feature views per RNA, as a
    :class:`~rnagraph.models.base.LinkModel`.

    :meth:`fit` computes the views from ``fold.train_graph`` only (Levenshtein similarity, CTD,
    1-4-mer, Doc2Vec, Role2Vec; node types with too few sequences use interaction-profile
    similarity and a learnable embedding instead; ``views_`` / ``view_sources_`` say what was
    used; disk-cached, see ``rnagraph/models/_mferl_inputs.py``) and trains the network
    (:class:`~rnagraph.models._mferl_net.MFERLNet`, which has the equations) with
    :class:`~rnagraph.train.Trainer`: full batch, Adam, early stopping on ``fold.val`` AUC with
    ``patience`` epochs and best-state restore; **without validation pairs of both classes it
    trains all ``epochs``** and keeps the last state. Node representations are computed once
    per fitted model; scores are Platt-calibrated on ``fold.val`` (``calibrate``). The graph
    passed to :meth:`score` is only checked for node counts (the graph views are the fitted ones).

    **New RNAs** (``inductive = "sequence"``): a scoring graph that appends RNAs after the
    fitted ones (:meth:`~rnagraph.models.base.LinkModel.extended_graph`, an inductive fold's
    ``score_graph``) is encoded by :func:`~rnagraph.models._mferl_inputs.extend_inputs`: a new
    RNA's Levenshtein-similarity, CTD and k-mer views are computed from its sequence
    (standardised with the fitted nodes' statistics), its Doc2Vec and Role2Vec views are the
    weighted mean of its ``k`` most similar known RNAs'
    (:meth:`~rnagraph.models.base.LinkModel.sequence_neighbours`: fitted RNAs with a training
    pair), and each of those neighbours gets a similarity-graph edge **to** it, so the HomoGCN
    and the dual attention give it a representation while every fitted node keeps its own
    (fitted nodes are encoded on the fitted inputs; a new node's rows come from a second pass
    over the extended inputs, where MCAM's graph pooling also sees the other new RNAs). A new
    RNA of a type whose views were learned per node (too few sequences:
    ``view_sources_``), or any new RNA with ``structural_features`` (its structural features
    would need its own pairs), is not scored; :meth:`scoring_status` says why.

    Args: those of :class:`MFERLNet` (defaults: ``hidden_channels`` 128, ``heads`` 2, ``k`` 3,
        ``temperature`` 0.1, ``cl_weight`` 0.01 (best of 0.01 / 0.03 / 0.1 on a planted graph;
        the paper gives none), ``src_cl_weight`` 1, ``cl_nodes`` 1024 (the full InfoNCE costs
        14.8x more over cmi-20208's circRNAs, ``benchmarks/mferl_speed.py``), ``channel_pool``
        ``'graph'``, ``dropout`` 0.5, ``disjoint_train_ratio`` 0, the ablation switches
        ``use_*``); the inputs' ``views`` (``None``: all five), ``threshold`` 0.5 and
        ``max_neighbors`` 32 of the similarity graphs, ``role2vec_dim`` 128, ``feature_kwargs``
        (``max_len``, ``doc2vec_dim``, ``min_seq_frac``), ``disk_cache`` (``True``:
        ``$RNAGRAPH_CACHE``, a folder, or ``False``); the trainer's ``lr`` 0.01,
        ``weight_decay`` 1e-4, ``epochs`` 300, ``patience`` 30, ``min_delta`` 0.002 (smaller
        validation gains are noise; 19% fewer epochs on cmi-20208), ``device`` ``"cpu"``,
        ``seed`` 0; ``calibrate`` ``True``. ``pair_features=True`` (our extension) adds a term
        :math:`\mathbf{w}^\top \phi_{ij} + b` on :math:`\log(1 + n)` seed-site counts
        (:class:`~rnagraph.features.SeedSiteFeatures`), free of weight decay and started in
        SeedMatch's order (one 8mer moves the logit by about 2). ``structural_features=True``
        adds the seven own-edge-free structural features of the training graph
        (:class:`~rnagraph.features.StructuralPairFeatures`, started at 0) to that term.
    """

    def __init__(self, hidden_channels: int = 128, *, views: Sequence[str] | None = None,
                 heads: int = 2, k: int = 3, temperature: float = 0.1, cl_weight: float = 0.01,
                 src_cl_weight: float = 1.0, cl_nodes: int | None = 1024,
                 threshold: float = 0.5, max_neighbors: int | None = 32,
                 channel_pool: str = "graph", dropout: float = 0.5,
                 disjoint_train_ratio: float = 0.0, use_homo: bool = True,
                 use_mcam: bool = True, use_heter: bool = True, use_cl: bool = True,
                 lr: float = 0.01, weight_decay: float = 1e-4, epochs: int = 300,
                 patience: int = 30, min_delta: float = 0.002, role2vec_dim: int = 128,
                 seed: int = 0, feature_kwargs: dict | None = None, pair_features: bool = False,
                 structural_features: bool = False, disk_cache: bool | str = True,
                 calibrate: bool = True, device: str = "cpu"):
        MFERLNet.check_args(use_homo, use_mcam, use_heter, disjoint_train_ratio, "MFERL")
        if set(views or VIEWS) - set(VIEWS):
            raise ValueError(f"MFERL: unknown views {sorted(set(views) - set(VIEWS))}; choose "
                             f"from {VIEWS}")
        for name, value in list(locals().items()):
            if name not in ("self", "name", "__class__"):
                setattr(self, name, value)

    inductive: ClassVar[str | None] = "sequence"

    def inductive_mode(self, node_type: str) -> str | None:
        """``"sequence"`` (the new RNA's views from its sequence, linked to its sequence
        neighbours), or ``None`` for a type whose views were learned per node or with
        ``structural_features`` (see the class docstring)."""
        if "inputs_" not in self.__dict__:
            return self.inductive
        if self.structural_features or inductive_views(self.inputs_, node_type) is not None:
            return None
        return "sequence"

    def fit(self, fold: Fold, *, callbacks: Sequence[Callback] = ()) -> MFERL:
        """:meth:`LinkModel.fit`; ``callbacks`` go to the :class:`Trainer` (one call per
        epoch with its history record)."""
        self._callbacks = list(callbacks)
        try:
            return super().fit(fold)
        finally:
            del self._callbacks

    def _build_net(self, inputs: MFERLInputs) -> MFERLNet:
        init = pair_init(self)
        return MFERLNet(inputs.in_channels(), **{a: getattr(self, a) for a in _NET_ARGS},
                        pair_channels=len(init), pair_init=init or None)

    def _pair_x(self, pairs: Tensor, graph: HeteroData | None = None) -> Tensor | None:
        return pair_x(self, pairs, graph)

    def _fit(self, fold: Fold) -> None:
        t0 = time.perf_counter()
        inp = mferl_inputs(fold.train_graph, self.edge_type_, tuple(self.views or VIEWS),
                           threshold=self.threshold, max_neighbors=self.max_neighbors,
                           role2vec_dim=self.role2vec_dim, seed=self.seed,
                           cache=self.disk_cache, **(self.feature_kwargs or {}))
        features_s = time.perf_counter() - t0
        with torch.random.fork_rng(devices=[]):     # construction draws; the Trainer reseeds
            net = self._build_net(inp)
        self.inputs_, self.net_ = inp.to(self.device), net
        trainer = Trainer(epochs=self.epochs, lr=self.lr, batch_size=None,
                          patience=self.patience, min_delta=self.min_delta,
                          device=self.device, seed=self.seed,
                          callbacks=getattr(self, "_callbacks", ()))
        val_graph = fold.graph_for("val") if hasattr(fold, "graph_for") else None
        trainer.fit(MFERLTask(self, val_graph), fold.train, fold.val)
        self.history_, self.best_epoch_ = trainer.history_, trainer.best_epoch_
        self._set_views(inp)
        self.fit_info_ = {**trainer.fit_info(), "features_s": features_s,
                          "views": self.view_sources_}

    def _set_views(self, inp: MFERLInputs) -> None:
        self.views_ = {t: list(v) for t, v in inp.views.items()}
        self.view_sources_ = {t: dict(s) for t, s in inp.sources.items()}

    def _represent(self, graph: HeteroData) -> dict[str, Tensor]:
        """Node representations for ``graph``: the fitted nodes' from the fitted inputs,
        new RNAs' from a second pass over the inputs they extend (class docstring)."""
        i = self.inputs_
        z = self.net_.encode(i.x, i.homo_edge_index, i.edge_index, compute_cl=False)[0]
        grown = {t: n for t, n in i.num_nodes.items() if int(graph[t].num_nodes) > n}
        if grown:
            nb = {t: self.sequence_neighbours(graph, t) for t in grown}
            e = extend_inputs(i, self.graph_, graph, nb,
                              (self.feature_kwargs or {}).get("max_len"))
            z_ext = self.net_.encode(e.x, e.homo_edge_index, e.edge_index, compute_cl=False)[0]
            z = {t: torch.cat([z[t], z_ext[t][grown[t]:]]) if t in grown else z[t]
                 for t in z}
        return z

    @torch.no_grad()
    def _encode(self, graph: HeteroData) -> dict:
        self.net_.eval()
        return {"z": self._represent(graph), "graph": graph}

    def _decision(self, enc: dict, pairs: Tensor) -> Tensor:
        z = enc["z"]
        px = self._pair_x(pairs, enc["graph"])
        dev = next(iter(z.values())).device
        return self.net_.decode(z, pairs.to(dev), None if px is None else px.to(dev))

    def _decision_grid(self, enc: dict, src: Tensor, dst: Tensor) -> Tensor:
        z = enc["z"]
        dev = z[self.edge_type_[0]].device        # the head: one matrix product per block
        return self.net_.decode_grid(z, src.to(dev), dst.to(dev),
                                     self._pair_x(grid_pairs(src, dst), enc["graph"]))

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        tensors, meta = self.inputs_.state()
        tensors = {f"inputs.{k}": v for k, v in tensors.items()}
        tensors.update({f"net.{k}": v for k, v in self.net_.state_dict().items()})
        return tensors, {"inputs": meta, "fit_info": self.fit_info_}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        part = {p: {k[len(p) + 1:]: v for k, v in tensors.items() if k.startswith(p + ".")}
                for p in ("inputs", "net")}
        inp = MFERLInputs.from_state(part["inputs"], extra["inputs"])
        with torch.random.fork_rng(devices=[]):
            net = self._build_net(inp)
        net.load_state_dict(part["net"])
        self.inputs_, self.net_ = inp.to(self.device), net.to(self.device).eval()
        self.fit_info_ = extra["fit_info"]
        self._set_views(inp)
