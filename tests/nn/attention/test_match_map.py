import pytest
import torch

from rnagraph.nn import MatchMap


def test_centre_tap_is_the_relu_of_the_best_valid_cell():
    # a kernel with only its centre tap (weight 1, bias 0) copies each cell: the output is
    # ReLU(max over valid cells) = ReLU(3); with that kernel a padded cell's 9 reaches only
    # its own output, which the mask leaves out; negated maps: ReLU(4)
    layer = MatchMap(1, 1)
    with torch.no_grad():
        layer.conv.weight.zero_()
        layer.conv.weight[0, 0, 1, 1] = 1.0
        layer.conv.bias.zero_()
    maps = torch.tensor([[[[1.0, -4.0, 9.0], [3.0, 2.0, 9.0]]]])
    mask_mi, mask_m = torch.tensor([[True, True]]), torch.tensor([[True, True, False]])
    with torch.no_grad():
        torch.testing.assert_close(layer(maps, mask_mi, mask_m), torch.tensor([[3.0]]))
        torch.testing.assert_close(layer(-maps, mask_mi, mask_m), torch.tensor([[4.0]]))
        assert layer(maps, torch.tensor([[False, False]]), mask_m).item() == 0.0


def test_training_path_agrees_and_padding_does_not_matter():
    torch.manual_seed(0)
    layer = MatchMap(4, 3)
    maps = torch.randn(2, 4, 3, 5)
    mask_mi = torch.tensor([[True, True, False], [True, True, True]])
    mask_m = torch.tensor([[True] * 5, [True, True, False, False, False]])
    maps = maps * (mask_mi[:, None, :, None] & mask_m[:, None, None, :])   # zero outside
    with torch.no_grad():
        z = layer(maps, mask_mi, mask_m)
        wider = torch.nn.functional.pad(maps, (0, 2, 0, 1))
        z2 = layer(wider, torch.nn.functional.pad(mask_mi, (0, 1)),
                   torch.nn.functional.pad(mask_m, (0, 2)))
    torch.testing.assert_close(z2, z)
    z_grad = layer(maps.requires_grad_(), mask_mi, mask_m)
    torch.testing.assert_close(z_grad.detach(), z)
    assert z.shape == (2, 3) and bool((z >= 0).all())


def test_reset_parameters_and_repr():
    layer = MatchMap(4, 3)
    torch.manual_seed(1)
    layer.reset_parameters()
    first = layer.conv.weight.clone()
    with torch.no_grad():
        layer.conv.weight.add_(1.0)
    torch.manual_seed(1)
    layer.reset_parameters()
    assert torch.equal(layer.conv.weight, first) and repr(layer) == "MatchMap(4, 3)"
    with pytest.raises(ValueError, match="must be >= 1"):
        MatchMap(4, 0)
