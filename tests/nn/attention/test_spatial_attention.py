import pytest
import torch

from rnagraph.nn.attention import SpatialAttention


def test_hand_computed_kernel_three():
    att = SpatialAttention(3)
    with torch.no_grad():
        att.conv.weight.copy_(torch.tensor([[[0.0, 0.0, 0.0], [1.0, 0.0, 1.0]]]))  # max, neighbours
    x = torch.tensor([[[1.0, 5.0, 2.0], [3.0, 0.0, 0.0]]])   # channel max: [3, 5, 2]
    # position d sees max[d-1] + max[d+1] with zero padding: [5, 5, 5]
    out = att(x)
    assert out.shape == (1, 1, 3)
    assert out.view(-1).tolist() == pytest.approx([torch.sigmoid(torch.tensor(5.0)).item()] * 3)
    assert repr(att) == "SpatialAttention(kernel_size=3)"


def test_each_node_independent():
    att = SpatialAttention(5)
    x = torch.randn(3, 4, 10)
    y = x.clone()
    y[0] = 7.0
    assert torch.allclose(att(x)[1:], att(y)[1:])
