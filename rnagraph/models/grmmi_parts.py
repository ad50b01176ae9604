"""The parts :class:`~rnagraph.models.GRMMI` is composed of: the k-mer table, the sequence
branch, the pairing map, the pair terms and the fusion head. Each is a scikit-learn estimator
of its own few parameters (checked when the model is fitted), named in a model's
``get_params()`` as ``part__name`` (``sequence_encoder__heads``) or, where only one part of
the model has it, by its own name (``heads``)."""
from __future__ import annotations

from typing import Any

from rnagraph.features._estimator import Estimator, is_int

#: initialisations of the k-mer table
INITS = ("fasttext", "word2vec", "random")
#: how the two branches' vectors are joined before the head
FUSIONS = ("concat", "add", "average", "dnn")
#: scikit-learn classifiers on the fused features, as in the paper's classifier comparison
CLASSIFIERS = ("mlp", "svm", "rf", "adaboost", "gb", "knn", "lr")
#: the layers that read the nucleotide pairing map
PAIRING_LAYERS = ("map", "diagonal")


def _number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


class KmerTable(Estimator):
    r"""GRMMI's k-mer inputs: how sequences become tokens, and the table that embeds them.

    A sequence is split into overlapping ``k``-mers (:class:`~rnagraph.features.KmerTokenizer`,
    :math:`4^k` ids plus one padding/unknown id, the last), each embedded by a row of a
    :math:`(4^k + 1) \times` ``embedding_dim`` table initialised from
    :class:`~rnagraph.features.KmerEmbedding` (FastText or Word2Vec skip-gram) fitted on the
    sequences of the training pairs' RNAs only (``"random"``: PyTorch's own draw).

    Args:
        k (int): k-mer length. (default: ``6``)
        embedding_dim (int): k-mer embedding size. (default: ``64``)
        init (str): ``"fasttext"``, ``"word2vec"`` or ``"random"``. (default: ``"fasttext"``)
        embedding_epochs (int): skip-gram epochs. (default: ``5``)
        freeze_embedding (bool): keep the table at its initial vectors (the skip-gram
            embedding as fixed features) instead of fine-tuning it. (default: ``False``)
        max_tokens (int, optional): keep at most this many tokens per sequence (the 5' ones
            of the sequence as read); the pairing map's nucleotides are capped alike.
            (default: ``None``)
        seed (int): seed of the skip-gram fit. (default: ``0``)
    """

    def __init__(self, k: int = 6, embedding_dim: int = 64, init: str = "fasttext",
                 embedding_epochs: int = 5, freeze_embedding: bool = False,
                 max_tokens: int | None = None, seed: int = 0) -> None:
        self.k = k
        self.embedding_dim = embedding_dim
        self.init = init
        self.embedding_epochs = embedding_epochs
        self.freeze_embedding = freeze_embedding
        self.max_tokens = max_tokens
        self.seed = seed

    def _validate_params(self) -> None:
        self._check_param("k", is_int(self.k) and 1 <= self.k <= 12, "must be in 1..12")
        self._check_param("embedding_dim", is_int(self.embedding_dim)
                          and self.embedding_dim >= 1, "must be >= 1")
        self._check_param("init", self.init in INITS, f"must be one of {INITS}")
        self._check_param("embedding_epochs", is_int(self.embedding_epochs)
                          and self.embedding_epochs >= 1, "must be >= 1")
        self._check_param("freeze_embedding", isinstance(self.freeze_embedding, bool),
                          "must be true or false")
        self._check_param("max_tokens", self.max_tokens is None
                          or (is_int(self.max_tokens) and self.max_tokens >= 1),
                          "must be >= 1 or None")
        self._check_param("seed", is_int(self.seed), "must be an integer")

    @property
    def vocab_size(self) -> int:
        """Rows of the table: :math:`4^k` k-mers and the padding id."""
        return 4**self.k + 1

    def tokens(self, seqs: list[str | None]):
        """Token ids ``[N, T]`` (padding: the last id) and lengths ``[N]`` of ``seqs``."""
        from rnagraph.features import KmerTokenizer
        return KmerTokenizer(self.k, max_tokens=self.max_tokens)(seqs)

    def nucleotides(self, seqs: list[str | None]):
        """Nucleotide codes ``[N, L]`` of the pairing map (4 = padding / N), covering the
        same nucleotides as the k-mer tokens."""
        from rnagraph.features import KmerTokenizer
        cap = None if self.max_tokens is None else self.max_tokens + self.k - 1
        return KmerTokenizer(1, max_tokens=cap)(seqs)[0]

    def fit_table(self, seqs: list[str]):
        """The initial table ``[4^k + 1, embedding_dim]`` (a zero padding row last) from a
        skip-gram fit on ``seqs``; ``None`` for ``init="random"`` or no sequence."""
        if self.init == "random" or not seqs:
            return None
        import torch

        from rnagraph.features import KmerEmbedding
        emb = KmerEmbedding(k=self.k, dim=self.embedding_dim, model=self.init,
                            epochs=self.embedding_epochs, seed=self.seed).fit(seqs)
        table = torch.from_numpy(emb.get_embedding().copy())
        return torch.cat([table, table.new_zeros(1, self.embedding_dim)])


