"""The catalogue of realistic mistakes of hw3-optimizers (:data:`MISTAKES`), used by
:mod:`coursekit.grading.checks_hw3`. Runs in the grader only.

Each :class:`~coursekit.grading.diagnosers.Mistake` of a part has the hint a student reads, the book section
that explains the idea and, where the mistaken computation can be written, a *variant*: what the mistaken code
returns, with the signature of the check's reference, written here in NumPy independently of
:mod:`coursekit.optim`. The mistakes come from the chapter's own warnings (``book/optimization.md``: the
buffer of torch's momentum, eps outside the square root, Adam's bias correction, the closed forms of the
schedules), from the classic forms of comparable courses (DeepLearning.AI's momentum
``v = beta v + (1 - beta) dW`` started at zero, CS231n's ``v = mu * v - learning_rate * dx`` and its
Nesterov form, Adam's ``t`` counted from 0) and from the ways students write these functions (a moving
average kept in a local name, ``return`` inside the loop over the arrays, ``b = 0.0`` as the intercept, the
schedule applied after the step).

An optimizer variant takes ``(hyper, steps)`` (the hyper-parameters and a run: ``steps.params0``,
``steps.grads``, ``steps.lr_at``) and returns the parameters after every step, flattened and concatenated,
shape (n_steps, P), like the check's reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from coursekit.grading.diagnosers import Mismatch, Mistake

__all__ = ["MISTAKES", "NOT_IN_PLACE"]

_BATCH = "optimization#sec-opt-batch"
_LR = "optimization#sec-opt-lr"
_SCHED = "optimization#sec-opt-schedules"
_MOM = "optimization#sec-opt-momentum"
_ADAPT = "optimization#sec-opt-adaptive"
_COMPARE = "optimization#sec-opt-compare"
_TORCH = "optimization#the-pytorch-names"

NOT_IN_PLACE = (
    "the arrays in `params` did not move: update them in place (p -= lr * d, or p[...] = ...). Keep the very "
    "arrays you were given (no copies in __init__) and do not rebind a name to a new array "
    "(p = p - lr * d, self.params[i] = ...): the caller's arrays must change")

# ------------------------------------------------------------------------------------------------------------
# Optimizers: a small simulator, and the update rules of the mistakes
# ------------------------------------------------------------------------------------------------------------

Update = Callable[[np.ndarray, np.ndarray, dict, Mapping[str, Any], float, int], np.ndarray]
"""``update(p, g, state, hyper, lr, t) -> new p`` for one array at step t = 1, 2, ...; ``state`` is the
array's own dict."""


def _rows(params: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.ravel(p) for p in params])


def _simulate(update: Update, default_lr: float, keep_lr: bool = False,
              arrays: Callable[[int], range | list[int]] | None = None) -> Callable:
    """The variant that runs ``update`` on every array (or on ``arrays(n_arrays)`` only) at every step.

    ``keep_lr``: the changes of ``opt.lr`` between steps are ignored."""

    def variant(hyper: Mapping[str, Any], steps: Any) -> np.ndarray:
        lr = float(hyper.get("lr", default_lr))
        params = [np.array(p, dtype=np.float64) for p in steps.params0]
        state: list[dict] = [{} for _ in params]
        chosen = set(range(len(params)) if arrays is None else arrays(len(params)))
        rows = []
        for t, grads in enumerate(steps.grads, start=1):
            if not keep_lr:
                lr = float(steps.lr_at.get(t - 1, lr))
            for i, (p, g) in enumerate(zip(params, grads, strict=True)):
                if i in chosen:
                    p[...] = update(p, np.asarray(g, dtype=np.float64), state[i], hyper, lr, t)
            rows.append(_rows(params))
        return np.array(rows)

    return variant


def _sgd(sign: float = 1.0, use_momentum: bool = True, first: str = "gradient",
         dampening: Callable[[Mapping[str, Any]], float] | None = None, nesterov: bool | None = None,
         lr_inside: bool = False, lag: bool = False) -> Update:
    """torch's SGD with momentum, or one of its mistaken forms.

    ``first``: the buffer's first value is the gradient (torch) or ``"zero"`` (b = mu * 0 + (1 - tau) g);
    ``dampening(hyper)`` replaces the dampening; ``nesterov`` forces the step's kind; ``lr_inside`` keeps the
    learning rate inside the buffer (b = mu b + lr g, p -= b); ``lag`` steps along the buffer of the previous
    step (zero at the first step)."""

    def update(p, g, s, h, lr, t):
        mu = float(h.get("momentum", 0.0)) if use_momentum else 0.0
        tau = float(h.get("dampening", 0.0)) if dampening is None else dampening(h)
        nest = bool(h.get("nesterov", False)) if nesterov is None else nesterov
        gg = lr * g if lr_inside else g
        if mu == 0:
            d = gg
        else:
            old = s.get("b")
            if old is None:
                b = gg.copy() if first == "gradient" else (1 - tau) * gg
            else:
                b = mu * old + (1 - tau) * gg
            s["b"] = b
            if lag:
                d = np.zeros_like(g) if old is None else old
            elif nest:
                d = gg + mu * b
            else:
                d = b
        return p - sign * (1.0 if lr_inside else lr) * d

    return update


