"""SequencePrior: the miRNA's sequence alone, the shortcut that survives a miRNA-disjoint
split."""
import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.data import Fold, LinkSet, build_graph
from rnagraph.models import SequencePrior, get_model
from rnagraph.train.metrics import grouped_auc
from rnagraph.typing import MIRNA_MRNA


@pytest.fixture(scope="module")
def mock_split():
    """Real miRNAs (A/U-rich) with positives only, mock miRNAs
    (G/C-rich) with negatives only, every target a random 40-nt window that says nothing;
    whole miRNAs split 120 / 40 / 40 (train / validation / test)."""
    rng = np.random.default_rng(0)
    au, gc = [0.35, 0.15, 0.15, 0.35], [0.15, 0.35, 0.35, 0.15]
    seq = lambda n, p: "".join(rng.choice(list("ACGU"), n, p=p))  # noqa: E731
    n = 200
    mirnas = {f"m{i}": seq(22, au if i % 2 else gc) for i in range(n)}
    targets, rows, labels = {}, [], []
    for i in range(n):
        for k in range(3):
            targets[f"t{i}_{k}"] = seq(40, None)
            rows.append((f"m{i}", f"t{i}_{k}"))
            labels.append(float(i % 2))
    g = build_graph({"mirna": mirnas, "mrna": targets},
                    {MIRNA_MRNA: [r for r, y in zip(rows, labels) if y]})
    ids = {t: {n: j for j, n in enumerate(g[t].ids)} for t in ("mirna", "mrna")}
    pairs = torch.tensor([[ids["mirna"][m] for m, _ in rows], [ids["mrna"][t] for _, t in rows]])
    y = torch.tensor(labels)
    mir = np.repeat(np.arange(n), 3)
    parts = [np.flatnonzero(m) for m in (mir < 120, (mir >= 120) & (mir < 160), mir >= 160)]
    return Fold(0, MIRNA_MRNA, g, *[LinkSet(pairs[:, torch.from_numpy(p)], y[torch.from_numpy(p)])
                                    for p in parts])


def test_it_scores_unseen_mirnas_by_their_sequence_and_ties_within_one(mock_split):
    model = get_model("seq-prior", hidden_channels=16).fit(mock_split)
    test = mock_split.test
    s = model.decision_function(None, test.edge_label_index).numpy()
    # the targets carry nothing; the unseen miRNAs' composition gives the label away
    assert roc_auc_score(test.edge_label.numpy(), s) > 0.9
    # a miRNA's pairs tie (its partner is never read): within-miRNA AUC 0.5 by construction
    mir = test.edge_label_index[0].numpy()
    for m in np.unique(mir):
        np.testing.assert_allclose(s[mir == m], s[mir == m][0], rtol=1e-6, atol=1e-6)
    assert np.isnan(grouped_auc(test.edge_label.numpy(), s, mir)[0])   # no mixed miRNA here


def test_it_needs_mirna_sequences_and_checks_its_parameters(mock_split):
    with pytest.raises(ValueError, match="kmers=7"):
        SequencePrior(kmers=7).fit(mock_split)
    g = build_graph({"mirna": {"a": None, "b": None}, "mrna": {"x": "ACGU", "y": "ACGU"}},
                    {MIRNA_MRNA: [("a", "x")]})
    pairs = torch.tensor([[0, 1], [0, 1]])
    f = Fold(0, MIRNA_MRNA, g, LinkSet(pairs, torch.tensor([1.0, 0.0])),
             LinkSet(pairs, torch.tensor([1.0, 0.0])), LinkSet(pairs, torch.tensor([1.0, 0.0])))
    with pytest.raises(ValueError, match="no sequences"):
        SequencePrior().fit(f)
