import pytest
import torch

from rnagraph.data import IdMap, build_graph, ids_to_index, index_to_ids

CM = ("circrna", "binds", "mirna")
MM = ("mirna", "targets", "mrna")


def tiny(add_reverse: bool = True):
    return build_graph(
        {"mirna": {"m1": "acgt", "m2": "GGCU"}, "mrna": {"t1": "AAAA"}},
        {CM: [("c1", "m2"), ("c2", "m1"), ("c1", "m1")], MM: [("m2", "t1"), ("m1", "t2")]},
        add_reverse=add_reverse)


def test_build_graph_exact():
    g = tiny()
    assert g["mirna"].ids == ["m1", "m2"]
    assert g["mirna"].seq == ["ACGU", "GGCU"]
    assert g["circrna"].ids == ["c1", "c2"]
    assert g["circrna"].seq == [None, None]
    assert g["mrna"].ids == ["t1", "t2"]
    assert g["mrna"].has_seq.tolist() == [True, False]
    assert g["circrna"].num_nodes == 2
    assert g[CM].edge_index.tolist() == [[0, 1, 0], [1, 0, 0]]
    assert g[CM].edge_index.dtype == torch.int64
    assert g["mirna", "rev_binds", "circrna"].edge_index.tolist() == [[1, 0, 0], [0, 1, 0]]
    assert g[MM].edge_index.tolist() == [[1, 0], [0, 1]]
    assert ("mrna", "rev_targets", "mirna") in g.edge_types
    assert g.validate()


def test_reverse_naming_matches_pyg():
    from torch_geometric.transforms import ToUndirected
    g = build_graph({}, {CM: [("c1", "m1")]}, add_reverse=False)
    assert set(ToUndirected()(g).edge_types) == set(tiny().edge_types) - {
        MM, ("mrna", "rev_targets", "mirna")}


def test_one_direction_by_default_and_add_reverse_equals_to_undirected():
    from torch_geometric.transforms import ToUndirected

    from rnagraph.data import add_reverse_edges
    plain = tiny(add_reverse=False)
    assert set(plain.edge_types) == {CM, MM}
    with_rev = tiny()
    undirected = ToUndirected()(tiny(add_reverse=False))
    assert set(with_rev.edge_types) == set(undirected.edge_types)
    for et in undirected.edge_types:
        assert torch.equal(with_rev[et].edge_index, undirected[et].edge_index)
    # adding reverses twice adds nothing, and the input is not modified
    again = add_reverse_edges(with_rev)
    assert set(again.edge_types) == set(with_rev.edge_types)
    add_reverse_edges(plain)
    assert set(plain.edge_types) == {CM, MM}


def test_duplicates_warn_and_unknown_type():
    with pytest.warns(UserWarning, match="dropped 1 duplicate"):
        g = build_graph({}, {CM: [("c1", "m1"), ("c1", "m1")]})
    assert g[CM].edge_index.size(1) == 1
    with pytest.raises(ValueError, match="unknown node type 'protein'"):
        build_graph({}, {("protein", "x", "mirna"): [("p", "m")]})
    with pytest.raises(ValueError, match="no pairs"):
        build_graph({}, {CM: []})


def test_bad_sequence_rejected():
    from rnagraph.io import InputError
    with pytest.raises(InputError, match="'X'"):
        build_graph({"mirna": {"m1": "ACXU"}}, {CM: [("c1", "m1")]})


def test_node_ids_extra_nodes_kept():
    g = build_graph({}, {CM: [("c1", "m1")]}, node_ids={"mirna": ["m0", "m1"]})
    assert g["mirna"].ids == ["m1", "m0"]


def test_ids_index_round_trip():
    g = tiny()
    idx = ids_to_index(g, "circrna", ["c2", "c1", "c2"])
    assert idx.tolist() == [1, 0, 1]
    assert index_to_ids(g, "circrna", idx) == ["c2", "c1", "c2"]
    with pytest.raises(KeyError, match="'zz'"):
        ids_to_index(g, "circrna", ["zz"])
    with pytest.raises(IndexError):
        index_to_ids(g, "circrna", [5])
    with pytest.raises(ValueError, match="duplicate id 'a'"):
        IdMap(["a", "b", "a"])
    assert repr(IdMap(["a"])) == "IdMap(num_ids=1)"


def test_message_edges_adds_missing_reverses_or_takes_the_given_relations():
    from torch_geometric.data import HeteroData

    from rnagraph.data import message_edges
    g = HeteroData()
    cm, mm = ("circrna", "binds", "mirna"), ("mirna", "targets", "mrna")
    g[cm].edge_index = torch.tensor([[0, 1, 1], [2, 0, 1]])
    g[("mrna", "rev_targets", "mirna")].edge_index = torch.tensor([[4, 5], [0, 0]])
    every = message_edges(g)
    assert set(every) == {cm, ("mirna", "rev_binds", "circrna"),
                          ("mrna", "rev_targets", "mirna"), mm}
    assert every[("mirna", "rev_binds", "circrna")].tolist() == [[2, 0, 1], [0, 1, 1]]
    assert every[mm].tolist() == [[0, 0], [4, 5]]        # read from its stored reverse
    only = message_edges(g, [mm])
    assert set(only) == {mm, ("mrna", "rev_targets", "mirna")}
    assert only[mm].tolist() == [[0, 0], [4, 5]]
    assert only[("mrna", "rev_targets", "mirna")].tolist() == [[4, 5], [0, 0]]
    assert g[cm].edge_index.tolist() == [[0, 1, 1], [2, 0, 1]]     # input untouched
