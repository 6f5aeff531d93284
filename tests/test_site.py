"""The course site (Jupyter Book 1): configuration, the strict build, the built pages, leaks, caching.

The site is built once per session by the ``site_build`` fixture (tests/conftest.py) on the repository
itself, with warnings as errors. The tests then read ``_build/html``, the jupyter-cache in
``_build/.jupyter_cache`` and the build log. The last test rebuilds with nothing changed and checks that
no chapter is executed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
import yaml

from coursekit import site

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["classification", "overfitting", "regularization", "trees", "optimization", "gradients"]
ASSIGNMENTS = ["hw1-logistic", "hw2-regularization", "hw3-optimizers", "hw4-gradients", "hw5-trees-boosting"]
MIN_FIGURES_PER_CHAPTER = 3
# Symbols retired from a role, and the sources where they may no longer appear in it (book/notation.md).
RETIRED_SYMBOLS = [
    # ℓ is the log-likelihood (chapter 1) and nothing else: per-example losses are L_i
    (re.compile(r"\\ell\b"), [f"book/{c}.md" for c in ("overfitting", "regularization", "trees",
                                                       "optimization", "gradients")]),
    # the momentum buffer is m_t, not b_t (b is the intercept)
    (re.compile(r"\bb_\{?t(-1)?\}?"), ["book/optimization.md", "coursekit/optim.py"]),
    # the learning rate is eta, not gamma (gamma is only StepLR's and ExponentialLR's factor, eta_0 gamma^t);
    # parameters are w, not theta; weight decay is alpha, not lambda
    (re.compile(r"\\gamma(?!\^)|\\theta|\\lambda\b"), ["coursekit/optim.py"]),
    # ... nor b in the prose: "$g + \mu b$", "$w - \eta b$"
    (re.compile(r"\\mu\\?,? ?b\b|\\eta\\?,? ?b\b"), ["book/optimization.md"]),
    # L is the loss, and nothing else: not the number of layers (M), not a curvature bound (beta); the loss of
    # a network is L, not \mathcal{L}
    (re.compile(r"\bh\}?_\{?L\b|2/L\b|\bL\\eta"),
     ["book/gradients.md", "book/classification.md", "book/optimization.md"]),
    (re.compile(r"\\mathcal\{L\}"), ["book/gradients.md"]),  # (chapter 1's \mathcal{L} is the likelihood)
    # RMSProp's smoothing constant is beta_2 (torch's `alpha`), not alpha (the penalty strength) nor a bare
    # beta (a notebook's JSON doubles every backslash)
    (re.compile(r"v_\{?t\}? = \\\\?(alpha|beta)(?!_)|v \\\\?leftarrow \\\\?(alpha|beta)(?!_)"),
     ["book/optimization.md", "book/glossary.md", "solutions/hw3-optimizers/hw3-optimizers.ipynb"]),
    # parameters are w in the math of hw3: p is a probability
    (re.compile(r"\bp \\\\?leftarrow|\bb_\{?t\b"), ["solutions/hw3-optimizers/hw3-optimizers.ipynb"]),
]
BIB_KEYS = [
    "cox1958logistic", "tibshirani1996lasso", "hoerl1970ridge", "zou2005elasticnet", "beck2009fista",
    "robbins1951sgd", "polyak1964momentum", "nesterov1983", "duchi2011adagrad", "tieleman2012rmsprop",
    "kingma2015adam", "loshchilov2017sgdr", "bottou2018optimization", "glorot2010understanding",
    "he2015delving", "he2016residual", "pascanu2013difficulty", "bengio1994learning", "hochreiter1991",
    "ioffe2015batchnorm", "goodfellow2016deep", "hastie2009elements", "bishop2006pattern",
    "murphy2012machine", "mcauley2013amateurs", "kohavi1995crossvalidation", "srivastava2014dropout",
]
GLOSSARY_TERMS = [
    "logistic regression", "sigmoid", "softmax", "log-likelihood", "cross-entropy", "decision boundary",
    "confusion matrix", "precision", "recall", "F1 score", "ROC curve", "AUC", "class imbalance",
    "imputation", "overfitting", "validation set", "cross-validation", "early stopping",
    "bias-variance trade-off", "regularization", "L1 penalty", "L2 penalty", "weight decay",
    "soft-thresholding", "proximal gradient",
    "elastic net", "regularization path", "gradient descent", "stochastic gradient descent", "mini-batch",
    "learning rate", "learning-rate schedule", "momentum", "Nesterov momentum", "Adagrad", "RMSProp", "Adam",
    "condition number", "exploding gradients", "vanishing gradients", "backpropagation", "Jacobian",
    "Xavier initialization", "He initialization", "ReLU", "residual connection", "batch normalization",
    "gradient clipping", "recurrent neural network",
]
# Solution and hidden-test regions of nbgrader source notebooks.
SECRET_REGIONS = [
    re.compile(r"###\s*BEGIN SOLUTION(.*?)###\s*END SOLUTION", re.S),
    re.compile(r"###\s*BEGIN HIDDEN TESTS(.*?)###\s*END HIDDEN TESTS", re.S),
]
MIN_SECRET_LINE = 8  # shorter lines ("pass", "return w") are too common to prove a leak


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _article(soup):
    return soup.select_one("article.bd-article") or soup.select_one("main") or soup


def _local_target(page: Path, ref: str) -> Path | None:
    """The file a relative link of a built page points to, or None for an external/absolute URL."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def _normalize(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ configuration (fast, no build needed)

