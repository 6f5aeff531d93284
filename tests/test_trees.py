"""Tests of coursekit.trees and coursekit.boosting against scikit-learn.

- The split search, node by node: at every node of scikit-learn's ``DecisionTreeClassifier`` grown on the real
  LendingClub and credit data (the credit data has missing values), our ``best_split`` on the node's samples
  reaches the same weighted child impurity; where both choose the same feature, the same threshold and the
  same side for the missing values. (scikit-learn breaks ties between features at random, so only the
  impurity is compared across features.)
- Whole trees where scikit-learn's tie-breaking is defined (a single feature: the first best threshold wins):
  identical nodes, values, impurities and predictions, with missing values, on hypothesis-generated data -- up
  to the first node where two candidates tie to the last bit (scikit-learn computes a child's class counts as
  totals minus the other child's): there the two splits must have the same weighted impurity to 1e-12.
- Pruning: our ``cost_complexity_pruning_path`` and ``prune`` run on scikit-learn's own fitted trees give its
  ``cost_complexity_pruning_path`` and its ``ccp_alpha`` trees; our ``apply`` routes rows with NaN like its.
- AdaBoost (SAMME): the same estimator weights, errors and staged scores as ``AdaBoostClassifier``, with our
  stumps and with scikit-learn's trees as base learners; AdaBoost's invariants (the reweighted errors of the
  last learner are exactly 1/2, the training error stays under its bound).

All data are rounded to float32 first, because scikit-learn's trees work in float32.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import AdaBoostClassifier as SkAdaBoost
from sklearn.tree import DecisionTreeClassifier as SkTree

from coursekit import boosting, trees
from coursekit.data import load_credit, load_lending_club
from coursekit.linear import NotFittedError

IMPURITY_ATOL = 1e-12   # weighted impurities and impurity decreases (sums of a few thousand terms)
WEIGHT_ATOL = 1e-12     # AdaBoost's alphas and weighted errors
MAX_DEPTH_SCAN = 8      # depth of the scikit-learn trees whose every node is checked


def f32(X: np.ndarray) -> np.ndarray:
    return np.asarray(X, dtype=np.float32).astype(np.float64)


@pytest.fixture(scope="module")
def lending():
    frame, target = load_lending_club()
    X, names, _ = trees.tree_features(frame)
    return f32(X), target.to_numpy(), names


@pytest.fixture(scope="module")
def credit():
    frame, target = load_credit()
    X, names, _ = trees.tree_features(frame)
    assert np.isnan(X).any()
    return f32(X), target.to_numpy(), names


def from_sklearn(t) -> trees.Tree:
    """scikit-learn's fitted ``tree_`` as a coursekit Tree (leaves: -1 and NaN, as coursekit marks them)."""
    leaf = t.children_left < 0
    return trees.Tree(np.where(leaf, -1, t.children_left), np.where(leaf, -1, t.children_right),
                      np.where(leaf, -1, t.feature), np.where(leaf, np.nan, t.threshold),
                      t.missing_go_to_left.astype(bool) & ~leaf, t.value[:, 0, :].copy(), t.impurity.copy(),
                      t.n_node_samples.copy(), t.weighted_n_node_samples.copy())


# ------------------------------------------------------------------------------------------------ impurity
def test_impurities_by_hand_and_against_sklearn_root(lending):
    assert trees.gini([5, 5]) == pytest.approx(0.5)
    assert trees.gini([10, 0]) == 0 and trees.entropy([0, 7]) == 0
    assert trees.entropy([1, 1, 1, 1]) == pytest.approx(2.0)
    assert trees.gini([0, 0]) == 0  # an empty node
    np.testing.assert_allclose(trees.weighted_impurity([[3, 1]], [[0, 4]]), [0.5 * 0.375])
    X, y, _ = lending
    for crit in ("gini", "entropy"):
        sk = SkTree(criterion=crit, max_depth=1).fit(X, y)
        assert trees.impurity(np.bincount(y), crit) == pytest.approx(sk.tree_.impurity[0], abs=1e-15)
    with pytest.raises(ValueError, match="criterion"):
        trees.impurity([1, 2], "mse")


