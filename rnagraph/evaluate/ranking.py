"""All-candidate ranking metrics per RNA: precision@k, recall@k, hits@k and MRR."""
from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import Tensor

from rnagraph.data.fold import Fold


def ranking_metrics(scorer: Callable[[Tensor], Tensor], test_pos: Tensor, num_src: int,
                    num_dst: int, *, exclude: Tensor | None = None,
                    ks: Sequence[int] = (1, 5, 10), by: str = "src",
                    chunk_size: int = 256) -> dict[str, float]:
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

    Args:
        scorer: maps a ``[2, M]`` (src, dst) LongTensor to ``[M]`` scores.
        test_pos (LongTensor): ``[2, P]`` test positives.
        num_src, num_dst (int): node counts of the two sides.
        exclude (LongTensor, optional): ``[2, E]`` pairs removed from the candidate lists.
        ks (Sequence[int]): cut-offs. (default: ``(1, 5, 10)``)
        by (str): ``"src"`` or ``"dst"``: which side's RNAs are the queries.
        chunk_size (int): query nodes per scoring call. (default: ``256``)

    Returns:
        dict[str, float]: ``precision@k``, ``recall@k``, ``hits@k`` for each ``k``, ``mrr`` and
        ``num_queries``.
    """
    if by not in ("src", "dst"):
        raise ValueError(f"ranking_metrics: by must be 'src' or 'dst', got {by!r}")
    test_pos = test_pos.long()
    exclude = torch.empty(2, 0, dtype=torch.long) if exclude is None else exclude.long()
    q_side = 0 if by == "src" else 1
    n_q, n_c = (num_src, num_dst) if by == "src" else (num_dst, num_src)
    queries = torch.unique(test_pos[q_side])
    ks = sorted(int(k) for k in ks)
    sums = {f"{m}@{k}": 0.0 for k in ks for m in ("precision", "recall", "hits")}
    sums["mrr"] = 0.0
    if queries.numel() == 0:
        return {**{k: float("nan") for k in sums}, "num_queries": 0}
    # dense per-query lookups via codes (query * n_c + candidate)
    t_codes = test_pos[q_side] * n_c + test_pos[1 - q_side]
    x_codes = exclude[q_side] * n_c + exclude[1 - q_side]
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
        rel = torch.isin(codes, t_codes).reshape(c, n_c)
        excl = torch.isin(codes, x_codes).reshape(c, n_c) & ~rel
        s = s.masked_fill(excl, float("-inf"))
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
    n = queries.numel()
    out = {k: v / n for k, v in sums.items()}
    out["num_queries"] = int(n)
    return out


def fold_ranking_metrics(model, fold: Fold, ks: Sequence[int] = (1, 5, 10), by: str = "src",
                         chunk_size: int = 256) -> dict[str, float]:
    """:func:`ranking_metrics` of a fitted ``model`` on ``fold``'s test positives, scoring with
    ``fold.train_graph`` and excluding the fold's training and validation positives."""
    et = fold.edge_type
    g = fold.train_graph
    exclude = torch.cat([fold.train.pos_index, fold.val.pos_index], dim=1)
    return ranking_metrics(lambda p: model.score(g, p), fold.test.pos_index,
                           int(g[et[0]].num_nodes), int(g[et[2]].num_nodes), exclude=exclude,
                           ks=ks, by=by, chunk_size=chunk_size)


__all__ = ["ranking_metrics", "fold_ranking_metrics"]
