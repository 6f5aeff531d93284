r"""Classification metrics with scikit-learn's conventions: binary labels :math:`y \in \{0, 1\}`, positive
class 1, rows of the confusion matrix = true labels, columns = predicted labels.

With :math:`TP, FP, FN, TN` the counts of true/false positives/negatives:

.. math::

    \text{precision} = \frac{TP}{TP + FP}, \qquad \text{recall} = \frac{TP}{TP + FN}, \qquad
    F_1 = \frac{2\,TP}{2\,TP + FP + FN}.

A ratio whose denominator is 0 (no predicted positives, no positives at all) is *undefined*: it is set to
0.0 and an :class:`UndefinedMetricWarning` is emitted, as in scikit-learn. See the chapter
:doc:`/book/classification`.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "UndefinedMetricWarning", "accuracy", "error_rate", "confusion_matrix", "precision", "recall", "f1_score",
    "roc_curve", "roc_auc", "precision_recall_curve", "average_precision", "log_loss",
    "precision_recall_at", "expected_cost",
]


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for these labels (e.g. precision with no predicted positives); a
    conventional value (0.0, or nan for rates) was returned instead."""


def _pair(y_true: ArrayLike, y_other: ArrayLike, binary: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Validate two 1-D arrays of the same length; with ``binary``, ``y_true`` must hold 0/1 labels."""
    y_true, y_other = np.asarray(y_true), np.asarray(y_other)
    if y_true.ndim != 1 or y_other.shape != y_true.shape:
        raise ValueError(f"expected two 1-D arrays of the same length, got shapes {y_true.shape} and "
                         f"{y_other.shape}")
    if len(y_true) == 0:
        raise ValueError("the arrays are empty: a metric needs at least one sample")
    if binary and not np.isin(y_true, [0, 1]).all():
        raise ValueError(f"y_true must hold binary labels 0/1 (1 = positive), got {np.unique(y_true)[:5]}; "
                         "map your labels to 0/1 first")
    return y_true, y_other


def _ratio(numerator: float, denominator: float, what: str) -> float:
    """``numerator / denominator``, or 0.0 with an :class:`UndefinedMetricWarning` if the denominator is 0."""
    if denominator == 0:
        warnings.warn(f"{what}: the value is undefined and set to 0.0", UndefinedMetricWarning, stacklevel=3)
        return 0.0
    return float(numerator / denominator)


def _counts(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of binary predictions."""
    y_true, y_pred = _pair(y_true, y_pred)
    if not np.isin(y_pred, [0, 1]).all():
        raise ValueError("y_pred must hold binary labels 0/1; threshold scores first, e.g. (p >= 0.5)")
    t, p = y_true == 1, y_pred == 1
    return int(np.sum(t & p)), int(np.sum(~t & p)), int(np.sum(t & ~p))


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    r"""Fraction of correct predictions, :math:`\frac1n \sum_i \mathbb 1[\hat y_i = y_i]` (any labels).

    Shapes: ``y_true``, ``y_pred`` (n,). See the chapter :doc:`/book/classification`.
    """
    y_true, y_pred = _pair(y_true, y_pred, binary=False)
    return float(np.mean(y_true == y_pred))


def error_rate(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    r"""Fraction of wrong predictions, :math:`1 - \text{accuracy}`.

    Shapes: ``y_true``, ``y_pred`` (n,). See the chapter :doc:`/book/classification`.
    """
    return 1.0 - accuracy(y_true, y_pred)


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, labels: ArrayLike | None = None) -> np.ndarray:
    r"""Counts :math:`C_{jk}` = number of samples with true label ``labels[j]`` predicted as ``labels[k]``.

    For binary labels ``[0, 1]``: ``[[TN, FP], [FN, TP]]``. Computed as :math:`C = T^\top P` with the one-hot
    matrices :math:`T_{ij} = \mathbb 1[y_i = \ell_j]` and :math:`P_{ik} = \mathbb 1[\hat y_i = \ell_k]`.

    Parameters
    ----------
    y_true, y_pred : array, shape (n,)
    labels : array, shape (K,), optional
        Label order; default: the sorted labels present in ``y_true`` or ``y_pred``. Samples whose
        labels are not listed are not counted. Pass ``labels=[0, 1]`` to always get a 2 × 2 matrix.

    Returns
    -------
    ndarray of int, shape (K, K), rows = true labels, columns = predictions.

    See the chapter :doc:`/book/classification`.
    """
    y_true, y_pred = _pair(y_true, y_pred, binary=False)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
        if len(labels) == 1:
            warnings.warn(f"only the label {labels[0]!r} occurs, so the matrix is 1 x 1; pass labels=[0, 1] "
                          "for the full binary matrix", UserWarning, stacklevel=2)
    labels = np.asarray(labels)
    T = (y_true[:, None] == labels[None, :]).astype(np.int64)
    P = (y_pred[:, None] == labels[None, :]).astype(np.int64)
    return T.T @ P


def precision(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    r"""Precision :math:`TP / (TP + FP)`: of the predicted positives, the fraction that are positive.

    No predicted positives → 0.0 with an :class:`UndefinedMetricWarning`. Shapes (n,).
    See the chapter :doc:`/book/classification`.
    """
    tp, fp, _ = _counts(y_true, y_pred)
    return _ratio(tp, tp + fp, "precision with no predicted positives")


def recall(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    r"""Recall (true-positive rate, sensitivity) :math:`TP / (TP + FN)`: of the positives, the fraction found.

    No positive samples → 0.0 with an :class:`UndefinedMetricWarning`. Shapes (n,).
    See the chapter :doc:`/book/classification`.
    """
    tp, _, fn = _counts(y_true, y_pred)
    return _ratio(tp, tp + fn, "recall with no positive samples in y_true")


def f1_score(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    r"""F1, the harmonic mean of precision and recall: :math:`F_1 = 2\,TP / (2\,TP + FP + FN)`.

    Neither positive samples nor positive predictions → 0.0 with an :class:`UndefinedMetricWarning`.
    Shapes (n,). See the chapter :doc:`/book/classification`.
    """
    tp, fp, fn = _counts(y_true, y_pred)
    return _ratio(2 * tp, 2 * tp + fp + fn, "F1 with no positive samples and no positive predictions")


def _counts_at_thresholds(y_true: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative TP and FP counts when predicting positive for ``scores >= t``, t over the distinct scores.

    Sort the scores once (decreasing), take cumulative sums of the labels, and keep the last position of
    each group of tied scores — tied samples change class together. Returns ``tps, fps, thresholds``, each
    of shape (n_distinct,), thresholds decreasing.
    """
    y_true, scores = _pair(y_true, scores)
    order = np.argsort(scores, kind="stable")[::-1]
    y, s = y_true[order], scores[order].astype(float)
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # last index of each run of equal scores
    tps = np.cumsum(y)[last]
    return tps, (last + 1) - tps, s[last]


def _rate(counts: np.ndarray, what: str) -> np.ndarray:
    """``counts / counts[-1]``; all nan with an :class:`UndefinedMetricWarning` if the total is 0."""
    if counts[-1] == 0:
        warnings.warn(f"no {what} samples in y_true: the rate is undefined (nan)", UndefinedMetricWarning,
                      stacklevel=3)
        return np.full(len(counts), np.nan)
    return counts / counts[-1]


def roc_curve(y_true: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Receiver operating characteristic: false- and true-positive rates of the rule "positive if
    :math:`s_i \ge t`" for every distinct score :math:`t`.

    .. math:: \text{FPR}(t) = \frac{\#\{i: y_i = 0, s_i \ge t\}}{\#\{i: y_i = 0\}}, \qquad
              \text{TPR}(t) = \frac{\#\{i: y_i = 1, s_i \ge t\}}{\#\{i: y_i = 1\}}

    The first point is :math:`(0, 0)` with threshold :math:`+\infty` (nothing predicted positive). Matches
    ``sklearn.metrics.roc_curve(..., drop_intermediate=False)``. Only one class present → the undefined rate
    is nan, with an :class:`UndefinedMetricWarning`.

    Parameters
    ----------
    y_true : array of 0/1, shape (n,)
    scores : array, shape (n,), higher = more likely positive (probabilities or logits)

    Returns
    -------
    fpr, tpr, thresholds : ndarrays, shape (n_distinct + 1,), thresholds decreasing

    See the chapter :doc:`/book/classification`.
    """
    tps, fps, thresholds = _counts_at_thresholds(y_true, scores)
    tps, fps = np.r_[0, tps], np.r_[0, fps]
    return _rate(fps, "negative"), _rate(tps, "positive"), np.r_[np.inf, thresholds]


def roc_auc(y_true: ArrayLike, scores: ArrayLike) -> float:
    r"""Area under the ROC curve by the trapezoidal rule, :math:`\sum_k (F_k - F_{k-1}) (T_k + T_{k-1}) / 2`.

    Equals the probability that a random positive scores higher than a random negative (ties count ½).
    Only one class present → nan with an :class:`UndefinedMetricWarning`. Shapes (n,).
    See the chapter :doc:`/book/classification`.
    """
    y_true, scores = _pair(y_true, scores)
    if len(np.unique(y_true)) < 2:
        warnings.warn("only one class is present in y_true: ROC AUC is undefined (nan)",
                      UndefinedMetricWarning, stacklevel=2)
        return float("nan")
    fpr, tpr, _ = roc_curve(y_true, scores)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def precision_recall_curve(y_true: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Precision and recall of the rule "positive if :math:`s_i \ge t`" for every distinct score :math:`t`.

    As in scikit-learn, thresholds are increasing, and a last point (precision 1, recall 0) without a
    threshold is appended. No positive samples → recall is set to 1 everywhere, with an
    :class:`UndefinedMetricWarning`.

    Returns
    -------
    precision, recall : ndarrays, shape (n_distinct + 1,)
    thresholds : ndarray, shape (n_distinct,), increasing

    See the chapter :doc:`/book/classification`.
    """
    tps, fps, thresholds = _counts_at_thresholds(y_true, scores)
    prec = tps / (tps + fps)  # tps + fps >= 1: at least one sample scores >= each threshold
    if tps[-1] == 0:
        warnings.warn("no positive samples in y_true: recall is undefined and set to 1",
                      UndefinedMetricWarning, stacklevel=2)
        rec = np.ones(len(tps))
    else:
        rec = tps / tps[-1]
    return np.r_[prec[::-1], 1.0], np.r_[rec[::-1], 0.0], thresholds[::-1]


def average_precision(y_true: ArrayLike, scores: ArrayLike) -> float:
    r"""Average precision, the area under the precision–recall step curve:
    :math:`\text{AP} = \sum_k (R_k - R_{k-1}) P_k` over the thresholds in decreasing order.

    No positive samples → 0.0 with an :class:`UndefinedMetricWarning`. Shapes (n,).
    See the chapter :doc:`/book/classification`.
    """
    prec, rec, _ = precision_recall_curve(y_true, scores)
    return float(max(0.0, -np.sum(np.diff(rec) * prec[:-1])))


def log_loss(y_true: ArrayLike, p: ArrayLike, eps: float = 1e-15) -> float:
    r"""Mean binary cross-entropy :math:`-\frac1n \sum_i [y_i \log p_i + (1 - y_i) \log(1 - p_i)]`.

    :math:`p_i` is clipped to :math:`[\varepsilon, 1 - \varepsilon]` so a confident mistake costs
    :math:`-\log\varepsilon \approx 34.5` instead of infinity. Shapes: ``y_true`` (n,) of 0/1, ``p`` (n,)
    predicted probabilities of class 1. See the chapter :doc:`/book/classification`.
    """
    y_true, p = _pair(y_true, p)
    p = np.clip(p.astype(float), eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log1p(-p)))


def precision_recall_at(y_true: ArrayLike, p: ArrayLike,
                        thresholds: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r"""Precision and recall of the rule "positive if :math:`p_i \ge t`" for each threshold :math:`t`.

    Undefined values (no predictions above a threshold, or no positives) are 0.0, with one
    :class:`UndefinedMetricWarning`.

    Parameters
    ----------
    y_true : array of 0/1, shape (n,)
    p : array, shape (n,), scores or probabilities
    thresholds : array, shape (m,)

    Returns
    -------
    precision, recall : ndarrays, shape (m,)

    See the chapter :doc:`/book/classification`.
    """
    y_true, p = _pair(y_true, p)
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    pred = p[None, :] >= t[:, None]  # (m, n)
    tp = np.sum(pred & (y_true == 1), axis=1)
    n_pred, n_pos = pred.sum(axis=1), np.sum(y_true == 1)
    if np.any(n_pred == 0) or n_pos == 0:
        warnings.warn("precision or recall undefined at some thresholds (no predicted or no true positives): "
                      "set to 0.0", UndefinedMetricWarning, stacklevel=2)
    return tp / np.maximum(n_pred, 1), tp / max(n_pos, 1)


def expected_cost(y_true: ArrayLike, p: ArrayLike, threshold: float | ArrayLike, cost_fn: float,
                  cost_fp: float) -> float | np.ndarray:
    r"""Average cost per sample of the rule "positive if :math:`p_i \ge t`":
    :math:`(c_{FN}\,FN(t) + c_{FP}\,FP(t)) / n`.

    E.g. a missed bad loan (false negative) may cost far more than a refused good one (false positive);
    the cheapest threshold is then well below 0.5. ``threshold`` may be a scalar (returns a float) or an
    array of shape (m,) (returns shape (m,)). See the chapter :doc:`/book/classification`.
    """
    y_true, p = _pair(y_true, p)
    t = np.asarray(threshold, dtype=float)
    pred = p >= t[..., None]  # (..., n)
    fn = np.sum(~pred & (y_true == 1), axis=-1)
    fp = np.sum(pred & (y_true == 0), axis=-1)
    cost = (cost_fn * fn + cost_fp * fp) / len(y_true)
    return float(cost) if cost.ndim == 0 else cost
