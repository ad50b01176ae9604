"""``rnagraph predict``: score given pairs with a saved model."""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Optional

import typer

from rnagraph.cli._common import (
    CLIError,
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
    fasta: list[str] = typer.Option([], help="sequences of RNAs the model was not fitted with "
                                    "(FASTA or id,sequence; TYPE=FILE, or FILE matched to a "
                                    "pair column by its ids), repeatable"),
    columns: str = typer.Option("1,2", help="the pair file's source and destination columns "
                                "(1-based) in the model's edge type order"),
    out: str = typer.Option(..., help="the CSV to write"),
    force: bool = typer.Option(False, help="overwrite existing files"),
    config: Optional[Path] = typer.Option(None, help="replay a config.json of an earlier run"),
) -> None:
    """Score the pairs of a file with a saved model: one output row per input row, in order.

    Writes src_id, dst_id, score (calibrated probability), raw_score and status: how the pair
    was scored ('fitted': both RNAs were in the training data; 'sequence': a new RNA scored
    from its sequence; 'neighbours': a new RNA scored through its most sequence-similar known
    RNAs), 'known pair' (a known interaction of the model: its training or validation
    positives; still scored), or 'not scored: <why>' (say a new RNA without a sequence: give
    it with --fasta TYPE=FILE). Beside it: NAME.config.json.

    Example: rnagraph predict --model cmi9589-svd.rg --pairs candidates.csv --fasta
    circrna=new_circ.fa --out scores.csv
    """
    from rnagraph.evaluate.candidates import KNOWN_PAIR, score_id_pairs
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
    cols = parse_columns(v["columns"])
    # every row is a candidate (a label column, say of an evaluation set, is not read here),
    # repeated rows too: the output has one row per input row
    plist = read_pairs(v["pairs"], columns=cols, label_col=None, keep_duplicates=True)
    seqs = _sequences(v["fasta"], plist, et, Path(v["pairs"]))
    g = m.graph_
    _check_fitted_sequences(g, seqs)
    smap, dmap = set(g[src_t].ids), set(g[dst_t].ids)
    srcs, dsts = {a for a, _ in plist}, {b for _, b in plist}
    if (srcs and dsts and not srcs & smap and not dsts & dmap
            and srcs & dmap and dsts & smap):
        raise InputError(f"the pair columns look swapped: column 1 holds {dst_t} ids and column "
                         f"2 {src_t} ids of the model ({src_t} -> {dst_t}); pass --columns 2,1",
                         v["pairs"])
    swapped = [a not in smap and b not in dmap and a in dmap and b in smap for a, b in plist]
    todo = [p for p, sw in zip(plist, swapped) if not sw]
    with console.status(f"scoring {len(todo)} pairs"):
        raw_t, prob_t, st_t = score_id_pairs(m, todo, seqs)
    raw, prob, status = [], [], []
    it = iter(range(len(todo)))
    for (a, b), sw in zip(plist, swapped):
        if sw:
            raw.append(math.nan)
            prob.append(math.nan)
            status.append(f"not scored: swapped: {a!r} is a {dst_t} and {b!r} a {src_t} of the "
                          f"model ({src_t} -> {dst_t}); put the {src_t} first or pass "
                          f"--columns {cols[1] + 1},{cols[0] + 1}")
            continue
        j = next(it)
        raw.append(float(raw_t[j]))
        prob.append(float(prob_t[j]))
        status.append(_hint(st_t[j]))
    scored = [not s.startswith("not scored") for s in status]
    broken = sum(sc and not (math.isfinite(p) and math.isfinite(r))
                 for sc, p, r in zip(scored, prob, raw))
    if broken:
        raise InputError(f"the model gives no finite score for {broken} of {len(plist)} pairs "
                         "(NaN or infinite: the model file is damaged); refit it with "
                         "`rnagraph train`", v["model"])
    n_ok = sum(scored)
    if not n_ok:
        first = next(s for s in status if s.startswith("not scored"))
        raise InputError(f"none of the {len(plist)} pairs can be scored: "
                         f"{first.removeprefix('not scored: ')}", v["pairs"])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([f"{src_t}_id", f"{dst_t}_id", "score", "raw_score", "status"])
    for (a, b), sc, p, r, st in zip(plist, scored, prob, raw, status):
        w.writerow([a, b, f"{p:.6g}" if sc else "", f"{r:.6g}" if sc else "", st])
    cfg = resolve_config("predict", plain_args(v), seed=None, dataset_hash=None)
    atomic_write(out_p, buf.getvalue())
    write_config(cfg_p, cfg)
    n_bad = len(plist) - n_ok
    if n_bad:
        first = next(s for s in status if s.startswith("not scored"))
        console.print(f"warning: {n_bad} of {len(plist)} pairs cannot be scored (status column "
                      f"in {out_p}), e.g. {first}", markup=False, highlight=False, soft_wrap=True)
    n_known = status.count(KNOWN_PAIR)
    n_new = sum(s in ("sequence", "neighbours") for s in status)
    new = f" and {n_new} of new RNAs (status 'sequence' or 'neighbours')" if n_new else ""
    known = f"{n_known} of them" if n_known else "none of them"
    print(f"scored {n_ok} of {len(plist)} pairs, {known} known pairs (status 'known pair')"
          f"{new}; wrote {out_p}")


def _hint(status: str) -> str:
    """A status with the fix where the user can give one: a new RNA without a sequence."""
    if status.endswith("is not in the model and has no sequence"):
        nt = status.removeprefix("not scored: ").split(" ", 1)[0]
        return f"{status} (give it with --fasta {nt}=FILE)"
    return status


def _check_fitted_sequences(graph, seqs: dict[str, dict[str, str]]) -> None:
    """Warn when ``--fasta`` gives an RNA the model was fitted with another sequence than the
    fitted one (the fitted one is used: the model's scores of it are what was fitted)."""
    import warnings
    for nt, given in seqs.items():
        fitted = dict(zip(graph[nt].ids, graph[nt].seq)) if "seq" in graph[nt] else {}
        diff = [i for i, q in given.items() if i in fitted and fitted[i] and fitted[i] != q]
        if diff:
            warnings.warn(f"--fasta: {len(diff)} {nt} RNA(s) the model was fitted with have "
                          f"another sequence there (e.g. {diff[0]!r}); the model's own is used",
                          stacklevel=2)


def _sequences(fasta: list[str], plist: list[tuple[str, str]], edge_type,
               pairs: Path) -> dict[str, dict[str, str]]:
    """The sequences of ``--fasta`` by node type of the model's edge type: ``TYPE=FILE``, or a
    plain FILE matched to the pair column that holds its ids."""
    from rnagraph.data.from_files import _side_of, read_sequences
    src_t, _, dst_t = edge_type
    specs = sequence_specs(fasta)
    out: dict[str, dict[str, str]] = {}
    if isinstance(specs, dict):
        for nt, path in specs.items():
            if nt not in (src_t, dst_t):
                raise CLIError(f"--fasta {nt}={path}: the model scores {src_t}-{dst_t} pairs; "
                               f"give {src_t}=FILE or {dst_t}=FILE")
            out.setdefault(nt, {}).update(read_sequences(path))
        return out
    src_ids, dst_ids = {a for a, _ in plist}, {b for _, b in plist}
    for path in specs:
        seqs = read_sequences(path)   # validated: a malformed FASTA is an error
        side = _side_of(Path(path), set(seqs), src_ids, dst_ids, edge_type, pairs)
        out.setdefault((src_t, dst_t)[side], {}).update(seqs)
    return out