def _rmsprop(sign: float = 1.0, alpha: Callable[[float], float] = lambda a: a, eps_inside: bool = False,
             sqrt: bool = True, memory: bool = True, eps: float | None = None,
             corrected: bool = False) -> Update:
    """torch's RMSprop (no momentum, not centered), or one of its mistaken forms."""

    def update(p, g, s, h, lr, t):
        a = alpha(float(h.get("alpha", 0.99)))
        e = float(h.get("eps", 1e-8)) if eps is None else eps
        v = a * (s.get("v", 0.0) if memory else 0.0) + (1 - a) * g * g
        s["v"] = v
        if corrected:
            v = v / (1 - a**t)
        if eps_inside:
            denominator = np.sqrt(v + e)
        else:
            denominator = (np.sqrt(v) if sqrt else v) + e
        return p - sign * lr * g / denominator

    return update


def _adam(sign: float = 1.0, correct_m: bool = True, correct_v: bool = True, t_shift: int = 0,
          eps_form: str = "outside", swap_betas: bool = False, memory: bool = True) -> Update:
    """torch's Adam, or one of its mistaken forms: corrections left out or counted from ``t + t_shift``,
    ``eps_form`` "inside" (sqrt(v_hat + eps)) or "unscaled" (the corrections in the step size, eps
    unscaled), betas swapped, or the moments kept in local names (no memory)."""

    def update(p, g, s, h, lr, t):
        b1, b2 = h.get("betas", (0.9, 0.999))
        if swap_betas:
            b1, b2 = b2, b1
        e = float(h.get("eps", 1e-8))
        m = b1 * (s.get("m", 0.0) if memory else 0.0) + (1 - b1) * g
        v = b2 * (s.get("v", 0.0) if memory else 0.0) + (1 - b2) * g * g
        s["m"], s["v"] = m, v
        k = t + t_shift
        if eps_form == "unscaled":
            return p - sign * lr * np.sqrt(1 - b2**k) / (1 - b1**k) * m / (np.sqrt(v) + e)
        m_hat = m / (1 - b1**k) if correct_m else m
        v_hat = v / (1 - b2**k) if correct_v else v
        denominator = np.sqrt(v_hat + e) if eps_form == "inside" else np.sqrt(v_hat) + e
        return p - sign * lr * m_hat / denominator

    return update


def _not_moved(hyper: Mapping[str, Any], steps: Any) -> np.ndarray:
    """The caller's arrays never change (copies in __init__, or p = p - lr * d)."""
    return np.array([_rows([np.asarray(p) for p in steps.params0])] * len(steps.grads))


def _changed_gradients(m: Mismatch) -> bool:
    """The check stopped the run (no output, no error): ``step`` wrote into the gradient arrays it was
    given."""
    return m.got is None and m.error is None


def _nonfinite(m: Mismatch) -> np.ndarray | None:
    got = None
    if m.got is not None and m.error is None:
        try:
            got = np.asarray(m.got, dtype=float)
        except (TypeError, ValueError):
            got = None
    expected = np.asarray(m.expected, dtype=float)
    if got is None or got.shape != expected.shape or got.ndim != 2 or not np.isfinite(expected).all():
        return None
    return ~np.isfinite(got)


def _zero_start(m: Mismatch) -> bool:
    """The input starts with zero gradients (so v = 0 at the first step)."""
    steps = m.case.args[1] if len(m.case.args) == 2 else None
    grads = getattr(steps, "grads", None)
    return bool(grads) and not any(np.any(g) for g in grads[0])


def _t_from_zero(m: Mismatch) -> bool:
    bad = _nonfinite(m)
    return bad is not None and bool(bad[0].all()) and not _zero_start(m)


def _no_eps(m: Mismatch) -> bool:
    bad = _nonfinite(m)
    return bad is not None and bool(bad.any()) and _zero_start(m)


_SGD_LR, _RMS_LR, _ADAM_LR = 1e-3, 1e-2, 1e-3  # torch's default learning rates

