"""The mistake catalogue of hw5-trees-boosting: for every graded part, the realistic mistakes that students
make, each with the message that names it, the known-wrong computation (a *variant*, same signature as the
part's reference) or a recogniser (*detect*), and the book section that explains the idea.

Sources: the chapter's own warnings (``book/trees.md``: the entropy in bits, the *weighted* impurity of the
children, thresholds half-way between distinct values, the root at depth 0, the leaf's class fractions,
missing values following the learned branch, SAMME's vote without the 1/2, the reweighting of the mistakes
only, the vote of the first ``t`` learners), the errors that the comparable courses warn about (UW's
classification course: the plain error count instead of the weighted error, the unnormalised weights, the
last round's error for every round; CS231n and DeepLearning.AI: a reduction over the wrong axis of a batch)
and the ways these functions are actually written (loops that keep the last of equal scores,
``x < threshold``, ``sample_weight *=`` on the caller's array, the -1/+1 sign of the vote compared with 0/1
labels).

The catalogue is read by :mod:`coursekit.grading.checks_hw5` (``compare(..., mistakes=MISTAKES[part])``),
whose ``call`` turns every output (the student's, the reference's, a variant's) into the compared form.
Runs in the grader only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from coursekit.grading.cases import _leaves
from coursekit.grading.diagnosers import Mismatch, Mistake

SPLIT = "trees#sec-trees-split"
GROW = "trees#sec-trees-grow"
DEPTH = "trees#sec-trees-depth"
MISSING = "trees#sec-trees-missing"
BOOSTING = "trees#sec-trees-boosting"
BOUND = "trees#sec-trees-bound"


def _trees():
    import coursekit.trees as trees

    return trees


def _boosting():
    import coursekit.boosting as boosting

    return boosting


# ------------------------------------------------------------------------------------------------------------
# Recognisers of mistakes that no variant reproduces (an exception, a modified input, a split of nothing)
# ------------------------------------------------------------------------------------------------------------


def _zero_log_zero(m: Mismatch) -> bool:
    """nan in the entropy where the reference is finite: the log of an empty class's fraction 0."""
    g, e = _leaves(m.got), _leaves(m.expected)
    return (m.case.kwargs.get("criterion") == "entropy" and len(g) == len(e) == 1 and g[0].shape == e[0].shape
            and bool(np.any(np.isnan(g[0]) & np.isfinite(e[0]))))


def _split_neighbours(m: Mismatch) -> tuple[float, float] | None:
    """(left, right) values of the gap of the expected split, when the student found the same feature and
    the same weighted impurity: the largest value of the feature that goes left and the smallest that goes
    right."""
    got, exp = m.got, m.expected
    if not (isinstance(got, tuple) and isinstance(exp, tuple) and len(got) == len(exp) == 3):
        return None
    feature, threshold = int(exp[0]), float(exp[1])
    if feature < 0 or float(got[0]) != feature or not m.close(got[2], exp[2]):
        return None
    x = np.asarray(m.case.args[0], dtype=np.float64)[:, feature]
    return float(x[x <= threshold].max()), float(x[x > threshold].min())


def _threshold_left_value(m: Mismatch) -> bool:
    pair = _split_neighbours(m)
    return pair is not None and m.close(float(m.got[1]), pair[0])


def _threshold_right_value(m: Mismatch) -> bool:
    pair = _split_neighbours(m)
    return pair is not None and m.close(float(m.got[1]), pair[1])


def _split_of_nothing(m: Mismatch) -> bool:
    """A split (or a placeholder) returned for a node with no split at all (the check shows None as
    (-1, 0, 0))."""
    got, exp = m.got, m.expected
    return (isinstance(got, tuple) and isinstance(exp, tuple) and len(got) == len(exp) == 3
            and float(exp[0]) == -1 and not m.close(got, exp))


def _compares_none_with_depth(m: Mismatch) -> bool:
    return isinstance(m.error, TypeError) and m.case.kwargs.get("max_depth", 0) is None


def _right_output_modified_input(m: Mismatch) -> bool:
    """The output is right, so the input failed because it was modified in place."""
    return m.error is None and m.got is not None and m.close(m.got, m.expected)


