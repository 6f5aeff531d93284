"""Tests of coursekit.regularization against independent oracles.

- the penalties' formulas written out, finite differences for their gradients;
- soft-thresholding against its piecewise definition; the prox and the proximal gradient step against the
  argmin of their objectives found numerically (scipy.optimize) on random 1-D problems;
- ISTA/FISTA against scikit-learn's Lasso / ElasticNet (same objective convention);
- L1 and elastic-net logistic regression against scikit-learn (saga, C = 1/(n alpha)), with the same zero
  pattern; alpha_max_l1 as the exact threshold to all-zero weights; regularization paths against single fits.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import ElasticNet, Lasso
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from coursekit import regularization as reg
from coursekit.linear import LogisticRegression, logistic_loss

COEF_RTOL = 1e-4  # our minimizer vs scikit-learn's (relative to the largest coefficient)
OBJ_RTOL = 1e-8  # objective values, relative
FD_RTOL = 1e-6


def sk_logistic(alpha: float, n: int, l1_ratio: float = 0.0, **kw) -> SkLogisticRegression:
    """scikit-learn's estimator for J = mean CE + alpha * penalty (C = 1/(n alpha)), any sklearn version."""
    if tuple(int(p) for p in sklearn.__version__.split(".")[:2]) >= (1, 8):
        return SkLogisticRegression(C=1 / (n * alpha), l1_ratio=l1_ratio, **kw)
    penalty = {0.0: "l2", 1.0: "l1"}.get(l1_ratio, "elasticnet")
    return SkLogisticRegression(C=1 / (n * alpha), penalty=penalty,
                                l1_ratio=l1_ratio if penalty == "elasticnet" else None, **kw)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# ------------------------------------------------------------------------------------------------------------
# Penalties
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7,), (4, 3)])
def test_penalties_follow_their_formulas(shape):
    w = np.random.default_rng(0).standard_normal(shape)
    alpha = 0.7
    assert reg.l2_penalty(w, alpha) == pytest.approx(alpha / 2 * np.sum(w**2), rel=1e-14)
    assert reg.l1_penalty(w, alpha) == pytest.approx(alpha * np.sum(np.abs(w)), rel=1e-14)
    for rho in [0.0, 0.3, 1.0]:
        expected = alpha * (rho * np.sum(np.abs(w)) + (1 - rho) / 2 * np.sum(w**2))
        assert reg.elastic_net_penalty(w, alpha, rho) == pytest.approx(expected, rel=1e-14)
    assert reg.elastic_net_penalty(w, alpha, 0.0) == pytest.approx(reg.l2_penalty(w, alpha), rel=1e-14)
    assert reg.elastic_net_penalty(w, alpha, 1.0) == pytest.approx(reg.l1_penalty(w, alpha), rel=1e-14)


def test_penalty_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    w = rng.choice([-1, 1], 6) * rng.uniform(0.1, 2.0, 6)  # away from the kink at 0
    eps = 1e-6
    for pen, grad in [(lambda v: reg.l2_penalty(v, 0.8), reg.l2_grad(w, 0.8)),
                      (lambda v: reg.l1_penalty(v, 0.8), reg.l1_subgradient(w, 0.8)),
                      (lambda v: reg.elastic_net_penalty(v, 0.8, 0.4), reg.elastic_net_grad(w, 0.8, 0.4))]:
        fd = np.array([(pen(w + eps * e) - pen(w - eps * e)) / (2 * eps) for e in np.eye(6)])
        assert np.linalg.norm(fd - grad) < FD_RTOL * np.linalg.norm(fd)
    # at w_j = 0 the chosen subgradient is 0, inside the subdifferential [-alpha, alpha]
    np.testing.assert_array_equal(reg.l1_subgradient(np.zeros(3), 0.8), 0.0)


# ------------------------------------------------------------------------------------------------------------
# Soft-thresholding and proximal operators
# ------------------------------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(0, 1e6))
def test_soft_threshold_piecewise_definition(x, t):
    expected = x - t if x > t else x + t if x < -t else 0.0
    assert reg.soft_threshold(x, t) == expected


def test_soft_threshold_arrays_and_errors():
    x = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    np.testing.assert_array_equal(reg.soft_threshold(x, 1.0), [-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0])
    np.testing.assert_array_equal(reg.soft_threshold(x, np.abs(x)), 0.0)  # array thresholds broadcast
    with pytest.raises(ValueError, match="t >= 0"):
        reg.soft_threshold(x, -0.1)
    with pytest.raises(ValueError, match="l1_ratio"):
        reg.prox_elastic_net(x, 1.0, 1.0, 1.5)
    with pytest.raises(ValueError, match="alpha"):
        reg.prox_elastic_net(x, 1.0, -1.0, 0.5)


