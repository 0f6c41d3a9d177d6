"""Catalogue entries for the distance maps and the distance-based boundary losses."""

from __future__ import annotations

from typing import Any

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _mask(seed: int, shape: tuple[int, ...]) -> Any:
    """A 0/1 float64 mask (floating, so the result keeps the input's dtype)."""
    return (_rng(seed).random(shape) > 0.5).astype("float64")


def _logits(seed: int, shape: tuple[int, ...]) -> Any:
    """Logits, classes last: one class at 3, the others in [-1, 0] (no probability near 0.5)."""
    import numpy as np

    rng = _rng(seed)
    x = rng.uniform(-1.0, 0.0, size=shape)
    win = rng.integers(0, shape[-1], size=shape[:-1])
    return np.where(np.eye(shape[-1])[win] > 0, 3.0, x)


def _labels(seed: int, shape: tuple[int, ...], classes: int) -> Any:
    return _rng(seed).integers(0, classes, size=shape)


def _distance_cases() -> list[Case]:
    return [
        Case("2-D batch", (_mask(70, (2, 6, 7)),)),
        Case("3-D, anisotropic spacing", (_mask(71, (2, 4, 5, 3)),), {"spacing": (0.5, 1.0, 2.0)}),
        Case("one-hot (N, H, W, C), axes=(1, 2)", (_mask(72, (2, 5, 6, 3)),), {"axes": (1, 2)}),
    ]


def _signed_cases() -> list[Case]:
    return [
        Case("2-D batch", (_mask(73, (2, 6, 7)),)),
        Case("spacing, normalize", (_mask(74, (2, 6, 5)),), {"spacing": 0.5, "normalize": True}),
    ]


def _rrw_map_cases() -> list[Case]:
    return [
        Case("2-D batch", (_mask(75, (3, 6, 7)),)),
        Case("channels-first, axes=(2, 3)", (_mask(76, (2, 3, 5, 4)),), {"axes": (2, 3)}),
    ]


def _boundary_cases() -> list[Case]:
    import numpy as np

    labels = _labels(77, (2, 6, 7), 3)
    phi = np.asarray(_signed_map(np.eye(3)[labels]))
    weights = _rng(78).uniform(0.5, 2.0, size=(2, 2))
    return [
        Case("multiclass, mean", (_logits(79, (2, 6, 7, 3)), phi)),
        Case(
            "weights (2, 2), none",
            (_logits(80, (2, 6, 7, 3)), phi),
            {"weights": weights, "reduction": "none"},
        ),
    ]


def _signed_map(one_hot: Any) -> Any:
    import arrayloss

    return arrayloss.signed_distance_map(one_hot, axes=(1, 2))


def _hausdorff_dt_cases() -> list[Case]:
    labels = _labels(81, (2, 6, 7), 3)
    return [
        Case("multiclass, mean", (_logits(82, (2, 6, 7, 3)), labels)),
        Case(
            "no background, spacing, none",
            (_logits(83, (2, 6, 7, 3)), labels),
            {"include_background": False, "spacing": (0.5, 2.0), "reduction": "none"},
        ),
    ]


def _hausdorff_er_cases() -> list[Case]:
    labels = _labels(84, (2, 6, 7), 3)
    return [
        Case("multiclass, mean", (_logits(85, (2, 6, 7, 3)), labels)),
        Case(
            "3-D, 4 erosions, none",
            (_logits(86, (1, 4, 5, 3, 2)), _labels(87, (1, 4, 5, 3), 2)),
            {"erosions": 4, "reduction": "none"},
        ),
    ]


def _region_wise_cases() -> list[Case]:
    labels = _labels(88, (2, 6, 7), 3)
    labels[0, 0] = -1
    return [
        Case(
            "multiclass, RRW map, mean", (_logits(89, (2, 6, 7, 3)), labels), {"ignore_index": -1}
        ),
        Case(
            "class weights, sum",
            (_logits(90, (2, 6, 7, 3)), labels),
            {
                "ignore_index": -1,
                "class_weights": _rng(91).uniform(0.5, 2.0, size=(3,)),
                "reduction": "sum",
            },
        ),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "distance_map",
        "segmentation",
        "Euclidean distance transform of binary masks (SciPy's EDT), on every backend",
        "Felzenszwalb & Huttenlocher, Theory of Computing 2012, doi:10.4086/toc.2012.v008a019",
        _distance_cases,
    ),
    LossInfo(
        "signed_distance_map",
        "segmentation",
        "Signed distance to the mask boundary, for boundary_loss",
        "Kervadec et al., MIDL 2019, arXiv:1812.07032",
        _signed_cases,
    ),
    LossInfo(
        "rectified_region_wise_map",
        "segmentation",
        "Rectified region-wise (RRW) map of binary masks, for region_wise_loss",
        "Valverde & Tohka, Pattern Recognition 2023, arXiv:2108.01405",
        _rrw_map_cases,
    ),
    LossInfo(
        "boundary_loss",
        "segmentation",
        "Boundary loss: probabilities times the target's signed distance map",
        "Kervadec et al., MIDL 2019, arXiv:1812.07032",
        _boundary_cases,
    ),
    LossInfo(
        "hausdorff_dt_loss",
        "segmentation",
        "Hausdorff loss from distance transforms of prediction and target",
        "Karimi & Salcudean, IEEE TMI 2019, arXiv:1904.10030",
        _hausdorff_dt_cases,
    ),
    LossInfo(
        "hausdorff_er_loss",
        "segmentation",
        "Hausdorff loss from repeated morphological erosions of the error",
        "Karimi & Salcudean, IEEE TMI 2019, arXiv:1904.10030",
        _hausdorff_er_cases,
    ),
    LossInfo(
        "region_wise_loss",
        "segmentation",
        "Region-wise loss: probabilities times a (rectified) region-wise map",
        "Valverde & Tohka, Pattern Recognition 2023, arXiv:2108.01405",
        _region_wise_cases,
    ),
)
