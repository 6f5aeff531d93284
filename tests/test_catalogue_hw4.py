"""hw4-gradients' mistake catalogue (``coursekit.grading.mistakes_hw4``): every mistake of every part is named
by its part's check, for every one of 20 secret seeds, on at least two hidden inputs, with a link to its book
section; the instructor's answers still pass; mistakes that coincide on some inputs are listed together there
and never confused elsewhere; and, graded through the real pipeline, each submission loses points on its own
part only and its feedback names the mistake."""

from __future__ import annotations

import html
import re

import nbformat
import numpy as np
import pytest
from assignment_cases import Edit, instructor_answers, student_notebook
from catalogue import (
    MIN_CATALOGUE,
    SEEDS,
    assert_named_for_every_seed,
    failure_message,
    function_from,
    pack_by_part,
)
from catalogue_hw4 import SUBMISSIONS

from coursekit import grading
from coursekit.grading import MESSAGE_HINT, Case, compare
from coursekit.grading import checks_hw4 as checks
from coursekit.grading.mistakes_hw4 import FEW_MISTAKES, MISTAKES
from coursekit.sections import section_links

HW4 = "hw4-gradients"
CHECKS = {
    "linear_forward": grading.check_linear_forward, "linear_backward": grading.check_linear_backward,
    "sigmoid_forward": grading.check_sigmoid_forward, "sigmoid_backward": grading.check_sigmoid_backward,
    "relu_forward": grading.check_relu_forward, "relu_backward": grading.check_relu_backward,
    "mlp_loss_grad": grading.check_mlp_loss_grad, "xavier_init": grading.check_xavier_init,
    "he_init": grading.check_he_init, "layer_grad_norms": grading.check_layer_grad_norms,
    "clip_grad_value_": grading.check_clip_grad_value, "clip_grad_norm_": grading.check_clip_grad_norm_global,
    "rnn_forward": grading.check_rnn_forward, "rnn_backward": grading.check_rnn_backward,
}
"""Grade id -> its hidden check; the graded function has the grade id's name."""
ANSWER_CELLS = {part: "answer-" + part.rstrip("_").replace("_", "-") for part in CHECKS} | {
    "clip_grad_value_": "answer-clip-value", "clip_grad_norm_": "answer-clip-norm"}
"""Grade id -> the grade id of the notebook's answer cell that defines the function."""

ENTRIES = [(part, m) for part, mistakes in MISTAKES.items() for m in mistakes]


def _mistake(part: str, name: str):
    return next(m for m in MISTAKES[part] if m.name == name)


