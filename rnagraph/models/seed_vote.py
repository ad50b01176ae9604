"""SeedVote: a miRNA pair scored by the known partners of the miRNAs sharing its seed."""
from __future__ import annotations

import warnings
from typing import ClassVar

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.build import node_sequences
from rnagraph.data.fold import Fold
from rnagraph.features import normalize_sequence
from rnagraph.models.base import LinkModel
from rnagraph.typing import MIRNA


def seed_of(seq: str | None) -> str | None:
    """A miRNA's seed, nucleotides 2-8 (RNA alphabet, ``T`` read as ``U``), or ``None`` for a
    missing sequence, one shorter than 8 nt, or a seed holding anything but ``ACGU``."""
    if seq is None:
        return None
    s = normalize_sequence(seq, "seed_of")[1:8]
    return s if len(s) == 7 and set(s) <= set("ACGU") else None


class SeedVote(LinkModel):
    r"""The same-seed vote: miRNAs that share a seed (nucleotides 2-8) share targets.

    For a pair of miRNA :math:`m` and partner :math:`t`, with :math:`F(m)` the **known**
    miRNAs (those with a training pair) whose seed equals :math:`m`'s, :math:`m` itself left
    out, :math:`c_{mt} = \sum_{m' \in F(m)} A_{m't}` how many of them are training partners of
    :math:`t` (:math:`A`: the training adjacency, ``fold.train_graph`` only),
    :math:`n_m = |F(m)|`, :math:`\pi_t` the share of the known miRNAs (but :math:`m`) that
    bind :math:`t` and :math:`\alpha` = ``smoothing``,

    .. math::
        x_{mt} = \frac{c_{mt} + \alpha\, \pi_t}{n_m + \alpha},

    the share of :math:`m`'s seed family that binds :math:`t`, smoothed toward the partner's
    popularity; :math:`x` is :meth:`decision_function` and, uncalibrated, the probability.

    **A fraction, not a count:** within one miRNA both rank its partners alike, but across
    miRNAs (the pooled AUC, all-pair ranking) a count ranks the pairs of a large family above
    those of a small one for its size alone, where the fraction estimates for each the chance
    that one more member binds :math:`t`. The smoothing keeps a one-member family from scoring
    0 or 1 and makes a miRNA whose seed no known miRNA shares (or without a sequence: no seed)
    score :math:`\pi_t`, the one-sided popularity baseline; :meth:`pair_reasons` says which
    pairs had no seed.

    **Inductive.** A miRNA without training pairs (held out by a cold-start split, or new:
    appended to the scoring graph after the fitted ones, :meth:`inductive_mode` ``"sequence"``)
    is scored from its sequence alone; a new partner RNA goes through the contract's
    sequence-neighbour transfer (``"neighbours"``). Only training positives enter :math:`c`,
    :math:`n` and :math:`\pi`; every quantity is a ratio of integers computed pair by pair, so
    scores do not depend on the blocks they are scored in (``block_rtol = 0``).

    Args:
        smoothing (float): :math:`\alpha > 0`, pseudo-members at the partner's popularity.
            (default: ``1.0``)
        calibrate (bool): Platt-scale :math:`x` on ``fold.val``. (default: ``True``)
    """

    requires_sequences: ClassVar[bool] = True   # the miRNAs' (targets need none)
    block_rtol: ClassVar[float] = 0.0           # ratios of integers, pair by pair

    def __init__(self, smoothing: float = 1.0, calibrate: bool = True):
        self.smoothing = smoothing
        self.calibrate = calibrate

    def _validate_params(self) -> None:
        s = self.smoothing     # `s > 0` is False for NaN
        self._check_param("smoothing", isinstance(s, (int, float)) and not isinstance(s, bool)
                          and s > 0 and s != float("inf"), "must be a finite number > 0")
        self._check_param("calibrate", isinstance(self.calibrate, bool), "must be a bool")

    def inductive_mode(self, node_type: str) -> str | None:
        """``"sequence"`` for miRNAs (a new miRNA joins its seed family by its sequence), the
        sequence-neighbour transfer for the partner side."""
        return "sequence" if node_type == MIRNA else "neighbours"

    def _side(self) -> int:
        return self._row_of(MIRNA)

    def _fit(self, fold: Fold) -> None:
        """Check the miRNAs have sequences; the family counts are read from the fitted graph
        (training positives) at scoring time."""
        self._side()
        if not any(seed_of(s) for s in node_sequences(fold.train_graph, MIRNA)):
            raise ValueError("SeedVote: no miRNA has a sequence of at least 8 nt; attach a "
                             "miRNA FASTA or use a graph-only model")

    def _encode(self, graph: HeteroData) -> dict:
        """Per seed family of the fitted graph: known members and their partner counts; per
        miRNA of ``graph``: its family (-1: none) and whether it is known itself."""
        side = self._side()
        g = self.graph_
        other = self.edge_type_[2 - 2 * side]
        ei = g[self.edge_type_].edge_index
        m_fit, t_fit = ei[side], ei[1 - side]
        n_m, n_t = int(g[MIRNA].num_nodes), int(g[other].num_nodes)
        known = torch.zeros(n_m, dtype=torch.bool)
        known[m_fit] = True
        fit_seeds = [seed_of(s) for s in node_sequences(g, MIRNA)]
        vocab: dict[str, int] = {}
        for i, s in enumerate(fit_seeds):
            if s is not None and known[i]:
                vocab.setdefault(s, len(vocab))
        fam_fit = torch.tensor([vocab.get(s, -1) if s is not None else -1 for s in fit_seeds],
                               dtype=torch.long)
        member = known & (fam_fit >= 0)
        counts = torch.zeros(len(vocab), n_t, dtype=torch.float64)
        keep = member[m_fit]
        counts.index_put_((fam_fit[m_fit[keep]], t_fit[keep]),
                          torch.ones(int(keep.sum()), dtype=torch.float64), accumulate=True)
        size = torch.bincount(fam_fit[member], minlength=len(vocab)).double()
        seeds = [seed_of(s) for s in node_sequences(graph, MIRNA)]
        fam = torch.tensor([vocab.get(s, -1) if s is not None else -1 for s in seeds],
                           dtype=torch.long)
        n_q = fam.numel()
        is_known = torch.cat([known, known.new_zeros(max(n_q - n_m, 0))])[:n_q]
        deg = torch.bincount(t_fit, minlength=n_t).double()
        codes = torch.sort(m_fit * n_t + t_fit).values
        return {"fam": fam, "known": is_known, "member": is_known & (fam >= 0),
                "counts": counts, "size": size, "deg": deg, "n_known": float(known.sum()),
                "codes": codes, "n_t": n_t,
                "has_seed": torch.tensor([s is not None for s in seeds], dtype=torch.bool)}

    def _score(self, enc: dict, m: Tensor, t: Tensor) -> Tensor:
        """:math:`x` of miRNAs ``m`` and partners ``t`` (same shape, any shape)."""
        n_t, a = enc["n_t"], float(self.smoothing)
        fitted_t = t < n_t
        tt = torch.where(fitted_t, t, torch.zeros_like(t))
        code = m * n_t + tt
        j = torch.searchsorted(enc["codes"], code.reshape(-1)).reshape(code.shape)
        hit = enc["codes"][j.clamp(max=enc["codes"].numel() - 1)] == code
        own = (hit & fitted_t).double()                    # A_mt: 0 or 1
        f = enc["fam"][m]
        has_f = f >= 0
        ff = torch.where(has_f, f, torch.zeros_like(f))
        member = enc["member"][m].double()
        # m's own pair counts in its family's only when m is a member (known, with a seed)
        c = torch.where(has_f & fitted_t, enc["counts"][ff, tt] - own, torch.zeros_like(own))
        n = torch.where(has_f, enc["size"][ff], torch.zeros_like(own)) - member
        k = enc["n_known"] - enc["known"][m].double()
        deg = torch.where(fitted_t, enc["deg"][tt], torch.zeros_like(own)) - own
        pi = torch.where(k > 0, deg / k.clamp(min=1.0), torch.zeros_like(own))
        return (c + a * pi) / (n + a)

    def _decision(self, encoded: dict, pairs: Tensor) -> Tensor:
        side = self._side()
        m = pairs[side]
        missing = int((~encoded["has_seed"][m]).sum())
        if missing:
            warnings.warn(f"SeedVote: {missing} of {m.numel()} pairs have a miRNA without a "
                          "seed (no sequence of 8 nt or more); they score the partner's "
                          "popularity", stacklevel=4)
        return self._score(encoded, m, pairs[1 - side])

    def _decision_grid(self, encoded: dict, src: Tensor, dst: Tensor) -> Tensor:
        if self._side() == 0:
            return self._score(encoded, src[:, None].expand(-1, dst.numel()),
                               dst[None, :].expand(src.numel(), -1))
        return self._score(encoded, dst[None, :].expand(src.numel(), -1),
                           src[:, None].expand(-1, dst.numel()))

    def _link(self, raw: Tensor) -> Tensor:
        return raw.clamp(0.0, 1.0)

    def pair_reasons(self, graph: HeteroData | None, pairs: Tensor) -> list[str | None]:
        """Per pair, ``None`` where the miRNA has a seed, else why the pair was scored by
        the partner's popularity alone."""
        self._check_fitted()
        pairs = self._pairs(pairs)
        has = self.encoded(graph)["has_seed"]
        return [None if has[i] else "miRNA without a seed (no sequence of 8 nt or more): "
                "scored by the partner's popularity" for i in pairs[self._side()].tolist()]


__all__ = ["SeedVote", "seed_of"]
