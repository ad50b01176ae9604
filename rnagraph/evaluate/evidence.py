"""Sequence evidence for a predicted miRNA-target pair: its strongest canonical seed site."""
from __future__ import annotations

from rnagraph.features.seed_sites import SITE_TYPES, find_sites

#: site types from strongest to weakest (TargetScan's order of efficacy)
SITE_ORDER = SITE_TYPES


def seed_evidence(mirna: str | None, target: str | None) -> tuple[str, int | None]:
    """The strongest canonical seed site of ``mirna`` in ``target`` and its position.

    Site types and positions are those of :func:`rnagraph.features.find_sites` (8mer,
    7mer-m8, 7mer-A1, 6mer, typed by the match to miRNA position 8 and an ``A`` opposite
    position 1); this picks the strongest, the first in the target among equals.

    Args:
        mirna (str, optional): the miRNA, 5'->3', RNA alphabet.
        target (str, optional): the target (circRNA / mRNA), 5'->3'.

    Returns:
        tuple[str, int | None]: ``(site type, 1-based position in the target of the site's
        first nucleotide)``; ``("none", None)`` without a site and ``("no sequence", None)``
        when a sequence is missing.
    """
    if not mirna or not target:
        return "no sequence", None
    sites = find_sites(mirna, target)
    if not sites:
        return "none", None
    kind, start = min(sites, key=lambda site: SITE_ORDER.index(site[0]))  # first of the best
    return kind, start + 1


__all__ = ["seed_evidence", "SITE_ORDER"]
