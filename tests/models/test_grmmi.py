import dataclasses
import math

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from rnagraph.data import build_graph, kfold_link_split
from rnagraph.data.fold import LinkSet
from rnagraph.datasets.synthetic import seed_site
from rnagraph.features import KmerTokenizer
from rnagraph.models import GRMMI, get_model, load
from rnagraph.models.base import block_close
from rnagraph.models.grmmi import PAIRINGS
from rnagraph.models.grmmi_parts import PairingBranch
from rnagraph.models.params import is_part
from rnagraph.typing import MIRNA, MIRNA_MRNA, MRNA

_COMP = str.maketrans("ACGU", "UGCA")


def site_graph(n_families: int = 4, mirna_per_family: int = 3, n_mrna: int = 120,
               length: int = 40, partners: int = 3, seed: int = 0):
    """``n_families`` seed families of miRNAs and ``n_mrna`` random targets of ``length`` nt.
    Each target gets one 8mer site of one family, at a random position; it interacts with
    ``partners`` random miRNAs of that family (the positives). Returns ``(graph, sites)`` with
    ``sites[mrna_index] = (start, end)`` of the planted site (5'->3')."""
    rng = np.random.default_rng(seed)
    alpha = np.array(list("ACGU"))
    rand = lambda n: "".join(rng.choice(alpha, n))  # noqa: E731
    mirnas, fam = {}, []
    for f in range(n_families):
        core = rand(7)
        for i in range(mirna_per_family):
            mirnas[f"miR-{f}-{i}"] = rand(1) + core + rand(14)
            fam.append(f)
    names = list(mirnas)
    targets, sites, pairs = {}, {}, []
    for j in range(n_mrna):
        f = int(rng.integers(n_families))
        members = [n for n, g in zip(names, fam) if g == f]
        site = seed_site(mirnas[members[0]], "8mer")
        s = list(rand(length))
        pos = int(rng.integers(0, length - len(site)))
        s[pos:pos + len(site)] = list(site)
        targets[f"t{j}"] = "".join(s)
        sites[j] = (pos, pos + len(site))
        for m in rng.choice(members, min(partners, len(members)), replace=False):
            pairs.append((str(m), f"t{j}"))
    g = build_graph({MIRNA: mirnas, MRNA: targets}, {MIRNA_MRNA: pairs})
    idx = {t: i for i, t in enumerate(g[MRNA].ids)}
    return g, {idx[f"t{j}"]: sites[j] for j in range(n_mrna)}


#: a small but complete GRMMI (FastText init, CNN, BiLSTM, attention, GraRep, BP), by its
#: parts' parameters (short names where one part has the name)
SMALL = dict(embedding_dim=32, conv_channels=32, hidden_channels=16, heads=2, mlp_channels=32,
             sequence_encoder__dropout=0.1, head__dropout=0.1, batch_size=64)


def grmmi(**kw) -> GRMMI:
    """A GRMMI of the given part parameters (as ``rnagraph train --set`` names them)."""
    return get_model("grmmi", **kw)


def leaves(model) -> dict:
    """Every parameter of ``model`` and its parts that is not itself a part."""
    return {k: v for k, v in model.get_params(deep=True).items() if not is_part(v)}


@pytest.fixture(scope="module")
def sites(train_seed):
    return site_graph(n_mrna=240, length=40, seed=train_seed)


@pytest.fixture(scope="module")
def fold(sites, train_seed):
    return kfold_link_split(sites[0], MIRNA_MRNA, k=5, seed=train_seed)[0]


@pytest.fixture(scope="module")
def learned(fold, train_seed):
    """The sequence branch alone, trained until it separates planted site pairs."""
    torch.set_num_threads(1)
    # lr 0.003: at 0.005 the network collapsed to a constant output after epoch 1 under the SSE
    # kernel set with seed 1 (test AUC 0.505); at 0.003 it separates the sites by epoch 10
    return grmmi(graph_encoder=None, epochs=25, patience=25, lr=0.003, seed=train_seed,
                 **SMALL).fit(fold)


