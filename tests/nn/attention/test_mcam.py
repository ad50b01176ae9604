import math

import pytest
import torch

from rnagraph.nn.attention import MCAM


def _sig(v: float) -> float:
    return 1 / (1 + math.exp(-v))


def test_hand_computed_one_node():
    mcam = MCAM(num_views=2, in_channels=3, hidden_channels=1, kernel_size=1, pool="node",
                fusion="mean")
    with torch.no_grad():
        mcam.channel_att.lin1.weight.copy_(torch.tensor([[1.0, 0.0]]))
        mcam.channel_att.lin2.weight.copy_(torch.tensor([[1.0], [-1.0]]))
        mcam.spatial_att.conv.weight.copy_(torch.tensor([[[1.0], [0.0]]]))  # avg only
    x = torch.tensor([[[1.0, 2.0, 3.0], [0.0, 0.0, -3.0]]])
    out, (a_c, a_s) = mcam(x, return_attention=True)
    # channel: max over D = [3, 0], avg = [2, -1]; f(z) = [relu(z0), -relu(z0)]
    # a_c = sigmoid([3 + 2, -3 - 2])
    c0, c1 = _sig(5), _sig(-5)
    assert a_c.view(-1).tolist() == pytest.approx([c0, c1], rel=1e-6)
    xp = [[c0 * 1, c0 * 2, c0 * 3], [0.0, 0.0, -3 * c1]]
    # spatial: sigmoid(mean over channels) per feature position
    s = [_sig((xp[0][d] + xp[1][d]) / 2) for d in range(3)]
    assert a_s.view(-1).tolist() == pytest.approx(s, rel=1e-6)
    expected = [(s[d] * xp[0][d] + s[d] * xp[1][d]) / 2 for d in range(3)]
    assert out.view(-1).tolist() == pytest.approx(expected, rel=1e-6)


def test_shapes_and_repr():
    mcam = MCAM(5, 16, out_channels=8)
    out, (a_c, a_s) = mcam(torch.randn(10, 5, 16), return_attention=True)
    assert out.shape == (10, 8) and a_c.shape == (1, 5, 1) and a_s.shape == (10, 1, 16)
    node = MCAM(5, 16, pool="node")
    assert node(torch.randn(10, 5, 16), return_attention=True)[1][0].shape == (10, 5, 1)
    assert repr(mcam) == "MCAM(num_views=5, in_channels=16, out_channels=8, pool='graph')"


def test_gradients_reach_every_parameter():
    mcam = MCAM(5, 16, pool="node")
    mcam(torch.randn(10, 5, 16)).square().sum().backward()
    for name, p in mcam.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_reset_parameters_restores_output():
    mcam = MCAM(5, 8)
    x = torch.randn(6, 5, 8)
    torch.manual_seed(2)
    mcam.reset_parameters()
    before = mcam(x).detach()
    with torch.no_grad():
        for p in mcam.parameters():
            p.add_(0.5)
    assert not torch.allclose(mcam(x), before)
    torch.manual_seed(2)
    mcam.reset_parameters()
    assert torch.allclose(mcam(x), before)


@pytest.mark.parametrize("pool", ["graph", "node"])
def test_node_permutation_equivariance(pool):
    mcam = MCAM(5, 8, pool=pool)
    x = torch.randn(9, 5, 8)
    perm = torch.randperm(9)
    assert torch.allclose(mcam(x[perm]), mcam(x)[perm], atol=1e-6)


def test_no_convolution_across_node_order():
    # with per-node pooling a node's output depends on its own features only
    mcam = MCAM(5, 8, pool="node")
    x = torch.randn(4, 5, 8)
    x2 = x.clone()
    x2[1] += 10.0
    x2[3] -= 4.0
    assert torch.allclose(mcam(x)[[0, 2]], mcam(x2)[[0, 2]], atol=1e-6)
    # paper's graph pooling shares one channel weight per view across nodes
    g = MCAM(5, 8, pool="graph")
    assert not torch.allclose(g(x)[0], g(x2)[0])


def test_errors():
    with pytest.raises(ValueError, match=r"\[N, 5, 8\]"):
        MCAM(5, 8)(torch.randn(3, 4, 8))
    with pytest.raises(ValueError, match="odd"):
        MCAM(5, 8, kernel_size=2)
    with pytest.raises(ValueError, match="pool"):
        MCAM(5, 8, pool="mean")
    with pytest.raises(ValueError, match="fusion"):
        MCAM(5, 8, fusion="max")