def _flat(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------------------------------------------
# The catalogue itself
# ------------------------------------------------------------------------------------------------------------


def test_every_part_has_a_full_catalogue_with_submissions_and_sections():
    assert set(MISTAKES) == set(CHECKS) == set(SUBMISSIONS)
    for part, mistakes in MISTAKES.items():
        assert len(mistakes) >= MIN_CATALOGUE or part in FEW_MISTAKES, f"{part}: {len(mistakes)} mistakes"
        names = [m.name for m in mistakes]
        assert len(set(names)) == len(names), f"{part}: a mistake name is repeated"
        assert set(names) == set(SUBMISSIONS[part]), f"{part}: mistakes and submissions differ"
        for m in mistakes:
            assert m.section and m.hint and (m.variant is not None or m.detect is not None), (part, m.name)
    assert all(reason for reason in FEW_MISTAKES.values())


@pytest.mark.parametrize("part, mistake", ENTRIES, ids=[f"{p}/{m.name}" for p, m in ENTRIES])
def test_the_mistake_is_named_for_every_seed(part, mistake):
    submission = function_from(SUBMISSIONS[part][mistake.name], part)
    assert_named_for_every_seed(CHECKS[part], submission, mistake)


@pytest.mark.parametrize("part", sorted(CHECKS))
def test_the_instructors_answer_passes_for_every_seed(part):
    answer = function_from(instructor_answers(HW4)[ANSWER_CELLS[part]], part)
    for seed in SEEDS:
        assert CHECKS[part](answer, rng=seed) is True, f"{part}, seed {seed}"


# ------------------------------------------------------------------------------------------------------------
# Ambiguous pairs: equal on some inputs, told apart by the hidden ones
# ------------------------------------------------------------------------------------------------------------

PAIRS = [("sigmoid_forward", "complement", "abs_branch"),
         ("linear_backward", "bias_grad_per_sample", "bias_grad_keepdims"),
         ("he_init", "one_over_fan_in", "uses_both_fans")]


@pytest.mark.parametrize("part, one, other", PAIRS + [(p, b, a) for p, a, b in PAIRS])
def test_a_mistake_is_never_reported_as_its_twin(part, one, other):
    submission = function_from(SUBMISSIONS[part][one], part)
    twin = _flat(_mistake(part, other).hint)
    for seed in SEEDS:
        message = failure_message(CHECKS[part], submission, seed)
        assert MESSAGE_HINT + _flat(_mistake(part, one).hint) in message, f"seed {seed}"
        assert twin not in message, f"seed {seed}: {other!r} reported for {one!r}"


def _listed_together(message: str, part: str, *names: str) -> None:
    message = _flat(message)
    assert MESSAGE_HINT not in message and "Possible causes" in message, message
    for name in names:
        assert _flat(_mistake(part, name).hint) in message, f"{name} not listed in:\n{message}"


def test_on_negative_scores_complement_and_abs_branch_are_both_listed():
    """For Z < 0, sigma(|Z|) = sigma(-Z) = 1 - sigma(Z): the two slips return the same numbers."""
    from coursekit.nn import sigmoid

    rng = np.random.default_rng(0)
    cases = [Case("negative scores", (-np.abs(rng.normal(0, 3, size=8)) - 0.1,)),
             Case("negative 2-D scores", (-rng.uniform(0.5, 6, size=(2, 3)),))]
    for name in ("complement", "abs_branch"):
        with pytest.raises(AssertionError) as info:
            compare(function_from(SUBMISSIONS["sigmoid_forward"][name], "sigmoid_forward"),
                    lambda Z: (sigmoid(Z), Z), cases, name="sigmoid_forward",
                    mistakes=MISTAKES["sigmoid_forward"])
        _listed_together(str(info.value), "sigmoid_forward", "complement", "abs_branch")


def test_with_one_sample_an_unsummed_and_a_keepdims_bias_gradient_are_both_listed():
    """With n = 1, dZ and dZ.sum(axis=0, keepdims=True) are the same (1, d_out) array."""
    rng = np.random.default_rng(1)
    cases = []
    for k in (3, 5):
        X, W, b = rng.normal(size=(1, 4)), rng.normal(size=(4, k)), rng.normal(size=k)
        cases.append(Case(f"one sample, d_out={k}", (rng.normal(size=(1, k)), (X, W, b)), n=1))
    for name in ("bias_grad_per_sample", "bias_grad_keepdims"):
        with pytest.raises(AssertionError) as info:
            compare(function_from(SUBMISSIONS["linear_backward"][name], "linear_backward"),
                    checks._hw4_linear_backward, cases, name="linear_backward",
                    mistakes=MISTAKES["linear_backward"])
        _listed_together(str(info.value), "linear_backward", "bias_grad_per_sample", "bias_grad_keepdims")


def test_on_square_matrices_lecun_and_xavier_variances_are_both_listed_for_he():
    """With fan_in = fan_out, 1 / fan_in = 2 / (fan_in + fan_out): He's two slips draw the same spread."""
    for name in ("one_over_fan_in", "uses_both_fans"):
        with pytest.raises(AssertionError) as info:
            checks._hw4_init_check(function_from(SUBMISSIONS["he_init"][name], "he_init"), "he_init",
                                   lambda fi, fo: np.sqrt(2.0 / fi), 3, shapes=[(300, 300), (500, 500)])
        _listed_together(str(info.value), "he_init", "one_over_fan_in", "uses_both_fans")


# ------------------------------------------------------------------------------------------------------------
# Through the real pipeline
# ------------------------------------------------------------------------------------------------------------


def _visible_text(path) -> str:
    return _flat(html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))))


@pytest.mark.slow
def test_graded_notebooks_lose_exactly_their_mistakes_parts_and_name_them(make_course, tmp_path):
    from coursekit import pipeline

    course = make_course("catalogue-hw4")
    released = student_notebook(HW4, answered=False)
    answer_ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in released.cells}
    assert set(ANSWER_CELLS.values()) <= answer_ids, "an answer cell's grade id changed in the notebook"
    notebooks = pack_by_part(SUBMISSIONS)

    for i, held in enumerate(notebooks):
        edits = [Edit(ANSWER_CELLS[part], None, source) for part, (_, source) in held.items()]
        nb = student_notebook(HW4, edits)
        path = tmp_path / "class" / f"catalogue-{i}" / HW4 / f"{HW4}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    pipeline.grade(course, tmp_path / "class", HW4, echo=lambda line: None)

    points = {gid: pts for gid, kind, pts in pipeline._grade_cells(course, HW4) if kind == "code"}
    for i, held in enumerate(notebooks):
        student = f"catalogue-{i}"
        scores = {gid: g["score"] for gid, g in pipeline.read_scores(course, HW4, student).items()}
        lost = {gid for gid in points if scores[gid] < points[gid]}
        assert lost == set(held), f"{student}: lost {sorted(lost)}, holds mistakes in {sorted(held)}"
        feedback = _visible_text(course / "grading" / "feedback" / student / HW4 / f"{HW4}.html")
        for part, (name, _) in held.items():
            mistake = _mistake(part, name)
            assert MESSAGE_HINT + _flat(mistake.hint) in feedback, f"{student}: {part}/{name} not named"
            assert section_links(mistake.section)[0] in feedback, f"{student}: no link for {part}/{name}"