def argmin_1d(objective, center, radius):
    """Numerical argmin of a convex 1-D function: grid, then bounded Brent around the best grid point."""
    grid = np.linspace(center - radius, center + radius, 20_001)
    best = grid[np.argmin(objective(grid))]
    h = grid[1] - grid[0]
    return minimize_scalar(objective, bounds=(best - 2 * h, best + 2 * h), method="bounded",
                           options={"xatol": 1e-12}).x


def test_prox_is_the_argmin_of_its_objective():
    rng = np.random.default_rng(2)
    for _ in range(60):
        v, step, alpha, rho = rng.normal(0, 3), rng.uniform(0.05, 2), rng.uniform(0, 3), rng.uniform(0, 1)
        rho = rng.choice([rho, 0.0, 1.0])

        def objective(u, v=v, step=step, alpha=alpha, rho=rho):
            return 0.5 * (u - v) ** 2 + step * alpha * (rho * np.abs(u) + (1 - rho) / 2 * u**2)

        ours = float(reg.prox_elastic_net(np.array([v]), step, alpha, rho)[0])
        numeric = argmin_1d(objective, v, abs(v) + 1)
        assert abs(ours - numeric) < 1e-6
        assert objective(ours) <= objective(numeric) + 1e-12


def test_proximal_gradient_step_minimizes_the_linearized_model():
    rng = np.random.default_rng(3)
    for _ in range(40):
        w, g, step = rng.normal(0, 2), rng.normal(0, 2), rng.uniform(0.05, 1)
        alpha, rho = rng.uniform(0, 3), rng.choice([0.0, 0.5, 1.0])

        def model(u, w=w, g=g, step=step, alpha=alpha, rho=rho):  # linearized f + proximity + penalty
            return g * (u - w) + (u - w) ** 2 / (2 * step) + alpha * (rho * np.abs(u) + (1 - rho) / 2 * u**2)

        ours = float(reg.proximal_gradient_step(np.array([w]), np.array([g]), step, alpha, rho)[0])
        assert abs(ours - argmin_1d(model, w, abs(w) + abs(g) * step + 1)) < 1e-6


# ------------------------------------------------------------------------------------------------------------
# ISTA / FISTA on least squares, against scikit-learn's Lasso and ElasticNet
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lasso_problem():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((100, 8))
    y = X @ np.array([2.0, -1.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.1]) + 0.3 * rng.standard_normal(100)
    n = len(y)

    def f_grad(w):  # (1/2n) ||Xw - y||^2, sklearn's Lasso data term
        r = X @ w - y
        return r @ r / (2 * n), X.T @ r / n

    return X, y, f_grad, np.linalg.eigvalsh(X.T @ X / n)[-1]


def test_ista_solves_the_lasso(lasso_problem):
    X, y, f_grad, L = lasso_problem
    alpha = 0.1
    w, history = reg.ista(f_grad, np.zeros(8), 1 / L, alpha, n_steps=2000)
    sk = Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(w, sk.coef_, atol=1e-8)
    np.testing.assert_array_equal(w == 0, sk.coef_ == 0)
    assert len(history) == 2001 and np.all(np.diff(history) <= 1e-15)  # step 1/L: monotone decrease


