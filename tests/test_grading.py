"""coursekit.grading: the checks accept correct alternatives, the diagnosers name known mistakes, the shortcut
guard catches calls into the reference, and failures say what went wrong.

Student code is executed in a fresh namespace named ``__main__``, as in a notebook kernel.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from coursekit import grading


def student(code: str) -> dict:
    """Run ``code`` as a notebook would and return its namespace."""
    ns = {"__name__": "__main__"}
    exec(compile(textwrap.dedent(code), "<student cell>", "exec"), ns)  # noqa: S102 - test input
    return ns


PRELUDE = "import math\nimport numpy as np\n"


def fails_with(check, fn, *phrases, **kw) -> str:
    """Run ``check(fn)``; it must raise AssertionError whose message holds every phrase."""
    with pytest.raises(AssertionError) as info:
        check(fn, **kw)
    message = str(info.value)
    flat = " ".join(message.split())  # long lines are wrapped
    for phrase in phrases:
        assert phrase in flat, f"{phrase!r} not in:\n{message}"
    return message


# ------------------------------------------------------------------------------------------------------------
# hw1 checks: correct alternatives pass, each known mistake is named
# ------------------------------------------------------------------------------------------------------------

SIGMOIDS_OK = {
    "exp(-|z|) with np.where": "def f(z):\n    z = np.asarray(z)\n    e = np.exp(-np.abs(z))\n"
                               "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))",
    "tanh": "def f(z):\n    return 0.5 * (1 + np.tanh(np.asarray(z) / 2))",
    "logaddexp": "def f(z):\n    return np.exp(-np.logaddexp(0, -np.asarray(z)))",
    "masks": "def f(z):\n    z = np.asarray(z, dtype=float)\n    out = np.empty_like(z)\n    pos = z >= 0\n"
             "    out[pos] = 1 / (1 + np.exp(-z[pos]))\n    e = np.exp(z[~pos])\n"
             "    out[~pos] = e / (1 + e)\n    return out",
    "loop with math.exp": "def f(z):\n    z = np.asarray(z, dtype=float)\n    out = np.empty(z.shape)\n"
                          "    for i in np.ndindex(z.shape):\n        v = z[i]\n"
                          "        e = math.exp(-abs(v))\n"
                          "        out[i] = 1 / (1 + e) if v >= 0 else e / (1 + e)\n"
                          "    return out",
    "float32 arithmetic": "def f(z):\n    z = np.asarray(z, dtype=np.float32)\n    e = np.exp(-np.abs(z))\n"
                          "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))",
}


@pytest.mark.parametrize("name", SIGMOIDS_OK)
def test_check_sigmoid_accepts_correct_formulations(name):
    assert grading.check_sigmoid(student(PRELUDE + SIGMOIDS_OK[name])["f"]) is True


@pytest.mark.parametrize("code", [
    "def f(z):\n    return 1 / (1 + np.exp(-z))",  # overflows at z = -1e4
    "def f(z):\n    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))",  # both
    "def f(z):\n    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))",
])
def test_check_sigmoid_rejects_an_overflowing_sigmoid(code):
    message = fails_with(grading.check_sigmoid, student(PRELUDE + code)["f"], "not numerically stable",
                         "huge logits")
    assert "Input (huge logits" in message and "float64" in message


def test_check_sigmoid_names_a_sign_error_and_an_input_that_is_modified():
    flipped = student(PRELUDE + "def f(z):\n    return np.exp(-np.logaddexp(0, z))")["f"]
    fails_with(grading.check_sigmoid, flipped, "1 - sigma(z)")
    modifies = student(PRELUDE + "def f(z):\n    z *= -1\n    return np.exp(-np.logaddexp(0, z))")["f"]
    fails_with(grading.check_sigmoid, modifies, "modifies its input")


LL_OK = {
    "logaddexp": "def f(w, b, X, y):\n    z = X @ w + b\n"
                 "    return float(np.sum(y * z - np.logaddexp(0, z)))",
    "log-sigmoid form": "def f(w, b, X, y):\n    z = X @ w + b\n"
                        "    return float(np.sum((y - 1) * z - np.logaddexp(0, -z)))",
    "softplus by cases": "def f(w, b, X, y):\n    z = X @ w + b\n"
                         "    sp = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))\n"
                         "    return float(np.sum(y * z - sp))",
    "loop": "def f(w, b, X, y):\n    s = 0.0\n    for xi, yi in zip(X, y):\n        z = float(xi @ w + b)\n"
            "        s += yi * z - max(z, 0.0) - math.log1p(math.exp(-abs(z)))\n    return s",
}


@pytest.mark.parametrize("name", LL_OK)
def test_check_log_likelihood_accepts_correct_formulations(name):
    assert grading.check_log_likelihood(student(PRELUDE + LL_OK[name])["f"])


@pytest.mark.parametrize("code, phrase", [
    ("p = 1 / (1 + np.exp(-z))\n    return np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))",
     "not numerically stable"),
    ("p = np.clip(1 / (1 + np.exp(-z)), 1e-12, 1 - 1e-12)\n"
     "    return np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))", "not numerically stable"),
    ("return np.sum(y * z - np.log1p(np.exp(z)))", "not numerically stable"),
    ("return np.mean(y * z - np.logaddexp(0, z))", "returns the mean where the sum is expected"),
    ("return -np.sum(y * z - np.logaddexp(0, z))", "sign looks flipped"),
    ("return np.mean(np.logaddexp(0, z) - y * z)", "mean cross-entropy loss"),
    ("z = X @ w\n    return np.sum(y * z - np.logaddexp(0, z))", "intercept b seems to be ignored"),
])
def test_check_log_likelihood_names_the_mistake(code, phrase):
    fn = student(PRELUDE + "def f(w, b, X, y):\n    z = X @ w + b\n    " + code)["f"]
    fails_with(grading.check_log_likelihood, fn, phrase, "Likely mistake: ")


GRAD = "def f(w, b, X, y):\n    p = np.exp(-np.logaddexp(0, -(X @ w + b)))\n    "


@pytest.mark.parametrize("code, phrase", [
    ("return X.T @ (p - y), float(np.sum(p - y))", "gradient sign looks flipped"),
    ("return X.T @ (y - p) / len(y), float(np.mean(y - p))", "returns the mean where the sum is expected"),
    ("return X.T @ (p - y) / len(y), float(np.mean(p - y))", "mean cross-entropy loss"),
    ("return np.append(X.T @ (y - p), np.sum(y - p))", "a tuple of 2 values is expected"),
])
def test_check_log_likelihood_grad_names_the_mistake(code, phrase):
    fails_with(grading.check_log_likelihood_grad, student(PRELUDE + GRAD + code)["f"], phrase)


def test_check_log_likelihood_grad_accepts_a_loop_over_samples():
    fn = student(PRELUDE + """
