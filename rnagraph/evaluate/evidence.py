"""Sequence evidence for a predicted miRNA-target pair: its strongest canonical seed site."""
from __future__ import annotations

from rnagraph.models.seed_match import DEFAULT_WEIGHTS, SeedMatch

#: site types from strongest to weakest (TargetScan's order of efficacy)
SITE_ORDER = tuple(DEFAULT_WEIGHTS)


def seed_evidence(mirna: str | None, target: str | None) -> tuple[str, int | None]:
    """The strongest canonical seed site of ``mirna`` in ``target`` and its position.

    Site types are those of :class:`~rnagraph.models.seed_match.SeedMatch` (8mer, 7mer-m8,
    7mer-A1, 6mer, typed by the match to miRNA position 8 and an ``A`` opposite position 1);
    :meth:`SeedMatch.count_sites` counts them, this finds where the strongest one is.

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
    counts = SeedMatch().count_sites(mirna, target)
    kind = next((t for t in SITE_ORDER if counts[t]), None)
    if kind is None:
        return "none", None
    core = mirna[1:7].translate(str.maketrans("ACGUN", "UGCAN"))[::-1]
    i = target.find(core)
    while i >= 0:
        m8 = i > 0 and len(mirna) > 7 and target[i - 1] == mirna[7].translate(
            str.maketrans("ACGUN", "UGCAN"))
        a1 = i + 6 < len(target) and target[i + 6] == "A"
        this = "8mer" if m8 and a1 else "7mer-m8" if m8 else "7mer-A1" if a1 else "6mer"
        if this == kind:
            return kind, (i if m8 else i + 1)  # an m8 site starts one nucleotide upstream
        i = target.find(core, i + 1)
    return kind, None  # pragma: no cover - count_sites found one


__all__ = ["seed_evidence", "SITE_ORDER"]