_ASCENDS = "the parameters move uphill: the update is p <- p - lr * d (a step AGAINST the gradient)"
_LR_CHANGE = ("setting `opt.lr` between two steps changes nothing: keep the learning rate in the attribute "
              "`self.lr` and read it at every step (the schedules change it)")
_CHANGES_GRADS = ("`step(grads)` writes into the gradient arrays it is given (g *= lr, g += ..., or a buffer "
                  "that is the gradient array itself): compute new arrays (d = lr * g) and keep a copy when "
                  "you store one as state (b = g.copy())")
_IGNORES_MOMENTUM = ("the momentum buffer is not used: with momentum mu > 0 the step is p <- p - lr * b with "
                     "b = mu * b + (1 - dampening) * g")
_LR_IN_BUFFER = ("the learning rate seems to be inside the momentum buffer (v = mu * v + lr * g, or CS231n's "
                 "v = mu * v - lr * g; p += v): torch keeps it out, b = mu * b + (1 - dampening) * g, then "
                 "p <- p - lr * b; the two differ as soon as the learning rate changes between steps")
_MOVING_AVERAGE = (
    "the buffer is a moving average started at zero, v = mu * v + (1 - mu) * g (DeepLearning.AI's form): "
    "torch's buffer is b = g at the first step, then b = mu * b + (1 - dampening) * g; (1 - mu) is not "
    "part of it")
_EPS_INSIDE = ("eps seems to be inside the square root, g / sqrt(v + eps): torch adds it outside, "
               "g / (sqrt(v) + eps). The two agree when v is large but not for small gradients: for |g| ~ "
               "1e-6, sqrt(v) ~ 1e-7 is tiny next to sqrt(eps) = 1e-4 and the step shrinks a thousandfold")
_MISSING_EPS = ("division by zero (0 / 0) where a gradient and its running average are zero: add eps to the "
                "denominator, g / (sqrt(v) + eps)")



def _mu(hyper: Mapping[str, Any]) -> float:
    return float(hyper.get("momentum", 0.0))


SGD = (
    Mistake("not_in_place", NOT_IN_PLACE, _not_moved, section=_TORCH),
    Mistake("ascends", _ASCENDS, _simulate(_sgd(sign=-1.0), _SGD_LR), section=_BATCH),
    Mistake("ignores_lr_change", _LR_CHANGE, _simulate(_sgd(), _SGD_LR, keep_lr=True), section=_SCHED),
    Mistake("first_array_only",
            "only the first array of `params` moves (a `return` inside the loop over the arrays?): step "
            "every array, and return after the loop",
            _simulate(_sgd(), _SGD_LR, arrays=lambda n: [0]), section=_TORCH),
    Mistake("last_array_only",
            "only the last array of `params` moves (the update is indented outside the loop over the "
            "arrays?): update every array inside the loop",
            _simulate(_sgd(), _SGD_LR, arrays=lambda n: [n - 1]), section=_TORCH),
    Mistake("changes_gradients", _CHANGES_GRADS, detect=_changed_gradients, section=_TORCH),
)

MOMENTUM = (
    Mistake("not_in_place", NOT_IN_PLACE, _not_moved, section=_TORCH),
    Mistake("ascends", _ASCENDS, _simulate(_sgd(sign=-1.0), _SGD_LR), section=_BATCH),
    Mistake("ignores_momentum", _IGNORES_MOMENTUM, _simulate(_sgd(use_momentum=False), _SGD_LR),
            section=_MOM),
    Mistake("momentum_as_nesterov",
            "plain momentum (nesterov=False) steps along the buffer itself, p <- p - lr * b; g + mu * b is "
            "the Nesterov step",
            _simulate(_sgd(nesterov=True), _SGD_LR), section=_MOM),
    Mistake("buffer_starts_at_zero",
            "the momentum buffer looks initialized at zero (b = mu * 0 + (1 - dampening) * g at the first "
            "step): torch starts it at the first gradient, b = g, and uses b = mu * b + (1 - dampening) * g "
            "from the second step on",
            _simulate(_sgd(first="zero"), _SGD_LR), section=_MOM),
    Mistake("ignores_dampening",
            "dampening seems to be ignored: from the second step on the buffer is b = mu * b + (1 - "
            "dampening) * g",
            _simulate(_sgd(dampening=lambda h: 0.0), _SGD_LR), section=_MOM),
    Mistake("moving_average", _MOVING_AVERAGE, _simulate(_sgd(first="zero", dampening=_mu), _SGD_LR),
            section=_MOM),
    Mistake("step_before_buffer",
            "the step uses the buffer of the previous step: update the buffer with the current gradient "
            "first, b = mu * b + (1 - dampening) * g, then step p <- p - lr * b",
            _simulate(_sgd(first="zero", lag=True), _SGD_LR), section=_MOM),
    Mistake("lr_in_buffer", _LR_IN_BUFFER, _simulate(_sgd(lr_inside=True), _SGD_LR), section=_MOM),
    Mistake("ignores_lr_change", _LR_CHANGE, _simulate(_sgd(), _SGD_LR, keep_lr=True), section=_SCHED),
)

