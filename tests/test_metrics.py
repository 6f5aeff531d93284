"""coursekit.metrics against scikit-learn's metrics, on random inputs and on edge cases."""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from coursekit import metrics as M

SETTINGS = settings(max_examples=30, deadline=None, database=None)  # no .hypothesis/ folder


def run(f, *args, **kwargs):
    """Call f and return (value, warned) where warned says whether a UserWarning (or subclass) was emitted."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = f(*args, **kwargs)
    return value, any(issubclass(w.category, UserWarning) for w in caught)


def run_ours(f, *args, **kwargs):
    """Like run, and check that every warning of ours is an UndefinedMetricWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = f(*args, **kwargs)
    messages = [str(w.message) for w in caught]
    assert all(issubclass(w.category, M.UndefinedMetricWarning) for w in caught), messages
    return value, bool(caught)


@st.composite
def binary_pairs(draw, max_size=40):
    """y_true and y_pred, both 0/1, same length."""
    n = draw(st.integers(1, max_size))
    labels = st.lists(st.integers(0, 1), min_size=n, max_size=n)
    return np.array(draw(labels)), np.array(draw(labels))


@st.composite
def labels_and_scores(draw, max_size=40):
    """0/1 labels and scores; coarse scores (k/6) produce many ties."""
    n = draw(st.integers(1, max_size))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    score = st.one_of(st.integers(0, 6).map(lambda k: k / 6), st.floats(0, 1))
    return y, np.array(draw(st.lists(score, min_size=n, max_size=n)))


EDGE_PREDICTIONS = {
    "all correct": ([0, 1, 1, 0], [0, 1, 1, 0]),
    "all wrong": ([0, 1, 1, 0], [1, 0, 0, 1]),
    "no positive predictions": ([0, 1, 1, 0], [0, 0, 0, 0]),
    "no positive samples": ([0, 0, 0], [0, 1, 0]),
    "no positives at all": ([0, 0], [0, 0]),
    "only positives": ([1, 1, 1], [1, 1, 1]),
    "one sample": ([1], [0]),
}

EDGE_SCORES = {
    "perfect ranking": ([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]),
    "reversed ranking": ([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]),
    "all scores tied": ([0, 1, 0, 1, 1], [0.5] * 5),
    "ties across classes": ([0, 1, 0, 1, 1, 0], [0.2, 0.2, 0.7, 0.7, 0.9, 0.1]),
    "only negatives": ([0, 0, 0], [0.1, 0.5, 0.3]),
    "only positives": ([1, 1], [0.1, 0.5]),
    "logits, not probabilities": ([0, 1, 1, 0, 1], [-3.0, 2.5, 0.0, 0.0, 40.0]),
}


def check_label_metrics(y, yp):
    assert M.accuracy(y, yp) == pytest.approx(skm.accuracy_score(y, yp))
    assert M.error_rate(y, yp) == pytest.approx(1 - skm.accuracy_score(y, yp))
    expected = skm.confusion_matrix(y, yp, labels=[0, 1])
    np.testing.assert_array_equal(M.confusion_matrix(y, yp, labels=[0, 1]), expected)
    ours, ours_warned = run(M.confusion_matrix, y, yp)
    theirs, their_warned = run(skm.confusion_matrix, y, yp)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype.kind == "i" and ours_warned == their_warned
    pairs = [(M.precision, skm.precision_score), (M.recall, skm.recall_score), (M.f1_score, skm.f1_score)]
    for mine, sk in pairs:
        value, warned = run_ours(mine, y, yp)
        expected, sk_warned = run(sk, y, yp)  # zero_division="warn": the value 0.0 with a warning
        assert value == pytest.approx(sk(y, yp, zero_division=0)) == pytest.approx(expected), mine.__name__
        assert warned == sk_warned, f"{mine.__name__} warned={warned}, sklearn warned={sk_warned}"


def check_curve_metrics(y, s):
    (fpr, tpr, thr), warned = run_ours(M.roc_curve, y, s)
    (sk_fpr, sk_tpr, sk_thr), sk_warned = run(skm.roc_curve, y, s, drop_intermediate=False)
    for a, b in [(fpr, sk_fpr), (tpr, sk_tpr), (thr, sk_thr)]:
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert warned == sk_warned

    auc, warned = run_ours(M.roc_auc, y, s)
    sk_auc, sk_warned = run(skm.roc_auc_score, y, s)
    np.testing.assert_allclose(auc, sk_auc, rtol=1e-12)
    assert warned == sk_warned and isinstance(auc, float)

    (prec, rec, thr), warned = run_ours(M.precision_recall_curve, y, s)
    (sk_prec, sk_rec, sk_thr), sk_warned = run(skm.precision_recall_curve, y, s)
    for a, b in [(prec, sk_prec), (rec, sk_rec), (thr, sk_thr)]:
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert warned == sk_warned

    ap, warned = run_ours(M.average_precision, y, s)
    sk_ap, sk_warned = run(skm.average_precision_score, y, s)
    assert ap == pytest.approx(sk_ap, rel=1e-12, abs=1e-15) and warned == sk_warned


@SETTINGS
@given(binary_pairs())
def test_label_metrics_match_sklearn(pair):
    check_label_metrics(*pair)


@pytest.mark.parametrize("case", EDGE_PREDICTIONS)
def test_label_metrics_edge_cases(case):
    check_label_metrics(*map(np.array, EDGE_PREDICTIONS[case]))