@pytest.mark.parametrize("alpha, rho", [(0.1, 1.0), (0.05, 0.5), (0.2, 0.0)])
def test_fista_solves_lasso_and_elastic_net(lasso_problem, alpha, rho):
    X, y, f_grad, _ = lasso_problem
    w, history = reg.fista(f_grad, np.zeros(8), alpha, rho, tol=1e-10)
    sk = ElasticNet(alpha=alpha, l1_ratio=rho, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(w, sk.coef_, atol=1e-7)
    np.testing.assert_array_equal(w == 0, sk.coef_ == 0)
    assert history["grad_norm"][-1] <= 1e-10 and len(history["loss"]) < 500


def test_penalized_mask_leaves_entries_free(lasso_problem):
    """With the first weight unpenalized, it equals the Lasso with a free (unshrunk) coefficient."""
    X, y, f_grad, _ = lasso_problem
    mask = np.arange(8) > 0
    w, _ = reg.fista(f_grad, np.zeros(8), 10.0, 1.0, penalized=mask, tol=1e-10)
    assert np.all(w[1:] == 0)  # a huge alpha kills every penalized weight ...
    assert w[0] == pytest.approx(X[:, 0] @ y / (X[:, 0] @ X[:, 0]), rel=1e-8)  # ... not the free one


# ------------------------------------------------------------------------------------------------------------
# L1 / elastic-net logistic regression vs scikit-learn
# ------------------------------------------------------------------------------------------------------------


def assert_same_minimizer(m, sk, X, y, alpha, rho):
    J = logistic_loss(m.coef_, m.intercept_, X, y, alpha, rho)
    J_sk = logistic_loss(sk.coef_[0], sk.intercept_[0], X, y, alpha, rho)
    coef_close = np.abs(m.coef_ - sk.coef_[0]).max() <= COEF_RTOL * np.abs(sk.coef_).max()
    assert coef_close or abs(J - J_sk) <= OBJ_RTOL * J_sk, (J, J_sk)


@pytest.mark.parametrize("alpha", [1e-1, 5e-2, 2e-2])
def test_l1_proximal_matches_sklearn_with_the_same_zeros(cancer, alpha):
    X, y = cancer
    m = LogisticRegression(penalty="l1", alpha=alpha, solver="proximal").fit(X, y)
    sk = sk_logistic(alpha, len(y), 1.0, solver="saga", tol=1e-8, max_iter=100_000).fit(X, y)
    assert_same_minimizer(m, sk, X, y, alpha, 1.0)
    np.testing.assert_array_equal(m.coef_ == 0, sk.coef_[0] == 0)
    assert 0 < np.count_nonzero(m.coef_) < X.shape[1]


def test_elastic_net_matches_sklearn(cancer):
    X, y = cancer
    alpha, rho = 3e-2, 0.5
    m = LogisticRegression(penalty="elasticnet", alpha=alpha, l1_ratio=rho).fit(X, y)
    sk = sk_logistic(alpha, len(y), rho, solver="saga", tol=1e-8, max_iter=100_000).fit(X, y)
    assert_same_minimizer(m, sk, X, y, alpha, rho)
    np.testing.assert_array_equal(m.coef_ == 0, sk.coef_[0] == 0)


@pytest.mark.parametrize("rho", [1.0, 0.5])
def test_alpha_max_is_the_threshold_to_all_zero_weights(cancer, rho):
    X, y = cancer
    a_max = reg.alpha_max_l1(X, y, rho)
    above = LogisticRegression(penalty="elasticnet", alpha=a_max * 1.0001, l1_ratio=rho).fit(X, y)
    below = LogisticRegression(penalty="elasticnet", alpha=a_max * 0.99, l1_ratio=rho).fit(X, y)
    assert np.all(above.coef_ == 0) and np.count_nonzero(below.coef_) >= 1
    rate = y.mean()
    assert above.intercept_ == pytest.approx(np.log(rate / (1 - rate)), abs=1e-6)
    # scikit-learn agrees on both sides of the threshold
    sk_above = sk_logistic(a_max * 1.01, len(y), rho, solver="saga", tol=1e-8, max_iter=100_000).fit(X, y)
    sk_below = sk_logistic(a_max * 0.95, len(y), rho, solver="saga", tol=1e-8, max_iter=100_000).fit(X, y)
    assert np.all(sk_above.coef_ == 0) and np.count_nonzero(sk_below.coef_) >= 1


# ------------------------------------------------------------------------------------------------------------
# Regularization paths
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("penalty", ["l1", "elasticnet", "l2"])
def test_path_matches_single_fits_in_the_given_order(cancer, penalty):
    X, y = cancer
    a_max = reg.alpha_max_l1(X, y)
    alphas = a_max * np.array([0.05, 2.0, 0.3, 0.01, 1.0])  # deliberately unsorted
    path = reg.regularization_path(X, y, alphas, penalty=penalty, l1_ratio=0.5, tol=1e-11)
    assert path.coefs.shape == (5, X.shape[1]) and path.intercepts.shape == (5,)
    np.testing.assert_array_equal(path.alphas, alphas)
    for i, a in enumerate(alphas):
        m = LogisticRegression(penalty=penalty, alpha=a, l1_ratio=0.5, max_iter=5000, tol=1e-11).fit(X, y)
        np.testing.assert_allclose(path.coefs[i], m.coef_, atol=1e-6)
        assert path.intercepts[i] == pytest.approx(m.intercept_, abs=1e-6)
    np.testing.assert_array_equal(path.n_nonzero, np.count_nonzero(path.coefs, axis=1))
    if penalty == "l1":
        assert path.n_nonzero[1] == path.n_nonzero[4] == 0  # alpha >= alpha_max: all zero
        order = np.argsort(alphas)
        assert path.n_nonzero[order[0]] > path.n_nonzero[order[2]] > 0  # weaker penalty, more features


def test_path_rejects_unknown_options(cancer):
    X, y = cancer
    with pytest.raises(TypeError, match="max_iter and tol"):
        reg.regularization_path(X, y, [0.1], solver="newton")
    with pytest.raises(ValueError, match="0 or 1"):
        reg.regularization_path(X, y + 1, [0.1])
