"""The course's figures, drawn from real computations.

Every function takes ``ax=None`` (a new figure is made with ``plt.subplots()`` when it is ``None``) and
returns the matplotlib ``Axes`` it drew on; none calls ``plt.show()`` and none chooses a backend, so the same
code works in a notebook, in the site build and in a headless test. Curves use the Okabe–Ito colour-blind-safe
palette (:data:`PALETTE`), axes are labelled, and quantities spanning decades (losses, gradient norms,
regularization strengths) are drawn on log scales.

Reference lines (chance diagonals, zero lines, baselines) have the ``gid`` ``"reference"`` so that they can be
told apart from data curves.

Figures are sized for the text column of the course site: :func:`use_course_style` draws at :data:`DPI`
dots per inch with fonts of at least :data:`MIN_FONT_PT` points, and a figure at most
:data:`COLUMN_WIDTH_IN` inches wide is shown at its natural size, so that its smallest text is at least 9 pt
on screen. Every figure opens at full size from the site.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, ListedColormap
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Okabe–Ito colours (blue, vermillion, green, reddish purple, orange, sky blue, black), distinguishable with
the common forms of colour blindness; the yellow of the original palette is left out (unreadable on white)."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":")
PROBA_CMAP = LinearSegmentedColormap.from_list("coursekit_proba", [PALETTE[0], "#f7f7f7", PALETTE[1]])
"""Diverging map for P(y = 1): class-0 blue, white at 0.5, class-1 vermillion (the scatter colours)."""
CONTOUR_CMAP = LinearSegmentedColormap.from_list("coursekit_contours", ["0.4", "0.85"])
"""Greys for loss contours (dark near the minimum), so that coloured optimizer paths stand out."""
REFERENCE = "reference"

DPI = 100
"""Dots per inch of the course's figures: one inch of figure is 100 pixels of the PNG."""
COLUMN_WIDTH_IN = 6.5
"""The widest figure, in inches, that a cell output of the site's text column (about 665 CSS pixels on a
desktop) shows unscaled."""
MIN_FONT_PT = 9.0
"""The smallest font size of a figure, in points: 12.5 pixels at :data:`DPI`, as large as a 9 pt text."""
COURSE_STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.figsize": (COLUMN_WIDTH_IN, 4.0),
    "font.size": 10.0,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10.0,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": 11.0,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
"""The matplotlib settings of :func:`use_course_style`."""


def use_course_style() -> None:
    """Set matplotlib's defaults to the course's figure style (:data:`COURSE_STYLE`).

    Call it once at the top of a chapter: figures are drawn at :data:`DPI`, with fonts of at least
    :data:`MIN_FONT_PT` points and a default width of :data:`COLUMN_WIDTH_IN` inches, the text column.
    """
    plt.rcParams.update(COURSE_STYLE)


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    return ax