class SequenceBranch(Estimator):
    r"""GRMMI's sequence branch (:class:`~rnagraph.nn.MutualAttentionEncoder`): per
    sequence a 1-D CNN and max-pooling (:class:`~rnagraph.nn.KmerConv`), a (Bi)LSTM
    (:class:`~rnagraph.nn.PaddedLSTM`), then multi-head mutual attention between miRNA and
    target (:class:`~rnagraph.nn.MutualAttention`), pooled to one vector per pair, with
    optional readers of the attention's logit maps (:class:`~rnagraph.nn.MatchScores`,
    :class:`~rnagraph.nn.MatchMap`). A stage switched off here is left out of the encoder.

    Args:
        conv_channels (int): CNN filters. (default: ``64``)
        kernel_size (int): CNN kernel in tokens. (default: ``5``)
        pool_size (int): max-pooling width and stride after the CNN. (default: ``2``)
        hidden_channels (int): LSTM hidden size per direction. (default: ``32``)
        heads (int): attention heads; must divide the LSTM's output size. (default: ``4``)
        cnn (bool): the CNN stage (``False``: the LSTM reads the embeddings).
            (default: ``True``)
        lstm (str, optional): ``"bi"``, ``"uni"`` (the paper's GRMMI-lstm) or ``None``
            (GRMMI-nolstm). (default: ``"bi"``)
        attention (bool): the mutual attention (``False``: GRMMI-noatt). (default: ``True``)
        match_scores (bool): add the attention's per-head best logits to the pair vector
            (rnagraph's extension). (default: ``False``)
        map_channels (int): filters of a convolution over the attention's logit maps whose
            pooled output joins the pair vector; ``0`` for none (rnagraph's extension).
            (default: ``0``)
        window (int, optional): sliding windows of ``window`` tokens for sequences longer
            than that: the CNN and LSTM run per window (LSTM depth bounded by the window),
            the attention over all windows' positions. Only where some sequence of the
            fitted graph is longer than ``window``: otherwise every sequence is encoded
            whole, as the paper does (the default). (default: ``None``)
        overlap (int): tokens shared by consecutive windows. (default: ``16``)
        dropout (float): dropout on the per-position features. (default: ``0.2``)
    """

    def __init__(self, conv_channels: int = 64, kernel_size: int = 5, pool_size: int = 2,
                 hidden_channels: int = 32, heads: int = 4, cnn: bool = True,
                 lstm: str | None = "bi", attention: bool = True, match_scores: bool = False,
                 map_channels: int = 0, window: int | None = None, overlap: int = 16,
                 dropout: float = 0.2) -> None:
        self.conv_channels = conv_channels
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.hidden_channels = hidden_channels
        self.heads = heads
        self.cnn = cnn
        self.lstm = lstm
        self.attention = attention
        self.match_scores = match_scores
        self.map_channels = map_channels
        self.window = window
        self.overlap = overlap
        self.dropout = dropout

    def _validate_params(self) -> None:
        for name in ("conv_channels", "kernel_size", "pool_size", "hidden_channels", "heads"):
            v = getattr(self, name)
            self._check_param(name, is_int(v) and v >= 1, "must be >= 1")
        for name in ("cnn", "attention", "match_scores"):
            self._check_param(name, isinstance(getattr(self, name), bool),
                              "must be true or false")
        self._check_param("lstm", self.lstm in ("bi", "uni", None),
                          "must be 'bi', 'uni' or None")
        self._check_param("map_channels", is_int(self.map_channels) and self.map_channels >= 0,
                          "must be >= 0")
        self._check_param("match_scores", not self.match_scores or self.attention,
                          "reads the attention's logits: it needs attention=True")
        self._check_param("map_channels", not self.map_channels or self.attention,
                          "reads the attention's logits: it needs attention=True")
        self._check_param("window", self.window is None
                          or (is_int(self.window) and self.window >= 1),
                          "must be >= 1 or None")
        self._check_param("overlap", is_int(self.overlap) and self.overlap >= 0
                          and (self.window is None or self.overlap < self.window),
                          "must be >= 0 and below window")
        self._check_param("dropout", _number(self.dropout) and 0 <= self.dropout < 1,
                          "must be in [0, 1)")

    def channels(self) -> int:
        """Features per encoded position: the LSTM's output, else the CNN's, else the
        embedding's (``None``: that of the k-mer table)."""
        if self.lstm is not None:
            return self.hidden_channels * (2 if self.lstm == "bi" else 1)
        return self.conv_channels if self.cnn else None

    def active_window(self, longest: int) -> int | None:
        """The encoder's window for a graph whose longest sequence has ``longest`` tokens:
        ``window`` where that sequence is longer, else none (the same layout and numbers)."""
        return None if self.window is None or longest <= self.window else self.window

    def build(self, kmers: KmerTable, embedding_init: Any = None, longest: int = 0):
        """The encoder (:class:`~rnagraph.nn.MutualAttentionEncoder`) of these options, over
        the token table of ``kmers`` started at ``embedding_init``, for sequences of at
        most ``longest`` tokens."""
        from rnagraph.nn.attention import MatchMap, MatchScores, MutualAttention
        from rnagraph.nn.attention.mutual_attention import MutualAttentionEncoder
        from rnagraph.nn.sequence import KmerConv, PaddedLSTM, TokenEmbedding
        emb = TokenEmbedding(kmers.vocab_size, kmers.embedding_dim, init=embedding_init,
                             freeze=kmers.freeze_embedding)
        c = kmers.embedding_dim
        conv = lstm = att = None
        if self.cnn:
            conv = KmerConv(c, self.conv_channels, self.kernel_size, self.pool_size)
            c = conv.out_channels
        if self.lstm is not None:
            lstm = PaddedLSTM(c, self.hidden_channels, bidirectional=self.lstm == "bi")
            c = lstm.out_channels
        if self.attention:
            att = MutualAttention(c, self.heads)
        return MutualAttentionEncoder(
            emb, conv, lstm, att, MatchScores() if self.match_scores else None,
            MatchMap(2 * self.heads, self.map_channels) if self.map_channels else None,
            dropout=self.dropout, window=self.active_window(longest), overlap=self.overlap)


