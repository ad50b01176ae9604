"""An MLP on structural pair features (optionally plus GraphSAGE), trained with popularity
negatives."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import message_edges
from rnagraph.data.fold import Fold
from rnagraph.features.structural import STRUCTURAL_FEATURES, StructuralPairFeatures
from rnagraph.models.base import LinkModel, grid_pairs
from rnagraph.models.sage_link import _SAGENet
from rnagraph.nn.heads._utils import pair_dot
from rnagraph.train.trainer import Trainer
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
    generator, seeded by the trainer), plus ``rank_weight`` x a sampled-softmax ranking loss of
    each positive against ``rank_k`` of its fixed one-end corruptions per side (``rank``: the
    sorted codes of the training positives and their ``[P, R]`` corrupting source / destination
    ids, ``-1`` where a corruption is a training positive); features come from a code-indexed
    table built once."""

    def __init__(self, net: _StructNet, edges: dict[EdgeType, Tensor], feats:
                 StructuralPairFeatures, table: tuple[np.ndarray, Tensor], pool: Tensor,
                 neg_ratio: float, disjoint: float, device: torch.device,
                 rank: tuple[np.ndarray, Tensor, Tensor] | None = None,
                 rank_weight: float = 0.0, rank_k: int = 0, rank_batch: int = 0):
        self.module, self.feats, self.device = net, feats, device
        self.edges = {et: e.to(device) for et, e in edges.items()}
        self.codes, self.phi = table[0], table[1].to(device)
        self.pool, self.neg_ratio, self.disjoint = pool, neg_ratio, disjoint
        self.rank, self.rank_weight, self.rank_k = rank, rank_weight, rank_k
        self.rank_batch = rank_batch

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
        p = pairs.cpu().numpy()
        c = p[0].astype(np.int64) * self.feats.n_dst_ + p[1]
        i = np.minimum(np.searchsorted(self.codes, c), len(self.codes) - 1)
        if (self.codes[i] == c).all():
            return self.phi[torch.from_numpy(i).to(self.device)]
        return self.feats.transform(pairs.cpu()).to(self.device)

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
        lp = logits[at][:, None]
        rank = 0.0
        for lc, valid in ((out[n_b:n_b + n_p * k], vd), (out[n_b + n_p * k:], vs)):
            lc = lc.view(n_p, k).masked_fill(~valid, float("-inf"))
            rank = rank + (torch.logsumexp(torch.cat([lp, lc], 1), 1) - lp[:, 0]).mean() / 2
        return bce + self.rank_weight * rank, {"bce": float(bce.detach()),
                                               "rank": float(rank.detach())}

    def logits(self, pairs: Tensor) -> Tensor:
        return self.module.decode(self.module.embed(self.edges), pairs, self._phi(pairs))


def _rank_corruptions(pos: np.ndarray, n_src: int, n_dst: int, r: int,
                      rng: np.random.Generator,
                      degree_share: float = 0.0) -> tuple[np.ndarray, Tensor, Tensor]:
    """The ranking pool of the positives ``pos [2, P]``: their sorted codes
    (``src * n_dst + dst``) and, row by row in that order, ``[P, r]`` uniform source ids that
    corrupt the pair while keeping its destination and ``[P, r]`` destination ids keeping its
    source (the candidates of all-candidate ranking); ``-1`` marks a draw that is itself a
    positive; the first ``round(degree_share * r)`` columns draw in proportion to the
    training degree instead (the popular competitors that top a ranking)."""
    codes = np.unique(pos[0].astype(np.int64) * n_dst + pos[1])
    s, d = codes // n_dst, codes % n_dst
    cs = rng.integers(n_src, size=(codes.size, r))
    cd = rng.integers(n_dst, size=(codes.size, r))
    h = int(round(degree_share * r))
    if h:
        for c, n, side in ((cs, n_src, 0), (cd, n_dst, 1)):
            w = np.bincount(pos[side], minlength=n).astype(np.float64)
            c[:, :h] = rng.choice(n, size=(codes.size, h), p=w / w.sum())
    cs[np.isin(cs * n_dst + d[:, None], codes)] = -1
    cd[np.isin(s[:, None] * n_dst + cd, codes)] = -1
    return codes, torch.from_numpy(cs), torch.from_numpy(cd)


