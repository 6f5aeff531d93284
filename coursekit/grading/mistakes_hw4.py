"""The catalogue of realistic mistakes of hw4-gradients (:data:`MISTAKES`), used by
:mod:`coursekit.grading.checks_hw4`. Runs in the grader only.

Each :class:`~coursekit.grading.diagnosers.Mistake` of a part has the hint a student reads, the book section
that explains the idea and, where the mistaken computation can be written, a *variant*: the mistake's
output, vectorised NumPy with the reference's signature, written here independently of the references in
:mod:`coursekit.nn` and :mod:`coursekit.optim`. The mistakes come from the chapter's own warnings
(``book/gradients.md``: Keras's per-array ``clipnorm``, Xavier's and He's variances, saturation), from the
classic slips of comparable courses (the ``1/m`` of DeepLearning.AI's ``linear_backward`` applied a second
time, ``np.random.rand`` instead of ``randn``, CS231n's ``dx = dout; dx[x <= 0] = 0`` that writes into the
upstream gradient, PyTorch's ``(out, in)`` weight layout) and from the ways students write these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coursekit.grading.cases import ANY
from coursekit.grading.diagnosers import Mismatch, Mistake, _unstable

__all__ = ["MISTAKES", "FEW_MISTAKES", "InitTarget"]

_JAC = "gradients#sec-grad-jacobians"
_SAT = "gradients#sec-grad-saturation"
_STABLE = "classification#sec-stable-sigmoid"
_RELU = "gradients#sec-grad-dead-relu"
_INIT = "gradients#sec-grad-init"
_DEPTH = "gradients#sec-grad-depth"
_CLIP = "gradients#sec-grad-clipping"
_KERAS = "gradients#sec-grad-keras-clipping"
_RNN = "gradients#sec-grad-rnn"
_LOSS = "classification#sec-likelihood"


def _f(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _sigmoid(Z) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -_f(Z)))


def _outputs_right_inputs_changed(m: Mismatch) -> bool:
    """The outputs equal the reference's, yet the input failed: the function wrote into its argument."""
    return m.error is None and m.got is not None and m.close(m.got, m.expected)


# ------------------------------------------------------------------------------------------------------------
# linear_forward(X, W, b) -> (Z, (X, W, b))
# ------------------------------------------------------------------------------------------------------------

LINEAR_FORWARD = (
    Mistake("bias_not_added", "the bias b is not added: Z = X @ W + b",
            lambda X, W, b: (X @ W, (X, W, b)), section=_JAC),
    Mistake("weights_transposed",
            "W is used transposed (X @ W.T, PyTorch's (out, in) layout): here W has shape (d_in, d_out), so "
            "Z = X @ W + b",
            lambda X, W, b: (X @ W.T + b, (X, W, b)), section=_JAC),
    Mistake("no_cache", "only Z is returned: return the pair (Z, cache) with cache = (X, W, b), the inputs "
                        "that linear_backward needs",
            lambda X, W, b: X @ W + b, section=_JAC),
    Mistake("cache_without_b", "the cache misses b: the cache must be the tuple (X, W, b) of the inputs, "
                               "exactly as given",
            lambda X, W, b: (X @ W + b, (X, W)), section=_JAC),
    Mistake("cache_out_of_order", "the cache holds the inputs in another order: the cache must be the tuple "
                                  "(X, W, b), in that order, since linear_backward unpacks X, W, b = cache",
            lambda X, W, b: (X @ W + b, (W, X, b)), section=_JAC),
    Mistake("cache_holds_output", "the cache holds the output Z: the cache must be the tuple (X, W, b) of "
                                  "the inputs (backward needs X for dW and W for dX)",
            lambda X, W, b: (X @ W + b,) * 2, section=_JAC),
)

# ------------------------------------------------------------------------------------------------------------
# linear_backward(dZ, cache) -> (dX, dW, db)
# ------------------------------------------------------------------------------------------------------------


def _linear_grads(dZ, cache):
    X, W, _ = (_f(a) for a in cache)
    dZ = _f(dZ)
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0), dZ


def _lb(change: Callable) -> Callable:
    def variant(dZ, cache):
        dX, dW, db, dZ_ = _linear_grads(dZ, cache)
        return change(dX, dW, db, dZ_, len(dZ_))

    return variant


