"""The hostile suite: attack notebooks graded by the real pipeline, in one run, beside two honest victims.

Every attack starts from hw1's correct answers, replaces one part's answer by an attack (or adds one), and
declares the parts it must lose. The whole class is graded once, sandboxed, with a short time limit; then:

- each attacker loses exactly its declared parts and keeps every other point;
- the victims keep 100 and their files keep their sha256;
- no process started by the run survives it;
- no file outside the grading workspace changes, the grader's HOME included;
- no hidden test line, solution line, secret seed or grader environment variable appears in any feedback.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from assignment_cases import Edit, student_notebook

from coursekit import pipeline
from coursekit.grading import runner
from coursekit.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
AID = "hw1-logistic"
MARK = "coursekit-hostile-marker"
CANARY = "grader-canary-5f0c2e"
PARTS = ["sigmoid", "predict_proba", "log_likelihood", "log_likelihood_grad", "gradient_ascent",
         "confusion_matrix", "precision_recall_at", "expected_cost", "best_threshold"]
STUB = "def sigmoid(z):\n    raise NotImplementedError()\n"
SIGMOID_OK = ("import numpy as np\ndef sigmoid(z):\n    z = np.asarray(z)\n    e = np.exp(-np.abs(z))\n"
              "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n")


@dataclass(frozen=True)
class Attack:
    name: str
    code: str
    """Replaces the sigmoid answer cell (``cell="answer-sigmoid"``) or is added at the end (``cell=None``)."""
    loses: tuple[str, ...] = ()
    cell: str | None = "answer-sigmoid"
    note: str = ""
    """A phrase that the student's report must contain."""


def _faker(payload: str) -> Attack:
    """A stub sigmoid with a payload that tries to make the grader pass it anyway."""
    return Attack(payload.split("\n")[0][:40], payload + "\n" + STUB, ("sigmoid",))


