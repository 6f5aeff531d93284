"""coursekit.grading's hw3 checks (optimizers, mini-batches, schedules, training loops): correct alternatives
pass, each known mistake is named by its diagnoser, and the diagnosers stay silent on correct code.

Student code runs in a fresh namespace named ``__main__``, as in a notebook kernel. The correct versions are
written here independently of coursekit.optim, from PyTorch's documented update rules.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import coursekit.optim
from coursekit import grading
from coursekit.grading import cases, checks_hw3


def student(code: str) -> dict:
    """Run ``code`` as a notebook would and return its namespace."""
    ns = {"__name__": "__main__"}
    exec(compile("import math\nimport numpy as np\n" + textwrap.dedent(code), "<student cell>", "exec"), ns)  # noqa: S102
    return ns


def fails_with(check, fn, *phrases) -> str:
    """``check(fn)`` must raise AssertionError whose message holds every phrase."""
    with pytest.raises(AssertionError) as info:
        check(fn)
    message = str(info.value)
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in:\n{message}"
    return message


def likely(message: str) -> str:
    """The 'Likely mistake' of a failure message, its wrapped lines joined ('' when there is none)."""
    text = " ".join(line.strip() for line in message.splitlines())
    return text.split(grading.MESSAGE_HINT, 1)[1] if grading.MESSAGE_HINT in text else ""


# ------------------------------------------------------------------------------------------------------------
# SGD with momentum and Nesterov (torch.optim.SGD's form)
# ------------------------------------------------------------------------------------------------------------

SGD = """
class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params, self.lr, self.mu, self.tau, self.nesterov = params, lr, momentum, dampening, nesterov
        self.buf = [None] * len(params)

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            d = g
            if self.mu:
                FIRST_AND_LATER
                d = NESTEROV
            UPDATE
"""
SGD_PARTS = {
    "FIRST_AND_LATER": "self.buf[i] = g.copy() if self.buf[i] is None else self.mu * self.buf[i] "
                       "+ (1 - self.tau) * g",
    "NESTEROV": "g + self.mu * self.buf[i] if self.nesterov else self.buf[i]",
    "UPDATE": "p -= self.lr * d",
}


def sgd(**changes) -> type:
    code = SGD
    for key, value in {**SGD_PARTS, **changes}.items():
        code = code.replace(key, value)
    return student(code)["SGD"]


SGD_LOOPS = """
class SGD:
    # a dict of states, explicit loops over the entries, p[...] = ... instead of -=
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.hyper = dict(momentum=momentum, dampening=dampening, nesterov=nesterov)
        self.state = {}

    def step(self, grads):
        mu, tau = self.hyper["momentum"], self.hyper["dampening"]
        for k in range(len(self.params)):
            p, g = self.params[k], np.asarray(grads[k], dtype=float)
            if mu > 0:
                if k not in self.state:
                    b = np.empty(g.shape)
                    for j in np.ndindex(g.shape):
                        b[j] = g[j]
                else:
                    b = np.empty(g.shape)
                    for j in np.ndindex(g.shape):
                        b[j] = mu * self.state[k][j] + (1 - tau) * g[j]
                self.state[k] = b
                g = g + mu * b if self.hyper["nesterov"] else b
            p[...] = p - self.lr * g
