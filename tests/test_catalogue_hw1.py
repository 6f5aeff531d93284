"""The mistake catalogue of hw1-logistic (``coursekit.grading.mistakes_hw1.MISTAKES``).

For every mistake, a submission written the way a student writes it (``tests/catalogue_hw1.py``) fails its
part's check for every one of 20 secret seeds, on at least two hidden inputs, and the message names the
mistake and links to its book section. The correct answers still pass; mistakes that coincide on some inputs
are never reported as each other, and are listed together where the inputs cannot tell them apart. Graded
through the real pipeline, each notebook of submissions loses exactly the parts that hold a mistake, and its
feedback names each mistake.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from assignment_cases import Edit, instructor_answers, student_notebook
from catalogue import (
    MIN_CATALOGUE,
    SEEDS,
    assert_named_for_every_seed,
    assert_never_reported_as_the_other,
    assert_only_its_own_name,
    flat,
    function_from,
    pack_by_part,
)
from catalogue_hw1 import SUBMISSIONS

from coursekit import linear, pipeline
from coursekit.grading import MESSAGE_HINT, Case, checks_hw1, compare
from coursekit.grading.checks_hw1 import MISTAKES
from coursekit.sections import PART_SECTIONS, section_links

AID = "hw1-logistic"
PARTS = [part for part in PART_SECTIONS[AID] if not part.startswith("written-")]
CHECKS = {part: getattr(checks_hw1, f"check_{part}") for part in PARTS}
ANSWER_CELLS = {
    "sigmoid": "answer-sigmoid", "predict_proba": "answer-predict-proba",
    "log_likelihood": "answer-log-likelihood",
    "log_likelihood_grad": "answer-log-likelihood-grad", "gradient_ascent": "answer-gradient-ascent",
    "confusion_matrix": "answer-confusion-matrix", "precision_recall_at": "answer-precision-recall",
    "expected_cost": "answer-expected-cost", "best_threshold": "answer-best-threshold",
}
"""Grade id of each autograded part -> the grade id of its answer cell in the notebook."""
FEW_MISTAKES: dict[str, str] = getattr(checks_hw1, "FEW_MISTAKES", {})


def _mistake(part: str, name: str):
    return next(m for m in MISTAKES[part] if m.name == name)


# ------------------------------------------------------------------------------------------------------------
# The catalogue's shape
# ------------------------------------------------------------------------------------------------------------


def test_every_autograded_part_has_a_catalogue_of_realistic_mistakes():
    assert set(MISTAKES) == set(PARTS) == set(SUBMISSIONS) == set(ANSWER_CELLS)
    for part in PARTS:
        assert len(MISTAKES[part]) >= MIN_CATALOGUE or FEW_MISTAKES.get(part), part
        names = [m.name for m in MISTAKES[part]]
        assert len(set(names)) == len(names), part


@pytest.mark.parametrize("part", PARTS)
def test_every_mistake_has_a_submission_a_section_and_a_way_to_be_recognised(part):
    assert set(SUBMISSIONS[part]) == {m.name for m in MISTAKES[part]}
    for m in MISTAKES[part]:
        assert m.section and m.section.startswith("classification#"), m.name
        assert m.variant is not None or m.detect is not None, m.name
        assert m.hint and len(m.hint) > 30, m.name


def test_the_answer_cells_of_the_notebook_are_the_ones_replaced():
    nb = student_notebook(AID)
    answers = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}
    for part, cell in ANSWER_CELLS.items():
        assert f"def {part}(" in answers[cell], (part, cell)


# ------------------------------------------------------------------------------------------------------------
# Every mistake is named for every seed, on at least two hidden inputs, with its link
# ------------------------------------------------------------------------------------------------------------

CATALOGUE = [(part, name) for part in PARTS for name in SUBMISSIONS[part]]


@pytest.mark.parametrize("part, name", CATALOGUE, ids=[f"{p}/{n}" for p, n in CATALOGUE])
def test_each_mistake_is_named_for_every_seed(part, name):
    submission = function_from(SUBMISSIONS[part][name], part)
    assert_named_for_every_seed(CHECKS[part], submission, _mistake(part, name))


@pytest.mark.parametrize("part", PARTS)
def test_the_correct_answer_passes_for_every_seed(part):
    answer = function_from(instructor_answers(AID)[ANSWER_CELLS[part]], part)
    for seed in SEEDS:
        assert CHECKS[part](answer, rng=seed) is True, seed


@pytest.mark.parametrize("part", PARTS)
def test_a_named_mistake_is_the_only_one_named(part):
    """A message names one mistake: the hints of the part's other mistakes do not appear in it."""
    for name, source in SUBMISSIONS[part].items():
        assert_only_its_own_name(CHECKS[part], function_from(source, part), name, MISTAKES[part])


# ------------------------------------------------------------------------------------------------------------
# Ambiguous pairs: never reported as each other; listed together where the inputs cannot separate them
# ------------------------------------------------------------------------------------------------------------

