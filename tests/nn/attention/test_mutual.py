import pytest
import torch

from rnagraph.nn import MutualAttention


def _rows(att, h, mask, side):
    return att.project(h, mask, side)


def test_pooled_outputs_by_reference_and_zero_without_a_side():
    # [max_t A^mi_t || max_t A^m_t]: each direction is the CrossAttention of its own, max
    # over the valid queries; a pair without a valid target position gets zeros
    torch.manual_seed(0)
    att = MutualAttention(4, heads=2).eval()
    h_mi, h_m = torch.randn(2, 3, 4), torch.randn(2, 6, 4)
    k_mi = torch.tensor([[True, True, False], [True, True, True]])
    k_m = torch.tensor([[True] * 4 + [False] * 2, [False] * 6])
    with torch.no_grad():
        z, w, maps = att(_rows(att, h_mi, k_mi, "mi"), _rows(att, h_m, k_m, "m"))
    assert z.shape == (2, 8) and maps is None
    assert w["mirna"].shape == (2, 2, 3, 6) and w["mrna"].shape == (2, 2, 6, 3)
    a_mi, _ = att.att_mi(h_mi[:1], k_mi[:1], h_m[:1], k_m[:1])
    a_m, _ = att.att_m(h_m[:1], k_m[:1], h_mi[:1], k_mi[:1])
    want = torch.cat([a_mi[0, :2].amax(0), a_m[0, :4].amax(0)])
    torch.testing.assert_close(z[0], want, atol=1e-6, rtol=1e-5)
    assert torch.all(z[1] == 0)


def test_logit_maps_stack_both_directions():
    torch.manual_seed(0)
    att = MutualAttention(4, heads=2)
    h_mi, h_m = torch.randn(1, 3, 4), torch.randn(1, 5, 4)
    k_mi, k_m = torch.ones(1, 3, dtype=torch.bool), torch.ones(1, 5, dtype=torch.bool)
    for grad in (False, True):           # scoring (one channels-last buffer) and training
        with torch.set_grad_enabled(grad):
            _, _, maps = att(_rows(att, h_mi, k_mi, "mi"), _rows(att, h_m, k_m, "m"),
                             return_logits=True)
        assert maps.shape == (1, 4, 3, 5)
        q = att.att_m.queries(h_m)                            # target queries, head 0
        k = att.att_m.keys(h_mi, k_mi)[0]
        torch.testing.assert_close(maps[0, 2].detach(), (q @ k)[0, 0].T.detach())


def test_project_side_reset_and_repr():
    att = MutualAttention(4, heads=2)
    with pytest.raises(ValueError, match="side must be 'mi' or 'm'"):
        att.project(torch.zeros(1, 2, 4), torch.ones(1, 2, dtype=torch.bool), "circ")
    rows = att.project(torch.randn(1, 3, 4), torch.tensor([[True, False, False]]), "mi",
                       zero_padding=True)
    assert torch.all(rows["q"][:, :, 1:] == 0) and torch.all(rows["k"][..., 1:] == 0)
    torch.manual_seed(1)
    att.reset_parameters()
    first = {k: v.clone() for k, v in att.state_dict().items()}
    with torch.no_grad():
        for p in att.parameters():
            p.add_(1.0)
    torch.manual_seed(1)
    att.reset_parameters()
    assert all(torch.equal(v, first[k]) for k, v in att.state_dict().items())
    assert repr(att) == "MutualAttention(4, heads=2)" and att.out_channels == 8
