"""The two inductive vote baselines: SequenceVote (sequence neighbours) and SeedVote (same
seed), by hand on tiny graphs, exactly block-invariant, fold-safe, and beating chance for
held-out miRNAs of a cold split of the synthetic graph."""
import warnings

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.data import (
    Fold,
    IsolatedNodesWarning,
    LinkSet,
    build_graph,
    kfold_link_split,
    node_sequences,
)
from rnagraph.datasets import synthetic
from rnagraph.models import get_model, load
from rnagraph.models.base import block_close, grid_pairs
from rnagraph.models.degree_product import DegreeProduct
from rnagraph.models.seed_vote import SeedVote, seed_of
from rnagraph.models.sequence_vote import SequenceVote

CM = ("circrna", "binds", "mirna")
MM = ("mirna", "targets", "mrna")


def hand_fold(g, et, val_pos, val_neg):
    """A fold whose training graph is ``g`` itself (its edges are the training positives)."""
    def idx(pairs):
        return torch.tensor(pairs, dtype=torch.long).t().reshape(2, -1)
    train = LinkSet.from_pos_neg(g[et].edge_index, torch.empty(2, 0, dtype=torch.long))
    empty = LinkSet(torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    return Fold(index=0, edge_type=et, train_graph=g, train=train,
                val=LinkSet.from_pos_neg(idx(val_pos), idx(val_neg)), test=empty)


# ----------------------------------------------------------------------------- SequenceVote
def seq_graph(extra=None):
    # miRNAs m0..m4 (CM destinations); Levenshtein similarities 1 - d / 4:
    # S(m0, m1) = 0.75, S(m0, m2) = 0.25, S(m1, m2) = 0.5; m4 has no sequence; ``extra``
    # {id: seq} appended after them (RNAs the model was not fitted with)
    mirs = {"m0": "AAAA", "m1": "AAAU", "m2": "AUUU", "m4": None, **(extra or {})}
    return build_graph({"mirna": mirs},
                       {CM: [("c0", "m0"), ("c1", "m0"), ("c1", "m2"), ("c2", "m2")]})


def test_sequence_vote_by_hand():
    g = seq_graph()
    c = {k: i for i, k in enumerate(g["circrna"].ids)}
    m = {k: i for i, k in enumerate(g["mirna"].ids)}
    fold = hand_fold(g, CM, [(c["c0"], m["m1"])], [(c["c2"], m["m1"])])
    model = SequenceVote(powers=[2.0], calibrate=False).fit(fold)
    assert model.power_ == 2.0
    # known = {m0, m2} (training pairs and sequences); p = 2; an RNA never votes for itself
    want = {("c0", "m1"): 0.75**2,                      # m0 binds c0
            ("c1", "m1"): 0.75**2 + 0.5**2,             # m0 and m2 bind c1
            ("c2", "m1"): 0.5**2,                       # m2 binds c2
            ("c1", "m0"): 0.25**2,                      # m2 only: m0's own pair left out
            ("c0", "m0"): 0.0,
            ("c2", "m0"): 0.25**2,
            # m4 has no sequence: the mean S^p of distinct known RNAs (m0, m2: 0.25^2)
            # x the partner's training degree (2)
            ("c1", "m4"): 0.25**2 * 2}
    pairs = torch.tensor([[c[a], m[b]] for a, b in want]).t()
    with pytest.warns(UserWarning, match="1 of 7 pairs have a mirna without a sequence"):
        raw = model.decision_function(None, pairs)
    v = torch.tensor(list(want.values()), dtype=torch.float64)
    assert torch.allclose(raw, torch.log1p(v), rtol=0, atol=1e-12)
    with pytest.warns(UserWarning, match="without a sequence"):
        assert torch.allclose(model.score(None, pairs), v / (1 + v), rtol=0, atol=1e-12)
    reasons = model.pair_reasons(None, pairs)
    assert reasons[:6] == [None] * 6 and "without a sequence" in reasons[6]


def test_sequence_vote_chooses_p_on_validation():
    # m1's nearest neighbour m0 (S 0.75) binds c0; two farther ones, m2 and m5 (S 0.5 each),
    # bind c3. Validation: m1 binds c0, not c3. p = 1: c0 0.75 < c3 1.0 (AUC 0); p = 8:
    # c0 0.100 > c3 0.008 (AUC 1)
    mirs = {"m0": "AAAA", "m1": "AAAU", "m2": "AUUU", "m5": "UUAU"}
    g = build_graph({"mirna": mirs}, {CM: [("c0", "m0"), ("c3", "m2"), ("c3", "m5")]})
    c = {k: i for i, k in enumerate(g["circrna"].ids)}
    m = {k: i for i, k in enumerate(g["mirna"].ids)}
    fold = hand_fold(g, CM, [(c["c0"], m["m1"])], [(c["c3"], m["m1"])])
    model = SequenceVote(powers=[1.0, 8.0], calibrate=False).fit(fold)
    assert model.val_auc_ == {"1.0": 0.0, "8.0": 1.0} and model.power_ == 8.0
    # equal validation AUCs: the smaller p
    g = seq_graph()
    c = {k: i for i, k in enumerate(g["circrna"].ids)}
    m = {k: i for i, k in enumerate(g["mirna"].ids)}
    fold = hand_fold(g, CM, [(c["c0"], m["m1"])], [(c["c2"], m["m1"])])
    model = SequenceVote(powers=[8.0, 1.0], calibrate=False).fit(fold)
    assert model.val_auc_ == {"8.0": 1.0, "1.0": 1.0} and model.power_ == 1.0


def test_sequence_vote_kmer_similarity_is_a_cosine():
    g = seq_graph()
    fold = hand_fold(g, CM, [(0, 1)], [(2, 1)])
    model = SequenceVote(similarity="kmer", powers=[1.0], calibrate=False).fit(fold)
    sim = model._similarity(["AAAA", "AAAA", None], ["AAAA", "UUUU"])
    assert np.allclose(sim, [[1, 0], [1, 0], [0, 0]])


def test_sequence_vote_errors():
    fold = hand_fold(seq_graph(), CM, [(0, 1)], [(2, 1)])
    # bad values are stored by __init__ and refused by fit
    with pytest.raises(ValueError, match="similarity='blast' must be one of"):
        SequenceVote(similarity="blast").fit(fold)
    with pytest.raises(ValueError, match=r"powers=\[\] must be"):
        SequenceVote(powers=[]).fit(fold)
    with pytest.raises(ValueError, match=r"powers=\[-1.0\] must be"):
        SequenceVote(powers=[-1.0]).fit(fold)
    g = build_graph({}, {CM: [("c0", "m0"), ("c1", "m1")]})
    with pytest.raises(ValueError, match="'mirna' has no sequences"):
        SequenceVote().fit(hand_fold(g, CM, [(0, 0)], [(1, 0)]))
    with pytest.raises(ValueError, match="node_type 'mrna' is not one side"):
        SequenceVote(node_type="mrna").fit(hand_fold(seq_graph(), CM, [(0, 1)], [(2, 1)]))


# ----------------------------------------------------------------------------- SeedVote
def seed_graph(extra=None):
    # seeds (nt 2-8): m0, m1, m2 share GAGGUAG; m3 has another; m4 has no sequence
    mirs = {"m0": "UGAGGUAGUA", "m1": "AGAGGUAGCC", "m2": "CGAGGUAGGG", "m3": "UAAAGUGCUU",
            "m4": None, **(extra or {})}
    return build_graph({"mirna": mirs},
                       {MM: [("m0", "t0"), ("m0", "t1"), ("m2", "t0"), ("m3", "t2")]},
                       node_ids={"mrna": ["t3"]})


def test_seed_of():
    assert seed_of("UGAGGUAGUAGG") == "GAGGUAG" and seed_of("tgaggtag") == "GAGGUAG"
    assert seed_of(None) is None and seed_of("UGAGGUA") is None
    assert seed_of("UGAGNUAGUA") is None


def test_seed_vote_by_hand():
    g = seed_graph()
    m = {k: i for i, k in enumerate(g["mirna"].ids)}
    t = {k: i for i, k in enumerate(g["mrna"].ids)}
    fold = hand_fold(g, MM, [(m["m0"], t["t0"])], [(m["m3"], t["t1"])])
    model = SeedVote(smoothing=1.0, calibrate=False).fit(fold)
    # known miRNAs m0, m2, m3 (3); partner degrees t0 2, t1 1, t2 1, t3 0; alpha = 1:
    # x = (c + pi) / (n + 1), pi = (deg - own) / (3 - [m known])
    want = {("m1", "t0"): (2 + 2 / 3) / 3,     # family {m0, m2}: both bind t0 (m1 unknown)
            ("m1", "t1"): (1 + 1 / 3) / 3,
            ("m1", "t2"): (0 + 1 / 3) / 3,
            ("m1", "t3"): 0.0,
            ("m0", "t0"): (1 + 1 / 2) / 2,     # m0 left out of its family and of pi
            ("m0", "t2"): (0 + 1 / 2) / 2,
            ("m3", "t0"): (0 + 2 / 2) / 1,     # alone in its family: pi
            ("m4", "t0"): 2 / 3}               # no seed: pi over the 3 known miRNAs
    pairs = torch.tensor([[m[a], t[b]] for a, b in want]).t()
    with pytest.warns(UserWarning, match="1 of 8 pairs have a miRNA without a seed"):
        raw = model.decision_function(None, pairs)
    assert torch.allclose(raw, torch.tensor(list(want.values()), dtype=torch.float64),
                          rtol=0, atol=1e-12)
    assert model.pair_reasons(None, pairs)[:7] == [None] * 7
    assert "without a seed" in model.pair_reasons(None, pairs)[7]


def test_rnas_appended_to_the_graph_are_scored_from_their_sequence():
    # the per-graph state (_encode) of a graph holding one more miRNA than the fitted one:
    # "m9" copies m0's sequence, so m0 votes for it with weight 1 / it joins m0's family
    g, ext = seq_graph(), seq_graph({"m9": "AAAA"})
    fold = hand_fold(g, CM, [(0, 1)], [(2, 1)])
    model = SequenceVote(powers=[2.0], calibrate=False).fit(fold)
    new, m0 = int(g["mirna"].num_nodes), 0
    assert list(ext["mirna"].ids)[new] == "m9"
    raw = model._encode(ext)["raw"]
    a_m0 = torch.zeros(int(g["circrna"].num_nodes), dtype=torch.float64)
    a_m0[g[CM].edge_index[0, g[CM].edge_index[1] == m0]] = 1.0
    assert torch.allclose(raw[new], torch.log1p(torch.expm1(raw[m0]) + a_m0), atol=1e-12)
    g, ext = seed_graph(), seed_graph({"m9": "GGAGGUAGAA"})
    fold = hand_fold(g, MM, [(0, 0)], [(3, 1)])
    model = SeedVote(calibrate=False).fit(fold)
    enc = model._encode(ext)
    new = int(g["mirna"].num_nodes)
    t = torch.arange(int(g["mrna"].num_nodes))
    m1 = list(g["mirna"].ids).index("m1")          # unknown, same family: the same scores
    assert torch.equal(model._score(enc, torch.full_like(t, new), t),
                       model._score(enc, torch.full_like(t, m1), t))


def test_seed_vote_errors():
    g = build_graph({}, {CM: [("c0", "m0"), ("c1", "m1")]})
    with pytest.raises(ValueError, match="SeedVote: smoothing=0 must be a finite number > 0"):
        SeedVote(smoothing=0).fit(hand_fold(g, CM, [(0, 0)], [(1, 0)]))
    with pytest.raises(ValueError, match="no miRNA has a sequence"):
        SeedVote().fit(hand_fold(g, CM, [(0, 0)], [(1, 0)]))
    g = build_graph({}, {("circrna", "binds", "mrna"): [("c0", "t0"), ("c1", "t1")]})
    with pytest.raises(ValueError, match="node_type 'mirna' is not one side"):
        SeedVote().fit(hand_fold(g, ("circrna", "binds", "mrna"), [(0, 0)], [(1, 0)]))


def slow_seed_vote(fold, pairs, alpha=1.0):
    """The same-seed vote pair by pair from the fold's training edges (a reference)."""
    g, side = fold.train_graph, (0 if fold.edge_type[0] == "mirna" else 1)
    ei = g[fold.edge_type].edge_index
    train = {(int(a), int(b)) for a, b in zip(ei[side], ei[1 - side])}
    known = {a for a, _ in train}
    seeds = [seed_of(s) for s in node_sequences(g, "mirna")]
    out = []
    for mm, tt in zip(pairs[side].tolist(), pairs[1 - side].tolist()):
        fam = [k for k in known if k != mm and seeds[mm] is not None and seeds[k] == seeds[mm]]
        c = sum((k, tt) in train for k in fam)
        others = known - {mm}
        pi = sum((k, tt) in train for k in others) / len(others)
        out.append((c + alpha * pi) / (len(fam) + alpha))
    return torch.tensor(out, dtype=torch.float64)


# ----------------------------------------------------------------------------- both, synthetic
@pytest.fixture(scope="module")
def cold():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IsolatedNodesWarning)   # untargeted circRNAs
        return kfold_link_split(synthetic(seed=0), CM, k=5, mode="cold-dst", seed=0)


