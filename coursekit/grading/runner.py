"""Grade one submission: the instructor's structure, the student's answers, the sandboxed worker, the
verdicts.

:func:`make_plan` reads an assignment once: the cells of the released notebook, the checks named in the hidden
test cells of the instructor notebook, the points, and the modules the sandbox must withhold.
:func:`grade_submission` then, for one student's notebook:

1. builds the notebook to run from the **instructor's structure** (:func:`merge`): answer cells are matched by
   ``grade_id``, or failing that by the functions they define; locked and provided cells are the instructor's;
   cells the student added are kept after the cell they followed. Every deviation gets a note;
2. runs its code cells one by one in a sandboxed worker (:mod:`coursekit.grading.sandbox`);
3. at each hidden test cell, runs that part's check **here**, against proxies of the student's objects, with
   hidden inputs from the course's secret seed. A part's points come from this verdict alone. A crash or a
   timeout stops the worker and costs the running part only: the next part restarts a worker and replays the
   cells that ran before;
4. caps and cleans the outputs kept for the feedback.

Nothing here trusts what the worker sends beyond its type: outputs are rebuilt field by field, and exceptions
become built-in ones or :class:`~coursekit.grading.channel.RemoteError`.
"""

from __future__ import annotations

import ast
import atexit
import copy
import hashlib
import importlib
import inspect
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
from nbformat.notebooknode import NotebookNode

from coursekit.grading import channel, similarity
from coursekit.grading.sandbox import Limits, Worker
from coursekit.reports import first_line
from coursekit.sections import part_section, read_more

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CELL_TEXT_LIMIT = 2**20
"""Bytes of output kept per cell in the feedback."""
NOTEBOOK_TEXT_LIMIT = 5 * 2**20
"""Bytes of output kept per notebook in the feedback."""
MAX_RESTARTS = 12
"""Workers started again after a crash, per submission."""
SKIP_TAG = "skip-when-grading"
"""Tag of a provided cell that only shows something (a slow demo, a figure): not run when grading."""
SKIPPED_NOTE = "[not run while grading: this cell only shows a result; run it yourself to see it]\n"
KEPT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg",
              "image/svg+xml")


# ------------------------------------------------------------------------------------------------------- plan


@dataclass
class Call:
    """One ``grading.check_X(...)`` call of a hidden test cell."""

    check: str
    args: list[tuple[str, Any]]
    """``("name", student name)`` or ``("value", literal)``."""
    kwargs: dict[str, Any]


