import pytest
import torch

from rnagraph.nn.encoders import EncoderTransform, GraRep, HomogeneousGraph
from rnagraph.typing import CIRC_MIRNA

from .test_hetero import make_graph


def test_writes_embedding_without_mutating_input():
    g = make_graph()
    enc = GraRep(dim=2, order=2)
    t = EncoderTransform(enc, CIRC_MIRNA, name="gr")
    out = t(g)
    hg = HomogeneousGraph.from_hetero(g, CIRC_MIRNA)
    ref = hg.split(GraRep(dim=2, order=2).fit_transform(hg.edge_index, hg.num_nodes))
    assert torch.equal(out["mirna"].x_gr, ref["mirna"])
    assert torch.equal(out["circrna"].x_gr, ref["circrna"])
    assert "x_gr" not in g["mirna"] and "x_gr" not in g["circrna"]
    assert "x_gr" not in out["mrna"]  # not touched by the chosen edge type
    assert not hasattr(enc, "embedding_")  # the given encoder stays unfitted
    assert repr(t) == "EncoderTransform(GraRep(dim=2, order=2, n_iter=5, max_nnz_per_row=None, " \
        "prune_threshold=0.0, block_rows=8192, cold_start='zeros', seed=0), name='gr')"


def test_feature_fallback_for_cold_nodes():
    g = make_graph()  # circrna 2 and mirna 1 have no circ-mirna edge
    g["circrna"].x = torch.tensor([[0.0], [1.0], [5.0], [2.0]])
    g["mirna"].x = torch.tensor([[1.0], [3.0], [2.0]])
    plain = EncoderTransform(GraRep(dim=2, order=1), CIRC_MIRNA)(g)
    assert torch.all(plain["circrna"].x_grarep[2] == 0)
    filled = EncoderTransform(GraRep(dim=2, order=1), CIRC_MIRNA, fallback="x")(g)
    assert filled["circrna"].x_grarep[2].abs().sum() > 0
    assert torch.equal(filled["circrna"].x_grarep[[0, 1, 3]], plain["circrna"].x_grarep[[0, 1, 3]])
    with pytest.raises(ValueError, match="no attribute"):
        EncoderTransform(GraRep(dim=2, order=1), CIRC_MIRNA, fallback="seqfeat")(g)
    with pytest.raises(ValueError, match="GraphEncoder"):
        EncoderTransform("grarep")
