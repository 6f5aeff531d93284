"""A small Sphinx extension for the course site: MathJax 3 served from the site itself, never from a CDN.

Sphinx loads MathJax from ``cdn.jsdelivr.net`` by default, so the math of a site built offline, or read
offline, would not render. MathJax 3 is shipped as a Python package (``django-static-mathjax``, import name
``mathjax``, files under ``mathjax/static/mathjax/es5/``). This extension

1. points ``mathjax_path`` at ``_static/mathjax/tex-chtml.js`` (a path relative to ``_static``), and
2. copies the files that this component loads at view time — the component itself, the TeX extensions it
   autoloads (``input/tex/extensions``), the CommonHTML fonts and the menu/accessibility modules — from the
   installed package into ``_build/html/_static/mathjax`` when an HTML build finishes.

Nothing is committed to the repository: the files come from the installed dependency at build time.

Two more fixes keep the browser console of every page clean:

- duplicated ``<script>`` tags are removed: an inline script registered both before and after the HTML builder
  starts (sphinx-thebe's ``const THEBE_JS_URL = ...``) is otherwise written twice, and the second copy is a
  JavaScript error ("Identifier has already been declared");
- without ``html_favicon``, pages declare an empty inline icon, so browsers do not request a missing
  ``/favicon.ico``.

Three more keep pages light and accessible:

- MathJax (about 1.2 MB with its fonts) is loaded only by pages that have math of their own. Sphinx
  counts a page as having equations when any page of its toctree has them, so the landing page would load it;
- every figure links to its image file, so a reader can open it at full size (Sphinx's own "scaled image
  link", switched on for every image by giving it an explicit scale of 100 %);
- the executed chapter notebooks offered for download have the streams of each cell merged (one stdout block
  per cell, as on the page), instead of one block per ``print`` flush;
- citations are written as list items (``role="listitem"``) of their ``role="list"`` container, instead of the
  deprecated ``doc-biblioentry`` role that leaves the list without items for assistive technology.

Enabled in ``_config.yml`` through ``sphinx: extra_extensions: [coursekit.sphinxext]``.
"""

from __future__ import annotations

import shutil
import types
from html import escape
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where MathJax goes in the built site, relative to ``_static``.
MATHJAX_DIR = "mathjax"
#: The MathJax component the pages load: TeX input, CommonHTML output, menu, assistive MathML.
MATHJAX_COMPONENT = "tex-chtml.js"
#: What that component may load at view time, relative to MathJax's ``es5`` folder.
MATHJAX_FILES = (
    MATHJAX_COMPONENT, "input", "output/chtml", "output/chtml.js", "ui", "a11y", "adaptors", "sre",
)


def mathjax_source() -> Path:
    """Return the ``es5`` folder of the installed MathJax 3 (package ``django-static-mathjax``).

    Raises
    ------
    ExtensionError
        If the package is not installed or does not hold ``es5/tex-chtml.js``.
    """
    hint = 'install the course dependencies: pip install -e ".[course]" (it brings django-static-mathjax)'
    try:
        import mathjax
    except ImportError as exc:
        raise ExtensionError(f"MathJax 3 is not installed (Python package 'mathjax'); {hint}") from exc
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / MATHJAX_COMPONENT).is_file():
        raise ExtensionError(f"{es5 / MATHJAX_COMPONENT} not found, the installed MathJax is incomplete; "
                             f"{hint}")
    return es5


def _set_mathjax_path(app: Sphinx, config: Config) -> None:
    mathjax_source()  # fail early, before any notebook is executed, when MathJax is missing
    config.mathjax_path = f"{MATHJAX_DIR}/{MATHJAX_COMPONENT}"


def copy_mathjax(dest: Path) -> Path:
    """Copy what the MathJax component loads at view time (:data:`MATHJAX_FILES`) into ``dest``; return the
    source folder. Used for the site and for the grading feedback pages."""
    src = mathjax_source()
    for rel in MATHJAX_FILES:
        source, target = src / rel, dest / rel
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return src


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / MATHJAX_DIR
    src = copy_mathjax(dest)
    logger.info(f"MathJax 3 copied from {src} to {dest}")


def merge_streams(nb: dict) -> bool:
    """Merge the consecutive stream outputs of the same name (stdout, stderr) in every cell of ``nb``.

    Parameters
    ----------
    nb : dict
        A notebook (nbformat 4), changed in place.

    Returns
    -------
    bool
        Whether anything was merged.
    """
    changed = False
    for cell in nb.get("cells", []):
        merged: list = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else {}
            if output.get("output_type") == previous.get("output_type") == "stream" \
                    and previous.get("name") == output.get("name"):
                previous["text"] = "".join(previous["text"]) + "".join(output["text"])
                changed = True
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged
    return changed


def _cached_notebook(app: Sphinx, docname: str):
    """The notebook of ``docname`` as its execution left it in the jupyter-cache, or None."""
    try:
        from jupyter_cache import get_cache

        config = getattr(app.env, "mystnb_config", None)
        cache_path = getattr(config, "execution_cache_path", "") or app.config.nb_execution_cache_path
        if not cache_path or not Path(cache_path).is_dir():
            return None
        record = get_cache(cache_path).get_cached_project_nb(str(Path(app.env.doc2path(docname)).resolve()))
        return None if record is None else get_cache(cache_path).get_cache_bundle(record.pk).nb
    except (KeyError, AttributeError, OSError):
        return None


