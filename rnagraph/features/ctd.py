"""Composition / transition / distribution (CTD) nucleotide descriptor."""
from __future__ import annotations

import numpy as np

from rnagraph.features._base import SequenceFeaturizer
from rnagraph.features._kmers import ALPHABET, encode

_PAIRS = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))  # AC AG AU CG CU GU
_QUANTILES = (0.25, 0.5, 0.75)


class CTD(SequenceFeaturizer):
    r"""Composition, transition and distribution (CTD) of the four nucleotides, the global
    sequence descriptor of CPPred (Tong & Liu, NAR 2019) used as a feature by MFERL.

    For a sequence :math:`s_1 \dots s_L` and nucleotides :math:`X \ne Y \in \{A, C, G, U\}`:

    .. math::
        C_X = \frac{n_X}{L}, \qquad
        T_{XY} = \frac{\#\{i < L : \{s_i, s_{i+1}\} = \{X, Y\}\}}{L - 1}, \qquad
        D_{X,q} = \frac{p_{X}(r_q)}{L},

    where :math:`n_X` is the count of :math:`X`, :math:`p_X(r)` the 1-based position of the
    :math:`r`-th occurrence of :math:`X`, and :math:`r_q = \max(1, \lfloor q\,n_X \rfloor)` for
    :math:`q \in \{0\ (\text{first}), 0.25, 0.5, 0.75, 1\ (\text{last})\}` (the floor-with-
    minimum-1 rule of the PROFEAT/PyBioMed CTD code). Transitions count both directions
    (``AC`` and ``CA``). A nucleotide that does not occur gets :math:`D_{X,\cdot} = 0`.
    ``N`` counts towards :math:`L` but is no nucleotide (transitions touching it are not
    counted); ``T`` reads as ``U``. Sequences of length 0 give zeros, of length 1 a zero
    transition block. ``None`` gives an all-zero row (see ``return_mask``).

    Output: 30 ``float32`` dims in ``[0, 1]``, in the order of :meth:`get_feature_names_out`:
    ``C_A, C_C, C_G, C_U``, ``T_AC, T_AG, T_AU, T_CG, T_CU, T_GU``, then
    ``D_A_0, D_A_25, D_A_50, D_A_75, D_A_100``, ... for C, G, U. Cost :math:`O(L)`; nothing is
    learned (``fit`` is optional).

    Shapes:
        - **input:** list of ``n`` sequences (``str`` or ``None``)
        - **output:** ``[n, 30]``
    """

    num_features = 30

    def __init__(self):
        pass

    def get_feature_names_out(self) -> list[str]:
        names = [f"C_{x}" for x in ALPHABET]
        names += [f"T_{ALPHABET[a]}{ALPHABET[b]}" for a, b in _PAIRS]
        names += [f"D_{x}_{q}" for x in ALPHABET for q in (0, 25, 50, 75, 100)]
        return names

    def _featurize(self, seqs: list[str]) -> np.ndarray:
        out = np.zeros((len(seqs), 30), dtype=np.float64)
        for i, s in enumerate(seqs):
            L = len(s)
            if L == 0:
                continue
            c = encode(s)
            counts = np.bincount(c, minlength=5)[:4]
            out[i, :4] = counts / L
            if L > 1:
                a, b = c[:-1], c[1:]
                for j, (x, y) in enumerate(_PAIRS):
                    n = np.count_nonzero(((a == x) & (b == y)) | ((a == y) & (b == x)))
                    out[i, 4 + j] = n / (L - 1)
            for x in range(4):
                pos = np.flatnonzero(c == x) + 1  # 1-based positions
                n = len(pos)
                if n == 0:
                    continue
                ranks = [1] + [max(1, int(np.floor(q * n))) for q in _QUANTILES] + [n]
                out[i, 10 + 5 * x: 15 + 5 * x] = pos[np.asarray(ranks) - 1] / L
        return out.astype(np.float32)
