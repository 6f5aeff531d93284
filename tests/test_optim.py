"""Tests of coursekit.optim against independent oracles.

- PyTorch's documented algorithms (torch.optim.SGD / Adagrad / RMSprop / Adam pseudo-code), written out
  below as plain scalar loops, one coordinate at a time, line by line;
- first steps computed by hand on a small quadratic;
- invariants (momentum 0 = SGD, weight decay = adding lambda*w to the gradient, clipping keeps the
  direction, ...);
- convergence on an ill-conditioned quadratic built here from its eigen-decomposition;
- torch.optim.lr_scheduler's closed forms and its recursive ("chained") forms.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from coursekit import optim

N_STEPS = 20
SHAPES = [(3,), (2, 3), (), (2, 1, 2)]  # includes a 0-d parameter
TOL = 1e-12


# ------------------------------------------------------------------------------------------------------------
# Reference: torch's documented pseudo-code, transcribed for ONE scalar coordinate (theta: float, grads: the
# coordinate's gradient at steps t = 1..T). Returns theta_1..theta_T. Deliberately loop-by-loop and plain.
# ------------------------------------------------------------------------------------------------------------


def ref_sgd(theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    out = []
    b = 0.0
    for t, grad in enumerate(grads, start=1):
        g = grad
        if weight_decay != 0:
            g = g + weight_decay * theta
        if momentum != 0:
            if t > 1:
                b = momentum * b + (1 - dampening) * g
            else:
                b = g
            if nesterov:
                g = g + momentum * b
            else:
                g = b
        if maximize:
            theta = theta + lr * g
        else:
            theta = theta - lr * g
        out.append(theta)
    return out


def ref_adagrad(theta, grads, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                maximize=False):
    out = []
    state_sum = initial_accumulator_value
    for t, grad in enumerate(grads, start=1):
        g = -grad if maximize else grad
        clr = lr / (1 + (t - 1) * lr_decay)
        if weight_decay != 0:
            g = g + weight_decay * theta
        state_sum = state_sum + g * g
        theta = theta - clr * g / (math.sqrt(state_sum) + eps)
        out.append(theta)
    return out


def ref_rmsprop(theta, grads, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                maximize=False):
    out = []
    v = 0.0
    b = 0.0
    g_ave = 0.0
    for grad in grads:
        g = -grad if maximize else grad
        if weight_decay != 0:
            g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g * g
        v_tilde = v
        if centered:
            g_ave = g_ave * alpha + (1 - alpha) * g
            v_tilde = v_tilde - g_ave * g_ave
        if momentum > 0:
            b = momentum * b + g / (math.sqrt(v_tilde) + eps)
            theta = theta - lr * b
        else:
            theta = theta - lr * g / (math.sqrt(v_tilde) + eps)
        out.append(theta)
    return out


def ref_adam(theta, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False):
    beta1, beta2 = betas
    out = []
    m = 0.0
    v = 0.0
    v_max = 0.0
    for t, grad in enumerate(grads, start=1):
        g = -grad if maximize else grad
        if weight_decay != 0:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        if amsgrad:
            v_max = max(v_max, v)
            v_hat = v_max / (1 - beta2**t)
        else:
            v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(theta)
    return out


# ------------------------------------------------------------------------------------------------------------
# Drivers for the comparison
# ------------------------------------------------------------------------------------------------------------


def random_problem(seed=0):
    """Parameter arrays of several shapes, N_STEPS gradients of shrinking size (AMSGrad's max matters)."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=s) for s in SHAPES]
    scales = 3.0 * 0.8 ** np.arange(N_STEPS)
    grads = [[scale * rng.normal(size=s) for s in SHAPES] for scale in scales]
    return params, grads


def flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


def run_numpy(cls, kw, params, grads):
    """Trajectory (N_STEPS, n_coordinates) of the NumPy optimizer; also checks the in-place contract."""
    ps = [p.copy() for p in params]
    ids = [id(p) for p in ps]
    opt = cls(ps, **kw)
    traj = []
    for g in grads:
        opt.step(g)
        traj.append(flat(ps))
    assert [id(p) for p in ps] == ids and [p.shape for p in ps] == SHAPES
    return np.array(traj)


def run_reference(ref, kw, params, grads):
    theta0 = flat(params).tolist()
    gs = [flat(g).tolist() for g in grads]
    cols = [ref(theta0[j], [g[j] for g in gs], **kw) for j in range(len(theta0))]
    return np.array(cols).T


def grid(**axes):
    keys = list(axes)
    return [dict(zip(keys, vals, strict=True)) for vals in itertools.product(*axes.values())]


SGD_CASES = [kw for kw in grid(lr=[0.1], momentum=[0.0, 0.9], dampening=[0.0, 0.3], weight_decay=[0.0, 0.05],
                               nesterov=[False, True], maximize=[False, True])
             if not (kw["nesterov"] and (kw["momentum"] == 0 or kw["dampening"] != 0))
             # torch's SGD *docs* flip the sign at the end, its code flips the gradient first; they differ
             # only with weight decay: that case is checked against the code's rule in test_maximize_*.
             and not (kw["maximize"] and kw["weight_decay"] != 0)]
ADAGRAD_CASES = grid(lr=[0.1], lr_decay=[0.0, 0.1], weight_decay=[0.0, 0.05],
                     initial_accumulator_value=[0.0, 0.3], eps=[1e-10, 1e-2], maximize=[False, True])
RMSPROP_CASES = grid(lr=[0.01], alpha=[0.99, 0.8], eps=[1e-8, 1e-3], weight_decay=[0.0, 0.05],
                     momentum=[0.0, 0.7], centered=[False, True], maximize=[False, True])
ADAM_CASES = grid(lr=[0.05], betas=[(0.9, 0.999), (0.5, 0.8)], eps=[1e-8, 1e-3], weight_decay=[0.0, 0.05],
                  amsgrad=[False, True], maximize=[False, True])


@pytest.mark.parametrize(("cls", "ref", "kw"),
                         [(optim.SGD, ref_sgd, kw) for kw in SGD_CASES]
                         + [(optim.Adagrad, ref_adagrad, kw) for kw in ADAGRAD_CASES]
                         + [(optim.RMSprop, ref_rmsprop, kw) for kw in RMSPROP_CASES]
                         + [(optim.Adam, ref_adam, kw) for kw in ADAM_CASES],
                         ids=lambda x: x.__name__ if callable(x) else None)
def test_matches_torch_documented_algorithm(cls, ref, kw):
    params, grads = random_problem(seed=len(str(kw)))
    ours = run_numpy(cls, kw, params, grads)
    expected = run_reference(ref, kw, params, grads)
    np.testing.assert_allclose(ours, expected, rtol=TOL, atol=TOL)
    assert not np.allclose(ours[-1], flat(params))  # it did move


def test_reference_cases_exercise_every_option():
    params, grads = random_problem()
    amsgrad = run_reference(ref_adam, dict(lr=0.05, betas=(0.5, 0.8), amsgrad=True), params, grads)
    plain = run_reference(ref_adam, dict(lr=0.05, betas=(0.5, 0.8), amsgrad=False), params, grads)
    assert np.abs(amsgrad - plain).max() > 1e-3  # the running max is active on these gradients
    for key in ("nesterov", "maximize", "weight_decay"):
        assert any(kw[key] for kw in SGD_CASES) and not all(kw[key] for kw in SGD_CASES)
    assert any(kw["momentum"] and kw["dampening"] for kw in SGD_CASES)
    assert {kw["centered"] for kw in RMSPROP_CASES} == {False, True}


# ------------------------------------------------------------------------------------------------------------
# Hand-computed first steps on f(w) = 1/2 w^T A w, A = [[3, 1], [1, 2]], w0 = (1, -1): g0 = A w0 = (2, -1)
# ------------------------------------------------------------------------------------------------------------

A_SMALL = np.array([[3.0, 1.0], [1.0, 2.0]])
W0 = np.array([1.0, -1.0])


def first_steps(opt_factory, n=2):
    w = W0.copy()
    opt = opt_factory([w])
    out = []
    for _ in range(n):
        opt.step([A_SMALL @ w])
        out.append(w.copy())
    return out


def test_sgd_hand_computed():
    w1, w2 = first_steps(lambda p: optim.SGD(p, lr=0.1))
    np.testing.assert_allclose(w1, [1 - 0.1 * 2, -1 + 0.1 * 1])  # w1 = w0 - lr A w0 = (0.8, -0.9)
    np.testing.assert_allclose(w2, [0.8 - 0.1 * 1.5, -0.9 + 0.1 * 1.0])  # A w1 = (1.5, -1.0)


def test_heavy_ball_and_nesterov_hand_computed():
    w1, w2 = first_steps(lambda p: optim.SGD(p, lr=0.1, momentum=0.9))
    np.testing.assert_allclose(w1, [0.8, -0.9])  # b1 = g0: same as SGD
    # b2 = 0.9 (2, -1) + (1.5, -1.0) = (3.3, -1.9); w2 = w1 - 0.1 b2
    np.testing.assert_allclose(w2, [0.8 - 0.33, -0.9 + 0.19])
    (n1,) = first_steps(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), n=1)
    # g + mu b1 = 1.9 g0
    np.testing.assert_allclose(n1, [1 - 0.1 * 1.9 * 2, -1 + 0.1 * 1.9 * 1])


