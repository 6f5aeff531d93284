"""coursekit.grading, the hw4-gradients checks: correct alternatives pass, each known mistake is named by
its diagnoser, the diagnosers stay silent on other outputs, a mistake in a helper costs only the helper's
part, and calling coursekit.nn / coursekit.optim is caught.

Student code runs in a fresh namespace named ``__main__``, as in a notebook kernel.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from coursekit import grading

SOLUTION = '''
import numpy as np

def linear_forward(X, W, b):
    return X @ W + b, (X, W, b)

def linear_backward(dZ, cache):
    X, W, b = cache
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)

def sigmoid_forward(Z):
    Z = np.asarray(Z)
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + e), e / (1 + e)), Z

def sigmoid_backward(dA, cache):
    A, _ = sigmoid_forward(cache)
    return dA * A * (1 - A)

def relu_forward(Z):
    return np.maximum(Z, 0), Z

def relu_backward(dA, cache):
    return dA * (cache > 0)

def bce_with_logits(z, y):
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float).reshape(z.shape)
    return float(np.mean(np.logaddexp(0.0, z) - y * z)), (np.exp(-np.logaddexp(0.0, -z)) - y) / z.size

def mlp_loss_grad(params, X, y, activation="relu"):
    forward = sigmoid_forward if activation == "sigmoid" else relu_forward
    backward = sigmoid_backward if activation == "sigmoid" else relu_backward
    n_layers = len(params) // 2
    H, caches = X, []
    for l in range(n_layers):
        Z, linear_cache = linear_forward(H, params[2 * l], params[2 * l + 1])
        if l < n_layers - 1:
            H, activation_cache = forward(Z)
        else:
            H, activation_cache = Z, None
        caches.append((linear_cache, activation_cache))
    loss, dH = bce_with_logits(H, y)
    grads = [None] * len(params)
    for l in reversed(range(n_layers)):
        linear_cache, activation_cache = caches[l]
        dZ = dH if activation_cache is None else backward(dH, activation_cache)
        dH, grads[2 * l], grads[2 * l + 1] = linear_backward(dZ, linear_cache)
    return loss, grads

def xavier_init(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))

def he_init(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))

def layer_grad_norms(grads):
    return np.array([np.linalg.norm(dW) for dW in grads[0::2]])

def clip_grad_value_(grads, clip_value):
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)

def clip_grad_norm_(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(np.square(g, dtype=float)) for g in grads)))
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for g in grads:
            g *= scale
    return total

def rnn_forward(X, W_xh, W_hh, b):
    n, T, _ = X.shape
    h = np.zeros((n, W_hh.shape[0]))
    H = np.zeros((n, T, W_hh.shape[0]))
    for t in range(T):
        h = np.tanh(X[:, t] @ W_xh + h @ W_hh + b)
        H[:, t] = h
    return H

def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    dW_xh, dW_hh, db = np.zeros((d, W_hh.shape[0])), np.zeros(W_hh.shape), np.zeros(W_hh.shape[0])
    norms = np.zeros(T)
    dh = dh_T
    for t in reversed(range(T)):
        norms[t] = np.linalg.norm(dh)
        du = dh * (1 - H[:, t] ** 2)
        h_prev = H[:, t - 1] if t > 0 else np.zeros_like(H[:, 0])
        dW_xh += X[:, t].T @ du
        dW_hh += h_prev.T @ du
        db += du.sum(axis=0)
        dh = du @ W_hh.T
    return dW_xh, dW_hh, db, norms
'''

CHECKS = {
    "linear_forward": grading.check_linear_forward, "linear_backward": grading.check_linear_backward,
    "sigmoid_forward": grading.check_sigmoid_forward, "sigmoid_backward": grading.check_sigmoid_backward,
    "relu_forward": grading.check_relu_forward, "relu_backward": grading.check_relu_backward,
    "mlp_loss_grad": grading.check_mlp_loss_grad, "xavier_init": grading.check_xavier_init,
    "he_init": grading.check_he_init, "layer_grad_norms": grading.check_layer_grad_norms,
    "clip_grad_value_": grading.check_clip_grad_value, "clip_grad_norm_": grading.check_clip_grad_norm_global,
    "rnn_forward": grading.check_rnn_forward, "rnn_backward": grading.check_rnn_backward,
}


def notebook(*changes: str) -> dict:
    """The namespace of a notebook holding the solution, then each change (a cell redefining functions)."""
    ns = {"__name__": "__main__"}
    for code in (SOLUTION, *changes):
        exec(compile(textwrap.dedent(code), "<student cell>", "exec"), ns)  # noqa: S102 - test input
    return ns


def fails_with(part: str, ns: dict, *phrases: str) -> str:
    with pytest.raises(AssertionError) as info:
        CHECKS[part](ns[part])
    message = str(info.value).replace("\n    ", " ")  # undo the wrapping of long lines
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in:\n{message}"
    return message


def test_the_solution_passes_every_check():
    ns = notebook()
    for part, check in CHECKS.items():
        assert check(ns[part]) is True, part


ALTERNATIVES = {
    "linear_backward": '''
def linear_backward(dZ, cache):
    X, W, b = cache
    dX, dW, db = np.zeros(X.shape), np.zeros(W.shape), np.zeros(W.shape[1])
    for i in range(X.shape[0]):
        dX[i] = W @ dZ[i]
        dW += np.outer(X[i], dZ[i])
        db += dZ[i]
    return dX, dW, db
''',
    "sigmoid_forward": "def sigmoid_forward(Z):\n    return 0.5 * (1 + np.tanh(np.asarray(Z) / 2)), Z\n",
    "sigmoid_backward": '''
def sigmoid_backward(dA, cache):
    s = np.exp(-np.logaddexp(0, -cache))
    return dA * s * (1 - s)
''',
    "relu_forward": "def relu_forward(Z):\n    return np.where(Z > 0, Z, 0.0), Z\n",
    "relu_backward": "def relu_backward(dA, cache):\n    return np.where(cache >= 0, dA, 0.0)\n",
    "mlp_loss_grad": '''
def mlp_loss_grad(params, X, y, activation="relu"):
    Ws, bs = params[0::2], params[1::2]
    hs, zs = [X], []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        zs.append(hs[-1] @ W + b)
        if l < len(Ws) - 1:
            hs.append(1 / (1 + np.exp(-zs[-1])) if activation == "sigmoid" else np.maximum(zs[-1], 0))
    z = zs[-1][:, 0]
    loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))
    g = ((1 / (1 + np.exp(-z)) - y) / len(y))[:, None]
    grads = []
    for l in range(len(Ws) - 1, -1, -1):
        grads = [hs[l].T @ g, g.sum(axis=0)] + grads
        if l > 0:
            g = g @ Ws[l].T
            g = g * (hs[l] * (1 - hs[l]) if activation == "sigmoid" else (zs[l - 1] > 0))
    return loss, tuple(grads)
''',
    "xavier_init": '''
def xavier_init(fan_in, fan_out, rng):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
''',
    "he_init": "def he_init(fan_in, fan_out, rng):\n"
               "    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)\n",
    "layer_grad_norms": '''
def layer_grad_norms(grads):
    return np.array([np.sqrt(np.sum(grads[i] ** 2)) for i in range(0, len(grads), 2)])
''',
    "clip_grad_value_": '''
def clip_grad_value_(grads, clip_value):
    for g in grads:
        g[g > clip_value] = clip_value
        g[g < -clip_value] = -clip_value
''',
    "clip_grad_norm_": '''
def clip_grad_norm_(grads, max_norm):
    total = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    for g in grads:
        g[...] = g * min(1.0, max_norm / (total + 1e-6))
    return float(total)
''',
    "rnn_forward": '''
def rnn_forward(X, W_xh, W_hh, b):
    states, h = [], 0.0
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t] @ W_xh + (h @ W_hh if t else 0.0) + b)
        states.append(h)
    return np.stack(states, axis=1)
''',
    "rnn_backward": '''
def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    H0 = np.concatenate([np.zeros((n, 1, H.shape[2])), H], axis=1)
    dW_xh, dW_hh, db = np.zeros((d, W_hh.shape[0])), np.zeros(W_hh.shape), np.zeros(W_hh.shape[0])
    norms, dh = [], dh_T
    for t in range(T, 0, -1):
        norms.insert(0, np.sqrt(np.sum(dh ** 2)))
        du = dh * (1 - H0[:, t] ** 2)
        dW_xh = dW_xh + np.einsum("ni,nj->ij", X[:, t - 1], du)
        dW_hh = dW_hh + np.einsum("ni,nj->ij", H0[:, t - 1], du)
        db = db + du.sum(axis=0)
        dh = du @ W_hh.T
    return dW_xh, dW_hh, db, np.array(norms)
''',
}


@pytest.mark.parametrize("part", sorted(ALTERNATIVES))
def test_a_correct_alternative_passes(part):
    assert CHECKS[part](notebook(ALTERNATIVES[part])[part]) is True


def D(signature: str, *body: str) -> str:
    """The source of ``def signature:`` with the given body lines."""
    return f"def {signature}:\n" + "".join(f"    {line}\n" for line in body)


LIN_B, SIG_B, RELU_B = "linear_backward(dZ, cache)", "sigmoid_backward(dA, cache)", "relu_backward(dA, cache)"
XAV, HE = "xavier_init(fan_in, fan_out, rng)", "he_init(fan_in, fan_out, rng)"
NORMS = "layer_grad_norms(grads)"
VALUE, NORM = "clip_grad_value_(grads, clip_value)", "clip_grad_norm_(grads, max_norm)"
RNN = "rnn_forward(X, W_xh, W_hh, b)"
TOTAL = "total = np.sqrt(sum(np.sum(g ** 2) for g in grads))"
SHAPE = "size=(fan_in, fan_out))"
STATES = ["H = [np.zeros((X.shape[0], W_hh.shape[0]))]", "for t in range(X.shape[1]):"]

MISTAKES = [
    ("linear_forward", D("linear_forward(X, W, b)", "return X @ W, (X, W, b)"), "the bias b is not added"),
    ("linear_forward", D("linear_forward(X, W, b)", "return X @ W + b, (X, W)"),
     "the cache must be the tuple"),
    ("linear_backward", D(LIN_B, "X, W, b = cache", "return dZ @ W.T, X.T @ dZ, dZ"),
     "one row per sample: sum it over the batch"),
    ("linear_backward", D(LIN_B, "X, W, b = cache", "return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)"),
     "the bias gradient is the mean over the batch"),
    ("linear_backward", D(LIN_B, "X, W, b = cache",
                          "return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)"),
     "(no keepdims)"),
    ("linear_backward", D(LIN_B, "X, W, b = cache", "return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)"),
     "a gradient looks transposed"),
    ("sigmoid_forward", D("sigmoid_forward(Z)", "return 1 / (1 + np.exp(-Z)), Z"), "not numerically stable"),
    ("sigmoid_forward", D("sigmoid_forward(Z)", "e = np.exp(-np.abs(Z))",
                          "A = np.where(Z >= 0, 1 / (1 + e), e / (1 + e))", "return A, A"),
     "the cache must be the input Z"),
    ("sigmoid_forward", D("sigmoid_forward(Z)", "e = np.exp(-np.abs(Z))",
                          "return np.where(Z >= 0, e / (1 + e), 1 / (1 + e)), Z"), "you return 1 - sigma(z)"),
    ("sigmoid_backward", D(SIG_B, "A, _ = sigmoid_forward(cache)", "s, _ = sigmoid_forward(A)",
                           "return dA * s * (1 - s)"), "the sigmoid is applied twice"),
    ("sigmoid_backward", D(SIG_B, "return dA * cache * (1 - cache)"), "you use Z * (1 - Z)"),
    ("sigmoid_backward", D(SIG_B, "A, _ = sigmoid_forward(cache)", "return A * (1 - A)"),
     "multiply it by the upstream gradient"),
    ("relu_forward", D("relu_forward(Z)", "Z[Z < 0] = 0", "return Z, Z"), "modified in place"),
    ("relu_forward", D("relu_forward(Z)", "A = np.maximum(Z, 0)", "return A, A"),
     "the cache must be the input Z"),
    ("relu_backward", D(RELU_B, "return dA * np.maximum(cache, 0)"), "the ReLU's output max(Z, 0)"),
    ("relu_backward", D(RELU_B, "return dA * (cache < 0)"), "the mask is reversed"),
    ("relu_backward", D(RELU_B, "return (cache > 0).astype(float)"), "multiply it by the upstream gradient"),
    ("xavier_init", D(XAV, "return rng.normal(0, np.sqrt(1 / fan_in), " + SHAPE), "uses fan_in only"),
    ("xavier_init", D(XAV, "return rng.normal(0, np.sqrt(1 / fan_out), " + SHAPE), "uses fan_out only"),
    ("xavier_init", D(XAV, "return rng.normal(0, 2 / (fan_in + fan_out), " + SHAPE),
     "the variance used as the standard"),
    ("xavier_init", D(XAV, "return np.random.normal(0, np.sqrt(2 / (fan_in + fan_out)), " + SHAPE),
     "not with np.random"),
    ("xavier_init", D(XAV, "return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_out, fan_in))"),
     "(transposed?)"),
    ("he_init", D(HE, "return rng.normal(0, np.sqrt(1 / fan_in), " + SHAPE), "He uses Var = 2 / fan_in"),
    ("he_init", D(HE, "return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), " + SHAPE), "this is Xavier's"),
    ("he_init", D(HE, "return np.full((fan_in, fan_out), np.sqrt(2 / fan_in))"),
     "different rngs returned the same matrix"),
    ("layer_grad_norms", D(NORMS, "return np.array([np.linalg.norm(g) for g in grads])"),
     "the bias gradients are not layers"),
    ("layer_grad_norms", D(NORMS, "return np.array([np.sum(g ** 2) for g in grads[0::2]])"),
     "these are squared norms"),
    ("layer_grad_norms", D(NORMS, "return np.sqrt(sum(np.sum(g ** 2) for g in grads[0::2]))"),
     "that is the global norm"),
    ("clip_grad_value_", D(VALUE, "for g in grads:", "    np.minimum(g, clip_value, out=g)"),
     "only one side is clipped"),
    ("clip_grad_value_", D(VALUE, "return [np.clip(g, -clip_value, clip_value) for g in grads]"),
     "changed in place"),
    ("clip_grad_value_", D(VALUE, TOTAL, "for g in grads:", "    g *= min(1, clip_value / total)"),
     "this rescales by the norm"),
    ("clip_grad_norm_", D(NORM, TOTAL, "for g in grads:", "    n = np.linalg.norm(g)", "    if n > max_norm:",
                          "        g *= max_norm / n", "return total"), "clips each array separately"),
    ("clip_grad_norm_", D(NORM, TOTAL, "for g in grads:", "    np.clip(g, -max_norm, max_norm, out=g)",
                          "return total"), "(by value)"),
    ("clip_grad_norm_", D(NORM, TOTAL, "for g in grads:", "    g *= max_norm / (total + 1e-6)",
                          "return total"),
     "never up"),
    ("clip_grad_norm_", D(NORM, TOTAL, "if total > max_norm:", "    for g in grads:",
                          "        g *= max_norm / total", "return min(total, max_norm)"), "BEFORE clipping"),
    ("clip_grad_norm_", D(NORM, TOTAL, "if total > max_norm:",
                          "    return [g * max_norm / total for g in grads]", "return total"),
     "changed in place"),
    ("clip_grad_norm_", D(NORM, TOTAL, "if total > max_norm:", "    for g in grads:",
                          "        g *= max_norm / np.abs(g).max()", "return total"),
     "no longer points in the same direction"),
    ("rnn_forward", D(RNN, "return np.tanh(X @ W_xh + b)"), "the previous state is missing"),
    ("rnn_forward", D(RNN, *STATES, "    H.append(np.tanh(X[:, t] @ W_xh + H[-1] @ W_hh + b))",
                      "return np.stack(H, axis=1)"), "H holds T + 1 states"),
    ("rnn_forward", D(RNN, *STATES, "    H.append(np.tanh(X[:, t] @ W_xh + H[-1] @ W_hh.T + b))",
                      "return np.stack(H[1:], axis=1)"), "W_hh looks transposed"),
    ("rnn_forward", D(RNN, *STATES, "    H.append(np.tanh(X[:, t] @ W_xh + H[-1] @ W_hh + b))",
                      "return np.stack(H[1:], axis=0)"), "time-major"),
]

RNN_MISTAKES = [
    ("dh = du @ W_hh.T", "dh = dh", "the recurrent term is missing"),
    ("(1 - H[:, t] ** 2)", "(1 - np.tanh(H[:, t]) ** 2)", "tanh is applied twice"),
    ("dW_hh += h_prev.T @ du", "dW_hh += H[:, t].T @ du", "dW_hh uses the wrong state"),
    ("dW_hh += h_prev.T @ du", "dW_hh = h_prev.T @ du", "dW_hh is zero"),
    ("        norms[t] = np.linalg.norm(dh)\n", "", None),  # see test_rnn_norms_shifted_or_reversed
    ("db += du.sum(axis=0)", "db = db + du", "one row per sample"),
]


@pytest.mark.parametrize("part, code, phrase", MISTAKES,
                         ids=[f"{part}-{i}" for i, (part, _, _) in enumerate(MISTAKES)])
def test_a_mistake_is_named(part, code, phrase):
    fails_with(part, notebook(code), phrase)


def _rnn_backward(old: str, new: str) -> str:
    body = SOLUTION[SOLUTION.index("def rnn_backward"):]
    assert body.count(old) == 1
    return body.replace(old, new)


@pytest.mark.parametrize("old, new, phrase", [m for m in RNN_MISTAKES if m[2]])
def test_an_rnn_backward_mistake_is_named(old, new, phrase):
    fails_with("rnn_backward", notebook(_rnn_backward(old, new)), phrase)


def test_bptt_from_the_last_step_only_is_named():
    code = '''
def rnn_backward(dh_T, X, H, W_hh):
    du = dh_T * (1 - H[:, -1] ** 2)
    h_prev = H[:, -2] if H.shape[1] > 1 else np.zeros_like(H[:, -1])
    norms = np.zeros(X.shape[1])
    norms[-1] = np.linalg.norm(dh_T)
    return X[:, -1].T @ du, h_prev.T @ du, du.sum(axis=0), norms
'''
    fails_with("rnn_backward", notebook(code), "it comes from the last step only")


def test_rnn_norms_shifted_or_reversed():
    shifted = _rnn_backward("        norms[t] = np.linalg.norm(dh)\n", "").replace(
        "        dh = du @ W_hh.T\n", "        dh = du @ W_hh.T\n        norms[t] = np.linalg.norm(dh)\n")
    fails_with("rnn_backward", notebook(shifted), "the norms are shifted by one step")
    reversed_ = _rnn_backward("return dW_xh, dW_hh, db, norms", "return dW_xh, dW_hh, db, norms[::-1]")
    fails_with("rnn_backward", notebook(reversed_), "the norms are in reverse order")


def test_mlp_mistakes_are_named():
    body = SOLUTION[SOLUTION.index("def mlp_loss_grad"):SOLUTION.index("def xavier_init")]
    out_act = body.replace("        if l < n_layers - 1:\n            H, activation_cache = forward(Z)\n"
                           "        else:\n            H, activation_cache = Z, None\n",
                           "        H, activation_cache = forward(Z)\n")
    fails_with("mlp_loss_grad", notebook(out_act), "also applied to the output layer")
    order = body.replace("return loss, grads", "return loss, grads[::-1]")
    fails_with("mlp_loss_grad", notebook(order), "in the order of params")
    summed = body.replace("return loss, grads", "return loss * len(y), [g * len(y) for g in grads]")
    fails_with("mlp_loss_grad", notebook(summed), "returns the sum where the mean is expected")
    transposed = body.replace("return loss, grads", "return loss, [g.T if g.ndim == 2 else g for g in grads]")
    fails_with("mlp_loss_grad", notebook(transposed), "a gradient looks transposed")


def test_a_mistake_in_a_helper_costs_only_the_helpers_part():
    ns = notebook("def linear_backward(dZ, cache):\n    X, W, b = cache\n    return dZ @ W.T, X.T @ dZ, dZ\n",
                  "def sigmoid_forward(Z):\n    return 1 / (1 + np.exp(-Z)), Z\n",
                  "def relu_backward(dA, cache):\n    return dA * np.maximum(cache, 0)\n",
                  "def rnn_forward(X, W_xh, W_hh, b):\n    return np.tanh(X @ W_xh + b)\n")
    for broken in ("linear_backward", "sigmoid_forward", "relu_backward", "rnn_forward"):
        fails_with(broken, ns)
    for part in ("mlp_loss_grad", "sigmoid_backward", "rnn_backward"):
        assert CHECKS[part](ns[part]), part


def test_relu_backward_accepts_either_value_at_the_kink_only():
    assert grading.check_relu_backward(notebook("def relu_backward(dA, cache):\n    return dA * (cache >= 0)")
                                       ["relu_backward"])
    fails_with("relu_backward", notebook("def relu_backward(dA, cache):\n    return dA * (cache >= 0.1)"))


def test_detecting_diagnosers_stay_silent_on_other_outputs():
    rng = np.random.default_rng(0)
    case = grading.Case("x", (), n=5)
    dW, db = rng.normal(size=(3, 4)), rng.normal(size=4)
    rows = np.tile(db / 5, (5, 1))
    assert "one row per sample" in grading.diagnose((dW, rows), (dW, db), case, ["bias_grad_not_summed"])
    assert grading.diagnose((dW, rows * 2), (dW, db), case, ["bias_grad_not_summed"]) is None
    assert "mean over the batch" in grading.diagnose((dW, db / 5), (dW, db), case, ["bias_grad_not_summed"])
    assert grading.diagnose((dW, db / 4), (dW, db), case, ["bias_grad_not_summed"]) is None
    assert grading.diagnose((dW.T, db), (dW, db), case, ["weight_grad_transposed"]) is not None
    assert grading.diagnose((dW.T * 2, db), (dW, db), case, ["weight_grad_transposed"]) is None
    sym = np.eye(3)
    assert grading.diagnose((sym.T + 1, db), (sym, db), case, ["weight_grad_transposed"]) is None
    grads = [dW, db, rng.normal(size=(4, 1)), rng.normal(size=1)]
    assert grading.diagnose((0.5, grads[::-1]), (0.5, grads), case, ["grads_out_of_order"]) is not None
    assert grading.diagnose((0.5, [g * 2 for g in grads]), (0.5, grads), case, ["grads_out_of_order"]) is None
    norms = np.array([1.0, 2.0, 3.0])
    assert "6 norms for 3 layers" in grading.diagnose(np.ones(6), norms, case, ["norm_count"])
    assert grading.diagnose(np.ones(4), norms, case, ["norm_count"]) is None
    H = rng.normal(size=(2, 4, 3))
    assert "T + 1" in grading.diagnose(np.zeros((2, 5, 3)), H, case, ["rnn_states_shape"])
    assert "time-major" in grading.diagnose(np.zeros((4, 2, 3)), H, case, ["rnn_states_shape"])
    assert grading.diagnose(np.zeros((2, 4, 3)), H, case, ["rnn_states_shape"]) is None
    out = (dW, dW, db, np.array([1.0, 2.0, 4.0, 8.0]))
    assert grading.diagnose((*out[:3], np.array([9.0, 1.0, 2.0, 4.0])), out, case, ["rnn_norms_shifted"])
    assert grading.diagnose((*out[:3], out[3][::-1]), out, case, ["rnn_norms_reversed"])
    for name in ("rnn_norms_shifted", "rnn_norms_reversed"):  # only when the gradients are right
        assert grading.diagnose((dW * 2, *out[1:3], out[3][::-1]), out, case, [name]) is None
    assert grading.diagnose((dW, np.zeros_like(dW), db, out[3]), out, case, ["dwhh_not_accumulated"])
    assert grading.diagnose((dW, dW * 0.5, db, out[3]), out, case, ["dwhh_not_accumulated"]) is None
    original = [np.array([3.0, 4.0]), np.array([1.0])]
    clip_case = grading.Case("clip", (original, 1.0))
    expected = ([g / np.sqrt(26) for g in original], np.sqrt(26))
    turned = ([np.array([1.0, 1.0]), np.array([1.0])], np.sqrt(26))
    assert grading.diagnose(turned, expected, clip_case, ["direction_changed"]) is not None
    shorter = ([g * 0.1 for g in original], np.sqrt(26))
    assert grading.diagnose(shorter, expected, clip_case, ["direction_changed"]) is None


def test_every_hw4_check_is_fast():
    import time

    ns = notebook()
    for part, check in CHECKS.items():
        start = time.perf_counter()
        check(ns[part])
        assert time.perf_counter() - start < 2.0, f"{part} took {time.perf_counter() - start:.2f} s"
