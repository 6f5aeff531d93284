"""Test submissions of hw5-trees-boosting's mistake catalogue: part -> mistake -> the source of the answer
cell, as a student writes it (``coursekit.grading.mistakes_hw5.MISTAKES`` holds the mistakes themselves)."""

SUBMISSIONS: dict[str, dict[str, str]] = {
    "impurity": {
        "entropy_natural_log": '''def impurity(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=-1, keepdims=True)
    p = counts / total
    if criterion == "gini":
        return 1 - (p ** 2).sum(axis=-1)
    safe = np.where(p > 0, p, 1)
    return -(p * np.log(safe)).sum(axis=-1)
''',
        "impurity_counts_not_fractions": '''def impurity(counts, criterion="gini"):
    c = np.array(counts, dtype=float)
    if criterion == "gini":
        return 1 - np.sum(c * c, axis=-1)
    terms = np.zeros_like(c)
    nonzero = c > 0
    terms[nonzero] = c[nonzero] * np.log2(c[nonzero])
    return -terms.sum(axis=-1)
''',
        "gini_is_purity": '''def impurity(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=float)
    p = counts / counts.sum(axis=-1, keepdims=True)
    if criterion == "entropy":
        logs = np.log2(np.where(p > 0, p, 1.0))
        return -np.sum(p * logs, axis=-1)
    gini = 0
    for k in range(counts.shape[-1]):
        gini = gini + p[..., k] ** 2
    return gini
''',
        "criterion_ignored": '''def impurity(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=float)
    n = counts.sum(axis=-1)
    p0, p1 = counts[..., 0] / n, counts[..., 1] / n
    return 1 - p0**2 - p1**2
''',
        "entropy_without_minus": '''def impurity(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=float)
    p = counts / counts.sum(axis=-1, keepdims=True)
    if criterion == "gini":
        return np.sum(p * (1 - p), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log2(p), 0.0)
    return np.sum(plogp, axis=-1)
''',
        "fractions_over_all_nodes": '''def impurity(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=float)
    p = counts / counts.sum()
    if criterion == "gini":
        return 1 - np.sum(p**2, axis=-1)
    logs = np.log2(np.where(p > 0, p, 1.0))
    return -np.sum(p * logs, axis=-1)
''',
        "zero_log_zero": '''def impurity(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=float)
    p = counts / counts.sum(axis=-1, keepdims=True)
    if criterion == "gini":
        return 1 - np.sum(p**2, axis=-1)
    return -np.sum(p * np.log2(p), axis=-1)
''',
    },
    "weighted_impurity": {
        "impurity_not_weighted": '''def weighted_impurity(left, right, criterion="gini"):
    h_left = impurity(left, criterion)
    h_right = impurity(right, criterion)
    return (h_left + h_right) / 2
''',
        "impurities_summed": '''def weighted_impurity(left, right, criterion="gini"):
    return impurity(left, criterion) + impurity(right, criterion)
''',
        "child_weights_swapped": '''def weighted_impurity(left, right, criterion="gini"):
    left = np.asarray(left, dtype=float)
    right = np.asarray(right, dtype=float)
    n_l = left.sum(axis=-1)
    n_r = right.sum(axis=-1)
    n = n_l + n_r
    return n_r / n * impurity(left, criterion) + n_l / n * impurity(right, criterion)
''',
        "shares_not_normalized": '''def weighted_impurity(left, right, criterion="gini"):
    n_l = np.sum(left, axis=-1)
    n_r = np.sum(right, axis=-1)
    return n_l * impurity(left, criterion) + n_r * impurity(right, criterion)
''',
        "sizes_of_all_splits": '''def weighted_impurity(left, right, criterion="gini"):
    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    n_left = left.sum()
    n_right = right.sum()
    return (n_left * impurity(left, criterion) + n_right * impurity(right, criterion)) / (n_left + n_right)
''',
        "returns_decrease": '''def weighted_impurity(left, right, criterion="gini"):
    parent = np.asarray(left) + np.asarray(right)
    n_l, n_r = np.sum(left, axis=-1), np.sum(right, axis=-1)
    children = (n_l * impurity(left, criterion) + n_r * impurity(right, criterion)) / (n_l + n_r)
    return impurity(parent, criterion) - children
''',
        "criterion_ignored": '''def weighted_impurity(left, right, criterion="gini"):
    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    w_left = left.sum(axis=-1) / (left.sum(axis=-1) + right.sum(axis=-1))
    return w_left * impurity(left) + (1 - w_left) * impurity(right)
''',
    },
    "best_split": {
        "split_tie_last": '''def best_split(X, y, criterion="gini"):
    best = None
    lowest = float("inf")
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for i in range(len(values) - 1):
            s = (values[i] + values[i + 1]) / 2
            mask = X[:, j] <= s
            score = weighted_impurity(np.bincount(y[mask], minlength=2), np.bincount(y[~mask], minlength=2),
                                      criterion)
            if score <= lowest:
                lowest = score
                best = (j, s, score)
    return best
''',
        "split_constant_feature": '''def best_split(X, y, criterion="gini"):
    best, best_score = None, np.inf
    for j in range(X.shape[1]):
        values = np.sort(np.unique(X[:, j]))
        for i in range(len(values)):
            if i + 1 < len(values):
                t = (values[i] + values[i + 1]) / 2
            else:
                t = values[i]          # the last candidate: everything goes left
            goes_left = X[:, j] <= t
            left = np.bincount(y[goes_left], minlength=2)
            right = np.bincount(y[~goes_left], minlength=2)
            score = weighted_impurity(left, right, criterion)
            if score < best_score:
                best, best_score = (j, t, score), score
    return best
''',
        "split_unweighted": '''def best_split(X, y, criterion="gini"):
    best, best_score = None, np.inf
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for a, b in zip(values[:-1], values[1:]):
            threshold = (a + b) / 2
            goes_left = X[:, j] <= threshold
            left = np.bincount(y[goes_left], minlength=2)
            right = np.bincount(y[~goes_left], minlength=2)
            score = (impurity(left, criterion) + impurity(right, criterion)) / 2
            if score < best_score:
                best, best_score = (j, threshold, score), score
    return best
''',
        "none_without_gain": '''def best_split(X, y, criterion="gini"):
    parent = impurity(np.bincount(y, minlength=2), criterion)
    best, best_score = None, np.inf
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for a, b in zip(values[:-1], values[1:]):
            threshold = (a + b) / 2
            goes_left = X[:, j] <= threshold
            score = weighted_impurity(np.bincount(y[goes_left], minlength=2),
                                      np.bincount(y[~goes_left], minlength=2), criterion)
            if score < best_score:
                best, best_score = (j, threshold, score), score
    if best_score >= parent:   # the split does not help
        return None
    return best
''',
        "threshold_left_value": '''def best_split(X, y, criterion="gini"):
    best, best_score = None, np.inf
    for j in range(X.shape[1]):
        col = X[:, j]
        vals = sorted(set(col))
        for v in vals[:-1]:
            goes_left = col <= v
            left = np.bincount(y[goes_left], minlength=2)
            right = np.bincount(y[~goes_left], minlength=2)
            score = weighted_impurity(left, right, criterion)
            if score < best_score:
                best, best_score = (j, v, score), score
    return best
''',
        "threshold_right_value": '''def best_split(X, y, criterion="gini"):
    best, best_score = None, np.inf
    for j in range(X.shape[1]):
        col = X[:, j]
        vals = np.unique(col)
        for v in vals[1:]:
            goes_left = col < v
            left = np.bincount(y[goes_left], minlength=2)
            right = np.bincount(y[~goes_left], minlength=2)
            score = weighted_impurity(left, right, criterion)
            if score < best_score:
                best, best_score = (j, v, score), score
    return best
''',
        "no_split_not_none": '''def best_split(X, y, criterion="gini"):
    best_feature, best_threshold, best_score = -1, 0.0, np.inf
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for a, b in zip(values[:-1], values[1:]):
            threshold = (a + b) / 2
            goes_left = X[:, j] <= threshold
            left = np.bincount(y[goes_left], minlength=2)
            right = np.bincount(y[~goes_left], minlength=2)
            score = weighted_impurity(left, right, criterion)
            if score < best_score:
                best_feature, best_threshold, best_score = j, threshold, score
    return best_feature, best_threshold, best_score
''',
    },
    "stop_splitting": {
        "stop_one_level_deep": '''\
def stop_splitting(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2):
    if max_depth is not None and depth > max_depth:
        return True
    if n_samples < min_samples_split:
        return True
    return node_impurity == 0
''',
        "stop_one_level_early": '''\
def stop_splitting(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2):
    too_deep = max_depth is not None and depth + 1 >= max_depth
    return bool(too_deep or n_samples < min_samples_split or node_impurity == 0)
''',
        "stop_min_split_inclusive": '''\
def stop_splitting(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2):
    if max_depth is not None and depth >= max_depth:
        return True
    if n_samples <= min_samples_split:
        return True
    if node_impurity == 0:
        return True
    return False
''',
        "stop_ignores_purity": '''\
def stop_splitting(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2):
    if max_depth is not None and depth >= max_depth:
        return True
    return n_samples < min_samples_split
''',
        "stop_inverted": '''\
def stop_splitting(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2):
    depth_ok = max_depth is None or depth < max_depth
    can_split = depth_ok and n_samples >= min_samples_split and node_impurity > 0
    return can_split
''',
        "stop_max_depth_none": '''\
def stop_splitting(depth, n_samples, node_impurity, max_depth=None, min_samples_split=2):
    if depth >= max_depth or n_samples < min_samples_split or node_impurity == 0:
        return True
    return False
''',
    },
    "build_tree": {
        "tree_too_deep": '''\
def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini", depth=0):
    counts = np.bincount(y, minlength=2)
    leaf = {"value": counts / counts.sum()}
    if max_depth is not None and depth > max_depth:
        return leaf
    if len(y) < min_samples_split or impurity(counts, criterion) == 0:
        return leaf
    split = best_split(X, y, criterion)
    if split is None:
        return leaf
    j, s, _ = split
    mask = X[:, j] <= s
    return {"feature": j, "threshold": s, "missing_left": bool(mask.mean() > 0.5),
            "left": build_tree(X[mask], y[mask], max_depth, min_samples_split, criterion, depth + 1),
            "right": build_tree(X[~mask], y[~mask], max_depth, min_samples_split, criterion, depth + 1)}
''',
        "tree_too_shallow": '''def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini"):
    def grow(rows, depth):
        counts = np.bincount(y[rows], minlength=2)
        if stop_splitting(depth, len(rows), impurity(counts, criterion), max_depth, min_samples_split):
            return {"value": counts / len(rows)}
        split = best_split(X[rows], y[rows], criterion)
        if split is None:
            return {"value": counts / len(rows)}
        j, s, _ = split
        left, right = rows[X[rows, j] <= s], rows[X[rows, j] > s]
        return {"feature": j, "threshold": s, "missing_left": len(left) > len(right),
                "left": grow(left, depth + 1), "right": grow(right, depth + 1)}

    return grow(np.arange(len(y)), 1)    # level 1 is the root
''',
        "children_swapped": '''\
def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini", depth=0):
    counts = np.bincount(y, minlength=2)
    if stop_splitting(depth, len(y), impurity(counts, criterion), max_depth, min_samples_split):
        return {"value": counts / counts.sum()}
    split = best_split(X, y, criterion)
    if split is None:
        return {"value": counts / counts.sum()}
    feature, threshold, _ = split
    above = X[:, feature] > threshold
    return {
        "feature": feature,
        "threshold": threshold,
        "missing_left": bool(above.sum() < (~above).sum()),
        "left": build_tree(X[above], y[above], max_depth, min_samples_split, criterion, depth + 1),
        "right": build_tree(X[~above], y[~above], max_depth, min_samples_split, criterion, depth + 1),
    }
''',
        "leaf_majority_class": '''\
def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini", depth=0):
    counts = np.bincount(y, minlength=2)
    split = None
    if not stop_splitting(depth, len(y), impurity(counts, criterion), max_depth, min_samples_split):
        split = best_split(X, y, criterion)
    if split is None:
        if counts[0] >= counts[1]:
            return {"value": np.array([1.0, 0.0])}
        return {"value": np.array([0.0, 1.0])}
    feature, threshold, _ = split
    goes_left = X[:, feature] <= threshold
    return {"feature": feature, "threshold": threshold, "missing_left": bool(goes_left.mean() > 0.5),
            "left": build_tree(X[goes_left], y[goes_left], max_depth, min_samples_split, criterion,
                               depth + 1),
            "right": build_tree(X[~goes_left], y[~goes_left], max_depth, min_samples_split, criterion,
                                depth + 1)}
''',
        "leaf_counts": '''\
def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini", depth=0):
    counts = np.bincount(y, minlength=2)
    split = None
    if not stop_splitting(depth, len(y), impurity(counts, criterion), max_depth, min_samples_split):
        split = best_split(X, y, criterion)
    if split is None:
        return {"value": counts}
    feature, threshold, _ = split
    goes_left = X[:, feature] <= threshold
    return {"feature": feature, "threshold": threshold, "missing_left": bool(goes_left.mean() > 0.5),
            "left": build_tree(X[goes_left], y[goes_left], max_depth, min_samples_split, criterion,
                               depth + 1),
            "right": build_tree(X[~goes_left], y[~goes_left], max_depth, min_samples_split, criterion,
                                depth + 1)}
''',
        "ignores_min_samples_split": '''\
def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini", depth=0):
    counts = np.bincount(y, minlength=2)
    node = {"value": counts / counts.sum()}
    if stop_splitting(depth, len(y), impurity(counts, criterion), max_depth):
        return node
    split = best_split(X, y, criterion)
    if split is None:
        return node
    f, t, _ = split
    m = X[:, f] <= t
    return {"feature": f, "threshold": t, "missing_left": bool(m.sum() > len(m) / 2),
            "left": build_tree(X[m], y[m], max_depth, criterion=criterion, depth=depth + 1),
            "right": build_tree(X[~m], y[~m], max_depth, criterion=criterion, depth=depth + 1)}
''',
        "splits_pure_nodes": '''\
def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini", depth=0):
    counts = np.bincount(y, minlength=2)
    leaf = {"value": counts / counts.sum()}
    if (max_depth is not None and depth >= max_depth) or len(y) < min_samples_split:
        return leaf
    split = best_split(X, y, criterion)
    if split is None:
        return leaf
    j, s, _ = split
    mask = X[:, j] <= s
    return {"feature": j, "threshold": s, "missing_left": bool(mask.mean() > 0.5),
            "left": build_tree(X[mask], y[mask], max_depth, min_samples_split, criterion, depth + 1),
            "right": build_tree(X[~mask], y[~mask], max_depth, min_samples_split, criterion, depth + 1)}
''',
    },
    "predict_proba": {
        "missing_always_left": '''def predict_proba(tree, X):
    proba = np.zeros((X.shape[0], 2))
    for i in range(X.shape[0]):
        node = tree
        while "value" not in node:
            v = X[i, node["feature"]]
            if np.isnan(v) or v <= node["threshold"]:
                node = node["left"]
            else:
                node = node["right"]
        proba[i] = node["value"]
    return proba
''',
        "missing_always_right": '''def predict_proba(tree, X):
    out = []
    for x in X:
        node = tree
        while "value" not in node:
            if x[node["feature"]] <= node["threshold"]:
                node = node["left"]
            else:
                node = node["right"]
        out.append(node["value"])
    return np.array(out)
''',
        "missing_branch_reversed": '''def predict_proba(tree, X):
    proba = np.zeros((X.shape[0], 2))
    for i, x in enumerate(X):
        node = tree
        while "value" not in node:
            v = x[node["feature"]]
            if np.isnan(v):
                node = node["right"] if node["missing_left"] else node["left"]
            elif v <= node["threshold"]:
                node = node["left"]
            else:
                node = node["right"]
        proba[i] = node["value"]
    return proba
''',
        "predict_strict_threshold": '''def predict_proba(tree, X):
    def leaf_of(node, x):
        if "value" in node:
            return node["value"]
        v = x[node["feature"]]
        go_left = node["missing_left"] if np.isnan(v) else v < node["threshold"]
        return leaf_of(node["left"] if go_left else node["right"], x)

    return np.array([leaf_of(tree, x) for x in X])
''',
        "returns_class_one_only": '''def predict_proba(tree, X):
    p_risky = np.zeros(len(X))
    for i, x in enumerate(X):
        node = tree
        while "value" not in node:
            v = x[node["feature"]]
            go_left = node["missing_left"] if np.isnan(v) else v <= node["threshold"]
            node = node["left"] if go_left else node["right"]
        p_risky[i] = node["value"][1]
    return p_risky
''',
        "returns_predicted_class": '''def predict_proba(tree, X):
    labels = []
    for x in X:
        node = tree
        while "value" not in node:
            v = x[node["feature"]]
            go_left = node["missing_left"] if np.isnan(v) else v <= node["threshold"]
            node = node["left"] if go_left else node["right"]
        labels.append(int(np.argmax(node["value"])))
    return np.array(labels)
''',
    },
    "adaboost_alpha": {
        "alpha_unweighted_error": '''def adaboost_alpha(incorrect, sample_weight):
    error = incorrect.mean()
    alpha = np.log((1 - error) / error)
    return error, alpha
''',
        "error_not_normalized": '''def adaboost_alpha(incorrect, sample_weight):
    error = np.sum(sample_weight[incorrect])
    return error, np.log((1 - error) / error)
''',
        "error_mean_of_products": '''def adaboost_alpha(incorrect, sample_weight):
    error = np.mean(sample_weight * incorrect)
    return error, np.log((1 - error) / error)
''',
        "error_counts_correct": '''def adaboost_alpha(incorrect, sample_weight):
    correct = ~incorrect
    error = np.sum(sample_weight[correct]) / np.sum(sample_weight)
    return error, np.log((1 - error) / error)
''',
        "alpha_half": '''def adaboost_alpha(incorrect, sample_weight):
    error = np.sum(sample_weight * incorrect) / np.sum(sample_weight)
    alpha = 0.5 * np.log((1 - error) / error)
    return error, alpha
''',
        "alpha_inverted": '''def adaboost_alpha(incorrect, sample_weight):
    eps = np.dot(sample_weight, incorrect) / sample_weight.sum()
    return eps, np.log(eps / (1 - eps))
''',
        "alpha_without_log": '''def adaboost_alpha(incorrect, sample_weight):
    error = np.sum(sample_weight * incorrect) / np.sum(sample_weight)
    alpha = (1 - error) / error
    return error, alpha
''',
    },
    "update_weights": {
        "weights_not_renormalized": '''def update_weights(sample_weight, incorrect, alpha):
    return sample_weight * np.exp(alpha * incorrect)
''',
        "normalized_before_update": '''def update_weights(sample_weight, incorrect, alpha):
    w = sample_weight / sample_weight.sum()
    return w * np.exp(alpha * incorrect)
''',
        "update_both_directions": '''def update_weights(sample_weight, incorrect, alpha):
    sign = np.where(incorrect, 1, -1)
    w = sample_weight * np.exp(alpha * sign)
    return w / w.sum()
''',
        "update_sign_flipped": '''def update_weights(sample_weight, incorrect, alpha):
    w = sample_weight * np.exp(-alpha * incorrect)
    return w / np.sum(w)
''',
        "multiplied_by_alpha": '''def update_weights(sample_weight, incorrect, alpha):
    w = np.array(sample_weight, dtype=float)
    for i in range(len(w)):
        if incorrect[i]:
            w[i] = w[i] * alpha
    return w / w.sum()
''',
        "modifies_weights_in_place": '''def update_weights(sample_weight, incorrect, alpha):
    sample_weight[incorrect] *= np.exp(alpha)
    return sample_weight / sample_weight.sum()
''',
    },
    "staged_error": {
        "staged_last_only": '''def staged_error(votes, alphas, y):
    T, n = votes.shape
    scores = np.zeros((n, 2))
    for t in range(T):
        scores[np.arange(n), votes[t]] += alphas[t]
    final_error = np.mean(np.argmax(scores, axis=1) != y)
    return np.full(T, final_error)
''',
        "staged_last_scalar": '''def staged_error(votes, alphas, y):
    T, n = votes.shape
    scores = np.zeros((n, 2))
    for t in range(T):
        scores[np.arange(n), votes[t]] += alphas[t]
    return np.mean(np.argmax(scores, axis=1) != y)
''',
        "staged_unweighted_vote": '''def staged_error(votes, alphas, y):
    T, n = votes.shape
    counts = np.zeros((n, 2))
    errors = []
    for t in range(T):
        counts[np.arange(n), votes[t]] += 1
        errors.append(np.mean(np.argmax(counts, axis=1) != y))
    return np.array(errors)
''',
        "staged_learner_errors": '''def staged_error(votes, alphas, y):
    T = votes.shape[0]
    errors = np.zeros(T)
    for t in range(T):
        errors[t] = np.mean(votes[t] != y)
    return errors
''',
        "staged_ties_to_one": '''def staged_error(votes, alphas, y):
    T, n = votes.shape
    vote_1, vote_0 = np.zeros(n), np.zeros(n)
    errors = np.zeros(T)
    for t in range(T):
        vote_1 += alphas[t] * (votes[t] == 1)
        vote_0 += alphas[t] * (votes[t] == 0)
        prediction = (vote_1 >= vote_0).astype(int)
        errors[t] = np.mean(prediction != y)
    return errors
''',
        "labels_not_mapped_back": '''def staged_error(votes, alphas, y):
    T, n = votes.shape
    F = np.zeros(n)
    errors = []
    for t in range(T):
        F += alphas[t] * (2 * votes[t] - 1)      # +1 / -1 votes
        errors.append(np.mean(np.sign(F) != y))
    return np.array(errors)
''',
        "staged_accuracy": '''def staged_error(votes, alphas, y):
    T, n = votes.shape
    scores = np.zeros((n, 2))
    out = np.zeros(T)
    for t in range(T):
        scores[np.arange(n), votes[t]] += alphas[t]
        out[t] = np.mean(np.argmax(scores, axis=1) == y)
    return out
''',
    },
}
"""Grade id -> mistake name -> the answer cell's source (numpy is imported as ``np`` by the notebook)."""
