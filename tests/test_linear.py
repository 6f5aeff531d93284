"""Tests of coursekit.linear against independent oracles.

- scipy.special (expit, log_expit, softmax, log_softmax) for the link functions, on logits up to +-1e4;
- centered finite differences for every analytic gradient;
- scikit-learn's LogisticRegression (C = 1/(n alpha), tight tolerances) for the minimizers: L2 binary,
  unpenalized, one-vs-rest and multinomial;
- invariants: alpha = 0 is the unpenalized problem, the intercept is never penalized, every solver reaches the
  same minimizer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.special as sp
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

from coursekit import linear
from coursekit.linear import LogisticRegression

FD_RTOL = 1e-6  # finite differences vs analytic gradients (relative, in norm)
COEF_RTOL = 1e-4  # our minimizer vs scikit-learn's (relative to the largest coefficient)
OBJ_RTOL = 1e-8  # objective values, relative
BIG = 1e4  # the largest logit magnitude the link functions must handle
OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


def sk_logistic(alpha: float, n: int, l1_ratio: float = 0.0, **kw) -> SkLogisticRegression:
    """scikit-learn's estimator for J = mean CE + alpha * penalty (C = 1/(n alpha)), any sklearn version."""
    C = np.inf if alpha == 0 else 1 / (n * alpha)
    if tuple(int(p) for p in sklearn.__version__.split(".")[:2]) >= (1, 8):
        return SkLogisticRegression(C=C, l1_ratio=l1_ratio, **kw)
    penalty = {0.0: "l2", 1.0: "l1"}.get(l1_ratio, "elasticnet")
    return SkLogisticRegression(C=C, penalty=penalty, l1_ratio=l1_ratio if penalty == "elasticnet" else None,
                                **kw)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def noisy():
    """A small non-separable binary problem (labels drawn from a logistic model)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 3))
    y = (rng.random(300) < sp.expit(X @ np.array([1.0, -2.0, 0.5]) + 0.3)).astype(int)
    return X, y


def fd_grad(f, x, eps=1e-6):
    """Centered finite differences of a scalar function of an array."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def rel_err(a, b):
    a, b = np.ravel(a), np.ravel(b)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


# ------------------------------------------------------------------------------------------------------------
# Link functions: stability for |z| <= 1e4 (hypothesis) and agreement with scipy.special
# ------------------------------------------------------------------------------------------------------------


def logits(width):
    return hnp.arrays(np.float64 if width == 64 else np.float32, hnp.array_shapes(min_dims=1, max_dims=2),
                      elements=st.floats(-BIG, BIG, width=width))


@pytest.mark.parametrize("width", [64, 32])
def test_sigmoid_family_finite_and_matches_scipy(width):
    rtol, dtype = (1e-12, np.float64) if width == 64 else (1e-5, np.float32)

    @settings(max_examples=40, deadline=None)
    @given(logits(width))
    def check(z):
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            s, ls = linear.sigmoid(z), linear.log_sigmoid(z)
        assert s.dtype == dtype and ls.dtype == dtype
        assert np.isfinite(s).all() and np.isfinite(ls).all()
        assert ((s >= 0) & (s <= 1)).all() and (ls <= 0).all()
        tiny = np.finfo(dtype).tiny  # below it (subnormals) relative accuracy is lost, in scipy too
        np.testing.assert_allclose(s, sp.expit(z), rtol=rtol, atol=tiny)
        np.testing.assert_allclose(ls, sp.log_expit(z), rtol=rtol, atol=tiny)

    check()


