"""Checks of hw4-gradients: backpropagation through layers, an MLP and an RNN, initializations, gradient
norms and clipping. They run in the grader."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from coursekit._utils import RNGLike, as_rng
from coursekit.grading.cases import Case, _kind, _leaves, _WrongOutput, logit_cases
from coursekit.grading.diagnosers import Mismatch, _nonzero, add_diagnoser
from coursekit.grading.engine import compare
from coursekit.grading.mistakes_hw4 import MISTAKES, InitTarget

# --- hw4-gradients checks ---
# hw4 (chapter book/gradients.md): backpropagation by hand through a linear layer, sigmoid, ReLU and a
# small MLP, Xavier/He initialization, per-layer gradient norms, clipping by value and by global norm, and
# backpropagation through time. Every reference is computed by coursekit.nn / coursekit.optim; the
# catalogue of realistic mistakes (coursekit/grading/mistakes_hw4.py) computes each known-wrong variant on
# its own, in NumPy, so that the references stay the only oracle.

__all__ = [
    "check_linear_forward", "check_linear_backward", "check_sigmoid_forward", "check_sigmoid_backward",
    "check_relu_forward", "check_relu_backward", "check_mlp_loss_grad", "check_xavier_init", "check_he_init",
    "check_layer_grad_norms", "check_clip_grad_value", "check_clip_grad_norm_global", "check_rnn_forward",
    "check_rnn_backward",
]

REFERENCE_MODULES = ('coursekit.nn', 'coursekit.optim')
"""The modules that hold the references of these checks: a sandboxed notebook graded by them cannot import
them (see :func:`coursekit.grading.sandbox.build_view`)."""


def _hw4_nn():
    import coursekit.nn as nn

    return nn


def _hw4_load(targets: Sequence[np.ndarray], values: Sequence[Any]) -> None:
    for target, value in zip(targets, values, strict=True):
        target[...] = value


def _hw4_linear_forward(X, W, b):
    """Reference ``(X W + b, (X, W, b))`` through a one-layer :class:`coursekit.nn.MLP`."""
    net = _hw4_nn().MLP([W.shape[0], W.shape[1]], activation="identity", rng=0)
    _hw4_load(net.params, [W, b])
    return net.forward(X), (X, W, b)


def _hw4_linear_backward(dZ, cache):
    """Reference ``(dX, dW, db)``: a two-layer identity MLP fed the identity matrix, whose first weight matrix
    is X, so that the gradient of that matrix is dX."""
    X, W, b = cache
    n, (d, k) = X.shape[0], W.shape
    net = _hw4_nn().MLP([n, d, k], activation="identity", rng=0)
    _hw4_load(net.params, [X, np.zeros(d), W, b])
    net.forward(np.eye(n))
    net.backward(dZ)
    gX, _, gW, gb = (g.copy() for g in net.grads)
    return gX, gW, gb


def _hw4_act(name: str):
    nn = _hw4_nn()
    f, df = nn.activation(name)
    return (lambda Z: (f(Z), Z)), (lambda dA, cache: dA * df(cache))


def _hw4_bce_with_logits(z, y):
    return _hw4_nn().binary_cross_entropy_with_logits(z, y)


def _hw4_stand_ins() -> dict[str, Callable]:
    """Correct versions of hw4's graded helpers, by their names in the notebook."""
    sig_f, sig_b = _hw4_act("sigmoid")
    relu_f, relu_b = _hw4_act("relu")
    return {"linear_forward": _hw4_linear_forward, "linear_backward": _hw4_linear_backward,
            "sigmoid_forward": sig_f, "sigmoid_backward": sig_b, "relu_forward": relu_f,
            "relu_backward": relu_b, "bce_with_logits": _hw4_bce_with_logits}


def _hw4_pairs(m: Mismatch) -> list[tuple[np.ndarray, np.ndarray]]:
    return list(zip(_leaves(m.got), _leaves(m.expected), strict=False))


def _hw4_bias_not_summed(m: Mismatch) -> str | None:
    for g, e in _hw4_pairs(m):
        if e.ndim != 1 or not _nonzero(e):
            continue
        if g.ndim == 2 and g.shape[1] == e.shape[0] and g.shape[0] > 1 and m.close(g.sum(axis=0), e):
            return (f"the bias gradient has shape {g.shape}, one row per sample: sum it over the batch, "
                    "db = dZ.sum(axis=0), shape (d_out,)")
        if g.shape == (1, e.shape[0]) and m.close(g.ravel(), e):
            return ("the bias gradient has shape (1, d_out): return a 1-D array of shape (d_out,) "
                    "(no keepdims)")
        n = m.case.n
        if n and n > 1 and g.shape == e.shape and m.close(g * n, e):
            return (f"the bias gradient is the mean over the batch (n = {n} times too small): sum it, "
                    "db = dZ.sum(axis=0); the 1/n of the mean loss is already inside dZ")
    return None


