"""The results of grading: one :class:`StudentResult` per submission, ``grades.csv`` and ``report.md``.

Both files are written from every stored result of the course, with the gradebook's current scores: see
:func:`coursekit.pipeline.grade`. They never depend on what one run graded alone.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["StudentResult", "Cells", "NOT_GRADED", "write_csv", "comment_text", "write_report", "first_line"]

NOT_GRADED = "not graded yet"
"""Shown instead of the points of a written answer that no one has graded by hand yet."""


@dataclass
class StudentResult:
    """The grading of one submission, as written to the grades CSV and the report."""

    student: str
    assignment: str
    parts: dict[str, float | None]
    """Autograded part (grade id) -> score."""
    max_parts: dict[str, float]
    written: dict[str, float | None]
    """Manually graded part -> score (None until graded by hand)."""
    max_written: dict[str, float]
    status: str
    problems: list[str] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)
    """Lost part -> the message of its test (first line and likely mistake)."""
    seconds: float = 0.0
    flags: list[str] = field(default_factory=list)
    """Answers that look copied from a reference implementation (for the instructor; not scored)."""
    comments: dict[str, str] = field(default_factory=dict)
    """Cell (grade id) -> the comment an instructor wrote in the gradebook (formgrader)."""

    @property
    def autograded(self) -> float:
        return float(sum(v or 0.0 for v in self.parts.values()))

    @property
    def autograded_max(self) -> float:
        return float(sum(self.max_parts.values()))

    @property
    def needs_manual_grade(self) -> bool:
        return any(v is None for v in self.written.values())

    @property
    def pending(self) -> list[str]:
        """The written answers that wait for a score entered by hand."""
        return [gid for gid, v in self.written.items() if v is None]

    @property
    def written_points(self) -> float:
        """The points of the written answers graded so far (a pending answer counts 0)."""
        return float(sum(v or 0.0 for v in self.written.values()))

    @property
    def written_max_points(self) -> float:
        return float(sum(self.max_written.values()))

    @property
    def total(self) -> float:
        """Autograded points plus the written points graded so far."""
        return self.autograded + self.written_points

    @property
    def total_max(self) -> float:
        return self.autograded_max + self.written_max_points

    def written_text(self) -> str:
        """``"4/10"``, or ``"not graded yet"`` while no written answer is graded, or ``"4/10 (not graded
        yet: <ids>)"`` while some are."""
        if not self.max_written:
            return "none"
        if len(self.pending) == len(self.written):
            return NOT_GRADED
        text = f"{self.written_points:g}/{self.written_max_points:g}"
        return text + (f" ({NOT_GRADED}: {', '.join(self.pending)})" if self.pending else "")


