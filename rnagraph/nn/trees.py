"""A fitted ensemble of regression trees, scored in torch (gradient-boosted trees as a layer)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor


class TreeEnsemble(torch.nn.Module):
    r"""A **fixed ensemble of binary regression trees** held as tensors: the raw score of a
    row :math:`\mathbf{x}` is

    .. math::
        f(\mathbf{x}) = b + \sum_{t=1}^{T} v_t\big(\ell_t(\mathbf{x})\big),

    where :math:`\ell_t(\mathbf{x})` is the leaf reached in tree :math:`t` by going left at
    node :math:`n` when :math:`x_{j_n} \le \theta_n` (a missing, NaN, value goes where the
    node sends missing values) and right otherwise, and :math:`v_t` its value. A gradient
    boosted classifier's :math:`f` is its log-odds.

    Trees are fitted elsewhere (:meth:`from_sklearn` reads a fitted scikit-learn
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier`); here they are only scored, on
    any device, and stored as plain tensors: a model file holding an ensemble is read without
    unpickling, so loading one never runs code. Nothing is learned by gradient
    (:meth:`reset_parameters` does nothing).

    Scoring descends every tree at once, one level per step: :math:`O(N \cdot T \cdot D)` for
    ``N`` rows, ``T`` trees of depth at most ``D``, with ``[N, T]`` node indices in memory
    (score large inputs in blocks of rows).

    Args:
        feature (LongTensor): ``[T, M]`` feature index tested at each node (``M``: the most
            nodes of a tree; shorter trees are padded with leaves).
        threshold (Tensor): ``[T, M]`` thresholds :math:`\theta` (compared in float64).
        left (LongTensor): ``[T, M]`` index of the left child within its tree.
        right (LongTensor): ``[T, M]`` index of the right child.
        missing_left (BoolTensor): ``[T, M]`` where a missing value goes left.
        is_leaf (BoolTensor): ``[T, M]`` leaves.
        value (Tensor): ``[T, M]`` leaf values :math:`v` (float64).
        baseline (float): :math:`b`.
        depth (int): the most edges on a root-to-leaf path :math:`D`.

    Shapes:
        - **input:** ``x [N, F]`` (any float dtype; ``F`` covers every feature index)
        - **output:** ``float64 [N]`` raw scores
    """

    def __init__(self, feature: Tensor, threshold: Tensor, left: Tensor, right: Tensor,
                 missing_left: Tensor, is_leaf: Tensor, value: Tensor, baseline: float,
                 depth: int) -> None:
        super().__init__()
        self.register_buffer("feature", torch.as_tensor(feature, dtype=torch.long))
        self.register_buffer("threshold", torch.as_tensor(threshold, dtype=torch.float64))
        self.register_buffer("left", torch.as_tensor(left, dtype=torch.long))
        self.register_buffer("right", torch.as_tensor(right, dtype=torch.long))
        self.register_buffer("missing_left", torch.as_tensor(missing_left, dtype=torch.bool))
        self.register_buffer("is_leaf", torch.as_tensor(is_leaf, dtype=torch.bool))
        self.register_buffer("value", torch.as_tensor(value, dtype=torch.float64))
        self.baseline, self.depth = float(baseline), int(depth)

    @property
    def num_trees(self) -> int:
        return int(self.feature.size(0))

    def row_bytes(self) -> int:
        """An upper estimate of the temporaries :meth:`forward` holds per input row (bytes):
        a handful of ``[T]`` index, value and mask rows, 8 bytes an element. Score blocks of
        ``budget // row_bytes()`` rows to bound memory."""
        return 48 * max(self.num_trees, 1)

    def reset_parameters(self) -> None:
        """Nothing to reset: the trees are fitted outside torch and held fixed."""

    @classmethod
    def from_sklearn(cls, model: Any, n_trees: int | None = None) -> TreeEnsemble:
        """The first ``n_trees`` trees (``None``: all) of a fitted binary
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` (or regressor) without
        categorical features: ``forward`` then equals its ``decision_function`` (its
        ``predict`` for a regressor) up to float rounding."""
        # scikit-learn exposes no public export of these trees, so this reads the fitted
        # predictors (``_predictors``, ``_baseline_prediction``); the agreement with
        # ``decision_function`` is tested, so a change of those internals fails loudly.
        trees = [t[0] for t in model._predictors]
        if any(len(t) != 1 for t in model._predictors):
            raise ValueError("TreeEnsemble.from_sklearn: only a binary classifier or a "
                             "regressor (one tree per boosting iteration)")
        trees = trees[:n_trees] if n_trees is not None else trees
        nodes = [t.nodes for t in trees]
        if any(bool(n["is_categorical"].any()) for n in nodes):
            raise ValueError("TreeEnsemble.from_sklearn: categorical splits are not supported")
        m = max((len(n) for n in nodes), default=1)
        T = len(nodes)
        feature = np.zeros((T, m), np.int64)
        threshold = np.zeros((T, m), np.float64)
        left = np.zeros((T, m), np.int64)
        right = np.zeros((T, m), np.int64)
        missing = np.zeros((T, m), bool)
        leaf = np.ones((T, m), bool)
        value = np.zeros((T, m), np.float64)
        depth = 0
        for t, n in enumerate(nodes):
            k = len(n)
            feature[t, :k], threshold[t, :k] = n["feature_idx"], n["num_threshold"]
            left[t, :k], right[t, :k] = n["left"], n["right"]
            missing[t, :k], leaf[t, :k] = n["missing_go_to_left"], n["is_leaf"]
            value[t, :k] = n["value"]
            depth = max(depth, int(n["depth"].max()))
        base = float(np.asarray(model._baseline_prediction).ravel()[0])
        return cls(torch.from_numpy(feature), torch.from_numpy(threshold),
                   torch.from_numpy(left), torch.from_numpy(right), torch.from_numpy(missing),
                   torch.from_numpy(leaf), torch.from_numpy(value), base, depth)

    def forward(self, x: Tensor) -> Tensor:
        x = x.to(self.threshold.device, torch.float64)
        n, T = x.size(0), self.num_trees
        tree = torch.arange(T, device=x.device).expand(n, T)
        node = torch.zeros(n, T, dtype=torch.long, device=x.device)
        for _ in range(self.depth):
            xv = x.gather(1, self.feature[tree, node])
            go_left = torch.where(torch.isnan(xv), self.missing_left[tree, node],
                                  xv <= self.threshold[tree, node])
            child = torch.where(go_left, self.left[tree, node], self.right[tree, node])
            node = torch.where(self.is_leaf[tree, node], node, child)
        return self.baseline + self.value[tree, node].sum(1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(trees={self.num_trees}, depth={self.depth})"


__all__ = ["TreeEnsemble"]