NESTEROV = (
    Mistake("not_in_place", NOT_IN_PLACE, _not_moved, section=_TORCH),
    Mistake("ascends", _ASCENDS, _simulate(_sgd(sign=-1.0), _SGD_LR), section=_BATCH),
    Mistake("nesterov_as_momentum",
            "Nesterov looks like plain momentum: with nesterov=True the step is p <- p - lr * (g + mu * b), "
            "with b already updated, not p <- p - lr * b",
            _simulate(_sgd(nesterov=False), _SGD_LR), section=_MOM),
    Mistake("ignores_momentum", _IGNORES_MOMENTUM, _simulate(_sgd(use_momentum=False), _SGD_LR),
            section=_MOM),
    Mistake("moving_average", _MOVING_AVERAGE, _simulate(_sgd(first="zero", dampening=_mu), _SGD_LR),
            section=_MOM),
    Mistake("lr_in_buffer", _LR_IN_BUFFER, _simulate(_sgd(lr_inside=True), _SGD_LR), section=_MOM),
    Mistake("ignores_lr_change", _LR_CHANGE, _simulate(_sgd(), _SGD_LR, keep_lr=True), section=_SCHED),
)

RMSPROP = (
    Mistake("not_in_place", NOT_IN_PLACE, _not_moved, section=_TORCH),
    Mistake("ascends", _ASCENDS, _simulate(_rmsprop(sign=-1.0), _RMS_LR), section=_BATCH),
    Mistake("eps_inside_sqrt", _EPS_INSIDE, _simulate(_rmsprop(eps_inside=True), _RMS_LR), section=_ADAPT),
    Mistake("alpha_swapped",
            "alpha looks swapped: the moving average keeps the fraction alpha of its old value, "
            "v = alpha * v + (1 - alpha) * g^2 (alpha = 0.99 by default)",
            _simulate(_rmsprop(alpha=lambda a: 1 - a), _RMS_LR), section=_ADAPT),
    Mistake("no_sqrt",
            "the step divides by v itself: divide by its square root, g / (sqrt(v) + eps) (v is an average "
            "of SQUARED gradients)",
            _simulate(_rmsprop(sqrt=False), _RMS_LR), section=_ADAPT),
    Mistake("average_not_kept",
            "the moving average is not kept between steps (v = alpha * v + ... assigned to a local name "
            "rebinds it and leaves the stored array at zero): update the stored array in place, "
            "v[...] = alpha * v + (1 - alpha) * g * g, or store the new one (self.v[i] = ...)",
            _simulate(_rmsprop(memory=False), _RMS_LR), section=_ADAPT),
    Mistake("bias_corrected",
            "the average is bias-corrected like Adam's (v / (1 - alpha^t)): torch's RMSprop divides by "
            "sqrt(v) + eps with no correction",
            _simulate(_rmsprop(corrected=True), _RMS_LR), section=_ADAPT),
    Mistake("missing_eps", _MISSING_EPS, _simulate(_rmsprop(eps=0.0), _RMS_LR), detect=_no_eps,
            section=_ADAPT),
    Mistake("ignores_lr_change", _LR_CHANGE, _simulate(_rmsprop(), _RMS_LR, keep_lr=True), section=_SCHED),
)

