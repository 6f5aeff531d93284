"""Checks of hw1-logistic (logistic regression and loan default), and generic checks of a logistic loss, an
optimizer class and gradient clipping. They run in the grader; the student's functions are proxies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from coursekit._utils import RNGLike, as_rng
from coursekit.grading.cases import (
    ANY,
    Case,
    _WrongOutput,
    label_cases,
    logistic_cases,
    logit_cases,
    summarize,
    threshold_cases,
)
from coursekit.grading.engine import compare
from coursekit.grading.mistakes_hw1 import MISTAKES  # noqa: F401 - the catalogue of hw1's parts

# ------------------------------------------------------------------------------------------------------------
# Ready-made checks (hw1: logistic regression and loan default; hw2-hw4 helpers)
# ------------------------------------------------------------------------------------------------------------

__all__ = [
    "check_sigmoid", "check_predict_proba", "check_log_likelihood", "check_log_likelihood_grad",
    "check_gradient_ascent", "check_confusion_matrix", "check_precision_recall_at", "check_expected_cost",
    "check_best_threshold", "check_logistic_loss", "check_logistic_loss_grad", "check_optimizer",
    "check_clip_grad_norm",
]

REFERENCE_MODULES = ('coursekit.linear', 'coursekit.metrics')
"""The modules that hold the references of these checks: a sandboxed notebook graded by them cannot import
them (see :func:`coursekit.grading.sandbox.build_view`)."""


def _linear():
    import coursekit.linear as linear

    return linear


def _metrics():
    import coursekit.metrics as metrics

    return metrics


def _hw1_stand_ins() -> dict[str, Callable]:
    """Correct versions of hw1's graded functions, by their names in the notebook."""
    lin, met = _linear(), _metrics()
    return {
        "sigmoid": lin.sigmoid, "predict_proba": lin.predict_proba, "log_likelihood": lin.log_likelihood,
        "log_likelihood_grad": lin.log_likelihood_grad,
        "confusion_matrix": lambda y_true, y_pred: met.confusion_matrix(y_true, y_pred, labels=[0, 1]),
        "precision_recall_at": met.precision_recall_at, "expected_cost": met.expected_cost,
    }


def _no_intercept(reference: Callable, b_index: int) -> Callable:
    def variant(*args, **kwargs):
        args = list(args)
        args[b_index] = 0.0
        return reference(*args, **kwargs)

    return variant


