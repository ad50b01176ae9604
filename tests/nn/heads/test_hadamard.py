import torch

from rnagraph.models.base import block_close
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


def test_blocked_scores_equal_the_linear_layer_on_the_gathered_products():
    # 9,000 pairs: pair_dot scores them in three blocks of at most 4,096; the paper's form
    # gathers every [N, F] product at once, so the two agree within the block tolerance
    g = torch.Generator().manual_seed(0)
    head = HadamardHead(16)
    x_src, x_dst = torch.randn(50, 16, generator=g), torch.randn(40, 16, generator=g)
    eli = torch.stack([torch.randint(50, (9000,), generator=g),
                       torch.randint(40, (9000,), generator=g)])
    with torch.no_grad():
        want = head.lin(x_src[eli[0]] * x_dst[eli[1]]).view(-1)
        got = head(x_src, x_dst, eli)
    assert got.shape == (9000,) and block_close(got, want)
    assert not block_close(got + 1e-3, want)
