"""The sandbox of one submission: a worker process under bubblewrap, and the grader's end of its channel.

Each submission's worker (:mod:`coursekit.grading.worker`) runs under ``bwrap`` with

- new user, pid, ipc, uts, cgroup and network namespaces (no network at all), every capability dropped and
  no further user namespaces;
- a read-only view of the system (``/usr``, the Python installation, the virtual environment) and of a
  **student view of coursekit**: the helper modules (``data``, ``plotting``) and, in place of each module that
  holds the reference of a graded part, a stub whose import fails with a clear message;
- a private writable scratch folder (a size-limited tmpfs) that holds only that submission's notebook, and a
  fresh empty ``HOME``; no view of ``solutions/``, ``grading/``, the gradebook or other submissions;
- ``--die-with-parent`` and its own pid namespace: when the worker is killed, every process it started dies;
- rlimits for address space, CPU seconds, processes, open files and file size (:class:`Limits`).

Without bubblewrap the grader refuses to run (:class:`SandboxUnavailable`), unless the instructor passes
``--no-sandbox`` (the worker is then a plain subprocess, still outside the grader's process, and the report
says so).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import coursekit
from coursekit.dist import STAFF_ONLY
from coursekit.grading.channel import Endpoint, WorkerLost

INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf "
                "install bubblewrap`), or pass --no-sandbox to grade without isolation at your own risk")
SANDBOX_ROOT = "/home/student"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission (``nbgrader_config.py``: ``c.CourseKit.<name>``, or flags)."""

    memory_mb: int = 4096
    """Address space of each sandboxed process, in MB."""
    cell_seconds: float = 60.0
    """Wall-clock seconds for one cell (or one graded part) before the worker is stopped."""
    submission_seconds: float = 600.0
    """Wall-clock seconds for the whole submission."""
    processes: int = 64
    """Processes and threads the sandbox may add (on top of those its user already runs)."""
    open_files: int = 1024
    file_mb: int = 64
    """Largest file a sandboxed process may write, in MB (the scratch folder holds at most 4 times that)."""
    max_cells: int = 300
    """Cells executed per notebook: cells the student added beyond this are not run."""


def _bwrap() -> str | None:
    return shutil.which("bwrap")


def check_sandbox() -> None:
    """Raise :class:`SandboxUnavailable` with what to do when bubblewrap cannot isolate a worker here."""
    exe = _bwrap()
    if exe is None:
        raise SandboxUnavailable("the sandbox needs bubblewrap (`bwrap`), which is not installed: "
                                 + INSTALL_HINT)
    probe = subprocess.run([exe, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        raise SandboxUnavailable(f"bubblewrap cannot create namespaces here ({probe.stderr.strip()}): enable "
                                 f"unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) "
                                 f"or run as a user allowed to, or {INSTALL_HINT.split(', or ')[1]}")


def build_view(folder: Path, withheld: tuple[str, ...], provided: dict[str, list[str]] | None = None) -> Path:
    """Write the sandbox's Python packages into ``folder``: the student view of coursekit and the worker.

    ``withheld`` are the coursekit modules (``"coursekit.linear"``) that hold the references of the graded
    parts; each is replaced by a stub whose names raise ImportError, except the names in ``provided``
    (module -> names), which are proxies of objects that run in the grader. Returns ``folder``.
    """
    src = Path(coursekit.__file__).parent
    shutil.rmtree(folder, ignore_errors=True)
    view, worker = folder / "coursekit", folder / "coursekit_worker"
    view.mkdir(parents=True)
    worker.mkdir()
    for path in src.glob("*.py"):
        if path.stem not in STAFF_ONLY:
            shutil.copyfile(path, view / path.name)
    message = ("{module} is not available while your notebook is graded: the graded parts must be your "
               "own code, so the reference implementations are not installed here. Import only numpy, "
               "matplotlib, coursekit.data and coursekit.plotting in your answers.")
    for module in withheld:
        names = sorted((provided or {}).get(module, ()))
        lines = [f'"""Stub of {module} inside the grading sandbox."""',
                 "from coursekit_worker.worker import provided",
                 f"MESSAGE = {message.format(module=module)!r}"]
        lines += [f"{name} = provided({module!r}, {name!r})" for name in names]
        lines += ["", "", "def __getattr__(name):", "    if name.startswith('__'):",
                  "        raise AttributeError(name)", "    raise ImportError(MESSAGE)"]
        if not names:
            lines.append("raise ImportError(MESSAGE)")
        (view / f"{module.removeprefix('coursekit.')}.py").write_text("\n".join(lines) + "\n")
    (worker / "__init__.py").write_text("")
    for name in ("channel", "worker"):
        shutil.copyfile(src / "grading" / f"{name}.py", worker / f"{name}.py")
    return folder


def _prefixes() -> list[str]:
    """Folders the worker's Python needs, read-only: the installation and the virtual environment."""
    paths = {sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))}
    return sorted(p for p in paths if p and not any(p != q and p.startswith(q + os.sep) for q in paths))


