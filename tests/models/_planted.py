"""A small hand-made planted-partition circRNA-miRNA graph for MFERL's learning tests."""
from __future__ import annotations

import numpy as np

from rnagraph.data import build_graph
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA


def planted_graph(n_groups: int = 4, circ_per_group: int = 12, mirna_per_group: int = 6,
                  p_in: float = 0.5, p_out: float = 0.03, seed: int = 0):
    """circRNAs and miRNAs in ``n_groups`` groups; a pair interacts with probability ``p_in``
    inside a group and ``p_out`` across. Each group has a 7-nt motif: its miRNAs carry it at
    positions 2-8, its circRNAs carry the reverse complement five times (so sequence views and
    graph views both carry the group)."""
    rng = np.random.default_rng(seed)
    alpha = np.array(list("ACGU"))
    comp = str.maketrans("ACGU", "UGCA")
    motifs = ["".join(rng.choice(alpha, 7)) for _ in range(n_groups)]
    seqs = {MIRNA: {}, CIRCRNA: {}}
    groups = {MIRNA: [], CIRCRNA: []}
    for g, motif in enumerate(motifs):
        for i in range(mirna_per_group):
            s = "".join(rng.choice(alpha, 22))
            seqs[MIRNA][f"miR-{g}-{i}"] = s[0] + motif + s[8:]
            groups[MIRNA].append(g)
        site = motif.translate(comp)[::-1]
        for i in range(circ_per_group):
            s = list("".join(rng.choice(alpha, 240)))
            for pos in rng.choice(np.arange(0, 230, 12), 5, replace=False):
                s[pos:pos + 7] = list(site)
            seqs[CIRCRNA][f"circ-{g}-{i}"] = "".join(s)
            groups[CIRCRNA].append(g)
    pairs = []
    for c, gc in zip(seqs[CIRCRNA], groups[CIRCRNA]):
        for m, gm in zip(seqs[MIRNA], groups[MIRNA]):
            if rng.random() < (p_in if gc == gm else p_out):
                pairs.append((c, m))
    return build_graph(seqs, {CIRC_MIRNA: pairs})
