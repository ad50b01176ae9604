"""SeedMatch: a training-free baseline that counts miRNA seed-complementary sites."""
from __future__ import annotations

import warnings
from typing import ClassVar

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import node_sequences
from rnagraph.data.fold import Fold
from rnagraph.features.seed_sites import SITE_TYPES, SeedSiteFeatures, SeedSiteIndex
from rnagraph.models.base import LinkModel
from rnagraph.typing import MIRNA

#: Default weight of each canonical site type (TargetScan's order of efficacy).
DEFAULT_WEIGHTS = {"8mer": 1.0, "7mer-m8": 0.75, "7mer-A1": 0.5, "6mer": 0.25}


def seed_term_init() -> list[float]:
    r"""Initial weights of a linear seed-site pair term over
    :class:`~rnagraph.features.SeedSiteFeatures` (log counts, in :data:`SITE_TYPES` order):
    SeedMatch's weights scaled so that one site (:math:`\log 2`) moves the logit by twice
    its weight (one 8mer by 2). Used by MFERL's and GRMMI's ``pair_features``."""
    import math
    return [2.0 * DEFAULT_WEIGHTS[s] / math.log(2.0) for s in SITE_TYPES]


def _finite(x: object) -> bool:
    """A real number that is not NaN or infinite (``bool`` is not a number here)."""
    import math
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class SeedMatch(LinkModel):
    r"""Scores a miRNA-target pair by the canonical seed sites in the target sequence.

    With :math:`n_k` the number of sites of type :math:`k` (8mer, 7mer-m8, 7mer-A1, 6mer;
    :class:`~rnagraph.features.SeedSiteFeatures`) of the pair and weights :math:`w_k`, the raw
    score (:meth:`decision_function`) is the weighted site count

    .. math::
        s = \sum_k w_k \, n_k, \qquad p = 1 - e^{-s} \quad (\texttt{calibrate=False}),

    so one 7mer-m8 or 8mer site already gives :math:`p > 0.5` and a lone 6mer does not. With
    ``calibrate=True`` (default) :math:`p` is instead the calibration stage of every model
    (Platt scaling of :math:`s` on ``fold.val``). Nothing else is learned. It needs sequences
    (``requires_sequences``): :meth:`fit` raises a :class:`ValueError` when the target type has
    none; pairs of fitted RNAs with a missing sequence score :math:`s = 0` (with a warning that
    counts them). Scoring reads the sequences of ``graph`` (``None``: the fitted graph).

    **New RNAs** (``inductive = "sequence"``, on both sides): a scoring graph that appends RNAs
    after the fitted ones (:meth:`~rnagraph.models.base.LinkModel.extended_graph`) is read as
    it is, so a new miRNA or target is scored from its sequence exactly as a fitted one; a new
    RNA without a sequence is not scored (NaN, :meth:`scoring_status` says why).

    Args:
        weights (dict[str, float], optional): weight per site type
            (default: 8mer 1.0, 7mer-m8 0.75, 7mer-A1 0.5, 6mer 0.25).
        calibrate (bool): Platt-scale :math:`s` on ``fold.val``. (default: ``True``)
    """

    requires_sequences: ClassVar[bool] = True
    block_rtol: ClassVar[float] = 0.0    # integer site counts: block-invariant exactly
    inductive: ClassVar[str | None] = "sequence"   # a new RNA's sites are read from its sequence

    def __init__(self, weights: dict[str, float] | None = None, calibrate: bool = True):
        self.weights = weights
        self.calibrate = calibrate

    def _validate_params(self) -> None:
        w = self.weights
        self._check_param("weights", w is None or isinstance(w, dict),
                          "must be a mapping of site type to weight, or None")
        unknown = sorted(set(w or {}) - set(DEFAULT_WEIGHTS))
        self._check_param("weights", not unknown,
                          f"has unknown site types {unknown}; expected {sorted(DEFAULT_WEIGHTS)}")
        self._check_param("weights", all(_finite(v) for v in (w or {}).values()),
                          "must map each site type to a finite number")
        self._check_param("calibrate", isinstance(self.calibrate, bool), "must be a bool")

    def _weights(self) -> Tensor:
        w = DEFAULT_WEIGHTS if self.weights is None else self.weights
        return torch.tensor([float(w.get(k, 0.0)) for k in SITE_TYPES], dtype=torch.float64)

    def _fit(self, fold: Fold) -> None:
        """Check that the edge type has a miRNA side and the target side has sequences."""
        src_t, _, dst_t = self.edge_type_
        if MIRNA not in (src_t, dst_t):
            raise ValueError(f"SeedMatch: edge type {self.edge_type_} has no miRNA side")
        for t in (src_t, dst_t):
            if not any(s is not None for s in node_sequences(fold.train_graph, t)):
                raise ValueError(f"SeedMatch: node type {t!r} has no sequences; attach a FASTA "
                                 f"(e.g. datasets.load(..., sequences={{{t!r}: 'file.fa'}})) "
                                 f"or use a graph-only model")

    def _encode(self, graph: HeteroData) -> dict:
        # sequences are read per pair; the target index for whole blocks is built on demand
        return {"graph": graph, "index": None, "mirna": None}

    def _decision(self, encoded: dict, pairs: Tensor) -> Tensor:
        feats = SeedSiteFeatures(log=False)
        seqs = feats.pair_sequences(encoded["graph"], self.edge_type_, pairs)
        counts, ok = feats.transform(seqs, return_mask=True)
        missing = int((~ok).sum())
        if missing:
            warnings.warn(f"SeedMatch: {missing} of {len(seqs)} pairs lack a sequence and "
                          f"score 0", stacklevel=4)
        return torch.from_numpy(counts).double() @ self._weights()

    def _decision_grid(self, encoded: dict, src: Tensor, dst: Tensor) -> Tensor:
        g, (src_t, _, dst_t) = encoded["graph"], self.edge_type_
        mir_src = src_t == MIRNA
        tgt_t = dst_t if mir_src else src_t
        if encoded["index"] is None:     # every target scanned once (SeedSiteIndex)
            encoded["index"] = SeedSiteIndex(node_sequences(g, tgt_t))
            encoded["mirna"] = node_sequences(g, MIRNA)
        mir_seq = encoded["mirna"]
        mir, tgt = (src, dst) if mir_src else (dst, src)
        counts = encoded["index"].counts([mir_seq[i] for i in mir.tolist()], tgt.numpy())
        raw = torch.from_numpy(counts) @ self._weights()       # [miRNAs, targets]
        return raw if mir_src else raw.T

    def _link(self, raw: Tensor) -> Tensor:
        return 1.0 - torch.exp(-raw)

    def raw_score(self, mirna: str, target: str) -> float:
        """The weighted site count :math:`s` of one sequence pair."""
        x = SeedSiteFeatures(log=False).transform([(mirna, target)])
        return float(torch.from_numpy(x[0]).double() @ self._weights())
