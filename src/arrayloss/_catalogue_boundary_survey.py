"""Catalogue entries for the survey's remaining boundary losses (active boundary loss)."""

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
        Case("(N, H, W, C), labels", (rng.normal(size=(2, 7, 8, 3)), _blobs(91, (2, 7, 8), 3))),
        Case(
            "axis=1, distance given, theta, none",
            (rng.normal(size=(2, 3, 6, 7)), _blobs(92, (2, 6, 7), 3)),
            {
                "axis": 1,
                "distance": rng.uniform(0.0, 5.0, size=(2, 6, 7)),
                "theta": 3.0,
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
)