# ----------------------------------------------------------------------- the split search, node by node
def node_samples(sk: SkTree, X: np.ndarray) -> list[np.ndarray]:
    path = sk.decision_path(X).tocsc()
    return [path.indices[path.indptr[t]:path.indptr[t + 1]] for t in range(sk.tree_.node_count)]


@pytest.mark.parametrize("data, criterion, min_samples_leaf", [
    ("lending", "gini", 1), ("lending", "entropy", 5), ("credit", "gini", 1), ("credit", "entropy", 3)])
def test_best_split_at_every_node_of_sklearns_tree(data, criterion, min_samples_leaf, request):
    X, y, _ = request.getfixturevalue(data)
    sk = SkTree(criterion=criterion, max_depth=MAX_DEPTH_SCAN, min_samples_leaf=min_samples_leaf,
                random_state=0).fit(X, y)
    t, same, inner = sk.tree_, 0, 0
    for node, rows in enumerate(node_samples(sk, X)):
        left, right = t.children_left[node], t.children_right[node]
        if left < 0:
            continue
        inner += 1
        ours = trees.best_split(X[rows], y[rows], criterion=criterion, min_samples_leaf=min_samples_leaf)
        W = t.weighted_n_node_samples
        theirs = (W[left] * t.impurity[left] + W[right] * t.impurity[right]) / W[node]
        assert ours.child_impurity == pytest.approx(theirs, abs=IMPURITY_ATOL), f"node {node}"
        if ours.feature == t.feature[node]:
            same += 1
            assert ours.threshold == t.threshold[node]
            if np.isnan(X[rows, ours.feature]).any():
                assert ours.missing_go_to_left == bool(t.missing_go_to_left[node]), f"node {node}"
    assert inner > 50 and same > 0.5 * inner  # most nodes have no tie between features


def test_missing_values_follow_the_better_side(credit):
    """At every split of our credit tree on a feature with missing values, sending them to the other child is
    no better; and our apply() on scikit-learn's own tree sends the rows with NaN to its leaves."""
    X, y, _ = credit
    t = trees.DecisionTreeClassifier(max_depth=6).fit(X, y).tree_
    rows_of, checked = {0: np.arange(len(y))}, 0
    for node in range(t.node_count):  # depth-first numbering: a parent comes before its children
        if t.children_left[node] < 0:
            continue
        rows = rows_of[node]
        x = X[rows, t.feature[node]]
        score = {}
        for side in (True, False):
            go = np.where(np.isnan(x), side, x <= t.threshold[node])
            score[side] = trees.weighted_impurity(np.bincount(y[rows][go], minlength=2),
                                                  np.bincount(y[rows][~go], minlength=2))
        if np.isnan(x).any():
            assert score[bool(t.missing_go_to_left[node])] <= score[not t.missing_go_to_left[node]] + 1e-15
            checked += 1
        go = np.where(np.isnan(x), t.missing_go_to_left[node], x <= t.threshold[node])
        rows_of[t.children_left[node]], rows_of[t.children_right[node]] = rows[go], rows[~go]
    assert checked >= 3
    sk = SkTree(max_depth=6, random_state=0).fit(X, y)
    nan_rows = np.isnan(X).any(axis=1)
    np.testing.assert_array_equal(trees.apply(from_sklearn(sk.tree_), X[nan_rows]), sk.apply(X[nan_rows]))
    np.testing.assert_array_equal(trees.apply(from_sklearn(sk.tree_), X), sk.apply(X))


def split_impurity(tree: trees.Tree, t: int) -> float:
    """Weighted impurity of the two children of node t."""
    W, L, R = tree.weighted_n_node_samples, tree.children_left[t], tree.children_right[t]
    return (W[L] * tree.impurity[L] + W[R] * tree.impurity[R]) / W[t]


