"""Checks of hw2-regularization: overfitting curves, the L2-penalized loss, soft-thresholding, the proximal
step, the lasso and its path, and the choice of alpha. They run in the grader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from coursekit._utils import RNGLike, as_rng
from coursekit.grading.cases import Case, _map, logistic_cases, summarize
from coursekit.grading.checks_hw1 import _linear, _no_intercept
from coursekit.grading.diagnosers import add_diagnoser
from coursekit.grading.engine import compare

# --- hw2-regularization checks ---
# Overfitting curves, the L2-penalized loss and its gradient, soft-thresholding, the proximal step, the
# proximal-gradient (ISTA) lasso, its warm-started path, and the choice of the penalty on validation data.
# The lasso references are built from coursekit.regularization.ista; the model-selection ones from the
# coursekit.data helpers (polynomial features, standardization) that the notebook itself uses.

__all__ = [
    "check_degree_errors", "check_l2_logistic_loss", "check_l2_logistic_loss_grad", "check_soft_threshold",
    "check_proximal_step", "check_lasso_logistic", "check_lasso_path", "check_choose_alpha",
    "check_chosen_alpha",
]

HW2_FIT_ALPHA = 1e-2
"""L2 strength of the logistic regression that :func:`check_degree_errors` hands to ``degree_errors`` as
``fit``: a penalized fit has a unique solution, which depends on the scale of the features."""

for _name, _hint in {
    "scaler_fitted_on_validation": "the validation features must be standardized with the scaler fitted on "
                                   "the TRAINING features (scaler.transform(F_val)); a new scaler fitted on "
                                   "the validation set uses information from it and shifts its features",
    "not_standardized": "standardize the polynomial features before calling fit, with a StandardScaler "
                        "fitted on the training features: x1^6 and x1 live on very different scales, and the "
                        "penalized fit depends on the scale",
    "accuracy_not_error": "these look like accuracies: the error rate is the fraction of wrong predictions, "
                          "1 - accuracy",
    "validation_on_training": "the validation errors equal the training errors: evaluate the fitted model on "
                              "X_val, y_val",
    "score_threshold": "predict 1 when p = sigma(z) >= 0.5, i.e. when the score z = X w + b >= 0 "
                       "(not z >= 0.5)",
    "l2_penalty_missing": "the L2 penalty is missing: J = mean cross-entropy + (alpha/2)||w||^2, and its "
                          "gradient has the extra term alpha * w",
    "l2_penalty_doubled": "the penalty looks twice too large: the course's L2 penalty is (alpha/2)||w||^2, "
                          "not alpha ||w||^2",
    "l2_grad_halved": "the gradient of the penalty (alpha/2)||w||^2 is alpha * w; you seem to add "
                      "(alpha/2) * w",
    "l2_grad_doubled": "the gradient of the penalty (alpha/2)||w||^2 is alpha * w; you seem to add "
                       "2 * alpha * w (the gradient of alpha ||w||^2)",
    "l1_instead_of_l2": "this is the L1 penalty alpha ||w||_1; this part asks for the L2 penalty "
                        "(alpha/2)||w||^2 = (alpha/2) * sum_j w_j^2",
    "likelihood_not_loss": "the data term has the wrong sign: the loss is the mean cross-entropy "
                           "(1/n) sum_i [log(1 + e^z_i) - y_i z_i], minus the mean log-likelihood, and its "
                           "gradient is (1/n) X^T (p - y)",
    "soft_threshold_crosses_zero": "soft-thresholding must stop at zero: entries with |x| <= t become "
                                   "exactly 0 (sign(x) * max(|x| - t, 0)); x - t * sign(x) pushes them "
                                   "across zero",
    "hard_threshold": "this is hard thresholding (keep x when |x| > t, else 0): soft-thresholding also "
                      "shrinks the kept entries by t, sign(x) * max(|x| - t, 0)",
    "soft_threshold_one_sided": "negative entries are lost: soft-thresholding is odd, S_t(-x) = -S_t(x); "
                                "use sign(x) * max(|x| - t, 0)",
    "prox_threshold_not_scaled": "the threshold of the proximal step is step * alpha (the proximal operator "
                                 "of step * alpha ||w||_1), not alpha",
    "prox_shrink_before_step": "take the gradient step first, then soft-threshold the result: "
                               "soft_threshold(w - step * grad_w, step * alpha)",
    "subgradient_not_prox": "a subgradient step w - step * (grad + alpha * sign(w)) never makes exact zeros: "
                            "take the gradient step on the smooth part, then soft-threshold "
                            "(the proximal step)",
    "prox_ascent": "the gradient step goes uphill: it is w - step * grad_w",
    "smooth_part_penalized": "the gradient step must use the gradient of the mean cross-entropy alone "
                             "(logistic_loss_grad(w, b, X, y), alpha = 0): the L1 penalty acts only through "
                             "the soft-thresholding; passing alpha to logistic_loss_grad adds an L2 penalty",
    "ignores_start": "start from w0 and b0 when they are given (w0=None means zeros): the warm start of the "
                     "path relies on it",
    "cold_start": "warm start: start each fit from the previous alpha's solution (w0=w, b0=b); here every "
                  "fit seems to start from zero",
    "intercept_not_warm_started": "warm-start the intercept too: pass b0 = the previous intercept, not 0",
    "lowest_score": "you pick the alpha with the LOWEST validation score; pick the highest (np.argmax)",
    "tie_not_largest_alpha": "on a tie, return the largest alpha (the simplest of the equally good models): "
                             "with the alphas in increasing order np.argmax returns the smallest",
    "tie_smallest_alpha": "on a tie, return the largest alpha (the simplest of the equally good models), not "
                          "the smallest",
    "returns_index": "return the alpha itself (alphas[i]), not its position i",
}.items():
    add_diagnoser(_name, _hint)

REFERENCE_MODULES = ('coursekit.linear', 'coursekit.regularization')
"""The modules that hold the references of these checks: a sandboxed notebook graded by them cannot import
them (see :func:`coursekit.grading.sandbox.build_view`)."""


class _ProvidedLogisticRegression:
    """``coursekit.linear.LogisticRegression`` for the notebook's provided cells (the degree demo, a public
    test): inside the sandbox it is a proxy, and the fit runs here. It gives the minimizer and its
    predictions only, never a loss, a gradient or an iterate of the proximal-gradient parts that hw2
    grades."""

    __remote_attrs__ = ("fit", "predict", "predict_proba", "decision_function", "coef_", "intercept_")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._model = _linear().LogisticRegression(*args, **kwargs)

    def fit(self, X: Any, y: Any) -> _ProvidedLogisticRegression:
        self._model.fit(X, y)
        return self

    def __getattr__(self, name: str) -> Any:
        if name in self.__remote_attrs__:
            return getattr(self._model, name)
        raise AttributeError(name)


PROVIDED = {"coursekit.linear": {"LogisticRegression": _ProvidedLogisticRegression}}
"""Objects of the withheld modules that the provided cells use: proxies in the sandbox, run in the grader."""


def _regularization():
    import coursekit.regularization as regularization

    return regularization


def _l2_loss_ref(w, b, X, y, alpha=0.0):
    return _linear().logistic_loss(w, b, X, y, alpha)


def _l2_grad_ref(w, b, X, y, alpha=0.0):
    return _linear().logistic_loss_grad(w, b, X, y, alpha)


def _prox_step_ref(w, grad_w, step, alpha):
    return _regularization().proximal_gradient_step(w, grad_w, step, alpha, 1.0)


def _lasso_ref(X, y, alpha, step, n_steps, w0=None, b0=0.0, *, smooth_alpha=0.0, penalize_b=False,
               subgradient=False, sign=1.0):
    """ISTA on the L1-penalized mean cross-entropy (:func:`coursekit.regularization.ista` on ``[w, b]``);
    the keyword-only options build the known-wrong variants."""
    lin, reg = _linear(), _regularization()
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    l2, l1 = (smooth_alpha, 0.0) if not subgradient else (alpha, 1.0)

    def f_grad(theta):
        loss, gw, gb = lin.logistic_loss_and_grad(theta[:d], theta[d], X, y, l2, l1)
        return sign * loss, sign * np.append(gw, gb)

    theta0 = np.append(np.zeros(d) if w0 is None else np.asarray(w0, dtype=float), float(b0))
    mask = None if penalize_b else np.arange(d + 1) < d
    theta, _ = reg.ista(f_grad, theta0, step, 0.0 if subgradient else alpha, 1.0, int(n_steps), mask)
    return theta[:d], float(theta[d])


def _lasso_path_ref(X, y, alphas, step, n_steps, *, warm_w=True, warm_b=True):
    w, b, coefs, intercepts = None, 0.0, [], []
    for a in alphas:
        w, b = _lasso_ref(X, y, a, step, n_steps, w if warm_w else None, b if warm_b else 0.0)
        coefs.append(w)
        intercepts.append(b)
    return np.array(coefs), np.array(intercepts)


def _best_alpha(alphas, val_scores, *, pick=np.max, tie=np.max):
    a, s = np.asarray(alphas, dtype=float), np.asarray(val_scores, dtype=float)
    return float(tie(a[s == pick(s)]))


def _hw2_stand_ins() -> dict[str, Callable]:
    """Correct versions of hw2's graded functions, by their names in the notebook."""
    return {"logistic_loss": _l2_loss_ref, "logistic_loss_grad": _l2_grad_ref,
            "soft_threshold": _regularization().soft_threshold, "proximal_step": _prox_step_ref,
            "lasso_logistic": _lasso_ref, "lasso_path": _lasso_path_ref, "choose_alpha": _best_alpha}