def f(w, b, X, y):
    gw, gb = np.zeros(X.shape[1]), 0.0
    for xi, yi in zip(X, y):
        z = float(xi @ w + b)
        p = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        gw += (yi - p) * xi
        gb += yi - p
    return gw, gb
""")["f"]
    assert grading.check_log_likelihood_grad(fn)


ASCENT = PRELUDE + """
def log_likelihood(w, b, X, y):
    z = X @ w + b
    return float(np.sum(y * z - np.logaddexp(0, z)))

def log_likelihood_grad(w, b, X, y):
    r = y - np.exp(-np.logaddexp(0, -(X @ w + b)))
    return X.T @ r, float(r.sum())

def gradient_ascent(X, y, lr=0.1, n_steps=100):
    n = len(y)
    w, b = np.zeros(X.shape[1]), 0.0
    history = [log_likelihood(w, b, X, y)]
    for _ in range(n_steps):
        gw, gb = log_likelihood_grad(w, b, X, y)
        w, b = STEP
        history.append(log_likelihood(w, b, X, y))
    return w, b, HISTORY
"""


@pytest.mark.parametrize("step, history, phrase", [
    ("w + lr * gw / n, b + lr * gb / n", "history", None),
    ("w - lr * gw / n, b - lr * gb / n", "history", "goes downhill"),
    ("w + lr * gw, b + lr * gb", "history", "summed gradient"),
    ("w + lr * gw / n, b + lr * gb / n", "history[1:]", "n_steps + 1 values"),
])
def test_check_gradient_ascent(step, history, phrase):
    fn = student(ASCENT.replace("STEP", step).replace("HISTORY", history))["gradient_ascent"]
    if phrase is None:
        assert grading.check_gradient_ascent(fn)
    else:
        fails_with(grading.check_gradient_ascent, fn, phrase)


def test_a_mistake_in_a_helper_costs_only_its_own_part():
    # the notebook's gradient has the wrong sign: gradient_ascent itself is right and keeps its points
    ns = student(ASCENT.replace("STEP", "w + lr * gw / n, b + lr * gb / n").replace("HISTORY", "history")
                 .replace("r = y - np.exp", "r = -y + 2 * y - 2 * y + np.exp"))
    fails_with(grading.check_log_likelihood_grad, ns["log_likelihood_grad"], "gradient sign looks flipped")
    assert grading.check_gradient_ascent(ns["gradient_ascent"])
    assert ns["log_likelihood_grad"].__name__ == "log_likelihood_grad"  # the stand-in was removed again


METRICS = PRELUDE + """
def confusion_matrix(y_true, y_pred):
    cm = np.zeros((2, 2), dtype=int)
    for t, q in zip(y_true, y_pred):
        cm[t, q] += 1
    return CM

