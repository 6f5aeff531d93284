"""A small NumPy multilayer perceptron and recurrent network, with a finite-difference gradient check.

The reference code of the chapter :doc:`/book/gradients` (exploding and vanishing gradients):

- activations and their derivatives: ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu`` (slope 0.01),
  ``identity``;
- weight initializations: normal, Xavier/Glorot normal, He normal (:func:`init_weights`);
- :class:`MLP` with optional residual connections and batch normalization, and per-layer gradient norms;
- :class:`RNN`, a vanilla recurrent network trained by backpropagation through time;
- losses that return ``(loss, gradient)``; :func:`numerical_gradient` and :func:`gradient_check`;
- :func:`depth_gradient_norms`, the chapter's experiment.

Conventions: float64, batch first (``X`` has shape ``(n, d)``), weights of shape ``(fan_in, fan_out)`` so
that a linear layer computes ``X @ W + b``. ``backward`` *overwrites* ``grads`` in place (torch accumulates
instead), in the same order as ``params``; optimizers from :mod:`coursekit.optim` update ``params`` in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from coursekit._utils import RNGLike, as_rng

LEAKY_SLOPE = 0.01
"""Slope of :func:`leaky_relu` for negative inputs (torch's default ``negative_slope``)."""
BN_MOMENTUM = 0.1
"""Weight of the new batch statistic in the running mean/variance of batch normalization (torch's default)."""
BN_EPS = 1e-5
"""Added to the variance before the square root in batch normalization (torch's default)."""

Activation = Callable[[np.ndarray], np.ndarray]


# ----------------------------------------------------------------------------------------------- activations
def sigmoid(z: ArrayLike) -> np.ndarray:
    r"""Logistic sigmoid :math:`\sigma(z) = 1/(1+e^{-z})`, computed stably as :math:`e^{-\log(1+e^{-z})}`.

    Elementwise, any shape. See the chapter :doc:`/book/gradients`.
    """
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def sigmoid_grad(z: ArrayLike) -> np.ndarray:
    r"""Derivative :math:`\sigma'(z) = \sigma(z)(1-\sigma(z)) \le 1/4` (the source of vanishing gradients)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: ArrayLike) -> np.ndarray:
    r"""Hyperbolic tangent :math:`\tanh z`, elementwise. See the chapter :doc:`/book/gradients`."""
    return np.tanh(np.asarray(z, dtype=float))


def tanh_grad(z: ArrayLike) -> np.ndarray:
    r"""Derivative :math:`\tanh'(z) = 1 - \tanh^2 z \le 1`."""
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


def relu(z: ArrayLike) -> np.ndarray:
    r"""Rectified linear unit :math:`\max(z, 0)`, elementwise. See the chapter :doc:`/book/gradients`."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_grad(z: ArrayLike) -> np.ndarray:
    r"""Derivative :math:`\mathbb 1[z > 0]` (0 is used at the kink :math:`z = 0`)."""
    return (np.asarray(z) > 0).astype(float)


def leaky_relu(z: ArrayLike) -> np.ndarray:
    r"""Leaky ReLU :math:`z` for :math:`z > 0`, :math:`0.01\,z` otherwise (slope :data:`LEAKY_SLOPE`)."""
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_grad(z: ArrayLike) -> np.ndarray:
    r"""Derivative: 1 for :math:`z > 0`, 0.01 otherwise."""
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE)


def identity(z: ArrayLike) -> np.ndarray:
    """Identity :math:`f(z) = z` (a linear network)."""
    return np.asarray(z, dtype=float)


def identity_grad(z: ArrayLike) -> np.ndarray:
    """Derivative of the identity: ones of the shape of ``z``."""
    return np.ones_like(np.asarray(z, dtype=float))


ACTIVATIONS: dict[str, tuple[Activation, Activation]] = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "identity": (identity, identity_grad),
}


