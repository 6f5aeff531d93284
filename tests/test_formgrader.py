"""The instructor's hand-grading path, end to end, and the written points in every export.

The browser test grades a small hw1 class with ``coursekit grade`` in a fresh course, starts ``coursekit
formgrader`` there (a real Jupyter server on 127.0.0.1, stopped with Ctrl-C at the end), and in headless
Chromium opens formgrader, goes to Manual Grading and gives written answers their points and a comment by
typing into formgrader's own form. Then ``coursekit feedback`` regenerates the feedback and the reports, and
the points and comments must be in ``grades.csv``, the LMS exports, the item analysis and the feedback page
(without the hidden tests); a regrade with ``--force`` (one student's file replaced by one that cannot be
graded) must keep them all.

The other tests build the CSV, the report and the exports from hand-made results, and check the columns
against the numbers they were given: ``total = autograded + written`` and "not graded yet" exactly where no
one has entered a score.
"""

from __future__ import annotations

import csv
import html
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from assignment_cases import Edit, student_notebook

from coursekit import formgrader, pipeline
from coursekit.item_analysis import write_item_analysis
from coursekit.lms import write_exports
from coursekit.reports import NOT_GRADED, StudentResult, write_csv, write_report

ROOT = Path(__file__).resolve().parent.parent
AID = "hw1-logistic"
WRITTEN = ("written-accuracy", "written-threshold")
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
WAIT = 60  # seconds for a page, a save, the server
ADA_COMMENT = "Clear argument; say why accuracy misleads when only 5% of the loans default."
BOB_COMMENT = "The threshold should come from the costs, not from 0.5."


# ------------------------------------------------------------------------------------------------------------
# Unit tests: the columns, from hand-made results
# ------------------------------------------------------------------------------------------------------------

MAX_PARTS = {"sigmoid": 40.0, "gradient": 60.0}
MAX_WRITTEN = {"w1": 5.0, "w2": 5.0}
CELLS = {"hw": [("sigmoid", "code", 40.0), ("gradient", "code", 60.0), ("w1", "markdown", 5.0),
                ("w2", "markdown", 5.0)]}
CASES = {  # student -> (autograded parts, written parts (None: not graded yet), comments)
    "all": ({"sigmoid": 40.0, "gradient": 45.0}, {"w1": 4.0, "w2": 5.0}, {"w1": "Good; cite the base rate."}),
    "some": ({"sigmoid": 40.0, "gradient": 60.0}, {"w1": 4.0, "w2": None}, {"w1": "Say why.\nThen how."}),
    "none": ({"sigmoid": 0.0, "gradient": 30.0}, {"w1": None, "w2": None}, {}),
    "zero": ({"sigmoid": 0.0, "gradient": 0.0}, {"w1": 0.0, "w2": 0.0}, {}),
}


def _results() -> list[StudentResult]:
    return [StudentResult(s, "hw", dict(parts), dict(MAX_PARTS), dict(written), dict(MAX_WRITTEN), "graded",
                          comments=dict(comments)) for s, (parts, written, comments) in CASES.items()]


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_grades_csv_shows_autograded_written_or_not_graded_yet_and_total(tmp_path: Path) -> None:
    write_csv(tmp_path / "grades.csv", _results(), CELLS)
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(CASES)
    for student, (parts, written, comments) in CASES.items():
        row = rows[student]
        auto, graded = sum(parts.values()), sum(v for v in written.values() if v is not None)
        for gid, score in written.items():
            assert row[gid] == (NOT_GRADED if score is None else f"{score:g}"), (student, gid)
        assert float(row["autograded"]) == auto and float(row["autograded_max"]) == 100
        assert float(row["written"]) == graded and float(row["written_max"]) == 10
        assert float(row["total"]) == float(row["autograded"]) + float(row["written"]) == auto + graded
        assert float(row["total_max"]) == 110
        assert row["needs_manual_grade"] == str(any(v is None for v in written.values()))
        for gid, text in comments.items():
            assert f"{gid}: {' '.join(text.split())}" in row["comments"]
        assert bool(row["comments"]) == bool(comments)