def precision_recall_at(y_true, p, thresholds):
    prec, rec = [], []
    for t in thresholds:
        pred = (p >= t).astype(int)
        tp = np.sum((pred == 1) & (y_true == 1))
        n_pred, n_pos = np.sum(pred == 1), np.sum(y_true == 1)
        prec.append(PRECISION)
        rec.append(tp / n_pos if n_pos else 0.0)
    return np.array(prec), np.array(rec)

def expected_cost(y_true, p, threshold, cost_fn, cost_fp):
    pred = RULE
    fn = np.sum(~pred & (y_true == 1))
    fp = np.sum(pred & (y_true == 0))
    return (cost_fn * fn + cost_fp * fp) / len(y_true)

def best_threshold(y_true, p, thresholds, cost_fn, cost_fp):
    return thresholds[int(PICK([expected_cost(y_true, p, t, cost_fn, cost_fp) for t in thresholds]))]
"""
RIGHT = {"CM": "cm", "PRECISION": "tp / n_pred if n_pred else 0.0", "RULE": "p >= threshold",
         "PICK": "np.argmin"}


def metrics_student(**changes) -> dict:
    code = METRICS
    for key, value in (RIGHT | changes).items():
        code = code.replace(key, value)
    return student(code)


def test_metric_checks_accept_the_right_functions():
    ns = metrics_student()
    assert grading.check_confusion_matrix(ns["confusion_matrix"])
    assert grading.check_precision_recall_at(ns["precision_recall_at"])
    assert grading.check_expected_cost(ns["expected_cost"])
    assert grading.check_best_threshold(ns["best_threshold"])


@pytest.mark.parametrize("changes, part, phrase", [
    ({"CM": "cm.T"}, "confusion_matrix", "looks transposed"),
    ({"CM": "cm[::-1, ::-1]"}, "confusion_matrix", "wrong order"),
    ({"PRECISION": "tp / n_pred if n_pred else 0.0", "(p >= t)": "(p > t)"}, "precision_recall_at",
     "use p >= threshold"),
    ({"(p >= t)": "(p < t)"}, "precision_recall_at", "comparison looks reversed"),
    ({"PRECISION": "np.float64(tp) / n_pred"}, "precision_recall_at", "must give 0.0, not nan"),
    ({"RULE": "p > threshold"}, "expected_cost", "use p >= threshold"),
    ({"RULE": "p < threshold"}, "expected_cost", "comparison looks reversed"),
    ({"/ len(y_true)": ""}, "expected_cost", "returns the sum where the mean is expected"),
    ({"cost_fn * fn + cost_fp * fp": "cost_fp * fn + cost_fn * fp"}, "expected_cost", "costs look swapped"),
    ({"PICK": "np.argmax"}, "best_threshold", "highest expected cost"),
    ({"thresholds[int(PICK([": "int(np.argmin([", "for t in thresholds]))]": "for t in thresholds]))"},
     "best_threshold", "not one of the thresholds"),
])
def test_metric_checks_name_the_mistake(changes, part, phrase):
    code = METRICS
    for key, value in changes.items():
        code = code.replace(key, value)
    for key, value in RIGHT.items():
        code = code.replace(key, value)
    fails_with(getattr(grading, f"check_{part}"), student(code)[part], phrase)


# ------------------------------------------------------------------------------------------------------------
# The diagnosers of hw2-hw4: penalized intercept, Adam bias correction, per-tensor clipping
# ------------------------------------------------------------------------------------------------------------

LOSS_GRAD = PRELUDE + """
def f(w, b, X, y, alpha=0.0, l1_ratio=0.0):
    r = (np.exp(-np.logaddexp(0, -(X @ w + b))) - y) / len(y)
    gw = X.T @ r + alpha * (l1_ratio * np.sign(w) + (1 - l1_ratio) * w)
    gb = float(r.sum())
    return gw, GB
