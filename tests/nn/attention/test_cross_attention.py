import math

import pytest
import torch

from rnagraph.nn import CrossAttention


def _identity(att: CrossAttention) -> CrossAttention:
    with torch.no_grad():
        for lin in (att.q, att.k, att.v, att.out):
            lin.weight.copy_(torch.eye(att.channels))
            lin.bias.zero_()
    return att


def test_one_head_by_hand():
    # identity projections, d = 1: the query 1 over keys 0 and ln 3 has logits 0 and ln 3,
    # weights 1/4 and 3/4, output 3/4 ln 3; the padded key (100) gets no weight
    att = _identity(CrossAttention(1, heads=1))
    x = torch.tensor([[[1.0]]])
    y = torch.tensor([[[0.0], [math.log(3)], [100.0]]])
    out, w = att(x, torch.tensor([[True]]), y, torch.tensor([[True, True, False]]))
    torch.testing.assert_close(w[0, 0, 0], torch.tensor([0.25, 0.75, 0.0]))
    torch.testing.assert_close(out[0, 0, 0], torch.tensor(0.75 * math.log(3)))


def test_no_valid_key_or_query_gets_zero_weights():
    torch.manual_seed(0)
    att = CrossAttention(4, heads=2)
    x, y = torch.randn(2, 3, 4), torch.randn(2, 5, 4)
    x_mask = torch.tensor([[True, True, False], [True, True, True]])
    y_mask = torch.tensor([[True, False, True, False, False], [False] * 5])
    out, w = att(x, x_mask, y, y_mask)
    assert out.shape == (2, 3, 4) and w.shape == (2, 2, 3, 5)
    torch.testing.assert_close(w[0, :, :2].sum(-1), torch.ones(2, 2))
    assert torch.all(w[0, :, 2] == 0) and torch.all(w[1] == 0)
    # no attention at all: only the output projection's bias is left
    torch.testing.assert_close(out[1], att.out.bias.expand(3, 4))


def test_reset_parameters_and_repr():
    att = CrossAttention(4, heads=2)
    torch.manual_seed(1)
    att.reset_parameters()
    first = {k: v.clone() for k, v in att.state_dict().items()}
    _identity(att)
    torch.manual_seed(1)
    att.reset_parameters()
    assert all(torch.equal(v, first[k]) for k, v in att.state_dict().items())
    assert repr(att) == "CrossAttention(4, heads=2)"
    with pytest.raises(ValueError, match="heads=3 must divide the feature size 4"):
        CrossAttention(4, heads=3)