def first_difference(a: trees.Tree, b: trees.Tree) -> int | None:
    """The first node, in depth-first order, where two trees ask a different question (None: identical)."""
    for t in range(min(a.node_count, b.node_count)):
        if (a.feature[t] != b.feature[t] or a.children_left[t] != b.children_left[t]
                or (a.feature[t] >= 0 and a.threshold[t] != b.threshold[t])):
            return t
    return None if a.node_count == b.node_count else min(a.node_count, b.node_count)


# ------------------------------------------------------------------ whole trees where ties are defined
@st.composite
def one_feature_data(draw):
    n = draw(st.integers(2, 60))
    values = draw(st.lists(st.integers(-20, 20), min_size=n, max_size=n))
    x = np.array(values, dtype=np.float64) / 4
    missing = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    if draw(st.booleans()):
        x[missing] = np.nan
    K = draw(st.integers(2, 3))
    y = np.array(draw(st.lists(st.integers(0, K - 1), min_size=n, max_size=n)))
    w = np.array(draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)), dtype=float)
    return x[:, None], y, w


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=one_feature_data(), criterion=st.sampled_from(["gini", "entropy"]),
       max_depth=st.sampled_from([None, 1, 2, 4]), min_samples_leaf=st.integers(1, 4),
       min_samples_split=st.integers(2, 8), min_impurity_decrease=st.sampled_from([0.0, 0.01]),
       weighted=st.booleans())
def test_same_tree_as_sklearn_on_one_feature(data, criterion, max_depth, min_samples_leaf, min_samples_split,
                                             min_impurity_decrease, weighted):
    X, y, w = data
    w = w if weighted else None
    kw = dict(criterion=criterion, max_depth=max_depth, min_samples_leaf=min_samples_leaf,
              min_samples_split=min_samples_split, min_impurity_decrease=min_impurity_decrease)
    ours = trees.DecisionTreeClassifier(**kw).fit(X, y, sample_weight=w)
    sk = SkTree(random_state=0, **kw).fit(X, y, sample_weight=w)
    a, b = ours.tree_, from_sklearn(sk.tree_)
    t = first_difference(a, b)
    if t is not None:  # the trees part at a node where two choices tie up to rounding
        assert a.n_node_samples[t] == b.n_node_samples[t]
        if a.feature[t] >= 0 and b.feature[t] >= 0:  # two splits with the same weighted child impurity
            assert split_impurity(a, t) == pytest.approx(split_impurity(b, t), abs=1e-12), f"node {t}"
        else:  # split or leaf: the improvement sits on the min_impurity_decrease boundary
            split = a if a.feature[t] >= 0 else b
            assert split.impurity_decrease()[t] == pytest.approx(min_impurity_decrease, abs=1e-12)
    n = a.node_count if t is None else t  # nodes before t are the same nodes, with the same samples
    for name in ("children_left", "feature", "n_node_samples"):
        np.testing.assert_array_equal(getattr(a, name)[:n], getattr(b, name)[:n])
    np.testing.assert_array_equal(a.threshold[:n], b.threshold[:n])
    inner = np.flatnonzero(a.feature[:n] >= 0)
    np.testing.assert_array_equal(a.missing_go_to_left[inner], b.missing_go_to_left[inner])
    np.testing.assert_allclose(a.value[:n], b.value[:n], atol=1e-12)
    np.testing.assert_allclose(a.impurity[:n], b.impurity[:n], atol=IMPURITY_ATOL)
    if t is None:
        X_new = np.array([[np.nan], [-100.0], [0.0], [0.3], [100.0]])
        np.testing.assert_allclose(ours.predict_proba(X_new), sk.predict_proba(X_new), atol=1e-12)
        np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-12)


