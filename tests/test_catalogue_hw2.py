"""The mistake catalogue of hw2-regularization (``coursekit.grading.checks_hw2.MISTAKES``).

Every mistake has a submission written as a student writes it (``tests/catalogue_hw2.py``). For each one, the
part's check fails for every one of 20 secret seeds, on at least two hidden inputs, and names the mistake
with a link to its book section; the correct answers pass for the same seeds; mistakes that coincide on some
inputs are listed together there, and never named for each other; graded through the real pipeline, each
submission costs only the points of its own part, and its feedback names it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

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
from catalogue_hw2 import SUBMISSIONS

from coursekit import data, grading, pipeline
from coursekit.grading import MESSAGE_HINT, Case, compare
from coursekit.grading import checks_hw2 as hw2
from coursekit.sections import section_links

AID = "hw2-regularization"
ROOT = Path(__file__).resolve().parents[1]
CHECKS = {
    "degree_errors": grading.check_degree_errors, "logistic_loss": grading.check_l2_logistic_loss,
    "logistic_loss_grad": grading.check_l2_logistic_loss_grad, "soft_threshold": grading.check_soft_threshold,
    "proximal_step": grading.check_proximal_step, "lasso_logistic": grading.check_lasso_logistic,
    "lasso_path": grading.check_lasso_path, "choose_alpha": grading.check_choose_alpha,
}
"""The parts whose answer is a function, checked on hidden inputs drawn from the secret seed."""
NOTEBOOK_NAMES = {"polynomial_features": data.polynomial_features, "StandardScaler": data.StandardScaler}
"""What the notebook's first cell imports and the answer cells use."""


def _function(part: str, source: str):
    return function_from(source, part, NOTEBOOK_NAMES)


def _hint(mistake) -> str:
    return " ".join(mistake.hint.split())


def _mistake(part: str, name: str):
    return next(m for m in hw2.MISTAKES[part] if m.name == name)


# -------------------------------------------------------------------------------------------- the catalogue


def test_every_part_has_a_full_catalogue_with_submissions_and_sections():
    parts = {gid for gid, kind, _ in pipeline._grade_cells(ROOT, AID) if kind == "code"}
    assert set(hw2.MISTAKES) == parts
    for part, mistakes in hw2.MISTAKES.items():
        names = [m.name for m in mistakes]
        assert len(names) == len(set(names)), part
        if len(mistakes) < MIN_CATALOGUE:
            assert hw2.FEW_MISTAKES.get(part), f"{part}: {len(mistakes)} mistakes and no reason given"
        assert set(SUBMISSIONS[part]) == set(names), part
        for m in mistakes:
            assert m.section and "#" in m.section, f"{part}/{m.name} has no book section"
            assert m.variant is not None or m.detect is not None, f"{part}/{m.name} cannot be recognised"
    assert set(hw2.FEW_MISTAKES) <= set(hw2.MISTAKES)


CATALOGUE = [(part, m) for part in CHECKS for m in hw2.MISTAKES[part]]


@pytest.mark.parametrize("part, mistake", CATALOGUE, ids=[f"{p}/{m.name}" for p, m in CATALOGUE])
def test_each_mistake_is_named_for_every_seed(part, mistake):
    submission = _function(part, SUBMISSIONS[part][mistake.name])
    assert_named_for_every_seed(CHECKS[part], submission, mistake)


@pytest.mark.parametrize("part", CHECKS)
def test_the_correct_answers_pass_for_every_seed(part):
    answer = _function(part, instructor_answers(AID)[f"answer-{part.replace('_', '-')}"])
    for seed in SEEDS:
        assert CHECKS[part](answer, rng=seed) is True


# ------------------------------------------------------------------------------------------ ambiguous pairs
# Two mistakes whose variants coincide on some inputs: on such inputs alone both are listed as possible
# causes; the check's other inputs separate them, so a submission of one is never reported as the other.