ATTACKS = [
    # --- faking the verdict from inside the notebook -----------------------------------------------------
    Attack("patch compare", "import coursekit.grading\ncoursekit.grading.compare = lambda *a, **k: True\n" + STUB,
           ("sigmoid",)),
    _faker("import numpy as np\nnp.isclose = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True"),
    _faker("import sys, types\nfake = types.ModuleType('coursekit.grading')\n"
           "fake.check_sigmoid = lambda *a, **k: True\nsys.modules['coursekit.grading'] = fake"),
    # blanks every later cell of its own notebook: the hidden checks are not cells, but its answers are gone
    Attack("input transformer", "ip = get_ipython()\nip.input_transformers_cleanup.append(lambda lines: [])\n" + STUB,
           tuple(PARTS)),
    _faker("import builtins\nbuiltins.AssertionError = type('Nothing', (Exception,), {})"),
    _faker("import os\nos.environ['NBGRADER_EXECUTION'] = 'off'"),
    _faker("import sys\nsys.setprofile(None)\nsys.settrace(None)"),
    _faker("import sys\ndef hook(*a):\n    return None\nsys.excepthook = hook"),
    Attack("walk up the stack for the expected value",
           "import inspect\nimport numpy as np\ndef sigmoid(z):\n    for f in inspect.stack():\n"
           "        for k, v in f.frame.f_locals.items():\n            if k in ('exp', 'expected'):\n"
           "                return v\n    return np.zeros_like(np.asarray(z, dtype=float))\n", ("sigmoid",)),
    # --- calling the reference, however disguised ---------------------------------------------------------
    Attack("import the reference", "from coursekit.linear import sigmoid\n", ("sigmoid",),
           note="is not available while your notebook is graded"),
    Attack("reference as module attribute",
           "import coursekit.linear\ndef sigmoid(z):\n    return coursekit.linear.sigmoid(z)\n", ("sigmoid",)),
    Attack("copy of the code object",
           "import types\nimport coursekit.linear as L\nsigmoid = types.FunctionType(L.sigmoid.__code__, "
           "L.__dict__)\n", ("sigmoid",)),
    Attack("exec of the reference source",
           "import inspect, coursekit.linear as L\nexec(inspect.getsource(L.sigmoid))\n", ("sigmoid",)),
    Attack("spoofed module name",
           "__name__ = 'coursekit.fake'\nimport coursekit.linear\ndef sigmoid(z):\n"
           "    return coursekit.linear.sigmoid(z)\n", ("sigmoid",)),
    Attack("reference in a worker thread",
           "import threading\ndef sigmoid(z):\n    out = []\n    def run():\n        import coursekit.linear\n"
           "        out.append(coursekit.linear.sigmoid(z))\n    t = threading.Thread(target=run)\n    t.start()\n"
           "    t.join()\n    return out[0]\n", ("sigmoid",)),
    Attack("reference by file path",
           "import importlib.util, os, coursekit\npath = os.path.join(os.path.dirname(coursekit.__file__), "
           "'linear.py')\nspec = importlib.util.spec_from_file_location('ref', path)\n"
           "mod = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(mod)\nsigmoid = mod.sigmoid\n",
           ("sigmoid",)),
    Attack("reference only when autograded",
           "import os\nif os.environ.get('NBGRADER_EXECUTION') == 'autograde':\n"
           "    from coursekit.linear import sigmoid\nelse:\n    def sigmoid(z):\n        raise NotImplementedError()\n",
           ("sigmoid",)),
    Attack("reference through scikit-learn's site-packages copy",
           "import glob, os, sys\nhits = glob.glob(sys.prefix + '/lib/python*/site-packages/coursekit*/linear.py')\n"
           "exec(open(hits[0]).read()) if hits else None\n" + STUB, ("sigmoid",)),
    # --- harming others, reading secrets ---------------------------------------------------------------
    Attack("edit another submission via /proc",
           "import os, glob\nfor p in glob.glob('/proc/*/cmdline'):\n    try:\n        text = open(p, 'rb').read()\n"
           "    except OSError:\n        continue\n    for part in text.split(b'\\0'):\n"
           "        if part.endswith(b'.ipynb') or b'class' in part:\n"
           "            for f in glob.glob(part.decode(errors='ignore') + '/**/*.ipynb', recursive=True):\n"
           "                open(f, 'w').write('{}')\n", cell=None),
    Attack("write an IPython startup file into HOME",
           "import os\nd = os.path.expanduser('~/.ipython/profile_default/startup')\nos.makedirs(d, exist_ok=True)\n"
           "open(d + '/00-fake.py', 'w').write('import coursekit.grading\\n')\n", cell=None),
    Attack("detached process that outlives the kernel",
           "import subprocess, sys\nsubprocess.Popen(['sleep', '300', '" + MARK + "'], start_new_session=True)\n"
           "subprocess.Popen(['sh', '-c', '(sleep 300 " + MARK + " &) ; true'])\n", cell=None),
    Attack("read the gradebook and the solutions",
           "import glob\nfor pattern in ['/**/gradebook.db', '/**/solutions/**/*.ipynb', '/**/secret_seed']:\n"
           "    for f in glob.glob(pattern, recursive=True)[:3]:\n        print(open(f, 'rb').read()[:2000])\n",
           cell=None),
    Attack("print the input history", "print(_ih)\nprint(In)\nprint(Out)\n", cell=None),
    Attack("print the environment and /proc", "import os\nprint(dict(os.environ))\n"
           "for p in ['/proc/1/environ', '/proc/1/cmdline']:\n    try:\n        print(open(p, 'rb').read())\n"
           "    except OSError as e:\n        print(e)\n", cell=None),
    Attack("reach the network", "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 22), timeout=2)\n"
           "except OSError as e:\n    print('no network:', e)\n", cell=None),
    Attack("write into the course folder",
           "import glob\nfor d in ['/work', '/root', '/tmp', '/home']:\n    for f in glob.glob(d + '/**/grades.csv', "
           "recursive=True):\n        open(f, 'w').write('student,score\\nvictim,0\\n')\n", cell=None),
    Attack("forge a call-back to the grader",
           "import os, socket, struct, json\nfd = int(os.environ.get('CK_CHANNEL_FD', '3'))\n"
           "s = socket.socket(fileno=os.dup(fd))\nhead = json.dumps({'op': 'call', 'id': 999999, 'v': {'d': [['h', 'g1']]}, "
           "'sync': [], 'blobs': []}).encode()\nframe = struct.pack('>I', len(head)) + head\n"
           "s.sendall(struct.pack('>Q', len(frame)) + frame)\n", cell=None),
    Attack("garbage on the channel", "import os\nos.write(int(os.environ.get('CK_CHANNEL_FD', '3')), b'\\xff' * 64)\n",
           cell=None),
    Attack("escape through a call-back's attributes",
           "import numpy as np\ndef predict_proba(X, w, b=0.0):\n    try:\n"
           "        g = sigmoid._ep.request('getattr', h=sigmoid._hid, name='__globals__')\n"
           "        open('/tmp/escaped', 'w').write(str(g))\n    except Exception as e:\n        print(e)\n"
           "    return sigmoid(X @ w + b)\n", cell="answer-predict-proba"),
    # --- crashes, loops, resources: cost the part that runs, nothing else --------------------------------
    Attack("os._exit in the graded function", "import os\ndef sigmoid(z):\n    os._exit(1)\n", ("sigmoid",)),
    Attack("endless loop in the graded function", "def sigmoid(z):\n    while True:\n        pass\n", ("sigmoid",)),
    Attack("endless loop that ignores Ctrl-C",
           "import signal\ndef sigmoid(z):\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
           "    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n        try:\n            pass\n"
           "        except BaseException:\n            pass\n", ("sigmoid",)),
    Attack("os._exit after the hidden tests", "import os\nos._exit(1)\n", cell=None),
    Attack("endless loop after the hidden tests", "while True:\n    pass\n", cell=None),
    Attack("memory blow-up", "x = bytearray(8 * 2**30)\n", cell=None),
    Attack("memory blow-up in the graded function",
           "def sigmoid(z):\n    return [bytearray(2**30) for _ in range(64)]\n", ("sigmoid",)),
    Attack("too many processes", "import os\npids = []\nfor _ in range(500):\n    try:\n        pid = os.fork()\n"
           "    except OSError:\n        break\n    if pid == 0:\n        import time\n        time.sleep(300)\n"
           "        os._exit(0)\n    pids.append(pid)\nprint(len(pids), 'processes')\n", cell=None),
    Attack("a 50 MB print", "print('x' * 50_000_000)\n", cell=None),
    Attack("a huge file", "open('big', 'wb').write(b'0' * 2**30)\n", cell=None),
    Attack("its own KeyboardInterrupt", "raise KeyboardInterrupt\n", cell=None, note="KeyboardInterrupt"),
    Attack("SystemExit in the graded function", "import sys\ndef sigmoid(z):\n    sys.exit(0)\n", ("sigmoid",)),
    Attack("returns an object that lies about equality",
           "class Liar:\n    def __eq__(self, other):\n        return True\n    __array_priority__ = 1000\n"
           "def sigmoid(z):\n    return Liar()\n", ("sigmoid",)),
    Attack("returns a huge array", "import numpy as np\ndef sigmoid(z):\n    return np.zeros(10**8)\n", ("sigmoid",)),
]