def test_weight_decay_hand_computed():
    (w1,) = first_steps(lambda p: optim.SGD(p, lr=0.1, weight_decay=0.5), n=1)
    np.testing.assert_allclose(w1, [1 - 0.1 * (2 + 0.5), -1 - 0.1 * (-1 - 0.5)])  # (0.75, -0.85)


def test_adaptive_first_steps_are_sign_steps():
    # Adam: m1_hat = g, v1_hat = g^2 -> step lr * g / (|g| + eps) ~ lr sign(g)
    (w1,) = first_steps(lambda p: optim.Adam(p, lr=0.01), n=1)
    np.testing.assert_allclose(w1, [0.99, -0.99], rtol=0, atol=1e-9)
    # Adagrad with s0 = 0: s1 = g^2 -> lr sign(g)
    (w1,) = first_steps(lambda p: optim.Adagrad(p, lr=0.1), n=1)
    np.testing.assert_allclose(w1, [0.9, -0.9], rtol=0, atol=1e-9)
    # RMSprop: v1 = (1 - alpha) g^2 -> lr sign(g) / sqrt(1 - alpha) = 10 lr for alpha = 0.99
    (w1,) = first_steps(lambda p: optim.RMSprop(p, lr=0.01, alpha=0.99), n=1)
    np.testing.assert_allclose(w1, [0.9, -0.9], rtol=0, atol=1e-6)


