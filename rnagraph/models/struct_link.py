"""An MLP on structural pair features (optionally plus GraphSAGE), trained with popularity
negatives."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import message_edges
from rnagraph.data.fold import Fold
from rnagraph.features.structural import STRUCTURAL_FEATURES, StructuralPairFeatures
from rnagraph.models.base import LinkModel, PairTable, grid_pairs
from rnagraph.models.sage_link import _SAGENet
from rnagraph.nn.heads._utils import pair_dot
from rnagraph.train.config import TrainerConfig
from rnagraph.train.popularity_negatives import PopularityNegatives
from rnagraph.train.ranking_loss import RankingLoss
from rnagraph.typing import EdgeType, NodeType


class _StructNet(torch.nn.Module):
    """Optional :class:`_SAGENet` (dot-product logit) plus an MLP on standardised pair
    features; ``forward(edges, pairs, phi [B, F]) -> [B]``."""

    def __init__(self, num_nodes: dict[NodeType, int] | None, edge_types: list[EdgeType],
                 channels: int, mlp_channels: int, dropout: float, src_t: str, dst_t: str):
        super().__init__()
        self.sage = (None if num_nodes is None
                     else _SAGENet(num_nodes, edge_types, channels, dropout))
        self.src_t, self.dst_t = src_t, dst_t
        nf = len(STRUCTURAL_FEATURES)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(nf, mlp_channels), torch.nn.ReLU(),
                                       torch.nn.Linear(mlp_channels, 1))
        self.register_buffer("mean", torch.zeros(nf))
        self.register_buffer("std", torch.ones(nf))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.sage is not None:
            self.sage.reset_parameters()
        for m in self.mlp:
            if isinstance(m, torch.nn.Linear):
                m.reset_parameters()

    def embed(self, edges: dict[EdgeType, Tensor]) -> tuple[Tensor, Tensor] | None:
        if self.sage is None:
            return None
        z = self.sage(edges)
        return z[self.src_t], z[self.dst_t]

    def decode(self, z: tuple[Tensor, Tensor] | None, pairs: Tensor | None,
               phi: Tensor) -> Tensor:
        out = self.mlp((phi - self.mean) / self.std).squeeze(-1)
        if z is not None:
            out = out + pair_dot(z[0], z[1], pairs)
        return out


class _StructTask:
    """What :class:`~rnagraph.train.Trainer` trains: BCE on the batch's pairs plus
    ``neg_ratio`` negatives per positive drawn each epoch from a fixed pool (torch global
    generator, seeded by the trainer), plus the ``ranking`` part's sampled-softmax term of
    each positive against ``rank_k`` of its fixed one-end corruptions per side (``rank``: the
    sorted codes of the training positives and their ``[P, R]`` corrupting source / destination
    ids, ``-1`` where a corruption is a training positive); features come from a code-indexed
    table built once."""

    def __init__(self, net: _StructNet, edges: dict[EdgeType, Tensor], feats:
                 StructuralPairFeatures, table: PairTable, pool: Tensor,
                 neg_ratio: float, disjoint: float, device: torch.device,
                 rank: tuple[np.ndarray, Tensor, Tensor] | None = None,
                 ranking: RankingLoss | None = None):
        self.module, self.feats, self.device = net, feats, device
        self.edges = {et: e.to(device) for et, e in edges.items()}
        self.table = table
        self.pool, self.neg_ratio, self.disjoint = pool, neg_ratio, disjoint
        self.rank = rank
        self.rank_weight = 0.0 if ranking is None else float(ranking.rank_weight)
        self.rank_k = 0 if ranking is None else int(ranking.rank_k)
        self.rank_batch = 0 if ranking is None else int(ranking.rank_batch)

    def _corruptions(self, pos: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """For positives ``pos [2, P]`` (training positives): ``rank_k`` corruptions per side
        drawn from their rows of the pool, as ``[2, P*K]`` pairs that keep the destination,
        ``[2, P*K]`` that keep the source, and the two ``[P, K]`` validity masks."""
        codes, keep_dst, keep_src = self.rank
        c = pos[0].cpu().numpy().astype(np.int64) * self.feats.n_dst_ + pos[1].cpu().numpy()
        rows = torch.from_numpy(np.searchsorted(codes, c))
        k, n_p = self.rank_k, pos.size(1)
        out = []
        for cand, keep in ((keep_dst, 1), (keep_src, 0)):
            pick = cand[rows[:, None], torch.randint(cand.size(1), (n_p, k))].to(self.device)
            other = pos[keep][:, None].expand(n_p, k)
            own = pos[1 - keep][:, None].expand(n_p, k)     # masked: the positive itself
            pick_ = torch.where(pick >= 0, pick, own)
            pair = (torch.stack([pick_, other]) if keep == 1
                    else torch.stack([other, pick_]))
            out.append((pair.reshape(2, -1), pick >= 0))
        return out[0][0], out[1][0], out[0][1], out[1][1]

    def _phi(self, pairs: Tensor) -> Tensor:
        phi = self.table.get(pairs)
        return phi if phi is not None else self.feats.transform(pairs.cpu()).to(self.device)

    def _held_out_edges(self, pairs: Tensor) -> dict[EdgeType, Tensor]:
        """The message edges without the positives ``pairs [2, P]`` (both directions)."""
        n_d = self.feats.n_dst_
        out = {}
        for et, e in self.edges.items():
            if et[0] == self.module.src_t and et[2] == self.module.dst_t:
                out[et] = e[:, ~torch.isin(e[0] * n_d + e[1], pairs[0] * n_d + pairs[1])]
            elif et[0] == self.module.dst_t and et[2] == self.module.src_t:
                out[et] = e[:, ~torch.isin(e[1] * n_d + e[0], pairs[0] * n_d + pairs[1])]
            else:
                out[et] = e
        return out

    def loss(self, pairs: Tensor, labels: Tensor) -> Tensor:
        edges = self.edges
        if self.disjoint > 0 and self.module.sage is not None:
            pos = labels > 0.5
            held = pos & (torch.rand(labels.numel(), device=labels.device) < self.disjoint)
            edges = self._held_out_edges(pairs[:, held])
            pairs, labels = pairs[:, held | ~pos], labels[held | ~pos]
        n = int(round(self.neg_ratio * float((labels > 0.5).sum())))
        if n > 0 and self.pool.size(1) > 0:
            neg = self.pool[:, torch.randint(self.pool.size(1), (n,))].to(self.device)
            pairs = torch.cat([pairs, neg], dim=1)
            labels = torch.cat([labels, labels.new_zeros(n)])
        z = self.module.embed(edges)
        if self.rank_weight <= 0 or self.rank is None:
            logits = self.module.decode(z, pairs, self._phi(pairs))
            return F.binary_cross_entropy_with_logits(logits, labels)
        at = torch.nonzero(labels > 0.5).squeeze(1)
        if self.rank_batch and at.numel() > self.rank_batch:    # a random subset this step
            at = at[torch.randperm(at.numel(), device=at.device)[:self.rank_batch]]
        pos = pairs[:, at]
        n_b, n_p, k = pairs.size(1), pos.size(1), self.rank_k
        cd, cs, vd, vs = self._corruptions(pos)
        every = torch.cat([pairs, cd, cs], dim=1)
        out = self.module.decode(z, every, self._phi(every))
        logits = out[:n_b]
        bce = F.binary_cross_entropy_with_logits(logits, labels)
        rank = RankingLoss.softmax(logits[at], [(out[n_b:n_b + n_p * k].view(n_p, k), vd),
                                                (out[n_b + n_p * k:].view(n_p, k), vs)])
        return bce + self.rank_weight * rank, {"bce": float(bce.detach()),
                                               "rank": float(rank.detach())}

    def logits(self, pairs: Tensor) -> Tensor:
        return self.module.decode(self.module.embed(self.edges), pairs, self._phi(pairs))


class StructLink(LinkModel):
    r"""An MLP on own-edge-free structural pair features, trained on popularity negatives
    (optionally plus a GraphSAGE logit).

    The logit of a pair :math:`(s, d)` is

    .. math::
        x_{sd} = \mathrm{MLP}\big((\phi_{sd} - \mu) / \sigma\big)
        \;[+\, \langle h_s^{(2)}, h_d^{(2)} \rangle],\qquad p_{sd} = \sigma(a\, x_{sd} + b),

    with :math:`\phi_{sd}` the seven features of
    :class:`~rnagraph.features.StructuralPairFeatures` read from ``fold.train_graph`` (log
    degrees; walk count, L3 of Kovács et al. 2019 and RA3 along length-3 paths, as the path
    baselines :class:`~rnagraph.models.PathL3` / :class:`~rnagraph.models.PathRA3` /
    :class:`~rnagraph.models.TruncatedKatz`; item-based collaborative-filtering "twin" terms
    after Sarwar et al. (WWW 2001), cosine similarity of partner sets sharpened by ``power``),
    each pair scored **without its own edge**, so a training positive is described as a
    held-out pair would be; :math:`(\mu, \sigma)` standardise them over the training pairs;
    the MLP has one hidden ReLU layer of ``mlp_channels``. This is the learned combination of
    link heuristics of SEAL / NCN / BUDDY-style models (Zhang & Chen, NeurIPS 2018; Wang et
    al., ICLR 2024; Chamberlain et al., ICLR 2023) reduced to precomputed sparse pair features,
    so fitting and all-pair scoring stay cheap. With ``use_sage=True`` the dot product of
    :class:`~rnagraph.models.SAGELink`'s embeddings is added (messages over the training
    graph; each step holds out a ``disjoint_train_ratio`` share of the training positives from
    the messages and supervises only those, PyG's ``disjoint_train_ratio``). It lowered
    validation AUC on cmi-9589 (the embeddings overfit within ~20 epochs), so the default is
    the MLP alone.

    **Negatives** (the ``negatives=`` part,
    :class:`~rnagraph.train.popularity_negatives.PopularityNegatives`). Beside
    ``fold.train``'s labelled pairs, each epoch draws ``neg_ratio`` negatives per positive from
    a pool of ``pool_ratio`` x as many, fixed at :meth:`fit`: a ``degree_share`` of them keep
    one end of a training positive and draw the other in proportion to its training degree
    (popularity negatives, so degree alone cannot separate them), a ``corrupt_share`` keep one
    end and draw the other uniformly, the rest are uniform pairs.

    **Ranking loss** (the ``ranking=`` part,
    :class:`~rnagraph.train.ranking_loss.RankingLoss`). All-candidate ranking (MRR, Hits@k)
    ranks a held-out pair against every unobserved pair of the same RNA, which BCE on a mixed
    negative pool does not target. With ``rank_weight`` :math:`\lambda > 0` the loss is

    .. math::
        \mathcal{L} = \mathrm{BCE} + \frac{\lambda}{2} \sum_{\text{side}}
        \frac{1}{|B|} \sum_{(s, d) \in B}
        \Big[\log\Big(e^{x_{sd}} + \sum_{j=1}^{K} e^{x_{c_j}}\Big) - x_{sd}\Big],

    a sampled softmax of each positive in :math:`B` (``rank_batch`` random training positives
    per step) against :math:`K` = ``rank_k`` corruptions :math:`c_j` per side, drawn each step
    from a pool of ``rank_pool`` per positive and side fixed at :meth:`fit`.

    The part names its parameters as the model always did (``degree_share``, ``rank_k``, ...),
    so ``get_model("struct", rank_k=32)``, ``rnagraph train --set rank_k=32`` and the search
    space reach them by their own name; in full they are ``negatives__degree_share``,
    ``ranking__rank_k``.

    The defaults (negative shares, :math:`\lambda`, :math:`K`, batch and pool) were chosen on
    validation pairs of cmi-9589; the search and its figures are in ``docs/results.md``
    ("StructLink: selection on validation pairs", ``benchmarks/struct_rank_val.py``).

    Everything is read from ``fold.train_graph`` / ``fold.train``;
    ``fold.val`` only early-stops (:class:`~rnagraph.train.Trainer`, Adam, full batch by
    default) and
    calibrates; ``fold.test`` is never read. The scoring graph's features are recomputed for
    the graph passed to :meth:`decision_function` (default: the fitted training graph).

    Args:
        hidden_channels (int): GraphSAGE width (``use_sage``). (default: ``64``)
        mlp_channels (int): hidden width of the structural MLP. (default: ``64``)
        power (float): CF sharpening exponent of the features. (default: ``2``)
        use_sage (bool): add the GraphSAGE logit. (default: ``False``)
        dropout (float): dropout between the GraphSAGE layers (``use_sage``).
            (default: ``0``)
        disjoint_train_ratio (float): share of training positives held out of the messages
            per step (``use_sage`` only), in ``[0, 1)``. (default: ``0.5``)
        negatives (PopularityNegatives, optional): the negative pool (above); ``None``:
            ``PopularityNegatives()`` (shares ``0.34`` / ``0.33``, ``neg_ratio=2``,
            ``pool_ratio=20``). (default: ``None``)
        ranking (RankingLoss, optional): the ranking term (above); ``None``: ``RankingLoss()``
            (``rank_weight=2``, ``rank_k=64``, ``rank_pool=128``, ``rank_batch=512``);
            ``RankingLoss(rank_weight=0)`` trains on BCE alone. (default: ``None``)
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)
        trainer (TrainerConfig, optional): epochs, learning rate, early stopping, device and
            seed (:class:`~rnagraph.train.config.TrainerConfig`; the seed also draws both
            pools); ``None``: :attr:`default_trainer` (300 epochs, ``lr=0.03``, no weight
            decay, full batch, ``patience=50`` epochs, ``eval_every=5``).
            ``StructLink.trainer_config(epochs=50)`` changes one option and keeps the
            others. (default: ``None``)
    """

    #: the :class:`~rnagraph.train.config.TrainerConfig` of ``trainer=None``
    default_trainer: ClassVar[dict[str, Any]] = {"epochs": 300, "lr": 0.03,
                                                 "weight_decay": 0.0, "patience": 50,
                                                 "eval_every": 5}

    def __init__(self, hidden_channels: int = 64, mlp_channels: int = 64, power: float = 2.0,
                 use_sage: bool = False, dropout: float = 0.0,
                 disjoint_train_ratio: float = 0.5,
                 negatives: PopularityNegatives | None = None,
                 ranking: RankingLoss | None = None, calibrate: bool = True,
                 trainer: TrainerConfig | None = None):
        self.hidden_channels = hidden_channels
        self.mlp_channels = mlp_channels
        self.power = power
        self.use_sage = use_sage
        self.dropout = dropout
        self.disjoint_train_ratio = disjoint_train_ratio
        # default parts are built here (as the trainer is), so that their parameters are
        # named in get_params and reachable by set_params before any fit
        self.negatives = PopularityNegatives() if negatives is None else negatives
        self.ranking = RankingLoss() if ranking is None else ranking
        self.calibrate = calibrate
        self.trainer = self._trainer_part(trainer)

    def _validate_params(self) -> None:
        c = self._check_param
        c("negatives", isinstance(self.negatives, PopularityNegatives),
          "must be a PopularityNegatives")
        c("ranking", isinstance(self.ranking, RankingLoss), "must be a RankingLoss")
        for name in ("hidden_channels", "mlp_channels"):
            c(name, getattr(self, name) >= 1, "must be >= 1")
        c("disjoint_train_ratio", 0.0 <= self.disjoint_train_ratio < 1.0, "must be in [0, 1)")
        StructuralPairFeatures(self.power)._validate_params()   # checks power

    def _build(self, num_nodes: dict[NodeType, int] | None,
               edge_types: list[EdgeType]) -> _StructNet:
        with torch.random.fork_rng(devices=[]):       # construction draws; Trainer reseeds
            return _StructNet(num_nodes if self.use_sage else None, edge_types,
                              self.hidden_channels, self.mlp_channels, self.dropout,
                              self.edge_type_[0], self.edge_type_[2])

    def _fit(self, fold: Fold) -> None:
        """Features and negatives from ``fold.train_graph`` / ``fold.train``; train."""
        task = self._task(fold)
        trainer = self.trainer.build(device=task.device)
        trainer.fit(task, fold.train, fold.val)
        self.net_, self.history_ = task.module, trainer.history_
        self.best_epoch_, self.fit_info_ = trainer.best_epoch_, trainer.fit_info()

    def _task(self, fold: Fold) -> _StructTask:
        """The untrained network, its feature table, negative pool and ranking pool, read
        from ``fold.train_graph`` / ``fold.train`` only."""
        pos = fold.train.pos_index
        if pos.size(1) == 0:
            raise ValueError("StructLink: fold has no training positives")
        g, (src_t, _, dst_t) = fold.train_graph, self.edge_type_
        n_s, n_d = int(g[src_t].num_nodes), int(g[dst_t].num_nodes)
        feats = StructuralPairFeatures(self.power).fit(g, self.edge_type_)
        rng = np.random.default_rng(self.trainer.seed)
        pool = self.negatives.pool(pos.numpy(), n_s, n_d, rng)
        rank = self.ranking.candidates(pos.numpy(), n_s, n_d, rng)
        parts = [fold.train.edge_label_index.numpy(), pool]
        if rank is not None:
            codes_p, cs, cd = rank
            r = cs.size(1)
            for c, keep_dst in ((cs.numpy(), True), (cd.numpy(), False)):
                ok = c >= 0
                other = np.repeat((codes_p % n_d) if keep_dst else (codes_p // n_d), r)
                other = other.reshape(-1, r)[ok]
                parts.append(np.stack([c[ok], other]) if keep_dst else np.stack([other, c[ok]]))
        known = np.concatenate(parts, axis=1)
        codes = np.unique(known[0].astype(np.int64) * n_d + known[1])
        distinct = np.stack([codes // n_d, codes % n_d])
        phi = feats.transform(distinct)
        edges = message_edges(g)
        net = self._build({nt: int(g[nt].num_nodes) for nt in g.node_types}, list(edges))
        net.mean.copy_(phi.mean(0))
        net.std.copy_(phi.std(0).clamp_min(1e-6))
        device = torch.device(self.trainer.device)
        table = PairTable(torch.from_numpy(distinct), phi.to(device), n_d)
        return _StructTask(net, edges, feats, table, torch.from_numpy(pool),
                           self.negatives.neg_ratio, self.disjoint_train_ratio, device, rank,
                           self.ranking)

    def _encode(self, graph: HeteroData) -> tuple:
        """SAGE embeddings (messages over ``graph``'s edges) and the features of
        ``graph``."""
        net = self.net_
        dev = next(net.parameters()).device
        net.eval()
        z = None
        if net.sage is not None:
            got = message_edges(graph)
            empty = torch.empty(2, 0, dtype=torch.long)
            with torch.no_grad():
                z = net.embed({et: got.get(et, empty).to(dev) for et in net.sage.edge_types})
        return z, StructuralPairFeatures(self.power).fit(graph, self.edge_type_)

    def _decision(self, encoded: tuple, pairs: Tensor) -> Tensor:
        z, feats = encoded
        dev = next(self.net_.parameters()).device
        with torch.no_grad():
            return self.net_.decode(z, pairs.to(dev), feats.transform(pairs).to(dev)).double()

    def _decision_grid(self, encoded: tuple, src: Tensor, dst: Tensor) -> Tensor:
        # ranking a block: the features as sparse block products (transform_grid) and the MLP
        # over row chunks of 8,192 pairs, whose [8192, 64] hidden layer stays in cache (faster
        # than one product over the block); equal to _decision within the block tolerance
        z, feats = encoded
        net, dev = self.net_, next(self.net_.parameters()).device
        x = feats.transform_grid(src, dst).float().to(dev)    # transform's float32
        with torch.no_grad():
            out = torch.cat([net.decode(None, None, c) for c in x.split(8192)])
            if z is not None:
                out = out + pair_dot(z[0], z[1], grid_pairs(src, dst).to(dev))
        return out.view(len(src), len(dst)).double()

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        net = self.net_
        extra = {"best_epoch": int(self.best_epoch_), "fit_info": self.fit_info_,
                 "history": self.history_}
        if net.sage is not None:
            extra.update(num_nodes=net.sage.num_nodes,
                         edge_types=[list(et) for et in net.sage.edge_types])
        return dict(net.state_dict()), extra

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        nn_ = extra.get("num_nodes")
        net = self._build(None if nn_ is None else {k: int(v) for k, v in nn_.items()},
                          [tuple(et) for et in extra.get("edge_types", [])])
        net.load_state_dict(tensors)
        self.net_ = net.eval()
        self.best_epoch_, self.fit_info_ = int(extra["best_epoch"]), extra["fit_info"]
        self.history_ = extra["history"]
