"""The instructor's grading pipeline on nbgrader: release the student notebooks, autograde a class, feedback.

``coursekit release [ids] [--check]`` (:func:`release_command`) regenerates ``assignments/<id>/`` from the
instructor notebooks in ``solutions/<id>/`` with nbgrader's ``generate_assignment`` (and records the
assignment in the gradebook); ``--check`` regenerates into a temporary directory and fails when
``assignments/`` is out of date.

``coursekit grade SUBMISSIONS`` (:func:`grade_command`) collects a class's submissions
(:mod:`coursekit.submissions`), copies them into the git-ignored workspace ``grading/submitted`` (the
originals are never modified), grades each one in its own sandbox with the trusted grader
(:mod:`coursekit.grading.runner`), records the verdicts in nbgrader's gradebook ``grading/gradebook.db``,
writes feedback HTML per student (``grading/feedback``) with nbgrader, and rebuilds the grades
(``grading/reports/grades.csv``) and a report (``grading/reports/report.md``, :mod:`coursekit.reports`) from
every result of the course. A submission that is not a notebook, is missing, crashes or loops forever gets 0
for what did not run and a reason in the report; the others are graded as usual. A rerun grades only what is
new or changed.

Feedback never shows the hidden tests: :class:`HideHiddenTests`, a preprocessor of nbgrader's
``generate_feedback`` step (configured in ``nbgrader_config.py`` and enforced here), replaces the source of
hidden test cells by a neutral line and their error output by the ``coursekit.grading`` message alone.
"""

from __future__ import annotations

import contextlib
import copy
import html
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import nbgrader.api
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor
from sqlalchemy.exc import SAWarning
from traitlets import Unicode
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from coursekit.feedback import course_page, install_mathjax
from coursekit.reports import StudentResult, first_line, write_csv, write_report
from coursekit.submissions import Submission, collect_submissions

__all__ = [
    "HideHiddenTests", "PipelineError", "Submission", "StudentResult", "load_config", "assignment_ids",
    "release", "release_command", "collect_submissions", "grade", "grade_command", "read_scores",
]

CONFIG_FILE = "nbgrader_config.py"
SOURCE, RELEASE, WORKSPACE = "solutions", "assignments", "grading"
DEFAULT_TIMEOUT = 60
"""Seconds a notebook cell may run during autograding before it is interrupted."""
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
"""Autograding kernels keep no input history on disk and print no start-up warnings."""
HIDDEN_MARK = "BEGIN HIDDEN TESTS"
TIMEOUT_ERRORS = ("CellTimeoutError",)
HIDDEN_PLACEHOLDER = ("# Hidden tests (not shown): your function was compared with the reference on "
                      "many inputs")


class PipelineError(RuntimeError):
    """The pipeline itself could not run (not a problem of one student's submission)."""


# ------------------------------------------------------------------------------------------------------------
# Feedback: hide the hidden tests
# ------------------------------------------------------------------------------------------------------------


def _is_hidden_test(cell: NotebookNode) -> bool:
    """A hidden test cell: it holds hidden tests (instructor notebook), or it is an autograded grade cell
    (graded notebook, where the grader decided the part and the cell holds only its released text)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and (HIDDEN_MARK in cell.get("source", "") or (
        bool(meta.get("grade")) and not meta.get("solution")))


def _error_text(output: NotebookNode) -> str:
    """One error output reduced to its message (no traceback, no test code, no library paths)."""
    ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
    if ename in TIMEOUT_ERRORS:
        return "Stopped: the cell did not finish within the time limit (an infinite loop?)."
    return f"{ename}: {evalue}" if evalue else ename


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback preprocessor: a hidden test cell shows a neutral line and only the grading message.

    nbgrader's default feedback shows the source of every test cell and the full traceback of its error,
    which reveals the hidden tests and points into ``coursekit.grading``. This preprocessor (run after
    ``GetGrades`` in ``GenerateFeedback.preprocessors``) replaces the source of each cell holding
    ``### BEGIN HIDDEN TESTS`` by :data:`HIDDEN_PLACEHOLDER`, and its outputs by the error message alone
    (``AssertionError: <what coursekit.grading found>``), or by "Passed." when it earned its points.
    """

    placeholder = Unicode(HIDDEN_PLACEHOLDER, help="Source shown instead of a hidden test").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        if not _is_hidden_test(cell):
            return cell, resources
        cell.source = self.placeholder
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            text = _error_text(errors[-1])
            outputs = [nbformat.v4.new_output("error", ename=errors[-1].get("ename", "Error"),
                                              evalue=errors[-1].get("evalue", ""), traceback=[text])]
        else:
            meta = cell.metadata.get("nbgrader", {})
            full = meta.get("score") is None or meta.get("score") == meta.get("points")
            outputs = [nbformat.v4.new_output("stream", name="stdout", text="Passed.\n" if full else
                                              "No points: the cell wrote to the error stream.\n")]
        cell.outputs = outputs
        return cell, resources