def _hw4_transposed(m: Mismatch) -> bool:
    def symmetric(e: np.ndarray) -> bool:
        return e.shape[0] == e.shape[1] and np.allclose(e, e.T)

    return any(e.ndim == 2 and e.size > 1 and g.shape == e.T.shape and not symmetric(e) and m.close(g, e.T)
               for g, e in _hw4_pairs(m))


def _hw4_out_of_order(m: Mismatch) -> bool:
    g, e = _leaves(m.got), _leaves(m.expected)
    if len(g) != len(e) or len(e) < 3:
        return False
    used, moved = set(), False
    for i, gi in enumerate(g):
        j = next((j for j in range(len(e)) if j not in used and gi.shape == e[j].shape and m.close(gi, e[j])),
                 None)
        if j is None:
            return False
        used.add(j)
        moved |= j != i
    return moved


def _hw4_wrong_cache(m: Mismatch) -> str | None:
    got, exp = m.got, m.expected
    if not (isinstance(got, tuple | list) and isinstance(exp, tuple) and len(got) == len(exp) == 2):
        return None
    if not m.close(got[0], exp[0]):
        return None
    if isinstance(exp[1], tuple):
        return ("the output is right but the cache is not: the cache must be the tuple (X, W, b) of the "
                "inputs, exactly as given")
    if m.close(got[1], got[0]):
        return ("the cache holds the output A (or Z was modified in place): the cache must be the input Z "
                "(the pre-activation), unchanged; compute A in a new array")
    return "the output is right but the cache is not: the cache must be the input Z (the pre-activation)"


def _hw4_rnn_states_shape(m: Mismatch) -> str | None:
    g, e = _leaves(m.got), _leaves(m.expected)
    if len(g) != 1 or len(e) != 1 or e[0].ndim != 3:
        return None
    (g,), (e,) = g, e
    n, T, H = e.shape
    if g.shape == (n, T + 1, H):
        return ("H holds T + 1 states: return h_1 ... h_T only, shape (n, T, hidden); h_0 = 0 is the "
                "starting state, not an output")
    if g.shape == (T, n, H) and T != n:
        return ("H is time-major (T, n, hidden): return it batch first, shape (n, T, hidden), "
                "H[:, t] = h_(t+1)")
    return None


def _hw4_norms(m: Mismatch) -> tuple[np.ndarray, np.ndarray] | None:
    got, exp = m.got, m.expected
    if not (isinstance(got, tuple | list) and isinstance(exp, tuple) and len(got) == len(exp) == 4):
        return None
    g, e = np.asarray(got[3], dtype=float), np.asarray(exp[3], dtype=float)
    return (g, e) if g.shape == e.shape and e.size > 1 and m.close(got[:3], exp[:3]) else None


def _hw4_norms_shifted(m: Mismatch) -> bool:
    pair = _hw4_norms(m)
    return pair is not None and (m.close(pair[0][1:], pair[1][:-1]) or m.close(pair[0][:-1], pair[1][1:]))


def _hw4_norms_reversed(m: Mismatch) -> bool:
    pair = _hw4_norms(m)
    return pair is not None and not m.close(pair[1], pair[1][::-1]) and m.close(pair[0], pair[1][::-1])


def _hw4_whh_zero(m: Mismatch) -> bool:
    got, exp = m.got, m.expected
    if not (isinstance(got, tuple | list) and isinstance(exp, tuple) and len(got) == len(exp) == 4):
        return False
    g, e = _leaves(got[1]), _leaves(exp[1])
    return len(g) == 1 and g[0].shape == e[0].shape and _nonzero(e) and not _nonzero(g)


def _hw4_direction(m: Mismatch) -> bool:
    original = m.case.args[0] if m.case.args else None
    got = m.got[0] if isinstance(m.got, tuple) and m.got else None
    if not isinstance(original, list) or not isinstance(got, list) or len(got) != len(original):
        return False
    try:
        a = np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in original])
        b = np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in got])
    except (TypeError, ValueError):
        return False
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return a.shape == b.shape and na > 0 and nb > 0 and float(a @ b) / (na * nb) < 1 - 1e-6


def _hw4_norm_count(m: Mismatch) -> str | None:
    g, e = _leaves(m.got), _leaves(m.expected)
    if len(g) != 1 or len(e) != 1:
        return None
    g, e = g[0].ravel(), e[0]
    if g.size == 2 * e.size:
        return (f"returns {g.size} norms for {e.size} layers: the bias gradients are not layers; take the "
                "weight gradients only, grads[0::2]")
    if g.size == 1 and e.size > 1:
        return ("returns one number: that is the global norm of all the gradients; return one norm per layer "
                "(per weight gradient)")
    return None


