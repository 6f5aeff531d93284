r"""AdaBoost (SAMME) with decision stumps or shallow trees, and its staged predictions.

Round :math:`t = 1, \dots, T` fits a weak learner :math:`f_t` on the training set weighted by
:math:`w^{(t)}` (normalized to sum 1, starting at :math:`w^{(1)}_i = 1/n`), then

.. math::

    \varepsilon_t = \sum_i w^{(t)}_i \,\mathbb{1}[f_t(x_i) \ne y_i], \qquad
    \alpha_t = \eta\Big(\log\frac{1 - \varepsilon_t}{\varepsilon_t} + \log(K - 1)\Big), \qquad
    w^{(t+1)}_i \propto w^{(t)}_i \exp\big(\alpha_t \mathbb{1}[f_t(x_i) \ne y_i]\big),

with :math:`\eta` the learning rate and :math:`K` the number of classes. The ensemble predicts the class
with the largest total weight of votes, :math:`\hat y(x) = \arg\max_k \sum_t \alpha_t \mathbb{1}[f_t(x) = k]`.
For two classes and :math:`\eta = 1`, :math:`\alpha_t` is twice the
:math:`\frac12\log\frac{1-\varepsilon_t}{\varepsilon_t}` of the original AdaBoost and the predictions are
the same; its training error is at most
:math:`\prod_t 2\sqrt{\varepsilon_t(1-\varepsilon_t)}` (see :func:`training_error_bound`).

The rules follow scikit-learn's ``AdaBoostClassifier`` (SAMME): boosting stops early when a learner is perfect
(:math:`\varepsilon_t = 0`, it gets :math:`\alpha_t = 1`) and drops a learner no better than chance
(:math:`\varepsilon_t \ge 1 - 1/K`).

See the chapter :doc:`/book/trees`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import numpy as np

from coursekit.linear import NotFittedError
from coursekit.trees import DecisionTreeClassifier

__all__ = [
    "weighted_error",
    "adaboost_alpha",
    "update_weights",
    "training_error_bound",
    "staged_error",
    "AdaBoostClassifier",
]


def weighted_error(incorrect: np.ndarray, sample_weight: np.ndarray) -> float:
    r"""Weighted error :math:`\varepsilon = \sum_i w_i \mathbb{1}[\text{wrong}_i] / \sum_i w_i`.

    Parameters
    ----------
    incorrect : ndarray of bool, shape (n,)
    sample_weight : ndarray, shape (n,), non-negative

    See the chapter :doc:`/book/trees`.
    """
    w = np.asarray(sample_weight, dtype=np.float64)
    return float(np.sum(w * np.asarray(incorrect)) / np.sum(w))


def adaboost_alpha(error: float, n_classes: int = 2, learning_rate: float = 1.0) -> float:
    r"""The vote of a learner with weighted error :math:`\varepsilon`:
    :math:`\alpha = \eta\big(\log\frac{1-\varepsilon}{\varepsilon} + \log(K - 1)\big)`.

    Positive when the learner beats chance (:math:`\varepsilon < 1 - 1/K`), 0 at chance, and unbounded as
    :math:`\varepsilon \to 0`. ``error`` must lie in (0, 1).

    See the chapter :doc:`/book/trees`.
    """
    if not 0 < error < 1:
        raise ValueError(f"the weighted error must lie strictly between 0 and 1, got {error}")
    return float(learning_rate * (np.log((1 - error) / error) + np.log(n_classes - 1)))


def update_weights(sample_weight: np.ndarray, incorrect: np.ndarray, alpha: float) -> np.ndarray:
    r"""AdaBoost's reweighting :math:`w_i \leftarrow w_i e^{\alpha \mathbb{1}[\text{wrong}_i]}`, normalized.

    Misclassified samples gain weight by the factor :math:`e^{\alpha}`; for :math:`K = 2` and
    :math:`\eta = 1` the misclassified samples hold exactly half of the new total weight.

    Parameters
    ----------
    sample_weight : ndarray, shape (n,)
    incorrect : ndarray of bool, shape (n,)
    alpha : float

    Returns
    -------
    ndarray, shape (n,), summing to 1.

    See the chapter :doc:`/book/trees`.
    """
    w = np.asarray(sample_weight, dtype=np.float64)
    with np.errstate(divide="ignore"):  # a zero weight stays zero
        w = np.exp(np.log(w) + alpha * np.asarray(incorrect, dtype=np.float64))  # log space, as scikit-learn
    return w / w.sum()


def training_error_bound(errors: np.ndarray) -> np.ndarray:
    r"""Freund and Schapire's bound on the training error after each round (two classes, :math:`\eta = 1`).

    .. math::

        \frac1n\sum_i \mathbb{1}[\hat y_T(x_i) \ne y_i]
        \le \prod_{t=1}^{T} 2\sqrt{\varepsilon_t(1-\varepsilon_t)}
        \le \exp\Big(-2\sum_{t=1}^{T}\gamma_t^2\Big), \qquad \gamma_t = \tfrac12 - \varepsilon_t .

    Parameters
    ----------
    errors : ndarray, shape (T,), the weighted errors :math:`\varepsilon_t`

    Returns
    -------
    ndarray, shape (T,), the bound after rounds 1..T.

    See the chapter :doc:`/book/trees`.
    """
    e = np.asarray(errors, dtype=np.float64)
    return np.cumprod(2 * np.sqrt(e * (1 - e)))


def staged_error(votes: np.ndarray, alphas: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Error rate of the ensemble of the first :math:`t` learners, for every :math:`t = 1..T`.

    The ensemble of :math:`t` learners predicts :math:`\arg\max_k \sum_{s \le t} \alpha_s
    \mathbb{1}[f_s(x) = k]` (the first class on a tie).

    Parameters
    ----------
    votes : ndarray of int, shape (T, n)
        ``votes[t, i]`` is the class index that learner :math:`t` predicts for sample :math:`i`.
    alphas : ndarray, shape (T,)
    y : ndarray of int, shape (n,), the true class indices

    Returns
    -------
    ndarray, shape (T,).

    See the chapter :doc:`/book/trees`.
    """
    votes, y = np.asarray(votes), np.asarray(y)
    K = int(max(votes.max(), y.max())) + 1
    scores = np.zeros(votes.shape + (K,))
    np.put_along_axis(scores, votes[..., None], np.asarray(alphas, dtype=np.float64)[:, None, None], axis=2)
    return np.mean(np.cumsum(scores, axis=0).argmax(axis=2) != y, axis=1)


