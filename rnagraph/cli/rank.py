"""``rnagraph rank``: the best unobserved pairs of a saved model."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Optional

import typer

from rnagraph.cli._common import (
    CLIError,
    check_output,
    plain_args,
    progress,
    replay,
    sequence_specs,
    sidecar,
)


def resolve_rnas(graph, edge_type, rnas: list[str]):
    """``--rna`` ids -> (source indices or None, destination indices or None)."""
    if not rnas:
        return None, None
    src_t, dst_t = edge_type[0], edge_type[2]
    spos = {s: i for i, s in enumerate(graph[src_t].ids)}
    dpos = {s: i for i, s in enumerate(graph[dst_t].ids)}
    src, dst, unknown = [], [], []
    for r in rnas:
        if r in spos:
            src.append(spos[r])
        elif r in dpos:
            dst.append(dpos[r])
        else:
            unknown.append(r)
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        raise CLIError(f"--rna {shown}: not in the model's graph ({len(spos)} {src_t}, "
                       f"{len(dpos)} {dst_t}); ids are case-sensitive, and a new RNA needs its "
                       f"sequence: --fasta {src_t}=FILE or --fasta {dst_t}=FILE")
    return src or None, dst or None


def evidence_columns(model, edge_type, src, dst, graph=None
                     ) -> tuple[list[str], list[list[str]]] | None:
    """Seed-site evidence of each ranked pair (site type, position in the target) when the
    edge type has a miRNA side and the graph (default: the model's) holds sequences."""
    from rnagraph.evaluate.evidence import seed_evidence
    src_t, _, dst_t = edge_type
    if "mirna" not in (src_t, dst_t):
        return None
    g = model.graph_ if graph is None else graph
    mir_first = src_t == "mirna"
    rows = []
    for a, b in zip(src.tolist(), dst.tolist()):
        mi, tg = (a, b) if mir_first else (b, a)
        site, pos = seed_evidence(g["mirna"].seq[mi],
                                  g[dst_t if mir_first else src_t].seq[tg])
        rows.append([site, "" if pos is None else str(pos)])
    cols = ["seed_site", "site_position"]
    if _explains(model):        # attention models: the target window the miRNA attends to most
        import torch
        windows = model.explain(graph, torch.stack([src, dst]), top=1)
        for row, win in zip(rows, windows):
            w = win[0] if win else None
            row += (["", ""] if w is None else
                    [f"{w['start'] + 1}-{w['end']}", f"{float(w['weight']):.4g}"])
        cols += ["top_window", "window_attention"]
    return cols, rows


def _explains(model) -> bool:
    """Whether ``model`` can name the target window it attends to (GRMMI with attention)."""
    net = getattr(model, "net_", None)
    enc = getattr(net, "encoder", None)
    return hasattr(model, "explain") and enc is not None and bool(getattr(enc, "attention", 0))


def rank(
    ctx: typer.Context,
    model: Path = typer.Option(..., help="a model file written by `rnagraph train`"),
    rna: list[str] = typer.Option([], help="rank only the partners of this RNA, repeatable"),
    top: Optional[int] = typer.Option(None, help="how many pairs to write, the best first "
                                      "(default: 100; not with --per-rna)"),
    per_rna: Optional[int] = typer.Option(None, "--per-rna", help="write the best K partners "
                                          "of each --rna instead of the best --top pairs "
                                          "over all of them"),
    fasta: list[str] = typer.Option([], help="sequences of new RNAs to rank too (TYPE=FILE, "
                                    "FASTA or id,sequence), repeatable"),
    evidence: Optional[bool] = typer.Option(None, help="add seed-site evidence (default: for "
                                            "sequence models)"),
    out: str = typer.Option(..., help="the CSV to write"),
    force: bool = typer.Option(False, help="overwrite existing files"),
    config: Optional[Path] = typer.Option(None, help="replay a config.json of an earlier run"),
    cerna: Optional[Path] = typer.Option(None, help="a miRNA-mRNA model file: rank circRNA -> "
                                         "miRNA -> mRNA paths with --model as the circRNA-miRNA "
                                         "model (both fitted on the joint `cerna` graph)"),
    engine: str = typer.Option("local", help="local or ray (source blocks scored as Ray "
                               "tasks, their top pairs merged: the same ranking; see "
                               "docs/cluster.md)"),
    address: Optional[str] = typer.Option(None, help="with --engine ray: the Ray cluster, e.g. "
                                          "auto or ray://head:10001 (default: a local runtime)"),
) -> None:
    """Rank every unobserved pair (or those of the given RNAs) by the model's score.

    --top N writes the best N pairs over all candidates (default 100); --per-rna K writes the
    best K partners of each --rna, grouped by RNA in the order given (the two cannot be
    combined). With --fasta TYPE=FILE, RNAs the model was not fitted with join the candidates
    (and may be named with --rna), scored as the model scores new RNAs.

    With --cerna, rank circRNA-mRNA regulation instead: every circRNA-mRNA pair is scored by its
    sponge-to-target paths (sum over miRNAs of P(circRNA-miRNA) x P(miRNA-mRNA), known edges
    counted as 1) and the best --top pairs are written as a tab-separated table of their best
    paths with each edge's evidence (rnagraph.evaluate.rank_cerna).

    Pairs are scored in blocks keeping only the best (no dense matrix, no full sort); known
    pairs are skipped, and so are pairs the model cannot score (counted). Writes rank (within
    its RNA with --per-rna, after an rna column), the two ids, score (calibrated), raw_score,
    status (fitted, or how a new RNA was scored: sequence / neighbours) and, for sequence
    models, the strongest seed site and its position in the target; for attention models
    (GRMMI) also the top-attended target window (1-based, inclusive) and its weight. Beside
    it: NAME.config.json.

    Example: rnagraph rank --model cmi9589-svd.rg --rna hsa-miR-762 --rna hsa-miR-1207-5p
    --per-rna 20 --out top.csv
    """
    from rnagraph.cli.predict import load_model
    from rnagraph.evaluate.run_config import resolve_config, write_config
    from rnagraph.io.atomic import atomic_write
    v = replay(ctx, config, "rank", dict(model=str(model), rna=list(rna), top=top,
                                         per_rna=per_rna, fasta=list(fasta),
                                         evidence=evidence, out=str(out),
                                         cerna=None if cerna is None else str(cerna),
                                         engine=engine, address=address))
    from rnagraph.cli.cv import check_engine
    check_engine(str(v["engine"]), v["address"])
    if top is not None and per_rna is None:     # the command line wins over a replayed run
        v["per_rna"] = None
    elif per_rna is not None and top is None:
        v["top"] = None
    per = v.get("per_rna")
    if per is not None:
        if v.get("top") is not None:
            raise CLIError("--top and --per-rna cannot be combined: --top N writes the best N "
                           "pairs over all RNAs, --per-rna K the best K of each --rna")
        if int(per) < 1:
            raise CLIError(f"--per-rna {per}: must be >= 1")
        if not v["rna"]:
            raise CLIError("--per-rna needs the RNAs to rank: --rna ID (repeatable)")
        if v["engine"] != "local":
            raise CLIError("--per-rna ranks on this machine: drop --engine ray")
    elif v.get("top") is None:
        v["top"] = 100
    elif int(v["top"]) < 1:
        raise CLIError(f"--top {v['top']}: must be >= 1")
    if v.get("cerna"):
        for opt, bad in (("--per-rna", per is not None), ("--fasta", bool(v.get("fasta")))):
            if bad:
                raise CLIError(f"{opt} cannot be combined with --cerna")
        if v["engine"] != "local":
            raise CLIError("--cerna ranks on this machine: drop --engine ray")
    out_p = check_output(str(v["out"]), force)
    cfg_p = check_output(sidecar(out_p, ".config.json"), force)
    m = load_model(Path(v["model"]))
    if v.get("cerna"):
        _rank_cerna(m, load_model(Path(v["cerna"])), v, out_p, cfg_p)
        return
    et = m.edge_type_
    g = _scoring_graph(m, v.get("fasta") or [])
    graph = None if g is m.graph_ else g
    rnas = list(dict.fromkeys(v["rna"]))     # each RNA once, in the order given
    src, dst = resolve_rnas(g, et, rnas)
    _warn_unscorable(m, graph, src, dst)
    want = v["evidence"]
    if want is None:
        want = bool(getattr(m, "requires_sequences", False)) or _explains(m)
    if want and "mirna" not in (et[0], et[2]):
        raise CLIError(f"--evidence: the model predicts {et}, which has no miRNA side")
    if per is not None:
        groups = _rank_per_rna(m, graph, g, rnas, src, dst, int(per))
    else:
        groups = [(None, _rank_top(m, graph, g, src, dst, v))]
    import torch
    sid, did = g[et[0]].ids, g[et[2]].ids
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    ev_head = (["seed_site", "site_position"]
               + (["top_window", "window_attention"] if _explains(m) else [])) if want else []
    w.writerow((["rna"] if per is not None else [])
               + ["rank", f"{et[0]}_id", f"{et[2]}_id", "score", "raw_score", "status"]
               + ev_head)
    n_rows = 0
    for name, cand in groups:
        if not len(cand):
            continue
        ev = evidence_columns(m, et, cand.src, cand.dst, graph) if want else None
        status = m.scoring_status(graph, torch.stack([cand.src, cand.dst]))
        for j in range(len(cand)):
            a, b = int(cand.src[j]), int(cand.dst[j])
            w.writerow(([name] if per is not None else [])
                       + [j + 1, sid[a], did[b], f"{float(cand.score[j]):.6g}",
                          f"{float(cand.raw[j]):.6g}", status[j]] + (ev[1][j] if ev else []))
        n_rows += len(cand)
    cfg = resolve_config("rank", plain_args(v), seed=None, dataset_hash=None)
    atomic_write(out_p, buf.getvalue())
    write_config(cfg_p, cfg)
    n_scored = sum(c.num_scored for _, c in groups)
    n_unscored = sum(c.num_unscored for _, c in groups)
    skipped = f" ({n_unscored} could not be scored)" if n_unscored else ""
    if per is not None:
        print(f"scored {n_scored} unobserved pairs{skipped} of {len(groups)} "
              f"RNA{'s' * (len(groups) != 1)}; wrote the best {per} of each ({n_rows} rows) to "
              f"{out_p}")
    else:
        print(f"scored {n_scored} unobserved pairs{skipped}; wrote the best {n_rows} to {out_p}")


def _scoring_graph(model, fasta: list[str]):
    """The model's graph, with the new RNAs of ``--fasta TYPE=FILE`` appended."""
    if not fasta:
        return model.graph_
    from rnagraph.data.from_files import read_sequences
    specs = sequence_specs(fasta)
    src_t, _, dst_t = model.edge_type_
    if not isinstance(specs, dict):
        raise CLIError(f"--fasta {fasta[0]}: name the node type of each file ({src_t}=FILE or "
                       f"{dst_t}=FILE); rank has no pair file to match ids against")
    seqs = {}
    for nt, path in specs.items():
        if nt not in (src_t, dst_t):
            raise CLIError(f"--fasta {nt}={path}: the model scores {src_t}-{dst_t} pairs; give "
                           f"{src_t}=FILE or {dst_t}=FILE")
        seqs[nt] = read_sequences(path)   # validated: a malformed file is an error
    return model.extended_graph(seqs)


def _warn_unscorable(model, graph, src, dst) -> None:
    """A warning naming the first new RNA to rank that the model cannot score (its pairs are
    skipped), with why, and how many more there are."""
    if graph is None:
        return
    import warnings

    import torch
    src_t, _, dst_t = model.edge_type_
    fitted = model.graph_
    bad = []
    for nt, chosen, row in ((src_t, src, 0), (dst_t, dst, 1)):
        n_fit, n = int(fitted[nt].num_nodes), int(graph[nt].num_nodes)
        new = [i for i in range(n_fit, n) if (src is None and dst is None) or
               (chosen is not None and i in chosen)]
        if not new or not n_fit:
            continue
        # a fitted partner with a sequence where there is one: the pair's status is the new
        # RNA's own
        other = dst_t if row == 0 else src_t
        has = getattr(fitted[other], "has_seq", None)
        partner = int(has.nonzero()[0, 0]) if has is not None and bool(has.any()) else 0
        probe = torch.full((2, len(new)), partner, dtype=torch.long)
        probe[row] = torch.tensor(new)
        bad += [s for s in model.scoring_status(graph, probe) if s.startswith("not scored")]
    if bad:
        more = f" (and {len(bad) - 1} more new RNAs)" if len(bad) > 1 else ""
        warnings.warn(f"{bad[0]}{more}: their pairs are skipped", stacklevel=2)


def _rank_top(model, graph, g, src, dst, v: dict):
    """The best ``--top`` pairs over all candidates (or those of ``--rna``)."""
    import torch

    from rnagraph.evaluate.candidates import count_candidates, top_candidates
    et = model.edge_type_
    n_s, n_d = int(g[et[0]].num_nodes), int(g[et[2]].num_nodes)
    total = count_candidates(n_s, n_d, None if src is None else torch.tensor(src),
                             None if dst is None else torch.tensor(dst))
    with progress() as bar:
        task = bar.add_task(f"scoring {et[0]}–{et[2]} pairs", total=total)
        return top_candidates(model, int(v["top"]), src=src, dst=dst, graph=graph,
                              progress=lambda n: bar.advance(task, n),
                              engine=str(v["engine"]), address=v["address"])


def _rank_per_rna(model, graph, g, rnas: list[str], src, dst, k: int) -> list:
    """``(rna id, its best k partners)`` for each ``--rna``, in the order given."""
    from rnagraph.evaluate.candidates import top_per_rna
    et = model.edge_type_
    src, dst = src or [], dst or []
    n_s, n_d = int(g[et[0]].num_nodes), int(g[et[2]].num_nodes)
    with progress() as bar:
        task = bar.add_task(f"scoring {et[0]}–{et[2]} pairs",
                            total=len(src) * n_d + len(dst) * n_s)
        found = top_per_rna(model, k, src=src, dst=dst, graph=graph,
                            progress=lambda n: bar.advance(task, n))
    sid, did = g[et[0]].ids, g[et[2]].ids
    by_id = dict(zip([sid[i] for i in src] + [did[i] for i in dst], found))
    return [(r, by_id[r]) for r in rnas]


def _rank_cerna(circ, target, v: dict, out_p: Path, cfg_p: Path) -> None:
    """``rank --cerna``: circRNA -> miRNA -> mRNA paths through the two models."""
    from rnagraph.evaluate.cerna import rank_cerna
    from rnagraph.evaluate.run_config import resolve_config, write_config
    from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA
    if tuple(circ.edge_type_) != CIRC_MIRNA or tuple(target.edge_type_) != MIRNA_MRNA:
        raise CLIError(f"--model predicts {circ.edge_type_} and --cerna {target.edge_type_}; "
                       f"--cerna needs a {CIRC_MIRNA} model and a {MIRNA_MRNA} model")
    graph = circ.graph_
    missing = [nt for nt in ("circrna", "mirna", "mrna") if nt not in graph.node_types]
    if missing:
        raise CLIError(f"--model {v['model']}: its graph has no {', '.join(missing)} nodes; fit "
                       "both models on the joint graph (rnagraph train --dataset cerna)")
    if v["rna"]:
        raise CLIError("--rna cannot be combined with --cerna")
    ranking = rank_cerna(graph, circ, target, top_k=int(v["top"]))
    ranking.to_tsv(out_p)
    write_config(cfg_p, resolve_config("rank", plain_args(v), seed=None, dataset_hash=None))
    print(f"scored {ranking.num_pairs} circRNA-mRNA pairs; wrote the paths of the best "
          f"{len(ranking.pairs)} to {out_p}")