"""


def test_sgd_checks_accept_correct_classes():
    for cls in (sgd(), student(SGD_LOOPS)["SGD"]):
        assert grading.check_sgd(cls)
        assert grading.check_momentum(cls)
        assert grading.check_nesterov(cls)


@pytest.mark.parametrize("changes, check, phrase", [
    ({"UPDATE": "p += self.lr * d"}, grading.check_sgd, "move uphill"),
    ({"UPDATE": "p = p - self.lr * d"}, grading.check_sgd, "did not move: update them in place"),
    ({"UPDATE": "self.params[i] = p - self.lr * d"}, grading.check_sgd, "did not move"),
    ({"UPDATE": "p -= 1e-3 * d"}, grading.check_sgd, None),  # the default lr hard-coded: no diagnosis
    ({"FIRST_AND_LATER": "self.buf[i] = (0 if self.buf[i] is None else self.mu * self.buf[i]) "
                         "+ (1 - self.tau) * g"}, grading.check_momentum, "initialized at zero"),
    ({"FIRST_AND_LATER": "self.buf[i] = g.copy() if self.buf[i] is None else self.mu * self.buf[i] + g"},
     grading.check_momentum, "dampening seems to be ignored"),
    ({"NESTEROV": "g + self.mu * self.buf[i]"}, grading.check_momentum, "is the Nesterov step"),
    ({"NESTEROV": "self.buf[i]"}, grading.check_nesterov, "Nesterov looks like plain momentum"),
    ({"NESTEROV": "g"}, grading.check_momentum, "momentum buffer is not used"),
    ({"FIRST_AND_LATER": "self.buf[i] = self.lr * g if self.buf[i] is None else self.mu * self.buf[i] "
                         "+ (1 - self.tau) * self.lr * g",
      "UPDATE": "p -= d if self.mu else self.lr * d",
      "NESTEROV": "self.lr * g + self.mu * self.buf[i] if self.nesterov else self.buf[i]"},
     grading.check_momentum, "inside the momentum buffer"),
])
def test_sgd_mistakes_are_named(changes, check, phrase):
    message = fails_with(check, sgd(**changes))
    if phrase is None:
        assert likely(message) == "", message
    else:
        assert phrase in likely(message), message


def test_a_cached_learning_rate_is_named_and_costs_only_the_lr_change_inputs():
    cls = student(SGD.replace("self.buf = [None]", "self.lr0 = lr\n        self.buf = [None]")
                  .replace("FIRST_AND_LATER", SGD_PARTS["FIRST_AND_LATER"])
                  .replace("NESTEROV", SGD_PARTS["NESTEROV"]).replace("UPDATE", "p -= self.lr0 * d"))["SGD"]
    message = fails_with(grading.check_sgd, cls, "2 of 6 checks failed (opt.lr set to", "opt.lr set to 0.3")
    assert "changes nothing" in likely(message)


def test_the_nesterov_variant_is_not_reported_for_momentum_with_dampening():
    # with dampening the torch Nesterov form is undefined: the variant is skipped, the buffer mistake is found
    wrong = sgd(FIRST_AND_LATER="self.buf[i] = (0 if self.buf[i] is None else self.mu * self.buf[i]) "
                                "+ (1 - self.tau) * g")
    assert grading.check_nesterov(wrong)  # dampening 0 there: a zero start is the same
    assert grading.check_sgd(wrong)


def test_modifying_the_gradients_is_reported():
    cls = sgd(UPDATE="d *= self.lr\n            p -= d")
    fails_with(grading.check_sgd, cls, "changed the gradient arrays it was given")


# ------------------------------------------------------------------------------------------------------------
# RMSprop and Adam
# ------------------------------------------------------------------------------------------------------------

RMSPROP = """
class RMSprop:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        self.params, self.lr, self.alpha, self.eps = params, lr, alpha, eps
        self.v = [np.zeros(p.shape) for p in params]

    def step(self, grads):
        for p, g, v in zip(self.params, grads, self.v):
            AVERAGE
            p -= self.lr * g / DENOMINATOR
"""


def rmsprop(average="v += (1 - self.alpha) * (g * g - v)", denominator="(np.sqrt(v) + self.eps)") -> type:
    return student(RMSPROP.replace("AVERAGE", average).replace("DENOMINATOR", denominator))["RMSprop"]


def test_rmsprop_check_accepts_correct_formulations():
    assert grading.check_rmsprop(rmsprop())
    assert grading.check_rmsprop(rmsprop("v[...] = self.alpha * v + (1 - self.alpha) * g ** 2",
                                         "(np.sqrt(v) + self.eps)"))
    assert grading.check_rmsprop(rmsprop(denominator="(np.hypot(np.sqrt(v), 0.0) + self.eps)"))


@pytest.mark.parametrize("average, denominator, phrase", [
    (None, "np.sqrt(v + self.eps)", "eps seems to be inside the square root"),
    ("v[...] = (1 - self.alpha) * v + self.alpha * g * g", None, "alpha looks swapped"),
    (None, "np.sqrt(v)", "division by zero (0 / 0)"),
])
def test_rmsprop_mistakes_are_named(average, denominator, phrase):
    kw = {k: v for k, v in [("average", average), ("denominator", denominator)] if v is not None}
    message = fails_with(grading.check_rmsprop, rmsprop(**kw))
    assert phrase in likely(message), message


def test_eps_inside_the_square_root_does_not_matter_for_large_gradients():
    # with every |g| >= 10 the difference is far below the tolerance; with |g| ~ 1e-6 the steps differ
    # 1000-fold: hence the check's input of tiny gradients
    inside = rmsprop(denominator="np.sqrt(v + self.eps)")
    steps = checks_hw3._hw3_steps(np.random.default_rng(0), 6)
    for size, same in [(10.0, True), (1e-6, False)]:
        grads = [[size * np.sign(g) * (1 + np.abs(g)) for g in gs] for gs in steps.grads]
        run = checks_hw3._Steps(steps.params0, grads)
        a = checks_hw3._hw3_run(inside, {"lr": 0.01}, run, 0.01)
        b = checks_hw3._hw3_run(coursekit.optim.RMSprop, {"lr": 0.01}, run, 0.01)
        assert (cases._mismatch(a, b, grading.RTOL, grading.ATOL) is None) == same
    message = fails_with(grading.check_rmsprop, inside)
    assert "inside the square root" in likely(message)


ADAM = """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.eps = params, lr, eps
        self.b1, self.b2 = betas
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        COUNT
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.b1 * m + (1 - self.b1) * g
            v[...] = self.b2 * v + (1 - self.b2) * g * g
            m_hat, v_hat = CORRECTION
            p -= self.lr * m_hat / DENOMINATOR
