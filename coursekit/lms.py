"""Grades for the learning-management system: Canvas's and Moodle's CSV import layouts, and the roster.

``coursekit grade ... --roster roster.csv`` maps the course's student ids (the names of the submission files
or folders) to the LMS's, and lists who did not submit. The roster is a CSV file with a header and the columns

============  =========================================================================================
student       the id used in the submissions folder (required)
lms_id        the LMS's user id (Canvas "ID", Moodle "ID number"); default: ``student``
name          the display name (Canvas "Student"); default: ``student``
email         Moodle's "Email address" (optional)
sis_user_id   Canvas "SIS User ID" (optional)
sis_login_id  Canvas "SIS Login ID" (optional)
section       Canvas "Section" (optional)
============  =========================================================================================

Written by :func:`write_exports` into ``grading/reports/``:

- ``canvas.csv``: Canvas's gradebook import layout: ``Student, ID, SIS User ID, SIS Login ID, Section``,
  then one column per assignment (its total: the autograded points plus the written answers graded so far),
  and a second row ``Points Possible``. A blank cell leaves Canvas's grade unchanged: a student on the roster
  who did not submit gets a blank, not a zero. Canvas imports one number per assignment; the split into
  autograded and written points is in ``grades.csv`` and in Moodle's feedback column.
- ``moodle.csv``: one row per student with ``ID number``, ``Email address``, one grade column (the total) and
  one feedback column per assignment; Moodle's "Import grades from CSV" maps ``ID number`` to the user and the
  grade and feedback columns to the grade items. The feedback says the autograded points, the written points
  (or that they are not graded yet), the total, and the instructor's comments from the gradebook.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from coursekit.reports import NOT_GRADED, StudentResult, comment_text

__all__ = ["RosterEntry", "read_roster", "write_exports", "feedback_text"]


@dataclass(frozen=True)
class RosterEntry:
    """One student of the roster."""

    student: str
    lms_id: str
    name: str
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


def read_roster(path: str | Path) -> list[RosterEntry]:
    """The roster at ``path`` (see the module's docstring); ValueError names what is wrong and where."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows or "student" not in rows[0]:
        raise ValueError(f"{path}: a roster needs a header with a 'student' column (and optionally lms_id, "
                         "name, email, sis_user_id, sis_login_id, section)")
    out, seen = [], set()
    for line, row in enumerate(rows, start=2):
        student = (row.get("student") or "").strip()
        if not student:
            raise ValueError(f"{path}, line {line}: the 'student' column is empty")
        if student in seen:
            raise ValueError(f"{path}, line {line}: the student {student!r} is listed twice")
        seen.add(student)
        get = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        out.append(RosterEntry(student, get.get("lms_id") or student, get.get("name") or student,
                               get.get("email", ""), get.get("sis_user_id", ""), get.get("sis_login_id", ""),
                               get.get("section", "")))
    return out


def _points(r: StudentResult) -> float:
    return r.total


def feedback_text(r: StudentResult) -> str:
    """Moodle's feedback of one submission: autograded, written (or not graded yet) and total points, then
    the instructor's comments."""
    written = r.written_text()
    if r.pending and written == NOT_GRADED:
        written = "written answers not graded yet"
    elif r.pending:
        written = f"written {r.written_points:g}/{r.written_max_points:g} (written answers not graded yet: " \
                  f"{', '.join(r.pending)})"
    else:
        written = f"written {written}"
    text = f"autograded {r.autograded:g}/{r.autograded_max:g}; {written}; total {r.total:g}/{r.total_max:g}"
    comments = comment_text(r)
    return text + (f". Comments: {comments}" if comments else "")


def write_exports(folder: Path, results: list[StudentResult], roster: list[RosterEntry] | None = None
                  ) -> tuple[dict[str, Path], list[str]]:
    """Write ``canvas.csv`` and ``moodle.csv`` into ``folder``; return their paths and the roster's students
    who submitted nothing (empty without a roster)."""
    aids = sorted({r.assignment for r in results})
    by = {(r.student, r.assignment): r for r in results}
    if roster is None:
        roster = [RosterEntry(s, s, s) for s in sorted({r.student for r in results})]
    listed = {e.student for e in roster}
    extra = sorted({r.student for r in results} - listed)  # graded but not on the roster: still exported
    entries = list(roster) + [RosterEntry(s, s, s) for s in extra]
    possible = {aid: next(r.total_max for r in results if r.assignment == aid) for aid in aids}
    folder.mkdir(parents=True, exist_ok=True)
    canvas, moodle = folder / "canvas.csv", folder / "moodle.csv"
    with canvas.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *aids])
        out.writerow(["Points Possible", "", "", "", "", *(f"{possible[a]:g}" for a in aids)])
        for e in entries:
            cells = [f"{_points(by[e.student, a]):g}" if (e.student, a) in by else "" for a in aids]
            out.writerow([e.name, e.lms_id, e.sis_user_id, e.sis_login_id, e.section, *cells])
    with moodle.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["ID number", "Email address", *(c for a in aids for c in (a, f"{a} feedback"))])
        for e in entries:
            cells = []
            for a in aids:
                r = by.get((e.student, a))
                if r is None:
                    cells += ["", "no submission"]
                    continue
                cells += [f"{_points(r):g}", feedback_text(r)]
            out.writerow([e.lms_id, e.email, *cells])
    missing = [e.student for e in roster if not any((e.student, a) in by for a in aids)]
    return {"canvas": canvas, "moodle": moodle}, missing
