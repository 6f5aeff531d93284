"""The built site in a real browser: headless Chromium (Debian's chromium + chromedriver) driven by Selenium.

The site (built once per session by the ``site_build`` fixture, tests/conftest.py) is served from
``_build/html`` by a local HTTP server on 127.0.0.1 in a thread, and one Chromium session visits every page of
``_toc.yml`` with the browser cache disabled, so that each page is measured as on a first visit. On each page:

- no console error, every image loaded, MathJax (served by the site) has typeset the math without errors, and
  MathJax is not loaded at all on a page without math;
- the download buttons link to files that exist, and no request leaves 127.0.0.1;
- axe-core (from npm, installed by ``make browser`` into ``.cache/browser``) finds no violation of its WCAG
  rules, of any impact (minor ones included: an empty table header is a table a screen reader cannot read);
- reloaded at 390 px, a phone's width, the page itself never scrolls sideways (``scrollWidth <= clientWidth``)
  and nothing in the article sticks out without a scrolling box of its own (wide equations, tables and code
  scroll inside their boxes instead of being cut off);
- the page's weight (every byte it loads, uncompressed) is recorded, and the landing page stays light.

Full-page screenshots at 1280 px and first-screen screenshots at 390 px go to ``artifacts/screenshots/``; the
axe counts per rule and the page weights go to ``artifacts/site-metrics.json``. Without chromium/chromedriver
the tests skip and say how to install them; with a browser but without axe-core they fail and say so.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from coursekit import site

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WINDOW = (1280, 1600)
PAGE_TIMEOUT = 60  # seconds for a page, its images and MathJax
MAX_SCREENSHOT_HEIGHT = 30_000  # pixels; longer pages are cut there
PHONE = (390, 844)  # CSS pixels: the viewport of a common phone held upright
AXE_JS = ROOT / ".cache" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
LANDING_PAGE_MAX_BYTES = 1_500_000  # everything the landing page loads, uncompressed
METRICS = ROOT / "artifacts" / "site-metrics.json"
REFERENCE_PAGES = [doc for doc in site.toc_files(ROOT) if doc.startswith("book/")
                   and doc in ("book/glossary", "book/bibliography", "book/notation")]
CHAPTER_PAGES = [doc for doc in site.toc_files(ROOT) if doc.startswith("book/")
                 and doc != "book/intro" and doc not in REFERENCE_PAGES]
ASSIGNMENT_PAGES = [doc for doc in site.toc_files(ROOT) if doc.startswith("assignments/")]
PAGES = ["book/intro", *CHAPTER_PAGES, *ASSIGNMENT_PAGES, *REFERENCE_PAGES]

pytestmark = pytest.mark.slow

# Resolves with the number of typeset math containers (or a string saying what went wrong).
WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
const start = Date.now();
(function wait() {
  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) {
    mj.startup.promise.then(
      () => done({containers: document.querySelectorAll('mjx-container').length,
                  errors: Array.from(document.querySelectorAll('mjx-merror')).map(e => e.textContent)}),
      (err) => done('MathJax failed: ' + err));
  } else if (Date.now() - start > 30000) {
    done('MathJax never started');
  } else {
    setTimeout(wait, 100);
  }
})();
"""

# Resolves with the images that did not load, after every image has finished loading or failing.
WAIT_FOR_IMAGES = """
const done = arguments[arguments.length - 1];
const images = Array.from(document.images);
images.forEach(img => { img.loading = 'eager'; });
Promise.all(images.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })))
  .then(() => done(images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)));
"""


# Resolves with axe-core's violations on the page: rule id, impact, number of elements, a few selectors.
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, count: v.nodes.length,
                                          targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
  .catch(err => done('axe failed: ' + err));
