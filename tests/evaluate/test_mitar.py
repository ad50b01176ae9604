"""miTAR's protocol and the AUC loss by kind of miRNA read back from its fold records."""
from types import SimpleNamespace

import pytest
import torch

from rnagraph.data.fold import EXTRA_TESTS, LinkSet
from rnagraph.evaluate.mitar import INDEPENDENT, loss_by_mirna_kind, mitar_splits
from rnagraph.evaluate.store import _digest


def test_loss_by_mirna_kind_takes_kinds_from_the_records_split():
    # training pairs: miRNA 0 both classes (B), 1 positives only (P), 2 negatives only (N);
    # miRNA 3 unseen (U). Test positives B 0.9, P 0.2, U 0.6 against negatives B 0.5, N 0.1,
    # U 0.7: misordered P<B, P<U, U<U, each 1 of 9 comparisons (111.11 per mille)
    train = LinkSet(torch.tensor([[0, 0, 1, 2], [0, 1, 2, 3]]), torch.tensor([1.0, 0, 1, 0]))
    calls = []

    def splits(n, seed):
        calls.append((n, seed))
        return [SimpleNamespace(train=train)]
    fp = {"fold": 0, "meta": {"seed": 7}, "train": _digest(train.edge_label_index,
                                                          train.edge_label)}
    rec = {"src": [0, 1, 3, 0, 2, 3], "label": [1, 1, 1, 0, 0, 0],
           "score": [0.9, 0.2, 0.6, 0.5, 0.1, 0.7], "fingerprint": fp}
    (loss,) = loss_by_mirna_kind([rec], splits=splits)
    assert calls == [(1, 7)]
    assert {k: round(v, 2) for k, v in loss.items() if v} == {
        ("P", "B"): 111.11, ("P", "U"): 111.11, ("U", "U"): 111.11}
    # a record of another split (its training pairs differ) is left out
    other = {**rec, "fingerprint": {**fp, "train": "x"}}
    assert loss_by_mirna_kind([other], splits=splits) == []


@pytest.mark.realdata
def test_mitar_splits_hold_out_the_independent_rows_that_repeat_training_pairs(real_root):
    full, (f0, f1) = mitar_splits(2, seed=3, root=str(real_root))
    assert [f.meta["seed"] for f in (f0, f1)] == [3, 4]
    n = len(f0.train) + len(f0.val) + len(f0.test)
    assert abs(len(f0.test) / n - 0.20) < 0.01 and abs(len(f0.train) / n - 0.64) < 0.01
    train = set(map(tuple, f0.train.edge_label_index.t().tolist()))
    for name in INDEPENDENT:
        kept = f0.meta[EXTRA_TESTS][name].edge_label_index
        assert not train & set(map(tuple, kept.t().tolist()))       # no repeated pair
        assert f0.meta[f"{name}:exact"] + f0.meta[f"{name}:near"] >= 0
    # the training graph holds the split's training positives only (duplicate rows once)
    pos = f0.train.edge_label_index[:, f0.train.edge_label == 1]
    edges = f0.train_graph[full.edge_types[0]].edge_index
    assert set(map(tuple, edges.t().tolist())) == set(map(tuple, pos.t().tolist()))
