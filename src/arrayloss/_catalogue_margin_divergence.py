"""Catalogue entries for the hinge losses and the divergences (``arrayloss list`` / ``check``)."""

from __future__ import annotations

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _binary_hinge_cases(seed: int) -> list[Case]:
    import numpy as np

    rng = _rng(seed)
    logits = 1.5 * rng.normal(size=(5, 3))
    bits = rng.integers(0, 2, size=(5, 3))
    weights = rng.uniform(0.5, 2.0, size=(5, 1))
    return [
        Case("{0, 1} float labels, mean", (logits, bits.astype(np.float64))),
        Case(
            "{-1, 1} int labels, margin=0.5, weights (5, 1), sum",
            (logits, 2 * bits - 1),
            {"margin": 0.5, "weights": weights, "reduction": "sum"},
        ),
        Case("{0, 1} int labels, none", (logits, bits), {"reduction": "none"}),
    ]


def _hinge_cases() -> list[Case]:
    return _binary_hinge_cases(41)


def _squared_hinge_cases() -> list[Case]:
    return _binary_hinge_cases(42)


def _multiclass_hinge_cases() -> list[Case]:
    import numpy as np

    rng = _rng(43)
    logits = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=(6,))
    labels[2] = -100
    nchw = rng.normal(size=(2, 4, 3, 3))
    dense_labels = rng.integers(0, 4, size=(2, 3, 3))
    return [
        Case("Crammer-Singer, mean", (logits, np.where(labels < 0, 0, labels))),
        Case(
            "Weston-Watkins, ignore_index, class_weights, margin=0.5",
            (logits, labels),
            {
                "kind": "weston_watkins",
                "ignore_index": -100,
                "class_weights": np.array([1.0, 2.0, 0.5, 1.5]),
                "margin": 0.5,
            },
        ),
        Case(
            "Crammer-Singer, axis=1, none", (nchw, dense_labels), {"axis": 1, "reduction": "none"}
        ),
    ]


def _distributions(seed: int) -> tuple[object, ...]:
    import numpy as np

    rng = _rng(seed)
    logits = 2.0 * rng.normal(size=(5, 4))
    targets = rng.dirichlet(np.ones(4), size=(5,))
    targets[:, 0] = 0.0  # exact zeros: 0 log 0 = 0
    targets /= targets.sum(axis=-1, keepdims=True)
    probs = rng.dirichlet(np.ones(4), size=(5,))
    nchw = rng.normal(size=(2, 4, 3, 3))
    dense_targets = np.moveaxis(rng.dirichlet(np.ones(4), size=(2, 3, 3)), -1, 1)
    return logits, targets, probs, nchw, dense_targets


def _divergence_cases(seed: int) -> list[Case]:
    logits, targets, probs, nchw, dense_targets = _distributions(seed)
    return [
        Case("logits, targets with zeros, mean (per sample)", (logits, targets)),
        Case(
            "probabilities, sum",
            (probs, targets),
            {"from_logits": False, "reduction": "sum"},
        ),
        Case("axis=1, none", (nchw, dense_targets), {"axis": 1, "reduction": "none"}),
    ]


def _kl_cases() -> list[Case]:
    return _divergence_cases(44)


def _js_cases() -> list[Case]:
    return _divergence_cases(45)


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "hinge_loss",
        "classification",
        "Binary hinge (soft-margin SVM), labels {0, 1} or {-1, 1}",
        "Cortes & Vapnik, Machine Learning 1995, doi:10.1007/BF00994018",
        _hinge_cases,
    ),
    LossInfo(
        "squared_hinge_loss",
        "classification",
        "Binary squared hinge (L2-SVM), labels {0, 1} or {-1, 1}",
        "Tang, ICML 2013 workshop, arXiv:1306.0239",
        _squared_hinge_cases,
    ),
    LossInfo(
        "multiclass_hinge_loss",
        "classification",
        "Multi-class hinge, Crammer-Singer or Weston-Watkins",
        "Crammer & Singer, JMLR 2001; Weston & Watkins, ESANN 1999",
        _multiclass_hinge_cases,
    ),
    LossInfo(
        "kl_divergence",
        "classification",
        "KL(targets || softmax(logits)), mean per sample",
        "Kullback & Leibler, Ann. Math. Stat. 1951, doi:10.1214/aoms/1177729694",
        _kl_cases,
    ),
    LossInfo(
        "js_divergence",
        "classification",
        "Jensen-Shannon divergence, symmetric, bounded by log 2",
        "Lin, IEEE Trans. Inf. Theory 1991, doi:10.1109/18.61115",
        _js_cases,
    ),
)