def _popularity_negatives(pos: np.ndarray, n_src: int, n_dst: int, n: int, degree_share: float,
                         rng: np.random.Generator, corrupt_share: float = 0.0) -> np.ndarray:
    """``[2, <=n]`` pairs that are not in ``pos [2, P]``: a ``degree_share`` keep one end of a
    random positive and draw the other in proportion to its degree in ``pos``, a
    ``corrupt_share`` keep one end and draw the other uniformly (each side half of the time),
    the rest are uniform pairs; every draw is among the nodes with positives."""
    ks, kd = np.bincount(pos[0], minlength=n_src), np.bincount(pos[1], minlength=n_dst)
    n_deg, n_cor = int(round(n * degree_share)), int(round(n * corrupt_share))
    n_uni = max(n - n_deg - n_cor, 0)
    s, d = [], []
    for m, ws, wd in ((n_deg, ks, kd), (n_cor, ks > 0, kd > 0)):
        e, half = rng.integers(pos.shape[1], size=m), m // 2
        s += [pos[0, e[:half]], rng.choice(n_src, size=m - half, p=ws / ws.sum())]
        d += [rng.choice(n_dst, size=half, p=wd / wd.sum()), pos[1, e[half:]]]
    us, ud = np.flatnonzero(ks), np.flatnonzero(kd)
    s, d = (np.concatenate([us[rng.integers(us.size, size=n_uni)], *s]),
            np.concatenate([ud[rng.integers(ud.size, size=n_uni)], *d]))
    keep = ~np.isin(s * n_dst + d, pos[0].astype(np.int64) * n_dst + pos[1])
    return np.stack([s[keep], d[keep]])


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

    **Negatives.** Beside ``fold.train``'s labelled pairs, each epoch draws ``neg_ratio``
    negatives per positive from a pool of ``pool_ratio`` x as many, fixed at :meth:`fit`:
    a ``degree_share`` of them keep one end of a training positive and draw the other in
    proportion to its training degree (word2vec-style popularity negatives, so degree alone
    cannot separate them), a ``corrupt_share`` keep one end and draw the other uniformly (the
    candidates of all-candidate ranking), the rest are uniform pairs; all draws are among the
    nodes with training pairs, and training positives are rejected.

    **Ranking loss.** All-candidate ranking (MRR, Hits@k) ranks a held-out pair against every
    unobserved pair of the same RNA, which BCE on a mixed negative pool does not target. With
    ``rank_weight`` :math:`\lambda > 0` the loss is

    .. math::
        \mathcal{L} = \mathrm{BCE} + \frac{\lambda}{2} \sum_{\text{side}}
        \frac{1}{|B|} \sum_{(s, d) \in B}
        \Big[\log\Big(e^{x_{sd}} + \sum_{j=1}^{K} e^{x_{c_j}}\Big) - x_{sd}\Big],

    a sampled softmax (listwise cross-entropy) of each positive in :math:`B` (``rank_batch``
    random training positives per step; all when ``0``) against :math:`K` = ``rank_k``
    corruptions :math:`c_j` that keep its destination (a new source) and, as the second side,
    :math:`K` that keep its source; the corruptions are drawn each step from a fixed pool of
    ``rank_pool`` uniform draws per positive and side (the candidates of the ranking; draws
    that are training positives are masked out; a ``rank_degree_share`` of them may instead be
    drawn in proportion to the training degree).

    The defaults (negative shares, :math:`\lambda`, :math:`K`, batch and pool) were chosen on
    validation pairs of cmi-9589; the search and its figures are in ``docs/results.md``
    ("StructLink: selection on validation pairs", ``benchmarks/struct_rank_val.py``).

    Everything is read from ``fold.train_graph`` / ``fold.train``;
    ``fold.val`` only early-stops (:class:`~rnagraph.train.Trainer`, full batch, Adam) and
    calibrates; ``fold.test`` is never read. The scoring graph's features are recomputed for
    the graph passed to :meth:`decision_function` (default: the fitted training graph).

    Args:
        hidden_channels (int): GraphSAGE width (``use_sage``). (default: ``64``)
        mlp_channels (int): hidden width of the structural MLP. (default: ``64``)
        power (float): CF sharpening exponent of the features. (default: ``2``)
        use_sage (bool): add the GraphSAGE logit. (default: ``False``)
        degree_share (float): share of popularity negatives. (default: ``0.34``)
        corrupt_share (float): share of uniform one-end corruptions; the two shares sum to at
            most 1, the rest are uniform pairs. (default: ``0.33``)
        neg_ratio (float): negatives per positive and epoch. (default: ``2``)
        rank_weight (float): weight :math:`\lambda` of the ranking loss; ``0`` = BCE only.
            (default: ``2``)
        rank_k (int): corruptions per positive, side and step. (default: ``64``)
        rank_pool (int): fixed corruptions per positive and side to draw them from.
            (default: ``128``)
        rank_batch (int): training positives in the ranking loss per step (a random subset;
            ``0`` = all). (default: ``512``)
        rank_degree_share (float): share of the ranking pool drawn in proportion to the
            training degree instead of uniformly, in ``[0, 1]``. (default: ``0``)
        pool_ratio (float): negative pool size per training positive. (default: ``20``)
        disjoint_train_ratio (float): share of training positives held out of the messages
            per step (``use_sage`` only), in ``[0, 1)``. (default: ``0.5``)
        epochs (int), lr (float), weight_decay (float), dropout (float), patience (int),
            eval_every (int): training, as :class:`~rnagraph.models.SAGELink`.
            (defaults: ``300``, ``0.03``, ``0``, ``0``, ``50``, ``5``)
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)
        device (str): ``"cpu"``, ``"cuda"``, ... (default: ``"cpu"``)
        seed (int): seed of the pool, the initialisation and the per-epoch draws.
            (default: ``0``)
    """

    def __init__(self, hidden_channels: int = 64, mlp_channels: int = 64, power: float = 2.0,
                 use_sage: bool = False, degree_share: float = 0.34, corrupt_share: float = 0.33,
                 neg_ratio: float = 2.0, rank_weight: float = 2.0, rank_k: int = 64,
                 rank_pool: int = 128, rank_batch: int = 512, rank_degree_share: float = 0.0,
                 pool_ratio: float = 20.0,
                 disjoint_train_ratio: float = 0.5, epochs: int = 300,
                 lr: float = 0.03, weight_decay: float = 0.0, dropout: float = 0.0,
                 patience: int = 50, eval_every: int = 5, calibrate: bool = True,
                 device: str = "cpu", seed: int = 0):
        for name, value in list(locals().items()):
            if name not in ("self", "name", "__class__"):
                setattr(self, name, value)

    def _validate_params(self) -> None:
        c = self._check_param
        c("degree_share", 0.0 <= self.degree_share, "must be >= 0")
        c("corrupt_share", 0.0 <= self.corrupt_share
          and self.degree_share + self.corrupt_share <= 1.0, "must be >= 0, with degree_share "
          "+ corrupt_share <= 1")
        for name in ("neg_ratio", "pool_ratio", "rank_weight", "rank_batch"):
            c(name, getattr(self, name) >= 0, "must be >= 0")
        for name in ("rank_k", "rank_pool", "hidden_channels", "mlp_channels"):
            c(name, getattr(self, name) >= 1, "must be >= 1")
        c("rank_degree_share", 0.0 <= self.rank_degree_share <= 1.0, "must be in [0, 1]")
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
        trainer = Trainer(epochs=self.epochs, lr=self.lr, weight_decay=self.weight_decay,
                          batch_size=None, patience=self.patience, eval_every=self.eval_every,
                          device=task.device, seed=self.seed)
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
        rng = np.random.default_rng(self.seed)
        pool = _popularity_negatives(pos.numpy(), n_s, n_d,
                                     int(round(self.pool_ratio * pos.size(1))),
                                     self.degree_share, rng, self.corrupt_share)
        rank = None
        parts = [fold.train.edge_label_index.numpy(), pool]
        if self.rank_weight > 0:
            rank = _rank_corruptions(pos.numpy(), n_s, n_d, self.rank_pool, rng,
                                     self.rank_degree_share)
            codes_p, cs, cd = rank
            r = cs.size(1)
            for c, keep_dst in ((cs.numpy(), True), (cd.numpy(), False)):
                ok = c >= 0
                other = np.repeat((codes_p % n_d) if keep_dst else (codes_p // n_d), r)
                other = other.reshape(-1, r)[ok]
                parts.append(np.stack([c[ok], other]) if keep_dst else np.stack([other, c[ok]]))
        known = np.concatenate(parts, axis=1)
        codes = np.unique(known[0].astype(np.int64) * n_d + known[1])
        phi = feats.transform(np.stack([codes // n_d, codes % n_d]))
        edges = message_edges(g)
        net = self._build({nt: int(g[nt].num_nodes) for nt in g.node_types}, list(edges))
        net.mean.copy_(phi.mean(0))
        net.std.copy_(phi.std(0).clamp_min(1e-6))
        device = torch.device(self.device)
        return _StructTask(net, edges, feats, (codes, phi), torch.from_numpy(pool),
                           self.neg_ratio, self.disjoint_train_ratio, device, rank,
                           self.rank_weight, self.rank_k, self.rank_batch)

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