"""

# Every byte the page loaded, uncompressed: the document and each resource (the cache is disabled).
PAGE_WEIGHT = """
const nav = performance.getEntriesByType('navigation')[0];
const entries = performance.getEntriesByType('resource');
const bytes = entries.reduce((sum, e) => sum + (e.decodedBodySize || 0), nav ? nav.decodedBodySize : 0);
return {bytes: bytes, mathjax: entries.filter(e => /mathjax/i.test(e.name))
                                      .reduce((sum, e) => sum + (e.decodedBodySize || 0), 0)};
"""

# The page's width against the viewport's, and the elements that stick out to the right of the viewport
# without a scrolling box of their own inside it (content cut off, or making the page scroll sideways).
OVERFLOW = """
const width = document.documentElement.clientWidth;
const body = document.body;
const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
                        && el.getBoundingClientRect().right <= width + 1;
const cut = [];
for (const el of document.querySelectorAll('article *')) {
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.right <= width + 1 || el.offsetParent === null) continue;
  if (el.closest('mjx-assistive-mml')) continue;  // MathJax's copy for screen readers: visually hidden
  let inBox = false;
  for (let a = el; a && a !== body; a = a.parentElement) if (scrolls(a)) { inBox = true; break; }
  const parentOut = el.parentElement.getBoundingClientRect().right > width + 1;
  if (!inBox && !parentOut) cut.push(el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0]);
}
return {scrollWidth: body.scrollWidth, clientWidth: body.clientWidth,
        rootScrollWidth: document.documentElement.scrollWidth, rootClientWidth: width, cut: cut.slice(0, 8)};
"""

_metrics: dict[str, dict] = {}


def _record(page: str, **values: object) -> None:
    """Add the measurements of a page to artifacts/site-metrics.json (rewritten after every page)."""
    _metrics.setdefault(page, {}).update(values)
    METRICS.parent.mkdir(parents=True, exist_ok=True)
    METRICS.write_text(json.dumps(_metrics, indent=1, sort_keys=True), encoding="utf-8")


def _browser_missing() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return (f"{' and '.join(missing)} not found: install the headless browser with `make browser` "
                "(or `apt-get install chromium chromium-driver`) to run the browser tests")
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the signature of the base class
        pass


@pytest.fixture(scope="module")
def server(site_build) -> Iterator[str]:
    """Serve _build/html on 127.0.0.1 (an ephemeral port) from a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_build.html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    """The source of axe-core, to inject into every page; the browser set-up installs it from npm."""
    if _browser_missing():
        pytest.skip(_browser_missing())
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} not found: install axe-core with `make browser` "
                    "(it runs .ci/install-browser, which installs it from npm)", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    """One headless Chromium for the module; Selenium is given the driver so it never downloads one."""
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not go online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROME_FLAGS, f"--window-size={WINDOW[0]},{WINDOW[1]}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        browser.set_page_load_timeout(PAGE_TIMEOUT)
        browser.set_script_timeout(PAGE_TIMEOUT)
        # every page is measured and checked as on a first visit
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        try:
            yield browser
        finally:
            browser.quit()


def _requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _full_page_screenshot(driver, path: Path) -> None:
    """Screenshot the whole page: grow the window to the page's height, shoot, restore the window."""
    width, height = WINDOW
    full = driver.execute_script("return Math.max(document.body.scrollHeight, "
                                 "document.documentElement.scrollHeight)")
    driver.set_window_size(width, min(max(full, height), MAX_SCREENSHOT_HEIGHT))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(driver.get_screenshot_as_png())
    finally:
        driver.set_window_size(width, height)