@pytest.fixture(scope="module")
def short_fit(fold):
    """Sequence + graph branch, two epochs: for determinism and file tests."""
    return grmmi(epochs=2, **SMALL).fit(fold)


def test_reversed_mrna_pairs_position_by_position_with_the_mirna():
    mir = "UAGCUUAUCAGACUGAUGUUGA"
    site = seed_site(mir, "8mer")                  # revcomp(nt 2-8) + A, as read 5'->3'
    target = "GGGCCC" + site + "CCCGGG"
    rev = GRMMI().target_sequence(target)
    p = rev.index(site[::-1])
    assert rev[p] == "A"                           # opposite miRNA nt 1
    for i in range(1, 8):                          # miRNA nt 2..8 pair with rev[p+1..p+7]
        assert rev[p + i] == mir[i].translate(_COMP)
    tok = KmerTokenizer(6)
    core = tok.encode(mir[1:7].translate(_COMP))[0]   # complement of nt 2-7, same order
    assert core in tok.encode(rev).tolist()
    assert core not in tok.encode(target).tolist()
    assert grmmi(mrna_orientation="forward").target_sequence(target) == target


def test_reverse_complement_reads_a_site_as_the_mirnas_own_letters():
    mir = "UAGCUUAUCAGACUGAUGUUGA"
    target = "GGGCCC" + seed_site(mir, "8mer") + "CCCGGG"
    rc = grmmi(mrna_orientation="reverse_complement").target_sequence(target)
    assert len(rc) == len(target) and mir[1:8] in rc       # nt 2-8 verbatim
    tok = KmerTokenizer(6)
    assert tok.encode(mir[1:7])[0] in tok.encode(rc).tolist()   # the same 6-mer token
    assert rc.translate(_COMP)[::-1] == target             # nothing else changed


@pytest.mark.slow
def test_sequence_branch_learns_planted_sites(learned, fold, margin):
    s = learned.score(None, fold.test.edge_label_index)
    # min 0.940 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("auc", roc_auc_score(fold.test.edge_label.numpy(), s.numpy()), 0.9)
    assert s.dtype == torch.float64 and 0 <= float(s.min()) <= float(s.max()) <= 1


@pytest.fixture(scope="module")
def learned_seeds(learned, fold, train_seed):
    """``learned`` and the same model trained with the two next seeds."""
    torch.set_num_threads(1)
    return [learned, *(grmmi(graph_encoder=None, epochs=25, patience=25, lr=0.003, seed=s,
                             **SMALL).fit(fold) for s in (train_seed + 1, train_seed + 2))]


@pytest.mark.slow
def test_top_attended_window_finds_the_planted_site(learned_seeds, fold, sites, margin):
    # how sharply the attention settles on the site varies with the seed (about half the
    # positives with some seeds, all with others; the AUC is high either way), so the
    # median over three seeds is asserted
    _, planted = sites
    pos = fold.test.pos_index
    # shuffled attention: the same windows at uniformly random encoded positions
    rng = np.random.default_rng(0)
    k, stride = learned_seeds[0].kmers.k, learned_seeds[0].sequence_encoder.pool_size
    span = stride + k - 1                          # nt covered by one encoded position
    n_pos = (40 - k + 1 + stride - 1) // stride
    base = []
    for j in pos[1].tolist():
        for _ in range(50):
            lo = int(rng.integers(n_pos)) * stride
            base.append(planted[j][0] < lo + span and lo < planted[j][1])
    ratios, full_sites = [], []
    for model in learned_seeds:
        expl = model.explain(None, pos, top=1, flank=0)
        assert len(expl) == pos.size(1) and all(len(e) == 1 for e in expl)
        hit = [planted[j][0] < e[0]["end"] and e[0]["start"] < planted[j][1]
               for e, j in zip(expl, pos[1].tolist())]
        ratios.append(np.mean(hit) / np.mean(base))
        # with the default flank the top window holds the full seed site
        full_sites.append(np.mean([e[0]["seed_site"] for e in model.explain(None, pos, top=1)]))
    # min 1.91 and 0.69 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("hit ratio vs shuffled (median of 3 seeds)", np.median(ratios), 1.5)
    margin.above("full seed site in top window (median)", np.median(full_sites), 0.5)


