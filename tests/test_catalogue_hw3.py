"""The mistake catalogue of hw3-optimizers (``coursekit.grading.checks_hw3.MISTAKES``).

For every mistake, a submission written the way a student writes it (``tests/catalogue_hw3.py``) fails its
part's check for each of 20 secret seeds, on at least two hidden inputs, and the message names the mistake
with a link to its book section; the correct references pass for the same seeds; mistakes that coincide on
some inputs are never reported as one another, and where the inputs cannot separate them both are listed.
Graded through the real pipeline, each submission loses the points of its own part (and of the parts that
share its code) only, and its feedback names the mistake.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from assignment_cases import Edit, student_notebook
from catalogue import (
    MIN_CATALOGUE,
    SEEDS,
    assert_named_for_every_seed,
    failure_message,
    function_from,
    pack_by_part,
)
from catalogue_hw3 import ALSO_LOSES, CELLS, NAMES, SUBMISSIONS
from test_pipeline import _parts, _text, _write

import coursekit.optim
from coursekit import grading, pipeline
from coursekit.grading import MESSAGE_HINT, Case, checks_hw3, compare
from coursekit.grading.mistakes_hw3 import MISTAKES
from coursekit.sections import section_links

AID = "hw3-optimizers"
CHECKS = {
    "minibatches": grading.check_minibatches, "sgd": grading.check_sgd, "momentum": grading.check_momentum,
    "nesterov": grading.check_nesterov, "rmsprop": grading.check_rmsprop, "adam": grading.check_adam,
    "schedule_lr": grading.check_schedule_lr, "minimize": grading.check_minimize,
    "fit_logistic": grading.check_fit_logistic,
}
CATALOGUE = [(part, m) for part, mistakes in checks_hw3.MISTAKES.items() for m in mistakes]


def _mistake(part: str, name: str):
    return next(m for m in checks_hw3.MISTAKES[part] if m.name == name)


def _reference(part: str):
    """The coursekit reference of ``part`` (a correct answer written independently for the training loops,
    whose references need stand-ins the check builds itself)."""
    optim = coursekit.optim
    return {"minibatches": optim.minibatches, "sgd": optim.SGD, "momentum": optim.SGD, "nesterov": optim.SGD,
            "rmsprop": optim.RMSprop, "adam": optim.Adam, "schedule_lr": optim.schedule_lr}.get(part)


CORRECT_LOOPS = {
    "minimize": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.array(w0, dtype=float)
    opt = optimizer_cls([w], **hyper)
    path = [w.copy()]
    for t in range(n_steps):
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.step([grad(w)])
        path.append(w.copy())
    return np.array(path)
''',
    "fit_logistic": '''def fit_logistic(X, y, optimizer_cls, batch_size, epochs, rng=None, lr_at=None,
                 **hyper):
    rng = np.random.default_rng(rng)
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = [objective(w, b, X, y)]
    for epoch in range(epochs):
        if lr_at is not None:
            opt.lr = lr_at(epoch)
        for idx in minibatches(len(y), batch_size, rng):
            opt.step(list(objective_grad(w, b, X[idx], y[idx])))
        losses.append(objective(w, b, X, y))
    return w, b, losses
''',
}


# ------------------------------------------------------------------------------------------------------------
# The catalogue
# ------------------------------------------------------------------------------------------------------------


def test_every_part_has_a_catalogue_with_submissions_and_sections():
    few = getattr(checks_hw3, "FEW_MISTAKES", {})
    assert checks_hw3.MISTAKES is MISTAKES
    assert set(checks_hw3.MISTAKES) == set(CHECKS) == set(SUBMISSIONS)
    for part, mistakes in checks_hw3.MISTAKES.items():
        assert len(mistakes) >= MIN_CATALOGUE or few.get(part), part
        names = [m.name for m in mistakes]
        assert len(set(names)) == len(names), part
        assert set(SUBMISSIONS[part]) == set(names), part
        for m in mistakes:
            assert m.section and m.section.startswith("optimization#"), f"{part}/{m.name}"
            assert m.variant is not None or m.detect is not None, f"{part}/{m.name}"
    for part, also in ALSO_LOSES.items():
        assert set(also) <= set(SUBMISSIONS[part]) and all(set(p) <= set(CHECKS) for p in also.values())


@pytest.mark.parametrize("part, mistake", CATALOGUE, ids=[f"{p}/{m.name}" for p, m in CATALOGUE])
def test_each_mistake_is_named_for_every_seed_on_two_inputs(part, mistake):
    fn = function_from(SUBMISSIONS[part][mistake.name], NAMES[part])
    assert_named_for_every_seed(CHECKS[part], fn, mistake)


@pytest.mark.parametrize("part", list(CHECKS))
def test_the_correct_answers_pass_for_every_seed(part):
    fn = _reference(part) or function_from(CORRECT_LOOPS[part], NAMES[part])
    for seed in SEEDS:
        assert CHECKS[part](fn, rng=seed)


@pytest.mark.parametrize("part, mistake, other", [
    ("momentum", "buffer_starts_at_zero", "moving_average"),
    ("momentum", "moving_average", "buffer_starts_at_zero"),
    ("adam", "no_bias_correction", "only_m_corrected"), ("adam", "only_m_corrected", "no_bias_correction"),
])
def test_mistakes_that_coincide_on_some_inputs_are_never_reported_as_each_other(part, mistake, other):
    """With dampening = momentum, the moving average is torch's buffer started at zero; with beta1 = 0,
    correcting m changes nothing (1 - 0^t = 1). The hidden inputs separate them, for every seed."""
    fn = function_from(SUBMISSIONS[part][mistake], NAMES[part])
    hint = " ".join(_mistake(part, other).hint.split())
    for seed in SEEDS:
        message = failure_message(CHECKS[part], fn, seed)
        assert MESSAGE_HINT + hint not in message, f"seed {seed}: {mistake} reported as {other}"


def _optimizer_message(cls, hypers, params0, part, n_steps=4):
    """The failure message of ``cls`` with the part's catalogue on hand-made runs (plain compare)."""
    rng = np.random.default_rng(0)
    cases = []
    for hyper in hypers:
        steps = checks_hw3._Steps([p.copy() for p in params0],
                                  [[rng.normal(size=p.shape) for p in params0] for _ in range(n_steps)])
        cases.append(Case(f"{hyper}", (hyper, steps)))

    def call(fn, args, kwargs):
        hyper, steps = args
        if fn is cls:
            return checks_hw3._hw3_run(cls, hyper, steps, 1e-3, student=True)
        return fn(hyper, steps)

    def reference(hyper, steps):
        return checks_hw3._hw3_run(_reference(part), hyper, steps, 1e-3)

    with pytest.raises(AssertionError) as info:
        compare(cls, reference, cases, name=part, call=call, mutates=True,
                mistakes=checks_hw3._hw3_catalogue(part, reference))
    return " ".join(str(info.value).split())


