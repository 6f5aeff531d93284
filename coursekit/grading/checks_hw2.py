"""Checks of hw2-regularization: overfitting curves, the L2-penalized loss, soft-thresholding, the proximal
step, the lasso and its path, and the choice of alpha. They run in the grader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from coursekit._utils import RNGLike, as_rng
from coursekit.grading.cases import MESSAGE_HINT, Case, logistic_cases, summarize
from coursekit.grading.checks_hw1 import _linear, _no_intercept
from coursekit.grading.diagnosers import DIAGNOSERS, Mismatch, Mistake
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
                       val_on_train=False, errors="rate", degrees_used=None):
    """The reference of ``degree_errors``; the keyword-only options build the catalogue's variants."""
    from coursekit import data

    train_err, val_err = [], []
    used = degrees if degrees_used is None else degrees_used(degrees)
    for degree in used:
        F_tr, F_va = data.polynomial_features(X_train, degree), data.polynomial_features(X_val, degree)
        if scale == "train":
            scaler = data.StandardScaler().fit(F_tr)
            F_tr, F_va = scaler.transform(F_tr), scaler.transform(F_va)
        elif scale == "each":
            F_tr, F_va = data.StandardScaler().fit_transform(F_tr), data.StandardScaler().fit_transform(F_va)
        elif scale == "all":
            scaler = data.StandardScaler().fit(np.vstack([F_tr, F_va]))
            F_tr, F_va = scaler.transform(F_tr), scaler.transform(F_va)
        w, b = fit(F_tr, y_train)
        if val_on_train:
            F_va, y_val = F_tr, y_train
        for out, F, y in ((train_err, F_tr, y_train), (val_err, F_va, y_val)):
            wrong = (F @ w + b >= threshold) != np.asarray(y)
            summary = {"rate": np.mean, "count": np.sum, "accuracy": lambda v: 1 - np.mean(v)}[errors]
            out.append(summary(wrong))
    return np.array(train_err, dtype=float), np.array(val_err, dtype=float)


def _degrees_variant(**kw: Any) -> Callable:
    return lambda *args: _degree_errors_ref(*args, **kw)


_OVF_POLY, _OVF_VAL = "overfitting#sec-ovf-polynomial", "overfitting#sec-ovf-validation"
_DEGREE_MISTAKES = (
    Mistake("scaler_fitted_on_validation",
            "the validation features must be standardized with the scaler fitted on the TRAINING features "
            "(scaler.transform(F_val)); a new scaler fitted on the validation set uses information from it "
            "and shifts its features", _degrees_variant(scale="each"), section=_OVF_VAL),
    Mistake("scaler_fitted_on_all_data",
            "the scaler is fitted on the training and validation features together: fit it on the TRAINING "
            "features only, then transform both sets (the validation set must play no part in the fit)",
            _degrees_variant(scale="all"), section=_OVF_VAL),
    Mistake("not_standardized",
            "standardize the polynomial features before calling fit, with a StandardScaler fitted on the "
            "training features: x1^6 and x1 live on very different scales, and the penalized fit depends on "
            "the scale", _degrees_variant(scale=None), section=_OVF_POLY),
    Mistake("accuracy_not_error",
            "these look like accuracies: the error rate is the fraction of wrong predictions, 1 - accuracy",
            _degrees_variant(errors="accuracy"), section=_OVF_POLY),
    Mistake("error_count_not_rate",
            "these look like numbers of errors: the error rate divides them by the number of points "
            "(np.mean of the wrong predictions, not np.sum)", _degrees_variant(errors="count"),
            section=_OVF_POLY),
    Mistake("outputs_swapped", "the two arrays look swapped: return (train_errors, val_errors)",
            lambda *a: _degree_errors_ref(*a)[::-1], section=_OVF_POLY),
    Mistake("validation_on_training",
            "the validation errors equal the training errors: evaluate the fitted model on X_val, y_val",
            _degrees_variant(val_on_train=True), section=_OVF_VAL),
    Mistake("score_threshold",
            "predict 1 when p = sigma(z) >= 0.5, i.e. when the score z = X w + b >= 0 (not z >= 0.5)",
            _degrees_variant(threshold=0.5), section="classification#sec-logistic-model"),
    Mistake("degree_ignored",
            "every degree gives the same errors: build the features with polynomial_features(X, degree) "
            "inside the loop, for the degree of this iteration (not the raw X)",
            _degrees_variant(degrees_used=lambda degrees: [1] * len(degrees)), section=_OVF_POLY),
    Mistake("degrees_by_position",
            "the degrees look shifted: loop over the degrees given (for degree in degrees), not over "
            "range(1, len(degrees) + 1)",
            _degrees_variant(degrees_used=lambda degrees: list(range(1, len(degrees) + 1))),
            section=_OVF_POLY),
)


