"""Checks of hw5-trees-boosting: impurity, the weighted impurity of a split, the best split, the
early-stopping rule, building a tree to a depth, prediction with missing values, AdaBoost's vote and
reweighting, and the staged error of the ensemble. They run in the grader."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from coursekit._utils import RNGLike, as_rng
from coursekit.grading.cases import Case, _kind, _WrongOutput
from coursekit.grading.engine import compare
from coursekit.grading.mistakes_hw5 import MISTAKES, on_nodes

# --- hw5-trees-boosting checks ---
# hw5 (chapter book/trees.md): the Gini impurity and the entropy of class counts, the weighted impurity of
# the two children of a split, the best split of a node (midpoint thresholds, ties to the lowest feature and
# the smallest threshold, constant features skipped), the early-stopping rule, a tree grown to a depth as
# nested dicts, prediction with missing values routed by each node's learned branch, AdaBoost's weighted error
# and vote, the reweighting of the samples, and the staged error of the ensemble. The references are
# coursekit.trees and coursekit.boosting; the catalogue of known mistakes of each part (its hints, its
# known-wrong variants, small loops checked against those references in tests/test_grading_hw5.py, and its
# book sections) is coursekit.grading.mistakes_hw5. Hidden inputs come from the real LendingClub loans and
# credit applications (with their missing values) and from small constructed nodes with ties.

__all__ = [
    "check_impurity", "check_weighted_impurity", "check_best_split", "check_stop_splitting",
    "check_build_tree", "check_predict_proba_missing", "check_adaboost_alpha", "check_update_weights",
    "check_staged_error",
]

REFERENCE_MODULES = ("coursekit.trees", "coursekit.boosting")
"""The modules that hold the references of these checks: a sandboxed notebook graded by them cannot import
them (see :func:`coursekit.grading.sandbox.build_view`)."""


def _trees():
    import coursekit.trees as trees

    return trees


def _boosting():
    import coursekit.boosting as boosting

    return boosting


# ------------------------------------------------------------------------------------------------------------
# Data: the real loans and credit applications, numeric columns only
# ------------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _hw5_loans() -> tuple[np.ndarray, np.ndarray]:
    """The numeric columns of the LendingClub loans (float, no missing value) and the labels (1 = default)."""
    from coursekit import data

    frame, target = data.load_lending_club()
    return frame.select_dtypes("number").to_numpy(dtype=np.float64), target.to_numpy().astype(np.int64)


@functools.lru_cache(maxsize=1)
def _hw5_credit() -> tuple[np.ndarray, np.ndarray]:
    """The numeric columns of the credit applications (NaN where missing: income, assets, debt) and the
    labels (1 = bad)."""
    from coursekit import data

    frame, bad = data.load_credit()
    return frame.select_dtypes("number").to_numpy(dtype=np.float64), bad.to_numpy().astype(np.int64)


def _hw5_sample(X: np.ndarray, y: np.ndarray, n: int, d: int, rng: np.random.Generator,
                columns: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``n`` rows, half of each class, and ``d`` random columns (or ``columns``) of a real data set."""
    rows = np.concatenate([rng.choice(np.flatnonzero(y == k), size=n // 2 + (n % 2) * k, replace=False)
                           for k in (0, 1)])
    rows = rng.permutation(rows)
    cols = np.sort(rng.choice(X.shape[1], size=d, replace=False)) if columns is None else columns
    return X[np.ix_(rows, cols)].copy(), y[rows].copy()


def _as_floats(out: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        raise _WrongOutput(f"returns {_kind(out)}, not {what}") from None


# ------------------------------------------------------------------------------------------------------------
# Part 1 and 2: impurity, weighted impurity
# ------------------------------------------------------------------------------------------------------------


def _hw5_impurity_ref(counts, criterion="gini"):
    return _trees().impurity(counts, criterion)


def _hw5_counts(rng: np.random.Generator, shape: tuple[int, ...], high: int = 40) -> np.ndarray:
    """Class counts of nodes, each node with at least one sample."""
    counts = rng.integers(0, high, size=(*shape, 2)).astype(np.float64)
    counts[..., 0] += counts.sum(axis=-1) == 0
    return counts


def check_impurity(impurity: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``impurity(counts, criterion) -> (...)``: the Gini impurity :math:`1 - \sum_k p_k^2` or the
    entropy :math:`-\sum_k p_k \log_2 p_k` (with :math:`0 \log 0 = 0`) of class counts of shape ``(..., 2)``,
    :math:`p_k` = counts / their sum.

    Against :func:`coursekit.trees.impurity`; recognises the mistakes of ``MISTAKES["impurity"]``
    (:mod:`coursekit.grading.mistakes_hw5`): the entropy in nats or without its minus sign, counts used as
    fractions, fractions over the whole array, :math:`\sum p_k^2`, an ignored criterion, nan for an empty
    class. Use:
    ``assert grading.check_impurity(impurity)``.
    """
    rng = as_rng(rng)
    cases = []
    for criterion in ("gini", "entropy"):
        a = int(rng.integers(15, 40))
        cases += [
            Case(f"{criterion}: one node ({a} safe, {a // 3} risky)", (np.array([a, a // 3], float),),
                 {"criterion": criterion}),
            Case(f"{criterion}: six nodes at once, shape (6, 2)", (_hw5_counts(rng, (6,)),),
                 {"criterion": criterion}),
            Case(f"{criterion}: a pure node (no risky loan)", (np.array([float(rng.integers(3, 20)), 0.0]),),
                 {"criterion": criterion}),
            Case(f"{criterion}: nodes with an empty class, shape (3, 2)",
                 (np.array([[0.0, 7.0], [5.0, 5.0], [float(rng.integers(1, 9)), 0.0]]),),
                 {"criterion": criterion}),
            Case(f"{criterion}: sample weights (not integers), shape (2, 3, 2)",
                 (rng.uniform(0.01, 1.0, size=(2, 3, 2)),), {"criterion": criterion}),
        ]

    return compare(impurity, _hw5_impurity_ref, cases, name="impurity", mistakes=MISTAKES["impurity"])


def _hw5_weighted_ref(left, right, criterion="gini"):
    return _trees().weighted_impurity(left, right, criterion)


def check_weighted_impurity(weighted_impurity: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``weighted_impurity(left, right, criterion) -> (...)``: the impurity of the two children of a
    split weighted by their shares of the node, :math:`\frac{W_L}{W} H(L) + \frac{W_R}{W} H(R)`, for class
    counts of shape ``(..., 2)``.

    Against :func:`coursekit.trees.weighted_impurity`; the notebook's ``impurity`` is replaced by a correct
    one during the check. Recognises the plain mean or the sum of the two impurities, swapped shares, sizes
    instead of shares, sizes summed over the batch, the impurity decrease, and an ignored criterion. Use:
    ``assert grading.check_weighted_impurity(weighted_impurity)``.
    """
    rng = as_rng(rng)
    cases = []
    for criterion in ("gini", "entropy"):
        big, small = int(rng.integers(20, 40)), int(rng.integers(3, 8))
        cases += [
            Case(f"{criterion}: a large and a small child",
                 (np.array([big, big // 4], float), np.array([1.0, small], float)), {"criterion": criterion}),
            Case(f"{criterion}: five candidate splits, shape (5, 2)",
                 (_hw5_counts(rng, (5,)), _hw5_counts(rng, (5,), high=12)), {"criterion": criterion}),
            Case(f"{criterion}: a pure left child",
                 (np.array([float(rng.integers(5, 15)), 0.0]), np.array([4.0, 9.0])),
                 {"criterion": criterion}),
            Case(f"{criterion}: sample weights (not integers), shape (4, 2)",
                 (rng.uniform(0.01, 1.0, size=(4, 2)), rng.uniform(0.01, 0.3, size=(4, 2))),
                 {"criterion": criterion}),
        ]

    return compare(weighted_impurity, _hw5_weighted_ref, cases, name="weighted_impurity",
                   mistakes=MISTAKES["weighted_impurity"], depends={"impurity": _hw5_impurity_ref})


# ------------------------------------------------------------------------------------------------------------
# Part 3: the best split
# ------------------------------------------------------------------------------------------------------------


def _hw5_best_split_ref(X, y, criterion="gini"):
    """Reference ``(feature, threshold, weighted impurity)``, or None, from
    :func:`coursekit.trees.best_split`."""
    split = _trees().best_split(X, y, criterion=criterion)
    if split.feature < 0:
        return None
    return int(split.feature), float(split.threshold), float(split.child_impurity)


def _hw5_split_out(out: Any) -> tuple[float, float, float]:
    """``None`` -> (-1, 0, 0); a triple -> floats."""
    if out is None:
        return (-1.0, 0.0, 0.0)
    if not isinstance(out, tuple | list) or len(out) != 3:
        raise _WrongOutput(f"returns {_kind(out)}: return a tuple (feature, threshold, weighted impurity), "
                           "or None when no split exists")
    try:
        return float(out[0]), float(out[1]), float(out[2])
    except (TypeError, ValueError):
        raise _WrongOutput("returns a tuple that does not hold three numbers (feature, threshold, weighted "
                           "impurity)") from None


def _hw5_split_cases(rng: np.random.Generator) -> list[Case]:
    X_loans, y_loans = _hw5_loans()
    cases = []
    for criterion in ("gini", "entropy"):
        n = int(rng.integers(30, 60))
        X, y = _hw5_sample(X_loans, y_loans, n, 3, rng)
        cases.append(Case(f"{criterion}: {n} LendingClub loans, 3 numeric columns", (X, y),
                          {"criterion": criterion}))
        X = rng.integers(0, 5, size=(14, 3)).astype(float)
        y = rng.integers(0, 2, size=14)
        y[:2] = [0, 1]
        cases.append(Case(f"{criterion}: small integers, many equal values (n=14, d=3)", (X, y),
                          {"criterion": criterion}))
        # a tie between two features: column 2 repeats column 0, which separates the classes perfectly
        x0 = rng.permutation(np.arange(12.0)) * 0.5
        y2 = (x0 > np.median(x0)).astype(int)
        X = np.column_stack([x0, rng.integers(0, 3, size=12).astype(float), x0])
        cases.append(Case(f"{criterion}: columns 0 and 2 equal (a tie between features)", (X, y2),
                          {"criterion": criterion}))
        # a tie between two thresholds: labels 0, 1, ..., 1, 0 along x (the two outer gaps are equally good)
        m = int(rng.integers(3, 7))
        x = np.arange(m + 2.0) * float(rng.choice([0.5, 1.0, 2.5])) + float(rng.integers(-5, 5))
        labels = np.array([0] + [1] * m + [0])
        order = rng.permutation(m + 2)
        X = np.column_stack([x[order], np.full(m + 2, 3.0)])
        cases.append(Case(f"{criterion}: labels 0, 1 x {m}, 0 along x (a tie between thresholds)",
                          (X, labels[order]), {"criterion": criterion}))
        # a constant first column and labels the other column cannot separate at all
        k = int(rng.integers(2, 5))
        X = np.column_stack([np.full(4 * k, float(rng.integers(1, 9))), np.repeat([1.0, 2.0], 2 * k)])
        y4 = np.tile([0, 1], 2 * k)
        cases.append(Case(f"{criterion}: a constant first column, no informative split", (X, y4),
                          {"criterion": criterion}))
    X = np.column_stack([np.full(8, 2.0), rng.integers(0, 4, size=8).astype(float)])
    X[:2, 1] = [0.0, 3.0]
    cases.append(Case("gini: a pure node with a constant first column", (X, np.zeros(8, dtype=int)),
                      {"criterion": "gini"}))
    cases.append(Case("gini: every column constant (no split exists)",
                      (np.tile([[1.0, 5.0, 0.0]], (6, 1)), np.array([0, 1, 1, 0, 1, 0])),
                      {"criterion": "gini"}))
    row = _hw5_sample(X_loans, y_loans, 2, 3, rng)[0][:1]
    cases.append(Case("entropy: two loans with the same features and different labels (no split exists)",
                      (np.vstack([row, row]), np.array([0, 1])), {"criterion": "entropy"}))
    return cases


def check_best_split(best_split: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``best_split(X, y, criterion) -> (feature, threshold, weighted impurity)`` or ``None``: the
    split :math:`x_j \le s` of the node's samples that minimizes the weighted impurity of the children, with
    thresholds half-way between consecutive distinct values, ties to the lowest feature and then the smallest
    threshold, and ``None`` when every feature is constant.

    Hidden inputs: real LendingClub loans, small integer data with many ties, two equal columns, a tie between
    two thresholds, constant columns. Against :func:`coursekit.trees.best_split`; the notebook's ``impurity``
    and ``weighted_impurity`` are replaced by correct ones during the check. Recognises ties broken to the
    last split, a split on a constant feature, the left or the right value instead of the midpoint, the
    unweighted mean of the children's impurities, None for a split without gain and a placeholder where no
    split exists. Use: ``assert grading.check_best_split(best_split)``.
    """
    cases = _hw5_split_cases(as_rng(rng))

    def call(fn, args, kwargs):
        return _hw5_split_out(fn(*args, **kwargs))

    return compare(best_split, _hw5_best_split_ref, cases, name="best_split", mistakes=MISTAKES["best_split"],
                   call=call, depends={"impurity": _hw5_impurity_ref, "weighted_impurity": _hw5_weighted_ref})


# ------------------------------------------------------------------------------------------------------------
# Part 4: the early-stopping rule
# ------------------------------------------------------------------------------------------------------------


def _hw5_stop_ref(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2):
    return _trees().stop_splitting(depth, n_samples, node_impurity, max_depth=max_depth,
                                   min_samples_split=min_samples_split)


def _hw5_stop_cases(rng: np.random.Generator) -> list[Case]:
    """Lists of nodes ``(depth, n_samples, node_impurity)`` around the boundary of one rule each, with a node
    that is clearly not a leaf (so that an inverted answer is told apart from a boundary moved by one)."""
    imp = lambda: float(np.round(rng.uniform(0.1, 0.5), 3))  # noqa: E731 - a small local generator
    big = lambda: int(rng.integers(40, 200))  # noqa: E731
    cases = []
    for max_depth in (1, int(rng.integers(2, 6))):
        nodes = [(max_depth, big(), imp()), (max_depth - 1, big(), imp()), (0, big(), imp())]
        cases.append(Case(f"nodes at depth max_depth = {max_depth}, max_depth - 1 and 0", (nodes,),
                          {"max_depth": max_depth, "min_samples_split": 2}))
    for mss, max_depth in ((int(rng.integers(3, 8)), None), (int(rng.integers(10, 30)), 6)):
        nodes = [(1, mss, imp()), (1, mss - 1, imp()), (0, big(), imp())]
        cases.append(Case(f"nodes of min_samples_split = {mss}, {mss - 1} and {nodes[2][1]} samples",
                          (nodes,),
                          {"max_depth": max_depth, "min_samples_split": mss}))
    for max_depth in (3, None):
        nodes = [(0, big(), 0.0), (1, big(), imp()), (int(rng.integers(1, 3)), big(), 0.0)]
        cases.append(Case(f"pure and impure nodes, max_depth={max_depth}", (nodes,),
                          {"max_depth": max_depth, "min_samples_split": 2}))
    for mss in (2, 5):
        nodes = [(int(rng.integers(8, 20)), big(), imp()), (0, big(), imp()), (1, 1, 0.0)]
        cases.append(Case(f"no depth limit (max_depth=None), min_samples_split={mss}", (nodes,),
                          {"max_depth": None, "min_samples_split": mss}))
    return cases


def check_stop_splitting(stop_splitting: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``stop_splitting(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2)``:
    ``True`` (the node is a leaf) when ``max_depth`` is not None and ``depth >= max_depth``, when
    ``n_samples < min_samples_split``, or when the node is pure.

    Each hidden input is a list of nodes around the boundary of one rule (the output compared is the list of
    answers, 1 = leaf). Against :func:`coursekit.trees.stop_splitting`; recognises ``depth > max_depth``,
    ``depth >= max_depth - 1``, ``n_samples <= min_samples_split``, a pure node not stopped, an inverted
    answer and ``max_depth=None`` compared with a number. Use:
    ``assert grading.check_stop_splitting(stop_splitting)``.
    """
    def student_rule(fn):
        def rule(d, n, i, max_depth, min_samples_split):
            out = fn(d, n, i, max_depth=max_depth, min_samples_split=min_samples_split)
            if not isinstance(out, bool | np.bool_ | int | np.integer) or out not in (0, 1):
                raise _WrongOutput(f"returns {_kind(out)}: return True (a leaf) or False")
            return bool(out)

        return rule

    reference = on_nodes(_hw5_stop_ref)
    ours = (reference, *(m.variant for m in MISTAKES["stop_splitting"] if m.variant is not None))

    def call(fn, args, kwargs):
        if any(fn is f for f in ours):  # the reference and the variants answer for the whole list of nodes
            return fn(*args, **kwargs)
        return on_nodes(student_rule(fn))(*args, **kwargs)

    return compare(stop_splitting, reference, _hw5_stop_cases(as_rng(rng)), name="stop_splitting",
                   mistakes=MISTAKES["stop_splitting"], call=call)


# ------------------------------------------------------------------------------------------------------------
# Part 5: building a tree; trees as nested dicts
# ------------------------------------------------------------------------------------------------------------


def _hw5_tree_to_dict(tree: Any, node: int = 0) -> dict:
    """A :class:`coursekit.trees.Tree` as the notebook's nested dicts: ``{"value": (2,)}`` at a leaf,
    ``{"feature", "threshold", "missing_left", "left", "right"}`` at an inner node."""
    if tree.children_left[node] < 0:
        return {"value": np.array(tree.value[node], dtype=np.float64)}
    return {"feature": int(tree.feature[node]), "threshold": float(tree.threshold[node]),
            "missing_left": bool(tree.missing_go_to_left[node]),
            "left": _hw5_tree_to_dict(tree, int(tree.children_left[node])),
            "right": _hw5_tree_to_dict(tree, int(tree.children_right[node]))}


def _hw5_dict_to_tree(tree: dict) -> Any:
    """The nested dicts back as a :class:`coursekit.trees.Tree` (nodes depth first, left child first)."""
    trees = _trees()
    rows: list[list] = []

    def visit(node: dict) -> int:
        k = len(rows)
        rows.append([-1, -1, -1, np.nan, False, np.asarray(node.get("value", np.zeros(2)), dtype=float)])
        if "value" not in node:
            rows[k][2:5] = [int(node["feature"]), float(node["threshold"]), bool(node["missing_left"])]
            rows[k][0] = visit(node["left"])
            rows[k][1] = visit(node["right"])
        return k

    visit(tree)
    cols = list(zip(*rows, strict=True))
    n = len(rows)
    return trees.Tree(np.array(cols[0]), np.array(cols[1]), np.array(cols[2]), np.array(cols[3], dtype=float),
                      np.array(cols[4], dtype=bool), np.array(cols[5]), np.zeros(n), np.ones(n, dtype=int),
                      np.ones(n))


def _hw5_canonical(tree: Any) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """``(depth, features, thresholds, leaf values)`` of a tree given as nested dicts, nodes depth first and
    left child first; thresholds are 0 and values are 0 where they do not apply. Raises ``_WrongOutput`` for a
    malformed tree."""
    features, thresholds, values = [], [], []
    depth = 0
    stack = [(tree, 0)]
    while stack:
        node, d = stack.pop()
        if len(features) > 10_000:
            raise _WrongOutput("returns a tree of more than 10,000 nodes")
        if not isinstance(node, dict):
            raise _WrongOutput(f"a node is {_kind(node)}: every node must be a dict")
        depth = max(depth, d)
        if "value" in node and "left" not in node:
            value = _as_floats(node["value"], "a leaf value")
            if value.shape != (2,):
                raise _WrongOutput(f"a leaf's 'value' has shape {value.shape}: it must hold the 2 class "
                                   "fractions, shape (2,)")
            features.append(-1.0)
            thresholds.append(0.0)
            values.append(value)
            continue
        missing = [k for k in ("feature", "threshold", "left", "right") if k not in node]
        if missing:
            raise _WrongOutput(f"a node has neither 'value' (a leaf) nor all of 'feature', 'threshold', "
                               f"'left', 'right' (missing: {', '.join(missing)})")
        features.append(float(_as_floats(node["feature"], "a feature index")))
        thresholds.append(float(_as_floats(node["threshold"], "a threshold")))
        values.append(np.zeros(2))
        stack += [(node["right"], d + 1), (node["left"], d + 1)]
    return float(depth), np.array(features), np.array(thresholds), np.array(values)


def _hw5_build_ref(X, y, max_depth=None, min_samples_split=2, criterion="gini"):
    tree = _trees().build_tree(X, y, criterion=criterion, max_depth=max_depth,
                               min_samples_split=min_samples_split, n_classes=2)
    return _hw5_tree_to_dict(tree)


def _hw5_build_cases(rng: np.random.Generator) -> list[Case]:
    X_loans, y_loans = _hw5_loans()
    cases = []
    for n, d, max_depth, mss, criterion in [(60, 3, 2, 2, "gini"), (80, 4, 3, 2, "entropy"),
                                            (50, 3, 1, 2, "gini"), (90, 3, 3, 20, "gini"),
                                            (70, 2, None, 12, "gini"), (80, 3, None, 30, "entropy")]:
        X, y = _hw5_sample(X_loans, y_loans, n, d, rng)
        limit = "no depth limit" if max_depth is None else f"max_depth={max_depth}"
        cases.append(Case(f"{n} LendingClub loans, {d} columns, {limit}, min_samples_split={mss}, "
                          f"{criterion}",
                          (X, y), {"max_depth": max_depth, "min_samples_split": mss, "criterion": criterion}))
    X = rng.integers(0, 4, size=(30, 2)).astype(float)
    y = (X[:, 0] + rng.integers(0, 3, size=30) > 3).astype(int)
    cases.append(Case("small integers (n=30, d=2), max_depth=3, min_samples_split=6", (X, y),
                      {"max_depth": 3, "min_samples_split": 6, "criterion": "gini"}))
    cases.append(Case("pure labels (a single leaf)", (rng.normal(size=(10, 2)), np.ones(10, dtype=int)),
                      {"max_depth": 3, "min_samples_split": 2, "criterion": "gini"}))
    return cases


def check_build_tree(build_tree: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini") -> dict``: the tree
    grown greedily from the root (depth 0) with ``best_split`` and ``stop_splitting``, as nested dicts (a leaf
    ``{"value": class fractions (2,)}``, an inner node ``{"feature", "threshold", "missing_left", "left",
    "right"}``). ``missing_left`` is not compared (no value is missing here).

    Hidden inputs: LendingClub loans at several depths and node sizes, small integer data, pure labels.
    Against :func:`coursekit.trees.build_tree`; the notebook's ``impurity``, ``weighted_impurity``,
    ``best_split`` and ``stop_splitting`` are replaced by correct ones during the check. Recognises a tree one
    level too deep or too shallow, swapped children, majority classes or counts in the leaves, an ignored
    ``min_samples_split`` and split pure nodes. Use: ``assert grading.check_build_tree(build_tree)``.
    """
    cases = _hw5_build_cases(as_rng(rng))

    def call(fn, args, kwargs):
        return _hw5_canonical(fn(*args, **kwargs))

    stand_ins = {"impurity": _hw5_impurity_ref, "weighted_impurity": _hw5_weighted_ref,
                 "best_split": _hw5_best_split_ref, "stop_splitting": _hw5_stop_ref}
    return compare(build_tree, _hw5_build_ref, cases, name="build_tree", mistakes=MISTAKES["build_tree"],
                   call=call, depends=stand_ins)


# ------------------------------------------------------------------------------------------------------------
# Part 6: prediction with missing values
# ------------------------------------------------------------------------------------------------------------


def _hw5_predict_ref(tree, X):
    return _trees().predict_proba(_hw5_dict_to_tree(tree), np.asarray(X, dtype=np.float64))


def _hw5_predict_cases(rng: np.random.Generator) -> list[Case]:
    trees = _trees()
    cases = []
    X_credit, y_credit = _hw5_credit()
    for depth in (2, 3):
        X, y = _hw5_sample(X_credit, y_credit, 300, X_credit.shape[1], rng)
        X_fit, X_new = X[:240], X[240:]
        tree = trees.build_tree(X_fit, y[:240], max_depth=depth, min_samples_leaf=5, n_classes=2)
        node_features = tree.feature[tree.feature >= 0]
        holes = rng.random(X_new.shape) < 0.3
        holes[:, np.setdiff1d(np.arange(X.shape[1]), node_features)] = False
        X_new = np.where(holes, np.nan, X_new)
        learned = tree.missing_go_to_left[tree.feature >= 0]
        cases.append(Case(f"credit applications: a depth-{depth} tree that learned its missing branches "
                          f"({int(learned.sum())} of {learned.size} left), 60 applications with missing "
                          "values",
                          (_hw5_tree_to_dict(tree), X_new)))
    X_loans, y_loans = _hw5_loans()
    X, y = _hw5_sample(X_loans, y_loans, 200, 4, rng)
    tree = trees.build_tree(X[:150], y[:150], max_depth=3, n_classes=2)
    X_new = X[150:].copy()
    X_new[rng.random(X_new.shape) < 0.25] = np.nan
    cases.append(Case("LendingClub loans: a depth-3 tree, 50 loans with 25 % of the values missing",
                      (_hw5_tree_to_dict(tree), X_new)))
    # hand-made trees whose missing values all go to one side, with values exactly at the thresholds
    for side in (True, False):
        s0, s1 = float(rng.integers(2, 8)), float(rng.integers(-3, 3)) + 0.5
        tree = {"feature": 0, "threshold": s0, "missing_left": side,
                "left": {"feature": 1, "threshold": s1, "missing_left": not side,
                         "left": {"value": np.array([0.9, 0.1])}, "right": {"value": np.array([0.6, 0.4])}},
                "right": {"value": np.array([0.2, 0.8])}}
        X_new = np.array([[s0, s1], [s0 - 1, s1 + 1], [s0 + 1, s1], [np.nan, s1], [np.nan, s1 + 2],
                          [s0 - 2, np.nan], [np.nan, np.nan], [s0, s1 - 1]])
        where = "left" if side else "right"
        cases.append(Case(f"a depth-2 tree, missing values of the root go {where}; values at the thresholds",
                          (tree, X_new)))
    cases.append(Case("a single leaf", ({"value": np.array([0.25, 0.75])},
                                        np.array([[1.0, np.nan], [2.0, 3.0]]))))
    return cases


def check_predict_proba_missing(predict_proba: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``predict_proba(tree, X) -> (n, 2)``: each row of ``X`` descends the nested-dict tree from the
    root, left when ``x[feature] <= threshold``, and, when ``x[feature]`` is NaN, left if the node's
    ``missing_left`` is True; the row gets its leaf's ``value``.

    Hidden inputs: trees grown on the real credit applications (which learned where their missing incomes,
    assets and debts go), a LendingClub tree with a quarter of the values missing, hand-made trees with values
    exactly at the thresholds, a single leaf. Against :func:`coursekit.trees.predict_proba`; recognises
    missing values always sent left or right or to the opposite branch, ``x < threshold``, and a result that
    is the predicted class or P(class 1) only. Use:
    ``assert grading.check_predict_proba_missing(predict_proba)``.
    """
    return compare(predict_proba, _hw5_predict_ref, _hw5_predict_cases(as_rng(rng)), name="predict_proba",
                   mistakes=MISTAKES["predict_proba"])


# ------------------------------------------------------------------------------------------------------------
# Parts 7-9: AdaBoost
# ------------------------------------------------------------------------------------------------------------


def _hw5_alpha_ref(incorrect, sample_weight):
    boosting = _boosting()
    error = boosting.weighted_error(incorrect, sample_weight)
    return error, boosting.adaboost_alpha(error)


def _hw5_alpha_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    totals = ((20, 1.0), (50, 1.0), (30, float(rng.uniform(5, 50))), (12, float(rng.uniform(0.01, 0.2))))
    for n, total in totals:
        wrong = rng.random(n) < 0.3
        wrong[:2] = [True, False]
        w = rng.exponential(size=n)
        cases.append(Case(f"{n} samples, random weights summing to {total:.3g}",
                          (wrong, w / w.sum() * total), n=n))
    n = 16
    wrong = np.zeros(n, dtype=bool)
    wrong[rng.choice(n, size=5, replace=False)] = True
    cases.append(Case("uniform weights 1/n (the first round)", (wrong, np.full(n, 1 / n)), n=n))
    w = np.where(wrong, 3.0, 1.0)
    cases.append(Case("the misclassified samples weigh 3 times more (weights sum to 27)", (wrong, w), n=n))
    wrong = rng.random(24) < 0.65
    wrong[:2] = [True, False]
    w = rng.uniform(0.5, 1.5, size=24)
    cases.append(Case("a learner worse than chance (weighted error > 1/2)", (wrong, w / w.sum()), n=24))
    return cases


def check_adaboost_alpha(adaboost_alpha: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``adaboost_alpha(incorrect, sample_weight) -> (error, alpha)``: the weighted error
    :math:`\varepsilon = \sum_i w_i [\text{wrong}_i] / \sum_i w_i` and SAMME's vote for two classes,
    :math:`\alpha = \log\frac{1-\varepsilon}{\varepsilon}`.

    Against :func:`coursekit.boosting.weighted_error` and :func:`coursekit.boosting.adaboost_alpha`; weights
    that do not sum to 1 are among the inputs. Recognises an unweighted error rate, an error not divided by
    the total weight or divided by n, the 1/2 of the original AdaBoost, an inverted log, the odds without
    their log and an error that counts the correct samples. Use:
    ``assert grading.check_adaboost_alpha(adaboost_alpha)``.
    """
    def call(fn, args, kwargs):
        out = fn(*args, **kwargs)
        if not isinstance(out, tuple | list) or len(out) != 2:
            raise _WrongOutput(f"returns {_kind(out)}: return the pair (error, alpha)")
        return float(_as_floats(out[0], "a number")), float(_as_floats(out[1], "a number"))

    return compare(adaboost_alpha, _hw5_alpha_ref, _hw5_alpha_cases(as_rng(rng)), name="adaboost_alpha",
                   mistakes=MISTAKES["adaboost_alpha"], call=call)


def _hw5_update_ref(sample_weight, incorrect, alpha):
    return _boosting().update_weights(sample_weight, incorrect, alpha)


def check_update_weights(update_weights: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``update_weights(sample_weight, incorrect, alpha) -> (n,)``: SAMME's reweighting
    :math:`w_i \leftarrow w_i e^{\alpha [\text{wrong}_i]}`, renormalised to sum to 1.

    Against :func:`coursekit.boosting.update_weights`; recognises weights not renormalised or normalised
    before the update, the correct samples multiplied by :math:`e^{-\alpha}` too, a flipped sign, a factor
    :math:`\alpha` instead of :math:`e^\alpha`, and weights changed in place (they must not be). Use:
    ``assert grading.check_update_weights(update_weights)``.
    """
    rng = as_rng(rng)
    cases = []
    for n in (20, 45):
        w = rng.exponential(size=n)
        wrong = rng.random(n) < 0.3
        wrong[:2] = [True, False]
        alpha = _hw5_alpha_ref(wrong, w)[1]
        cases.append(Case(f"{n} samples, alpha = log((1 - eps) / eps) = {alpha:.3g}",
                          (w / w.sum(), wrong, alpha),
                          n=n))
    w = rng.uniform(1, 5, size=15)
    wrong = np.arange(15) % 4 == 0
    cases.append(Case("weights that do not sum to 1", (w, wrong, float(rng.uniform(0.5, 2.0))), n=15))
    cases.append(Case("a negative alpha (a learner worse than chance)",
                      (np.full(10, 0.1), np.arange(10) < 7, float(-rng.uniform(0.3, 1.0))), n=10))
    w = rng.exponential(size=12)
    w[[3, 7]] = 0.0
    cases.append(Case("some weights are exactly 0", (w / w.sum(), np.arange(12) % 3 == 0, 1.2), n=12))
    cases.append(Case("no mistake at all", (np.full(6, 1 / 6), np.zeros(6, dtype=bool), 0.8), n=6))

    return compare(update_weights, _hw5_update_ref, cases, name="update_weights",
                   mistakes=MISTAKES["update_weights"])


def _hw5_staged_ref(votes, alphas, y):
    return _boosting().staged_error(votes, alphas, y)


def _hw5_staged_cases(rng: np.random.Generator) -> list[Case]:
    boosting = _boosting()
    X_loans, y_loans = _hw5_loans()
    X, y = _hw5_sample(X_loans, y_loans, 160, 5, rng)
    model = boosting.AdaBoostClassifier(n_estimators=12).fit(X[:120], y[:120])
    votes = np.array([learner.predict(X[120:]) for learner in model.estimators_])
    cases = [Case(f"{len(votes)} stumps boosted on LendingClub loans, 40 validation loans",
                  (votes, model.estimator_weights_.copy(), y[120:]))]
    for T, n in ((8, 30), (5, 12)):
        y2 = rng.integers(0, 2, size=n)
        votes = np.where(rng.random((T, n)) < 0.7, y2, 1 - y2)
        cases.append(Case(f"T={T} learners, n={n} samples, random alphas",
                          (votes, rng.uniform(0.1, 2.0, T), y2)))
    for T, n in ((6, 20), (4, 9)):
        y2 = rng.integers(0, 2, size=n)
        votes = np.where(rng.random((T, n)) < 0.6, y2, 1 - y2)
        y2[:3], votes[:2, :3] = 1, [[0, 0, 0], [1, 1, 1]]  # three defaults on a tie after round 2
        # alphas exactly representable in binary: every order of summation gives the same exact ties
        cases.append(Case(f"T={T} learners with equal alphas (ties in the vote after 2, 4, ... rounds)",
                          (votes, np.full(T, 0.75), y2)))
    y1 = rng.integers(0, 2, size=7)
    votes = np.where(rng.random((1, 7)) < 0.5, y1, 1 - y1)
    cases.append(Case("one learner (T=1)", (votes, np.array([1.3]), y1)))
    return cases


def check_staged_error(staged_error: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``staged_error(votes, alphas, y) -> (T,)``: entry :math:`t-1` is the error rate of the ensemble
    of the first :math:`t` learners, which predicts :math:`\arg\max_k \sum_{s \le t} \alpha_s [f_s(x) = k]`
    (class 0 on a tie), for :math:`t = 1..T`.

    Hidden inputs: the votes and alphas of stumps boosted on LendingClub loans, random votes, equal alphas
    (ties), one learner. Against :func:`coursekit.boosting.staged_error`; recognises the error after the last
    round only (repeated or as one number), an unweighted vote, the learners' own errors, ties given to
    class 1, the -1/+1 sign compared with 0/1 labels, and accuracies. Use:
    ``assert grading.check_staged_error(staged_error)``.
    """
    return compare(staged_error, _hw5_staged_ref, _hw5_staged_cases(as_rng(rng)), name="staged_error",
                   mistakes=MISTAKES["staged_error"])
