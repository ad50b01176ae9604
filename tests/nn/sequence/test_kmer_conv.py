import pytest
import torch

from rnagraph.nn import KmerConv


def test_a_summing_kernel_by_hand_with_masked_padding():
    # kernel [1, 1, 1], no bias, pool 2: the sequence 1 2 3 4 (length 4; 100 is padding)
    # convolves to 3 6 9 7 (zero padding at the ends and in place of the 100) and 0 at the
    # padded position, then pools to max(3, 6) = 6, max(9, 7) = 9, 0; lengths ceil(4 / 2) = 2
    layer = KmerConv(1, 1, kernel_size=3, pool_size=2)
    with torch.no_grad():
        layer.conv.weight.fill_(1.0)
        layer.conv.bias.zero_()
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0, 100.0]]).unsqueeze(-1)
    y, lengths = layer(x, torch.tensor([4]))
    assert y.shape == (1, 3, 1) and lengths.tolist() == [2]
    torch.testing.assert_close(y[0, :, 0], torch.tensor([6.0, 9.0, 0.0]))


def test_shapes_and_padding_invariance():
    torch.manual_seed(0)
    layer = KmerConv(4, 6, kernel_size=5, pool_size=3)
    lengths = torch.tensor([7, 2, 0])
    x = torch.randn(3, 7, 4) * (torch.arange(7) < lengths[:, None]).unsqueeze(-1)
    y, out_len = layer(x, lengths)
    assert y.shape == (3, 3, 6) and out_len.tolist() == [3, 1, 0]
    wide = torch.cat([x, torch.randn(3, 5, 4)], 1)            # more padding, junk in it
    y2, _ = layer(wide, lengths)
    torch.testing.assert_close(y2[:, :3], y)
    assert torch.all(y2[:, 3:] == 0) and torch.all(y[2] == 0)


def test_reset_parameters_and_repr():
    layer = KmerConv(2, 3)
    torch.manual_seed(1)
    layer.reset_parameters()
    first = layer.conv.weight.clone()
    with torch.no_grad():
        layer.conv.weight.add_(1.0)
    torch.manual_seed(1)
    layer.reset_parameters()
    assert torch.equal(layer.conv.weight, first)
    assert repr(layer) == "KmerConv(2, 3, kernel_size=5, pool_size=2)"
    with pytest.raises(ValueError, match="pool_size must be >= 1"):
        KmerConv(2, 3, pool_size=0)