LINEAR_BACKWARD = (
    Mistake("bias_grad_per_sample", "the bias gradient keeps one row per sample: sum it over the batch, "
                                    "db = dZ.sum(axis=0), shape (d_out,)",
            _lb(lambda dX, dW, db, dZ, n: (dX, dW, dZ)), section=_JAC),
    Mistake("bias_grad_mean", "the bias gradient is the mean over the batch (n times too small): sum it, "
                              "db = dZ.sum(axis=0); the 1/n of the mean loss is already inside dZ",
            _lb(lambda dX, dW, db, dZ, n: (dX, dW, db / n)), section=_JAC),
    Mistake("bias_grad_keepdims", "the bias gradient has shape (1, d_out): return a 1-D array of shape "
                                  "(d_out,) (no keepdims)",
            _lb(lambda dX, dW, db, dZ, n: (dX, dW, db[None, :])), section=_JAC),
    Mistake("bias_grad_wrong_axis", "the bias gradient is summed over the wrong axis (one value per sample): "
                                    "sum over the samples, db = dZ.sum(axis=0), shape (d_out,)",
            _lb(lambda dX, dW, db, dZ, n: (dX, dW, dZ.sum(axis=1))), section=_JAC),
    Mistake("bias_grad_total", "the bias gradient is one number (np.sum(dZ) without an axis): sum over the "
                               "samples only, db = dZ.sum(axis=0), one entry per output",
            _lb(lambda dX, dW, db, dZ, n: (dX, dW, dZ.sum())), section=_JAC),
    Mistake("averaged_again", "dW and db are divided by n once more (the 1/m of a per-sample loss): dZ "
                              "already holds the 1/n of the mean loss, so dW = X.T @ dZ and db = "
                              "dZ.sum(axis=0)",
            _lb(lambda dX, dW, db, dZ, n: (dX, dW / n, db / n)), section=_JAC),
    Mistake("weight_grad_transposed", "a gradient looks transposed: each gradient has the shape of its "
                                      "variable, dW = X.T @ dZ is (d_in, d_out) like W",
            _lb(lambda dX, dW, db, dZ, n: (dX, dW.T, db)), section=_JAC),
    Mistake("dX_dW_swapped", "dX and dW are returned in the wrong order: return (dX, dW, db), with dX = dZ @ "
                             "W.T of the shape of X first",
            _lb(lambda dX, dW, db, dZ, n: (dW, dX, db)), section=_JAC),
)

# ------------------------------------------------------------------------------------------------------------
# sigmoid_forward(Z) -> (A, Z) and sigmoid_backward(dA, Z) -> dZ
# ------------------------------------------------------------------------------------------------------------

SIGMOID_FORWARD = (
    Mistake("not_stable", "not numerically stable: for huge |Z| np.exp(-Z) overflows (or gives nan/inf); "
                          "compute e^(-|Z|) only (np.where evaluates both of its branches, so the unused one "
                          "still overflows), or use the tanh form 0.5 * (1 + tanh(Z / 2))",
            detect=lambda m: bool(_unstable(m)), section=_STABLE),
    Mistake("complement", "you return 1 - sigma(z): check the sign in the exponential, "
                          "sigma(z) = 1 / (1 + e^(-z))",
            lambda Z: (1.0 - _sigmoid(Z), Z), section=_SAT),
    Mistake("abs_branch", "the negative scores get sigma(|Z|): the stable form needs two branches, "
                          "1 / (1 + e^(-Z)) for Z >= 0 and e^Z / (1 + e^Z) for Z < 0",
            lambda Z: (_sigmoid(np.abs(_f(Z))), Z), section=_STABLE),
    Mistake("tanh_half_missing", "the tanh form misses the halving of Z: sigma(Z) = 0.5 * (1 + tanh(Z / 2)), "
                                 "not 0.5 * (1 + tanh(Z))",
            lambda Z: (0.5 * (1.0 + np.tanh(_f(Z))), Z), section=_SAT),
    Mistake("cache_holds_output", "the cache holds the output A: the cache must be the input Z (the "
                                  "pre-activation), unchanged; compute A in a new array",
            lambda Z: (_sigmoid(Z),) * 2, section=_SAT),
    Mistake("no_cache", "only A is returned: return the pair (A, cache) with cache = Z, which "
                        "sigmoid_backward needs",
            lambda Z: _sigmoid(Z), section=_SAT),
)


def _sb(local: Callable) -> Callable:
    return lambda dA, Z: local(_f(dA), _f(Z), _sigmoid(Z))


SIGMOID_BACKWARD = (
    Mistake("sigmoid_applied_twice", "the sigmoid is applied twice: the derivative is s * (1 - s) with s = "
                                     "sigma(Z) computed ONCE from the pre-activation Z in the cache (not "
                                     "sigma(sigma(Z)))",
            _sb(lambda dA, Z, s: dA * _sigmoid(s) * (1 - _sigmoid(s))), section=_SAT),
    Mistake("z_not_sigmoid", "you use Z * (1 - Z): the derivative is sigma(Z) * (1 - sigma(Z)); the cache "
                             "holds the pre-activation Z, not the output sigma(Z)",
            _sb(lambda dA, Z, s: dA * Z * (1 - Z)), section=_SAT),
    Mistake("ignores_upstream_grad", "you return the local derivative only: multiply it by the upstream "
                                     "gradient, dZ = dA * sigma'(Z) (chain rule)",
            _sb(lambda dA, Z, s: s * (1 - s)), section=_JAC),
    Mistake("sign_flipped", "the sign is flipped: sigma'(Z) = s * (1 - s) is positive, not s * (s - 1)",
            _sb(lambda dA, Z, s: dA * s * (s - 1)), section=_SAT),
    Mistake("tanh_derivative", "this is the derivative of tanh, 1 - s**2: the sigmoid's is s * (1 - s)",
            _sb(lambda dA, Z, s: dA * (1 - s ** 2)), section=_SAT),
    Mistake("square_missing", "the derivative lacks a factor s: sigma'(Z) = e^(-Z) / (1 + e^(-Z))**2 = "
                              "s * (1 - s), the square in the denominator matters (not 1 - s)",
            _sb(lambda dA, Z, s: dA * (1 - s)), section=_SAT),
)

