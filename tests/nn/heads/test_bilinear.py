import torch

from rnagraph.nn.heads import BilinearHead


def test_hand_computed_distmult():
    head = BilinearHead(2)
    with torch.no_grad():
        head.rel.copy_(torch.tensor([2.0, -1.0]))
    x_src = torch.tensor([[1.0, 2.0]])
    x_dst = torch.tensor([[3.0, 1.0], [0.5, 4.0]])
    eli = torch.tensor([[0, 0], [0, 1]])
    # 1*2*3 + 2*(-1)*1 = 4 ; 1*2*0.5 + 2*(-1)*4 = -7
    assert head(x_src, x_dst, eli).tolist() == [4.0, -7.0]


def test_untrained_equals_inner_product():
    x = torch.randn(3, 5)
    eli = torch.tensor([[0, 1, 2], [2, 1, 0]])
    assert torch.allclose(BilinearHead(5)(x, x, eli), (x[eli[0]] * x[eli[1]]).sum(-1))
