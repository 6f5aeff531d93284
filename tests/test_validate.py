"""Validate means something: nbgrader's Validate and ``coursekit check`` fail on the release and on a failing
public test, pass with every part answered, and agree with each other.

Each autograded part's grade cell holds its public tests (visible, ending with ``<part>: public tests
passed``) before the hidden block; the release keeps the public tests, so Validate runs them. The trusted
grader never runs that cell in the student's process: it replaces the whole cell by the hidden check.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from assignment_cases import Edit, student_notebook

from coursekit import pipeline
from coursekit.check import check_notebook, format_report, main

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = pipeline.assignment_ids(ROOT)


def _graded_cells(aid: str) -> tuple[list[str], list[str]]:
    """(autograded part ids, written answer ids) of an assignment, from the instructor's notebook."""
    cells = pipeline._grade_cells(ROOT, aid)
    return [g for g, kind, _ in cells if kind == "code"], [g for g, kind, _ in cells if kind != "code"]


def _write(nb: nbformat.NotebookNode, folder: Path, aid: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{aid}.ipynb"
    nbformat.write(nb, path)
    return path


def _nbgrader_validate(path: Path) -> str:
    """The real ``nbgrader validate`` command, as the toolbar's Validate button runs it."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)], cwd=path.parent, env=env,
                          capture_output=True, text=True, timeout=600)
    return done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_the_release_fails_on_every_part(aid, tmp_path):
    """With every answer written, Validate passes: ``test_solution_notebook_validates`` (test_pipeline.py)
    for every assignment, and the test below through ``nbgrader validate`` and ``coursekit check`` for hw1."""
    parts, written = _graded_cells(aid)
    release = _write(student_notebook(aid, answered=False), tmp_path / "release", aid)
    report = check_notebook(release)
    assert not report.passed
    assert {p.part for p in report.parts if not p.ok} == set(parts) | set(written), format_report(report)
    assert [p.part for p in report.parts if p.kind == "code"] == parts
    assert all(p.message for p in report.parts if p.kind == "code"), format_report(report)
    assert sum("not answered yet" in p.message for p in report.parts) >= len(parts) - 1, format_report(report)
    executed = nbformat.read(release, as_version=4)  # check_notebook leaves the file as it was
    assert all(c.get("outputs", []) == [] for c in executed.cells if c.cell_type == "code")


@pytest.mark.slow
def test_check_and_nbgrader_validate_agree_on_a_failing_public_test(tmp_path, capsys):
    aid = "hw1-logistic"
    wrong = Edit("answer-expected-cost", "(cost_fn * fn + cost_fp * fp)", "(cost_fn * fp + cost_fp * fn)")
    path = _write(student_notebook(aid, [wrong]), tmp_path, aid)
    out = _nbgrader_validate(path)
    # the part's own cell fails, and best_threshold's, whose public test uses expected_cost
    assert "VALIDATION FAILED ON 2 CELL(S)" in out, out
    for part in ("expected_cost", "best_threshold"):
        assert f'print("{part}: public tests passed")' in out, out
    assert main([str(path)]) == 1
    table = capsys.readouterr().out
    failing = [line for line in table.splitlines() if "  FAILS  " in line]
    assert [line.split()[0] for line in failing] == ["expected_cost", "best_threshold"], table
    assert "AssertionError: at t = 0 every good loan is refused" in failing[0]
    assert "book/classification.html#sec-costs" in table

    fixed = _write(student_notebook(aid), tmp_path / "fixed", aid)
    assert "Success! Your notebook passes all the tests." in _nbgrader_validate(fixed)
    assert main([str(fixed)]) == 0
    table = capsys.readouterr().out
    assert "Validate: passes" in table and "FAILS" not in table and "NOT WRITTEN" not in table


def test_a_public_test_cell_says_that_it_passed(tmp_path):
    """Each autograded part's cell ends its visible code by printing one line, so that "passed" differs from
    "did not run"; the hidden block follows it and is gone from the release."""
    for aid in ASSIGNMENTS:
        parts, _ = _graded_cells(aid)
        nb = nbformat.read(ROOT / "assignments" / aid / f"{aid}.ipynb", as_version=4)
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        for part in parts:
            source = cells[part].source
            assert source.rstrip().endswith(f'print("{part}: public tests passed")'), (aid, part)
            assert "assert" in source and "BEGIN HIDDEN TESTS" not in source, (aid, part)


def test_check_names_an_unreadable_notebook(tmp_path, capsys):
    bad = tmp_path / "hw1-logistic.ipynb"
    bad.write_text("{ not json", encoding="utf-8")
    assert main([str(bad)]) == 2
    assert "not a readable notebook" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.ipynb")]) == 2