# ---------------------------------------------------------------------------------- overfitting curves


class _HW2Fit:
    """The ``fit`` handed to the student's ``degree_errors``: ``fit(F, y) -> (w, b)``, an L2-penalized
    (``alpha`` = :data:`HW2_FIT_ALPHA`) logistic regression fitted by Newton's method; it runs in the
    grader, called back from the student's code."""

    def __call__(self, F, y):
        model = _linear().LogisticRegression(alpha=HW2_FIT_ALPHA, solver="newton").fit(F, y)
        return model.coef_, float(model.intercept_)

    def __repr__(self) -> str:
        return f"fit(F, y) -> (w, b) (L2 logistic regression, alpha={HW2_FIT_ALPHA:g})"

    def __deepcopy__(self, memo) -> _HW2Fit:
        return self


def _degree_errors_ref(X_train, y_train, X_val, y_val, degrees, fit, *, scale="train", threshold=0.0,
                       val_on_train=False):
    from coursekit import data

    train_err, val_err = [], []
    for degree in degrees:
        F_tr, F_va = data.polynomial_features(X_train, degree), data.polynomial_features(X_val, degree)
        if scale == "train":
            scaler = data.StandardScaler().fit(F_tr)
            F_tr, F_va = scaler.transform(F_tr), scaler.transform(F_va)
        elif scale == "each":
            F_tr, F_va = data.StandardScaler().fit_transform(F_tr), data.StandardScaler().fit_transform(F_va)
        w, b = fit(F_tr, y_train)
        if val_on_train:
            F_va, y_val = F_tr, y_train
        train_err.append(np.mean((F_tr @ w + b >= threshold) != y_train))
        val_err.append(np.mean((F_va @ w + b >= threshold) != y_val))
    return np.array(train_err), np.array(val_err)