ADAM = (
    Mistake("not_in_place", NOT_IN_PLACE, _not_moved, section=_TORCH),
    Mistake("ascends", _ASCENDS, _simulate(_adam(sign=-1.0), _ADAM_LR), section=_BATCH),
    Mistake("no_bias_correction",
            "Adam bias correction missing: divide m by (1 - beta1^t) and v by (1 - beta2^t) before the "
            "update (t = 1, 2, ...)",
            _simulate(_adam(correct_m=False, correct_v=False), _ADAM_LR), section=_ADAPT),
    Mistake("only_m_corrected", "only the first moment is bias-corrected: divide v by (1 - beta2^t) as well",
            _simulate(_adam(correct_v=False), _ADAM_LR), section=_ADAPT),
    Mistake("only_v_corrected", "only the second moment is bias-corrected: divide m by (1 - beta1^t) as well",
            _simulate(_adam(correct_m=False), _ADAM_LR), section=_ADAPT),
    Mistake("bias_t_plus_one",
            "the bias corrections use the wrong step count: at the first step t = 1, so m_hat = m / (1 - "
            "beta1^1) and v_hat = v / (1 - beta2^1); count the steps from 1",
            _simulate(_adam(t_shift=1), _ADAM_LR), section=_ADAPT),
    Mistake("bias_t_zero",
            "the step count starts at 0 in the bias corrections: 1 - beta^0 = 0 divides by zero at the first "
            "step; increment t before using it (t = 1 at the first step)",
            detect=_t_from_zero, section=_ADAPT),
    Mistake("eps_inside_sqrt", _EPS_INSIDE, _simulate(_adam(eps_form="inside"), _ADAM_LR), section=_ADAPT),
    Mistake("eps_unscaled",
            "the bias corrections are folded into the step size, lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m "
            "/ (sqrt(v) + eps), with eps left unscaled: that is torch's Adam only with eps * sqrt(1 - "
            "beta2^t) in place of eps, and it differs for small gradients; divide m and v themselves "
            "(m_hat, v_hat)",
            _simulate(_adam(eps_form="unscaled"), _ADAM_LR), section=_ADAPT),
    Mistake("betas_swapped",
            "beta1 and beta2 look swapped: m (the gradient's average) uses beta1 = 0.9, v (the squared "
            "gradient's average) uses beta2 = 0.999",
            _simulate(_adam(swap_betas=True), _ADAM_LR), section=_ADAPT),
    Mistake("moments_not_kept",
            "the moving averages m and v are not kept between steps (m = beta1 * m + ... assigned to a local "
            "name rebinds it and leaves the stored arrays at zero): update the stored arrays in place, "
            "m[...] = ..., or store the new ones",
            _simulate(_adam(memory=False), _ADAM_LR), section=_ADAPT),
    Mistake("missing_eps", _MISSING_EPS, detect=_no_eps, section=_ADAPT),
    Mistake("ignores_lr_change", _LR_CHANGE, _simulate(_adam(), _ADAM_LR, keep_lr=True), section=_SCHED),
)

# ------------------------------------------------------------------------------------------------------------
# minibatches(n_samples, batch_size, rng): the check compares a summary (counts of each index, batch sizes,
# properties 1/0: same seed twice, two Generators from one seed, another seed, two epochs, shuffled)
# ------------------------------------------------------------------------------------------------------------


