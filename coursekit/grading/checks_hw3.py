"""Checks of hw3-optimizers: mini-batches, SGD (momentum, Nesterov), RMSprop, Adam, schedules and two
training loops. They run in the grader; the student's classes are proxies whose objects live in the
sandbox."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from coursekit._utils import RNGLike, as_rng
from coursekit.grading.cases import (
    ATOL_FLOAT32,
    RTOL_FLOAT32,
    Case,
    _is_numbers,
    _mismatch,
    _WrongOutput,
    summarize,
)
from coursekit.grading.checks_hw1 import _linear
from coursekit.grading.diagnosers import Mismatch, add_diagnoser
from coursekit.grading.engine import compare

# --- hw3-optimizers checks ---
# hw3: mini-batches, SGD (plain, momentum, Nesterov), RMSprop, Adam, learning-rate schedules, and two
# training loops (a full-batch path on a quadratic, mini-batch logistic regression). An optimizer check builds
# the student's class and the coursekit.optim reference on copies of the same arrays, feeds both the same
# gradients (changing ``opt.lr`` between steps in some inputs) and compares the parameters after every step,
# read from the arrays that were passed in: an update that is not in place is seen. Known mistakes are
# recognised through variants of the reference (mostly the reference itself with other hyper-parameters or
# learning rates).

__all__ = [
    "HW3_ALPHA", "check_minibatches", "check_sgd", "check_momentum", "check_nesterov", "check_rmsprop",
    "check_adam", "check_schedule_lr", "check_minimize", "check_fit_logistic",
]

HW3_ALPHA = 1e-3
"""The L2 strength of hw3's objective (the notebook's ``ALPHA``): J = mean cross-entropy + ALPHA/2 |w|^2."""

REFERENCE_MODULES = ('coursekit.optim',)
"""The modules that hold the references of these checks: a sandboxed notebook graded by them cannot import
them (see :func:`coursekit.grading.sandbox.build_view`)."""


def _optim():
    import coursekit.optim as optim

    return optim


class _Steps:
    """The input of an optimizer check: initial parameters, the gradients of every step, and learning rates
    set with ``opt.lr = ...`` before some steps (``lr_at``: 0-based step index -> learning rate)."""

    def __init__(self, params0: list[np.ndarray], grads: list[list[np.ndarray]],
                 lr_at: Mapping[int, float] | None = None) -> None:
        self.params0, self.grads, self.lr_at = params0, grads, dict(lr_at or {})

    def __repr__(self) -> str:
        shapes = ", ".join(str(p.shape) for p in self.params0)
        return f"{len(self.grads)} steps on arrays {shapes}"


_Steps.__name__ = "run"  # how summarize() names it in a failure message


def _hw3_steps(rng: np.random.Generator, n_steps: int, scale: float = 1.0, dtype: type = np.float64,
               lr_at: Mapping[int, float] | None = None, zero_at: int | None = 2) -> _Steps:
    """Parameters of shapes (3,), (2, 2), (1,) and random gradients (of magnitude ~``scale``); params[0] gets
    a zero gradient at step ``zero_at`` (0-based), every array at step 0 if ``zero_at == 0``."""
    shapes = [(3,), (2, 2), (1,)]
    params0 = [rng.normal(size=s).astype(dtype) for s in shapes]
    def gradient(shape):  # small gradients: magnitudes between 0.5 and 1.5 times scale, random signs
        if scale == 1.0:
            return rng.normal(size=shape).astype(dtype)
        return (scale * (0.5 + rng.random(shape)) * rng.choice([-1.0, 1.0], size=shape)).astype(dtype)

    grads = [[gradient(s) for s in shapes] for _ in range(n_steps)]
    if zero_at == 0:
        grads[0] = [np.zeros_like(g) for g in grads[0]]
    elif zero_at is not None and zero_at < n_steps:
        grads[zero_at][0][:] = 0.0
    return _Steps(params0, grads, lr_at)


def _hw3_run(make: Callable, hyper: Mapping[str, Any], steps: _Steps, default_lr: float,
             lr_map: Callable[[int, float], float] | None = None, lr_in_grads: bool = False,
             student: bool = False) -> np.ndarray:
    """Build ``make(params, **hyper)`` on copies of ``steps.params0`` and step through ``steps.grads``.

    Returns the parameters after every step, all arrays flattened and concatenated, shape (n_steps, P), read
    from the arrays that were passed in. ``opt.lr`` is set before the steps of ``steps.lr_at``. For the
    reference only: ``lr_map(t, lr)`` gives the learning rate actually used at step t (0-based) when ``lr`` is
    the one in effect; ``lr_in_grads`` runs with lr = 1 on the gradients multiplied by the learning rate.
    With ``student``, a step that modifies the gradients it is given is reported.
    """
    params = [p.copy() for p in steps.params0]
    arrays = list(params)  # the caller's arrays: an update that is not in place leaves them unchanged
    kw = dict(hyper)
    lr = float(kw.get("lr", default_lr))
    if lr_in_grads:
        kw["lr"] = 1.0
    opt = make(params, **kw)
    rows = []
    for t, grads in enumerate(steps.grads):
        if t in steps.lr_at:
            lr = steps.lr_at[t]
            if student:
                opt.lr = lr
        if not student and not lr_in_grads:
            opt.lr = lr_map(t, lr) if lr_map is not None else lr
        given = [(lr * g if lr_in_grads else g).copy() for g in grads]
        passed = [g.copy() for g in given]
        opt.step(passed)
        if student and any(not np.array_equal(a, b) for a, b in zip(passed, given, strict=True)):
            raise _WrongOutput("`step(grads)` changed the gradient arrays it was given: compute new arrays "
                               "(g = g + ..., not g += ...) and keep a copy when you store one as state "
                               "(b = g.copy())")
        rows.append(np.concatenate([np.ravel(p) for p in arrays]))
    return np.array(rows)


def _hw3_not_moved(hyper: Mapping[str, Any], steps: _Steps) -> np.ndarray:
    """The variant of an update that never reaches the caller's arrays."""
    return np.array([np.concatenate([np.ravel(p) for p in steps.params0])] * len(steps.grads))


