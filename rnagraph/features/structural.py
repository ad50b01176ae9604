"""Structural pair features of a bipartite interaction graph, each pair scored without its own
edge (a pair featurizer)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.paths import bipartite_adjacency, path3_block, path3_factors, path3_pairs
from rnagraph.features._estimator import Estimator
from rnagraph.typing import EdgeType

#: the columns of :class:`StructuralPairFeatures`, in order
STRUCTURAL_FEATURES: tuple[str, ...] = ("log_deg_src", "log_deg_dst", "count3", "l3", "ra3",
                                         "cf_src", "cf_dst")
_POWER = {"count3": 0.0, "l3": 0.5, "ra3": 1.0}


def _inv_pow(deg: np.ndarray, q: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(deg > 0, deg.astype(np.float64) ** -q, 0.0)


def _cosine_power(a: sp.csr_matrix, power: float) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(common-neighbour counts C = A A^T, S)`` with :math:`S_{uv} = (C_{uv} /
    \\sqrt{k_u k_v})^p` off the diagonal and 0 on it (both ``[N, N]`` CSR)."""
    c = sp.csr_matrix(a @ a.T)
    c.sort_indices()
    k = np.asarray(a.sum(1)).ravel()
    coo = c.tocoo()
    val = (coo.data / np.sqrt(k[coo.row] * k[coo.col])) ** power
    val[coo.row == coo.col] = 0.0
    s = sp.csr_matrix((val, (coo.row, coo.col)), shape=c.shape)
    s.eliminate_zeros()
    return c, s


def _cf_own_edge(a: sp.csr_matrix, c: sp.csr_matrix, power: float) -> np.ndarray:
    r"""The item-CF score of every edge :math:`(u, m)` of ``a`` (in CSR order) with that edge
    removed: :math:`\sum_{u' \in N(m) \setminus u} ((C_{uu'} - 1) / \sqrt{(k_u - 1) k_{u'}})^p`
    (removing :math:`(u, m)` drops :math:`m` from every common neighbourhood of :math:`u` with a
    :math:`u' \in N(m)` and one from :math:`k_u`; no other term of the sum changes)."""
    a = sp.csr_matrix(a)
    n_u, n_m = a.shape
    k = np.asarray(a.sum(1)).ravel()
    u = np.repeat(np.arange(n_u), np.diff(a.indptr))
    m = a.indices.astype(np.int64)
    csc = a.tocsc()
    cnt = np.diff(csc.indptr)[m]
    e_rep = np.repeat(np.arange(m.size), cnt)
    starts = np.repeat(csc.indptr[m] - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt)
    u2 = csc.indices[np.arange(e_rep.size) + starts].astype(np.int64)
    u1 = u[e_rep]
    keep = u2 != u1
    e_rep, u1, u2 = e_rep[keep], u1[keep], u2[keep]
    coo = c.tocoo()
    codes = coo.row.astype(np.int64) * n_u + coo.col
    order = np.argsort(codes)
    pos = np.searchsorted(codes[order], u1 * n_u + u2)
    cn = coo.data[order][pos] - 1.0                   # every (u1, u2) shares m: present in C
    den = np.sqrt((k[u1] - 1.0) * k[u2])
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.where((den > 0) & (cn > 0), (cn / np.where(den > 0, den, 1.0)) ** power, 0.0)
    return np.bincount(e_rep, weights=val, minlength=m.size)


