r"""CART classification trees: impurity, the best split, building, missing values, pruning, importances.

A tree splits a node :math:`t` with :math:`n_t` samples (total sample weight :math:`W_t`) into a left child
:math:`L` (:math:`x_j \le s`) and a right child :math:`R` (:math:`x_j > s`). With :math:`p_{tk}` the weighted
fraction of class :math:`k` in the node, the impurity of the node is

.. math::

    \text{Gini: } H(t) = 1 - \sum_k p_{tk}^2, \qquad \text{entropy: } H(t) = -\sum_k p_{tk}\log_2 p_{tk},

and the best split :math:`(j, s)` minimizes the **weighted impurity** of the children
:math:`\frac{W_L}{W_t} H(L) + \frac{W_R}{W_t} H(R)`. The **impurity decrease** of the split, weighted by the
node's share :math:`W_t / W` of all the training weight, is

.. math::

    \Delta(t) = \frac{W_t}{W}\Big(H(t) - \frac{W_L}{W_t} H(L) - \frac{W_R}{W_t} H(R)\Big),

the quantity compared with ``min_impurity_decrease`` and summed per feature into ``feature_importances_``.

**Missing values** (NaN) stay in the data. For every candidate split the search tries the missing samples of
the node in the left child and in the right child, and also the split "all observed values left, missing
right"; the tree remembers the better side per node (``missing_go_to_left``). A node that saw no missing value
sends them to its larger child. This is the rule of scikit-learn >= 1.3.

**Cost-complexity pruning** keeps the subtree :math:`T` that minimizes :math:`R_\alpha(T) = R(T) + \alpha|T|`
with :math:`R(T) = \sum_{\text{leaves } t} \frac{W_t}{W} H(t)` and :math:`|T|` the number of leaves.

Conventions follow scikit-learn's ``DecisionTreeClassifier``: the nodes are numbered depth first, left child
first; ties between splits go to the lowest feature index, then the smallest threshold (scikit-learn visits
the features in a random order, so its ties depend on ``random_state``). One difference: scikit-learn rounds
``X`` to float32, coursekit keeps float64.

See the chapter :doc:`/book/trees`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit.linear import NotFittedError

__all__ = [
    "FEATURE_THRESHOLD",
    "gini",
    "entropy",
    "impurity",
    "weighted_impurity",
    "Split",
    "best_split",
    "stop_splitting",
    "Tree",
    "build_tree",
    "apply",
    "predict_proba",
    "cost_complexity_pruning_path",
    "prune",
    "tree_features",
    "DecisionTreeClassifier",
]

FEATURE_THRESHOLD = 1e-7
"""Two values of a feature closer than this are treated as equal: no threshold is placed between them."""

_EPS = np.finfo(np.float64).eps


# --------------------------------------------------------------------------------------------------------
# Impurity
# --------------------------------------------------------------------------------------------------------


def gini(counts: np.ndarray) -> np.ndarray:
    r"""Gini impurity :math:`1 - \sum_k p_k^2` of class counts (or weights), along the last axis.

    Parameters
    ----------
    counts : ndarray, shape (..., K)
        Class counts or total sample weights per class of one or many nodes; :math:`p_k` = counts / their sum.

    Returns
    -------
    ndarray, shape (...,); 0 for a pure node, at most :math:`1 - 1/K`. An empty node has impurity 0.

    See the chapter :doc:`/book/trees`.
    """
    counts = np.asarray(counts, dtype=np.float64)
    w = counts.sum(axis=-1)
    safe = np.where(w > 0, w, 1.0)
    return np.where(w > 0, 1.0 - np.sum(counts**2, axis=-1) / safe**2, 0.0)


def entropy(counts: np.ndarray) -> np.ndarray:
    r"""Entropy :math:`-\sum_k p_k \log_2 p_k` (in bits, with :math:`0 \log 0 = 0`) along the last axis.

    Parameters
    ----------
    counts : ndarray, shape (..., K)
        Class counts or weights per class.

    Returns
    -------
    ndarray, shape (...,); 0 for a pure node, at most :math:`\log_2 K`.

    See the chapter :doc:`/book/trees`.
    """
    counts = np.asarray(counts, dtype=np.float64)
    w = counts.sum(axis=-1, keepdims=True)
    p = counts / np.where(w > 0, w, 1.0)
    return -np.sum(p * np.log2(np.where(p > 0, p, 1.0)), axis=-1)


_CRITERIA = {"gini": gini, "entropy": entropy}


def impurity(counts: np.ndarray, criterion: str = "gini") -> np.ndarray:
    """The impurity ``criterion`` of class counts: :func:`gini` or :func:`entropy`.

    Parameters
    ----------
    counts : ndarray, shape (..., K)
    criterion : {"gini", "entropy"}

    Returns
    -------
    ndarray, shape (...,).

    See the chapter :doc:`/book/trees`.
    """
    if criterion not in _CRITERIA:
        raise ValueError(f"criterion must be 'gini' or 'entropy', got {criterion!r}")
    return _CRITERIA[criterion](counts)


def weighted_impurity(left: np.ndarray, right: np.ndarray, criterion: str = "gini") -> np.ndarray:
    r"""Weighted impurity of the two children of a split, :math:`\frac{W_L}{W_t}H(L) + \frac{W_R}{W_t}H(R)`.

    Parameters
    ----------
    left, right : ndarray, shape (..., K)
        Class counts (or weights) of the left and the right child, for one or many candidate splits.
    criterion : {"gini", "entropy"}

    Returns
    -------
    ndarray, shape (...,).

    See the chapter :doc:`/book/trees`.
    """
    left, right = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
    wl, wr = left.sum(axis=-1), right.sum(axis=-1)
    w = np.where(wl + wr > 0, wl + wr, 1.0)
    return (wl * impurity(left, criterion) + wr * impurity(right, criterion)) / w


# --------------------------------------------------------------------------------------------------------
# The best split of one node
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """A node's split: ``x[feature] <= threshold`` goes left, NaN goes left if ``missing_go_to_left``.

    ``threshold`` is ``inf`` for the split "observed values left, missing values right". ``child_impurity``
    is the weighted impurity of the children; ``feature`` is -1 when no valid split exists.
    """

    feature: int
    threshold: float
    missing_go_to_left: bool
    child_impurity: float


NO_SPLIT = Split(-1, np.nan, False, np.inf)


def _best_split_sorted(xs: np.ndarray, S: np.ndarray, WyT: np.ndarray, criterion: str,
                       min_samples_leaf: int) -> tuple[Split, np.ndarray]:
    """Best split of a node whose samples are ``S[j]`` sorted by feature j (NaN last), for all j at once.

    xs : (d, m) the node's values of each feature, sorted (``xs[j] = X[S[j], j]``); S : (d, m) sample indices;
    WyT : (K, n) the sample weights of each class (one-hot labels times weights).
    Returns the split (``feature`` indexes the rows of ``xs``) and the rows that can still be split: a feature
    without a split here (all values missing, or one value and none missing) has none in the node's subtree.
    """
    m = S.shape[1]
    total = WyT[:, S[0]].sum(axis=1)                                    # (K,) the node
    n_obs = m - np.isnan(xs).sum(axis=1)
    last = xs[np.arange(xs.shape[0]), np.maximum(n_obs - 1, 0)]        # largest observed value
    # Skip the features without a split: all missing, or constant (observed values equal, none missing).
    features = np.flatnonzero((n_obs > 0) & ((last > xs[:, 0] + FEATURE_THRESHOLD) | (n_obs < m)))
    if features.size == 0:
        return NO_SPLIT, features
    S, xs, n_obs = S[features], xs[features], n_obs[features]
    d, n_miss = features.size, m - n_obs
    missing = np.isnan(xs) if n_miss.any() else None
    C = []                                                              # per class k, (d, m) cumulative
    for wk in WyT:                                                      # weights of the sorted samples
        yk = wk[S]
        if missing is not None:
            yk[missing] = 0.0                                           # count observed samples only
        C.append(np.cumsum(yk, axis=1))                                 # C[k][j, i]: class k in x_(0..i)
    observed = np.stack([Ck[:, -1] for Ck in C], axis=1)                # (d, K) all observed samples
    M = total - observed                                                # (d, K) the missing ones
    # Thresholds between sorted positions i and i+1 (observed, different values): i + 1 samples go left.
    between = xs[:, 1:] > xs[:, :-1] + FEATURE_THRESHOLD                # (d, m-1), NaN compares False
    j, i = np.nonzero(between)                                          # candidates, feature-major order
    left, nl = np.stack([Ck[j, i] for Ck in C], axis=1), i + 1          # (c, K), (c,)
    # Candidates in scikit-learn's order: thresholds with the missing values right, then the split "observed
    # values left, missing right" (threshold inf), then thresholds with the missing values left.
    cand_j, cand_i, scores = [j, np.arange(d), j], [i, n_obs - 1, i], []
    for to_left in (False, True):
        L = left + M[j] if to_left else left
        n = nl + n_miss[j] if to_left else nl
        ok = (n >= min_samples_leaf) & (m - n >= min_samples_leaf)
        scores.append(np.where(ok, weighted_impurity(L, total - L, criterion), np.inf))
    ok = (n_miss > 0) & (n_obs >= min_samples_leaf) & (n_miss >= min_samples_leaf)
    scores.insert(1, np.where(ok, weighted_impurity(observed, M, criterion), np.inf))
    option = np.concatenate([np.full(len(s), k) for k, s in enumerate(scores)])
    scores, cand_j, cand_i = map(np.concatenate, (scores, cand_j, cand_i))
    if not np.isfinite(scores).any():
        return NO_SPLIT, features
    best = np.flatnonzero(scores == scores.min())
    k = best[np.lexsort((cand_i[best], option[best], cand_j[best]))[0]]  # ties: feature, option, threshold
    j, i = cand_j[k], cand_i[k]
    if option[k] == 1:
        return Split(int(features[j]), np.inf, False, float(scores[k])), features
    a, b = xs[j, i], xs[j, i + 1]
    threshold = a / 2.0 + b / 2.0
    if threshold == b or not np.isfinite(threshold):
        threshold = a
    go_left = bool(option[k] == 2) if n_miss[j] else bool(i + 1 > m - i - 1)   # no NaN seen: the larger child
    return Split(int(features[j]), float(threshold), go_left, float(scores[k])), features


def _one_hot_weights(y: np.ndarray, n_classes: int, sample_weight: np.ndarray) -> np.ndarray:
    Wy = np.zeros((y.shape[0], n_classes))
    Wy[np.arange(y.shape[0]), y] = sample_weight
    return Wy


def _sorted_columns(X: np.ndarray) -> np.ndarray:
    """(d, n) sample indices sorting each column of X, NaN last (ties keep the sample order)."""
    return np.argsort(X, axis=0, kind="stable").T.copy()


def best_split(X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None, criterion: str = "gini",
               min_samples_leaf: int = 1) -> Split:
    r"""The split of the samples ``(X, y)`` that minimizes the weighted impurity of the two children.

    Every feature :math:`j` is sorted once; the class weights of every possible left child are the cumulative
    sums of the sorted labels, so all thresholds of all features are scored together without a loop over
    samples. Thresholds lie half-way between consecutive distinct values. With missing values in feature
    :math:`j`, each threshold is scored with the missing samples on the left and on the right, and the split
    "observed left, missing right" (``threshold = inf``) is scored too.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Features; NaN marks a missing value.
    y : ndarray, shape (n,)
        Class indices 0..K-1.
    sample_weight : ndarray, shape (n,), optional
        Weights of the samples (default 1).
    criterion : {"gini", "entropy"}
    min_samples_leaf : int
        Each child must receive at least this many samples.

    Returns
    -------
    Split
        ``feature``, ``threshold``, ``missing_go_to_left``, ``child_impurity``; ``feature == -1`` if no split
        is valid (all features constant, or too few samples).

    See the chapter :doc:`/book/trees`.
    """
    X, y, w = _check_fit_inputs(X, y, sample_weight)
    S = _sorted_columns(X)
    xs = np.take_along_axis(X.T, S, axis=1)
    WyT = _one_hot_weights(y, int(y.max()) + 1, w).T.copy()
    return _best_split_sorted(xs, S, WyT, criterion, min_samples_leaf)[0]


def stop_splitting(depth: int, n_samples: int, node_impurity: float, *, max_depth: int | None = None,
                   min_samples_split: int = 2, min_samples_leaf: int = 1) -> bool:
    """Early stopping *before* a split is searched: is the node a leaf?

    A node becomes a leaf when the tree is ``max_depth`` deep there, when it holds fewer than
    ``min_samples_split`` samples or fewer than ``2 * min_samples_leaf``, or when it is pure. The third rule,
    on the split found, is ``improvement < min_impurity_decrease`` (see :func:`build_tree`).

    See the chapter :doc:`/book/trees`.
    """
    return bool((max_depth is not None and depth >= max_depth) or n_samples < min_samples_split
                or n_samples < 2 * min_samples_leaf or node_impurity <= _EPS)


# --------------------------------------------------------------------------------------------------------
# Building a tree
# --------------------------------------------------------------------------------------------------------


@dataclass
class Tree:
    """A fitted tree as parallel arrays over its nodes (numbered depth first, left child first).

    Attributes
    ----------
    children_left, children_right : ndarray of int, shape (n_nodes,); -1 at a leaf
    feature : ndarray of int, shape (n_nodes,); -1 at a leaf
    threshold : ndarray of float, shape (n_nodes,); NaN at a leaf
    missing_go_to_left : ndarray of bool, shape (n_nodes,)
    value : ndarray, shape (n_nodes, K); the weighted class fractions of the training samples in the node
    impurity : ndarray, shape (n_nodes,)
    n_node_samples : ndarray of int, shape (n_nodes,)
    weighted_n_node_samples : ndarray, shape (n_nodes,)
    """

    children_left: np.ndarray
    children_right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_go_to_left: np.ndarray
    value: np.ndarray
    impurity: np.ndarray
    n_node_samples: np.ndarray
    weighted_n_node_samples: np.ndarray

    @property
    def node_count(self) -> int:
        """Number of nodes, leaves included."""
        return self.feature.shape[0]

    @property
    def n_leaves(self) -> int:
        """Number of leaves."""
        return int(np.sum(self.children_left < 0))

    @property
    def max_depth(self) -> int:
        """Depth of the deepest leaf (0 for a single leaf)."""
        depth = np.zeros(self.node_count, dtype=int)
        for t in range(self.node_count):  # parents come before their children
            if self.children_left[t] >= 0:
                depth[[self.children_left[t], self.children_right[t]]] = depth[t] + 1
        return int(depth.max())

    def impurity_decrease(self) -> np.ndarray:
        r"""The impurity decrease :math:`\Delta(t)` of each node's split (0 at a leaf), shape (n_nodes,)."""
        W, L, R = self.weighted_n_node_samples, self.children_left, self.children_right
        inner = L >= 0
        dec = np.zeros(self.node_count)
        dec[inner] = (W[inner] * self.impurity[inner] - W[L[inner]] * self.impurity[L[inner]]
                      - W[R[inner]] * self.impurity[R[inner]]) / W[0]
        return dec


