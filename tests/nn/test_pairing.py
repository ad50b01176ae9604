import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.nn import DiagonalPairing, PairingMapCNN
from rnagraph.nn.pairing import PAD


def _layer(**kw):
    with torch.random.fork_rng():          # seeded init; torch's global generator untouched
        torch.manual_seed(0)
        return PairingMapCNN(**{"channels": 5, "embedding_dim": 3, "hidden_channels": 4,
                                "max_positions": 4, **kw})


def _reference(layer: PairingMapCNN, mi: list[int], m: list[int]) -> torch.Tensor:
    """One pair, cell by cell with explicit loops: the map, a 3x3 convolution that reads
    only cells inside the grid and valid, ReLU, a 2x2 max-pool that covers the grid's
    ragged edge, the second convolution, ReLU and the max over valid pooled cells."""
    E, R = layer.pair_emb.weight.detach(), layer.pos_emb.weight.detach()
    W1, b1 = layer.conv1.weight.detach(), layer.conv1.bias.detach()
    W2, b2 = layer.conv2.weight.detach(), layer.conv2.bias.detach()
    a, b = len(mi), len(m)
    ok = [[mi[i] < PAD and m[j] < PAD for j in range(b)] for i in range(a)]
    X = {(i, j): E[4 * mi[i] + m[j]] + R[min(i, layer.max_positions - 1)]
         for i in range(a) for j in range(b) if ok[i][j]}

    def conv(W, bias, grid, cells):
        out = {}
        for (i, j) in cells:
            s = bias.clone()
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    if (i + di, j + dj) in grid:
                        s += W[:, :, di + 1, dj + 1] @ grid[(i + di, j + dj)]
            out[(i, j)] = torch.relu(s)
        return out

    H = conv(W1, b1, X, list(X))
    P = {}
    for i in range(0, a, 2):
        for j in range(0, b, 2):
            cells = [H[c] for c in ((i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1)) if c in H]
            if cells:
                P[(i // 2, j // 2)] = torch.stack(cells).amax(0)
    Z = conv(W2, b2, P, list(P))
    return torch.stack(list(Z.values())).amax(0) if Z else torch.zeros(layer.channels)


def _codes(rows: list[list[int]]) -> torch.Tensor:
    width = max(len(r) for r in rows)
    return torch.tensor([r + [PAD] * (width - len(r)) for r in rows])


MI = [[0, 3, 2, 2, 1, PAD, 3], [1, 2, 0], []]
M = [[3, 0, 1, 1, 2, 0, 3, 3, 2], [0, 1, 2, 3, 0], [2, 2, 1]]


def test_matches_the_cell_by_cell_reference():
    layer = _layer()
    with torch.no_grad():
        out = layer(_codes(MI), _codes(M))
        for b in range(3):
            torch.testing.assert_close(out[b], _reference(layer, MI[b], M[b]), atol=1e-5,
                                       rtol=0)
    assert out.shape == (3, 5)
    assert torch.equal(out[2], torch.zeros(5))            # no miRNA sequence: zeros
    assert out[0].abs().sum() > 0
    # the training path (autograd; another pooling kernel) gives the same features
    torch.testing.assert_close(layer(_codes(MI), _codes(M)).detach(), out, atol=1e-6, rtol=0)


@pytest.mark.parametrize("make", ["map", "diagonal"])
def test_padding_and_other_pairs_do_not_change_a_pair(make):
    layer = _layer() if make == "map" else _diag()
    mi, m = _codes(MI), _codes(M)
    with torch.no_grad():
        out = layer(mi, m)
        wide = layer(torch.cat([mi, torch.full((3, 6), PAD)], 1),
                     torch.cat([m, torch.full((3, 11), PAD)], 1))
        alone = layer(_codes(MI[:1]), _codes(M[:1]))
    torch.testing.assert_close(wide, out, atol=1e-6, rtol=0)
    torch.testing.assert_close(alone[0], out[0], atol=1e-6, rtol=0)


def test_gradients_reach_every_parameter():
    layer = _layer()
    layer(_codes(MI), _codes(M)).sum().backward()
    for name, p in layer.named_parameters():
        g = p.grad if name != "pair_emb.weight" else p.grad[:16]   # row 16: padding
        assert g is not None and g.abs().sum() > 0, name
    assert torch.equal(layer.pair_emb.weight.grad[16], torch.zeros(3))


@pytest.mark.parametrize("layer_cls", [PairingMapCNN, DiagonalPairing])
def test_learns_planted_seed_pairing(layer_cls, train_seed, margin):
    # eight miRNAs with many targets each (as in site-level data); positives: the target
    # (read 3'->5') holds the complement of its miRNA's nt 2-8 somewhere, a diagonal run of
    # 7 Watson-Crick pairs; negatives: random targets
    rng = np.random.default_rng(train_seed)
    comp = np.array([3, 2, 1, 0])                          # A-U, C-G, G-C, U-A
    n, n_train = 1200, 1000
    mi = rng.integers(0, 4, (8, 22))[rng.integers(0, 8, n)]
    m = rng.integers(0, 4, (n, 40))
    y = np.arange(n) % 2
    for b in np.nonzero(y)[0]:
        s = int(rng.integers(0, 33))
        m[b, s:s + 7] = comp[mi[b, 1:8]]
    with torch.random.fork_rng():
        torch.manual_seed(train_seed)
        layer, lin = layer_cls(channels=8), torch.nn.Linear(8, 1)
    opt = torch.optim.Adam([*layer.parameters(), *lin.parameters()], lr=0.01)
    x_mi, x_m, t = torch.from_numpy(mi), torch.from_numpy(m), torch.from_numpy(y).float()
    for _ in range(200):
        i = torch.from_numpy(rng.integers(0, n_train, 64))
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            lin(layer(x_mi[i], x_m[i])).squeeze(-1), t[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        s = lin(layer(x_mi[n_train:], x_m[n_train:])).squeeze(-1)
    # min 0.962 (DiagonalPairing), 0.996 (PairingMapCNN) over 3 kernel sets x seeds 0-2
    # (tools/margins.md)
    margin.above("auc", roc_auc_score(y[n_train:], s.numpy()), 0.9)


def test_repr_and_errors():
    assert repr(_layer()) == ("PairingMapCNN(channels=5, embedding_dim=3, hidden_channels=4, "
                              "max_positions=4)")
    with pytest.raises(ValueError, match="channels must be >= 1"):
        PairingMapCNN(channels=0)
    layer = _layer()
    before = layer.conv1.weight.detach().clone()
    torch.nn.init.zeros_(layer.conv1.weight)
    with torch.random.fork_rng():
        layer.reset_parameters()
    assert not torch.equal(layer.conv1.weight, torch.zeros_like(before))
    assert torch.equal(layer.pair_emb.weight[16], torch.zeros(3))


# ---------------------------------------------------------------- DiagonalPairing
def _diag(**kw):
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return DiagonalPairing(**{"channels": 5, "hidden_channels": 4, "max_positions": 4,
                                  **kw})


def _diag_reference(layer: DiagonalPairing, mi: list[int], m: list[int]) -> torch.Tensor:
    """One pair with explicit loops: every shift s pairs miRNA nt i with target nt i + s;
    the valid cells' rows (position capped at P - 1) are summed with the bias, ReLU, the
    linear map; the max over shifts with a valid cell, ReLU."""
    W, bias = layer.cells.weight.detach(), layer.bias.detach()
    P = layer.max_positions
    ys = []
    for s in range(-len(mi) + 1, len(m)):
        cells = [(i, i + s) for i in range(len(mi)) if 0 <= i + s < len(m)
                 and mi[i] < PAD and m[i + s] < PAD]
        if cells:
            z = bias + sum(W[16 * min(i, P - 1) + 4 * mi[i] + m[j]] for i, j in cells)
            ys.append(layer.lin(torch.relu(z)).detach())
    return torch.relu(torch.stack(ys).amax(0)) if ys else torch.zeros(layer.channels)


def test_diagonal_matches_the_shift_by_shift_reference():
    layer = _diag()
    with torch.no_grad():
        out = layer(_codes(MI), _codes(M))
        for b in range(3):
            torch.testing.assert_close(out[b], _diag_reference(layer, MI[b], M[b]),
                                       atol=1e-5, rtol=0)
    assert out.shape == (3, 5)
    assert torch.equal(out[2], torch.zeros(5))            # no miRNA sequence: zeros
    assert out[0].abs().sum() > 0


def test_diagonal_gradients_reach_every_parameter():
    layer = _diag()
    layer(_codes(MI), _codes(M)).sum().backward()
    for name, p in layer.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    # only rows of (position, nucleotide pair) cells present in the input get a gradient
    # (the max over shifts picks some of them), never a padding or N cell's
    seen = {16 * min(i, 3) + 4 * a + b for mi, m in zip(MI, M) if mi for i, a in enumerate(mi)
            if a < PAD for b in m if b < PAD}
    got = set(torch.nonzero(layer.cells.weight.grad.abs().sum(1)).flatten().tolist())
    assert got and got <= seen


def test_diagonal_repr_and_errors():
    assert repr(_diag()) == "DiagonalPairing(channels=5, hidden_channels=4, max_positions=4)"
    with pytest.raises(ValueError, match="hidden_channels must be >= 1"):
        DiagonalPairing(hidden_channels=0)
    layer = _diag()
    torch.nn.init.zeros_(layer.cells.weight)
    torch.manual_seed(0)
    layer.reset_parameters()
    assert layer.cells.weight.shape == (16 * 4, 4) and (layer.cells.weight != 0).all()
