import copy
import io
import pickle

import numpy as np
import pytest
import torch
import torch_geometric.transforms as T
from torch_geometric.data import HeteroData

from rnagraph.data import NodeColumn, as_column, build_graph
from rnagraph.data.serialize import graph_from_state, graph_to_state

SIDE = ("ids", "seq")


def test_reads_like_a_tuple_and_indexes_with_tensors():
    col = NodeColumn(["a", None, "c"])
    assert len(col) == 3 and col[0] == "a" and col[1] is None and col[-1] == "c"
    assert list(col) == ["a", None, "c"] and col[1:] == [None, "c"]
    assert col[torch.tensor([2, 0])] == ["c", "a"] and col[np.array([1])] == [None]
    assert col[torch.tensor([True, False, True])] == ["a", "c"]
    assert col[torch.tensor(2)] == "c" and col[[2, 2]] == ["c", "c"]
    assert col.index("c") == 2 and "a" in col and "b" not in col and col.count(None) == 1
    assert col == ["a", None, "c"] and col == ("a", None, "c") and col != ["a"]
    assert as_column(col) is col and as_column(["x"]) == ["x"]
    assert repr(col) == "NodeColumn([3])" and str(col) == "NodeColumn([3])"
    assert col.tolist() == ["a", None, "c"] and list(reversed(col)) == ["c", None, "a"]
    assert np.asarray(col).tolist() == ["a", None, "c"]        # values, not positions
    assert bool(col) and not NodeColumn([])
    with pytest.raises(IndexError):
        col[torch.zeros(2, 2, dtype=torch.long)]
    with pytest.raises(IndexError, match="boolean mask"):
        col[torch.tensor([True, False])]


def test_selections_are_columns_of_the_selected_rows():
    col = NodeColumn(["a", "b", "c", "d"])
    sub = col[torch.tensor([3, 1])]
    assert isinstance(sub, NodeColumn) and sub == ["d", "b"] and sub[0] == "d"
    assert sub[torch.tensor([1])] == ["b"]                 # a selection of a selection
    assert torch.index_select(col, 0, torch.tensor([2, 0])) == ["c", "a"]
    assert isinstance(col[1:3], NodeColumn) and col[1:3] == ["b", "c"]
    both = torch.cat([col[torch.tensor([0])], NodeColumn(["x"])])
    assert isinstance(both, NodeColumn) and both == ["a", "x"]
    # device and dtype operations keep every row and every value
    for op in (lambda c: c.to("cpu"), lambda c: c.cpu(), lambda c: c.clone(),
               lambda c: c.contiguous(), lambda c: c.float(), lambda c: c.to(torch.half),
               copy.deepcopy, copy.copy):
        out = op(sub)
        assert isinstance(out, NodeColumn) and out == ["d", "b"]
    back = pickle.loads(pickle.dumps(sub))
    assert isinstance(back, NodeColumn) and back == ["d", "b"]


def _small_graph() -> HeteroData:
    return build_graph({"mirna": {"m1": "ACGU", "m2": None, "m3": "GGCA"}},
                       {("circrna", "binds", "mirna"): [("c1", "m1"), ("c1", "m2"), ("c2", "m3")]})


def test_pyg_treats_it_as_a_node_attribute():
    g = _small_graph()
    assert g["mirna"].is_node_attr("ids") and g["mirna"].is_node_attr("seq")
    assert "ids=[3]" in repr(g)


def test_survives_torch_load_weights_only_and_model_file_state():
    g = _small_graph()
    buf = io.BytesIO()
    torch.save(g.to_dict(), buf)
    buf.seek(0)
    back = torch.load(buf, weights_only=True)      # as InMemoryDataset's cache is read
    assert isinstance(back["mirna"]["seq"], NodeColumn)
    assert back["mirna"]["seq"] == ["ACGU", None, "GGCA"]
    tensors, meta = graph_to_state(g)
    assert meta["nodes"]["mirna"]["lists"]["ids"] == ["m1", "m2", "m3"]   # JSON-ready lists
    assert not any(k.endswith(("/ids", "/seq")) for k in tensors)
    g2 = graph_from_state(tensors, meta)
    assert isinstance(g2["mirna"].ids, NodeColumn) and g2["mirna"].ids == g["mirna"].ids
    # a subgraph stores its own rows only
    sub = g.subgraph({"mirna": torch.tensor([2, 0])})
    buf = io.BytesIO()
    torch.save(sub.to_dict(), buf)
    buf.seek(0)
    assert torch.load(buf, weights_only=True)["mirna"]["ids"] == ["m3", "m1"]


# ---------------------------------------------------------------- every HeteroData operation
def _check_side_tables(out: HeteroData, ref: HeteroData, index: dict) -> None:
    """``out``'s ids / seq are NodeColumns holding ``ref``'s values at ``index[node type]``
    (every node where a type is not in ``index``)."""
    for nt in ref.node_types:
        keep = index.get(nt)
        for key in SIDE:
            if key not in ref[nt]:
                continue
            col = out[nt][key]
            want = list(ref[nt][key]) if keep is None else \
                [ref[nt][key][int(i)] for i in keep]
            assert isinstance(col, NodeColumn), (nt, key, type(col))
            assert len(col) == out[nt].num_nodes and col == want, (nt, key)