def _summary(m: Mismatch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    if not (isinstance(m.got, tuple) and len(m.got) == 3 and isinstance(m.expected, tuple)):
        return None
    return (np.asarray(m.got[0]), np.asarray(m.got[1]), np.asarray(m.expected[1]), np.asarray(m.got[2]))


def _with_replacement(m: Mismatch) -> bool:
    c = _summary(m)
    return c is not None and bool(np.any(c[0] > 1))


def _drops_last(m: Mismatch) -> bool:
    c = _summary(m)
    if c is None:
        return False
    counts, sizes, expected_sizes, _ = c
    return (bool(np.all(counts <= 1)) and len(expected_sizes) >= 1
            and int(np.sum(counts == 0)) == expected_sizes[-1] and np.array_equal(sizes, expected_sizes[:-1]))


def _batch_sizes(m: Mismatch) -> bool:
    c = _summary(m)
    return c is not None and bool(np.all(c[0] == 1)) and not np.array_equal(c[1], c[2])


def _flag(index: int, value: float = 0.0, unless: tuple[int, float] | None = None) -> Callable:
    def detect(m: Mismatch) -> bool:
        c = _summary(m)
        if c is None or c[3].size <= index or c[3][index] != value:
            return False
        return unless is None or (c[3].size > unless[0] and c[3][unless[0]] != unless[1])

    return detect


def _int_rng(m: Mismatch) -> bool:
    return isinstance(m.error, AttributeError) and "'int' object" in str(m.error)


MINIBATCHES = (  # from the most specific to the most general
    Mistake("rng_not_converted",
            "rng may be an int seed, a Generator or None: convert it first with "
            "rng = np.random.default_rng(rng)",
            detect=_int_rng, section=_BATCH),
    Mistake("with_replacement",
            "some indices appear twice and others never in one epoch (sampling with replacement): shuffle "
            "once, order = rng.permutation(n_samples), and cut the permutation into consecutive slices",
            detect=_with_replacement, section=_BATCH),
    Mistake("drops_last_batch",
            "the last, smaller batch is missing: when batch_size does not divide n_samples, the last batch "
            "holds the n_samples % batch_size remaining indices",
            detect=_drops_last, section=_BATCH),
    Mistake("batch_sizes",
            "every batch must hold exactly batch_size indices except the last, which holds the rest "
            "(n_samples = 10, batch_size = 4: sizes 4, 4, 2)",
            detect=_batch_sizes, section=_BATCH),
    Mistake("not_reproducible",
            "not reproducible: the same seed must give the same batches; draw the permutation with the "
            "generator np.random.default_rng(rng), not with np.random.permutation or np.random.shuffle (the "
            "global state)",
            detect=lambda m: _flag(0)(m) or _flag(1)(m), section=_BATCH),
    Mistake("not_shuffled",
            "the batches are not shuffled: cut a random permutation of 0..n_samples-1, not 0, 1, 2, ... in "
            "order",
            detect=_flag(4), section=_BATCH),
    Mistake("ignores_rng",
            "the order does not depend on rng (a fixed seed inside the function?): draw the permutation with "
            "np.random.default_rng(rng), the generator you are given",
            detect=_flag(2, unless=(4, 0.0)), section=_BATCH),
    Mistake("same_order_each_epoch",
            "two epochs drawn with the same Generator have the same order: use that Generator itself "
            "(np.random.default_rng(rng) returns it unchanged) so that every epoch gets a new permutation",
            detect=_flag(3), section=_BATCH),
)

# ------------------------------------------------------------------------------------------------------------
# schedule_lr(name, lr0, ts, **kw): the learning rates at t = 0, 1, ... (ts an array)
# ------------------------------------------------------------------------------------------------------------


def _curve(t_shift: int = 0, floor: bool = True, exp_e: bool = False, cos_pi: bool = True,
           cos_half: bool = True, eta_min: bool = True) -> Callable:
    """The closed forms of the schedules at the times ``ts`` (a mistaken one with the flags)."""

    def variant(name: str, lr0: float, ts: np.ndarray, **kw: Any) -> np.ndarray:
        t = np.asarray(ts, dtype=np.float64) + t_shift
        if name == "constant":
            return np.full(t.shape, float(lr0))
        if name == "step":
            k = t / kw["step_size"]
            return lr0 * kw.get("gamma", 0.1) ** (np.floor(k) if floor else k)
        if name == "exponential":
            return lr0 * (np.exp(-kw["gamma"] * t) if exp_e else kw["gamma"] ** t)
        if name == "inverse_time":
            return lr0 / (1 + kw["decay"] * t)
        low = kw.get("eta_min", 0.0) if eta_min else 0.0
        angle = (np.pi if cos_pi else 1.0) * t / kw["T_max"]
        return low + (lr0 - low) * (1 + np.cos(angle)) / (2 if cos_half else 1)

    return variant


def _gamma_required(m: Mismatch) -> bool:
    return isinstance(m.error, KeyError) and "gamma" in str(m.error)


SCHEDULE_LR = (
    Mistake("t_plus_one",
            "the schedule looks shifted by one step: at t = 0 the learning rate is lr0 (t counts the "
            "scheduler steps already taken, from 0); use t, not t + 1",
            _curve(t_shift=1), section=_SCHED),
    Mistake("t_minus_one",
            "the schedule looks shifted by one step: t starts at 0 (the first epoch uses lr0), so use t, not "
            "t - 1",
            _curve(t_shift=-1), section=_SCHED),
    Mistake("no_floor",
            "step decay changes the rate only every step_size epochs: use the integer division t // "
            "step_size (floor), not t / step_size",
            _curve(floor=False), section=_SCHED),
    Mistake("gamma_required",
            "step decay without a gamma raises KeyError: gamma is optional and defaults to 0.1 (torch's "
            "StepLR), kw.get('gamma', 0.1)",
            detect=_gamma_required, section=_SCHED),
    Mistake("exponential_with_e",
            "exponential decay is lr0 * gamma^t (torch's ExponentialLR: gamma is the factor per step), not "
            "lr0 * e^(-gamma t)",
            _curve(exp_e=True), section=_SCHED),
    Mistake("cosine_without_pi",
            "the cosine's angle is pi * t / T_max (half a period over the budget), not t / T_max",
            _curve(cos_pi=False), section=_SCHED),
    Mistake("cosine_without_half",
            "the cosine schedule starts at 2 lr0: the factor is (1 + cos(pi t / T_max)) / 2, which goes from "
            "1 to 0",
            _curve(cos_half=False), section=_SCHED),
    Mistake("cosine_ignores_eta_min",
            "eta_min is ignored: cosine annealing goes from lr0 down to eta_min, eta_min + (lr0 - eta_min) * "
            "(1 + cos(pi t / T_max)) / 2",
            _curve(eta_min=False), section=_SCHED),
)

# ------------------------------------------------------------------------------------------------------------
# minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper) -> path (n_steps + 1, d)
# ------------------------------------------------------------------------------------------------------------


def _path(gradient_at_start: bool = False, lr_after_step: bool = False, ignore_lr_at: bool = False,
          new_optimizer: bool = False, extra_step: bool = False) -> Callable:
    """A mistaken ``minimize`` (``optimizer_cls`` is a correct class: its ``reference`` is used)."""

    def variant(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
        w = np.array(w0, dtype=np.float64)
        start = w.copy()
        opt = optimizer_cls.reference([w], **hyper)
        path = [w.copy()]
        for t in range(n_steps + (1 if extra_step else 0)):
            if new_optimizer:
                opt = optimizer_cls.reference([w], **hyper)
            if lr_at is not None and not ignore_lr_at and not lr_after_step:
                opt.lr = lr_at(t)
            opt.step([grad(start if gradient_at_start else w)])
            if lr_at is not None and not ignore_lr_at and lr_after_step:
                opt.lr = lr_at(t)
            path.append(w.copy())
        return np.array(path)

    return variant


def _outputs_right_inputs_changed(m: Mismatch) -> bool:
    """The outputs equal the reference's, yet the input failed: the function wrote into its argument."""
    return m.error is None and m.got is not None and m.close(m.got, m.expected)


def _last_point_repeated(m: Mismatch) -> bool:
    p = _path_of(m)
    return p is not None and p.shape == np.shape(m.expected) and len(p) > 2 and bool(
        np.allclose(p[1:], np.asarray(m.expected)[-1]))


def _path_of(m: Mismatch) -> np.ndarray | None:
    if m.got is None or m.error is not None:
        return None
    try:
        got = np.asarray(m.got, dtype=float)
    except (TypeError, ValueError):
        return None
    return got if got.ndim == 2 else None


def _one_point_short(m: Mismatch) -> bool:
    p = _path_of(m)
    return p is not None and len(p) == len(m.expected) - 1


def _int_params(m: Mismatch) -> bool:
    text = str(m.error)
    return isinstance(m.error, TypeError) and "updated in place" in text and "dtype int" in text


MINIMIZE = (
    Mistake("path_not_copied",
            "every point of the path is the final point: append a copy, w.copy() (the optimizer changes w in "
            "place, so appending w itself stores the same array again and again)",
            detect=_last_point_repeated, section=_LR),
    Mistake("path_length", "the path must hold n_steps + 1 points: w0 first, then the point after every step",
            detect=_one_point_short, section=_LR),
    Mistake("extra_step",
            "the path holds n_steps + 2 points: make exactly n_steps steps (for t in range(n_steps)), w0 "
            "being the first point",
            _path(extra_step=True), section=_LR),
    Mistake("modifies_w0",
            "the path is right but w0 was changed: np.asarray(w0, dtype=float) returns w0 itself when it is "
            "already a float array, and the optimizer then moves the caller's w0; start from a copy, "
            "w = np.array(w0, dtype=float)",
            detect=_outputs_right_inputs_changed, section=_LR),
    Mistake("w0_not_float",
            "w0 of integers stays an integer array, which the optimizer cannot update in place: start from a "
            "float copy, w = np.array(w0, dtype=float)",
            detect=_int_params, section=_LR),
    Mistake("gradient_at_w0",
            "every step uses the gradient at w0: evaluate grad(w) at the current point, after the previous "
            "step",
            _path(gradient_at_start=True), section=_LR),
    Mistake("lr_after_step",
            "the schedule is applied after the step: set opt.lr = lr_at(t) BEFORE step t (the first step "
            "uses lr_at(0))",
            _path(lr_after_step=True), section=_SCHED),
    Mistake("ignores_lr_at", "lr_at is ignored: before step t set opt.lr = lr_at(t) when lr_at is given",
            _path(ignore_lr_at=True), section=_SCHED),
    Mistake("new_optimizer_each_step",
            "the optimizer is created anew at every step, so its state (momentum buffer, Adam's moments and "
            "step count) is lost: build it once, before the loop",
            _path(new_optimizer=True), section=_MOM),
)

# ------------------------------------------------------------------------------------------------------------
# fit_logistic(X, y, optimizer_cls, batch_size, epochs, rng=None, lr_at=None, **hyper) -> (w, b, losses)
# ------------------------------------------------------------------------------------------------------------


def _objective(w, b, X, y):
    """J = mean cross-entropy + ALPHA/2 |w|^2 and its gradient (w, b), with the stable log(1 + e^z)."""
    from coursekit.grading.checks_hw3 import HW3_ALPHA

    z = X @ w + float(np.ravel(b)[0])
    p = np.exp(-np.logaddexp(0.0, -z))
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z) + HW3_ALPHA / 2 * w @ w)
    return loss, X.T @ (p - y) / len(y) + HW3_ALPHA * w, np.array([np.mean(p - y)])