def _style(i: int) -> dict:
    """Colour (and, past the palette, line style) of the i-th curve."""
    n = len(PALETTE)
    return {"color": PALETTE[i % n], "linestyle": LINESTYLES[(i // n) % len(LINESTYLES)]}


def _n_curves(ax: Axes) -> int:
    return sum(line.get_gid() != REFERENCE for line in ax.get_lines())


def _vector(name: str, a: ArrayLike, n: int | None = None) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {a.shape}")
    if n is not None and a.size != n:
        raise ValueError(f"{name} has {a.size} entries but {n} were expected (one per x value)")
    return a


def _check_log(name: str, a: np.ndarray, flag: str) -> None:
    finite = a[np.isfinite(a)]
    if np.any(finite <= 0):
        raise ValueError(f"{name} has values <= 0, which a log scale cannot show: pass {flag}=False "
                         "(or plot a positive quantity such as loss - min + 1e-12)")


def _finish(ax: Axes, **kw) -> Axes:
    if any(not h.get_label().startswith("_") for h in ax.get_lines() + ax.collections):
        ax.legend(**kw)
    return ax


# ------------------------------------------------------------------------------------------ classification
def plot_decision_boundary(predict_fn: Callable[[np.ndarray], ArrayLike], X: ArrayLike, y: ArrayLike,
                           ax: Axes | None = None, grid: int = 200, proba: bool = True,
                           feature_names: Sequence[str] | None = None, colorbar: bool = True) -> Axes:
    r"""Decision regions of a 2-D classifier with the data on top.

    ``predict_fn`` is evaluated on a ``grid`` × ``grid`` mesh covering the data (10 % margin).

    - ``proba=True``: ``predict_fn`` returns :math:`P(y=1\mid x)`, shape ``(m,)`` (or ``(m, 2)``, column 1 is
      used, like scikit-learn's ``predict_proba``); the probability is shaded (with a colour bar) and the
      boundary :math:`P = 0.5` is drawn in black. A ``(m, K)`` output with :math:`K > 2` is turned into labels
      by ``argmax``.
    - ``proba=False``: ``predict_fn`` returns labels (any number of classes); regions are shaded per class and
      boundaries drawn between them.

    Parameters
    ----------
    predict_fn : callable
        ``predict_fn(points (m, 2)) -> (m,)`` or ``(m, K)``.
    X : array of shape (n, 2)
    y : array of shape (n,)
        Class labels of the points.
    ax : matplotlib Axes or None
    grid : int
        Mesh points per axis.
    proba : bool
    feature_names : pair of str, optional
        Axis labels (default :math:`x_1, x_2`).
    colorbar : bool
        Add a colour bar for the probability (``proba=True`` only).

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/classification`.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2) (two features to draw), got {X.shape}; "
                         "select or project two features first")
    if y.shape != (X.shape[0],):
        raise ValueError(f"X has {X.shape[0]} rows but y has shape {y.shape}; pass one label per row")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.where(hi > lo, 0.1 * (hi - lo), 0.5)
    xx, yy = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], grid),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], grid))
    out = np.asarray(predict_fn(np.column_stack([xx.ravel(), yy.ravel()])))
    if out.ndim not in (1, 2) or out.shape[0] != xx.size:
        raise ValueError(f"predict_fn returned shape {out.shape} for {xx.size} points; "
                         "it must return (m,) or (m, K)")
    if out.ndim == 2:
        if proba and out.shape[1] == 2:
            out = out[:, 1]
        else:
            out, proba = out.argmax(axis=1), False
    classes = palette_classes = np.unique(y)
    ax = _axes(ax)
    if proba:
        out = out.astype(float)
        if np.nanmin(out) < 0 or np.nanmax(out) > 1:
            raise ValueError("predict_fn returned values outside [0, 1]; with proba=True it must return "
                             "P(y = 1). Pass proba=False for class labels")
        Z = out.reshape(xx.shape)
        filled = ax.contourf(xx, yy, Z, levels=np.linspace(0, 1, 11), cmap=PROBA_CMAP, alpha=0.45)
        ax.contour(xx, yy, Z, levels=[0.5], colors="k", linewidths=1.5)
        if colorbar:
            ax.figure.colorbar(filled, ax=ax, label=r"$P(y = 1 \mid x)$", ticks=np.linspace(0, 1, 6))
    else:
        palette_classes = np.union1d(classes, np.unique(out))  # predicted classes may be absent from y
        Z = np.searchsorted(palette_classes, out).reshape(xx.shape)  # class index per grid point
        k = len(palette_classes)
        cmap = ListedColormap([PALETTE[i % len(PALETTE)] for i in range(k)])
        ax.contourf(xx, yy, Z, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25)
        if k > 1:
            ax.contour(xx, yy, Z, levels=np.arange(k - 1) + 0.5, colors="k", linewidths=1.0)
    for c in classes:
        i = int(np.searchsorted(palette_classes, c))
        ax.scatter(*X[y == c].T, s=22, color=PALETTE[i % len(PALETTE)], marker=MARKERS[i % len(MARKERS)],
                   edgecolors="k", linewidths=0.6, label=f"y = {c}")
    names = feature_names if feature_names is not None else ("$x_1$", "$x_2$")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.legend(loc="best", framealpha=0.9)
    return ax


def plot_confusion_matrix(cm: ArrayLike, labels: Sequence | None = None, ax: Axes | None = None,
                          normalize: bool = False) -> Axes:
    """Confusion matrix as an annotated heat map (rows: true class, columns: predicted class).

    Parameters
    ----------
    cm : array of shape (K, K)
        Counts, e.g. from :func:`coursekit.metrics.confusion_matrix`.
    labels : sequence of K names, optional
        Class names (default ``0..K-1``).
    ax : matplotlib Axes or None
    normalize : bool
        Show each row as fractions of the true class (the diagonal is then the recall of each class).

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/classification`.
    """
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square (K, K) matrix, got shape {cm.shape}")
    k = cm.shape[0]
    labels = list(range(k)) if labels is None else list(labels)
    if len(labels) != k:
        raise ValueError(f"cm is {k}x{k} but {len(labels)} labels were given; pass one label per class")
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    ax = _axes(ax)
    im = ax.imshow(cm, cmap="Blues", vmin=0)
    for (i, j), v in np.ndenumerate(cm):
        text = f"{v:.2f}" if normalize else f"{v:.0f}"
        ax.text(j, i, text, ha="center", va="center", fontsize=12,
                color="white" if v > 0.5 * cm.max() else "black")
    ax.set_xticks(range(k), [str(label) for label in labels])
    ax.set_yticks(range(k), [str(label) for label in labels])
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    bar = ax.figure.colorbar(im, ax=ax, label="fraction of the true class" if normalize else "count")
    if not normalize:
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    return ax


def plot_roc(fpr: ArrayLike, tpr: ArrayLike, auc: float | None = None, ax: Axes | None = None,
             label: str | None = None) -> Axes:
    r"""ROC curve (true-positive rate against false-positive rate) with the chance diagonal.

    Call it again with the same ``ax`` to compare classifiers: each curve gets the next colour and the
    diagonal is drawn once.

    Parameters
    ----------
    fpr, tpr : arrays of shape (m,)
        From :func:`coursekit.metrics.roc_curve`.
    auc : float, optional
        Area under the curve, shown in the legend.
    label : str, optional
        Name of the classifier in the legend.

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/classification`.
    """
    fpr = _vector("fpr", fpr)
    tpr = _vector("tpr", tpr, fpr.size)
    ax = _axes(ax)
    if not any(line.get_gid() == REFERENCE for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], color="0.5", linestyle=":", linewidth=1, label="chance", gid=REFERENCE)
    text = label or "ROC"
    if auc is not None:
        text += f" (AUC = {auc:.3f})"
    ax.plot(fpr, tpr, linewidth=2, label=text, **_style(_n_curves(ax)))
    ax.set(xlim=(-0.01, 1.01), ylim=(-0.01, 1.01), xlabel="false-positive rate",
           ylabel="true-positive rate (recall)")
    ax.set_aspect("equal")
    return _finish(ax, loc="lower right")


def plot_precision_recall(precision: ArrayLike, recall: ArrayLike, ax: Axes | None = None,
                          label: str | None = None, baseline: float | None = None) -> Axes:
    """Precision–recall curve (a step curve, like scikit-learn's ``PrecisionRecallDisplay``).

    Parameters
    ----------
    precision, recall : arrays of shape (m,)
        From :func:`coursekit.metrics.precision_recall_curve`.
    label : str, optional
        Legend entry (e.g. ``"logistic, AP = 0.41"``).
    baseline : float, optional
        Fraction of positives: the precision of a random classifier, drawn as a dotted line.

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/classification`.
    """
    precision = _vector("precision", precision)
    recall = _vector("recall", recall, precision.size)
    ax = _axes(ax)
    if baseline is not None:
        ax.axhline(baseline, color="0.5", linestyle=":", linewidth=1, gid=REFERENCE,
                   label=f"chance (positive rate {baseline:.3g})")
    ax.plot(recall, precision, drawstyle="steps-post", linewidth=2, label=label or "precision-recall",
            **_style(_n_curves(ax)))
    ax.set(xlim=(-0.01, 1.01), ylim=(0.0, 1.02), xlabel="recall", ylabel="precision")
    return _finish(ax, loc="best")


# ------------------------------------------------------------------------------------ overfitting & penalties
def plot_learning_curves(x: ArrayLike, train: ArrayLike, val: ArrayLike, xlabel: str, ylabel: str,
                         ax: Axes | None = None, log_x: bool = False) -> Axes:
    """Training and validation scores against a size, a complexity or an epoch.

    Parameters
    ----------
    x : array of shape (m,)
        Training-set sizes, polynomial degrees, regularization strengths, epochs, ...
    train, val : arrays of shape (m,) or (m, k)
        Scores; with ``k`` columns (folds or repeats) the mean is drawn with a band of ±1 standard deviation.
    xlabel, ylabel : str
        Axis labels (say what is measured: "training-set size", "validation error").
    log_x : bool
        Log scale for ``x`` (e.g. regularization strengths).

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/overfitting`.
    """
    x = _vector("x", x)
    ax = _axes(ax)
    for i, (name, values) in enumerate((("training", train), ("validation", val))):
        values = np.asarray(values, dtype=float)
        if values.ndim not in (1, 2) or values.shape[0] != x.size:
            raise ValueError(f"{name} scores have shape {values.shape} but x has {x.size} entries; "
                             "pass (m,) or (m, k) arrays with one row per x value")
        mean = values if values.ndim == 1 else values.mean(axis=1)
        ax.plot(x, mean, marker=MARKERS[i], markersize=4, linewidth=2, label=name, **_style(i))
        if values.ndim == 2:
            std = values.std(axis=1)
            ax.fill_between(x, mean - std, mean + std, alpha=0.2, color=PALETTE[i], linewidth=0)
    if log_x:
        _check_log("x", x, "log_x")
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return _finish(ax, loc="best")


def plot_coefficient_path(alphas: ArrayLike, coefs: ArrayLike, feature_names: Sequence[str] | None = None,
                          n_label: int = 8, ax: Axes | None = None) -> Axes:
    r"""Regularization path: each coefficient against the penalty strength :math:`\alpha` (log scale).

    The :math:`\alpha` axis is reversed so that the model grows from left (strong penalty, all zeros for L1)
    to right (weak penalty). The ``n_label`` features with the largest :math:`\max_\alpha |w_j(\alpha)|` are
    coloured and named in the legend; the others are thin grey lines.

    Parameters
    ----------
    alphas : array of shape (m,), positive
    coefs : array of shape (m, d)
        Coefficients fitted at each alpha, e.g. ``RegPath.coefs``.
    feature_names : sequence of d str, optional
    n_label : int
        Number of features named in the legend.

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/regularization`.
    """
    alphas = _vector("alphas", alphas)
    coefs = np.asarray(coefs, dtype=float)
    if coefs.ndim != 2 or coefs.shape[0] != alphas.size:
        raise ValueError(f"coefs must have shape (len(alphas), d) = ({alphas.size}, d), got {coefs.shape}")
    _check_log("alphas", alphas, "positive alphas; log scale")
    d = coefs.shape[1]
    names = [f"feature {j}" for j in range(d)] if feature_names is None else [str(n) for n in feature_names]
    if len(names) != d:
        raise ValueError(f"coefs has {d} columns but {len(names)} feature names were given")
    ax = _axes(ax)
    ax.axhline(0.0, color="0.6", linewidth=0.8, gid=REFERENCE)
    top = np.argsort(-np.abs(coefs).max(axis=0), kind="stable")[:max(n_label, 0)]
    for j in range(d):
        if j not in top:
            ax.plot(alphas, coefs[:, j], color="0.7", linewidth=0.8, label=f"_{names[j]}", zorder=1)
    for rank, j in enumerate(top):
        ax.plot(alphas, coefs[:, j], linewidth=1.8, label=names[j], zorder=2, **_style(rank))
    ax.set_xscale("log")
    if not ax.xaxis_inverted():
        ax.invert_xaxis()
    ax.set(xlabel=r"regularization strength $\alpha$ (log scale, decreasing)", ylabel="coefficient")
    return _finish(ax, loc="best", fontsize=MIN_FONT_PT)


# ------------------------------------------------------------------------------------------ optimization
def _evaluate_grid(f: Callable, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    points = np.column_stack([xx.ravel(), yy.ravel()])
    try:
        z = np.asarray(f(points), dtype=float)
    except (ValueError, TypeError, IndexError):
        z = None
    if z is None or z.shape != (points.shape[0],):  # f takes one point at a time
        z = np.array([float(f(p)) for p in points])
    return z.reshape(xx.shape)


def plot_contours(f: Callable[[np.ndarray], ArrayLike], xlim: tuple[float, float], ylim: tuple[float, float],
                  ax: Axes | None = None, levels: int | ArrayLike = 30, grid: int = 200,
                  equal_aspect: bool = True) -> Axes:
    r"""Contour lines of a function of two parameters (a loss surface).

    With an integer ``levels`` the levels are spaced geometrically above the minimum :math:`f_0` of the grid,
    :math:`f_0 + \Delta\cdot 10^{-2 + 2k/(\text{levels}-1)}` with :math:`\Delta` the range of :math:`f` on the
    grid, so that both the narrow valley and the far walls of an ill-conditioned quadratic show.

    Parameters
    ----------
    f : callable
        ``f(points (m, 2)) -> (m,)`` (e.g. ``Quadratic.loss``); a function of one point ``(2,) -> float`` also
        works (slower).
    xlim, ylim : (float, float)
        Ranges of the two parameters.
    levels : int or array
        Number of levels, or the levels themselves.
    grid : int
        Mesh points per axis.
    equal_aspect : bool
        Same scale on both axes, so that angles and elongations are true.

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/optimization`.
    """
    (x0, x1), (y0, y1) = xlim, ylim
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"xlim and ylim must be increasing (low, high) pairs, got {xlim} and {ylim}")
    xx, yy = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    Z = _evaluate_grid(f, xx, yy)
    if np.isscalar(levels) or np.ndim(levels) == 0:
        lo, span = np.nanmin(Z), np.nanmax(Z) - np.nanmin(Z)
        levels = lo + span * np.geomspace(1e-2, 1.0, int(levels)) if span > 0 else int(levels)
    ax = _axes(ax)
    ax.contour(xx, yy, Z, levels=levels, cmap=CONTOUR_CMAP, linewidths=0.7)
    ax.set(xlim=xlim, ylim=ylim, xlabel="$w_1$", ylabel="$w_2$")
    if equal_aspect:
        ax.set_aspect("equal", adjustable="box")
    return ax


def plot_trajectories(trajectories: Mapping[str, ArrayLike], f: Callable | None = None,
                      xlim: tuple[float, float] | None = None, ylim: tuple[float, float] | None = None,
                      ax: Axes | None = None, levels: int | ArrayLike = 30) -> Axes:
    """Optimizer paths in a 2-D parameter space, over the contours of the loss when ``f`` is given.

    Each path is a line with small markers (one per iterate), a circle at its start and a star at its end.

    Parameters
    ----------
    trajectories : dict name -> array of shape (T, 2)
        Iterates :math:`w_0, w_1, \\dots` of each optimizer (e.g. ``History.params``).
    f : callable, optional
        Loss drawn with :func:`plot_contours`.
    xlim, ylim : (float, float), optional
        View; by default the finite iterates plus a 10 % margin.
    levels : int or array
        Contour levels (see :func:`plot_contours`).

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/optimization`.
    """
    if not trajectories:
        raise ValueError("trajectories is empty; pass a dict such as {'SGD': array of shape (T, 2)}")
    paths = {}
    for name, path in trajectories.items():
        path = np.asarray(path, dtype=float)
        if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
            raise ValueError(f"trajectory {name!r} has shape {path.shape}; it must be (T, 2) with T >= 1")
        paths[name] = path
    pts = np.concatenate(list(paths.values()))
    pts = pts[np.isfinite(pts).all(axis=1)]

    def limits(lim, k):
        if lim is not None:
            return lim
        lo, hi = pts[:, k].min(), pts[:, k].max()
        pad = 0.1 * (hi - lo) if hi > lo else 1.0
        return (lo - pad, hi + pad)

    xlim, ylim = limits(xlim, 0), limits(ylim, 1)
    ax = _axes(ax)
    if f is not None:
        plot_contours(f, xlim, ylim, ax=ax, levels=levels)
    for i, (name, path) in enumerate(paths.items()):
        style = _style(i)
        ax.plot(*path.T, marker=MARKERS[i % len(MARKERS)], markersize=3, linewidth=1.5, label=name, **style)
        ax.scatter(*path[0], s=40, marker="o", color=style["color"], edgecolors="k", zorder=3)
        ax.scatter(*path[-1], s=120, marker="*", color=style["color"], edgecolors="k", zorder=3)
    ax.set(xlim=xlim, ylim=ylim, xlabel="$w_1$", ylabel="$w_2$")
    return _finish(ax, loc="best")


def plot_loss_curves(curves: Mapping[str, ArrayLike], x: ArrayLike | None = None, xlabel: str = "step",
                     ax: Axes | None = None, log_y: bool = True, ylabel: str = "loss") -> Axes:
    """Loss (or any positive quantity) of several runs against the step, on a log scale by default.

    Parameters
    ----------
    curves : dict name -> array of shape (T,)
        One curve per run; non-finite values (a diverging run) are left as gaps.
    x : array of shape (T,), optional
        Shared x values (default ``0..T-1`` per curve, so curves may have different lengths).
    xlabel, ylabel : str
    log_y : bool
        Log scale for the loss (values must be positive).

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/optimization`.
    """
    if not curves:
        raise ValueError("curves is empty; pass a dict such as {'SGD': losses}")
    xs = None if x is None else _vector("x", x)
    ax = _axes(ax)
    for i, (name, values) in enumerate(curves.items()):
        values = _vector(f"curve {name!r}", values, None if xs is None else xs.size)
        if log_y:
            _check_log(f"curve {name!r}", values, "log_y")
        ax.plot(np.arange(values.size) if xs is None else xs, values, linewidth=1.8, label=str(name),
                **_style(i))
    if log_y:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return _finish(ax, loc="best")


def plot_schedules(schedules: Mapping[str, ArrayLike | Callable[[int], float]], n_steps: int | None = None,
                   ax: Axes | None = None, log_y: bool = False, xlabel: str = "step") -> Axes:
    """Learning-rate schedules: learning rate against the step.

    Parameters
    ----------
    schedules : dict name -> array of shape (T,) or callable ``t -> lr``
        Values, or a function evaluated at ``t = 0..n_steps-1`` (e.g.
        ``lambda t: schedule_lr("cosine", 0.1, t, T_max=100)`` with :func:`coursekit.optim.schedule_lr`).
    n_steps : int, optional
        Number of steps for callables.
    log_y : bool
        Log scale for the learning rate (exponential decay is then a straight line).

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/optimization`.
    """
    if not schedules:
        raise ValueError("schedules is empty; pass a dict such as {'cosine': lrs}")
    values = {}
    for name, s in schedules.items():
        if callable(s):
            if n_steps is None:
                raise ValueError(f"schedule {name!r} is a function: pass n_steps to evaluate it")
            s = [s(t) for t in range(n_steps)]
        values[name] = s
    ax = plot_loss_curves(values, xlabel=xlabel, ax=ax, log_y=log_y, ylabel="learning rate")
    if not log_y:
        ax.set_ylim(bottom=0)
    return ax


# ------------------------------------------------------------------------------------------------ gradients
def plot_layer_grad_norms(norms: Mapping[str, ArrayLike], ax: Axes | None = None, log_y: bool = True,
                          xlabel: str = "layer (1 = input side)",
                          ylabel: str = r"gradient norm $\|\partial L / \partial W_\ell\|$") -> Axes:
    r"""Per-layer gradient norms of several networks (the vanishing/exploding gradient picture).

    Parameters
    ----------
    norms : dict name -> array of shape (L,)
        E.g. ``{"sigmoid, N(0, 0.01²)": depth_gradient_norms(10, 64, "sigmoid", "normal"), ...}``, input side
        first; also works for :meth:`coursekit.nn.RNN.hidden_grad_norms` with
        ``xlabel="time step t"`` and ``ylabel=r"$\|\partial L/\partial h_t\|$"``.
    log_y : bool
        Log scale (norms often span many decades).
    xlabel, ylabel : str

    Returns
    -------
    matplotlib Axes

    See the chapter :doc:`/book/gradients`.
    """
    if not norms:
        raise ValueError("norms is empty; pass a dict such as {'relu + He': norms}")
    ax = _axes(ax)
    for i, (name, values) in enumerate(norms.items()):
        values = _vector(f"norms {name!r}", values)
        if log_y:
            _check_log(f"norms {name!r}", values, "log_y")
        ax.plot(np.arange(1, values.size + 1), values, marker=MARKERS[i % len(MARKERS)], markersize=5,
                linewidth=1.8, label=str(name), **_style(i))
    if log_y:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return _finish(ax, loc="best")