def build_tree(X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None, *,
               criterion: str = "gini", max_depth: int | None = None, min_samples_split: int = 2,
               min_samples_leaf: int = 1, min_impurity_decrease: float = 0.0,
               n_classes: int | None = None) -> Tree:
    r"""Grow a CART tree greedily, depth first, with the early-stopping rules of :func:`stop_splitting`.

    Each column of ``X`` is sorted once, at the root. A node keeps, for every feature, its samples in sorted
    order (a (d, m) index array); a split partitions each row of it with one boolean mask, which keeps the
    order, so no node sorts again; the sorted values travel with them. A split is kept only if its impurity
    decrease :math:`\Delta(t)` (see the module docstring) is at least ``min_impurity_decrease``.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Features, NaN for missing values.
    y : ndarray, shape (n,)
        Class indices 0..K-1.
    sample_weight : ndarray, shape (n,), optional
    criterion, max_depth, min_samples_split, min_samples_leaf, min_impurity_decrease
        As in :class:`DecisionTreeClassifier`.
    n_classes : int, optional
        K (default ``y.max() + 1``).

    Returns
    -------
    Tree

    See the chapter :doc:`/book/trees`.
    """
    X, y, w = _check_fit_inputs(X, y, sample_weight)
    K = int(y.max()) + 1 if n_classes is None else n_classes
    XT, Wy = np.ascontiguousarray(X.T), _one_hot_weights(y, K, w)
    WyT = Wy.T.copy()                                                   # (K, n): one row per class
    W_total = w.sum()
    goes_left = np.zeros(X.shape[0], dtype=bool)
    nodes: list[list] = []  # [left, right, feature, threshold, missing_left, counts, impurity, n, weight]

    def grow(S: np.ndarray, xs: np.ndarray, cols: np.ndarray, depth: int) -> int:
        counts = Wy[S[0]].sum(axis=0)
        wt, node_imp, m = counts.sum(), float(impurity(counts, criterion)), S.shape[1]
        node = len(nodes)
        nodes.append([-1, -1, -1, np.nan, False, counts, node_imp, m, wt])
        if stop_splitting(depth, m, node_imp, max_depth=max_depth, min_samples_split=min_samples_split,
                          min_samples_leaf=min_samples_leaf):
            return node
        split, usable = _best_split_sorted(xs, S, WyT, criterion, min_samples_leaf)
        improvement = wt / W_total * (node_imp - split.child_impurity)
        if split.feature < 0 or improvement + _EPS < min_impurity_decrease:
            return node
        feature = int(cols[split.feature])
        S, xs, cols = S[usable], xs[usable], cols[usable]               # the children never split the rest
        x = XT[feature, S[0]]
        goes_left[S[0]] = (x <= split.threshold) | (np.isnan(x) & split.missing_go_to_left)
        mask = goes_left[S]
        n_left = int(mask[0].sum())
        nodes[node][2:5] = [feature, split.threshold, split.missing_go_to_left]
        for child, side, size in ((0, mask, n_left), (1, ~mask, m - n_left)):
            nodes[node][child] = grow(S[side].reshape(-1, size), xs[side].reshape(-1, size), cols, depth + 1)
        return node

    S = _sorted_columns(X)
    grow(S, np.take_along_axis(XT, S, axis=1), np.arange(X.shape[1]), 0)
    cols = list(zip(*nodes, strict=True))
    counts = np.array(cols[5])
    return Tree(np.array(cols[0]), np.array(cols[1]), np.array(cols[2]), np.array(cols[3], dtype=float),
                np.array(cols[4], dtype=bool), counts / counts.sum(axis=1, keepdims=True),
                np.array(cols[6]), np.array(cols[7]), np.array(cols[8]))