class PairingBranch(Estimator):
    r"""Pair features read from the nucleotide pairing map of miRNA and target (as the model
    reads it), appended to the sequence branch's pair vector (rnagraph's extension).

    Args:
        channels (int): features read from the map. (default: ``32``)
        layer (str): ``"map"``, a 2-D CNN over the map (:class:`~rnagraph.nn.PairingMapCNN`),
            or ``"diagonal"``, a position-specific score of every alignment
            (:class:`~rnagraph.nn.DiagonalPairing`, a tenth of the map's arithmetic).
            (default: ``"map"``)
    """

    def __init__(self, channels: int = 32, layer: str = "map") -> None:
        self.channels = channels
        self.layer = layer

    def _validate_params(self) -> None:
        self._check_param("channels", is_int(self.channels) and self.channels >= 1,
                          "must be >= 1")
        self._check_param("layer", self.layer in PAIRING_LAYERS,
                          f"must be one of {PAIRING_LAYERS}")

    def build(self):
        """The layer (``[B, L_mi]``, ``[B, L_m]`` nucleotide codes -> ``[B, channels]``)."""
        from rnagraph.nn.pairing import DiagonalPairing, PairingMapCNN
        return {"map": PairingMapCNN, "diagonal": DiagonalPairing}[self.layer](self.channels)


