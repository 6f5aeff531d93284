"""Tests of coursekit.plotting: each figure has the expected artists drawn from the data given (checked
against scikit-learn / hand computations), labelled axes, clear errors for mismatched shapes, no plt.show().
One PNG per function is written to artifacts/plots/ (git-ignored) for a visual check."""

from __future__ import annotations

import importlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # tests only: the library never chooses a backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sklearn.datasets import load_diabetes, make_blobs, make_moons  # noqa: E402
from sklearn.linear_model import LogisticRegression, lasso_path  # noqa: E402
from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_auc_score, roc_curve  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import PolynomialFeatures, StandardScaler  # noqa: E402

from coursekit import nn, plotting  # noqa: E402

PLOTS = Path(__file__).resolve().parents[1] / "artifacts" / "plots"


def fail(*args, **kwargs):
    raise AssertionError("coursekit.plotting must never call show() nor choose a backend")


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    for owner, name in [(plt, "show"), (Figure, "show"), (matplotlib, "use")]:
        monkeypatch.setattr(owner, name, fail)
    yield
    plt.close("all")


def save(ax: Axes, name: str) -> None:
    PLOTS.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(PLOTS / f"{name}.png", dpi=110)


def curves(ax: Axes) -> list:
    """Data lines (reference lines such as chance diagonals have gid 'reference')."""
    return [line for line in ax.get_lines() if line.get_gid() != plotting.REFERENCE]


def contour_sets(ax: Axes) -> list[ContourSet]:
    return [c for c in ax.collections if isinstance(c, ContourSet)]


def scatters(ax: Axes) -> list[PathCollection]:
    return [c for c in ax.collections if isinstance(c, PathCollection) and not isinstance(c, ContourSet)]


def legend_texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(200, noise=0.25, random_state=0)
    clf = make_pipeline(PolynomialFeatures(3), StandardScaler(), LogisticRegression(C=10, max_iter=2000))
    return X, y, clf.fit(X, y)


# ---------------------------------------------------------------------------------------- classification
def test_decision_boundary_with_probabilities(moons):
    X, y, clf = moons
    ax = plotting.plot_decision_boundary(lambda P: clf.predict_proba(P)[:, 1], X, y, grid=150)
    assert isinstance(ax, Axes)
    filled, boundary = contour_sets(ax)
    assert filled.filled and not boundary.filled and list(boundary.levels) == [0.5]
    # oracle: the drawn boundary is where the classifier's probability crosses 1/2
    vertices = np.concatenate([p.vertices for p in boundary.get_paths() if len(p.vertices)])
    assert len(vertices) > 50
    assert np.abs(clf.predict_proba(vertices)[:, 1] - 0.5).max() < 0.05
    points = scatters(ax)
    assert [len(s.get_offsets()) for s in points] == [np.sum(y == 0), np.sum(y == 1)]
    assert legend_texts(ax) == ["y = 0", "y = 1"]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.figure.axes) == 2  # the colour bar
    save(ax, "decision_boundary")


def test_decision_boundary_accepts_predict_proba_and_labels(moons):
    X, y, clf = moons
    _, ax = plt.subplots()
    assert plotting.plot_decision_boundary(clf.predict_proba, X, y, ax=ax, grid=50, colorbar=False) is ax
    assert len(contour_sets(ax)) == 2 and len(ax.figure.axes) == 1
    Xb, yb = make_blobs(150, centers=3, random_state=1)
    three = LogisticRegression().fit(Xb, yb)
    ax = plotting.plot_decision_boundary(three.predict, Xb, yb, proba=False, grid=80,
                                         feature_names=["income", "debt"])
    filled, lines = contour_sets(ax)
    assert filled.filled and len(lines.levels) == 2  # two boundaries between three classes
    assert len(scatters(ax)) == 3 and (ax.get_xlabel(), ax.get_ylabel()) == ("income", "debt")


def test_decision_boundary_errors(moons):
    X, y, clf = moons
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plotting.plot_decision_boundary(clf.predict, np.c_[X, X], y)
    with pytest.raises(ValueError, match="one label per row"):
        plotting.plot_decision_boundary(clf.predict, X, y[:-3])
    with pytest.raises(ValueError, match="predict_fn returned shape"):
        plotting.plot_decision_boundary(lambda P: P[:10, 0], X, y, grid=20)
    with pytest.raises(ValueError, match="proba=False"):
        plotting.plot_decision_boundary(lambda P: 3 * P[:, 0], X, y, grid=20)