# ------------------------------------------------------------------------------------------------------------
# relu_forward(Z) -> (A, Z) and relu_backward(dA, Z) -> dZ
# ------------------------------------------------------------------------------------------------------------


def _relu(Z) -> np.ndarray:
    return np.maximum(_f(Z), 0.0)


RELU_FORWARD = (
    Mistake("cache_holds_output", "the cache holds the output A (or Z was modified in place): the cache "
                                  "must be the input Z (the pre-activation), unchanged; compute A in a new "
                                  "array",
            lambda Z: (_relu(Z),) * 2, section=_RELU),
    Mistake("modifies_input", "A and the cache are right but Z was changed in place (Z[Z < 0] = 0 writes "
                              "into the caller's array): compute A in a new array, A = np.maximum(Z, 0)",
            detect=_outputs_right_inputs_changed, section=_RELU),
    Mistake("no_cache", "only A is returned: return the pair (A, cache) with cache = Z, which relu_backward "
                        "needs",
            lambda Z: _relu(Z), section=_RELU),
    Mistake("max_not_maximum", "np.max(Z, 0) is the largest entry along axis 0, not an elementwise max: use "
                               "np.maximum(Z, 0)",
            lambda Z: (np.max(_f(Z), 0), Z), section=_RELU),
    Mistake("minimum_not_maximum", "this keeps the negative part, min(Z, 0): ReLU is max(Z, 0) "
                                   "(np.maximum)",
            lambda Z: (np.minimum(_f(Z), 0.0), Z), section=_RELU),
    Mistake("leaky", "this is a leaky ReLU (0.01 * Z for Z < 0): the ReLU outputs exactly 0 for Z < 0",
            lambda Z: (np.where(_f(Z) > 0, _f(Z), 0.01 * _f(Z)), Z), section=_RELU),
    Mistake("returns_mask", "you return the mask 1[Z > 0] (the derivative): the ReLU's output is "
                            "A = max(Z, 0)",
            lambda Z: ((_f(Z) > 0).astype(float), Z), section=_RELU),
)

RELU_BACKWARD = (
    Mistake("output_not_mask", "you multiply dA by the ReLU's output max(Z, 0): the derivative of ReLU is "
                               "the mask 1[Z > 0] (0 or 1), so dZ = dA * (Z > 0)",
            lambda dA, Z: _f(dA) * _relu(Z), section=_RELU),
    Mistake("mask_reversed", "the mask is reversed: the gradient passes where Z > 0 and is 0 where Z < 0",
            lambda dA, Z: _f(dA) * (_f(Z) < 0), section=_RELU),
    Mistake("ignores_upstream_grad", "you return the local derivative only: multiply it by the upstream "
                                     "gradient, dZ = dA * (Z > 0) (chain rule)",
            lambda dA, Z: (_f(Z) > 0).astype(float), section=_JAC),
    Mistake("mask_from_upstream", "the mask is taken from the upstream gradient dA: it must come from the "
                                  "pre-activation in the cache, dZ = dA * (Z > 0)",
            lambda dA, Z: _f(dA) * (_f(dA) > 0), section=_RELU),
    Mistake("sign_not_mask", "np.sign(Z) is -1 for Z < 0: the ReLU's derivative there is 0, use the mask "
                             "(Z > 0)",
            lambda dA, Z: _f(dA) * np.sign(_f(Z)), section=_RELU),
    Mistake("modifies_upstream", "dZ is right but dA was changed in place (dZ = dA; dZ[Z <= 0] = 0 writes "
                                 "into dA, which the caller still uses): copy it first, dZ = dA.copy(), or "
                                 "return dA * (Z > 0)",
            detect=_outputs_right_inputs_changed, section=_RELU),
)

# ------------------------------------------------------------------------------------------------------------
# mlp_loss_grad(params, X, y, activation) -> (loss, grads)
# ------------------------------------------------------------------------------------------------------------


def _mlp(params, X, y, activation="relu", *, output_activation=False, skip_activation_grad=False,
         force_relu=False, bias_rows=False):
    """Loss and gradients of the MLP written out: mean binary cross-entropy on the logits of the last layer,
    with the knobs of the mistakes."""
    act = "relu" if force_relu else activation
    f = (lambda Z: np.maximum(Z, 0.0)) if act == "relu" else _sigmoid
    df = (lambda Z: (Z > 0).astype(float)) if act == "relu" else (lambda Z: _sigmoid(Z) * (1 - _sigmoid(Z)))
    Ws, bs = [_f(W) for W in params[0::2]], [_f(b) for b in params[1::2]]
    L = len(Ws)
    acts, pre = [_f(X)], []
    for k in range(L):
        Z = acts[-1] @ Ws[k] + bs[k]
        pre.append(Z)
        acts.append(f(Z) if k < L - 1 or output_activation else Z)
    z, y = acts[-1].ravel(), _f(y).ravel()
    n = z.size
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    dH = ((_sigmoid(z) - y) / n).reshape(acts[-1].shape)
    grads = [None] * (2 * L)
    for k in reversed(range(L)):
        hidden = k < L - 1 or output_activation
        dZ = dH * df(pre[k]) if hidden and not skip_activation_grad else dH
        grads[2 * k], grads[2 * k + 1] = acts[k].T @ dZ, (dZ if bias_rows else dZ.sum(axis=0))
        dH = dZ @ Ws[k].T
    return loss, grads, n


