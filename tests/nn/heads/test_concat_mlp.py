import pytest
import torch

from rnagraph.nn.heads import ConcatMLPHead


def test_single_layer_is_linear_on_concatenation():
    head = ConcatMLPHead(2, 1, num_layers=1)
    with torch.no_grad():
        head.mlp.weight.copy_(torch.tensor([[1.0, -1.0, 2.0]]))
        head.mlp.bias.fill_(1.0)
    x_src = torch.tensor([[3.0, 1.0]])
    x_dst = torch.tensor([[0.5], [2.0]])
    out = head(x_src, x_dst, torch.tensor([[0, 0], [0, 1]]))
    # 3 - 1 + 2*0.5 + 1 = 4 ; 3 - 1 + 4 + 1 = 7
    assert out.tolist() == [4.0, 7.0]


def test_order_of_pair_matters():
    torch.manual_seed(0)
    head = ConcatMLPHead(3, 3)
    x = torch.randn(2, 3)
    a = head(x, x, torch.tensor([[0], [1]]))
    b = head(x, x, torch.tensor([[1], [0]]))
    assert not torch.allclose(a, b)


def test_rejects_zero_layers():
    with pytest.raises(ValueError, match="num_layers"):
        ConcatMLPHead(2, 2, num_layers=0)
