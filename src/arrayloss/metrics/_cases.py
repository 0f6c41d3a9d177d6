"""The registry of the metrics losses: each loss with its small deterministic cases.

``arrayloss list``/``check``, the cross-cutting test suites and ``arrayloss bench``
read ``LOSSES``. Each :class:`~arrayloss._lib._case.LossInfo` holds the loss, a function
that builds its float64 NumPy cases, and the transformation rows (:class:`Row`: inputs
drawn from a seeded generator, smooth around the draw, so finite differences apply).
NumPy is imported inside the functions that build arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lib._case import Case, LossInfo, generator

if TYPE_CHECKING:
    pass

from . import (
    confusion_matrix,
    dice_score,
    f1_score,
    false_acceptance_rate,
    false_rejection_rate,
    iou_score,
    mean_iou,
    precision,
    recall,
)


def _seg(seed: int, c: int = 3) -> tuple[Any, Any]:
    rng = generator(seed)
    return rng.normal(0.0, 2.0, size=(2, 4, 5, c)), rng.integers(0, c, size=(2, 4, 5))


def _metric_cases(seed: int) -> list[Case]:
    logits, labels = _seg(seed)
    ignored = labels.copy()
    ignored[0, 0] = -100
    return [
        Case("logits (2, 4, 5, 3), mean", (logits, labels)),
        Case(
            "ignore_index, no background, none",
            (logits, ignored),
            {"ignore_index": -100, "include_background": False, "average": "none"},
        ),
        Case("per image, weighted", (logits, labels), {"per_image": True, "average": "weighted"}),
    ]


def _prf_cases(seed: int) -> list[Case]:
    logits, labels = _seg(seed)
    return [
        Case("macro", (logits, labels), {"num_classes": 3}),
        Case("micro", (logits, labels), {"num_classes": 3, "average": "micro"}),
        Case("none", (logits, labels), {"num_classes": 3, "average": "none"}),
        Case("weighted", (logits, labels), {"num_classes": 3, "average": "weighted"}),
    ]


def _confusion_cases() -> list[Case]:
    logits, labels = _seg(81)
    ignored = labels.copy()
    ignored[1, 2] = -100
    return [
        Case("normalize=true", (logits, labels), {"num_classes": 3, "normalize": "true"}),
        Case("counts, ignore_index", (logits, ignored), {"num_classes": 3, "ignore_index": -100}),
    ]


def _mean_iou_cases() -> list[Case]:
    logits, labels = _seg(82, 4)
    labels[labels == 3] = 0  # class 3 absent from the labels
    cm = generator(82).integers(0, 20, size=(4, 4)).astype("float64")
    cm[3, :] = 0.0
    cm[:, 3] = 0.0
    return [
        Case("logits (2, 4, 5, 4)", (logits, labels)),
        Case("none", (logits, labels), {"average": "none"}),
        Case("confusion, absent class 3", (), {"confusion": cm}),
    ]


def _rate_cases() -> list[Case]:
    import numpy as np

    rng = generator(83)
    scores, labels = rng.normal(size=(4, 6)), rng.integers(0, 2, size=(4, 6))
    return [
        Case("logits", (scores, labels)),
        Case(
            "probabilities, threshold 0.3",
            (1.0 / (1.0 + np.exp(-scores)), labels),
            {"from_logits": False, "threshold": 0.3},
        ),
    ]


LOSSES: tuple[LossInfo, ...] = (
    LossInfo(
        confusion_matrix,
        _confusion_cases,
    ),
    LossInfo(
        mean_iou,
        _mean_iou_cases,
    ),
    LossInfo(
        dice_score,
        lambda: _metric_cases(84),
    ),
    LossInfo(
        iou_score,
        lambda: _metric_cases(85),
    ),
    LossInfo(
        precision,
        lambda: _prf_cases(86),
    ),
    LossInfo(
        recall,
        lambda: _prf_cases(87),
    ),
    LossInfo(
        f1_score,
        lambda: _prf_cases(88),
    ),
    LossInfo(
        false_acceptance_rate,
        _rate_cases,
    ),
    LossInfo(
        false_rejection_rate,
        _rate_cases,
    ),
)