def activation(name: str) -> tuple[Activation, Activation]:
    """Return ``(f, df)``: an activation and its derivative, both taking the *pre-activation* ``z``.

    Parameters
    ----------
    name : {"sigmoid", "tanh", "relu", "leaky_relu", "identity"}

    See the chapter :doc:`/book/gradients`.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


_activation = activation  # the classes below have an argument named `activation`


# ------------------------------------------------------------------------------------------- initializations
def init_weights(fan_in: int, fan_out: int, method: str = "xavier", scale: float = 0.01,
                 rng: RNGLike = None) -> np.ndarray:
    r"""Draw a weight matrix of shape ``(fan_in, fan_out)`` with zero-mean normal entries.

    .. math::
        \text{normal: } W_{ij} \sim \mathcal N(0, s^2), \quad
        \text{xavier: } W_{ij} \sim \mathcal N\Big(0, \frac{2}{n_\text{in} + n_\text{out}}\Big), \quad
        \text{he: } W_{ij} \sim \mathcal N\Big(0, \frac{2}{n_\text{in}}\Big).

    Xavier/Glorot (2010) keeps the variance of activations and gradients roughly constant for ``tanh``-like
    units; He et al. (2015) compensates for ReLU zeroing half of its inputs.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs and outputs of the layer.
    method : {"xavier", "he", "normal"}
    scale : float
        Standard deviation :math:`s` of the "normal" method (ignored by the others).
    rng : numpy Generator, int or None

    See the chapter :doc:`/book/gradients`.
    """
    if fan_in < 1 or fan_out < 1:
        raise ValueError(f"fan_in and fan_out must be positive, got ({fan_in}, {fan_out})")
    stds = {"normal": scale, "xavier": np.sqrt(2.0 / (fan_in + fan_out)), "he": np.sqrt(2.0 / fan_in)}
    if method not in stds:
        raise ValueError(f"unknown init method {method!r}; choose one of {sorted(stds)}")
    return as_rng(rng).normal(0.0, stds[method], size=(fan_in, fan_out))


def orthogonal(n: int, gain: float = 1.0, rng: RNGLike = None) -> np.ndarray:
    r"""A random orthogonal ``(n, n)`` matrix times ``gain`` (QR of a Gaussian matrix, signs fixed).

    All singular values and all eigenvalue moduli equal ``gain``, so :math:`\|h W\| = \text{gain}\,\|h\|`:
    repeated multiplication shrinks (gain < 1) or grows (gain > 1) a vector geometrically.
    """
    q, r = np.linalg.qr(as_rng(rng).standard_normal((n, n)))
    return gain * q * np.sign(np.diag(r))


# ------------------------------------------------------------------------------------------------------- MLP
@dataclass
class _Layer:
    W: int  # index of the weight in params
    b: int | None  # index of the bias (None before batch norm: beta plays its role)
    gamma: int | None  # batch-norm scale and shift (None without batch norm)
    beta: int | None
    hidden: bool  # False for the output layer (no activation, no batch norm)
    residual: bool  # h <- h + act(...) instead of h <- act(...)


class MLP:
    r"""A multilayer perceptron in NumPy with optional residual connections and batch normalization.

    ``sizes = [d_in, h_1, ..., h_{L-1}, d_out]`` gives :math:`L` linear layers; hidden layer :math:`l` is

    .. math::
        u_l = h_{l-1} W_l + b_l \;\text{ or }\; u_l = \mathrm{BN}(h_{l-1} W_l), \qquad
        h_l = \begin{cases} h_{l-1} + f(u_l) & \text{residual} \\ f(u_l) & \text{otherwise} \end{cases}

    and the output layer returns the logits :math:`h_{L-1} W_L + b_L` (no activation).

    - ``residual=True`` adds the skip connection on every hidden layer whose input is a hidden layer of the
      same width (never on the first layer, whose input is the data).
    - ``batch_norm=True`` normalizes every hidden pre-activation per feature,
      :math:`\mathrm{BN}(z) = \gamma\,(z-\mu)/\sqrt{\sigma^2+\epsilon} + \beta`, with the batch mean and
      biased batch variance in train mode and the running statistics in eval mode, like
      ``torch.nn.BatchNorm1d``: running averages with momentum 0.1 (the running variance uses the unbiased
      batch variance), eps 1e-5, running mean 0 and variance 1 at the start. A linear layer followed by batch
      normalization has no bias (the mean subtraction would cancel it; :math:`\beta` takes its role).

    Parameters
    ----------
    sizes : list of int
        Layer widths, input first; at least two entries.
    activation : {"relu", "sigmoid", "tanh", "leaky_relu", "identity"}
    init : {"he", "xavier", "normal"}
        Weight initialization (see :func:`init_weights`); biases and :math:`\beta` start at 0,
        :math:`\gamma` at 1.
    residual, batch_norm : bool
    init_scale : float
        Standard deviation of the "normal" initialization.
    rng : numpy Generator, int or None

    Attributes
    ----------
    params : list of ndarray
        Per layer: ``W (fan_in, fan_out)``, then ``b (fan_out,)`` or ``gamma, beta (fan_out,)``.
    grads : list of ndarray
        Gradients of the last :meth:`backward`, same order and shapes as ``params``.
    param_names : list of str
        ``"W0", "b0", ...`` (layer index from the input side).
    running_mean, running_var : list of ndarray or None
        Batch-norm buffers per layer (``None`` where there is no batch norm).
    training : bool
        Train mode (batch statistics) or eval mode (running statistics).

    See the chapter :doc:`/book/gradients`.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", init: str = "he",
                 residual: bool = False, batch_norm: bool = False, init_scale: float = 0.01,
                 rng: RNGLike = None) -> None:
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive widths [d_in, ..., d_out], got {sizes}")
        self.sizes, self.activation, self.init = sizes, activation, init
        self.residual, self.batch_norm = bool(residual), bool(batch_norm)
        self._f, self._df = _activation(activation)
        gen = as_rng(rng)
        self.params: list[np.ndarray] = []
        self.param_names: list[str] = []
        self.layers: list[_Layer] = []
        self.running_mean: list[np.ndarray | None] = []
        self.running_var: list[np.ndarray | None] = []
        n_layers = len(sizes) - 1
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            hidden = i < n_layers - 1
            bn = self.batch_norm and hidden
            W = self._add(f"W{i}", init_weights(fan_in, fan_out, init, init_scale, gen))
            b = None if bn else self._add(f"b{i}", np.zeros(fan_out))
            gamma = self._add(f"gamma{i}", np.ones(fan_out)) if bn else None
            beta = self._add(f"beta{i}", np.zeros(fan_out)) if bn else None
            self.layers.append(_Layer(W, b, gamma, beta, hidden, self.residual and hidden and i > 0
                                      and fan_in == fan_out))
            self.running_mean.append(np.zeros(fan_out) if bn else None)
            self.running_var.append(np.ones(fan_out) if bn else None)
        self.grads = [np.zeros_like(p) for p in self.params]
        self.training = True
        self._cache: list[tuple] | None = None

    def _add(self, name: str, value: np.ndarray) -> int:
        self.params.append(value)
        self.param_names.append(name)
        return len(self.params) - 1

    @property
    def n_layers(self) -> int:
        """Number of linear layers (weight matrices)."""
        return len(self.layers)

    def __repr__(self) -> str:
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}, init={self.init!r}, "
                f"residual={self.residual}, batch_norm={self.batch_norm})")

    def train(self) -> MLP:
        """Switch batch normalization to batch statistics (and running-average updates); return ``self``."""
        self.training = True
        return self

    def eval(self) -> MLP:
        """Switch batch normalization to the running statistics; return ``self``."""
        self.training = False
        return self

    def zero_grad(self) -> None:
        """Set every gradient array to zero, in place."""
        for g in self.grads:
            g.fill(0.0)

    def forward(self, X: ArrayLike) -> np.ndarray:
        """Compute the logits of a batch.

        Parameters
        ----------
        X : array of shape (n, sizes[0])

        Returns
        -------
        logits : ndarray of shape (n, sizes[-1])
        """
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}), got {X.shape}")
        P, h, self._cache = self.params, X, []
        for i, layer in enumerate(self.layers):
            z = h @ P[layer.W] + (P[layer.b] if layer.b is not None else 0.0)
            if not layer.hidden:
                self._cache.append((h, None, None))
                return z
            u, bn = self._bn_forward(i, z) if layer.gamma is not None else (z, None)
            self._cache.append((h, u, bn))
            h = h + self._f(u) if layer.residual else self._f(u)
        raise AssertionError("unreachable: the last layer is the output layer")

    def _bn_forward(self, i: int, z: np.ndarray) -> tuple[np.ndarray, tuple]:
        layer = self.layers[i]
        if self.training:
            n = z.shape[0]
            if n < 2:
                raise ValueError("batch normalization in train mode needs at least 2 samples; "
                                 "call .eval() first")
            mean, var = z.mean(axis=0), z.var(axis=0)
            self.running_mean[i] = (1 - BN_MOMENTUM) * self.running_mean[i] + BN_MOMENTUM * mean
            self.running_var[i] = (1 - BN_MOMENTUM) * self.running_var[i] + BN_MOMENTUM * var * n / (n - 1)
        else:
            mean, var = self.running_mean[i], self.running_var[i]
        inv_std = 1.0 / np.sqrt(var + BN_EPS)
        xhat = (z - mean) * inv_std
        return self.params[layer.gamma] * xhat + self.params[layer.beta], (xhat, inv_std, self.training)

    def backward(self, dlogits: ArrayLike) -> None:
        r"""Backpropagate :math:`\partial L/\partial\,\text{logits}` and fill :attr:`grads` (overwritten).

        Batch norm in train mode uses, per feature, with :math:`\hat x` the normalized input and
        :math:`g = \gamma\,\partial L/\partial u`:


        .. math::
            \frac{\partial L}{\partial z} = \frac{1}{\sqrt{\sigma^2+\epsilon}}
            \big(g - \bar g - \hat x\,\overline{g\hat x}\big)

        (bars are batch means).

        Parameters
        ----------
        dlogits : array of shape (n, sizes[-1])
            Usually the second output of a loss such as :func:`softmax_cross_entropy`.
        """
        if self._cache is None:
            raise RuntimeError("call forward(X) before backward(dlogits)")
        g = np.asarray(dlogits, dtype=float)
        n = self._cache[0][0].shape[0]
        if g.shape != (n, self.sizes[-1]):
            raise ValueError(f"dlogits must have the logits' shape {(n, self.sizes[-1])}, got {g.shape}")
        P, G = self.params, self.grads
        for i in reversed(range(self.n_layers)):
            layer, (h, u, bn) = self.layers[i], self._cache[i]
            dz = g
            if layer.hidden:
                dz = g * self._df(u)
                if bn is not None:
                    xhat, inv_std, training = bn
                    G[layer.gamma][...] = (dz * xhat).sum(axis=0)
                    G[layer.beta][...] = dz.sum(axis=0)
                    dxhat = dz * P[layer.gamma]
                    dz = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) \
                        if training else inv_std * dxhat
            G[layer.W][...] = h.T @ dz
            if layer.b is not None:
                G[layer.b][...] = dz.sum(axis=0)
            if i > 0:
                g = dz @ P[layer.W].T + (g if layer.residual else 0.0)

    def layer_grad_norms(self) -> np.ndarray:
        r"""Frobenius norms :math:`\|\partial L/\partial W_l\|` of the weight gradients, ``(n_layers,)``.

        Input side first. After a :meth:`backward`; this is the curve that collapses toward the input layer
        when gradients vanish. See the chapter :doc:`/book/gradients`.
        """
        return np.array([np.linalg.norm(self.grads[layer.W]) for layer in self.layers])


