"""The instructor's hand-grading path: nbgrader's formgrader on the course, and feedback regenerated after it.

``coursekit formgrader`` (``make formgrader``, :func:`formgrader_command`) starts JupyterLab (or Jupyter
Server when JupyterLab is not installed) on the course root, bound to 127.0.0.1, with the course's
``nbgrader_config.py`` and gradebook (``grading/gradebook.db``), and prints the address of formgrader with its
token. The virtual environment's ``bin`` is put first on ``PATH`` (nbgrader runs ``alembic`` through ``PATH``
when it opens a gradebook), ``--allow-root`` is added when running as root, and the server's log goes to
``grading/formgrader.log``. Written answers are graded there: *Manual Grading* → an assignment → a notebook
→ a student, then a score and a comment per answer.

``coursekit feedback [--assignment ID]`` (``make feedback``, :func:`feedback_command`) regenerates every
feedback page from the gradebook with the course's feedback preprocessors (the grades and comments entered by
hand, never the hidden tests: see :class:`coursekit.pipeline.HideHiddenTests`) and rebuilds ``grades.csv``,
``report.md``, the item analyses and the LMS exports. Regrading a class (``coursekit grade --force``) keeps
every score and comment entered by hand.

The course uses no nbgrader exchange (students download ``assignments/`` from the site, and
``coursekit grade`` collects their files). ``nbgrader_config.py`` says so with nbgrader's exchange plugin
setting ``c.ExchangeFactory.list = "coursekit.formgrader.NoExchangeList"``: formgrader then knows that
*release* and *collect* are not available, without looking for (and logging about) a shared exchange
directory.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from nbgrader.exchange import ExchangeError
from nbgrader.exchange.abc import ExchangeList
from traitlets import Unicode

__all__ = ["FormgraderError", "NoExchangeList", "Server", "jupyter_app", "server_command", "start",
           "formgrader_command", "regenerate_feedback", "feedback_command"]

HOST = "127.0.0.1"
LOG_FILE = "formgrader.log"
"""The server's log, in the grading workspace."""
START_SECONDS = 120
"""How long the server may take to answer before the command gives up."""
NO_EXCHANGE = ("none: this course publishes assignments/ with its site and collects submissions with "
               "`make grade`")


class FormgraderError(RuntimeError):
    """The formgrader could not be started, or feedback could not be regenerated (the message says why)."""


class NoExchangeList(ExchangeList):
    """nbgrader's exchange listing for a course without an exchange (``c.ExchangeFactory.list``).

    nbgrader's formgrader lists the exchange each time it opens its API; the default exchange looks for a
    world-writable ``/usr/local/share/nbgrader/exchange`` and logs a critical "Unwritable directory" when it
    is missing. This listing reports at once, without logging, that there is no exchange: formgrader shows
    that *release* and *collect* are not available and everything else (manual grading, feedback) works as
    usual.
    """

    root = Unicode(NO_EXCHANGE, help="Shown by formgrader where it names the exchange directory")

    def start(self) -> list:
        raise ExchangeError("this course uses no nbgrader exchange")


# ------------------------------------------------------------------------------------------------------------
# The server
# ------------------------------------------------------------------------------------------------------------


def _bindir() -> Path:
    return Path(sys.executable).parent