def _hw3_adaptive(kind: str, form: str = "eps_inside") -> Callable:
    """Known-wrong variants of RMSprop / Adam: eps inside the square root, g / sqrt(v + eps)
    (``form="eps_inside"``), or Adam's bias corrections folded into the step size with eps left unscaled,
    lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps) (``form="eps_unscaled"``)."""

    def variant(hyper, steps):
        lr, eps = hyper.get("lr", 1e-2 if kind == "rmsprop" else 1e-3), hyper.get("eps", 1e-8)
        a = hyper.get("alpha", 0.99)
        b1, b2 = hyper.get("betas", (0.9, 0.999))
        params = [p.astype(np.float64) for p in steps.params0]
        m, v = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
        rows = []
        for t, grads in enumerate(steps.grads, start=1):
            lr = steps.lr_at.get(t - 1, lr)
            for p, g, mi, vi in zip(params, grads, m, v, strict=True):
                if kind == "rmsprop":
                    vi[...] = a * vi + (1 - a) * g * g
                    p -= lr * g / np.sqrt(vi + eps)
                    continue
                mi[...] = b1 * mi + (1 - b1) * g
                vi[...] = b2 * vi + (1 - b2) * g * g
                if form == "eps_inside":
                    p -= lr * (mi / (1 - b1**t)) / np.sqrt(vi / (1 - b2**t) + eps)
                else:
                    p -= lr * np.sqrt(1 - b2**t) / (1 - b1**t) * mi / (np.sqrt(vi) + eps)
            rows.append(np.concatenate([np.ravel(p) for p in params]))
        return np.array(rows)

    return variant


def _hw3_nonfinite(m: Mismatch) -> np.ndarray | None:
    got = np.asarray(m.got, dtype=float) if m.got is not None and _is_numbers(m.got) else None
    if got is None or got.shape != np.shape(m.expected) or got.ndim != 2 or not np.isfinite(m.expected).all():
        return None
    return ~np.isfinite(got)


def _hw3_zero_start(m: Mismatch) -> bool:
    """The input starts with zero gradients (so v = 0 at the first step)."""
    steps = m.case.args[1] if len(m.case.args) == 2 else None
    return isinstance(steps, _Steps) and not any(np.any(g) for g in steps.grads[0])


def _hw3_t_from_zero(m: Mismatch) -> bool:
    bad = _hw3_nonfinite(m)
    return bad is not None and bool(bad[0].all()) and not _hw3_zero_start(m)


def _hw3_no_eps(m: Mismatch) -> bool:
    bad = _hw3_nonfinite(m)
    return bad is not None and bool(bad.any()) and _hw3_zero_start(m)


for _name, _detect, _hint in [
    ("hw3_ascends", None,
     "the parameters move uphill: the update is p <- p - lr * d (a step AGAINST the gradient)"),
    ("ignores_lr_change", None,
     "setting `opt.lr` between two steps changes nothing: keep the learning rate in the attribute `self.lr` "
     "and read it at every step (the schedules change it)"),
    ("momentum_buffer_zero", None,
     "the momentum buffer looks initialized at zero (b = mu * 0 + (1 - dampening) * g at the first step): "
     "torch starts it at the first gradient, b = g, and uses b = mu * b + (1 - dampening) * g from the "
     "second step on"),
    ("ignores_dampening", None,
     "dampening seems to be ignored: from the second step on the buffer is b = mu * b + (1 - dampening) * g"),
    ("ignores_momentum", None,
     "the momentum buffer is not used: with momentum mu > 0 the step is p <- p - lr * b with "
     "b = mu * b + (1 - dampening) * g"),
    ("lr_in_buffer", None,
     "the learning rate seems to be inside the momentum buffer (v = mu * v + lr * g): torch keeps it out, "
     "b = mu * b + (1 - dampening) * g, then p <- p - lr * b; the two differ as soon as the learning rate "
     "changes between steps"),
    ("nesterov_as_momentum", None,
     "Nesterov looks like plain momentum: with nesterov=True the step is p <- p - lr * (g + mu * b), with b "
     "already updated, not p <- p - lr * b"),
    ("momentum_as_nesterov", None,
     "plain momentum (nesterov=False) steps along the buffer itself, p <- p - lr * b; g + mu * b is the "
     "Nesterov step"),
    ("eps_inside_sqrt", None,
     "eps seems to be inside the square root, g / sqrt(v + eps): torch adds it outside, g / (sqrt(v) + eps). "
     "The two agree when v is large but not for small gradients: for |g| ~ 1e-6, sqrt(v) ~ 1e-7 is tiny "
     "next to sqrt(eps) = 1e-4 and the step shrinks a thousandfold"),
    ("rmsprop_alpha_swapped", None,
     "alpha looks swapped: the moving average keeps the fraction alpha of its old value, "
     "v = alpha * v + (1 - alpha) * g^2 (alpha = 0.99 by default)"),
    ("adam_bias_t_plus_one", None,
     "the bias corrections use the wrong step count: at the first step t = 1, so m_hat = m / (1 - beta1^1) "
     "and v_hat = v / (1 - beta2^1); count the steps from 1"),
    ("adam_bias_t_zero", _hw3_t_from_zero,
     "the step count starts at 0 in the bias corrections: 1 - beta^0 = 0 divides by zero at the first "
     "step; increment t before using it (t = 1 at the first step)"),
    ("adam_only_m_corrected", None,
     "only the first moment is bias-corrected: divide v by (1 - beta2^t) as well"),
    ("adam_only_v_corrected", None,
     "only the second moment is bias-corrected: divide m by (1 - beta1^t) as well"),
    ("adam_betas_swapped", None,
     "beta1 and beta2 look swapped: m (the gradient's average) uses beta1 = 0.9, v (the squared gradient's "
     "average) uses beta2 = 0.999"),
    ("adam_eps_unscaled", None,
     "the bias corrections are folded into the step size, lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / "
     "(sqrt(v) + eps), with eps left unscaled: that is torch's Adam only with eps * sqrt(1 - beta2^t) in "
     "place of eps, and it differs for small gradients; divide m and v themselves (m_hat, v_hat)"),
    ("missing_eps", _hw3_no_eps,
     "division by zero (0 / 0) where a gradient and its running average are zero: add eps to the "
     "denominator, g / (sqrt(v) + eps)"),
]:
    add_diagnoser(_name, _hint, _detect)

