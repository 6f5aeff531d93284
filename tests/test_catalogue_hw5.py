"""The mistake catalogue of hw5-trees-boosting (``coursekit.grading.mistakes_hw5.MISTAKES``).

For every mistake, a submission written the way a student writes it (``tests/catalogue_hw5.py``) fails its
part's check for every one of 20 secret seeds, on at least two hidden inputs, and the message names the
mistake and links to its book section. The correct answers still pass; mistakes that coincide on some inputs
are never reported as each other, and are listed together where the inputs cannot tell them apart (the
engine's own separation: no check of hw5 filters its variants). Graded through the real pipeline, each
notebook of submissions loses exactly the parts that hold a mistake, and its feedback names each mistake.
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
from catalogue_hw5 import SUBMISSIONS

from coursekit import pipeline
from coursekit.grading import MESSAGE_HINT, Case, checks_hw5, compare
from coursekit.grading.mistakes_hw5 import MISTAKES, on_nodes
from coursekit.sections import PART_SECTIONS, section_links

AID = "hw5-trees-boosting"
PARTS = [part for part in PART_SECTIONS[AID] if not part.startswith("written-")]
CHECKS = {part: getattr(checks_hw5, f"check_{part}") for part in PARTS if part != "predict_proba"}
CHECKS["predict_proba"] = checks_hw5.check_predict_proba_missing
ANSWER_CELLS = {part: "answer-" + part.replace("_", "-") for part in PARTS}
"""Grade id of each autograded part -> the grade id of its answer cell in the notebook."""
FEW_MISTAKES: dict[str, str] = getattr(checks_hw5, "FEW_MISTAKES", {})


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
        assert m.section and m.section.startswith("trees#sec-trees-"), m.name
        assert m.variant is not None or m.detect is not None, m.name
        assert m.hint and len(m.hint) > 30, m.name


def test_the_checks_no_longer_filter_their_variants():
    """The separation of candidates is the engine's (``compare``'s ``_explain``), as for every assignment."""
    assert not hasattr(checks_hw5, "_separated") and not hasattr(checks_hw5, "HW5_SEPARATION_RTOL")


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
    # H(L) + H(R) and W_L H(L) + W_R H(R) coincide when each child's weights sum to 1
    ("weighted_impurity", "impurities_summed", "shares_not_normalized"),
    # normalising before the update and not at all coincide when the weights already sum to 1
    ("update_weights", "weights_not_renormalized", "normalized_before_update"),
    # for nodes one level above the depth limit only, stopping a level early and the inverted answer agree
    ("stop_splitting", "stop_one_level_early", "stop_inverted"),
    # in a tree whose nodes all send missing values right, "always left" and "the opposite branch" agree
    ("predict_proba", "missing_always_left", "missing_branch_reversed"),
]


@pytest.mark.parametrize("part, a, b", AMBIGUOUS)
def test_mistakes_that_coincide_on_some_inputs_are_never_reported_as_each_other(part, a, b):
    for one, other in ((a, b), (b, a)):
        submission = function_from(SUBMISSIONS[part][one], part)
        assert_never_reported_as_the_other(CHECKS[part], submission, _mistake(part, one),
                                           _mistake(part, other))


def _coinciding_inputs(part: str, student) -> tuple:
    """(student as compared, reference, inputs on which the pair of AMBIGUOUS coincides, depends)."""
    rng = np.random.default_rng(5)
    if part == "weighted_impurity":
        cases = []
        for criterion in ("gini", "entropy"):
            left, right = rng.dirichlet([2, 2], size=3), rng.dirichlet([2, 2], size=3)
            cases.append(Case(f"{criterion}: three splits, each child's weights summing to 1", (left, right),
                              {"criterion": criterion}))
        return student, checks_hw5._hw5_weighted_ref, cases, {"impurity": checks_hw5._hw5_impurity_ref}
    if part == "update_weights":
        cases = []
        for n in (8, 13):
            w = rng.exponential(size=n)
            cases.append(Case(f"{n} weights summing to 1", (w / w.sum(), np.arange(n) % 3 == 0, 0.9), n=n))
        return student, checks_hw5._hw5_update_ref, cases, None
    if part == "stop_splitting":
        cases = [Case(f"nodes at depth max_depth - 1 = {d - 1} only",
                      ([(d - 1, 60, 0.3), (d - 1, 90, 0.25)],), {"max_depth": d, "min_samples_split": 2})
                 for d in (2, 4)]
        per_node = on_nodes(lambda d, n, i, max_depth, mss: student(d, n, i, max_depth=max_depth,
                                                                    min_samples_split=mss))
        return per_node, on_nodes(checks_hw5._hw5_stop_ref), cases, None
    leaf = lambda p: {"value": np.array([p, 1 - p])}  # noqa: E731 - a small local constructor
    tree = {"feature": 0, "threshold": 1.0, "missing_left": False, "left": leaf(0.9),
            "right": {"feature": 1, "threshold": 0.0, "missing_left": False, "left": leaf(0.6),
                      "right": leaf(0.2)}}
    rows = np.array([[np.nan, 1.0], [2.0, np.nan], [0.5, 0.5]])
    cases = [Case("every node sends missing values right", (tree, rows)),
             Case("every node sends missing values right, both values missing",
                  (tree, np.array([[np.nan, np.nan]])))]
    return student, checks_hw5._hw5_predict_ref, cases, None


@pytest.mark.parametrize("part, a, b", AMBIGUOUS)
def test_where_the_inputs_cannot_separate_them_both_are_listed_as_possible_causes(part, a, b):
    for one in (a, b):
        submission = function_from(SUBMISSIONS[part][one], part)
        student, reference, cases, depends = _coinciding_inputs(part, submission)
        with pytest.raises(AssertionError) as info:
            compare(student, reference, cases, name=part, mistakes=MISTAKES[part], depends=depends)
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
    course = make_course("catalogue-hw5")
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
