"""Tests of coursekit.nn against independent oracles: finite differences, hand-written forward passes,
batch-norm formulas written out here (torch.nn.BatchNorm1d's documented behaviour), scikit-learn's losses,
the variance formulas of the initializations, and the vanishing/exploding invariants of book/gradients.md."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_squared_error

from coursekit import nn

REL_TOL = 1e-6  # float64 gradient checks: relative error below this
KINK_MARGIN = 1e-4  # relu/leaky_relu pre-activations must stay this far from 0 so that eps=1e-6 never crosses
ACTS = ["sigmoid", "tanh", "relu", "leaky_relu"]
INITS = ["normal", "xavier", "he"]

# The test's own activations (the oracle for forward passes).
REF_ACT = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "identity": lambda z: z,
}


def reference_forward(net: nn.MLP, X: np.ndarray, act: str, residual=False, bn=False):
    """Explicit loop of matrix products (train-mode batch norm with the biased variance)."""
    P = dict(zip(net.param_names, net.params, strict=True))
    n_layers = len(net.sizes) - 1
    h, pre = X, []
    for i in range(n_layers):
        z = h @ P[f"W{i}"] + P.get(f"b{i}", 0.0)
        if i == n_layers - 1:
            return z, pre
        if bn:
            z = P[f"gamma{i}"] * (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5) + P[f"beta{i}"]
        pre.append(z)
        a = REF_ACT[act](z)
        h = h + a if residual and i > 0 and h.shape[1] == a.shape[1] else a


def kink_free_batch(net: nn.MLP, act, residual=False, bn=False, n=10):
    """The first seeded batch whose relu/leaky_relu pre-activations all stay KINK_MARGIN away from 0."""
    for seed in range(100):
        X, y = data(n=n, d=net.sizes[0], k=net.sizes[-1], seed=seed)
        logits, pre = reference_forward(net, X, act, residual, bn)
        if act not in ("relu", "leaky_relu") or min(np.abs(u).min() for u in pre) > KINK_MARGIN:
            return X, y, logits
    raise AssertionError("no kink-free batch among 100 seeds")


def check_mlp_gradients(net: nn.MLP, act, residual=False, bn=False, n=10):
    X, y, logits = kink_free_batch(net, act, residual, bn, n)
    np.testing.assert_allclose(net.forward(X), logits, rtol=1e-12, atol=1e-12)
    _, dlogits = nn.softmax_cross_entropy(net.forward(X), y)
    net.backward(dlogits)
    check = nn.gradient_check(lambda: nn.softmax_cross_entropy(net.forward(X), y)[0], net.params, net.grads)
    assert check.passed(REL_TOL), (net.param_names[check.worst_param], check)
    return check


def data(n=10, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(k, size=n)


# -------------------------------------------------------------------------------------------- activations
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
def test_activation_values_and_derivatives(name):
    f, df = nn.activation(name)
    z = np.concatenate([np.linspace(-6, -0.01, 50), np.linspace(0.01, 6, 50)])  # away from the kink
    np.testing.assert_allclose(f(z), REF_ACT[name](z), rtol=1e-14, atol=1e-15)
    eps = 1e-6
    np.testing.assert_allclose(df(z), (f(z + eps) - f(z - eps)) / (2 * eps), rtol=1e-7, atol=1e-9)


def test_activations_stable_for_huge_inputs():
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = nn.sigmoid(z)
        ds = nn.sigmoid_grad(z)
    np.testing.assert_array_equal(s, [0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(ds, [0.0, 0.0, 0.25, 0.0, 0.0])
    assert nn.leaky_relu_grad(np.array([-3.0]))[0] == pytest.approx(0.01)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.activation("gelu")


# ---------------------------------------------------------------------------------------- initializations
@pytest.mark.parametrize(("method", "var"),
                         [("xavier", 2 / (300 + 500)), ("he", 2 / 300), ("normal", 0.05**2)])
def test_init_variance_matches_formula(method, var):
    W = nn.init_weights(300, 500, method, scale=0.05, rng=0)
    assert W.shape == (300, 500)
    # 150k draws: the sample variance has a relative standard error sqrt(2/N) ~ 0.4%
    assert W.var() == pytest.approx(var, rel=0.03)
    assert abs(W.mean()) < 4 * np.sqrt(var / W.size)


def test_init_is_seeded_and_validates():
    np.testing.assert_array_equal(nn.init_weights(4, 3, "he", rng=7), nn.init_weights(4, 3, "he", rng=7))
    with pytest.raises(ValueError, match="unknown init method"):
        nn.init_weights(4, 3, "glorot")
    Q = nn.orthogonal(6, gain=2.0, rng=0)
    np.testing.assert_allclose(Q.T @ Q, 4.0 * np.eye(6), atol=1e-12)


# ---------------------------------------------------------------------------------------------------- MLP
@pytest.mark.parametrize("act", ACTS + ["identity"])
def test_mlp_forward_is_a_loop_of_matrix_products(act):
    net = nn.MLP([5, 7, 6, 3], activation=act, init="xavier", rng=1)
    X, _ = data()
    W0, b0, W1, b1, W2, b2 = net.params
    for b in (b0, b1, b2):  # non-zero biases so that they matter
        b[...] = np.linspace(-0.3, 0.3, b.size)
    f = REF_ACT[act]
    expected = f(f(X @ W0 + b0) @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-13, atol=1e-13)
    assert net.param_names == ["W0", "b0", "W1", "b1", "W2", "b2"]
    assert [W.shape for W in (W0, W1, W2)] == [(5, 7), (7, 6), (6, 3)]


def test_mlp_residual_forward():
    net = nn.MLP([5, 6, 6, 6, 2], activation="tanh", init="xavier", residual=True, rng=2)
    X, _ = data()
    P = net.params
    h1 = np.tanh(X @ P[0] + P[1])  # first layer: input width differs, no skip
    h2 = h1 + np.tanh(h1 @ P[2] + P[3])
    h3 = h2 + np.tanh(h2 @ P[4] + P[5])
    np.testing.assert_allclose(net.forward(X), h3 @ P[6] + P[7], rtol=1e-13)
    # the first layer never has a skip connection, even when widths agree
    net = nn.MLP([4, 4, 4, 2], activation="tanh", init="xavier", residual=True, rng=3)
    assert [layer.residual for layer in net.layers] == [False, True, False]


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("act", ACTS)
def test_mlp_gradients_match_finite_differences(act, init):
    # "normal" with a larger std than the default 0.01 so that every weight's gradient is far above the
    # finite-difference noise (~1e-10); the code path is the same
    net = nn.MLP([5, 8, 8, 3], activation=act, init=init, init_scale=0.5, rng=3)
    for b in net.params[1::2]:
        b[...] = np.random.default_rng(4).normal(0, 0.1, b.size)
    check_mlp_gradients(net, act)


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize(("residual", "bn"), [(True, False), (False, True), (True, True)])
def test_mlp_gradients_residual_and_batch_norm(act, residual, bn):
    net = nn.MLP([5, 7, 7, 7, 3], activation=act, init="he", residual=residual, batch_norm=bn, rng=5)
    rng = np.random.default_rng(7)
    for name, p in zip(net.param_names, net.params, strict=True):
        if not name.startswith("W"):  # gamma, beta and biases away from their initial 1 / 0
            p += rng.normal(0, 0.2, p.shape)
    assert net.param_names[:3] == (["W0", "gamma0", "beta0"] if bn else ["W0", "b0", "W1"])
    check_mlp_gradients(net, act, residual, bn, n=12)


def test_mlp_gradients_batch_norm_eval_mode():
    net = nn.MLP([5, 7, 7, 3], activation="tanh", init="xavier", batch_norm=True, rng=8)
    X, y = data(n=12, seed=9)
    for seed in range(3):  # running statistics away from their initial 0 / 1
        net.forward(data(n=12, seed=seed)[0] * 2 + 1)
    net.eval()
    _, dlogits = nn.softmax_cross_entropy(net.forward(X), y)
    net.backward(dlogits)
    check = nn.gradient_check(lambda: nn.softmax_cross_entropy(net.forward(X), y)[0], net.params, net.grads)
    assert check.passed(REL_TOL), check


def bn_net(gamma, beta, d=4, k=3, rng=0):
    """An MLP whose output is the batch-norm output of its first layer (identity activation, W_out = I)."""
    net = nn.MLP([d, k, k], activation="identity", init="xavier", batch_norm=True, rng=rng)
    W0, g, b, W1, b1 = net.params
    g[...], b[...], W1[...] = gamma, beta, np.eye(k)
    return net


def test_batch_norm_train_mode_standardizes_features():
    X = np.random.default_rng(0).normal(3.0, 5.0, (64, 4))
    out = bn_net(1.0, 0.0).forward(X)
    np.testing.assert_allclose(out.mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(0), 1.0, rtol=1e-4)  # biased variance, up to eps = 1e-5


def test_batch_norm_running_statistics_and_eval_mode():
    gamma, beta = np.array([0.5, 2.0, -1.0]), np.array([0.1, -0.3, 1.0])
    net = bn_net(gamma, beta)
    W0 = net.params[0]
    rng = np.random.default_rng(1)
    batches = [rng.normal(2.0, 3.0, (16, 4)) for _ in range(3)]
    mean, var = np.zeros(3), np.ones(3)  # torch's BatchNorm1d update rule, written out
    for Xb in batches:
        z = Xb @ W0
        out = net.forward(Xb)
        np.testing.assert_allclose(out, gamma * (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5) + beta, rtol=1e-12)
        mean = 0.9 * mean + 0.1 * z.mean(0)
        var = 0.9 * var + 0.1 * z.var(0, ddof=1)
    np.testing.assert_allclose(net.running_mean[0], mean, rtol=1e-12)
    np.testing.assert_allclose(net.running_var[0], var, rtol=1e-12)
    X = rng.normal(size=(5, 4))
    expected = gamma * (X @ W0 - mean) / np.sqrt(var + 1e-5) + beta
    np.testing.assert_allclose(net.eval().forward(X), expected, rtol=1e-12)
    np.testing.assert_allclose(net.running_mean[0], mean, rtol=1e-12)  # eval mode does not update
    net.forward(X[:1])  # a single sample is fine in eval mode ...
    with pytest.raises(ValueError, match="at least 2 samples"):
        net.train().forward(X[:1])  # ... but not in train mode


def test_layer_grad_norms_and_zero_grad():
    net = nn.MLP([5, 6, 4, 3], activation="tanh", init="xavier", rng=0)
    X, y = data()
    net.backward(nn.softmax_cross_entropy(net.forward(X), y)[1])
    named = zip(net.param_names, net.grads, strict=True)
    expected = [np.sqrt((g**2).sum()) for name, g in named if name.startswith("W")]
    np.testing.assert_allclose(net.layer_grad_norms(), expected)
    assert net.layer_grad_norms().shape == (3,) and np.all(net.layer_grad_norms() > 0)
    grads_before = [id(g) for g in net.grads]
    net.zero_grad()
    assert [id(g) for g in net.grads] == grads_before and all(not g.any() for g in net.grads)


def test_mlp_errors():
    with pytest.raises(ValueError, match="at least two"):
        nn.MLP([3])
    net = nn.MLP([3, 4, 2], rng=0)
    with pytest.raises(RuntimeError, match="forward"):
        net.backward(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        net.forward(np.zeros((5, 4)))
    net.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="dlogits"):
        net.backward(np.zeros((5, 3)))


# ------------------------------------------------------------------------------ the chapter's invariants
def test_sigmoid_small_init_vanishes_while_relu_he_does_not():
    for seed in range(3):
        sig = nn.depth_gradient_norms(10, 64, "sigmoid", "normal", rng=seed)  # std 0.01
        rel = nn.depth_gradient_norms(10, 64, "relu", "he", rng=seed)
        assert sig.shape == rel.shape == (10,)
        # each layer back toward the input multiplies by ~ 0.25 * 0.01 * sqrt(64) = 0.02: many decades
        assert np.all(np.diff(sig) > 0)
        assert sig[0] / sig[-1] < 1e-8
        assert rel.max() / rel.min() < 20  # He keeps all layers within a modest factor


def test_depth_gradient_norms_is_seeded():
    a = nn.depth_gradient_norms(4, 8, "tanh", "xavier", n_samples=16, rng=3, residual=True, batch_norm=True)
    b = nn.depth_gradient_norms(4, 8, "tanh", "xavier", n_samples=16, rng=3, residual=True, batch_norm=True)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="depth"):
        nn.depth_gradient_norms(0, 8, "tanh", "xavier")


# ---------------------------------------------------------------------------------------------------- RNN
def rnn_reference(rnn: nn.RNN, X: np.ndarray):
    W_xh, W_hh, b_h, W_hy, b_y = rnn.params
    f = REF_ACT[rnn.activation]
    h, us = np.zeros((X.shape[0], W_hh.shape[0])), []
    for t in range(X.shape[1]):
        us.append(X[:, t] @ W_xh + h @ W_hh + b_h)
        h = f(us[-1])
    return h @ W_hy + b_y, us


@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
def test_rnn_forward_and_bptt_gradients(act):
    rng = np.random.default_rng(0)
    rnn = nn.RNN(3, 5, 2, activation=act, init="xavier", rng=1)
    rnn.params[2][...] = rng.normal(0, 0.1, 5)
    rnn.params[4][...] = rng.normal(0, 0.1, 2)
    X, y = rng.normal(size=(4, 6, 3)), rng.normal(size=(4, 2))  # T = 6 steps
    np.testing.assert_allclose(rnn.forward(X), rnn_reference(rnn, X)[0], rtol=1e-13)
    rnn.backward(nn.mse_loss(rnn.forward(X), y)[1])
    check = nn.gradient_check(lambda: nn.mse_loss(rnn.forward(X), y)[0], rnn.params, rnn.grads)
    assert check.passed(REL_TOL), check
    assert [g.shape for g in rnn.grads] == [(3, 5), (5, 5), (5,), (5, 2), (2,)]


def test_rnn_hidden_grad_norms_match_finite_differences_through_the_inputs():
    # dL/dx_t = (dL/dh_t * f'(u_t)) W_xh^T, so with a square invertible W_xh the finite-difference gradient
    # with respect to the inputs gives dL/dh_t independently of the BPTT code.
    rng = np.random.default_rng(2)
    rnn = nn.RNN(4, 4, 2, activation="tanh", init_scale=0.9, rng=3)
    X, y = rng.normal(size=(3, 6, 4)), rng.normal(size=(3, 2))
    _, us = rnn_reference(rnn, X)
    rnn.backward(nn.mse_loss(rnn.forward(X), y)[1])
    (gX,) = nn.numerical_gradient(lambda: nn.mse_loss(rnn.forward(X), y)[0], [X])
    W_xh_inv = np.linalg.inv(rnn.W_xh)
    dh = [gX[:, t] @ W_xh_inv.T / (1 - np.tanh(us[t]) ** 2) for t in range(6)]
    np.testing.assert_allclose(rnn.hidden_grad_norms(), [np.linalg.norm(d) for d in dh], rtol=1e-6)


def test_rnn_gradients_vanish_with_small_and_explode_with_large_recurrent_weights():
    X = np.random.default_rng(0).normal(0, 1e-3, (8, 6, 3))  # small inputs keep tanh in its linear range
    ratios = {}
    for scale in (0.5, 2.0):
        rnn = nn.RNN(3, 16, 2, activation="tanh", init_scale=scale, rng=1)
        np.testing.assert_allclose(np.abs(np.linalg.eigvals(rnn.W_hh)), scale, rtol=1e-10)
        out = rnn.forward(X)
        rnn.backward(np.ones_like(out) / len(out))
        norms = rnn.hidden_grad_norms()
        assert norms.shape == (6,)
        ratios[scale] = norms[0] / norms[-1]  # ||dL/dh_1|| / ||dL/dh_T||, about scale^(T-1)
        assert np.all(np.diff(norms) > 0) if scale < 1 else np.all(np.diff(norms) < 0)
    assert ratios[0.5] < 0.1 and ratios[2.0] > 10


def test_rnn_errors():
    rnn = nn.RNN(3, 4, 2, rng=0)
    with pytest.raises(RuntimeError):
        rnn.hidden_grad_norms()
    with pytest.raises(ValueError, match="batch, time, features"):
        rnn.forward(np.zeros((5, 3)))
    rnn.forward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match="dout"):
        rnn.backward(np.zeros((5, 3)))


# ------------------------------------------------------------------------------------------------- losses
def test_softmax_cross_entropy_matches_sklearn_and_finite_differences():
    rng = np.random.default_rng(0)
    Z, y = rng.normal(size=(7, 4)) * 3, rng.integers(4, size=7)
    loss, dZ = nn.softmax_cross_entropy(Z, y)
    P = np.exp(Z) / np.exp(Z).sum(1, keepdims=True)
    assert loss == pytest.approx(log_loss(y, P, labels=range(4)), rel=1e-12)
    (num,) = nn.numerical_gradient(lambda: nn.softmax_cross_entropy(Z, y)[0], [Z])
    assert nn.gradient_check(lambda: nn.softmax_cross_entropy(Z, y)[0], [Z], [dZ]).passed(REL_TOL)
    np.testing.assert_allclose(dZ, num, rtol=1e-6, atol=1e-10)
    big, d = nn.softmax_cross_entropy(np.array([[1e4, 0.0], [0.0, 1e4]]), np.array([1, 1]))
    assert big == pytest.approx(5e3) and np.isfinite(d).all()
    with pytest.raises(ValueError, match="integer labels"):
        nn.softmax_cross_entropy(Z, y + 4)


def test_binary_cross_entropy_with_logits():
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(9, 1)) * 2, rng.integers(2, size=9)  # (n, 1) logits, (n,) labels
    loss, dz = nn.binary_cross_entropy_with_logits(z, y)
    assert dz.shape == z.shape
    assert loss == pytest.approx(log_loss(y, 1 / (1 + np.exp(-z.ravel()))), rel=1e-12)
    assert nn.gradient_check(lambda: nn.binary_cross_entropy_with_logits(z, y)[0], [z], [dz]).passed(REL_TOL)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        big, d = nn.binary_cross_entropy_with_logits(np.array([1e4, -1e4]), np.array([0.0, 1.0]))
    assert big == pytest.approx(1e4) and np.allclose(d, [0.5, -0.5])
    with pytest.raises(ValueError, match="shape"):
        nn.binary_cross_entropy_with_logits(z, y[:5])


def test_mse_loss():
    rng = np.random.default_rng(2)
    p, t = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    loss, dp = nn.mse_loss(p, t)
    assert loss == pytest.approx(mean_squared_error(t, p), rel=1e-12)
    assert nn.gradient_check(lambda: nn.mse_loss(p, t)[0], [p], [dp]).passed(REL_TOL)


# ---------------------------------------------------------------------------------------- gradient check
def test_numerical_gradient_of_a_quadratic_restores_params():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    A = A @ A.T
    w = rng.normal(size=4)
    w0 = w.copy()
    (g,) = nn.numerical_gradient(lambda: 0.5 * w @ A @ w, [w])
    np.testing.assert_allclose(g, A @ w, rtol=1e-8)
    np.testing.assert_array_equal(w, w0)
    with pytest.raises(TypeError, match="floating NumPy array"):
        nn.numerical_gradient(lambda: 0.0, [np.arange(3)])


def test_gradient_check_reports_relative_error_and_worst_entry():
    a, b = np.array([1.0, -2.0, 3.0]), np.array([[0.5, 1.5], [-1.0, 2.0]])

    def f():
        return 0.5 * (a**2).sum() + 0.5 * (b**2).sum()

    good = nn.gradient_check(f, [a, b], [a.copy(), b.copy()])
    assert good.passed(1e-8) and good.max_rel_error < 1e-8
    wrong = b.copy()
    wrong[1, 0] += 0.3  # one wrong entry in the second array
    bad = nn.gradient_check(f, [a, b], [a * 1.1, wrong])
    assert not bad.passed()
    assert bad.rel_errors[0] == pytest.approx(0.1 / 2.1, rel=1e-6)  # ||0.1 a|| / (||1.1 a|| + ||a||)
    expected_b = 0.3 / (np.linalg.norm(wrong) + np.linalg.norm(b))
    assert bad.rel_errors[1] == pytest.approx(expected_b, rel=1e-6)
    assert bad.worst_param == 1 and bad.worst_index == (1, 0)
    assert bad.max_rel_error == max(bad.rel_errors)
    with pytest.raises(ValueError, match="shape"):
        nn.gradient_check(f, [a, b], [a, b.ravel()])