def test_confusion_matrix():
    y_true = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 1])
    y_pred = np.array([0, 1, 0, 1, 1, 2, 0, 2, 2, 2])
    cm = confusion_matrix(y_true, y_pred)
    ax = plotting.plot_confusion_matrix(cm, ["good", "late", "default"])
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), cm)
    texts = [t.get_text() for t in ax.texts]
    assert texts == [str(v) for v in cm.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["good", "late", "default"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted label", "true label")
    save(ax, "confusion_matrix")
    ax = plotting.plot_confusion_matrix(cm, normalize=True)
    np.testing.assert_allclose(ax.get_images()[0].get_array().sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="square"):
        plotting.plot_confusion_matrix(cm[:2])
    with pytest.raises(ValueError, match="3 labels"):
        plotting.plot_confusion_matrix(cm[:2, :2], ["a", "b", "c"])


def test_roc_curves_overlay(moons):
    X, y, clf = moons
    linear = LogisticRegression().fit(X, y)
    ax = None
    for name, model in [("cubic features", clf), ("linear", linear)]:
        s = model.predict_proba(X)[:, 1]
        fpr, tpr, _ = roc_curve(y, s)
        ax = plotting.plot_roc(fpr, tpr, auc=roc_auc_score(y, s), ax=ax, label=name)
    lines = curves(ax)
    assert len(lines) == 2 and len(ax.get_lines()) == 3  # two curves, one chance diagonal
    assert lines[0].get_color() != lines[1].get_color()
    np.testing.assert_array_equal(lines[1].get_xydata(), np.c_[fpr, tpr])
    assert any(t.startswith("linear (AUC = 0.") for t in legend_texts(ax))
    assert "false-positive rate" in ax.get_xlabel()
    save(ax, "roc")
    with pytest.raises(ValueError, match="tpr has 2 entries"):
        plotting.plot_roc([0, 0.5, 1], [0, 1])


def test_precision_recall(moons):
    X, y, clf = moons
    precision, recall, _ = precision_recall_curve(y, clf.predict_proba(X)[:, 1])
    ax = plotting.plot_precision_recall(precision, recall, label="cubic", baseline=y.mean())
    (line,) = curves(ax)
    assert line.get_drawstyle() == "steps-post"
    np.testing.assert_array_equal(line.get_xdata(), recall)
    assert len(ax.get_lines()) == 2 and (ax.get_xlabel(), ax.get_ylabel()) == ("recall", "precision")
    save(ax, "precision_recall")
    with pytest.raises(ValueError, match="1-D"):
        plotting.plot_precision_recall(precision[:, None], recall)


# -------------------------------------------------------------------------- overfitting & regularization
def test_learning_curves_polynomial_degree():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 30)
    y = np.sin(2 * np.pi * x) + rng.normal(0, 0.3, 30)
    xv = rng.uniform(0, 1, 200)
    yv = np.sin(2 * np.pi * xv) + rng.normal(0, 0.3, 200)
    degrees = np.arange(1, 13)
    fits = [np.polynomial.Polynomial.fit(x, y, d) for d in degrees]
    train = [np.mean((p(x) - y) ** 2) for p in fits]
    val = [np.mean((p(xv) - yv) ** 2) for p in fits]
    ax = plotting.plot_learning_curves(degrees, train, val, "polynomial degree", "mean squared error")
    assert len(curves(ax)) == 2 and legend_texts(ax) == ["training", "validation"]
    np.testing.assert_array_equal(curves(ax)[1].get_ydata(), val)
    assert ax.get_xlabel() == "polynomial degree"
    save(ax, "learning_curves")


def test_learning_curves_with_folds_and_log_x():
    rng = np.random.default_rng(1)
    x = np.logspace(-3, 1, 6)
    train, val = rng.uniform(0, 1, (6, 5)), rng.uniform(0, 1, (6, 5))
    ax = plotting.plot_learning_curves(x, train, val, "alpha", "error", log_x=True)
    np.testing.assert_allclose(curves(ax)[0].get_ydata(), train.mean(axis=1))
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2  # ±1 std bands
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match="one row per x value"):
        plotting.plot_learning_curves(x, train[:4], val, "alpha", "error")
    with pytest.raises(ValueError, match="log"):
        plotting.plot_learning_curves(x - 1, train, val, "alpha", "error", log_x=True)


