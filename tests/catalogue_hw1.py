"""Test submissions of hw1-logistic's mistake catalogue: part -> mistake -> the source of the answer cell,
as a student writes it (``coursekit.grading.mistakes_hw1.MISTAKES`` holds the mistakes themselves)."""

SUBMISSIONS: dict[str, dict[str, str]] = {
    "sigmoid": {
        "complement": '''def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e / (1 + e), 1 / (1 + e))
''',
        "tanh_without_half": '''def sigmoid(z):
    # sigma(z) = (1 + tanh(z)) / 2, no overflow
    return (1 + np.tanh(z)) / 2
''',
        "absolute_score": '''def sigmoid(z):
    # abs() so that exp never gets a big positive argument
    return 1.0 / (1.0 + np.exp(-np.abs(z)))
''',
        "only_one_dimension": '''import math

def sigmoid(z):
    out = np.zeros(len(z))
    for i in range(len(z)):
        if z[i] >= 0:
            out[i] = 1 / (1 + math.exp(-z[i]))
        else:
            out[i] = math.exp(z[i]) / (1 + math.exp(z[i]))
    return out
''',
        "overwrites_input": '''def sigmoid(z):
    out = z
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out
''',
        "overflows": '''def sigmoid(z):
    return 1 / (1 + np.exp(-z))
''',
    },
    "predict_proba": {
        "ignores_intercept": '''def predict_proba(X, w, b=0.0):
    scores = np.dot(X, w)
    return sigmoid(scores)
''',
        "no_sigmoid": '''def predict_proba(X, w, b=0.0):
    z = X @ w + b
    return z
''',
        "probability_of_class_0": '''def predict_proba(X, w, b=0.0):
    return 1 - sigmoid(X @ w + b)
''',
        "returns_labels": '''def predict_proba(X, w, b=0.0):
    probs = sigmoid(X @ w + b)
    return np.where(probs >= 0.5, 1, 0)
''',
        "sums_over_samples": '''def predict_proba(X, w, b=0.0):
    z = np.sum(X * w, axis=0) + b
    return sigmoid(z)
''',
        "column_vector": '''def predict_proba(X, w, b=0.0):
    w = w.reshape(-1, 1)
    return sigmoid(X @ w + b)
''',
    },
    "log_likelihood": {
        "mean_not_sum": '''def log_likelihood(w, b, X, y):
    z = X @ w + b
    return float(np.mean(y * z - np.logaddexp(0, z)))
''',
        "loss_not_likelihood": '''def log_likelihood(w, b, X, y):
    z = X.dot(w) + b
    losses = np.logaddexp(0, z) - y * z
    return losses.mean()
''',
        "sign_flipped": '''def log_likelihood(w, b, X, y):
    z = X @ w + b
    return float(np.sum(np.logaddexp(0, z) - y * z))
''',
        "ignores_intercept": '''def log_likelihood(w, b, X, y):
    total = 0.0
    for x_i, y_i in zip(X, y):
        z_i = x_i @ w
        total += y_i * z_i - np.logaddexp(0, z_i)
    return total
''',
        "labels_swapped": '''def log_likelihood(w, b, X, y):
    z = X @ w + b
    log_p = -np.logaddexp(0, -z)      # log sigma(z)
    log_1mp = -np.logaddexp(0, z)     # log(1 - sigma(z))
    return float(np.sum((1 - y) * log_p + y * log_1mp))
''',
        "missing_negative_term": '''def log_likelihood(w, b, X, y):
    p = sigmoid(X @ w + b)
    return np.sum(y * np.log(p))
''',
        "not_summed": '''def log_likelihood(w, b, X, y):
    z = X @ w + b
    return y * z - np.logaddexp(0, z)
''',
        "clipped_probabilities": '''def log_likelihood(w, b, X, y):
    p = sigmoid(X @ w + b)
    p = np.clip(p, 1e-12, 1 - 1e-12)   # avoid log(0)
    return float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
''',
        "log_overflows": '''def log_likelihood(w, b, X, y):
    z = X @ w + b
    return float(np.sum(y * z - np.log(1 + np.exp(z))))
''',
    },
    "log_likelihood_grad": {
        "sign_flipped": '''def log_likelihood_grad(w, b, X, y):
    p = predict_proba(X, w, b)
    err = p - y
    return X.T @ err, err.sum()
''',
        "mean_not_sum": '''def log_likelihood_grad(w, b, X, y):
    n = X.shape[0]
    r = y - predict_proba(X, w, b)
    return X.T @ r / n, np.sum(r) / n
''',
        "loss_gradient": '''def log_likelihood_grad(w, b, X, y):
    p = sigmoid(X @ w + b)
    gw = X.T @ (p - y) / len(y)
    gb = np.mean(p - y)
    return gw, gb
''',
        "ignores_intercept": '''def log_likelihood_grad(w, b, X, y):
    p = sigmoid(X @ w)
    gw = np.zeros(X.shape[1])
    gb = 0.0
    for i in range(X.shape[0]):
        gw += (y[i] - p[i]) * X[i]
        gb += y[i] - p[i]
    return gw, gb
''',
        "scores_not_probabilities": '''def log_likelihood_grad(w, b, X, y):
    z = X @ w + b
    residual = y - z
    return X.T @ residual, float(np.sum(residual))
''',
        "extra_sigmoid_derivative": '''def log_likelihood_grad(w, b, X, y):
    p = sigmoid(X @ w + b)
    dz = (y - p) * p * (1 - p)     # chain rule through the sigmoid
    return X.T @ dz, dz.sum()
''',
        "not_transposed": '''def log_likelihood_grad(w, b, X, y):
    r = y - predict_proba(X, w, b)
    return X @ r, np.sum(r)
''',
    },
    "gradient_ascent": {
        "descends": '''def gradient_ascent(X, y, lr=0.1, n_steps=100):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    history = [log_likelihood(w, b, X, y)]
    for step in range(n_steps):
        gw, gb = log_likelihood_grad(w, b, X, y)
        w = w - lr * gw / n
        b = b - lr * gb / n
        history.append(log_likelihood(w, b, X, y))
    return w, b, history
''',
        "summed_gradient": '''def gradient_ascent(X, y, lr=0.1, n_steps=100):
    w, b = np.zeros(X.shape[1]), 0.0
    history = [log_likelihood(w, b, X, y)]
    for _ in range(n_steps):
        gw, gb = log_likelihood_grad(w, b, X, y)
        w += lr * gw
        b += lr * gb
        history.append(log_likelihood(w, b, X, y))
    return w, b, history
''',
        "history_without_start": '''def gradient_ascent(X, y, lr=0.1, n_steps=100):
    n = len(y)
    w, b = np.zeros(X.shape[1]), 0.0
    history = []
    for _ in range(n_steps):
        gw, gb = log_likelihood_grad(w, b, X, y)
        w, b = w + lr * gw / n, b + lr * gb / n
        history.append(log_likelihood(w, b, X, y))
    return w, b, history
''',
        "history_without_end": '''def gradient_ascent(X, y, lr=0.1, n_steps=100):
    n = len(y)
    w, b = np.zeros(X.shape[1]), 0.0
    history = []
    for _ in range(n_steps):
        history.append(log_likelihood(w, b, X, y))
        gw, gb = log_likelihood_grad(w, b, X, y)
        w, b = w + lr * gw / n, b + lr * gb / n
    return w, b, history
''',
        "mean_history": '''def gradient_ascent(X, y, lr=0.1, n_steps=100):
    n = X.shape[0]
    w, b = np.zeros(X.shape[1]), 0.0
    history = [log_likelihood(w, b, X, y) / n]
    for _ in range(n_steps):
        gw, gb = log_likelihood_grad(w, b, X, y)
        w = w + lr * gw / n
        b = b + lr * gb / n
        history.append(log_likelihood(w, b, X, y) / n)   # mean log-likelihood
    return w, b, history
''',
        "intercept_not_learned": '''def gradient_ascent(X, y, lr=0.1, n_steps=100):
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    b = 0.0
    history = [log_likelihood(w, b, X, y)]
    for _ in range(n_steps):
        gw, _ = log_likelihood_grad(w, b, X, y)
        w = w + lr * gw / n
        history.append(log_likelihood(w, b, X, y))
    return w, b, history
''',
        "one_step_too_many": '''def gradient_ascent(X, y, lr=0.1, n_steps=100):
    n = X.shape[0]
    w, b = np.zeros(X.shape[1]), 0.0
    history = [log_likelihood(w, b, X, y)]
    for t in range(n_steps + 1):
        gw, gb = log_likelihood_grad(w, b, X, y)
        w, b = w + lr / n * gw, b + lr / n * gb
        history.append(log_likelihood(w, b, X, y))
    return w, b, history
''',
    },
    "confusion_matrix": {
        "transposed": '''def confusion_matrix(y_true, y_pred):
    cm = np.zeros((2, 2), dtype=int)
    for t, q in zip(y_true, y_pred):
        cm[q, t] += 1
    return cm
''',
        "positive_class_first": '''def confusion_matrix(y_true, y_pred):
    tp = np.sum((y_true == 1) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    tn = np.sum((y_true == 0) & (y_pred == 0))
    return np.array([[tp, fn], [fp, tn]])
''',
        "textbook_layout": '''def confusion_matrix(y_true, y_pred):
    tp = np.sum((y_pred == 1) & (y_true == 1))
    fp = np.sum((y_pred == 1) & (y_true == 0))
    fn = np.sum((y_pred == 0) & (y_true == 1))
    tn = np.sum((y_pred == 0) & (y_true == 0))
    return np.array([[tp, fp], [fn, tn]])
''',
        "tp_counts_every_hit": '''def confusion_matrix(y_true, y_pred):
    tn = np.sum((y_true == 0) & (y_pred == 0))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    tp = np.sum(y_true == y_pred)
    return np.array([[tn, fp], [fn, tp]])
''',
        "labels_from_y_true": '''def confusion_matrix(y_true, y_pred):
    classes = np.unique(y_true)
    k = len(classes)
    cm = np.zeros((k, k), dtype=int)
    for i, a in enumerate(classes):
        for j, c in enumerate(classes):
            cm[i, j] = np.sum((y_true == a) & (y_pred == c))
    return cm
''',
        "flat_counts": '''def confusion_matrix(y_true, y_pred):
    tn = int(((y_true == 0) & (y_pred == 0)).sum())
    fp = int(((y_true == 0) & (y_pred == 1)).sum())
    fn = int(((y_true == 1) & (y_pred == 0)).sum())
    tp = int(((y_true == 1) & (y_pred == 1)).sum())
    return np.array([tn, fp, fn, tp])
''',
        "normalized": '''def confusion_matrix(y_true, y_pred):
    cm = np.zeros((2, 2))
    for t, q in zip(y_true, y_pred):
        cm[t][q] += 1
    return cm / len(y_true)
''',
    },
    "precision_recall_at": {
        "strict_threshold": '''def precision_recall_at(y_true, p, thresholds):
    precision, recall = [], []
    for t in thresholds:
        flagged = p > t
        tp = np.sum(flagged & (y_true == 1))
        precision.append(tp / flagged.sum() if flagged.sum() > 0 else 0.0)
        recall.append(tp / np.sum(y_true == 1) if np.sum(y_true == 1) > 0 else 0.0)
    return np.array(precision), np.array(recall)
''',
        "reversed_threshold": '''def precision_recall_at(y_true, p, thresholds):
    prec, rec = np.zeros(len(thresholds)), np.zeros(len(thresholds))
    for k, t in enumerate(thresholds):
        y_hat = (p < t).astype(int)
        tp = np.sum((y_hat == 1) & (y_true == 1))
        fp = np.sum((y_hat == 1) & (y_true == 0))
        fn = np.sum((y_hat == 0) & (y_true == 1))
        prec[k] = tp / (tp + fp) if tp + fp else 0.0
        rec[k] = tp / (tp + fn) if tp + fn else 0.0
    return prec, rec
''',
        "swapped_pair": '''def precision_recall_at(y_true, p, thresholds):
    precision, recall = [], []
    for t in thresholds:
        (tn, fp), (fn, tp) = confusion_matrix(y_true, (p >= t).astype(int))
        precision.append(tp / (tp + fp) if tp + fp > 0 else 0.0)
        recall.append(tp / (tp + fn) if tp + fn > 0 else 0.0)
    return np.array(recall), np.array(precision)
''',
        "precision_over_defaults": '''def precision_recall_at(y_true, p, thresholds):
    precision, recall = [], []
    for t in thresholds:
        (tn, fp), (fn, tp) = confusion_matrix(y_true, (p >= t).astype(int))
        precision.append(tp / (tp + fn) if tp + fn > 0 else 0.0)
        recall.append(tp / (tp + fn) if tp + fn > 0 else 0.0)
    return np.array(precision), np.array(recall)
''',
        "recall_over_flagged": '''def precision_recall_at(y_true, p, thresholds):
    precision, recall = [], []
    for t in thresholds:
        (tn, fp), (fn, tp) = confusion_matrix(y_true, (p >= t).astype(int))
        precision.append(tp / (tp + fp) if tp + fp > 0 else 0.0)
        recall.append(tp / (tp + fp) if tp + fp > 0 else 0.0)
    return np.array(precision), np.array(recall)
''',
        "fixed_threshold": '''def precision_recall_at(y_true, p, thresholds):
    y_pred = (p >= 0.5).astype(int)
    precision, recall = [], []
    for t in thresholds:
        tp = np.sum((y_pred == 1) & (y_true == 1))
        precision.append(tp / max(np.sum(y_pred == 1), 1))
        recall.append(tp / max(np.sum(y_true == 1), 1))
    return np.array(precision), np.array(recall)
''',
        "zero_division": '''def precision_recall_at(y_true, p, thresholds):
    precision, recall = [], []
    for t in thresholds:
        (tn, fp), (fn, tp) = confusion_matrix(y_true, (p >= t).astype(int))
        precision.append(tp / (tp + fp))
        recall.append(tp / (tp + fn))
    return np.array(precision), np.array(recall)
''',
    },
    "expected_cost": {
        "total_not_average": '''def expected_cost(y_true, p, threshold, cost_fn, cost_fp):
    (tn, fp), (fn, tp) = confusion_matrix(y_true, (p >= threshold).astype(int))
    return cost_fn * fn + cost_fp * fp
''',
        "costs_swapped": '''def expected_cost(y_true, p, threshold, cost_fn, cost_fp):
    flagged = p >= threshold
    n_fn = np.sum(~flagged & (y_true == 1))
    n_fp = np.sum(flagged & (y_true == 0))
    return (cost_fp * n_fn + cost_fn * n_fp) / len(y_true)
''',
        "strict_threshold": '''def expected_cost(y_true, p, threshold, cost_fn, cost_fp):
    y_hat = (p > threshold).astype(int)
    (tn, fp), (fn, tp) = confusion_matrix(y_true, y_hat)
    return (cost_fn * fn + cost_fp * fp) / len(y_true)
''',
        "reversed_threshold": '''def expected_cost(y_true, p, threshold, cost_fn, cost_fp):
    total = 0.0
    for yi, pi in zip(y_true, p):
        refused = pi < threshold
        if refused and yi == 0:
            total += cost_fp
        elif not refused and yi == 1:
            total += cost_fn
    return total / len(y_true)
''',
        "ignores_threshold": '''def expected_cost(y_true, p, threshold, cost_fn, cost_fp):
    y_hat = (p >= 0.5).astype(int)
    (tn, fp), (fn, tp) = confusion_matrix(y_true, y_hat)
    return (cost_fn * fn + cost_fp * fp) / len(y_true)
''',
        "error_rates": '''def expected_cost(y_true, p, threshold, cost_fn, cost_fp):
    (tn, fp), (fn, tp) = confusion_matrix(y_true, (p >= threshold).astype(int))
    fnr = fn / (fn + tp)     # share of the defaults missed
    fpr = fp / (fp + tn)     # share of the good loans refused
    return cost_fn * fnr + cost_fp * fpr
''',
        "unconditioned_counts": '''def expected_cost(y_true, p, threshold, cost_fn, cost_fp):
    pred = p >= threshold
    fn = np.sum(pred == 0)
    fp = np.sum(pred == 1)
    return (cost_fn * fn + cost_fp * fp) / len(y_true)
''',
    },
    "best_threshold": {
        "not_a_threshold": '''def best_threshold(y_true, p, thresholds, cost_fn, cost_fp):
    costs = [expected_cost(y_true, p, t, cost_fn, cost_fp) for t in thresholds]
    return np.argmin(costs)
''',
        "maximizes": '''def best_threshold(y_true, p, thresholds, cost_fn, cost_fp):
    costs = np.array([expected_cost(y_true, p, t, cost_fn, cost_fp) for t in thresholds])
    return thresholds[costs.argmax()]
''',
        "costs_swapped": '''def best_threshold(y_true, p, thresholds, cost_fn, cost_fp):
    best_t, best_c = thresholds[0], float("inf")
    for t in thresholds:
        c = expected_cost(y_true, p, t, cost_fp, cost_fn)
        if c < best_c:
            best_t, best_c = t, c
    return best_t
''',
        "fewest_errors": '''def best_threshold(y_true, p, thresholds, cost_fn, cost_fp):
    errors = []
    for t in thresholds:
        (tn, fp), (fn, tp) = confusion_matrix(y_true, (p >= t).astype(int))
        errors.append(fn + fp)
    return thresholds[int(np.argmin(errors))]
''',
        "fixed_costs": '''def best_threshold(y_true, p, thresholds, cost_fn, cost_fp):
    costs = [expected_cost(y_true, p, t, 10, 1) for t in thresholds]
    return thresholds[int(np.argmin(costs))]
''',
        "nearest_to_formula": '''def best_threshold(y_true, p, thresholds, cost_fn, cost_fp):
    t_star = cost_fp / (cost_fp + cost_fn)
    return thresholds[np.argmin(np.abs(np.asarray(thresholds) - t_star))]
''',
    },
}
"""Part (grade id) -> mistake name -> the answer cell of a submission that makes this mistake."""
