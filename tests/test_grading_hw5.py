"""coursekit.grading, the hw5-trees-boosting checks: the reference passes, correct alternatives pass for every
seed of the grader's ``rng``, a mistake in a helper costs only the helper's part, the known-wrong variants of
the catalogue agree with coursekit where they should (the catalogue itself: tests/test_catalogue_hw5.py), and
calling
coursekit.trees / coursekit.boosting is caught in the sandbox (tests/test_pipeline.py).

Student code runs in a fresh namespace named ``__main__``, as in a notebook kernel.
"""

from __future__ import annotations

import itertools
import textwrap
import time

import numpy as np
import pytest

from coursekit import boosting, grading, trees
from coursekit.grading import checks_hw5, mistakes_hw5

SEEDS = range(20)

SOLUTION = '''
import numpy as np

def impurity(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=float)
    p = counts / counts.sum(axis=-1, keepdims=True)
    if criterion == "gini":
        return 1 - np.sum(p**2, axis=-1)
    logs = np.log2(np.where(p > 0, p, 1.0))  # log2(1) = 0, so 0 log 0 counts as 0
    return -np.sum(p * logs, axis=-1)

def weighted_impurity(left, right, criterion="gini"):
    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    n_left, n_right = left.sum(axis=-1), right.sum(axis=-1)
    n = n_left + n_right
    return n_left / n * impurity(left, criterion) + n_right / n * impurity(right, criterion)

def best_split(X, y, criterion="gini"):
    best, best_score = None, np.inf
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for a, b in zip(values[:-1], values[1:]):
            threshold = (a + b) / 2
            goes_left = X[:, j] <= threshold
            left = np.bincount(y[goes_left], minlength=2)
            right = np.bincount(y[~goes_left], minlength=2)
            score = weighted_impurity(left, right, criterion)
            if score < best_score:
                best, best_score = (j, threshold, score), score
    return best

def stop_splitting(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2):
    too_deep = max_depth is not None and depth >= max_depth
    return bool(too_deep or n_samples < min_samples_split or node_impurity == 0)

def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini", depth=0):
    counts = np.bincount(y, minlength=2)
    split = None
    if not stop_splitting(depth, len(y), impurity(counts, criterion), max_depth, min_samples_split):
        split = best_split(X, y, criterion)
    if split is None:
        return {"value": counts / counts.sum()}
    feature, threshold, _ = split
    goes_left = X[:, feature] <= threshold
    return {
        "feature": feature,
        "threshold": threshold,
        "missing_left": bool(goes_left.sum() > (~goes_left).sum()),
        "left": build_tree(X[goes_left], y[goes_left], max_depth, min_samples_split, criterion, depth + 1),
        "right": build_tree(X[~goes_left], y[~goes_left], max_depth, min_samples_split, criterion, depth + 1),
    }

def predict_proba(tree, X):
    proba = np.zeros((X.shape[0], 2))
    for i, x in enumerate(X):
        node = tree
        while "value" not in node:
            v = x[node["feature"]]
            go_left = node["missing_left"] if np.isnan(v) else v <= node["threshold"]
            node = node["left"] if go_left else node["right"]
        proba[i] = node["value"]
    return proba

def adaboost_alpha(incorrect, sample_weight):
    error = np.sum(sample_weight * incorrect) / np.sum(sample_weight)
    return error, np.log((1 - error) / error)

def update_weights(sample_weight, incorrect, alpha):
    w = sample_weight * np.exp(alpha * incorrect)
    return w / w.sum()

def staged_error(votes, alphas, y):
    T, n = votes.shape
    scores = np.zeros((n, 2))
    errors = np.zeros(T)
    for t in range(T):
        scores[np.arange(n), votes[t]] += alphas[t]
        errors[t] = np.mean(np.argmax(scores, axis=1) != y)
    return errors
'''

CHECKS = {
    "impurity": grading.check_impurity, "weighted_impurity": grading.check_weighted_impurity,
    "best_split": grading.check_best_split, "stop_splitting": grading.check_stop_splitting,
    "build_tree": grading.check_build_tree, "predict_proba": grading.check_predict_proba_missing,
    "adaboost_alpha": grading.check_adaboost_alpha, "update_weights": grading.check_update_weights,
    "staged_error": grading.check_staged_error,
}


def notebook(*changes: str) -> dict:
    """The namespace of a notebook holding the solution, then each change (a cell redefining functions)."""
    ns = {"__name__": "__main__"}
    for code in (SOLUTION, *changes):
        exec(compile(textwrap.dedent(code), "<student cell>", "exec"), ns)  # noqa: S102 - test input
    return ns


def edited(part: str, old: str, new: str) -> str:
    """The solution's definition of ``part`` with ``old`` (which occurs once in it) replaced by ``new``."""
    start = SOLUTION.index(f"def {part}(")
    end = SOLUTION.find("\ndef ", start + 1)
    body = SOLUTION[start:] if end < 0 else SOLUTION[start:end + 1]
    assert body.count(old) == 1, f"{old!r} must occur once in {part}"
    return body.replace(old, new)


