"""The ``coursekit`` command line: one entry point for the site and the grading pipeline.

``coursekit build`` builds the course site (see :mod:`coursekit.site`);
``coursekit release`` regenerates ``assignments/`` from ``solutions/`` and
``coursekit grade SUBMISSIONS`` autogrades a class (see :mod:`coursekit.pipeline`);
``coursekit formgrader`` opens nbgrader's formgrader on the course to grade written answers by hand and
``coursekit feedback`` regenerates feedback and grades from the gradebook (see :mod:`coursekit.formgrader`);
``coursekit check NOTEBOOK`` tells a student what Validate decides, part by part (see :mod:`coursekit.check`).
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one sub-command; return the process exit code."""
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser("build", help="build the course site into _build/html")
    p_build.add_argument("--root", default=".", help="repository root (default: .)")
    p_build.add_argument("--no-strict", action="store_true", help="do not turn warnings into errors")

    p_release = sub.add_parser("release", help="regenerate assignments/ from solutions/")
    p_release.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p_release.add_argument("--root", default=".")
    p_release.add_argument("--check", action="store_true",
                           help="only report whether assignments/ is up to date (exit 1 if not)")

    p_grade = sub.add_parser("grade", help="autograde a class of submissions")
    p_grade.add_argument("submissions", help="folder of submissions (nbgrader layout or flat LMS export)")
    p_grade.add_argument("--assignment", help="grade only this assignment id")
    p_grade.add_argument("--root", default=".")
    p_grade.add_argument("--timeout", type=int, default=None,
                         help="seconds a cell or a graded part may run (default 60)")
    p_grade.add_argument("--force", action="store_true", help="regrade submissions that did not change")
    p_grade.add_argument("--jobs", type=int, default=None,
                         help="submissions graded at once, each in its own sandbox (default: the cores)")
    p_grade.add_argument("--roster", default=None,
                         help="CSV of the class (student, lms_id, name, email, ...): LMS ids in the exports, "
                              "and who did not submit")
    p_grade.add_argument("--scheduler", default=None,
                         help="grade on a Dask cluster: the scheduler's address, e.g. tcp://host:8786")
    p_grade.add_argument("--seed", type=int, default=None,
                         help="set the secret seed of the hidden inputs (kept in grading/secret_seed)")
    p_grade.add_argument("--no-sandbox", action="store_true",
                         help="run students' code without bubblewrap (unsafe; the report says so)")
    p_grade.add_argument("--memory-mb", type=int, default=None, help="memory per submission (default 4096)")
    p_grade.add_argument("--submission-timeout", type=float, default=None,
                         help="seconds per submission (default 600)")

    p_fg = sub.add_parser("formgrader",
                          help="open nbgrader's formgrader on the course (grade written answers by hand)")
    p_fg.add_argument("--root", default=".")
    p_fg.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    kind = p_fg.add_mutually_exclusive_group()
    kind.add_argument("--lab", dest="lab", action="store_true", default=None, help="JupyterLab (default when "
                      "installed)")
    kind.add_argument("--server", dest="lab", action="store_false", help="Jupyter Server without JupyterLab")

    p_fb = sub.add_parser("feedback", help="regenerate feedback, grades.csv and the exports from the "
                          "gradebook (after grading by hand)")
    p_fb.add_argument("--assignment", help="regenerate the feedback of this assignment only")
    p_fb.add_argument("--root", default=".")

    p_check = sub.add_parser("check", help="what Validate decides, part by part, with links to the book")
    p_check.add_argument("notebook")
    p_check.add_argument("--timeout", type=int, default=120, help="seconds a cell may run (default 120)")

    p_dist = sub.add_parser("dist", help="build the student wheel of coursekit into dist/")
    p_dist.add_argument("--root", default=".")
    p_dist.add_argument("--out", default="dist")

    args = parser.parse_args(argv)
    if args.command == "check":
        from coursekit.check import main as check_main

        return check_main([args.notebook, "--timeout", str(args.timeout)])
    if args.command == "dist":
        from coursekit.dist import dist_command

        return dist_command(args.root, args.out)
    if args.command == "formgrader":
        from coursekit.formgrader import formgrader_command

        return formgrader_command(args.root, args.port, args.lab)
    if args.command == "feedback":
        from coursekit.formgrader import feedback_command

        return feedback_command(args.root, args.assignment)
    if args.command == "build":
        from coursekit.site import build

        return build(args.root, strict=not args.no_strict)
    from coursekit import pipeline

    if args.command == "release":
        return pipeline.release_command(args.root, args.assignments or None, check=args.check)
    limits = None
    if args.memory_mb is not None or args.submission_timeout is not None:
        cfg = pipeline.load_config(args.root, args.timeout)
        limits = pipeline.grading_limits(cfg, memory_mb=args.memory_mb,
                                         submission_seconds=args.submission_timeout)
    return pipeline.grade_command(
        args.root, args.submissions, assignment=args.assignment, timeout=args.timeout, force=args.force,
        seed=args.seed, sandbox=not args.no_sandbox, limits=limits, jobs=args.jobs,
        scheduler=args.scheduler, roster=args.roster,
    )


if __name__ == "__main__":
    sys.exit(main())