def jupyter_app(lab: bool | None = None) -> tuple[str, Path]:
    """The Jupyter application to run: ``("JupyterLab", path of jupyter-lab)`` when JupyterLab is installed
    (or ``lab=True``), else ``("Jupyter Server", path of jupyter-server)``.

    Raises FormgraderError when the one asked for (or both) is missing, with the install command.
    """
    def find(name: str) -> Path | None:
        local = _bindir() / name
        found = local if local.exists() else shutil.which(name)
        return Path(found) if found else None

    lab_path, server_path = find("jupyter-lab"), find("jupyter-server")
    if lab is not False and lab_path is not None:
        return "JupyterLab", lab_path
    if lab:
        raise FormgraderError("JupyterLab is not installed: pip install jupyterlab (or leave out --lab)")
    if server_path is None:
        raise FormgraderError("Jupyter Server is not installed: make setup (or pip install jupyter_server "
                              "nbgrader)")
    return "Jupyter Server", server_path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _check_port(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            raise FormgraderError(f"port {port} on {HOST} is in use (another Jupyter server?): choose "
                                  "another one with --port N (make formgrader PORT=N), or stop what uses it"
                                  ) from None


def _require_gradebook(root: Path) -> Path:
    from coursekit.pipeline import CONFIG_FILE, WORKSPACE

    if not (root / CONFIG_FILE).is_file():
        raise FormgraderError(f"{root} holds no {CONFIG_FILE}: run this from the course repository or pass "
                              "--root")
    gradebook = root / WORKSPACE / "gradebook.db"
    if not gradebook.is_file():
        raise FormgraderError(f"no gradebook yet ({gradebook}): run `make grade SUBMISSIONS=<folder>` first")
    return gradebook


def server_command(root: str | os.PathLike, port: int, lab: bool | None = None) -> list[str]:
    """The command line of the Jupyter server on the course ``root`` (the token travels in the environment,
    ``JUPYTER_TOKEN``, not on the command line where other users of the machine could read it)."""
    _, app = jupyter_app(lab)
    cmd = [str(app), "--no-browser", f"--ip={HOST}", f"--port={port}", "--ServerApp.port_retries=0",
           f"--ServerApp.root_dir={Path(root).resolve()}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def server_env(token: str) -> dict[str, str]:
    """The server's environment: the virtual environment's ``bin`` first on ``PATH``, the token."""
    env = dict(os.environ)
    env["PATH"] = str(_bindir()) + os.pathsep + env.get("PATH", "")
    env["JUPYTER_TOKEN"] = token
    return env


@dataclass
class Server:
    """A running Jupyter server with formgrader on a course (returned by :func:`start`)."""

    root: Path
    port: int
    token: str
    app: str
    log: Path
    process: subprocess.Popen = field(repr=False)
    _log_file: IO | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def formgrader_url(self) -> str:
        """The address of formgrader, with the token (the token logs the browser in)."""
        return f"{self.base}/formgrader?token={self.token}"

    @property
    def lab_url(self) -> str:
        return f"{self.base}/lab?token={self.token}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20) -> int | None:
        """Stop the server (SIGTERM: Jupyter shuts its kernels down; SIGKILL after ``timeout`` seconds)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return self.process.returncode

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _get(url: str, token: str, timeout: float = 10) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def start(root: str | os.PathLike = ".", port: int | None = None, lab: bool | None = None,
          timeout: float = START_SECONDS) -> Server:
    """Start Jupyter with formgrader on the course at ``root``; return once formgrader answers.

    Parameters
    ----------
    root : path
        The course root (holds ``nbgrader_config.py`` and the grading workspace ``grading/``).
    port : int, optional
        The port on 127.0.0.1 (default: a free one). A port in use is an error, never silently changed.
    lab : bool, optional
        ``True``: JupyterLab (an error if missing); ``False``: Jupyter Server; default: JupyterLab when
        installed.
    timeout : float
        Seconds the server may take to answer.

    Raises
    ------
    FormgraderError
        No gradebook yet, the port is in use, or the server did not start (with the end of its log).
    """
    from coursekit.pipeline import WORKSPACE

    root = Path(root).resolve()
    _require_gradebook(root)
    if port is None:
        port = _free_port()
    _check_port(port)
    app, _ = jupyter_app(lab)
    token = secrets.token_hex(24)
    log = root / WORKSPACE / LOG_FILE
    log_file = log.open("w", encoding="utf-8")
    process = subprocess.Popen(server_command(root, port, lab), cwd=root, env=server_env(token),
                               stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = Server(root, port, token, app, log, process, log_file)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise FormgraderError(f"{app} stopped at start (exit code {process.returncode}); the end of "
                                      f"its log ({log}):\n{server.log_tail()}")
            with contextlib.suppress(OSError):
                if _get(f"{server.base}/api/status", token, timeout=5) == 200:
                    break
            if time.monotonic() > deadline:
                raise FormgraderError(f"{app} did not answer within {timeout:g} s; the end of its log "
                                      f"({log}):\n{server.log_tail()}")
            time.sleep(0.3)
        status = _get(f"{server.base}/formgrader/api/assignments", token, timeout=60)
        if status != 200:
            raise FormgraderError(f"formgrader answered {status} instead of 200; the end of the log ({log}):"
                                  f"\n{server.log_tail()}")
    except BaseException:
        server.stop()
        raise
    return server


def formgrader_command(root: str | os.PathLike = ".", port: int | None = None, lab: bool | None = None,
                       echo: Callable[[str], None] = print) -> int:
    """``coursekit formgrader [--port N] [--lab | --server]``: run formgrader until Ctrl-C; the exit code."""
    try:
        server = start(root, port, lab)
    except FormgraderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    echo(f"{server.app} with nbgrader's formgrader on {server.root} (gradebook: grading/gradebook.db)")
    echo(f"formgrader: {server.formgrader_url}")
    if server.app == "JupyterLab":
        echo(f"JupyterLab: {server.lab_url}  (menu Nbgrader → Formgrader)")
    echo(f"log: {server.log}\nGrade the written answers under Manual Grading, then `make feedback` to "
         "regenerate the feedback and the grades with your scores and comments. Ctrl-C stops the server.")
    sys.stdout.flush()
    try:
        code = server.process.wait()
    except KeyboardInterrupt:
        echo("stopping the server …")
        server.stop()
        return 0
    server.stop()
    print(f"error: the server stopped (exit code {code}); the end of its log ({server.log}):\n"
          f"{server.log_tail()}", file=sys.stderr)
    return 1


# ------------------------------------------------------------------------------------------------------------
# Feedback after hand-grading
# ------------------------------------------------------------------------------------------------------------


def _not_graded_yet(api: Any, aid: str, student: str) -> list[str]:
    """The written answers of a submission that wait for a score entered by hand."""
    with api.gradebook as gb:
        sub = gb.find_submission(aid, student)
        return [g.name for nb in sub.notebooks for g in nb.grades if g.needs_manual_grade]


def regenerate_feedback(root: str | os.PathLike = ".", assignment: str | None = None,
                        echo: Callable[[str], None] = print) -> list[tuple[str, str]]:
    """Regenerate the feedback of every graded submission from the gradebook, then rebuild the reports.

    The feedback is made by nbgrader's ``generate_feedback`` with the course's preprocessors (``GetGrades``
    reads the scores and comments of the gradebook, :class:`~coursekit.pipeline.HideHiddenTests` keeps the
    hidden tests out), finished as ``coursekit grade`` finishes it (:func:`coursekit.feedback.course_page`:
    the course's own MathJax, and a written answer not graded yet reads so); then ``grades.csv``,
    ``report.md``, the item analyses and the LMS exports are rebuilt from every result of the course, with
    the scores and comments entered by hand.

    Parameters
    ----------
    root : path
        The course root.
    assignment : str, optional
        Regenerate the feedback of this assignment only (the reports always cover the whole course).
    echo : callable
        Where progress lines go.

    Returns
    -------
    list of (assignment, student)
        The submissions whose feedback was regenerated.
    """
    from coursekit import pipeline as pl
    from coursekit.feedback import course_page, install_mathjax
    from coursekit.reports import first_line

    root = Path(root).resolve()
    _require_gradebook(root)
    ids = pl.assignment_ids(root)
    if assignment is not None and assignment not in ids:
        raise FormgraderError(f"no assignment {assignment!r} in {pl.SOURCE}/ (known: {', '.join(ids)})")
    cfg = pl.load_config(root)
    api = pl._api(cfg)
    autograded = root / cfg.CourseDirectory.autograded_directory
    feedback = root / cfg.CourseDirectory.feedback_directory
    done, stored = [], {aid: pl._stored(root, aid) for aid in ids}
    if not any(stored.values()):
        raise FormgraderError("nothing graded yet: run `make grade SUBMISSIONS=<folder>` first")
    for aid in [assignment] if assignment else ids:
        for student in sorted(stored[aid]):
            if not (autograded / student / aid).is_dir():
                continue  # not graded at all: its feedback says why, and there is nothing to regenerate
            result = api.generate_feedback(aid, student, force=True)
            if not result["success"]:
                echo(f"warning: the feedback of {student} ({aid}) could not be regenerated: "
                     f"{first_line(result.get('error', '') or result.get('log', ''))}")
                continue
            ungraded = _not_graded_yet(api, aid, student)
            for page in (feedback / student / aid).glob("*.html"):  # the course's MathJax, as `grade` does
                page.write_text(course_page(page.read_text(encoding="utf-8"), ungraded), encoding="utf-8")
            done.append((aid, student))
    if done:
        install_mathjax(feedback)
    echo(f"regenerated the feedback of {len(done)} submission(s) from the gradebook")
    sandboxed = not any("WITHOUT the sandbox" in p for results in stored.values() for data in results.values()
                        for p in data.get("problems", []))
    pl._write_reports(root, cfg, ids, None, sandboxed, echo, pl.grading_limits(cfg), None)
    return done


def feedback_command(root: str | os.PathLike = ".", assignment: str | None = None) -> int:
    """``coursekit feedback [--assignment ID]``: regenerate feedback and reports; the exit code."""
    from coursekit.pipeline import PipelineError

    try:
        regenerate_feedback(root, assignment)
    except (FormgraderError, PipelineError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
