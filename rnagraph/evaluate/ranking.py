"""All-candidate ranking evaluation.

* :func:`ranking_metrics` ranks, for one RNA at a time, every unobserved partner: per query RNA
  (precision@k, recall@k, hits@k, MRR of its best test positive) or, OGB-style, per test
  positive (its rank among all unobserved pairs of the same RNA: MRR, hits@k);
* :func:`global_ranking_metrics` ranks every unobserved pair of the graph at once (global
  precision@K, AUPR and AUC), streaming blocks of pairs with bounded memory;
* :func:`fold_ranking_metrics` / :func:`fold_link_ranking` wire them to a fitted model and a
  fold, scoring with ``model.decision_function`` (raw scores: no calibration saturation ties).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch
from torch import Tensor

from rnagraph.data.fold import Fold


def ranking_metrics(scorer: Callable[[Tensor], Tensor], test_pos: Tensor, num_src: int,
                    num_dst: int, *, exclude: Tensor | None = None,
                    ks: Sequence[int] = (1, 5, 10), by: str = "src",
                    chunk_size: int = 256, per: str = "query",
                    ties: str = "pessimistic") -> dict[str, float]:
    r"""Rank, for every RNA with a test positive, **all** its unobserved partners.

    For a query RNA :math:`q` (a source node when ``by="src"``, a destination node when
    ``by="dst"``) the candidates are every node of the other side except the pairs in
    ``exclude`` (pass the training and validation positives: the "filtered" setting). The
    relevant candidates are :math:`q`'s test positives; everything else counts as a negative.
    With the relevant items ranked at positions :math:`r_1 < r_2 < \dots` (1-based):

    .. math::
        \text{P@}k = \frac{|\{i: r_i \le k\}|}{k},\quad
        \text{R@}k = \frac{|\{i: r_i \le k\}|}{|\text{relevant}|},\quad
        \text{hits@}k = [r_1 \le k],\quad
        \text{MRR} = \frac{1}{r_1},

    averaged over the query RNAs. Ties are broken **pessimistically** (a relevant candidate is
    ranked below any non-relevant candidate with the same score), so a constant scorer gets no
    credit. Scoring is chunked over query nodes: ``chunk_size * num_candidates`` pairs at a time.

    With ``per="positive"`` (the filtered link-prediction protocol of OGB's evaluator, e.g.
    ``ogbl-citation2``) every test positive :math:`(q, c)` is ranked on its own against the
    **negatives** of its query: the candidates of :math:`q` that are neither excluded nor test
    positives. With :math:`g` negatives scoring above it and :math:`t` tying,

    .. math::
        r = 1 + g + t \ (\texttt{ties="pessimistic"}), \qquad
        r = 1 + g + t/2 \ (\texttt{ties="mean"}, OGB's average of the optimistic and
        pessimistic ranks),

    and ``mrr`` = mean of :math:`1/r`, ``hits@k`` = share of positives with :math:`r \le k`,
    both over **positives** (a popular RNA with many test positives weighs more than in the
    per-query metrics).

    Args:
        scorer: maps a ``[2, M]`` (src, dst) LongTensor to ``[M]`` scores.
        test_pos (LongTensor): ``[2, P]`` test positives.
        num_src, num_dst (int): node counts of the two sides.
        exclude (LongTensor, optional): ``[2, E]`` pairs removed from the candidate lists.
        ks (Sequence[int]): cut-offs. (default: ``(1, 5, 10)``)
        by (str): ``"src"`` or ``"dst"``: which side's RNAs are the queries.
        chunk_size (int): query nodes per scoring call. (default: ``256``)
        per (str): ``"query"`` (per query RNA) or ``"positive"`` (per test positive, OGB).
            (default: ``"query"``)
        ties (str): ``"pessimistic"`` or, with ``per="positive"``, ``"mean"``.
            (default: ``"pessimistic"``)

    Returns:
        dict[str, float]: ``per="query"``: ``precision@k``, ``recall@k``, ``hits@k`` for each
        ``k``, ``mrr`` and ``num_queries``; ``per="positive"``: ``hits@k``, ``mrr`` and
        ``num_positives``.
    """
    if by not in ("src", "dst"):
        raise ValueError(f"ranking_metrics: by must be 'src' or 'dst', got {by!r}")
    if per not in ("query", "positive"):
        raise ValueError(f"ranking_metrics: per must be 'query' or 'positive', got {per!r}")
    if ties not in ("pessimistic", "mean") or (per == "query" and ties != "pessimistic"):
        raise ValueError(f"ranking_metrics: ties={ties!r} is not offered with per={per!r}; "
                         "use 'pessimistic' (or 'mean' with per='positive')")
    test_pos = test_pos.long()
    exclude = torch.empty(2, 0, dtype=torch.long) if exclude is None else exclude.long()
    q_side = 0 if by == "src" else 1
    n_q, n_c = (num_src, num_dst) if by == "src" else (num_dst, num_src)
    queries = torch.unique(test_pos[q_side])
    ks = sorted(int(k) for k in ks)
    sums = {f"{m}@{k}": 0.0 for k in ks for m in ("precision", "recall", "hits")}
    sums["mrr"] = 0.0
    if per == "positive":
        sums = {**{f"hits@{k}": 0.0 for k in ks}, "mrr": 0.0}
    count = "num_queries" if per == "query" else "num_positives"
    if queries.numel() == 0:
        return {**{k: float("nan") for k in sums}, count: 0}
    n_items = 0
    # dense per-query lookups via codes (query * n_c + candidate)
    t_codes = test_pos[q_side] * n_c + test_pos[1 - q_side]
    x_codes = exclude[q_side] * n_c + exclude[1 - q_side]
    t_np, x_np = np.unique(t_codes.numpy()), np.unique(x_codes.numpy())
    cand = torch.arange(n_c)
    for start in range(0, queries.numel(), chunk_size):
        q = queries[start:start + chunk_size]
        c = q.numel()
        qq = q.repeat_interleave(n_c)
        cc = cand.repeat(c)
        pairs = torch.stack([qq, cc]) if by == "src" else torch.stack([cc, qq])
        with torch.no_grad():
            s = torch.as_tensor(scorer(pairs), dtype=torch.float64).reshape(c, n_c)
        s = torch.nan_to_num(s, nan=-1e300, posinf=1e300, neginf=-1e300)
        codes = qq * n_c + cc
        # numpy's sort-based isin: far faster than torch.isin for these sizes
        rel = torch.from_numpy(np.isin(codes.numpy(), t_np)).reshape(c, n_c)
        excl = torch.from_numpy(np.isin(codes.numpy(), x_np)).reshape(c, n_c) & ~rel
        s = s.masked_fill(excl, float("-inf"))
        if per == "positive":
            r = _positive_ranks(s, rel, ties)
            n_items += r.numel()
            sums["mrr"] += float((1.0 / r).sum())
            for k in ks:
                sums[f"hits@{k}"] += float((r <= k).double().sum())
            continue
        # pessimistic ties: put non-relevant first, then a stable sort by score
        pre = torch.argsort(rel.to(torch.int8), dim=1, stable=True)
        s_pre = torch.gather(s, 1, pre)
        order = torch.argsort(s_pre, dim=1, descending=True, stable=True)
        rel_sorted = torch.gather(torch.gather(rel, 1, pre), 1, order)
        n_rel = rel.sum(1).double()
        first = rel_sorted.to(torch.int8).argmax(1).double() + 1
        sums["mrr"] += float((1.0 / first).sum())
        csum = rel_sorted.cumsum(1).double()
        for k in ks:
            hit_k = csum[:, min(k, n_c) - 1]
            sums[f"precision@{k}"] += float((hit_k / k).sum())
            sums[f"recall@{k}"] += float((hit_k / n_rel).sum())
            sums[f"hits@{k}"] += float((hit_k > 0).double().sum())
    n = queries.numel() if per == "query" else n_items
    out = {k: v / n for k, v in sums.items()}
    out[count] = int(n)
    return out


def _positive_ranks(s: Tensor, rel: Tensor, ties: str) -> Tensor:
    """1-based ranks ``[P]`` of the relevant entries of ``s`` ``[C, N]`` (row by row) among
    their row's non-relevant entries (excluded ones are ``-inf`` and never outrank)."""
    neg = torch.sort(s.masked_fill(rel, float("-inf")), dim=1).values
    n_rel = rel.sum(1)
    width = max(int(n_rel.max()), 1)
    # the relevant scores of each row, left-aligned and padded with +inf (dropped below)
    row, col = rel.nonzero(as_tuple=True)
    start = torch.cumsum(n_rel, 0) - n_rel
    slot = torch.arange(row.numel()) - start[row]
    vals = torch.full((s.size(0), width), float("inf"), dtype=s.dtype)
    vals[row, slot] = s[row, col]
    right = torch.searchsorted(neg, vals, right=True)
    left = torch.searchsorted(neg, vals, right=False)
    greater, tied = (s.size(1) - right)[row, slot], (right - left)[row, slot]
    return 1.0 + greater.double() + (tied.double() if ties == "pessimistic"
                                     else tied.double() / 2)