def test_coefficient_path():
    data = load_diabetes()
    X = StandardScaler().fit_transform(data.data)
    y = data.target - data.target.mean()
    alpha_max = np.abs(X.T @ y).max() / len(y)  # smallest alpha with all coefficients 0
    alphas, coefs, _ = lasso_path(X, y, alphas=np.geomspace(alpha_max, alpha_max * 1e-3, 40))
    ax = plotting.plot_coefficient_path(alphas, coefs.T, feature_names=data.feature_names, n_label=4)
    assert len(curves(ax)) == X.shape[1]
    assert len(legend_texts(ax)) == 4
    largest = np.argsort(-np.abs(coefs).max(axis=1))[:4]
    assert legend_texts(ax) == [data.feature_names[j] for j in largest]
    assert ax.get_xscale() == "log" and ax.xaxis_inverted()
    assert "alpha" in ax.get_xlabel() and ax.get_ylabel() == "coefficient"
    save(ax, "coefficient_path")
    with pytest.raises(ValueError, match=r"shape \(len\(alphas\), d\)"):
        plotting.plot_coefficient_path(alphas, coefs)
    with pytest.raises(ValueError, match="feature names"):
        plotting.plot_coefficient_path(alphas, coefs.T, feature_names=["a", "b"])
    with pytest.raises(ValueError, match="<= 0"):
        plotting.plot_coefficient_path(np.r_[0.0, alphas[1:]], coefs.T)


# ------------------------------------------------------------------------------------------ optimization
A = np.array([[10.0, 3.0], [3.0, 2.0]])
B = np.array([1.0, -1.0])
W_STAR = np.linalg.solve(A, B)


def quadratic(W):
    """f(w) = w'Aw/2 - b'w for a batch of points (m, 2)."""
    return 0.5 * np.einsum("mi,ij,mj->m", W, A, W) - W @ B


def gradient_descent(lr, momentum=0.0, steps=40):
    w, v, path = np.array([-1.5, 2.0]), np.zeros(2), []
    for _ in range(steps):
        path.append(w.copy())
        v = momentum * v + (A @ w - B)
        w = w - lr * v
    return np.array(path)


def test_contours_levels_geometric_above_minimum():
    ax = plotting.plot_contours(quadratic, (-2, 2), (-3, 3), levels=12, grid=120)
    (cs,) = contour_sets(ax)
    xs, ys = np.linspace(-2, 2, 120), np.linspace(-3, 3, 120)
    xx, yy = np.meshgrid(xs, ys)
    Z = quadratic(np.c_[xx.ravel(), yy.ravel()])
    np.testing.assert_allclose(cs.levels, Z.min() + (Z.max() - Z.min()) * np.geomspace(1e-2, 1, 12))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$w_1$", "$w_2$")
    # a function of a single point gives the same picture
    ax2 = plotting.plot_contours(lambda w: 0.5 * w @ A @ w - B @ w, (-2, 2), (-3, 3), levels=12, grid=120)
    np.testing.assert_allclose(contour_sets(ax2)[0].levels, cs.levels)
    with pytest.raises(ValueError, match="increasing"):
        plotting.plot_contours(quadratic, (2, -2), (-3, 3))


def test_trajectories_over_contours():
    paths = {"GD lr=0.05": gradient_descent(0.05), "GD lr=0.18": gradient_descent(0.18),
             "momentum 0.8": gradient_descent(0.03, momentum=0.8)}
    ax = plotting.plot_trajectories(paths, f=quadratic, xlim=(-2, 2), ylim=(-1.5, 2.5))
    assert len(contour_sets(ax)) == 1
    lines = curves(ax)
    assert [line.get_label() for line in lines] == list(paths)
    for line, path in zip(lines, paths.values(), strict=True):
        np.testing.assert_array_equal(line.get_xydata(), path)
    assert len(scatters(ax)) == 2 * len(paths)  # start and end markers
    save(ax, "trajectories")
    ax = plotting.plot_trajectories({"GD": paths["GD lr=0.05"]})  # limits from the data, no contours
    lo, hi = ax.get_xlim()
    assert lo < paths["GD lr=0.05"][:, 0].min() and hi > paths["GD lr=0.05"][:, 0].max()
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        plotting.plot_trajectories({"bad": np.zeros((5, 3))})
    with pytest.raises(ValueError, match="empty"):
        plotting.plot_trajectories({})


