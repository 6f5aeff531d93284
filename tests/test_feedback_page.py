"""A student's feedback page, opened offline in headless Chromium: the math is typeset by the course's own
MathJax 3 from the feedback folder (no request leaves the machine), the failed part says what is wrong and
links to the section of the book that explains it, and the points table is readable."""

from __future__ import annotations

import json
import os
import tempfile
import time

import nbformat
import pytest
from assignment_cases import Edit, student_notebook
from test_browser import CHROME_FLAGS, CHROMEDRIVER, CHROMIUM, SCREENSHOTS, _browser_missing

from coursekit import pipeline
from coursekit.sections import part_section, section_links

AID = "hw1-logistic"


@pytest.mark.slow
def test_feedback_renders_math_offline_and_links_the_book(make_course, tmp_path):
    reason = _browser_missing()
    if reason:
        pytest.fail(reason, pytrace=False)
    course = make_course("feedback-page")
    (tmp_path / "class").mkdir()
    wrong = student_notebook(AID, [Edit("answer-log-likelihood", "np.sum(", "np.mean(")])
    nbformat.write(wrong, tmp_path / "class" / f"bob_{AID}.ipynb")
    pipeline.grade(course, tmp_path / "class", AID, echo=lambda line: None, seed=5, jobs=1)
    page = course / "grading" / "feedback" / "bob" / AID / f"{AID}.html"

    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROME_FLAGS, "--window-size=1280,900", "--allow-file-access-from-files"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        try:
            browser.execute_cdp_cmd("Network.enable", {})
            browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
                "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
            browser.get(page.as_uri())
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not browser.execute_script(
                    "return document.querySelectorAll('mjx-container').length"):
                time.sleep(0.25)
            typeset = browser.execute_script("return document.querySelectorAll('mjx-container').length")
            raw_tex = browser.execute_script(
                "return [...document.querySelectorAll('.text_cell_render')].some(e => /\\$[^$]+\\$/.test("
                "e.textContent))")
            message = browser.execute_script(
                "return [...document.querySelectorAll('pre')].map(p => p.textContent).find("
                "t => t.includes('is not right yet')) || ''")
            padding = browser.execute_script(
                "const td = document.querySelector('.rendered_html table td');"
                "return td ? parseFloat(getComputedStyle(td).paddingLeft) : 0")
            browser.execute_script("window.scrollTo(0, 0)")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(SCREENSHOTS / "feedback-hw1@1280.png"))
            urls = [json.loads(e["message"])["message"]["params"]["request"]["url"]
                    for e in browser.get_log("performance")
                    if json.loads(e["message"])["message"].get("method") == "Network.requestWillBeSent"]
        finally:
            browser.quit()
    assert typeset >= 10, "MathJax did not typeset the page's math"
    assert not raw_tex, "raw $...$ left in the rendered markdown"
    outside = [u for u in urls if u.startswith(("http:", "https:", "ws:", "wss:"))]
    assert not outside, f"the page asked the network for {outside}"
    assert any("mathjax/tex-chtml.js" in u for u in urls)
    assert "returns the mean where the sum is expected" in message
    assert section_links(part_section(AID, "log_likelihood"))[0] in message
    assert padding >= 8, "the points table is cramped"