@dataclass
class Plan:
    """What grading an assignment needs, read once from the instructor's notebooks."""

    assignment: str
    notebook: str
    cells: list[NotebookNode]
    """The released notebook's cells (no hidden test, no solution)."""
    calls: dict[str, list[Call]]
    """Grade id of a hidden test cell -> its checks."""
    points: dict[str, float]
    """Grade id -> points, for every graded cell."""
    written: set[str]
    """Grade ids of the answers graded by hand."""
    answer_names: dict[str, set[str]]
    """Grade id of an answer cell -> the functions and classes it defines."""
    withheld: tuple[str, ...]
    other_ids: dict[str, set[str]] = field(default_factory=dict)
    """Other assignments -> their grade ids (to name a wrong submission)."""
    digest: str = ""
    metadata: dict = field(default_factory=dict)
    """The released notebook's metadata (kernelspec, language)."""
    provided: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Withheld module -> the objects of it that the provided cells use (run here, see ``PROVIDED``)."""


def _meta(cell: NotebookNode) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _defined(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)}


def parse_hidden(source: str) -> list[Call]:
    """The checks that a hidden test cell names: ``assert grading.check_sigmoid(sigmoid)`` and the like."""
    body = source.split(HIDDEN_BEGIN, 1)[-1].split(HIDDEN_END, 1)[0]
    calls = []
    for node in ast.walk(ast.parse(body)):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if not name.startswith("check_"):
            continue
        args = [("name", a.id) if isinstance(a, ast.Name) else ("value", ast.literal_eval(a))
                for a in node.args]
        calls.append(Call(name, args, {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}))
    return calls


def make_plan(aid: str, solution: NotebookNode, release: NotebookNode,
              other_ids: dict[str, set[str]] | None = None) -> Plan:
    """The plan of ``aid`` from its instructor notebook and its (freshly generated) release."""
    from coursekit import grading

    calls, points, written, names = {}, {}, set(), {}
    for cell in solution.cells:
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if meta.get("grade"):
            points[gid] = float(meta.get("points", 0))
            if cell.cell_type == "code" and HIDDEN_BEGIN in cell.source:
                calls[gid] = parse_hidden(cell.source)
            elif meta.get("solution"):
                written.add(gid)
        elif meta.get("solution") and cell.cell_type == "code":
            names[gid] = _defined(cell.source)
    modules = {importlib.import_module(getattr(grading, c.check).__module__)
               for cs in calls.values() for c in cs}
    withheld = sorted({m for module in modules for m in getattr(module, "REFERENCE_MODULES", ())})
    provided: dict[str, dict[str, Any]] = {}
    for module in modules:
        for name, objects in getattr(module, "PROVIDED", {}).items():
            provided.setdefault(name, {}).update(objects)
    digest = hashlib.sha256(nbformat.writes(solution).encode() + nbformat.writes(release).encode())
    digest = digest.hexdigest()
    return Plan(aid, aid, [copy.deepcopy(c) for c in release.cells], calls, points, written, names,
                tuple(withheld), dict(other_ids or {}), digest, copy.deepcopy(dict(release.metadata)),
                provided)


# ------------------------------------------------------------------------------------------------------ merge


def merge(plan: Plan, student: NotebookNode,
          limits: Limits) -> tuple[list[NotebookNode], list[str], str | None]:
    """The cells to run: the instructor's structure with the student's answers and added cells.

    Returns ``(cells, notes, refusal)``; ``refusal`` says why the notebook is not this assignment at all.
    """
    scells = [c for c in student.get("cells", []) if isinstance(c, dict) and c.get("cell_type") in
              ("code", "markdown", "raw")]
    notes: list[str] = []
    by_gid: dict[str, int] = {}
    by_id: dict[str, int] = {}
    for j, c in enumerate(scells):
        gid = _meta(c).get("grade_id")
        if isinstance(gid, str):
            by_gid.setdefault(gid, j)
        if isinstance(c.get("id"), str):
            by_id.setdefault(c["id"], j)
    inst = plan.cells
    mapped: dict[int, int] = {}
    used: set[int] = set()
    for k, c in enumerate(inst):
        gid = _meta(c).get("grade_id")
        j = by_gid.get(gid) if gid else by_id.get(c.get("id"))
        if j is not None and j not in used and scells[j].get("cell_type") == c.cell_type:
            mapped[k] = j
            used.add(j)
    for k, c in enumerate(inst):  # answers renamed or without metadata: by the functions they define
        gid = _meta(c).get("grade_id")
        if k in mapped or gid not in plan.answer_names or not plan.answer_names[gid]:
            continue
        for j, s in enumerate(scells):
            if j not in used and s.get("cell_type") == "code" and plan.answer_names[gid] <= _defined(
                    _source(s)):
                mapped[k] = j
                used.add(j)
                notes.append(f"the answer cell {gid} was found by the functions it defines (its grade id was "
                             "changed or removed)")
                break
    answers = [k for k, c in enumerate(inst) if _meta(c).get("solution")]
    if not any(k in mapped for k in answers) and not any(k in mapped for k in range(len(inst))
                                                         if _meta(inst[k]).get("grade_id")):
        theirs = set(by_gid)
        guess = max(plan.other_ids, key=lambda a: len(plan.other_ids[a] & theirs), default=None)
        if guess is not None and plan.other_ids[guess] & theirs:
            return [], notes, f"this is not {plan.assignment} (it looks like {guess})"
        return [], notes, f"this notebook has none of the cells of {plan.assignment}"
    for k, c in enumerate(inst):
        meta, gid = _meta(c), _meta(c).get("grade_id")
        if gid and k not in mapped:
            notes.append(f"the cell {gid} is missing from the notebook: "
                         + ("its part is not answered" if meta.get("solution") else "the original was used"))
        elif gid and k in mapped and not meta.get("solution"):
            s, keys = scells[mapped[k]], ("grade", "solution", "locked", "points")
            if meta.get("locked") and gid not in plan.calls and _source(s) != c.source:
                notes.append(f"the locked cell {gid} was edited: the original was used")
            if any(_meta(s).get(key) != meta.get(key) for key in keys):
                notes.append(f"the grading metadata of the cell {gid} was edited: the instructor's was used")
    edited = [k for k, c in enumerate(inst, start=1) if k - 1 in mapped and c.cell_type == "code"
              and not _meta(c) and _source(scells[mapped[k - 1]]) != c.source]
    if edited:
        notes.append(f"provided cell(s) {', '.join(map(str, edited))} were edited: the original code was run")
    kernel = student.get("metadata", {}).get("kernelspec", {})
    if isinstance(kernel, dict) and kernel.get("language", "python") != "python":
        notes.append(f"the notebook's kernel is {kernel.get('name', '?')!r}: it was run with Python 3")
    anchor = -1
    added: dict[int, list[int]] = {}
    back = {j: k for k, j in mapped.items()}
    for j in range(len(scells)):
        if j in back:
            anchor = max(anchor, back[j])
        elif j not in used:
            added.setdefault(anchor, []).append(j)
    budget = max(0, limits.max_cells - len(inst))
    cells, taken, dropped = [], set(), 0

    def add_student(j: int) -> None:
        nonlocal budget, dropped
        s = scells[j]
        if s.get("cell_type") == "code" and _source(s).strip():
            if budget <= 0:
                dropped += 1
                return
            budget -= 1
        cell = _new_cell(s.get("cell_type"), _source(s))
        if isinstance(s.get("id"), str) and s["id"] not in taken:
            cell["id"] = s["id"]
        taken.add(cell["id"])
        cells.append(cell)

    for j in added.get(-1, []):
        add_student(j)
    for k, c in enumerate(inst):
        cell = copy.deepcopy(c)
        if k in mapped and _meta(c).get("solution"):
            cell.source = _source(scells[mapped[k]])
        cell["id"] = c.get("id") if c.get("id") not in taken else uuid.uuid4().hex[:8]
        taken.add(cell["id"])
        if cell.cell_type == "code":
            cell.update(outputs=[], execution_count=None)
        else:
            cell.pop("outputs", None)
        cells.append(cell)
        for j in added.get(k, []):
            add_student(j)
    if sum(len(v) for v in added.values()):
        count = sum(len(v) for v in added.values())
        notes.append(f"{count} cell(s) that you added were kept and run in place")
    if dropped:
        notes.append(f"{dropped} added code cell(s) beyond the limit of {limits.max_cells} cells were not "
                     "run")
    return cells, notes, None


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(str(s) for s in source) if isinstance(source, list) else str(source)


def _new_cell(kind: Any, source: str) -> NotebookNode:
    if kind == "code":
        return nbformat.v4.new_code_cell(source)
    if kind == "raw":
        return nbformat.v4.new_raw_cell(source)
    return nbformat.v4.new_markdown_cell(source)


# ---------------------------------------------------------------------------------------------------- outputs


def _text(x: Any) -> str:
    return "".join(str(v) for v in x) if isinstance(x, list) else str(x)


def clean_outputs(raw: Any, budget: list[int]) -> list[NotebookNode]:
    """nbformat outputs rebuilt from what the worker sent: known fields only, no scripts, capped per cell at
    :data:`CELL_TEXT_LIMIT` and per notebook by ``budget`` (a one-item list: bytes left)."""
    outputs, size, cut = [], 0, 0
    for o in raw if isinstance(raw, list) else []:
        if not isinstance(o, dict):
            continue
        kind = o.get("output_type")
        if kind == "stream":
            new = nbformat.v4.new_output("stream", name="stderr" if o.get("name") == "stderr" else "stdout",
                                         text=_text(o.get("text", "")))
            if not new.text:
                continue
            n = len(new.text)
        elif kind in ("display_data", "execute_result"):
            data = o.get("data") if isinstance(o.get("data"), dict) else {}
            data = {k: _text(v) for k, v in data.items() if k in KEPT_MIMES}
            if "<script" in data.get("text/html", "").lower():
                data.pop("text/html")
            if not data:
                continue
            new = nbformat.v4.new_output(kind, data=data)
            if kind == "execute_result":
                count = o.get("execution_count")
                new.execution_count = count if isinstance(count, int) else None
            n = sum(len(v) for v in data.values())
        elif kind == "error":
            tb = o.get("traceback") if isinstance(o.get("traceback"), list) else []
            new = nbformat.v4.new_output("error", ename=str(o.get("ename", "Error"))[:200],
                                         evalue=str(o.get("evalue", ""))[:20000],
                                         traceback=[str(t)[:20000] for t in tb[:200]])
            n = len(new.evalue) + sum(len(t) for t in new.traceback)
        else:
            continue
        limit = min(CELL_TEXT_LIMIT - size, budget[0])
        if n > limit:
            if kind == "stream" and limit > 0:
                new.text = new.text[:limit]
                outputs.append(new)
                size += limit
                budget[0] -= limit
            cut += n - max(limit, 0)
            continue
        outputs.append(new)
        size += n
        budget[0] -= n
    if cut:
        outputs.append(nbformat.v4.new_output(
            "stream", name="stdout", text=f"\n[{cut / 2**20:.1f} MB of output not kept: the feedback keeps "
                                          f"{CELL_TEXT_LIMIT // 2**20} MB per cell and "
                                          f"{NOTEBOOK_TEXT_LIMIT // 2**20} MB per notebook]\n"))
    return outputs


def _error_output(ename: str, text: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=text, traceback=[text])


# ----------------------------------------------------------------------------------------------------- grade


@dataclass
class Verdict:
    """The grader's decision on one autograded part."""

    score: float
    points: float
    message: str | None = None
    """What is wrong (None: passed)."""
    status: str = "passed"
    """passed, failed, crashed, timeout, not run."""