def test_same_seed_gives_identical_scores(short_fit, fold):
    again = grmmi(epochs=2, **SMALL).fit(fold)
    a = short_fit.decision_function(None, fold.test.edge_label_index)
    b = again.decision_function(None, fold.test.edge_label_index)
    assert torch.equal(a, b)
    key = [(h["epoch"], h["loss"], h["val_auc"]) for h in short_fit.history_]
    assert key == [(h["epoch"], h["loss"], h["val_auc"]) for h in again.history_]


def test_fit_ignores_a_poisoned_test_set(short_fit, fold):
    g = torch.Generator().manual_seed(1)
    n_mi, n_m = fold.train_graph[MIRNA].num_nodes, fold.train_graph[MRNA].num_nodes
    junk = torch.stack([torch.randint(n_mi, (500,), generator=g),
                        torch.randint(n_m, (500,), generator=g)])
    poisoned = dataclasses.replace(fold, test=LinkSet(junk, (torch.rand(500, generator=g)
                                                             > 0.5).float()))
    m = grmmi(epochs=2, **SMALL).fit(poisoned)
    x = fold.test.edge_label_index
    assert torch.equal(m.score(None, x), short_fit.score(None, x))


def test_save_load_gives_identical_scores(short_fit, fold, tmp_path):
    path = short_fit.save(tmp_path / "grmmi.pt")
    back = load(path)
    assert isinstance(back, GRMMI) and leaves(back) == leaves(short_fit)
    x = fold.test.edge_label_index
    # the loaded model encodes its sequences in other chunks than the fitted one did
    assert block_close(back.decision_function(None, x), short_fit.decision_function(None, x),
                       back.block_rtol)
    assert back.explain(None, x[:, :2]) == short_fit.explain(None, x[:, :2])


@pytest.mark.parametrize("pairing", ["map", "diagonal"])
def test_extensions_survive_save_load_and_cached_scoring(fold, tmp_path, pairing):
    # the logit-map / match-score head, the pairing layers and the antisense reading are
    # model-file options; the cached scoring path gives the training path's numbers
    m = grmmi(epochs=1, map_channels=4, match_scores=True,
              pairing=PairingBranch(3, pairing), lr_factor=0.5, ema_decay=0.9,
              mrna_orientation="reverse_complement", **SMALL).fit(fold)
    assert m.net_.encoder.match_map.out_channels == 4
    assert isinstance(m.net_.pairing, PAIRINGS[pairing])
    assert m.net_.pairing.out_channels == 3
    # the pairing map reads the nucleotides the model reads: miRNA 5'->3', target antisense
    g = fold.train_graph
    assert "".join("ACGU"[c] for c in m.net_.m_nt[0].tolist() if c < 4) == \
        m.target_sequence(g[MRNA].seq[0])
    back = load(m.save(tmp_path / "ext.rg"))
    assert leaves(back) == leaves(m)
    x = fold.test.edge_label_index
    assert block_close(back.decision_function(None, x), m.decision_function(None, x),
                       back.block_rtol)
    with torch.no_grad():
        direct = m.net_.eval()(x.flip(0) if m.mi_row_ else x).double()
    assert block_close(m.decision_function(None, x, batch_size=7), direct, m.block_rtol)


def test_cached_scoring_equals_per_batch_scoring(short_fit, fold):
    # decision_function: every sequence encoded once, attention per pair in blocks;
    # the training path encodes each batch's sequences itself. Same numbers.
    x = fold.test.edge_label_index
    net = short_fit.net_.eval()
    with torch.no_grad():
        direct = net(x).double()
    assert block_close(short_fit.decision_function(None, x, batch_size=7), direct,
                       short_fit.block_rtol)


