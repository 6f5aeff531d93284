r"""L1 / L2 / elastic-net penalties, soft-thresholding, proximal gradient and regularization paths.

Every penalized objective in the course has the form

.. math::

    J(w, b) = f(w, b) + \alpha \Big( \rho \, \|w\|_1 + \frac{1 - \rho}{2} \|w\|_2^2 \Big),

with a smooth data term :math:`f` (e.g. the mean cross-entropy of :mod:`coursekit.linear`), a strength
:math:`\alpha \ge 0` and a mixing parameter :math:`\rho` = ``l1_ratio`` (:math:`\rho = 0`: L2,
:math:`\rho = 1`: L1). The penalty is never applied to the intercept :math:`b`.
The formulas of the penalties live here and nowhere else.

See the chapter :doc:`book/regularization`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "l2_penalty",
    "l2_grad",
    "l1_penalty",
    "l1_subgradient",
    "elastic_net_penalty",
    "elastic_net_grad",
    "soft_threshold",
    "prox_elastic_net",
    "proximal_gradient_step",
    "ista",
    "fista",
    "alpha_max_l1",
    "RegPath",
    "regularization_path",
]

SmoothFun = Callable[[np.ndarray], tuple[float, np.ndarray]]


def _check_alpha(alpha: float, l1_ratio: float = 0.0) -> None:
    if not alpha >= 0:
        raise ValueError(f"alpha must be a number >= 0 (the penalty strength), got {alpha!r}")
    if not 0 <= l1_ratio <= 1:
        raise ValueError(f"l1_ratio must lie in [0, 1] (0 = L2, 1 = L1), got {l1_ratio!r}")


# --------------------------------------------------------------------------------------------------------
# Penalties and their (sub)gradients
# --------------------------------------------------------------------------------------------------------


def l2_penalty(w: np.ndarray, alpha: float) -> float:
    r"""Ridge penalty :math:`\frac{\alpha}{2}\|w\|_2^2`.

    Parameters
    ----------
    w : ndarray of shape (d,) or (d, K)
        Weights (never the intercept).
    alpha : float
        Strength :math:`\alpha \ge 0`.

    Returns
    -------
    float

    See the chapter :doc:`book/regularization`.
    """
    w = np.asarray(w)
    return 0.5 * alpha * float(np.vdot(w, w))


def l2_grad(w: np.ndarray, alpha: float) -> np.ndarray:
    r"""Gradient of the ridge penalty, :math:`\nabla \frac{\alpha}{2}\|w\|_2^2 = \alpha w` (shape of ``w``).

    See the chapter :doc:`book/regularization`.
    """
    return alpha * np.asarray(w)


def l1_penalty(w: np.ndarray, alpha: float) -> float:
    r"""Lasso penalty :math:`\alpha\|w\|_1 = \alpha \sum_j |w_j|`.

    Parameters
    ----------
    w : ndarray of shape (d,) or (d, K)
    alpha : float

    Returns
    -------
    float

    See the chapter :doc:`book/regularization`.
    """
    return alpha * float(np.abs(w).sum())


def l1_subgradient(w: np.ndarray, alpha: float) -> np.ndarray:
    r"""A subgradient of :math:`\alpha\|w\|_1`: :math:`\alpha\,\operatorname{sign}(w)` (0 at :math:`w_j=0`).

    Same shape as ``w``. See the chapter :doc:`book/regularization`.
    """
    return alpha * np.sign(w)


def elastic_net_penalty(w: np.ndarray, alpha: float, l1_ratio: float) -> float:
    r"""Elastic-net penalty :math:`\alpha\big(\rho\|w\|_1 + \frac{1-\rho}{2}\|w\|^2\big)`.

    :math:`\rho` = ``l1_ratio``: ``l1_ratio=0`` is :func:`l2_penalty`, ``l1_ratio=1`` is :func:`l1_penalty`.
    See the chapter :doc:`book/regularization`.
    """
    return l1_penalty(w, alpha * l1_ratio) + l2_penalty(w, alpha * (1 - l1_ratio))


def elastic_net_grad(w: np.ndarray, alpha: float, l1_ratio: float) -> np.ndarray:
    r"""A subgradient of the elastic net: :math:`\alpha\big(\rho\,\operatorname{sign}(w) + (1-\rho)\,w\big)`.

    Same shape as ``w``. See the chapter :doc:`book/regularization`.
    """
    return l1_subgradient(w, alpha * l1_ratio) + l2_grad(w, alpha * (1 - l1_ratio))


# --------------------------------------------------------------------------------------------------------
# Proximal operators
# --------------------------------------------------------------------------------------------------------


def soft_threshold(x: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    r"""Soft-thresholding, the proximal operator of :math:`t\|\cdot\|_1`.

    .. math::

        S_t(x) = \operatorname{sign}(x)\,\max(|x| - t,\ 0)
               = \arg\min_u \tfrac12 (u - x)^2 + t|u| .

    Parameters
    ----------
    x : ndarray of any shape
    t : float or ndarray broadcastable to ``x``
        Threshold(s), :math:`t \ge 0`.

    Returns
    -------
    ndarray, shape of ``x``; entries with :math:`|x| \le t` are exactly 0.

    See the chapter :doc:`book/regularization`.
    """
    if np.any(np.asarray(t) < 0):
        raise ValueError("soft_threshold needs a threshold t >= 0")
    return np.sign(x) * np.maximum(np.abs(x) - t, 0)


def prox_elastic_net(w: np.ndarray, step: float, alpha: float, l1_ratio: float) -> np.ndarray:
    r"""Proximal operator of ``step`` times the elastic-net penalty.

    .. math::

        \operatorname{prox}(v) = \arg\min_u \tfrac12\|u - v\|^2
            + s\alpha\big(\rho\|u\|_1 + \tfrac{1-\rho}{2}\|u\|^2\big)
          = \frac{S_{s\alpha\rho}(v)}{1 + s\alpha(1-\rho)} ,

    with step :math:`s`, strength :math:`\alpha` and :math:`\rho` = ``l1_ratio`` (:math:`\rho=1`:
    soft-thresholding; :math:`\rho=0`: shrinkage by :math:`1/(1+s\alpha)`).

    Parameters
    ----------
    w : ndarray of any shape
    step : float
        Step size :math:`s > 0`.
    alpha, l1_ratio : float

    Returns
    -------
    ndarray, shape of ``w``.

    See the chapter :doc:`book/regularization`.
    """
    _check_alpha(alpha, l1_ratio)
    return soft_threshold(w, step * alpha * l1_ratio) / (1 + step * alpha * (1 - l1_ratio))


def proximal_gradient_step(
    w: np.ndarray, grad_w: np.ndarray, step: float, alpha: float, l1_ratio: float = 1.0
) -> np.ndarray:
    r"""One proximal gradient step :math:`w^+ = \operatorname{prox}_{s\,\mathrm{pen}}(w - s\nabla f(w))`.

    A gradient step on the smooth part :math:`f`, then the elastic-net prox (:func:`prox_elastic_net`).

    Parameters
    ----------
    w, grad_w : ndarray, same shape
        Current weights and the gradient of the smooth part at ``w``.
    step : float
        Step size :math:`s` (at most :math:`1/L`, :math:`L` the Lipschitz constant of :math:`\nabla f`).
    alpha, l1_ratio : float
        Penalty strength and mixing (default pure L1).

    Returns
    -------
    ndarray, shape of ``w``.

    See the chapter :doc:`book/regularization`.
    """
    return prox_elastic_net(np.asarray(w) - step * np.asarray(grad_w), step, alpha, l1_ratio)


def _prox_masked(v: np.ndarray, step: float, alpha: float, l1_ratio: float, mask) -> np.ndarray:
    """The elastic-net prox on the entries ``v[mask]`` only (``mask=None``: all); the rest passes through."""
    if mask is None:
        return prox_elastic_net(v, step, alpha, l1_ratio)
    return np.where(mask, prox_elastic_net(v, step, alpha, l1_ratio), v)


def _penalty_masked(w: np.ndarray, alpha: float, l1_ratio: float, mask) -> float:
    return elastic_net_penalty(w if mask is None else w[mask], alpha, l1_ratio)


# --------------------------------------------------------------------------------------------------------
# Proximal gradient loops
# --------------------------------------------------------------------------------------------------------


def ista(
    f_grad: SmoothFun,
    w0: np.ndarray,
    step: float,
    alpha: float,
    l1_ratio: float = 1.0,
    n_steps: int = 100,
    penalized: np.ndarray | None = None,
) -> tuple[np.ndarray, list[float]]:
    r"""ISTA: the plain proximal gradient method with a fixed step (for teaching).

    .. math::

        w_{k+1} = \operatorname{prox}_{s\,\mathrm{pen}}\big(w_k - s\nabla f(w_k)\big),
        \qquad F(w) = f(w) + \alpha\big(\rho\|w\|_1 + \tfrac{1-\rho}{2}\|w\|^2\big).

    With :math:`s \le 1/L` the objective decreases monotonically and :math:`F(w_k) - F^\star = O(1/k)`.

    Parameters
    ----------
    f_grad : callable
        ``f_grad(w) -> (f(w), grad f(w))`` for the smooth part.
    w0 : ndarray of shape (d,)
        Starting point (not modified).
    step : float
        Fixed step size :math:`s > 0`.
    alpha, l1_ratio : float
        Penalty strength and mixing (default pure L1).
    n_steps : int
        Number of proximal gradient steps.
    penalized : bool ndarray of shape (d,), optional
        Which entries are penalized (e.g. all but the intercept); default all.

    Returns
    -------
    w : ndarray of shape (d,)
    history : list of float
        :math:`F(w_0), \dots, F(w_{n})`: ``n_steps + 1`` objective values.

    See the chapter :doc:`book/regularization`.
    """
    _check_alpha(alpha, l1_ratio)
    w = np.array(w0, dtype=float)
    history = []
    for _ in range(n_steps):
        f, g = f_grad(w)
        history.append(f + _penalty_masked(w, alpha, l1_ratio, penalized))
        w = _prox_masked(w - step * g, step, alpha, l1_ratio, penalized)
    history.append(f_grad(w)[0] + _penalty_masked(w, alpha, l1_ratio, penalized))
    return w, history


def fista(
    f_grad: SmoothFun,
    w0: np.ndarray,
    alpha: float,
    l1_ratio: float = 1.0,
    penalized: np.ndarray | None = None,
    step: float | None = None,
    max_iter: int = 1000,
    tol: float = 1e-8,
    f: Callable[[np.ndarray], float] | None = None,
) -> tuple[np.ndarray, dict[str, list[float]]]:
    r"""FISTA: accelerated proximal gradient with backtracking line search and adaptive restart.

    From the extrapolated point :math:`v_k` the step :math:`s` is halved until the quadratic bound holds,

    .. math::

        w_{k+1} = \operatorname{prox}_{s\,\mathrm{pen}}\big(v_k - s\nabla f(v_k)\big), \quad
        f(w_{k+1}) \le f(v_k) + \nabla f(v_k)^\top (w_{k+1} - v_k) + \tfrac{1}{2s}\|w_{k+1} - v_k\|^2,

    then :math:`t_{k+1} = \tfrac12\big(1 + \sqrt{1 + 4t_k^2}\big)` and
    :math:`v_{k+1} = w_{k+1} + \frac{t_k - 1}{t_{k+1}}(w_{k+1} - w_k)` (Beck & Teboulle, 2009).
    The momentum restarts (:math:`t = 1`) when it points uphill,
    :math:`(v_k - w_{k+1})^\top (w_{k+1} - w_k) > 0` (O'Donoghue & Candès, 2015), and each iteration first
    tries a step 1.25× longer than the last accepted one, so the step adapts to the local curvature. Near the
    optimum, where :math:`f(w_{k+1}) - f(v_k)` is below rounding, the test compares gradients instead:
    :math:`\tfrac12(\nabla f(w_{k+1}) - \nabla f(v_k))^\top d \le \tfrac{1}{2s}\|d\|^2` with
    :math:`d = w_{k+1} - v_k`.
    Stops when the gradient mapping :math:`\|v_k - w_{k+1}\|/s` (the gradient, when there is no L1 part) is
    at most ``tol``.

    Parameters
    ----------
    f_grad : callable
        ``f_grad(w) -> (f(w), grad f(w))`` for the smooth part.
    w0 : ndarray of shape (d,)
        Starting point (not modified).
    alpha, l1_ratio : float
        Penalty strength and mixing (default pure L1).
    penalized : bool ndarray of shape (d,), optional
        Which entries are penalized (e.g. all but the intercept); default all.
    step : float, optional
        First trial step; default 1.
    max_iter : int
        Maximum number of iterations.
    tol : float
        Tolerance on the gradient-mapping norm.
    f : callable, optional
        ``f(w) -> float``, the smooth part alone (cheaper than ``f_grad`` in the line search); default
        ``f_grad(w)[0]``.

    Returns
    -------
    w : ndarray of shape (d,)
        The last iterate; entries whose L1 prox is active are exactly 0.
    history : dict
        ``loss`` (objective :math:`F(w_{k+1})`) and ``grad_norm`` (gradient mapping) per iteration.

    See the chapter :doc:`book/regularization`.
    """
    _check_alpha(alpha, l1_ratio)
    f = f or (lambda w: f_grad(w)[0])
    w = np.array(w0, dtype=float)
    v, t, s = w.copy(), 1.0, 1.0 if step is None else float(step)
    history: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    for _ in range(max_iter):
        fv, gv = f_grad(v)
        s *= 1.25
        while True:
            w_new = _prox_masked(v - s * gv, s, alpha, l1_ratio, penalized)
            d = w_new - v
            f_new = f(w_new)
            gap = f_new - fv - gv @ d  # f minus its linearization at v, at most |d|^2 / (2s)
            if abs(f_new - fv) <= 1e-10 * abs(fv):  # too close for function values: compare gradients
                gap = 0.5 * (f_grad(w_new)[1] - gv) @ d
            if gap <= (d @ d) / (2 * s) or s < 1e-20:
                break
            s /= 2
        grad_map = float(np.sqrt(d @ d)) / s
        history["loss"].append(f_new + _penalty_masked(w_new, alpha, l1_ratio, penalized))
        history["grad_norm"].append(grad_map)
        if grad_map <= tol:
            return w_new, history
        if -d @ (w_new - w) > 0:  # momentum points uphill: restart
            t = 1.0
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        v = w_new + ((t - 1) / t_new) * (w_new - w)
        w, t = w_new, t_new
    return w_new, history


# --------------------------------------------------------------------------------------------------------
# L1 for logistic regression: alpha_max and the regularization path
# --------------------------------------------------------------------------------------------------------


def alpha_max_l1(X: np.ndarray, y: np.ndarray, l1_ratio: float = 1.0) -> float:
    r"""Smallest ``alpha`` at which the L1 (or elastic-net) logistic regression solution has all-zero weights.

    With :math:`w = 0` the best intercept gives :math:`p_i = \bar y`, so the gradient of the mean
    cross-entropy with respect to :math:`w` is :math:`X^\top(\bar y - y)/n`; zero is optimal iff it lies in
    the subdifferential of the penalty:

    .. math::

        \alpha_{\max} = \frac{\|X^\top (y - \bar y)\|_\infty}{n\,\rho} .

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), labels in {0, 1}
    l1_ratio : float
        :math:`\rho \in (0, 1]` (1 = pure L1).

    Returns
    -------
    float

    See the chapter :doc:`book/regularization`.
    """
    from coursekit.linear import _check_binary_labels

    X = np.asarray(X, dtype=float)
    y = _check_binary_labels(y, X.shape[0])
    if not 0 < l1_ratio <= 1:
        raise ValueError(f"alpha_max_l1 needs 0 < l1_ratio <= 1, got {l1_ratio!r}")
    return float(np.abs(X.T @ (y - y.mean())).max() / (X.shape[0] * l1_ratio))


@dataclass
class RegPath:
    """A regularization path: one fitted model per ``alpha`` (in the order the alphas were given).

    Attributes
    ----------
    alphas : ndarray of shape (m,)
    coefs : ndarray of shape (m, d)
    intercepts : ndarray of shape (m,)
    n_nonzero : ndarray of shape (m,) int, number of non-zero coefficients
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    n_nonzero: np.ndarray