class StructuralPairFeatures(Estimator):
    r"""Per-pair structural features of a bipartite interaction graph, every pair scored **as
    if it were unobserved**: a pair that is an edge of the fitted graph gets the values of the
    graph without that edge.

    With :math:`A` ``[N_s, N_d]`` the binary adjacency of ``edge_type`` in the graph passed to
    :meth:`fit` (in a model: ``fold.train_graph``), degrees :math:`k` and
    :math:`C = A A^\top` (common partners), the columns for a pair :math:`(s, d)` are

    .. math::
        \log(1 + k_s),\ \log(1 + k_d),\ \log\Big(1 + \sum_{d', s'}
        \frac{a_{sd'} a_{s'd'} a_{s'd}}{(k_{d'} k_{s'})^{q}}\Big)_{q = 0,\, 1/2,\, 1},\
        \log\Big(1 + \sum_{s' \ne s} \mathrm{cos}(s, s')^p a_{s'd}\Big),\
        \log\Big(1 + \sum_{d' \ne d} \mathrm{cos}(d, d')^p a_{sd'}\Big)

    in the order :data:`STRUCTURAL_FEATURES`: log degrees, the length-3 walk count (the path term of
    truncated Katz), L3 (Kovács et al., Nat. Commun. 2019) and RA3
    (:func:`~rnagraph.data.paths.path3_factors`, shared with the path baselines), and the two
    item-based collaborative-filtering ("twin") terms of Sarwar et al. (WWW 2001), with
    :math:`\mathrm{cos}(s, s') = C_{ss'} / \sqrt{k_s k_{s'}}` the cosine of the partner sets
    sharpened by :math:`p` (``power``; a large :math:`p` keeps only near-twins).

    **Own-edge removal.** For an edge :math:`(s, d)` of the fitted graph every column is that
    of :math:`A - e_s e_d^\top`: degrees :math:`k_s - 1, k_d - 1`; the walk sums lose the walks
    through the edge, :math:`x - k_d^{-q} \sum_{s' \in N(d)} k_{s'}^{-q}
    - k_s^{-q} \sum_{d' \in N(s)} k_{d'}^{-q} + (k_s k_d)^{-q}` (no other term changes); the
    CF terms use :math:`C_{ss'} - 1` and :math:`k_s - 1`. So a training positive is described
    as a held-out pair would be, and a model trained on these features cannot learn "the pair
    is already an edge" (the reason for ``disjoint_train_ratio`` in MFERL).

    Sparse throughout: the walk sums are two sparse factors each, the CF terms the sparse
    :math:`S \cdot A` with :math:`S` restricted to pairs with a common partner; pairs are
    scored in blocks (:func:`~rnagraph.data.paths.path3_pairs`); fitting costs
    :math:`O(\sum_m k_m^2)`.

    Args:
        power (float, optional): the CF sharpening exponent :math:`p > 0`, checked by
            :meth:`fit`. (default: ``2.0``)

    Shapes:
        - **input:** :meth:`fit` a graph and an edge type; :meth:`transform` ``pairs [2, B]``
        - **output:** ``float32 [B, 7]`` in the order :data:`STRUCTURAL_FEATURES`
    """

    feature_names: tuple[str, ...] = STRUCTURAL_FEATURES

    def __init__(self, power: float = 2.0):
        self.power = power

    def _validate_params(self) -> None:
        self._check_param("power", isinstance(self.power, (int, float, np.number))
                    and not isinstance(self.power, bool) and self.power > 0, "must be > 0")

    def get_feature_names_out(self) -> list[str]:
        return list(STRUCTURAL_FEATURES)

    def fit(self, graph: HeteroData, edge_type: EdgeType) -> StructuralPairFeatures:
        """Check the parameters, read ``edge_type``'s adjacency from ``graph`` and precompute
        the factors; returns ``self``."""
        self._validate_params()
        a = bipartite_adjacency(graph, tuple(edge_type))
        a.sort_indices()
        self.adj_ = a
        self.n_dst_ = a.shape[1]
        self.deg_src_ = np.asarray(a.sum(1)).ravel()
        self.deg_dst_ = np.asarray(a.sum(0)).ravel()
        coo = a.tocoo()
        self.edge_codes_ = coo.row.astype(np.int64) * self.n_dst_ + coo.col   # CSR order: sorted
        self.factors_ = {f: path3_factors(a, w) for f, w in
                         (("count3", "count"), ("l3", "l3"), ("ra3", "ra"))}
        self.path_sums_ = {f: (a @ _inv_pow(self.deg_dst_, q), a.T @ _inv_pow(self.deg_src_, q))
                           for f, q in _POWER.items()}
        c_s, s_s = _cosine_power(a, self.power)
        at = sp.csr_matrix(a.T)
        at.sort_indices()
        c_d, s_d = _cosine_power(at, self.power)
        self.cf_ = {"cf_src": (s_s, at), "cf_dst": (a, s_d)}
        own_dst = _cf_own_edge(at, c_d, self.power)          # at's CSR order: (d, s) sorted
        at_coo = at.tocoo()
        order = np.argsort(at_coo.col.astype(np.int64) * self.n_dst_ + at_coo.row)
        self.cf_own_ = {"cf_src": _cf_own_edge(a, c_s, self.power), "cf_dst": own_dst[order]}
        return self

    def transform(self, pairs: Tensor | np.ndarray) -> Tensor:
        """Features ``float32 [B, 7]`` of ``pairs [2, B]`` (source, destination indices of the
        fitted graph)."""
        self._check_fitted()
        p = pairs.cpu().numpy() if isinstance(pairs, Tensor) else np.asarray(pairs)
        s, d = p[0].astype(np.int64), p[1].astype(np.int64)
        if s.size == 0:
            return torch.zeros(0, len(STRUCTURAL_FEATURES))
        codes = s * self.n_dst_ + d
        pos = np.minimum(np.searchsorted(self.edge_codes_, codes),
                         max(self.edge_codes_.size - 1, 0))
        own = np.flatnonzero((self.edge_codes_.size > 0) & (self.edge_codes_[pos] == codes))
        out = self._columns(s, d, own, pos[own], lambda x, y: path3_pairs(x, y, s, d))
        return torch.from_numpy(out.astype(np.float32))

    def transform_grid(self, src: Tensor | np.ndarray, dst: Tensor | np.ndarray) -> Tensor:
        """Features ``float64 [R * C, 7]`` of every pair of sources ``src [R]`` and
        destinations ``dst [C]``, source-major (the pairs of
        :func:`~rnagraph.models.base.grid_pairs`): equal to :meth:`transform` of those pairs
        (which rounds to float32), but each walk sum is one sparse block product
        :math:`X_{[src]} Y_{[dst]}^\top` and the own edges are read from the adjacency block,
        so ranking every pair needs no per-pair search."""
        self._check_fitted()
        src = np.asarray(src.cpu() if isinstance(src, Tensor) else src, dtype=np.int64)
        dst = np.asarray(dst.cpu() if isinstance(dst, Tensor) else dst, dtype=np.int64)
        blk = self.adj_[src][:, dst].tocoo()          # the fitted edges inside the block
        own = blk.row.astype(np.int64) * dst.size + blk.col
        edge = np.searchsorted(self.edge_codes_, src[blk.row] * self.n_dst_ + dst[blk.col])
        s, d = np.repeat(src, dst.size), np.tile(dst, src.size)
        out = self._columns(s, d, own, edge, lambda x, y: path3_block(x, y, src, dst).ravel())
        return torch.from_numpy(out)

    def _check_fitted(self) -> None:
        if not hasattr(self, "adj_"):
            raise ValueError("StructuralPairFeatures: call fit(graph, edge_type) first")

    def _columns(self, s: np.ndarray, d: np.ndarray, own: np.ndarray, edge: np.ndarray,
                 walks) -> np.ndarray:
        """``float64 [B, 7]`` of the pairs ``(s, d)``; ``own`` are the positions of the pairs
        that are fitted edges, ``edge`` their positions in ``edge_codes_``; ``walks(X, Y)``
        gives the raw walk sums (row of X times row of Y) of every pair."""
        out = np.empty((s.size, len(STRUCTURAL_FEATURES)), dtype=np.float64)
        is_own = np.zeros(s.size, dtype=np.float64)
        is_own[own] = 1.0
        np.log1p(self.deg_src_[s] - is_own, out=out[:, 0])
        np.log1p(self.deg_dst_[d] - is_own, out=out[:, 1])
        se, de = s[own], d[own]
        for j, f in enumerate(("count3", "l3", "ra3"), start=2):
            x = walks(*self.factors_[f])
            q = _POWER[f]
            r_s, c_d = self.path_sums_[f]
            ws, wd = _inv_pow(self.deg_src_[se], q), _inv_pow(self.deg_dst_[de], q)
            x[own] -= wd * c_d[de] + ws * r_s[se] - ws * wd
            np.log1p(np.maximum(x, 0.0, out=x), out=out[:, j])
        for j, f in enumerate(("cf_src", "cf_dst"), start=5):
            x = walks(*self.cf_[f])
            x[own] = self.cf_own_[f][edge]
            np.log1p(np.maximum(x, 0.0, out=x), out=out[:, j])
        return out

    def graph_transform(self, graph: HeteroData, edge_type: EdgeType,
                        edge_label_index: Tensor) -> Tensor:
        """:meth:`fit` on ``graph`` then :meth:`transform` of ``edge_label_index [2, B]``."""
        return self.fit(graph, edge_type).transform(edge_label_index)


__all__ = ["StructuralPairFeatures", "STRUCTURAL_FEATURES"]