def test_loss_curves():
    f_star = quadratic(W_STAR[None])[0]
    losses = {name: quadratic(gradient_descent(lr, m, steps=60)) - f_star + 1e-16
              for name, lr, m in [("lr 0.05", 0.05, 0.0), ("lr 0.18", 0.18, 0.0), ("momentum", 0.03, 0.8)]}
    ax = plotting.plot_loss_curves(losses, ylabel=r"$f(w_t) - f^\star$")
    assert len(curves(ax)) == 3 and ax.get_yscale() == "log" and ax.get_xlabel() == "step"
    np.testing.assert_array_equal(curves(ax)[2].get_ydata(), losses["momentum"])
    save(ax, "loss_curves")
    diverging = {"lr 0.25": quadratic(gradient_descent(0.25, steps=60)) - f_star}  # grows without bound
    assert plotting.plot_loss_curves(diverging, x=np.arange(60) * 10, xlabel="examples seen").get_lines()
    with pytest.raises(ValueError, match="log_y=False"):
        plotting.plot_loss_curves({"raw": quadratic(gradient_descent(0.05))})  # f can be negative
    assert plotting.plot_loss_curves({"raw": quadratic(gradient_descent(0.05))}, log_y=False)
    with pytest.raises(ValueError, match="one per x value"):
        plotting.plot_loss_curves(losses, x=np.arange(10))


def test_schedules():
    T, lr0 = 100, 0.1
    cosine = [0.5 * lr0 * (1 + np.cos(np.pi * t / T)) for t in range(T)]
    ax = plotting.plot_schedules({"constant": np.full(T, lr0), "step": lambda t: lr0 * 0.5 ** (t // 30),
                                  "cosine": cosine}, n_steps=T)
    assert len(curves(ax)) == 3 and ax.get_ylabel() == "learning rate"
    np.testing.assert_allclose(curves(ax)[1].get_ydata()[[0, 29, 30, 99]], [0.1, 0.1, 0.05, 0.0125])
    save(ax, "schedules")
    with pytest.raises(ValueError, match="n_steps"):
        plotting.plot_schedules({"step": lambda t: lr0})


# ------------------------------------------------------------------------------------------ gradients
def test_layer_grad_norms_from_the_chapter_experiment():
    configs = {"sigmoid, N(0, 0.01²)": ("sigmoid", "normal"), "tanh, Xavier": ("tanh", "xavier"),
               "ReLU, He": ("relu", "he")}
    norms = {name: nn.depth_gradient_norms(10, 32, act, init, n_samples=64, rng=0)
             for name, (act, init) in configs.items()}
    ax = plotting.plot_layer_grad_norms(norms)
    assert len(curves(ax)) == 3 and ax.get_yscale() == "log"
    np.testing.assert_array_equal(curves(ax)[0].get_xdata(), np.arange(1, 11))
    assert "layer" in ax.get_xlabel() and legend_texts(ax) == list(norms)
    save(ax, "layer_grad_norms")
    rnn = nn.RNN(2, 8, 1, init_scale=0.5, rng=0)
    rnn.backward(np.ones_like(rnn.forward(np.zeros((4, 6, 2)))))
    ax = plotting.plot_layer_grad_norms({"W_hh = 0.5 Q": rnn.hidden_grad_norms()}, xlabel="time step t")
    assert ax.get_xlabel() == "time step t"
    with pytest.raises(ValueError, match="1-D"):
        plotting.plot_layer_grad_norms({"bad": np.ones((2, 3))})


def test_importing_the_library_does_not_choose_a_backend():
    backend = matplotlib.get_backend()
    importlib.reload(plotting)  # matplotlib.use and show() raise here (see no_show)
    assert isinstance(plotting.plot_loss_curves({"a": [1.0, 0.5]}), Axes)
    assert matplotlib.get_backend() == backend