"""


@pytest.mark.parametrize("gb, phrase", [
    ("gb", None),
    ("gb + alpha * (l1_ratio * np.sign(b) + (1 - l1_ratio) * b)", "intercept appears to be penalized"),
    ("gb + alpha * b", "intercept appears to be penalized"),  # the L2 part only: recognised on the L2 inputs
])
def test_penalized_intercept_is_recognised(gb, phrase):
    fn = student(LOSS_GRAD.replace("GB", gb))["f"]
    if phrase is None:
        assert grading.check_logistic_loss_grad(fn)
    else:
        fails_with(grading.check_logistic_loss_grad, fn, phrase)
    loss = student(PRELUDE + "def f(w, b, X, y, alpha=0.0, l1_ratio=0.0):\n    z = X @ w + b\n"
                   "    pen = alpha * (l1_ratio * np.abs(W).sum() + (1 - l1_ratio) / 2 * W @ W)\n"
                   "    return float(np.mean(np.logaddexp(0, z) - y * z) + pen)\n"
                   .replace("W", "w" if phrase is None else "np.append(w, b)"))["f"]
    if phrase is None:
        assert grading.check_logistic_loss(loss)
    else:
        fails_with(grading.check_logistic_loss, loss, phrase)


ADAM = PRELUDE + """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        self.params, self.lr, (self.b1, self.b2), self.eps = params, lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.b1 * m + (1 - self.b1) * g
            v[...] = self.b2 * v + (1 - self.b2) * g * g
            m_hat, v_hat = CORRECTION
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""


def test_adam_check_follows_pytorch_and_recognises_a_missing_bias_correction():
    right = student(ADAM.replace("CORRECTION", "m / (1 - self.b1 ** self.t), v / (1 - self.b2 ** self.t)"))
    assert grading.check_optimizer(right["Adam"], "adam", lr=0.01)
    assert grading.check_optimizer(right["Adam"], "adam", lr=0.05, betas=(0.8, 0.99))
    wrong = student(ADAM.replace("CORRECTION", "m, v"))
    fails_with(grading.check_optimizer, wrong["Adam"], "Adam bias correction missing", name="adam", lr=0.01)
    half = student(ADAM.replace("CORRECTION", "m / (1 - self.b1 ** self.t), v"))
    message = fails_with(grading.check_optimizer, half["Adam"], name="adam", lr=0.01)
    assert "bias correction missing" not in message  # only half of it: another mistake, not this diagnosis


