import math

import pytest
import torch
from torch_geometric.nn import HeteroConv
from torch_geometric.utils import scatter

from rnagraph.nn.conv import BilinearInteraction


def _hand_layer(softmax: bool = True) -> BilinearInteraction:
    layer = BilinearInteraction(1, 1, heads=1, k=2, softmax=softmax, root_weight=False,
                                bias=False)
    with torch.no_grad():
        layer.lin_src.weight.copy_(torch.tensor([[1.0], [2.0]]))
        layer.lin_src.bias.zero_()
        layer.lin_dst.weight.copy_(torch.tensor([[1.0], [1.0]]))
        layer.lin_dst.bias.zero_()
        layer.att.weight = torch.tensor([[1.0, 1.0]])
        layer.att.bias.zero_()
        layer.lin_out.weight.fill_(1.0)
    return layer


def test_hand_computed_two_sources_one_destination():
    x_src, x_dst = torch.tensor([[1.0], [2.0]]), torch.tensor([[3.0]])
    ei = torch.tensor([[0, 1], [0, 0]])
    # u = [1,2], [2,4]; v = [3,3]; z = [3,6], [6,12]; a = 9, 18; m = 9, 18
    layer = _hand_layer()
    out, (_, alpha) = layer((x_src, x_dst), ei, return_attention_weights=True)
    a0, a1 = 1 / (1 + math.exp(9)), 1 / (1 + math.exp(-9))
    assert alpha.view(-1).tolist() == pytest.approx([a0, a1], rel=1e-5)
    assert out.item() == pytest.approx(a0 * 9 + a1 * 18, rel=1e-5)
    # source side: each source has one neighbour, alpha = 1
    assert layer((x_src, x_dst), ei, target="src").view(-1).tolist() == pytest.approx([9, 18])
    # BAN's raw (unnormalised) maps: 9 * 9 + 18 * 18
    assert _hand_layer(False)((x_src, x_dst), ei).item() == pytest.approx(405.0)


def test_shapes_repr_and_isolated_nodes_get_root_term():
    torch.manual_seed(0)
    layer = BilinearInteraction((3, 5), 4, heads=2, k=3)
    x_src, x_dst = torch.randn(6, 3), torch.randn(7, 5)
    ei = torch.tensor([[0, 1, 2, 5], [1, 1, 3, 6]])
    out_d = layer((x_src, x_dst), ei)
    out_s = layer((x_src, x_dst), ei, target="src")
    assert out_d.shape == (7, 4) and out_s.shape == (6, 4)
    assert repr(layer) == "BilinearInteraction((3, 5), 4, heads=2, k=3)"
    # destination 0 has no edges: only the root term (bias is zero at init)
    assert torch.allclose(out_d[0], layer.lin_root_dst(x_dst[0]))


def test_gradients_reach_every_parameter():
    layer = BilinearInteraction((3, 5), 4)
    x = (torch.randn(6, 3), torch.randn(7, 5))
    ei = torch.tensor([[0, 1, 2, 5, 5], [1, 1, 3, 6, 1]])
    loss = layer(x, ei).square().sum() + layer(x, ei, target="src").square().sum()
    loss.backward()
    for name, p in layer.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_reset_parameters_restores_output():
    layer = BilinearInteraction(3, 4)
    x = (torch.randn(5, 3), torch.randn(4, 3))
    ei = torch.tensor([[0, 1, 4], [1, 1, 3]])
    torch.manual_seed(3)
    layer.reset_parameters()
    before = layer(x, ei).detach()
    with torch.no_grad():
        for p in layer.parameters():
            p.mul_(1.7).add_(0.2)
    assert not torch.allclose(layer(x, ei), before)
    torch.manual_seed(3)
    layer.reset_parameters()
    assert torch.allclose(layer(x, ei), before)


def test_node_permutation_equivariance():
    layer = BilinearInteraction((3, 5), 4)
    x_src, x_dst = torch.randn(6, 3), torch.randn(7, 5)
    ei = torch.tensor([[0, 1, 2, 5, 5], [1, 1, 3, 6, 1]])
    ps, pd = torch.randperm(6), torch.randperm(7)
    ei_p = torch.stack([torch.argsort(ps)[ei[0]], torch.argsort(pd)[ei[1]]])
    for target, perm in (("dst", pd), ("src", ps)):
        out = layer((x_src, x_dst), ei, target=target)
        out_p = layer((x_src[ps], x_dst[pd]), ei_p, target=target)
        assert torch.allclose(out_p, out[perm], atol=1e-5)


def test_memory_linear_in_scored_pairs():
    # 50k x 50k nodes: an all-pairs x (k * F) tensor would need ~240 GB; a few edges must work.
    layer = BilinearInteraction(4, 8, heads=2, k=3)
    n = 50_000
    x = (torch.randn(n, 4), torch.randn(n, 4))
    ei = torch.randint(0, n, (2, 64))
    assert layer(x, ei).shape == (n, 8)


def test_inside_heteroconv():
    et, rev = ("circrna", "binds", "mirna"), ("mirna", "rev_binds", "circrna")
    conv = HeteroConv({et: BilinearInteraction((3, 5), 4),
                       rev: BilinearInteraction((5, 3), 4)})
    x = {"circrna": torch.randn(6, 3), "mirna": torch.randn(4, 5)}
    ei = torch.tensor([[0, 1, 5], [1, 1, 3]])
    out = conv(x, {et: ei, rev: ei.flip(0)})
    assert out["mirna"].shape == (4, 4) and out["circrna"].shape == (6, 4)


def test_errors():
    with pytest.raises(ValueError, match="target"):
        BilinearInteraction(2, 2)((torch.randn(2, 2), torch.randn(2, 2)),
                                  torch.tensor([[0], [1]]), target="all")
    with pytest.raises(ValueError, match="heads"):
        BilinearInteraction(2, 2, heads=0)


def test_target_both_equals_the_two_single_sides():
    torch.manual_seed(4)
    layer = BilinearInteraction((5, 3), 4, heads=2, k=2)
    x = (torch.randn(6, 5), torch.randn(4, 3))
    ei = torch.tensor([[0, 1, 2, 5, 5], [0, 0, 3, 1, 2]])
    out_src, out_dst = layer(x, ei, target="both")
    assert torch.allclose(out_src, layer(x, ei, target="src"))
    assert torch.allclose(out_dst, layer(x, ei, target="dst"))
    (s, d), (_, (a_s, a_d)) = layer(x, ei, target="both", return_attention_weights=True)
    assert torch.allclose(a_d, layer(x, ei, return_attention_weights=True)[1][1])
    # src-side attention sums to one over each source node's edges
    assert torch.allclose(scatter(a_s, ei[0], dim=0, dim_size=6, reduce="sum")[[0, 1, 2, 5]],
                          torch.ones(4, 2))
