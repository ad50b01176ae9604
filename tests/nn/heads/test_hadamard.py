import torch

from rnagraph.nn.heads import HadamardHead


def test_hand_computed():
    head = HadamardHead(2)
    with torch.no_grad():
        head.lin.weight.copy_(torch.tensor([[1.0, 3.0]]))
        head.lin.bias.fill_(0.5)
    x_src = torch.tensor([[1.0, 2.0]])
    x_dst = torch.tensor([[3.0, -1.0]])
    # 1*(1*3) + 3*(2*-1) + 0.5 = -2.5
    assert head(x_src, x_dst, torch.tensor([[0], [0]])).tolist() == [-2.5]
