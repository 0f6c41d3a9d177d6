"""Catalogue entries for clDice and Boundary DoU (issue 4, topology/boundary level)."""

from __future__ import annotations

from typing import Any

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _inputs(seed: int, spatial: tuple[int, ...], classes: int = 3) -> tuple[Any, Any]:
    """Channels-first logits (N, C, *spatial) and integer labels with coherent regions."""
    import numpy as np

    rng = _rng(seed)
    logits = rng.normal(0.0, 2.0, size=(2, classes, *spatial))
    noise = rng.normal(size=(2, classes, *spatial))
    for ax in range(2, noise.ndim):  # smooth, so the masks have thick and thin parts
        noise = noise + np.roll(noise, 1, axis=ax) + np.roll(noise, -1, axis=ax)
    return logits, np.argmax(noise, axis=1)


def _common(seed: int, extra: Case) -> list[Case]:
    logits, labels = _inputs(seed, (8, 9))
    ignored = labels.copy()
    ignored[:, ::3, ::4] = 255
    logits3, labels3 = _inputs(seed + 1, (5, 6, 4), classes=2)
    logits3 = logits3[:, :1]  # one sigmoid channel; labels3 is a 0/1 mask
    weights = _rng(seed + 2).uniform(0.5, 2.0, size=(2, 1))
    return [
        Case("multiclass 2-D, axis=1", (logits, labels), {"axis": 1}),
        Case(
            "ignore_index=255, no background, none",
            (logits, ignored),
            {"axis": 1, "ignore_index": 255, "include_background": False, "reduction": "none"},
        ),
        Case(
            "binary 3-D, weights (2, 1), sum",
            (logits3, labels3),
            {"axis": 1, "mode": "binary", "weights": weights, "reduction": "sum"},
        ),
        Case("batch_dice", (logits, labels), {"axis": 1, "batch_dice": True}),
        extra,
    ]


def _cldice_cases() -> list[Case]:
    logits, labels = _inputs(41, (8, 9))
    return _common(
        41,
        Case(
            "iterations=5, smooth=0", (logits, labels), {"axis": 1, "iterations": 5, "smooth": 0.0}
        ),
    )


def _bdou_cases() -> list[Case]:
    logits, labels = _inputs(42, (8, 9))
    return _common(42, Case("alpha_max=-0.5", (logits, labels), {"axis": 1, "alpha_max": -0.5}))


def _inverseform_cases() -> list[Case]:
    import numpy as np

    rng = _rng(43)
    theta = np.eye(3) + 0.2 * rng.normal(size=(4, 3, 3))
    theta[1] = np.eye(3)  # exactly the identity: distance 0, gradient 0
    offsets = rng.normal(size=(9, 4))  # the released network's 4 coefficients per tile
    return [
        Case("matrix (4, 3, 3)", (theta,)),
        Case("matrix, none", (theta,), {"reduction": "none"}),
        Case("offsets (9, 4), sum", (offsets,), {"form": "offsets", "reduction": "sum"}),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "cldice_loss",
        "segmentation",
        "soft clDice: topology precision/sensitivity on soft skeletons (tubular structures)",
        "Shit et al., CVPR 2021, arXiv:2003.07311",
        _cldice_cases,
    ),
    LossInfo(
        "boundary_dou_loss",
        "segmentation",
        "Boundary DoU: difference over union weighted by the target's boundary ratio",
        "Sun et al., MICCAI 2023, arXiv:2308.00220",
        _bdou_cases,
    ),
    LossInfo(
        "inverseform_loss",
        "segmentation",
        "InverseForm: distance from identity of a boundary transform (your network's output)",
        "Borse et al., CVPR 2021, arXiv:2104.02745",
        _inverseform_cases,
    ),
)