def check_degree_errors(degree_errors: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``degree_errors(X_train, y_train, X_val, y_val, degrees, fit) -> (train_err, val_err)``.

    For each degree :math:`D`: the polynomial features of degree :math:`D`
    (:func:`coursekit.data.polynomial_features`), standardized with a
    :class:`coursekit.data.StandardScaler` fitted on the *training* features; ``w, b = fit(F_train,
    y_train)``; the error rates of the rule "predict 1 when :math:`Xw + b \ge 0`" on both sets. The
    ``fit`` given is an L2-penalized logistic regression, so unstandardized features change the result.
    Recognises a scaler fitted on the validation set, missing standardization, accuracies instead of
    errors, swapped outputs, validation errors measured on the training set and a threshold of 0.5 on the
    score. Use: ``assert grading.check_degree_errors(degree_errors)``.
    """
    from coursekit import data

    rng = as_rng(rng)
    fit = _HW2Fit()
    X, y = data.make_polynomial_classification(n_samples=140, noise=0.1, rng=rng)
    Xs, ys = data.make_polynomial_classification(n_samples=200, noise=0.1, rng=rng)
    right = Xs[:, 0] > 0.2  # a validation set from one side of the square: its own mean and scale differ
    Xo, yo = data.make_polynomial_classification(n_samples=70, noise=0.2, rng=rng)
    cases = [
        Case("80 training and 60 validation points, degrees 1-4 and 6",
             (X[:80], y[:80], X[80:], y[80:], np.array([1, 2, 3, 4, 6]), fit)),
        Case("validation points from the right part of the square only, degrees [1, 3, 5]",
             (X[:80], y[:80], Xs[right][:60], ys[right][:60], [1, 3, 5], fit)),
        Case("40 training and 30 validation points, one degree [2]",
             (Xo[:40], yo[:40], Xo[40:], yo[40:], [2], fit)),
    ]

    def variant(**kw):
        return lambda *args: _degree_errors_ref(*args, **kw)

    return compare(degree_errors, _degree_errors_ref, cases, name="degree_errors",
                   diagnosers=("scaler_fitted_on_validation", "not_standardized", "accuracy_not_error",
                               "swapped_pair", "validation_on_training", "score_threshold"),
                   variants={"scaler_fitted_on_validation": variant(scale="each"),
                             "not_standardized": variant(scale=None),
                             "accuracy_not_error": lambda *a: _map(lambda e: 1 - e,
                                                                   _degree_errors_ref(*a)),
                             "validation_on_training": variant(val_on_train=True),
                             "score_threshold": variant(threshold=0.5)},
                   hints={"swapped_pair": "the two arrays look swapped: return (train_errors, val_errors)"},
                   depends=_hw2_stand_ins())


# ---------------------------------------------------------------------------------- the L2-penalized loss


def _l2_cases(rng: RNGLike) -> list[Case]:
    cases = []
    for i, c in enumerate(logistic_cases(rng)):
        w, b, X, y = c.args
        for alpha in (0.0, 0.3, 2.0)[: 3 if i < 3 else 2]:
            cases.append(Case(f"{c.label}, alpha={alpha:g}", (w, b if b else 0.6, X, y, alpha),
                              n=c.n, huge=c.huge))
    return cases


def check_l2_logistic_loss(logistic_loss: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``logistic_loss(w, b, X, y, alpha)`` :math:`= \frac1n\sum_i[\log(1+e^{z_i}) - y_i z_i]
    + \frac\alpha2\|w\|^2`, :math:`z = Xw + b`, the intercept unpenalized.

    Against ``coursekit.linear.logistic_loss(w, b, X, y, alpha)`` (``l1_ratio=0``) on random problems,
    one sample, one feature, huge scores and float32 inputs, each with several ``alpha``. Recognises a
    penalized intercept, a missing, doubled or L1 penalty, a sum instead of a mean, the log-likelihood's
    sign and an unstable :math:`\log(1+e^z)`. Use: ``assert grading.check_l2_logistic_loss(logistic_loss)``.
    """
    ref = _l2_loss_ref

    def plus(extra):
        return lambda w, b, X, y, alpha: ref(w, b, X, y, alpha) + extra(np.asarray(w, float), float(b),
                                                                         np.asarray(X, float), alpha)

    def data_term(w, b, X, y):
        return ref(w, b, X, y, 0.0)

    return compare(logistic_loss, ref, _l2_cases(rng), name="logistic_loss",
                   diagnosers=("not_stable", "penalized_intercept", "l2_penalty_missing",
                               "l2_penalty_doubled", "l1_instead_of_l2", "mean_vs_sum", "likelihood_not_loss",
                               "ignores_intercept"),
                   variants={
                       "penalized_intercept": plus(lambda w, b, X, a: a / 2 * b * b),
                       "l2_penalty_missing": plus(lambda w, b, X, a: -a / 2 * (w @ w)),
                       "l2_penalty_doubled": plus(lambda w, b, X, a: a / 2 * (w @ w)),
                       "l1_instead_of_l2": plus(lambda w, b, X, a: a * np.abs(w).sum() - a / 2 * (w @ w)),
                       "mean_vs_sum": lambda w, b, X, y, a: (len(y) * data_term(w, b, X, y)
                                                             + ref(w, b, X, y, a) - data_term(w, b, X, y)),
                       "likelihood_not_loss": lambda w, b, X, y, a: (ref(w, b, X, y, a)
                                                                     - 2 * data_term(w, b, X, y)),
                       "ignores_intercept": _no_intercept(ref, 1)},
                   hints={"mean_vs_sum": "the data term is the sum over the samples; J uses the mean, "
                                         "(1/n) sum_i [log(1 + e^z_i) - y_i z_i], plus the penalty"},
                   depends=_hw2_stand_ins())


def check_l2_logistic_loss_grad(logistic_loss_grad: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``logistic_loss_grad(w, b, X, y, alpha) -> (gw, gb)``:
    :math:`g_w = \frac1n X^\top(p - y) + \alpha w`, :math:`g_b = \frac1n\sum_i(p_i - y_i)` (no penalty).

    Against ``coursekit.linear.logistic_loss_grad(w, b, X, y, alpha)``. Recognises a penalized intercept,
    a missing penalty gradient or one with the factor alpha/2 or 2 alpha, a sum instead of a mean, the
    log-likelihood's gradient and an unstable sigmoid. Use:
    ``assert grading.check_l2_logistic_loss_grad(logistic_loss_grad)``.
    """
    ref = _l2_grad_ref

    def shifted(cw=0.0, cb=0.0, data=1.0):
        def variant(w, b, X, y, alpha):
            gw, gb = ref(w, b, X, y, alpha)
            dw, db = ref(w, b, X, y, 0.0)
            return (gw + (data - 1) * dw + cw * alpha * np.asarray(w, float),
                    gb + (data - 1) * db + cb * alpha * float(b))
        return variant

    return compare(logistic_loss_grad, ref, _l2_cases(rng), name="logistic_loss_grad",
                   diagnosers=("not_stable", "penalized_intercept", "l2_penalty_missing", "l2_grad_halved",
                               "l2_grad_doubled", "mean_vs_sum", "likelihood_not_loss", "ignores_intercept"),
                   variants={"penalized_intercept": shifted(cb=1.0), "l2_penalty_missing": shifted(cw=-1.0),
                             "l2_grad_halved": shifted(cw=-0.5), "l2_grad_doubled": shifted(cw=1.0),
                             "mean_vs_sum": lambda w, b, X, y, a: shifted(data=len(y))(w, b, X, y, a),
                             "likelihood_not_loss": shifted(data=-1.0),
                             "ignores_intercept": _no_intercept(ref, 1)},
                   hints={"mean_vs_sum": "the data term's gradient is a sum over the samples: divide "
                                         "X^T (p - y) and sum(p - y) by n (the loss is a mean)"},
                   depends=_hw2_stand_ins())


# ---------------------------------------------------------------------------------- L1: prox and ISTA


def check_soft_threshold(soft_threshold: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``soft_threshold(x, t)`` :math:`= \operatorname{sign}(x)\max(|x| - t, 0)` elementwise.

    Against :func:`coursekit.regularization.soft_threshold`: random arrays, ``t = 0``, a threshold above
    every entry, entries exactly at :math:`\pm t`, an array of thresholds, a 2-D array, float32.
    Recognises a threshold that crosses zero (no max), hard thresholding, a one-sided threshold and a flipped
    sign. Use: ``assert grading.check_soft_threshold(soft_threshold)``.
    """
    rng = as_rng(rng)
    ref = _regularization().soft_threshold
    x = rng.normal(size=10)
    cases = [
        Case("random x, t = 0.5", (x, 0.5)),
        Case("t = 0 (nothing changes)", (rng.normal(size=5), 0.0)),
        Case("t above every |x| (all zero)", (rng.uniform(-1, 1, size=6), 1.5)),
        Case("entries exactly at +-t and 0", (np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0]), 0.5)),
        Case("an array of thresholds t", (rng.normal(size=6) * 2, rng.uniform(0, 1.5, size=6))),
        Case("2-D array (3, 4), t = 0.3", (rng.normal(size=(3, 4)), 0.3)),
        Case("one element", (np.array([-2.5]), 1.0)),
        Case("float32 x", (rng.normal(size=8).astype(np.float32), 0.4)),
    ]

    def f(rule):
        return lambda x, t: rule(np.asarray(x, dtype=float), np.asarray(t, dtype=float))

    return compare(soft_threshold, ref, cases, name="soft_threshold",
                   diagnosers=("soft_threshold_crosses_zero", "hard_threshold", "soft_threshold_one_sided",
                               "sign_flipped"),
                   variants={"soft_threshold_crosses_zero": f(lambda x, t: x - t * np.sign(x)),
                             "hard_threshold": f(lambda x, t: np.where(np.abs(x) > t, x, 0.0)),
                             "soft_threshold_one_sided": f(lambda x, t: np.maximum(x - t, 0.0))},
                   depends=_hw2_stand_ins())