def test_toc_lists_landing_page_chapters_assignments_and_reference() -> None:
    assert site.toc_files(ROOT) == (
        ["book/intro"] + [f"book/{c}" for c in CHAPTERS]
        + [f"assignments/{a}/{a}" for a in ASSIGNMENTS]
        + ["book/notation", "book/glossary", "book/bibliography"]
    )
    chapters = [p.relative_to(ROOT).as_posix() for p in site.chapter_files(ROOT)]
    assert chapters == [f"book/{c}.md" for c in CHAPTERS]


def test_config_caches_execution_and_keeps_instructor_files_out() -> None:
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert config["only_build_toc_files"] is True
    for folder in ("solutions", "grading", ".venv", "tests", "artifacts", "_build"):
        assert folder in config["exclude_patterns"] and f"{folder}/**" in config["exclude_patterns"], folder
    execute = config["execute"]
    assert execute["execute_notebooks"] == "cache"
    assert execute["allow_errors"] is False and execute["raise_on_error"] is True
    assert any(p.startswith("assignments/") for p in execute["exclude_patterns"])
    assert execute["timeout"] >= 300
    url = site.repository_url(ROOT)
    assert url.startswith("https://github.com/") and text.count(url) == 1, "give the repository URL once"
    launch = config["launch_buttons"]
    assert launch["binderhub_url"] and launch["colab_url"]
    hub = launch.get("jupyterhub_url")
    assert not hub or "example" not in hub, "no JupyterHub button without a real hub"
    for path in (ROOT / "README.md", ROOT / "binder" / "requirements.txt"):
        assert url not in path.read_text(encoding="utf-8"), f"{path.name} repeats the repository URL"
    assert "coursekit.sphinxext" in config["sphinx"]["extra_extensions"]
    assert config["sphinx"]["config"]["math_numfig"] is True and config["sphinx"]["config"]["numfig"] is True


