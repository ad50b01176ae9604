"""Thermodynamic features of a miRNA-target pair from RNA folding (ViennaRNA; a pair
featurizer).

ViennaRNA is an optional dependency (``pip install 'rnagraph[fold]'``): the free energies of
RNA duplexes and the pairing probabilities of a target's own structure are its field, and a
re-implementation of the Turner model's loops would be neither faster nor as well checked.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from rnagraph.features._estimator import Estimator, is_int
from rnagraph.features._missing import normalize_sequence

if TYPE_CHECKING:  # torch is imported where it is used: importing features stays light
    from torch import Tensor
    from torch_geometric.data import HeteroData

    from rnagraph.typing import EdgeType

#: the columns of :class:`FoldingFeatures`, in order
FOLDING = ("duplex_energy", "duplex_pairs", "duplex_seed_pairs", "duplex_start",
           "open_energy", "open_unpaired", "duplex_total")
#: the one line that says how to get ViennaRNA
INSTALL_HINT = ("FoldingFeatures (folding=True) needs ViennaRNA: pip install 'rnagraph[fold]' "
                "(or pip install ViennaRNA)")
#: RT at 37 degrees C in kcal/mol: the opening energy is -RT ln P(unpaired)
_RT = 0.0019872 * 310.15
#: unpaired probabilities are floored here before the logarithm (a nucleotide paired with
#: certainty costs at most -RT ln 1e-6 = 8.5 kcal/mol to open)
_FLOOR = 1e-6
#: targets shorter than this cannot fold (a hairpin needs 2 pairs around a 3-nt loop); they
#: are not passed to ViennaRNA, whose local folding fails on 3- and 4-nt sequences
_MIN_FOLD = 7


def import_vienna() -> Any:
    """ViennaRNA's ``RNA`` module, or an :class:`ImportError` whose message is
    :data:`INSTALL_HINT`."""
    try:
        import RNA
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    return RNA


class FoldingFeatures(Estimator):
    r"""The **folded duplex** of a miRNA with its target and the cost of **opening** the
    target there, per pair, from ViennaRNA's nearest-neighbour energy model (Turner 2004,
    37 degrees C).

    * ``duplex_energy``: the minimum free energy :math:`\Delta G_{duplex}` (kcal/mol) of the
      miRNA hybridised to the target, intramolecular pairs excluded (``RNAduplex``: bulges,
      interior loops and mismatches allowed, unlike :class:`DuplexFeatures`' ungapped duplex);
    * ``duplex_pairs``: the miRNA nucleotides paired in it; ``duplex_seed_pairs``: those of
      positions 2-8; ``duplex_start``: the first miRNA position paired (1-based);
    * ``open_energy``: the cost of making the target nucleotides of that duplex unpaired in the
      target's own structure, :math:`\Delta G_{open} = -RT \sum_{j} \ln P_j(\text{unpaired})`
      over the paired target nucleotides :math:`j`, with the unpaired probabilities of local
      folding (``RNAplfold``: base pairs at most ``span`` apart, averaged over windows of
      ``window`` nucleotides, so a long mRNA costs :math:`O(|t| \cdot W \cdot L)`, not
      :math:`O(|t|^3)`); each nucleotide is taken as independent, an approximation of the
      joint probability that PITA's :math:`\Delta\Delta G` also makes;
      ``open_unpaired``: the mean of those probabilities (1: an open site);
    * ``duplex_total``: :math:`\Delta G_{duplex} + \Delta G_{open}` (PITA's
      :math:`\Delta\Delta G` in sign and scale: the lower, the likelier the site).

    A pair whose best duplex has no negative free energy (no duplex) gets zeros for the
    duplex and its opening. Every column describes the pair: nothing reads the miRNA alone or
    a label, so a model on them scores an unseen miRNA as a known one. Nothing is learned:
    ``fit`` only checks the parameters. A pair with a missing sequence gets a row of zeros
    (``transform(..., return_mask=True)`` says which).

    Cost: ``RNAduplex`` is :math:`O(L \cdot |t|)` per pair; each distinct target is folded
    once per call. About 1 ms per pair of a miRNA and a 40-50 nt site window.

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

    def fit(self, pairs: Sequence | None = None, y: None = None) -> FoldingFeatures:
        """Nothing to learn: checks the parameters and returns ``self``."""
        self._validate_params()
        return self

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
            unpaired: dict[str, np.ndarray] = {}
            for r in np.flatnonzero(mask):
                m = normalize_sequence(pairs[r][0], "FoldingFeatures", int(r))
                t = normalize_sequence(pairs[r][1], "FoldingFeatures", int(r))
                if t not in unpaired:
                    unpaired[t] = self._unpaired(RNA, t)
                out[r] = _duplex_row(RNA.duplexfold(m, t), unpaired[t])
        return (out, mask) if return_mask else out

    def _unpaired(self, RNA: Any, target: str) -> np.ndarray:
        """``float64 [len(target)]``: the probability that each nucleotide is unpaired in the
        target's local folding."""
        if len(target) < _MIN_FOLD:     # no hairpin fits: every nucleotide is unpaired
            return np.ones(len(target))
        # the window and span clamped to the target: ViennaRNA 2.8 corrupts its heap on a
        # window longer than a very short sequence
        window = min(int(self.window), len(target))
        up = RNA.pfl_fold_up(target, 1, window, min(int(self.span), window))
        return np.array([row[1] for row in up[1:]], dtype=np.float64)

    def fit_transform(self, pairs: Sequence[tuple[str | None, str | None]],
                      return_mask: bool = False):
        return self.fit(pairs).transform(pairs, return_mask=return_mask)

    def graph_transform(self, graph: HeteroData, edge_type: EdgeType,
                        edge_label_index: Tensor) -> Tensor:
        """:meth:`transform` of the pairs ``edge_label_index [2, N]`` of ``edge_type`` in
        ``graph`` (miRNA on either side), as a ``torch.float32 [N, 7]`` tensor."""
        import torch

        from rnagraph.features.seed_sites import SeedSiteFeatures
        pairs = SeedSiteFeatures.pair_sequences(graph, edge_type, edge_label_index)
        return torch.from_numpy(self.transform(pairs))


def _duplex_row(duplex: Any, unpaired: np.ndarray) -> list[float]:
    """The :data:`FOLDING` columns of one ``RNA.duplexfold`` result (``structure``
    ``"<miRNA part>&<target part>"``, ``i`` the last miRNA position and ``j`` the first
    target position of the duplex, 1-based) and the target's unpaired probabilities."""
    energy = float(duplex.energy)
    if not energy < 0:
        return [0.0] * len(FOLDING)
    mir, tgt = duplex.structure.split("&")
    first = duplex.i - len(mir)                         # 0-based miRNA position of mir[0]
    paired = [first + k for k, c in enumerate(mir) if c == "("]
    sites = np.array([duplex.j - 1 + k for k, c in enumerate(tgt) if c == ")"], dtype=np.int64)
    prob = unpaired[sites[sites < unpaired.size]]
    opening = float(-_RT * np.log(np.clip(prob, _FLOOR, 1.0)).sum())
    return [energy, len(paired), sum(1 for p in paired if 1 <= p <= 7),
            paired[0] + 1 if paired else 0, opening,
            float(prob.mean()) if prob.size else 0.0, energy + opening]


__all__ = ["FOLDING", "FoldingFeatures", "INSTALL_HINT", "import_vienna"]