@pytest.mark.parametrize("width", [64, 32])
def test_softmax_family_finite_rows_sum_to_one_and_matches_scipy(width):
    rtol, dtype = (1e-12, np.float64) if width == 64 else (1e-5, np.float32)

    @settings(max_examples=40, deadline=None)
    @given(logits(width))
    def check(Z):
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            P, logP = linear.softmax(Z), linear.log_softmax(Z)
        assert P.dtype == dtype and logP.dtype == dtype
        assert np.isfinite(P).all() and np.isfinite(logP).all()
        assert ((P >= 0) & (P <= 1)).all()
        np.testing.assert_allclose(P.sum(axis=-1), 1, rtol=10 * rtol)
        tiny = np.finfo(dtype).tiny  # below it (subnormals) relative accuracy is lost, in scipy too
        np.testing.assert_allclose(P, sp.softmax(Z, axis=-1), rtol=rtol, atol=tiny)
        np.testing.assert_allclose(logP, sp.log_softmax(Z, axis=-1), rtol=rtol, atol=rtol)
        np.testing.assert_allclose(linear.softmax(Z, axis=0), sp.softmax(Z, axis=0), rtol=rtol, atol=tiny)

    check()


@pytest.mark.parametrize("width", [64, 32])
def test_logistic_loss_finite_for_huge_logits(width):
    @settings(max_examples=40, deadline=None)
    @given(hnp.arrays(np.float64 if width == 64 else np.float32, st.integers(1, 20),
                      elements=st.floats(-BIG, BIG, width=width)), st.randoms(use_true_random=False))
    def check(z, rnd):
        y = np.array([rnd.randint(0, 1) for _ in z])
        X, w = z[:, None], np.ones(1, dtype=z.dtype)
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            loss = linear.logistic_loss(w, 0.0, X, y)
            gw, gb = linear.logistic_loss_grad(w, 0.0, X, y)
        z64 = z.astype(np.float64)
        expected = -np.mean(y * sp.log_expit(z64) + (1 - y) * sp.log_expit(-z64))  # oracle: -mean log-lik
        assert np.isfinite(loss) and loss >= 0 and np.isfinite(gw).all() and np.isfinite(gb)
        rtol = 1e-12 if width == 64 else 1e-6
        np.testing.assert_allclose(loss, expected, rtol=rtol, atol=np.finfo(z.dtype).tiny)

    check()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_link_functions_on_a_dense_grid_of_hard_logits(dtype):
    """Deterministic sweep over the ranges where naive formulas overflow or lose their last digits."""
    z = np.concatenate([np.linspace(-BIG, BIG, 2001), np.linspace(-800, -700, 1001),
                        np.linspace(-110, -80, 301), np.linspace(-40, 40, 801)]).astype(dtype)
    rtol, tiny = (1e-12 if dtype == np.float64 else 1e-5), np.finfo(dtype).tiny
    np.testing.assert_allclose(linear.sigmoid(z), sp.expit(z), rtol=rtol, atol=tiny)
    np.testing.assert_allclose(linear.log_sigmoid(z), sp.log_expit(z), rtol=rtol, atol=tiny)
    Z = np.stack([z, -z, np.zeros_like(z)], axis=1)
    np.testing.assert_allclose(linear.softmax(Z), sp.softmax(Z, axis=1), rtol=rtol, atol=tiny)
    np.testing.assert_allclose(linear.log_softmax(Z), sp.log_softmax(Z, axis=1), rtol=rtol, atol=rtol)


def test_link_functions_scalars_and_integers():
    assert linear.sigmoid(0) == 0.5 and linear.sigmoid(0).dtype == np.float64
    np.testing.assert_allclose(linear.sigmoid([-BIG, BIG]), [0.0, 1.0])
    np.testing.assert_allclose(linear.log_sigmoid(np.array([-BIG, BIG])), [-BIG, 0.0])
    np.testing.assert_allclose(linear.softmax([[BIG, -BIG, BIG]]), [[0.5, 0.0, 0.5]])


# ------------------------------------------------------------------------------------------------------------
# Analytic gradients vs centered finite differences
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 5))
    y = (rng.random(40) < 0.4).astype(int)
    w = rng.choice([-1, 1], 5) * rng.uniform(0.2, 1.0, 5)  # away from 0, where |w| is differentiable
    return X, y, w, 0.3