def _attack_notebook(attack: Attack) -> nbformat.NotebookNode:
    if attack.cell is not None:
        return student_notebook(AID, [Edit(attack.cell, None, attack.code)])
    nb = student_notebook(AID)
    nb.cells.append(nbformat.v4.new_code_cell(attack.code))
    return nb


def _tampered() -> dict[str, tuple[nbformat.NotebookNode, tuple[str, ...], str]]:
    """Structural tampering: student -> (notebook, parts lost, phrase of the report)."""
    out = {}

    def meta(nb, gid):
        return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid).metadata.nbgrader

    nb = student_notebook(AID)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "sigmoid"]
    out["deleted-hidden-cell"] = (nb, (), "the cell sigmoid is missing")
    nb = student_notebook(AID)
    meta(nb, "answer-sigmoid")["grade_id"] = "renamed"
    out["renamed-answer"] = (nb, (), "found by the functions it defines")
    nb = student_notebook(AID)
    meta(nb, "sigmoid")["grade"] = False
    meta(nb, "predict_proba")["points"] = 1000
    out["edited-metadata"] = (nb, (), "grading metadata of the cell sigmoid was edited")
    nb = student_notebook(AID)
    extra = nbformat.v4.new_code_cell("assert True")
    extra.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 500, "locked": True,
                                  "solution": False, "schema_version": 3}
    nb.cells.append(extra)
    out["added-graded-cell"] = (nb, (), "cell(s) that you added were kept")
    nb = student_notebook(AID)
    nb.metadata["kernelspec"] = {"name": "ir", "language": "R", "display_name": "R"}
    out["changed-kernel"] = (nb, (), "it was run with Python 3")
    nb = student_notebook(AID)
    nb.cells += [nbformat.v4.new_code_cell(f"x{i} = {i}") for i in range(2000)]
    out["two-thousand-cells"] = (nb, (), "beyond the limit")
    out["hw2-as-hw1"] = (student_notebook("hw2-regularization"), tuple(PARTS), "it looks like hw2-regularization")
    out["no-assignment-cells"] = (nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")]),
                                  tuple(PARTS), "none of the cells of hw1-logistic")
    return out