@dataclass
class Outcome:
    """One graded submission."""

    cells: list[NotebookNode]
    verdicts: dict[str, Verdict]
    notes: list[str]
    refusal: str | None = None
    flags: list[str] = field(default_factory=list)
    """Answers that look copied from a reference (for the instructor)."""
    cell_problems: list[str] = field(default_factory=list)
    """Provided or added cells that raised, stopped or crashed."""
    seconds: float = 0.0


def part_rng(seed: int, assignment: str, part: str) -> np.random.Generator:
    """The hidden inputs' generator of one part: fixed by the course's secret seed."""
    return np.random.default_rng([seed, zlib.crc32(assignment.encode()), zlib.crc32(part.encode())])


PRESTART = True
"""Start each process's next worker while the current submission is graded (``False``: one at a time)."""
_SPARES: dict[tuple, Worker] = {}
"""One worker started ahead per (view, limits, sandbox) of this process: it starts and does the common
imports while the current submission is graded, then receives the next submission (``put``). Each worker
still serves one submission only."""


def _spare_key(view: Path, limits: Limits, sandboxed: bool) -> tuple:
    return str(view), repr(limits), sandboxed


def _start_spare(view: Path, limits: Limits, sandboxed: bool) -> None:
    key = _spare_key(view, limits, sandboxed)
    if PRESTART and key not in _SPARES:
        try:
            _SPARES[key] = Worker(view, None, limits, sandboxed)
        except Exception:  # noqa: BLE001 - no spare: the next submission starts its own worker
            pass