_HW3_NOT_IN_PLACE = (
    "the arrays in `params` did not move: update them in place (p -= lr * d, or p[...] = ...). Keep the very "
    "arrays you were given (no copies in __init__) and do not rebind a name to a new array "
    "(p = p - lr * d, self.params[i] = ...): the caller's arrays must change")


def _hw3_distinct(variant: Callable, reference: Callable) -> Callable:
    """``variant``, but ``None`` (which matches nothing) on an input where it gives the reference's output: a
    mistake that changes nothing on an input cannot be recognised there."""

    def run(*args, **kwargs):
        out = variant(*args, **kwargs)
        return None if _mismatch(out, reference(*args, **kwargs), 1e-9, 1e-12) is None else out

    return run


def _hw3_optimizer_check(student_cls: type, ref_cls: type, name: str, cases: Sequence[Case],
                         diagnosers: Sequence[str], variants: Mapping[str, Callable]) -> bool:
    """compare() for an optimizer class: parameters after every step, against ``ref_cls``."""
    default_lr = inspect.signature(ref_cls).parameters["lr"].default

    def reference(hyper, steps):
        return _hw3_run(ref_cls, hyper, steps, default_lr)

    def call(fn, args, kwargs):
        hyper, steps = args
        if fn is student_cls:
            return _hw3_run(student_cls, hyper, steps, default_lr, student=True)
        return fn(hyper, steps)

    variants = {key: _hw3_distinct(v, reference)
                for key, v in {"not_in_place": _hw3_not_moved, **variants}.items()}
    return compare(student_cls, reference, cases, name=name, diagnosers=("not_in_place", *diagnosers),
                   variants=variants, call=call, mutates=True, hints={"not_in_place": _HW3_NOT_IN_PLACE})


def _hw3_ref_variant(ref_cls: type, change: Mapping[str, Any] | None = None,
                     lr_map: Callable[[Mapping[str, Any], int, float], float] | None = None,
                     lr_in_grads: bool = False, keep_lr: bool = False) -> Callable:
    """A variant of the reference: other hyper-parameters (``change(hyper)``), another learning rate at each
    step (``lr_map(hyper, t, lr)``), lr folded into the gradients, or the changes of ``opt.lr`` ignored."""
    default_lr = inspect.signature(ref_cls).parameters["lr"].default

    def variant(hyper, steps):
        kw = {**hyper, **(change(hyper) if callable(change) else change or {})}
        if keep_lr:
            steps = _Steps(steps.params0, steps.grads)
        mapped = None if lr_map is None else (lambda t, lr: lr_map(hyper, t, lr))
        return _hw3_run(ref_cls, kw, steps, default_lr, lr_map=mapped, lr_in_grads=lr_in_grads)

    return variant


def _hw3_lr_cases(rng: np.random.Generator, hypers: Sequence[tuple[str, dict, dict]],
                  scale: float = 1.0) -> list[Case]:
    """Cases from (label, hyper, options): options may hold steps, lr_at, dtype, scale, zero_at."""
    cases = []
    for label, hyper, opts in hypers:
        steps = _hw3_steps(rng, opts.get("steps", 6), opts.get("scale", scale), opts.get("dtype", np.float64),
                           opts.get("lr_at"), opts.get("zero_at", 2))
        f32 = opts.get("dtype") is np.float32
        cases.append(Case(label, (hyper, steps), rtol=RTOL_FLOAT32 if f32 else None,
                          atol=ATOL_FLOAT32 if f32 else None))
    return cases


def check_sgd(SGD: type, rng: RNGLike = 0) -> bool:  # noqa: N803 - the student's class
    r"""Check plain stochastic gradient descent, ``SGD(params, lr)`` without momentum:
    :math:`p \leftarrow p - \eta g` in place for every array, with ``opt.lr`` read at every step.

    Against :class:`coursekit.optim.SGD`; the parameters are compared after every step.
    Use: ``assert grading.check_sgd(SGD)``.
    """
    rng = as_rng(rng)
    ref = _optim().SGD
    cases = _hw3_lr_cases(rng, [
        ("lr = 0.1, 5 steps", {"lr": 0.1}, {"steps": 5}),
        ("lr = 0.5, momentum = 0 given explicitly", {"lr": 0.5, "momentum": 0.0}, {"steps": 3}),
        ("default lr (1e-3)", {}, {"steps": 3}),
        ("opt.lr set to 0.02 before step 3 and to 0.2 before step 5", {"lr": 0.1},
         {"steps": 6, "lr_at": {2: 0.02, 4: 0.2}}),
        ("float32 arrays", {"lr": 0.05}, {"steps": 4, "dtype": np.float32}),
    ])
    return _hw3_optimizer_check(SGD, ref, "SGD", cases, ("hw3_ascends", "ignores_lr_change"), {
        "hw3_ascends": _hw3_ref_variant(ref, {"maximize": True}),
        "ignores_lr_change": _hw3_ref_variant(ref, keep_lr=True),
    })


