"""compare: the engine of every check. It runs in the grader, never in the student's process.

``compare(student, reference, cases, ...)`` computes the reference's outputs, calls the student's function on
a copy of each input, compares, and on a failure asks the diagnosers (:mod:`coursekit.grading.diagnosers`)
for the likely mistake. ``student`` is usually a :class:`~coursekit.grading.channel.Remote` proxy: the call
runs in the sandboxed worker and only data comes back; the correct stand-ins of the notebook's other graded
functions (``depends``) are bound in the worker's namespace as call-backs that run here. The same function
also accepts a plain local function (the library's own tests, or an instructor running a solution notebook).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import signal
import textwrap
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from coursekit.grading import channel
from coursekit.grading.cases import (
    MESSAGE_HINT,
    TIME_LIMIT,
    Case,
    _kind,
    _mismatch,
    _TimeUp,
    _WrongOutput,
    summarize,
)
from coursekit.grading.diagnosers import DIAGNOSERS, Mistake, fits, register_mistakes
from coursekit.sections import read_more

__all__ = ["compare"]


def _globals_of(fn: Any) -> dict | None:
    """The module globals a local student function looks its helpers up in (not coursekit's own)."""
    for f in (fn, getattr(fn, "__func__", None), getattr(fn, "func", None)):
        g = getattr(f, "__globals__", None)
        if isinstance(g, dict):
            break
    else:
        return None
    return None if str(g.get("__name__", "")).startswith("coursekit") else g


@contextlib.contextmanager
def _stand_ins(fn: Any, depends: Mapping[str, Callable] | None, own_name: str) -> Iterator[None]:
    """Bind correct stand-ins for the notebook's other graded functions while ``fn`` is checked.

    For a sandboxed notebook the names are bound in the worker's namespace to call-backs (whether or not the
    student defined them: a missing helper costs its own part only); for a local function, in its globals.
    """
    names = {name: ref for name, ref in (depends or {}).items() if name != own_name}
    if isinstance(fn, channel.Remote):
        if names:
            fn._ep.request("bind", names=names)
        try:
            yield
        finally:
            if names and fn._ep.closed is None:
                fn._ep.request("unbind")
        return
    g = _globals_of(fn)
    saved = {name: g[name] for name in names if name in g} if g is not None else {}
    if g is not None:
        g.update({name: ref for name, ref in names.items() if g.get(name) is not fn})
    try:
        yield
    finally:
        if g is not None:
            for name in names:
                if name in saved:
                    g[name] = saved[name]
                else:
                    g.pop(name, None)


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
def _call_limit(student: Any, seconds: float | None) -> Iterator[None]:
    """A time limit for one call of ``student``: the channel's deadline for a sandboxed notebook (the worker
    is stopped when it passes), an alarm in this process for a local function."""
    if not isinstance(student, channel.Remote):
        with _time_limit(seconds):
            yield
        return
    ep, before = student._ep, student._ep.deadline
    if seconds:
        limit = time.monotonic() + seconds
        ep.deadline = limit if before is None else min(before, limit)
    try:
        yield
    finally:
        ep.deadline = before


@contextlib.contextmanager
def _quiet(strict: bool = False) -> Iterator[None]:
    """No warnings, no printing (a stderr line would cost the cell its points in nbgrader); with ``strict``,
    overflow and invalid operations raise :class:`FloatingPointError`."""
    fp = dict(over="raise", invalid="raise", divide="raise", under="ignore") if strict else dict(all="ignore")
    before = channel.CALL_OPTIONS.get("strict", False)
    channel.CALL_OPTIONS["strict"] = strict
    try:
        with warnings.catch_warnings(), np.errstate(**fp), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        channel.CALL_OPTIONS["strict"] = before


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
    """Where in the student's code an exception was raised (sent by the worker, or the last local frame
    outside coursekit and the libraries)."""
    remote = getattr(exc, "student_line", None)
    if remote is not None:
        return str(remote)
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
            time_limit: float | None = TIME_LIMIT, mistakes: Sequence[Mistake] = ()) -> bool:
    r"""Check ``student`` against ``reference`` on every case; return ``True`` or raise AssertionError.

    Parameters
    ----------
    student : callable
        The student's function (or class, with ``call``).
    reference : callable
        The coursekit reference with the same signature. Its outputs are computed first.
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
    mistakes : sequence of Mistake
        The part's catalogue of realistic mistakes (tried before ``diagnosers``). A failure names a mistake
        only when it alone explains every failing input and no passing input rules it out (see
        :func:`_explain`); otherwise the message lists the possible causes.

    Returns
    -------
    True

    Raises
    ------
    AssertionError
        With the failing input, expected vs got, and the likely mistake.
    """
    name = name or getattr(student, "__name__", "your function")
    call = call or _default_call
    if mistakes:
        known, known_variants = register_mistakes(name, mistakes)
        diagnosers, variants = [*known, *diagnosers], {**(variants or {}), **known_variants}
    if not callable(student):
        raise AssertionError(f"`{name}` is not a function but {_kind(student)}: "
                             "did its cell run without error?")

    expected = []
    for case in cases:
        with _quiet():
            expected.append(call(reference, *copy.deepcopy((case.args, case.kwargs))))

    results: list[tuple[Case, Any, BaseException | None, str | None]] = []
    with _stand_ins(student, depends, name):
        for case, exp in zip(cases, expected, strict=True):
            args, kwargs = copy.deepcopy((case.args, case.kwargs))
            got, error, why = None, None, None
            try:
                with _quiet(case.strict), _call_limit(student, time_limit):
                    got = call(student, args, kwargs)
            except channel.WorkerLost as exc:
                why = ("did not return within the time limit (an infinite loop?)" if exc.timeout else
                       f"stopped the notebook's process: {exc.reason} (os._exit, a crash, or too much "
                       "memory?)")
                results.append((case, None, exc, why))
                break
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
    names, chosen, candidates = _explain(results, expected, position, failures, diagnosers, variants or {},
                                         call, others_ok)
    hints = dict(hints or {})
    pick = next((i for i, f in enumerate(failures) if chosen and position[id(f[0])] in chosen[1]), 0)
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
    if chosen:
        key, explained = chosen
        lines.append(_wrap(MESSAGE_HINT + hints.get(key, explained[position[id(case)]])))
        link = read_more(DIAGNOSERS[key].section)
        if link:
            lines.append(link)
    elif candidates:
        lines.append("Possible causes (these inputs do not tell them apart):")
        lines += [_wrap(f"  - {hints.get(key, text)}") for key, text in candidates]
    raise AssertionError("\n".join(lines))