PAIRS = [
    ("choose_alpha", "tie_last_in_order", "tie_smallest_alpha"),  # equal when the alphas decrease
    ("degree_errors", "degree_ignored", "degrees_by_position"),  # equal for the degrees [2] (both use 1)
    ("proximal_step", "no_threshold", "subgradient_not_prox"),  # equal where every w_j is 0 (sign 0)
    ("lasso_path", "cold_start", "intercept_not_warm_started"),  # equal while every weight stays 0
]


@pytest.mark.parametrize("part, one, other", PAIRS + [(p, b, a) for p, a, b in PAIRS])
def test_a_mistake_is_never_reported_as_its_look_alike(part, one, other):
    submission = _function(part, SUBMISSIONS[part][one])
    for seed in SEEDS:
        message = failure_message(CHECKS[part], submission, seed)
        assert MESSAGE_HINT + _hint(_mistake(part, one)) in message
        assert _hint(_mistake(part, other)) not in message, f"seed {seed}: {one} reported as {other}"


def _coinciding_cases(part: str) -> tuple[object, list[Case]]:
    """The reference of ``part`` and hand-made inputs on which the variants of its pair coincide."""
    rng = np.random.default_rng(7)
    if part == "choose_alpha":
        return hw2._best_alpha, [
            Case("decreasing alphas, a tie", (np.array([1.0, 0.1, 0.01]), np.array([0.8, 0.8, 0.6]))),
            Case("decreasing alphas, a three-way tie",
                 (np.array([0.5, 0.2, 0.05, 0.02]), np.array([0.6, 0.7, 0.7, 0.7]))),
        ]
    if part == "degree_errors":
        fit, cases = hw2._HW2Fit(), []
        while len(cases) < 2:  # data sets on which degree 1 and degree 2 do not give the same errors
            X, y = data.make_polynomial_classification(n_samples=100, noise=0.1, rng=rng)
            args = (X[:50], y[:50], X[50:], y[50:], [2], fit)
            one = hw2._degree_errors_ref(*args[:4], [1], fit)
            if not all(np.array_equal(a, b) for a, b in zip(one, hw2._degree_errors_ref(*args), strict=True)):
                cases.append(Case(f"degree [2], data set {len(cases) + 1}", args))
        return hw2._degree_errors_ref, cases
    if part == "proximal_step":
        return hw2._prox_step_ref, [
            Case("w = 0", (np.zeros(5), rng.normal(size=5), 0.5, 0.3)),
            Case("w = 0, one weight", (np.zeros(1), np.array([2.0]), 0.2, 1.0)),
        ]
    X, y = hw2._lasso_problem(rng, 40, 5, rate=0.2)  # few positives: the intercept moves
    return hw2._lasso_path_ref, [  # alphas so large that w stays 0 along the whole path
        Case("huge alphas", (X, y, np.array([50.0, 20.0, 10.0]), 0.5, 10)),
        Case("huge alphas, more steps", (X, y, np.array([30.0, 15.0]), 0.8, 20)),
    ]


@pytest.mark.parametrize("part, one, other", PAIRS)
def test_where_two_mistakes_coincide_both_are_listed_as_possible_causes(part, one, other):
    reference, cases = _coinciding_cases(part)
    for name in (one, other):
        submission = _function(part, SUBMISSIONS[part][name])
        with pytest.raises(AssertionError) as info:
            compare(submission, reference, cases, name=part, mistakes=hw2.MISTAKES[part],
                    depends=hw2._hw2_stand_ins())
        message = " ".join(str(info.value).split())
        assert f"{len(cases)} of {len(cases)} checks failed" in message
        assert MESSAGE_HINT not in message and "Possible causes" in message
        assert _hint(_mistake(part, one)) in message and _hint(_mistake(part, other)) in message