def _mlp_variant(change: Callable | None = None, **knobs) -> Callable:
    def variant(params, X, y, activation="relu"):
        loss, grads, n = _mlp(params, X, y, activation, **knobs)
        return (loss, grads) if change is None else change(loss, grads, n)

    return variant


MLP_LOSS_GRAD = (
    Mistake("output_activation", "the activation is also applied to the output layer: the last layer is "
                                 "linear, its output Z_L is the logit passed to bce_with_logits",
            _mlp_variant(output_activation=True), section=_JAC),
    Mistake("activation_grad_skipped", "the backward pass skips the activations: going back through a hidden "
                                       "layer, dZ = dA * f'(Z) (relu_backward / sigmoid_backward) before "
                                       "linear_backward",
            _mlp_variant(skip_activation_grad=True), section=_JAC),
    Mistake("activation_ignored", "the activation argument is ignored (ReLU is always used): with "
                                  "activation='sigmoid' the hidden layers use sigmoid_forward and "
                                  "sigmoid_backward",
            _mlp_variant(force_relu=True), section=_SAT),
    Mistake("loss_summed", "returns the sum where the mean is expected: the loss is the MEAN binary "
                           "cross-entropy over the n samples (and its gradients are n times smaller)",
            _mlp_variant(lambda loss, g, n: (loss * n, [x * n for x in g])), section=_LOSS),
    Mistake("dlogits_not_averaged", "the loss is the mean but its gradient is not averaged over the batch: "
                                    "dL/dz = (sigma(z) - y) / n (bce_with_logits already returns it)",
            _mlp_variant(lambda loss, g, n: (loss, [x * n for x in g])), section=_LOSS),
    Mistake("averaged_twice", "the gradients are averaged over the batch twice (n times too small): the 1/n "
                              "is already in dL/dz, do not divide dW and db by n again",
            _mlp_variant(lambda loss, g, n: (loss, [x / n for x in g])), section=_JAC),
    Mistake("grads_reversed", "the gradients are right but in another order: return them in the order of "
                              "params, [dW1, db1, dW2, db2, ...] (backward visits the layers last to first)",
            _mlp_variant(lambda loss, g, n: (loss, g[::-1])), section=_JAC),
    Mistake("weight_grads_transposed", "a gradient looks transposed: each dW_l = A_(l-1).T @ dZ_l "
                                       "has the shape of W_l, (d_in, d_out)",
            _mlp_variant(lambda loss, g, n: (loss, [x.T if x.ndim == 2 else x for x in g])), section=_JAC),
    Mistake("bias_grads_per_sample", "the bias gradients keep one row per sample: sum them over the batch, "
                                     "db_l = dZ_l.sum(axis=0), shape (d_out,)",
            _mlp_variant(bias_rows=True), section=_JAC),
)

# ------------------------------------------------------------------------------------------------------------
# xavier_init / he_init(fan_in, fan_out, rng): checked through (std, mean) of the entries
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class InitTarget:
    """The statistics of a (mistaken) initializer: the standard deviation and the mean of its entries as
    functions of ``(fan_in, fan_out)``. The init checks compare these with the student's matrix; a target is
    never called as an initializer."""

    std: Callable[[int, int], float]
    mean: Callable[[int, int], float] | None = None

    def stats(self, fan_in: int, fan_out: int) -> tuple[float, float]:
        """``(std, mean)`` of the entries of a ``(fan_in, fan_out)`` matrix."""
        mean = 0.0 if self.mean is None else float(self.mean(fan_in, fan_out))
        return float(self.std(fan_in, fan_out)), mean

    def __call__(self, fan_in, fan_out, rng):
        raise AssertionError("a target of the init checks, not an initializer")


def _rand(scale: Callable[[int, int], float]) -> InitTarget:
    """rng.random(...) * scale: uniform on [0, scale), mean scale / 2, std scale / sqrt(12)."""
    return InitTarget(lambda fi, fo: scale(fi, fo) / np.sqrt(12.0), lambda fi, fo: scale(fi, fo) / 2.0)


def _xavier(fi, fo):
    return np.sqrt(2.0 / (fi + fo))


def _he(fi, fo):
    return np.sqrt(2.0 / fi)


