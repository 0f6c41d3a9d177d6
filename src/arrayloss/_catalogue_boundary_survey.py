"""Catalogue entries for the survey's remaining boundary losses (active, conditional)."""

from __future__ import annotations

from typing import Any

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _blobs(seed: int, shape: tuple[int, ...], classes: int) -> Any:
    """Label maps with coherent regions: pixels some way from a boundary get weight."""
    import numpy as np

    noise = _rng(seed).normal(size=(*shape, classes))
    for ax in (1, 2):
        noise = noise + np.roll(noise, 1, axis=ax) + np.roll(noise, -1, axis=ax)
    return np.argmax(noise, axis=-1)


def _active_boundary_cases() -> list[Case]:
    rng = _rng(90)
    return [
        Case(
            "(N, H, W, C), labels, a quarter may seed",
            (rng.normal(size=(2, 7, 8, 3)), _blobs(91, (2, 7, 8), 3)),
            {"max_ratio": 0.25},
        ),
        Case(
            "axis=1, distance given, theta, none",
            (rng.normal(size=(2, 3, 6, 7)), _blobs(92, (2, 6, 7), 3)),
            {
                "axis": 1,
                "distance": rng.uniform(0.0, 5.0, size=(2, 6, 7)),
                "theta": 3.0,
                "max_ratio": None,
                "label_smoothing": 0.0,
                "reduction": "none",
            },
        ),
    ]


def _conditional_boundary_cases() -> list[Case]:
    rng = _rng(93)
    labels = _blobs(94, (2, 9, 10), 3)
    logits = 2.0 * (labels[..., None] == rng.permutation(3)) + rng.normal(size=(2, 9, 10, 3))
    classifier = {
        "classifier_weight": rng.normal(size=(3, 4)),
        "classifier_bias": rng.normal(size=3),
    }
    return [
        Case(
            "(N, H, W, D) features, classifier",
            (rng.normal(size=(2, 9, 10, 4)), labels),
            {"logits": logits, **classifier},
        ),
        Case(
            "axis=1, kernel 3, no classification term, none",
            (rng.normal(size=(2, 4, 9, 10)), labels),
            {
                "logits": logits.transpose(0, 3, 1, 2),
                "axis": 1,
                "kernel_size": 3,
                "nce_weight": 0.0,
                "reduction": "none",
            },
        ),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "active_boundary_loss",
        "segmentation",
        "Active boundary loss: KL-divergence directions toward the ground-truth boundary",
        "Wang et al., AAAI 2022, arXiv:2102.02696",
        _active_boundary_cases,
    ),
    LossInfo(
        "conditional_boundary_loss",
        "segmentation",
        "Conditional boundary loss: boundary pixels pulled to their local same-class centre",
        "Wu et al., IEEE TIP 2023, doi:10.1109/TIP.2023.3290519",
        _conditional_boundary_cases,
    ),
)
