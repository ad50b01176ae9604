import pytest
import torch

from rnagraph.data import build_graph, kfold_link_split
from rnagraph.models import MiTAR, get_model, load
from rnagraph.models.mitar_net import MIRNA_SLOT
from rnagraph.train.config import TrainerConfig
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA


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