def test_lms_exports_and_report_carry_the_same_split_and_total(tmp_path: Path) -> None:
    results = _results()
    write_exports(tmp_path, results)
    canvas = _read_csv(tmp_path / "canvas.csv")
    assert canvas[1][0] == "Points Possible" and float(canvas[1][5]) == 110
    totals = {r[1]: float(r[5]) for r in canvas[2:]}
    with open(tmp_path / "moodle.csv", newline="", encoding="utf-8") as f:
        moodle = {r["ID number"]: r for r in csv.DictReader(f)}
    report = tmp_path / "report.md"
    write_report(report, results, CELLS, 60, [])
    text = report.read_text(encoding="utf-8")
    for student, (parts, written, comments) in CASES.items():
        auto, graded = sum(parts.values()), sum(v for v in written.values() if v is not None)
        pending = [g for g, v in written.items() if v is None]
        assert totals[student] == auto + graded, student
        assert float(moodle[student]["hw"]) == auto + graded
        feedback = moodle[student]["hw feedback"]
        assert f"autograded {auto:g}/100" in feedback and f"total {auto + graded:g}/110" in feedback
        assert ("not graded yet" in feedback) == bool(pending), feedback
        if pending and len(pending) < len(written):
            assert f"written {graded:g}/10" in feedback and ", ".join(pending) in feedback
        if not pending:
            assert f"written {graded:g}/10" in feedback
        for text_ in comments.values():
            assert " ".join(text_.split()) in feedback
        shown = NOT_GRADED if len(pending) == len(written) else f"{graded:g}/10"
        assert f"| {student} | {auto:g}/100 | {shown}" in text and f"| {auto + graded:g}/110 |" in text


def test_item_analysis_lists_the_same_written_points_and_totals(tmp_path: Path) -> None:
    results = _results()
    md, _ = write_item_analysis(tmp_path, "hw", results, MAX_PARTS, tmp_path / "feedback")
    text = md.read_text(encoding="utf-8")
    for student, (parts, written, _) in CASES.items():
        auto, graded = sum(parts.values()), sum(v for v in written.values() if v is not None)
        pending = [g for g, v in written.items() if v is None]
        shown = NOT_GRADED if len(pending) == len(written) else f"{graded:g}/10"
        assert f"| {student} | {auto:g} | {shown}" in text, student
        row = next(line for line in text.splitlines() if line.startswith(f"| {student} |"))
        assert f"| {auto + graded:g} |" in row


# ------------------------------------------------------------------------------------------------------------
# Bad input to the commands
# ------------------------------------------------------------------------------------------------------------


def test_formgrader_and_feedback_without_a_gradebook_say_to_grade_first(make_course) -> None:
    course = make_course("no-gradebook")
    with pytest.raises(formgrader.FormgraderError, match=r"no gradebook yet .*run `make grade"):
        formgrader.start(course)
    done = subprocess.run([sys.executable, "-m", "coursekit.cli", "feedback", "--root", str(course)],
                          capture_output=True, text=True, cwd=course)
    assert done.returncode == 2 and "run `make grade" in done.stderr


def test_formgrader_refuses_a_port_in_use(make_course) -> None:
    course = make_course("busy-port")
    (course / "grading").mkdir()
    pipeline._gradebook(pipeline.load_config(course)).close()  # an empty gradebook, as after `make release`
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(formgrader.FormgraderError, match=f"port {port} on 127.0.0.1 is in use"):
            formgrader.start(course, port)


def test_the_course_configures_no_exchange_and_formgrader_knows_it(make_course) -> None:
    course = make_course("no-exchange")
    api = pipeline._api(pipeline.load_config(course))
    assert isinstance(api.exchange.List(coursedir=api.coursedir, parent=api), formgrader.NoExchangeList)
    assert api.exchange_missing and not api.exchange_is_functional
    assert api.get_released_assignments() == set()


# ------------------------------------------------------------------------------------------------------------
# The browser test
# ------------------------------------------------------------------------------------------------------------