@pytest.fixture(scope="module")
def fitted(cold):
    return {"seq": SequenceVote().fit(cold[0]), "seed": SeedVote().fit(cold[0])}


def test_held_out_mirnas_beat_chance_from_their_sequence(cold):
    aucs = {"seq-vote": [], "seed-vote": [], "degree+1": []}
    for f in cold:
        held = f.test.pos_index[1].unique()
        assert not torch.isin(f.train_graph[CM].edge_index[1], held).any()  # never in the fit
        for name in aucs:
            model = get_model(name).fit(f)
            s = model.decision_function(None, f.test.edge_label_index).numpy()
            aucs[name].append(roc_auc_score(f.test.edge_label.numpy(), s))
    # measured 0.76-0.84 (seq-vote) and 0.80-0.88 (seed-vote) per fold, popularity 0.58-0.71
    assert min(aucs["seq-vote"]) > 0.65 and min(aucs["seed-vote"]) > 0.65
    assert np.mean(aucs["seq-vote"]) > np.mean(aucs["degree+1"]) + 0.03
    assert np.mean(aucs["seed-vote"]) > np.mean(aucs["degree+1"]) + 0.03


def test_seed_vote_agrees_with_the_slow_reference(fitted, cold):
    f = cold[0]
    pairs = torch.cat([f.test.edge_label_index, f.val.edge_label_index,
                       f.train.edge_label_index], 1)
    assert torch.allclose(fitted["seed"].decision_function(None, pairs),
                          slow_seed_vote(f, pairs), rtol=0, atol=1e-12)