XAVIER_INIT = (
    Mistake("fan_in_only", "the variance uses fan_in only (1 / fan_in is LeCun's): Xavier/Glorot averages "
                           "the two fans, Var = 2 / (fan_in + fan_out)",
            InitTarget(lambda fi, fo: np.sqrt(1.0 / fi)), section=_INIT),
    Mistake("fan_out_only", "the variance uses fan_out only: Xavier/Glorot averages the two fans, Var = 2 / "
                            "(fan_in + fan_out)",
            InitTarget(lambda fi, fo: np.sqrt(1.0 / fo)), section=_INIT),
    Mistake("variance_as_std", "the spread looks like the variance used as the standard deviation: "
                               "rng.normal takes the standard deviation, the square root of the variance",
            InitTarget(lambda fi, fo: 2.0 / (fi + fo)), section=_INIT),
    Mistake("factor_two_missing", "the variance is 1 / (fan_in + fan_out): Xavier's is twice that, "
                                  "2 / (fan_in + fan_out), the average of 1 / fan_in and 1 / fan_out",
            InitTarget(lambda fi, fo: np.sqrt(1.0 / (fi + fo))), section=_INIT),
    Mistake("uniform_bound_is_std", "uniform entries on [-s, s] with s the standard deviation: a uniform "
                                    "draw has std s / sqrt(3), so the bound is sqrt(6 / (fan_in + fan_out))",
            InitTarget(lambda fi, fo: _xavier(fi, fo) / np.sqrt(3.0)), section=_INIT),
    Mistake("rand_not_randn", "the entries are not centred at 0 (rng.random / np.random.rand draws from [0, "
                              "1)): draw zero-mean numbers, rng.normal(0, std, size) or "
                              "rng.standard_normal(size) * std",
            _rand(_xavier), section=_INIT),
    Mistake("parentheses", "the parentheses are missing: np.sqrt(2 / fan_in + fan_out) is sqrt(2 / fan_in + "
                           "fan_out); write np.sqrt(2 / (fan_in + fan_out))",
            InitTarget(lambda fi, fo: np.sqrt(2.0 / fi + fo)), section=_INIT),
)

HE_INIT = (
    Mistake("one_over_fan_in", "this is Var = 1 / fan_in: He uses Var = 2 / fan_in, twice as much, because "
                               "ReLU zeroes half of its inputs and halves the second moment",
            InitTarget(lambda fi, fo: np.sqrt(1.0 / fi)), section=_INIT),
    Mistake("uses_both_fans", "this is Xavier's Var = 2 / (fan_in + fan_out): He uses fan_in only, "
                              "Var = 2 / fan_in",
            InitTarget(_xavier), section=_INIT),
    Mistake("variance_as_std", "the spread looks like the variance used as the standard deviation: "
                               "rng.normal takes the standard deviation, the square root of the variance",
            InitTarget(lambda fi, fo: 2.0 / fi), section=_INIT),
    Mistake("fan_out", "the variance uses fan_out (2 / fan_out): He's forward-pass rule uses the fan-in, "
                       "Var = 2 / fan_in",
            InitTarget(lambda fi, fo: np.sqrt(2.0 / fo)), section=_INIT),
    Mistake("sqrt_misplaced", "the standard deviation is 2 / sqrt(fan_in): the square root covers the "
                              "whole variance, std = sqrt(2 / fan_in)",
            InitTarget(lambda fi, fo: 2.0 / np.sqrt(fi)), section=_INIT),
    Mistake("uniform_bound_is_std", "uniform entries on [-s, s] with s the standard deviation: a uniform "
                                    "draw has std s / sqrt(3), so the bound is sqrt(6 / fan_in)",
            InitTarget(lambda fi, fo: _he(fi, fo) / np.sqrt(3.0)), section=_INIT),
    Mistake("rand_not_randn", "the entries are not centred at 0 (rng.random / np.random.rand draws from [0, "
                              "1)): draw zero-mean numbers, rng.normal(0, std, size) or "
                              "rng.standard_normal(size) * std",
            _rand(_he), section=_INIT),
)

# ------------------------------------------------------------------------------------------------------------
# layer_grad_norms(grads) -> (L,)
# ------------------------------------------------------------------------------------------------------------


def _per_weight(norm: Callable[[np.ndarray], float], start: int = 0) -> Callable:
    return lambda grads: np.array([norm(_f(g)) for g in grads[start::2]])


LAYER_GRAD_NORMS = (
    Mistake("includes_biases", "returns a norm for every array: the bias gradients are not layers; take the "
                               "weight gradients only, grads[0::2]",
            lambda grads: np.array([np.linalg.norm(_f(g)) for g in grads]), section=_DEPTH),
    Mistake("squared_norms", "these are squared norms: take the square root, ||dW|| = sqrt(sum of squares) "
                             "(np.linalg.norm)",
            _per_weight(lambda g: float(np.sum(g ** 2))), section=_DEPTH),
    Mistake("global_norm", "returns one number: that is the global norm of all the gradients; return one "
                           "norm per layer (per weight gradient)",
            lambda grads: float(np.sqrt(sum(np.sum(_f(g) ** 2) for g in grads))), section=_DEPTH),
    Mistake("bias_norms", "these are the norms of the bias gradients (grads[1::2]): the weight gradients "
                          "are grads[0], grads[2], ... (grads[0::2])",
            _per_weight(np.linalg.norm, start=1), section=_DEPTH),
    Mistake("spectral_norm", "np.linalg.norm(dW, 2) of a matrix is its largest singular value: the "
                             "Frobenius norm is np.linalg.norm(dW) (no ord), sqrt of the sum of all squares",
            _per_weight(lambda g: float(np.linalg.norm(g, 2) if g.ndim == 2 else np.linalg.norm(g))),
            section=_DEPTH),
    Mistake("rms_not_norm", "this is the root mean square (np.sqrt(np.mean(dW ** 2))): the Frobenius norm "
                            "sums the squares, it does not average them",
            _per_weight(lambda g: float(np.sqrt(np.mean(g ** 2)))), section=_DEPTH),
    Mistake("l1_norm", "this is the sum of absolute values (an L1 norm): the Frobenius norm is the square "
                       "root of the sum of squares",
            _per_weight(lambda g: float(np.sum(np.abs(g)))), section=_DEPTH),
)

