"""MFERLNet: MFERL's network, tensors in and tensors out (private network of MFERL)."""
from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from rnagraph.models._pair_term import PairTerm
from rnagraph.nn.attention import MCAM
from rnagraph.nn.conv import BilinearInteraction, HomoGCN
from rnagraph.nn.heads import CNNProductHead
from rnagraph.nn.losses import InfoNCE
from rnagraph.typing import NodeType


class MFERLNet(torch.nn.Module):
    r"""The network of MFERL (`Peng et al., BMC Biology 2025
    <https://doi.org/10.1186/s12915-025-02227-6>`_) for one source / target node-type pair.

    For each node type :math:`t` every view :math:`v` (e.g. Levenshtein similarity row, CTD,
    1-4-mer, Doc2Vec, Role2Vec; ``"embedding"``: a learnable table) is projected to :math:`d`,
    :math:`\mathbf{X}_{t,v} = \mathrm{dropout}(\mathbf{x}_{t,v} \mathbf{W}_{t,v})`. Then

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
        \hat{y}_{ij} = \mathrm{CNNProductHead}(\mathbf{Z}_c, \mathbf{Z}_m)_{ij}
        \;[+\; \mathbf{w}^\top \phi_{ij} + b]

    with :math:`G_t` the similarity graph of type :math:`t` and :math:`\phi_{ij}` optional pair
    features (seed-site counts, ``pair_channels > 0``; our extension). :meth:`loss` is
    :math:`\mathrm{BCE} + \lambda \sum_t w_t \sum_b \mathrm{InfoNCE}(\mathbf{X}^b_t,
    \mathbf{E}_t)` (Eqs. 8-14; :math:`w_{\mathrm{dst}} = 1`, :math:`w_{\mathrm{src}} = \alpha`);
    the L2 term is the optimiser's weight decay. BatchNorm uses batch statistics over all nodes
    of a type (full batch, so training and evaluation agree); it removes the branch outputs'
    shared offset that otherwise leaves the head's ReLUs dead.

    Args:
        in_channels (dict): ``{node_type: {view: width}}`` for the source then the target type;
            an ``"embedding"`` view's width is its number of nodes.
        hidden_channels (int): :math:`d`. (default: ``128``)
        heads (int), k (int): bilinear attention heads and rank multiplier. (default: 2, 3)
        temperature (float): InfoNCE :math:`\tau`. (default: ``0.1``)
        cl_weight (float): :math:`\lambda`. (default: ``0.01``)
        src_cl_weight (float): :math:`\alpha`. (default: ``1.0``)
        cl_nodes (int, optional): InfoNCE over this many random nodes per step and type
            (:class:`~rnagraph.nn.losses.InfoNCE` ``max_nodes``; ``None``: all, the paper's
            :math:`O(N^2 d)` form). (default: ``1024``)
        channel_pool (str): MCAM channel pooling, ``'graph'`` (paper) or ``'node'``.
        dropout (float): dropout on the projected views. (default: ``0.5``)
        disjoint_train_ratio (float): in training, :meth:`loss` draws a random fraction
            :math:`r` of the pairs, scores only those and removes their positives from the
            bilinear branch's message edges for that step (PyG's ``RandomLinkSplit`` option,
            drawn anew each step); ``0``: the paper's training. (default: ``0.0``)
        use_homo, use_mcam, use_heter, use_cl (bool): branch switches for ablations
            (:class:`~rnagraph.models.MFERL` sets them from its encoder's ``blocks`` and its
            contrastive term's ``cl_weight > 0``). (default: all ``True``)
        pair_channels (int): width of :math:`\phi` (``0``: no pair term). (default: ``0``)
        pair_init (Sequence[float], optional): initial :math:`\mathbf{w}` (:math:`b = 0`).

    Shapes:
        - **input:** ``x_dict {t: {v: [N_t, F_v]}}``, ``homo_edge_index {t: [2, E_t]}``,
          ``edge_index [2, E]`` (message edges, source type first), ``edge_label_index
          [2, B]``, ``pair_x [B, pair_channels]``
        - **output:** :meth:`encode` ``({t: [N_t, nb d]}, [])`` (:math:`nb` active branches),
          :meth:`forward` logits ``[B]``
    """

    def __init__(self, in_channels: dict[NodeType, dict[str, int]], hidden_channels: int = 128,
                 *, heads: int = 2, k: int = 3, temperature: float = 0.1,
                 cl_weight: float = 0.01, src_cl_weight: float = 1.0,
                 cl_nodes: int | None = 1024, channel_pool: str = "graph",
                 dropout: float = 0.5, disjoint_train_ratio: float = 0.0,
                 use_homo: bool = True, use_mcam: bool = True, use_heter: bool = True,
                 use_cl: bool = True, pair_channels: int = 0,
                 pair_init: Sequence[float] | None = None) -> None:
        super().__init__()
        if len(in_channels) != 2 or not all(in_channels.values()):
            raise ValueError(f"MFERLNet: in_channels needs views for exactly two node types "
                             f"(source, target), got {in_channels}")
        self.check_args(use_homo, use_mcam, use_heter, disjoint_train_ratio)
        self.in_channels = {t: dict(v) for t, v in in_channels.items()}
        self.node_types: tuple[NodeType, NodeType] = tuple(in_channels)
        self.hidden_channels, self.heads, self.k = hidden_channels, heads, k
        self.cl_weight, self.src_cl_weight, self.dropout = cl_weight, src_cl_weight, dropout
        self.disjoint_train_ratio = disjoint_train_ratio
        self.use_homo, self.use_mcam, self.use_heter, self.use_cl = (use_homo, use_mcam,
                                                                     use_heter, use_cl)
        d, nv = hidden_channels, {t: len(v) for t, v in self.in_channels.items()}
        md = torch.nn.ModuleDict
        self.proj = md({t: md({v: torch.nn.Embedding(c, d) if v == "embedding"
                               else torch.nn.Linear(c, d) for v, c in views.items()})
                        for t, views in self.in_channels.items()})
        self.init_lin = md({t: torch.nn.Linear(nv[t] * d, d) for t in self.node_types})
        self.homo = md({t: HomoGCN(d, d, num_views=len(self._homo_views(t)))
                        for t in self.node_types}) if use_homo else None
        self.mcam = md({t: MCAM(nv[t], d, d, pool=channel_pool)
                        for t in self.node_types}) if use_mcam else None
        src, dst = self.node_types
        self.heter = BilinearInteraction((nv[src] * d, nv[dst] * d), d, heads=heads,
                                         k=k) if use_heter else None
        width = (int(use_homo) + int(use_mcam) + int(use_heter)) * d
        self.norm = md({t: torch.nn.BatchNorm1d(width, track_running_stats=False)
                        for t in self.node_types})
        self.head = CNNProductHead(width)
        self.pair_lin = PairTerm(pair_channels, pair_init) if pair_channels else None
        self.infonce = InfoNCE(temperature, max_nodes=cl_nodes)
        self.reset_parameters()

    @staticmethod
    def check_args(use_homo: bool, use_mcam: bool, use_heter: bool,
                   disjoint_train_ratio: float) -> None:
        """Raise ``ValueError`` for switches that leave no branch or a ratio outside [0, 1)
        (:class:`~rnagraph.models.MFERL` checks its parts' values before it builds one)."""
        if not (use_homo or use_mcam or use_heter):
            raise ValueError("MFERLNet: at least one of use_homo, use_mcam, use_heter must be "
                             "True")
        if not 0.0 <= disjoint_train_ratio < 1.0:
            raise ValueError(f"MFERLNet: disjoint_train_ratio must be in [0, 1), got "
                             f"{disjoint_train_ratio}")

    def _homo_views(self, t: NodeType) -> list[str]:
        rest = [v for v in self.in_channels[t] if v != "similarity"]
        return rest or list(self.in_channels[t])

    def reset_parameters(self) -> None:
        """Re-initialise every layer (the pair term at ``pair_init``, if given)."""
        for t in self.node_types:
            for lin in self.proj[t].values():
                lin.reset_parameters()
            self.init_lin[t].reset_parameters()
            self.norm[t].reset_parameters()
            for branch in (self.homo, self.mcam):
                if branch is not None:
                    branch[t].reset_parameters()
        if self.heter is not None:
            self.heter.reset_parameters()
        self.head.reset_parameters()
        if self.pair_lin is not None:
            self.pair_lin.reset_parameters()

    def encode(self, x_dict: dict[NodeType, dict[str, Tensor]],
               homo_edge_index: dict[NodeType, Tensor], edge_index: Tensor,
               compute_cl: bool = True) -> tuple[dict[NodeType, Tensor], Tensor]:
        r"""Node representations :math:`\mathbf{Z}_t` and the weighted contrastive loss (a
        scalar; 0 with ``use_cl=False`` or ``compute_cl=False``)."""
        src, dst = self.node_types
        stacks, branches, init = {}, {}, {}
        for t in self.node_types:
            hs = []
            for v, lin in self.proj[t].items():
                if v == "embedding":
                    h = lin.weight
                elif v not in x_dict.get(t, {}):
                    raise ValueError(f"MFERLNet: missing view {v!r} of node type {t!r}")
                else:
                    h = lin(x_dict[t][v])
                hs.append(F.dropout(h, p=self.dropout, training=self.training))
            stacks[t] = torch.stack(hs, dim=1)                          # [N, V, d]
            init[t] = self.init_lin[t](stacks[t].flatten(1))
            branches[t] = []
            if self.homo is not None:
                idx = [list(self.in_channels[t]).index(v) for v in self._homo_views(t)]
                branches[t].append(self.homo[t]([hs[i] for i in idx], homo_edge_index[t]))
            if self.mcam is not None:
                branches[t].append(self.mcam[t](stacks[t]))
        if self.heter is not None:
            out_src, out_dst = self.heter((stacks[src].flatten(1), stacks[dst].flatten(1)),
                                          edge_index, target="both")
            branches[src].append(out_src)
            branches[dst].append(out_dst)
        cl = init[src].new_zeros(())
        if compute_cl and self.use_cl and self.cl_weight > 0:
            for t, w in ((src, self.src_cl_weight), (dst, 1.0)):
                cl = cl + w * sum(self.infonce(b, init[t]) for b in branches[t])
        return {t: self.norm[t](torch.cat(branches[t], dim=-1)) for t in self.node_types}, cl

    def decode(self, z: dict[NodeType, Tensor], edge_label_index: Tensor,
               pair_x: Tensor | None = None) -> Tensor:
        """Logits ``[B]`` of the pairs ``edge_label_index`` from representations ``z``."""
        logits = self.head(z[self.node_types[0]], z[self.node_types[1]], edge_label_index)
        return logits + self._pair_term(pair_x, logits.shape)

    def decode_grid(self, z: dict[NodeType, Tensor], src: Tensor, dst: Tensor,
                    pair_x: Tensor | None = None) -> Tensor:
        """Logits ``[R, C]`` of every pair of sources ``src`` ``[R]`` and targets ``dst``
        ``[C]`` (``pair_x`` ``[R * C, pair_channels]``, source-major): the head as one matrix
        product, equal to :meth:`decode` of those pairs."""
        grid = self.head.grid(z[self.node_types[0]][src], z[self.node_types[1]][dst])
        return grid + self._pair_term(pair_x, grid.shape)

    def _pair_term(self, pair_x: Tensor | None, shape: torch.Size) -> Tensor | float:
        if self.pair_lin is None:
            return 0.0
        if pair_x is None:
            raise ValueError("MFERLNet: pair_channels > 0 needs pair_x [B, pair_channels] "
                             "(rnagraph.features.SeedSiteFeatures)")
        return self.pair_lin(pair_x).view(shape)

    def forward(self, x_dict: dict[NodeType, dict[str, Tensor]],
                homo_edge_index: dict[NodeType, Tensor], edge_index: Tensor,
                edge_label_index: Tensor, pair_x: Tensor | None = None) -> Tensor:
        """Logits ``[B]`` of ``edge_label_index`` (``[2, B]``, source type first)."""
        z, _ = self.encode(x_dict, homo_edge_index, edge_index, compute_cl=False)
        return self.decode(z, edge_label_index, pair_x)

    def loss(self, x_dict: dict[NodeType, dict[str, Tensor]],
             homo_edge_index: dict[NodeType, Tensor], edge_index: Tensor,
             edge_label_index: Tensor, edge_label: Tensor,
             pair_x: Tensor | None = None) -> tuple[Tensor, dict[str, float]]:
        """Training loss (BCE + :math:`\\lambda` InfoNCE) of labelled pairs, with the
        ``disjoint_train_ratio`` draw in training mode; returns ``(loss, {"bce", "cl"})``."""
        pairs, y, px = edge_label_index, edge_label, pair_x
        if self.training and self.disjoint_train_ratio > 0:
            sup = torch.rand(y.numel(), device=y.device) < self.disjoint_train_ratio
            sup[torch.randint(y.numel(), (1,), device=y.device)] = True   # never empty
            n_dst = int(torch.cat([edge_index[1], pairs[1]]).max()) + 1
            held = (pairs[0] * n_dst + pairs[1])[sup & (y > 0.5)]
            edge_index = edge_index[:, ~torch.isin(edge_index[0] * n_dst + edge_index[1], held)]
            pairs, y, px = pairs[:, sup], y[sup], None if px is None else px[sup]
        z, cl = self.encode(x_dict, homo_edge_index, edge_index)
        bce = F.binary_cross_entropy_with_logits(self.decode(z, pairs, px), y)
        return bce + self.cl_weight * cl, {"bce": bce.item(), "cl": cl.item()}

    def __repr__(self) -> str:
        off = [n for n, on in (("homo", self.use_homo), ("mcam", self.use_mcam),
                               ("heter", self.use_heter), ("cl", self.use_cl)) if not on]
        extra = f", without={off}" if off else ""
        extra += f", pair_channels={self.pair_lin.in_features}" if self.pair_lin else ""
        if self.disjoint_train_ratio:
            extra += f", disjoint_train_ratio={self.disjoint_train_ratio}"
        views = {t: list(v) for t, v in self.in_channels.items()}
        return (f"{type(self).__name__}(views={views}, hidden_channels={self.hidden_channels}, "
                f"heads={self.heads}, k={self.k}{extra})")