@pytest.mark.parametrize("window", [None, 12])
def test_encoding_cache_encodes_only_the_scored_sequences(short_fit, fold, window):
    # scoring a few pairs encodes only their two sides; the lazily filled cache gives the
    # numbers of the fully encoded one, whatever order the nodes are filled in
    net = short_fit.net_.eval()
    old = net.encoder.window, net.encoder.overlap
    net.encoder.window, net.encoder.overlap = window, 4     # 40-nt targets: 35 tokens, 3 windows
    try:
        x = fold.test.edge_label_index[:, :9]
        cache = net.encoding_cache()
        with torch.no_grad():
            lazy = net(x.flip(0) if short_fit.mi_row_ else x, cache)
            assert int(cache["mi_done"].sum()) + int(cache["m_done"].sum()) == \
                len(set(x[0].tolist())) + len(set(x[1].tolist()))
            full = net(x.flip(0) if short_fit.mi_row_ else x, net.encode_all(chunk=5))
            direct = net(x.flip(0) if short_fit.mi_row_ else x)
        assert block_close(lazy, full, short_fit.block_rtol)
        assert block_close(lazy, direct, short_fit.block_rtol)
    finally:
        net.encoder.window, net.encoder.overlap = old


def test_fused_features_shape_and_variants(fold):
    x = fold.test.edge_label_index[:, :5]
    for kw, width in [({"fusion": "add"}, 8), ({"fusion": "dnn"}, 4), ({"bp": False}, None)]:
        m = grmmi(epochs=1, **{**SMALL, "mlp_channels": 8}, **kw).fit(fold)
        f = m.fused_features(None, x)
        assert f.shape[0] == 5
        if width is not None:
            assert f.shape[1] == width
        else:   # no BP: the concatenation itself (sequence 4 * 32, GraRep 2 * 64)
            assert f.shape[1] == 4 * 32 + 2 * 64


def test_missing_target_sequences_use_the_graph_branch(sites, train_seed, margin):
    g = sites[0].clone()
    g[MRNA].seq = [None] * g[MRNA].num_nodes
    g[MRNA].has_seq = torch.zeros(g[MRNA].num_nodes, dtype=torch.bool)
    f = kfold_link_split(g, MIRNA_MRNA, k=5, seed=train_seed)[0]
    m = grmmi(epochs=4, lr=0.01, seed=train_seed, **SMALL).fit(f)
    s = m.score(None, f.test.edge_label_index)
    # the graph carries it
    # min 0.997 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("auc", roc_auc_score(f.test.edge_label.numpy(), s.numpy()), 0.9)
    assert m.explain(None, f.test.edge_label_index[:, :2]) == [[], []]


def test_registry_and_errors(fold):
    assert isinstance(get_model("grmmi", epochs=1), GRMMI)
    with pytest.raises(ValueError, match="KmerTable: init='glove' must be one of"):
        grmmi(init="glove").fit(fold)
    with pytest.raises(ValueError, match="graph_encoder='node2vec' must be a GraphEncoder"):
        grmmi(graph_encoder="node2vec").fit(fold)
    with pytest.raises(ValueError, match="leave no input"):
        grmmi(sequence_encoder=None, graph_encoder=None).fit(fold)
    with pytest.raises(ValueError, match="pairing is part of the sequence branch"):
        grmmi(sequence_encoder=None, pairing=PairingBranch(4)).fit(fold)
    with pytest.raises(ValueError, match="PairingBranch: layer='cnn' must be one of"):
        grmmi(pairing=PairingBranch(4, "cnn")).fit(fold)
    with pytest.raises(ValueError, match="mrna_orientation='antisense' must be one of"):
        grmmi(mrna_orientation="antisense").fit(fold)
    with pytest.raises(ValueError, match="heads=3 must divide"):
        grmmi(heads=3, epochs=1).fit(fold)
    with pytest.raises(ValueError, match="dropout.*several parts"):
        grmmi(dropout=0.3)
    with pytest.raises(ValueError, match="needs the sequence branch"):
        grmmi(sequence_encoder=None, epochs=1).fit(fold).explain(None,
                                                                 fold.test.edge_label_index)


@pytest.mark.parametrize("kw", [{}, {"bp": False}, {"attention": False}, {"fusion": "add"},
                                {"graph_encoder": None},
                                {"attention": False, "pairing": PairingBranch(3)}])