# ------------------------------------------------------------------------------------------------------------
# clip_grad_value_(grads, clip_value), in place
# ------------------------------------------------------------------------------------------------------------


def _each(op: Callable[[np.ndarray, float], None]) -> Callable:
    def variant(grads, c):
        for g in grads:
            op(g, c)

    return variant


def _set(g: np.ndarray, value: np.ndarray) -> None:
    g[...] = value


def _value_by_norm(grads, c):
    total = float(np.sqrt(sum(np.sum(_f(g) ** 2) for g in grads)))
    scale = min(1.0, c / (total + 1e-6))
    for g in grads:
        g *= scale


CLIP_GRAD_VALUE = (
    Mistake("not_in_place", "the arrays must be changed in place (like torch's clip_grad_value_): write "
                            "np.clip(g, -c, c, out=g) or g[...] = ..., do not rebind g to a new array",
            lambda grads, c: None, section=_CLIP),
    Mistake("one_sided", "only one side is clipped: clip every entry to [-clip_value, clip_value], the "
                         "negative entries too",
            _each(lambda g, c: _set(g, np.minimum(g, c))), section=_CLIP),
    Mistake("by_norm", "this rescales by the norm: clip_grad_value_ clips each entry separately to "
                       "[-clip_value, clip_value] (np.clip)",
            _value_by_norm, section=_CLIP),
    Mistake("sign_lost", "large negative entries become +clip_value: an entry below -clip_value becomes "
                         "-clip_value (keep its sign, np.clip(g, -c, c))",
            _each(lambda g, c: _set(g, np.where(np.abs(g) > c, c, g))), section=_CLIP),
    Mistake("zeroes_large", "the entries beyond the threshold are set to 0: clipping keeps them, at "
                            "+clip_value or -clip_value",
            _each(lambda g, c: _set(g, np.where(np.abs(g) > c, 0, g))), section=_CLIP),
    Mistake("lower_bound_zero", "the entries are clipped to [0, clip_value]: the lower bound is -clip_value, "
                                "np.clip(g, -clip_value, clip_value)",
            _each(lambda g, c: _set(g, np.clip(g, 0, c))), section=_CLIP),
    Mistake("bounds_swapped", "the bounds are swapped (np.clip(g, c, -c) sets every entry to -c): the lower "
                              "bound comes first, np.clip(g, -c, c)",
            _each(lambda g, c: _set(g, -c)), section=_CLIP),
)

# ------------------------------------------------------------------------------------------------------------
# clip_grad_norm_(grads, max_norm) -> total, in place; a variant returns ([arrays after], total)
# ------------------------------------------------------------------------------------------------------------


def _norm2(grads) -> float:
    return float(np.sqrt(sum(np.sum(_f(g) ** 2) for g in grads)))


def _scaled(grads, total: float, max_norm: float, up: bool = False) -> list[np.ndarray]:
    scale = max_norm / (total + 1e-6)
    if up or scale < 1.0:
        for g in grads:
            g *= scale
    return [g.copy() for g in grads]


def _by_total(total_of: Callable, up: bool = False) -> Callable:
    """Every array scaled by max_norm / (total + 1e-6) (also up, with ``up``) for a mistaken ``total``, which
    is returned, computed BEFORE the arrays change."""

    def variant(grads, max_norm):
        total = float(total_of(grads))
        return _scaled(grads, total, max_norm, up), total

    return variant


def _per_array(grads, max_norm):
    for g in grads:
        _scaled([g], _norm2([g]), max_norm)
    return [g.copy() for g in grads], ANY


def _norm_by_value(grads, max_norm):
    for g in grads:
        np.clip(g, -max_norm, max_norm, out=g)
    return [g.copy() for g in grads], ANY


def _returns_none(m: Mismatch) -> bool:
    got, exp = m.got, m.expected
    return (isinstance(got, tuple) and len(got) == 2 and got[1] is None and isinstance(exp, tuple)
            and m.close(got[0], exp[0]))


