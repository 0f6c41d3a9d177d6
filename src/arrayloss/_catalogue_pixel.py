"""Catalogue entries for the pixel-level and Lovasz segmentation losses (issue 4)."""

from __future__ import annotations

from typing import Any

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _seg(seed: int, shape: tuple[int, ...] = (2, 4, 5, 3)) -> tuple[Any, Any]:
    """Channels-last logits (N, H, W, C) and integer labels (N, H, W)."""
    rng = _rng(seed)
    logits = rng.normal(0.0, 2.0, size=shape)
    return logits, rng.integers(0, shape[-1], size=shape[:-1])


def _topk_cases() -> list[Case]:
    logits, labels = _seg(71)
    ignored = labels.copy()
    ignored[0, :2] = -100
    cw = _rng(72).uniform(0.5, 2.0, size=(3,))
    return [
        Case("k=0.1, mean", (logits, labels)),
        Case(
            "k=0.25, ignore_index, none",
            (logits, ignored),
            {"k": 0.25, "ignore_index": -100, "reduction": "none"},
        ),
        Case("class_weights, sum", (logits, labels), {"class_weights": cw, "reduction": "sum"}),
    ]


def _dwce_cases() -> list[Case]:
    logits, labels = _seg(73)
    phi = _rng(74).uniform(0.0, 3.0, size=labels.shape)
    return [
        Case("mean", (logits, labels, phi)),
        Case(
            "axis=1, none",
            (logits.transpose(0, 3, 1, 2), labels, phi),
            {"axis": 1, "reduction": "none"},
        ),
    ]


def _robust_t_cases() -> list[Case]:
    rng = _rng(75)
    logits = rng.normal(size=(3, 4, 5))
    labels = rng.integers(0, 2, size=(3, 4, 5))
    return [
        Case("nu=1, mean", (logits, labels)),
        Case("nu=4, none", (logits, labels), {"nu": 4.0, "reduction": "none"}),
    ]


def _lovasz_softmax_cases() -> list[Case]:
    logits, labels = _seg(76)
    ignored = labels.copy()
    ignored[1, 0] = 255
    return [
        Case("present, pooled", (logits, labels)),
        Case(
            "all, per_image, none",
            (logits, labels),
            {"classes": "all", "per_image": True, "reduction": "none"},
        ),
        Case("ignore_index=255", (logits, ignored), {"ignore_index": 255}),
    ]


def _lovasz_hinge_cases() -> list[Case]:
    rng = _rng(77)
    logits = rng.normal(size=(3, 4, 5))
    labels = rng.integers(0, 2, size=(3, 4, 5))
    return [
        Case("per_image, mean", (logits, labels)),
        Case("pooled", (logits, labels), {"per_image": False}),
        Case("none", (logits, labels), {"reduction": "none"}),
    ]


_SEG = "segmentation"

ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "topk_loss",
        _SEG,
        "Cross-entropy of the hardest fraction k of each sample's pixels",
        "Wu et al. 2016, arXiv:1605.06885",
        _topk_cases,
    ),
    LossInfo(
        "distance_weighted_cross_entropy",
        _SEG,
        "Cross-entropy weighted per pixel by 1 + a distance map",
        "Caliva et al. 2019, arXiv:1908.03679",
        _dwce_cases,
    ),
    LossInfo(
        "robust_t_loss",
        _SEG,
        "Student-t negative log-likelihood of each mask, robust to noisy labels",
        "Gonzalez-Jimenez et al. 2023, arXiv:2306.00753",
        _robust_t_cases,
    ),
    LossInfo(
        "lovasz_softmax_loss",
        _SEG,
        "Lovasz extension of the per-class Jaccard loss (softmax)",
        "Berman et al. 2018, arXiv:1705.08790",
        _lovasz_softmax_cases,
    ),
    LossInfo(
        "lovasz_hinge_loss",
        _SEG,
        "Lovasz extension of the binary Jaccard loss (hinge errors)",
        "Berman et al. 2018, arXiv:1705.08790",
        _lovasz_hinge_cases,
    ),
)