def test_decision_grid_equals_decision_function(sites, kw):
    g = sites[0].clone()     # half the targets without a sequence: split and per-pair paths
    g[MRNA].seq = [s if i % 2 else None for i, s in enumerate(g[MRNA].seq)]
    g[MRNA].has_seq = torch.tensor([s is not None for s in g[MRNA].seq])
    f = kfold_link_split(g, MIRNA_MRNA, k=5, seed=0)[0]
    m = grmmi(epochs=1, **{**SMALL, **kw}).fit(f)
    mi, t = torch.tensor([0, 5, 2, 11]), torch.arange(0, 40, 3)
    grid = m.decision_grid(None, mi, t)
    flat = m.decision_function(None, torch.stack([mi.repeat_interleave(t.numel()),
                                                  t.repeat(mi.numel())]))
    assert grid.shape == (4, t.numel())
    assert block_close(grid.reshape(-1), flat, m.block_rtol)
    split = m.net_.forward_grid(mi, t, m.encoded()["cache"])
    assert (split is None) == (kw.get("fusion") == "add")


def test_frozen_embedding_keeps_the_skipgram_table(fold):
    # freeze_embedding: the FastText vectors are fixed features; the rest still trains
    m = grmmi(epochs=1, freeze_embedding=True, graph_encoder=None, **SMALL).fit(fold)
    enc = m.net_.encoder
    assert torch.equal(enc.embedding.weight, enc.embedding.initial)
    tuned = grmmi(epochs=1, graph_encoder=None, **SMALL).fit(fold).net_.encoder
    assert torch.equal(tuned.embedding.initial, enc.embedding.initial)  # same init, same seed
    assert not torch.equal(tuned.embedding.weight, tuned.embedding.initial)
    assert not torch.equal(enc.conv.conv.weight, tuned.conv.conv.weight)


def test_ranking_partners_share_the_mirna_and_have_the_other_label(fold):
    from rnagraph.models.grmmi import _Task
    m = grmmi(graph_encoder=None, epochs=1, rank_weight=1.0, **SMALL).fit(fold)
    train = fold.train
    # one miRNA keeps only its positives: it has no partner to draw
    lone = int(train.edge_label_index[0, 0])
    keep = (train.edge_label_index[0] != lone) | (train.edge_label == 1)
    train = LinkSet(train.edge_label_index[:, keep], train.edge_label[keep])
    task = _Task(m.net_, train, 1.0)
    seen = {(int(a), int(b)): float(y) for (a, b), y in zip(train.edge_label_index.t(),
                                                            train.edge_label)}
    with torch.random.fork_rng():        # the draws use torch's global generator
        torch.manual_seed(0)
        draws = [task._partners(train.edge_label_index, train.edge_label) for _ in range(3)]
    for extra, extra_y in draws:
        assert lone not in extra[0].tolist()
        assert all(seen[(int(a), int(b))] == y for (a, b), y in zip(extra.t(), extra_y))
        # one partner per pair whose miRNA has both classes, and of the other class
        has_both = {mi for mi in set(train.edge_label_index[0].tolist())
                    if len({y for (a, _), y in seen.items() if a == mi}) == 2}
        want = sorted((mi, 1.0 - y) for (mi, _), y in seen.items() if mi in has_both)
        assert sorted(zip(extra[0].tolist(), extra_y.tolist())) == want


def test_ranking_term_is_recorded_and_the_branch_learns_within_mirnas(fold, train_seed, margin):
    from rnagraph.train.metrics import grouped_auc
    # 20 epochs: after 12, some seeds and kernel sets had not yet separated within miRNAs
    m = grmmi(graph_encoder=None, epochs=20, patience=20, lr=0.005, rank_weight=1.0,
              seed=train_seed, **SMALL).fit(fold)
    h = m.history_[-1]
    assert h["loss"] == pytest.approx(h["bce"] + h["rank"], rel=1e-5)
    assert 0 < h["rank"] < 0.693       # below chance: log 2 for untrained ties
    x, y = fold.test.edge_label_index, fold.test.edge_label
    auc, used, _, _ = grouped_auc(y, m.decision_function(None, x), x[0])
    assert used >= 6
    # min 0.988 over 3 kernel sets x seeds 0-2 (tools/margins.md); at 12 epochs a Xeon gave 0.855
    margin.above("within-miRNA auc", auc, 0.9)
    assert m.fit_info_["best_val_grouped_auc"] == max(
        r["val_grouped_auc"] for r in m.history_ if r["val_auc"] == m.fit_info_["best_val_auc"])
    with pytest.raises(ValueError, match="rank_weight"):
        grmmi(rank_weight=-1.0).fit(fold)
    with pytest.raises(ValueError, match="monitor"):
        grmmi(monitor="loss").fit(fold)