def _phone_checks(driver, page: str) -> list[str]:
    """At a phone's width: the page never scrolls sideways; screenshot the first screen and first figure."""
    problems = []
    driver.set_window_size(*PHONE)
    try:
        driver.refresh()  # laid out at a phone's width from the start, as a phone loads it
        driver.execute_async_script(WAIT_FOR_IMAGES)
        if driver.execute_script("return document.querySelectorAll('.math').length") > 0:
            driver.execute_async_script(WAIT_FOR_MATHJAX)
        box = driver.execute_script(OVERFLOW)
        if box["scrollWidth"] > box["clientWidth"] or box["rootScrollWidth"] > box["rootClientWidth"]:
            problems.append(f"at {PHONE[0]} px the page scrolls sideways: body scrollWidth "
                            f"{box['scrollWidth']} > clientWidth {box['clientWidth']} "
                            f"(root {box['rootScrollWidth']} > {box['rootClientWidth']})")
        if box["cut"]:
            problems.append(f"at {PHONE[0]} px these stick out of the page without a scrolling box of "
                            f"their own (cut off): {box['cut']}")
        name = page.replace("/", "__")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}@{PHONE[0]}.png").write_bytes(driver.get_screenshot_as_png())
        if driver.execute_script(
                "const f = document.querySelector('article figure, article .cell_output img');"
                "if (!f) return false; f.scrollIntoView(); return true;"):
            (SCREENSHOTS / f"{name}@{PHONE[0]}-figure.png").write_bytes(driver.get_screenshot_as_png())
    finally:
        driver.set_window_size(*WINDOW)
    return problems


def _fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # a local URL: the test server
        return response.status, response.read()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline_in_a_browser(driver, server: str, axe_source: str, page: str) -> None:
    url = urljoin(server, f"{page}.html")
    driver.get_log("browser"), driver.get_log("performance")  # drop what earlier pages left
    driver.get(url)

    # every image loaded
    broken = driver.execute_async_script(WAIT_FOR_IMAGES)
    assert not broken, f"{page}: images that did not load: {broken}"

    # MathJax, from the site itself, typeset every equation without a TeX error
    has_math = driver.execute_script("return document.querySelectorAll('.math').length") > 0
    if page in CHAPTER_PAGES:
        assert has_math, f"{page}: a chapter should have equations"
    if has_math:
        result = driver.execute_async_script(WAIT_FOR_MATHJAX)
        assert isinstance(result, dict), f"{page}: {result}"
        assert result["containers"] > 0, f"{page}: MathJax typeset nothing"
        assert not result["errors"], f"{page}: TeX errors: {result['errors']}"
        src = driver.execute_script("return Array.from(document.scripts).map(s => s.src)"
                                    ".filter(s => /mathjax/i.test(s))")
        assert src and all(s.startswith(server) for s in src), f"{page}: MathJax not from the site: {src}"
    problems = []
    if not has_math and driver.execute_script(
            "return Array.from(document.scripts).some(s => /mathjax/i.test(s.src))"):
        problems.append("a page without math loads MathJax")

    # the download buttons point at files the server has
    downloads = driver.execute_script(
        "return Array.from(document.querySelectorAll('.dropdown-download-buttons a[href]')).map(a => a.href)"
        ".filter(h => !h.startsWith('javascript'))")
    assert downloads, f"{page}: no download button"
    for href in downloads:
        status, body = _fetch(href)
        assert status == 200 and body, f"{page}: download {href} gave HTTP {status}"
        if href.endswith(".ipynb"):
            assert json.loads(body)["cells"], f"{page}: {href} is not a notebook"

    weight = driver.execute_script(PAGE_WEIGHT)
    _record(page, bytes=weight["bytes"], mathjax_bytes=weight["mathjax"])
    if page == "book/intro" and weight["bytes"] >= LANDING_PAGE_MAX_BYTES:
        problems.append(f"the landing page loads {weight['bytes']:,} bytes; keep it under "
                        f"{LANDING_PAGE_MAX_BYTES:,}")

    # accessibility: axe-core's rules, no violation of any impact
    driver.execute_script(axe_source)
    violations = driver.execute_async_script(RUN_AXE)
    assert isinstance(violations, list), f"{page}: {violations}"
    _record(page, axe={v["id"]: {"impact": v["impact"], "elements": v["count"]} for v in violations})
    if violations:
        problems.append(f"axe-core finds violations: {violations}")

    _full_page_screenshot(driver, SCREENSHOTS / (page.replace("/", "__") + ".png"))
    problems += _phone_checks(driver, page)
    assert not problems, f"{page}: " + "; ".join(problems)

    # nothing failed in the console, and nothing was fetched from the internet
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"{page}: console errors: {errors}"
    requests = _requested_urls(driver)
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")  # the next page is a first visit
    external = sorted({u for u in requests
                       if urlsplit(u).scheme in ("http", "https", "ws", "wss") and not u.startswith(server)})
    assert not external, f"{page}: requests that left the site: {external}"


