"""Grading on a Dask cluster: a real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1,
started and stopped by the test, grade a class; the gradebook and grades.csv must equal the local run's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from assignment_cases import Edit, student_notebook

from coursekit import pipeline

AID = "hw3-optimizers"  # call-backs, generators and objects living in the sandbox: the hardest traffic


def _dask(*args: str, log: Path) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("dask")
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    return subprocess.Popen([str(exe), *args], stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True, env=env)


@pytest.fixture
def cluster(tmp_path):
    info = tmp_path / "scheduler.json"
    procs = [_dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0",
                   "--scheduler-file", str(info), log=tmp_path / "scheduler.log")]
    deadline = time.monotonic() + 60
    while not info.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert info.exists(), (tmp_path / "scheduler.log").read_text()
    for i in range(2):
        procs.append(_dask("worker", "--scheduler-file", str(info), "--nthreads", "1", "--nworkers", "1",
                           "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{i}",
                           log=tmp_path / f"worker{i}.log"))
    address = json.loads(info.read_text())["address"]
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=120)
    yield address
    for p in reversed(procs):
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.mark.slow
def test_a_dask_cluster_grades_like_the_local_run(cluster, make_course, tmp_path):
    subs = tmp_path / "class"
    subs.mkdir()
    nbformat.write(student_notebook(AID), subs / f"ada_{AID}.ipynb")
    nbformat.write(student_notebook(AID, [Edit("answer-adam", "self.t += 1", "")]), subs / f"bob_{AID}.ipynb")
    nbformat.write(student_notebook(AID), subs / f"cyd_{AID}.ipynb")
    outcome = {}
    for where in ("local", "cluster"):
        course = make_course(f"dask-{where}")
        lines: list[str] = []
        results = pipeline.grade(course, subs, AID, echo=lines.append, seed=99, jobs=1,
                                 scheduler=cluster if where == "cluster" else None)
        scores = {r.student: pipeline.read_scores(course, AID, r.student) for r in results}
        outcome[where] = ({s: {k: g["score"] for k, g in v.items()} for s, v in scores.items()},
                          [(r.student, r.parts, r.hints) for r in results],
                          (course / "grading" / "reports" / "grades.csv").read_text(encoding="utf-8"))
        assert (course / "grading" / "feedback" / "bob" / AID / f"{AID}.html").exists()
        if where == "cluster":
            assert any(f"on {cluster}" in line for line in lines), lines
    assert outcome["local"] == outcome["cluster"]
    assert outcome["local"][0]["ada"]["adam"] == 15 and outcome["local"][0]["bob"]["adam"] == 0
