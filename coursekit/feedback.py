"""Feedback pages rendered where a submission is graded, without the gradebook.

nbgrader's ``generate_feedback`` reads every score back from the gradebook and builds a new exporter for each
notebook: about a third of a second per submission, spent by the one process that owns the gradebook. Here
the grading worker renders the page itself from the verdicts it has just computed, with one exporter per
process and the very template, preprocessors and page of nbgrader's feedback (``feedback/index.html.j2``,
:class:`~coursekit.pipeline.HideHiddenTests`), so the coordinator only writes the bytes. A submission with
scores or comments entered by hand still goes through nbgrader's ``generate_feedback`` (the gradebook holds
them).

Math on a feedback page is typeset by the course's own MathJax 3 (the copy the site uses, from the installed
``django-static-mathjax``), never by a CDN: :func:`course_page` points the page at ``_static/mathjax`` of the
feedback folder, which :func:`install_mathjax` fills, and falls back to the published site's copy when the
page is read on its own. It also spaces the notebook's tables (the points table of the first cell) and shows
a written answer that is not graded yet as such, instead of "0.0".
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Collection, Mapping
from typing import Any

from nbformat import NotebookNode

_EXPORTER: Any = None
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
STATIC = "_static"
"""Folder of the feedback directory that holds MathJax for every page."""


def _exporter() -> Any:
    """The process's HTML exporter, configured as nbgrader's ``GenerateFeedback`` configures its own."""
    global _EXPORTER
    if _EXPORTER is None:
        import nbgrader
        from nbconvert.exporters import HTMLExporter
        from traitlets.config import Config

        base = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")
        c = Config()
        c.HTMLExporter.template_name = "feedback"
        c.HTMLExporter.extra_template_basedirs = [os.path.join(base, "templates")]
        c.HTMLExporter.extra_template_paths = [os.path.join(base, "static", "node_modules", "bootstrap",
                                                            "dist", "css")]
        from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

        from coursekit.pipeline import HideHiddenTests

        _EXPORTER = HTMLExporter(config=c)
        for pre in (CSSHTMLHeaderPreprocessor, HideHiddenTests):  # as registered by nbgrader's converter
            _EXPORTER.register_preprocessor(pre)
    return _EXPORTER


def render_feedback(cells: list[NotebookNode], metadata: Mapping[str, Any], notebook: str,
                    scores: Mapping[str, float | None], points: Mapping[str, float]) -> str:
    """The feedback page of one graded notebook.

    Parameters
    ----------
    cells, metadata : the graded notebook (its cells with outputs, the released notebook's metadata).
    notebook : str
        The notebook's name (the page's title).
    scores : mapping grade id -> score or None
        Points earned per graded cell; ``None`` for a written answer not graded yet.
    points : mapping grade id -> float
        Points available per graded cell.

    Returns
    -------
    str
        The HTML page, as nbgrader's ``generate_feedback`` would write it with the same scores.
    """
    import nbformat

    nb = nbformat.v4.new_notebook(cells=copy.deepcopy(cells), metadata=copy.deepcopy(dict(metadata)))
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if meta.get("grade") and gid in points:
            meta["score"], meta["points"] = scores.get(gid), points[gid]
        if meta.get("solution") or meta.get("task"):
            meta["comment"] = None
    total = sum(s for gid, s in scores.items() if s is not None and gid in points)
    resources = {"unique_key": notebook, "output_files_dir": f"{notebook}_files",
                 "nbgrader": {"notebook": notebook, "score": total, "max_score": sum(points.values()),
                              "late_penalty": 0}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return course_page(body, [gid for gid in points if scores.get(gid) is None])


def _mathjax_script(depth: int) -> str:
    from coursekit.sections import SITE_URL
    from coursekit.sphinxext import MATHJAX_COMPONENT, MATHJAX_DIR

    local = "../" * depth + f"{STATIC}/{MATHJAX_DIR}/{MATHJAX_COMPONENT}"
    site = f"{SITE_URL}/_static/{MATHJAX_DIR}/{MATHJAX_COMPONENT}"
    return ("<!-- MathJax 3 of the course, served with the feedback (no CDN) -->\n<script>\n"
            "window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], processEscapes: true, "
            "tags: 'ams'}, options: {ignoreHtmlClass: 'tex2jax_ignore'}};\n</script>\n"
            f'<script id="MathJax-script" async src="{local}" '
            f"onerror=\"this.onerror = null; this.src = '{site}';\"></script>")


_TABLE_CSS = ("<style>\n.rendered_html table td, .rendered_html table th { padding: 0.25em 0.9em; }\n"
              ".rendered_html table { margin: 0.5em 0 1em; }\n</style>\n")


def course_page(page: str, ungraded: Collection[str] = (), depth: int = 2) -> str:
    """A feedback page of nbgrader's template, finished for the course.

    Parameters
    ----------
    page : str
        The HTML written by nbgrader's feedback template.
    ungraded : collection of str
        Grade ids of written answers not graded yet: their score reads "not graded yet", not "0.0".
    depth : int
        Folders between the page and the feedback folder (``<student>/<assignment>/<notebook>.html``: 2).

    Returns
    -------
    str
        The page with the course's MathJax 3 (``_static/mathjax`` ``depth`` folders up, else the published
        site's copy) instead of MathJax 2 from a CDN, and with spaced tables.
    """
    page = _MATHJAX_BLOCK.sub(lambda _: _TABLE_CSS + _mathjax_script(depth), page, count=1)
    for gid in ungraded:
        key = re.escape(gid)
        toc = rf'(href="#{key}">[^<]*</a> \(Score: )[0-9.]+( / )'
        heading = rf'(<a name="{key}"></a>.*?Score: )[0-9.]+( / )'
        page = re.sub(toc, r"\1not graded yet\2", page)
        page = re.sub(heading, r"\1not graded yet\2", page, count=1, flags=re.S)
    return page


def install_mathjax(feedback_dir: str | os.PathLike) -> None:
    """Copy the course's MathJax 3 into ``feedback_dir/_static/mathjax`` (once; the files come from the
    installed package, as for the site)."""
    from pathlib import Path

    from coursekit.sphinxext import MATHJAX_COMPONENT, MATHJAX_DIR, copy_mathjax

    dest = Path(feedback_dir) / STATIC / MATHJAX_DIR
    if not (dest / MATHJAX_COMPONENT).is_file():
        copy_mathjax(dest)
