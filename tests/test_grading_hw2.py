"""coursekit.grading, hw2-regularization checks: correct formulations pass, each known mistake is named, a
mistake in one graded function costs only its own part, and the references the checks use agree with
scikit-learn.

Student code is executed in a fresh namespace named ``__main__``, as in a notebook kernel.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from coursekit import grading
from coursekit.grading import checks_hw2

PRELUDE = """
import math
import numpy as np
from coursekit.data import StandardScaler, polynomial_features
"""

# The instructor's answers (the same as in solutions/hw2-regularization), one cell each.
SOLUTION = {
    "degree_errors": """
def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    train_err, val_err = [], []
    for degree in degrees:
        F_train = polynomial_features(X_train, degree)
        scaler = StandardScaler().fit(F_train)
        F_train, F_val = scaler.transform(F_train), scaler.transform(polynomial_features(X_val, degree))
        w, b = fit(F_train, y_train)
        train_err.append(np.mean((F_train @ w + b >= 0) != y_train))
        val_err.append(np.mean((F_val @ w + b >= 0) != y_val))
    return np.array(train_err), np.array(val_err)
""",
    "logistic_loss": """
def logistic_loss(w, b, X, y, alpha=0.0):
    z = X @ w + b
    return float(np.mean(np.logaddexp(0, z) - y * z) + alpha / 2 * np.sum(w ** 2))
""",
    "logistic_loss_grad": """
def logistic_loss_grad(w, b, X, y, alpha=0.0):
    p = np.exp(-np.logaddexp(0, -(X @ w + b)))
    r = (p - y) / X.shape[0]
    return X.T @ r + alpha * w, float(np.sum(r))
""",
    "soft_threshold": """
def soft_threshold(x, t):
    return np.sign(x) * np.maximum(np.abs(x) - t, 0)
""",
    "proximal_step": """
def proximal_step(w, grad_w, step, alpha):
    return soft_threshold(w - step * grad_w, step * alpha)
""",
    "lasso_logistic": """
def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    for _ in range(n_steps):
        gw, gb = logistic_loss_grad(w, b, X, y)
        w, b = proximal_step(w, gw, step, alpha), b - step * gb
    return w, b
""",
    "lasso_path": """
def lasso_path(X, y, alphas, step, n_steps):
    w, b = None, 0.0
    coefs, intercepts = [], []
    for alpha in alphas:
        w, b = lasso_logistic(X, y, alpha, step, n_steps, w0=w, b0=b)
        coefs.append(w)
        intercepts.append(b)
    return np.array(coefs), np.array(intercepts)
""",
    "choose_alpha": """
def choose_alpha(alphas, val_scores):
    alphas, val_scores = np.asarray(alphas, dtype=float), np.asarray(val_scores, dtype=float)
    return float(alphas[val_scores == val_scores.max()].max())
""",
}

CHECKS = {
    "degree_errors": grading.check_degree_errors, "logistic_loss": grading.check_l2_logistic_loss,
    "logistic_loss_grad": grading.check_l2_logistic_loss_grad, "soft_threshold": grading.check_soft_threshold,
    "proximal_step": grading.check_proximal_step, "lasso_logistic": grading.check_lasso_logistic,
    "lasso_path": grading.check_lasso_path, "choose_alpha": grading.check_choose_alpha,
}


def notebook(**replace: str) -> dict:
    """The namespace of a notebook holding every solution cell, with some cells replaced."""
    cells = {**SOLUTION, **replace}
    ns = {"__name__": "__main__"}
    code = PRELUDE + "\n".join(textwrap.dedent(c) for c in cells.values())
    exec(compile(code, "<student notebook>", "exec"), ns)  # noqa: S102 - test input
    return ns


def edited(part: str, old: str, new: str) -> str:
    assert SOLUTION[part].count(old) == 1, (part, old)
    return SOLUTION[part].replace(old, new)


# the graded functions that call another one (directly or not): their checks use correct stand-ins
DEPENDENTS = {"logistic_loss_grad": ("lasso_logistic", "lasso_path"),
              "soft_threshold": ("proximal_step", "lasso_logistic", "lasso_path"),
              "proximal_step": ("lasso_logistic", "lasso_path"), "lasso_logistic": ("lasso_path",)}


def failing_parts(ns: dict, parts=CHECKS) -> dict[str, str]:
    failed = {}
    for part in parts:
        check = CHECKS[part]
        try:
            check(ns[part])
        except AssertionError as exc:
            failed[part] = str(exc)
    return failed


def test_the_solution_passes_every_check():
    assert failing_parts(notebook()) == {}


ALTERNATIVES = {
    "loops and hand-made standardization": dict(
        degree_errors="""
