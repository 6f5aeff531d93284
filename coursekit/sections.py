"""Where the book explains each graded part: the links of ``coursekit check`` and of the grading messages.

Every part of every assignment (its nbgrader grade id) has the chapter section that teaches it, as
``"<page>#<anchor>"`` with ``<page>`` a file of ``book/`` without its suffix. :func:`section_links` turns one
into the published page (:data:`SITE_URL`, the ``html.baseurl`` of ``_config.yml``) and the page of a local
build (``_build/html/book/...``). ``tests/test_sections.py`` resolves every anchor against the built site
and checks that :data:`SITE_URL` is the one of ``_config.yml``.
"""

from __future__ import annotations

SITE_URL = "https://ml-course.github.io/classification-optimization"
"""The published course site (``html.baseurl`` in ``_config.yml``)."""
LOCAL_SITE = "_build/html"
"""Where ``make book`` writes the site, relative to the course folder."""

PART_SECTIONS: dict[str, dict[str, str]] = {
    "hw1-logistic": {
        "sigmoid": "classification#sec-stable-sigmoid",
        "predict_proba": "classification#sec-logistic-model",
        "log_likelihood": "classification#sec-likelihood",
        "log_likelihood_grad": "classification#sec-likelihood",
        "gradient_ascent": "classification#sec-gradient-ascent",
        "confusion_matrix": "classification#sec-evaluation",
        "precision_recall_at": "classification#sec-threshold",
        "expected_cost": "classification#sec-costs",
        "best_threshold": "classification#sec-costs",
        "written-accuracy": "classification#sec-evaluation",
        "written-threshold": "classification#sec-costs",
    },
    "hw2-regularization": {
        "degree_errors": "overfitting#sec-ovf-polynomial",
        "logistic_loss": "regularization#reg-l2",
        "logistic_loss_grad": "regularization#reg-l2",
        "soft_threshold": "regularization#soft-thresholding",
        "proximal_step": "regularization#subgradient-descent-does-not-find-the-zeros-proximal-gradient-does",
        "lasso_logistic": "regularization#subgradient-descent-does-not-find-the-zeros-proximal-gradient-does",
        "lasso_path": "regularization#reg-path",
        "choose_alpha": "regularization#reg-choose",
        "chosen_alpha": "overfitting#sec-ovf-validation",
        "written-overfitting": "overfitting#sec-ovf-polynomial",
        "written-sparsity": "regularization#reg-l1",
    },
    "hw3-optimizers": {
        "minibatches": "optimization#sec-opt-batch",
        "sgd": "optimization#sec-opt-batch",
        "momentum": "optimization#sec-opt-momentum",
        "nesterov": "optimization#sec-opt-momentum",
        "rmsprop": "optimization#sec-opt-adaptive",
        "adam": "optimization#sec-opt-adaptive",
        "schedule_lr": "optimization#sec-opt-schedules",
        "minimize": "optimization#sec-opt-lr",
        "fit_logistic": "optimization#sec-opt-compare",
        "written-ravine": "optimization#sec-opt-momentum",
        "written-loans": "optimization#sec-opt-compare",
    },
    "hw4-gradients": {
        "linear_forward": "gradients#sec-grad-jacobians",
        "linear_backward": "gradients#sec-grad-jacobians",
        "sigmoid_forward": "gradients#sec-grad-saturation",
        "sigmoid_backward": "gradients#sec-grad-saturation",
        "relu_forward": "gradients#sec-grad-dead-relu",
        "relu_backward": "gradients#sec-grad-dead-relu",
        "mlp_loss_grad": "gradients#sec-grad-jacobians",
        "xavier_init": "gradients#sec-grad-init",
        "he_init": "gradients#sec-grad-init",
        "layer_grad_norms": "gradients#sec-grad-depth",
        "clip_grad_value_": "gradients#sec-grad-clipping",
        "clip_grad_norm_": "gradients#sec-grad-clipping",
        "rnn_forward": "gradients#sec-grad-rnn",
        "rnn_backward": "gradients#sec-grad-rnn",
        "written-depth": "gradients#sec-grad-depth",
        "written-rnn": "gradients#sec-grad-rnn",
        "written-clip": "gradients#sec-grad-clipping",
    },
    "hw5-trees-boosting": {
        "impurity": "trees#sec-trees-split",
        "weighted_impurity": "trees#sec-trees-split",
        "best_split": "trees#sec-trees-split",
        "stop_splitting": "trees#sec-trees-depth",
        "build_tree": "trees#sec-trees-grow",
        "predict_proba": "trees#sec-trees-missing",
        "adaboost_alpha": "trees#sec-trees-boosting",
        "update_weights": "trees#sec-trees-boosting",
        "staged_error": "trees#sec-trees-bound",
        "written-depth": "trees#sec-trees-depth",
        "written-boost": "trees#sec-trees-boosting",
    },
}
"""Assignment -> grade id -> ``"<page>#<anchor>"`` of the section that explains the part."""


def section_links(section: str) -> tuple[str, str]:
    """The published URL and the local-build path of ``section`` (``"<page>#<anchor>"``).

    >>> section_links("classification#sec-costs")[1]
    '_build/html/book/classification.html#sec-costs'
    """
    page, _, anchor = section.partition("#")
    path = f"book/{page}.html" + (f"#{anchor}" if anchor else "")
    return f"{SITE_URL}/{path}", f"{LOCAL_SITE}/{path}"


def part_section(assignment: str, part: str) -> str | None:
    """The section that explains ``part`` of ``assignment``, or ``None``."""
    return PART_SECTIONS.get(assignment, {}).get(part)


def read_more(section: str | None) -> str:
    """One line for a message: ``Read: <URL> (local build: <path>)``, or ``""``."""
    if not section:
        return ""
    url, local = section_links(section)
    return f"Read: {url} (local build: {local})"