class AdaBoostClassifier:
    r"""AdaBoost with the SAMME rule (scikit-learn's API); see the module docstring for the formulas.

    Parameters
    ----------
    estimator : object, optional
        The weak learner, unfitted, with ``fit(X, y, sample_weight)`` and ``predict``; it is copied for every
        round. Default: a stump, ``coursekit.trees.DecisionTreeClassifier(max_depth=1)``.
    n_estimators : int
        The number of rounds :math:`T` (fewer if a learner is perfect).
    learning_rate : float
        :math:`\eta > 0`, which multiplies every :math:`\alpha_t`.

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
    estimators_ : list of fitted learners
    estimator_weights_ : ndarray, shape (T,), the :math:`\alpha_t`
    estimator_errors_ : ndarray, shape (T,), the :math:`\varepsilon_t`

    See the chapter :doc:`/book/trees`.
    """

    def __init__(self, estimator: object | None = None, n_estimators: int = 50,
                 learning_rate: float = 1.0) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate

    def fit(self, X: np.ndarray, y: np.ndarray,
            sample_weight: np.ndarray | None = None) -> AdaBoostClassifier:
        """Boost ``n_estimators`` weak learners on ``X`` (n, d) and labels ``y`` (n,)."""
        if self.n_estimators < 1 or self.learning_rate <= 0:
            raise ValueError(f"n_estimators must be >= 1 and learning_rate > 0, got {self.n_estimators} "
                             f"and {self.learning_rate}")
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
        self.classes_ = np.unique(y)
        K = len(self.classes_)
        w = np.full(len(y), 1.0) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        w = w / w.sum()
        template = self.estimator if self.estimator is not None else DecisionTreeClassifier(max_depth=1)
        self.estimators_, alphas, errors = [], [], []
        for t in range(self.n_estimators):
            learner = copy.deepcopy(template).fit(X, y, sample_weight=w)
            incorrect = learner.predict(X) != y
            error = weighted_error(incorrect, w)
            if error <= 0:  # a perfect learner: keep it with weight 1 and stop
                self.estimators_.append(learner)
                alphas.append(1.0)
                errors.append(0.0)
                break
            if error >= 1 - 1 / K:  # no better than chance: drop it and stop
                if not self.estimators_:
                    raise ValueError("the first weak learner is no better than chance; boosting cannot start")
                break
            alpha = adaboost_alpha(error, K, self.learning_rate)
            self.estimators_.append(learner)
            alphas.append(alpha)
            errors.append(error)
            if t < self.n_estimators - 1:
                w = update_weights(w, incorrect, alpha)
        self.estimator_weights_, self.estimator_errors_ = np.array(alphas), np.array(errors)
        return self

    def _check(self) -> None:
        if not hasattr(self, "estimators_"):
            raise NotFittedError("this AdaBoostClassifier is not fitted yet; call fit(X, y) first")

    def staged_decision_function(self, X: np.ndarray) -> Iterator[np.ndarray]:
        r"""After each round :math:`t`, the normalized class scores :math:`\sum_{s\le t}\alpha_s
        \mathbb{1}[f_s(x) = k] / \sum_{s \le t}\alpha_s`, shape (n, K)."""
        self._check()
        X = np.asarray(X, dtype=np.float64)
        scores, total = np.zeros((X.shape[0], len(self.classes_))), 0.0
        for learner, alpha in zip(self.estimators_, self.estimator_weights_, strict=True):
            scores += alpha * (learner.predict(X)[:, None] == self.classes_[None, :])
            total += alpha
            yield scores / total

    def staged_predict(self, X: np.ndarray) -> Iterator[np.ndarray]:
        """The ensemble's predictions after each round, shape (n,) each."""
        for scores in self.staged_decision_function(X):
            yield self.classes_[np.argmax(scores, axis=1)]

    def staged_score(self, X: np.ndarray, y: np.ndarray) -> Iterator[float]:
        """The ensemble's accuracy on ``(X, y)`` after each round."""
        for pred in self.staged_predict(X):
            yield float(np.mean(pred == np.asarray(y)))

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The normalized class scores of the full ensemble, shape (n, K)."""
        *_, last = self.staged_decision_function(X)
        return last

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class with the largest weighted vote, shape (n,)."""
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    @property
    def feature_importances_(self) -> np.ndarray:
        """The learners' ``feature_importances_`` averaged with weights :math:`\\alpha_t`, shape (d,)."""
        self._check()
        imp = sum(a * e.feature_importances_ for a, e in zip(self.estimator_weights_, self.estimators_,
                                                              strict=True))
        return imp / self.estimator_weights_.sum()