"""
ADAM_PARTS = {"COUNT": "self.t += 1",
              "CORRECTION": "m / (1 - self.b1 ** self.t), v / (1 - self.b2 ** self.t)",
              "DENOMINATOR": "(np.sqrt(v_hat) + self.eps)"}


def adam(**changes) -> type:
    code = ADAM
    for key, value in {**ADAM_PARTS, **changes}.items():
        code = code.replace(key, value)
    return student(code)["Adam"]


ADAM_PAPER = """
class Adam:
    # the "efficient" ordering of Kingma & Ba: a step size with both corrections, and eps scaled to match
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.state = [(np.zeros(p.shape), np.zeros(p.shape)) for p in params]

    def step(self, grads):
        b1, b2 = self.betas
        self.t += 1
        step = self.lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for p, g, (m, v) in zip(self.params, grads, self.state):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * np.square(g)
            p -= step * m / (np.sqrt(v) + EPS)
"""


def test_adam_check_accepts_correct_formulations():
    assert grading.check_adam(adam())
    scaled = ADAM_PAPER.replace("EPS", "self.eps * math.sqrt(1 - b2 ** self.t)")
    assert grading.check_adam(student(scaled)["Adam"])


def test_adam_with_the_corrections_in_the_step_size_and_eps_unscaled_is_named():
    message = fails_with(grading.check_adam, student(ADAM_PAPER.replace("EPS", "self.eps"))["Adam"],
                         "checks failed (small gradients (|g| ~ 1e-3); small gradients (|g| ~ 1e-4)")
    assert "eps left unscaled" in likely(message), message


@pytest.mark.parametrize("changes, phrase", [
    ({"CORRECTION": "m, v"}, "Adam bias correction missing"),
    ({"CORRECTION": "m / (1 - self.b1 ** self.t), v"}, "only the first moment is bias-corrected"),
    ({"CORRECTION": "m, v / (1 - self.b2 ** self.t)"}, "only the second moment is bias-corrected"),
    ({"CORRECTION": "m / (1 - self.b1 ** (self.t + 1)), v / (1 - self.b2 ** (self.t + 1))"},
     "wrong step count"),
    ({"COUNT": "t = self.t\n        self.t += 1",
      "CORRECTION": "m / (1 - self.b1 ** t), v / (1 - self.b2 ** t)"}, "starts at 0"),
    ({"DENOMINATOR": "np.sqrt(v_hat + self.eps)"}, "eps seems to be inside the square root"),
    ({"DENOMINATOR": "np.sqrt(v_hat)"}, "division by zero (0 / 0)"),
    ({"CORRECTION": "m / (1 - self.b2 ** self.t), v / (1 - self.b1 ** self.t)"}, None),
])
def test_adam_mistakes_are_named(changes, phrase):
    message = fails_with(grading.check_adam, adam(**changes))
    if phrase is not None:
        assert phrase in likely(message), message


def test_swapped_betas_are_named():
    code = ADAM.replace("self.b1, self.b2 = betas", "self.b2, self.b1 = betas")
    for key, value in ADAM_PARTS.items():
        code = code.replace(key, value)
    message = fails_with(grading.check_adam, student(code)["Adam"])
    assert "beta1 and beta2 look swapped" in likely(message), message


def test_not_in_place_is_named_for_adam():
    code = ADAM.replace("for p, g, m, v in zip(self.params, grads, self.m, self.v):",
                        "for i, (p, g, m, v) in enumerate(zip(self.params, grads, self.m, self.v)):")
    code = code.replace("p -= self.lr * m_hat / DENOMINATOR",
                        "self.params[i] = p - self.lr * m_hat / DENOMINATOR")
    for key, value in ADAM_PARTS.items():
        code = code.replace(key, value)
    message = fails_with(grading.check_adam, student(code)["Adam"])
    assert "did not move: update them in place" in likely(message)


# ------------------------------------------------------------------------------------------------------------
# minibatches
# ------------------------------------------------------------------------------------------------------------

MINIBATCHES_OK = {
    "slices of a permutation": """