def global_ranking_metrics(scorer: Callable[[Tensor], Tensor], test_pos: Tensor, num_src: int,
                           num_dst: int, *, exclude: Tensor | None = None,
                           ks: Sequence[int] = (100, 1000),
                           block_size: int = 1 << 20) -> dict[str, float]:
    r"""Rank **every** unobserved pair of the graph at once: global precision@K, AUPR, AUC.

    The candidates are all :math:`N_s N_d` pairs except ``exclude`` (pass the training and
    validation positives); the test positives are relevant, every other candidate a negative.
    With :math:`P` positives scoring :math:`v_p` and, for each, :math:`G_p` / :math:`T_p`
    negatives scoring above / equal to it, and :math:`Q` negatives in all:

    .. math::
        \text{AUPR} = \frac{1}{P} \sum_p
            \frac{|\{p': v_{p'} \ge v_p\}|}{|\{p': v_{p'} \ge v_p\}| + G_p + T_p}, \qquad
        \text{AUC} = \frac{1}{P} \sum_p \frac{Q - G_p - T_p + T_p / 2}{Q},

    which equal scikit-learn's ``average_precision_score`` (ties grouped into one threshold)
    and ``roc_auc_score`` on the full candidate list. precision@K is the share of test
    positives among the :math:`K` top-scored candidates, ties broken pessimistically (a
    negative tying a positive ranks first).

    Memory stays bounded: positives are scored first, then the candidates are scored in blocks
    of about ``block_size`` pairs (whole source rows); each block only updates the counts
    :math:`G_p, T_p` (a sort and a binary search) and a running top-:math:`\max K` of the
    negatives (:func:`numpy.partition`). No :math:`N_s \times N_d` matrix is formed.

    Args:
        scorer: maps a ``[2, M]`` (src, dst) LongTensor to ``[M]`` scores; must score a pair
            the same whatever block it is in.
        test_pos (LongTensor): ``[2, P]`` test positives.
        num_src, num_dst (int): node counts.
        exclude (LongTensor, optional): ``[2, E]`` pairs that are not candidates.
        ks (Sequence[int]): the cut-offs :math:`K`. (default: ``(100, 1000)``)
        block_size (int): pairs scored per call. (default: ``2**20``)

    Returns:
        dict[str, float]: ``precision@K`` for each ``K``, ``aupr``, ``auc``,
        ``num_positives`` and ``num_candidates``.
    """
    ks = sorted(int(k) for k in ks)
    if any(k < 1 for k in ks):
        raise ValueError(f"global_ranking_metrics: cut-offs must be >= 1, got {ks}")
    n_d = int(num_dst)
    pos_codes = np.unique((test_pos[0].long() * n_d + test_pos[1].long()).numpy())
    ex = np.empty(0, dtype=np.int64) if exclude is None else np.unique(
        (exclude[0].long() * n_d + exclude[1].long()).numpy())
    pos_codes = pos_codes[~np.isin(pos_codes, ex, assume_unique=True)]
    n_pos = pos_codes.size
    out = {f"precision@{k}": float("nan") for k in ks}
    if n_pos == 0:
        return {**out, "aupr": float("nan"), "auc": float("nan"), "num_positives": 0,
                "num_candidates": 0}
    with torch.no_grad():
        v = _as_np(scorer(torch.from_numpy(np.stack([pos_codes // n_d, pos_codes % n_d]))))
    greater = np.zeros(n_pos, dtype=np.int64)
    geq = np.zeros(n_pos, dtype=np.int64)
    top = np.empty(0, dtype=np.float64)
    k_max = ks[-1] if ks else 0
    n_neg = 0
    rows = max(1, block_size // max(n_d, 1))
    for r0 in range(0, int(num_src), rows):
        r1 = min(int(num_src), r0 + rows)
        codes = np.arange(r0 * n_d, r1 * n_d, dtype=np.int64)
        codes = codes[~np.isin(codes, ex) & ~np.isin(codes, pos_codes)]
        if not codes.size:
            continue
        with torch.no_grad():
            sc = _as_np(scorer(torch.from_numpy(np.stack([codes // n_d, codes % n_d]))))
        sc.sort()
        n_neg += sc.size
        greater += sc.size - np.searchsorted(sc, v, side="right")
        geq += sc.size - np.searchsorted(sc, v, side="left")
        if k_max:
            top = np.concatenate([top, sc[-k_max:]])
            if top.size > k_max:
                top = np.partition(top, top.size - k_max)[-k_max:]
    vs = np.sort(v)
    pos_geq = n_pos - np.searchsorted(vs, v, side="left")      # positives >= v_p (incl. p)
    aupr = float(np.mean(pos_geq / (pos_geq + geq)))
    tied = geq - greater
    auc = float(np.mean((n_neg - geq + tied / 2) / n_neg)) if n_neg else float("nan")
    # merged top-K: positives and the best negatives, negatives first among equal scores
    merged = np.concatenate([top, v])
    is_pos = np.concatenate([np.zeros(top.size, dtype=bool), np.ones(n_pos, dtype=bool)])
    order = np.lexsort((is_pos, -merged))
    hits = np.cumsum(is_pos[order])
    for k in ks:
        out[f"precision@{k}"] = float(hits[min(k, hits.size) - 1] / k)
    return {**out, "aupr": aupr, "auc": auc, "num_positives": int(n_pos),
            "num_candidates": int(n_pos + n_neg)}


def _as_np(scores: Tensor) -> np.ndarray:
    s = torch.as_tensor(scores).detach().cpu().double().reshape(-1).numpy()
    return np.nan_to_num(s, nan=-1e300, posinf=1e300, neginf=-1e300)


def _raw_scorer(model, graph) -> Callable[[Tensor], Tensor]:
    """Raw scores of a :class:`~rnagraph.models.LinkModel` (``score`` for other objects)."""
    f = getattr(model, "decision_function", None) or model.score
    return lambda p: f(graph, p)


def _fold_task(model, fold: Fold) -> tuple[Callable[[Tensor], Tensor], Tensor, int, int, Tensor]:
    """``(scorer, test positives, num_src, num_dst, exclude)`` of ``fold``: scored on
    ``fold.graph_for("test")``; excluded: the training and validation positives. In an
    inductive fold the candidates of a held-out node type are its **test RNAs only** (all
    pairs of the held-out RNAs): indices are shifted so that they are ``0 ..`` here."""
    et = fold.edge_type
    g = fold.graph_for("test")
    n = [int(g[et[0]].num_nodes), int(g[et[2]].num_nodes)]
    test = fold.test.pos_index.clone()
    exclude = torch.cat([fold.train.pos_index, fold.val.pos_index], dim=1)
    off = [0, 0]
    for row, nt in ((0, et[0]), (1, et[2])):
        new = fold.new_nodes("test", nt)
        if new.numel():
            off[row] = int(new[0])
            n[row] -= off[row]
            test[row] -= off[row]
            exclude = exclude[:, exclude[row] >= off[row]]
            exclude[row] -= off[row]
    raw = _raw_scorer(model, g)
    shift = torch.tensor(off).view(2, 1)
    scorer = raw if off == [0, 0] else (lambda p: raw(p + shift))
    return scorer, test, n[0], n[1], exclude


def fold_ranking_metrics(model, fold: Fold, ks: Sequence[int] = (1, 5, 10), by: str = "src",
                         chunk_size: int = 256) -> dict[str, float]:
    """:func:`ranking_metrics` of a fitted ``model`` on ``fold``'s test positives, scoring with
    ``fold.graph_for("test")`` (``model.decision_function``, else ``model.score``) and
    excluding the fold's training and validation positives (inductive folds: the held-out
    side's candidates are its test RNAs)."""
    scorer, test, n_s, n_d, exclude = _fold_task(model, fold)
    return ranking_metrics(scorer, test, n_s, n_d, exclude=exclude, ks=ks, by=by,
                           chunk_size=chunk_size)


def fold_link_ranking(model, fold: Fold, ks: Sequence[int] = (10, 50, 100),
                      global_ks: Sequence[int] | None = None, ties: str = "mean",
                      chunk_size: int = 256) -> dict[str, float]:
    """The link-ranking panel of a fitted ``model`` on ``fold`` (filtered: the fold's training
    and validation positives are not candidates; raw scores on ``fold.graph_for("test")``;
    in an inductive fold the held-out side's candidates are its test RNAs, so the global
    metrics rank **all pairs of the held-out RNAs**).

    Returns ``mrr_src``, ``hits@k_src`` (each test positive ranked among all unobserved pairs
    of its source RNA), ``mrr_dst``, ``hits@k_dst`` (of its destination RNA), both from
    :func:`ranking_metrics` with ``per="positive"`` and ``ties`` (default ``"mean"``, as
    OGB), and ``global_precision@K`` (``K`` in ``global_ks``, default ``ks``),
    ``global_aupr``, ``global_auc`` from :func:`global_ranking_metrics`.
    """
    scorer, test, n_s, n_d, exclude = _fold_task(model, fold)
    out: dict[str, float] = {}
    for by in ("src", "dst"):
        m = ranking_metrics(scorer, test, n_s, n_d, exclude=exclude, ks=ks,
                            by=by, chunk_size=chunk_size, per="positive", ties=ties)
        m.pop("num_positives")
        out.update({(f"{k}_{by}"): v for k, v in m.items()})
    glob = global_ranking_metrics(scorer, test, n_s, n_d, exclude=exclude,
                                  ks=global_ks if global_ks is not None else ks)
    for k in ("num_positives", "num_candidates"):
        glob.pop(k)
    out.update({f"global_{k}": v for k, v in glob.items()})
    return out


__all__ = ["ranking_metrics", "global_ranking_metrics", "fold_ranking_metrics",
           "fold_link_ranking"]
