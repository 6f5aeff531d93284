"""The exercise solutions of the chapters, checked by running them.

Each test finds a number (or a short claim) in the text of a chapter's solution, so that it fails when the
text changes, and recomputes it with the course library — the reference functions the solutions name.
Solutions that need a chapter's data (the loans, the reviews) are checked by hidden cells of the chapter
itself, at build time; the ones here need only small inputs, so they run in a second without building the
site.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from coursekit import boosting, linear, nn, optim, regularization, trees

ROOT = Path(__file__).resolve().parent.parent


def _solutions(chapter: str) -> str:
    """The text of a chapter's exercises (solutions included), with its whitespace normalized."""
    text = (ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")
    start = text.index("## Exercises")
    end = text.index("## Summary", start)
    return " ".join(text[start:end].split())


def _claimed(chapter: str, pattern: str) -> list[float]:
    """The numbers that the solution text states where ``pattern`` (a regex with groups) matches."""
    match = re.search(pattern, _solutions(chapter))
    assert match, f"{chapter}: the solution no longer says {pattern!r}; update this test with the new claim"
    return [float(g) for g in match.groups()]


def _close(claimed: float, computed: float, digits: int) -> None:
    """The text rounds to ``digits`` decimals: the computed value must round to the same number."""
    assert abs(claimed - computed) <= 0.5 * 10.0**-digits + 1e-12, (
        f"the text says {claimed}, it is {computed}")


# ------------------------------------------------------------------ chapter 1: classification

def test_classification_odds_factor() -> None:
    factor, p_low, p_high = _claimed(
        "classification", r"multiplied by \$e\^\{0\.75\} \\approx ([\d.]+)\$.*?"
                          r"i\.e\. \$p \\approx ([\d.]+)\$; "
                          r"from \$p = 0\.5\$ they become \$[\d.]+\$, i\.e\. \$p \\approx ([\d.]+)\$")
    _close(factor, np.exp(3 * 0.25), 2)
    odds = lambda p: p / (1 - p)  # noqa: E731
    prob = lambda o: o / (1 + o)  # noqa: E731
    _close(p_low, prob(odds(0.05) * np.exp(0.75)), 2)
    _close(p_high, prob(odds(0.5) * np.exp(0.75)), 2)


def test_classification_gradient_by_hand() -> None:
    ll0, grad, w1, p1, p2, ll1 = _claimed(
        "classification",
        r"\\ell\(0\) = 2\\log\\tfrac12 \\approx (-[\d.]+)\$.*?= (-[\d.]+)\$\. The step on the mean gives "
        r"\$w_1 = 0 \+ 1\\cdot\(-0\.5/2\) = (-[\d.]+)\$.*?\$p = \(([\d.]+), ([\d.]+)\)\$.*?= (-[\d.]+) > ")
    X, y = np.array([[1.0], [-2.0]]), np.array([1, 1])
    _close(ll0, linear.log_likelihood(np.zeros(1), 0.0, X, y), 3)
    gw, _ = linear.log_likelihood_grad(np.zeros(1), 0.0, X, y)
    _close(grad, gw[0], 1)
    w = np.zeros(1) + 1.0 * gw / len(y)  # one step of ascent on the mean log-likelihood
    _close(w1, w[0], 2)
    p = linear.predict_proba(X, w, 0.0)
    _close(p1, p[0], 3)
    _close(p2, p[1], 3)
    _close(ll1, linear.log_likelihood(w, 0.0, X, y), 3)
    assert ll1 > ll0, "the step increased the log-likelihood"


def test_classification_shifted_softmax() -> None:
    probs = _claimed("classification", r"\(-1, 0, -2\)\$ give \$\(([\d.]+), ([\d.]+), ([\d.]+)\)\$")
    scores = np.array([1000.0, 1001.0, 999.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(scores) / np.exp(scores).sum()
    assert np.all(np.isnan(naive)), "unshifted, np.exp overflows and the softmax is nan"
    for claimed, computed in zip(probs, linear.softmax(scores), strict=True):
        _close(claimed, computed, 3)


# ------------------------------------------------------------------ chapter 2: overfitting

def test_overfitting_smallest_separable_problem() -> None:
    w_star, prob = _claimed("overfitting",
                            r"it is \$w\^\\ast \\approx ([\d.]+)\$.*?\\approx ([\d.]+)\$ for their label")
    from scipy.optimize import brentq

    alpha = 0.01
    X, y = np.array([[-1.0], [1.0]]), np.array([0, 1])
    w = brentq(lambda w: alpha * w - 1 / (1 + np.exp(w)), 0, 20)  # the solution's own computation
    _close(w_star, w, 2)
    grad_w, _ = linear.logistic_loss_grad(np.array([w]), 0.0, X, y, alpha=alpha)  # J'(w*) = 0
    assert abs(grad_w[0]) < 1e-9, "w* is where the penalized loss is flat"
    _close(prob, linear.sigmoid(w_star), 3)


def test_overfitting_winners_curse() -> None:
    (expected_min,) = _claimed("overfitting", r"The minimum averages about ([\d.]+) although")
    rng = np.random.default_rng(0)
    val_errors = rng.binomial(240, 0.2, size=(100_000, 12)) / 240
    _close(expected_min, val_errors.min(axis=1).mean(), 3)
    (sds,) = _claimed("overfitting", r"about ([\d.]+) standard deviations of a single estimate")
    _close(sds, (0.2 - val_errors.min(axis=1).mean()) / np.sqrt(0.2 * 0.8 / 240), 1)


# ------------------------------------------------------------------ chapter 3: regularization

def test_regularization_thresholds_by_hand() -> None:
    text = _solutions("regularization")
    v = np.array([1.2, -0.3, -2.0, 0.5])

    def vector(pattern: str) -> np.ndarray:
        match = re.search(pattern, text)
        assert match, pattern
        return np.array([float(x) for x in match.group(1).split(",")])

    np.testing.assert_allclose(vector(r"\$S_\{0\.5\}\(v\) = \(([-\d., ]+)\)\$"),
                               regularization.soft_threshold(v, 0.5), atol=5e-4)
    ridge = regularization.prox_elastic_net(v, step=1.0, alpha=0.5, l1_ratio=0.0)
    np.testing.assert_allclose(vector(r"Ridge: \$v / 1\.5 = \(([-\d., ]+)\)\$"), ridge, atol=5e-4)
    enet = regularization.prox_elastic_net(v, step=1.0, alpha=1.0, l1_ratio=0.5)
    np.testing.assert_allclose(vector(r"S_\{0\.5\}\(v\)/1\.5 = \(([-\d., ]+)\)\$"), enet, atol=5e-4)


def test_regularization_half_life_of_weight_decay() -> None:
    k1, k2 = _claimed("regularization", r"\\approx (\d+)\$ steps\. With \$\\alpha = 0\.1\$ the factor "
                                        r"is \$0\.99\$ and \$k \\approx (\d+)\$")
    for claimed, alpha in ((k1, 0.01), (k2, 0.1)):
        w, steps = 1.0, 0
        sgd_w = np.array([1.0])
        opt = optim.SGD([sgd_w], lr=0.1, weight_decay=alpha)
        while w > 0.5:  # the update of a word that never occurs: the loss gradient is zero
            sgd_w_grad = [np.zeros(1)]
            opt.step(sgd_w_grad)
            w, steps = sgd_w[0], steps + 1
        assert abs(steps - claimed) <= 1, f"the text says {claimed} steps, it takes {steps}"


# ------------------------------------------------------------------ chapter 4: trees and boosting

def test_trees_impurities_by_hand() -> None:
    # the solution's arithmetic: 1 - 0.75^2 - 0.25^2 for the node, 20/40 * 0 + 20/40 * 1/2 for split A
    assert "$H_{\\text{Gini}} = 1 - 0.75^2 - 0.25^2 =$" in _solutions("trees")
    assert np.isclose(trees.gini([30, 10]), 1 - 0.75**2 - 0.25**2)
    assert np.isclose(trees.weighted_impurity([20, 0], [10, 10]), 20 / 40 * 0 + 20 / 40 * 0.5)
    assert np.isclose(trees.weighted_impurity([15, 5], [15, 5]), trees.gini([30, 10]))  # split B: no gain


def test_trees_one_round_of_adaboost() -> None:
    wrong_each, right_each, total = _claimed(
        "trees", r"\$0\.1 \\cdot 4 = ([\d.]+)\$ each against \$([\d.]+)\$ for the eight others, "
                 r"total \$0\.8 \+ 0\.8 = ([\d.]+)\$")
    alpha = boosting.adaboost_alpha(0.2)
    grown = np.full(10, 0.1) * np.where(np.arange(10) < 2, np.exp(alpha), 1.0)  # before normalizing
    _close(wrong_each, grown[0], 1)
    _close(right_each, grown[-1], 1)
    _close(total, grown.sum(), 1)
    new = boosting.update_weights(np.full(10, 0.1), np.arange(10) < 2, alpha)
    assert np.isclose(boosting.weighted_error(np.arange(10) < 2, new), 0.5)   # "exactly 1/2"


def test_trees_rounds_needed_by_the_bound() -> None:
    (rounds,) = _claimed("trees", r"T \\ge \\frac\{\\ln 100\}\{0\.02\} \\approx ([\d.]+)\$")
    _close(rounds, np.log(100) / (2 * 0.1**2), 1)
    (base,) = _claimed("trees", r"\\big\)\^T = ([\d.]+)\^\{T/2\}")
    _close(base, 1 - 4 * 0.1**2, 2)


# ------------------------------------------------------------------ chapter 5: optimization

def test_optimization_steps_on_the_ravine() -> None:
    best_steps, heavy_steps = _claimed("optimization",
                                       r"\\approx (\d+)\$ steps\. Heavy ball.*?\\approx (\d+)\$ steps")
    kappa = 25.0
    gd = (kappa - 1) / (kappa + 1)
    hb = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    assert abs(np.log(1e6) / -np.log(gd) - best_steps) < 1
    assert abs(np.log(1e6) / -np.log(hb) - heavy_steps) < 1
    threshold, best_lr, contraction = _claimed(
        "optimization", r"2/\\lambda_\{\\max\} = ([\d.]+)\$.*?\\approx ([\d.]+)\$, with contraction "
                        r"\$\(\\kappa-1\)/\(\\kappa\+1\) = 24/26 \\approx ([\d.]+)\$")
    _close(threshold, 2 / kappa, 2)
    _close(best_lr, 2 / (1 + kappa), 3)
    _close(contraction, gd, 3)
    assert "five times fewer" in _solutions("optimization") and round(best_steps / heavy_steps) == 5


def test_optimization_adam_without_bias_correction() -> None:
    step1, step10, peak, peak_t = _claimed(
        "optimization", r"at \$t = 1\$, \$0\.1/\\sqrt\{0\.001\} \\approx ([\d.]+)\\,\\eta\$; at \$t = 10\$, "
                        r"\$[\d.]+/\\sqrt\{[\d.]+\} \\approx ([\d.]+)\\,\\eta\$\. "
                        r"It peaks at about \$([\d.]+)\\,\\eta\$ around \$t = (\d+)\$")
    lr, g, steps = 1.0, 0.5, []
    w = np.array([0.0])
    adam = optim.Adam([w], lr=lr, betas=(0.9, 0.999), eps=0.0)
    m = v = 0.0
    for _ in range(59):  # Adam's own moments, without the bias correction
        before = w.copy()
        adam.step([np.array([g])])
        assert abs(abs(w[0] - before[0]) - lr) < 1e-9, "with the correction every step has size lr"
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        steps.append(lr * m / np.sqrt(v))
    _close(step1, steps[0], 1)
    _close(step10, steps[9], 1)
    _close(peak, max(steps), 1)
    assert int(np.argmax(steps)) + 1 == peak_t
    # "comes back to eta only after a few thousand steps": within 1 % of it from step 3,925 on
    t = np.arange(1, 20001)
    uncorrected = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    assert "only after a few thousand steps" in _solutions("optimization")
    assert 2000 < t[np.argmax(uncorrected < 1.01)] < 10000
    (step1_slow,) = _claimed("optimization",
                             r"\(\$0\.1/\\sqrt\{0\.0001\} = ([\d.]+)\\,\\eta\$ at \$t = 1\$\)")
    _close(step1_slow, 0.1 / np.sqrt(1 - 0.9999), 0)


# ------------------------------------------------------------------ chapter 6: gradients

def test_gradients_sigmoid_bound_of_ten_layers() -> None:
    small, large = _claimed("gradients", r"at most \$2\^\{-9\} \\approx ([\d.]+)\$.*?\$2\^9 = (\d+)\$")
    u = np.linspace(-10, 10, 20001)
    _, d_sigmoid = nn.activation("sigmoid")
    _, d_tanh = nn.activation("tanh")
    assert d_sigmoid(u).max() == pytest.approx(0.25) and d_tanh(u).max() == pytest.approx(1.0)
    factor = 2 * d_sigmoid(u).max()  # spectral norm 2 times the sigmoid's largest derivative, per Jacobian
    _close(small, factor**9, 3)  # nine Jacobians between the first and the tenth layer
    assert large == 2.0**9


def test_gradients_clipping_by_hand() -> None:
    norm, scale = _claimed("gradients",
                           r"N = \\sqrt\{36 \+ 64 \+ 0\.25\} \\approx ([\d.]+)\$.*?\\approx ([\d.]+)\$")
    by_value = [np.array([6.0, -8.0]), np.array([0.5])]
    optim.clip_grad_value_(by_value, 1.0)
    assert [g.tolist() for g in by_value] == [[1.0, -1.0], [0.5]]
    by_norm = [np.array([6.0, -8.0]), np.array([0.5])]
    returned = optim.clip_grad_norm_(by_norm, 5.0)
    _close(norm, returned, 3)
    _close(scale, by_norm[0][0] / 6.0, 4)
    clipped = np.concatenate(by_norm)
    g1, g2, g3 = _claimed("gradients", r"giving \$\(([\d.]+), (-[\d.]+)\)\$ and \$\(([\d.]+),\)\$")
    for claimed, computed in zip((g1, g2, g3), clipped, strict=True):
        _close(claimed, computed, 3)
    original = np.array([6.0, -8.0, 0.5])
    assert np.allclose(clipped / np.linalg.norm(clipped), original / np.linalg.norm(original))


def test_gradients_linear_rnn_shrinks_by_s_per_step() -> None:
    (steps,) = _claimed("gradients", r"\\ln\(1/0\.9\) \\approx (\d+)\$ steps")
    rnn = nn.RNN(3, 16, 1, activation="identity", init_scale=0.9, rng=0)
    _, d = nn.mse_loss(rnn.forward(np.random.default_rng(0).normal(size=(1, 200, 3))), np.zeros((1, 1)))
    rnn.backward(d)
    r = np.asarray(rnn.hidden_grad_norms())
    np.testing.assert_allclose(r[:-1] / r[1:], 0.9, rtol=1e-9)
    assert abs(np.log(1e6) / np.log(1 / 0.9) - steps) < 1
    assert r[-1 - int(steps)] / r[-1] == pytest.approx(1e-6, rel=0.1)
    assert "for a batch the Frobenius norm over sequences gives the same ratio" in _solutions("gradients")
    batch = nn.RNN(3, 16, 1, activation="identity", init_scale=0.9, rng=0)
    _, d = nn.mse_loss(batch.forward(np.random.default_rng(0).normal(size=(8, 200, 3))), np.zeros((8, 1)))
    batch.backward(d)
    r = np.asarray(batch.hidden_grad_norms())
    np.testing.assert_allclose(r[:-1] / r[1:], 0.9, rtol=1e-9)