def test_same_trees_on_real_data_without_ties(credit):
    """Five numeric credit columns (3 with missing values), at depths where no two splits tie: our trees are
    scikit-learn's, node for node. (Deeper, the trees part at a tie; the node-by-node test covers that.)"""
    X, y, names = credit
    X = X[:, [names.index(c) for c in ("Seniority", "Income", "Assets", "Debt", "Amount")]]
    for criterion, depth in (("gini", 6), ("entropy", 5)):
        ours = trees.DecisionTreeClassifier(criterion=criterion, max_depth=depth).fit(X, y)
        sk = SkTree(criterion=criterion, max_depth=depth, random_state=0).fit(X, y)
        a, b = ours.tree_, from_sklearn(sk.tree_)
        np.testing.assert_array_equal(a.feature, b.feature)
        np.testing.assert_array_equal(a.threshold, b.threshold)
        np.testing.assert_array_equal(a.missing_go_to_left, b.missing_go_to_left)
        np.testing.assert_allclose(a.impurity_decrease(), b.impurity_decrease(), atol=IMPURITY_ATOL)
        np.testing.assert_allclose(ours.feature_importances_, sk.feature_importances_, atol=1e-12)
        np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-12)


# ------------------------------------------------------------------------------------------------ pruning
@pytest.mark.parametrize("data", ["lending", "credit"])
def test_pruning_path_and_pruned_trees_match_sklearn(data, request):
    X, y, _ = request.getfixturevalue(data)
    sk = SkTree(random_state=0).fit(X, y)
    path = sk.cost_complexity_pruning_path(X, y)
    alphas, impurities = trees.cost_complexity_pruning_path(from_sklearn(sk.tree_))
    np.testing.assert_allclose(alphas, path.ccp_alphas, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(impurities, path.impurities, rtol=1e-9, atol=1e-15)
    assert np.all(np.diff(alphas) >= -1e-15) and alphas[0] == 0
    for alpha in np.quantile(path.ccp_alphas[:-1], [0.5, 0.9, 0.99]):
        pruned = trees.prune(from_sklearn(sk.tree_), alpha)
        sk_pruned = SkTree(ccp_alpha=alpha, random_state=0).fit(X, y)
        b = from_sklearn(sk_pruned.tree_)
        np.testing.assert_array_equal(pruned.feature, b.feature)
        np.testing.assert_array_equal(pruned.children_left, b.children_left)
        np.testing.assert_allclose(trees.predict_proba(pruned, X), sk_pruned.predict_proba(X), atol=1e-12)


def test_ccp_alpha_in_the_estimator_prunes_its_own_tree(credit):
    X, y, _ = credit
    full = trees.DecisionTreeClassifier().fit(X, y)
    alphas, _ = trees.cost_complexity_pruning_path(full.tree_)
    path = trees.DecisionTreeClassifier().cost_complexity_pruning_path(X, y)
    np.testing.assert_array_equal(path["ccp_alphas"], alphas)
    leaves = [trees.DecisionTreeClassifier(ccp_alpha=a).fit(X, y).get_n_leaves() for a in alphas[1::50]]
    assert np.all(np.diff(leaves) <= 0) and leaves[0] < full.get_n_leaves()
    assert trees.DecisionTreeClassifier(ccp_alpha=alphas[-1]).fit(X, y).get_n_leaves() == 1

    def cost(tree: trees.Tree, a: float) -> float:  # R(T) + a |T|
        leaf = tree.children_left < 0
        return (tree.weighted_n_node_samples * tree.impurity)[leaf].sum() / tree.weighted_n_node_samples[0] \
            + a * leaf.sum()

    for a in alphas[[10, len(alphas) // 2, -3]]:  # the pruned tree minimizes R(T) + a|T| along the path
        best = cost(trees.DecisionTreeClassifier(ccp_alpha=a).fit(X, y).tree_, a)
        assert best <= min(cost(trees.prune(full.tree_, b), a) for b in alphas[::10]) + 1e-12


# ---------------------------------------------------------------------------------- the estimator's API
def test_estimator_api_and_errors(lending):
    X, y, _ = lending
    labels = np.where(y == 1, "risky", "safe")
    model = trees.DecisionTreeClassifier(max_depth=3)
    assert model.fit(X, labels) is model
    assert list(model.classes_) == ["risky", "safe"] and model.get_depth() == 3
    assert set(model.predict(X[:50])) <= {"risky", "safe"}
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1)
    assert model.feature_importances_.sum() == pytest.approx(1) and np.all(model.feature_importances_ >= 0)
    with pytest.raises(NotFittedError):
        trees.DecisionTreeClassifier().predict(X)
    with pytest.raises(ValueError, match="shape"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="max_depth"):
        trees.DecisionTreeClassifier(max_depth=0).fit(X, y)
    with pytest.raises(ValueError, match="infinite"):
        trees.DecisionTreeClassifier().fit(np.full((3, 1), np.inf), np.array([0, 1, 0]))
    assert trees.best_split(np.ones((4, 2)), np.array([0, 1, 0, 1])).feature == -1  # constant features


def test_stop_splitting_rules():
    assert trees.stop_splitting(3, 100, 0.4, max_depth=3)
    assert not trees.stop_splitting(2, 100, 0.4, max_depth=3)
    assert trees.stop_splitting(0, 9, 0.4, min_samples_split=10)
    assert trees.stop_splitting(0, 9, 0.4, min_samples_leaf=5)
    assert trees.stop_splitting(0, 100, 0.0)


def test_tree_features_keep_missing_categories_as_nan():
    import pandas as pd
    frame = pd.DataFrame({"x": [1.0, np.nan, 3.0], "c": pd.Categorical(["a", None, "b"])})
    X, names, cats = trees.tree_features(frame)
    assert names == ["x", "c=a", "c=b"]
    np.testing.assert_array_equal(X, [[1, 1, 0], [np.nan, np.nan, np.nan], [3, 0, 1]])
    X2, _, _ = trees.tree_features(frame.iloc[[2]], cats)
    np.testing.assert_array_equal(X2, [[3, 0, 1]])


# ----------------------------------------------------------------------------------------------- AdaBoost
@pytest.fixture(scope="module")
def lending_numeric(lending):
    X, y, names = lending
    return X[:, [i for i, n in enumerate(names) if "=" not in n]], y


@pytest.mark.parametrize("depth, learning_rate", [(1, 1.0), (2, 0.5)])
def test_adaboost_matches_sklearn_samme(lending_numeric, depth, learning_rate):
    X, y = lending_numeric
    T = 40
    sk = SkAdaBoost(SkTree(max_depth=depth), n_estimators=T, learning_rate=learning_rate,
                    random_state=0).fit(X, y)
    for base in (trees.DecisionTreeClassifier(max_depth=depth), SkTree(max_depth=depth, random_state=0)):
        ours = boosting.AdaBoostClassifier(base, n_estimators=T, learning_rate=learning_rate).fit(X, y)
        assert len(ours.estimators_) == T
        np.testing.assert_allclose(ours.estimator_weights_, sk.estimator_weights_, atol=WEIGHT_ATOL)
        np.testing.assert_allclose(ours.estimator_errors_, sk.estimator_errors_, atol=WEIGHT_ATOL)
        np.testing.assert_array_equal(list(ours.staged_score(X, y)), list(sk.staged_score(X, y)))
        np.testing.assert_array_equal(ours.predict(X), sk.predict(X))


def test_adaboost_invariants_and_bound(lending_numeric):
    X, y = lending_numeric
    model = boosting.AdaBoostClassifier(n_estimators=30).fit(X, y)
    # replay the weights with the reference functions: after each update the last learner is at chance
    w = np.full(len(y), 1 / len(y))
    votes = []
    for learner, alpha in zip(model.estimators_, model.estimator_weights_, strict=True):
        wrong = learner.predict(X) != y
        assert alpha == pytest.approx(boosting.adaboost_alpha(boosting.weighted_error(wrong, w)))
        w = boosting.update_weights(w, wrong, alpha)
        assert boosting.weighted_error(wrong, w) == pytest.approx(0.5)
        votes.append(learner.predict(X))
    staged = boosting.staged_error(np.array(votes), model.estimator_weights_, y)
    np.testing.assert_allclose(1 - staged, list(model.staged_score(X, y)))
    assert np.all(staged <= boosting.training_error_bound(model.estimator_errors_) + 1e-12)


def test_adaboost_stops_on_a_perfect_learner_and_rejects_chance():
    X = np.arange(10.0)[:, None]
    y = (X[:, 0] > 4).astype(int)
    model = boosting.AdaBoostClassifier(n_estimators=10).fit(X, y)
    sk = SkAdaBoost(n_estimators=10).fit(X, y)
    assert len(model.estimators_) == 1 and model.estimator_weights_[0] == sk.estimator_weights_[0] == 1.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        boosting.adaboost_alpha(0.0)
    assert boosting.adaboost_alpha(0.5) == 0
    assert boosting.adaboost_alpha(2 / 3, n_classes=3) == pytest.approx(0, abs=1e-15)
    with pytest.raises(ValueError, match="chance"):
        boosting.AdaBoostClassifier(n_estimators=3).fit(np.zeros((4, 1)), np.array([0, 1, 0, 1]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=one_feature_data(), depth=st.sampled_from([1, 2]), learning_rate=st.sampled_from([1.0, 0.3]))
def test_adaboost_matches_sklearn_on_one_feature(data, depth, learning_rate):
    X, y, _ = data
    X = np.nan_to_num(X, nan=-9.0)  # scikit-learn's AdaBoost refuses NaN
    if len(np.unique(y)) < 2:
        return
    kw = dict(n_estimators=15, learning_rate=learning_rate)
    try:
        sk = SkAdaBoost(SkTree(max_depth=depth), random_state=0, **kw).fit(X, y)
    except ValueError:  # the first learner is no better than chance: both refuse
        with pytest.raises(ValueError, match="chance"):
            boosting.AdaBoostClassifier(trees.DecisionTreeClassifier(max_depth=depth), **kw).fit(X, y)
        return
    ours = boosting.AdaBoostClassifier(trees.DecisionTreeClassifier(max_depth=depth), **kw).fit(X, y)

    def root_split_impurity(t: trees.Tree) -> float:
        W, L, R = t.weighted_n_node_samples, t.children_left[0], t.children_right[0]
        return (W[L] * t.impurity[L] + W[R] * t.impurity[R]) / W[0] if L >= 0 else t.impurity[0]

    # Round by round the same learner, vote and error -- until two splits tie to rounding on the reweighted
    # data (their weighted impurities agree to 1e-12; scikit-learn computes a child's class weights as totals
    # minus the other child's, so equal candidates can differ in the last bit) and each library picks another:
    # from there on the ensembles may differ, so the comparison stops.
    T = min(len(ours.estimators_), len(sk.estimators_))
    for t in range(T):
        same_learner = np.array_equal(ours.estimators_[t].predict(X), sk.estimators_[t].predict(X))
        if not (same_learner and np.isclose(ours.estimator_weights_[t], sk.estimator_weights_[t], rtol=1e-9,
                                            atol=1e-10)):
            tie = (root_split_impurity(ours.estimators_[t].tree_), root_split_impurity(from_sklearn(
                sk.estimators_[t].tree_)))
            assert tie[0] == pytest.approx(tie[1], abs=1e-12), f"round {t}: not a tie"
            T = t
            break
        assert ours.estimator_errors_[t] == pytest.approx(sk.estimator_errors_[t], abs=1e-10)
    else:
        assert len(ours.estimators_) == len(sk.estimators_)
    # the same ensemble predictions, except where two classes' total votes tie to rounding
    for scores, theirs in zip(list(ours.staged_decision_function(X))[:T], sk.staged_predict(X), strict=False):
        differ = ours.classes_[scores.argmax(axis=1)] != theirs
        top2 = np.sort(scores[differ], axis=1)[:, -2:]
        assert np.all(top2[:, 1] - top2[:, 0] < 1e-12)
