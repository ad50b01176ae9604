import pytest
import torch

from rnagraph.nn import (
    CrossAttention,
    KmerConv,
    MatchMap,
    MatchScores,
    MutualAttention,
    MutualAttentionEncoder,
    PaddedLSTM,
    TokenEmbedding,
)

PAD = 19
VARIANTS = [{}, {"window": 10, "overlap": 4}, {"cnn": False}, {"lstm": None},
            {"attention": False}, {"lstm": "uni"}, {"match_scores": True},
            {"map_channels": 3}, {"window": 10, "overlap": 4, "map_channels": 3}]


def _enc(cnn=True, lstm="bi", attention=True, match_scores=False, map_channels=0,
         embedding_init=None, freeze_embedding=False, dropout=0.0, heads=2, **kw):
    """The encoder of the given variant, composed of its blocks (a variant is a block left
    out): 20 tokens (padding 19), 8-dim embedding and CNN, BiLSTM of 4 per direction."""
    c = 8
    conv = KmerConv(c, 8) if cnn else None
    rnn = PaddedLSTM(c, 4, bidirectional=lstm == "bi") if lstm else None
    c = rnn.out_channels if rnn is not None else c
    att = MutualAttention(c, heads) if attention else None
    return MutualAttentionEncoder(
        TokenEmbedding(20, 8, init=embedding_init, freeze=freeze_embedding), conv, rnn, att,
        MatchScores() if match_scores else None,
        MatchMap(2 * heads, map_channels) if map_channels else None, dropout=dropout, **kw)


def _gather(rows, index):
    return {k: t.index_select(0, index) for k, t in rows.items()}


def _interact(enc, h_mi, k_mi, h_m, k_m, return_attention=False):
    """Pair vectors of encodings already gathered per pair."""
    return enc.pair(enc.prepare(h_mi, k_mi, "mi"), enc.prepare(h_m, k_m, "m"),
                    return_attention)


def _batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    mi_len, m_len = torch.tensor([7, 5, 0]), torch.tensor([25, 12, 3])
    mi = torch.randint(0, PAD, (3, 7), generator=g)
    m = torch.randint(0, PAD, (3, 25), generator=g)
    for i in range(3):
        mi[i, mi_len[i]:] = PAD
        m[i, m_len[i]:] = PAD
    return mi, mi_len, m, m_len


@pytest.mark.parametrize("kw", VARIANTS)
def test_shapes_and_padding_invariance(kw):
    torch.manual_seed(0)
    enc = _enc(**kw).eval()
    mi, mi_len, m, m_len = _batch()
    z, att = enc(mi, mi_len, m, m_len, return_attention=True)
    d = enc.channels
    extra = (2 * enc.heads if kw.get("match_scores") else 0) + kw.get("map_channels", 0)
    assert z.shape == (3, enc.out_channels) == (3, 2 * d if kw.get("attention") is False
                                                 else 4 * d + extra)
    # extra padding on both sides: identical pair vectors
    mi2 = torch.cat([mi, torch.full((3, 5), PAD)], 1)
    m2 = torch.cat([m, torch.full((3, 13), PAD)], 1)
    torch.testing.assert_close(enc(mi2, mi_len, m2, m_len), z, atol=1e-6, rtol=0)
    # the pair with no miRNA sequence: its miRNA pool and both attention parts are zero
    assert torch.all(z[2, :d] == 0)
    if enc.attention is not None:
        assert torch.all(z[2, 2 * d:] == 0)
        assert att["mirna"].shape[:3] == (3, 2, enc.encode(mi, mi_len)[0].size(1))


def test_attention_weights_are_distributions_over_valid_keys():
    torch.manual_seed(0)
    enc = _enc().eval()
    mi, mi_len, m, m_len = _batch()
    _, att = enc(mi, mi_len, m, m_len, return_attention=True)
    a = att["mirna"]                                   # [B, heads, T'_mi, T'_m]
    # pooled lengths: miRNA ceil(7/2)=4 and ceil(5/2)=3, mRNA ceil(25/2)=13 and ceil(12/2)=6
    torch.testing.assert_close(a[0].sum(-1), torch.ones(2, 4))
    assert torch.all(a[1, :, :, 6:] == 0)
    torch.testing.assert_close(a[1, :, :3].sum(-1), torch.ones(2, 3))
    assert torch.all(a[1, :, 3:] == 0)                  # padded queries get no weight
    assert torch.all(a[2] == 0)                         # no miRNA -> no valid query
    assert torch.all(att["mrna"][2] == 0)


