r"""Helpers that the autograder's test cells call: compare a student's function with the reference.

A hidden test cell of an assignment holds **one** call into this module and ends with an ``assert``::

    ### BEGIN HIDDEN TESTS
    assert grading.check_sigmoid(sigmoid)
    ### END HIDDEN TESTS

Each ``check_*`` function runs the student's function on seeded random inputs *and* edge cases (huge logits
:math:`\pm 10^3, \pm 10^4`, zeros, one sample, one feature, float32 inputs), compares every result with the
coursekit reference with a tolerance that accepts any correct formulation (loops or vectorized, another
stable formula) and returns ``True``. Otherwise it raises :class:`AssertionError` whose message names the
input (shapes, dtype, a few values), the expected and the returned value, and the **likely mistake** when a
*diagnoser* recognises it (sign flipped, mean instead of sum, not numerically stable, intercept penalized,
Adam bias correction missing, per-tensor instead of global clipping, ...; see :data:`DIAGNOSERS`).

While the student's function runs, the coursekit reference functions are guarded (:class:`no_shortcuts`):
a graded function that calls ``coursekit.linear.sigmoid`` (or ``from coursekit.linear import sigmoid``)
fails with "this part must be written by you". The helpers a notebook may use (``coursekit.data``,
``coursekit.plotting``) are not guarded. The other graded functions of the same notebook that the
function under test calls (e.g. ``sigmoid`` inside ``predict_proba``) are replaced by correct versions
during its check, so that one mistake costs the points of its own part only.

For a new assignment use :func:`compare` with a reference function, a list of :class:`Case` and the names
of the diagnosers that apply; ``solutions/README.md`` shows how. This module only *calls* the public
reference functions (and builds known-wrong variants of them to recognise mistakes): it holds no solution
that a student could copy.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import io
import signal
import sys
import textwrap
import threading
import traceback
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coursekit._utils import RNGLike, as_rng

__all__ = [
    "ShortcutError", "Case", "Diagnoser", "DIAGNOSERS", "add_diagnoser", "diagnose", "compare", "summarize",
    "no_shortcuts", "GUARDED_MODULES", "TIME_LIMIT", "ANY",
    "logit_cases", "logistic_cases", "label_cases", "threshold_cases",
    "check_sigmoid", "check_predict_proba", "check_log_likelihood", "check_log_likelihood_grad",
    "check_gradient_ascent", "check_confusion_matrix", "check_precision_recall_at", "check_expected_cost",
    "check_best_threshold", "check_logistic_loss", "check_logistic_loss_grad", "check_optimizer",
    "check_clip_grad_norm",
]

GUARDED_MODULES: tuple[str, ...] = (
    "coursekit.linear", "coursekit.metrics", "coursekit.regularization", "coursekit.optim", "coursekit.nn",
)
"""Modules that hold reference solutions: a graded function may not call them. ``coursekit.data`` and
``coursekit.plotting`` (loaders, preprocessing, figures) are helpers every notebook may use."""

RTOL, ATOL = 1e-6, 1e-9
"""Default tolerances (float64 inputs): relative, and absolute *per unit of the largest expected value*."""
RTOL_FLOAT32, ATOL_FLOAT32 = 1e-4, 1e-6
"""Tolerances when an input is float32 (the student may compute in float32 or float64)."""
TIME_LIMIT = 20.0
"""Seconds one call of the student's function may take before the check reports a probable infinite loop."""

# Lines of a failure message; coursekit.pipeline reads them back for its report.
MESSAGE_HINT = "Likely mistake: "
MESSAGE_SHORTCUT = "this part must be written by you, not by calling "


class ShortcutError(AssertionError):
    """A graded function called a coursekit reference instead of computing the answer itself."""


class _TimeUp(BaseException):
    """Raised in the student's code by the alarm of :func:`_time_limit` (a BaseException, so that a bare
    ``except Exception`` in the student's code cannot swallow it)."""


class _WrongOutput(Exception):
    """Raised by a check's ``call`` adapter when the output is unusable; its message is the problem."""


class _Any:
    """Placeholder in an expected or variant output: matches anything (see :data:`ANY`)."""

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()
"""Use inside an expected/variant output for a component that is not compared."""


# ------------------------------------------------------------------------------------------------------------
# Summaries and comparison of outputs
# ------------------------------------------------------------------------------------------------------------


def summarize(x: Any, max_items: int = 6) -> str:
    """A short description of a value for a failure message: type, shape, dtype and a few values.

    >>> summarize(np.array([1.0, -2.5, 3.0]))
    'array (3,) float64 [1, -2.5, 3]'
    """
    if isinstance(x, np.ndarray):
        with np.printoptions(threshold=max_items, edgeitems=2, linewidth=10_000,
                             formatter={"float_kind": lambda v: f"{v:.4g}"}):
            values = np.array2string(x, separator=", ").replace("\n", "").replace(" ", "").replace(",", ", ")
        return f"array {x.shape} {x.dtype} {values}"
    if isinstance(x, bool | np.bool_):
        return repr(bool(x))
    if isinstance(x, int | np.integer):
        return str(int(x))
    if isinstance(x, float | np.floating):
        return f"{float(x):.6g}"
    if isinstance(x, list | tuple):
        if x and len(x) > max_items and all(isinstance(v, int | float | np.number) for v in x):
            return f"{type(x).__name__} of {len(x)} numbers " + summarize(np.asarray(x, dtype=float))[6:]
        inner = ", ".join(summarize(v, max_items) for v in x[:max_items])
        more = ", ..." if len(x) > max_items else ""
        return f"({inner}{more})" if isinstance(x, tuple) else f"[{inner}{more}]"
    if x is None:
        return "None"
    text = repr(x)
    return f"{type(x).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def _is_numbers(x: Any) -> bool:
    """True for a number, an array, or a list/tuple of plain numbers (compared as one array)."""
    if isinstance(x, np.ndarray | int | float | np.number | bool | np.bool_):
        return True
    return isinstance(x, list | tuple) and all(isinstance(v, int | float | np.number | bool) for v in x)


def _kind(x: Any) -> str:
    if x is None:
        return "None (did you forget `return`?)"
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    return f"a {type(x).__name__}"


def _mismatch(got: Any, expected: Any, rtol: float, atol: float) -> str | None:
    """Why ``got`` does not match ``expected`` (``None`` when it does), for nested tuples/lists of arrays."""
    if expected is ANY:
        return None
    if isinstance(expected, tuple | list) and not _is_numbers(expected):
        if not isinstance(got, tuple | list):
            return f"returns {_kind(got)} but a tuple of {len(expected)} values is expected"
        if len(got) != len(expected):
            return f"returns {len(got)} values but {len(expected)} are expected"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            why = _mismatch(g, e, rtol, atol)
            if why is not None:
                return f"value [{i}]" + (why[5:] if why.startswith("value [") else " " + why)
        return None
    if got is None:
        return "returns None (did you forget `return`?)"
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"returns {_kind(got)}, not numbers"
    e = np.asarray(expected, dtype=np.float64)
    if isinstance(expected, list | tuple) and g.shape != e.shape:
        return f"returns {g.size} values but {e.size} are expected"
    if e.ndim == 0:
        if g.size != 1:
            return f"returns shape {g.shape} but a single number is expected"
        g = g.reshape(())
    elif g.shape != e.shape:
        hint = " (a column vector? return a flat array)" if g.size == e.size else ""
        return f"returns shape {g.shape} but shape {e.shape} is expected{hint}"
    finite = np.isfinite(e)
    bad_inf = ~np.isfinite(g) & finite
    if bad_inf.any():
        if e.ndim == 0:
            return f"returns {float(g)} where a finite value is expected"
        idx = np.unravel_index(np.argmax(bad_inf), e.shape)
        return (f"returns nan/inf at {int(bad_inf.sum())} of {e.size} entries (first at index "
                f"{_index(idx)}) where finite values are expected")
    scale = max(1.0, float(np.max(np.abs(e[finite])))) if finite.any() else 1.0
    ok = np.isclose(g, e, rtol=rtol, atol=atol * scale) | (g == e)
    if ok.all():
        return None
    if e.ndim == 0:
        return f"expected {float(e):.8g}, got {float(g):.8g}"
    err = np.where(ok, 0.0, np.abs(g - e))
    idx = np.unravel_index(np.argmax(err), e.shape)
    return (f"{int((~ok).sum())} of {e.size} values differ; the largest error at index {_index(idx)}: "
            f"expected {e[idx]:.8g}, got {g[idx]:.8g}")


def _index(idx: tuple) -> str:
    return str(tuple(int(i) for i in idx)) if len(idx) != 1 else str(int(idx[0]))


def _leaves(x: Any) -> list[np.ndarray]:
    if isinstance(x, tuple | list) and not _is_numbers(x):
        return [leaf for v in x for leaf in _leaves(v)]
    try:
        return [np.asarray(x, dtype=np.float64)]
    except (TypeError, ValueError):
        return []


def _map(f: Callable[[np.ndarray], Any], x: Any) -> Any:
    """Apply ``f`` to every numeric leaf of a nested output (keeping tuples/lists)."""
    if x is ANY:
        return ANY
    if isinstance(x, tuple | list) and not _is_numbers(x):
        return type(x)(_map(f, v) for v in x)
    return f(np.asarray(x, dtype=np.float64))


# ------------------------------------------------------------------------------------------------------------
# Test inputs
# ------------------------------------------------------------------------------------------------------------


@dataclass(eq=False)  # compared by identity: its arrays have no single truth value
class Case:
    """One test input of a check.

    Parameters
    ----------
    label : str
        What the input is, shown in failure messages ("huge logits ±1e3/1e4", "one sample (n=1)").
    args : tuple
        Positional arguments of the function under test.
    kwargs : dict
        Keyword arguments.
    n : int, optional
        Number of samples, for the mean-vs-sum diagnosis.
    huge : bool
        The input holds huge scores; a failure only on such inputs means "not numerically stable".
    strict : bool
        An overflow or invalid floating-point operation inside the student's function fails the check
        (used for the sigmoid, whose naive formula returns the right numbers but overflows).
    rtol, atol : float, optional
        Tolerances for this input (default: :data:`RTOL`/:data:`ATOL`, float32 ones for float32 inputs).
    """

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    n: int | None = None
    huge: bool = False
    strict: bool = False
    rtol: float | None = None
    atol: float | None = None

    def tolerances(self) -> tuple[float, float]:
        f32 = any(isinstance(a, np.ndarray) and a.dtype == np.float32
                  for a in (*self.args, *self.kwargs.values()))
        rtol = self.rtol if self.rtol is not None else (RTOL_FLOAT32 if f32 else RTOL)
        atol = self.atol if self.atol is not None else (ATOL_FLOAT32 if f32 else ATOL)
        return rtol, atol


HUGE_LOGITS = np.array([-1e4, -1e3, -800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0, 1e3, 1e4])


def logit_cases(rng: RNGLike = 0) -> list[Case]:
    """Inputs for an elementwise function of scores ``z`` (e.g. the sigmoid): random, a grid, zeros, odd
    shapes (one element, 2-D), huge logits in float64 and float32 (strict: no overflow allowed)."""
    rng = as_rng(rng)
    return [
        Case("random scores", (rng.normal(0.0, 3.0, size=10),)),
        Case("grid from -40 to 40", (np.linspace(-40.0, 40.0, 81),)),
        Case("zeros", (np.zeros(5),)),
        Case("one element", (np.array([-2.0]),)),
        Case("2-D array (3, 4)", (rng.normal(0.0, 5.0, size=(3, 4)),)),
        Case("huge logits ±1e3/1e4", (HUGE_LOGITS.copy(),), huge=True, strict=True),
        Case("float32 scores", (rng.normal(0.0, 3.0, size=8).astype(np.float32),)),
        Case("huge logits, float32", (np.array([-1e4, -100.0, -88.0, 0.0, 88.0, 100.0, 1e4], np.float32),),
             huge=True, strict=True),
    ]