def _tree(folder: Path, skip: str | None = None) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and (skip is None or skip not in p.relative_to(folder).parts):
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _text(path: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))).split())


def _marked_processes() -> list[str]:
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in ps.splitlines() if MARK in line or "coursekit_worker" in line]


@pytest.fixture(scope="module")
def hostile(make_course, tmp_path_factory):
    course = make_course("hostile-course")
    subs = tmp_path_factory.mktemp("hostile-class")
    home = tmp_path_factory.mktemp("grader-home")
    (home / "notes.txt").write_text("the grader's own file\n")
    students: dict[str, tuple[tuple[str, ...], str]] = {}
    for i, attack in enumerate(ATTACKS):
        name = f"attack{i:02d}"
        nbformat.write(_attack_notebook(attack), subs / f"{name}_{AID}.ipynb")
        students[name] = (attack.loses, attack.note)
    for name, (nb, loses, note) in _tampered().items():
        nbformat.write(nb, subs / f"{name}_{AID}.ipynb")
        students[name] = (loses, note)
    for victim in ("victim-a", "victim-b"):
        nbformat.write(student_notebook(AID), subs / f"{victim}_{AID}.ipynb")
    (subs / f"..x_{AID}.ipynb").write_text("{}")
    (subs / "notes.txt").write_text("not a notebook")
    before_subs, before_home = _tree(subs), _tree(home)
    before_course = _tree(course, skip="grading")
    # the grader's own matplotlib (the item-analysis figure) finds its font cache where an instructor's
    # machine has it, so the HOME checked below is the one that student code could have touched
    import matplotlib.font_manager  # noqa: F401

    old_home, old_canary = os.environ.get("HOME"), os.environ.get("COURSEKIT_CANARY")
    os.environ["HOME"], os.environ["COURSEKIT_CANARY"] = str(home), CANARY
    lines: list[str] = []
    try:
        results = pipeline.grade(course, subs, AID, echo=lines.append, seed=20261204,
                                 limits=Limits(cell_seconds=6, submission_seconds=120, memory_mb=2048))
    finally:
        for key, value in (("HOME", old_home), ("COURSEKIT_CANARY", old_canary)):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return dict(course=course, subs=subs, home=home, results={r.student: r for r in results}, lines=lines,
                students=students, before=(before_subs, before_home, before_course))