AMBIGUOUS = [
    # -l and -l/n coincide for one sample
    ("log_likelihood", "sign_flipped", "loss_not_likelihood"),
    # with no step, the history without its first value and without its last one are both empty
    ("gradient_ascent", "history_without_start", "history_without_end"),
    # with as many true negatives as true positives, the transpose is the matrix with both classes reversed
    ("confusion_matrix", "transposed", "positive_class_first"),
    # for negative scores, sigma(-z) = sigma(|z|)
    ("sigmoid", "complement", "absolute_score"),
]


@pytest.mark.parametrize("part, a, b", AMBIGUOUS)
def test_mistakes_that_coincide_on_some_inputs_are_never_reported_as_each_other(part, a, b):
    for one, other in ((a, b), (b, a)):
        submission = function_from(SUBMISSIONS[part][one], part)
        assert_never_reported_as_the_other(CHECKS[part], submission, _mistake(part, one),
                                           _mistake(part, other))


def _coinciding_inputs(part: str) -> tuple:
    """(reference, inputs on which the pair of AMBIGUOUS coincides, depends)."""
    rng = np.random.default_rng(3)
    if part == "log_likelihood":
        cases = [Case(f"one sample, y={y}", (rng.normal(size=3), 0.4, rng.normal(size=(1, 3)), np.array([y])),
                      n=1) for y in (0, 1)]
        return linear.log_likelihood, cases
    if part == "gradient_ascent":
        cases = [Case(f"n_steps=0, n={n}", (rng.normal(size=(n, 2)), np.arange(n) % 2),
                      dict(lr=0.1, n_steps=0), n=n) for n in (4, 7)]
        return linear.gradient_ascent, cases
    if part == "confusion_matrix":
        cases = [Case("TN = TP = 2, FP = 1, FN = 0", (np.array([0, 0, 0, 1, 1]), np.array([0, 0, 1, 1, 1]))),
                 Case("TN = TP = 1, FP = 0, FN = 2", (np.array([0, 1, 1, 1]), np.array([0, 1, 0, 0])))]
        return (lambda y_true, y_pred: _binary(y_true, y_pred)), cases
    cases = [Case("negative scores", (-np.abs(rng.normal(0, 3, size=6)) - 0.1,)),
             Case("negative 2-D scores", (-np.abs(rng.normal(0, 3, size=(2, 3))) - 0.1,))]
    return linear.sigmoid, cases


def _binary(y_true, y_pred):
    from coursekit.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=[0, 1])


@pytest.mark.parametrize("part, a, b", AMBIGUOUS)
def test_where_the_inputs_cannot_separate_them_both_are_listed_as_possible_causes(part, a, b):
    reference, cases = _coinciding_inputs(part)
    for one in (a, b):
        with pytest.raises(AssertionError) as info:
            compare(function_from(SUBMISSIONS[part][one], part), reference, cases, name=part,
                    mistakes=MISTAKES[part], depends=checks_hw1._hw1_stand_ins())
        message = flat(str(info.value))
        assert MESSAGE_HINT not in message and "Possible causes" in message, message
        assert flat(_mistake(part, a).hint) in message and flat(_mistake(part, b).hint) in message


# ------------------------------------------------------------------------------------------------------------
# Through the real pipeline: each notebook loses exactly the parts that hold a mistake, and names them
# ------------------------------------------------------------------------------------------------------------


def _feedback_text(path: Path) -> str:
    return flat(html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))))


@pytest.mark.slow
def test_graded_through_the_pipeline_each_notebook_loses_its_mistakes_parts_only(make_course, tmp_path):
    course = make_course("catalogue-hw1")
    notebooks = pack_by_part(SUBMISSIONS)
    for i, held in enumerate(notebooks):
        edits = [Edit(ANSWER_CELLS[part], None, source) for part, (_, source) in held.items()]
        path = tmp_path / f"mistakes-{i}" / AID / f"{AID}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(student_notebook(AID, edits), path)
    pipeline.grade(course, tmp_path, AID, echo=lambda line: None)
    points = {gid: pts for gid, kind, pts in pipeline._grade_cells(course, AID) if kind == "code"}
    assert set(points) == set(PARTS)
    for i, held in enumerate(notebooks):
        student = f"mistakes-{i}"
        scores = {gid: g["score"] for gid, g in pipeline.read_scores(course, AID, student).items()}
        lost = {part for part in PARTS if scores[part] < points[part]}
        assert lost == set(held), (student, lost, set(held))
        feedback = _feedback_text(course / "grading" / "feedback" / student / AID / f"{AID}.html")
        for part, (name, _) in held.items():
            mistake = _mistake(part, name)
            assert MESSAGE_HINT + flat(mistake.hint) in feedback, (student, part, name)
            assert section_links(mistake.section)[0] in feedback, (student, part, name)
