"""``coursekit check NOTEBOOK``: nbgrader's Validate, part by part, with the message and the book section.

It runs the notebook as nbgrader's Validate button does (the same :class:`nbgrader.validator.Validator`, the
same execution and the same decision per cell), then prints one row per graded part: an autograded part
whose public tests pass or fail (with the first line of the error), a written answer that is written or not,
and the section of the book that explains the part. The exit status is 0 when Validate would pass.

Passing says only that the public tests pass: the hidden tests, run by the trusted grader, decide the points.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from coursekit.sections import PART_SECTIONS, part_section, read_more


@dataclass
class PartStatus:
    """The state of one graded cell after the notebook ran."""

    part: str
    points: float
    kind: str
    """``"code"`` (autograded: its public tests) or ``"written"`` (graded by hand)."""
    ok: bool
    """Validate's decision: the public tests passed / the answer is written."""
    message: str = ""
    section: str | None = None


@dataclass
class CheckReport:
    notebook: str
    parts: list[PartStatus]
    changed: list[str]
    """Locked cells that were edited (Validate fails on those first)."""

    @property
    def passed(self) -> bool:
        return not self.changed and all(p.ok for p in self.parts)


def _error_line(cell: dict) -> str:
    for out in reversed(cell.get("outputs", [])):
        if out.get("output_type") == "error" and out.get("ename") == "NotImplementedError":
            return "not answered yet: replace `raise NotImplementedError()` by your code"
        if out.get("output_type") == "error":
            text = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip().rstrip(":")
            return text.splitlines()[0] if text else "error"
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            return "wrote to the error stream: " + str(out.get("text", "")).strip().splitlines()[0][:200]
    return ""


def check_notebook(path: str | os.PathLike, timeout: int = 120) -> CheckReport:
    """Run ``path`` as nbgrader's Validate does and report every graded part.

    Parameters
    ----------
    path : path
        A student notebook (``assignments/<id>/<id>.ipynb``, answered or not). It is not modified.
    timeout : int
        Seconds a cell may run.

    Returns
    -------
    CheckReport
        ``passed`` is what Validate decides.
    """
    try:
        from nbgrader import utils
        from nbgrader.validator import Validator
    except ImportError:
        raise RuntimeError("coursekit check runs nbgrader's Validate: install it with `pip install nbgrader`"
                           ) from None
    import nbformat

    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no notebook {path}")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same clear message
        raise ValueError(f"{path.name} is not a readable notebook ({exc}); download it again from the "
                         "assignment page and copy your answers into it") from None
    from traitlets.config import Config

    config = Config()
    config.Execute.timeout = timeout
    validator = Validator(config=config)
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        nb = validator._preprocess(nb)  # what Validate runs: clear the outputs, execute every cell
    finally:
        os.chdir(cwd)
    changed = [c.source.strip().splitlines()[0][:80] if c.source.strip() else "(empty cell)"
               for c in validator._get_changed_cells(nb)]
    ids = {c.metadata.nbgrader.get("grade_id") for c in nb.cells if utils.is_grade(c)}
    assignment = max(PART_SECTIONS, key=lambda a: (len(ids & set(PART_SECTIONS[a])), a == path.stem))
    parts = []
    for cell in nb.cells:
        if not utils.is_grade(cell):
            continue
        meta = cell.metadata.nbgrader
        gid, points = meta.get("grade_id", "?"), float(meta.get("points", 0))
        score, max_score = utils.determine_grade(cell)
        section = part_section(assignment, gid)
        if cell.cell_type == "code" and not utils.is_solution(cell):
            ok = score is not None and score >= max_score and not (max_score == 0 and utils.has_failed(cell))
            parts.append(PartStatus(gid, points, "code", ok, "" if ok else _error_line(cell), section))
        else:
            ok = score is None  # nbgrader gives 0 to a written answer that is still the placeholder
            parts.append(PartStatus(gid, points, "written", ok, "" if ok else "not written yet", section))
    return CheckReport(path.name, parts, changed)


def format_report(report: CheckReport) -> str:
    """The table that ``coursekit check`` prints."""
    width = max([len(p.part) for p in report.parts] + [4])
    lines = [f"{report.notebook}: {sum(p.kind == 'code' for p in report.parts)} autograded parts, "
             f"{sum(p.kind == 'written' for p in report.parts)} written answers", ""]
    lines.append(f"  {'part':<{width}}  points  status")
    for p in report.parts:
        if p.kind == "code":
            status = "public tests pass" if p.ok else f"FAILS  {p.message}"
        else:
            status = "written (graded by hand)" if p.ok else "NOT WRITTEN YET"
        lines.append(f"  {p.part:<{width}}  {p.points:>6g}  {status}")
        if not p.ok and p.section:
            lines.append(f"  {'':<{width}}          {read_more(p.section)}")
    for source in report.changed:
        lines.append(f"  a locked cell was edited: {source!r} (download the notebook again and copy your "
                     "answers into it)")
    lines.append("")
    if report.passed:
        lines.append("Validate: passes. The public tests pass; the hidden tests decide your points.")
    else:
        failing = sum(not p.ok for p in report.parts) + len(report.changed)
        lines.append(f"Validate: FAILS on {failing} cell(s). Fix them before you submit.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``coursekit check NOTEBOOK [--timeout S]``: print the table; exit 0 when Validate passes, 1 when it
    fails, 2 when the notebook cannot be checked."""
    parser = argparse.ArgumentParser(prog="coursekit check", description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--timeout", type=int, default=120, help="seconds a cell may run (default 120)")
    args = parser.parse_args(argv)
    try:
        report = check_notebook(args.notebook, args.timeout)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