def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    out = np.zeros((2, len(degrees)))
    for k, degree in enumerate(degrees):
        F_train, F_val = polynomial_features(X_train, degree), polynomial_features(X_val, degree)
        mean, std = F_train.mean(axis=0), F_train.std(axis=0)
        w, b = fit((F_train - mean) / std, y_train)
        for row, (F, y) in enumerate([(F_train, y_train), (F_val, y_val)]):
            z = (F - mean) / std @ w + b
            out[row, k] = sum(int(z_i >= 0) != y_i for z_i, y_i in zip(z, y)) / len(y)
    return out[0], out[1]
""",
        logistic_loss="""
def logistic_loss(w, b, X, y, alpha=0.0):
    total = 0.0
    for x_i, y_i in zip(X, y):
        z = float(x_i @ w + b)
        total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y_i * z
    return total / len(y) + 0.5 * alpha * sum(float(v) ** 2 for v in w)
""",
        logistic_loss_grad="""
def logistic_loss_grad(w, b, X, y, alpha=0.0):
    n, d = X.shape
    gw, gb = np.zeros(d), 0.0
    for i in range(n):
        z = float(X[i] @ w + b)
        p = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        gw += (p - y[i]) * X[i] / n
        gb += (p - y[i]) / n
    return gw + alpha * np.asarray(w, dtype=float), gb
""",
        soft_threshold="""
def soft_threshold(x, t):
    x = np.asarray(x, dtype=float)
    t = np.broadcast_to(np.asarray(t, dtype=float), x.shape)
    out = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        out[i] = x[i] - t[i] if x[i] > t[i] else (x[i] + t[i] if x[i] < -t[i] else 0.0)
    return out
""",
        lasso_logistic="""
def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    n, d = X.shape
    w, b = (np.zeros(d) if w0 is None else np.array(w0, dtype=float)), float(b0)
    for _ in range(n_steps):
        p = np.exp(-np.logaddexp(0, -(X @ w + b)))
        v, gb = w - step * X.T @ (p - y) / n, np.mean(p - y)
        t = step * alpha
        w = np.array([v_j - math.copysign(t, v_j) if abs(v_j) > t else 0.0 for v_j in v])
        b = b - step * gb
    return w, b
""",
        choose_alpha="""
def choose_alpha(alphas, val_scores):
    best_alpha, best_score = None, -np.inf
    for alpha, score in zip(alphas, val_scores):
        if score > best_score or (score == best_score and alpha > best_alpha):
            best_alpha, best_score = alpha, score
    return best_alpha
"""),
    "other formulas": dict(
        logistic_loss="""
def logistic_loss(w, b, X, y, alpha=0.0):
    margins = (2 * y - 1) * (X @ w + b)
    return float(np.logaddexp(0, -margins).sum() / len(y) + 0.5 * alpha * (w @ w))
""",
        logistic_loss_grad="""
def logistic_loss_grad(w, b, X, y, alpha=0.0):
    p = 0.5 * (1 + np.tanh((X @ w + b) / 2))
    return (X.T @ (p - y)) / len(y) + alpha * w, float((p - y).mean())
