import pytest
import torch

from rnagraph.data import build_graph, kfold_link_split
from rnagraph.models import MiTAR, get_model, load
from rnagraph.models.base import block_close, budget_block, grid_pairs
from rnagraph.models.mitar_net import MIRNA_SLOT, _MiTARNet
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA
from tests.models._memory import LargestTensor


@pytest.fixture(scope="module")
def fold():
    g = torch.Generator().manual_seed(0)
    alpha = "ACGU"
    rand = lambda n: "".join(alpha[int(i)] for i in torch.randint(4, (n,), generator=g))  # noqa
    mir = {f"m{i}": rand(22) for i in range(6)}
    tgt = {f"t{j}": rand(30) for j in range(40)}
    pairs = [(f"m{i}", f"t{j}") for i in range(6) for j in range(40) if (i + j) % 3 == 0]
    data = build_graph({MIRNA: mir, MRNA: tgt}, {MIRNA_MRNA: pairs})
    return kfold_link_split(data, MIRNA_MRNA, k=5, seed=0)[0]


def test_inputs_are_mitars_layout(fold):
    m = MiTAR(filters=8, trainer=TrainerConfig(epochs=1, batch_size=32, lr=1e-3)).fit(fold)
    mi, tg = m.encoded(None)
    g = fold.train_graph
    assert m.len_ == MIRNA_SLOT + 30 and mi.shape[1] == MIRNA_SLOT and tg.shape[1] == 30
    code = {"A": 1, "U": 2, "C": 3, "G": 4}
    # miRNA read 3'->5' (reversed), padded with N (0) to 26 nt; target 5'->3'
    assert mi[0, :22].tolist() == [code[c] for c in g[MIRNA].seq[0][::-1]]
    assert mi[0, 22:].tolist() == [0] * 4
    assert tg[3].tolist() == [code[c] for c in g[MRNA].seq[3]]


def test_same_seed_and_save_load_give_identical_scores(fold, tmp_path):
    a = get_model("mitar", filters=8, epochs=2, batch_size=32).fit(fold)
    b = MiTAR(filters=8).set_params(trainer__epochs=2, trainer__batch_size=32).fit(fold)
    assert a.trainer.get_params() == b.trainer.get_params()
    assert (a.trainer.lr, a.trainer.patience) == (1e-3, 10)      # miTAR's defaults kept
    x = fold.test.edge_label_index
    assert torch.equal(a.score(None, x), b.score(None, x))
    back = load(a.save(tmp_path / "mitar.pt"))
    assert torch.equal(back.score(None, x), a.score(None, x))
    assert isinstance(get_model("mitar"), MiTAR)
    assert repr(a.net_) == "_MiTARNet(length=56, filters=8, kernel_size=12)"


@pytest.mark.parametrize("name,value", [("filters", 0), ("dropout", 1.0), ("max_len", 20),
                                        ("kernel_size", 2.5)])
def test_bad_settings_are_refused_by_fit(fold, name, value):
    m = MiTAR(**{name: value})                      # stored as given
    with pytest.raises(ValueError, match=rf"^MiTAR: {name}="):
        m.fit(fold)


def test_scoring_blocks_are_sized_by_a_memory_budget():
    # by hand, length L = 56, F = 8 filters of width 12, h = 32: L1 = 45, L2 = 22; floats
    # 2 L (int64 codes) + 10 L (embedding, transpose) + 2 F (L1 + L2) + 12 h L2 = 10192,
    # times 4 bytes and 1.25
    assert _MiTARNet(56, filters=8).pair_bytes() == 50960
    budget = 4 << 20
    nets = [_MiTARNet(n, filters=8) for n in (56, 226, 1226)]
    blocks = [budget_block(net.pair_bytes(), budget) for net in nets]
    assert blocks[0] == 82                             # 4 MiB // 50960 bytes
    assert all(b * net.pair_bytes() <= budget for b, net in zip(blocks, nets))
    assert blocks[0] > blocks[1] > blocks[2] >= 1      # longer targets, fewer pairs a block


def test_scores_and_largest_tensor_do_not_grow_with_the_pairs(fold):
    # miTAR scored 4096 pairs at once whatever their length (3.8 GB for 1,142 pairs of
    # 1,226-nt inputs, issue 32); now blocks of budget_block(pair_bytes, scoring_bytes)
    m = MiTAR(filters=8, trainer=TrainerConfig(epochs=1, batch_size=32, lr=1e-3)).fit(fold)
    pairs = grid_pairs(torch.arange(6), torch.arange(40))
    whole = m.decision_function(None, pairs)
    m.scoring_bytes = 3 * m.net_.pair_bytes()          # blocks of three pairs
    largest = []
    for n in (24, 240):
        with torch.no_grad(), LargestTensor() as rec:
            raw = m.decision_function(None, pairs[:, :n])
        largest.append(rec.largest)
        assert rec.largest <= m.scoring_bytes
        assert block_close(raw, whole[:n], m.block_rtol)
    assert largest[0] == largest[1]
