import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnagraph.nn import PaddedLSTM


@pytest.mark.parametrize("bidirectional", [True, False])
def test_padded_lstm_equals_torchs_packed_lstm_values_and_gradients(bidirectional):
    # each direction runs over the padded batch (linear-time backward); reference: nn.LSTM
    # over packed sequences (each sequence alone, padding never read)
    torch.manual_seed(0)
    layer = PaddedLSTM(8, 6, bidirectional=bidirectional)
    lengths = torch.tensor([7, 3, 1, 5, 0])
    mask = (torch.arange(7) < lengths[:, None]).unsqueeze(-1)
    x = (torch.randn(5, 7, 8) * mask).requires_grad_()
    got = layer(x, lengths)
    (g_got,) = torch.autograd.grad((got * mask).pow(2).sum(), x)
    packed = pack_padded_sequence(x, lengths.clamp(min=1), batch_first=True,
                                  enforce_sorted=False)
    want = pad_packed_sequence(layer.rnn(packed)[0], batch_first=True, total_length=7)[0]
    (g_want,) = torch.autograd.grad((want * mask).pow(2).sum(), x)
    torch.testing.assert_close(got * mask, want * mask, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(g_got * mask, g_want * mask, rtol=1e-5, atol=1e-6)
    assert got.shape == (5, 7, layer.out_channels) == (5, 7, 12 if bidirectional else 6)


def test_reverse_direction_starts_at_the_last_valid_position():
    # by hand: with one sequence of length 2 padded to 4, the reverse direction's output at
    # position 1 is the LSTM's first step on x_1 alone (zero state), whatever the padding holds
    torch.manual_seed(0)
    layer = PaddedLSTM(3, 2)
    x = torch.randn(1, 4, 3)
    x[0, 2:] = 100.0                                           # junk in the padding
    out = layer(x, torch.tensor([2]))
    rnn = layer.rnn
    b = rnn.bias_ih_l0_reverse + rnn.bias_hh_l0_reverse
    i, _, g, o = (x[0, 1] @ rnn.weight_ih_l0_reverse.T + b).chunk(4)   # h = c = 0 before
    c = torch.sigmoid(i) * torch.tanh(g)
    torch.testing.assert_close(out[0, 1, 2:], torch.sigmoid(o) * torch.tanh(c))


def test_reset_parameters_and_repr():
    layer = PaddedLSTM(3, 2, bidirectional=False)
    torch.manual_seed(1)
    layer.reset_parameters()
    first = {k: v.clone() for k, v in layer.state_dict().items()}
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(1.0)
    torch.manual_seed(1)
    layer.reset_parameters()
    assert all(torch.equal(v, first[k]) for k, v in layer.state_dict().items())
    assert repr(layer) == "PaddedLSTM(3, 2, bidirectional=False)"
    with pytest.raises(ValueError, match="hidden_channels must be >= 1"):
        PaddedLSTM(3, 0)