# ------------------------------------------------------------------------------------------------------- RNN
class RNN:
    r"""A vanilla (Elman) recurrent network with the output read from the last hidden state.

    .. math::
        h_0 = 0, \qquad h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b_h) \; (t = 1..T), \qquad y = h_T W_{hy} + b_y.

    Backpropagation through time multiplies the gradient by :math:`\operatorname{diag}(f'(u_t))\,W_{hh}^\top`
    at each step back,
    :math:`\partial L/\partial h_{t-1} = (\partial L/\partial h_t \odot f'(u_t))\,W_{hh}^\top`, so its
    norm shrinks or grows geometrically with the size of :math:`W_{hh}`.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
    activation : {"tanh", "sigmoid", "relu", "leaky_relu", "identity"}
    init : {"xavier", "he", "normal"}
        Initialization of all weight matrices ("normal" uses standard deviation 0.01); biases start at 0.
    init_scale : float or None
        If given, :math:`W_{hh} = \text{init\_scale}\cdot Q` with :math:`Q` a random **orthogonal** matrix
        (see :func:`orthogonal`): every singular value and the spectral radius of :math:`W_{hh}` equal
        ``init_scale``. With ``tanh`` (:math:`f' \le 1`) gradients vanish for ``init_scale < 1``; they explode
        for ``init_scale > 1`` as long as the units are not saturated (small inputs).
    rng : numpy Generator, int or None

    Attributes
    ----------
    params : list of ndarray
        ``[W_xh (d_in, H), W_hh (H, H), b_h (H,), W_hy (H, d_out), b_y (d_out,)]`` (see ``param_names``).
    grads : list of ndarray
        Same order and shapes, filled by :meth:`backward`.

    See the chapter :doc:`/book/gradients`.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, activation: str = "tanh",
                 init: str = "xavier", init_scale: float | None = None, rng: RNGLike = None) -> None:
        gen = as_rng(rng)
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.activation, self.init, self.init_scale = activation, init, init_scale
        self._f, self._df = _activation(activation)
        W_xh = init_weights(input_size, hidden_size, init, rng=gen)
        W_hh = (init_weights(hidden_size, hidden_size, init, rng=gen) if init_scale is None
                else orthogonal(hidden_size, init_scale, gen))
        W_hy = init_weights(hidden_size, output_size, init, rng=gen)
        self.params = [W_xh, W_hh, np.zeros(hidden_size), W_hy, np.zeros(output_size)]
        self.param_names = ["W_xh", "W_hh", "b_h", "W_hy", "b_y"]
        self.grads = [np.zeros_like(p) for p in self.params]
        self._cache: tuple | None = None
        self._hidden_grad_norms: np.ndarray | None = None

    W_xh = property(lambda self: self.params[0], doc="Input-to-hidden weights (d_in, H).")
    W_hh = property(lambda self: self.params[1], doc="Hidden-to-hidden weights (H, H).")
    b_h = property(lambda self: self.params[2], doc="Hidden bias (H,).")
    W_hy = property(lambda self: self.params[3], doc="Hidden-to-output weights (H, d_out).")
    b_y = property(lambda self: self.params[4], doc="Output bias (d_out,).")

    def __repr__(self) -> str:
        return (f"RNN({self.input_size}, {self.hidden_size}, {self.output_size}, "
                f"activation={self.activation!r}, init={self.init!r}, init_scale={self.init_scale})")

    def zero_grad(self) -> None:
        """Set every gradient array to zero, in place."""
        for g in self.grads:
            g.fill(0.0)

    def forward(self, X: ArrayLike) -> np.ndarray:
        """Run the sequence ``X`` of shape ``(n, T, input_size)``; return the outputs ``(n, output_size)``."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 3 or X.shape[2] != self.input_size:
            raise ValueError(f"X must have shape (n, T, {self.input_size}) (batch, time, features), "
                             f"got {X.shape}")
        W_xh, W_hh, b_h, W_hy, b_y = self.params
        hs, us = [np.zeros((X.shape[0], self.hidden_size))], []
        for t in range(X.shape[1]):
            us.append(X[:, t] @ W_xh + hs[-1] @ W_hh + b_h)
            hs.append(self._f(us[-1]))
        self._cache = (X, hs, us)
        return hs[-1] @ W_hy + b_y

    def backward(self, dout: ArrayLike) -> None:
        r"""Backpropagation through time from :math:`\partial L/\partial y` of shape ``(n, output_size)``.

        Fills :attr:`grads` (overwritten) and records :math:`\|\partial L/\partial h_t\|` for
        :meth:`hidden_grad_norms`.
        """
        if self._cache is None:
            raise RuntimeError("call forward(X) before backward(dout)")
        X, hs, us = self._cache
        dout = np.asarray(dout, dtype=float)
        if dout.shape != (X.shape[0], self.output_size):
            raise ValueError(f"dout must have shape {(X.shape[0], self.output_size)}, got {dout.shape}")
        W_xh, W_hh, _, W_hy, _ = self.params
        gW_xh, gW_hh, gb_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(self.hidden_size)
        dh = dout @ W_hy.T
        norms = np.empty(len(us))
        for t in reversed(range(len(us))):  # us[t], hs[t + 1] belong to step t + 1
            norms[t] = np.linalg.norm(dh)
            du = dh * self._df(us[t])
            gW_xh += X[:, t].T @ du
            gW_hh += hs[t].T @ du
            gb_h += du.sum(axis=0)
            dh = du @ W_hh.T
        for g, value in zip(self.grads, (gW_xh, gW_hh, gb_h, hs[-1].T @ dout, dout.sum(axis=0)), strict=True):
            g[...] = value
        self._hidden_grad_norms = norms

    def hidden_grad_norms(self) -> np.ndarray:
        r"""Norms :math:`\|\partial L/\partial h_t\|` (Frobenius over the batch), :math:`t = 1..T`, ``(T,)``.

        The last entry is the step next to the loss; reading from right to left shows the gradient vanish or
        explode as it travels back in time. See the chapter :doc:`/book/gradients`.
        """
        if self._hidden_grad_norms is None:
            raise RuntimeError("call forward(X) and backward(dout) before hidden_grad_norms()")
        return self._hidden_grad_norms.copy()