CLIP_GRAD_NORM = (
    Mistake("per_tensor_clipping", "clips each array separately (like Keras's clipnorm) instead of by one "
                                   "global norm over all the arrays together",
            _per_array, section=_KERAS),
    Mistake("not_in_place", "the arrays must be changed in place (like torch's clip_grad_norm_): write "
                            "g *= scale or g[...] = ..., do not rebind g to a new array",
            lambda grads, max_norm: ([g.copy() for g in grads], ANY), section=_CLIP),
    Mistake("clips_by_value_not_norm", "this clips every entry to [-max_norm, max_norm] (by value): "
                                       "clip_grad_norm_ multiplies all the arrays by ONE factor max_norm / "
                                       "(total + 1e-6), which keeps the direction",
            _norm_by_value, section=_CLIP),
    Mistake("returns_clipped_norm", "the arrays are right but the returned value is not: return the global "
                                    "norm BEFORE clipping (the number to log)",
            lambda grads, max_norm: (_scaled(grads, _norm2(grads), max_norm), _norm2(grads)),  # after: meant
            section=_CLIP),
    Mistake("always_rescales", "the gradients are rescaled even when their global norm is already below "
                               "max_norm: scale by min(1, max_norm / (total + 1e-6)), never up",
            _by_total(_norm2, up=True), section=_CLIP),
    Mistake("norm_without_sqrt", "the global norm misses its square root (that is the sum of squares): "
                                 "total = sqrt(sum over the arrays of sum(g ** 2))",
            _by_total(lambda grads: _norm2(grads) ** 2), section=_CLIP),
    Mistake("sum_of_norms", "the global norm is the sum of the arrays' norms: it is the square root of the "
                            "sum of their SQUARED norms, sqrt(||g_1||**2 + ||g_2||**2 + ...)",
            _by_total(lambda grads: sum(_norm2([g]) for g in grads)), section=_CLIP),
    Mistake("no_return", "the arrays are right but nothing is returned: return the global norm before "
                         "clipping (like torch's clip_grad_norm_)",
            detect=_returns_none, section=_CLIP),
)

# ------------------------------------------------------------------------------------------------------------
# rnn_forward(X, W_xh, W_hh, b) -> H (n, T, hidden)
# ------------------------------------------------------------------------------------------------------------


def _states(X, W_xh, W_hh, b, act: Callable = np.tanh) -> np.ndarray:
    X, W_xh, W_hh, b = (_f(a) for a in (X, W_xh, W_hh, b))
    h, out = np.zeros((X.shape[0], W_hh.shape[0])), []
    for t in range(X.shape[1]):
        h = act(X[:, t] @ W_xh + h @ W_hh + b)
        out.append(h)
    return np.stack(out, axis=1)


def _with_h0(H: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros_like(H[:, :1]), H], axis=1)


RNN_FORWARD = (
    Mistake("no_recurrence", "the previous state is missing: h_t = tanh(x_t W_xh + h_(t-1) W_hh + b), with "
                             "h_0 = 0",
            lambda X, W_xh, W_hh, b: _states(X, W_xh, np.zeros_like(_f(W_hh)), b), section=_RNN),
    Mistake("whh_transposed", "W_hh looks transposed: with row vectors the recurrence is h_(t-1) @ W_hh",
            lambda X, W_xh, W_hh, b: _states(X, W_xh, _f(W_hh).T, b), section=_RNN),
    Mistake("includes_h0", "H holds T + 1 states: return h_1 ... h_T only, shape (n, T, hidden); h_0 = 0 is "
                           "the starting state, not an output",
            lambda X, W_xh, W_hh, b: _with_h0(_states(X, W_xh, W_hh, b)), section=_RNN),
    Mistake("time_major", "H is time-major (T, n, hidden): return it batch first, shape (n, T, hidden), "
                          "H[:, t] = h_(t+1)",
            lambda X, W_xh, W_hh, b: _states(X, W_xh, W_hh, b).transpose(1, 0, 2), section=_RNN),
    Mistake("bias_missing", "the bias b is not added: h_t = tanh(x_t W_xh + h_(t-1) W_hh + b)",
            lambda X, W_xh, W_hh, b: _states(X, W_xh, W_hh, np.zeros_like(_f(b))), section=_RNN),
    Mistake("no_tanh", "tanh is missing: the state is h_t = tanh(x_t W_xh + h_(t-1) W_hh + b), not the "
                       "pre-activation itself",
            lambda X, W_xh, W_hh, b: _states(X, W_xh, W_hh, b, act=lambda u: u), section=_RNN),
    Mistake("last_state_only", "only the last state h_T is returned: return every state, H of shape (n, T, "
                               "hidden) with H[:, t-1] = h_t",
            lambda X, W_xh, W_hh, b: _states(X, W_xh, W_hh, b)[:, -1], section=_RNN),
    Mistake("states_shifted", "the states are shifted by one step (each h stored before it is updated): "
                              "H[:, t-1] must be h_t, the state AFTER reading x_t; H[:, 0] is h_1, not h_0",
            lambda X, W_xh, W_hh, b: _with_h0(_states(X, W_xh, W_hh, b))[:, :-1], section=_RNN),
)

# ------------------------------------------------------------------------------------------------------------
# rnn_backward(dh_T, X, H, W_hh) -> (dW_xh, dW_hh, db, norms)
# ------------------------------------------------------------------------------------------------------------


