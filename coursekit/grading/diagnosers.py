"""Diagnosers: recognise a known mistake from a failing output (:data:`DIAGNOSERS`, :func:`add_diagnoser`).
Runs in the grader only."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coursekit.grading.cases import Case, _leaves, _map, _mismatch

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
    then fires when the student's output matches the variant. ``section`` (``"<page>#<anchor>"``, see
    :mod:`coursekit.sections`) is where the book explains it.
    """

    name: str
    hint: str
    detect: Callable[[Mismatch], bool | str | None] | None = None
    section: str | None = None


@dataclass(frozen=True)
class Mistake:
    """One entry of a part's catalogue of realistic mistakes (``MISTAKES`` of a ``checks_hw*`` module).

    ``variant`` computes what the mistaken code returns (same signature as the reference); ``detect``
    recognises it from a failing output instead, when no variant can be written. ``hint`` names the mistake
    in the student's terms; ``section`` is where the book explains the idea.
    """

    name: str
    hint: str
    variant: Callable[..., Any] | None = None
    detect: Callable[[Mismatch], bool | str | None] | None = None
    section: str | None = None


DIAGNOSERS: dict[str, Diagnoser] = {}
"""The registry of diagnosers, by name. Add one with :func:`add_diagnoser`."""


def add_diagnoser(name: str, hint: str, detect: Callable[[Mismatch], bool | str | None] | None = None,
                  section: str | None = None) -> Diagnoser:
    """Register (or replace) the diagnoser ``name`` with its message ``hint``, optional ``detect`` and the
    book ``section`` that explains it."""
    DIAGNOSERS[name] = Diagnoser(name, hint, detect, section)
    return DIAGNOSERS[name]


def register_mistakes(part: str, mistakes: Sequence[Mistake]) -> tuple[list[str], dict[str, Callable]]:
    """Register a part's catalogue as diagnosers named ``"<part>/<mistake>"``; return their names and the
    variants by name, ready for :func:`~coursekit.grading.engine.compare`."""
    names, variants = [], {}
    for m in mistakes:
        name = f"{part}/{m.name}"
        add_diagnoser(name, m.hint, m.detect, m.section)
        names.append(name)
        if m.variant is not None:
            variants[name] = m.variant
    return names, variants


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


def fits(name: str, got: Any, expected: Any, case: Case, variant: Any = None, has_variant: bool = False,
         error: BaseException | None = None, others_ok: bool = False) -> str | None:
    """The message of diagnoser ``name`` if it explains this failing output, else ``None``: the output equals
    the variant's at the check's tolerance, or ``detect`` recognises it."""
    d = DIAGNOSERS[name]
    m = Mismatch(got, expected, case, error, others_ok, variant)
    if has_variant and error is None and m.close(got, variant):
        return d.hint
    if d.detect is not None:
        found = d.detect(m)
        if found:
            return found if isinstance(found, str) else d.hint
    return None


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


