"""Build the course site (Jupyter Book 1) into ``_build/html``: ``coursekit build`` / ``make book``.

The book's root is the repository root (``_config.yml`` and ``_toc.yml`` live there). Chapters are MyST
Markdown notebooks executed at build time through the jupyter-cache in ``_build/.jupyter_cache``, so a
rebuild with nothing changed re-runs no chapter. With ``strict=True`` every Sphinx warning is an error
(``--warningiserror``), but the build keeps going to report all of them at once (``--keep-going``).
The build log is kept in ``_build/build.log``.

Before the build, the student wheel of coursekit is built into ``dist/`` (:mod:`coursekit.dist`): the landing
page offers it for download.

Each chapter ``book/<name>.md`` has a generated twin ``book/<name>.ipynb`` (same cells, no outputs, plus a
first cell that installs the course library where it is missing), written by :func:`write_chapter_notebooks`
before every build. The launch buttons (Binder, Colab) open these notebooks: Colab cannot open a text
notebook. Sphinx itself ignores them (``exclude_patterns``); the page is built from the ``.md``. They carry
the kernel's ``language_info`` (:func:`coursekit.pipeline.kernel_language_info`), so that Jupyter does not
mark them modified when their kernel starts; a twin written under another Python differs only in
``language_info.version``, and is not rewritten for that alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml

from coursekit.pipeline import kernel_language_info

#: Where the site, the build log, the executed notebooks and the execution cache go, relative to the root.
BUILD_DIR = "_build"
HTML_DIR = f"{BUILD_DIR}/html"
LOG_FILE = f"{BUILD_DIR}/build.log"
CACHE_DIR = f"{BUILD_DIR}/.jupyter_cache"
SOURCE_SUFFIXES = (".md", ".ipynb")

_JB_MAIN = "import sys; from jupyter_book.cli.main import main; sys.exit(main())"
# "book/x.md: WARNING: Executing notebook failed: ..." or "... ExecutionError: /abs/path/book/x.md"
_EXEC_FAILED = re.compile(
    r"^(?P<path>\S+?\.(?:md|ipynb))(?::\d+)?: (?:WARNING|ERROR): Executing notebook failed")
_EXEC_ERROR = re.compile(r"ExecutionError: (?P<path>\S+?\.(?:md|ipynb))\b")
_WARNING = re.compile(r": (WARNING|ERROR|CRITICAL): ")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def toc_files(root: str | os.PathLike = ".") -> list[str]:
    """Return the documents listed in ``_toc.yml`` (root first), without suffix, in reading order."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return files


def chapter_files(root: str | os.PathLike = ".") -> list[Path]:
    """Return the chapter sources (the executed notebooks ``book/*.md`` listed in the "Chapters" part)."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    part = next(p for p in toc["parts"] if p.get("caption") == "Chapters")
    return [Path(root) / f"{c['file']}.md" for c in part["chapters"]]


def missing_sources(root: str | os.PathLike = ".") -> list[str]:
    """Return the documents of ``_toc.yml`` without a source file (``.md`` or ``.ipynb``) under ``root``."""
    root = Path(root)
    return [doc for doc in toc_files(root)
            if not any((root / f"{doc}{suffix}").is_file() for suffix in SOURCE_SUFFIXES)]


#: The first cell of a chapter's launchable notebook; ``{url}`` is the repository URL of ``_config.yml``.
INSTALL_CELL = """\
# Run this cell first. On Colab, or wherever the course library is missing, it installs it (with its data
# sets) from the course repository; on Binder, or a machine set up with `make book`, it does nothing.
import importlib.util

