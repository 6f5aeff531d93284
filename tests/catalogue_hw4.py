"""Test submissions of hw4-gradients' mistake catalogue: part -> mistake -> the answer cell as a student
writes it (``coursekit.grading.mistakes_hw4.MISTAKES``). Plain data; the cells may call the notebook's other
graded functions (``sigmoid_forward``, ``linear_backward``, ...), which the checks replace by correct ones."""

SUBMISSIONS: dict[str, dict[str, str]] = {
    "linear_forward": {
        "bias_not_added": '''def linear_forward(X, W, b):
    Z = np.dot(X, W)
    cache = (X, W, b)
    return Z, cache
''',
        "weights_transposed": '''def linear_forward(X, W, b):
    # like torch.nn.Linear: out = x W^T + b
    out = X @ W.T + b
    return out, (X, W, b)
''',
        "no_cache": '''def linear_forward(X, W, b):
    Z = X @ W + b
    return Z
''',
        "cache_without_b": '''def linear_forward(X, W, b):
    Z = X.dot(W) + b
    cache = (X, W)  # b is not needed for the gradients
    return Z, cache
''',
        "cache_out_of_order": '''def linear_forward(X, W, b):
    Z = X @ W + b
    cache = (W, X, b)
    return Z, cache
''',
        "cache_holds_output": '''def linear_forward(X, W, b):
    Z = np.matmul(X, W) + b
    cache = Z
    return Z, cache
''',
    },
    "linear_backward": {
        "bias_grad_per_sample": '''def linear_backward(dZ, cache):
    X, W, b = cache
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ
    return dX, dW, db
''',
        "bias_grad_mean": '''def linear_backward(dZ, cache):
    X, W, b = cache
    return dZ @ W.T, X.T @ dZ, np.mean(dZ, axis=0)
''',
        "bias_grad_keepdims": '''def linear_backward(dZ, cache):
    X, W, b = cache
    dX = np.dot(dZ, W.T)
    dW = np.dot(X.T, dZ)
    db = np.sum(dZ, axis=0, keepdims=True)
    return dX, dW, db
''',
        "bias_grad_wrong_axis": '''def linear_backward(dZ, cache):
    X, W, b = cache
    db = dZ.sum(axis=1)
    return dZ @ W.T, X.T @ dZ, db
''',
        "bias_grad_total": '''def linear_backward(dZ, cache):
    X, W, b = cache
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = np.sum(dZ)
    return dX, dW, db
''',
        "averaged_again": '''def linear_backward(dZ, cache):
    X, W, b = cache
    m = X.shape[0]
    dW = 1 / m * np.dot(X.T, dZ)
    db = 1 / m * np.sum(dZ, axis=0)
    dX = np.dot(dZ, W.T)
    return dX, dW, db
''',
        "weight_grad_transposed": '''def linear_backward(dZ, cache):
    X, W, b = cache
    dW = dZ.T @ X
    dX = dZ @ W.T
    db = dZ.sum(axis=0)
    return dX, dW, db
''',
        "dX_dW_swapped": '''def linear_backward(dZ, cache):
    X, W, b = cache
    dW = X.T @ dZ
    dX = dZ @ W.T
    db = dZ.sum(axis=0)
    return dW, dX, db
''',
    },
    "sigmoid_forward": {
        "not_stable": '''def sigmoid_forward(Z):
    A = 1.0 / (1.0 + np.exp(-Z))
    return A, Z
''',
        "complement": '''def sigmoid_forward(Z):
    # sigma(z) = (1 + tanh(z / 2)) / 2, no overflow
    A = 0.5 * (1 - np.tanh(Z / 2))
    return A, Z
''',
        "abs_branch": '''def sigmoid_forward(Z):
    e = np.exp(-np.abs(Z))  # never overflows
    A = 1 / (1 + e)
    return A, Z
''',
        "tanh_half_missing": '''def sigmoid_forward(Z):
    A = 0.5 * (1 + np.tanh(Z))
    return A, Z
''',
        "cache_holds_output": '''def sigmoid_forward(Z):
    e = np.exp(-np.abs(Z))
    A = np.where(Z >= 0, 1 / (1 + e), e / (1 + e))
    cache = A
    return A, cache
''',
        "no_cache": '''def sigmoid_forward(Z):
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + e), e / (1 + e))
''',
    },
    "sigmoid_backward": {
        "sigmoid_applied_twice": '''def sigmoid_backward(dA, cache):
    A, _ = sigmoid_forward(cache)
    s, _ = sigmoid_forward(A)
    return dA * s * (1 - s)
''',
        "z_not_sigmoid": '''def sigmoid_backward(dA, cache):
    s = cache
    dZ = dA * s * (1 - s)
    return dZ
''',
        "ignores_upstream_grad": '''def sigmoid_backward(dA, cache):
    s, _ = sigmoid_forward(cache)
    return s * (1 - s)
''',
        "sign_flipped": '''def sigmoid_backward(dA, cache):
    s, _ = sigmoid_forward(cache)
    return dA * s * (s - 1)
''',
        "tanh_derivative": '''def sigmoid_backward(dA, cache):
    s, _ = sigmoid_forward(cache)
    return dA * (1 - s ** 2)
''',
        "square_missing": '''def sigmoid_backward(dA, cache):
    Z = cache
    s, _ = sigmoid_forward(Z)
    # d/dz 1/(1+e^-z) = e^-z / (1+e^-z)
    return dA * (1 - s)
''',
    },
    "relu_forward": {
        "cache_holds_output": '''def relu_forward(Z):
    Z[Z < 0] = 0
    return Z, Z
''',
        "modifies_input": '''def relu_forward(Z):
    cache = Z.copy()
    Z[Z < 0] = 0
    return Z, cache
''',
        "no_cache": '''def relu_forward(Z):
    return np.maximum(0, Z)
''',
        "max_not_maximum": '''def relu_forward(Z):
    A = np.max(Z, 0)
    return A, Z
''',
        "minimum_not_maximum": '''def relu_forward(Z):
    A = np.minimum(Z, 0)
    return A, Z
''',
        "leaky": '''def relu_forward(Z):
    A = np.where(Z > 0, Z, 0.01 * Z)
    return A, Z
''',
        "returns_mask": '''def relu_forward(Z):
    A = (Z > 0) * 1.0
    return A, Z
''',
    },
    "relu_backward": {
        "output_not_mask": '''def relu_backward(dA, cache):
    A, _ = relu_forward(cache)
    return dA * A
''',
        "mask_reversed": '''def relu_backward(dA, cache):
    Z = cache
    dZ = dA * (Z <= 0)
    return dZ
''',
        "ignores_upstream_grad": '''def relu_backward(dA, cache):
    Z = cache
    return np.where(Z > 0, 1.0, 0.0)
''',
        "mask_from_upstream": '''def relu_backward(dA, cache):
    dZ = np.array(dA, copy=True)
    dZ[dA <= 0] = 0
    return dZ
''',
        "sign_not_mask": '''def relu_backward(dA, cache):
    return dA * np.sign(cache)
''',
        "modifies_upstream": '''def relu_backward(dA, cache):
    Z = cache
    dZ = dA
    dZ[Z <= 0] = 0
    return dZ
''',
    },
    "mlp_loss_grad": {
        "output_activation": '''def mlp_loss_grad(params, X, y, activation="relu"):
    fwd = sigmoid_forward if activation == "sigmoid" else relu_forward
    bwd = sigmoid_backward if activation == "sigmoid" else relu_backward
    caches, A = [], X
    for i in range(0, len(params), 2):
        Z, lin = linear_forward(A, params[i], params[i + 1])
        A, act = fwd(Z)
        caches.append((lin, act))
    loss, dA = bce_with_logits(A, y)
    grads = [None] * len(params)
    for i in range(len(caches) - 1, -1, -1):
        lin, act = caches[i]
        dA, grads[2 * i], grads[2 * i + 1] = linear_backward(bwd(dA, act), lin)
    return loss, grads
''',
        "activation_grad_skipped": '''def mlp_loss_grad(params, X, y, activation="relu"):
    fwd = sigmoid_forward if activation == "sigmoid" else relu_forward
    L = len(params) // 2
    A, lin_caches = X, []
    for l in range(L):
        Z, c = linear_forward(A, params[2 * l], params[2 * l + 1])
        lin_caches.append(c)
        A = fwd(Z)[0] if l < L - 1 else Z
    loss, dA = bce_with_logits(A, y)
    grads = [None] * len(params)
    for l in reversed(range(L)):
        dA, grads[2 * l], grads[2 * l + 1] = linear_backward(dA, lin_caches[l])
    return loss, grads
''',
        "activation_ignored": '''def mlp_loss_grad(params, X, y, activation="relu"):
    L = len(params) // 2
    A, caches = X, []
    for l in range(L):
        Z, lin = linear_forward(A, params[2 * l], params[2 * l + 1])
        if l == L - 1:
            A, act = Z, None
        else:
            A, act = relu_forward(Z)
        caches.append((lin, act))
    loss, dA = bce_with_logits(A, y)
    grads = [None] * len(params)
    for l in reversed(range(L)):
        lin, act = caches[l]
        dZ = dA if act is None else relu_backward(dA, act)
        dA, grads[2 * l], grads[2 * l + 1] = linear_backward(dZ, lin)
    return loss, grads
''',
        "loss_summed": '''def mlp_loss_grad(params, X, y, activation="relu"):
    Ws, bs = params[0::2], params[1::2]
    f = (lambda z: 1 / (1 + np.exp(-z))) if activation == "sigmoid" else (lambda z: np.maximum(z, 0))
    hs, zs = [X], []
    for l in range(len(Ws)):
        zs.append(hs[-1] @ Ws[l] + bs[l])
        hs.append(f(zs[-1]) if l < len(Ws) - 1 else zs[-1])
    z = zs[-1].ravel()
    loss = np.sum(np.logaddexp(0, z) - y * z)
    g = (1 / (1 + np.exp(-z)) - y).reshape(-1, 1)
    grads = []
    for l in range(len(Ws) - 1, -1, -1):
        grads = [hs[l].T @ g, g.sum(axis=0)] + grads
        if l > 0:
            g = g @ Ws[l].T
            g = g * (hs[l] * (1 - hs[l]) if activation == "sigmoid" else (zs[l - 1] > 0))
    return loss, grads
''',
        "dlogits_not_averaged": '''def mlp_loss_grad(params, X, y, activation="relu"):
    fwd = sigmoid_forward if activation == "sigmoid" else relu_forward
    bwd = sigmoid_backward if activation == "sigmoid" else relu_backward
    L = len(params) // 2
    A, caches = X, []
    for l in range(L):
        Z, lin = linear_forward(A, params[2 * l], params[2 * l + 1])
        A, act = fwd(Z) if l < L - 1 else (Z, None)
        caches.append((lin, act))
    loss, _ = bce_with_logits(A, y)
    p = 1 / (1 + np.exp(-A))
    dA = p - y.reshape(A.shape)
    grads = [None] * len(params)
    for l in reversed(range(L)):
        lin, act = caches[l]
        dZ = dA if act is None else bwd(dA, act)
        dA, grads[2 * l], grads[2 * l + 1] = linear_backward(dZ, lin)
    return loss, grads
''',
        "averaged_twice": '''def mlp_loss_grad(params, X, y, activation="relu"):
    fwd = sigmoid_forward if activation == "sigmoid" else relu_forward
    bwd = sigmoid_backward if activation == "sigmoid" else relu_backward
    m = X.shape[0]
    L = len(params) // 2
    A, caches = X, []
    for l in range(L):
        Z, lin = linear_forward(A, params[2 * l], params[2 * l + 1])
        A, act = fwd(Z) if l < L - 1 else (Z, None)
        caches.append((lin, act))
    loss, dA = bce_with_logits(A, y)
    grads = [None] * len(params)
    for l in reversed(range(L)):
        lin, act = caches[l]
        dZ = dA if act is None else bwd(dA, act)
        dA, dW, db = linear_backward(dZ, lin)
        grads[2 * l], grads[2 * l + 1] = dW / m, db / m
    return loss, grads
''',
        "grads_reversed": '''def mlp_loss_grad(params, X, y, activation="relu"):
    fwd = sigmoid_forward if activation == "sigmoid" else relu_forward
    bwd = sigmoid_backward if activation == "sigmoid" else relu_backward
    L = len(params) // 2
    A, caches = X, []
    for l in range(L):
        Z, lin = linear_forward(A, params[2 * l], params[2 * l + 1])
        A, act = fwd(Z) if l < L - 1 else (Z, None)
        caches.append((lin, act))
    loss, dA = bce_with_logits(A, y)
    grads = []
    for l in reversed(range(L)):
        lin, act = caches[l]
        dZ = dA if act is None else bwd(dA, act)
        dA, dW, db = linear_backward(dZ, lin)
        grads.append(db)
        grads.append(dW)
    return loss, grads
''',
        "weight_grads_transposed": '''def mlp_loss_grad(params, X, y, activation="relu"):
    Ws, bs = params[0::2], params[1::2]
    acts, pres = [X], []
    for i, (W, b) in enumerate(zip(Ws, bs)):
        pres.append(acts[-1] @ W + b)
        if i < len(Ws) - 1:
            acts.append(sigmoid_forward(pres[-1])[0] if activation == "sigmoid" else np.maximum(pres[-1], 0))
    loss, d = bce_with_logits(pres[-1], y)
    grads = [None] * len(params)
    for i in range(len(Ws) - 1, -1, -1):
        grads[2 * i] = d.T @ acts[i]
        grads[2 * i + 1] = d.sum(axis=0)
        if i > 0:
            d = d @ Ws[i].T
            d = sigmoid_backward(d, pres[i - 1]) if activation == "sigmoid" else d * (pres[i - 1] > 0)
    return loss, grads
''',
        "bias_grads_per_sample": '''def mlp_loss_grad(params, X, y, activation="relu"):
    fwd = sigmoid_forward if activation == "sigmoid" else relu_forward
    bwd = sigmoid_backward if activation == "sigmoid" else relu_backward
    L = len(params) // 2
    A, caches = X, []
    for l in range(L):
        Z, lin = linear_forward(A, params[2 * l], params[2 * l + 1])
        A, act = fwd(Z) if l < L - 1 else (Z, None)
        caches.append((lin, act))
    loss, dA = bce_with_logits(A, y)
    grads = [None] * len(params)
    for l in reversed(range(L)):
        (A_prev, W, b), act = caches[l]
        dZ = dA if act is None else bwd(dA, act)
        grads[2 * l] = A_prev.T @ dZ
        grads[2 * l + 1] = dZ
        dA = dZ @ W.T
    return loss, grads
''',
    },
    "xavier_init": {
        "fan_in_only": '''def xavier_init(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
''',
        "fan_out_only": '''def xavier_init(fan_in, fan_out, rng):
    std = 1 / np.sqrt(fan_out)
    return std * rng.standard_normal((fan_in, fan_out))
''',
        "variance_as_std": '''def xavier_init(fan_in, fan_out, rng):
    var = 2 / (fan_in + fan_out)
    return rng.normal(0, var, size=(fan_in, fan_out))
''',
        "factor_two_missing": '''def xavier_init(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(1 / (fan_in + fan_out)), (fan_in, fan_out))
''',
        "uniform_bound_is_std": '''def xavier_init(fan_in, fan_out, rng):
    limit = np.sqrt(2 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
''',
        "rand_not_randn": '''def xavier_init(fan_in, fan_out, rng):
    return rng.random((fan_in, fan_out)) * np.sqrt(2 / (fan_in + fan_out))
''',
        "parentheses": '''def xavier_init(fan_in, fan_out, rng):
    std = np.sqrt(2 / fan_in + fan_out)
    return rng.normal(0, std, size=(fan_in, fan_out))
''',
    },
    "he_init": {
        "one_over_fan_in": '''def he_init(fan_in, fan_out, rng):
    return rng.normal(0, 1 / np.sqrt(fan_in), size=(fan_in, fan_out))
''',
        "uses_both_fans": '''def he_init(fan_in, fan_out, rng):
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))
''',
        "variance_as_std": '''def he_init(fan_in, fan_out, rng):
    return rng.normal(0, 2 / fan_in, size=(fan_in, fan_out))
''',
        "fan_out": '''def he_init(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_out)
''',
        "sqrt_misplaced": '''def he_init(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * 2 / np.sqrt(fan_in)
''',
        "uniform_bound_is_std": '''def he_init(fan_in, fan_out, rng):
    s = np.sqrt(2 / fan_in)
    return rng.uniform(low=-s, high=s, size=(fan_in, fan_out))
''',
        "rand_not_randn": '''def he_init(fan_in, fan_out, rng):
    W = rng.random(size=(fan_in, fan_out))
    return W * np.sqrt(2.0 / fan_in)
''',
    },
    "layer_grad_norms": {
        "includes_biases": '''def layer_grad_norms(grads):
    return np.array([np.linalg.norm(g) for g in grads])
''',
        "squared_norms": '''def layer_grad_norms(grads):
    norms = []
    for i in range(0, len(grads), 2):
        norms.append(np.sum(grads[i] ** 2))
    return np.array(norms)
''',
        "global_norm": '''def layer_grad_norms(grads):
    total = 0.0
    for g in grads:
        total += np.sum(g * g)
    return np.sqrt(total)
''',
        "bias_norms": '''def layer_grad_norms(grads):
    return np.array([np.linalg.norm(grads[i]) for i in range(1, len(grads), 2)])
''',
        "spectral_norm": '''def layer_grad_norms(grads):
    return np.array([np.linalg.norm(dW, 2) for dW in grads[::2]])
''',
        "rms_not_norm": '''def layer_grad_norms(grads):
    return np.array([np.sqrt(np.mean(np.square(dW))) for dW in grads[::2]])
''',
        "l1_norm": '''def layer_grad_norms(grads):
    out = np.zeros(len(grads) // 2)
    for l in range(len(out)):
        out[l] = np.abs(grads[2 * l]).sum()
    return out
''',
    },
    "clip_grad_value_": {
        "not_in_place": '''def clip_grad_value_(grads, clip_value):
    for g in grads:
        g = np.clip(g, -clip_value, clip_value)
''',
        "one_sided": '''def clip_grad_value_(grads, clip_value):
    for g in grads:
        g[g > clip_value] = clip_value
''',
        "by_norm": '''def clip_grad_value_(grads, clip_value):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    if norm > clip_value:
        for g in grads:
            g *= clip_value / norm
''',
        "sign_lost": '''def clip_grad_value_(grads, clip_value):
    for g in grads:
        g[np.abs(g) > clip_value] = clip_value
''',
        "zeroes_large": '''def clip_grad_value_(grads, clip_value):
    for g in grads:
        g[np.abs(g) > clip_value] = 0.0
''',
        "lower_bound_zero": '''def clip_grad_value_(grads, clip_value):
    for i in range(len(grads)):
        np.clip(grads[i], 0, clip_value, out=grads[i])
''',
        "bounds_swapped": '''def clip_grad_value_(grads, clip_value):
    for g in grads:
        g[...] = np.minimum(np.maximum(g, clip_value), -clip_value)
''',
    },
    "clip_grad_norm_": {
        "per_tensor_clipping": '''def clip_grad_norm_(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    for g in grads:
        n = np.linalg.norm(g)
        if n > max_norm:
            g *= max_norm / (n + 1e-6)
    return total
''',
        "not_in_place": '''def clip_grad_norm_(grads, max_norm):
    total = np.sqrt(sum((g ** 2).sum() for g in grads))
    if total > max_norm:
        grads = [g * max_norm / total for g in grads]
    return total
''',
        "clips_by_value_not_norm": '''def clip_grad_norm_(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    for g in grads:
        np.clip(g, -max_norm, max_norm, out=g)
    return total
''',
        "returns_clipped_norm": '''def clip_grad_norm_(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    if total > max_norm:
        for g in grads:
            g *= max_norm / (total + 1e-6)
        total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return total
''',
        "always_rescales": '''def clip_grad_norm_(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    for g in grads:
        g *= max_norm / (total + 1e-6)
    return total
''',
        "norm_without_sqrt": '''def clip_grad_norm_(grads, max_norm):
    total = 0.0
    for g in grads:
        total += np.sum(g ** 2)
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for g in grads:
            g *= scale
    return total
''',
        "sum_of_norms": '''def clip_grad_norm_(grads, max_norm):
    total = sum(np.linalg.norm(g) for g in grads)
    if total > max_norm:
        for g in grads:
            g *= max_norm / (total + 1e-6)
    return total
''',
        "no_return": '''def clip_grad_norm_(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g *= scale
''',
    },
    "rnn_forward": {
        "no_recurrence": '''def rnn_forward(X, W_xh, W_hh, b):
    return np.tanh(X @ W_xh + b)
''',
        "whh_transposed": '''def rnn_forward(X, W_xh, W_hh, b):
    n, T, _ = X.shape
    h = np.zeros((n, W_hh.shape[0]))
    H = np.zeros((n, T, W_hh.shape[0]))
    for t in range(T):
        h = np.tanh(X[:, t] @ W_xh + h @ W_hh.T + b)
        H[:, t] = h
    return H
''',
        "includes_h0": '''def rnn_forward(X, W_xh, W_hh, b):
    states = [np.zeros((X.shape[0], W_hh.shape[0]))]
    for t in range(X.shape[1]):
        states.append(np.tanh(X[:, t] @ W_xh + states[-1] @ W_hh + b))
    return np.stack(states, axis=1)
''',
        "time_major": '''def rnn_forward(X, W_xh, W_hh, b):
    h = np.zeros((X.shape[0], W_hh.shape[0]))
    out = []
    for x_t in X.transpose(1, 0, 2):
        h = np.tanh(x_t @ W_xh + h @ W_hh + b)
        out.append(h)
    return np.array(out)
''',
        "bias_missing": '''def rnn_forward(X, W_xh, W_hh, b):
    n, T, d = X.shape
    h = np.zeros((n, len(b)))
    H = []
    for t in range(T):
        h = np.tanh(X[:, t, :] @ W_xh + h @ W_hh)
        H.append(h)
    return np.stack(H, axis=1)
''',
        "no_tanh": '''def rnn_forward(X, W_xh, W_hh, b):
    n, T, _ = X.shape
    H = np.zeros((n, T, W_hh.shape[0]))
    h = np.zeros((n, W_hh.shape[0]))
    for t in range(T):
        h = X[:, t] @ W_xh + h @ W_hh + b
        H[:, t] = h
    return H
''',
        "last_state_only": '''def rnn_forward(X, W_xh, W_hh, b):
    h = np.zeros((X.shape[0], W_hh.shape[0]))
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t] @ W_xh + h @ W_hh + b)
    return h
''',
        "states_shifted": '''def rnn_forward(X, W_xh, W_hh, b):
    n, T, _ = X.shape
    H = np.zeros((n, T, W_hh.shape[0]))
    h = np.zeros((n, W_hh.shape[0]))
    for t in range(T):
        H[:, t] = h
        h = np.tanh(X[:, t] @ W_xh + h @ W_hh + b)
    return H
''',
    },
    "rnn_backward": {
        "last_step_only": '''def rnn_backward(dh_T, X, H, W_hh):
    T = X.shape[1]
    du = dh_T * (1 - H[:, -1] ** 2)
    h_prev = H[:, -2] if T > 1 else np.zeros_like(H[:, -1])
    norms = np.zeros(T)
    norms[-1] = np.linalg.norm(dh_T)
    return X[:, -1].T @ du, h_prev.T @ du, du.sum(axis=0), norms
''',
        "dh_not_propagated": '''def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    dW_xh, dW_hh, db = np.zeros((d, W_hh.shape[0])), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])
    norms = np.zeros(T)
    for t in range(T - 1, -1, -1):
        norms[t] = np.linalg.norm(dh_T)
        du = dh_T * (1 - H[:, t] ** 2)
        h_prev = H[:, t - 1] if t > 0 else np.zeros((n, W_hh.shape[0]))
        dW_xh += X[:, t].T @ du
        dW_hh += h_prev.T @ du
        db += du.sum(axis=0)
    return dW_xh, dW_hh, db, norms
''',
        "tanh_applied_twice": '''def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    dW_xh, dW_hh, db = np.zeros((d, W_hh.shape[0])), np.zeros(W_hh.shape), np.zeros(W_hh.shape[0])
    norms = np.zeros(T)
    dh = dh_T
    for t in reversed(range(T)):
        norms[t] = np.linalg.norm(dh)
        du = dh * (1 - np.tanh(H[:, t]) ** 2)
        h_prev = H[:, t - 1] if t > 0 else 0 * H[:, 0]
        dW_xh += X[:, t].T @ du
        dW_hh += h_prev.T @ du
        db += du.sum(axis=0)
        dh = du @ W_hh.T
    return dW_xh, dW_hh, db, norms
''',
        "tanh_grad_missing": '''def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    dW_xh = np.zeros((d, W_hh.shape[0]))
    dW_hh = np.zeros_like(W_hh)
    db = np.zeros(W_hh.shape[0])
    norms = []
    dh = dh_T
    for t in range(T - 1, -1, -1):
        norms.append(np.linalg.norm(dh))
        h_prev = H[:, t - 1] if t >= 1 else np.zeros_like(dh)
        dW_xh += X[:, t].T @ dh
        dW_hh += h_prev.T @ dh
        db += dh.sum(axis=0)
        dh = dh @ W_hh.T
    return dW_xh, dW_hh, db, np.array(norms[::-1])
''',
        "wrong_state": '''def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    dW_xh, dW_hh, db = np.zeros((d, W_hh.shape[0])), np.zeros(W_hh.shape), np.zeros(W_hh.shape[0])
    norms = np.zeros(T)
    dh = dh_T
    for t in reversed(range(T)):
        norms[t] = np.linalg.norm(dh)
        du = dh * (1 - H[:, t] ** 2)
        dW_xh += X[:, t].T @ du
        dW_hh += H[:, t].T @ du
        db += du.sum(axis=0)
        dh = du @ W_hh.T
    return dW_xh, dW_hh, db, norms
''',
        "dwhh_not_accumulated": '''def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    dW_xh, dW_hh, db = np.zeros((d, W_hh.shape[0])), np.zeros(W_hh.shape), np.zeros(W_hh.shape[0])
    norms = np.zeros(T)
    dh = dh_T
    for t in reversed(range(T)):
        norms[t] = np.linalg.norm(dh)
        du = dh * (1 - H[:, t] ** 2)
        h_prev = H[:, t - 1] if t > 0 else np.zeros_like(H[:, 0])
        dW_xh += X[:, t].T @ du
        dW_hh = h_prev.T @ du
        db += du.sum(axis=0)
        dh = du @ W_hh.T
    return dW_xh, dW_hh, db, norms
''',
        "bias_grad_per_sample": '''def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    dW_xh, dW_hh, db = np.zeros((d, W_hh.shape[0])), np.zeros(W_hh.shape), 0
    norms = np.zeros(T)
    dh = dh_T
    for t in reversed(range(T)):
        norms[t] = np.linalg.norm(dh)
        du = dh * (1 - H[:, t] ** 2)
        h_prev = H[:, t - 1] if t > 0 else np.zeros_like(H[:, 0])
        dW_xh += X[:, t].T @ du
        dW_hh += h_prev.T @ du
        db = db + du
        dh = du @ W_hh.T
    return dW_xh, dW_hh, db, norms
''',
        "norms_shifted": '''def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    dW_xh, dW_hh, db = np.zeros((d, W_hh.shape[0])), np.zeros(W_hh.shape), np.zeros(W_hh.shape[0])
    norms = np.zeros(T)
    dh = dh_T
    for t in reversed(range(T)):
        du = dh * (1 - H[:, t] ** 2)
        h_prev = H[:, t - 1] if t > 0 else np.zeros_like(H[:, 0])
        dW_xh += X[:, t].T @ du
        dW_hh += h_prev.T @ du
        db += du.sum(axis=0)
        dh = du @ W_hh.T
        norms[t] = np.linalg.norm(dh)
    return dW_xh, dW_hh, db, norms
''',
        "norms_reversed": '''def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    dW_xh, dW_hh, db = np.zeros((d, W_hh.shape[0])), np.zeros(W_hh.shape), np.zeros(W_hh.shape[0])
    norms = []
    dh = dh_T
    for t in reversed(range(T)):
        norms.append(np.linalg.norm(dh))
        du = dh * (1 - H[:, t] ** 2)
        h_prev = H[:, t - 1] if t > 0 else np.zeros_like(H[:, 0])
        dW_xh += X[:, t].T @ du
        dW_hh += h_prev.T @ du
        db += du.sum(axis=0)
        dh = du @ W_hh.T
    return dW_xh, dW_hh, db, np.array(norms)
''',
    },
}