# ------------------------------------------------------------------------------------------------------------
# Variants: the mistaken computations
# ------------------------------------------------------------------------------------------------------------


def _entropy_bits(p: np.ndarray) -> np.ndarray:
    return -np.sum(np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0), axis=-1)


def _impurity_of(p: np.ndarray, criterion: str) -> np.ndarray:
    return 1 - np.sum(p**2, axis=-1) if criterion == "gini" else _entropy_bits(p)


def _counts_as_fractions(counts, criterion="gini"):
    return _impurity_of(np.asarray(counts, dtype=np.float64), criterion)


def _fractions_of_everything(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=np.float64)
    return _impurity_of(counts / counts.sum(), criterion)


def _shares(left, right, criterion="gini", *, swap=False, normalize=True, overall=False):
    """The weighted impurity with one of the known slips: the shares swapped, not divided by the node's total,
    or the sizes summed over every split of the batch."""
    trees = _trees()
    left, right = np.asarray(left, float), np.asarray(right, float)
    wl, wr = (left.sum(), right.sum()) if overall else (left.sum(axis=-1), right.sum(axis=-1))
    if swap:
        wl, wr = wr, wl
    total = wl + wr if normalize else 1.0
    return (wl * trees.impurity(left, criterion) + wr * trees.impurity(right, criterion)) / total


def _split_loop(X, y, criterion="gini", *, tie_last: bool = False, degenerate: bool = False,
                mode: str = "mid", unweighted: bool = False, need_gain: bool = False):
    """The best split by a plain loop over features and thresholds, with the known mistakes as options:
    ``tie_last`` (the last of equally good splits), ``degenerate`` (the largest value as a threshold, which
    sends every sample left), ``mode`` ("mid", "left" or "right" value of the gap), ``unweighted`` (the mean
    of the children's impurities), ``need_gain`` (None unless the split lowers the node's impurity)."""
    trees = _trees()
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    best, best_score = None, np.inf
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        gaps = [(a, b) for a, b in zip(values[:-1], values[1:], strict=True)]
        if degenerate:
            gaps.append((values[-1], np.inf))
        for a, b in gaps:
            s = a / 2 + b / 2 if np.isfinite(b) else a
            goes_left = X[:, j] <= s
            left = np.bincount(y[goes_left], minlength=2).astype(float)
            right = np.bincount(y[~goes_left], minlength=2).astype(float)
            if unweighted:
                score = float((trees.impurity(left, criterion) + trees.impurity(right, criterion)) / 2)
            else:
                score = float(trees.weighted_impurity(left, right, criterion))
            if score < best_score or (tie_last and score == best_score):
                shown = {"mid": s, "left": a, "right": b if np.isfinite(b) else a}[mode]
                best, best_score = (j, float(shown), score), score
    parent = trees.impurity(np.bincount(y, minlength=2), criterion)
    if need_gain and best is not None and best_score >= parent:
        return None
    return best


def on_nodes(rule: Callable) -> Callable:
    """``rule(depth, n_samples, node_impurity, max_depth, min_samples_split)`` applied to each node of a
    list of ``(depth, n_samples, node_impurity)``: an array of 0/1 (the form in which the check compares the
    answers of the student's ``stop_splitting``, called once per node)."""

    def apply(nodes, max_depth=None, min_samples_split=2):
        return np.array([float(rule(d, n, i, max_depth, min_samples_split)) for d, n, i in nodes])

    return apply


def _stop(d, n, i, max_depth, mss):
    return _trees().stop_splitting(d, n, i, max_depth=max_depth, min_samples_split=mss)


def _stop_shifted(k: int) -> Callable:
    def rule(d, n, i, max_depth, mss):
        return _stop(d, n, i, None if max_depth is None else max_depth + k, mss)

    return on_nodes(rule)


def _best_split(X, y, criterion):
    split = _trees().best_split(X, y, criterion=criterion)
    if split.feature < 0:
        return None
    return int(split.feature), float(split.threshold), float(split.child_impurity)


