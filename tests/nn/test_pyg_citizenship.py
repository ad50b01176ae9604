"""Every ``rnagraph.nn`` layer, head and loss behaves like a PyG layer: it traces under
``torch.compile(fullgraph=True)`` to the eager values, passes ``gradcheck`` in float64, handles
zero edges and zero nodes, re-initialises deterministically under a seed, and (the two graph
layers) works inside ``HeteroConv`` and under ``to_hetero`` with outputs keyed by node type that
equal calling the layer directly."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
import torch
from torch_geometric.data import HeteroData
from torch_geometric.nn import HeteroConv, to_hetero

from rnagraph.nn import (
    MCAM,
    BilinearHead,
    BilinearInteraction,
    ChannelAttention,
    CNNProductHead,
    ConcatMLPHead,
    HadamardHead,
    HomoGCN,
    InfoNCE,
    InnerProductHead,
    SpatialAttention,
)

N_SRC, N_DST, F_SRC, F_DST, F, V = 6, 5, 3, 4, 4, 3


def _rand(gen: torch.Generator, dtype: torch.dtype, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=gen).to(dtype)


def _edges(gen: torch.Generator, n_src: int, n_dst: int, e: int) -> torch.Tensor:
    if e == 0 or n_src == 0 or n_dst == 0:
        return torch.empty(2, 0, dtype=torch.long)
    return torch.stack([torch.randint(0, n_src, (e,), generator=gen),
                        torch.randint(0, n_dst, (e,), generator=gen)])


@dataclass
class Case:
    make: Callable[[], torch.nn.Module]
    #: (generator, dtype, n_src, n_dst, n_edges) -> positional args of forward
    inputs: Callable[..., tuple]
    kwargs: dict
    graph: bool = True          # takes edges / pairs (zero-edge case applies)
    random_init: bool = True    # reset_parameters draws from the RNG


def _homo_inputs(gen, dtype, n_src, n_dst, e):
    xs = [_rand(gen, dtype, n_src, F_SRC), _rand(gen, dtype, n_src, 2)]
    ei = _edges(gen, n_src, n_src, e)
    return xs, ei, torch.rand(ei.size(1), generator=gen).to(dtype)


def _homo_stacked_inputs(gen, dtype, n_src, n_dst, e):
    return _rand(gen, dtype, n_src, 2, F_SRC), _edges(gen, n_src, n_src, e)


def _bipartite_inputs(gen, dtype, n_src, n_dst, e):
    x = (_rand(gen, dtype, n_src, F_SRC), _rand(gen, dtype, n_dst, F_DST))
    ei = _edges(gen, n_src, n_dst, e)
    return x, ei, torch.rand(ei.size(1), generator=gen).to(dtype)


def _views_inputs(gen, dtype, n_src, n_dst, e):
    return (_rand(gen, dtype, n_src, V, F),)


def _head_inputs(gen, dtype, n_src, n_dst, e):
    return _rand(gen, dtype, n_src, F), _rand(gen, dtype, n_dst, F), _edges(gen, n_src, n_dst, e)


def _pair_inputs(gen, dtype, n_src, n_dst, e):
    return _rand(gen, dtype, n_src, F), _rand(gen, dtype, n_src, F)


CASES = {
    "HomoGCN": Case(lambda: HomoGCN([F_SRC, 2], F), _homo_inputs, {}),
    "HomoGCN-cached": Case(lambda: HomoGCN(F_SRC, F, num_views=2, cached=True),
                           _homo_stacked_inputs, {}),
    "BilinearInteraction": Case(lambda: BilinearInteraction((F_SRC, F_DST), F),
                                _bipartite_inputs, {}),
    "BilinearInteraction-both": Case(lambda: BilinearInteraction((F_SRC, F_DST), F, k=2),
                                     _bipartite_inputs, {"target": "both"}),
    "MCAM-graph": Case(lambda: MCAM(V, F, 5, pool="graph"), _views_inputs, {}, graph=False),
    "MCAM-node": Case(lambda: MCAM(V, F, 5, pool="node"), _views_inputs, {}, graph=False),
    "ChannelAttention": Case(lambda: ChannelAttention(V), _views_inputs, {}, graph=False),
    "SpatialAttention": Case(lambda: SpatialAttention(3), _views_inputs, {}, graph=False),
    "InnerProductHead": Case(InnerProductHead, _head_inputs, {}, random_init=False),
    "ConcatMLPHead": Case(lambda: ConcatMLPHead(F, F, hidden_channels=8), _head_inputs, {}),
    "BilinearHead": Case(lambda: BilinearHead(F), _head_inputs, {}, random_init=False),
    "HadamardHead": Case(lambda: HadamardHead(F), _head_inputs, {}),
    "CNNProductHead": Case(lambda: CNNProductHead(F), _head_inputs, {}),
    "InfoNCE": Case(lambda: InfoNCE(temperature=0.5), _pair_inputs, {}, graph=False,
                    random_init=False),
}


def _flat(out) -> torch.Tensor:
    """One tensor from a layer output (``target='both'`` gives a tuple)."""
    if isinstance(out, tuple):
        return torch.cat([o.reshape(-1) for o in out])
    return out.reshape(-1)


def _run(case: Case, module, dtype=torch.float32, n_src=N_SRC, n_dst=N_DST, e=9, seed=0):
    args = case.inputs(torch.Generator().manual_seed(seed), dtype, n_src, n_dst, e)
    return module(*args, **case.kwargs)


@pytest.mark.parametrize("name", list(CASES))
def test_compile_fullgraph_equals_eager(name):
    case = CASES[name]
    torch.manual_seed(0)
    module = case.make().eval()
    args = case.inputs(torch.Generator().manual_seed(1), torch.float32, N_SRC, N_DST, 9)
    eager = _flat(module(*args, **case.kwargs))
    # aot_eager runs Dynamo's whole-graph capture (fullgraph=True fails on any graph break or
    # host read) and AOTAutograd's tracing, without spending minutes in a C++ compiler
    compiled = torch.compile(module, fullgraph=True, backend="aot_eager")
    out = _flat(compiled(*args, **case.kwargs))
    assert out.shape == eager.shape
    assert torch.allclose(out, eager, atol=1e-5, rtol=1e-5)
    # ...and again, now that a cached layer holds its adjacency
    assert torch.allclose(_flat(compiled(*args, **case.kwargs)), eager, atol=1e-5, rtol=1e-5)


@pytest.mark.slow
@pytest.mark.inductor
@pytest.mark.parametrize("name", ["BilinearInteraction-both"])
def test_compile_inductor_equals_eager(name):
    # the default (C++ code generating) backend on the most involved layer; ~2 minutes of
    # compiler time on 2 cores, so one layer only (all four of HomoGCN, BilinearInteraction,
    # MCAM and CNNProductHead pass)
    pytest.importorskip("torch._inductor")
    case = CASES[name]
    torch.manual_seed(0)
    module = case.make().eval()
    args = case.inputs(torch.Generator().manual_seed(1), torch.float32, N_SRC, N_DST, 9)
    eager = _flat(module(*args, **case.kwargs))
    out = _flat(torch.compile(module, fullgraph=True)(*args, **case.kwargs))
    assert torch.allclose(out, eager, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_float64(name):
    case = CASES[name]
    torch.manual_seed(0)
    module = case.make().double()
    args = case.inputs(torch.Generator().manual_seed(2), torch.float64, N_SRC, N_DST, 9)
    leaves = []

    def mark(a):
        if isinstance(a, torch.Tensor) and a.is_floating_point():
            a = a.detach().requires_grad_(True)
            leaves.append(a)
            return a
        if isinstance(a, (list, tuple)):
            return type(a)(mark(b) for b in a)
        return a

    args = tuple(mark(a) for a in args)
    out = _flat(module(*args, **case.kwargs))
    assert out.dtype == torch.float64       # dtype follows the input

    def fn(*xs):
        it = iter(xs)

        def put(a):
            if isinstance(a, torch.Tensor) and a.is_floating_point():
                return next(it)
            if isinstance(a, (list, tuple)):
                return type(a)(put(b) for b in a)
            return a
        return _flat(module(*(put(a) for a in args), **case.kwargs))

    assert torch.autograd.gradcheck(fn, tuple(leaves), eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.graph])
def test_zero_edges(name):
    case = CASES[name]
    torch.manual_seed(0)
    module = case.make().eval()
    out = _run(case, module, e=0)
    args = case.inputs(torch.Generator().manual_seed(0), torch.float32, N_SRC, N_DST, 0)
    if isinstance(module, HomoGCN):
        # only self-loops, of normalised weight 1: every view is its own linear map
        xs = args[0] if isinstance(args[0], list) else list(args[0].unbind(1))
        h = torch.cat([torch.relu(c.lin(x) + c.bias) for c, x in zip(module.convs, xs)], -1)
        assert torch.allclose(out, module.lin(h), atol=1e-6)
    elif isinstance(module, BilinearInteraction):
        (x_src, x_dst), _, _ = args
        dst = module.lin_root_dst(x_dst) + module.bias_dst
        src = module.lin_root_src(x_src) + module.bias_src
        expected = (src, dst) if case.kwargs.get("target") == "both" else dst
        assert torch.allclose(_flat(out), _flat(expected), atol=1e-6)
    else:                                   # a head: no pairs, no scores
        assert out.shape == (0,)


@pytest.mark.parametrize("name", list(CASES))
def test_zero_nodes(name):
    case = CASES[name]
    module = case.make().eval()
    if isinstance(module, InfoNCE):
        with pytest.raises(ValueError, match="zero nodes"):   # a loss over no nodes is undefined
            _run(case, module, n_src=0, n_dst=0, e=0)
        return
    out = _run(case, module, n_src=0, n_dst=0, e=0)
    for o in (out if isinstance(out, tuple) else (out,)):
        if isinstance(module, ChannelAttention) and module.pool == "graph":
            assert torch.allclose(o, torch.full((1, V, 1), 0.5))    # sigma(0): no descriptors
        else:
            assert o.size(0) == 0 and torch.isfinite(o).all()


@pytest.mark.parametrize("name", list(CASES))
def test_reset_parameters_is_deterministic_under_a_seed(name):
    case = CASES[name]
    module = case.make()
    torch.manual_seed(11)
    module.reset_parameters()
    first = _flat(_run(case, module)).detach()
    torch.manual_seed(12)
    module.reset_parameters()
    other = _flat(_run(case, module)).detach()
    if case.random_init:
        assert not torch.allclose(first, other)
    torch.manual_seed(11)
    module.reset_parameters()
    assert torch.equal(_flat(_run(case, module)).detach(), first)


def test_homo_gcn_cache_is_reused_and_cleared_by_reset_parameters():
    conv = HomoGCN(F_SRC, F, num_views=1, cached=True)
    x = torch.randn(4, F_SRC)
    ring = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 0]])
    none = torch.empty(2, 0, dtype=torch.long)
    first = conv(x, ring)
    assert torch.equal(conv(x, none), first)          # the cached ring, not the new graph
    torch.manual_seed(0)
    conv.reset_parameters()
    fresh = HomoGCN(F_SRC, F, num_views=1)
    fresh.load_state_dict(conv.state_dict())
    assert torch.allclose(conv(x, none), fresh(x, none))   # cache cleared: the empty graph
    assert not torch.allclose(conv(x, ring), fresh(x, ring))   # ... and now cached again


def test_homo_gcn_sparse_adjacency_equals_edge_index():
    torch.manual_seed(0)
    conv = HomoGCN([F_SRC, 2], F).double()
    xs = [torch.randn(5, F_SRC, dtype=torch.float64), torch.randn(5, 2, dtype=torch.float64)]
    ei = torch.tensor([[0, 1, 1, 2, 3, 3], [1, 0, 2, 1, 0, 3]])    # one self-loop (3, 3)
    w = torch.rand(6, dtype=torch.float64)
    ref = conv(xs, ei, w)
    adj_t = torch.sparse_coo_tensor(ei.flip(0), w, (5, 5)).coalesce()   # row = target
    assert torch.allclose(conv(xs, adj_t), ref)
    assert torch.allclose(conv(xs, adj_t.to_sparse_csr()), ref)
    from torch_geometric.nn import GCNConv  # the per-view values of PyG's own GCNConv
    refs = []
    for c, x in zip(conv.convs, xs):
        g = GCNConv(x.size(1), F).double()
        g.load_state_dict(c.state_dict())
        refs.append(torch.relu(g(x, ei, w)))
    assert torch.allclose(ref, conv.lin(torch.cat(refs, -1)))


# ---- HeteroConv and to_hetero ---------------------------------------------------------------

CIRC, MIR = "circrna", "mirna"
BINDS, REV = (CIRC, "binds", MIR), (MIR, "rev_binds", CIRC)
SIM = (MIR, "similar", MIR)


def _hetero(seed: int = 0) -> HeteroData:
    gen = torch.Generator().manual_seed(seed)
    data = HeteroData()
    data[CIRC].x = torch.randn(N_SRC, F_SRC, generator=gen)
    data[MIR].x = torch.randn(N_DST, F_DST, generator=gen)
    data[BINDS].edge_index = _edges(gen, N_SRC, N_DST, 9)
    data[REV].edge_index = data[BINDS].edge_index.flip(0)
    for et in (BINDS, REV):
        data[et].edge_weight = torch.rand(9, generator=gen)
    return data


def test_bilinear_interaction_inside_heteroconv_keyed_by_node_type():
    data = _hetero()
    torch.manual_seed(0)
    convs = {BINDS: BilinearInteraction((-1, -1), F), REV: BilinearInteraction((-1, -1), F)}
    conv = HeteroConv(convs, aggr="sum")
    out = conv(data.x_dict, data.edge_index_dict, edge_weight_dict=data.edge_weight_dict)
    assert sorted(out) == [CIRC, MIR]
    for et, (src, _, dst) in ((BINDS, BINDS), (REV, REV)):
        direct = convs[et]((data[src].x, data[dst].x), data[et].edge_index,
                           data[et].edge_weight)
        assert torch.equal(out[dst], direct)
    # the edge weights reach the messages
    plain = conv(data.x_dict, data.edge_index_dict)
    assert not torch.allclose(plain[MIR], out[MIR])


class _Net(torch.nn.Module):
    def __init__(self, conv: torch.nn.Module):
        super().__init__()
        self.conv = conv

    def forward(self, x, edge_index):
        return self.conv(x, edge_index)


def test_bilinear_interaction_under_to_hetero_keyed_by_node_type():
    data = _hetero()
    torch.manual_seed(0)
    model = to_hetero(_Net(BilinearInteraction((-1, -1), F)), data.metadata(), aggr="sum")
    out = model(data.x_dict, data.edge_index_dict)
    assert sorted(out) == [CIRC, MIR]                 # node types, not edge types
    for src, rel, dst in (BINDS, REV):
        layer = model.conv[f"{src}__{rel}__{dst}"]
        direct = layer((data[src].x, data[dst].x), data[src, rel, dst].edge_index)
        assert out[dst].shape == (data[dst].num_nodes, F)
        assert torch.equal(out[dst], direct)


def test_bilinear_interaction_source_only_input_and_size():
    torch.manual_seed(0)
    layer = BilinearInteraction((F_SRC, F_DST), F)
    x_src = torch.randn(N_SRC, F_SRC)
    ei = torch.tensor([[0, 1, 2], [0, 0, 3]])
    out = layer((x_src, None), ei, size=(N_SRC, N_DST))
    assert out.shape == (N_DST, F)
    # no destination features: z_ij = u_i and no root term, so an isolated node gets the bias
    assert torch.equal(out[1], layer.bias_dst)
    u = torch.relu(layer.lin_src(x_src[2]))
    m = u.view(layer.k, F).sum(0)
    assert torch.allclose(out[3], layer.lin_out(layer.heads * m) + layer.bias_dst, atol=1e-6)


def test_homo_gcn_inside_heteroconv_and_under_to_hetero():
    data = HeteroData()
    data[MIR].x = torch.randn(N_DST, F_DST)
    data[SIM].edge_index = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 4]])
    torch.manual_seed(0)
    layer = HomoGCN(F_DST, F, num_views=1)
    direct = layer(data[MIR].x, data[SIM].edge_index)
    out = HeteroConv({SIM: layer})(data.x_dict, data.edge_index_dict)
    assert list(out) == [MIR] and torch.equal(out[MIR], direct)
    model = to_hetero(_Net(HomoGCN(-1, F, num_views=1)), data.metadata())
    out = model(data.x_dict, data.edge_index_dict)
    assert list(out) == [MIR]
    inner = model.conv[f"{MIR}__similar__{MIR}"]
    assert torch.equal(out[MIR], inner(data[MIR].x, data[SIM].edge_index))
    # a bipartite edge type would get self-loops across node types: refused, as PyG's GCNConv
    data[CIRC].x = torch.randn(N_SRC, F_DST)
    data[BINDS].edge_index = torch.tensor([[0], [1]])
    with pytest.raises(ValueError, match="add_self_loops"):
        to_hetero(_Net(HomoGCN(F_DST, F, num_views=1)), data.metadata())


def test_mcam_channels_alias_is_deprecated_but_works():
    with pytest.warns(DeprecationWarning, match="num_views"):
        old = MCAM(channels=V, in_channels=F)
    assert old.num_views == V and old.channels == V
    with pytest.warns(DeprecationWarning):
        assert ChannelAttention(channels=V).num_views == V
    with pytest.raises(ValueError, match="num_views"):
        MCAM(2, F, channels=3)
    assert repr(MCAM(V, F)) == "MCAM(num_views=3, in_channels=4, out_channels=4, pool='graph')"


def test_mcam_node_pool_output_does_not_depend_on_the_batch():
    # the reason pool='node' is the choice for sampled subgraphs
    torch.manual_seed(0)
    x = torch.randn(8, V, F)
    node, graph = MCAM(V, F, pool="node"), MCAM(V, F, pool="graph")
    assert torch.allclose(node(x)[:3], node(x[:3]), atol=1e-6)
    assert not torch.allclose(graph(x)[:3], graph(x[:3]), atol=1e-6)
