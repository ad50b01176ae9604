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
                       f"{len(dpos)} {dst_t}); ids are case-sensitive")
    return src or None, dst or None


def evidence_columns(model, edge_type, src, dst) -> tuple[list[str], list[list[str]]] | None:
    """Seed-site evidence of each ranked pair (site type, position in the target) when the
    edge type has a miRNA side and the model's graph holds sequences."""
    from rnagraph.evaluate.evidence import seed_evidence
    src_t, _, dst_t = edge_type
    if "mirna" not in (src_t, dst_t):
        return None
    g = model.graph_
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
        windows = model.explain(None, torch.stack([src, dst]), top=1)
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
    top: int = typer.Option(100, help="how many pairs to write (the best first)"),
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

    With --cerna, rank circRNA-mRNA regulation instead: every circRNA-mRNA pair is scored by its
    sponge-to-target paths (sum over miRNAs of P(circRNA-miRNA) x P(miRNA-mRNA), known edges
    counted as 1) and the best --top pairs are written as a tab-separated table of their best
    paths with each edge's evidence (rnagraph.evaluate.rank_cerna).

    Pairs are scored in blocks keeping only the best --top (no dense matrix, no full sort);
    known pairs are skipped. Writes rank, the two ids, score (calibrated), raw_score and, for
    sequence models, the strongest seed site and its position in the target; for attention
    models (GRMMI) also the top-attended target window (1-based, inclusive) and its weight.
    Beside it: NAME.config.json.

    Example: rnagraph rank --model cmi9589-svd.rg --rna hsa-miR-762 --top 20 --out top.csv
    """
    from rnagraph.cli.predict import load_model
    from rnagraph.evaluate.candidates import count_candidates, top_candidates
    from rnagraph.evaluate.run_config import resolve_config, write_config
    from rnagraph.io.atomic import atomic_write
    v = replay(ctx, config, "rank", dict(model=str(model), rna=list(rna), top=top,
                                         evidence=evidence, out=str(out),
                                         cerna=None if cerna is None else str(cerna),
                                         engine=engine, address=address))
    from rnagraph.cli.cv import check_engine
    check_engine(str(v["engine"]), v["address"])
    if v.get("cerna") and v["engine"] != "local":
        raise CLIError("--cerna ranks on this machine: drop --engine ray")
    if int(v["top"]) < 1:
        raise CLIError(f"--top {v['top']}: must be >= 1")
    out_p = check_output(str(v["out"]), force)
    cfg_p = check_output(sidecar(out_p, ".config.json"), force)
    m = load_model(Path(v["model"]))
    if v.get("cerna"):
        _rank_cerna(m, load_model(Path(v["cerna"])), v, out_p, cfg_p)
        return
    et = m.edge_type_
    src, dst = resolve_rnas(m.graph_, et, v["rna"])
    import torch
    n_s, n_d = int(m.graph_[et[0]].num_nodes), int(m.graph_[et[2]].num_nodes)
    total = count_candidates(n_s, n_d, None if src is None else torch.tensor(src),
                             None if dst is None else torch.tensor(dst))
    with progress() as bar:
        task = bar.add_task(f"scoring {et[0]}–{et[2]} pairs", total=total)
        cand = top_candidates(m, int(v["top"]), src=src, dst=dst,
                              progress=lambda n: bar.advance(task, n),
                              engine=str(v["engine"]), address=v["address"])
    want = v["evidence"]
    if want is None:
        want = bool(getattr(m, "requires_sequences", False)) or _explains(m)
    ev = evidence_columns(m, et, cand.src, cand.dst) if want else None
    if want and ev is None:
        raise CLIError(f"--evidence: the model predicts {et}, which has no miRNA side")
    sid, did = m.graph_[et[0]].ids, m.graph_[et[2]].ids
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["rank", f"{et[0]}_id", f"{et[2]}_id", "score", "raw_score"]
               + (ev[0] if ev else []))
    for i in range(len(cand)):
        a, b = int(cand.src[i]), int(cand.dst[i])
        w.writerow([i + 1, sid[a], did[b], f"{float(cand.score[i]):.6g}",
                    f"{float(cand.raw[i]):.6g}"] + (ev[1][i] if ev else []))
    cfg = resolve_config("rank", plain_args(v), seed=None, dataset_hash=None)
    atomic_write(out_p, buf.getvalue())
    write_config(cfg_p, cfg)
    print(f"scored {cand.num_scored} unobserved pairs; wrote the best {len(cand)} to {out_p}")


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
