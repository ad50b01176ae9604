"""Models by name, for the CLI and benchmark scripts."""
from __future__ import annotations

from typing import Any, Callable


def _seedmatch(**kw: Any):
    from rnagraph.models.seed_match import SeedMatch
    return SeedMatch(**kw)


def _degree(**kw: Any):
    from rnagraph.models.degree_product import DegreeProduct
    return DegreeProduct(**kw)


def _degree_add1(**kw: Any):
    from rnagraph.models.degree_product import DegreeProduct
    return DegreeProduct(smoothing=1, **kw)


def _node_prior(**kw: Any):
    from rnagraph.models.node_prior import NodePrior
    return NodePrior(**kw)


def _stacked(**kw: Any):
    from rnagraph.models.stacked_link import StackedLink
    return StackedLink(**kw)


def _svd(**kw: Any):
    from rnagraph.models.svd_link import TruncatedSVDLink
    return TruncatedSVDLink(**kw)


def _l3(**kw: Any):
    from rnagraph.models.path_l3 import PathL3
    return PathL3(**kw)


def _ra3(**kw: Any):
    from rnagraph.models.path_ra3 import PathRA3
    return PathRA3(**kw)


def _katz(**kw: Any):
    from rnagraph.models.truncated_katz import TruncatedKatz
    return TruncatedKatz(**kw)


def _sage(**kw: Any):
    from rnagraph.models.sage_link import SAGELink
    return SAGELink(**kw)


def _struct(**kw: Any):
    from rnagraph.models.struct_link import StructLink
    return StructLink(**kw)


def _mferl(**kw: Any):
    from rnagraph.models.mferl import MFERL
    return MFERL(**kw)


def _mferl_pair(**kw: Any):
    from rnagraph.models.mferl import MFERL, MFERLPairTerm
    return MFERL(**{"pair": MFERLPairTerm(seed_sites=True), **kw})


def _mferl_struct(**kw: Any):
    from rnagraph.models.mferl import MFERL, MFERLPairTerm
    return MFERL(**{"pair": MFERLPairTerm(seed_sites=False, structural=True), **kw})


def _joint(**kw: Any):
    from rnagraph.models.joint_link import JointLink
    return JointLink(**kw)


def _joint_single(**kw: Any):
    from rnagraph.models.joint_link import JointLink
    return JointLink(joint=False, **kw)


def _grmmi(**kw: Any):
    from rnagraph.models.grmmi import GRMMI
    return GRMMI(**kw)


def _mitar(**kw: Any):
    from rnagraph.models.mitar_net import MiTAR
    return MiTAR(**kw)


def _seq_vote(**kw: Any):
    from rnagraph.models.sequence_vote import SequenceVote
    return SequenceVote(**kw)


def _duplex(**kw: Any):
    from rnagraph.models.duplex_link import DuplexLink
    return DuplexLink(**kw)


def _duplex_boost(**kw: Any):
    from rnagraph.models.duplex_boost import DuplexBoost
    return DuplexBoost(**kw)


def _seq_prior(**kw: Any):
    from rnagraph.models.sequence_prior import SequencePrior
    return SequencePrior(**kw)


def _two_tower(**kw: Any):
    from rnagraph.models.two_tower import TwoTower
    return TwoTower(**kw)


def _seed_vote(**kw: Any):
    from rnagraph.models.seed_vote import SeedVote
    return SeedVote(**kw)


