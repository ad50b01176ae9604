"""The scikit-learn base shared by featurizers (here) and graph encoders (``nn.encoders``)."""
from __future__ import annotations

import inspect
from typing import Any

from sklearn.base import BaseEstimator


class Estimator(BaseEstimator):
    """:class:`sklearn.base.BaseEstimator` with rnagraph's two additions.

    scikit-learn's conventions hold as they are: ``__init__`` stores its arguments under the
    same names and does nothing else, learned state ends in ``_`` and is set by ``fit``,
    parameters are checked in ``fit`` (so ``set_params`` of a bad value is accepted and the
    next ``fit`` refuses it), and ``get_params`` / ``set_params`` / :func:`sklearn.base.clone`
    come from :class:`~sklearn.base.BaseEstimator`.

    Added:

    * ``__repr__`` lists **every** parameter as ``name=value!r`` in signature order
      (``KmerFrequency(k=(1, 2, 3, 4))``), so ``eval(repr(est))`` rebuilds an estimator with
      equal parameters (scikit-learn's own repr shows changed parameters only);
    * :meth:`_check_param` raises the one error format for a bad parameter:
      ``ValueError("<Class>: <param>=<value> <what it must be>")``.
    """

    def __repr__(self) -> str:
        params = self.get_params(deep=False)        # sorted by name; show signature order
        order = [p for p in inspect.signature(type(self).__init__).parameters if p in params]
        args = ", ".join(f"{k}={params[k]!r}" for k in order)
        return f"{type(self).__name__}({args})"

    def _check_param(self, name: str, ok: bool, expected: str) -> None:
        """Raise ``ValueError`` naming the class, the parameter and its value unless ``ok``."""
        if not ok:
            value: Any = getattr(self, name)
            raise ValueError(f"{type(self).__name__}: {name}={value!r} {expected}")


def is_int(x: object) -> bool:
    """``True`` for Python and NumPy integers, ``False`` for ``bool``."""
    import numpy as np
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


__all__ = ["Estimator", "is_int"]