# --------------------------------------------------------------------------------------------- chosen_alpha
# One value computed on the notebook's data (no hidden inputs): each mistake is run on 20 seeded paths whose
# best alphas on the validation, test and training sets differ, and whose worst validation model is known.


def _chosen_alpha_path(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    alphas = np.array([0.3, 0.1, 0.03, 0.01, 0.003]) * rng.uniform(0.5, 2.0)
    coefs = rng.normal(size=(5, 4))
    intercepts = rng.normal(size=5) * 0.1
    coefs[4], intercepts[4] = -coefs[1], -intercepts[1]  # the worst on validation: the best one reversed
    X_val, X_test, X_fit = (rng.normal(size=(60, 4)) for _ in range(3))
    y_val, y_test, y_fit = ((X @ coefs[i] + intercepts[i] >= 0).astype(int)
                            for X, i in ((X_val, 1), (X_test, 2), (X_fit, 3)))

    def path_accuracy(X, y):
        return np.mean((X @ coefs.T + intercepts >= 0) == y[:, None], axis=0)

    return dict(alphas=alphas, coefs=coefs, intercepts=intercepts, X_val=X_val, y_val=y_val, X_test=X_test,
                y_test=y_test, X_fit=X_fit, y_fit=y_fit, path_accuracy=path_accuracy,
                acc_val=path_accuracy(X_val, y_val), acc_fit=path_accuracy(X_fit, y_fit), np=np)


def _check_chosen(scope: dict) -> None:
    hw2.check_chosen_alpha(scope["alpha_best"], *(scope[k] for k in (
        "alphas", "coefs", "intercepts", "X_val", "y_val", "X_test", "y_test", "X_fit", "y_fit")))


@pytest.mark.parametrize("mistake", hw2.MISTAKES["chosen_alpha"], ids=lambda m: m.name)
def test_each_wrong_choice_of_alpha_is_named_for_every_seeded_path(mistake):
    for seed in SEEDS:
        scope = _chosen_alpha_path(seed)
        exec(SUBMISSIONS["chosen_alpha"][mistake.name], scope)  # noqa: S102 - a test submission
        with pytest.raises(AssertionError) as info:
            _check_chosen(scope)
        message = " ".join(str(info.value).split())
        assert MESSAGE_HINT + _hint(mistake) in message, f"seed {seed}: {mistake.name} not named in {message}"
        assert section_links(mistake.section)[0] in message


def test_the_choice_on_validation_data_passes_for_every_seeded_path():
    for seed in SEEDS:
        scope = _chosen_alpha_path(seed) | {"choose_alpha": hw2._best_alpha}
        exec(instructor_answers(AID)["answer-alpha-best"], scope)  # noqa: S102 - the instructor's answer
        _check_chosen(scope)


def test_a_choice_that_is_best_on_both_the_test_and_the_training_set_lists_both():
    scope = _chosen_alpha_path(0)
    scope["X_fit"], scope["y_fit"] = scope["X_test"], scope["y_test"]  # training prefers the test's best too
    scope["alpha_best"] = scope["alphas"][2]
    with pytest.raises(AssertionError) as info:
        _check_chosen(scope)
    message = " ".join(str(info.value).split())
    assert MESSAGE_HINT not in message and "Possible causes" in message
    for name in ("chosen_on_test", "chosen_on_training"):
        assert _hint(_mistake("chosen_alpha", name)) in message


# --------------------------------------------------------------------------------------------- the pipeline

CLEAN_CHAIN = ("soft_threshold", "proximal_step", "lasso_logistic", "lasso_path", "choose_alpha")
"""The parts that compute the notebook's path and choice, which ``chosen_alpha`` is judged on."""
BROKEN_PATH = {"coefs_transposed", "last_fit_only"}
"""``lasso_path`` mistakes that give the notebook's ``coefs`` another shape: the hidden test of
``chosen_alpha`` scores the choice with the notebook's own path, so such a notebook loses it too."""
SELF_CONTAINED_CHOICE = "alpha_best = float(alphas[acc_val == acc_val.max()].max())\n"
"""A correct ``alpha_best`` that does not call the notebook's (possibly wrong) ``choose_alpha``."""


def _answer_cells(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Part -> the grade id of its answer cell (the answer cell just before the part's grade cell)."""
    cells, answer = {}, None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answer = meta["grade_id"]
        elif meta.get("grade") and cell.cell_type == "code":
            cells[meta["grade_id"]] = answer
    return cells


def _notebooks() -> list[dict[str, tuple[str, str]]]:
    """The catalogue packed into notebooks, one mistake per part: ``chosen_alpha``'s mistakes go into
    notebooks whose path and choice are computed correctly (``CLEAN_CHAIN``), since its check judges the
    choice on the notebook's own path; new notebooks are added when there are not enough."""
    notebooks = pack_by_part({p: s for p, s in SUBMISSIONS.items() if p != "chosen_alpha"})
    clean = [nb for nb in notebooks if not set(nb) & set(CLEAN_CHAIN)]
    for name, source in SUBMISSIONS["chosen_alpha"].items():
        if not clean:
            notebooks.append({})
            clean.append(notebooks[-1])
        clean.pop(0)["chosen_alpha"] = (name, source)
    return notebooks


@pytest.mark.slow
def test_the_catalogue_through_the_pipeline_loses_only_its_parts_and_names_each_mistake(make_course,
                                                                                       tmp_path_factory):
    from test_pipeline import _text

    release = student_notebook(AID, answered=False)
    answer_of = _answer_cells(release)
    parts = {gid: pts for gid, kind, pts in pipeline._grade_cells(ROOT, AID) if kind == "code"}
    assert set(answer_of) == set(parts) and all(answer_of.values())
    notebooks = _notebooks()
    assert sum(len(nb) for nb in notebooks) == sum(len(s) for s in SUBMISSIONS.values())

    course = make_course("course-catalogue-hw2")
    subs = tmp_path_factory.mktemp("class-catalogue-hw2")
    for k, nb in enumerate(notebooks, start=1):
        edits = [Edit(answer_of[part], None, source) for part, (_, source) in nb.items()]
        if "chosen_alpha" not in nb:
            edits.append(Edit(answer_of["chosen_alpha"], None, SELF_CONTAINED_CHOICE))
        path = subs / f"catalogue-{k}" / AID / f"{AID}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(student_notebook(AID, edits), path)
    results = {r.student: r for r in pipeline.grade(course, subs, AID, echo=lambda line: None)}

    problems = []
    for k, nb in enumerate(notebooks, start=1):
        student = f"catalogue-{k}"
        result = results[student]
        lost = {part for part, pts in parts.items() if (result.parts.get(part) or 0) < pts}
        expected = set(nb) | ({"chosen_alpha"} if nb.get("lasso_path", ("",))[0] in BROKEN_PATH else set())
        if result.status != "graded" or lost != expected:
            problems.append(f"{student}: loses {sorted(lost)}, holds mistakes in {sorted(nb)} "
                            f"({result.status}, {result.problems})")
        text = _text(course / "grading" / "feedback" / student / AID / f"{AID}.html")
        for part, (name, _) in nb.items():
            if MESSAGE_HINT + _hint(_mistake(part, name)) not in text:
                problems.append(f"{student}: the feedback does not name {part}/{name}")
    assert not problems, "\n".join(problems)
    shutil.rmtree(subs, ignore_errors=True)


def test_the_pipeline_notebooks_hold_every_mistake_once_and_at_most_one_per_part():
    notebooks = _notebooks()
    held = sorted((part, name) for nb in notebooks for part, (name, _) in nb.items())
    assert held == sorted((p, n) for p, s in SUBMISSIONS.items() for n in s)
    for nb in notebooks:
        assert "chosen_alpha" not in nb or not set(nb) & set(CLEAN_CHAIN)