def _interactive() -> None:
    """In the child before exec: Ctrl-C acts as on a terminal (a test run started in the background inherits
    SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "coursekit.cli", *args, "--root", str(course)],
                          capture_output=True, text=True, cwd=course, timeout=900)
    assert done.returncode == 0, f"coursekit {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def graded(make_course, tmp_path_factory) -> tuple[Path, Path]:
    """A course with a graded class of two (ada: correct; bob: one mistake); returns (course, class)."""
    course = make_course("formgrader")
    folder = tmp_path_factory.mktemp("class")
    nbformat.write(student_notebook(AID), folder / f"ada_{AID}.ipynb")
    mistake = [Edit("answer-log-likelihood", "np.sum(", "np.mean(")]
    nbformat.write(student_notebook(AID, mistake), folder / f"bob_{AID}.ipynb")
    _cli(course, "grade", str(folder), "--assignment", AID, "--seed", "5", "--jobs", "2")
    return course, folder


@pytest.fixture(scope="module")
def server(graded) -> Iterator[str]:
    """``coursekit formgrader`` on the graded course (a free port); yields formgrader's URL with its token,
    and stops the server with Ctrl-C afterwards."""
    course, _ = graded
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "coursekit.cli", "formgrader", "--root", str(course),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=course, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                            start_new_session=True, preexec_fn=_interactive)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("formgrader: "):
                url = line.split(": ", 1)[1].strip()
                break
        else:
            pytest.fail("coursekit formgrader did not start:\n" + "".join(lines), pytrace=False)
        assert url.startswith(f"http://127.0.0.1:{port}/formgrader?token=")
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail("coursekit formgrader did not stop on Ctrl-C")
    assert proc.returncode == 0, "coursekit formgrader did not stop cleanly on Ctrl-C"
    with pytest.raises(ConnectionRefusedError):  # the Jupyter server is gone with it
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not found: install the headless browser with `make browser`",
                    pytrace=False)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not go online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1280,1400",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        browser.set_page_load_timeout(WAIT)
        try:
            yield browser
        finally:
            browser.quit()


def _hand_entries(course: Path, student: str) -> dict[str, tuple[float | None, str | None]]:
    """grade id -> (manual score, manual comment) of a submission, read from the gradebook."""
    with pipeline._gradebook(pipeline.load_config(course)) as gb:
        sub = gb.find_submission(AID, student)
        comments = {c.name: c.manual_comment for nb in sub.notebooks for c in nb.comments}
        return {g.name: (g.manual_score, comments.get(g.name)) for nb in sub.notebooks for g in nb.grades}


def _grade_by_hand(driver, url: str, course: Path, student: str, cell: str, points: int,
                   comment: str) -> None:
    """In formgrader: Manual Grading → the assignment → its notebook → the student; type the points and the
    comment of one written answer into the form; wait until formgrader has saved both."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, WAIT)
    driver.get(url)
    wait.until(ec.element_to_be_clickable((By.LINK_TEXT, "Manual Grading"))).click()
    wait.until(ec.element_to_be_clickable(
        (By.CSS_SELECTOR, f"td a[href$='/formgrader/gradebook/{AID}']"))).click()
    wait.until(ec.element_to_be_clickable(
        (By.CSS_SELECTOR, f"td a[href$='/formgrader/gradebook/{AID}/{AID}']"))).click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "a.name-hidden")))
    for eye in driver.find_elements(By.CSS_SELECTOR, ".glyphicon-eye-open"):
        if eye.is_displayed():
            eye.click()  # show the students' names instead of "Submission #n"
    # move the pointer off the eyes so that their tooltips go away and do not cover the names
    ActionChains(driver).move_to_element(driver.find_element(By.CSS_SELECTOR, ".breadcrumb")).perform()
    wait.until(ec.invisibility_of_element_located((By.CSS_SELECTOR, ".tooltip")))
    wait.until(ec.element_to_be_clickable((By.LINK_TEXT, student))).click()
    deadline = time.monotonic() + WAIT
    while True:  # type as a grader does; on a slow machine the page may bind its handlers after the first try
        score = wait.until(ec.element_to_be_clickable((By.ID, cell)))
        score.clear()
        score.send_keys(str(points), Keys.TAB)
        box = wait.until(ec.element_to_be_clickable((By.ID, f"{cell}-comment")))
        box.clear()
        box.send_keys(comment, Keys.TAB)
        retry = time.monotonic() + 15
        while _hand_entries(course, student).get(cell) != (points, comment) and time.monotonic() < retry:
            time.sleep(0.2)
        if _hand_entries(course, student).get(cell) == (points, comment):
            return
        assert time.monotonic() < deadline, f"formgrader did not save {cell} of {student}: " \
                                            f"{_hand_entries(course, student).get(cell)}"


