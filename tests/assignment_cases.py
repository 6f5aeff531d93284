"""The registry of realistic submissions per assignment: common mistakes, correct alternatives, shortcuts.

A case starts from what a student receives, ``assignments/<id>/<id>.ipynb``, with every answer cell filled in
with the instructor's answer (the cell of ``solutions/<id>/<id>.ipynb`` without its ``### BEGIN SOLUTION`` /
``### END SOLUTION`` lines), and applies small :class:`Edit`\\ s to answer cells. ``tests/test_pipeline.py``
grades all the cases of an assignment in one autograde run and checks that

- a ``"wrong"`` case loses points on exactly the parts listed in ``loses`` (and keeps full marks on every
  other autograded part), and that its feedback HTML contains each phrase of ``feedback``;
- a ``"correct"`` case (written differently from the solution) scores every autograded point;
- a ``"shortcut"`` case (calls the coursekit reference) scores 0 on the parts in ``loses`` and its feedback
  says that the reference "is not available while your notebook is graded".

To add cases for a new assignment, append ``SubmissionCase(...)`` entries to :data:`CASES` (one common
mistake per wrong case). ``Edit.old`` must occur exactly once in the answer cell, so that a changed solution
makes the test fail loudly instead of silently testing nothing.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Edit:
    """Change one cell: replace ``old`` by ``new`` in its source (``old=None``: replace the whole source).

    ``cell`` is the nbgrader ``grade_id`` of the cell (e.g. ``"answer-sigmoid"``) or its notebook cell id.
    """

    cell: str
    old: str | None
    new: str


@dataclass(frozen=True)
class SubmissionCase:
    """A realistic submission of one assignment."""

    assignment: str
    student: str
    """Student id in the test class (unique within the assignment)."""
    kind: str
    """``"wrong"``, ``"correct"`` or ``"shortcut"``."""
    description: str
    edits: tuple[Edit, ...]
    loses: tuple[str, ...] = ()
    """Grade ids of the autograded parts that must lose points; all other parts keep full marks."""
    feedback: tuple[str, ...] = ()
    """Phrases that the student's feedback HTML must contain (compared after HTML unescaping)."""


HW1 = "hw1-logistic"

CASES: list[SubmissionCase] = [
    # --- common mistakes: each loses the points of its own part only -------------------------------------
    SubmissionCase(
        HW1, "naive-sigmoid", "wrong", "the textbook sigmoid 1/(1+exp(-z)), which overflows for z = -1e4",
        (Edit("answer-sigmoid", None, "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"),),
        loses=("sigmoid",), feedback=("not numerically stable",)),
    SubmissionCase(
        HW1, "flipped-gradient", "wrong", "gradient of the loss instead of the log-likelihood (sign flipped)",
        (Edit("answer-log-likelihood-grad", "r = y - predict_proba(X, w, b)",
              "r = predict_proba(X, w, b) - y"),),
        loses=("log_likelihood_grad",), feedback=("gradient sign looks flipped",)),
    SubmissionCase(
        HW1, "mean-likelihood", "wrong", "np.mean instead of np.sum in the log-likelihood",
        (Edit("answer-log-likelihood", "np.sum(", "np.mean("),),
        loses=("log_likelihood",), feedback=("returns the mean where the sum is expected",)),
    SubmissionCase(
        HW1, "log-of-sigmoid", "wrong", "y log p + (1 - y) log(1 - p): -inf/nan for huge scores",
        (Edit("answer-log-likelihood", "return float(np.sum(y * z - np.logaddexp(0, z)))",
              "p = sigmoid(z)\n    return float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))"),),
        loses=("log_likelihood",), feedback=("not numerically stable", "np.logaddexp")),
    SubmissionCase(
        HW1, "no-intercept", "wrong", "forgets the intercept in the scores",
        (Edit("answer-predict-proba", "sigmoid(X @ w + b)", "sigmoid(X @ w)"),),
        loses=("predict_proba",), feedback=("intercept b seems to be ignored",)),
    SubmissionCase(
        HW1, "descending", "wrong", "gradient ascent that steps downhill",
        (Edit("answer-gradient-ascent", "w + lr * gw / n, b + lr * gb / n",
              "w - lr * gw / n, b - lr * gb / n"),),
        loses=("gradient_ascent",), feedback=("goes downhill",)),
    SubmissionCase(
        HW1, "transposed-matrix", "wrong", "confusion matrix with rows and columns exchanged",
        (Edit("answer-confusion-matrix", "for q in (0, 1)] for t in (0, 1)]",
              "for t in (0, 1)] for q in (0, 1)]"),),
        loses=("confusion_matrix",), feedback=("looks transposed",)),
    SubmissionCase(
        HW1, "strict-threshold", "wrong", "p > t instead of p >= t: a tie is not a predicted default",
        (Edit("answer-precision-recall", "(p >= t)", "(p > t)"),),
        loses=("precision_recall_at",), feedback=("use p >= threshold",)),
    SubmissionCase(
        HW1, "nan-precision", "wrong", "no guard for 0/0 when nothing is predicted positive",
        (Edit("answer-precision-recall", "tp / (tp + fp) if tp + fp > 0 else 0.0", "tp / (tp + fp)"),),
        loses=("precision_recall_at",), feedback=("must give 0.0, not nan",)),
    SubmissionCase(
        HW1, "reversed-cost-rule", "wrong", "refuses the loans with p < threshold",
        (Edit("answer-expected-cost", "(p >= threshold)", "(p < threshold)"),),
        loses=("expected_cost",), feedback=("comparison looks reversed",)),
    SubmissionCase(
        HW1, "argmax-threshold", "wrong", "np.argmax instead of np.argmin",
        (Edit("answer-best-threshold", "np.argmin", "np.argmax"),),
        loses=("best_threshold",), feedback=("highest expected cost",)),
    # --- correct, written differently: full marks ---------------------------------------------------------
    SubmissionCase(
        HW1, "loops", "correct", "explicit Python loops (over samples, features, thresholds)",
        (Edit("answer-log-likelihood", None, '''import math

def log_likelihood(w, b, X, y):
    total = 0.0
    for z_i, y_i in zip(X @ w + b, y):
        softplus = max(z_i, 0.0) + math.log1p(math.exp(-abs(z_i)))  # log(1 + e^z) without overflow
        total += y_i * z_i - softplus
    return float(total)
'''), Edit("answer-log-likelihood-grad", None, '''def log_likelihood_grad(w, b, X, y):
    r = y - predict_proba(X, w, b)
    gw = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        gw[j] = np.sum(r * X[:, j])
    return gw, float(np.sum(r))
'''), Edit("answer-confusion-matrix", None, '''def confusion_matrix(y_true, y_pred):
    cm = np.zeros((2, 2), dtype=int)
    for t, q in zip(y_true, y_pred):
        cm[int(t), int(q)] += 1
    return cm
'''), Edit("answer-best-threshold", None, '''def best_threshold(y_true, p, thresholds, cost_fn, cost_fp):
    best, best_cost = None, np.inf
    for t in thresholds:
        c = expected_cost(y_true, p, t, cost_fn, cost_fp)
        if c < best_cost:
            best, best_cost = t, c
    return best
'''))),
    SubmissionCase(
        HW1, "other-formulas", "correct", "tanh sigmoid, the log-sigmoid form of the likelihood, bincount",
        (Edit("answer-sigmoid", None, "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(np.asarray(z) / 2))\n"),
         Edit("answer-log-likelihood", "return float(np.sum(y * z - np.logaddexp(0, z)))",
              "return float(np.sum(-np.logaddexp(0, -z) + (y - 1) * z))"),
         Edit("answer-confusion-matrix", None, '''def confusion_matrix(y_true, y_pred):
    counts = np.bincount(2 * np.asarray(y_true, dtype=int) + np.asarray(y_pred, dtype=int), minlength=4)
    return counts.reshape(2, 2)
'''), Edit("answer-precision-recall", None, '''def precision_recall_at(y_true, p, thresholds):
    pred = p[None, :] >= np.asarray(thresholds)[:, None]
    tp = (pred & (y_true == 1)).sum(axis=1)
    n_pred, n_pos = pred.sum(axis=1), (y_true == 1).sum()
    precision = np.divide(tp, n_pred, out=np.zeros(len(tp)), where=n_pred > 0)
    recall = tp / n_pos if n_pos > 0 else np.zeros(len(tp))
    return precision, recall
'''))),
    # --- shortcuts: calling the coursekit reference earns nothing for that part -----------------------------
    SubmissionCase(
        HW1, "imports-reference", "shortcut", "from coursekit.linear import sigmoid instead of writing it",
        (Edit("answer-sigmoid", None, "from coursekit.linear import sigmoid\n"),),
        loses=("sigmoid",), feedback=("is not available while your notebook is graded",)),
    SubmissionCase(
        HW1, "calls-reference", "shortcut", "wraps coursekit.metrics.confusion_matrix",
        (Edit("answer-confusion-matrix", None, '''import coursekit.metrics

def confusion_matrix(y_true, y_pred):
    return coursekit.metrics.confusion_matrix(y_true, y_pred, labels=[0, 1])
'''),),
        loses=("confusion_matrix",), feedback=("is not available while your notebook is graded",)),
]


