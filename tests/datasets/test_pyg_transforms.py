"""Loaded graphs survive PyG's standard flow: ``ToUndirected`` + ``RandomLinkSplit`` leaves no
validation or test edge in any edge type of the training split, and the string side tables
(ids, sequences, their sources) are node-level attributes that ``subgraph``,
``to_homogeneous``, ``RandomLinkSplit`` and the link loader's filter path carry along."""
from __future__ import annotations

import pytest
import torch
import torch_geometric.transforms as T
from torch_geometric.data import HeteroData
from torch_geometric.loader import LinkLoader
from torch_geometric.sampler import BaseSampler, EdgeSamplerInput, HeteroSamplerOutput

from rnagraph.data import NodeColumn
from rnagraph.datasets import load, synthetic
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA, reverse_edge_type


def _small(**kw) -> HeteroData:
    return synthetic(num_mirna=24, num_mrna=40, num_circrna=30, seed=5, **kw)


def _split(data: HeteroData, edge_types: list) -> tuple[HeteroData, HeteroData, HeteroData]:
    torch.manual_seed(0)
    flow = T.Compose([T.ToUndirected(), T.RandomLinkSplit(
        num_val=0.1, num_test=0.2, edge_types=edge_types,
        rev_edge_types=[reverse_edge_type(et) for et in edge_types])])
    return flow(data)


def _held_out_in_train(train: HeteroData, held: list[HeteroData], edge_types: list) -> dict:
    """``{train edge type: number of validation/test positives it holds}``, over **every** edge
    type of the training split joining the same two node types (either direction)."""
    found = {}
    for src, rel, dst in edge_types:
        n_dst = train[dst].num_nodes
        pos = set()
        for g in held:
            eli, lab = g[src, rel, dst].edge_label_index, g[src, rel, dst].edge_label
            ei = eli[:, lab == 1]
            pos |= set((ei[0] * n_dst + ei[1]).tolist())
        for et in train.edge_types:
            if {et[0], et[2]} != {src, dst}:
                continue
            ei = train[et].edge_index
            if et[0] != src:
                ei = ei.flip(0)
            n = len(pos & set((ei[0] * n_dst + ei[1]).tolist()))
            if n:
                found[et] = n
    return found


def test_load_to_undirected_random_link_split_leaves_no_held_out_edge_in_training():
    edge_types = [CIRC_MIRNA, MIRNA_MRNA]
    data = _small()
    assert set(data.edge_types) == set(edge_types)          # one direction by default
    train, val, test = _split(data, edge_types)
    assert set(train.edge_types) == {*edge_types, *(reverse_edge_type(e) for e in edge_types)}
    assert _held_out_in_train(train, [val, test], edge_types) == {}
    # validation-time message passing may use training edges, test-time also validation ones
    assert _held_out_in_train(val, [test], edge_types) == {}
    for et in edge_types:
        assert train[et].edge_index.size(1) > 0


def test_the_leak_check_can_fail_reverse_edges_twice():
    # the reported bug: reverse types in the loaded graph, then ToUndirected -> rev_rev_<rel>
    # holds every edge, validation and test included, and RandomLinkSplit does not split it
    data = _small(add_reverse=True)
    train, val, test = _split(data, [CIRC_MIRNA])
    leaks = _held_out_in_train(train, [val, test], [CIRC_MIRNA])
    assert ("circrna", "rev_rev_binds", "mirna") in leaks


@pytest.mark.realdata
def test_cmi_9589_to_undirected_random_link_split_leaves_no_held_out_edge(real_root):
    data = load("cmi-9589", real_root, use_cache=False)
    assert data.edge_types == [CIRC_MIRNA]
    train, val, test = _split(data, [CIRC_MIRNA])
    assert ("circrna", "rev_rev_binds", "mirna") not in train.edge_types
    assert _held_out_in_train(train, [val, test], [CIRC_MIRNA]) == {}
    assert isinstance(train["mirna"].ids, NodeColumn)
    assert train["mirna"].ids[0] == data["mirna"].ids[0]


# ---- string side tables under PyG's tensor code ---------------------------------------------

