r"""Grading, split along the trust boundary.

The grader (trusted, this package) and the student's code (untrusted) never share a process:

================================  ==========================================================================
grader side                       :mod:`~coursekit.grading.cases` (test inputs, comparison of outputs),
                                  :mod:`~coursekit.grading.diagnosers` (known mistakes),
                                  :mod:`~coursekit.grading.engine` (:func:`compare`), the checks of each
                                  assignment (``checks_hw1`` ... ``checks_hw5``), and
                                  :mod:`~coursekit.grading.runner` (one submission, part by part)
the boundary                      :mod:`~coursekit.grading.channel` (data-only messages, proxies, call-backs)
                                  and :mod:`~coursekit.grading.sandbox` (bubblewrap, limits)
sandbox side                      :mod:`~coursekit.grading.worker` (runs the cells, answers calls); it holds
                                  no check, expected value, hidden input or secret
================================  ==========================================================================

A hidden test cell of an instructor notebook names its check, e.g. ``assert grading.check_sigmoid(sigmoid)``.
The autograder never runs that cell in the student's kernel: it reads the call, fetches ``sigmoid`` from the
sandboxed worker as a proxy, and runs the check here with hidden inputs drawn from the course's secret seed.
The same line also runs as it reads (the student's function a local one), for an instructor who executes a
solution notebook.

Each ``check_*`` compares the student's function with the coursekit reference on random inputs and edge cases
and returns ``True``, or raises :class:`AssertionError` whose message names the input, the expected and the
returned value, and the likely mistake when a diagnoser recognises it.
"""

from coursekit.grading import checks_hw1, checks_hw2, checks_hw3, checks_hw4, checks_hw5
from coursekit.grading.cases import (
    ANY,
    ATOL,
    ATOL_FLOAT32,
    MESSAGE_HINT,
    RTOL,
    RTOL_FLOAT32,
    TIME_LIMIT,
    Case,
    label_cases,
    logistic_cases,
    logit_cases,
    summarize,
    threshold_cases,
)
from coursekit.grading.checks_hw1 import *  # noqa: F403 - every check, by its name in the hidden cells
from coursekit.grading.checks_hw2 import *  # noqa: F403
from coursekit.grading.checks_hw3 import *  # noqa: F403
from coursekit.grading.checks_hw4 import *  # noqa: F403
from coursekit.grading.checks_hw5 import *  # noqa: F403
from coursekit.grading.diagnosers import DIAGNOSERS, Diagnoser, Mismatch, add_diagnoser, diagnose
from coursekit.grading.engine import compare

__all__ = [  # the engine, and every check by its name in the hidden test cells
    "ANY", "ATOL", "ATOL_FLOAT32", "MESSAGE_HINT", "RTOL", "RTOL_FLOAT32", "TIME_LIMIT", "Case",
    "label_cases", "logistic_cases", "logit_cases", "summarize", "threshold_cases", "DIAGNOSERS", "Diagnoser",
    "Mismatch", "add_diagnoser", "diagnose", "compare",
    *checks_hw1.__all__, *checks_hw2.__all__, *checks_hw3.__all__, *checks_hw4.__all__,
    *checks_hw5.__all__,
]