# ---------------------------------------------------------------------------------------------------- losses
def _same_shape(target: ArrayLike, pred: np.ndarray, what: str) -> np.ndarray:
    target = np.asarray(target, dtype=float)
    if target.shape != pred.shape:
        if target.size != pred.size:
            raise ValueError(f"{what} has shape {target.shape} but the predictions have shape {pred.shape}")
        target = target.reshape(pred.shape)  # (n,) against (n, 1)
    return target


def softmax_cross_entropy(logits: ArrayLike, y: ArrayLike) -> tuple[float, np.ndarray]:
    r"""Mean softmax cross-entropy for integer labels and its gradient.

    .. math::
        L = \frac1n \sum_i \Big(\log\sum_k e^{z_{ik}} - z_{i y_i}\Big), \qquad
        \frac{\partial L}{\partial z_{ik}} = \frac1n\big(\mathrm{softmax}(z_i)_k - \mathbb 1[k = y_i]\big),

    with the log-sum-exp shifted by :math:`\max_k z_{ik}` for stability.

    Parameters
    ----------
    logits : array of shape (n, K)
    y : array of shape (n,) with integer labels in 0..K-1

    Returns
    -------
    loss : float
    dlogits : ndarray of shape (n, K)

    See the chapter :doc:`/book/gradients`.
    """
    z = np.asarray(logits, dtype=float)
    y = np.asarray(y)
    if z.ndim != 2 or y.shape != (z.shape[0],):
        raise ValueError(f"logits must be (n, K) and y (n,); got logits {z.shape} and y {y.shape}")
    if y.size and (np.any(y != np.round(y)) or y.min() < 0 or y.max() >= z.shape[1]):
        raise ValueError(f"y must hold integer labels in 0..{z.shape[1] - 1}")
    y = y.astype(int)
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    dz = np.exp(log_p)
    dz[rows, y] -= 1.0
    return float(-log_p[rows, y].mean()), dz / len(y)