def minibatches(n_samples, batch_size, rng=None):
    order = np.random.default_rng(rng).permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]
""",
    "a generator over np.array_split, shuffled in place": """
def minibatches(n_samples, batch_size, rng=None):
    rng = np.random.default_rng(rng)
    order = np.arange(n_samples)
    rng.shuffle(order)
    yield from np.array_split(order, range(batch_size, n_samples, batch_size))
""",
    "rng.choice without replacement": """
def minibatches(n_samples, batch_size, rng=None):
    order = np.random.default_rng(rng).choice(n_samples, size=n_samples, replace=False)
    batches = []
    while len(order):
        batches.append(order[:batch_size])
        order = order[batch_size:]
    return batches
""",
}


@pytest.mark.parametrize("name", MINIBATCHES_OK)
def test_check_minibatches_accepts_any_shuffle(name):
    assert grading.check_minibatches(student(MINIBATCHES_OK[name])["minibatches"])


SLICES = "    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]"


@pytest.mark.parametrize("body, phrase", [
    ("rng = np.random.default_rng(rng)\n"
     "    return [rng.integers(0, n_samples, size=min(batch_size, n_samples - i))\n"
     "            for i in range(0, n_samples, batch_size)]", "sampling with replacement"),
    ("order = np.random.default_rng(rng).permutation(n_samples)\n"
     "    return [order[i * batch_size:(i + 1) * batch_size] for i in range(n_samples // batch_size)]",
     "the last, smaller batch is missing"),
    ("order = np.random.default_rng(rng).permutation(n_samples)\n"
     "    return np.array_split(order, max(1, n_samples // batch_size))", "exactly batch_size indices"),
    ("order = np.random.permutation(n_samples)\n" + SLICES, "not reproducible"),
    ("order = np.arange(n_samples)\n" + SLICES, "not shuffled"),
    ("order = np.random.default_rng(42).permutation(n_samples)\n" + SLICES, "does not depend on rng"),
    ("order = rng.permutation(n_samples)\n" + SLICES, "convert it first"),
    ("seed = rng if isinstance(rng, int) else 0\n"
     "    order = np.random.default_rng(seed).permutation(n_samples)\n" + SLICES, "same Generator"),
])
def test_check_minibatches_names_the_mistake(body, phrase):
    fn = student(f"def minibatches(n_samples, batch_size, rng=None):\n    {body}\n")["minibatches"]
    message = fails_with(grading.check_minibatches, fn)
    assert phrase in likely(message), message


def test_minibatches_of_floats_are_refused():
    fn = student("def minibatches(n, b, rng=None):\n    o = np.random.default_rng(rng).permutation(n) * 1.0\n"
                 "    return [o[i:i + b] for i in range(0, n, b)]")["minibatches"]
    fails_with(grading.check_minibatches, fn, "integer indices")


# ------------------------------------------------------------------------------------------------------------
# schedule_lr
# ------------------------------------------------------------------------------------------------------------

SCHEDULE = """
def schedule_lr(name, lr0, t, step_size=None, gamma=0.1, decay=None, T_max=None, eta_min=0.0):
    T = TIME
    if name == "constant":
        return lr0
    if name == "step":
        return lr0 * gamma ** STEP
    if name == "exponential":
        return lr0 * gamma ** T
    if name == "inverse_time":
        return lr0 / (1 + decay * T)
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * T / T_max)) / 2
"""


def schedule(time="t", step="(T // step_size)"):
    return student(SCHEDULE.replace("TIME", time).replace("STEP", step))["schedule_lr"]


def test_check_schedule_lr_accepts_explicit_keywords_and_math():
    assert grading.check_schedule_lr(schedule())
    assert grading.check_schedule_lr(schedule(step="math.floor(T / step_size)"))


@pytest.mark.parametrize("time, step, phrase", [
    ("t + 1", "(T // step_size)", "use t, not t + 1"),
    ("t - 1", "(T // step_size)", "use t, not t - 1"),
    ("t", "(T / step_size)", "integer division"),
])
def test_check_schedule_lr_names_the_mistake(time, step, phrase):
    message = fails_with(grading.check_schedule_lr, schedule(time, step))
    assert phrase in likely(message), message


# ------------------------------------------------------------------------------------------------------------
# The training loops
# ------------------------------------------------------------------------------------------------------------

MINIMIZE = """
def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = START
    opt = optimizer_cls([w], **hyper)
    path = [w.copy()]
    for t in range(n_steps):
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.step([grad(w)])
        RECORD
    return np.array(path)