# ------------------------------------------------------------------------------------------------------------
# Invariants
# ------------------------------------------------------------------------------------------------------------

ALL = [(optim.SGD, dict(lr=0.1, momentum=0.9)), (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
       (optim.Adagrad, dict(lr=0.1, lr_decay=0.05)),
       (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
       (optim.Adam, dict(lr=0.05, amsgrad=True))]


def test_momentum_zero_is_plain_sgd():
    params, grads = random_problem(1)
    ours = run_numpy(optim.SGD, dict(lr=0.1, momentum=0.0, dampening=0.5), params, grads)
    w = flat(params)
    for k, g in enumerate(grads):
        w = w - 0.1 * flat(g)
        np.testing.assert_allclose(ours[k], w, rtol=TOL, atol=TOL)


def test_nesterov_differs_from_heavy_ball_and_both_from_sgd():
    sgd = first_steps(lambda p: optim.SGD(p, lr=0.1), n=3)
    hb = first_steps(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), n=3)
    nag = first_steps(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), n=3)
    np.testing.assert_allclose(hb[0], sgd[0])  # b1 = g1: the first heavy-ball step is an SGD step
    for k in (1, 2):
        assert not np.allclose(hb[k], sgd[k]) and not np.allclose(nag[k], sgd[k])
    for k in (0, 1, 2):
        assert not np.allclose(nag[k], hb[k])


@pytest.mark.parametrize(("cls", "kw"), ALL)
def test_weight_decay_equals_adding_lambda_w_to_gradient(cls, kw):
    lam = 0.3
    params, grads = random_problem(2)
    a = [p.copy() for p in params]
    b = [p.copy() for p in params]
    opt_a, opt_b = cls(a, **kw, weight_decay=lam), cls(b, **kw)
    for g in grads:
        opt_b.step([gi + lam * bi for gi, bi in zip(g, b, strict=True)])
        opt_a.step(g)
        np.testing.assert_allclose(flat(a), flat(b), rtol=TOL, atol=TOL)