CLIP = PRELUDE + """
def clip(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(np.asarray(g, dtype=float) ** 2)) for g in grads))
    BODY
    return total
"""


@pytest.mark.parametrize("body, phrase", [
    ("if total > max_norm:\n        for g in grads:\n            g *= max_norm / (total + 1e-6)", None),
    ("for g in grads:\n        g *= min(1.0, max_norm / (total + 1e-6))", None),
    ("if total > max_norm:\n        for g in grads:\n            g[...] = g * (max_norm / total)", None),
    ("for g in grads:\n        n = np.linalg.norm(g)\n"
     "        if n > max_norm:\n            g *= max_norm / n",
     "clips each array separately"),
    ("grads = [g * min(1.0, max_norm / total) for g in grads]", "changed in place"),
])
def test_clip_grad_norm_check(body, phrase):
    fn = student(CLIP.replace("BODY", body))["clip"]
    if phrase is None:
        assert grading.check_clip_grad_norm(fn)
    else:
        fails_with(grading.check_clip_grad_norm, fn, phrase)


# ------------------------------------------------------------------------------------------------------------
# Each diagnoser fires on its mistake, not on other outputs
# ------------------------------------------------------------------------------------------------------------


def test_relation_diagnosers_fire_on_their_mistake_only():
    rng = np.random.default_rng(0)
    e = rng.normal(size=5) + 3.0
    case = grading.Case("random", (), n=20)
    assert "sign" in grading.diagnose(-e, e, case, ["sign_flipped"])
    assert grading.diagnose(e * 1.5, e, case, ["sign_flipped"]) is None
    assert "mean where the sum" in grading.diagnose(e / 20, e, case, ["mean_vs_sum"])
    assert "sum where the mean" in grading.diagnose(e * 20, e, case, ["mean_vs_sum"])
    assert grading.diagnose(e / 19, e, case, ["mean_vs_sum"]) is None
    assert grading.diagnose(e / 20, e, grading.Case("n=1", (), n=1), ["mean_vs_sum"]) is None
    stable = grading.diagnose(np.array([np.nan, 1.0]), np.array([0.0, 1.0]), case, ["not_stable"])
    assert "not numerically stable" in stable
    assert grading.diagnose(np.array([0.5, 1.0]), np.array([0.0, 1.0]), case, ["not_stable"]) is None
    huge = grading.Case("huge", (), huge=True)
    assert grading.diagnose(1.0, 2.0, huge, ["not_stable"], others_ok=True) is not None
    assert grading.diagnose(1.0, 2.0, huge, ["not_stable"], others_ok=False) is None
    cm = np.array([[14, 6], [3, 7]])
    assert "transposed" in grading.diagnose(cm.T, cm, case, ["transposed"])
    assert grading.diagnose(cm[::-1, ::-1], cm, case, ["transposed"]) is None
    flat = np.array([[5, 5], [5, 5]])
    assert grading.diagnose(flat, flat.T, case, ["transposed"]) is None
    pair = (np.array([0.5, 1.0]), np.array([1.0, 0.25]))
    assert "swapped" in grading.diagnose(pair[::-1], pair, case, ["swapped_pair"])
    assert grading.diagnose(pair, pair, case, ["zero_division"]) is None
    assert "not nan" in grading.diagnose((np.array([np.nan, 1.0]),), (np.array([0.0, 1.0]),), case,
                                         ["zero_division"])