def test_binder_environment_installs_the_course_library() -> None:
    lines = [line.split("#")[0].strip() for line in
             (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    requirements = [line for line in lines if line]
    assert "." in requirements or any(r.startswith(".[") for r in requirements), (
        "binder/requirements.txt must install the repository's own package (coursekit, with its data)")
    assert any(r.lower().startswith("myst-nb") for r in requirements), "the chapters import myst_nb.glue"


def test_chapter_notebooks_for_the_launch_buttons_are_up_to_date() -> None:
    url = site.repository_url(ROOT)
    for chapter in site.chapter_files(ROOT):
        target = chapter.with_suffix(".ipynb")
        assert target.is_file(), f"{target.name} missing: run `make book` (it writes the chapters' notebooks)"
        committed = nbformat.read(target, as_version=4)
        nbformat.validate(committed)
        expected = site.chapter_notebook(chapter, url)
        assert [c.source for c in committed.cells] == [c.source for c in expected.cells], (
            f"{target.name} is out of date with {chapter.name}: run `make book`")
        assert url in committed.cells[0].source and "pip install" in committed.cells[0].source
        assert not any(c.get("outputs") for c in committed.cells if c.cell_type == "code")


def _without_python_version(language_info: dict) -> dict:
    return {key: value for key, value in language_info.items() if key != "version"}


def test_chapter_notebooks_carry_the_kernels_language_info() -> None:
    """Jupyter writes the kernel's language_info into a notebook when the kernel starts: a twin that holds
    anything else shows as modified as soon as it is opened. Only the Python version may differ."""
    from coursekit.pipeline import kernel_language_info

    kernel = kernel_language_info()
    assert "version" in kernel and len(kernel) > 2, kernel
    for chapter in site.chapter_files(ROOT):
        committed = nbformat.read(chapter.with_suffix(".ipynb"), as_version=4).metadata
        ours = _without_python_version(committed.get("language_info", {}))
        assert ours == _without_python_version(kernel), (
            f"{chapter.with_suffix('.ipynb').name}: language_info {committed.get('language_info')} is not "
            f"the kernel's {kernel}: run `make book`")


def test_chapter_twin_written_under_another_python_patch_is_not_stale(tmp_path: Path) -> None:
    """A twin written under another Python patch version is left as it is; one with other metadata is not."""
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "book").mkdir()
    for chapter in site.chapter_files(ROOT):
        shutil.copy(chapter, tmp_path / "book" / chapter.name)
    first = site.write_chapter_notebooks(tmp_path)
    assert len(first) == len(CHAPTERS)
    twin = first[0]
    nb = nbformat.read(twin, as_version=4)
    nb.metadata["language_info"]["version"] = "3.99.1"
    nbformat.write(nb, twin)
    before = twin.read_bytes()
    assert site.write_chapter_notebooks(tmp_path) == [], "a twin that differs only in the Python version"
    assert twin.read_bytes() == before
    nb.metadata["language_info"]["pygments_lexer"] = "python2"
    nbformat.write(nb, twin)
    assert site.write_chapter_notebooks(tmp_path) == [twin], "a twin with another lexer is stale"
    rewritten = nbformat.read(twin, as_version=4).metadata["language_info"]
    assert rewritten["pygments_lexer"] != "python2" and rewritten["version"] == "3.99.1"


@pytest.mark.parametrize(("pattern", "sources"), RETIRED_SYMBOLS,
                         ids=["ell", "momentum-buffer-b", "optim-docstrings", "momentum-buffer-b-prose",
                              "L-loss-only", "L-not-mathcal", "rmsprop-beta2", "hw3-parameters-w"])
def test_retired_symbols_are_not_used_in_their_old_role(pattern: re.Pattern, sources: list[str]) -> None:
    for source in sources:
        text = (ROOT / source).read_text(encoding="utf-8")
        hits = [line.strip() for line in text.splitlines() if pattern.search(line)]
        assert not hits, f"{source} uses a retired symbol (see book/notation.md): {hits[:3]}"


# Where vectors are bold, a plain w or x_i in a role only a vector has (a norm, a gradient with respect to it,
# an inner product, the pair (w, b)) is a drift to plain vectors; a plain scalar w (one feature) stays.
PLAIN_VECTOR = re.compile(r"\\lVert w\b|\\nabla_w\b|\(w, b\)|\^\\top w\b|\bw\^\\top|\\hat w\b|\\Omega\(w\b|"
                          r"\bx_i\^\\top|\\operatorname\{sign\}\(w\)")
# Where vectors are plain, a bold lowercase letter (other than the vector of ones) is a drift to bold vectors.
BOLD_VECTOR = re.compile(r"\\mathbf\{?[a-z]")


def _prose(chapter: str) -> list[str]:
    """The lines of a chapter outside its code cells (where `(w, b)` is Python, not math)."""
    text = (ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")
    return re.sub(r"```\{code-cell\}.*?\n```", "", text, flags=re.S).splitlines()


def plain_vector_chapters() -> list[str]:
    """The chapters that book/notation.md names as writing vectors plain ("as in {doc}`x`, the bold is
    dropped"); the others write them bold."""
    text = " ".join((ROOT / "book" / "notation.md").read_text(encoding="utf-8").split())
    match = re.search(r"as in ((?:\{doc\}`\w+`(?:,? and |, )?)+), the bold is dropped", text)
    assert match, "book/notation.md no longer says which chapters drop the bold of vectors"
    return re.findall(r"\{doc\}`(\w+)`", match.group(1))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_vectors_are_bold_or_plain_as_the_notation_page_says(chapter: str) -> None:
    plain = chapter in plain_vector_chapters()
    pattern = BOLD_VECTOR if plain else PLAIN_VECTOR
    hits = [line.strip() for line in _prose(chapter) if pattern.search(line)]
    assert not hits, (f"book/{chapter}.md writes vectors {'plain' if plain else 'bold'} (book/notation.md), "
                      f"but: {hits[:3]}")


def test_references_bib_holds_every_primary_source() -> None:
    from pybtex.database import parse_file

    bib = parse_file(str(ROOT / "book" / "references.bib"))
    missing = sorted(set(BIB_KEYS) - set(bib.entries))
    assert not missing, f"book/references.bib lacks {missing}"
    for key in BIB_KEYS:
        entry = bib.entries[key]
        assert entry.persons.get("author"), f"{key} has no author"
        assert entry.fields.get("title") and re.fullmatch(r"19\d\d|20\d\d", entry.fields.get("year", "")), key


def test_build_names_a_missing_chapter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "book").mkdir()
    for doc in site.toc_files(ROOT):
        if doc != "book/overfitting":
            (tmp_path / f"{doc}.md").parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / f"{doc}.md").write_text("# Page\n", encoding="utf-8")
    assert site.build(tmp_path) != 0
    out = capsys.readouterr().out
    assert "book/overfitting" in out and "missing" in out
    assert not (tmp_path / site.HTML_DIR).exists(), "nothing should be built when a chapter is missing"