def test_pair_features_add_the_seed_site_term_to_the_logit(fold, tmp_path):
    from rnagraph.features.seed_sites import SITE_TYPES, count_sites
    from rnagraph.models.seed_match import seed_term_init
    m = grmmi(graph_encoder=None, epochs=2, pair_features=True, **SMALL).fit(fold)
    net = m.net_
    x = fold.test.edge_label_index
    # by hand: log(1 + site counts) of each pair (target 5'->3'), times the learned weights
    g = fold.train_graph
    phi = torch.tensor([[math.log1p(count_sites(g[MIRNA].seq[i], g[MRNA].seq[j])[k])
                         for k in SITE_TYPES] for i, j in x.t().tolist()])
    assert phi[:, 0].gt(0).sum() > 10                   # planted 8mers
    cache = m.encoded()["cache"]
    with torch.no_grad():
        term = net(x, cache, phi) - net(x, cache, torch.zeros_like(phi))
    w = net.pair_lin.weight[0]
    torch.testing.assert_close(term, (phi * w).sum(-1), atol=1e-5, rtol=0)
    assert block_close(m.decision_function(None, x), net(x, cache, phi).double(), m.block_rtol)
    # the trainer's reset starts the term at SeedMatch's weights
    net.reset_parameters()
    assert net.pair_lin.weight[0].tolist() == pytest.approx(seed_term_init())
    assert net.pair_lin.bias.item() == 0.0
    # a model file keeps the term; the grid falls back to pair-by-pair scoring, equal
    fitted = grmmi(graph_encoder=None, epochs=1, pair_features=True, **SMALL).fit(fold)
    back = load(fitted.save(tmp_path / "pair.pt"))
    assert torch.equal(back.score(None, x), fitted.score(None, x))
    mi, t = torch.tensor([0, 3]), torch.arange(0, 30, 4)
    assert block_close(back.decision_grid(None, mi, t).reshape(-1),
                       back.decision_function(None, torch.stack(
                           [mi.repeat_interleave(t.numel()), t.repeat(2)])), back.block_rtol)
    with pytest.raises(ValueError, match="pair_features"):
        grmmi(pair_features=True, classifier="svm").fit(fold)


def test_mirna_count_is_the_leave_one_out_count_of_training_pairs(fold, tmp_path):
    from rnagraph.models.seed_match import seed_term_init
    m = grmmi(graph_encoder=None, epochs=1, pair_features=True, mirna_count=True,
              **SMALL).fit(fold)
    # by hand: n_v = labelled training pairs of the miRNA, either class
    n = {}
    for v in fold.train.edge_label_index[0].tolist():
        n[v] = n.get(v, 0) + 1
    g, x = fold.train_graph, fold.test.edge_label_index
    scored = m._pair_x(g, x)
    assert scored.shape == (x.size(1), 5)
    want = torch.tensor([math.log1p(n.get(v, 0)) for v in x[0].tolist()])
    torch.testing.assert_close(scored[:, 4], want)
    # a training row is not counted in its own n_v: it sees n_v - 1
    tr = fold.train.edge_label_index
    torch.testing.assert_close(m._pair_x(g, tr, own=True)[:, 4],
                               torch.tensor([math.log1p(n[v] - 1) for v in tr[0].tolist()]))
    # the count's weight starts at 0, after SeedMatch's four
    m.net_.reset_parameters()
    assert m.net_.pair_lin.weight[0].tolist() == pytest.approx([*seed_term_init(), 0.0])
    alone = grmmi(graph_encoder=None, epochs=1, mirna_count=True, **SMALL).fit(fold)
    assert alone.net_.pair_lin.in_features == 1
    back = load(alone.save(tmp_path / "count.pt"))
    assert torch.equal(back.score(None, x), alone.score(None, x))
    with pytest.raises(ValueError, match="mirna_count"):
        grmmi(mirna_count=True, classifier="lr").fit(fold)


