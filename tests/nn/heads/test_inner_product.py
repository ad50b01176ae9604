import torch

from rnagraph.nn.heads import InnerProductHead


def test_hand_computed():
    x_src = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
    x_dst = torch.tensor([[3.0, 1.0], [2.0, 2.0], [1.0, 0.0]])
    eli = torch.tensor([[0, 1, 0], [0, 1, 2]])
    # 1*3+2*1 = 5; 0*2-1*2 = -2; 1*1+0 = 1
    assert InnerProductHead()(x_src, x_dst, eli).tolist() == [5.0, -2.0, 1.0]