#: name -> (factory, one-line description, needs sequences on both sides)
MODELS: dict[str, tuple[Callable[..., Any], str, bool]] = {
    "seedmatch": (_seedmatch, "canonical seed-site counting, no training", True),
    "degree": (_degree, "degree product of the training graph (calibrated)", False),
    "degree+1": (_degree_add1, "degree product with add-one degrees: in cold-start splits it "
                 "ranks by the known side's degree", False),
    "node-prior": (_node_prior, "the miRNA's positive rate among the training pairs: the "
                   "identity shortcut, blind to the pair", False),
    "prior+seed": (_stacked, "logistic regression on node-prior and seedmatch scores, "
                   "fitted on validation pairs (StackedLink)", True),
    "svd": (_svd, "truncated SVD of the training adjacency (calibrated)", False),
    "l3": (_l3, "L3: degree-normalised length-3 paths of the training graph (calibrated)",
           False),
    "ra3": (_ra3, "resource allocation along length-3 paths of the training graph", False),
    "katz": (_katz, "Katz index truncated to paths of length 1 and 3 (beta=0.1)", False),
    "sage": (_sage, "learnable embeddings -> 2-layer GraphSAGE -> dot product", False),
    "struct": (_struct, "MLP on own-edge-free structural pair features (paths, twins, "
               "degrees) trained on popularity negatives", False),
    "mferl": (_mferl, "MFERL (five views, HomoGCN, MCAM, bilinear attention, InfoNCE)", False),
    "mferl-pair": (_mferl_pair, "MFERL + learned seed-site pair term (our extension)", False),
    "mferl-struct": (_mferl_struct, "MFERL + learned own-edge-free structural pair term",
                     False),
    "joint": (_joint, "JointLink: HeteroConv over every relation of the graph, one head per "
              "relation, losses of all relations (ceRNA graph)", False),
    "joint-single": (_joint_single, "JointLink trained on the predicted relation's loss only",
                     False),
    "grmmi": (_grmmi, "GRMMI (6-mer CNN-BiLSTM mutual attention + GraRep, BP fusion)", False),
    "mitar": (_mitar, "miTAR architecture (CNN + BiLSTM on miRNA + target site)", True),
    "seq-prior": (_seq_prior, "what the miRNA's sequence alone predicts (MLP on its 5' "
                  "one-hot and k-mers): the identity shortcut of unseen miRNAs", False),
    "duplex": (_duplex, "MLP on the best miRNA-target duplex (per-position pairing, seed, "
               "3' pairing, site counts); scores unseen RNAs of both sides", True),
    "duplex-boost": (_duplex_boost, "gradient-boosted trees on the duplex, its stacking "
                     "energies, gapped alignment and target context (faced nucleotides, "
                     "flanking A/U); scores unseen RNAs of both sides", True),
    "seq-vote": (_seq_vote, "sequence-neighbour vote: the known partners of sequence-similar "
                 "miRNAs, similarity^p (p chosen on validation); scores unseen RNAs", False),
    "seed-vote": (_seed_vote, "same-seed vote: the share of the miRNA's seed family (nt 2-8) "
                  "that binds the partner; scores unseen miRNAs", False),
    "two-tower": (_two_tower, "miRNA tower from sequence (5' one-hot + k-mers) x learned "
                  "partner vectors; scores unseen miRNAs", False),
}


def _part(cls: str, **params: Any) -> dict[str, Any]:
    """A part as data (``rnagraph.models.params.part_to_plain``'s form): :func:`get_model`
    builds it anew for every model, so no two models share it."""
    return {"part": cls, "params": params}


# GRMMI's presets, by full parameter names (part__name)
_SEQ = {"graph_encoder": None, "trainer__batch_size": 256, "trainer__lr": 2e-3,
        "trainer__patience": 5}
_TUNED = {**_SEQ, "trainer__lr_factor": 0.3, "trainer__lr_patience": 1,
          "trainer__patience": 6, "sequence_encoder__map_channels": 16,
          "kmers__freeze_embedding": True, "trainer__ema_decay": 0.99}
_SITE = {"pair_terms__pair_features": True}
_PAIR = {"pairing": _part("rnagraph.models.grmmi_parts.PairingBranch", channels=32)}
_DIAG = {"pairing": _part("rnagraph.models.grmmi_parts.PairingBranch", channels=32,
                          layer="diagonal")}
_COUNT = {"pair_terms__mirna_count": True}
_HEAD = {"pair_terms__pair_head": True}
_DUPLEX = {"pair_terms__duplex": True}
_RANK = {"pair_terms__rank_weight": 1.0}