def test_pair_head_feeds_the_pair_features_to_the_head(fold, tmp_path):
    m = grmmi(graph_encoder=None, epochs=1, pair_features=True, mirna_count=True,
              pair_head=True, **SMALL).fit(fold)
    net, x = m.net_, fold.test.edge_label_index
    assert net.hidden[0].in_features == net.sequence_channels + 5
    phi = m._pair_x(fold.train_graph, x)
    cache = m.encoded()["cache"]
    with torch.no_grad():
        h = net.sequence_vector(x, cache)
        # by hand: the head reads [h || phi], then the linear pair term is added
        want = net.pair_lin(phi, net.lin(net.hidden(torch.cat([h, phi], -1))).squeeze(-1))
        torch.testing.assert_close(net(x, cache, phi), want)
        # the head, not only the linear term, sees the count: doubling it moves the fused
        # features
        more = phi.clone()
        more[:, 4] *= 2
        assert not torch.allclose(net.fused(x, cache, phi), net.fused(x, cache, more))
    assert m.fused_features(None, x).shape == (x.size(1), net.out_channels)
    back = load(m.save(tmp_path / "head.pt"))
    assert torch.equal(back.score(None, x), m.score(None, x))
    with pytest.raises(ValueError, match="pair_head"):
        grmmi(pair_head=True).fit(fold)


def test_mirna_count_learns_that_mock_mirnas_are_negatives(train_seed, margin):
    # 8 miRNAs with 30 pairs each, half of them positive, and 240 negatives of mock miRNAs
    # seen once each, with the same sequences as the 8: only the count tells them apart
    rng = np.random.default_rng(1 + train_seed)
    alpha = np.array(list("ACGU"))
    rand = lambda n: "".join(rng.choice(alpha, n))  # noqa: E731
    real = {f"r{i}": rand(22) for i in range(8)}
    mock = {f"k{i}": real[f"r{i % 8}"] for i in range(240)}
    targets = {f"t{j}": rand(30) for j in range(480)}
    rows = [(f"r{j % 8}", f"t{j}", float(j // 8 % 2 == 0)) for j in range(240)]
    rows += [(f"k{j}", f"t{240 + j}", 0.0) for j in range(240)]
    g = build_graph({MIRNA: {**real, **mock}, MRNA: targets},
                    {MIRNA_MRNA: [(a, b) for a, b, y in rows if y == 1]})
    mi = {s: i for i, s in enumerate(g[MIRNA].ids)}
    t = {s: i for i, s in enumerate(g[MRNA].ids)}
    order = rng.permutation(len(rows))

    def links(ix):
        return LinkSet(torch.tensor([[mi[rows[i][0]] for i in ix], [t[rows[i][1]] for i in ix]]),
                       torch.tensor([rows[i][2] for i in ix]))
    from rnagraph.data.fold import Fold
    f = Fold(0, MIRNA_MRNA, g, links(order[:320]), links(order[320:400]), links(order[400:]))
    x, is_mock = f.test.edge_label_index, f.test.edge_label_index[0] >= 8

    def familiar_auc(**kw):
        m = grmmi(graph_encoder=None, epochs=8, patience=8, lr=0.01, seed=train_seed, **kw,
                  **SMALL).fit(f)
        return m, roc_auc_score((~is_mock).numpy(), m.decision_function(None, x).numpy())
    m, auc = familiar_auc(mirna_count=True)
    assert m.net_.pair_lin.weight[0, 0] > 0
    # min 0.996 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("familiar auc, mirna_count", auc, 0.9)
    # min 1.0 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.above("familiar auc, mirna_count + pair_head",
                 familiar_auc(mirna_count=True, pair_head=True)[1], 0.9)
    # without the count, the sequences alone cannot tell a mock from its model
    # max 0.54 over 3 kernel sets x seeds 0-2 (tools/margins.md)
    margin.below("familiar auc, no count", familiar_auc()[1], 0.75)