@pytest.mark.slow
def test_build_fails_and_names_a_chapter_that_raises(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book" / "references.bib")
    toc = {"format": "jb-book", "root": "book/intro",
           "parts": [{"caption": "Chapters", "chapters": [{"file": "book/broken"}]}]}
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    (tmp_path / "book" / "intro.md").write_text("# Intro\n\nA page.\n", encoding="utf-8")
    (tmp_path / "book" / "broken.md").write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "# Broken\n\n```{code-cell} ipython3\nraise ValueError('deliberate failure in a chapter')\n```\n",
        encoding="utf-8",
    )
    code = site.build(tmp_path, strict=True)
    out = capsys.readouterr().out
    assert code != 0
    assert "chapter book/broken.md raised an error" in out
    assert "deliberate failure in a chapter" in out


# ------------------------------------------------------------------ the built site

@pytest.mark.slow
def test_every_chapter_was_executed_without_error(site_build) -> None:
    from jupyter_cache import get_cache

    cache = get_cache(str(ROOT / site.CACHE_DIR))
    for chapter in site.chapter_files(ROOT):
        uri = str(chapter.resolve())
        try:
            record = cache.get_project_record(uri)
        except KeyError:
            pytest.fail(f"{chapter.name} was never executed through the jupyter-cache ({site.CACHE_DIR})")
        assert not record.traceback, f"{chapter.name} raised while executing:\n{record.traceback}"
        cached = cache.get_cached_project_nb(uri)
        assert cached is not None, f"the cache holds no execution of the current {chapter.name}"
        nb = cache.get_cache_bundle(cached.pk).nb
        errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{chapter.name} has error outputs: {[e.get('ename') for e in errors]}"
        assert any(cell.get("outputs") for cell in nb.cells), f"{chapter.name} produced no output at all"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_has_computed_figures_and_equations(site_build, chapter: str) -> None:
    page = site_build.html / "book" / f"{chapter}.html"
    assert page.is_file(), f"{page} was not built"
    soup = _soup(page)
    article = _article(soup)
    sources = [img.get("src", "") for img in article.find_all("img")]
    targets = [_local_target(page, src) for src in sources]
    broken = [src for src, target in zip(sources, targets, strict=True)
              if target is None or not target.is_file()]
    assert not broken, f"{chapter}: images missing from _build/html: {broken}"
    figures = {t for t in targets if t is not None}
    assert len(figures) >= MIN_FIGURES_PER_CHAPTER, (
        f"{chapter}: {len(figures)} figure(s), a chapter needs at least {MIN_FIGURES_PER_CHAPTER}")
    assert article.select(".math"), f"{chapter}: no equations (MathJax math containers) on the page"
    mathjax = [s["src"] for s in soup.find_all("script", src=True) if "mathjax" in s["src"].lower()]
    assert mathjax and all(_local_target(page, src) is not None and _local_target(page, src).is_file()
                           for src in mathjax), f"{chapter}: MathJax is not loaded from the site: {mathjax}"