def test_log_likelihood_grad_matches_finite_differences(small):
    X, y, w, b = small
    gw, gb = linear.log_likelihood_grad(w, b, X, y)
    assert rel_err(gw, fd_grad(lambda v: linear.log_likelihood(v, b, X, y), w)) < FD_RTOL
    assert rel_err(gb, fd_grad(lambda c: linear.log_likelihood(w, c, X, y), b)) < FD_RTOL


@pytest.mark.parametrize("alpha, l1_ratio", [(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.2, 0.3)])
def test_logistic_loss_grad_matches_finite_differences(small, alpha, l1_ratio):
    X, y, w, b = small
    gw, gb = linear.logistic_loss_grad(w, b, X, y, alpha, l1_ratio)
    assert rel_err(gw, fd_grad(lambda v: linear.logistic_loss(v, b, X, y, alpha, l1_ratio), w)) < FD_RTOL
    assert rel_err(gb, fd_grad(lambda c: linear.logistic_loss(w, c, X, y, alpha, l1_ratio), b)) < FD_RTOL
    loss, gw2, gb2 = linear.logistic_loss_and_grad(w, b, X, y, alpha, l1_ratio)
    assert loss == pytest.approx(linear.logistic_loss(w, b, X, y, alpha, l1_ratio), rel=1e-14)
    np.testing.assert_allclose(gw2, gw, rtol=1e-14)


@pytest.mark.parametrize("alpha", [0.0, 0.7])
def test_softmax_loss_grad_matches_finite_differences(alpha):
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    gW, gb = linear.softmax_loss_grad(W, b, X, y, alpha)
    assert rel_err(gW, fd_grad(lambda V: linear.softmax_loss(V, b, X, y, alpha), W)) < FD_RTOL
    assert rel_err(gb, fd_grad(lambda c: linear.softmax_loss(W, c, X, y, alpha), b)) < FD_RTOL


def test_softmax_loss_with_two_classes_is_the_logistic_loss(small):
    """Independent check of the softmax loss: K = 2 with W = [0, w] is binary logistic regression."""
    X, y, w, b = small
    W, bb = np.column_stack([np.zeros_like(w), w]), np.array([0.0, b])
    assert linear.softmax_loss(W, bb, X, y) == pytest.approx(linear.logistic_loss(w, b, X, y), rel=1e-12)


def test_log_likelihood_is_minus_n_times_the_mean_cross_entropy(small):
    X, y, w, b = small
    p = sp.expit(X @ w + b)
    expected = np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert linear.log_likelihood(w, b, X, y) == pytest.approx(expected, rel=1e-12)
    assert linear.logistic_loss(w, b, X, y) == pytest.approx(-expected / len(y), rel=1e-12)


# ------------------------------------------------------------------------------------------------------------
# Minimizers vs scikit-learn
# ------------------------------------------------------------------------------------------------------------


def assert_same_minimizer(ours, theirs, X, y, alpha, l1_ratio=0.0):
    """Coefficients to COEF_RTOL (relative to the largest) or objectives to OBJ_RTOL, both objectives ours."""
    w, b = ours
    w_sk, b_sk = theirs
    J = linear.logistic_loss(w, b, X, y, alpha, l1_ratio)
    J_sk = linear.logistic_loss(w_sk, b_sk, X, y, alpha, l1_ratio)
    coef_close = np.abs(np.append(w, b) - np.append(w_sk, b_sk)).max() <= COEF_RTOL * np.abs(w_sk).max()
    assert coef_close or abs(J - J_sk) <= OBJ_RTOL * J_sk, (J, J_sk, np.abs(w - w_sk).max())


