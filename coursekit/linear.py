r"""Sigmoid, softmax and logistic regression: functions and a scikit-learn-style estimator.

Conventions (used everywhere in the course): labels :math:`y_i \in \{0, 1\}`, scores :math:`z = Xw + b`,
probabilities :math:`p = \sigma(z)`, and the penalized objective

.. math::

    J(w, b) = \underbrace{\frac1n \sum_{i=1}^n \big[\log(1 + e^{z_i}) - y_i z_i\big]}_{L(w,b)}
      + \alpha\Big(\rho\|w\|_1 + \frac{1-\rho}{2}\|w\|_2^2\Big),

the mean cross-entropy :math:`L` plus a penalty with :math:`\rho` = ``l1_ratio``; the penalty (from
:mod:`coursekit.regularization`) never touches the intercept :math:`b`. scikit-learn's
``LogisticRegression(C=...)`` solves the same problem with :math:`C = 1/(n\alpha)`.

See the chapters :doc:`book/classification` and :doc:`book/regularization`.
"""

from __future__ import annotations

import warnings

import numpy as np

from coursekit._utils import RNGLike, as_rng
from coursekit.regularization import elastic_net_grad, elastic_net_penalty, fista, l2_penalty

__all__ = [
    "sigmoid",
    "log_sigmoid",
    "softmax",
    "log_softmax",
    "predict_proba",
    "predict",
    "log_likelihood",
    "log_likelihood_grad",
    "logistic_loss",
    "logistic_loss_grad",
    "logistic_loss_and_grad",
    "gradient_ascent",
    "softmax_loss",
    "softmax_loss_grad",
    "ConvergenceWarning",
    "NotFittedError",
    "LogisticRegression",
]


class ConvergenceWarning(UserWarning):
    """A solver stopped at ``max_iter`` before reaching ``tol``."""


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit``."""


# --------------------------------------------------------------------------------------------------------
# Link functions
# --------------------------------------------------------------------------------------------------------


def _float(z) -> np.ndarray:
    """``z`` as a floating array: float32 stays float32, integers and lists become float64."""
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    r"""Logistic sigmoid :math:`\sigma(z) = \frac{1}{1 + e^{-z}}`, elementwise and overflow-free.

    Only :math:`e^{-|z|} \in (0, 1]` is ever computed: :math:`\sigma(z) = \frac{1}{1 + e^{-|z|}}` for
    :math:`z \ge 0` and :math:`\frac{e^{-|z|}}{1 + e^{-|z|}}` for :math:`z < 0`, so any finite :math:`z`
    (e.g. :math:`\pm 10^4`) gives a result in :math:`[0, 1]`, accurate to rounding, without warnings.

    Parameters
    ----------
    z : float or ndarray of any shape
        Scores (logits). float32 stays float32; other inputs become float64.

    Returns
    -------
    ndarray, shape and float dtype of ``z`` (a 0-d array for a scalar).

    See the chapter :doc:`book/classification`.
    """
    z = _float(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1, e) / (1 + e)


def log_sigmoid(z: np.ndarray | float) -> np.ndarray:
    r""":math:`\log\sigma(z) = -\log(1 + e^{-z})`, computed as ``-np.logaddexp(0, -z)`` (never overflows).

    Parameters
    ----------
    z : float or ndarray of any shape (float32 stays float32)

    Returns
    -------
    ndarray, shape and float dtype of ``z``; always :math:`\le 0`.

    See the chapter :doc:`book/classification`.
    """
    z = _float(z)
    return -np.logaddexp(0, -z)


def log_softmax(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Log of the softmax along ``axis``, with the max-shift that makes it stable.

    .. math::

        \log\operatorname{softmax}(z)_k = (z_k - m) - \log\sum_j e^{z_j - m}, \qquad m = \max_j z_j .

    Parameters
    ----------
    Z : ndarray, e.g. of shape (n, K)
        Logits (float32 stays float32).
    axis : int
        The class axis.

    Returns
    -------
    ndarray, shape of ``Z``.

    See the chapter :doc:`book/classification`.
    """
    Z = _float(Z)
    shifted = Z - Z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Softmax :math:`e^{z_k - m} / \sum_j e^{z_j - m}` along ``axis``, shifted by :math:`m = \max_j z_j`.

    Parameters
    ----------
    Z : ndarray, e.g. of shape (n, K)
        Logits (float32 stays float32).
    axis : int
        The class axis.

    Returns
    -------
    ndarray, shape of ``Z``; non-negative, sums to 1 along ``axis``.

    See the chapter :doc:`book/classification`.
    """
    Z = _float(Z)
    e = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# --------------------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------------------


def _check_X(X, d: int | None = None, what: str = "w", entries: str = "entries") -> np.ndarray:
    X = _float(X)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}; "
                         "for a single sample use X.reshape(1, -1)")
    if d is not None and X.shape[1] != d:
        raise ValueError(f"X has {X.shape[1]} columns but {what} has {d} {entries}; they must match")
    return X


def _check_w(w) -> np.ndarray:
    w = _float(w)
    if w.ndim != 1:
        raise ValueError(f"w must be a 1-D array of shape (n_features,), got shape {w.shape}")
    return w


def _check_binary_labels(y, n: int) -> np.ndarray:
    """``y`` as a float64 vector of 0/1 labels of length ``n``, or a ValueError saying what is wrong."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"y must be a 1-D array with one label per row of X ({n}), got shape {y.shape}")
    if y.dtype.kind not in "biuf" or not np.all((y == 0) | (y == 1)):
        found = np.unique(y)[:5]
        raise ValueError(f"binary labels must be 0 or 1, found {found}; encode them first, "
                         "e.g. y = (labels == positive_class).astype(int)")
    return y.astype(np.float64)


