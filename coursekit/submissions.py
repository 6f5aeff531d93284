"""Finding a class's submissions in a folder: nbgrader's layout or a flat LMS export, with a reason for every
file that is not graded. Used by :func:`coursekit.pipeline.grade`; it only reads the folder."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = ["Submission", "collect_submissions"]




@dataclass
class Submission:
    """One student's submission of one assignment, as found in the submissions folder."""

    student: str
    assignment: str
    files: dict[str, Path] = field(default_factory=dict)
    """Notebook name -> the original file (only readable, valid notebooks)."""
    timestamp: Path | None = None
    problems: list[str] = field(default_factory=list)
    """Why some expected notebooks cannot be graded (missing, not valid JSON, ...)."""


_STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]*")


def _check_notebook(path: Path) -> str | None:
    """Why ``path`` is not a gradable notebook, or ``None``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path.name} cannot be read as text ({type(exc).__name__})"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return (f"{path.name} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}): "
                "the file is damaged or is not a notebook")
    try:
        nb = nbformat.reads(text, as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("it has no list of cells")
    except Exception as exc:  # noqa: BLE001 - any reading error makes it ungradable
        return f"{path.name} is not a Jupyter notebook ({type(exc).__name__}: {exc})"
    return None


def collect_submissions(folder: str | os.PathLike, notebooks: dict[str, list[str]],
                        only: str | None = None) -> tuple[list[Submission], list[str]]:
    """Find the submissions in ``folder``.

    Parameters
    ----------
    folder : path
        nbgrader's layout ``<student>/<assignment>/<notebook>.ipynb`` (also ``<student>/<notebook>.ipynb``),
        or a flat LMS export ``<student>_<assignment>.ipynb`` (or ``<student>_<notebook>.ipynb``); both may
        be mixed.
    notebooks : dict
        Assignment id -> its notebook names (from ``solutions/``).
    only : str, optional
        Keep only this assignment.

    Returns
    -------
    submissions : list of Submission, sorted by assignment and student
    skipped : list of str
        Files and folders that were not recognised, with the reason.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    by_name = {aid: aid for aid in notebooks} | {nb: aid for aid, nbs in notebooks.items() for nb in nbs}
    found: dict[tuple[str, str], Submission] = {}
    skipped: list[str] = []

    def submission(student: str, aid: str) -> Submission:
        return found.setdefault((student, aid), Submission(student, aid))

    def add(student: str, aid: str, nb: str, path: Path) -> None:
        sub = submission(student, aid)
        if nb in sub.files:
            skipped.append(f"{path}: a second copy of {student}'s {nb}.ipynb (kept {sub.files[nb]})")
            return
        problem = _check_notebook(path)
        if problem:
            sub.problems.append(problem)
        else:
            sub.files[nb] = path

    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            skipped.append(f"{entry}: a hidden file (its name starts with a dot); name a submission "
                           "<student>_<assignment>.ipynb")
            continue
        if entry.is_dir():
            student = entry.name
            if not _STUDENT_ID.fullmatch(student):
                skipped.append(f"{entry}: not a valid student id (letters, digits, _ . @ -)")
                continue
            for item in sorted(entry.iterdir()):
                if item.is_dir() and item.name in notebooks:
                    sub = submission(student, item.name)
                    if (item / "timestamp.txt").is_file():
                        sub.timestamp = item / "timestamp.txt"
                    for nb in notebooks[item.name]:
                        if (item / f"{nb}.ipynb").is_file():
                            add(student, item.name, nb, item / f"{nb}.ipynb")
                    others = sorted(p.name for p in item.iterdir() if p.suffix == ".ipynb"
                                    and p.stem not in notebooks[item.name])
                    if others:
                        sub.problems.append(f"unexpected notebook(s) {', '.join(others)} (not graded)")
                elif item.is_file() and item.suffix == ".ipynb" and item.stem in by_name:
                    aid = by_name[item.stem]
                    nb = item.stem if item.stem in notebooks[aid] else notebooks[aid][0]
                    add(student, aid, nb, item)
                else:
                    skipped.append(f"{item}: not an assignment folder or notebook of {student}")
        elif entry.suffix == ".ipynb":
            match = None
            for key in sorted(by_name, key=len, reverse=True):
                if entry.stem.endswith("_" + key) and len(entry.stem) > len(key) + 1:
                    match = (entry.stem[: -len(key) - 1], key)
                    break
            if match is None:
                skipped.append(f"{entry}: not named <student>_<assignment>.ipynb for a known assignment")
                continue
            if not _STUDENT_ID.fullmatch(match[0]):
                skipped.append(f"{entry}: the student id {match[0]!r} may hold only letters, digits, _ . @ -")
                continue
            student, key = match
            aid = by_name[key]
            nb = key if key in notebooks[aid] else notebooks[aid][0]
            add(student, aid, nb, entry)
        else:
            skipped.append(f"{entry}: not a notebook or a student folder")

    subs = [s for s in found.values() if only is None or s.assignment == only]
    for sub in subs:
        for nb in notebooks[sub.assignment]:
            if nb not in sub.files and not any(p.startswith(f"{nb}.ipynb ") for p in sub.problems):
                sub.problems.append(f"no {nb}.ipynb in the submission")
    return sorted(subs, key=lambda s: (s.assignment, s.student)), skipped
