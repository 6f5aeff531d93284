"""The grading pipeline end to end: release, autograde through nbgrader, gradebook, feedback, reports.

Every assignment in ``solutions/`` is graded in ONE ``coursekit.pipeline.grade`` run over a class made of the
instructor's notebook, the untouched student notebook and every case of ``tests/assignment_cases.py``; the
scores are read back from nbgrader's gradebook. A second class (hw1) holds broken submissions (not JSON,
missing, failing at import, an infinite loop) in both submission layouts and is graded twice.
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from assignment_cases import CASES, Edit, SubmissionCase, cases_for, instructor_answers, student_notebook

from coursekit import pipeline

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = pipeline.assignment_ids(ROOT)
ROBUST_ASSIGNMENT = "hw1-logistic"
ROBUST_TIMEOUT = 8  # seconds per cell for the class with an infinite loop
INSTRUCTOR, UNTOUCHED = "instructor", "untouched"


def _write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _text(path: Path) -> str:
    """The visible text of an HTML feedback file: tags removed (so highlighted code reads as its source
    again), entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))).split())


def _parts(root: Path, aid: str) -> dict[str, float]:
    return {gid: pts for gid, kind, pts in pipeline._grade_cells(root, aid) if kind == "code"}


@dataclass
class Graded:
    course: Path
    submissions: Path
    results: dict[str, pipeline.StudentResult]
    lines: list[str]
    bins: dict[str, list[SubmissionCase]]
    """Student id in the class -> the registry cases merged into that student's notebook."""

    def student_of(self, case: SubmissionCase) -> str:
        return next(student for student, cases in self.bins.items() if case in cases)

    def feedback(self, student: str, aid: str) -> Path:
        return self.course / "grading" / "feedback" / student / aid / f"{aid}.html"

    def gradebook(self, student: str, aid: str) -> dict[str, float]:
        return {gid: g["score"] for gid, g in pipeline.read_scores(self.course, aid, student).items()}


def pack(cases: list[SubmissionCase]) -> list[list[SubmissionCase]]:
    """Merge registry cases into as few notebooks as possible: cases that edit different cells and lose
    different parts go into one notebook (each part is graded on its own, with correct stand-ins for the
    other parts), which then must lose exactly the union of their parts."""
    bins: list[list[SubmissionCase]] = []
    for case in cases:
        cells = {e.cell for e in case.edits}
        for b in bins:
            if not any(cells & {e.cell for e in c.edits} or set(case.loses) & set(c.loses) for c in b):
                b.append(case)
                break
        else:
            bins.append([case])
    return bins


@pytest.fixture(scope="module")
def graded(make_course, tmp_path_factory):
    """``graded(aid)``: the assignment's class, graded in one run: the instructor notebook, the untouched
    student notebook, and the registry cases of the assignment packed into a few notebooks."""
    cache: dict[str, Graded] = {}

    def run(aid: str) -> Graded:
        if aid not in cache:
            course = make_course(f"course-{aid}")
            subs = tmp_path_factory.mktemp(f"class-{aid}")
            shutil.copy(ROOT / "solutions" / aid / f"{aid}.ipynb", subs / f"{INSTRUCTOR}_{aid}.ipynb")
            _write(student_notebook(aid, answered=False), subs / UNTOUCHED / aid / f"{aid}.ipynb")
            bins = {}
            for i, merged in enumerate(pack(cases_for(aid)), start=1):
                student = f"cases-{i}"
                bins[student] = merged
                edits = [e for case in merged for e in case.edits]
                _write(student_notebook(aid, edits), subs / student / aid / f"{aid}.ipynb")
            lines: list[str] = []
            results = pipeline.grade(course, subs, aid, echo=lines.append)
            cache[aid] = Graded(course, subs, {r.student: r for r in results}, lines, bins)
        return cache[aid]

    return run


# ------------------------------------------------------------------------------------------------------------
# Release
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_assignments_are_up_to_date_with_solutions():
    stale = pipeline.release(ROOT, check=True)
    assert stale == [], "assignments/ is out of date: run `make release`\n" + "\n".join(stale)