def logistic_cases(rng: RNGLike = 0) -> list[Case]:
    """Logistic-regression problems as ``Case(args=(w, b, X, y))``: random (several n, d), one sample,
    one feature, zero weights, large scores, huge scores (|z| up to 1e4), and float32 inputs."""
    rng = as_rng(rng)
    cases = []
    for n, d in [(20, 3), (50, 5), (9, 2)]:
        X, w = rng.normal(size=(n, d)), rng.normal(size=d)
        y = rng.permutation(np.arange(n) % 2)
        cases.append(Case(f"random problem n={n}, d={d}", (w, float(rng.normal()), X, y), n=n))
    X1 = rng.normal(size=(1, 4))
    cases.append(Case("one sample (n=1)", (rng.normal(size=4), 0.7, X1, np.array([1])), n=1))
    Xd = rng.normal(size=(12, 1))
    yd = rng.permutation(np.arange(12) % 2)
    cases.append(Case("one feature (d=1)", (np.array([1.5]), -0.4, Xd, yd), n=12))
    Xz = rng.normal(size=(10, 3))
    cases.append(Case("zero weights and intercept", (np.zeros(3), 0.0, Xz, np.arange(10) % 2), n=10))
    Xl = rng.normal(size=(16, 3)) * 8.0
    cases.append(Case("large scores (|z| up to ~40)", (np.array([1.0, -0.5, 0.8]), 0.3, Xl,
                                                         np.arange(16) % 2), n=16))
    z = HUGE_LOGITS
    Xh = np.column_stack([z, rng.normal(size=z.size)])
    yh = np.array([1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0])
    cases.append(Case("huge scores ±1e3/1e4", (np.array([1.0, 0.0]), 0.5, Xh, yh), n=z.size, huge=True))
    Xf = rng.normal(size=(30, 4)).astype(np.float32)
    cases.append(Case("float32 inputs", (rng.normal(size=4).astype(np.float32), 0.25, Xf, np.arange(30) % 2),
                      n=30))
    cases.append(Case("huge scores, float32", (np.array([1.0, 0.0], np.float32), 0.5, Xh.astype(np.float32),
                                               yh), n=z.size, huge=True))
    return cases


def label_cases(rng: RNGLike = 0) -> list[Case]:
    """Pairs ``(y_true, y_pred)`` of 0/1 labels: random (with FP ≠ FN), all predicted 0, no true 1,
    one sample, everything right."""
    rng = as_rng(rng)
    y_true = np.array([0] * 20 + [1] * 10)
    y_pred = np.array([0] * 14 + [1] * 6 + [0] * 3 + [1] * 7)  # TN=14, FP=6, FN=3, TP=7
    perm = rng.permutation(30)
    y2 = rng.integers(0, 2, size=50)
    return [
        Case("30 loans (TN=14, FP=6, FN=3, TP=7)", (y_true[perm], y_pred[perm]), n=30),
        Case("random labels, 50 loans", (y2, np.where(rng.random(50) < 0.7, y2, 1 - y2)), n=50),
        Case("nothing predicted positive", (np.array([0, 1, 0, 1, 1]), np.zeros(5, dtype=int)), n=5),
        Case("no true positives", (np.zeros(6, dtype=int), np.array([0, 1, 1, 0, 0, 1])), n=6),
        Case("one sample (n=1)", (np.array([1]), np.array([0])), n=1),
        Case("all correct", (np.array([1, 0, 0, 1]), np.array([1, 0, 0, 1])), n=4),
    ]


def threshold_cases(rng: RNGLike = 0) -> list[Case]:
    """Triples ``(y_true, p, thresholds)``: probabilities on a grid of 0.05 so that some equal a threshold
    exactly (``>`` and ``>=`` then differ), thresholds above every p, no positives, one sample."""
    rng = as_rng(rng)
    grid = np.arange(21) / 20
    thresholds = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])
    p = rng.integers(0, 21, size=40) / 20
    y = (rng.random(40) < p).astype(int)
    p2 = rng.random(25)
    y2 = (rng.random(25) < p2).astype(int)
    return [
        Case("p on a 0.05 grid, ties with thresholds", (y, p, thresholds), n=40),
        Case("random probabilities", (y2, p2, np.array([0.05, 0.2, 0.4, 0.6, 0.8])), n=25),
        Case("probabilities equal to the thresholds", (np.array([0, 1, 1, 0, 1, 0]),
                                                       np.array([0.25, 0.5, 0.75, 0.5, 0.25, 0.75]),
                                                       np.array([0.25, 0.5, 0.75])), n=6),
        Case("a threshold above every probability", (np.array([1, 0, 1, 0]), np.array([0.9, 0.3, 0.6, 0.1]),
                                                     np.array([0.5, 0.95])), n=4),
        Case("no defaults in y_true",
             (np.zeros(5, dtype=int), grid[[2, 8, 10, 14, 19]], np.array([0.3, 0.7])), n=5),
        Case("one sample (n=1)", (np.array([1]), np.array([0.4]), np.array([0.2, 0.4, 0.6])), n=1),
    ]


# ------------------------------------------------------------------------------------------------------------
# Diagnosers: recognise a known mistake from the student's output
# ------------------------------------------------------------------------------------------------------------


@dataclass
class Mismatch:
    """What a diagnoser sees about one failing input."""

    got: Any
    expected: Any
    case: Case
    error: BaseException | None = None
    others_ok: bool = False
    """Every input that is not ``huge`` passed."""
    variant: Any = None
    """The output of the known-wrong variant named like the diagnoser, if the check has one."""

    def close(self, a: Any, b: Any) -> bool:
        rtol, atol = self.case.tolerances()
        return a is not None and b is not None and _mismatch(a, b, max(rtol, 1e-5), atol) is None


@dataclass(frozen=True)
class Diagnoser:
    """A recognisable mistake.

    ``detect(m)`` returns ``True`` (use ``hint``), a more specific message, or ``False``/``None``. A check
    may instead (or also) provide a *variant*: a function computing the known-wrong output; the diagnoser
    then fires when the student's output matches the variant.
    """

    name: str
    hint: str
    detect: Callable[[Mismatch], bool | str | None] | None = None


DIAGNOSERS: dict[str, Diagnoser] = {}
"""The registry of diagnosers, by name. Add one with :func:`add_diagnoser`."""


def add_diagnoser(name: str, hint: str, detect: Callable[[Mismatch], bool | str | None] | None = None
                  ) -> Diagnoser:
    """Register (or replace) the diagnoser ``name`` with its message ``hint`` and optional ``detect``."""
    DIAGNOSERS[name] = Diagnoser(name, hint, detect)
    return DIAGNOSERS[name]


def _nonzero(x: Any) -> bool:
    return any(np.any(np.abs(leaf) > 1e-8) for leaf in _leaves(x))


def _unstable(m: Mismatch) -> bool | str:
    if isinstance(m.error, FloatingPointError | OverflowError):
        return ("not numerically stable: an overflow happened inside your function for huge |z| "
                f"({type(m.error).__name__}: {m.error}). Compute e^(-|z|) only (np.where evaluates both of "
                "its branches, so the unused one still overflows), or use np.logaddexp / a stable sigmoid.")
    if m.error is not None:
        return False
    if any(np.any(~np.isfinite(g) & np.isfinite(e)) for g, e in zip(_leaves(m.got), _leaves(m.expected),
                                                                      strict=False) if g.shape == e.shape):
        return True
    return m.case.huge and m.others_ok


def _mean_vs_sum(m: Mismatch) -> str | None:
    n = m.case.n
    if not n or n < 2 or not _nonzero(m.expected):
        return None
    if m.close(m.got, _map(lambda e: e / n, m.expected)):
        return f"returns the mean where the sum is expected (the result is n = {n} times too small)"
    if m.close(m.got, _map(lambda e: e * n, m.expected)):
        return f"returns the sum where the mean is expected (the result is n = {n} times too large)"
    return None


def _square_pair(m: Mismatch) -> tuple[np.ndarray, np.ndarray] | None:
    g, e = _leaves(m.got), _leaves(m.expected)
    if len(g) != 1 or len(e) != 1 or e[0].ndim != 2 or g[0].shape != e[0].shape:
        return None
    if e[0].shape[0] != e[0].shape[1]:
        return None
    return g[0], e[0]


def _transposed(m: Mismatch) -> bool:
    pair = _square_pair(m)
    return pair is not None and not np.array_equal(pair[1], pair[1].T) and np.array_equal(pair[0], pair[1].T)


def _classes_swapped(m: Mismatch) -> bool:
    pair = _square_pair(m)
    if pair is None:
        return False
    g, e = pair
    return any(not np.array_equal(e, f) and np.array_equal(g, f) for f in (e[::-1, ::-1], e[::-1, ::-1].T))


def _swapped_pair(m: Mismatch) -> bool:
    e = m.expected
    return (isinstance(e, tuple) and len(e) == 2 and not m.close(e[0], e[1])
            and m.close(m.got, (e[1], e[0])))


def _zero_division(m: Mismatch) -> bool:
    pairs = [(g, e) for g, e in zip(_leaves(m.got), _leaves(m.expected), strict=False) if g.shape == e.shape]
    return any(np.any(np.isnan(g) & (e == 0)) for g, e in pairs)


def _complement(m: Mismatch) -> bool:
    e = _leaves(m.expected)
    if len(e) != 1 or not np.all((e[0] >= 0) & (e[0] <= 1)) or np.allclose(e[0], 0.5):
        return False
    return m.close(m.got, 1.0 - e[0])


_H = {  # the hints, one line each
    "not_stable": "not numerically stable: for huge |z| it overflows or returns nan/inf/wrong values; "
                  "use np.logaddexp(0, z) for log(1 + e^z) and a stable sigmoid (computing only e^(-|z|))",
    "sign_flipped": "the sign looks flipped (you return minus the expected value): e.g. the gradient sign "
                    "is flipped, the gradient of the log-likelihood is X^T (y - p), not X^T (p - y)",
    "mean_vs_sum": "returns the mean where the sum is expected (or vice versa)",
    "loss_not_likelihood": "this looks like the mean cross-entropy loss L = -l/n (or its gradient): this "
                           "part asks for the log-likelihood l itself, a sum over the samples, with the "
                           "opposite sign",
    "ignores_intercept": "the intercept b seems to be ignored: the scores are z = X w + b",
    "penalized_intercept": "the intercept appears to be penalized: the penalty applies to w only, never to b",
    "transposed": "the matrix looks transposed: rows are the true class, columns the predicted class",
    "classes_swapped": "the classes are in the wrong order: row and column 0 are class 0 (good loan), row "
                       "and column 1 are class 1 (default)",
    "swapped_pair": "the two returned values look swapped (e.g. precision and recall: precision = "
                    "TP / (TP + FP), recall = TP / (TP + FN))",
    "zero_division": "0/0 (no predicted positives, or no positives at all) must give 0.0, not nan: handle "
                     "the empty denominator",
    "complement": "you return 1 - sigma(z): check the sign in the exponential, sigma(z) = 1 / (1 + e^(-z))",
    "threshold_strict": "a probability exactly equal to the threshold counts as positive: use "
                        "p >= threshold, not p > threshold",
    "threshold_reversed": "the comparison looks reversed: predict the positive class (1) when p >= threshold",
    "costs_swapped": "the two costs look swapped: a missed positive (false negative) costs cost_fn, a false "
                     "alarm (false positive) costs cost_fp",
    "descends": "your gradient ascent goes downhill (the log-likelihood decreases): step along +gradient, "
                "w <- w + lr * gradient, to maximise the log-likelihood",
    "history_length": "history must hold n_steps + 1 values: the log-likelihood before the first step and "
                      "after every step",
    "adam_no_bias_correction": "Adam bias correction missing: divide m by (1 - beta1^t) and v by "
                               "(1 - beta2^t) before the update (t = 1, 2, ...)",
    "per_tensor_clipping": "clips each array separately instead of by one global norm over all the arrays "
                           "together",
    "not_in_place": "the arrays must be changed in place (like torch's clip_grad_norm_): write g *= scale "
                    "or g[...] = ..., do not rebind g to a new array",
    "maximizes": "your threshold has the highest expected cost among the candidates: pick the one with the "
                 "lowest (np.argmin, not np.argmax)",
    "not_lowest_cost": "'Expected' is the lowest expected cost among the thresholds and 'Got' the expected "
                       "cost at the threshold you return: return the one whose expected cost is the smallest",
}


def _history_length(m: Mismatch) -> bool:
    return (isinstance(m.got, tuple) and len(m.got) == 3 and isinstance(m.expected, tuple)
            and np.size(m.got[2]) == np.size(m.expected[2]) - 1)


