import pytest
import torch

from rnagraph.nn.heads import CNNProductHead


def test_hand_computed_single_filter():
    head = CNNProductHead(4, num_filters=1, kernel_size=1, pool=2)
    with torch.no_grad():
        for conv in (head.conv_src, head.conv_dst):
            conv.weight.fill_(1.0)
            conv.bias.fill_(0.0)
        head.lin.weight.copy_(torch.tensor([[1.0, 2.0]]))
        head.lin.bias.fill_(0.0)
    x_src = torch.tensor([[1.0, -3.0, 2.0, 5.0]])   # relu -> [1,0,2,5]; maxpool2 -> [1,5]
    x_dst = torch.tensor([[0.0, 2.0, -1.0, 1.0]])   # relu -> [0,2,0,1]; maxpool2 -> [2,1]
    out = head(x_src, x_dst, torch.tensor([[0], [0]]))
    # product [2, 5] -> 1*2 + 2*5 = 12
    assert out.tolist() == [12.0]
    assert head.out_channels == 2


def test_cnn_is_per_node_not_across_nodes():
    torch.manual_seed(0)
    head = CNNProductHead(6)
    x_src, x_dst = torch.randn(3, 6), torch.randn(2, 6)
    m, _ = head.embed(x_src, x_dst)
    x_src2 = x_src.clone()
    x_src2[1:] = 100.0   # change other nodes only
    m2, _ = head.embed(x_src2, x_dst)
    assert torch.allclose(m[0], m2[0])


def test_shared_weights_and_errors():
    head = CNNProductHead(4, shared=True)
    assert head.conv_src is head.conv_dst
    assert len(list(head.parameters())) == 4
    with pytest.raises(ValueError, match="odd"):
        CNNProductHead(4, kernel_size=2)
    with pytest.raises(ValueError, match=r"\[N, 4\]"):
        head.embed(torch.randn(2, 5), torch.randn(2, 4))
