"""Shared pytest fixtures."""

# ==== site build fixture (tests/test_site.py, tests/test_browser.py) ====================================
# Builds the course site ONCE per test session with `coursekit.site.build` on the repository itself (the
# real _build/, so the jupyter-cache and Sphinx's incremental build reuse a prior `make book`). A failed
# build fails every test that needs the site, with the build log.
# Other fixtures: append your own clearly separated block below.
import contextlib
import io
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SiteBuild:
    """The session's site build: the repository root, the HTML folder, the build log, the time taken."""

    root: Path
    html: Path
    log: str
    seconds: float


@pytest.fixture(scope="session")
def site_build() -> SiteBuild:
    """Build the site once (strict: warnings are errors); fail with the build log if the build fails."""
    from coursekit import site

    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = site.build(REPO_ROOT, strict=True)
    log = out.getvalue()
    if code != 0:
        lines = log.splitlines()
        summary = [line for line in lines if line.startswith("[coursekit build]")]
        tail = "\n".join(lines[-150:])
        pytest.fail(f"the site build failed with exit code {code}:\n" + "\n".join(summary)
                    + f"\n\n---- last lines of the build log ({REPO_ROOT / site.LOG_FILE}) ----\n{tail}",
                    pytrace=False)
    return SiteBuild(REPO_ROOT, REPO_ROOT / site.HTML_DIR, log, time.perf_counter() - start)
# ==== end of the site build fixture =====================================================================


# ==== grading pipeline fixture (tests/test_pipeline.py): a temporary copy of the nbgrader course =========
@pytest.fixture(scope="session")
def make_course(tmp_path_factory):
    """Factory: ``make_course(name)`` returns the root of a fresh temporary nbgrader course holding copies of
    ``nbgrader_config.py``, ``solutions/`` and ``assignments/`` (its ``grading/`` workspace starts empty), so
    that tests autograde through the real pipeline without touching the repository's own workspace."""

    def make(name: str = "course") -> Path:
        root = tmp_path_factory.mktemp(name)
        shutil.copy(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
        for folder in ("solutions", "assignments"):
            shutil.copytree(REPO_ROOT / folder, root / folder)
        return root

    return make
# ==== end of the grading pipeline fixture ===============================================================
