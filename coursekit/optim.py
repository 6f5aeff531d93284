r"""Optimizers, learning-rate schedules, gradient clipping and training loops, in NumPy.

The optimizers follow the update rules, hyper-parameter names and defaults of PyTorch's ``torch.optim``
(:class:`SGD` with momentum/Nesterov, :class:`Adagrad`, :class:`RMSprop`, :class:`Adam`), the schedules
those of ``torch.optim.lr_scheduler`` and the clipping functions those of ``torch.nn.utils``, so that a
student who learns them here recognises them there. What differs: parameters are a list of float
``ndarray`` updated **in place**, and :meth:`Optimizer.step` receives the gradients explicitly (there is
no autograd, no ``.grad`` attribute and a single parameter group).

>>> w = np.array([1.0, -1.0])
>>> opt = SGD([w], lr=0.1, momentum=0.9)
>>> opt.step([2 * w])          # gradient of ||w||^2
>>> w
array([ 0.8, -0.8])

See the chapter book/optimization.md (clipping: book/gradients.md).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from coursekit._utils import RNGLike, as_rng

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "make_optimizer",
    "LRScheduler", "StepLR", "ExponentialLR", "InverseTimeLR", "CosineAnnealingLR", "schedule_lr",
    "clip_grad_value_", "clip_grad_norm_", "global_grad_norm",
    "minibatches", "History", "optimize", "train_minibatch",
]


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _float_arrays(arrays: Sequence[np.ndarray], what: str) -> list[np.ndarray]:
    """Check that ``arrays`` is a list of floating ndarrays (they are modified in place)."""
    arrays = list(arrays)
    for i, a in enumerate(arrays):
        if not isinstance(a, np.ndarray) or not np.issubdtype(a.dtype, np.floating):
            kind = f"an array of dtype {a.dtype}" if isinstance(a, np.ndarray) else type(a).__name__
            raise TypeError(f"{what}[{i}] is {kind}, but it is updated in place: pass float ndarrays, "
                            f"e.g. np.asarray(x, dtype=float) (a 0-d array np.array(0.0) for a scalar)")
    return arrays


# ---------------------------------------------------------------------------------------------- optimizers


class Optimizer:
    r"""Base class of the optimizers (mirrors ``torch.optim.Optimizer`` with one parameter group).

    Parameters
    ----------
    params : list of ndarray
        The parameter arrays (any shapes, 0-d allowed, floating dtype). They are updated **in place** by
        :meth:`step`, so keep references to them (e.g. ``w, b = params``).
    defaults : dict
        The hyper-parameters; must contain ``"lr"``. Read them in ``self.defaults``.

    Attributes
    ----------
    params : list of ndarray
        The arrays being optimized (the same objects that were passed in).
    lr : float
        The learning rate :math:`\eta`; schedules (:class:`StepLR`, ...) write it.
    state : dict[int, dict]
        Per-parameter state keyed by the parameter's index (``"step"``, ``"momentum_buffer"``, ...).

    Notes
    -----
    Every optimizer first forms :math:`g_t \leftarrow -\nabla f(w_{t-1})` if ``maximize`` else
    :math:`\nabla f(w_{t-1})`, then, if :math:`\alpha \ne 0` (``weight_decay``, an L2 penalty),
    :math:`g_t \leftarrow g_t + \alphaw_{t-1}`, and then applies its own rule.

    See the chapter book/optimization.md.
    """

    def __init__(self, params: Sequence[np.ndarray], defaults: dict[str, Any]) -> None:
        self.params = _float_arrays(params, "params")
        _require(len(self.params) > 0, "params is empty: pass the list of parameter arrays to optimize")
        self.defaults = dict(defaults)
        self.lr = defaults["lr"]
        self.state: dict[int, dict[str, Any]] = {i: {} for i in range(len(self.params))}

    @property
    def lr(self) -> float:
        """The learning rate (``param_groups[0]["lr"]`` in torch)."""
        return self.defaults["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        _require(value >= 0, f"Invalid learning rate: {value}; lr must be >= 0")
        self.defaults["lr"] = float(value)

    def step(self, grads: Sequence[ArrayLike]) -> None:
        """Update every parameter in place from its gradient.

        Parameters
        ----------
        grads : list of array_like
            One gradient per parameter, same order and shapes as ``params``; they are not modified.
        """
        grads = list(grads)
        _require(len(grads) == len(self.params),
                 f"got {len(grads)} gradients for {len(self.params)} parameters; pass one gradient per "
                 f"parameter, in the order of params")
        grads = [np.asarray(g) for g in grads]
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            _require(g.shape == p.shape, f"grads[{i}] has shape {g.shape} but params[{i}] has shape "
                                         f"{p.shape}; each gradient must have its parameter's shape")
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            state = self.state[i]
            state["step"] = state.get("step", 0) + 1
            if self.defaults.get("maximize", False):
                g = -g
            if self.defaults["weight_decay"] != 0:
                g = g + self.defaults["weight_decay"] * p
            self._update(p, g, state)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.defaults.items())})"


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional (Nesterov) momentum — ``torch.optim.SGD``.

    Parameters
    ----------
    params : list of ndarray
        Parameter arrays, updated in place.
    lr : float, default 1e-3
        Learning rate :math:`\eta \ge 0`.
    momentum : float, default 0
        Momentum factor :math:`\mu \ge 0` (0: plain gradient descent).
    dampening : float, default 0
        Dampening :math:`\tau` of the momentum buffer.
    weight_decay : float, default 0
        L2 penalty :math:`\alpha \ge 0` added to the gradient.
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    maximize : bool, default False
        Ascend the objective instead of descending it.

    Notes
    -----
    For each parameter, with :math:`g_t` the gradient (negated if ``maximize``, plus
    :math:`\alphaw_{t-1}`):

    .. math::

        m_1 = g_1, \qquad m_t = \mu m_{t-1} + (1-\tau) g_t \quad (t > 1), \qquad
        d_t = \begin{cases} g_t + \mu m_t & \text{nesterov} \\ m_t & \text{otherwise} \end{cases}, \qquad
        w_t = w_{t-1} - \eta d_t

    (:math:`d_t = g_t` when :math:`\mu = 0`). The buffer is torch's :math:`b = \mu b + g` (here
    :math:`m`), not Sutskever's :math:`v = \mu v + \eta g`; both agree for a constant learning rate.
    ``maximize`` negates the gradient first, as torch's code does (torch's SGD docs put the sign flip at
    the end instead, which only differs when ``weight_decay > 0``: here weight decay always shrinks).

    See the chapter book/optimization.md.
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        _require(momentum >= 0, f"Invalid momentum value: {momentum}; momentum must be >= 0")
        _require(weight_decay >= 0, f"Invalid weight_decay value: {weight_decay}; it must be >= 0")
        _require(not nesterov or (momentum > 0 and dampening == 0),
                 f"Nesterov momentum requires a momentum and zero dampening (got momentum={momentum}, "
                 f"dampening={dampening}); set momentum > 0 and dampening=0, or nesterov=False")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _update(self, p, g, state):
        mu, tau = self.defaults["momentum"], self.defaults["dampening"]
        if mu != 0:
            buf = state.get("momentum_buffer")
            buf = np.array(g, copy=True) if buf is None else mu * buf + (1 - tau) * g
            state["momentum_buffer"] = buf
            g = g + mu * buf if self.defaults["nesterov"] else buf
        p -= self.lr * g


class Adagrad(Optimizer):
    r"""Adagrad: per-coordinate steps scaled by the accumulated squared gradients — ``torch.optim.Adagrad``.

    Parameters
    ----------
    params : list of ndarray
        Parameter arrays, updated in place.
    lr : float, default 1e-2
        Learning rate :math:`\eta \ge 0`.
    lr_decay : float, default 0
        Learning-rate decay :math:`\delta \ge 0`.
    weight_decay : float, default 0
        L2 penalty :math:`\alpha \ge 0`.
    initial_accumulator_value : float, default 0
        Starting value :math:`\tau \ge 0` of the accumulator.
    eps : float, default 1e-10
        :math:`\epsilon`, added to the square root for stability.
    maximize : bool, default False
        Ascend the objective (keyword-only, as in torch).

    Notes
    -----
    .. math::

        \tilde\eta_t = \frac{\eta}{1 + (t-1)\delta}, \qquad s_0 = \tau, \qquad s_t = s_{t-1} + g_t^2,
        \qquad w_t = w_{t-1} - \tilde\eta_t \frac{g_t}{\sqrt{s_t} + \epsilon}

    With :math:`\tau = 0` the first step is :math:`\eta\,\operatorname{sign}(g_1)` (up to :math:`\epsilon`).

    See the chapter book/optimization.md.
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10, *,
                 maximize: bool = False) -> None:
        _require(lr_decay >= 0, f"Invalid lr_decay value: {lr_decay}; it must be >= 0")
        _require(weight_decay >= 0, f"Invalid weight_decay value: {weight_decay}; it must be >= 0")
        _require(initial_accumulator_value >= 0,
                 f"Invalid initial_accumulator_value: {initial_accumulator_value}; it must be >= 0")
        _require(eps >= 0, f"Invalid epsilon value: {eps}; eps must be >= 0")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize))

    def _update(self, p, g, state):
        d = self.defaults
        clr = self.lr / (1 + (state["step"] - 1) * d["lr_decay"])
        s = state["sum"] = state.get("sum", d["initial_accumulator_value"]) + g * g
        p -= clr * g / (np.sqrt(s) + d["eps"])