def _fit(reseed: bool = False, ignore_lr_at: bool = False, lr_per_step: bool = False,
         full_gradient: bool = False, one_step: bool = False, batch_losses: bool = False) -> Callable:
    """A mistaken ``fit_logistic`` (correct ``minibatches`` and optimizer classes, as in the check)."""

    def variant(X, y, optimizer_cls, batch_size, epochs, rng=None, lr_at=None, **hyper):
        from coursekit.optim import minibatches

        generator = rng if reseed else np.random.default_rng(rng)
        w, b = np.zeros(X.shape[1]), np.zeros(1)
        opt = optimizer_cls.reference([w, b], **hyper)
        losses = [_objective(w, b, X, y)[0]]
        steps = 0
        for epoch in range(epochs):
            if lr_at is not None and not ignore_lr_at and not lr_per_step:
                opt.lr = lr_at(epoch)
            batches = [np.arange(len(y))] if one_step else minibatches(len(y), batch_size, generator)
            seen = []
            for idx in batches:
                if lr_at is not None and lr_per_step:
                    opt.lr = lr_at(steps)
                rows = slice(None) if full_gradient else idx
                loss, gw, gb = _objective(w, b, X[rows], y[rows])
                seen.append(loss)
                opt.step([gw, gb])
                steps += 1
            losses.append(float(np.mean(seen)) if batch_losses else _objective(w, b, X, y)[0])
        return w, b, losses

    return variant