# ------------------------------------------------------------------------------------------------------------
# Configuration
# ------------------------------------------------------------------------------------------------------------


def load_config(root: str | os.PathLike, timeout: int | None = None) -> Config:
    """nbgrader's configuration for the course at ``root``: ``root/nbgrader_config.py`` plus what the pipeline
    relies on (the course layout, the gradebook under ``grading/``, the per-cell ``timeout``, the feedback
    preprocessor that hides hidden tests)."""
    root = Path(root).resolve()
    cfg = Config()
    if (root / CONFIG_FILE).exists():
        cfg.merge(PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config())
    cd = cfg.CourseDirectory
    layout = dict(source_directory=SOURCE, release_directory=RELEASE)
    for step in ("submitted", "autograded", "feedback", "solution"):
        layout[f"{step}_directory"] = f"{WORKSPACE}/{step}"
    for key, value in layout.items():
        if key not in cd:
            cd[key] = value
    cd.root = str(root)
    cd.db_url = f"sqlite:///{root / WORKSPACE / 'gradebook.db'}"
    if timeout is not None:
        cfg.Execute.timeout = int(timeout)
    elif "timeout" not in cfg.Execute:
        cfg.Execute.timeout = DEFAULT_TIMEOUT
    if "extra_arguments" not in cfg.Execute:
        cfg.Execute.extra_arguments = KERNEL_ARGUMENTS
    preprocessors = list(cfg.GenerateFeedback.get("preprocessors", []))
    if HideHiddenTests not in preprocessors:
        from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

        cfg.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, HideHiddenTests]
    cfg.OverwriteCells.add_missing_cells = True
    return cfg


