"""Catalogue entries for the issue-4 region losses (region level I)."""

from __future__ import annotations

from typing import Any

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _segmentation(seed: int) -> dict[str, Any]:
    """Channels-last multiclass logits with an ignored strip, a channels-first multilabel
    pair and a binary pair, plus a 3-D volume; class 2 is absent from sample 1."""
    import numpy as np

    rng = _rng(seed)
    labels = rng.integers(0, 3, size=(2, 5, 5))
    labels[1] = np.minimum(labels[1], 1)
    ignored = labels.copy()
    ignored[0, 0, :2] = 255
    return {
        "logits": rng.normal(size=(2, 5, 5, 3)),
        "labels": labels,
        "ignored": ignored,
        "ml_logits": rng.normal(size=(2, 3, 4, 4)),
        "ml_labels": rng.integers(0, 2, size=(2, 3, 4, 4)).astype(np.float64),
        "bin_logits": rng.normal(size=(3, 1, 6)),
        "bin_labels": rng.integers(0, 2, size=(3, 6)).astype(np.float64),
        "vol_logits": rng.normal(size=(2, 2, 3, 3, 3)),
        "vol_labels": rng.integers(0, 3, size=(2, 2, 3, 3)),
    }


def _per_class_cases(seed: int, **hyper: Any) -> list[Case]:
    import numpy as np

    d = _segmentation(seed)
    return [
        Case("multiclass, int labels", (d["logits"], d["labels"]), dict(hyper)),
        Case(
            "ignore_index, no background, none",
            (d["logits"], d["ignored"]),
            {**hyper, "ignore_index": 255, "include_background": False, "reduction": "none"},
        ),
        Case(
            "multilabel, axis=1, class_weights",
            (d["ml_logits"], d["ml_labels"]),
            {**hyper, "mode": "multilabel", "axis": 1, "class_weights": np.array([1.0, 2.0, 0.5])},
        ),
        Case(
            "binary, axis=1, batch_dice",
            (d["bin_logits"], d["bin_labels"]),
            {**hyper, "mode": "binary", "axis": 1, "batch_dice": True},
        ),
        Case("3-D volume", (d["vol_logits"], d["vol_labels"]), dict(hyper)),
    ]


def _jaccard_cases() -> list[Case]:
    return _per_class_cases(40)


def _tversky_cases() -> list[Case]:
    return _per_class_cases(41, alpha=0.3, beta=0.7)


def _focal_tversky_cases() -> list[Case]:
    return _per_class_cases(42)


def _log_cosh_dice_cases() -> list[Case]:
    return _per_class_cases(43)


def _sensitivity_specificity_cases() -> list[Case]:
    return _per_class_cases(44)


def _mcc_cases() -> list[Case]:
    return _per_class_cases(45)


def _generalized_dice_cases() -> list[Case]:
    d = _segmentation(46)
    return [
        *_per_class_cases(46),
        Case(
            "weight_type=simple, none",
            (d["logits"], d["labels"]),
            {"weight_type": "simple", "reduction": "none"},
        ),
        Case("weight_type=uniform", (d["logits"], d["labels"]), {"weight_type": "uniform"}),
    ]


def _gwdl_cases() -> list[Case]:
    import numpy as np

    d = _segmentation(47)
    m = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5], [1.0, 0.5, 0.0]])
    return [
        Case("default weighting", (d["logits"], d["labels"]), {"distance_matrix": m}),
        Case(
            "GDL weighting, ignore_index, none",
            (d["logits"], d["ignored"]),
            {
                "distance_matrix": m,
                "weighting_mode": "GDL",
                "ignore_index": 255,
                "reduction": "none",
            },
        ),
        Case(
            "3-D volume, batch_dice",
            (d["vol_logits"], d["vol_labels"]),
            {"distance_matrix": m, "batch_dice": True},
        ),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "jaccard_loss",
        "segmentation",
        "Soft Jaccard (IoU) loss per sample and class",
        "Rahman & Wang 2016, doi:10.1007/978-3-319-50835-1_22",
        _jaccard_cases,
    ),
    LossInfo(
        "tversky_loss",
        "segmentation",
        "Tversky loss: Dice with FP (alpha) and FN (beta) weights",
        "Salehi et al. 2017, arXiv:1706.05721",
        _tversky_cases,
    ),
    LossInfo(
        "focal_tversky_loss",
        "segmentation",
        "Focal Tversky loss: (1 - TI)^gamma per class before averaging",
        "Abraham & Khan 2019, arXiv:1810.07842",
        _focal_tversky_cases,
    ),
    LossInfo(
        "log_cosh_dice_loss",
        "segmentation",
        "log(cosh(Dice loss)) per sample and class",
        "Jadon 2020, arXiv:2006.14822",
        _log_cosh_dice_cases,
    ),
    LossInfo(
        "generalized_dice_loss",
        "segmentation",
        "Generalized Dice loss with inverse-volume class weights",
        "Sudre et al. 2017, arXiv:1707.03237",
        _generalized_dice_cases,
    ),
    LossInfo(
        "generalized_wasserstein_dice_loss",
        "segmentation",
        "Generalized Wasserstein Dice loss with a class distance matrix",
        "Fidon et al. 2017, arXiv:1707.00478",
        _gwdl_cases,
    ),
    LossInfo(
        "sensitivity_specificity_loss",
        "segmentation",
        "Sensitivity-specificity loss: foreground/background squared errors",
        "Brosch et al. 2015, doi:10.1007/978-3-319-24574-4_1",
        _sensitivity_specificity_cases,
    ),
    LossInfo(
        "mcc_loss",
        "segmentation",
        "Matthews correlation coefficient loss from soft counts",
        "Abhishek & Hamarneh 2021, arXiv:2010.13454",
        _mcc_cases,
    ),
)