def check_degree_errors(degree_errors: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``degree_errors(X_train, y_train, X_val, y_val, degrees, fit) -> (train_err, val_err)``.

    For each degree :math:`D`: the polynomial features of degree :math:`D`
    (:func:`coursekit.data.polynomial_features`), standardized with a
    :class:`coursekit.data.StandardScaler` fitted on the *training* features; ``w, b = fit(F_train,
    y_train)``; the error rates of the rule "predict 1 when :math:`Xw + b \ge 0`" on both sets. The
    ``fit`` given is an L2-penalized logistic regression, so unstandardized features change the result.
    The mistakes it names are ``MISTAKES["degree_errors"]``.
    Use: ``assert grading.check_degree_errors(degree_errors)``.
    """
    from coursekit import data

    rng = as_rng(rng)
    fit = _HW2Fit()
    X, y = data.make_polynomial_classification(n_samples=140, noise=0.1, rng=rng)
    Xs, ys = data.make_polynomial_classification(n_samples=200, noise=0.1, rng=rng)
    right = Xs[:, 0] > 0.2  # a validation set from one side of the square: its own mean and scale differ
    Xo, yo = data.make_polynomial_classification(n_samples=70, noise=0.2, rng=rng)
    Xt, yt = data.make_polynomial_classification(n_samples=160, noise=0.1, rng=rng)
    top, left = Xt[:, 1] > 0.0, Xt[:, 0] < 0.3  # training and validation points from different halves
    Xc, yc = data.make_polynomial_classification(n_samples=160, noise=0.1, rng=rng)
    far = np.abs(Xc).max(axis=1) > 1.0  # the border of the square, where high powers are large
    cases = [
        Case("80 training and 60 validation points, degrees 1-4 and 6",
             (X[:80], y[:80], X[80:], y[80:], np.array([1, 2, 3, 4, 6]), fit)),
        Case("validation points from the right part of the square only, degrees [1, 3, 5]",
             (X[:80], y[:80], Xs[right][:60], ys[right][:60], [1, 3, 5], fit)),
        Case("40 training and 30 validation points, one degree [2]",
             (Xo[:40], yo[:40], Xo[40:], yo[40:], [2], fit)),
        Case("training points from the lower half, validation points from the upper half, degrees [3, 5]",
             (Xt[~top][:50], yt[~top][:50], Xt[top][:60], yt[top][:60], [3, 5], fit)),
        Case("training points from the left, validation points from the right, degrees [2, 4]",
             (Xt[left][:50], yt[left][:50], Xt[~left][:50], yt[~left][:50], np.array([2, 4]), fit)),
        Case("training points from the centre, validation points from the border, degrees [2, 3, 6]",
             (Xc[~far][:45], yc[~far][:45], Xc[far][:70], yc[far][:70], [2, 3, 6], fit)),
    ]
    return compare(degree_errors, _degree_errors_ref, cases, name="degree_errors",
                   mistakes=MISTAKES["degree_errors"], depends=_hw2_stand_ins())


# ---------------------------------------------------------------------------------- the L2-penalized loss


def _l2_cases(rng: RNGLike) -> list[Case]:
    cases = []
    for i, c in enumerate(logistic_cases(rng)):
        w, b, X, y = c.args
        for alpha in (0.0, 0.3, 2.0)[: 3 if i < 3 else 2]:
            cases.append(Case(f"{c.label}, alpha={alpha:g}", (w, b if b else 0.6, X, y, alpha),
                              n=c.n, huge=c.huge))
    return cases


def _f(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=float)


def _loss_plus(extra: Callable) -> Callable:
    """A variant of the loss: the reference plus ``extra(w, b, X, y, alpha)``."""
    return lambda w, b, X, y, alpha=0.0: _l2_loss_ref(w, b, X, y, alpha) + extra(_f(w), float(b), _f(X),
                                                                                  _f(y), alpha)


def _data_loss(w, b, X, y):
    return _l2_loss_ref(w, b, X, y, 0.0)


def _naive_loss(w, b, X, y, alpha=0.0):
    """log(1 + e^z) computed as written: e^z overflows for z above ~710 (float64), ~89 (float32)."""
    z = X @ w + b
    return float(np.mean(np.log(1 + np.exp(z)) - y * z) + alpha / 2 * np.sum(np.asarray(w) ** 2))


_L2 = "regularization#reg-l2"
_INTERCEPT = "regularization#reg-intercept"
_UNSTABLE = DIAGNOSERS["not_stable"].detect  # unstable formulas other than the naive one (log of sigmoid...)
_LOSS_MISTAKES = (
    Mistake("not_stable",
            "not numerically stable: log(1 + e^z) overflows for huge z (np.exp(1000) is inf); use "
            "np.logaddexp(0, z), which computes it without overflow", _naive_loss, _UNSTABLE,
            section="classification#sec-stable-sigmoid"),
    Mistake("penalized_intercept",
            "the intercept appears to be penalized: the penalty applies to w only, never to b",
            _loss_plus(lambda w, b, X, y, a: a / 2 * b * b), section=_INTERCEPT),
    Mistake("l2_penalty_missing",
            "the L2 penalty is missing: J = mean cross-entropy + (alpha/2)||w||^2, and its gradient has the "
            "extra term alpha * w", _loss_plus(lambda w, b, X, y, a: -a / 2 * (w @ w)), section=_L2),
    Mistake("l2_penalty_doubled",
            "the penalty looks twice too large: the course's L2 penalty is (alpha/2)||w||^2, not "
            "alpha ||w||^2", _loss_plus(lambda w, b, X, y, a: a / 2 * (w @ w)), section=_L2),
    Mistake("penalty_divided_by_n",
            "the penalty is divided by the number of samples, (alpha/(2n))||w||^2 (the lambda/(2m) of some "
            "courses): in this course J = mean cross-entropy + (alpha/2)||w||^2, the penalty not divided "
            "by n",
            _loss_plus(lambda w, b, X, y, a: a / 2 * (w @ w) * (1 / len(y) - 1)),
            section="regularization#reg-objective"),
    Mistake("penalty_not_squared",
            "the penalty uses the norm ||w|| itself: the L2 penalty is (alpha/2)||w||^2 = (alpha/2) * "
            "sum_j w_j^2, the SQUARED norm (np.sum(w ** 2), not np.linalg.norm(w))",
            _loss_plus(lambda w, b, X, y, a: a / 2 * (np.sqrt(w @ w) - w @ w)), section=_L2),
    Mistake("l1_instead_of_l2",
            "this is the L1 penalty alpha ||w||_1; this part asks for the L2 penalty (alpha/2)||w||^2 = "
            "(alpha/2) * sum_j "
            "w_j^2", _loss_plus(lambda w, b, X, y, a: a * np.abs(w).sum() - a / 2 * (w @ w)),
            section=_L2),
    Mistake("mean_vs_sum",
            "the data term is the sum over the samples; J uses the mean, (1/n) sum_i [log(1 + e^z_i) - y_i "
            "z_i], "
            "plus the penalty",
            lambda w, b, X, y, a=0.0: _l2_loss_ref(w, b, X, y, a) + (len(y) - 1) * _data_loss(w, b, X, y),
            section="regularization#reg-objective"),
    Mistake("likelihood_not_loss",
            "the data term has the wrong sign: the loss is the mean cross-entropy (1/n) sum_i [log(1 + "
            "e^z_i) "
            "- y_i z_i], minus the mean log-likelihood, and its gradient is (1/n) X^T (p - y)",
            lambda w, b, X, y, a=0.0: _l2_loss_ref(w, b, X, y, a) - 2 * _data_loss(w, b, X, y),
            section="classification#sec-likelihood"),
    Mistake("labels_plus_minus_one",
            "this is the formula log(1 + e^(-y z)) for labels y in {-1, +1}; here y is 0 or 1, so use "
            "log(1 + e^z) - y z (or turn y into 2y - 1 first)",
            _loss_plus(lambda w, b, X, y, a: (np.mean(np.logaddexp(0, -y * (X @ w + b)))
                                              - _data_loss(w, b, X, y))),
            section="classification#sec-likelihood"),
    Mistake("ignores_intercept", "the intercept b seems to be ignored: the scores are z = X w + b",
            _no_intercept(_l2_loss_ref, 1), section="classification#sec-logistic-model"),
)


def check_l2_logistic_loss(logistic_loss: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``logistic_loss(w, b, X, y, alpha)`` :math:`= \frac1n\sum_i[\log(1+e^{z_i}) - y_i z_i]
    + \frac\alpha2\|w\|^2`, :math:`z = Xw + b`, the intercept unpenalized.

    Against ``coursekit.linear.logistic_loss(w, b, X, y, alpha)`` (``l1_ratio=0``) on random problems,
    one sample, one feature, huge scores and float32 inputs, each with several ``alpha``. The mistakes it
    names are ``MISTAKES["logistic_loss"]``. Use: ``assert grading.check_l2_logistic_loss(logistic_loss)``.
    """
    return compare(logistic_loss, _l2_loss_ref, _l2_cases(rng), name="logistic_loss",
                   mistakes=MISTAKES["logistic_loss"], depends=_hw2_stand_ins())


def _grad_shifted(cw: float = 0.0, cb: float = 0.0, data: float = 1.0, cw_n: float = 0.0) -> Callable:
    """A variant of the gradient: the data term times ``data``, plus ``cw alpha w`` (and ``cw_n alpha w /
    n``) and ``cb alpha b``."""
    def variant(w, b, X, y, alpha=0.0):
        gw, gb = _l2_grad_ref(w, b, X, y, alpha)
        dw, db = _l2_grad_ref(w, b, X, y, 0.0)
        w = _f(w)
        return (gw + (data - 1) * dw + (cw + cw_n / len(y)) * alpha * w,
                gb + (data - 1) * db + cb * alpha * float(b))
    return variant


def _naive_grad(w, b, X, y, alpha=0.0):
    """p = e^z / (1 + e^z) as written: inf / inf = nan for z above ~710 (float64), ~89 (float32)."""
    e = np.exp(X @ w + b)
    r = (e / (1 + e) - y) / X.shape[0]
    return X.T @ r + alpha * w, float(np.sum(r))


_GRAD_MISTAKES = (
    Mistake("not_stable",
            "not numerically stable: e^z / (1 + e^z) is inf / inf = nan for huge z; compute the sigmoid "
            "with e^(-|z|) only, or as np.exp(-np.logaddexp(0, -z))", _naive_grad, _UNSTABLE,
            section="classification#sec-stable-sigmoid"),
    Mistake("penalized_intercept",
            "the intercept appears to be penalized: its gradient is mean(p - y) alone, without alpha * b",
            _grad_shifted(cb=1.0), section=_INTERCEPT),
    Mistake("l2_penalty_missing",
            "the L2 penalty is missing: J = mean cross-entropy + (alpha/2)||w||^2, and its gradient has the "
            "extra term alpha * w", _grad_shifted(cw=-1.0), section=_L2),
    Mistake("l2_grad_halved",
            "the gradient of the penalty (alpha/2)||w||^2 is alpha * w; you seem to add (alpha/2) * w",
            _grad_shifted(cw=-0.5), section=_L2),
    Mistake("l2_grad_doubled",
            "the gradient of the penalty (alpha/2)||w||^2 is alpha * w; you seem to add 2 * alpha * w (the "
            "gradient of alpha ||w||^2)", _grad_shifted(cw=1.0), section=_L2),
    Mistake("penalty_divided_by_n",
            "the penalty's gradient is divided by the number of samples, (alpha/n) w (the lambda/m of some "
            "courses): here the penalty is (alpha/2)||w||^2, not divided by n, and its gradient is alpha * w",
            _grad_shifted(cw=-1.0, cw_n=1.0), section="regularization#reg-objective"),
    Mistake("mean_vs_sum",
            "the data term's gradient is a sum over the samples: divide X^T (p - y) and sum(p - y) by n (the "
            "loss is a mean)", lambda w, b, X, y, a=0.0: _grad_shifted(data=len(y))(w, b, X, y, a),
            section="regularization#reg-objective"),
    Mistake("likelihood_not_loss",
            "the data term has the wrong sign: the loss is the mean cross-entropy (1/n) sum_i [log(1 + "
            "e^z_i) "
            "- y_i z_i], minus the mean log-likelihood, and its gradient is (1/n) X^T (p - y)",
            _grad_shifted(data=-1.0), section="classification#sec-likelihood"),
    Mistake("ignores_intercept", "the intercept b seems to be ignored: the scores are z = X w + b",
            _no_intercept(_l2_grad_ref, 1), section="classification#sec-logistic-model"),
)


def check_l2_logistic_loss_grad(logistic_loss_grad: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``logistic_loss_grad(w, b, X, y, alpha) -> (gw, gb)``:
    :math:`g_w = \frac1n X^\top(p - y) + \alpha w`, :math:`g_b = \frac1n\sum_i(p_i - y_i)` (no penalty).

    Against ``coursekit.linear.logistic_loss_grad(w, b, X, y, alpha)``. The mistakes it names are
    ``MISTAKES["logistic_loss_grad"]``. Use:
    ``assert grading.check_l2_logistic_loss_grad(logistic_loss_grad)``.
    """
    return compare(logistic_loss_grad, _l2_grad_ref, _l2_cases(rng), name="logistic_loss_grad",
                   mistakes=MISTAKES["logistic_loss_grad"], depends=_hw2_stand_ins())


# ---------------------------------------------------------------------------------- L1: prox and ISTA


def _elementwise(rule: Callable) -> Callable:
    return lambda x, t: rule(_f(x), _f(t))


_SOFT = "regularization#soft-thresholding"
_SOFT_MISTAKES = (
    Mistake("crosses_zero",
            "soft-thresholding must stop at zero: entries with |x| <= t become exactly 0 (sign(x) * "
            "max(|x| - "
            "t, 0)); x - t * sign(x) pushes them across zero", _elementwise(lambda x, t: x - t * np.sign(x)),
            section=_SOFT),
    Mistake("hard_threshold",
            "this is hard thresholding (keep x when |x| > t, else 0): soft-thresholding also shrinks the "
            "kept "
            "entries by t, sign(x) * max(|x| - t, 0)",
            _elementwise(lambda x, t: np.where(np.abs(x) > t, x, 0.0)), section=_SOFT),
    Mistake("one_sided",
            "negative entries are lost: soft-thresholding is odd, S_t(-x) = -S_t(x); use sign(x) * "
            "max(|x| - t, 0)", _elementwise(lambda x, t: np.maximum(x - t, 0.0)), section=_SOFT),
    Mistake("sign_lost",
            "the sign is lost: max(|x| - t, 0) is the size of the result; multiply it by sign(x), so that "
            "negative entries stay negative", _elementwise(lambda x, t: np.maximum(np.abs(x) - t, 0.0)),
            section=_SOFT),
    Mistake("sign_flipped",
            "the sign looks flipped (you return minus the expected value): S_t(x) has the sign of x, "
            "sign(x) * max(|x| - t, "
            "0)", _elementwise(lambda x, t: -np.sign(x) * np.maximum(np.abs(x) - t, 0)),
            section=_SOFT),
    Mistake("clipped",
            "this clips x to [-t, t] (np.clip(x, -t, t)), which keeps the part that soft-thresholding "
            "removes: "
            "S_t(x) = x - clip(x, -t, t) = sign(x) * max(|x| - t, 0)",
            _elementwise(lambda x, t: np.clip(x, -t, t)), section=_SOFT),
    Mistake("l2_shrinkage",
            "this shrinks every entry in proportion, x / (1 + t), like the L2 penalty (whose proximal step "
            "never gives zeros): soft-thresholding subtracts t from |x| and stops at 0",
            _elementwise(lambda x, t: x / (1 + t)), section="regularization#reg-l1"),
)


def check_soft_threshold(soft_threshold: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``soft_threshold(x, t)`` :math:`= \operatorname{sign}(x)\max(|x| - t, 0)` elementwise.

    Against :func:`coursekit.regularization.soft_threshold`: random arrays, ``t = 0``, a threshold above
    every entry, entries exactly at :math:`\pm t`, an array of thresholds, a 2-D array, float32. The
    mistakes it names are ``MISTAKES["soft_threshold"]``.
    Use: ``assert grading.check_soft_threshold(soft_threshold)``.
    """
    rng = as_rng(rng)
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
    return compare(soft_threshold, _regularization().soft_threshold, cases, name="soft_threshold",
                   mistakes=MISTAKES["soft_threshold"], depends=_hw2_stand_ins())


def _prox_variant(rule: Callable) -> Callable:
    st = _regularization().soft_threshold
    return lambda w, gw, s, a: rule(st, _f(w), _f(gw), s, a)


_PROX = "regularization#subgradient-descent-does-not-find-the-zeros-proximal-gradient-does"
_PROX_MISTAKES = (
    Mistake("threshold_not_scaled",
            "the threshold of the proximal step is step * alpha (the proximal operator of step * alpha "
            "||w||_1), not alpha", _prox_variant(lambda st, w, g, s, a: st(w - s * g, a)), section=_PROX),
    Mistake("gradient_not_scaled",
            "the gradient step is w - step * grad_w: the gradient is multiplied by the step size before it "
            "is subtracted", _prox_variant(lambda st, w, g, s, a: st(w - g, s * a)), section=_PROX),
    Mistake("shrink_before_step",
            "take the gradient step first, then soft-threshold the result: soft_threshold(w - step * grad_w, "
            "step * alpha)", _prox_variant(lambda st, w, g, s, a: st(w, s * a) - s * g), section=_PROX),
    Mistake("no_gradient_step",
            "the gradient step is missing: the proximal step soft-thresholds w - step * grad_w, not w",
            _prox_variant(lambda st, w, g, s, a: st(w, s * a)), section=_PROX),
    Mistake("no_threshold",
            "the soft-thresholding is missing: after the gradient step w - step * grad_w, apply "
            "soft_threshold with the threshold step * alpha (this is what makes weights exactly 0)",
            _prox_variant(lambda st, w, g, s, a: w - s * g), section=_PROX),
    Mistake("subgradient_not_prox",
            "a subgradient step w - step * (grad + alpha * sign(w)) never makes exact zeros: take the "
            "gradient "
            "step on the smooth part, then soft-threshold (the proximal step)",
            _prox_variant(lambda st, w, g, s, a: w - s * (g + a * np.sign(w))), section=_PROX),
    Mistake("ascent", "the gradient step goes uphill: it is w - step * grad_w",
            _prox_variant(lambda st, w, g, s, a: st(w + s * g, s * a)), section=_PROX),
)


def check_proximal_step(proximal_step: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``proximal_step(w, grad_w, step, alpha)`` :math:`= S_{s\alpha}(w - s\,\nabla)`, one step of
    proximal gradient for the L1 penalty :math:`\alpha\|w\|_1` (step :math:`s`).

    Against ``coursekit.regularization.proximal_gradient_step(w, grad_w, step, alpha)``; the notebook's
    ``soft_threshold`` is replaced by a correct one during the check. The mistakes it names are
    ``MISTAKES["proximal_step"]``. Use: ``assert grading.check_proximal_step(proximal_step)``.
    """
    rng = as_rng(rng)
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
    return compare(proximal_step, _prox_step_ref, cases, name="proximal_step",
                   mistakes=MISTAKES["proximal_step"], depends=_hw2_stand_ins())


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


def _ista_variant(X, y, alpha, step, n_steps, w0=None, b0=0.0, *, update_b=True, sequential=False,
                  data_scale=1.0):
    """ISTA written as a loop with a known slip: the intercept not updated, or updated with the gradient at
    the new w (``sequential``), or the data gradient multiplied by ``data_scale`` (a sum: n)."""
    X = _f(X)
    st = _regularization().soft_threshold
    w = np.zeros(X.shape[1]) if w0 is None else _f(w0).copy()
    b = float(b0)
    scale = X.shape[0] if data_scale == "n" else data_scale
    for _ in range(int(n_steps)):
        gw, gb = _l2_grad_ref(w, b, X, y)
        w = st(w - step * scale * gw, step * alpha)
        if sequential:
            gb = _l2_grad_ref(w, b, X, y)[1]
        if update_b:
            b = b - step * scale * gb
    return w, b


def _modified_in_place(m: Mismatch) -> bool:
    """The returned (w, b) are right: the input failed because w0 was changed in place."""
    return m.error is None and m.close(m.got, m.expected)


def _lasso_variant(**kw: Any) -> Callable:
    return lambda X, y, alpha, step, n_steps, w0=None, b0=0.0: _lasso_ref(X, y, alpha, step, n_steps, w0, b0,
                                                                           **kw)


def _loop_variant(**kw: Any) -> Callable:
    return lambda X, y, alpha, step, n_steps, w0=None, b0=0.0: _ista_variant(X, y, alpha, step, n_steps, w0,
                                                                             b0, **kw)


_LASSO_MISTAKES = (
    Mistake("penalized_intercept",
            "the intercept appears to be penalized: soft-threshold w only; b takes a plain gradient step, "
            "b - step * gb", _lasso_variant(penalize_b=True), section=_INTERCEPT),
    Mistake("smooth_part_penalized",
            "the gradient step must use the gradient of the mean cross-entropy alone (logistic_loss_grad(w, "
            "b, X, y), alpha = 0): the L1 penalty acts only through the soft-thresholding; passing alpha to "
            "logistic_loss_grad adds an L2 penalty",
            lambda X, y, a, s, k, w0=None, b0=0.0: _lasso_ref(X, y, a, s, k, w0, b0, smooth_alpha=a),
            section=_PROX),
    Mistake("subgradient_not_prox",
            "a subgradient step w - step * (grad + alpha * sign(w)) never makes exact zeros: take the "
            "gradient "
            "step on the smooth part, then soft-threshold (the proximal "
            "step)", _lasso_variant(subgradient=True),
            section=_PROX),
    Mistake("ignores_start",
            "start from w0 and b0 when they are given (w0=None means zeros): the warm start of the path "
            "relies on it", lambda X, y, alpha, step, n_steps, w0=None, b0=0.0: _lasso_ref(X, y, alpha, step,
                                                                                          n_steps),
            section="regularization#reg-path"),
    Mistake("intercept_not_updated",
            "the intercept never changes: update it at every step too, b = b - step * gb (a plain gradient "
            "step, not thresholded)", _loop_variant(update_b=False), section=_INTERCEPT),
    Mistake("intercept_at_new_w",
            "the intercept is updated with the gradient at the NEW w: compute both gradients at the current "
            "(w, b) first, then update w and b together", _loop_variant(sequential=True), section=_PROX),
    Mistake("gradient_summed",
            "the gradient step uses the sum over the samples, X^T (p - y): the loss is a mean, so its "
            "gradient "
            "is X^T (p - y) / n (use logistic_loss_grad)", _loop_variant(data_scale="n"),
            section="regularization#reg-objective"),
    Mistake("ascent", "the gradient step goes uphill: it is w - step * grad_w (and b - step * gb)",
            _lasso_variant(sign=-1.0), section=_PROX),
    Mistake("modifies_w0",
            "w0 is changed in place (the result is right, but the caller's array is not): start from a copy, "
            "w = np.array(w0, dtype=float), since the path passes its previous solution as w0",
            detect=_modified_in_place, section="regularization#reg-path"),
)


def check_lasso_logistic(lasso_logistic: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0) -> (w, b)``: ``n_steps`` steps
    of proximal gradient (ISTA) on :math:`\frac1n\sum_i[\log(1+e^{z_i}) - y_i z_i] + \alpha\|w\|_1`,

    .. math::

        w \leftarrow S_{s\alpha}\big(w - s\,\nabla_w L(w, b)\big), \qquad
        b \leftarrow b - s\,\partial_b L(w, b),

    both gradients taken at the current :math:`(w, b)`, from :math:`(w_0, b_0)` (zeros when ``w0`` is
    None). Against :func:`coursekit.regularization.ista` on :math:`(w, b)` with the intercept unpenalized;
    the notebook's ``logistic_loss_grad``, ``soft_threshold`` and ``proximal_step`` are replaced by correct
    ones during the check. The mistakes it names are ``MISTAKES["lasso_logistic"]``.
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
    return compare(lasso_logistic, _lasso_ref, cases, name="lasso_logistic",
                   mistakes=MISTAKES["lasso_logistic"], depends=_hw2_stand_ins())


def _path_variant(order: str = "given", **kw: Any) -> Callable:
    """The path with a known slip: cold or half-warm starts (``kw``), or run over the alphas sorted
    increasingly (``order="sorted"``, returned in that order) or reversed (``"reversed"``, returned in the
    given order)."""
    def variant(X, y, alphas, step, n_steps):
        a = _f(alphas)
        if order == "sorted":
            return _lasso_path_ref(X, y, np.sort(a), step, n_steps, **kw)
        if order == "reversed":
            coefs, intercepts = _lasso_path_ref(X, y, a[::-1], step, n_steps, **kw)
            return coefs[::-1], intercepts[::-1]
        return _lasso_path_ref(X, y, a, step, n_steps, **kw)
    return variant


_PATH = "regularization#reg-path"
_PATH_MISTAKES = (
    Mistake("cold_start",
            "warm start: start each fit from the previous alpha's solution (w0=w, b0=b); here every fit "
            "seems "
            "to start from zero", _path_variant(warm_w=False, warm_b=False), section=_PATH),
    Mistake("intercept_not_warm_started",
            "warm-start the intercept too: pass b0 = the previous intercept, not 0",
            _path_variant(warm_b=False), section=_PATH),
    Mistake("weights_not_warm_started",
            "warm-start the weights too: pass w0 = the previous weights (only the intercept seems to be "
            "carried "
            "over)", _path_variant(warm_w=False), section=_PATH),
    Mistake("alphas_sorted",
            "the alphas are sorted increasingly: keep the order given (from the largest alpha, where every "
            "weight is 0, to the smallest), one row per alpha in that order", _path_variant("sorted"),
            section=_PATH),
    Mistake("path_from_smallest",
            "the path runs from the smallest alpha to the largest: fit the alphas in the order given (from "
            "the largest), each warm-started from the previous, larger alpha", _path_variant("reversed"),
            section=_PATH),
    Mistake("coefs_transposed",
            "coefs looks transposed: return one ROW per alpha, shape (m, d) = (len(alphas), n_features), "
            "np.array(coefs) without .T", lambda *a: (_lasso_path_ref(*a)[0].T, _lasso_path_ref(*a)[1]),
            section=_PATH),
    Mistake("last_fit_only",
            "only the last fit is returned: collect every alpha's (w, b) in lists and return them all, "
            "coefs of shape (m, d) and intercepts of shape (m,)",
            lambda *a: tuple(v[-1] for v in _lasso_path_ref(*a)), section=_PATH),
)


def check_lasso_path(lasso_path: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``lasso_path(X, y, alphas, step, n_steps) -> (coefs (m, d), intercepts (m,))``: for the alphas
    in the order given (from the largest), ``lasso_logistic`` started from the previous alpha's
    :math:`(w, b)` (zeros for the first). The notebook's ``lasso_logistic`` is replaced by a correct one
    during the check. The mistakes it names are ``MISTAKES["lasso_path"]``.
    Use: ``assert grading.check_lasso_path(lasso_path)``.
    """
    rng = as_rng(rng)
    X1, y1 = _lasso_problem(rng, 40, 6)
    X2, y2 = _lasso_problem(rng, 30, 4, rate=0.75)
    X3, y3 = _lasso_problem(rng, 50, 7, rate=0.25)
    cases = [
        Case("n=40, d=6, 5 alphas from 0.2 to 0.005, 10 steps each",
             (X1, y1, np.array([0.2, 0.1, 0.05, 0.02, 0.005]), 0.5, 10)),
        Case("n=30, d=4, 3 alphas, 25 steps each", (X2, y2, [0.1, 0.03, 0.01], 0.8, 25)),
        Case("n=50, d=7, 4 alphas from 0.08 to 0.002, 15 steps each",
             (X3, y3, np.array([0.08, 0.03, 0.01, 0.002]), 0.6, 15)),
        Case("one alpha", (X2, y2, np.array([0.05]), 0.5, 12)),
    ]
    return compare(lasso_path, _lasso_path_ref, cases, name="lasso_path", mistakes=MISTAKES["lasso_path"],
                   depends=_hw2_stand_ins())


# ---------------------------------------------------------------------------------- choosing alpha


def _first_best(alphas, val_scores):
    """np.argmax: the first best alpha in the given order."""
    return float(_f(alphas)[int(np.argmax(_f(val_scores)))])


def _last_best(alphas, val_scores):
    """A loop with ``score >= best``: the last best alpha in the given order."""
    s = _f(val_scores)
    return float(_f(alphas)[int(np.flatnonzero(s == s.max())[-1])])


def _best_index(alphas, val_scores):
    """``np.argmax(val_scores)``: the position of the (first) best score, not its alpha."""
    return int(np.argmax(_f(val_scores)))


_CHOOSE = "regularization#reg-choose"
_CHOOSE_MISTAKES = (
    Mistake("lowest_score",
            "you pick the alpha with the LOWEST validation score; pick the highest (np.argmax)",
            lambda a, s: _best_alpha(a, s, pick=np.min), section=_CHOOSE),
    Mistake("tie_first_in_order",
            "on a tie, return the largest alpha (the simplest of the equally good models): with the alphas "
            "in increasing order np.argmax returns the smallest", _first_best, section=_CHOOSE),
    Mistake("tie_last_in_order",
            "on a tie, return the largest alpha (the simplest of the equally good models): keeping the last "
            "best one (score >= best) gives the smallest when the alphas decrease", _last_best,
            section=_CHOOSE),
    Mistake("tie_smallest_alpha",
            "on a tie, return the largest alpha (the simplest of the equally good models), not the smallest",
            lambda a, s: _best_alpha(a, s, tie=np.min), section=_CHOOSE),
    Mistake("returns_index", "return the alpha itself (alphas[i]), not its position i", _best_index,
            section=_CHOOSE),
    Mistake("returns_score", "this is the best validation SCORE: return the alpha that achieves it",
            lambda a, s: float(np.max(_f(s))), section=_CHOOSE),
)


def check_choose_alpha(choose_alpha: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``choose_alpha(alphas, val_scores) -> alpha``: the alpha with the highest validation score, the
    largest such alpha on a tie. Alphas in decreasing, increasing and no order, ties, one alpha, lists.
    The mistakes it names are ``MISTAKES["choose_alpha"]``.
    Use: ``assert grading.check_choose_alpha(choose_alpha)``.
    """
    rng = as_rng(rng)
    alphas = np.logspace(-1, -4, 7)
    scores = np.round(rng.uniform(0.6, 0.8, size=7), 3)
    scores[2] = 0.85
    up = np.sort(rng.choice(np.logspace(-4, 0, 9), size=5, replace=False))
    rest = rng.permutation(np.logspace(-3, 0, 6)[1:-1])
    mixed = np.array([1.0, *rest[:2], 1e-3, *rest[2:]])  # the largest alpha first, the smallest later
    mixed_scores = np.round(rng.uniform(0.5, 0.7, size=6), 3)
    mixed_scores[[0, 3]] = 0.8
    cases = [
        Case("7 alphas (decreasing), one best score", (alphas, scores)),
        Case("alphas increasing, a tie for the best score", (np.array([0.001, 0.01, 0.1, 1.0]),
                                                             np.array([0.74, 0.76, 0.76, 0.65]))),
        Case("alphas decreasing, a three-way tie", (np.array([1.0, 0.3, 0.1, 0.03, 0.01]),
                                                    np.array([0.6, 0.7, 0.7, 0.7, 0.69]))),
        Case("alphas increasing, a tie between the 2nd and the last",
             (up, np.array([0.6, 0.9, 0.7, 0.8, 0.9]))),
        Case("alphas in no order, the largest and the smallest tie", (mixed, mixed_scores)),
        Case("the best score at the last alpha", (alphas[:4], np.array([0.5, 0.6, 0.7, 0.8]))),
        Case("one alpha", (np.array([0.02]), np.array([0.7]))),
        Case("plain lists", ([0.5, 0.05, 0.005], [0.71, 0.7, 0.73])),
    ]
    return compare(choose_alpha, _best_alpha, cases, name="choose_alpha", mistakes=MISTAKES["choose_alpha"],
                   depends=_hw2_stand_ins())


def _path_accuracies(coefs, intercepts, X, y) -> np.ndarray:
    """Accuracy of every model of the path on (X, y) (positive when X w + b >= 0)."""
    X, y = _f(X), np.asarray(y).ravel()
    return np.mean(((X @ _f(coefs).T + _f(intercepts).ravel()) >= 0) == y[:, None], axis=0)


def _best_on(which: str, pick: Callable = np.max) -> Callable:
    """The choices (all the tied alphas) of a rule that picks by ``pick`` the accuracy on ``which`` set."""
    def choices(alphas, coefs, intercepts, X_val, y_val, X_test, y_test, X_train=None, y_train=None):
        X, y = {"val": (X_val, y_val), "test": (X_test, y_test), "train": (X_train, y_train)}[which]
        if X is None or y is None:
            return None
        acc = _path_accuracies(coefs, intercepts, X, y)
        return _f(alphas).ravel()[acc == pick(acc)]
    return choices


def _best_position(alphas, coefs, intercepts, X_val, y_val, *rest):
    """``np.argmax(acc_val)``: the position of the best alpha, not the alpha."""
    acc = _path_accuracies(coefs, intercepts, X_val, y_val)
    return np.flatnonzero(acc == acc.max()).astype(float)


_CHOSEN_MISTAKES = (
    Mistake("chosen_on_test",
            "alpha was chosen on the test set: it is the best alpha on the TEST reviews. The test set must "
            "play "
            "no part in any choice (it is used once, at the end, to report the chosen model); choose with "
            "the "
            "validation accuracies, choose_alpha(alphas, acc_val)", _best_on("test"), section=_OVF_VAL),
    Mistake("chosen_on_training",
            "alpha was chosen on the training set: it is the best alpha on the reviews the path was fitted "
            "on, "
            "which always prefer the weakest penalty. Choose with the validation accuracies, "
            "choose_alpha(alphas, acc_val)", _best_on("train"), section=_OVF_VAL),
    Mistake("lowest_validation_accuracy",
            "this alpha has the LOWEST validation accuracy of the path: choose the highest, "
            "choose_alpha(alphas, acc_val)", _best_on("val", np.min), section=_CHOOSE),
    Mistake("position_not_alpha",
            "this is the position of the best alpha in `alphas` (np.argmax gives an index): take the alpha "
            "itself, alphas[i], or use choose_alpha(alphas, acc_val)", _best_position, section=_CHOOSE),
)

FEW_MISTAKES = {
    "chosen_alpha": "the part is one value, `alpha_best`, checked once on the notebook's own reviews: it has "
                    "no hidden inputs and no secret seed, and its realistic mistakes are the data set (test, "
                    "training) or the rule (lowest accuracy, a position) the choice was made with; its tests "
                    "run each mistake on 20 seeded paths instead",
}
"""Parts whose catalogue holds fewer than the usual six mistakes, and why."""


def check_chosen_alpha(alpha_best: Any, alphas: Any, coefs: Any, intercepts: Any, X_val: Any, y_val: Any,
                       X_test: Any, y_test: Any, X_train: Any = None, y_train: Any = None) -> bool:
    r"""Check that ``alpha_best`` was chosen on the **validation** set: it must be one of ``alphas`` whose
    model (``coefs[i]``, ``intercepts[i]``) has the highest validation accuracy (any of them on a tie).

    The accuracies of the rule "positive when :math:`Xw + b \ge 0`" are recomputed here on the validation,
    test (and training) sets; a wrong choice is compared with the choices of ``MISTAKES["chosen_alpha"]``
    (the best alpha on the test or the training set, the worst on validation, a position): one that alone
    explains it is named, several that explain it are listed as possible causes.
    Use: ``assert grading.check_chosen_alpha(alpha_best, alphas, coefs, intercepts, X_val, y_val, X_test,
    y_test, X_train, y_train)``.
    """
    from coursekit.sections import read_more

    data = (_f(alphas).ravel(), _f(coefs), _f(intercepts).ravel(), X_val, y_val, X_test, y_test, X_train,
            y_train)
    alphas = data[0]
    if np.ndim(alpha_best) != 0 or isinstance(alpha_best, str | bool) or alpha_best is None:
        raise AssertionError(f"`alpha_best` must be one number, one of `alphas`; got "
                             f"{summarize(alpha_best)}")
    chosen = float(alpha_best)
    found = np.flatnonzero(np.isclose(alphas, chosen, rtol=1e-9, atol=0.0))
    right = _best_on("val")(*data)
    if np.isclose(right, chosen, rtol=1e-9, atol=0.0).any():
        return True
    val_acc = _path_accuracies(*data[1:5])
    best = f"the best validation accuracy is {val_acc.max():.4f}, at alpha = {right.max():.6g}"
    if found.size == 0:
        lines = [f"`alpha_best` = {chosen:.6g} is not one of `alphas` ({summarize(alphas)}): choose one of "
                 f"the alphas of the path; {best}."]
    else:
        lines = [f"`alpha_best` = {alphas[found[0]]:.6g} has validation accuracy {val_acc[found[0]]:.4f}, "
                 f"which is not the best: {best}."]
    causes = []
    for m in MISTAKES["chosen_alpha"]:
        choices = m.variant(*data)
        if choices is not None and np.isclose(choices, chosen, rtol=1e-9, atol=0.0).any():
            causes.append(m)
    if len(causes) == 1:
        lines += [MESSAGE_HINT + causes[0].hint, read_more(causes[0].section)]
    elif causes:
        lines += ["Possible causes (these data sets do not tell them apart):"]
        lines += [f"  - {m.hint}" for m in causes]
    else:
        lines += ["Use choose_alpha(alphas, acc_val) with the validation accuracies."]
    raise AssertionError("\n".join(lines))


MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "degree_errors": _DEGREE_MISTAKES,
    "logistic_loss": _LOSS_MISTAKES,
    "logistic_loss_grad": _GRAD_MISTAKES,
    "soft_threshold": _SOFT_MISTAKES,
    "proximal_step": _PROX_MISTAKES,
    "lasso_logistic": _LASSO_MISTAKES,
    "lasso_path": _PATH_MISTAKES,
    "choose_alpha": _CHOOSE_MISTAKES,
    "chosen_alpha": _CHOSEN_MISTAKES,
}
"""The catalogue of realistic mistakes of each part of hw2-regularization (by grade id), named by the checks
when the hidden inputs separate them (see :func:`coursekit.grading.engine.compare`)."""