def binary_cross_entropy_with_logits(z: ArrayLike, y: ArrayLike) -> tuple[float, np.ndarray]:
    r"""Mean binary cross-entropy on logits, stable for any :math:`z`, and its gradient.

    .. math::
        L = \frac1m \sum_i \big(\log(1 + e^{z_i}) - y_i z_i\big), \qquad
        \frac{\partial L}{\partial z_i} = \frac{\sigma(z_i) - y_i}{m},

    with :math:`\log(1+e^z)` computed by ``np.logaddexp(0, z)`` and :math:`m` the number of entries of ``z``.

    Parameters
    ----------
    z : array of any shape, e.g. (n,) or (n, 1)
    y : array of targets in [0, 1], same number of entries as ``z``

    Returns
    -------
    loss : float
    dz : ndarray of the shape of ``z``

    See the chapter :doc:`/book/gradients`.
    """
    z = np.asarray(z, dtype=float)
    y = _same_shape(y, z, "y")
    return float(np.mean(np.logaddexp(0.0, z) - y * z)), (sigmoid(z) - y) / z.size


def mse_loss(pred: ArrayLike, target: ArrayLike) -> tuple[float, np.ndarray]:
    r"""Mean squared error over all entries and its gradient (torch's ``MSELoss(reduction="mean")``).

    .. math::
        L = \frac1m \sum_i (p_i - t_i)^2, \qquad \frac{\partial L}{\partial p_i} = \frac{2 (p_i - t_i)}{m}.

    Returns ``(loss, dpred)`` with ``dpred`` of the shape of ``pred``. See the chapter :doc:`/book/gradients`.
    """
    pred = np.asarray(pred, dtype=float)
    diff = pred - _same_shape(target, pred, "target")
    return float(np.mean(diff**2)), 2.0 * diff / pred.size


