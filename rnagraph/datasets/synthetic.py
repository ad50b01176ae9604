"""A synthetic RNA interaction graph with planted seed complementarity.

The generator is the embedded default of rnagraph: the demo and most tests run on it. It mimics the
biology that sequence-based predictors rely on, with noise on both sides so that no method is
perfect (see ``docs/synthetic.md``):

* **miRNAs** are random mature sequences of 20-24 nt, grouped into *families* that share the seed
  (nucleotides 2-8), as real miRNA families do.
* **Interactions** have graph structure: each family has a pool of preferred targets and each
  member picks most of its partners from its family pool (the rest at random, weighted by a
  heavy-tailed target "popularity"), so neighbourhood-based predictors have signal too.
* **mRNAs** are 3'UTR-like (AU-rich, 400-1,200 nt). A true miRNA partner carries, with probability
  ``site_prob``, one canonical site complementary to the miRNA seed: 8mer, 7mer-m8, 7mer-A1 or
  6mer. Other true pairs carry no canonical site (non-canonical targeting).
* **circRNAs** (300-1,600 nt) are sponges: a true partner gets 1-4 sites with probability
  ``site_prob``.
* **Decoys**: each target RNA also receives seed sites of random non-partner miRNAs
  (``decoys_per_rna`` on average), and random background produces chance 6-7mers.
"""
from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import HeteroData

from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA, MIRNA_MRNA, MRNA

_ALPHABET = np.array(list("ACGU"))
_COMP = str.maketrans("ACGU", "UGCA")

#: Site-type codes stored in ``data[edge_type].site_type`` (best planted site per true pair).
SITE_TYPES = ("none", "6mer", "7mer-A1", "7mer-m8", "8mer")


def seed_site(mirna: str, kind: str) -> str:
    """The target-side site (5'->3') complementary to the seed of ``mirna`` for a site ``kind``.

    The seed is miRNA nucleotides 2-8. A target site pairs antiparallel, so its sequence is the
    reverse complement; ``A1`` means an adenosine opposite miRNA position 1.

    ==========  ==================================
    kind        target site
    ==========  ==================================
    8mer        revcomp(m[2..8]) + "A"
    7mer-m8     revcomp(m[2..8])
    7mer-A1     revcomp(m[2..7]) + "A"
    6mer        revcomp(m[2..7])
    ==========  ==================================
    """
    rc = lambda s: s.translate(_COMP)[::-1]  # noqa: E731
    if kind == "8mer":
        return rc(mirna[1:8]) + "A"
    if kind == "7mer-m8":
        return rc(mirna[1:8])
    if kind == "7mer-A1":
        return rc(mirna[1:7]) + "A"
    if kind == "6mer":
        return rc(mirna[1:7])
    raise ValueError(f"seed_site: unknown site kind {kind!r}; expected one of {SITE_TYPES[1:]}")


