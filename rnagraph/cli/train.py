"""``rnagraph train``: fit a model on every known pair and write one model file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from rnagraph.cli._common import (
    CLIError,
    check_output,
    check_replay_data,
    console,
    load_data,
    parse_float,
    plain_args,
    replay,
    sidecar,
)


def make_model(name: str, params: list[str], seed: int):
    """A registry model with ``--set key=value`` hyper-parameters (values read as JSON) and the
    run's seed wherever the model takes one."""
    from rnagraph.models import get_model
    try:
        model = get_model(name)
    except ValueError as exc:
        raise CLIError(f"{exc}; see `rnagraph models`") from None
    kw, raw = {}, {}
    for p in params:
        if "=" not in p:
            raise CLIError(f"--set {p!r}: write KEY=VALUE, e.g. --set dim=32")
        k, v = p.split("=", 1)
        raw[k] = v
        try:
            kw[k] = json.loads(v)
        except json.JSONDecodeError:
            kw[k] = v
    from rnagraph.models._file import expected_type, param_hint
    from rnagraph.models.params import param_owner, resolve_params, takes_param
    full: dict = {}
    for k, v in kw.items():
        try:
            names = resolve_params(model, {k: v})
        except ValueError as exc:
            raise CLIError(f"--set {k}: {exc}") from None
        for full_name in names:
            owner, leaf = param_owner(model, full_name)
            want = expected_type(param_hint(type(owner), leaf), v)
            if want:
                default = owner.get_params(deep=False)[leaf]
                raise CLIError(f"--set {k}={raw[k]}: {type(owner).__name__}.{leaf} takes "
                               f"{want} (default {default!r})")
        full.update(names)
    if not any(k == "seed" or k.endswith("__seed") for k in full) and takes_param(model,
                                                                                    "seed"):
        full.update(resolve_params(model, {"seed": seed}))
    try:
        model = get_model(name, **full)
    except (TypeError, ValueError) as exc:
        raise CLIError(f"--set: {exc}") from None
    return model


def check_contract(model, name: str) -> None:
    from rnagraph.models import LinkModel
    if not isinstance(model, LinkModel):
        raise CLIError(f"model {name!r} ({type(model).__name__}) does not follow the model "
                       "contract in this version (no model files): choose degree or svd")


def check_sequences(model, name: str, data, edge_type) -> None:
    """A model that needs sequences on both sides refuses data without them, in one line."""
    from rnagraph.models import needs_sequences
    if not (getattr(model, "requires_sequences", False) or needs_sequences(name)):
        return
    for nt in (edge_type[0], edge_type[2]):
        n = int(data[nt].has_seq.sum())
        if n == 0:
            raise CLIError(f"model {name!r} needs {nt} sequences and the data have none: attach "
                           f"them (--fasta {nt}=FILE) or choose a graph model (degree, svd, sage)")


