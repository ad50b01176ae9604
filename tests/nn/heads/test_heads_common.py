"""Properties every link-prediction head must have."""
import pytest
import torch
import torch_geometric

from rnagraph.nn.heads import (
    BilinearHead,
    CNNProductHead,
    ConcatMLPHead,
    HadamardHead,
    InnerProductHead,
)

F = 8
HEADS = {
    "inner": (lambda: InnerProductHead(), "InnerProductHead()"),
    "mlp": (lambda: ConcatMLPHead(F, F, hidden_channels=16),
            "ConcatMLPHead(8, 8, hidden_channels=16, num_layers=2)"),
    "bilinear": (lambda: BilinearHead(F), "BilinearHead(8)"),
    "hadamard": (lambda: HadamardHead(F), "HadamardHead(8)"),
    "cnn": (lambda: CNNProductHead(F), "CNNProductHead(8, num_filters=4, kernel_size=3, pool=2)"),
}


def _inputs(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x_src = torch.randn(5, F, generator=g)
    x_dst = torch.randn(4, F, generator=g)
    eli = torch.tensor([[0, 1, 4, 2, 3, 0], [3, 0, 1, 2, 2, 0]])
    return x_src, x_dst, eli


@pytest.mark.parametrize("name", list(HEADS))
def test_shape_and_repr(name):
    make, rep = HEADS[name]
    head = make()
    out = head(*_inputs())
    assert out.shape == (6,)
    assert repr(head) == rep


@pytest.mark.parametrize("name", list(HEADS))
def test_gradients_reach_every_parameter_and_inputs(name):
    head = HEADS[name][0]()
    x_src, x_dst, eli = _inputs()
    x_src.requires_grad_(True)
    x_dst.requires_grad_(True)
    head(x_src, x_dst, eli).square().sum().backward()
    for pname, p in head.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, pname
    assert x_src.grad.abs().sum() > 0 and x_dst.grad.abs().sum() > 0


@pytest.mark.parametrize("name", list(HEADS))
def test_reset_parameters_restores_initial_output(name):
    head = HEADS[name][0]()
    torch.manual_seed(1)
    head.reset_parameters()
    inp = _inputs()
    before = head(*inp).detach()
    with torch.no_grad():
        for p in head.parameters():
            p.add_(1.0)
    if list(head.parameters()):
        assert not torch.allclose(head(*inp), before)
    torch.manual_seed(1)
    head.reset_parameters()
    assert torch.allclose(head(*inp), before)


@pytest.mark.parametrize("name", list(HEADS))
def test_node_permutation_invariance(name):
    head = HEADS[name][0]()
    x_src, x_dst, eli = _inputs()
    ps, pd = torch.randperm(5), torch.randperm(4)
    inv_s, inv_d = torch.argsort(ps), torch.argsort(pd)
    # row r of the permuted matrix holds node ps[r]; node i now sits at inv_s[i]
    eli_perm = torch.stack([inv_s[eli[0]], inv_d[eli[1]]])
    assert torch.allclose(head(x_src[ps], x_dst[pd], eli_perm), head(x_src, x_dst, eli),
                          atol=1e-6)


@pytest.mark.parametrize("name", list(HEADS))
def test_bad_index_raises(name):
    head = HEADS[name][0]()
    x_src, x_dst, _ = _inputs()
    # the named range check runs in PyG's debug mode (it reads index maxima to the host) ...
    with torch_geometric.debug(), pytest.raises(ValueError, match="out of range"):
        head(x_src, x_dst, torch.tensor([[0], [4]]))
    # ... outside it the gather itself still refuses the index
    with pytest.raises(IndexError, match="out of (range|bounds)"):
        head(x_src, x_dst, torch.tensor([[0], [4]]))
    with pytest.raises(ValueError, match=r"\[2, N\]"):
        head(x_src, x_dst, torch.tensor([0, 1]))


def test_pair_dot_blocks_equal_one_gather():
    from rnagraph.nn.heads._utils import pair_dot
    torch.manual_seed(0)
    a = torch.randn(7, 5, requires_grad=True)
    b = torch.randn(4, 5, requires_grad=True)
    pairs = torch.stack([torch.randint(0, 7, (23,)), torch.randint(0, 4, (23,))])
    ref = (a[pairs[0]] * b[pairs[1]]).sum(-1)
    out = pair_dot(a, b, pairs, chunk_size=4)          # 6 blocks, the last one short
    assert torch.allclose(out, ref)
    g = torch.randn(23)
    ga, gb = torch.autograd.grad((out * g).sum(), (a, b))
    ra, rb = torch.autograd.grad((ref * g).sum(), (a, b))
    assert torch.allclose(ga, ra) and torch.allclose(gb, rb)


def test_pair_dot_sparse_backward_passes_gradcheck_and_handles_one_shared_input():
    from rnagraph.nn.heads._utils import pair_dot
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(6, 3, dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(5, 3, dtype=torch.float64, generator=gen, requires_grad=True)
    pairs = torch.tensor([[0, 0, 5, 2, 2, 2], [4, 4, 0, 1, 3, 1]])   # repeated pairs and rows
    assert torch.autograd.gradcheck(lambda x, y: pair_dot(x, y, pairs, chunk_size=4), (a, b))
    # one input on both sides (a homogeneous graph): both gradient paths add up
    (ga,) = torch.autograd.grad(pair_dot(a, a, pairs % 5).sum(), a)
    (ra,) = torch.autograd.grad((a[pairs[0] % 5] * a[pairs[1] % 5]).sum(), a)
    torch.testing.assert_close(ga, ra)
    # only one side learnable: no gradient is computed for the other
    c = b.detach()
    (gb,) = torch.autograd.grad(pair_dot(a, c, pairs).sum(), a)
    (rb,) = torch.autograd.grad((a[pairs[0]] * c[pairs[1]]).sum(), a)
    torch.testing.assert_close(gb, rb)