def _take_spare(view: Path, limits: Limits, sandboxed: bool) -> Worker | None:
    spare = _SPARES.pop(_spare_key(view, limits, sandboxed), None)
    if spare is not None and not spare.alive:
        spare.kill()
        return None
    return spare


def discard_spares() -> None:
    """Stop the workers started ahead (the end of a grading run)."""
    while _SPARES:
        _SPARES.popitem()[1].kill()


atexit.register(discard_spares)


class _Session:
    """The worker of a submission, restarted (and the cells that ran replayed) after a crash."""

    def __init__(self, view: Path, raw: bytes, limits: Limits, sandboxed: bool,
                 provided: dict[str, dict[str, Any]] | None = None) -> None:
        self.view, self.raw, self.limits, self.sandboxed = view, raw, limits, sandboxed
        self.provided = provided or {}
        self.worker: Worker | None = None
        self.ran: list[str] = []
        self.starts = 0

    def get(self) -> Worker:
        if self.worker is not None and self.worker.alive:
            return self.worker
        if self.worker is not None:
            self.worker.kill()
        if self.starts > MAX_RESTARTS:
            raise channel.WorkerLost("the notebook's process crashed too often; the remaining parts were not "
                                     "run")
        self.starts += 1
        spare = _take_spare(self.view, self.limits, self.sandboxed) if self.starts == 1 else None
        if spare is not None:
            self.worker = spare
            self.worker.request("put", self.limits.cell_seconds, text=self.raw.decode("utf-8", "replace"))
        else:
            self.worker = Worker(self.view, self.raw, self.limits, self.sandboxed)
        if self.starts == 1:
            _start_spare(self.view, self.limits, self.sandboxed)  # for this process's next submission
        if self.provided:
            self.worker.request("provide", self.limits.cell_seconds, objects=self.provided)
            self.worker.endpoint.kept = dict(self.worker.endpoint.exported)
        for source in list(self.ran):
            self.worker.request("exec", self.limits.cell_seconds, source=source)
        return self.worker

    def close(self) -> None:
        if self.worker is not None:
            self.worker.kill()


