import math

import pytest
import torch

from rnagraph.nn.losses import InfoNCE, within_group_ranking

X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
Y = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])


def test_three_nodes_dot_product_hand_computed():
    # logits X Y^T / 0.5: rows [2,0,0], [0,2,2], [2,2,2]; targets 0, 1, 2
    l0 = math.log(1 + 2 * math.exp(-2))
    l1 = math.log(1 + 2 * math.exp(2)) - 2
    l2 = math.log(3)
    loss = InfoNCE(temperature=0.5, normalize=False)(X, Y)
    assert loss.item() == pytest.approx((l0 + l1 + l2) / 3, rel=1e-6)
    total = InfoNCE(temperature=0.5, normalize=False, reduction="sum")(X, Y)
    assert total.item() == pytest.approx(l0 + l1 + l2, rel=1e-6)


def test_three_nodes_cosine_hand_computed_and_chunking():
    # cosines: rows [1,0,0], [0,1,1], [c,c,c] with c = 1/sqrt(2); tau = 0.1
    l0 = math.log(1 + 2 * math.exp(-10))
    l1 = math.log(1 + 2 * math.exp(10)) - 10
    l2 = math.log(3)
    expected = (l0 + l1 + l2) / 3
    assert InfoNCE()(X, Y).item() == pytest.approx(expected, rel=1e-5)
    assert InfoNCE(chunk_size=1)(X, Y).item() == pytest.approx(expected, rel=1e-5)
    # cosine ignores row scale
    assert InfoNCE()(3 * X, 0.5 * Y).item() == pytest.approx(expected, rel=1e-5)


def test_gradient_and_minimum():
    x = torch.randn(6, 4, requires_grad=True)
    InfoNCE()(x, torch.eye(6, 4)).backward()
    assert x.grad.abs().sum() > 0
    # aligned orthogonal views reach a lower loss than shuffled ones
    e = torch.eye(4)
    assert InfoNCE()(e, e) < InfoNCE()(e, e[[1, 0, 3, 2]])


def test_node_permutation_invariance():
    x, y = torch.randn(7, 3), torch.randn(7, 3)
    p = torch.randperm(7)
    assert torch.allclose(InfoNCE()(x[p], y[p]), InfoNCE()(x, y), atol=1e-6)


def test_repr_and_errors():
    assert repr(InfoNCE()) == "InfoNCE(temperature=0.1, normalize=True, reduction='mean')"
    with pytest.raises(ValueError, match="temperature"):
        InfoNCE(temperature=0.0)
    with pytest.raises(ValueError, match="equal shapes"):
        InfoNCE()(torch.randn(3, 2), torch.randn(2, 2))


def test_max_nodes_samples_a_subset():
    torch.manual_seed(0)
    x, y = torch.randn(9, 3), torch.randn(9, 3)
    # no sampling when N <= max_nodes: the exact loss
    assert InfoNCE(max_nodes=9)(x, y).item() == pytest.approx(InfoNCE()(x, y).item())
    # with M < N: the exact loss of the nodes drawn by torch.randperm under the same seed
    torch.manual_seed(5)
    sampled = InfoNCE(max_nodes=4)(x, y)
    torch.manual_seed(5)
    idx = torch.randperm(9)[:4]
    assert sampled.item() == pytest.approx(InfoNCE()(x[idx], y[idx]).item(), rel=1e-6)
    assert repr(InfoNCE(max_nodes=4)).endswith("max_nodes=4)")
    with pytest.raises(ValueError, match="max_nodes"):
        InfoNCE(max_nodes=1)


def test_within_group_ranking_hand_computed_and_group_offsets_cancel():
    logits = torch.tensor([2.0, 0.0, 1.0, 3.0, 5.0], requires_grad=True)
    labels = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0])
    groups = torch.tensor([0, 0, 1, 1, 2])       # group 2 has one class: no comparison
    loss = within_group_ranking(logits, labels, groups)
    # comparisons (2 vs 0) in group 0 and (3 vs 1) in group 1: both softplus(-2)
    assert loss.item() == pytest.approx(math.log1p(math.exp(-2.0)), rel=1e-6)
    loss.backward()
    g = -torch.sigmoid(torch.tensor(-2.0)).item() / 2
    assert torch.allclose(logits.grad, torch.tensor([g, -g, -g, g, 0.0]))
    shifted = logits.detach() + torch.tensor([10.0, 10.0, -4.0, -4.0, 7.0])
    assert within_group_ranking(shifted, labels, groups).item() == pytest.approx(loss.item())


def test_within_group_ranking_without_comparisons_is_a_zero_with_a_graph():
    x = torch.randn(4, requires_grad=True)
    loss = within_group_ranking(x, torch.tensor([1.0, 1.0, 0.0, 0.0]), torch.arange(4))
    assert loss.item() == 0.0 and loss.requires_grad
    with pytest.raises(ValueError, match="within_group_ranking"):
        within_group_ranking(x, torch.ones(3), torch.arange(4))