if importlib.util.find_spec("coursekit") is None or importlib.util.find_spec("myst_nb") is None:
    %pip install --quiet "coursekit @ git+{url}" myst-nb"""


def repository_url(root: str | os.PathLike = ".") -> str:
    """Return the repository URL of the course, set in one place: ``repository: url`` of ``_config.yml``."""
    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"]


def chapter_notebook(chapter: str | os.PathLike, url: str) -> nbformat.NotebookNode:
    """Return the launchable notebook of a chapter: its MyST cells as ``.ipynb``, after an install cell.

    Parameters
    ----------
    chapter : str or path-like
        A chapter source, a MyST Markdown notebook ``book/<name>.md``.
    url : str
        The repository URL the install cell installs the course library from.

    Returns
    -------
    nbformat.NotebookNode
        A version 4 notebook without outputs, with the kernel's ``language_info``; cell ids are derived
        from the cell positions, so the same chapter always gives the same file on the same Python.
    """
    from myst_nb.core.read import read_myst_markdown_notebook

    nb = read_myst_markdown_notebook(Path(chapter).read_text(encoding="utf-8"))
    nb.cells.insert(0, nbformat.v4.new_code_cell(INSTALL_CELL.format(url=url),
                                                 metadata={"tags": ["remove-cell"]}))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = kernel_language_info()
    return nb


def _with_version_of(nb: nbformat.NotebookNode, target: Path) -> nbformat.NotebookNode:
    """``nb`` with the Python ``version`` of the notebook already at ``target``, when ``target`` has one.

    The version in ``language_info`` is the Python of the machine that wrote the notebook, the only part of
    :func:`kernel_language_info` that depends on it: a twin that differs in nothing else is up to date.
    """
    if target.is_file():
        old = nbformat.read(target, as_version=4).metadata.get("language_info", {})
        if "version" in old:
            nb.metadata["language_info"]["version"] = old["version"]
    return nb


def write_chapter_notebooks(root: str | os.PathLike = ".") -> list[Path]:
    """Write ``book/<name>.ipynb`` next to every chapter whose notebook is missing or out of date.

    Parameters
    ----------
    root : str or path-like
        The repository root.

    Returns
    -------
    list of Path
        The notebooks that were written (an up-to-date notebook is left untouched).
    """
    url, written = repository_url(root), []
    for chapter in chapter_files(root):
        target = chapter.with_suffix(".ipynb")
        text = nbformat.writes(_with_version_of(chapter_notebook(chapter, url), target)) + "\n"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


def build_command(root: str | os.PathLike = ".", strict: bool = True) -> list[str]:
    """Return the ``jupyter-book build`` command line (run with this Python) for the book at ``root``."""
    cmd = [sys.executable, "-c", _JB_MAIN, "build", str(root), "--builder", "html"]
    if strict:
        cmd += ["--warningiserror", "--nitpick", "--keep-going"]
    return cmd


def _say(message: str) -> None:
    print(f"[coursekit build] {message}", flush=True)


def _diagnose(lines: list[str], root: Path) -> list[str]:
    """Turn the build output into short messages that name the failing chapter or the warnings."""
    messages, failed = [], []
    for line in lines:
        match = _EXEC_FAILED.search(line) or _EXEC_ERROR.search(line)
        if match:
            path = Path(match["path"])
            if path.is_absolute() and path.is_relative_to(root):
                path = path.relative_to(root)
            if path.as_posix() not in failed:
                failed.append(path.as_posix())
    for rel in failed:
        report = root / HTML_DIR / "reports" / Path(rel).with_suffix(".err.log")
        where = f" (traceback in {report.relative_to(root)})" if report.is_file() else " (traceback above)"
        messages.append(f"chapter {rel} raised an error while it was executed{where}; "
                        "fix the cell and rebuild")
    warnings = [line.strip() for line in lines if _WARNING.search(line)]
    if warnings:
        messages.append(f"{len(warnings)} warning(s), which are errors in a strict build:")
        messages += [f"  {w}" for w in warnings[:30]]
        if len(warnings) > 30:
            messages.append(f"  ... and {len(warnings) - 30} more (see {LOG_FILE})")
    return messages


def build(root: str | os.PathLike = ".", strict: bool = True) -> int:
    """Build the course site at ``root`` into ``root/_build/html`` and return the exit code (0 = success).

    Runs ``jupyter-book build`` in a subprocess with the same Python environment, streaming its output and
    saving it in ``_build/build.log``. Chapters are executed through the jupyter-cache, so unchanged chapters
    are not re-run. ``strict=True`` turns warnings into errors (``--warningiserror --nitpick --keep-going``).
    Prints where the site is and how long the build took.

    Parameters
    ----------
    root : str or path-like
        The repository root, holding ``_config.yml`` and ``_toc.yml``.
    strict : bool
        Treat every Sphinx warning as an error.

    Returns
    -------
    int
        The exit code of the build: 0 when the site was built (without warnings, if strict).
    """
    start = time.perf_counter()
    root = Path(root).resolve()
    for name in ("_config.yml", "_toc.yml"):
        if not (root / name).is_file():
            _say(f"{root / name} not found: run the build from the repository root or pass --root")
            return 2
    missing = missing_sources(root)
    if missing:
        for doc in missing:
            _say(f"missing page: {doc} is listed in _toc.yml but neither {doc}.md nor {doc}.ipynb exists; "
                 "create it or remove it from _toc.yml")
        return 2

    for notebook in write_chapter_notebooks(root):
        _say(f"launchable notebook updated: {notebook.relative_to(root)}")
    if (root / "pyproject.toml").is_file():  # the landing page offers the student wheel for download
        from coursekit.dist import build_student_wheel

        try:
            wheel = build_student_wheel(root, root / "dist")
        except (RuntimeError, KeyError, OSError) as exc:
            _say(f"the student wheel could not be built: {exc}")
            return 2
        _say(f"student wheel: {wheel.relative_to(root)}")

    log_path = root / LOG_FILE
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = build_command(root, strict)
    # One BLAS thread: the chapters multiply small matrices, where threads only compete for the cores.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1", "NO_COLOR": "1",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    _say(f"building {root} ({'strict: warnings are errors' if strict else 'not strict'}); log: {LOG_FILE}")
    lines: list[str] = []
    with open(log_path, "w", encoding="utf-8") as log, subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
        errors="replace",
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = _ANSI.sub("", line)
            print(line, end="", flush=True)
            log.write(line)
            lines.append(line)
        returncode = proc.wait()

    elapsed = time.perf_counter() - start
    executed = sum("Executing notebook using" in line for line in lines)
    cached = sum("Using cached notebook" in line for line in lines)
    index = root / HTML_DIR / "index.html"
    if returncode == 0:
        _say(f"notebooks executed: {executed}, taken from the cache: {cached}")
        _say(f"site built in {elapsed:.1f} s: open {index}")
    else:
        messages = _diagnose(lines, root) or [f"jupyter-book exited with code {returncode}; see {LOG_FILE}"]
        for message in messages:
            _say(message)
        _say(f"build FAILED after {elapsed:.1f} s (exit code {returncode}); full log in {log_path}")
        if index.is_file():
            _say(f"an incomplete site may be at {index}")
    return returncode
