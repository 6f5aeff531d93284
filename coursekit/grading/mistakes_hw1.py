"""The mistake catalogue of hw1-logistic: for every graded part, the realistic mistakes that students make,
each with the message that names it, the known-wrong computation (a *variant*, same signature as the part's
reference) or a recogniser (*detect*), and the book section that explains the idea.

Sources: the chapter's own warnings (``book/classification.md``: the overflowing sigmoid, the log of a
clipped probability, the sign of the gradient, the mean log-likelihood of the ascent, the threshold rule
``p >= t``, the costs of the two errors), the errors that the comparable courses warn about (the sign and
the averaging of the gradient, labels swapped in the cross-entropy, the layout of the confusion matrix,
precision and recall exchanged) and the ways these functions are actually written (loops over the rows,
``out = z`` aliases, ``np.unique`` of the labels, an index returned instead of a value).

The catalogue is read by :mod:`coursekit.grading.checks_hw1` (``compare(..., mistakes=MISTAKES[part])``).
Runs in the grader only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from coursekit.grading.diagnosers import Mismatch, Mistake, _unstable, _zero_division

SIGMOID = "classification#sec-stable-sigmoid"
MODEL = "classification#sec-logistic-model"
LIKELIHOOD = "classification#sec-likelihood"
ASCENT = "classification#sec-gradient-ascent"
EVALUATION = "classification#sec-evaluation"
THRESHOLD = "classification#sec-threshold"
COSTS = "classification#sec-costs"


def _linear():
    import coursekit.linear as linear

    return linear


def _metrics():
    import coursekit.metrics as metrics

    return metrics


# ------------------------------------------------------------------------------------------------------------
# Recognisers of mistakes that no variant can reproduce (an exception, a modified input, a lost output)
# ------------------------------------------------------------------------------------------------------------


def _right_output_modified_input(m: Mismatch) -> bool:
    """The output is right, so the input failed because it was modified in place."""
    return m.error is None and m.got is not None and m.close(m.got, m.expected)


def _fails_on_arrays_of_2_dims(m: Mismatch) -> bool:
    """An error, or an output of the wrong shape, on an input with two or more dimensions."""
    if not m.case.args or np.ndim(m.case.args[0]) < 2:
        return False
    return m.error is not None or np.shape(m.got) != np.shape(m.expected)


def _scores(m: Mismatch) -> np.ndarray:
    w, b, X = m.case.args[:3]
    return np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + float(b)


def _clipped_log(m: Mismatch) -> bool:
    """A wrong number on an input with large scores (``log`` of a clipped p): finite in float64 (the clip
    caps each term), where a naive log would be infinite; in float32 ``1 - 1e-12`` is 1 and the log of the
    clipped 1 - p is still -inf."""
    if m.error is not None or m.got is None or np.ndim(m.got) != 0:
        return False
    float32 = any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in m.case.args)
    if not float32 and not np.isfinite(float(m.got)):
        return False
    return bool(m.case.huge or np.max(np.abs(_scores(m))) > 20)


def _matmul_not_transposed(m: Mismatch) -> bool:
    text = str(m.error)
    return isinstance(m.error, ValueError) and ("matmul" in text or "aligned" in text)


def _not_a_threshold(m: Mismatch) -> bool:
    """The check could not use the output (it is not one of the thresholds): no value, no exception."""
    return m.error is None and m.got is None


def _nan_where_a_class_is_absent(m: Mismatch) -> bool:
    y = np.asarray(m.case.args[0])
    got = np.asarray(m.got, dtype=float) if m.got is not None and m.error is None else np.zeros(1)
    return bool(np.any(np.isnan(got)) and (np.all(y == 0) or np.all(y == 1)))


# ------------------------------------------------------------------------------------------------------------
# Variants: the mistaken computations
# ------------------------------------------------------------------------------------------------------------


def _no_intercept(b_index: int, reference: Callable[[], Callable]) -> Callable:
    def variant(*args):
        args = list(args)
        args[b_index] = 0.0
        return reference()(*args)

    return variant


def _ascent(X, y, lr=0.1, n_steps=100, *, sign=1.0, mean=True, learn_b=True, extra_steps=0,
            history=lambda h, n: h):
    """Gradient ascent as the reference, with one of the known slips switched on."""
    lin = _linear()
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    n = X.shape[0]
    w, b = np.zeros(X.shape[1]), 0.0
    h = [lin.log_likelihood(w, b, X, y)]
    for _ in range(n_steps + extra_steps):
        gw, gb = lin.log_likelihood_grad(w, b, X, y)
        step = sign * lr / (n if mean else 1)
        w, b = w + step * gw, (b + step * gb if learn_b else b)
        h.append(lin.log_likelihood(w, b, X, y))
    return w, b, history(h, n)


def _ascent_variant(**slip) -> Callable:
    return lambda X, y, lr=0.1, n_steps=100: _ascent(X, y, lr, n_steps, **slip)


def _binary_cm(y_true, y_pred, labels=(0, 1)) -> np.ndarray:
    return _metrics().confusion_matrix(y_true, y_pred, labels=list(labels))


def _pr(y_true, p, thresholds, rule=np.greater_equal, fixed: float | None = None):
    """(precision, recall) per threshold with the rule ``rule(p, t)``, 0/0 = 0 (vectorized)."""
    y, p = np.asarray(y_true), np.asarray(p, dtype=float)
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if fixed is not None:
        t = np.full_like(t, fixed)
    pred = rule(p[None, :], t[:, None])
    tp = np.sum(pred & (y == 1), axis=1)
    return tp / np.maximum(pred.sum(axis=1), 1), tp / max(int(np.sum(y == 1)), 1)


def _cost(y_true, p, threshold, cost_fn, cost_fp, rule=np.greater_equal, rates=False, conditioned=True,
          total=False):
    """The expected cost with one of the known slips switched on."""
    y, p = np.asarray(y_true), np.asarray(p, dtype=float)
    pred = rule(p, threshold)
    fn = np.sum(~pred & (y == 1)) if conditioned else np.sum(~pred)
    fp = np.sum(pred & (y == 0)) if conditioned else np.sum(pred)
    if rates:
        n_pos, n_neg = np.sum(y == 1), np.sum(y == 0)
        if n_pos == 0 or n_neg == 0:
            return None  # 0/0: the variant predicts nan, recognised by its detect
        return float(cost_fn * fn / n_pos + cost_fp * fp / n_neg)
    return float((cost_fn * fn + cost_fp * fp) / (1 if total else len(y)))


def _cost_of_pick(pick: Callable) -> Callable:
    """A variant of best_threshold: the expected cost of the threshold that ``pick`` chooses (the check
    compares costs)."""

    def variant(y_true, p, thresholds, cost_fn, cost_fp):
        ts = np.asarray(thresholds, dtype=float)
        t = ts[pick(y_true, p, ts, cost_fn, cost_fp)]
        return float(_metrics().expected_cost(y_true, p, t, cost_fn, cost_fp))

    return variant


def _argmin_cost(cost_fn: float | None = None, cost_fp: float | None = None, swap: bool = False) -> Callable:
    def pick(y, p, ts, cfn, cfp):
        a, b = (cfp, cfn) if swap else (cfn, cfp)
        a = a if cost_fn is None else cost_fn
        b = b if cost_fp is None else cost_fp
        return int(np.argmin(_metrics().expected_cost(y, p, ts, a, b)))

    return pick


# ------------------------------------------------------------------------------------------------------------
# The catalogue
# ------------------------------------------------------------------------------------------------------------

_STABLE = ("not numerically stable: for huge |z| it overflows or returns nan/inf/wrong values; use "
           "np.logaddexp(0, z) for log(1 + e^z) and a stable sigmoid (computing only e^(-|z|))")

MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "sigmoid": (
        Mistake("complement", "you return 1 - sigma(z): check the sign in the exponential, "
                "sigma(z) = 1 / (1 + e^(-z)) (in the stable form, 1 / (1 + e^(-|z|)) belongs to z >= 0)",
                lambda z: _linear().sigmoid(-np.asarray(z)), section=SIGMOID),
        Mistake("tanh_without_half", "the tanh identity is sigma(z) = (1 + tanh(z / 2)) / 2: the score "
                "inside tanh must be halved", lambda z: 0.5 * (1 + np.tanh(np.asarray(z))), section=MODEL),
        Mistake("absolute_score", "sigma(|z|) loses the sign of z: the absolute value belongs only inside "
                "the exponential e^(-|z|); for z < 0 the result is e^(-|z|) / (1 + e^(-|z|)), below 0.5",
                lambda z: _linear().sigmoid(np.abs(np.asarray(z))), section=SIGMOID),
        Mistake("only_one_dimension", "your function handles only 1-D arrays (a loop over z[i] meets whole "
                "rows of a 2-D array): use NumPy's elementwise operations, which work for any shape, or loop "
                "with np.ndindex(z.shape)", detect=_fails_on_arrays_of_2_dims, section=SIGMOID),
        Mistake("overwrites_input", "the values are right but your function writes into the array z it was "
                "given (out = z is not a copy; z[...] = or z *= changes the caller's scores): start from "
                "a new array, out = np.empty(np.shape(z))", detect=_right_output_modified_input,
                section=SIGMOID),
        Mistake("overflows", "not numerically stable: an overflow happens inside your function for huge |z| "
                "(e^(-z) for z = -1e4, or e^z for z = 1e4). Compute e^(-|z|) only (np.where evaluates both "
                "of its branches, so the unused one still overflows), or use np.logaddexp / tanh",
                detect=lambda m: bool(_unstable(m)), section=SIGMOID),
    ),
    "predict_proba": (
        Mistake("ignores_intercept", "the intercept b seems to be ignored: the scores are z = X w + b",
                _no_intercept(2, lambda: _linear().predict_proba), section=MODEL),
        Mistake("no_sigmoid", "you return the scores z = X w + b themselves: the probabilities are "
                "sigma(z) = sigmoid(X @ w + b)", lambda X, w, b=0.0: X @ w + b, section=MODEL),
        Mistake("probability_of_class_0", "you return 1 - p, the probability of class 0: predict_proba "
                "returns P(y = 1 | x) = sigma(X w + b), with the plus sign in the score",
                lambda X, w, b=0.0: _linear().predict_proba(X, -np.asarray(w), -b), section=MODEL),
        Mistake("returns_labels", "you return 0/1 labels (p >= 0.5) instead of probabilities: "
                "predict_proba returns sigma(X w + b) itself, without a threshold",
                lambda X, w, b=0.0: (_linear().predict_proba(X, w, b) >= 0.5).astype(int), section=MODEL),
        Mistake("sums_over_samples", "X * w summed over axis 0 adds up the samples (one value per feature): "
                "the score of sample i is the sum over its features, X @ w (or np.sum(X * w, axis=1))",
                lambda X, w, b=0.0: _linear().sigmoid(np.sum(X * w, axis=0) + b), section=MODEL),
        Mistake("column_vector", "you return a column (n, 1) (w used as a column vector): return a flat "
                "array of shape (n,), e.g. sigmoid(X @ w + b) with w of shape (d,)",
                lambda X, w, b=0.0: _linear().predict_proba(X, w, b)[:, None], section=MODEL),
    ),
    "log_likelihood": (
        Mistake("mean_not_sum", "returns the mean where the sum is expected: the log-likelihood is the sum "
                "over the samples (n times your value)",
                lambda w, b, X, y: _linear().log_likelihood(w, b, X, y) / len(y), section=LIKELIHOOD),
        Mistake("loss_not_likelihood", "this looks like the mean cross-entropy loss L = -l/n: this part asks "
                "for the log-likelihood l itself, a sum over the samples, with the opposite sign",
                lambda w, b, X, y: -_linear().log_likelihood(w, b, X, y) / len(y), section=LIKELIHOOD),
        Mistake("sign_flipped", "the sign looks flipped: you return -l (the loss); the log-likelihood "
                "sum_i [y_i z_i - log(1 + e^z_i)] is <= 0",
                lambda w, b, X, y: -_linear().log_likelihood(w, b, X, y), section=LIKELIHOOD),
        Mistake("ignores_intercept", "the intercept b seems to be ignored: the scores are z = X w + b",
                _no_intercept(1, lambda: _linear().log_likelihood), section=LIKELIHOOD),
        Mistake("labels_swapped", "y and 1 - y look swapped: y_i log p_i is the term of the defaults "
                "(y_i = 1), (1 - y_i) log(1 - p_i) that of the good loans",
                lambda w, b, X, y: _linear().log_likelihood(w, b, X, 1 - np.asarray(y)), section=LIKELIHOOD),
        Mistake("missing_negative_term", "the term (1 - y_i) log(1 - p_i) of the samples with y_i = 0 is "
                "missing: l = sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]",
                lambda w, b, X, y: float(np.sum(np.asarray(y) * _linear().log_sigmoid(X @ w + b))),
                section=LIKELIHOOD),
        Mistake("not_summed", "you return one term per sample: the log-likelihood is their sum, one number",
                lambda w, b, X, y: _per_sample_terms(w, b, X, y),
                section=LIKELIHOOD),
        Mistake("clipped_probabilities", "not numerically stable: clipping p to [eps, 1 - eps] before the "
                "log hides the overflow but caps every term at log(eps), whereas for z = 1e4 and y = 0 the "
                "term is -1e4; compute log(1 + e^z) with np.logaddexp(0, z)", detect=_clipped_log,
                section=SIGMOID),
        Mistake("log_overflows", _STABLE, detect=lambda m: bool(_unstable(m)), section=SIGMOID),
    ),
    "log_likelihood_grad": (
        Mistake("sign_flipped", "the gradient sign looks flipped: the gradient of the log-likelihood is "
                "X^T (y - p) and sum(y - p), not X^T (p - y)",
                lambda w, b, X, y: tuple(-np.asarray(g) for g in _linear().log_likelihood_grad(w, b, X, y)),
                section=LIKELIHOOD),
        Mistake("mean_not_sum", "returns the mean where the sum is expected: the gradient is averaged over "
                "the samples; the gradient of the log-likelihood (a sum) is X^T (y - p), not X^T (y - p) / n",
                lambda w, b, X, y: tuple(np.asarray(g) / len(y)
                                         for g in _linear().log_likelihood_grad(w, b, X, y)),
                section=LIKELIHOOD),
        Mistake("loss_gradient", "this looks like the gradient of the mean cross-entropy loss L = -l/n, "
                "X^T (p - y) / n: this part asks for the gradient of the log-likelihood l, X^T (y - p)",
                lambda w, b, X, y: tuple(-np.asarray(g) / len(y)
                                         for g in _linear().log_likelihood_grad(w, b, X, y)),
                section=LIKELIHOOD),
        Mistake("ignores_intercept", "the intercept b seems to be ignored: the scores are z = X w + b",
                _no_intercept(1, lambda: _linear().log_likelihood_grad), section=LIKELIHOOD),
        Mistake("scores_not_probabilities", "the residuals use the scores z = X w + b instead of the "
                "probabilities p = sigma(z): the gradient is X^T (y - sigma(X w + b))",
                lambda w, b, X, y: (X.T @ (y - (X @ w + b)), float(np.sum(y - (X @ w + b)))),
                section=LIKELIHOOD),
        Mistake("extra_sigmoid_derivative", "the residuals are multiplied by p (1 - p): that is the chain "
                "rule of the squared error; for the log-likelihood the sigmoid's derivative cancels, "
                "and the gradient is X^T (y - p)",
                lambda w, b, X, y: _residual_grad(w, b, X, y, lambda r, p: r * p * (1 - p)),
                section=LIKELIHOOD),
        Mistake("not_transposed", "X @ (y - p) does not fit the shapes: the gradient sums the rows of X "
                "weighted by the residuals, X.T @ (y - p) (shape (d,))", detect=_matmul_not_transposed,
                section=LIKELIHOOD),
    ),
    "gradient_ascent": (
        Mistake("descends", "your gradient ascent goes downhill (the log-likelihood decreases): step along "
                "+gradient, w <- w + lr * gradient, to maximise the log-likelihood",
                _ascent_variant(sign=-1.0), section=ASCENT),
        Mistake("summed_gradient", "each step uses the summed gradient; step along the mean gradient "
                "(divide the gradient by n): w <- w + lr / n * X^T (y - p)",
                _ascent_variant(mean=False), section=ASCENT),
        Mistake("history_without_start", "history must hold n_steps + 1 values: the log-likelihood before "
                "the first step (at w = 0, b = 0) is missing", _ascent_variant(history=lambda h, n: h[1:]),
                section=ASCENT),
        Mistake("history_without_end", "history must hold n_steps + 1 values: the log-likelihood after the "
                "last step is missing (record it after each update, not before)",
                _ascent_variant(history=lambda h, n: h[:-1]), section=ASCENT),
        Mistake("mean_history", "history holds the mean log-likelihood l / n: record the log-likelihood l "
                "itself (log_likelihood, a sum)", _ascent_variant(history=lambda h, n: [v / n for v in h]),
                section=ASCENT),
        Mistake("intercept_not_learned", "the intercept b never changes: update it too, "
                "b <- b + lr / n * sum(y - p)", _ascent_variant(learn_b=False), section=ASCENT),
        Mistake("one_step_too_many", "your loop takes n_steps + 1 steps (history then holds n_steps + 2 "
                "values): range(n_steps) takes n_steps", _ascent_variant(extra_steps=1), section=ASCENT),
    ),
    "confusion_matrix": (
        Mistake("transposed", "the matrix looks transposed: rows are the true class, columns the predicted "
                "class", lambda y_true, y_pred: _binary_cm(y_true, y_pred).T, section=EVALUATION),
        Mistake("positive_class_first", "the classes are in the wrong order: row and column 0 are class 0 "
                "(good loan), row and column 1 are class 1 (default), so TP is at the bottom right",
                lambda y_true, y_pred: _binary_cm(y_true, y_pred)[::-1, ::-1], section=EVALUATION),
        Mistake("textbook_layout", "this is the layout [[TP, FP], [FN, TN]] of some textbooks: here rows are "
                "the true class and columns the predicted class, class 0 first: [[TN, FP], [FN, TP]]",
                lambda y_true, y_pred: _binary_cm(y_true, y_pred)[::-1, ::-1].T, section=EVALUATION),
        Mistake("tp_counts_every_hit", "TP counts every correct prediction (y_true == y_pred), the true "
                "negatives too: TP = sum((y_true == 1) & (y_pred == 1))",
                lambda y_true, y_pred: _binary_cm(y_true, y_pred) + np.array([[0, 0], [0, 1]])
                * _binary_cm(y_true, y_pred)[0, 0], section=EVALUATION),
        Mistake("labels_from_y_true", "the classes are taken from y_true (np.unique): when a class is absent "
                "the matrix shrinks; it is always 2 x 2, for the classes 0 and 1",
                lambda y_true, y_pred: _binary_cm(y_true, y_pred, np.unique(y_true)), section=EVALUATION),
        Mistake("flat_counts", "you return the four counts in a flat sequence: return the 2 x 2 matrix "
                "[[TN, FP], [FN, TP]]", lambda y_true, y_pred: _binary_cm(y_true, y_pred).ravel(),
                section=EVALUATION),
        Mistake("normalized", "you return fractions (counts divided by n): the confusion matrix holds the "
                "counts themselves", lambda y_true, y_pred: _binary_cm(y_true, y_pred) / len(y_true),
                section=EVALUATION),
    ),
    "precision_recall_at": (
        Mistake("strict_threshold", "a probability exactly equal to the threshold counts as positive: use "
                "p >= threshold, not p > threshold", lambda y, p, ts: _pr(y, p, ts, np.greater),
                section=THRESHOLD),
        Mistake("reversed_threshold", "the comparison looks reversed: predict the positive class (1) when "
                "p >= threshold", lambda y, p, ts: _pr(y, p, ts, np.less), section=THRESHOLD),
        Mistake("swapped_pair", "precision and recall look swapped: precision = TP / (TP + FP) (of the "
                "predicted defaults, how many are), recall = TP / (TP + FN)",
                lambda y, p, ts: _pr(y, p, ts)[::-1], section=EVALUATION),
        Mistake("precision_over_defaults", "your precision divides by the number of defaults (TP + FN), "
                "which gives the recall: precision = TP / (TP + FP), over the loans flagged",
                lambda y, p, ts: (_pr(y, p, ts)[1], _pr(y, p, ts)[1]), section=EVALUATION),
        Mistake("recall_over_flagged", "your recall divides by the number of loans flagged (TP + FP), which "
                "gives the precision: recall = TP / (TP + FN), over the true defaults",
                lambda y, p, ts: (_pr(y, p, ts)[0], _pr(y, p, ts)[0]), section=EVALUATION),
        Mistake("fixed_threshold", "every threshold gives the same values as 0.5: compare p with each t of "
                "thresholds (p >= t), not with 0.5", lambda y, p, ts: _pr(y, p, ts, fixed=0.5),
                section=THRESHOLD),
        Mistake("zero_division", "0/0 (no predicted positives, or no positives at all) must give 0.0, not "
                "nan: handle the empty denominator", detect=_zero_division, section=THRESHOLD),
    ),
    "expected_cost": (
        Mistake("total_not_average", "returns the sum where the mean is expected: c_FN FN + c_FP FP is the "
                "total cost; the expected cost is the average per sample, divided by n",
                lambda y, p, t, cfn, cfp: _cost(y, p, t, cfn, cfp, total=True), section=COSTS),
        Mistake("costs_swapped", "the two costs look swapped: a missed positive (false negative) costs "
                "cost_fn, a false alarm (false positive) costs cost_fp",
                lambda y, p, t, cfn, cfp: _cost(y, p, t, cfp, cfn), section=COSTS),
        Mistake("strict_threshold", "a probability exactly equal to the threshold counts as positive: use "
                "p >= threshold, not p > threshold",
                lambda y, p, t, cfn, cfp: _cost(y, p, t, cfn, cfp, np.greater), section=THRESHOLD),
        Mistake("reversed_threshold", "the comparison looks reversed: predict the positive class (1) when "
                "p >= threshold", lambda y, p, t, cfn, cfp: _cost(y, p, t, cfn, cfp, np.less),
                section=THRESHOLD),
        Mistake("ignores_threshold", "the cost does not depend on the threshold you are given: flag the "
                "loans with p >= threshold, not p >= 0.5",
                lambda y, p, t, cfn, cfp: _cost(y, p, 0.5, cfn, cfp), section=COSTS),
        Mistake("error_rates", "you weigh the error *rates* FN / P and FP / N: the expected cost per "
                "sample weighs the counts, (c_FN FN + c_FP FP) / n",
                lambda y, p, t, cfn, cfp: _cost(y, p, t, cfn, cfp, rates=True),
                detect=_nan_where_a_class_is_absent, section=COSTS),
        Mistake("unconditioned_counts", "FN and FP ignore the true labels: a false negative is a default "
                "(y = 1) predicted 0, a false positive a good loan (y = 0) predicted 1",
                lambda y, p, t, cfn, cfp: _cost(y, p, t, cfn, cfp, conditioned=False), section=COSTS),
    ),
    "best_threshold": (
        Mistake("not_a_threshold", "return the threshold itself, thresholds[np.argmin(costs)]: your value "
                "is not one of the thresholds (an index, or the cost?)", detect=_not_a_threshold,
                section=COSTS),
        Mistake("maximizes", "your threshold has the highest expected cost among the candidates: pick the "
                "one with the lowest (np.argmin, not np.argmax)",
                _cost_of_pick(lambda y, p, ts, cfn, cfp: int(np.argmax(
                    _metrics().expected_cost(y, p, ts, cfn, cfp)))), section=COSTS),
        Mistake("costs_swapped", "the costs are swapped in your call of expected_cost: its arguments are "
                "(y_true, p, threshold, cost_fn, cost_fp)", _cost_of_pick(_argmin_cost(swap=True)),
                section=COSTS),
        Mistake("fewest_errors", "you pick the threshold with the fewest errors (FN + FP, i.e. the best "
                "accuracy): weigh them by their costs, c_FN FN + c_FP FP",
                _cost_of_pick(_argmin_cost(1.0, 1.0)), section=COSTS),
        Mistake("fixed_costs", "your choice ignores the costs you are given (10 and 1 written in the "
                "function?): pass cost_fn and cost_fp on to expected_cost",
                _cost_of_pick(_argmin_cost(10.0, 1.0)), section=COSTS),
        Mistake("nearest_to_formula", "you return the threshold nearest to c_FP / (c_FP + c_FN): that "
                "formula holds for calibrated probabilities only; compute the expected cost of each "
                "threshold on the data and take the smallest",
                _cost_of_pick(lambda y, p, ts, cfn, cfp: int(np.argmin(np.abs(ts - cfp / (cfp + cfn))))),
                section=COSTS),
    ),
}
"""Grade id of hw1-logistic -> its catalogue, from the most specific mistake to the most general."""


def _residual_grad(w, b, X, y, weigh: Callable) -> tuple[np.ndarray, float]:
    p = _linear().sigmoid(X @ w + b)
    r = weigh(y - p, p)
    return X.T @ r, float(np.sum(r))


def _per_sample_terms(w, b, X, y) -> np.ndarray | None:
    """The terms of the log-likelihood, unsummed (no prediction for one sample: its single term is right)."""
    z = X @ w + b
    return None if len(y) == 1 else np.asarray(y) * z - np.logaddexp(0, z)
