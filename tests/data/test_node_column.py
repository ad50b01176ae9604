import io

import numpy as np
import pytest
import torch

from rnagraph.data import NodeColumn, as_column, build_graph
from rnagraph.data.serialize import graph_from_state, graph_to_state


def test_reads_like_a_tuple_and_indexes_with_tensors():
    col = NodeColumn(["a", None, "c"])
    assert len(col) == 3 and col[0] == "a" and col[1] is None and col[-1] == "c"
    assert list(col) == ["a", None, "c"] and col[1:] == [None, "c"]
    assert col[torch.tensor([2, 0])] == ["c", "a"] and col[np.array([1])] == [None]
    assert col[torch.tensor([True, False, True])] == ["a", "c"]
    assert col.index("c") == 2 and "a" in col and col.count(None) == 1
    assert col == ["a", None, "c"] and col == ("a", None, "c") and col != ["a"]
    assert as_column(col) is col and as_column(["x"]) == ["x"]
    assert repr(col) == "NodeColumn([3])"
    with pytest.raises(IndexError):
        col[torch.zeros(2, 2, dtype=torch.long)]
    with pytest.raises(TypeError):
        hash(col)


def test_pyg_does_not_treat_it_as_a_node_attribute():
    g = build_graph({"mirna": {"m1": "ACGU", "m2": None}}, {("circrna", "binds", "mirna"):
                                                            [("c1", "m1"), ("c1", "m2")]})
    assert not g["mirna"].is_node_attr("ids") and g["mirna"].is_node_attr("has_seq")


def test_survives_torch_load_weights_only_and_model_file_state():
    g = build_graph({"mirna": {"m1": "ACGU", "m2": None}}, {("circrna", "binds", "mirna"):
                                                            [("c1", "m1"), ("c1", "m2")]})
    buf = io.BytesIO()
    torch.save(g.to_dict(), buf)
    buf.seek(0)
    back = torch.load(buf, weights_only=True)      # as InMemoryDataset's cache is read
    assert isinstance(back["mirna"]["seq"], NodeColumn) and back["mirna"]["seq"] == ["ACGU", None]
    tensors, meta = graph_to_state(g)
    assert meta["nodes"]["mirna"]["lists"]["ids"] == ["m1", "m2"]    # JSON-ready lists
    g2 = graph_from_state(tensors, meta)
    assert isinstance(g2["mirna"].ids, NodeColumn) and g2["mirna"].ids == g["mirna"].ids