def _alembic_head() -> str:
    """The gradebook schema version that nbgrader records in a new gradebook, read in this process."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()


def _prepare_nbgrader() -> None:
    """nbgrader creates a gradebook by running the ``alembic heads`` command in a subprocess, which needs the
    virtual environment's ``bin`` on ``PATH`` (not so for ``.venv/bin/coursekit`` or ``make``) and starts a
    second Python. Ask alembic in this process instead (same answer), and put ``bin`` on ``PATH`` anyway."""
    try:
        _alembic_head()
        nbgrader.api.get_alembic_version = _alembic_head
    except Exception:  # noqa: BLE001 - keep nbgrader's own way if alembic cannot be asked directly
        pass
    bindir = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None and bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def _gradebook(cfg: Config) -> Gradebook:
    _prepare_nbgrader()
    return Gradebook(cfg.CourseDirectory.db_url, cfg.CourseDirectory.get("course_id", ""))


def _api(cfg: Config) -> NbGraderAPI:
    _prepare_nbgrader()
    cfg = Config(cfg)
    cfg.NbGraderAPI.log_level = "WARN"
    return NbGraderAPI(config=cfg)


def assignment_ids(root: str | os.PathLike) -> list[str]:
    """The assignments of the course: the folders of ``solutions/`` that hold a notebook."""
    src = Path(root) / SOURCE
    if not src.is_dir():
        return []
    return sorted(d.name for d in src.iterdir() if d.is_dir() and any(d.glob("*.ipynb")))


def _notebooks(root: Path, aid: str) -> list[str]:
    return sorted(p.stem for p in (root / SOURCE / aid).glob("*.ipynb"))


# ------------------------------------------------------------------------------------------------------------
# Release
# ------------------------------------------------------------------------------------------------------------


def _generate(root: Path, aid: str, release_dir: str, db_url: str | None = None) -> None:
    cfg = load_config(root)
    cfg.CourseDirectory.release_directory = release_dir
    if db_url is not None:
        cfg.CourseDirectory.db_url = db_url
    (root / WORKSPACE).mkdir(exist_ok=True)
    result = _api(cfg).generate_assignment(aid, force=True, create=True)
    if not result["success"]:
        raise PipelineError(f"nbgrader generate_assignment failed for {aid}:\n{result.get('error', '')}\n"
                            f"{result.get('log', '')}")
    _as_jupyter_opens(root / release_dir / aid)  # an absolute release_dir replaces root


def _files(folder: Path, view: Callable[[Path], bytes] = Path.read_bytes) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): view(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def kernel_language_info() -> dict[str, Any]:
    """The ``language_info`` that the Python kernel (ipykernel) reports when it starts.

    Jupyter writes it into the notebook's metadata as soon as the kernel is up; when the notebook holds
    anything else (nbgrader leaves ``{"name": "python"}``), the notebook shows as modified before the
    student has touched it. Only ``version`` depends on the machine: the Python of whoever opens it.
    """
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(dict(IPythonKernel.language_info))


def _as_jupyter_opens(folder: Path) -> None:
    """Write the released notebooks of ``folder`` as Jupyter would save them right after opening them:
    normalised by nbformat, and with the kernel's ``language_info`` (:func:`kernel_language_info`)."""
    for path in sorted(folder.rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.metadata["language_info"] = kernel_language_info()
        nbformat.validate(nb)
        nbformat.write(nb, path)


def _without_python_version(path: Path) -> bytes:
    """A released file's bytes, with a notebook's ``language_info.version`` blanked: regenerating the
    release under another Python changes that line only, which does not make ``assignments/`` stale."""
    if path.suffix != ".ipynb":
        return path.read_bytes()
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.get("metadata", {}).get("language_info", {}).pop("version", None)
    return json.dumps(nb, sort_keys=True).encode()


def release(root: str | os.PathLike, ids: list[str] | None = None, check: bool = False) -> list[str]:
    """Regenerate ``assignments/<id>/`` from ``solutions/<id>/`` (all assignments by default).

    With ``check``, regenerate into a temporary directory instead (with a temporary gradebook) and return
    one message per stale, missing or extra file of ``assignments/``; without, return the written files.
    """
    root = Path(root).resolve()
    known = assignment_ids(root)
    ids = list(ids) if ids else known
    unknown = [a for a in ids if a not in known]
    if unknown:
        raise PipelineError(f"no assignment {', '.join(unknown)} in {SOURCE}/ (known: {', '.join(known)})")
    out = []
    if not check:
        for aid in ids:
            _generate(root, aid, RELEASE)
            out += [f"{RELEASE}/{aid}/{name}" for name in _files(root / RELEASE / aid)]
        return out
    with tempfile.TemporaryDirectory(prefix="coursekit-release-") as tmp:
        for aid in ids:
            _generate(root, aid, str(Path(tmp) / "release"), f"sqlite:///{Path(tmp) / 'gradebook.db'}")
            released = root / RELEASE / aid
            fresh = _files(Path(tmp) / "release" / aid, _without_python_version)
            current = _files(released, _without_python_version) if released.is_dir() else {}
            for name in sorted(set(fresh) | set(current)):
                path = f"{RELEASE}/{aid}/{name}"
                if name not in current:
                    out.append(f"{path} is missing: run `make release`")
                elif name not in fresh:
                    out.append(f"{path} is not generated from {SOURCE}/{aid}: remove it, run `make release`")
                elif fresh[name] != current[name]:
                    out.append(f"{path} is out of date with {SOURCE}/{aid}: run `make release`")
    return out


def release_command(root: str | os.PathLike, ids: list[str] | None = None, check: bool = False) -> int:
    """``coursekit release [ids] [--check]``: regenerate (or check) the student notebooks; the exit code."""
    try:
        messages = release(root, ids, check)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if check:
        for m in messages:
            print(m)
        if not messages:
            print(f"{RELEASE}/ is up to date with {SOURCE}/")
        return 1 if messages else 0
    for m in messages:
        print(f"wrote {m}")
    return 0


# ------------------------------------------------------------------------------------------------------------
# Grading
# ------------------------------------------------------------------------------------------------------------


def _grade_cells(root: Path, aid: str) -> list[tuple[str, str, float]]:
    """(grade id, "code"/"markdown", points) of the graded cells of an assignment, in notebook order."""
    out = []
    for nb in _notebooks(root, aid):
        for cell in nbformat.read(root / SOURCE / aid / f"{nb}.ipynb", as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                out.append((meta["grade_id"], cell.cell_type, float(meta.get("points", 0))))
    return out


def read_scores(root: str | os.PathLike, assignment: str, student: str) -> dict[str, dict[str, Any]]:
    """The gradebook's grades of one submission: grade id -> nbgrader's grade dict (``score``, ``max_score``,
    ``auto_score``, ``manual_score``, ``needs_manual_grade``, ``cell_type``, ...)."""
    with _gradebook(load_config(root)) as gb:
        sub = gb.find_submission(assignment, student)
        return {g.name: g.to_dict() | {"score": g.score} for nb in sub.notebooks for g in nb.grades}


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """The grader computes references on small inputs: one BLAS thread each is fastest on a loaded machine."""
    keys = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    saved = {k: os.environ.get(k) for k in keys}
    for k in keys:
        os.environ.setdefault(k, "1")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _fallback_feedback(path: Path, aid: str, student: str, max_score: float, reasons: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    items = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    path.write_text(
        f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(aid)} — "
        f"{html.escape(student)}</title></head>\n<body>"
        f"<h1>{html.escape(aid)} (Score: 0 / {max_score:g})</h1>\n"
        f"<p>Your submission could not be graded:</p><ul>{items}</ul>\n<p>Submit the notebook file "
        f"{html.escape(path.stem)}.ipynb itself (File → Download in Jupyter), after <i>Restart &amp; Run All"
        "</i>.</p></body></html>\n", encoding="utf-8")


def _sync_gradebook(root: Path, aid: str) -> tuple[list[str], dict[str, NotebookNode]]:
    """Record the current ``solutions/<aid>`` (cells, points, hidden tests) in the gradebook, without
    touching ``assignments/``; return a warning if ``assignments/`` is stale (students may have an old
    version), and the freshly generated release notebooks (the structure that grading follows).

    The generated release is kept in ``grading/release-cache/<aid>`` with the content hash of
    ``solutions/<aid>``: while that is unchanged and the gradebook knows the assignment, nbgrader's
    generation (half a second or more) is skipped."""
    import hashlib

    cache = root / WORKSPACE / "release-cache" / aid
    digest = hashlib.sha256(nbgrader.__version__.encode())
    for name, data in _files(root / SOURCE / aid).items():
        digest.update(name.encode() + b"\0" + data)
    with _gradebook(load_config(root)) as gb:
        known = any(a.name == aid for a in gb.assignments)
    if known and (cache / "hash").is_file() and (cache / "hash").read_text() == digest.hexdigest():
        fresh = {name: data for name, data in _files(cache).items() if name != "hash"}
    else:
        with tempfile.TemporaryDirectory(prefix="coursekit-sync-") as tmp:
            _generate(root, aid, str(Path(tmp) / "release"))
            fresh = _files(Path(tmp) / "release" / aid)
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        for name, data in fresh.items():
            (cache / name).parent.mkdir(parents=True, exist_ok=True)
            (cache / name).write_bytes(data)
        (cache / "hash").write_text(digest.hexdigest())
    messages = []
    current = _files(root / RELEASE / aid) if (root / RELEASE / aid).is_dir() else {}
    if fresh != current:
        messages.append(f"warning: {RELEASE}/{aid} is out of date with {SOURCE}/{aid} (run `make release`)")
    notebooks = {Path(name).stem: nbformat.reads(data.decode("utf-8"), as_version=4)
                 for name, data in fresh.items() if name.endswith(".ipynb")}
    return messages, notebooks


SEED_FILE = "secret_seed"
"""The course's secret seed of the hidden inputs, in the grading workspace (never in the repository)."""


def secret_seed(root: str | os.PathLike, seed: int | None = None) -> int:
    """The course's secret seed: ``grading/secret_seed``, created at random on first use; ``seed`` sets it."""
    path = Path(root) / WORKSPACE / SEED_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if seed is not None:
        path.write_text(f"{int(seed)}\n", encoding="utf-8")
    elif not path.exists():
        import secrets

        path.write_text(f"{secrets.randbits(63)}\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return int(path.read_text(encoding="utf-8").strip())


def grading_limits(cfg: Config, **overrides: Any) -> Any:
    """The sandbox limits: defaults, ``c.CourseKit.<name>`` in ``nbgrader_config.py``, then ``overrides``."""
    from coursekit.grading.sandbox import Limits

    values = {k: v for k, v in cfg.get("CourseKit", {}).items() if k in Limits.__dataclass_fields__}
    if "cell_seconds" not in values and "timeout" in cfg.Execute:
        values["cell_seconds"] = float(cfg.Execute.timeout)
    values |= {k: v for k, v in overrides.items() if v is not None}
    return Limits(**values)


def _results_dir(root: Path, aid: str) -> Path:
    return root / WORKSPACE / "results" / aid


def _key(sub: Submission, digest: str, seed: int, sandboxed: bool) -> str:
    """Content hash of a submission and of everything its grade depends on."""
    import hashlib

    h = hashlib.sha256(f"{digest}|{seed}|{sandboxed}|{sorted(sub.problems)}".encode())
    for nb, path in sorted(sub.files.items()):
        h.update(nb.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _stored(root: Path, aid: str) -> dict[str, dict]:
    folder = _results_dir(root, aid)
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
    return out


def grade(root: str | os.PathLike, submissions: str | os.PathLike, assignment: str | None = None,
          timeout: int | None = None, echo: Callable[[str], None] = print, *, force: bool = False,
          seed: int | None = None, sandbox: bool = True, limits: Any = None,
          jobs: int | None = None, scheduler: str | None = None,
          roster: str | os.PathLike | None = None) -> list[StudentResult]:
    """Autograde every submission in ``submissions``; write feedback, ``grades.csv`` and ``report.md``.

    Each notebook runs in its own sandboxed worker and every part is decided by the trusted grader
    (:mod:`coursekit.grading.runner`). A submission whose content, instructor notebook and seed are unchanged
    since it was last graded is not graded again (``force`` regrades it). The scores are written to the
    gradebook only once a submission is completely graded, so an interrupted run (Ctrl-C) loses nothing
    finished and records nothing half done; ``grades.csv`` and ``report.md`` are rebuilt from every result of
    the assignment, so grading a late folder adds students and removes none.

    Parameters
    ----------
    root : path
        The course root (holds ``solutions/`` and ``nbgrader_config.py``); the workspace is ``root/grading``.
    submissions : path
        The class's submissions (see :func:`collect_submissions`); only read, never modified.
    assignment : str, optional
        Grade only this assignment.
    timeout : int, optional
        Seconds a cell (or a graded part) may run (default: ``Execute.timeout`` of the config, else
        :data:`DEFAULT_TIMEOUT`).
    echo : callable
        Where progress lines go.
    force : bool
        Regrade submissions that did not change.
    seed : int, optional
        Set the course's secret seed (kept in ``grading/secret_seed``) before grading.
    sandbox : bool
        ``False`` (``--no-sandbox``) runs the workers without bubblewrap; the report says so.
    limits : Limits, optional
        The sandbox's limits (default: :func:`grading_limits` of the config).
    jobs : int, optional
        Submissions graded at once, each by a worker process with its own sandbox (default: the number of
        cores). This process alone writes the gradebook and the feedback, as each result arrives.
    scheduler : str, optional
        The address of a Dask ``distributed`` scheduler (``tcp://host:8786``): each submission is sent there
        as bytes, graded in a sandbox on one of its workers, and its outcome comes back as data. Every
        worker needs this course's Python environment (``pip install .[course]``) and bubblewrap; the
        instructor notebooks travel with the tasks.
    roster : path, optional
        The class roster (:mod:`coursekit.lms`): maps student ids to the LMS's in ``canvas.csv`` and
        ``moodle.csv``, and the report lists who did not submit.

    Returns
    -------
    list of StudentResult: the submissions graded in this run (not the unchanged ones).
    """
    from coursekit.grading import runner
    from coursekit.grading import sandbox as sb

    root = Path(root).resolve()
    cfg = load_config(root, timeout)
    limits = limits or grading_limits(cfg)
    entries = None
    if roster is not None:
        from coursekit.lms import read_roster

        try:
            entries = read_roster(roster)
        except (OSError, ValueError) as exc:
            raise PipelineError(f"cannot read the roster: {exc}") from None
    if sandbox:
        try:
            sb.check_sandbox()
        except sb.SandboxUnavailable as exc:
            raise PipelineError(f"cannot grade safely: {exc}") from None
    ids = assignment_ids(root)
    if assignment is not None and assignment not in ids:
        raise PipelineError(f"no assignment {assignment!r} in {SOURCE}/ (known: {', '.join(ids)})")
    notebooks = {aid: _notebooks(root, aid) for aid in ids}
    try:
        subs, skipped = collect_submissions(submissions, notebooks, assignment)
    except FileNotFoundError as exc:
        raise PipelineError(str(exc)) from None
    for s in skipped:
        echo(f"skipped {s}")
    if not subs:
        raise PipelineError(f"no submissions found in {submissions}")
    (root / WORKSPACE).mkdir(exist_ok=True)
    seed = secret_seed(root, seed)
    touched = sorted({s.assignment for s in subs})
    plans, views = {}, {}
    grade_ids = {aid: {g for g, _, _ in _grade_cells(root, aid)} for aid in ids}
    for aid in touched:
        messages, released = _sync_gradebook(root, aid)
        for message in messages:
            echo(message)
        for nb in notebooks[aid]:
            solution = nbformat.read(root / SOURCE / aid / f"{nb}.ipynb", as_version=4)
            others = {a: g for a, g in grade_ids.items() if a != aid}
            plans[aid, nb] = runner.make_plan(aid, solution, released[nb], others)
            plan = plans[aid, nb]
            views[aid, nb] = sb.build_view(root / WORKSPACE / "sandbox" / aid / nb, plan.withheld,
                                           {m: list(objs) for m, objs in plan.provided.items()})
    cells = {aid: _grade_cells(root, aid) for aid in touched}
    api = _api(cfg)
    install_mathjax(root / cfg.CourseDirectory.feedback_directory)
    results: list[StudentResult] = []
    todo = []
    stored = {aid: _stored(root, aid) for aid in touched}  # read once: a class may hold thousands
    for i, sub in enumerate(subs, start=1):
        digest = "".join(plans[sub.assignment, nb].digest for nb in notebooks[sub.assignment])
        key = _key(sub, digest, seed, sandbox)
        old = stored[sub.assignment].get(sub.student)
        if not force and old is not None and old.get("key") == key:
            echo(f"[{i}/{len(subs)}] {sub.student} {sub.assignment} … unchanged, not regraded")
        else:
            todo.append((i, sub, key))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    pool = client = None
    started_at, failures = time.perf_counter(), 0
    bar = _progress(len(todo))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's own session warnings, not about the class

            def task(sub: Submission) -> tuple:
                files = {nb: path.read_bytes() for nb, path in sub.files.items()}
                return sub.assignment, files, plans, None if scheduler else views, limits, seed, sandbox

            if scheduler:
                try:
                    from distributed import Client, as_completed
                except ImportError:
                    raise PipelineError("--scheduler needs Dask's `distributed` package: pip install "
                                        "distributed") from None
                client = Client(scheduler, timeout="30s")
                started = {client.submit(_run, *task(sub), pure=False, key=f"grade-{sub.assignment}-"
                                         f"{sub.student}-{key[:12]}"): (i, sub, key, time.perf_counter())
                           for i, sub, key in todo}
                runs = ((started[f], f.result()) for f in as_completed(started))
            elif jobs > 1:
                import concurrent.futures
                import multiprocessing

                context = multiprocessing.get_context("spawn")
                pool = concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context)
                started = {pool.submit(_run, *task(sub)): (i, sub, key, time.perf_counter())
                           for i, sub, key in todo}
                runs = ((started[f], f.result()) for f in concurrent.futures.as_completed(started))
            else:
                runs = (((i, sub, key, time.perf_counter()), _run(*task(sub))) for i, sub, key in todo)
            for (i, sub, key, start), outcomes in runs:
                r = _finish(root, cfg, api, sub, cells[sub.assignment], plans, outcomes, sandbox)
                r.seconds = time.perf_counter() - start
                _store(root, r, key)
                results.append(r)
                failures += r.status != "graded" or any(v.status in ("crashed", "timeout")
                                                        for o in (x[2] for x in outcomes)
                                                        for v in o.verdicts.values())
                note = f" ({r.status})" if r.status != "graded" else ""
                score = f"{r.autograded:g}/{r.autograded_max:g}"
                echo(f"[{i}/{len(subs)}] {r.student} {r.assignment} … {score}{note}")
                bar.set_postfix_str(f"crashed/refused: {failures}", refresh=False)
                bar.update(1)
    except KeyboardInterrupt:
        bar.close()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        echo(f"interrupted: {len(results)} submission(s) graded in this run are saved; those in progress "
             "were not recorded. Run the same command again to go on.")
        _write_reports(root, cfg, ids, skipped, sandbox, echo, limits, entries)
        raise
    finally:
        bar.close()
        runner.discard_spares()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if client is not None:
            client.close()
    if results:
        took = time.perf_counter() - started_at
        where = f"on {scheduler}" if scheduler else f"with {jobs} worker process(es)"
        echo(f"graded {len(results)} submission(s) in {took:.1f} s {where}: "
             f"{60 * len(results) / took:.1f} per minute")
    results.sort(key=lambda r: (r.assignment, r.student))
    _write_reports(root, cfg, ids, skipped, sandbox, echo, limits, entries)
    return results


def _store(root: Path, r: StudentResult, key: str) -> None:
    folder = _results_dir(root, r.assignment)
    folder.mkdir(parents=True, exist_ok=True)
    data = {k: v for k, v in r.__dict__.items()} | {"key": key}
    tmp = folder / f".{r.student}.json.tmp"
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    tmp.replace(folder / f"{r.student}.json")


REPORT_CONTEXT = "context.json"
"""In ``grading/reports``: the files of the last run that were not graded and the last roster given, so that
the reports rebuilt without a grading run (``coursekit feedback``) keep them."""


def _write_reports(root: Path, cfg: Config, ids: list[str], skipped: list[str] | None, sandboxed: bool,
                   echo: Callable[[str], None], limits: Any, roster: list | None = None) -> None:
    """``grades.csv``, ``report.md``, the item analyses and the LMS exports from every stored result, with the
    gradebook's current scores and comments (so that what was entered by hand is shown).

    ``skipped=None`` keeps the files not graded by the last run; ``roster=None`` keeps the last roster given
    (both are kept in ``grading/reports/context.json``)."""
    from coursekit.lms import RosterEntry

    results, cells = [], {}
    with _gradebook(cfg) as gb:
        for aid in ids:
            stored = _stored(root, aid)
            if not stored:
                continue
            cells[aid] = _grade_cells(root, aid)
            for student, data in stored.items():
                data = {k: v for k, v in data.items() if k in StudentResult.__dataclass_fields__}
                r = StudentResult(**data)
                try:
                    sub = gb.find_submission(aid, student)
                    scores = {g.name: g for nb in sub.notebooks for g in nb.grades}
                    comments = {c.name: c.manual_comment for nb in sub.notebooks for c in nb.comments
                                if (c.manual_comment or "").strip()}
                except Exception:  # noqa: BLE001 - a result without gradebook entry keeps its own scores
                    scores, comments = {}, {}
                for gid in r.parts:
                    if gid in scores:
                        r.parts[gid] = scores[gid].score
                for gid in r.written:
                    if gid in scores:
                        g = scores[gid]
                        r.written[gid] = None if g.needs_manual_grade else g.score
                r.comments = comments
                results.append(r)
    if not results:
        return
    reports = root / WORKSPACE / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    context_path = reports / REPORT_CONTEXT
    try:
        context = json.loads(context_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        context = {}
    if skipped is None:
        skipped = list(context.get("skipped") or [])
    if roster is None and context.get("roster"):
        roster = [RosterEntry(**entry) for entry in context["roster"]]
    context_path.write_text(json.dumps({"skipped": skipped, "roster": [e.__dict__ for e in roster]
                                        if roster else None}, indent=1), encoding="utf-8")
    from coursekit.item_analysis import write_item_analysis

    for aid, aid_cells in cells.items():
        points = {gid: p for gid, kind, p in aid_cells if kind == "code"}
        write_item_analysis(reports, aid, [r for r in results if r.assignment == aid], points,
                            root / cfg.CourseDirectory.feedback_directory, skipped)
    timeout = int(limits.cell_seconds)
    write_csv(reports / "grades.csv", results, cells)
    from coursekit.lms import write_exports

    exports, missing = write_exports(reports, results, roster)
    summary = write_report(reports / "report.md", results, cells, timeout, skipped, sandboxed, missing)
    echo(summary)
    echo(f"item analysis: {', '.join(str(reports / f'{aid}.html') for aid in cells)}")
    echo(f"for the LMS: {exports['canvas']} (Canvas), {exports['moodle']} (Moodle)"
         + (f"; {len(missing)} student(s) of the roster did not submit" if missing else ""))
    echo(f"grades: {reports / 'grades.csv'}\nreport: {reports / 'report.md'}\n"
         f"feedback: {root / cfg.CourseDirectory.feedback_directory}")


def _record(cfg: Config, aid: str, student: str, verdicts: dict | None) -> tuple[bool, list[str]]:
    """Write one submission's autograded scores to the gradebook; written answers keep their hand-entered
    score (or wait for one). ``verdicts=None``: the submission could not be graded, every autograded part
    is 0 and a written answer not graded by hand is 0.

    A score or a comment entered by hand (``manual_score``, the comments) is never changed here: a regrade
    replaces the autograded scores only. Returns whether the gradebook holds a score or a comment entered by
    hand for it, and the written answers that still wait for their hand grading."""
    with _gradebook(cfg) as gb:
        gb.update_or_create_student(student)
        sub = gb.update_or_create_submission(aid, student)
        for nb in sub.notebooks:
            for g in nb.grades:
                if verdicts is None:
                    g.auto_score, g.needs_manual_grade = 0.0, False
                elif g.name in verdicts:
                    g.auto_score, g.needs_manual_grade = float(verdicts[g.name].score), False
                else:
                    g.auto_score = None
                    g.needs_manual_grade = g.manual_score is None
        gb.db.commit()
        by_hand = any(g.manual_score is not None for nb in sub.notebooks for g in nb.grades) or any(
            c.manual_comment for nb in sub.notebooks for c in nb.comments)
        return by_hand, [g.name for nb in sub.notebooks for g in nb.grades if g.needs_manual_grade]


_VIEWS: dict[tuple, Path] = {}
"""Sandbox views built by this process for the plans it was sent (a cluster worker builds its own)."""


def _run(aid: str, files: dict[str, bytes], plans: dict, views: dict | None, limits: Any, seed: int,
         sandboxed: bool) -> list:
    """The sandboxed part of grading one submission: ``[(notebook name, raw bytes, Outcome, feedback page),
    ...]``.

    The notebooks travel as bytes and the outcomes come back as data, so this runs in a local worker process
    or on a Dask worker of another machine (``views=None``: the sandbox views are built there, once per
    process). It also renders each feedback page (:mod:`coursekit.feedback`), so that the coordinator, which
alone writes the course's files and gradebook, only records the outcomes (:func:`_finish`)."""
    from coursekit.grading import runner
    from coursekit.grading import sandbox as sb

    out = []
    with _single_threaded_blas():
        for nb, raw in files.items():
            plan = plans[aid, nb]
            if views is not None:
                view = views[aid, nb]
            else:
                key = (aid, nb, plan.withheld, tuple(sorted(plan.provided)))
                if key not in _VIEWS or not _VIEWS[key].is_dir():
                    folder = Path(tempfile.mkdtemp(prefix="coursekit-view-"))
                    _VIEWS[key] = sb.build_view(folder, plan.withheld,
                                                {m: list(objs) for m, objs in plan.provided.items()})
                view = _VIEWS[key]
            student_nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
            outcome = runner.grade_submission(plan, student_nb, raw, view, limits, seed, sandboxed)
            page = None
            if outcome.refusal is None:
                from coursekit.feedback import render_feedback

                scores = {gid: v.score for gid, v in outcome.verdicts.items()}
                page = render_feedback(outcome.cells, plan.metadata, nb, scores, plan.points)
            out.append((nb, raw, outcome, page))
    return out


def _progress(total: int) -> Any:
    """A live progress bar on a terminal (done, to go, rate, time left, failures); silent otherwise."""
    from tqdm import tqdm

    return tqdm(total=total, unit="submission", disable=not sys.stderr.isatty(), leave=False)


def _finish(root: Path, cfg: Config, api: NbGraderAPI, sub: Submission, cells: list[tuple[str, str, float]],
            plans: dict, outcomes: list, sandboxed: bool) -> StudentResult:
    """The coordinator's part: the submitted and autograded notebooks, the gradebook, the feedback."""
    aid, student = sub.assignment, sub.student
    cd = cfg.CourseDirectory
    for step in ("submitted_directory", "autograded_directory", "feedback_directory"):
        shutil.rmtree(root / cd[step] / student / aid, ignore_errors=True)
    problems, hints, flags = list(sub.problems), {}, []
    verdicts: dict = {}
    status = "graded" if sub.files else "not graded"
    graded = False
    pages = {}
    for nb, raw, outcome, page in outcomes:
        dest = root / cd.submitted_directory / student / aid
        dest.mkdir(parents=True, exist_ok=True)
        (dest / f"{nb}.ipynb").write_bytes(raw)
        if sub.timestamp is not None:
            shutil.copyfile(sub.timestamp, dest / "timestamp.txt")
        problems += outcome.notes
        if outcome.refusal:
            problems.append(outcome.refusal)
            status = "not this assignment"
            continue
        graded = True
        problems += outcome.cell_problems
        flags += outcome.flags
        verdicts |= outcome.verdicts
        hints |= {gid: v.message for gid, v in outcome.verdicts.items() if v.message}
        out = nbformat.v4.new_notebook(cells=outcome.cells, metadata=copy.deepcopy(plans[aid, nb].metadata))
        target = root / cd.autograded_directory / student / aid
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(out, target / f"{nb}.ipynb")
        pages[nb] = page
        if sub.timestamp is not None:
            shutil.copyfile(sub.timestamp, target / "timestamp.txt")
    by_hand, ungraded = _record(cfg, aid, student, verdicts if graded else None)
    max_auto = sum(p for _, kind, p in cells if kind == "code")
    if graded and (by_hand or any(page is None for page in pages.values())):
        fb = api.generate_feedback(aid, student, force=True)  # the gradebook holds the hand-entered part
        if not fb["success"]:
            problems.append(f"feedback could not be generated: {first_line(fb.get('error', ''))}")
        for page in (root / cd.feedback_directory / student / aid).glob("*.html"):
            page.write_text(course_page(page.read_text(encoding="utf-8"), ungraded), encoding="utf-8")
    elif graded:
        for nb, page in pages.items():
            target = root / cd.feedback_directory / student / aid / f"{nb}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page, encoding="utf-8")
    for nb in _notebooks(root, aid):
        target = root / cd.feedback_directory / student / aid / f"{nb}.html"
        if not target.exists():
            _fallback_feedback(target, aid, student, max_auto, problems or ["it could not be run"])
    auto = {gid: p for gid, kind, p in cells if kind == "code"}
    parts = {gid: (verdicts[gid].score if gid in verdicts else 0.0) for gid in auto}
    max_written = {gid: p for gid, kind, p in cells if kind != "code"}
    written = {gid: None if graded else 0.0 for gid in max_written}
    if not sandboxed:
        problems.append("graded WITHOUT the sandbox (--no-sandbox)")
    lost = {gid: text for gid, text in hints.items() if gid in auto and parts[gid] < auto[gid]}
    return StudentResult(student, aid, parts, auto, written, max_written, status, problems, lost, flags=flags)


def grade_command(root: str | os.PathLike, submissions: str | os.PathLike, assignment: str | None = None,
                  timeout: int | None = None, **options: Any) -> int:
    """``coursekit grade SUBMISSIONS [--assignment ID] [--timeout S]``; returns the exit code (0: every
    submission was processed, whatever its score; 2: nothing to grade or a wrong argument)."""
    try:
        grade(root, submissions, assignment, timeout, **options)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