def _lost_message(exc: channel.WorkerLost, seconds: float) -> tuple[str, str]:
    if exc.timeout:
        return "timeout", f"did not finish within {seconds:g} s and was stopped (an infinite loop?)"
    return "crashed", f"stopped the notebook's process: {exc.reason} (os._exit, a crash, or too much memory?)"


def run_part(session: _Session, plan: Plan, gid: str, seed: int) -> Verdict:
    """Run the checks of one part against the student's objects; the verdict."""
    from coursekit import grading

    points = plan.points.get(gid, 0.0)
    try:
        worker = session.get()
        worker.endpoint.deadline = time.monotonic() + session.limits.cell_seconds
        worker.endpoint.request("reset")
        worker.endpoint.reset()
        for call in plan.calls[gid]:
            check = getattr(grading, call.check)
            args = []
            for kind, value in call.args:
                if kind == "value":
                    args.append(value)
                    continue
                try:
                    args.append(worker.endpoint.request("get", name=value))
                except NameError:
                    return Verdict(0.0, points, f"`{value}` is not defined: did its cell run without error, "
                                                "and is it spelled as in the assignment?", "failed")
            kwargs = dict(call.kwargs)
            if "rng" in inspect.signature(check).parameters:
                kwargs["rng"] = part_rng(seed, plan.assignment, gid)
            check(*args, **kwargs)
        return Verdict(points, points)
    except AssertionError as exc:
        text = str(exc)
        status = ("timeout" if "time limit" in text else
                  "crashed" if "stopped the notebook's process" in text else "failed")
        return Verdict(0.0, points, text, status)
    except channel.WorkerLost as exc:
        status, text = _lost_message(exc, session.limits.cell_seconds)
        return Verdict(0.0, points, f"Your code {text}.", status)
    except Exception as exc:  # noqa: BLE001 - whatever the student's objects do, the part is lost, not the run
        return Verdict(0.0, points, f"The check could not use your code: {type(exc).__name__}: {exc}",
                       "failed")
    finally:
        if session.worker is not None:
            session.worker.endpoint.deadline = None