"""


def minimize(start="np.array(w0, dtype=float)", record="path.append(w.copy())"):
    return student(MINIMIZE.replace("START", start).replace("RECORD", record))["minimize"]


def test_check_minimize_accepts_a_preallocated_path():
    assert grading.check_minimize(minimize())
    other = student("""
def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.asarray(w0, dtype=float).copy()
    path = np.empty((n_steps + 1, w.size))
    path[0] = w
    opt = optimizer_cls([w], **hyper)
    for t in range(1, n_steps + 1):
        if lr_at:
            opt.lr = lr_at(t - 1)
        opt.step([grad(w)])
        path[t] = w
    return path
""")["minimize"]
    assert grading.check_minimize(other)


@pytest.mark.parametrize("start, record, phrase", [
    (None, "path.append(w)", "append a copy"),
    ("np.asarray(w0, dtype=float)", None, "modifies its input arrays in place"),
    (None, "path.append(w.copy())\n    path = path[1:] if t == n_steps - 1 else path", None),
])
def test_check_minimize_names_the_mistake(start, record, phrase):
    kw = {k: v for k, v in [("start", start), ("record", record)] if v is not None}
    message = fails_with(grading.check_minimize, minimize(**kw))
    if phrase is not None:
        assert phrase in message, message


def test_check_minimize_names_a_missing_start_point():
    code = MINIMIZE.replace("START", "np.array(w0, dtype=float)").replace("RECORD", "path.append(w.copy())")
    fn = student(code.replace("path = [w.copy()]", "path = []"))["minimize"]
    message = fails_with(grading.check_minimize, fn)
    assert "n_steps + 1 points" in likely(message), message


def test_check_minimize_hands_a_working_optimizer_to_the_loop():
    # the loop may build the optimizer, step it and set its lr
    assert grading.check_minimize(minimize())


FIT = """
ALPHA = 1e-3

def objective(w, b, X, y):
    raise RuntimeError("replaced by a correct one during the check")

def objective_grad(w, b, X, y):
    raise RuntimeError("replaced by a correct one during the check")

def minibatches(n, batch_size, rng=None):
    raise RuntimeError("replaced by a correct one during the check")

def fit_logistic(X, y, optimizer_cls, batch_size, epochs, rng=None, lr_at=None, **hyper):
    RNG
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = [objective(w, b, X, y)]
    for epoch in range(epochs):
        if lr_at is not None:
            opt.lr = lr_at(epoch)
        for idx in minibatches(len(y), batch_size, rng):
            gw, gb = objective_grad(w, b, X[idx], y[idx])
            opt.step([gw, gb])
        losses.append(objective(w, b, X, y))
    return RESULT
"""


def fit(rng="rng = np.random.default_rng(rng)", result="w, b, losses"):
    return student(FIT.replace("RNG", rng).replace("RESULT", result))["fit_logistic"]


def test_check_fit_logistic_uses_correct_helpers_and_accepts_a_float_intercept():
    assert grading.check_fit_logistic(fit())
    assert grading.check_fit_logistic(fit(result="w, float(b[0]), np.array(losses)"))


@pytest.mark.parametrize("rng, result, phrase", [
    ("pass", None, "visits the same batches in the same order"),
    (None, "w, b, losses[1:]", "epochs + 1 values"),
])
def test_check_fit_logistic_names_the_mistake(rng, result, phrase):
    kw = {k: v for k, v in [("rng", rng), ("result", result)] if v is not None}
    message = fails_with(grading.check_fit_logistic, fit(**kw))
    assert phrase in likely(message), message


def test_every_hw3_mistake_has_a_hint_and_a_way_to_be_recognised():
    for part, mistakes in checks_hw3.MISTAKES.items():
        for mistake in mistakes:
            assert mistake.hint and (mistake.variant or mistake.detect), f"{part}/{mistake.name}"