class Worker:
    """One running sandboxed worker and the grader's :class:`Endpoint` to it.

    Parameters
    ----------
    view : Path
        The folder made by :func:`build_view`.
    notebook : bytes or None
        The submission, copied into the scratch folder as ``submission.ipynb``; ``None`` for a worker started
        ahead of its submission (the grader sends it with the ``put`` request).
    limits : Limits
    sandboxed : bool
        ``False`` runs the worker as a plain subprocess (``--no-sandbox``).
    """

    def __init__(self, view: Path, notebook: bytes | None, limits: Limits, sandboxed: bool = True) -> None:
        self.limits, self.scratch = limits, None
        grader_end, worker_end = socket.socketpair()
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": "/opt/ck" if sandboxed else str(view),
               "HOME": SANDBOX_ROOT, "LANG": "C.UTF-8", "MPLBACKEND": "module://matplotlib_inline.backend_inline",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1", "NBGRADER_EXECUTION": "autograde",
               "CK_CHANNEL_FD": str(worker_end.fileno())}
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if key in os.environ:
                env[key] = os.environ[key]
        python = [sys.executable, "-s", "-m", "coursekit_worker.worker"]
        fd, path = tempfile.mkstemp(prefix="coursekit-submission-")
        try:
            if notebook is not None:
                os.write(fd, notebook)
                os.lseek(fd, 0, os.SEEK_SET)
            if sandboxed:
                cmd, cwd = self._bwrap_command(view, None if notebook is None else fd) + python, "/"
            else:
                self.scratch = tempfile.mkdtemp(prefix="coursekit-worker-")
                if notebook is not None:
                    Path(self.scratch, "submission.ipynb").write_bytes(notebook)
                env["HOME"] = cwd = self.scratch
                cmd = python
            self.proc = subprocess.Popen(
                cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, pass_fds=(worker_end.fileno(), fd), start_new_session=True,
                preexec_fn=self._limit)
        finally:
            os.close(fd)
            os.unlink(path)
            worker_end.close()
        self.endpoint = Endpoint(grader_end, "g")

    def _limit(self) -> None:
        """In the child, before bwrap starts: the rlimits, inherited by everything in the sandbox."""
        lim, mb = self.limits, 2**20
        nproc = len([p for p in os.listdir("/proc") if p.isdigit()]) + lim.processes
        for what, value in [(resource.RLIMIT_AS, lim.memory_mb * mb), (resource.RLIMIT_NPROC, nproc),
                            (resource.RLIMIT_NOFILE, lim.open_files),
                            (resource.RLIMIT_FSIZE, lim.file_mb * mb),
                            (resource.RLIMIT_CPU, int(lim.submission_seconds) + 5),
                            (resource.RLIMIT_CORE, 0)]:
            resource.setrlimit(what, (value, value))

    def _bwrap_command(self, view: Path, notebook_fd: int | None) -> list[str]:
        exe = _bwrap()
        if exe is None:
            raise SandboxUnavailable(f"bubblewrap (`bwrap`) is not installed: {INSTALL_HINT}")
        cmd = [exe, "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
               "--unshare-cgroup-try", "--disable-userns", "--cap-drop", "ALL", "--uid", "1000",
               "--gid", "1000",
               "--die-with-parent", "--new-session", "--hostname", "sandbox",
               "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        for link in ("bin", "lib", "lib64", "sbin"):
            target = Path("/") / link
            if target.is_symlink():
                cmd += ["--symlink", os.readlink(target), f"/{link}"]
            elif target.is_dir():
                cmd += ["--ro-bind", str(target), f"/{link}"]
        for path in ("/etc/ld.so.cache", "/etc/fonts", "/etc/localtime", "/etc/alternatives"):
            cmd += ["--ro-bind-try", path, path]
        for prefix in _prefixes():
            cmd += ["--ro-bind", prefix, prefix]
        real = str(Path(coursekit.__file__).resolve().parent)
        cmd += ["--ro-bind", str(view / "coursekit"), real, "--ro-bind", str(view), "/opt/ck",
                "--size", str(4 * self.limits.file_mb * 2**20), "--tmpfs", SANDBOX_ROOT]
        if notebook_fd is not None:
            cmd += ["--file", str(notebook_fd), f"{SANDBOX_ROOT}/submission.ipynb"]
        return cmd + ["--chdir", SANDBOX_ROOT]

    # ------------------------------------------------------------------------------------------------- use

    def request(self, op: str, seconds: float, **fields: object) -> object:
        """One request with a time limit; :class:`WorkerLost` (and the worker killed) when it fails."""
        self.endpoint.deadline = time.monotonic() + seconds
        try:
            return self.endpoint.request(op, **fields)
        except WorkerLost:
            self.kill()
            raise
        finally:
            self.endpoint.deadline = None

    @property
    def alive(self) -> bool:
        return self.endpoint.closed is None and self.proc.poll() is None

    def kill(self) -> None:
        """Stop the worker and everything it started (the pid namespace dies with it)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.endpoint.closed is None:
            self.endpoint.closed = "the worker was stopped"
        self.endpoint.sock.close()
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