def _rows(course: Path) -> dict[str, dict[str, str]]:
    with open(course / "grading" / "reports" / "grades.csv", newline="", encoding="utf-8") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def _feedback(course: Path, student: str) -> str:
    return (course / "grading" / "feedback" / student / AID / f"{AID}.html").read_text(encoding="utf-8")


def _check_ada(course: Path) -> None:
    """ada's 4 points and comment are in grades.csv, both LMS exports, the item analysis and her feedback."""
    row = _rows(course)["ada"]
    assert row["written-accuracy"] == "4" and row["written-threshold"] == NOT_GRADED
    assert float(row["written"]) == 4 and float(row["autograded"]) == 100
    assert float(row["total"]) == float(row["autograded"]) + 4
    assert row["needs_manual_grade"] == "True"
    assert f"written-accuracy: {ADA_COMMENT}" in row["comments"]
    reports = course / "grading" / "reports"
    canvas = {r[0]: r for r in _read_csv(reports / "canvas.csv")}
    assert float(canvas["ada"][5]) == float(row["total"])
    with open(reports / "moodle.csv", newline="", encoding="utf-8") as f:
        moodle = {r["ID number"]: r for r in csv.DictReader(f)}
    assert float(moodle["ada"][AID]) == float(row["total"])
    assert "written 4/10" in moodle["ada"][f"{AID} feedback"]
    assert ADA_COMMENT in moodle["ada"][f"{AID} feedback"]
    item = (reports / f"{AID}.md").read_text(encoding="utf-8")
    assert f"| ada | 100 | 4/10 ({NOT_GRADED}: written-threshold) | {float(row['total']):g} |" in item
    page = html.unescape(_feedback(course, "ada"))
    assert ADA_COMMENT in page
    assert 'href="#written-accuracy">Written response</a> (Score: 4.0 / 5.0)' in page
    assert "BEGIN HIDDEN TESTS" not in page and pipeline.HIDDEN_PLACEHOLDER in page


@pytest.mark.slow
def test_a_score_and_comment_entered_in_formgrader_reach_every_export_and_survive_a_regrade(
        graded, server, driver) -> None:
    course, folder = graded
    _grade_by_hand(driver, server, course, "ada", "written-accuracy", 4, ADA_COMMENT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / "formgrader-manual-grading.png"))
    _grade_by_hand(driver, server, course, "bob", "written-threshold", 3, BOB_COMMENT)
    assert NOT_GRADED in _rows(course)["ada"]["written-accuracy"], "grades.csv changed before the export"

    _cli(course, "feedback")
    _check_ada(course)
    page = html.unescape(_feedback(course, "ada"))
    assert 'href="#written-threshold">Written response</a> (Score: not graded yet / 5.0)' in page
    bob = _rows(course)["bob"]
    assert bob["written-threshold"] == "3" and float(bob["total"]) == float(bob["autograded"]) + 3 == 88

    # regrade the class: ada unchanged, bob's file replaced by one that cannot be graded
    (folder / f"bob_{AID}.ipynb").write_text("{ this is not a notebook", encoding="utf-8")
    _cli(course, "grade", str(folder), "--assignment", AID, "--force", "--jobs", "2")
    _check_ada(course)
    bob = _rows(course)["bob"]
    assert bob["status"] != "graded" and float(bob["autograded"]) == 0
    assert bob["written-threshold"] == "3" and f"written-threshold: {BOB_COMMENT}" in bob["comments"]
    assert float(bob["total"]) == 3
    assert _hand_entries(course, "bob")["written-threshold"] == (3, BOB_COMMENT)
    log = (course / "grading" / formgrader.LOG_FILE).read_text(encoding="utf-8")
    assert "Unwritable directory" not in log and " 500 " not in log