@pytest.mark.parametrize(("cls", "kw"), ALL)
@pytest.mark.parametrize("weight_decay", [0.0, 0.3])
def test_maximize_is_minimizing_the_negated_gradient(cls, kw, weight_decay):
    # torch's code: maximize negates the gradient first, so weight decay still shrinks the weights.
    params, grads = random_problem(3)
    a = [p.copy() for p in params]
    b = [p.copy() for p in params]
    opt_a = cls(a, **kw, weight_decay=weight_decay, maximize=True)
    opt_b = cls(b, **kw, weight_decay=weight_decay)
    for g in grads:
        opt_a.step(g)
        opt_b.step([-gi for gi in g])
    np.testing.assert_allclose(flat(a), flat(b), rtol=TOL, atol=TOL)


def test_maximize_ascends():
    w = np.array([0.0])
    opt = optim.SGD([w], lr=0.1, maximize=True)
    for _ in range(50):
        opt.step([-2 * (w - 3.0)])  # gradient of -(w - 3)^2, maximized at 3
    np.testing.assert_allclose(w, [3.0], atol=1e-4)


@pytest.mark.parametrize(("cls", "kw"), ALL)
def test_gradients_are_not_modified_and_dtype_is_kept(cls, kw):
    params, grads = random_problem(4)
    before = [[g.copy() for g in step] for step in grads[:3]]
    opt = cls(params, **kw)
    for g in grads[:3]:
        opt.step(g)
    for g, g0 in zip(grads[:3], before, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(g, g0, strict=True))
    w32 = np.ones(3, dtype=np.float32)
    cls([w32], **kw).step([np.full(3, 0.5, dtype=np.float32)])
    assert w32.dtype == np.float32 and np.all(w32 < 1)


def test_make_optimizer():
    w = np.zeros(2)
    assert type(optim.make_optimizer("sgd", [w])) is optim.SGD
    mom = optim.make_optimizer("momentum", [w], lr=0.1)
    assert mom.defaults["momentum"] == 0.9 and not mom.defaults["nesterov"] and mom.lr == 0.1
    nag = optim.make_optimizer("Nesterov", [w], momentum=0.5)
    assert nag.defaults["nesterov"] and nag.defaults["momentum"] == 0.5
    assert isinstance(optim.make_optimizer("adagrad", [w]), optim.Adagrad)
    assert isinstance(optim.make_optimizer("rmsprop", [w]), optim.RMSprop)
    adam = optim.make_optimizer("adam", [w])
    assert isinstance(adam, optim.Adam) and adam.lr == 1e-3 and adam.defaults["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        optim.make_optimizer("lbfgs", [w])


def test_torch_defaults():
    w = np.zeros(2)
    assert optim.SGD([w]).defaults == dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                                           nesterov=False, maximize=False)
    assert optim.Adagrad([w]).defaults == dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                                               initial_accumulator_value=0.0, eps=1e-10, maximize=False)
    assert optim.RMSprop([w]).defaults == dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                                               centered=False, maximize=False)
    assert optim.Adam([w]).defaults == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                                            amsgrad=False, maximize=False)


@pytest.mark.parametrize(("make", "match"), [
    (lambda w: optim.SGD(w, lr=-0.1), "Invalid learning rate"),
    (lambda w: optim.SGD(w, momentum=-0.5), "momentum"),
    (lambda w: optim.SGD(w, weight_decay=-1), "weight_decay"),
    (lambda w: optim.SGD(w, nesterov=True), "Nesterov momentum requires a momentum"),
    (lambda w: optim.SGD(w, momentum=0.9, dampening=0.1, nesterov=True), "zero dampening"),
    (lambda w: optim.Adam(w, betas=(1.0, 0.999)), "index 0"),
    (lambda w: optim.Adam(w, betas=(0.9, 1.0)), "index 1"),
    (lambda w: optim.Adam(w, betas=(-0.1, 0.9)), "betas must be in"),
    (lambda w: optim.Adam(w, eps=-1e-8), "epsilon"),
    (lambda w: optim.Adam(w, lr=-1e-3), "Invalid learning rate"),
    (lambda w: optim.Adagrad(w, lr_decay=-1), "lr_decay"),
    (lambda w: optim.Adagrad(w, initial_accumulator_value=-1), "initial_accumulator_value"),
    (lambda w: optim.RMSprop(w, alpha=1.5), "alpha"),
    (lambda w: optim.RMSprop(w, momentum=-1), "momentum"),
    (lambda w: optim.SGD([], lr=0.1), "empty"),
])
def test_invalid_hyper_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make([np.zeros(2)])


