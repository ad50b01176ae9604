"""GRMMI: mutual-attention sequence branch + GraRep graph branch + BP fusion (miRNA-mRNA)."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.features import DuplexFeatures, SeedSiteFeatures
from rnagraph.features.seed_sites import complement
from rnagraph.models._grmmi_net import BLOCK_BYTES, CACHE_BYTES, GRMMINet
from rnagraph.models.base import LinkModel, PairTable, nonzero_std
from rnagraph.models.grmmi_parts import (
    FusionHead,
    KmerTable,
    PairingBranch,
    PairTerms,
    SequenceBranch,
)
from rnagraph.nn.encoders.base import GraphEncoder
from rnagraph.nn.pairing import DiagonalPairing, PairingMapCNN
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import MIRNA

#: the layers that read the nucleotide pairing map (:class:`PairingBranch`'s ``layer``)
PAIRINGS = {"map": PairingMapCNN, "diagonal": DiagonalPairing}
#: how the target is read
ORIENTATIONS = ("reverse", "reverse_complement", "forward")
#: a constructor default that builds the part's own defaults (``None`` leaves the branch out)
DEFAULT = "default"


def _count_seed_sites(mirna: str, target: str) -> int:
    """Canonical seed sites (8mer, 7mer-m8, 7mer-A1, 6mer) of ``mirna`` in ``target`` (both
    5'->3'), from the seed-site featurizer."""
    from rnagraph.features.seed_sites import find_sites
    return len(find_sites(mirna, target))


def default_graph_encoder() -> GraphEncoder:
    """The paper's graph branch: GraRep of 4 orders of 16 dimensions (64 in all)."""
    from rnagraph.nn.encoders import GraRep
    return GraRep(dim=16, order=4)


