"""GRMMI: mutual-attention sequence branch + GraRep graph branch + BP fusion (miRNA-mRNA)."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.features import KmerEmbedding, KmerTokenizer, SeedSiteFeatures
from rnagraph.features.seed_sites import complement
from rnagraph.models._grmmi_net import BLOCK_BYTES, CACHE_BYTES, FUSIONS, GRMMINet
from rnagraph.models.base import LinkModel
from rnagraph.models.seed_match import seed_term_init
from rnagraph.nn.attention.mutual_attention import MutualAttentionEncoder
from rnagraph.nn.pairing import DiagonalPairing, PairingMapCNN
from rnagraph.train.trainer import Trainer
from rnagraph.typing import MIRNA

GRAPH_ENCODERS = ("grarep", "line", "deepwalk", "gf", "hope", "lap")
INITS = ("fasttext", "word2vec", "random")
#: scikit-learn classifiers on the fused features, as in the paper's classifier comparison
HEADS = ("mlp", "svm", "rf", "adaboost", "gb", "knn", "lr")
#: the layers that read the nucleotide pairing map (``pairing``)
PAIRINGS = {"map": PairingMapCNN, "diagonal": DiagonalPairing}


def _sklearn_head(name: str, seed: int):
    from sklearn.ensemble import (
        AdaBoostClassifier,
        GradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC
    return {"svm": lambda: SVC(random_state=seed),
            "rf": lambda: RandomForestClassifier(n_estimators=200, random_state=seed),
            "adaboost": lambda: AdaBoostClassifier(random_state=seed),
            "gb": lambda: GradientBoostingClassifier(random_state=seed),
            "knn": lambda: KNeighborsClassifier(n_neighbors=15),
            "lr": lambda: LogisticRegression(max_iter=2000)}[name]()


def _graph_encoder(name: str, dim: int, seed: int):
    from rnagraph.nn.encoders import (
        HOPE,
        LINE,
        DeepWalk,
        GraphFactorization,
        GraRep,
        LaplacianEigenmaps,
    )
    if name == "grarep":
        return GraRep(dim=max(1, dim // 4), order=4, seed=seed)
    cls = {"line": LINE, "deepwalk": DeepWalk, "gf": GraphFactorization, "hope": HOPE,
           "lap": LaplacianEigenmaps}[name]
    return cls(dim=dim, seed=seed)


def _count_seed_sites(mirna: str, target: str) -> int:
    """Canonical seed sites (8mer, 7mer-m8, 7mer-A1, 6mer) of ``mirna`` in ``target`` (both
    5'->3'), from the seed-site featurizer."""
    from rnagraph.features.seed_sites import find_sites
    return len(find_sites(mirna, target))


class GRMMI(LinkModel):
    r"""GRMMI (`Frontiers 2025 <https://doi.org/10.3389/fgene.2025.1563553>`_): miRNA-mRNA
    interaction prediction from a mutual-attention sequence branch and a graph-embedding
    branch, fused by a BP (one hidden layer MLP) head.

    **Sequence branch.** Both sequences are split into overlapping ``k``-mers
    (:class:`~rnagraph.features.KmerTokenizer`, :math:`4^k` ids plus one padding/unknown id)
    and embedded with a table initialised from :class:`~rnagraph.features.KmerEmbedding`
    (FastText or Word2Vec skip-gram, ``embedding_dim``) fitted on the sequences of the nodes
    in ``fold.train`` only; then :class:`~rnagraph.nn.MutualAttentionEncoder` (CNN, max-pool,
    BiLSTM, multi-head mutual attention, masked max pooling).

    **Orientation.** With ``mrna_orientation="reverse"`` (default, the paper's choice) the
    target is read **3'->5'**. A canonical site is the reverse complement of miRNA nt 2-8 in
    the target read 5'->3'; reversed, it becomes the plain complement of miRNA nt 2-8 in the
    same left-to-right order as the miRNA read 5'->3', so miRNA token :math:`i` and the site's
    token :math:`i` pair base by base. ``"reverse_complement"`` also complements it (the
    antisense strand): a site then reads as the miRNA's own letters, so a paired miRNA
    window and site window are the *same* k-mers and pass the shared embedding, CNN and
    LSTM to the same features, which the attention's query-key products can match
    directly (G:U wobbles read as G:A mismatches). ``"forward"`` keeps 5'->3'.

    **Graph branch.** ``graph_encoder`` (GraRep by default; LINE, DeepWalk, GF, HOPE or
    Laplacian eigenmaps) fitted per fold on ``fold.train_graph`` with
    :class:`~rnagraph.nn.EncoderTransform`; nodes without training edges get the encoder's
    cold-start rows (zeros). The embeddings are fixed inputs, scaled by the standard deviation
    of the non-cold rows. ``graph_encoder=None`` gives the sequence branch alone;
    ``sequence=False`` the graph branch alone.

    **Missing sequences** (e.g. ``mtis-9214`` has no gene sequences) are normal: their side
    of the sequence branch is zero (masked) and the graph branch carries the pair.

    Training is :class:`~rnagraph.train.Trainer`'s mini-batch loop (binary cross-entropy on
    ``fold.train``, with ``rank_weight`` a within-miRNA ranking term; early stopping on
    ``fold.val``'s AUC, or its within-miRNA AUC with ``monitor="grouped_auc"``; both are
    recorded per epoch); calibration is the contract's Platt stage.
    Scoring encodes each sequence the first time one of its pairs is scored and keeps it in
    a bounded cache (:meth:`encoded`; :meth:`GRMMINet.encoding_cache`), and runs the
    attention per pair in blocks; cache and blocks are sized from :attr:`scoring_bytes`
    (half each; the bytes per node and per pair are computed from the shapes), so the
    memory of scoring, all-pair ranking included, does not grow with the graph.

    **New RNAs** (a scoring graph with RNAs appended after the fitted ones, see "New RNAs" in
    :mod:`rnagraph.models.base`; ``inductive = "sequence"``): the **sequence branch** encodes a
    new RNA's sequence directly (its k-mer tokens and, with ``pairing_channels``, its
    nucleotides join the network's buffers for that graph only); the **graph branch**, which
    learned nothing about the new RNA, gives it the weighted mean of the fixed graph embeddings
    of its sequence neighbours (:meth:`~rnagraph.models.base.LinkModel.sequence_neighbours`:
    its ``transfer.k`` most sequence-similar known RNAs of its type, weights summing to 1; a
    zero embedding, as for a fitted RNA without training pairs, where it has none); the pair
    term counts no training pair for a new miRNA (``mirna_count``). A new RNA without a
    sequence is not scored (its pairs are NaN, :meth:`scoring_status` says why). In an
    inductive fold (validation RNAs absent from ``fold.train_graph``) early stopping scores
    the validation pairs the same way on ``fold.graph_for("val")``.

    Args:
        k (int): k-mer length. (default: ``6``)
        embedding_dim (int): k-mer embedding size. (default: ``64``)
        init (str): ``"fasttext"``, ``"word2vec"`` or ``"random"``. (default: ``"fasttext"``)
        embedding_epochs (int): skip-gram epochs. (default: ``5``)
        freeze_embedding (bool): keep the k-mer table at its initial vectors (the skip-gram
            embedding as fixed features) instead of fine-tuning it. (default: ``False``)
        conv_channels, kernel_size, pool_size, hidden_channels, heads: encoder sizes
            (see :class:`~rnagraph.nn.MutualAttentionEncoder`). (defaults: ``64, 5, 2, 32, 4``)
        cnn (bool), lstm (str or None), attention (bool): encoder variants.
        match_scores (bool), map_channels (int): add the attention's per-head best logits
            and a convolution over its logit maps to the pair vector
            (:class:`~rnagraph.nn.MutualAttentionEncoder`). (defaults: ``False``, ``0``)
        pairing_channels (int): features read from the nucleotide pairing map of miRNA
            and target (as the model reads it), appended to the sequence branch's pair
            vector; ``0`` for none. (default: ``0``)
        pairing (str): the layer that reads them: ``"map"``, a 2-D CNN over the map
            (:class:`~rnagraph.nn.PairingMapCNN`), or ``"diagonal"``, a position-specific
            score of every alignment (:class:`~rnagraph.nn.DiagonalPairing`: a tenth of
            the map's arithmetic; measured on miTAR's sites, 2.3x the map's cached pairs
            per second and 0.65x its epoch time). (default: ``"map"``)
        sequence (bool): use the sequence branch. (default: ``True``)
        mrna_orientation (str): ``"reverse"`` (3'->5'), ``"reverse_complement"`` or
            ``"forward"``. (default: ``"reverse"``)
        max_tokens (int, optional): keep at most this many tokens per sequence (the 5' ones
            of the sequence as read). (default: ``None``)
        window (int, optional), overlap (int): sliding windows of ``window`` tokens,
            overlapping by ``overlap``, for sequences longer than ``window`` tokens
            (:class:`~rnagraph.nn.MutualAttentionEncoder`): the CNN and LSTM run on each
            window, so the LSTM's depth is bounded by the window instead of the longest
            target (registry preset ``grmmi-window``: ``window=128``, for long targets such
            as the synthetic graph's 400-1200 nt mRNAs). Only where some sequence of the
            fitted graph is longer than ``window``: short sequences (sites, miRNAs) are
            encoded whole, exactly as with ``window=None``, the paper's single pass over each
            whole sequence, which stays the default so that published GRMMI figures are
            reproduced. (defaults: ``None, 16``)
        graph_encoder (str, optional): one of ``grarep, line, deepwalk, gf, hope, lap`` or
            ``None``. (default: ``"grarep"``)
        graph_dim (int): graph embedding size (GraRep: 4 orders of ``graph_dim // 4``).
            (default: ``64``)
        fusion (str): ``"concat"``, ``"add"``, ``"average"`` or ``"dnn"``. (default: concat)
        bp (bool): the hidden layer of the head (``False``: the paper's No-BP).
            (default: ``True``)
        mlp_channels (int): hidden width of the head. (default: ``64``)
        dropout (float): dropout in encoder and head. (default: ``0.2``)
        epochs, lr, weight_decay, batch_size, patience: :class:`~rnagraph.train.Trainer`.
            (defaults: ``30, 1e-3, 0, 128, 5``)
        lr_factor, lr_patience: the trainer's learning-rate reduction on a validation
            plateau (``None``: constant rate). (defaults: ``None, 1``)
        ema_decay (float, optional): the trainer's moving average of the parameters
            (validated, kept and scored in place of the raw ones). (default: ``None``)
        pair_features (bool): add a linear **seed-site pair term** to the logit: the
            pair's canonical site counts (:class:`~rnagraph.features.SeedSiteFeatures`, log
            counts of 8mer, 7mer-m8, 7mer-A1, 6mer sites of the miRNA in the target read
            5'->3'), weighted by 4 learned weights started at SeedMatch's
            (:func:`~rnagraph.models.seed_match.seed_term_init`), as MFERL's
            ``pair_features``. The network then need not rediscover what a site count says.
            Needs ``head="mlp"``. (default: ``False``)
        mirna_count (bool): add a **miRNA recognition** feature to that pair term:
            :math:`\log(1 + n_v)`, with :math:`n_v` the labelled pairs of the pair's miRNA
            :math:`v` in ``fold.train``, positive or negative (while training, the pair's own
            row is not counted, so a training pair sees what a new pair of its miRNA
            would). Its weight starts at 0 and is learned. It says how familiar the miRNA is,
            not whether it pairs with this target: every pair of one miRNA gets the same
            value when scored, so the within-miRNA AUC cannot gain from it. On site-level
            sets whose negatives come from mock miRNAs (miTAR's, DeepMirTar's) it is the
            identity shortcut made explicit; report what it adds as recognition. It also
            ranks the pairs of a miRNA unseen in training below those of familiar ones:
            compare such a miRNA's scores among themselves, or leave the count off.
            Needs ``head="mlp"``. (default: ``False``)
        pair_head (bool): feed the pair term's features (``pair_features``,
            ``mirna_count``) to the BP head's input as well, so its hidden layer can weigh
            them against the branches (a miRNA's count may mean different things for
            different kinds of target). (default: ``False``)
        rank_weight (float): weight :math:`\lambda` of a **within-miRNA ranking** term added
            to the cross-entropy: every training pair whose miRNA has training pairs of the
            other class is scored beside one such pair drawn at random, and
            :math:`\lambda` times :func:`~rnagraph.nn.within_group_ranking` over the batch's
            same-miRNA positive-negative comparisons is added. It trains the network to
            read the pair rather than to recognise the miRNA (a miRNA's base rate cancels in
            the term). ``0``: cross-entropy alone. (default: ``0``)
        monitor (str): the validation metric of early stopping and the kept state:
            ``"auc"`` or ``"grouped_auc"``, the within-miRNA AUC. Both are recorded per
            epoch in ``history_`` (``val_auc``, ``val_grouped_auc``). (default: ``"auc"``)
        device (str): training and scoring device, e.g. ``"cuda"``. (default: ``"cpu"``)
        head (str): ``"mlp"`` (the network's own logit) or a scikit-learn classifier fitted
            on the fused features of ``fold.train`` after training: ``"svm"``, ``"rf"``,
            ``"adaboost"``, ``"gb"``, ``"knn"``, ``"lr"`` (the paper's comparison; such a
            model cannot be saved to a model file). (default: ``"mlp"``)
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)
        seed (int): seed of the embeddings, graph encoder and training. (default: ``0``)
    """

    #: bytes of scoring memory above the fitted model: half for the cache of encoded
    #: sequences, half for a block's per-pair temporaries (an estimate from the shapes:
    #: :meth:`GRMMINet.node_bytes`, :meth:`GRMMINet.pair_bytes`)
    scoring_bytes: ClassVar[int] = CACHE_BYTES + BLOCK_BYTES
    #: new RNAs are scored from their sequence (see "New RNAs" above)
    inductive: ClassVar[str | None] = "sequence"

    def __init__(self, k: int = 6, embedding_dim: int = 64, init: str = "fasttext",
                 embedding_epochs: int = 5, freeze_embedding: bool = False,
                 conv_channels: int = 64, kernel_size: int = 5,
                 pool_size: int = 2, hidden_channels: int = 32, heads: int = 4,
                 cnn: bool = True, lstm: str | None = "bi", attention: bool = True,
                 match_scores: bool = False, map_channels: int = 0,
                 pairing_channels: int = 0, pairing: str = "map", sequence: bool = True,
                 mrna_orientation: str = "reverse",
                 max_tokens: int | None = None, window: int | None = None, overlap: int = 16,
                 graph_encoder: str | None = "grarep", graph_dim: int = 64,
                 fusion: str = "concat", bp: bool = True, mlp_channels: int = 64,
                 dropout: float = 0.2, epochs: int = 30, lr: float = 1e-3,
                 weight_decay: float = 0.0, batch_size: int = 128, patience: int = 5,
                 lr_factor: float | None = None, lr_patience: int = 1,
                 ema_decay: float | None = None, pair_features: bool = False,
                 mirna_count: bool = False, pair_head: bool = False,
                 rank_weight: float = 0.0,
                 monitor: str = "auc", device: str = "cpu", head: str = "mlp",
                 calibrate: bool = True, seed: int = 0):
        self.k = k
        self.embedding_dim = embedding_dim
        self.init = init
        self.embedding_epochs = embedding_epochs
        self.freeze_embedding = freeze_embedding
        self.conv_channels = conv_channels
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.hidden_channels = hidden_channels
        self.heads = heads
        self.cnn = cnn
        self.lstm = lstm
        self.attention = attention
        self.match_scores, self.map_channels = match_scores, map_channels
        self.pairing_channels = pairing_channels
        self.pairing = pairing
        self.sequence = sequence
        self.mrna_orientation = mrna_orientation
        self.max_tokens = max_tokens
        self.window = window
        self.overlap = overlap
        self.graph_encoder = graph_encoder
        self.graph_dim = graph_dim
        self.fusion = fusion
        self.bp = bp
        self.mlp_channels = mlp_channels
        self.dropout = dropout
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.patience = patience
        self.lr_factor, self.lr_patience = lr_factor, lr_patience
        self.ema_decay = ema_decay
        self.rank_weight, self.monitor = rank_weight, monitor
        self.pair_features = pair_features
        self.mirna_count = mirna_count
        self.pair_head = pair_head
        self.device = device
        self.head = head
        self.calibrate = calibrate
        self.seed = seed

    # ------------------------------------------------------------------ checks and inputs
    def _check_params(self) -> None:
        if self.init not in INITS:
            raise ValueError(f"GRMMI: init must be one of {INITS}, got {self.init!r}")
        if self.mrna_orientation not in ("reverse", "reverse_complement", "forward"):
            raise ValueError("GRMMI: mrna_orientation must be 'reverse', 'reverse_complement' "
                             f"or 'forward', got "
                             f"{self.mrna_orientation!r}")
        if self.graph_encoder is not None and self.graph_encoder not in GRAPH_ENCODERS:
            raise ValueError(f"GRMMI: graph_encoder must be one of {GRAPH_ENCODERS} or None, "
                             f"got {self.graph_encoder!r}")
        if self.fusion not in FUSIONS:
            raise ValueError(f"GRMMI: fusion must be one of {FUSIONS}, got {self.fusion!r}")
        if self.head not in HEADS:
            raise ValueError(f"GRMMI: head must be one of {HEADS}, got {self.head!r}")
        if self.pairing_channels < 0 or (self.pairing_channels and not self.sequence):
            raise ValueError(f"GRMMI: pairing_channels={self.pairing_channels} needs to be "
                             ">= 0, and the sequence branch (sequence=True) when > 0")
        if self.pairing not in PAIRINGS:
            raise ValueError(f"GRMMI: pairing must be one of {tuple(PAIRINGS)}, got "
                             f"{self.pairing!r}")
        for opt in ("pair_features", "mirna_count"):
            if getattr(self, opt) and self.head != "mlp":
                raise ValueError(f"GRMMI: {opt} adds a term to the network's logit; it "
                                 f"needs head='mlp', got head={self.head!r}")
        if self.pair_head and not (self.pair_features or self.mirna_count):
            raise ValueError("GRMMI: pair_head feeds the pair term's features to the head; "
                             "it needs pair_features=True or mirna_count=True")
        if not self.rank_weight >= 0:
            raise ValueError(f"GRMMI: rank_weight must be >= 0, got {self.rank_weight!r}")
        if self.monitor not in ("auc", "grouped_auc"):
            raise ValueError(f"GRMMI: monitor must be 'auc' or 'grouped_auc', got "
                             f"{self.monitor!r}")
        if not self.sequence and self.graph_encoder is None:
            raise ValueError("GRMMI: sequence=False and graph_encoder=None leave no input; "
                             "enable one branch")

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
        return KmerTokenizer(self.k, max_tokens=self.max_tokens)(seqs)

    def _nucleotides(self, seqs: list[str | None]) -> Tensor:
        """Nucleotide codes of the pairing map (4 = padding / N), covering the same
        nucleotides as the k-mer tokens."""
        cap = None if self.max_tokens is None else self.max_tokens + self.k - 1
        return KmerTokenizer(1, max_tokens=cap)(seqs)[0]

    def _pairs_mi_first(self, pairs: Tensor) -> Tensor:
        return pairs if self.mi_row_ == 0 else pairs.flip(0)

    def _embedding_init(self, fold: Fold, mi_seq: list, t_seq: list) -> Tensor | None:
        if self.init == "random":
            return None
        row = self.mi_row_
        used = fold.train.edge_label_index
        seqs = [mi_seq[i] for i in torch.unique(used[row]).tolist()]
        seqs += [t_seq[i] for i in torch.unique(used[1 - row]).tolist()]
        seqs = [s for s in seqs if s is not None]
        if not seqs:
            return None
        emb = KmerEmbedding(k=self.k, dim=self.embedding_dim, model=self.init,
                            epochs=self.embedding_epochs, seed=self.seed).fit(seqs)
        table = torch.from_numpy(emb.get_embedding().copy())
        return torch.cat([table, table.new_zeros(1, self.embedding_dim)])

    def _graph_features(self, fold: Fold) -> tuple[Tensor, Tensor] | None:
        if self.graph_encoder is None:
            return None
        from rnagraph.nn.encoders import EncoderTransform
        enc = _graph_encoder(self.graph_encoder, self.graph_dim, self.seed)
        g = EncoderTransform(enc, [fold.edge_type], name="grmmi").fit_transform(fold.train_graph)
        x_mi, x_t = g[self.mirna_type_].x_grmmi.float(), g[self.target_type_].x_grmmi.float()
        rows = torch.cat([x_mi, x_t])
        warm = rows[rows.abs().sum(1) > 0]
        scale = float(warm.std()) if warm.numel() > 1 else 1.0
        scale = scale if scale > 0 else 1.0
        return x_mi / scale, x_t / scale

    def _window(self, max_tokens: tuple[int, int]) -> int | None:
        """The encoder's window: ``window`` when a sequence of the graph (``max_tokens``:
        the longest of each side) is longer, else none (the same layout and numbers)."""
        return (None if self.window is None or max(max_tokens) <= self.window
                else self.window)

    def _build_net(self, n: tuple[int, int], t: tuple[int, int], graph_channels: int,
                   embedding_init: Tensor | None,
                   nucleotides: tuple[int, int] = (0, 0)) -> GRMMINet:
        encoder = None
        if self.sequence:
            encoder = MutualAttentionEncoder(
                4**self.k + 1, self.embedding_dim, self.conv_channels, self.kernel_size,
                self.pool_size, self.hidden_channels, self.heads, cnn=self.cnn, lstm=self.lstm,
                attention=self.attention, dropout=self.dropout, window=self._window(t),
                overlap=self.overlap, embedding_init=embedding_init,
                freeze_embedding=self.freeze_embedding, match_scores=self.match_scores,
                map_channels=self.map_channels)
        pairing = (PAIRINGS[self.pairing](self.pairing_channels) if self.pairing_channels
                   else None)
        init = ((seed_term_init() if self.pair_features else [])
                + ([0.0] if self.mirna_count else []))
        return GRMMINet(encoder, graph_channels, n, t, self.fusion, self.bp,
                        self.mlp_channels, self.dropout, pairing, nucleotides,
                        pair_channels=len(init), pair_init=init or None,
                        pair_head=self.pair_head)

    def _pair_x(self, graph: HeteroData, pairs: Tensor, own: bool = False) -> Tensor | None:
        r"""The pair term's features of miRNA-first ``pairs``: seed-site features ``[B, 4]``
        from ``graph``'s sequences with ``pair_features``, then :math:`\log(1 + n_v)` with
        ``mirna_count`` (``own``: the pairs are training rows, each counted in its miRNA's
        :math:`n_v`, which is taken off); ``None`` without either."""
        parts = []
        if self.pair_features:
            parts.append(SeedSiteFeatures().graph_transform(
                graph, (self.mirna_type_, "pairs", self.target_type_), pairs.cpu()))
        if self.mirna_count:   # a new miRNA (index past the fitted ones) has no training pair
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
        self._check_params()
        self.mi_row_, self.mirna_type_, self.target_type_ = self._sides(fold.edge_type)
        g = fold.train_graph
        mi_seq = list(g[self.mirna_type_].get("seq") or [None] * g[self.mirna_type_].num_nodes)
        t_seq = [self.target_sequence(s) for s in
                 (g[self.target_type_].get("seq") or [None] * g[self.target_type_].num_nodes)]
        init = self._embedding_init(fold, mi_seq, t_seq) if self.sequence else None
        mi_ids, mi_len = self._tokens(mi_seq)
        t_ids, t_len = self._tokens(t_seq)
        gx = self._graph_features(fold)
        dg = gx[0].size(1) if gx is not None else 0
        nt = ((self._nucleotides(mi_seq), self._nucleotides(t_seq)) if self.pairing_channels
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
        if self.mirna_count:   # labelled training pairs per miRNA: fold.train only, labels unread
            self.mirna_counts_ = torch.bincount(train.edge_label_index[0].cpu(),
                                                minlength=len(mi_seq)).float()
        trainer = Trainer(epochs=self.epochs, lr=self.lr, weight_decay=self.weight_decay,
                          batch_size=self.batch_size, patience=self.patience,
                          lr_factor=self.lr_factor, lr_patience=self.lr_patience,
                          ema_decay=self.ema_decay, group_row=0, monitor=self.monitor,
                          device=self.device, seed=self.seed, grad_clip=5.0)
        # an inductive fold's validation RNAs are absent from the training graph: they are
        # scored as new RNAs on fold.graph_for("val") (the fitted nodes first, then them)
        vg = fold.graph_for("val") if hasattr(fold, "graph_for") else g
        grows = any(int(vg[nt].num_nodes) > int(g[nt].num_nodes)
                    for nt in (self.mirna_type_, self.target_type_))
        pair_fn = ((lambda p, own: self._pair_x(vg, p, own))
                   if self.pair_features or self.mirna_count else None)
        val_net = (lambda live: self._scoring_net(live, vg)) if grows else None
        trainer.fit(_Task(net, train, self.rank_weight, pair_fn, val_net), train,
                    self._mi_first(fold.val))
        self.net_ = net.cpu() if str(self.device) != "cpu" else net
        self.history_ = trainer.history_
        self.fit_info_ = trainer.fit_info()
        if self.head != "mlp":
            x = self.fused_features(None, fold.train.edge_label_index)
            self.head_ = _sklearn_head(self.head, self.seed).fit(x, fold.train.edge_label.numpy())

    def _mi_first(self, links):
        from rnagraph.data.fold import LinkSet
        return LinkSet(self._pairs_mi_first(links.edge_label_index), links.edge_label)

    def _encode(self, graph: HeteroData) -> dict:
        """``{"net": the network for graph (new RNAs appended: :meth:`_scoring_net`),
        "cache": its bounded encoding cache or None, "graph": graph}`` (the graph gives the
        pair term's sequences); half of :attr:`scoring_bytes` for the cache."""
        net = self._scoring_net(self.net_.to(self.device).eval(), graph)
        return {"net": net, "cache": (net.encoding_cache(self.scoring_bytes // 2)
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
        pairs = self._pairs_mi_first(pairs).to(self.device)
        cache = encoded["cache"]
        order, blocks = self._blocks(net, cache, pairs)
        if order is not None:
            pairs = pairs[:, order]
        if self.head != "mlp":
            x = torch.cat([net.fused(pairs[:, b], cache).cpu() for b in blocks]).numpy()
            clf = self.head_
            if hasattr(clf, "decision_function"):
                out = torch.from_numpy(np.asarray(clf.decision_function(x), dtype=np.float64))
            else:
                p = np.clip(clf.predict_proba(x)[:, 1], 1e-6, 1 - 1e-6)
                out = torch.from_numpy(np.log(p / (1 - p)))
        else:
            px = self._pair_x(encoded["graph"], pairs)
            parts = [net(pairs[:, b], cache, None if px is None else px[b].to(self.device))
                     for b in blocks]
            out = torch.cat(parts) if parts else torch.empty(0)
        return out if order is None else out[torch.argsort(order)]

    @torch.no_grad()
    def _decision_grid(self, encoded: dict, src: Tensor, dst: Tensor) -> Tensor | None:
        if self.head != "mlp":
            return None
        net = encoded["net"]
        mi, t = (src, dst) if self.mi_row_ == 0 else (dst, src)
        out = net.forward_grid(mi.to(self.device), t.to(self.device), encoded["cache"],
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
        p = self._pairs_mi_first(pairs).to(self.device)
        order, blocks = self._blocks(net, enc["cache"], p)
        p = p if order is None else p[:, order]
        px = self._pair_x(enc["graph"], p) if net.pair_head else None
        out = [net.fused(p[:, b], enc["cache"],
                         None if px is None else px[b].to(self.device)).cpu() for b in blocks]
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
        if net.encoder is None or not net.encoder.attention:
            raise ValueError("GRMMI.explain: needs the sequence branch with attention "
                             "(sequence=True, attention=True)")
        pairs = self._pairs(pairs, graph)
        g = self.graph_ if graph is None else graph
        enc = self.encoded(graph)
        p = self._pairs_mi_first(pairs)
        net = enc["net"]
        w = []
        for b in self._blocks(net, None, p)[1]:                  # bounded blocks
            _, att = net.sequence_vector(p[:, b].to(self.device), enc["cache"],
                                         return_attention=True)
            a = att["mirna"].cpu()                               # [B, h, T_mi, T_m]
            n_q = a.sum(-1).gt(0).sum((1, 2)).clamp(min=1)       # valid (head, query) rows
            w.append(a.sum((1, 2)) / n_q.unsqueeze(1))           # [B, T_m]
        w = torch.cat(w) if w else torch.empty(0, 0)
        mi_seq, t_seq = g[self.mirna_type_].seq, g[self.target_type_].seq
        span = net.encoder.stride + self.k - 1
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
        if self.head != "mlp":
            raise ValueError(f"GRMMI.save: head={self.head!r} is a scikit-learn classifier, "
                             "which a model file cannot hold; save a head='mlp' model or "
                             "pickle this one yourself")
        net = self.net_
        counts = {"mirna_counts": self.mirna_counts_} if self.mirna_count else {}
        return ({**{f"net.{k}": v for k, v in net.state_dict().items()}, **counts},
                {"mi_row": self.mi_row_, "num_nodes": [int(net.mi_len.numel()),
                                                       int(net.m_len.numel())],
                 "max_tokens": [int(net.mi_ids.size(1)), int(net.m_ids.size(1))],
                 "graph_channels": int(net.x_mi.size(1)),
                 "max_nucleotides": ([0, 0] if net.pairing is None else
                                     [int(net.mi_nt.size(1)), int(net.m_nt.size(1))]),
                 "embedding_init": net.encoder is not None
                 and net.encoder.embedding_init is not None,
                 "fit_info": self.fit_info_})

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        self._check_params()
        self.mi_row_, self.mirna_type_, self.target_type_ = self._sides(self.edge_type_)
        init = (torch.zeros(4**self.k + 1, self.embedding_dim) if extra["embedding_init"]
                else None)
        net = self._build_net(tuple(extra["num_nodes"]), tuple(extra["max_tokens"]),
                              extra["graph_channels"], init,
                              tuple(extra.get("max_nucleotides", (0, 0))))
        net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
        if self.mirna_count:
            self.mirna_counts_ = tensors["mirna_counts"]
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
