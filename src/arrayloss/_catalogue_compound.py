"""Catalogue entries for the issue-4 compound losses and segmentation metrics."""

from __future__ import annotations

from typing import Any

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _seg(seed: int, c: int = 3) -> tuple[Any, Any]:
    rng = _rng(seed)
    return rng.normal(0.0, 2.0, size=(2, 4, 5, c)), rng.integers(0, c, size=(2, 4, 5))


def _seg_cases(seed: int) -> list[Case]:
    logits, labels = _seg(seed)
    ignored = labels.copy()
    ignored[:, 0] = -100
    return [
        Case("multiclass, mean", (logits, labels)),
        Case("ignore_index, sum", (logits, ignored), {"ignore_index": -100, "reduction": "sum"}),
    ]


def _binary_cases(seed: int) -> list[Case]:
    rng = _rng(seed)
    logits = rng.normal(size=(2, 1, 4, 5))
    labels = rng.integers(0, 2, size=(2, 4, 5))
    return [Case("binary, axis=1", (logits, labels), {"mode": "binary", "axis": 1})]


def _combine_cases() -> list[Case]:
    logits, labels = _seg(71)
    return [
        Case("dice_loss + 0.5 focal_loss", (logits, labels), {"gamma": 1.0}),
        Case(
            "axis=1, sum", (logits.transpose(0, 3, 1, 2), labels), {"axis": 1, "reduction": "sum"}
        ),
    ]


def _metric_cases(seed: int) -> list[Case]:
    logits, labels = _seg(seed)
    ignored = labels.copy()
    ignored[0, 0] = -100
    return [
        Case("logits (2, 4, 5, 3), mean", (logits, labels)),
        Case(
            "ignore_index, no background, none",
            (logits, ignored),
            {"ignore_index": -100, "include_background": False, "reduction": "none"},
        ),
    ]


def _prf_cases(seed: int) -> list[Case]:
    logits, labels = _seg(seed)
    return [
        Case("macro", (logits, labels), {"num_classes": 3}),
        Case("micro", (logits, labels), {"num_classes": 3, "average": "micro"}),
        Case("none", (logits, labels), {"num_classes": 3, "average": "none"}),
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
    cm = _rng(82).integers(0, 20, size=(4, 4)).astype("float64")
    cm[3, :] = 0.0
    cm[:, 3] = 0.0
    return [Case("absent class 3", (cm,)), Case("none", (cm,), {"reduction": "none"})]


def _rate_cases() -> list[Case]:
    import numpy as np

    rng = _rng(83)
    scores, labels = rng.normal(size=(4, 6)), rng.integers(0, 2, size=(4, 6))
    return [
        Case("logits", (scores, labels)),
        Case(
            "probabilities, threshold 0.3",
            (1.0 / (1.0 + np.exp(-scores)), labels),
            {"from_logits": False, "threshold": 0.3},
        ),
    ]


class _CombineInfo(LossInfo):
    """``combine`` is a factory: ``arrayloss check`` runs the loss it builds."""

    def function(self) -> Any:
        import arrayloss

        return arrayloss.combine((arrayloss.dice_loss, 1.0), (arrayloss.focal_loss, 0.5))


def _entry(name: str, family: str, description: str, paper: str, make: Any) -> LossInfo:
    return LossInfo(name, family, description, paper, make)


_MONAI = "MONAI (Cardoso et al. 2022, arXiv:2211.02701)"

ENTRIES: tuple[LossInfo, ...] = (
    _CombineInfo(
        "combine",
        "segmentation",
        "Weighted sum of losses with one call signature",
        "Azad et al. survey 2023, arXiv:2312.05391",
        _combine_cases,
    ),
    _entry(
        "dice_ce_loss",
        "segmentation",
        "Dice loss + cross-entropy (MONAI DiceCELoss)",
        _MONAI,
        lambda: _seg_cases(72) + _binary_cases(73),
    ),
    _entry(
        "dice_focal_loss",
        "segmentation",
        "Dice loss + focal loss (MONAI DiceFocalLoss)",
        _MONAI,
        lambda: _seg_cases(74) + _binary_cases(75),
    ),
    _entry(
        "combo_loss",
        "segmentation",
        "FN/FP-weighted cross-entropy minus Dice",
        "Taghanaki et al., CMIG 2019, arXiv:1805.02798",
        lambda: _seg_cases(76) + _binary_cases(77),
    ),
    _entry(
        "exp_log_loss",
        "segmentation",
        "Exponential logarithmic Dice + weighted CE",
        "Wong et al., MICCAI 2018, arXiv:1809.00076",
        lambda: _seg_cases(78),
    ),
    _entry(
        "unified_focal_loss",
        "segmentation",
        "Asymmetric/symmetric focal + focal Tversky",
        "Yeung et al., CMIG 2022, arXiv:2102.04525",
        lambda: _seg_cases(79) + _binary_cases(80),
    ),
    _entry(
        "confusion_matrix",
        "metrics",
        "Confusion matrix without bincount",
        "Stehman, Remote Sens. Environ. 1997",
        _confusion_cases,
    ),
    _entry(
        "mean_iou",
        "metrics",
        "Per-class and mean IoU from a confusion matrix",
        "Everingham et al., IJCV 2010 (PASCAL VOC)",
        _mean_iou_cases,
    ),
    _entry(
        "dice_score",
        "metrics",
        "Hard Dice score per sample and class",
        "Dice, Ecology 1945",
        lambda: _metric_cases(84),
    ),
    _entry(
        "iou_score",
        "metrics",
        "Hard IoU (Jaccard) per sample and class",
        "Jaccard, New Phytologist 1912",
        lambda: _metric_cases(85),
    ),
    _entry(
        "precision",
        "metrics",
        "Precision, micro/macro/per class",
        "van Rijsbergen, Information Retrieval 1979",
        lambda: _prf_cases(86),
    ),
    _entry(
        "recall",
        "metrics",
        "Recall, micro/macro/per class",
        "van Rijsbergen, Information Retrieval 1979",
        lambda: _prf_cases(87),
    ),
    _entry(
        "f1_score",
        "metrics",
        "F1 score, micro/macro/per class",
        "van Rijsbergen, Information Retrieval 1979",
        lambda: _prf_cases(88),
    ),
    _entry(
        "false_acceptance_rate",
        "metrics",
        "FP / (FP + TN), binary inspection",
        "ISO/IEC 19795-1:2021",
        _rate_cases,
    ),
    _entry(
        "false_rejection_rate",
        "metrics",
        "FN / (FN + TP), binary inspection",
        "ISO/IEC 19795-1:2021",
        _rate_cases,
    ),
)