def train(
    ctx: typer.Context,
    model: str = typer.Option("degree", help="model name (see `rnagraph models`)"),
    dataset: Optional[str] = typer.Option(None, help="dataset name (see `rnagraph datasets`) "
                                          "or 'synthetic'"),
    pairs: Optional[Path] = typer.Option(None, help="your pair file (CSV/TSV, .gz ok)"),
    fasta: list[str] = typer.Option([], help="sequence file (FASTA or id,sequence), "
                                    "repeatable; TYPE=FILE names its node type"),
    edge_type: Optional[str] = typer.Option(None, help="circ-mirna or mirna-mrna"),
    columns: str = typer.Option("1,2", help="the pair file's source and destination columns "
                                "(1-based), e.g. 2,1 when the miRNA comes first"),
    root: Optional[Path] = typer.Option(None, help="data root (default: $RNAGRAPH_DATA)"),
    val_ratio: float = typer.Option(0.1, help="share of known pairs held out for early "
                                    "stopping and calibration"),
    ratio: float = typer.Option(1.0, help="negatives per positive"),
    seed: int = typer.Option(0, help="seed of every random choice"),
    set_: list[str] = typer.Option([], "--set", help="model hyper-parameter KEY=VALUE, "
                                   "repeatable"),
    save: str = typer.Option(..., help="the model file to write (e.g. model.rg)"),
    force: bool = typer.Option(False, help="overwrite existing files"),
    config: Optional[Path] = typer.Option(None, help="replay a config.json of an earlier run"),
) -> None:
    """Fit a model on every known pair and write one model file.

    Validation pairs are carved from the known pairs for early stopping and calibration
    (rnagraph.data.Fold.full). Beside the model file it writes NAME.config.json (the resolved
    run) and NAME.val.json (validation metrics; `rnagraph report` reads them).

    Example: rnagraph train --model svd --dataset cmi-9589 --save cmi9589-svd.rg
    """
    from rnagraph.data import Fold
    from rnagraph.evaluate.run_config import graph_hash, resolve_config, write_config
    from rnagraph.io.atomic import atomic_write
    from rnagraph.train.metrics import binary_metrics

    v = replay(ctx, config, "train", dict(
        model=model, dataset=dataset, pairs=pairs, fasta=list(fasta), edge_type=edge_type,
        columns=columns, root=root, val_ratio=val_ratio, ratio=ratio, seed=seed, set=list(set_),
        save=str(save)))
    parse_float("val-ratio", float(v["val_ratio"]), 0.0, 0.9, lo_open=True)
    parse_float("ratio", float(v["ratio"]), 0.0, 1000.0, lo_open=True)
    out = check_output(str(v["save"]), force, "model file")
    outs = [out] + [check_output(p, force, "model file") for p in
                    (sidecar(out, ".config.json"), sidecar(out, ".val.json"))]
    m = make_model(v["model"], v["set"], int(v["seed"]))
    pairs_p = Path(v["pairs"]) if v["pairs"] else None
    data, et = load_data(v["dataset"], pairs_p, v["fasta"], v["edge_type"], v["columns"],
                         Path(v["root"]) if v["root"] else None, int(v["seed"]))
    h = graph_hash(data)
    check_replay_data(v, h)
    check_sequences(m, v["model"], data, et)
    check_contract(m, v["model"])
    fold = Fold.full(data, et, val_ratio=float(v["val_ratio"]), neg_ratio=float(v["ratio"]),
                     seed=int(v["seed"]))
    # a line, not a spinner: a live spinner swallows the per-epoch bar of the fit (stderr)
    console.print(f"fitting {type(m).__name__} on {len(fold.train)} pairs "
                  f"({len(fold.val)} validation)", highlight=False)
    m.fit(fold)
    val = fold.val
    s = m.score(None, val.edge_label_index)
    metrics = binary_metrics(val.edge_label.numpy(), s.numpy(), 0.5)
    cfg = resolve_config("train", plain_args(v), seed=int(v["seed"]), dataset_hash=h)
    src_ids, dst_ids = data[et[0]].ids, data[et[2]].ids
    ei = val.edge_label_index
    record = {"model": repr(m), "edge_type": list(et), "metrics": metrics,
              "src_id": [src_ids[i] for i in ei[0].tolist()],
              "dst_id": [dst_ids[i] for i in ei[1].tolist()],
              "label": val.edge_label.int().tolist(), "score": s.tolist()}
    m.save(outs[0])
    write_config(outs[1], cfg)
    atomic_write(outs[2], json.dumps(record, indent=1) + "\n")
    console.print(f"{type(m).__name__} on {len(fold.train.pos_index[0])} + "
                  f"{len(fold.val.pos_index[0])} known {et[0]}–{et[2]} pairs: validation "
                  f"AUC {metrics['auc']:.4f}, AUPR {metrics['aupr']:.4f}", highlight=False,
                  soft_wrap=True)
    print(f"wrote {outs[0]}, {outs[1].name}, {outs[2].name}")
