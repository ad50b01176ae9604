"""Truncated SVD helpers with deterministic signs and graceful handling of tiny matrices."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def truncated_svd(mat, k: int, n_iter: int, seed: int | None,
                  n_oversamples: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Top-``k`` singular triplets ``(U [n, k], s [k], Vt [k, m])`` of a sparse or dense matrix.

    Uses scikit-learn's randomized SVD (Halko et al., 2011) with ``n_iter`` power iterations,
    or an exact dense SVD when ``k + n_oversamples >= min(n, m)`` (where the randomized one would
    not save work). If ``k`` exceeds the rank bound ``min(n, m)`` the missing components are
    zero. Signs follow scikit-learn's ``svd_flip`` (largest-magnitude entry of each column of
    ``U`` positive), so results are deterministic.
    """
    from sklearn.utils.extmath import randomized_svd, svd_flip
    from threadpoolctl import threadpool_limits

    n, m = mat.shape
    r = min(n, m)
    kk = min(k, r)
    if kk == 0:
        return np.zeros((n, k)), np.zeros(k), np.zeros((k, m))
    if kk + n_oversamples >= r:
        dense = mat.toarray() if sp.issparse(mat) else np.asarray(mat)
        u, s, vt = np.linalg.svd(dense.astype(np.float64), full_matrices=False)
        u, vt = svd_flip(u, vt)
        u, s, vt = u[:, :kk], s[:kk], vt[:kk]
    else:
        # The range finder factorises tall-skinny [n, k] blocks (LU/QR); multi-threaded
        # OpenBLAS is many times slower on those when cores are shared, so use one thread.
        with threadpool_limits(limits=1, user_api="blas"):
            u, s, vt = randomized_svd(mat, kk, n_oversamples=n_oversamples, n_iter=n_iter,
                                      random_state=seed, flip_sign=True)
    if kk < k:
        u = np.pad(u, ((0, 0), (0, k - kk)))
        s = np.pad(s, (0, k - kk))
        vt = np.pad(vt, ((0, k - kk), (0, 0)))
    return u, s, vt
