"""The student wheel (``make dist``): the library a student uses, and nothing of the grader."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coursekit import dist


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return dist.build_student_wheel(Path(__file__).resolve().parents[1], tmp_path_factory.mktemp("dist"))


def test_the_wheel_holds_the_library_and_no_grader(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("data", "linear", "metrics", "optim", "nn", "plotting", "regularization", "check",
                   "sections"):
        assert f"coursekit/{module}.py" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "coursekit-check = coursekit.check:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not any(n.startswith("coursekit/grading") for n in names)
    for staff in ("pipeline", "cli", "site", "sphinxext", "bench", "dist"):
        assert f"coursekit/{staff}.py" not in names
    assert dist.leaks(wheel) == []


def test_the_wheel_imports_on_its_own(wheel, tmp_path):
    """In a Python without this repository's editable install (no site hooks): only the wheel and the
    third-party packages are on the path."""
    import numpy

    site = str(Path(numpy.__file__).parents[1])
    code = (f"import sys; sys.path[:0] = [{str(wheel)!r}, {site!r}]\n"
            "import coursekit, coursekit.data, coursekit.linear, coursekit.check\n"
            "assert coursekit.linear.sigmoid(0.0) == 0.5 and coursekit.__file__.startswith(sys.path[0])\n"
            "try:\n    import coursekit.grading\nexcept ImportError:\n    print('no grader')\n")
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "no grader"


def test_a_leak_is_found(tmp_path):
    bad = tmp_path / "coursekit-0-py3-none-any.whl"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("coursekit/grading/checks_hw1.py", "def check_sigmoid(f): ...")
        z.writestr("coursekit/data.py", "### BEGIN SOLUTION\n")
    problems = dist.leaks(bad)
    assert any("staff-only" in p for p in problems) and any("BEGIN SOLUTION" in p for p in problems)


def test_the_site_offers_the_student_wheel(site_build):
    """The landing page links the wheel, and the copy in the site is the student wheel (no grader in it)."""
    page = site_build.html / "book" / "intro.html"
    text = page.read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*_downloads/[^"]+/coursekit-[^"]+\.whl)"', text)
    assert links, "the landing page has no link to the student wheel"
    wheel = (page.parent / links[0]).resolve()
    assert wheel.is_file() and dist.leaks(wheel) == []
    assert "coursekit/data.py" in zipfile.ZipFile(wheel).namelist()