@pytest.mark.parametrize("alpha", [1e-1, 1e-2, 1e-3])
def test_l2_newton_matches_sklearn(cancer, alpha):
    X, y = cancer
    ours = LogisticRegression(penalty="l2", alpha=alpha, solver="newton").fit(X, y)
    sk = sk_logistic(alpha, len(y), solver="lbfgs", tol=1e-12, max_iter=100_000).fit(X, y)
    assert_same_minimizer((ours.coef_, ours.intercept_), (sk.coef_[0], sk.intercept_[0]), X, y, alpha)
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-6)
    assert ours.n_iter_ < 20 and ours.history_["grad_norm"][-1] <= ours.tol


def test_unpenalized_matches_sklearn_and_alpha_zero(noisy):
    X, y = noisy
    sk = sk_logistic(0.0, len(y), solver="lbfgs", tol=1e-12, max_iter=100_000).fit(X, y)
    none = LogisticRegression(penalty=None).fit(X, y)
    assert_same_minimizer((none.coef_, none.intercept_), (sk.coef_[0], sk.intercept_[0]), X, y, 0.0)
    for penalty in ["l2", "l1", "elasticnet"]:  # alpha = 0 is the unpenalized problem, whatever the penalty
        m = LogisticRegression(penalty=penalty, alpha=0.0, max_iter=5000).fit(X, y)
        np.testing.assert_allclose(m.coef_, none.coef_, rtol=1e-6)
        assert m.intercept_ == pytest.approx(none.intercept_, rel=1e-6)
    w, b = none.coef_, none.intercept_
    for l1_ratio in [0.0, 0.5, 1.0]:
        assert linear.logistic_loss(w, b, X, y, 0.0, l1_ratio) == linear.logistic_loss(w, b, X, y)


@pytest.mark.parametrize("alpha", [1e-1, 1e-2, 1e-3])
def test_multinomial_matches_sklearn(iris, alpha):
    X, y = iris
    ours = LogisticRegression(alpha=alpha, solver="proximal", multi_class="multinomial").fit(X, y)
    sk = sk_logistic(alpha, len(y), solver="lbfgs", tol=1e-12, max_iter=100_000).fit(X, y)
    assert ours.coef_.shape == sk.coef_.shape == (3, 4)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=COEF_RTOL * np.abs(sk.coef_).max())
    # the intercepts of the softmax model are defined up to a common shift
    center = lambda b: b - b.mean()  # noqa: E731
    np.testing.assert_allclose(center(ours.intercept_), center(sk.intercept_), atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))


def test_one_vs_rest_matches_sklearn(iris):
    X, y = iris
    alpha = 1e-2
    ours = LogisticRegression(alpha=alpha, multi_class="ovr").fit(X, y)
    sk = OneVsRestClassifier(sk_logistic(alpha, len(y), solver="lbfgs", tol=1e-12, max_iter=10**5)).fit(X, y)
    np.testing.assert_allclose(ours.coef_, np.array([e.coef_[0] for e in sk.estimators_]), atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, [e.intercept_[0] for e in sk.estimators_], atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-6)
    assert ours.n_iter_.shape == (3,) and len(ours.history_) == 3


