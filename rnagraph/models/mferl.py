"""MFERL: multi-feature embedding representation learning for circRNA-miRNA interactions."""
from __future__ import annotations

import contextlib
import copy
import logging
import time
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.models._mferl_features import VIEWS, MFERLInputs, compute_inputs
from rnagraph.models.seed_match import DEFAULT_WEIGHTS, SeedMatch
from rnagraph.nn.attention import MCAM
from rnagraph.nn.conv import BilinearInteraction, HomoGCN
from rnagraph.nn.heads import CNNProductHead
from rnagraph.nn.losses import InfoNCE
from rnagraph.typing import CIRC_MIRNA, EdgeType, NodeType

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _threads(n: int | None):
    old = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


class MFERL(torch.nn.Module):
    r"""MFERL (`Peng et al., BMC Biology 2025 <https://doi.org/10.1186/s12915-025-02227-6>`_):
    circRNA-miRNA interaction prediction from five feature views per RNA.

    For each node type :math:`t` every view :math:`v` (Levenshtein similarity row, CTD,
    1-4-mer, Doc2Vec, Role2Vec) is projected to :math:`d`:
    :math:`\mathbf{X}_{t,v} = \mathbf{x}_{t,v} \mathbf{W}_{t,v}`. Then

    .. math::
        \mathbf{E}_t &= [\mathbf{X}_{t,1} \Vert \cdots \Vert \mathbf{X}_{t,V}]\mathbf{W}^{e}_t
        \quad \text{(initial embedding)}

        \mathbf{X}^{\mathrm{homo}}_t &= \mathrm{HomoGCN}_t(\{\mathbf{X}_{t,v}\}_{v \neq
        \mathrm{sim}}, G_t), \qquad
        \mathbf{X}^{\mathrm{mcam}}_t = \mathrm{MCAM}_t([\mathbf{X}_{t,1}; \dots;
        \mathbf{X}_{t,V}])

        \mathbf{X}^{\mathrm{heter}}_c, \mathbf{X}^{\mathrm{heter}}_m &=
        \mathrm{BilinearInteraction}\big([\mathbf{X}_{c,\cdot}], [\mathbf{X}_{m,\cdot}],
        \mathcal{E}_{\mathrm{train}}\big)

        \mathbf{Z}_t &= \mathrm{BN}\big([\mathbf{X}^{\mathrm{homo}}_t \Vert
        \mathbf{X}^{\mathrm{mcam}}_t \Vert \mathbf{X}^{\mathrm{heter}}_t]\big), \qquad
        \hat{r}_{ij} = \sigma\big(\mathrm{CNNProductHead}(\mathbf{Z}_c, \mathbf{Z}_m)_{ij}\big)

    where :math:`G_t` thresholds the similarity view (:math:`s > 0.5`). Training minimises
    :math:`\mathrm{BCE} + \lambda \sum_t w_t \sum_{b} \mathrm{InfoNCE}(\mathbf{X}^{b}_t,
    \mathbf{E}_t) + \text{L2}` (Eqs. 8-14; :math:`w_{\mathrm{mirna}} = 1`,
    :math:`w_{\mathrm{circrna}} = \alpha`), full batch: node representations are computed once
    per step for the whole graph and every training pair is scored from them.

    Two ways to use it:

    * **tensors** -- build with ``in_channels`` and call :meth:`forward` (or :meth:`encode`)
      with per-type view tensors, similarity graphs and training edges;
    * **folds** -- :meth:`fit` computes the views from ``fold.train_graph`` (graph views from
      the training edges only), trains with early stopping on ``fold.val``; :meth:`score`
      returns probabilities. Node types with too few sequences (real circRNA data) use
      interaction-profile similarity and a learnable embedding in place of the sequence
      views; :attr:`views_` / :attr:`view_sources_` record what was used.
      The sequence views and the per-fold Role2Vec embedding are cached on disk
      (``disk_cache``), so a repeated run on the same folds only trains.

    Args:
        in_channels (dict, optional): ``{node_type: {view: width}}``. A view named
            ``"embedding"`` is a learnable table whose width entry is the number of nodes.
            When ``None`` the model is built by the first :meth:`fit`. (default: ``None``)
        hidden_channels (int): :math:`d`. (default: ``128``)
        edge_type (EdgeType): predicted type, source first. (default: ``CIRC_MIRNA``)
        views (tuple[str]): views :meth:`fit` computes. (default: all five)
        heads (int), k (int): bilinear attention heads and rank multiplier. (default: 2, 3)
        temperature (float): InfoNCE :math:`\tau`. (default: ``0.1``)
        cl_weight (float): :math:`\lambda` (the paper does not state :math:`\lambda_1`; 0.01
            was best of 0.01 / 0.03 / 0.1 on a small planted graph). (default: ``0.01``)
        src_cl_weight (float): :math:`\alpha`, weight of the source type's contrastive loss.
            (default: ``1.0``)
        cl_nodes (int, optional): each step the contrastive loss of a node type runs over this
            many randomly drawn nodes (anchors and negatives; :class:`InfoNCE` ``max_nodes``)
            when the type has more. The paper sums over all nodes; the full loss is
            :math:`O(N^2 d)` per view (14.8x the sampled cost over cmi-20208's 3,569 circRNAs,
            ``benchmarks/mferl_speed.py``), so by default we use the mini-batch form of
            SimCLR / GRACE. ``None``: all nodes.
            (default: ``1024``)
        threshold (float): similarity threshold of the homogeneous graphs. (default: ``0.5``)
        max_neighbors (int, optional): keep at most this many most-similar neighbours per node
            above the threshold (``None``: the paper's plain threshold, which on interaction-
            profile similarity of cmi-9589 links 29 % of all circRNA pairs). (default: ``32``)
        channel_pool (str): MCAM channel pooling, ``'graph'`` (paper) or ``'node'``.
        dropout (float): dropout on the projected views. (default: ``0.5``)
        disjoint_train_ratio (float): **an option beyond the paper.** Each epoch a random
            fraction :math:`r` of the training pairs is drawn; the loss is computed on those
            pairs only and their positives are removed from the bilinear branch's message
            edges for that step (PyG's ``RandomLinkSplit(disjoint_train_ratio=...)``, drawn
            anew every epoch). Otherwise a training positive is scored with its own edge in
            the message graph, which test positives never are. ``0``: the paper's training,
            loss on every pair, all training edges passed. (default: ``0.0``)
        use_homo, use_mcam, use_heter, use_cl (bool): switch the branches off for ablations
            (``w/o homo``, ``w/o mcam``, ``w/o heter``, ``w/o cl``).
        lr (float): Adam learning rate. (default: ``0.01``)
        weight_decay (float): L2 strength. (default: ``1e-4``)
        epochs (int): maximum epochs. (default: ``300``)
        patience (int): early-stopping patience in epochs on validation AUC. (default: ``30``)
        role2vec_dim (int): Role2Vec width. (default: ``128``)
        seed (int): seed of initialisation, dropout and the graph encoders. (default: ``0``)
        num_threads (int, optional): torch threads during :meth:`fit` / :meth:`score`
            (restored afterwards). One thread is much faster on a busy machine, where two
            threads contend for two cores. (default: ``None``, torch's setting)
        feature_kwargs (dict, optional): extra options for the featurizers (``max_len``,
            ``doc2vec_dim``, ``min_seq_frac``).
        disk_cache (bool | str): keep the sequence views and the per-fold Role2Vec embedding
            (keyed by a hash of the fold's training edges) on disk: ``True`` under
            ``$RNAGRAPH_CACHE`` (default ``~/.cache/rnagraph``), a folder, or ``False``.
            Cached values equal recomputed ones. (default: ``True``)
        pair_features (bool): **an extension beyond the paper.** MFERL's inputs are per-node,
            so it cannot see whether *this* miRNA's seed pairs with *this* target. With
            ``True`` the logit gets a pair term :math:`\mathbf{w}^\top \phi_{ij} + b` where
            :math:`\phi_{ij}` holds :math:`\log(1+n)` counts of canonical seed sites (8mer,
            7mer-m8, 7mer-A1, 6mer; :meth:`SeedMatch.site_features`) of the pair, zero where a
            sequence is missing. (default: ``False``, the paper's model)
    """

    def __init__(self, in_channels: dict[NodeType, dict[str, int]] | None = None,
                 hidden_channels: int = 128, *, edge_type: EdgeType = CIRC_MIRNA,
                 views: Sequence[str] = VIEWS, heads: int = 2, k: int = 3,
                 temperature: float = 0.1, cl_weight: float = 0.01, src_cl_weight: float = 1.0,
                 cl_nodes: int | None = 1024,
                 threshold: float = 0.5, max_neighbors: int | None = 32,
                 channel_pool: str = "graph", dropout: float = 0.5,
                 disjoint_train_ratio: float = 0.0,
                 use_homo: bool = True, use_mcam: bool = True, use_heter: bool = True,
                 use_cl: bool = True, lr: float = 0.01, weight_decay: float = 1e-4,
                 epochs: int = 300, patience: int = 30, role2vec_dim: int = 128,
                 seed: int = 0, num_threads: int | None = None,
                 feature_kwargs: dict | None = None, pair_features: bool = False,
                 disk_cache: bool | str = True) -> None:
        super().__init__()
        if not (use_homo or use_mcam or use_heter):
            raise ValueError("MFERL: at least one of use_homo, use_mcam, use_heter must be True")
        unknown = set(views) - set(VIEWS)
        if unknown:
            raise ValueError(f"MFERL: unknown views {sorted(unknown)}; choose from {VIEWS}")
        self.hidden_channels = hidden_channels
        self.edge_type = tuple(edge_type)
        self.views = tuple(views)
        self.heads, self.k = heads, k
        self.temperature, self.cl_weight, self.src_cl_weight = temperature, cl_weight, \
            src_cl_weight
        self.max_neighbors = max_neighbors
        self.cl_nodes = cl_nodes
        self.threshold, self.channel_pool, self.dropout = threshold, channel_pool, dropout
        if not 0.0 <= disjoint_train_ratio < 1.0:
            raise ValueError(f"MFERL: disjoint_train_ratio must be in [0, 1), got "
                             f"{disjoint_train_ratio}")
        self.disjoint_train_ratio = disjoint_train_ratio
        self.use_homo, self.use_mcam = use_homo, use_mcam
        self.use_heter, self.use_cl = use_heter, use_cl
        self.lr, self.weight_decay = lr, weight_decay
        self.epochs, self.patience = epochs, patience
        self.role2vec_dim, self.seed, self.num_threads = role2vec_dim, seed, num_threads
        self.feature_kwargs = dict(feature_kwargs or {})
        self.pair_features = pair_features
        self.disk_cache = disk_cache
        self.in_channels: dict[NodeType, dict[str, int]] | None = None
        self._feature_cache: dict = {}
        if in_channels is not None:
            self._build(in_channels)

    # ------------------------------------------------------------------ construction
    @property
    def node_types(self) -> tuple[NodeType, NodeType]:
        return self.edge_type[0], self.edge_type[2]

    def _homo_views(self, t: NodeType) -> list[str]:
        vs = list(self.in_channels[t])
        rest = [v for v in vs if v != "similarity"]
        return rest if rest else vs

    def _build(self, in_channels: dict[NodeType, dict[str, int]]) -> None:
        missing = [t for t in self.node_types if t not in in_channels or not in_channels[t]]
        if missing:
            raise ValueError(f"MFERL: in_channels has no views for node type(s) {missing}")
        self.in_channels = {t: dict(in_channels[t]) for t in self.node_types}
        d = self.hidden_channels
        self.proj = torch.nn.ModuleDict({
            t: torch.nn.ModuleDict({
                v: (torch.nn.Embedding(c, d) if v == "embedding" else torch.nn.Linear(c, d))
                for v, c in self.in_channels[t].items()})
            for t in self.node_types})
        n_views = {t: len(self.in_channels[t]) for t in self.node_types}
        self.init_lin = torch.nn.ModuleDict(
            {t: torch.nn.Linear(n_views[t] * d, d) for t in self.node_types})
        self.homo = torch.nn.ModuleDict(
            {t: HomoGCN(d, d, num_views=len(self._homo_views(t))) for t in self.node_types}
        ) if self.use_homo else None
        self.mcam = torch.nn.ModuleDict(
            {t: MCAM(n_views[t], d, d, pool=self.channel_pool) for t in self.node_types}
        ) if self.use_mcam else None
        src, dst = self.node_types
        self.heter = BilinearInteraction((n_views[src] * d, n_views[dst] * d), d,
                                         heads=self.heads, k=self.k) if self.use_heter else None
        n_branches = int(self.use_homo) + int(self.use_mcam) + int(self.use_heter)
        # Batch statistics over all nodes of a type (full-batch, so train == eval); removes the
        # shared offset of the branch outputs that otherwise leaves the head's ReLUs dead.
        self.norm = torch.nn.ModuleDict({t: torch.nn.BatchNorm1d(
            n_branches * d, track_running_stats=False) for t in self.node_types})
        self.head = CNNProductHead(n_branches * d)
        self.pair_lin = torch.nn.Linear(len(DEFAULT_WEIGHTS), 1) if self.pair_features else None
        self.infonce = InfoNCE(self.temperature, max_nodes=self.cl_nodes)

    def reset_parameters(self) -> None:
        """Re-initialise every layer (the CV runner calls this per fold)."""
        self._check_built()
        for t in self.node_types:
            for lin in self.proj[t].values():
                lin.reset_parameters()
            self.init_lin[t].reset_parameters()
            self.norm[t].reset_parameters()
            if self.homo is not None:
                self.homo[t].reset_parameters()
            if self.mcam is not None:
                self.mcam[t].reset_parameters()
        if self.heter is not None:
            self.heter.reset_parameters()
        self.head.reset_parameters()
        if self.pair_lin is not None:
            # start from SeedMatch's site weights (8mer > 7mer-m8 > 7mer-A1 > 6mer), scaled so a
            # single 8mer moves the logit by about 2; the bias starts at 0
            with torch.no_grad():
                w = torch.tensor(list(DEFAULT_WEIGHTS.values())) / torch.log1p(torch.tensor(1.0))
                self.pair_lin.weight.copy_(2.0 * w.unsqueeze(0))
                self.pair_lin.bias.zero_()

    def _check_built(self) -> None:
        if self.in_channels is None:
            raise ValueError("MFERL: the model is not built; pass in_channels or call fit(fold)")

    # ------------------------------------------------------------------ tensor interface
    def encode(self, x_dict: dict[NodeType, dict[str, Tensor]],
               homo_edge_index: dict[NodeType, Tensor], edge_index: Tensor,
               compute_cl: bool = True) -> tuple[dict[NodeType, Tensor], Tensor]:
        r"""Node representations :math:`\mathbf{Z}_t` ``{type: [N_t, B d]}`` (:math:`B` active
        branches) and the weighted contrastive loss (a scalar, 0 with ``use_cl=False`` or
        ``compute_cl=False``; :meth:`forward` skips it, as only training needs it)."""
        self._check_built()
        src, dst = self.node_types
        stacks, branches, init = {}, {}, {}
        for t in self.node_types:
            hs = []
            for v, lin in self.proj[t].items():
                if v == "embedding":
                    h = lin.weight
                else:
                    if v not in x_dict.get(t, {}):
                        raise ValueError(f"MFERL: missing view {v!r} of node type {t!r}")
                    h = lin(x_dict[t][v])
                hs.append(F.dropout(h, p=self.dropout, training=self.training))
            stack = torch.stack(hs, dim=1)                              # [N, V, d]
            stacks[t] = stack
            init[t] = self.init_lin[t](stack.flatten(1))
            branches[t] = []
            if self.homo is not None:
                idx = [list(self.in_channels[t]).index(v) for v in self._homo_views(t)]
                branches[t].append(self.homo[t]([hs[i] for i in idx], homo_edge_index[t]))
            if self.mcam is not None:
                branches[t].append(self.mcam[t](stack))
        if self.heter is not None:
            pair = (stacks[src].flatten(1), stacks[dst].flatten(1))
            out_src, out_dst = self.heter(pair, edge_index, target="both")
            branches[src].append(out_src)
            branches[dst].append(out_dst)
        cl = init[src].new_zeros(())
        if compute_cl and self.use_cl and self.cl_weight > 0:
            for t, w in ((src, self.src_cl_weight), (dst, 1.0)):
                cl = cl + w * sum(self.infonce(b, init[t]) for b in branches[t])
        return {t: self.norm[t](torch.cat(branches[t], dim=-1)) for t in self.node_types}, cl

    def forward(self, x_dict: dict[NodeType, dict[str, Tensor]],
                homo_edge_index: dict[NodeType, Tensor], edge_index: Tensor,
                edge_label_index: Tensor, pair_x: Tensor | None = None) -> Tensor:
        """Logits ``[N]`` of the pairs ``edge_label_index`` (``[2, N]``, source type first);
        ``pair_x`` ``[N, 4]`` is required with ``pair_features=True``."""
        z, _ = self.encode(x_dict, homo_edge_index, edge_index, compute_cl=False)
        return self._logits(z, edge_label_index, pair_x)

    def _logits(self, z: dict[NodeType, Tensor], edge_label_index: Tensor,
                pair_x: Tensor | None) -> Tensor:
        src, dst = self.node_types
        logits = self.head(z[src], z[dst], edge_label_index)
        if self.pair_lin is not None:
            if pair_x is None:
                raise ValueError("MFERL: pair_features=True needs pair_x [N, 4] "
                                 "(SeedMatch.site_features)")
            logits = logits + self.pair_lin(pair_x).squeeze(-1)
        return logits

    def _pair_x(self, graph: HeteroData | None, edge_label_index: Tensor) -> Tensor | None:
        if not self.pair_features:
            return None
        g = graph if graph is not None else self.seq_graph_
        return SeedMatch(edge_type=self.edge_type).site_features(g, edge_label_index)

    # ------------------------------------------------------------------ fold interface
    def _inputs(self, graph: HeteroData) -> MFERLInputs:
        kw = dict(self.feature_kwargs)
        return compute_inputs(graph, self.edge_type, self.views, threshold=self.threshold,
                              max_neighbors=self.max_neighbors,
                              role2vec_dim=self.role2vec_dim, seed=self.seed,
                              cache=self._feature_cache, disk_cache=self.disk_cache, **kw)

    def _val_score(self, inp: MFERLInputs, links, pair_x: Tensor | None) -> float:
        self.eval()
        with torch.no_grad():
            logits = self(inp.x, inp.homo_edge_index, inp.edge_index, links.edge_label_index,
                          pair_x)
        y = links.edge_label.numpy()
        if 0 < y.sum() < len(y):
            from sklearn.metrics import roc_auc_score
            return float(roc_auc_score(y, logits.numpy()))
        return -float(F.binary_cross_entropy_with_logits(logits, links.edge_label))

    def fit(self, fold: Fold, inputs: MFERLInputs | None = None) -> MFERL:
        """Train on ``fold.train`` (graph inputs from ``fold.train_graph`` only) with early
        stopping on ``fold.val``; returns ``self``. Sets ``views_``, ``view_sources_``,
        ``history_`` (per epoch: loss, val score, seconds), ``best_epoch_``,
        ``epoch_seconds_``, ``fit_seconds_`` and ``fit_info_`` (a JSON-ready summary of these
        that :func:`~rnagraph.evaluate.cross_validate` stores with each fold)."""
        if tuple(fold.edge_type) != self.edge_type:
            raise ValueError(f"MFERL: fold predicts {fold.edge_type}, model {self.edge_type}")
        with _threads(self.num_threads):
            return self._fit(fold, inputs)

    def _fit(self, fold: Fold, inputs: MFERLInputs | None) -> MFERL:
        t_start = time.perf_counter()
        inp = inputs if inputs is not None else self._inputs(fold.train_graph)
        if self.in_channels != inp.in_channels():
            self._build(inp.in_channels())
        y = fold.train.edge_label
        has_val = len(fold.val) > 0
        self.seq_graph_ = fold.train_graph  # node sequences for pair features (no edges used)
        train_px = self._pair_x(fold.train_graph, fold.train.edge_label_index)
        val_px = self._pair_x(fold.train_graph, fold.val.edge_label_index)
        self.history_: list[dict] = []
        with torch.random.fork_rng(devices=[]):       # seeded without touching global state
            torch.manual_seed(self.seed)
            self.reset_parameters()
            # L2 on the node model only: the 4 pair weights are not shrunk towards 0
            pair = set(map(id, self.pair_lin.parameters())) if self.pair_lin is not None else set()
            groups = [{"params": [p for p in self.parameters() if id(p) not in pair],
                       "weight_decay": self.weight_decay}]
            if pair:
                groups.append({"params": list(self.pair_lin.parameters()), "weight_decay": 0.0})
            opt = torch.optim.Adam(groups, lr=self.lr)
            best, best_state, self.best_epoch_ = -np.inf, None, 0
            n_dst = inp.num_nodes[self.node_types[1]]
            edge_key = inp.edge_index[0] * n_dst + inp.edge_index[1]
            pair_key = fold.train.edge_label_index[0] * n_dst + fold.train.edge_label_index[1]
            for epoch in range(self.epochs):
                t0 = time.perf_counter()
                self.train()
                opt.zero_grad()
                edges, pairs, labels, px = inp.edge_index, fold.train.edge_label_index, y, \
                    train_px
                if self.disjoint_train_ratio > 0:
                    sup = torch.rand(len(y)) < self.disjoint_train_ratio
                    sup[torch.randint(len(y), (1,))] = True          # never an empty batch
                    held = pair_key[sup & (y > 0.5)]
                    edges = inp.edge_index[:, ~torch.isin(edge_key, held)]
                    pairs, labels = pairs[:, sup], y[sup]
                    px = px[sup] if px is not None else None
                z, cl = self.encode(inp.x, inp.homo_edge_index, edges)
                logits = self._logits(z, pairs, px)
                bce = F.binary_cross_entropy_with_logits(logits, labels)
                loss = bce + self.cl_weight * cl
                loss.backward()
                opt.step()
                val = self._val_score(inp, fold.val, val_px) if has_val else -float(bce)
                secs = time.perf_counter() - t0
                self.history_.append({"epoch": epoch, "loss": loss.item(), "bce": bce.item(),
                                      "cl": cl.item(), "val": val, "seconds": secs})
                logger.info("MFERL fold %d epoch %d loss %.4f val %.4f (%.2fs)",
                            fold.index, epoch, loss.item(), val, secs)
                if val > best:
                    best, self.best_epoch_ = val, epoch
                    best_state = copy.deepcopy(self.state_dict())
                elif epoch - self.best_epoch_ >= self.patience:
                    break
            if best_state is not None:
                self.load_state_dict(best_state)
        self.eval()
        self.inputs_ = inp
        self.views_ = {t: list(v) for t, v in inp.views.items()}
        self.view_sources_ = {t: dict(s) for t, s in inp.sources.items()}
        self.best_val_ = best
        self.epoch_seconds_ = float(np.mean([h["seconds"] for h in self.history_]))
        self.fit_seconds_ = time.perf_counter() - t_start
        train_s = float(sum(h["seconds"] for h in self.history_))
        self.fit_info_ = {"epochs": len(self.history_), "best_epoch": int(self.best_epoch_),
                          "epoch_s": self.epoch_seconds_, "train_s": train_s,
                          "features_s": self.fit_seconds_ - train_s,
                          "views": self.view_sources_}
        return self

    def score(self, graph: HeteroData | None, edge_label_index: Tensor) -> Tensor:
        """Interaction probabilities ``[N]`` of ``edge_label_index`` (source type first).

        Graph-derived inputs always come from the training graph seen by :meth:`fit`, so
        scoring cannot leak test edges; ``graph`` is only checked for matching node counts.
        """
        if not hasattr(self, "inputs_"):
            raise ValueError("MFERL: call fit(fold) before score()")
        if graph is not None:
            for t in self.node_types:
                if t in graph.node_types and int(graph[t].num_nodes) != self.inputs_.num_nodes[t]:
                    raise ValueError(f"MFERL.score: graph has {graph[t].num_nodes} {t} nodes, "
                                     f"the model was fitted on {self.inputs_.num_nodes[t]}")
        inp = self.inputs_
        pair_x = self._pair_x(graph, edge_label_index.long())
        self.eval()
        with torch.no_grad(), _threads(self.num_threads):
            return torch.sigmoid(self(inp.x, inp.homo_edge_index, inp.edge_index,
                                      edge_label_index.long(), pair_x))

    def __repr__(self) -> str:
        off = [n for n, on in (("homo", self.use_homo), ("mcam", self.use_mcam),
                               ("heter", self.use_heter), ("cl", self.use_cl)) if not on]
        extra = f", without={off}" if off else ""
        extra += ", pair_features=True" if self.pair_features else ""
        if self.disjoint_train_ratio:
            extra += f", disjoint_train_ratio={self.disjoint_train_ratio}"
        return (f"{type(self).__name__}(hidden_channels={self.hidden_channels}, "
                f"views={list(self.views)}, heads={self.heads}, k={self.k}{extra})")