def check_momentum(SGD: type, rng: RNGLike = 0) -> bool:  # noqa: N803 - the student's class
    r"""Check heavy-ball momentum in ``torch.optim.SGD``'s form, ``SGD(params, lr, momentum, dampening)``:
    :math:`b_1 = g_1`, :math:`b_t = \mu b_{t-1} + (1-\tau) g_t`, :math:`p \leftarrow p - \eta b_t`.

    Against :class:`coursekit.optim.SGD`. Recognises a buffer started at zero (visible with dampening), an
    ignored dampening or momentum, the learning rate kept inside the buffer, and the Nesterov step.
    Use: ``assert grading.check_momentum(SGD)``.
    """
    rng = as_rng(rng)
    ref = _optim().SGD
    cases = _hw3_lr_cases(rng, [
        ("momentum 0.9", {"lr": 0.1, "momentum": 0.9}, {}),
        ("momentum 0.5, dampening 0.5", {"lr": 0.1, "momentum": 0.5, "dampening": 0.5}, {}),
        ("momentum 0.9, dampening 0.1, 8 steps", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1},
         {"steps": 8}),
        ("momentum 0.3, dampening 0.9", {"lr": 0.2, "momentum": 0.3, "dampening": 0.9}, {"steps": 4}),
        ("momentum 0.9, opt.lr set to 0.01 before step 4", {"lr": 0.1, "momentum": 0.9},
         {"lr_at": {3: 0.01}}),
        ("momentum 0.8, dampening 0.3, float32 arrays", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3},
         {"steps": 4, "dtype": np.float32}),
    ])

    def zero_start(hyper, t, lr):  # b_t = (1 - tau) sum_s mu^(t-s) g_s: torch with tau = 0, lr (1 - tau)
        return lr * (1 - hyper.get("dampening", 0.0))

    return _hw3_optimizer_check(SGD, ref, "SGD with momentum", cases,
                                ("ignores_momentum", "momentum_as_nesterov", "momentum_buffer_zero",
                                 "ignores_dampening", "lr_in_buffer", "ignores_lr_change"), {
        "ignores_momentum": _hw3_ref_variant(ref, {"momentum": 0.0, "dampening": 0.0}),
        "momentum_as_nesterov": _hw3_ref_variant(ref, {"nesterov": True}),
        "momentum_buffer_zero": _hw3_ref_variant(ref, {"dampening": 0.0}, lr_map=zero_start),
        "ignores_dampening": _hw3_ref_variant(ref, {"dampening": 0.0}),
        "lr_in_buffer": _hw3_ref_variant(ref, lr_in_grads=True),
        "ignores_lr_change": _hw3_ref_variant(ref, keep_lr=True),
    })


def check_nesterov(SGD: type, rng: RNGLike = 0) -> bool:  # noqa: N803 - the student's class
    r"""Check Nesterov momentum in ``torch.optim.SGD``'s form, ``SGD(params, lr, momentum, nesterov=True)``:
    the buffer as for momentum, the step :math:`p \leftarrow p - \eta (g_t + \mu b_t)`.

    Against :class:`coursekit.optim.SGD`; recognises plain momentum in place of Nesterov's step and the
    learning rate kept inside the buffer. Use: ``assert grading.check_nesterov(SGD)``.
    """
    rng = as_rng(rng)
    ref = _optim().SGD
    cases = _hw3_lr_cases(rng, [
        ("momentum 0.9, nesterov", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, {}),
        ("momentum 0.5, nesterov, 8 steps", {"lr": 0.1, "momentum": 0.5, "nesterov": True}, {"steps": 8}),
        ("momentum 0.9, nesterov, opt.lr set to 0.2 before step 3", {"lr": 0.05, "momentum": 0.9,
                                                                     "nesterov": True}, {"lr_at": {2: 0.2}}),
        ("momentum 0.7, nesterov, float32 arrays", {"lr": 0.05, "momentum": 0.7, "nesterov": True},
         {"steps": 4, "dtype": np.float32}),
    ])
    return _hw3_optimizer_check(SGD, ref, "SGD with Nesterov momentum", cases,
                                ("nesterov_as_momentum", "ignores_momentum", "lr_in_buffer",
                                 "ignores_lr_change"), {
        "nesterov_as_momentum": _hw3_ref_variant(ref, {"nesterov": False}),
        "ignores_momentum": _hw3_ref_variant(ref, {"momentum": 0.0, "nesterov": False}),
        "lr_in_buffer": _hw3_ref_variant(ref, lr_in_grads=True),
        "ignores_lr_change": _hw3_ref_variant(ref, keep_lr=True),
    })


def check_rmsprop(RMSprop: type, rng: RNGLike = 0) -> bool:  # noqa: N803 - the student's class
    r"""Check ``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8)`` (``torch.optim.RMSprop`` without momentum):
    :math:`v \leftarrow \alpha v + (1-\alpha) g^2`, :math:`p \leftarrow p - \eta\, g / (\sqrt{v} + \epsilon)`.

    Against :class:`coursekit.optim.RMSprop`, including tiny gradients (|g| ~ 1e-6) and a large eps, where eps
    inside the square root is recognised. Use: ``assert grading.check_rmsprop(RMSprop)``.
    """
    rng = as_rng(rng)
    ref = _optim().RMSprop
    cases = _hw3_lr_cases(rng, [
        ("lr = 0.01", {"lr": 0.01}, {}),
        ("lr = 0.05, alpha = 0.9, 8 steps", {"lr": 0.05, "alpha": 0.9}, {"steps": 8}),
        ("default hyper-parameters (lr 1e-2, alpha 0.99, eps 1e-8)", {}, {"steps": 3}),
        ("tiny gradients (|g| ~ 1e-6)", {"lr": 0.01}, {"scale": 1e-6}),
        ("eps = 0.01", {"lr": 0.02, "eps": 0.01}, {"steps": 4}),
        ("zero gradient at the first step", {"lr": 0.01}, {"steps": 3, "zero_at": 0}),
        ("opt.lr set to 0.001 before step 3", {"lr": 0.01}, {"lr_at": {2: 0.001}}),
        ("float32 arrays", {"lr": 0.01, "alpha": 0.9}, {"steps": 4, "dtype": np.float32}),
    ])
    return _hw3_optimizer_check(RMSprop, ref, "RMSprop", cases,
                                ("eps_inside_sqrt", "rmsprop_alpha_swapped", "missing_eps",
                                 "ignores_lr_change"), {
        "eps_inside_sqrt": _hw3_adaptive("rmsprop"),
        "rmsprop_alpha_swapped": _hw3_ref_variant(ref, lambda h: {"alpha": 1 - h.get("alpha", 0.99)}),
        "ignores_lr_change": _hw3_ref_variant(ref, keep_lr=True),
    })