def check_proximal_step(proximal_step: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``proximal_step(w, grad_w, step, alpha)`` :math:`= S_{s\alpha}(w - s\,\nabla)`, one step of
    proximal gradient for the L1 penalty :math:`\alpha\|w\|_1` (step :math:`s`).

    Against ``coursekit.regularization.proximal_gradient_step(w, grad_w, step, alpha)``; the notebook's
    ``soft_threshold`` is replaced by a correct one during the check. Recognises the threshold ``alpha``
    instead of ``step * alpha``, shrinking before the gradient step, a subgradient step, and a step
    uphill. Use: ``assert grading.check_proximal_step(proximal_step)``.
    """
    rng = as_rng(rng)
    ref = _prox_step_ref
    st = _regularization().soft_threshold
    cases = [
        Case("random w and gradient, step 0.1, alpha 0.5", (rng.normal(size=8), rng.normal(size=8), 0.1,
                                                            0.5)),
        Case("step 0.5, alpha 0.2", (rng.normal(size=6), rng.normal(size=6) * 2, 0.5, 0.2)),
        Case("alpha = 0 (a plain gradient step)", (rng.normal(size=5), rng.normal(size=5), 0.3, 0.0)),
        Case("zero gradient (pure shrinkage), step 0.2, alpha 1", (rng.normal(size=6), np.zeros(6), 0.2,
                                                                   1.0)),
        Case("alpha large: everything becomes 0", (rng.normal(size=4) * 0.3, rng.normal(size=4) * 0.1,
                                                   0.5, 5.0)),
        Case("small and zero weights, step 0.5, alpha 0.4",
             (np.array([0.05, -0.1, 0.0, 0.15, -0.02, 1.0]), np.array([0.3, -0.2, 0.1, 0.0, 0.5, 0.4]),
              0.5, 0.4)),
        Case("one weight", (np.array([0.8]), np.array([-0.4]), 0.25, 0.6)),
        Case("float32 arrays, step 0.05, alpha 2", (rng.normal(size=6).astype(np.float32),
                                                    rng.normal(size=6).astype(np.float32), 0.05, 2.0)),
    ]

    def g(rule):
        return lambda w, gw, s, a: rule(np.asarray(w, dtype=float), np.asarray(gw, dtype=float), s, a)

    return compare(proximal_step, ref, cases, name="proximal_step",
                   diagnosers=("prox_threshold_not_scaled", "subgradient_not_prox", "prox_shrink_before_step",
                               "prox_ascent"),
                   variants={"prox_threshold_not_scaled": g(lambda w, gw, s, a: st(w - s * gw, a)),
                             "prox_shrink_before_step": g(lambda w, gw, s, a: st(w, s * a) - s * gw),
                             "subgradient_not_prox": g(lambda w, gw, s, a: w - s * (gw + a * np.sign(w))),
                             "prox_ascent": g(lambda w, gw, s, a: st(w + s * gw, s * a))},
                   depends=_hw2_stand_ins())


def _lasso_problem(rng: np.random.Generator, n: int, d: int, rate: float = 0.3
                   ) -> tuple[np.ndarray, np.ndarray]:
    """A small classification problem with a few informative features and few positives (so that the
    intercept moves away from 0)."""
    X = rng.normal(size=(n, d))
    w = np.zeros(d)
    w[: max(1, d // 3)] = rng.normal(size=max(1, d // 3)) * 2
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w + np.log(rate / (1 - rate)))))).astype(int)
    y[:2] = [0, 1]
    return X, y


def check_lasso_logistic(lasso_logistic: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0) -> (w, b)``: ``n_steps`` steps
    of proximal gradient (ISTA) on :math:`\frac1n\sum_i[\log(1+e^{z_i}) - y_i z_i] + \alpha\|w\|_1`,

    .. math::

        w \leftarrow S_{s\alpha}\big(w - s\,\nabla_w L(w, b)\big), \qquad
        b \leftarrow b - s\,\partial_b L(w, b),

    both gradients taken at the current :math:`(w, b)`, from :math:`(w_0, b_0)` (zeros when ``w0`` is
    None). Against :func:`coursekit.regularization.ista` on :math:`(w, b)` with the intercept unpenalized;
    the notebook's ``logistic_loss_grad``, ``soft_threshold`` and ``proximal_step`` are replaced by correct
    ones during the check. Recognises a penalized (thresholded) intercept, an L2 term in the smooth part,
    subgradient steps, an ignored warm start and steps uphill.
    Use: ``assert grading.check_lasso_logistic(lasso_logistic)``.
    """
    rng = as_rng(rng)
    X1, y1 = _lasso_problem(rng, 30, 5)
    X2, y2 = _lasso_problem(rng, 40, 8, rate=0.7)
    X3, y3 = _lasso_problem(rng, 25, 3)
    w0 = rng.normal(size=8) * 0.5
    cases = [  # w0, b0 passed by position: an input modified in place is then reported
        Case("n=30, d=5, alpha=0.05, step=0.5, 20 steps from zero", (X1, y1, 0.05, 0.5, 20)),
        Case("n=40, d=8, alpha=0.03, step=0.8, 30 steps from w0, b0=-0.4", (X2, y2, 0.03, 0.8, 30, w0, -0.4)),
        Case("alpha=0 (gradient descent), 15 steps", (X3, y3, 0.0, 1.0, 15)),
        Case("alpha large (w stays 0, b still learns), 25 steps", (X1, y1, 5.0, 0.5, 25)),
        Case("one step from w0, b0=0.3", (X3, y3, 0.1, 0.5, 1, np.array([0.2, -0.05, 0.0]), 0.3)),
        Case("n_steps=0 (returns the start)", (X2, y2, 0.1, 0.5, 0, w0, 0.2)),
        Case("float32 X, alpha=0.02, 10 steps", (X1.astype(np.float32), y1, 0.02, 0.5, 10)),
    ]

    def variant(**kw):
        return lambda X, y, alpha, step, n_steps, w0=None, b0=0.0: _lasso_ref(X, y, alpha, step, n_steps,
                                                                               w0, b0, **kw)

    def from_zero(X, y, alpha, step, n_steps, w0=None, b0=0.0):
        return _lasso_ref(X, y, alpha, step, n_steps)


    return compare(lasso_logistic, _lasso_ref, cases, name="lasso_logistic",
                   diagnosers=("penalized_intercept", "smooth_part_penalized", "subgradient_not_prox",
                               "ignores_start", "prox_ascent"),
                   variants={"penalized_intercept": variant(penalize_b=True),
                             "smooth_part_penalized": lambda X, y, a, s, k, w0=None, b0=0.0: _lasso_ref(
                                 X, y, a, s, k, w0, b0, smooth_alpha=a),
                             "subgradient_not_prox": variant(subgradient=True),
                             "ignores_start": from_zero, "prox_ascent": variant(sign=-1.0)},
                   hints={"penalized_intercept": "the intercept appears to be penalized: soft-threshold w "
                                                 "only; b takes a plain gradient step, b - step * gb"},
                   depends=_hw2_stand_ins())


def check_lasso_path(lasso_path: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``lasso_path(X, y, alphas, step, n_steps) -> (coefs (m, d), intercepts (m,))``: for the alphas
    in the order given (from the largest), ``lasso_logistic`` started from the previous alpha's
    :math:`(w, b)` (zeros for the first). The notebook's ``lasso_logistic`` is replaced by a correct one
    during the check. Recognises cold starts and an intercept that is not warm-started.
    Use: ``assert grading.check_lasso_path(lasso_path)``.
    """
    rng = as_rng(rng)
    X1, y1 = _lasso_problem(rng, 40, 6)
    X2, y2 = _lasso_problem(rng, 30, 4, rate=0.75)
    cases = [
        Case("n=40, d=6, 5 alphas from 0.2 to 0.005, 10 steps each",
             (X1, y1, np.array([0.2, 0.1, 0.05, 0.02, 0.005]), 0.5, 10)),
        Case("n=30, d=4, 3 alphas, 25 steps each", (X2, y2, [0.1, 0.03, 0.01], 0.8, 25)),
        Case("one alpha", (X2, y2, np.array([0.05]), 0.5, 12)),
    ]
    return compare(lasso_path, _lasso_path_ref, cases, name="lasso_path",
                   diagnosers=("cold_start", "intercept_not_warm_started"),
                   variants={"cold_start": lambda *a: _lasso_path_ref(*a, warm_w=False, warm_b=False),
                             "intercept_not_warm_started": lambda *a: _lasso_path_ref(*a, warm_b=False)},
                   depends=_hw2_stand_ins())


# ---------------------------------------------------------------------------------- choosing alpha


def check_choose_alpha(choose_alpha: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``choose_alpha(alphas, val_scores) -> alpha``: the alpha with the highest validation score, the
    largest such alpha on a tie. Alphas in decreasing and increasing order, ties, one alpha, lists.
    Recognises the lowest score, the smallest alpha on a tie and an index instead of an alpha.
    Use: ``assert grading.check_choose_alpha(choose_alpha)``.
    """
    rng = as_rng(rng)
    alphas = np.logspace(-1, -4, 7)
    scores = np.round(rng.uniform(0.6, 0.8, size=7), 3)
    scores[2] = 0.85
    cases = [
        Case("7 alphas (decreasing), one best score", (alphas, scores)),
        Case("alphas increasing, a tie for the best score", (np.array([0.001, 0.01, 0.1, 1.0]),
                                                             np.array([0.74, 0.76, 0.76, 0.65]))),
        Case("alphas decreasing, a three-way tie", (np.array([1.0, 0.3, 0.1, 0.03, 0.01]),
                                                    np.array([0.6, 0.7, 0.7, 0.7, 0.69]))),
        Case("the best score at the last alpha", (alphas[:4], np.array([0.5, 0.6, 0.7, 0.8]))),
        Case("one alpha", (np.array([0.02]), np.array([0.7]))),
        Case("plain lists", ([0.5, 0.05, 0.005], [0.71, 0.7, 0.73])),
    ]

    def first_best(alphas, val_scores):  # np.argmax: the first best alpha in the given order
        return float(np.asarray(alphas, dtype=float)[int(np.argmax(np.asarray(val_scores, dtype=float)))])

    def index(alphas, val_scores):
        a, s = np.asarray(alphas, dtype=float), np.asarray(val_scores, dtype=float)
        return int(np.flatnonzero((s == s.max()) & (a == a[s == s.max()].max()))[0])

    return compare(choose_alpha, _best_alpha, cases, name="choose_alpha",
                   diagnosers=("lowest_score", "tie_not_largest_alpha", "tie_smallest_alpha",
                               "returns_index"),
                   variants={"lowest_score": lambda a, s: _best_alpha(a, s, pick=np.min),
                             "tie_not_largest_alpha": first_best,
                             "tie_smallest_alpha": lambda a, s: _best_alpha(a, s, tie=np.min),
                             "returns_index": index},
                   depends=_hw2_stand_ins())


def check_chosen_alpha(alpha_best: Any, alphas: Any, coefs: Any, intercepts: Any, X_val: Any, y_val: Any,
                       X_test: Any, y_test: Any, X_train: Any = None, y_train: Any = None) -> bool:
    r"""Check that ``alpha_best`` was chosen on the **validation** set: it must be one of ``alphas`` whose
    model (``coefs[i]``, ``intercepts[i]``) has the highest validation accuracy (any of them on a tie).

    The accuracies of the rule "positive when :math:`Xw + b \ge 0`" are recomputed here on the validation,
    test (and training) sets, so a choice made on the test set (or the training set) is recognised and named.
    Use: ``assert grading.check_chosen_alpha(alpha_best, alphas, coefs, intercepts, X_val, y_val, X_test,
    y_test, X_train, y_train)``.
    """
    alphas = np.asarray(alphas, dtype=float).ravel()
    coefs, intercepts = np.asarray(coefs, dtype=float), np.asarray(intercepts, dtype=float).ravel()
    if np.ndim(alpha_best) != 0 or isinstance(alpha_best, str | bool) or alpha_best is None:
        raise AssertionError(f"`alpha_best` must be one number, one of `alphas`; got "
                             f"{summarize(alpha_best)}")
    found = np.flatnonzero(np.isclose(alphas, float(alpha_best), rtol=1e-9, atol=0.0))
    if found.size == 0:
        raise AssertionError(f"`alpha_best` = {float(alpha_best):.6g} is not one of `alphas` "
                             f"({summarize(alphas)}): choose one of the alphas of the path")

    def best(X, y):
        X, y = np.asarray(X, dtype=float), np.asarray(y).ravel()
        acc = np.mean(((X @ coefs.T + intercepts) >= 0) == y[:, None], axis=0)
        return set(np.flatnonzero(acc == acc.max()).tolist()), acc

    chosen = set(found.tolist())
    on_val, val_acc = best(X_val, y_val)
    if chosen & on_val:
        return True
    i = found[0]
    got = f"`alpha_best` = {alphas[i]:.6g} has validation accuracy {val_acc[i]:.4f}"
    right = f"the best validation accuracy is {val_acc.max():.4f}, at alpha = {alphas[max(on_val)]:.6g}"
    if chosen & best(X_test, y_test)[0]:
        raise AssertionError(f"{got}, but it is the best alpha on the TEST set: alpha was chosen on the test "
                             f"set. The test set must play no part in any choice (it is used once, at the "
                             f"end, to report the chosen model); choose with the validation accuracies, "
                             f"{right}.")
    if X_train is not None and y_train is not None and chosen & best(X_train, y_train)[0]:
        raise AssertionError(f"{got}, but it is the best alpha on the TRAINING set: alpha was chosen on the "
                             f"training set, which always prefers the weakest penalty. Choose with the "
                             f"validation accuracies, {right}.")
    raise AssertionError(f"{got}, which is not the best: {right}. Use choose_alpha(alphas, val_acc) with the "
                         f"validation accuracies.")