def _explain(results: list, expected: list, position: dict, failures: list, diagnosers: Sequence[str],
             variants: Mapping[str, Callable], call: Callable, others_ok: bool
             ) -> tuple[list[str], tuple[str, dict[int, str]] | None, list[tuple[str, str]]]:
    """Which known mistakes explain the failures, judged on every input at the check's tolerance.

    A candidate (a diagnoser, with its variant if the check has one) *explains* a failing input when the
    student's output equals the variant's there, or its ``detect`` recognises it; it is *ruled out* when its
    variant would have failed an input that the student passed. The candidates that explain every failing
    input (else those that explain some) remain. When two or more of them reproduce the student's outputs
    with their variants, the inputs cannot tell those mistakes apart at the check's tolerance: all are
    listed as possible causes. Otherwise the first remaining one is named (the check lists its diagnosers
    from the most specific to the most general, so "not shuffled" comes before "the same order every
    epoch", which it implies).

    Returns ``(names, chosen, candidates)``: ``chosen`` is ``(name, {input index: message})`` or ``None``.
    """
    names = list(dict.fromkeys(diagnosers))
    explained: dict[str, dict[int, str]] = {key: {} for key in names}
    ruled_out: set[str] = set()
    predicted: set[str] = set()  # candidates whose variant reproduced a failing output

    def predict(key: str, case: Case) -> tuple[bool, Any]:
        """(whether the variant makes a prediction on ``case``, its output)."""
        if key not in variants:
            return False, None
        try:
            with _quiet():
                out = call(variants[key], *copy.deepcopy((case.args, case.kwargs)))
        except Exception:  # noqa: BLE001 - a variant that cannot run on this input tells nothing
            return False, None
        return out is not None, out  # None: the variant makes no prediction on this input

    for case, got, error, why in results:  # first what explains the failing inputs ...
        if why is None:
            continue
        i = position[id(case)]
        for key in names:
            has, out = predict(key, case)
            text = fits(key, got, expected[i], case, out, has, error, others_ok)
            if text:
                explained[key][i] = text
                if has and error is None and _mismatch(got, out, max(case.tolerances()[0], 1e-5),
                                                       case.tolerances()[1]) is None:
                    predicted.add(key)
    for case, _, _, why in results:  # ... then whether a passed input rules those candidates out
        if why is not None:
            continue
        for key in [k for k in names if explained[k] and k not in ruled_out]:
            has, out = predict(key, case)
            if has and _mismatch(expected[position[id(case)]], out, *case.tolerances()) is not None:
                ruled_out.add(key)  # (ANY in the variant's output matches anything)
    alive = [key for key in names if key not in ruled_out and explained[key]]
    full = [key for key in alive if len(explained[key]) == len(failures)]
    pool = full or alive
    if not pool or len([key for key in pool if key in predicted]) >= 2:
        return names, None, [(key, next(iter(explained[key].values()))) for key in pool]
    return names, (pool[0], explained[pool[0]]), []


def _wrap(text: str, width: int = 100) -> str:
    """Long message lines wrapped for the feedback page; continuation lines are indented."""
    return textwrap.fill(text, width=width, subsequent_indent="    ", break_on_hyphens=False)


