"""Test inputs of the checks and the comparison of outputs: :class:`Case`, the case generators, tolerances,
and the readable summaries that failure messages show. Runs in the grader only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coursekit._utils import RNGLike, as_rng

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