def test_gradient_ascent_reaches_the_maximum_likelihood(noisy):
    X, y = noisy
    w, b, history = linear.gradient_ascent(X, y, lr=1.0, n_steps=3000)
    assert len(history) == 3001 and np.all(np.diff(history) >= -1e-9)  # ascent: never decreases
    assert history[-1] == pytest.approx(linear.log_likelihood(w, b, X, y))
    sk = sk_logistic(0.0, len(y), solver="lbfgs", tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(np.append(w, b), np.append(sk.coef_[0], sk.intercept_[0]), atol=1e-6)


# ------------------------------------------------------------------------------------------------------------
# Invariants: the intercept is never penalized; every solver finds the same minimizer
# ------------------------------------------------------------------------------------------------------------


def test_penalty_does_not_depend_on_the_intercept(small):
    X, y, w, _ = small
    for b in [-3.0, 0.0, 2.5]:
        for alpha, l1_ratio in [(0.4, 0.0), (0.4, 1.0), (0.4, 0.5)]:
            diff = linear.logistic_loss(w, b, X, y, alpha, l1_ratio) - linear.logistic_loss(w, b, X, y)
            expected = alpha * (l1_ratio * np.abs(w).sum() + (1 - l1_ratio) / 2 * w @ w)
            assert diff == pytest.approx(expected, rel=1e-12)
            assert linear.logistic_loss_grad(w, b, X, y, alpha, l1_ratio)[1] == pytest.approx(
                linear.logistic_loss_grad(w, b, X, y)[1], rel=1e-14)


@pytest.mark.parametrize("penalty, solver", [("l2", "newton"), ("l2", "proximal"), ("l1", "proximal"),
                                             ("elasticnet", "proximal")])
def test_huge_penalty_zeroes_coef_but_not_intercept(cancer, penalty, solver):
    X, y = cancer
    m = LogisticRegression(penalty=penalty, alpha=1e6, solver=solver).fit(X, y)
    rate = y.mean()
    assert np.abs(m.coef_).max() < 1e-5
    assert m.intercept_ == pytest.approx(np.log(rate / (1 - rate)), abs=1e-5)  # a penalized b would be ~0
    np.testing.assert_allclose(m.predict_proba(X)[:, 1], rate, atol=1e-5)


@pytest.mark.parametrize("optimizer, alpha", [("momentum", 1e-2), ("nesterov", 1e-2), ("nesterov", 1.0)])
def test_gd_full_batch_reaches_newton_minimizer(cancer, optimizer, alpha):
    X, y = cancer
    ref = LogisticRegression(alpha=alpha, solver="newton").fit(X, y)
    m = LogisticRegression(alpha=alpha, solver="gd", optimizer=optimizer, max_iter=3000).fit(X, y)
    assert m.history_["grad_norm"][-1] <= m.tol
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-6)
    assert m.intercept_ == pytest.approx(ref.intercept_, abs=1e-6)
    prox = LogisticRegression(alpha=alpha, solver="proximal").fit(X, y)
    np.testing.assert_allclose(prox.coef_, ref.coef_, atol=1e-6)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("batch_size", [None, 128])
def test_gd_every_optimizer_gets_close(cancer, optimizer, batch_size):
    X, y = cancer
    alpha = 1e-2
    J_star = LogisticRegression(alpha=alpha, solver="newton").fit(X, y).history_["loss"][-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linear.ConvergenceWarning)
        m = LogisticRegression(alpha=alpha, solver="gd", optimizer=optimizer, batch_size=batch_size,
                               max_iter=150, rng=0).fit(X, y)
    assert len(m.history_["loss"]) == len(m.history_["grad_norm"]) == m.n_iter_ <= 150
    J = linear.logistic_loss(m.coef_, m.intercept_, X, y, alpha)
    assert J_star <= J < J_star * 1.05 and m.history_["loss"][-1] < m.history_["loss"][0]
    assert m.score(X, y) > 0.95


def test_gd_minibatch_is_reproducible_with_a_seed(cancer):
    X, y = cancer
    fit = lambda rng: LogisticRegression(solver="gd", batch_size=32, max_iter=5, rng=rng).fit(X, y)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linear.ConvergenceWarning)
        a, b, c = fit(3), fit(3), fit(4)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)


def test_multinomial_gd_is_close_to_the_minimizer(iris):
    X, y = iris
    ref = LogisticRegression(alpha=1e-2).fit(X, y)  # auto: proximal
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linear.ConvergenceWarning)
        m = LogisticRegression(alpha=1e-2, solver="gd", optimizer="adam").fit(X, y)
    assert m.history_["loss"][-1] == pytest.approx(ref.history_["loss"][-1], rel=1e-2)
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(X), atol=0.02)


# ------------------------------------------------------------------------------------------------------------
# The estimator's interface and the error messages
# ------------------------------------------------------------------------------------------------------------


