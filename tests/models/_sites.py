"""Small miRNA-mRNA graphs with planted seed sites, for GRMMI's learning tests."""
from __future__ import annotations

import numpy as np

from rnagraph.data import build_graph
from rnagraph.datasets.synthetic import seed_site
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA


def site_graph(n_families: int = 4, mirna_per_family: int = 3, n_mrna: int = 120,
               length: int = 40, partners: int = 3, seed: int = 0):
    """``n_families`` seed families of miRNAs and ``n_mrna`` random targets of ``length`` nt.
    Each target gets one 8mer site of one family, at a random position; it interacts with
    ``partners`` random miRNAs of that family (the positives). Returns ``(graph, sites)`` with
    ``sites[mrna_index] = (start, end)`` of the planted site (5'->3')."""
    rng = np.random.default_rng(seed)
    alpha = np.array(list("ACGU"))
    rand = lambda n: "".join(rng.choice(alpha, n))  # noqa: E731
    mirnas, fam = {}, []
    for f in range(n_families):
        core = rand(7)
        for i in range(mirna_per_family):
            mirnas[f"miR-{f}-{i}"] = rand(1) + core + rand(14)
            fam.append(f)
    names = list(mirnas)
    targets, sites, pairs = {}, {}, []
    for j in range(n_mrna):
        f = int(rng.integers(n_families))
        members = [n for n, g in zip(names, fam) if g == f]
        site = seed_site(mirnas[members[0]], "8mer")
        s = list(rand(length))
        pos = int(rng.integers(0, length - len(site)))
        s[pos:pos + len(site)] = list(site)
        targets[f"t{j}"] = "".join(s)
        sites[j] = (pos, pos + len(site))
        for m in rng.choice(members, min(partners, len(members)), replace=False):
            pairs.append((str(m), f"t{j}"))
    g = build_graph({MIRNA: mirnas, MRNA: targets}, {MIRNA_MRNA: pairs})
    idx = {t: i for i, t in enumerate(g[MRNA].ids)}
    return g, {idx[f"t{j}"]: sites[j] for j in range(n_mrna)}
