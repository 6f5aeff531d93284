"""Tests of nn.Dropout, optim.AdamW and the warm-up schedulers against torch's documented semantics.

- Dropout (torch.nn.Dropout docs): in train mode each element is zeroed with probability p and the
  survivors are scaled by 1/(1-p), so the expectation is preserved; in eval mode the layer is the identity;
  the backward pass uses the same mask. Checked by the scaling rule exactly, the expectation statistically.
- AdamW (torch.optim.AdamW docs, pseudo-code transcribed below for one scalar coordinate): theta <- theta -
  lr*wd*theta, then the bias-corrected Adam step on the raw gradient; torch's defaults.
- LinearLR (torch's closed form) and LambdaLR; a warm-up raises the rate linearly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coursekit import nn, optim

TOL = 1e-12


# ---------------------------------------------------------------------------------------------------- dropout
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_train_mode_scales_survivors_by_one_over_keep(p):
    layer = nn.Dropout(p, rng=0)
    x = np.random.default_rng(1).normal(size=(400, 50))
    out = layer(x)
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-15)
    # the fraction zeroed is p, within 5 binomial standard deviations
    assert abs((~kept).mean() - p) < 5 * math.sqrt(p * (1 - p) / x.size)
    # backward: the same mask and scale
    g = np.random.default_rng(2).normal(size=x.shape)
    np.testing.assert_allclose(layer.backward(g), np.where(kept, g / (1 - p), 0.0), rtol=1e-15)


def test_dropout_preserves_the_expectation_and_is_identity_in_eval():
    p, x = 0.3, np.linspace(-2, 3, 7)
    layer = nn.Dropout(p, rng=0)
    outs = np.array([layer(x) for _ in range(40_000)])
    se = np.abs(x) * math.sqrt(p / (1 - p)) / math.sqrt(len(outs))  # standard deviation of the mean
    assert np.all(np.abs(outs.mean(axis=0) - x) < 5 * se + 1e-12)
    assert layer.eval() is layer and not layer.training
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)
    assert layer.train().training
    assert not np.array_equal(layer(np.ones(100)), np.ones(100))  # masks again in train mode


def test_dropout_edge_cases():
    x = np.ones((3, 4))
    np.testing.assert_array_equal(nn.Dropout(0.0, rng=0)(x), x)
    np.testing.assert_array_equal(nn.Dropout(1.0, rng=0)(x), np.zeros_like(x))  # torch zeroes everything
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
    a, b = nn.Dropout(0.5, rng=7)(x), nn.Dropout(0.5, rng=7)(x)
    np.testing.assert_array_equal(a, b)  # explicit seeds reproduce


# ------------------------------------------------------------------------------------------------------ AdamW
def ref_adamw(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
              maximize=False):
    """torch.optim.AdamW's documented algorithm for one scalar coordinate; returns theta_1..theta_T."""
    b1, b2 = betas
    m = v = v_max = 0.0
    out = []
    for t, grad in enumerate(grads, start=1):
        g = -grad if maximize else grad
        theta = theta - lr * weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        if amsgrad:
            v_max = max(v_max, v)
            v_hat = v_max / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(theta)
    return out


@pytest.mark.parametrize("kw", [{}, {"lr": 0.05, "weight_decay": 0.3}, {"lr": 0.05, "amsgrad": True},
                                {"lr": 0.02, "betas": (0.5, 0.8), "eps": 1e-3, "maximize": True},
                                {"lr": 0.05, "weight_decay": 0.0}])
def test_adamw_matches_torch_documented_algorithm(kw):
    rng = np.random.default_rng(len(str(kw)))
    shapes = [(3,), (2, 2), ()]
    params = [rng.normal(size=s) for s in shapes]
    grads = [[3 * 0.8**t * rng.normal(size=s) for s in shapes] for t in range(25)]
    ps = [p.copy() for p in params]
    opt = optim.AdamW(ps, **kw)
    traj = []
    for g in grads:
        opt.step(g)
        traj.append(np.concatenate([np.ravel(p) for p in ps]))
    theta0 = np.concatenate([np.ravel(p) for p in params])
    gs = np.array([np.concatenate([np.ravel(a) for a in g]) for g in grads])
    expected = np.array([ref_adamw(theta0[j], gs[:, j], **kw) for j in range(theta0.size)]).T
    np.testing.assert_allclose(np.array(traj), expected, rtol=TOL, atol=TOL)
    assert opt.defaults["weight_decay"] == kw.get("weight_decay", 1e-2)  # restored after every step