class GRMMI(LinkModel):
    r"""GRMMI (`Frontiers 2025 <https://doi.org/10.3389/fgene.2025.1563553>`_): miRNA-mRNA
    interaction prediction from a mutual-attention sequence branch and a graph-embedding
    branch, fused by a BP (one hidden layer MLP) head; a composition of parts
    (:mod:`rnagraph.models.grmmi_parts`) and one ``trainer=``.

    **Sequence branch** (``kmers`` + ``sequence_encoder``). Both sequences are split into
    overlapping k-mers and embedded with a table initialised from a skip-gram fitted on the
    sequences of the RNAs in ``fold.train`` only (:class:`KmerTable`); then the CNN, max-pool,
    BiLSTM and multi-head mutual attention of :class:`SequenceBranch`
    (:class:`~rnagraph.nn.MutualAttentionEncoder`), and optionally the nucleotide pairing
    map (``pairing``, :class:`PairingBranch`).

    **Orientation.** With ``mrna_orientation="reverse"`` (default, the paper's choice) the
    target is read **3'->5'**. A canonical site is the reverse complement of miRNA nt 2-8 in
    the target read 5'->3'; reversed, it becomes the plain complement of miRNA nt 2-8 in the
    same left-to-right order as the miRNA read 5'->3', so miRNA token :math:`i` and the site's
    token :math:`i` pair base by base. ``"reverse_complement"`` also complements it (the
    antisense strand): a site then reads as the miRNA's own letters, so a paired miRNA
    window and site window are the *same* k-mers and pass the shared embedding, CNN and
    LSTM to the same features, which the attention's query-key products can match
    directly (G:U wobbles read as G:A mismatches). ``"forward"`` keeps 5'->3'.

    **Graph branch** (``graph_encoder``): any :class:`~rnagraph.nn.encoders.GraphEncoder`
    (GraRep of 4 orders of 16 dimensions by default; ``LINE(dim=64)``, ``DeepWalk``,
    ``GraphFactorization``, ``HOPE``, ``LaplacianEigenmaps`` ...) fitted per fold on
    ``fold.train_graph`` with :class:`~rnagraph.nn.EncoderTransform`; nodes without training
    edges get the encoder's cold-start rows (zeros). The embeddings are fixed inputs, scaled
    by the standard deviation of the non-cold rows. ``graph_encoder=None`` gives the sequence
    branch alone; ``sequence_encoder=None`` the graph branch alone.

    **Missing sequences** (e.g. ``mtis-9214`` has no gene sequences) are normal: their side
    of the sequence branch is zero (masked) and the graph branch carries the pair.

    Training is :class:`~rnagraph.train.Trainer`'s mini-batch loop (binary cross-entropy on
    ``fold.train``, plus the pair terms' within-miRNA ranking term if asked; early stopping on
    ``fold.val``'s AUC, or its within-miRNA AUC with ``monitor="grouped_auc"``; both are
    recorded per epoch); calibration is the contract's Platt stage. Scoring encodes each
    sequence the first time one of its pairs is scored and keeps it in a bounded cache
    (:meth:`encoded`; :meth:`GRMMINet.encoding_cache`), and runs the attention per pair in
    blocks; cache and blocks are sized from :attr:`scoring_bytes` (half each; the bytes per
    node and per pair are computed from the shapes), so the memory of scoring, all-pair
    ranking included, does not grow with the graph.

    **New RNAs** (a scoring graph with RNAs appended after the fitted ones, see "New RNAs" in
    :mod:`rnagraph.models.base`; ``inductive = "sequence"``): the **sequence branch** encodes a
    new RNA's sequence directly (its k-mer tokens and, with ``pairing``, its nucleotides join
    the network's buffers for that graph only); the **graph branch**, which learned nothing
    about the new RNA, gives it the weighted mean of the fixed graph embeddings of its
    sequence neighbours (:meth:`~rnagraph.models.base.LinkModel.sequence_neighbours`: its
    ``transfer.k`` most sequence-similar known RNAs of its type, weights summing to 1; a zero
    embedding, as for a fitted RNA without training pairs, where it has none); the pair term
    counts no training pair for a new miRNA (``mirna_count``). A new RNA without a sequence is
    not scored (its pairs are NaN, :meth:`scoring_status` says why). In an inductive fold
    (validation RNAs absent from ``fold.train_graph``) early stopping scores the validation
    pairs the same way on ``fold.graph_for("val")``.

    Presets: :meth:`paper` (the defaults) and :meth:`recommended` (the validation pick on
    miTAR), also in the registry (``rnagraph models``).

    Args:
        kmers (KmerTable): k-mer length, table size and initialisation, token cap.
            (default: ``KmerTable()``: 6-mers, 64 dimensions, FastText)
        sequence_encoder (SequenceBranch, optional): the sequence branch; ``None`` leaves it
            out. (default: ``SequenceBranch()``)
        pairing (PairingBranch, optional): the nucleotide pairing map's features, appended
            to the sequence branch's pair vector. (default: ``None``)
        graph_encoder (GraphEncoder, optional): the graph branch's node encoder; ``None``
            leaves it out. (default: ``GraRep(dim=16, order=4)``)
        pair_terms (PairTerms): the seed-site pair term, the miRNA's count, the ranking
            term. (default: ``PairTerms()``: none)
        head (FusionHead): fusion of the branches, the BP layer, or a scikit-learn
            classifier. (default: ``FusionHead()``)
        mrna_orientation (str): ``"reverse"`` (3'->5'), ``"reverse_complement"`` or
            ``"forward"``. (default: ``"reverse"``)
        trainer (TrainerConfig, optional): the training loop's options. (default:
            :attr:`default_trainer`: 24 epochs, lr ``1e-3``, batches of 128, patience 5,
            gradient norm clipped at 5)
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)

    The constructor defaults ``"default"`` build a fresh default part per model.
    """

    #: bytes of scoring memory above the fitted model: half for the cache of encoded
    #: sequences, half for a block's per-pair temporaries (an estimate from the shapes:
    #: :meth:`GRMMINet.node_bytes`, :meth:`GRMMINet.pair_bytes`)
    scoring_bytes: ClassVar[int] = CACHE_BYTES + BLOCK_BYTES
    #: new RNAs are scored from their sequence (see "New RNAs" above)
    inductive: ClassVar[str | None] = "sequence"
    default_trainer: ClassVar[dict[str, Any]] = {"epochs": 24, "lr": 1e-3, "batch_size": 128,
                                                 "patience": 5, "grad_clip": 5.0}

    def __init__(self, kmers: KmerTable | None = None,
                 sequence_encoder: SequenceBranch | str | None = DEFAULT,
                 pairing: PairingBranch | None = None,
                 graph_encoder: GraphEncoder | str | None = DEFAULT,
                 pair_terms: PairTerms | None = None, head: FusionHead | None = None,
                 mrna_orientation: str = "reverse", trainer: TrainerConfig | None = None,
                 calibrate: bool = True):
        self.kmers = KmerTable() if kmers is None else kmers
        self.sequence_encoder = (SequenceBranch() if sequence_encoder == DEFAULT
                                 else sequence_encoder)
        self.pairing = pairing
        self.graph_encoder = (default_graph_encoder() if graph_encoder == DEFAULT
                              else graph_encoder)
        self.pair_terms = PairTerms() if pair_terms is None else pair_terms
        self.head = FusionHead() if head is None else head
        self.mrna_orientation = mrna_orientation
        self.trainer = self._trainer_part(trainer)
        self.calibrate = calibrate

    @classmethod
    def paper(cls, **kw: Any) -> GRMMI:
        """The paper's configuration (registry preset ``grmmi-paper``: the defaults): 6-mer
        FastText table, CNN, BiLSTM, 4-head mutual attention, GraRep, concatenation and a BP
        head; ``kw`` (full or short parameter names) over it."""
        from rnagraph.models.registry import get_model
        return get_model("grmmi-paper", **kw)

    @classmethod
    def recommended(cls, **kw: Any) -> GRMMI:
        """The configuration the README recommends, chosen on miTAR's validation pairs
        (registry preset ``grmmi-seq-tuned-site-count-head``): the sequence branch alone with
        a frozen k-mer table, a convolution over the attention's logit maps, the seed-site
        term and the miRNA's count (also in the head's input), batches of 256, lr ``2e-3``
        cut by 0.3 on a plateau, an EMA of the weights; ``kw`` (full or short parameter
        names) over it."""
        from rnagraph.models.registry import get_model
        return get_model("grmmi-seq-tuned-site-count-head", **kw)

    # ------------------------------------------------------------------ checks and inputs
    def _validate_params(self) -> None:
        for name, part, types in (("kmers", self.kmers, KmerTable),
                                  ("sequence_encoder", self.sequence_encoder,
                                   (SequenceBranch, type(None))),
                                  ("pairing", self.pairing, (PairingBranch, type(None))),
                                  ("graph_encoder", self.graph_encoder,
                                   (GraphEncoder, type(None))),
                                  ("pair_terms", self.pair_terms, PairTerms),
                                  ("head", self.head, FusionHead)):
            if not isinstance(part, types):
                types = types if isinstance(types, tuple) else (types,)
                names = " or ".join(t.__name__ for t in types if t is not type(None))
                raise ValueError(f"GRMMI: {name}={part!r} must be a {names}"
                                 + ("" if name in ("kmers", "pair_terms", "head")
                                    else " or None"))
        self._check_param("mrna_orientation", self.mrna_orientation in ORIENTATIONS,
                          f"must be one of {ORIENTATIONS}")
        seq = self.sequence_encoder
        if seq is not None and seq.attention:
            c = seq.channels() or self.kmers.embedding_dim
            if c % seq.heads:
                raise ValueError(f"GRMMI: sequence_encoder.heads={seq.heads} must divide the "
                                 f"attention's feature size {c} (the LSTM's output)")
        if self.pairing is not None and self.sequence_encoder is None:
            raise ValueError("GRMMI: pairing is part of the sequence branch; it needs "
                             "sequence_encoder (not None)")
        if self.pair_terms.active and self.head.classifier != "mlp":
            raise ValueError("GRMMI: pair_terms (pair_features / duplex / mirna_count) add a "
                             "term to the network's logit; they need head.classifier='mlp', got "
                             f"{self.head.classifier!r}")
        if self.sequence_encoder is None and self.graph_encoder is None:
            raise ValueError("GRMMI: sequence_encoder=None and graph_encoder=None leave no "
                             "input; keep one branch")

    def _check_params(self) -> None:
        self._validate_parts()
        self._validate_params()

    @property
    def _device(self) -> str:
        return self.trainer.device

    def _sides(self, edge_type) -> tuple[int, str, str]:
        """(row of the miRNA in a pair, miRNA node type, target node type)."""
        if edge_type[0] == MIRNA:
            return 0, edge_type[0], edge_type[2]
        if edge_type[2] == MIRNA:
            return 1, edge_type[2], edge_type[0]
        raise ValueError(f"GRMMI: edge type {edge_type} has no {MIRNA!r} side")

    def target_sequence(self, seq: str | None) -> str | None:
        """A target sequence as the model reads it (reversed for ``"reverse"``, reversed and
        complemented for ``"reverse_complement"``)."""
        if seq is None or self.mrna_orientation == "forward":
            return seq
        if self.mrna_orientation == "reverse_complement":
            return complement(seq[::-1])
        return seq[::-1]

    def _tokens(self, seqs: list[str | None]) -> tuple[Tensor, Tensor]:
        return self.kmers.tokens(seqs)

    def _nucleotides(self, seqs: list[str | None]) -> Tensor:
        return self.kmers.nucleotides(seqs)

    def _pairs_mi_first(self, pairs: Tensor) -> Tensor:
        return pairs if self.mi_row_ == 0 else pairs.flip(0)

    def _embedding_init(self, fold: Fold, mi_seq: list, t_seq: list) -> Tensor | None:
        if self.kmers.init == "random":
            return None
        row = self.mi_row_
        used = fold.train.edge_label_index
        seqs = [mi_seq[i] for i in torch.unique(used[row]).tolist()]
        seqs += [t_seq[i] for i in torch.unique(used[1 - row]).tolist()]
        return self.kmers.fit_table([s for s in seqs if s is not None])

    def _graph_features(self, fold: Fold) -> tuple[Tensor, Tensor] | None:
        if self.graph_encoder is None:
            return None
        from sklearn.base import clone

        from rnagraph.nn.encoders import EncoderTransform
        g = EncoderTransform(clone(self.graph_encoder), [fold.edge_type],
                             name="grmmi").fit_transform(fold.train_graph)
        x_mi, x_t = g[self.mirna_type_].x_grmmi.float(), g[self.target_type_].x_grmmi.float()
        rows = torch.cat([x_mi, x_t])
        warm = rows[rows.abs().sum(1) > 0]
        scale = float(warm.std()) if warm.numel() > 1 else 1.0
        scale = scale if scale > 0 else 1.0
        return x_mi / scale, x_t / scale

    def _build_net(self, n: tuple[int, int], t: tuple[int, int], graph_channels: int,
                   embedding_init: Tensor | None,
                   nucleotides: tuple[int, int] = (0, 0)) -> GRMMINet:
        seq, head, terms = self.sequence_encoder, self.head, self.pair_terms
        encoder = (None if seq is None else
                   seq.build(self.kmers, embedding_init, max(t)))
        pairing = self.pairing.build() if self.pairing is not None else None
        init = terms.init()
        return GRMMINet(encoder, graph_channels, n, t, head.fusion, head.bp,
                        head.mlp_channels, head.dropout, pairing, nucleotides,
                        pair_channels=len(init), pair_init=init or None,
                        pair_head=terms.pair_head)

    def _sequence_pair_x(self, graph: HeteroData, pairs: Tensor,
                         duplex: Tensor | None = None) -> list[Tensor]:
        """The pair term's features that depend on the two sequences alone, of miRNA-first
        ``pairs``: seed-site features ``[B, 4]`` with ``pair_features``, the standardised
        duplex features with ``duplex`` (``duplex``: their raw values, when computed
        already)."""
        parts = []
        et = (self.mirna_type_, "pairs", self.target_type_)
        if self.pair_terms.pair_features:
            parts.append(SeedSiteFeatures().graph_transform(graph, et, pairs.cpu()))
        if self.pair_terms.duplex:
            x = DuplexFeatures().graph_transform(graph, et, pairs.cpu()) if duplex is None \
                else duplex
            parts.append((x - self.duplex_mean_) / self.duplex_std_)
        return parts

    def _pair_x(self, graph: HeteroData, pairs: Tensor, own: bool = False,
                known: PairTable | None = None) -> Tensor | None:
        r"""The pair term's features of miRNA-first ``pairs``: those of
        :meth:`_sequence_pair_x` (read from ``known`` where it holds every pair: the training
        pairs', computed once per fit), then :math:`\log(1 + n_v)` with
        ``mirna_count`` (``own``: the pairs are training rows, each counted in its miRNA's
        :math:`n_v`, which is taken off); ``None`` without either."""
        rows = None if known is None else known.get(pairs)
        parts = [rows] if rows is not None else self._sequence_pair_x(graph, pairs)
        if self.pair_terms.mirna_count:   # a new miRNA (past the fitted ones): no training pair
            c, i = self.mirna_counts_, pairs[0].cpu()
            n = torch.where(i < c.numel(), c[i.clamp(max=c.numel() - 1)], 0.0) - float(own)
            parts.append(torch.log1p(n.clamp(min=0)).unsqueeze(1))
        return torch.cat(parts, 1) if parts else None

    def _scoring_net(self, net: GRMMINet, graph: HeteroData) -> GRMMINet:
        """``net``, or where ``graph`` holds RNAs after the fitted ones, a copy sharing its
        parameters with their rows appended (:meth:`GRMMINet.with_nodes`): tokens (and
        nucleotides) of their sequences, and as graph embedding the weighted mean of their
        sequence neighbours' (:meth:`sequence_neighbours`)."""
        from rnagraph.data.build import node_sequences
        rows = {}
        for side, nt in (("mi", self.mirna_type_), ("m", self.target_type_)):
            n_fit = getattr(net, f"{side}_len").numel()
            if int(graph[nt].num_nodes) <= n_fit:
                continue
            seqs = node_sequences(graph, nt)[n_fit:]
            seqs = [s or None for s in seqs] if side == "mi" else \
                [self.target_sequence(s or None) for s in seqs]
            ids, lengths = self._tokens(seqs)
            x = getattr(net, f"x_{side}")
            if x.size(1):
                nb, w = self.sequence_neighbours(graph, nt)
                x_new = (w.to(x.device, x.dtype).unsqueeze(2) * x[nb.to(x.device)]).sum(1)
            else:
                x_new = x.new_zeros(len(seqs), 0)
            rows[side] = {"ids": ids, "len": lengths, "x": x_new}
            if net.pairing is not None:
                rows[side]["nt"] = self._nucleotides(seqs)
        return net.with_nodes(rows) if rows else net

    # ------------------------------------------------------------------ the contract
    def _fit(self, fold: Fold) -> None:
        self.mi_row_, self.mirna_type_, self.target_type_ = self._sides(fold.edge_type)
        g = fold.train_graph
        mi_seq = list(g[self.mirna_type_].get("seq") or [None] * g[self.mirna_type_].num_nodes)
        t_seq = [self.target_sequence(s) for s in
                 (g[self.target_type_].get("seq") or [None] * g[self.target_type_].num_nodes)]
        init = (self._embedding_init(fold, mi_seq, t_seq) if self.sequence_encoder is not None
                else None)
        mi_ids, mi_len = self._tokens(mi_seq)
        t_ids, t_len = self._tokens(t_seq)
        gx = self._graph_features(fold)
        dg = gx[0].size(1) if gx is not None else 0
        nt = ((self._nucleotides(mi_seq), self._nucleotides(t_seq)) if self.pairing is not None
              else None)
        net = self._build_net((len(mi_seq), len(t_seq)), (mi_ids.size(1), t_ids.size(1)), dg,
                              init, (nt[0].size(1), nt[1].size(1)) if nt else (0, 0))
        if nt:
            net.mi_nt.copy_(nt[0])
            net.m_nt.copy_(nt[1])
        net.mi_ids.copy_(mi_ids)
        net.mi_len.copy_(mi_len)
        net.m_ids.copy_(t_ids)
        net.m_len.copy_(t_len)
        if gx is not None:
            net.x_mi.copy_(gx[0])
            net.x_m.copy_(gx[1])
        train = self._mi_first(fold.train)
        if self.pair_terms.mirna_count:   # training pairs per miRNA: fold.train, labels unread
            self.mirna_counts_ = torch.bincount(train.edge_label_index[0].cpu(),
                                                minlength=len(mi_seq)).float()
        trainer = self.trainer.build(group_row=0)
        device = self._device
        # an inductive fold's validation RNAs are absent from the training graph: they are
        # scored as new RNAs on fold.graph_for("val") (the fitted nodes first, then them)
        vg = fold.graph_for("val")
        grows = any(int(vg[nt].num_nodes) > int(g[nt].num_nodes)
                    for nt in (self.mirna_type_, self.target_type_))
        known = None
        if self.pair_terms.pair_features or self.pair_terms.duplex:
            # the training pairs' sequence features, computed once instead of every epoch
            tr = train.edge_label_index.cpu()
            x = None
            if self.pair_terms.duplex:    # standardised over fold.train's pairs
                x = DuplexFeatures().graph_transform(
                    g, (self.mirna_type_, "pairs", self.target_type_), tr)
                self.duplex_mean_, self.duplex_std_ = x.mean(0), nonzero_std(x)
            known = PairTable(tr, torch.cat(self._sequence_pair_x(g, tr, x), 1),
                              int(vg[self.target_type_].num_nodes))
        pair_fn = ((lambda p, own: self._pair_x(vg, p, own, known if own else None))
                   if self.pair_terms.active else None)
        val_net = (lambda live: self._scoring_net(live, vg)) if grows else None
        trainer.fit(_Task(net, train, self.pair_terms.rank_weight, pair_fn, val_net), train,
                    self._mi_first(fold.val))
        self.net_ = net.cpu() if str(device) != "cpu" else net
        self.history_ = trainer.history_
        self.fit_info_ = trainer.fit_info()
        if self.head.classifier != "mlp":
            x = self.fused_features(None, fold.train.edge_label_index)
            self.head_ = self.head.sklearn_classifier(self.trainer.seed).fit(
                x, fold.train.edge_label.numpy())

    def _mi_first(self, links):
        from rnagraph.data.fold import LinkSet
        return LinkSet(self._pairs_mi_first(links.edge_label_index), links.edge_label)

    def _encode(self, graph: HeteroData) -> dict:
        """``{"net": the network for graph (new RNAs appended: :meth:`_scoring_net`),
        "cache": its bounded encoding cache or None, "graph": graph}`` (the graph gives the
        pair term's sequences); half of :attr:`scoring_bytes` for the cache, half for the
        temporaries of encoding into it (as for a block of pairs)."""
        net = self._scoring_net(self.net_.to(self._device).eval(), graph)
        half = self.scoring_bytes // 2
        return {"net": net, "cache": (net.encoding_cache(half, half)
                                      if net.encoder is not None else None), "graph": graph}

    def _blocks(self, net: GRMMINet, cache: dict | None, pairs: Tensor
                ) -> tuple[Tensor | None, list[slice]]:
        """How to score ``pairs`` (miRNA first) within the memory budget: an order (``None``:
        as given; by target when the block has more targets than the cache holds, so each
        is encoded once) and slices of :meth:`GRMMINet.pair_block` pairs (half of
        :attr:`scoring_bytes` of temporaries each)."""
        step = net.pair_block(self.scoring_bytes // 2)
        order = None
        if cache is not None and torch.unique(pairs[1]).numel() > net.capacity(cache, "m"):
            order = torch.argsort(pairs[1], stable=True)
        return order, [slice(i, i + step) for i in range(0, pairs.size(1), step)]

    @torch.no_grad()
    def _decision(self, encoded: dict, pairs: Tensor) -> Tensor:
        # blocks sized from a memory budget (GRMMINet.pair_bytes); small blocks also keep
        # the per-pair temporaries in the CPU's caches, where the allocator reuses them
        # (on miTAR's test split, 2 threads, blocks of 256 pairs ran 1.3-1.5x the pairs/s
        # of blocks of 1024)
        net = encoded["net"]
        pairs = self._pairs_mi_first(pairs).to(self._device)
        cache = encoded["cache"]
        order, blocks = self._blocks(net, cache, pairs)
        if order is not None:
            pairs = pairs[:, order]
        if self.head.classifier != "mlp":
            x = torch.cat([net.fused(pairs[:, b], cache).cpu() for b in blocks]).numpy()
            clf = self.head_
            if hasattr(clf, "decision_function"):
                out = torch.from_numpy(np.asarray(clf.decision_function(x), dtype=np.float64))
            else:
                p = np.clip(clf.predict_proba(x)[:, 1], 1e-6, 1 - 1e-6)
                out = torch.from_numpy(np.log(p / (1 - p)))
        else:
            px = self._pair_x(encoded["graph"], pairs)
            parts = [net(pairs[:, b], cache, None if px is None else px[b].to(self._device))
                     for b in blocks]
            out = torch.cat(parts) if parts else torch.empty(0)
        return out if order is None else out[torch.argsort(order)]

    @torch.no_grad()
    def _decision_grid(self, encoded: dict, src: Tensor, dst: Tensor) -> Tensor | None:
        if self.head.classifier != "mlp":
            return None
        net = encoded["net"]
        mi, t = (src, dst) if self.mi_row_ == 0 else (dst, src)
        out = net.forward_grid(mi.to(self._device), t.to(self._device), encoded["cache"],
                               self.scoring_bytes // 2)
        return None if out is None else (out if self.mi_row_ == 0 else out.T).cpu()

    @torch.no_grad()
    def fused_features(self, graph: HeteroData | None, pairs: Tensor) -> np.ndarray:
        """``float32 [N, F]`` fused pair features (the input of the final logit: the BP
        layer's output), e.g. for scikit-learn's SVM / RF / AdaBoost / GB / KNN / LR as in
        the paper's classifier comparison."""
        self._check_fitted()
        pairs = self._pairs(pairs, graph)
        enc = self.encoded(graph)
        net = enc["net"]
        p = self._pairs_mi_first(pairs).to(self._device)
        order, blocks = self._blocks(net, enc["cache"], p)
        p = p if order is None else p[:, order]
        px = self._pair_x(enc["graph"], p) if net.pair_head else None
        out = [net.fused(p[:, b], enc["cache"],
                         None if px is None else px[b].to(self._device)).cpu() for b in blocks]
        if not out:
            return np.zeros((0, net.out_channels), np.float32)
        out = torch.cat(out)
        return (out if order is None else out[torch.argsort(order)]).numpy()

    # ------------------------------------------------------------------ explanations
    @torch.no_grad()
    def explain(self, graph: HeteroData | None, pairs: Tensor, top: int = 3,
                flank: int = 4) -> list[list[dict[str, Any]]]:
        """Per pair, the ``top`` target windows the miRNA attends to most.

        The attention of a pair is averaged over heads and over the miRNA positions (the
        queries); each encoded target position covers ``pool_size`` tokens, i.e.
        ``pool_size + k - 1`` nt, widened by ``flank`` nt on each side. Windows are given in
        the target's own 5'->3' coordinates (``start`` inclusive, ``end`` exclusive), with
        their attention ``weight`` and ``seed_site``: whether the window holds a canonical
        seed site (8mer, 7mer-m8, 7mer-A1 or 6mer) of the miRNA. Pairs whose miRNA or target
        lacks a sequence get an empty list.

        Returns:
            list (one per pair) of lists of dicts ``{start, end, weight, seed_site}``.
        """
        self._check_fitted()
        net = self.net_
        if net.encoder is None or net.encoder.attention is None:
            raise ValueError("GRMMI.explain: needs the sequence branch with attention "
                             "(a sequence_encoder with attention=True)")
        pairs = self._pairs(pairs, graph)
        g = self.graph_ if graph is None else graph
        enc = self.encoded(graph)
        p = self._pairs_mi_first(pairs)
        net = enc["net"]
        w = []
        for b in self._blocks(net, None, p)[1]:                  # bounded blocks
            _, att = net.sequence_vector(p[:, b].to(self._device), enc["cache"],
                                         return_attention=True)
            a = att["mirna"].cpu()                               # [B, h, T_mi, T_m]
            n_q = a.sum(-1).gt(0).sum((1, 2)).clamp(min=1)       # valid (head, query) rows
            w.append(a.sum((1, 2)) / n_q.unsqueeze(1))           # [B, T_m]
        w = torch.cat(w) if w else torch.empty(0, 0)
        mi_seq, t_seq = g[self.mirna_type_].seq, g[self.target_type_].seq
        span = net.encoder.stride + self.kmers.k - 1
        out: list[list[dict[str, Any]]] = []
        for b, (i, j) in enumerate(p.t().tolist()):
            mi, tgt = mi_seq[i], t_seq[j]
            n_tok = int(net.m_len[j])
            if mi is None or tgt is None or n_tok == 0:
                out.append([])
                continue
            starts = net.encoder.token_starts(n_tok)
            wb = w[b, :starts.numel()]
            res = []
            for pos in torch.argsort(wb, descending=True)[:top].tolist():
                if wb[pos] <= 0:
                    break
                s = int(starts[pos])
                lo, hi = max(0, s - flank), min(len(tgt), s + span + flank)
                if self.mrna_orientation != "forward":    # back to 5'->3' coordinates
                    lo, hi = len(tgt) - hi, len(tgt) - lo
                res.append({"start": lo, "end": hi, "weight": float(wb[pos]),
                            "seed_site": _count_seed_sites(mi, tgt[lo:hi]) > 0})
            out.append(res)
        return out

    # ------------------------------------------------------------------ model files
    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        if self.head.classifier != "mlp":
            raise ValueError(f"GRMMI.save: head.classifier={self.head.classifier!r} is a "
                             "scikit-learn classifier, "
                             "which a model file cannot hold; save a head='mlp' model or "
                             "pickle this one yourself")
        net = self.net_
        counts = {"mirna_counts": self.mirna_counts_} if self.pair_terms.mirna_count else {}
        if self.pair_terms.duplex:
            counts |= {"duplex_mean": self.duplex_mean_, "duplex_std": self.duplex_std_}
        return ({**{f"net.{k}": v for k, v in net.state_dict().items()}, **counts},
                {"mi_row": self.mi_row_, "num_nodes": [int(net.mi_len.numel()),
                                                       int(net.m_len.numel())],
                 "max_tokens": [int(net.mi_ids.size(1)), int(net.m_ids.size(1))],
                 "graph_channels": int(net.x_mi.size(1)),
                 "max_nucleotides": ([0, 0] if net.pairing is None else
                                     [int(net.mi_nt.size(1)), int(net.m_nt.size(1))]),
                 "embedding_init": net.encoder is not None
                 and net.encoder.embedding.initial is not None,
                 "fit_info": self.fit_info_})

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        self._check_params()
        self.mi_row_, self.mirna_type_, self.target_type_ = self._sides(self.edge_type_)
        init = (torch.zeros(self.kmers.vocab_size, self.kmers.embedding_dim)
                if extra["embedding_init"]
                else None)
        net = self._build_net(tuple(extra["num_nodes"]), tuple(extra["max_tokens"]),
                              extra["graph_channels"], init,
                              tuple(extra.get("max_nucleotides", (0, 0))))
        net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
        if self.pair_terms.mirna_count:
            self.mirna_counts_ = tensors["mirna_counts"]
        if self.pair_terms.duplex:
            self.duplex_mean_, self.duplex_std_ = tensors["duplex_mean"], tensors["duplex_std"]
        self.net_ = net.eval()
        self.fit_info_ = extra.get("fit_info", {})


class _Task:
    """What GRMMI hands the Trainer: its network and the loss of a batch of pairs (miRNA in
    row 0): BCE, plus ``rank_weight`` times the within-miRNA ranking loss over the batch and
    one drawn opposite-class partner per pair whose miRNA has one in ``train``."""

    def __init__(self, net: GRMMINet, train=None, rank_weight: float = 0.0,
                 pair_fn=None, val_net=None) -> None:
        self.module, self.rank_weight, self.pair_fn = net, rank_weight, pair_fn
        # validation RNAs absent from the training graph: val_net(module) gives the network
        # with their rows appended (sharing the live parameters), built at the first use
        self.val_net, self._val = val_net, None
        if rank_weight > 0:
            # per class c: the targets of the training pairs of class c, sorted by miRNA
            # (CSR: miRNA m's are rows ptr[c][m]:ptr[c][m + 1] of tgt[c])
            mi, t = train.edge_label_index
            n = int(net.mi_len.numel())
            self.tgt, self.ptr = [], []
            for c in (0, 1):
                keep = train.edge_label == c
                order = torch.argsort(mi[keep], stable=True)
                self.tgt.append(t[keep][order])
                self.ptr.append(torch.cat([mi.new_zeros(1), torch.bincount(
                    mi[keep], minlength=n).cumsum(0)]))

    def _partners(self, pairs: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        """One random opposite-class training pair of the same miRNA per batch pair that
        has one: pairs ``[2, P]`` and labels ``[P]``."""
        dev = pairs.device
        mi, other = pairs[0].cpu(), (labels < 0.5).long().cpu()   # the partner's class
        out_t, out_mi, out_y = [], [], []
        for c in (0, 1):
            sel = mi[other == c]
            lo, hi = self.ptr[c][sel], self.ptr[c][sel + 1]
            has = hi > lo
            sel, lo, cnt = sel[has], lo[has], (hi - lo)[has]
            pick = lo + (torch.rand(sel.numel()) * cnt).long().clamp(max=cnt - 1)
            out_mi.append(sel)
            out_t.append(self.tgt[c][pick])
            out_y.append(torch.full((sel.numel(),), float(c)))
        pairs_out = torch.stack([torch.cat(out_mi), torch.cat(out_t)])
        return pairs_out.to(dev), torch.cat(out_y).to(dev)

    def _logits(self, pairs: Tensor, own: bool = False, module: GRMMINet | None = None
                ) -> Tensor:
        """The network's logits, with the pair term's features when it has one (``own``:
        ``pairs`` are training rows)."""
        px = None if self.pair_fn is None else self.pair_fn(pairs, own).to(pairs.device)
        return (self.module if module is None else module)(pairs, None, px)

    def loss(self, pairs: Tensor, labels: Tensor) -> Tensor | tuple[Tensor, dict]:
        from torch.nn.functional import binary_cross_entropy_with_logits as bce
        if self.rank_weight == 0:
            return bce(self._logits(pairs, own=True), labels)
        from rnagraph.nn.losses import within_group_ranking
        extra, extra_y = self._partners(pairs, labels)
        logits = self._logits(torch.cat([pairs, extra], 1), own=True)
        b = labels.numel()
        fit = bce(logits[:b], labels)
        rank = within_group_ranking(logits, torch.cat([labels, extra_y]),
                                    torch.cat([pairs[0], extra[0]]))
        return fit + self.rank_weight * rank, {"bce": float(fit.detach()),
                                               "rank": float(rank.detach())}

    def logits(self, pairs: Tensor) -> Tensor:
        # validation pairs: each block encodes only the sequences it uses; blocks sized
        # from the memory budget of scoring
        module = self.module
        if self.val_net is not None:
            if self._val is None:
                self._val = self.val_net(module)
            module = self._val
        step = module.pair_block(GRMMI.scoring_bytes // 2)
        return torch.cat([self._logits(pairs[:, i:i + step], module=module)
                          for i in range(0, pairs.size(1), step)])
