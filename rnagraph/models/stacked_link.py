"""StackedLink: several models' raw scores fused by weights fitted on validation pairs
(stacking)."""
from __future__ import annotations

import itertools

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.features._estimator import is_int
from rnagraph.models.base import LinkModel
from rnagraph.train.calibration import calibration_pairs

#: how the fusion weights are fitted (see :class:`StackedLink`)
OBJECTIVES = ("logistic", "global-aupr")
#: what an ``anchor`` keeps (see :class:`StackedLink`)
KEEP = ("auc", "degree-auc", "mrr")
#: source rows of the all-candidate grid scored per block when fitting ``"global-aupr"``
_ROWS = 256
#: the anchored search's starting grid: each other part's weight relative to the anchor's
_STEPS = (0.0, 0.125, 0.25, 0.5, 1.0, 2.0)
#: the free search's starting grid (every combination, up to three parts)
_FREE_STEPS = (0.0, 0.25, 0.5, 1.0)
#: the head sizes ``head="auto"`` tries: pairs of the validation panel's candidates
HEADS = (250, 500, 1000, 2000, 3000, 5000)


class StackedLink(LinkModel):
    r"""Several models' raw scores fused by weights fitted on validation pairs (stacking).

    Each model named in ``models`` (registry names, :data:`~rnagraph.models.MODELS`) is fitted
    on the fold as it would be alone (uncalibrated, on ``fold.train_graph``); then, with
    :math:`x_k` the :meth:`decision_function` of model :math:`k` standardised by its mean and
    standard deviation over the validation pairs,

    .. math::
        s = \sum_k w_k\, x_k + b

    is :meth:`decision_function`. The weights come from the fold's validation pairs
    (:func:`~rnagraph.train.calibration.calibration_pairs`), never its test pairs, in one of
    two ways (``objective``):

    * ``"logistic"``: :math:`(w, b)` is an L2-regularised logistic regression (scikit-learn,
      inverse strength ``C``) on the validation pairs and their labels.
    * ``"global-aupr"``: the weights maximise the average precision of the validation
      positives :math:`V` among **every** candidate pair (the all-candidate ranking of
      :func:`~rnagraph.evaluate.ranking.global_ranking_metrics`, with :math:`V` in the place
      of the test positives, as ``rnagraph tune --metric global-aupr`` scores a model):

      .. math::
          w^\star = \arg\max_{w \ge 0} \mathrm{AP}(w) = \frac{1}{|V|} \sum_{p \in V}
          \frac{|\{p' \in V: s_{p'} \ge s_p\}|}{|\{c \in \mathcal{C}: s_c \ge s_p\}|}.

      The candidates :math:`\mathcal{C}` are, on a warm fold, every pair of the training
      graph's nodes except its edges; on an **inductive** fold every pair of a validation
      RNA (the new nodes of ``fold.graph_for("val")``) with every partner, as the test
      ranking takes every pair of the test RNAs. Only the ranking of :math:`s` matters, so
      the search fixes only the direction of :math:`w`; a logistic regression of the
      validation labels on :math:`w^{\star\top} x` then sets its scale and :math:`b`, so
      :math:`s` is a log-odds like the ``"logistic"`` one. The fold's test pairs are unread:
      on a warm fold its held-out positives are among the candidates, as unlabelled pairs,
      exactly as at ranking time.

      Without an ``anchor`` the search is Nelder--Mead over unit-sum :math:`w \ge 0` from
      the best of the logistic regression's weights clipped at 0 and each model alone, so
      on validation the fusion is never worse than its best part.

      **Anchored.** :math:`\mathrm{AP}` is flat near its optimum, and an unconstrained
      optimum drifts to whichever part is precise at the very top (a path heuristic) at the
      expense of everything else the ranking is for. With ``anchor`` (one of ``models``)
      the search keeps what that model does on validation: its weight is fixed at 1, each
      other weight :math:`w_j \ge 0`, and

      .. math::
          w^\star = \arg\max_{w_a = 1,\ w \ge 0} \mathrm{AP}(w) \quad
          \text{s.t.}\quad g_m(w) \ge g_m(e_a) \ \text{for every } m \in \texttt{keep},

      where :math:`e_a` is the anchor alone (always feasible, so the fusion is never below
      the anchor on any kept metric or on AP) and, over the validation positives
      :math:`p = (u, t)` and the candidates (every validation positive ranked among the
      candidates other than the validation positives, as the test ranking filters the
      known ones):

      - ``"auc"``: :math:`P(s_p > s_c)` (ties 1/2) for :math:`c` uniform over the candidates
        -- the expected AUC against uniform negatives;
      - ``"degree-auc"``: the expected AUC against degree-matched negatives
        (:func:`~rnagraph.data.negatives.degree_matched_codes`): with probability 1/2 the
        pair :math:`(u, t')`, :math:`t'` drawn among :math:`u`'s candidates in proportion
        to its training degree, else :math:`(u', t)` likewise -- computed exactly, not
        sampled;
      - ``"mrr"``: the mean reciprocal filtered rank of :math:`p` among :math:`u`'s
        candidates and, separately, among :math:`t`'s (ties counted half, as OGB), both
        kept.

      The search scores a start grid (each other weight in ``0, 1/8, 1/4, 1/2, 1, 2``, all
      combinations for up to three other parts, one at a time beyond) and refines the best
      feasible point by Nelder--Mead, an infeasible point scoring minus its total
      shortfall. Why a constraint and not a fixed anchor weight with bounded others: a
      bounded weight does not stop the others from out-ranking the anchor where they are
      confident, which is where the degree-matched AUC was lost; the constraint measures
      exactly that on validation.

      **Head.** The kept metrics are averages over every validation positive, while the
      AP is decided by the first few thousand pairs of a ranking of millions. With
      ``head`` the fused score is a cascade: the pairs the *unconstrained* fusion
      :math:`f = w_f^\top x` (the search above without an anchor) puts in its top
      ``head`` of the validation panel's candidates -- :math:`f \ge \tau`, with
      :math:`\tau` that many pairs down -- are ranked first, by :math:`f`, and every other
      pair by the anchored :math:`s`:

      .. math::
          s_\text{head} = \begin{cases} s_\top + (f - \tau) & f \ge \tau \\
          s & \text{otherwise,} \end{cases}

      with :math:`s_\top` the highest :math:`s` among the panel's candidates, so a head
      pair is above all of them. :math:`\tau` is a fixed score, so :math:`s_\text{head}`
      is a function of the pair alone, as every :meth:`decision_function` is.
      ``head="auto"`` tries the sizes :data:`HEADS` and keeps the one with the highest
      validation AP whose ``keep`` metrics stay within ``tol`` of the anchor's (no head if
      none gains); an integer ``head`` is used as given. Few of the pairs a kept metric
      averages over fall in the head, so it moves them little, and measured on the test
      pairs it moves them less than the validation noise (docs/results.md, the ranker's
      sections); ``tol`` says how much of that noise the choice may spend.

    ``"logistic"`` weighs the pairs a uniform validation set holds (mostly easy negatives);
    ``"global-aupr"`` weighs the top of the ranking of all unobserved pairs, where a
    heuristic such as :class:`~rnagraph.models.PathRA3` is precise and a learned model
    trained on sampled negatives is less so: its registry preset ``struct+ra3+svd`` fuses
    :class:`~rnagraph.models.StructLink`, :class:`~rnagraph.models.PathRA3` and
    :class:`~rnagraph.models.TruncatedSVDLink` this way, anchored on StructLink with
    ``keep=["degree-auc"]`` (the uniform AUC and the MRRs of the mixtures it tries sit
    within validation noise of StructLink's, and keeping them exactly leaves StructLink
    alone on most folds; the degree-matched AUC is what the free fusion lost), with
    ``head="auto"`` and ``tol=0.001`` (the free fusion ranks the head of the list). For unseen
    miRNAs (inductive folds) the stack of :class:`~rnagraph.models.TwoTower`,
    :class:`~rnagraph.models.SequenceVote`, :class:`~rnagraph.models.SeedVote`,
    ``degree+1`` and :class:`~rnagraph.models.StructLink` (scoring a new miRNA by the
    sequence-neighbour transfer), anchored on TwoTower with ``keep=["auc"]``, ranks the
    near-identical miRNAs' partners first (the votes) without losing the tower's AUC.

    With ``["node-prior", "seedmatch"]`` (the default) it is a **baseline made of
    baselines**: what a miRNA's identity says plus what its canonical seed sites say, two
    numbers a deep sequence model has to beat together. Fitting on validation pairs matters:
    on training pairs a model's own scores are in-sample (a node's training rate includes
    the pair being fitted) and the weights would trust it too much.

    **New RNAs.** Each part scores a pair of a new RNA its own way
    (:meth:`~rnagraph.models.base.LinkModel.inductive_mode`: from its sequence, or by the
    sequence-neighbour transfer) and the fusion combines those scores, so a new RNA is
    scored ``"sequence"`` where every part can score it (it needs a sequence), else not.

    Args:
        models (list[str], optional): registry names of the fused models, each fitted with
            its defaults. (default: ``None``: ``["node-prior", "seedmatch"]``)
        C (float): inverse L2 strength of the logistic regression. (default: ``1.0``)
        objective (str): ``"logistic"`` or ``"global-aupr"`` (above).
            (default: ``"logistic"``)
        anchor (str, optional): with ``"global-aupr"``, the model of ``models`` whose
            validation ``keep`` metrics the fusion must not fall below (above).
            (default: ``None``: unconstrained)
        keep (list[str], optional): with ``anchor``, which of ``"auc"``, ``"degree-auc"``,
            ``"mrr"`` are kept. (default: ``None``: all three)
        head (int or str, optional): with ``anchor``, the number of validation-panel
            candidates the unconstrained fusion ranks first (above), or ``"auto"`` to choose
            it from :data:`HEADS` on validation. (default: ``None``: no head)
        tol (float): how far below the anchor's validation ``keep`` metrics
            ``head="auto"`` may go. (default: ``0.0``)
        calibrate (bool): Platt-scale :math:`s` on ``fold.val``. (default: ``True``)
        seed (int, optional): the seed given to every fused model that takes one (a seed
            replicate of the fusion); ``None``: each model's own default. (default: ``None``)
    """

    def __init__(self, models: list[str] | None = None, C: float = 1.0,
                 objective: str = "logistic", anchor: str | None = None,
                 keep: list[str] | None = None, head: int | str | None = None,
                 tol: float = 0.0, calibrate: bool = True, seed: int | None = None):
        self.models = models
        self.C = C
        self.objective = objective
        self.anchor = anchor
        self.keep = keep
        self.head = head
        self.tol = tol
        self.calibrate = calibrate
        self.seed = seed

    def _validate_params(self) -> None:
        from rnagraph.models.registry import MODELS, PRESETS
        names = _names(self.models)
        unknown = [m for m in names if m.lower() not in MODELS and m.lower() not in PRESETS]
        if not names or unknown:
            raise ValueError(f"StackedLink: models must be registry names, got {unknown or '[]'}"
                             f"; choose from {', '.join(MODELS)}")
        self._check_param("C", self.C > 0, "must be > 0")
        self._check_param("objective", self.objective in OBJECTIVES,
                          f"must be one of {', '.join(OBJECTIVES)}")
        if self.anchor is not None:
            self._check_param("anchor", self.anchor in names,
                              f"must be one of models ({', '.join(names)})")
            self._check_param("anchor", self.objective == "global-aupr",
                              "needs objective='global-aupr'")
        bad = [k for k in _keep(self.keep) if k not in KEEP]
        self._check_param("keep", not bad and bool(_keep(self.keep)),
                          f"must name some of {', '.join(KEEP)}")
        if self.head is not None:
            self._check_param("head", self.head == "auto" or (is_int(self.head)
                                                              and self.head > 0),
                              "must be a positive integer or 'auto'")
            self._check_param("head", self.anchor is not None, "needs an anchor")
        self._check_param("tol", isinstance(self.tol, (int, float)) and self.tol >= 0,
                          "must be >= 0")
        self._check_param("seed", self.seed is None or is_int(self.seed),
                          "must be an integer or None")

    @property
    def requires_sequences(self) -> bool:  # type: ignore[override]
        from rnagraph.models.registry import needs_sequences
        return any(needs_sequences(m) for m in _names(self.models))

    def inductive_mode(self, node_type: str) -> str | None:
        """``"sequence"`` where every part scores a new ``node_type`` RNA (each its own way;
        the fusion combines their scores), else ``None``."""
        parts = self.__dict__.get("models_", [])
        if parts and all(m.inductive_mode(node_type) is not None for m in parts):
            return "sequence"
        return None

    def _part(self, name: str) -> LinkModel:
        """The fused model ``name``, uncalibrated, with :attr:`seed` where it takes one."""
        from rnagraph.models.params import takes_param
        from rnagraph.models.registry import get_model
        model = get_model(name, calibrate=False)
        if self.seed is None or not takes_param(model, "seed"):
            return model
        return get_model(name, calibrate=False, seed=int(self.seed))

    def _fit(self, fold: Fold) -> None:
        from sklearn.linear_model import LogisticRegression

        val_graph = fold.graph_for("val")
        self.models_ = [self._part(m).fit(fold) for m in _names(self.models)]
        cal = calibration_pairs(fold)
        graph = val_graph if cal is fold.val else None
        x = self._raw(graph, cal.edge_label_index).numpy()
        y = cal.edge_label.numpy()
        ok = np.isfinite(x).all(1)
        x, y = x[ok], y[ok]
        self.mean_, self.std_ = x.mean(0), x.std(0)
        self.std_[self.std_ == 0] = 1.0
        z = (x - self.mean_) / self.std_
        lr = LogisticRegression(C=self.C).fit(z, y)
        coef, intercept = lr.coef_[0].astype(float), float(lr.intercept_[0])
        logistic = coef
        self.head_ = 0
        if self.objective == "global-aupr":
            panel = _Panel.of(self, fold, val_graph, self.anchor is not None)
            w = self._top_weights(panel, coef)
            lr = LogisticRegression(C=self.C).fit((z @ w)[:, None], y)
            a = float(lr.coef_[0, 0])
            if a > 0:           # a scale that would flip the ranking is refused, not used
                w, intercept = a * w, float(lr.intercept_[0])
            else:
                intercept = 0.0
            coef = w
            if self.head is not None:
                self._fit_head(panel, w, intercept, start=logistic)
        self.coef_, self.intercept_ = coef, intercept
        self.fit_info_ = {"weights": dict(zip(_names(self.models), (coef / np.abs(coef).sum())
                                              .round(4).tolist()))}
        self.fit_info_.update({k[:-1]: getattr(self, k) for k in
                               ("val_global_aupr_", "val_anchor_", "val_fused_", "val_heads_")
                               if hasattr(self, k)})
        if self.head is not None:
            self.fit_info_["head"] = self.head_

    def _fit_head(self, panel: _Panel, coef: np.ndarray, intercept: float,
                  start: np.ndarray) -> None:
        """The cascade's unconstrained weights, threshold and size (``head``, above), from
        the anchored fusion ``coef`` / ``intercept`` (final scale) and the logistic
        regression's weights ``start``."""
        keep = _keep(self.keep)
        free = _search(panel, start)
        fx = np.concatenate([panel.xp @ free, panel.xn @ free])
        top = float(np.concatenate([panel.xp @ coef, panel.xn @ coef]).max()) + intercept
        a = _names(self.models).index(self.anchor)
        floor = panel.guards(np.eye(coef.size)[a], keep) - float(self.tol)
        sizes = HEADS if self.head == "auto" else (int(self.head),)
        best, tried = (panel.ap(coef), 0, None, None), {}
        for k in sizes:
            if k >= fx.size:
                continue
            tau = float(np.partition(fx, fx.size - k)[fx.size - k])     # k-th highest
            score = _cascade(coef, intercept, free, tau, top)
            ap, kept = panel.ap(score), panel.guards(score, keep)
            tried[k] = round(ap, 5)
            if self.head != "auto" or ((kept >= floor).all() and ap > best[0]):
                best = (ap, k, tau, kept)
        self.head_ = best[1]
        self.val_heads_ = tried
        if best[1]:
            self.free_, self.tau_, self.top_ = free, best[2], top
            self.val_global_aupr_ = best[0]
            if hasattr(self, "val_fused_"):
                self.val_fused_ = dict(zip(panel.guard_names(keep), best[3].tolist()))

    def _top_weights(self, panel: _Panel, start: np.ndarray) -> np.ndarray:
        r"""The weights :math:`w \ge 0` (unit sum; anchored: the anchor's weight 1) that
        maximise the AP of the validation positives among every candidate pair (subject to
        the ``keep`` constraints with an ``anchor``)."""
        if self.anchor is None:
            w = _search(panel, start)
            self.val_global_aupr_ = panel.ap(w)
            return w
        keep = _keep(self.keep)
        w = _anchored_search(panel, len(self.models_), _names(self.models).index(self.anchor),
                             keep)
        names = panel.guard_names(keep)
        self.val_global_aupr_ = panel.ap(w)
        self.val_anchor_ = dict(zip(names, panel.guards(np.eye(w.size)[
            _names(self.models).index(self.anchor)], keep).tolist()))
        self.val_fused_ = dict(zip(names, panel.guards(w, keep).tolist()))
        return w

    def _raw(self, graph: HeteroData | None, pairs: Tensor) -> Tensor:
        return torch.stack([m.decision_function(graph, pairs) for m in self.models_], 1)

    def _raw_grid(self, graph: HeteroData | None, src: Tensor, dst: Tensor) -> Tensor:
        return torch.stack([m.decision_grid(graph, src, dst) for m in self.models_], -1)

    def _encode(self, graph: HeteroData) -> HeteroData:
        return graph

    def _decision(self, encoded: HeteroData, pairs: Tensor) -> Tensor:
        return self._fuse(self._raw(encoded, pairs))

    def _decision_grid(self, encoded: HeteroData, src: Tensor, dst: Tensor) -> Tensor:
        return self._fuse(self._raw_grid(encoded, src, dst))

    def _fuse(self, x: Tensor) -> Tensor:
        """:math:`s` of raw scores ``[..., K]`` -> ``[...]`` (float64)."""
        z = (x.double().numpy() - self.mean_) / self.std_
        if self.head_:
            return torch.from_numpy(_cascade(self.coef_, self.intercept_, self.free_,
                                             self.tau_, self.top_)(z))
        return torch.from_numpy(z @ self.coef_ + self.intercept_)

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        tensors = {"coef": torch.from_numpy(self.coef_), "mean": torch.from_numpy(self.mean_),
                   "std": torch.from_numpy(self.std_),
                   "intercept": torch.tensor(self.intercept_, dtype=torch.float64)}
        if self.head_:
            tensors.update({"free": torch.from_numpy(self.free_),
                            "head": torch.tensor([self.head_, self.tau_, self.top_],
                                                 dtype=torch.float64)})
        extra = []
        for i, m in enumerate(self.models_):
            t, e = m._get_state()
            tensors.update({f"m{i}.{k}": v for k, v in t.items()})
            extra.append(e)
        return tensors, {"models": extra}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        from rnagraph.models.registry import get_model
        self.coef_, self.mean_, self.std_ = (tensors[k].numpy().astype(float)
                                             for k in ("coef", "mean", "std"))
        self.intercept_ = float(tensors["intercept"])
        self.head_ = 0
        if "head" in tensors:           # a model file written before heads has none
            self.free_ = tensors["free"].numpy().astype(float)
            head, self.tau_, self.top_ = tensors["head"].tolist()
            self.head_ = int(head)
        self.models_ = []
        for i, (name, e) in enumerate(zip(_names(self.models), extra["models"], strict=True)):
            m = get_model(name, calibrate=False)
            m.edge_type_, m.graph_, m.calibrator_ = self.edge_type_, self.graph_, None
            pre = f"m{i}."
            m._set_state({k[len(pre):]: v for k, v in tensors.items() if k.startswith(pre)}, e)
            self.models_.append(m)