@pytest.mark.parametrize("key", ["seq", "seed"])
def test_exactly_block_invariant(fitted, cold, key):
    model, f = fitted[key], cold[0]
    assert model.block_rtol == 0.0
    pairs = torch.cat([f.test.edge_label_index, f.val.edge_label_index], 1)
    raw = model.decision_function(None, pairs)
    # the contract's block check at the model's own tolerance (0: the votes read and divide
    # counts pair by pair, so every block gives the same floats)
    for batch_size in (1, 7, 1000):
        assert block_close(model.decision_function(None, pairs, batch_size=batch_size), raw,
                           model.block_rtol)
    src, dst = pairs[0, :9].unique(), pairs[1, :30].unique()
    grid = model.decision_grid(None, src, dst)
    assert block_close(grid.reshape(-1), model.decision_function(None, grid_pairs(src, dst)),
                       model.block_rtol)


@pytest.mark.parametrize("key", ["seq", "seed"])
def test_fold_safe_and_save_load(fitted, cold, key, tmp_path):
    model, f = fitted[key], cold[0]
    pairs = torch.cat([f.test.edge_label_index, f.val.edge_label_index], 1)
    # test positives are not training positives: adding them to the fitted graph changes
    # the held-out miRNAs' scores, so the scores above did not see them
    leaky = f.train_graph.clone()
    leaky[CM].edge_index = torch.cat([leaky[CM].edge_index, f.test.pos_index], 1)
    other = type(model)(**model.get_params()).fit(Fold(
        index=0, edge_type=CM, train_graph=leaky, train=f.train, val=f.val, test=f.test))
    assert not torch.equal(other.decision_function(None, pairs),
                           model.decision_function(None, pairs))
    back = load(model.save(tmp_path / "m.rg"))
    assert type(back) is type(model) and back.get_params() == model.get_params()
    assert torch.equal(back.decision_function(None, pairs), model.decision_function(None, pairs))
    assert torch.equal(back.score(None, pairs), model.score(None, pairs))
    if key == "seq":
        assert back.power_ == model.power_ and back.val_auc_ == model.val_auc_


def test_popularity_is_what_seedless_pairs_get(cold):
    # a miRNA whose sequence is removed scores pi_t: the same order as add-one degrees
    f = cold[0]
    g = f.train_graph.clone()
    held = int(f.test.pos_index[1, 0])
    seqs = list(g["mirna"].seq)
    seqs[held] = None
    g["mirna"].seq = seqs
    model = SeedVote().fit(f)
    t = torch.arange(int(g["circrna"].num_nodes))
    pairs = torch.stack([t, torch.full_like(t, held)])
    with pytest.warns(UserWarning, match="without a seed"):
        x = model.decision_function(g, pairs)
    deg = DegreeProduct(smoothing=1, calibrate=False).fit(f).decision_function(None, pairs)
    assert torch.equal(x.argsort(stable=True), deg.argsort(stable=True))
