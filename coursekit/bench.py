"""Benchmarks of coursekit's reference code, each reported as a ratio to a baseline timed in the same run.

Run with ``make bench`` or ``python -m coursekit.bench``. Timings are the best of ``repeat`` runs
(:func:`time.perf_counter`), a benchmark and its baseline timed in turns; nothing is asserted.

1. Loss + gradient of logistic regression (:func:`coursekit.linear.logistic_loss_and_grad`) on a dense
   200,000 x 100 problem, against its floor: the two matrix-vector products ``X @ w`` and ``X.T @ r``.
2. :class:`coursekit.linear.LogisticRegression` (L2) on the preprocessed LendingClub loans, against
   scikit-learn's lbfgs run with the loosest tolerance that reaches the same objective to 1e-6 (relative).
3. One step of every :mod:`coursekit.optim` optimizer on 1,000,000 parameters, against one axpy
   ``w -= lr * g``.
4. :class:`coursekit.trees.DecisionTreeClassifier` on the LendingClub loans (depth 6 and full), against
   scikit-learn's Cython tree on the same matrix.
5. Sandboxed grading of each assignment per submission (``coursekit grade``, fixed costs shared by a class
   of 4), against executing the same notebook once with nbclient.
6. Grading a class of 16: ``--jobs 2`` against ``--jobs 1``, and two Dask workers against ``--jobs 2``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

Row = tuple[str, float, float, str]  # (what, our seconds, baseline seconds, note)


def best_times(*fns: Callable[[], object], repeat: int = 7) -> list[float]:
    """The shortest of ``repeat`` wall-clock times of each ``fn()``, in seconds.

    The functions are timed in turns (f1, f2, ..., f1, f2, ...), so that a change of load on the machine
    affects a benchmark and its baseline alike.
    """
    best = [np.inf] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def bench_loss_and_grad(n: int = 200_000, d: int = 100, repeat: int = 15, rng: int = 0) -> list[Row]:
    """Logistic loss + gradient vs two matrix-vector products, on a dense float64 problem."""
    from coursekit.linear import logistic_loss, logistic_loss_and_grad, logistic_loss_grad

    gen = np.random.default_rng(rng)
    X = gen.standard_normal((n, d))
    w = gen.standard_normal(d) / np.sqrt(d)
    y = (gen.random(n) < 0.5).astype(float)
    r = gen.standard_normal(n)
    floor, fused, apart = best_times(
        lambda: (X @ w, X.T @ r),
        lambda: logistic_loss_and_grad(w, 0.1, X, y, alpha=1e-3),
        lambda: (logistic_loss(w, 0.1, X, y, 1e-3), logistic_loss_grad(w, 0.1, X, y, 1e-3)),
        repeat=repeat)
    return [(f"logistic_loss_and_grad {n}x{d}", fused, floor, "baseline: X@w + X.T@r"),
            ("logistic_loss + logistic_loss_grad", apart, floor, "two calls: three products")]


def bench_lending_club(alpha: float = 1e-3, repeat: int = 5) -> list[Row]:
    """L2 LogisticRegression fit on LendingClub vs scikit-learn's lbfgs reaching the same objective."""
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    from coursekit.data import TabularPreprocessor, load_lending_club
    from coursekit.linear import LogisticRegression, logistic_loss

    frame, target = load_lending_club()
    X, y = TabularPreprocessor().fit_transform(frame), target.to_numpy()
    n = len(y)

    def ours():
        return LogisticRegression(penalty="l2", alpha=alpha).fit(X, y)

    model = ours()
    J = logistic_loss(model.coef_, model.intercept_, X, y, alpha)

    def sklearn_fit(tol):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at loose tolerances
            return SkLogisticRegression(C=1 / (n * alpha), solver="lbfgs", tol=tol, max_iter=10_000).fit(X, y)

    for tol in 10.0 ** -np.arange(4, 13):  # the loosest tolerance that reaches J to 1e-6
        sk = sklearn_fit(tol)
        J_sk = logistic_loss(sk.coef_[0], sk.intercept_[0], X, y, alpha)
        if abs(J_sk - J) <= 1e-6 * J:
            break
    t_ours, t_sk = best_times(ours, lambda: sklearn_fit(tol), repeat=repeat)
    note = (f"n={n} d={X.shape[1]} alpha={alpha:g}: J={J:.10f} ({model.n_iter_} Newton steps), "
            f"sklearn tol={tol:.0e} J={J_sk:.10f}")
    return [("LogisticRegression(l2).fit LendingClub", t_ours, t_sk, "baseline: sklearn lbfgs"),
            ("", 0.0, 0.0, note)]