_HW4_HINTS: dict[str, tuple[str, Callable[[Mismatch], bool | str | None] | None]] = {
    "bias_grad_not_summed": (
        "the bias gradient must be summed over the batch: db = dZ.sum(axis=0), shape (d_out,)",
        _hw4_bias_not_summed),
    "weight_grad_transposed": (
        "a gradient looks transposed: each gradient has the shape of its variable, dW = X.T @ dZ is "
        "(d_in, d_out) like W and dX = dZ @ W.T is (n, d_in) like X",
        _hw4_transposed),
    "grads_out_of_order": (
        "the gradients are right but in another order: return them in the order of params, [dW1, db1, "
        "dW2, db2, ...]",
        _hw4_out_of_order),
    "cache_not_input": (
        "the cache is not what backward expects",
        _hw4_wrong_cache),
    "norm_count": (
        "return one norm per layer: the Frobenius norm of each weight gradient grads[0], grads[2], ...",
        _hw4_norm_count),
    "direction_changed": (
        "the clipped gradient no longer points in the same direction as the original: multiply every "
        "array by the same factor",
        _hw4_direction),
    "rnn_states_shape": (
        "H must have shape (n, T, hidden)",
        _hw4_rnn_states_shape),
    "dwhh_not_accumulated": (
        "dW_hh is zero: add the contribution h_(t-1).T @ du_t of EVERY step (+=), not only the first one,"
        " whose h_0 is 0",
        _hw4_whh_zero),
    "rnn_norms_shifted": (
        "the gradients are right but the norms are shifted by one step: record ||dL/dh_t|| for t = 1..T, "
        "norms[T-1] = ||dh_T||, before stepping back",
        _hw4_norms_shifted),
    "rnn_norms_reversed": (
        "the norms are in reverse order: norms[t-1] is ||dL/dh_t|| for t = 1..T (the last entry belongs "
        "to the last step)",
        _hw4_norms_reversed),
}
for _name, (_hint, _detect) in _HW4_HINTS.items():
    add_diagnoser(_name, _hint, _detect)


def _hw4_linear_cases(rng: RNGLike) -> list[Case]:
    """Triples (X, W, b) of several shapes, square W (a transposed dW has the right shape), float32."""
    rng = as_rng(rng)
    cases = []
    for label, (n, d, k) in [("random n=6, d=3, k=4", (6, 3, 4)), ("square W, n=5, d=k=4", (5, 4, 4)),
                             ("square W, n=8, d=k=3", (8, 3, 3)), ("one sample (n=1)", (1, 4, 2)),
                             ("one feature (d=1)", (7, 1, 3)), ("one output (k=1)", (5, 3, 1))]:
        cases.append(Case(label, (rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)), n=n))
    cases.append(Case("large values (|X| ~ 1e3)", (1e3 * rng.normal(size=(4, 3)), rng.normal(size=(3, 2)),
                                                   rng.normal(size=2)), n=4))
    f32 = (rng.normal(size=(6, 3)), rng.normal(size=(3, 2)), rng.normal(size=2))
    cases.append(Case("float32 inputs", tuple(a.astype(np.float32) for a in f32), n=6))
    return cases