def cases_for(assignment: str) -> list[SubmissionCase]:
    """The registered cases of one assignment."""
    return [c for c in CASES if c.assignment == assignment]


_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def instructor_answers(assignment: str, root: Path = ROOT) -> dict[str, str]:
    """Grade id -> the instructor's answer, i.e. the source of each solution cell without its markers."""
    nb = nbformat.read(root / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answers[meta["grade_id"]] = "\n".join(line for line in cell.source.splitlines()
                                                  if not _MARKER.match(line))
    return answers


def _find(nb: nbformat.NotebookNode, key: str) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == key or cell.get("id") == key:
            return cell
    raise KeyError(f"no cell with grade id or cell id {key!r}")


def apply_edits(nb: nbformat.NotebookNode, edits: tuple[Edit, ...] | list[Edit]) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the edits applied (each ``old`` must occur exactly once)."""
    nb = copy.deepcopy(nb)
    for edit in edits:
        cell = _find(nb, edit.cell)
        if edit.old is None:
            cell.source = edit.new
        else:
            count = cell.source.count(edit.old)
            if count != 1:
                raise ValueError(f"{edit.old!r} occurs {count} times in cell {edit.cell!r}, not once")
            cell.source = cell.source.replace(edit.old, edit.new)
    return nb


def student_notebook(assignment: str, edits: tuple[Edit, ...] | list[Edit] = (), root: Path = ROOT,
                     answered: bool = True) -> nbformat.NotebookNode:
    """The released notebook of ``assignment``, with the instructor's answers typed into its answer cells
    (unless ``answered`` is False: then it is the untouched release), then ``edits`` applied."""
    nb = nbformat.read(root / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    if answered:
        answers = instructor_answers(assignment, root)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in answers:
                cell.source = answers[gid]
    return apply_edits(nb, edits)


# --- hw4-gradients cases ---
HW4 = "hw4-gradients"

_HW4_LOOPS = {
    "answer-linear-backward": '''def linear_backward(dZ, cache):
    X, W, b = cache
    dX, dW, db = np.zeros(X.shape), np.zeros(W.shape), np.zeros(W.shape[1])
    for i in range(X.shape[0]):  # one sample at a time
        dX[i] = W @ dZ[i]
        dW += np.outer(X[i], dZ[i])
        db += dZ[i]
    return dX, dW, db
''',
    "answer-mlp-loss-grad": '''def mlp_loss_grad(params, X, y, activation="relu"):
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
    return loss, grads
''',
    "answer-layer-grad-norms": '''def layer_grad_norms(grads):
    norms = []
    for i in range(0, len(grads), 2):
        norms.append(np.sqrt(np.sum(grads[i] ** 2)))
    return np.array(norms)
''',
    "answer-clip-value": '''def clip_grad_value_(grads, clip_value):
    for g in grads:
        g[g > clip_value] = clip_value
        g[g < -clip_value] = -clip_value
''',
    "answer-rnn-forward": '''def rnn_forward(X, W_xh, W_hh, b):
    states, h = [], np.zeros((X.shape[0], W_hh.shape[0]))
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t] @ W_xh + h @ W_hh + b)
        states.append(h)
    return np.stack(states, axis=1)
''',
    "answer-rnn-backward": '''def rnn_backward(dh_T, X, H, W_hh):
    n, T, d = X.shape
    H0 = np.concatenate([np.zeros((n, 1, H.shape[2])), H], axis=1)  # H0[:, t] = h_t, with h_0 = 0
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

_HW4_OTHER = {
    "answer-sigmoid-forward": '''def sigmoid_forward(Z):
    A = 0.5 * (1 + np.tanh(np.asarray(Z) / 2))
    return A, Z
''',
    "answer-sigmoid-backward": '''def sigmoid_backward(dA, cache):
    s = np.exp(-np.logaddexp(0, -cache))
    return dA * s * (1 - s)
''',
    "answer-relu-forward": "def relu_forward(Z):\n    return np.where(Z > 0, Z, 0.0), Z\n",
    "answer-relu-backward": '''def relu_backward(dA, cache):
    return np.where(cache >= 0, dA, 0.0)  # 1 at z = 0: accepted
''',
    "answer-xavier-init": '''def xavier_init(fan_in, fan_out, rng):
    limit = np.sqrt(6 / (fan_in + fan_out))  # Glorot's uniform version: the same variance
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
''',
    "answer-he-init": '''def he_init(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)
''',
    "answer-clip-norm": '''def clip_grad_norm_(grads, max_norm):
    total = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    coef = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g[...] = g * coef
    return float(total)
''',
}

CASES += [
    # --- common mistakes: each loses the points of its own part only -------------------------------------
    SubmissionCase(
        HW4, "no-bias", "wrong", "forgets the bias in the linear layer",
        (Edit("answer-linear-forward", "return X @ W + b, (X, W, b)", "return X @ W, (X, W, b)"),),
        loses=("linear_forward",), feedback=("the bias b is not added",)),
    SubmissionCase(
        HW4, "bias-not-summed", "wrong", "db = dZ: the bias gradient is not summed over the batch",
        (Edit("answer-linear-backward", "dZ.sum(axis=0)", "dZ"),),
        loses=("linear_backward",), feedback=("sum it over the batch",)),
    SubmissionCase(
        HW4, "transposed-dW", "wrong", "dW = dZ.T @ X, the transpose of the weight gradient",
        (Edit("answer-linear-backward", "X.T @ dZ", "dZ.T @ X"),),
        loses=("linear_backward",), feedback=("a gradient looks transposed",)),
    SubmissionCase(
        HW4, "naive-sigmoid", "wrong", "1/(1+exp(-z)) in the forward pass: overflows for z = -1e4",
        (Edit("answer-sigmoid-forward", None,
              "def sigmoid_forward(Z):\n    return 1 / (1 + np.exp(-Z)), Z\n"),),
        loses=("sigmoid_forward",), feedback=("not numerically stable",)),
    SubmissionCase(
        HW4, "sigmoid-twice", "wrong", "sigma(sigma(Z)) (1 - sigma(sigma(Z))): the sigmoid applied twice",
        (Edit("answer-sigmoid-backward", "return dA * A * (1 - A)",
              "s, _ = sigmoid_forward(A)\n    return dA * s * (1 - s)"),),
        loses=("sigmoid_backward",), feedback=("the sigmoid is applied twice",)),
    SubmissionCase(
        HW4, "sigmoid-of-z", "wrong", "Z (1 - Z) instead of sigma(Z) (1 - sigma(Z))",
        (Edit("answer-sigmoid-backward", "    A, _ = sigmoid_forward(cache)\n    return dA * A * (1 - A)",
              "    return dA * cache * (1 - cache)"),),
        loses=("sigmoid_backward",), feedback=("you use Z * (1 - Z)",)),
    SubmissionCase(
        HW4, "relu-output", "wrong", "multiplies dA by the ReLU's output instead of its mask",
        (Edit("answer-relu-backward", "dA * (cache > 0)", "dA * np.maximum(cache, 0)"),),
        loses=("relu_backward",), feedback=("the ReLU's output max(Z, 0)",)),
    SubmissionCase(
        HW4, "output-activation", "wrong", "applies the activation to the output layer too",
        (Edit("answer-mlp-loss-grad",
              "        if l < n_layers - 1:\n            H, activation_cache = forward(Z)\n"
              "        else:\n            H, activation_cache = Z, None\n",
              "        H, activation_cache = forward(Z)\n"),),
        loses=("mlp_loss_grad",), feedback=("also applied to the output layer",)),
    SubmissionCase(
        HW4, "xavier-fan-in", "wrong", "Xavier with Var = 1/fan_in",
        (Edit("answer-xavier-init", "np.sqrt(2.0 / (fan_in + fan_out))", "np.sqrt(1.0 / fan_in)"),),
        loses=("xavier_init",), feedback=("the variance uses fan_in only",)),
    SubmissionCase(
        HW4, "he-one-over-fan-in", "wrong", "He with Var = 1/fan_in instead of 2/fan_in",
        (Edit("answer-he-init", "np.sqrt(2.0 / fan_in)", "np.sqrt(1.0 / fan_in)"),),
        loses=("he_init",), feedback=("He uses Var = 2 / fan_in",)),
    SubmissionCase(
        HW4, "norms-with-biases", "wrong", "a norm for every array, the biases too",
        (Edit("answer-layer-grad-norms", "for dW in grads[0::2]", "for dW in grads"),),
        loses=("layer_grad_norms",), feedback=("the bias gradients are not layers",)),
    SubmissionCase(
        HW4, "one-sided-value-clip", "wrong", "clips the positive entries only",
        (Edit("answer-clip-value", "np.clip(g, -clip_value, clip_value, out=g)",
              "np.minimum(g, clip_value, out=g)"),),
        loses=("clip_grad_value_",), feedback=("only one side is clipped",)),
    SubmissionCase(
        HW4, "per-array-clip", "wrong", "clips each array by its own norm instead of one global norm",
        (Edit("answer-clip-norm", "    if scale < 1.0:\n        for g in grads:\n            g *= scale\n",
              "    for g in grads:\n        norm = np.linalg.norm(g)\n        if norm > max_norm:\n"
              "            g *= max_norm / norm\n"),),
        loses=("clip_grad_norm_",), feedback=("clips each array separately",)),
    SubmissionCase(
        HW4, "norm-clip-by-value", "wrong", "clip_grad_norm_ that clips the entries: the direction changes",
        (Edit("answer-clip-norm", "    if scale < 1.0:\n        for g in grads:\n            g *= scale\n",
              "    for g in grads:\n        np.clip(g, -max_norm, max_norm, out=g)\n"),),
        loses=("clip_grad_norm_",), feedback=("which keeps the direction",)),
    SubmissionCase(
        HW4, "rnn-forward-no-recurrence", "wrong", "forgets h_(t-1) W_hh in the forward pass",
        (Edit("answer-rnn-forward", "X[:, t] @ W_xh + h @ W_hh + b", "X[:, t] @ W_xh + b"),),
        loses=("rnn_forward",), feedback=("the previous state is missing",)),
    SubmissionCase(
        HW4, "bptt-no-recurrent-term", "wrong", "BPTT that never passes the gradient to h_(t-1)",
        (Edit("answer-rnn-backward", "        dh = du @ W_hh.T\n", ""),),
        loses=("rnn_backward",), feedback=("the recurrent term is missing",)),
    SubmissionCase(
        HW4, "bptt-tanh-twice", "wrong", "1 - tanh(h_t)^2 instead of 1 - h_t^2",
        (Edit("answer-rnn-backward", "(1 - H[:, t] ** 2)", "(1 - np.tanh(H[:, t]) ** 2)"),),
        loses=("rnn_backward",), feedback=("tanh is applied twice",)),
    # --- correct, written differently: full marks ---------------------------------------------------------
    SubmissionCase(
        HW4, "loops", "correct", "loops over samples and steps, an MLP without the helpers, einsum in BPTT",
        tuple(Edit(cell, None, source) for cell, source in _HW4_LOOPS.items())),
    SubmissionCase(
        HW4, "other-formulas", "correct",
        "tanh and logaddexp sigmoids, ReLU mask with >=, Glorot uniform, clipping through one concatenation",
        tuple(Edit(cell, None, source) for cell, source in _HW4_OTHER.items())),
    # --- shortcuts: calling the coursekit reference earns nothing for that part -----------------------------
    SubmissionCase(
        HW4, "calls-init-weights", "shortcut", "he_init returns coursekit.nn.init_weights(..., 'he')",
        (Edit("answer-he-init", None, '''from coursekit.nn import init_weights

def he_init(fan_in, fan_out, rng):
    return init_weights(fan_in, fan_out, "he", rng=rng)
'''),),
        loses=("he_init",), feedback=("is not available while your notebook is graded",)),
    SubmissionCase(
        HW4, "imports-clip", "shortcut", "from coursekit.optim import clip_grad_norm_",
        (Edit("answer-clip-norm", None, "from coursekit.optim import clip_grad_norm_\n"),),
        loses=("clip_grad_norm_",), feedback=("is not available while your notebook is graded",)),
]


# --- hw2-regularization cases ---
HW2 = "hw2-regularization"

_HW2_LOOPS = {  # explicit loops everywhere, standardization by hand, the gradient written out in the solver
    "answer-degree-errors": '''def degree_errors(X_train, y_train, X_val, y_val, degrees, fit):
    train_errors = np.zeros(len(degrees))
    val_errors = np.zeros(len(degrees))
    for k, degree in enumerate(degrees):
        F_train = polynomial_features(X_train, degree)
        F_val = polynomial_features(X_val, degree)
        mean, std = F_train.mean(axis=0), F_train.std(axis=0)
        F_train, F_val = (F_train - mean) / std, (F_val - mean) / std
        w, b = fit(F_train, y_train)
        wrong = 0
        for x, label in zip(F_train, y_train):
            wrong += int(x @ w + b >= 0) != label
        train_errors[k] = wrong / len(y_train)
        wrong = 0
        for x, label in zip(F_val, y_val):
            wrong += int(x @ w + b >= 0) != label
        val_errors[k] = wrong / len(y_val)
    return train_errors, val_errors
''',
    "answer-logistic-loss": '''import math

def logistic_loss(w, b, X, y, alpha=0.0):
    total = 0.0
    for x_i, y_i in zip(X, y):
        z = float(x_i @ w + b)
        total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y_i * z
    return total / len(y) + 0.5 * alpha * sum(float(v) ** 2 for v in w)
''',
    "answer-logistic-loss-grad": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    n, d = X.shape
    gw, gb = np.zeros(d), 0.0
    for i in range(n):
        z = float(X[i] @ w + b)
        p = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        gw += (p - y[i]) * X[i] / n
        gb += (p - y[i]) / n
    for j in range(d):
        gw[j] += alpha * w[j]
    return gw, gb
''',
    "answer-soft-threshold": '''def soft_threshold(x, t):
    x = np.asarray(x, dtype=float)
    t = np.broadcast_to(np.asarray(t, dtype=float), x.shape)
    out = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        if x[i] > t[i]:
            out[i] = x[i] - t[i]
        elif x[i] < -t[i]:
            out[i] = x[i] + t[i]
    return out
''',
    "answer-lasso-logistic": '''def lasso_logistic(X, y, alpha, step, n_steps, w0=None, b0=0.0):
    n, d = X.shape
    w = np.zeros(d) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    for _ in range(n_steps):
        p = np.exp(-np.logaddexp(0, -(X @ w + b)))
        gw, gb = X.T @ (p - y) / n, np.mean(p - y)
        w_new = np.zeros(d)
        for j in range(d):
            v = w[j] - step * gw[j]
            if abs(v) > step * alpha:
                w_new[j] = v - step * alpha * np.sign(v)
        w, b = w_new, b - step * gb
    return w, b
''',
    "answer-choose-alpha": '''def choose_alpha(alphas, val_scores):
    best_alpha, best_score = None, -np.inf
    for alpha, score in zip(alphas, val_scores):
        if score > best_score or (score == best_score and alpha > best_alpha):
            best_alpha, best_score = alpha, score
    return best_alpha
''',
}

_HW2_OTHER = {  # other correct formulas: margins, clip, tanh, preallocated arrays, sorting
    "answer-logistic-loss": '''def logistic_loss(w, b, X, y, alpha=0.0):
    margins = (2 * y - 1) * (X @ w + b)          # log(1 + e^z) - y z = log(1 + e^(-(2y - 1) z))
    return float(np.logaddexp(0, -margins).sum() / len(y) + 0.5 * alpha * (w @ w))
''',
    "answer-logistic-loss-grad": '''def logistic_loss_grad(w, b, X, y, alpha=0.0):
    p = 0.5 * (1 + np.tanh((X @ w + b) / 2))
    return (X.T @ (p - y)) / len(y) + alpha * w, float((p - y).mean())
''',
    "answer-soft-threshold": '''def soft_threshold(x, t):
    return x - np.clip(x, -t, t)
''',
    "answer-proximal-step": '''def proximal_step(w, grad_w, step, alpha):
    v = w - step * grad_w
    return np.where(np.abs(v) > step * alpha, v - np.sign(v) * step * alpha, 0.0)
''',
    "answer-lasso-path": '''def lasso_path(X, y, alphas, step, n_steps):
    coefs, intercepts = np.zeros((len(alphas), X.shape[1])), np.zeros(len(alphas))
    w, b = np.zeros(X.shape[1]), 0.0
    for k, alpha in enumerate(alphas):
        w, b = lasso_logistic(X, y, alpha, step, n_steps, w, b)
        coefs[k], intercepts[k] = w, b
    return coefs, intercepts
''',
    "answer-choose-alpha": '''def choose_alpha(alphas, val_scores):
    order = np.argsort(-np.asarray(alphas), kind="stable")      # largest alpha first
    return np.asarray(alphas)[order][np.argmax(np.asarray(val_scores)[order])]
''',
}

CASES += [
    # --- common mistakes: each loses the points of its own part only -------------------------------------
    SubmissionCase(
        HW2, "scaler-on-validation", "wrong", "standardizes the validation features with their own scaler",
        (Edit("answer-degree-errors", "scaler.transform(polynomial_features(X_val, degree))",
              "StandardScaler().fit_transform(polynomial_features(X_val, degree))"),),
        loses=("degree_errors",), feedback=("the validation features must be standardized",)),
    SubmissionCase(
        HW2, "accuracy-not-error", "wrong", "returns accuracies instead of error rates",
        (Edit("answer-degree-errors", "(F_train @ w + b >= 0) != y_train",
              "(F_train @ w + b >= 0) == y_train"),
         Edit("answer-degree-errors", "(F_val @ w + b >= 0) != y_val", "(F_val @ w + b >= 0) == y_val")),
        loses=("degree_errors",), feedback=("these look like accuracies",)),
    SubmissionCase(
        HW2, "sum-loss", "wrong", "the summed cross-entropy instead of the mean",
        (Edit("answer-logistic-loss", "np.mean(", "np.sum("),),
        loses=("logistic_loss",), feedback=("the data term is the sum over the samples",)),
    SubmissionCase(
        HW2, "penalized-intercept-loss", "wrong", "(alpha/2)(||w||^2 + b^2) in the loss",
        (Edit("answer-logistic-loss", "alpha / 2 * np.sum(w ** 2)",
              "alpha / 2 * (np.sum(w ** 2) + b ** 2)"),),
        loses=("logistic_loss",), feedback=("the intercept appears to be penalized",)),
    SubmissionCase(
        HW2, "penalized-intercept-grad", "wrong", "alpha * b added to the intercept's gradient",
        (Edit("answer-logistic-loss-grad", "float(np.sum(r))", "float(np.sum(r)) + alpha * b"),),
        loses=("logistic_loss_grad",), feedback=("the intercept appears to be penalized",)),
    SubmissionCase(
        HW2, "half-penalty-gradient", "wrong", "(alpha/2) w instead of alpha w in the gradient",
        (Edit("answer-logistic-loss-grad", "X.T @ r + alpha * w", "X.T @ r + alpha / 2 * w"),),
        loses=("logistic_loss_grad",), feedback=("you seem to add (alpha/2)",)),
    SubmissionCase(
        HW2, "no-penalty-gradient", "wrong", "forgets the penalty's gradient",
        (Edit("answer-logistic-loss-grad", "X.T @ r + alpha * w", "X.T @ r"),),
        loses=("logistic_loss_grad",), feedback=("the L2 penalty is missing",)),
    SubmissionCase(
        HW2, "threshold-crosses-zero", "wrong", "x - t sign(x): shrinks towards zero but crosses it",
        (Edit("answer-soft-threshold", "np.sign(x) * np.maximum(np.abs(x) - t, 0)", "x - t * np.sign(x)"),),
        loses=("soft_threshold",), feedback=("soft-thresholding must stop at zero",)),
    SubmissionCase(
        HW2, "hard-threshold", "wrong", "hard thresholding: keeps x unchanged when |x| > t",
        (Edit("answer-soft-threshold", "np.sign(x) * np.maximum(np.abs(x) - t, 0)",
              "np.where(np.abs(x) > t, x, 0.0)"),),
        loses=("soft_threshold",), feedback=("this is hard thresholding",)),
    SubmissionCase(
        HW2, "threshold-alpha", "wrong", "the proximal step thresholds at alpha instead of step * alpha",
        (Edit("answer-proximal-step", "step * alpha)", "alpha)"),),
        loses=("proximal_step",), feedback=("the threshold of the proximal step is step * alpha",)),
    SubmissionCase(
        HW2, "l2-in-lasso-gradient", "wrong", "passes alpha to logistic_loss_grad inside the lasso",
        (Edit("answer-lasso-logistic", "logistic_loss_grad(w, b, X, y)",
              "logistic_loss_grad(w, b, X, y, alpha)"),),
        loses=("lasso_logistic",), feedback=("the gradient step must use the gradient of the mean",)),
    SubmissionCase(
        HW2, "thresholded-intercept", "wrong", "soft-thresholds the intercept too",
        (Edit("answer-lasso-logistic", "b - step * gb", "proximal_step(b, gb, step, alpha)"),),
        loses=("lasso_logistic",), feedback=("the intercept appears to be penalized",)),
    SubmissionCase(
        HW2, "cold-start", "wrong", "every fit of the path starts from zero",
        (Edit("answer-lasso-path", "lasso_logistic(X, y, alpha, step, n_steps, w0=w, b0=b)",
              "lasso_logistic(X, y, alpha, step, n_steps)"),),
        loses=("lasso_path",), feedback=("warm start: start each fit from the previous",)),
    SubmissionCase(
        HW2, "argmax-tie", "wrong", "np.argmax: on a tie, the first alpha, which may be the smallest",
        (Edit("answer-choose-alpha", None, '''def choose_alpha(alphas, val_scores):
    return alphas[np.argmax(val_scores)]
'''),),
        loses=("choose_alpha",), feedback=("on a tie, return the largest alpha",)),
    SubmissionCase(
        HW2, "test-set-choice", "wrong", "chooses alpha with the accuracies on the test reviews",
        (Edit("answer-alpha-best", None,
              "alpha_best = choose_alpha(alphas, path_accuracy(X_test, y_test))\n"),),
        loses=("chosen_alpha",), feedback=("alpha was chosen on the test set",)),
    # --- correct, written differently: full marks ---------------------------------------------------------
    SubmissionCase(
        HW2, "loops", "correct", "loops over degrees, samples, features and alphas; standardization by hand",
        tuple(Edit(cell, None, source) for cell, source in _HW2_LOOPS.items())),
    SubmissionCase(
        HW2, "other-formulas", "correct", "margins, x - clip(x, -t, t), a tanh sigmoid, np.where, sorting",
        tuple(Edit(cell, None, source) for cell, source in _HW2_OTHER.items())),
    # --- shortcuts: calling the coursekit reference earns nothing for that part -----------------------------
    SubmissionCase(
        HW2, "imports-soft-threshold", "shortcut", "from coursekit.regularization import soft_threshold",
        (Edit("answer-soft-threshold", None, "from coursekit.regularization import soft_threshold\n"),),
        # the reference is not installed where the notebook is graded, so soft_threshold stays undefined and
        # the provided cells cannot compute the path on the reviews that chosen_alpha checks
        loses=("soft_threshold", "chosen_alpha"),
        feedback=("is not available while your notebook is graded",)),
    SubmissionCase(
        HW2, "calls-logistic-loss", "shortcut", "logistic_loss returns coursekit.linear.logistic_loss(...)",
        (Edit("answer-logistic-loss", None, '''import coursekit.linear

def logistic_loss(w, b, X, y, alpha=0.0):
    return coursekit.linear.logistic_loss(w, b, X, y, alpha)
'''),),
        loses=("logistic_loss",), feedback=("is not available while your notebook is graded",)),
]


# --- hw3-optimizers cases ---
HW3 = "hw3-optimizers"

_HW3_OTHER = {
    "answer-minibatches": '''def minibatches(n_samples, batch_size, rng=None):
    rng = np.random.default_rng(rng)
    order = np.arange(n_samples)
    rng.shuffle(order)  # in place, with the generator given
    yield from np.array_split(order, range(batch_size, n_samples, batch_size))
''',
    "answer-sgd": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.hyper = {"momentum": momentum, "dampening": dampening, "nesterov": nesterov}
        self.state = {}  # parameter index -> momentum buffer

    def step(self, grads):
        mu, tau = self.hyper["momentum"], self.hyper["dampening"]
        for k in range(len(self.params)):
            p, g = self.params[k], np.asarray(grads[k], dtype=float)
            if mu > 0:
                b = np.empty(g.shape)
                for j in np.ndindex(g.shape):  # one coordinate at a time
                    b[j] = g[j] if k not in self.state else mu * self.state[k][j] + (1 - tau) * g[j]
                self.state[k] = b
                g = g + mu * b if self.hyper["nesterov"] else b
            p[...] = p - self.lr * g
''',
    "answer-rmsprop": '''class RMSprop:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        self.params, self.lr, self.alpha, self.eps = params, lr, alpha, eps
        self.v = [np.zeros(p.shape) for p in params]

    def step(self, grads):
        for p, g, v in zip(self.params, grads, self.v):
            v += (1 - self.alpha) * (np.square(g) - v)  # the same moving average, rearranged
            p -= self.lr * g / (np.sqrt(v) + self.eps)
''',
    "answer-adam": '''import math

class Adam:
    # Kingma & Ba's ordering: both corrections in the step size, with eps scaled to match torch's
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.moments = [(np.zeros(p.shape), np.zeros(p.shape)) for p in params]

    def step(self, grads):
        b1, b2 = self.betas
        self.t += 1
        size = self.lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        eps_hat = self.eps * math.sqrt(1 - b2 ** self.t)
        for p, g, (m, v) in zip(self.params, grads, self.moments):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= size * m / (np.sqrt(v) + eps_hat)
''',
    "answer-schedule": '''import math

def schedule_lr(name, lr0, t, step_size=None, gamma=0.1, decay=None, T_max=None, eta_min=0.0):
    factors = {
        "constant": lambda: 1.0,
        "step": lambda: gamma ** math.floor(t / step_size),
        "exponential": lambda: gamma ** t,
        "inverse_time": lambda: 1 / (1 + decay * t),
    }
    if name == "cosine":
        return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2
    return lr0 * factors[name]()
''',
    "answer-minimize": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.asarray(w0, dtype=float).copy()
    path = np.empty((n_steps + 1, w.size))
    path[0] = w
    opt = optimizer_cls([w], **hyper)
    for t in range(1, n_steps + 1):
        if lr_at is not None:
            opt.lr = lr_at(t - 1)
        opt.step([grad(w)])
        path[t] = w  # copies the values into the preallocated row
    return path
''',
    "answer-fit": '''def fit_logistic(X, y, optimizer_cls, batch_size, epochs, rng=None, lr_at=None, **hyper):
    generator = np.random.default_rng(rng)
    w = np.zeros(X.shape[1])
    b = np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = np.empty(epochs + 1)
    losses[0] = objective(w, b, X, y)
    for epoch in range(1, epochs + 1):
        if lr_at:
            opt.lr = lr_at(epoch - 1)
        batches = list(minibatches(X.shape[0], batch_size, generator))
        for k in range(len(batches)):
            Xb, yb = X[batches[k]], y[batches[k]]
            opt.step(list(objective_grad(w, b, Xb, yb)))
        losses[epoch] = objective(w, b, X, y)
    return w, b, losses
''',
}

CASES += [
    # --- common mistakes: each loses the points of its own part only -------------------------------------
    SubmissionCase(
        HW3, "replacement", "wrong", "mini-batches drawn with replacement",
        (Edit("answer-minibatches", "np.random.default_rng(rng).permutation(n_samples)",
              "np.random.default_rng(rng).integers(0, n_samples, size=n_samples)"),),
        loses=("minibatches",), feedback=("sampling with replacement",)),
    SubmissionCase(
        HW3, "drop-last", "wrong", "drops the last, smaller batch",
        (Edit("answer-minibatches", "range(0, n_samples, batch_size)",
              "range(0, n_samples - batch_size + 1, batch_size)"),),
        loses=("minibatches",), feedback=("the last, smaller batch is missing",)),
    SubmissionCase(
        HW3, "zero-buffer", "wrong", "momentum buffer started at zero: b = (1 - dampening) g at step 1",
        (Edit("answer-sgd", "self.buffers[i] = np.array(g)  # a copy of the first gradient",
              "self.buffers[i] = (1 - self.dampening) * g  # mu * 0 + (1 - dampening) * g"),),
        loses=("momentum",), feedback=("momentum buffer looks initialized at zero",)),
    SubmissionCase(
        HW3, "nesterov-is-momentum", "wrong", "nesterov=True steps along the buffer like plain momentum",
        (Edit("answer-sgd", "d = g + self.momentum * b if self.nesterov else b", "d = b"),),
        loses=("nesterov",), feedback=("Nesterov looks like plain momentum",)),
    SubmissionCase(
        HW3, "eps-in-sqrt", "wrong", "RMSprop with eps inside the square root",
        (Edit("answer-rmsprop", "(np.sqrt(v) + self.eps)", "np.sqrt(v + self.eps)"),),
        loses=("rmsprop",), feedback=("eps seems to be inside the square root",)),
    SubmissionCase(
        HW3, "no-bias-correction", "wrong", "Adam without the bias correction",
        (Edit("answer-adam", "m_hat = m / (1 - beta1**self.t)", "m_hat = m"),
         Edit("answer-adam", "v_hat = v / (1 - beta2**self.t)", "v_hat = v")),
        loses=("adam",), feedback=("Adam bias correction missing",)),
    SubmissionCase(
        HW3, "adam-not-in-place", "wrong", "Adam rebinds self.params[i] instead of updating the array",
        (Edit("answer-adam", "for p, g, m, v in zip(self.params, grads, self.m, self.v):",
              "for i, (p, g, m, v) in enumerate(zip(self.params, grads, self.m, self.v)):"),
         Edit("answer-adam", "p -= self.lr * m_hat", "self.params[i] = p - self.lr * m_hat")),
        loses=("adam",), feedback=("did not move: update them in place",)),
    SubmissionCase(
        HW3, "schedule-from-one", "wrong", "schedules evaluated at t + 1 (epochs counted from 1)",
        (Edit("answer-schedule", 'if name == "constant":', 't = t + 1  # the first epoch is epoch 1\n'
                                                          '    if name == "constant":'),),
        loses=("schedule_lr",), feedback=("use t, not t + 1",)),
    SubmissionCase(
        HW3, "path-aliases-w", "wrong", "the path stores w itself, which the optimizer keeps changing",
        (Edit("answer-minimize", "path.append(w.copy())", "path.append(w)"),),
        loses=("minimize",), feedback=("append a copy",)),
    SubmissionCase(
        HW3, "reseeds-every-epoch", "wrong", "passes the int seed to minibatches at every epoch",
        (Edit("answer-fit", "rng = np.random.default_rng(rng)  # one generator for all epochs: a new shuffle "
                            "every epoch", "# rng goes to minibatches as it is"),),
        loses=("fit_logistic",), feedback=("same batches in the same order",)),
    # --- correct, written differently: full marks ---------------------------------------------------------
    SubmissionCase(
        HW3, "other-formulations", "correct",
        "a generator of array_split batches, coordinate loops and a dict state in SGD, a rearranged moving "
        "average, Kingma & Ba's ordering of Adam, explicit schedule keywords, a preallocated path",
        tuple(Edit(cell, None, source) for cell, source in _HW3_OTHER.items())),
    # --- shortcuts: calling the coursekit reference earns nothing for that part -----------------------------
    SubmissionCase(
        HW3, "imports-adam", "shortcut", "from coursekit.optim import Adam",
        (Edit("answer-adam", None, "from coursekit.optim import Adam\n"),),
        loses=("adam",), feedback=("is not available while your notebook is graded",)),
    SubmissionCase(
        HW3, "wraps-minibatches", "shortcut", "minibatches returns coursekit.optim.minibatches(...)",
        (Edit("answer-minibatches", None, '''import coursekit.optim

def minibatches(n_samples, batch_size, rng=None):
    return coursekit.optim.minibatches(n_samples, batch_size, rng)
'''),),
        loses=("minibatches",), feedback=("is not available while your notebook is graded",)),
]


HW5 = "hw5-trees-boosting"
_W_RETURN = "return n_left / n * impurity(left, criterion) + n_right / n * impurity(right, criterion)"

_HW5_OTHER = {  # correct answers written differently: vectorised scans, recursion on index sets, margins
    "answer-impurity": '''def impurity(counts, criterion="gini"):
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=-1)
    if criterion == "gini":
        return 1 - (counts[..., 0] ** 2 + counts[..., 1] ** 2) / total**2
    out = np.zeros(total.shape)
    for k in range(2):
        p = counts[..., k] / total
        with np.errstate(divide="ignore", invalid="ignore"):
            out -= np.where(p > 0, p * np.log(p) / np.log(2), 0.0)
    return out
''',
    "answer-best-split": '''def best_split(X, y, criterion="gini"):
    best = None
    for j in range(X.shape[1]):
        order = np.argsort(X[:, j], kind="stable")
        x, labels = X[order, j], y[order]
        left = np.cumsum(np.eye(2)[labels], axis=0)[:-1]  # class counts of the first i + 1 samples
        right = left[-1] + np.eye(2)[labels[-1]] - left
        valid = x[1:] > x[:-1]
        if not valid.any():
            continue
        scores = np.where(valid, weighted_impurity(left, right, criterion), np.inf)
        i = int(np.argmin(scores))
        if best is None or scores[i] < best[2]:
            best = (j, (x[i] + x[i + 1]) / 2, float(scores[i]))
    return best
''',
    "answer-build-tree": '''def build_tree(X, y, max_depth=None, min_samples_split=2, criterion="gini"):
    def grow(rows, depth):
        counts = np.array([np.sum(y[rows] == 0), np.sum(y[rows] == 1)], dtype=float)
        if stop_splitting(depth, len(rows), impurity(counts, criterion), max_depth=max_depth,
                          min_samples_split=min_samples_split):
            return {"value": counts / len(rows)}
        split = best_split(X[rows], y[rows], criterion)
        if split is None:
            return {"value": counts / len(rows)}
        j, s, _ = split
        left, right = rows[X[rows, j] <= s], rows[X[rows, j] > s]
        return {"feature": int(j), "threshold": float(s), "missing_left": len(left) > len(right),
                "left": grow(left, depth + 1), "right": grow(right, depth + 1)}

    return grow(np.arange(len(y)), 0)
''',
    "answer-predict-proba": '''def predict_proba(tree, X):
    out = np.empty((len(X), 2))

    def descend(node, rows):
        if "value" in node:
            out[rows] = node["value"]
            return
        x = X[rows, node["feature"]]
        left = np.where(np.isnan(x), node["missing_left"], x <= node["threshold"])
        descend(node["left"], rows[left])
        descend(node["right"], rows[~left])

    descend(tree, np.arange(len(X)))
    return out
''',
    "answer-staged-error": '''def staged_error(votes, alphas, y):
    margin = np.cumsum(np.asarray(alphas)[:, None] * np.where(votes == 1, 1.0, -1.0), axis=0)
    return np.mean((margin > 0).astype(int) != y, axis=1)  # a tie (margin 0) is class 0
''',
}

_HW5_LOOPS = {  # correct answers with plain Python arithmetic and early returns
    "answer-weighted-impurity": '''def weighted_impurity(left, right, criterion="gini"):
    n_left, n_right = np.sum(left, axis=-1), np.sum(right, axis=-1)
    total = n_left + n_right
    return (n_left * impurity(left, criterion) + n_right * impurity(right, criterion)) / total
''',
    "answer-stop-splitting": '''def stop_splitting(depth, n_samples, node_impurity, max_depth=None,
                   min_samples_split=2):
    if node_impurity <= 0 or n_samples < min_samples_split:
        return True
    if max_depth is None:
        return False
    return depth >= max_depth
''',
    "answer-adaboost-alpha": '''import math

def adaboost_alpha(incorrect, sample_weight):
    w = np.asarray(sample_weight, dtype=float) / np.sum(sample_weight)
    error = float(w[np.asarray(incorrect, dtype=bool)].sum())
    return error, math.log(1 - error) - math.log(error)
''',
    "answer-update-weights": '''def update_weights(sample_weight, incorrect, alpha):
    w = np.array(sample_weight, dtype=float)
    w[np.asarray(incorrect, dtype=bool)] *= np.exp(alpha)
    return w / np.sum(w)
''',
}

CASES += [
    # --- common mistakes: each loses the points of its own part only -------------------------------------
    SubmissionCase(
        HW5, "entropy-nats", "wrong", "the entropy with np.log instead of np.log2",
        (Edit("answer-impurity", "np.log2(", "np.log("),),
        loses=("impurity",), feedback=("the entropy is in nats",)),
    SubmissionCase(
        HW5, "zero-log-zero", "wrong", "np.log2(p) for every class: 0 log 0 gives nan",
        (Edit("answer-impurity", "np.log2(np.where(p > 0, p, 1.0))", "np.log2(p)"),),
        loses=("impurity",), feedback=("0 log 0 counts as 0",)),
    SubmissionCase(
        HW5, "mean-of-children", "wrong", "the plain mean of the two children's impurities",
        (Edit("answer-weighted-impurity", _W_RETURN,
              "return (impurity(left, criterion) + impurity(right, criterion)) / 2"),),
        loses=("weighted_impurity",), feedback=("not weighted by the share of samples in each child",)),
    SubmissionCase(
        HW5, "swapped-shares", "wrong", "H(L) weighted by the right child's share",
        (Edit("answer-weighted-impurity", _W_RETURN,
              "return n_right / n * impurity(left, criterion) + n_left / n * impurity(right, criterion)"),),
        loses=("weighted_impurity",), feedback=("shares look swapped",)),
    SubmissionCase(
        HW5, "last-of-ties", "wrong", "<= keeps the last of equally good splits",
        (Edit("answer-best-split", "if score < best_score:", "if score <= best_score:"),),
        loses=("best_split",), feedback=("ties between thresholds broken differently",)),
    SubmissionCase(
        HW5, "constant-feature", "wrong", "the largest value is a candidate: a split with an empty child",
        (Edit("answer-best-split", "zip(values[:-1], values[1:])",
              "zip(values, np.append(values[1:], values[-1]))"),),
        loses=("best_split",), feedback=("a split on a constant feature",)),
    SubmissionCase(
        HW5, "left-value", "wrong", "the threshold is the left value of the gap, not the midpoint",
        (Edit("answer-best-split", "best, best_score = (j, threshold, score), score",
              "best, best_score = (j, a, score), score"),),
        loses=("best_split",), feedback=("the midpoint threshold vs the left value",)),
    SubmissionCase(
        HW5, "depth-greater", "wrong", "depth > max_depth: one level too deep",
        (Edit("answer-stop-splitting", "depth >= max_depth", "depth > max_depth"),),
        loses=("stop_splitting",), feedback=("one level too deep",)),
    SubmissionCase(
        HW5, "min-split-inclusive", "wrong", "n_samples <= min_samples_split",
        (Edit("answer-stop-splitting", "n_samples < min_samples_split", "n_samples <= min_samples_split"),),
        loses=("stop_splitting",), feedback=("not <=",)),
    SubmissionCase(
        HW5, "none-depth", "wrong", "compares max_depth=None with the depth",
        (Edit("answer-stop-splitting", "max_depth is not None and depth >= max_depth",
              "depth >= max_depth"),),
        loses=("stop_splitting",), feedback=("max_depth=None means no depth limit",)),
    SubmissionCase(
        HW5, "majority-leaf", "wrong", "the leaves hold the majority class as 0/1",
        (Edit("answer-build-tree", '{"value": counts / counts.sum()}',
              '{"value": np.eye(2)[np.argmax(counts)]}'),),
        loses=("build_tree",), feedback=("majority class",)),
    SubmissionCase(
        HW5, "swapped-children", "wrong", "left holds the samples with x > threshold",
        (Edit("answer-build-tree", '"left": build_tree(X[goes_left], y[goes_left]',
              '"left": build_tree(X[~goes_left], y[~goes_left]'),
         Edit("answer-build-tree", '"right": build_tree(X[~goes_left], y[~goes_left]',
              '"right": build_tree(X[goes_left], y[goes_left]')),
        loses=("build_tree",), feedback=("the children are swapped",)),
    SubmissionCase(
        HW5, "root-depth-one", "wrong", "the root has depth 1",
        (Edit("answer-build-tree", 'criterion="gini", depth=0):', 'criterion="gini", depth=1):'),),
        loses=("build_tree",), feedback=("one level too shallow",)),
    SubmissionCase(
        HW5, "missing-left", "wrong", "a missing value always goes left",
        (Edit("answer-predict-proba", 'node["missing_left"] if np.isnan(v)', "True if np.isnan(v)"),),
        loses=("predict_proba",), feedback=("missing values always go left instead of the learned branch",)),
    SubmissionCase(
        HW5, "missing-compared", "wrong", "NaN compared with the threshold (so it always goes right)",
        (Edit("answer-predict-proba", 'node["missing_left"] if np.isnan(v) else v <= node["threshold"]',
              'v <= node["threshold"]'),),
        loses=("predict_proba",), feedback=("missing values always go right",)),
    SubmissionCase(
        HW5, "unweighted-error", "wrong", "the error rate without the weights",
        (Edit("answer-adaboost-alpha", "error = np.sum(sample_weight * incorrect) / np.sum(sample_weight)",
              "error = np.mean(incorrect)"),),
        loses=("adaboost_alpha",), feedback=("α uses the error rate without the weights",)),
    SubmissionCase(
        HW5, "half-alpha", "wrong", "alpha = 1/2 log((1 - eps) / eps), the original AdaBoost's vote",
        (Edit("answer-adaboost-alpha", "np.log((1 - error) / error)", "0.5 * np.log((1 - error) / error)"),),
        loses=("adaboost_alpha",), feedback=("the original two-class AdaBoost",)),
    SubmissionCase(
        HW5, "not-renormalised", "wrong", "the new weights are not divided by their sum",
        (Edit("answer-update-weights", "return w / w.sum()", "return w"),),
        loses=("update_weights",), feedback=("the weights are not renormalised after the update",)),
    SubmissionCase(
        HW5, "plus-minus-alpha", "wrong", "e^alpha on the mistakes and e^-alpha on the others",
        (Edit("answer-update-weights", "np.exp(alpha * incorrect)",
              "np.exp(alpha * np.where(incorrect, 1, -1))"),),
        loses=("update_weights",), feedback=("the correct samples are multiplied by e^(-alpha) too",)),
    SubmissionCase(
        HW5, "final-error-only", "wrong", "returns the error after the last round only",
        (Edit("answer-staged-error", "    return errors", "    return errors[-1]"),),
        loses=("staged_error",), feedback=("staged error counted after the last round only",)),
    SubmissionCase(
        HW5, "unweighted-vote", "wrong", "every learner votes 1, not alpha",
        (Edit("answer-staged-error", "+= alphas[t]", "+= 1"),),
        loses=("staged_error",), feedback=("not weighted by their alphas",)),
    # --- correct, written differently: full marks ---------------------------------------------------------
    SubmissionCase(
        HW5, "vectorised", "correct",
        "class-by-class entropy, a cumulative-sum scan, recursion on index sets, vectorised descent, margins",
        tuple(Edit(cell, None, source) for cell, source in _HW5_OTHER.items())),
    SubmissionCase(
        HW5, "early-returns", "correct",
        "sizes then one division, early returns, math.log, a boolean mask update",
        tuple(Edit(cell, None, source) for cell, source in _HW5_LOOPS.items())),
    # --- shortcuts: calling the coursekit reference earns nothing for that part -----------------------------
    SubmissionCase(
        HW5, "wraps-best-split", "shortcut", "best_split calls coursekit.trees.best_split",
        (Edit("answer-best-split", None, '''import coursekit.trees

def best_split(X, y, criterion="gini"):
    s = coursekit.trees.best_split(X, y, criterion=criterion)
    return None if s.feature < 0 else (s.feature, s.threshold, s.child_impurity)
'''),),
        loses=("best_split",), feedback=("is not available while your notebook is graded",)),
    SubmissionCase(
        HW5, "imports-update", "shortcut", "from coursekit.boosting import update_weights",
        (Edit("answer-update-weights", None, "from coursekit.boosting import update_weights\n"),),
        loses=("update_weights",), feedback=("is not available while your notebook is graded",)),
]