def _ops(n_mirna: int):
    idx = torch.tensor([7, 0, 3, 9, 2]) if n_mirna > 9 else torch.tensor([2, 0])
    mask = torch.zeros(n_mirna, dtype=torch.bool)
    mask[1::2] = True
    sel = {"mirna": idx}
    return [
        ("subgraph-index", lambda g: g.subgraph(sel), sel),
        ("subgraph-mask", lambda g: g.subgraph({"mirna": mask}),
         {"mirna": mask.nonzero().view(-1)}),
        ("to-cpu", lambda g: g.to("cpu"), {}),
        ("cpu", lambda g: g.cpu(), {}),
        ("contiguous", lambda g: g.contiguous(), {}),
        ("clone", lambda g: g.clone(), {}),
        ("ToDevice", lambda g: T.ToDevice("cpu")(g), {}),
        ("apply-half", lambda g: g.apply(lambda x: x.half(), *SIDE), {}),   # a dtype cast
        ("to-then-subgraph", lambda g: g.to("cpu").clone().subgraph(sel), sel),
        ("subgraph-of-subgraph",
         lambda g: g.subgraph(sel).subgraph({"mirna": torch.tensor([1, 0])}),
         {"mirna": idx[[1, 0]]}),
        ("ToUndirected", lambda g: T.ToUndirected()(g), {}),
        ("deepcopy", copy.deepcopy, {}),
    ]


def _run_ops(g: HeteroData) -> None:
    n = g["mirna"].num_nodes
    for name, op, index in _ops(n):
        ref = copy.copy(g)
        out = op(g)
        try:
            _check_side_tables(out, ref, index)
        except AssertionError as e:       # name the operation that broke it
            raise AssertionError(f"{name}: {e}") from e
    assert g["mirna"].ids == ref["mirna"].ids      # the input was not changed


def test_side_tables_survive_every_pyg_operation_on_synthetic():
    from rnagraph.datasets import synthetic
    _run_ops(synthetic(seed=0))


def test_subgraph_keeps_exactly_the_selected_ids_in_order():
    from rnagraph.datasets import synthetic
    g = synthetic(seed=0)
    sub = g.to("cpu").subgraph({"mirna": torch.tensor([5, 1, 4])})
    assert sub["mirna"].ids == [g["mirna"].ids[5], g["mirna"].ids[1], g["mirna"].ids[4]]
    assert sub["mirna"].seq == [g["mirna"].seq[i] for i in (5, 1, 4)]
    assert len(sub["mrna"].ids) == g["mrna"].num_nodes            # other types untouched


def test_loader_filtering_keeps_the_sampled_nodes_ids():
    # what NeighborLoader / LinkNeighborLoader do to each node store of a sampled batch
    from torch_geometric.loader.utils import filter_node_store_

    from rnagraph.datasets import synthetic
    g = synthetic(seed=0)
    out = HeteroData()
    index = torch.tensor([4, 0, 2])
    filter_node_store_(g["mirna"], out["mirna"], index)
    assert isinstance(out["mirna"].ids, NodeColumn)
    assert out["mirna"].ids == [g["mirna"].ids[i] for i in (4, 0, 2)]
    assert out["mirna"].seq == [g["mirna"].seq[i] for i in (4, 0, 2)]


def _has_sampler() -> bool:
    import importlib.util
    return any(importlib.util.find_spec(m) for m in ("pyg_lib", "torch_sparse"))


@pytest.mark.skipif(not _has_sampler(), reason="PyG's neighbour sampling needs pyg-lib or "
                    "torch-sparse, not installed")
def test_loader_batches_carry_their_own_nodes_ids():
    from torch_geometric.loader import LinkNeighborLoader

    from rnagraph.datasets import synthetic
    from rnagraph.typing import CIRC_MIRNA
    g = T.ToUndirected()(synthetic(seed=0))
    loader = LinkNeighborLoader(g, num_neighbors=[4], edge_label_index=(
        CIRC_MIRNA, g[CIRC_MIRNA].edge_index[:, :16]), batch_size=8, shuffle=False)
    batch = next(iter(loader))
    for nt in ("circrna", "mirna"):
        ids = batch[nt].ids
        assert isinstance(ids, NodeColumn) and len(ids) == batch[nt].num_nodes
        assert ids == [g[nt].ids[int(i)] for i in batch[nt].n_id]


def test_to_homogeneous_concatenates_the_columns():
    from rnagraph.datasets import synthetic
    g = synthetic(seed=0)
    h = g.to_homogeneous()
    want = [v for nt in g.node_types for v in g[nt].ids]
    assert isinstance(h.ids, NodeColumn) and h.ids == want


@pytest.mark.realdata
def test_side_tables_survive_every_pyg_operation_on_cmi_9589(real_root):
    from rnagraph.datasets import load
    g = load("cmi-9589", root=real_root)
    sub = g.subgraph({"mirna": torch.arange(10)})
    # the example: 10 ids for 10 nodes, the first ten in order
    assert len(sub["mirna"].ids) == 10 and sub["mirna"].ids == list(g["mirna"].ids)[:10]
    assert sub["mirna"].seq == list(g["mirna"].seq)[:10]
    _run_ops(g)


def test_is_immutable():
    col = NodeColumn(["a", "b"])
    with pytest.raises(TypeError, match="immutable"):
        col[0] = "z"
    assert col == ["a", "b"]