LAUNCH_PREFIX = {"binder": "https://mybinder.org/", "colab": "https://colab.research.google.com/"}
LAUNCH_PATH = {  # where the path of the opened file sits in each launch URL
    "binder": re.compile(r"^https://mybinder\.org/v2/gh/(?P<repo>[^/]+/[^/]+)/(?P<branch>[^?]+)\?urlpath="
                         r"lab/tree/(?P<path>.+)$"),
    "colab": re.compile(r"^https://colab\.research\.google\.com/github/(?P<repo>[^/]+/[^/]+)/blob/"
                        r"(?P<branch>[^/]+)/(?P<path>.+)$"),
}


@pytest.mark.slow
def test_launch_buttons_open_notebooks_that_exist(site_build) -> None:
    repo = urlsplit(site.repository_url(ROOT)).path.strip("/")
    checked = 0
    for page in [site_build.html / f"{doc}.html" for doc in site.toc_files(ROOT)]:
        for a in _soup(page).find_all("a", href=True):
            href = a["href"]
            if "hub.example" in href or "/hub/user-redirect" in href:
                pytest.fail(f"{page.name}: a JupyterHub button although no hub is configured: {href}")
            for kind, pattern in LAUNCH_PATH.items():
                if href.startswith(LAUNCH_PREFIX[kind]):
                    match = pattern.match(href)
                    assert match, f"{page.name}: unexpected {kind} URL {href}"
                    assert match["repo"] == repo, f"{page.name}: {kind} opens another repository: {href}"
                    target = ROOT / unquote(match["path"])
                    where = f"{page.name}: {kind} opens {match['path']}"
                    assert target.suffix == ".ipynb", f"{where}, not a notebook"
                    assert target.is_file(), f"{where}, which does not exist"
                    checked += 1
    chapters_and_assignments = len(CHAPTERS) + len(ASSIGNMENTS)
    assert checked >= 2 * chapters_and_assignments, f"only {checked} launch links found"


MIN_ALT_WORDS = 12  # an alt text says what the figure shows and what it finds, not just its kind


@pytest.mark.slow
def test_every_figure_has_a_caption_and_real_alt_text(site_build) -> None:
    for chapter in CHAPTERS:
        page = site_build.html / "book" / f"{chapter}.html"
        images = _article(_soup(page)).select(".cell_output img")
        assert images, f"{chapter}: no figures"
        alts = []
        for img in images:
            alt = _normalize(img.get("alt", ""))
            assert alt and "/" not in alt.split()[0] and not alt.endswith((".png", ".svg")), (
                f"{chapter}: figure {img['src']} has no alt text of its own ({alt!r})")
            assert len(alt.split()) >= MIN_ALT_WORDS, f"{chapter}: alt text too short to describe: {alt!r}"
            figure = img.find_parent("figure")
            caption = figure.find("figcaption") if figure else None
            assert caption and len(_normalize(caption.get_text(" ")).split()) >= 6, (
                f"{chapter}: figure {img['src']} has no caption")
            alts.append(alt)
        assert len(set(alts)) == len(alts), f"{chapter}: figures share an alt text"


