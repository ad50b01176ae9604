"""Features of the best ungapped miRNA-target duplex of each pair (a pair featurizer)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnagraph.features._estimator import is_int
from rnagraph.features._kmers import encode
from rnagraph.features._missing import normalize_sequence
from rnagraph.features._pairs import PairFeaturizer
from rnagraph.features.folding import FOLDING, FoldingFeatures
from rnagraph.features.seed_sites import SITE_TYPES, SeedSiteFeatures

#: pairing score of (miRNA nucleotide, target nucleotide): 1 Watson-Crick, 1/2 G:U wobble
_PAIR = np.zeros((5, 5), dtype=np.float32)
_PAIR[0, 3] = _PAIR[3, 0] = _PAIR[1, 2] = _PAIR[2, 1] = 1.0
_PAIR[2, 3] = _PAIR[3, 2] = 0.5

#: the summary columns after the per-position ones (see :class:`DuplexFeatures`)
SUMMARY = ("seed_wc", "seed_gu", "supplementary_wc", "pairing", "longest_wc_run", "a1",
           "target_au", "site_position")

#: the context columns after the seed-site counts, with ``context > 0`` (see
#: :class:`DuplexFeatures`), after the ``4 L`` faced nucleotides
CONTEXT = ("seed_gc", "duplex_gc", "up_au", "down_au", "up_read", "down_read", "seed_offsets")

#: the stacking columns after the context ones, with ``stacking=True`` (see
#: :class:`DuplexFeatures`)
STACKING = ("seed_stack", "duplex_stack", "supplementary_stack", "supplementary_shifted",
            "best_stack")

#: the alignment columns after the stacking ones, with ``alignment=True`` (see
#: :class:`DuplexFeatures`)
ALIGNMENT = ("align_score", "align_3p")

#: local alignment scores of (miRNA nucleotide, target nucleotide): Watson-Crick +5, G:U +2,
#: anything else -3, N included (miRanda's pairing scores); a gap costs 4 a nucleotide
_ALIGN = np.where(_PAIR == 1.0, 5.0, np.where(_PAIR == 0.5, 2.0, -3.0))
_GAP = 4.0

#: nearest-neighbour free energy (kcal/mol, 37 C) of two stacked Watson-Crick pairs, Turner
#: 2004 (Xia et al. 1998): ``5'XY3'/3'X'Y'5'`` -> energy, X:X' and Y:Y' the two pairs
_WC_STACKS = {("AA", "UU"): -0.93, ("AU", "UA"): -1.10, ("UA", "AU"): -1.33,
              ("CU", "GA"): -2.08, ("CA", "GU"): -2.11, ("GU", "CA"): -2.24,
              ("GA", "CU"): -2.35, ("CG", "GC"): -2.36, ("GG", "CC"): -3.26,
              ("GC", "CG"): -3.42}
#: a stack with a G:U wobble: one flat value (Turner's G:U stacks range from about +0.5 to
#: -2.5 kcal/mol; an approximation, kept simple)
_GU_STACK = -0.5


def _stack_table() -> np.ndarray:
    """``E[m_i, t_i, m_{i+1}, t_{i+1}]`` (codes A C G U N = 0..4): the stacking energy of miRNA
    positions ``i``, ``i+1`` (5'->3') with the target nucleotides they face, 0 unless both
    pair."""
    code = {b: i for i, b in enumerate("ACGU")}
    table = np.zeros((5, 5, 5, 5), dtype=np.float64)
    for (top, bottom), e in _WC_STACKS.items():
        (a, b), (x, y) = (code[c] for c in top), (code[c] for c in bottom)
        table[a, x, b, y] = e                  # read along the miRNA ...
        table[y, b, x, a] = e                  # ... or along the other strand
    for a, x, b, y in np.ndindex(4, 4, 4, 4):
        if _PAIR[a, x] and _PAIR[b, y] and not table[a, x, b, y]:
            table[a, x, b, y] = _GU_STACK
    return table


_STACK = _stack_table()

#: the most elements of the ``[pairs, offsets, positions]`` block held at once
_BLOCK = 1 << 22


def _codes(seqs: Sequence[str], width: int) -> np.ndarray:
    """``int64 [N, width]`` letter codes (A0 C1 G2 U3 N4, the k-mer featurizers' ``encode``)
    of normalised ``seqs``, cut or padded (code 4) to ``width``."""
    out = np.full((len(seqs), width), 4, dtype=np.int64)
    for r, s in enumerate(seqs):
        codes = encode(s[:width])
        out[r, :codes.size] = codes
    return out


class DuplexFeatures(PairFeaturizer):
    r"""Features of the best **ungapped duplex** of a miRNA with its target, per pair.

    The miRNA :math:`m` (5'->3', positions :math:`1..L`, ``L = mirna_length``; a shorter miRNA
    leaves the rest unpaired) lies antiparallel on the target :math:`t` (5'->3'): at offset
    :math:`o`, position :math:`i` faces target nucleotide :math:`t_{o-i+1}` (0-based
    :math:`o - i + 1`, outside the target: unpaired), with pairing score

    .. math::
        v_o(i) = \begin{cases} 1 & \text{Watson-Crick (A:U, C:G)} \\
        1/2 & \text{G:U wobble} \\ 0 & \text{otherwise.} \end{cases}

    The kept offset :math:`o^\star` maximises, in this order, the Watson-Crick pairs of the
    seed (positions 2-8), the seed's pairing score and the whole duplex's
    (:math:`\sum_i v_o(i)`); ties go to the smallest :math:`o`, so the choice is exact and the
    same on every machine. Its features are

    * :math:`v_{o^\star}(1), \dots, v_{o^\star}(L)` (``p1`` ... ``pL``);
    * ``seed_wc`` / ``seed_gu``: Watson-Crick pairs and wobbles at positions 2-8;
    * ``supplementary_wc``: Watson-Crick pairs at positions 13-16 (3' supplementary pairing);
    * ``pairing``: :math:`\sum_i v_{o^\star}(i)`; ``longest_wc_run``: the longest run of
      consecutive Watson-Crick pairs;
    * ``a1``: 1 if the target nucleotide facing position 1 is an ``A`` (TargetScan's t1A);
    * ``target_au``: the A/U share of the target's nucleotides; ``site_position``: where the
      duplex faces position 1, as a fraction of the target length;
    * the target's canonical seed sites of the miRNA, :math:`\log(1 + n_k)` for 8mer, 7mer-m8,
      7mer-A1 and 6mer (:class:`SeedSiteFeatures`), which count every site of a long target
      where the duplex describes one;
    * with ``context`` :math:`c > 0`, the duplex in its **target context**: the target
      nucleotide facing each position (one-hot A, C, G, U; all zero where the position faces
      no nucleotide: ``t1_A`` ... ``tL_U``), the G:C pairs of the seed and of the whole duplex
      (``seed_gc``, ``duplex_gc``: the stronger pairs, a proxy of the duplex's stability), the
      A/U share of the :math:`c` target nucleotides 5' and 3' of the duplex (``up_au``,
      ``down_au``; TargetScan's local A/U context) with the share of those :math:`c`
      nucleotides the target holds (``up_read``, ``down_read``: a site at the edge of the
      read window has less context), and ``seed_offsets``, the offsets at which at least 6 of
      the 7 seed positions pair Watson-Crick (further seed-matched sites);
    * with ``stacking=True``, the duplex's **stability** from nearest-neighbour stacking
      energies (kcal/mol; Turner 2004 for two Watson-Crick pairs, a flat -0.5 for a stack with
      a G:U wobble, 0 where either position is unpaired): summed over positions 1-8
      (``seed_stack``), the whole duplex (``duplex_stack``) and positions 12-21
      (``supplementary_stack``); ``supplementary_shifted``, the most Watson-Crick pairs of
      positions 12-17 at an offset within 4 of the kept one (3' pairing past a bulge or loop,
      as TargetScan's 3' score allows); and ``best_stack``, the lowest total stacking energy of
      any offset, seed or not;
    * with ``alignment=True``, **gapped** pairing: the best local alignment (Smith-Waterman) of
      the miRNA with the target read 3'->5', scoring Watson-Crick +5, G:U +2, any other
      letter -3 and each gapped nucleotide -4 (miRanda's scale; bulges and loops allowed):
      ``align_score`` over positions 1-22 with the seed's (2-8) pair scores doubled,
      ``align_3p`` over positions 12-22 alone;
    * with ``folding=True``, the **folded** duplex and the cost of opening the target there,
      from ViennaRNA's energy model (:class:`~rnagraph.features.folding.FoldingFeatures`'
      columns :data:`~rnagraph.features.folding.FOLDING`; needs ``rnagraph[fold]``).

    Nothing here reads a label or the miRNA alone: every feature describes the pair (the
    target's A/U share aside), so a model on them scores an unseen miRNA as it scores a known
    one. Nothing is learned: ``fit`` only checks the parameters. A pair with a missing
    sequence gets a row of zeros (``transform(..., return_mask=True)`` says which).

    Cost: :math:`O(L \cdot |t|)` per pair, vectorised over blocks of pairs (at most
    :math:`2^{22}` elements of the offsets x positions array at a time).

    Args:
        mirna_length (int): miRNA positions read, from the 5' end, at least 8.
            (default: ``22``)
        context (int): target nucleotides read on each side of the duplex for the context
            columns; ``0``: none (the first :math:`L + 12` columns only). (default: ``0``)
        stacking (bool): add the stacking-energy columns. (default: ``False``)
        alignment (bool): add the local-alignment columns. (default: ``False``)
        folding (bool): add the folding columns (ViennaRNA). (default: ``False``)

    Shapes:
        - **input:** ``N`` pairs ``(mirna_seq, target_seq)`` (``str`` or ``None``, RNA or DNA
          alphabet), or a graph, an edge type and ``edge_label_index [2, N]``
          (:meth:`graph_transform`)
        - **output:** ``float32 [N, L + 12]`` (``4 L + 7`` more columns with ``context > 0``,
          5 more with ``stacking``, 2 more with ``alignment``, 7 more with ``folding``) in
          the order of
          :meth:`get_feature_names_out`
    """

    def __init__(self, mirna_length: int = 22, context: int = 0, stacking: bool = False,
                 alignment: bool = False, folding: bool = False):
        self.mirna_length = mirna_length
        self.context = context
        self.stacking = stacking
        self.alignment = alignment
        self.folding = folding

    def _validate_params(self) -> None:
        self._check_param("mirna_length", is_int(self.mirna_length) and self.mirna_length >= 8,
                          "must be an integer >= 8 (the seed is positions 2-8)")
        self._check_param("context", is_int(self.context) and self.context >= 0,
                          "must be an integer >= 0")
        self._check_param("stacking", isinstance(self.stacking, bool), "must be a bool")
        self._check_param("alignment", isinstance(self.alignment, bool), "must be a bool")
        self._check_param("folding", isinstance(self.folding, bool), "must be a bool")

    def get_feature_names_out(self) -> list[str]:
        L = int(self.mirna_length)
        ctx = ([f"t{i + 1}_{b}" for i in range(L) for b in "ACGU"] + list(CONTEXT)
               if self.context else [])
        return ([f"p{i + 1}" for i in range(L)] + list(SUMMARY) + list(SITE_TYPES) + ctx
                + (list(STACKING) if self.stacking else [])
                + (list(ALIGNMENT) if self.alignment else [])
                + (list(FOLDING) if self.folding else []))

    def transform(self, pairs: Sequence[tuple[str | None, str | None]],
                  return_mask: bool = False):
        """Features ``float32 [N, F]`` of ``(mirna_seq, target_seq)`` pairs (``F`` names in
        :meth:`get_feature_names_out`); with ``return_mask=True`` also ``bool [N]``, ``True``
        where both sequences exist."""
        self._validate_params()
        L = int(self.mirna_length)
        head = L + len(SUMMARY)
        width = len(self.get_feature_names_out())
        tail = width - (len(FOLDING) if self.folding else 0)   # where the folding columns start
        out = np.zeros((len(pairs), width), dtype=np.float32)
        mask = np.array([m is not None and t is not None for m, t in pairs], dtype=bool)
        rows = np.flatnonzero(mask)
        # upper-case RNA letters (T -> U, IUPAC codes -> N); a letter outside them is refused
        clean = {int(r): (normalize_sequence(pairs[r][0], "DuplexFeatures", int(r)),
                          normalize_sequence(pairs[r][1], "DuplexFeatures", int(r)))
                 for r in rows}
        if rows.size:
            # pairs sorted by target length, so a block pads its targets little
            tl = np.array([len(clean[r][1]) for r in rows])
            order = np.argsort(tl, kind="stable")
            rows, tl = rows[order], tl[order]
            start = 0
            while start < rows.size:
                n = 1
                while start + n < rows.size and (n + 1) * (tl[start + n] + L) * L <= _BLOCK:
                    n += 1
                block = rows[start:start + n]
                duplex, extra = self._block(
                    [clean[r][0] for r in block], [clean[r][1] for r in block],
                    max(1, int(tl[start + n - 1])))
                out[block, :head] = duplex
                if extra is not None:
                    out[block, head + len(SITE_TYPES):tail] = extra
                start += n
            out[mask, head:head + len(SITE_TYPES)] = SeedSiteFeatures(log=True).transform(
                [clean[int(r)] for r in np.flatnonzero(mask)])
            if self.folding:
                out[:, tail:] = FoldingFeatures().transform(pairs)
        return (out, mask) if return_mask else out

    def _block(self, mirnas: list[str], targets: list[str], width: int
               ) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-position and summary features ``[B, L + 8]`` of one block of pairs whose
        targets are at most ``width`` long, and their context, stacking and alignment columns
        (``None`` with none of them)."""
        L = int(self.mirna_length)
        mi, tg = _codes(mirnas, L), _codes(targets, width)
        tlen = np.array([min(len(t), width) for t in targets])
        pos = np.arange(L)
        offs = np.arange(width + L - 1)
        j = offs[:, None] - pos[None, :]                        # [O, L] target index faced
        inside = (j >= 0) & (j < width)
        # faced[b, o, i]: the target nucleotide o - i facing miRNA position i+1 (code 4: none,
        # which pairs with nothing), and v its pairing score
        faced = np.where(inside, tg[:, np.clip(j, 0, width - 1)], 4)   # [B, O, L]
        v = _PAIR[mi[:, None, :], faced]
        wc = v == 1.0
        key = (wc[..., 1:8].sum(-1) * 10_000 + np.rint(2 * v[..., 1:8].sum(-1)) * 100
               + np.rint(2 * v.sum(-1)))
        best = key.argmax(1)                                    # first maximum: smallest o
        b = np.arange(len(mirnas))
        vb, wb = v[b, best], wc[b, best]                        # [B, L]
        run = np.zeros(len(b))
        longest = np.zeros(len(b))
        for i in range(L):
            run = (run + 1) * wb[:, i]
            longest = np.maximum(longest, run)
        face1 = best                                            # target index facing position 1
        a1 = (face1 < tlen) & (tg[b, np.minimum(face1, width - 1)] == 0)
        valid = (tg < 4).sum(1)
        au = ((tg == 0) | (tg == 3)).sum(1) / np.maximum(valid, 1)
        summary = np.stack([wb[:, 1:8].sum(1), (vb[:, 1:8] == 0.5).sum(1),
                            wb[:, 12:16].sum(1), vb.sum(1), longest, a1, au,
                            np.minimum(face1, tlen) / np.maximum(tlen, 1)], 1)
        duplex = np.concatenate([vb, summary], 1)
        if not (self.context or self.stacking or self.alignment):
            return duplex, None
        facing = faced[b, best]                                 # [B, L] at the kept offset
        extra = []
        if self.context:
            extra.append(self._context(mi, tg, wc, wb, facing, best, width))
        if self.stacking:
            stack = _STACK[mi[:, :-1], facing[:, :-1], mi[:, 1:], facing[:, 1:]]  # [B, L - 1]
            shifted = np.zeros(len(b))
            for d in range(-4, 5):
                o = np.clip(best + d, 0, wc.shape[1] - 1)
                shifted = np.maximum(shifted, wc[b, o, 11:17].sum(1))
            every = _STACK[mi[:, None, :-1], faced[..., :-1], mi[:, None, 1:],
                           faced[..., 1:]].sum(-1)              # [B, O]
            extra.append(np.column_stack([stack[:, :7].sum(1), stack.sum(1),
                                          stack[:, 11:20].sum(1), shifted, every.min(1)]))
        if self.alignment:
            reverse = tg[:, ::-1]                               # the target read 3'->5'
            extra.append(np.column_stack([_local_alignment(mi, reverse, 0, L, seed_weight=2.0),
                                          _local_alignment(mi, reverse, 11, L)]))
        return duplex, np.concatenate(extra, 1)

    def _context(self, mi: np.ndarray, tg: np.ndarray, wc: np.ndarray, wb: np.ndarray,
                 facing: np.ndarray, best: np.ndarray, width: int) -> np.ndarray:
        """The context columns ``[B, 4 L + 7]`` of one block (see :meth:`_block`)."""
        L = int(self.mirna_length)
        b = np.arange(len(best))
        onehot = np.eye(5, dtype=np.float32)[facing][..., :4].reshape(len(b), 4 * L)
        gc = wb & ((mi == 1) | (mi == 2))                       # Watson-Crick pairs of a C or G
        # A/U share of the c nucleotides 5' (below the duplex's first faced index) and 3'
        # (above ``best``) of the duplex, from prefix sums over the target
        c = int(self.context)
        real = tg < 4
        cum_au = np.concatenate([np.zeros((len(b), 1)), np.cumsum(
            (tg == 0) | (tg == 3), 1)], 1)
        cum_n = np.concatenate([np.zeros((len(b), 1)), np.cumsum(real, 1)], 1)

        def share(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            lo, hi = np.clip(lo, 0, width), np.clip(hi, 0, width)
            n = cum_n[b, hi] - cum_n[b, lo]
            return (cum_au[b, hi] - cum_au[b, lo]) / np.maximum(n, 1), n / c

        first = best - L + 1                                    # 5'-most target index faced
        up_au, up_read = share(first - c, first)
        down_au, down_read = share(best + 1, best + 1 + c)
        offsets = (wc[..., 1:8].sum(-1) >= 6).sum(1)
        return np.column_stack([onehot, gc[:, 1:8].sum(1), gc.sum(1), up_au, down_au, up_read,
                                down_read, offsets])


def _local_alignment(mi: np.ndarray, tg: np.ndarray, lo: int, hi: int,
                     seed_weight: float = 1.0) -> np.ndarray:
    r"""Best local alignment score ``[B]`` of miRNA positions ``lo..hi-1`` (codes ``mi [B, L]``)
    with targets ``tg [B, W]`` (read 3'->5', so pairing runs forward on both), Smith-Waterman
    with a linear gap: :math:`H_{i,j} = \max(0, H_{i-1,j-1} + s_{ij}, H_{i-1,j} - g,
    H_{i,j-1} - g)`, pair scores of positions 2-8 times ``seed_weight``. Vectorised over pairs
    and target positions: the moves along the target are a running maximum,
    :math:`H_{i,j} = \max_{k \le j}(D_{i,k} - g (j - k))` with :math:`D` the other two moves."""
    B, W = tg.shape
    ramp = _GAP * np.arange(W + 1)
    prev = np.zeros((B, W + 1))
    best = np.zeros(B)
    for i in range(lo, hi):
        score = _ALIGN[mi[:, i][:, None], tg] * (seed_weight if 1 <= i <= 7 else 1.0)
        moves = np.zeros((B, W + 1))
        moves[:, 1:] = np.maximum(0.0, np.maximum(prev[:, :-1] + score, prev[:, 1:] - _GAP))
        prev = np.maximum.accumulate(moves + ramp, axis=1) - ramp
        best = np.maximum(best, prev.max(1))
    return best


__all__ = ["ALIGNMENT", "CONTEXT", "DuplexFeatures", "STACKING", "SUMMARY"]