def _cascade(coef: np.ndarray, intercept: float, free: np.ndarray, tau: float, top: float):
    """The head's score of standardised part scores ``[..., K]`` -> ``[...]``
    (:class:`StackedLink`, **Head**): the unconstrained fusion above its threshold, lifted
    over everything else, else the anchored fusion."""
    def score(z: np.ndarray) -> np.ndarray:
        f = z @ free
        return np.where(f >= tau, top + (f - tau), z @ coef + intercept)
    return score


def global_ap(pos: np.ndarray, neg: np.ndarray) -> float:
    r"""Average precision of the scores ``pos`` ``[P]`` of the positives among ``neg``
    ``[Q]`` of the negatives, ties grouped into one threshold (scikit-learn's
    ``average_precision_score``; the ``aupr`` of
    :func:`~rnagraph.evaluate.ranking.global_ranking_metrics`):
    :math:`\frac{1}{P}\sum_p \frac{P_p}{P_p + N_p}` with :math:`P_p` / :math:`N_p` the
    positives / negatives scoring :math:`\ge` ``pos[p]``."""
    neg = np.sort(neg)
    n_geq = neg.size - np.searchsorted(neg, pos, side="left")
    p_geq = pos.size - np.searchsorted(np.sort(pos), pos, side="left")
    return float(np.mean(p_geq / (p_geq + n_geq)))