def failure(part: str, ns: dict, seed: int) -> str:
    with pytest.raises(AssertionError) as info:
        CHECKS[part](ns[part], rng=np.random.default_rng(seed))
    return str(info.value).replace("\n    ", " ")  # undo the wrapping of long lines


@pytest.mark.parametrize("seed", SEEDS)
def test_the_solution_passes_every_check(seed):
    ns = notebook()
    for part, check in CHECKS.items():
        assert check(ns[part], rng=np.random.default_rng(seed)) is True, part


def test_the_references_pass_their_own_checks():
    stand_ins = {
        "impurity": trees.impurity, "weighted_impurity": trees.weighted_impurity,
        "best_split": checks_hw5._hw5_best_split_ref, "stop_splitting": checks_hw5._hw5_stop_ref,
        "build_tree": checks_hw5._hw5_build_ref, "predict_proba": checks_hw5._hw5_predict_ref,
        "adaboost_alpha": checks_hw5._hw5_alpha_ref, "update_weights": boosting.update_weights,
        "staged_error": boosting.staged_error,
    }
    for seed in (0, 1, 2):
        for part, check in CHECKS.items():
            assert check(stand_ins[part], rng=seed) is True, part


ALTERNATIVES = {
    "impurity": '''
def impurity(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=-1)
    if criterion == "gini":
        return 1 - (counts[..., 0] ** 2 + counts[..., 1] ** 2) / total**2
    out = np.zeros(total.shape)
    for k in range(2):
        p = counts[..., k] / total
        with np.errstate(divide="ignore", invalid="ignore"):
            out -= np.where(p > 0, p * np.log(p) / np.log(2), 0.0)
    return out
''',
    "weighted_impurity": '''
def weighted_impurity(left, right, criterion="gini"):
    n_left, n_right = np.sum(left, axis=-1), np.sum(right, axis=-1)
    return (n_left * impurity(left, criterion) + n_right * impurity(right, criterion)) / (n_left + n_right)
''',
    "best_split": '''
def best_split(X, y, criterion="gini"):
    n, d = X.shape
    best = None
    for j in range(d):
        order = np.argsort(X[:, j], kind="stable")
        x, labels = X[order, j], y[order]
        left = np.cumsum(np.eye(2)[labels], axis=0)[:-1]         # class counts of the first i + 1 samples
        right = left[-1] + np.eye(2)[labels[-1]] - left
        valid = x[1:] > x[:-1]                                    # a threshold between different values
        if not valid.any():
            continue
        scores = np.where(valid, weighted_impurity(left, right, criterion), np.inf)
        i = int(np.argmin(scores))                                # the first of equal minima
        if best is None or scores[i] < best[2]:
            best = (j, (x[i] + x[i + 1]) / 2, float(scores[i]))
    return best
''',
    "stop_splitting": '''
def stop_splitting(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2):
    if node_impurity <= 0 or n_samples < min_samples_split:
        return True
    if max_depth is None:
        return False
    return depth >= max_depth
''',
    "build_tree": '''
def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini"):
    def grow(rows, depth):
        counts = np.array([np.sum(y[rows] == 0), np.sum(y[rows] == 1)], dtype=float)
        node_impurity = impurity(counts, criterion)
        if stop_splitting(depth, len(rows), node_impurity, max_depth=max_depth,
                          min_samples_split=min_samples_split):
            return {"value": counts / len(rows)}
        split = best_split(X[rows], y[rows], criterion)
        if split is None:
            return {"value": counts / len(rows)}
        j, s, _ = split
        left, right = rows[X[rows, j] <= s], rows[X[rows, j] > s]
        return {"feature": int(j), "threshold": float(s), "missing_left": len(left) > len(right),
                "left": grow(left, depth + 1), "right": grow(right, depth + 1)}

    return grow(np.arange(len(y)), 0)
''',
    "predict_proba": '''
def predict_proba(tree, X):
    def descend(node, rows):
        if "value" in node:
            out[rows] = node["value"]
            return
        x = X[rows, node["feature"]]
        left = np.where(np.isnan(x), node["missing_left"], x <= node["threshold"])
        descend(node["left"], rows[left])
        descend(node["right"], rows[~left])

    out = np.empty((len(X), 2))
    descend(tree, np.arange(len(X)))
    return out
''',
    "adaboost_alpha": '''
import math

def adaboost_alpha(incorrect, sample_weight):
    w = np.asarray(sample_weight, dtype=float) / np.sum(sample_weight)
    error = float(w[np.asarray(incorrect, dtype=bool)].sum())
    return error, math.log(1 - error) - math.log(error)
''',
    "update_weights": '''
def update_weights(sample_weight, incorrect, alpha):
    w = np.array(sample_weight, dtype=float)
    w[np.asarray(incorrect, dtype=bool)] *= np.exp(alpha)
    return w / np.sum(w)
''',
    "staged_error": '''
def staged_error(votes, alphas, y):
    margin = np.cumsum(np.asarray(alphas)[:, None] * np.where(votes == 1, 1.0, -1.0), axis=0)
    predicted = (margin > 0).astype(int)                          # a tie (margin 0) is class 0
    return np.mean(predicted != y, axis=1)
''',
}