def regularization_path(
    X: np.ndarray,
    y: np.ndarray,
    alphas: Sequence[float] | np.ndarray,
    penalty: str = "l1",
    l1_ratio: float = 1.0,
    **fit_kw,
) -> RegPath:
    r"""Fit penalized logistic regression for every ``alpha``, from the largest to the smallest, warm-started.

    Each problem :math:`\min_{w,b} L(w,b) + \alpha\,\mathrm{pen}(w)` is solved by :func:`fista` started from
    the solution for the previous (larger) ``alpha``, which is close: the path costs little more than one fit.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), labels in {0, 1}
    alphas : sequence of float, shape (m,)
        Penalty strengths, any order.
    penalty : {"l1", "l2", "elasticnet"}
    l1_ratio : float
        Mixing for ``penalty="elasticnet"`` (ignored otherwise).
    **fit_kw
        ``max_iter`` (default 5000) and ``tol`` (default 1e-8) for each fit.

    Returns
    -------
    RegPath
        ``alphas (m,)``, ``coefs (m, d)``, ``intercepts (m,)``, ``n_nonzero (m,)``, in the order of alphas.

    See the chapter :doc:`book/regularization`.
    """
    from coursekit.linear import _binary_objective, _check_binary_labels, _penalty_mix

    X = np.asarray(X, dtype=float)
    y = _check_binary_labels(y, X.shape[0])
    l1_ratio = _penalty_mix(penalty, l1_ratio)
    unknown = set(fit_kw) - {"max_iter", "tol"}
    if unknown:
        raise TypeError(f"regularization_path accepts max_iter and tol as fit options, not {sorted(unknown)}")
    alphas = np.asarray(alphas, dtype=float).ravel()
    for a in alphas:
        _check_alpha(a, l1_ratio)
    d = X.shape[1]
    f_grad, f = _binary_objective(X, y)
    mask = np.arange(d + 1) < d  # the intercept (last entry) is not penalized
    theta = np.zeros(d + 1)
    coefs, intercepts = np.zeros((len(alphas), d)), np.zeros(len(alphas))
    for i in np.argsort(-alphas, kind="stable"):
        theta, _ = fista(f_grad, theta, alphas[i], l1_ratio, mask,
                         max_iter=fit_kw.get("max_iter", 5000), tol=fit_kw.get("tol", 1e-8), f=f)
        coefs[i], intercepts[i] = theta[:d], theta[d]
    return RegPath(alphas, coefs, intercepts, np.count_nonzero(coefs, axis=1))