def first_line(text: str, limit: int = 300) -> str:
    """The first non-empty line of ``text``, cut at ``limit`` characters."""
    line = next((s.strip() for s in str(text).splitlines() if s.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."




def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _written(x: float | None) -> str:
    return NOT_GRADED if x is None else f"{x:g}"


Cells = dict[str, list[tuple[str, str, float]]]
"""Assignment id -> (grade id, cell type, points) of its graded cells."""


def write_csv(path: Path, results: list[StudentResult], cells: Cells) -> None:
    """Write the grades of every submission to ``path``.

    One row per submission: the points of each autograded part, ``autograded`` and ``autograded_max``; the
    points of each written answer (``not graded yet`` until someone grades it by hand), ``written`` (the
    written points graded so far) and ``written_max``; ``total`` (always ``autograded + written``) and
    ``total_max``; ``needs_manual_grade``, ``status``, and ``comments``, the instructor's comments from the
    gradebook (``<cell>: <text>``, one per line).
    """
    every = [(g, kind) for aid in sorted(cells) for g, kind, _ in cells[aid]]
    auto_cols = list(dict.fromkeys(g for g, kind in every if kind == "code"))
    written_cols = list(dict.fromkeys(g for g, kind in every if kind != "code"))
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["student", "assignment", *auto_cols, "autograded", "autograded_max", *written_cols,
                      "written", "written_max", "total", "total_max", "needs_manual_grade", "status",
                      "comments"])
        for r in sorted(results, key=lambda r: (r.assignment, r.student)):
            out.writerow([r.student, r.assignment, *(_fmt(r.parts.get(c)) for c in auto_cols),
                          _fmt(r.autograded), _fmt(r.autograded_max),
                          *(_written(r.written[c]) if c in r.written else "" for c in written_cols),
                          _fmt(r.written_points), _fmt(r.written_max_points), _fmt(r.total),
                          _fmt(r.total_max), r.needs_manual_grade, r.status, comment_text(r, "\n")])


def comment_text(r: StudentResult, sep: str = "; ") -> str:
    """The instructor's comments of one submission, ``<cell>: <text>`` joined by ``sep``."""
    return sep.join(f"{gid}: {' '.join(text.split())}" for gid, text in r.comments.items())


def _short_hint(text: str) -> str:
    """The likely mistake of a test message, else its first line without the exception name."""
    hint = text.split("Likely mistake: ", 1)
    if len(hint) == 2:
        return first_line(hint[1], 90)
    text = text.removeprefix("AssertionError: ").removeprefix("ShortcutError: ")
    return first_line(text, 90)


def write_report(path: Path, results: list[StudentResult], cells: Cells, timeout: int, skipped: list[str],
                 sandboxed: bool = True, not_submitted: list[str] = ()) -> str:
    lines, summary = [], []
    if not sandboxed:
        lines += ["**Warning: this run graded WITHOUT the sandbox (`--no-sandbox`): the students' code ran "
                  "with the grader's rights and could read or change files.**", ""]
    for aid in sorted(cells):
        rs = [r for r in results if r.assignment == aid]
        if not rs:
            continue
        auto = [(g, p) for g, kind, p in cells[aid] if kind == "code"]
        written = [(g, p) for g, kind, p in cells[aid] if kind != "code"]
        total_max = sum(p for _, p in auto)
        mean_total = sum(r.autograded for r in rs) / len(rs)
        head = (f"{aid}: {len(rs)} submissions, mean {mean_total:.1f}/{total_max:g} autograded points "
                f"(per-cell timeout {timeout} s)")
        lines += [f"# Grading report — {aid}", "", head + ".", ""]
        if written:
            pending = sum(r.needs_manual_grade for r in rs)
            names, points = ", ".join(g for g, _ in written), sum(p for _, p in written)
            lines += [f"Written answers ({names}; {points:g} points) are graded by hand in the gradebook "
                      f"(`make formgrader`) and reported apart: {pending} submission(s) to grade. The total "
                      "is the autograded points plus the written points graded so far.", ""]
        lines += ["## Per question", "", "| part | points | mean | lost points | most common problem |",
                  "|---|---|---|---|---|"]
        table = [head, f"{'part':<22} {'points':>6} {'mean':>6} {'lost':>5}  most common problem"]
        for gid, pts in auto:
            scores = [r.parts.get(gid) or 0.0 for r in rs]
            lost = [r for r in rs if (r.parts.get(gid) or 0.0) < pts]
            common = Counter(_short_hint(r.hints[gid]) for r in lost if gid in r.hints).most_common(1)
            problem = f"{common[0][0]} ({common[0][1]})" if common else ""
            mean = sum(scores) / len(scores)
            cell = problem.replace("|", "\\|")
            lines.append(f"| {gid} | {pts:g} | {mean:.2f} | {len(lost)} | {cell} |")
            table.append(f"{gid:<22} {pts:>6g} {mean:>6.2f} {len(lost):>5}  {problem}")
        lines.append(f"| **autograded total** | {total_max:g} | {mean_total:.2f} | "
                     f"{sum(r.autograded < total_max for r in rs)} | |")
        table.append(f"{'autograded total':<22} {total_max:>6g} {mean_total:>6.2f} "
                     f"{sum(r.autograded < total_max for r in rs):>5}")
        if written:
            lines += ["", "## Points per student", "",
                      "| student | autograded | written | total |", "|---|---|---|---|"]
            for r in rs:
                lines.append(f"| {r.student} | {r.autograded:g}/{r.autograded_max:g} | {r.written_text()} | "
                             f"{r.total:g}/{r.total_max:g} |")
        lines += ["", "## Problems per student", ""]
        for r in rs:
            lost = [(g, p) for g, p in auto if (r.parts.get(g) or 0.0) < p]
            if not lost and not r.problems:
                continue
            lines.append(f"### {r.student}: {r.autograded:g}/{total_max:g} ({r.status})")
            lines += [f"- {p}" for p in r.problems]
            for g, p in lost:
                lines.append(f"- {g}: {_fmt(r.parts.get(g)) or 0}/{p:g} — {r.hints.get(g, 'not run')}")
            lines.append("")
        summary.append("\n".join(table))
    flagged = [(r, f) for r in results for f in r.flags]
    if flagged:
        lines += ["## Possible copies of a reference implementation (not scored; please look)", ""]
        lines += [f"- {r.assignment} / {r.student}: {f}" for r, f in flagged] + [""]
    if skipped:
        lines += ["## Files not graded", ""] + [f"- {s}" for s in skipped] + [""]
    if not_submitted:
        lines += ["## On the roster, no submission", ""] + [f"- {s}" for s in not_submitted] + [""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "\n\n".join(summary)