_DETECT: dict[str, Callable[[Mismatch], bool | str | None]] = {
    "not_stable": _unstable,
    "sign_flipped": lambda m: _nonzero(m.expected) and m.close(m.got, _map(np.negative, m.expected)),
    "mean_vs_sum": _mean_vs_sum,
    "loss_not_likelihood": lambda m: bool(m.case.n) and _nonzero(m.expected)
    and m.close(m.got, _map(lambda e: -e / m.case.n, m.expected)),
    "transposed": _transposed,
    "classes_swapped": _classes_swapped,
    "swapped_pair": _swapped_pair,
    "zero_division": _zero_division,
    "complement": _complement,
    "history_length": _history_length,
    "not_lowest_cost": lambda m: m.error is None and m.got is not None,
}
for _name, _hint in _H.items():
    add_diagnoser(_name, _hint, _DETECT.get(_name))


def diagnose(got: Any, expected: Any, case: Case | None = None, names: Sequence[str] | None = None,
             variants: Mapping[str, Any] | None = None, error: BaseException | None = None,
             others_ok: bool = False) -> str | None:
    """The hint of the first diagnoser (in the order of ``names``, default: all) that recognises the mistake.

    Parameters
    ----------
    got, expected : the student's output and the reference's output for ``case``.
    case : Case, optional
        The input (its ``n``, ``huge`` and tolerances are used).
    names : sequence of str, optional
        Diagnoser names to try, in order.
    variants : mapping name -> output, optional
        Outputs of known-wrong variants on this input, keyed by diagnoser name.
    error : exception, optional
        The exception the student's function raised, if any.
    others_ok : bool
        Whether every non-huge input passed.
    """
    return _diagnose(got, expected, case, names, variants, error, others_ok)[1]


def _diagnose(got: Any, expected: Any, case: Case | None = None, names: Sequence[str] | None = None,
              variants: Mapping[str, Any] | None = None, error: BaseException | None = None,
              others_ok: bool = False) -> tuple[str | None, str | None]:
    """(name, hint) of the first diagnoser that recognises the mistake, or (None, None)."""
    case = case if case is not None else Case("input", ())
    variants = variants or {}
    for name in names if names is not None else list(DIAGNOSERS):
        d = DIAGNOSERS[name]
        m = Mismatch(got, expected, case, error, others_ok, variants.get(name))
        if name in variants and error is None and m.close(got, m.variant):
            return name, d.hint
        if d.detect is not None:
            found = d.detect(m)
            if found:
                return name, found if isinstance(found, str) else d.hint
    return None, None


# ------------------------------------------------------------------------------------------------------------
# The shortcut guard
# ------------------------------------------------------------------------------------------------------------

_STATE = threading.local()


def _trusted_depth() -> int:
    return getattr(_STATE, "trusted", 0)


def _allowed_caller(frame: types.FrameType | None) -> bool:
    """Calls from coursekit's own modules (the library calling itself) and from trusted stand-ins pass."""
    if _trusted_depth() > 0:
        return True
    name = frame.f_globals.get("__name__", "") if frame is not None else ""
    return name.startswith("coursekit.") and name != __name__


def _trusted(fn: Callable, name: str) -> Callable:
    """A correct stand-in for the student's helper ``name``: calls the reference, allowed by the guard."""

    def stand_in(*args, **kwargs):
        _STATE.trusted = _trusted_depth() + 1
        try:
            return fn(*args, **kwargs)
        finally:
            _STATE.trusted -= 1

    stand_in.__name__ = stand_in.__qualname__ = name
    return stand_in


class _Sentinel:
    """Stands in for a reference function while a graded function runs: raises :class:`ShortcutError`."""

    def __init__(self, original: Callable, qualname: str, guard: no_shortcuts) -> None:
        self._original, self._qualname, self._guard = original, qualname, guard

    def __call__(self, *args, **kwargs):
        if _allowed_caller(sys._getframe(1)):
            return _trusted(self._original, self._qualname)(*args, **kwargs)
        self._guard.violations.append(self._qualname)
        raise ShortcutError(MESSAGE_SHORTCUT + self._qualname)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


def _guarded_modules() -> list[types.ModuleType]:
    modules = []
    for name in GUARDED_MODULES:
        try:
            modules.append(__import__(name, fromlist=["_"]))
        except Exception:  # noqa: BLE001 - a module that cannot be imported cannot be called either
            continue
    return modules


def _code_objects(obj: Any) -> Iterator[types.CodeType]:
    if inspect.isfunction(obj):
        yield obj.__code__
    elif isinstance(obj, staticmethod | classmethod):
        yield from _code_objects(obj.__func__)
    elif isinstance(obj, property):
        for f in (obj.fget, obj.fset, obj.fdel):
            yield from _code_objects(f)
    elif inspect.isclass(obj):
        for member in vars(obj).values():
            yield from _code_objects(member)


_Refs = tuple[dict[int, tuple[Any, str]], dict[int, str]]


@functools.cache
def _references_cached(modules: tuple[types.ModuleType, ...]) -> _Refs:
    objects: dict[int, tuple[Any, str]] = {}
    codes: dict[int, str] = {}  # by id: hashing a code object is slow, and this is looked up on every call
    for module in modules:
        for name, obj in vars(module).items():
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
                qualname = f"{module.__name__}.{name}"
                objects[id(obj)] = (obj, qualname)
                for code in _code_objects(obj):
                    codes[id(code)] = qualname
    return objects, codes


def _references() -> _Refs:
    """Reference functions and classes of the guarded modules (by id) and their code objects."""
    return _references_cached(tuple(_guarded_modules()))


def _reference_name(fn: Any) -> str | None:
    """``coursekit.linear.sigmoid`` when ``fn`` is (or wraps) a reference itself, else ``None``."""
    objects, _ = _references()
    wrapped = ("func", "__func__", "pyfunc", "__wrapped__")
    for candidate in (fn, *(getattr(fn, attr, None) for attr in wrapped)):
        if candidate is not None and id(candidate) in objects and objects[id(candidate)][0] is candidate:
            return objects[id(candidate)][1]
        if isinstance(candidate, _Sentinel):
            return candidate._qualname
    return None


def _globals_of(fn: Any) -> dict | None:
    for f in (fn, getattr(fn, "__func__", None), getattr(fn, "func", None)):
        g = getattr(f, "__globals__", None)
        if isinstance(g, dict):
            break
    else:
        module = sys.modules.get(getattr(fn, "__module__", "") or "")
        g = vars(module) if module is not None else None
    if g is None or str(g.get("__name__", "")).startswith("coursekit"):
        return None
    return g


class no_shortcuts:  # noqa: N801 - used like a function: ``with no_shortcuts(f): ...``
    """Context manager: while it is active, a graded function may not call a coursekit reference.

    On entry, the reference functions of :data:`GUARDED_MODULES` are swapped for sentinels that raise
    :class:`ShortcutError`, and so are the names in the student function's globals that are bound to
    reference functions or classes (``from coursekit.linear import sigmoid``). A profiling hook also
    records any call into reference code reached another way (a default argument, an alias in a list, a
    subclass); such calls are listed in :attr:`violations`. Calls made by coursekit's own modules (the
    library calling itself) and by the correct stand-ins of :func:`compare` are allowed. On exit every
    name is restored.

    Parameters
    ----------
    *functions : the student's functions (or classes) whose globals are guarded too.

    Examples
    --------
    >>> import coursekit.linear
    >>> def lazy(z):
    ...     return coursekit.linear.sigmoid(z)
    >>> with no_shortcuts(lazy) as guard:
    ...     lazy(0.0)
    Traceback (most recent call last):
    ...
    coursekit.grading.ShortcutError: this part must be written by you, not by calling coursekit.linear.sigmoid
    """

    def __init__(self, *functions: Any) -> None:
        self.functions = functions
        self.violations: list[str] = []
        self._restore: list[tuple[Any, str, Any, Any]] = []
        self._old_profile: Any = None

    def __enter__(self) -> no_shortcuts:
        objects, self._codes = _references()
        for module in _guarded_modules():
            for name, obj in list(vars(module).items()):
                if inspect.isfunction(obj) and id(obj) in objects:
                    self._swap(module, name, obj, objects[id(obj)][1], attribute=True)
        for fn in self.functions:
            g = _globals_of(fn)
            for name, obj in list((g or {}).items()):
                if id(obj) in objects and objects[id(obj)][0] is obj:
                    self._swap(g, name, obj, objects[id(obj)][1], attribute=False)
        self._old_profile = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def _swap(self, where: Any, name: str, obj: Any, qualname: str, attribute: bool) -> None:
        sentinel = _Sentinel(obj, qualname, self)
        if attribute:
            setattr(where, name, sentinel)
        else:
            where[name] = sentinel
        self._restore.append((where, name, obj, sentinel))

    def _profile(self, frame: types.FrameType, event: str, arg: Any) -> None:
        if event == "call" and id(frame.f_code) in self._codes and not _allowed_caller(frame.f_back):
            self.violations.append(self._codes[id(frame.f_code)])

    def __exit__(self, *exc: Any) -> None:
        sys.setprofile(self._old_profile)
        for where, name, obj, sentinel in reversed(self._restore):
            if isinstance(where, dict):
                if where.get(name) is sentinel:
                    where[name] = obj
            elif getattr(where, name, None) is sentinel:
                setattr(where, name, obj)
        self._restore.clear()


