"""GRMMI's parts: scikit-learn estimators of their own parameters, checked at fit, that build
the network's blocks (a variant is a block left out)."""
import inspect

import pytest
import torch
from sklearn.base import clone

from rnagraph.models import GRMMI, get_model
from rnagraph.models.grmmi_parts import (
    FusionHead,
    KmerTable,
    PairingBranch,
    PairTerms,
    SequenceBranch,
)
from rnagraph.models.params import part_from_plain, part_to_plain, resolve_params
from rnagraph.nn import DiagonalPairing, MatchMap, MatchScores, PairingMapCNN
from rnagraph.train.config import TrainerConfig

PARTS = [KmerTable, SequenceBranch, PairingBranch, PairTerms, FusionHead]


def test_grmmi_is_a_short_composition_with_one_trainer():
    params = [p for p in inspect.signature(GRMMI.__init__).parameters if p != "self"]
    assert len(params) <= 15 and "trainer" in params
    assert not {"epochs", "lr", "patience", "batch_size", "device", "seed"} & set(params)
    m = GRMMI()
    assert m.trainer.get_params() == TrainerConfig(**GRMMI.default_trainer).get_params()
    assert (m.trainer.epochs, m.trainer.lr, m.trainer.grad_clip) == (24, 1e-3, 5.0)
    # defaults are built per model, never shared
    other = GRMMI()
    assert m.kmers is not other.kmers and m.sequence_encoder is not other.sequence_encoder
    assert m.graph_encoder is not other.graph_encoder and m.trainer is not other.trainer


@pytest.mark.parametrize("cls", PARTS)
def test_every_part_clones_round_trips_and_documents_its_parameters(cls):
    part = cls()
    assert clone(part).get_params() == part.get_params()
    assert part_from_plain(part_to_plain(part)).get_params() == part.get_params()
    doc = cls.__doc__
    for name in inspect.signature(cls.__init__).parameters:
        if name != "self":
            assert f"{name} (" in doc, name
    part._validate_params()                       # the defaults are valid


@pytest.mark.parametrize("part, message", [
    (KmerTable(k=0), "KmerTable: k=0 must be in 1..12"),
    (KmerTable(init="glove"), "init='glove' must be one of"),
    (SequenceBranch(lstm="gru"), "lstm='gru' must be 'bi', 'uni' or None"),
    (SequenceBranch(attention=False, map_channels=3), "map_channels=3 reads the attention"),
    (SequenceBranch(window=4, overlap=4), "overlap=4 must be >= 0 and below window"),
    (SequenceBranch(dropout=1.0), "dropout=1.0 must be in"),
    (PairingBranch(channels=0), "channels=0 must be >= 1"),
    (PairTerms(pair_head=True), "pair_head=True feeds the pair term's features"),
    (PairTerms(rank_weight=-1.0), "rank_weight=-1.0 must be >= 0"),
    (FusionHead(fusion="max"), "fusion='max' must be one of"),
    (FusionHead(classifier="xgb"), "classifier='xgb' must be one of"),
])
def test_parts_refuse_bad_values_when_checked_not_when_built(part, message):
    with pytest.raises(ValueError, match=message):
        part._validate_params()


@pytest.mark.parametrize("kw, blocks", [
    ({}, {"conv", "lstm", "attention"}),
    ({"cnn": False}, {"lstm", "attention"}),
    ({"lstm": None}, {"conv", "attention"}),
    ({"attention": False}, {"conv", "lstm"}),
    ({"match_scores": True, "map_channels": 3}, {"conv", "lstm", "attention", "match_scores",
                                                 "match_map"}),
])
def test_sequence_branch_builds_only_the_blocks_it_uses(kw, blocks):
    enc = SequenceBranch(conv_channels=8, hidden_channels=4, heads=2, **kw).build(
        KmerTable(k=3, embedding_dim=8))
    names = ("conv", "lstm", "attention", "match_scores", "match_map")
    assert {n for n in names if getattr(enc, n) is not None} == blocks
    assert enc.embedding.num_embeddings == 4**3 + 1 and enc.embedding.padding_idx == 4**3
    if "match_map" in blocks:
        assert isinstance(enc.match_map, MatchMap) and enc.match_map.in_channels == 4
        assert isinstance(enc.match_scores, MatchScores)
    assert enc.channels == 8                            # CNN 8 filters, BiLSTM 2 x 4


def test_pairing_layers_and_pair_term_init():
    assert isinstance(PairingBranch(4).build(), PairingMapCNN)
    assert isinstance(PairingBranch(4, "diagonal").build(), DiagonalPairing)
    from rnagraph.models.seed_match import seed_term_init
    assert PairTerms(pair_features=True, mirna_count=True).init() == [*seed_term_init(), 0.0]
    assert PairTerms().init() == [] and not PairTerms().active


def test_short_names_reach_one_part_and_shared_names_are_refused():
    m = GRMMI()
    full = resolve_params(m, {"heads": 2, "embedding_epochs": 1, "epochs": 3})
    assert full == {"sequence_encoder__heads": 2, "kmers__embedding_epochs": 1,
                    "trainer__epochs": 3}
    assert set(resolve_params(m, {"seed": 1})) == {"kmers__seed", "graph_encoder__seed",
                                                  "trainer__seed"}
    with pytest.raises(ValueError, match="head__dropout, sequence_encoder__dropout"):
        resolve_params(m, {"dropout": 0.1})
    m = get_model("grmmi", head__dropout=0.3, sequence_encoder__dropout=0.1)
    assert (m.head.dropout, m.sequence_encoder.dropout) == (0.3, 0.1)


def test_model_files_keep_the_parts(tmp_path):
    from rnagraph.data import kfold_link_split
    from rnagraph.datasets import synthetic
    from rnagraph.models import load
    from rnagraph.typing import MIRNA_MRNA
    g = synthetic(num_mirna=20, num_mrna=40, num_circrna=0, seed=0)
    fold = kfold_link_split(g, MIRNA_MRNA, k=5, seed=0)[0]
    m = get_model("grmmi", k=3, init="random", embedding_dim=8, conv_channels=8,
                  hidden_channels=4, heads=2, graph_encoder__dim=2, mlp_channels=8, epochs=1,
                  max_tokens=40, map_channels=2, pairing=PairingBranch(2, "diagonal"),
                  pair_features=True).fit(fold)
    back = load(m.save(tmp_path / "m.rg"))
    assert part_to_plain(back) == part_to_plain(m)
    x = fold.test.edge_label_index
    torch.testing.assert_close(back.decision_function(None, x), m.decision_function(None, x),
                               rtol=1e-5, atol=1e-6)