# ---------------------------------------------------------------------------------------------- grad checks
def numerical_gradient(f: Callable[[], float], params: Sequence[np.ndarray],
                       eps: float = 1e-6) -> list[np.ndarray]:
    r"""Centered finite-difference gradient of ``f()`` with respect to every entry of ``params``.

    .. math::
        \frac{\partial f}{\partial \theta_j} \approx
        \frac{f(\theta + \epsilon e_j) - f(\theta - \epsilon e_j)}{2\epsilon}

    (error :math:`O(\epsilon^2)`). Each entry is perturbed *in place* and restored, so ``f`` must read the
    current values of ``params`` (e.g. ``lambda: softmax_cross_entropy(net.forward(X), y)[0]``). Costs two
    calls of ``f`` per entry: use small networks. See the chapter :doc:`/book/gradients`.
    """
    out = []
    for k, p in enumerate(params):
        if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
            raise TypeError(f"params[{k}] must be a floating NumPy array (perturbed in place), "
                            f"got {type(p).__name__}")
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            f_plus = f()
            p[idx] = old - eps
            f_minus = f()
            p[idx] = old
            g[idx] = (f_plus - f_minus) / (2 * eps)
        out.append(g)
    return out


@dataclass
class GradCheck:
    """Result of :func:`gradient_check`.

    Attributes
    ----------
    max_rel_error : float
        Largest relative error over the parameter arrays.
    worst_param : int
        Index (in ``params``) of the array with that error.
    worst_index : tuple of int
        Entry of that array where the analytic and numerical gradients differ most in absolute value.
    rel_errors : list of float
        Relative error of each parameter array.
    numerical : list of ndarray
        The finite-difference gradients.
    """

    max_rel_error: float
    worst_param: int
    worst_index: tuple[int, ...]
    rel_errors: list[float]
    numerical: list[np.ndarray] = field(repr=False)

    def passed(self, tol: float = 1e-6) -> bool:
        """True if every parameter array has a relative error below ``tol``."""
        return bool(self.max_rel_error < tol)