@pytest.mark.slow
def test_release_check_names_a_stale_notebook_and_release_regenerates_it(make_course, capsys):
    course = make_course("stale")
    aid = ASSIGNMENTS[0]
    released = course / "assignments" / aid / f"{aid}.ipynb"
    nb = nbformat.read(released, as_version=4)
    nb.cells[0].source += "\nEdited by hand."
    nbformat.write(nb, released)
    assert pipeline.release_command(course, [aid], check=True) == 1
    assert f"assignments/{aid}/{aid}.ipynb is out of date" in capsys.readouterr().out
    assert pipeline.release_command(course, [aid]) == 0
    # regenerating is deterministic: the result is byte for byte the committed release (but for the Python
    # version in language_info, when this Python is not the one that wrote the committed release)
    committed = ROOT / "assignments" / aid / f"{aid}.ipynb"
    assert pipeline._without_python_version(released) == pipeline._without_python_version(committed)
    assert pipeline.release_command(course, ["no-such-assignment"], check=True) == 2


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_jupyter_opens_a_release_without_changing_it(aid):
    """Opening a released notebook and saving it at once, as Jupyter does, changes nothing: nbformat's reader,
    validation and normalisation (cell ids, metadata) leave it as it is, and the language_info that the kernel
    writes into it when it starts is already there (only the Python version can differ between machines)."""
    from nbformat.validator import normalize

    path = ROOT / "assignments" / aid / f"{aid}.ipynb"
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    assert (nb.nbformat, nb.nbformat_minor) == (nbformat.current_nbformat, nbformat.current_nbformat_minor)
    nbformat.validate(nb)
    changes, normalized = normalize(nbformat.reader.reads(text))
    assert changes == 0, f"nbformat normalises {changes} thing(s) of {aid} when it is opened"
    assert nbformat.writes(nbformat.from_dict(normalized)) + "\n" == text, f"saving {aid} again rewrites it"
    assert all(cell.get("id") for cell in nb.cells), f"{aid} has cells without an id"
    opened = nb.metadata.get("language_info", {})
    started = pipeline.kernel_language_info()
    assert {k: v for k, v in opened.items() if k != "version"} == {
        k: v for k, v in started.items() if k != "version"}, (
        f"{aid}: the kernel rewrites language_info {opened} as {started} when it starts: the notebook shows "
        "as modified")
    assert "version" in opened
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(aid):
    released = (ROOT / "assignments" / aid / f"{aid}.ipynb").read_text(encoding="utf-8")
    source = nbformat.read(ROOT / "solutions" / aid / f"{aid}.ipynb", as_version=4)
    assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released
    for line in _secret_lines(source):
        assert line not in released, f"the release of {aid} contains the secret line {line!r}"
    assert "raise NotImplementedError()" in released


def _secret_lines(source: nbformat.NotebookNode, hidden_only: bool = False) -> list[str]:
    """Lines of solution regions (and written model answers) and of hidden test regions of a source notebook,
    except short ones and those that also appear outside any secret region of the notebook."""
    secret, public = [], []
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        inside = meta.get("solution") and cell.cell_type == "markdown" and not hidden_only
        for line in cell.source.splitlines():
            if re.search(r"### BEGIN (SOLUTION|HIDDEN TESTS)", line):
                inside = "HIDDEN" in line or not hidden_only
                continue
            if re.search(r"### END (SOLUTION|HIDDEN TESTS)", line):
                inside = False
                continue
            (secret if inside else public).append(line.strip())
    public_text = "\n".join(public)  # a line quoted in the instructions is no secret
    return [s for s in dict.fromkeys(secret)
            if len(s) >= 12 and not s.startswith("#") and s not in public_text]


# ------------------------------------------------------------------------------------------------------------
# Full marks, zero marks, and the registry of submissions
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_solution_notebook_validates(aid):
    from nbgrader.validator import Validator

    cfg = pipeline.load_config(ROOT)
    validator = Validator(config=cfg)
    validator.validate_all = True
    results = validator.validate(str(ROOT / "solutions" / aid / f"{aid}.ipynb"))
    assert results == {}, f"the instructor notebook of {aid} does not validate: {results}"


@pytest.mark.slow
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_solution_scores_every_autograded_point(graded, aid):
    g = graded(aid)
    parts = _parts(ROOT, aid)
    assert sum(parts.values()) == 100, f"{aid} must hold 100 autograded points, has {sum(parts.values())}"
    scores = g.gradebook(INSTRUCTOR, aid)
    assert {k: scores[k] for k in parts} == parts, g.results[INSTRUCTOR].hints
    assert g.results[INSTRUCTOR].autograded == 100 and g.results[INSTRUCTOR].status == "graded"


@pytest.mark.slow
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_untouched_release_scores_zero_on_every_part(graded, aid):
    g = graded(aid)
    scores = g.gradebook(UNTOUCHED, aid)
    assert all(scores[k] == 0 for k in _parts(ROOT, aid)), scores
    assert "not implemented yet" in _text(g.feedback(UNTOUCHED, aid))


def test_every_assignment_has_registered_cases():
    for aid in ASSIGNMENTS:
        kinds = [c.kind for c in cases_for(aid)]
        assert kinds.count("wrong") >= 5 and "correct" in kinds and "shortcut" in kinds, (
            f"tests/assignment_cases.py needs >= 5 wrong, 1 correct and 1 shortcut submission for {aid}")


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[f"{c.assignment}/{c.student}" for c in CASES])
def test_registered_submission(graded, case):
    g = graded(case.assignment)
    student = g.student_of(case)
    merged = g.bins[student]
    parts = _parts(ROOT, case.assignment)
    scores = g.gradebook(student, case.assignment)
    result = g.results[student]
    assert result.status == "graded", result.problems
    lost = {k for k, pts in parts.items() if scores[k] < pts}
    assert set(case.loses) <= lost, f"{case.description}: no points lost on {case.loses}; {result.hints}"
    expected = {k for c in merged for k in c.loses}
    names = ", ".join(c.student for c in merged)
    assert lost == expected, (f"{student} ({names}) lost points on {sorted(lost)}, expected exactly "
                              f"{sorted(expected)}; messages: {result.hints}")
    if case.kind == "shortcut":
        assert all(scores[k] == 0 for k in case.loses)
    text = _text(g.feedback(student, case.assignment))
    for phrase in case.feedback:
        assert phrase in text, f"the feedback of {case.student} does not say {phrase!r}"
    if case.kind == "shortcut":
        assert "is not available while your notebook is graded" in text


@pytest.mark.parametrize("aid", sorted({c.assignment for c in CASES}))
def test_packing_keeps_cases_apart_when_they_touch_the_same_cell_or_part(aid):
    bins = pack(cases_for(aid))
    for b in bins:
        cells = [cell for c in b for cell in {e.cell for e in c.edits}]
        parts = [k for c in b for k in set(c.loses)]
        assert len(cells) == len(set(cells)) and len(parts) == len(set(parts)), [c.student for c in b]
    assert sorted(c.student for b in bins for c in b) == sorted(c.student for c in cases_for(aid))


# ------------------------------------------------------------------------------------------------------------
# Feedback, grades and report
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_feedback_shows_no_hidden_test_and_no_solution(graded, aid):
    g = graded(aid)
    source = nbformat.read(ROOT / "solutions" / aid / f"{aid}.ipynb", as_version=4)
    hidden = [" ".join(line.split()) for line in _secret_lines(source, hidden_only=True)]
    solution = [" ".join(line.split()) for line in _secret_lines(source) if line not in hidden]
    assert hidden and solution, "the scan found no secret lines to look for"
    for student in g.results:
        text = _text(g.feedback(student, aid))
        assert "BEGIN HIDDEN TESTS" not in text and "coursekit/grading.py" not in text
        for line in hidden:
            assert line not in text, f"the feedback of {student} shows the hidden test line {line!r}"
    untouched = _text(g.feedback(UNTOUCHED, aid))
    for line in solution:
        assert line not in untouched, f"the feedback of an empty submission shows the solution line {line!r}"
    assert pipeline.HIDDEN_PLACEHOLDER in untouched
    # the scan can see code: the instructor's own answers do appear in the instructor's feedback
    instructor = _text(g.feedback(INSTRUCTOR, aid))
    assert sum(line in instructor for line in solution) >= len(solution) // 2


@pytest.mark.slow
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_grades_csv_report_and_progress(graded, aid):
    g = graded(aid)
    parts = _parts(ROOT, aid)
    with open(g.course / "grading" / "reports" / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(g.results)
    for student, row in rows.items():
        scores = g.gradebook(student, aid)
        assert row["assignment"] == aid
        assert {k: float(row[k]) for k in parts} == {k: scores[k] for k in parts}
        assert float(row["autograded"]) == sum(scores[k] for k in parts)
        assert float(row["autograded_max"]) == 100
    written = [gid for gid, kind, _ in pipeline._grade_cells(ROOT, aid) if kind != "code"]
    if written:
        assert rows[INSTRUCTOR]["needs_manual_grade"] == "True" and rows[INSTRUCTOR]["written"] == "0"
        assert all(w in rows[INSTRUCTOR] for w in written)
    report = (g.course / "grading" / "reports" / "report.md").read_text(encoding="utf-8")
    assert "| part | points | mean | lost points | most common problem |" in report
    for gid in parts:
        assert f"| {gid} |" in report
    wrong = [c for c in cases_for(aid) if c.kind == "wrong"][0]
    assert f"### {g.student_of(wrong)}:" in report and f"### {INSTRUCTOR}:" not in report
    n = len(g.results)
    progress = [line for line in g.lines if line.startswith("[")]
    # one line per submission as its result arrives (in any order when workers grade in parallel)
    assert sorted(int(re.match(r"\[(\d+)/", line).group(1)) for line in progress) == list(range(1, n + 1))
    assert all(re.fullmatch(rf"\[\d+/{n}\] \S+ {aid} … \d+(\.\d+)?/100.*", line) for line in progress)
    assert any(line.startswith("sigmoid") or "autograded total" in line for line in g.lines)
    analysis = (g.course / "grading" / "reports" / f"{aid}.html").read_text(encoding="utf-8")
    assert all(f">{gid}</th>" in analysis for gid in parts) and f"../feedback/{INSTRUCTOR}/{aid}/" in analysis


# ------------------------------------------------------------------------------------------------------------
# Robustness: broken submissions in a class, both layouts, regrading
# ------------------------------------------------------------------------------------------------------------


def _answers_by_part(aid: str) -> dict[str, str]:
    """Autograded part -> the instructor's code of the answer cell it tests (the answer cell before it)."""
    answers, out, last = instructor_answers(aid), {}, None
    for cell in nbformat.read(ROOT / "solutions" / aid / f"{aid}.ipynb", as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            last = answers[meta["grade_id"]]
        elif meta.get("grade") and cell.cell_type == "code" and last is not None:
            out[meta["grade_id"]] = last
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() + oct(p.stat().st_mode)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _robust_class(folder: Path, aid: str) -> None:
    """Both layouts in one class: flat LMS files and nbgrader folders, with broken submissions."""
    _write(student_notebook(aid), folder / f"alice_{aid}.ipynb")                   # flat, correct
    (folder / f"bob_{aid}.ipynb").write_text('{"cells": [ {"cell_type": "code", ', encoding="utf-8")
    (folder / "carol" / aid).mkdir(parents=True)                                    # no notebook at all
    (folder / "carol" / aid / "answers.txt").write_text("I could not upload the notebook\n", encoding="utf-8")
    _write(student_notebook(aid, [Edit("answer-sigmoid", "def sigmoid(z):",
                                       "import course_helpers_that_do_not_exist\n\n\ndef sigmoid(z):")]),
           folder / f"dave_{aid}.ipynb")                                            # raises at import
    edited = student_notebook(aid)
    first_code = next(c for c in edited.cells if c.cell_type == "code")
    first_code.source = "import course_helpers_that_do_not_exist\n" + first_code.source
    _write(edited, folder / f"fay_{aid}.ipynb")                                     # edits a provided cell
    _write(student_notebook(aid, [Edit("answer-best-threshold", "costs = [",
                                       "while True:\n        pass\n    costs = [")]),
           folder / "erin" / aid / f"{aid}.ipynb")                                  # loops, nbgrader layout
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not a submission")


@pytest.fixture(scope="module")
def robust(make_course, tmp_path_factory):
    if ROBUST_ASSIGNMENT not in ASSIGNMENTS:
        pytest.fail(f"{ROBUST_ASSIGNMENT} is missing from solutions/")
    course = make_course("robust")
    subs = tmp_path_factory.mktemp("robust-class")
    _robust_class(subs, ROBUST_ASSIGNMENT)
    before = _digest(subs)
    runs = []
    for force in (False, True):
        lines: list[str] = []
        results = pipeline.grade(course, subs, None, timeout=ROBUST_TIMEOUT, echo=lines.append, force=force)
        scores = {r.student: pipeline.read_scores(course, ROBUST_ASSIGNMENT, r.student) for r in results}
        runs.append(({r.student: r for r in results}, lines, scores))
    return course, subs, before, runs


@pytest.mark.slow
def test_broken_submissions_get_zero_with_a_reason_and_the_others_are_graded(robust):
    course, _, _, runs = robust
    results, lines, _ = runs[0]
    aid = ROBUST_ASSIGNMENT
    parts = _parts(ROOT, aid)
    assert set(results) == {"alice", "bob", "carol", "dave", "erin", "fay"}
    assert results["alice"].autograded == 100 and results["alice"].status == "graded"
    assert results["bob"].autograded == 0 and any("not valid JSON" in p for p in results["bob"].problems)
    assert results["carol"].autograded == 0 and any(f"no {aid}.ipynb" in p for p in results["carol"].problems)
    # dave's sigmoid cell fails at its import, so `sigmoid` is undefined: that part scores 0, and the parts
    # that call sigmoid are graded with a correct stand-in (0 only for what did not run)
    assert results["dave"].parts["sigmoid"] == 0
    assert results["dave"].autograded == 100 - parts["sigmoid"], results["dave"].parts
    assert any("ModuleNotFoundError" in p for p in results["dave"].problems), results["dave"].problems
    # fay edited a provided cell: the instructor's code ran instead, and the report says so
    assert results["fay"].autograded == 100
    fay = results["fay"].problems
    assert any("provided cell(s) 2 were edited" in p for p in fay), fay
    erin = results["erin"]
    assert erin.parts["best_threshold"] == 0 and erin.autograded == 100 - parts["best_threshold"]
    assert any("did not finish within" in p for p in erin.problems + list(erin.hints.values())), erin
    report = (course / "grading" / "reports" / "report.md").read_text(encoding="utf-8")
    for student, reason in [("bob", "not valid JSON"), ("carol", f"no {aid}.ipynb"),
                            ("dave", "ModuleNotFoundError"), ("erin", "did not finish within")]:
        section = report.split(f"### {student}:")[1].split("###")[0]
        assert reason in section, f"the report gives no reason for {student}: {section}"
    for student in ("bob", "carol"):
        assert "could not be graded" in _text(course / "grading" / "feedback" / student / aid / f"{aid}.html")
    assert any("notes.pdf" in line for line in lines if line.startswith("skipped"))


@pytest.mark.slow
def test_originals_are_never_modified(robust):
    _, subs, before, _ = robust
    assert _digest(subs) == before


@pytest.mark.slow
def test_grading_twice_gives_the_same_scores(robust):
    course, _, _, runs = robust
    (first, _, scores1), (second, _, scores2) = runs
    assert {s: {k: g["score"] for k, g in v.items()} for s, v in scores1.items()} == \
           {s: {k: g["score"] for k, g in v.items()} for s, v in scores2.items()}
    assert {s: r.parts for s, r in first.items()} == {s: r.parts for s, r in second.items()}
    submitted = course / "grading" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == ["alice", "dave", "erin", "fay"]
    unchanged: list[str] = []
    assert pipeline.grade(course, robust[1], None, timeout=ROBUST_TIMEOUT, echo=unchanged.append) == []
    assert sum("unchanged, not regraded" in line for line in unchanged) == len(first)


# ------------------------------------------------------------------------------------------------------------
# Fast unit tests of the pieces
# ------------------------------------------------------------------------------------------------------------


def test_collect_submissions_reads_both_layouts(tmp_path):
    nb = nbformat.v4.new_notebook()
    notebooks = {"hw1-logistic": ["hw1-logistic"], "hw2-x": ["hw2-x"]}
    nbformat.write(nb, tmp_path / "ann_hw1-logistic.ipynb")
    nbformat.write(nb, tmp_path / "bo_b_hw2-x.ipynb")
    (tmp_path / "cy" / "hw1-logistic").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "cy" / "hw1-logistic" / "hw1-logistic.ipynb")
    (tmp_path / "cy" / "hw1-logistic" / "timestamp.txt").write_text("2026-01-01 10:00:00 UTC")
    (tmp_path / "di" / "hw1-logistic").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "di" / "hw1-logistic" / "Untitled.ipynb")
    (tmp_path / "ed_hw1-logistic.ipynb").write_text("not json")
    (tmp_path / "random.ipynb").write_text("{}")
    subs, skipped = pipeline.collect_submissions(tmp_path, notebooks)
    found = {(s.student, s.assignment): s for s in subs}
    assert set(found) == {("ann", "hw1-logistic"), ("bo_b", "hw2-x"), ("cy", "hw1-logistic"),
                          ("di", "hw1-logistic"), ("ed", "hw1-logistic")}
    assert found[("cy", "hw1-logistic")].timestamp is not None
    assert found[("ann", "hw1-logistic")].files and not found[("ann", "hw1-logistic")].problems
    assert not found[("di", "hw1-logistic")].files
    assert any("Untitled.ipynb" in p for p in found[("di", "hw1-logistic")].problems)
    assert any("not valid JSON" in p for p in found[("ed", "hw1-logistic")].problems)
    assert any("random.ipynb" in s for s in skipped)
    only, _ = pipeline.collect_submissions(tmp_path, notebooks, only="hw2-x")
    assert [(s.student, s.assignment) for s in only] == [("bo_b", "hw2-x")]


def test_hide_hidden_tests_keeps_only_the_message():
    from coursekit.grading import MESSAGE_HINT

    message = "`sigmoid` is not right yet: 1 of 8 checks failed.\n" + MESSAGE_HINT + "not numerically stable"
    hidden = nbformat.v4.new_code_cell("# hidden\n### BEGIN HIDDEN TESTS\nsecret(f)\n### END HIDDEN TESTS")
    hidden.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="/x/coursekit/grading.py:3: Warning"),
        nbformat.v4.new_output("error", ename="AssertionError", evalue=message,
                               traceback=["Traceback", "File /x/coursekit/grading.py", "secret"])]
    passed = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nsecret_check(f)\n### END HIDDEN TESTS")
    passed.metadata["nbgrader"] = {"grade": True, "points": 5, "score": 5}
    public = nbformat.v4.new_code_cell("assert f(1) == 2")
    public.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=["tb"])]
    nb = nbformat.v4.new_notebook(cells=[hidden, passed, public])
    pre = pipeline.HideHiddenTests()
    for i, cell in enumerate(nb.cells):
        pre.preprocess_cell(cell, {}, i)
    assert hidden.source == passed.source == pipeline.HIDDEN_PLACEHOLDER
    assert [o.output_type for o in hidden.outputs] == ["error"]
    assert hidden.outputs[0].traceback == [f"AssertionError: {message}"]
    assert passed.outputs[0].text == "Passed.\n"
    assert public.source == "assert f(1) == 2" and public.outputs[0].traceback == ["tb"]


def test_grade_command_rejects_a_missing_folder_and_an_unknown_assignment(tmp_path, capsys):
    assert pipeline.grade_command(ROOT, tmp_path / "nope") == 2
    assert pipeline.grade_command(ROOT, tmp_path, assignment="hw9-none") == 2
    assert pipeline.grade_command(ROOT, tmp_path) == 2  # an empty folder: nothing to grade
    err = capsys.readouterr().err
    assert "not a folder" in err and "no assignment 'hw9-none'" in err and "no submissions" in err


def test_registry_edits_apply_to_the_current_solutions():
    for case in CASES:
        nb = student_notebook(case.assignment, case.edits)
        assert isinstance(nb, nbformat.NotebookNode)
    answers = instructor_answers(ROBUST_ASSIGNMENT)
    assert all("BEGIN SOLUTION" not in a for a in answers.values())