def apply(tree: Tree, X: np.ndarray) -> np.ndarray:
    """The leaf each row of ``X`` (n, d) reaches, shape (n,); NaN follows ``missing_go_to_left``.

    All rows descend together, one level per step (a loop over the depth, not over samples).

    See the chapter :doc:`/book/trees`.
    """
    X = np.asarray(X, dtype=np.float64)
    node = np.zeros(X.shape[0], dtype=np.intp)
    rows = np.arange(X.shape[0])
    inner = tree.children_left[node] >= 0
    while inner.any():
        r, t = rows[inner], node[inner]
        x = X[r, tree.feature[t]]
        left = np.where(np.isnan(x), tree.missing_go_to_left[t], x <= tree.threshold[t])
        node[r] = np.where(left, tree.children_left[t], tree.children_right[t])
        inner = tree.children_left[node] >= 0
    return node


def predict_proba(tree: Tree, X: np.ndarray) -> np.ndarray:
    """Class probabilities of the rows of ``X``: the class fractions of their leaves, shape (n, K).

    See the chapter :doc:`/book/trees`.
    """
    return tree.value[apply(tree, X)]


# --------------------------------------------------------------------------------------------------------
# Cost-complexity pruning
# --------------------------------------------------------------------------------------------------------


def _weakest_links(tree: Tree, ccp_alpha: float = np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prune the weakest link while its effective alpha is <= ccp_alpha.

    Returns the path (alphas, total leaf impurities) and the boolean "is a leaf of the pruned tree" per node.
    """
    L, R = tree.children_left, tree.children_right
    n = tree.node_count
    parent = np.full(n, -1)
    inner = np.flatnonzero(L >= 0)
    parent[L[inner]], parent[R[inner]] = inner, inner
    r_node = tree.weighted_n_node_samples * tree.impurity / tree.weighted_n_node_samples[0]
    # Subtree sums, children before parents (node numbers grow downwards).
    r_branch, n_leaves = np.where(L < 0, r_node, 0.0), (L < 0).astype(int)
    for t in inner[::-1]:
        r_branch[t] = r_branch[L[t]] + r_branch[R[t]]
        n_leaves[t] = n_leaves[L[t]] + n_leaves[R[t]]
    candidate, in_tree, leaf = L >= 0, np.ones(n, dtype=bool), L < 0
    alphas, impurities = [0.0], [r_branch[0]]
    while candidate[0]:
        alpha = np.where(candidate, (r_node - r_branch) / np.maximum(n_leaves - 1, 1), np.inf)
        t = int(np.argmin(alpha))
        if alpha[t] > ccp_alpha:
            break
        below = np.zeros(n, dtype=bool)
        stack = [L[t], R[t]]
        while stack:
            s = stack.pop()
            below[s] = True
            if L[s] >= 0:
                stack += [L[s], R[s]]
        in_tree[below], candidate[below], leaf[below] = False, False, False
        candidate[t], leaf[t] = False, True
        lost, diff = n_leaves[t] - 1, r_node[t] - r_branch[t]
        n_leaves[t], r_branch[t] = 0, r_node[t]
        a = parent[t]
        while a >= 0:
            n_leaves[a] -= lost
            r_branch[a] += diff
            a = parent[a]
        alphas.append(float(alpha[t]))
        impurities.append(float(r_branch[0]))
    return np.array(alphas), np.array(impurities), leaf & in_tree


def cost_complexity_pruning_path(tree: Tree) -> tuple[np.ndarray, np.ndarray]:
    r"""The weakest-link pruning path: effective alphas and total leaf impurities of the pruned trees.

    For an inner node :math:`t` with subtree :math:`T_t`, pruning :math:`T_t` to a leaf raises the total leaf
    impurity :math:`R` by :math:`R(t) - R(T_t)` and removes :math:`|T_t| - 1` leaves; it pays off once

    .. math::

        \alpha \ge \alpha_{\text{eff}}(t) = \frac{R(t) - R(T_t)}{|T_t| - 1}, \qquad
        R(t) = \frac{W_t}{W} H(t).

    Starting from the full tree, the node with the smallest :math:`\alpha_{\text{eff}}` (the weakest link) is
    pruned, the sums of its ancestors are updated, and so on until only the root is left.

    Parameters
    ----------
    tree : Tree

    Returns
    -------
    ccp_alphas : ndarray, shape (n_steps + 1,), non-decreasing, starting at 0
    impurities : ndarray, shape (n_steps + 1,), :math:`R(T)` of the tree pruned at each alpha

    See the chapter :doc:`/book/trees`.
    """
    alphas, impurities, _ = _weakest_links(tree)
    return alphas, impurities


def prune(tree: Tree, ccp_alpha: float) -> Tree:
    r"""The subtree that minimizes :math:`R(T) + \alpha|T|`: the full tree pruned while
    :math:`\alpha_{\text{eff}} \le` ``ccp_alpha``, renumbered depth first.

    See the chapter :doc:`/book/trees`.
    """
    if ccp_alpha < 0:
        raise ValueError(f"ccp_alpha must be >= 0, got {ccp_alpha}")
    _, _, leaf = _weakest_links(tree, ccp_alpha)
    keep, stack = [], [0]
    while stack:  # depth first, left child first
        t = stack.pop()
        keep.append(t)
        if not leaf[t]:
            stack += [tree.children_right[t], tree.children_left[t]]
    keep = np.array(keep)
    new = np.full(tree.node_count, -1)
    new[keep] = np.arange(keep.size)
    is_leaf = leaf[keep]
    left = np.where(is_leaf, -1, new[tree.children_left[keep]])
    right = np.where(is_leaf, -1, new[tree.children_right[keep]])
    return Tree(left, right, np.where(is_leaf, -1, tree.feature[keep]),
                np.where(is_leaf, np.nan, tree.threshold[keep]), tree.missing_go_to_left[keep] & ~is_leaf,
                tree.value[keep], tree.impurity[keep], tree.n_node_samples[keep],
                tree.weighted_n_node_samples[keep])


# --------------------------------------------------------------------------------------------------------
# Data for trees, and the estimator
# --------------------------------------------------------------------------------------------------------


def tree_features(frame: pd.DataFrame, categories: dict[str, list] | None = None
                  ) -> tuple[np.ndarray, list[str], dict[str, list]]:
    """A float design matrix for a tree, missing values kept as NaN.

    Numeric columns are copied as they are (a tree needs no scaling). Every other column becomes one 0/1
    indicator per category (``column=category``); a row whose category is missing gets NaN in all of them.

    Parameters
    ----------
    frame : pandas.DataFrame, shape (n, p)
    categories : dict, optional
        The categories of each text column, as returned for the training frame; pass them for new data.

    Returns
    -------
    X : ndarray, shape (n, d)
    names : list of str, length d
    categories : dict of column -> list of categories

    See the chapter :doc:`/book/trees`.
    """
    numeric = list(frame.select_dtypes("number").columns)
    if categories is None:
        categories = {c: sorted(frame[c].dropna().unique().astype(str))
                      for c in frame.columns if c not in numeric}
    blocks, names = [frame[numeric].to_numpy(dtype=np.float64)], list(numeric)
    for col, cats in categories.items():
        values = frame[col].astype(object)
        block = (values.astype(str).to_numpy()[:, None] == np.array(cats)[None, :]).astype(np.float64)
        block[values.isna().to_numpy()] = np.nan
        blocks.append(block)
        names += [f"{col}={c}" for c in cats]
    return np.hstack(blocks), names, categories


def _check_fit_inputs(X, y, sample_weight) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have one class index per row of X ({X.shape[0]}), got shape {y.shape}")
    if np.isinf(X).any():
        raise ValueError("X contains infinite values; only NaN (missing) is allowed besides finite numbers")
    if y.dtype.kind not in "iu" or (y.size and y.min() < 0):
        raise ValueError("y must hold class indices 0..K-1 (encode labels first, e.g. with np.unique)")
    w = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (X.shape[0],) or np.any(w < 0):
        raise ValueError(f"sample_weight must hold {X.shape[0]} non-negative weights, got shape {w.shape}")
    return X, y, w


class DecisionTreeClassifier:
    r"""A CART classification tree (scikit-learn's API), with missing values and cost-complexity pruning.

    Parameters
    ----------
    criterion : {"gini", "entropy"}
        The impurity :math:`H` (see :func:`gini`, :func:`entropy`).
    max_depth : int or None
        Nodes at this depth become leaves (None: grow until pure or the other rules stop).
    min_samples_split : int
        A node with fewer samples is a leaf.
    min_samples_leaf : int
        Every leaf keeps at least this many samples.
    min_impurity_decrease : float
        A split is made only if its impurity decrease :math:`\Delta(t) \ge` this value.
    ccp_alpha : float
        Cost-complexity pruning strength :math:`\alpha \ge 0` (0: no pruning), see :func:`prune`.

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
    n_features_in_ : int
    tree_ : Tree
    feature_importances_ : ndarray, shape (d,)
        The impurity decreases :math:`\Delta(t)` of the splits on each feature, summed and normalized to 1
        (all zero for a single leaf).

    Notes
    -----
    Fitting is deterministic — every feature is searched at every node and ties go to the lowest feature
    index — so there is no ``random_state``.

    See the chapter :doc:`/book/trees`.
    """

    def __init__(self, criterion: str = "gini", max_depth: int | None = None, min_samples_split: int = 2,
                 min_samples_leaf: int = 1, min_impurity_decrease: float = 0.0,
                 ccp_alpha: float = 0.0) -> None:
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha

    def _check_params(self) -> None:
        if self.criterion not in _CRITERIA:
            raise ValueError(f"criterion must be 'gini' or 'entropy', got {self.criterion!r}")
        if self.max_depth is not None and self.max_depth < 1:
            raise ValueError(f"max_depth must be >= 1 or None, got {self.max_depth}")
        if self.min_samples_split < 2 or self.min_samples_leaf < 1:
            raise ValueError("min_samples_split must be >= 2 and min_samples_leaf >= 1, got "
                             f"{self.min_samples_split} and {self.min_samples_leaf}")
        if self.min_impurity_decrease < 0 or self.ccp_alpha < 0:
            raise ValueError("min_impurity_decrease and ccp_alpha must be >= 0")

    def _grow(self, X, y, sample_weight) -> Tree:
        self._check_params()
        X = np.asarray(X, dtype=np.float64)
        self.classes_, y_idx = np.unique(np.asarray(y), return_inverse=True)
        self.n_features_in_ = X.shape[1]
        return build_tree(X, y_idx, sample_weight, criterion=self.criterion, max_depth=self.max_depth,
                          min_samples_split=self.min_samples_split, min_samples_leaf=self.min_samples_leaf,
                          min_impurity_decrease=self.min_impurity_decrease, n_classes=len(self.classes_))

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
            ) -> DecisionTreeClassifier:
        """Grow the tree on ``X`` (n, d; NaN allowed) and labels ``y`` (n,), then prune with ``ccp_alpha``."""
        tree = self._grow(X, y, sample_weight)
        self.tree_ = prune(tree, self.ccp_alpha) if self.ccp_alpha > 0 else tree
        dec = self.tree_.impurity_decrease()
        imp = np.bincount(self.tree_.feature[dec > 0], weights=dec[dec > 0], minlength=self.n_features_in_)
        self.feature_importances_ = imp / imp.sum() if imp.sum() > 0 else imp
        return self

    def cost_complexity_pruning_path(self, X: np.ndarray, y: np.ndarray,
                                     sample_weight: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Grow the unpruned tree and return ``{"ccp_alphas": ..., "impurities": ...}`` (scikit-learn's keys).

        See :func:`cost_complexity_pruning_path`.
        """
        alphas, impurities = cost_complexity_pruning_path(self._grow(X, y, sample_weight))
        return {"ccp_alphas": alphas, "impurities": impurities}

    def _tree(self) -> Tree:
        if not hasattr(self, "tree_"):
            raise NotFittedError("this DecisionTreeClassifier is not fitted yet; call fit(X, y) first")
        return self.tree_

    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have shape (n_samples, {self.n_features_in_}), got {X.shape}")
        return X

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Index of the leaf each row reaches, shape (n,)."""
        return apply(self._tree(), self._check_X(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (n, K), columns in the order of ``classes_``."""
        return predict_proba(self._tree(), self._check_X(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most probable class of each row (the first one on a tie), shape (n,)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def get_depth(self) -> int:
        """Depth of the tree (0 for a single leaf)."""
        return self._tree().max_depth

    def get_n_leaves(self) -> int:
        """Number of leaves."""
        return self._tree().n_leaves