def test_adamw_defaults_and_differs_from_adam_l2():
    opt = optim.AdamW([np.zeros(2)])
    assert (opt.lr, opt.defaults["betas"], opt.defaults["eps"], opt.defaults["weight_decay"]) == \
        (1e-3, (0.9, 0.999), 1e-8, 1e-2)
    # zero weight decay: exactly Adam
    w1, w2 = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    a, b = optim.AdamW([w1], lr=0.1, weight_decay=0.0), optim.Adam([w2], lr=0.1)
    for g in ([0.3, 1.0], [0.1, -0.5]):
        a.step([np.array(g)])
        b.step([np.array(g)])
    np.testing.assert_array_equal(w1, w2)
    # zero gradient: AdamW shrinks by exactly (1 - lr*wd), Adam's L2 decay moves by about lr (a sign step)
    w1, w2 = np.array([5.0]), np.array([5.0])
    optim.AdamW([w1], lr=0.1, weight_decay=0.01).step([np.zeros(1)])
    optim.Adam([w2], lr=0.1, weight_decay=0.01).step([np.zeros(1)])
    assert w1[0] == pytest.approx(5.0 * (1 - 0.1 * 0.01), abs=TOL)
    assert w2[0] == pytest.approx(5.0 - 0.1, rel=1e-6)


# --------------------------------------------------------------------------------------------------- warm-up
def test_linear_lr_matches_torch_closed_form():
    for start, end, T in ((1 / 3, 1.0, 5), (0.1, 1.0, 10), (1.0, 0.2, 4)):
        opt = optim.SGD([np.zeros(1)], lr=0.5)
        sched = optim.LinearLR(opt, start_factor=start, end_factor=end, total_iters=T)
        lrs = [opt.lr]
        for _ in range(15):
            sched.step()
            lrs.append(sched.get_last_lr()[0])
        expected = [0.5 * (start + (end - start) * min(t, T) / T) for t in range(16)]
        np.testing.assert_allclose(lrs, expected, rtol=1e-15)
        # torch's recursive form: lr_t = lr_{t-1} * (1 + (e - s) / (T s + (t - 1)(e - s))) for 0 < t <= T
        for t in range(1, T + 1):
            factor = 1 + (end - start) / (T * start + (t - 1) * (end - start))
            assert lrs[t] == pytest.approx(lrs[t - 1] * factor)
    opt = optim.SGD([np.zeros(1)], lr=0.5)
    optim.LinearLR(opt)
    assert opt.lr == pytest.approx(0.5 / 3)  # torch's defaults: start_factor 1/3
    with pytest.raises(ValueError, match="start_factor"):
        optim.LinearLR(optim.SGD([np.zeros(1)], lr=0.5), start_factor=0.0)


def test_lambda_lr_warmup_then_cosine():
    W, T = 5, 20
    opt = optim.Adam([np.zeros(1)], lr=1e-2)
    sched = optim.LambdaLR(opt, lambda t: (t + 1) / W if t < W
                           else 0.5 * (1 + math.cos(math.pi * (t - W) / (T - W))))
    lrs = [opt.lr]
    for _ in range(T):
        sched.step()
        lrs.append(opt.lr)
    np.testing.assert_allclose(lrs[:W], 1e-2 * np.arange(1, W + 1) / W, rtol=1e-15)
    assert max(lrs) == pytest.approx(1e-2) and lrs[T] == pytest.approx(0, abs=1e-15)
    assert np.all(np.diff(lrs[:W]) > 0) and np.all(np.diff(lrs[W - 1:]) <= 0)


# ------------------------------------------------------------------------------------------- robust losses
def test_l1_and_huber_losses_follow_torch_formulas_and_finite_differences():
    rng = np.random.default_rng(0)
    pred, target = rng.normal(size=(6, 3)) * 3, rng.normal(size=(6, 3))
    r = pred - target
    loss, g = nn.l1_loss(pred, target)
    assert loss == pytest.approx(np.abs(r).mean()) and np.allclose(g, np.sign(r) / r.size)
    for delta in (0.5, 1.0, 4.0):
        loss, g = nn.huber_loss(pred, target, delta)
        # torch.nn.HuberLoss docs: 0.5 r^2 if |r| < delta else delta (|r| - 0.5 delta), mean over entries
        expected = np.mean(np.where(np.abs(r) < delta, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta)))
        assert loss == pytest.approx(expected, rel=1e-15)
        num = np.zeros_like(pred)
        for i in np.ndindex(pred.shape):  # centered finite differences
            e = np.zeros_like(pred)
            e[i] = 1e-6
            up, down = nn.huber_loss(pred + e, target, delta)[0], nn.huber_loss(pred - e, target, delta)[0]
            num[i] = (up - down) / 2e-6
        np.testing.assert_allclose(g, num, atol=1e-8)
        assert np.abs(g).max() <= delta / r.size + 1e-15  # bounded gradient
    # delta large: half the squared error; small residuals: the same
    assert nn.huber_loss(pred, target, 1e6)[0] == pytest.approx(0.5 * nn.mse_loss(pred, target)[0])
    assert nn.l1_loss(np.zeros(3), np.zeros(3))[1].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="delta"):
        nn.huber_loss(pred, target, 0.0)