def test_invalid_calls():
    w, b = np.zeros((2, 3)), np.array(0.0)
    opt = optim.SGD([w, b], lr=0.1)
    with pytest.raises(ValueError, match="got 1 gradients for 2 parameters"):
        opt.step([np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"grads\[0\] has shape \(3, 2\) but params\[0\] has shape \(2, 3\)"):
        opt.step([np.ones((3, 2)), 0.0])
    with pytest.raises(ValueError, match="Invalid learning rate"):
        opt.lr = -1.0
    with pytest.raises(TypeError, match="float ndarrays"):
        optim.SGD([np.zeros(3, dtype=int)])
    with pytest.raises(TypeError, match="float ndarrays"):
        optim.SGD([1.0])
    opt.step([np.ones((2, 3)), 2.0])  # a plain float is a valid gradient of a 0-d parameter
    np.testing.assert_allclose(b, -0.2)


# ------------------------------------------------------------------------------------------------------------
# Convergence on an ill-conditioned quadratic f(w) = 1/2 w^T A w - b^T w, A = R diag(1, 50) R^T
# ------------------------------------------------------------------------------------------------------------

KAPPA = 50.0
W_STAR = np.array([1.0, -2.0])


def ravine():
    th = np.pi / 6
    R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    A = R @ np.diag([1.0, KAPPA]) @ R.T
    return A, A @ W_STAR


def quadratic_fun(A, b):
    def fun(params):
        (w,) = params
        return 0.5 * w @ A @ w - b @ w, [A @ w - b]
    return fun


CONVERGENCE = [  # name, hyper-parameters, schedule, step budget
    ("sgd", dict(lr=1 / KAPPA), None, 600),
    ("momentum", dict(lr=1 / KAPPA), None, 300),
    ("nesterov", dict(lr=1 / KAPPA), None, 300),
    ("adagrad", dict(lr=2.0), None, 800),
    ("adam", dict(lr=0.1), None, 1500),
    ("adam", dict(lr=0.1, amsgrad=True), None, 2000),
    # RMSprop with a constant lr hovers at a distance ~ lr from w*: it needs a decaying lr to converge.
    ("rmsprop", dict(lr=0.03), ("exponential", 0.997), 2000),
    ("rmsprop", dict(lr=0.01, momentum=0.9, centered=True), ("exponential", 0.997), 2000),
]


@pytest.mark.parametrize(("name", "kw", "schedule", "n_steps"), CONVERGENCE)
def test_converges_on_ill_conditioned_quadratic(name, kw, schedule, n_steps):
    A, b = ravine()
    eig = np.linalg.eigvalsh(A)
    assert 25 <= eig[-1] / eig[0] <= 100
    w = np.array([-2.0, 2.0])
    opt = optim.make_optimizer(name, [w], **kw)
    scheduler = optim.ExponentialLR(opt, gamma=schedule[1]) if schedule else None
    hist = optim.optimize(quadratic_fun(A, b), [w], opt, n_steps, scheduler=scheduler)
    assert np.linalg.norm(w - W_STAR) < 1e-3
    assert hist.loss[-1] < hist.loss[0]


def steps_to_tolerance(name, tol=1e-3, max_steps=5000):
    A, b = ravine()
    w = np.array([-2.0, 2.0])
    opt = optim.make_optimizer(name, [w], lr=1 / KAPPA)
    for k in range(max_steps):
        if np.linalg.norm(w - W_STAR) < tol:
            return k
        opt.step([A @ w - b])
    return max_steps


def test_momentum_and_nesterov_beat_sgd_on_a_ravine():
    sgd, mom, nag = steps_to_tolerance("sgd"), steps_to_tolerance("momentum"), steps_to_tolerance("nesterov")
    assert sgd < 5000
    assert mom < sgd / 2 and nag < sgd / 2


# ------------------------------------------------------------------------------------------------------------
# Learning-rate schedules: torch's closed forms, and torch's recursive ("chained") forms
# ------------------------------------------------------------------------------------------------------------

LR0 = 0.1
TS = range(21)
SCHEDULERS = [  # scheduler class, kwargs, schedule_lr name, closed form written from torch's docs
    (optim.StepLR, dict(step_size=3, gamma=0.5), "step", lambda t: LR0 * 0.5 ** (t // 3)),
    (optim.ExponentialLR, dict(gamma=0.9), "exponential", lambda t: LR0 * 0.9**t),
    (optim.CosineAnnealingLR, dict(T_max=7, eta_min=0.01), "cosine",
     lambda t: 0.01 + (LR0 - 0.01) * (1 + math.cos(math.pi * t / 7)) / 2),
    (optim.CosineAnnealingLR, dict(T_max=20), "cosine", lambda t: LR0 * (1 + math.cos(math.pi * t / 20)) / 2),
    (optim.InverseTimeLR, dict(decay=0.5), "inverse_time", lambda t: LR0 / (1 + 0.5 * t)),
]


@pytest.mark.parametrize(("cls", "kw", "name", "closed"), SCHEDULERS)
def test_scheduler_closed_forms(cls, kw, name, closed):
    opt = optim.SGD([np.zeros(2)], lr=LR0)
    sched = cls(opt, **kw)
    for t in TS:
        if t > 0:
            sched.step()
        assert sched.get_last_lr() == [opt.lr]
        assert opt.lr == pytest.approx(closed(t), rel=1e-12, abs=1e-15)
        assert optim.schedule_lr(name, LR0, t, **kw) == pytest.approx(closed(t), rel=1e-12, abs=1e-15)


def chained(kind, kw, n):
    """torch's recursive get_lr() forms: each lr from the previous one."""
    lrs = [LR0]
    for t in range(1, n):
        lr = lrs[-1]
        if kind == "step":
            lr = lr * kw["gamma"] if t % kw["step_size"] == 0 else lr
        elif kind == "exponential":
            lr = lr * kw["gamma"]
        else:  # cosine, with T_cur = t - 1 -> t
            T, lo = kw["T_max"], kw.get("eta_min", 0.0)
            if (t - 1 - T) % (2 * T) == 0:
                lr = lr + (LR0 - lo) * (1 - math.cos(math.pi / T)) / 2
            else:
                lr = lo + (lr - lo) * (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        lrs.append(lr)
    return lrs


@pytest.mark.parametrize(("kind", "kw"), [("step", dict(step_size=3, gamma=0.5)),
                                          ("exponential", dict(gamma=0.9)),
                                          ("cosine", dict(T_max=7, eta_min=0.01)), ("cosine", dict(T_max=5))])
def test_chained_forms_agree_with_closed_forms(kind, kw):
    expected = chained(kind, kw, 21)  # crosses T_max (and 2 T_max) for the cosine cases
    got = [optim.schedule_lr(kind, LR0, t, **kw) for t in TS]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)


def test_constant_schedule_and_bad_arguments():
    assert optim.schedule_lr("constant", 0.3, 17) == 0.3
    with pytest.raises(ValueError, match="unknown schedule 'linear'"):
        optim.schedule_lr("linear", 0.1, 3)
    with pytest.raises(ValueError, match="step_size"):
        optim.StepLR(optim.SGD([np.zeros(1)], lr=0.1), step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        optim.schedule_lr("cosine", 0.1, 2, T_max=0)
    with pytest.raises(ValueError, match="t must be >= 0"):
        optim.schedule_lr("exponential", 0.1, -1, gamma=0.5)


def test_scheduler_changes_the_optimizers_steps():
    w = np.array([0.0])
    opt = optim.SGD([w], lr=0.1)
    sched = optim.StepLR(opt, step_size=1, gamma=0.5)
    moves = []
    for _ in range(3):
        before = w.copy()
        opt.step([np.array([1.0])])
        sched.step()
        moves.append(float((before - w)[0]))
    np.testing.assert_allclose(moves, [0.1, 0.05, 0.025])
    assert sched.get_last_lr() == [0.0125]


# ------------------------------------------------------------------------------------------------------------
# Gradient clipping
# ------------------------------------------------------------------------------------------------------------


def some_grads(seed=5):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(3, 4)) * 5, rng.normal(size=7), np.array(4.0)]


def cosine(a, b):
    return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))


