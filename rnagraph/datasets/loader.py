"""``load(name)``: one entry point for every graph dataset."""
from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping

from torch_geometric.data import HeteroData

from rnagraph.data import add_reverse_edges
from rnagraph.datasets._build import build_dataset
from rnagraph.datasets.attach import SequenceSource, attach_sequences
from rnagraph.datasets.in_memory import RNAGraphDataset
from rnagraph.datasets.registry import get_info
from rnagraph.typing import NodeType

log = logging.getLogger("rnagraph.datasets")


def load(name: str, root: str | os.PathLike | None = None,
         sequences: Mapping[NodeType, SequenceSource] | None = None,
         cache_dir: str | os.PathLike | None = None, *, use_cache: bool = True,
         force_reload: bool = False, verbose: bool = False,
         add_reverse: bool = False) -> HeteroData:
    """Load a public RNA interaction graph by name.

    Names: ``cmi-9905``, ``cmi-9589``, ``cmi-20208``, ``cmi-9589-gcncmi`` (circRNA-miRNA, edge
    type ``("circrna", "binds", "mirna")``) and ``mtis-9214`` (miRNA-gene, ``("mirna",
    "targets", "mrna")``); see :func:`~rnagraph.datasets.available` and ``docs/datasets.md``.
    Site-level sets (miTAR) are not graphs: use :func:`~rnagraph.datasets.load_site_pairs`.

    Every node store has ``ids``, ``seq`` (``None`` where no sequence is known), ``has_seq``,
    ``seq_source`` and ``num_nodes``; nodes without a sequence are kept. ``ids``, ``seq`` and
    ``seq_source`` are :class:`~rnagraph.data.NodeColumn` columns: sequences to Python,
    node-level attributes to PyG (``subgraph`` and loaders keep the selected nodes' values).

    Each interaction is stored once, in its canonical direction, so the standard PyG flow
    ``T.Compose([T.ToUndirected(), T.RandomLinkSplit(..., rev_edge_types=...)])`` adds exactly
    one reverse type (``rev_<rel>``) and splits it with the forward type. ``add_reverse=True``
    adds that reverse type now instead; then do not apply ``ToUndirected`` as well (it would add
    ``rev_rev_<rel>``, a copy of every edge that ``RandomLinkSplit`` does not split).

    ``mtis-9214``'s miRNAs get sequences by name (coverage in ``data["mirna"].seq_report``).

    Args:
        name (str): the dataset.
        root (str, optional): the data root; else ``$RNAGRAPH_DATA``.
        sequences (dict, optional): ``{node_type: FASTA path or {id: seq}}`` to attach, e.g.
            ``{"circrna": "circbase.fa"}`` (see :func:`~rnagraph.datasets.attach_sequences`).
        cache_dir (str, optional): where the processed graph is cached; else ``$RNAGRAPH_CACHE``,
            else ``~/.cache/rnagraph``. Nothing is ever written into the data root.
        use_cache (bool): read / write the processed cache; ``False`` parses the raw files.
            An unwritable cache falls back to parsing with a warning; an unreadable (corrupt)
            one is rebuilt with a warning. (default: ``True``)
        force_reload (bool): re-process even if a cache exists. (default: ``False``)
        verbose (bool): print the per-node-type sequence coverage. (default: ``False``)
        add_reverse (bool): add the reverse edge types (``(dst, "rev_<rel>", src)``, as
            ``ToUndirected`` names them). (default: ``False``)

    Raises:
        FileNotFoundError: no data root, or a missing dataset folder / file (named).
        KeyError: unknown name. ValueError: a site-pair or sequence dataset name.
    """
    info = get_info(name, kind="graph")
    data = None
    if use_cache:
        try:
            data = RNAGraphDataset(info.name, root, cache_dir, force_reload=force_reload)[0]
        except (PermissionError, OSError) as e:
            if isinstance(e, FileNotFoundError):
                raise
            warnings.warn(f"load({info.name!r}): cache not usable ({e}); parsing the raw files",
                          stacklevel=2)
        except Exception as e:  # a corrupt processed file: rebuild it, do not fail
            warnings.warn(f"load({info.name!r}): the processed cache is unreadable "
                          f"({type(e).__name__}); rebuilding it from the raw files", stacklevel=2)
            data = RNAGraphDataset(info.name, root, cache_dir, force_reload=True)[0]
    if data is None:
        data = build_dataset(info.name, root)
    if sequences:
        data = attach_sequences(data, sequences)
    if add_reverse:
        data = add_reverse_edges(data)
    for nt in data.node_types:
        store = data[nt]
        msg = f"{info.name}: {int(store.has_seq.sum())} of {store.num_nodes} {nt} have a sequence"
        log.info(msg)
        if verbose:
            print(msg)
    return data