class PairTerms(Estimator):
    r"""Terms of a GRMMI pair beside the two branches (rnagraph's extensions).

    Args:
        pair_features (bool): add a linear **seed-site pair term** to the logit: the pair's
            canonical site counts (:class:`~rnagraph.features.SeedSiteFeatures`, log counts
            of 8mer, 7mer-m8, 7mer-A1, 6mer sites of the miRNA in the target read 5'->3'),
            weighted by 4 learned weights started at SeedMatch's
            (:func:`~rnagraph.models.seed_match.seed_term_init`). (default: ``False``)
        mirna_count (bool): add a **miRNA recognition** feature to that term:
            :math:`\log(1 + n_v)`, with :math:`n_v` the labelled pairs of the pair's miRNA
            :math:`v` in ``fold.train`` (a training pair's own row not counted), weight
            started at 0. It says how familiar the miRNA is, not whether it pairs with this
            target: the within-miRNA AUC cannot gain from it; on site-level sets whose
            negatives come from mock miRNAs (miTAR's) it is the identity shortcut made
            explicit, and it ranks an unseen miRNA's pairs below familiar ones'.
            (default: ``False``)
        duplex (bool): add the pair's **duplex features** to that term
            (:class:`~rnagraph.features.DuplexFeatures`: per-position pairing of the best
            ungapped seed-anchored duplex, seed, 3' supplementary and total pairing, site
            counts; standardised over the training pairs), weights started at 0: what a
            model reads of an unseen miRNA's pairing with its target, beside what the
            branches learn. (default: ``False``)
        pair_head (bool): feed those features to the head's input as well, so its hidden
            layer can weigh them against the branches. (default: ``False``)
        rank_weight (float): weight :math:`\lambda` of a **within-miRNA ranking** term added
            to the cross-entropy: each training pair whose miRNA has training pairs of the
            other class is scored beside one drawn at random, and :math:`\lambda` times
            :func:`~rnagraph.nn.within_group_ranking` over the batch's same-miRNA
            comparisons is added (a miRNA's base rate cancels in it). (default: ``0``)
    """

    def __init__(self, pair_features: bool = False, mirna_count: bool = False,
                 pair_head: bool = False, rank_weight: float = 0.0,
                 duplex: bool = False) -> None:
        self.pair_features = pair_features
        self.mirna_count = mirna_count
        self.duplex = duplex
        self.pair_head = pair_head
        self.rank_weight = rank_weight

    def _validate_params(self) -> None:
        for name in ("pair_features", "mirna_count", "pair_head", "duplex"):
            self._check_param(name, isinstance(getattr(self, name), bool),
                              "must be true or false")
        self._check_param("pair_head", not self.pair_head or self.active,
                          "feeds the pair term's features to the head: it needs "
                          "pair_features=True, duplex=True or mirna_count=True")
        self._check_param("rank_weight", _number(self.rank_weight) and self.rank_weight >= 0,
                          "must be >= 0")

    @property
    def active(self) -> bool:
        """Whether the logit gets a pair term."""
        return bool(self.pair_features or self.mirna_count or self.duplex)

    def init(self) -> list[float]:
        """The pair term's initial weights: SeedMatch's four site weights, then 0 for each
        duplex feature, then 0 for the miRNA's count (empty without a term)."""
        from rnagraph.features.duplex import DuplexFeatures
        from rnagraph.models.seed_match import seed_term_init
        return ((list(seed_term_init()) if self.pair_features else [])
                + [0.0] * (len(DuplexFeatures().get_feature_names_out()) if self.duplex else 0)
                + ([0.0] if self.mirna_count else []))


class FusionHead(Estimator):
    r"""How GRMMI joins its branches and scores a pair. With :math:`\mathbf{s}` the sequence
    branch's pair vector and :math:`\mathbf{g} = [\mathbf{x}^{mi} \| \mathbf{x}^{m}]` the
    graph embeddings: ``concat`` :math:`\mathbf{h} = [\mathbf{s} \| \mathbf{g}]`; ``add`` /
    ``average`` :math:`\mathbf{h} = \mathbf{W}_s\mathbf{s} + \mathbf{W}_g\mathbf{g}`
    (halved); ``dnn`` like ``concat`` with three hidden layers. The "BP" head is one hidden
    ReLU layer of ``mlp_channels``, then a linear logit.

    Args:
        fusion (str): ``"concat"``, ``"add"``, ``"average"`` or ``"dnn"``.
            (default: ``"concat"``)
        bp (bool): the hidden layer (``False``: the paper's No-BP, a linear logit).
            (default: ``True``)
        mlp_channels (int): hidden width. (default: ``64``)
        dropout (float): dropout after each hidden layer. (default: ``0.2``)
        classifier (str): ``"mlp"`` (the network's own logit) or a scikit-learn classifier
            fitted on the fused features of ``fold.train`` after training: ``"svm"``,
            ``"rf"``, ``"adaboost"``, ``"gb"``, ``"knn"``, ``"lr"`` (the paper's comparison;
            such a model cannot be saved to a model file). (default: ``"mlp"``)
    """

    def __init__(self, fusion: str = "concat", bp: bool = True, mlp_channels: int = 64,
                 dropout: float = 0.2, classifier: str = "mlp") -> None:
        self.fusion = fusion
        self.bp = bp
        self.mlp_channels = mlp_channels
        self.dropout = dropout
        self.classifier = classifier

    def _validate_params(self) -> None:
        self._check_param("fusion", self.fusion in FUSIONS, f"must be one of {FUSIONS}")
        self._check_param("bp", isinstance(self.bp, bool), "must be true or false")
        self._check_param("mlp_channels", is_int(self.mlp_channels) and self.mlp_channels >= 1,
                          "must be >= 1")
        self._check_param("dropout", _number(self.dropout) and 0 <= self.dropout < 1,
                          "must be in [0, 1)")
        self._check_param("classifier", self.classifier in CLASSIFIERS,
                          f"must be one of {CLASSIFIERS}")

    def sklearn_classifier(self, seed: int):
        """A new scikit-learn classifier of :attr:`classifier` (not ``"mlp"``)."""
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
                "lr": lambda: LogisticRegression(max_iter=2000)}[self.classifier]()


__all__ = ["KmerTable", "SequenceBranch", "PairingBranch", "PairTerms", "FusionHead",
           "INITS", "FUSIONS", "CLASSIFIERS", "PAIRING_LAYERS"]