def grade_submission(plan: Plan, student: NotebookNode, raw: bytes, view: Path, limits: Limits, seed: int,
                     sandboxed: bool = True) -> Outcome:
    """Grade one notebook of one student (see the module's docstring)."""
    start = time.monotonic()
    cells, notes, refusal = merge(plan, student, limits)
    verdicts = {gid: Verdict(0.0, plan.points[gid], "not graded", "not run") for gid in plan.calls}
    if refusal is not None:
        return Outcome([], verdicts, notes, refusal, seconds=time.monotonic() - start)
    outcome = Outcome(cells, verdicts, notes)
    session = _Session(view, raw, limits, sandboxed, plan.provided)
    budget = [NOTEBOOK_TEXT_LIMIT]
    count = 0
    try:
        for index, cell in enumerate(cells, start=1):
            if cell.cell_type != "code":
                continue
            gid = _meta(cell).get("grade_id")
            late = time.monotonic() - start > limits.submission_seconds
            if gid in plan.calls:
                if late:
                    verdicts[gid] = Verdict(0.0, plan.points[gid], "Not graded: the notebook used up the "
                                            f"time limit of {limits.submission_seconds:g} s.", "timeout")
                else:
                    verdicts[gid] = run_part(session, plan, gid, seed)
                v = verdicts[gid]
                link = read_more(part_section(plan.assignment, gid))
                if v.message and v.score < v.points and link:
                    v.message = f"{v.message}\n{link}"
                cell.outputs = [] if v.message is None else [_error_output("AssertionError", v.message)]
                continue
            if not cell.source.strip():
                continue
            if SKIP_TAG in cell.get("metadata", {}).get("tags", []) and not _meta(cell).get("solution"):
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=SKIPPED_NOTE)]
                continue
            name = gid or f"cell {index}"
            if late:
                cell.outputs = [_error_output("TimeoutError", "not run: the notebook used up its time limit")]
                outcome.cell_problems.append(f"{name} was not run (the submission's time limit)")
                continue
            count += 1
            try:
                worker = session.get()
                raw_out = worker.request("exec", limits.cell_seconds, source=cell.source)
                session.ran.append(cell.source)
                cell.outputs = clean_outputs(raw_out, budget)
                cell.execution_count = count
                errors = [o for o in cell.outputs if o.output_type == "error"]
                if errors:
                    ename = errors[-1].ename
                    extra = " (raised by the notebook's own code)" if ename == "KeyboardInterrupt" else ""
                    message = first_line(errors[-1].evalue, 200)
                    outcome.cell_problems.append(f"{name} raised {ename}: {message}{extra}")
            except channel.WorkerLost as exc:
                status, text = _lost_message(exc, limits.cell_seconds)
                cell.outputs = [_error_output("TimeoutError" if exc.timeout else "DeadKernelError",
                                              f"This cell {text}.")]
                outcome.cell_problems.append(f"{name} {text}")
    finally:
        session.close()
    for gid in plan.answer_names:
        for cell in cells:
            if _meta(cell).get("grade_id") == gid:
                for mine, ref, score in similarity.copies(cell.source, plan.withheld):
                    outcome.flags.append(f"{gid}: `{mine}` is {score:.0%} similar to the source of {ref}")
    outcome.seconds = time.monotonic() - start
    return outcome