def gradient_check(f: Callable[[], float], params: Sequence[np.ndarray], grads: Sequence[np.ndarray],
                   eps: float = 1e-6) -> GradCheck:
    r"""Compare analytic gradients with centered finite differences (:func:`numerical_gradient`).

    The relative error of a parameter array with analytic gradient :math:`a` and numerical gradient
    :math:`g` is

    .. math:: r = \frac{\|a - g\|_2}{\max(\|a\|_2 + \|g\|_2,\ 10^{-12})}

    (0 when both are zero). In float64 with ``eps=1e-6`` a correct gradient gives :math:`r \lesssim 10^{-7}`;
    a wrong one gives :math:`r` of order 1. Keep inputs away from the kinks of ``relu`` / ``leaky_relu``.

    Parameters
    ----------
    f : callable
        ``f() -> float``, the loss as a function of the current ``params``.
    params, grads : lists of ndarray with matching shapes
    eps : float
        Finite-difference step.

    Returns
    -------
    GradCheck
        ``max_rel_error``, ``worst_param``, ``worst_index``, ``rel_errors``, ``passed(tol)``.

    See the chapter :doc:`/book/gradients`.
    """
    if len(params) != len(grads):
        raise ValueError(f"got {len(params)} parameter arrays but {len(grads)} gradient arrays")
    grads = [np.asarray(g, dtype=float) for g in grads]
    for k, (p, g) in enumerate(zip(params, grads, strict=True)):
        if p.shape != g.shape:
            raise ValueError(f"grads[{k}] has shape {g.shape} but params[{k}] has shape {p.shape}")
    numerical = numerical_gradient(f, params, eps)
    errors = [float(np.linalg.norm(a - g) / max(np.linalg.norm(a) + np.linalg.norm(g), 1e-12))
              for a, g in zip(grads, numerical, strict=True)]
    worst = int(np.argmax(errors))
    diff = np.abs(grads[worst] - numerical[worst])
    worst_index = tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape)) if diff.size else ()
    return GradCheck(errors[worst], worst, worst_index, errors, numerical)


# -------------------------------------------------------------------------------------------- the experiment
def depth_gradient_norms(depth: int, width: int, activation: str, init: str, n_samples: int = 256,
                         rng: RNGLike = None, residual: bool = False, batch_norm: bool = False,
                         init_scale: float = 0.01, n_classes: int = 10) -> np.ndarray:
    r"""Per-layer weight-gradient norms of a fresh deep MLP after one backward pass (chapter's experiment).

    Builds ``MLP([width] * depth + [n_classes], activation, init, residual, batch_norm, init_scale)``, draws a
    batch :math:`X \sim \mathcal N(0, I)` of shape ``(n_samples, width)`` with uniform random labels, runs one
    forward/backward pass of :func:`softmax_cross_entropy` (batch norm in train mode) and returns
    :math:`\|\partial L/\partial W_l\|` for :math:`l = 1..\text{depth}`, input side first.

    With ``sigmoid`` and ``init="normal"`` (std 0.01) the norms shrink by orders of magnitude toward the
    input; with ``relu`` and ``init="he"`` they stay within a small factor of each other.

    Returns
    -------
    norms : ndarray of shape (depth,)

    See the chapter :doc:`/book/gradients`.
    """
    if depth < 1 or width < 1 or n_samples < 2:
        raise ValueError(f"need depth >= 1, width >= 1, n_samples >= 2; got {depth}, {width}, {n_samples}")
    gen = as_rng(rng)
    net = MLP([width] * depth + [n_classes], activation, init, residual, batch_norm, init_scale, gen)
    X = gen.standard_normal((n_samples, width))
    y = gen.integers(n_classes, size=n_samples)
    _, dlogits = softmax_cross_entropy(net.forward(X), y)
    net.backward(dlogits)
    return net.layer_grad_norms()


