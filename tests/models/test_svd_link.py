import warnings

import torch

from rnagraph.data import Fold, LinkSet, build_graph, kfold_link_split
from rnagraph.evaluate import cross_validate
from rnagraph.models.svd_link import TruncatedSVDLink

CM = ("circrna", "binds", "mirna")


def test_rank_one_block_is_reconstructed():
    # two disjoint complete blocks 8x4 and 4x4: rank 2, reconstruction is exact
    # (the smaller side has 8 nodes, so the rank cap min(N_s, N_d) // 4 = 2 allows rank 2)
    pairs = [(f"a{i}", f"x{j}") for i in range(8) for j in range(4)]
    pairs += [(f"b{i}", f"y{j}") for i in range(4) for j in range(4)]
    g = build_graph({}, {CM: pairs})
    train = LinkSet.from_pos_neg(g[CM].edge_index, torch.tensor([[0, 3], [2, 0]]))
    f = Fold(0, CM, g, train, train, train)
    m = TruncatedSVDLink(dim=2, calibrate=False).fit(f)
    allpairs = torch.cartesian_prod(torch.arange(12), torch.arange(8)).t()
    dense = m.decision_function(None, allpairs).reshape(12, 8)
    a = torch.zeros(12, 8, dtype=torch.float64)
    a[g[CM].edge_index[0], g[CM].edge_index[1]] = 1
    assert torch.allclose(dense, a, atol=1e-6)
    assert repr(m) == "TruncatedSVDLink(calibrate=False, dim=2)"
    # a rank-2 request on the first block alone (8x4) is capped at 4 // 4 = 1
    small = build_graph({}, {CM: pairs[:32]})
    fs = Fold(0, CM, small, train, train, train)
    assert TruncatedSVDLink(dim=2, calibrate=False).fit(fs).src_emb_.shape[1] == 1


def test_paper_protocol_inflates_svd(planted_cm):
    g = planted_cm(n=5, nc=24, nm=16, p_in=0.35)
    free = kfold_link_split(g, CM, k=5, seed=0)
    paper = kfold_link_split(g, CM, k=5, seed=0, protocol="paper")
    m = TruncatedSVDLink(dim=5)  # rank = number of communities
    r_free = cross_validate(m, g, CM, free, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_paper = cross_validate(m, g, CM, paper, progress=False)
    assert r_free.mean["auc"] > 0.7  # the community structure is learnable honestly ...
    assert r_paper.mean["auc"] > r_free.mean["auc"] + 0.05  # ... and the leak inflates it