@contextlib.contextmanager
def _stand_ins(fn: Any, depends: Mapping[str, Callable] | None, own_name: str) -> Iterator[None]:
    """Replace the student's other graded functions (by name, in ``fn``'s globals) by correct stand-ins."""
    g = _globals_of(fn)
    saved: dict[str, Any] = {}
    if g is not None and depends:
        for name, ref in depends.items():
            if name != own_name and name in g and callable(g[name]) and g[name] is not fn:
                saved[name] = g[name]
                g[name] = _trusted(ref, name)
    try:
        yield
    finally:
        if g is not None:
            g.update(saved)


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_TimeUp` in the running code after ``seconds`` (main thread on POSIX; else no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal,
                                                                                                  "setitimer"):
        yield
        return

    def alarm(signum, frame):
        raise _TimeUp()

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def _quiet(strict: bool = False) -> Iterator[None]:
    """No warnings, no printing (a stderr line would cost the cell its points in nbgrader); with ``strict``,
    overflow and invalid operations raise :class:`FloatingPointError`."""
    fp = dict(over="raise", invalid="raise", divide="raise", under="ignore") if strict else dict(all="ignore")
    with warnings.catch_warnings(), np.errstate(**fp), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


# ------------------------------------------------------------------------------------------------------------
# compare: the engine of every check
# ------------------------------------------------------------------------------------------------------------


def _default_call(fn: Callable, args: tuple, kwargs: dict) -> Any:
    return fn(*args, **kwargs)


def _describe_input(reference: Callable, case: Case) -> str:
    try:
        bound = inspect.signature(reference).bind_partial(*case.args, **case.kwargs).arguments
    except (TypeError, ValueError):
        bound = {f"arg{i}": a for i, a in enumerate(case.args)} | case.kwargs
    return ", ".join(f"{k} = {summarize(v)}" for k, v in bound.items())


def _student_line(exc: BaseException) -> str:
    """Where in the student's code an exception was raised (the last frame outside coursekit and numpy)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "coursekit" not in f.filename and "site-packages" not in f.filename
              and "/lib/python" not in f.filename]
    if not frames:
        return ""
    f = frames[-1]
    return f" (in {f.name}, line {f.lineno}: {f.line.strip()})" if f.line else f" (in {f.name})"


def _same_inputs(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=True))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same_inputs(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - objects that cannot be compared are taken as unchanged
        return True


def compare(student: Callable, reference: Callable, cases: Sequence[Case], *, name: str | None = None,
            diagnosers: Sequence[str] = (), variants: Mapping[str, Callable] | None = None,
            hints: Mapping[str, str] | None = None, depends: Mapping[str, Callable] | None = None,
            call: Callable[[Callable, tuple, dict], Any] | None = None, mutates: bool = False,
            time_limit: float | None = TIME_LIMIT) -> bool:
    r"""Check ``student`` against ``reference`` on every case; return ``True`` or raise AssertionError.

    Parameters
    ----------
    student : callable
        The student's function (or class, with ``call``).
    reference : callable
        The coursekit reference with the same signature. Its outputs are computed first, unguarded.
    cases : sequence of Case
        Inputs; a copy of the arguments is passed to each function.
    name : str, optional
        Name of the part in messages (default ``student.__name__``).
    diagnosers : sequence of str
        Names in :data:`DIAGNOSERS` to try, in order, on a failing input.
    variants : mapping name -> callable, optional
        Known-wrong variants of the reference (same signature), keyed by the diagnoser they illustrate.
    hints : mapping name -> str, optional
        Messages replacing the default hint of some diagnosers for this part.
    depends : mapping name -> callable, optional
        Correct versions of the notebook's *other* graded functions: while ``student`` runs, the names of
        its globals that are in ``depends`` are bound to them, so that a mistake there does not cost
        this part.
    call : callable, optional
        ``call(fn, args, kwargs) -> output`` for functions that are not compared by their return value
        (an in-place update, a class).
    mutates : bool
        The function is expected to modify its arguments (else modifying them is reported).
    time_limit : float or None
        Seconds per call of ``student`` before the check reports a probable infinite loop.

    Returns
    -------
    True

    Raises
    ------
    AssertionError
        With the failing input, expected vs got, and the likely mistake. :class:`ShortcutError` (a subclass)
        when ``student`` calls a coursekit reference.
    """
    name = name or getattr(student, "__name__", "your function")
    call = call or _default_call
    if not callable(student):
        raise AssertionError(f"`{name}` is not a function but {_kind(student)}: "
                             "did its cell run without error?")
    shortcut = _reference_name(student)
    if shortcut is not None:
        raise ShortcutError(f"`{name}`: {MESSAGE_SHORTCUT}{shortcut}")

    expected = []
    for case in cases:
        with _quiet():
            expected.append(call(reference, *copy.deepcopy((case.args, case.kwargs))))

    results: list[tuple[Case, Any, BaseException | None, str | None]] = []
    with _stand_ins(student, depends, name), no_shortcuts(student) as guard:
        for case, exp in zip(cases, expected, strict=True):
            args, kwargs = copy.deepcopy((case.args, case.kwargs))
            got, error, why = None, None, None
            try:
                with _quiet(case.strict), _time_limit(time_limit):
                    got = call(student, args, kwargs)
            except ShortcutError:
                raise ShortcutError(f"`{name}`: {MESSAGE_SHORTCUT}{guard.violations[0]}") from None
            except _TimeUp:
                why = f"did not return within {time_limit:g} s (an infinite loop?)"
                results.append((case, None, TimeoutError(why), why))
                break
            except _WrongOutput as exc:
                why = str(exc)
            except NotImplementedError as exc:
                raise AssertionError(f"`{name}` is not implemented yet (it raises NotImplementedError"
                                     f"{': ' + str(exc) if str(exc) else ''}): replace "
                                     "`raise NotImplementedError()` by your code.") from None
            except Exception as exc:  # noqa: BLE001 - any error of the student's code is reported
                error = exc
                why = f"raises {type(exc).__name__}: {exc}{_student_line(exc)}"
            if guard.violations:
                raise ShortcutError(f"`{name}`: {MESSAGE_SHORTCUT}{guard.violations[0]}")
            if why is None:
                why = _mismatch(got, exp, *case.tolerances())
            if why is None and not mutates and not _same_inputs((args, kwargs), (case.args, case.kwargs)):
                why = "modifies its input arrays in place; work on a copy (e.g. z = np.array(z, dtype=float))"
            results.append((case, got, error, why))

    position = {id(c): i for i, c in enumerate(cases)}
    failures = [(c, g, err, why) for c, g, err, why in results if why is not None]
    if not failures:
        return True

    others_ok = all(why is None for c, _, _, why in results if not c.huge)
    hints = dict(hints or {})
    found = []
    for case, got, error, _ in failures:
        outputs = {}
        for key, variant in (variants or {}).items():
            try:
                with _quiet():
                    outputs[key] = call(variant, *copy.deepcopy((case.args, case.kwargs)))
            except Exception:  # noqa: BLE001 - a variant that cannot run on this input tells nothing
                continue
        exp = expected[position[id(case)]]
        key, hint = _diagnose(got, exp, case, list(diagnosers), outputs, error, others_ok)
        found.append((key, hints.get(key, hint) if key else None))
    # the diagnosis shared by most failing inputs (one input alone can match two mistakes by coincidence)
    counts = Counter(key for key, _ in found if key)
    best = max(counts, key=lambda k: (counts[k], -[f[0] for f in found].index(k))) if counts else None
    pick = [f[0] for f in found].index(best) if best else 0
    case, got, error, why = failures[pick]
    labels = list(dict.fromkeys(c.label for c, *_ in failures))
    labels = "; ".join(labels[:3]) + ("; ..." if len(labels) > 3 else "")
    lines = [
        f"`{name}` is not right yet: {len(failures)} of {len(cases)} checks failed ({labels}).",
        f"Input ({case.label}): {_describe_input(reference, case)}",
        f"Expected: {summarize(expected[position[id(case)]])}",
    ]
    if error is None and got is not None:
        lines.append(f"Got:      {summarize(got)}")
    lines.append(_wrap(f"Problem: {why}"))
    if found[pick][1]:
        lines.append(_wrap(MESSAGE_HINT + found[pick][1]))
    raise AssertionError("\n".join(lines))


def _wrap(text: str, width: int = 100) -> str:
    """Long message lines wrapped for the feedback page; continuation lines are indented."""
    return textwrap.fill(text, width=width, subsequent_indent="    ", break_on_hyphens=False)


# ------------------------------------------------------------------------------------------------------------
# Ready-made checks (hw1: logistic regression and loan default; hw2-hw4 helpers)
# ------------------------------------------------------------------------------------------------------------


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
    return compare(sigmoid, _linear().sigmoid, logit_cases(rng), name="sigmoid",
                   diagnosers=("not_stable", "complement"))


def check_predict_proba(predict_proba: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``predict_proba(X, w, b)`` :math:`= \sigma(Xw + b)`, shape (n,).

    Against :func:`coursekit.linear.predict_proba`; the notebook's ``sigmoid`` is replaced by a correct one
    during the check. Use: ``assert grading.check_predict_proba(predict_proba)``.
    """
    ref = _linear().predict_proba
    cases = [Case(c.label, (c.args[2], c.args[0], c.args[1]), n=c.n, huge=c.huge)
             for c in logistic_cases(rng)]
    return compare(predict_proba, ref, cases, name="predict_proba",
                   diagnosers=("not_stable", "ignores_intercept", "complement"),
                   variants={"ignores_intercept": _no_intercept(ref, 2)}, depends=_hw1_stand_ins())


def check_log_likelihood(log_likelihood: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``log_likelihood(w, b, X, y)`` :math:`= \sum_i [y_i z_i - \log(1 + e^{z_i})]`, a float.

    Against :func:`coursekit.linear.log_likelihood`, including huge scores where a formula through
    :math:`\log\sigma` or :math:`\log(1+e^z)` overflows.
    Use: ``assert grading.check_log_likelihood(log_likelihood)``.
    """
    ref = _linear().log_likelihood
    return compare(log_likelihood, ref, logistic_cases(rng), name="log_likelihood",
                   diagnosers=("not_stable", "loss_not_likelihood", "sign_flipped", "mean_vs_sum",
                               "ignores_intercept"),
                   variants={"ignores_intercept": _no_intercept(ref, 1)},
                   hints={"sign_flipped": "the sign looks flipped: you return -l (the loss); the "
                                          "log-likelihood sum_i [y_i z_i - log(1 + e^z_i)] is <= 0"},
                   depends=_hw1_stand_ins())


def check_log_likelihood_grad(log_likelihood_grad: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``log_likelihood_grad(w, b, X, y) -> (gw, gb)`` with :math:`g_w = X^\top(y-p)`,
    :math:`g_b = \sum_i (y_i - p_i)`.

    Against :func:`coursekit.linear.log_likelihood_grad`. Use:
    ``assert grading.check_log_likelihood_grad(log_likelihood_grad)``.
    """
    ref = _linear().log_likelihood_grad
    return compare(log_likelihood_grad, ref, logistic_cases(rng), name="log_likelihood_grad",
                   diagnosers=("not_stable", "loss_not_likelihood", "sign_flipped", "mean_vs_sum",
                               "ignores_intercept"),
                   variants={"ignores_intercept": _no_intercept(ref, 1)},
                   hints={"sign_flipped": "the gradient sign looks flipped: the gradient of the "
                                          "log-likelihood is X^T (y - p) and sum(y - p), not X^T (p - y)"},
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

    def scaled_lr(factor):
        return lambda X, y, lr=0.1, n_steps=100: ref(X, y, lr=lr * factor(X), n_steps=n_steps)

    return compare(gradient_ascent, ref, cases, name="gradient_ascent",
                   diagnosers=("descends", "mean_vs_sum", "history_length"),
                   variants={"descends": scaled_lr(lambda X: -1.0),
                             "mean_vs_sum": scaled_lr(lambda X: X.shape[0])},
                   hints={"mean_vs_sum": "each step uses the summed gradient; step along the mean gradient "
                                         "(divide the gradient by n): w <- w + lr / n * X^T (y - p)"},
                   depends=_hw1_stand_ins())


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
                   diagnosers=("transposed", "classes_swapped"), depends=_hw1_stand_ins())


def _at_thresholds(metric: Callable, rule: Callable) -> Callable:
    """A known-wrong variant: ``metric`` computed with another comparison ``rule(p, t)``."""
    met = _metrics()

    def variant(y_true, p, thresholds, *rest):
        if metric is met.expected_cost:
            return metric(y_true, rule(p, thresholds).astype(float), 0.5, *rest)
        pr = [(met.precision(y_true, rule(p, t).astype(int)), met.recall(y_true, rule(p, t).astype(int)))
              for t in thresholds]
        return np.array([a for a, _ in pr]), np.array([b for _, b in pr])

    return variant


def check_precision_recall_at(precision_recall_at: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``precision_recall_at(y_true, p, thresholds) -> (precision, recall)``, arrays of shape (m,), for
    the rule "predict 1 when :math:`p \ge t`"; 0/0 gives 0.0.

    Against :func:`coursekit.metrics.precision_recall_at`. Use:
    ``assert grading.check_precision_recall_at(precision_recall_at)``.
    """
    return compare(precision_recall_at, _metrics().precision_recall_at, threshold_cases(rng),
                   name="precision_recall_at",
                   diagnosers=("swapped_pair", "zero_division", "threshold_strict", "threshold_reversed"),
                   variants={"threshold_strict": _at_thresholds(_metrics().precision, np.greater),
                             "threshold_reversed": _at_thresholds(_metrics().precision, np.less)},
                   hints={"swapped_pair": "precision and recall look swapped: precision = TP / (TP + FP) (of "
                                          "the predicted defaults, how many are), recall = TP / (TP + FN)"},
                   depends=_hw1_stand_ins())


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

    def swapped(y, p, t, cost_fn, cost_fp):
        return ref(y, p, t, cost_fp, cost_fn)

    def rule(cmp):
        return lambda y, p, t, cost_fn, cost_fp: ref(y, cmp(p, t).astype(float), 0.5, cost_fn, cost_fp)

    return compare(expected_cost, ref, _cost_cases(rng), name="expected_cost",
                   diagnosers=("mean_vs_sum", "costs_swapped", "threshold_strict", "threshold_reversed"),
                   variants={"costs_swapped": swapped, "threshold_strict": rule(np.greater),
                             "threshold_reversed": rule(np.less)},
                   depends=_hw1_stand_ins())


def check_best_threshold(best_threshold: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``best_threshold(y_true, p, thresholds, cost_fn, cost_fp)``: it returns one of ``thresholds``
    whose expected cost (:func:`coursekit.metrics.expected_cost`) is the smallest (any of them on a tie).

    The comparison is on the *cost* of the returned threshold. Use:
    ``assert grading.check_best_threshold(best_threshold)``.
    """
    ref_cost = _trusted(_metrics().expected_cost, "expected_cost")
    cases = []
    for c, (cfn, cfp) in zip(threshold_cases(rng)[:4], [(10.0, 1.0), (1.0, 1.0), (1.0, 4.0), (10.0, 1.0)],
                             strict=True):
        y, p, ts = c.args
        cases.append(Case(f"{c.label}; costs {cfn:g}/{cfp:g}", (y, p, ts, cfn, cfp), n=c.n))

    def cost_of_choice(fn, args, kwargs):
        y, p, ts, cfn, cfp = args
        t = fn(*args, **kwargs)
        if np.ndim(t) != 0 or not np.any(np.isclose(ts, float(t), rtol=0, atol=1e-12)):
            raise _WrongOutput(f"returns {summarize(t)}, which is not one of the thresholds {summarize(ts)}")
        return float(ref_cost(y, p, float(t), cfn, cfp))

    def lowest(y_true, p, thresholds, cost_fn, cost_fp):
        return float(np.min(ref_cost(y_true, p, np.asarray(thresholds, dtype=float), cost_fn, cost_fp)))

    def highest(y_true, p, thresholds, cost_fn, cost_fp):
        return float(np.max(ref_cost(y_true, p, np.asarray(thresholds, dtype=float), cost_fn, cost_fp)))

    return compare(best_threshold, lowest, cases, name="best_threshold",
                   diagnosers=("maximizes", "not_lowest_cost"), variants={"maximizes": highest},
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


# --- hw4-gradients checks ---
# hw4 (chapter book/gradients.md): backpropagation by hand through a linear layer, sigmoid, ReLU and a
# small MLP, Xavier/He initialization, per-layer gradient norms, clipping by value and by global norm, and
# backpropagation through time. Every reference is computed by coursekit.nn / coursekit.optim; the
# known-wrong variants are built from those references too (a changed input, a zeroed matrix, a layer more).

__all__ += [
    "check_linear_forward", "check_linear_backward", "check_sigmoid_forward", "check_sigmoid_backward",
    "check_relu_forward", "check_relu_backward", "check_mlp_loss_grad", "check_xavier_init", "check_he_init",
    "check_layer_grad_norms", "check_clip_grad_value", "check_clip_grad_norm_global", "check_rnn_forward",
    "check_rnn_backward",
]


def _hw4_nn():
    import coursekit.nn as nn

    return nn


def _hw4_load(targets: Sequence[np.ndarray], values: Sequence[Any]) -> None:
    for target, value in zip(targets, values, strict=True):
        target[...] = value


def _hw4_linear_forward(X, W, b):
    """Reference ``(X W + b, (X, W, b))`` through a one-layer :class:`coursekit.nn.MLP`."""
    net = _hw4_nn().MLP([W.shape[0], W.shape[1]], activation="identity", rng=0)
    _hw4_load(net.params, [W, b])
    return net.forward(X), (X, W, b)


def _hw4_linear_backward(dZ, cache):
    """Reference ``(dX, dW, db)``: a two-layer identity MLP fed the identity matrix, whose first weight matrix
    is X, so that the gradient of that matrix is dX."""
    X, W, b = cache
    n, (d, k) = X.shape[0], W.shape
    net = _hw4_nn().MLP([n, d, k], activation="identity", rng=0)
    _hw4_load(net.params, [X, np.zeros(d), W, b])
    net.forward(np.eye(n))
    net.backward(dZ)
    gX, _, gW, gb = (g.copy() for g in net.grads)
    return gX, gW, gb


def _hw4_act(name: str):
    nn = _hw4_nn()
    f, df = nn.activation(name)
    return (lambda Z: (f(Z), Z)), (lambda dA, cache: dA * df(cache))


def _hw4_bce_with_logits(z, y):
    return _hw4_nn().binary_cross_entropy_with_logits(z, y)


def _hw4_stand_ins() -> dict[str, Callable]:
    """Correct versions of hw4's graded helpers, by their names in the notebook."""
    sig_f, sig_b = _hw4_act("sigmoid")
    relu_f, relu_b = _hw4_act("relu")
    return {"linear_forward": _hw4_linear_forward, "linear_backward": _hw4_linear_backward,
            "sigmoid_forward": sig_f, "sigmoid_backward": sig_b, "relu_forward": relu_f,
            "relu_backward": relu_b, "bce_with_logits": _hw4_bce_with_logits}


def _hw4_pairs(m: Mismatch) -> list[tuple[np.ndarray, np.ndarray]]:
    return list(zip(_leaves(m.got), _leaves(m.expected), strict=False))


def _hw4_bias_not_summed(m: Mismatch) -> str | None:
    for g, e in _hw4_pairs(m):
        if e.ndim != 1 or not _nonzero(e):
            continue
        if g.ndim == 2 and g.shape[1] == e.shape[0] and g.shape[0] > 1 and m.close(g.sum(axis=0), e):
            return (f"the bias gradient has shape {g.shape}, one row per sample: sum it over the batch, "
                    "db = dZ.sum(axis=0), shape (d_out,)")
        if g.shape == (1, e.shape[0]) and m.close(g.ravel(), e):
            return ("the bias gradient has shape (1, d_out): return a 1-D array of shape (d_out,) "
                    "(no keepdims)")
        n = m.case.n
        if n and n > 1 and g.shape == e.shape and m.close(g * n, e):
            return (f"the bias gradient is the mean over the batch (n = {n} times too small): sum it, "
                    "db = dZ.sum(axis=0); the 1/n of the mean loss is already inside dZ")
    return None


def _hw4_transposed(m: Mismatch) -> bool:
    def symmetric(e: np.ndarray) -> bool:
        return e.shape[0] == e.shape[1] and np.allclose(e, e.T)

    return any(e.ndim == 2 and e.size > 1 and g.shape == e.T.shape and not symmetric(e) and m.close(g, e.T)
               for g, e in _hw4_pairs(m))


def _hw4_out_of_order(m: Mismatch) -> bool:
    g, e = _leaves(m.got), _leaves(m.expected)
    if len(g) != len(e) or len(e) < 3:
        return False
    used, moved = set(), False
    for i, gi in enumerate(g):
        j = next((j for j in range(len(e)) if j not in used and gi.shape == e[j].shape and m.close(gi, e[j])),
                 None)
        if j is None:
            return False
        used.add(j)
        moved |= j != i
    return moved


def _hw4_wrong_cache(m: Mismatch) -> str | None:
    got, exp = m.got, m.expected
    if not (isinstance(got, tuple | list) and isinstance(exp, tuple) and len(got) == len(exp) == 2):
        return None
    if not m.close(got[0], exp[0]):
        return None
    if isinstance(exp[1], tuple):
        return ("the output is right but the cache is not: the cache must be the tuple (X, W, b) of the "
                "inputs, exactly as given")
    if m.close(got[1], got[0]):
        return ("the cache holds the output A (or Z was modified in place): the cache must be the input Z "
                "(the pre-activation), unchanged; compute A in a new array")
    return "the output is right but the cache is not: the cache must be the input Z (the pre-activation)"


def _hw4_rnn_states_shape(m: Mismatch) -> str | None:
    g, e = _leaves(m.got), _leaves(m.expected)
    if len(g) != 1 or len(e) != 1 or e[0].ndim != 3:
        return None
    (g,), (e,) = g, e
    n, T, H = e.shape
    if g.shape == (n, T + 1, H):
        return ("H holds T + 1 states: return h_1 ... h_T only, shape (n, T, hidden); h_0 = 0 is the "
                "starting state, not an output")
    if g.shape == (T, n, H) and T != n:
        return ("H is time-major (T, n, hidden): return it batch first, shape (n, T, hidden), "
                "H[:, t] = h_(t+1)")
    return None


def _hw4_norms(m: Mismatch) -> tuple[np.ndarray, np.ndarray] | None:
    got, exp = m.got, m.expected
    if not (isinstance(got, tuple | list) and isinstance(exp, tuple) and len(got) == len(exp) == 4):
        return None
    g, e = np.asarray(got[3], dtype=float), np.asarray(exp[3], dtype=float)
    return (g, e) if g.shape == e.shape and e.size > 1 and m.close(got[:3], exp[:3]) else None


def _hw4_norms_shifted(m: Mismatch) -> bool:
    pair = _hw4_norms(m)
    return pair is not None and (m.close(pair[0][1:], pair[1][:-1]) or m.close(pair[0][:-1], pair[1][1:]))


def _hw4_norms_reversed(m: Mismatch) -> bool:
    pair = _hw4_norms(m)
    return pair is not None and not m.close(pair[1], pair[1][::-1]) and m.close(pair[0], pair[1][::-1])


def _hw4_whh_zero(m: Mismatch) -> bool:
    got, exp = m.got, m.expected
    if not (isinstance(got, tuple | list) and isinstance(exp, tuple) and len(got) == len(exp) == 4):
        return False
    g, e = _leaves(got[1]), _leaves(exp[1])
    return len(g) == 1 and g[0].shape == e[0].shape and _nonzero(e) and not _nonzero(g)


def _hw4_direction(m: Mismatch) -> bool:
    original = m.case.args[0] if m.case.args else None
    got = m.got[0] if isinstance(m.got, tuple) and m.got else None
    if not isinstance(original, list) or not isinstance(got, list) or len(got) != len(original):
        return False
    try:
        a = np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in original])
        b = np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in got])
    except (TypeError, ValueError):
        return False
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return a.shape == b.shape and na > 0 and nb > 0 and float(a @ b) / (na * nb) < 1 - 1e-6


def _hw4_norm_count(m: Mismatch) -> str | None:
    g, e = _leaves(m.got), _leaves(m.expected)
    if len(g) != 1 or len(e) != 1:
        return None
    g, e = g[0].ravel(), e[0]
    if g.size == 2 * e.size:
        return (f"returns {g.size} norms for {e.size} layers: the bias gradients are not layers; take the "
                "weight gradients only, grads[0::2]")
    if g.size == 1 and e.size > 1:
        return ("returns one number: that is the global norm of all the gradients; return one norm per layer "
                "(per weight gradient)")
    return None


_HW4_HINTS: dict[str, tuple[str, Callable[[Mismatch], bool | str | None] | None]] = {
    "bias_grad_not_summed": (
        "the bias gradient must be summed over the batch: db = dZ.sum(axis=0), shape (d_out,)",
        _hw4_bias_not_summed),
    "weight_grad_transposed": (
        "a gradient looks transposed: each gradient has the shape of its variable, dW = X.T @ dZ is "
        "(d_in, d_out) like W and dX = dZ @ W.T is (n, d_in) like X",
        _hw4_transposed),
    "grads_out_of_order": (
        "the gradients are right but in another order: return them in the order of params, [dW1, db1, "
        "dW2, db2, ...]",
        _hw4_out_of_order),
    "bias_not_added": (
        "the bias b is not added: Z = X @ W + b",
        None),
    "cache_not_input": (
        "the cache is not what backward expects",
        _hw4_wrong_cache),
    "sigmoid_complement": (
        "you return 1 - sigma(z): sigma(z) = 1 / (1 + e^(-z))",
        None),
    "sigmoid_applied_twice": (
        "the sigmoid is applied twice: the derivative is s * (1 - s) with s = sigma(Z) computed ONCE from"
        " the pre-activation Z in the cache (not sigma(sigma(Z)))",
        None),
    "sigmoid_of_z_missing": (
        "you use Z * (1 - Z): the derivative is sigma(Z) * (1 - sigma(Z)); the cache holds the pre-"
        "activation Z, not the output sigma(Z)",
        None),
    "ignores_upstream_grad": (
        "you return the local derivative only: multiply it by the upstream gradient, dZ = dA * f'(Z) "
        "(chain rule)",
        None),
    "relu_output_not_mask": (
        "you multiply dA by the ReLU's output max(Z, 0): the derivative of ReLU is the mask 1[Z > 0] (0 "
        "or 1), so dZ = dA * (Z > 0)",
        None),
    "relu_mask_reversed": (
        "the mask is reversed: the gradient passes where Z > 0 and is 0 where Z < 0",
        None),
    "output_activation": (
        "the activation is also applied to the output layer: the last layer is linear, its output Z_L is "
        "the logit passed to bce_with_logits",
        None),
    "init_fan_in_only": (
        "the variance uses fan_in only (1 / fan_in is LeCun's): Xavier/Glorot averages the two fans, Var "
        "= 2 / (fan_in + fan_out)",
        None),
    "init_fan_out_only": (
        "the variance uses fan_out only: Xavier/Glorot averages the two fans, Var = 2 / (fan_in + "
        "fan_out)",
        None),
    "init_variance_as_std": (
        "the spread looks like the variance used as the standard deviation: rng.normal takes the standard"
        " deviation, the square root of the variance",
        None),
    "he_one_over_fan_in": (
        "this is Var = 1 / fan_in: He uses Var = 2 / fan_in, twice as much, because ReLU zeroes half of "
        "its inputs and halves the second moment",
        None),
    "he_uses_both_fans": (
        "this is Xavier's Var = 2 / (fan_in + fan_out): He uses fan_in only, Var = 2 / fan_in",
        None),
    "norm_count": (
        "return one norm per layer: the Frobenius norm of each weight gradient grads[0], grads[2], ...",
        _hw4_norm_count),
    "squared_norms": (
        "these are squared norms: take the square root, ||dW|| = sqrt(sum of squares) (np.linalg.norm)",
        None),
    "clip_one_sided": (
        "only one side is clipped: clip every entry to [-clip_value, clip_value], the negative entries "
        "too",
        None),
    "clip_norm_not_value": (
        "this rescales by the norm: clip_grad_value_ clips each entry separately to [-clip_value, "
        "clip_value] (np.clip)",
        None),
    "clips_by_value_not_norm": (
        "this clips every entry to [-max_norm, max_norm] (by value): clip_grad_norm_ multiplies all the "
        "arrays by ONE factor max_norm / (total + 1e-6), which keeps the direction",
        None),
    "always_rescales": (
        "the gradients are rescaled even when their global norm is already below max_norm: scale by "
        "min(1, max_norm / (total + 1e-6)), never up",
        None),
    "returns_clipped_norm": (
        "the arrays are right but the returned value is not: return the global norm BEFORE clipping (the "
        "number to log)",
        None),
    "direction_changed": (
        "the clipped gradient no longer points in the same direction as the original: multiply every "
        "array by the same factor",
        _hw4_direction),
    "rnn_no_recurrence": (
        "the gradient does not flow back through time: it comes from the last step only. Going back one "
        "step, dh_(t-1) = (dh_t * (1 - h_t**2)) @ W_hh.T (the recurrent term), and every step adds its "
        "contribution",
        None),
    "rnn_dh_not_propagated": (
        "the recurrent term is missing: every step receives dh_T itself, but the loss reads h_T only; the"
        " gradient reaching h_(t-1) is (dh_t * (1 - h_t**2)) @ W_hh.T, so update dh at each step back",
        None),
    "rnn_forward_no_recurrence": (
        "the previous state is missing: h_t = tanh(x_t W_xh + h_(t-1) W_hh + b), with h_0 = 0",
        None),
    "whh_transposed": (
        "W_hh looks transposed: with row vectors the recurrence is h_(t-1) @ W_hh",
        None),
    "rnn_states_shape": (
        "H must have shape (n, T, hidden)",
        _hw4_rnn_states_shape),
    "tanh_applied_twice": (
        "tanh is applied twice: H already holds h_t = tanh(u_t), so tanh'(u_t) = 1 - h_t**2 (not 1 - "
        "tanh(h_t)**2)",
        None),
    "rnn_wrong_state": (
        "dW_hh uses the wrong state: step t multiplies h_(t-1) (the state that entered the step, h_0 = 0 "
        "for the first step) by W_hh, so dW_hh += h_(t-1).T @ du_t",
        None),
    "dwhh_not_accumulated": (
        "dW_hh is zero: add the contribution h_(t-1).T @ du_t of EVERY step (+=), not only the first one,"
        " whose h_0 is 0",
        _hw4_whh_zero),
    "rnn_norms_shifted": (
        "the gradients are right but the norms are shifted by one step: record ||dL/dh_t|| for t = 1..T, "
        "norms[T-1] = ||dh_T||, before stepping back",
        _hw4_norms_shifted),
    "rnn_norms_reversed": (
        "the norms are in reverse order: norms[t-1] is ||dL/dh_t|| for t = 1..T (the last entry belongs "
        "to the last step)",
        _hw4_norms_reversed),
}
for _name, (_hint, _detect) in _HW4_HINTS.items():
    add_diagnoser(_name, _hint, _detect)


def _hw4_linear_cases(rng: RNGLike) -> list[Case]:
    """Triples (X, W, b) of several shapes, square W (a transposed dW has the right shape), float32."""
    rng = as_rng(rng)
    cases = []
    for label, (n, d, k) in [("random n=6, d=3, k=4", (6, 3, 4)), ("square W, n=5, d=k=4", (5, 4, 4)),
                             ("one sample (n=1)", (1, 4, 2)), ("one feature (d=1)", (7, 1, 3)),
                             ("one output (k=1)", (5, 3, 1))]:
        cases.append(Case(label, (rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)), n=n))
    cases.append(Case("large values (|X| ~ 1e3)", (1e3 * rng.normal(size=(4, 3)), rng.normal(size=(3, 2)),
                                                   rng.normal(size=2)), n=4))
    f32 = (rng.normal(size=(6, 3)), rng.normal(size=(3, 2)), rng.normal(size=2))
    cases.append(Case("float32 inputs", tuple(a.astype(np.float32) for a in f32), n=6))
    return cases


def check_linear_forward(linear_forward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``linear_forward(X, W, b) -> (Z, cache)`` with :math:`Z = XW + b` and ``cache = (X, W, b)``.

    Against a one-layer :class:`coursekit.nn.MLP`. Use:
    ``assert grading.check_linear_forward(linear_forward)``.
    """

    def no_bias(X, W, b):
        return _hw4_linear_forward(X, W, np.zeros_like(b))[0], (X, W, b)

    return compare(linear_forward, _hw4_linear_forward, _hw4_linear_cases(rng), name="linear_forward",
                   diagnosers=("bias_not_added", "cache_not_input", "weight_grad_transposed"),
                   variants={"bias_not_added": no_bias},
                   hints={"weight_grad_transposed": "Z has the wrong orientation: Z = X @ W + b has shape "
                                                    "(n, d_out)"})


def check_linear_backward(linear_backward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``linear_backward(dZ, cache) -> (dX, dW, db)`` for ``cache = (X, W, b)``:
    :math:`dX = dZ\,W^\top`, :math:`dW = X^\top dZ`, :math:`db = \sum_i dZ_i`.

    Against :class:`coursekit.nn.MLP`'s backward pass; recognises a bias gradient that is not summed over the
    batch (or averaged) and a transposed gradient. Use:
    ``assert grading.check_linear_backward(linear_backward)``.
    """
    rng = as_rng(rng)
    cases = []
    for c in _hw4_linear_cases(rng):
        X, W, b = c.args
        dZ = rng.normal(size=(X.shape[0], W.shape[1])).astype(X.dtype)
        cases.append(Case(c.label, (dZ, (X, W, b)), n=c.n))
    X, W, b = (rng.normal(size=s) for s in [(5, 3), (3, 2), (2,)])
    cases.append(Case("zero upstream gradient dZ", (np.zeros((5, 2)), (X, W, b)), n=5))
    return compare(linear_backward, _hw4_linear_backward, cases, name="linear_backward",
                   diagnosers=("bias_grad_not_summed", "weight_grad_transposed", "sign_flipped"))


def check_sigmoid_forward(sigmoid_forward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``sigmoid_forward(Z) -> (A, cache)`` with :math:`A = \sigma(Z)` and ``cache = Z``; no overflow
    for huge :math:`|Z|`. Against :func:`coursekit.nn.sigmoid`. Use:
    ``assert grading.check_sigmoid_forward(sigmoid_forward)``.
    """
    ref, _ = _hw4_act("sigmoid")
    nn = _hw4_nn()
    return compare(sigmoid_forward, ref, logit_cases(rng), name="sigmoid_forward",
                   diagnosers=("not_stable", "sigmoid_complement", "cache_not_input"),
                   variants={"sigmoid_complement": lambda Z: (1.0 - nn.sigmoid(Z), Z)})


def _hw4_activation_cases(rng: RNGLike, zeros: bool) -> list[Case]:
    """Pairs (dA, Z): random 2-D and 1-D, large |Z|, zero upstream gradient, float32, (for ReLU) exact 0s."""
    rng = as_rng(rng)
    cases = [
        Case("random (n=5, k=4)", (rng.normal(size=(5, 4)), rng.normal(0, 2, size=(5, 4)))),
        Case("one row (n=1, k=6)", (rng.normal(size=(1, 6)), rng.normal(0, 2, size=(1, 6)))),
        Case("1-D arrays", (rng.normal(size=7), rng.normal(0, 3, size=7))),
        Case("large |Z| (up to 50)", (rng.normal(size=(3, 4)), rng.uniform(-50, 50, size=(3, 4)))),
        Case("small |Z| (up to 0.01)", (rng.normal(size=(3, 5)), rng.uniform(-0.01, 0.01, size=(3, 5)))),
        Case("zero upstream gradient dA", (np.zeros((4, 3)), rng.normal(size=(4, 3)))),
        Case("float32", (rng.normal(size=(6, 3)).astype(np.float32),
                         rng.normal(0, 2, size=(6, 3)).astype(np.float32))),
    ]
    if zeros:
        Z = rng.normal(size=(4, 5))
        Z[::2, 1::2] = 0.0
        cases.append(Case("Z with exact zeros (either convention at 0 is accepted)",
                          (rng.normal(size=(4, 5)), Z)))
    return cases


def check_sigmoid_backward(sigmoid_backward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``sigmoid_backward(dA, cache) -> dZ`` with ``cache = Z``:
    :math:`dZ = dA \odot \sigma(Z)(1 - \sigma(Z))`.

    Against :func:`coursekit.nn.sigmoid_grad`; recognises the sigmoid applied twice, :math:`Z(1 - Z)` instead
    of :math:`\sigma(Z)(1-\sigma(Z))`, and a missing upstream gradient. The notebook's ``sigmoid_forward`` is
    replaced by a correct one during the check. Use:
    ``assert grading.check_sigmoid_backward(sigmoid_backward)``.
    """
    _, ref = _hw4_act("sigmoid")
    nn = _hw4_nn()
    variants = {"sigmoid_applied_twice": lambda dA, Z: dA * nn.sigmoid_grad(nn.sigmoid(Z)),
                "sigmoid_of_z_missing": lambda dA, Z: dA * Z * (1 - Z),
                "ignores_upstream_grad": lambda dA, Z: nn.sigmoid_grad(Z)}
    return compare(sigmoid_backward, ref, _hw4_activation_cases(rng, zeros=False), name="sigmoid_backward",
                   diagnosers=(*variants, "sign_flipped"), variants=variants, depends=_hw4_stand_ins())


def check_relu_forward(relu_forward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``relu_forward(Z) -> (A, cache)`` with :math:`A = \max(Z, 0)` and ``cache = Z``.

    Against :func:`coursekit.nn.relu`. Use: ``assert grading.check_relu_forward(relu_forward)``.
    """
    ref, _ = _hw4_act("relu")
    cases = [Case(c.label, (c.args[1],)) for c in _hw4_activation_cases(rng, zeros=True)]
    return compare(relu_forward, ref, cases, name="relu_forward", diagnosers=("cache_not_input",))


def _hw4_ignore_kink(fn: Callable, args: tuple, kwargs: dict) -> Any:
    """Call ``relu_backward``; blank the entries where Z == 0 (both 1[Z > 0] and 1[Z >= 0] are accepted)."""
    out = fn(*args, **kwargs)
    Z = np.asarray(args[1])
    try:
        values = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        return out
    return np.where(Z == 0, 0.0, values) if values.shape == Z.shape else out


def check_relu_backward(relu_backward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``relu_backward(dA, cache) -> dZ`` with ``cache = Z``: :math:`dZ = dA \odot \mathbb 1[Z > 0]`.

    At :math:`Z = 0` exactly, either 0 or ``dA`` is accepted. Against :func:`coursekit.nn.relu_grad`;
    recognises the ReLU's output used instead of its mask, a reversed mask and a missing upstream gradient.
    Use: ``assert grading.check_relu_backward(relu_backward)``.
    """
    _, ref = _hw4_act("relu")
    nn = _hw4_nn()
    variants = {"relu_output_not_mask": lambda dA, Z: dA * nn.relu(Z),
                "relu_mask_reversed": lambda dA, Z: dA * nn.relu_grad(-Z),
                "ignores_upstream_grad": lambda dA, Z: nn.relu_grad(Z)}
    return compare(relu_backward, ref, _hw4_activation_cases(rng, zeros=True), name="relu_backward",
                   diagnosers=(*variants, "sign_flipped"), variants=variants, depends=_hw4_stand_ins(),
                   call=_hw4_ignore_kink)


def _hw4_mlp_reference(params, X, y, activation="relu", output_activation=False):
    """``(loss, grads)`` of :class:`coursekit.nn.MLP` with these parameters, mean binary cross-entropy."""
    nn = _hw4_nn()
    sizes = [params[0].shape[0]] + [W.shape[1] for W in params[0::2]]
    extra = [np.ones((1, 1)), np.zeros(1)] if output_activation else []
    net = nn.MLP(sizes + ([1] if output_activation else []), activation=activation, init="xavier", rng=0)
    _hw4_load(net.params, [*params, *extra])
    loss, dlogits = nn.binary_cross_entropy_with_logits(net.forward(X), y)
    net.backward(dlogits)
    return loss, [g.copy() for g in net.grads[: len(params)]]


def check_mlp_loss_grad(mlp_loss_grad: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``mlp_loss_grad(params, X, y, activation) -> (loss, grads)``: the mean binary cross-entropy of
    an MLP with parameters ``[W1, b1, ..., WL, bL]`` (activation on the hidden layers, a linear output layer
    of width 1 giving the logits) and its gradients in the same order.

    Two- and three-layer networks with sigmoid and ReLU, one sample, one feature, float32. Against
    :class:`coursekit.nn.MLP` with :func:`coursekit.nn.binary_cross_entropy_with_logits`; the notebook's
    helpers (``linear_forward``, ``relu_backward``, ...) are replaced by correct ones during the check. Use:
    ``assert grading.check_mlp_loss_grad(mlp_loss_grad)``.
    """
    rng = as_rng(rng)
    cases = []
    for label, sizes, activation, n, dtype in [
        ("two layers [3, 4, 1], relu", [3, 4, 1], "relu", 8, np.float64),
        ("two layers [3, 4, 1], sigmoid", [3, 4, 1], "sigmoid", 8, np.float64),
        ("three layers [4, 5, 3, 1], relu", [4, 5, 3, 1], "relu", 10, np.float64),
        ("three layers [4, 5, 3, 1], sigmoid", [4, 5, 3, 1], "sigmoid", 10, np.float64),
        ("one sample (n=1), [2, 3, 3, 1], sigmoid", [2, 3, 3, 1], "sigmoid", 1, np.float64),
        ("one feature (d=1), [1, 6, 1], relu", [1, 6, 1], "relu", 9, np.float64),
        ("float32, [3, 5, 1], relu", [3, 5, 1], "relu", 7, np.float32),
    ]:
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            params += [rng.normal(0, 1 / np.sqrt(fan_in), size=(fan_in, fan_out)).astype(dtype),
                       rng.normal(0, 0.5, size=fan_out).astype(dtype)]
        X = rng.normal(size=(n, sizes[0])).astype(dtype)
        y = rng.integers(0, 2, size=n)
        if n > 1:
            y[:2] = [0, 1]
        cases.append(Case(label, (params, X, y, activation), n=n))

    def output_activation(params, X, y, activation="relu"):
        return _hw4_mlp_reference(params, X, y, activation, output_activation=True)

    return compare(mlp_loss_grad, _hw4_mlp_reference, cases, name="mlp_loss_grad",
                   diagnosers=("bias_grad_not_summed", "weight_grad_transposed", "grads_out_of_order",
                               "output_activation", "mean_vs_sum", "sign_flipped"),
                   variants={"output_activation": output_activation}, depends=_hw4_stand_ins())


def _hw4_init_check(student: Callable, name: str, std: Callable[[int, int], float],
                    wrong: Mapping[str, Callable[[int, int], float]], rng: RNGLike) -> bool:
    """Statistical check of an initializer ``f(fan_in, fan_out, rng) -> W``: shape, use of ``rng``, and the
    mean and standard deviation of the entries of large matrices against the target ``std(fan_in, fan_out)``.

    The output compared is ``(std of the entries, mean of the entries)``; the tolerance is 4 % on the standard
    deviation and 5 standard errors on the mean. Any zero-mean distribution with the right variance passes
    (normal or uniform).
    """
    seed = int(as_rng(rng).integers(1 << 30))
    shapes = [(300, 100), (64, 512), (800, 40), (50, 600)]

    def marker():  # the reference and the variants: recognised by identity in `call`, never run
        def draw(fan_in, fan_out, rng_seed):
            raise AssertionError("a marker, not an initializer")

        return draw

    reference = marker()
    variants = {key: marker() for key in wrong}
    targets = {reference: std, **{variants[key]: f for key, f in wrong.items()}}

    def call(fn, args, kwargs):
        fan_in, fan_out, seed_ = args
        if fn in targets:
            return (float(targets[fn](fan_in, fan_out)), 0.0) if fan_in * fan_out > 100 else (1.0, 0.0)
        W = fn(fan_in, fan_out, np.random.default_rng(seed_))
        try:
            W = np.asarray(W, dtype=np.float64)
        except (TypeError, ValueError):
            raise _WrongOutput(f"returns {_kind(W)}, not an array of numbers") from None
        if W.shape != (fan_in, fan_out):
            flip = " (transposed?)" if W.shape == (fan_out, fan_in) else ""
            raise _WrongOutput(f"returns shape {W.shape} but (fan_in, fan_out) = {(fan_in, fan_out)} is "
                               f"expected{flip}")
        again = np.asarray(fn(fan_in, fan_out, np.random.default_rng(seed_)), dtype=np.float64)
        if not np.array_equal(W, again):
            raise _WrongOutput("two calls with the same seeded rng returned different matrices: draw the "
                               "numbers with the rng argument (rng.normal(...)), not with np.random")
        other = np.asarray(fn(fan_in, fan_out, np.random.default_rng(seed_ + 1)), dtype=np.float64)
        if W.size > 1 and np.array_equal(W, other):
            raise _WrongOutput("different rngs returned the same matrix: draw the numbers with rng")
        if not np.all(np.isfinite(W)):
            raise _WrongOutput("returns nan/inf entries")
        return (float(W.std()), float(W.mean())) if W.size > 100 else (1.0, 0.0)

    cases = [Case(f"a {fi} x {fo} matrix: (std, mean) of its entries, target std {std(fi, fo):.4g}",
                  (fi, fo, seed + i), rtol=0.04, atol=5 * std(fi, fo) / np.sqrt(fi * fo))
             for i, (fi, fo) in enumerate(shapes)]
    cases.append(Case("a 3 x 5 matrix (shape and use of rng only)", (3, 5, seed + 10)))
    cases.append(Case("a 1 x 1 matrix (shape and use of rng only)", (1, 1, seed + 11)))
    return compare(student, reference, cases, name=name, diagnosers=tuple(wrong), variants=variants,
                   call=call)


def check_xavier_init(xavier_init: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``xavier_init(fan_in, fan_out, rng)``: a ``(fan_in, fan_out)`` matrix with zero-mean entries of
    variance :math:`2/(n_\text{in} + n_\text{out})` drawn with ``rng`` (:func:`coursekit.nn.init_weights`'s
    "xavier"). Checked statistically on large matrices (normal or uniform entries both pass); recognises
    ``1/fan_in``, ``1/fan_out`` and the variance used as the standard deviation. Use:
    ``assert grading.check_xavier_init(xavier_init)``.
    """
    return _hw4_init_check(xavier_init, "xavier_init", lambda fi, fo: np.sqrt(2.0 / (fi + fo)),
                           {"init_fan_in_only": lambda fi, fo: np.sqrt(1.0 / fi),
                            "init_fan_out_only": lambda fi, fo: np.sqrt(1.0 / fo),
                            "init_variance_as_std": lambda fi, fo: 2.0 / (fi + fo)}, rng)


def check_he_init(he_init: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``he_init(fan_in, fan_out, rng)``: a ``(fan_in, fan_out)`` matrix with zero-mean entries of
    variance :math:`2/n_\text{in}` drawn with ``rng``. Checked statistically (normal or uniform entries both
    pass); recognises ``1/fan_in``, Xavier's variance and the variance used as the standard deviation. Use:
    ``assert grading.check_he_init(he_init)``.
    """
    return _hw4_init_check(he_init, "he_init", lambda fi, fo: np.sqrt(2.0 / fi),
                           {"he_one_over_fan_in": lambda fi, fo: np.sqrt(1.0 / fi),
                            "he_uses_both_fans": lambda fi, fo: np.sqrt(2.0 / (fi + fo)),
                            "init_variance_as_std": lambda fi, fo: 2.0 / fi}, rng)


def _hw4_layer_norms(grads):
    """Reference: :meth:`coursekit.nn.MLP.layer_grad_norms` of an MLP whose gradients are ``grads``."""
    sizes = [grads[0].shape[0]] + [W.shape[1] for W in grads[0::2]]
    net = _hw4_nn().MLP(sizes, rng=0)
    _hw4_load(net.grads, grads)
    return net.layer_grad_norms()


def check_layer_grad_norms(layer_grad_norms: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``layer_grad_norms(grads) -> (L,)``: the Frobenius norm :math:`\|\partial L/\partial W_l\|` of
    each weight gradient of ``grads = [dW1, db1, ..., dWL, dbL]`` (the biases are skipped).

    Against :meth:`coursekit.nn.MLP.layer_grad_norms`. Use:
    ``assert grading.check_layer_grad_norms(layer_grad_norms)``.
    """
    rng = as_rng(rng)

    def grads_of(sizes, dtype=np.float64, scale=1.0):
        out = []
        for fi, fo in zip(sizes[:-1], sizes[1:], strict=True):
            out += [scale * rng.normal(size=(fi, fo)), scale * rng.normal(size=fo)]
        return [g.astype(dtype) for g in out]

    cases = [Case("three layers [4, 6, 5, 1]", (grads_of([4, 6, 5, 1]),)),
             Case("one layer [3, 2]", (grads_of([3, 2]),)),
             Case("six layers of width 8, tiny gradients (1e-12)", (grads_of([8] * 6 + [1], scale=1e-12),),
                  atol=0.0),
             Case("zero gradients", ([np.zeros_like(g) for g in grads_of([3, 4, 2])],)),
             Case("float32", (grads_of([5, 3, 2], np.float32),))]
    return compare(layer_grad_norms, _hw4_layer_norms, cases, name="layer_grad_norms",
                   diagnosers=("norm_count", "squared_norms"),
                   variants={"squared_norms": lambda grads: _hw4_layer_norms(grads) ** 2})


def _hw4_clip_cases(rng: RNGLike, big: float) -> list[Case]:
    rng = as_rng(rng)
    grads = [rng.normal(size=4) * 3, rng.normal(size=(2, 3)) * 2, np.array([0.5])]
    return [
        Case("three arrays, some entries above the threshold", ([g.copy() for g in grads], big)),
        Case("everything below the threshold (unchanged)", ([g * 0.01 for g in grads], 5.0)),
        Case("one large and one small array", ([np.array([30.0, -40.0]), np.array([0.3, -0.1])], 10.0)),
        Case("zero gradients", ([np.zeros(3), np.zeros((2, 2))], 1.0)),
        Case("float32 arrays", ([g.astype(np.float32) for g in grads], big)),
    ]


def check_clip_grad_value(clip_grad_value_: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``clip_grad_value_(grads, clip_value)``: clips every entry of every array to
    :math:`[-c, c]`, in place (``torch.nn.utils.clip_grad_value_``).

    Against :func:`coursekit.optim.clip_grad_value_`. Use:
    ``assert grading.check_clip_grad_value(clip_grad_value_)``.
    """
    import coursekit.optim as optim

    def after(fn, args, kwargs):
        grads, c = args
        fn(grads, c)
        return [g.copy() for g in grads]

    def one_sided(grads, c):
        for g in grads:
            np.minimum(g, c, out=g)

    def by_norm(grads, c):
        optim.clip_grad_norm_(grads, c)

    return compare(clip_grad_value_, optim.clip_grad_value_, _hw4_clip_cases(rng, 1.0),
                   name="clip_grad_value_",
                   diagnosers=("not_in_place", "clip_one_sided", "clip_norm_not_value"),
                   variants={"not_in_place": lambda grads, c: None, "clip_one_sided": one_sided,
                             "clip_norm_not_value": by_norm},
                   call=after, mutates=True)


def check_clip_grad_norm_global(clip_grad_norm_: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``clip_grad_norm_(grads, max_norm) -> total_norm`` with torch's semantics: ONE global norm
    :math:`N = \sqrt{\sum_k \|g_k\|^2}` over all the arrays, every array multiplied in place by
    :math:`\min(1, \text{max\_norm}/(N + 10^{-6}))`, and :math:`N` (before clipping) returned.

    Like :func:`check_clip_grad_norm`, with more inputs and diagnoses: per-array clipping, a copy instead of
    an in-place update, clipping by value, rescaling up when the norm is below the threshold, returning the
    norm after clipping, and any result whose direction differs from the gradient's. Against
    :func:`coursekit.optim.clip_grad_norm_`. Use:
    ``assert grading.check_clip_grad_norm_global(clip_grad_norm_)``.
    """
    import coursekit.optim as optim

    ref = optim.clip_grad_norm_

    def per_array(grads, max_norm):
        for g in grads:
            ref([g], max_norm)
        return [g.copy() for g in grads], ANY

    def by_value(grads, max_norm):
        optim.clip_grad_value_(grads, max_norm)
        return [g.copy() for g in grads], ANY

    def always(grads, max_norm):
        total = optim.global_grad_norm(grads)
        for g in grads:
            g *= max_norm / (total + 1e-6)
        return [g.copy() for g in grads], total

    def clipped_norm(grads, max_norm):
        ref(grads, max_norm)
        return [g.copy() for g in grads], optim.global_grad_norm(grads)

    def untouched(grads, max_norm):
        return [g.copy() for g in grads], ANY

    variants = {"per_tensor_clipping": per_array, "not_in_place": untouched,
                "clips_by_value_not_norm": by_value, "always_rescales": always,
                "returns_clipped_norm": clipped_norm}

    def call(fn, args, kwargs):
        grads, max_norm = args
        if fn in variants.values():
            return fn(grads, max_norm)
        total = fn(grads, max_norm)
        return [g.copy() for g in grads], total

    cases = [Case(c.label, c.args, rtol=1e-5) for c in _hw4_clip_cases(rng, 2.0)]
    return compare(clip_grad_norm_, ref, cases, name="clip_grad_norm_",
                   diagnosers=("per_tensor_clipping", "not_in_place", "clips_by_value_not_norm",
                               "returns_clipped_norm", "always_rescales", "direction_changed"),
                   variants=variants, call=call, mutates=True)


def _hw4_rnn(W_xh, W_hh, b, extra_inputs: int = 0):
    """A :class:`coursekit.nn.RNN` with these weights whose output is the last state (W_hy = I, b_y = 0);
    ``extra_inputs`` zero rows are appended to W_xh (inputs that do not change the forward pass)."""
    H = W_hh.shape[0]
    rnn = _hw4_nn().RNN(W_xh.shape[0] + extra_inputs, H, H, activation="tanh", rng=0)
    W_in = np.vstack([W_xh, np.zeros((extra_inputs, H))])
    _hw4_load(rnn.params, [W_in, W_hh, b, np.eye(H), np.zeros(H)])
    return rnn


def _hw4_rnn_forward(X, W_xh, W_hh, b):
    """Reference states ``H`` (n, T, hidden): the outputs of the RNN on the prefixes of the sequences."""
    rnn = _hw4_rnn(W_xh, W_hh, b)
    return np.stack([rnn.forward(X[:, : t + 1]) for t in range(X.shape[1])], axis=1)


def _hw4_rnn_cases(rng: RNGLike) -> list[tuple[str, tuple]]:
    """(label, (X, W_xh, W_hh, b)) of several shapes and recurrent scales."""
    rng = as_rng(rng)
    nn = _hw4_nn()
    out = []
    for label, (n, T, d, H), scale, x_scale, dtype in [
        ("n=3, T=5, d=2, hidden=4", (3, 5, 2, 4), 0.9, 1.0, np.float64),
        ("one sequence (n=1), T=7, d=3, hidden=3", (1, 7, 3, 3), 0.9, 1.0, np.float64),
        ("one step (T=1)", (4, 1, 2, 3), 0.9, 1.0, np.float64),
        ("one input feature (d=1), T=4, hidden=6", (2, 4, 1, 6), 0.9, 1.0, np.float64),
        ("large recurrent weights (scale 1.5), small inputs, T=10", (3, 10, 2, 5), 1.5, 0.1, np.float64),
        ("small recurrent weights (scale 0.5), T=8", (3, 8, 2, 5), 0.5, 1.0, np.float64),
        ("large inputs (saturated units), T=5", (2, 5, 3, 4), 0.9, 10.0, np.float64),
        ("float32, T=6", (3, 6, 2, 4), 0.9, 1.0, np.float32),
    ]:
        X = x_scale * rng.normal(size=(n, T, d))
        W_xh = rng.normal(0, 1 / np.sqrt(d), size=(d, H))
        W_hh = nn.orthogonal(H, scale, rng) + 0.05 * rng.normal(size=(H, H))  # not symmetric
        b = rng.normal(0, 0.3, size=H)
        out.append((label, tuple(a.astype(dtype) for a in (X, W_xh, W_hh, b))))
    return out


def check_rnn_forward(rnn_forward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``rnn_forward(X, W_xh, W_hh, b) -> H``: the states
    :math:`h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b)`, :math:`h_0 = 0`, as an array ``(n, T, hidden)`` with
    ``H[:, t-1]`` :math:`= h_t`.

    Against :class:`coursekit.nn.RNN`. Use: ``assert grading.check_rnn_forward(rnn_forward)``.
    """
    cases = [Case(label, args) for label, args in _hw4_rnn_cases(rng)]
    return compare(rnn_forward, _hw4_rnn_forward, cases, name="rnn_forward",
                   diagnosers=("rnn_states_shape", "rnn_forward_no_recurrence", "whh_transposed"),
                   variants={"rnn_forward_no_recurrence": lambda X, W_xh, W_hh, b:
                             _hw4_rnn_forward(X, W_xh, np.zeros_like(W_hh), b),
                             "whh_transposed": lambda X, W_xh, W_hh, b: _hw4_rnn_forward(X, W_xh, W_hh.T, b)})


def check_rnn_backward(rnn_backward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``rnn_backward(dh_T, X, H, W_hh) -> (dW_xh, dW_hh, db, norms)``: backpropagation through time
    from :math:`\partial L/\partial h_T` (the loss reads the last state only) through the states ``H`` of
    ``rnn_forward``; ``norms[t-1]`` :math:`= \|\partial L/\partial h_t\|` (Frobenius over the batch),
    :math:`t = 1..T`.

    Against :class:`coursekit.nn.RNN` (``backward`` and ``hidden_grad_norms``). Recognises a gradient that
    does not flow back through time, :math:`1 - \tanh^2(h_t)` instead of :math:`1 - h_t^2`, :math:`h_t`
    instead of :math:`h_{t-1}` in ``dW_hh``, and shifted or reversed norms. Use:
    ``assert grading.check_rnn_backward(rnn_backward)``.
    """
    rng = as_rng(rng)
    weights: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def key(X, H, W_hh) -> bytes:
        return b"|".join(np.ascontiguousarray(a).tobytes() for a in (X, H, W_hh))

    cases = []
    for label, (X, W_xh, W_hh, b) in _hw4_rnn_cases(rng):
        H = _hw4_rnn_forward(X, W_xh, W_hh, b).astype(X.dtype)
        weights[key(X, H, W_hh)] = (W_xh, b)
        dh_T = rng.normal(size=(X.shape[0], W_hh.shape[0])).astype(X.dtype)
        cases.append(Case(label, (dh_T, X, H, W_hh)))
    X, H, W_hh, dh = cases[0].args[1], cases[0].args[2], cases[0].args[3], cases[0].args[0]
    cases.append(Case("zero gradient dh_T", (np.zeros_like(dh), X, H, W_hh)))

    def run(dh_T, X, H, W_hh, zero_recurrence=False, wrong_state=False, tanh_twice=False):
        W_xh, b = weights[key(X, H, W_hh)]
        d = X.shape[2]
        rnn = _hw4_rnn(W_xh, W_hh, b, extra_inputs=H.shape[2] if wrong_state else 0)
        if tanh_twice:
            rnn._df = lambda u: 1.0 - np.tanh(np.tanh(u)) ** 2
        rnn.forward(np.concatenate([X, H], axis=2) if wrong_state else X)
        if zero_recurrence:
            rnn.params[1][...] = 0.0
        rnn.backward(dh_T)
        gW_in, gW_hh, gb = (g.copy() for g in rnn.grads[:3])
        if wrong_state:  # the gradient of the zero rows fed with h_t is sum_t h_t^T du_t
            return gW_in[:d], gW_in[d:], gb, ANY
        return gW_in, gW_hh, gb, (ANY if zero_recurrence or tanh_twice else rnn.hidden_grad_norms())

    def reference(dh_T, X, H, W_hh):
        return run(dh_T, X, H, W_hh)

    def every_step_gets_dh_T(dh_T, X, H, W_hh):  # dh never updated: step t receives dh_T itself
        W_xh, b = weights[key(X, H, W_hh)]
        total = [np.zeros_like(W_xh, dtype=float), np.zeros_like(W_hh, dtype=float), np.zeros(b.shape)]
        for t in range(X.shape[1]):
            rnn = _hw4_rnn(W_xh, W_hh, b)
            rnn.forward(X[:, : t + 1])
            rnn.params[1][...] = 0.0
            rnn.backward(dh_T)
            total = [a + g for a, g in zip(total, rnn.grads[:3], strict=True)]
        return (*total, ANY)

    variants = {"rnn_no_recurrence": lambda *a: run(*a, zero_recurrence=True),
                "rnn_dh_not_propagated": every_step_gets_dh_T,
                "tanh_applied_twice": lambda *a: run(*a, tanh_twice=True),
                "rnn_wrong_state": lambda *a: run(*a, wrong_state=True)}
    return compare(rnn_backward, reference, cases, name="rnn_backward",
                   diagnosers=("rnn_no_recurrence", "rnn_dh_not_propagated", "tanh_applied_twice",
                               "rnn_wrong_state",
                               "dwhh_not_accumulated", "bias_grad_not_summed", "weight_grad_transposed",
                               "rnn_norms_shifted", "rnn_norms_reversed", "sign_flipped"),
                   variants=variants, depends={"rnn_forward": _hw4_rnn_forward})


# --- hw2-regularization checks ---
# Overfitting curves, the L2-penalized loss and its gradient, soft-thresholding, the proximal step, the
# proximal-gradient (ISTA) lasso, its warm-started path, and the choice of the penalty on validation data.
# The lasso references are built from coursekit.regularization.ista; the model-selection ones from the
# coursekit.data helpers (polynomial features, standardization) that the notebook itself uses.

__all__ += [
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
    "returns_index": "return the alpha itself (alphas[i]), not its position i",
}.items():
    add_diagnoser(_name, _hint)


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
    (``alpha`` = :data:`HW2_FIT_ALPHA`) logistic regression fitted by Newton's method (trusted)."""

    def __call__(self, F, y):
        def fit(F, y):
            model = _linear().LogisticRegression(alpha=HW2_FIT_ALPHA, solver="newton").fit(F, y)
            return model.coef_, float(model.intercept_)

        return _trusted(fit, "fit")(F, y)

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

    def index(alphas, val_scores):
        a, s = np.asarray(alphas, dtype=float), np.asarray(val_scores, dtype=float)
        return int(np.flatnonzero((s == s.max()) & (a == a[s == s.max()].max()))[0])

    return compare(choose_alpha, _best_alpha, cases, name="choose_alpha",
                   diagnosers=("lowest_score", "tie_not_largest_alpha", "returns_index"),
                   variants={"lowest_score": lambda a, s: _best_alpha(a, s, pick=np.min),
                             "tie_not_largest_alpha": lambda a, s: _best_alpha(a, s, tie=np.min),
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


# --- hw3-optimizers checks ---
# hw3: mini-batches, SGD (plain, momentum, Nesterov), RMSprop, Adam, learning-rate schedules, and two
# training loops (a full-batch path on a quadratic, mini-batch logistic regression). An optimizer check builds
# the student's class and the coursekit.optim reference on copies of the same arrays, feeds both the same
# gradients (changing ``opt.lr`` between steps in some inputs) and compares the parameters after every step,
# read from the arrays that were passed in: an update that is not in place is seen. Known mistakes are
# recognised through variants of the reference (mostly the reference itself with other hyper-parameters or
# learning rates).

__all__ += [
    "HW3_ALPHA", "check_minibatches", "check_sgd", "check_momentum", "check_nesterov", "check_rmsprop",
    "check_adam", "check_schedule_lr", "check_minimize", "check_fit_logistic",
]

HW3_ALPHA = 1e-3
"""The L2 strength of hw3's objective (the notebook's ``ALPHA``): J = mean cross-entropy + ALPHA/2 |w|^2."""


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
    """A correct optimizer class (the coursekit reference behind a trusted wrapper) to pass to a student's
    training loop: the loop may build it, step it and set its ``lr``, which the shortcut guard allows."""
    ref = getattr(_optim(), name)

    def init(self, params, **hyper):
        self._opt = _trusted(ref, name)(params, **hyper)
        self.params = self._opt.params

    def step(self, grads):
        _trusted(self._opt.step, "step")(grads)

    def get_lr(self):
        return _trusted(lambda: self._opt.lr, "lr")()

    def set_lr(self, value):
        _trusted(setattr, "lr")(self._opt, "lr", value)

    return _StandInClass(name, (), {"__init__": init, "step": step, "lr": property(get_lr, set_lr),
                                    "reference": ref})


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