@pytest.mark.parametrize(("norm_type", "numpy_norm"), [(2.0, lambda v: np.sqrt(np.sum(v**2))),
                                                       (1.0, lambda v: np.sum(np.abs(v))),
                                                       (float("inf"), lambda v: np.max(np.abs(v))),
                                                       ("inf", lambda v: np.max(np.abs(v)))])
def test_global_norm_is_norm_of_concatenation(norm_type, numpy_norm):
    grads = some_grads()
    assert optim.global_grad_norm(grads, norm_type) == pytest.approx(numpy_norm(flat(grads)), rel=1e-12)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_keeps_direction_and_sets_global_norm(norm_type):
    grads = some_grads()
    before = flat(grads)
    total = optim.clip_grad_norm_(grads, max_norm=1.5, norm_type=norm_type)
    assert total == pytest.approx(optim.global_grad_norm([before], norm_type), rel=1e-12)
    after = flat(grads)
    assert cosine(before, after) == pytest.approx(1.0, abs=1e-12)
    assert optim.global_grad_norm(grads, norm_type) == pytest.approx(1.5, rel=1e-5)
    # ONE coefficient max_norm / (total + 1e-6) for every array
    np.testing.assert_allclose(after, before * 1.5 / (total + 1e-6), rtol=1e-12)