def _losses_one_short(m: Mismatch) -> bool:
    return (isinstance(m.got, tuple) and len(m.got) == 3 and isinstance(m.expected, tuple)
            and np.size(m.got[2]) == np.size(m.expected[2]) - 1)


def _float_intercept(m: Mismatch) -> bool:
    text = str(m.error)
    return isinstance(m.error, TypeError) and "updated in place" in text and "is float" in text


FIT_LOGISTIC = (
    Mistake("same_batches_every_epoch",
            "every epoch visits the same batches in the same order: create the Generator once, "
            "rng = np.random.default_rng(rng), before the epochs and pass it to minibatches (passing the int "
            "seed again repeats the same shuffle)",
            _fit(reseed=True), section=_BATCH),
    Mistake("losses_length",
            "losses must hold epochs + 1 values: J at the start (w = 0, b = 0) and after every epoch",
            detect=_losses_one_short, section=_COMPARE),
    Mistake("float_intercept",
            "b = 0.0 is a Python float, which the optimizer cannot update in place: start from the array "
            "b = np.zeros(1)",
            detect=_float_intercept, section=_TORCH),
    Mistake("ignores_lr_at", "lr_at is ignored: before each epoch set opt.lr = lr_at(epoch) when it is given",
            _fit(ignore_lr_at=True), section=_SCHED),
    Mistake("lr_at_per_step",
            "lr_at is applied at every step (batch): it gives the learning rate of each EPOCH, set "
            "opt.lr = lr_at(epoch) once before the epoch's batches",
            _fit(lr_per_step=True), section=_SCHED),
    Mistake("full_data_gradient",
            "every step uses the gradient on all the data: compute it on the batch, "
            "objective_grad(w, b, X[idx], y[idx])",
            _fit(full_gradient=True), section=_BATCH),
    Mistake("one_step_per_epoch",
            "one step per epoch on all the data (batch_size is ignored): loop over the mini-batches of "
            "minibatches(n, batch_size, rng) and make one step per batch",
            _fit(one_step=True), section=_BATCH),
    Mistake("batch_losses",
            "losses holds the mean of the batch losses seen during the epoch: record J on ALL the data, "
            "objective(w, b, X, y), after each epoch",
            _fit(batch_losses=True), section=_COMPARE),
)

MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "minibatches": MINIBATCHES,
    "sgd": SGD,
    "momentum": MOMENTUM,
    "nesterov": NESTEROV,
    "rmsprop": RMSPROP,
    "adam": ADAM,
    "schedule_lr": SCHEDULE_LR,
    "minimize": MINIMIZE,
    "fit_logistic": FIT_LOGISTIC,
}
"""Grade id -> the part's catalogue of realistic mistakes (ordered from the most specific to the most general
for the ``detect``-based ones)."""