def check_adam(Adam: type, rng: RNGLike = 0) -> bool:  # noqa: N803 - the student's class
    r"""Check ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)`` (``torch.optim.Adam``):
    bias-corrected averages :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`,
    :math:`p \leftarrow p - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)`.

    Against :class:`coursekit.optim.Adam` over up to 12 steps. Recognises a missing (or half, or shifted) bias
    correction, eps inside the square root (small gradients), swapped betas and an ignored ``opt.lr``.
    Use: ``assert grading.check_adam(Adam)``.
    """
    rng = as_rng(rng)
    ref = _optim().Adam
    cases = _hw3_lr_cases(rng, [
        ("lr = 0.01", {"lr": 0.01}, {}),
        ("lr = 0.05, betas = (0.8, 0.99), 12 steps", {"lr": 0.05, "betas": (0.8, 0.99)}, {"steps": 12}),
        ("default hyper-parameters (lr 1e-3, betas (0.9, 0.999), eps 1e-8)", {}, {"steps": 4}),
        ("small gradients (|g| ~ 1e-3)", {"lr": 0.01}, {"scale": 1e-3}),
        ("zero gradient at the first step", {"lr": 0.01}, {"steps": 3, "zero_at": 0}),
        ("opt.lr set to 0.1 before step 4", {"lr": 0.01}, {"lr_at": {3: 0.1}}),
        ("float32 arrays", {"lr": 0.01}, {"steps": 4, "dtype": np.float32}),
    ])

    def k(t):
        return t + 1  # the step number of the 0-based step t

    def betas(h):
        return h.get("betas", (0.9, 0.999))

    def no_correction(h, t, lr):
        b1, b2 = betas(h)
        return lr * (1 - b1 ** k(t)) / np.sqrt(1 - b2 ** k(t))

    def shifted(h, t, lr):
        b1, b2 = betas(h)
        t1, t2 = k(t), k(t) + 1
        return lr * (1 - b1**t1) / (1 - b1**t2) * np.sqrt((1 - b2**t2) / (1 - b2**t1))

    def only_m(h, t, lr):
        return lr / np.sqrt(1 - betas(h)[1] ** k(t))

    def only_v(h, t, lr):
        return lr * (1 - betas(h)[0] ** k(t))

    return _hw3_optimizer_check(Adam, ref, "Adam", cases,
                                ("adam_no_bias_correction", "adam_only_m_corrected", "adam_only_v_corrected",
                                 "adam_bias_t_plus_one", "adam_bias_t_zero", "eps_inside_sqrt",
                                 "adam_eps_unscaled", "adam_betas_swapped", "missing_eps",
                                 "ignores_lr_change"), {
        "adam_no_bias_correction": _hw3_ref_variant(ref, lr_map=no_correction),
        "adam_only_m_corrected": _hw3_ref_variant(ref, lr_map=only_m),
        "adam_only_v_corrected": _hw3_ref_variant(ref, lr_map=only_v),
        "adam_bias_t_plus_one": _hw3_ref_variant(ref, lr_map=shifted),
        "eps_inside_sqrt": _hw3_adaptive("adam"),
        "adam_eps_unscaled": _hw3_adaptive("adam", "eps_unscaled"),
        "adam_betas_swapped": _hw3_ref_variant(ref, lambda h: {"betas": betas(h)[::-1]}),
        "ignores_lr_change": _hw3_ref_variant(ref, keep_lr=True),
    })


# ---- mini-batches ------------------------------------------------------------------------------------------


def _hw3_epoch(fn: Callable, n: int, batch_size: int, rng: Any) -> list[np.ndarray]:
    batches = []
    for k, batch in enumerate(fn(n, batch_size, rng)):
        a = np.asarray(batch)
        if a.ndim != 1 or a.dtype.kind not in "iu":
            raise _WrongOutput(f"batch {k} is {summarize(batch)}: each batch must be a 1-D array of integer "
                               f"indices (e.g. a slice of rng.permutation(n_samples))")
        if a.size and (a.min() < 0 or a.max() >= n):
            raise _WrongOutput(f"batch {k} holds the index {int(a.min() if a.min() < 0 else a.max())}, "
                               f"outside 0..{n - 1}")
        batches.append(a)
    return batches


def _hw3_order(fn: Callable, n: int, batch_size: int, rng: Any) -> np.ndarray:
    batches = _hw3_epoch(fn, n, batch_size, rng)
    return np.concatenate(batches) if batches else np.zeros(0, dtype=int)


def _hw3_same(a: np.ndarray, b: np.ndarray) -> float:
    return float(a.shape == b.shape and np.array_equal(a, b))


def _hw3_batches_summary(fn: Callable, n: int, batch_size: int, rng: Any) -> tuple:
    """(how often each index appears, the batch sizes, properties 1/0): same int seed twice -> same
    batches; two Generators from one seed -> same batches; and for n >= 20: another seed -> another order; one
    Generator for two epochs -> two orders; the order is shuffled."""
    batches = _hw3_epoch(fn, n, batch_size, rng)
    order = np.concatenate(batches) if batches else np.zeros(0, dtype=int)
    counts = np.bincount(order, minlength=n)
    sizes = np.array([len(b) for b in batches])
    flags = []
    if rng is not None:
        flags.append(_hw3_same(order, _hw3_order(fn, n, batch_size, rng)))
        flags.append(_hw3_same(_hw3_order(fn, n, batch_size, np.random.default_rng(rng)),
                          _hw3_order(fn, n, batch_size, np.random.default_rng(rng))))
        if n >= 20:
            flags.append(1.0 - _hw3_same(order, _hw3_order(fn, n, batch_size, rng + 1000)))
            gen = np.random.default_rng(rng)
            first = _hw3_order(fn, n, batch_size, gen)
            flags.append(1.0 - _hw3_same(first, _hw3_order(fn, n, batch_size, gen)))
            flags.append(1.0 - _hw3_same(order, np.arange(n)))
    return counts, sizes, np.array(flags)