def check_linear_forward(linear_forward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``linear_forward(X, W, b) -> (Z, cache)`` with :math:`Z = XW + b` and ``cache = (X, W, b)``.

    Against a one-layer :class:`coursekit.nn.MLP`. Use:
    ``assert grading.check_linear_forward(linear_forward)``.
    """
    return compare(linear_forward, _hw4_linear_forward, _hw4_linear_cases(rng), name="linear_forward",
                   mistakes=MISTAKES["linear_forward"],
                   diagnosers=("cache_not_input", "weight_grad_transposed"),
                   hints={"weight_grad_transposed": "Z has the wrong orientation: Z = X @ W + b has shape "
                                                    "(n, d_out)"})


def check_linear_backward(linear_backward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``linear_backward(dZ, cache) -> (dX, dW, db)`` for ``cache = (X, W, b)``:
    :math:`dX = dZ\,W^\top`, :math:`dW = X^\top dZ`, :math:`db = \sum_i dZ_i`.

    Against :class:`coursekit.nn.MLP`'s backward pass; recognises a bias gradient that is not summed over the
    batch (or averaged) and a transposed gradient. Use:
    ``assert grading.check_linear_backward(linear_backward)``.
    """
    rng = as_rng(rng)
    cases = []
    for c in _hw4_linear_cases(rng):
        X, W, b = c.args
        dZ = rng.normal(size=(X.shape[0], W.shape[1])).astype(X.dtype)
        cases.append(Case(c.label, (dZ, (X, W, b)), n=c.n))
    X, W, b = (rng.normal(size=s) for s in [(5, 3), (3, 2), (2,)])
    cases.append(Case("zero upstream gradient dZ", (np.zeros((5, 2)), (X, W, b)), n=5))
    return compare(linear_backward, _hw4_linear_backward, cases, name="linear_backward",
                   mistakes=MISTAKES["linear_backward"],
                   diagnosers=("bias_grad_not_summed", "weight_grad_transposed", "sign_flipped"))


def check_sigmoid_forward(sigmoid_forward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``sigmoid_forward(Z) -> (A, cache)`` with :math:`A = \sigma(Z)` and ``cache = Z``; no overflow
    for huge :math:`|Z|`. Against :func:`coursekit.nn.sigmoid`. Use:
    ``assert grading.check_sigmoid_forward(sigmoid_forward)``.
    """
    ref, _ = _hw4_act("sigmoid")
    return compare(sigmoid_forward, ref, logit_cases(rng), name="sigmoid_forward",
                   mistakes=MISTAKES["sigmoid_forward"], diagnosers=("cache_not_input",))


def _hw4_activation_cases(rng: RNGLike, zeros: bool) -> list[Case]:
    """Pairs (dA, Z): random 2-D and 1-D, large |Z|, zero upstream gradient, float32, (for ReLU) exact 0s."""
    rng = as_rng(rng)
    cases = [
        Case("random (n=5, k=4)", (rng.normal(size=(5, 4)), rng.normal(0, 2, size=(5, 4)))),
        Case("one row (n=1, k=6)", (rng.normal(size=(1, 6)), rng.normal(0, 2, size=(1, 6)))),
        Case("1-D arrays", (rng.normal(size=7), rng.normal(0, 3, size=7))),
        Case("large |Z| (up to 50)", (rng.normal(size=(3, 4)), rng.uniform(-50, 50, size=(3, 4)))),
        Case("small |Z| (up to 0.01)", (rng.normal(size=(3, 5)), rng.uniform(-0.01, 0.01, size=(3, 5)))),
        Case("zero upstream gradient dA", (np.zeros((4, 3)), rng.normal(size=(4, 3)))),
        Case("float32", (rng.normal(size=(6, 3)).astype(np.float32),
                         rng.normal(0, 2, size=(6, 3)).astype(np.float32))),
    ]
    if zeros:
        Z = rng.normal(size=(4, 5))
        Z[::2, 1::2] = 0.0
        cases.append(Case("Z with exact zeros (either convention at 0 is accepted)",
                          (rng.normal(size=(4, 5)), Z)))
    return cases


def check_sigmoid_backward(sigmoid_backward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``sigmoid_backward(dA, cache) -> dZ`` with ``cache = Z``:
    :math:`dZ = dA \odot \sigma(Z)(1 - \sigma(Z))`.

    Against :func:`coursekit.nn.sigmoid_grad`; recognises the sigmoid applied twice, :math:`Z(1 - Z)` instead
    of :math:`\sigma(Z)(1-\sigma(Z))`, and a missing upstream gradient. The notebook's ``sigmoid_forward`` is
    replaced by a correct one during the check. Use:
    ``assert grading.check_sigmoid_backward(sigmoid_backward)``.
    """
    _, ref = _hw4_act("sigmoid")
    return compare(sigmoid_backward, ref, _hw4_activation_cases(rng, zeros=False), name="sigmoid_backward",
                   mistakes=MISTAKES["sigmoid_backward"], depends=_hw4_stand_ins())


def check_relu_forward(relu_forward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``relu_forward(Z) -> (A, cache)`` with :math:`A = \max(Z, 0)` and ``cache = Z``.

    Against :func:`coursekit.nn.relu`. Use: ``assert grading.check_relu_forward(relu_forward)``.
    """
    ref, _ = _hw4_act("relu")
    cases = [Case(c.label, (c.args[1],)) for c in _hw4_activation_cases(rng, zeros=True)]
    return compare(relu_forward, ref, cases, name="relu_forward", mistakes=MISTAKES["relu_forward"],
                   diagnosers=("cache_not_input",))


def _hw4_ignore_kink(fn: Callable, args: tuple, kwargs: dict) -> Any:
    """Call ``relu_backward``; blank the entries where Z == 0 (both 1[Z > 0] and 1[Z >= 0] are accepted)."""
    out = fn(*args, **kwargs)
    Z = np.asarray(args[1])
    try:
        values = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        return out
    return np.where(Z == 0, 0.0, values) if values.shape == Z.shape else out


def check_relu_backward(relu_backward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``relu_backward(dA, cache) -> dZ`` with ``cache = Z``: :math:`dZ = dA \odot \mathbb 1[Z > 0]`.

    At :math:`Z = 0` exactly, either 0 or ``dA`` is accepted. Against :func:`coursekit.nn.relu_grad`;
    recognises the ReLU's output used instead of its mask, a reversed mask and a missing upstream gradient.
    Use: ``assert grading.check_relu_backward(relu_backward)``.
    """
    _, ref = _hw4_act("relu")
    return compare(relu_backward, ref, _hw4_activation_cases(rng, zeros=True), name="relu_backward",
                   mistakes=MISTAKES["relu_backward"], diagnosers=("sign_flipped",), depends=_hw4_stand_ins(),
                   call=_hw4_ignore_kink)


def _hw4_mlp_reference(params, X, y, activation="relu"):
    """``(loss, grads)`` of :class:`coursekit.nn.MLP` with these parameters, mean binary cross-entropy."""
    nn = _hw4_nn()
    sizes = [params[0].shape[0]] + [W.shape[1] for W in params[0::2]]
    net = nn.MLP(sizes, activation=activation, init="xavier", rng=0)
    _hw4_load(net.params, list(params))
    loss, dlogits = nn.binary_cross_entropy_with_logits(net.forward(X), y)
    net.backward(dlogits)
    return loss, [g.copy() for g in net.grads[: len(params)]]


def check_mlp_loss_grad(mlp_loss_grad: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``mlp_loss_grad(params, X, y, activation) -> (loss, grads)``: the mean binary cross-entropy of
    an MLP with parameters ``[W1, b1, ..., WL, bL]`` (activation on the hidden layers, a linear output layer
    of width 1 giving the logits) and its gradients in the same order.

    Two- and three-layer networks with sigmoid and ReLU, one sample, one feature, float32. Against
    :class:`coursekit.nn.MLP` with :func:`coursekit.nn.binary_cross_entropy_with_logits`; the notebook's
    helpers (``linear_forward``, ``relu_backward``, ...) are replaced by correct ones during the check. Use:
    ``assert grading.check_mlp_loss_grad(mlp_loss_grad)``.
    """
    rng = as_rng(rng)
    cases = []
    for label, sizes, activation, n, dtype in [
        ("two layers [3, 4, 1], relu", [3, 4, 1], "relu", 8, np.float64),
        ("two layers [3, 4, 1], sigmoid", [3, 4, 1], "sigmoid", 8, np.float64),
        ("three layers [4, 5, 3, 1], relu", [4, 5, 3, 1], "relu", 10, np.float64),
        ("three layers [4, 5, 3, 1], sigmoid", [4, 5, 3, 1], "sigmoid", 10, np.float64),
        ("one sample (n=1), [2, 3, 3, 1], sigmoid", [2, 3, 3, 1], "sigmoid", 1, np.float64),
        ("one feature (d=1), [1, 6, 1], relu", [1, 6, 1], "relu", 9, np.float64),
        ("float32, [3, 5, 1], relu", [3, 5, 1], "relu", 7, np.float32),
    ]:
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            params += [rng.normal(0, 1 / np.sqrt(fan_in), size=(fan_in, fan_out)).astype(dtype),
                       rng.normal(0, 0.5, size=fan_out).astype(dtype)]
        X = rng.normal(size=(n, sizes[0])).astype(dtype)
        y = rng.integers(0, 2, size=n)
        if n > 1:
            y[:2] = [0, 1]
        cases.append(Case(label, (params, X, y, activation), n=n))

    return compare(mlp_loss_grad, _hw4_mlp_reference, cases, name="mlp_loss_grad",
                   mistakes=MISTAKES["mlp_loss_grad"],
                   diagnosers=("bias_grad_not_summed", "weight_grad_transposed", "grads_out_of_order",
                               "mean_vs_sum", "sign_flipped"), depends=_hw4_stand_ins())


HW4_INIT_SHAPES = ((300, 100), (64, 512), (800, 40), (50, 600))
"""(fan_in, fan_out) of the large matrices whose statistics the init checks compare: no two equal fans, so
the variance formulas of the catalogue (1/fan_in, 1/fan_out, 2/(fan_in + fan_out), ...) differ on each."""


def _hw4_init_check(student: Callable, name: str, std: Callable[[int, int], float], rng: RNGLike,
                    shapes: Sequence[tuple[int, int]] = HW4_INIT_SHAPES) -> bool:
    """Statistical check of an initializer ``f(fan_in, fan_out, rng) -> W``: shape, use of ``rng``, and the
    mean and standard deviation of the entries of large matrices against the target ``std(fan_in, fan_out)``.

    The output compared is ``(s, m / s * target)``: the standard deviation ``s`` of the entries, and their
    mean ``m`` in units of their own standard deviation, times the target's (so that the noise of the mean
    is the same for every spread); the tolerance is 4 % on the standard deviation and 5 standard errors on
    the mean. Any zero-mean distribution with the right variance passes (normal or uniform). The
    catalogue's variants are :class:`~coursekit.grading.mistakes_hw4.InitTarget` statistics, never run as
    initializers; ``shapes`` are the ``(fan_in, fan_out)`` of the large matrices.
    """
    seed = int(as_rng(rng).integers(1 << 30))
    reference = InitTarget(std)

    def call(fn, args, kwargs):
        fan_in, fan_out, seed_ = args
        target = float(std(fan_in, fan_out))
        if isinstance(fn, InitTarget):
            s, m = fn.stats(fan_in, fan_out)
            return (s, m / s * target) if fan_in * fan_out > 100 else (1.0, 0.0)
        W = fn(fan_in, fan_out, np.random.default_rng(seed_))
        try:
            W = np.asarray(W, dtype=np.float64)
        except (TypeError, ValueError):
            raise _WrongOutput(f"returns {_kind(W)}, not an array of numbers") from None
        if W.shape != (fan_in, fan_out):
            flip = " (transposed?)" if W.shape == (fan_out, fan_in) else ""
            raise _WrongOutput(f"returns shape {W.shape} but (fan_in, fan_out) = {(fan_in, fan_out)} is "
                               f"expected{flip}")
        again = np.asarray(fn(fan_in, fan_out, np.random.default_rng(seed_)), dtype=np.float64)
        if not np.array_equal(W, again):
            raise _WrongOutput("two calls with the same seeded rng returned different matrices: draw the "
                               "numbers with the rng argument (rng.normal(...)), not with np.random")
        other = np.asarray(fn(fan_in, fan_out, np.random.default_rng(seed_ + 1)), dtype=np.float64)
        if W.size > 1 and np.array_equal(W, other):
            raise _WrongOutput("different rngs returned the same matrix: draw the numbers with rng")
        if not np.all(np.isfinite(W)):
            raise _WrongOutput("returns nan/inf entries")
        if W.size <= 100:
            return 1.0, 0.0
        s = float(W.std())
        return (s, float(W.mean()) / s * target) if s > 0 else (s, float(W.mean()))

    cases = [Case(f"a {fi} x {fo} matrix: (std, mean / std x target std) of its entries, target std "
                  f"{std(fi, fo):.4g}",
                  (fi, fo, seed + i), rtol=0.04, atol=5 * std(fi, fo) / np.sqrt(fi * fo))
             for i, (fi, fo) in enumerate(shapes)]
    cases.append(Case("a 3 x 5 matrix (shape and use of rng only)", (3, 5, seed + 10)))
    cases.append(Case("a 1 x 1 matrix (shape and use of rng only)", (1, 1, seed + 11)))
    return compare(student, reference, cases, name=name, mistakes=MISTAKES[name], call=call)


def check_xavier_init(xavier_init: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``xavier_init(fan_in, fan_out, rng)``: a ``(fan_in, fan_out)`` matrix with zero-mean entries of
    variance :math:`2/(n_\text{in} + n_\text{out})` drawn with ``rng`` (:func:`coursekit.nn.init_weights`'s
    "xavier"). Checked statistically on large matrices (normal or uniform entries both pass); recognises
    ``1/fan_in``, ``1/fan_out`` and the variance used as the standard deviation. Use:
    ``assert grading.check_xavier_init(xavier_init)``.
    """
    return _hw4_init_check(xavier_init, "xavier_init", lambda fi, fo: np.sqrt(2.0 / (fi + fo)), rng)


def check_he_init(he_init: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``he_init(fan_in, fan_out, rng)``: a ``(fan_in, fan_out)`` matrix with zero-mean entries of
    variance :math:`2/n_\text{in}` drawn with ``rng``. Checked statistically (normal or uniform entries both
    pass); recognises ``1/fan_in``, Xavier's variance and the variance used as the standard deviation. Use:
    ``assert grading.check_he_init(he_init)``.
    """
    return _hw4_init_check(he_init, "he_init", lambda fi, fo: np.sqrt(2.0 / fi), rng)


def _hw4_layer_norms(grads):
    """Reference: :meth:`coursekit.nn.MLP.layer_grad_norms` of an MLP whose gradients are ``grads``."""
    sizes = [grads[0].shape[0]] + [W.shape[1] for W in grads[0::2]]
    net = _hw4_nn().MLP(sizes, rng=0)
    _hw4_load(net.grads, grads)
    return net.layer_grad_norms()


def check_layer_grad_norms(layer_grad_norms: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``layer_grad_norms(grads) -> (L,)``: the Frobenius norm :math:`\|\partial L/\partial W_l\|` of
    each weight gradient of ``grads = [dW1, db1, ..., dWL, dbL]`` (the biases are skipped).

    Against :meth:`coursekit.nn.MLP.layer_grad_norms`. Use:
    ``assert grading.check_layer_grad_norms(layer_grad_norms)``.
    """
    rng = as_rng(rng)

    def grads_of(sizes, dtype=np.float64, scale=1.0):
        out = []
        for fi, fo in zip(sizes[:-1], sizes[1:], strict=True):
            out += [scale * rng.normal(size=(fi, fo)), scale * rng.normal(size=fo)]
        return [g.astype(dtype) for g in out]

    cases = [Case("three layers [4, 6, 5, 1]", (grads_of([4, 6, 5, 1]),)),
             Case("one layer [3, 2]", (grads_of([3, 2]),)),
             Case("six layers of width 8, tiny gradients (1e-12)", (grads_of([8] * 6 + [1], scale=1e-12),),
                  atol=0.0),
             Case("zero gradients", ([np.zeros_like(g) for g in grads_of([3, 4, 2])],)),
             Case("float32", (grads_of([5, 3, 2], np.float32),))]
    return compare(layer_grad_norms, _hw4_layer_norms, cases, name="layer_grad_norms",
                   mistakes=MISTAKES["layer_grad_norms"], diagnosers=("norm_count",))


def _hw4_clip_cases(rng: RNGLike, big: float) -> list[Case]:
    rng = as_rng(rng)
    grads = [rng.normal(size=4) * 3, rng.normal(size=(2, 3)) * 2, np.array([0.5])]
    return [
        Case("three arrays, some entries above the threshold", ([g.copy() for g in grads], big)),
        Case("everything below the threshold (unchanged)", ([g * 0.01 for g in grads], 5.0)),
        Case("one large and one small array", ([np.array([30.0, -40.0]), np.array([0.3, -0.1])], 10.0)),
        Case("zero gradients", ([np.zeros(3), np.zeros((2, 2))], 1.0)),
        Case("float32 arrays", ([g.astype(np.float32) for g in grads], big)),
        Case("entries beyond both thresholds", ([rng.uniform(1.5, 4.0, size=6) * np.array([1, -1] * 3) * big,
                                                 rng.uniform(-0.3, 0.3, size=(2, 2)) * big], big)),
        Case("one small array (below the threshold)", ([rng.normal(size=5) * 0.05], 1.0)),
    ]


def check_clip_grad_value(clip_grad_value_: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``clip_grad_value_(grads, clip_value)``: clips every entry of every array to
    :math:`[-c, c]`, in place (``torch.nn.utils.clip_grad_value_``).

    Against :func:`coursekit.optim.clip_grad_value_`. Use:
    ``assert grading.check_clip_grad_value(clip_grad_value_)``.
    """
    import coursekit.optim as optim

    def after(fn, args, kwargs):
        grads, c = args
        fn(grads, c)
        return [g.copy() for g in grads]

    return compare(clip_grad_value_, optim.clip_grad_value_, _hw4_clip_cases(rng, 1.0),
                   name="clip_grad_value_", mistakes=MISTAKES["clip_grad_value_"], call=after, mutates=True)


def check_clip_grad_norm_global(clip_grad_norm_: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``clip_grad_norm_(grads, max_norm) -> total_norm`` with torch's semantics: ONE global norm
    :math:`N = \sqrt{\sum_k \|g_k\|^2}` over all the arrays, every array multiplied in place by
    :math:`\min(1, \text{max\_norm}/(N + 10^{-6}))`, and :math:`N` (before clipping) returned.

    Like :func:`check_clip_grad_norm`, with more inputs and diagnoses: per-array clipping, a copy instead of
    an in-place update, clipping by value, rescaling up when the norm is below the threshold, returning the
    norm after clipping, and any result whose direction differs from the gradient's. Against
    :func:`coursekit.optim.clip_grad_norm_`. Use:
    ``assert grading.check_clip_grad_norm_global(clip_grad_norm_)``.
    """
    import coursekit.optim as optim

    variants = tuple(m.variant for m in MISTAKES["clip_grad_norm_"] if m.variant is not None)

    def call(fn, args, kwargs):
        grads, max_norm = args
        if any(fn is v for v in variants):  # a variant returns (the arrays after, its total)
            return fn(grads, max_norm)
        total = fn(grads, max_norm)
        return [g.copy() for g in grads], total

    cases = [Case(c.label, c.args, rtol=1e-5) for c in _hw4_clip_cases(rng, 2.0)]
    return compare(clip_grad_norm_, optim.clip_grad_norm_, cases, name="clip_grad_norm_",
                   mistakes=MISTAKES["clip_grad_norm_"], diagnosers=("direction_changed",), call=call,
                   mutates=True)


def _hw4_rnn(W_xh, W_hh, b, extra_inputs: int = 0):
    """A :class:`coursekit.nn.RNN` with these weights whose output is the last state (W_hy = I, b_y = 0);
    ``extra_inputs`` zero rows are appended to W_xh (inputs that do not change the forward pass)."""
    H = W_hh.shape[0]
    rnn = _hw4_nn().RNN(W_xh.shape[0] + extra_inputs, H, H, activation="tanh", rng=0)
    W_in = np.vstack([W_xh, np.zeros((extra_inputs, H))])
    _hw4_load(rnn.params, [W_in, W_hh, b, np.eye(H), np.zeros(H)])
    return rnn


def _hw4_rnn_forward(X, W_xh, W_hh, b):
    """Reference states ``H`` (n, T, hidden): the outputs of the RNN on the prefixes of the sequences."""
    rnn = _hw4_rnn(W_xh, W_hh, b)
    return np.stack([rnn.forward(X[:, : t + 1]) for t in range(X.shape[1])], axis=1)


def _hw4_rnn_cases(rng: RNGLike) -> list[tuple[str, tuple]]:
    """(label, (X, W_xh, W_hh, b)) of several shapes and recurrent scales."""
    rng = as_rng(rng)
    nn = _hw4_nn()
    out = []
    for label, (n, T, d, H), scale, x_scale, dtype in [
        ("n=3, T=5, d=2, hidden=4", (3, 5, 2, 4), 0.9, 1.0, np.float64),
        ("one sequence (n=1), T=7, d=3, hidden=3", (1, 7, 3, 3), 0.9, 1.0, np.float64),
        ("one step (T=1)", (4, 1, 2, 3), 0.9, 1.0, np.float64),
        ("one input feature (d=1), T=4, hidden=6", (2, 4, 1, 6), 0.9, 1.0, np.float64),
        ("large recurrent weights (scale 1.5), small inputs, T=10", (3, 10, 2, 5), 1.5, 0.1, np.float64),
        ("small recurrent weights (scale 0.5), T=8", (3, 8, 2, 5), 0.5, 1.0, np.float64),
        ("large inputs (saturated units), T=5", (2, 5, 3, 4), 0.9, 10.0, np.float64),
        ("float32, T=6", (3, 6, 2, 4), 0.9, 1.0, np.float32),
    ]:
        X = x_scale * rng.normal(size=(n, T, d))
        W_xh = rng.normal(0, 1 / np.sqrt(d), size=(d, H))
        W_hh = nn.orthogonal(H, scale, rng) + 0.05 * rng.normal(size=(H, H))  # not symmetric
        b = rng.normal(0, 0.3, size=H)
        out.append((label, tuple(a.astype(dtype) for a in (X, W_xh, W_hh, b))))
    return out


def check_rnn_forward(rnn_forward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``rnn_forward(X, W_xh, W_hh, b) -> H``: the states
    :math:`h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b)`, :math:`h_0 = 0`, as an array ``(n, T, hidden)`` with
    ``H[:, t-1]`` :math:`= h_t`.

    Against :class:`coursekit.nn.RNN`. Use: ``assert grading.check_rnn_forward(rnn_forward)``.
    """
    cases = [Case(label, args) for label, args in _hw4_rnn_cases(rng)]
    return compare(rnn_forward, _hw4_rnn_forward, cases, name="rnn_forward", mistakes=MISTAKES["rnn_forward"],
                   diagnosers=("rnn_states_shape",))


def check_rnn_backward(rnn_backward: Callable, rng: RNGLike = 0) -> bool:
    r"""Check ``rnn_backward(dh_T, X, H, W_hh) -> (dW_xh, dW_hh, db, norms)``: backpropagation through time
    from :math:`\partial L/\partial h_T` (the loss reads the last state only) through the states ``H`` of
    ``rnn_forward``; ``norms[t-1]`` :math:`= \|\partial L/\partial h_t\|` (Frobenius over the batch),
    :math:`t = 1..T`.

    Against :class:`coursekit.nn.RNN` (``backward`` and ``hidden_grad_norms``). Recognises a gradient that
    does not flow back through time, :math:`1 - \tanh^2(h_t)` instead of :math:`1 - h_t^2`, :math:`h_t`
    instead of :math:`h_{t-1}` in ``dW_hh``, and shifted or reversed norms. Use:
    ``assert grading.check_rnn_backward(rnn_backward)``.
    """
    rng = as_rng(rng)
    weights: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def key(X, H, W_hh) -> bytes:
        return b"|".join(np.ascontiguousarray(a).tobytes() for a in (X, H, W_hh))

    cases = []
    for label, (X, W_xh, W_hh, b) in _hw4_rnn_cases(rng):
        H = _hw4_rnn_forward(X, W_xh, W_hh, b).astype(X.dtype)
        weights[key(X, H, W_hh)] = (W_xh, b)
        dh_T = rng.normal(size=(X.shape[0], W_hh.shape[0])).astype(X.dtype)
        cases.append(Case(label, (dh_T, X, H, W_hh)))
    X, H, W_hh, dh = cases[0].args[1], cases[0].args[2], cases[0].args[3], cases[0].args[0]
    cases.append(Case("zero gradient dh_T", (np.zeros_like(dh), X, H, W_hh)))

    def reference(dh_T, X, H, W_hh):
        W_xh, b = weights[key(X, H, W_hh)]
        rnn = _hw4_rnn(W_xh, W_hh, b)
        rnn.forward(X)
        rnn.backward(dh_T)
        return (*(g.copy() for g in rnn.grads[:3]), rnn.hidden_grad_norms())

    return compare(rnn_backward, reference, cases, name="rnn_backward", mistakes=MISTAKES["rnn_backward"],
                   diagnosers=("weight_grad_transposed", "sign_flipped"),
                   depends={"rnn_forward": _hw4_rnn_forward})