def _check_class_labels(y, n: int, K: int) -> np.ndarray:
    """``y`` as an int vector of class indices in 0..K-1 of length ``n``."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"y must be a 1-D array with one label per row of X ({n}), got shape {y.shape}")
    if y.dtype.kind not in "biuf" or not np.all((y == np.round(y)) & (y >= 0) & (y < K)):
        raise ValueError(f"y must hold integer class labels 0..{K - 1} (W has {K} columns), "
                         f"found {np.unique(y)[:5]}")
    return y.astype(np.intp)


def _check_binary_problem(w, b, X, y):
    w = _check_w(w)
    X = _check_X(X, w.shape[0])
    if np.ndim(b) != 0:
        raise ValueError(f"b must be a scalar intercept, got shape {np.shape(b)}")
    return w, float(b), X, _check_binary_labels(y, X.shape[0])


def _check_softmax_problem(W, b, X, y):
    W, b = _float(W), _float(b)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D array of shape (n_features, n_classes), got shape {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape (n_classes,) = ({W.shape[1]},), got {b.shape}")
    X = _check_X(X, W.shape[0], "W", "rows")
    return W, b, X, _check_class_labels(y, X.shape[0], W.shape[1])


# --------------------------------------------------------------------------------------------------------
# Binary logistic regression: prediction, likelihood, loss
# --------------------------------------------------------------------------------------------------------


def predict_proba(X: np.ndarray, w: np.ndarray, b: float = 0.0) -> np.ndarray:
    r"""Probability of class 1, :math:`p = \sigma(Xw + b)`.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    w : ndarray of shape (d,)
    b : float

    Returns
    -------
    ndarray of shape (n,)

    See the chapter :doc:`book/classification`.
    """
    w = _check_w(w)
    return sigmoid(_check_X(X, w.shape[0]) @ w + b)


def predict(X: np.ndarray, w: np.ndarray, b: float = 0.0, threshold: float = 0.5) -> np.ndarray:
    r"""Class labels :math:`\hat y_i = [\sigma(x_i^\top w + b) \ge t]` for the threshold :math:`t`.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    w : ndarray of shape (d,)
    b : float
    threshold : float
        :math:`t`; 0.5 predicts the more probable class.

    Returns
    -------
    ndarray of shape (n,), int (0 or 1)

    See the chapter :doc:`book/classification`.
    """
    return (predict_proba(X, w, b) >= threshold).astype(int)


def _cross_entropy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Per-sample :math:`\log(1 + e^{z}) - yz = \log(1 + e^{t})` with :math:`t = (1-2y)z` (for y = 0 or 1).

    Computed as :math:`\max(t, 0) + \log(1 + e^{-|t|})` (:math:`|t| = |z|`): no overflow, no cancellation.
    """
    return np.maximum((1 - 2 * y) * z, 0) + np.log1p(np.exp(-np.abs(z)))