def grow(X, y, max_depth=None, min_samples_split=2, criterion="gini", *, depth_shift: int = 0,
         swap: bool = False, leaf: str = "fractions", ignore_purity: bool = False,
         ignore_min_split: bool = False, depth: int = 0) -> dict:
    """A tree grown by recursion with the reference's split and stopping rule, and the known mistakes as
    options: ``depth_shift`` (max_depth off by one), ``swap`` (children swapped), ``leaf`` ("fractions",
    "majority" or "counts"), ``ignore_purity``, ``ignore_min_split``."""
    trees = _trees()
    counts = np.bincount(y, minlength=2).astype(float)
    limit = None if max_depth is None else max_depth + depth_shift
    node_impurity = 0.5 if ignore_purity else float(trees.impurity(counts, criterion))
    stop = trees.stop_splitting(depth, len(y), node_impurity, max_depth=limit,
                                min_samples_split=2 if ignore_min_split else min_samples_split)
    split = None if stop else _best_split(X, y, criterion)
    if split is None:
        value = {"fractions": counts / counts.sum(), "counts": counts,
                 "majority": np.eye(2)[int(np.argmax(counts))]}[leaf]
        return {"value": value}
    feature, threshold, _ = split
    goes_left = X[:, feature] <= threshold
    options = dict(depth_shift=depth_shift, swap=swap, leaf=leaf, ignore_purity=ignore_purity,
                   ignore_min_split=ignore_min_split, depth=depth + 1)
    left = grow(X[goes_left], y[goes_left], max_depth, min_samples_split, criterion, **options)
    right = grow(X[~goes_left], y[~goes_left], max_depth, min_samples_split, criterion, **options)
    if swap:
        left, right = right, left
    return {"feature": feature, "threshold": threshold, "missing_left": bool(goes_left.sum() > len(y) / 2),
            "left": left, "right": right}


def _grown(**options) -> Callable:
    return lambda X, y, max_depth=None, min_samples_split=2, criterion="gini": grow(
        X, y, max_depth, min_samples_split, criterion, **options)


def predict_loop(tree, X, *, missing: str = "learned", strict: bool = False):
    """Row by row descent with the known mistakes as options: ``missing`` ("learned", "left", "right",
    "reversed") and ``strict`` (x < threshold goes left)."""
    X = np.asarray(X, dtype=np.float64)
    out = np.zeros((X.shape[0], 2))
    for i, x in enumerate(X):
        node = tree
        while "value" not in node:
            v = x[node["feature"]]
            if np.isnan(v):
                go_left = {"learned": node["missing_left"], "left": True, "right": False,
                           "reversed": not node["missing_left"]}[missing]
            else:
                go_left = v < node["threshold"] if strict else v <= node["threshold"]
            node = node["left"] if go_left else node["right"]
        out[i] = node["value"]
    return out


def _alpha_ref(wrong, w) -> tuple[float, float]:
    boosting = _boosting()
    error = boosting.weighted_error(wrong, w)
    return error, boosting.adaboost_alpha(error)


def _from_error(error: float) -> tuple[float, float]:
    with np.errstate(all="ignore"):
        return error, float(np.log((1 - error) / error))


def _with_alpha(change: Callable[[float, float], float]) -> Callable:
    def variant(wrong, w):
        error, alpha = _alpha_ref(wrong, w)
        with np.errstate(all="ignore"):
            return error, float(change(error, alpha))

    return variant


def _reweight(w, wrong, alpha, *, factor: Callable | None = None, normalize: str = "after"):
    """The reweighting with one of the known slips: ``factor(alpha, wrong)`` instead of e^(alpha [wrong]),
    ``normalize`` "after" (right), "never" or "before" the update."""
    w, wrong = np.asarray(w, dtype=float), np.asarray(wrong, dtype=bool)
    if normalize == "before":
        w = w / w.sum()
    new = w * (np.exp(alpha * wrong) if factor is None else factor(alpha, wrong))
    return new / new.sum() if normalize == "after" else new


def _staged(votes, alphas, y) -> np.ndarray:
    return _boosting().staged_error(votes, alphas, y)


def _vote_margin(votes, alphas) -> np.ndarray:
    """The weighted vote for class 1 minus the vote for class 0 of the first t learners, shape (T, n)."""
    return np.cumsum(np.asarray(alphas, float)[:, None] * np.where(np.asarray(votes) == 1, 1.0, -1.0), axis=0)


