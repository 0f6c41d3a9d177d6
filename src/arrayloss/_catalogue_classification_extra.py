"""Catalogue entries for nll_loss and class_weights_from_counts (``arrayloss list`` /
``check``)."""

from __future__ import annotations

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _nll_cases() -> list[Case]:
    import numpy as np

    rng = _rng(41)
    x = 2.0 * rng.normal(size=(6, 4))
    log_probs = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    labels = rng.integers(0, 4, size=(6,))
    labels[3] = -100
    nchw = 2.0 * rng.normal(size=(2, 4, 3))
    nchw_lp = nchw - np.log(np.exp(nchw).sum(axis=1, keepdims=True))
    return [
        Case("int labels, mean", (log_probs, np.where(labels < 0, 0, labels))),
        Case(
            "class_weights, ignore_index, sum",
            (log_probs, labels),
            {
                "class_weights": np.array([1.0, 2.0, 0.5, 1.5]),
                "ignore_index": -100,
                "reduction": "sum",
            },
        ),
        Case(
            "axis=1, balanced, none",
            (nchw_lp, rng.integers(0, 4, size=(2, 3))),
            {"axis": 1, "class_weights": "balanced", "reduction": "none"},
        ),
    ]


def _class_weight_cases() -> list[Case]:
    import numpy as np

    counts = np.array([120.0, 30.0, 0.0, 4.0, 900.0])
    return [
        Case("inverse", (counts,)),
        Case("inverse_sqrt", (counts,), {"method": "inverse_sqrt"}),
        Case("median_frequency", (counts,), {"method": "median_frequency"}),
        Case(
            "effective_number, beta=0.99", (counts,), {"method": "effective_number", "beta": 0.99}
        ),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "nll_loss",
        "classification",
        "negative log-likelihood of log-probabilities; torch's class weights and ignore_index",
        "Bishop, Pattern Recognition and Machine Learning (2006), sec. 4.3.4",
        _nll_cases,
    ),
    LossInfo(
        "class_weights_from_counts",
        "classification",
        "class weights for imbalanced data: inverse, inverse-sqrt, median frequency, "
        "effective number",
        "Cui et al., Class-Balanced Loss Based on Effective Number of Samples, CVPR 2019",
        _class_weight_cases,
    ),
)
