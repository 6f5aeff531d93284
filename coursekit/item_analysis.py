"""Item analysis of an assignment for the instructor: ``grading/reports/<assignment>.html`` and ``.md``.

For each autograded part: the mean score, the share of full marks, and the **discrimination** — the Pearson
correlation, over the class, of the part's score with the rest of the total (the total without that part):

.. math:: D_j = \\operatorname{corr}\\big(s_{\\cdot j},\\; \\textstyle\\sum_{k \\ne j} s_{\\cdot k}\\big)

A part that strong students pass and weak ones fail has :math:`D_j` near 1; near 0 (or negative) it does
not tell them apart, and ``—`` means that every student scored the same on it or on the rest. Then the most
frequent named mistakes per part (the diagnosers' "Likely mistake" lines), the submissions that crashed, timed
out, were refused, were flagged for copying a reference or were not graded at all, each with its reason, and
one row per student (autograded points, written points or "not graded yet", total: the same numbers as
``grades.csv``) linking to the feedback page. The figures (score distribution, per-part means) are
computed here with matplotlib and embedded in the page, which needs no network.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from pathlib import Path

import numpy as np

from coursekit.grading.cases import MESSAGE_HINT
from coursekit.reports import StudentResult

__all__ = ["discrimination", "item_table", "write_item_analysis"]

TOP_MISTAKES = 3
"""Named mistakes listed per part."""


def discrimination(scores: np.ndarray) -> np.ndarray:
    """The discrimination of each part: ``corr(scores[:, j], scores.sum(1) - scores[:, j])``, NaN when
    either is constant.

    Parameters
    ----------
    scores : array of shape (n_students, n_parts)
    """
    scores = np.asarray(scores, dtype=float)
    rest = scores.sum(axis=1, keepdims=True) - scores
    a, b = scores - scores.mean(0), rest - rest.mean(0)
    den = np.sqrt((a * a).sum(0) * (b * b).sum(0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 1e-12, (a * b).sum(0) / np.where(den > 1e-12, den, 1.0), np.nan)


def _mistake(text: str) -> str | None:
    if MESSAGE_HINT not in text:
        return None
    return " ".join(text.split(MESSAGE_HINT, 1)[1].split()).split(". ")[0][:160]


def item_table(results: list[StudentResult], points: dict[str, float]) -> list[dict]:
    """One row per part: ``part, points, mean, full (share), discrimination, mistakes [(text, count)]``."""
    parts = list(points)
    scores = np.array([[r.parts.get(p) or 0.0 for p in parts] for r in results], dtype=float)
    disc = discrimination(scores) if len(results) > 1 else np.full(len(parts), np.nan)
    rows = []
    for j, part in enumerate(parts):
        named = Counter(m for r in results if part in r.hints and (m := _mistake(r.hints[part])))
        rows.append({"part": part, "points": points[part], "mean": float(scores[:, j].mean()),
                     "full": float(np.mean(scores[:, j] >= points[part])), "discrimination": float(disc[j]),
                     "mistakes": named.most_common(TOP_MISTAKES)})
    return rows


def _figure(results: list[StudentResult], rows: list[dict], total: float) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=100)
    left.hist([r.autograded for r in results], bins=np.linspace(0, total, 11), color="#3b6ea5",
              edgecolor="white")
    left.set(xlabel="autograded points", ylabel="submissions", title="Score distribution")
    names = [row["part"] for row in rows]
    right.barh(names, [row["mean"] / row["points"] if row["points"] else 0 for row in rows], color="#3b6ea5")
    right.set(xlim=(0, 1), xlabel="mean score / points", title="Per part")
    right.invert_yaxis()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _d(x: float) -> str:
    return "—" if np.isnan(x) else f"{x:.2f}"


def _problems(results: list[StudentResult], skipped: list[str]) -> list[tuple[str, str]]:
    out = []
    for r in results:
        if r.status != "graded":
            out.append((r.student, f"{r.status}: " + "; ".join(r.problems[-2:])))
        for part, text in r.hints.items():
            if "did not finish" in text or "time limit" in text:
                out.append((r.student, f"{part}: timed out"))
            elif "stopped the notebook's process" in text:
                out.append((r.student, f"{part}: crashed the notebook's process"))
        out += [(r.student, f"flagged: {flag}") for flag in r.flags]
    out += [("(not graded)", s) for s in skipped]
    return out


def write_item_analysis(folder: Path, assignment: str, results: list[StudentResult],
                        points: dict[str, float], feedback: Path,
                        skipped: list[str] = ()) -> tuple[Path, Path]:
    """Write ``folder/<assignment>.md`` and ``folder/<assignment>.html``; return both paths.

    Parameters
    ----------
    folder : Path
        ``grading/reports``.
    results : list of StudentResult
        Every graded submission of the assignment.
    points : dict
        Autograded part -> its points, in notebook order.
    feedback : Path
        ``grading/feedback``: the per-student table links to ``<student>/<assignment>/<assignment>.html``.
    skipped : list of str
        Files of the submissions folder that were not graded, with the reason.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows, total = item_table(results, points), float(sum(points.values()))
    problems = _problems(results, list(skipped))
    mean = float(np.mean([r.autograded for r in results])) if results else 0.0
    md = [f"# Item analysis — {assignment}", "",
          f"{len(results)} submissions, mean {mean:.1f} / {total:g} autograded points.", "",
          "| part | points | mean | full marks | discrimination | most frequent named mistakes |",
          "|---|---|---|---|---|---|"]
    for row in rows:
        named = "; ".join(f"{m} ({n})" for m, n in row["mistakes"]).replace("|", "\\|")
        md.append(f"| {row['part']} | {row['points']:g} | {row['mean']:.2f} | {row['full']:.0%} | "
                  f"{_d(row['discrimination'])} | {named} |")
    md += ["", "## Submissions to look at", ""] + [f"- {s}: {t}" for s, t in problems] + [""]
    md += ["## Students", "", "| student | autograded | written | total | status | feedback |",
           "|---|---|---|---|---|---|"]
    rel = Path("..") / feedback.name
    for r in sorted(results, key=lambda r: r.student):
        link = rel / r.student / assignment / f"{assignment}.html"
        md.append(f"| {r.student} | {r.autograded:g} | {r.written_text()} | {r.total:g} | {r.status} | "
                  f"[{link}]({link}) |")
    md_path = folder / f"{assignment}.md"
    md_path.write_text("\n".join(md) + "\n", encoding="utf-8")

    e = html.escape
    cells = "".join(
        f"<tr><th scope=\"row\">{e(row['part'])}</th><td>{row['points']:g}</td><td>{row['mean']:.2f}</td>"
        f"<td>{row['full']:.0%}</td><td>{_d(row['discrimination'])}</td><td>"
        + "<br>".join(f"{e(m)} ({n})" for m, n in row["mistakes"]) + "</td></tr>" for row in rows)
    students = "".join(
        f"<tr><th scope=\"row\">{e(r.student)}</th><td>{r.autograded:g}</td><td>{e(r.written_text())}</td>"
        f"<td>{r.total:g}</td><td>{e(r.status)}</td>"
        f"<td><a href=\"{e(str(rel / r.student / assignment / (assignment + '.html')))}\">feedback</a>"
        "</td></tr>"
        for r in sorted(results, key=lambda r: r.student))
    look = "".join(f"<li><b>{e(s)}</b>: {e(t)}</li>" for s, t in problems) or "<li>none</li>"
    figure = _figure(results, rows, total) if results else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Item analysis — {e(assignment)}</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}th,td{{border:1px solid #ccc;padding:4px 8px;text-align:left;
vertical-align:top}}thead th{{background:#eef2f7}}img{{max-width:100%}}</style></head><body>
<h1>Item analysis — {e(assignment)}</h1>
<p>{len(results)} submissions, mean {mean:.1f} / {total:g} autograded points. Discrimination: the correlation
of a part's score with the rest of the total (— when it cannot be computed).</p>
<figure><img src="data:image/png;base64,{figure}" alt="Left: histogram of the autograded totals of the
class. Right: the mean score of each part as a share of its points."><figcaption>Score distribution and mean
score per part.</figcaption></figure>
<h2>Parts</h2>
<table><thead><tr><th scope="col">part</th><th scope="col">points</th><th scope="col">mean</th>
<th scope="col">full marks</th><th scope="col">discrimination</th>
<th scope="col">most frequent named mistakes</th></tr></thead><tbody>{cells}</tbody></table>
<h2>Submissions to look at</h2><ul>{look}</ul>
<h2>Students</h2>
<table><thead><tr><th scope="col">student</th><th scope="col">autograded</th><th scope="col">written</th>
<th scope="col">total</th><th scope="col">status</th><th scope="col">feedback</th></tr></thead>
<tbody>{students}</tbody></table>
</body></html>
"""
    html_path = folder / f"{assignment}.html"
    html_path.write_text(page, encoding="utf-8")
    return md_path, html_path