def check_sigmoid(sigmoid: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``sigmoid(z)`` :math:`= 1/(1+e^{-z})` elementwise, for arrays of any shape.

    Against :func:`coursekit.linear.sigmoid` on :func:`logit_cases`. On huge logits no overflow may happen
    inside the function (the naive :math:`1/(1+e^{-z})` overflows for :math:`z = -10^4`).
    Use in a hidden test cell: ``assert grading.check_sigmoid(sigmoid)``.
    """
    rng = as_rng(rng)
    cases = logit_cases(rng) + [
        Case("3-D array (2, 3, 2)", (rng.normal(0.0, 4.0, size=(2, 3, 2)),)),
        Case("column (5, 1)", (rng.normal(0.0, 4.0, size=(5, 1)),)),
    ]
    return compare(sigmoid, _linear().sigmoid, cases, name="sigmoid", mistakes=MISTAKES["sigmoid"])


def check_predict_proba(predict_proba: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``predict_proba(X, w, b)`` :math:`= \sigma(Xw + b)`, shape (n,).

    Against :func:`coursekit.linear.predict_proba`; the notebook's ``sigmoid`` is replaced by a correct one
    during the check. Use: ``assert grading.check_predict_proba(predict_proba)``.
    """
    ref = _linear().predict_proba
    cases = [Case(c.label, (c.args[2], c.args[0], c.args[1]), n=c.n, huge=c.huge)
             for c in logistic_cases(rng)]
    return compare(predict_proba, ref, cases, name="predict_proba", diagnosers=("not_stable",),
                   mistakes=MISTAKES["predict_proba"], depends=_hw1_stand_ins())


def check_log_likelihood(log_likelihood: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``log_likelihood(w, b, X, y)`` :math:`= \sum_i [y_i z_i - \log(1 + e^{z_i})]`, a float.

    Against :func:`coursekit.linear.log_likelihood`, including huge scores where a formula through
    :math:`\log\sigma` or :math:`\log(1+e^z)` overflows.
    Use: ``assert grading.check_log_likelihood(log_likelihood)``.
    """
    ref = _linear().log_likelihood
    return compare(log_likelihood, ref, logistic_cases(rng), name="log_likelihood",
                   mistakes=MISTAKES["log_likelihood"], depends=_hw1_stand_ins())


def check_log_likelihood_grad(log_likelihood_grad: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``log_likelihood_grad(w, b, X, y) -> (gw, gb)`` with :math:`g_w = X^\top(y-p)`,
    :math:`g_b = \sum_i (y_i - p_i)`.

    Against :func:`coursekit.linear.log_likelihood_grad`. Use:
    ``assert grading.check_log_likelihood_grad(log_likelihood_grad)``.
    """
    ref = _linear().log_likelihood_grad
    return compare(log_likelihood_grad, ref, logistic_cases(rng), name="log_likelihood_grad",
                   diagnosers=("not_stable",), mistakes=MISTAKES["log_likelihood_grad"],
                   depends=_hw1_stand_ins())


def check_gradient_ascent(gradient_ascent: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``gradient_ascent(X, y, lr, n_steps) -> (w, b, history)``.

    Steps on the *mean* log-likelihood from :math:`w = 0, b = 0`:
    :math:`w \leftarrow w + \frac{\eta}{n} X^\top (y - p)`, same for :math:`b`; ``history`` holds
    :math:`\ell` before the first step and after every step (``n_steps + 1`` values). Against
    :func:`coursekit.linear.gradient_ascent`; the notebook's likelihood functions are replaced by correct
    ones during the check. Use: ``assert grading.check_gradient_ascent(gradient_ascent)``.
    """
    rng = as_rng(rng)
    ref = _linear().gradient_ascent
    cases = []
    for n, d, lr, steps in [(30, 3, 0.1, 40), (12, 1, 0.5, 25), (40, 4, 1.0, 10), (8, 2, 0.3, 1)]:
        X = rng.normal(size=(n, d))
        y = (rng.random(n) < 0.5).astype(int)
        y[:2] = [0, 1]
        cases.append(Case(f"n={n}, d={d}, lr={lr}, n_steps={steps}", (X, y), dict(lr=lr, n_steps=steps), n=n))
    cases.append(Case("n_steps=0 (no step)", (rng.normal(size=(6, 2)), np.array([0, 1, 1, 0, 1, 0])),
                      dict(lr=0.1, n_steps=0), n=6))
    return compare(gradient_ascent, ref, cases, name="gradient_ascent", diagnosers=("history_length",),
                   mistakes=MISTAKES["gradient_ascent"], depends=_hw1_stand_ins())


def check_confusion_matrix(confusion_matrix: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``confusion_matrix(y_true, y_pred)``: the 2 × 2 matrix ``[[TN, FP], [FN, TP]]`` (rows = true
    class, columns = predicted class), also when a class is absent.

    Against ``coursekit.metrics.confusion_matrix(y_true, y_pred, labels=[0, 1])``. Use:
    ``assert grading.check_confusion_matrix(confusion_matrix)``.
    """
    ref = _metrics().confusion_matrix

    def binary(y_true, y_pred):
        return ref(y_true, y_pred, labels=[0, 1])

    return compare(confusion_matrix, binary, label_cases(rng), name="confusion_matrix",
                   mistakes=MISTAKES["confusion_matrix"], depends=_hw1_stand_ins())


def check_precision_recall_at(precision_recall_at: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``precision_recall_at(y_true, p, thresholds) -> (precision, recall)``, arrays of shape (m,), for
    the rule "predict 1 when :math:`p \ge t`"; 0/0 gives 0.0.

    Against :func:`coursekit.metrics.precision_recall_at`. Use:
    ``assert grading.check_precision_recall_at(precision_recall_at)``.
    """
    rng = as_rng(rng)
    cases = threshold_cases(rng)
    p = rng.integers(1, 20, size=8) / 20
    cases.append(Case("no defaults, probabilities on a 0.05 grid", (np.zeros(8, dtype=int), p,
                                                                    np.array([0.1, 0.5, 0.97])), n=8))
    return compare(precision_recall_at, _metrics().precision_recall_at, cases, name="precision_recall_at",
                   mistakes=MISTAKES["precision_recall_at"], depends=_hw1_stand_ins())


def _cost_cases(rng: RNGLike) -> list[Case]:
    cases = []
    for c, (cfn, cfp) in zip(threshold_cases(rng), [(10.0, 1.0), (1.0, 1.0), (10.0, 1.0), (1.0, 5.0),
                                                    (10.0, 1.0), (3.0, 1.0)], strict=True):
        y, p, ts = c.args
        for t in ts[:3]:
            cases.append(Case(f"{c.label}; t={t:g}, costs {cfn:g}/{cfp:g}",
                              (y, p, float(t), cfn, cfp), n=c.n))
    return cases


def check_expected_cost(expected_cost: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``expected_cost(y_true, p, threshold, cost_fn, cost_fp)`` = average cost per sample
    :math:`(c_{FN} FN + c_{FP} FP)/n` of the rule "predict 1 when :math:`p \ge t`".

    Against :func:`coursekit.metrics.expected_cost`.
    Use: ``assert grading.check_expected_cost(expected_cost)``.
    """
    ref = _metrics().expected_cost

    return compare(expected_cost, ref, _cost_cases(rng), name="expected_cost",
                   mistakes=MISTAKES["expected_cost"], depends=_hw1_stand_ins())


def check_best_threshold(best_threshold: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``best_threshold(y_true, p, thresholds, cost_fn, cost_fp)``: it returns one of ``thresholds``
    whose expected cost (:func:`coursekit.metrics.expected_cost`) is the smallest (any of them on a tie).

    The comparison is on the *cost* of the returned threshold. Use:
    ``assert grading.check_best_threshold(best_threshold)``.
    """
    ref_cost = _metrics().expected_cost
    cases = []
    for c, (cfn, cfp) in zip(threshold_cases(rng)[:4], [(10.0, 1.0), (1.0, 1.0), (1.0, 4.0), (10.0, 1.0)],
                             strict=True):
        y, p, ts = c.args
        cases.append(Case(f"{c.label}; costs {cfn:g}/{cfp:g}", (y, p, ts, cfn, cfp), n=c.n))
    ts = np.array([0.15, 0.3, 0.45, 0.6, 0.75])  # two fixed problems on which every known mistake costs more
    for y, p, cfn, cfp in [([0, 1, 0, 0, 1, 0, 1, 0], [0.35, 0.5, 0.2, 0.8, 0.3, 0.3, 0.65, 0.5], 1.0, 3.0),
                           ([1, 1, 1, 0, 0, 0, 0, 0, 0], [0.55, 0.25, 0.9, 0.1, 0.4, 0.6, 0.2, 0.15, 0.3],
                            1.0, 2.0)]:
        cases.append(Case(f"{len(y)} loans, thresholds 0.15 to 0.75; costs {cfn:g}/{cfp:g}",
                          (np.array(y), np.array(p), ts.copy(), cfn, cfp), n=len(y)))

    def cost_of_choice(fn, args, kwargs):
        y, p, ts, cfn, cfp = args
        t = fn(*args, **kwargs)
        if isinstance(t, int | np.integer) and not isinstance(t, bool | np.bool_):
            raise _WrongOutput(f"returns the integer {int(t)}, not one of the thresholds {summarize(ts)} "
                               "(an index?)")
        if np.ndim(t) != 0 or not np.any(np.isclose(ts, float(t), rtol=0, atol=1e-12)):
            raise _WrongOutput(f"returns {summarize(t)}, which is not one of the thresholds {summarize(ts)}")
        return float(ref_cost(y, p, float(t), cfn, cfp))

    def lowest(y_true, p, thresholds, cost_fn, cost_fp):
        return float(np.min(ref_cost(y_true, p, np.asarray(thresholds, dtype=float), cost_fn, cost_fp)))

    return compare(best_threshold, lowest, cases, name="best_threshold",
                   diagnosers=("not_lowest_cost",), mistakes=MISTAKES["best_threshold"],
                   depends=_hw1_stand_ins(),
                   call=lambda fn, args, kwargs: cost_of_choice(fn, args, kwargs) if fn is best_threshold
                   else fn(*args, **kwargs))


def check_logistic_loss(logistic_loss: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``logistic_loss(w, b, X, y, alpha, l1_ratio)``: mean cross-entropy + elastic-net penalty on w
    (never on b). Against :func:`coursekit.linear.logistic_loss`."""
    ref = _linear().logistic_loss

    def penalized_b(w, b, X, y, alpha, l1_ratio):
        return ref(w, b, X, y, alpha, l1_ratio) + alpha * (l1_ratio * abs(b) + (1 - l1_ratio) / 2 * b * b)

    return compare(logistic_loss, ref, _penalized_cases(rng), name="logistic_loss",
                   diagnosers=("not_stable", "penalized_intercept", "mean_vs_sum", "ignores_intercept"),
                   variants={"penalized_intercept": penalized_b, "ignores_intercept": _no_intercept(ref, 1)})


def check_logistic_loss_grad(logistic_loss_grad: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``logistic_loss_grad(w, b, X, y, alpha, l1_ratio) -> (gw, gb)``; the penalty's (sub)gradient
    applies to w only. Against :func:`coursekit.linear.logistic_loss_grad`."""
    ref = _linear().logistic_loss_grad

    def penalized_b(w, b, X, y, alpha, l1_ratio):
        gw, gb = ref(w, b, X, y, alpha, l1_ratio)
        return gw, gb + alpha * (l1_ratio * np.sign(b) + (1 - l1_ratio) * b)

    return compare(logistic_loss_grad, ref, _penalized_cases(rng), name="logistic_loss_grad",
                   diagnosers=("not_stable", "penalized_intercept", "sign_flipped", "mean_vs_sum",
                               "ignores_intercept"),
                   variants={"penalized_intercept": penalized_b, "ignores_intercept": _no_intercept(ref, 1)})


def _penalized_cases(rng: RNGLike) -> list[Case]:
    cases = []
    for i, c in enumerate(logistic_cases(rng)):
        for alpha, l1_ratio in [(0.0, 0.0), (0.3, 0.0), (0.2, 1.0), (0.1, 0.5)][: 4 if i < 3 else 2]:
            w, b, X, y = c.args
            cases.append(Case(f"{c.label}, alpha={alpha:g}, l1_ratio={l1_ratio:g}",
                              (w, b if b else 0.6, X, y, alpha, l1_ratio), n=c.n, huge=c.huge))
    return cases


def check_optimizer(student_cls: type, name: str = "adam", rng: RNGLike = 0, **hyper: Any) -> bool:
    r"""Check an optimizer class with the ``coursekit.optim`` (PyTorch-like) interface:
    ``opt = Cls(params, **hyper)`` then ``opt.step(grads)`` updates the list ``params`` in place.

    Runs a few steps on two parameter arrays (with a zero gradient step and float32 cases) and compares
    the trajectories with :func:`coursekit.optim.make_optimizer` ``(name, ...)``. For Adam, a missing bias
    correction is recognised. Use: ``assert grading.check_optimizer(Adam, "adam", lr=0.01)``.
    """
    import coursekit.optim as optim

    rng = as_rng(rng)
    hyper = hyper or {"lr": 0.01}

    def run(make: Callable, params0: list, grads: list, kw: dict, lr_factor: Callable | None = None) -> list:
        params = [p.copy() for p in params0]
        opt = make(params, **kw)
        trajectory = []
        for t, g in enumerate(grads, start=1):
            if lr_factor is not None:
                opt.lr = kw.get("lr", 1e-3) * lr_factor(t)
            opt.step([gi.copy() for gi in g])
            trajectory.append([p.copy() for p in params])
        return trajectory

    def reference(params0, grads, kw):
        return run(lambda ps, **k: optim.make_optimizer(name, ps, **k), params0, grads, kw)

    def no_bias_correction(params0, grads, kw):
        b1, b2 = kw.get("betas", (0.9, 0.999))
        return run(lambda ps, **k: optim.make_optimizer(name, ps, **k), params0, grads, kw,
                   lambda t: (1 - b1**t) / np.sqrt(1 - b2**t))

    cases = []
    for label, dtype, steps in [("two arrays, 6 steps", np.float64, 6),
                                ("float32 arrays, 4 steps", np.float32, 4)]:
        params0 = [rng.normal(size=3).astype(dtype), rng.normal(size=(2, 2)).astype(dtype)]
        grads = [[rng.normal(size=p.shape).astype(dtype) for p in params0] for _ in range(steps)]
        grads[2][0][:] = 0.0
        cases.append(Case(label, (params0, grads, dict(hyper))))

    def call(fn, args, kwargs):
        params0, grads, kw = args
        if fn in (reference, no_bias_correction):
            return fn(params0, grads, kw)
        return run(fn, params0, grads, kw)

    variants = {"adam_no_bias_correction": no_bias_correction} if name == "adam" else {}
    return compare(student_cls, reference, cases, name=getattr(student_cls, "__name__", name),
                   diagnosers=("adam_no_bias_correction", "sign_flipped"), variants=variants, call=call,
                   mutates=True)


def check_clip_grad_norm(clip_grad_norm_: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``clip_grad_norm_(grads, max_norm) -> total_norm``: scales all arrays in place by
    ``max_norm / (total + 1e-6)`` when the global norm :math:`\sqrt{\sum_k \|g_k\|^2}` exceeds ``max_norm``.

    Against :func:`coursekit.optim.clip_grad_norm_`; recognises per-array clipping and a copy instead of an
    in-place update. Use: ``assert grading.check_clip_grad_norm(clip_grad_norm_)``.
    """
    import coursekit.optim as optim

    rng = as_rng(rng)
    ref = optim.clip_grad_norm_

    def in_place(fn, args, kwargs):
        grads, max_norm = args
        total = fn(grads, max_norm)
        return [g.copy() for g in grads], total

    def per_tensor(grads, max_norm):
        for g in grads:
            ref([g], max_norm)
        return ANY

    def untouched(grads, max_norm):
        return ANY

    big = [rng.normal(size=4) * 3, rng.normal(size=(2, 3)) * 2, np.array([0.5])]
    cases = [
        Case("three arrays, global norm above max_norm", ([g.copy() for g in big], 1.0)),
        Case("global norm below max_norm (unchanged)", ([g * 0.01 for g in big], 5.0)),
        Case("one large and one small array", ([np.array([30.0, -40.0]), np.array([0.3])], 10.0)),
        Case("zero gradients", ([np.zeros(3), np.zeros((2, 2))], 1.0)),
        Case("float32 arrays", ([g.astype(np.float32) for g in big], 2.0)),
    ]

    def call(fn, args, kwargs):
        out = in_place(fn, args, kwargs)
        return out if fn in (ref, clip_grad_norm_) else (out[0], ANY)

    return compare(clip_grad_norm_, ref, [Case(c.label, c.args, rtol=1e-5) for c in cases],
                   name="clip_grad_norm_", diagnosers=("per_tensor_clipping", "not_in_place"),
                   variants={"per_tensor_clipping": per_tensor, "not_in_place": untouched}, call=call,
                   mutates=True)


