import pytest
import torch
from torch_geometric.data import HeteroData

from rnagraph.nn.encoders import HomogeneousGraph
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA, reverse_edge_type


def make_graph() -> HeteroData:
    g = HeteroData()
    for nt, n in (("mirna", 3), ("mrna", 2), ("circrna", 4)):
        g[nt].num_nodes = n
        g[nt].ids = [f"{nt}{i}" for i in range(n)]
    g[CIRC_MIRNA].edge_index = torch.tensor([[0, 1, 3], [0, 2, 2]])
    g[reverse_edge_type(CIRC_MIRNA)].edge_index = torch.tensor([[0, 2, 2], [0, 1, 3]])
    g[MIRNA_MRNA].edge_index = torch.tensor([[1], [1]])
    return g


def test_offsets_edges_and_split():
    g = make_graph()
    hg = HomogeneousGraph.from_hetero(g, CIRC_MIRNA)
    assert hg.offsets == {"mirna": 0, "circrna": 3} and hg.num_nodes == 7
    assert hg.edge_index.tolist() == [[3, 4, 6], [0, 2, 2]]
    z = torch.arange(14.0).view(7, 2)
    parts = hg.split(z)
    assert torch.equal(parts["circrna"], z[3:]) and torch.equal(parts["mirna"], z[:3])
    assert torch.equal(hg.stack(parts), z)
    with pytest.raises(ValueError, match="rows"):
        hg.split(z[:5])


def test_default_edge_types_skip_reverse_and_include_all_types():
    hg = HomogeneousGraph.from_hetero(make_graph())
    assert hg.offsets == {"mirna": 0, "mrna": 3, "circrna": 5}
    assert hg.edge_index.size(1) == 4  # 3 circ-mirna + 1 mirna-mrna, no rev_ duplicates
    assert [0 + 1, 3 + 1] in hg.edge_index.T.tolist()


def test_unknown_edge_type():
    with pytest.raises(ValueError, match="not in the graph"):
        HomogeneousGraph.from_hetero(make_graph(), ("mrna", "binds", "circrna"))
