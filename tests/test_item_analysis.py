"""The instructor's item analysis: discrimination against its definition, the page's content, and the page in
headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from coursekit.item_analysis import discrimination, item_table, write_item_analysis
from coursekit.reports import StudentResult

POINTS = {"a": 10.0, "b": 10.0, "c": 5.0}


def _result(student: str, a: float, b: float, c: float, hint: str = "",
            status: str = "graded") -> StudentResult:
    parts = {"a": a, "b": b, "c": c}
    hints = {"b": hint} if hint else {}
    return StudentResult(student, "hw", parts, POINTS, {}, {}, status, [], hints)


def test_discrimination_is_the_correlation_with_the_rest_of_the_total():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 11, size=(30, 4)).astype(float)
    got = discrimination(scores)
    for j in range(4):
        rest = np.delete(scores, j, axis=1).sum(1)
        assert np.isclose(got[j], np.corrcoef(scores[:, j], rest)[0, 1])
    constant = scores.copy()
    constant[:, 1] = 10.0
    assert np.isnan(discrimination(constant)[1])


def test_item_table_counts_full_marks_and_named_mistakes():
    wrong = ("`b` is not right yet: 3 of 5 checks failed\n"
             "Likely mistake: the gradient sign looks flipped. More.")
    results = [_result("s1", 10, 10, 5), _result("s2", 10, 0, 5, wrong), _result("s3", 0, 0, 0, wrong),
               _result("s4", 10, 10, 0)]
    rows = {r["part"]: r for r in item_table(results, POINTS)}
    assert rows["a"]["mean"] == 7.5 and rows["a"]["full"] == 0.75
    assert rows["b"]["mistakes"] == [("the gradient sign looks flipped", 2)]
    assert np.isclose(rows["b"]["discrimination"], np.corrcoef([10, 0, 0, 10], [15, 15, 0, 10])[0, 1])


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (make browser)")
def test_the_page_renders_in_chromium(tmp_path: Path):
    results = [_result(f"s{i}", 10 * (i % 2), 10 * (i % 3 > 0), 5, status="graded") for i in range(12)]
    results.append(_result("late", 0, 0, 0, status="not this assignment"))
    results[0].flags.append("a: `f` is 97% similar to the source of coursekit.linear.sigmoid")
    md, page = write_item_analysis(tmp_path / "reports", "hw", results, POINTS, tmp_path / "feedback",
                                   ["x.txt: not a notebook or a student folder"])
    text = page.read_text(encoding="utf-8")
    for phrase in ("Score distribution", "discrimination", "not this assignment", "97% similar", "x.txt",
                   "../feedback/s3/hw/hw.html"):
        assert phrase in text and (phrase in md.read_text(encoding="utf-8") or phrase == "Score distribution")
    shot = tmp_path / "item-analysis.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1100,1400", page.as_uri()], capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 20_000  # a rendered page with a figure, not a blank one
    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copyfile(shot, artifacts / "item-analysis.png")