def _bptt(dh_T, X, H, W_hh, *, last_only=False, propagate=True, tanh_twice=False, current_state=False,
          overwrite_whh=False, db_rows=False, tanh_grad=True, norms="right"):
    """Backpropagation through time written out, with the knobs of the mistakes."""
    dh_T, X, H, W_hh = (_f(a) for a in (dh_T, X, H, W_hh))
    n, T, d = X.shape
    k = W_hh.shape[0]
    dW_xh, dW_hh = np.zeros((d, k)), np.zeros((k, k))
    db = np.zeros((n, k)) if db_rows else np.zeros(k)
    before, after = np.zeros(T), np.zeros(T)
    dh = dh_T
    for t in reversed(range(T)):
        before[t] = np.linalg.norm(dh)
        h = H[:, t]
        local = 1 - np.tanh(h) ** 2 if tanh_twice else 1 - h ** 2
        du = dh * local if tanh_grad else dh
        h_prev = H[:, t - 1] if t > 0 else np.zeros_like(h)
        step = (h if current_state else h_prev).T @ du
        dW_hh = step if overwrite_whh else dW_hh + step
        dW_xh += X[:, t].T @ du
        db += du if db_rows else du.sum(axis=0)
        dh = du @ W_hh.T if propagate else dh_T
        after[t] = np.linalg.norm(dh)
        if last_only:
            break
    out = {"right": before, "shifted": after, "reversed": before[::-1], "any": ANY}[norms]
    return dW_xh, dW_hh, db, out


def _bp(**knobs) -> Callable:
    knobs.setdefault("norms", "any")
    return lambda dh_T, X, H, W_hh: _bptt(dh_T, X, H, W_hh, **knobs)


RNN_BACKWARD = (
    Mistake("last_step_only", "the gradient does not flow back through time: it comes from the last step "
                              "only. Going back one step, dh_(t-1) = (dh_t * (1 - h_t**2)) @ W_hh.T (the "
                              "recurrent term), and every step adds its contribution",
            _bp(last_only=True), section=_RNN),
    Mistake("dh_not_propagated", "the recurrent term is missing: every step receives dh_T itself, but the "
                                 "loss reads h_T only; the gradient reaching h_(t-1) is (dh_t * (1 - "
                                 "h_t**2)) @ W_hh.T, so update dh at each step back",
            _bp(propagate=False), section=_RNN),
    Mistake("tanh_applied_twice", "tanh is applied twice: H already holds h_t = tanh(u_t), so tanh'(u_t) = "
                                  "1 - h_t**2 (not 1 - tanh(h_t)**2)",
            _bp(tanh_twice=True), section=_RNN),
    Mistake("tanh_grad_missing", "the tanh derivative is missing: going back through h_t = tanh(u_t), "
                                 "du_t = dh_t * (1 - h_t**2) before the weights' gradients",
            _bp(tanh_grad=False), section=_SAT),
    Mistake("wrong_state", "dW_hh uses the wrong state: step t multiplies h_(t-1) (the state that entered "
                           "the step, h_0 = 0 for the first step) by W_hh, so dW_hh += h_(t-1).T @ du_t",
            _bp(current_state=True), section=_RNN),
    Mistake("dwhh_not_accumulated", "dW_hh is zero: add the contribution h_(t-1).T @ du_t of EVERY step "
                                    "(+=), not only the first one, whose h_0 is 0",
            _bp(overwrite_whh=True), section=_RNN),
    Mistake("bias_grad_per_sample", "the bias gradient keeps one row per sample: sum it over the batch, "
                                    "db += du_t.sum(axis=0), shape (hidden,)",
            _bp(db_rows=True), section=_JAC),
    Mistake("norms_shifted", "the gradients are right but the norms are shifted by one step: record "
                             "||dL/dh_t|| for t = 1..T, norms[T-1] = ||dh_T||, before stepping back",
            _bp(norms="shifted"), section=_RNN),
    Mistake("norms_reversed", "the norms are in reverse order: norms[t-1] is ||dL/dh_t|| for t = 1..T (the "
                              "last entry belongs to the last step)",
            _bp(norms="reversed"), section=_RNN),
)

MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "linear_forward": LINEAR_FORWARD,
    "linear_backward": LINEAR_BACKWARD,
    "sigmoid_forward": SIGMOID_FORWARD,
    "sigmoid_backward": SIGMOID_BACKWARD,
    "relu_forward": RELU_FORWARD,
    "relu_backward": RELU_BACKWARD,
    "mlp_loss_grad": MLP_LOSS_GRAD,
    "xavier_init": XAVIER_INIT,
    "he_init": HE_INIT,
    "layer_grad_norms": LAYER_GRAD_NORMS,
    "clip_grad_value_": CLIP_GRAD_VALUE,
    "clip_grad_norm_": CLIP_GRAD_NORM,
    "rnn_forward": RNN_FORWARD,
    "rnn_backward": RNN_BACKWARD,
}
"""hw4's grade id -> its catalogue of realistic mistakes, most specific first."""

FEW_MISTAKES: dict[str, str] = {}
"""Parts with fewer than six mistakes, and why (none: every part of hw4 admits six)."""
