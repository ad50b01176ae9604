"""MFERL: multi-feature embedding representation learning for circRNA-miRNA interactions."""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.models._mferl_contrast import MFERLContrast
from rnagraph.models._mferl_encoder import MFERLEncoder
from rnagraph.models._mferl_inputs import MFERLInputs, extend_inputs, inductive_views
from rnagraph.models._mferl_net import MFERLNet
from rnagraph.models._mferl_pair import MFERLPairTerm
from rnagraph.models._mferl_task import MFERLTask, pair_init, pair_x
from rnagraph.models._mferl_views import MFERLViews
from rnagraph.models.base import LinkModel, grid_pairs
from rnagraph.train.config import TrainerConfig
from rnagraph.train.trainer import Callback


class MFERL(LinkModel):
    r"""MFERL (`Peng et al., BMC Biology 2025 <https://doi.org/10.1186/s12915-025-02227-6>`_):
    circRNA-miRNA interactions from five feature views per RNA, as a
    :class:`~rnagraph.models.base.LinkModel` composed of parts: the input views
    (:class:`MFERLViews`), the node encoder and its blocks (:class:`MFERLEncoder`), the
    contrastive term (:class:`MFERLContrast`), an optional pair term (:class:`MFERLPairTerm`,
    our extension) and the training configuration (:class:`~rnagraph.train.TrainerConfig`).

    :meth:`fit` computes the views from ``fold.train_graph`` only (Levenshtein similarity, CTD,
    1-4-mer, Doc2Vec, Role2Vec; node types with too few sequences use interaction-profile
    similarity and a learnable embedding instead; ``views_`` / ``view_sources_`` say what was
    used; disk-cached, see ``rnagraph/models/_mferl_inputs.py``) and trains the network
    (:class:`~rnagraph.models._mferl_net.MFERLNet`, which has the equations) with
    :class:`~rnagraph.train.Trainer`: full batch (``trainer.batch_size`` must be ``None``),
    Adam, early stopping on ``fold.val`` AUC with ``trainer.patience`` epochs and best-state
    restore; **without validation pairs of both classes it trains all ``trainer.epochs``**
    and keeps the last state. The L2 term of the paper's loss is ``trainer.weight_decay``
    (the pair term is free of it). Node representations are computed once per fitted model;
    scores are Platt-calibrated on ``fold.val`` (``calibrate``). The graph passed to
    :meth:`score` is only checked for node counts (the graph views are the fitted ones).

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
    ``view_sources_``), or any new RNA with a structural pair term (its structural features
    would need its own pairs), is not scored; :meth:`scoring_status` says why.

    Parameters are named in scikit-learn's ``part__name`` form (``encoder__hidden_channels``,
    ``trainer__lr``) or, in :func:`~rnagraph.models.get_model`, ``rnagraph train --set`` and
    search spaces, by a part's own name (``hidden_channels``, ``lr``, ``cl_weight``): no two
    parts of MFERL share one. The paper's configuration is :meth:`paper` (registry preset
    ``mferl-paper``); the defaults are ours.

    Args:
        inputs (MFERLViews, optional): the views and similarity graphs; ``None``:
            ``MFERLViews()`` (all five views, ``threshold`` 0.5, ``max_neighbors`` 32).
            (default: ``None``)
        encoder (MFERLEncoder, optional): the node encoder; ``None``: ``MFERLEncoder()``
            (``hidden_channels`` 128, blocks HomoGCN, MCAM and bilinear attention).
            (default: ``None``)
        contrast (MFERLContrast, optional): the InfoNCE term; ``None``: ``MFERLContrast()``
            (:math:`\tau` 0.1, :math:`\lambda` 0.01 over 1024 nodes); ``cl_weight=0``
            leaves it out. (default: ``None``)
        pair (MFERLPairTerm, optional): a learned linear term on pair features (seed sites,
            structural) added to the logit; ``None``: none, as in the paper.
            (default: ``None``)
        disjoint_train_ratio (float): in :math:`[0, 1)`; in training each step scores a
            random fraction of the pairs and removes their positives from the bilinear
            block's message edges (PyG's ``RandomLinkSplit`` option, drawn anew each step);
            ``0``: the paper's training. (default: ``0.0``)
        trainer (TrainerConfig, optional): ``None``: MFERL's defaults, ``epochs`` 300, ``lr``
            0.01 (the paper's), ``weight_decay`` 1e-4, ``patience`` 30, ``min_delta`` 0.002
            (smaller validation gains are noise), full batch, ``seed`` 0 (also the seed of the
            Doc2Vec and Role2Vec views), ``device`` ``"cpu"``;
            ``MFERL.trainer_config(epochs=50)`` changes one and keeps the rest.
            (default: ``None``)
        calibrate (bool): Platt-calibrate :meth:`score` on ``fold.val``.
            (default: ``True``)
    """

    #: the trainer options MFERL trains with unless given ``trainer=``
    default_trainer: ClassVar[dict[str, Any]] = {"epochs": 300, "lr": 0.01,
                                                 "weight_decay": 1e-4, "patience": 30,
                                                 "min_delta": 0.002}

    def __init__(self, *, inputs: MFERLViews | None = None, encoder: MFERLEncoder | None = None,
                 contrast: MFERLContrast | None = None, pair: MFERLPairTerm | None = None,
                 disjoint_train_ratio: float = 0.0, trainer: TrainerConfig | None = None,
                 calibrate: bool = True) -> None:
        # a default part is built here (as the trainer is), so that its parameters are
        # named (encoder__hidden_channels) and set_params never changes another model's part
        self.inputs = MFERLViews() if inputs is None else inputs
        self.encoder = MFERLEncoder() if encoder is None else encoder
        self.contrast = MFERLContrast() if contrast is None else contrast
        self.pair = pair
        self.disjoint_train_ratio = disjoint_train_ratio
        self.trainer = self._trainer_part(trainer)
        self.calibrate = calibrate

    @classmethod
    def paper(cls, **kwargs: Any) -> MFERL:
        r"""MFERL as published: the registry preset ``mferl-paper``, our defaults with the
        InfoNCE term over all nodes (``cl_nodes=None``) and similarity graphs by threshold
        alone (``max_neighbors=None``; memory grows with the square of the nodes above it).
        The paper's :math:`d` 128, lr 0.01 and :math:`\tau` 0.1 are our defaults too; what
        it leaves open (:math:`\lambda`, dropout, weight decay, the threshold, epochs, early
        stopping) keeps ours. ``kwargs`` go over it (short or full names, as
        :func:`~rnagraph.models.get_model` takes them)."""
        from rnagraph.models.registry import get_model
        return get_model("mferl-paper", **kwargs)

    def _validate_params(self) -> None:
        for name, cls in (("inputs", MFERLViews), ("encoder", MFERLEncoder),
                          ("contrast", MFERLContrast)):
            self._check_param(name, isinstance(getattr(self, name), cls),
                              f"must be a {cls.__name__} (or None for its defaults)")
        self._check_param("pair", self.pair is None or isinstance(self.pair, MFERLPairTerm),
                          "must be an MFERLPairTerm or None")
        r = self.disjoint_train_ratio
        self._check_param("disjoint_train_ratio", isinstance(r, (int, float))
                          and not isinstance(r, bool) and 0.0 <= r < 1.0, "must be in [0, 1)")
        self._check_param("calibrate", isinstance(self.calibrate, bool), "must be a bool")
        if self.trainer.batch_size is not None:
            raise ValueError(f"MFERL: trainer.batch_size={self.trainer.batch_size!r}: MFERL "
                             "trains full batch (every node is encoded each step); leave it "
                             "None")

    inductive: ClassVar[str | None] = "sequence"

    def inductive_mode(self, node_type: str) -> str | None:
        """``"sequence"`` (the new RNA's views from its sequence, linked to its sequence
        neighbours), or ``None`` for a type whose views were learned per node or with a
        structural pair term (see the class docstring)."""
        if "inputs_" not in self.__dict__:
            return self.inductive
        if (self.pair is not None and self.pair.structural) or \
                inductive_views(self.inputs_, node_type) is not None:
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
        return MFERLNet(inputs.in_channels(), **self.encoder.net_kwargs(),
                        **self.contrast.net_kwargs(),
                        disjoint_train_ratio=self.disjoint_train_ratio,
                        pair_channels=len(init), pair_init=init or None)

    def _pair_x(self, pairs: Tensor, graph: HeteroData | None = None) -> Tensor | None:
        return pair_x(self, pairs, graph)

    def _fit(self, fold: Fold) -> None:
        t0 = time.perf_counter()
        inp = self.inputs.build(fold.train_graph, self.edge_type_, seed=self.trainer.seed)
        features_s = time.perf_counter() - t0
        with torch.random.fork_rng(devices=[]):     # construction draws; the Trainer reseeds
            net = self._build_net(inp)
        self.inputs_, self.net_ = inp.to(self.trainer.device), net
        trainer = self.trainer.build(callbacks=getattr(self, "_callbacks", ()))
        val_graph = fold.graph_for("val")
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
            e = extend_inputs(i, self.graph_, graph, nb, self.inputs.max_len)
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
        dev = self.trainer.device
        self.inputs_, self.net_ = inp.to(dev), net.to(dev).eval()
        self.fit_info_ = extra["fit_info"]
        self._set_views(inp)


__all__ = ["MFERL", "MFERLViews", "MFERLEncoder", "MFERLContrast", "MFERLPairTerm"]