""",
        soft_threshold="def soft_threshold(x, t):\n    return x - np.clip(x, -t, t)\n",
        proximal_step="""
def proximal_step(w, grad_w, step, alpha):
    v = w - step * grad_w
    return np.where(np.abs(v) > step * alpha, v - np.sign(v) * step * alpha, 0.0)
""",
        lasso_path="""
def lasso_path(X, y, alphas, step, n_steps):
    coefs, intercepts = np.zeros((len(alphas), X.shape[1])), np.zeros(len(alphas))
    w, b = np.zeros(X.shape[1]), 0.0
    for k, alpha in enumerate(alphas):
        w, b = lasso_logistic(X, y, alpha, step, n_steps, w, b)
        coefs[k], intercepts[k] = w, b
    return coefs, intercepts
""",
        choose_alpha="""
def choose_alpha(alphas, val_scores):
    order = np.argsort(-np.asarray(alphas), kind="stable")
    return np.asarray(alphas)[order][np.argmax(np.asarray(val_scores)[order])]
"""),
}


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_correct_alternatives_pass_every_check(name):
    assert failing_parts(notebook(**ALTERNATIVES[name])) == {}


# (part, old, new, phrase of the diagnosis): each mistake fails its own check only, and is named.
MISTAKES = [
    ("degree_errors", "scaler.transform(polynomial_features(X_val, degree))",
     "StandardScaler().fit_transform(polynomial_features(X_val, degree))", "scaler fitted on the TRAINING"),
    ("degree_errors",
     "F_train, F_val = scaler.transform(F_train), scaler.transform(polynomial_features(X_val, degree))",
     "F_val = polynomial_features(X_val, degree)", "standardize the polynomial features"),
    ("degree_errors", "return np.array(train_err), np.array(val_err)",
     "return 1 - np.array(train_err), 1 - np.array(val_err)", "these look like accuracies"),
    ("degree_errors", "return np.array(train_err), np.array(val_err)",
     "return np.array(val_err), np.array(train_err)", "return (train_errors, val_errors)"),
    ("degree_errors", "np.mean((F_val @ w + b >= 0) != y_val)", "np.mean((F_train @ w + b >= 0) != y_train)",
     "the validation errors equal the training errors"),
    ("degree_errors", "train_err.append(np.mean((F_train @ w + b >= 0) != y_train))\n        "
     "val_err.append(np.mean((F_val @ w + b >= 0) != y_val))",
     "train_err.append(np.mean((F_train @ w + b >= 0.5) != y_train))\n        "
     "val_err.append(np.mean((F_val @ w + b >= 0.5) != y_val))", "(not z >= 0.5)"),
    ("logistic_loss", "alpha / 2 * np.sum(w ** 2)", "alpha / 2 * (np.sum(w ** 2) + b ** 2)",
     "intercept appears to be penalized"),
    ("logistic_loss", "alpha / 2 * np.sum(w ** 2)", "alpha * np.sum(w ** 2)", "twice too large"),
    ("logistic_loss", " + alpha / 2 * np.sum(w ** 2)", "", "the L2 penalty is missing"),
    ("logistic_loss", "alpha / 2 * np.sum(w ** 2)", "alpha * np.sum(np.abs(w))", "this is the L1 penalty"),
    ("logistic_loss", "np.mean(np.logaddexp(0, z) - y * z)", "np.sum(np.logaddexp(0, z) - y * z)",
     "the data term is the sum over the samples"),
    ("logistic_loss", "np.mean(np.logaddexp(0, z) - y * z)", "np.mean(np.log(1 + np.exp(z)) - y * z)",
     "not numerically stable"),
    ("logistic_loss", "np.mean(np.logaddexp(0, z) - y * z)", "np.mean(y * z - np.logaddexp(0, z))",
     "the data term has the wrong sign"),
    ("logistic_loss", "z = X @ w + b", "z = X @ w", "intercept b seems to be ignored"),
    ("logistic_loss_grad", "float(np.sum(r))", "float(np.sum(r)) + alpha * b",
     "intercept appears to be penalized"),
    ("logistic_loss_grad", "X.T @ r + alpha * w", "X.T @ r + alpha / 2 * w", "you seem to add (alpha/2)"),
    ("logistic_loss_grad", "X.T @ r + alpha * w", "X.T @ r + 2 * alpha * w", "you seem to add 2 * alpha"),
    ("logistic_loss_grad", "X.T @ r + alpha * w", "X.T @ r", "the L2 penalty is missing"),
    ("logistic_loss_grad", "r = (p - y) / X.shape[0]", "r = p - y", "divide X^T (p - y) and sum(p - y) by n"),
    ("logistic_loss_grad", "r = (p - y) / X.shape[0]", "r = (y - p) / X.shape[0]",
     "the data term has the wrong"),
    ("logistic_loss_grad", "(X @ w + b)", "(X @ w)", "intercept b seems to be ignored"),
    ("soft_threshold", "np.sign(x) * np.maximum(np.abs(x) - t, 0)", "x - t * np.sign(x)",
     "must stop at zero"),
    ("soft_threshold", "np.sign(x) * np.maximum(np.abs(x) - t, 0)", "np.where(np.abs(x) > t, x, 0)",
     "this is hard thresholding"),
    ("soft_threshold", "np.sign(x) * np.maximum(np.abs(x) - t, 0)", "np.maximum(x - t, 0)",
     "negative entries are lost"),
    ("soft_threshold", "np.sign(x) * np.maximum(np.abs(x) - t, 0)",
     "-np.sign(x) * np.maximum(np.abs(x) - t, 0)", "the sign looks flipped"),
    ("proximal_step", "step * alpha)", "alpha)", "the threshold of the proximal step is step * alpha"),
    ("proximal_step", "soft_threshold(w - step * grad_w, step * alpha)",
     "soft_threshold(w, step * alpha) - step * grad_w", "take the gradient step first"),
    ("proximal_step", "soft_threshold(w - step * grad_w, step * alpha)",
     "w - step * (grad_w + alpha * np.sign(w))", "a subgradient step"),
    ("proximal_step", "w - step * grad_w", "w + step * grad_w", "the gradient step goes uphill"),
    ("lasso_logistic", "logistic_loss_grad(w, b, X, y)", "logistic_loss_grad(w, b, X, y, alpha)",
     "adds an L2 penalty"),
    ("lasso_logistic", "b - step * gb", "proximal_step(b, gb, step, alpha)", "soft-threshold w only"),
    ("lasso_logistic", "proximal_step(w, gw, step, alpha)", "w - step * (gw + alpha * np.sign(w))",
     "a subgradient step"),
    ("lasso_logistic",
     "w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)\n    b = float(b0)",
     "w = np.zeros(X.shape[1])\n    b = 0.0", "start from w0 and b0"),
    ("lasso_logistic", "proximal_step(w, gw, step, alpha), b - step * gb",
     "proximal_step(w, -gw, step, alpha), b + step * gb", "the gradient step goes uphill"),
    ("lasso_logistic", "np.array(w0, dtype=float)", "w0", "modifies its input arrays in place"),
    ("lasso_path", "lasso_logistic(X, y, alpha, step, n_steps, w0=w, b0=b)",
     "lasso_logistic(X, y, alpha, step, n_steps)", "warm start: start each fit from the previous"),
    ("lasso_path", "lasso_logistic(X, y, alpha, step, n_steps, w0=w, b0=b)",
     "lasso_logistic(X, y, alpha, step, n_steps, w0=w)", "warm-start the intercept too"),
    ("lasso_path", "return np.array(coefs), np.array(intercepts)",
     "return np.array(coefs).T, np.array(intercepts)", "returns shape (6, 5) but shape (5, 6) is expected"),
    ("choose_alpha", "val_scores == val_scores.max()", "val_scores == val_scores.min()",
     "the LOWEST validation"),
    ("choose_alpha", "return float(alphas[val_scores == val_scores.max()].max())",
     "return float(alphas[np.argmax(val_scores)])", "on a tie, return the largest alpha"),
    ("choose_alpha", "return float(alphas[val_scores == val_scores.max()].max())",
     "return int(np.argmax(val_scores))", "not its position i"),
]


@pytest.mark.parametrize("part, old, new, phrase", MISTAKES, ids=[f"{m[0]}: {m[2][:40]}" for m in MISTAKES])
def test_each_mistake_fails_its_own_part_with_its_diagnosis(part, old, new, phrase):
    new_code = edited(part, old, new)
    if part == "lasso_logistic" and new == "w0":  # w is w0 itself: an in-place update then modifies it
        new_code = new_code.replace("w, b = proximal_step(w, gw, step, alpha), b - step * gb",
                                    "w[:] = proximal_step(w, gw, step, alpha)\n        b = b - step * gb")
    failed = failing_parts(notebook(**{part: new_code}), (part, *DEPENDENTS.get(part, ())))
    assert list(failed) == [part], f"expected only {part} to fail, got {list(failed)}"
    message = " ".join(failed[part].split())  # messages are wrapped at 100 characters
    assert phrase in message, f"{phrase!r} not in:\n{failed[part]}"


def test_no_diagnosis_is_claimed_for_an_unrecognised_mistake():
    wrong = edited("soft_threshold", "np.sign(x) * np.maximum(np.abs(x) - t, 0)",
                   "np.sign(x) * np.maximum(np.abs(x) - 1.1 * t, 0)")
    message = failing_parts(notebook(soft_threshold=wrong))["soft_threshold"]
    assert "is not right yet" in message and grading.MESSAGE_HINT not in message


def test_a_sequential_intercept_update_is_not_plain_ista():
    """The notebook asks for both gradients at the current (w, b): updating b with the gradient at the new w
    is another algorithm, with other iterates."""
    sequential = edited("lasso_logistic", "w, b = proximal_step(w, gw, step, alpha), b - step * gb",
                        "w = proximal_step(w, gw, step, alpha)\n"
                        "        b = b - step * logistic_loss_grad(w, b, X, y)[1]")
    assert list(failing_parts(notebook(lasso_logistic=sequential))) == ["lasso_logistic"]


def test_a_mistake_in_a_helper_costs_only_its_own_part():
    ns = notebook(soft_threshold=edited("soft_threshold", "np.sign(x) * np.maximum(np.abs(x) - t, 0)",
                                        "x - t * np.sign(x)"),
                  logistic_loss_grad=edited("logistic_loss_grad", "X.T @ r + alpha * w",
                                            "X.T @ r * 2 + alpha * w"),
                  lasso_logistic=edited("lasso_logistic", "b - step * gb", "b - step * gb * 3"))
    assert sorted(failing_parts(ns)) == ["lasso_logistic", "logistic_loss_grad", "soft_threshold"]
    assert ns["soft_threshold"](np.array([0.5]), 1.0)[0] == -0.5, "the notebook's functions are restored"


# ------------------------------------------------------------------------------------------------ the choice


def _path():
    rng = np.random.default_rng(5)
    alphas = np.array([0.3, 0.1, 0.03, 0.01])
    coefs = rng.normal(size=(4, 3))
    intercepts = rng.normal(size=4) * 0.1
    X_val, X_test, X_fit = (rng.normal(size=(40, 3)) for _ in range(3))
    # labels of each set from a different model of the path: the best alpha differs between the sets
    y_val, y_test, y_fit = ((X @ coefs[i] + intercepts[i] >= 0).astype(int) for X, i in
                            ((X_val, 1), (X_test, 2), (X_fit, 3)))
    return alphas, coefs, intercepts, X_val, y_val, X_test, y_test, X_fit, y_fit


def test_check_chosen_alpha_accepts_the_choice_on_validation_data():
    alphas, coefs, intercepts, X_val, y_val, X_test, y_test, X_fit, y_fit = _path()
    args = (alphas, coefs, intercepts, X_val, y_val, X_test, y_test, X_fit, y_fit)
    assert grading.check_chosen_alpha(0.1, *args) is True
    assert grading.check_chosen_alpha(np.float64(0.1), *args) is True


@pytest.mark.parametrize("alpha_best, phrase", [
    (0.03, "alpha was chosen on the test set"),
    (0.01, "alpha was chosen on the training set"),
    (0.3, "which is not the best"),
    (0.2, "is not one of `alphas`"),
    (None, "must be one number"),
    (np.array([0.1, 0.03]), "must be one number"),
])
def test_check_chosen_alpha_names_the_data_the_choice_comes_from(alpha_best, phrase):
    with pytest.raises(AssertionError, match=phrase.replace("`", ".")):
        grading.check_chosen_alpha(alpha_best, *_path())


# ------------------------------------------------------------------------------------------------ oracles


def test_the_lasso_reference_of_the_checks_converges_to_scikit_learns_l1_logistic_regression():
    """The course's alpha is scikit-learn's 1 / (n C); neither penalizes the intercept (saga)."""
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 5))
    y = (X[:, 0] - X[:, 1] + rng.normal(size=80) > 0.5).astype(int)
    alpha = 0.03
    w, b = checks_hw2._lasso_ref(X, y, alpha, 1.0, 1000)
    import sklearn

    new_api = tuple(map(int, sklearn.__version__.split(".")[:2])) >= (1, 8)  # l1_ratio replaces penalty
    sk = SkLogisticRegression(C=1 / (len(y) * alpha), solver="saga", tol=1e-9, max_iter=100_000,
                              **(dict(l1_ratio=1.0) if new_api else dict(penalty="l1"))).fit(X, y)
    assert np.allclose(w, sk.coef_.ravel(), atol=1e-4) and np.isclose(b, sk.intercept_[0], atol=1e-4)
    assert np.array_equal(w == 0, np.abs(sk.coef_.ravel()) < 1e-6)


def test_the_degree_errors_reference_matches_scikit_learns_pipeline():
    from sklearn.preprocessing import PolynomialFeatures
    from sklearn.preprocessing import StandardScaler as SkScaler

    rng = np.random.default_rng(1)
    X_tr, X_va = rng.uniform(-1.5, 1.5, size=(50, 2)), rng.uniform(-1.5, 1.5, size=(30, 2))
    y_tr, y_va = ((X[:, 1] > X[:, 0] ** 2 - 0.5).astype(int) for X in (X_tr, X_va))
    seen = []

    def fit(F, y):
        seen.append(F)
        w = np.linalg.lstsq(np.column_stack([F, np.ones(len(y))]), 2 * y - 1.0, rcond=None)[0]
        return w[:-1], w[-1]

    train_err, val_err = checks_hw2._degree_errors_ref(X_tr, y_tr, X_va, y_va, [1, 2, 4], fit)
    for k, degree in enumerate([1, 2, 4]):
        poly = PolynomialFeatures(degree, include_bias=False)
        scaler = SkScaler().fit(poly.fit_transform(X_tr))
        F_tr, F_va = scaler.transform(poly.transform(X_tr)), scaler.transform(poly.transform(X_va))
        assert np.allclose(seen[k], F_tr)
        w, b = fit(F_tr, y_tr)
        assert train_err[k] == np.mean((F_tr @ w + b >= 0) != y_tr)
        assert val_err[k] == np.mean((F_va @ w + b >= 0) != y_va)
