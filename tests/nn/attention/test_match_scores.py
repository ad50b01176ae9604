import torch

from rnagraph.nn import MatchScores


def test_best_logit_over_valid_cells_by_hand():
    # pair 0: valid 2 x 2 corner; the 9 in a padded cell is ignored -> channel maxima 4, -1
    maps = torch.tensor([[[[1.0, 4.0, 9.0], [3.0, 2.0, 0.0]],
                          [[-1.0, -2.0, 9.0], [-3.0, -4.0, 9.0]]]])
    mask_mi, mask_m = torch.tensor([[True, True]]), torch.tensor([[True, True, False]])
    layer = MatchScores()
    torch.testing.assert_close(layer(maps, mask_mi, mask_m), torch.tensor([[4.0, -1.0]]))
    # no valid target position: zeros
    none = layer(maps, mask_mi, torch.zeros(1, 3, dtype=torch.bool))
    assert torch.equal(none, torch.zeros(1, 2))
    layer.reset_parameters()                          # nothing to reset
    assert not list(layer.parameters()) and repr(layer) == "MatchScores()"