# ------------------------------------------------------------------------------------------------------------
# The catalogue
# ------------------------------------------------------------------------------------------------------------


def _children_mean(left, right, criterion="gini"):
    """The plain mean of the two children's impurities."""
    return (_trees().impurity(left, criterion) + _trees().impurity(right, criterion)) / 2


MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "impurity": (
        Mistake("entropy_natural_log", "the entropy is in nats: the course measures it in bits, -sum_k p_k "
                "log2(p_k) (np.log2, not np.log)",
                lambda counts, criterion="gini": _trees().impurity(counts, criterion)
                * (np.log(2) if criterion == "entropy" else 1.0),
                section=SPLIT),
        Mistake("impurity_counts_not_fractions", "the impurity is computed from the counts, not from the "
                "class fractions p_k = counts / total", _counts_as_fractions, section=SPLIT),
        Mistake("gini_is_purity", "this is sum_k p_k^2 (the purity): the Gini impurity is 1 - sum_k p_k^2",
                lambda counts, criterion="gini": 1 - _trees().gini(counts) if criterion == "gini"
                else _trees().entropy(counts),
                section=SPLIT),
        Mistake("criterion_ignored", "the criterion argument seems to be ignored: criterion='entropy' asks "
                "for the entropy, 'gini' for the Gini impurity",
                lambda counts, criterion="gini": _trees().gini(counts), section=SPLIT),
        Mistake("entropy_without_minus", "the entropy is negative: sum_k p_k log2(p_k) is <= 0, the "
                "entropy is its opposite, -sum_k p_k log2(p_k)",
                lambda counts, criterion="gini": _trees().impurity(counts, criterion)
                * (-1.0 if criterion == "entropy" else 1.0),
                section=SPLIT),
        Mistake("fractions_over_all_nodes", "the fractions are taken over the whole array (counts.sum() "
                "adds up every node): each node's p_k = counts / counts.sum(axis=-1, keepdims=True), its "
                "own total", _fractions_of_everything, section=SPLIT),
        Mistake("zero_log_zero", "nan for a class with no sample: 0 log 0 counts as 0 in the entropy "
                "(compute the log of the nonzero fractions only, e.g. np.log2(np.where(p > 0, p, 1)))",
                detect=_zero_log_zero, section=SPLIT),
    ),
    "weighted_impurity": (
        Mistake("impurity_not_weighted", "the weighted impurity is not weighted by the share of samples in "
                "each child: it is (W_L / W) H(L) + (W_R / W) H(R), not the plain mean of H(L) and H(R)",
                _children_mean, section=SPLIT),
        Mistake("impurities_summed", "you add up the two impurities, H(L) + H(R): weigh each child by its "
                "share of the node's samples, (W_L / W) H(L) + (W_R / W) H(R)",
                lambda left, right, criterion="gini": 2 * _children_mean(left, right, criterion),
                section=SPLIT),
        Mistake("child_weights_swapped", "the two children's shares look swapped: H(L) is weighted by the "
                "LEFT child's share W_L / W",
                lambda left, right, criterion="gini": _shares(left, right, criterion, swap=True),
                section=SPLIT),
        Mistake("shares_not_normalized", "the children are weighted by their sizes W_L and W_R but not "
                "divided by the node's total W = W_L + W_R: use the shares W_L / W and W_R / W",
                lambda left, right, criterion="gini": _shares(left, right, criterion, normalize=False),
                section=SPLIT),
        Mistake("sizes_of_all_splits", "the children's sizes are summed over every split of the batch "
                "(left.sum() without an axis): each split's W_L = left.sum(axis=-1), its own children's "
                "sizes", lambda left, right, criterion="gini": _shares(left, right, criterion, overall=True),
                section=SPLIT),
        Mistake("returns_decrease", "this is the impurity decrease H(parent) - weighted impurity: return "
                "the weighted impurity of the children itself",
                lambda left, right, criterion="gini": _trees().impurity(np.asarray(left) + np.asarray(right),
                                                                        criterion)
                - _trees().weighted_impurity(left, right, criterion),
                section=SPLIT),
        Mistake("criterion_ignored", "the criterion argument seems to be ignored: pass criterion on to "
                "impurity (criterion='entropy' asks for the entropy of each child)",
                lambda left, right, criterion="gini": _trees().weighted_impurity(left, right, "gini"),
                section=SPLIT),
    ),
    "best_split": (
        Mistake("split_tie_last", "ties between thresholds broken differently: when two splits are equally "
                "good keep the FIRST one, the lowest feature and then the smallest threshold (update the "
                "best only on a strict improvement, <)", functools.partial(_split_loop, tie_last=True),
                section=SPLIT),
        Mistake("split_constant_feature", "a split on a constant feature (or at a feature's largest value) "
                "sends every sample to one child: it is no split. Skip features with a single distinct "
                "value; a threshold must have samples on both sides",
                functools.partial(_split_loop, degenerate=True), section=SPLIT),
        Mistake("split_unweighted", "the split minimizes the plain mean of the children's impurities: "
                "minimize the WEIGHTED impurity (W_L / W) H(L) + (W_R / W) H(R)",
                functools.partial(_split_loop, unweighted=True), section=SPLIT),
        Mistake("none_without_gain", "you return None when the best split does not lower the node's "
                "impurity: this part asks for the best split whenever a feature has two distinct values "
                "(stopping is stop_splitting's job)", functools.partial(_split_loop, need_gain=True),
                section=GROW),
        Mistake("threshold_left_value", "the midpoint threshold vs the left value: you return x_i, the "
                "largest value that goes left; the threshold is half-way between consecutive distinct "
                "values, (x_i + x_(i+1)) / 2", detect=_threshold_left_value, section=SPLIT),
        Mistake("threshold_right_value", "the threshold is the right value x_(i+1): with the rule x <= "
                "threshold that value would go left; the threshold is half-way between consecutive "
                "distinct values, (x_i + x_(i+1)) / 2", detect=_threshold_right_value, section=SPLIT),
        Mistake("no_split_not_none", "every feature of this node is constant, so no split exists: return "
                "None (the check shows None as (-1, 0, 0)); a 'split' that sends every sample to one "
                "child, or a placeholder such as (-1, 0, inf), is no split", detect=_split_of_nothing,
                section=SPLIT),
    ),
    "stop_splitting": (
        Mistake("stop_one_level_deep", "one level too deep: a node at depth == max_depth is a leaf (the "
                "root has depth 0): depth >= max_depth", _stop_shifted(1), section=DEPTH),
        Mistake("stop_one_level_early", "one level too early: a node is a leaf when depth >= max_depth, "
                "not depth >= max_depth - 1 (the root has depth 0, so max_depth = 1 gives a stump)",
                _stop_shifted(-1), section=DEPTH),
        Mistake("stop_min_split_inclusive", "a node with exactly min_samples_split samples may still be "
                "split: it is a leaf when n_samples < min_samples_split, not <=",
                on_nodes(lambda d, n, i, max_depth, mss: _stop(d, n, i, max_depth, mss + 1)), section=GROW),
        Mistake("stop_ignores_purity", "a pure node (impurity 0) must be a leaf: there is nothing left to "
                "separate", on_nodes(lambda d, n, i, max_depth, mss: _stop(d, n, 0.5, max_depth, mss)),
                section=GROW),
        Mistake("stop_inverted", "the answer is inverted: return True when the node must be a LEAF (stop), "
                "False when it may be split",
                on_nodes(lambda d, n, i, max_depth, mss: not _stop(d, n, i, max_depth, mss)), section=GROW),
        Mistake("stop_max_depth_none", "max_depth=None means no depth limit: test `max_depth is not None "
                "and depth >= max_depth` (comparing a number with None raises TypeError)",
                detect=_compares_none_with_depth, section=DEPTH),
    ),
    "build_tree": (
        Mistake("tree_too_deep", "the tree is one level too deep: a node at depth max_depth is a leaf (the "
                "root has depth 0); pass depth + 1 to the children", _grown(depth_shift=1), section=DEPTH),
        Mistake("tree_too_shallow", "the tree is one level too shallow: the root has depth 0 and its "
                "children depth 1; a node becomes a leaf at depth max_depth", _grown(depth_shift=-1),
                section=DEPTH),
        Mistake("children_swapped", "the children are swapped: 'left' holds the samples with x[feature] <= "
                "threshold, 'right' the others", _grown(swap=True), section=GROW),
        Mistake("leaf_majority_class", "the leaves hold the majority class as 0/1: a leaf's 'value' is the "
                "class fractions of its training samples, np.bincount(y, minlength=2) / len(y)",
                _grown(leaf="majority"), section=GROW),
        Mistake("leaf_counts", "the leaves hold class counts: a leaf's 'value' is the class FRACTIONS, "
                "counts / their sum", _grown(leaf="counts"), section=GROW),
        Mistake("ignores_min_samples_split", "min_samples_split seems to be ignored: pass it on to "
                "stop_splitting (and to the recursive calls)", _grown(ignore_min_split=True), section=GROW),
        Mistake("splits_pure_nodes", "pure nodes are split further: a node whose impurity is 0 is a leaf "
                "(use stop_splitting)", _grown(ignore_purity=True), section=GROW),
    ),
    "predict_proba": (
        Mistake("missing_always_left", "missing values always go left instead of the learned branch: a NaN "
                "follows node['missing_left'] (left if True, right if False)",
                functools.partial(predict_loop, missing="left"), section=MISSING),
        Mistake("missing_always_right", "missing values always go right: NaN <= threshold is False in "
                "NumPy, so a NaN never goes left by itself; send it left when node['missing_left'] is True",
                functools.partial(predict_loop, missing="right"), section=MISSING),
        Mistake("missing_branch_reversed", "missing values take the opposite branch: node['missing_left'] "
                "True means a NaN goes LEFT", functools.partial(predict_loop, missing="reversed"),
                section=MISSING),
        Mistake("predict_strict_threshold", "a value equal to the threshold goes left: the rule is x <= "
                "threshold, not x < threshold", functools.partial(predict_loop, strict=True), section=SPLIT),
        Mistake("returns_class_one_only", "you return P(class 1) only: return both columns, shape (n, 2), "
                "the class fractions of each row's leaf", lambda tree, X: predict_loop(tree, X)[:, 1],
                section=GROW),
        Mistake("returns_predicted_class", "you return the predicted class: return the class probabilities "
                "of the leaf, shape (n, 2)", lambda tree, X: np.argmax(predict_loop(tree, X), axis=1),
                section=GROW),
    ),
    "adaboost_alpha": (
        Mistake("alpha_unweighted_error", "α uses the error rate without the weights: the weighted error "
                "is eps = sum_i w_i [wrong_i] / sum_i w_i, and alpha = log((1 - eps) / eps) is computed "
                "from it", lambda wrong, w: _from_error(float(np.mean(wrong))), section=BOOSTING),
        Mistake("error_not_normalized", "the weighted error is not divided by the total weight: eps = "
                "sum_i w_i [wrong_i] / sum_i w_i (the weights need not sum to 1)",
                lambda wrong, w: _from_error(float(np.sum(np.asarray(w) * wrong))), section=BOOSTING),
        Mistake("error_mean_of_products", "np.mean(w * wrong) divides the weighted mistakes by the number "
                "of samples n: divide by the total weight instead, eps = sum_i w_i [wrong_i] / sum_i w_i",
                lambda wrong, w: _from_error(float(np.mean(np.asarray(w) * wrong))), section=BOOSTING),
        Mistake("error_counts_correct", "the error counts the correctly classified samples: eps sums the "
                "weights where the learner is WRONG",
                lambda wrong, w: _from_error(1 - _alpha_ref(wrong, w)[0]), section=BOOSTING),
        Mistake("alpha_half", "this is 1/2 log((1 - eps) / eps), the vote of the original two-class "
                "AdaBoost: the course's SAMME vote is alpha = log((1 - eps) / eps), without the 1/2",
                _with_alpha(lambda eps, alpha: alpha / 2), section=BOOSTING),
        Mistake("alpha_inverted", "alpha has the wrong sign: alpha = log((1 - eps) / eps) is positive for "
                "a learner better than chance (eps < 1/2)", _with_alpha(lambda eps, alpha: -alpha),
                section=BOOSTING),
        Mistake("alpha_without_log", "alpha is the odds (1 - eps) / eps: the vote is their logarithm, "
                "alpha = log((1 - eps) / eps)", _with_alpha(lambda eps, alpha: (1 - eps) / eps),
                section=BOOSTING),
    ),
    "update_weights": (
        Mistake("weights_not_renormalized", "the weights are not renormalised after the update: divide by "
                "their sum, so that they sum to 1",
                lambda w, wrong, alpha: _reweight(w, wrong, alpha, normalize="never"), section=BOOSTING),
        Mistake("normalized_before_update", "the weights are normalised before the update, not after it: "
                "multiply first, then divide the new weights by their sum",
                lambda w, wrong, alpha: _reweight(w, wrong, alpha, normalize="before"), section=BOOSTING),
        Mistake("update_both_directions", "the correct samples are multiplied by e^(-alpha) too: SAMME "
                "multiplies the misclassified samples by e^alpha and leaves the others (before "
                "renormalising); e^(±alpha) is the original AdaBoost with its alpha halved",
                lambda w, wrong, alpha: _reweight(w, wrong, alpha,
                                                  factor=lambda a, k: np.exp(a * np.where(k, 1.0, -1.0))),
                section=BOOSTING),
        Mistake("update_sign_flipped", "the misclassified samples lose weight (or the correct ones gain): "
                "they must GAIN weight, w_i * e^alpha where the learner is wrong",
                lambda w, wrong, alpha: _reweight(w, wrong, -alpha), section=BOOSTING),
        Mistake("multiplied_by_alpha", "the misclassified samples are multiplied by alpha: the factor is "
                "e^alpha, np.exp(alpha)",
                lambda w, wrong, alpha: _reweight(w, wrong, alpha, factor=lambda a, k: np.where(k, a, 1.0)),
                section=BOOSTING),
        Mistake("modifies_weights_in_place", "the new weights are right, but your function changes the "
                "sample_weight array it was given (sample_weight *= ... or w = sample_weight then w[...] = "
                "...): compute the new weights in a new array", detect=_right_output_modified_input,
                section=BOOSTING),
    ),
    "staged_error": (
        Mistake("staged_last_only", "staged error counted after the last round only: entry t - 1 is the "
                "error of the ensemble of the FIRST t learners, not of all T",
                lambda votes, alphas, y: np.full(len(alphas), _staged(votes, alphas, y)[-1]), section=BOUND),
        Mistake("staged_last_scalar", "staged error counted after the last round only: return one error "
                "per round t = 1..T (the ensemble of the first t learners), shape (T,)",
                lambda votes, alphas, y: float(_staged(votes, alphas, y)[-1]), section=BOUND),
        Mistake("staged_unweighted_vote", "the learners' votes are not weighted by their alphas: the "
                "ensemble of t learners predicts the class with the largest sum of alpha_s over the "
                "learners s <= t that vote for it",
                lambda votes, alphas, y: _staged(votes, np.ones(len(alphas)), y), section=BOOSTING),
        Mistake("staged_learner_errors", "these are the errors of each learner on its own: entry t - 1 is "
                "the error of the ENSEMBLE of the first t learners (their weighted vote)",
                lambda votes, alphas, y: np.mean(np.asarray(votes) != np.asarray(y), axis=1), section=BOUND),
        Mistake("staged_ties_to_one", "on a tie of the weighted votes the ensemble predicts class 0 (the "
                "first class, as np.argmax), not 1",
                lambda votes, alphas, y: np.mean((_vote_margin(votes, alphas) >= 0) != np.asarray(y), axis=1),
                section=BOOSTING),
        Mistake("labels_not_mapped_back", "the sign of the vote is -1/+1 but the labels are 0/1: a -1 "
                "never equals a label 0, so map the sign back to the classes (predict 1 where the vote for "
                "class 1 is larger, else 0)",
                lambda votes, alphas, y: np.mean(np.sign(_vote_margin(votes, alphas)) != np.asarray(y),
                                                 axis=1),
                section=BOOSTING),
        Mistake("staged_accuracy", "these are accuracies: the error is the fraction of wrong predictions, "
                "1 - accuracy", lambda votes, alphas, y: 1 - _staged(votes, alphas, y), section=BOUND),
    ),
}
"""Grade id of hw5-trees-boosting -> its catalogue, from the most specific mistake to the most general."""

