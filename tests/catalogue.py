"""The harness of the mistake catalogues (``MISTAKES`` of each ``coursekit/grading/checks_hw*.py``).

A catalogue entry is a :class:`~coursekit.grading.diagnosers.Mistake` of one graded part. Its test submission
is written the way a student writes it (``tests/catalogue_hw*.py``: the source of the answer cell), not as the
check's own variant. For every mistake the tests assert, with the helpers below, that

- the part's check fails for **every** one of 20 secret seeds of the hidden inputs, on at least two hidden
  inputs, and names the mistake (``Likely mistake: <its hint>``) with a link to its book section;
- graded through the real pipeline, the submission loses points on its own part only
  (:func:`pack_by_part` puts one mistake per part into each notebook).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from coursekit.grading import MESSAGE_HINT
from coursekit.grading.diagnosers import Mistake
from coursekit.sections import section_links

SEEDS = range(20)
"""The secret seeds of the property tests."""
MIN_CATALOGUE = 6
"""Mistakes per part, where the part admits that many (a check module's ``FEW_MISTAKES`` says why not)."""


def function_from(source: str, name: str, namespace: Mapping[str, Any] | None = None) -> Callable:
    """The function (or class) ``name`` defined by an answer cell's ``source``, with numpy as ``np``."""
    scope: dict[str, Any] = {"np": np, **(namespace or {})}
    exec(compile(source, f"<answer {name}>", "exec"), scope)  # noqa: S102 - test submissions written here
    return scope[name]


def flat(text: str) -> str:
    """``text`` with its whitespace collapsed, as messages are compared (they are wrapped at 100 columns)."""
    return " ".join(text.split())


def failure_message(check: Callable, submission: Any, seed: int) -> str:
    """The message of ``check(submission, rng=seed)``, whitespace collapsed; fails if the check passes."""
    try:
        check(submission, rng=seed)
    except AssertionError as exc:
        return " ".join(str(exc).split())
    raise AssertionError(f"{getattr(check, '__name__', check)} passed a wrong submission (seed {seed})")


def assert_named_for_every_seed(check: Callable, submission: Any, mistake: Mistake, seeds=SEEDS,
                                min_inputs: int = 2) -> None:
    """For each seed: the check fails on at least ``min_inputs`` hidden inputs and names ``mistake``."""
    for seed in seeds:
        message = failure_message(check, submission, seed)
        hint = " ".join(mistake.hint.split())
        assert MESSAGE_HINT + hint in message, f"seed {seed}: {mistake.name!r} not named in:\n{message}"
        failed = int(re.search(r"(\d+) of \d+ checks failed", message).group(1))
        assert failed >= min_inputs, f"seed {seed}: only {failed} hidden input(s) catch {mistake.name!r}"
        if mistake.section:
            assert section_links(mistake.section)[0] in message, f"seed {seed}: no link for {mistake.name}"


def pack_by_part(submissions: Mapping[str, Mapping[str, str]]) -> list[dict[str, tuple[str, str]]]:
    """``{part: {mistake: source}}`` -> notebooks ``[{part: (mistake, source)}, ...]`` holding at most one
    mistake per part, so that each notebook must lose exactly the parts it holds a mistake in."""
    notebooks: list[dict[str, tuple[str, str]]] = []
    for part, by_name in submissions.items():
        for k, (name, source) in enumerate(by_name.items()):
            if k == len(notebooks):
                notebooks.append({})
            notebooks[k][part] = (name, source)
    return notebooks


def assert_never_reported_as_the_other(check: Callable, submission: Any, one: Mistake, other: Mistake,
                                       seeds=SEEDS) -> None:
    """A submission of ``one`` is named as ``one`` and never reported as its look-alike ``other``."""
    for seed in seeds:
        message = failure_message(check, submission, seed)
        assert flat(other.hint) not in message, (one.name, seed)
        assert MESSAGE_HINT + flat(one.hint) in message, (one.name, seed)


def assert_only_its_own_name(check: Callable, submission: Any, name: str, mistakes: Sequence[Mistake],
                             seed: int = 0) -> None:
    """The message names one mistake: the hints of the part's other mistakes do not appear in it."""
    message = failure_message(check, submission, seed)
    assert not [m.name for m in mistakes if m.name != name and flat(m.hint) in message], name
