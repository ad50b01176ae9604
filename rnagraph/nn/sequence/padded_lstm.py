"""An LSTM over padded sequences, each direction reading a sequence's own positions first."""
from __future__ import annotations

import torch
from torch import Tensor


class PaddedLSTM(torch.nn.Module):
    r"""A one-layer (Bi)LSTM over a padded batch of sequences of different lengths (GRMMI's
    BiLSTM stage), equal at every valid position to the LSTM run over each sequence alone:

    .. math::
        \overrightarrow{\mathbf{h}}_t = \mathrm{LSTM}(\mathbf{x}_t,
        \overrightarrow{\mathbf{h}}_{t-1}), \quad
        \overleftarrow{\mathbf{h}}_t = \mathrm{LSTM}'(\mathbf{x}_t,
        \overleftarrow{\mathbf{h}}_{t+1}), \quad
        \mathbf{h}_t = [\overrightarrow{\mathbf{h}}_t \,\|\, \overleftarrow{\mathbf{h}}_t]
        \in \mathbb{R}^{d}

    (:math:`d = 2 h`; :math:`h` unidirectional), with :math:`\overleftarrow{\mathbf{h}}`
    started at a sequence's *last valid* position :math:`L - 1`.

    Each direction runs as a unidirectional LSTM over the padded batch: the forward direction
    reads padding only after a sequence's end, and the reverse direction reads each sequence
    reversed *within its length* (padding again last), its outputs put back in place. A
    packed sequence gives the same numbers, but its backward pass on CPU writes a gradient as
    large as the whole packed input at every time step (quadratic in the length: the main
    cost of a fit on long targets); over padded steps it is linear. Outputs at padded
    positions are meaningless (mask them).

    Args:
        in_channels (int): input features.
        hidden_channels (int): hidden size :math:`h` per direction.
        bidirectional (bool): both directions (``False``: forward only). (default: ``True``)

    Shapes:
        - **input:** ``x`` ``[N, T, in_channels]``, ``lengths`` ``[N]`` (long)
        - **output:** ``[N, T, out_channels]`` (``2 h``, or ``h``)
    """

    def __init__(self, in_channels: int, hidden_channels: int,
                 bidirectional: bool = True) -> None:
        super().__init__()
        for name, v in (("in_channels", in_channels), ("hidden_channels", hidden_channels)):
            if v < 1:
                raise ValueError(f"PaddedLSTM: {name} must be >= 1, got {v}")
        self.in_channels, self.hidden_channels = in_channels, hidden_channels
        self.bidirectional = bidirectional
        self.rnn = torch.nn.LSTM(in_channels, hidden_channels, batch_first=True,
                                 bidirectional=bidirectional)
        self.reset_parameters()

    @property
    def out_channels(self) -> int:
        """Features per position: ``2 h`` bidirectional, else ``h``."""
        return self.hidden_channels * (2 if self.bidirectional else 1)

    def reset_parameters(self) -> None:
        self.rnn.reset_parameters()

    def forward(self, x: Tensor, lengths: Tensor) -> Tensor:
        rnn, (n, t, c) = self.rnn, x.shape
        h0 = x.new_zeros(1, n, rnn.hidden_size)
        pos = torch.arange(t, device=x.device)
        lengths = lengths.to(x.device).unsqueeze(1)
        rev = torch.where(pos < lengths, lengths - 1 - pos, pos).unsqueeze(-1)     # [N, T, 1]
        out = []
        for sfx in ("", "_reverse") if rnn.bidirectional else ("",):
            w = [getattr(rnn, f"{name}_l0{sfx}")
                 for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            inp = x if not sfx else x.gather(1, rev.expand(-1, -1, c))
            # nn.LSTM's own call, one direction at a time (its parameters, its kernels)
            y = torch._VF.lstm(inp, (h0, h0), w, True, 1, 0.0, rnn.training, False, True)[0]
            out.append(y if not sfx else y.gather(1, rev.expand(-1, -1, y.size(-1))))
        return torch.cat(out, -1) if len(out) > 1 else out[0]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.in_channels}, {self.hidden_channels}, "
                f"bidirectional={self.bidirectional})")