def test_side_tables_read_like_sequences():
    data = _small()
    ids = data["mirna"].ids
    assert isinstance(ids, NodeColumn) and isinstance(data["mirna"].seq, NodeColumn)
    assert len(ids) == data["mirna"].num_nodes
    assert ids[0] == "syn-miR-0000" and ids[-1] == "syn-miR-0023"
    assert list(ids)[:2] == ["syn-miR-0000", "syn-miR-0001"] == ids[:2]
    assert ids.index("syn-miR-0003") == 3 and "syn-miR-0005" in ids
    assert ids[torch.tensor([2, 0])] == ["syn-miR-0002", "syn-miR-0000"]
    assert ids[torch.tensor(1)] == "syn-miR-0001"
    mask = torch.zeros(len(ids), dtype=torch.bool)
    mask[[1, 4]] = True
    assert ids[mask] == ["syn-miR-0001", "syn-miR-0004"]
    assert ids == [f"syn-miR-{i:04d}" for i in range(24)]
    with pytest.raises(IndexError, match="mask"):
        ids[torch.ones(3, dtype=torch.bool)]


def test_subgraph_keeps_side_tables_and_subsets_tensors():
    data = _small()
    subset = {"mirna": torch.tensor([3, 0, 7]), "circrna": torch.arange(30) < 10}
    sub = data.subgraph(subset)
    assert sub["mirna"].num_nodes == 3 and sub["circrna"].num_nodes == 10
    assert torch.equal(sub["mirna"].has_seq, data["mirna"].has_seq[[3, 0, 7]])
    # a node-level attribute: the subgraph's own nodes' ids, in the order of the subset
    assert isinstance(sub["mirna"].ids, NodeColumn)
    assert sub["mirna"].ids == [data["mirna"].ids[i] for i in (3, 0, 7)]
    assert sub["circrna"].seq == list(data["circrna"].seq)[:10]
    assert sub[CIRC_MIRNA].edge_index.max() < 10


def test_to_homogeneous_and_random_link_split_run_on_a_loaded_graph():
    data = _small()
    homo = data.to_homogeneous()
    assert homo.num_nodes == sum(data[nt].num_nodes for nt in data.node_types)
    assert homo.edge_index.size(1) == sum(data[et].edge_index.size(1) for et in data.edge_types)
    train, _, _ = _split(data, [CIRC_MIRNA])
    assert train["circrna"].seq == data["circrna"].seq


class _EndpointSampler(BaseSampler):
    """The seed edges' endpoints and nothing else: enough to drive LinkLoader's filter path
    (the stock neighbour sampler needs pyg-lib or torch-sparse, not installed here)."""

    def __init__(self, data: HeteroData):
        self.data = data

    def sample_from_nodes(self, index, **kwargs):  # pragma: no cover - links only
        raise NotImplementedError

    def sample_from_edges(self, inputs: EdgeSamplerInput, neg_sampling=None):
        src_t, _, dst_t = inputs.input_type
        src, inv_s = inputs.row.unique(return_inverse=True)
        dst, inv_d = inputs.col.unique(return_inverse=True)
        node = {nt: torch.empty(0, dtype=torch.long) for nt in self.data.node_types}
        node[src_t], node[dst_t] = src, dst
        empty = {et: torch.empty(0, dtype=torch.long) for et in self.data.edge_types}
        label = inputs.label if inputs.label is not None else torch.ones(src.numel())
        return HeteroSamplerOutput(node=node, row=dict(empty), col=dict(empty),
                                   edge=dict(empty), metadata=(inputs.input_id,
                                                               torch.stack([inv_s, inv_d]),
                                                               label, None, None))


def test_link_loader_filter_path_keeps_side_tables():
    data = _small()
    data["mirna"].x = torch.randn(data["mirna"].num_nodes, 4)
    data["circrna"].x = torch.randn(data["circrna"].num_nodes, 4)
    eli = data[CIRC_MIRNA].edge_index[:, :6]
    loader = LinkLoader(data, _EndpointSampler(data), edge_label_index=(CIRC_MIRNA, eli),
                        batch_size=6)
    batch = next(iter(loader))
    n_id = batch["circrna"].n_id
    assert torch.equal(batch["circrna"].x, data["circrna"].x[n_id])
    # the side table is filtered like x: batch node i has the id of node n_id[i]
    assert isinstance(batch["circrna"].ids, NodeColumn)
    assert batch["circrna"].ids == [data["circrna"].ids[int(i)] for i in n_id]
    local = batch[CIRC_MIRNA].edge_label_index
    got = [(batch["circrna"].ids[s], batch["mirna"].ids[d]) for s, d in local.t().tolist()]
    want = [(data["circrna"].ids[s], data["mirna"].ids[d]) for s, d in eli.t().tolist()]
    assert got == want
