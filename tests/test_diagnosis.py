"""Honest diagnoses: a mistake is named only when the inputs separate it from the other candidates at the
check's tolerance; otherwise the message lists the possible causes. Checked with ``compare`` on small parts
whose mistakes coincide on some inputs and differ on others."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.grading import MESSAGE_HINT, Case, compare
from coursekit.grading.checks_hw2 import check_choose_alpha
from coursekit.grading.diagnosers import Mistake
from coursekit.sections import section_links

MEAN = Mistake("mean", "returns the mean of the entries where their sum is expected", lambda x: x.mean(),
               section="classification#sec-likelihood")
HALF = Mistake("half", "returns half of the sum (a factor 1/2 too many)", lambda x: x.sum() / 2)


def _message(student, cases, mistakes=(MEAN, HALF)) -> str:
    with pytest.raises(AssertionError) as info:
        compare(student, lambda x: x.sum(), cases, name="total", mistakes=mistakes)
    return str(info.value)


def _pairs(*shapes: int) -> list[Case]:
    rng = np.random.default_rng(0)
    return [Case(f"{n} entries", (rng.normal(size=n) + 3,)) for n in shapes]


def test_two_mistakes_that_coincide_on_every_input_are_both_listed_and_neither_is_named():
    message = _message(lambda x: np.mean(x), _pairs(2, 2, 2))  # with 2 entries the mean IS half the sum
    assert MESSAGE_HINT not in message
    assert "Possible causes" in message
    assert MEAN.hint in message and HALF.hint in message


def test_an_input_that_separates_them_names_the_right_one_only():
    mean_message = _message(lambda x: np.mean(x), _pairs(2, 3, 5))
    assert MESSAGE_HINT + MEAN.hint in mean_message and HALF.hint not in mean_message
    assert section_links(MEAN.section)[0] in mean_message  # the named mistake links to its section
    half_message = _message(lambda x: np.sum(x) / 2, _pairs(2, 3, 5))
    assert MESSAGE_HINT + HALF.hint in half_message and MEAN.hint not in half_message


def test_outputs_within_the_tolerance_of_two_variants_cannot_name_either():
    close = Mistake("close", "adds a tiny constant", lambda x: x.mean() + 1e-12)
    message = _message(lambda x: np.mean(x), _pairs(3, 4), mistakes=(MEAN, close))
    assert MESSAGE_HINT not in message and MEAN.hint in message and close.hint in message


def test_a_mistake_that_would_have_failed_a_passed_input_is_ruled_out():
    """np.argmax returns the first best alpha in the given order: with decreasing alphas that is the right
    one, so "the smallest alpha on a tie" (which would fail there) is not the mistake."""

    def choose_alpha(alphas, val_scores):
        return float(np.asarray(alphas)[np.argmax(val_scores)])

    with pytest.raises(AssertionError) as info:
        check_choose_alpha(choose_alpha)
    message = " ".join(str(info.value).split())
    assert MESSAGE_HINT + "on a tie, return the largest alpha" in message
    assert "np.argmax returns the smallest" in message and "not the smallest" not in message


def test_no_candidate_leaves_the_plain_description():
    message = _message(lambda x: np.sum(x) + 1.0, _pairs(2, 3))
    assert MESSAGE_HINT not in message and "Possible causes" not in message
    assert "Expected:" in message and "Got:" in message and "Problem:" in message