def test_estimator_interface_with_string_labels(noisy):
    X, y = noisy
    labels = np.array(["good", "bad"])[y]  # classes_ sorted: "bad" (y=1) is the positive class
    m = LogisticRegression(alpha=1e-2)
    assert m.fit(X, labels) is m
    ref = LogisticRegression(alpha=1e-2).fit(X, 1 - y)  # "good" = class index 1
    np.testing.assert_allclose(m.coef_, ref.coef_)
    np.testing.assert_array_equal(m.classes_, ["bad", "good"])
    P = m.predict_proba(X)
    assert P.shape == (len(y), 2) and np.allclose(P.sum(axis=1), 1)
    np.testing.assert_allclose(P[:, 1], linear.predict_proba(X, m.coef_, m.intercept_))
    np.testing.assert_array_equal(m.predict(X), m.classes_[linear.predict(X, m.coef_, m.intercept_)])
    assert m.score(X, labels) == np.mean(m.predict(X) == labels)
    assert m.decision_function(X).shape == (len(y),)
    cloned = clone(m)
    assert cloned.get_params() == m.get_params() and not hasattr(cloned, "coef_")


def test_functions_predict_with_threshold(noisy):
    X, y = noisy
    w, b = np.array([1.0, -2.0, 0.5]), 0.3
    p = linear.predict_proba(X, w, b)
    np.testing.assert_allclose(p, sp.expit(X @ w + b), rtol=1e-14)
    np.testing.assert_array_equal(linear.predict(X, w, b, threshold=0.8), (p >= 0.8).astype(int))


def test_errors_say_what_is_wrong():
    X, y, w = np.ones((4, 3)), np.array([0, 1, 1, 0]), np.zeros(3)
    with pytest.raises(ValueError, match="X has 3 columns but w has 4"):
        linear.logistic_loss(np.zeros(4), 0.0, X, y)
    with pytest.raises(ValueError, match="must be 0 or 1"):
        linear.logistic_loss_grad(w, 0.0, X, np.array([0, 1, 2, 0]))
    with pytest.raises(ValueError, match="must be 0 or 1"):
        linear.log_likelihood(w, 0.0, X, np.array([-1, 1, 1, -1]))
    with pytest.raises(ValueError, match="one label per row"):
        linear.log_likelihood_grad(w, 0.0, X, y[:3])
    with pytest.raises(ValueError, match="2-D"):
        linear.predict_proba(np.ones(3), w)
    with pytest.raises(ValueError, match="scalar intercept"):
        linear.logistic_loss(w, np.zeros(2), X, y)
    with pytest.raises(ValueError, match="class labels 0..2"):
        linear.softmax_loss(np.zeros((3, 3)), np.zeros(3), X, np.array([0, 1, 3, 0]))
    with pytest.raises(ValueError, match="X has 3 columns but W has 2 rows"):
        linear.softmax_loss_grad(np.zeros((2, 3)), np.zeros(3), X, y)
    with pytest.raises(ValueError, match="at least two classes"):
        LogisticRegression().fit(X, np.zeros(4))
    with pytest.raises(ValueError, match="solver='newton'"):
        LogisticRegression(penalty="l1", solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="solver must be"):
        LogisticRegression(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="penalty must be"):
        LogisticRegression(penalty="l3").fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(np.full((4, 3), np.nan), y)
    with pytest.raises(linear.NotFittedError, match="not fitted"):
        LogisticRegression().predict(X)
    with pytest.raises(ValueError, match="X has 2 columns but coef_ has 3"):
        LogisticRegression().fit(X + np.arange(4)[:, None], y).predict(np.ones((2, 2)))


def test_convergence_warning_when_max_iter_is_too_small(cancer):
    X, y = cancer
    with pytest.warns(linear.ConvergenceWarning, match="max_iter=3"):
        LogisticRegression(penalty="l1", alpha=1e-3, max_iter=3).fit(X, y)