# Each figure of a page: its file, its displayed width and its natural width (CSS pixels); whether it fits its
# cell's column; and whether all of it can be seen: it lies inside the viewport, or the nearest box that clips
# it sideways scrolls and lies inside the viewport.
FIGURE_SIZES = """
const width = document.documentElement.clientWidth;
const clips = (el) => getComputedStyle(el).overflowX !== 'visible';
return Array.from(document.querySelectorAll('article .cell_output img')).map(img => {
  const shown = img.getBoundingClientRect();
  const column = img.closest('.cell_output').getBoundingClientRect();
  let box = img.parentElement;
  while (box && box !== document.body && !clips(box)) box = box.parentElement;
  const scrolls = !!box && box !== document.body
                  && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX)
                  && box.getBoundingClientRect().right <= width + 1;
  return [img.getAttribute('src'), shown.width, img.naturalWidth, shown.width <= column.width + 1,
          shown.right <= width + 1 || scrolls];
});
"""
MIN_DISPLAYED_FONT_PX = 12.0  # a 9 pt font on a 96-dpi screen (CSS pixels)
FIGURE_FONT_RCPARAMS = re.compile(r"(fontsize|labelsize|titlesize|^font\.size)$")


def smallest_figure_font_pt() -> tuple[float, str]:
    """The smallest font size (points) that the chapters' figures are drawn with, and its rcParam.

    The chapters call ``plotting.use_course_style()`` before drawing: these are matplotlib's rcParams of the
    build, with named sizes (``"large"``) resolved against ``font.size`` as matplotlib resolves them.
    """
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    from coursekit import plotting

    with mpl.rc_context():
        plotting.use_course_style()
        sizes = {key: FontProperties(size=value).get_size_in_points()
                 for key, value in mpl.rcParams.items()
                 if FIGURE_FONT_RCPARAMS.search(key) and value is not None}
    key = min(sizes, key=sizes.get)
    return sizes[key], key


Figure = tuple[str, float, bool, bool]  # image, smallest text (px), fits its column, can be seen whole


def _figure_fonts(driver, server: str, html: Path, width: int) -> dict[str, list[Figure]]:
    """At a window ``width`` px wide: for each chapter, each figure's smallest text in CSS pixels as displayed
    (font size in points x the PNG's dpi / 72 x displayed width / natural width), whether it fits its column,
    and whether all of it can be seen (in the viewport, or by scrolling its own box)."""
    from PIL import Image

    font_pt, _ = smallest_figure_font_pt()
    fonts = {}
    driver.set_window_size(width, WINDOW[1])
    try:
        for page in CHAPTER_PAGES:
            driver.get(urljoin(server, f"{page}.html"))
            driver.execute_async_script(WAIT_FOR_IMAGES)
            figures = []
            for src, displayed, natural, fits, seen in driver.execute_script(FIGURE_SIZES):
                with Image.open(html / Path(page).parent / src) as png:
                    dpi = png.info.get("dpi", (72, 72))[0]
                figures.append((src, font_pt * dpi / 72 * displayed / natural, fits, seen))
            assert figures, f"{page}: no figure found"
            fonts[page] = figures
            smallest = min(px for _, px, _, _ in figures)
            _record(page, **{f"smallest_figure_text_px@{width}": round(smallest, 2)})
    finally:
        driver.set_window_size(*WINDOW)
    return fonts


