"""A labelled set of (miRNA, target site) sequence pairs, with duplicate-aware splits."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor


class SitePairs:
    r"""Labelled miRNA / target-site sequence pairs (not a graph), e.g. the miTAR data sets.

    Row :math:`i` is a miRNA (id, sequence 5'->3'), a target (id, site sequence 5'->3', ``U``
    alphabet) and a label :math:`y_i \in \{0, 1\}`. Rows with the same
    ``(mirna_seq, target_seq)`` form a *duplicate group* (``groups``); :meth:`kfold` and
    :meth:`random_split` never put two rows of one group on different sides, so a repeated row
    cannot leak from training into test.

    Args:
        mirna_ids, mirna_seq, target_ids, target_seq (Sequence[str]): ``N`` entries each.
        label (Tensor or Sequence[int]): ``[N]`` 0/1 labels (stored as ``LongTensor``).
        name (str): dataset name for ``repr`` and reports. (default: ``"site-pairs"``)
    """

    def __init__(self, mirna_ids: Sequence[str], mirna_seq: Sequence[str],
                 target_ids: Sequence[str], target_seq: Sequence[str],
                 label: Tensor | Sequence[int], name: str = "site-pairs"):
        self.mirna_ids = list(mirna_ids)
        self.mirna_seq = list(mirna_seq)
        self.target_ids = list(target_ids)
        self.target_seq = list(target_seq)
        self.label = torch.as_tensor(label, dtype=torch.long).clone().view(-1)
        self.name = name
        n = len(self.label)
        for attr in ("mirna_ids", "mirna_seq", "target_ids", "target_seq"):
            if len(getattr(self, attr)) != n:
                raise ValueError(f"SitePairs: {attr} has {len(getattr(self, attr))} entries, "
                                 f"label has {n}")
        if n and not bool(((self.label == 0) | (self.label == 1)).all()):
            raise ValueError("SitePairs: labels must be 0 or 1")
        keys = list(zip(self.mirna_seq, self.target_seq))
        first: dict[tuple[str, str], int] = {}
        self.groups = torch.tensor([first.setdefault(k, len(first)) for k in keys],
                                   dtype=torch.long)

    def __len__(self) -> int:
        return len(self.label)

    @property
    def num_duplicates(self) -> int:
        """Rows whose ``(mirna_seq, target_seq)`` already occurred earlier."""
        return len(self) - self.num_groups

    @property
    def num_groups(self) -> int:
        """Distinct ``(mirna_seq, target_seq)`` pairs."""
        return int(self.groups.max()) + 1 if len(self) else 0

    @property
    def num_conflicts(self) -> int:
        """Duplicate groups whose rows carry both labels."""
        if not len(self):
            return 0
        g = self.num_groups
        pos = torch.zeros(g, dtype=torch.long).index_add_(0, self.groups, self.label)
        cnt = torch.bincount(self.groups, minlength=g)
        return int(((pos > 0) & (pos < cnt)).sum())

    def mirna_label_mix(self) -> dict[str, tuple[int, int]]:
        """How the labels sit on the miRNAs (distinct miRNA sequences): ``{"negative only",
        "positive only", "both": (miRNAs, rows)}``. Where most miRNAs hold one class (mock
        miRNAs as negatives), a miRNA's identity alone separates the classes (see
        :class:`~rnagraph.models.NodePrior`)."""
        _, inv = np.unique(np.asarray(self.mirna_seq, dtype=object), return_inverse=True)
        pos = np.bincount(inv, weights=self.label.numpy().astype(float))
        cnt = np.bincount(inv)
        kinds = {"negative only": pos == 0, "positive only": pos == cnt,
                 "both": (pos > 0) & (pos < cnt)}
        return {k: (int(m.sum()), int(cnt[m].sum())) for k, m in kinds.items()}

    def subset(self, index: Tensor | np.ndarray | Sequence[int]) -> SitePairs:
        """The rows at ``index`` (a new object; this one is unchanged)."""
        idx = torch.as_tensor(np.asarray(index), dtype=torch.long).view(-1).tolist()
        return SitePairs([self.mirna_ids[i] for i in idx], [self.mirna_seq[i] for i in idx],
                         [self.target_ids[i] for i in idx], [self.target_seq[i] for i in idx],
                         self.label[idx], name=self.name)

    def __getitem__(self, index: int) -> dict:
        """Row ``index`` as a dict with keys ``mirna_id, mirna_seq, target_id, target_seq,
        label``."""
        i = int(index)
        return {"mirna_id": self.mirna_ids[i], "mirna_seq": self.mirna_seq[i],
                "target_id": self.target_ids[i], "target_seq": self.target_seq[i],
                "label": int(self.label[i])}

    def deduplicate(self) -> SitePairs:
        """Keep the first row of each duplicate group."""
        first = torch.full((self.num_groups,), len(self), dtype=torch.long)
        first.scatter_reduce_(0, self.groups, torch.arange(len(self)), reduce="amin")
        return self.subset(first.sort().values)

    def exclude(self, other: SitePairs) -> SitePairs:
        """Drop rows whose ``(mirna_seq, target_seq)`` occurs in ``other``, e.g. to train on
        ``deepmirtar`` without the pairs of ``deepmirtar-indtest`` (826 of its 828 rows are in
        the training file)."""
        seen = set(zip(other.mirna_seq, other.target_seq))
        keep = [i for i, k in enumerate(zip(self.mirna_seq, self.target_seq)) if k not in seen]
        return self.subset(keep)

    def overlap(self, other: SitePairs | Sequence[tuple[str, str]], near: float = 0.9
                ) -> np.ndarray:
        """How each row overlaps ``other`` (a :class:`SitePairs` or ``(mirna_seq,
        target_seq)`` tuples, e.g. a split's training pairs): ``2`` = the same ``(mirna_seq,
        target_seq)`` occurs there; ``1`` = a near-duplicate: the same miRNA sequence with a
        target site whose normalised Levenshtein similarity (:mod:`rapidfuzz`) is at least
        ``near``; ``0`` = neither. ``int8 [N]``. Test rows coded 1 or 2 are what an
        independent test must drop before scoring a model trained on ``other``."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein
        pairs = (list(zip(other.mirna_seq, other.target_seq)) if isinstance(other, SitePairs)
                 else [tuple(p) for p in other])
        seen = set(pairs)
        by_mirna: dict[str, list[str]] = {}
        for m, t in seen:
            by_mirna.setdefault(m, []).append(t)
        out = np.zeros(len(self), dtype=np.int8)
        for i, (m, t) in enumerate(zip(self.mirna_seq, self.target_seq)):
            if (m, t) in seen:
                out[i] = 2
            elif m in by_mirna and process.extractOne(
                    t, by_mirna[m], scorer=Levenshtein.normalized_similarity,
                    score_cutoff=near) is not None:
                out[i] = 1
        return out

    def kfold(self, k: int = 5, seed: int = 0, stratify: bool = True
              ) -> list[tuple[np.ndarray, np.ndarray]]:
        """``k`` seeded (train, test) row-index pairs; the test folds partition the rows.

        Whole duplicate groups are assigned to one fold; with ``stratify`` the groups of each
        label are dealt out separately, so every fold keeps the label balance.
        """
        if not 2 <= k <= self.num_groups:
            raise ValueError(f"SitePairs.kfold: k must be in [2, {self.num_groups}], got {k}")
        part = self._assign(np.full(k, 1.0 / k), seed, stratify)
        rows = np.arange(len(self))
        return [(rows[part != f], rows[part == f]) for f in range(k)]

    def random_split(self, fractions: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 0,
                     stratify: bool = True, by: str = "pair") -> list[np.ndarray]:
        """Row indices of a seeded random split into ``len(fractions)`` parts (e.g. train / val /
        test).

        ``by="pair"``: whole duplicate groups are assigned; with ``stratify`` the groups of each
        label are cut separately so every part keeps the label balance. ``by="mirna"`` (a
        **miRNA-disjoint** split: every test miRNA is unseen in training and validation): whole
        miRNAs (distinct ``mirna_seq``) are assigned, shuffled and cut by their row counts, so
        the fractions hold for the rows up to one miRNA's rows at each cut; with ``stratify``
        the miRNAs of each label mix (negatives only, positives only, both:
        :meth:`mirna_label_mix`) are cut separately. A few miRNAs hold many rows (one holds
        13 % of miTAR's combined set), so of ``MIRNA_DRAWS`` seeded shuffles the one whose
        parts come closest to ``fractions`` of each label's rows is kept (sum of absolute
        differences).
        """
        frac = np.asarray(fractions, dtype=float)
        if frac.ndim != 1 or len(frac) < 2 or (frac < 0).any() or abs(frac.sum() - 1) > 1e-6:
            raise ValueError(f"SitePairs.random_split: fractions must be >= 0 and sum to 1, "
                             f"got {tuple(fractions)}")
        if by not in ("pair", "mirna"):
            raise ValueError(f"SitePairs.random_split: by must be 'pair' or 'mirna', got {by!r}")
        part = (self._assign(frac, seed, stratify) if by == "pair"
                else self._assign_mirnas(frac, seed, stratify))
        return [np.flatnonzero(part == p) for p in range(len(frac))]

    #: shuffles drawn by ``random_split(by="mirna")``, the closest to the fractions kept
    MIRNA_DRAWS = 32

    def _assign_mirnas(self, frac: np.ndarray, seed: int, stratify: bool) -> np.ndarray:
        """Part number per row, whole miRNAs per part. In one draw the miRNAs of each stratum
        are shuffled and each goes to the part whose share of the stratum's rows holds the
        midpoint of its rows (cumulative, in shuffled order); the best of
        :attr:`MIRNA_DRAWS` draws is returned."""
        rng = np.random.default_rng(seed)
        first: dict[str, int] = {}
        unit = np.array([first.setdefault(m, len(first)) for m in self.mirna_seq], dtype=np.int64)
        label = self.label.numpy()
        rows = np.bincount(unit, minlength=len(first))
        pos = np.bincount(unit, weights=label.astype(float), minlength=len(first))
        kind = (np.select([pos == 0, pos == rows], [0, 1], 2) if stratify
                else np.zeros(len(first), dtype=np.int64))
        best, best_gap = unit, np.inf
        for _ in range(self.MIRNA_DRAWS):
            part_of_unit = np.empty(len(first), dtype=np.int64)
            for k in np.unique(kind):
                members = rng.permutation(np.flatnonzero(kind == k))
                w = rows[members]
                mid = np.cumsum(w) - w / 2
                part_of_unit[members] = np.searchsorted(np.cumsum(frac)[:-1] * w.sum(), mid,
                                                        side="right")
            part = part_of_unit[unit]
            gap = sum(np.abs(np.bincount(part[label == c], minlength=len(frac))
                             / max(int((label == c).sum()), 1) - frac).sum() for c in (0, 1))
            if gap < best_gap:
                best, best_gap = part, gap
        return best

    def _assign(self, frac: np.ndarray, seed: int, stratify: bool) -> np.ndarray:
        """Part number per row: groups (per label if ``stratify``) are shuffled and cut by
        ``frac``. Hand-written: scikit-learn has no grouped stratified shuffle split, and its
        ``StratifiedGroupKFold`` takes ~25 s on the 28k-row combined set (a Python loop over
        groups); this is vectorised."""
        rng = np.random.default_rng(seed)
        g = self.groups.numpy()
        glabel = np.zeros(self.num_groups, dtype=np.int64)
        glabel[g] = self.label.numpy()  # groups with conflicting labels: the last row's label
        strata = ([np.flatnonzero(glabel == c) for c in (0, 1)] if stratify
                  else [np.arange(self.num_groups)])
        part_of_group = np.empty(self.num_groups, dtype=np.int64)
        for members in strata:
            members = rng.permutation(members)
            cuts = np.round(np.cumsum(frac)[:-1] * len(members)).astype(int)
            for p, chunk in enumerate(np.split(members, cuts)):
                part_of_group[chunk] = p
        return part_of_group[g]

    def to_frame(self):
        """The rows as a :class:`pandas.DataFrame`."""
        import pandas as pd

        return pd.DataFrame({"mirna_id": self.mirna_ids, "mirna_seq": self.mirna_seq,
                             "target_id": self.target_ids, "target_seq": self.target_seq,
                             "label": self.label.numpy()})

    def __repr__(self) -> str:
        pos = int(self.label.sum())
        return (f"SitePairs(name={self.name!r}, rows={len(self)}, pos={pos}, "
                f"neg={len(self) - pos}, duplicates={self.num_duplicates})")