def synthetic(num_mirna: int = 60, num_mrna: int = 300, num_circrna: int = 150, *,
              family_size: float = 3.0, targets_per_mirna: float = 12.0,
              sponges_per_mirna: float = 8.0, pool_share: float = 0.9,
              pool_factor: float = 1.2, site_prob: float = 0.7,
              decoys_per_rna: float = 1.5, seed: int = 0,
              add_reverse: bool = False) -> HeteroData:
    """Generate a synthetic heterogeneous RNA interaction graph.

    Args:
        num_mirna, num_mrna, num_circrna (int): node counts; a count of 0 leaves that type (and
            its edge type) out.
        family_size (float): mean miRNAs per seed family. (default: ``3.0``)
        targets_per_mirna (float): mean mRNA partners per miRNA. (default: ``12.0``)
        sponges_per_mirna (float): mean circRNA partners per miRNA. (default: ``8.0``)
        pool_share (float): share of a miRNA's partners drawn from its family's target pool (the
            graph-side signal). (default: ``0.9``)
        pool_factor (float): family pool size as a multiple of the mean degree.
            (default: ``1.2``)
        site_prob (float): probability that a true pair carries planted seed site(s).
            (default: ``0.7``)
        decoys_per_rna (float): mean planted sites of non-partner miRNAs per target RNA.
            (default: ``1.5``)
        seed (int): random seed; the same seed gives identical sequences and edges.
        add_reverse (bool): also add the reverse edge types, as
            :class:`~torch_geometric.transforms.ToUndirected` would (then do not apply it again).
            (default: ``False``: each interaction once, ready for ``ToUndirected``)

    Returns:
        HeteroData: node types ``mirna``, ``mrna``, ``circrna`` (as built by
        :func:`rnagraph.data.build_graph`, all with sequences) and edge types
        ``("mirna", "targets", "mrna")``, ``("circrna", "binds", "mirna")`` (plus reverses with
        ``add_reverse``). Extra
        attributes: ``data["mirna"].family`` (LongTensor) and, per edge type, ``site_type``
        (LongTensor, index into :data:`SITE_TYPES`: the best planted site of each true pair),
        and ``data.interactions_complete = True``: the graph holds every interaction, so its
        RNAs without a partner are known non-partners and negatives may involve them
        (:func:`rnagraph.data.isolated_nodes`).
    """
    # data sits above datasets' inputs; local import
    from rnagraph.data import add_reverse_edges, build_graph

    if num_mirna < 2:
        raise ValueError(f"synthetic: num_mirna must be >= 2, got {num_mirna}")
    if not 0.0 <= site_prob <= 1.0:
        raise ValueError(f"synthetic: site_prob must be in [0, 1], got {site_prob}")
    rng = np.random.default_rng(seed)

    # miRNA families share nucleotides 2-8 (the seed).
    n_fam = min(num_mirna, max(1, int(round(num_mirna / family_size))))
    family = np.sort(np.concatenate([np.arange(n_fam),
                                     rng.integers(0, n_fam, num_mirna - n_fam)]))
    fam_seed = ["".join(rng.choice(_ALPHABET, 7)) for _ in range(n_fam)]
    mirnas = []
    for f in family:
        length = int(rng.integers(20, 25))
        s = _random_seq(rng, length, (0.25, 0.25, 0.25, 0.25))
        mirnas.append(s[0] + fam_seed[f] + s[8:])
    mirna_ids = [f"syn-miR-{i:04d}" for i in range(num_mirna)]

    sequences: dict[str, dict[str, str]] = {MIRNA: dict(zip(mirna_ids, mirnas))}
    pairs: dict = {}
    site_types: dict = {}
    specs = [(MRNA, num_mrna, "syn-mRNA", (400, 1200), (0.3, 0.2, 0.2, 0.3), targets_per_mirna,
              (1, 1), MIRNA_MRNA),
             (CIRCRNA, num_circrna, "syn-circ", (300, 1600), (0.25, 0.25, 0.25, 0.25),
              sponges_per_mirna, (1, 4), CIRC_MIRNA)]
    for ntype, n, prefix, (lo, hi), comp, mean_deg, (smin, smax), et in specs:
        if n <= 0:
            continue
        seqs = [list(_random_seq(rng, int(rng.integers(lo, hi + 1)), comp)) for _ in range(n)]
        ids = [f"{prefix}-{i:05d}" for i in range(n)]
        partner = _sample_partners(rng, family, n_fam, n, mean_deg, pool_share, pool_factor)
        best = np.zeros(len(partner), dtype=np.int64)
        for e, (m, t) in enumerate(partner):
            if rng.random() < site_prob:
                for _ in range(int(rng.integers(smin, smax + 1))):
                    k = int(rng.choice(4, p=(0.15, 0.25, 0.3, 0.3))) + 1  # 6mer..8mer
                    _plant(rng, seqs[t], seed_site(mirnas[m], SITE_TYPES[k]))
                    best[e] = max(best[e], k)
        # decoy sites of non-partner miRNAs
        is_partner = set(map(tuple, partner.tolist()))
        for t in range(n):
            for _ in range(int(rng.poisson(decoys_per_rna))):
                m = int(rng.integers(0, num_mirna))
                if (m, t) in is_partner:
                    continue
                k = int(rng.choice(4, p=(0.25, 0.25, 0.25, 0.25))) + 1
                _plant(rng, seqs[t], seed_site(mirnas[m], SITE_TYPES[k]))
        sequences[ntype] = {i: "".join(s) for i, s in zip(ids, seqs)}
        if et == MIRNA_MRNA:
            pairs[et] = [(mirna_ids[m], ids[t]) for m, t in partner]
        else:  # (circrna, binds, mirna)
            pairs[et] = [(ids[t], mirna_ids[m]) for m, t in partner]
        site_types[et] = torch.from_numpy(best)

    data = build_graph(sequences, pairs)
    data[MIRNA].family = torch.from_numpy(np.asarray(family, dtype=np.int64))
    for et, st in site_types.items():
        data[et].site_type = st
    # every interaction is planted: an RNA without a partner binds nothing, so negatives may
    # involve it (rnagraph.data.isolated: unpaired RNAs of other graphs are unobserved)
    data.interactions_complete = True
    return add_reverse_edges(data) if add_reverse else data


def random_sequences(n: int, mean_len: int, seed: int = 0) -> list[str]:
    """``n`` uniformly random RNA sequences (A, C, G, U equally likely), each of a length
    drawn uniformly from ``2 * (mean_len // 3)`` to ``4 * (mean_len // 3)`` (about 2/3 to 4/3
    of ``mean_len``): background sequences for cost measurements."""
    rng = np.random.default_rng(seed)
    lens = rng.integers(mean_len // 3 * 2, mean_len // 3 * 4 + 1, size=n)
    return ["".join(rng.choice(list("ACGU"), size=int(L))) for L in lens]


def _random_seq(rng: np.random.Generator, length: int, p: tuple[float, ...]) -> str:
    return "".join(rng.choice(_ALPHABET, length, p=p))


def _plant(rng: np.random.Generator, seq: list[str], site: str) -> None:
    """Overwrite ``seq`` at a random position with ``site`` (in place)."""
    pos = int(rng.integers(1, len(seq) - len(site) - 1))
    seq[pos:pos + len(site)] = list(site)


def _sample_partners(rng: np.random.Generator, family: np.ndarray, n_fam: int, n_targets: int,
                     mean_deg: float, pool_share: float, pool_factor: float) -> np.ndarray:
    """``[E, 2]`` unique (miRNA, target) index pairs with family-shared target pools and a
    heavy-tailed target popularity; every miRNA gets at least one partner."""
    popularity = rng.pareto(2.0, n_targets) + 1.0
    popularity /= popularity.sum()
    pool_size = max(2, int(round(pool_factor * mean_deg)))
    pools = [rng.choice(n_targets, size=min(pool_size, n_targets), replace=False, p=popularity)
             for _ in range(n_fam)]
    out: set[tuple[int, int]] = set()
    for m, f in enumerate(family):
        deg = max(1, int(rng.poisson(mean_deg)))
        n_pool = int(round(pool_share * deg))
        pool = pools[f]
        chosen = set(rng.choice(pool, size=min(n_pool, len(pool)), replace=False).tolist())
        while len(chosen) < deg and len(chosen) < n_targets:
            chosen.add(int(rng.choice(n_targets, p=popularity)))
        out.update((m, t) for t in chosen)
    return np.array(sorted(out), dtype=np.int64).reshape(-1, 2)