def _listed_not_named(message, part, *names):
    assert MESSAGE_HINT not in message and "Possible causes" in message, message
    for name in names:
        assert " ".join(_mistake(part, name).hint.split()) in message, f"{name} not listed in {message}"


@pytest.mark.parametrize("mistake", ["buffer_starts_at_zero", "moving_average"])
def test_dampening_equal_to_momentum_cannot_tell_a_zero_start_from_the_moving_average(mistake):
    fn = function_from(SUBMISSIONS["momentum"][mistake], "SGD")
    params = [np.array([0.5, -1.0]), np.array([[2.0, 0.1], [0.3, -0.4]])]
    message = _optimizer_message(fn, [{"lr": 0.1, "momentum": 0.5, "dampening": 0.5},
                                      {"lr": 0.05, "momentum": 0.8, "dampening": 0.8}], params, "momentum")
    _listed_not_named(message, "momentum", "buffer_starts_at_zero", "moving_average")


@pytest.mark.parametrize("mistake", ["no_bias_correction", "only_m_corrected"])
def test_beta1_zero_cannot_tell_a_missing_correction_from_a_correction_of_m_only(mistake):
    fn = function_from(SUBMISSIONS["adam"][mistake], "Adam")
    params = [np.array([0.5, -1.0, 2.0]), np.array([0.3])]
    message = _optimizer_message(fn, [{"lr": 0.01, "betas": (0.0, 0.99)},
                                      {"lr": 0.05, "betas": (0.0, 0.9)}], params, "adam")
    _listed_not_named(message, "adam", "no_bias_correction", "only_m_corrected")


def test_a_named_mistake_links_to_its_section():
    fn = function_from(SUBMISSIONS["adam"]["no_bias_correction"], "Adam")
    message = failure_message(grading.check_adam, fn, 0)
    assert section_links(_mistake("adam", "no_bias_correction").section)[0] in message


# ------------------------------------------------------------------------------------------------------------
# Through the real pipeline
# ------------------------------------------------------------------------------------------------------------


def _by_cell() -> dict[str, dict[str, str]]:
    """answer cell -> "part/mistake" -> source: the three parts of the class SGD share one cell, so a notebook
    holds one mistake per answer CELL."""
    cells: dict[str, dict[str, str]] = {}
    for part, by_name in SUBMISSIONS.items():
        for name, source in by_name.items():
            cells.setdefault(CELLS[part], {})[f"{part}/{name}"] = source
    return cells


@pytest.mark.slow
def test_catalogue_submissions_lose_their_own_parts_through_the_pipeline(make_course, tmp_path_factory):
    answer_cells = {c.metadata.get("nbgrader", {}).get("grade_id")
                    for c in student_notebook(AID).cells}
    assert set(CELLS.values()) <= answer_cells
    notebooks = pack_by_part(_by_cell())
    course = make_course("course-catalogue-hw3")
    subs = tmp_path_factory.mktemp("class-catalogue-hw3")
    shutil.copy(Path(course) / "solutions" / AID / f"{AID}.ipynb", subs / f"instructor_{AID}.ipynb")
    held: dict[str, list[tuple[str, str]]] = {}
    for i, notebook in enumerate(notebooks, start=1):
        student = f"catalogue-{i}"
        held[student] = [tuple(key.split("/")) for key, _ in notebook.values()]
        edits = [Edit(cell, None, source) for cell, (_, source) in notebook.items()]
        _write(student_notebook(AID, edits), subs / student / AID / f"{AID}.ipynb")
    results = {r.student: r for r in pipeline.grade(course, subs, AID, echo=lambda line: None)}
    parts = _parts(course, AID)
    assert results["instructor"].autograded == sum(parts.values())
    for student, mistakes in held.items():
        scores = {gid: g["score"] for gid, g in pipeline.read_scores(course, AID, student).items()}
        losing = {part for part, _ in mistakes} | {p for part, name in mistakes
                                                   for p in ALSO_LOSES.get(part, {}).get(name, ())}
        for gid, points in parts.items():
            if gid in losing:
                assert scores[gid] < points, f"{student} {mistakes}: {gid} kept its points"
            else:
                assert scores[gid] == points, f"{student} {mistakes}: {gid} lost points"
        text = _text(course / "grading" / "feedback" / student / AID / f"{AID}.html")
        for part, name in mistakes:
            hint = " ".join(_mistake(part, name).hint.split())
            assert MESSAGE_HINT + hint in text, f"{student}: {part}/{name} not named in the feedback"
