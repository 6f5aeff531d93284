"""Checks of hw3-optimizers: mini-batches, SGD (momentum, Nesterov), RMSprop, Adam, schedules and two
training loops. They run in the grader; the student's classes are proxies whose objects live in the
sandbox."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from coursekit._utils import RNGLike, as_rng
from coursekit.grading.cases import (
    ATOL_FLOAT32,
    RTOL_FLOAT32,
    Case,
    _mismatch,
    _WrongOutput,
    summarize,
)
from coursekit.grading.checks_hw1 import _linear
from coursekit.grading.diagnosers import Mistake
from coursekit.grading.engine import compare
from coursekit.grading.mistakes_hw3 import MISTAKES

# --- hw3-optimizers checks ---
# hw3: mini-batches, SGD (plain, momentum, Nesterov), RMSprop, Adam, learning-rate schedules, and two
# training loops (a full-batch path on a quadratic, mini-batch logistic regression). An optimizer check builds
# the student's class and the coursekit.optim reference on copies of the same arrays, feeds both the same
# gradients (changing ``opt.lr`` between steps in some inputs) and compares the parameters after every step,
# read from the arrays that were passed in: an update that is not in place is seen. Each part's realistic
# mistakes (MISTAKES, in coursekit.grading.mistakes_hw3) are recognised through their variants or detectors;
# the hidden inputs are chosen so that at least two of them catch each mistake, whatever the secret seed.

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


def _hw3_distinct(variant: Callable, reference: Callable) -> Callable:
    """``variant``, but ``None`` (which matches nothing) on an input where it gives the reference's output: a
    mistake that changes nothing on an input cannot be recognised there."""

    def run(*args, **kwargs):
        out = variant(*args, **kwargs)
        return None if _mismatch(out, reference(*args, **kwargs), 1e-9, 1e-12) is None else out

    return run


def _hw3_catalogue(part: str, reference: Callable) -> tuple[Mistake, ...]:
    """The catalogue of ``part`` with every variant wrapped by :func:`_hw3_distinct` (no prediction where the
    mistake changes nothing)."""
    return tuple(dataclasses.replace(m, variant=_hw3_distinct(m.variant, reference)) if m.variant else m
                 for m in MISTAKES[part])


def _hw3_optimizer_check(student_cls: type, ref_cls: type, name: str, part: str,
                         cases: Sequence[Case]) -> bool:
    """compare() for an optimizer class: parameters after every step, against ``ref_cls``, with the catalogue
    of ``part``."""
    default_lr = inspect.signature(ref_cls).parameters["lr"].default

    def reference(hyper, steps):
        return _hw3_run(ref_cls, hyper, steps, default_lr)

    def call(fn, args, kwargs):
        hyper, steps = args
        if fn is student_cls:
            return _hw3_run(student_cls, hyper, steps, default_lr, student=True)
        return fn(hyper, steps)

    return compare(student_cls, reference, cases, name=name, mistakes=_hw3_catalogue(part, reference),
                   call=call, mutates=True)


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
    cases = _hw3_lr_cases(rng, [
        ("lr = 0.1, 5 steps", {"lr": 0.1}, {"steps": 5}),
        ("lr = 0.5, momentum = 0 given explicitly", {"lr": 0.5, "momentum": 0.0}, {"steps": 3}),
        ("default lr (1e-3)", {}, {"steps": 3}),
        ("opt.lr set to 0.02 before step 3 and to 0.2 before step 5", {"lr": 0.1},
         {"steps": 6, "lr_at": {2: 0.02, 4: 0.2}}),
        ("opt.lr set to 0.3 before step 2", {"lr": 0.05}, {"steps": 4, "lr_at": {1: 0.3}}),
        ("float32 arrays", {"lr": 0.05}, {"steps": 4, "dtype": np.float32}),
    ])
    return _hw3_optimizer_check(SGD, _optim().SGD, "SGD", "sgd", cases)


def check_momentum(SGD: type, rng: RNGLike = 0) -> bool:  # noqa: N803 - the student's class
    r"""Check heavy-ball momentum in ``torch.optim.SGD``'s form, ``SGD(params, lr, momentum, dampening)``:
    :math:`b_1 = g_1`, :math:`b_t = \mu b_{t-1} + (1-\tau) g_t`, :math:`p \leftarrow p - \eta b_t`.

    Against :class:`coursekit.optim.SGD`. Recognises the mistakes of ``MISTAKES["momentum"]``: a buffer
    started at zero (visible with dampening), the moving-average form, an ignored dampening or momentum, the
    step taken before the buffer's update, the learning rate kept inside the buffer, and the Nesterov step.
    Use: ``assert grading.check_momentum(SGD)``.
    """
    rng = as_rng(rng)
    cases = _hw3_lr_cases(rng, [
        ("momentum 0.9", {"lr": 0.1, "momentum": 0.9}, {}),
        ("momentum 0.5, dampening 0.5", {"lr": 0.1, "momentum": 0.5, "dampening": 0.5}, {}),
        ("momentum 0.9, dampening 0.1, 8 steps", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1},
         {"steps": 8}),
        ("momentum 0.3, dampening 0.9", {"lr": 0.2, "momentum": 0.3, "dampening": 0.9}, {"steps": 4}),
        ("momentum 0.9, opt.lr set to 0.01 before step 4", {"lr": 0.1, "momentum": 0.9},
         {"lr_at": {3: 0.01}}),
        ("momentum 0.6, opt.lr set to 0.3 before step 3", {"lr": 0.05, "momentum": 0.6},
         {"steps": 5, "lr_at": {2: 0.3}}),
        ("momentum 0.8, dampening 0.3, float32 arrays", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3},
         {"steps": 4, "dtype": np.float32}),
    ])
    return _hw3_optimizer_check(SGD, _optim().SGD, "SGD with momentum", "momentum", cases)


def check_nesterov(SGD: type, rng: RNGLike = 0) -> bool:  # noqa: N803 - the student's class
    r"""Check Nesterov momentum in ``torch.optim.SGD``'s form, ``SGD(params, lr, momentum, nesterov=True)``:
    the buffer as for momentum, the step :math:`p \leftarrow p - \eta (g_t + \mu b_t)`.

    Against :class:`coursekit.optim.SGD`; recognises the mistakes of ``MISTAKES["nesterov"]`` (plain momentum
    in place of Nesterov's step, the look-ahead with the old buffer, the learning rate kept inside the buffer,
    ...). Use: ``assert grading.check_nesterov(SGD)``.
    """
    rng = as_rng(rng)
    cases = _hw3_lr_cases(rng, [
        ("momentum 0.9, nesterov", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, {}),
        ("momentum 0.5, nesterov, 8 steps", {"lr": 0.1, "momentum": 0.5, "nesterov": True}, {"steps": 8}),
        ("momentum 0.9, nesterov, opt.lr set to 0.2 before step 3", {"lr": 0.05, "momentum": 0.9,
                                                                     "nesterov": True}, {"lr_at": {2: 0.2}}),
        ("momentum 0.6, nesterov, opt.lr set to 0.01 before step 4",
         {"lr": 0.1, "momentum": 0.6, "nesterov": True}, {"lr_at": {3: 0.01}}),
        ("momentum 0.7, nesterov, float32 arrays", {"lr": 0.05, "momentum": 0.7, "nesterov": True},
         {"steps": 4, "dtype": np.float32}),
    ])
    return _hw3_optimizer_check(SGD, _optim().SGD, "SGD with Nesterov momentum", "nesterov", cases)


def check_rmsprop(RMSprop: type, rng: RNGLike = 0) -> bool:  # noqa: N803 - the student's class
    r"""Check ``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8)`` (``torch.optim.RMSprop`` without momentum):
    :math:`v \leftarrow \alpha v + (1-\alpha) g^2`, :math:`p \leftarrow p - \eta\, g / (\sqrt{v} + \epsilon)`.

    Against :class:`coursekit.optim.RMSprop`, including tiny gradients (|g| ~ 1e-6), a large eps and zero
    gradients at the first step, where eps inside the square root or a missing eps are recognised.
    Use: ``assert grading.check_rmsprop(RMSprop)``.
    """
    rng = as_rng(rng)
    cases = _hw3_lr_cases(rng, [
        ("lr = 0.01", {"lr": 0.01}, {}),
        ("lr = 0.05, alpha = 0.9, 8 steps", {"lr": 0.05, "alpha": 0.9}, {"steps": 8}),
        ("default hyper-parameters (lr 1e-2, alpha 0.99, eps 1e-8)", {}, {"steps": 3}),
        ("tiny gradients (|g| ~ 1e-6)", {"lr": 0.01}, {"scale": 1e-6}),
        ("eps = 0.01", {"lr": 0.02, "eps": 0.01}, {"steps": 4}),
        ("zero gradient at the first step", {"lr": 0.01}, {"steps": 3, "zero_at": 0}),
        ("zero gradient at the first step, alpha = 0.9", {"lr": 0.03, "alpha": 0.9},
         {"steps": 4, "zero_at": 0}),
        ("opt.lr set to 0.001 before step 3", {"lr": 0.01}, {"lr_at": {2: 0.001}}),
        ("alpha = 0.8, opt.lr set to 0.05 before step 2", {"lr": 0.01, "alpha": 0.8},
         {"steps": 4, "lr_at": {1: 0.05}}),
        ("float32 arrays", {"lr": 0.01, "alpha": 0.9}, {"steps": 4, "dtype": np.float32}),
    ])
    return _hw3_optimizer_check(RMSprop, _optim().RMSprop, "RMSprop", "rmsprop", cases)


def check_adam(Adam: type, rng: RNGLike = 0) -> bool:  # noqa: N803 - the student's class
    r"""Check ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)`` (``torch.optim.Adam``):
    bias-corrected averages :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`,
    :math:`p \leftarrow p - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)`.

    Against :class:`coursekit.optim.Adam` over up to 12 steps. Recognises the mistakes of
    ``MISTAKES["adam"]``: a missing (or half, or shifted) bias correction, eps inside the square root (small
    gradients), swapped betas, moments not kept, an ignored ``opt.lr``.
    Use: ``assert grading.check_adam(Adam)``.
    """
    rng = as_rng(rng)
    cases = _hw3_lr_cases(rng, [
        ("lr = 0.01", {"lr": 0.01}, {}),
        ("lr = 0.05, betas = (0.8, 0.99), 12 steps", {"lr": 0.05, "betas": (0.8, 0.99)}, {"steps": 12}),
        ("default hyper-parameters (lr 1e-3, betas (0.9, 0.999), eps 1e-8)", {}, {"steps": 4}),
        ("small gradients (|g| ~ 1e-3)", {"lr": 0.01}, {"scale": 1e-3}),
        ("small gradients (|g| ~ 1e-4), betas = (0.5, 0.9)", {"lr": 0.02, "betas": (0.5, 0.9)},
         {"steps": 5, "scale": 1e-4}),
        ("zero gradient at the first step", {"lr": 0.01}, {"steps": 3, "zero_at": 0}),
        ("zero gradient at the first step, betas = (0.8, 0.9)", {"lr": 0.02, "betas": (0.8, 0.9)},
         {"steps": 4, "zero_at": 0}),
        ("opt.lr set to 0.1 before step 4", {"lr": 0.01}, {"lr_at": {3: 0.1}}),
        ("opt.lr set to 0.002 before step 2", {"lr": 0.03}, {"steps": 4, "lr_at": {1: 0.002}}),
        ("float32 arrays", {"lr": 0.01}, {"steps": 4, "dtype": np.float32}),
    ])
    return _hw3_optimizer_check(Adam, _optim().Adam, "Adam", "adam", cases)


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
                   mistakes=MISTAKES["minibatches"], call=call)


# ---- learning-rate schedules -------------------------------------------------------------------------------


def _hw3_curve(name: str, lr0: float, ts: np.ndarray, **kw: Any) -> np.ndarray:
    """The closed form of the schedule ``name`` at each t of ``ts``."""
    return np.array([_optim().schedule_lr(name, lr0, int(t), **kw) for t in ts])


def check_schedule_lr(schedule_lr: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``schedule_lr(name, lr0, t, **kw)``, the closed forms of the "constant", "step"
    (``step_size``, ``gamma=0.1``), "exponential" (``gamma``), "inverse_time" (``decay``) and "cosine"
    (``T_max``, ``eta_min=0``) schedules, at t = 0, 1, ... (cosine: up to ``T_max``).

    Against :func:`coursekit.optim.schedule_lr`; recognises the mistakes of ``MISTAKES["schedule_lr"]`` (t
    shifted by one, step decay without the floor, e^(-gamma t), the cosine's slips, ...).
    Use: ``assert grading.check_schedule_lr(schedule_lr)``.
    """
    specs = [("constant", 0.1, {}, 5), ("step", 0.5, {"step_size": 3, "gamma": 0.5}, 12),
             ("step", 0.2, {"step_size": 4}, 10), ("step", 1.0, {"step_size": 2}, 7),
             ("exponential", 0.3, {"gamma": 0.9}, 10), ("exponential", 1.0, {"gamma": 0.5}, 6),
             ("inverse_time", 0.5, {"decay": 0.3}, 10), ("inverse_time", 2.0, {"decay": 2.5}, 5),
             ("cosine", 0.1, {"T_max": 10}, 10), ("cosine", 1.0, {"T_max": 8, "eta_min": 0.1}, 8),
             ("cosine", 0.5, {"T_max": 5, "eta_min": 0.05}, 5)]
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
                   mistakes=_hw3_catalogue("schedule_lr", _hw3_curve), call=call)


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
        Case("momentum 0.5 with lr_at, 6 steps", (ravine, rng.normal(size=2), sgd, 6),
             {"lr": 0.04, "momentum": 0.5, "lr_at": _LrAt(0.04, 1.0)}),
        Case("n_steps = 0 (the path is w0 alone)", (ravine, w0, sgd, 0), {"lr": 0.1}),
        Case("w0 given as a list of ints", (ravine, [2, -1], sgd, 5), {"lr": 0.05}),
        Case("w0 given as an array of ints, Adam", (ravine3, np.array([1, -2, 1]), adam, 4), {"lr": 0.1}),
    ]

    def reference(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
        w = np.array(w0, dtype=float)
        opt = optimizer_cls.reference([w], **hyper)
        scheduler = None if lr_at is None else _LambdaScheduler(opt, lr_at)
        hist = _optim().optimize(lambda params: (0.0, [grad(params[0])]), [w], opt, n_steps,
                                 scheduler=scheduler, record_params=True)
        return np.array(hist.params)

    def call(fn, args, kwargs):
        out = fn(*args, **kwargs)
        return None if out is None and fn is not minimize else np.asarray(out, dtype=float)

    return compare(minimize, reference, cases, name="minimize",
                   mistakes=_hw3_catalogue("minimize", reference), call=call)


def _hw3_objective(w, b, X, y):
    return _linear().logistic_loss(w, float(np.ravel(b)[0]), X, y, alpha=HW3_ALPHA)


def _hw3_objective_grad(w, b, X, y):
    gw, gb = _linear().logistic_loss_grad(w, float(np.ravel(b)[0]), X, y, alpha=HW3_ALPHA)
    return gw, np.array([gb])


def _hw3_fit(X, y, optimizer_cls, batch_size, epochs, rng=None, lr_at=None, **hyper):
    """The reference of ``fit_logistic``, with coursekit.optim.train_minibatch."""
    optim = _optim()
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls.reference([w, b], **hyper)
    losses = [_hw3_objective(w, b, X, y)]

    def fun(params, idx):
        return 0.0, list(_hw3_objective_grad(*params, X[idx], y[idx]))

    def full_loss(params):
        return _hw3_objective(*params, X, y)

    scheduler = None if lr_at is None else _LambdaScheduler(opt, lr_at)
    hist = optim.train_minibatch(fun, [w, b], opt, len(y), batch_size, epochs, rng=rng, scheduler=scheduler,
                                 eval_fun=full_loss)
    losses.extend(hist.epoch_loss)
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
        ("Adam with lr_at, n = 36, batch_size = 10, 3 epochs", (36, 3), adam, 10, 3,
         {"rng": 4, "lr": 0.1, "lr_at": _LrAt(0.1, 1.0)}),
        ("epochs = 0 (nothing is trained)", (12, 2), sgd, 4, 0, {"rng": 3, "lr": 0.1}),
    ]:
        X, y = data(n, d)
        cases.append(Case(label, (X, y, cls, batch_size, epochs), hyper))

    def call(fn, args, kwargs):
        out = fn(*args, **kwargs)
        if out is None and fn is not fit_logistic:
            return None  # a variant that makes no prediction on this input
        if fn is not fit_logistic:
            w, b, losses = out
            return np.asarray(w), np.ravel(b), np.asarray(losses, dtype=float)
        if not isinstance(out, tuple | list) or len(out) != 3:
            raise _WrongOutput(f"returns {summarize(out)}; return the triple (w, b, losses)")
        w, b, losses = out
        return (np.asarray(w, dtype=float), np.ravel(np.asarray(b, dtype=float)),
                np.asarray(losses, dtype=float))

    return compare(fit_logistic, _hw3_fit, cases, name="fit_logistic",
                   mistakes=_hw3_catalogue("fit_logistic", _hw3_fit),
                   depends={"minibatches": _optim().minibatches, "objective": _hw3_objective,
                            "objective_grad": _hw3_objective_grad},
                   call=call)
