import pytest
import torch

from rnagraph.nn.attention import ChannelAttention


def test_graph_pool_hand_computed():
    att = ChannelAttention(2, hidden_channels=1, pool="graph")
    with torch.no_grad():
        att.lin1.weight.copy_(torch.tensor([[0.0, 1.0]]))
        att.lin2.weight.copy_(torch.tensor([[2.0], [1.0]]))
    x = torch.tensor([[[1.0, 1.0], [2.0, 0.0]], [[0.0, 0.0], [4.0, 2.0]]])  # [N=2, C=2, D=2]
    # channel 1 over all nodes/features: max 4, mean 2 -> relu sum 6 -> logits [12, 6]
    out = att(x)
    assert out.shape == (1, 2, 1)
    assert out.view(-1).tolist() == pytest.approx(torch.sigmoid(torch.tensor([12.0, 6.0])).tolist())
    assert repr(att) == "ChannelAttention(2, hidden_channels=1, pool='graph')"
