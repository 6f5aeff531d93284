"""Small shared helpers: random generators and input validation."""

from __future__ import annotations

import numpy as np

RNGLike = np.random.Generator | int | None


def as_rng(rng: RNGLike = None) -> np.random.Generator:
    """Return a NumPy ``Generator`` from a seed, a generator, or ``None`` (fresh entropy).

    Seeds are always explicit arguments in coursekit; the global NumPy random state is never used.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, not {type(rng).__name__}")


def check_X_y(X, y) -> tuple[np.ndarray, np.ndarray]:
    """Validate a design matrix ``X`` (n, d) and targets ``y`` (n,) and return them as arrays.

    Floating inputs keep their dtype (float32 stays float32); other inputs become float64.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}")
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of shape (n_samples,), got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries; they must match")
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    return X, y