def _merge_streams_in_downloads(app: Sphinx, exception: Exception | None) -> None:
    # The executed notebook that the page offers for download holds each cell's outputs after MyST-NB merged
    # the streams for the page in place: the first block has the merged text and the later blocks are still
    # there, so their text appears twice. Take the outputs as the execution left them, then merge them.
    if exception is not None or app.builder.format != "html":
        return
    import nbformat

    sources = Path(app.outdir) / "_sources"
    execute = Path(app.outdir).parent / "jupyter_execute"
    for path in sources.rglob("*.ipynb"):
        rel = path.relative_to(sources)
        if not (execute / rel).is_file():  # not an executed page: a notebook offered as it is
            continue
        nb = nbformat.read(path, as_version=4)
        cached = _cached_notebook(app, rel.with_suffix("").as_posix())
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        originals = [] if cached is None else [cell for cell in cached.cells if cell.cell_type == "code"]
        if [c.source for c in code] == [c.source for c in originals]:
            for cell, original in zip(code, originals, strict=True):
                cell.outputs = original.get("outputs", [])
        merge_streams(nb)
        nbformat.write(nb, path)


def _refresh_static_files(app: Sphinx, exception: Exception | None) -> None:
    # Sphinx copies html_static_path only when some page is rebuilt; a change to a stylesheet or script alone
    # would leave the old copy in the site. Copy every changed file of our static folders.
    if exception is not None or app.builder.format != "html":
        return
    for folder in app.config.html_static_path:
        source = Path(app.confdir) / folder
        if not source.is_dir():
            continue
        for path in source.rglob("*"):
            target = Path(app.outdir) / "_static" / path.relative_to(source)
            if path.is_file() and (not target.is_file() or target.read_bytes() != path.read_bytes()):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


def _dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        attributes = tuple(sorted(getattr(js, "attributes", {}).items()))
        key = (getattr(js, "filename", js) or "", getattr(js, "priority", 0), attributes)
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def _empty_favicon(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if not app.config.html_favicon:
        context["metatags"] = context.get("metatags", "") + '\n    <link rel="icon" href="data:,">'


def page_has_math(app: Sphinx, pagename: str) -> bool:
    """Return whether the page ``pagename`` itself (not its toctree children) holds math.

    Parameters
    ----------
    app : Sphinx
        The running Sphinx application.
    pagename : str
        The document name, e.g. ``"book/intro"``.

    Returns
    -------
    bool
        True when the math domain recorded an equation (inline or display) in that document.
    """
    domain = app.env.get_domain("math")
    return bool(domain.data.get("has_equations", {}).get(pagename, False))


def _is_mathjax(js: object) -> bool:
    filename = getattr(js, "filename", js) or ""
    body = getattr(js, "attributes", {}).get("body", "")
    return MATHJAX_DIR in str(filename).lower() or str(body).startswith("window.MathJax")


def _mathjax_only_with_math(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts or pagename == "search" or page_has_math(app, pagename):
        return
    context["script_files"] = [js for js in scripts if not _is_mathjax(js)]


def _link_images_to_full_size(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for image in doctree.findall(nodes.image):
        if isinstance(image.parent, nodes.reference) or image["uri"].startswith(("http:", "https:", "data:")):
            continue
        if not any(key in image for key in ("scale", "width", "height")):
            image["scale"] = 100  # Sphinx then wraps the image in a link to the image file


class _CitationListItems:
    """Translator mixin: citations are ``listitem`` children of their ``role="list"`` container."""

    def visit_citation(self, node: nodes.citation) -> None:
        super().visit_citation(node)  # type: ignore[misc]
        self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')  # type: ignore[attr-defined]


def _visit_hidden_cell(self, node: nodes.Element) -> None:
    # the <details> of a cell whose input is hidden; the summary's accessible name is its visible text
    # ("Show code cell source"), not a different aria-label, so what is seen and what is announced agree
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n</summary>\n')


def _depart_hidden_cell(self, node: nodes.Element) -> None:
    self.body.append("</details>\n")


def _citation_roles(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    translators = dict(app.registry.translators) or {app.builder.name: app.builder.default_translator_class}
    for name, klass in translators.items():
        app.set_translator(name, types.new_class("CourseHTMLTranslator", (_CitationListItems, klass), {}),
                           override=True)


def setup(app: Sphinx) -> dict:
    """Register the extension with Sphinx."""
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", _set_mathjax_path, priority=900)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _merge_streams_in_downloads)
    app.connect("build-finished", _refresh_static_files)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _empty_favicon)
    app.connect("html-page-context", _mathjax_only_with_math, priority=950)
    app.connect("doctree-resolved", _link_images_to_full_size)
    app.connect("builder-inited", _citation_roles, priority=900)
    try:
        from myst_nb.sphinx_ import HideCodeCellNode
    except ImportError:  # without MyST-NB there are no hidden cells
        pass
    else:
        app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_cell, _depart_hidden_cell))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