def test_variant_diagnosers_fire_when_the_output_matches_the_known_wrong_variant():
    case = grading.Case("x", ())
    expected, wrong = np.array([1.0, 2.0]), np.array([1.5, 2.0])
    for name in ("penalized_intercept", "adam_no_bias_correction", "per_tensor_clipping", "threshold_strict"):
        hint = grading.diagnose(wrong, expected, case, [name], variants={name: wrong.copy()})
        assert hint == grading.DIAGNOSERS[name].hint
        assert grading.diagnose(wrong + 0.1, expected, case, [name], variants={name: wrong.copy()}) is None
        assert grading.diagnose(wrong, expected, case, [name]) is None  # no variant given: no diagnosis
    assert grading.diagnose(wrong, expected, case, ["per_tensor_clipping"],
                            variants={"per_tensor_clipping": (wrong, grading.ANY)}) is None  # not a tuple


def test_a_new_diagnoser_can_be_registered():
    try:
        grading.add_diagnoser("off_by_one_test", "adds one", lambda m: m.close(m.got, m.expected + 1))
        assert grading.diagnose(np.array([2.0]), np.array([1.0]), names=["off_by_one_test"]) == "adds one"
        with pytest.raises(AssertionError, match="Likely mistake: adds one"):
            grading.compare(lambda x: x + 1, lambda x: x, [grading.Case("x", (np.array([1.0]),))],
                            diagnosers=["off_by_one_test"])
    finally:
        grading.DIAGNOSERS.pop("off_by_one_test", None)


# ------------------------------------------------------------------------------------------------------------
# Messages, time limit, quiet execution
# ------------------------------------------------------------------------------------------------------------


def test_failure_message_names_input_expected_got_and_problem():
    fn = student(PRELUDE + "def f(X, w, b=0.0):\n    return 1 / (1 + np.exp(-(X @ w)))")["f"]
    message = fails_with(grading.check_predict_proba, fn, "`predict_proba` is not right yet")
    lines = message.splitlines()
    assert lines[1].startswith("Input (") and "X = array (" in lines[1] and "float64" in lines[1]
    assert lines[2].startswith("Expected: array (") and lines[3].startswith("Got:      array (")
    assert lines[4].startswith("Problem: ") and any(line.startswith("Likely mistake: ") for line in lines[5:])
    assert all(len(line) <= 100 for line in lines[4:] if not line.startswith("Read: "))  # a link stays whole
    assert lines[-1].startswith("Read: https://") and "#sec-logistic-model" in lines[-1]


def test_not_implemented_and_wrong_types_are_reported_plainly():
    fails_with(grading.check_sigmoid, student("def f(z):\n    raise NotImplementedError()")["f"],
               "not implemented yet")
    fails_with(grading.check_sigmoid, None, "is not a function")
    fails_with(grading.check_sigmoid, student("def f(z):\n    return None")["f"], "forget `return`")
    fails_with(grading.check_sigmoid, student("def f(z):\n    return z.sigmoid()")["f"],
               "raises AttributeError", "(in f)")


def test_an_infinite_loop_is_stopped_by_the_time_limit():
    fn = student("def f(x):\n    while True:\n        pass")["f"]
    with pytest.raises(AssertionError, match="did not return within 0.3 s"):
        grading.compare(fn, lambda x: x, [grading.Case("x", (1.0,)), grading.Case("y", (2.0,))],
                        time_limit=0.3)


def test_student_output_and_warnings_do_not_leak(capfd):
    fn = student("import sys, warnings\nimport numpy as np\ndef f(z):\n    print('debug', file=sys.stderr)\n"
                 "    warnings.warn('careful')\n    return np.exp(-np.logaddexp(0, -np.asarray(z)))")["f"]
    assert grading.check_sigmoid(fn)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_summarize_is_short_and_informative():
    assert grading.summarize(np.arange(100.0)) == "array (100,) float64 [0, 1, ..., 98, 99]"
    assert grading.summarize(np.float32(0.5)) == "0.5"
    assert grading.summarize((np.zeros(2, np.float32), 3)) == "(array (2,) float32 [0, 0], 3)"
    assert grading.summarize(list(range(10))).startswith("list of 10 numbers")