def _too_small(fonts: dict[str, list[Figure]], width: int) -> list[str]:
    font_pt, key = smallest_figure_font_pt()
    return [f"{page}: {src} at {width} px: {font_pt:g} pt text ({key}) is {px:.1f} px"
            for page, figures in fonts.items() for src, px, _, _ in figures if px < MIN_DISPLAYED_FONT_PX]


def test_figure_text_is_legible_at_its_displayed_size(driver, server: str, site_build) -> None:
    """On a desktop, the smallest font of every figure is displayed at 9 pt (12 CSS pixels) or more, and every
    figure fits the column.

    The PNG records the dpi it was drawn at; a font of ``s`` points is ``s * dpi / 72`` pixels of it, and the
    page shows it at ``displayed / natural`` of that; ``s`` is the smallest font size of the build's rcParams.
    """
    fonts = _figure_fonts(driver, server, site_build.html, WINDOW[0])
    small = _too_small(fonts, WINDOW[0])
    assert not small, "figures whose smallest text is too small on screen:\n" + "\n".join(small)
    wide = [f"{page}: {src}" for page, figures in fonts.items() for src, _, fits, _ in figures if not fits]
    assert not wide, f"figures wider than the column at {WINDOW[0]} px: {wide}"


def test_figure_text_is_legible_on_a_phone(driver, server: str, site_build) -> None:
    """At 390 px the figures keep text of 9 pt (12 CSS pixels) or more: a figure wider than the column is
    shown at its natural size in a box of its own that scrolls sideways, and the page itself does not."""
    fonts = _figure_fonts(driver, server, site_build.html, PHONE[0])
    small = _too_small(fonts, PHONE[0])
    assert not small, "figures whose smallest text is too small on a phone:\n" + "\n".join(small)
    unreachable = [f"{page}: {src}" for page, figures in fonts.items() for src, _, _, seen in figures
                   if not seen]
    assert not unreachable, f"figures cut off at {PHONE[0]} px, without a box that scrolls: {unreachable}"
    driver.set_window_size(*PHONE)
    try:
        for page in CHAPTER_PAGES:
            driver.get(urljoin(server, f"{page}.html"))
            driver.execute_async_script(WAIT_FOR_IMAGES)
            box = driver.execute_script(OVERFLOW)
            assert box["scrollWidth"] <= box["clientWidth"], (
                f"{page}: at {PHONE[0]} px the page scrolls sideways ({box['scrollWidth']} > "
                f"{box['clientWidth']})")
    finally:
        driver.set_window_size(*WINDOW)


def test_search_finds_pages_with_summaries_free_of_tex(driver, server: str) -> None:
    driver.get(urljoin(server, "search.html?q=sigmoid"))
    found = driver.execute_async_script("""
const done = arguments[arguments.length - 1];
const start = Date.now();
(function wait() {
  // results appear one by one, then their summaries; the status line says when the search has finished
  const items = Array.from(document.querySelectorAll('#search-results ul.search li'));
  const status = document.querySelector('#search-results .search-summary');
  const finished = status && /finished/i.test(status.textContent)
                   && items.every(li => li.querySelector('p.context'));
  if (finished || Date.now() - start > 30000) {
    done(items.map(li => [li.querySelector('a').getAttribute('href'),
                          (li.querySelector('p.context') || {}).textContent || '']));
  } else setTimeout(wait, 200);
})();
""")
    hrefs = [href for href, _ in found]
    assert any("book/glossary" in href for href in hrefs), f"searching 'sigmoid' found {hrefs}"
    summaries = [summary for _, summary in found]
    assert all(summaries), f"results without a summary: {found}"
    tex = [s for s in summaries if re.search(r"\\[()\[\]]|\\[A-Za-z]{2,}", s)]
    assert not tex, f"search summaries show TeX source: {tex}"
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"search page: console errors: {errors}"
