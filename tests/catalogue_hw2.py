"""Test submissions of the hw2-regularization mistake catalogue: part -> mistake -> the answer cell's source,
written the way students write it (``coursekit.grading.checks_hw2.MISTAKES`` holds the mistakes)."""

SUBMISSIONS: dict[str, dict[str, str]] = {
    "degree_errors": {
        "scaler_fitted_on_validation": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    train_errors, val_errors = [], []
    for D in degrees:
        F_tr = StandardScaler().fit_transform(polynomial_features(X_train, D))
        F_va = StandardScaler().fit_transform(polynomial_features(X_val, D))
        w, b = fit(F_tr, y_train)
        train_errors.append(np.mean((F_tr @ w + b >= 0) != y_train))
        val_errors.append(np.mean((F_va @ w + b >= 0) != y_val))
    return np.array(train_errors), np.array(val_errors)
''',
        "scaler_fitted_on_all_data": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    train_errors, val_errors = [], []
    for D in degrees:
        F_tr, F_va = polynomial_features(X_train, D), polynomial_features(X_val, D)
        scaler = StandardScaler().fit(np.concatenate([F_tr, F_va]))
        F_tr, F_va = scaler.transform(F_tr), scaler.transform(F_va)
        w, b = fit(F_tr, y_train)
        train_errors.append(np.mean((F_tr @ w + b >= 0) != y_train))
        val_errors.append(np.mean((F_va @ w + b >= 0) != y_val))
    return np.array(train_errors), np.array(val_errors)
''',
        "not_standardized": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    tr, va = [], []
    for degree in degrees:
        F_train = polynomial_features(X_train, degree)
        F_val = polynomial_features(X_val, degree)
        w, b = fit(F_train, y_train)
        tr.append(np.mean(((F_train @ w + b) >= 0).astype(int) != y_train))
        va.append(np.mean(((F_val @ w + b) >= 0).astype(int) != y_val))
    return np.array(tr), np.array(va)
''',
        "accuracy_not_error": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    train_err = np.zeros(len(degrees))
    val_err = np.zeros(len(degrees))
    for i, degree in enumerate(degrees):
        F_train = polynomial_features(X_train, degree)
        scaler = StandardScaler().fit(F_train)
        F_train = scaler.transform(F_train)
        F_val = scaler.transform(polynomial_features(X_val, degree))
        w, b = fit(F_train, y_train)
        train_err[i] = np.mean((F_train @ w + b >= 0) == y_train)
        val_err[i] = np.mean((F_val @ w + b >= 0) == y_val)
    return train_err, val_err
''',
        "error_count_not_rate": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    train_err, val_err = [], []
    for degree in degrees:
        F_train = polynomial_features(X_train, degree)
        scaler = StandardScaler().fit(F_train)
        F_train, F_val = scaler.transform(F_train), scaler.transform(polynomial_features(X_val, degree))
        w, b = fit(F_train, y_train)
        pred_train = (F_train @ w + b >= 0).astype(int)
        pred_val = (F_val @ w + b >= 0).astype(int)
        train_err.append(np.sum(pred_train != y_train))
        val_err.append(np.sum(pred_val != y_val))
    return np.array(train_err), np.array(val_err)
''',
        "outputs_swapped": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    errors = {"val": [], "train": []}
    for degree in degrees:
        scaler = StandardScaler().fit(polynomial_features(X_train, degree))
        F_train = scaler.transform(polynomial_features(X_train, degree))
        F_val = scaler.transform(polynomial_features(X_val, degree))
        w, b = fit(F_train, y_train)
        errors["val"].append(np.mean((F_val @ w + b >= 0) != y_val))
        errors["train"].append(np.mean((F_train @ w + b >= 0) != y_train))
    return tuple(np.array(e) for e in errors.values())
''',
        "validation_on_training": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    train_err, val_err = [], []
    for degree in degrees:
        F_train = polynomial_features(X_train, degree)
        scaler = StandardScaler().fit(F_train)
        F_train = scaler.transform(F_train)
        F_val = scaler.transform(polynomial_features(X_val, degree))
        w, b = fit(F_train, y_train)
        err = np.mean((F_train @ w + b >= 0) != y_train)
        train_err.append(err)
        val_err.append(err)
    return np.array(train_err), np.array(val_err)
''',
        "score_threshold": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    train_err, val_err = [], []
    for degree in degrees:
        F_train = polynomial_features(X_train, degree)
        scaler = StandardScaler().fit(F_train)
        F_train, F_val = scaler.transform(F_train), scaler.transform(polynomial_features(X_val, degree))
        w, b = fit(F_train, y_train)
        y_hat_train = (F_train @ w + b > 0.5)
        y_hat_val = (F_val @ w + b > 0.5)
        train_err.append(np.mean(y_hat_train != y_train))
        val_err.append(np.mean(y_hat_val != y_val))
    return np.array(train_err), np.array(val_err)
''',
        "degree_ignored": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    scaler = StandardScaler().fit(X_train)
    F_train, F_val = scaler.transform(X_train), scaler.transform(X_val)
    train_err, val_err = [], []
    for degree in degrees:
        w, b = fit(F_train, y_train)
        train_err.append(np.mean((F_train @ w + b >= 0) != y_train))
        val_err.append(np.mean((F_val @ w + b >= 0) != y_val))
    return np.array(train_err), np.array(val_err)
''',
        "degrees_by_position": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    train_err, val_err = [], []
    for d in range(1, len(degrees) + 1):
        F_train = polynomial_features(X_train, d)
        scaler = StandardScaler().fit(F_train)
        F_train, F_val = scaler.transform(F_train), scaler.transform(polynomial_features(X_val, d))
        w, b = fit(F_train, y_train)
        train_err.append(np.mean((F_train @ w + b >= 0) != y_train))
        val_err.append(np.mean((F_val @ w + b >= 0) != y_val))
    return np.array(train_err), np.array(val_err)
''',
    },
    "logistic_loss": {
        "not_stable": '''def logistic_loss(w, b, X, y, alpha=0.0):
    z = X @ w + b
    cross_entropy = np.log(1 + np.exp(z)) - y * z
    return float(np.mean(cross_entropy) + alpha / 2 * np.sum(w ** 2))
''',
        "penalized_intercept": '''def logistic_loss(w, b, X, y, alpha=0.0):
    z = X @ w + b
    theta = np.append(w, b)
    return float(np.mean(np.logaddexp(0, z) - y * z) + alpha / 2 * theta @ theta)
''',
        "l2_penalty_missing": '''def logistic_loss(w, b, X, y, alpha=0.0):
    z = X @ w + b
    return float(np.mean(np.logaddexp(0, z) - y * z))
''',
        "l2_penalty_doubled": '''def logistic_loss(w, b, X, y, alpha=0.0):
    z = X @ w + b
    loss = np.mean(np.logaddexp(0, z) - y * z)
    return float(loss + alpha * np.dot(w, w))
''',
        "penalty_divided_by_n": '''def logistic_loss(w, b, X, y, alpha=0.0):
    m = X.shape[0]
    z = X @ w + b
    cost = np.sum(np.logaddexp(0, z) - y * z) / m
    return float(cost + alpha / (2 * m) * np.sum(np.square(w)))
''',
        "penalty_not_squared": '''def logistic_loss(w, b, X, y, alpha=0.0):
    z = X @ w + b
    return float(np.mean(np.logaddexp(0, z) - y * z) + alpha / 2 * np.linalg.norm(w))
''',
        "l1_instead_of_l2": '''def logistic_loss(w, b, X, y, alpha=0.0):
    z = X @ w + b
    return float(np.mean(np.logaddexp(0, z) - y * z) + alpha * np.sum(np.abs(w)))
''',
        "mean_vs_sum": '''def logistic_loss(w, b, X, y, alpha=0.0):
    total = 0.0
    for i in range(len(y)):
        z_i = X[i] @ w + b
        total += np.logaddexp(0, z_i) - y[i] * z_i
    return float(total + alpha / 2 * np.sum(w ** 2))
''',
        "likelihood_not_loss": '''def logistic_loss(w, b, X, y, alpha=0.0):
    z = X @ w + b
    log_lik = np.mean(y * z - np.logaddexp(0, z))
    return float(log_lik + alpha / 2 * np.sum(w ** 2))
''',
        "labels_plus_minus_one": '''def logistic_loss(w, b, X, y, alpha=0.0):
    margins = y * (X @ w + b)
    return float(np.mean(np.logaddexp(0, -margins)) + 0.5 * alpha * np.sum(w * w))
''',
        "ignores_intercept": '''def logistic_loss(w, b, X, y, alpha=0.0):
    z = np.dot(X, w)
    return float(np.mean(np.logaddexp(0, z) - y * z) + alpha / 2 * np.sum(w ** 2))
''',
    },
    "logistic_loss_grad": {
        "not_stable": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    n = len(y)
    e = np.exp(X @ w + b)
    p = e / (1 + e)
    return X.T @ (p - y) / n + alpha * w, float(np.sum(p - y) / n)
''',
        "penalized_intercept": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    p = np.exp(-np.logaddexp(0, -(X @ w + b)))
    n = X.shape[0]
    return X.T @ (p - y) / n + alpha * w, float(np.sum(p - y) / n + alpha * b)
''',
        "l2_penalty_missing": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    p = np.exp(-np.logaddexp(0, -(X @ w + b)))
    error = p - y
    return X.T @ error / len(y), float(np.mean(error))
''',
        "l2_grad_halved": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    p = np.exp(-np.logaddexp(0, -(X @ w + b)))
    r = (p - y) / X.shape[0]
    return X.T @ r + alpha / 2 * w, float(np.sum(r))
''',
        "l2_grad_doubled": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    p = np.exp(-np.logaddexp(0, -(X @ w + b)))
    r = (p - y) / X.shape[0]
    return X.T @ r + 2 * alpha * w, float(np.sum(r))
''',
        "penalty_divided_by_n": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    m = X.shape[0]
    A = np.exp(-np.logaddexp(0, -(X @ w + b)))
    dw = (X.T @ (A - y) + alpha * w) / m
    db = np.sum(A - y) / m
    return dw, float(db)
''',
        "mean_vs_sum": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    gw = np.zeros(X.shape[1])
    gb = 0.0
    for x_i, y_i in zip(X, y):
        z = x_i @ w + b
        p = np.exp(-np.logaddexp(0, -z))
        gw += (p - y_i) * x_i
        gb += p - y_i
    return gw + alpha * w, float(gb)
''',
        "likelihood_not_loss": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    p = np.exp(-np.logaddexp(0, -(X @ w + b)))
    r = (y - p) / X.shape[0]
    return X.T @ r + alpha * w, float(np.sum(r))
''',
        "ignores_intercept": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    p = np.exp(-np.logaddexp(0, -(X @ w)))
    r = (p - y) / X.shape[0]
    return X.T @ r + alpha * w, float(np.sum(r))
''',
    },
    "soft_threshold": {
        "crosses_zero": '''def soft_threshold(x, t):
    return x - t * np.sign(x)
''',
        "hard_threshold": '''def soft_threshold(x, t):
    out = np.array(x, dtype=float)
    out[np.abs(out) <= t] = 0.0
    return out
''',
        "one_sided": '''def soft_threshold(x, t):
    return np.maximum(x - t, 0)
''',
        "sign_lost": '''def soft_threshold(x, t):
    return np.maximum(np.abs(x) - t, 0.0)
''',
        "sign_flipped": '''def soft_threshold(x, t):
    return np.sign(x) * np.minimum(t - np.abs(x), 0)
''',
        "clipped": '''def soft_threshold(x, t):
    return np.clip(x, -t, t)
''',
        "l2_shrinkage": '''def soft_threshold(x, t):
    return x / (1.0 + t)
''',
    },
    "proximal_step": {
        "threshold_not_scaled": '''def proximal_step(w, grad_w, step, alpha):
    w_half = w - step * grad_w
    return soft_threshold(w_half, alpha)
''',
        "gradient_not_scaled": '''def proximal_step(w, grad_w, step, alpha):
    return soft_threshold(w - grad_w, step * alpha)
''',
        "shrink_before_step": '''def proximal_step(w, grad_w, step, alpha):
    w = soft_threshold(w, step * alpha)
    return w - step * grad_w
''',
        "no_gradient_step": '''def proximal_step(w, grad_w, step, alpha):
    return soft_threshold(w, step * alpha)
''',
        "no_threshold": '''def proximal_step(w, grad_w, step, alpha):
    new_w = w - step * grad_w
    return new_w
''',
        "subgradient_not_prox": '''def proximal_step(w, grad_w, step, alpha):
    subgrad = grad_w + alpha * np.sign(w)
    return w - step * subgrad
''',
        "ascent": '''def proximal_step(w, grad_w, step, alpha):
    return soft_threshold(w + step * grad_w, step * alpha)
''',
    },
    "lasso_logistic": {
        "penalized_intercept": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    d = X.shape[1]
    theta = np.zeros(d + 1)
    if w0 is not None:
        theta[:d] = w0
    theta[d] = b0
    for _ in range(n_steps):
        gw, gb = logistic_loss_grad(theta[:d], theta[d], X, y)
        theta = soft_threshold(theta - step * np.append(gw, gb), step * alpha)
    return theta[:d], float(theta[d])
''',
        "smooth_part_penalized": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    for _ in range(n_steps):
        gw, gb = logistic_loss_grad(w, b, X, y, alpha)
        w, b = proximal_step(w, gw, step, alpha), b - step * gb
    return w, b
''',
        "subgradient_not_prox": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    for k in range(n_steps):
        gw, gb = logistic_loss_grad(w, b, X, y)
        w = w - step * (gw + alpha * np.sign(w))
        b = b - step * gb
    return w, b
''',
        "ignores_start": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(n_steps):
        gw, gb = logistic_loss_grad(w, b, X, y)
        w, b = proximal_step(w, gw, step, alpha), b - step * gb
    return w, b
''',
        "intercept_not_updated": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = b0
    for _ in range(n_steps):
        grad_w, _ = logistic_loss_grad(w, b, X, y)
        w = proximal_step(w, grad_w, step, alpha)
    return w, b
''',
        "intercept_at_new_w": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    for _ in range(n_steps):
        w = proximal_step(w, logistic_loss_grad(w, b, X, y)[0], step, alpha)
        b = b - step * logistic_loss_grad(w, b, X, y)[1]
    return w, b
''',
        "gradient_summed": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    for _ in range(n_steps):
        p = 1 / (1 + np.exp(-np.clip(X @ w + b, -500, 500)))
        gw = X.T @ (p - y)
        gb = np.sum(p - y)
        w = soft_threshold(w - step * gw, step * alpha)
        b = b - step * gb
    return w, b
''',
        "ascent": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    for _ in range(n_steps):
        gw, gb = logistic_loss_grad(w, b, X, y)
        w = proximal_step(w, -gw, step, alpha)
        b += step * gb
    return w, b
''',
        "modifies_w0": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    w = np.zeros(X.shape[1]) if w0 is None else w0
    b = b0
    for _ in range(n_steps):
        gw, gb = logistic_loss_grad(w, b, X, y)
        w[:] = proximal_step(w, gw, step, alpha)
        b -= step * gb
    return w, b
''',
    },
    "lasso_path": {
        "cold_start": '''def lasso_path(X, y, alphas, step, n_steps):
    coefs, intercepts = [], []
    for alpha in alphas:
        w, b = lasso_logistic(X, y, alpha, step, n_steps)
        coefs.append(w)
        intercepts.append(b)
    return np.array(coefs), np.array(intercepts)
''',
        "intercept_not_warm_started": '''def lasso_path(X, y, alphas, step, n_steps):
    w = None
    coefs, intercepts = [], []
    for alpha in alphas:
        w, b = lasso_logistic(X, y, alpha, step, n_steps, w0=w)
        coefs.append(w)
        intercepts.append(b)
    return np.array(coefs), np.array(intercepts)
''',
        "weights_not_warm_started": '''def lasso_path(X, y, alphas, step, n_steps):
    b = 0.0
    coefs, intercepts = [], []
    for alpha in alphas:
        w, b = lasso_logistic(X, y, alpha, step, n_steps, b0=b)
        coefs.append(w)
        intercepts.append(b)
    return np.array(coefs), np.array(intercepts)
''',
        "alphas_sorted": '''def lasso_path(X, y, alphas, step, n_steps):
    w, b = None, 0.0
    coefs, intercepts = [], []
    for alpha in sorted(alphas):
        w, b = lasso_logistic(X, y, alpha, step, n_steps, w0=w, b0=b)
        coefs.append(w)
        intercepts.append(b)
    return np.array(coefs), np.array(intercepts)
''',
        "path_from_smallest": '''def lasso_path(X, y, alphas, step, n_steps):
    m, d = len(alphas), X.shape[1]
    coefs, intercepts = np.zeros((m, d)), np.zeros(m)
    w, b = np.zeros(d), 0.0
    for k in reversed(range(m)):
        w, b = lasso_logistic(X, y, alphas[k], step, n_steps, w, b)
        coefs[k], intercepts[k] = w, b
    return coefs, intercepts
''',
        "coefs_transposed": '''def lasso_path(X, y, alphas, step, n_steps):
    w, b = None, 0.0
    coefs, intercepts = [], []
    for alpha in alphas:
        w, b = lasso_logistic(X, y, alpha, step, n_steps, w0=w, b0=b)
        coefs.append(w)
        intercepts.append(b)
    return np.column_stack(coefs), np.array(intercepts)
''',
        "last_fit_only": '''def lasso_path(X, y, alphas, step, n_steps):
    w, b = None, 0.0
    for alpha in alphas:
        w, b = lasso_logistic(X, y, alpha, step, n_steps, w0=w, b0=b)
    return w, b
''',
    },
    "choose_alpha": {
        "lowest_score": '''def choose_alpha(alphas, val_scores):
    alphas, val_scores = np.asarray(alphas, dtype=float), np.asarray(val_scores, dtype=float)
    best = val_scores.min()
    return float(alphas[val_scores == best].max())
''',
        "tie_first_in_order": '''def choose_alpha(alphas, val_scores):
    i = np.argmax(val_scores)
    return alphas[i]
''',
        "tie_last_in_order": '''def choose_alpha(alphas, val_scores):
    best_alpha, best_score = None, -1.0
    for a, s in zip(alphas, val_scores):
        if s >= best_score:
            best_alpha, best_score = a, s
    return best_alpha
''',
        "tie_smallest_alpha": '''def choose_alpha(alphas, val_scores):
    alphas, val_scores = np.asarray(alphas), np.asarray(val_scores)
    candidates = alphas[val_scores == np.max(val_scores)]
    return float(np.min(candidates))
''',
        "returns_index": '''def choose_alpha(alphas, val_scores):
    return int(np.argmax(val_scores))
''',
        "returns_score": '''def choose_alpha(alphas, val_scores):
    val_scores = np.asarray(val_scores)
    best = val_scores.max()
    return best
''',
    },
    "chosen_alpha": {
        "chosen_on_test": '''acc_test = path_accuracy(X_test, y_test)
alpha_best = alphas[np.argmax(acc_test)]
''',
        "chosen_on_training": '''alpha_best = alphas[np.argmax(acc_fit)]
''',
        "lowest_validation_accuracy": '''alpha_best = alphas[np.argmin(acc_val)]
''',
        "position_not_alpha": '''alpha_best = np.argmax(acc_val)
''',
    },
}
"""Part (grade id) -> mistake name -> the source of the part's answer cell."""
