"""MFERLPairTerm: the optional learned pair term of MFERL (our extension)."""
from __future__ import annotations

from rnagraph.features._estimator import Estimator


class MFERLPairTerm(Estimator):
    r"""A learned linear term :math:`\mathbf{w}^\top\boldsymbol{\phi}_{ij} + b` added to
    :class:`~rnagraph.models.MFERL`'s logit (rnagraph's extension: MFERL's per-node views
    cannot see pair-specific seed complementarity), free of weight decay
    (:class:`~rnagraph.models._pair_term.PairTerm`). :math:`\boldsymbol{\phi}_{ij}`
    ``[B, P]`` is, in this order:

    * ``seed_sites``: :math:`\log(1 + n)` counts of the four canonical seed sites of the
      pair (:class:`~rnagraph.features.SeedSiteFeatures`), :math:`\mathbf{w}` started in
      SeedMatch's order (one 8mer moves the logit by about 2), :math:`P \mathrel{+}= 4`;
    * ``structural``: the seven own-edge-free structural features of the training graph
      (:class:`~rnagraph.features.StructuralPairFeatures`), started at 0,
      :math:`P \mathrel{+}= 7`. A new RNA has no pairs to read them from, so MFERL with
      this term does not score new RNAs.

    Args:
        seed_sites (bool): the seed-site counts. (default: ``True``)
        structural (bool): the structural pair features. (default: ``False``)
    """

    def __init__(self, seed_sites: bool = True, structural: bool = False) -> None:
        self.seed_sites = seed_sites
        self.structural = structural

    def _validate_params(self) -> None:
        for name in ("seed_sites", "structural"):
            self._check_param(name, isinstance(getattr(self, name), bool), "must be a bool")
        self._check_param("seed_sites", self.seed_sites or self.structural,
                          "with structural=False leaves the term no features: set one true "
                          "or leave the part out (MFERL(pair=None))")

    def init(self) -> list[float]:
        r"""Initial :math:`\mathbf{w}` (:math:`b = 0`), one weight per channel of
        :math:`\boldsymbol{\phi}`: SeedMatch's order for the seed sites, 0 for the structural
        features."""
        from rnagraph.features.structural import STRUCTURAL_FEATURES
        from rnagraph.models.seed_match import seed_term_init
        seed = seed_term_init() if self.seed_sites else []
        return seed + [0.0] * (len(STRUCTURAL_FEATURES) if self.structural else 0)


__all__ = ["MFERLPairTerm"]