@pytest.mark.parametrize("part", sorted(ALTERNATIVES))
def test_a_correct_alternative_passes(part):
    ns = notebook(ALTERNATIVES[part])
    for seed in SEEDS:
        assert CHECKS[part](ns[part], rng=np.random.default_rng(seed)) is True, seed


IMP, WEI, SPL, STOP = "impurity", "weighted_impurity", "best_split", "stop_splitting"
BUILD = "build_tree"
W_RETURN = "return n_left / n * impurity(left, criterion) + n_right / n * impurity(right, criterion)"
# Each mistake of the catalogue (coursekit.grading.mistakes_hw5) is named for 20 seeds on two or more hidden
# inputs by tests/test_catalogue_hw5.py, with a submission written as a student writes it.


def test_a_mistake_in_a_helper_costs_only_the_helpers_part():
    ns = notebook(edited(IMP, "np.log2(", "np.log("), edited(WEI, W_RETURN, "return 0.0"),
                  edited(SPL, "if score < best_score:", "if score <= best_score:"),
                  edited(STOP, "depth >= max_depth", "depth > max_depth"))
    for broken in (IMP, WEI, SPL, STOP):
        failure(broken, ns, 0)
    for part in (WEI, SPL, BUILD):
        if part not in (WEI, SPL):
            assert CHECKS[part](ns[part], rng=0), part


def test_an_unknown_mistake_says_what_differs_without_naming_one():
    ns = notebook(edited(IMP, "return 1 - np.sum(p**2, axis=-1)", "return 1 - np.sum(p**3, axis=-1)"))
    message = failure(IMP, ns, 0)
    assert "Likely mistake" not in message and "Problem: expected 0.375, got" in message, message


# --- the known-wrong variants of the checks are built on code of their own: it agrees with coursekit --------


@pytest.mark.parametrize("seed", SEEDS)
def test_the_loop_split_and_the_recursive_tree_agree_with_coursekit(seed):
    rng = np.random.default_rng(seed)
    for case in checks_hw5._hw5_split_cases(rng):
        expected = checks_hw5._hw5_split_out(checks_hw5._hw5_best_split_ref(*case.args, **case.kwargs))
        got = checks_hw5._hw5_split_out(mistakes_hw5._split_loop(*case.args, **case.kwargs))
        assert np.allclose(got, expected, rtol=1e-12), case.label
    for case in checks_hw5._hw5_build_cases(rng):
        expected = checks_hw5._hw5_canonical(checks_hw5._hw5_build_ref(*case.args, **case.kwargs))
        got = checks_hw5._hw5_canonical(mistakes_hw5.grow(*case.args, **case.kwargs))
        assert all(np.array_equal(g, e) for g, e in zip(got, expected, strict=True)), case.label


@pytest.mark.parametrize("seed", SEEDS)
def test_the_loop_prediction_and_the_dict_trees_agree_with_coursekit(seed):
    for case in checks_hw5._hw5_predict_cases(np.random.default_rng(seed)):
        tree, X = case.args
        assert np.array_equal(mistakes_hw5.predict_loop(tree, X), checks_hw5._hw5_predict_ref(tree, X))
        back = checks_hw5._hw5_tree_to_dict(checks_hw5._hw5_dict_to_tree(tree))
        assert np.array_equal(checks_hw5._hw5_predict_ref(back, X), checks_hw5._hw5_predict_ref(tree, X))


def test_the_hidden_trees_use_both_missing_branches_and_the_data_is_real():
    rng = np.random.default_rng(0)
    flags = []
    for case in checks_hw5._hw5_predict_cases(rng):
        stack = [case.args[0]]
        while stack:
            node = stack.pop()
            if "value" not in node:
                flags.append(node["missing_left"])
                stack += [node["left"], node["right"]]
        assert np.isnan(case.args[1]).any(), case.label
    assert any(flags) and not all(flags)
    from coursekit import data

    frame, _ = data.load_lending_club()
    X_real = frame.select_dtypes("number").to_numpy(float)
    X_case = checks_hw5._hw5_split_cases(np.random.default_rng(3))[0].args[0]
    for row in X_case:  # every hidden row of the first case is a real loan's values in 3 of its columns
        assert any((X_real[:, list(cols)] == row).all(axis=1).any()
                   for cols in itertools.combinations(range(X_real.shape[1]), 3))


def test_every_hw5_check_is_fast():
    ns = notebook()
    for part, check in CHECKS.items():
        start = time.perf_counter()
        check(ns[part], rng=1)
        assert time.perf_counter() - start < 2.0, f"{part} took {time.perf_counter() - start:.2f} s"
