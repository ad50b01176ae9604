import pytest
import torch

from rnagraph.nn import TokenEmbedding


def test_initial_table_padding_row_and_reset():
    init = torch.arange(12.0).view(4, 3)
    emb = TokenEmbedding(4, 3, init=init)
    assert emb.padding_idx == 3 and torch.all(emb.weight[3] == 0)   # the last id by default
    torch.testing.assert_close(emb(torch.tensor([[0, 2, 3]])),
                               torch.tensor([[[0.0, 1, 2], [6, 7, 8], [0, 0, 0]]]))
    with torch.no_grad():
        emb.weight.add_(1.0)
    emb.reset_parameters()                                   # back to the given table
    torch.testing.assert_close(emb.weight[:3], init[:3])
    assert torch.all(emb.weight[3] == 0)


def test_random_table_resets_by_seed_and_freeze():
    emb = TokenEmbedding(5, 2, padding_idx=0, freeze=True)
    assert not emb.weight.requires_grad and emb.initial is None
    torch.manual_seed(2)
    emb.reset_parameters()
    first = emb.weight.clone()
    torch.manual_seed(2)
    emb.reset_parameters()
    assert torch.equal(emb.weight, first) and torch.all(first[0] == 0)
    assert repr(emb) == "TokenEmbedding(5, 2, padding_idx=0, init=False, freeze=True)"
    with pytest.raises(ValueError, match=r"init has shape \(2, 2\), expected \(5, 2\)"):
        TokenEmbedding(5, 2, init=torch.zeros(2, 2))