# --------------------------------------------------------------------------------------- dropout (appended)
class Dropout:
    r"""Inverted dropout — ``torch.nn.Dropout(p)``: zero each input with probability ``p`` in train mode.

    In train mode a fresh mask :math:`m_{ij} \sim \text{Bernoulli}(1 - p)` is drawn at every forward pass and

    .. math::

        \text{out} = \frac{m \odot x}{1 - p}, \qquad \mathbb{E}[\text{out}] = x,

    so the expected activation is the same as in eval mode, where the layer is the identity. The backward
    pass multiplies the incoming gradient by the same :math:`m / (1 - p)`. With ``p = 1`` everything is
    zeroed (as in torch).

    Parameters
    ----------
    p : float, default 0.5
        Probability of an element being zeroed, in [0, 1].
    rng : numpy Generator, int or None
        The source of the masks.

    Attributes
    ----------
    training : bool
        Train mode (True, the default, like a new torch module) or eval mode; set with :meth:`train` /
        :meth:`eval`.
    mask : ndarray or None
        The scaled mask :math:`m / (1 - p)` of the last forward pass in train mode.

    See the chapter :doc:`/book/overfitting`.
    """

    def __init__(self, p: float = 0.5, rng: RNGLike = None) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.rng, self.training, self.mask = float(p), as_rng(rng), True, None

    def train(self, mode: bool = True) -> Dropout:
        """Switch to train mode (or eval mode with ``mode=False``); returns ``self`` like torch."""
        self.training = bool(mode)
        return self

    def eval(self) -> Dropout:
        """Switch to eval mode: the layer becomes the identity."""
        return self.train(False)

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Apply dropout to ``x`` (any shape); the identity in eval mode or with ``p = 0``."""
        x = np.asarray(x, dtype=np.float64)
        if not self.training or self.p == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape) >= self.p
        self.mask = keep / (1 - self.p) if self.p < 1 else np.zeros(x.shape)
        return x * self.mask

    __call__ = forward

    def backward(self, grad: ArrayLike) -> np.ndarray:
        """The gradient with respect to the input of the last :meth:`forward`."""
        grad = np.asarray(grad, dtype=np.float64)
        return grad if self.mask is None else grad * self.mask


# ------------------------------------------------------------------------------ robust losses (appended)
def l1_loss(pred: ArrayLike, target: ArrayLike) -> tuple[float, np.ndarray]:
    r"""Mean absolute error and its (sub)gradient (torch's ``L1Loss(reduction="mean")``).

    .. math::
        L = \frac1m \sum_i |p_i - t_i|, \qquad
        \frac{\partial L}{\partial p_i} = \frac{\operatorname{sign}(p_i - t_i)}{m}

    (0 where :math:`p_i = t_i`, as in torch). The gradient is bounded by :math:`1/m` whatever the residual.
    Returns ``(loss, dpred)``. See the chapter :doc:`/book/gradients`.
    """
    pred = np.asarray(pred, dtype=float)
    diff = pred - _same_shape(target, pred, "target")
    return float(np.mean(np.abs(diff))), np.sign(diff) / pred.size


def huber_loss(pred: ArrayLike, target: ArrayLike, delta: float = 1.0) -> tuple[float, np.ndarray]:
    r"""Mean Huber loss and its gradient (torch's ``HuberLoss(reduction="mean", delta=1.0)``).

    With :math:`r_i = p_i - t_i`,

    .. math::
        \ell_\delta(r) = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\
                                        \delta\,(|r| - \tfrac12\delta) & |r| > \delta \end{cases}, \qquad
        \ell_\delta'(r) = \operatorname{clip}(r, -\delta, \delta):

    quadratic (like the squared error, halved) near 0, linear (like the absolute error, times
    :math:`\delta`) beyond :math:`\delta`, so an outlier's gradient is at most :math:`\delta / m`.
    Returns ``(loss, dpred)``. See the chapter :doc:`/book/gradients`.
    """
    if delta <= 0:
        raise ValueError(f"delta must be > 0, got {delta}")
    pred = np.asarray(pred, dtype=float)
    r = pred - _same_shape(target, pred, "target")
    a = np.abs(r)
    loss = np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))
    return float(np.mean(loss)), np.clip(r, -delta, delta) / pred.size