def test_figure_fonts_are_at_least_the_course_minimum() -> None:
    from coursekit import plotting

    style = plotting.COURSE_STYLE
    sizes = [style[k] for k in ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
                                "ytick.labelsize", "legend.fontsize", "figure.titlesize")]
    assert min(sizes) >= plotting.MIN_FONT_PT >= 9
    small = re.compile(r"fontsize\s*=\s*(?:[\"'](?:xx?-)?small[\"']|(\d+(?:\.\d+)?))")
    for path in [*site.chapter_files(ROOT), ROOT / "coursekit" / "plotting.py"]:
        text = path.read_text(encoding="utf-8")
        for match in small.finditer(text):
            assert match[1] and float(match[1]) >= plotting.MIN_FONT_PT, (
                f"{path.name}: {match[0]} is below {plotting.MIN_FONT_PT} pt")
        if path.suffix == ".md":
            assert "use_course_style()" in text, f"{path.name} does not draw with the course style"
            for w in re.findall(r"figsize=\(([\d.]+),", text):
                assert float(w) <= plotting.COLUMN_WIDTH_IN, f"{path.name}: a figure {w} in wide"


@pytest.mark.slow
def test_figures_open_at_full_size(site_build) -> None:
    for chapter in CHAPTERS:
        page = site_build.html / "book" / f"{chapter}.html"
        for img in _article(_soup(page)).select(".cell_output img"):
            link = img.find_parent("a")
            assert link is not None, f"{chapter}: figure {img['src']} does not open at full size"
            assert _local_target(page, link["href"]) == _local_target(page, img["src"])


@pytest.mark.slow
def test_downloaded_chapter_notebooks_print_each_cell_once(site_build) -> None:
    from jupyter_cache import get_cache

    cache = get_cache(str(ROOT / site.CACHE_DIR))
    for chapter in site.chapter_files(ROOT):
        record = cache.get_cached_project_nb(str(chapter.resolve()))
        executed = cache.get_cache_bundle(record.pk).nb  # the outputs as the execution produced them
        download_path = site_build.html / "_sources" / "book" / f"{chapter.stem}.ipynb"
        download = nbformat.read(download_path, as_version=4)
        code = [cell for cell in download.cells if cell.cell_type == "code"]
        originals = [cell for cell in executed.cells if cell.cell_type == "code"]
        assert [c.source for c in code] == [c.source for c in originals], f"{chapter.name}: other code"
        printed = 0
        for cell, original in zip(code, originals, strict=True):
            streams = [o for o in cell.get("outputs", []) if o["output_type"] == "stream"]
            names = [o["name"] for o in streams]
            assert len(names) == len(set(names)), f"{chapter.name}: a cell's output is split into {names}"
            for name in names:
                text = "".join(o["text"] for o in streams if o["name"] == name)
                expected = "".join("".join(o["text"]) for o in original.get("outputs", [])
                                   if o["output_type"] == "stream" and o["name"] == name)
                assert text == expected, f"{chapter.name}: the download's {name} differs from the execution's"
            printed += bool(names)
        assert printed, f"{chapter.name}: the downloaded notebook has no printed output"


@pytest.mark.slow
def test_every_table_header_cell_says_what_it_heads(site_build) -> None:
    # A header cell with nothing in it (pandas leaves the corner above the row labels empty) is a column that
    # a screen reader cannot name, and axe-core finds a header of typeset math alone just as empty.
    for doc in site.toc_files(ROOT):
        for th in _article(_soup(site_build.html / f"{doc}.html")).find_all("th"):
            text = th.get_text(" ", strip=True)
            assert text and not re.fullmatch(r"\\\(.*\\\)", text), (
                f"{doc}: a table header cell {str(th)[:80]!r} is empty or math alone; label it "
                "(for a DataFrame, say what the rows are with df.rename_axis(columns=...))")


@pytest.mark.slow
def test_mathjax_only_on_pages_with_math(site_build) -> None:
    for doc in site.toc_files(ROOT):
        soup = _soup(site_build.html / f"{doc}.html")
        has_math = bool(_article(soup).select(".math"))
        loads = any("mathjax" in s["src"].lower() for s in soup.find_all("script", src=True))
        assert loads == has_math, f"{doc}: math on the page {has_math}, MathJax loaded {loads}"


