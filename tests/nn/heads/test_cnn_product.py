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


@pytest.mark.parametrize("channels,k,ks,pool", [(8, 4, 3, 2), (7, 3, 5, 2), (9, 2, 1, 3)])
def test_matches_conv1d_maxpool_reference(channels, k, ks, pool):
    # the unfold+matmul convolution and reshape+amax pooling equal torch's Conv1d / MaxPool1d
    # (also when pool does not divide the width), and the blocked pair product equals the
    # gathered [N, F] product through the linear layer
    torch.manual_seed(1)
    head = CNNProductHead(channels, num_filters=k, kernel_size=ks, pool=pool)
    x_src, x_dst = torch.randn(6, channels), torch.randn(5, channels)
    pairs = torch.tensor([[0, 5, 3, 3, 1], [4, 0, 2, 2, 1]])

    def ref_cnn(conv, x):
        h = torch.relu(conv(x.unsqueeze(1)))
        return torch.nn.functional.max_pool1d(h, pool).flatten(1)

    m, c = head.embed(x_src, x_dst)
    assert torch.allclose(m, ref_cnn(head.conv_src, x_src), atol=1e-6)
    assert torch.allclose(c, ref_cnn(head.conv_dst, x_dst), atol=1e-6)
    ref = head.lin(ref_cnn(head.conv_src, x_src)[pairs[0]]
                   * ref_cnn(head.conv_dst, x_dst)[pairs[1]]).view(-1)
    assert torch.allclose(head(x_src, x_dst, pairs), ref, atol=1e-6)


def test_grid_equals_forward_of_every_pair():
    torch.manual_seed(0)
    head = CNNProductHead(10, num_filters=3, kernel_size=5, pool=3)
    x_src, x_dst = torch.randn(4, 10), torch.randn(6, 10)
    pairs = torch.stack([torch.arange(4).repeat_interleave(6), torch.arange(6).repeat(4)])
    grid = head.grid(x_src, x_dst)
    assert grid.shape == (4, 6)
    assert torch.allclose(grid.reshape(-1), head(x_src, x_dst, pairs), atol=1e-6)
