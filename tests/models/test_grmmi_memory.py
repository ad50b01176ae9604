"""GRMMI's scoring memory is bounded: the encoding cache and the scoring blocks are sized from
a byte budget (``GRMMINet.node_bytes`` / ``pair_bytes``), never from the number of nodes or
candidates. Asserted on shapes and on the tensors the operators allocate, not on RSS or time.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from rnagraph.data import build_graph, kfold_link_split
from rnagraph.models import GRMMI, get_model
from rnagraph.models._grmmi_net import GRMMINet
from rnagraph.models.base import block_close
from rnagraph.models.grmmi_parts import KmerTable, PairingBranch, SequenceBranch
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA
from tests.models._memory import LargestTensor

T_MI, T_M = 12, 60      # tokens of the longest miRNA and target: the cache's widths


def _net(n_mi: int, n_m: int, seed: int = 0, **kw) -> GRMMINet:
    """A small untrained GRMMI network over ``n_mi`` miRNAs and ``n_m`` targets of random
    3-mer tokens; node 0 of each side has the longest sequence, so every graph size has the
    same widths."""
    torch.manual_seed(seed)
    enc = SequenceBranch(conv_channels=8, kernel_size=3, pool_size=2, hidden_channels=4,
                         heads=2, dropout=0.0, **kw).build(KmerTable(k=3, embedding_dim=8))
    net = GRMMINet(enc, 4, (n_mi, n_m), (T_MI, T_M), hidden_channels=8, dropout=0.0).eval()
    g = torch.Generator().manual_seed(seed)
    for side, n, t in (("mi", n_mi, T_MI), ("m", n_m, T_M)):
        lengths = torch.randint(t // 2, t + 1, (n,), generator=g)
        lengths[0] = t
        ids = torch.randint(0, 4**3, (n, t), generator=g)
        ids[torch.arange(t) >= lengths.unsqueeze(1)] = 4**3
        getattr(net, f"{side}_ids").copy_(ids)
        getattr(net, f"{side}_len").copy_(lengths)
        getattr(net, f"x_{side}").copy_(torch.randn(n, 4, generator=g))
    return net


@pytest.mark.parametrize("kw", [{}, {"match_scores": True, "map_channels": 3}])
def test_cache_and_blocks_stay_within_the_budget_as_the_graph_grows(kw):
    budget = 1 << 20
    slots, blocks = [], []
    for n_m in (10, 100, 1000, 10000):
        net = _net(5, n_m, **kw)
        cache = net.encoding_cache(budget)
        held = sum(v.numel() * v.element_size() for side in ("mi", "m")
                   for v in cache[side].values())
        assert held <= budget
        # a node of each side's cache takes what node_bytes says (mask, pool, q, k, v, bias)
        per_node = sum(v[0].numel() * v.element_size() for v in cache["m"].values())
        assert per_node == net.node_bytes("m")
        assert net.pair_block(budget) * net.pair_bytes() <= budget
        slots.append(net.capacity(cache, "m"))
        blocks.append(net.pair_block(budget))
    # a small graph is held whole; past the budget the cache stops growing
    assert slots[0] == 10 and slots[-1] == slots[-2] < 1000
    assert len(set(blocks)) == 1


@pytest.mark.parametrize("kw", [{}, {"match_scores": True, "map_channels": 3}])
def test_largest_tensor_of_all_pair_scoring_does_not_grow_with_the_candidates(kw):
    # a budget of a few pairs: every target is dropped and re-encoded many times
    largest, scores = [], {}
    for n_m in (16, 64):
        net = _net(6, n_m, **kw)
        budget = 6 * net.pair_bytes()
        cache = net.encoding_cache(6 * net.node_bytes("mi") + 5 * net.node_bytes("m"))
        assert net.capacity(cache, "m") == 5 and net.pair_block(budget) == 6
        with torch.no_grad(), LargestTensor() as rec:
            grid = net.forward_grid(torch.arange(6), torch.arange(n_m), cache, budget)
        largest.append(rec.largest)
        assert rec.largest <= budget
        scores[n_m] = grid
        with torch.no_grad():   # the same numbers as the whole graph encoded at once
            full = net.forward_grid(torch.arange(6), torch.arange(n_m), net.encode_all(),
                                    1 << 30)
        assert block_close(grid.reshape(-1).double(), full.reshape(-1).double())
    assert largest[0] == largest[1]


def test_encoding_chunks_are_sized_by_the_block_budget_not_by_the_graph():
    # fill encoded up to 1024 nodes at once: on 400-1200-nt targets ~1 GiB of CNN / LSTM
    # temporaries for a cache of 579 targets (issue 32); now as many as encode_bytes lets in
    block = 1 << 20
    chunks = []
    for n_m in (10, 100, 1000):
        net = _net(5, n_m)
        cache = net.encoding_cache(1 << 30, block)
        assert net.encode_bytes("m") > net.node_bytes("m") > 0
        assert cache["m_chunk"] * net.encode_bytes("m") <= block
        chunks.append(cache["m_chunk"])
    assert len(set(chunks)) == 1 and 1 < chunks[0] < 1000
    # targets twice as long (new RNAs): more bytes each, fewer per chunk
    g = torch.Generator().manual_seed(1)
    ext = net.with_nodes({"m": {"ids": torch.randint(0, 4**3, (5, 2 * T_M), generator=g),
                                "len": torch.full((5,), 2 * T_M),
                                "x": torch.randn(5, 4, generator=g)}})
    assert ext.encode_bytes("m") > net.encode_bytes("m")
    assert ext.encoding_cache(1 << 30, block)["m_chunk"] < chunks[0]


def test_largest_tensor_of_filling_the_cache_does_not_grow_with_the_nodes():
    largest = []
    for n_m in (16, 64):
        net = _net(4, n_m)
        block = 4 * net.encode_bytes("m")
        cache = net.encoding_cache(1 << 30, block)        # every target held at once
        assert cache["m_chunk"] == 4 and net.capacity(cache, "m") == n_m
        with torch.no_grad(), LargestTensor() as rec:
            net.fill(cache, "m", torch.arange(n_m))
        largest.append(rec.largest)
        assert rec.largest <= block
        with torch.no_grad():   # chunks of 4 give the rows of one chunk of all the nodes
            full = net.encode_all()
        for key in ("q", "k", "v", "pool"):
            torch.testing.assert_close(cache["m"][key][cache["m_slot"]],
                                       full["m"][key][full["m_slot"]], rtol=1e-5, atol=1e-6)
    assert largest[0] == largest[1]


def test_fill_drops_the_least_recently_used_nodes():
    net = _net(4, 10)
    cache = net.encoding_cache(3 * net.node_bytes("m") + 4 * net.node_bytes("mi"))
    assert net.capacity(cache, "m") == 3 and net.capacity(cache, "mi") == 4
    with torch.no_grad():
        net.fill(cache, "m", torch.tensor([0, 1, 2]))
        net.fill(cache, "m", torch.tensor([1, 2]))       # 0 is now the oldest
        slots = net.fill(cache, "m", torch.tensor([5, 2]))
        assert cache["m_done"].nonzero().squeeze(1).tolist() == [1, 2, 5]
        with pytest.raises(ValueError, match="split the block"):
            net.fill(cache, "m", torch.tensor([3, 4, 6, 7]))
        full = net.encode_all()
    # the refilled slot holds node 5's rows, as encoded with all nodes at once
    for key in ("q", "k", "v", "pool"):
        torch.testing.assert_close(cache["m"][key][slots[0]],
                                   full["m"][key][full["m_slot"][5]], rtol=1e-5, atol=1e-6)


def _graph(seed: int = 0):
    """Six miRNAs and 30 targets of 30-90 nt; each target pairs with two random miRNAs."""
    rng = np.random.default_rng(seed)
    alpha = np.array(list("ACGU"))
    rand = lambda n: "".join(rng.choice(alpha, n))  # noqa: E731
    mirnas = {f"miR-{i}": rand(22) for i in range(6)}
    targets = {f"t{j}": rand(int(rng.integers(30, 91))) for j in range(30)}
    pairs = [(f"miR-{i}", f"t{j}") for j in range(30)
             for i in rng.choice(6, 2, replace=False)]
    return build_graph({MIRNA: mirnas, MRNA: targets}, {MIRNA_MRNA: pairs})


def test_scores_with_a_tiny_budget_equal_those_with_a_large_one():
    fold = kfold_link_split(_graph(), MIRNA_MRNA, k=5, seed=0)[0]
    m = get_model("grmmi", k=3, embedding_dim=8, init="random", conv_channels=8,
                  hidden_channels=4, heads=2, graph_encoder__dim=2, mlp_channels=8,
                  match_scores=True, map_channels=2, pairing=PairingBranch(2), epochs=1,
                  batch_size=32).fit(fold)
    x = fold.test.edge_label_index
    mi, t = torch.arange(6), torch.arange(30)
    big = (m.decision_function(None, x), m.decision_grid(None, mi, t), m.explain(None, x))
    net = m.net_      # a budget of four targets at a time, and blocks of a pair or two
    m.scoring_bytes = 2 * (6 * net.node_bytes("mi") + 4 * net.node_bytes("m"))
    m.__dict__.pop("_encoded")
    cache = m.encoded()["cache"]
    assert net.capacity(cache, "m") == 4 and net.pair_block(m.scoring_bytes // 2) <= 2
    small = (m.decision_function(None, x), m.decision_grid(None, mi, t), m.explain(None, x))
    assert block_close(small[0], big[0], m.block_rtol)
    assert block_close(small[1].reshape(-1), big[1].reshape(-1), m.block_rtol)
    assert [[w["start"] for w in p] for p in small[2]] == \
        [[w["start"] for w in p] for p in big[2]]


def test_windows_only_where_a_sequence_is_longer_than_the_window():
    # a window cuts long targets (the LSTM's depth bounded by the window); a graph whose
    # sequences all fit one window is encoded whole, as with window=None (the default)
    assert GRMMI().sequence_encoder.window is None
    m = get_model("grmmi", window=128)
    seq = m.sequence_encoder
    assert seq.active_window(128) is None and seq.active_window(129) == 128
    assert SequenceBranch(window=None).active_window(5000) is None
    net = m._build_net((2, 3), (22, 1000), 0, None)
    assert net.encoder.window == 128 and net.encoder.overlap == 16
    assert m._build_net((2, 3), (22, 40), 0, None).encoder.window is None
    assert get_model("grmmi-window").sequence_encoder.window == 128


def test_new_rnas_keep_cache_and_blocks_within_the_budget():
    # scoring a graph with new RNAs (GRMMINet.with_nodes): their longer targets widen the
    # cache rows and the pairs, yet the cache and the blocks stay within the same budget
    net, budget = _net(5, 100), 1 << 19
    g = torch.Generator().manual_seed(1)
    rows = {"m": {"ids": torch.randint(0, 4**3, (50, 2 * T_M), generator=g),
                  "len": torch.full((50,), 2 * T_M), "x": torch.randn(50, 4, generator=g)}}
    ext = net.with_nodes(rows)
    assert ext.m_ids.shape == (150, 2 * T_M) and net.m_ids.shape == (100, T_M)
    assert ext.encoder is net.encoder and ext.node_bytes("m") > net.node_bytes("m")
    cache = ext.encoding_cache(budget)
    held = sum(v.numel() * v.element_size() for side in ("mi", "m")
               for v in cache[side].values())
    assert held <= budget and ext.capacity(cache, "m") < 150
    assert ext.pair_block(budget) * ext.pair_bytes() <= budget
    with torch.no_grad():   # the fitted rows score as before (padding is masked)
        pairs = torch.tensor([[0, 1, 2, 3], [0, 5, 99, 42]])
        assert block_close(ext(pairs, ext.encoding_cache(budget)).double(),
                           net(pairs, net.encoding_cache(budget)).double())