def test_clip_grad_norm_is_global_not_per_array():
    big, small = np.full(4, 10.0), np.array([0.3, 0.4])  # norms 20 and 0.5
    grads = [big.copy(), small.copy()]
    optim.clip_grad_norm_(grads, max_norm=1.0)
    coef = 1.0 / (np.sqrt(400 + 0.25) + 1e-6)
    np.testing.assert_allclose(grads[0], big * coef)
    np.testing.assert_allclose(grads[1], small * coef)  # clipped too, by the same coefficient
    # per-array clipping would have left `small` (norm 0.5 < 1) unchanged
    assert not np.allclose(grads[1], small)


def test_huge_thresholds_are_the_identity():
    grads = some_grads()
    before = [g.copy() for g in grads]
    optim.clip_grad_norm_(grads, max_norm=1e12)
    optim.clip_grad_value_(grads, clip_value=1e12)
    for g, g0 in zip(grads, before, strict=True):
        np.testing.assert_array_equal(g, g0)


def test_clip_grad_value_clips_entries_and_changes_direction():
    grads = [np.array([10.0, 0.1, -3.0]), np.array(-0.5)]
    optim.clip_grad_value_(grads, clip_value=1.0)
    np.testing.assert_array_equal(grads[0], [1.0, 0.1, -1.0])
    assert grads[1] == -0.5
    assert cosine(flat(grads), np.array([10.0, 0.1, -3.0, -0.5])) < 0.99


def test_clip_errors():
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_grad_norm_([np.ones(2)], max_norm=-1)
    with pytest.raises(ValueError, match="clip_value"):
        optim.clip_grad_value_([np.ones(2)], clip_value=-1)
    with pytest.raises(TypeError, match="in place"):
        optim.clip_grad_norm_([[1.0, 2.0]], max_norm=1)
    assert optim.global_grad_norm([]) == 0.0


# ------------------------------------------------------------------------------------------------------------
# Mini-batches and the training loops
# ------------------------------------------------------------------------------------------------------------


def test_minibatches_cover_each_index_once():
    batches = list(optim.minibatches(23, 5, rng=0))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(23))
    assert [len(b) for b in optim.minibatches(4, 10, rng=0)] == [4]
    ordered = list(optim.minibatches(7, 3, shuffle=False))
    np.testing.assert_array_equal(np.concatenate(ordered), np.arange(7))


def test_minibatches_seeded_and_new_order_each_epoch():
    a = np.concatenate(list(optim.minibatches(50, 8, rng=42)))
    b = np.concatenate(list(optim.minibatches(50, 8, rng=42)))
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(42)
    e1 = np.concatenate(list(optim.minibatches(50, 8, rng=rng)))
    e2 = np.concatenate(list(optim.minibatches(50, 8, rng=rng)))
    assert not np.array_equal(e1, e2)
    assert not np.array_equal(e1, np.arange(50))
    with pytest.raises(ValueError, match="batch_size"):
        optim.minibatches(10, 0)


def test_optimize_records_gd_trajectory():
    A, b = ravine()
    w = np.array([-2.0, 2.0])
    hist = optim.optimize(quadratic_fun(A, b), [w], optim.SGD([w], lr=0.01), 5, record_params=True)
    v = np.array([-2.0, 2.0])  # w_{k+1} = w_k - lr (A w_k - b), by hand
    for k in range(5):
        np.testing.assert_allclose(hist.params[k], v, rtol=TOL)
        assert hist.loss[k] == pytest.approx(0.5 * v @ A @ v - b @ v, rel=1e-12)
        assert hist.grad_norm[k] == pytest.approx(np.linalg.norm(A @ v - b), rel=1e-12)
        v = v - 0.01 * (A @ v - b)
    np.testing.assert_allclose(hist.params[5], v, rtol=TOL)
    np.testing.assert_allclose(w, v, rtol=TOL)
    assert len(hist.params) == 6 and hist.lr == [0.01] * 5 and hist.epoch == list(range(5))
    assert len(hist.time) == 5 and all(np.diff(hist.time) >= 0) and hist.time[0] >= 0