#: name -> (registry model, its keyword arguments, one line): the configurations the README and
#: ``docs/results.md`` report, chosen on validation pairs (``benchmarks/grmmi.py`` runs them
#: by these names). Keyword arguments given to :func:`get_model` override a preset's.
PRESETS: dict[str, tuple[str, dict[str, Any], str]] = {
    "mferl-paper": ("mferl", {"cl_nodes": None, "max_neighbors": None},
                    "MFERL as published (MFERL.paper()): InfoNCE over all nodes, similarity "
                    "graphs by threshold alone; the registry's mferl is our recommended"),
    "struct+ra3+svd": ("prior+seed", {"models": ["struct", "ra3", "svd"],
                                      "objective": "global-aupr", "anchor": "struct",
                                      "keep": ["degree-auc"], "head": "auto", "tol": 0.001},
                       "StructLink, PathRA3 and SVD fused by weights that maximise the global "
                       "AUPR of the validation positives without losing StructLink's "
                       "validation degree-matched AUC, the unconstrained fusion's best pairs "
                       "first (StackedLink with a head; the all-pair ranker)"),
    "tower+votes+struct": ("prior+seed", {"models": ["two-tower", "seq-vote", "seed-vote",
                                                     "degree+1", "struct"],
                                          "objective": "global-aupr", "anchor": "two-tower",
                                          "keep": ["auc"]},
                           "TwoTower, the two votes, popularity and StructLink fused for the "
                           "top of the ranking of unseen miRNAs without losing TwoTower's "
                           "validation AUC (StackedLink; scores new miRNAs from sequence)"),
    "grmmi+duplex": ("prior+seed", {"models": ["grmmi-seq-tuned-site-count-head", "duplex"]},
                     "GRMMI's validation pick on site pairs and DuplexLink, fused by a "
                     "logistic regression on validation pairs (StackedLink)"),
    "grmmi+duplex-boost": ("prior+seed", {"models": ["grmmi-seq-tuned-site-count-head",
                                                     "duplex-boost"]},
                           "GRMMI's validation pick on site pairs and DuplexBoost, fused by a "
                           "logistic regression on validation pairs (StackedLink)"),
    "duplex-boost-fold": ("duplex-boost", {"features__folding": True},
                          "DuplexBoost with the folding columns: ViennaRNA's duplex free "
                          "energy and the cost of opening the target there (needs "
                          "rnagraph[fold])"),
    "grmmi+duplex-boost-fold": ("prior+seed", {"models": ["grmmi-seq-tuned-site-count-head",
                                                          "duplex-boost-fold"]},
                                "GRMMI's validation pick on site pairs and DuplexBoost with "
                                "the folding columns, fused by a logistic regression on "
                                "validation pairs (StackedLink; needs rnagraph[fold])"),
    "grmmi-paper": ("grmmi", {}, "GRMMI as published (the defaults; GRMMI.paper())"),
    "grmmi-window": ("grmmi", {"sequence_encoder__window": 128},
                     "GRMMI with its LSTM over sliding windows of 128 tokens on targets "
                     "longer than that (faster on long mRNAs / circRNAs)"),
    "grmmi-seq": ("grmmi", _SEQ, "GRMMI's sequence branch alone, as in the paper"),
    "grmmi-seq-map": ("grmmi", {**_SEQ, "trainer__lr_factor": 0.3, "trainer__lr_patience": 1,
                                "trainer__patience": 6, "sequence_encoder__map_channels": 16},
                      "+ a convolution over the attention's logit maps, plateau lr cuts"),
    "grmmi-seq-tuned": ("grmmi", _TUNED, "+ the k-mer table frozen and an EMA of the weights"),
    "grmmi-seq-tuned-pair": ("grmmi", {**_TUNED, **_PAIR}, "+ the nucleotide pairing-map CNN"),
    "grmmi-seq-tuned-diag": ("grmmi", {**_TUNED, **_DIAG},
                             "+ the pairing map read along its diagonals (faster)"),
    "grmmi-seq-tuned-pair-rank": ("grmmi", {**_TUNED, **_PAIR, **_RANK},
                                  "+ pairing map and the within-miRNA ranking term"),
    "grmmi-seq-tuned-pair-site": ("grmmi", {**_TUNED, **_PAIR, **_SITE},
                                  "+ pairing map and the seed-site pair term"),
    "grmmi-seq-tuned-site": ("grmmi", {**_TUNED, **_SITE}, "+ the seed-site pair term"),
    "grmmi-seq-tuned-pair-site-count": (
        "grmmi", {**_TUNED, **_PAIR, **_SITE, **_COUNT},
        "+ pairing map, seed-site term and the miRNA's count of training pairs"),
    "grmmi-seq-tuned-site-count": ("grmmi", {**_TUNED, **_SITE, **_COUNT},
                                   "+ the seed-site term and the miRNA's count"),
    "grmmi-seq-tuned-site-duplex-head": (
        "grmmi", {**_TUNED, **_SITE, **_DUPLEX, **_HEAD},
        "site term and the duplex features (DuplexFeatures), also in the head's input: for "
        "unseen miRNAs"),
    "grmmi-seq-tuned-site-count-head": (
        "grmmi", {**_TUNED, **_SITE, **_COUNT, **_HEAD},
        "the validation pick on miTAR (GRMMI.recommended()): site term and count, also in "
        "the head's input"),
    "grmmi-seq-tuned-site-head": ("grmmi", {**_TUNED, **_SITE, **_HEAD},
                                  "the pick without the miRNA's count (its ablation)"),
    "grmmi-seq-tuned-site-head-rank": (
        "grmmi", {**_TUNED, **_SITE, **_HEAD, **_RANK},
        "the pick without the count, + the within-miRNA ranking term (unseen miRNAs)"),
    "grmmi-seq-tuned-pair-site-head": (
        "grmmi", {**_TUNED, **_PAIR, **_SITE, **_HEAD},
        "the pick without the count, + the pairing map (unseen miRNAs)"),
}