def _hw3_counts(m: Mismatch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    if not (isinstance(m.got, tuple) and len(m.got) == 3 and isinstance(m.expected, tuple)):
        return None
    return (np.asarray(m.got[0]), np.asarray(m.got[1]), np.asarray(m.expected[1]), np.asarray(m.got[2]))


def _hw3_with_replacement(m: Mismatch) -> bool:
    c = _hw3_counts(m)
    return c is not None and bool(np.any(c[0] > 1))


def _hw3_drops_last(m: Mismatch) -> bool:
    c = _hw3_counts(m)
    if c is None:
        return False
    counts, sizes, expected_sizes, _ = c
    return (bool(np.all(counts <= 1)) and len(expected_sizes) >= 1
            and int(np.sum(counts == 0)) == expected_sizes[-1] and np.array_equal(sizes, expected_sizes[:-1]))


def _hw3_batch_sizes(m: Mismatch) -> bool:
    c = _hw3_counts(m)
    return c is not None and bool(np.all(c[0] == 1)) and not np.array_equal(c[1], c[2])


def _hw3_flag(index: int, value: float = 0.0, unless: tuple[int, float] | None = None) -> Callable:
    def detect(m: Mismatch) -> bool:
        c = _hw3_counts(m)
        if c is None or c[3].size <= index or c[3][index] != value:
            return False
        return unless is None or (c[3].size > unless[0] and c[3][unless[0]] != unless[1])

    return detect


def _hw3_int_rng(m: Mismatch) -> bool:
    return isinstance(m.error, AttributeError) and "'int' object" in str(m.error)


for _name, _detect, _hint in [
    ("with_replacement", _hw3_with_replacement,
     "some indices appear twice and others never in one epoch (sampling with replacement): shuffle once, "
     "order = rng.permutation(n_samples), and cut the permutation into consecutive slices"),
    ("drops_last_batch", _hw3_drops_last,
     "the last, smaller batch is missing: when batch_size does not divide n_samples, the last batch holds "
     "the n_samples % batch_size remaining indices"),
    ("batch_sizes", _hw3_batch_sizes,
     "every batch must hold exactly batch_size indices except the last, which holds the rest "
     "(n_samples = 10, batch_size = 4: sizes 4, 4, 2)"),
    ("not_reproducible", lambda m: _hw3_flag(0)(m) or _hw3_flag(1)(m),
     "not reproducible: the same seed must give the same batches; draw the permutation with the generator "
     "np.random.default_rng(rng), not with np.random.permutation or np.random.shuffle (the global state)"),
    ("not_shuffled", _hw3_flag(4),
     "the batches are not shuffled: cut a random permutation of 0..n_samples-1, not 0, 1, 2, ... in order"),
    ("ignores_rng", _hw3_flag(2, unless=(4, 0.0)),
     "the order does not depend on rng (a fixed seed inside the function?): draw the permutation with "
     "np.random.default_rng(rng), the generator you are given"),
    ("same_order_each_epoch", _hw3_flag(3),
     "two epochs drawn with the same Generator have the same order: use that Generator itself "
     "(np.random.default_rng(rng) returns it unchanged) so that every epoch gets a new permutation"),
    ("rng_not_converted", _hw3_int_rng,
     "rng may be an int seed, a Generator or None: convert it first with rng = np.random.default_rng(rng)"),
]:
    add_diagnoser(_name, _hint, _detect)


def check_minibatches(minibatches: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``minibatches(n_samples, batch_size, rng)``: one epoch of index arrays in which every index
    :math:`0 \dots n-1` appears exactly once, batches of ``batch_size`` except a smaller last one, shuffled by
    ``np.random.default_rng(rng)`` (the same seed gives the same batches, a Generator a new order each epoch).

    The order itself is free (any shuffle): compared are how often each index appears, the batch sizes and
    these properties, against :func:`coursekit.optim.minibatches`. Use:
    ``assert grading.check_minibatches(minibatches)``.
    """
    cases = [Case(f"n_samples = {n}, batch_size = {b}, rng = {s}", (n, b, s))
             for n, b, s in [(100, 32, 0), (10, 3, 1), (64, 16, 2), (5, 10, 3), (7, 1, 4), (1000, 128, 5),
                             (50, 50, None)]]

    def call(fn, args, kwargs):
        return _hw3_batches_summary(fn, *args)

    return compare(minibatches, _optim().minibatches, cases, name="minibatches",
                   diagnosers=("rng_not_converted", "with_replacement", "drops_last_batch", "batch_sizes",
                               "not_reproducible", "not_shuffled", "ignores_rng", "same_order_each_epoch"),
                   call=call)


# ---- learning-rate schedules -------------------------------------------------------------------------------


def _hw3_curve(name: str, lr0: float, ts: np.ndarray, shift: int = 0, **kw: Any) -> np.ndarray:
    """The closed form of the schedule ``name`` at t + shift for each t of ``ts`` (shift -1 gives t = -1)."""
    optim = _optim()
    if shift >= 0:
        return np.array([optim.schedule_lr(name, lr0, int(t) + shift, **kw) for t in ts])
    return np.array([float(optim._SCHEDULES[name](lr0, int(t) + shift, **kw)) for t in ts])


def _hw3_no_floor(name: str, lr0: float, ts: np.ndarray, **kw: Any) -> np.ndarray:
    if name != "step":
        return _hw3_curve(name, lr0, ts, **kw)
    return lr0 * kw.get("gamma", 0.1) ** (np.asarray(ts, dtype=float) / kw["step_size"])


for _name, _hint in [
    ("schedule_t_plus_one",
     "the schedule looks shifted by one step: at t = 0 the learning rate is lr0 (t counts the scheduler "
     "steps already taken, from 0); use t, not t + 1"),
    ("schedule_t_minus_one",
     "the schedule looks shifted by one step: t starts at 0 (the first epoch uses lr0), so use t, not t - 1"),
    ("schedule_no_floor",
     "step decay changes the rate only every step_size epochs: use the integer division t // step_size "
     "(floor), not t / step_size"),
]:
    add_diagnoser(_name, _hint)


def check_schedule_lr(schedule_lr: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``schedule_lr(name, lr0, t, **kw)``, the closed forms of the "constant", "step"
    (``step_size``, ``gamma=0.1``), "exponential" (``gamma``), "inverse_time" (``decay``) and "cosine"
    (``T_max``, ``eta_min=0``) schedules, at t = 0, 1, ... (cosine: up to ``T_max``).

    Against :func:`coursekit.optim.schedule_lr`; recognises t shifted by one and step decay without the floor.
    Use: ``assert grading.check_schedule_lr(schedule_lr)``.
    """
    specs = [("constant", 0.1, {}, 5), ("step", 0.5, {"step_size": 3, "gamma": 0.5}, 12),
             ("step", 0.2, {"step_size": 4}, 10), ("exponential", 0.3, {"gamma": 0.9}, 10),
             ("inverse_time", 0.5, {"decay": 0.3}, 10), ("inverse_time", 2.0, {"decay": 2.5}, 5),
             ("cosine", 0.1, {"T_max": 10}, 10), ("cosine", 1.0, {"T_max": 8, "eta_min": 0.1}, 8)]
    cases = []
    for name, lr0, kw, t_max in specs:
        params = "".join(f", {k}={v:g}" for k, v in kw.items())
        cases.append(Case(f"{name}{params}, lr0={lr0:g}, t = 0..{t_max}", (name, lr0, np.arange(t_max + 1)),
                          kw))

    def call(fn, args, kwargs):
        name, lr0, ts = args
        if fn is schedule_lr:
            return np.array([float(np.squeeze(fn(name, lr0, int(t), **kwargs))) for t in ts])
        return fn(name, lr0, ts, **kwargs)

    return compare(schedule_lr, _hw3_curve, cases, name="schedule_lr",
                   diagnosers=("schedule_t_plus_one", "schedule_t_minus_one", "schedule_no_floor"),
                   variants={"schedule_t_plus_one": _hw3_distinct(functools.partial(_hw3_curve, shift=1),
                                                                  _hw3_curve),
                             "schedule_t_minus_one": _hw3_distinct(functools.partial(_hw3_curve, shift=-1),
                                                                   _hw3_curve),
                             "schedule_no_floor": _hw3_distinct(_hw3_no_floor, _hw3_curve)},
                   call=call)


# ---- training loops ----------------------------------------------------------------------------------------


class _StandInClass(type):
    def __repr__(cls) -> str:
        return f"{cls.__name__} (a correct optimizer class)"


_StandInClass.__name__ = "class"


def _hw3_stand_in_optimizer(name: str) -> type:
    """A correct optimizer class (a wrapper of the coursekit reference) to pass to a student's training loop:
    it runs in the grader, and the loop may build it, step it and read or set its ``lr`` and ``params``
    (:data:`~coursekit.grading.channel.Endpoint` serves those attributes only)."""
    ref = getattr(_optim(), name)

    def init(self, params, **hyper):
        self._opt = ref(params, **hyper)
        self.params = self._opt.params

    def step(self, grads):
        self._opt.step(grads)

    def get_lr(self):
        return self._opt.lr

    def set_lr(self, value):
        self._opt.lr = value

    return _StandInClass(name, (), {"__init__": init, "step": step, "lr": property(get_lr, set_lr),
                                    "reference": ref, "__remote_attrs__": ("step", "lr", "params")})


class _LrAt:
    """A learning rate per step or epoch, ``lr0 / (1 + decay * t)``, with a readable repr."""

    def __init__(self, lr0: float, decay: float) -> None:
        self.lr0, self.decay = lr0, decay

    def __call__(self, t: int) -> float:
        return self.lr0 / (1 + self.decay * t)

    def __repr__(self) -> str:
        return f"t -> {self.lr0:g} / (1 + {self.decay:g} t)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _LrAt) and (self.lr0, self.decay) == (other.lr0, other.decay)

    def __hash__(self) -> int:
        return hash((self.lr0, self.decay))


_LrAt.__name__ = "function"


class _QuadGrad:
    """The gradient of a coursekit ``Quadratic``, with a readable repr and an equality (a check's input)."""

    def __init__(self, quad: Any, label: str) -> None:
        self.quad, self.label = quad, label

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return self.quad.grad(w)

    def __repr__(self) -> str:
        return self.label

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, _QuadGrad) and np.array_equal(self.quad.A, other.quad.A)
                and np.array_equal(self.quad.b, other.quad.b))

    def __hash__(self) -> int:
        return hash(self.label)