class RMSprop(Optimizer):
    r"""RMSprop: steps scaled by a moving average of squared gradients — ``torch.optim.RMSprop``.

    Parameters
    ----------
    params : list of ndarray
        Parameter arrays, updated in place.
    lr : float, default 1e-2
        Learning rate :math:`\eta \ge 0`.
    alpha : float, default 0.99
        Smoothing constant :math:`\beta \in [0, 1]` of the moving average (torch's name, ``alpha``).
    eps : float, default 1e-8
        :math:`\epsilon`, added *outside* the square root.
    weight_decay : float, default 0
        L2 penalty :math:`\alpha \ge 0`.
    momentum : float, default 0
        Momentum factor :math:`\mu \ge 0`.
    centered : bool, default False
        Divide by an estimate of the gradient's variance instead of its second moment.
    maximize : bool, default False
        Ascend the objective (keyword-only, as in torch).

    Notes
    -----
    With :math:`v_0 = 0`, :math:`\bar g_0 = 0`, :math:`m_0 = 0`:

    .. math::

        v_t = \beta v_{t-1} + (1-\beta) g_t^2, \qquad
        \tilde v_t = \begin{cases} v_t - \bar g_t^2,\ \ \bar g_t = \beta \bar g_{t-1} + (1-\beta) g_t
        & \text{centered} \\ v_t & \text{otherwise} \end{cases}

    .. math::

        \mu > 0:\ m_t = \mu m_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon},\
        w_t = w_{t-1} - \eta m_t; \qquad
        \mu = 0:\ w_t = w_{t-1} - \eta \frac{g_t}{\sqrt{\tilde v_t} + \epsilon}

    The first step is :math:`\eta\,\operatorname{sign}(g_1)/\sqrt{1-\beta}` (10 η for β = 0.99).

    See the chapter book/optimization.md.
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        _require(0 <= alpha <= 1, f"Invalid alpha value: {alpha}; alpha must be in [0, 1]")
        _require(eps >= 0, f"Invalid epsilon value: {eps}; eps must be >= 0")
        _require(weight_decay >= 0, f"Invalid weight_decay value: {weight_decay}; it must be >= 0")
        _require(momentum >= 0, f"Invalid momentum value: {momentum}; momentum must be >= 0")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _update(self, p, g, state):
        d = self.defaults
        a = d["alpha"]
        v = state["square_avg"] = a * state.get("square_avg", 0.0) + (1 - a) * g * g
        if d["centered"]:
            g_avg = state["grad_avg"] = a * state.get("grad_avg", 0.0) + (1 - a) * g
            v = np.maximum(v - g_avg * g_avg, 0.0)  # >= 0 in exact arithmetic; guards against rounding
        step = g / (np.sqrt(v) + d["eps"])
        if d["momentum"] > 0:
            step = state["momentum_buffer"] = d["momentum"] * state.get("momentum_buffer", 0.0) + step
        p -= self.lr * step


class Adam(Optimizer):
    r"""Adam: bias-corrected moving averages of the gradient and its square — ``torch.optim.Adam``.

    Parameters
    ----------
    params : list of ndarray
        Parameter arrays, updated in place.
    lr : float, default 1e-3
        Learning rate :math:`\eta \ge 0`.
    betas : tuple of float, default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)`.
    eps : float, default 1e-8
        :math:`\epsilon`, added outside the square root.
    weight_decay : float, default 0
        L2 penalty :math:`\alpha \ge 0` added to the gradient (not AdamW's decoupled decay).
    amsgrad : bool, default False
        Use the running maximum of :math:`v_t` (AMSGrad).
    maximize : bool, default False
        Ascend the objective (keyword-only, as in torch).

    Notes
    -----
    With :math:`m_0 = v_0 = v_0^{\max} = 0`:

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
        \qquad \hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad
        \hat v_t = \frac{v_t}{1-\beta_2^t}\ \ \Big(\text{amsgrad: } \frac{v_t^{\max}}{1-\beta_2^t},\
        v_t^{\max} = \max(v_{t-1}^{\max}, v_t)\Big)

    .. math::

        w_t = w_{t-1} - \eta \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    Thanks to the bias corrections the first step is :math:`\eta\,\operatorname{sign}(g_1)`
    (up to :math:`\epsilon`): about ``lr`` per coordinate.

    See the chapter book/optimization.md.
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 amsgrad: bool = False, *, maximize: bool = False) -> None:
        _require(len(betas) == 2, f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            _require(0 <= beta < 1, f"Invalid beta parameter at index {i}: {beta}; betas must be in [0, 1)")
        _require(eps >= 0, f"Invalid epsilon value: {eps}; eps must be >= 0")
        _require(weight_decay >= 0, f"Invalid weight_decay value: {weight_decay}; it must be >= 0")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _update(self, p, g, state):
        d, t = self.defaults, state["step"]
        b1, b2 = d["betas"]
        m = state["exp_avg"] = b1 * state.get("exp_avg", 0.0) + (1 - b1) * g
        v = state["exp_avg_sq"] = b2 * state.get("exp_avg_sq", 0.0) + (1 - b2) * g * g
        if d["amsgrad"]:
            v = state["max_exp_avg_sq"] = np.maximum(state.get("max_exp_avg_sq", 0.0), v)
        p -= self.lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + d["eps"])


_OPTIMIZERS: dict[str, tuple[type[Optimizer], dict[str, Any]]] = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (Adagrad, {}),
    "rmsprop": (RMSprop, {}),
    "adam": (Adam, {}),
}


def make_optimizer(name: str, params: Sequence[np.ndarray], **kw: Any) -> Optimizer:
    """Build an optimizer by name.

    Parameters
    ----------
    name : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}
        ``"momentum"`` is :class:`SGD` with ``momentum=0.9`` and ``"nesterov"`` adds ``nesterov=True``
        (``kw`` may override the momentum).
    params : list of ndarray
        Parameter arrays, updated in place.
    **kw
        Hyper-parameters of the optimizer's class (``lr``, ``weight_decay``, ...).

    Returns
    -------
    Optimizer

    See the chapter book/optimization.md.
    """
    key = str(name).lower()
    if key not in _OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(_OPTIMIZERS)}")
    cls, preset = _OPTIMIZERS[key]
    return cls(params, **{**preset, **kw})


# ------------------------------------------------------------------------------------ learning-rate schedules
# One closed form per schedule, used by schedule_lr (for plots) and by the scheduler classes.


def _constant(lr0: float, t: int) -> float:
    return lr0


def _step(lr0: float, t: int, step_size: int, gamma: float = 0.1) -> float:
    _require(int(step_size) == step_size and step_size >= 1,
             f"step_size must be a positive integer, got {step_size}")
    return lr0 * gamma ** (t // int(step_size))


def _exponential(lr0: float, t: int, gamma: float) -> float:
    _require(gamma > 0, f"gamma must be > 0, got {gamma}")
    return lr0 * gamma**t


def _inverse_time(lr0: float, t: int, decay: float) -> float:
    _require(decay >= 0, f"decay must be >= 0, got {decay}")
    return lr0 / (1 + decay * t)


def _cosine(lr0: float, t: int, T_max: int, eta_min: float = 0.0) -> float:
    _require(T_max > 0, f"T_max must be > 0, got {T_max}")
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


_SCHEDULES: dict[str, Callable[..., float]] = {
    "constant": _constant, "step": _step, "exponential": _exponential,
    "inverse_time": _inverse_time, "cosine": _cosine,
}


def schedule_lr(name: str, lr0: float, t: int, **kw: Any) -> float:
    r"""The learning rate after ``t`` scheduler steps, in closed form (for plots and for the schedulers).

    Parameters
    ----------
    name : {"constant", "step", "exponential", "inverse_time", "cosine"}
        The schedule:

        - ``"constant"``: :math:`\eta_t = \eta_0`
        - ``"step"`` (``step_size``, ``gamma=0.1``):
          :math:`\eta_t = \eta_0\,\gamma^{\lfloor t/\text{step\_size}\rfloor}`
        - ``"exponential"`` (``gamma``): :math:`\eta_t = \eta_0\,\gamma^t`
        - ``"inverse_time"`` (``decay``): :math:`\eta_t = \eta_0 / (1 + \text{decay}\cdot t)`
        - ``"cosine"`` (``T_max``, ``eta_min=0``): :math:`\eta_t = \eta_{\min} + (\eta_0 - \eta_{\min})
          \frac{1 + \cos(\pi t / T_{\max})}{2}`
    lr0 : float
        The initial learning rate :math:`\eta_0`.
    t : int
        The number of scheduler steps taken (epochs), :math:`t \ge 0`.
    **kw
        The schedule's hyper-parameters (named as in ``torch.optim.lr_scheduler``).

    Returns
    -------
    float

    See the chapter book/optimization.md.
    """
    if name not in _SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; choose one of {sorted(_SCHEDULES)}")
    _require(t >= 0, f"t must be >= 0 (the number of scheduler steps), got {t}")
    return float(_SCHEDULES[name](lr0, t, **kw))


class LRScheduler:
    """Base class of the learning-rate schedulers (``torch.optim.lr_scheduler.LRScheduler``).

    Construct it with the optimizer (this sets ``optimizer.lr`` to the schedule's value at ``t = 0``, the
    optimizer's current learning rate ``base_lr``), then call :meth:`step` once per epoch, after
    ``optimizer.step``. ``optimizer.lr`` is set to ``schedule_lr(name, base_lr, last_epoch, **kw)``: the
    closed form, so another change of ``optimizer.lr`` is overwritten at the next step.

    Attributes
    ----------
    optimizer : Optimizer
    base_lr : float
    last_epoch : int
        The number of :meth:`step` calls.

    See the chapter book/optimization.md.
    """

    name = "constant"

    def __init__(self, optimizer: Optimizer, **kw: Any) -> None:
        self.optimizer, self.kw = optimizer, kw
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        self._apply()

    def _apply(self) -> None:
        self.optimizer.lr = schedule_lr(self.name, self.base_lr, self.last_epoch, **self.kw)

    def step(self) -> None:
        """Advance the schedule by one epoch and set the optimizer's learning rate."""
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self) -> list[float]:
        """The learning rate set by the last step, as a one-element list (one per group, like torch)."""
        return [self.optimizer.lr]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kw.items())
        return f"{type(self).__name__}({args}, base_lr={self.base_lr!r}, last_epoch={self.last_epoch})"


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs — ``lr_scheduler.StepLR``.

    :math:`\eta_t = \eta_0\,\gamma^{\lfloor t/\text{step\_size}\rfloor}`; see :func:`schedule_lr`.
    See the chapter book/optimization.md.
    """

    name = "step"

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer, step_size=step_size, gamma=gamma)


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every epoch — ``lr_scheduler.ExponentialLR``.

    :math:`\eta_t = \eta_0\,\gamma^t`; see :func:`schedule_lr`. See the chapter book/optimization.md.
    """

    name = "exponential"

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        super().__init__(optimizer, gamma=gamma)


class InverseTimeLR(LRScheduler):
    r"""Inverse-time decay :math:`\eta_t = \eta_0/(1 + \text{decay}\cdot t)` (torch: a ``LambdaLR``).

    The classic Robbins–Monro schedule for SGD; see :func:`schedule_lr`. See the chapter book/optimization.md.
    """

    name = "inverse_time"

    def __init__(self, optimizer: Optimizer, decay: float) -> None:
        super().__init__(optimizer, decay=decay)


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from ``base_lr`` to ``eta_min`` in ``T_max`` epochs — ``CosineAnnealingLR``.

    :math:`\eta_t = \eta_{\min} + (\eta_0 - \eta_{\min})\frac{1 + \cos(\pi t/T_{\max})}{2}` (torch's closed
    form; it equals torch's recursive form when nothing else changes the learning rate, and rises again
    after :math:`T_{\max}`). See :func:`schedule_lr` and the chapter book/optimization.md.
    """

    name = "cosine"

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer, T_max=T_max, eta_min=eta_min)


# ------------------------------------------------------------------------------------------ gradient clipping


def global_grad_norm(grads: Sequence[ArrayLike], norm_type: float = 2.0) -> float:
    r"""The norm of all gradients taken together, as if concatenated into one vector.

    .. math::

        \|g\|_p = \Big(\sum_i \|g_i\|_p^p\Big)^{1/p}, \qquad \|g\|_\infty = \max_i \|g_i\|_\infty

    Parameters
    ----------
    grads : list of array_like
        Arrays of any shapes.
    norm_type : float, default 2.0
        :math:`p > 0`; ``float("inf")`` (or ``"inf"``) for the max norm.

    Returns
    -------
    float
        0.0 for an empty list.

    See the chapter book/gradients.md.
    """
    p = float(norm_type)
    _require(p > 0, f"norm_type must be > 0 (e.g. 2.0, 1.0 or inf), got {norm_type}")
    norms = [np.linalg.norm(np.ravel(g), ord=p) for g in grads if np.size(g) > 0]
    return float(np.linalg.norm(norms, ord=p)) if norms else 0.0


def clip_grad_value_(grads: Sequence[np.ndarray], clip_value: float) -> None:
    r"""Clip every gradient entry to :math:`[-c, c]`, in place — ``torch.nn.utils.clip_grad_value_``.

    :math:`g \leftarrow \min(\max(g, -c), c)` elementwise. This changes the direction of the gradient
    in general (unlike :func:`clip_grad_norm_`).

    Parameters
    ----------
    grads : list of ndarray
        Float arrays of any shapes, modified in place.
    clip_value : float
        :math:`c \ge 0`.

    See the chapter book/gradients.md.
    """
    _require(clip_value >= 0, f"clip_value must be >= 0, got {clip_value}")
    for g in _float_arrays(grads, "grads"):
        np.clip(g, -clip_value, clip_value, out=g)


def clip_grad_norm_(grads: Sequence[np.ndarray], max_norm: float, norm_type: float = 2.0) -> float:
    r"""Rescale all gradients together to a global norm of at most ``max_norm`` (torch's ``clip_grad_norm_``).

    .. math::

        N = \|(g_1, \dots, g_k)\|_p, \qquad
        g_i \leftarrow g_i \cdot \min\Big(1, \frac{\text{max\_norm}}{N + 10^{-6}}\Big)

    ONE coefficient for all arrays (the global norm, :func:`global_grad_norm`), so the direction of the
    whole gradient is kept; clipping each array by its own norm would change it.

    Parameters
    ----------
    grads : list of ndarray
        Float arrays of any shapes, modified in place.
    max_norm : float
        The largest allowed global norm, :math:`\ge 0`.
    norm_type : float, default 2.0
        :math:`p` of the norm (2, 1, ``inf``, ...).

    Returns
    -------
    float
        The global norm :math:`N` *before* clipping.

    See the chapter book/gradients.md.
    """
    _require(max_norm >= 0, f"max_norm must be >= 0, got {max_norm}")
    grads = _float_arrays(grads, "grads")
    total = global_grad_norm(grads, norm_type)
    coef = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        g *= coef
    return total


# --------------------------------------------------------------------------------------------- training loops


def minibatches(n_samples: int, batch_size: int, rng: RNGLike = None,
                shuffle: bool = True) -> Iterator[np.ndarray]:
    r"""The index arrays of one epoch of mini-batches.

    Parameters
    ----------
    n_samples : int
        Number of examples :math:`n \ge 1`.
    batch_size : int
        Examples per batch, :math:`\ge 1` (``n_samples``: one full batch; 1: one example per step).
    rng : numpy Generator, int or None
        Seed of the shuffle. Pass one ``Generator`` for several epochs to get a new order each epoch;
        the same int seed gives the same order.
    shuffle : bool, default True
        If False, the batches are ``0..n-1`` in order.

    Returns
    -------
    iterator of ndarray of int
        :math:`\lceil n / \text{batch\_size} \rceil` index arrays of length ``batch_size`` (the last may be
        smaller); each index appears exactly once.

    See the chapter book/optimization.md.
    """
    _require(int(n_samples) == n_samples and n_samples >= 1,
             f"n_samples must be a positive integer, got {n_samples}")
    _require(int(batch_size) == batch_size and batch_size >= 1,
             f"batch_size must be a positive integer, got {batch_size}")
    n, size = int(n_samples), int(batch_size)
    order = as_rng(rng).permutation(n) if shuffle else np.arange(n)
    return (order[start:start + size] for start in range(0, n, size))


LossAndGrads = tuple[float, Sequence[ArrayLike]]


@dataclass
class History:
    """What a training loop recorded, one entry per optimizer step (``epoch_loss``: one per epoch).

    Attributes
    ----------
    loss : list of float
        The loss returned by ``fun`` at the parameters *before* the step.
    grad_norm : list of float
        The global L2 norm of the gradient before clipping.
    lr : list of float
        The learning rate used by the step.
    time : list of float
        Seconds since the start of the loop, after the step.
    epoch : list of int
        The epoch of the step (0-based; in :func:`optimize` each step is an epoch).
    params : list of ndarray
        With ``record_params``: copies of the first parameter, before the first step and after each step
        (``n_steps + 1`` entries: a trajectory for plots).
    epoch_loss : list of float
        ``eval_fun(params)`` after each epoch (:func:`train_minibatch`).

    See the chapter book/optimization.md.
    """

    loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    epoch: list[int] = field(default_factory=list)
    params: list[np.ndarray] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)


def _check_loop(params: Sequence[np.ndarray], optimizer: Optimizer) -> None:
    same = len(params) == len(optimizer.params)
    same = same and all(p is q for p, q in zip(params, optimizer.params, strict=True))
    _require(same, "the optimizer was built on other arrays than params; build it on the same list, "
                   "e.g. optimize(fun, params, SGD(params, lr=0.1), n_steps)")


def _one_step(hist: History, optimizer: Optimizer, loss: float, grads: Sequence[ArrayLike], epoch: int,
              clip_norm: float | None, start: float, record_params: bool) -> None:
    """Record loss, gradient norm and lr, clip (a copy of) the gradients, step, record time and params."""
    hist.loss.append(float(loss))
    hist.grad_norm.append(global_grad_norm(grads))
    hist.lr.append(optimizer.lr)
    hist.epoch.append(epoch)
    if clip_norm is not None:
        grads = [np.array(g, dtype=np.result_type(g, 1.0)) for g in grads]
        clip_grad_norm_(grads, clip_norm)
    optimizer.step(grads)
    hist.time.append(time.perf_counter() - start)
    if record_params:
        hist.params.append(optimizer.params[0].copy())


def optimize(fun: Callable[[list[np.ndarray]], LossAndGrads], params: Sequence[np.ndarray],
             optimizer: Optimizer, n_steps: int, clip_norm: float | None = None,
             scheduler: LRScheduler | None = None, record_params: bool = False) -> History:
    r"""Full-batch training: ``n_steps`` steps of ``optimizer`` on ``fun``.

    Each step: ``loss, grads = fun(params)``, optional global-norm clipping (:func:`clip_grad_norm_`),
    ``optimizer.step(grads)``, then ``scheduler.step()``. For plain gradient descent
    (:class:`SGD`) this is :math:`w_{k+1} = w_k - \eta_k \nabla f(w_k)`.

    Parameters
    ----------
    fun : callable
        ``fun(params) -> (loss, grads)``, ``grads`` a list shaped like ``params``.
    params : list of ndarray
        The arrays the optimizer was built on (updated in place).
    optimizer : Optimizer
    n_steps : int
    clip_norm : float, optional
        ``max_norm`` of the global gradient-norm clipping.
    scheduler : LRScheduler, optional
        Stepped once per step.
    record_params : bool, default False
        Record the trajectory of ``params[0]`` in ``History.params``.

    Returns
    -------
    History

    See the chapter book/optimization.md.
    """
    _check_loop(params, optimizer)
    _require(int(n_steps) == n_steps and n_steps >= 0,
             f"n_steps must be a non-negative integer, got {n_steps}")
    hist, start = History(), time.perf_counter()
    if record_params:
        hist.params.append(params[0].copy())
    for k in range(int(n_steps)):
        loss, grads = fun(params)
        _one_step(hist, optimizer, loss, grads, k, clip_norm, start, record_params)
        if scheduler is not None:
            scheduler.step()
    return hist


def train_minibatch(fun: Callable[[list[np.ndarray], np.ndarray], LossAndGrads],
                    params: Sequence[np.ndarray], optimizer: Optimizer, n_samples: int, batch_size: int,
                    epochs: int, rng: RNGLike = None, scheduler: LRScheduler | None = None,
                    clip_norm: float | None = None,
                    eval_fun: Callable[[list[np.ndarray]], float] | None = None,
                    record_params: bool = False) -> History:
    r"""Mini-batch training: ``epochs`` passes over shuffled batches (:func:`minibatches`).

    ``batch_size = n_samples`` is batch gradient descent, ``batch_size = 1`` stochastic gradient descent:
    :math:`w \leftarrow w - \eta \nabla f_{B}(w)` with :math:`f_B` the loss on the batch :math:`B`.

    Parameters
    ----------
    fun : callable
        ``fun(params, idx) -> (loss, grads)`` on the examples ``idx`` (an int array).
    params : list of ndarray
        The arrays the optimizer was built on (updated in place).
    optimizer : Optimizer
    n_samples, batch_size, epochs : int
    rng : numpy Generator, int or None
        Seed of the shuffles (one generator for the whole run: a new order each epoch).
    scheduler : LRScheduler, optional
        Stepped once per epoch (torch's convention).
    clip_norm : float, optional
        ``max_norm`` of the global gradient-norm clipping.
    eval_fun : callable, optional
        ``eval_fun(params) -> float`` (e.g. the full training loss), recorded after each epoch in
        ``History.epoch_loss``.
    record_params : bool, default False
        Record the trajectory of ``params[0]`` in ``History.params``.

    Returns
    -------
    History
        One entry per step (``ceil(n_samples / batch_size) * epochs`` steps).

    See the chapter book/optimization.md.
    """
    _check_loop(params, optimizer)
    _require(int(epochs) == epochs and epochs >= 0, f"epochs must be a non-negative integer, got {epochs}")
    rng = as_rng(rng)
    hist, start = History(), time.perf_counter()
    if record_params:
        hist.params.append(params[0].copy())
    for epoch in range(int(epochs)):
        for idx in minibatches(n_samples, batch_size, rng):
            loss, grads = fun(params, idx)
            _one_step(hist, optimizer, loss, grads, epoch, clip_norm, start, record_params)
        if scheduler is not None:
            scheduler.step()
        if eval_fun is not None:
            hist.epoch_loss.append(float(eval_fun(params)))
    return hist


# ------------------------------------------------------------------------- AdamW and warm-up (appended)
__all__ += ["AdamW", "LinearLR", "LambdaLR"]


class AdamW(Adam):
    r"""Adam with decoupled weight decay — ``torch.optim.AdamW`` (names and defaults as in torch).

    Parameters
    ----------
    params : list of ndarray
        Parameter arrays, updated in place.
    lr : float, default 1e-3
        Learning rate :math:`\eta`.
    betas : tuple of float, default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 1e-2
        Decoupled decay :math:`\alpha`: it shrinks the weights directly, never through :math:`m, v`.
    amsgrad : bool, default False
    maximize : bool, default False

    Notes
    -----
    Each step first decays, then takes the Adam step of :class:`Adam` with the raw gradient :math:`g_t`:

    .. math::

        w \leftarrow w - \eta\alpha\,w, \qquad
        w \leftarrow w - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.

    ``Adam(weight_decay=α)`` instead adds :math:`\alpha w` to :math:`g_t`, so the decay is divided by
    :math:`\sqrt{\hat v_t}` like the gradient: weights with large gradients are barely decayed
    (Loshchilov and Hutter, *Decoupled Weight Decay Regularization*, ICLR 2019).

    See the chapter book/optimization.md.
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False, *, maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize)

    def step(self, grads: Sequence[ArrayLike]) -> None:
        """Decay every parameter by ``lr * weight_decay``, then take Adam's step on the raw gradients."""
        # Optimizer.step adds weight_decay * p to the gradient (L2); AdamW must not: switch it off meanwhile.
        self._decay, self.defaults["weight_decay"] = self.defaults["weight_decay"], 0.0
        try:
            super().step(grads)
        finally:
            self.defaults["weight_decay"] = self._decay

    def _update(self, p, g, state):
        p *= 1 - self.lr * self._decay
        super()._update(p, g, state)


def _linear(lr0: float, t: int, start_factor: float = 1 / 3, end_factor: float = 1.0,
            total_iters: int = 5) -> float:
    _require(0 < start_factor <= 1 and 0 <= end_factor <= 1,
             f"start_factor must be in (0, 1] and end_factor in [0, 1], got {start_factor}, {end_factor}")
    _require(total_iters >= 1, f"total_iters must be >= 1, got {total_iters}")
    return lr0 * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)


_SCHEDULES["linear_ramp"] = _linear  # the closed form of LinearLR


class LinearLR(LRScheduler):
    r"""Linear warm-up (or decay) of the learning rate — ``torch.optim.lr_scheduler.LinearLR``.

    :math:`\eta_t = \eta_0\big(s + (e - s)\min(t, T)/T\big)` with :math:`s` = ``start_factor``,
    :math:`e` = ``end_factor`` and :math:`T` = ``total_iters`` (torch's defaults 1/3, 1, 5): the rate climbs
    from :math:`s\,\eta_0` to :math:`e\,\eta_0` in :math:`T` steps and then stays. A warm-up keeps the first
    steps small while Adam's :math:`v` and the network's statistics are still poor estimates.

    See the chapter book/optimization.md.
    """

    name = "linear_ramp"

    def __init__(self, optimizer: Optimizer, start_factor: float = 1 / 3, end_factor: float = 1.0,
                 total_iters: int = 5) -> None:
        super().__init__(optimizer, start_factor=start_factor, end_factor=end_factor, total_iters=total_iters)


class LambdaLR(LRScheduler):
    r"""Any schedule :math:`\eta_t = \eta_0 \cdot f(t)` — ``torch.optim.lr_scheduler.LambdaLR``.

    For example a linear warm-up over ``W`` steps followed by a cosine decay to 0 at step ``T``:
    ``LambdaLR(opt, lambda t: (t + 1) / W if t < W else 0.5 * (1 + cos(pi * (t - W) / (T - W))))``.

    See the chapter book/optimization.md.
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def _apply(self) -> None:
        self.optimizer.lr = self.base_lr * float(self.lr_lambda(self.last_epoch))