def test_the_hostile_class_is_large_enough():
    assert len(ATTACKS) + len(_tampered()) >= 40


@pytest.mark.slow
def test_each_attacker_loses_exactly_its_parts(hostile):
    problems = []
    for student, (loses, note) in hostile["students"].items():
        r = hostile["results"][student]
        lost = {gid for gid, score in r.parts.items() if score < r.max_parts[gid]}
        if lost != set(loses):
            problems.append(f"{student}: lost {sorted(lost)}, expected {sorted(loses)}; {r.hints} {r.problems}")
        if note and not any(note in p for p in r.problems + list(r.hints.values())):
            problems.append(f"{student}: the report does not say {note!r}: {r.problems}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_victims_keep_full_marks_and_files(hostile):
    for victim in ("victim-a", "victim-b"):
        assert hostile["results"][victim].autograded == 100
    with open(hostile["course"] / "grading" / "reports" / "grades.csv", encoding="utf-8") as f:
        rows = {row.split(",")[0]: row for row in f.read().splitlines()[1:]}
    assert ",100,100," in rows["victim-a"] and ",100,100," in rows["victim-b"]
    before_subs, before_home, before_course = hostile["before"]
    assert _tree(hostile["subs"]) == before_subs, "a submission file changed"


@pytest.mark.slow
def test_no_process_survives_and_nothing_outside_the_workspace_changes(hostile):
    assert _marked_processes() == []
    _, before_home, before_course = hostile["before"]
    assert _tree(hostile["home"]) == before_home, "the grader's HOME changed"
    assert _tree(hostile["course"], skip="grading") == before_course, "the course folder changed"
    assert not Path("/tmp/escaped").exists()


@pytest.mark.slow
def test_every_file_is_graded_or_listed_with_a_reason(hostile):
    report = (hostile["course"] / "grading" / "reports" / "report.md").read_text(encoding="utf-8")
    assert f"..x_{AID}.ipynb" in report and "notes.txt" in report
    assert set(hostile["results"]) == set(hostile["students"]) | {"victim-a", "victim-b"}


@pytest.mark.slow
def test_feedback_reveals_no_hidden_test_solution_or_secret(hostile):
    solution = nbformat.read(ROOT / "solutions" / AID / f"{AID}.ipynb", as_version=4)
    secret_lines = set()
    for cell in solution.cells:
        for marker in (("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"), ("### BEGIN SOLUTION", "### END SOLUTION")):
            if marker[0] in cell.source:
                body = cell.source.split(marker[0], 1)[1].split(marker[1], 1)[0]
                secret_lines |= {line.strip() for line in body.splitlines() if len(line.strip()) > 12}
    seed = (hostile["course"] / "grading" / "secret_seed").read_text().strip()
    feedback = sorted((hostile["course"] / "grading" / "feedback").rglob("*.html"))
    assert len(feedback) >= len(hostile["students"])
    for path in feedback:
        assert path.stat().st_size < 10 * 2**20, f"{path} is larger than 10 MB"
        text = path.read_text(encoding="utf-8")
        assert CANARY not in text and seed not in text, f"{path} shows a secret"
        if path.parent.parent.name.startswith("victim"):
            continue
        plain = _text(path)
        hidden = [line for line in secret_lines if "grading" in line and line in plain]
        assert not hidden, f"{path} shows hidden test lines {hidden}"


def test_hidden_inputs_depend_on_the_secret_seed():
    a, b = runner.part_rng(1, AID, "sigmoid"), runner.part_rng(2, AID, "sigmoid")
    assert a.normal() != b.normal()
    assert runner.part_rng(1, AID, "sigmoid").normal() == runner.part_rng(1, AID, "sigmoid").normal()


def test_a_provided_cell_tagged_skip_when_grading_is_not_run(tmp_path):
    from coursekit import bench
    from coursekit.grading.sandbox import build_view

    solution = nbformat.read(ROOT / "solutions" / AID / f"{AID}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "assignments" / AID / f"{AID}.ipynb", as_version=4)
    demo = [c for c in release.cells if c.cell_type == "code" and "plt.subplots" in c.source][-1]
    demo.metadata["tags"] = [runner.SKIP_TAG]
    demo.source = "raise RuntimeError('a slow demo that must not run while grading')"
    plan = runner.make_plan(AID, solution, release)
    view = build_view(tmp_path / "view", plan.withheld)
    nb = bench.filled_notebook(ROOT, AID)
    raw = nbformat.writes(nb).encode()
    out = runner.grade_submission(plan, nb, raw, view, Limits(), seed=1)
    shown = next(c for c in out.cells if c.get("id") == demo.get("id"))
    assert shown.outputs[0].text == runner.SKIPPED_NOTE and not out.cell_problems
    assert all(v.score == v.points for v in out.verdicts.values())


def test_hidden_cells_are_parsed_not_run():
    calls = runner.parse_hidden("### BEGIN HIDDEN TESTS\nfrom coursekit import grading\n"
                                "assert grading.check_chosen_alpha(alpha_best, alphas, 3)\n### END HIDDEN TESTS")
    assert [(c.check, c.args) for c in calls] == [("check_chosen_alpha", [("name", "alpha_best"),
                                                                           ("name", "alphas"), ("value", 3)])]
    assert json.dumps([c.kwargs for c in calls]) == "[{}]"


def test_a_worker_started_ahead_serves_one_student_only(tmp_path):
    """The next submission's sandbox starts while the current one is graded; it receives its notebook once
    (``put``), and nothing that one student's code did (module state, files in HOME) reaches the next."""
    from coursekit import bench
    from coursekit.grading.sandbox import Worker, build_view

    solution = nbformat.read(ROOT / "solutions" / AID / f"{AID}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "assignments" / AID / f"{AID}.ipynb", as_version=4)
    plan = runner.make_plan(AID, solution, release)
    view = build_view(tmp_path / "view", plan.withheld)
    limits = Limits(cell_seconds=30)
    first, second = bench.filled_notebook(ROOT, AID), bench.filled_notebook(ROOT, AID)
    first.cells.insert(1, nbformat.v4.new_code_cell(
        "import os, numpy\nnumpy.left_by_the_first = 1\nopen(os.path.expanduser('~/trace'), 'w').write('x')"))
    second.cells.insert(2, nbformat.v4.new_code_cell(
        "import os, numpy\nassert not hasattr(numpy, 'left_by_the_first'), 'module state leaked'\n"
        "assert not os.path.exists(os.path.expanduser('~/trace')), 'a file leaked'\n"
        "assert open('submission.ipynb').read().count('second-student' + '-marker') == 1, 'not my notebook'"))
    second.cells.insert(2, nbformat.v4.new_markdown_cell("second-student-marker"))
    runner.discard_spares()
    try:
        out = runner.grade_submission(plan, first, nbformat.writes(first).encode(), view, limits, seed=1)
        assert not out.cell_problems and len(runner._SPARES) == 1  # the next worker is already starting
        spare = next(iter(runner._SPARES.values()))
        out = runner.grade_submission(plan, second, nbformat.writes(second).encode(), view, limits, seed=1)
        assert not runner._SPARES or next(iter(runner._SPARES.values())) is not spare
        assert not out.cell_problems, out.cell_problems
        assert all(v.score == v.points for v in out.verdicts.values())
    finally:
        runner.discard_spares()
    with Worker(view, None, limits) as worker:  # a started-ahead worker takes exactly one notebook
        worker.request("put", 30, text="{}")
        with pytest.raises(Exception, match="already in place"):
            worker.request("put", 30, text="{}")