def log_likelihood(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> float:
    r"""Log-likelihood of the logistic model (a sum over samples; it is maximized).

    .. math::

        \ell(w, b) = \sum_{i=1}^n \big[y_i z_i - \log(1 + e^{z_i})\big], \qquad z = Xw + b .

    Parameters
    ----------
    w : ndarray of shape (d,)
    b : float
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), labels in {0, 1}

    Returns
    -------
    float, :math:`\le 0`.

    See the chapter :doc:`book/classification`.
    """
    w, b, X, y = _check_binary_problem(w, b, X, y)
    return -float(_cross_entropy(X @ w + b, y).sum())


def log_likelihood_grad(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    r"""Gradient of the log-likelihood.

    .. math::

        \nabla_w \ell = X^\top(y - p), \qquad \partial_b \ell = \sum_i (y_i - p_i), \qquad p = \sigma(Xw + b).

    Parameters
    ----------
    w : ndarray of shape (d,)
    b : float
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), labels in {0, 1}

    Returns
    -------
    gw : ndarray of shape (d,)
    gb : float

    See the chapter :doc:`book/classification`.
    """
    w, b, X, y = _check_binary_problem(w, b, X, y)
    r = y - sigmoid(X @ w + b)
    return X.T @ r, float(r.sum())


def _loss_and_grad(w, b, X, y, alpha=0.0, l1_ratio=0.0):
    """Unchecked core of :func:`logistic_loss_and_grad`: one product ``X @ w`` and one ``X.T @ r``."""
    z = X @ w + b
    e = np.exp(-np.abs(z))  # shared by the stable sigmoid and the stable cross-entropy: one exp, no overflow
    r = (np.where(z >= 0, 1.0, e) / (1 + e) - y) / X.shape[0]
    loss = (np.maximum((1 - 2 * y) * z, 0) + np.log1p(e)).mean() + elastic_net_penalty(w, alpha, l1_ratio)
    return float(loss), X.T @ r + elastic_net_grad(w, alpha, l1_ratio), float(r.sum())


def logistic_loss(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, alpha: float = 0.0, l1_ratio: float = 0.0
) -> float:
    r"""Penalized mean cross-entropy (the course's objective :math:`J`).

    .. math::

        J(w, b) = \frac1n\sum_{i=1}^n\big[\log(1 + e^{z_i}) - y_i z_i\big]
            + \alpha\Big(\rho\|w\|_1 + \frac{1-\rho}{2}\|w\|_2^2\Big), \qquad z = Xw + b,

    computed as :math:`\log(1 + e^{(1-2y_i)z_i})` per sample, finite for any finite scores.
    The penalty is not applied to :math:`b`.

    Parameters
    ----------
    w : ndarray of shape (d,)
    b : float
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), labels in {0, 1}
    alpha : float
        Penalty strength :math:`\alpha \ge 0` (0: unpenalized).
    l1_ratio : float
        :math:`\rho`: 0 = L2 (:math:`\frac\alpha2\|w\|^2`), 1 = L1 (:math:`\alpha\|w\|_1`), else elastic net.

    Returns
    -------
    float

    See the chapters :doc:`book/classification` and :doc:`book/regularization`.
    """
    w, b, X, y = _check_binary_problem(w, b, X, y)
    return float(_cross_entropy(X @ w + b, y).mean()) + elastic_net_penalty(w, alpha, l1_ratio)


def logistic_loss_grad(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, alpha: float = 0.0, l1_ratio: float = 0.0
) -> tuple[np.ndarray, float]:
    r"""Gradient of :func:`logistic_loss` (a subgradient for the L1 part).

    .. math::

        \nabla_w J = \frac1n X^\top (p - y) + \alpha\big(\rho\,\operatorname{sign}(w) + (1-\rho)\,w\big),
        \qquad \partial_b J = \frac1n \sum_i (p_i - y_i).

    Parameters
    ----------
    w, b, X, y, alpha, l1_ratio
        As in :func:`logistic_loss`.

    Returns
    -------
    gw : ndarray of shape (d,)
    gb : float

    See the chapters :doc:`book/classification` and :doc:`book/regularization`.
    """
    return logistic_loss_and_grad(w, b, X, y, alpha, l1_ratio)[1:]


def logistic_loss_and_grad(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, alpha: float = 0.0, l1_ratio: float = 0.0
) -> tuple[float, np.ndarray, float]:
    r""":func:`logistic_loss` and :func:`logistic_loss_grad` together, from one product :math:`z = Xw + b`.

    It costs two matrix-vector products (:math:`Xw` and :math:`X^\top(p - y)`), what a solver pays per step.

    Returns
    -------
    loss : float
    gw : ndarray of shape (d,)
    gb : float

    See the chapter :doc:`book/optimization`.
    """
    w, b, X, y = _check_binary_problem(w, b, X, y)
    return _loss_and_grad(w, b, X, y, alpha, l1_ratio)


def gradient_ascent(
    X: np.ndarray,
    y: np.ndarray,
    lr: float = 0.1,
    n_steps: int = 100,
    w0: np.ndarray | None = None,
    b0: float = 0.0,
) -> tuple[np.ndarray, float, list[float]]:
    r"""Learn :math:`(w, b)` by gradient ascent on the mean log-likelihood :math:`\ell/n`.

    .. math::

        w \leftarrow w + \frac{\eta}{n} X^\top (y - p), \qquad
        b \leftarrow b + \frac{\eta}{n}\sum_i (y_i - p_i).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), labels in {0, 1}
    lr : float
        Learning rate :math:`\eta`.
    n_steps : int
    w0 : ndarray of shape (d,), optional
        Starting weights (default zeros; not modified).
    b0 : float

    Returns
    -------
    w : ndarray of shape (d,)
    b : float
    history : list of float
        The log-likelihood :math:`\ell` (:func:`log_likelihood`, a sum) before the first step and after every
        step: ``n_steps + 1`` values, non-decreasing for a small enough ``lr``.

    See the chapter :doc:`book/classification`.
    """
    X = _check_X(X)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    n = X.shape[0]
    history = [log_likelihood(w, b, X, y)]
    for _ in range(n_steps):
        gw, gb = log_likelihood_grad(w, b, X, y)
        w, b = w + lr * gw / n, b + lr * gb / n
        history.append(log_likelihood(w, b, X, y))
    return w, b, history


# --------------------------------------------------------------------------------------------------------
# Multinomial (softmax) regression
# --------------------------------------------------------------------------------------------------------


def _softmax_loss_and_grad(W, b, X, y, alpha=0.0):
    """Unchecked mean softmax cross-entropy + (alpha/2)||W||^2 and its gradient (gW, gb)."""
    n = X.shape[0]
    logP = log_softmax(X @ W + b)
    rows = np.arange(n)
    R = np.exp(logP)
    R[rows, y] -= 1
    R /= n
    loss = -logP[rows, y].mean() + l2_penalty(W, alpha)
    return float(loss), X.T @ R + alpha * W, R.sum(axis=0)


def softmax_loss(W: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray, alpha: float = 0.0) -> float:
    r"""Mean softmax cross-entropy with an L2 penalty on :math:`W` (not on :math:`b`).

    .. math::

        J(W, b) = -\frac1n\sum_{i=1}^n \log\operatorname{softmax}(x_i^\top W + b)_{y_i}
                  + \frac\alpha2\|W\|_F^2 .

    Parameters
    ----------
    W : ndarray of shape (d, K)
    b : ndarray of shape (K,)
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), integer labels in 0..K-1
    alpha : float

    Returns
    -------
    float

    See the chapter :doc:`book/classification`.
    """
    return softmax_loss_and_grad(W, b, X, y, alpha)[0]


def softmax_loss_grad(
    W: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray, alpha: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of :func:`softmax_loss`; with :math:`P = \operatorname{softmax}(XW + b)`, one-hot :math:`Y`:

    .. math::

        \nabla_W J = \frac1n X^\top (P - Y) + \alpha W, \qquad \nabla_b J = \frac1n (P - Y)^\top \mathbf 1 .

    Returns
    -------
    gW : ndarray of shape (d, K)
    gb : ndarray of shape (K,)

    See the chapter :doc:`book/classification`.
    """
    return softmax_loss_and_grad(W, b, X, y, alpha)[1:]


def softmax_loss_and_grad(
    W: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray, alpha: float = 0.0
) -> tuple[float, np.ndarray, np.ndarray]:
    """:func:`softmax_loss` and :func:`softmax_loss_grad` from one product ``X @ W``: ``(loss, gW, gb)``.

    See the chapter :doc:`book/classification`.
    """
    W, b, X, y = _check_softmax_problem(W, b, X, y)
    return _softmax_loss_and_grad(W, b, X, y, alpha)


# --------------------------------------------------------------------------------------------------------
# Solvers (on theta = [w, b] or [W.ravel(), b])
# --------------------------------------------------------------------------------------------------------


def _penalty_mix(penalty: str | None, l1_ratio: float) -> float:
    """The l1_ratio implied by a penalty name."""
    mix = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio, None: 0.0}
    if penalty not in mix:
        raise ValueError(f"penalty must be 'l2', 'l1', 'elasticnet' or None, got {penalty!r}")
    if not 0 <= mix[penalty] <= 1:
        raise ValueError(f"l1_ratio must lie in [0, 1], got {l1_ratio!r}")
    return mix[penalty]


def _binary_objective(X, y):
    """The mean cross-entropy on ``theta = [w, b]``: ``(f_grad, f)`` for :func:`regularization.fista`."""
    d = X.shape[1]

    def f_grad(theta):
        loss, gw, gb = _loss_and_grad(theta[:d], theta[d], X, y)
        return loss, np.append(gw, gb)

    return f_grad, lambda theta: float(_cross_entropy(X @ theta[:d] + theta[d], y).mean())


def _softmax_objective(X, y, K):
    """The mean softmax cross-entropy on ``theta = [W.ravel(), b]``: ``(f_grad, f)``."""
    d = X.shape[1]

    def f_grad(theta):
        loss, gW, gb = _softmax_loss_and_grad(theta[:-K].reshape(d, K), theta[-K:], X, y)
        return loss, np.append(gW.ravel(), gb)

    def f(theta):
        logP = log_softmax(X @ theta[:-K].reshape(d, K) + theta[-K:])
        return -float(logP[np.arange(len(y)), y].mean())

    return f_grad, f


def _lipschitz_step(X, curvature):
    r"""A safe GD step ``1 / L``, :math:`L = c\,\lambda_{\max}([X\ 1]^\top [X\ 1]) / n` by power iteration."""
    n, d = X.shape
    v = np.ones(d + 1)
    for _ in range(50):
        z = X @ v[:d] + v[d]
        u = np.append(X.T @ z, z.sum())
        lam = np.linalg.norm(u)
        v = u / lam
    return n / (curvature * lam)


def _newton(X, y, alpha, max_iter, tol):
    r"""Newton on ``theta = [w, b]``: Hessian :math:`[X\,1]^\top S [X\,1]/n + \alpha I_w`, Armijo steps."""
    n, d = X.shape
    Xa = np.column_stack([X, np.ones(n)])
    ridge = np.append(np.full(d, alpha), 0.0)  # the intercept is not penalized

    def objective(theta):  # (J, gradient as one vector)
        loss, gw, gb = _loss_and_grad(theta[:d], theta[d], X, y, alpha)
        return loss, np.append(gw, gb)

    theta = np.zeros(d + 1)
    loss, g = objective(theta)
    history = {"loss": [], "grad_norm": []}
    for _ in range(max_iter):
        history["loss"].append(loss)
        history["grad_norm"].append(float(np.linalg.norm(g)))
        if history["grad_norm"][-1] <= tol:
            break
        p = sigmoid(Xa @ theta)
        Xs = Xa * np.sqrt(p * (1 - p))[:, None]  # H = Xa^T S Xa / n, computed as Xs^T Xs (symmetric)
        H = Xs.T @ Xs / n + np.diag(ridge)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:  # singular Hessian (alpha = 0, separable data)
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        t = 1.0
        while True:  # backtracking (Armijo) line search; near the optimum the full step is taken
            new_loss, new_g = objective(theta - t * step)
            if new_loss <= loss - 1e-4 * t * (g @ step) or t < 1e-10:
                break
            t /= 2
        theta, loss, g = theta - t * step, new_loss, new_g
    return theta, history


def _gd(fun, params, optimizer, lr, n, batch_size, max_iter, tol, rng):
    """Minimize with a :mod:`coursekit.optim` optimizer; ``fun(params, idx) -> (loss, grads)`` on rows idx."""
    from coursekit.optim import make_optimizer, minibatches

    opt = make_optimizer(optimizer, params, lr=lr)
    history = {"loss": [], "grad_norm": []}
    everyone = slice(None)
    for _ in range(max_iter):
        if batch_size is None or batch_size >= n:  # full batch: one step, history before it
            loss, grads = fun(params, everyone)
        else:
            for idx in minibatches(n, batch_size, rng=rng):
                opt.step(fun(params, idx)[1])
            loss, grads = fun(params, everyone)  # per epoch: the full objective after it
        history["loss"].append(loss)
        history["grad_norm"].append(float(np.sqrt(sum(np.vdot(g, g) for g in grads))))
        if history["grad_norm"][-1] <= tol:
            break
        if batch_size is None or batch_size >= n:
            opt.step(grads)
    return history


# --------------------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------------------

_ADAPTIVE_LR = {"adam": 1e-2, "rmsprop": 1e-2, "adagrad": 1e-1}


class LogisticRegression:
    r"""Penalized logistic regression in scikit-learn's style, with the course's solvers.

    Minimizes :math:`J(w, b) = L(w, b) + \alpha\big(\rho\|w\|_1 + \frac{1-\rho}{2}\|w\|^2\big)` (mean
    cross-entropy plus a penalty that never touches the intercept); scikit-learn's ``C`` is
    :math:`1/(n\alpha)`.
    With :math:`K > 2` classes: the multinomial (softmax) model with the penalty on :math:`W`, or one binary
    model per class ("one-vs-rest").

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet", None}
        ``"l2"``: :math:`\frac\alpha2\|w\|^2`; ``"l1"``: :math:`\alpha\|w\|_1`; ``"elasticnet"``: mixed by
        ``l1_ratio``; ``None``: no penalty.
    alpha : float
        Penalty strength :math:`\alpha \ge 0`.
    l1_ratio : float
        :math:`\rho` for ``penalty="elasticnet"``.
    solver : {"auto", "newton", "proximal", "gd"}
        ``"newton"``: Newton's method on :math:`[w, b]` (binary / one-vs-rest, penalty l2 or None), Hessian
        :math:`X^\top S X/n + \alpha I` on :math:`w`, :math:`S = \operatorname{diag}(p_i(1-p_i))`; stops when
        the gradient norm is at most ``tol``. ``"proximal"``: FISTA with backtracking and restart
        (:func:`coursekit.regularization.fista`), exact zeros for l1 / elasticnet. ``"gd"``: a
        :mod:`coursekit.optim` optimizer, full batch or mini-batches (L1 through its subgradient, so no exact
        zeros). ``"auto"``: newton for l2/None binary (and one-vs-rest), proximal for l1/elasticnet and for
        the multinomial model (exact, no learning rate to tune).
    optimizer : str
        For ``solver="gd"``: a name for :func:`coursekit.optim.make_optimizer` ("sgd", "momentum", "nesterov",
        "adagrad", "rmsprop", "adam").
    lr : float, optional
        For ``solver="gd"``. Default: :math:`1/L` (:math:`L` the smoothness constant of the loss, estimated
        from :math:`X`) for sgd / momentum / nesterov; 0.01 for adam and rmsprop; 0.1 for adagrad.
    batch_size : int, optional
        For ``solver="gd"``: mini-batch size (``None``: full batch). ``max_iter`` then counts epochs.
    max_iter : int
        Maximum number of iterations (Newton steps, FISTA steps, gd steps or epochs).
    tol : float
        Stop when the gradient norm (the gradient mapping for "proximal") is at most ``tol``.
    multi_class : {"auto", "ovr", "multinomial"}
        For :math:`K > 2` classes; "auto" is "multinomial".
    rng : numpy Generator, int or None
        Seed for the mini-batch shuffling.

    Attributes
    ----------
    coef_ : ndarray of shape (d,) (binary) or (K, d)
    intercept_ : float (binary) or ndarray of shape (K,)
    classes_ : ndarray of shape (K,)
    n_iter_ : int (or ndarray (K,) int for one-vs-rest)
    history_ : dict with lists ``loss`` (the objective :math:`J`) and ``grad_norm``, one entry per iteration
        (per epoch with mini-batches); for one-vs-rest a list of K such dicts.

    See the chapters :doc:`book/classification`, :doc:`book/regularization` and :doc:`book/optimization`.
    """

    def __init__(
        self,
        penalty: str | None = "l2",
        alpha: float = 1e-2,
        l1_ratio: float = 0.5,
        solver: str = "auto",
        optimizer: str = "adam",
        lr: float | None = None,
        batch_size: int | None = None,
        max_iter: int = 1000,
        tol: float = 1e-8,
        multi_class: str = "auto",
        rng: RNGLike = None,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.solver = solver
        self.optimizer = optimizer
        self.lr = lr
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.multi_class = multi_class
        self.rng = rng

    _PARAMS = ("penalty", "alpha", "l1_ratio", "solver", "optimizer", "lr", "batch_size", "max_iter", "tol",
               "multi_class", "rng")

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments (scikit-learn's protocol, so ``sklearn.base.clone`` works)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params) -> LogisticRegression:
        """Set constructor arguments; returns ``self``."""
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(f"unknown parameter {name!r}; valid ones are {', '.join(self._PARAMS)}")
            setattr(self, name, value)
        return self

    # ---- fitting ----

    def _settings(self, multinomial: bool):
        """Validated (alpha, l1_ratio, solver)."""
        l1_ratio = _penalty_mix(self.penalty, self.l1_ratio)
        alpha = 0.0 if self.penalty is None else self.alpha
        if not alpha >= 0:
            raise ValueError(f"alpha must be >= 0, got {alpha!r}")
        solver = self.solver
        if solver == "auto":
            solver = "proximal" if multinomial or l1_ratio > 0 else "newton"
        if solver not in ("newton", "proximal", "gd"):
            raise ValueError(f"solver must be 'auto', 'newton', 'proximal' or 'gd', got {self.solver!r}")
        if solver == "newton" and (l1_ratio > 0 and alpha > 0 or multinomial):
            raise ValueError("solver='newton' handles binary (or one-vs-rest) problems with penalty 'l2' or "
                             "None; use solver='proximal' for l1/elasticnet or for the multinomial model")
        if self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}")
        return alpha, l1_ratio, solver

    def _warn_if_not_converged(self, history):
        if history["grad_norm"][-1] > self.tol and len(history["loss"]) >= self.max_iter:
            warnings.warn(f"LogisticRegression stopped after max_iter={self.max_iter} iterations with "
                          f"gradient norm {history['grad_norm'][-1]:.2e} > tol={self.tol:g}; "
                          "increase max_iter or tol",
                          ConvergenceWarning, stacklevel=3)

    def _gd_lr(self, X, curvature, alpha, l1_ratio):
        if self.lr is not None:
            return self.lr
        if self.optimizer in _ADAPTIVE_LR:
            return _ADAPTIVE_LR[self.optimizer]
        return 1 / (1 / _lipschitz_step(X, curvature) + alpha * (1 - l1_ratio))

    def _fit_binary(self, X, y, solver, alpha, l1_ratio, rng):
        """Fit one binary problem (y in {0, 1}); return (w, b, history)."""
        n, d = X.shape
        if solver == "newton":
            theta, history = _newton(X, y, alpha, self.max_iter, self.tol)
        elif solver == "proximal":
            f_grad, f = _binary_objective(X, y)
            theta, history = fista(f_grad, np.zeros(d + 1), alpha, l1_ratio, np.arange(d + 1) < d,
                                   max_iter=self.max_iter, tol=self.tol, f=f)
        else:
            params = [np.zeros(d), np.zeros(1)]

            def fun(params, idx):
                loss, gw, gb = _loss_and_grad(params[0], params[1][0], X[idx], y[idx], alpha, l1_ratio)
                return loss, [gw, np.array([gb])]

            history = _gd(fun, params, self.optimizer, self._gd_lr(X, 0.25, alpha, l1_ratio), n,
                          self.batch_size, self.max_iter, self.tol, rng)
            theta = np.append(params[0], params[1])
        self._warn_if_not_converged(history)
        return theta[:d], float(theta[d]), history

    def _fit_multinomial(self, X, y, solver, alpha, l1_ratio, rng):
        """Fit the softmax model (y in 0..K-1); return (W (d, K), b (K,), history)."""
        n, d = X.shape
        K = len(self.classes_)
        if solver == "proximal":
            f_grad, f = _softmax_objective(X, y, K)
            theta, history = fista(f_grad, np.zeros(d * K + K), alpha, l1_ratio, np.arange(d * K + K) < d * K,
                                   max_iter=self.max_iter, tol=self.tol, f=f)
            W, b = theta[:-K].reshape(d, K), theta[-K:]
        else:
            W, b = np.zeros((d, K)), np.zeros(K)

            def fun(params, idx):
                loss, gW, gb = _softmax_loss_and_grad(params[0], params[1], X[idx], y[idx])
                return (loss + elastic_net_penalty(params[0], alpha, l1_ratio),
                        [gW + elastic_net_grad(params[0], alpha, l1_ratio), gb])

            history = _gd(fun, [W, b], self.optimizer, self._gd_lr(X, 0.5, alpha, l1_ratio), n,
                          self.batch_size, self.max_iter, self.tol, rng)
        self._warn_if_not_converged(history)
        return W, b, history

    def fit(self, X: np.ndarray, y: np.ndarray) -> LogisticRegression:
        """Fit to ``X`` (n, d) and labels ``y`` (n,) of any type (two or more classes); returns ``self``."""
        X = np.asarray(_check_X(X), dtype=np.float64)
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(f"y must be a 1-D array with one label per row of X ({X.shape[0]}), "
                             f"got shape {y.shape}")
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or infinite values; impute or drop them first")
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        K = len(self.classes_)
        if K < 2:
            raise ValueError(f"y needs at least two classes to fit a classifier, found only {self.classes_}")
        if self.multi_class not in ("auto", "ovr", "multinomial"):
            raise ValueError(f"multi_class must be 'auto', 'ovr' or 'multinomial', got {self.multi_class!r}")
        multinomial = K > 2 and self.multi_class != "ovr"
        alpha, l1_ratio, solver = self._settings(multinomial)
        rng = as_rng(self.rng)
        if K == 2:
            self.coef_, self.intercept_, self.history_ = self._fit_binary(
                X, y_idx.astype(float), solver, alpha, l1_ratio, rng)
            self.n_iter_ = len(self.history_["loss"])
        elif multinomial:
            W, self.intercept_, self.history_ = self._fit_multinomial(X, y_idx, solver, alpha, l1_ratio, rng)
            self.coef_ = W.T.copy()
            self.n_iter_ = len(self.history_["loss"])
        else:
            fits = [self._fit_binary(X, (y_idx == k).astype(float), solver, alpha, l1_ratio, rng)
                    for k in range(K)]
            self.coef_ = np.array([w for w, _, _ in fits])
            self.intercept_ = np.array([b for _, b, _ in fits])
            self.history_ = [h for _, _, h in fits]
            self.n_iter_ = np.array([len(h["loss"]) for h in self.history_])
        self._multinomial = multinomial
        return self

    # ---- prediction ----

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Scores :math:`Xw + b`: shape (n,) for binary, (n, K) otherwise."""
        if not hasattr(self, "coef_"):
            raise NotFittedError("this LogisticRegression is not fitted yet; call fit(X, y) first")
        d = self.coef_.shape[-1]
        return _check_X(X, d, "coef_", "features") @ self.coef_.T + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        r"""Class probabilities, shape (n, K) with columns in the order of ``classes_`` (K = 2 for binary).

        Binary: :math:`[1 - \sigma(z), \sigma(z)]`; multinomial: :math:`\operatorname{softmax}(z)`;
        one-vs-rest: the K sigmoids normalized to sum to 1 (as scikit-learn does).
        """
        Z = self.decision_function(X)
        if Z.ndim == 1:
            p = sigmoid(Z)
            return np.column_stack([1 - p, p])
        if self._multinomial:
            return softmax(Z)
        P = sigmoid(Z)
        return P / P.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted labels (from ``classes_``), shape (n,): the most probable class."""
        Z = self.decision_function(X)
        return self.classes_[(Z >= 0).astype(int) if Z.ndim == 1 else Z.argmax(axis=1)]

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Accuracy of :meth:`predict` on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
