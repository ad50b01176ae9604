"""DuplexBoost: gradient-boosted trees on the duplex of each pair and its target context."""
from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from rnagraph.data.fold import Fold
from rnagraph.features._estimator import is_int
from rnagraph.features.duplex import DuplexFeatures
from rnagraph.models.base import BLOCK_BYTES, LinkModel, budget_block
from rnagraph.models.duplex_link import check_pair_fold
from rnagraph.nn.trees import TreeEnsemble


class DuplexBoost(LinkModel):
    r"""Scores a miRNA-target pair with **gradient-boosted trees** on its duplex features
    (:class:`~rnagraph.features.DuplexFeatures`, by default with ``context=15``,
    ``stacking=True`` and ``alignment=True``: the best ungapped duplex position by position,
    the target nucleotides it faces, its G:C pairs and stacking energies, 3' pairing past a
    bulge, the best gapped (local) alignment, the A/U context around the duplex and the
    seed-site counts). Site-level scoring, inductive on both sides: no feature reads an RNA's
    identity or the graph.

    With :math:`\phi_{mt}` the features of miRNA :math:`m` and target :math:`t`,

    .. math::
        x_{mt} = b + \sum_{k=1}^{K} f_k(\phi_{mt}), \qquad p_{mt} = \sigma(a\, x_{mt} + c),

    where :math:`f_k` are regression trees fitted one after the other to the gradient of the
    log-loss on ``fold.train``'s labelled pairs (scikit-learn's
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier`; both classes needed) and
    :math:`K \le` ``max_trees`` is the number of trees with the highest AUC on ``fold.val``
    (all of them without validation pairs); ``fold.test`` is never read. The kept trees are
    held as tensors (:class:`~rnagraph.nn.TreeEnsemble`), so the model file is tensors and
    scoring runs on any device. Trees read the features' interactions (which position pairs
    with which nucleotide, where the site sits) that an MLP on standardised features learns
    more slowly.

    Fitting uses ``torch.get_num_threads()`` threads (so a harness's ``--threads`` holds) and
    costs :math:`O(\text{max\_trees} \cdot N \cdot F)` for ``N`` training pairs of ``F``
    features; scoring :math:`O(K \cdot \text{depth})` per pair, in blocks whose tree
    temporaries stay within :attr:`scoring_bytes` whatever the number of pairs.

    Args:
        features (DuplexFeatures, optional): the featurizer; ``None``:
            ``DuplexFeatures(context=15, stacking=True, alignment=True)``; add
            ``folding=True`` for ViennaRNA's duplex and opening energies (the preset
            ``duplex-boost-fold``; needs ``rnagraph[fold]``). (default: ``None``)
        max_trees (int): boosting iterations fitted; validation keeps a prefix.
            (default: ``600``)
        learning_rate (float): shrinkage of each tree, in ``(0, 1]``. (default: ``0.05``)
        max_leaf_nodes (int): leaves per tree, at least 2. (default: ``31``)
        min_samples_leaf (int): training pairs per leaf, at least 1. (default: ``20``)
        l2_regularization (float): L2 penalty on leaf values, at least 0. (default: ``1.0``)
        calibrate (bool): Platt-scale on ``fold.val``. (default: ``True``)
        seed (int): the trees' random state (ties of equal splits). (default: ``0``)
    """

    requires_sequences: ClassVar[bool] = True
    inductive: ClassVar[str | None] = "sequence"
    #: the most bytes of tree temporaries held while scoring a block of pairs
    scoring_bytes: ClassVar[int] = BLOCK_BYTES

    def __init__(self, features: DuplexFeatures | None = None, max_trees: int = 600,
                 learning_rate: float = 0.05, max_leaf_nodes: int = 31,
                 min_samples_leaf: int = 20, l2_regularization: float = 1.0,
                 calibrate: bool = True, seed: int = 0):
        self.features = (DuplexFeatures(context=15, stacking=True, alignment=True)
                         if features is None else features)
        self.max_trees = max_trees
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.calibrate = calibrate
        self.seed = seed

    def _validate_params(self) -> None:
        self._check_param("features", isinstance(self.features, DuplexFeatures),
                          "must be a DuplexFeatures")
        for name, low in (("max_trees", 1), ("max_leaf_nodes", 2), ("min_samples_leaf", 1),
                          ("seed", 0)):
            v = getattr(self, name)
            self._check_param(name, is_int(v) and v >= low, f"must be an integer >= {low}")
        lr = self.learning_rate
        self._check_param("learning_rate", isinstance(lr, (int, float)) and 0 < lr <= 1,
                          "must be in (0, 1]")
        l2 = self.l2_regularization
        self._check_param("l2_regularization", isinstance(l2, (int, float)) and l2 >= 0,
                          "must be a number >= 0")
        self._check_param("calibrate", isinstance(self.calibrate, bool), "must be a bool")

    def _phi(self, graph: HeteroData, pairs: Tensor) -> Tensor:
        return self.features.graph_transform(graph, self.edge_type_, pairs)

    def _fit(self, fold: Fold) -> None:
        import time

        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.metrics import roc_auc_score
        from threadpoolctl import threadpool_limits
        check_pair_fold(self, fold)
        train = fold.train
        x = self._phi(fold.train_graph, train.edge_label_index).numpy()
        gbm = HistGradientBoostingClassifier(
            learning_rate=float(self.learning_rate), max_iter=int(self.max_trees),
            max_leaf_nodes=int(self.max_leaf_nodes), min_samples_leaf=int(self.min_samples_leaf),
            l2_regularization=float(self.l2_regularization), early_stopping=False,
            random_state=int(self.seed))
        start = time.perf_counter()
        with threadpool_limits(torch.get_num_threads()):
            gbm.fit(x, train.edge_label.numpy().astype(int))
            curve: list[float] = []
            if len(fold.val) and fold.val.edge_label.unique().numel() == 2:
                vg = fold.graph_for("val")
                xv = self._phi(vg, fold.val.edge_label_index).numpy()
                yv = fold.val.edge_label.numpy()
                curve = [float(roc_auc_score(yv, s)) for s in gbm.staged_decision_function(xv)]
        trees = int(np.argmax(curve)) + 1 if curve else gbm.n_iter_
        self.net_ = TreeEnsemble.from_sklearn(gbm, trees)
        self.fit_info_ = {"trees": trees, "max_trees": int(gbm.n_iter_),
                          "best_val_auc": curve[trees - 1] if curve else None,
                          "train_s": time.perf_counter() - start}
        self.history_ = [{"trees": k + 1, "val_auc": a} for k, a in enumerate(curve)]

    def _encode(self, graph: HeteroData) -> HeteroData:
        return graph

    @torch.no_grad()
    def _decision(self, graph: HeteroData, pairs: Tensor) -> Tensor:
        # the trees hold [rows, trees] temporaries: score in blocks within BLOCK_BYTES
        phi = self._phi(graph, pairs)
        step = budget_block(self.net_.row_bytes(), self.scoring_bytes)
        return torch.cat([self.net_(phi[i:i + step]).double().cpu()
                          for i in range(0, phi.size(0), step)]
                         or [torch.empty(0, dtype=torch.float64)])

    def _get_state(self) -> tuple[dict[str, Tensor], dict]:
        return dict(self.net_.state_dict()), {"baseline": self.net_.baseline,
                                              "depth": self.net_.depth,
                                              "fit_info": self.fit_info_}

    def _set_state(self, tensors: dict[str, Tensor], extra: dict) -> None:
        self.net_ = TreeEnsemble(**tensors, baseline=float(extra["baseline"]),
                                 depth=int(extra["depth"]))
        self.fit_info_ = extra.get("fit_info", {})


__all__ = ["DuplexBoost"]