def test_undefined_values_warn():
    with pytest.warns(M.UndefinedMetricWarning):
        assert M.precision([0, 1], [0, 0]) == 0.0
    with pytest.warns(M.UndefinedMetricWarning):
        assert M.recall([0, 0], [0, 1]) == 0.0
    with pytest.warns(M.UndefinedMetricWarning):
        assert M.f1_score([0, 0], [0, 0]) == 0.0
    with pytest.warns(M.UndefinedMetricWarning):
        assert np.isnan(M.roc_auc([1, 1, 1], [0.2, 0.4, 0.9]))
    assert issubclass(M.UndefinedMetricWarning, UserWarning)


def test_confusion_matrix_multiclass_and_label_order():
    rng = np.random.default_rng(0)
    y, yp = rng.integers(0, 4, 100), rng.integers(0, 4, 100)
    np.testing.assert_array_equal(M.confusion_matrix(y, yp), skm.confusion_matrix(y, yp))
    labels = [3, 1, 0]  # a custom order and a missing label: samples with label 2 are not counted
    expected = skm.confusion_matrix(y, yp, labels=labels)
    np.testing.assert_array_equal(M.confusion_matrix(y, yp, labels), expected)
    y_str, yp_str = np.array(["cat", "dog", "dog"]), np.array(["dog", "dog", "cat"])
    np.testing.assert_array_equal(M.confusion_matrix(y_str, yp_str), skm.confusion_matrix(y_str, yp_str))


@SETTINGS
@given(labels_and_scores())
def test_curve_metrics_match_sklearn(pair):
    check_curve_metrics(*pair)


@pytest.mark.parametrize("case", EDGE_SCORES)
def test_curve_metrics_edge_cases(case):
    check_curve_metrics(*map(np.array, EDGE_SCORES[case]))


def test_auc_is_the_probability_of_ranking_a_positive_above_a_negative():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.random(300) + 0.3 * y, 1)  # rounded: many ties
    pos, neg = s[y == 1], s[y == 0]
    pairwise = np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))
    assert M.roc_auc(y, s) == pytest.approx(pairwise, rel=1e-12)


def test_curves_on_a_large_input():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 200_000)
    s = rng.normal(size=200_000) + y
    assert M.roc_auc(y, s) == pytest.approx(skm.roc_auc_score(y, s), rel=1e-12)
    assert M.average_precision(y, s) == pytest.approx(skm.average_precision_score(y, s), rel=1e-12)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 1), st.floats(1e-6, 1 - 1e-6)), min_size=1, max_size=40))
def test_log_loss_matches_sklearn(pairs):
    y, p = map(np.array, zip(*pairs, strict=True))
    assert M.log_loss(y, p) == pytest.approx(skm.log_loss(y, y_proba=p, labels=[0, 1]), rel=1e-10)


def test_log_loss_clips_extreme_probabilities():
    y, p = np.array([1, 0, 1, 0]), np.array([0.0, 1.0, 1.0, 0.0])  # two certain mistakes, two certain hits
    eps = np.finfo(float).eps
    value = M.log_loss(y, p, eps=eps)
    assert np.isfinite(value)
    assert value == pytest.approx(skm.log_loss(y, y_proba=p, labels=[0, 1]), rel=1e-12)
    assert M.log_loss(y, p) == pytest.approx(-np.log(1e-15) / 2, rel=1e-4)  # default eps = 1e-15


def test_precision_recall_at_matches_thresholded_sklearn_metrics():
    rng = np.random.default_rng(3)
    y, p = rng.integers(0, 2, 200), rng.integers(0, 11, 200) / 10  # scores equal to thresholds: p >= t
    thresholds = np.arange(12) / 10  # 1.1: nothing predicted positive → undefined precision
    with pytest.warns(M.UndefinedMetricWarning):
        prec, rec = M.precision_recall_at(y, p, thresholds)
    assert prec.shape == rec.shape == (12,)
    for t, pr, rc in zip(thresholds, prec, rec, strict=True):
        assert pr == pytest.approx(skm.precision_score(y, p >= t, zero_division=0))
        assert rc == pytest.approx(skm.recall_score(y, p >= t, zero_division=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # all defined: no warning
        M.precision_recall_at(y, p, [0.2, 0.5])


def test_expected_cost_counts_errors_with_their_costs():
    rng = np.random.default_rng(4)
    y, p = rng.integers(0, 2, 300), rng.integers(0, 11, 300) / 10
    thresholds = np.arange(11) / 10
    costs = M.expected_cost(y, p, thresholds, cost_fn=10.0, cost_fp=1.0)
    for t, cost in zip(thresholds, costs, strict=True):
        (tn, fp), (fn, tp) = skm.confusion_matrix(y, p >= t, labels=[0, 1])
        assert cost == pytest.approx((10 * fn + fp) / 300)
        assert M.expected_cost(y, p, t, 10.0, 1.0) == pytest.approx(cost)
    assert isinstance(M.expected_cost(y, p, 0.5, 1.0, 1.0), float)


@pytest.mark.parametrize("f", [M.precision, M.recall, M.f1_score, M.roc_curve, M.roc_auc, M.log_loss])
def test_bad_inputs_raise_clear_errors(f):
    with pytest.raises(ValueError, match="same length"):
        f([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="0/1"):
        f([1, 2, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="empty"):
        f([], [])
