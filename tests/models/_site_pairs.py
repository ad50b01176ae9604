"""Site-level miRNA-target pairs with planted seed sites, for the site-pair models' tests."""
import numpy as np
import torch

from rnagraph.data import build_graph
from rnagraph.features.seed_sites import complement
from rnagraph.typing import MIRNA_MRNA


def site_pairs(n_mirna: int = 60, per: int = 8, seed: int = 0):
    """Site-level pairs: each miRNA has ``per`` 40-nt targets carrying its 8mer or 7mer-m8
    site (positives) and ``per`` random 40-nt targets (negatives); returns the graph (edges:
    the positives), the labelled pairs ``[2, N]``, their labels and each pair's miRNA."""
    rng = np.random.default_rng(seed)
    rand = lambda n: "".join(rng.choice(list("ACGU"), n))  # noqa: E731
    mirnas = {f"m{i}": rand(22) for i in range(n_mirna)}
    targets, rows, labels = {}, [], []
    for i, (m, s) in enumerate(mirnas.items()):
        for k in range(2 * per):
            t = rand(40)
            if k < per:
                site = complement(s[1:8])[::-1] + ("A" if k % 2 else "")
                at = int(rng.integers(0, 40 - len(site)))
                t = t[:at] + site + t[at + len(site):]
            targets[f"t{i}_{k}"] = t
            rows.append((m, f"t{i}_{k}"))
            labels.append(1.0 if k < per else 0.0)
    g = build_graph({"mirna": mirnas, "mrna": targets},
                    {MIRNA_MRNA: [r for r, y in zip(rows, labels) if y]})
    ids = {t: {n: j for j, n in enumerate(g[t].ids)} for t in ("mirna", "mrna")}
    pairs = torch.tensor([[ids["mirna"][m] for m, _ in rows],
                          [ids["mrna"][t] for _, t in rows]])
    return g, pairs, torch.tensor(labels), np.array([int(m[1:]) for m, _ in rows])
