r"""Rank every unobserved pair of a fitted model: blocked scoring with a bounded top-:math:`K`.

A graph of :math:`N_s` sources and :math:`N_d` destinations has :math:`N_s N_d` candidate pairs
(4.1M for cmi-20208). They are enumerated in blocks of about ``batch_size`` pairs, scored with
:meth:`~rnagraph.models.base.LinkModel.decision_grid` (one matrix product per block for
dot-product models), and only the best :math:`K` seen so
far are kept (a selection over the block and the running best, merged; ties go to the smaller
index), so memory is
:math:`O(\text{batch\_size} + K)` whatever the number of pairs: no dense score matrix and no
full sort.

:func:`top_per_rna` keeps the best :math:`K` partners of *each* of some RNAs instead (``rnagraph
rank --per-rna``): blocks of whole rows (a source RNA against every destination) or of source
rows against the chosen destinations, merged per RNA into a running best :math:`K`, so memory is
:math:`O(\text{batch\_size} + LK)` for :math:`L` RNAs.

Pairs a model cannot score (a NaN raw score: a new RNA without a sequence, see
:meth:`~rnagraph.models.base.LinkModel.scoring_status`) are skipped and counted, never ranked.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.evaluate.engine import Engine, LocalEngine, RayEngine, make_engine, ray_runtime

#: pairs per scoring block of :func:`top_candidates`
RANK_BLOCK = 1 << 18


@dataclass
class Candidates:
    """The best-ranked candidate pairs, best first.

    Attributes:
        src, dst (LongTensor): ``[K]`` node indices (source type, destination type).
        raw (Tensor): ``[K]`` float64 raw scores (:meth:`decision_function`).
        score (Tensor): ``[K]`` float64 calibrated probabilities.
        num_scored (int): how many candidate pairs were scored.
        num_unscored (int): candidate pairs the model could not score (NaN raw scores),
            skipped.
        worker_peak_rss_mib (dict[int, float]): peak resident memory (MiB) of each process
            that scored pairs, by process id (this process, or the Ray workers).
    """

    src: Tensor
    dst: Tensor
    raw: Tensor
    score: Tensor
    num_scored: int
    num_unscored: int = 0
    worker_peak_rss_mib: dict[int, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.src.numel()


def _best(key: Tensor, code: Tensor, k: int) -> Tensor:
    """Indices of the ``k`` largest keys, ties at the boundary going to the smaller codes (so
    the result does not depend on the block size): a selection (:func:`torch.kthvalue`), not a
    sort; only the pairs tied with the ``k``-th key are sorted."""
    kth = -torch.kthvalue(-key, k).values
    above = (key > kth).nonzero().squeeze(1)
    tied = (key == kth).nonzero().squeeze(1)
    tied = tied[torch.argsort(code[tied])[:k - above.numel()]]
    return torch.cat([above, tied])


def _rectangles(n_src: int, n_dst: int, src: Tensor | None, dst: Tensor | None
                ) -> list[tuple[Tensor, Tensor]]:
    all_s, all_d = torch.arange(n_src), torch.arange(n_dst)
    if src is None and dst is None:
        return [(all_s, all_d)]
    out = []
    if src is not None:
        out.append((torch.unique(src), all_d))
    if dst is not None:
        rest = all_s if src is None else all_s[~torch.isin(all_s, src)]
        out.append((rest, torch.unique(dst)))
    return out


def count_candidates(n_src: int, n_dst: int, src: Tensor | None = None,
                     dst: Tensor | None = None) -> int:
    """Number of pairs :func:`top_candidates` enumerates (before known pairs are skipped)."""
    return sum(r.numel() * c.numel() for r, c in _rectangles(n_src, n_dst, src, dst))


@torch.no_grad()
def top_candidates(model, k: int = 100, *, src: Sequence[int] | Tensor | None = None,
                   dst: Sequence[int] | Tensor | None = None, graph: HeteroData | None = None,
                   exclude_known: bool = True, batch_size: int = RANK_BLOCK,
                   progress: Callable[[int], None] | None = None,
                   engine: str | Engine = "local", address: str | None = None,
                   shards: int | None = None) -> Candidates:
    r"""The ``k`` best unobserved pairs of a fitted :class:`~rnagraph.models.base.LinkModel`.

    Candidates are every (source, destination) pair of the model's edge type, or, with ``src``
    / ``dst``, the pairs of those RNAs (``src`` x all destinations, plus all other sources x
    ``dst``). Known positives are skipped (``model.known_pairs_``: the training graph and the
    validation positives; else the edges of ``graph``). Pairs are ranked by the raw score in the
    direction of the calibrated probability, ties by smaller (source, destination) index.

    With ``engine="ray"`` the source rows are cut into ``shards`` blocks, each a Ray task
    (the fitted model is put in the object store once) that keeps its own top ``k``; the
    caller merges them with the same rule, so the ranking equals the local one exactly.

    Args:
        model: a fitted link model.
        k (int): how many pairs to keep (``>= 1``). (default: ``100``)
        src, dst (Sequence[int], optional): restrict to pairs of these node indices.
        graph (HeteroData, optional): the graph to score with (default: the fitted graph).
        exclude_known (bool): skip known positives. (default: ``True``)
        batch_size (int): pairs per block. (default: ``262144``)
        progress (callable, optional): called with the number of pairs of each finished block
            (with Ray: of each finished shard).
        engine (str | Engine): ``"local"`` (this process), ``"ray"`` or an engine object
            (:mod:`~rnagraph.evaluate.engine`). (default: ``"local"``)
        address (str, optional): with ``engine="ray"``, the Ray cluster to run on (else a
            local runtime of all CPUs for the call).
        shards (int, optional): row blocks with Ray. (default: 4 per CPU of the runtime)

    Returns:
        Candidates: ``min(k, candidates)`` pairs, best first.

    Complexity: :math:`O(N_s N_d)` scoring time, :math:`O(\text{batch\_size} + k)` memory
    per worker.
    """
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"top_candidates: k must be an integer >= 1, got {k!r}")
    if shards is not None and shards < 1:
        raise ValueError(f"top_candidates: shards must be >= 1, got {shards}")
    eng = make_engine(engine, 1, address)
    if engine == "ray" and address is None:
        eng.num_cpus = None  # a local runtime of all CPUs
    model._check_fitted()
    src_t, _, dst_t = model.edge_type_
    g = model.graph_ if graph is None else graph
    n_src, n_dst = int(g[src_t].num_nodes), int(g[dst_t].num_nodes)
    src = None if src is None else torch.as_tensor(src, dtype=torch.long)
    dst = None if dst is None else torch.as_tensor(dst, dtype=torch.long)
    known = _known(model, g) if exclude_known else None
    flip = getattr(getattr(model, "calibrator_", None), "coef_", 1.0) < 0
    # fitted and new RNAs never share a block (a block with new RNAs is scored pair by pair)
    fit_s, fit_d = int(model.graph_[src_t].num_nodes), int(model.graph_[dst_t].num_nodes)
    rects = [(rr, cc) for r, c in _rectangles(n_src, n_dst, src, dst)
             for rr in _by_fit(r, fit_s) for cc in _by_fit(c, fit_d)]
    if isinstance(eng, LocalEngine):
        parts = [_top_shard(model, graph, rects, n_src, n_dst, known, flip, k, batch_size,
                            progress)]
    else:
        with (ray_runtime(eng.address, eng.num_cpus) if isinstance(eng, RayEngine)
              else contextlib.nullcontext()) as ray:
            cpus = 1 if ray is None else int(ray.cluster_resources().get("CPU", 1))
            tasks = [(model, graph, piece, n_src, n_dst, known, flip, k, batch_size, None)
                     for piece in _split_rows(rects, shards or 4 * max(1, cpus), batch_size)]
            parts = [None] * len(tasks)

            def done(i: int, part: tuple) -> None:
                parts[i] = part
                if progress is not None:
                    progress(sum(r.numel() * c.numel() for r, c in tasks[i][2]))

            eng.map(_top_shard, tasks, done)
    key = torch.cat([torch.empty(0, dtype=torch.float64)] + [p[0] for p in parts])
    code = torch.cat([torch.empty(0, dtype=torch.long)] + [p[1] for p in parts])
    raw = torch.cat([torch.empty(0, dtype=torch.float64)] + [p[2] for p in parts])
    if key.numel() > k:
        idx = _best(key, code, k)
        key, code, raw = key[idx], code[idx], raw[idx]
    peaks: dict[int, float] = {}
    for p in parts:
        peaks[p[4]] = max(peaks.get(p[4], 0.0), p[5])
    # best first; ties by smaller pair code (source index, then destination index)
    order_t = torch.from_numpy(np.lexsort((code.numpy(), -key.numpy()))).long()
    code, raw = code[order_t], raw[order_t]
    return Candidates(src=code // n_dst, dst=code % n_dst, raw=raw,
                      score=model.probability(raw), num_scored=sum(p[3] for p in parts),
                      num_unscored=sum(p[6] for p in parts),
                      worker_peak_rss_mib=peaks)


def _split_rows(rects: list[tuple[Tensor, Tensor]], n: int, batch_size: int
                ) -> list[list[tuple[Tensor, Tensor]]]:
    """The rectangles cut into about ``n`` shards of consecutive source rows, each a whole
    number of the scoring blocks the local path uses, so every pair is scored in a block of
    the same shape (and gets the same float) on every engine."""
    total = sum(r.numel() for r, _ in rects)
    out = []
    for rows, cols in rects:
        block = max(1, batch_size // cols.numel())
        step = block * max(1, math.ceil(math.ceil(total / n) / block))
        for i in range(0, rows.numel(), step):
            out.append([(rows[i:i + step], cols)])
    return out


@torch.no_grad()
def _top_shard(model, graph: HeteroData | None, rects: list[tuple[Tensor, Tensor]], n_src: int,
               n_dst: int, known: Tensor | None, flip: bool, k: int, batch_size: int,
               progress: Callable[[int], None] | None
               ) -> tuple[Tensor, Tensor, Tensor, int, int, float, int]:
    """The top ``k`` of the pairs of ``rects`` (blocks of about ``batch_size`` pairs): keys,
    pair codes, raw scores, pairs scored, this process's id and peak memory (MiB), and the
    pairs skipped as unscorable (NaN). Every
    engine runs this function, the local one on all rectangles at once."""
    import os

    from rnagraph.evaluate.parallel import peak_rss_mib
    best_key = torch.empty(0, dtype=torch.float64)
    best_code = torch.empty(0, dtype=torch.long)
    best_raw = torch.empty(0, dtype=torch.float64)
    thr = -math.inf  # the k-th best key so far: a block's pair below it cannot enter
    scored = unscored = 0
    row_pos = torch.full((n_src,), -1, dtype=torch.long)
    col_pos = torch.full((n_dst,), -1, dtype=torch.long)
    for rows, cols in rects:
        col_pos.fill_(-1)
        col_pos[cols] = torch.arange(cols.numel())
        step = max(1, batch_size // cols.numel())
        for i in range(0, rows.numel(), step):
            r = rows[i:i + step]
            raw = model.decision_grid(graph, r, cols)  # [R, C] float64
            key = -raw if flip else raw
            cand = _unknown(r, cols, known, row_pos, col_pos)
            nan = torch.isnan(raw) & cand
            unscored += int(nan.sum())
            cand &= ~nan
            scored += int(cand.sum())
            ok = cand & (key >= thr)
            ii, jj = ok.nonzero(as_tuple=True)
            if ii.numel():
                key = torch.cat([best_key, key[ii, jj]])
                code = torch.cat([best_code, r[ii] * n_dst + cols[jj]])
                allraw = torch.cat([best_raw, raw[ii, jj]])
                if key.numel() > k:
                    idx = _best(key, code, k)
                    key, code, allraw = key[idx], code[idx], allraw[idx]
                best_key, best_code, best_raw = key, code, allraw
                if best_key.numel() == k:
                    thr = float(best_key.min())
            if progress is not None:
                progress(raw.numel())
    return best_key, best_code, best_raw, scored, os.getpid(), peak_rss_mib(), unscored


def _unknown(rows: Tensor, cols: Tensor, known: Tensor | None, row_pos: Tensor,
             col_pos: Tensor) -> Tensor:
    """``[R, C]`` bool: which pairs of ``rows`` x ``cols`` are not known positives (``known``
    ``[2, P]``). ``row_pos`` / ``col_pos`` are scratch maps from node index to position
    (``-1`` elsewhere); ``col_pos`` must already hold the positions of ``cols``."""
    out = torch.ones(rows.numel(), cols.numel(), dtype=torch.bool)
    if known is not None and known.size(1):
        row_pos[rows] = torch.arange(rows.numel())
        ks, kd = row_pos[known[0]], col_pos[known[1]]
        inside = (ks >= 0) & (kd >= 0)
        out[ks[inside], kd[inside]] = False
        row_pos[rows] = -1
    return out


@torch.no_grad()
def top_per_rna(model, k: int, *, src: Sequence[int] | Tensor = (),
                dst: Sequence[int] | Tensor = (), graph: HeteroData | None = None,
                exclude_known: bool = True, batch_size: int = RANK_BLOCK,
                progress: Callable[[int], None] | None = None) -> list[Candidates]:
    r"""The ``k`` best unobserved partners of *each* given RNA of a fitted model.

    Where :func:`top_candidates` keeps the best ``k`` pairs over all the RNAs it is given
    (one popular RNA can take every place), this keeps ``k`` for every one of them: source RNA
    ``s`` against every destination, destination RNA ``d`` against every source. A pair of two
    given RNAs belongs to both lists. The same rules as :func:`top_candidates`: known positives
    skipped, raw scores in the direction of the calibrated probability, ties to the smaller
    partner index, unscorable (NaN) pairs skipped and counted.

    Scored in blocks of about ``batch_size`` pairs (whole rows of a source RNA, or blocks of
    source rows against all the given destinations, each merged into a running best ``k`` per
    RNA), so memory is :math:`O(\text{batch\_size} + Lk)` for :math:`L` RNAs.

    Args:
        model: a fitted link model.
        k (int): partners per RNA (``>= 1``).
        src, dst (Sequence[int]): source / destination node indices (no repeats).
        graph (HeteroData, optional): the graph to score with (default: the fitted graph; a
            graph with new RNAs appended scores them too).
        exclude_known (bool): skip known positives. (default: ``True``)
        batch_size (int): pairs per block. (default: ``262144``)
        progress (callable, optional): called with the number of pairs of each block.

    Returns:
        list[Candidates]: one per RNA, ``src`` ones first then ``dst`` ones, each in the order
        given, best first (``min(k, candidates)`` pairs each).
    """
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"top_per_rna: k must be an integer >= 1, got {k!r}")
    model._check_fitted()
    src_t, _, dst_t = model.edge_type_
    g = model.graph_ if graph is None else graph
    n_src, n_dst = int(g[src_t].num_nodes), int(g[dst_t].num_nodes)
    src = torch.as_tensor(src, dtype=torch.long).reshape(-1)
    dst = torch.as_tensor(dst, dtype=torch.long).reshape(-1)
    for t, n, nt in ((src, n_src, src_t), (dst, n_dst, dst_t)):
        if t.numel() and (int(t.min()) < 0 or int(t.max()) >= n):
            raise ValueError(f"top_per_rna: {nt} index out of range for {n} nodes")
        if torch.unique(t).numel() != t.numel():
            raise ValueError(f"top_per_rna: a {nt} index is given twice")
    known = _known(model, g) if exclude_known else None
    flip = getattr(getattr(model, "calibrator_", None), "coef_", 1.0) < 0
    row_pos = torch.full((n_src,), -1, dtype=torch.long)
    col_pos = torch.full((n_dst,), -1, dtype=torch.long)

    def block(rows: Tensor, cols: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        raw = model.decision_grid(graph, rows, cols)  # [R, C] float64
        col_pos[cols] = torch.arange(cols.numel())
        cand = _unknown(rows, cols, known, row_pos, col_pos)
        col_pos[cols] = -1
        if progress is not None:
            progress(raw.numel())
        return raw, -raw if flip else raw, cand

    # fitted and new RNAs (appended after the fitted ones) never share a block: a fitted block
    # keeps the model's grid path, a block with new RNAs is scored pair by pair
    fit_s = int(model.graph_[src_t].num_nodes)
    fit_d = int(model.graph_[dst_t].num_nodes)
    found: dict[tuple[int, int], Candidates] = {}
    col_parts = _by_fit(torch.arange(n_dst), fit_d)
    step = max(1, batch_size // max(1, n_dst))
    for lines in _by_fit(src, fit_s):            # whole rows: one selection per row
        for i in range(0, lines.numel(), step):
            rows, best = lines[i:i + step], None
            for cols in col_parts:
                raw, key, cand = block(rows, cols)
                best = _line_merge(best, (key, cols.expand_as(raw), raw, cand), k)
            for r, c in zip(rows.tolist(), _line_candidates(model, best, rows,
                                                            lines_are_src=True)):
                found[0, r] = c
    row_parts = _by_fit(torch.arange(n_src), fit_s)
    for lines in _by_fit(dst, fit_d):            # source blocks, merged per destination
        best = None
        step = max(1, batch_size // lines.numel())
        for part_rows in row_parts:
            for i in range(0, part_rows.numel(), step):
                rows = part_rows[i:i + step]
                raw, key, cand = block(rows, lines)
                part = (key.t(), rows.expand(lines.numel(), -1), raw.t(), cand.t())
                best = _line_merge(best, part, k)
        for d, c in zip(lines.tolist(), _line_candidates(model, best, lines,
                                                         lines_are_src=False)):
            found[1, d] = c
    return [found[0, r] for r in src.tolist()] + [found[1, d] for d in dst.tolist()]


def _by_fit(idx: Tensor, n_fit: int) -> list[Tensor]:
    """``idx`` cut into its fitted nodes (``< n_fit``) and its new ones, each in the order
    given; empty parts left out."""
    new = idx >= n_fit
    return [part for part in (idx[~new], idx[new]) if part.numel()]


def _known(model, g: HeteroData) -> Tensor:
    kp = getattr(model, "known_pairs_", None)
    if kp is None:
        et = model.edge_type_
        kp = g[et].edge_index if et in g.edge_types else torch.empty(2, 0, dtype=torch.long)
    return kp.long()


def _line_merge(best: tuple | None, new: tuple, k: int) -> tuple:
    """Per line (an RNA), the best ``k`` of its running best and a new block of partners:
    tuples ``(key, partner, raw, candidate, scored, unscored)``, the first four ``[L, *]``
    (partners of ``new`` in increasing index, after those of ``best``), the counts ``[L]``.
    Candidates first, then by key (descending), ties to the earlier (= smaller) partner."""
    key, partner, raw, cand = new
    nan = torch.isnan(raw) & cand
    cand = cand & ~nan
    scored, unscored = cand.sum(1), nan.sum(1)
    if best is not None:
        key, partner, raw, cand = (torch.cat([b, n], 1) for b, n in
                                   zip(best[:4], (key, partner, raw, cand)))
        scored, unscored = scored + best[4], unscored + best[5]
    sortable = torch.where(cand, key, torch.full_like(key, -math.inf))
    if key.size(1) > k and not bool((cand & (sortable == -math.inf)).any()):
        # a selection, then a sort of k per line: the k-th key, every key above it, and the
        # earliest of those tied with it (exactly k per line; skipped pairs sit at -inf below
        # every candidate)
        kth = torch.topk(sortable, k, dim=1).values[:, -1:]
        above, tie = sortable > kth, sortable == kth
        pick = above | (tie & (tie.cumsum(1) <= k - above.sum(1, keepdim=True)))
        pos = pick.nonzero()[:, 1].reshape(-1, k)
        sub = torch.sort(sortable.gather(1, pos), dim=1, descending=True, stable=True).indices
        order = pos.gather(1, sub)
    else:   # few partners, or a candidate scored -inf (tied with the skipped pairs)
        order = torch.sort(sortable, dim=1, descending=True, stable=True).indices
        first = torch.sort((~cand.gather(1, order)).to(torch.int8), dim=1, stable=True).indices
        order = order.gather(1, first)[:, :k]
    return (key.gather(1, order), partner.gather(1, order), raw.gather(1, order),
            cand.gather(1, order), scored, unscored)


def _line_candidates(model, best: tuple, lines: Tensor, *, lines_are_src: bool
                     ) -> list[Candidates]:
    _, partner, raw, cand, scored, unscored = best
    out = []
    for j in range(lines.numel()):
        ok = cand[j]
        p, r = partner[j][ok], raw[j][ok]
        line = lines[j].expand_as(p)
        s, d = (line, p) if lines_are_src else (p, line)
        out.append(Candidates(src=s.clone(), dst=d.clone(), raw=r.clone(),
                              score=model.probability(r), num_scored=int(scored[j]),
                              num_unscored=int(unscored[j])))
    return out


#: the status of a pair that is a known interaction of the model (:func:`score_id_pairs`)
KNOWN_PAIR = "known pair"


@torch.no_grad()
def score_id_pairs(model, pairs: Sequence[tuple[str, str]],
                   sequences: dict[str, dict[str, str | None]] | None = None
                   ) -> tuple[Tensor, Tensor, list[str]]:
    """Score pairs given by RNA ids, one result per pair in the order given (repeats
    included): what ``rnagraph predict`` writes.

    Ids the model was fitted with index its graph; other ids are **new RNAs**, appended to
    the scoring graph (:meth:`~rnagraph.models.base.LinkModel.extended_graph`) with their
    sequence from ``sequences`` (``{node_type: {id: sequence}}``) where one is given, and
    scored as the model scores new RNAs (or not, with the reason).

    Args:
        model: a fitted link model.
        pairs (Sequence[tuple[str, str]]): ``(source id, destination id)`` pairs of the
            model's edge type.
        sequences (dict, optional): sequences of new RNAs by node type (ids the model was
            fitted with are ignored).

    Returns:
        tuple: raw scores ``[N]`` and calibrated probabilities ``[N]`` (float64, NaN where
        not scored) and a status per pair: ``"known pair"`` (a known interaction of the
        model, ``model.known_pairs_``, still scored), ``"fitted"``, ``"sequence"``,
        ``"neighbours"`` or ``"not scored: <why>"``
        (:meth:`~rnagraph.models.base.LinkModel.scoring_status`).
    """
    model._check_fitted()
    src_t, _, dst_t = model.edge_type_
    fitted = model.graph_
    sequences = sequences or {}
    extra: dict[str, dict[str, str | None]] = {}
    for row, nt in ((0, src_t), (1, dst_t)):
        have = set(fitted[nt].ids)
        given = sequences.get(nt, {})
        for pair in pairs:
            rid = pair[row]
            if rid not in have:
                extra.setdefault(nt, {})[rid] = given.get(rid)
    g = model.extended_graph(extra) if extra else fitted
    smap = {r: i for i, r in enumerate(g[src_t].ids)}
    dmap = {r: i for i, r in enumerate(g[dst_t].ids)}
    idx = torch.tensor([[smap[a] for a, _ in pairs], [dmap[b] for _, b in pairs]],
                       dtype=torch.long).reshape(2, -1)
    graph = g if extra else None
    status = model.scoring_status(graph, idx)
    raw = model.decision_function(graph, idx)
    known = getattr(model, "known_pairs_", None)
    if known is not None and known.numel() and idx.numel():
        n_dst = int(g[dst_t].num_nodes)
        kc = known[0].long() * n_dst + known[1].long()
        is_known = torch.isin(idx[0] * n_dst + idx[1], kc)
        status = [KNOWN_PAIR if k else st for k, st in zip(is_known.tolist(), status)]
    return raw, model.probability(raw), status


__all__ = ["Candidates", "top_candidates", "top_per_rna", "count_candidates",
           "score_id_pairs", "KNOWN_PAIR", "RANK_BLOCK"]
