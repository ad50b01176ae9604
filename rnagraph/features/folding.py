"""Thermodynamic features of a miRNA-target pair from RNA folding (ViennaRNA; a pair
featurizer).

ViennaRNA is an optional dependency (``pip install 'rnagraph[fold]'``): the free energies of
RNA duplexes and the pairing probabilities of a target's own structure are its field, and a
re-implementation of the Turner model's loops would be neither faster nor as well checked.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnagraph._extras import MissingExtra
from rnagraph.features._estimator import is_int
from rnagraph.features._missing import normalize_sequence
from rnagraph.features._pairs import PairFeaturizer

#: the columns of :class:`FoldingFeatures`, in order
FOLDING = ("duplex_energy", "duplex_pairs", "duplex_seed_pairs", "duplex_start",
           "open_energy", "open_unpaired", "duplex_total")
#: the one line that says how to get ViennaRNA
INSTALL_HINT = ("FoldingFeatures (folding=True) needs ViennaRNA: pip install 'rnagraph[fold]' "
                "(or pip install ViennaRNA)")
#: RT at 37 degrees C in kcal/mol: the opening energy is -RT ln P(unpaired)
_RT = 0.0019872 * 310.15
#: the probability of an unpaired stretch is floored here before the logarithm (opening
#: costs at most -RT ln 1e-30 = 42.6 kcal/mol)
_FLOOR = 1e-30
#: targets shorter than this cannot fold (a hairpin needs 2 pairs around a 3-nt loop); they
#: are not passed to ViennaRNA, whose local folding fails on 3- and 4-nt sequences
_MIN_FOLD = 7


def import_vienna() -> Any:
    """ViennaRNA's ``RNA`` module, or an :class:`ImportError` whose message is
    :data:`INSTALL_HINT`."""
    try:
        import RNA
    except ImportError:
        raise MissingExtra(INSTALL_HINT) from None
    return RNA


class FoldingFeatures(PairFeaturizer):
    r"""The **folded duplex** of a miRNA with its target and the cost of **opening** the
    target there, per pair, from ViennaRNA's nearest-neighbour energy model (Turner 2004,
    37 degrees C).

    * ``duplex_energy``: the minimum free energy :math:`\Delta G_{duplex}` (kcal/mol) of the
      miRNA hybridised to the target, intramolecular pairs excluded (``RNAduplex``: bulges,
      interior loops and mismatches allowed, unlike :class:`DuplexFeatures`' ungapped duplex);
    * ``duplex_pairs``: the miRNA nucleotides paired in it; ``duplex_seed_pairs``: those of
      positions 2-8; ``duplex_start``: the first miRNA position paired (1-based);
    * ``open_energy``: the cost of opening the target where the duplex binds it,
      :math:`\Delta G_{open} = -RT \ln P(t_a \dots t_b \text{ unpaired})`, with :math:`a..b`
      the stretch from its first to its last paired target nucleotide and the probability
      from the target's local folding (``RNAplfold``: base pairs at most ``span`` apart,
      averaged over windows of ``window`` nucleotides, so a long mRNA costs
      :math:`O(|t| \cdot W \cdot L)`, not :math:`O(|t|^3)`; a stretch longer than
      ``window`` is read as a product of consecutive pieces); ``open_unpaired``: that
      probability (1: an open site). This is the accessibility term of PITA's
      :math:`\Delta\Delta G` and TargetScan's site accessibility;
    * ``duplex_total``: :math:`\Delta G_{duplex} + \Delta G_{open}` (PITA's
      :math:`\Delta\Delta G` in sign and scale: the lower, the likelier the site).

    A pair whose best duplex has no negative free energy (no duplex) gets zeros for the
    duplex and its opening. Every column describes the pair: nothing reads the miRNA alone or
    a label, so a model on them scores an unseen miRNA as a known one. Nothing is learned:
    ``fit`` only checks the parameters. A pair with a missing sequence gets a row of zeros
    (``transform(..., return_mask=True)`` says which).

    Cost: ``RNAduplex`` is :math:`O(|m| \cdot |t|)` per pair; each distinct target is folded
    once per call (:math:`O(|t| \cdot W \cdot L)`), and only one target's probabilities are
    held at a time.

    Args:
        window (int): ``RNAplfold``'s window :math:`W`, at least 2. (default: ``80``)
        span (int): the longest base pair :math:`L`, at least 1 and at most ``window``.
            (default: ``40``; TargetScan's site accessibility uses 80 / 40 too)

    Shapes:
        - **input:** ``N`` pairs ``(mirna_seq, target_seq)`` (``str`` or ``None``, RNA or DNA
          alphabet), or a graph, an edge type and ``edge_label_index [2, N]``
          (:meth:`graph_transform`)
        - **output:** ``float32 [N, 7]`` in the order of :data:`FOLDING`
    """

    def __init__(self, window: int = 80, span: int = 40):
        self.window = window
        self.span = span

    def _validate_params(self) -> None:
        self._check_param("window", is_int(self.window) and self.window >= 2,
                          "must be an integer >= 2")
        self._check_param("span", is_int(self.span) and 1 <= self.span <= self.window,
                          f"must be an integer in [1, window={self.window!r}]")

    def get_feature_names_out(self) -> list[str]:
        return list(FOLDING)

    def transform(self, pairs: Sequence[tuple[str | None, str | None]],
                  return_mask: bool = False):
        """Features ``float32 [N, 7]`` of ``(mirna_seq, target_seq)`` pairs; with
        ``return_mask=True`` also ``bool [N]``, ``True`` where both sequences exist."""
        self._validate_params()
        out = np.zeros((len(pairs), len(FOLDING)), dtype=np.float32)
        mask = np.array([m is not None and t is not None for m, t in pairs], dtype=bool)
        if mask.any():
            RNA = import_vienna()
            by_target: dict[str, list[tuple[int, str]]] = {}
            for r in np.flatnonzero(mask):
                m = normalize_sequence(pairs[r][0], "FoldingFeatures", int(r))
                t = normalize_sequence(pairs[r][1], "FoldingFeatures", int(r))
                by_target.setdefault(t, []).append((int(r), m))
            # one target at a time: folded once, for the longest stretch its duplexes open,
            # and its table dropped before the next (memory: one target's table)
            for t, rows in by_target.items():
                duplexes = [(r, RNA.duplexfold(m, t)) for r, m in rows]
                longest = max(b - a + 1 for a, b in (_stretch(d) for _, d in duplexes))
                table = self._unpaired(RNA, t, longest)
                for r, d in duplexes:
                    out[r] = _duplex_row(d, table)
        return (out, mask) if return_mask else out

    def _unpaired(self, RNA: Any, target: str, longest: int) -> np.ndarray:
        """``float64 [len(target) + 1, u + 1]``: entry ``[i, k]`` is the probability that the
        ``k`` nucleotides ending at ``i`` (1-based) are all unpaired in the target's local
        folding (``k <= u = min(longest, window)``; column 0 is 1)."""
        n = len(target)
        window = min(int(self.window), n)
        u = max(1, min(int(longest), window))
        if n < _MIN_FOLD:             # no hairpin fits: every nucleotide is unpaired
            return np.ones((n + 1, u + 1))
        # the window clamped to the target: ViennaRNA 2.8 corrupts its heap on a window
        # longer than a very short sequence
        up = RNA.pfl_fold_up(target, u, window, min(int(self.span), window))
        table = np.array([row[:u + 1] for row in up], dtype=np.float64)
        table[:, 0] = 1.0
        return table


def _stretch(duplex: Any) -> tuple[int, int]:
    """The first and last target nucleotide (1-based) paired in an ``RNA.duplexfold``
    result, ``(1, 0)`` with none."""
    tgt = duplex.structure.split("&")[1]
    paired = [duplex.j + k for k, c in enumerate(tgt) if c == ")"]
    return (paired[0], paired[-1]) if paired and duplex.energy < 0 else (1, 0)


def _duplex_row(duplex: Any, unpaired: np.ndarray) -> list[float]:
    """The :data:`FOLDING` columns of one ``RNA.duplexfold`` result (``structure``
    ``"<miRNA part>&<target part>"``, ``i`` the last miRNA position and ``j`` the first
    target position of the duplex, 1-based) and its target's stretch probabilities
    (:meth:`FoldingFeatures._unpaired`)."""
    energy = float(duplex.energy)
    if not energy < 0:
        return [0.0] * len(FOLDING)
    mir = duplex.structure.split("&")[0]
    first = duplex.i - len(mir)                         # 0-based miRNA position of mir[0]
    paired = [first + k for k, c in enumerate(mir) if c == "("]
    a, b = _stretch(duplex)
    # P(a..b unpaired): read whole where the table reaches, else as a product of chunks
    prob, end, u = 1.0, b, unpaired.shape[1] - 1
    while end >= a:
        k = min(end - a + 1, u)
        prob *= float(unpaired[end, k])
        end -= k
    opening = float(-_RT * np.log(max(prob, _FLOOR)))
    return [energy, len(paired), sum(1 for p in paired if 1 <= p <= 7), paired[0] + 1,
            opening, prob, energy + opening]


__all__ = ["FOLDING", "FoldingFeatures", "INSTALL_HINT", "import_vienna"]