def test_optimize_with_scheduler_and_clipping():
    A, b = ravine()
    w = np.array([-2.0, 2.0])
    opt = optim.SGD([w], lr=0.05)
    hist = optim.optimize(quadratic_fun(A, b), [w], opt, 6, clip_norm=0.5,
                          scheduler=optim.ExponentialLR(opt, gamma=0.5), record_params=True)
    assert hist.lr == pytest.approx([optim.schedule_lr("exponential", 0.05, k, gamma=0.5) for k in range(6)])
    steps = np.linalg.norm(np.diff(np.array(hist.params), axis=0), axis=1)
    assert hist.grad_norm[0] > 0.5  # the raw gradient is recorded, and it is clipped
    np.testing.assert_allclose(steps[0], 0.05 * 0.5, rtol=1e-5)
    assert np.all(steps <= np.array(hist.lr) * 0.5 * (1 + 1e-12))


def test_loops_reject_an_optimizer_on_other_arrays():
    w = np.zeros(2)
    opt = optim.SGD([w.copy()], lr=0.1)
    with pytest.raises(ValueError, match="same list"):
        optim.optimize(lambda p: (0.0, [np.zeros(2)]), [w], opt, 3)


def least_squares(seed=6, n=12, d=3):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, d)), rng.normal(size=n)

    def batch_fun(params, idx):
        (w,) = params
        r = X[idx] @ w - y[idx]
        return 0.5 * np.mean(r**2), [X[idx].T @ r / len(idx)]

    return X, y, batch_fun


def test_full_batch_minibatch_is_batch_gd():
    X, y, batch_fun = least_squares()
    w1, w2 = np.zeros(3), np.zeros(3)
    h1 = optim.train_minibatch(batch_fun, [w1], optim.SGD([w1], lr=0.1), len(y), len(y), epochs=8, rng=0,
                               record_params=True)
    h2 = optim.optimize(lambda p: batch_fun(p, np.arange(len(y))), [w2], optim.SGD([w2], lr=0.1), 8,
                        record_params=True)
    assert len(h1.loss) == 8 and h1.epoch == list(range(8))
    np.testing.assert_allclose(np.array(h1.params), np.array(h2.params), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h1.loss, h2.loss, rtol=1e-12)


def test_sgd_with_batch_size_one_replays_by_hand():
    X, y, batch_fun = least_squares()
    n, epochs, lr = len(y), 3, 0.05
    seen = []

    def recording_fun(params, idx):
        seen.append(idx.copy())
        return batch_fun(params, idx)

    w = np.zeros(3)
    full = lambda p: batch_fun(p, np.arange(n))[0]  # noqa: E731
    hist = optim.train_minibatch(recording_fun, [w], optim.SGD([w], lr=lr), n, 1, epochs, rng=1,
                                 eval_fun=full)
    assert len(hist.loss) == n * epochs and hist.epoch == [e for e in range(epochs) for _ in range(n)]
    assert len(hist.epoch_loss) == epochs
    for e in range(epochs):  # each example exactly once per epoch
        np.testing.assert_array_equal(np.sort(np.concatenate(seen[e * n:(e + 1) * n])), np.arange(n))
    v = np.zeros(3)
    for idx in seen:  # SGD by hand: v <- v - lr x_i (x_i . v - y_i)
        i = int(idx[0])
        v = v - lr * X[i] * (X[i] @ v - y[i])
    np.testing.assert_allclose(w, v, rtol=1e-12)
    assert hist.epoch_loss[-1] == pytest.approx(full([w]))
    assert hist.epoch_loss[-1] < full([np.zeros(3)])


def test_train_minibatch_batches_and_per_epoch_scheduler():
    _, y, batch_fun = least_squares(n=10)
    sizes = []

    def fun(params, idx):
        sizes.append(len(idx))
        return batch_fun(params, idx)

    w = np.zeros(3)
    opt = optim.Adam([w], lr=0.1)
    hist = optim.train_minibatch(fun, [w], opt, 10, 4, epochs=3, rng=2, scheduler=optim.StepLR(opt, 1, 0.5))
    assert sizes == [4, 4, 2] * 3
    assert hist.lr == [0.1] * 3 + [0.05] * 3 + [0.025] * 3
