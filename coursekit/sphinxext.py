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

Enabled in ``_config.yml`` through ``sphinx: extra_extensions: [coursekit.sphinxext]``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

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


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src = mathjax_source()
    dest = Path(app.outdir) / "_static" / MATHJAX_DIR
    for rel in MATHJAX_FILES:
        source, target = src / rel, dest / rel
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    logger.info(f"MathJax 3 copied from {src} to {dest}")


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


def setup(app: Sphinx) -> dict:
    """Register the extension with Sphinx."""
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", _set_mathjax_path, priority=900)
    app.connect("build-finished", _copy_mathjax)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _empty_favicon)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
