r"""miRBase miRNA names: one normalisation and a matcher between two name lists.

Two datasets name the same mature miRNA differently for four reasons:

* **case** -- ``HSA-MIR-21-5P`` vs ``hsa-miR-21-5p``;
* **``mir`` vs ``miR``** -- in miRBase ``mir`` names the hairpin precursor and ``miR`` the mature
  product, but interaction tables use both for the mature miRNA;
* **arm suffix** -- since miRBase 18 a mature name carries ``-5p`` / ``-3p`` when both arms are
  known; a name without the suffix (``hsa-miR-3180``) may be an older spelling of one arm or a
  distinct single-arm miRNA (``hsa-miR-3180`` and ``hsa-miR-3180-5p`` are different miRBase
  entries);
* **old star names** -- before release 18 the minor arm was ``hsa-miR-X*``: which arm that is
  (``-5p`` or ``-3p``) cannot be told from the name.

:func:`normalize_mirna_name` removes the first two (they never change which miRNA is meant);
:func:`match_mirna_names` matches on the normalised name and **reports**, without matching, the
last two unless the caller's sequences show that both names denote the same mature sequence.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_ARM = re.compile(r"-([35])p$", re.IGNORECASE)
_MIR = re.compile(r"^([a-z]{3,4}-)?(mir|let|lin|bantam)-", re.IGNORECASE)


def normalize_mirna_name(name: str) -> str:
    r"""The canonical spelling of a mature miRNA name, for matching across datasets.

    Rules (each leaves the identity of the miRNA unchanged):

    1. surrounding white space is removed;
    2. the species prefix is lower case (``HSA-`` -> ``hsa-``);
    3. the type word is ``miR`` (``mir``, ``MIR``, ``Mir`` -> ``miR``) or ``let`` / ``lin`` /
       ``bantam`` in lower case;
    4. the rest (number, letters of paralogues, ``-1``/``-2`` loci) is lower case, and the arm
       suffix is ``-5p`` / ``-3p``;
    5. a trailing ``*`` (old minor-arm names) is kept: it is *not* resolved to an arm.

    Example::

        >>> normalize_mirna_name(" HSA-MIR-106A-5P ")
        'hsa-miR-106a-5p'
        >>> normalize_mirna_name("hsa-let-7A*")
        'hsa-let-7a*'

    Args:
        name (str): a miRNA name.

    Raises:
        ValueError: ``name`` is empty.
    """
    s = str(name).strip()
    if not s:
        raise ValueError("normalize_mirna_name: empty miRNA name; drop empty ids before matching")
    star = s.endswith("*")
    s = s.rstrip("*").lower()
    m = _MIR.match(s)
    if m:
        word = "miR" if m.group(2) == "mir" else m.group(2)
        s = (m.group(1) or "") + word + "-" + s[m.end():]
    return s + ("*" if star else "")


def _arm_base(norm: str) -> tuple[str, str | None]:
    """``("hsa-miR-21", "5p")`` for ``hsa-miR-21-5p``; ``(name, None)`` without an arm."""
    m = _ARM.search(norm)
    return (norm[: m.start()], m.group(1) + "p") if m else (norm, None)


def _armed(norm: str) -> bool:
    return not norm.endswith("*") and _arm_base(norm)[1] is not None


def match_mirna_names(left: Iterable[str], right: Iterable[str], *,
                      sequences: Mapping[str, str | None] | None = None) -> dict:
    r"""Match the miRNA names of two datasets by normalised miRBase name.

    Each ``right`` name is matched to at most one ``left`` name:

    1. ``"exact"`` -- the same string;
    2. ``"normalised"`` -- the same :func:`normalize_mirna_name` (case, ``mir``/``miR``);
    3. **ambiguous** names are *reported* and left unmatched, unless ``sequences`` gives both
       names the same (upper-case, ``T`` -> ``U``) sequence, in which case they match as
       ``"sequence"``:

       * ``"arm"`` -- one side has no arm suffix and the other has the same base with an arm
         (``hsa-miR-3180`` vs ``hsa-miR-3180-5p``), and the arm-less name is absent from it;
       * ``"star"`` -- an old ``*`` name whose base has an arm-suffixed name on the other side.

       Two left names that normalise to the same key are a ``"collision"`` (reported; the first
       is used).

    Args:
        left (Iterable[str]): names of the first dataset (their spelling is kept for matches).
        right (Iterable[str]): names of the second dataset.
        sequences (Mapping[str, str], optional): ``{name: mature sequence}`` for names of either
            side, used only to confirm ambiguous candidates.

    Returns:
        dict: ``mapping`` (``{right name: left name}``), ``how`` (``{right name: "exact" |
        "normalised" | "sequence"}``), ``counts`` (``left``, ``right``, ``exact``,
        ``normalised``, ``sequence``, ``matched``, ``left_only``, ``right_only``), and
        ``ambiguous`` (a list of ``{"kind", "left", "right"}`` dicts, ``left`` / ``right`` lists
        of names).
    """
    left = list(dict.fromkeys(str(x).strip() for x in left))
    right = list(dict.fromkeys(str(x).strip() for x in right))
    seqs = {k: v.upper().replace("T", "U") for k, v in (sequences or {}).items() if v}
    key_left: dict[str, str] = {}
    ambiguous: list[dict] = []
    for n in left:
        k = normalize_mirna_name(n)
        if k in key_left:
            ambiguous.append({"kind": "collision", "left": [key_left[k], n], "right": []})
            continue
        key_left[k] = n
    left_set = set(left)
    by_base_left: dict[str, list[str]] = {}
    for k, n in key_left.items():
        by_base_left.setdefault(_arm_base(k.rstrip("*"))[0], []).append(n)
    mapping: dict[str, str] = {}
    how: dict[str, str] = {}
    pending: list[tuple[str, str]] = []
    for n in right:
        if n in left_set:
            mapping[n], how[n] = n, "exact"
            continue
        k = normalize_mirna_name(n)
        if k in key_left:
            mapping[n], how[n] = key_left[k], "normalised"
            continue
        pending.append((n, k))
    used = set(mapping.values())
    for n, k in pending:
        base = _arm_base(k.rstrip("*"))[0]
        # both armed means two different arms: different miRNAs, not an ambiguity
        cands = [c for c in by_base_left.get(base, []) if c not in used
                 and not (_armed(k) and _armed(normalize_mirna_name(c)))]
        if not cands:
            continue
        star = k.endswith("*") or any(c.endswith("*") for c in cands)
        kind = "star" if star else "arm"
        same = [c for c in cands if n in seqs and seqs.get(c) == seqs[n]]
        if len(same) == 1:
            mapping[n], how[n] = same[0], "sequence"
            used.add(same[0])
        else:
            ambiguous.append({"kind": kind, "left": cands, "right": [n]})
    n_how = {h: sum(1 for v in how.values() if v == h) for h in ("exact", "normalised",
                                                                 "sequence")}
    counts = {"left": len(left), "right": len(right), **n_how, "matched": len(mapping),
              "left_only": len(left) - len(set(mapping.values())),
              "right_only": len(right) - len(mapping)}
    return {"mapping": mapping, "how": how, "counts": counts, "ambiguous": ambiguous}


__all__ = ["normalize_mirna_name", "match_mirna_names"]
