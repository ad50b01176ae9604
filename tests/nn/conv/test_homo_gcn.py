import pytest
import torch

from rnagraph.nn.conv import HomoGCN


def _graph():
    # 4 nodes: 0-1 and 1-2 connected (both directions), node 3 isolated
    return torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])


def test_hand_computed_single_view_identity():
    conv = HomoGCN(1, 1, num_views=1, act="identity")
    with torch.no_grad():
        conv.convs[0].lin.weight.fill_(1.0)
        conv.convs[0].bias.zero_()
        conv.lin.weight.fill_(1.0)
        conv.lin.bias.zero_()
    x = torch.tensor([[2.0], [4.0], [8.0], [5.0]])
    out = conv([x], _graph())
    # degrees with self-loops: 2, 3, 2, 1 ; out_i = sum_j x_j / sqrt(d_i d_j)
    d = torch.tensor([2.0, 3.0, 2.0, 1.0])
    exp0 = 2 / 2 + 4 / (2 * 3) ** 0.5
    exp1 = 2 / (3 * 2) ** 0.5 + 4 / 3 + 8 / (3 * 2) ** 0.5
    exp2 = 4 / (2 * 3) ** 0.5 + 8 / 2
    exp3 = 5 / d[3]
    assert torch.allclose(out.view(-1), torch.tensor([exp0, exp1, exp2, float(exp3)]))


def test_shapes_views_list_and_tensor_agree():
    torch.manual_seed(0)
    conv = HomoGCN(6, 5, num_views=3, hidden_channels=7)
    xs = torch.randn(4, 3, 6)
    out = conv(xs, _graph())
    assert out.shape == (4, 5)
    assert torch.allclose(out, conv(list(xs.unbind(1)), _graph()))
    mixed = HomoGCN([3, 9], 4)
    assert mixed([torch.randn(4, 3), torch.randn(4, 9)], _graph()).shape == (4, 4)
    assert repr(mixed) == "HomoGCN([3, 9], 4, num_views=2)"


def test_gradients_reach_every_parameter():
    conv = HomoGCN([3, 4], 5)
    out = conv([torch.randn(4, 3), torch.randn(4, 4)], _graph())
    out.square().sum().backward()
    for name, p in conv.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_reset_parameters_restores_output():
    conv = HomoGCN(3, 4, num_views=2)
    xs = torch.randn(4, 2, 3)
    torch.manual_seed(5)
    conv.reset_parameters()
    before = conv(xs, _graph()).detach()
    with torch.no_grad():
        for p in conv.parameters():
            p.add_(0.3)
    assert not torch.allclose(conv(xs, _graph()), before)
    torch.manual_seed(5)
    conv.reset_parameters()
    assert torch.allclose(conv(xs, _graph()), before)


def test_node_permutation_equivariance():
    conv = HomoGCN(3, 4, num_views=2)
    xs = torch.randn(4, 2, 3)
    ei = _graph()
    perm = torch.tensor([2, 0, 3, 1])
    inv = torch.argsort(perm)
    out = conv(xs, ei)
    out_p = conv(xs[perm], inv[ei])
    assert torch.allclose(out_p, out[perm], atol=1e-6)


def test_graph_from_similarity():
    sim = torch.tensor([[1.0, 0.6, 0.5], [0.6, 1.0, 0.2], [0.9, 0.2, 1.0]])
    ei = HomoGCN.graph_from_similarity(sim)
    assert ei.tolist() == [[0, 1, 2], [1, 0, 0]]
    assert HomoGCN.graph_from_similarity(sim, threshold=0.55).size(1) == 3
    assert HomoGCN.graph_from_similarity(sim, threshold=0.1).size(1) == 6
    assert torch.equal(sim.diagonal(), torch.ones(3))   # input not mutated


def test_errors():
    with pytest.raises(ValueError, match="num_views"):
        HomoGCN(3, 4)
    with pytest.raises(ValueError, match="expected 2 views"):
        HomoGCN(3, 4, num_views=2)([torch.randn(4, 3)], _graph())
    with pytest.raises(ValueError, match="act"):
        HomoGCN(3, 4, num_views=1, act="gelu2")


def test_matches_pyg_gcnconv_per_view_with_edge_weights():
    # the shared CSR propagation equals PyG's GCNConv (normalize=True, scatter) per view,
    # with edge weights, a directed edge and an isolated node (index 4)
    from torch_geometric.nn import GCNConv
    torch.manual_seed(3)
    ei = torch.tensor([[0, 1, 1, 2, 3], [1, 0, 2, 1, 0]])
    w = torch.tensor([0.5, 0.5, 2.0, 2.0, 1.0])
    conv = HomoGCN([3, 2], 4, act="identity")
    xs = [torch.randn(5, 3), torch.randn(5, 2)]
    refs = []
    for c, x in zip(conv.convs, xs):
        ref = GCNConv(x.size(1), 4)
        ref.load_state_dict(c.state_dict())
        refs.append(ref(x, ei, w))
    expected = conv.lin(torch.cat(refs, dim=-1))
    assert torch.allclose(conv(xs, ei, w), expected, atol=1e-6)