_QuadGrad.__name__ = "function"


class _LambdaScheduler:
    """For coursekit.optim's loops: sets ``optimizer.lr = lr_at(t)`` now (t = 0) and at every ``step()``."""

    def __init__(self, optimizer: Any, lr_at: Callable[[int], float]) -> None:
        self.optimizer, self.lr_at, self.t = optimizer, lr_at, 0
        optimizer.lr = lr_at(0)

    def step(self) -> None:
        self.t += 1
        self.optimizer.lr = self.lr_at(self.t)


def _hw3_path(m: Mismatch) -> np.ndarray | None:
    got = np.asarray(m.got, dtype=float) if m.got is not None and _is_numbers(m.got) else None
    return got if got is not None and got.ndim == 2 else None


for _name, _detect, _hint in [
    ("path_not_copied", lambda m: (p := _hw3_path(m)) is not None and p.shape == np.shape(m.expected)
     and len(p) > 2 and bool(np.allclose(p[1:], np.asarray(m.expected)[-1])),
     "every point of the path is the final point: append a copy, w.copy() (the optimizer changes w in "
     "place, so appending w itself stores the same array again and again)"),
    ("path_length", lambda m: (p := _hw3_path(m)) is not None and len(p) == len(m.expected) - 1,
     "the path must hold n_steps + 1 points: w0 first, then the point after every step"),
    ("same_batches_every_epoch", None,
     "every epoch visits the same batches in the same order: create the Generator once, "
     "rng = np.random.default_rng(rng), before the epochs and pass it to minibatches (passing the int seed "
     "again repeats the same shuffle)"),
]:
    add_diagnoser(_name, _hint, _detect)