class _Panel:
    """The validation positives among every candidate pair of a box of source x destination
    nodes, on the grid of standardised part scores: the AP of a weight vector and, for an
    anchored fit, its ``keep`` metrics (see :class:`StackedLink`)."""

    def __init__(self, z: np.ndarray, pos: np.ndarray, known: np.ndarray,
                 deg: tuple[np.ndarray, np.ndarray], guards: bool):
        n_s, n_d, _ = z.shape
        flat = z.reshape(n_s * n_d, -1)
        cand = ~known
        cand[pos] = False                       # candidates other than the positives
        self.xp, self.xn = flat[pos], flat[cand]
        if not guards:
            return
        pr, pc = pos // n_d, pos % n_d
        cand2 = cand.reshape(n_s, n_d)
        self.rows, self.cols = z[pr], z[:, pc].transpose(1, 0, 2)      # [P, C, K], [P, R, K]
        self.row_ok, self.col_ok = cand2[pr], cand2[:, pc].T
        self.row_w = self.row_ok * deg[1][None, :].astype(float)
        self.col_w = self.col_ok * deg[0][None, :].astype(float)

    @classmethod
    def of(cls, model: StackedLink, fold: Fold, val_graph: HeteroData,
           guards: bool) -> _Panel:
        et = model.edge_type_
        boxes = []
        for nt in (et[0], et[2]):
            new = fold.new_nodes("val", nt) if getattr(fold, "inductive", False) else \
                torch.empty(0, dtype=torch.long)
            boxes.append(new if new.numel() else torch.arange(int(model.graph_[nt].num_nodes)))
        src, dst = boxes
        off = np.array([int(src[0]), int(dst[0])])
        n_s, n_d = src.numel(), dst.numel()
        tg = fold.train_graph
        known = tg[et].edge_index.numpy().astype(np.int64) if et in tg.edge_types else \
            np.empty((2, 0), dtype=np.int64)
        deg = [np.bincount(known[r], minlength=int(tg[nt].num_nodes)).astype(float)
               for r, nt in ((0, et[0]), (1, et[2]))]
        deg = [np.r_[d, np.zeros(max(0, int(b[-1]) + 1 - d.size))][b.numpy()]
               for d, b in zip(deg, boxes)]
        known = known[:, (known[0] >= off[0]) & (known[0] < off[0] + n_s)
                      & (known[1] >= off[1]) & (known[1] < off[1] + n_d)] - off[:, None]
        vpos = fold.val.pos_index.numpy().astype(np.int64) - off[:, None]
        inside = (vpos >= 0).all(0) & (vpos[0] < n_s) & (vpos[1] < n_d)
        mask = np.zeros(n_s * n_d, dtype=bool)
        mask[known[0] * n_d + known[1]] = True
        pos = np.unique(vpos[0, inside] * n_d + vpos[1, inside])
        pos = pos[~mask[pos]]
        if not pos.size:
            raise ValueError(f"StackedLink: fold {fold.index} has no validation positives to "
                             "fit objective='global-aupr' on")
        for i in (0, 1):    # a box without training degrees (new RNAs): the positives' own
            if deg[i].sum() == 0:
                deg[i] = np.bincount((pos // n_d) if i == 0 else (pos % n_d),
                                     minlength=(n_s, n_d)[i]).astype(float)
        graph = val_graph if fold.inductive and val_graph is not fold.train_graph else None
        z = np.empty((n_s, n_d, len(model.models_)))
        for r in range(0, n_s, _ROWS):
            rows = src[r:r + _ROWS]
            z[r:r + rows.numel()] = model._raw_grid(graph, rows, dst).numpy()
        z = (z - model.mean_) / model.std_
        z[~np.isfinite(z)] = -1e6       # a part that cannot score a pair ranks it last
        return cls(z, pos, mask, (deg[0], deg[1]), guards)

    def ap(self, w) -> float:
        """The AP of the score ``w``: a weight vector, or a callable of part scores
        ``[..., K]`` -> ``[...]``."""
        return global_ap(_score(self.xp, w), _score(self.xn, w))

    @staticmethod
    def guard_names(keep: list[str]) -> list[str]:
        return [n for k in keep for n in ((k,) if k != "mrr" else ("mrr-src", "mrr-dst"))]

    def guards(self, w: np.ndarray, keep: list[str]) -> np.ndarray:
        r"""The ``keep`` metrics of the fused score :math:`w^\top x` (order of
        :meth:`guard_names`)."""
        sp = _score(self.xp, w)
        out = []
        if "auc" in keep:
            neg = np.sort(_score(self.xn, w))
            lo = np.searchsorted(neg, sp, side="left")
            hi = np.searchsorted(neg, sp, side="right")
            out.append(float(np.mean((lo + hi) / 2) / neg.size))
        if "degree-auc" in keep or "mrr" in keep:
            below = []
            for side, ok, wt in ((self.rows, self.row_ok, self.row_w),
                                 (self.cols, self.col_ok, self.col_w)):
                s = _score(side, w)
                gt, eq = s > sp[:, None], s == sp[:, None]
                below.append((ok, wt, gt, eq))
            if "degree-auc" in keep:
                auc, n = np.zeros(sp.size), np.zeros(sp.size)
                for _, wt, gt, eq in below:
                    tot = wt.sum(1)
                    has = tot > 0
                    lt = wt * (~gt & ~eq) + 0.5 * wt * eq
                    auc[has] += lt.sum(1)[has] / tot[has]
                    n += has
                out.append(float(np.mean(auc[n > 0] / n[n > 0])))
            if "mrr" in keep:
                for ok, _, gt, eq in below:
                    rank = 1 + (ok & gt).sum(1) + 0.5 * (ok & eq).sum(1)
                    out.append(float(np.mean(1.0 / rank)))
        return np.asarray(out)


def _score(x: np.ndarray, w) -> np.ndarray:
    return w(x) if callable(w) else x @ w


def _search(panel: _Panel, start: np.ndarray) -> np.ndarray:
    """Unit-sum :math:`w \\ge 0` maximising ``panel.ap``: Nelder--Mead from the best of
    ``start`` clipped at 0, each part alone and (up to three parts) every combination of
    :data:`_FREE_STEPS`."""
    from scipy.optimize import minimize
    k = start.size

    def ap(w: np.ndarray) -> float:
        w = np.clip(w, 0, None)
        return panel.ap(w) if w.any() else 0.0

    grid = [np.asarray(c, float) for c in itertools.product(_FREE_STEPS, repeat=k)
            if any(c)] if 1 < k <= 3 else []
    best = max([np.clip(start, 0, None)] + list(np.eye(k)) + grid, key=ap)
    if k > 1:
        res = minimize(lambda w: -ap(w), best, method="Nelder-Mead",
                       options={"maxfev": 40 * (k - 1), "xatol": 1e-2, "fatol": 1e-5})
        if -res.fun > ap(best):
            best = res.x
    w = np.clip(best, 0, None)
    return w / w.sum()


def _anchored_search(panel: _Panel, k: int, a: int, keep: list[str]) -> np.ndarray:
    """:math:`w` with :math:`w_a = 1`, the others :math:`\\ge 0`, maximising ``panel.ap``
    subject to ``panel.guards(w) >= panel.guards(e_a)`` (:class:`StackedLink`, anchored)."""
    from scipy.optimize import minimize
    floor = panel.guards(np.eye(k)[a], keep)

    def weights(v: np.ndarray) -> np.ndarray:
        return np.insert(np.clip(v, 0, None), a, 1.0)

    def value(v: np.ndarray) -> float:
        w = weights(v)
        short = np.clip(floor - panel.guards(w, keep), 0, None).sum()
        return panel.ap(w) if short <= 1e-12 else -float(short)

    if k == 1:
        return np.ones(1)
    steps = np.asarray(_STEPS)
    if k - 1 <= 3:
        starts = list(np.stack(np.meshgrid(*[steps] * (k - 1)), -1).reshape(-1, k - 1))
    else:
        starts = [np.zeros(k - 1)] + [c * np.eye(k - 1)[j] for j in range(k - 1)
                                      for c in steps[1:]]
    vals = [value(v) for v in starts]
    best = starts[int(np.argmax(vals))]
    simplex = best + np.vstack([np.zeros(k - 1), 0.1 * np.eye(k - 1)])
    res = minimize(lambda v: -value(v), best, method="Nelder-Mead",
                   options={"maxfev": 30 * (k - 1), "xatol": 1e-3, "fatol": 1e-6,
                            "initial_simplex": simplex})
    if -res.fun > max(vals):
        best = res.x
    return weights(best)


def _keep(keep: list[str] | None) -> list[str]:
    return list(keep) if keep is not None else list(KEEP)


def _names(models: list[str] | None) -> list[str]:
    return list(models) if models is not None else ["node-prior", "seedmatch"]


__all__ = ["StackedLink", "OBJECTIVES", "KEEP", "HEADS", "global_ap"]
