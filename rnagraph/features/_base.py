"""Shared fit/transform plumbing for the sequence featurizers (private)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import TransformerMixin

from rnagraph.features._estimator import Estimator
from rnagraph.features._missing import normalize_sequences


class SequenceFeaturizer(TransformerMixin, Estimator):
    """Base for per-sequence featurizers: ``transform`` maps ``n`` sequences to a float32
    ``[n, d]`` array whose rows for ``None`` are zero. Subclasses implement
    ``_validate_params`` (checks of their ``__init__`` arguments, run first by ``fit`` and, for
    stateless featurizers, by ``transform``), ``_fit`` (optional) and
    ``_featurize(seqs) -> [len(seqs), d]`` on normalised, non-missing sequences."""

    _stateless = True  # featurizers with nothing to learn may transform without fit

    def _validate_params(self) -> None:
        """Raise ``ValueError`` naming the class and the parameter for a bad parameter."""

    def fit(self, seqs: Sequence[str | None] | None = None, y: None = None
            ) -> "SequenceFeaturizer":
        """Check the parameters and learn from ``seqs`` (optional for featurizers with nothing
        to learn); ``y`` is ignored (scikit-learn's signature). Returns ``self``."""
        self._validate_params()
        if seqs is not None:
            clean = normalize_sequences(seqs, type(self).__name__)
            self._fit([s for s in clean if s is not None])
        elif not self._stateless:
            raise ValueError(f"{type(self).__name__}.fit needs the training sequences")
        else:
            self._fit([])
        return self

    def _fit(self, seqs: list[str]) -> None:
        self.n_features_out_ = self.num_features

    def transform(self, seqs: Sequence[str | None], return_mask: bool = False):
        """Featurize ``seqs``.

        Returns:
            ``float32 [n, num_features]``; with ``return_mask=True`` the tuple
            ``(features, mask)`` where ``mask`` is ``bool [n]``, ``True`` where a sequence exists
            (rows with ``mask == False`` are all zeros).
        """
        self._check_fitted()
        if self._stateless:
            self._validate_params()
        clean = normalize_sequences(seqs, type(self).__name__)
        mask = np.fromiter((s is not None for s in clean), dtype=bool, count=len(clean))
        out = np.zeros((len(clean), self.num_features), dtype=np.float32)
        present = [s for s in clean if s is not None]
        if present:
            out[mask] = self._featurize(present)
        return (out, mask) if return_mask else out

    def fit_transform(self, seqs: Sequence[str | None], y: None = None, *,
                      return_mask: bool = False):
        """:meth:`fit` then :meth:`transform` of the same ``seqs``."""
        return self.fit(seqs).transform(seqs, return_mask=return_mask)

    def to_tensor(self, seqs: Sequence[str | None]):
        """:meth:`transform` as a ``torch.float32`` tensor ``[n, num_features]``."""
        import torch
        return torch.from_numpy(self.transform(seqs))

    def _check_fitted(self) -> None:
        if not self._stateless and not hasattr(self, "n_features_out_"):
            raise ValueError(f"{type(self).__name__} is not fitted yet: call fit(seqs) first")

    def _featurize(self, seqs: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError
