"""Grading runs that stop, resume and grow: Ctrl-C mid-run, a rerun, a late folder, a missing sandbox.

Each test grades real hw1 notebooks through ``coursekit grade`` (a separate process, as an instructor runs
it) in a fresh course, and reads the outcome back from ``grades.csv``, the stored results and nbgrader's
gradebook.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from assignment_cases import Edit, student_notebook

from coursekit import feedback, pipeline

AID = "hw1-logistic"


def _interactive() -> None:
    """In the child before exec: Ctrl-C acts as on a terminal (a run started in the background, as CI may
    start the test suite, inherits SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cli(course: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "coursekit.cli", "grade", *args, "--root", str(course)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=course,
                            env=env or dict(os.environ, PYTHONUNBUFFERED="1"), start_new_session=True,
                            preexec_fn=_interactive)


def _rows(course: Path) -> list[dict]:
    with open(course / "grading" / "reports" / "grades.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _class(folder: Path, students: list[str], wrong: tuple[str, ...] = ()) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for s in students:
        edits = [Edit("answer-log-likelihood", "np.sum(", "np.mean(")] if s in wrong else []
        nbformat.write(student_notebook(AID, edits), folder / f"{s}_{AID}.ipynb")


@pytest.mark.slow
def test_ctrl_c_records_nothing_half_done_and_a_rerun_finishes_the_class(make_course, tmp_path):
    course = make_course("ctrl-c")
    students = ["ada", "bob", "cyd", "dee", "eve"]
    _class(tmp_path / "class", students, wrong=("cyd",))
    proc = _cli(course, str(tmp_path / "class"), "--assignment", AID, "--seed", "7")
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if sum(x.startswith("[") for x in seen) == 2:
            time.sleep(0.3)  # more submissions are in flight
            os.killpg(proc.pid, signal.SIGINT)
            break
    rest = proc.communicate(timeout=120)[0]
    assert proc.returncode == 130, "".join(seen) + rest
    assert "interrupted" in rest
    stored = sorted(p.stem for p in (course / "grading" / "results" / AID).glob("*.json"))
    assert 2 <= len(stored) < len(students) and set(stored) <= set(students), stored
    rows = _rows(course)
    assert sorted(r["student"] for r in rows) == stored
    assert all(r["autograded"] == "100" for r in rows if r["student"] != "cyd")
    # nothing of the sandbox survives the interruption
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "coursekit_worker" not in ps
    rerun = _cli(course, str(tmp_path / "class"), "--assignment", AID)
    out = rerun.communicate(timeout=600)[0]
    assert rerun.returncode == 0, out
    assert out.count("unchanged, not regraded") == len(stored)
    assert sorted(p.stem for p in (course / "grading" / "results" / AID).glob("*.json")) == students
    rows = _rows(course)
    assert [r["student"] for r in rows] == students, "every student once, none missing"
    scores = {r["student"]: float(r["autograded"]) for r in rows}
    assert scores == {"ada": 100, "bob": 100, "cyd": 85, "dee": 100, "eve": 100}


@pytest.mark.slow
def test_parallel_and_serial_runs_give_identical_gradebooks_and_csvs(make_course, tmp_path):
    _class(tmp_path / "class", ["ada", "bob", "cyd", "dee"], wrong=("bob",))
    outcome = {}
    for jobs in (1, 2):
        course = make_course(f"jobs{jobs}")
        results = pipeline.grade(course, tmp_path / "class", AID, echo=lambda s: None, seed=11, jobs=jobs)
        scores = {r.student: pipeline.read_scores(course, AID, r.student) for r in results}
        csv_text = (course / "grading" / "reports" / "grades.csv").read_text(encoding="utf-8")
        outcome[jobs] = ({s: {k: g["score"] for k, g in v.items()} for s, v in scores.items()},
                         [(r.student, r.parts, r.hints) for r in results], csv_text)
    assert outcome[1] == outcome[2]
    assert outcome[1][0]["bob"]["log_likelihood"] == 0 and outcome[1][0]["ada"]["log_likelihood"] == 15


@pytest.mark.slow
def test_a_late_folder_adds_students_and_removes_none(make_course, tmp_path):
    course = make_course("late")
    _class(tmp_path / "on-time", ["ada", "bob"])
    _class(tmp_path / "late", ["zed"], wrong=("zed",))
    lines: list[str] = []
    pipeline.grade(course, tmp_path / "on-time", AID, echo=lines.append, seed=3)
    pipeline.grade(course, tmp_path / "late", AID, echo=lines.append)
    rows = {r["student"]: r for r in _rows(course)}
    assert sorted(rows) == ["ada", "bob", "zed"]
    assert rows["zed"]["log_likelihood"] == "0" and rows["ada"]["autograded"] == "100"
    report = (course / "grading" / "reports" / "report.md").read_text(encoding="utf-8")
    assert "3 submissions" in report


@pytest.mark.slow
def test_an_edited_submission_is_regraded_and_force_regrades_all(make_course, tmp_path):
    course = make_course("rerun")
    _class(tmp_path / "class", ["ada", "bob"])
    lines: list[str] = []
    pipeline.grade(course, tmp_path / "class", AID, echo=lines.append, seed=5)
    _class(tmp_path / "class", ["bob"], wrong=("bob",))
    again = pipeline.grade(course, tmp_path / "class", AID, echo=lines.append)
    assert [r.student for r in again] == ["bob"] and again[0].parts["log_likelihood"] == 0
    forced = pipeline.grade(course, tmp_path / "class", AID, echo=lines.append, force=True)
    assert [r.student for r in forced] == ["ada", "bob"]


def test_without_bubblewrap_grading_refuses_with_what_to_do(make_course, tmp_path, monkeypatch):
    course = make_course("no-bwrap")
    _class(tmp_path / "class", ["ada"])
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(pipeline.PipelineError, match="bubblewrap.*apt-get install bubblewrap.*--no-sandbox"):
        pipeline.grade(course, tmp_path / "class", AID, echo=lambda s: None)
    assert not (course / "grading" / "results").exists(), "nothing is graded when the sandbox is missing"


@pytest.mark.slow
def test_no_sandbox_is_said_in_the_report(make_course, tmp_path):
    course = make_course("unsafe")
    _class(tmp_path / "class", ["ada"])
    results = pipeline.grade(course, tmp_path / "class", AID, echo=lambda s: None, sandbox=False, seed=1)
    assert results[0].autograded == 100
    report = (course / "grading" / "reports" / "report.md").read_text(encoding="utf-8")
    assert "WITHOUT the sandbox" in report


def test_the_secret_seed_is_made_once_kept_private_and_settable(tmp_path):
    seed = pipeline.secret_seed(tmp_path)
    assert seed == pipeline.secret_seed(tmp_path)
    path = tmp_path / "grading" / pipeline.SEED_FILE
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert pipeline.secret_seed(tmp_path, 42) == 42 == pipeline.secret_seed(tmp_path)
    shutil.rmtree(tmp_path / "grading")
    assert pipeline.secret_seed(tmp_path) != 42 or pipeline.secret_seed(tmp_path, 43) == 43


@pytest.mark.slow
def test_lms_exports_map_the_roster_and_list_who_did_not_submit(make_course, tmp_path):
    course = make_course("lms")
    _class(tmp_path / "class", ["ada", "bob", "walk-in"], wrong=("bob",))
    roster = tmp_path / "roster.csv"
    roster.write_text("student,lms_id,name,email,section\nada,1001,Ada L.,ada@uni.edu,A\n"
                      "bob,1002,Bob M.,bob@uni.edu,B\nzoe,1003,Zoe N.,zoe@uni.edu,A\n", encoding="utf-8")
    pipeline.grade(course, tmp_path / "class", AID, echo=lambda s: None, seed=2, roster=roster)
    reports = course / "grading" / "reports"
    with open(reports / "canvas.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", AID]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 110  # 100 autograded + 10 written
    by_id = {r[1]: r for r in rows[2:]}
    assert by_id["1001"][0] == "Ada L." and float(by_id["1001"][5]) == 100 and by_id["1001"][4] == "A"
    assert float(by_id["1002"][5]) == 85
    assert by_id["1003"][5] == "", "no submission: a blank leaves the LMS's grade unchanged"
    assert by_id["walk-in"][5] == "100", "graded but not on the roster: still exported, under its own id"
    with open(reports / "moodle.csv", encoding="utf-8") as f:
        moodle = {r["ID number"]: r for r in csv.DictReader(f)}
    assert moodle["1002"][AID] == "85"
    assert "written answers not graded yet" in moodle["1002"][f"{AID} feedback"]
    assert moodle["1003"][f"{AID} feedback"] == "no submission"
    assert moodle["1001"]["Email address"] == "ada@uni.edu"
    report = (reports / "report.md").read_text(encoding="utf-8")
    assert "## On the roster, no submission" in report and "- zoe" in report


def test_a_broken_roster_is_refused_with_where(make_course, tmp_path):
    course = make_course("bad-roster")
    _class(tmp_path / "class", ["ada"])
    roster = tmp_path / "roster.csv"
    roster.write_text("student,lms_id\nada,1\nada,2\n", encoding="utf-8")
    with pytest.raises(pipeline.PipelineError, match="line 3: the student 'ada' is listed twice"):
        pipeline.grade(course, tmp_path / "class", AID, echo=lambda s: None, roster=roster)


@pytest.mark.slow
def test_a_changed_instructor_notebook_is_synced_and_an_unchanged_one_reused(make_course, tmp_path):
    course = make_course("sync")
    _class(tmp_path / "class", ["ada"])
    pipeline.grade(course, tmp_path / "class", AID, echo=lambda s: None, seed=4)
    cache = course / "grading" / "release-cache" / AID / "hash"
    first = cache.read_text()
    pipeline.grade(course, tmp_path / "class", AID, echo=lambda s: None, force=True)
    assert cache.read_text() == first, "an unchanged solutions/ folder is not generated again"
    path = course / "solutions" / AID / f"{AID}.ipynb"
    nb = nbformat.read(path, as_version=4)
    hidden = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "best_threshold")
    hidden.metadata.nbgrader["points"] = 6
    nbformat.write(nb, path)
    lines: list[str] = []
    results = pipeline.grade(course, tmp_path / "class", AID, echo=lines.append)
    assert cache.read_text() != first and results and results[0].max_parts["best_threshold"] == 6
    assert any("out of date" in line for line in lines), "assignments/ no longer matches: the run says so"
    assert float(_rows(course)[0]["autograded_max"]) == 101


@pytest.mark.slow
def test_the_feedback_rendered_by_the_worker_is_nbgraders_own_page(make_course, tmp_path):
    """The grading worker renders each feedback page from its verdicts (no gradebook read); nbgrader's
    ``generate_feedback``, run afterwards from the gradebook, must write the very same page (with the same
    MathJax: the course's own copy in the feedback folder, no CDN)."""
    course = make_course("feedback")
    _class(tmp_path / "class", ["ada", "bob"], wrong=("bob",))
    pipeline.grade(course, tmp_path / "class", AID, echo=lambda line: None, seed=3, jobs=1)
    cfg = pipeline.load_config(course)
    pages = {s: course / "grading" / "feedback" / s / AID / f"{AID}.html" for s in ("ada", "bob")}
    rendered = {s: p.read_text(encoding="utf-8") for s, p in pages.items()}
    assert "Score: 100.0 / 110.0" in rendered["ada"] and "log_likelihood" in rendered["bob"]
    api = pipeline._api(cfg)
    mathjax = course / "grading" / "feedback" / "_static" / "mathjax" / "tex-chtml.js"
    assert mathjax.is_file()
    for student, page in pages.items():
        assert "cdnjs" not in rendered[student]
        assert 'src="../../_static/mathjax/tex-chtml.js"' in rendered[student]
        assert (page.parent / "../../_static/mathjax/tex-chtml.js").resolve() == mathjax.resolve()
        page.unlink()
        assert api.generate_feedback(AID, student, force=True)["success"]
        written = ["written-accuracy", "written-threshold"]  # not graded yet: "0.0" would be a false score
        assert rendered[student].count("not graded yet / 5.0") == 2 * len(written)
        assert feedback.course_page(page.read_text(encoding="utf-8"), written) == rendered[student], student
