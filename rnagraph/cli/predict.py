"""``rnagraph predict``: score given pairs with a saved model."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Optional

import typer

from rnagraph.cli._common import (
    check_output,
    console,
    parse_columns,
    plain_args,
    replay,
    sequence_specs,
    sidecar,
)


def load_model(path: Path):
    """The model of a model file, tried on two pairs first (the first and the last nodes): a
    file whose parts load but do not work together (edited tensors) is named as damaged here,
    not half-way through a command."""
    import torch

    from rnagraph.models import load
    from rnagraph.models._file import ModelFileError
    m = load(path)
    try:
        et = m.edge_type_
        last = [int(m.graph_[et[0]].num_nodes) - 1, int(m.graph_[et[2]].num_nodes) - 1]
        raw = m.decision_function(None, torch.tensor([[0, last[0]], [0, last[1]]]))
        ok = bool(torch.isfinite(torch.as_tensor(m.probability(raw), dtype=torch.float64)).all())
    except Exception as exc:  # any failure of the model's own parts: the file is damaged
        msg = " ".join(str(exc).split())[:200]
        raise ModelFileError(f"{path}: damaged or edited model file (scoring a pair failed: "
                             f"{type(exc).__name__}: {msg}); refit the model with `rnagraph "
                             "train`") from None
    if not ok:
        raise ModelFileError(f"{path}: damaged or edited model file (it scores a pair as NaN or "
                             "infinite); refit the model with `rnagraph train`")
    return m


def predict(
    ctx: typer.Context,
    model: Path = typer.Option(..., help="a model file written by `rnagraph train`"),
    pairs: Path = typer.Option(..., help="pairs to score (CSV/TSV, .gz ok)"),
    fasta: list[str] = typer.Option([], help="sequences of the pairs' RNAs (FASTA or "
                                    "id,sequence; TYPE=FILE), repeatable"),
    columns: str = typer.Option("1,2", help="the pair file's source and destination columns "
                                "(1-based) in the model's edge type order"),
    out: str = typer.Option(..., help="the CSV to write"),
    force: bool = typer.Option(False, help="overwrite existing files"),
    config: Optional[Path] = typer.Option(None, help="replay a config.json of an earlier run"),
) -> None:
    """Score the pairs of a file with a saved model.

    Writes src_id, dst_id, score (calibrated probability), raw_score and status: 'ok', or why
    the pair cannot be scored (an id the model's graph does not hold: these models score only
    the RNAs they were fitted with). Beside it: NAME.config.json.

    Example: rnagraph predict --model cmi9589-svd.rg --pairs candidates.csv --out scores.csv
    """
    from rnagraph.data.from_files import read_sequences
    from rnagraph.evaluate.run_config import resolve_config, write_config
    from rnagraph.io import InputError, read_pairs
    from rnagraph.io.atomic import atomic_write

    v = replay(ctx, config, "predict", dict(model=str(model), pairs=str(pairs),
                                            fasta=list(fasta), columns=columns, out=str(out)))
    out_p = check_output(str(v["out"]), force)
    cfg_p = check_output(sidecar(out_p, ".config.json"), force)
    m = load_model(Path(v["model"]))
    et = m.edge_type_
    src_t, dst_t = et[0], et[2]
    # every row is a candidate: a label column (say of an evaluation set) is not read here
    plist = read_pairs(v["pairs"], columns=parse_columns(v["columns"]), label_col=None)
    specs = sequence_specs(v["fasta"])
    given: set[str] = set()
    for spec in (specs.values() if isinstance(specs, dict) else specs):
        given |= set(read_sequences(spec))  # validated: a malformed FASTA is an error
    g = m.graph_
    smap = {s: i for i, s in enumerate(g[src_t].ids)}
    dmap = {s: i for i, s in enumerate(g[dst_t].ids)}
    srcs, dsts = {a for a, _ in plist}, {b for _, b in plist}
    if (srcs and dsts and not any(a in smap for a in srcs) and not any(b in dmap for b in dsts)
            and any(a in dmap for a in srcs) and any(b in smap for b in dsts)):
        raise InputError(f"the pair columns look swapped: column 1 holds {dst_t} ids and column "
                         f"2 {src_t} ids of the model ({src_t} -> {dst_t}); pass --columns 2,1",
                         v["pairs"])
    ok_idx, status = [], []
    for a, b in plist:
        why = []
        if a not in smap and b not in dmap and a in dmap and b in smap:
            why.append(f"swapped: {a!r} is a {dst_t} and {b!r} a {src_t} of the model "
                       f"({src_t} -> {dst_t}); put the {src_t} first or pass --columns "
                       f"{parse_columns(v['columns'])[1] + 1},"
                       f"{parse_columns(v['columns'])[0] + 1}")
        for rid, mp, nt in ((a, smap, src_t), (b, dmap, dst_t)):
            if rid not in mp and not why:
                seen = "its sequence is given but " if rid in given else ""
                why.append(f"{nt} {rid!r} not in the model ({seen}this model scores only the "
                           "RNAs it was fitted with)")
        status.append("; ".join(why) if why else "ok")
        if not why:
            ok_idx.append((smap[a], dmap[b]))
    n_bad = sum(s != "ok" for s in status)
    if not ok_idx:
        first = next(s for s in status if s != "ok")
        raise InputError(f"none of the {len(plist)} pairs can be scored: {first}", v["pairs"])
    import torch
    idx = torch.tensor(ok_idx, dtype=torch.long).t()
    with console.status(f"scoring {idx.size(1)} pairs"):
        raw = m.decision_function(None, idx)
        prob = m.probability(raw)
    bad = ~torch.isfinite(torch.as_tensor(prob, dtype=torch.float64))
    if bool(bad.any()):
        raise InputError(f"the model gives no finite score for {int(bad.sum())} of "
                         f"{idx.size(1)} pairs (NaN or infinite: the model file is damaged); "
                         "refit it with `rnagraph train`", v["model"])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([f"{src_t}_id", f"{dst_t}_id", "score", "raw_score", "status"])
    j = 0
    for (a, b), st in zip(plist, status):
        if st == "ok":
            w.writerow([a, b, f"{float(prob[j]):.6g}", f"{float(raw[j]):.6g}", st])
            j += 1
        else:
            w.writerow([a, b, "", "", st])
    cfg = resolve_config("predict", plain_args(v), seed=None, dataset_hash=None)
    atomic_write(out_p, buf.getvalue())
    write_config(cfg_p, cfg)
    if n_bad:
        first = next(s for s in status if s != "ok")
        console.print(f"warning: {n_bad} of {len(plist)} pairs cannot be scored (status column "
                      f"in {out_p}), e.g. {first}", markup=False, highlight=False, soft_wrap=True)
    print(f"scored {len(ok_idx)} of {len(plist)} pairs; wrote {out_p}")
