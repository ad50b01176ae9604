r"""A synthetic ceRNA graph with a planted shared-miRNA signal (for tests and demos).

Every RNA belongs to one of ``num_groups`` latent groups. A miRNA picks its circRNA partners and
its mRNA targets mostly (``1 - noise``) from its own group, so the group of a miRNA -- the signal
both interaction types share -- is visible in either relation. The circRNA side is made sparse
(``circ_per_mirna`` partners against ``targets_per_mirna`` targets), so a model that learns the
two relations together can recover from the targets what the few circRNA edges do not show.
miRNA sequences carry a group-specific seed (nucleotides 2-8), a weak sequence-level copy of
the same signal.
"""
from __future__ import annotations

import numpy as np
from torch_geometric.data import HeteroData

from rnagraph.data.build import build_graph
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA, MIRNA_MRNA, MRNA

_NT = np.array(list("ACGU"))


def synthetic_cerna(num_circrna: int = 300, num_mirna: int = 120, num_mrna: int = 300,
                    num_groups: int = 6, circ_per_mirna: float = 2.0,
                    targets_per_mirna: float = 10.0, noise: float = 0.1,
                    seed: int = 0) -> HeteroData:
    r"""Build a synthetic joint graph (``circrna``, ``mirna``, ``mrna`` nodes; both interaction
    types plus reverses). ``data[nt].group`` holds each node's planted group (a list of ints).

    Each miRNA draws :math:`1 + \mathrm{Poisson}(\cdot)` partners of each type; each partner is
    a uniform node of the miRNA's group with probability ``1 - noise``, else a uniform node.

    Args:
        num_circrna, num_mirna, num_mrna (int): nodes per type.
        num_groups (int): latent groups. (default: ``6``)
        circ_per_mirna (float): mean circRNA partners per miRNA, minus one. (default: ``2``)
        targets_per_mirna (float): mean targets per miRNA, minus one. (default: ``10``)
        noise (float): share of partners drawn outside the group. (default: ``0.1``)
        seed (int): seed. (default: ``0``)
    """
    if num_groups < 1 or min(num_circrna, num_mirna, num_mrna) < num_groups:
        raise ValueError(f"synthetic_cerna: need num_groups >= 1 and at least num_groups nodes "
                         f"of every type, got num_groups={num_groups}")
    if not 0 <= noise <= 1:
        raise ValueError(f"synthetic_cerna: noise must be in [0, 1], got {noise}")
    rng = np.random.default_rng(seed)
    groups = {nt: rng.permutation(np.arange(n) % num_groups)
              for nt, n in ((CIRCRNA, num_circrna), (MIRNA, num_mirna), (MRNA, num_mrna))}
    seeds = ["".join(rng.choice(_NT, 7)) for _ in range(num_groups)]
    seqs = {}
    for i in range(num_mirna):
        tail = "".join(rng.choice(_NT, 14))
        seqs[f"mir{i}"] = rng.choice(_NT) + seeds[groups[MIRNA][i]] + tail
    pairs = {CIRC_MIRNA: [], MIRNA_MRNA: []}
    for i in range(num_mirna):
        g = groups[MIRNA][i]
        for nt, mean, et in ((CIRCRNA, circ_per_mirna, CIRC_MIRNA),
                             (MRNA, targets_per_mirna, MIRNA_MRNA)):
            own = np.flatnonzero(groups[nt] == g)
            n = int(groups[nt].size)
            chosen = set()
            for _ in range(1 + int(rng.poisson(mean))):
                j = int(rng.choice(own)) if rng.random() >= noise else int(rng.integers(n))
                chosen.add(j)
            prefix = "circ" if nt == CIRCRNA else "m"
            for j in sorted(chosen):
                pair = (f"{prefix}{j}", f"mir{i}") if et == CIRC_MIRNA else (f"mir{i}",
                                                                            f"{prefix}{j}")
                pairs[et].append(pair)
    data = build_graph({MIRNA: seqs},
                       pairs, node_ids={CIRCRNA: [f"circ{j}" for j in range(num_circrna)],
                                        MRNA: [f"m{j}" for j in range(num_mrna)]})
    for nt, prefix in ((CIRCRNA, "circ"), (MIRNA, "mir"), (MRNA, "m")):
        data[nt].group = [int(groups[nt][int(s[len(prefix):])]) for s in data[nt].ids]
    data.name = "synthetic-cerna"
    return data


__all__ = ["synthetic_cerna"]
