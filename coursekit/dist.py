"""The student distribution of coursekit: ``make dist`` (``coursekit dist``) builds ``dist/coursekit-*.whl``.

Students install this wheel, not the instructor repository. It holds the library a student reads and uses
(data loaders, the reference implementations the chapters explain, the figures) and nothing of the grader: no
``coursekit.grading`` (checks, hidden cases, diagnosers), no pipeline, command line or site tooling, and no
notebook of ``solutions/``. :func:`build_student_wheel` checks the wheel it wrote for any of those.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

import coursekit

STAFF_ONLY = ("grading", "pipeline", "submissions", "reports", "item_analysis", "lms", "cli", "site",
              "feedback", "sphinxext", "bench", "dist", "formgrader")
"""Modules and packages of coursekit that never leave the instructor's repository."""
FORBIDDEN = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "check_sigmoid", "secret_seed",
             "coursekit.grading")
"""Text that no file of the student wheel may contain."""


def student_modules() -> list[Path]:
    """The files of the student wheel: every top-level module of coursekit except :data:`STAFF_ONLY`."""
    src = Path(coursekit.__file__).parent
    return sorted(p for p in src.glob("*.py") if p.stem not in STAFF_ONLY)


def build_student_wheel(root: str | Path, out: str | Path = "dist") -> Path:
    """Build the student wheel from the repository at ``root`` into ``out``; return its path.

    Raises RuntimeError when the build fails or when the wheel holds a staff-only file or text.
    """
    root, out = Path(root).resolve(), Path(out).resolve()
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    with tempfile.TemporaryDirectory(prefix="coursekit-dist-") as tmp:
        pkg = Path(tmp) / "coursekit"
        pkg.mkdir()
        for path in student_modules():
            text = path.read_text(encoding="utf-8")
            if path.name == "__init__.py":
                text = "\n".join(line for line in text.splitlines() if "coursekit.grading" not in line
                                 and "coursekit.cli" not in line) + "\n"
            (pkg / path.name).write_text(text, encoding="utf-8")
        deps = ", ".join(f'"{d}"' for d in project["dependencies"])
        (Path(tmp) / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
            f'[project]\nname = "coursekit"\nversion = "{project["version"]}"\n'
            f'description = "The course library of Machine Learning — Classification & Optimization (student '
            f'edition)"\nrequires-python = "{project["requires-python"]}"\ndependencies = [{deps}]\n\n'
            '[project.scripts]\ncoursekit-check = "coursekit.check:main"\n\n'
            '[tool.setuptools]\npackages = ["coursekit"]\n', encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("coursekit-*.whl"):
            old.unlink()
        cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), tmp]
        try:
            import setuptools  # noqa: F401 - present: build without fetching it again

            cmd.insert(4, "--no-build-isolation")
        except ImportError:
            pass
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"building the student wheel failed:\n{done.stderr}")
        shutil.rmtree(Path(tmp) / "build", ignore_errors=True)
    wheel = next(out.glob("coursekit-*.whl"))
    problems = leaks(wheel)
    if problems:
        wheel.unlink()
        raise RuntimeError("the student wheel would leak: " + "; ".join(problems))
    return wheel


def leaks(wheel: Path) -> list[str]:
    """Staff-only files or text found in a wheel."""
    problems = []
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            parts = Path(name).parts
            if parts[0] == "coursekit" and (len(parts) > 2 or Path(name).stem in STAFF_ONLY):
                problems.append(f"{name} is staff-only")
            if name.endswith((".py", ".ipynb", ".txt", ".json")):
                text = z.read(name).decode("utf-8", errors="replace")
                problems += [f"{name} contains {word!r}" for word in FORBIDDEN if word in text]
    return problems


def dist_command(root: str | Path = ".", out: str | Path = "dist") -> int:
    """``coursekit dist``: build the student wheel; the exit code."""
    try:
        wheel = build_student_wheel(root, out)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {wheel} (students: pip install {wheel.name})")
    return 0