def check_minimize(minimize: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper) -> path``: from a float copy
    ``w`` of ``w0``, ``opt = optimizer_cls([w], **hyper)``, then ``n_steps`` times: ``opt.lr = lr_at(t)`` (if
    given), ``opt.step([grad(w)])``; ``path`` (n_steps + 1, d) holds w0 and the point after every step.

    The optimizer classes passed in are correct ones (coursekit's); against :func:`coursekit.optim.optimize`.
    Use: ``assert grading.check_minimize(minimize)``.
    """
    from coursekit.data import make_ravine

    rng = as_rng(rng)
    ravine = _QuadGrad(make_ravine(25.0, np.pi / 6), "w -> the gradient of the ravine (kappa = 25)")
    ravine3 = _QuadGrad(make_ravine(10.0, 0.3, dim=3), "w -> the gradient of a 3-D quadratic")
    sgd, adam = _hw3_stand_in_optimizer("SGD"), _hw3_stand_in_optimizer("Adam")
    w0 = np.array([-1.85, 0.74])
    cases = [
        Case("gradient descent on the ravine, lr = 0.05, 10 steps", (ravine, w0, sgd, 10), {"lr": 0.05}),
        Case("momentum 0.6, lr = 0.04, 8 steps", (ravine, rng.normal(size=2), sgd, 8),
             {"lr": 0.04, "momentum": 0.6}),
        Case("Adam on a 3-D quadratic with lr_at, 12 steps", (ravine3, rng.normal(size=3), adam, 12),
             {"lr": 0.3, "lr_at": _LrAt(0.3, 0.5)}),
        Case("n_steps = 0 (the path is w0 alone)", (ravine, w0, sgd, 0), {"lr": 0.1}),
        Case("w0 given as a list of ints", (ravine, [2, -1], sgd, 5), {"lr": 0.05}),
    ]

    def reference(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
        w = np.array(w0, dtype=float)
        opt = optimizer_cls.reference([w], **hyper)
        scheduler = None if lr_at is None else _LambdaScheduler(opt, lr_at)
        hist = _optim().optimize(lambda params: (0.0, [grad(params[0])]), [w], opt, n_steps,
                                 scheduler=scheduler, record_params=True)
        return np.array(hist.params)

    def call(fn, args, kwargs):
        return np.asarray(fn(*args, **kwargs), dtype=float)

    return compare(minimize, reference, cases, name="minimize", diagnosers=("path_not_copied", "path_length"),
                   call=call)


def _hw3_objective(w, b, X, y):
    return _linear().logistic_loss(w, float(np.ravel(b)[0]), X, y, alpha=HW3_ALPHA)


def _hw3_objective_grad(w, b, X, y):
    gw, gb = _linear().logistic_loss_grad(w, float(np.ravel(b)[0]), X, y, alpha=HW3_ALPHA)
    return gw, np.array([gb])


def _hw3_fit(X, y, optimizer_cls, batch_size, epochs, rng=None, lr_at=None, reseed=False, **hyper):
    """The reference of ``fit_logistic``, with coursekit.optim.train_minibatch (``reseed``: the known-wrong
    variant that reshuffles with the same seed every epoch)."""
    optim = _optim()
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls.reference([w, b], **hyper)
    losses = [_hw3_objective(w, b, X, y)]

    def fun(params, idx):
        return 0.0, list(_hw3_objective_grad(*params, X[idx], y[idx]))

    def full_loss(params):
        return _hw3_objective(*params, X, y)

    def run(n_epochs, seed, first):
        scheduler = None if lr_at is None else _LambdaScheduler(opt, lambda t: lr_at(t + first))
        hist = optim.train_minibatch(fun, [w, b], opt, len(y), batch_size, n_epochs, rng=seed,
                                     scheduler=scheduler, eval_fun=full_loss)
        losses.extend(hist.epoch_loss)

    if reseed:
        for epoch in range(epochs):
            run(1, rng, epoch)
    else:
        run(epochs, rng, 0)
    return w, b, losses


def check_fit_logistic(fit_logistic: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``fit_logistic(X, y, optimizer_cls, batch_size, epochs, rng=None, lr_at=None, **hyper) ->
    (w, b, losses)``: logistic regression (mean cross-entropy + ``HW3_ALPHA``/2 |w|^2) trained by
    mini-batches from w = 0, b = 0 (``b`` an array of shape (1,)), with one Generator for all epochs,
    ``opt.lr = lr_at(epoch)`` before each epoch, and ``losses`` = J on all the data at the start and after
    every epoch.

    The notebook's ``minibatches``, ``objective`` and ``objective_grad`` are replaced by correct ones and the
    optimizer classes passed in are correct; against :func:`coursekit.optim.train_minibatch`.
    Use: ``assert grading.check_fit_logistic(fit_logistic)``.
    """
    rng = as_rng(rng)
    sgd, adam = _hw3_stand_in_optimizer("SGD"), _hw3_stand_in_optimizer("Adam")

    def data(n, d):
        X = rng.normal(size=(n, d))
        y = (X @ rng.normal(size=d) + rng.normal(size=n) > 0).astype(float)
        return X, y

    cases = []
    for label, (n, d), cls, batch_size, epochs, hyper in [
        ("SGD, lr = 0.5, n = 40, batch_size = 8, 3 epochs", (40, 3), sgd, 8, 3, {"rng": 0, "lr": 0.5}),
        ("momentum 0.9 with lr_at, n = 30, batch_size = 7 (a smaller last batch), 4 epochs", (30, 2), sgd, 7,
         4, {"rng": 1, "lr": 0.2, "momentum": 0.9, "lr_at": _LrAt(0.2, 0.5)}),
        ("Adam, lr = 0.05, one full batch (batch_size = n = 25), 3 epochs", (25, 4), adam, 25, 3,
         {"rng": 2, "lr": 0.05}),
        ("epochs = 0 (nothing is trained)", (12, 2), sgd, 4, 0, {"rng": 3, "lr": 0.1}),
    ]:
        X, y = data(n, d)
        cases.append(Case(label, (X, y, cls, batch_size, epochs), hyper))

    def call(fn, args, kwargs):
        out = fn(*args, **kwargs)
        if fn is not fit_logistic:
            w, b, losses = out
            return np.asarray(w), np.ravel(b), np.asarray(losses, dtype=float)
        if not isinstance(out, tuple | list) or len(out) != 3:
            raise _WrongOutput(f"returns {summarize(out)}; return the triple (w, b, losses)")
        w, b, losses = out
        return (np.asarray(w, dtype=float), np.ravel(np.asarray(b, dtype=float)),
                np.asarray(losses, dtype=float))

    return compare(fit_logistic, _hw3_fit, cases, name="fit_logistic",
                   diagnosers=("same_batches_every_epoch", "history_length"),
                   variants={"same_batches_every_epoch": functools.partial(_hw3_fit, reseed=True)},
                   hints={"history_length": "losses must hold epochs + 1 values: J at the start (w = 0, "
                                            "b = 0) and after every epoch"},
                   depends={"minibatches": _optim().minibatches, "objective": _hw3_objective,
                            "objective_grad": _hw3_objective_grad},
                   call=call)
