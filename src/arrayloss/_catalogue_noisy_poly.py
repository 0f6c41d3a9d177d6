"""Catalogue entries for PolyLoss and the noisy-label losses."""

from __future__ import annotations

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]

_LENG = "Leng et al., PolyLoss, ICLR 2022, arXiv:2204.12511"


def _poly1_cross_entropy_cases() -> list[Case]:
    import numpy as np

    rng = _rng(301)
    logits = 2.0 * rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=(6,))
    labels[2] = -100
    nchw = 2.0 * rng.normal(size=(2, 4, 3, 3))
    probs = rng.dirichlet(np.ones(4), size=(2, 3, 3))  # classes last
    return [
        Case("int labels, epsilon=1, mean", (logits, np.where(labels < 0, 0, labels))),
        Case(
            "ignore_index, label_smoothing, epsilon=2",
            (logits, labels),
            {"ignore_index": -100, "label_smoothing": 0.1, "epsilon": 2.0},
        ),
        Case(
            "axis=1, probability targets, epsilon=-1, none",
            (nchw, np.moveaxis(probs, -1, 1)),
            {"axis": 1, "epsilon": -1.0, "reduction": "none"},
        ),
    ]


def _poly1_focal_cases() -> list[Case]:
    import numpy as np

    rng = _rng(302)
    logits = 2.0 * rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=(6,))
    labels[0] = 255
    probs = rng.dirichlet(np.ones(4), size=(6,))
    return [
        Case("int labels, gamma=2, epsilon=1", (logits, np.where(labels > 3, 0, labels))),
        Case(
            "alpha per class, ignore_index, gamma=0.5",
            (logits, labels),
            {"alpha": np.array([0.25, 0.5, 1.0, 2.0]), "ignore_index": 255, "gamma": 0.5},
        ),
        Case(
            "probability targets, epsilon=-1, sum",
            (logits, probs),
            {"epsilon": -1.0, "reduction": "sum"},
        ),
    ]


def _binary_poly1_focal_cases() -> list[Case]:
    import numpy as np

    rng = _rng(303)
    logits = 2.0 * rng.normal(size=(5, 3))
    labels = rng.integers(0, 2, size=(5, 3)).astype(np.float64)
    soft = rng.uniform(0.0, 1.0, size=(5, 3))
    weights = rng.uniform(0.5, 2.0, size=(5, 1))
    return [
        Case("hard labels, alpha=0.25, epsilon=1", (logits, labels)),
        Case(
            "soft labels, epsilon=-1, no alpha, weights",
            (logits, soft),
            {"epsilon": -1.0, "alpha": None, "weights": weights},
        ),
        Case("gamma=0.5, none", (logits, labels), {"gamma": 0.5, "reduction": "none"}),
    ]


def _gce_cases() -> list[Case]:
    import numpy as np

    rng = _rng(304)
    logits = 2.0 * rng.normal(size=(6, 5))
    labels = rng.integers(0, 5, size=(6,))
    labels[3] = -1
    nchw = 2.0 * rng.normal(size=(2, 5, 4))
    probs = rng.dirichlet(np.ones(5), size=(6,))
    return [
        Case("q=0.7, int labels", (logits, np.where(labels < 0, 0, labels))),
        Case("q=1e-3 (near CE), ignore_index", (logits, labels), {"q": 1e-3, "ignore_index": -1}),
        Case(
            "q=1 (MAE), probability targets, sum", (logits, probs), {"q": 1.0, "reduction": "sum"}
        ),
        Case(
            "axis=1, none",
            (nchw, rng.integers(0, 5, size=(2, 4))),
            {"axis": 1, "reduction": "none"},
        ),
    ]


def _sce_cases() -> list[Case]:
    import numpy as np

    rng = _rng(305)
    logits = 2.0 * rng.normal(size=(6, 5))
    labels = rng.integers(0, 5, size=(6,))
    labels[1] = -100
    onehot = np.eye(5)[np.where(labels < 0, 0, labels)]
    weights = rng.uniform(0.5, 2.0, size=(6,))
    return [
        Case(
            "alpha=0.1, beta=1, int labels, ignore_index", (logits, labels), {"ignore_index": -100}
        ),
        Case("one-hot targets (log 0 -> A = -4), weights", (logits, onehot), {"weights": weights}),
        Case(
            "alpha=1, beta=0.5, A=log(1e-4), none",
            (logits, np.where(labels < 0, 0, labels)),
            {"alpha": 1.0, "beta": 0.5, "log_zero": -9.210340371976184, "reduction": "none"},
        ),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "poly1_cross_entropy",
        "classification",
        "Cross-entropy + epsilon (1 - p_t): tunes the leading polynomial term",
        _LENG,
        _poly1_cross_entropy_cases,
    ),
    LossInfo(
        "poly1_focal_loss",
        "classification",
        "Softmax focal loss + epsilon (1 - p_t)^(gamma + 1)",
        _LENG,
        _poly1_focal_cases,
    ),
    LossInfo(
        "binary_poly1_focal_loss",
        "classification",
        "Sigmoid focal loss + epsilon (1 - p_t)^(gamma + 1), for detection heads",
        _LENG,
        _binary_poly1_focal_cases,
    ),
    LossInfo(
        "generalized_cross_entropy",
        "classification",
        "(1 - p_y^q) / q: between cross-entropy and MAE, robust to noisy labels",
        "Zhang & Sabuncu, NeurIPS 2018, arXiv:1805.07836",
        _gce_cases,
    ),
    LossInfo(
        "symmetric_cross_entropy",
        "classification",
        "alpha CE + beta reverse CE (log 0 clipped to A), robust to noisy labels",
        "Wang et al., ICCV 2019, arXiv:1908.06112",
        _sce_cases,
    ),
)