@pytest.mark.slow
def test_landing_and_assignment_pages_exist(site_build) -> None:
    html = site_build.html
    assert (html / "index.html").is_file() and "book/intro.html" in (html / "index.html").read_text()
    intro = _normalize(_article(_soup(html / "book" / "intro.html")).get_text(" "))
    for phrase in ("pip install -e", "make book", "Assignments and grading", "nbgrader"):
        assert phrase in intro, f"the landing page should mention {phrase!r}"
    for a in ASSIGNMENTS:
        assert (html / "assignments" / a / f"{a}.html").is_file(), f"assignment page {a} was not built"
    for page in ("glossary", "bibliography"):
        assert (html / "book" / f"{page}.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_page_offers_the_student_notebook(site_build, assignment: str) -> None:
    page = site_build.html / "assignments" / assignment / f"{assignment}.html"
    soup = _soup(page)
    links = [a["href"] for a in soup.find_all("a", href=True)
             if "_sources/" in a["href"] and a["href"].endswith(".ipynb")]
    assert links, f"{assignment}: no .ipynb download button"
    source = ROOT / "assignments" / assignment / f"{assignment}.ipynb"
    for href in links:
        target = _local_target(page, href)
        assert target is not None and target.is_file(), f"{assignment}: download {href} does not exist"
        assert target.is_relative_to(site_build.html / "_sources")
        assert target.read_bytes() == source.read_bytes(), "the download must be the released notebook"
        nbformat.validate(nbformat.reads(target.read_text(encoding="utf-8"), as_version=4))
    assert not _article(soup).select(".cell_output"), f"{assignment} was executed; it must be shown as it is"


@pytest.mark.slow
def test_mathjax_is_served_from_the_site_and_nothing_from_a_cdn(site_build) -> None:
    html = site_build.html
    mathjax = html / "_static" / "mathjax"
    assert (mathjax / "tex-chtml.js").is_file()
    assert list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")), "MathJax fonts missing"
    assert (mathjax / "input" / "tex" / "extensions" / "ams.js").is_file(), "MathJax TeX extensions missing"
    mathjax_cdn = re.compile(
        r"(jsdelivr\.net|cdnjs\.cloudflare\.com|unpkg\.com|mathjax\.org)[^\s\"']*mathjax", re.I)
    remote = re.compile(r"^(https?:)?//", re.I)
    for path in html.rglob("*"):
        if path.suffix not in {".html", ".js", ".css", ".json"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(html)
        assert not mathjax_cdn.search(text), f"{rel} references a MathJax CDN"
        if path.suffix == ".html":
            soup = _soup(path)
            scripts = [s["src"] for s in soup.find_all("script", src=True) if remote.match(s["src"])]
            assert not scripts, f"{rel} loads scripts from the internet: {scripts}"
            loaded = {"stylesheet", "preload", "icon"}
            styles = [link["href"] for link in soup.find_all("link", href=True)
                      if remote.match(link["href"]) and loaded & set(link.get("rel", []))]
            assert not styles, f"{rel} loads styles/fonts from the internet: {styles}"


@pytest.mark.slow
def test_glossary_defines_the_course_terms(site_build) -> None:
    soup = _soup(site_build.html / "book" / "glossary.html")
    defined = {_normalize(dt.get_text(" ")).rstrip("#¶ ").lower() for dt in soup.select("dl.glossary dt")}
    missing = [term for term in GLOSSARY_TERMS if term.lower() not in defined]
    assert not missing, f"glossary lacks {missing}"


@pytest.mark.slow
def test_bibliography_page_lists_every_reference(site_build) -> None:
    from pybtex.database import parse_file

    bib = parse_file(str(ROOT / "book" / "references.bib"))
    soup = _soup(site_build.html / "book" / "bibliography.html")
    entries = soup.select("div.citation, dl.citation > dt")
    assert len(entries) == len(bib.entries)
    text = _normalize(_article(soup).get_text(" ")).lower()
    for key, entry in bib.entries.items():
        assert entry.persons["author"][0].last_names[0].lower() in text, f"{key}: author not listed"
        assert entry.fields["year"] in text, key


# ------------------------------------------------------------------ leaks of instructor material

def _solution_notebooks() -> list[Path]:
    return sorted((ROOT / "solutions").glob("**/*.ipynb"))


def _split_secrets(nb_path: Path) -> tuple[set[str], str]:
    """The solution / hidden-test lines of an instructor notebook, and the rest of it (what students see)."""
    nb = nbformat.read(nb_path, as_version=4)
    secret: set[str] = set()
    rest: list[str] = []
    for cell in nb.cells:
        source = cell.source
        if cell.cell_type == "markdown" and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            regions, source = [source], ""
        else:
            regions = [m.group(1) for pattern in SECRET_REGIONS for m in pattern.finditer(source)]
            for pattern in SECRET_REGIONS:
                source = pattern.sub("", source)
        rest.append(source)
        for region in regions:
            for line in region.splitlines():
                line = _normalize(line)
                if len(line) >= MIN_SECRET_LINE and not line.startswith("#"):
                    secret.add(line)
    return secret, "\n".join(rest)


def _public_lines(notebooks: list[Path]) -> set[str]:
    """Lines the site may show: its page sources and the instructor notebooks outside secret regions."""
    parts = [p.read_text(encoding="utf-8") for p in (ROOT / "book").glob("*.md")]
    parts += [_split_secrets(nb_path)[1] for nb_path in notebooks]
    return {_normalize(line) for part in parts for line in part.splitlines()}


def _built_lines(html: Path) -> set[str]:
    """Every line of text in the built site (page text, code blocks, downloadable sources), normalized."""
    parts = []
    for path in html.rglob("*"):
        if not path.is_file() or path.is_relative_to(html / "_static"):
            continue
        if path.suffix == ".html":
            soup = _soup(path)
            parts += [pre.get_text("") for pre in soup.find_all("pre")]  # code keeps its lines
            parts.append(soup.get_text("\n"))
        elif path.suffix in {".ipynb", ".md", ".txt", ".js", ".json", ".py"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".ipynb":
                text = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
            parts.append(text)
    return {_normalize(line) for part in parts for line in part.splitlines()}


@pytest.mark.slow
def test_no_instructor_file_is_in_the_site(site_build) -> None:
    html = site_build.html
    built = [p for p in html.rglob("*") if p.is_file()]
    assert not [p for p in built if {"solutions", "grading"} & set(p.relative_to(html).parts)]
    secret_hashes = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in (ROOT / "solutions").rglob("*")
                     if p.is_file()}
    copies = [(p, secret_hashes[h]) for p in built if (h := hashlib.sha256(p.read_bytes()).hexdigest())
              in secret_hashes]
    assert not copies, f"instructor files copied into the site: {copies}"
    for a in ASSIGNMENTS:
        text = (html / "_sources" / "assignments" / a / f"{a}.ipynb").read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS"):
            assert marker not in text, f"{a}: the downloadable notebook holds {marker!r}"


@pytest.mark.slow
def test_no_solution_or_hidden_test_text_is_in_the_site(site_build) -> None:
    notebooks = _solution_notebooks()
    if not notebooks:
        pytest.skip("solutions/ holds no instructor notebook yet; nothing to scan for")
    built, public = _built_lines(site_build.html), _public_lines(notebooks)
    leaks = {}
    for nb_path in notebooks:
        secret, _ = _split_secrets(nb_path)
        lines = sorted(line for line in secret if line in built and line not in public)
        if lines:
            leaks[nb_path.relative_to(ROOT).as_posix()] = lines
    assert not leaks, f"solution / hidden-test code from solutions/ appears in _build/html: {leaks}"


# ------------------------------------------------------------------ the cache: a rebuild runs nothing

@pytest.mark.slow
def test_rebuild_with_nothing_changed_executes_no_chapter(site_build) -> None:
    from jupyter_cache import get_cache

    cache = get_cache(str(ROOT / site.CACHE_DIR))

    def cached_executions() -> dict[str, tuple[int, object]]:
        records = {}
        for chapter in site.chapter_files(ROOT):
            record = cache.get_cached_project_nb(str(chapter.resolve()))
            assert record is not None, f"{chapter.name} is not in the execution cache"
            records[chapter.name] = (record.pk, record.created)
        return records

    before = cached_executions()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = site.build(ROOT, strict=True)
    log = out.getvalue()
    assert code == 0, log[-5000:]
    executed = [line for line in log.splitlines() if "Executing notebook" in line]
    assert not executed, f"a rebuild with nothing changed executed: {executed}"
    assert "notebooks executed: 0" in log
    assert cached_executions() == before, "the cached executions changed although no chapter did"