def get_model(name: str, **kwargs: Any):
    """A new model by its registry name (a key of :data:`MODELS`: ``rnagraph models`` lists
    them with one line each) or preset (a key of :data:`PRESETS`), constructed with
    ``kwargs`` (over a preset's own). A keyword may name a part's parameter in full
    (``trainer__lr``) or, where only one part has it, by its own name (``lr``); see
    :func:`~rnagraph.models.params.resolve_params`.

    Raises:
        ValueError: for an unknown model, or a keyword no part (or several) of it takes.
    """
    key = name.lower()
    if key in PRESETS:
        base, preset, _ = PRESETS[key]
        import copy
        kwargs = {**copy.deepcopy(preset), **kwargs}     # a preset's lists are never shared
    elif key in MODELS:
        base = key
    else:
        raise ValueError(f"unknown model {name!r}; choose from "
                         f"{', '.join([*MODELS, *PRESETS])}")
    factory = MODELS[base][0]
    if not kwargs:
        return factory()
    from rnagraph.models.params import is_plain_part, part_from_plain, resolve_params
    # a part written as data (a preset's {"part": ..., "params": ...}) is built anew per call
    kwargs = {k: part_from_plain(v) if is_plain_part(v) else v for k, v in kwargs.items()}
    # names are resolved on the model of the parts given (a part left out, e.g.
    # graph_encoder=None, has no parameters for a short name such as seed to reach)
    top = factory().get_params(deep=False)
    full = resolve_params(factory(**{k: v for k, v in kwargs.items() if k in top}), kwargs)
    model = factory(**{k: v for k, v in full.items() if "__" not in k})
    return model.set_params(**{k: v for k, v in full.items() if "__" in k})


def needs_sequences(name: str) -> bool:
    """Whether the model needs sequences on both node types of the edge type.

    Raises:
        KeyError: for an unknown model name.
    """
    key = name.lower()
    return MODELS[PRESETS[key][0] if key in PRESETS else key][2]


def preset_name(name: str, params: dict[str, Any]) -> str:
    """The registry name that builds ``name`` with ``params``: the preset whose base model is
    ``name`` and whose settings are exactly ``params`` (so a command line can name it, e.g.
    ``prior+seed`` with the stack of :data:`PRESETS`' ``tower+votes+struct`` is
    ``"tower+votes+struct"``), else ``name`` itself."""
    if params:
        for preset, (base, kw, _) in PRESETS.items():
            if base == name.lower() and kw == params:
                return preset
    return name