def bench_optimizer_steps(n_params: int = 1_000_000, repeat: int = 30, rng: int = 0) -> list[Row]:
    """One ``step`` of each coursekit.optim optimizer vs one axpy ``w -= lr * g`` on ``n_params`` floats."""
    from coursekit.optim import make_optimizer

    gen = np.random.default_rng(rng)
    g = gen.standard_normal(n_params)
    lr = 1e-3
    w = gen.standard_normal(n_params)

    def axpy():
        nonlocal w
        w -= lr * g

    rows = []
    for name in ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]:
        opt = make_optimizer(name, [w], lr=lr)
        opt.step([g])  # create the state buffers before timing
        t, baseline = best_times(lambda o=opt: o.step([g]), axpy, repeat=repeat)
        rows.append((f"optim {name}.step, {n_params:,} params", t, baseline, "baseline: w -= lr * g"))
    return rows


def filled_notebook(root: str | Path, aid: str) -> Any:
    """The released notebook of ``aid`` with every answer cell holding the instructor's answer: what a
    student who solved everything submits."""
    import nbformat

    root = Path(root)
    solution = nbformat.read(root / "solutions" / aid / f"{aid}.ipynb", as_version=4)
    answers = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(root / "assignments" / aid / f"{aid}.ipynb", as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = "\n".join(line for line in answers[gid].splitlines()
                                    if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return nb


ASSIGNMENTS = ("hw1-logistic", "hw2-regularization", "hw3-optimizers", "hw4-gradients",
               "hw5-trees-boosting")


def bench_grading(root: str | Path = ".", assignments: tuple[str, ...] = ASSIGNMENTS, students: int = 4,
                  repeat: int = 2) -> list[Row]:
    """Sandboxed grading per submission with one worker (``--jobs 1``; a class of ``students`` identical
    correct notebooks, graded with ``--force``, fixed costs included), against executing the same notebook
    once with nbclient."""
    import shutil
    import tempfile

    import nbformat
    from nbclient import NotebookClient

    from coursekit import pipeline

    root, rows = Path(root).resolve(), []
    for aid in assignments:
        nb = filled_notebook(root, aid)
        with tempfile.TemporaryDirectory(prefix="coursekit-bench-") as tmp:
            course, subs = Path(tmp) / "course", Path(tmp) / "class"
            course.mkdir()
            shutil.copy(root / "nbgrader_config.py", course)
            for folder in ("solutions", "assignments"):
                shutil.copytree(root / folder, course / folder)
            subs.mkdir()
            for i in range(students):
                nbformat.write(nb, subs / f"student{i}_{aid}.ipynb")

            def floor(nb=nb):
                NotebookClient(nbformat.from_dict(nb), timeout=600, kernel_name="python3",
                               extra_arguments=["--IPKernelApp.log_level=ERROR"],
                               resources={"metadata": {"path": tmp}}).execute()

            def grade(course=course, subs=subs, aid=aid):
                pipeline.grade(course, subs, aid, echo=lambda s: None, force=True, jobs=1)

            t_floor, t_grade = best_times(floor, grade, repeat=repeat)
        rows.append((f"grade {aid}, per submission", t_grade / students, t_floor,
                     f"baseline: the notebook run once by nbclient (class of {students}, sandboxed)"))
    return rows


def bench_tree(repeat: int = 5) -> list[Row]:
    """coursekit's DecisionTreeClassifier on LendingClub vs scikit-learn's (Cython), same data, same run.

    The design matrix is :func:`coursekit.trees.tree_features` of the loans (numeric columns and category
    indicators, 9,857 x 119), rounded to float32 so both trees see the same values.
    """
    from sklearn.tree import DecisionTreeClassifier as SkTree

    from coursekit.data import load_lending_club
    from coursekit.trees import DecisionTreeClassifier, tree_features

    frame, target = load_lending_club()
    X = tree_features(frame)[0].astype(np.float32).astype(np.float64)
    y = target.to_numpy()
    rows = []
    for depth in (6, None):
        ours = DecisionTreeClassifier(max_depth=depth)
        theirs = SkTree(max_depth=depth, random_state=0)
        t, base = best_times(lambda m=ours: m.fit(X, y), lambda m=theirs: m.fit(X, y), repeat=repeat)
        rows.append((f"DecisionTree.fit LendingClub depth={depth}", t, base,
                     f"baseline: sklearn; {X.shape[0]}x{X.shape[1]}, {ours.tree_.node_count} nodes "
                     f"(sklearn {theirs.tree_.node_count})"))
    return rows


def bench_scale(root: str | Path = ".", aid: str = "hw1-logistic", students: int = 16) -> list[Row]:
    """Class throughput: one worker with and without a sandbox started ahead, ``--jobs 2`` against
    ``--jobs 1``, and a Dask cluster of two single-threaded worker
    processes on 127.0.0.1 against ``--jobs 2``; each a class of ``students`` correct notebooks, graded
    once."""
    import shutil
    import tempfile

    import nbformat
    from distributed import LocalCluster

    from coursekit import pipeline

    root, nb = Path(root).resolve(), filled_notebook(root, aid)
    with tempfile.TemporaryDirectory(prefix="coursekit-bench-") as tmp:
        subs = Path(tmp) / "class"
        subs.mkdir()
        for i in range(students):
            nbformat.write(nb, subs / f"student{i:02d}_{aid}.ipynb")

        def run(name: str, **options: Any) -> float:
            course = Path(tmp) / name
            course.mkdir()
            shutil.copy(root / "nbgrader_config.py", course)
            for folder in ("solutions", "assignments"):
                shutil.copytree(root / folder, course / folder)
            start = time.perf_counter()
            pipeline.grade(course, subs, aid, echo=lambda s: None, **options)
            return time.perf_counter() - start

        from coursekit.grading import runner

        runner.PRESTART = False
        try:
            cold = run("jobs1-cold", jobs=1)
        finally:
            runner.PRESTART = True
        one, two = run("jobs1", jobs=1), run("jobs2", jobs=2)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            dask = run("dask", scheduler=cluster.scheduler_address)
    return [(f"grade a class of {students}, --jobs 1", one, cold,
             "baseline: the same without a worker started ahead"),
            (f"grade a class of {students}, --jobs 2", two, one,
             "baseline: --jobs 1 (throughput gain = 1/ratio)"),
            (f"grade a class of {students}, Dask, 2 workers", dask, two,
             "baseline: --jobs 2 on this machine")]


BENCHMARKS = {"loss": bench_loss_and_grad, "lending": bench_lending_club, "optim": bench_optimizer_steps,
              "tree": bench_tree, "grading": bench_grading, "scale": bench_scale}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print one table: time, baseline time, and their ratio."""
    parser = argparse.ArgumentParser(prog="python -m coursekit.bench", description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help=f"any of {', '.join(BENCHMARKS)} (default: all)")
    names = parser.parse_args(argv).only or list(BENCHMARKS)
    for name in set(names) - set(BENCHMARKS):
        parser.error(f"unknown benchmark {name!r}; choose among {', '.join(BENCHMARKS)}")
    print(f"{'benchmark':<44} {'time [ms]':>10} {'baseline [ms]':>14} {'ratio':>7}  note")
    for name in names:
        try:
            rows = BENCHMARKS[name]()
        except ImportError as err:  # a module or a data package is missing
            print(f"{name:<44} skipped: {err}")
            continue
        for what, t, base, note in rows:
            if not what:
                print(f"{'':<44} {'':>10} {'':>14} {'':>7}  {note}")
            else:
                print(f"{what:<44} {1e3 * t:>10.2f} {1e3 * base:>14.2f} {t / base:>7.2f}  {note}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