@pytest.mark.parametrize("grad", [False, True])
def test_cross_attention_agrees_with_torch_multihead_attention(grad):
    # the layer's attention is torch's MultiheadAttention with separate projections; both
    # its scoring path (in place, no grad) and its training path give torch's numbers
    torch.manual_seed(0)
    att = CrossAttention(8, heads=2)
    ref = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([att.q.weight, att.k.weight, att.v.weight]))
        ref.in_proj_bias.copy_(torch.cat([att.q.bias, att.k.bias, att.v.bias]))
        ref.out_proj.weight.copy_(att.out.weight)
        ref.out_proj.bias.copy_(att.out.bias)
    x, y = torch.randn(3, 4, 8), torch.randn(3, 6, 8)
    x_mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1], [1, 0, 0, 0]], dtype=torch.bool)
    y_mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0]],
                          dtype=torch.bool)
    with torch.set_grad_enabled(grad):
        out, alpha = att(x.requires_grad_(grad), x_mask, y, y_mask)
    want, w = ref(x, y, y, key_padding_mask=~y_mask, average_attn_weights=False)
    valid = x_mask.unsqueeze(-1)
    torch.testing.assert_close(out * valid, want * valid, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(alpha, w * valid.unsqueeze(1), atol=1e-6, rtol=1e-5)


def test_prepared_rows_gathered_per_pair_equal_interact():
    # the caching split: encode and prepare each distinct sequence once (padded to a wider
    # cache), gather per pair, pair() -- the numbers of interact() on per-pair encodings
    torch.manual_seed(0)
    enc = _enc().eval()
    mi, mi_len, m, m_len = _batch()
    h_mi, k_mi = enc.encode(mi, mi_len)
    h_m, k_m = enc.encode(m, m_len)
    i, j = torch.tensor([0, 1, 0, 2, 1]), torch.tensor([1, 0, 0, 2, 1])
    with torch.no_grad():
        want, att = _interact(enc, h_mi[i], k_mi[i], h_m[j], k_m[j], return_attention=True)
        p_mi = enc.prepare(h_mi, k_mi, "mi", width=h_mi.size(1) + 3)
        p_m = enc.prepare(h_m, k_m, "m", width=h_m.size(1) + 5)
        got, att2 = enc.pair(_gather(p_mi, i), _gather(p_m, j), return_attention=True)
    torch.testing.assert_close(got, want, atol=1e-6, rtol=0)
    t_mi, t_m = h_mi.size(1), h_m.size(1)
    torch.testing.assert_close(att2["mirna"][:, :, :t_mi, :t_m], att["mirna"], atol=1e-6,
                               rtol=0)
    assert torch.all(att2["mirna"][:, :, t_mi:] == 0)             # padded queries
    assert torch.all(att2["mirna"][..., t_m:] == 0)               # padded keys
    assert p_m["q"].shape == (3, 2, t_m + 5, 4) and p_m["k"].shape == (3, 2, 4, t_m + 5)
    with pytest.raises(ValueError, match="side must be"):
        enc.prepare(h_mi, k_mi, "circ")


def test_match_scores_are_the_best_logit_over_valid_positions():
    # brute force: per pair, head and direction, the max over valid (query, key) positions
    # of the scaled logits; the same on the scoring path, the training path and via the
    # prepared cache; zeros for the pair without a miRNA sequence
    torch.manual_seed(0)
    enc = _enc(match_scores=True).eval()
    mi, mi_len, m, m_len = _batch()
    h_mi, k_mi = enc.encode(mi, mi_len)
    h_m, k_m = enc.encode(m, m_len)
    want = torch.zeros(3, 2, 2)                       # [pair, direction, head]
    for b in range(2):
        x, y = h_mi[b, k_mi[b]], h_m[b, k_m[b]]
        pair = ((enc.attention.att_mi, x, y), (enc.attention.att_m, y, x))
        for d, (att, q_in, k_in) in enumerate(pair):
            q = att.q(q_in).view(len(q_in), 2, 4).transpose(0, 1)   # [heads, T_q, d_k]
            k = att.k(k_in).view(len(k_in), 2, 4).transpose(0, 1)
            want[b, d] = (q @ k.transpose(1, 2) / 2.0).amax(dim=(1, 2))
    with torch.no_grad():
        z = _interact(enc, h_mi, k_mi, h_m, k_m)
        cached = enc.pair(enc.prepare(h_mi, k_mi, "mi", width=h_mi.size(1) + 2),
                          enc.prepare(h_m, k_m, "m", width=h_m.size(1) + 4))
    got = z[:, 4 * enc.channels:].view(3, 2, 2)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(cached, z, atol=1e-6, rtol=0)
    z_grad = _interact(enc, h_mi, k_mi, h_m, k_m)       # encodings carry grad: training path
    torch.testing.assert_close(z_grad.detach(), z, atol=1e-6, rtol=0)
    z_grad[:, 4 * enc.channels:].sum().backward()
    att = enc.attention
    assert att.att_mi.q.weight.grad.abs().sum() > 0 and att.att_m.k.weight.grad.abs().sum() > 0


def test_logit_map_convolution_equals_a_per_pair_reference():
    # one pair at a time: the logits of both directions on the valid grid, zero padded by one
    # (what the 3x3 convolution sees at the border), conv2d, ReLU, max over the valid grid
    torch.manual_seed(0)
    enc = _enc(map_channels=3).eval()
    mi, mi_len, m, m_len = _batch()
    h_mi, k_mi = enc.encode(mi, mi_len)
    h_m, k_m = enc.encode(m, m_len)
    want = torch.zeros(3, 3)
    for b in range(2):
        x, y = h_mi[b, k_mi[b]], h_m[b, k_m[b]]
        maps = []
        for att, q_in, k_in, flip in ((enc.attention.att_mi, x, y, False),
                                      (enc.attention.att_m, y, x, True)):
            q = att.q(q_in).view(len(q_in), 2, 4).transpose(0, 1)
            k = att.k(k_in).view(len(k_in), 2, 4).transpose(0, 1)
            lg = q @ k.transpose(1, 2) / 2.0
            maps.append(lg.transpose(1, 2) if flip else lg)
        conv = enc.match_map.conv
        y2 = torch.nn.functional.conv2d(torch.cat(maps).unsqueeze(0), conv.weight, conv.bias,
                                        padding=1)
        want[b] = torch.relu(y2).amax(dim=(2, 3))[0]
    with torch.no_grad():
        z = _interact(enc, h_mi, k_mi, h_m, k_m)
        cached = enc.pair(enc.prepare(h_mi, k_mi, "mi", width=h_mi.size(1) + 2),
                          enc.prepare(h_m, k_m, "m", width=h_m.size(1) + 4))
    torch.testing.assert_close(z[:, -3:], want, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(cached, z, atol=1e-6, rtol=0)
    # the training path (autograd, no channels-last stack, no in-place masking) agrees
    z_grad = _interact(enc, h_mi, k_mi, h_m, k_m)
    torch.testing.assert_close(z_grad, z, atol=1e-6, rtol=0)
    z_grad[:, -3:].sum().backward()
    assert enc.match_map.conv.weight.grad.abs().sum() > 0
    assert enc.attention.att_m.q.weight.grad.abs().sum() > 0


def test_gradients_reach_every_parameter():
    torch.manual_seed(0)
    enc = _enc(dropout=0.1)
    mi, mi_len, m, m_len = _batch()
    enc(mi, mi_len, m, m_len).square().sum().backward()
    for name, p in enc.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert torch.all(enc.embedding.weight.grad[PAD] == 0)    # padding row never moves


def test_reset_parameters_is_deterministic_and_restores_the_init_table():
    init = torch.randn(20, 8)
    enc = _enc(embedding_init=init)
    assert torch.all(enc.embedding.weight[PAD] == 0)
    torch.testing.assert_close(enc.embedding.weight[:PAD], init[:PAD])
    torch.manual_seed(3)
    enc.reset_parameters()
    first = {k: v.clone() for k, v in enc.state_dict().items()}
    with torch.no_grad():
        for p in enc.parameters():
            p.add_(1.0)
    torch.manual_seed(3)
    enc.reset_parameters()
    for k, v in enc.state_dict().items():
        assert torch.equal(v, first[k]), k
    torch.testing.assert_close(enc.embedding.weight[:PAD], init[:PAD])


def test_frozen_embedding_gets_no_gradient():
    enc = _enc(embedding_init=torch.randn(20, 8), freeze_embedding=True)
    assert not enc.embedding.weight.requires_grad


def test_token_starts_map_windows_back_to_tokens():
    enc = _enc(window=10, overlap=4)
    # windows start at tokens 0, 6, 12, 18 (step 6); each pooled position covers 2 tokens
    starts = enc.token_starts(25)
    assert starts[:5].tolist() == [0, 2, 4, 6, 8]
    assert starts[5:10].tolist() == [6, 8, 10, 12, 14]
    # the last window (tokens 18-24, 7 of them) keeps its ceil(7 / 2) = 4 valid positions:
    # 3 windows of 5 positions + 4, not 4 x 5
    assert starts[15:].tolist() == [18, 20, 22, 24]
    assert starts.numel() == enc.encode(*_batch()[2:])[0].size(1) == 19
    assert _enc().token_starts(7).tolist() == [0, 2, 4, 6]


def test_windows_keep_only_the_positions_a_short_sequence_has():
    # window=10 tokens: a 7-token miRNA is one window, of which the CNN's pooling keeps
    # ceil(7 / 2) = 4 positions; the attention sees those 4 (not the window's 5), every
    # weight on a real position; with every sequence within one window the pair vectors are
    # the unwindowed encoder's
    torch.manual_seed(0)
    enc = _enc(window=10, overlap=4).eval()
    mi, mi_len, m, m_len = _batch()
    h, mask = enc.encode(mi, mi_len)
    assert h.shape[1] == 4 and mask.sum(1).tolist() == [4, 3, 0]
    _, att = enc(mi, mi_len, m, m_len, return_attention=True)
    assert att["mirna"].shape == (3, 2, 4, 19)
    torch.testing.assert_close(att["mirna"][0].sum(-1), torch.ones(2, 4))
    whole = _enc().eval()
    whole.load_state_dict(enc.state_dict())
    m_len = m_len.clamp(max=10)                          # targets within one window too
    with torch.no_grad():
        a = enc(mi, mi_len, m[:, :10], m_len)
        b = whole(mi, mi_len, m[:, :10], m_len)
    assert a.abs().sum() > 0
    torch.testing.assert_close(a, b, atol=1e-6, rtol=0)


def test_repr_and_errors():
    assert repr(_enc()) == (
        "MutualAttentionEncoder(TokenEmbedding(20, 8, padding_idx=19, init=False, "
        "freeze=False), conv=KmerConv(8, 8, kernel_size=5, pool_size=2), "
        "lstm=PaddedLSTM(8, 4, bidirectional=True), attention=MutualAttention(8, heads=2))")
    assert "attention" not in repr(_enc(attention=False))
    assert repr(_enc(match_scores=True, map_channels=3, window=10, overlap=4)).endswith(
        "match_scores=MatchScores(), match_map=MatchMap(4, 3), window=10, overlap=4)")
    with pytest.raises(ValueError, match="need attention"):
        _enc(attention=False, map_channels=3)
    with pytest.raises(ValueError, match="heads=3 must divide"):
        _enc(heads=3)
    with pytest.raises(ValueError, match="overlap < window"):
        _enc(window=4, overlap=4)
    with pytest.raises(ValueError, match="init has shape"):
        _enc(embedding_init=torch.zeros(3, 8))
    with pytest.raises(ValueError, match="PaddedLSTM reads 6 features, the stage before "
                                         "gives 8"):
        MutualAttentionEncoder(TokenEmbedding(20, 8), lstm=PaddedLSTM(6, 4))
    with pytest.raises(ValueError, match="match_map reads 3 maps"):
        MutualAttentionEncoder(TokenEmbedding(20, 8), attention=MutualAttention(8, 2),
                               match_map=MatchMap(3, 2))


@pytest.mark.parametrize("kw", [{}, {"window": 10, "overlap": 4}, {"cnn": False},
                                {"lstm": "uni"}])
def test_length_groups_give_the_numbers_and_gradients_of_one_padded_batch(kw, monkeypatch):
    # 70 sequences of 0-40 tokens: encode runs the CNN and LSTM per group of similar length
    # (4 groups); reference: the same encoder on one padded batch (grouping switched off)
    import rnagraph.nn.attention.mutual_attention as module
    torch.manual_seed(0)
    enc = _enc(**kw)
    lengths = torch.randint(0, 41, (70,))
    lengths[:3] = torch.tensor([0, 40, 1])
    ids = torch.randint(0, 19, (70, 40)).masked_fill(
        torch.arange(40) >= lengths[:, None], PAD)
    assert len(module._length_groups(lengths)) == 4

    def run():
        enc.zero_grad()
        h, mask = enc.encode(ids, lengths)
        (h * torch.linspace(-1, 1, h.size(-1))).pow(2).sum().backward()
        return h, mask, [p.grad.clone() for p in enc.parameters() if p.grad is not None]

    h, mask, grads = run()
    monkeypatch.setattr(module, "MIN_GROUP", 10_000)
    assert module._length_groups(lengths) is None
    h_ref, mask_ref, grads_ref = run()
    assert torch.equal(mask, mask_ref) and h.shape == h_ref.shape
    torch.testing.assert_close(h, h_ref, rtol=1e-5, atol=1e-6)
    assert len(grads) == len(grads_ref) > 0
    for g, g_ref in zip(grads, grads_ref):
        torch.testing.assert_close(g, g_ref, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kw", [{}, {"match_scores": True}])
def test_pairs_grouped_by_target_length_equal_pair_of_the_gathered_rows(kw):
    # 80 pairs over 12 miRNAs and 50 targets of 0-40 tokens: pair_by_length trims the target
    # positions per group of pairs (4 groups); reference: pair() on the full-width rows
    import rnagraph.nn.attention.mutual_attention as module
    torch.manual_seed(0)
    enc = _enc(**kw)
    mi_len, m_len = torch.randint(0, 9, (12,)), torch.randint(0, 41, (50,))
    m_len[:2] = torch.tensor([40, 0])
    mi = torch.randint(0, 19, (12, 8)).masked_fill(torch.arange(8) >= mi_len[:, None], PAD)
    m = torch.randint(0, 19, (50, 40)).masked_fill(torch.arange(40) >= m_len[:, None], PAD)
    i_mi, i_m = torch.randint(0, 12, (80,)), torch.randint(0, 50, (80,))
    i_m[:2] = torch.tensor([0, 1])

    def run(grouped):
        enc.zero_grad()
        p_mi = enc.prepare(*enc.encode(mi, mi_len), "mi")
        p_m = enc.prepare(*enc.encode(m, m_len), "m")
        z = (enc.pair_by_length(p_mi, p_m, i_mi, i_m) if grouped else
             enc.pair(_gather(p_mi, i_mi), _gather(p_m, i_m)))
        (z * torch.linspace(-1, 1, z.size(-1))).pow(2).sum().backward()
        return z, [p.grad.clone() for p in enc.parameters() if p.grad is not None]

    lengths = enc.encode(m, m_len)[1].sum(1)[i_m]
    assert len(module._length_groups(lengths, keep_empty=True)) == 4
    z, grads = run(True)
    z_ref, grads_ref = run(False)
    assert z.shape == z_ref.shape == (80, enc.out_channels) and z.abs().sum() > 0
    torch.testing.assert_close(z, z_ref, rtol=1e-5, atol=1e-6)
    assert len(grads) == len(grads_ref) > 0
    for g, g_ref in zip(grads, grads_ref):
        torch.testing.assert_close(g, g_ref, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kw", VARIANTS)
def test_tokens_past_a_sequences_length_change_nothing(kw):
    # ids past each length are read as padding, whatever they hold (junk instead of PAD)
    torch.manual_seed(0)
    enc = _enc(**kw).eval()
    mi, mi_len, m, m_len = _batch()
    junk_mi = torch.where(mi == PAD, torch.randint(0, 19, mi.shape), mi)
    junk_m = torch.where(m == PAD, torch.randint(0, 19, m.shape), m)
    assert not torch.equal(junk_m, m)
    torch.testing.assert_close(enc(junk_mi, mi_len, junk_m, m_len), enc(mi, mi_len, m, m_len),
                               atol=1e-6, rtol=0)
